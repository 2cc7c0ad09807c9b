'use strict';
/**
 * @opentelemetry/instrumentation-openai under @opentelemetry/sdk-node, shaped
 * like sdk-node's defaults (batched spans, metrics, batched log events) but
 * with every exporter in memory or dropping. Shared by the contrib preload
 * and the same-process comparison. `req` resolves the peers (bench/node_modules).
 */
function startContribSdk(sinks, req = require) {
  const { NodeSDK } = req('@opentelemetry/sdk-node');
  const { OpenAIInstrumentation } = req('@opentelemetry/instrumentation-openai');
  const { BatchSpanProcessor } = req('@opentelemetry/sdk-trace-base');
  const { BatchLogRecordProcessor } = req('@opentelemetry/sdk-logs');
  const sdk = new NodeSDK({
    serviceName: 'bench',
    spanProcessors: [new BatchSpanProcessor(sinks.spans)],
    metricReaders: [sinks.metrics],
    logRecordProcessors: [new BatchLogRecordProcessor({ exporter: sinks.logs })],
    instrumentations: [new OpenAIInstrumentation()],
  });
  sdk.start();
  return sdk;
}

module.exports = { startContribSdk };
