/**
 * register's guarantees, end to end: loading it twice is harmless,
 * OTEL_SDK_DISABLED=true patches nothing, worker threads are left alone
 * unless asked, and a Prometheus port already taken leaves the app running
 * with a clear diag message.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { parseExposition } from '../helpers/exposition.js';
import { ensureBuilt, freePort, REGISTER_URL, spawnApp } from '../helpers/processes.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());

const baseEnv = () => ({ AIMON_HOSTS: `127.0.0.1:${upstream.port}`, UPSTREAM_BASE_URL: upstream.baseURL });
const readyOf = (stdout: string) => JSON.parse(/^ready (.*)$/m.exec(stdout)![1]!) as Record<string, unknown>;

describe('register', () => {
  it('loaded twice (two distinct module instances): fetch wrapped once, each call counted once', async () => {
    const port = await freePort();
    const app = spawnApp('chat.mjs', { ...baseEnv(), OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }, {
      // A query string makes the second --import a separate module instance, as a second copy of the package would be.
      imports: [REGISTER_URL, `${REGISTER_URL}?again`],
      args: ['stdin'],
    });
    try {
      await app.waitForOutput(/^ready /m);
      expect(readyOf(app.stdout())).toMatchObject({ wrapped: true, chunks: 23, errors: [429] });
      const text = await (await fetch(`http://localhost:${port}/metrics`)).text();
      const counts = parseExposition(text)
        .samples.filter((s) => s.name === 'gen_ai_client_operation_duration_seconds_count')
        .reduce((n, s) => n + s.value, 0);
      expect(counts).toBe(6);
      app.send('exit');
      expect(await app.exited).toEqual({ code: 0, signal: null });
      expect(app.stderr()).toBe('');
    } finally {
      app.child.kill('SIGKILL');
    }
  });

  it('OTEL_SDK_DISABLED=true: nothing is patched, no endpoint is opened', async () => {
    const port = await freePort();
    const app = spawnApp('chat.mjs', { ...baseEnv(), OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }, { args: ['stdin'] });
    try {
      await app.waitForOutput(/^ready /m);
      expect(readyOf(app.stdout())).toMatchObject({ wrapped: false, chunks: 23, errors: [429] });
      await expect(fetch(`http://localhost:${port}/metrics`)).rejects.toThrow();
      app.send('exit');
      expect(await app.exited).toEqual({ code: 0, signal: null });
      expect(app.stderr()).toBe('');
    } finally {
      app.child.kill('SIGKILL');
    }
  });

  it('worker threads are left alone', async () => {
    const port = await freePort();
    const app = spawnApp('worker.mjs', { ...baseEnv(), OTEL_EXPORTER_PROMETHEUS_PORT: String(port) });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(readyOf(app.stdout())).toEqual({ main: true, worker: { wrapped: false, model: 'gpt-4.1' } });
    expect(app.stderr()).toBe('');
  });

  it('worker threads are instrumented when AIMON_WORKER_THREADS=true', async () => {
    const app = spawnApp('worker.mjs', { ...baseEnv(), AIMON_WORKER_THREADS: 'true', OTEL_METRICS_EXPORTER: 'none' });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(readyOf(app.stdout())).toEqual({ main: true, worker: { wrapped: true, model: 'gpt-4.1' } });
  });

  describe('the Prometheus port is already taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      // '::' also holds the IPv4 port (dual stack), whichever address localhost resolves to.
      await new Promise<void>((res) => blocker.listen(0, '::', res));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((res) => blocker.close(() => res())));

    it('the app still runs, instrumented, and stderr says why there is no endpoint', async () => {
      const app = spawnApp('chat.mjs', { ...baseEnv(), OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }, { args: ['exit'] });
      expect(await app.exited).toEqual({ code: 0, signal: null });
      expect(readyOf(app.stdout())).toMatchObject({ wrapped: true, chunks: 23, errors: [429], dims: 8 });
      expect(app.stderr()).toContain(`could not listen on localhost:${port} (EADDRINUSE)`);
      expect(app.stderr()).toContain('OTEL_EXPORTER_PROMETHEUS_PORT');
      // One message, not one per request.
      expect(app.stderr().trim().split('\n')).toHaveLength(1);
    });
  });
});
