import { describe, expect, it } from 'vitest';
import { KeyedCache } from '../src/keyed-cache.js';

describe('KeyedCache', () => {
  it('returns the same item for the same key list and creates once', () => {
    const c = new KeyedCache<{ n: number }>(100);
    let made = 0;
    const mk = () => ({ n: ++made });
    const a = c.get(['chat', 'openai', 443, undefined, 'gpt'], mk);
    expect(c.get(['chat', 'openai', 443, undefined, 'gpt'], mk)).toBe(a);
    expect(made).toBe(1);
    expect(c.size).toBe(1);
  });

  it('never confuses lists that a joined string key would confuse', () => {
    const c = new KeyedCache<string>(100);
    const pairs: [readonly (string | number | boolean | undefined)[], string][] = [
      [['a\u0001b', 'c'], 'x1'],
      [['a', 'b\u0001c'], 'x2'],
      [['443', 'm'], 'x3'],
      [[443, 'm'], 'x4'],
      [['undefined', 'm'], 'x5'],
      [[undefined, 'm'], 'x6'],
      [['true', 'm'], 'x7'],
      [[true, 'm'], 'x8'],
    ];
    for (const [k, v] of pairs) expect(c.get(k, () => v)).toBe(v);
    for (const [k, v] of pairs) expect(c.get(k, () => 'new')).toBe(v);
    expect(c.size).toBe(pairs.length);
  });

  it('is bounded: when full it starts over, so a new key is still served', () => {
    const c = new KeyedCache<number>(3);
    for (let i = 0; i < 3; i++) c.get(['k', i], () => i);
    expect(c.size).toBe(3);
    expect(c.get(['k', 99], () => 99)).toBe(99);
    expect(c.size).toBe(1);
    // The old entries were dropped and are rebuilt on demand.
    expect(c.get(['k', 0], () => -1)).toBe(-1);
  });
});
