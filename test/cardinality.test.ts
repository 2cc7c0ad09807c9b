import { describe, expect, it } from 'vitest';
import { LabelCap } from '../src/cardinality.js';
import { OVERFLOW_VALUE } from '../src/semconv.js';

describe('LabelCap', () => {
  it('keeps the first max values and collapses later ones into the overflow value', () => {
    const overflowed: string[] = [];
    const cap = new LabelCap(3, (v) => overflowed.push(v));
    expect(['a', 'b', 'a', 'c', 'd', 'b', 'e', 'c', 'd'].map((v) => cap.cap(v))).toEqual([
      'a',
      'b',
      'a',
      'c',
      OVERFLOW_VALUE,
      'b',
      OVERFLOW_VALUE,
      'c',
      OVERFLOW_VALUE,
    ]);
    expect(OVERFLOW_VALUE).toBe('_other');
    // Reported once, with the first value that did not fit.
    expect(overflowed).toEqual(['d']);
    expect(cap.size).toBe(3);
    expect(cap.max).toBe(3);
  });

  it('max 0 keeps nothing; no callback is fine', () => {
    const cap = new LabelCap(0);
    expect([cap.cap('a'), cap.cap('')]).toEqual([OVERFLOW_VALUE, OVERFLOW_VALUE]);
    expect(cap.size).toBe(0);
  });

  it('the empty string and the overflow value itself are ordinary values', () => {
    const cap = new LabelCap(2);
    expect([cap.cap(''), cap.cap('_other'), cap.cap('x'), cap.cap('')]).toEqual(['', '_other', '_other', '']);
    expect(cap.size).toBe(2);
  });

  it('memory stays bounded under many distinct values', () => {
    let calls = 0;
    const cap = new LabelCap(200, () => calls++);
    for (let i = 0; i < 100_000; i++) cap.cap(`model-${i}`);
    expect([cap.size, calls, cap.cap('model-199'), cap.cap('model-200')]).toEqual([200, 1, 'model-199', OVERFLOW_VALUE]);
  });
});
