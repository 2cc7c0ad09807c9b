// A response without a body (204) ended the exchange from onResponse, which
// took no time: the duration was measured from 0 to the call's start, a
// negative number of seconds (about minus the process uptime), and the span
// ended before it started.
import { expect, it } from 'vitest';
import { FAKE_CHAT_URL, fakeTap } from '../helpers/fake-tap.js';

it('a 204 from an LLM host ends the exchange with a duration from request to headers', async () => {
  const delayed = (async () => {
    await new Promise((r) => setTimeout(r, 20));
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  const t = fakeTap(delayed);
  const before = performance.now();
  const res = await t.fetch(FAKE_CHAT_URL, { method: 'POST', body: '{"model":"gpt-4.1","messages":[]}' });
  const elapsedS = (performance.now() - before) / 1000;
  expect(res.status).toBe(204);
  expect(t.ended).toHaveLength(1);
  const [ex, r] = t.ended[0]!;
  expect(r.outcome).toBe('completed');
  expect(r.durationS).toBeGreaterThanOrEqual(0.015);
  expect(r.durationS).toBeLessThanOrEqual(elapsedS);
  expect(ex.endMs! - ex.startMs).toBeCloseTo(r.durationS * 1000, 6);
});
