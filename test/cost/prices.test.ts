import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_PRICES_URL,
  describeMatch,
  loadBundledTable,
  loadPriceOverrides,
  lookupPrice,
  mergeTables,
  pricedModelName,
  validateTable,
  watchPriceOverrides,
  type OverrideResult,
  type PriceTable,
} from '../../src/cost/prices.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'aimon-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const bundled = loadBundledTable();
const table = bundled.table;

const REQUIRED = [
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-4o',
  'gpt-4o-mini',
  'o3',
  'o4-mini',
  'claude-sonnet-4.5',
  'claude-opus-4.1',
  'claude-haiku-4.5',
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.5-flash-lite',
  'deepseek-v3.2',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

describe('bundled table', () => {
  it('is read from <package>/prices/prices.json, the same path from src/cost and dist/cost', () => {
    expect(fileURLToPath(BUNDLED_PRICES_URL)).toBe(join(root, 'prices/prices.json'));
    // dist/cost/prices.js resolves '../../prices/prices.json' to the same file.
    const compiled = new URL('../../dist/cost/prices.js', import.meta.url);
    expect(fileURLToPath(new URL('../../prices/prices.json', compiled))).toBe(
      join(root, 'prices/prices.json'),
    );
  });

  it('validates with no errors and carries its version', () => {
    expect(bundled.errors).toEqual([]);
    const raw: unknown = JSON.parse(readFileSync(join(root, 'prices/prices.json'), 'utf8'));
    expect(validateTable(raw).errors).toEqual([]);
    expect(table.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.currency).toBe('USD');
    expect(table.unit).toBe('per_1m_tokens');
  });

  it('has every required model with an https source and an as_of date', () => {
    for (const model of REQUIRED) {
      const e = table.entries.find((x) => x.model === model);
      expect(e, model).toBeDefined();
      expect(e?.source, model).toMatch(/^https:\/\/[a-z0-9.-]+\//);
      expect(e?.as_of, model).toMatch(/^20\d{2}-\d{2}-\d{2}$/);
    }
  });

  it('cites only the providers\u2019 own pricing pages', () => {
    const hosts = new Set(table.entries.map((e) => new URL(e.source).host));
    expect([...hosts].sort()).toEqual(['ai.google.dev', 'api-docs.deepseek.com', 'developers.openai.com', 'platform.claude.com']);
  });

  it('has the list prices the estimate and the golden tests rely on', () => {
    const p = (m: string) => {
      const e = table.entries.find((x) => x.model === m);
      return e && [e.input, e.cached_input, e.cache_write, e.output];
    };
    expect(p('gpt-4.1')).toEqual([2, 0.5, undefined, 8]);
    expect(p('claude-sonnet-4.5')).toEqual([3, 0.3, 3.75, 15]);
    expect(p('gemini-2.5-flash')).toEqual([0.3, 0.03, undefined, 2.5]);
    expect(p('deepseek-v3.2')).toEqual([0.28, 0.028, undefined, 0.42]);
  });

  it('prices gemini-2.5-pro at its base tier and says so', () => {
    const e = table.entries.find((x) => x.model === 'gemini-2.5-pro');
    expect(e?.input).toBe(1.25);
    expect(e?.note).toMatch(/200k/);
  });
});

describe('lookupPrice: the matching rule', () => {
  const cases: Array<[string, string, string]> = [
    // name, expected entry, rule
    ['gpt-4.1', 'gpt-4.1', 'model'],
    ['GPT-4.1', 'gpt-4.1', 'model'],
    ['  gpt-4.1-mini ', 'gpt-4.1-mini', 'model'],
    ['openai/gpt-4.1', 'gpt-4.1', 'model'],
    ['deepseek/deepseek-chat', 'deepseek-v3.2', 'alias'],
    ['deepseek-reasoner', 'deepseek-v3.2', 'alias'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash', 'model'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1', 'date_suffix'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini', 'date_suffix'],
    ['gpt-4o-2024-08-06', 'gpt-4o', 'date_suffix'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4.5', 'date_suffix'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4.5', 'date_suffix'],
    ['anthropic/claude-haiku-4-5-20251001', 'claude-haiku-4.5', 'date_suffix'],
    ['gpt-4o-mini-0613', 'gpt-4o-mini', 'date_suffix'],
    ['claude-opus-4-1-latest', 'claude-opus-4.1', 'latest_suffix'],
    ['o4-mini-2025-04-16', 'o4-mini', 'date_suffix'],
  ];
  it.each(cases)('%s -> %s by %s', (name, model, rule) => {
    const m = lookupPrice(table, name);
    expect(m?.entry.model).toBe(model);
    expect(m?.rule).toBe(rule);
  });

  it('prefers an exact entry over a stripped date: gpt-4o-2024-05-13 has its own price', () => {
    const m = lookupPrice(table, 'gpt-4o-2024-05-13');
    expect(m?.entry.model).toBe('gpt-4o-2024-05-13');
    expect(m?.rule).toBe('model');
    expect([m?.entry.input, m?.entry.cached_input, m?.entry.output]).toEqual([5, undefined, 15]);
  });

  it('never matches by prefix or approximately', () => {
    // Each of these would be priced as a neighbour by a fuzzy rule.
    for (const name of [
      'gpt-4.1-turbo',
      'gpt-4.1-mini-high',
      'gpt-4',
      'gpt-4o-audio-preview',
      'o3-mini',
      'o3-pro',
      'gemini-2.5-flash-preview-05-20',
      'claude-sonnet-4',
      'deepseek',
      'text-embedding-3',
      'text-embedding-ada-002',
      'gpt-4.1-2025',
      '',
      '/',
      'openai/',
    ]) {
      expect(lookupPrice(table, name), name).toBeUndefined();
    }
    expect(lookupPrice(table, undefined)).toBeUndefined();
  });

  it('keeps gpt-4.1-mini and gpt-4.1-nano apart from gpt-4.1', () => {
    expect(lookupPrice(table, 'gpt-4.1-mini')?.entry.output).toBe(1.6);
    expect(lookupPrice(table, 'gpt-4.1-nano-2025-04-14')?.entry.output).toBe(0.4);
    expect(lookupPrice(table, 'gpt-4.1')?.entry.output).toBe(8);
  });

  it('reports the key and the vendor prefix', () => {
    expect(lookupPrice(table, 'openai/GPT-4.1-2025-04-14')).toEqual({
      entry: table.entries.find((e) => e.model === 'gpt-4.1'),
      rule: 'date_suffix',
      name: 'openai/GPT-4.1-2025-04-14',
      key: 'gpt-4.1',
      vendorPrefix: true,
    });
    const m = lookupPrice(table, 'openai/gpt-4.1-2025-04-14');
    expect(m && describeMatch(m)).toBe('vendor prefix stripped, date suffix stripped ("openai/gpt-4.1-2025-04-14" -> "gpt-4.1")');
  });
});

describe('pricedModelName', () => {
  it('prices the response model when present, else the request model', () => {
    expect(pricedModelName('gpt-4.1', 'gpt-4.1-2025-04-14')).toBe('gpt-4.1-2025-04-14');
    expect(pricedModelName('gpt-4.1', undefined)).toBe('gpt-4.1');
    expect(pricedModelName('gpt-4.1', '  ')).toBe('gpt-4.1');
    expect(pricedModelName(undefined, undefined)).toBeUndefined();
    expect(pricedModelName('', '')).toBeUndefined();
  });
});

describe('validateTable', () => {
  const good = {
    model: 'm',
    provider: 'p',
    input: 1,
    output: 2,
    source: 'https://example.com/pricing',
    as_of: '2026-11-01',
  };

  it('names the entry and the field of each error', () => {
    const r = validateTable({
      version: 'v',
      currency: 'USD',
      unit: 'per_1m_tokens',
      entries: [
        good,
        { ...good, model: 'a', output: -1 },
        { ...good, model: 'b', cached_input: '0.5', as_of: 'yesterday' },
        { ...good, model: 'c', cache_read: 0.1 },
        { ...good, model: 'd', input: 0.0000000001 },
        'nope',
        { ...good, model: 'openai/x' },
      ],
    });
    expect(r.table).toBeUndefined();
    expect(r.errors).toEqual([
      'entries[1] (a): "output" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)',
      'entries[2] (b): "cached_input" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)',
      'entries[2] (b): "as_of" must be a date YYYY-MM-DD',
      'entries[3] (c): unknown field "cache_read"',
      'entries[4] (d): "input" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)',
      'entries[5]: must be an object',
      'entries[6] (openai/x): "model" must be a non-empty string without spaces or "/"',
    ]);
  });

  it('rejects a name used twice, in any case', () => {
    const r = validateTable({
      version: 'v',
      currency: 'USD',
      unit: 'per_1m_tokens',
      entries: [good, { ...good, model: 'n', aliases: ['M'] }],
    });
    expect(r.errors).toEqual(['entries[1] (n): name "M" is already used by entries[0] (m)']);
  });

  it('checks the top level', () => {
    expect(validateTable([]).errors).toEqual(['the price table must be an object with "version", "currency", "unit" and "entries"']);
    expect(validateTable({ version: '', currency: 'EUR', unit: 'per_token', entries: {}, extra: 1 }).errors).toEqual([
      'unknown top-level field "extra"',
      '"version" must be a non-empty string',
      '"currency" must be "USD"',
      '"unit" must be "per_1m_tokens"',
      '"entries" must be an array',
    ]);
    // An override may leave version, currency and unit out.
    expect(validateTable({ entries: [good] }, { override: true }).errors).toEqual([]);
  });
});

describe('overrides', () => {
  const entry = (model: string, input: number, extra: Record<string, unknown> = {}) => ({
    model,
    provider: 'holysheep',
    input,
    output: input * 4,
    source: 'https://example.com/contract',
    as_of: '2026-11-01',
    ...extra,
  });

  it('adds new models and replaces existing ones by model id (JSON)', () => {
    const p = write('o.json', JSON.stringify({ version: 'acme-1', entries: [entry('GPT-4.1', 1), entry('my-model', 0.5)] }));
    const r = loadPriceOverrides(p);
    expect(r.errors).toEqual([]);
    expect(r.overrides).toBe(2);
    expect(r.table.version).toBe(`${table.version}+acme-1`);
    expect(r.table.entries).toHaveLength(table.entries.length + 1);
    expect(lookupPrice(r.table, 'gpt-4.1-2025-04-14')?.entry.input).toBe(1);
    expect(lookupPrice(r.table, 'my-model')?.entry.output).toBe(2);
    // untouched entries stay
    expect(lookupPrice(r.table, 'gpt-4.1-mini')?.entry.input).toBe(0.4);
    // the bundled table object is not mutated
    expect(lookupPrice(table, 'gpt-4.1')?.entry.input).toBe(2);
  });

  it('reads YAML overrides', () => {
    const p = write(
      'o.yaml',
      [
        'entries:',
        '  - model: deepseek-chat',
        '    provider: deepseek',
        '    input: 0.14',
        '    cached_input: 0.0028',
        '    output: 0.28',
        '    source: https://api-docs.deepseek.com/quick_start/pricing',
        '    as_of: "2026-07-04"',
        '',
      ].join('\n'),
    );
    const r = loadPriceOverrides(p);
    expect(r.errors).toEqual([]);
    expect(r.table.version).toBe(`${table.version}+override`);
    // The override claims the name deepseek-chat; the bundled alias gives it up.
    const m = lookupPrice(r.table, 'deepseek/deepseek-chat');
    expect([m?.entry.model, m?.rule, m?.entry.input]).toEqual(['deepseek-chat', 'model', 0.14]);
    expect(lookupPrice(r.table, 'deepseek-reasoner')?.entry.model).toBe('deepseek-v3.2');
    expect(r.table.entries.find((e) => e.model === 'deepseek-v3.2')?.aliases).toEqual(['deepseek-reasoner', 'deepseek-v3.2-exp']);
  });

  it('keeps the bundled table and names the errors when the override is invalid', () => {
    const p = write('bad.json', JSON.stringify({ entries: [entry('ok', 1), { ...entry('gpt-4.1', 1), output: 'eight' }, entry('x', 1, { cache_read: 1 })] }));
    const r: OverrideResult = loadPriceOverrides(p);
    expect(r.table).toBe(table);
    expect(r.overrides).toBe(0);
    expect(r.errors).toEqual([
      `${p}: entries[1] (gpt-4.1): "output" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)`,
      `${p}: entries[2] (x): unknown field "cache_read"`,
    ]);
  });

  it('reports unreadable and unparseable files without throwing', () => {
    const missing = join(dir, 'missing.json');
    const r1 = loadPriceOverrides(missing);
    expect(r1.table).toBe(table);
    expect(r1.errors).toHaveLength(1);
    expect(r1.errors[0]).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
    const r2 = loadPriceOverrides(write('broken.json', '{"entries": ['));
    expect(r2.table).toBe(table);
    expect(r2.errors[0]).toMatch(/broken\.json: .*JSON/);
    const r3 = loadPriceOverrides(write('broken.yml', 'entries: [\n  - : :'));
    expect(r3.table).toBe(table);
    expect(r3.errors).toHaveLength(1);
  });

  it('mergeTables drops a bundled entry whose own id the override uses as an alias', () => {
    const base: PriceTable = { version: 'b', currency: 'USD', unit: 'per_1m_tokens', entries: [{ ...entry('a', 1) }, { ...entry('b', 2) }] };
    const over: PriceTable = { version: 'o', currency: 'USD', unit: 'per_1m_tokens', entries: [{ ...entry('c', 3), aliases: ['b'] }] };
    const m = mergeTables(base, over);
    expect(m.entries.map((e) => e.model)).toEqual(['a', 'c']);
    expect(m.version).toBe('b+o');
    expect(validateTable(m).errors).toEqual([]);
  });
});

describe('watchPriceOverrides', () => {
  it('picks up a change without restart, reports a bad edit, and stops', async () => {
    const p = write('watched.json', JSON.stringify({ entries: [entry2('watched-model', 1)] }));
    const changes: OverrideResult[] = [];
    const errors: string[][] = [];
    const stop = watchPriceOverrides(p, (r) => changes.push(r), (e) => errors.push(e), { intervalMs: 20 });
    // fs.watchFile takes its first stat asynchronously; a change before it would be the baseline.
    await settle();
    try {
      await bump(p, JSON.stringify({ entries: [entry2('watched-model', 3)] }), 1);
      await until(() => changes.length === 1);
      expect(lookupPrice(changes[0]!.table, 'watched-model')?.entry.input).toBe(3);

      await bump(p, '{"entries": [', 2);
      await until(() => errors.length === 1);
      expect(errors[0]![0]).toMatch(/watched\.json: /);
      expect(changes).toHaveLength(1);

      // A throwing callback does not escape into the process.
      const stop2 = watchPriceOverrides(p, () => { throw new Error('app bug'); }, () => { throw new Error('app bug'); }, { intervalMs: 20 });
      await settle();
      await bump(p, JSON.stringify({ entries: [entry2('watched-model', 4)] }), 3);
      await until(() => changes.length === 2);
      stop2();
    } finally {
      stop();
    }
    await bump(p, JSON.stringify({ entries: [entry2('watched-model', 5)] }), 4);
    await new Promise((r) => setTimeout(r, 150));
    expect(changes).toHaveLength(2);
  });
});

function entry2(model: string, input: number) {
  return { model, provider: 'p', input, output: 1, source: 'https://example.com', as_of: '2026-11-01' };
}

/** Rewrites the file with a distinct mtime so a poll always sees the change. */
async function bump(path: string, text: string, n: number): Promise<void> {
  writeFileSync(path, text);
  const t = new Date(Date.UTC(2030, 0, 1) + n * 60_000);
  utimesSync(path, t, t);
}

function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 100));
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the watcher');
    await new Promise((r) => setTimeout(r, 10));
  }
}
