/**
 * Client overhead: CPU per call and requests/s of an app using the openai
 * package against the fake upstream (its own process), for each variant.
 * For every workload, one long-lived child per variant is started and the
 * variants are driven round-robin, in a new shuffled order each round, so
 * that noise from the machine falls on all of them alike.
 */
import { fileURLToPath } from 'node:url';
import { forkChild, freePort } from './procs.mjs';
import { median, quantile, shuffled, spread, table } from './stats.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const ROOT = here('../../');

export const VARIANTS = [
  { name: 'none', label: 'uninstrumented' },
  // A/A control: a second, identical uninstrumented process. Its "added" column
  // is the noise floor between two processes doing the same thing.
  { name: 'none-b', label: 'uninstrumented, 2nd process (A/A)' },
  { name: 'als', label: 'ALS control', execArgv: ['--require', here('./preload/als.cjs')] },
  { name: 'aimon-metrics', label: '@aimon/otel metrics-only (register)', execArgv: ['--import', `${ROOT}dist/register.js`], prom: true },
  { name: 'aimon-spans', label: '@aimon/otel spans+metrics', execArgv: ['--import', here('./preload/aimon-spans.mjs')] },
  { name: 'contrib', label: 'instrumentation-openai + sdk-node', execArgv: ['--require', here('./preload/contrib.cjs')] },
  { name: 'traceloop', label: '@traceloop/node-server-sdk', execArgv: ['--require', here('./preload/traceloop.cjs')] },
];

export const WORKLOADS = [
  { workload: 'chat', conc: 1, n: 150 },
  { workload: 'chat', conc: 16, n: 256 },
  { workload: 'stream', conc: 1, n: 60 },
  { workload: 'stream', conc: 16, n: 96 },
  { workload: 'embed', conc: 1, n: 150 },
  { workload: 'embed', conc: 16, n: 256 },
];

function warmup(w, scale) {
  return Math.max(4 * w.conc, Math.round((w.workload === 'stream' ? 400 : 1000) * Math.max(scale, 0.5)));
}

export const WORKLOAD_TITLE = {
  chat: 'non-stream chat',
  stream: '50-chunk stream with usage',
  embed: 'embeddings (1536 dims, base64)',
};

/** Environment for a child: none of the caller's OTEL_* / AIMON_* settings leak in. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OTEL_|AIMON_|TRACELOOP_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

async function startVariant(v, upstream, extraExecArgv = []) {
  const env = {
    BENCH_BASE_URL: upstream.baseURL,
    BENCH_UPSTREAM_HOST: `http://127.0.0.1:${upstream.port}`,
    TRACELOOP_SYNC_ENABLED: 'false',
    TRACELOOP_TELEMETRY: 'false',
  };
  if (v.prom) {
    const port = await freePort();
    Object.assign(env, {
      AIMON_HOSTS: `http://127.0.0.1:${upstream.port}`,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      BENCH_PROM_PORT: String(port),
    });
  }
  const c = forkChild(here('./client.cjs'), {
    execArgv: [...(v.execArgv ?? []), ...extraExecArgv],
    env: cleanEnv(env),
    label: v.name,
  });
  c.child.env = env;
  await c.ready;
  return c;
}

/**
 * Runs every workload. Returns raw per-round samples:
 * results[workloadKey][variant] = { rounds: [{cpuPerCall, rps, maxRssMB}], capture }.
 */
export async function runClientBench({ upstream, rounds, scale, variants, workloads, log, profileDir }) {
  const results = {};
  let seed = 20261129;
  for (const w of workloads) {
    const key = `${w.workload}/c${w.conc}`;
    const n = Math.max(w.conc, Math.round(w.n * scale));
    log(`\n[client] ${WORKLOAD_TITLE[w.workload]}, concurrency ${w.conc}: ${variants.length} variants × ${rounds} rounds × ${n} calls`);
    const children = {};
    for (const v of variants) {
      const extra = profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${v.name}-${w.workload}-c${w.conc}.cpuprofile`] : [];
      children[v.name] = await startVariant(v, upstream, extra);
    }
    // Warm-up: on this machine CPU per call takes a few thousand calls to
    // settle (JIT, heap sizing, connection pool). Not measured.
    for (const v of variants) await children[v.name].request({ cmd: 'run', workload: w.workload, conc: w.conc, n: warmup(w, scale) });
    const per = Object.fromEntries(variants.map((v) => [v.name, { rounds: [], capture: undefined }]));
    for (let r = 0; r < rounds; r++) {
      const order = shuffled(variants, seed++);
      const line = [];
      for (const v of order) {
        const res = await children[v.name].request({ cmd: 'run', workload: w.workload, conc: w.conc, n });
        const s = {
          cpuPerCall: res.cpuUs / res.n,
          userPerCall: res.userUs / res.n,
          rps: (res.n * 1000) / res.wallMs,
          maxRssMB: res.maxRssMB,
        };
        per[v.name].rounds.push(s);
        line.push(`${v.name} ${s.cpuPerCall.toFixed(0)}µs`);
      }
      log(`  round ${r + 1}/${rounds}: ${line.join(', ')}`);
    }
    await Promise.all(
      variants.map(async (v) => {
        per[v.name].capture = await children[v.name].request({ cmd: 'capture' });
      }),
    );
    await Promise.all(variants.map((v) => children[v.name].close()));
    results[key] = { ...w, n, warmupN: warmup(w, scale), per };
  }
  return results;
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');

function captureText(c, workload, calls) {
  if (c === undefined) return '–';
  const parts = [];
  if (c.spans > 0) {
    const per = c.spans === calls ? '1 span/call' : `${c.spans} spans/${calls} calls`;
    parts.push(`${per}${c.spanTokens ? `, tokens ${c.spanTokens}` : ', no tokens'}`);
  }
  if (c.metricNames.length > 0) parts.push(c.metricTokens ? 'token metrics' : 'metrics, no tokens');
  if (c.logs > 0) parts.push(`${c.logs} log events`);
  if (parts.length === 0) return 'nothing';
  parts.push(c.cost ? 'cost' : 'no cost');
  if (workload === 'stream') parts.push(c.spanTokens || c.metricTokens ? 'stream usage ✓' : 'stream usage ✗');
  return parts.join('; ');
}

/** Per-variant figures for one workload, paired against `none` and `als` round by round. */
export function summarize(entry) {
  const per = entry.per;
  const base = per.none?.rounds;
  const als = per.als?.rounds;
  const out = {};
  for (const [name, d] of Object.entries(per)) {
    const cpu = d.rounds.map((s) => s.cpuPerCall);
    const addNone = base ? d.rounds.map((s, i) => s.cpuPerCall - base[i].cpuPerCall) : [];
    const addAls = als ? d.rounds.map((s, i) => s.cpuPerCall - als[i].cpuPerCall) : [];
    const ratio = base ? d.rounds.map((s, i) => s.cpuPerCall / base[i].cpuPerCall) : [];
    out[name] = {
      cpu,
      cpuMedian: median(cpu),
      ratio: median(ratio),
      addNone,
      addNoneMedian: median(addNone),
      addAls,
      addAlsMedian: median(addAls),
      rps: median(d.rounds.map((s) => s.rps)),
      maxRssMB: Math.max(...d.rounds.map((s) => s.maxRssMB)),
      capture: d.capture,
    };
  }
  return out;
}

export function clientReport(results, variants) {
  const sections = [];
  const summaries = {};
  for (const [key, entry] of Object.entries(results)) {
    const s = summarize(entry);
    summaries[key] = s;
    const noneRss = s.none?.maxRssMB;
    const rows = variants
      .filter((v) => s[v.name] !== undefined)
      .map((v) => {
        const x = s[v.name];
        return [
          v.label,
          spread(x.cpu),
          `${fmt(x.ratio, 2)}×`,
          v.name === 'none' ? '–' : spread(x.addNone),
          v.name.startsWith('none') || v.name === 'als' ? '–' : spread(x.addAls),
          fmt(x.rps),
          `${fmt(x.maxRssMB)}${noneRss !== undefined && v.name !== 'none' ? ` (+${fmt(x.maxRssMB - noneRss)})` : ''}`,
          captureText(x.capture, entry.workload, entry.warmupN + entry.n * x.cpu.length),
        ];
      });
    sections.push(
      `#### ${WORKLOAD_TITLE[entry.workload]}, concurrency ${entry.conc} (${entry.n} calls × ${entry.per.none?.rounds.length ?? '?'} rounds)\n\n` +
        table(
          ['variant', 'CPU µs/call', '× uninstr.', 'added µs vs uninstr.', 'own share µs (vs ALS)', 'req/s', 'peak RSS MB', 'captured'],
          rows,
        ),
    );
  }
  return { markdown: sections.join('\n\n'), summaries };
}

/**
 * The targets of issues 2 and 6, checked on every workload. Each check is
 * paired per round (d = ours − limit in the same round): the verdict is the
 * sign of the median of d, and it is "clear" only when the interquartile
 * range of d lies on one side of zero; otherwise it is within the noise.
 */
export function checkTargets(summaries) {
  const rows = [];
  let allPass = true;
  const verdict = (d) => {
    const m = median(d);
    const lo = quantile(d, 0.25);
    const hi = quantile(d, 0.75);
    const pass = m <= 0;
    const clear = pass ? hi <= 0 : lo > 0;
    return { pass, text: `${pass ? 'PASS' : 'FAIL'}${clear ? '' : ' (within noise)'}`, m, lo, hi };
  };
  for (const [key, s] of Object.entries(summaries)) {
    const add = (name, ours, limit, d) => {
      const v = verdict(d);
      if (!v.pass) allPass = false;
      rows.push([key, name, v.text, `${fmt(ours)} vs ${fmt(limit)} µs`, `${fmt(v.m)} [${fmt(v.lo)}, ${fmt(v.hi)}]`]);
    };
    if (s['aimon-spans'] && s.contrib) {
      const a = s['aimon-spans'];
      const c = s.contrib;
      add('#2 spans+metrics added ≤ contrib added', a.addNoneMedian, c.addNoneMedian, a.addNone.map((x, i) => x - c.addNone[i]));
    }
    if (s['aimon-metrics'] && s.als) {
      const a = s['aimon-metrics'];
      const c = s.als;
      add('#2 metrics-only added ≤ ALS control added', a.addNoneMedian, c.addNoneMedian, a.addNone.map((x, i) => x - c.addNone[i]));
    }
    // Peers that record metrics: the contrib instrumentation (traceloop records spans only).
    if (s['aimon-spans'] && s.als && s.contrib && s.contrib.capture?.metricNames?.length > 0) {
      const a = s['aimon-spans'];
      const c = s.contrib;
      add('#6 own share (spans+metrics) ≤ ½ contrib own share', a.addAlsMedian, c.addAlsMedian / 2, a.addAls.map((x, i) => x - c.addAls[i] / 2));
    }
  }
  return {
    allPass,
    markdown: table(['workload', 'target', 'result', 'medians: ours vs limit', 'paired ours − limit, median [p25, p75]'], rows),
  };
}
