/**
 * The whole embedded path against a real Prometheus, no Docker: three app
 * processes under `node --import dist/register.js` call the fake upstream
 * (10% of calls fail) through the real `openai` package; Prometheus (the
 * Debian binary) scrapes them every second with the repo's config and rules
 * (intervals shortened); one app is restarted mid-run. Then: Prometheus holds
 * exactly what the SDKs exposed, the exact month-to-date cost equals the sum
 * of what the apps recorded across the restart, HighErrorRate fires, and
 * every dashboard query parses and returns data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries, variableSelectors } from '../../src/pipeline/dashboard.js';
import { exactCostRewrite, freePort, hasBinary, parseExposition, REPO, sleep, startPrometheus, waitFor, type RunningPrometheus } from '../helpers/prometheus.js';

const HAVE_PROMETHEUS = hasBinary('prometheus');
const HAVE_DIST = existsSync(join(REPO, 'dist', 'register.js')) && existsSync(join(REPO, 'dist', 'sim', 'upstream.js'));
if (!HAVE_PROMETHEUS) console.warn('prometheus-integration: skipped, the prometheus binary is not installed (apt-get install prometheus)');

interface FakeUpstream {
  baseURL: string;
  close(): Promise<void>;
}

/** Whether the SDK build exposes cost metrics yet (the cost wiring is a separate change). */
async function sdkHasCost(): Promise<boolean> {
  const mod = (await import(join(REPO, 'dist', 'instruments.js'))) as { INSTRUMENTS?: Record<string, { name: string }> };
  return Object.values(mod.INSTRUMENTS ?? {}).some((d) => d.name === 'aimon.client.cost.usd');
}

class App {
  child: ChildProcess | undefined;
  output = '';
  constructor(
    readonly port: number,
    readonly baseURL: string,
  ) {}
  get target(): string {
    return `127.0.0.1:${this.port}`;
  }
  start(rounds: number): void {
    this.output = '';
    const child = spawn(process.execPath, ['--import', join(REPO, 'dist', 'register.js'), join(REPO, 'test', 'pipeline', 'fixtures', 'workload.mjs')], {
      env: {
        ...process.env,
        BASE_URL: this.baseURL,
        ROUNDS: String(rounds),
        ROUND_DELAY_MS: '100',
        AIMON_HOSTS: '127.0.0.1',
        AIMON_ATTRIBUTES: 'tenant',
        // Bill this loopback "gateway" like HolySheep: 1 CNY per list USD.
        AIMON_BILLING: '127.0.0.1=CNY:1',
        OTEL_SERVICE_NAME: 'workload',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(this.port),
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'prometheus',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (b: Buffer) => (this.output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (this.output += b.toString()));
  }
  async done(timeoutMs = 60_000): Promise<void> {
    await waitFor(`app :${this.port} to finish its rounds`, async () => {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`app exited ${this.child.exitCode}: ${this.output}`);
      return this.output.includes('workload: done') ? true : undefined;
    }, timeoutMs);
  }
  async exposition(): Promise<ReturnType<typeof parseExposition>> {
    const res = await fetch(`http://${this.target}/metrics`);
    return parseExposition(await res.text());
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
  }
}

function total(samples: ReturnType<typeof parseExposition>, name: string, filter: (l: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && filter(s.labels)).reduce((a, s) => a + s.value, 0);
}

function expectClose(actual: number, expected: number, what: string): void {
  const tol = Math.max(1e-9, Math.abs(expected) * 1e-9);
  expect(Math.abs(actual - expected), `${what}: Prometheus ${actual}, apps ${expected}`).toBeLessThanOrEqual(tol);
}

describe.skipIf(!HAVE_PROMETHEUS || !HAVE_DIST)('the embedded path against a real Prometheus', () => {
  let upstream: FakeUpstream;
  let prom: RunningPrometheus;
  const apps: App[] = [];
  /** Final expositions of every app life, including the one before the restart. */
  const lives: Array<ReturnType<typeof parseExposition>> = [];
  let hasCost = false;

  beforeAll(async () => {
    hasCost = await sdkHasCost();
    const { startFakeUpstream } = (await import(join(REPO, 'dist', 'sim', 'upstream.js'))) as {
      startFakeUpstream(o: { serverErrorRate?: number; latencyMs?: number }): Promise<FakeUpstream>;
    };
    upstream = await startFakeUpstream({ serverErrorRate: 0.1, latencyMs: 5 });
    for (let i = 0; i < 3; i++) apps.push(new App(await freePort(), upstream.baseURL));
    prom = await startPrometheus({
      targets: apps.map((a) => a.target),
      scrapeInterval: '1s',
      rules: { interval: '1s', replace: exactCostRewrite(1, 2), alertFor: { HighErrorRate: '3s' } },
    });
    for (const a of apps) a.start(60);
    await Promise.all(apps.map((a) => a.done()));

    // Restart the second app: its counters start again from zero.
    const restarted = apps[1]!;
    await sleep(2500); // scrapes of its final values
    lives.push(await restarted.exposition());
    await restarted.stop();
    await sleep(2500); // failed scrapes: its series go stale
    restarted.start(40);
    await restarted.done();
    await sleep(3500); // final scrapes and rule evaluations
    for (const a of apps) lives.push(await a.exposition());
  }, 150_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await prom?.stop();
    await upstream?.close();
  });

  it('stores exactly what each live app exposes (tokens, calls, token details)', async () => {
    for (const a of apps) {
      const exposed = await a.exposition();
      const inst = `instance="${a.target}"`;
      for (const name of ['gen_ai_client_token_usage_sum', 'gen_ai_client_operation_duration_seconds_count', 'aimon_client_token_detail_total']) {
        const [s] = await prom.query(`sum(${name}{${inst}})`);
        expectClose(s?.value ?? NaN, total(exposed, name), `${name} ${a.target}`);
      }
    }
  });

  it('covers the series the rules and dashboards rely on', async () => {
    for (const name of [
      'gen_ai_client_operation_duration_seconds_bucket',
      'gen_ai_client_token_usage_sum',
      'gen_ai_client_operation_time_to_first_chunk_seconds_bucket',
      'gen_ai_client_operation_time_per_output_chunk_seconds_bucket',
      'aimon_client_token_detail_total',
      'aimon_client_usage_missing_total',
    ]) {
      expect((await prom.query(`count(${name})`)).length, name).toBe(1);
    }
    const outcomes = await prom.query('count by (aimon_outcome, error_type) (gen_ai_client_operation_duration_seconds_count)');
    expect(outcomes.map((s) => `${s.metric.aimon_outcome}/${s.metric.error_type ?? ''}`).sort()).toEqual(['completed/', 'error/500']);
  });

  it('fires HighErrorRate when the upstream fails 10% of calls', async () => {
    const firing = await waitFor(
      'HighErrorRate to fire',
      async () => {
        const alerts = (await prom.firingAlerts()).filter((a) => a.labels.alertname === 'HighErrorRate');
        return alerts.length > 0 ? alerts : undefined;
      },
      30_000,
      500,
    );
    for (const a of firing) {
      expect(a.labels).toMatchObject({ severity: 'page', job: 'aimon-app', gen_ai_provider_name: expect.any(String) });
      const [ratio] = await prom.query(`aimon:error_ratio:rate5m{gen_ai_request_model="${a.labels.gen_ai_request_model}"}`);
      expect(ratio!.value).toBeGreaterThan(0.05);
    }
    // Models answered by a non-failing scenario never error.
    expect(firing.map((a) => a.labels.gen_ai_request_model)).not.toContain('claude-sonnet-4.5');
  });

  it('answers every dashboard panel query and variable with data', async () => {
    const dash = JSON.parse(readFileSync(join(REPO, 'grafana', 'dashboards', 'aimon-overview.json'), 'utf8')) as unknown;
    const queries = dashboardQueries(dash, { rateInterval: '5m', interval: '15s', range: '10m' });
    expect(queries.length).toBeGreaterThan(15);
    const empty: string[] = [];
    for (const q of queries) {
      const r = await prom.queryRaw(q.expr);
      expect(r.status, `${q.panel} ${q.refId}: ${r.error ?? ''}\n${q.expr}`).toBe('success');
      const costPanel = /cost|budget|unpriced/.test(q.expr);
      if ((r.data?.result.length ?? 0) === 0 && (hasCost || !costPanel)) empty.push(`${q.panel} ${q.refId}: ${q.expr}`);
    }
    expect(empty, 'panel queries that returned no data').toEqual([]);
    for (const v of variableSelectors(dash)) {
      const r = await prom.query(`count by (${v.label}) (${v.selector})`);
      expect(r.length, `variable ${v.name}`).toBeGreaterThan(0);
    }
  });

  it('records exactly the cost the SDKs computed, across an app restart (after the cost wiring lands)', async (ctx) => {
    if (!hasCost) ctx.skip();
    const expected = lives.reduce((sum, l) => sum + total(l, 'aimon_client_cost_usd_total'), 0);
    expect(expected).toBeGreaterThan(0);
    // Live apps: the raw counters equal the exposition.
    for (const a of apps) {
      const [s] = await prom.query(`sum(aimon_client_cost_usd_total{instance="${a.target}"})`);
      expectClose(s!.value, total(await a.exposition(), 'aimon_client_cost_usd_total'), `cost ${a.target}`);
    }
    // Every life, including the one before the restart: the exact rules.
    const mtd = await waitFor(
      'month_to_date to settle',
      async () => {
        const [s] = await prom.query('sum(aimon:cost_usd:month_to_date)');
        return s !== undefined && Math.abs(s.value - expected) <= Math.max(1e-9, expected * 1e-9) ? s.value : undefined;
      },
      10_000,
    ).catch(async () => (await prom.query('sum(aimon:cost_usd:month_to_date)'))[0]?.value ?? NaN);
    expectClose(mtd, expected, 'aimon:cost_usd:month_to_date');
    // By tenant too (the report's and the dashboard's "top tenants").
    const byTenant = await prom.query('sum by (aimon_attr_tenant) (aimon:cost_usd:month_to_date)');
    for (const t of ['acme', 'globex']) {
      const want = lives.reduce((sum, l) => sum + total(l, 'aimon_client_cost_usd_total', (x) => x.aimon_attr_tenant === t), 0);
      expectClose(byTenant.find((s) => s.metric.aimon_attr_tenant === t)?.value ?? NaN, want, `tenant ${t}`);
    }
  });
});
