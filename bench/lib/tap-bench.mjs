/**
 * The tap alone, without network or SDK: a fake fetch that answers from
 * memory with recorded upstream bodies (one event per read for the stream),
 * called bare and through AimonInstrumentation.wrap(), interleaved in the
 * same process. The app side reads the body as the openai SDK does (Response.json(),
 * or a reader loop). In `spans` mode an ALS context manager and a
 * tracer provider are installed for both, so the difference is our own share
 * above the context manager. argv: mode (metrics|spans), rounds.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createRequire } from 'node:module';
import { AimonInstrumentation } from '../../dist/index.js';
import { OwnMetrics } from '../../dist/own-metrics.js';
import { startFakeUpstream } from '../../dist/sim/upstream.js';
import { median, quantile, shuffled } from './stats.mjs';

const require = createRequire(import.meta.url);
const { CountingSpanExporter, PullMetricReader } = require('./sinks.cjs');
const mode = process.argv[2] ?? 'metrics';
const rounds = Number(process.argv[3] ?? 9);

async function record() {
  const up = await startFakeUpstream({ chunks: 50, dimensions: 1536, compress: 'none' });
  const messages = [{ role: 'user', content: 'Summarise the plot of a short story about a fox and a dog in one paragraph.' }];
  const get = async (path, body) => {
    const res = await fetch(`${up.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const chat = { model: 'gpt-4.1', messages, max_tokens: 128, temperature: 0.2 };
  const stream = { ...chat, stream: true, stream_options: { include_usage: true } };
  const embed = { model: 'text-embedding-3-small', input: 'The quick brown fox', encoding_format: 'base64' };
  const out = {
    chat: { path: '/chat/completions', req: JSON.stringify(chat), ...(await get('/chat/completions', chat)) },
    stream: { path: '/chat/completions', req: JSON.stringify(stream), ...(await get('/chat/completions', stream)) },
    embed: { path: '/embeddings', req: JSON.stringify(embed), ...(await get('/embeddings', embed)) },
  };
  await up.close();
  const ev = [];
  const b = out.stream.bytes;
  for (let o = 0; o < b.length; ) {
    const e = b.indexOf('\n\n', o);
    const end = e === -1 ? b.length : e + 2;
    ev.push(new Uint8Array(b.subarray(o, end)));
    o = end;
  }
  out.stream.chunks = ev;
  out.chat.chunks = [new Uint8Array(out.chat.bytes)];
  out.embed.chunks = [new Uint8Array(out.embed.bytes)];
  return out;
}

const rec = await record();

if (mode === 'spans') context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// As register does: our metrics aggregated by our producer on the reader.
const ownMetrics = new OwnMetrics();
const meterProvider = new MeterProvider({ readers: [new PullMetricReader({ metricProducers: [ownMetrics] })] });
const inst = new AimonInstrumentation({ tracing: mode === 'spans', enabled: false, ownMetrics });
inst.setMeterProvider(meterProvider);
if (mode === 'spans') inst.setTracerProvider(new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new CountingSpanExporter())] }));

function fakeFetch(input, init) {
  const r = rec[init.workload];
  let i = 0;
  const body = new ReadableStream({
    pull(c) {
      if (i < r.chunks.length) c.enqueue(r.chunks[i++].slice());
      else c.close();
    },
  });
  return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': r.type } }));
}
const wrapped = inst.wrap(fakeFetch);
const BASE = 'https://api.openai.com/v1';

async function call(fetchFn, workload) {
  const r = rec[workload];
  const res = await fetchFn(`${BASE}${r.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.req, workload });
  if (workload !== 'stream') return (await res.json()) ? 1 : 0;
  const reader = res.body.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.length;
  }
}

async function batch(fetchFn, workload, n) {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) await context.with(context.active(), () => call(fetchFn, workload));
  const d = process.cpuUsage(t);
  return (d.user + d.system) / n;
}

const N = { chat: 1000, stream: 200, embed: 1000 };
const results = {};
for (const w of (process.argv[4] ?? 'chat,stream,embed').split(',')) {
  await batch(fakeFetch, w, N[w]);
  await batch(wrapped, w, N[w] * 2);
  const raw = [];
  const tap = [];
  for (let r = 0; r < rounds; r++) {
    for (const which of shuffled(['raw', 'tap'], 31 * (r + 1))) {
      const us = await batch(which === 'raw' ? fakeFetch : wrapped, w, N[w]);
      (which === 'raw' ? raw : tap).push(us);
    }
  }
  const diff = tap.map((x, i) => x - raw[i]);
  results[w] = { raw, tap, diff, chunks: rec[w].chunks.length, median: median(diff), p25: quantile(diff, 0.25), p75: quantile(diff, 0.75) };
}
if (process.send) process.send({ mode, results }, () => process.exit(0));
else console.log(JSON.stringify({ mode, results: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { median: v.median, p25: v.p25, p75: v.p75 }])) }));
