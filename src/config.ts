/**
 * Configuration, resolved once from options and environment into a frozen
 * object. A bad value never throws: it is reported in `warnings` (the caller
 * sends them to the diag logger) and the default is used. Pure: reads only
 * the env object it is given.
 */
import { DEFAULT_ENDPOINTS, parseEndpoint, type Endpoint } from './hosts.js';
import type { ContentOptions } from './parse/protocol.js';

export type StreamUsageMode = 'off' | 'inject';
/**
 * When a call's span is created. 'auto': at the request when something inside
 * the call reads the active context (an HTTP client span instrumentation),
 * else when the call ends, with its start time. 'request': always at the
 * request (for span processors that watch spans start).
 */
export type SpanStartMode = 'auto' | 'request';
/** Which GenAI convention names to emit: v1.41.1 (default), the newest, or both. */
export type SemconvMode = 'v1.41' | 'latest' | 'dup';

/** OTEL_SEMCONV_STABILITY_OPT_IN is a comma-separated list; we look for our category only. */
export function semconvModeOf(raw: string | undefined): SemconvMode {
  const values = (raw ?? '').split(',').map((v) => v.trim());
  if (values.includes('gen_ai_latest_experimental/dup')) return 'dup';
  if (values.includes('gen_ai_latest_experimental')) return 'latest';
  return 'v1.41';
}

export interface AimonOptions {
  /** Extra endpoints: `host`, `host:port`, `host/prefix`, or URLs, optionally `=provider`. */
  hosts?: Array<string | Endpoint>;
  /** Keep the built-in list of well-known hosts (default true). */
  defaultHosts?: boolean;
  /** 'inject' adds stream_options.include_usage to streaming requests and hides the extra chunk. */
  streamUsage?: StreamUsageMode;
  /** When spans are created (AIMON_SPAN_START, default 'auto'; see SpanStartMode). */
  spanStart?: SpanStartMode;
  /** Maximum distinct values of each model label on metrics (default 200). */
  maxModelLabels?: number;
  /** Maximum size of one SSE event we parse (default 1 MiB); larger events are counted, not parsed. */
  maxEventBytes?: number;
  /** Largest JSON body we summarise (default 64 MiB); larger bodies pass through unread by us. */
  maxBodyBytes?: number;
  /** W3C baggage keys that become metric labels `aimon.attr.<key>` (AIMON_ATTRIBUTES). */
  attributes?: string[];
  /** Maximum distinct values of each attribution label (default 100). */
  maxAttributeValues?: number;
  /** Price override file, JSON or YAML (AIMON_PRICES). */
  prices?: string;
  /** Record prompt and completion content (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT); off by default. */
  captureContent?: boolean;
  /** Maximum size of each captured content attribute (AIMON_CONTENT_MAX_BYTES, default 16384). */
  contentMaxBytes?: number;
}

export interface AimonConfig {
  readonly endpoints: readonly Endpoint[];
  readonly streamUsage: StreamUsageMode;
  readonly spanStart: SpanStartMode;
  readonly maxModelLabels: number;
  readonly maxEventBytes: number;
  readonly maxBodyBytes: number;
  readonly attributes: readonly string[];
  readonly maxAttributeValues: number;
  readonly pricesPath: string | undefined;
  readonly content: ContentOptions;
  readonly semconv: SemconvMode;
}

export interface Resolved<T> {
  config: T;
  warnings: string[];
}

type Env = Record<string, string | undefined>;

export function envBool(env: Env, name: string, dflt: boolean, warnings: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  warnings.push(`${name}="${raw}" is not a boolean; using ${dflt}`);
  return dflt;
}

export function envInt(env: Env, name: string, dflt: number, min: number, max: number, warnings: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    warnings.push(`${name}="${raw}" is not an integer in [${min}, ${max}]; using ${dflt}`);
    return dflt;
  }
  return n;
}

/** An integer option in [min, max], or the default with a warning. */
function optInt(value: number | undefined, name: string, min: number, max: number, fallback: () => number, warnings: string[]): number {
  if (value === undefined) return fallback();
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const dflt = fallback();
  warnings.push(`${name}=${String(value)} is not an integer in [${min}, ${max}]; using ${dflt}`);
  return dflt;
}

export function resolveConfig(options: AimonOptions = {}, env: Env = process.env): Resolved<AimonConfig> {
  const warnings: string[] = [];
  const endpoints: Endpoint[] = [];
  const useDefaults = options.defaultHosts ?? envBool(env, 'AIMON_DEFAULT_HOSTS', true, warnings);
  if (useDefaults) endpoints.push(...DEFAULT_ENDPOINTS);
  const entries: Array<string | Endpoint> = [];
  for (const e of (env.AIMON_HOSTS ?? '').split(',')) if (e.trim() !== '') entries.push(e);
  entries.push(...(options.hosts ?? []));
  for (const e of entries) {
    if (typeof e !== 'string') {
      // Options may come from plain JavaScript: check the shape rather than throw.
      const ok =
        e !== null &&
        typeof e === 'object' &&
        typeof e.host === 'string' &&
        typeof e.pathPrefix === 'string' &&
        typeof e.provider === 'string' &&
        (e.port === undefined || (Number.isInteger(e.port) && e.port > 0 && e.port < 65536));
      if (ok) endpoints.push({ ...e, host: e.host.toLowerCase(), pathPrefix: e.pathPrefix.replace(/\/+$/, '') });
      else warnings.push(`hosts: ${JSON.stringify(e)} is not a valid endpoint; entry ignored`);
      continue;
    }
    try {
      endpoints.push(parseEndpoint(e));
    } catch (err) {
      warnings.push(`AIMON_HOSTS: ${(err as Error).message}; entry ignored`);
    }
  }

  let streamUsage: StreamUsageMode = options.streamUsage ?? 'off';
  const su = env.AIMON_STREAM_USAGE?.trim().toLowerCase();
  if (options.streamUsage === undefined && su !== undefined && su !== '') {
    if (su === 'inject' || su === 'off') streamUsage = su;
    else warnings.push(`AIMON_STREAM_USAGE="${env.AIMON_STREAM_USAGE}" is not "off" or "inject"; using off`);
  }

  let spanStart: SpanStartMode = 'auto';
  const isSpanStart = (v: unknown): v is SpanStartMode => v === 'auto' || v === 'request';
  if (options.spanStart !== undefined) {
    if (isSpanStart(options.spanStart)) spanStart = options.spanStart;
    else warnings.push(`spanStart: ${JSON.stringify(options.spanStart)} is not "auto" or "request"; using auto`);
  } else {
    const ss = env.AIMON_SPAN_START?.trim().toLowerCase();
    if (isSpanStart(ss)) spanStart = ss;
    else if (ss !== undefined && ss !== '') warnings.push(`AIMON_SPAN_START="${env.AIMON_SPAN_START}" is not "auto" or "request"; using auto`);
  }

  const attributes: string[] = [];
  const rawAttrs = options.attributes ?? (env.AIMON_ATTRIBUTES ?? '').split(',');
  for (const a of rawAttrs.map((x) => x.trim()).filter((x) => x !== '')) {
    if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(a)) attributes.push(a);
    else warnings.push(`AIMON_ATTRIBUTES: "${a}" is not a valid key (letters, digits, _); ignored`);
  }
  const pricesPath = options.prices ?? ((env.AIMON_PRICES ?? '').trim() || undefined);

  const config: AimonConfig = Object.freeze({
    endpoints: Object.freeze(endpoints.map((e) => Object.freeze({ ...e }))),
    streamUsage,
    spanStart,
    maxModelLabels: optInt(options.maxModelLabels, 'maxModelLabels', 1, 100_000, () => envInt(env, 'AIMON_MAX_MODEL_LABELS', 200, 1, 100_000, warnings), warnings),
    maxEventBytes: optInt(options.maxEventBytes, 'maxEventBytes', 1024, 1 << 30, () => envInt(env, 'AIMON_MAX_EVENT_BYTES', 1 << 20, 1024, 1 << 30, warnings), warnings),
    maxBodyBytes: optInt(options.maxBodyBytes, 'maxBodyBytes', 1024, 1 << 30, () => envInt(env, 'AIMON_MAX_BODY_BYTES', 64 << 20, 1024, 1 << 30, warnings), warnings),
    attributes: Object.freeze(attributes),
    maxAttributeValues: optInt(options.maxAttributeValues, 'maxAttributeValues', 1, 100_000, () => envInt(env, 'AIMON_MAX_ATTRIBUTE_VALUES', 100, 1, 100_000, warnings), warnings),
    pricesPath,
    semconv: semconvModeOf(env.OTEL_SEMCONV_STABILITY_OPT_IN),
    content: Object.freeze({
      capture: options.captureContent ?? envBool(env, 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', false, warnings),
      maxBytes: optInt(options.contentMaxBytes, 'contentMaxBytes', 64, 1 << 24, () => envInt(env, 'AIMON_CONTENT_MAX_BYTES', 16384, 64, 1 << 24, warnings), warnings),
    }),
  });
  return { config, warnings };
}
