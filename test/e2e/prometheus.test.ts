/**
 * `node --import dist/register.js app.mjs` with no OTEL_* variable but the
 * port: the embedded Prometheus endpoint serves the exact series, with the
 * `_seconds` suffix on seconds histograms (the Collector's names).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { DURATION_BUCKETS, TOKEN_BUCKETS } from '../helpers/expected.js';
import { bucketSeries, parseExposition, seriesKey, type Exposition } from '../helpers/exposition.js';
import { ensureBuilt, freePort, spawnApp } from '../helpers/processes.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());

async function scrape(port: number): Promise<{ text: string; contentType: string | null }> {
  const res = await fetch(`http://localhost:${port}/metrics`);
  expect(res.status).toBe(200);
  return { text: await res.text(), contentType: res.headers.get('content-type') };
}

const SECONDS_HISTOGRAMS = [
  'gen_ai_client_operation_duration_seconds',
  'gen_ai_client_operation_time_to_first_chunk_seconds',
  'gen_ai_client_operation_time_per_output_chunk_seconds',
];

/** Every deterministic sample: timing sums and finite timing buckets left out (checked separately). */
/** Cost series depend on the bundled price table; their names and labels are checked, their values only for sign. */
const isCost = (name: string) => name.startsWith('aimon_client_cost_') || name.startsWith('aimon_client_unpriced_');

function deterministic(e: Exposition): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of e.samples) {
    if (s.name === 'target_info' || isCost(s.name)) continue;
    const timing = SECONDS_HISTOGRAMS.some((h) => s.name.startsWith(h));
    if (timing && (s.name.endsWith('_sum') || (s.name.endsWith('_bucket') && s.labels.le !== '+Inf'))) continue;
    out[seriesKey(s, ['otel_scope_version'])] = s.value;
  }
  return out;
}

async function runAndScrape(script: string, extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const app = spawnApp(script, {
    AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
    UPSTREAM_BASE_URL: upstream.baseURL,
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    ...extraEnv,
  }, { args: ['stdin'] });
  try {
    const ready = await app.waitForOutput(/^ready .*$/m);
    const scraped = await scrape(port);
    app.send('exit');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    return { ready: JSON.parse(ready.slice('ready '.length)) as Record<string, unknown>, ...scraped, stderr: app.stderr() };
  } finally {
    app.child.kill('SIGKILL');
  }
}

describe('embedded Prometheus endpoint', () => {
  it('serves the exact series and values for an ESM app', async () => {
    const { ready, text, contentType, stderr } = await runAndScrape('chat.mjs');
    expect(ready).toMatchObject({ wrapped: true, chunks: 23, errors: [429], dims: 8 });
    expect(contentType).toMatch(/^text\/plain/);
    expect(stderr).toBe('');
    const e = parseExposition(text);

    expect(Object.fromEntries(e.families)).toEqual({
      target_info: { type: 'gauge', help: 'Target metadata', unit: undefined },
      gen_ai_client_operation_duration_seconds: { type: 'histogram', help: 'GenAI operation duration.', unit: 's' },
      gen_ai_client_token_usage: { type: 'histogram', help: 'Number of input and output tokens used.', unit: '{token}' },
      gen_ai_client_operation_time_to_first_chunk_seconds: {
        type: 'histogram',
        help: 'Time to receive the first chunk of a streaming response, from the request start.',
        unit: 's',
      },
      gen_ai_client_operation_time_per_output_chunk_seconds: {
        type: 'histogram',
        help: 'Time between consecutive chunks of a streaming response, for each chunk after the first.',
        unit: 's',
      },
      aimon_client_token_detail_total: {
        type: 'counter',
        help: 'Subsets of gen_ai.client.token.usage: cached input (cache_read, cache_creation) and reasoning output tokens.',
        unit: '{token}',
      },
      aimon_client_usage_missing_total: {
        type: 'counter',
        help: 'Successful calls whose response carried no usage, so no tokens were counted.',
        unit: '{call}',
      },
      // Cost: priced from the bundled table (register enables pricing); no billed series for a host billed in list USD.
      aimon_client_cost_usd_total: {
        type: 'counter',
        help: 'Cost at list price in USD, by cost kind (input, cached_input, cache_write, output, reasoning).',
        unit: '{USD}',
      },
      aimon_client_cost_effective_usd_total: {
        type: 'counter',
        help: 'Billed amount converted to USD at the configured rate: what the calls really cost.',
        unit: '{USD}',
      },
      aimon_client_unpriced_calls_total: {
        type: 'counter',
        help: 'Successful calls that could not be priced, by reason (unknown_model, usage_missing, no_model).',
        unit: '{call}',
      },
    });

    const common = {
      gen_ai_provider_name: 'openai',
      server_address: '127.0.0.1',
      server_port: String(upstream.port),
      otel_scope_name: '@aimon/otel',
    };
    const gpt = { ...common, gen_ai_operation_name: 'chat', gen_ai_request_model: 'gpt-4.1', gen_ai_response_model: 'gpt-4.1' };
    const ds = { ...common, gen_ai_operation_name: 'chat', gen_ai_request_model: 'deepseek-v3.2', gen_ai_response_model: 'deepseek-v3.2' };
    const emb = {
      ...common,
      gen_ai_operation_name: 'embeddings',
      gen_ai_request_model: 'text-embedding-3-small',
      gen_ai_response_model: 'text-embedding-3-small',
    };
    const err = { ...common, gen_ai_operation_name: 'chat', gen_ai_request_model: 'gpt-4.1' };
    const o4 = { ...common, gen_ai_operation_name: 'chat', gen_ai_request_model: 'o4-mini', gen_ai_response_model: 'o4-mini' };
    const k = (name: string, labels: Record<string, string>) => seriesKey({ name, labels, value: 0 });
    const dur = 'gen_ai_client_operation_duration_seconds';
    const ttfc = 'gen_ai_client_operation_time_to_first_chunk_seconds';
    const tpoc = 'gen_ai_client_operation_time_per_output_chunk_seconds';
    const tok = 'gen_ai_client_token_usage';

    expect(deterministic(e)).toEqual({
      // One duration per call: JSON chat and stream (gpt-4.1), stream (deepseek), embeddings, the 429, o4-mini.
      [k(`${dur}_count`, { ...o4, aimon_outcome: 'completed' })]: 1,
      [k(`${dur}_bucket`, { ...o4, aimon_outcome: 'completed', le: '+Inf' })]: 1,
      [k(`${dur}_count`, { ...gpt, aimon_outcome: 'completed' })]: 2,
      [k(`${dur}_bucket`, { ...gpt, aimon_outcome: 'completed', le: '+Inf' })]: 2,
      [k(`${dur}_count`, { ...ds, aimon_outcome: 'completed' })]: 1,
      [k(`${dur}_bucket`, { ...ds, aimon_outcome: 'completed', le: '+Inf' })]: 1,
      [k(`${dur}_count`, { ...emb, aimon_outcome: 'completed' })]: 1,
      [k(`${dur}_bucket`, { ...emb, aimon_outcome: 'completed', le: '+Inf' })]: 1,
      [k(`${dur}_count`, { ...err, aimon_outcome: 'error', error_type: '429' })]: 1,
      [k(`${dur}_bucket`, { ...err, aimon_outcome: 'error', error_type: '429', le: '+Inf' })]: 1,
      // Streams: one first-chunk time each, ten intervals each (11 output chunks).
      [k(`${ttfc}_count`, gpt)]: 1,
      [k(`${ttfc}_bucket`, { ...gpt, le: '+Inf' })]: 1,
      [k(`${ttfc}_count`, ds)]: 1,
      [k(`${ttfc}_bucket`, { ...ds, le: '+Inf' })]: 1,
      [k(`${tpoc}_count`, gpt)]: 10,
      [k(`${tpoc}_bucket`, { ...gpt, le: '+Inf' })]: 10,
      [k(`${tpoc}_count`, ds)]: 10,
      [k(`${tpoc}_bucket`, { ...ds, le: '+Inf' })]: 10,
      // Tokens: 3 in / 10 out per gpt-4.1 call (JSON and stream with usage); the deepseek stream had none.
      [k(`${tok}_count`, { ...gpt, gen_ai_token_type: 'input' })]: 2,
      [k(`${tok}_sum`, { ...gpt, gen_ai_token_type: 'input' })]: 6,
      ...bucketSeries(tok, { ...gpt, gen_ai_token_type: 'input' }, TOKEN_BUCKETS, [3, 3]),
      [k(`${tok}_count`, { ...gpt, gen_ai_token_type: 'output' })]: 2,
      [k(`${tok}_sum`, { ...gpt, gen_ai_token_type: 'output' })]: 20,
      ...bucketSeries(tok, { ...gpt, gen_ai_token_type: 'output' }, TOKEN_BUCKETS, [10, 10]),
      [k(`${tok}_count`, { ...emb, gen_ai_token_type: 'input' })]: 1,
      [k(`${tok}_sum`, { ...emb, gen_ai_token_type: 'input' })]: 3,
      ...bucketSeries(tok, { ...emb, gen_ai_token_type: 'input' }, TOKEN_BUCKETS, [3]),
      [k(`${tok}_count`, { ...o4, gen_ai_token_type: 'input' })]: 1,
      [k(`${tok}_sum`, { ...o4, gen_ai_token_type: 'input' })]: 3,
      ...bucketSeries(tok, { ...o4, gen_ai_token_type: 'input' }, TOKEN_BUCKETS, [3]),
      [k(`${tok}_count`, { ...o4, gen_ai_token_type: 'output' })]: 1,
      [k(`${tok}_sum`, { ...o4, gen_ai_token_type: 'output' })]: 10,
      ...bucketSeries(tok, { ...o4, gen_ai_token_type: 'output' }, TOKEN_BUCKETS, [10]),
      // Subsets of the o4-mini tokens above, on their own counter (zero subsets add nothing).
      [k('aimon_client_token_detail_total', { ...o4, aimon_token_detail: 'cache_read' })]: 1,
      [k('aimon_client_token_detail_total', { ...o4, aimon_token_detail: 'reasoning' })]: 5,
      [k('aimon_client_usage_missing_total', { ...ds, gen_ai_request_stream: 'true', aimon_outcome: 'completed' })]: 1,
    });

    // Cost: every priced call's models, positive amounts; the stream without usage is counted unpriced.
    const cost = e.samples.filter((x) => isCost(x.name));
    expect([...new Set(cost.filter((x) => x.name === 'aimon_client_cost_usd_total').map((x) => x.labels.gen_ai_request_model))].sort()).toEqual([
      'gpt-4.1',
      'o4-mini',
      'text-embedding-3-small',
    ]);
    for (const x of cost.filter((y) => y.name !== 'aimon_client_unpriced_calls_total')) expect(x.value).toBeGreaterThan(0);
    expect(
      cost.filter((x) => x.name === 'aimon_client_unpriced_calls_total').map((x) => [x.labels.gen_ai_request_model, x.labels.aimon_unpriced_reason, x.value]),
    ).toEqual([['deepseek-v3.2', 'usage_missing', 1]]);

    // Timing series: the advised boundaries, cumulative counts, plausible sums.
    for (const name of SECONDS_HISTOGRAMS) {
      const buckets = e.samples.filter((s) => s.name === `${name}_bucket`);
      const les = [...new Set(buckets.map((s) => s.labels.le))];
      expect(les).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
      for (const s of e.samples.filter((x) => x.name === `${name}_sum`)) {
        expect(s.value).toBeGreaterThanOrEqual(0);
        expect(s.value).toBeLessThan(30);
      }
    }
    // No series without the unit suffix on the seconds histograms.
    expect(e.samples.some((s) => /^gen_ai_client_operation_(duration|time_to_first_chunk|time_per_output_chunk)_(count|sum|bucket)$/.test(s.name))).toBe(false);
    // target_info carries the resource.
    const target = e.samples.find((s) => s.name === 'target_info')!;
    expect(target.labels).toMatchObject({ service_name: `unknown_service:${process.execPath}`, telemetry_sdk_language: 'nodejs' });
  });

  it('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES keep their meaning', async () => {
    const { text } = await runAndScrape('chat.mjs', {
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
    });
    const target = parseExposition(text).samples.find((s) => s.name === 'target_info')!;
    expect(target.labels).toMatchObject({ service_name: 'checkout', deployment_environment: 'test' });
  });

  it('a CJS app gets the same series', async () => {
    const esm = await runAndScrape('chat.mjs');
    const cjs = await runAndScrape('chat.cjs');
    expect(cjs.ready).toMatchObject({ wrapped: true, cjs: true, chunks: 23, errors: [429] });
    expect(deterministic(parseExposition(cjs.text))).toEqual(deterministic(parseExposition(esm.text)));
  });
});
