import { describe, expect, it } from 'vitest';
import { billingFor, convert, DEFAULT_USD_CNY, defaultRules, parseBillingEnv } from '../../src/cost/billing.js';

describe('billingFor', () => {
  it('bills api.holysheep.ai in CNY at 1 per list USD, valued at 1/7.1 USD by default', () => {
    expect(DEFAULT_USD_CNY).toBe(7.1);
    expect(billingFor('api.holysheep.ai')).toEqual({ host: 'api.holysheep.ai', currency: 'CNY', unitsPerUsdList: 1, usdPerUnit: 1 / 7.1 });
    // Case, a port and a trailing dot do not change the host.
    expect(billingFor('API.HolySheep.ai:443')?.currency).toBe('CNY');
    expect(billingFor('api.holysheep.ai.')?.currency).toBe('CNY');
  });

  it('takes the configured rate', () => {
    expect(billingFor('api.holysheep.ai', { usdCny: 7.25 })?.usdPerUnit).toBe(1 / 7.25);
  });

  it('returns undefined for hosts that bill list USD', () => {
    expect(billingFor('api.openai.com')).toBeUndefined();
    expect(billingFor('holysheep.ai')).toBeUndefined();
    expect(billingFor('evil-api.holysheep.ai.example.com')).toBeUndefined();
  });

  it('prefers configured rules, exact hosts over wildcards', () => {
    const rules = [
      { host: '*.example.com', currency: 'EUR', unitsPerUsdList: 0.9, usdPerUnit: 1.08 },
      { host: 'llm.example.com', currency: 'CNY', unitsPerUsdList: 1, usdPerUnit: 0.14 },
      { host: 'api.holysheep.ai', currency: 'CNY', unitsPerUsdList: 0.8, usdPerUnit: 0.14 },
    ];
    expect(billingFor('llm.example.com', { rules })?.currency).toBe('CNY');
    expect(billingFor('eu.example.com', { rules })?.currency).toBe('EUR');
    expect(billingFor('example.com', { rules })).toBeUndefined();
    expect(billingFor('api.holysheep.ai', { rules })?.unitsPerUsdList).toBe(0.8);
  });
});

describe('convert', () => {
  it('HolySheep: $35 of list price is billed CNY 35, worth 35 / 7.1 = $4.929577464789 (rounded to 1e-12)', () => {
    expect(convert(35, defaultRules()[0])).toEqual({ billed: 35, currency: 'CNY', effectiveUsd: 4.929577464789 });
  });

  it('keeps small amounts exact to 1e-12', () => {
    // $0.0019426 -> CNY 0.0019426 -> 0.0019426 / 7.1 = 0.000273605633802... -> 0.000273605634
    expect(convert(0.0019426, defaultRules()[0])).toEqual({ billed: 0.0019426, currency: 'CNY', effectiveUsd: 0.000273605634 });
  });

  it('without a rule the host bills list USD', () => {
    expect(convert(1.25, undefined)).toEqual({ billed: 1.25, currency: 'USD', effectiveUsd: 1.25 });
  });

  it('applies units per list USD and the unit value', () => {
    // $10 list -> 9 EUR -> 9 x 1.08 = $9.72
    expect(convert(10, { host: 'x', currency: 'EUR', unitsPerUsdList: 0.9, usdPerUnit: 1.08 })).toEqual({ billed: 9, currency: 'EUR', effectiveUsd: 9.72 });
  });
});

describe('parseBillingEnv', () => {
  it('defaults: rate 7.1, no extra rules, no warnings', () => {
    expect(parseBillingEnv({})).toEqual({ usdCny: 7.1, rules: [], warnings: [] });
  });

  it('reads AIMON_USD_CNY and AIMON_BILLING', () => {
    const r = parseBillingEnv({
      AIMON_USD_CNY: '7.2',
      AIMON_BILLING: 'llm.example.com=CNY:1, eu.example.com=eur:0.9@1.08 ,us.example.com=USD:0.5',
    });
    expect(r).toEqual({
      usdCny: 7.2,
      rules: [
        { host: 'llm.example.com', currency: 'CNY', unitsPerUsdList: 1, usdPerUnit: 1 / 7.2 },
        { host: 'eu.example.com', currency: 'EUR', unitsPerUsdList: 0.9, usdPerUnit: 1.08 },
        { host: 'us.example.com', currency: 'USD', unitsPerUsdList: 0.5, usdPerUnit: 1 },
      ],
      warnings: [],
    });
    expect(billingFor('llm.example.com', { rules: r.rules, usdCny: r.usdCny })?.currency).toBe('CNY');
  });

  it('warns and falls back, never throws', () => {
    const r = parseBillingEnv({
      AIMON_USD_CNY: 'seven',
      AIMON_BILLING: 'nonsense,a.com=CNY:-1,b.com=EUR:1,c.com=EUR:1@x,d.com=CNY:1,d.com=CNY:2',
    });
    expect(r.usdCny).toBe(7.1);
    expect(r.rules).toEqual([{ host: 'd.com', currency: 'CNY', unitsPerUsdList: 1, usdPerUnit: 1 / 7.1 }]);
    expect(r.warnings).toEqual([
      'AIMON_USD_CNY="seven" is not a positive rate (CNY per USD); using 7.1',
      'AIMON_BILLING: "nonsense" is not host=CURRENCY:units[@usdPerUnit]; ignored',
      'AIMON_BILLING: "a.com=CNY:-1": units per list USD must be a positive number; ignored',
      'AIMON_BILLING: "b.com=EUR:1": give the USD value of one EUR as @usdPerUnit; ignored',
      'AIMON_BILLING: "c.com=EUR:1@x": USD per unit must be a positive number; ignored',
      'AIMON_BILLING: "d.com" given twice; the first one is used',
    ]);
    expect(parseBillingEnv({ AIMON_USD_CNY: '0' }).warnings).toHaveLength(1);
  });
});
