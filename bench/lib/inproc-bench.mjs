/**
 * Drives bench/lib/inproc-child.cjs: for each workload, one 'metrics' and one
 * 'spans' process, each holding its variants side by side; rounds of small
 * batches in a new shuffled order each round; differences paired per round
 * inside one process. Returns the per-round samples and the target verdicts
 * of issues 2 and 6 (see checkInproc).
 */
import { fileURLToPath } from 'node:url';
import { forkChild } from './procs.mjs';
import { median, quantile, shuffled, table } from './stats.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export const INPROC_WORKLOADS = [
  { workload: 'chat', conc: 1, n: 40 },
  { workload: 'chat', conc: 16, n: 64 },
  { workload: 'stream', conc: 1, n: 16 },
  { workload: 'stream', conc: 16, n: 32 },
  { workload: 'embed', conc: 1, n: 40 },
  { workload: 'embed', conc: 16, n: 64 },
];

const TITLE = { chat: 'non-stream chat', stream: '50-chunk stream with usage', embed: 'embeddings' };

export async function runInprocBench({ upstream, rounds, scale, workloads, log }) {
  const results = {};
  let seed = 7_20261129;
  for (const w of workloads) {
    const key = `${w.workload}/c${w.conc}`;
    const n = Math.max(w.conc, Math.round(w.n * scale));
    results[key] = { ...w, n };
    for (const mode of ['metrics', 'spans']) {
      const child = forkChild(here('./inproc-child.cjs'), {
        label: `inproc-${mode}`,
        args: [mode],
        env: { BENCH_BASE_URL: upstream.baseURL, BENCH_UPSTREAM_HOST: `http://127.0.0.1:${upstream.port}` },
      });
      const { variants } = await child.ready;
      log(`\n[inproc] ${TITLE[w.workload]}, concurrency ${w.conc}, ${mode}: ${variants.join(', ')} × ${rounds} rounds × ${n} calls`);
      const warm = Math.max(4 * w.conc, w.workload === 'stream' ? 300 : 800);
      for (const v of variants) await child.request({ cmd: 'run', variant: v, workload: w.workload, conc: w.conc, n: Math.round(warm * Math.max(scale, 0.5)) });
      const per = Object.fromEntries(variants.map((v) => [v, []]));
      for (let r = 0; r < rounds; r++) {
        for (const v of shuffled(variants, seed++)) {
          per[v].push(await child.request({ cmd: 'run', variant: v, workload: w.workload, conc: w.conc, n }));
        }
        if ((r + 1) % 10 === 0 || r + 1 === rounds) {
          log(`  round ${r + 1}/${rounds}: ${variants.map((v) => `${v} ${per[v].at(-1).toFixed(0)}µs`).join(', ')}`);
        }
      }
      const capture = await child.request({ cmd: 'capture' });
      await child.close();
      results[key][mode] = { per, capture };
    }
  }
  return results;
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const spreadOf = (xs) => `${fmt(median(xs))} [${fmt(quantile(xs, 0.25))}, ${fmt(quantile(xs, 0.75))}]`;
const pair = (a, b, k = 1) => a.map((x, i) => x - k * b[i]);

/**
 * Verdicts, each on a paired difference d (per round, same process): PASS
 * when the median of d is ≤ 0; "clear" when the interquartile range of d
 * lies on one side of zero, otherwise "within noise".
 */
export function checkInproc(results) {
  const rows = [];
  const detail = [];
  let allPass = true;
  const verdict = (d) => {
    const m = median(d);
    const lo = quantile(d, 0.25);
    const hi = quantile(d, 0.75);
    const pass = m <= 0;
    if (!pass) allPass = false;
    const clear = pass ? hi <= 0 : lo > 0;
    return `${pass ? 'PASS' : 'FAIL'}${clear ? '' : ' (within noise)'}`;
  };
  for (const [key, e] of Object.entries(results)) {
    const m = e.metrics.per;
    const s = e.spans.per;
    const addAls = pair(m.als, m.none);
    const addOurs = pair(m.aimon, m.none);
    const ownSpans = pair(s.aimon, s.als);
    const ownContrib = pair(s.contrib, s.als);
    detail.push([
      key,
      spreadOf(m.none),
      spreadOf(addAls),
      spreadOf(addOurs),
      spreadOf(ownSpans),
      spreadOf(ownContrib),
      `${e.metrics.capture.aimon.metricPoints} pts; ${e.spans.capture.aimon.spans} spans / ${e.spans.capture.contrib.spans} spans`,
    ]);
    const d1 = pair(m.aimon, m.als);
    rows.push([key, '#2 metrics-only added ≤ ALS control added', verdict(d1), spreadOf(d1)]);
    const d2 = pair(s.aimon, s.contrib);
    rows.push([key, '#2 spans+metrics added ≤ contrib added', verdict(d2), spreadOf(d2)]);
    const d3 = ownSpans.map((x, i) => x - ownContrib[i] / 2);
    rows.push([key, '#6 own share (spans+metrics) ≤ ½ contrib own share', verdict(d3), spreadOf(d3)]);
  }
  const markdown =
    table(
      [
        'workload',
        'uninstr. CPU µs/call',
        'ALS control added',
        '@aimon/otel metrics-only added',
        '@aimon/otel spans+metrics own share (vs ALS)',
        'contrib own share (vs ALS)',
        'captured (ours metrics; ours / contrib spans)',
      ],
      detail,
    ) +
    '\n\n' +
    table(['workload', 'target', 'result', 'paired d = ours − limit, median [p25, p75] µs'], rows);
  return { allPass, markdown };
}
