/**
 * RSS while streaming a large SSE body through global fetch, uninstrumented
 * and instrumented, one fresh process per measurement, variants interleaved.
 * The target: the instrumented stream adds < 10 MB RSS.
 */
import { fileURLToPath } from 'node:url';
import { forkChild, freePort } from './procs.mjs';
import { median, shuffled, table } from './stats.mjs';

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
        log(`  [rss] round ${r + 1}/${rounds} ${v.name}: +${res.addedMB.toFixed(1)} MB RSS over ${res.baselineMB.toFixed(0)} MB, ${(res.bytes / 1048576).toFixed(0)} MB in ${res.seconds.toFixed(1)} s`);
      }
    }
  } finally {
    server.child.kill();
  }
  const med = (name, k) => median(samples[name].map((s) => s[k]));
  const noneAdded = med('none', 'addedMB');
  const rows = variants.map((v) => [
    v.label,
    med(v.name, 'baselineMB').toFixed(0),
    med(v.name, 'addedMB').toFixed(1),
    v.name === 'none' ? '–' : (med(v.name, 'addedMB') - noneAdded).toFixed(1),
    med(v.name, 'peakMB').toFixed(0),
    med(v.name, 'peakHeapMB').toFixed(1),
    (megabytes / med(v.name, 'seconds')).toFixed(0),
    ((med(v.name, 'cpuS') * 1e6) / (megabytes * 1048576 / 1e6)).toFixed(0),
  ]);
  // Two readings of "added RSS", both must hold: growth during the stream
  // beyond the uninstrumented growth, and peak RSS beyond the uninstrumented peak.
  const worst = Math.max(
    ...variants
      .filter((v) => v.name !== 'none')
      .flatMap((v) => [med(v.name, 'addedMB') - noneAdded, med(v.name, 'peakMB') - med('none', 'peakMB')]),
  );
  const markdown =
    `### RSS while streaming ${megabytes} MB through fetch (median of ${rounds}; app reads and discards)\n\n` +
    table(['variant', 'RSS before MB', 'peak added during stream MB', 'vs uninstr. MB', 'peak RSS MB', 'peak heap MB', 'MB/s', 'CPU µs per MB'], rows) +
    `\n\nTarget (issue 2): < 10 MB added RSS → ${worst < 10 ? 'PASS' : 'FAIL'} (worst of growth-vs-uninstrumented and peak-vs-uninstrumented: ${worst.toFixed(1)} MB).`;
  return { markdown, raw: samples, pass: worst < 10 };
}
