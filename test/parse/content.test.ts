import { describe, expect, it } from 'vitest';
import { boundedJson, ContentBudget, StreamedMessage, TRUNCATION_MARKER } from '../../src/parse/content.js';
import { openaiProtocol } from '../../src/parse/openai.js';
import type { ContentOptions } from '../../src/parse/protocol.js';
import { StreamSummary } from '../../src/parse/stream.js';
import { replay } from './_sse-fixture.js';

const OFF: ContentOptions = { capture: false, maxBytes: 16384 };
const ON: ContentOptions = { capture: true, maxBytes: 16384 };

describe('boundedJson', () => {
  it('is JSON.stringify when the value fits', () => {
    const v = [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }];
    expect(boundedJson(v, 1000)).toBe(JSON.stringify(v));
  });

  it('cuts the longest strings first, keeps valid JSON within the bound, and marks each cut', () => {
    const v = [
      { role: 'user', parts: [{ type: 'text', content: 'a'.repeat(500) }] },
      { role: 'user', parts: [{ type: 'text', content: 'short' }] },
    ];
    const out = boundedJson(v, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    const parsed = JSON.parse(out) as typeof v;
    expect(parsed).toHaveLength(2);
    expect(parsed[0]!.parts[0]!.content.endsWith(TRUNCATION_MARKER)).toBe(true);
    // The short string and the structural fields are untouched.
    expect(parsed[1]).toEqual(v[1]);
    expect(parsed[0]!.role).toBe('user');
  });

  it('drops the oldest messages when even empty strings do not fit', () => {
    const v = Array.from({ length: 50 }, (_, i) => ({ role: 'user', parts: [{ type: 'text', content: `m${i}` }] }));
    const out = boundedJson(v, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    const parsed = JSON.parse(out) as typeof v;
    expect(parsed.at(-1)).toEqual(v.at(-1));
    expect(parsed.length).toBeLessThan(50);
  });

  it('escaping counts: the bound holds for strings that grow when serialised', () => {
    const out = boundedJson([{ role: 'user', parts: [{ type: 'text', content: '"\n'.repeat(300) }] }], 256);
    expect(out.length).toBeLessThanOrEqual(256);
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });
});

describe('StreamedMessage', () => {
  it('holds at most maxBytes of deltas and marks the part it cut', () => {
    const m = new StreamedMessage(100);
    for (let i = 0; i < 10_000; i++) m.append('t', 'abcdefghij');
    const [part] = m.build();
    // 15 for the declared {"type":"text"} part, 85 characters of text, then the marker.
    expect(part).toEqual({ type: 'text', content: 'abcdefghij'.repeat(9).slice(0, 85) + TRUNCATION_MARKER });
  });

  it('shares one budget across messages (choices) of one response', () => {
    const budget = new ContentBudget(60);
    const a = new StreamedMessage(budget);
    const b = new StreamedMessage(budget);
    a.append('t', 'x'.repeat(40));
    b.append('t', 'y'.repeat(40));
    expect(budget.full).toBe(true);
    expect(a.build()).toEqual([{ type: 'text', content: 'x'.repeat(40) }]);
    // b's part is declared, then finds the budget spent: it records only the cut.
    expect(b.build()).toEqual([{ type: 'text', content: TRUNCATION_MARKER }]);
  });

  it('parses complete tool-call arguments, keeps a cut one as text', () => {
    const m = new StreamedMessage(1000);
    m.open('tc', { type: 'tool_call', id: 'call_1', name: 'f' }, 'arguments');
    m.append('tc', '{"a":');
    m.append('tc', '1}');
    expect(m.build()).toEqual([{ type: 'tool_call', id: 'call_1', name: 'f', arguments: { a: 1 } }]);
  });
});

describe('OpenAI chat completions content capture', () => {
  const request = JSON.stringify({
    model: 'gpt-4.1',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    ],
  });

  it('request: messages in the conventions shape (system messages stay in the history); nothing by default', () => {
    expect(openaiProtocol.parseRequest(request, 'chat', OFF)).toEqual({ model: 'gpt-4.1', stream: false, includeUsage: false, hasStreamOptions: false });
    const r = openaiProtocol.parseRequest(request, 'chat', ON)!;
    expect(r.systemInstructions).toBeUndefined();
    expect(JSON.parse(r.inputMessages!)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather?' }, { type: 'uri', modality: 'image', uri: 'https://example.com/a.png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'sunny' }] },
    ]);
  });

  it('legacy completions prompt; embeddings never capture', () => {
    const r = openaiProtocol.parseRequest('{"model":"gpt-3.5-turbo-instruct","prompt":"Say hi"}', 'text_completion', ON)!;
    expect(r.inputMessages).toBe('[{"role":"user","parts":[{"type":"text","content":"Say hi"}]}]');
    expect(openaiProtocol.parseRequest('{"model":"e","input":"x"}', 'embeddings', ON)!.inputMessages).toBeUndefined();
  });

  it('JSON response: one output message per choice with its finish reason', () => {
    const body = JSON.stringify({
      id: 'chatcmpl-1',
      model: 'gpt-4.1',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Crimson.' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(openaiProtocol.summarizeJson(body, 'chat', OFF).outputMessages).toBeUndefined();
    const s = openaiProtocol.summarizeJson(body, 'chat', ON);
    expect(s.finishReasons).toEqual(['stop', 'tool_calls']);
    expect(JSON.parse(s.outputMessages!)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Crimson.' }], finish_reason: 'stop' },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: {} }], finish_reason: 'tool_call' },
    ]);
  });

  const chunk = (choices: unknown[], usage: unknown = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-2', object: 'chat.completion.chunk', model: 'gpt-4.1', choices, usage })}\n\n`;
  const stream = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    chunk([{ index: 1, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: 'Red' }, finish_reason: null }]),
    chunk([{ index: 1, delta: { tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'g', arguments: '' } }] }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: ' and blue' }, finish_reason: null }]),
    chunk([{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }, finish_reason: null }]),
    chunk([{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: '2}' } }] }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([{ index: 1, delta: {}, finish_reason: 'tool_calls' }]),
    chunk([], { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 }),
    'data: [DONE]\n\n',
  ].join('');

  it('stream: capture off uses the plain StreamSummary', () => {
    const acc = openaiProtocol.newStream('chat', OFF);
    expect(acc.constructor).toBe(StreamSummary);
    replay(acc, stream);
    expect(acc.summary().outputMessages).toBeUndefined();
  });

  it('stream: reassembles each choice (text and tool-call arguments); the summary is otherwise the same', () => {
    const plain = openaiProtocol.newStream('chat', OFF);
    const kindsPlain = replay(plain, stream);
    const acc = openaiProtocol.newStream('chat', ON);
    const kinds = replay(acc, stream);
    expect(kinds).toEqual(kindsPlain);
    const { outputMessages, ...rest } = acc.summary();
    expect(rest).toEqual(plain.summary());
    expect(JSON.parse(outputMessages!)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Red and blue' }], finish_reason: 'stop' },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_9', name: 'g', arguments: { x: 2 } }], finish_reason: 'tool_call' },
    ]);
  });
});
