import { describe, expect, it } from 'vitest';
import { countScalarArray, endOfValue, onlyWsAfter, parseSpan, skimArray, skimObject } from '../../src/parse/json-skim.js';
import { rng } from './sse-helpers.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function gen(rand: () => number, depth: number): Json {
  const r = rand();
  if (depth <= 0 || r < 0.35) {
    const s = rand();
    if (s < 0.1) return null;
    if (s < 0.2) return rand() < 0.5;
    if (s < 0.45) {
      const forms = [0, -1, 3.25, 1e21, -2.5e-7, 123456789, 6.02e23, 1e-300];
      return forms[Math.floor(rand() * forms.length)]!;
    }
    return genString(rand);
  }
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 5) }, () => gen(rand, depth - 1));
  const o: Record<string, Json> = {};
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) o[rand() < 0.3 ? KEYS[Math.floor(rand() * KEYS.length)]! : genString(rand)] = gen(rand, depth - 1);
  return o;
}

const ALPHABET = ['a', 'b', '"', '\\', '\\"', '"\\', '{', '}', '[', ']', ',', ':', ' ', 'é', '😀', '\n', '\u2028', 'model', '"model":'];
const KEYS = ['model', 'usage', 'stream', 'id', 'a"b', 'x\\'];

function genString(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

function stringify(v: Json, rand: () => number): string {
  // Random white space between tokens, as pretty-printers and hand-written bodies have.
  const ws = () => [' ', '', '\n  ', '\t', ''][Math.floor(rand() * 5)]!;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => stringify(x, rand)).join(`${ws()},${ws()}`)}${ws()}]`;
  return `{${ws()}${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${stringify(x, rand)}`)
    .join(`,${ws()}`)}${ws()}}`;
}

describe('skimObject against JSON.parse', () => {
  it('finds exactly the top-level members, on 2000 generated objects', () => {
    const rand = rng(99);
    for (let k = 0; k < 2000; k++) {
      const obj: Record<string, Json> = {};
      const n = Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) obj[KEYS[Math.floor(rand() * KEYS.length)]!] = gen(rand, 4);
      const text = `${rand() < 0.3 ? ' \n' : ''}${stringify(obj, rand)}${rand() < 0.3 ? '\n' : ''}`;
      const parsed = JSON.parse(text) as Record<string, Json>;
      const sk = skimObject(text, ['model', 'usage', 'stream', 'id', 'absent']);
      expect(sk, text).toBeDefined();
      const found: Record<string, unknown> = {};
      for (const [key, span] of sk!.found) found[key] = parseSpan(text, span);
      const expected: Record<string, unknown> = {};
      for (const key of ['model', 'usage', 'stream', 'id']) if (key in parsed) expected[key] = parsed[key];
      expect(found, text).toEqual(expected);
      expect(sk!.end, text).toBe(text.trimEnd().length);
      expect(onlyWsAfter(text, sk!.end)).toBe(true);
      // Every proper prefix is incomplete.
      const cut = Math.floor(rand() * (text.trimEnd().length - 1)) + 1;
      const part = skimObject(text.slice(0, cut), ['model']);
      expect(part === undefined || part.end === -1, text.slice(0, cut)).toBe(true);
    }
  });

  it('endOfValue ends every generated value where JSON.stringify ends it', () => {
    const rand = rng(5);
    for (let k = 0; k < 2000; k++) {
      const v = gen(rand, 4);
      const text = stringify(v, rand);
      expect(endOfValue(`  ${text} ,`, 0), text).toBe(text.length + 2);
      expect(JSON.parse(text.slice(0))).toEqual(v);
    }
  });

  it('does not find keys of nested objects or inside string values', () => {
    const text =
      '{"tools":[{"type":"function","function":{"name":"f","parameters":{"model":"nested"}}}],' +
      '"metadata":{"model":"meta"},"messages":[{"role":"user","content":"\\"model\\": \\"fake\\", \\\\"}],"model":"gpt-4o"}';
    expect(JSON.parse(text).model).toBe('gpt-4o');
    const sk = skimObject(text, ['model']);
    expect(sk).toEqual({ found: new Map([['model', { start: text.lastIndexOf('"gpt-4o"'), end: text.length - 1 }]]), end: text.length });
    expect(parseSpan(text, sk!.found.get('model'))).toBe('gpt-4o');
  });

  it('strings ending in escaped backslashes', () => {
    const text = '{"a":"x\\\\","model":"m","b":"\\\\\\"q"}';
    expect(JSON.parse(text)).toEqual({ a: 'x\\', model: 'm', b: '\\"q' });
    expect(parseSpan(text, skimObject(text, ['model'])!.found.get('model'))).toBe('m');
    expect(parseSpan(text, skimObject(text, ['b'])!.found.get('b'))).toBe('\\"q');
  });

  it('stopWhenFound ends the scan early with end -1', () => {
    const text = '{"finish_reason":"stop","rest":[1,2,3]';
    expect(skimObject(text, ['finish_reason'], 0, true)).toEqual({ found: new Map([['finish_reason', { start: 17, end: 23 }]]), end: -1 });
  });

  it('starts at an offset', () => {
    const text = '[ {"k":1}, {"k":2} ]';
    expect(skimObject(text, ['k'], 10)).toEqual({ found: new Map([['k', { start: 16, end: 17 }]]), end: 18 });
  });

  it.each<[string, { found: Map<string, { start: number; end: number }>; end: number } | undefined]>([
    ['', undefined],
    ['[]', undefined],
    ['"x"', undefined],
    ['  {}', { found: new Map(), end: 4 }],
    ['{"model":"m"', { found: new Map([['model', { start: 9, end: 12 }]]), end: -1 }],
    ['{"model":"m', { found: new Map(), end: -1 }],
    ['{"model":', { found: new Map(), end: -1 }],
    ['{"model"', { found: new Map(), end: -1 }],
    ['{"mod', { found: new Map(), end: -1 }],
    ['{model:1}', { found: new Map(), end: -1 }],
    ['{"a":1 "b":2}', { found: new Map(), end: -1 }],
    ['{"a":[1,{"b":"]"}', { found: new Map(), end: -1 }],
    ['{"a":}', { found: new Map(), end: -1 }],
  ])('truncated or malformed %j', (text, expected) => {
    expect(skimObject(text, ['model'])).toEqual(expected);
  });
});

describe('skimArray', () => {
  const text = '[ {"a":1}, "x,y", [1,[2]], 3e-2 , null ]';

  it('spans of every element', () => {
    const spans = skimArray(text, 0)!;
    expect(spans.map((s) => JSON.parse(text.slice(s.start, s.end)))).toEqual(JSON.parse(text));
  });

  it('stops at max', () => {
    expect(skimArray(text, 0, 2)).toEqual([
      { start: 2, end: 9 },
      { start: 11, end: 16 },
    ]);
    expect(skimArray(text, 0, 0)).toEqual([]);
  });

  it('empty, not an array, truncated', () => {
    expect(skimArray(' [ ] ', 0)).toEqual([]);
    expect(skimArray('{}', 0)).toBeUndefined();
    expect(skimArray('[1, {"a"', 0)).toEqual([{ start: 1, end: 2 }]);
  });
});

describe('countScalarArray', () => {
  it.each<[string, number]>([
    ['[]', 0],
    ['[ \n ]', 0],
    ['[1]', 1],
    ['[1,2,3]', 3],
    ['[ -0.0123, 4.5e-7 ,\n 1E+3 ]', 3],
  ])('%j → %d', (arr, n) => {
    const text = `{"embedding":${arr},"next":[9,9,9]}`;
    const span = skimObject(text, ['embedding'])!.found.get('embedding')!;
    expect(countScalarArray(text, span)).toBe(n);
  });

  it('counts 1536 floats as JSON.parse does', () => {
    const rand = rng(1);
    const v = Array.from({ length: 1536 }, () => (rand() - 0.5) / 7);
    const text = JSON.stringify({ embedding: v });
    expect(countScalarArray(text, skimObject(text, ['embedding'])!.found.get('embedding')!)).toBe(1536);
  });
});

describe('parseSpan', () => {
  it('undefined span or invalid JSON gives undefined', () => {
    expect(parseSpan('{"a":tru}', undefined)).toBeUndefined();
    expect(parseSpan('{"a":tru}', { start: 5, end: 8 })).toBeUndefined();
    expect(parseSpan('{"a":true}', { start: 5, end: 9 })).toBe(true);
  });
});
