/**
 * The price table: its types, the bundled copy, validation, user overrides
 * (JSON or YAML) and the rule that maps a model name to an entry.
 *
 * No OpenTelemetry here. File reads happen only when a load function is
 * called; nothing in this module throws into the app: loaders return
 * `{ table, errors }` and the watcher reports through callbacks.
 *
 * Which model is priced: the response model when the response has one (it is
 * what was actually served and billed: `gpt-4.1` is answered as
 * `gpt-4.1-2025-04-14`, and a gateway may route to another model), else the
 * request model. See `pricedModelName`.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One model's list prices, USD per 1M tokens. */
export interface PriceEntry {
  /** Canonical id, lower-case, no vendor prefix (e.g. `gpt-4.1`). */
  model: string;
  /** Other names for the same prices (gateway names, dashed ids). */
  aliases?: string[];
  provider: string;
  /** Uncached input. */
  input: number;
  /** Cache reads. Absent when the provider gives no discount: cached tokens are charged at `input`. */
  cached_input?: number;
  /** Cache writes, only where charged (Anthropic 5-minute writes). Absent: charged at `input`. */
  cache_write?: number;
  /** Output, reasoning included unless `reasoning` is set. */
  output: number;
  /** Reasoning tokens, only where billed differently from output. */
  reasoning?: number;
  /** URL of the official pricing page. */
  source: string;
  /** Date (YYYY-MM-DD) the price was read from the source. */
  as_of: string;
  note?: string;
}

export interface PriceTable {
  version: string;
  currency: 'USD';
  unit: 'per_1m_tokens';
  entries: PriceEntry[];
}

/** What loaders return: a usable table always, and why anything was left out. */
export interface TableResult {
  table: PriceTable;
  errors: string[];
}

/** How a name found its entry, in the order the rules are tried. */
export type MatchRule = 'model' | 'alias' | 'date_suffix' | 'latest_suffix';

export interface PriceMatch {
  entry: PriceEntry;
  rule: MatchRule;
  /** The name as given. */
  name: string;
  /** The key that matched (lower-cased, vendor prefix and suffix stripped as the rule says). */
  key: string;
  /** A vendor prefix (`openai/`) was stripped first. */
  vendorPrefix: boolean;
}

// --- validation ---

const PRICE_FIELDS = ['input', 'cached_input', 'cache_write', 'output', 'reasoning'] as const;
const REQUIRED_PRICES = new Set<string>(['input', 'output']);
const ENTRY_FIELDS = new Set<string>(['model', 'aliases', 'provider', ...PRICE_FIELDS, 'source', 'as_of', 'note']);
const TABLE_FIELDS = new Set<string>(['version', 'currency', 'unit', 'entries']);
/** Prices are turned into integer nano-dollars per 1M tokens (see compute.ts): finer digits would be lost. */
const PRICE_SCALE = 1e9;
/** Above this the nano-dollar conversion stops being exact in a double; no real price is near it. */
const MAX_PRICE = 100_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function validPrice(v: unknown): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_PRICE) return false;
  const scaled = v * PRICE_SCALE;
  return Math.abs(scaled - Math.round(scaled)) < 1e-3;
}

function validName(v: unknown): v is string {
  return typeof v === 'string' && /^[^\s/]+$/.test(v);
}

/** Names are compared lower-case; the table may spell them in any case. */
function keyOf(name: string): string {
  return name.trim().toLowerCase();
}

function label(i: number, raw: unknown): string {
  const m = isRecord(raw) && typeof raw.model === 'string' ? ` (${raw.model})` : '';
  return `entries[${i}]${m}`;
}

function validateEntry(raw: unknown, where: string, errors: string[]): PriceEntry | undefined {
  if (!isRecord(raw)) {
    errors.push(`${where}: must be an object`);
    return undefined;
  }
  const before = errors.length;
  for (const k of Object.keys(raw)) {
    // A misspelt price ("cache_read") would silently bill cached tokens at the full input price.
    if (!ENTRY_FIELDS.has(k)) errors.push(`${where}: unknown field "${k}"`);
  }
  if (!validName(raw.model)) errors.push(`${where}: "model" must be a non-empty string without spaces or "/"`);
  if (raw.aliases !== undefined) {
    if (!Array.isArray(raw.aliases)) errors.push(`${where}: "aliases" must be an array of strings`);
    else
      raw.aliases.forEach((a, j) => {
        if (!validName(a)) errors.push(`${where}: "aliases[${j}]" must be a non-empty string without spaces or "/"`);
      });
  }
  if (typeof raw.provider !== 'string' || raw.provider.trim() === '') errors.push(`${where}: "provider" must be a non-empty string`);
  for (const f of PRICE_FIELDS) {
    const v = raw[f];
    if (v === undefined && !REQUIRED_PRICES.has(f)) continue;
    if (!validPrice(v)) {
      errors.push(
        `${where}: "${f}" must be a non-negative number (USD per 1M tokens, at most ${MAX_PRICE}, at most 9 decimals)`,
      );
    }
  }
  if (typeof raw.source !== 'string' || raw.source.trim() === '') errors.push(`${where}: "source" must be a non-empty string (the pricing page URL)`);
  if (typeof raw.as_of !== 'string' || !DATE.test(raw.as_of)) errors.push(`${where}: "as_of" must be a date YYYY-MM-DD`);
  if (raw.note !== undefined && typeof raw.note !== 'string') errors.push(`${where}: "note" must be a string`);
  if (errors.length > before) return undefined;

  const e: PriceEntry = {
    model: raw.model as string,
    provider: raw.provider as string,
    input: raw.input as number,
    output: raw.output as number,
    source: raw.source as string,
    as_of: raw.as_of as string,
  };
  if (raw.aliases !== undefined) e.aliases = [...(raw.aliases as string[])];
  if (raw.cached_input !== undefined) e.cached_input = raw.cached_input as number;
  if (raw.cache_write !== undefined) e.cache_write = raw.cache_write as number;
  if (raw.reasoning !== undefined) e.reasoning = raw.reasoning as number;
  if (raw.note !== undefined) e.note = raw.note as string;
  return e;
}

export interface ValidateOptions {
  /** An override file may leave out version, currency and unit (they must be right when present). */
  override?: boolean;
}

/**
 * Checks a parsed table. Every problem is reported, each naming the entry and
 * the field: `entries[3] (gpt-4.1): "output" must be a non-negative number ...`.
 * `table` is set only when there are no errors.
 */
export function validateTable(raw: unknown, options: ValidateOptions = {}): { table?: PriceTable; errors: string[] } {
  const errors: string[] = [];
  if (!isRecord(raw)) return { errors: ['the price table must be an object with "version", "currency", "unit" and "entries"'] };
  for (const k of Object.keys(raw)) if (!TABLE_FIELDS.has(k)) errors.push(`unknown top-level field "${k}"`);
  const optional = options.override === true;
  if (!(optional && raw.version === undefined) && (typeof raw.version !== 'string' || raw.version.trim() === ''))
    errors.push('"version" must be a non-empty string');
  if (!(optional && raw.currency === undefined) && raw.currency !== 'USD') errors.push('"currency" must be "USD"');
  if (!(optional && raw.unit === undefined) && raw.unit !== 'per_1m_tokens') errors.push('"unit" must be "per_1m_tokens"');
  if (!Array.isArray(raw.entries)) {
    errors.push('"entries" must be an array');
    return { errors };
  }

  const entries: PriceEntry[] = [];
  const owner = new Map<string, string>();
  raw.entries.forEach((r, i) => {
    const where = label(i, r);
    const e = validateEntry(r, where, errors);
    if (e === undefined) return;
    for (const name of [e.model, ...(e.aliases ?? [])]) {
      const k = keyOf(name);
      const prev = owner.get(k);
      // Two entries answering to one name would make the price depend on table order.
      if (prev !== undefined) errors.push(`${where}: name "${name}" is already used by ${prev}`);
      else owner.set(k, where);
    }
    entries.push(e);
  });
  if (errors.length > 0) return { errors };
  return {
    table: {
      version: typeof raw.version === 'string' ? raw.version : '',
      currency: 'USD',
      unit: 'per_1m_tokens',
      entries,
    },
    errors,
  };
}

// --- matching ---

interface Index {
  byName: Map<string, { entry: PriceEntry; alias: boolean }>;
}

const indexes = new WeakMap<PriceTable, Index>();

function indexOf(table: PriceTable): Index {
  let idx = indexes.get(table);
  if (idx === undefined) {
    const byName = new Map<string, { entry: PriceEntry; alias: boolean }>();
    for (const entry of table.entries) {
      // First writer wins; validateTable rejects duplicates anyway.
      if (!byName.has(keyOf(entry.model))) byName.set(keyOf(entry.model), { entry, alias: false });
      for (const a of entry.aliases ?? []) if (!byName.has(keyOf(a))) byName.set(keyOf(a), { entry, alias: true });
    }
    idx = { byName };
    indexes.set(table, idx);
  }
  return idx;
}

/**
 * Snapshot dates providers append: `-2024-08-06` (OpenAI), `-20250929`
 * (Anthropic), `@20250929` (Vertex AI), `-0613` (older OpenAI, DeepSeek).
 * Only real calendar shapes, so `-2025` or `-4096` are not taken for dates.
 */
const MMDD = '(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])';
const DATE_SUFFIX = new RegExp(`(?:-20\\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])|[-@]20\\d{2}${MMDD}|-${MMDD})$`);
const LATEST_SUFFIX = /-latest$/;

/**
 * Finds the entry for a model name. The rule, in order:
 * 1. lower-case, trim, and strip a vendor prefix up to the last `/`
 *    (`openai/gpt-4.1`, `deepseek/deepseek-chat`, `models/gemini-2.5-flash`);
 * 2. exact match on a model id or an alias;
 * 3. strip one date suffix (`-2024-08-06`, `-20250929`, `@20250929`, `-0613`) and match again;
 * 4. strip `-latest` and match again.
 * Nothing else: no prefix or fuzzy matching, because a near name is usually
 * a different price (`gpt-4.1-mini` must never be priced as `gpt-4.1`). An
 * unknown model stays unpriced and visible rather than priced wrong.
 */
export function lookupPrice(table: PriceTable, name: string | undefined): PriceMatch | undefined {
  if (name === undefined) return undefined;
  let key = keyOf(name);
  const slash = key.lastIndexOf('/');
  const vendorPrefix = slash >= 0;
  if (vendorPrefix) key = key.slice(slash + 1);
  if (key === '') return undefined;
  const { byName } = indexOf(table);

  const hit = byName.get(key);
  if (hit !== undefined) return { entry: hit.entry, rule: hit.alias ? 'alias' : 'model', name, key, vendorPrefix };
  const undated = key.replace(DATE_SUFFIX, '');
  if (undated !== key && undated !== '') {
    const h = byName.get(undated);
    if (h !== undefined) return { entry: h.entry, rule: 'date_suffix', name, key: undated, vendorPrefix };
  }
  const unlatest = key.replace(LATEST_SUFFIX, '');
  if (unlatest !== key && unlatest !== '') {
    const h = byName.get(unlatest);
    if (h !== undefined) return { entry: h.entry, rule: 'latest_suffix', name, key: unlatest, vendorPrefix };
  }
  return undefined;
}

/**
 * The name to price: the response model when present (what was served and
 * billed), else the request model. No fallback from an unknown response model
 * to the request model: that could price a model other than the one billed.
 */
export function pricedModelName(requestModel: string | undefined, responseModel: string | undefined): string | undefined {
  const r = responseModel?.trim();
  if (r !== undefined && r !== '') return r;
  const q = requestModel?.trim();
  return q !== undefined && q !== '' ? q : undefined;
}

/** Human wording of a match, for the CLI and debug logs. */
export function describeMatch(m: PriceMatch): string {
  const pre = m.vendorPrefix ? 'vendor prefix stripped, ' : '';
  switch (m.rule) {
    case 'model':
      return `${pre}exact match on the model id`;
    case 'alias':
      return `${pre}exact match on an alias of ${m.entry.model}`;
    case 'date_suffix':
      return `${pre}date suffix stripped ("${m.name}" -> "${m.key}")`;
    case 'latest_suffix':
      return `${pre}"-latest" stripped ("${m.name}" -> "${m.key}")`;
  }
}

// --- loading ---

/** Resolves from src/cost/ (tests) and from dist/cost/ (the package) to <package>/prices/. */
export const BUNDLED_PRICES_URL = new URL('../../prices/prices.json', import.meta.url);

export const EMPTY_TABLE: PriceTable = Object.freeze({
  version: 'none',
  currency: 'USD',
  unit: 'per_1m_tokens',
  entries: [],
}) as PriceTable;

let bundled: TableResult | undefined;

/**
 * The table shipped in the package, read once. A missing or broken file
 * (a damaged install) yields an empty table and the reason, not an exception:
 * calls are then reported unpriced.
 */
export function loadBundledTable(): TableResult {
  if (bundled === undefined) {
    try {
      const raw: unknown = JSON.parse(readFileSync(BUNDLED_PRICES_URL, 'utf8'));
      const v = validateTable(raw);
      bundled = v.table !== undefined ? { table: v.table, errors: [] } : { table: EMPTY_TABLE, errors: v.errors.map((e) => `bundled prices.json: ${e}`) };
    } catch (e) {
      bundled = { table: EMPTY_TABLE, errors: [`bundled prices.json: ${e instanceof Error ? e.message : String(e)}`] };
    }
  }
  return bundled;
}

/** Parses an override file's text by its extension; `.yaml`/`.yml` as YAML, anything else as JSON. */
export function parseTableText(text: string, path: string): unknown {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return parseYaml(text) as unknown;
  return JSON.parse(text) as unknown;
}

/**
 * Adds or replaces entries by model id. A name (model or alias) the override
 * claims is removed from the aliases of bundled entries, so an override of
 * `deepseek-chat` takes that name away from `deepseek-v3.2`.
 */
export function mergeTables(base: PriceTable, override: PriceTable, version?: string): PriceTable {
  const claimed = new Set<string>();
  for (const e of override.entries) for (const n of [e.model, ...(e.aliases ?? [])]) claimed.add(keyOf(n));
  const replacing = new Map(override.entries.map((e) => [keyOf(e.model), e]));
  const out: PriceEntry[] = [];
  const used = new Set<string>();
  for (const e of base.entries) {
    const k = keyOf(e.model);
    const r = replacing.get(k);
    if (r !== undefined) {
      out.push(r);
      used.add(k);
      continue;
    }
    if (claimed.has(k)) continue; // an override alias took this model's own name
    const aliases = e.aliases?.filter((a) => !claimed.has(keyOf(a)));
    const copy: PriceEntry = { ...e };
    if (aliases === undefined) delete copy.aliases;
    else copy.aliases = aliases;
    out.push(copy);
  }
  for (const e of override.entries) if (!used.has(keyOf(e.model))) out.push(e);
  return {
    version: `${base.version}+${version ?? (override.version !== '' ? override.version : 'override')}`,
    currency: 'USD',
    unit: 'per_1m_tokens',
    entries: out,
  };
}

export interface OverrideResult extends TableResult {
  /** Entries the override file contributed (0 when it was rejected). */
  overrides: number;
}

/**
 * Reads an override file (JSON or YAML, the table's shape; version, currency
 * and unit may be left out) and merges it over `base` (the bundled table by
 * default). Never throws: on any error the result is `base` itself and
 * `errors` says why, each prefixed with the file path.
 */
export function loadPriceOverrides(path: string, base: PriceTable = loadBundledTable().table): OverrideResult {
  let raw: unknown;
  try {
    raw = parseTableText(readFileSync(path, 'utf8'), path);
  } catch (e) {
    return { table: base, errors: [`${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`], overrides: 0 };
  }
  const v = validateTable(raw, { override: true });
  if (v.table === undefined) return { table: base, errors: v.errors.map((e) => `${path}: ${e}`), overrides: 0 };
  const merged = mergeTables(base, v.table);
  // Merging valid tables yields a valid one; checked anyway so a bug here cannot ship a table with ambiguous names.
  const check = validateTable(merged);
  if (check.table === undefined) return { table: base, errors: check.errors.map((e) => `${path}: after merging: ${e}`), overrides: 0 };
  return { table: merged, errors: [], overrides: v.table.entries.length };
}

export interface WatchOptions {
  /** Poll interval; fs.watchFile polls, which also works on network and container mounts. */
  intervalMs?: number;
  base?: PriceTable;
}

/**
 * Watches an override file and reloads it on change, without restart.
 * `onChange` gets each good merged result; a bad edit (half-saved file,
 * typo) goes to `onError` and the caller keeps its last good table. The poll
 * is unref'd (`persistent: false`) so it never keeps the process alive, and
 * callback failures are swallowed: this runs beside the app's traffic.
 * Load the file first, then watch: fs.watchFile takes its baseline stat
 * asynchronously, so an edit in the same tick may be taken as the baseline.
 * Returns a function that stops watching.
 */
export function watchPriceOverrides(
  path: string,
  onChange: (result: OverrideResult) => void,
  onError: (errors: string[]) => void,
  options: WatchOptions = {},
): () => void {
  const safe = (f: () => void): void => {
    try {
      f();
    } catch {
      // The app's callback failed; nothing we can do that would not hurt the app more.
    }
  };
  const listener = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
    if (curr.mtimeMs === 0 && curr.nlink === 0) {
      safe(() => onError([`${path}: file removed; keeping the prices last loaded`]));
      return;
    }
    const r = loadPriceOverrides(path, options.base ?? loadBundledTable().table);
    if (r.errors.length > 0) safe(() => onError(r.errors));
    else safe(() => onChange(r));
  };
  try {
    watchFile(path, { interval: options.intervalMs ?? 2000, persistent: false }, listener);
  } catch (e) {
    safe(() => onError([`${path}: cannot watch: ${e instanceof Error ? e.message : String(e)}`]));
    return () => {};
  }
  return () => unwatchFile(path, listener);
}
