export { AimonInstrumentation, type AimonInstrumentationConfig } from './instrumentation.js';
export { resolveConfig, type AimonConfig, type AimonOptions, type StreamUsageMode } from './config.js';
export { DEFAULT_ENDPOINTS, HostMatcher, parseEndpoint, type Endpoint, type Target } from './hosts.js';
export { startSdk, planSdk, embeddedViews, type RunningSdk, type SdkPlan } from './sdk.js';
export { INSTRUMENTS } from './instruments.js';
export * as semconv from './semconv.js';
export type { Usage, ResponseSummary, RequestParams, Operation, Outcome } from './types.js';
export { withAttribution } from './attribution.js';
export { Pricing } from './pricing.js';
