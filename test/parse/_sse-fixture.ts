/** Feeds a recorded SSE fixture through the real SSE parser into an accumulator, in chunks of a given size. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StreamAccumulator } from '../../src/parse/protocol.js';
import { SseParser } from '../../src/parse/sse.js';
import type { EventKind } from '../../src/parse/stream.js';

export function fixture(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8');
}

/** Replays `text` split into `chunkSize`-byte pieces; returns the kinds in event order. */
export function replay(acc: StreamAccumulator, text: string, chunkSize = 7, maxEventBytes = 1 << 20): EventKind[] {
  const kinds: EventKind[] = [];
  const parser = new SseParser((ev) => kinds.push(acc.onEvent(ev)), maxEventBytes);
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += chunkSize) parser.push(bytes.subarray(i, i + chunkSize));
  parser.end();
  return kinds;
}
