#!/usr/bin/env node
/**
 * `aimon proxy` against the original FastAPI design and a bare Node
 * pass-through, all in front of the same fake upstream in its own process,
 * interleaved round by round (the order of the targets is rotated each round)
 * so that a change in machine load hits all of them alike.
 *
 *   node bench/proxy/run.mjs [--rounds 3] [--seconds 4] [--quick] [--json out.json]
 *
 * Workloads: a non-streaming chat completion (POST /v1/chat/completions) by a
 * closed-loop client at concurrency 1 and 32: requests/s, and at concurrency 1
 * the latency percentiles minus those of calling the upstream directly in the
 * same round ("added"). Then time to first byte of a stream at concurrency 1
 * (not for the original design, which cannot stream).
 *
 * Needs a build (`npx tsc -p .`) and, for the original design, Debian's
 * python3-fastapi python3-uvicorn python3-httpx python3-prometheus-client
 * (run with /usr/bin/python3). Without them the original is skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const ROUNDS = Number(opts.rounds ?? (opts.quick ? 1 : 3));
const SECONDS = Number(opts.seconds ?? (opts.quick ? 1.5 : 4));
const WARMUP_MS = 500;
const PYTHON = '/usr/bin/python3';

if (!existsSync(here('../../dist/cli/proxy.js'))) {
  console.error('bench/proxy: build first (npx tsc -p .)');
  process.exit(2);
}

const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));

/** Spawns a process and resolves with the first stdout match of `re`. */
function start(name, cmd, args, re, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: here('./') });
    children.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}${err}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = re.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${err}`)));
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      http.get(`${url}/health`, (r) => {
        r.resume();
        resolve(r.statusCode === 200);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became healthy`);
}

const CHAT = Buffer.from(JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Say hello to the benchmark.' }] }));
const STREAM = Buffer.from(
  JSON.stringify({ model: 'gpt-4.1-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream please.' }] }),
);

/** One request; resolves with [total ms, first-byte ms, status]. */
function once(agent, base, body) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let first = 0;
    const u = new URL(`${base}/chat/completions`);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: 'Bearer sk-bench' },
      },
      (res) => {
        res.on('data', () => {
          if (first === 0) first = performance.now() - t0;
        });
        res.on('end', () => resolve([performance.now() - t0, first, res.statusCode]));
      },
    );
    req.on('error', () => resolve([performance.now() - t0, 0, 0]));
    req.end(body);
  });
}

/** Closed loop: `conc` clients, each sending its next request when the last one ended. */
async function load(base, body, conc, ms) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const lat = [];
  const ttfb = [];
  let errors = 0;
  let total = 0; // warm-up included, for CPU per request
  const run = async (until, keep) => {
    const worker = async () => {
      while (performance.now() < until) {
        const [t, f, status] = await once(agent, base, body);
        total++;
        if (status !== 200) errors++;
        else if (keep) {
          lat.push(t);
          ttfb.push(f);
        }
      }
    };
    await Promise.all(Array.from({ length: conc }, worker));
  };
  await run(performance.now() + WARMUP_MS, false);
  const t0 = performance.now();
  await run(t0 + ms, true);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rps: lat.length / elapsed, lat, ttfb, errors, total };
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const median = (xs) => pct(xs, 50);

/** CPU time (user + system) of a process so far, in microseconds (Linux /proc; NaN elsewhere). */
function cpuMicros(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

// --- start everything ---
const { match: upMatch } = await start('upstream', process.execPath, ['upstream.mjs'], /(http:\/\/\S+\/v1)\n/);
const upstreamBase = upMatch[1];
const upstreamOrigin = new URL(upstreamBase).origin;

const targets = [{ name: 'direct (upstream)', base: upstreamBase }];
const { child: bareChild, match: bareMatch } = await start('bare', process.execPath, ['bare.mjs', upstreamOrigin, '0'], /(http:\/\/\S+)\n/);
targets.push({ name: 'bare Node pass-through', base: `${bareMatch[1]}/v1`, pid: bareChild.pid });
const { child: aimonChild, match: aimonMatch } = await start(
  'aimon proxy',
  process.execPath,
  ['aimon.mjs', '--upstream', upstreamBase, '--listen', '127.0.0.1:0'],
  /aimon proxy: (http:\/\/\S+?)\/v1 /,
  { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none' },
);
targets.push({ name: 'aimon proxy', base: `${aimonMatch[1]}/v1`, pid: aimonChild.pid });

const hasPython = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, httpx, prometheus_client'], { stdio: 'ignore' }).status === 0;
if (hasPython) {
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'uvicorn', 'original_app:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'], {
    cwd: here('./'),
    env: { ...process.env, UPSTREAM: upstreamBase },
    stdio: 'ignore',
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url);
  targets.push({ name: 'original FastAPI design', base: `${url}/v1`, original: true, pid: child.pid });
} else {
  console.error('bench/proxy: python3-fastapi/uvicorn/httpx/prometheus-client not installed for /usr/bin/python3; the original design is skipped');
}
await waitHealthy(aimonMatch[1]);

// --- rounds ---
const results = {}; // name -> { c1: [], c32: [], lat1: [[...]], ttfb: [] }
for (const t of targets) results[t.name] = { c1: [], c32: [], cpu32: [], p50: [], p99: [], ttfb50: [], ttfb99: [], errors: 0 };
const direct = targets[0].name;
const added = {}; // name -> { p50: [], p99: [], ttfb50: [], ttfb99: [] }
for (const t of targets) added[t.name] = { p50: [], p99: [], ttfb50: [], ttfb99: [] };

for (let round = 0; round < ROUNDS; round++) {
  const order = targets.map((_, i) => targets[(i + round) % targets.length]);
  for (const conc of [1, 32]) {
    for (const t of order) {
      // The original needs a longer window for a stable count at ~50 req/s.
      const cpu0 = t.pid !== undefined ? cpuMicros(t.pid) : NaN;
      const r = await load(t.base, CHAT, conc, SECONDS * 1000);
      const rec = results[t.name];
      // CPU per request of the proxy process itself: steadier than req/s when other work shares the machine.
      if (conc === 32) rec.cpu32.push((cpuMicros(t.pid) - cpu0) / r.total);
      rec.errors += r.errors;
      if (conc === 1) {
        rec.c1.push(r.rps);
        rec.p50.push(pct(r.lat, 50));
        rec.p99.push(pct(r.lat, 99));
      } else rec.c32.push(r.rps);
      process.stderr.write(`round ${round + 1}/${ROUNDS} c=${conc} ${t.name}: ${r.rps.toFixed(0)} req/s${r.errors ? ` (${r.errors} errors)` : ''}\n`);
    }
  }
  for (const t of order) {
    if (t.original) continue;
    const r = await load(t.base, STREAM, 1, Math.min(SECONDS, 2) * 1000);
    results[t.name].ttfb50.push(pct(r.ttfb, 50));
    results[t.name].ttfb99.push(pct(r.ttfb, 99));
    results[t.name].errors += r.errors;
  }
  for (const t of targets) {
    const a = added[t.name];
    const rec = results[t.name];
    const d = results[direct];
    a.p50.push(rec.p50[round] - d.p50[round]);
    a.p99.push(rec.p99[round] - d.p99[round]);
    if (!t.original) {
      a.ttfb50.push(rec.ttfb50[round] - d.ttfb50[round]);
      a.ttfb99.push(rec.ttfb99[round] - d.ttfb99[round]);
    }
  }
}

// --- report ---
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const orig = targets.find((t) => t.original);
const bare = results['bare Node pass-through'];
const aim = results['aimon proxy'];
const lines = [];
lines.push(`Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
lines.push(`${ROUNDS} rounds x ${SECONDS} s per cell (after ${WARMUP_MS} ms warm-up), medians over rounds; "added" = target minus direct in the same round`);
lines.push('');
lines.push('| target | req/s c=1 | req/s c=32 | proxy CPU per request, c=32 (µs) | added p50 c=1 (ms) | added p99 c=1 (ms) | stream TTFB added p50 / p99 (ms) | errors |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const t of targets) {
  const r = results[t.name];
  const a = added[t.name];
  const isDirect = t.name === direct;
  lines.push(
    `| ${t.name} | ${f0(median(r.c1))} | ${f0(median(r.c32))} | ${isDirect ? '' : f0(median(r.cpu32))} | ${isDirect ? `(p50 ${f2(median(r.p50))})` : f2(median(a.p50))} | ${isDirect ? `(p99 ${f2(median(r.p99))})` : f2(median(a.p99))} | ${
      t.original ? 'cannot stream' : isDirect ? `(${f2(median(r.ttfb50))} / ${f2(median(r.ttfb99))})` : `${f2(median(a.ttfb50))} / ${f2(median(a.ttfb99))}`
    } | ${r.errors} |`,
  );
}
lines.push('');
const checks = [];
if (orig !== undefined) {
  const x = median(aim.c32) / median(results[orig.name].c32);
  checks.push(`aimon / original at c=32: ${x.toFixed(1)}x (target >= 20x) ${x >= 20 ? 'PASS' : 'FAIL'}`);
}
const y = median(aim.c32) / median(bare.c32);
checks.push(`aimon / bare at c=32: ${y.toFixed(2)}x (target >= 0.8x) ${y >= 0.8 ? 'PASS' : 'FAIL'}`);
const z = median(added['aimon proxy'].p99);
checks.push(`aimon added p99 at c=1: ${z.toFixed(2)} ms (target <= 2 ms) ${z <= 2 ? 'PASS' : 'FAIL'}`);
lines.push(...checks.map((c) => `- ${c}`));
const text = lines.join('\n');
console.log(text);
if (opts.json !== undefined) writeFileSync(opts.json, JSON.stringify({ results, added, checks }, null, 2));
process.exit(0);
