/**
 * The npm `undici` package has its own fetch: we do not capture it
 * automatically (we wrap globalThis.fetch only), but instrumentation.wrap()
 * captures it. And with @opentelemetry/instrumentation-undici enabled, our
 * GenAI span is the parent of its HTTP client span.
 */
import { SpanKind } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import OpenAI from 'openai';
import * as undici from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { base, usage } from '../helpers/expected.js';
import { SCOPE_NAME, useHarness, NO_PRICING } from '../helpers/harness.js';

const h = useHarness({ instrumentation: NO_PRICING });
const body = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }] });
const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };

describe('the npm undici package', () => {
  it('its own fetch is not captured automatically', async () => {
    expect(undici.fetch).not.toBe(globalThis.fetch);
    const res = await undici.fetch(`${h.upstream.baseURL}/chat/completions`, init);
    expect(res.status).toBe(200);
    await res.json();
    expect(h.upstream.requests).toHaveLength(1);
    expect(h.spans()).toHaveLength(0);
  });

  it('nor through the openai SDK given undici.fetch', async () => {
    const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: undici.fetch as unknown as typeof fetch });
    await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }] });
    expect(h.spans()).toHaveLength(0);
  });

  it('instrumentation.wrap(undici.fetch) captures it, with the same attributes as global fetch', async () => {
    const wrapped = h.instrumentation.wrap(undici.fetch as unknown as typeof fetch);
    const res = await wrapped(`${h.upstream.baseURL}/chat/completions`, init);
    const json = (await res.json()) as { id: string };
    // The app still gets undici's own Response class.
    expect(res).toBeInstanceOf(undici.Response);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': false,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': json.id,
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'http.response.status_code': 200,
    });
  });

  it('wrapping is idempotent: wrapping a wrapped fetch gives it back', () => {
    const wrapped = h.instrumentation.wrap(undici.fetch as unknown as typeof fetch);
    expect(h.instrumentation.wrap(wrapped)).toBe(wrapped);
  });
});

describe('with @opentelemetry/instrumentation-undici', () => {
  let undiciInstrumentation: UndiciInstrumentation | undefined;
  afterEach(() => {
    undiciInstrumentation?.disable();
    undiciInstrumentation = undefined;
  });

  it('the GenAI span is the parent of the HTTP client span, for JSON and SSE', async () => {
    undiciInstrumentation = new UndiciInstrumentation();
    undiciInstrumentation.setTracerProvider(h.tracerProvider);
    undiciInstrumentation.enable();

    const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }] });
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const _ of stream) void _;

    const spans = h.spans();
    const genai = spans.filter((s) => s.instrumentationScope.name === SCOPE_NAME);
    const http = spans.filter((s) => s.instrumentationScope.name === '@opentelemetry/instrumentation-undici');
    expect(genai).toHaveLength(2);
    expect(http).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      expect(http[i]!.kind).toBe(SpanKind.CLIENT);
      expect(http[i]!.name).toBe('POST');
      expect(http[i]!.attributes['url.full']).toBe(`${h.upstream.baseURL}/chat/completions`);
      expect(http[i]!.spanContext().traceId).toBe(genai[i]!.spanContext().traceId);
      expect(http[i]!.parentSpanContext?.spanId).toBe(genai[i]!.spanContext().spanId);
    }
    // Two exchanges, two traces.
    expect(genai[0]!.spanContext().traceId).not.toBe(genai[1]!.spanContext().traceId);
  });

  it('a call to another host gets an HTTP span of its own, with no GenAI parent', async () => {
    undiciInstrumentation = new UndiciInstrumentation();
    undiciInstrumentation.setTracerProvider(h.tracerProvider);
    undiciInstrumentation.enable();
    // Same server, a path that is no LLM operation.
    await (await fetch(`${h.upstream.url}/health`)).text();
    const spans = h.spans();
    expect(spans.map((s) => s.instrumentationScope.name)).toEqual(['@opentelemetry/instrumentation-undici']);
    expect(spans[0]!.parentSpanContext).toBeUndefined();
  });
});
