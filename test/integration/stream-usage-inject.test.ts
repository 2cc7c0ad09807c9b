/**
 * Usage injection (streamUsage: 'inject'): we add stream_options.include_usage
 * to streaming requests that lack it, record the tokens, and hide what the
 * option adds, so the app sees exactly the stream it would have seen.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { base, usage } from '../helpers/expected.js';
import { stableAttributes, useHarness, type Harness } from '../helpers/harness.js';

const MESSAGES = [{ role: 'user' as const, content: 'hello there' }];
const h = useHarness({ instrumentation: () => ({ streamUsage: 'inject', pricing: false }) });

const lastRequestBody = (harness: Harness) => JSON.parse(harness.upstream.requests.at(-1)!.body) as Record<string, unknown>;

/** The upstream numbers its responses; everything else must be identical. */
const withoutId = (chunks: ChatCompletionChunk[]) => {
  const ids = new Set(chunks.map((c) => c.id));
  expect(ids.size).toBe(1);
  return chunks.map((c) => ({ ...c, id: 'same' }));
};

async function collect(fetchFn: typeof fetch, extra: Record<string, unknown> = {}): Promise<ChatCompletionChunk[]> {
  const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: fetchFn });
  const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true, ...extra });
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream as AsyncIterable<ChatCompletionChunk>) out.push(c);
  return out;
}

describe('streamUsage: inject', () => {
  it('the openai SDK yields the chunks of an uninstrumented run without include_usage; tokens are recorded', async () => {
    const plain = await collect(h.originalFetch);
    expect(lastRequestBody(h).stream_options).toBeUndefined();
    expect(plain).toHaveLength(11);

    const injected = await collect(globalThis.fetch);
    expect(lastRequestBody(h).stream_options).toEqual({ include_usage: true });
    expect(withoutId(injected)).toEqual(withoutId(plain));
    // Neither the usage-only chunk nor "usage": null on the others reaches the app.
    expect(injected.every((c) => !('usage' in c))).toBe(true);

    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(stableAttributes(spans[0]!)).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': true,
      'aimon.stream.usage_injected': true,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': injected[0]!.id,
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'aimon.stream.chunks': 11,
      'http.response.status_code': 200,
    });
  });

  it('raw fetch: the app reads the same SSE text as without include_usage', async () => {
    const body = JSON.stringify({ model: 'gpt-4.1', messages: MESSAGES, stream: true });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    const plain = await (await h.originalFetch(`${h.upstream.baseURL}/chat/completions`, init)).text();
    const injected = await (await fetch(`${h.upstream.baseURL}/chat/completions`, init)).text();
    expect(lastRequestBody(h).stream_options).toEqual({ include_usage: true });
    const norm = (t: string) => t.replace(/chatcmpl-\d{6}/g, 'chatcmpl-same');
    expect(norm(injected)).toBe(norm(plain));
    expect(h.genAiSpans()[0]!.attributes['gen_ai.usage.output_tokens']).toBe(10);
  });

  it('an app that asks for usage itself gets the usage chunk, and nothing is injected', async () => {
    const chunks = await collect(globalThis.fetch, { stream_options: { include_usage: true } });
    expect(chunks).toHaveLength(12);
    expect(chunks[11]!.usage?.prompt_tokens).toBe(3);
    const span = h.genAiSpans()[0]!;
    expect(span.attributes['aimon.stream.usage_injected']).toBeUndefined();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(3);
  });

  it('an app that sets stream_options without include_usage is left alone', async () => {
    await collect(globalThis.fetch, { stream_options: { include_usage: false } });
    expect(lastRequestBody(h).stream_options).toEqual({ include_usage: false });
    const span = h.genAiSpans()[0]!;
    expect(span.attributes['aimon.stream.usage_injected']).toBeUndefined();
    expect(span.attributes['aimon.usage.missing']).toBe(true);
  });

  it('non-streaming requests and embeddings are not modified', async () => {
    const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES });
    expect(lastRequestBody(h).stream_options).toBeUndefined();
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(lastRequestBody(h).stream_options).toBeUndefined();
  });

  it('break after the first chunk still ends the exchange once', async () => {
    const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true });
    for await (const c of stream) {
      expect(c.choices[0]!.delta.role).toBe('assistant');
      break;
    }
    expect(h.genAiSpans()).toHaveLength(1);
  });
});
