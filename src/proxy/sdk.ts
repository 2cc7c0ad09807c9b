/**
 * Telemetry for the proxy process: the same exporter choice as `register`
 * (planSdk: standard OTEL_* variables, Prometheus by default, OTLP when an
 * endpoint is set) and the same Prometheus name views, with one difference:
 * the Prometheus exporter is not given a listener of its own; the proxy
 * serves its handler at /metrics on the proxy's listener.
 *
 * No context manager is installed: the proxy hands contexts to the exchange
 * explicitly, so the per-await cost of AsyncLocalStorage is not paid.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag as apiDiag, trace, type DiagLogger } from '@opentelemetry/api';
import { resolveConfig, type AimonConfig } from '../config.js';
import { Pricing } from '../pricing.js';
import { startProviders, type SdkPlan } from '../sdk.js';
import { GenAiTelemetry } from '../telemetry.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';

type Env = Record<string, string | undefined>;

export interface ProxyTelemetry {
  plan: SdkPlan;
  aimonConfig: AimonConfig;
  telemetry: GenAiTelemetry;
  /** The Prometheus exporter's /metrics handler, when metrics go to Prometheus. */
  metricsHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  shutdown(): Promise<void>;
}

export function startProxyTelemetry(env: Env, log: DiagLogger = apiDiag): ProxyTelemetry {
  const { config: aimonConfig, warnings } = resolveConfig({}, env);
  for (const w of warnings) log.warn(w);
  // The same providers and exporters as `register`, with a service name that
  // says what this process is; /metrics is served on the proxy's listener.
  const p = startProviders(env, log, { defaultServiceName: 'aimon-proxy', contextManager: false, serveMetrics: false });
  const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
  const meter = p.meterProvider.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
  const pricing = new Pricing(aimonConfig.pricesPath, env, log);
  const telemetry = new GenAiTelemetry(tracer, meter, aimonConfig, log, {
    tracing: p.tracing,
    pricing,
    ownMetrics: p.ownMetrics,
  });
  const exporter = p.prometheus;
  return {
    plan: p.plan,
    aimonConfig,
    telemetry,
    metricsHandler: exporter !== undefined ? (req, res) => exporter.getMetricsRequestHandler(req, res) : undefined,
    async shutdown() {
      telemetry.close();
      await p.shutdown();
    },
  };
}
