'use strict';
/**
 * One benchmark child: an app using the official openai package, driven by
 * the parent over IPC. The same file runs for every variant; only the
 * preload (--require / --import) differs. Each `run` measures process CPU
 * (process.cpuUsage: user + system, all threads) and wall time around a batch
 * of calls. CommonJS, so that the peers' require hooks can patch `openai`.
 */
const http = require('node:http');
const { context, createContextKey, trace } = require('@opentelemetry/api');
const OpenAI = require('openai');
const { workloadsOf } = require('./workloads.cjs');

const baseURL = process.env.BENCH_BASE_URL;
const client = new OpenAI({ apiKey: 'sk-bench-not-a-key', baseURL, maxRetries: 0, timeout: 30000 });
const KEY = createContextKey('bench.call');

const workloads = workloadsOf(client);

async function runBatch(workload, conc, n) {
  const call = workloads[workload];
  let next = 0;
  let check = 0;
  // Every variant wraps each call in context.with, as an app with an active
  // context would; without a context manager this is a no-op.
  const worker = async () => {
    while (next < n) {
      const i = next++;
      check += await context.with(context.active().setValue(KEY, i), call);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: conc }, worker));
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  if (check <= 0) throw new Error(`${workload}: the app received nothing`);
  return {
    n,
    cpuUs: cpu.user + cpu.system,
    userUs: cpu.user,
    sysUs: cpu.system,
    wallMs: wallNs / 1e6,
    rssMB: process.memoryUsage().rss / 1048576,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

function scrape(port) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const isInput = (k) => /usage/.test(k) && /(input|prompt)_?tokens|\.input_tokens|prompt_tokens/.test(k) && !/cache|detail/.test(k);
const isOutput = (k) => /usage/.test(k) && /(output|completion)_?tokens/.test(k) && !/reasoning|detail/.test(k);

/** What this variant recorded: spans (with token attributes), token metrics, cost. */
async function capture() {
  const out = { spans: 0, spanTokens: '', metricTokens: false, cost: false, logs: 0, metricNames: [] };
  const sinks = globalThis.__benchSinks;
  if (sinks !== undefined) {
    // Export what the batch processors still hold.
    const tp = trace.getTracerProvider();
    await (tp.getDelegate?.() ?? tp).forceFlush?.();
    const lp = sinks.logProvider;
    await (lp?.getDelegate?.() ?? lp)?.forceFlush?.();
    out.spans = sinks.spans.count;
    out.logs = sinks.logs.count;
    for (const s of sinks.spans.last.values()) {
      const keys = Object.keys(s.attributes);
      const io = `${keys.some(isInput) ? 'in' : ''}${keys.some(isInput) && keys.some(isOutput) ? '+' : ''}${keys.some(isOutput) ? 'out' : ''}`;
      if (io.length > out.spanTokens.length) out.spanTokens = io;
      if (keys.some((k) => /cost/i.test(k))) out.cost = true;
    }
    // A reader no meter provider took (traceloop records no metrics) has nothing to collect.
    const { resourceMetrics } = await sinks.metrics.collect().catch(() => ({ resourceMetrics: { scopeMetrics: [] } }));
    for (const sm of resourceMetrics.scopeMetrics) {
      for (const m of sm.metrics) {
        const name = m.descriptor.name;
        if (m.dataPoints.length === 0) continue;
        out.metricNames.push(name);
        if (/token/.test(name) && m.dataPoints.some((d) => (d.value?.sum ?? d.value ?? 0) > 0)) out.metricTokens = true;
        if (/cost/i.test(name)) out.cost = true;
      }
    }
  } else if (process.env.BENCH_PROM_PORT) {
    const text = await scrape(Number(process.env.BENCH_PROM_PORT));
    const names = new Set();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const name = line.split(/[{ ]/)[0];
      names.add(name.replace(/_(bucket|sum|count|total)$/, ''));
      if (/token_usage.*_sum/.test(name) && Number(line.split(' ').pop()) > 0) out.metricTokens = true;
      if (/cost/i.test(name) && Number(line.split(' ').pop()) > 0) out.cost = true;
    }
    out.metricNames = [...names].filter((n) => n !== 'target_info');
  }
  return out;
}

process.on('message', (msg) => {
  const reply = (m) => process.send(m);
  if (msg.cmd === 'run') {
    runBatch(msg.workload, msg.conc, msg.n).then(
      (r) => reply({ id: msg.id, ok: true, result: r }),
      (err) => reply({ id: msg.id, ok: false, error: String(err && err.stack || err) }),
    );
  } else if (msg.cmd === 'capture') {
    capture().then(
      (r) => reply({ id: msg.id, ok: true, result: r }),
      (err) => reply({ id: msg.id, ok: false, error: String(err && err.stack || err) }),
    );
  } else if (msg.cmd === 'exit') {
    process.exit(0);
  }
});
process.send({ ready: true });
