/**
 * The fetch tap over a fetch that answers from memory, for tests of the tap
 * itself: every call to https://llm.test/v1/... is an exchange; `started` and
 * `ended` are what the tap handed to its telemetry (no OTel SDK involved).
 */
import { diag, ROOT_CONTEXT } from '@opentelemetry/api';
import { resolveConfig } from '../../src/config.js';
import type { Exchange, ExchangeResult, ExchangeSink } from '../../src/exchange.js';
import { wrapFetch } from '../../src/fetch-tap.js';
import { HostMatcher } from '../../src/hosts.js';

export const FAKE_CHAT_URL = 'https://llm.test/v1/chat/completions';

export const FAKE_CHAT_BODY = JSON.stringify({
  id: 'x',
  model: 'gpt-4.1',
  choices: [{ finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1 },
});

/** A fetch that answers every call with FAKE_CHAT_BODY as JSON. */
export const fakeUpstream = (async () => new Response(FAKE_CHAT_BODY, { headers: { 'content-type': 'application/json' } })) as typeof fetch;

export interface FakeTap {
  fetch: typeof fetch;
  started: Exchange[];
  ended: Array<[Exchange, ExchangeResult]>;
}

export function fakeTap(original: typeof fetch = fakeUpstream): FakeTap {
  const started: Exchange[] = [];
  const ended: Array<[Exchange, ExchangeResult]> = [];
  const sink: ExchangeSink = { chunkInterval: () => {}, end: (ex, r) => void ended.push([ex, r]) };
  const f = wrapFetch(original, {
    matcher: new HostMatcher([{ host: 'llm.test', port: 443, pathPrefix: '/v1', provider: 'openai' }]),
    config: resolveConfig({}, {}).config!,
    start: (ex) => (started.push(ex), ROOT_CONTEXT),
    sink,
    diag,
  });
  return { fetch: f, started, ended };
}
