/**
 * `aimon demo`: runs examples/app.mjs under `--import <dist>/register.js`
 * against a simulated HolySheep (or the real API when HOLYSHEEP_API_KEY is
 * set), keeps the app's /metrics up, and prints a per-model summary scraped
 * from it every few seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeUpstream, type FakeUpstream } from '../sim/upstream.js';
import { formatSummary, summarize, type Summary } from './summary.js';

const HOLYSHEEP_BASE_URL = 'https://api.holysheep.ai/v1';
const DEFAULT_METRICS_PORT = 9464;
const DEFAULT_INTERVAL_MS = 5000;
/** How long the app gets to finish its calls after SIGTERM before it is killed. */
const CHILD_GRACE_MS = 5000;

const HELP = `Usage: aimon demo [--duration <time>] [--interval <time>]

Runs the example app (examples/app.mjs, the official openai SDK) under
--import @aimon/otel/register and prints a live per-model summary scraped
from its /metrics endpoint.

Without HOLYSHEEP_API_KEY the app calls a simulated HolySheep upstream on
127.0.0.1 (latency 150-900 ms, streaming, ~3% 429 and ~2% 500). With
HOLYSHEEP_API_KEY set it calls the real API at ${HOLYSHEEP_BASE_URL}.

Options:
  --duration <time>   stop after this long (e.g. 30s, 2m); default: until Ctrl-C
  --interval <time>   time between summaries (default 5s)
  -h, --help          this help

Environment:
  HOLYSHEEP_API_KEY               use the real HolySheep API
  OTEL_EXPORTER_PROMETHEUS_PORT   the app's metrics port (default ${DEFAULT_METRICS_PORT}; 0 picks a free one)
  OTEL_EXPORTER_PROMETHEUS_HOST   the app's metrics host (default localhost)
`;

/** Parses `30s`, `1.5m`, `500ms`, `1h` or a bare number of seconds into ms. */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  return ms > 0 ? Math.round(ms) : undefined;
}

interface DemoArgs {
  durationMs: number | undefined;
  intervalMs: number;
  help: boolean;
}

function parseArgs(argv: string[]): DemoArgs | string {
  const args: DemoArgs = { durationMs: undefined, intervalMs: DEFAULT_INTERVAL_MS, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      args.help = true;
      continue;
    }
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (flag !== '--duration' && flag !== '--interval') return `unknown option "${a}"`;
    const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) return `${flag} needs a value, e.g. ${flag} 30s`;
    const ms = parseDuration(value);
    if (ms === undefined) return `${flag} "${value}" is not a duration (e.g. 30s, 2m, 500ms)`;
    if (flag === '--duration') args.durationMs = ms;
    else args.intervalMs = ms;
  }
  return args;
}

/** Resolves with a port nobody listens on at `host` (0: any free one), or undefined when it is taken. */
function probePort(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, host, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr !== null ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

async function scrape(url: string): Promise<Summary | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
    if (!res.ok) return undefined;
    return summarize(await res.text());
  } catch {
    return undefined;
  }
}

function forwardLines(from: NodeJS.ReadableStream | null, out: NodeJS.WritableStream): void {
  if (from === null) return;
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) out.write(`  │ ${l}\n`);
  });
  from.on('end', () => {
    if (pending !== '') out.write(`  │ ${pending}\n`);
  });
}

function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    out.write(`aimon demo: ${args}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    out.write(HELP);
    return 0;
  }

  const registerPath = fileURLToPath(new URL('../register.js', import.meta.url));
  const appPath = fileURLToPath(new URL('../../examples/app.mjs', import.meta.url));
  const composePath = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
  for (const [what, p] of [
    ['the built register module', registerPath],
    ['the example app', appPath],
  ] as const) {
    if (!existsSync(p)) {
      out.write(`aimon demo: ${what} is missing (${p}); run the demo from a checkout of the repository after "npm ci && npm run build"\n`);
      return 1;
    }
  }

  const metricsHost = (process.env.OTEL_EXPORTER_PROMETHEUS_HOST ?? '').trim() || 'localhost';
  const rawPort = (process.env.OTEL_EXPORTER_PROMETHEUS_PORT ?? '').trim();
  const wantedPort = rawPort === '' ? DEFAULT_METRICS_PORT : Number(rawPort);
  if (!Number.isInteger(wantedPort) || wantedPort < 0 || wantedPort > 65535) {
    out.write(`aimon demo: OTEL_EXPORTER_PROMETHEUS_PORT="${rawPort}" is not a port number\n`);
    return 2;
  }
  // Checked here, because the app would only log that it cannot listen and
  // the summary would then scrape whatever else holds the port.
  const metricsPort = await probePort(metricsHost, wantedPort);
  if (metricsPort === undefined) {
    out.write(
      `aimon demo: ${metricsHost}:${wantedPort} is already in use (another app or demo serving metrics?); ` +
        `stop it or pick another port: OTEL_EXPORTER_PROMETHEUS_PORT=${wantedPort === 65535 ? 9465 : wantedPort + 1} npm run demo\n`,
    );
    return 1;
  }
  const metricsUrl = `http://${metricsHost.includes(':') ? `[${metricsHost}]` : metricsHost}:${metricsPort}/metrics`;

  const apiKey = (process.env.HOLYSHEEP_API_KEY ?? '').trim();
  let upstream: FakeUpstream | undefined;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'aimon-demo',
    OTEL_EXPORTER_PROMETHEUS_HOST: metricsHost,
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    // The live summary reads /metrics; traces still follow OTEL_* as usual.
    OTEL_METRICS_EXPORTER: process.env.OTEL_METRICS_EXPORTER ?? 'prometheus',
  };
  if (apiKey === '') {
    upstream = await startFakeUpstream({
      latencyMs: () => 150 + Math.random() * 750,
      chunkDelayMs: 30,
      rateLimitRate: 0.03,
      serverErrorRate: 0.02,
      compress: 'gzip',
    });
    childEnv.OPENAI_BASE_URL = upstream.baseURL;
    // The simulator stands in for HolySheep, so it is reported as that provider.
    childEnv.AIMON_HOSTS = [process.env.AIMON_HOSTS, `127.0.0.1:${upstream.port}=holysheep`].filter((h) => h).join(',');
    childEnv.HOLYSHEEP_API_KEY = 'sk-demo-simulated-not-a-real-key';
  } else {
    // Pinned, so that a key for HolySheep is never sent to some other OPENAI_BASE_URL.
    childEnv.OPENAI_BASE_URL = HOLYSHEEP_BASE_URL;
  }

  out.write(
    [
      'aimon demo: examples/app.mjs (official openai SDK) under --import @aimon/otel/register',
      upstream !== undefined
        ? `  upstream    simulated HolySheep at ${upstream.baseURL} (latency 150-900 ms, ~3% 429, ~2% 500)\n` +
          '              set HOLYSHEEP_API_KEY to call the real API instead'
        : `  upstream    ${HOLYSHEEP_BASE_URL} (HOLYSHEEP_API_KEY is set: real calls, real cost)`,
      `  metrics     ${metricsUrl}`,
      existsSync(composePath)
        ? `  dashboards  docker compose up   (in ${dirname(composePath)}: Prometheus, Grafana, Alertmanager; see README)`
        : '  dashboards  docker compose up   (in a checkout of the repository; see README)',
      `  summary     every ${formatElapsed(args.intervalMs)}${args.durationMs !== undefined ? `, stopping after ${formatElapsed(args.durationMs)}` : ''}; Ctrl-C to stop`,
      '',
    ].join('\n') + '\n',
  );

  const child: ChildProcess = spawn(process.execPath, ['--import', registerPath, appPath], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  forwardLines(child.stdout, out);
  forwardLines(child.stderr, out);
  const childExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: 1, signal: null }));
  });

  const started = Date.now();
  let last: Summary | undefined;
  let lastAt = started;
  const print = (s: Summary | undefined, label: string): void => {
    if (s === undefined || s.models.length === 0) {
      out.write(`── ${label}: no GenAI calls recorded yet\n`);
      return;
    }
    out.write(`── ${label} ──\n${formatSummary(s)}`);
  };

  // One promise that settles on the first reason to stop.
  let stopReason: 'duration' | 'signal' | 'child' | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const stop = (why: 'duration' | 'signal' | 'child'): void => {
    stopReason ??= why;
    wake();
  };
  const onSignal = (): void => stop('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void childExit.then(() => stop('child'));
  const durationTimer = args.durationMs !== undefined ? setTimeout(() => stop('duration'), args.durationMs) : undefined;

  try {
    while (stopReason === undefined) {
      const tick = new Promise<void>((resolve) => setTimeout(resolve, args.intervalMs).unref());
      await Promise.race([tick, stopped]);
      if (stopReason !== undefined) break;
      const s = await scrape(metricsUrl);
      if (s !== undefined) {
        last = s;
        lastAt = Date.now();
      }
      print(s ?? last, `${formatElapsed(Date.now() - started)}${s === undefined ? ' (metrics not reachable)' : ''}`);
    }

    // The final numbers are read before the app goes away with them.
    // (After Ctrl-C in a terminal the app got the signal too and may be gone.)
    const final = stopReason === 'child' ? undefined : await scrape(metricsUrl);
    if (final !== undefined) {
      last = final;
      lastAt = Date.now();
    }
    const asOf = final === undefined && last !== undefined ? ` (as of ${formatElapsed(lastAt - started)})` : '';
    print(last, `final, after ${formatElapsed(Date.now() - started)}${asOf}`);
  } finally {
    if (durationTimer !== undefined) clearTimeout(durationTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopChild(child, childExit);
    await upstream?.close();
  }

  if (stopReason === 'child') {
    const { code, signal } = await childExit;
    out.write(`aimon demo: the example app exited on its own (${signal ?? `code ${code}`})\n`);
    return code === 0 ? 0 : 1;
  }
  const closed = upstream !== undefined ? 'the app and the simulator are closed' : 'the app is closed';
  out.write(`aimon demo: stopped${stopReason === 'signal' ? ' (signal)' : ''}; ${closed}\n`);
  return 0;
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGTERM lets the app abort its calls and the SDK flush; SIGKILL only if it hangs.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
