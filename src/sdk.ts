/**
 * The SDK that `register` starts: exporters chosen from the standard OTEL_*
 * variables, with an embedded default that needs no configuration.
 *
 * - No variable set: metrics on a Prometheus endpoint at localhost:9464/metrics,
 *   no traces (and so no context manager: metrics-only mode costs less).
 * - OTEL_EXPORTER_OTLP_ENDPOINT (or a per-signal endpoint) set: traces and
 *   metrics by OTLP/HTTP (JSON).
 * - OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER override either choice
 *   (otlp, prometheus, console, none; comma-separated lists allowed).
 */
import { createServer, type Server } from 'node:http';
import { context, diag, metrics, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { envBool, envInt } from './config.js';
import { HostMatcher } from './hosts.js';
import { AimonInstrumentation, type AimonInstrumentationConfig } from './instrumentation.js';
import { INSTRUMENTS, LATEST_INSTRUMENTS } from './instruments.js';
import { embeddedViewName } from './naming.js';
import { OwnMetrics } from './own-metrics.js';

type Env = Record<string, string | undefined>;
export type ExporterName = 'otlp' | 'prometheus' | 'console' | 'none';

export interface SdkPlan {
  traces: ExporterName[];
  metrics: ExporterName[];
  prometheusHost: string;
  prometheusPort: number;
  metricIntervalMs: number;
  undiciSpans: boolean;
  warnings: string[];
}

function exporterList(env: Env, name: string, dflt: ExporterName[], allowed: ExporterName[], warnings: string[]): ExporterName[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const out: ExporterName[] = [];
  for (const part of raw.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '')) {
    if ((allowed as string[]).includes(part)) out.push(part as ExporterName);
    else warnings.push(`${name}: "${part}" is not supported (${allowed.join(', ')}); ignored`);
  }
  if (out.includes('none')) return [];
  return out.length > 0 ? out : dflt;
}

/** Which exporters to start, from the environment. Pure. */
export function planSdk(env: Env): SdkPlan {
  const warnings: string[] = [];
  const otlpAny = (signal: string) =>
    (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim() !== '' || (env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`] ?? '').trim() !== '';
  const traces = exporterList(env, 'OTEL_TRACES_EXPORTER', otlpAny('TRACES') ? ['otlp'] : [], ['otlp', 'console', 'none'], warnings);
  const metrics = exporterList(
    env,
    'OTEL_METRICS_EXPORTER',
    otlpAny('METRICS') ? ['otlp'] : ['prometheus'],
    ['otlp', 'prometheus', 'console', 'none'],
    warnings,
  );
  const proto = (env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  if (proto !== '' && proto !== 'http/json') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL="${proto}": only http/json is bundled; exporting OTLP as http/json`);
  }
  return {
    traces,
    metrics,
    prometheusHost: (env.OTEL_EXPORTER_PROMETHEUS_HOST ?? '').trim() || 'localhost',
    prometheusPort: envInt(env, 'OTEL_EXPORTER_PROMETHEUS_PORT', 9464, 0, 65535, warnings),
    metricIntervalMs: envInt(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60000, 100, 86_400_000, warnings),
    undiciSpans: envBool(env, 'AIMON_UNDICI_SPANS', true, warnings),
    warnings,
  };
}

/** Views that make the embedded Prometheus names equal to the Collector's (see naming.ts). */
export function embeddedViews(): ViewOptions[] {
  const views: ViewOptions[] = [];
  for (const d of [...Object.values(INSTRUMENTS), ...Object.values(LATEST_INSTRUMENTS)]) {
    const name = embeddedViewName(d.name, d.unit, d.kind);
    if (name !== undefined) views.push({ instrumentName: d.name, name });
  }
  return views;
}

export interface RunningSdk {
  plan: SdkPlan;
  instrumentation: AimonInstrumentation;
  /** The embedded metrics server, when started. */
  metricsServer: Server | undefined;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

function serveMetrics(exporter: PrometheusExporter, host: string, port: number, log: DiagLogger): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.statusCode = 404;
    res.end('Not found: metrics are at /metrics\n');
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    log.error(
      `the metrics endpoint could not listen on ${host}:${port} (${err.code ?? err.message}); the app runs on, metrics are not served. Set OTEL_EXPORTER_PROMETHEUS_PORT to a free port.`,
    );
  });
  server.listen(port, host, () => log.debug(`metrics endpoint at http://${host}:${port}/metrics`));
  // A short script must still exit when its work is done.
  server.unref();
  return server;
}

export interface ProvidersOptions {
  /** service.name unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  defaultServiceName?: string;
  /** Install an AsyncLocalStorage context manager (needed by the fetch tap for spans and baggage). */
  contextManager: boolean;
  /** Serve the Prometheus handler on its own listener (false: the caller serves `prometheus`). */
  serveMetrics: boolean;
}

export interface Providers {
  plan: SdkPlan;
  /** Our metrics, aggregated by us and read by every reader. */
  ownMetrics: OwnMetrics;
  tracing: boolean;
  tracerProvider: NodeTracerProvider | undefined;
  meterProvider: MeterProvider;
  /** The Prometheus exporter, when metrics go to Prometheus. */
  prometheus: PrometheusExporter | undefined;
  metricsServer: Server | undefined;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OTLP metric exporter's own timeout, at most half the export interval.
 * Its retries run on ref'd timers: when one export's retries outlast the
 * interval, the next export starts before they end, the event loop is never
 * empty, and with the collector down an app that has finished never exits.
 */
export function metricExportTimeout(env: Env, intervalMs: number): number {
  const configured = Number(env.OTEL_EXPORTER_OTLP_METRICS_TIMEOUT ?? env.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10000);
  const base = Number.isFinite(configured) && configured > 0 ? configured : 10000;
  return Math.max(50, Math.min(base, Math.floor(intervalMs / 2)));
}

/** Query parameters whose values are safe to record (Azure OpenAI's API version). */
const PLAIN_QUERY_PARAMS = new Set(['api-version']);

/** The query of a request path with every value but PLAIN_QUERY_PARAMS replaced by REDACTED; undefined without a query. */
export function redactedQuery(path: string): string | undefined {
  const i = path.indexOf('?');
  if (i < 0) return undefined;
  const parts = path
    .slice(i + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      if (eq < 0) return PLAIN_QUERY_PARAMS.has(name.toLowerCase()) || name === '' ? p : 'REDACTED';
      return PLAIN_QUERY_PARAMS.has(name.toLowerCase()) ? p : `${name}=REDACTED`;
    });
  return `?${parts.join('&')}`;
}

/** Exporters, providers and globals from the standard OTEL_* variables; shared by `register` and `aimon proxy`. */
export function startProviders(env: Env, log: DiagLogger, options: ProvidersOptions): Providers {
  const plan = planSdk(env);
  for (const w of plan.warnings) log.warn(w);
  const tracing = plan.traces.length > 0;

  // No process or host detector: process.command_args can carry secrets, and
  // the host detector's async attributes are not settled at start-up.
  const resource: Resource = defaultResource()
    .merge(
      resourceFromAttributes({
        ...(options.defaultServiceName !== undefined ? { 'service.name': options.defaultServiceName } : {}),
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': process.versions.node,
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));

  // W3C trace context and baggage: used only where something injects or
  // extracts (HTTP child spans, the proxy reading attribution baggage).
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  // Context propagation costs CPU on every await (AsyncLocalStorage): install
  // it only when the caller needs it.
  if (options.contextManager) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  let tracerProvider: NodeTracerProvider | undefined;
  if (tracing) {
    const spanProcessors: SpanProcessor[] = plan.traces.map((name) =>
      name === 'console'
        ? new BatchSpanProcessor(new ConsoleSpanExporter())
        : new BatchSpanProcessor(new OTLPTraceExporter()),
    );
    tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
    trace.setGlobalTracerProvider(tracerProvider);
  }

  // Views do not apply to a producer's output: it is given the names the
  // views would have produced (see naming.ts).
  const onlyPrometheus = plan.metrics.length > 0 && plan.metrics.every((m) => m === 'prometheus');
  const ownMetrics = new OwnMetrics((name, unit, kind) => (onlyPrometheus ? embeddedViewName(name, unit, kind) : undefined) ?? name);
  const metricProducers = [ownMetrics];

  const readers: MetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  let metricsServer: Server | undefined;
  for (const name of plan.metrics) {
    if (name === 'prometheus') {
      prometheus = new PrometheusExporter({ preventServerStart: true, metricProducers });
      if (options.serveMetrics) metricsServer = serveMetrics(prometheus, plan.prometheusHost, plan.prometheusPort, log);
      readers.push(prometheus);
    } else {
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: name === 'console' ? new ConsoleMetricExporter() : new OTLPMetricExporter({ timeoutMillis: metricExportTimeout(env, plan.metricIntervalMs) }),
          exportIntervalMillis: plan.metricIntervalMs,
          exportTimeoutMillis: Math.min(30000, plan.metricIntervalMs),
          metricProducers,
        }),
      );
    }
  }
  // Views are per provider: the rename for Prometheus names applies only when
  // the embedded endpoint is the sole metrics path, so OTLP keeps semconv names.
  if (plan.metrics.includes('prometheus') && !onlyPrometheus) {
    log.warn('OTEL_METRICS_EXPORTER lists prometheus with another exporter: the embedded endpoint then exposes OTLP names without unit suffixes');
  }
  const meterProvider = new MeterProvider({ resource, readers, views: onlyPrometheus ? embeddedViews() : [] });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    plan,
    ownMetrics,
    tracing,
    tracerProvider,
    meterProvider,
    prometheus,
    metricsServer,
    async forceFlush() {
      await Promise.allSettled([tracerProvider?.forceFlush(), meterProvider.forceFlush()]);
    },
    async shutdown() {
      metricsServer?.close();
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
    },
  };
}

export function startSdk(env: Env, log: DiagLogger, options: AimonInstrumentationConfig = {}): RunningSdk {
  const attributes = options.attributes ?? (env.AIMON_ATTRIBUTES ?? '').split(',').filter((a) => a.trim() !== '');
  const p = startProviders(env, log, {
    // Spans need context for parenting; baggage attribution needs it to read baggage.
    contextManager: planSdk(env).traces.length > 0 || attributes.length > 0,
    serveMetrics: true,
  });
  const { plan, tracing, tracerProvider, meterProvider } = p;

  const instrumentation = new AimonInstrumentation({ ...options, tracing, ownMetrics: p.ownMetrics });
  instrumentation.setMeterProvider(meterProvider);
  if (tracerProvider !== undefined) instrumentation.setTracerProvider(tracerProvider);

  const others: Instrumentation[] = [];
  if (tracing && plan.undiciSpans) {
    // HTTP child spans (connection timing) for LLM hosts only.
    const matcher = new HostMatcher(instrumentation.aimonConfig?.endpoints ?? []);
    const undici = new UndiciInstrumentation({
      ignoreRequestHook: (req) => matcher.match(`${req.origin}${req.path}`) === undefined,
      // url.full and url.query carry the query string verbatim, and some
      // providers take the API key there (?key=): keep only the names.
      requestHook: (span, req) => {
        const q = redactedQuery(req.path);
        if (q === undefined) return;
        span.setAttribute('url.query', q);
        span.setAttribute('url.full', `${req.origin}${req.path.slice(0, req.path.indexOf('?'))}${q}`);
      },
    });
    undici.setTracerProvider(tracerProvider!);
    undici.setMeterProvider(meterProvider);
    undici.enable();
    others.push(undici);
  }

  return {
    plan,
    instrumentation,
    metricsServer: p.metricsServer,
    forceFlush: () => p.forceFlush(),
    async shutdown() {
      instrumentation.shutdown();
      for (const o of others) o.disable();
      await p.shutdown();
    },
  };
}
