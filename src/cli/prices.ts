/**
 * `aimon prices`: list the price table, look a model up, check an override
 * file, estimate a monthly bill. No network: everything comes from the
 * bundled table, an optional override file and the configured CNY rate.
 */
import { parseArgs } from 'node:util';
import { billingFor, convert, DEFAULT_USD_CNY, HOLYSHEEP_HOST, parseBillingEnv } from '../cost/billing.js';
import { computeCost, picoToUsd } from '../cost/compute.js';
import {
  describeMatch,
  loadBundledTable,
  loadPriceOverrides,
  lookupPrice,
  type PriceEntry,
  type PriceTable,
} from '../cost/prices.js';

type Out = NodeJS.WritableStream;

const HELP = `Usage: aimon prices [model] [options]

  aimon prices                      list the price table (USD per 1M tokens)
  aimon prices <model>              show the entry a model name is priced with, and the rule that matched
  aimon prices --check <file>       validate a price override file (JSON or YAML)
  aimon prices --estimate <tokens>  monthly bill on HolySheep vs list price, e.g. --estimate 10M

Options:
  --input-share <0..1>  share of input tokens for --estimate (default 0.75)
  --rate <CNY per USD>  exchange rate for effective USD (default AIMON_USD_CNY or ${DEFAULT_USD_CNY})
  --prices <file>       merge this override file (default AIMON_PRICES)
  --json                machine-readable output
  -h, --help            show this help
`;

/** The models of the original design's estimate, in its order. */
export const ESTIMATE_MODELS: ReadonlyArray<{ label: string; model: string }> = Object.freeze([
  { label: 'GPT-4.1', model: 'gpt-4.1' },
  { label: 'Claude Sonnet 4.5', model: 'claude-sonnet-4.5' },
  { label: 'Gemini 2.5 Flash', model: 'gemini-2.5-flash' },
  { label: 'DeepSeek V3.2', model: 'deepseek-v3.2' },
]);

class UsageError extends Error {}

/** `10M`, `2.5m`, `500k`, `1B`, `10000000`, `10_000_000` as a whole number of tokens. */
export function parseTokenCount(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kmb]?)$/i.exec(raw.trim().replace(/[_,]/g, ''));
  if (m === null) return undefined;
  const mult = { '': 1, k: 1e3, m: 1e6, b: 1e9 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const n = Math.round(Number(m[1]) * mult);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A price with at least 2 and at most 6 decimals: 2 -> "2.00", 0.025 -> "0.025", 0.003625 -> "0.003625". */
export function formatPrice(p: number | undefined): string {
  if (p === undefined) return '-';
  const s = p.toFixed(6).replace(/0+$/, '');
  const [int = '0', dec = ''] = s.split('.');
  return `${int}.${dec.padEnd(2, '0')}`;
}

function money(n: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function table(rows: string[][], rightAlign: ReadonlySet<number>): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function entryJson(e: PriceEntry): PriceEntry {
  return { ...e };
}

function loadTable(pricesPath: string | undefined): { table: PriceTable; warnings: string[] } {
  const b = loadBundledTable();
  if (pricesPath === undefined) return { table: b.table, warnings: b.errors };
  const o = loadPriceOverrides(pricesPath, b.table);
  return { table: o.table, warnings: [...b.errors, ...o.errors.map((e) => `${e} (override ignored)`)] };
}

function list(t: PriceTable, warnings: string[], json: boolean, out: Out): number {
  if (json) {
    out.write(`${JSON.stringify({ version: t.version, currency: t.currency, unit: t.unit, entries: t.entries.map(entryJson), warnings }, null, 2)}\n`);
    return 0;
  }
  const rows = [['model', 'provider', 'input', 'cached', 'cache write', 'output', 'as of']];
  for (const e of t.entries) {
    rows.push([e.model, e.provider, formatPrice(e.input), formatPrice(e.cached_input), formatPrice(e.cache_write), formatPrice(e.output), e.as_of]);
  }
  out.write(
    `Price table ${t.version}, USD per 1M tokens (${t.entries.length} models)\n\n` +
      `${table(rows, new Set([2, 3, 4, 5]))}\n\n` +
      `"-": no separate price; those tokens are charged at the input price. Reasoning is billed as output.\n` +
      `Sources: aimon prices <model>. Override: AIMON_PRICES=<file> (JSON or YAML, same shape).\n` +
      warnings.map((w) => `warning: ${w}\n`).join(''),
  );
  return 0;
}

function lookup(t: PriceTable, name: string, warnings: string[], json: boolean, out: Out): number {
  const m = lookupPrice(t, name);
  if (json) {
    out.write(
      `${JSON.stringify(
        m === undefined
          ? { name, found: false, tableVersion: t.version, warnings }
          : { name, found: true, model: m.entry.model, rule: m.rule, key: m.key, vendorPrefix: m.vendorPrefix, entry: entryJson(m.entry), tableVersion: t.version, warnings },
        null,
        2,
      )}\n`,
    );
    return m === undefined ? 1 : 0;
  }
  if (m === undefined) {
    out.write(
      `unknown model "${name}": no entry in price table ${t.version} matches.\n` +
        `Tried: exact model id or alias (lower-cased, vendor prefix stripped), then without a date suffix, then without "-latest".\n` +
        `Near names are never used (gpt-4.1-mini is not gpt-4.1). Add it in an override file: AIMON_PRICES=<file>.\n`,
    );
    return 1;
  }
  const e = m.entry;
  const lines = [
    `${name} -> ${e.model} (${e.provider})`,
    `  matched      ${describeMatch(m)}`,
    `  input        ${formatPrice(e.input)} USD / 1M tokens`,
    `  cached       ${e.cached_input !== undefined ? formatPrice(e.cached_input) : `${formatPrice(e.input)} (no cache discount: charged at the input price)`}`,
    `  cache write  ${e.cache_write !== undefined ? formatPrice(e.cache_write) : `${formatPrice(e.input)} (not charged extra: at the input price)`}`,
    `  output       ${formatPrice(e.output)}`,
    `  reasoning    ${e.reasoning !== undefined ? formatPrice(e.reasoning) : 'billed as output'}`,
  ];
  if (e.aliases !== undefined && e.aliases.length > 0) lines.push(`  aliases      ${e.aliases.join(', ')}`);
  lines.push(`  source       ${e.source} (as of ${e.as_of})`);
  if (e.note !== undefined) lines.push(`  note         ${e.note}`);
  lines.push(`  table        ${t.version}`);
  out.write(`${lines.join('\n')}\n${warnings.map((w) => `warning: ${w}\n`).join('')}`);
  return 0;
}

function check(path: string, json: boolean, out: Out): number {
  const bundled = loadBundledTable();
  const r = loadPriceOverrides(path, bundled.table);
  const ok = r.errors.length === 0;
  if (json) {
    out.write(`${JSON.stringify({ path, ok, entries: r.overrides, version: ok ? r.table.version : undefined, errors: r.errors }, null, 2)}\n`);
  } else if (ok) {
    out.write(`${path}: ok, ${r.overrides} ${r.overrides === 1 ? 'entry' : 'entries'}; merged table ${r.table.version} has ${r.table.entries.length} models\n`);
  } else {
    out.write(`${path}: ${r.errors.length} ${r.errors.length === 1 ? 'error' : 'errors'}; the bundled prices would be used\n${r.errors.map((e) => `  ${e}\n`).join('')}`);
  }
  return ok ? 0 : 1;
}

export interface EstimateRow {
  label: string;
  model: string;
  listUsd: number;
  billedCny: number;
  effectiveUsd: number;
  savingUsd: number;
  /** Share of the list price saved, 0..1. */
  saving: number;
}

export interface Estimate {
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  inputShare: number;
  rate: number;
  tableVersion: string;
  rows: EstimateRow[];
  missing: string[];
}

/** The monthly-bill comparison: list USD, HolySheep CNY (¥1 per list $1), effective USD at `rate`. */
export function estimate(t: PriceTable, tokens: number, inputShare: number, rate: number): Estimate {
  const inputTokens = Math.round(tokens * inputShare);
  const outputTokens = tokens - inputTokens;
  const rule = billingFor(HOLYSHEEP_HOST, { usdCny: rate });
  const rows: EstimateRow[] = [];
  const missing: string[] = [];
  for (const { label, model } of ESTIMATE_MODELS) {
    const m = lookupPrice(t, model);
    if (m === undefined) {
      missing.push(model);
      continue;
    }
    // No cache hits assumed: the estimate compares list and billed prices, not caching strategies.
    const cost = computeCost({ inputTokens, outputTokens }, m.entry);
    const listUsd = picoToUsd(cost.picoUsd);
    const b = convert(listUsd, rule);
    const savingUsd = Math.round((listUsd - b.effectiveUsd) * 1e12) / 1e12;
    rows.push({ label, model: m.entry.model, listUsd, billedCny: b.billed, effectiveUsd: b.effectiveUsd, savingUsd, saving: listUsd > 0 ? Math.round((savingUsd / listUsd) * 1e12) / 1e12 : 0 });
  }
  return { tokens, inputTokens, outputTokens, inputShare, rate, tableVersion: t.version, rows, missing };
}

function printEstimate(est: Estimate, json: boolean, out: Out): number {
  if (json) {
    out.write(`${JSON.stringify(est, null, 2)}\n`);
    return est.missing.length > 0 ? 1 : 0;
  }
  const n = (x: number): string => x.toLocaleString('en-US');
  const rows = [['model', 'list USD', 'HolySheep CNY', 'effective USD', 'saving USD', 'saving']];
  for (const r of est.rows) {
    rows.push([r.label, money(r.listUsd), money(r.billedCny), money(r.effectiveUsd), money(r.savingUsd), `${(r.saving * 100).toFixed(1)}%`]);
  }
  out.write(
    `Monthly bill for ${n(est.tokens)} tokens: ${n(est.inputTokens)} input (${(est.inputShare * 100).toFixed(1)}%, no cache hits), ${n(est.outputTokens)} output\n` +
      `HolySheep bills CNY 1 per USD 1 of list price; effective USD at ${est.rate} CNY per USD. Prices: table ${est.tableVersion}.\n\n` +
      `${table(rows, new Set([1, 2, 3, 4, 5]))}\n` +
      est.missing.map((m) => `warning: ${m} is not in the price table; row left out\n`).join(''),
  );
  return est.missing.length > 0 ? 1 : 0;
}

function parseShare(raw: string | undefined): number {
  if (raw === undefined) return 0.75;
  const s = /^\s*\d+(?:\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(s >= 0 && s <= 1)) throw new UsageError(`--input-share must be a number from 0 to 1, got "${raw}"`);
  return s;
}

function parseRate(raw: string | undefined, env: Record<string, string | undefined>): { rate: number; warnings: string[] } {
  if (raw === undefined) {
    const b = parseBillingEnv({ AIMON_USD_CNY: env.AIMON_USD_CNY });
    return { rate: b.usdCny, warnings: b.warnings };
  }
  const r = /^\s*\d+(?:\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(r > 0 && r <= 1000)) throw new UsageError(`--rate must be a positive number of CNY per USD, got "${raw}"`);
  return { rate: r, warnings: [] };
}

/** Runs `aimon prices`; resolves with the exit code (0 ok, 1 not found or invalid, 2 bad command line). */
export async function run(argv: string[], out: Out = process.stdout): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        check: { type: 'string' },
        estimate: { type: 'string' },
        'input-share': { type: 'string' },
        rate: { type: 'string' },
        prices: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    out.write(`aimon prices: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  if (values.help === true) {
    out.write(HELP);
    return 0;
  }
  const json = values.json === true;
  const env = process.env;
  try {
    const modes = [values.check !== undefined, values.estimate !== undefined, positionals.length > 0].filter(Boolean).length;
    if (modes > 1 || positionals.length > 1) throw new UsageError('give one of: a model name, --check <file>, --estimate <tokens>');
    if (typeof values.check === 'string') return check(values.check, json, out);

    const pricesPath = typeof values.prices === 'string' ? values.prices : (env.AIMON_PRICES ?? '').trim() || undefined;
    const { table: t, warnings } = loadTable(pricesPath);

    if (typeof values.estimate === 'string') {
      const tokens = parseTokenCount(values.estimate);
      if (tokens === undefined) throw new UsageError(`--estimate takes a token count such as 10M, 500k or 2000000, got "${values.estimate}"`);
      const share = parseShare(typeof values['input-share'] === 'string' ? values['input-share'] : undefined);
      const { rate, warnings: rateWarnings } = parseRate(typeof values.rate === 'string' ? values.rate : undefined, env);
      const est = estimate(t, tokens, share, rate);
      for (const w of [...warnings, ...rateWarnings]) if (!json) out.write(`warning: ${w}\n`);
      return printEstimate(est, json, out);
    }
    const model = positionals[0];
    if (model !== undefined) return lookup(t, model, warnings, json, out);
    return list(t, warnings, json, out);
  } catch (e) {
    if (e instanceof UsageError) {
      out.write(`aimon prices: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}
