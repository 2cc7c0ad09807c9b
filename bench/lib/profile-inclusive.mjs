/**
 * Inclusive and self CPU time per function of @aimon/otel (dist/) and the
 * OTel SDK in a .cpuprofile, divided by a call count: `node
 * bench/lib/profile-inclusive.mjs file.cpuprofile CALLS [filter]`. Inclusive
 * time counts a function once per stack even when it recurses.
 */
import { readFileSync } from 'node:fs';

/** A profile node as "function (short path:line)": package-relative under node_modules, repo-relative otherwise. */
export function label(n) {
  const cf = n.callFrame;
  const short = cf.url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '');
  return `${cf.functionName || '(anonymous)'} (${short}:${cf.lineNumber + 1})`;
}

export function inclusive(file, filter = /\/dist\/|sdk-metrics|sdk-trace|webstreams/) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const incl = new Map();
  const selfBy = new Map();
  for (const [id, t] of self) {
    const leaf = byId.get(id);
    if (filter.test(leaf.callFrame.url)) selfBy.set(label(leaf), (selfBy.get(label(leaf)) ?? 0) + t);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!filter.test(n.callFrame.url)) continue;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + t);
    }
  }
  return { incl, self: selfBy };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, calls, re] = process.argv.slice(2);
  const { incl, self } = inclusive(file, re ? new RegExp(re) : undefined);
  const rows = [...incl].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [k, v] of rows) console.log(`${(v / calls).toFixed(1).padStart(8)} incl ${((self.get(k) ?? 0) / calls).toFixed(1).padStart(7)} self  µs/call  ${k}`);
}
