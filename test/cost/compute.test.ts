import { describe, expect, it } from 'vitest';
import { computeCost, computeCostExact, priceCall, picoToUsd, unpricedReason, type Cost } from '../../src/cost/compute.js';
import { loadBundledTable, lookupPrice, type PriceEntry } from '../../src/cost/prices.js';
import { normalizeUsage } from '../../src/parse/openai.js';
import type { Usage } from '../../src/types.js';

const table = loadBundledTable().table;

function entry(model: string): PriceEntry {
  const m = lookupPrice(table, model);
  if (m === undefined) throw new Error(`no entry for ${model}`);
  return m.entry;
}

function usageOf(raw: unknown): Usage {
  const u = normalizeUsage(raw);
  if (u === undefined) throw new Error('no usage');
  return u;
}

/** Cost without the bigint, for whole-object assertions. */
function plain(c: Cost): Omit<Cost, 'picoUsd'> & { picoUsd: string } {
  return { ...c, picoUsd: c.picoUsd.toString() };
}

describe('computeCost: golden cases over real usage shapes', () => {
  it('OpenAI chat (o4-mini) with cached_tokens and reasoning_tokens', () => {
    // Chat Completions usage as o4-mini returns it.
    const u = usageOf({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    // o4-mini: input $1.10, cached $0.275, output $4.40 per 1M.
    //   uncached   2006 - 1920 = 86 x 1.10  =   94.6 uUSD
    //   cached            1920 x 0.275      =  528.0 uUSD
    //   output  300 (192 reasoning inside) x 4.40 = 1320.0 uUSD
    //   total                                = 1942.6 uUSD = $0.0019426
    expect(plain(computeCost(u, entry('o4-mini')))).toEqual({
      input: 0.0000946,
      cached_input: 0.000528,
      cache_write: 0,
      output: 0.00132,
      reasoning: 0,
      total: 0.0019426,
      tokens: { input: 86, cached_input: 1920, cache_write: 0, output: 300, reasoning: 0 },
      picoUsd: '1942600000',
    });
  });

  it('gives exact decimals where float arithmetic would not', () => {
    // The float way leaves noise a user would see in a span attribute.
    expect((86 * 1.1) / 1e6).not.toBe(0.0000946);
    expect(computeCost({ inputTokens: 86 }, entry('o4-mini')).input).toBe(0.0000946);
  });

  it('DeepSeek usage with prompt_cache_hit/miss tokens (deepseek-reasoner = deepseek-v3.2)', () => {
    const raw = {
      prompt_tokens: 1500,
      completion_tokens: 400,
      total_tokens: 1900,
      prompt_cache_hit_tokens: 1024,
      prompt_cache_miss_tokens: 476,
      completion_tokens_details: { reasoning_tokens: 250 },
    };
    // deepseek-v3.2: miss $0.28, hit $0.028, output $0.42 per 1M.
    //   miss  476 x 0.28  = 133.28  uUSD
    //   hit  1024 x 0.028 =  28.672 uUSD
    //   out   400 x 0.42  = 168.0   uUSD (250 thinking tokens inside)
    //   total             = 329.952 uUSD = $0.000329952
    const expected = {
      input: 0.00013328,
      cached_input: 0.000028672,
      cache_write: 0,
      output: 0.000168,
      reasoning: 0,
      total: 0.000329952,
      tokens: { input: 476, cached_input: 1024, cache_write: 0, output: 400, reasoning: 0 },
      picoUsd: '329952000',
    };
    expect(plain(computeCost(usageOf(raw), entry('deepseek-reasoner')))).toEqual(expected);
    // Without prompt_tokens the normaliser sums hit + miss: same cost.
    const { prompt_tokens: _omit, ...noTotal } = raw;
    expect(plain(computeCost(usageOf(noTotal), entry('deepseek-chat')))).toEqual(expected);
  });

  it('embeddings usage (prompt tokens only)', () => {
    // text-embedding-3-small $0.02: 8 x 0.02 = 0.16 uUSD
    expect(plain(computeCost(usageOf({ prompt_tokens: 8, total_tokens: 8 }), entry('text-embedding-3-small')))).toEqual({
      input: 0.00000016,
      cached_input: 0,
      cache_write: 0,
      output: 0,
      reasoning: 0,
      total: 0.00000016,
      tokens: { input: 8, cached_input: 0, cache_write: 0, output: 0, reasoning: 0 },
      picoUsd: '160000',
    });
    // text-embedding-3-large $0.13: 1234 x 0.13 = 160.42 uUSD
    expect(computeCost(usageOf({ prompt_tokens: 1234, total_tokens: 1234 }), entry('text-embedding-3-large')).total).toBe(0.00016042);
  });

  it('Anthropic-style cache_write_tokens on the OpenAI shape (gateway relaying Claude)', () => {
    const u = usageOf({
      prompt_tokens: 3000,
      completion_tokens: 500,
      total_tokens: 3500,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 1500 },
    });
    // claude-sonnet-4.5: input $3, cache read $0.30, 5m cache write $3.75, output $15.
    //   uncached 3000 - 1000 - 1500 = 500 x 3    = 1500 uUSD
    //   read                  1000 x 0.30        =  300 uUSD
    //   write                 1500 x 3.75        = 5625 uUSD
    //   output                 500 x 15          = 7500 uUSD
    //   total                                    = 14925 uUSD = $0.014925
    expect(plain(computeCost(u, entry('claude-sonnet-4-5-20250929')))).toEqual({
      input: 0.0015,
      cached_input: 0.0003,
      cache_write: 0.005625,
      output: 0.0075,
      reasoning: 0,
      total: 0.014925,
      tokens: { input: 500, cached_input: 1000, cache_write: 1500, output: 500, reasoning: 0 },
      picoUsd: '14925000000',
    });
  });

  it('top-level cache_creation_input_tokens (claude-haiku-4.5)', () => {
    const u = usageOf({ prompt_tokens: 2100, completion_tokens: 80, total_tokens: 2180, cache_creation_input_tokens: 2048 });
    // uncached 52 x 1 = 52; write 2048 x 1.25 = 2560; output 80 x 5 = 400; total 3012 uUSD
    const c = computeCost(u, entry('claude-haiku-4.5'));
    expect([c.input, c.cache_write, c.output, c.total]).toEqual([0.000052, 0.00256, 0.0004, 0.003012]);
  });

  it('charges cached tokens at the input price when the entry has no discount', () => {
    // gpt-4o-2024-05-13: $5 in, no cached price, $15 out.
    //   uncached 1000 x 5 = 5000; cached 1000 x 5 = 5000; output 100 x 15 = 1500; total 11500 uUSD
    const c = computeCost({ inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 100 }, entry('gpt-4o-2024-05-13'));
    expect([c.input, c.cached_input, c.output, c.total]).toEqual([0.005, 0.005, 0.0015, 0.0115]);
  });

  it('prices reasoning apart only when the entry has a reasoning price, never counting it twice', () => {
    const e: PriceEntry = { model: 'r', provider: 'x', input: 1, output: 10, reasoning: 20, source: 'https://x', as_of: '2026-01-01' };
    // input 1000 x 1 = 1000; output (1000 - 600) x 10 = 4000; reasoning 600 x 20 = 12000; total 17000 uUSD
    const c = computeCost({ inputTokens: 1000, outputTokens: 1000, reasoningTokens: 600 }, e);
    expect([c.input, c.output, c.reasoning, c.total]).toEqual([0.001, 0.004, 0.012, 0.017]);
    expect(c.tokens).toEqual({ input: 1000, cached_input: 0, cache_write: 0, output: 400, reasoning: 600 });
    // Reasoning larger than output (a bad report) is capped at output: 100 x 20 = 2000 uUSD.
    const capped = computeCost({ outputTokens: 100, reasoningTokens: 150 }, e);
    expect([capped.output, capped.reasoning, capped.total]).toEqual([0, 0.002, 0.002]);
  });

  it('never makes uncached input negative when the parts exceed the whole', () => {
    // claude-sonnet-4.5: read 80 x 0.30 = 24; write 50 x 3.75 = 187.5; total 211.5 uUSD
    const c = computeCost({ inputTokens: 100, cacheReadTokens: 80, cacheCreationTokens: 50 }, entry('claude-sonnet-4.5'));
    expect([c.input, c.cached_input, c.cache_write, c.total]).toEqual([0, 0.000024, 0.0001875, 0.0002115]);
  });

  it('ignores counts that are not non-negative integers', () => {
    const c = computeCost({ inputTokens: -5, outputTokens: 1.5, cacheReadTokens: Number.NaN }, entry('gpt-4.1'));
    expect(c.total).toBe(0);
  });

  it('stays exact past 2^53 femto-dollars (10M output tokens of claude-opus-4.1 at $75)', () => {
    // 10,000,000 x 75 = 750,000,000 uUSD = $750
    const c = computeCost({ outputTokens: 10_000_000 }, entry('claude-opus-4.1'));
    expect(c.total).toBe(750);
    expect(c.picoUsd).toBe(750_000_000_000_000n);
  });
});

describe('no drift over 1,000,000 calls', () => {
  it('fixed usage: the float sum of totals shows no visible difference from the exact integer total', () => {
    // gpt-4.1-mini: input $0.40, cached $0.10, output $1.60.
    //   uncached 1234 - 1024 = 210 x 0.40 =  84.0 uUSD
    //   cached          1024 x 0.10     = 102.4 uUSD
    //   output           567 x 1.60     = 907.2 uUSD
    //   per call $0.0010936; x 1,000,000 = $1,093.60 = 1,093,600,000,000,000 pUSD
    const e = entry('gpt-4.1-mini');
    const u: Usage = { inputTokens: 1234, cacheReadTokens: 1024, outputTokens: 567 };
    let float = 0;
    let pico = 0n;
    for (let i = 0; i < 1_000_000; i++) {
      const c = computeCost(u, e);
      float += c.total;
      pico += c.picoUsd;
    }
    expect(pico).toBe(1_093_600_000_000_000n);
    expect(picoToUsd(pico)).toBe(1093.6);
    expect(Math.abs(float - 1093.6)).toBeLessThan(1e-6);
    expect(float.toFixed(6)).toBe('1093.600000');
  });

  it('varied usage: per-call sums equal the total priced from aggregated tokens', () => {
    const e = entry('claude-sonnet-4.5');
    // A deterministic LCG, so a failure reproduces.
    let s = 12345;
    const rnd = (n: number): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s % n;
    };
    const sum = { input: 0n, read: 0n, write: 0n, output: 0n };
    let float = 0;
    let pico = 0n;
    for (let i = 0; i < 1_000_000; i++) {
      const read = rnd(4000);
      const write = rnd(3) === 0 ? rnd(2000) : 0;
      const input = read + write + rnd(3000);
      const output = rnd(1500);
      const c = computeCost({ inputTokens: input, cacheReadTokens: read, cacheCreationTokens: write, outputTokens: output }, e);
      float += c.total;
      pico += c.picoUsd;
      sum.input += BigInt(input - read - write);
      sum.read += BigInt(read);
      sum.write += BigInt(write);
      sum.output += BigInt(output);
    }
    // Independent path: aggregate tokens first, then price once, in micro-dollars per 1M tokens
    // (3, 0.30, 3.75, 15 USD = 3_000_000, 300_000, 3_750_000, 15_000_000 uUSD): tokens x uUSD = pUSD.
    const exact = sum.input * 3_000_000n + sum.read * 300_000n + sum.write * 3_750_000n + sum.output * 15_000_000n;
    expect(pico).toBe(exact);
    expect(Math.abs(float - picoToUsd(exact))).toBeLessThan(1e-6);
  });
});

describe('unpricedReason and priceCall', () => {
  const usage: Usage = { inputTokens: 10, outputTokens: 5 };

  it('reasons form a closed set, usage first', () => {
    expect(unpricedReason(undefined, 'gpt-4.1', table)).toBe('usage_missing');
    expect(unpricedReason({}, undefined, table)).toBe('usage_missing');
    expect(unpricedReason({ cacheReadTokens: 3 }, 'gpt-4.1', table)).toBe('usage_missing');
    expect(unpricedReason(usage, undefined, table)).toBe('no_model');
    expect(unpricedReason(usage, ' ', table)).toBe('no_model');
    expect(unpricedReason(usage, 'gpt-4.1-turbo', table)).toBe('unknown_model');
    expect(unpricedReason(usage, 'gpt-4.1', table)).toBeUndefined();
    expect(unpricedReason({ outputTokens: 0 }, 'gpt-4.1', table)).toBeUndefined();
  });

  it('prices the response model, which is what was billed', () => {
    // Request gpt-4.1, served by gpt-4.1-mini: 10 x 0.40 + 5 x 1.60 = 4 + 8 = 12 uUSD
    const r = priceCall(table, { requestModel: 'gpt-4.1', responseModel: 'gpt-4.1-mini-2025-04-14', usage });
    expect(r.priced && [r.model, r.entry.model, r.rule, r.cost.total]).toEqual(['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini', 'date_suffix', 0.000012]);
  });

  it('falls back to the request model only when the response has none', () => {
    // gpt-4.1: 10 x 2 + 5 x 8 = 60 uUSD
    const r = priceCall(table, { requestModel: 'openai/gpt-4.1', usage });
    expect(r.priced && [r.model, r.rule, r.cost.total]).toEqual(['openai/gpt-4.1', 'model', 0.00006]);
    // An unknown response model is not replaced by a known request model.
    expect(priceCall(table, { requestModel: 'gpt-4.1', responseModel: 'acme-large', usage })).toEqual({
      priced: false,
      model: 'acme-large',
      reason: 'unknown_model',
    });
    expect(priceCall(table, { usage })).toEqual({ priced: false, model: undefined, reason: 'no_model' });
    expect(priceCall(table, { requestModel: 'gpt-4.1' })).toEqual({ priced: false, model: 'gpt-4.1', reason: 'usage_missing' });
  });
});

describe('computeCost: the double fast path equals the BigInt arithmetic exactly', () => {
  it('on random usages and prices, small and past 2^53 femto-dollars', () => {
    let x = 424242;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const price = () => Math.round(rnd() * 150 * 1e6) / 1e6; // up to $150 per 1M tokens, 6 decimals
    let slow = 0;
    for (let k = 0; k < 5000; k++) {
      const big = k % 5 === 0;
      const n = () => Math.floor(rnd() * (big ? 5e8 : 2e5));
      const entry: PriceEntry = {
        model: 'm',
        input: price(),
        output: price(),
        ...(k % 2 ? { cached_input: price() } : {}),
        ...(k % 3 ? { cache_write: price() } : {}),
        ...(k % 7 ? {} : { reasoning: price() }),
      } as PriceEntry;
      const usage: Usage = { inputTokens: n(), outputTokens: n(), cacheReadTokens: n() % 1000, cacheCreationTokens: n() % 500, reasoningTokens: n() % 3000 };
      const exact = computeCostExact(usage, entry);
      expect(computeCost(usage, entry)).toEqual(exact);
      if (exact.picoUsd * 1000n > BigInt(Number.MAX_SAFE_INTEGER)) slow++;
    }
    // Both regimes were exercised.
    expect(slow).toBeGreaterThan(100);
    expect(slow).toBeLessThan(4900);
  });

  it('rounds half up at the pico-dollar exactly as the BigInt path (values ending in 500 femto-dollars)', () => {
    const entry = { model: 'm', input: 0.0000005, output: 0.0000015 } as PriceEntry; // 500 and 1500 femto per token
    for (const t of [1, 2, 3, 999, 1001, 123457]) {
      const u: Usage = { inputTokens: t, outputTokens: t };
      expect(computeCost(u, entry)).toEqual(computeCostExact(u, entry));
    }
  });
});
