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
import { diag as apiDiag, metrics, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resolveConfig, type AimonConfig } from '../config.js';
import { embeddedViews, planSdk, type SdkPlan } from '../sdk.js';
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
  const plan = planSdk(env);
  for (const w of plan.warnings) log.warn(w);
  const { config: aimonConfig, warnings } = resolveConfig({}, env);
  for (const w of warnings) log.warn(w);
  const tracing = plan.traces.length > 0;

  // As in sdk.ts (no process or host detector), with a service name that says
  // what this process is unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        'service.name': 'aimon-proxy',
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': process.versions.node,
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));

  if (tracing || aimonConfig.attributes.length > 0) {
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  }
  let tracerProvider: NodeTracerProvider | undefined;
  if (tracing) {
    const spanProcessors: SpanProcessor[] = plan.traces.map((name) =>
      name === 'console' ? new BatchSpanProcessor(new ConsoleSpanExporter()) : new BatchSpanProcessor(new OTLPTraceExporter()),
    );
    tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
    trace.setGlobalTracerProvider(tracerProvider);
  }

  const readers: MetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  for (const name of plan.metrics) {
    if (name === 'prometheus') {
      prometheus = new PrometheusExporter({ preventServerStart: true });
      readers.push(prometheus);
    } else {
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: name === 'console' ? new ConsoleMetricExporter() : new OTLPMetricExporter(),
          exportIntervalMillis: plan.metricIntervalMs,
          exportTimeoutMillis: Math.min(30000, plan.metricIntervalMs),
        }),
      );
    }
  }
  const onlyPrometheus = plan.metrics.length > 0 && plan.metrics.every((m) => m === 'prometheus');
  const meterProvider = new MeterProvider({ resource, readers, views: onlyPrometheus ? embeddedViews() : [] });
  metrics.setGlobalMeterProvider(meterProvider);

  const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
  const meter = meterProvider.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
  const telemetry = new GenAiTelemetry(tracer, meter, aimonConfig, log, { tracing });
  const exporter = prometheus;
  return {
    plan,
    aimonConfig,
    telemetry,
    metricsHandler: exporter !== undefined ? (req, res) => exporter.getMetricsRequestHandler(req, res) : undefined,
    async shutdown() {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
    },
  };
}
