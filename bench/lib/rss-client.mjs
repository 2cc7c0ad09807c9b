// One RSS measurement: warm up with a small stream, then stream `mb`
// megabytes through global fetch, reading and discarding every chunk, while
// sampling RSS every 10 ms. Reports the peak above the level before the call.
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

await drain(2);
await drain(2);
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 100));
const baseline = process.memoryUsage().rss;
let peak = baseline;
let peakHeap = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak) peak = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}, 10);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const bytes = await drain(mb);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
const m = process.memoryUsage();
peak = Math.max(peak, m.rss);
process.send({
  bytes,
  seconds,
  cpuS: (cpu.user + cpu.system) / 1e6,
  baselineMB: baseline / 1048576,
  peakMB: peak / 1048576,
  addedMB: (peak - baseline) / 1048576,
  peakHeapMB: peakHeap / 1048576,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
});
