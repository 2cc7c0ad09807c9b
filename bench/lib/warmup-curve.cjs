'use strict';
/**
 * How many calls it takes for the added CPU per call to settle:
 * `node bench/lib/warmup-curve.cjs [chat|embed|stream] [calls] [bucket]`.
 * One process, no warm-up: the plain openai client and one whose fetch is
 * AimonInstrumentation.wrap(fetch) (metrics-only, our own aggregation), one
 * call of each per step in random order against the fake upstream in its own
 * process. Prints the median paired difference (µs of CPU per call) for each
 * bucket of steps. Code that runs once per call stays in V8's interpreter and
 * baseline tiers for hundreds of calls, so the first buckets cost several
 * times the steady state; inproc-bench.mjs warms up past that point.
 */
const path = require('node:path');
const { fork } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { PullMetricReader } = require('./sinks.cjs');
const { workloadsOf } = require('./workloads.cjs');

const benchRequire = require('node:module').createRequire(path.join(__dirname, '..', 'package.json'));
const workload = process.argv[2] ?? 'embed';
const calls = Number(process.argv[3] ?? 6000);
const bucket = Number(process.argv[4] ?? 500);

(async () => {
  const up = fork(path.join(__dirname, 'upstream-proc.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise((resolve) => up.once('message', resolve));
  const OpenAI = benchRequire('openai');
  const { MeterProvider } = benchRequire('@opentelemetry/sdk-metrics');
  const { AimonInstrumentation, OwnMetrics } = await import(pathToFileURL(path.join(__dirname, '..', '..', 'dist', 'index.js')).href);
  const own = new OwnMetrics();
  const inst = new AimonInstrumentation({ hosts: [`http://127.0.0.1:${info.port}`], tracing: false, enabled: false, ownMetrics: own });
  inst.setMeterProvider(new MeterProvider({ readers: [new PullMetricReader({ metricProducers: [own] })] }));
  const opts = { apiKey: 'sk-bench-not-a-key', baseURL: info.baseURL, maxRetries: 0 };
  const variants = { none: workloadsOf(new OpenAI(opts))[workload], aimon: workloadsOf(new OpenAI({ ...opts, fetch: inst.wrap(globalThis.fetch) }))[workload] };
  const cpu = { none: [], aimon: [] };
  let seed = 12345;
  for (let s = 0; s < calls; s++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    for (const name of seed & 1 ? ['none', 'aimon'] : ['aimon', 'none']) {
      const c0 = process.cpuUsage();
      if (!((await variants[name]()) > 0)) throw new Error(`${workload}: the app received nothing`);
      const c = process.cpuUsage(c0);
      cpu[name].push(c.user + c.system);
    }
  }
  const rows = [];
  for (let i = 0; i + bucket <= calls; i += bucket) {
    const d = cpu.aimon.slice(i, i + bucket).map((x, k) => x - cpu.none[i + k]).sort((a, b) => a - b);
    rows.push(`| ${i + 1}–${i + bucket} | ${d[d.length >> 1]} |`);
  }
  console.log(`${workload}: @aimon/otel metrics-only, CPU µs added per call (median of paired differences), by call number\n`);
  console.log('| calls | added µs |\n| --- | ---: |');
  console.log(rows.join('\n'));
  up.kill();
  process.exit(0);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
