/**
 * `aimon report` against a real Prometheus (the Debian binary) that scraped
 * a real workload: one app under --import dist/register.js calling the fake
 * upstream. Also its errors: nothing listening, and a Prometheus without data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/report.js';
import { exactCostRewrite, freePort, hasBinary, parseExposition, REPO, sleep, startPrometheus, waitFor, type RunningPrometheus } from '../helpers/prometheus.js';

const READY = hasBinary('prometheus') && existsSync(join(REPO, 'dist', 'register.js'));
if (!hasBinary('prometheus')) console.warn('aimon report tests skipped: the prometheus binary is not installed (apt-get install prometheus)');

async function report(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const code = await run(argv, out, env);
  return { code, text };
}

describe.skipIf(!READY)('aimon report against a real Prometheus', () => {
  let prom: RunningPrometheus;
  let empty: RunningPrometheus;
  let app: ChildProcess;
  let upstream: { baseURL: string; close(): Promise<void> };
  let exposed: ReturnType<typeof parseExposition> = [];

  beforeAll(async () => {
    const { startFakeUpstream } = (await import(join(REPO, 'dist', 'sim', 'upstream.js'))) as { startFakeUpstream(o: object): Promise<typeof upstream> };
    upstream = await startFakeUpstream({ serverErrorRate: 0.1, latencyMs: 5 });
    const port = await freePort();
    prom = await startPrometheus({ targets: [`127.0.0.1:${port}`], rules: { interval: '1s', replace: exactCostRewrite(1, 2) } });
    empty = await startPrometheus({ targets: [] });
    let output = '';
    app = spawn(process.execPath, ['--import', join(REPO, 'dist', 'register.js'), join(REPO, 'test', 'pipeline', 'fixtures', 'workload.mjs')], {
      env: {
        ...process.env,
        BASE_URL: upstream.baseURL,
        ROUNDS: '30',
        AIMON_HOSTS: '127.0.0.1',
        AIMON_ATTRIBUTES: 'tenant',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'prometheus',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    app.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    await waitFor('the workload', async () => (output.includes('workload: done') ? true : undefined), 60_000);
    await sleep(4000); // scrapes and rule evaluations (the exact rules lag 2s here)
    exposed = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  }, 120_000);

  afterAll(async () => {
    app?.kill('SIGTERM');
    await prom?.stop();
    await empty?.stop();
    await upstream?.close();
  });

  it('prints cost by model and tenant as JSON, equal to what the app recorded', async () => {
    const { code, text } = await report(['--json', '--prometheus', prom.url]);
    expect(code, text).toBe(0);
    const r = JSON.parse(text) as {
      costSource: string;
      budgetUsd: number;
      models: Array<{ model: string; provider: string; monthToDateUsd: number; todayUsd: number; projectedUsd: number; inputTokens: number; calls: number; errorRate?: number; p95Seconds?: number }>;
      tenants: Array<{ tenant: string; monthToDateUsd: number }>;
      totals: { monthToDateUsd: number; todayUsd: number; projectedUsd: number };
    };
    expect(r.costSource).toBe('exact');
    expect(r.budgetUsd).toBe(1000);
    const recorded = exposed.filter((s) => s.name === 'aimon_client_cost_usd_total').reduce((a, s) => a + s.value, 0);
    expect(recorded).toBeGreaterThan(0);
    expect(r.totals.monthToDateUsd).toBeCloseTo(recorded, 12);
    expect(r.totals.todayUsd).toBeCloseTo(recorded, 12);
    expect(r.totals.projectedUsd).toBeGreaterThanOrEqual(r.totals.monthToDateUsd);
    const gpt = r.models.find((m) => m.model === 'gpt-4.1')!;
    const gptCost = exposed.filter((s) => s.name === 'aimon_client_cost_usd_total' && s.labels.gen_ai_request_model === 'gpt-4.1').reduce((a, s) => a + s.value, 0);
    expect(gpt.monthToDateUsd).toBeCloseTo(gptCost, 12);
    expect(gpt.inputTokens).toBeGreaterThan(0);
    expect(gpt.calls).toBeGreaterThan(0);
    expect(gpt.p95Seconds).toBeGreaterThan(0);
    expect(r.models.find((m) => m.model === 'my-finetune')!.monthToDateUsd).toBe(0);
    expect(r.tenants.map((t) => t.tenant).sort()).toEqual(['acme', 'globex']);
    const acme = exposed.filter((s) => s.name === 'aimon_client_cost_usd_total' && s.labels.aimon_attr_tenant === 'acme').reduce((a, s) => a + s.value, 0);
    expect(r.tenants.find((t) => t.tenant === 'acme')!.monthToDateUsd).toBeCloseTo(acme, 12);
  });

  it('prints a table and CSV', async () => {
    const t = await report([], { PROMETHEUS_URL: prom.url });
    expect(t.code, t.text).toBe(0);
    expect(t.text).toMatch(/^MODEL\s+PROVIDER\s+TODAY\s+MONTH TO DATE\s+PROJECTED\s+INPUT TOK\s+OUTPUT TOK\s+CALLS\s+ERRORS\s+P95$/m);
    expect(t.text).toMatch(/^gpt-4\.1\s+openai\s+\$/m);
    expect(t.text).toMatch(/^TENANT\s+TODAY\s+MONTH TO DATE\s+PROJECTED$/m);
    const c = await report(['--csv', `--prometheus=${prom.url}`]);
    expect(c.code).toBe(0);
    const lines = c.text.trim().split('\n');
    expect(lines[0]).toBe('scope,name,provider,today_usd,month_to_date_usd,projected_usd,input_tokens,output_tokens,calls,error_rate,p95_seconds');
    expect(lines.filter((l) => l.startsWith('tenant,')).map((l) => l.split(',')[1]).sort()).toEqual(['acme', 'globex']);
  });

  it('says clearly when Prometheus has no data, or no data for the service', async () => {
    const e = await report(['--prometheus', empty.url]);
    expect(e.code).toBe(1);
    expect(e.text).toContain(`aimon report: Prometheus at ${empty.url} has no @aimon/otel data`);
    const s = await report(['--prometheus', prom.url, '--service', 'nope']);
    expect(s.code).toBe(1);
    expect(s.text).toContain('for service "nope"');
  });
});

describe('aimon report errors', () => {
  it('says clearly when Prometheus cannot be reached', async () => {
    const port = await freePort();
    const r = await report(['--prometheus', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.text).toBe(`aimon report: cannot reach Prometheus at http://127.0.0.1:${port} (ECONNREFUSED). Pass --prometheus <url> or set PROMETHEUS_URL.\n`);
  });

  it('rejects bad options', async () => {
    expect((await report(['--json', '--csv'])).code).toBe(2);
    expect((await report(['--prometheus', 'ftp://x'])).text).toContain('is not an http(s) URL');
    expect((await report(['--bogus'])).text).toContain('unknown option "--bogus"');
  });
});
