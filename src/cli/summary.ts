/**
 * A per-model summary of the GenAI series in a Prometheus text exposition
 * (what the demo prints every few seconds). Pure: text in, numbers out.
 *
 * Reads the series names of the embedded endpoint (see naming.ts): duration
 * histogram `gen_ai_client_operation_duration_seconds`, token histogram
 * `gen_ai_client_token_usage`, cost counter `aimon_client_cost_usd_total`.
 * The semconv-named variants without unit suffix (an OTLP-shaped exposition)
 * are read too.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ModelSummary {
  model: string;
  /** Calls of every outcome (a call the app aborted counts, but not as an error). */
  requests: number;
  /** Calls with an error.type (HTTP 4xx/5xx, network errors, timeouts). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** 95th percentile of the operation duration, seconds, estimated from the histogram buckets like histogram_quantile(). */
  p95Seconds: number | undefined;
  /** Undefined when the exposition has no cost series for this model. */
  costUsd: number | undefined;
}

export interface Summary {
  /** Sorted by name, so rows keep their place from one live summary to the next. */
  models: ModelSummary[];
  total: ModelSummary;
  /** Whether any cost series was exposed at all (cost is priced only for known models). */
  hasCost: boolean;
}

const DURATION = ['gen_ai_client_operation_duration_seconds', 'gen_ai_client_operation_duration'];
const TOKENS = ['gen_ai_client_token_usage'];
const COST = ['aimon_client_cost_usd_total', 'aimon_client_cost_usd'];
const UNKNOWN_MODEL = '(unknown)';

function parseValue(raw: string): number {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default:
      return Number(raw);
  }
}

/**
 * Parses one sample line `name{a="x",b="y"} value [timestamp]`. Returns
 * undefined for a line that is not a well-formed sample (it is skipped: a
 * summary must not fail on one odd line).
 */
export function parseSampleLine(line: string): Sample | undefined {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (m === null) return undefined;
  const name = m[1]!;
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (key === null) return undefined;
      i += key[0].length;
      if (line[i] !== '=' || line[i + 1] !== '"') return undefined;
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) return undefined;
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          value += e === 'n' ? '\n' : e ?? '';
        } else {
          value += c;
        }
      }
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest[0] === undefined || rest[0] === '') return undefined;
  const value = parseValue(rest[0]);
  if (Number.isNaN(value) && rest[0] !== 'NaN') return undefined;
  return { name, labels, value };
}

/** Every sample of an exposition, in order; comments, blank and malformed lines skipped. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = parseSampleLine(line);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/**
 * Quantile of a cumulative histogram given as (upper bound, cumulative count)
 * pairs sorted by bound, interpolating linearly within the bucket as
 * Prometheus' histogram_quantile() does. Undefined when there are no
 * observations.
 */
export function histogramQuantile(q: number, buckets: ReadonlyArray<readonly [number, number]>): number | undefined {
  const total = buckets.length > 0 ? buckets[buckets.length - 1]![1] : 0;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // The +Inf bucket has no width: answer its lower bound, as Prometheus does.
      if (bound === Infinity) return prevBound;
      if (count === prevCount) return bound;
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / (count - prevCount);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

function modelOf(labels: Record<string, string>): string {
  return labels.gen_ai_request_model || labels.gen_ai_response_model || UNKNOWN_MODEL;
}

function emptyModel(model: string): ModelSummary {
  return { model, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, p95Seconds: undefined, costUsd: undefined };
}

function baseName(name: string, bases: readonly string[], suffix: string): boolean {
  for (const b of bases) if (name === b + suffix) return true;
  return false;
}

/** Summarises an exposition (text or parsed samples) per model. */
export function summarize(input: string | readonly Sample[]): Summary {
  const samples = typeof input === 'string' ? parseExposition(input) : input;
  const byModel = new Map<string, ModelSummary>();
  const get = (model: string): ModelSummary => {
    let m = byModel.get(model);
    if (m === undefined) {
      m = emptyModel(model);
      byModel.set(model, m);
    }
    return m;
  };
  // Buckets merged across the other labels: model -> upper bound -> cumulative count.
  const buckets = new Map<string, Map<number, number>>();
  const allBuckets = new Map<number, number>();
  let hasCost = false;
  let totalCost = 0;

  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const { name, labels, value } = s;
    if (baseName(name, DURATION, '_count')) {
      const m = get(modelOf(labels));
      m.requests += value;
      if ((labels.error_type ?? '') !== '') m.errors += value;
    } else if (baseName(name, DURATION, '_bucket')) {
      const le = labels.le === undefined ? NaN : parseValue(labels.le);
      if (Number.isNaN(le)) continue;
      const model = modelOf(labels);
      let b = buckets.get(model);
      if (b === undefined) buckets.set(model, (b = new Map()));
      b.set(le, (b.get(le) ?? 0) + value);
      allBuckets.set(le, (allBuckets.get(le) ?? 0) + value);
    } else if (baseName(name, TOKENS, '_sum')) {
      const m = get(modelOf(labels));
      if (labels.gen_ai_token_type === 'input') m.inputTokens += value;
      else if (labels.gen_ai_token_type === 'output') m.outputTokens += value;
    } else if (COST.includes(name)) {
      const m = get(modelOf(labels));
      m.costUsd = (m.costUsd ?? 0) + value;
      hasCost = true;
      totalCost += value;
    }
  }

  const sorted = (b: Map<number, number> | undefined): Array<[number, number]> =>
    b === undefined ? [] : [...b.entries()].sort((x, y) => x[0] - y[0]);
  const models = [...byModel.values()];
  for (const m of models) m.p95Seconds = histogramQuantile(0.95, sorted(buckets.get(m.model)));
  models.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));

  const total = emptyModel('total');
  for (const m of models) {
    total.requests += m.requests;
    total.errors += m.errors;
    total.inputTokens += m.inputTokens;
    total.outputTokens += m.outputTokens;
  }
  total.p95Seconds = histogramQuantile(0.95, sorted(allBuckets));
  total.costUsd = hasCost ? totalCost : undefined;
  return { models, total, hasCost };
}

function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Dollars with three significant digits below $1 (a demo call costs millionths of a dollar). */
function formatCost(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n === 0) return '$0';
  if (n >= 1) return `$${n.toFixed(2)}`;
  const decimals = Math.min(10, Math.max(4, 2 - Math.floor(Math.log10(n))));
  return `$${n.toFixed(decimals)}`;
}

function formatSeconds(s: number | undefined): string {
  if (s === undefined) return '-';
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
}

/** The summary as a fixed-width table; the cost column only when cost series exist. */
export function formatSummary(summary: Summary): string {
  const header = ['model', 'requests', 'errors', 'input tok', 'output tok', 'p95'];
  if (summary.hasCost) header.push('cost USD');
  const row = (m: ModelSummary): string[] => {
    const cells = [
      m.model,
      formatInt(m.requests),
      formatInt(m.errors),
      formatInt(m.inputTokens),
      formatInt(m.outputTokens),
      formatSeconds(m.p95Seconds),
    ];
    if (summary.hasCost) cells.push(formatCost(m.costUsd));
    return cells;
  };
  const rows = [header, ...summary.models.map(row)];
  if (summary.models.length > 1) rows.push(row(summary.total));
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // Model names left-aligned, numbers right-aligned.
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return rows.map(line).join('\n') + '\n';
}
