import { describe, expect, it } from 'vitest';
import { injectIncludeUsage, InjectedUsageFilter, type FilteredEvent } from '../../src/parse/inject.js';
import { SseParser } from '../../src/parse/sse.js';
import { StreamSummary } from '../../src/parse/stream.js';
import { enc, fixtureBytes, fixtureText, randomChunks, rng, splitAt } from './sse-helpers.js';

/** The app-facing bytes, wired as src/exchange.ts wires them (parser → summary → filter, per chunk). */
function filtered(chunks: readonly Uint8Array[]): { bytes: Uint8Array; summary: StreamSummary } {
  const summary = new StreamSummary();
  let pending: FilteredEvent[] = [];
  const parser = new SseParser((ev) => {
    pending.push({ kind: summary.onEvent(ev), endOffset: ev.endOffset, data: ev.data });
  });
  const filter = new InjectedUsageFilter();
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    parser.push(c);
    const bytes = filter.push(c, pending);
    pending = [];
    out.push(bytes);
  }
  parser.end();
  out.push(filter.flush());
  return { bytes: new Uint8Array(Buffer.concat(out)), summary };
}

const dec = new TextDecoder();
const withUsage = fixtureBytes('chat-stream-include-usage.sse');
const withoutUsage = fixtureText('chat-stream-no-usage.sse');

describe('InjectedUsageFilter', () => {
  it('the fixtures differ only by what include_usage adds', () => {
    expect(dec.decode(withUsage).replaceAll(',"usage":null', '').replace(/data: [^\n]*"choices":\[\],"usage"[^\n]*\n\n/, '')).toBe(
      withoutUsage,
    );
  });

  it('gives the app exactly the stream it would get without include_usage, split at every byte', () => {
    for (let cut = 0; cut <= withUsage.length; cut++) {
      expect(dec.decode(filtered(splitAt(withUsage, [cut])).bytes), `cut at ${cut}`).toBe(withoutUsage);
    }
  });

  it('... and in random chunkings, while the summary still gets the usage', () => {
    const rand = rng(7);
    for (let k = 0; k < 200; k++) {
      const { bytes, summary } = filtered(randomChunks(withUsage, rand, k % 2 === 0 ? 3 : 200));
      expect(dec.decode(bytes)).toBe(withoutUsage);
      expect(summary.usage).toEqual({ inputTokens: 24, outputTokens: 11, cacheReadTokens: 0, reasoningTokens: 0 });
    }
  });

  it('with CRLF line ends, split at every byte', () => {
    const crlf = enc.encode(dec.decode(withUsage).replaceAll('\n', '\r\n'));
    const expected = withoutUsage.replaceAll('\n', '\r\n');
    for (let cut = 0; cut <= crlf.length; cut++) {
      expect(dec.decode(filtered(splitAt(crlf, [cut])).bytes), `cut at ${cut}`).toBe(expected);
    }
  });

  it('n=2: removes the usage chunk and every "usage":null member', () => {
    const n2 = fixtureBytes('chat-stream-n2-include-usage.sse');
    const expected = dec
      .decode(n2)
      .replaceAll(',"usage":null', '')
      .replace(/data: [^\n]*"choices":\[\],"usage"[^\n]*\n\n/, '');
    for (let cut = 0; cut <= n2.length; cut += 7) {
      expect(dec.decode(filtered(splitAt(n2, [cut])).bytes)).toBe(expected);
    }
  });

  it('removes "usage":null wherever it stands among the top-level members', () => {
    const body =
      'data: {"usage":null,"id":"a","choices":[{"index":0,"delta":{"content":"x"}}]}\n\n' +
      'data: {"id":"b","usage" : null , "choices":[{"index":0,"delta":{"content":"y"}}]}\n\n' +
      'data: {"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n' +
      'data: [DONE]\n\n';
    expect(dec.decode(filtered([enc.encode(body)]).bytes)).toBe(
      'data: {"id":"a","choices":[{"index":0,"delta":{"content":"x"}}]}\n\n' +
        'data: {"id":"b","choices":[{"index":0,"delta":{"content":"y"}}]}\n\n' +
        'data: [DONE]\n\n',
    );
  });

  it('passes comments, other events and a trailing partial event through unchanged', () => {
    const body = ': ping\n\nevent: other\ndata: {}\n\ndata: [DONE]\n\ndata: {"unfinished"';
    const bytes = enc.encode(body);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(dec.decode(filtered(splitAt(bytes, [cut])).bytes)).toBe(body);
    }
  });

  it('holds back nothing once an event is complete', () => {
    const f = new InjectedUsageFilter();
    const a = enc.encode('data: {"id":"x","choices":[]');
    expect(f.push(a, [])).toEqual(new Uint8Array(0));
    const b = enc.encode(',"usage":{"prompt_tokens":1}}\n\ndata: [DO');
    const out = f.push(b, [{ kind: 'usage', endOffset: a.length + 31, data: '' }]);
    expect(dec.decode(out)).toBe('');
    expect(dec.decode(f.push(enc.encode('NE]\n\n'), [{ kind: 'done', endOffset: a.length + b.length + 5, data: '[DONE]' }]))).toBe(
      'data: [DONE]\n\n',
    );
    expect(f.flush()).toEqual(new Uint8Array(0));
  });
});

describe('injectIncludeUsage', () => {
  it.each<[string, string | undefined]>([
    ['{"model":"gpt-4o","stream":true}', '{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true}}'],
    ['{ "model": "m", "stream": true }\n', '{ "model": "m", "stream": true,"stream_options":{"include_usage":true}}\n'],
    ['{}', '{"stream_options":{"include_usage":true}}'],
    ['{"messages":[{"role":"user","content":"}"}],"stream":true}', '{"messages":[{"role":"user","content":"}"}],"stream":true,"stream_options":{"include_usage":true}}'],
    ['[1,2]', undefined],
    ['{"a":1} trailing', undefined],
    ['', undefined],
    ['not json', undefined],
  ])('%j', (body, expected) => {
    expect(injectIncludeUsage(body)).toBe(expected);
    if (expected !== undefined) expect(JSON.parse(expected).stream_options).toEqual({ include_usage: true });
  });
});
