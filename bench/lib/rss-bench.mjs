/**
 * RSS while streaming a large SSE body through global fetch, uninstrumented
 * and instrumented, one fresh process per measurement, variants interleaved.
 * The issue's target: the instrumented stream adds < 10 MB RSS.
 *
 * RSS here moves by tens of MB from one process to the next without any
 * instrumentation: the response chunks live outside V8's heap and are freed
 * only when a collection runs, so how much of the stream is still held
 * depends on when the collections fall (an uninstrumented process collects
 * rarely and holds up to ~30 MB of chunks). An instrumented process starts
 * with a larger young generation (8-16 MB against 1: V8 sizes it while the
 * SDK's modules load, before the app runs), collects more often during the
 * stream and touches more of that young generation. So the verdict compares
 * medians over many processes, with a bootstrap confidence interval of each
 * difference, and the table shows the young generation, the chunks held and
 * the collections of each variant.
 */
import { fileURLToPath } from 'node:url';
import { forkChild, freePort } from './procs.mjs';
import { median, medianDiffCi, shuffled, table } from './stats.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here('../../');

export async function runRssBench({ rounds, megabytes, log }) {
  const server = forkChild(here('./bigstream-proc.mjs'), { label: 'bigstream' });
  const { port } = await server.ready;
  const url = `http://127.0.0.1:${port}`;
  const variants = [
    { name: 'none', label: 'uninstrumented', execArgv: [] },
    { name: 'aimon-metrics', label: '@aimon/otel metrics-only (register)', execArgv: ['--import', `${ROOT}dist/register.js`], prom: true },
    { name: 'aimon-spans', label: '@aimon/otel spans+metrics', execArgv: ['--import', here('./preload/aimon-spans.mjs')] },
  ];
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const v of shuffled(variants, 4242 + r)) {
        const env = { BENCH_BIG_URL: url, BENCH_UPSTREAM_HOST: url, AIMON_HOSTS: url };
        if (v.prom) env.OTEL_EXPORTER_PROMETHEUS_PORT = String(await freePort());
        const c = forkChild(here('./rss-client.mjs'), { execArgv: ['--expose-gc', ...v.execArgv], env, args: [String(megabytes)], label: `rss-${v.name}` });
        const res = await c.ready;
        c.child.kill();
        samples[v.name].push(res);
        log(
          `  [rss] round ${r + 1}/${rounds} ${v.name}: +${res.addedMB.toFixed(1)} MB RSS over ${res.baselineMB.toFixed(0)} MB (peak ${res.peakMB.toFixed(0)}), ` +
            `young gen ${res.youngGenAtStartMB.toFixed(0)} → ${res.youngGenMB.toFixed(0)} MB, chunks held ≤ ${res.arrayBuffersMB.toFixed(0)} MB, ${res.scavenges} scavenges, ${(res.bytes / 1048576).toFixed(0)} MB in ${res.seconds.toFixed(1)} s`,
        );
      }
    }
  } finally {
    server.child.kill();
  }
  const of = (name, k) => samples[name].map((s) => s[k]);
  const med = (name, k) => median(of(name, k));
  const fmtCi = ({ m, lo, hi }) => `${m.toFixed(1)} [${lo.toFixed(1)}, ${hi.toFixed(1)}]`;
  // Two readings of "added RSS", both must hold: growth during the stream
  // beyond the uninstrumented growth, and peak RSS beyond the uninstrumented peak.
  const readings = variants
    .filter((v) => v.name !== 'none')
    .map((v) => ({
      v,
      growth: medianDiffCi(of(v.name, 'addedMB'), of('none', 'addedMB')),
      peak: medianDiffCi(of(v.name, 'peakMB'), of('none', 'peakMB')),
    }));
  const rows = variants.map((v) => {
    const r = readings.find((x) => x.v === v);
    return [
      v.label,
      med(v.name, 'baselineMB').toFixed(0),
      med(v.name, 'addedMB').toFixed(1),
      r === undefined ? '–' : fmtCi(r.growth),
      med(v.name, 'peakMB').toFixed(0),
      r === undefined ? '–' : fmtCi(r.peak),
      med(v.name, 'peakHeapMB').toFixed(1),
      `${med(v.name, 'youngGenAtStartMB').toFixed(0)} → ${med(v.name, 'youngGenMB').toFixed(0)}`,
      med(v.name, 'arrayBuffersMB').toFixed(1),
      med(v.name, 'scavenges').toFixed(0),
      (megabytes / med(v.name, 'seconds')).toFixed(0),
      ((med(v.name, 'cpuS') * 1e6) / ((megabytes * 1048576) / 1e6)).toFixed(0),
    ];
  });
  const all = readings.flatMap((r) => [r.growth, r.peak]);
  const worst = Math.max(...all.map((x) => x.m));
  const worstHi = Math.max(...all.map((x) => x.hi));
  const pass = worst < 10;
  // Clear: a PASS whose every interval lies below 10 MB, or a FAIL with at least one interval wholly above it.
  const clear = pass ? worstHi < 10 : all.some((x) => x.lo >= 10);
  const markdown =
    `### RSS while streaming ${megabytes} MB through fetch (median of ${rounds} processes each; app reads and discards)\n\n` +
    table(
      [
        'variant',
        'RSS before MB',
        'added during stream MB',
        'added − uninstr. MB [95% CI]',
        'peak RSS MB',
        'peak − uninstr. MB [95% CI]',
        'peak heap MB',
        'young gen MB (at start → in stream)',
        'chunks held (ArrayBuffers) MB',
        'scavenges',
        'MB/s',
        'CPU µs per MB',
      ],
      rows,
    ) +
    `\n\nTarget (issue 2): < 10 MB added RSS → ${pass ? 'PASS' : 'FAIL'}${clear ? '' : ' (within noise)'} ` +
    `(worst median of growth-vs-uninstrumented and peak-vs-uninstrumented: ${worst.toFixed(1)} MB; worst upper bound ${worstHi.toFixed(1)} MB). ` +
    `Confidence intervals: percentile bootstrap of the difference of medians; "clear" when every interval lies on the verdict's side of 10 MB.`;
  return { markdown, raw: samples, pass };
}
