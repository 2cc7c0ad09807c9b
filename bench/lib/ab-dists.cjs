'use strict';
/**
 * A/B of builds of @aimon/otel in one process: each NAME=DIR is a copy of
 * dist/ (say, the build of another commit, or a probe: a copy with one part
 * edited out), each gets its own openai client, and every step runs one call
 * (or one batch of --conc concurrent calls) of every variant in a new random
 * order. Differences are paired per step. Not part of `npm run bench`: this
 * is how a change is weighed before it lands (bench/RESULTS.md cites runs).
 *
 *   node bench/lib/ab-dists.cjs [--mode spans|metrics] [--workload embed] [--conc 1]
 *        [--warm 3000] [--steps 3000] [--contrib] [--intervals FILE] [--second-control]
 *        [--shared-openai] [--warm-order interleaved|sequential] [--import-first] base=DIR new=DIR ...
 *
 * --contrib adds instrumentation-openai (spans mode); --intervals writes when
 * each measured batch ran, for bench/lib/profile-by-variant.mjs (run this
 * script under `node --cpu-prof` for that).
 *
 * Symmetry matters: two variants that share one copy of the code warm it up
 * twice as fast and look cheaper, so give each variant its own copy, under
 * bench/ so that it resolves the SDK's node_modules, with prices/ beside it
 * or it prices nothing (see make-probes.mjs, which does both and also makes
 * an identical pair for an A/A check). The
 * same holds for the client library: each variant gets its own copy of the
 * openai package (--shared-openai gives the control and the builds one copy,
 * as before 2026-11-29; --second-control adds the plain client on a copy of
 * its own, an A/A check of the copies). In 'spans' mode the
 * process runs under sdk-node's ALS context manager (as inproc-child.cjs) and
 * every build records spans (batched, counting exporter) and metrics (its
 * own aggregation); 'als' is the plain client. In 'metrics' mode there is no
 * context manager and 'none' is the plain client.
 */
const path = require('node:path');
const { fork } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { parseArgs } = require('node:util');
const { installSinks, PullMetricReader, CountingSpanExporter } = require('./sinks.cjs');
const { workloadsOf, freshOpenAI } = require('./workloads.cjs');
const { startContribSdk } = require('./contrib-sdk.cjs');

const benchRequire = require('node:module').createRequire(path.join(__dirname, '..', 'package.json'));

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'spans' },
    workload: { type: 'string', default: 'embed' },
    conc: { type: 'string', default: '1' },
    warm: { type: 'string', default: '3000' },
    steps: { type: 'string', default: '3000' },
    contrib: { type: 'boolean', default: false },
    intervals: { type: 'string' },
    'shared-openai': { type: 'boolean', default: false },
    'second-control': { type: 'boolean', default: false },
    'warm-order': { type: 'string', default: 'interleaved' },
    'import-first': { type: 'boolean', default: false },
  },
});
const usage = (why) => {
  console.error(`${why}\nusage: node bench/lib/ab-dists.cjs [--mode spans|metrics] [--workload chat|stream|embed] [--conc N] [--warm N] [--steps N] [--contrib] [--intervals FILE] [--second-control] [--shared-openai] [--warm-order interleaved|sequential] [--import-first] NAME=DIR ...`);
  process.exit(2);
};
const builds = positionals.map((p) => {
  const eq = p.indexOf('=');
  if (eq <= 0) usage(`expected NAME=DIR, got ${p}`);
  return { name: p.slice(0, eq), dir: path.resolve(p.slice(eq + 1)) };
});
if (builds.length === 0) usage('give at least one NAME=DIR build (a copy of dist/ inside the repository)');
if (!['chat', 'stream', 'embed'].includes(opts.workload)) usage(`unknown workload ${opts.workload}`);
if (!['spans', 'metrics'].includes(opts.mode)) usage(`unknown mode ${opts.mode}`);
if (!['interleaved', 'sequential'].includes(opts['warm-order'])) usage(`unknown --warm-order ${opts['warm-order']}`);
const conc = Number(opts.conc);
const spans = opts.mode === 'spans';

async function main() {
  const { medianCi, shuffled } = await import('./stats.mjs');
  const med = (d) => {
    const { m, lo, hi } = medianCi(d);
    return `${m.toFixed(0)} [${lo.toFixed(0)}, ${hi.toFixed(0)}]`;
  };
  const up = fork(path.join(__dirname, 'upstream-proc.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise((r) => up.once('message', r));
  const host = `http://127.0.0.1:${info.port}`;
  const clientOpts = { apiKey: 'sk-bench-not-a-key', baseURL: info.baseURL, maxRetries: 0, timeout: 30000 };
  // Every copy is loaded before the SDK starts: instrumentation-openai patches only later ones.
  const PlainOpenAI = freshOpenAI();
  const copyFor = () => (opts['shared-openai'] ? PlainOpenAI : freshOpenAI());
  const secondControl = opts['second-control'] ? copyFor() : undefined;
  const buildCopies = builds.map(copyFor);
  const { MeterProvider } = benchRequire('@opentelemetry/sdk-metrics');
  const variants = {};
  let tracerProvider;
  const control = spans ? 'als' : 'none';
  // --import-first: the builds are imported before the SDK starts, as register and a NodeSDK that lists our
  // instrumentation do (and as inproc-child.cjs does); by default after it.
  const modules = opts['import-first'] ? await Promise.all(builds.map((b) => import(pathToFileURL(path.join(b.dir, 'index.js')).href))) : undefined;
  if (spans) {
    startContribSdk(installSinks(), benchRequire);
    const { NodeTracerProvider } = benchRequire('@opentelemetry/sdk-trace-node');
    const { BatchSpanProcessor } = benchRequire('@opentelemetry/sdk-trace-base');
    tracerProvider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new CountingSpanExporter())] });
  }
  variants[control] = workloadsOf(new PlainOpenAI(clientOpts));
  // An A/A check of the copies: the same plain client on another copy.
  if (secondControl !== undefined) variants[`${control}2`] = workloadsOf(new secondControl(clientOpts));
  for (const [i, b] of builds.entries()) {
    const m = modules?.[i] ?? (await import(pathToFileURL(path.join(b.dir, 'index.js')).href));
    const own = new m.OwnMetrics();
    const inst = new m.AimonInstrumentation({ hosts: [host], enabled: false, ownMetrics: own, ...(spans ? {} : { tracing: false }) });
    if (tracerProvider !== undefined) inst.setTracerProvider(tracerProvider);
    inst.setMeterProvider(new MeterProvider({ readers: [new PullMetricReader({ metricProducers: [own] })] }));
    variants[b.name] = workloadsOf(new buildCopies[i]({ ...clientOpts, fetch: inst.wrap(globalThis.fetch) }));
  }
  if (spans && opts.contrib) {
    // An openai copy loaded after the SDK started: instrumentation-openai patches this one.
    variants.contrib = workloadsOf(new (freshOpenAI())(clientOpts));
  }

  const names = Object.keys(variants);
  /** [variant, start µs, end µs, calls] of each measured batch, on the clock of V8's CPU profiles. */
  const intervals = [];
  const batch = async (n, measured) => {
    const call = variants[n][opts.workload];
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    // One call is awaited directly (as inproc-child.cjs does): Promise.all would add ticks to the measured window.
    if (conc === 1) await call();
    else await Promise.all(Array.from({ length: conc }, () => call()));
    const c = process.cpuUsage(c0);
    if (measured) intervals.push([n, Number(t0 / 1000n), Number(process.hrtime.bigint() / 1000n), conc]);
    return (c.user + c.system) / conc;
  };
  const res = Object.fromEntries(names.map((n) => [n, []]));
  /** `count` steps, each one batch of every variant in a new random order; measured steps keep their samples. */
  const steps = async (count, seed, measured) => {
    for (let s = 0; s < count; s++) {
      for (const n of shuffled(names, seed + s)) {
        const cpu = await batch(n, measured);
        if (measured) res[n].push(cpu);
      }
    }
  };
  const warm = Math.ceil(Number(opts.warm) / conc);
  // Warm-up interleaved like the measurement: warmed one after another (--warm-order sequential, the way
  // before 2026-11-29 evening), the variants warmed later measured dearer (A/A of identical copies: −6 to +41 µs
  // per embeddings call, against −10 to +13 interleaved).
  if (opts['warm-order'] === 'sequential') {
    for (const n of names) for (let i = 0; i < warm; i++) await batch(n, false);
  } else await steps(warm, 1129, false);
  await steps(Number(opts.steps), 20261129, true);
  const diff = (a, b) => res[a].map((x, i) => x - res[b][i]);
  const base = builds[0].name;
  console.log(`${opts.mode} ${opts.workload}/c${conc}, ${opts.steps} steps after ${opts.warm} warm-up calls each; CPU µs per call, median [95% CI]`);
  console.log(`  ${control}: ${med(res[control])}`);
  for (const n of names) {
    if (n === control) continue;
    console.log(`  ${n} − ${control}: ${med(diff(n, control))}${n !== base ? `   ${n} − ${base}: ${med(diff(n, base))}` : ''}`);
  }
  if (opts.intervals !== undefined) require('node:fs').writeFileSync(opts.intervals, JSON.stringify(intervals));
  up.kill();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
