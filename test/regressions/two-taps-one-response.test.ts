// Each tap keeps its observation of a Response in a private field of its own
// on the object (it was a WeakMap per tap). Two taps that see the same
// Response (a wrapped fetch called by another wrapped function) must each
// record the call, and the app must see no key of either.
import { expect, it } from 'vitest';
import { FAKE_CHAT_BODY as body, FAKE_CHAT_URL, fakeTap } from '../helpers/fake-tap.js';

it('two taps on one Response both record it; the app sees the keys of a plain Response', async () => {
  const inner = fakeTap();
  const outer = fakeTap(((input: RequestInfo | URL, init?: RequestInit) => inner.fetch(input, init)) as typeof fetch);
  const res = await outer.fetch(FAKE_CHAT_URL, { method: 'POST', body: '{"model":"gpt-4.1","messages":[]}' });
  expect(Reflect.ownKeys(res)).toEqual(Reflect.ownKeys(new Response(body)));
  expect(await res.json()).toEqual(JSON.parse(body));
  for (const t of [inner, outer]) {
    expect(t.ended.map(([, r]) => [r.outcome, r.response.usage?.inputTokens, r.response.finishReasons])).toEqual([['completed', 3, ['stop']]]);
  }
});
