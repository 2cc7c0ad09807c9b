/**
 * Attribute and metric names we emit.
 *
 * GenAI names are copied from the GenAI semantic conventions v1.41.1 (the last
 * released shape, exported deprecated from @opentelemetry/semantic-conventions
 * 1.45 `/incubating`). That package advises instrumentations to copy the
 * incubating names they use rather than import them at run time, because they
 * may change or move in any minor release.
 *
 * Names under `aimon.*` are ours: the conventions define no cost, outcome or
 * usage-missing signals.
 */

// --- GenAI attributes (semconv v1.41.1) ---
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';

// --- general attributes (stable) ---
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

// --- gen_ai.operation.name values ---
export const GEN_AI_OPERATION_CHAT = 'chat';
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';
export const GEN_AI_OPERATION_TEXT_COMPLETION = 'text_completion';

// --- gen_ai.token.type values ---
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';

// --- GenAI metrics (semconv v1.41.1) ---
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK = 'gen_ai.client.operation.time_per_output_chunk';

/** Advised explicit bucket boundaries (semconv v1.41.1). */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

// --- our own names ---
/** How the exchange ended: completed | cancelled | aborted | error | abandoned. */
export const ATTR_AIMON_OUTCOME = 'aimon.outcome';
/** Subset of input/output tokens: cache_read | cache_creation | reasoning. */
export const ATTR_AIMON_TOKEN_DETAIL = 'aimon.token.detail';
/** Set when usage was expected but absent (a stream without a usage chunk). */
export const ATTR_AIMON_USAGE_MISSING = 'aimon.usage.missing';
/** Set when usage_injection added stream_options.include_usage to the request. */
export const ATTR_AIMON_STREAM_USAGE_INJECTED = 'aimon.stream.usage_injected';
/** Set when the response body could not be parsed (HTML error page, truncated JSON...). */
export const ATTR_AIMON_RESPONSE_UNPARSEABLE = 'aimon.response.unparseable';
/** Number of output chunks (SSE events carrying choices) in a stream. */
export const ATTR_AIMON_STREAM_CHUNKS = 'aimon.stream.chunks';

export const ATTR_AIMON_COST_USD = 'aimon.cost.usd';
export const ATTR_AIMON_COST_BILLED = 'aimon.cost.billed';
export const ATTR_AIMON_COST_BILLED_CURRENCY = 'aimon.cost.billed_currency';
export const ATTR_AIMON_COST_EFFECTIVE_USD = 'aimon.cost.effective_usd';
export const ATTR_AIMON_COST_KIND = 'aimon.cost.kind';
export const ATTR_AIMON_PRICE_VERSION = 'aimon.price.version';
export const ATTR_AIMON_PRICE_MODEL = 'aimon.price.model';
export const ATTR_AIMON_UNPRICED_REASON = 'aimon.unpriced.reason';

/** Counter of token subsets (cached input, reasoning), never added into gen_ai.client.token.usage twice. */
export const METRIC_AIMON_TOKEN_DETAIL = 'aimon.client.token.detail';
/** Counter of calls whose usage was expected and missing. */
export const METRIC_AIMON_USAGE_MISSING = 'aimon.client.usage.missing';
/** List-price cost in USD (Prometheus: aimon_client_cost_usd_total). */
export const METRIC_AIMON_COST_USD = 'aimon.client.cost.usd';
/** Billed amount in the host's billing currency, label aimon.cost.billed_currency (aimon_client_cost_billed_total). */
export const METRIC_AIMON_COST_BILLED = 'aimon.client.cost.billed';
/** Billed amount converted back to USD at the configured rate (aimon_client_cost_effective_usd_total). */
export const METRIC_AIMON_COST_EFFECTIVE_USD = 'aimon.client.cost.effective_usd';
export const METRIC_AIMON_UNPRICED_CALLS = 'aimon.client.unpriced.calls';
export const METRIC_AIMON_UNPRICED_TOKENS = 'aimon.client.unpriced.tokens';

/** Value used for any label that overflowed its cap of distinct values. */
export const OVERFLOW_VALUE = '_other';

// --- Newest GenAI conventions, opt-in (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental[/dup]) ---
// Followed: open-telemetry/semantic-conventions-genai main after PR #374
// (2026-09-22, usage counters with gen_ai.token.modality, `cache_write`
// instead of `cache_creation`) and PR #521 (2026-10-06, inference calls move
// from gen_ai.client.operation.duration to gen_ai.client.inference.duration;
// embeddings stay on the operation metric). Usage metric definitions read at
// model/gen-ai/usage-metrics.yaml, commit 2f4c6b1ccd79b294ad445e7ea899544cc07ff9da.
export const METRIC_GEN_AI_CLIENT_INFERENCE_DURATION = 'gen_ai.client.inference.duration';
export const METRIC_GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK = 'gen_ai.client.inference.time_to_first_chunk';
export const METRIC_GEN_AI_CLIENT_INFERENCE_TIME_PER_OUTPUT_CHUNK = 'gen_ai.client.inference.time_per_output_chunk';
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS = 'gen_ai.client.inference.usage.input_tokens';
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS = 'gen_ai.client.inference.usage.output_tokens';
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ = 'gen_ai.client.inference.usage.cache_read.input_tokens';
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_WRITE = 'gen_ai.client.inference.usage.cache_write.input_tokens';
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_REASONING = 'gen_ai.client.inference.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_TOKEN_MODALITY = 'gen_ai.token.modality';
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
