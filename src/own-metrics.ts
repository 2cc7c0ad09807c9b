/**
 * Our own aggregation of the metrics we record, exported as a MetricProducer.
 *
 * Through the metrics SDK every record re-hashes its attribute set (sorting
 * the keys and stringifying them): 5-8 µs per record, and an exchange records
 * six or more times at its end (duration, two token counts, cost per kind,
 * effective cost) plus once per stream chunk. That hashing was most of our
 * CPU per call. Here the telemetry edge binds a recorder per attribute set
 * once (bind(): the series is looked up at the first value) and then adds
 * to it directly; an unbound record() keys the set in the order given, and
 * only a new key is canonicalised (sorted), so two equal sets built in a
 * different order share one series.
 *
 * The result is handed to the SDK's readers as a MetricProducer: the same
 * cumulative sums and histograms (advised buckets, min and max) that the SDK
 * would produce, exported by the same exporters. Views do not apply to a
 * producer's output, so the exported name is chosen at creation (see
 * naming.ts: the embedded Prometheus path renames to the Collector's names).
 * Cardinality is bounded upstream by the label caps (cardinality.ts).
 *
 * Used when we own the readers (register, the proxy). An instrumentation
 * plugged into someone else's SDK records through ordinary instruments.
 */
import { diag, ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram as HistogramValue,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { InstrumentKind } from './naming.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** Exported name of an instrument (identity unless the embedded Prometheus path renames it). */
export type ExportName = (name: string, unit: string, kind: InstrumentKind) => string;

interface HistogramOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

/** Insertion-order key of an attribute set: cheap, but equal sets may differ in order. */
function fastKey(attrs: Attributes): string {
  let k = '';
  for (const name in attrs) k += `${name}\u0000${String(attrs[name])}\u0001`;
  return k;
}

/** Sorted-key form: equal sets, one key. */
function canonicalKey(attrs: Attributes): string {
  let k = '';
  for (const name of Object.keys(attrs).sort()) k += `${name}\u0000${String(attrs[name])}\u0001`;
  return k;
}

/** Series of one instrument, found by either key form. */
class SeriesMap<S> {
  private readonly byFast = new Map<string, S>();
  private readonly byCanonical = new Map<string, S>();
  constructor(private readonly create: (attrs: Attributes) => S) {}

  get(attrs: Attributes): S {
    const fk = fastKey(attrs);
    let s = this.byFast.get(fk);
    if (s !== undefined) return s;
    const ck = canonicalKey(attrs);
    s = this.byCanonical.get(ck);
    if (s === undefined) {
      s = this.create({ ...attrs });
      this.byCanonical.set(ck, s);
    }
    this.byFast.set(fk, s);
    return s;
  }

  values(): IterableIterator<S> {
    return this.byCanonical.values();
  }

  get size(): number {
    return this.byCanonical.size;
  }
}

interface SumSeries {
  attributes: Attributes;
  value: number;
}

interface HistogramSeries {
  attributes: Attributes;
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

function usable(v: number, name: string): boolean {
  if (Number.isFinite(v) && v >= 0) return true;
  diag.debug(`${PACKAGE_NAME}: ${name}: ignored a negative or non-finite value`);
  return false;
}

export class OwnCounter {
  private readonly series = new SeriesMap<SumSeries>((attributes) => ({ attributes, value: 0 }));
  constructor(
    readonly name: string,
    readonly description: string,
    readonly unit: string,
  ) {}

  add(value: number, attributes: Attributes = {}): void {
    if (!usable(value, this.name)) return;
    this.series.get(attributes).value += value;
  }

  /** An adder for one attribute set, looked up once (at the first value, so no empty series is exported). */
  bind(attributes: Attributes): (value: number) => void {
    let s: SumSeries | undefined;
    return (v) => {
      // The common case inline (no call): a finite value >= 0.
      if (!(v >= 0 && v !== Infinity) && !usable(v, this.name)) return;
      s ??= this.series.get(attributes);
      s.value += v;
    };
  }

  /** @internal */
  collect(startTime: HrTime, endTime: HrTime): MetricData | undefined {
    if (this.series.size === 0) return undefined;
    const dataPoints: DataPoint<number>[] = [];
    for (const s of this.series.values()) dataPoints.push({ startTime, endTime, attributes: s.attributes, value: s.value });
    return {
      descriptor: { name: this.name, description: this.description, unit: this.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints,
    };
  }
}

export class OwnHistogram {
  private readonly series: SeriesMap<HistogramSeries>;
  constructor(
    readonly name: string,
    readonly description: string,
    readonly unit: string,
    private readonly boundaries: readonly number[],
  ) {
    this.series = new SeriesMap((attributes) => ({
      attributes,
      counts: new Array<number>(boundaries.length + 1).fill(0),
      sum: 0,
      count: 0,
      min: Infinity,
      max: -Infinity,
    }));
  }

  record(value: number, attributes: Attributes = {}): void {
    if (!usable(value, this.name)) return;
    this.add(this.series.get(attributes), value);
  }

  /** A recorder for one attribute set, looked up once (at the first value, so no empty series is exported). */
  bind(attributes: Attributes): (value: number) => void {
    let s: HistogramSeries | undefined;
    return (v) => {
      if (!(v >= 0 && v !== Infinity) && !usable(v, this.name)) return;
      s ??= this.series.get(attributes);
      this.add(s, v);
    };
  }

  private add(s: HistogramSeries, v: number): void {
    // Bounds are inclusive upper bounds, as in the SDK's histogram aggregation.
    const b = this.boundaries;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    s.counts[i]!++;
    s.sum += v;
    s.count++;
    if (v < s.min) s.min = v;
    if (v > s.max) s.max = v;
  }

  /** @internal */
  collect(startTime: HrTime, endTime: HrTime): MetricData | undefined {
    if (this.series.size === 0) return undefined;
    const dataPoints: DataPoint<HistogramValue>[] = [];
    for (const s of this.series.values()) {
      dataPoints.push({
        startTime,
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
    return {
      descriptor: { name: this.name, description: this.description, unit: this.unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    };
  }
}

/** The SDK's default buckets, for a histogram created without advice. */
const DEFAULT_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/**
 * Creates instruments the way a Meter does (the subset we use), aggregates
 * them, and exports them to every reader it is registered on.
 */
export class OwnMetrics implements MetricProducer {
  private readonly startTime: HrTime = hrTime();
  /** By exported name: creating an instrument again returns the same one, as a Meter does. */
  private readonly instruments = new Map<string, OwnCounter | OwnHistogram>();

  constructor(private readonly exportName: ExportName = (name) => name) {}

  createHistogram(name: string, options: HistogramOptions = {}): OwnHistogram {
    const unit = options.unit ?? '';
    const exported = this.exportName(name, unit, 'histogram');
    const existing = this.instruments.get(exported);
    if (existing instanceof OwnHistogram) return existing;
    const h = new OwnHistogram(exported, options.description ?? '', unit, options.advice?.explicitBucketBoundaries ?? DEFAULT_BUCKETS);
    this.instruments.set(exported, h);
    return h;
  }

  createCounter(name: string, options: { description?: string; unit?: string } = {}): OwnCounter {
    const unit = options.unit ?? '';
    const exported = this.exportName(name, unit, 'counter');
    const existing = this.instruments.get(exported);
    if (existing instanceof OwnCounter) return existing;
    const c = new OwnCounter(exported, options.description ?? '', unit);
    this.instruments.set(exported, c);
    return c;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const metrics: MetricData[] = [];
    for (const inst of this.instruments.values()) {
      const m = inst.collect(this.startTime, endTime);
      if (m !== undefined) metrics.push(m);
    }
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
