// The registry that ends exchanges whose body the app drops held the Exchange
// itself until the Response was collected and its cleanup had run: every
// finished call kept its Exchange (and its span) alive through the next
// garbage collections. It now holds a guard that the exchange empties when it
// ends; a body that is never read still ends the exchange through it.
import { diag, ROOT_CONTEXT } from '@opentelemetry/api';
import { expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import type { Exchange, ExchangeResult, ExchangeSink } from '../../src/exchange.js';
import { wrapFetch } from '../../src/fetch-tap.js';
import { HostMatcher } from '../../src/hosts.js';

function tapped(): { fetch: typeof fetch; ended: Array<[Exchange, ExchangeResult]>; started: Exchange[] } {
  const ended: Array<[Exchange, ExchangeResult]> = [];
  const started: Exchange[] = [];
  const sink: ExchangeSink = { chunkInterval: () => {}, end: (ex, r) => void ended.push([ex, r]) };
  const body = JSON.stringify({ id: 'x', model: 'gpt-4.1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } });
  const upstream = (async () => new Response(body, { headers: { 'content-type': 'application/json' } })) as typeof fetch;
  const f = wrapFetch(upstream, {
    matcher: new HostMatcher([{ host: 'llm.test', port: 443, pathPrefix: '/v1', provider: 'openai' }]),
    config: resolveConfig({}, {}).config!,
    start: (ex) => (started.push(ex), ROOT_CONTEXT),
    sink,
    diag,
  });
  return { fetch: f, ended, started };
}

const call = (f: typeof fetch) =>
  f('https://llm.test/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'gpt-4.1', messages: [] }) });

it('an exchange that ended is no longer held by its guard', async () => {
  const t = tapped();
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
  const t = tapped();
  await (async () => void (await call(t.fetch)))();
  const deadline = Date.now() + 10_000;
  while (t.ended.length === 0 && Date.now() < deadline) {
    (globalThis as unknown as { gc: () => void }).gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(t.ended.map(([, r]) => r.outcome)).toEqual(['abandoned']);
});
