/**
 * Bounded soak: mixed traffic (JSON, streams, every error and abort path,
 * dropped bodies, embeddings) through register, spans exported by OTLP and
 * metrics on the embedded endpoint, in a child process with --expose-gc.
 * The heap after GC (span queue flushed) stays flat once warm, and no
 * Exchange record is left alive at the end.
 *
 * AIMON_SOAK_SECONDS sets the traffic time (default 10 s in `npm test`;
 * 60 for the long run: AIMON_SOAK_SECONDS=60 npx vitest run test/soak).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { cleanEnv, ensureBuilt, freePort, REGISTER_URL, REPO } from '../helpers/processes.js';

const SECONDS = Math.min(600, Math.max(3, Number(process.env.AIMON_SOAK_SECONDS ?? 10) || 10));
const CONCURRENCY = 32;

let upstream: FakeUpstream;
let sink: Server;
let sinkUrl: string;
let exportedBytes = 0;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream({ chunks: 5 });
  sink = createServer((req, res) => {
    req.on('data', (c: Buffer) => (exportedBytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
}, 120_000);
afterAll(async () => {
  await upstream.close();
  await new Promise<void>((r) => sink.close(() => r()));
});

interface Report {
  calls: number;
  failures: number;
  samples: Array<{ at: number; calls: number; heap: number }>;
  liveExchanges: number;
  liveOk: boolean;
}

describe(`soak (${SECONDS} s of mixed traffic)`, () => {
  it('flat heap after GC, no live exchange records', { timeout: (SECONDS + 60) * 1000 }, async () => {
    const port = await freePort();
    // The simulator records every request; the soak does not need them.
    const clear = setInterval(() => (upstream.requests.length = 0), 500);
    const child = spawn(process.execPath, ['--expose-gc', '--import', REGISTER_URL, join(REPO, 'test/soak/apps/soak.mjs'), String(SECONDS), String(CONCURRENCY)], {
      env: cleanEnv({
        AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
        UPSTREAM_BASE_URL: upstream.baseURL,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sinkUrl}/v1/traces`,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        OTEL_BSP_SCHEDULE_DELAY: '500',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 50) * 1000);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearTimeout(kill);
    clearInterval(clear);

    expect({ code, stderr: err }).toEqual({ code: 0, stderr: '' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as Report;
    const mb = (b: number) => +(b / 2 ** 20).toFixed(2);
    console.log(
      `soak ${SECONDS}s: ${r.calls} calls (${r.failures} failed by design), exported ${mb(exportedBytes)} MB of spans; heap after GC:`,
      r.samples.map((s) => `${s.at * 100}%: ${mb(s.heap)} MB @ ${s.calls}`).join(', '),
    );
    // A sanity floor only: the rate depends on the load of the machine.
    expect(r.calls).toBeGreaterThan(SECONDS * 20);
    expect(exportedBytes).toBeGreaterThan(0);
    expect({ liveExchanges: r.liveExchanges, liveOk: r.liveOk }).toEqual({ liveExchanges: 0, liveOk: true });
    // Flat: from the first sample (warm) to the last, the heap after GC grows by less than 3 MB,
    // while the number of calls grows five-fold.
    const first = r.samples[0]!;
    const last = r.samples[r.samples.length - 1]!;
    expect(last.calls).toBeGreaterThan(first.calls * 3);
    expect(last.heap - first.heap).toBeLessThan(3 << 20);
  });
});
