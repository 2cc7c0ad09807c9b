import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../src/parse/sse.js';
import { needsParse, StreamSummary, type EventKind } from '../../src/parse/stream.js';
import { fixtureBytes, parseAll } from './sse-helpers.js';

function run(events: readonly SseEvent[]): { kinds: EventKind[]; s: StreamSummary } {
  const s = new StreamSummary();
  return { kinds: events.map((e) => s.onEvent(e)), s };
}

const msg = (data: string, type = 'message'): SseEvent => ({ type, data, oversized: false, endOffset: 0 });

const OPENAI_USAGE = {
  inputTokens: 24,
  outputTokens: 11,
  cacheReadTokens: 0,
  reasoningTokens: 0,
};

describe('StreamSummary over recorded streams', () => {
  it('an OpenAI chat stream with include_usage', () => {
    const { kinds, s } = run(parseAll(fixtureBytes('chat-stream-include-usage.sse')));
    expect(kinds).toEqual([...Array<EventKind>(11).fill('output'), 'usage', 'done']);
    // The usage-only chunk (choices: []) is not an output chunk.
    expect(s.outputChunks).toBe(11);
    expect(s.summary()).toEqual({
      id: 'chatcmpl-AaZq3xM2pLk9rT4vW8yB1nC6dE0f',
      model: 'gpt-4o-mini-2024-07-18',
      usage: OPENAI_USAGE,
      finishReasons: ['stop'],
    });
    expect([s.sawDone, s.sawEnd, s.sawError, s.unparseableEvents, s.oversizedEvents, s.model]).toEqual([
      true,
      true,
      false,
      0,
      0,
      'gpt-4o-mini-2024-07-18',
    ]);
  });

  it('the same stream without usage', () => {
    const { kinds, s } = run(parseAll(fixtureBytes('chat-stream-no-usage.sse')));
    expect(kinds).toEqual([...Array<EventKind>(11).fill('output'), 'done']);
    expect(s.summary()).toEqual({
      id: 'chatcmpl-AaZq3xM2pLk9rT4vW8yB1nC6dE0f',
      model: 'gpt-4o-mini-2024-07-18',
      finishReasons: ['stop'],
    });
  });

  it('n=2 with two finish reasons, in index order', () => {
    const { kinds, s } = run(parseAll(fixtureBytes('chat-stream-n2-include-usage.sse')));
    expect(kinds).toEqual(['output', 'output', 'output', 'output', 'output', 'output', 'usage', 'done']);
    expect(s.summary()).toEqual({
      id: 'chatcmpl-Bn2x7YqR4sT1uV9wX3zA5bC8dE6g',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 15, outputTokens: 4, cacheReadTokens: 0, reasoningTokens: 0 },
      finishReasons: ['stop', 'length'],
    });
  });
});

describe('StreamSummary edge cases', () => {
  const first = '{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}';
  const delta = (text: string) => `{"id":"c1","model":"m-1","choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}`;

  it('a mid-stream error object (OpenAI sends it as plain data)', () => {
    const err = '{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}';
    const { kinds, s } = run([msg(first), msg(delta('Hi')), msg(err)]);
    expect(kinds).toEqual(['output', 'output', 'error']);
    expect(s.sawError).toBe(true);
    expect(s.summary()).toEqual({ id: 'c1', model: 'm-1' });
  });

  it('an `event: error` event', () => {
    const { kinds, s } = run([msg(first), msg('{"message":"overloaded"}', 'error')]);
    expect(kinds).toEqual(['output', 'error']);
    expect(s.sawError).toBe(true);
  });

  it('an error as the very first event', () => {
    const { kinds, s } = run([msg('{"error":{"message":"bad","type":"invalid_request_error"}}')]);
    expect(kinds).toEqual(['error']);
    expect([s.sawError, s.outputChunks]).toEqual([true, 0]);
    expect(s.summary()).toEqual({});
  });

  it('garbage lines before the first chunk are unparseable; the stream recovers', () => {
    const { kinds, s } = run([msg('not json'), msg('[1,2]'), msg('null'), msg(first), msg(delta('x'))]);
    expect(kinds).toEqual(['other', 'other', 'other', 'output', 'output']);
    expect(s.unparseableEvents).toBe(3);
    expect(s.summary()).toEqual({ id: 'c1', model: 'm-1' });
  });

  it('a stream of garbage only is reported unparseable', () => {
    const { s } = run([msg('<html>'), msg('oops')]);
    expect(s.summary()).toEqual({ unparseable: true });
  });

  it('an oversized event counts as an output chunk the app received', () => {
    const s = new StreamSummary();
    s.onEvent(msg(first));
    expect(s.onEvent({ type: 'message', data: '', oversized: true, endOffset: 0 })).toBe('output');
    expect(s.oversizedEvents).toBe(1);
  });

  it('keeps the first id and the last non-empty model', () => {
    const { s } = run([
      msg(first),
      msg('{"id":"c2","model":"","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}'),
    ]);
    expect(s.summary()).toEqual({ id: 'c1', model: 'm-1', finishReasons: ['stop'] });
  });

  it('a content delta that mentions "usage" and "finish_reason" is still counted right', () => {
    const tricky = delta('"usage": {"prompt_tokens": 5}, "finish_reason": "stop", "error": 1');
    const { kinds, s } = run([msg(first), msg(tricky), msg(delta('usage'))]);
    expect(kinds).toEqual(['output', 'output', 'output']);
    expect(s.summary()).toEqual({ id: 'c1', model: 'm-1' });
  });

  it('DeepSeek puts usage on the last chunk that still has choices: it is output, and usage is read', () => {
    const last =
      '{"id":"c1","model":"deepseek-chat","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_cache_hit_tokens":8,"prompt_cache_miss_tokens":2}}';
    const { kinds, s } = run([msg(first), msg(last), msg('[DONE]')]);
    expect(kinds).toEqual(['output', 'output', 'done']);
    expect(s.summary()).toEqual({
      id: 'c1',
      model: 'deepseek-chat',
      usage: { inputTokens: 10, outputTokens: 3, cacheReadTokens: 8 },
      finishReasons: ['stop'],
    });
  });

  it('events after [DONE] are not output and change nothing', () => {
    const late = '{"id":"c9","model":"other","choices":[{"index":0,"delta":{"content":"late"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}';
    const { kinds, s } = run([msg(first), msg('[DONE]'), msg(late), msg(delta('x')), msg('junk')]);
    expect(kinds).toEqual(['output', 'done', 'other', 'other', 'other']);
    expect([s.outputChunks, s.unparseableEvents]).toEqual([1, 0]);
    expect(s.summary()).toEqual({ id: 'c1', model: 'm-1' });
  });
});

describe('needsParse', () => {
  it.each<[string, boolean]>([
    ['{"usage":{"prompt_tokens":1}}', true],
    ['{"usage":null}', false],
    ['{"usage" : null }', false],
    ['{"usage"\n:\tnull}', false],
    ['{"usage"\r\n:\r\nnull}', false],
    ['{"usage":0}', true],
    ['{"usage":"null"}', true],
    ['{"a":1}', false],
    // A content string that contains the text (JSON escapes its quotes).
    ['{"content":"the \\"usage\\": {\\"x\\":1}"}', false],
    ['{"content":"usage"}', false],
    ['{"content":"\\"usage"}', false],
    ['{"content":"usage: 5","usage":null}', false],
    ['{"usage":null,"x":{"usage":{"a":1}}}', true],
    ['{"choices":[{"finish_reason":null}]}', false],
    ['{"choices":[{"finish_reason":"stop"}]}', true],
    ['{"choices":[{"finish_reason" :\t"length"}]}', true],
    ['{"choices":[{"finish_reason":null}],"usage":null}', false],
    ['{"choices":[{"finish_reason":null}],"usage":{"total_tokens":3}}', true],
    ['{"usage":', true],
    ['"usage"', false],
    ['{"error":{"message":"x"}}', true],
    ['{"error":null}', true],
    ['{"content":"no error here"}', false],
  ])('%s → %s', (data, expected) => {
    expect(needsParse(data)).toBe(expected);
  });
});
