/**
 * gen_ai.client.operation.time_per_output_chunk, aggregated by us.
 *
 * The conventions record this histogram once per output chunk. Through the
 * metrics SDK every record re-hashes the attribute set (sorting and
 * stringifying it), which costs 2-3 µs per chunk: most of our CPU on a
 * 50-chunk stream. Here an exchange binds its attribute set once, each chunk
 * then costs a bucket search and three additions, and the result is handed
 * to the SDK's readers as a MetricProducer: the same cumulative histogram,
 * exported by the same exporters, with the advised buckets.
 *
 * Used when we own the readers (register, the proxy). An instrumentation
 * plugged into someone else's SDK records through the ordinary instrument.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { DURATION_BUCKETS } from './semconv.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

interface Series {
  attributes: Attributes;
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface ChunkMetricName {
  /** Exported name (already adjusted for the embedded Prometheus path when needed). */
  name: string;
  description: string;
}

/** Stable key of an attribute set: sorted keys, so equal sets share one series. */
function keyOf(attrs: Attributes): string {
  const keys = Object.keys(attrs).sort();
  let k = '';
  for (const name of keys) k += `${name}\u0000${String(attrs[name])}\u0001`;
  return k;
}

export class ChunkIntervalHistogram implements MetricProducer {
  private readonly series = new Map<string, Series>();
  private readonly startTime: HrTime = hrTime();
  private readonly boundaries = DURATION_BUCKETS;

  constructor(private readonly names: readonly ChunkMetricName[]) {}

  /** A recorder for one attribute set; the set is hashed here, once. */
  bind(attributes: Attributes): (seconds: number) => void {
    const key = keyOf(attributes);
    let s = this.series.get(key);
    if (s === undefined) {
      s = {
        attributes: { ...attributes },
        counts: new Array<number>(this.boundaries.length + 1).fill(0),
        sum: 0,
        count: 0,
        min: Infinity,
        max: -Infinity,
      };
      this.series.set(key, s);
    }
    const series = s;
    const b = this.boundaries;
    return (v: number) => {
      // Bounds are inclusive upper bounds, as in the SDK's histogram aggregation.
      let i = 0;
      while (i < b.length && v > b[i]!) i++;
      series.counts[i]!++;
      series.sum += v;
      series.count++;
      if (v < series.min) series.min = v;
      if (v > series.max) series.max = v;
    };
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const dataPoints: DataPoint<Histogram>[] = [];
    for (const s of this.series.values()) {
      dataPoints.push({
        startTime: this.startTime,
        endTime,
        attributes: s.attributes,
        value: {
          buckets: { boundaries: [...this.boundaries], counts: [...s.counts] },
          sum: s.sum,
          count: s.count,
          min: s.min,
          max: s.max,
        },
      });
    }
    const metrics: MetricData[] =
      dataPoints.length === 0
        ? []
        : this.names.map((n) => ({
            descriptor: { name: n.name, description: n.description, unit: 's', valueType: ValueType.DOUBLE },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints,
          }));
    return {
      resourceMetrics: {
        // Ignored by the readers: they keep the SDK's resource.
        resource: emptyResource(),
        scopeMetrics: metrics.length === 0 ? [] : [{ scope: { name: PACKAGE_NAME, version: PACKAGE_VERSION }, metrics }],
      },
      errors: [],
    };
  }
}
