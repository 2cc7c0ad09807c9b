'use strict';
/**
 * The same-process comparison: one process holds several openai clients that
 * differ only in their instrumentation, and the parent drives them round-robin
 * in a new shuffled order each round (batches of a few dozen calls). On a
 * shared two-core machine the speed of the CPU drifts by ±30% from one second
 * to the next; across processes that drift swamps differences of tens of µs,
 * but within one process the variants of a round see the same machine, so the
 * paired differences separate from the noise.
 *
 * argv[2] = 'metrics' (no context manager in the process, as the embedded
 * default runs):
 *   none    the plain client (global fetch);
 *   als     the plain client, each call in AsyncLocalStorage.run(), the
 *           storage disabled after the batch (its promise hooks then stop):
 *           the cost of the context manager every OTel SDK installs;
 *   aimon   a client whose fetch is AimonInstrumentation.wrap(fetch):
 *           metrics only, our own aggregation on a pull reader.
 * argv[2] = 'spans' (@opentelemetry/sdk-node started with
 * instrumentation-openai, so the ALS context manager is on for every call):
 *   als     the plain client (its openai copy loaded before the SDK started,
 *           so never patched): the ALS control;
 *   als2    the same plain client on another copy: an A/A check, how far
 *           the copy alone moves a variant;
 *   aimon   a client whose fetch is wrap(fetch), with spans (batched, in-memory
 *           exporter) and metrics (our aggregation, pull reader);
 *   contrib a copy of openai loaded after the SDK started, which
 *           instrumentation-openai patches (spans, metrics, log events to
 *           the SDK's in-memory sinks).
 * Each variant has its own copy of the openai package (freshOpenAI), loaded
 * in an order that depends on argv[3], the process's index in its mode.
 * Each variant's capture is checked after the rounds (spans and metrics seen
 * only where expected), so a variant that silently measures nothing fails.
 */
const { AsyncLocalStorage } = require('node:async_hooks');
const path = require('node:path');

const mode = process.argv[2];
const baseURL = process.env.BENCH_BASE_URL;
const upstreamHost = process.env.BENCH_UPSTREAM_HOST;
const benchRequire = require('node:module').createRequire(path.join(__dirname, '..', 'package.json'));
const { pathToFileURL } = require('node:url');
const { installSinks, PullMetricReader, CountingSpanExporter } = require('./sinks.cjs');
const { workloadsOf, freshOpenAI } = require('./workloads.cjs');
const { startContribSdk } = require('./contrib-sdk.cjs');

const opts = { apiKey: 'sk-bench-not-a-key', baseURL, maxRetries: 0, timeout: 30000 };

async function setup() {
  // Which copy a variant gets moves it by about as much as the differences we
  // look for (the A/A column: up to ±12 µs per call, the same way for a whole
  // process), so the copies loaded before the SDK are loaded in an order that
  // changes from one process to the next: that effect then varies between the
  // processes, where the pooled result averages it, instead of always favouring
  // the same variant. (contrib's copy must come after the SDK: always last.)
  const names = mode === 'metrics' ? ['none', 'als', 'aimon'] : ['als', 'als2', 'aimon'];
  const copies = {};
  for (const n of rotated(names, Number(process.argv[3] ?? 0))) copies[n] = freshOpenAI();
  if (new Set(Object.values(copies)).size !== 3) throw new Error('the openai copies are not distinct');
  const originalFetch = globalThis.fetch;
  // BENCH_AIMON_DIST: the copy of the package under bench/ that bench/run.mjs makes (it resolves the SDK's own
  // @opentelemetry/api, as an installed app does); dist/ when run alone.
  const aimonEntry = process.env.BENCH_AIMON_DIST ?? path.join(__dirname, '..', '..', 'dist', 'index.js');
  const { AimonInstrumentation, OwnMetrics } = await import(pathToFileURL(aimonEntry).href);
  const { MeterProvider } = benchRequire('@opentelemetry/sdk-metrics');
  const own = new OwnMetrics();
  const aimonMetrics = new PullMetricReader({ metricProducers: [own] });
  const meterProvider = new MeterProvider({ readers: [aimonMetrics] });
  const variants = {};
  const checks = {};

  if (mode === 'metrics') {
    const als = new AsyncLocalStorage();
    const inst = new AimonInstrumentation({ hosts: [upstreamHost], tracing: false, enabled: false, ownMetrics: own });
    inst.setMeterProvider(meterProvider);
    variants.none = { run: workloadsOf(new copies.none(opts)) };
    variants.als = { run: workloadsOf(new copies.als(opts)), als };
    variants.aimon = { run: workloadsOf(new copies.aimon({ ...opts, fetch: inst.wrap(originalFetch) })) };
    checks.aimon = async () => ({ metricPoints: await points(aimonMetrics) });
    return { variants, checks };
  }

  // spans: the SDK (and its ALS context manager) first, then the patched copy of openai.
  const sinks = installSinks();
  startContribSdk(sinks, benchRequire);
  const PatchedOpenAI = freshOpenAI();
  if (Object.values(copies).includes(PatchedOpenAI)) throw new Error('the patched openai copy is an earlier one: contrib would patch nothing');

  const { NodeTracerProvider } = benchRequire('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = benchRequire('@opentelemetry/sdk-trace-base');
  const ourSpans = new CountingSpanExporter();
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(ourSpans)] });
  const inst = new AimonInstrumentation({ hosts: [upstreamHost], enabled: false, ownMetrics: own });
  inst.setTracerProvider(tracerProvider);
  inst.setMeterProvider(meterProvider);
  variants.als = { run: workloadsOf(new copies.als(opts)) };
  variants.als2 = { run: workloadsOf(new copies.als2(opts)) };
  variants.aimon = { run: workloadsOf(new copies.aimon({ ...opts, fetch: inst.wrap(originalFetch) })) };
  variants.contrib = { run: workloadsOf(new PatchedOpenAI(opts)) };
  checks.aimon = async () => {
    await tracerProvider.forceFlush();
    // Our spans must be priced (a copy of the package without its prices/ would price nothing and cost less).
    for (const [op, last] of ourSpans.last) {
      if (last.attributes['aimon.cost.usd'] === undefined) throw new Error(`our last ${op} span has no cost: is prices/ next to the build?`);
    }
    return { spans: ourSpans.count, metricPoints: await points(aimonMetrics) };
  };
  checks.contrib = async () => {
    const { trace } = benchRequire('@opentelemetry/api');
    await trace.getTracerProvider().getDelegate().forceFlush();
    return { spans: sinks.spans.count, metricPoints: await points(sinks.metrics) };
  };
  return { variants, checks };
}

/** `list` in load order for process `k`: every order of three names over six processes. */
function rotated(list, k) {
  const orders = [
    [0, 1, 2],
    [2, 0, 1],
    [1, 2, 0],
    [0, 2, 1],
    [1, 0, 2],
    [2, 1, 0],
  ];
  return orders[((k % 6) + 6) % 6].map((i) => list[i]);
}

async function points(reader) {
  const { resourceMetrics } = await reader.collect();
  let n = 0;
  for (const sm of resourceMetrics.scopeMetrics) for (const m of sm.metrics) n += m.dataPoints.length;
  return n;
}

/**
 * Fine interleaving: `steps` times, each variant in a new random order runs
 * one unit (one call, or one batch of `conc` concurrent calls), its CPU
 * measured alone. Consecutive units are milliseconds apart, so the machine's
 * drift is the same for the variants of a step and cancels in their
 * difference; the mean over thousands of steps keeps the cost of GC (a real
 * cost) while its noise averages out. Returns CPU µs per call, per step.
 */
async function interleave(names, workload, conc, steps) {
  const out = Object.fromEntries(names.map((n) => [n, new Array(steps)]));
  let seed = 0x2f6b3a1 ^ steps;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const order = [...names];
  for (let s = 0; s < steps; s++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const name of order) {
      const v = variants[name];
      const call = v.run[workload];
      // The ALS variant's storage is enabled before the measurement (its promise
      // hooks then run for every promise of the call) and disabled after it.
      if (v.als !== undefined) v.als.run(undefined, () => undefined);
      const one = v.als !== undefined ? (i) => v.als.run({ i }, call) : () => call();
      let check = 0;
      const cpu0 = process.cpuUsage();
      if (conc === 1) check = await one(s);
      else check = (await Promise.all(Array.from({ length: conc }, (_, i) => one(i)))).reduce((a, b) => a + b, 0);
      const cpu = process.cpuUsage(cpu0);
      if (v.als !== undefined) v.als.disable();
      if (!(check > 0)) throw new Error(`${workload}: the app received nothing`);
      out[name][s] = (cpu.user + cpu.system) / conc;
    }
  }
  return out;
}

let variants;

setup().then(
  (ready) => {
    variants = ready.variants;
    const checks = ready.checks;
    process.on('message', async (m) => {
      try {
        let result;
        if (m.cmd === 'interleave') result = await interleave(Object.keys(variants), m.workload, m.conc, m.steps);
        else if (m.cmd === 'capture') result = Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([k, f]) => [k, await f()])));
        else if (m.cmd === 'exit') process.exit(0);
        process.send({ id: m.id, ok: true, result });
      } catch (err) {
        process.send({ id: m.id, ok: false, error: String(err?.stack ?? err) });
      }
    });
    process.send({ ready: true, variants: Object.keys(variants) });
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
