/**
 * Hand-written fetch against the fake upstream: every input shape fetch
 * accepts, and the ways an app stops a body.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { base, usage } from '../helpers/expected.js';
import { stableAttributes, useHarness, NO_PRICING } from '../helpers/harness.js';

const h = useHarness({ upstream: { chunkDelayMs: 5 }, instrumentation: NO_PRICING });

const chat = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }], ...extra });
const post = (body: string, extra: RequestInit = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
  body,
  ...extra,
});

describe('raw fetch', () => {
  it('JSON chat with a string URL', async () => {
    const res = await fetch(`${h.upstream.baseURL}/chat/completions`, post(chat({ max_tokens: 9 })));
    const json = (await res.json()) as { id: string };
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': false,
      'gen_ai.request.max_tokens': 9,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': json.id,
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'http.response.status_code': 200,
    });
  });

  it('a URL object and a Request object are captured too', async () => {
    await (await fetch(new URL(`${h.upstream.baseURL}/chat/completions`), post(chat()))).text();
    await (await fetch(new Request(`${h.upstream.baseURL}/embeddings`, post(JSON.stringify({ model: 'emb', input: 'x' }))))).text();
    const spans = h.genAiSpans();
    expect(spans.map((s) => s.name)).toEqual(['chat gpt-4.1', 'embeddings']);
    // A Request's body is a stream we do not read: the model is unknown, the call is still recorded.
    expect(spans[1]!.attributes).toEqual({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'server.address': '127.0.0.1',
      'server.port': h.upstream.port,
      'aimon.outcome': 'completed',
      'gen_ai.response.model': 'emb',
      'gen_ai.embeddings.dimension.count': 8,
      'gen_ai.usage.input_tokens': 1,
      'http.response.status_code': 200,
    });
  });

  it('SSE with include_usage read to the end', async () => {
    const res = await fetch(`${h.upstream.baseURL}/chat/completions`, post(chat({ stream: true, stream_options: { include_usage: true } })));
    const text = await res.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(stableAttributes(spans[0]!)).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': true,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': spans[0]!.attributes['gen_ai.response.id'],
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'aimon.stream.chunks': 11,
      'http.response.status_code': 200,
    });
  });

  it('reader.cancel() after the first chunk: outcome cancelled, not an error', async () => {
    const res = await fetch(`${h.upstream.baseURL}/chat/completions`, post(chat({ stream: true })));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(spans[0]!.attributes['aimon.outcome']).toBe('cancelled');
    expect(spans[0]!.attributes['error.type']).toBeUndefined();
  });

  it('AbortController mid-stream: the read rejects with AbortError, outcome aborted', async () => {
    const ac = new AbortController();
    const res = await fetch(`${h.upstream.baseURL}/chat/completions`, post(chat({ stream: true }), { signal: ac.signal }));
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(spans[0]!.attributes['aimon.outcome']).toBe('aborted');
    expect(spans[0]!.attributes['error.type']).toBeUndefined();
  });

  it('an abort with a custom reason is still an abort, not an error', async () => {
    const ac = new AbortController();
    const res = await fetch(`${h.upstream.baseURL}/chat/completions`, post(chat({ stream: true }), { signal: ac.signal }));
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort(new Error('user navigated away'));
    await expect(reader.read()).rejects.toThrow('user navigated away');
    const spans = h.genAiSpans();
    expect(spans.map((s) => [s.attributes['aimon.outcome'], s.status.code])).toEqual([['aborted', SpanStatusCode.UNSET]]);
  });

  it('an abort before the response headers: fetch rejects, outcome aborted', async () => {
    const ac = new AbortController();
    const p = fetch(`${h.upstream.baseURL}/chat/completions`, post(chat({ stream: true }), { signal: ac.signal, headers: { 'x-fake-scenario': 'stall' } }));
    // 'stall' sends headers and then nothing: abort before them by aborting at once.
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': true,
      'aimon.outcome': 'aborted',
    });
  });

  it('AbortSignal.timeout: a timeout is an error of class TimeoutError, not an abort by the app', async () => {
    // 'stall' never sends a byte (headers stay unflushed): the timeout fires before the response.
    const p = fetch(
      `${h.upstream.baseURL}/chat/completions`,
      post(chat({ stream: true }), { signal: AbortSignal.timeout(100), headers: { 'x-fake-scenario': 'stall' } }),
    );
    await expect(p).rejects.toMatchObject({ name: 'TimeoutError' });
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': true,
      'aimon.outcome': 'error',
      'error.type': 'TimeoutError',
    });
  });
});
