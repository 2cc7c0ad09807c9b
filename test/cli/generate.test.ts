/**
 * `aimon generate collector`: prints the cost processors, rewrites the marked
 * region of a Collector config, and with --check reports drift (exit 1).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../../src/cli/generate.js';
import { BEGIN_MARKER, END_MARKER } from '../../src/pipeline/ottl.js';
import { REPO } from '../helpers/prometheus.js';

async function gen(argv: string[]): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const code = await run(argv, out);
  return { code, text };
}

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'aimon-gen-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const CONFIG = `processors:\n  batch: {}\n  ${BEGIN_MARKER}\n  ${END_MARKER}\n  filter/x: {}\n`;

function table(price: number): string {
  return JSON.stringify({
    version: `t-${price}`,
    currency: 'USD',
    unit: 'per_1m_tokens',
    entries: [{ model: 'Acme-1', aliases: ['acme-one'], provider: 'acme', input: price, output: price * 4, source: 'https://example.com/pricing', as_of: '2026-11-01' }],
  });
}

describe('aimon generate collector', () => {
  it('prints the processors for the bundled table', async () => {
    const { code, text } = await gen(['collector']);
    expect(code).toBe(0);
    const doc = parse(`processors:\n${text}`) as { processors: Record<string, unknown> };
    expect(Object.keys(doc.processors)).toEqual(['transform/aimon_cost', 'transform/aimon_span_cost']);
    expect(text).toContain('from prices/prices.json (version ');
  });

  it('rewrites only the marked region, keeps its indentation, and --check reports drift', async () => {
    const d = tmp();
    const cfg = join(d, 'otel.yaml');
    const prices = join(d, 'prices.json');
    writeFileSync(cfg, CONFIG);
    writeFileSync(prices, table(1));

    expect((await gen(['collector', '--prices', prices, '--out', cfg, '--check'])).code).toBe(1);
    const w = await gen(['collector', '--prices', prices, '--out', cfg]);
    expect(w).toEqual({ code: 0, text: `${cfg}: cost processors regenerated (price table version t-1, 1 models).\n` });
    const text = readFileSync(cfg, 'utf8');
    expect(text.startsWith('processors:\n  batch: {}\n  # >>> BEGIN GENERATED')).toBe(true);
    expect(text.endsWith(`  ${END_MARKER}\n  filter/x: {}\n`)).toBe(true);
    expect(text).toContain('value_double * 1.0 / 1000000.0) where metric.name == "aimon.client.cost.usd" and instrumentation_scope.name != "@aimon/otel" and attributes["aimon.price.model"] == "acme-1"');
    expect(text).toContain('IsMatch(attributes["aimon.price.model"], "^(?:acme-one)$")');
    expect(Object.keys((parse(text) as { processors: object }).processors)).toEqual(['batch', 'transform/aimon_cost', 'transform/aimon_span_cost', 'filter/x']);

    expect(await gen(['collector', '--prices', prices, '--out', cfg, '--check'])).toEqual({ code: 0, text: `${cfg} is up to date with the price table (version t-1).\n` });
    // A price change is drift until regenerated.
    writeFileSync(prices, table(2));
    const c = await gen(['collector', '--prices', prices, '--out', cfg, '--check']);
    expect(c.code).toBe(1);
    expect(c.text).toContain('is out of date with the price table (version t-2)');
    expect(readFileSync(cfg, 'utf8')).toBe(text);
  });

  it('keeps the committed Collector configs up to date with prices/prices.json', async () => {
    const r = await gen(['collector', '--out', join(REPO, 'otel-collector.yaml'), '--out', join(REPO, 'collector', 'gateway.yaml'), '--check']);
    expect(r.code, r.text).toBe(0);
  });

  it('explains bad input', async () => {
    expect((await gen([])).code).toBe(2);
    expect((await gen(['dashboards'])).text).toContain('cannot generate "dashboards"');
    expect((await gen(['collector', '--check'])).text).toContain('--check needs --out');
    const d = tmp();
    const cfg = join(d, 'no-markers.yaml');
    writeFileSync(cfg, 'processors: {}\n');
    await expect(gen(['collector', '--out', cfg])).rejects.toThrow('markers');
    const bad = join(d, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 'x', currency: 'USD', unit: 'per_1m_tokens', entries: [{ model: 'm' }] }));
    await expect(gen(['collector', '--prices', bad])).rejects.toThrow('is not a valid price table');
  });
});
