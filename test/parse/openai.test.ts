import { describe, expect, it } from 'vitest';
import { normalizeUsage, openaiProtocol, parseRequestBody, summarizeJsonResponse } from '../../src/parse/openai.js';
import { StreamSummary } from '../../src/parse/stream.js';
import { fixtureText } from './sse-helpers.js';

describe('parseRequestBody', () => {
  it('reads every parameter', () => {
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say "model": "x"' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\n', 'END'],
      seed: -42,
      frequency_penalty: 0.5,
      presence_penalty: -1.5,
      n: 3,
      encoding_format: 'base64',
    });
    expect(parseRequestBody(body)).toEqual({
      model: 'gpt-4o-mini',
      stream: true,
      includeUsage: true,
      hasStreamOptions: true,
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['\n\n', 'END'],
      seed: -42,
      frequencyPenalty: 0.5,
      presencePenalty: -1.5,
      choiceCount: 3,
      encodingFormats: ['base64'],
    });
  });

  it('a minimal body', () => {
    expect(parseRequestBody('{"model":"m","messages":[]}')).toEqual({
      model: 'm',
      stream: false,
      includeUsage: false,
      hasStreamOptions: false,
    });
  });

  it('max_completion_tokens wins over max_tokens, in either order', () => {
    expect(parseRequestBody('{"max_tokens":10,"max_completion_tokens":20}')?.maxTokens).toBe(20);
    expect(parseRequestBody('{"max_completion_tokens":20,"max_tokens":10}')?.maxTokens).toBe(20);
    expect(parseRequestBody('{"max_completion_tokens":null,"max_tokens":10}')?.maxTokens).toBe(10);
  });

  it('stop as a string or an array; other shapes are ignored', () => {
    expect(parseRequestBody('{"stop":"###"}')?.stopSequences).toEqual(['###']);
    expect(parseRequestBody('{"stop":["a","b"]}')?.stopSequences).toEqual(['a', 'b']);
    expect(parseRequestBody('{"stop":["a",1]}')).toEqual({ stream: false, includeUsage: false, hasStreamOptions: false });
    expect(parseRequestBody('{"stop":null}')).toEqual({ stream: false, includeUsage: false, hasStreamOptions: false });
  });

  it('stream_options without include_usage, or with it false, is present but not including usage', () => {
    expect(parseRequestBody('{"stream":true,"stream_options":{}}')).toEqual({
      stream: true,
      includeUsage: false,
      hasStreamOptions: true,
    });
    expect(parseRequestBody('{"stream":true,"stream_options":{"include_usage":false}}')).toEqual({
      stream: true,
      includeUsage: false,
      hasStreamOptions: true,
    });
    expect(parseRequestBody('{"stream":"true","stream_options":null}')).toEqual({
      stream: false,
      includeUsage: false,
      hasStreamOptions: true,
    });
  });

  it('ignores values of the wrong type', () => {
    expect(
      parseRequestBody(
        '{"model":5,"max_tokens":-1,"temperature":"hot","top_p":null,"seed":1.5,"n":2.5,"frequency_penalty":"x","encoding_format":["float"]}',
      ),
    ).toEqual({ stream: false, includeUsage: false, hasStreamOptions: false });
  });

  it('a "model" key nested in tools or metadata, or inside a string, does not win over the top-level one', () => {
    const body = JSON.stringify({
      tools: [{ type: 'function', function: { name: 'pick', parameters: { type: 'object', properties: { model: { type: 'string' } } } } }],
      metadata: { model: 'from-metadata' },
      messages: [{ role: 'user', content: '{"model":"from-content"}' }],
      model: 'gpt-4.1',
    });
    expect(parseRequestBody(body)?.model).toBe('gpt-4.1');
    expect(parseRequestBody('{"metadata":{"model":"x"}}')?.model).toBeUndefined();
  });

  it('a duplicated top-level key takes the last value, as JSON.parse and the server do', () => {
    const body = '{"model":"first","stream":false,"model":"second","stream":true}';
    expect(JSON.parse(body)).toEqual({ model: 'second', stream: true });
    expect(parseRequestBody(body)).toEqual({ model: 'second', stream: true, includeUsage: false, hasStreamOptions: false });
  });

  it.each(['', 'null', '[]', '"model"', '{"model":"m"', '{"model":"m"} x', '{"model":"m",}', 'model=m', '<html>'])(
    'invalid JSON %j → undefined',
    (body) => {
      expect(parseRequestBody(body)).toBeUndefined();
    },
  );

  it('white space around the object is fine', () => {
    expect(parseRequestBody('\n {"model":"m"} \n')?.model).toBe('m');
  });
});

describe('normalizeUsage', () => {
  it('OpenAI chat with cached and reasoning tokens', () => {
    expect(
      normalizeUsage({
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 2006, outputTokens: 300, cacheReadTokens: 1920, reasoningTokens: 192 });
  });

  it('DeepSeek cache hit and miss', () => {
    expect(
      normalizeUsage({
        prompt_tokens: 120,
        completion_tokens: 40,
        total_tokens: 160,
        prompt_tokens_details: { cached_tokens: 64 },
        prompt_cache_hit_tokens: 64,
        prompt_cache_miss_tokens: 56,
        completion_tokens_details: { reasoning_tokens: 20 },
      }),
    ).toEqual({ inputTokens: 120, outputTokens: 40, cacheReadTokens: 64, reasoningTokens: 20 });
    // Without prompt_tokens, hit + miss is the input.
    expect(normalizeUsage({ prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 56, completion_tokens: 3 })).toEqual({
      inputTokens: 120,
      outputTokens: 3,
      cacheReadTokens: 64,
    });
  });

  it('embeddings', () => {
    expect(normalizeUsage({ prompt_tokens: 8, total_tokens: 8 })).toEqual({ inputTokens: 8 });
  });

  it('a gateway relaying Anthropic cache accounting', () => {
    expect(
      normalizeUsage({
        prompt_tokens: 3000,
        completion_tokens: 50,
        total_tokens: 3050,
        prompt_tokens_details: { cached_tokens: 1000 },
        cache_creation_input_tokens: 1800,
        cache_read_input_tokens: 1000,
      }),
    ).toEqual({ inputTokens: 3000, outputTokens: 50, cacheReadTokens: 1000, cacheCreationTokens: 1800 });
    expect(normalizeUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 2, cache_write_tokens: 5 } })).toEqual({
      inputTokens: 10,
      cacheReadTokens: 2,
      cacheCreationTokens: 5,
    });
  });

  it('Responses-style names', () => {
    expect(
      normalizeUsage({
        input_tokens: 36,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 87,
        output_tokens_details: { reasoning_tokens: 64 },
        total_tokens: 123,
      }),
    ).toEqual({ inputTokens: 36, outputTokens: 87, cacheReadTokens: 0, reasoningTokens: 64 });
  });

  it('null details objects are ignored', () => {
    expect(normalizeUsage({ prompt_tokens: 5, completion_tokens: 1, prompt_tokens_details: null, completion_tokens_details: null })).toEqual({
      inputTokens: 5,
      outputTokens: 1,
    });
  });

  it.each([null, undefined, 0, 'usage', [], {}, { total_tokens: 9 }, { prompt_tokens: -1 }, { prompt_tokens: 1.5 }, { prompt_tokens: '5' }])(
    '%j → undefined',
    (raw) => {
      expect(normalizeUsage(raw)).toBeUndefined();
    },
  );
});

describe('summarizeJsonResponse over recorded responses', () => {
  it('chat completion', () => {
    expect(summarizeJsonResponse(fixtureText('chat-completion.json'), 'chat')).toEqual({
      id: 'chatcmpl-C1dE2fG3hI4jK5lM6nO7pQ8rS9tU',
      model: 'gpt-4o-2024-08-06',
      usage: { inputTokens: 1542, outputTokens: 87, cacheReadTokens: 1280, reasoningTokens: 0 },
      finishReasons: ['stop'],
    });
  });

  it('chat completion with n=2', () => {
    expect(summarizeJsonResponse(fixtureText('chat-completion-n2.json'), 'chat')).toEqual({
      id: 'chatcmpl-D2eF3gH4iJ5kL6mN7oP8qR9sT0u',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 18, outputTokens: 7, cacheReadTokens: 0, reasoningTokens: 0 },
      finishReasons: ['stop', 'length'],
    });
  });

  it('reasoning model', () => {
    expect(summarizeJsonResponse(fixtureText('chat-completion-reasoning-o3-mini.json'), 'chat')).toEqual({
      id: 'chatcmpl-E3fG4hI5jK6lM7nO8pQ9rS0tU1v',
      model: 'o3-mini-2025-01-31',
      usage: { inputTokens: 30, outputTokens: 540, cacheReadTokens: 0, reasoningTokens: 512 },
      finishReasons: ['stop'],
    });
  });

  it('legacy completion', () => {
    expect(summarizeJsonResponse(fixtureText('completion-legacy.json'), 'text_completion')).toEqual({
      id: 'cmpl-F4gH5iJ6kL7mN8oP9qR0sT1uV2w',
      model: 'gpt-3.5-turbo-instruct:20230824-v2',
      usage: { inputTokens: 5, outputTokens: 7 },
      finishReasons: ['length'],
    });
  });

  it('embeddings as floats: dimension count', () => {
    const text = fixtureText('embeddings-float-1536.json');
    expect(JSON.parse(text).data[0].embedding.length).toBe(1536);
    expect(summarizeJsonResponse(text, 'embeddings')).toEqual({
      model: 'text-embedding-3-small',
      usage: { inputTokens: 8 },
      dimensionCount: 1536,
    });
  });

  it('embeddings as base64: dimension count from the decoded float32 length', () => {
    const text = fixtureText('embeddings-base64-256.json');
    expect(Buffer.from(JSON.parse(text).data[0].embedding, 'base64').length / 4).toBe(256);
    expect(summarizeJsonResponse(text, 'embeddings')).toEqual({
      model: 'text-embedding-3-large',
      usage: { inputTokens: 11 },
      dimensionCount: 256,
    });
  });

  it.each([1, 2, 3, 4, 5, 767, 768, 1536, 3072])('base64 embedding of %d floats (every padding)', (dims) => {
    const b64 = Buffer.from(new Float32Array(dims).fill(0.5).buffer).toString('base64');
    const text = JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: b64 }], model: 'e' });
    expect(summarizeJsonResponse(text, 'embeddings')).toEqual({ model: 'e', dimensionCount: dims });
  });

  it('an error body parses to nothing (the status carries the error)', () => {
    expect(summarizeJsonResponse(fixtureText('error-rate-limit.json'), 'chat')).toEqual({});
  });

  it('an HTML page is unparseable', () => {
    expect(summarizeJsonResponse(fixtureText('html-502-bad-gateway.html'), 'chat')).toEqual({ unparseable: true });
  });

  it('truncated JSON is unparseable', () => {
    expect(summarizeJsonResponse(fixtureText('chat-completion-truncated.json'), 'chat')).toEqual({ unparseable: true });
  });

  it('a "usage" or "model" member inside a choice does not count', () => {
    const text = '{"choices":[{"index":0,"model":"inner","usage":{"prompt_tokens":9},"finish_reason":"stop"}],"model":"outer"}';
    expect(summarizeJsonResponse(text, 'chat')).toEqual({ model: 'outer', finishReasons: ['stop'] });
  });

  it('null finish reasons are left out', () => {
    expect(summarizeJsonResponse('{"choices":[{"finish_reason":null},{"finish_reason":"stop"}]}', 'chat')).toEqual({
      finishReasons: ['stop'],
    });
  });
});

describe('openaiProtocol', () => {
  it('wires the functions', () => {
    const content = { capture: false, maxBytes: 100 };
    expect(openaiProtocol.name).toBe('openai');
    expect(openaiProtocol.parseRequest('{"model":"m"}', 'chat', content)).toEqual(parseRequestBody('{"model":"m"}'));
    expect(openaiProtocol.summarizeJson('{"id":"x"}', 'chat', content)).toEqual({ id: 'x' });
    expect(openaiProtocol.newStream('chat', content)).toBeInstanceOf(StreamSummary);
  });
});
