// The LF of a CRLF split across chunks was skipped without being counted, so
// every later endOffset was one byte short, and an event ended by such a
// CRLF stopped before its LF. InjectedUsageFilter cuts the stream at these
// offsets, so the app received shifted bytes.
import { expect, it } from 'vitest';
import { parseChunks } from '../parse/sse-helpers.js';

const enc = new TextEncoder();

it('endOffset covers the LF of a CRLF split between chunks, for that event and the next ones', () => {
  const events = parseChunks([enc.encode('data: a\r\n\r'), enc.encode('\ndata: b\r'), enc.encode('\n\r\n')]);
  expect(events).toEqual([
    { type: 'message', data: 'a', oversized: false, endOffset: 11 },
    { type: 'message', data: 'b', oversized: false, endOffset: 22 },
  ]);
});
