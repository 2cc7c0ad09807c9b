// `node [--import register] latency.mjs <calls> <concurrency>`: raw fetch chat
// calls (half streamed) against UPSTREAM_BASE_URL; prints per-call latency
// percentiles, heap after GC and the time the work took, then lets the
// process end by itself (so that the exit time includes the SDK's shutdown).
import { heapAfterGc } from './probe.mjs';

const calls = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 8);
const url = `${process.env.UPSTREAM_BASE_URL}/chat/completions`;
const lat = [];
let next = 0;
async function worker() {
  while (next < calls) {
    const i = next++;
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', stream: i % 2 === 1, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    lat.push(performance.now() - t0);
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const workMs = performance.now() - t0;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
const heap = globalThis.gc ? await heapAfterGc() : process.memoryUsage().heapUsed;
process.stdout.write(`${JSON.stringify({ calls: lat.length, p50: q(0.5), p95: q(0.95), workMs, heap, doneAt: Date.now() })}\n`);
