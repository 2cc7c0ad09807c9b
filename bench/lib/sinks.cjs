'use strict';
/**
 * In-memory sinks shared by the preloads: a span exporter that only counts
 * (and keeps the last span per operation for the capture report), a metric
 * reader that collects only when asked (no timer, so no export work lands in
 * a measured batch), and a log exporter that drops records. Exposed on
 * globalThis so the client can ask for the capture report at the end.
 */
const { MetricReader } = require('@opentelemetry/sdk-metrics');

class CountingSpanExporter {
  constructor() {
    this.count = 0;
    this.last = new Map();
  }
  export(spans, cb) {
    this.count += spans.length;
    for (const s of spans) this.last.set(s.name.split(' ')[0], { name: s.name, attributes: { ...s.attributes } });
    cb({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

class PullMetricReader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

class DropLogExporter {
  constructor() {
    this.count = 0;
  }
  export(records, cb) {
    this.count += records.length;
    cb({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

/** What the bench asks each variant at the end: spans, metrics, logs it produced. */
function installSinks(extra = {}) {
  const sinks = { spans: new CountingSpanExporter(), metrics: new PullMetricReader(), logs: new DropLogExporter(), ...extra };
  globalThis.__benchSinks = sinks;
  return sinks;
}

module.exports = { CountingSpanExporter, PullMetricReader, DropLogExporter, installSinks };
