/**
 * The official openai package (v7) `responses.create`, JSON and streaming,
 * through the instrumented global fetch against the fake upstream's
 * Responses route: spans, cached and reasoning tokens, finish reasons derived
 * from status, time to first chunk, and content capture off by default.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { REPLY_WORDS } from '../../src/sim/upstream.js';
import { base, DURATION_BUCKETS, metricBase, TOKEN_BUCKETS } from '../helpers/expected.js';
import { INSTRUMENTS } from '../../src/instruments.js';
import { histogramPoints, spanSeconds, stableAttributes, sumPoints, useHarness, type Harness } from '../helpers/harness.js';

const h = useHarness({ upstream: { chunkDelayMs: 2 } });

const MODEL = 'gpt-4.1';
const INSTRUCTIONS = 'Answer briefly.'; // 15 characters
const INPUT = 'hello there'; // 11 characters
// The simulator counts one input token per 4 characters of instructions + input: ceil(26 / 4) = 7.
const PROMPT = 7;
const OUTPUT = 10;
const REPLY = REPLY_WORDS.slice(0, OUTPUT).join(' ');
const CACHED = { headers: { 'x-fake-scenario': 'cached' } };

function client(): OpenAI {
  return new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
}

/**
 * Span attributes without cost: pricing (aimon.cost.*, aimon.price.*) is
 * owned and asserted by the cost tests; the cost of these calls is checked
 * on its own below.
 */
function core(a: Attributes): Attributes {
  return Object.fromEntries(Object.entries(a).filter(([k]) => !k.startsWith('aimon.cost.') && !k.startsWith('aimon.price.')));
}

function onlySpan(harness: Harness) {
  const spans = harness.genAiSpans();
  expect(spans).toHaveLength(1);
  const span = spans[0]!;
  expect(span.kind).toBe(SpanKind.CLIENT);
  expect(span.name).toBe(`chat ${MODEL}`);
  return span;
}

/** `cached` scenario: OpenAI counts cached input inside input_tokens and reasoning inside output_tokens. */
const CACHED_USAGE: Attributes = {
  'gen_ai.usage.input_tokens': PROMPT,
  'gen_ai.usage.output_tokens': OUTPUT,
  'gen_ai.usage.cache_read.input_tokens': 3, // floor(7 / 2)
  'gen_ai.usage.reasoning.output_tokens': 5, // floor(10 / 2)
};

async function expectCachedTokenMetrics(): Promise<void> {
  const m = metricBase(h.upstream.port, 'chat', MODEL);
  expect(
    histogramPoints(await h.metric('gen_ai.client.token.usage')).map((p) => ({ attributes: p.attributes, sum: p.sum, count: p.count, boundaries: p.boundaries })),
  ).toEqual([
    { attributes: { ...m, 'gen_ai.token.type': 'input' }, sum: PROMPT, count: 1, boundaries: TOKEN_BUCKETS },
    { attributes: { ...m, 'gen_ai.token.type': 'output' }, sum: OUTPUT, count: 1, boundaries: TOKEN_BUCKETS },
  ]);
  expect(sumPoints(await h.metric('aimon.client.token.detail'))).toEqual([
    { attributes: { ...m, 'aimon.token.detail': 'cache_read' }, value: 3 },
    { attributes: { ...m, 'aimon.token.detail': 'reasoning' }, value: 5 },
  ]);
}

describe('Responses API, JSON', () => {
  it('records the span with cached and reasoning tokens; the SDK result is unchanged', async () => {
    const res = await client().responses.create(
      { model: MODEL, instructions: INSTRUCTIONS, input: INPUT, max_output_tokens: 64, temperature: 0.4, top_p: 0.9 },
      CACHED,
    );
    expect(res.output_text).toBe(REPLY);
    expect(res.status).toBe('completed');
    expect(res.usage).toEqual({
      input_tokens: PROMPT,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: OUTPUT,
      output_tokens_details: { reasoning_tokens: 5 },
      total_tokens: PROMPT + OUTPUT,
    });

    const span = onlySpan(h);
    expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(core(span.attributes)).toEqual({
      ...base(h.upstream.port, 'chat', MODEL),
      'gen_ai.request.stream': false,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.top_p': 0.9,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': res.id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      ...CACHED_USAGE,
      'http.response.status_code': 200,
    });
    await expectCachedTokenMetrics();
  });

  it('an incomplete response (max_output_tokens reached) reads as finish reason length', async () => {
    const res = await client().responses.create({ model: MODEL, input: INPUT, max_output_tokens: 4 });
    expect(res.status).toBe('incomplete');
    expect(res.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    const a = onlySpan(h).attributes;
    expect(a['gen_ai.response.finish_reasons']).toEqual(['length']);
    expect(a['gen_ai.usage.output_tokens']).toBe(4);
    expect(a['gen_ai.usage.input_tokens']).toBe(3); // ceil(11 / 4)
  });
});

describe('Responses API, streaming', () => {
  it('responses.create({ stream: true }): events unchanged, usage from response.completed, time to first chunk', async () => {
    const stream = await client().responses.create({ model: MODEL, instructions: INSTRUCTIONS, input: INPUT, stream: true }, CACHED);
    const types: string[] = [];
    let text = '';
    let id = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.created') id = ev.response.id;
      if (ev.type === 'response.output_text.delta') text += ev.delta;
    }
    expect(text).toBe(REPLY);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(OUTPUT).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);

    const span = onlySpan(h);
    expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(core(stableAttributes(span))).toEqual({
      ...base(h.upstream.port, 'chat', MODEL),
      'gen_ai.request.stream': true,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      ...CACHED_USAGE,
      'aimon.stream.chunks': OUTPUT,
      'http.response.status_code': 200,
    });
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(ttfc).toBeGreaterThan(0);
    expect(ttfc).toBeLessThanOrEqual(spanSeconds(span));

    const m = metricBase(h.upstream.port, 'chat', MODEL);
    const ttfcPts = histogramPoints(await h.metric('gen_ai.client.operation.time_to_first_chunk'));
    expect(ttfcPts.map((p) => ({ attributes: p.attributes, count: p.count, boundaries: p.boundaries, sum: p.sum }))).toEqual([
      { attributes: m, count: 1, boundaries: DURATION_BUCKETS, sum: ttfc },
    ]);
    const tpoc = histogramPoints(await h.metric('gen_ai.client.operation.time_per_output_chunk'));
    expect(tpoc.map((p) => ({ attributes: p.attributes, count: p.count }))).toEqual([{ attributes: m, count: OUTPUT - 1 }]);
    await expectCachedTokenMetrics();
  });

  it('responses.stream() helper: the final response is unchanged and the span is complete', async () => {
    const s = client().responses.stream({ model: MODEL, instructions: INSTRUCTIONS, input: INPUT }, CACHED);
    const final = await s.finalResponse();
    expect(final.output_text).toBe(REPLY);
    const span = onlySpan(h);
    expect(core(stableAttributes(span))).toEqual({
      ...base(h.upstream.port, 'chat', MODEL),
      'gen_ai.request.stream': true,
      'aimon.outcome': 'completed',
      'gen_ai.response.id': final.id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['stop'],
      ...CACHED_USAGE,
      'aimon.stream.chunks': OUTPUT,
      'http.response.status_code': 200,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('an error event mid-stream is an error span; the SDK throws as it would uninstrumented', async () => {
    const stream = await client().responses.create({ model: MODEL, input: INPUT, stream: true }, { headers: { 'x-fake-scenario': 'error-event' } });
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/upstream overloaded/);
    const span = onlySpan(h);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('stream_error');
    expect(span.attributes['aimon.usage.missing']).toBe(true);
  });
});

describe('content capture', () => {
  it('is off by default: no message content on the span', async () => {
    await client().responses.create({ model: MODEL, instructions: INSTRUCTIONS, input: INPUT });
    const a = onlySpan(h).attributes;
    expect(a['gen_ai.input.messages']).toBeUndefined();
    expect(a['gen_ai.output.messages']).toBeUndefined();
    expect(a['gen_ai.system_instructions']).toBeUndefined();
  });
});

// Gated on the cost instruments existing, so this file holds on a checkout without pricing.
describe.skipIf(!('costUsd' in INSTRUMENTS))('cost', () => {
  it('prices cached input at its discount and reasoning inside output', async () => {
    await client().responses.create({ model: MODEL, instructions: INSTRUCTIONS, input: INPUT }, CACHED);
    // gpt-4.1 list prices per 1M tokens: input $2, cached input $0.50, output $8.
    // (7 − 3) × 2 + 3 × 0.5 + 10 × 8 = 8 + 1.5 + 80 = 89.5 USD per 1M → $0.0000895.
    expect(onlySpan(h).attributes['aimon.cost.usd']).toBe(0.0000895);
  });
});
