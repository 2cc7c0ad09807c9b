// A BOM split across the first chunks was kept as part of the first field
// name ("\ufeffdata"), so the first event was lost; skipped BOM bytes were
// also missing from endOffset.
import { expect, it } from 'vitest';
import { parseChunks } from '../parse/sse-helpers.js';

const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('data: first\n\n')]);

it.each([[[1]], [[2]], [[1, 2]], [[]]])('a BOM split at %j is skipped and counted', (cuts) => {
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    chunks.push(bytes.slice(prev, c));
    prev = c;
  }
  chunks.push(bytes.slice(prev));
  expect(parseChunks(chunks)).toEqual([{ type: 'message', data: 'first', oversized: false, endOffset: 16 }]);
});
