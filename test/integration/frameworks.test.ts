/**
 * Frameworks that call through global fetch: the Vercel AI SDK's
 * OpenAI-compatible provider and LangChain's OpenAI classes (which bundle
 * their own openai 5.12). Same capture, no code change.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { SpanStatusCode } from '@opentelemetry/api';
import { embed, generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { base, usage } from '../helpers/expected.js';
import { stableAttributes, useHarness, NO_PRICING } from '../helpers/harness.js';

const h = useHarness({ instrumentation: NO_PRICING });

describe('Vercel AI SDK (ai 5 + @ai-sdk/openai-compatible 1)', () => {
  const provider = (includeUsage: boolean) =>
    createOpenAICompatible({ name: 'sim', baseURL: h.upstream.baseURL, apiKey: 'sk-test', includeUsage });

  it('generateText: one chat span with usage', async () => {
    const r = await generateText({ model: provider(false).chatModel('gpt-4.1'), prompt: 'hello there', maxRetries: 0 });
    expect(r.text).toBe('The quick brown fox jumps over the lazy dog again');
    expect(r.usage.inputTokens).toBe(3);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': false,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': r.response.id,
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'http.response.status_code': 200,
    });
  });

  it('streamText with includeUsage: usage from the final chunk', async () => {
    const r = streamText({ model: provider(true).chatModel('gpt-4.1'), prompt: 'hello there', maxRetries: 0 });
    let text = '';
    for await (const t of r.textStream) text += t;
    expect(text).toBe('The quick brown fox jumps over the lazy dog again');
    expect((await r.usage).outputTokens).toBe(10);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(stableAttributes(spans[0]!)).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': true,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': spans[0]!.attributes['gen_ai.response.id'],
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'aimon.stream.chunks': 11,
      'http.response.status_code': 200,
    });
    expect(spans[0]!.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('streamText without includeUsage: usage-missing, no tokens', async () => {
    const r = streamText({ model: provider(false).chatModel('gpt-4.1'), prompt: 'hello there', maxRetries: 0 });
    await r.consumeStream();
    const span = h.genAiSpans()[0]!;
    expect(span.attributes['aimon.usage.missing']).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('embed: an embeddings span', async () => {
    const r = await embed({ model: provider(false).textEmbeddingModel('text-embedding-3-small'), value: 'alpha', maxRetries: 0 });
    expect(r.embedding).toHaveLength(8);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'embeddings', 'text-embedding-3-small'),
      'gen_ai.request.encoding_formats': ['float'],
      'aimon.outcome': 'completed',
      'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.embeddings.dimension.count': 8,
      'gen_ai.usage.input_tokens': 2,
      'http.response.status_code': 200,
    });
  });

  it('a 429 is an error span; the SDK throws its own error', async () => {
    await expect(
      generateText({ model: provider(false).chatModel('rate-limit'), prompt: 'hello there', maxRetries: 0 }),
    ).rejects.toMatchObject({ statusCode: 429 });
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(spans[0]!.attributes['error.type']).toBe('429');
  });
});

describe('LangChain (@langchain/openai 0.6)', () => {
  const chat = (extra: Record<string, unknown> = {}) =>
    new ChatOpenAI({ model: 'gpt-4.1', apiKey: 'sk-test', maxRetries: 0, configuration: { baseURL: h.upstream.baseURL }, ...extra });

  it('invoke: one chat span with usage', async () => {
    const msg = await chat({ temperature: 0.2 }).invoke('hello there');
    expect(msg.content).toBe('The quick brown fox jumps over the lazy dog again');
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toEqual({
      ...base(h.upstream.port, 'chat', 'gpt-4.1'),
      'gen_ai.request.stream': false,
      'gen_ai.request.temperature': 0.2,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': msg.id,
      'gen_ai.response.model': 'gpt-4.1',
      'gen_ai.response.finish_reasons': ['stop'],
      ...usage(3),
      'http.response.status_code': 200,
    });
  });

  it('stream: one streaming span', async () => {
    let text = '';
    for await (const c of await chat({ streamUsage: true }).stream('hello there')) text += String(c.content);
    expect(text).toBe('The quick brown fox jumps over the lazy dog again');
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'aimon.outcome': 'completed', 'aimon.stream.chunks': 11 });
  });

  it('OpenAIEmbeddings: an embeddings span', async () => {
    const emb = new OpenAIEmbeddings({
      model: 'text-embedding-3-small',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: h.upstream.baseURL },
    });
    const vectors = await emb.embedDocuments(['alpha', 'beta']);
    expect(vectors).toHaveLength(2);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.embeddings.dimension.count': 8,
      'aimon.outcome': 'completed',
    });
  });
});
