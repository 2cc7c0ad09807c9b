/**
 * The OTLP endpoint misbehaves: down (nothing listens), slow (accepts and
 * never answers) or failing (HTTP 500). The app, run with register, does the
 * same calls as against a healthy endpoint: its latency is unaffected, the
 * span queue stays bounded (heap after GC), it exits on its own in bounded
 * time, and what was lost is visible.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { cleanEnv, ensureBuilt, freePort, REGISTER_URL, REPO } from '../helpers/processes.js';

const CALLS = 1000;
const CONCURRENCY = 8;

interface Run {
  code: number | null;
  stderr: string;
  /** Diagnostic output of the run: stderr, and stdout other than the app's report line. */
  diag: string;
  calls: number;
  p50: number;
  p95: number;
  workMs: number;
  heap: number;
  /** From the last line of output to process exit: the SDK's shutdown. */
  exitDelayMs: number;
}

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());

function runApp(otlp: string | undefined, logLevel?: string): Promise<Run> {
  const env: Record<string, string> = { AIMON_HOSTS: `127.0.0.1:${upstream.port}`, UPSTREAM_BASE_URL: upstream.baseURL };
  const args = ['--expose-gc'];
  if (otlp !== undefined) {
    // Exports during the run, not only at exit; a queue of 512 spans, so that 1,000 calls overflow it
    // when nothing drains it; a 2 s exporter timeout, so that the test takes seconds, not minutes.
    Object.assign(env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_MAX_QUEUE_SIZE: '512',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '128',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    // The SDK logs the first dropped span at debug level, and the count only
    // when a span is queued again after the queue drained, which a queue that
    // never drains never sees: faulty-endpoint runs log at debug so that the
    // loss is always visible, whatever the timing.
    if (logLevel !== undefined) env.OTEL_LOG_LEVEL = logLevel;
    args.push('--import', REGISTER_URL);
  }
  const child = spawn(process.execPath, [...args, join(REPO, 'test/faults/apps/latency.mjs'), String(CALLS), String(CONCURRENCY)], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(kill);
      const exitAt = Date.now();
      // The app's report is its one JSON line; at debug level the SDK also writes to stdout.
      const lines = out.trim().split('\n');
      const report = [...lines].reverse().find((l) => l.startsWith('{"calls"')) ?? lines.pop() ?? '{}';
      const r = JSON.parse(report) as Omit<Run, 'code' | 'stderr' | 'diag' | 'exitDelayMs'> & { doneAt: number };
      const diag = `${err}\n${lines.filter((l) => l !== report).join('\n')}`;
      resolve({ ...r, code, stderr: err, diag, exitDelayMs: exitAt - r.doneAt });
    }),
  );
}

interface Endpoint {
  url: string;
  requests: number;
  close(): Promise<void>;
}

async function endpoint(answer: ((res: ServerResponse) => void) | 'never'): Promise<Endpoint> {
  const sockets = new Set<Socket>();
  const ep = { url: '', requests: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    ep.requests++;
    req.resume();
    if (answer !== 'never') req.on('end', () => answer(res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ep.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  ep.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return ep;
}

const ok = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
const fail = (res: ServerResponse) => res.writeHead(500, { 'content-type': 'text/plain' }).end('collector broke');

describe('the OTLP endpoint is down, slow or failing', () => {
  it('app latency and heap unaffected, exit bounded, losses visible', { timeout: 240_000 }, async () => {
    const healthy = await endpoint(ok);
    const slow = await endpoint('never');
    const failing = await endpoint(fail);
    const down = `http://127.0.0.1:${await freePort()}`;
    try {
      const base = await runApp(undefined);
      const good = await runApp(healthy.url);
      const runs = {
        down: await runApp(down, 'debug'),
        slow: await runApp(slow.url, 'debug'),
        failing: await runApp(failing.url, 'debug'),
      };
      const summary = Object.fromEntries(
        Object.entries({ uninstrumented: base, healthy: good, ...runs }).map(([k, r]) => [
          k,
          { p50: +r.p50.toFixed(2), p95: +r.p95.toFixed(2), workMs: Math.round(r.workMs), heapMB: +(r.heap / 2 ** 20).toFixed(1), exitDelayMs: r.exitDelayMs },
        ]),
      );
      console.log(JSON.stringify(summary, null, 1));

      for (const r of [base, good, ...Object.values(runs)]) expect({ code: r.code, calls: r.calls }).toEqual({ code: 0, calls: CALLS });
      expect(good.stderr).toBe('');
      expect(healthy.requests).toBeGreaterThan(0);
      for (const [name, r] of Object.entries(runs)) {
        // Latency: the export path never sits on the request path. Generous bounds: the machine is shared.
        expect(r.p50, `${name} p50`).toBeLessThan(good.p50 * 3 + 5);
        // Heap: the span queue is bounded (512 spans here, 2,048 by default), not the number of calls.
        expect(r.heap - good.heap, `${name} heap`).toBeLessThan(16 << 20);
        // Exit: bounded by the exporter timeout per queued batch (4 x 2 s here), then the final flush.
        expect(r.exitDelayMs, `${name} exit`).toBeLessThan(20_000);
        // Losses are reported on stderr (the SDK's diag logger), not silently swallowed.
        expect(r.stderr, `${name} stderr`).not.toBe('');
      }
      // Spans lost to the full queue are counted by the SDK's BatchSpanProcessor on stderr.
      for (const r of [runs.down, runs.slow]) {
        expect(r.diag).toMatch(/maxQueueSize reached, dropping spans|Dropped \d+ spans because maxQueueSize reached/);
      }
      expect(slow.requests).toBeGreaterThan(0);
      expect(failing.requests).toBeGreaterThan(0);
      console.log(Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, r.stderr.split('\n').slice(0, 6)])));
    } finally {
      await Promise.all([healthy.close(), slow.close(), failing.close()]);
    }
  });
});
