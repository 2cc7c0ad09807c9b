'use strict';
// @opentelemetry/instrumentation-openai under @opentelemetry/sdk-node, shaped
// like sdk-node's defaults (batched spans, metrics, batched log events) but
// with every exporter in memory or dropping.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { installSinks } = require('../sinks.cjs');

const sinks = installSinks();
const sdk = new NodeSDK({
  serviceName: 'bench',
  spanProcessors: [new BatchSpanProcessor(sinks.spans)],
  metricReaders: [sinks.metrics],
  logRecordProcessors: [new BatchLogRecordProcessor({ exporter: sinks.logs })],
  instrumentations: [new OpenAIInstrumentation()],
});
sdk.start();
sinks.logProvider = require('@opentelemetry/api-logs').logs.getLoggerProvider();
