/**
 * AimonInstrumentation: plugs into an OpenTelemetry NodeSDK (or any setup that
 * calls setTracerProvider / setMeterProvider) next to other instrumentations.
 * It patches no module: enabling it wraps globalThis.fetch.
 */
import { context, diag, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { resolveConfig, type AimonConfig, type AimonOptions } from './config.js';
import { unwrapFetch, wrapFetch, WRAPPED } from './fetch-tap.js';
import { HostMatcher } from './hosts.js';
import type { OwnMetrics } from './own-metrics.js';
import { Pricing } from './pricing.js';
import { GenAiTelemetry } from './telemetry.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

export interface AimonInstrumentationConfig extends InstrumentationConfig, AimonOptions {
  /** Create spans (default true). The metrics-only register mode turns this off. */
  tracing?: boolean;
  /** Record cost from the bundled price table (default true). */
  pricing?: boolean;
  /** Our own aggregation of every metric, registered as a MetricProducer on the readers (sdk.ts). */
  ownMetrics?: OwnMetrics;
}

interface State {
  config: AimonConfig;
  matcher: HostMatcher;
  telemetry: GenAiTelemetry;
  installed: typeof globalThis.fetch | undefined;
}

export class AimonInstrumentation extends InstrumentationBase<AimonInstrumentationConfig> {
  // Declared, not initialised: the base constructor calls overridden methods
  // before field initialisers would run.
  declare private state: State | undefined;

  constructor(config: AimonInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, { ...config, enabled: false });
    this.setConfig({ ...config, enabled: config.enabled ?? true });
    const { config: resolved, warnings } = resolveConfig(config);
    for (const w of warnings) this._diag.warn(w);
    this.state = {
      config: resolved,
      matcher: new HostMatcher(resolved.endpoints),
      telemetry: new GenAiTelemetry(this.tracer, this.meter, resolved, this._diag, {
        tracing: config.tracing ?? true,
        pricing: config.pricing === false ? undefined : new Pricing(resolved.pricesPath, process.env, this._diag),
        ownMetrics: config.ownMetrics,
      }),
      installed: undefined,
    };
    if (config.enabled !== false) this.enable();
  }

  /** No module to patch: the capture is a fetch wrapper. */
  protected init(): [] {
    return [];
  }

  /** The resolved configuration (frozen). */
  get aimonConfig(): AimonConfig | undefined {
    return this.state?.config;
  }

  /** Wraps any fetch function (for example the npm undici package's fetch) with the same capture. */
  wrap(fetchFn: typeof globalThis.fetch): typeof globalThis.fetch {
    const st = this.state;
    if (st === undefined) return fetchFn;
    return wrapFetch(fetchFn, {
      matcher: st.matcher,
      config: st.config,
      start: (ex, contextRead) => st.telemetry.start(ex, context.active(), contextRead),
      sink: st.telemetry,
      diag: this._diag,
    });
  }

  override enable(): void {
    const st = this.state;
    if (st === undefined || st.installed !== undefined) return;
    const current = globalThis.fetch;
    if (typeof current !== 'function') {
      this._diag.error('globalThis.fetch is not a function; nothing to instrument');
      return;
    }
    if ((current as unknown as Record<symbol, unknown>)[WRAPPED] !== undefined) {
      diag.warn(`${PACKAGE_NAME}: globalThis.fetch is already instrumented; not wrapping it twice`);
      return;
    }
    const wrapped = this.wrap(current);
    globalThis.fetch = wrapped;
    st.installed = wrapped;
  }

  override disable(): void {
    const st = this.state;
    if (st?.installed === undefined) return;
    // Only restore when nobody wrapped fetch again after us.
    if (globalThis.fetch === st.installed) globalThis.fetch = unwrapFetch(st.installed);
    st.installed = undefined;
  }

  /** Disables the capture and stops background work (the price file watcher). */
  shutdown(): void {
    this.disable();
    this.state?.telemetry.close();
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.state?.telemetry.setTracer(this.tracer);
  }

  override setMeterProvider(meterProvider: MeterProvider): void {
    super.setMeterProvider(meterProvider);
    this.state?.telemetry.setMeter(this.meter);
  }
}
