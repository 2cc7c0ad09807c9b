import { describe, expect, it } from 'vitest';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { OwnMetrics } from '../src/own-metrics.js';
import { DURATION_BUCKETS } from '../src/semconv.js';

/** Deterministic values, including exact bucket bounds (inclusive upper bounds). */
function values(): number[] {
  const out: number[] = [0, 0.01, 0.02, 81.92, 100, ...DURATION_BUCKETS];
  let x = 12345;
  for (let i = 0; i < 500; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push((x / 2147483648) * 3);
  }
  return out;
}

function setup(ours: OwnMetrics) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, metricProducers: [ours] });
  const meter = new MeterProvider({ readers: [reader] }).getMeter('t');
  return {
    meter,
    async metrics(): Promise<MetricData[]> {
      await reader.forceFlush();
      return exporter.getMetrics().at(-1)!.scopeMetrics.flatMap((s) => s.metrics);
    },
  };
}

describe('OwnMetrics', () => {
  it('aggregates a histogram exactly as the SDK does with the same buckets, one series per attribute set', async () => {
    const ours = new OwnMetrics();
    const { meter, metrics } = setup(ours);
    const opts = { unit: 's', description: 'd', advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
    const sdk = meter.createHistogram('sdk.h', opts);
    const own = ours.createHistogram('x.h', opts);
    const a = { model: 'a', op: 'chat' };
    const b = { op: 'chat', model: 'b' };
    const recA = own.bind(a);
    // An equal set with its keys in another order shares the series, bound or not.
    const aSwapped = { op: 'chat', model: 'a' };
    values().forEach((v, i) => {
      const attrs = i % 3 === 2 ? b : a;
      sdk.record(v, attrs);
      if (i % 3 === 2) own.record(v, b);
      else if (i % 2 === 0) recA(v);
      else own.record(v, aSwapped);
    });
    const all = await metrics();
    const sdkM = all.find((m) => m.descriptor.name === 'sdk.h')!;
    const ourM = all.find((m) => m.descriptor.name === 'x.h')!;
    expect(ourM.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(ourM.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(ourM.descriptor).toMatchObject({ name: 'x.h', description: 'd', unit: 's' });
    expect(ourM.dataPoints).toHaveLength(2);
    for (const attrs of [a, b]) {
      const s = sdkM.dataPoints.find((d) => d.attributes.model === attrs.model)!.value as Histogram;
      const o = ourM.dataPoints.find((d) => d.attributes.model === attrs.model)!.value as Histogram;
      expect(o.buckets).toEqual(s.buckets);
      expect(o.count).toBe(s.count);
      expect(o.sum).toBeCloseTo(s.sum, 9);
      expect(o.min).toBe(s.min);
      expect(o.max).toBe(s.max);
    }
  });

  it('aggregates a counter exactly as the SDK does (monotonic cumulative sum)', async () => {
    const ours = new OwnMetrics();
    const { meter, metrics } = setup(ours);
    const sdk = meter.createCounter('sdk.c', { unit: '{token}', description: 'c' });
    const own = ours.createCounter('x.c', { unit: '{token}', description: 'c' });
    values().forEach((v, i) => {
      const attrs = i % 2 === 0 ? { k: 'x', n: 1 } : { n: 1, k: 'y' };
      sdk.add(v * 1000, attrs);
      own.add(v * 1000, i % 4 === 0 ? { n: 1, k: 'x' } : attrs);
    });
    const all = await metrics();
    const s = all.find((m) => m.descriptor.name === 'sdk.c')!;
    const o = all.find((m) => m.descriptor.name === 'x.c')!;
    expect(o.dataPointType).toBe(DataPointType.SUM);
    expect(o.dataPointType === DataPointType.SUM && o.isMonotonic).toBe(true);
    expect(o.descriptor).toMatchObject({ unit: '{token}', description: 'c' });
    expect(o.dataPoints).toHaveLength(2);
    for (const k of ['x', 'y']) {
      const sv = s.dataPoints.find((d) => d.attributes.k === k)!.value as number;
      const ov = o.dataPoints.find((d) => d.attributes.k === k)!.value as number;
      expect(ov).toBeCloseTo(sv, 6);
      expect(ov).toBeGreaterThan(0);
    }
  });

  it('ignores negative and non-finite values, as the SDK counter does', async () => {
    const ours = new OwnMetrics();
    const c = ours.createCounter('c');
    const h = ours.createHistogram('h');
    c.add(5, { a: 1 });
    for (const bad of [-1, NaN, Infinity]) {
      c.add(bad, { a: 1 });
      h.record(bad, { a: 1 });
      h.bind({ a: 2 })(bad);
    }
    const m = (await ours.collect()).resourceMetrics.scopeMetrics[0]!.metrics;
    expect(m.find((x) => x.descriptor.name === 'c')!.dataPoints[0]!.value).toBe(5);
    // No empty series either (a histogram series without a value would export min = Infinity).
    expect(m.find((x) => x.descriptor.name === 'h')).toBeUndefined();
  });

  it('names instruments through the export-name function and returns the same instrument when created twice', async () => {
    const ours = new OwnMetrics((name, unit, kind) => `${name.replaceAll('.', '_')}_${kind}_${unit}`);
    const a = ours.createCounter('gen_ai.x', { unit: 'u' });
    const b = ours.createCounter('gen_ai.x', { unit: 'u' });
    expect(b).toBe(a);
    a.add(1);
    b.add(2);
    const m = (await ours.collect()).resourceMetrics.scopeMetrics[0]!.metrics;
    expect(m.map((x) => [x.descriptor.name, x.dataPoints[0]!.value])).toEqual([['gen_ai_x_counter_u', 3]]);
  });

  it('exports nothing before the first record', async () => {
    const ours = new OwnMetrics();
    ours.createHistogram('x.h');
    const r = await ours.collect();
    expect(r.resourceMetrics.scopeMetrics).toEqual([]);
  });
});
