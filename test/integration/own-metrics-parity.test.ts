/**
 * Our own aggregation (OwnMetrics, as register and the proxy use it) and the
 * SDK's instruments (an AimonInstrumentation plugged into someone else's
 * MeterProvider) must export the same metrics: same descriptors, same series
 * (attribute sets), same counts, sums and token buckets, for the same calls.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataPointType, MeterProvider, type MetricData } from '@opentelemetry/sdk-metrics';
import { AimonInstrumentation, OwnMetrics } from '../../src/index.js';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { flattenMetrics, OnDemandReader } from '../helpers/harness.js';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream({ chunkDelayMs: 1 });
});
afterAll(async () => {
  await up.close();
});

function setup(own: boolean) {
  const ownMetrics = own ? new OwnMetrics() : undefined;
  const reader = new OnDemandReader(ownMetrics !== undefined ? [ownMetrics] : []);
  const inst = new AimonInstrumentation({ hosts: [`127.0.0.1:${up.port}`], enabled: false, tracing: false, ownMetrics });
  inst.setMeterProvider(new MeterProvider({ readers: [reader] }));
  const client = new OpenAI({ baseURL: up.baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: inst.wrap(globalThis.fetch) });
  return {
    client,
    async metrics(): Promise<MetricData[]> {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      return flattenMetrics(resourceMetrics);
    },
  };
}

const MESSAGES = [{ role: 'user' as const, content: 'hello there' }];

async function traffic(client: OpenAI): Promise<void> {
  const ignore = (p: Promise<unknown>) => p.then(
    () => undefined,
    () => undefined,
  );
  for (const scenario of ['ok', 'cached', 'no-usage', 'deepseek-usage', 'rate-limit', 'server-error', 'html-502', 'truncated-json']) {
    await ignore(client.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': scenario } }));
  }
  for (const scenario of ['ok', 'cached', 'no-usage', 'reset-mid-stream', 'error-event']) {
    await ignore(
      (async () => {
        const s = await client.chat.completions.create(
          { model: 'deepseek-v3.2', messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
          { headers: { 'x-fake-scenario': scenario } },
        );
        for await (const _ of s) void _;
      })(),
    );
  }
  await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
  await ignore(client.chat.completions.create({ model: 'not-a-priced-model', messages: MESSAGES }));
}

/** A comparable view of a metric: descriptor and, per series, counts and sums (durations vary, so only their counts). */
function view(m: MetricData) {
  const timing = m.descriptor.unit === 's';
  const points = m.dataPoints
    .map((p) => {
      const v = p.value as number | { count: number; sum?: number; buckets: { counts: number[] } };
      const value =
        typeof v === 'number' ? Number(v.toPrecision(12)) : timing ? { count: v.count } : { count: v.count, sum: v.sum, counts: v.buckets.counts };
      return { attributes: JSON.stringify(Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : 1))), value };
    })
    .sort((a, b) => (a.attributes < b.attributes ? -1 : 1));
  // The public descriptor and data shape (the SDK's internal instrument type is not part of it).
  const { name, unit, description, valueType } = m.descriptor;
  const monotonic = m.dataPointType === DataPointType.SUM ? m.isMonotonic : undefined;
  return { name, unit, description, valueType, dataPointType: m.dataPointType, monotonic, temporality: m.aggregationTemporality, points };
}

describe('OwnMetrics and the SDK instruments export the same metrics', () => {
  it('same descriptors, series, counts and sums after the same calls', async () => {
    const sdk = setup(false);
    const own = setup(true);
    await traffic(sdk.client);
    await traffic(own.client);
    const a = (await sdk.metrics()).map(view).sort((x, y) => (x.name < y.name ? -1 : 1));
    const b = (await own.metrics()).map(view).sort((x, y) => (x.name < y.name ? -1 : 1));
    // Non-trivial: cost, unpriced, usage-missing, token detail and chunk timing all present.
    expect(a.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        'aimon.client.cost.usd',
        'aimon.client.unpriced.calls',
        'aimon.client.usage.missing',
        'aimon.client.token.detail',
        'gen_ai.client.operation.time_per_output_chunk',
        'gen_ai.client.token.usage',
      ]),
    );
    expect(b).toEqual(a);
  });
});
