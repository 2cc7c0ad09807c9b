/**
 * What a host actually bills, from the list price in USD. Pure: the rate is
 * configured, never fetched.
 *
 * A rule says: for each USD of list price the host bills `unitsPerUsdList`
 * units of `currency`, and one unit is worth `usdPerUnit` USD. HolySheep
 * sells credit at ¥1 per $1 of list price, so a $35 list bill is ¥35, worth
 * 35 / 7.1 ≈ $4.93 at 7.1 CNY per USD.
 */

export interface BillingRule {
  /** Lower-case host name, or `*.suffix`. */
  host: string;
  /** ISO 4217 code of what the host bills in. */
  currency: string;
  /** Units of `currency` billed per USD of list price. */
  unitsPerUsdList: number;
  /** USD value of one unit of `currency`. */
  usdPerUnit: number;
}

export interface Billed {
  billed: number;
  currency: string;
  effectiveUsd: number;
}

export interface BillingOptions {
  /** CNY per USD (default 7.1, or AIMON_USD_CNY). */
  usdCny?: number;
  /** Extra rules (e.g. from AIMON_BILLING); they win over the built-in ones for the same host. */
  rules?: readonly BillingRule[];
}

export const DEFAULT_USD_CNY = 7.1;
export const HOLYSHEEP_HOST = 'api.holysheep.ai';

/** Built-in rules, at a given CNY-per-USD rate. */
export function defaultRules(usdCny: number = DEFAULT_USD_CNY): BillingRule[] {
  return [{ host: HOLYSHEEP_HOST, currency: 'CNY', unitsPerUsdList: 1, usdPerUnit: 1 / usdCny }];
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

function bareHost(host: string): string {
  let h = host.trim().toLowerCase();
  // server.address never has a port, but a Host header or URL host may.
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(h);
  if (m?.[1] !== undefined) h = m[1];
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/**
 * The billing rule for a host: configured rules first, then the built-in
 * ones; an exact host beats a wildcard. Undefined means the host bills list
 * price in USD.
 */
export function billingFor(host: string, options: BillingOptions = {}): BillingRule | undefined {
  const h = bareHost(host);
  const all = [...(options.rules ?? []), ...defaultRules(options.usdCny ?? DEFAULT_USD_CNY)];
  return all.find((r) => r.host === h) ?? all.find((r) => r.host.startsWith('*.') && hostMatches(r.host, h));
}

/** Rounds to 1e-12 like compute.ts, where a double can hold that precision. */
function round12(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 9e3) return x;
  return Math.round(x * 1e12) / 1e12;
}

/** Converts a list-price USD amount by a rule; without a rule the host bills list USD. */
export function convert(usdList: number, rule: BillingRule | undefined): Billed {
  if (rule === undefined) return { billed: usdList, currency: 'USD', effectiveUsd: usdList };
  const billed = round12(usdList * rule.unitsPerUsdList);
  return { billed, currency: rule.currency, effectiveUsd: round12(billed * rule.usdPerUnit) };
}

export interface BillingConfig {
  usdCny: number;
  rules: BillingRule[];
  warnings: string[];
}

function positive(raw: string): number | undefined {
  if (!/^\s*\d+(?:\.\d+)?\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Reads AIMON_USD_CNY (CNY per USD) and AIMON_BILLING, a comma-separated list
 * of `host=CURRENCY:unitsPerListUsd[@usdPerUnit]`:
 *   llm.example.com=CNY:1          1 CNY billed per list USD, valued at 1/AIMON_USD_CNY
 *   eu.example.com=EUR:0.9@1.08    0.9 EUR per list USD, 1 EUR = 1.08 USD
 * USD and CNY know their value; other currencies need `@usdPerUnit`. A bad
 * item is skipped with a warning; this never throws.
 */
export function parseBillingEnv(env: Record<string, string | undefined> = process.env): BillingConfig {
  const warnings: string[] = [];
  let usdCny = DEFAULT_USD_CNY;
  const rawRate = env.AIMON_USD_CNY?.trim();
  if (rawRate !== undefined && rawRate !== '') {
    const r = positive(rawRate);
    if (r === undefined || r > 1000) warnings.push(`AIMON_USD_CNY="${env.AIMON_USD_CNY}" is not a positive rate (CNY per USD); using ${DEFAULT_USD_CNY}`);
    else usdCny = r;
  }

  const rules: BillingRule[] = [];
  for (const item of (env.AIMON_BILLING ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([^=\s]+)=([A-Za-z]{3}):([^@\s]+)(?:@(\S+))?$/.exec(item);
    if (m === null) {
      warnings.push(`AIMON_BILLING: "${item}" is not host=CURRENCY:units[@usdPerUnit]; ignored`);
      continue;
    }
    const [, hostRaw = '', curRaw = '', unitsRaw = '', usdRaw] = m;
    const currency = curRaw.toUpperCase();
    const units = positive(unitsRaw);
    if (units === undefined) {
      warnings.push(`AIMON_BILLING: "${item}": units per list USD must be a positive number; ignored`);
      continue;
    }
    let usdPerUnit: number | undefined;
    if (usdRaw !== undefined) usdPerUnit = positive(usdRaw);
    else if (currency === 'USD') usdPerUnit = 1;
    else if (currency === 'CNY') usdPerUnit = 1 / usdCny;
    if (usdPerUnit === undefined) {
      warnings.push(
        usdRaw !== undefined
          ? `AIMON_BILLING: "${item}": USD per unit must be a positive number; ignored`
          : `AIMON_BILLING: "${item}": give the USD value of one ${currency} as @usdPerUnit; ignored`,
      );
      continue;
    }
    const host = bareHost(hostRaw);
    if (rules.some((r) => r.host === host)) warnings.push(`AIMON_BILLING: "${host}" given twice; the first one is used`);
    else rules.push({ host, currency, unitsPerUsdList: units, usdPerUnit });
  }
  return { usdCny, rules, warnings };
}
