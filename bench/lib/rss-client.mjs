// One RSS measurement: warm up with a small stream, then stream `mb`
// megabytes through global fetch, reading and discarding every chunk, while
// sampling RSS every 10 ms. Reports the peak above the level before the call,
// and what explains it: the young generation's size (V8 grows it for a
// process that allocates much), the response chunks' memory not yet freed
// (ArrayBuffers outside the heap, freed only by a GC) and the number of
// young-generation collections during the stream.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const url = process.env.BENCH_BIG_URL;
const mb = Number(process.argv[2] ?? 100);
const body = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'go' }], stream: true, stream_options: { include_usage: true } });

async function drain(size) {
  const res = await fetch(`${url}/v1/chat/completions?mb=${size}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const reader = res.body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  return bytes;
}

let scavenges = 0;
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
});
const youngGen = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
// Before any request: what loading the instrumentation (the --import) left V8 with.
const youngGenAtStart = youngGen();

await drain(2);
await drain(2);
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 100));
const baseline = process.memoryUsage().rss;
let peak = baseline;
let peakHeap = process.memoryUsage().heapUsed;
let peakYoung = youngGen();
let peakArrayBuffers = 0;
const sample = () => {
  const m = process.memoryUsage();
  if (m.rss > peak) peak = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  if (m.arrayBuffers > peakArrayBuffers) peakArrayBuffers = m.arrayBuffers;
  const y = youngGen();
  if (y > peakYoung) peakYoung = y;
};
const sampler = setInterval(sample, 10);
gcs.observe({ entryTypes: ['gc'] });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const bytes = await drain(mb);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
sample();
// GC entries are delivered asynchronously: let the last ones in.
await new Promise((r) => setTimeout(r, 20));
gcs.disconnect();
const MB = 1048576;
process.send({
  bytes,
  seconds,
  cpuS: (cpu.user + cpu.system) / 1e6,
  baselineMB: baseline / MB,
  peakMB: peak / MB,
  addedMB: (peak - baseline) / MB,
  peakHeapMB: peakHeap / MB,
  youngGenAtStartMB: youngGenAtStart / MB,
  youngGenMB: peakYoung / MB,
  arrayBuffersMB: peakArrayBuffers / MB,
  scavenges,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
});
