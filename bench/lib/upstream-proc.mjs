// The fake OpenAI upstream in its own process, so that its CPU is never
// counted as the client's. Reports its port over IPC.
import { startFakeUpstream } from '../../dist/sim/upstream.js';

const up = await startFakeUpstream({
  chunks: Number(process.env.BENCH_CHUNKS ?? 50),
  dimensions: Number(process.env.BENCH_DIMENSIONS ?? 1536),
  compress: process.env.BENCH_COMPRESS ?? 'gzip',
});
// The upstream records every request; a benchmark makes hundreds of thousands.
setInterval(() => (up.requests.length = 0), 1000).unref();
process.send({ port: up.port, baseURL: up.baseURL });
process.on('message', (m) => {
  if (m === 'exit') void up.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
