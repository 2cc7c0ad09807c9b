import { describe, expect, it } from 'vitest';
import { anthropicProtocol, normalizeAnthropicUsage } from '../../src/parse/anthropic.js';
import { TRUNCATION_MARKER } from '../../src/parse/content.js';
import type { ContentOptions } from '../../src/parse/protocol.js';
import { fixture, replay } from './_sse-fixture.js';

const OFF: ContentOptions = { capture: false, maxBytes: 16384 };
const ON: ContentOptions = { capture: true, maxBytes: 16384 };

describe('normalizeAnthropicUsage', () => {
  it('adds cache reads and cache writes to input_tokens, once', () => {
    // 12 uncached + 20480 read from cache + 1843 written to cache = 22335
    expect(
      normalizeAnthropicUsage({ input_tokens: 12, cache_creation_input_tokens: 1843, cache_read_input_tokens: 20480, output_tokens: 9 }),
    ).toEqual({ inputTokens: 22335, outputTokens: 9, cacheReadTokens: 20480, cacheCreationTokens: 1843 });
  });

  it('keeps input_tokens as is without cache counters, and ignores nulls', () => {
    expect(normalizeAnthropicUsage({ input_tokens: 310, output_tokens: 0 })).toEqual({ inputTokens: 310, outputTokens: 0 });
    expect(normalizeAnthropicUsage({ input_tokens: 5, cache_read_input_tokens: null, output_tokens: 2 })).toEqual({
      inputTokens: 5,
      outputTokens: 2,
    });
  });

  it('reports no input total when input_tokens itself is missing', () => {
    expect(normalizeAnthropicUsage({ cache_read_input_tokens: 64, output_tokens: 3 })).toEqual({ outputTokens: 3, cacheReadTokens: 64 });
  });

  it('returns undefined for no counters or non-objects', () => {
    expect(normalizeAnthropicUsage({})).toBeUndefined();
    expect(normalizeAnthropicUsage(null)).toBeUndefined();
    expect(normalizeAnthropicUsage('12')).toBeUndefined();
    expect(normalizeAnthropicUsage({ input_tokens: -1, output_tokens: 1.5 })).toBeUndefined();
  });
});

describe('anthropicProtocol.parseRequest', () => {
  const body = fixture('anthropic/request-cached.json');

  it('reads the request parameters (top_k has no attribute and is skipped); no content by default', () => {
    expect(anthropicProtocol.parseRequest(body, 'chat', OFF)).toEqual({
      model: 'claude-sonnet-4-5',
      stream: false,
      includeUsage: false,
      hasStreamOptions: false,
      maxTokens: 1024,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['\n\nHuman:', 'END'],
    });
  });

  it('captures system and messages in the conventions shape when asked', () => {
    const r = anthropicProtocol.parseRequest(body, 'chat', ON)!;
    expect(JSON.parse(r.systemInstructions!)).toEqual([
      { type: 'text', content: 'You are a terse assistant.' },
      { type: 'text', content: 'Reference manual: ...' },
    ]);
    expect(JSON.parse(r.inputMessages!)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'What is the boiling point of water?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'At sea level?' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Yes, in Celsius.' }] },
    ]);
  });

  it('reads stream: true, and returns undefined for a body that is not a JSON object', () => {
    expect(anthropicProtocol.parseRequest('{"model":"claude-haiku-4-5","stream":true,"max_tokens":8}', 'chat', OFF)).toEqual({
      model: 'claude-haiku-4-5',
      stream: true,
      includeUsage: false,
      hasStreamOptions: false,
      maxTokens: 8,
    });
    expect(anthropicProtocol.parseRequest('{"model":', 'chat', OFF)).toBeUndefined();
    expect(anthropicProtocol.parseRequest('[]', 'chat', OFF)).toBeUndefined();
  });
});

describe('anthropicProtocol.summarizeJson', () => {
  it('golden: cached response', () => {
    expect(anthropicProtocol.summarizeJson(fixture('anthropic/response-cached.json'), 'chat', OFF)).toEqual({
      id: 'msg_01SANITISED0000000000001',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['end_turn'],
      usage: { inputTokens: 22335, outputTokens: 9, cacheReadTokens: 20480, cacheCreationTokens: 1843 },
    });
  });

  it('golden: tool use, with output content captured', () => {
    const s = anthropicProtocol.summarizeJson(fixture('anthropic/response-tool-use.json'), 'chat', ON);
    expect({ ...s, outputMessages: JSON.parse(s.outputMessages!) }).toEqual({
      id: 'msg_01SANITISED0000000000002',
      model: 'claude-sonnet-4-5-20250929',
      finishReasons: ['tool_use'],
      usage: { inputTokens: 380, outputTokens: 54, cacheReadTokens: 0, cacheCreationTokens: 0 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Let me check.' },
            { type: 'tool_call', id: 'toolu_01SANITISED', name: 'get_weather', arguments: { city: 'Paris' } },
          ],
          finish_reason: 'tool_call',
        },
      ],
    });
  });

  it('marks bodies that are not the expected JSON as unparseable', () => {
    const text = fixture('anthropic/response-cached.json');
    expect(anthropicProtocol.summarizeJson(text.slice(0, 80), 'chat', OFF)).toEqual({ unparseable: true });
    expect(anthropicProtocol.summarizeJson('<html>502</html>', 'chat', OFF)).toEqual({ unparseable: true });
  });
});

describe('anthropicProtocol stream', () => {
  const text = fixture('anthropic/stream-cached-tool-use.sse');
  const expected = {
    id: 'msg_01SANITISED0000000000003',
    model: 'claude-sonnet-4-5-20250929',
    finishReasons: ['tool_use'],
    // 25 uncached + 4096 cache reads + 0 cache writes; message_delta repeats
    // the same cumulative counters and must not be added a second time.
    usage: { inputTokens: 4121, outputTokens: 57, cacheReadTokens: 4096, cacheCreationTokens: 0 },
  };

  it.each([1, 7, 64, 1 << 20])('golden: cached tool-use stream in %i-byte chunks', (size) => {
    const acc = anthropicProtocol.newStream('chat', OFF);
    const kinds = replay(acc, text, size);
    expect(kinds).toEqual(['other', 'other', 'other', 'output', 'output', 'other', 'other', 'output', 'output', 'output', 'other', 'other', 'done']);
    expect(acc.sawEnd).toBe(true);
    expect(acc.sawError).toBe(false);
    expect(acc.model).toBe('claude-sonnet-4-5-20250929');
    expect(acc.summary()).toEqual(expected);
  });

  it('reassembles the streamed output (text and tool-call arguments) when capture is on', () => {
    const acc = anthropicProtocol.newStream('chat', ON);
    replay(acc, text);
    const s = acc.summary();
    expect({ ...s, outputMessages: JSON.parse(s.outputMessages!) }).toEqual({
      ...expected,
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Checking the weather.' },
            { type: 'tool_call', id: 'toolu_01SANITISED', name: 'get_weather', arguments: { city: 'Paris' } },
          ],
          finish_reason: 'tool_call',
        },
      ],
    });
  });

  it('gateway: late input and cache counters in message_delta, nulls ignored', () => {
    const acc = anthropicProtocol.newStream('chat', OFF);
    replay(acc, fixture('anthropic/stream-gateway-late-usage.sse'));
    // input_tokens 310 from message_start (message_delta's null does not erase it) + 128 cache reads = 438
    expect(acc.summary()).toEqual({
      id: 'msg_gw_SANITISED0004',
      model: 'claude-haiku-4-5',
      finishReasons: ['max_tokens'],
      usage: { inputTokens: 438, outputTokens: 42, cacheReadTokens: 128 },
    });
  });

  it('an error event sets sawError; the stream did not reach its end', () => {
    const acc = anthropicProtocol.newStream('chat', OFF);
    const kinds = replay(acc, fixture('anthropic/stream-error.sse'));
    expect(kinds).toEqual(['other', 'other', 'output', 'error']);
    expect(acc.sawError).toBe(true);
    expect(acc.sawEnd).toBe(false);
    expect(acc.summary()).toEqual({
      id: 'msg_01SANITISED0000000000005',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 18, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 },
    });
  });

  it('reads events sent without an event: field (type taken from the data)', () => {
    const bare = text.replace(/^event: .*\n/gm, '');
    const acc = anthropicProtocol.newStream('chat', OFF);
    const kinds = replay(acc, bare);
    expect(kinds.filter((k) => k === 'output')).toHaveLength(5);
    expect(acc.sawEnd).toBe(true);
    expect(acc.summary()).toEqual(expected);
  });

  it('bounds captured output to maxBytes and marks the cut', () => {
    const acc = anthropicProtocol.newStream('chat', { capture: true, maxBytes: 200 });
    replay(acc, text);
    const out = acc.summary().outputMessages!;
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).toContain(TRUNCATION_MARKER);
    expect(Array.isArray(JSON.parse(out))).toBe(true);
  });
});

describe('content capture is off by default', () => {
  it('records no content for requests, JSON responses or streams', () => {
    const r = anthropicProtocol.parseRequest(fixture('anthropic/request-cached.json'), 'chat', OFF)!;
    expect(r.inputMessages).toBeUndefined();
    expect(r.systemInstructions).toBeUndefined();
    expect(anthropicProtocol.summarizeJson(fixture('anthropic/response-tool-use.json'), 'chat', OFF).outputMessages).toBeUndefined();
    const acc = anthropicProtocol.newStream('chat', OFF);
    replay(acc, fixture('anthropic/stream-cached-tool-use.sse'));
    expect(acc.summary().outputMessages).toBeUndefined();
  });
});
