/**
 * Where the CPU goes, from the .cpuprofile files that `--profile` writes: self
 * time per call by category and the top functions, for each variant, and the
 * difference against the uninstrumented child of the same workload.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { table } from './stats.mjs';

function category(url, fn) {
  if (url === '') return fn === '(garbage collector)' ? 'GC' : fn === '(idle)' ? 'idle' : 'native/other';
  if (url.includes('/work/main/dist/') || /\/dist\/(parse|telemetry|exchange|fetch-tap|hosts|attribution|cardinality)/.test(url)) return '@aimon/otel (dist/)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (m) {
    const pkg = m.at(-1).replace('node_modules/', '');
    if (pkg === 'openai') return 'openai SDK';
    if (pkg.startsWith('@opentelemetry/')) return pkg.replace('@opentelemetry/', 'otel ');
    if (pkg.startsWith('@traceloop/') || pkg === 'js-tiktoken') return `traceloop (${pkg})`;
    return pkg;
  }
  if (url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (url.includes('webstreams')) return 'node webstreams';
  if (url.startsWith('node:')) return 'node core';
  return 'other';
}

/** Self time (µs) per category and per function. */
export function selfTimes(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const cats = new Map();
  const fns = new Map();
  for (const n of p.nodes) {
    const t = dt.get(n.id) ?? 0;
    if (t === 0) continue;
    const cf = n.callFrame;
    const cat = category(cf.url, cf.functionName);
    cats.set(cat, (cats.get(cat) ?? 0) + t);
    const short = cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '').replace(/^.*\/work\/main\//, '');
    const key = `${cf.functionName || '(anonymous)'} (${short}:${cf.lineNumber + 1})`;
    const cur = fns.get(key) ?? { t: 0, cat };
    cur.t += t;
    fns.set(key, cur);
  }
  return { cats, fns };
}

export function profileReport(dir, callsPerChild) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const byWorkload = new Map();
  for (const f of files) {
    const m = f.match(/^(.+?)-(chat|stream|embed)-c(\d+)\.cpuprofile$/);
    if (!m) continue;
    const key = `${m[2]}/c${m[3]}`;
    if (!byWorkload.has(key)) byWorkload.set(key, {});
    byWorkload.get(key)[m[1]] = selfTimes(`${dir}/${f}`);
  }
  const out = [];
  for (const [key, variants] of byWorkload) {
    const calls = callsPerChild[key];
    const none = variants.none;
    const cats = new Set();
    for (const v of Object.values(variants)) for (const c of v.cats.keys()) if (c !== 'idle') cats.add(c);
    const names = Object.keys(variants).sort();
    const rows = [...cats]
      .map((c) => [c, ...names.map((n) => (variants[n].cats.get(c) ?? 0) / calls)])
      .filter((r) => r.slice(1).some((x) => x >= 1))
      .sort((a, b) => Math.max(...b.slice(1)) - Math.max(...a.slice(1)))
      .map((r) => {
        const base = (none?.cats.get(r[0]) ?? 0) / calls;
        return [r[0], ...r.slice(1).map((x, i) => (none && names[i] !== 'none' ? `${x.toFixed(0)} (${x - base >= 0 ? '+' : ''}${(x - base).toFixed(0)})` : x.toFixed(0)))];
      });
    out.push(`#### ${key}: self time µs per call by category (${calls} calls per child; (+x) = vs uninstrumented)\n\n${table(['category', ...names], rows)}`);
    for (const n of names.filter((x) => x.startsWith('aimon'))) {
      const top = [...variants[n].fns]
        .filter(([, v]) => v.cat === '@aimon/otel (dist/)' || v.cat.startsWith('otel ') || v.cat === 'node webstreams')
        .sort((a, b) => b[1].t - a[1].t)
        .slice(0, 15)
        .map(([k, v]) => [k, v.cat, (v.t / calls).toFixed(1)]);
      out.push(`Top functions for ${n} (${key}), ours, OTel SDK and webstreams, µs self time per call:\n\n${table(['function', 'category', 'µs/call'], top)}`);
    }
  }
  return out.join('\n\n');
}
