/** The descriptor of every instrument we create, in one list (used by the telemetry edge, views and tests). */
import type { InstrumentKind } from './naming.js';
import * as sc from './semconv.js';

export interface InstrumentDescriptor {
  name: string;
  kind: InstrumentKind;
  unit: string;
  description: string;
  buckets?: number[];
}

export const INSTRUMENTS = {
  duration: {
    name: sc.METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
    kind: 'histogram',
    unit: 's',
    description: 'GenAI operation duration.',
    buckets: sc.DURATION_BUCKETS,
  },
  tokens: {
    name: sc.METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
    kind: 'histogram',
    unit: '{token}',
    description: 'Number of input and output tokens used.',
    buckets: sc.TOKEN_BUCKETS,
  },
  ttfc: {
    name: sc.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
    kind: 'histogram',
    unit: 's',
    description: 'Time to receive the first chunk of a streaming response, from the request start.',
    buckets: sc.DURATION_BUCKETS,
  },
  tpoc: {
    name: sc.METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
    kind: 'histogram',
    unit: 's',
    description: 'Time between consecutive chunks of a streaming response, for each chunk after the first.',
    buckets: sc.DURATION_BUCKETS,
  },
  tokenDetail: {
    name: sc.METRIC_AIMON_TOKEN_DETAIL,
    kind: 'counter',
    unit: '{token}',
    description:
      'Subsets of gen_ai.client.token.usage: cached input (cache_read, cache_creation) and reasoning output tokens.',
  },
  usageMissing: {
    name: sc.METRIC_AIMON_USAGE_MISSING,
    kind: 'counter',
    unit: '{call}',
    description: 'Successful calls whose response carried no usage, so no tokens were counted.',
  },
  costUsd: {
    name: sc.METRIC_AIMON_COST_USD,
    kind: 'counter',
    unit: '{USD}',
    description: 'Cost at list price in USD, by cost kind (input, cached_input, cache_write, output, reasoning).',
  },
  costBilled: {
    name: sc.METRIC_AIMON_COST_BILLED,
    kind: 'counter',
    unit: '{currency_unit}',
    description: "Amount billed by the host in its billing currency (label aimon.cost.billed_currency).",
  },
  costEffectiveUsd: {
    name: sc.METRIC_AIMON_COST_EFFECTIVE_USD,
    kind: 'counter',
    unit: '{USD}',
    description: 'Billed amount converted to USD at the configured rate: what the calls really cost.',
  },
  unpricedCalls: {
    name: sc.METRIC_AIMON_UNPRICED_CALLS,
    kind: 'counter',
    unit: '{call}',
    description: 'Successful calls that could not be priced, by reason (unknown_model, usage_missing, no_model).',
  },
  unpricedTokens: {
    name: sc.METRIC_AIMON_UNPRICED_TOKENS,
    kind: 'counter',
    unit: '{token}',
    description: 'Tokens of calls that could not be priced, by reason and token type.',
  },
} as const satisfies Record<string, InstrumentDescriptor>;

/** Instruments of the newest conventions, created only when opted in (see semconv.ts). */
export const LATEST_INSTRUMENTS = {
  inferenceDuration: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_DURATION,
    kind: 'histogram',
    unit: 's',
    description: 'GenAI inference operation duration.',
    buckets: sc.DURATION_BUCKETS,
  },
  ttfc: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK,
    kind: 'histogram',
    unit: 's',
    description: 'Time to receive the first chunk of a streaming inference response.',
    buckets: sc.DURATION_BUCKETS,
  },
  tpoc: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_TIME_PER_OUTPUT_CHUNK,
    kind: 'histogram',
    unit: 's',
    description: 'Time between consecutive chunks of a streaming inference response, after the first.',
    buckets: sc.DURATION_BUCKETS,
  },
  inputTokens: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS,
    kind: 'counter',
    unit: '{token}',
    description: 'Input tokens used, including cached tokens.',
  },
  outputTokens: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS,
    kind: 'counter',
    unit: '{token}',
    description: 'Output tokens used, including reasoning tokens.',
  },
  cacheRead: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ,
    kind: 'counter',
    unit: '{token}',
    description: 'Input tokens served from a provider-managed cache (a subset of input tokens).',
  },
  cacheWrite: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_WRITE,
    kind: 'counter',
    unit: '{token}',
    description: 'Input tokens written to a provider-managed cache (a subset of input tokens).',
  },
  reasoning: {
    name: sc.METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_REASONING,
    kind: 'counter',
    unit: '{token}',
    description: 'Output tokens used for reasoning (a subset of output tokens).',
  },
} as const satisfies Record<string, InstrumentDescriptor>;

export type InstrumentKey = keyof typeof INSTRUMENTS;
