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
  type Histogram,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { Attribution, ATTRIBUTE_PREFIX } from './attribution.js';
import { LabelCap } from './cardinality.js';
import type { AimonConfig, SemconvMode } from './config.js';
import type { Exchange, ExchangeResult, ExchangeSink } from './exchange.js';
import type { ChunkIntervalHistogram } from './chunk-intervals.js';
import type { Pricing } from './pricing.js';
import type { Target } from './hosts.js';
import { INSTRUMENTS, LATEST_INSTRUMENTS, type InstrumentDescriptor } from './instruments.js';
import * as sc from './semconv.js';
import type { RequestParams } from './types.js';

interface LatestInstruments {
  inferenceDuration: Histogram;
  ttfc: Histogram;
  tpoc: Histogram;
  inputTokens: Counter;
  outputTokens: Counter;
  cacheRead: Counter;
  cacheWrite: Counter;
  reasoning: Counter;
}

interface Instruments {
  /** gen_ai.client.operation.duration: every operation by default; embeddings only under the newest conventions. */
  duration: Histogram;
  /** v1.41.1 instruments (absent when only the newest conventions are emitted). */
  legacy: { tokens: Histogram; ttfc: Histogram; tpoc: Histogram } | undefined;
  latest: LatestInstruments | undefined;
  tokenDetail: Counter;
  usageMissing: Counter;
  costUsd: Counter;
  costBilled: Counter;
  costEffectiveUsd: Counter;
  unpricedCalls: Counter;
  unpricedTokens: Counter;
}

/** Per-exchange telemetry state, kept in Exchange.telemetry. */
interface ExState {
  span: Span | undefined;
  /** Metric attributes known so far (request side plus response model once seen). */
  attrs: Attributes | undefined;
  /** Capped attribution labels from baggage, for token and cost metrics. */
  attribution: Attributes | undefined;
  /** time_per_output_chunk recorder bound to this exchange's attributes. */
  tpoc: ((seconds: number) => void) | undefined;
}

/** Creates every instrument we record, from the lists of descriptors. */
export function createInstruments(meter: Meter, mode: SemconvMode = 'v1.41'): Instruments {
  const h = (d: InstrumentDescriptor): Histogram =>
    meter.createHistogram(d.name, {
      description: d.description,
      unit: d.unit,
      ...(d.buckets !== undefined ? { advice: { explicitBucketBoundaries: d.buckets } } : {}),
    });
  const c = (d: InstrumentDescriptor): Counter => meter.createCounter(d.name, { description: d.description, unit: d.unit });
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

function requestSpanAttributes(target: Target, req: RequestParams | undefined): Attributes {
  const a: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: target.operation,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: target.endpoint.provider,
    [sc.ATTR_SERVER_ADDRESS]: target.serverAddress,
    [sc.ATTR_SERVER_PORT]: target.serverPort,
  };
  if (req === undefined) return a;
  if (req.model !== undefined) a[sc.ATTR_GEN_AI_REQUEST_MODEL] = req.model;
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
  return a;
}

export interface TelemetryOptions {
  /** Create spans (false in metrics-only mode, where no trace exporter exists). */
  tracing: boolean;
  /** Prices calls; without it no cost is recorded. */
  pricing?: Pricing | undefined;
  /** Aggregates time_per_output_chunk ourselves (see chunk-intervals.ts); else the SDK instrument records it. */
  chunkIntervals?: ChunkIntervalHistogram | undefined;
}

export class GenAiTelemetry implements ExchangeSink {
  private instruments: Instruments;
  private readonly requestModels: LabelCap;
  private readonly responseModels: LabelCap;
  private readonly errorTypes: LabelCap;
  private readonly attribution: Attribution;

  constructor(
    private tracer: Tracer,
    meter: Meter,
    private readonly config: AimonConfig,
    private readonly diag: DiagLogger,
    private readonly options: TelemetryOptions = { tracing: true },
  ) {
    this.instruments = createInstruments(meter, config.semconv);
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

  setMeter(meter: Meter): void {
    this.instruments = createInstruments(meter, this.config.semconv);
  }

  /** Stops background work (the price file watcher). */
  close(): void {
    this.options.pricing?.close();
  }

  /** Starts the span of an exchange; returns the context the original fetch must run in. */
  start(ex: Exchange, parent: Context = context.active()): Context {
    const attribution = this.attribution.enabled ? this.attribution.read(parent) : undefined;
    const st: ExState = { span: undefined, attrs: undefined, attribution: attribution?.metric, tpoc: undefined };
    ex.telemetry = st;
    if (!this.options.tracing) return parent;
    const attributes = requestSpanAttributes(ex.target, ex.request);
    if (attribution !== undefined) Object.assign(attributes, attribution.span);
    if (ex.usageInjected) attributes[sc.ATTR_AIMON_STREAM_USAGE_INJECTED] = true;
    const model = ex.request?.model;
    const name = model !== undefined ? `${ex.target.operation} ${model}` : ex.target.operation;
    st.span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    return trace.setSpan(parent, st.span);
  }

  private metricAttrs(ex: Exchange, responseModel: string | undefined): Attributes {
    const a: Attributes = {
      [sc.ATTR_GEN_AI_OPERATION_NAME]: ex.target.operation,
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: ex.target.endpoint.provider,
      [sc.ATTR_SERVER_ADDRESS]: ex.target.serverAddress,
      [sc.ATTR_SERVER_PORT]: ex.target.serverPort,
    };
    const rm = ex.request?.model;
    if (rm !== undefined) a[sc.ATTR_GEN_AI_REQUEST_MODEL] = this.requestModels.cap(rm);
    if (responseModel !== undefined) a[sc.ATTR_GEN_AI_RESPONSE_MODEL] = this.responseModels.cap(responseModel);
    return a;
  }

  /**
   * Cost of a successful exchange: a counter per cost kind, the billed and
   * effective amounts, or, when it cannot be priced, the unpriced counters.
   * Failed calls (4xx/5xx, network errors) are not billed and not counted.
   * Returns the span attributes.
   */
  private recordCost(r: ExchangeResult, usageAttrs: Attributes): Attributes | undefined {
    const pricing = this.options.pricing;
    // A 2xx that then failed (an error event, a reset mid-stream) is a failed
    // call too: its missing usage is not an unpriced call.
    if (pricing === undefined || !isSuccess(r.status) || r.outcome === 'error') return undefined;
    const i = this.instruments;
    const p = pricing.price(r);
    const call = p.call;
    if (!call.priced) {
      i.unpricedCalls.add(1, { ...usageAttrs, [sc.ATTR_AIMON_UNPRICED_REASON]: call.reason });
      const u = r.response.usage;
      if (u?.inputTokens !== undefined) {
        i.unpricedTokens.add(u.inputTokens, {
          ...usageAttrs,
          [sc.ATTR_AIMON_UNPRICED_REASON]: call.reason,
          [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_INPUT,
        });
      }
      if (u?.outputTokens !== undefined) {
        i.unpricedTokens.add(u.outputTokens, {
          ...usageAttrs,
          [sc.ATTR_AIMON_UNPRICED_REASON]: call.reason,
          [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_OUTPUT,
        });
      }
      return { [sc.ATTR_AIMON_UNPRICED_REASON]: call.reason, [sc.ATTR_AIMON_PRICE_VERSION]: p.tableVersion };
    }
    const costAttrs = { ...usageAttrs, [sc.ATTR_AIMON_PRICE_VERSION]: p.tableVersion };
    for (const kind of COST_KINDS_RECORDED) {
      if (call.cost.tokens[kind] > 0) i.costUsd.add(call.cost[kind], { ...costAttrs, [sc.ATTR_AIMON_COST_KIND]: kind });
    }
    const billed = p.billed!;
    // A host without a billing rule bills list USD: its billed series would
    // repeat the list cost, so only hosts with a rule (HolySheep: CNY) get one.
    // Effective USD is recorded for every host, so that it sums to real spend.
    if (p.billingRule !== undefined) {
      i.costBilled.add(billed.billed, { ...costAttrs, [sc.ATTR_AIMON_COST_BILLED_CURRENCY]: billed.currency });
    }
    i.costEffectiveUsd.add(billed.effectiveUsd, costAttrs);
    return {
      [sc.ATTR_AIMON_COST_USD]: call.cost.total,
      [sc.ATTR_AIMON_COST_BILLED]: billed.billed,
      [sc.ATTR_AIMON_COST_BILLED_CURRENCY]: billed.currency,
      [sc.ATTR_AIMON_COST_EFFECTIVE_USD]: billed.effectiveUsd,
      [sc.ATTR_AIMON_PRICE_VERSION]: p.tableVersion,
      [sc.ATTR_AIMON_PRICE_MODEL]: call.entry.model,
    };
  }

  chunkInterval(ex: Exchange, seconds: number): void {
    const st = ex.telemetry as ExState;
    // The response model is in every chunk; the first chunk was parsed before
    // the first interval, so these attributes are final for the stream.
    st.attrs ??= this.metricAttrs(ex, ex.currentResponseModel());
    const own = this.options.chunkIntervals;
    if (own !== undefined) {
      st.tpoc ??= own.bind(st.attrs);
      st.tpoc(seconds);
      return;
    }
    this.instruments.legacy?.tpoc.record(seconds, st.attrs);
    this.instruments.latest?.tpoc.record(seconds, st.attrs);
  }

  end(ex: Exchange, r: ExchangeResult): void {
    const st = ex.telemetry as ExState;
    const i = this.instruments;
    const base = st.attrs ?? this.metricAttrs(ex, r.response.model);
    const errorType = r.errorType !== undefined ? this.errorTypes.cap(r.errorType) : undefined;

    const durAttrs: Attributes = { ...base, [sc.ATTR_AIMON_OUTCOME]: r.outcome };
    if (errorType !== undefined) durAttrs[sc.ATTR_ERROR_TYPE] = errorType;
    const inference = ex.target.operation !== 'embeddings';
    if (i.latest !== undefined && inference) i.latest.inferenceDuration.record(r.durationS, durAttrs);
    if (i.legacy !== undefined || !inference) i.duration.record(r.durationS, durAttrs);
    if (r.timeToFirstChunkS !== undefined) {
      i.legacy?.ttfc.record(r.timeToFirstChunkS, base);
      i.latest?.ttfc.record(r.timeToFirstChunkS, base);
    }

    const u = r.response.usage;
    // Tokens (and cost) carry the attribution labels; latency series do not,
    // so that a tenant label never multiplies the histogram buckets.
    const usageAttrs = st.attribution !== undefined ? { ...base, ...st.attribution } : base;
    if (u !== undefined) {
      if (i.legacy !== undefined) {
        if (u.inputTokens !== undefined) {
          i.legacy.tokens.record(u.inputTokens, { ...usageAttrs, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_INPUT });
        }
        if (u.outputTokens !== undefined) {
          i.legacy.tokens.record(u.outputTokens, { ...usageAttrs, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_OUTPUT });
        }
      }
      if (i.latest !== undefined) {
        const m = { ...usageAttrs, [sc.ATTR_GEN_AI_TOKEN_MODALITY]: 'text' };
        if (u.inputTokens !== undefined) i.latest.inputTokens.add(u.inputTokens, m);
        if (u.outputTokens !== undefined) i.latest.outputTokens.add(u.outputTokens, m);
        if (u.cacheReadTokens !== undefined) i.latest.cacheRead.add(u.cacheReadTokens, m);
        if (u.cacheCreationTokens !== undefined) i.latest.cacheWrite.add(u.cacheCreationTokens, m);
        if (u.reasoningTokens !== undefined) i.latest.reasoning.add(u.reasoningTokens, m);
      }
      // Zero subsets are skipped: adding 0 changes no total and costs a record per call.
      if (u.cacheReadTokens) i.tokenDetail.add(u.cacheReadTokens, { ...usageAttrs, [sc.ATTR_AIMON_TOKEN_DETAIL]: 'cache_read' });
      if (u.cacheCreationTokens) {
        i.tokenDetail.add(u.cacheCreationTokens, { ...usageAttrs, [sc.ATTR_AIMON_TOKEN_DETAIL]: 'cache_creation' });
      }
      if (u.reasoningTokens) i.tokenDetail.add(u.reasoningTokens, { ...usageAttrs, [sc.ATTR_AIMON_TOKEN_DETAIL]: 'reasoning' });
    } else if (r.usageMissing && r.outcome !== 'error') {
      // A stream that failed after its 200 has no usage because it failed:
      // that is an error, not a gateway that withholds usage.
      i.usageMissing.add(1, { ...usageAttrs, [sc.ATTR_GEN_AI_REQUEST_STREAM]: r.streamed, [sc.ATTR_AIMON_OUTCOME]: r.outcome });
    }

    const costSpanAttrs = this.recordCost(r, usageAttrs);

    const span = st.span;
    if (span === undefined) return;
    span.setAttributes(responseSpanAttributes(r, this.config.semconv));
    if (costSpanAttrs !== undefined) span.setAttributes(costSpanAttrs);
    if (r.outcome === 'error') {
      span.setAttribute(sc.ATTR_ERROR_TYPE, r.errorType ?? '_OTHER');
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}

const COST_KINDS_RECORDED = ['input', 'cached_input', 'cache_write', 'output', 'reasoning'] as const;

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
