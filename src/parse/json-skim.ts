/**
 * A top-level JSON skimmer: finds the values of a few keys in a JSON object
 * without parsing the rest. Request bodies carry long prompts and embedding
 * responses carry megabytes of floats; JSON.parse of the whole body would cost
 * the app CPU in proportion to that size for the three or four fields we need.
 *
 * The scan jumps from one structural character to the next, and over string
 * bodies with indexOf('"'), so its cost grows with the number of tokens, not
 * with the length of the strings. Invalid input never throws: the functions
 * return undefined (or stop early) and the caller records less.
 */

/** Position of a value inside the source text: [start, end). */
export interface Span {
  start: number;
  end: number;
}

const STRUCT = /["[\]{}]/g;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the string that opens at `i` (s[i] === '"'), or -1. */
function endOfString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    // A quote is escaped when an odd number of backslashes precede it.
    let b = q - 1;
    while (b > i && s.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the container (object or array) that opens at `i`, or -1. */
function endOfContainer(s: string, i: number): number {
  let depth = 0;
  STRUCT.lastIndex = i;
  for (;;) {
    const m = STRUCT.exec(s);
    if (m === null) return -1;
    const c = s.charCodeAt(m.index);
    if (c === 0x22) {
      const e = endOfString(s, m.index);
      if (e < 0) return -1;
      STRUCT.lastIndex = e;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else {
      depth--;
      if (depth === 0) return m.index + 1;
    }
  }
}

/** Index just past the scalar (number, true, false, null) that starts at `i`. */
function endOfScalar(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x2c || c === 0x7d || c === 0x5d || isWs(c)) break;
    j++;
  }
  return j;
}

/** Index just past the JSON value that starts at `i` (after white space), or -1. */
export function endOfValue(s: string, i: number): number {
  i = skipWs(s, i);
  if (i >= s.length) return -1;
  const c = s.charCodeAt(i);
  if (c === 0x22) return endOfString(s, i);
  if (c === 0x7b || c === 0x5b) return endOfContainer(s, i);
  const e = endOfScalar(s, i);
  return e > i ? e : -1;
}

/** Result of skimming an object. */
export interface Skimmed {
  /** Spans of the values of the keys that were found. */
  found: Map<string, Span>;
  /**
   * Index just past the closing brace, or -1 when the scan stopped early
   * (every key found with `stopWhenFound`) or the object is not well formed
   * or is truncated.
   */
  end: number;
}

/**
 * The spans of the values of `keys` among the members of the object that
 * opens at `start` (the first non-space character must be `{`). Keys are
 * compared on their raw text, so a key with escapes in it is not found (none
 * of the keys we look for has any). A key that occurs twice gives its last
 * value (its first with `stopWhenFound`). With `stopWhenFound`, the scan stops once
 * every key was found; otherwise it runs to the closing brace so that `end`
 * tells whether the object is complete.
 */
export function skimObject(
  s: string,
  keys: readonly string[],
  start = 0,
  stopWhenFound = false,
): Skimmed | undefined {
  const found = new Map<string, Span>();
  let i = skipWs(s, start);
  if (s.charCodeAt(i) !== 0x7b) return undefined;
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x7d) return { found, end: i + 1 };
  for (;;) {
    if (s.charCodeAt(i) !== 0x22) return { found, end: -1 };
    const keyEnd = endOfString(s, i);
    if (keyEnd < 0) return { found, end: -1 };
    const key = s.slice(i + 1, keyEnd - 1);
    i = skipWs(s, keyEnd);
    if (s.charCodeAt(i) !== 0x3a) return { found, end: -1 };
    const vStart = skipWs(s, i + 1);
    const vEnd = endOfValue(s, vStart);
    if (vEnd < 0) return { found, end: -1 };
    // A duplicated key: the last one wins, as in JSON.parse (and the server),
    // except when stopping early, where the first one is all we know.
    if (keys.includes(key) && (!stopWhenFound || !found.has(key))) {
      found.set(key, { start: vStart, end: vEnd });
      if (stopWhenFound && found.size === keys.length) return { found, end: -1 };
    }
    i = skipWs(s, vEnd);
    const c = s.charCodeAt(i);
    if (c === 0x2c) {
      i = skipWs(s, i + 1);
      continue;
    }
    return { found, end: c === 0x7d ? i + 1 : -1 };
  }
}

/** True when only white space follows `i`. */
export function onlyWsAfter(s: string, i: number): boolean {
  return skipWs(s, i) === s.length;
}

/** Spans of the elements of the array that opens at `start`, at most `max` of them. */
export function skimArray(s: string, start: number, max = Infinity): Span[] | undefined {
  let i = skipWs(s, start);
  if (s.charCodeAt(i) !== 0x5b) return undefined;
  const out: Span[] = [];
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x5d) return out;
  while (out.length < max) {
    const vEnd = endOfValue(s, i);
    if (vEnd < 0) return out;
    out.push({ start: i, end: vEnd });
    i = skipWs(s, vEnd);
    if (s.charCodeAt(i) !== 0x2c) return out;
    i = skipWs(s, i + 1);
  }
  return out;
}

/** JSON.parse of one small value; undefined when it is not valid JSON. */
export function parseSpan(s: string, span: Span | undefined): unknown {
  if (span === undefined) return undefined;
  try {
    return JSON.parse(s.slice(span.start, span.end));
  } catch {
    return undefined;
  }
}

/** Number of elements of an array of scalars (an embedding vector), counted by commas. */
export function countScalarArray(s: string, span: Span): number {
  let i = skipWs(s, span.start + 1);
  if (s.charCodeAt(i) === 0x5d) return 0;
  let n = 1;
  for (;;) {
    i = s.indexOf(',', i);
    if (i < 0 || i >= span.end) return n;
    n++;
    i++;
  }
}

/** A finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A non-negative integer (a token count), or undefined. */
export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/**
 * The members of a whole JSON document that must be one object (a request or
 * response body): undefined when it is not one, is truncated, or has trailing text.
 */
export function skimDocument(s: string, keys: readonly string[]): Map<string, Span> | undefined {
  const sk = skimObject(s, keys);
  if (sk === undefined || sk.end < 0 || !onlyWsAfter(s, sk.end)) return undefined;
  return sk.found;
}

/**
 * Below this length a document is parsed whole: V8's JSON.parse is native and
 * beats skimming in JavaScript by 3-6x on the bodies of a typical chat call
 * (a few hundred bytes to a few KB). Above it, skimming avoids materialising
 * long prompts and embedding vectors that we never look at.
 */
export const PARSE_WHOLE_MAX = 16 * 1024;

/** The top-level members of a JSON object document. */
export interface Members {
  /** The parsed value of a member; undefined when absent (or, when skimmed, not valid JSON). */
  get(key: string): unknown;
  has(key: string): boolean;
  /** Where each wanted member's value lies in the text: only for skimmed (large) documents. */
  readonly spans: Map<string, Span> | undefined;
}

/**
 * The members of a whole JSON document that must be one object (a request or
 * response body), parsed whole when small and skimmed for `keys` when large:
 * undefined when it is not one object, is truncated, or has trailing text.
 * (A small document is also refused when invalid anywhere inside, which is
 * what the app's own JSON.parse would say of it.) `parsed` is the result of
 * JSON.parse(s) when the caller has it already.
 */
export function documentMembers(s: string, keys: readonly string[], parsed?: unknown): Members | undefined {
  if (parsed !== undefined || s.length <= PARSE_WHOLE_MAX) {
    const o = documentObject(s, keys, parsed);
    if (o === undefined) return undefined;
    return { get: (k) => (Object.hasOwn(o, k) ? o[k] : undefined), has: (k) => Object.hasOwn(o, k), spans: undefined };
  }
  const f = skimDocument(s, keys);
  if (f === undefined) return undefined;
  return { get: (k) => parseSpan(s, f.get(k)), has: (k) => f.has(k), spans: f };
}

/**
 * A JSON object document as a plain object to read members from, with no
 * accessor functions per call: parsed whole when small (or `parsed` is the
 * caller's JSON.parse of it), else only the wanted `keys`, each parsed from
 * its skimmed span (null when that value is not valid JSON, so a present
 * member always reads as defined). undefined when the document is not one
 * object, is truncated, or has trailing text.
 */
export function documentObject(s: string, keys: readonly string[], parsed?: unknown): Record<string, unknown> | undefined {
  let v: unknown = parsed;
  if (v === undefined) {
    if (s.length > PARSE_WHOLE_MAX) {
      const f = skimDocument(s, keys);
      if (f === undefined) return undefined;
      const o: Record<string, unknown> = {};
      for (const [k, span] of f) o[k] = parseSpan(s, span) ?? null;
      return o;
    }
    try {
      v = JSON.parse(s);
    } catch {
      return undefined;
    }
  }
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The request fields every wire format shares: model, stream, the token limit
 * (first of `maxTokensKeys` present), temperature and top_p. `get` returns a
 * parsed top-level member.
 */
export function commonRequestParams(
  get: (key: string) => unknown,
  maxTokensKeys: readonly string[],
): { model?: string; stream: boolean; maxTokens?: number; temperature?: number; topP?: number } {
  const out: { model?: string; stream: boolean; maxTokens?: number; temperature?: number; topP?: number } = {
    stream: get('stream') === true,
  };
  const model = get('model');
  if (typeof model === 'string') out.model = model;
  for (const k of maxTokensKeys) {
    const mt = int(get(k));
    if (mt !== undefined) {
      out.maxTokens = mt;
      break;
    }
  }
  const t = num(get('temperature'));
  if (t !== undefined) out.temperature = t;
  const p = num(get('top_p'));
  if (p !== undefined) out.topP = p;
  return out;
}
