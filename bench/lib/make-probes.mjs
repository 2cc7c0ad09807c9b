/**
 * Probes for bench/lib/ab-dists.cjs: copies of dist/, each with one part of
 * the per-call work edited out (or done another way), to weigh what that part
 * costs in a real call. The edits are textual, on the compiled JavaScript of
 * the commit cited in bench/RESULTS.md; a pattern that no longer matches
 * stops the script (the probes then need updating, not the code).
 *
 *   npm run build && node bench/lib/make-probes.mjs [names...]
 *   node bench/lib/ab-dists.cjs base=bench/out/probes/base nocost=bench/out/probes/nocost
 *
 * The copies go to bench/out/probes/ (ignored by git, emptied first; with
 * names, only those probes are made), next to a copy of prices/ (each copy's
 * cost/prices.js reads ../../prices/prices.json, as in the package: without
 * it every call would be unpriced, which before 2026-11-29 21:35 it was).
 * Under bench/ they resolve bench/node_modules, the peers' SDK and its one
 * copy of @opentelemetry/api, as an installed app does.
 *
 * A probe is never a candidate change: most drop data the product records.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const PRICES = fileURLToPath(new URL('../../prices/', import.meta.url));
const out = fileURLToPath(new URL('../out/probes/', import.meta.url));

const RECORD_COST = 'const costSpanAttrs = this.recordCost(r, usage, st.span !== undefined || deferred);';
const END_START = '        const st = ex.telemetry;\n        const series';

const NO_SPAN = 'if (!this.options.tracing)\n            return undefined;';
const END_FN = '    end(ex, r) {';

/** name -> [file, from, to][] */
const PROBES = {
  // Two copies of the same code: their difference is the noise floor (A/A).
  base: [],
  same: [],
  // end() does nothing but create (when deferred) and end the span: no metrics, no cost, no attributes.
  'end-only': [['telemetry.js', END_START, '        const st = ex.telemetry;\n        const probeSpan = st.span ?? (st.parent !== undefined ? this.startSpan(ex, st.parent, ex.startMs) : undefined);\n        if (probeSpan) { probeSpan.end(st.span ? undefined : ex.endMs); return; }\n        const series']],
  // end() sets the response and request span attributes and ends the span: no metrics, no cost.
  'no-metrics': [
    [
      'telemetry.js',
      END_START,
      '        const st = ex.telemetry;\n        const probeSpan = st.span ?? (st.parent !== undefined ? this.startSpan(ex, st.parent, ex.startMs) : undefined);\n        if (probeSpan) { const attrs = responseSpanAttributes(r, this.config.semconv); requestParamAttributes(attrs, ex.target, ex.request); probeSpan.setAttributes(attrs); probeSpan.end(st.span ? undefined : ex.endMs); return; }\n        const series',
    ],
  ],
  // No pricing: no cost metrics, no cost attributes.
  nocost: [['telemetry.js', RECORD_COST, 'const costSpanAttrs = undefined;']],
  // Cost metrics, but no cost attributes on the span.
  'no-cost-attrs': [['telemetry.js', RECORD_COST, 'const costSpanAttrs = this.recordCost(r, usage, false);']],
  // The response's content-type is not read (every body is taken for JSON).
  'no-content-type': [['fetch-tap.js', "res.headers.get('content-type')", "'application/json'"]],
  // JSON responses are not registered for abandonment (an unread body would leave its span open).
  'no-guard': [['fetch-tap.js', 'guard(res, ex);\n                return res;', 'return res;']],
  // No span at all (metrics, cost and the tap as usual): what the span costs in a call.
  nospan: [['telemetry.js', NO_SPAN, 'return undefined;']],
  // The tap alone: no span and end() does nothing (no metrics, no cost; the Exchange still summarises the response).
  taponly: [
    ['telemetry.js', NO_SPAN, 'return undefined;'],
    ['telemetry.js', END_FN, `${END_FN}\n        return;`],
  ],
  // The tap without observing JSON bodies: the exchange never ends (a probe of the observation's cost only).
  noobs: [
    ['telemetry.js', NO_SPAN, 'return undefined;'],
    ['telemetry.js', END_FN, `${END_FN}\n        return;`],
    ['fetch-tap.js', 'observeWhole(res, ex, signal);\n                guard(res, ex);\n                return res;', 'return res;'],
  ],
  // The span started with the request but its context not entered (the design before deferred creation, minus context.with).
  eagernc: [['telemetry.js', 'st.parent = parent;\n            return undefined;', 'st.span = this.startSpan(ex, parent, undefined);\n            return undefined;']],
  // The request body is parsed once per process (every call then shares the first call's parameters).
  noreq: [
    [
      'fetch-tap.js',
      'const request = text !== undefined ? protocolOf(target.protocol).parseRequest(text, target.operation, config.content) : undefined;',
      'const request = text !== undefined ? (globalThis.__aimonProbeRequest ??= protocolOf(target.protocol).parseRequest(text, target.operation, config.content)) : undefined;',
    ],
  ],
  // One more promise reaction per call on the promise fetch returned (what one of ours costs under the ALS hooks).
  extrathen: [
    [
      'fetch-tap.js',
      'promise.then((res) => void wrapResponse(res, ex, signal), (err) => fetchFailed(ex, signal, err));',
      'promise.then((res) => void wrapResponse(res, ex, signal), (err) => fetchFailed(ex, signal, err));\n        promise.then(() => undefined, () => undefined);',
    ],
  ],
  // One more derived promise in the observed json() (the app's await then waits one more step).
  extrajson: [['fetch-tap.js', 'return proto.text.call(this).then((t) => {', 'return proto.text.call(this).then((t) => t).then((t) => {']],
  // The last metric series of a target kept on a property of the target instead of a WeakMap.
  'series-prop': [
    ['telemetry.js', 'const last = this.lastSeries.get(t);', 'const last = t.__last;'],
    ['telemetry.js', 'this.lastSeries.set(t, { req: rm, res: responseModel, gen: this.seriesGen, series });', 't.__last = { req: rm, res: responseModel, gen: this.seriesGen, series };'],
  ],
};

const only = process.argv.slice(2);
rmSync(out, { recursive: true, force: true });
cpSync(PRICES, join(out, 'prices'), { recursive: true });
for (const [name, edits] of Object.entries(PROBES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const dir = join(out, name);
  cpSync(DIST, dir, { recursive: true });
  for (const [file, from, to] of edits) {
    const p = join(dir, file);
    const s = readFileSync(p, 'utf8');
    if (!s.includes(from)) {
      console.error(`probe ${name}: ${file} no longer contains ${JSON.stringify(from.slice(0, 60))}`);
      process.exit(1);
    }
    writeFileSync(p, s.replace(from, to));
  }
  console.log(dir);
}
