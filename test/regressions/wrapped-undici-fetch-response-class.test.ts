/**
 * Bug: instrumentation.wrap(undici.fetch) handed the app a global Response
 * instead of undici's own Response class for LLM calls (other hosts got the
 * original object), so `res instanceof undici.Response` broke. Fix: the tap
 * builds the observed Response with the class the original fetch returned.
 */
import * as undici from 'undici';
import { expect, it } from 'vitest';
import { NO_PRICING, useHarness } from '../helpers/harness.js';

const h = useHarness({ instrumentation: NO_PRICING });

it('LLM responses keep undici’s Response class, also through clone()', async () => {
  const wrapped = h.instrumentation.wrap(undici.fetch as unknown as typeof fetch);
  const res = await wrapped(`${h.upstream.baseURL}/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res).toBeInstanceOf(undici.Response);
  const copy = res.clone();
  expect(copy).toBeInstanceOf(undici.Response);
  expect(copy.url).toBe(res.url);
  expect(await copy.json()).toEqual(await res.json());
  expect(h.genAiSpans()).toHaveLength(1);
});
