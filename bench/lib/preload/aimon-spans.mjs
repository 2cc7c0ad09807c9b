// @aimon/otel through its programmatic API with spans and metrics:
// AimonInstrumentation + NodeTracerProvider (batched, in-memory exporter) +
// MeterProvider (pull reader). The ALS context manager comes with
// NodeTracerProvider.register(), as in any OTel SDK.
import { createRequire } from 'node:module';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AimonInstrumentation } from '../../../dist/index.js';

const require = createRequire(import.meta.url);
const { installSinks } = require('../sinks.cjs');

const sinks = installSinks();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(sinks.spans)] });
tracerProvider.register();
const meterProvider = new MeterProvider({ readers: [sinks.metrics] });
const inst = new AimonInstrumentation({ hosts: [process.env.BENCH_UPSTREAM_HOST] });
inst.setTracerProvider(tracerProvider);
inst.setMeterProvider(meterProvider);
