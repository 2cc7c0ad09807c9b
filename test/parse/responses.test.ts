import { describe, expect, it } from 'vitest';
import type { ContentOptions } from '../../src/parse/protocol.js';
import { responsesProtocol } from '../../src/parse/responses.js';
import { fixture, replay } from './_sse-fixture.js';

const OFF: ContentOptions = { capture: false, maxBytes: 16384 };
const ON: ContentOptions = { capture: true, maxBytes: 16384 };

const withParsedContent = <T extends { outputMessages?: string }>(s: T) => ({ ...s, outputMessages: JSON.parse(s.outputMessages!) as unknown });

describe('responsesProtocol.parseRequest', () => {
  const body = fixture('responses/request.json');

  it('reads the request parameters; max_output_tokens is gen_ai.request.max_tokens; no content by default', () => {
    expect(responsesProtocol.parseRequest(body, 'chat', OFF)).toEqual({
      model: 'o4-mini',
      stream: true,
      includeUsage: false,
      hasStreamOptions: false,
      maxTokens: 512,
      temperature: 0.7,
      topP: 1,
    });
  });

  it('captures instructions and input items (messages, tool calls, tool outputs)', () => {
    const r = responsesProtocol.parseRequest(body, 'chat', ON)!;
    expect(JSON.parse(r.systemInstructions!)).toEqual([{ type: 'text', content: 'Answer in one word.' }]);
    expect(JSON.parse(r.inputMessages!)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_SANITISED1', name: 'lookup', arguments: { q: 'France' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_SANITISED1', response: 'Paris' }] },
    ]);
  });

  it('captures a plain string input as one user message', () => {
    const r = responsesProtocol.parseRequest('{"model":"gpt-4.1","input":"Say hi"}', 'chat', ON)!;
    expect(r.inputMessages).toBe('[{"role":"user","parts":[{"type":"text","content":"Say hi"}]}]');
    expect(r.systemInstructions).toBeUndefined();
  });
});

describe('responsesProtocol.summarizeJson', () => {
  it('golden: reasoning model with cached input (OpenAI counts both inside the totals)', () => {
    expect(responsesProtocol.summarizeJson(fixture('responses/response-reasoning-cached.json'), 'chat', OFF)).toEqual({
      id: 'resp_SANITISED0001',
      model: 'o4-mini-2025-04-16',
      finishReasons: ['stop'],
      usage: { inputTokens: 1200, outputTokens: 350, cacheReadTokens: 1024, reasoningTokens: 256 },
    });
  });

  it('golden: incomplete at max_output_tokens reads as length', () => {
    expect(responsesProtocol.summarizeJson(fixture('responses/response-incomplete.json'), 'chat', OFF)).toEqual({
      id: 'resp_SANITISED0002',
      model: 'gpt-4.1-2025-04-14',
      finishReasons: ['length'],
      usage: { inputTokens: 40, outputTokens: 16, cacheReadTokens: 0, reasoningTokens: 0 },
    });
  });

  it('golden: a function call reads as tool_calls, and is captured as a tool_call part', () => {
    expect(withParsedContent(responsesProtocol.summarizeJson(fixture('responses/response-function-call.json'), 'chat', ON))).toEqual({
      id: 'resp_SANITISED0003',
      model: 'gpt-4.1-2025-04-14',
      finishReasons: ['tool_calls'],
      usage: { inputTokens: 75, outputTokens: 18, cacheReadTokens: 0, reasoningTokens: 0 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_SANITISED3', name: 'get_weather', arguments: { city: 'Paris' } }],
          finish_reason: 'tool_call',
        },
      ],
    });
  });

  it('captures output text (reasoning items without summary add no part)', () => {
    const s = responsesProtocol.summarizeJson(fixture('responses/response-reasoning-cached.json'), 'chat', ON);
    expect(JSON.parse(s.outputMessages!)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }], finish_reason: 'stop' }]);
  });

  it('marks bodies that are not a JSON object as unparseable', () => {
    const text = fixture('responses/response-incomplete.json');
    expect(responsesProtocol.summarizeJson(text.slice(0, text.length - 5), 'chat', OFF)).toEqual({ unparseable: true });
    expect(responsesProtocol.summarizeJson('<html></html>', 'chat', OFF)).toEqual({ unparseable: true });
  });
});

describe('responsesProtocol stream', () => {
  const text = fixture('responses/stream-text.sse');
  const expected = {
    id: 'resp_SANITISED0004',
    model: 'gpt-4.1-2025-04-14',
    finishReasons: ['stop'],
    usage: { inputTokens: 37, outputTokens: 11, cacheReadTokens: 0, reasoningTokens: 0 },
  };

  it.each([1, 9, 1 << 20])('golden: text stream in %i-byte chunks; response.completed is the logical end', (size) => {
    const acc = responsesProtocol.newStream('chat', OFF);
    const kinds = replay(acc, text, size);
    expect(kinds).toEqual(['other', 'other', 'other', 'other', 'output', 'output', 'output', 'other', 'other', 'other', 'done']);
    expect(acc.sawEnd).toBe(true);
    expect(acc.sawError).toBe(false);
    expect(acc.model).toBe('gpt-4.1-2025-04-14');
    expect(acc.summary()).toEqual(expected);
  });

  it('reassembles output text from the deltas when capture is on', () => {
    const acc = responsesProtocol.newStream('chat', ON);
    replay(acc, text);
    expect(withParsedContent(acc.summary())).toEqual({
      ...expected,
      outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Hello there!' }], finish_reason: 'stop' }],
    });
  });

  it('golden: function-call stream; argument deltas are output chunks', () => {
    const acc = responsesProtocol.newStream('chat', ON);
    const kinds = replay(acc, fixture('responses/stream-function-call.sse'));
    expect(kinds).toEqual(['other', 'other', 'output', 'output', 'other', 'other', 'done']);
    expect(withParsedContent(acc.summary())).toEqual({
      id: 'resp_SANITISED0005',
      model: 'gpt-4.1-2025-04-14',
      finishReasons: ['tool_calls'],
      usage: { inputTokens: 75, outputTokens: 18, cacheReadTokens: 64, reasoningTokens: 0 },
      outputMessages: [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_SANITISED5', name: 'get_weather', arguments: { city: 'Paris' } }],
          finish_reason: 'tool_call',
        },
      ],
    });
  });

  it('response.failed sets sawError (not a logical end) and still reports usage', () => {
    const acc = responsesProtocol.newStream('chat', OFF);
    const kinds = replay(acc, fixture('responses/stream-failed.sse'));
    expect(kinds).toEqual(['other', 'output', 'error']);
    expect(acc.sawError).toBe(true);
    expect(acc.sawEnd).toBe(false);
    expect(acc.summary()).toEqual({
      id: 'resp_SANITISED0006',
      model: 'gpt-4.1-2025-04-14',
      finishReasons: ['error'],
      usage: { inputTokens: 20, outputTokens: 1, cacheReadTokens: 0, reasoningTokens: 0 },
    });
  });

  it('an error event sets sawError', () => {
    const acc = responsesProtocol.newStream('chat', OFF);
    const kinds = replay(acc, 'event: error\ndata: {"type":"error","sequence_number":3,"code":"server_error","message":"x","param":null}\n\n');
    expect(kinds).toEqual(['error']);
    expect(acc.sawError).toBe(true);
    expect(acc.sawEnd).toBe(false);
  });

  it('reads events sent without an event: field', () => {
    const acc = responsesProtocol.newStream('chat', OFF);
    replay(acc, text.replace(/^event: .*\n/gm, ''));
    expect(acc.summary()).toEqual(expected);
  });

  it('an oversized response.completed still ends the stream (usage is then unknown)', () => {
    const acc = responsesProtocol.newStream('chat', OFF);
    replay(acc, text, 64, 600);
    expect(acc.sawEnd).toBe(true);
    expect(acc.summary()).toEqual({ id: 'resp_SANITISED0004', model: 'gpt-4.1-2025-04-14' });
  });

  it('records no content by default', () => {
    const acc = responsesProtocol.newStream('chat', OFF);
    replay(acc, text);
    expect(acc.summary().outputMessages).toBeUndefined();
    expect(responsesProtocol.summarizeJson(fixture('responses/response-function-call.json'), 'chat', OFF).outputMessages).toBeUndefined();
    const r = responsesProtocol.parseRequest(fixture('responses/request.json'), 'chat', OFF)!;
    expect(r.inputMessages).toBeUndefined();
    expect(r.systemInstructions).toBeUndefined();
  });
});
