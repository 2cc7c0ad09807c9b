/**
 * Parser throughput, in its own process: our incremental SSE parser plus the
 * stream summary against a naive split-lines-and-JSON.parse-every-event
 * baseline, and the JSON response summary against JSON.parse. Inputs are
 * recorded from the fake upstream over real fetch (so chunk boundaries are
 * the ones the tap sees). Implementations alternate within each round in a
 * shuffled order; throughput is bytes per CPU second (process.cpuUsage).
 */
import { startFakeUpstream } from '../../dist/sim/upstream.js';
import { SseParser } from '../../dist/parse/sse.js';
import { StreamSummary } from '../../dist/parse/stream.js';
import { summarizeJsonResponse } from '../../dist/parse/openai.js';
import { median, quantile, shuffled, table } from './stats.mjs';

const rounds = Number(process.argv[2] ?? 7);
const TARGET_US = 150_000; // CPU per measurement

async function record() {
  const up = await startFakeUpstream({ chunks: 50, dimensions: 1536, compress: 'none' });
  const post = async (path, body) => {
    const res = await fetch(`${up.baseURL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body: JSON.stringify(body),
    });
    const chunks = [];
    for await (const c of res.body) chunks.push(new Uint8Array(c));
    return chunks;
  };
  const messages = [{ role: 'user', content: 'Summarise the plot of a short story about a fox and a dog in one paragraph.' }];
  const stream = await post('/chat/completions', { model: 'gpt-4.1', messages, stream: true, stream_options: { include_usage: true } });
  const chat = await post('/chat/completions', { model: 'gpt-4.1', messages });
  const inputs = Array.from({ length: 64 }, (_, i) => `document number ${i}: the quick brown fox jumps over the lazy dog`);
  const embFloat = await post('/embeddings', { model: 'text-embedding-3-small', input: inputs, encoding_format: 'float' });
  const embB64 = await post('/embeddings', { model: 'text-embedding-3-small', input: inputs, encoding_format: 'base64' });
  await up.close();
  const join = (cs) => Buffer.concat(cs);
  return { stream, chat: join(chat), embFloat: join(embFloat), embB64: join(embB64) };
}

const rec = await record();
// An LLM upstream flushes each event as it is generated, so the tap usually
// sees one event per read: cut the recorded stream after every blank line.
const one = Buffer.concat(rec.stream);
const perEvent = [];
for (let o = 0; o < one.length; ) {
  const e = one.indexOf('\n\n', o);
  const end = e === -1 ? one.length : e + 2;
  perEvent.push(new Uint8Array(one.subarray(o, end)));
  o = end;
}
const streamBytes = one.length;

// 4 MiB of the same stream repeated, cut into 64 KiB pieces: raw parser speed on big reads.
const BIG = 4 << 20;
const bigBuf = Buffer.alloc(Math.ceil(BIG / one.length) * one.length);
for (let o = 0; o < bigBuf.length; o += one.length) one.copy(bigBuf, o);
const bigChunks = [];
for (let o = 0; o < bigBuf.length; o += 65536) bigChunks.push(new Uint8Array(bigBuf.subarray(o, Math.min(o + 65536, bigBuf.length))));

let sink = 0;
function naive(chunks) {
  // What an app-side SSE reader typically does: decode, split lines, JSON.parse every data line.
  const dec = new TextDecoder();
  let buf = '';
  let usage;
  for (const c of chunks) {
    buf += dec.decode(c, { stream: true });
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      if (data === '[DONE]') continue;
      const obj = JSON.parse(data);
      if (obj.usage) usage = obj.usage;
      sink += obj.choices.length;
    }
  }
  if (usage) sink += usage.prompt_tokens;
}
function ours(chunks) {
  const summary = new StreamSummary();
  const p = new SseParser((ev) => summary.onEvent(ev), 1 << 20);
  for (const c of chunks) p.push(c);
  p.end();
  const s = summary.summary();
  sink += s.usage?.inputTokens ?? 0;
}
function oursSseOnly(chunks) {
  const p = new SseParser((ev) => (sink += ev.data.length), 1 << 20);
  for (const c of chunks) p.push(c);
  p.end();
}

const decoder = new TextDecoder();
const text = (b) => decoder.decode(b);
const jsonCases = [
  { name: `chat completion (${rec.chat.length} B)`, bytes: rec.chat, op: 'chat' },
  { name: `embeddings, 64 × 1536 float (${(rec.embFloat.length / 1048576).toFixed(1)} MB)`, bytes: rec.embFloat, op: 'embeddings' },
  { name: `embeddings, 64 × 1536 base64 (${(rec.embB64.length / 1024).toFixed(0)} KB)`, bytes: rec.embB64, op: 'embeddings' },
];

/** Runs fn(input) `reps` times and returns CPU µs used. */
function cpuOf(fn, input, reps) {
  const t = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn(input);
  const d = process.cpuUsage(t);
  return d.user + d.system;
}
function calibrate(fn, input) {
  let reps = 1;
  for (;;) {
    const us = cpuOf(fn, input, reps);
    if (us > 20_000) return Math.max(1, Math.round((reps * TARGET_US) / us));
    reps *= 4;
  }
}

/** Interleaved rounds over several implementations on one input; MB/s per implementation. */
function compare(impls, input, bytes) {
  const reps = Object.fromEntries(impls.map(([name, fn]) => [name, calibrate(fn, input)]));
  const mbps = Object.fromEntries(impls.map(([name]) => [name, []]));
  const usPer = Object.fromEntries(impls.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of shuffled(impls, 7919 * (r + 1))) {
      const us = cpuOf(fn, input, reps[name]);
      mbps[name].push((bytes * reps[name]) / us); // bytes per µs = MB/s
      usPer[name].push(us / reps[name]);
    }
  }
  return { mbps, usPer };
}

const f = (x, d = 0) => x.toFixed(d);
const sp = (xs, d = 0) => `${f(median(xs), d)} [${f(quantile(xs, 0.25), d)}, ${f(quantile(xs, 0.75), d)}]`;

const sseRows = [];
const raw = {};
for (const [label, input, bytes] of [
  [`one 50-chunk stream, one event per read (${perEvent.length} reads, ${(streamBytes / 1024).toFixed(1)} KB; fresh parser per stream)`, perEvent, streamBytes],
  [`4 MiB of streams in 64 KiB reads`, bigChunks, bigBuf.length],
]) {
  const res = compare(
    [
      ['naive', naive],
      ['ours', ours],
      ['sse', oursSseOnly],
    ],
    input,
    bytes,
  );
  raw[label] = res;
  const base = median(res.mbps.naive);
  sseRows.push([label, 'naive split + JSON.parse (baseline)', sp(res.mbps.naive), '1.00×', sp(res.usPer.naive, 1)]);
  sseRows.push([label, 'SseParser + StreamSummary', sp(res.mbps.ours), `${f(median(res.mbps.ours) / base, 2)}×`, sp(res.usPer.ours, 1)]);
  sseRows.push([label, 'SseParser alone', sp(res.mbps.sse), `${f(median(res.mbps.sse) / base, 2)}×`, sp(res.usPer.sse, 1)]);
}

const jsonRows = [];
for (const c of jsonCases) {
  const t = text(c.bytes);
  const res = compare(
    [
      ['JSON.parse', (s) => (sink += JSON.parse(s) ? 1 : 0)],
      ['summarize', (s) => (sink += summarizeJsonResponse(s, c.op).usage?.inputTokens ?? 0)],
      ['decode+summarize', () => (sink += summarizeJsonResponse(decoder.decode(c.bytes), c.op).usage?.inputTokens ?? 0)],
    ],
    t,
    c.bytes.length,
  );
  raw[c.name] = res;
  const base = median(res.mbps['JSON.parse']);
  jsonRows.push([c.name, 'JSON.parse (baseline)', sp(res.mbps['JSON.parse']), '1.00×', sp(res.usPer['JSON.parse'], 1)]);
  jsonRows.push([c.name, 'summarizeJsonResponse', sp(res.mbps.summarize), `${f(median(res.mbps.summarize) / base, 2)}×`, sp(res.usPer.summarize, 1)]);
  jsonRows.push([c.name, 'TextDecoder + summarizeJsonResponse (as in Exchange)', sp(res.mbps['decode+summarize']), `${f(median(res.mbps['decode+summarize']) / base, 2)}×`, sp(res.usPer['decode+summarize'], 1)]);
}

const header = ['input', 'implementation', 'MB/s (CPU)', 'vs baseline', 'µs per input'];
const markdown =
  `### Parser throughput (median [p25, p75] over ${rounds} interleaved rounds; MB/s of CPU time)\n\n` +
  `SSE: src/parse/sse.ts + src/parse/stream.ts on a recorded 50-chunk stream with usage.\n\n${table(header, sseRows)}\n\n` +
  `JSON response summary: src/parse/openai.ts summarizeJsonResponse.\n\n${table(header, jsonRows)}`;
if (sink === -1) console.log('');
process.send({ markdown, raw }, () => process.exit(0));
