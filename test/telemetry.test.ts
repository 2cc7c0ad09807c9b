import { describe, expect, it } from 'vitest';

import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { diag, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { resolveConfig, semconvModeOf } from '../src/config.js';
import { Exchange } from '../src/exchange.js';
import { HostMatcher } from '../src/hosts.js';
import { GenAiTelemetry } from '../src/telemetry.js';
import { spanLog } from './helpers/span-log.js';

const enc = new TextEncoder();

async function run(env: Record<string, string>) {
  const { config } = resolveConfig({ hosts: ['127.0.0.1:8080'], defaultHosts: false }, env);
  const spans = new InMemorySpanExporter();
  const tp = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const mp = new MeterProvider({ readers: [reader] });
  const tel = new GenAiTelemetry(tp.getTracer('t'), mp.getMeter('t'), config, diag);
  const target = new HostMatcher(config.endpoints).match('http://127.0.0.1:8080/v1/chat/completions')!;
  const ex = new Exchange(target, { model: 'claude-sonnet-4.5', stream: false, includeUsage: false, hasStreamOptions: false }, false, config, tel, 0);
  tel.start(ex);
  ex.onResponse(200, 'application/json', true, 0);
  const body = {
    id: 'msg_1',
    model: 'claude-sonnet-4.5',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 40, cache_write_tokens: 10 }, completion_tokens_details: { reasoning_tokens: 5 } },
  };
  ex.onChunk(enc.encode(JSON.stringify(body)), 10);
  ex.onEnd(250);
  await reader.forceFlush();
  const rm: ResourceMetrics[] = exporter.getMetrics();
  const metrics = rm.at(-1)!.scopeMetrics.flatMap((s) => s.metrics);
  const names = metrics.map((m) => m.descriptor.name).sort();
  const sumOf = (name: string) =>
    metrics
      .filter((m) => m.descriptor.name === name)
      .flatMap((m) => m.dataPoints)
      .reduce((acc, dp) => acc + (typeof dp.value === 'number' ? dp.value : (dp.value as { sum: number }).sum), 0);
  const span = spans.getFinishedSpans()[0]!;
  return { names, sumOf, span, metrics };
}

describe('semconv modes', () => {
  it('parses OTEL_SEMCONV_STABILITY_OPT_IN as a list', () => {
    expect(semconvModeOf(undefined)).toBe('v1.41');
    expect(semconvModeOf('http, gen_ai_latest_experimental')).toBe('latest');
    expect(semconvModeOf('gen_ai_latest_experimental/dup,database')).toBe('dup');
    expect(semconvModeOf('gen_ai')).toBe('v1.41');
  });

  it('emits v1.41.1 names by default', async () => {
    const { names, sumOf, span } = await run({});
    expect(names).toEqual([
      'aimon.client.token.detail',
      'gen_ai.client.operation.duration',
      'gen_ai.client.token.usage',
    ]);
    expect(sumOf('gen_ai.client.token.usage')).toBe(120);
    expect(sumOf('aimon.client.token.detail')).toBe(55);
    expect(sumOf('gen_ai.client.operation.duration')).toBeCloseTo(0.25, 9);
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(10);
    expect(span.attributes['gen_ai.usage.cache_write.input_tokens']).toBeUndefined();
  });

  it('emits only the newest names with gen_ai_latest_experimental', async () => {
    const { names, sumOf, span, metrics } = await run({ OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental' });
    expect(names).toEqual([
      'aimon.client.token.detail',
      'gen_ai.client.inference.duration',
      'gen_ai.client.inference.usage.cache_read.input_tokens',
      'gen_ai.client.inference.usage.cache_write.input_tokens',
      'gen_ai.client.inference.usage.input_tokens',
      'gen_ai.client.inference.usage.output_tokens',
      'gen_ai.client.inference.usage.reasoning.output_tokens',
    ]);
    expect(sumOf('gen_ai.client.inference.usage.input_tokens')).toBe(100);
    expect(sumOf('gen_ai.client.inference.usage.cache_write.input_tokens')).toBe(10);
    const input = metrics.find((m) => m.descriptor.name === 'gen_ai.client.inference.usage.input_tokens')!;
    expect(input.dataPointType).toBe(DataPointType.SUM);
    expect(input.dataPoints[0]!.attributes['gen_ai.token.modality']).toBe('text');
    expect(span.attributes['gen_ai.usage.cache_write.input_tokens']).toBe(10);
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBeUndefined();
  });

  it('emits both with gen_ai_latest_experimental/dup', async () => {
    const { names, sumOf, span } = await run({ OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental/dup' });
    expect(names).toContain('gen_ai.client.operation.duration');
    expect(names).toContain('gen_ai.client.inference.duration');
    expect(names).toContain('gen_ai.client.token.usage');
    expect(names).toContain('gen_ai.client.inference.usage.output_tokens');
    expect(sumOf('gen_ai.client.inference.usage.output_tokens')).toBe(20);
    expect(span.attributes['gen_ai.usage.cache_write.input_tokens']).toBe(10);
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(10);
  });
});


describe('span attributes at creation', () => {
  it('a sampler sees the sampling-relevant attributes; the other request attributes are on the ended span', () => {
    const { config } = resolveConfig({ hosts: ['127.0.0.1:8080'], defaultHosts: false }, {});
    const seen: Array<Record<string, unknown>> = [];
    const spans = new InMemorySpanExporter();
    const tp = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(spans)],
      sampler: {
        shouldSample: (_ctx, _trace, _name, _kind, attributes) => {
          seen.push({ ...attributes });
          return { decision: 2 };
        },
        toString: () => 'recording',
      },
    });
    const tel = new GenAiTelemetry(tp.getTracer('t'), new MeterProvider().getMeter('t'), config, diag);
    const target = new HostMatcher(config.endpoints).match('http://127.0.0.1:8080/v1/embeddings')!;
    const ex = new Exchange(
      target,
      { model: 'text-embedding-3-small', stream: false, includeUsage: false, hasStreamOptions: false, encodingFormats: ['base64'] },
      false,
      config,
      tel,
      0,
    );
    tel.start(ex);
    ex.onResponse(200, 'application/json', true, 0);
    ex.onBodyText('{"model":"text-embedding-3-small","data":[{"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":3}}', 5);
    expect(seen).toEqual([
      {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': target.endpoint.provider,
        'server.address': '127.0.0.1',
        'server.port': 8080,
        'gen_ai.request.model': 'text-embedding-3-small',
      },
    ]);
    const span = spans.getFinishedSpans()[0]!;
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.request.encoding_formats': ['base64'],
      'gen_ai.embeddings.dimension.count': 2,
      'gen_ai.usage.input_tokens': 3,
    });
  });
});

describe('metric series per target', () => {
  it('calls alternating between models on one target land in their own series, also after a new meter', async () => {
    const { config } = resolveConfig({ hosts: ['127.0.0.1:8080'], defaultHosts: false }, {});
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const tel = new GenAiTelemetry(new BasicTracerProvider().getTracer('t'), new MeterProvider().getMeter('t'), config, diag, { tracing: false });
    const target = new HostMatcher(config.endpoints).match('http://127.0.0.1:8080/v1/chat/completions')!;
    const call = (model: string) => {
      const ex = new Exchange(target, { model, stream: false, includeUsage: false, hasStreamOptions: false }, false, config, tel, 0);
      tel.start(ex);
      ex.onResponse(200, 'application/json', true, 0);
      ex.onBodyText(`{"model":"${model}","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}`, 1);
    };
    call('a');
    // Recorded before the new meter: not in its reader.
    tel.setMeter(new MeterProvider({ readers: [reader] }).getMeter('t'));
    for (const m of ['a', 'b', 'a', 'a', 'b', 'c']) call(m);
    await reader.forceFlush();
    const duration = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'gen_ai.client.operation.duration')!;
    const counts = Object.fromEntries(duration.dataPoints.map((p) => [p.attributes['gen_ai.request.model'], (p.value as { count: number }).count]));
    expect(counts).toEqual({ a: 3, b: 2, c: 1 });
  });
});

describe('when the span is created', () => {
  /** A telemetry edge whose tracer logs every span start and end into `events`. */
  function setup(options: { spanStart?: 'auto' | 'request' } = {}) {
    const { config } = resolveConfig({ hosts: ['127.0.0.1:8080'], defaultHosts: false, ...options }, {});
    const events: string[] = [];
    const spans = new InMemorySpanExporter();
    const tp = new BasicTracerProvider({ spanProcessors: [spanLog(events), new SimpleSpanProcessor(spans)] });
    const tel = new GenAiTelemetry(tp.getTracer('t'), new MeterProvider().getMeter('t'), config, diag);
    const target = new HostMatcher(config.endpoints).match('http://127.0.0.1:8080/v1/chat/completions')!;
    const newExchange = (startMs: number) =>
      new Exchange(target, { model: 'gpt-4.1', stream: false, includeUsage: false, hasStreamOptions: false, temperature: 0.5 }, false, config, tel, startMs);
    return { tel, events, spans, newExchange };
  }
  const body = '{"id":"c1","model":"gpt-4.1","choices":[{"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2}}';

  it('when nothing inside the call reads the context, at the end, with the call start time, its parent and all attributes', () => {
    const { tel, events, spans, newExchange } = setup();
    const parentTp = new BasicTracerProvider();
    const appSpan = parentTp.getTracer('app').startSpan('app work');
    const parent = trace.setSpan(ROOT_CONTEXT, appSpan);
    const t0 = performance.now() - 300;
    const ex = newExchange(t0);
    // No context for the call: it runs in the caller's.
    expect(tel.start(ex, parent, false)).toBeUndefined();
    expect(events).toEqual([]);
    ex.onResponse(200, 'application/json', true, t0 + 100);
    ex.onBodyText(body, t0 + 250);
    expect(events).toEqual(['start chat gpt-4.1', 'end chat gpt-4.1']);
    const span = spans.getFinishedSpans()[0]!;
    // The span covers exactly the call as the exchange measured it.
    expect(hrTimeToMilliseconds(span.duration)).toBeCloseTo(250, 3);
    expect(Math.abs(hrTimeToMilliseconds(span.startTime) - (Date.now() - 300))).toBeLessThan(200);
    expect(span.parentSpanContext?.spanId).toBe(appSpan.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(appSpan.spanContext().traceId);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.request.model': 'gpt-4.1',
      'gen_ai.request.temperature': 0.5,
      'gen_ai.response.id': 'c1',
      'gen_ai.usage.input_tokens': 7,
      'aimon.outcome': 'completed',
    });
  });

  it('at the request when something inside the call reads the context, which then holds the span', () => {
    const { tel, events, spans, newExchange } = setup();
    const ex = newExchange(performance.now());
    const ctx = tel.start(ex, ROOT_CONTEXT, true);
    expect(events).toEqual(['start chat gpt-4.1']);
    expect(trace.getSpan(ctx!)?.spanContext().spanId).toBeDefined();
    ex.onResponse(200, 'application/json', true, performance.now());
    ex.onBodyText(body, performance.now());
    expect(events).toEqual(['start chat gpt-4.1', 'end chat gpt-4.1']);
    expect(spans.getFinishedSpans()[0]!.spanContext().spanId).toBe(trace.getSpan(ctx!)!.spanContext().spanId);
  });

  it('at the request with spanStart "request", whoever reads the context', () => {
    const { tel, events, newExchange } = setup({ spanStart: 'request' });
    const ex = newExchange(performance.now());
    expect(tel.start(ex, ROOT_CONTEXT, false)).toBeDefined();
    expect(events).toEqual(['start chat gpt-4.1']);
  });

  it('deferred or not, a span has the same attributes and status, for a success and for an error', () => {
    const ended = (spanStart: 'auto' | 'request', status: number, text: string) => {
      const { tel, spans, newExchange } = setup({ spanStart });
      const t0 = performance.now() - 10;
      const ex = newExchange(t0);
      tel.start(ex, ROOT_CONTEXT, false);
      ex.onResponse(status, 'application/json', true, t0 + 2);
      ex.onBodyText(text, t0 + 5);
      const s = spans.getFinishedSpans()[0]!;
      return { name: s.name, attributes: s.attributes, status: s.status };
    };
    const error = '{"error":{"message":"slow down","type":"rate_limit"}}';
    expect(ended('auto', 200, body)).toEqual(ended('request', 200, body));
    expect(ended('auto', 429, error)).toEqual(ended('request', 429, error));
    expect(ended('auto', 429, error)).toMatchObject({ status: { code: SpanStatusCode.ERROR }, attributes: { 'error.type': '429' } });
  });
});
