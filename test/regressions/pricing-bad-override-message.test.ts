// A bad override file is rejected as a whole (its valid entries are not
// applied either), but the diag error said "keeping the bundled table for
// what the file got wrong", which reads as if the valid entries applied: a
// user would trust their contract price while the list price was used.
import type { DiagLogger } from '@opentelemetry/api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { computeCost } from '../../src/cost/compute.js';
import { Pricing } from '../../src/pricing.js';

it('says the whole file is ignored, and prices from the bundled table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aimon-bad-override-'));
  const file = join(dir, 'prices.json');
  const good = { model: 'gpt-4.1', provider: 'openai', input: 1, output: 4, source: 'https://example.com/c', as_of: '2026-11-01' };
  writeFileSync(file, JSON.stringify({ entries: [good, { ...good, model: 'gpt-4o', output: -1 }] }));
  const errors: string[] = [];
  const nop = () => {};
  const logger: DiagLogger = { error: (m: string) => errors.push(m), warn: nop, info: nop, debug: nop, verbose: nop };
  const pricing = new Pricing(file, {}, logger);
  try {
    expect(errors).toEqual([
      `prices: ${file}: entries[1] (gpt-4o): "output" must be a non-negative number (USD per 1M tokens, at most 100000, at most 9 decimals); the whole file is ignored, using the bundled table`,
    ]);
    const q = pricing.quote('gpt-4.1', '127.0.0.1');
    // Bundled $2 per 1M input, not the file's $1.
    expect(q?.entry.input).toBe(2);
    expect(computeCost({ inputTokens: 1_000_000, outputTokens: 0 }, q!.entry).total).toBe(2);
    expect(q?.tableVersion).toBe('2026-11-29');
  } finally {
    pricing.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
