/**
 * openai v5 and v6 (ESM), installed side by side as openai-v5 and openai-v6:
 * the same capture as v7, and their stream-stopping behaviour (break cancels
 * the body without aborting; an AbortController aborts).
 */
import { SpanStatusCode } from '@opentelemetry/api';
import OpenAI5 from 'openai-v5';
import OpenAI6 from 'openai-v6';
import OpenAI7 from 'openai';
import { describe, expect, it } from 'vitest';
import { base, usage } from '../helpers/expected.js';
import { stableAttributes, useHarness, NO_PRICING } from '../helpers/harness.js';

const MESSAGES = [{ role: 'user' as const, content: 'hello there' }];
const h = useHarness({ upstream: { chunkDelayMs: 5 }, instrumentation: NO_PRICING });

// The three majors share the call shapes we use; type them as v7.
type Client = InstanceType<typeof OpenAI7>;
const VERSIONS: Array<[string, new (o: { baseURL: string; apiKey: string; maxRetries: number }) => unknown]> = [
  ['v5', OpenAI5],
  ['v6', OpenAI6],
];

for (const [version, Ctor] of VERSIONS) {
  describe(`openai ${version}`, () => {
    const client = () => new Ctor({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 }) as Client;

    it('JSON chat: one span with the whole attribute set', async () => {
      const res = await client().chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, max_tokens: 16 });
      const spans = h.genAiSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.attributes).toEqual({
        ...base(h.upstream.port, 'chat', 'gpt-4.1'),
        'gen_ai.request.stream': false,
        'gen_ai.request.max_tokens': 16,
        'aimon.outcome': 'completed',
        'gen_ai.response.id': res.id,
        'gen_ai.response.model': 'gpt-4.1',
        'gen_ai.response.finish_reasons': ['stop'],
        ...usage(3),
        'http.response.status_code': 200,
      });
    });

    it('SSE chat with include_usage', async () => {
      const stream = await client().chat.completions.create({
        model: 'gpt-4.1',
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      let n = 0;
      for await (const _ of stream) n++;
      expect(n).toBe(12);
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

    it('embeddings (base64 by default)', async () => {
      await client().embeddings.create({ model: 'text-embedding-3-small', input: 'alpha' });
      const spans = h.genAiSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.attributes['gen_ai.request.encoding_formats']).toEqual(['base64']);
      expect(spans[0]!.attributes['gen_ai.embeddings.dimension.count']).toBe(8);
    });

    it('break after the first chunk: outcome cancelled, not an error', async () => {
      const stream = await client().chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true });
      for await (const _ of stream) break;
      const spans = h.genAiSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.status).toEqual({ code: SpanStatusCode.UNSET });
      expect(spans[0]!.attributes['aimon.outcome']).toBe('cancelled');
      // What the SDK had received when it stopped: at least the chunk it yielded.
      expect(spans[0]!.attributes['aimon.stream.chunks']).toBeGreaterThanOrEqual(1);
      expect(spans[0]!.attributes['aimon.stream.chunks']).toBeLessThan(11);
      expect(spans[0]!.attributes['error.type']).toBeUndefined();
    });

    it('AbortController mid-stream: outcome aborted, not an error', async () => {
      const ac = new AbortController();
      const stream = await client().chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true }, { signal: ac.signal });
      let n = 0;
      await (async () => {
        for await (const _ of stream) if (++n === 2) ac.abort();
      })().catch(() => undefined);
      expect(n).toBe(2);
      const spans = h.genAiSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.status).toEqual({ code: SpanStatusCode.UNSET });
      expect(spans[0]!.attributes['aimon.outcome']).toBe('aborted');
      expect(spans[0]!.attributes['error.type']).toBeUndefined();
    });

    it('429: error.type "429"', async () => {
      await expect(
        client().chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'rate-limit' } }),
      ).rejects.toMatchObject({ status: 429 });
      const spans = h.genAiSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR });
      expect(spans[0]!.attributes['error.type']).toBe('429');
    });
  });
}
