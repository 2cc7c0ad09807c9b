/**
 * The official @anthropic-ai/sdk (v1.14) through the instrumented global
 * fetch, against the fake upstream's Anthropic Messages route: JSON,
 * `stream: true` and the `messages.stream()` helper, with Anthropic's cache
 * accounting (cache reads and writes outside input_tokens) normalised so that
 * gen_ai.usage.input_tokens includes them.
 */
import Anthropic from '@anthropic-ai/sdk';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINTS, HostMatcher } from '../../src/hosts.js';
import '../../src/protocols.js';
import { ANTHROPIC_CACHE_CREATION, ANTHROPIC_CACHE_READ } from '../../src/sim/extra-routes.js';
import { REPLY_WORDS } from '../../src/sim/upstream.js';
import { DURATION_BUCKETS, TOKEN_BUCKETS } from '../helpers/expected.js';
import { INSTRUMENTS } from '../../src/instruments.js';
import { histogramPoints, spanSeconds, stableAttributes, sumPoints, useHarness, type Harness } from '../helpers/harness.js';

const h = useHarness({
  upstream: { chunkDelayMs: 2 },
  instrumentation: (u) => ({ hosts: [`127.0.0.1:${u.port}=anthropic`] }),
});

const MODEL = 'claude-sonnet-4-5';
const SYSTEM = 'Be brief.'; // 9 characters
const MESSAGES = [{ role: 'user' as const, content: 'hello there' }]; // 11 characters
// The simulator counts one input token per 4 characters of system + message text: ceil(20 / 4) = 5.
const UNCACHED = 5;
const REPLY = REPLY_WORDS.slice(0, 10).join(' ');
const OUTPUT = 10;
const CACHED = { headers: { 'x-fake-scenario': 'cached' } };

function client(): Anthropic {
  // Created per test: the SDK takes globalThis.fetch when it is constructed.
  // Its own tracing stays off here so the test sees only our spans either way.
  return new Anthropic({ baseURL: h.upstream.url, apiKey: 'sk-ant-test', maxRetries: 0, openTelemetry: false });
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

function requestAttrs(stream: boolean): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'server.address': '127.0.0.1',
    'server.port': h.upstream.port,
    'gen_ai.request.model': MODEL,
    'gen_ai.request.stream': stream,
    'gen_ai.request.max_tokens': 256,
  };
}

/** Usage attributes of the `cached` scenario: 5 uncached + 1000 cache reads + 200 cache writes = 1205 input tokens. */
const CACHED_USAGE = {
  'gen_ai.usage.input_tokens': UNCACHED + ANTHROPIC_CACHE_READ + ANTHROPIC_CACHE_CREATION,
  'gen_ai.usage.output_tokens': OUTPUT,
  'gen_ai.usage.cache_read.input_tokens': ANTHROPIC_CACHE_READ,
  'gen_ai.usage.cache_creation.input_tokens': ANTHROPIC_CACHE_CREATION,
};

function metricAttrs(): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'server.address': '127.0.0.1',
    'server.port': h.upstream.port,
    'gen_ai.request.model': MODEL,
    'gen_ai.response.model': MODEL,
  };
}

async function expectCachedTokenMetrics(): Promise<void> {
  const m = metricAttrs();
  const tokens = histogramPoints(await h.metric('gen_ai.client.token.usage'));
  expect(tokens).toEqual([
    { attributes: { ...m, 'gen_ai.token.type': 'input' }, count: 1, sum: 1205, boundaries: TOKEN_BUCKETS, counts: expect.any(Array) },
    { attributes: { ...m, 'gen_ai.token.type': 'output' }, count: 1, sum: OUTPUT, boundaries: TOKEN_BUCKETS, counts: expect.any(Array) },
  ]);
  // 1205 falls in the (1024, 4096] bucket, index 6; 10 in (4, 16], index 2.
  expect(tokens[0]!.counts[6]).toBe(1);
  expect(tokens[1]!.counts[2]).toBe(1);
  expect(sumPoints(await h.metric('aimon.client.token.detail'))).toEqual([
    { attributes: { ...m, 'aimon.token.detail': 'cache_creation' }, value: ANTHROPIC_CACHE_CREATION },
    { attributes: { ...m, 'aimon.token.detail': 'cache_read' }, value: ANTHROPIC_CACHE_READ },
  ]);
}

async function expectStreamTimings(span: ReturnType<typeof onlySpan>): Promise<void> {
  const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
  expect(ttfc).toBeGreaterThan(0);
  expect(ttfc).toBeLessThanOrEqual(spanSeconds(span));
  const m = metricAttrs();
  const ttfcPts = histogramPoints(await h.metric('gen_ai.client.operation.time_to_first_chunk'));
  expect(ttfcPts.map((p) => ({ attributes: p.attributes, count: p.count, boundaries: p.boundaries, sum: p.sum }))).toEqual([
    { attributes: m, count: 1, boundaries: DURATION_BUCKETS, sum: ttfc },
  ]);
  // One interval per content_block_delta after the first.
  const tpoc = histogramPoints(await h.metric('gen_ai.client.operation.time_per_output_chunk'));
  expect(tpoc.map((p) => ({ attributes: p.attributes, count: p.count }))).toEqual([{ attributes: m, count: OUTPUT - 1 }]);
}

describe('routing', () => {
  it('sends /v1/messages on HolySheep and api.anthropic.com to the Anthropic protocol; OpenAI paths still match first', () => {
    const m = new HostMatcher(DEFAULT_ENDPOINTS);
    const pick = (url: string) => {
      const t = m.match(url);
      return t && { operation: t.operation, protocol: t.protocol, provider: t.endpoint.provider };
    };
    expect(pick('https://api.holysheep.ai/v1/messages')).toEqual({ operation: 'chat', protocol: 'anthropic', provider: 'holysheep' });
    expect(pick('https://api.anthropic.com/v1/messages')).toEqual({ operation: 'chat', protocol: 'anthropic', provider: 'anthropic' });
    expect(pick('https://api.holysheep.ai/v1/chat/completions')).toEqual({ operation: 'chat', protocol: 'openai', provider: 'holysheep' });
    expect(pick('https://api.holysheep.ai/v1/completions')).toEqual({ operation: 'text_completion', protocol: 'openai', provider: 'holysheep' });
    // Not LLM calls: token counting, batches, and OpenAI Assistants thread messages.
    expect(pick('https://api.anthropic.com/v1/messages/count_tokens')).toBeUndefined();
    expect(pick('https://api.anthropic.com/v1/messages/batches')).toBeUndefined();
    expect(pick('https://api.openai.com/v1/threads/thread_1/messages')).toBeUndefined();
  });
});

describe('Anthropic Messages, JSON', () => {
  it('records the span with normalised cache accounting, and the token metrics; the SDK result is unchanged', async () => {
    const msg = await client().messages.create(
      { model: MODEL, max_tokens: 256, system: SYSTEM, messages: MESSAGES, temperature: 0.3, top_p: 0.8, top_k: 5, stop_sequences: ['END'] },
      CACHED,
    );
    expect(msg).toEqual({
      id: expect.stringMatching(/^msg_sim/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: REPLY }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: UNCACHED,
        cache_creation_input_tokens: ANTHROPIC_CACHE_CREATION,
        cache_read_input_tokens: ANTHROPIC_CACHE_READ,
        cache_creation: { ephemeral_5m_input_tokens: ANTHROPIC_CACHE_CREATION, ephemeral_1h_input_tokens: 0 },
        output_tokens: OUTPUT,
        service_tier: 'standard',
      },
    });

    const span = onlySpan(h);
    expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(core(span.attributes)).toEqual({
      ...requestAttrs(false),
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.top_p': 0.8,
      'gen_ai.request.stop_sequences': ['END'],
      'aimon.outcome': 'completed',
      'gen_ai.response.id': msg.id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...CACHED_USAGE,
      'http.response.status_code': 200,
    });
    await expectCachedTokenMetrics();
    expect(histogramPoints(await h.metric('gen_ai.client.operation.time_to_first_chunk'))).toEqual([]);
  });

  it('without cache activity reports zero cache counters and input_tokens as sent', async () => {
    const msg = await client().messages.create({ model: MODEL, max_tokens: 256, system: SYSTEM, messages: MESSAGES });
    expect(msg.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(onlySpan(h).attributes).toMatchObject({
      'gen_ai.usage.input_tokens': UNCACHED,
      'gen_ai.usage.output_tokens': OUTPUT,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'gen_ai.usage.cache_creation.input_tokens': 0,
    });
  });

  it('a 429 is an error span with the status as error.type; the SDK still throws its own error', async () => {
    await expect(
      client().messages.create({ model: MODEL, max_tokens: 256, messages: MESSAGES }, { headers: { 'x-fake-scenario': 'rate-limit' } }),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    const span = h.genAiSpans()[0]!;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('429');
    expect(span.attributes['aimon.outcome']).toBe('error');
  });
});

describe('Anthropic Messages, streaming', () => {
  it('messages.create({ stream: true }): span, time to first chunk, cache accounting counted once', async () => {
    const stream = await client().messages.create({ model: MODEL, max_tokens: 256, system: SYSTEM, messages: MESSAGES, stream: true }, CACHED);
    const types: string[] = [];
    let text = '';
    let id = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'message_start') id = ev.message.id;
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    }
    expect(text).toBe(REPLY);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(OUTPUT).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);

    const span = onlySpan(h);
    expect(span.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(core(stableAttributes(span))).toEqual({
      ...requestAttrs(true),
      'aimon.outcome': 'completed',
      'gen_ai.response.id': id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      // message_start and message_delta both carry the cumulative counters:
      // still 5 + 1000 + 200, not twice the cache.
      ...CACHED_USAGE,
      'aimon.stream.chunks': OUTPUT,
      'http.response.status_code': 200,
    });
    await expectStreamTimings(span);
    await expectCachedTokenMetrics();
  });

  it('messages.stream() helper: the final message is unchanged and the span is complete', async () => {
    const s = client().messages.stream({ model: MODEL, max_tokens: 256, system: SYSTEM, messages: MESSAGES }, CACHED);
    const deltas: string[] = [];
    s.on('text', (t) => deltas.push(t));
    const final = await s.finalMessage();
    expect(deltas.join('')).toBe(REPLY);
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: REPLY })]);
    expect(final.usage).toMatchObject({ input_tokens: UNCACHED, cache_read_input_tokens: ANTHROPIC_CACHE_READ, output_tokens: OUTPUT });

    const span = onlySpan(h);
    expect(core(stableAttributes(span))).toEqual({
      ...requestAttrs(true),
      'aimon.outcome': 'completed',
      'gen_ai.response.id': final.id,
      'gen_ai.response.model': MODEL,
      'gen_ai.response.finish_reasons': ['end_turn'],
      ...CACHED_USAGE,
      'aimon.stream.chunks': OUTPUT,
      'http.response.status_code': 200,
    });
    await expectStreamTimings(span);
    await expectCachedTokenMetrics();
  });

  it('an error event mid-stream makes the span an error; the SDK throws as it would uninstrumented', async () => {
    const stream = await client().messages.create(
      { model: MODEL, max_tokens: 256, messages: MESSAGES, stream: true },
      { headers: { 'x-fake-scenario': 'error-event' } },
    );
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/Overloaded/);
    const span = onlySpan(h);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.attributes['error.type']).toBe('stream_error');
  });
});

describe('content capture', () => {
  it('is off by default: no message content on the span', async () => {
    await client().messages.create({ model: MODEL, max_tokens: 256, system: SYSTEM, messages: MESSAGES });
    const a = onlySpan(h).attributes;
    expect(a['gen_ai.input.messages']).toBeUndefined();
    expect(a['gen_ai.output.messages']).toBeUndefined();
    expect(a['gen_ai.system_instructions']).toBeUndefined();
  });
});

// Gated on the cost instruments existing, so this file holds on a checkout without pricing.
describe.skipIf(!('costUsd' in INSTRUMENTS))('cost with Anthropic cache accounting', () => {
  it('prices uncached input, cache reads, cache writes and output each at their own rate', async () => {
    await client().messages.create({ model: MODEL, max_tokens: 256, system: SYSTEM, messages: MESSAGES }, CACHED);
    // claude-sonnet-4-5 list prices per 1M tokens: input $3, cache read $0.30, 5-minute cache write $3.75, output $15.
    // 5 × 3 + 1000 × 0.3 + 200 × 3.75 + 10 × 15 = 15 + 300 + 750 + 150 = 1215 USD per 1M → $0.001215.
    const a = onlySpan(h).attributes;
    expect(a['aimon.cost.usd']).toBe(0.001215);
    expect(sumPoints(await h.metric('aimon.client.cost.usd')).map((p) => [p.attributes['aimon.cost.kind'], p.value])).toEqual([
      ['cache_write', 0.00075],
      ['cached_input', 0.0003],
      ['input', 0.000015],
      ['output', 0.00015],
    ]);
  });
});
