/**
 * In-process test harness: the real AimonInstrumentation on real OTel SDK
 * parts (NodeTracerProvider + SimpleSpanProcessor + InMemorySpanExporter, an
 * AsyncLocalStorage context manager, a MeterProvider with a reader collected on
 * demand) against the fake upstream on port 0.
 *
 * `useHarness()` registers the vitest hooks: one upstream per file, a fresh
 * instrumentation, meter provider and span list per test, and globalThis.fetch
 * restored after each test.
 */
import { context, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { AimonInstrumentation, type AimonInstrumentationConfig } from '../../src/instrumentation.js';
import { startFakeUpstream, type FakeUpstream, type UpstreamOptions } from '../../src/sim/upstream.js';

/** A reader with no timer: tests call collect() when they want the numbers. */
export class OnDemandReader extends MetricReader {
  constructor(metricProducers: MetricProducer[] = []) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface HarnessOptions {
  upstream?: UpstreamOptions;
  /** Extra instrumentation options; `hosts` defaults to the upstream's 127.0.0.1:<port>. */
  instrumentation?: (upstream: FakeUpstream) => AimonInstrumentationConfig;
}

export interface Harness {
  readonly upstream: FakeUpstream;
  readonly instrumentation: AimonInstrumentation;
  readonly tracerProvider: NodeTracerProvider;
  readonly exporter: InMemorySpanExporter;
  readonly meterProvider: MeterProvider;
  readonly reader: OnDemandReader;
  /** The fetch that was global before any test ran. */
  readonly originalFetch: typeof globalThis.fetch;
  /** Finished spans so far in this test. */
  spans(): ReadableSpan[];
  /** Finished spans of our instrumentation scope. */
  genAiSpans(): ReadableSpan[];
  /** Collects every metric now. */
  metrics(): Promise<MetricData[]>;
  metric(name: string): Promise<MetricData | undefined>;
}

export const SCOPE_NAME = '@aimon/otel';

/** Instrumentation options without cost: tests of the GenAI capture assert whole attribute objects, and cost has its own tests. */
export const NO_PRICING = (): AimonInstrumentationConfig => ({ pricing: false });

export function useHarness(options: HarnessOptions = {}): Harness {
  const state: Partial<Record<keyof Harness, unknown>> = {};
  let contextManager: AsyncLocalStorageContextManager | undefined;

  beforeAll(async () => {
    state.originalFetch = globalThis.fetch;
    state.upstream = await startFakeUpstream(options.upstream);
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    const exporter = new InMemorySpanExporter();
    state.exporter = exporter;
    state.tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });

  beforeEach(() => {
    (state.exporter as InMemorySpanExporter).reset();
    const upstream = state.upstream as FakeUpstream;
    upstream.requests.length = 0;
    const reader = new OnDemandReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const config: AimonInstrumentationConfig = {
      hosts: [`127.0.0.1:${upstream.port}`],
      ...(options.instrumentation?.(upstream) ?? {}),
    };
    const instrumentation = new AimonInstrumentation(config);
    instrumentation.setTracerProvider(state.tracerProvider as NodeTracerProvider);
    instrumentation.setMeterProvider(meterProvider);
    state.reader = reader;
    state.meterProvider = meterProvider;
    state.instrumentation = instrumentation;
  });

  afterEach(async () => {
    (state.instrumentation as AimonInstrumentation | undefined)?.disable();
    globalThis.fetch = state.originalFetch as typeof globalThis.fetch;
    await (state.meterProvider as MeterProvider | undefined)?.shutdown();
  });

  afterAll(async () => {
    globalThis.fetch = state.originalFetch as typeof globalThis.fetch;
    await (state.upstream as FakeUpstream | undefined)?.close();
    await (state.tracerProvider as NodeTracerProvider | undefined)?.shutdown();
    contextManager?.disable();
    context.disable();
    trace.disable();
  });

  const get = <K extends keyof Harness>(k: K): Harness[K] => {
    if (state[k] === undefined) throw new Error(`harness: ${String(k)} used outside a test`);
    return state[k] as Harness[K];
  };
  const harness: Harness = {
    get upstream() {
      return get('upstream');
    },
    get instrumentation() {
      return get('instrumentation');
    },
    get tracerProvider() {
      return get('tracerProvider');
    },
    get exporter() {
      return get('exporter');
    },
    get meterProvider() {
      return get('meterProvider');
    },
    get reader() {
      return get('reader');
    },
    get originalFetch() {
      return get('originalFetch');
    },
    spans: () => get('exporter').getFinishedSpans(),
    genAiSpans: () => get('exporter').getFinishedSpans().filter((s) => s.instrumentationScope.name === SCOPE_NAME),
    async metrics() {
      const { resourceMetrics, errors } = await get('reader').collect();
      if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
      return flattenMetrics(resourceMetrics);
    },
    async metric(name: string) {
      return (await harness.metrics()).find((m) => m.descriptor.name === name);
    },
  };
  return harness;
}

export function flattenMetrics(rm: ResourceMetrics): MetricData[] {
  return rm.scopeMetrics.flatMap((s) => s.metrics);
}

/** The descriptor as the tests assert it: name, unit, type, description. */
export function descriptorOf(m: MetricData): { name: string; unit: string; type: string; description: string } {
  return { name: m.descriptor.name, unit: m.descriptor.unit, type: m.descriptor.type, description: m.descriptor.description };
}

export interface HistogramPoint {
  attributes: Attributes;
  count: number;
  sum: number;
  boundaries: number[];
  counts: number[];
}

/** Histogram points (attributes, count, sum, buckets), sorted by attributes for stable comparison. */
export function histogramPoints(m: MetricData | undefined): HistogramPoint[] {
  if (m === undefined) return [];
  if (m.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${m.descriptor.name} is not a histogram`);
  return sortByAttributes(
    (m.dataPoints as DataPoint<Histogram>[]).map((p) => ({
      attributes: p.attributes,
      count: p.value.count,
      sum: p.value.sum ?? NaN,
      boundaries: p.value.buckets.boundaries,
      counts: p.value.buckets.counts,
    })),
  );
}

/** Sum points (attributes, value), sorted by attributes. */
export function sumPoints(m: MetricData | undefined): Array<{ attributes: Attributes; value: number }> {
  if (m === undefined) return [];
  if (m.dataPointType !== DataPointType.SUM) throw new Error(`${m.descriptor.name} is not a sum`);
  return sortByAttributes((m.dataPoints as DataPoint<number>[]).map((p) => ({ attributes: p.attributes, value: p.value })));
}

function sortByAttributes<T extends { attributes: Attributes }>(xs: T[]): T[] {
  const key = (a: Attributes) => JSON.stringify(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1)));
  return xs.sort((a, b) => (key(a.attributes) < key(b.attributes) ? -1 : 1));
}

/** Span attributes without the timing values, which tests check separately. */
export const TIMING_ATTRIBUTES = ['gen_ai.response.time_to_first_chunk'] as const;

export function stableAttributes(span: ReadableSpan): Attributes {
  const out: Attributes = { ...span.attributes };
  for (const k of TIMING_ATTRIBUTES) delete out[k];
  return out;
}

/** Span duration in seconds. */
export function spanSeconds(span: ReadableSpan): number {
  return span.duration[0] + span.duration[1] / 1e9;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds (polling), or fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
