import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/demo.js';
import { summarize } from '../../src/cli/summary.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MODELS = ['deepseek-v3.2', 'gpt-4.1', 'claude-sonnet-4.5', 'gemini-2.5-flash'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

interface Demo {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDemo(args: string[], port: number): Demo {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
  };
  // The simulated upstream, whatever the developer's shell holds.
  delete env.HOLYSHEEP_API_KEY;
  delete env.OTEL_METRICS_EXPORTER;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const child = spawn(process.execPath, ['dist/cli/main.js', 'demo', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exit };
}

/** Scrapes until `done(text)` or the demo exits; returns the last text seen. */
async function scrapeUntil(url: string, demo: Demo, done: (text: string) => boolean): Promise<string> {
  let exited = false;
  void demo.exit.then(() => (exited = true));
  let last = '';
  while (!exited) {
    try {
      const res = await fetch(url);
      if (res.ok) last = await res.text();
      if (done(last)) return last;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

/** Requests per model from the last summary block printed. */
function lastPrintedSummary(output: string): Map<string, number> {
  const blocks = output.split(/^── /m);
  const last = blocks[blocks.length - 1] ?? '';
  const rows = new Map<string, number>();
  for (const line of last.split('\n')) {
    const m = /^(\S+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s/.exec(line);
    if (m !== null) rows.set(m[1]!, Number(m[2]!.replace(/,/g, '')));
  }
  return rows;
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('aimon demo (built, spawned)', () => {
  it('needs the build', () => {
    expect(existsSync(`${root}/dist/cli/main.js`)).toBe(true);
  });

  it('--duration 8s: serves GenAI series on /metrics and prints requests for all four models, then stops cleanly', async () => {
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const demo = startDemo(['--duration', '8s'], port);

    const scraped = await scrapeUntil(metricsUrl, demo, (text) => {
      const s = summarize(text);
      return MODELS.every((m) => (s.models.find((r) => r.model === m)?.requests ?? 0) > 0);
    });
    const { code, signal } = await demo.exit;
    const output = demo.output();
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });

    // During the run: GenAI series for every model, reported as the simulated HolySheep.
    expect(scraped).toMatch(/^# TYPE gen_ai_client_operation_duration_seconds histogram$/m);
    for (const m of MODELS) {
      const series = new RegExp(
        `^gen_ai_client_operation_duration_seconds_count\\{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",[^}]*gen_ai_request_model="${m.replace(/\./g, '\\.')}"[^}]*\\} [1-9]`,
        'm',
      );
      expect(scraped, m).toMatch(series);
    }

    // Where to look, then summaries ending with the final one.
    expect(output).toContain(`  metrics     ${metricsUrl}\n`);
    expect(output).toMatch(/^ {2}upstream {4}simulated HolySheep at http:\/\/127\.0\.0\.1:\d+\/v1 /m);
    // A live summary at ~5 s (empty if the app was still starting on a loaded machine), then the final one.
    expect(output).toMatch(/^── \d+s(?: ──$|: no GenAI calls recorded yet$)/m);
    expect(output).toMatch(/^── final, after \d+s ──$/m);
    const printed = lastPrintedSummary(output);
    for (const m of MODELS) expect(printed.get(m) ?? 0, `${m} in\n${output}`).toBeGreaterThan(0);
    // Cost is shown once the app exposes it (the price table covers all four models).
    if (/^aimon_client_cost_usd_total\{/m.test(scraped)) expect(output).toMatch(/^model .* cost USD$/m);
    expect(output).toMatch(/aimon demo: stopped; the app and the simulator are closed\n$/);

    // Nothing left behind: the app's metrics port and the simulator are closed.
    const upstream = /simulated HolySheep at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output)![1]!;
    expect(await refused(metricsUrl)).toBe(true);
    expect(await refused(`${upstream}/v1/models`)).toBe(true);
  }, 30_000);

  it('SIGINT stops the app and the simulator and exits 0', async () => {
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const demo = startDemo(['--interval', '1s'], port);
    await scrapeUntil(metricsUrl, demo, (text) => summarize(text).total.requests > 0);
    expect(demo.child.exitCode, demo.output()).toBeNull();
    demo.child.kill('SIGINT');
    const { code, signal } = await demo.exit;
    const output = demo.output();
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/^── final, after \d+s/m);
    expect(output).toMatch(/aimon demo: stopped \(signal\); the app and the simulator are closed\n$/);
    expect(await refused(metricsUrl)).toBe(true);
  }, 30_000);

  it('refuses a metrics port that is taken, with a hint', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const demo = startDemo(['--duration', '1s'], port);
      const { code } = await demo.exit;
      expect(code).toBe(1);
      expect(demo.output()).toBe(
        `aimon demo: 127.0.0.1:${port} is already in use (another app or demo serving metrics?); ` +
          `stop it or pick another port: OTEL_EXPORTER_PROMETHEUS_PORT=${port + 1} npm run demo\n`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m, h and bare seconds', () => {
    expect([parseDuration('8s'), parseDuration('500ms'), parseDuration('1.5m'), parseDuration('1h'), parseDuration('30')]).toEqual([
      8000, 500, 90_000, 3_600_000, 30_000,
    ]);
    expect([parseDuration('0s'), parseDuration('-1s'), parseDuration('8 sec'), parseDuration('')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
