// The registry that ends exchanges whose body the app drops held the Exchange
// itself until the Response was collected and its cleanup had run: every
// finished call kept its Exchange (and its span) alive through the next
// garbage collections. It now holds a guard that the exchange empties when it
// ends; a body that is never read still ends the exchange through it.
import { expect, it } from 'vitest';
import { FAKE_CHAT_URL, fakeTap } from '../helpers/fake-tap.js';

const call = (f: typeof fetch) => f(FAKE_CHAT_URL, { method: 'POST', body: JSON.stringify({ model: 'gpt-4.1', messages: [] }) });

it('an exchange that ended is no longer held by its guard', async () => {
  const t = fakeTap();
  const res = await call(t.fetch);
  expect(t.started[0]!.guard?.ex).toBe(t.started[0]);
  await res.json();
  expect(t.ended).toHaveLength(1);
  const [ex, r] = t.ended[0]!;
  expect(r.outcome).toBe('completed');
  expect(ex.guard).toBeDefined();
  expect(ex.guard!.ex).toBeUndefined();
});

it('a body never read still ends its exchange, as abandoned, once the Response is collected', async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    (globalThis as { gc?: () => void }).gc = runInNewContext('gc') as () => void;
  }
  const t = fakeTap();
  await (async () => void (await call(t.fetch)))();
  const deadline = Date.now() + 10_000;
  while (t.ended.length === 0 && Date.now() < deadline) {
    (globalThis as unknown as { gc: () => void }).gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(t.ended.map(([, r]) => r.outcome)).toEqual(['abandoned']);
});
