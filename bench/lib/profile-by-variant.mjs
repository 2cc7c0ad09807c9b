/**
 * CPU profile samples attributed to the variant whose measured batch was
 * running when they were taken, per call, by function: what one variant
 * spends that another does not, inside one process.
 *
 *   node --cpu-prof --cpu-prof-dir=bench/out/prof --cpu-prof-interval 250 bench/lib/ab-dists.cjs \
 *     --contrib --conc 16 --intervals bench/out/iv.json base=bench/out/probes/base
 *   node bench/lib/profile-by-variant.mjs bench/out/prof/<file>.cpuprofile bench/out/iv.json \
 *     [--inclusive] [--by-package] [--compare base,contrib] [--filter sdk-trace] [--top 40]
 *
 * --by-package sums self time per package instead of per function: a
 * node_modules package, "@aimon/otel" for a copy of dist/, node's internal
 * modules by directory, V8's pseudo-frames ((garbage collector), (idle) ...)
 * as they are.
 *
 * Samples outside every batch (warm-up, timers between batches) are dropped;
 * work one batch leaves behind (a GC, an export) lands in the next batch, of
 * whichever variant: compare functions, not totals.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { label } from './profile-inclusive.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    inclusive: { type: 'boolean', default: false },
    'by-package': { type: 'boolean', default: false },
    compare: { type: 'string' },
    filter: { type: 'string' },
    top: { type: 'string', default: '40' },
  },
});
const [file, ivFile] = positionals;
if (file === undefined || ivFile === undefined) {
  console.error('usage: node bench/lib/profile-by-variant.mjs <file.cpuprofile> <intervals.json> [--inclusive] [--by-package] [--compare a,b] [--filter re] [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
/** @type {[string, number, number, number][]} */
const intervals = JSON.parse(readFileSync(ivFile, 'utf8'));

const calls = {};
for (const [v, , , n] of intervals) calls[v] = (calls[v] ?? 0) + n;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

if (opts.inclusive && opts['by-package']) {
  console.error('--by-package sums self time; it does not combine with --inclusive');
  process.exit(2);
}

/** The repository's root, stripped from the paths of its own scripts. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The package a frame's code belongs to (see --by-package). */
function packageOf(n) {
  const url = n.callFrame.url;
  if (url === '') return `(${n.callFrame.functionName || 'native'})`;
  const mods = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (mods !== null) return mods[mods.length - 1].slice('node_modules/'.length);
  if (/\/dist\/|\/probes\/|\/bench\/out\//.test(url)) return '@aimon/otel';
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.replace(/^file:\/\//, '').replace(REPO, '');
}
const labelOf = opts['by-package'] ? packageOf : label;

const time = {};
let t = profile.startTime;
let j = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  while (j < intervals.length && intervals[j][2] < t) j++;
  if (j >= intervals.length) break;
  if (intervals[j][1] > t) continue;
  const v = intervals[j][0];
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const m = (time[v] ??= new Map());
  if (!opts.inclusive) {
    const l = labelOf(byId.get(profile.samples[i]));
    m.set(l, (m.get(l) ?? 0) + dt);
    continue;
  }
  const seen = new Set();
  for (let c = profile.samples[i]; c !== undefined; c = parent.get(c)) {
    const l = label(byId.get(c));
    if (seen.has(l)) continue;
    seen.add(l);
    m.set(l, (m.get(l) ?? 0) + dt);
  }
}

const variants = Object.keys(calls);
const [a, b] = (opts.compare ?? variants.slice(0, 2).join(',')).split(',');
const filter = opts.filter !== undefined ? new RegExp(opts.filter) : undefined;
const keys = new Set();
for (const v of variants) for (const k of time[v]?.keys() ?? []) if (filter === undefined || filter.test(k)) keys.add(k);
const perCall = (v, k) => (time[v]?.get(k) ?? 0) / calls[v];
const rows = [...keys].map((k) => [k, ...variants.map((v) => perCall(v, k))]);
const ia = variants.indexOf(a) + 1;
const ib = variants.indexOf(b) + 1;
rows.sort((x, y) => Math.abs(y[ia] - y[ib]) - Math.abs(x[ia] - x[ib]));
console.log(`${opts.inclusive ? 'inclusive' : 'self'} µs per call${opts['by-package'] ? ' by package' : ''}, sorted by |${a} − ${b}|; ${variants.map((v) => `${v}: ${calls[v]} calls`).join(', ')}`);
console.log(variants.map((v) => v.padStart(10)).join(''));
for (const r of rows.slice(0, Number(opts.top))) console.log(`${r.slice(1).map((x) => x.toFixed(1).padStart(10)).join('')}  ${r[0]}`);
