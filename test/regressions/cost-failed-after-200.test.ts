// A stream that failed after its 200 (an error event mid-stream, or the
// connection reset while reading) was counted in
// aimon.client.unpriced.calls{reason="usage_missing"} and its span got
// aimon.unpriced.reason: recordCost only looked at the status code, so a
// failed call read as "successful but unpriced", against its own rule that
// failed calls are neither billed nor counted.
import { diag } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { Exchange } from '../../src/exchange.js';
import { HostMatcher } from '../../src/hosts.js';
import { Pricing } from '../../src/pricing.js';
import { GenAiTelemetry } from '../../src/telemetry.js';
import { flattenMetrics, OnDemandReader } from '../helpers/harness.js';

const enc = new TextEncoder();
const chunk = (obj: unknown) => enc.encode(`data: ${JSON.stringify(obj)}\n\n`);
const delta = { id: 'c1', model: 'gpt-4.1', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] };

it('a 200 stream ended by an error event or a reset records neither cost nor an unpriced call', async () => {
  const { config } = resolveConfig({ hosts: ['127.0.0.1:8080'], defaultHosts: false }, {});
  const spans = new InMemorySpanExporter();
  const tp = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new OnDemandReader();
  const mp = new MeterProvider({ readers: [reader] });
  const pricing = new Pricing(undefined, {}, diag);
  const tel = new GenAiTelemetry(tp.getTracer('t'), mp.getMeter('t'), config, diag, { tracing: true, pricing });
  const target = new HostMatcher(config.endpoints).match('http://127.0.0.1:8080/v1/chat/completions')!;
  const start = () => {
    const ex = new Exchange(target, { model: 'gpt-4.1', stream: true, includeUsage: true, hasStreamOptions: true }, false, config, tel, 0);
    tel.start(ex);
    ex.onResponse(200, 'text/event-stream', true, 0);
    ex.onChunk(chunk(delta), 5);
    return ex;
  };

  const errorEvent = start();
  errorEvent.onChunk(chunk({ error: { message: 'upstream overloaded', type: 'server_error', code: null } }), 6);
  errorEvent.onEnd(7);
  start().onBodyError(Object.assign(new Error('other side closed'), { code: 'ECONNRESET' }), 8);

  const finished = spans.getFinishedSpans();
  expect(finished.map((s) => [s.attributes['aimon.outcome'], s.attributes['error.type'], s.attributes['aimon.unpriced.reason']])).toEqual([
    ['error', 'stream_error', undefined],
    ['error', 'ECONNRESET', undefined],
  ]);
  const { resourceMetrics } = await reader.collect();
  expect(flattenMetrics(resourceMetrics).map((m) => m.descriptor.name).filter((n) => /^aimon\.client\.(cost|unpriced)\./.test(n))).toEqual([]);
  pricing.close();
});
