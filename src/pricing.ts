/**
 * The pricing edge: holds the current price table (bundled, merged with the
 * user's override file, reloaded when that file changes) and the billing
 * rules, and prices one finished exchange. File I/O and diag logging live
 * here; the arithmetic is in the pure cost/ modules.
 */
import type { DiagLogger } from '@opentelemetry/api';
import { billingFor, convert, parseBillingEnv, type Billed, type BillingConfig, type BillingRule } from './cost/billing.js';
import { priceCall, type PricedCall } from './cost/compute.js';
import { loadBundledTable, loadPriceOverrides, watchPriceOverrides, type PriceTable } from './cost/prices.js';
import type { ExchangeResult } from './exchange.js';
import { KeyedCache } from './keyed-cache.js';

export interface PricedExchange {
  call: PricedCall;
  /** Present when priced: the list-price total converted by the host's billing rule. */
  billed: Billed | undefined;
  /** The host's billing rule; undefined when it bills list USD. */
  billingRule: BillingRule | undefined;
  tableVersion: string;
}

export class Pricing {
  private table: PriceTable;
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

  price(r: ExchangeResult): PricedExchange {
    const call = priceCall(this.table, {
      requestModel: r.request?.model,
      responseModel: r.response.model,
      usage: r.response.usage,
    });
    let billed: Billed | undefined;
    let billingRule: BillingRule | undefined;
    if (call.priced) {
      billingRule = this.ruleFor(r.target.serverAddress);
      billed = convert(call.cost.total, billingRule);
    }
    return { call, billed, billingRule, tableVersion: this.table.version };
  }

  private ruleFor(host: string): BillingRule | undefined {
    return this.rules.get([host], () => billingFor(host, { usdCny: this.billing.usdCny, rules: this.billing.rules }) ?? null) ?? undefined;
  }

  close(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }
}
