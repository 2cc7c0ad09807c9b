/**
 * A real Prometheus for tests: the `prometheus` binary (Debian 2.42 in CI) on a
 * free loopback port, with a config derived from the repo's
 * prometheus/prometheus.yml and copies of its rule files, rewritten for a
 * short test (intervals, `for` durations). No Docker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const PROMETHEUS_DIR = join(REPO, 'prometheus');

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** A port nobody listens on right now, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RuleRewrite {
  /** Group (and evaluation) interval for every rule group, e.g. '1s'. */
  interval: string;
  /** Literal replacements in every expression, e.g. the exact cost rules' windows and lag. */
  replace?: Record<string, string>;
  /** New `for` per alert name, e.g. { HighErrorRate: '5s' }. */
  alertFor?: Record<string, string>;
}

/** The exact cost rules' window, lag and lag + window (rules/cost.yml) for a given interval and lag. */
export function exactCostRewrite(interval: number, lag: number): Record<string, string> {
  return { '[30s] offset 15s': `[${interval}s] offset ${lag}s`, '[1h] offset 45s': `[1h] offset ${interval + lag}s` };
}

/** Copies of the repo's rule files for a fast test: group intervals, expressions and `for` rewritten. */
export function rewriteRules(text: string, rw: RuleRewrite): string {
  const doc = parse(text) as { groups: Array<{ interval?: string; rules: Array<{ alert?: string; expr: string; for?: string }> }> };
  for (const g of doc.groups) {
    g.interval = rw.interval;
    for (const r of g.rules) {
      for (const [from, to] of Object.entries(rw.replace ?? {})) r.expr = r.expr.replaceAll(from, to);
      if (r.alert !== undefined && rw.alertFor?.[r.alert] !== undefined) r.for = rw.alertFor[r.alert]!;
    }
  }
  return stringify(doc, { lineWidth: 0 });
}

export interface PrometheusOptions {
  /** host:port of the apps' /metrics, scraped as job aimon-app. */
  targets: string[];
  scrapeInterval?: string;
  rules?: RuleRewrite;
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  configPath: string;
  query(expr: string): Promise<Sample[]>;
  /** The raw API answer, for parse errors. */
  queryRaw(expr: string): Promise<{ status: string; error?: string; data?: { resultType: string; result: unknown[] } }>;
  firingAlerts(): Promise<Array<{ labels: Record<string, string>; state: string }>>;
  stop(): Promise<void>;
  log(): string;
}

/** The repo's prometheus.yml with test targets and intervals; rule files copied (rewritten) next to it. */
export function testConfig(dir: string, opts: PrometheusOptions): string {
  const cfg = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as Record<string, unknown> & {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: Array<Record<string, unknown>>;
  };
  const interval = opts.scrapeInterval ?? '1s';
  cfg.global.scrape_interval = interval;
  cfg.global.scrape_timeout = interval;
  cfg.global.evaluation_interval = opts.rules?.interval ?? interval;
  delete cfg.alerting;
  const app = cfg.scrape_configs.find((s) => s.job_name === 'aimon-app');
  if (app === undefined) throw new Error('prometheus.yml has no aimon-app scrape job');
  app.static_configs = [{ targets: opts.targets, labels: { aimon_role: 'app' } }];
  cfg.scrape_configs = [app];
  cfg.rule_files = cfg.rule_files.map((f) => {
    const text = readFileSync(join(PROMETHEUS_DIR, f), 'utf8');
    const out = join(dir, basename(f));
    writeFileSync(out, opts.rules !== undefined ? rewriteRules(text, opts.rules) : text);
    return basename(f);
  });
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringify(cfg));
  return path;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'aimon-prom-'));
  const configPath = testConfig(dir, opts);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const queryRaw = async (expr: string) => {
    const res = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    return (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown[] } };
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 20_000);
  } catch (e) {
    await stop();
    throw new Error(`${String(e)}\n${output}`);
  }
  return {
    url,
    dir,
    configPath,
    queryRaw,
    async query(expr) {
      const r = await queryRaw(expr);
      if (r.status !== 'success') throw new Error(`query failed: ${expr}: ${r.error ?? r.status}`);
      const result = (r.data?.result ?? []) as Array<{ metric: Record<string, string>; value: [number, string] }>;
      if (r.data?.resultType === 'scalar') {
        const v = r.data.result as unknown as [number, string];
        return [{ metric: {}, value: Number(v[1]) }];
      }
      return result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
    },
    async firingAlerts() {
      const res = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
      return res.data.alerts.filter((a) => a.state === 'firing');
    },
    stop,
    log: () => output,
  };
}

/** Parses Prometheus text exposition into samples (enough for our tests: no escapes in label values). */
export function parseExposition(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}
