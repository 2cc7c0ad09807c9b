// A line longer than maxEventBytes that spanned chunks was turned into an
// empty line, i.e. a blank line: the oversized event was dispatched at once
// and the rest of the same event was parsed as a new event. In a single chunk
// the same line was handled differently (limit on data, not on the line).
import { expect, it } from 'vitest';
import { parseChunks } from '../parse/sse-helpers.js';

const enc = new TextEncoder();
const body = `data: ${'x'.repeat(40)}\ndata: tail\n\ndata: next\n\n`;

it('the rest of an oversized event is not parsed as a new event, whatever the chunking', () => {
  const bytes = enc.encode(body);
  const expected = [
    { type: 'message', data: '', oversized: true, endOffset: 59 },
    { type: 'message', data: 'next', oversized: false, endOffset: 71 },
  ];
  expect(parseChunks([bytes], 16)).toEqual(expected);
  expect(parseChunks([bytes.slice(0, 10), bytes.slice(10)], 16)).toEqual(expected);
  expect(parseChunks([bytes.slice(0, 50), bytes.slice(50)], 16)).toEqual(expected);
});

it('a line just over the limit is oversized in one chunk and in two', () => {
  const b = enc.encode(`data: ${'y'.repeat(12)}\n\n`); // line of 18 bytes, data of 12
  const expected = [{ type: 'message', data: '', oversized: true, endOffset: 20 }];
  expect(parseChunks([b], 16)).toEqual(expected);
  expect(parseChunks([b.slice(0, 3), b.slice(3)], 16)).toEqual(expected);
});
