/**
 * The telemetry edge: the one place that creates instruments, starts and ends
 * GenAI spans and records metrics for an exchange. Metric attributes are built
 * from an allow-list, and every free-form label goes through a LabelCap.
 */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type DiagLogger,
  type Histogram as OtelHistogram,
  type MetricOptions,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { Attribution, ATTRIBUTE_PREFIX } from './attribution.js';
import { LabelCap } from './cardinality.js';
import type { AimonConfig, SemconvMode } from './config.js';
import type { Exchange, ExchangeResult, ExchangeSink } from './exchange.js';
import { KeyedCache } from './keyed-cache.js';
import { OwnCounter, OwnHistogram, type OwnMetrics } from './own-metrics.js';
import { convert } from './cost/billing.js';
import { computeCost, findPrice, type CostKind } from './cost/compute.js';
import type { Pricing, Quote } from './pricing.js';
import type { Target } from './hosts.js';
import { INSTRUMENTS, LATEST_INSTRUMENTS, type InstrumentDescriptor } from './instruments.js';
import * as sc from './semconv.js';
import type { RequestParams, Usage } from './types.js';

/** What we use of an instrument: an OTel instrument or one of ours (own-metrics.ts). */
type Histogram = Pick<OtelHistogram, 'record'>;
type Adder = Pick<Counter, 'add'>;

/** What we use of a Meter: an OTel Meter or our own aggregation. */
export interface MeterLike {
  createHistogram(name: string, options?: MetricOptions): Histogram;
  createCounter(name: string, options?: MetricOptions): Adder;
}

interface LatestInstruments {
  inferenceDuration: Histogram;
  ttfc: Histogram;
  tpoc: Histogram;
  inputTokens: Adder;
  outputTokens: Adder;
  cacheRead: Adder;
  cacheWrite: Adder;
  reasoning: Adder;
}

interface Instruments {
  /** gen_ai.client.operation.duration: every operation by default; embeddings only under the newest conventions. */
  duration: Histogram;
  /** v1.41.1 instruments (absent when only the newest conventions are emitted). */
  legacy: { tokens: Histogram; ttfc: Histogram; tpoc: Histogram } | undefined;
  latest: LatestInstruments | undefined;
  tokenDetail: Adder;
  usageMissing: Adder;
  costUsd: Adder;
  costBilled: Adder;
  costEffectiveUsd: Adder;
  unpricedCalls: Adder;
  unpricedTokens: Adder;
}

/** Per-exchange telemetry state, kept in Exchange.telemetry. */
interface ExState {
  /** The span, once started (at the request, or at the end when deferred). */
  span: Span | undefined;
  /** A deferred span's parent: the context the call was made in. */
  parent: Context | undefined;
  /** Attribution span attributes from baggage, read when the call started. */
  attributionSpan: Attributes | undefined;
  /** Recorders of this exchange's metric attribute set, once known (first chunk of a stream, else the end). */
  series: BaseSeries | undefined;
  /** Capped attribution labels from baggage, for token and cost metrics. */
  attribution: Attributes | undefined;
  /** time_per_output_chunk recorder for this exchange. */
  tpoc: Rec | undefined;
}

/** Records one value into one series. */
type Rec = (value: number) => void;

function bindHistogram(h: Histogram, attrs: Attributes): Rec {
  return h instanceof OwnHistogram ? h.bind(attrs) : (v) => h.record(v, attrs);
}

function bindCounter(c: Adder, attrs: Attributes): Rec {
  return c instanceof OwnCounter ? c.bind(attrs) : (v) => c.add(v, attrs);
}

function all(recs: Rec[]): Rec {
  if (recs.length === 1) return recs[0]!;
  return (v) => {
    for (const r of recs) r(v);
  };
}

/**
 * Every series an exchange records into, bound once per attribute set and
 * shared by all exchanges with that set: after the first call with a given
 * model, recording costs a few Map reads per value, with no attribute object
 * built, sorted or hashed (most of our CPU per call before). Built lazily;
 * dropped when the cache is full or the instruments change, and rebuilt into
 * the same series.
 */
class BaseSeries {
  private readonly recs = new KeyedCache<Rec>(1024);
  private readonly usage = new KeyedCache<UsageSeries>(256);
  private plainUsage: UsageSeries | undefined;
  /** The duration recorder of a completed call without error: most calls, so a field rather than a lookup. */
  private completed: Rec | undefined;
  private ttfcRec: Rec | undefined;
  private tpocRec: Rec | undefined;

  constructor(
    private readonly i: Instruments,
    /** operation, provider, server, request and response models. */
    readonly attrs: Attributes,
    private readonly inference: boolean,
  ) {}

  duration(outcome: string, errorType: string | undefined): Rec {
    if (outcome === 'completed' && errorType === undefined) return (this.completed ??= this.bindDuration(outcome, undefined));
    return this.recs.get(['duration', outcome, errorType], () => this.bindDuration(outcome, errorType));
  }

  private bindDuration(outcome: string, errorType: string | undefined): Rec {
    const a: Attributes = { ...this.attrs, [sc.ATTR_AIMON_OUTCOME]: outcome };
    if (errorType !== undefined) a[sc.ATTR_ERROR_TYPE] = errorType;
    const out: Rec[] = [];
    if (this.i.latest !== undefined && this.inference) out.push(bindHistogram(this.i.latest.inferenceDuration, a));
    if (this.i.legacy !== undefined || !this.inference) out.push(bindHistogram(this.i.duration, a));
    return all(out);
  }

  ttfc(): Rec {
    return (this.ttfcRec ??= all(this.chunkHistograms('ttfc')));
  }

  tpoc(): Rec {
    return (this.tpocRec ??= all(this.chunkHistograms('tpoc')));
  }

  private chunkHistograms(which: 'ttfc' | 'tpoc'): Rec[] {
    const out: Rec[] = [];
    for (const h of [this.i.legacy?.[which], this.i.latest?.[which]]) if (h !== undefined) out.push(bindHistogram(h, this.attrs));
    return out;
  }

  /** Token and cost series: the base attributes plus the attribution labels. */
  usageSeries(attribution: Attributes | undefined): UsageSeries {
    if (attribution === undefined) return (this.plainUsage ??= new UsageSeries(this.i, this.attrs));
    // Attribution keys come in configuration order, so the JSON is a stable key.
    return this.usage.get([JSON.stringify(attribution)], () => new UsageSeries(this.i, { ...this.attrs, ...attribution }));
  }
}

class UsageSeries {
  private readonly recs = new KeyedCache<Rec>(1024);
  /** Token recorders of every call with usage: fields rather than lookups. */
  private tokIn: Rec | undefined;
  private tokOut: Rec | undefined;
  private costRecs: CostRecorders | undefined;

  constructor(
    private readonly i: Instruments,
    readonly attrs: Attributes,
  ) {}

  private with(extra: Attributes): Attributes {
    return { ...this.attrs, ...extra };
  }

  tokens(u: Usage): void {
    const i = this.i;
    if (i.legacy !== undefined) {
      const h = i.legacy.tokens;
      if (u.inputTokens !== undefined) {
        (this.tokIn ??= bindHistogram(h, this.with({ [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_INPUT })))(u.inputTokens);
      }
      if (u.outputTokens !== undefined) {
        (this.tokOut ??= bindHistogram(h, this.with({ [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_OUTPUT })))(u.outputTokens);
      }
    }
    const l = i.latest;
    if (l !== undefined) {
      if (u.inputTokens !== undefined) this.latest(l.inputTokens, 'input')(u.inputTokens);
      if (u.outputTokens !== undefined) this.latest(l.outputTokens, 'output')(u.outputTokens);
      if (u.cacheReadTokens !== undefined) this.latest(l.cacheRead, 'cache_read')(u.cacheReadTokens);
      if (u.cacheCreationTokens !== undefined) this.latest(l.cacheWrite, 'cache_write')(u.cacheCreationTokens);
      if (u.reasoningTokens !== undefined) this.latest(l.reasoning, 'reasoning')(u.reasoningTokens);
    }
    // Zero subsets are skipped: adding 0 changes no total.
    if (u.cacheReadTokens) this.detail('cache_read')(u.cacheReadTokens);
    if (u.cacheCreationTokens) this.detail('cache_creation')(u.cacheCreationTokens);
    if (u.reasoningTokens) this.detail('reasoning')(u.reasoningTokens);
  }

  private latest(c: Adder, name: string): Rec {
    return this.recs.get(['latest', name], () => bindCounter(c, this.with({ [sc.ATTR_GEN_AI_TOKEN_MODALITY]: 'text' })));
  }

  private detail(kind: string): Rec {
    return this.recs.get(['detail', kind], () => bindCounter(this.i.tokenDetail, this.with({ [sc.ATTR_AIMON_TOKEN_DETAIL]: kind })));
  }

  usageMissing(streamed: boolean, outcome: string): void {
    this.recs.get(['missing', streamed, outcome], () =>
      bindCounter(this.i.usageMissing, this.with({ [sc.ATTR_GEN_AI_REQUEST_STREAM]: streamed, [sc.ATTR_AIMON_OUTCOME]: outcome })),
    )(1);
  }

  unpriced(reason: string, u: Usage | undefined): void {
    const i = this.i;
    this.recs.get(['unpriced', reason], () => bindCounter(i.unpricedCalls, this.with({ [sc.ATTR_AIMON_UNPRICED_REASON]: reason })))(1);
    const t = (type: string) =>
      this.recs.get(['unpricedTokens', reason, type], () =>
        bindCounter(i.unpricedTokens, this.with({ [sc.ATTR_AIMON_UNPRICED_REASON]: reason, [sc.ATTR_GEN_AI_TOKEN_TYPE]: type })),
      );
    if (u?.inputTokens !== undefined) t(sc.GEN_AI_TOKEN_TYPE_INPUT)(u.inputTokens);
    if (u?.outputTokens !== undefined) t(sc.GEN_AI_TOKEN_TYPE_OUTPUT)(u.outputTokens);
  }

  /** The cost recorders of one price-table version (kept while the version stays the same). */
  costRecorders(version: string): CostRecorders {
    let c = this.costRecs;
    if (c === undefined || c.version !== version) c = this.costRecs = new CostRecorders(this.i, this.attrs, version);
    return c;
  }
}

/** Cost series of one usage series and price-table version, each bound on first use. */
class CostRecorders {
  private readonly kinds = new Map<CostKind, Rec>();
  private readonly billedBy = new Map<string, Rec>();
  private effectiveRec: Rec | undefined;

  constructor(
    private readonly i: Instruments,
    private readonly attrs: Attributes,
    readonly version: string,
  ) {}

  private with(extra: Attributes): Attributes {
    return Object.assign({}, this.attrs, { [sc.ATTR_AIMON_PRICE_VERSION]: this.version }, extra);
  }

  kind(kind: CostKind): Rec {
    let r = this.kinds.get(kind);
    if (r === undefined) this.kinds.set(kind, (r = bindCounter(this.i.costUsd, this.with({ [sc.ATTR_AIMON_COST_KIND]: kind }))));
    return r;
  }

  billed(currency: string): Rec {
    let r = this.billedBy.get(currency);
    if (r === undefined) this.billedBy.set(currency, (r = bindCounter(this.i.costBilled, this.with({ [sc.ATTR_AIMON_COST_BILLED_CURRENCY]: currency }))));
    return r;
  }

  effective(): Rec {
    return (this.effectiveRec ??= bindCounter(this.i.costEffectiveUsd, this.with({})));
  }
}

/** Creates every instrument we record, from the lists of descriptors. */
export function createInstruments(meter: MeterLike, mode: SemconvMode = 'v1.41'): Instruments {
  const h = (d: InstrumentDescriptor): Histogram =>
    meter.createHistogram(d.name, {
      description: d.description,
      unit: d.unit,
      ...(d.buckets !== undefined ? { advice: { explicitBucketBoundaries: d.buckets } } : {}),
    });
  const c = (d: InstrumentDescriptor): Adder => meter.createCounter(d.name, { description: d.description, unit: d.unit });
  const L = LATEST_INSTRUMENTS;
  return {
    duration: h(INSTRUMENTS.duration),
    legacy: mode === 'latest' ? undefined : { tokens: h(INSTRUMENTS.tokens), ttfc: h(INSTRUMENTS.ttfc), tpoc: h(INSTRUMENTS.tpoc) },
    latest:
      mode === 'v1.41'
        ? undefined
        : {
            inferenceDuration: h(L.inferenceDuration),
            ttfc: h(L.ttfc),
            tpoc: h(L.tpoc),
            inputTokens: c(L.inputTokens),
            outputTokens: c(L.outputTokens),
            cacheRead: c(L.cacheRead),
            cacheWrite: c(L.cacheWrite),
            reasoning: c(L.reasoning),
          },
    tokenDetail: c(INSTRUMENTS.tokenDetail),
    usageMissing: c(INSTRUMENTS.usageMissing),
    costUsd: c(INSTRUMENTS.costUsd),
    costBilled: c(INSTRUMENTS.costBilled),
    costEffectiveUsd: c(INSTRUMENTS.costEffectiveUsd),
    unpricedCalls: c(INSTRUMENTS.unpricedCalls),
    unpricedTokens: c(INSTRUMENTS.unpricedTokens),
  };
}

/**
 * The span attributes a sampler may decide on, given at span creation (the
 * GenAI conventions list these as sampling-relevant). The other request
 * attributes are set with the response's, at the end (requestParamAttributes):
 * the SDK validates and copies creation attributes three times, and array
 * values (stop sequences, encoding formats) take its slowest paths.
 */
function creationSpanAttributes(target: Target, req: RequestParams | undefined): Attributes {
  const a: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: target.operation,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: target.endpoint.provider,
    [sc.ATTR_SERVER_ADDRESS]: target.serverAddress,
    [sc.ATTR_SERVER_PORT]: target.serverPort,
  };
  if (req?.model !== undefined) a[sc.ATTR_GEN_AI_REQUEST_MODEL] = req.model;
  return a;
}

/** The request's other span attributes, added to `a`. */
function requestParamAttributes(a: Attributes, target: Target, req: RequestParams | undefined): void {
  if (req === undefined) return;
  if (target.operation !== 'embeddings') a[sc.ATTR_GEN_AI_REQUEST_STREAM] = req.stream;
  if (req.maxTokens !== undefined) a[sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS] = req.maxTokens;
  if (req.temperature !== undefined) a[sc.ATTR_GEN_AI_REQUEST_TEMPERATURE] = req.temperature;
  if (req.topP !== undefined) a[sc.ATTR_GEN_AI_REQUEST_TOP_P] = req.topP;
  if (req.stopSequences !== undefined) a[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = req.stopSequences;
  if (req.seed !== undefined) a[sc.ATTR_GEN_AI_REQUEST_SEED] = req.seed;
  if (req.frequencyPenalty !== undefined) a[sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY] = req.frequencyPenalty;
  if (req.presencePenalty !== undefined) a[sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY] = req.presencePenalty;
  if (req.choiceCount !== undefined) a[sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = req.choiceCount;
  if (req.encodingFormats !== undefined) a[sc.ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = req.encodingFormats;
  // Present only when content capture is on (the parsers fill them then).
  if (req.inputMessages !== undefined) a[sc.ATTR_GEN_AI_INPUT_MESSAGES] = req.inputMessages;
  if (req.systemInstructions !== undefined) a[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = req.systemInstructions;
}

export interface TelemetryOptions {
  /** Create spans (false in metrics-only mode, where no trace exporter exists). */
  tracing: boolean;
  /** Prices calls; without it no cost is recorded. */
  pricing?: Pricing | undefined;
  /**
   * Aggregates every metric ourselves and exports it as a MetricProducer
   * registered on the readers (see own-metrics.ts); else the SDK's instruments
   * from the meter record them.
   */
  ownMetrics?: OwnMetrics | undefined;
}

export class GenAiTelemetry implements ExchangeSink {
  private instruments: Instruments;
  /** Bound recorders by metric attribute set (see BaseSeries); bounded, rebuilt on demand. */
  private series = new KeyedCache<BaseSeries>(4096);
  /** Per target, the series of its last call and the models it was for (see seriesOf). */
  private readonly lastSeries = new WeakMap<Target, { req: string | undefined; res: string | undefined; gen: number; series: BaseSeries }>();
  /** Bumped when the series are rebuilt (new instruments), so that no stale last series is reused. */
  private seriesGen = 0;
  private readonly requestModels: LabelCap;
  private readonly responseModels: LabelCap;
  private readonly errorTypes: LabelCap;
  private readonly attribution: Attribution;
  /** findPrice's lookup: a model's quote at a host (made once, so a priced call allocates no closure or argument object). */
  private readonly quoteAt = (model: string, host: string): Quote | undefined => this.options.pricing!.quote(model, host);

  constructor(
    private tracer: Tracer,
    meter: MeterLike,
    private readonly config: AimonConfig,
    private readonly diag: DiagLogger,
    private readonly options: TelemetryOptions = { tracing: true },
  ) {
    this.instruments = createInstruments(options.ownMetrics ?? meter, config.semconv);
    const warn = (label: string, max: number) => (v: string) =>
      this.diag.warn(`more than ${max} distinct ${label} values (latest "${v.slice(0, 64)}"); further values are reported as "${sc.OVERFLOW_VALUE}"`);
    this.requestModels = new LabelCap(config.maxModelLabels, warn(sc.ATTR_GEN_AI_REQUEST_MODEL, config.maxModelLabels));
    this.responseModels = new LabelCap(config.maxModelLabels, warn(sc.ATTR_GEN_AI_RESPONSE_MODEL, config.maxModelLabels));
    this.errorTypes = new LabelCap(64, warn(sc.ATTR_ERROR_TYPE, 64));
    this.attribution = new Attribution(config.attributes, config.maxAttributeValues, (k, v) =>
      warn(ATTRIBUTE_PREFIX + k, config.maxAttributeValues)(v),
    );
  }

  setTracer(tracer: Tracer): void {
    this.tracer = tracer;
  }

  /** A new meter provider; ignored when we aggregate ourselves (the producer is on the readers already). */
  setMeter(meter: MeterLike): void {
    if (this.options.ownMetrics !== undefined) return;
    this.instruments = createInstruments(meter, this.config.semconv);
    this.series = new KeyedCache<BaseSeries>(4096);
    this.seriesGen++;
  }

  /** Stops background work (the price file watcher). */
  close(): void {
    this.options.pricing?.close();
  }

  /**
   * Starts the telemetry of an exchange; returns the context the original
   * fetch must run in, or undefined to run it in the caller's.
   *
   * The span starts now when something inside the call reads the active
   * context (`contextRead`: an HTTP client span to parent, trace headers to
   * inject) or when spans must start with their calls (spanStart "request").
   * Otherwise nothing can tell when it was created: it is created when the
   * call ends, with the call's start time and the parent read now, so that the
   * SDK's span work runs in one place instead of three.
   */
  start(ex: Exchange, parent: Context = context.active(), contextRead = true): Context | undefined {
    const attribution = this.attribution.enabled ? this.attribution.read(parent) : undefined;
    const st: ExState = {
      span: undefined,
      parent: undefined,
      attributionSpan: attribution?.span,
      series: undefined,
      attribution: attribution?.metric,
      tpoc: undefined,
    };
    ex.telemetry = st;
    if (!this.options.tracing) return undefined;
    if (!contextRead && this.config.spanStart === 'auto') {
      st.parent = parent;
      return undefined;
    }
    st.span = this.startSpan(ex, parent, undefined);
    return trace.setSpan(parent, st.span);
  }

  /** The span with its creation attributes (those a sampler may read); `startTime` for a deferred span. */
  private startSpan(ex: Exchange, parent: Context, startTime: number | undefined): Span {
    const attributes = creationSpanAttributes(ex.target, ex.request);
    const st = ex.telemetry as ExState;
    if (st.attributionSpan !== undefined) Object.assign(attributes, st.attributionSpan);
    if (ex.usageInjected) attributes[sc.ATTR_AIMON_STREAM_USAGE_INJECTED] = true;
    const model = ex.request?.model;
    const name = model !== undefined ? `${ex.target.operation} ${model}` : ex.target.operation;
    return this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime }, parent);
  }

  /** The series of an exchange's metric attribute set (capped models), shared across exchanges. */
  private seriesOf(ex: Exchange, responseModel: string | undefined): BaseSeries {
    const t = ex.target;
    const rm = ex.request?.model;
    // Most calls to a target repeat its last pair of models: one WeakMap read.
    const last = this.lastSeries.get(t);
    if (last !== undefined && last.req === rm && last.res === responseModel && last.gen === this.seriesGen) return last.series;
    const series = this.findSeries(t, rm, responseModel);
    this.lastSeries.set(t, { req: rm, res: responseModel, gen: this.seriesGen, series });
    return series;
  }

  private findSeries(t: Target, rm: string | undefined, responseModel: string | undefined): BaseSeries {
    const req = rm !== undefined ? this.requestModels.cap(rm) : undefined;
    const res = responseModel !== undefined ? this.responseModels.cap(responseModel) : undefined;
    return this.series.get([t.operation, t.endpoint.provider, t.serverAddress, t.serverPort, req, res], () => {
      const a: Attributes = {
        [sc.ATTR_GEN_AI_OPERATION_NAME]: t.operation,
        [sc.ATTR_GEN_AI_PROVIDER_NAME]: t.endpoint.provider,
        [sc.ATTR_SERVER_ADDRESS]: t.serverAddress,
        [sc.ATTR_SERVER_PORT]: t.serverPort,
      };
      if (req !== undefined) a[sc.ATTR_GEN_AI_REQUEST_MODEL] = req;
      if (res !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_MODEL] = res;
      return new BaseSeries(this.instruments, a, t.operation !== 'embeddings');
    });
  }

  /**
   * Cost of a successful exchange: a counter per cost kind, the billed and
   * effective amounts, or, when it cannot be priced, the unpriced counters.
   * Failed calls (4xx/5xx, network errors) are not billed and not counted.
   * Returns the span attributes.
   */
  private recordCost(r: ExchangeResult, usage: UsageSeries, forSpan: boolean): Attributes | undefined {
    const pricing = this.options.pricing;
    // A 2xx that then failed (an error event, a reset mid-stream) is a failed
    // call too: its missing usage is not an unpriced call.
    if (pricing === undefined || !isSuccess(r.status) || r.outcome === 'error') return undefined;
    const u = r.response.usage;
    const quote = findPrice(u, r.request?.model, r.response.model, this.quoteAt, r.target.serverAddress);
    if (typeof quote === 'string') {
      usage.unpriced(quote, u);
      if (!forSpan) return undefined;
      return { [sc.ATTR_AIMON_UNPRICED_REASON]: quote, [sc.ATTR_AIMON_PRICE_VERSION]: pricing.version };
    }
    const cost = computeCost(u!, quote.entry);
    const recs = usage.costRecorders(quote.tableVersion);
    const t = cost.tokens;
    if (t.input > 0) recs.kind('input')(cost.input);
    if (t.cached_input > 0) recs.kind('cached_input')(cost.cached_input);
    if (t.cache_write > 0) recs.kind('cache_write')(cost.cache_write);
    if (t.output > 0) recs.kind('output')(cost.output);
    if (t.reasoning > 0) recs.kind('reasoning')(cost.reasoning);
    const rule = quote.billingRule;
    const billed = convert(cost.total, rule);
    // A host without a billing rule bills list USD: its billed series would
    // repeat the list cost, so only hosts with a rule (HolySheep: CNY) get one.
    // Effective USD is recorded for every host, so that it sums to real spend.
    if (rule !== undefined) recs.billed(billed.currency)(billed.billed);
    recs.effective()(billed.effectiveUsd);
    // Without a span (metrics-only) nobody reads these attributes.
    if (!forSpan) return undefined;
    return {
      [sc.ATTR_AIMON_COST_USD]: cost.total,
      [sc.ATTR_AIMON_COST_BILLED]: billed.billed,
      [sc.ATTR_AIMON_COST_BILLED_CURRENCY]: billed.currency,
      [sc.ATTR_AIMON_COST_EFFECTIVE_USD]: billed.effectiveUsd,
      [sc.ATTR_AIMON_PRICE_VERSION]: quote.tableVersion,
      [sc.ATTR_AIMON_PRICE_MODEL]: quote.entry.model,
    };
  }

  chunkInterval(ex: Exchange, seconds: number): void {
    const st = ex.telemetry as ExState;
    if (st.tpoc === undefined) {
      // The response model is in every chunk; the first chunk was parsed before
      // the first interval, so these attributes are final for the stream.
      st.series ??= this.seriesOf(ex, ex.currentResponseModel());
      st.tpoc = st.series.tpoc();
    }
    st.tpoc(seconds);
  }

  end(ex: Exchange, r: ExchangeResult): void {
    const st = ex.telemetry as ExState;
    const series = st.series ?? this.seriesOf(ex, r.response.model);
    const errorType = r.errorType !== undefined ? this.errorTypes.cap(r.errorType) : undefined;
    series.duration(r.outcome, errorType)(r.durationS);
    if (r.timeToFirstChunkS !== undefined) series.ttfc()(r.timeToFirstChunkS);

    // Tokens (and cost) carry the attribution labels; latency series do not,
    // so that a tenant label never multiplies the histogram buckets.
    const usage = series.usageSeries(st.attribution);
    const u = r.response.usage;
    if (u !== undefined) usage.tokens(u);
    // A stream that failed after its 200 has no usage because it failed:
    // that is an error, not a gateway that withholds usage.
    else if (r.usageMissing && r.outcome !== 'error') usage.usageMissing(r.streamed, r.outcome);

    // A deferred span has its parent kept, and is created below.
    const deferred = st.parent !== undefined;
    const costSpanAttrs = this.recordCost(r, usage, st.span !== undefined || deferred);

    // A deferred span is created now, with the times the exchange measured.
    // Only the creation attributes go to startSpan (the SDK copies those
    // twice for the sampler); the rest are set once.
    const span = deferred ? this.startSpan(ex, st.parent!, ex.startMs) : st.span;
    if (span === undefined) return;
    const attrs = responseSpanAttributes(r, this.config.semconv);
    requestParamAttributes(attrs, ex.target, ex.request);
    if (costSpanAttrs !== undefined) Object.assign(attrs, costSpanAttrs);
    if (r.outcome === 'error') attrs[sc.ATTR_ERROR_TYPE] = r.errorType ?? '_OTHER';
    span.setAttributes(attrs);
    if (r.outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(deferred ? ex.endMs : undefined);
  }
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

function responseSpanAttributes(r: ExchangeResult, mode: SemconvMode): Attributes {
  const a: Attributes = { [sc.ATTR_AIMON_OUTCOME]: r.outcome };
  const res = r.response;
  if (res.id !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_ID] = res.id;
  if (res.model !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_MODEL] = res.model;
  if (res.finishReasons !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = res.finishReasons;
  if (res.dimensionCount !== undefined) a[sc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = res.dimensionCount;
  if (res.unparseable) a[sc.ATTR_AIMON_RESPONSE_UNPARSEABLE] = true;
  if (res.outputMessages !== undefined) a[sc.ATTR_GEN_AI_OUTPUT_MESSAGES] = res.outputMessages;
  const u = res.usage;
  if (u !== undefined) {
    if (u.inputTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = u.inputTokens;
    if (u.outputTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = u.outputTokens;
    if (u.cacheReadTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = u.cacheReadTokens;
    if (u.cacheCreationTokens !== undefined) {
      if (mode !== 'latest') a[sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = u.cacheCreationTokens;
      if (mode !== 'v1.41') a[sc.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = u.cacheCreationTokens;
    }
    if (u.reasoningTokens !== undefined) a[sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = u.reasoningTokens;
  } else if (r.usageMissing) {
    a[sc.ATTR_AIMON_USAGE_MISSING] = true;
  }
  if (r.timeToFirstChunkS !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = r.timeToFirstChunkS;
  if (r.streamed) a[sc.ATTR_AIMON_STREAM_CHUNKS] = r.outputChunks;
  if (r.status !== undefined) a[sc.ATTR_HTTP_RESPONSE_STATUS_CODE] = r.status;
  return a;
}
