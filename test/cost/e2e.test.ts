/**
 * Cost end to end (issue 3, point 8): `node --import dist/register.js
 * cost-workload.mjs` with the official openai client against the fake
 * upstream, the upstream declared a HolySheep-like host billed ¥1 per list
 * USD (AIMON_BILLING) at 7.2 CNY per USD, and AIMON_ATTRIBUTES=tenant.
 *
 * Run 1 scrapes the embedded /metrics (metrics only: the context manager is
 * there because AIMON_ATTRIBUTES is set) and asserts every cost and unpriced
 * series exactly. Run 2 sends traces to an OTLP/HTTP JSON receiver and
 * asserts the cost attributes of every span.
 *
 * Usage is deterministic: prompt tokens = ceil(content chars / 4) (the
 * workload sends "abcd" × N, so N tokens), completion tokens = the upstream's
 * `chunks` (20 here); the `cached` scenario reports half the prompt as cached
 * (floor) and half the completion as reasoning, `deepseek-usage` half the
 * prompt as prompt_cache_hit_tokens.
 *
 * Hand computation from prices/prices.json (version 2026-11-29), USD per 1M:
 *   gpt-4.1                 input 2     cached 0.5    output 8
 *   gpt-4.1-mini            input 0.4   cached 0.1    output 1.6
 *   o4-mini                 input 1.1   cached 0.275  output 4.4 (reasoning billed as output)
 *   deepseek-v3.2           input 0.28  cached 0.028  output 0.42 (alias deepseek-chat)
 *   gpt-4o                  input 2.5   cached 1.25   output 10
 *   text-embedding-3-small  input 0.02                output 0
 *
 *   1 gpt-4.1 plain          1000 in, 20 out
 *       input 1000 × 2 / 1e6 = 0.002; output 20 × 8 / 1e6 = 0.00016; total 0.00216
 *   2 gpt-4.1-mini cached    2000 in (1000 cached), 20 out (10 reasoning, inside output)
 *       input 1000 × 0.4 / 1e6 = 0.0004; cached 1000 × 0.1 / 1e6 = 0.0001;
 *       output 20 × 1.6 / 1e6 = 0.000032; total 0.000532
 *   3 o4-mini reasoning      100 in (50 cached), 20 out (10 reasoning)
 *       input 50 × 1.1 / 1e6 = 0.000055; cached 50 × 0.275 / 1e6 = 0.00001375;
 *       output 20 × 4.4 / 1e6 = 0.000088; total 0.00015675
 *   4 deepseek/deepseek-chat 1000 in (500 hit, 500 miss), 20 out
 *       input 500 × 0.28 / 1e6 = 0.00014; cached 500 × 0.028 / 1e6 = 0.000014;
 *       output 20 × 0.42 / 1e6 = 0.0000084; total 0.0001624
 *   5 my-private-model       100 in, 20 out: unpriced, unknown_model
 *   6 gpt-4.1 stream, no usage: unpriced, usage_missing, no tokens
 *   7 gpt-4o stream + usage  100 in, 20 out
 *       input 100 × 2.5 / 1e6 = 0.00025; output 20 × 10 / 1e6 = 0.0002; total 0.00045
 *   8 text-embedding-3-small 1000 in
 *       input 1000 × 0.02 / 1e6 = 0.00002 (no output tokens: no output series)
 *   9 gpt-4.1 as 1, under withAttribution({ tenant: 'acme' }): 0.00216, own series
 *
 * Billed: ¥1 per list USD, so CNY = the USD total. Effective USD = CNY / 7.2,
 * rounded to 1e-12: 0.00216 → 0.0003; 0.000532 → 0.000073888889;
 * 0.00015675 → 0.000021770833; 0.0001624 → 0.000022555556; 0.00045 → 0.0000625;
 * 0.00002 → 0.000002777778. Workload total: $0.00564115 list = ¥0.00564115
 * billed = $0.000783493056 effective (the sum of the rounded per-call amounts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { parseExposition, seriesKey, type Exposition } from '../helpers/exposition.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { ensureBuilt, freePort, REPO, spawnApp } from '../helpers/processes.js';

interface TableEntry {
  model: string;
  input: number;
  cached_input?: number;
  output: number;
  reasoning?: number;
}
const TABLE = JSON.parse(readFileSync(join(REPO, 'prices', 'prices.json'), 'utf8')) as { version: string; entries: TableEntry[] };
const VERSION = '2026-11-29';

let upstream: FakeUpstream;
let receiver: OtlpReceiver;
let metricsRun: { ready: Record<string, unknown>; text: string; stderr: string };
let tracesRun: { ready: Record<string, unknown>; stderr: string; exit: unknown };

function env(extra: Record<string, string>): Record<string, string> {
  return {
    UPSTREAM_BASE_URL: upstream.baseURL,
    AIMON_HOSTS: `127.0.0.1:${upstream.port}=holysheep`,
    AIMON_BILLING: '127.0.0.1=CNY:1',
    AIMON_USD_CNY: '7.2',
    AIMON_ATTRIBUTES: 'tenant',
    ...extra,
  };
}

async function runForMetrics() {
  const port = await freePort();
  const app = spawnApp('cost-workload.mjs', env({ OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }), { args: ['stdin'] });
  try {
    const ready = await app.waitForOutput(/^ready .*$/m, 60_000);
    const res = await fetch(`http://localhost:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    app.send('exit');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    return { ready: JSON.parse(ready.slice('ready '.length)) as Record<string, unknown>, text, stderr: app.stderr() };
  } finally {
    app.child.kill('SIGKILL');
  }
}

async function runForTraces() {
  const app = spawnApp(
    'cost-workload.mjs',
    env({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'cost-e2e', AIMON_UNDICI_SPANS: 'false' }),
    { args: ['exit'] },
  );
  try {
    const ready = await app.waitForOutput(/^ready .*$/m, 60_000);
    // The script ends by itself; the SDK flushes spans and metrics on beforeExit.
    const exit = await app.exited;
    return { ready: JSON.parse(ready.slice('ready '.length)) as Record<string, unknown>, stderr: app.stderr(), exit };
  } finally {
    app.child.kill('SIGKILL');
  }
}

beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream({ chunks: 20 });
  receiver = await startOtlpReceiver();
  // Both processes at once: the machine is shared, and each spends most of its time starting up.
  [metricsRun, tracesRun] = await Promise.all([runForMetrics(), runForTraces()]);
}, 180_000);

afterAll(async () => {
  await upstream?.close();
  await receiver?.close();
});

describe('price table the hand computation relies on', () => {
  it('has the prices used in the comments above', () => {
    expect(TABLE.version).toBe(VERSION);
    const p = (m: string) => {
      const e = TABLE.entries.find((x) => x.model === m)!;
      return { input: e.input, cached_input: e.cached_input, output: e.output, reasoning: e.reasoning };
    };
    expect(p('gpt-4.1')).toEqual({ input: 2, cached_input: 0.5, output: 8, reasoning: undefined });
    expect(p('gpt-4.1-mini')).toEqual({ input: 0.4, cached_input: 0.1, output: 1.6, reasoning: undefined });
    expect(p('o4-mini')).toEqual({ input: 1.1, cached_input: 0.275, output: 4.4, reasoning: undefined });
    expect(p('deepseek-v3.2')).toEqual({ input: 0.28, cached_input: 0.028, output: 0.42, reasoning: undefined });
    expect(p('gpt-4o')).toEqual({ input: 2.5, cached_input: 1.25, output: 10, reasoning: undefined });
    expect(p('text-embedding-3-small')).toEqual({ input: 0.02, cached_input: undefined, output: 0, reasoning: undefined });
    expect(TABLE.entries.some((e) => e.model === 'my-private-model')).toBe(false);
  });
});

const COST_FAMILIES = [
  'aimon_client_cost_usd_total',
  'aimon_client_cost_billed_total',
  'aimon_client_cost_effective_usd_total',
  'aimon_client_unpriced_calls_total',
  'aimon_client_unpriced_tokens_total',
];

function costSamples(e: Exposition): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of e.samples) if (COST_FAMILIES.includes(s.name)) out[seriesKey(s, ['otel_scope_version'])] = s.value;
  return out;
}

describe('embedded /metrics after the cost workload', () => {
  it('ran every call cleanly', () => {
    // 20 content chunks + the finish chunk per stream; the usage-only chunk is not an output chunk.
    expect(metricsRun.ready).toEqual({ calls: 9, chunks: 43, dims: 8 });
    expect(metricsRun.stderr).toBe('');
  });

  it('describes the cost instruments', () => {
    const e = parseExposition(metricsRun.text);
    const fam = (n: string) => e.families.get(n);
    expect(COST_FAMILIES.map(fam)).toEqual([
      {
        type: 'counter',
        help: 'Cost at list price in USD, by cost kind (input, cached_input, cache_write, output, reasoning).',
        unit: '{USD}',
      },
      { type: 'counter', help: 'Amount billed by the host in its billing currency (label aimon.cost.billed_currency).', unit: '{currency_unit}' },
      { type: 'counter', help: 'Billed amount converted to USD at the configured rate: what the calls really cost.', unit: '{USD}' },
      {
        type: 'counter',
        help: 'Successful calls that could not be priced, by reason (unknown_model, usage_missing, no_model).',
        unit: '{call}',
      },
      { type: 'counter', help: 'Tokens of calls that could not be priced, by reason and token type.', unit: '{token}' },
    ]);
  });

  it('exposes exactly the hand-computed cost, billed, effective and unpriced series', () => {
    const e = parseExposition(metricsRun.text);
    const common = {
      gen_ai_provider_name: 'holysheep',
      server_address: '127.0.0.1',
      server_port: String(upstream.port),
      otel_scope_name: '@aimon/otel',
    };
    const call = (model: string, operation = 'chat') => ({
      ...common,
      gen_ai_operation_name: operation,
      gen_ai_request_model: model,
      gen_ai_response_model: model,
    });
    const priced = (model: string, operation = 'chat') => ({ ...call(model, operation), aimon_price_version: VERSION });
    const gpt41 = priced('gpt-4.1');
    const acme = { ...gpt41, aimon_attr_tenant: 'acme' };
    const mini = priced('gpt-4.1-mini');
    const o4 = priced('o4-mini');
    const ds = priced('deepseek/deepseek-chat');
    const g4o = priced('gpt-4o');
    const emb = priced('text-embedding-3-small', 'embeddings');
    const usd = (l: Record<string, string>, kind: string) => seriesKey({ name: 'aimon_client_cost_usd_total', labels: { ...l, aimon_cost_kind: kind }, value: 0 });
    const billed = (l: Record<string, string>) =>
      seriesKey({ name: 'aimon_client_cost_billed_total', labels: { ...l, aimon_cost_billed_currency: 'CNY' }, value: 0 });
    const eff = (l: Record<string, string>) => seriesKey({ name: 'aimon_client_cost_effective_usd_total', labels: l, value: 0 });
    const unpriced = (model: string, reason: string) =>
      seriesKey({ name: 'aimon_client_unpriced_calls_total', labels: { ...call(model), aimon_unpriced_reason: reason }, value: 0 });
    const unpricedTokens = (model: string, reason: string, type: string) =>
      seriesKey({
        name: 'aimon_client_unpriced_tokens_total',
        labels: { ...call(model), aimon_unpriced_reason: reason, gen_ai_token_type: type },
        value: 0,
      });

    expect(costSamples(e)).toEqual({
      // 1 gpt-4.1: 1000 in × $2, 20 out × $8 (no cached tokens: no cached_input series, never a $0 one).
      [usd(gpt41, 'input')]: 0.002,
      [usd(gpt41, 'output')]: 0.00016,
      [billed(gpt41)]: 0.00216,
      [eff(gpt41)]: 0.0003,
      // 2 gpt-4.1-mini: 1000 uncached × $0.4, 1000 cached × $0.1, 20 out × $1.6 (the 10 reasoning tokens are output, once).
      [usd(mini, 'input')]: 0.0004,
      [usd(mini, 'cached_input')]: 0.0001,
      [usd(mini, 'output')]: 0.000032,
      [billed(mini)]: 0.000532,
      [eff(mini)]: 0.000073888889,
      // 3 o4-mini: 50 × $1.1, 50 cached × $0.275, 20 out × $4.4 (reasoning inside).
      [usd(o4, 'input')]: 0.000055,
      [usd(o4, 'cached_input')]: 0.00001375,
      [usd(o4, 'output')]: 0.000088,
      [billed(o4)]: 0.00015675,
      [eff(o4)]: 0.000021770833,
      // 4 deepseek/deepseek-chat → deepseek-v3.2: 500 miss × $0.28, 500 hit × $0.028, 20 out × $0.42.
      [usd(ds, 'input')]: 0.00014,
      [usd(ds, 'cached_input')]: 0.000014,
      [usd(ds, 'output')]: 0.0000084,
      [billed(ds)]: 0.0001624,
      [eff(ds)]: 0.000022555556,
      // 5 my-private-model: unpriced, with its tokens.
      [unpriced('my-private-model', 'unknown_model')]: 1,
      [unpricedTokens('my-private-model', 'unknown_model', 'input')]: 100,
      [unpricedTokens('my-private-model', 'unknown_model', 'output')]: 20,
      // 6 gpt-4.1 stream without usage: unpriced, no tokens to count.
      [unpriced('gpt-4.1', 'usage_missing')]: 1,
      // 7 gpt-4o stream with usage: 100 × $2.5, 20 × $10.
      [usd(g4o, 'input')]: 0.00025,
      [usd(g4o, 'output')]: 0.0002,
      [billed(g4o)]: 0.00045,
      [eff(g4o)]: 0.0000625,
      // 8 embeddings: 1000 × $0.02, no output series.
      [usd(emb, 'input')]: 0.00002,
      [billed(emb)]: 0.00002,
      [eff(emb)]: 0.000002777778,
      // 9 gpt-4.1 under tenant acme: the same amounts, on series of their own.
      [usd(acme, 'input')]: 0.002,
      [usd(acme, 'output')]: 0.00016,
      [billed(acme)]: 0.00216,
      [eff(acme)]: 0.0003,
    });
  });

  it('never records a cost for the unknown model, not even $0', () => {
    const e = parseExposition(metricsRun.text);
    const costOfUnknown = e.samples.filter(
      (s) => s.name.startsWith('aimon_client_cost_') && s.labels.gen_ai_request_model === 'my-private-model',
    );
    expect(costOfUnknown).toEqual([]);
    // Its tokens are still counted where tokens are counted.
    const tokens = e.samples.filter((s) => s.name === 'gen_ai_client_token_usage_sum' && s.labels.gen_ai_request_model === 'my-private-model');
    expect(tokens.map((s) => [s.labels.gen_ai_token_type, s.value])).toEqual([
      ['input', 100],
      ['output', 20],
    ]);
  });

  it('adds up to the workload total in every currency', () => {
    const e = parseExposition(metricsRun.text);
    // Summed in pico-units (integers) so the check itself has no float drift.
    const pico = (name: string) => e.samples.filter((s) => s.name === name).reduce((n, s) => n + Math.round(s.value * 1e12), 0);
    expect(pico('aimon_client_cost_usd_total')).toBe(5_641_150_000);
    expect(pico('aimon_client_cost_billed_total')).toBe(5_641_150_000);
    // 0.0003 × 2 + 0.000073888889 + 0.000021770833 + 0.000022555556 + 0.0000625 + 0.000002777778
    expect(pico('aimon_client_cost_effective_usd_total')).toBe(783_493_056);
  });
});

describe('span attributes after the cost workload (OTLP)', () => {
  const COST_KEY = /^aimon\.(cost|price|unpriced|attr)\./;
  const costAttrs = (s: ReceivedSpan) => Object.fromEntries(Object.entries(s.attributes).filter(([k]) => COST_KEY.test(k)));

  function spans(): ReceivedSpan[] {
    return receiver.spans.filter((s) => s.scope === '@aimon/otel');
  }

  it('ran every call and flushed every span', () => {
    expect(tracesRun.exit).toEqual({ code: 0, signal: null });
    expect(tracesRun.stderr).toBe('');
    expect(tracesRun.ready).toEqual({ calls: 9, chunks: 43, dims: 8 });
    expect(spans().map((s) => s.name).sort()).toEqual([
      'chat deepseek/deepseek-chat',
      'chat gpt-4.1',
      'chat gpt-4.1',
      'chat gpt-4.1',
      'chat gpt-4.1-mini',
      'chat gpt-4o',
      'chat my-private-model',
      'chat o4-mini',
      'embeddings text-embedding-3-small',
    ]);
  });

  it('puts the per-call cost, billed CNY, effective USD and price version on each span', () => {
    const priced = (usd: number, effective: number, model: string) => ({
      'aimon.cost.usd': usd,
      'aimon.cost.billed': usd,
      'aimon.cost.billed_currency': 'CNY',
      'aimon.cost.effective_usd': effective,
      'aimon.price.version': VERSION,
      'aimon.price.model': model,
    });
    const byName = (name: string) => spans().filter((s) => s.name === name);
    const one = (name: string) => {
      const s = byName(name);
      expect(s).toHaveLength(1);
      return costAttrs(s[0]!);
    };
    expect(one('chat gpt-4.1-mini')).toEqual(priced(0.000532, 0.000073888889, 'gpt-4.1-mini'));
    expect(one('chat o4-mini')).toEqual(priced(0.00015675, 0.000021770833, 'o4-mini'));
    // Priced by the response model after stripping the vendor prefix and matching an alias.
    expect(one('chat deepseek/deepseek-chat')).toEqual(priced(0.0001624, 0.000022555556, 'deepseek-v3.2'));
    expect(one('chat gpt-4o')).toEqual(priced(0.00045, 0.0000625, 'gpt-4o'));
    expect(one('embeddings text-embedding-3-small')).toEqual(priced(0.00002, 0.000002777778, 'text-embedding-3-small'));
    expect(one('chat my-private-model')).toEqual({ 'aimon.unpriced.reason': 'unknown_model', 'aimon.price.version': VERSION });

    const gpt41 = byName('chat gpt-4.1');
    const plain = gpt41.find((s) => s.attributes['gen_ai.request.stream'] === false && s.attributes['aimon.attr.tenant'] === undefined)!;
    const stream = gpt41.find((s) => s.attributes['gen_ai.request.stream'] === true)!;
    const acme = gpt41.find((s) => s.attributes['aimon.attr.tenant'] === 'acme')!;
    expect(costAttrs(plain)).toEqual(priced(0.00216, 0.0003, 'gpt-4.1'));
    expect(costAttrs(stream)).toEqual({ 'aimon.unpriced.reason': 'usage_missing', 'aimon.price.version': VERSION });
    expect(stream.attributes['aimon.usage.missing']).toBe(true);
    expect(costAttrs(acme)).toEqual({ ...priced(0.00216, 0.0003, 'gpt-4.1'), 'aimon.attr.tenant': 'acme' });
  });

  it('reports the same cost on the OTLP metrics path', () => {
    const m = receiver.lastMetric('aimon.client.cost.usd')!;
    expect({ unit: m.unit, type: m.type }).toEqual({ unit: '{USD}', type: 'sum' });
    const picoTotal = m.points.reduce((n, p) => n + Math.round(p.value! * 1e12), 0);
    expect(picoTotal).toBe(5_641_150_000);
    const unpriced = receiver.lastMetric('aimon.client.unpriced.calls')!;
    expect(
      unpriced.points.map((p) => [p.attributes['gen_ai.request.model'], p.attributes['aimon.unpriced.reason'], p.value]).sort(),
    ).toEqual([
      ['gpt-4.1', 'usage_missing', 1],
      ['my-private-model', 'unknown_model', 1],
    ]);
  });
});
