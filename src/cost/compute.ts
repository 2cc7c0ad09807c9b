/**
 * Cost of one call from its usage and a price entry. Pure: no I/O, no OTel.
 *
 * Arithmetic is done in integers. Each price (USD per 1M tokens) is turned
 * once into integer nano-dollars per 1M tokens, so `tokens × price` is an
 * exact count of femto-dollars (1e-15 USD) in a BigInt; the total is summed
 * exactly, then rounded once, half up, to pico-dollars (1e-12 USD), and the
 * returned numbers are that integer divided by 1e12. Why: the float way
 * (`tokens * 2.0 / 1e6` summed per kind) gives values like
 * 0.0024679999999999997 that leak into spans and dashboards, and the error
 * depends on the order of additions. Here each amount is the double nearest
 * to an exact pico-dollar value, and `picoUsd` lets a caller sum calls with
 * no drift at all. Every price with up to 6 decimals (all real ones) gives
 * exact pico-dollars, so the rounding never actually drops anything for them.
 * BigInt rather than safe-integer doubles: a 10M-token call at $75 per 1M
 * tokens is 7.5e20 femto-dollars, past 2^53.
 */
import type { Usage } from '../types.js';
import { lookupPrice, pricedModelName, type MatchRule, type PriceEntry, type PriceTable } from './prices.js';

export type CostKind = 'input' | 'cached_input' | 'cache_write' | 'output' | 'reasoning';

export const COST_KINDS: readonly CostKind[] = Object.freeze(['input', 'cached_input', 'cache_write', 'output', 'reasoning']);

export interface Cost {
  /** USD for uncached input: inputTokens − cache reads − cache writes, never negative. */
  input: number;
  /** USD for cache reads (at `cached_input`, or `input` when the entry has no discount). */
  cached_input: number;
  /** USD for cache writes (at `cache_write`, or `input` when not charged extra). */
  cache_write: number;
  /** USD for output tokens; reasoning included unless the entry prices reasoning apart. */
  output: number;
  /** USD for reasoning tokens; 0 unless the entry has its own `reasoning` price. */
  reasoning: number;
  total: number;
  /** Tokens charged at each kind's price. Each token is in exactly one kind. */
  tokens: Record<CostKind, number>;
  /** The total in pico-dollars (1e-12 USD): sum these to add calls up without drift. */
  picoUsd: bigint;
}

/** Why a call got no cost. A closed set, used as a metric label. */
export type UnpricedReason = 'unknown_model' | 'usage_missing' | 'no_model';

const NANO = 1_000_000_000;
const FEMTO_PER_PICO = 1000n;

/** Integer nano-dollars per 1M tokens; validateTable guarantees at most 9 decimals. */
function nano(price: number): bigint {
  return BigInt(Math.round(price * NANO));
}

interface CompiledPrices {
  input: bigint;
  cached_input: bigint;
  cache_write: bigint;
  output: bigint;
  reasoning: bigint;
  /** The same integers as doubles (exact: every price is far below 2^53 nano-dollars). */
  n: Record<CostKind, number>;
}

const compiled = new WeakMap<PriceEntry, CompiledPrices>();

function pricesOf(e: PriceEntry): CompiledPrices {
  let c = compiled.get(e);
  if (c === undefined) {
    const input = nano(e.input);
    const output = nano(e.output);
    const cached_input = e.cached_input !== undefined ? nano(e.cached_input) : input;
    const cache_write = e.cache_write !== undefined ? nano(e.cache_write) : input;
    const reasoning = e.reasoning !== undefined ? nano(e.reasoning) : output;
    c = {
      input,
      cached_input,
      cache_write,
      output,
      reasoning,
      n: {
        input: Number(input),
        cached_input: Number(cached_input),
        cache_write: Number(cache_write),
        output: Number(output),
        reasoning: Number(reasoning),
      },
    };
    compiled.set(e, c);
  }
  return c;
}

function count(v: number | undefined): number {
  return v !== undefined && Number.isSafeInteger(v) && v > 0 ? v : 0;
}

/** Femto-dollars to USD rounded half up to 1e-12. */
function femtoToUsd(f: bigint): { pico: bigint; usd: number } {
  const pico = (f + FEMTO_PER_PICO / 2n) / FEMTO_PER_PICO;
  return { pico, usd: picoToUsd(pico) };
}

/** Pico-dollars to a number of USD (the double nearest the exact value while below ~$9,007). */
export function picoToUsd(pico: bigint): number {
  return Number(pico) / 1e12;
}

/**
 * Splits usage into disjoint kinds. Token semantics follow `Usage`:
 * inputTokens includes cache reads and writes, outputTokens includes
 * reasoning. When a provider reports parts larger than the whole, the parts
 * are trusted (they are what is billed) and uncached input is 0. Reasoning is
 * split out only when it has its own price; otherwise it is plain output.
 */
function tokensOf(usage: Usage, entry: PriceEntry): Record<CostKind, number> {
  const cacheRead = count(usage.cacheReadTokens);
  const cacheWrite = count(usage.cacheCreationTokens);
  const input = Math.max(0, count(usage.inputTokens) - cacheRead - cacheWrite);
  const outputAll = count(usage.outputTokens);
  const reasoning = entry.reasoning !== undefined ? Math.min(count(usage.reasoningTokens), outputAll) : 0;
  return { input, cached_input: cacheRead, cache_write: cacheWrite, output: outputAll - reasoning, reasoning };
}

/** Splits usage into disjoint kinds (see tokensOf) and prices each. */
export function computeCost(usage: Usage, entry: PriceEntry): Cost {
  const tokens = tokensOf(usage, entry);
  const p = pricesOf(entry);
  return costInDoubles(tokens, p) ?? costInBigInts(tokens, p);
}

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The same integers in doubles, when they are exact: the BigInt path costs a
 * heap allocation per operation (most of the pricing time per call). A
 * product of two integers is exact when the computed product is below 2^53
 * (rounding is monotonic, so a true product past it cannot compute below it);
 * so is a sum of such terms below 2^53. Anything larger goes the BigInt way.
 * Femto-dollars are rounded half up to pico-dollars as femtoToUsd does:
 * (f + 500 - (f + 500) % 1000) / 1000, written out per kind (this runs once
 * per call, mostly before V8 optimises it, where each helper call costs).
 */
function costInDoubles(tokens: Record<CostKind, number>, p: CompiledPrices): Cost | undefined {
  const n = p.n;
  const fi = tokens.input * n.input + 500;
  const fc = tokens.cached_input * n.cached_input + 500;
  const fw = tokens.cache_write * n.cache_write + 500;
  const fo = tokens.output * n.output + 500;
  const fr = tokens.reasoning * n.reasoning + 500;
  const sum = fi + fc + fw + fo + fr - 2500;
  if (!(sum <= SAFE - 500)) return undefined;
  const g = sum + 500;
  const pico = (g - (g % 1000)) / 1000;
  return {
    input: (fi - (fi % 1000)) / 1e15,
    cached_input: (fc - (fc % 1000)) / 1e15,
    cache_write: (fw - (fw % 1000)) / 1e15,
    output: (fo - (fo % 1000)) / 1e15,
    reasoning: (fr - (fr % 1000)) / 1e15,
    total: pico / 1e12,
    tokens,
    picoUsd: BigInt(pico),
  };
}

function costInBigInts(tokens: Record<CostKind, number>, p: CompiledPrices): Cost {
  const femto: Record<CostKind, bigint> = {
    input: BigInt(tokens.input) * p.input,
    cached_input: BigInt(tokens.cached_input) * p.cached_input,
    cache_write: BigInt(tokens.cache_write) * p.cache_write,
    output: BigInt(tokens.output) * p.output,
    reasoning: BigInt(tokens.reasoning) * p.reasoning,
  };
  const total = femtoToUsd(femto.input + femto.cached_input + femto.cache_write + femto.output + femto.reasoning);
  return {
    input: femtoToUsd(femto.input).usd,
    cached_input: femtoToUsd(femto.cached_input).usd,
    cache_write: femtoToUsd(femto.cache_write).usd,
    output: femtoToUsd(femto.output).usd,
    reasoning: femtoToUsd(femto.reasoning).usd,
    total: total.usd,
    tokens,
    picoUsd: total.pico,
  };
}

/** The BigInt path alone, for tests that compare the two. @internal */
export function computeCostExact(usage: Usage, entry: PriceEntry): Cost {
  return costInBigInts(tokensOf(usage, entry), pricesOf(entry));
}

/** Usage with at least one input or output count; anything less cannot be priced. */
export function hasUsage(usage: Usage | undefined): usage is Usage {
  return usage !== undefined && (usage.inputTokens !== undefined || usage.outputTokens !== undefined);
}

/**
 * The price of a call, or why it has none, with the caller's way of finding
 * a model's price (a table lookup, or a cache of them; `arg` is passed on, so
 * a hot caller needs no closure per call). The checks, in order: usage first
 * (without counts no table could help, and that is the thing to fix, e.g.
 * stream_options.include_usage, even when the model is also unknown), then a
 * model name (the response model, else the request model), then its price.
 */
export function findPrice<P extends object, A>(
  usage: Usage | undefined,
  requestModel: string | undefined,
  responseModel: string | undefined,
  find: (model: string, arg: A) => P | undefined,
  arg: A,
): P | UnpricedReason {
  if (!hasUsage(usage)) return 'usage_missing';
  const model = pricedModelName(requestModel, responseModel);
  if (model === undefined) return 'no_model';
  return find(model, arg) ?? 'unknown_model';
}

const inTable = (model: string, table: PriceTable) => lookupPrice(table, model);

/** Why a call cannot be priced, or undefined when it can (see findPrice). */
export function unpricedReason(
  usage: Usage | undefined,
  model: string | undefined,
  table: PriceTable,
): UnpricedReason | undefined {
  const r = findPrice(usage, model, undefined, inTable, table);
  return typeof r === 'string' ? r : undefined;
}

export type PricedCall =
  | { priced: true; model: string; entry: PriceEntry; rule: MatchRule; cost: Cost }
  | { priced: false; model: string | undefined; reason: UnpricedReason };

/**
 * Everything the telemetry edge needs for one call: picks the model to price
 * (response model, else request model), finds its entry and computes the cost,
 * or says why not.
 */
export function priceCall(
  table: PriceTable,
  call: { requestModel?: string | undefined; responseModel?: string | undefined; usage?: Usage | undefined },
): PricedCall {
  const model = pricedModelName(call.requestModel, call.responseModel);
  const m = findPrice(call.usage, call.requestModel, call.responseModel, inTable, table);
  if (typeof m === 'string') return { priced: false, model, reason: m };
  return { priced: true, model: model!, entry: m.entry, rule: m.rule, cost: computeCost(call.usage!, m.entry) };
}
