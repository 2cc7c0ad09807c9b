import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatPrice, parseTokenCount, run } from '../../src/cli/prices.js';
import { loadBundledTable } from '../../src/cost/prices.js';

const version = loadBundledTable().table.version;
const dir = mkdtempSync(join(tmpdir(), 'aimon-cli-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (c: Buffer) => (buf += c.toString('utf8')));
  return { stream, text: () => buf };
}

async function prices(...argv: string[]): Promise<{ code: number; text: string }> {
  const out = capture();
  const code = await run(argv, out.stream);
  return { code, text: out.text() };
}

beforeEach(() => {
  // The command reads these; the tests must not depend on the developer's shell.
  vi.stubEnv('AIMON_PRICES', '');
  vi.stubEnv('AIMON_USD_CNY', '');
  return () => vi.unstubAllEnvs();
});

describe('aimon prices --estimate', () => {
  it('prints the monthly-bill table of the design for 10M tokens, 75% input, 7.1 CNY/USD', async () => {
    // 7,500,000 input + 2,500,000 output tokens, no cache hits; HolySheep bills CNY 1 per list USD.
    //   GPT-4.1            7.5 x 2.00 + 2.5 x 8.00  = 15.00 + 20.00 = $35.00 -> CNY 35.00 -> 35/7.1 = $4.93, saving $30.07
    //   Claude Sonnet 4.5  7.5 x 3.00 + 2.5 x 15.00 = 22.50 + 37.50 = $60.00 -> CNY 60.00 -> 60/7.1 = $8.45, saving $51.55
    //   Gemini 2.5 Flash   7.5 x 0.30 + 2.5 x 2.50  =  2.25 +  6.25 =  $8.50 -> CNY  8.50 -> 8.5/7.1 = $1.20, saving $7.30
    //   DeepSeek V3.2      7.5 x 0.28 + 2.5 x 0.42  =  2.10 +  1.05 =  $3.15 -> CNY  3.15 -> 3.15/7.1 = $0.44, saving $2.71
    //   saving share 1 - 1/7.1 = 85.9%
    const r = await prices('--estimate', '10M');
    expect(r.code).toBe(0);
    expect(r.text).toBe(
      [
        'Monthly bill for 10,000,000 tokens: 7,500,000 input (75.0%, no cache hits), 2,500,000 output',
        `HolySheep bills CNY 1 per USD 1 of list price; effective USD at 7.1 CNY per USD. Prices: table ${version}.`,
        '',
        'model              list USD  HolySheep CNY  effective USD  saving USD  saving',
        'GPT-4.1               35.00          35.00           4.93       30.07   85.9%',
        'Claude Sonnet 4.5     60.00          60.00           8.45       51.55   85.9%',
        'Gemini 2.5 Flash       8.50           8.50           1.20        7.30   85.9%',
        'DeepSeek V3.2          3.15           3.15           0.44        2.71   85.9%',
        '',
      ].join('\n'),
    );
  });

  it('--json gives the unrounded amounts (to 1e-12)', async () => {
    const r = await prices('--estimate', '10M', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.text) as { rows: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect({ ...j, rows: undefined }).toEqual({
      tokens: 10_000_000,
      inputTokens: 7_500_000,
      outputTokens: 2_500_000,
      inputShare: 0.75,
      rate: 7.1,
      tableVersion: version,
      rows: undefined,
      missing: [],
    });
    expect(j.rows).toEqual([
      { label: 'GPT-4.1', model: 'gpt-4.1', listUsd: 35, billedCny: 35, effectiveUsd: 4.929577464789, savingUsd: 30.070422535211, saving: 0.859154929577 },
      { label: 'Claude Sonnet 4.5', model: 'claude-sonnet-4.5', listUsd: 60, billedCny: 60, effectiveUsd: 8.450704225352, savingUsd: 51.549295774648, saving: 0.859154929577 },
      { label: 'Gemini 2.5 Flash', model: 'gemini-2.5-flash', listUsd: 8.5, billedCny: 8.5, effectiveUsd: 1.197183098592, savingUsd: 7.302816901408, saving: 0.859154929577 },
      { label: 'DeepSeek V3.2', model: 'deepseek-v3.2', listUsd: 3.15, billedCny: 3.15, effectiveUsd: 0.443661971831, savingUsd: 2.706338028169, saving: 0.859154929577 },
    ]);
  });

  it('honours --input-share and --rate', async () => {
    // 1B tokens, half input: 500M in + 500M out, at 7.25 CNY/USD (saving 1 - 1/7.25 = 86.2%).
    //   GPT-4.1            500 x 2 + 500 x 8    = $5,000 -> 5000/7.25 = $689.66, saving $4,310.34
    //   Claude Sonnet 4.5  500 x 3 + 500 x 15   = $9,000 -> 9000/7.25 = $1,241.38, saving $7,758.62
    //   Gemini 2.5 Flash   500 x 0.3 + 500 x 2.5 = $1,400 -> 1400/7.25 = $193.10, saving $1,206.90
    //   DeepSeek V3.2      500 x 0.28 + 500 x 0.42 = $350 -> 350/7.25 = $48.28, saving $301.72
    const r = await prices('--estimate', '1B', '--input-share', '0.5', '--rate', '7.25');
    expect(r.code).toBe(0);
    expect(r.text.split('\n').slice(3)).toEqual([
      'model              list USD  HolySheep CNY  effective USD  saving USD  saving',
      'GPT-4.1            5,000.00       5,000.00         689.66    4,310.34   86.2%',
      'Claude Sonnet 4.5  9,000.00       9,000.00       1,241.38    7,758.62   86.2%',
      'Gemini 2.5 Flash   1,400.00       1,400.00         193.10    1,206.90   86.2%',
      'DeepSeek V3.2        350.00         350.00          48.28      301.72   86.2%',
      '',
    ]);
  });

  it('takes the rate from AIMON_USD_CNY', async () => {
    vi.stubEnv('AIMON_USD_CNY', '7');
    const r = await prices('--estimate', '10M', '--json');
    // $35 / 7 = $5 exactly
    expect((JSON.parse(r.text) as { rows: Array<{ effectiveUsd: number }> }).rows[0]?.effectiveUsd).toBe(5);
  });

  it('rejects bad numbers with exit 2', async () => {
    for (const args of [['--estimate', 'lots'], ['--estimate', '10M', '--input-share', '1.5'], ['--estimate', '10M', '--rate', '-1']]) {
      const r = await prices(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.text).toMatch(/^aimon prices: /);
    }
  });
});

describe('aimon prices (list)', () => {
  it('lists every model with input, cached, output per 1M and the source date', async () => {
    const r = await prices();
    expect(r.code).toBe(0);
    const lines = r.text.split('\n');
    expect(lines[0]).toBe(`Price table ${version}, USD per 1M tokens (20 models)`);
    expect(lines[2]).toBe('model                   provider    input    cached  cache write  output  as of');
    expect(lines).toContain('gpt-4.1                 openai       2.00      0.50            -    8.00  2026-06-21');
    expect(lines).toContain('claude-sonnet-4.5       anthropic    3.00      0.30         3.75   15.00  2026-10-24');
    expect(lines).toContain('text-embedding-3-small  openai       0.02         -            -    0.00  2026-06-21');
    expect(lines).toContain('deepseek-v4-pro         deepseek    0.435  0.003625            -    0.87  2026-07-04');
  });

  it('--json lists the entries', async () => {
    const r = await prices('--json');
    const j = JSON.parse(r.text) as { version: string; entries: Array<{ model: string }>; warnings: string[] };
    expect(j.version).toBe(version);
    expect(j.entries).toHaveLength(20);
    expect(j.warnings).toEqual([]);
  });

  it('merges AIMON_PRICES and warns about a bad one', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'entries:\n  - {model: acme-1, provider: acme, input: 1, output: 2, source: "https://acme.example/p", as_of: "2026-11-01"}\n');
    vi.stubEnv('AIMON_PRICES', good);
    expect((await prices()).text.split('\n')[0]).toBe(`Price table ${version}+override, USD per 1M tokens (21 models)`);
    vi.stubEnv('AIMON_PRICES', join(dir, 'absent.json'));
    const r = await prices();
    expect(r.code).toBe(0);
    expect(r.text.split('\n')[0]).toBe(`Price table ${version}, USD per 1M tokens (20 models)`);
    expect(r.text).toMatch(/warning: .*absent\.json: ENOENT.*\(override ignored\)\n$/);
  });
});

describe('aimon prices <model>', () => {
  it('shows the matched entry and the rule', async () => {
    const r = await prices('gpt-4.1-2025-04-14');
    expect(r.code).toBe(0);
    expect(r.text).toBe(
      [
        'gpt-4.1-2025-04-14 -> gpt-4.1 (openai)',
        '  matched      date suffix stripped ("gpt-4.1-2025-04-14" -> "gpt-4.1")',
        '  input        2.00 USD / 1M tokens',
        '  cached       0.50',
        '  cache write  2.00 (not charged extra: at the input price)',
        '  output       8.00',
        '  reasoning    billed as output',
        '  source       https://developers.openai.com/api/docs/pricing (as of 2026-06-21)',
        `  table        ${version}`,
        '',
      ].join('\n'),
    );
  });

  it('--json reports the rule', async () => {
    const r = await prices('deepseek/deepseek-chat', '--json');
    const j = JSON.parse(r.text) as Record<string, unknown>;
    expect([r.code, j.found, j.model, j.rule, j.key, j.vendorPrefix]).toEqual([0, true, 'deepseek-v3.2', 'alias', 'deepseek-chat', true]);
  });

  it('says unknown and exits 1, with no near match', async () => {
    const r = await prices('gpt-4.1-turbo');
    expect(r.code).toBe(1);
    expect(r.text.split('\n')[0]).toBe(`unknown model "gpt-4.1-turbo": no entry in price table ${version} matches.`);
    const j = await prices('gpt-4.1-turbo', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.text)).toEqual({ name: 'gpt-4.1-turbo', found: false, tableVersion: version, warnings: [] });
  });
});

describe('aimon prices --check', () => {
  it('accepts a valid YAML override', async () => {
    const p = join(dir, 'ok.yml');
    writeFileSync(p, 'version: acme-2\nentries:\n  - {model: gpt-4.1, provider: openai, input: 1.8, cached_input: 0.45, output: 7.2, source: "https://acme.example/contract", as_of: "2026-11-01"}\n');
    const r = await prices('--check', p);
    expect(r).toEqual({ code: 0, text: `${p}: ok, 1 entry; merged table ${version}+acme-2 has 20 models\n` });
  });

  it('lists the errors of an invalid override and exits 1', async () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, JSON.stringify({ entries: [{ model: 'gpt-4.1', provider: 'openai', input: 2, output: -8, source: 'x', as_of: '2026-11-01' }, { model: 'y' }] }));
    const r = await prices('--check', p);
    expect(r.code).toBe(1);
    expect(r.text).toBe(
      [
        `${p}: 6 errors; the bundled prices would be used`,
        `  ${p}: entries[0] (gpt-4.1): "output" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)`,
        `  ${p}: entries[1] (y): "provider" must be a non-empty string`,
        `  ${p}: entries[1] (y): "input" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)`,
        `  ${p}: entries[1] (y): "output" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals)`,
        `  ${p}: entries[1] (y): "source" must be a non-empty string (the pricing page URL)`,
        `  ${p}: entries[1] (y): "as_of" must be a date YYYY-MM-DD`,
        '',
      ].join('\n'),
    );
    const j = await prices('--check', p, '--json');
    expect(j.code).toBe(1);
    expect((JSON.parse(j.text) as { ok: boolean; errors: string[] }).errors).toHaveLength(6);
  });
});

describe('command line', () => {
  it('rejects unknown options and mixed modes with exit 2', async () => {
    expect((await prices('--bogus')).code).toBe(2);
    expect((await prices('gpt-4.1', '--estimate', '10M')).code).toBe(2);
    expect((await prices('a', 'b')).code).toBe(2);
  });

  it('--help exits 0', async () => {
    const r = await prices('--help');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/^Usage: aimon prices/);
  });

  it('parses token counts and formats prices', () => {
    expect([parseTokenCount('10M'), parseTokenCount('2.5m'), parseTokenCount('500k'), parseTokenCount('1B'), parseTokenCount('10_000_000')]).toEqual([
      10_000_000, 2_500_000, 500_000, 1_000_000_000, 10_000_000,
    ]);
    expect([parseTokenCount('0'), parseTokenCount('-1'), parseTokenCount('ten')]).toEqual([undefined, undefined, undefined]);
    expect([formatPrice(2), formatPrice(0.025), formatPrice(0.003625), formatPrice(undefined)]).toEqual(['2.00', '0.025', '0.003625', '-']);
  });
});
