/**
 * Cost at the telemetry edge, in process: the real AimonInstrumentation on
 * in-memory span and metric readers, the official openai client, the fake
 * upstream (prompt = ceil(chars / 4) tokens, 10 completion tokens).
 *
 * - A price override file (JSON and YAML) is picked up without a restart
 *   (fs.watchFile polls every 2 s), and a bad edit keeps the last good prices.
 * - A bad override file at start-up keeps the bundled table and logs a diag
 *   error naming the entry and the field.
 * - Failed calls (429, 500, 502 pages, 4xx with usage in the body, a stream
 *   that fails after its 200) record no cost and no unpriced count.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { Exchange } from '../../src/exchange.js';
import { HostMatcher } from '../../src/hosts.js';
import { AimonInstrumentation } from '../../src/instrumentation.js';
import { Pricing } from '../../src/pricing.js';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { GenAiTelemetry } from '../../src/telemetry.js';
import { flattenMetrics, OnDemandReader, sleep, sumPoints } from '../helpers/harness.js';

const BUNDLED = '2026-11-29';
/** The instrumentation's component logger puts its namespace first. */
const NS = '@aimon/otel ';
const COST_METRICS = [
  'aimon.client.cost.usd',
  'aimon.client.cost.billed',
  'aimon.client.cost.effective_usd',
  'aimon.client.unpriced.calls',
  'aimon.client.unpriced.tokens',
];

/** Collects every diag line, so tests can assert what an operator would read. */
class CapturingLogger implements DiagLogger {
  lines: Array<{ level: string; message: string }> = [];
  private add = (level: string) => (message: string, ...args: unknown[]) => {
    this.lines.push({ level, message: [message, ...args.map(String)].join(' ') });
  };
  error = this.add('error');
  warn = this.add('warn');
  info = this.add('info');
  debug = this.add('debug');
  verbose = this.add('verbose');
  of(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

let upstream: FakeUpstream;
let dir: string;
let logger: CapturingLogger;
const originalFetch = globalThis.fetch;
const live: AimonInstrumentation[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
  dir = mkdtempSync(join(tmpdir(), 'aimon-prices-'));
});
beforeEach(() => {
  logger = new CapturingLogger();
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
});
afterEach(() => {
  for (const i of live.splice(0)) i.disable();
  globalThis.fetch = originalFetch;
  diag.disable();
});
afterAll(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(prices?: string) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const instrumentation = new AimonInstrumentation({ hosts: [`127.0.0.1:${upstream.port}`], ...(prices !== undefined ? { prices } : {}) });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(meterProvider);
  live.push(instrumentation);
  const client = new OpenAI({ baseURL: upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  return {
    client,
    /** A chat call of `tokens` prompt tokens (and 10 completion tokens). */
    chat: (model: string, tokens = 1000, scenario?: string) =>
      client.chat.completions.create(
        { model, messages: [{ role: 'user', content: 'abcd'.repeat(tokens) }] },
        scenario !== undefined ? { headers: { 'x-fake-scenario': scenario } } : undefined,
      ),
    spans: (): ReadableSpan[] => spans.getFinishedSpans(),
    /** Sum points of the cost and unpriced counters, by metric name. */
    async cost(): Promise<Record<string, Array<{ attributes: Record<string, unknown>; value: number }>>> {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      const out: Record<string, Array<{ attributes: Record<string, unknown>; value: number }>> = {};
      for (const m of flattenMetrics(resourceMetrics)) {
        if (COST_METRICS.includes(m.descriptor.name)) out[m.descriptor.name] = sumPoints(m);
      }
      return out;
    },
  };
}

const spanCost = (s: ReadableSpan) =>
  Object.fromEntries(Object.entries(s.attributes).filter(([k]) => /^aimon\.(cost|price|unpriced)\./.test(k)));

/** Cost attributes of a priced span: list USD = billed (127.0.0.1 bills list USD), no billing rule. */
const pricedSpan = (usd: number, version: string, model: string) => ({
  'aimon.cost.usd': usd,
  'aimon.cost.billed': usd,
  'aimon.cost.billed_currency': 'USD',
  'aimon.cost.effective_usd': usd,
  'aimon.price.version': version,
  'aimon.price.model': model,
});

/** Waits for the override watcher (2 s poll) to report a reload or an error. */
async function waitForLog(level: string, re: RegExp, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = logger.of(level).find((m) => re.test(m));
    if (hit !== undefined) return hit;
    if (Date.now() > end) throw new Error(`no diag ${level} matching ${re}; got:\n${logger.lines.map((l) => `${l.level}: ${l.message}`).join('\n')}`);
    await sleep(50);
  }
}

function entry(model: string, input: number, output: number, extra: Record<string, unknown> = {}) {
  return { model, provider: 'openai', input, output, source: 'https://example.com/our-contract', as_of: '2026-11-01', ...extra };
}

describe('price override file', () => {
  it('JSON: a changed price is used without a restart; a bad edit keeps the last good prices', async () => {
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ version: 'contract-1', entries: [entry('gpt-4.1', 3, 12)] }));
    const t = setup(file);

    // 1000 in × $3 + 10 out × $12 = 0.003 + 0.00012
    await t.chat('gpt-4.1');
    expect(spanCost(t.spans()[0]!)).toEqual(pricedSpan(0.00312, `${BUNDLED}+contract-1`, 'gpt-4.1'));

    writeFileSync(file, JSON.stringify({ version: 'contract-2', entries: [entry('gpt-4.1', 4, 16)] }));
    expect(await waitForLog('info', /reloaded/)).toBe(`${NS}prices: reloaded ${file} (table version ${BUNDLED}+contract-2)`);
    // 1000 × $4 + 10 × $16 = 0.004 + 0.00016
    await t.chat('gpt-4.1');
    expect(spanCost(t.spans()[1]!)).toEqual(pricedSpan(0.00416, `${BUNDLED}+contract-2`, 'gpt-4.1'));

    // A half-finished edit: the error names the entry and the field, the prices stay.
    writeFileSync(file, JSON.stringify({ version: 'contract-3', entries: [entry('gpt-4.1', 5, 20), entry('gpt-4o', 1, 2, { provider: '' })] }));
    expect(await waitForLog('error', /contract|entries/)).toBe(
      `${NS}prices: ${file}: entries[1] (gpt-4o): "provider" must be a non-empty string; keeping the prices last loaded`,
    );
    await t.chat('gpt-4.1');
    expect(spanCost(t.spans()[2]!)).toEqual(pricedSpan(0.00416, `${BUNDLED}+contract-2`, 'gpt-4.1'));

    // Each table version is its own series: a dashboard sums over the label.
    const input = (await t.cost())['aimon.client.cost.usd']!.filter((p) => p.attributes['aimon.cost.kind'] === 'input');
    expect(input.map((p) => [p.attributes['aimon.price.version'], p.value])).toEqual([
      [`${BUNDLED}+contract-1`, 0.003],
      [`${BUNDLED}+contract-2`, 0.008],
    ]);
  }, 60_000);

  it('YAML: a model added to the file is priced from the next call, where it was unpriced', async () => {
    const file = join(dir, 'prices.yaml');
    writeFileSync(
      file,
      ['version: internal-1', 'entries:', '  - model: gpt-4.1', '    provider: openai', '    input: 1', '    output: 4',
        '    source: https://example.com/our-contract', '    as_of: "2026-11-01"', ''].join('\n'),
    );
    const t = setup(file);
    await t.chat('my-private-model', 100);
    expect(spanCost(t.spans()[0]!)).toEqual({ 'aimon.unpriced.reason': 'unknown_model', 'aimon.price.version': `${BUNDLED}+internal-1` });

    writeFileSync(
      file,
      ['version: internal-2', 'entries:', '  - model: gpt-4.1', '    provider: openai', '    input: 1', '    output: 4',
        '    source: https://example.com/our-contract', '    as_of: "2026-11-01"',
        '  - model: my-private-model', '    provider: self-hosted', '    input: 0.5', '    output: 1.5',
        '    source: https://example.com/gpu-cost', '    as_of: "2026-11-02"', ''].join('\n'),
    );
    await waitForLog('info', /reloaded .*internal-2/);
    // 100 in × $0.5 + 10 out × $1.5 = 0.00005 + 0.000015
    await t.chat('my-private-model', 100);
    expect(spanCost(t.spans()[1]!)).toEqual(pricedSpan(0.000065, `${BUNDLED}+internal-2`, 'my-private-model'));
    // 1000 × $1 + 10 × $4
    await t.chat('gpt-4.1');
    expect(spanCost(t.spans()[2]!)).toEqual(pricedSpan(0.00104, `${BUNDLED}+internal-2`, 'gpt-4.1'));

    const c = await t.cost();
    expect(c['aimon.client.unpriced.calls']!.map((p) => [p.attributes['gen_ai.request.model'], p.attributes['aimon.unpriced.reason'], p.value])).toEqual([
      ['my-private-model', 'unknown_model', 1],
    ]);
  }, 60_000);

  it('a bad file at start-up keeps the bundled table and says which entry and field are wrong', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ entries: [entry('gpt-4.1', 1, 4), entry('gpt-4o', 1, 4, { cache_read: 0.1 }), entry('o3', 1, '8' as unknown as number)] }),
    );
    const t = setup(file);
    expect(logger.of('error')).toEqual([
      `${NS}prices: ${file}: entries[1] (gpt-4o): unknown field "cache_read"; the whole file is ignored, using the bundled table`,
      `${NS}prices: ${file}: entries[2] (o3): "output" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals); the whole file is ignored, using the bundled table`,
    ]);
    // The app is not stopped, and the file's one good entry is not applied either: bundled 1000 × $2 + 10 × $8.
    await t.chat('gpt-4.1');
    expect(spanCost(t.spans()[0]!)).toEqual(pricedSpan(0.00208, BUNDLED, 'gpt-4.1'));
  });

  it('a missing or unparseable file keeps the bundled table', () => {
    const missing = join(dir, 'nope.json');
    const p1 = new Pricing(missing, {}, diag.createComponentLogger({ namespace: 'test' }));
    p1.close();
    expect(p1.version).toBe(BUNDLED);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'entries: [ {model: gpt-4.1, input: 1\n');
    const p2 = new Pricing(broken, {}, diag.createComponentLogger({ namespace: 'test' }));
    p2.close();
    expect(p2.version).toBe(BUNDLED);
    const errors = logger.of('error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(new RegExp(`^test prices: ${missing}: ENOENT`));
    expect(errors[1]).toMatch(new RegExp(`^test prices: ${broken}: `));
  });
});

describe('failed calls', () => {
  it('429, 500 and HTML 502 answers record no cost and no unpriced count', async () => {
    const t = setup();
    for (const scenario of ['rate-limit', 'server-error', 'html-502']) {
      await expect(t.chat('gpt-4.1', 1000, scenario)).rejects.toThrow();
    }
    await t.chat('gpt-4.1-mini', 100); // one success, so the instruments exist
    const c = await t.cost();
    // 127.0.0.1 has no billing rule: it bills list USD, so no billed series (it would repeat cost.usd).
    expect(Object.keys(c).sort()).toEqual(['aimon.client.cost.effective_usd', 'aimon.client.cost.usd']);
    for (const points of Object.values(c)) for (const p of points) expect(p.attributes['gen_ai.request.model']).toBe('gpt-4.1-mini');
    const failed = t.spans().filter((s) => s.attributes['aimon.outcome'] === 'error');
    expect(failed.map((s) => s.attributes['error.type'])).toEqual(['429', '500', '502']);
    for (const s of failed) expect(spanCost(s)).toEqual({});
  });

  it('a 4xx is not billed even when its body carries usage', async () => {
    const { config } = resolveConfig({ hosts: ['127.0.0.1:8080'], defaultHosts: false }, {});
    const spans = new InMemorySpanExporter();
    const tp = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const reader = new OnDemandReader();
    const mp = new MeterProvider({ readers: [reader] });
    const pricing = new Pricing(undefined, {}, diag);
    const tel = new GenAiTelemetry(tp.getTracer('t'), mp.getMeter('t'), config, diag, { tracing: true, pricing });
    const target = new HostMatcher(config.endpoints).match('http://127.0.0.1:8080/v1/chat/completions')!;
    for (const status of [400, 402, 413, 422]) {
      const ex = new Exchange(target, { model: 'gpt-4.1', stream: false, includeUsage: false, hasStreamOptions: false }, false, config, tel, 0);
      tel.start(ex);
      ex.onResponse(status, 'application/json', true, 1);
      const body = { error: { message: 'no' }, model: 'gpt-4.1', usage: { prompt_tokens: 1000, completion_tokens: 10 } };
      ex.onChunk(new TextEncoder().encode(JSON.stringify(body)), 5);
      ex.onEnd(10);
    }
    const { resourceMetrics } = await reader.collect();
    expect(flattenMetrics(resourceMetrics).map((m) => m.descriptor.name).filter((n) => COST_METRICS.includes(n))).toEqual([]);
    expect(spans.getFinishedSpans().map((s) => [s.attributes['error.type'], spanCost(s)])).toEqual([
      ['400', {}],
      ['402', {}],
      ['413', {}],
      ['422', {}],
    ]);
    pricing.close();
  });

  it('a stream that fails after its 200 (error event, reset) records no cost and no unpriced count', async () => {
    const t = setup();
    for (const scenario of ['error-event', 'reset-mid-stream']) {
      await expect(
        (async () => {
          const s = await t.client.chat.completions.create(
            { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
            { headers: { 'x-fake-scenario': scenario } },
          );
          for await (const _ of s) void _;
        })(),
      ).rejects.toThrow();
    }
    // Let the tap see the end of the reset body.
    for (let i = 0; i < 100 && t.spans().length < 2; i++) await sleep(20);
    const failed = t.spans();
    expect(failed.map((s) => [s.attributes['aimon.outcome'], s.attributes['http.response.status_code']])).toEqual([
      ['error', 200],
      ['error', 200],
    ]);
    for (const s of failed) expect(spanCost(s)).toEqual({});
    expect(await t.cost()).toEqual({});
  });
});
