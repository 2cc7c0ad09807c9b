/** Shared helpers for the parser tests: fixtures, chunkings and a seeded random source. */
import { readFileSync } from 'node:fs';
import { SseParser, type SseEvent } from '../../src/parse/sse.js';

export const enc = new TextEncoder();

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

/** Deterministic PRNG (mulberry32) so a failing fuzz case can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` at the given sorted positions. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(bytes.slice(prev, c));
    prev = c;
  }
  out.push(bytes.slice(prev));
  return out;
}

export function randomChunks(bytes: Uint8Array, rand: () => number, maxLen = 16): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    // Empty chunks are legal on the wire (and from a TransformStream).
    const len = Math.floor(rand() * (maxLen + 1));
    out.push(bytes.slice(i, i + len));
    i += len;
  }
  return out;
}

/** Runs the parser over chunks; each chunk's buffer is zeroed after push() to catch retained views. */
export function parseChunks(chunks: readonly Uint8Array[], maxEventBytes?: number): SseEvent[] {
  const events: SseEvent[] = [];
  const p = new SseParser((e) => events.push(e), maxEventBytes);
  for (const c of chunks) {
    const copy = c.slice();
    p.push(copy);
    copy.fill(0);
  }
  p.end();
  return events;
}

export function parseAll(bytes: Uint8Array | string, maxEventBytes?: number): SseEvent[] {
  return parseChunks([typeof bytes === 'string' ? enc.encode(bytes) : bytes], maxEventBytes);
}
