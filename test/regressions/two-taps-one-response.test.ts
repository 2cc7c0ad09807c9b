// Each tap keeps its observation of a Response in a private field of its own
// on the object (it was a WeakMap per tap). Two taps that see the same
// Response (a wrapped fetch called by another wrapped function) must each
// record the call, and the app must see no key of either.
import { diag, ROOT_CONTEXT } from '@opentelemetry/api';
import { expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import type { ExchangeResult, ExchangeSink } from '../../src/exchange.js';
import { wrapFetch } from '../../src/fetch-tap.js';
import { HostMatcher } from '../../src/hosts.js';

const body = JSON.stringify({ id: 'x', model: 'gpt-4.1', choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1 } });
const upstream = (async () => new Response(body, { headers: { 'content-type': 'application/json' } })) as typeof fetch;

function tap(original: typeof fetch): { fetch: typeof fetch; ended: ExchangeResult[] } {
  const ended: ExchangeResult[] = [];
  const sink: ExchangeSink = { chunkInterval: () => {}, end: (_ex, r) => void ended.push(r) };
  const f = wrapFetch(original, {
    matcher: new HostMatcher([{ host: 'llm.test', port: 443, pathPrefix: '/v1', provider: 'openai' }]),
    config: resolveConfig({}, {}).config!,
    start: () => ROOT_CONTEXT,
    sink,
    diag,
  });
  return { fetch: f, ended };
}

it('two taps on one Response both record it; the app sees the keys of a plain Response', async () => {
  const inner = tap(upstream);
  const outer = tap(((input: RequestInfo | URL, init?: RequestInit) => inner.fetch(input, init)) as typeof fetch);
  const res = await outer.fetch('https://llm.test/v1/chat/completions', { method: 'POST', body: '{"model":"gpt-4.1","messages":[]}' });
  expect(Reflect.ownKeys(res)).toEqual(Reflect.ownKeys(new Response(body)));
  expect(await res.json()).toEqual(JSON.parse(body));
  for (const t of [inner, outer]) {
    expect(t.ended.map((r) => [r.outcome, r.response.usage?.inputTokens, r.response.finishReasons])).toEqual([['completed', 3, ['stop']]]);
  }
});
