/** `aimon proxy` as a command: run() end to end, and the built entry stopped by SIGTERM. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/proxy.js';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { httpGet } from './helpers.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream({ chunkDelayMs: 30 });
});
afterAll(() => upstream.close());

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  return { out, text: () => text };
}

describe('aimon proxy command', () => {
  it('serves, records, exposes /metrics and /health on its own listener, and stops with 0', async () => {
    const { out, text } = capture();
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let url!: string;
    let listening!: () => void;
    const up = new Promise<void>((r) => (listening = r));
    const exitCode = run(['--upstream', upstream.baseURL, '--listen', '127.0.0.1:0'], out, {
      env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none', OTEL_LOG_LEVEL: 'error' },
      stop: stopped,
      onListening: (u) => {
        url = u;
        listening();
      },
    });
    await up;
    const c = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    await c.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    const m = await httpGet(`${url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.body).toMatch(/gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="output"[^}]*\} 10/);
    expect(m.body).toMatch(/service_name="aimon-proxy"/);
    expect(JSON.parse((await httpGet(`${url}/health`)).body)).toMatchObject({ status: 'ok' });
    stop();
    expect(await exitCode).toBe(0);
    expect(text()).toMatch(/^aimon proxy: http:\/\/127\.0\.0\.1:\d+\/v1 -> http:\/\/127\.0\.0\.1:\d+\/v1 \(auth: passthrough; metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(text()).toMatch(/stopped\n$/);
  });

  it('refuses bad settings with exit code 2 and a message', async () => {
    const { out, text } = capture();
    expect(await run(['--upstream', upstream.baseURL, '--listen', '0.0.0.0:0'], out, { env: {} })).toBe(2);
    expect(text()).toMatch(/^aimon proxy: refusing to listen on 0\.0\.0\.0/);
    const help = capture();
    expect(await run(['--help'], help.out, { env: {} })).toBe(0);
    expect(help.text()).toMatch(/^Usage: aimon proxy --upstream <url>/);
  });

  const entry = fileURLToPath(new URL('../../dist/cli/proxy.js', import.meta.url));
  it.skipIf(!existsSync(entry))('the built command drains a stream in flight on SIGTERM and exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { run } from ${JSON.stringify(entry)}; process.exitCode = await run(process.argv.slice(1));`, '--', '--upstream', upstream.baseURL, '--listen', '127.0.0.1:0'],
      { env: { ...process.env, OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /aimon proxy: (http:\/\/\S+?)\/v1 /.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    const c = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const s = await c.chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let n = 0;
    for await (const _ of s) if (++n === 1) child.kill('SIGTERM');
    expect(n).toBe(11);
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/SIGTERM: draining 1 request\(s\) in flight/);
  });
});
