/**
 * Bug: with the OTLP endpoint down and OTEL_METRIC_EXPORT_INTERVAL shorter
 * than the exporter's timeout (10 s by default), an app that had finished its
 * work never exited: each metric export's retries run on ref'd timers and
 * outlast the interval, so the next export starts before they end and the
 * event loop is never empty. Fix (sdk.ts): the OTLP metric exporter's timeout
 * is at most half the export interval.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { ensureBuilt, freePort, spawnApp } from '../helpers/processes.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());

it('a short script exits by itself when the collector is down and the metric interval is short', { timeout: 60_000 }, async () => {
  const app = spawnApp(
    'chat.mjs',
    {
      AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
      UPSTREAM_BASE_URL: upstream.baseURL,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      // Short trace exports keep the test quick; the metric exporter keeps its default timeout.
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1000',
    },
    { args: ['exit'] },
  );
  const t0 = Date.now();
  const killer = setTimeout(() => app.child.kill('SIGKILL'), 30_000);
  try {
    await app.waitForOutput(/^ready /m);
    const exit = await app.exited;
    expect({ exit, within: Date.now() - t0 < 15_000 }).toEqual({ exit: { code: 0, signal: null }, within: true });
  } finally {
    clearTimeout(killer);
    app.child.kill('SIGKILL');
  }
});
