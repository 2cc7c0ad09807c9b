import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/parse/sse.js';
import { enc, fixtureBytes, parseAll, parseChunks, randomChunks, rng, splitAt } from './sse-helpers.js';

const ev = (data: string, endOffset: number, type = 'message', oversized = false): SseEvent => ({
  type,
  data,
  oversized,
  endOffset,
});

/**
 * A deliberately plain reference: the whole stream at once, lines found by a
 * byte loop, values decoded line by line. Same limits as the parser: a line
 * longer than `max` bytes (a comment excepted) or data longer than `max`
 * bytes makes the event oversized.
 */
function reference(bytes: Uint8Array, max = 1 << 20): SseEvent[] {
  const dec = new TextDecoder('utf-8', { ignoreBOM: true });
  const out: SseEvent[] = [];
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let data: string[] = [];
  let dataBytes = 0;
  let type = '';
  let oversized = false;
  while (i < bytes.length) {
    let j = i;
    while (j < bytes.length && bytes[j] !== 0x0a && bytes[j] !== 0x0d) j++;
    if (j === bytes.length) break; // an unterminated last line is not a line
    const next = bytes[j] === 0x0d && bytes[j + 1] === 0x0a ? j + 2 : j + 1;
    const line = bytes.subarray(i, j);
    i = next;
    if (line.length === 0) {
      if (oversized) out.push(ev('', i, type || 'message', true));
      else if (data.length > 0) out.push(ev(data.join('\n'), i, type || 'message'));
      data = [];
      dataBytes = 0;
      type = '';
      oversized = false;
      continue;
    }
    if (line[0] === 0x3a) continue;
    if (line.length > max) {
      oversized = true;
      continue;
    }
    let colon = line.indexOf(0x3a);
    if (colon < 0) colon = line.length;
    const name = dec.decode(line.subarray(0, colon));
    let value = line.subarray(Math.min(colon + 1, line.length));
    if (value[0] === 0x20) value = value.subarray(1);
    if (name === 'data') {
      dataBytes += value.length + (data.length > 0 ? 1 : 0);
      if (dataBytes > max) oversized = true;
      data.push(dec.decode(value));
    } else if (name === 'event') {
      type = dec.decode(value);
    }
  }
  return out;
}

const recorded = fixtureBytes('chat-stream-include-usage.sse');

describe('SseParser on a recorded OpenAI stream', () => {
  const whole = parseAll(recorded);

  it('parses every event of the unsplit stream', () => {
    const text = new TextDecoder().decode(recorded);
    const blocks = text.split('\n\n').filter((b) => b !== '');
    let off = 0;
    const expected = blocks.map((b) => {
      off += enc.encode(b).length + 2;
      return ev(b.slice('data: '.length), off);
    });
    expect(whole).toEqual(expected);
    expect(whole.length).toBe(13);
    expect(whole[12]).toEqual(ev('[DONE]', recorded.length));
    expect(whole).toEqual(reference(recorded));
  });

  it('gives identical events when split at every byte position', () => {
    for (let cut = 0; cut <= recorded.length; cut++) {
      expect(parseChunks(splitAt(recorded, [cut])), `cut at ${cut}`).toEqual(whole);
    }
  });

  it('gives identical events when split at every pair of positions near multi-byte characters', () => {
    // The stream carries 2-, 3- and 4-byte UTF-8 characters; cut inside each of them and around.
    const multi: number[] = [];
    recorded.forEach((b, i) => {
      if (b >= 0x80) multi.push(i);
    });
    expect(multi.length).toBe(18);
    for (const a of multi) {
      for (const b of [a + 1, a + 2, a + 3]) {
        expect(parseChunks(splitAt(recorded, [a, b])), `cuts at ${a},${b}`).toEqual(whole);
      }
    }
    expect(whole[3]!.data).toContain(' café');
    expect(whole[7]!.data).toContain(' 😀');
  });

  it('gives identical events in random chunkings (1-byte chunks and empty chunks included)', () => {
    const rand = rng(42);
    for (let k = 0; k < 300; k++) {
      expect(parseChunks(randomChunks(recorded, rand, k % 3 === 0 ? 2 : 64)), `chunking ${k}`).toEqual(whole);
    }
    expect(parseChunks(Array.from(recorded, (b) => new Uint8Array([b])))).toEqual(whole);
  });
});

describe('SseParser line ends', () => {
  const bodies: Record<string, string> = {
    LF: 'data: a\n\ndata: b\ndata: c\n\n',
    CR: 'data: a\r\rdata: b\rdata: c\r\r',
    CRLF: 'data: a\r\n\r\ndata: b\r\ndata: c\r\n\r\n',
    mixed: 'data: a\r\n\ndata: b\rdata: c\n\r\n',
  };

  it.each(Object.entries(bodies))('%s', (_name, body) => {
    const bytes = enc.encode(body);
    const firstEnd = body.indexOf('data: b');
    const expected = [ev('a', firstEnd), ev('b\nc', bytes.length)];
    expect(parseAll(bytes)).toEqual(expected);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks(splitAt(bytes, [cut])), `cut ${cut}`).toEqual(expected);
    }
  });

  it('a CR at the end of one chunk and LF at the start of the next is one line end, not an extra blank line', () => {
    // With `\r` | `\n` read as two line ends, the empty line would dispatch "a" early and "b" separately.
    const events = parseChunks([enc.encode('data: a\r'), enc.encode('\ndata: b\r\n\r\n')]);
    expect(events).toEqual([ev('a\nb', 20)]);
  });

  it('counts the LF of a CRLF split across chunks in endOffset', () => {
    const events = parseChunks([enc.encode('data: a\r\n\r'), enc.encode('\ndata: b\r\n\r\n')]);
    expect(events).toEqual([ev('a', 11), ev('b', 22)]);
  });

  it('a lone CR followed by a chunk that does not start with LF still ends the line', () => {
    expect(parseChunks([enc.encode('data: a\r'), enc.encode('\r')])).toEqual([ev('a', 9)]);
  });
});

describe('SseParser fields', () => {
  it('skips a BOM at the start, also when it is split across chunks, and counts it in offsets', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('data: x\n\n')]);
    const expected = [ev('x', 12)];
    expect(parseAll(bytes)).toEqual(expected);
    for (const cuts of [[1], [2], [1, 2], [3], [0, 1, 2, 3]]) {
      expect(parseChunks(splitAt(bytes, cuts)), `cuts ${cuts.join(',')}`).toEqual(expected);
    }
  });

  it('only strips a BOM at the very start of the stream', () => {
    const body = 'data: x\n\n\ufeffdata: y\n\ndata: z\n\n';
    // The second event's field name is "\ufeffdata", not "data": ignored, per the spec.
    expect(parseAll(body)).toEqual([ev('x', 9), ev('z', enc.encode(body).length)]);
  });

  it('keeps bytes that only start like a BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0x0a, ...enc.encode('data: x\n\n')]);
    // The first line is two invalid bytes (no colon: an unknown field), then a blank line ends nothing.
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks(splitAt(bytes, [cut])), `cut ${cut}`).toEqual([ev('x', 12)]);
    }
  });

  it('ignores comments, id and retry; reads event types; dispatches nothing for an event without data', () => {
    const body = ': keep-alive\n\nid: 7\nretry: 1000\n\nevent: ping\n\n:comment\nevent: delta\ndata: {"a":1}\n\ndata: next\n\n';
    expect(parseAll(body)).toEqual([
      ev('{"a":1}', body.indexOf('data: next'), 'delta'),
      ev('next', enc.encode(body).length),
    ]);
  });

  it('resets the event type after each event', () => {
    expect(parseAll('event: error\ndata: {}\n\ndata: x\n\n')).toEqual([ev('{}', 23, 'error'), ev('x', 32)]);
  });

  it('joins multi-line data with "\\n", keeping empty data lines', () => {
    expect(parseAll('data: a\ndata:\ndata: c\n\n')).toEqual([ev('a\n\nc', 23)]);
  });

  it('takes data without a space after the colon, removes only one space', () => {
    expect(parseAll('data:x\n\ndata:  y\n\n')).toEqual([ev('x', 8), ev(' y', 18)]);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    expect(parseAll('data\n\n')).toEqual([ev('', 6)]);
    expect(parseAll('data\ndata\n\n')).toEqual([ev('\n', 11)]);
    expect(parseAll('event\ndata: q\n\n')).toEqual([ev('q', 15)]);
    expect(parseAll('dat\n\nDATA: x\n\n')).toEqual([]);
  });

  it('dispatches [DONE] as plain data', () => {
    expect(parseAll('data: [DONE]\n\n')).toEqual([ev('[DONE]', 14)]);
  });

  it('discards an event without its terminating blank line at the end of the stream', () => {
    const events: SseEvent[] = [];
    const p = new SseParser((e) => events.push(e));
    p.push(enc.encode('data: a\n\ndata: b\n'));
    p.push(enc.encode('data: c'));
    p.end();
    expect(events).toEqual([ev('a', 9)]);
  });

  it('decodes invalid UTF-8 to replacement characters without throwing', () => {
    const bytes = new Uint8Array([...enc.encode('data: a'), 0xff, 0xc3, ...enc.encode('b\ndata: '), 0xe2, 0x82, 0x0a, 0x0a]);
    const expected = [ev('a\ufffd\ufffdb\n\ufffd', bytes.length)];
    expect(parseAll(bytes)).toEqual(expected);
    for (let cut = 0; cut <= bytes.length; cut++) expect(parseChunks(splitAt(bytes, [cut]))).toEqual(expected);
  });

  it('a single data line (the fast path) decodes any bytes exactly as TextDecoder does', () => {
    const td = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    let x = 987654321;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    // Bytes that make valid and invalid UTF-8: ASCII, continuation bytes, lead bytes of every length, 0xC0/0xF5+.
    const pool = [0x61, 0x7b, 0x22, 0x80, 0x9f, 0xbf, 0xc0, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x82, 0x98];
    for (let k = 0; k < 2000; k++) {
      const value = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => pool[Math.floor(rnd() * pool.length)]!);
      const bytes = new Uint8Array([...enc.encode('data: '), ...value, 0x0a, 0x0a]);
      expect(parseAll(bytes)).toEqual([ev(td.decode(new Uint8Array(value)), bytes.length)]);
    }
  });

  it('does not keep a view of the pushed chunk (the caller may reuse the buffer)', () => {
    // parseChunks zeroes each chunk after push(); the data must survive.
    expect(parseChunks([enc.encode('data: hel'), enc.encode('lo\ndata: wor'), enc.encode('ld\n'), enc.encode('\n')])).toEqual([
      ev('hello\nworld', 25),
    ]);
  });
});

describe('SseParser oversized events', () => {
  const max = 32;
  const big = 'x'.repeat(100);

  it('reports an oversized event, keeps memory bounded and parses the following events', () => {
    const body = `data: small\n\ndata: ${big}\ndata: tail\n\nevent: e\ndata: after\n\n`;
    const bytes = enc.encode(body);
    const expected = [
      ev('small', 13),
      ev('', body.indexOf('event: e'), 'message', true),
      ev('after', bytes.length, 'e'),
    ];
    expect(parseAll(bytes, max)).toEqual(expected);
    expect(reference(bytes, max)).toEqual(expected);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks(splitAt(bytes, [cut]), max), `cut ${cut}`).toEqual(expected);
    }
    const rand = rng(3);
    for (let k = 0; k < 100; k++) expect(parseChunks(randomChunks(bytes, rand, 8), max)).toEqual(expected);
  });

  it('counts many data lines that together exceed the limit', () => {
    const body = `${'data: 0123456789\n'.repeat(4)}\ndata: ok\n\n`;
    expect(parseAll(body, max)).toEqual([ev('', 69, 'message', true), ev('ok', 79)]);
  });

  it('accepts data of exactly maxEventBytes, whatever the chunking', () => {
    const body = `data: ${'y'.repeat(max)}\n\n`;
    const bytes = enc.encode(body);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks(splitAt(bytes, [cut]), max + 6)).toEqual([ev('y'.repeat(max), bytes.length)]);
    }
  });

  it('ignores an oversized comment line', () => {
    const body = `:${big}\ndata: a\n\n`;
    const bytes = enc.encode(body);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks(splitAt(bytes, [cut]), max), `cut ${cut}`).toEqual([ev('a', bytes.length)]);
    }
  });

  it('holds at most about maxEventBytes of a huge line', () => {
    const events: SseEvent[] = [];
    const p = new SseParser((e) => events.push(e), 1024);
    p.push(enc.encode('data: '));
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 160; i++) p.push(chunk); // 10 MiB, never buffered
    const internal = p as unknown as { partialLen: number; dataLen: number };
    expect(internal.partialLen).toBeLessThanOrEqual(1024);
    expect(internal.dataLen).toBe(0);
    p.push(enc.encode('\n\ndata: z\n\n'));
    expect(events).toEqual([ev('', 6 + 160 * 65536 + 2, 'message', true), ev('z', 6 + 160 * 65536 + 2 + 9)]);
  });
});

describe('SseParser against the reference implementation (fuzz)', () => {
  const pieces = [
    'data: ', 'data:', 'data', 'event: ', 'event:x', 'id: 1', 'retry: 5', ': c', ':', 'x', '{"k":"v"}', 'é', '😀', '你',
    '\n', '\n', '\n', '\r', '\r\n', '\r\n', ' ', '[DONE]',
  ];
  const rawBytes = [0xff, 0xc3, 0xe2, 0x82, 0xf0, 0x9f];

  function randomStream(rand: () => number): Uint8Array {
    const parts: number[] = [];
    if (rand() < 0.1) parts.push(0xef, 0xbb, 0xbf);
    const n = Math.floor(rand() * 40);
    for (let i = 0; i < n; i++) {
      if (rand() < 0.05) parts.push(rawBytes[Math.floor(rand() * rawBytes.length)]!);
      else parts.push(...enc.encode(pieces[Math.floor(rand() * pieces.length)]!));
    }
    return new Uint8Array(parts);
  }

  it('matches on 3000 random streams in random chunkings and limits', () => {
    const rand = rng(20260101);
    for (let k = 0; k < 3000; k++) {
      const bytes = randomStream(rand);
      const max = rand() < 0.5 ? 1 << 20 : 4 + Math.floor(rand() * 20);
      const expected = reference(bytes, max);
      const label = `stream ${k}: ${JSON.stringify(new TextDecoder().decode(bytes))} max ${max}`;
      expect(parseAll(bytes, max), label).toEqual(expected);
      expect(parseChunks(randomChunks(bytes, rand, 5), max), label).toEqual(expected);
    }
  });
});
