#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark of @aimon/otel in one run.
 *
 *   0. the same-process comparison that decides the CPU targets (inproc-bench.mjs)
 *   1. client overhead per call against peers (openai package, fake upstream in its own process)
 *   2. parser throughput (SSE + stream summary, JSON response summary) against naive baselines
 *   3. RSS while streaming 100 MB through the instrumented fetch
 *
 *   (and the tap alone against a fake in-memory fetch, the steadiest figure on a busy machine)
 *
 * Options: --quick (fewer calls and rounds), --rounds N, --scale X (calls per batch),
 * --only inproc,client,tap,parse,rss, --variants a,b, --workloads chat/c1,stream/c16,
 * --processes N (same-process comparison: processes per mode, default 2),
 * --profile (writes .cpuprofile files per child to bench/out/profiles).
 * Peers are installed by bench/package.json (`npm --prefix bench ci`), never by the package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VARIANTS, WORKLOADS, checkTargets, clientReport, runClientBench } from './lib/client-bench.mjs';
import { INPROC_WORKLOADS, checkInproc, runInprocBench } from './lib/inproc-bench.mjs';
import { forkChild } from './lib/procs.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const BENCH = here('./');
const ROOT = here('../');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    scale: { type: 'string' },
    only: { type: 'string', default: 'inproc,client,tap,parse,rss' },
    variants: { type: 'string' },
    workloads: { type: 'string' },
    profile: { type: 'boolean', default: false },
    processes: { type: 'string' },
  },
});
const only = new Set(opts.only.split(','));
const rounds = Number(opts.rounds ?? (opts.quick ? 3 : 11));
const scale = Number(opts.scale ?? (opts.quick ? 0.3 : 1));
const processes = Number(opts.processes ?? (opts.quick ? 1 : 2));
const log = (s) => console.log(s);

function ensureDeps() {
  if (!existsSync(`${ROOT}dist/register.js`)) {
    console.error('dist/ is missing: run `npm run bench` (it builds first) or `npm run build`.');
    process.exit(2);
  }
  const needed = ['openai', '@opentelemetry/sdk-node', '@opentelemetry/instrumentation-openai', '@traceloop/node-server-sdk'];
  const missing = needed.filter((p) => !existsSync(`${BENCH}node_modules/${p}/package.json`));
  if (missing.length === 0) return;
  log(`bench peers missing (${missing.join(', ')}): running \`npm --prefix bench ci\` (bench/package.json, not the package's dependencies)`);
  const r = spawnSync('npm', ['--prefix', BENCH, 'ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('`npm --prefix bench ci` failed; install the peers by hand and run again.');
    process.exit(2);
  }
}

function machineNote() {
  const cpus = os.cpus();
  let load = os.loadavg().map((x) => x.toFixed(2)).join(', ');
  try {
    load = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {}
  return [
    `- node ${process.version}, ${os.platform()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- load at start: ${load}`,
  ].join('\n');
}

async function startUpstream() {
  const up = forkChild(here('./lib/upstream-proc.mjs'), { label: 'upstream' });
  const info = await up.ready;
  return { ...info, close: () => up.child.kill() };
}

ensureDeps();
mkdirSync(`${BENCH}out`, { recursive: true });
// Where our build meets the peers' SDK (the same-process comparison, the spans+metrics preload), it must resolve the
// SDK's own copy of @opentelemetry/api, as in any installed app (the API is our peer dependency: one copy). dist/
// itself resolves the repository's node_modules and the SDK resolves bench/node_modules: two copies of the API's code
// (bench/RESULTS.md weighs it). So those children load a copy of the package's dist/ and prices/ placed under bench/,
// which resolves bench/node_modules like the SDK.
const AIMON_COPY = `${BENCH}out/aimon/`;
rmSync(AIMON_COPY, { recursive: true, force: true });
cpSync(`${ROOT}dist/`, `${AIMON_COPY}dist/`, { recursive: true });
cpSync(`${ROOT}prices/`, `${AIMON_COPY}prices/`, { recursive: true });
process.env.BENCH_AIMON_DIST = `${AIMON_COPY}dist/index.js`;
const started = Date.now();
const md = [`Run: \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` at ${new Date().toISOString()}`, '', machineNote()];
const json = { started: new Date().toISOString(), rounds, scale };
log(md.join('\n'));

if (only.has('inproc')) {
  const upstream = await startUpstream();
  try {
    const wnames = opts.workloads?.split(',');
    const workloads = wnames ? INPROC_WORKLOADS.filter((w) => wnames.includes(`${w.workload}/c${w.conc}`)) : INPROC_WORKLOADS;
    const results = await runInprocBench({ upstream, scale, workloads, log, processes });
    json.inproc = results;
    const { markdown } = checkInproc(results);
    const section =
      `### Targets, same process (CPU µs per call: median [95% CI] of differences paired per step)\n\n` +
      `A process per mode holds the variants side by side (see bench/lib/inproc-child.cjs), ${processes} such processes per mode one after the other, samples pooled: 'metrics' has no context manager ` +
      `(uninstrumented, ALS control enabled around its own calls only, @aimon/otel metrics-only); 'spans' runs under sdk-node's ALS ` +
      `context manager (plain client = ALS control, the same client on another copy as an A/A check, @aimon/otel spans+metrics, ` +
      `instrumentation-openai patching a copy loaded after the SDK started). Every variant has its own copy of the openai package; the copies loaded before the SDK are loaded in a different order in each process (which copy a variant gets moved an A/A pair by 12 µs per call), instrumentation-openai's always last. ` +
      `The variants are warmed up together, in the same interleaved steps unmeasured (3,000 calls each, 2,000 for streams); then ` +
      `each step runs one call (or one batch of 16 concurrent calls) of every variant in a new random order, each measured alone. ` +
      `A verdict is clear when the pooled median's 95% CI and the median of each process alone are on one side of zero.\n\n${markdown}`;
    md.push('', section);
    log(`\n${section}`);
  } finally {
    upstream.close();
  }
}

if (only.has('client')) {
  const upstream = await startUpstream();
  try {
    const vnames = opts.variants?.split(',');
    const variants = vnames ? VARIANTS.filter((v) => vnames.includes(v.name)) : VARIANTS;
    const wnames = opts.workloads?.split(',');
    const workloads = wnames ? WORKLOADS.filter((w) => wnames.includes(`${w.workload}/c${w.conc}`)) : WORKLOADS;
    const profileDir = opts.profile ? `${BENCH}out/profiles` : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const results = await runClientBench({ upstream, rounds, scale, variants, workloads, log, profileDir });
    const { markdown, summaries } = clientReport(results, variants);
    const targets = checkTargets(summaries);
    json.client = results;
    let profileMd = '';
    if (profileDir) {
      const { profileReport } = await import('./lib/profile-summary.mjs');
      const calls = Object.fromEntries(Object.entries(results).map(([k, e]) => [k, e.warmupN + rounds * e.n]));
      profileMd = `\n\n### Profiles (--cpu-prof; sampling adds its own overhead)\n\n${profileReport(profileDir, calls)}`;
    }
    const section = `### Client CPU per call (median [p25, p75] over rounds; added = paired per round)\n\n${markdown}\n\n### Targets, multi-process (the same checks across processes: within the machine's noise, see the A/A rows)\n\n${targets.markdown}${profileMd}`;
    md.push('', section);
    log(`\n${section}`);
  } finally {
    upstream.close();
  }
}

if (only.has('tap')) {
  const { table, spread } = await import('./lib/stats.mjs');
  const rows = [];
  json.tap = {};
  for (const mode of ['metrics', 'spans']) {
    const c = forkChild(here('./lib/tap-bench.mjs'), { label: `tap-${mode}`, args: [mode, String(Math.max(5, Math.min(rounds, 11)))] });
    const { results } = await c.ready;
    json.tap[mode] = results;
    for (const [w, x] of Object.entries(results)) {
      rows.push([
        mode === 'metrics' ? 'metrics-only' : 'spans+metrics (both sides under ALS)',
        w,
        spread(x.raw),
        spread(x.diff, 1),
        w === 'stream' ? (x.median / x.chunks).toFixed(1) : '–',
      ]);
    }
  }
  const section =
    `### The tap alone: no network, no SDK (fake fetch answering from memory; median [p25, p75], µs per call)\n\n` +
    `Bare fake fetch vs the same fetch through AimonInstrumentation.wrap(), interleaved in one process; ` +
    `the app reads the body (Response.json() as the openai SDK does, or a reader loop over 53 one-event reads).\n\n` +
    table(['mode', 'workload', 'bare fetch µs', 'added by the tap µs', 'added per chunk µs'], rows);
  md.push('', section);
  log(`\n${section}`);
}

if (only.has('parse')) {
  const c = forkChild(here('./lib/parse-bench.mjs'), { label: 'parse-bench', args: [String(rounds)] });
  const result = await c.ready;
  json.parse = result.raw;
  md.push('', result.markdown);
  log(`\n${result.markdown}`);
}

if (only.has('rss')) {
  const { runRssBench } = await import('./lib/rss-bench.mjs');
  const result = await runRssBench({ rounds: opts.quick ? 2 : 15, megabytes: 100, log });
  json.rss = result.raw;
  md.push('', result.markdown);
  log(`\n${result.markdown}`);
}

let endLoad = '';
try {
  endLoad = execFileSync('uptime', { encoding: 'utf8' }).trim();
} catch {}
md.push('', `- load at end: ${endLoad}; wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
log(md.at(-1));
writeFileSync(`${BENCH}out/latest.md`, `${md.join('\n')}\n`);
writeFileSync(`${BENCH}out/latest.json`, JSON.stringify(json, null, 1));
log(`\nwritten: bench/out/latest.md, bench/out/latest.json`);
