// @aimon/otel through its programmatic API with spans and metrics:
// AimonInstrumentation + NodeTracerProvider (batched, in-memory exporter) +
// MeterProvider (pull reader) with our own aggregation (OwnMetrics) as a
// producer on the reader, as `register` sets it up. The ALS context manager comes with
// NodeTracerProvider.register(), as in any OTel SDK.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
// The copy of the package under bench/ that bench/run.mjs makes (see there), else dist/.
const { AimonInstrumentation, OwnMetrics } = await import(process.env.BENCH_AIMON_DIST ? pathToFileURL(process.env.BENCH_AIMON_DIST).href : '../../../dist/index.js');

const require = createRequire(import.meta.url);
const { installSinks, PullMetricReader } = require('../sinks.cjs');

const ownMetrics = new OwnMetrics();
const sinks = installSinks({ metrics: new PullMetricReader({ metricProducers: [ownMetrics] }) });
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(sinks.spans)] });
tracerProvider.register();
const meterProvider = new MeterProvider({ readers: [sinks.metrics] });
const inst = new AimonInstrumentation({ hosts: [process.env.BENCH_UPSTREAM_HOST], ownMetrics });
inst.setTracerProvider(tracerProvider);
inst.setMeterProvider(meterProvider);
