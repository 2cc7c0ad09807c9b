/**
 * gzip, br and deflate JSON bodies from the fake upstream, through the openai
 * SDK and raw fetch: parsed after decompression, the app gets the same data.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { base, usage } from '../helpers/expected.js';
import { useHarness, NO_PRICING } from '../helpers/harness.js';

// undici asks for br only over https; over http the app (here: the test) asks for it.
const acceptEncoding = (compress: string) => ({ 'accept-encoding': compress });
const chat = () => JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }] });

for (const compress of ['gzip', 'br', 'deflate'] as const) {
  describe(compress, () => {
    const hc = useHarness({ upstream: { compress }, instrumentation: NO_PRICING });
    it(`openai SDK: usage recorded, the app gets the decoded body`, async () => {
      const client = new OpenAI({ baseURL: hc.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0, defaultHeaders: acceptEncoding(compress) });
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }] })
        .withResponse();
      expect(response.headers.get('content-encoding')).toBe(compress);
      expect(data.usage?.prompt_tokens).toBe(3);
      const spans = hc.genAiSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.attributes).toEqual({
        ...base(hc.upstream.port, 'chat', 'gpt-4.1'),
        'gen_ai.request.stream': false,
        'aimon.outcome': 'completed',
        'gen_ai.response.id': data.id,
        'gen_ai.response.model': 'gpt-4.1',
        'gen_ai.response.finish_reasons': ['stop'],
        ...usage(3),
        'http.response.status_code': 200,
      });
    });
    it('a compressed 429 error body: error.type "429"', async () => {
      const res = await fetch(`${hc.upstream.baseURL}/chat/completions`, {
        method: 'POST',
        body: chat(),
        headers: { 'content-type': 'application/json', 'x-fake-scenario': 'rate-limit', ...acceptEncoding(compress) },
      });
      expect(res.headers.get('content-encoding')).toBe(compress);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
      expect(hc.genAiSpans().map((s) => s.attributes['error.type'])).toEqual(['429']);
    });
  });
}
