// `node --expose-gc --import <register> soak.mjs <seconds> <concurrency>`:
// mixed traffic against UPSTREAM_BASE_URL for a fixed time; heap samples after
// flushing the span queue and collecting garbage; live Exchange records at the
// end. Prints one JSON line.
import { Exchange } from '../../../dist/exchange.js';
import { runningSdk } from '../../../dist/register.js';
import { gcUntil, heapAfterGc, liveInstances } from '../../faults/apps/probe.mjs';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 16);
const base = process.env.UPSTREAM_BASE_URL;
const sdk = runningSdk();
const MODELS = ['gpt-4.1', 'gpt-4.1-mini', 'o4-mini', 'deepseek-v3.2', 'claude-sonnet-4-5'];

const post = (body, scenario, signal) =>
  fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-fake-scenario': scenario },
    body: JSON.stringify(body),
    signal,
  });
const chat = (i, stream, extra = {}) => ({ model: MODELS[i % MODELS.length], stream, messages: [{ role: 'user', content: `hello ${i % 7}` }], ...extra });

// One kind of call per index; every path an exchange can end by.
const KINDS = [
  async (i) => (await post(chat(i, false), 'ok')).json(),
  async (i) => (await post(chat(i, true, { stream_options: { include_usage: true } }), 'ok')).text(),
  async (i) => (await post(chat(i, true), 'no-usage')).text(),
  async (i) => (await post(chat(i, false), 'rate-limit')).text(),
  async (i) => (await post(chat(i, false), 'server-error')).text(),
  async (i) => (await post(chat(i, false), 'html-502')).text(),
  async (i) => (await post(chat(i, false), 'truncated-json')).text(),
  async (i) => (await post(chat(i, false), 'reset-before-headers')).text(),
  async (i) => (await post(chat(i, true), 'reset-mid-stream')).text(),
  async (i) => (await post(chat(i, true), 'error-event')).text(),
  async (i) => {
    const ac = new AbortController();
    const res = await post(chat(i, true), 'ok', ac.signal);
    const reader = res.body.getReader();
    await reader.read();
    ac.abort();
    await reader.read();
  },
  async (i) => {
    const res = await post(chat(i, true), 'ok');
    const reader = res.body.getReader();
    await reader.read();
    await reader.cancel();
  },
  // Dropped without reading: ended by the FinalizationRegistry after GC.
  async (i) => {
    await post(chat(i, false), 'ok');
  },
  async (i) =>
    (
      await fetch(`${base}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: `x ${i % 5}` }),
      })
    ).json(),
];

let calls = 0;
let failures = 0;
const deadline = Date.now() + seconds * 1000;
async function worker(w) {
  for (let i = w; Date.now() < deadline; i += concurrency) {
    calls++;
    try {
      await KINDS[i % KINDS.length](i);
    } catch {
      failures++;
    }
  }
}

async function sample() {
  await sdk.forceFlush();
  return heapAfterGc();
}

const samples = [];
const sampler = (async () => {
  // Four samples after a warm-up of a fifth of the run.
  for (const at of [0.2, 0.4, 0.6, 0.8]) {
    const wait = deadline - seconds * 1000 * (1 - at) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    samples.push({ at, calls, heap: await sample() });
  }
})();
await Promise.all([...Array.from({ length: concurrency }, (_, w) => worker(w)), sampler]);
const live = await gcUntil(async () => (await liveInstances(Exchange.prototype)) === 0, 10_000);
samples.push({ at: 1, calls, heap: await sample() });
process.stdout.write(`${JSON.stringify({ calls, failures, samples, liveExchanges: await liveInstances(Exchange.prototype), liveOk: live })}\n`);
