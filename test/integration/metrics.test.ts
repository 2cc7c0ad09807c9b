/**
 * Metric descriptors exactly as exported (name, unit, type, description,
 * bucket advice), and one record per exchange on every path at once.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS, TOKEN_BUCKETS } from '../helpers/expected.js';
import { descriptorOf, histogramPoints, useHarness, NO_PRICING } from '../helpers/harness.js';

const h = useHarness({ upstream: { chunkDelayMs: 2 }, instrumentation: NO_PRICING });
const MESSAGES = [{ role: 'user' as const, content: 'hello there' }];
const client = () => new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });

describe('metric descriptors', () => {
  it('name, unit, type and description of every instrument, and the advised buckets', async () => {
    const s = await client().chat.completions.create(
      { model: 'gpt-4.1', messages: MESSAGES, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-fake-scenario': 'cached' } },
    );
    for await (const _ of s) void _;
    await client().chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'no-usage' } });

    const metrics = await h.metrics();
    expect(metrics.map(descriptorOf).sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      {
        name: 'aimon.client.token.detail',
        unit: '{token}',
        type: 'COUNTER',
        description: 'Subsets of gen_ai.client.token.usage: cached input (cache_read, cache_creation) and reasoning output tokens.',
      },
      {
        name: 'aimon.client.usage.missing',
        unit: '{call}',
        type: 'COUNTER',
        description: 'Successful calls whose response carried no usage, so no tokens were counted.',
      },
      { name: 'gen_ai.client.operation.duration', unit: 's', type: 'HISTOGRAM', description: 'GenAI operation duration.' },
      {
        name: 'gen_ai.client.operation.time_per_output_chunk',
        unit: 's',
        type: 'HISTOGRAM',
        description: 'Time between consecutive chunks of a streaming response, for each chunk after the first.',
      },
      {
        name: 'gen_ai.client.operation.time_to_first_chunk',
        unit: 's',
        type: 'HISTOGRAM',
        description: 'Time to receive the first chunk of a streaming response, from the request start.',
      },
      { name: 'gen_ai.client.token.usage', unit: '{token}', type: 'HISTOGRAM', description: 'Number of input and output tokens used.' },
    ]);
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    for (const name of [
      'gen_ai.client.operation.duration',
      'gen_ai.client.operation.time_to_first_chunk',
      'gen_ai.client.operation.time_per_output_chunk',
    ]) {
      for (const p of histogramPoints(byName.get(name))) expect(p.boundaries).toEqual(DURATION_BUCKETS);
    }
    for (const p of histogramPoints(byName.get('gen_ai.client.token.usage'))) expect(p.boundaries).toEqual(TOKEN_BUCKETS);
  });
});

describe('one record per exchange', () => {
  it('twenty concurrent calls over every path: twenty spans, twenty durations, no duplicates', async () => {
    const c = client();
    const consume = async (p: Promise<AsyncIterable<unknown>>, stopAfter?: number) => {
      let n = 0;
      for await (const _ of await p) if (++n === stopAfter) break;
    };
    const ac = new AbortController();
    const calls: Array<Promise<unknown>> = [
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }),
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'rate-limit' } }),
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'server-error' } }),
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'html-502' } }),
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'html-200' } }),
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'truncated-json' } }),
      c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES }, { headers: { 'x-fake-scenario': 'reset-before-headers' } }),
      consume(c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true })),
      consume(c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true, stream_options: { include_usage: true } })),
      consume(c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true }), 1),
      consume(c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true }, { signal: ac.signal }), 3).then(() => ac.abort()),
      consume(c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true }, { headers: { 'x-fake-scenario': 'reset-mid-stream' } })),
      consume(c.chat.completions.create({ model: 'gpt-4.1', messages: MESSAGES, stream: true }, { headers: { 'x-fake-scenario': 'error-event' } })),
      c.embeddings.create({ model: 'text-embedding-3-small', input: 'a' }),
      c.embeddings.create({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'float' }),
      c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' }),
      consume(c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true })),
      fetch(`${h.upstream.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', stream: true }) }).then((r) => r.body!.cancel()),
      fetch(`${h.upstream.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm' }) }).then((r) => r.arrayBuffer()),
      fetch(`${h.upstream.baseURL}/chat/completions`, { method: 'POST', body: '{not json' }).then((r) => r.text()),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled).toHaveLength(20);

    const spans = h.genAiSpans();
    expect(spans).toHaveLength(20);
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(20);
    const durations = histogramPoints(await h.metric('gen_ai.client.operation.duration'));
    expect(durations.reduce((n, p) => n + p.count, 0)).toBe(20);
    const outcomes = spans.map((s) => String(s.attributes['aimon.outcome'])).sort();
    expect(outcomes).toEqual(
      [
        ...Array(7).fill('completed'), // JSON ok, html-200, truncated, 2 embeddings, legacy JSON, raw JSON
        'completed', // stream
        'completed', // stream with usage
        'completed', // legacy stream
        'aborted', // break (openai 7 aborts on break)
        'aborted', // AbortController
        'cancelled', // raw body.cancel()
        'error', // 429
        'error', // 500
        'error', // 502
        'error', // reset before headers
        'error', // reset mid-stream
        'error', // error event
        'error', // 400 for the invalid JSON body
      ].sort(),
    );
  });
});
