import { describe, expect, it } from 'vitest';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { ChunkIntervalHistogram } from '../src/chunk-intervals.js';
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

describe('ChunkIntervalHistogram', () => {
  it('aggregates exactly as the SDK histogram with the same buckets, one series per attribute set', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const ours = new ChunkIntervalHistogram([{ name: 'x.tpoc', description: 'd' }]);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, metricProducers: [ours] });
    const mp = new MeterProvider({ readers: [reader] });
    const sdk = mp.getMeter('t').createHistogram('sdk.tpoc', { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
    const a = { model: 'a', op: 'chat' };
    const b = { op: 'chat', model: 'b' };
    const recA = ours.bind(a);
    const recB = ours.bind(b);
    // A second bind of an equal set (keys in another order) shares the series.
    const recA2 = ours.bind({ op: 'chat', model: 'a' });
    values().forEach((v, i) => {
      const attrs = i % 3 === 2 ? b : a;
      sdk.record(v, attrs);
      (i % 3 === 2 ? recB : i % 2 === 0 ? recA : recA2)(v);
    });
    await reader.forceFlush();
    const metrics = exporter.getMetrics().at(-1)!.scopeMetrics.flatMap((s) => s.metrics);
    const sdkM = metrics.find((m) => m.descriptor.name === 'sdk.tpoc')!;
    const ourM = metrics.find((m) => m.descriptor.name === 'x.tpoc')!;
    expect(ourM.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(ourM.descriptor).toMatchObject({ name: 'x.tpoc', description: 'd', unit: 's' });
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

  it('exports nothing before the first record', async () => {
    const ours = new ChunkIntervalHistogram([{ name: 'x.tpoc', description: 'd' }]);
    const r = await ours.collect();
    expect(r.resourceMetrics.scopeMetrics).toEqual([]);
  });
});
