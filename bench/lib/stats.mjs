/** Small statistics and formatting helpers for the bench reports. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
export const median = (xs) => quantile(xs, 0.5);

/** Median and its 95% confidence interval from order statistics (distribution-free). */
export function medianCi(d) {
  const s = [...d].sort((a, b) => a - b);
  const n = s.length;
  const k = 0.98 * Math.sqrt(n);
  const at = (i) => s[Math.min(n - 1, Math.max(0, i))];
  return { m: n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, lo: at(Math.floor(n / 2 - k)), hi: at(Math.ceil(n / 2 + k)) };
}

/** "median [p25, p75]" of a list. */
export function spread(xs, digits = 0) {
  const f = (x) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  return `${f(median(xs))} [${f(quantile(xs, 0.25))}, ${f(quantile(xs, 0.75))}]`;
}

/** A seeded generator of numbers in [0, 1) (mulberry32), so a run's draws can be reproduced. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic shuffle, so a run's order can be reproduced. */
export function shuffled(list, seed) {
  const rnd = mulberry32(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A GitHub-flavoured markdown table. */
export function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/**
 * Difference of the medians of two independent samples (a − b) and its 95%
 * percentile-bootstrap confidence interval (seeded, so a report reproduces).
 */
export function medianDiffCi(a, b, iterations = 4000, seed = 0x5eed) {
  const rnd = mulberry32(seed);
  const resample = (xs) => Array.from(xs, () => xs[Math.floor(rnd() * xs.length)]);
  const diffs = Array.from({ length: iterations }, () => median(resample(a)) - median(resample(b)));
  return { m: median(a) - median(b), lo: quantile(diffs, 0.025), hi: quantile(diffs, 0.975) };
}
