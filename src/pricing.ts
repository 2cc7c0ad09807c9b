/**
 * The pricing edge: holds the current price table (bundled, merged with the
 * user's override file, reloaded when that file changes) and the billing
 * rules, and quotes the price of a model at a host. File I/O and diag logging live
 * here; the arithmetic is in the pure cost/ modules.
 */
import type { DiagLogger } from '@opentelemetry/api';
import { billingFor, parseBillingEnv, type BillingConfig, type BillingRule } from './cost/billing.js';
import { loadBundledTable, loadPriceOverrides, lookupPrice, watchPriceOverrides, type PriceEntry, type PriceTable } from './cost/prices.js';
import { KeyedCache } from './keyed-cache.js';

/** What pricing one model at one host needs, resolved once per (host, model) and table. */
export interface Quote {
  entry: PriceEntry;
  /** The host's billing rule; undefined when it bills list USD. */
  billingRule: BillingRule | undefined;
  tableVersion: string;
}

/** Quotes kept per host; the set is emptied when full (model names may be attacker-chosen). */
const MAX_QUOTES = 4096;

export class Pricing {
  private table: PriceTable;
  /**
   * host -> model name as reported -> quote (null: no entry). Emptied when the
   * table changes or it fills. Two Maps by hand rather than a KeyedCache: this
   * is read on every priced call, and KeyedCache.get takes a key array and a
   * factory closure per lookup.
   */
  private quotes = new Map<string, Map<string, Quote | null>>();
  private quoteCount = 0;
  private readonly billing: BillingConfig;
  /** billingFor per host (a handful of configured hosts; bounded all the same). */
  private readonly rules = new KeyedCache<BillingRule | null>(256);
  private stopWatch: (() => void) | undefined;

  constructor(
    overridePath: string | undefined,
    env: Record<string, string | undefined>,
    private readonly diag: DiagLogger,
  ) {
    const bundled = loadBundledTable();
    for (const e of bundled.errors) diag.error(`prices: ${e}`);
    this.table = bundled.table;
    if (overridePath !== undefined) {
      const r = loadPriceOverrides(overridePath, bundled.table);
      // The whole file is rejected, its good entries too: say so, or a user reads that those apply.
      for (const e of r.errors) diag.error(`prices: ${e}; the whole file is ignored, using the bundled table`);
      this.table = r.table;
      this.stopWatch = watchPriceOverrides(
        overridePath,
        (res) => {
          this.table = res.table;
          this.clearQuotes();
          diag.info(`prices: reloaded ${overridePath} (table version ${res.table.version})`);
        },
        (errors) => {
          for (const e of errors) {
            diag.error(`prices: ${e.includes('keeping the prices last loaded') ? e : `${e}; keeping the prices last loaded`}`);
          }
        },
        { base: bundled.table },
      );
    }
    this.billing = parseBillingEnv(env);
    for (const w of this.billing.warnings) diag.warn(w);
  }

  get version(): string {
    return this.table.version;
  }

  /**
   * The price entry and billing rule for a model name at a host, or undefined
   * when the table has no entry for it. Cached: after the first call with a
   * model, pricing a call is two Map reads and the arithmetic.
   */
  quote(model: string, host: string): Quote | undefined {
    let byModel = this.quotes.get(host);
    if (byModel === undefined) {
      byModel = new Map();
      this.quotes.set(host, byModel);
    }
    let q = byModel.get(model);
    if (q === undefined) {
      if (this.quoteCount >= MAX_QUOTES) {
        this.clearQuotes();
        return this.quote(model, host);
      }
      const m = lookupPrice(this.table, model);
      q = m === undefined ? null : { entry: m.entry, billingRule: this.ruleFor(host), tableVersion: this.table.version };
      byModel.set(model, q);
      this.quoteCount++;
    }
    return q ?? undefined;
  }

  private clearQuotes(): void {
    this.quotes = new Map();
    this.quoteCount = 0;
  }

  private ruleFor(host: string): BillingRule | undefined {
    return this.rules.get([host], () => billingFor(host, this.billing) ?? null) ?? undefined;
  }

  close(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }
}
