'use strict';
// @traceloop/node-server-sdk with its defaults (token enrichment on), no API
// key, no registry sync, spans to an in-memory exporter. It records no metrics.
const traceloop = require('@traceloop/node-server-sdk');
const { installSinks } = require('../sinks.cjs');

const sinks = installSinks();
traceloop.initialize({
  appName: 'bench',
  baseUrl: 'http://127.0.0.1:9',
  exporter: sinks.spans,
  traceloopSyncEnabled: false,
  silenceInitializationMessage: true,
});
