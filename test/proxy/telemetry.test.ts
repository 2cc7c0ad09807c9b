/**
 * Same telemetry, same code: one exchange made in process (the fetch tap) and
 * the same exchange made through the proxy record equal spans and metrics.
 * Only timings and the upstream's per-response id differ.
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { inProcessFetch, sleep, startTestProxy, testTelemetry, type TestProxy, type TestTelemetry } from './helpers.js';

const VARYING = new Set(['gen_ai.response.id', 'gen_ai.response.time_to_first_chunk']);

function spanShape(s: ReadableSpan): unknown {
  const attributes: Attributes = {};
  for (const [k, v] of Object.entries(s.attributes)) if (!VARYING.has(k)) attributes[k] = v;
  return { name: s.name, kind: s.kind, status: s.status, attributes, events: s.events.map((e) => e.name) };
}

/** Every metric with its descriptor and points; histograms by count (and sum for tokens), never by timing. */
function metricShape(ms: MetricData[]): unknown {
  return ms
    .map((m) => ({
      name: m.descriptor.name,
      unit: m.descriptor.unit,
      type: m.descriptor.type,
      description: m.descriptor.description,
      points: m.dataPoints
        .map((p) => {
          const v = p.value as number | { count: number; sum?: number };
          const value =
            m.dataPointType === DataPointType.HISTOGRAM
              ? { count: (v as { count: number }).count, ...(m.descriptor.unit === 's' ? {} : { sum: (v as { sum?: number }).sum }) }
              : v;
          return { attributes: p.attributes, value };
        })
        .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
    }))
    .filter((m) => m.points.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}

let upstream: FakeUpstream;
let proxy: TestProxy;
let local: TestTelemetry;
let direct: OpenAI;
let viaProxy: OpenAI;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(['--upstream', upstream.baseURL, '--provider', 'holysheep']);
  local = testTelemetry();
  direct = new OpenAI({ baseURL: upstream.baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: inProcessFetch(local, upstream.port, 'holysheep') });
  viaProxy = new OpenAI({ baseURL: proxy.baseURL, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

type Scenario = (c: OpenAI) => Promise<unknown>;
const SCENARIOS: Record<string, Scenario> = {
  chat: (c) => c.chat.completions.create({ model: 'gpt-4.1', temperature: 0.2, max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] }),
  'chat, cached usage': (c) => c.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: 'hello there, cache' }] }),
  stream: async (c) => {
    const s = await c.chat.completions.create({
      model: 'gpt-4.1-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream it' }],
    });
    for await (const _ of s);
  },
  'stream without usage': async (c) => {
    const s = await c.chat.completions.create({ model: 'gpt-4.1-mini', stream: true, messages: [{ role: 'user', content: 'no usage' }] });
    for await (const _ of s);
  },
  'stream broken off by the app': async (c) => {
    const s = await c.chat.completions.create({ model: 'gpt-4.1-nano', stream: true, messages: [{ role: 'user', content: 'stop early' }] });
    let n = 0;
    for await (const _ of s) if (++n === 2) break;
  },
  embeddings: (c) => c.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], encoding_format: 'float' }),
  'legacy completions': (c) => c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' }),
  'rate limited': (c) => c.chat.completions.create({ model: 'rate-limit', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined),
  'server error': (c) => c.chat.completions.create({ model: 'server-error', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined),
};

describe('proxy telemetry equals in-process telemetry', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      local.spans.reset();
      proxy.tel.spans.reset();
      await scenario(direct);
      await scenario(viaProxy);
      await sleep(30); // a cancelled stream ends its exchange on the next turn
      const a = local.spans.getFinishedSpans();
      const b = proxy.tel.spans.getFinishedSpans();
      expect(b.length).toBe(1);
      expect(b.map(spanShape)).toEqual(a.map(spanShape));
    });
  }

  it('metrics after all scenarios are equal, descriptor by descriptor and point by point', async () => {
    const a = metricShape(await local.metrics());
    const b = metricShape(await proxy.tel.metrics());
    expect((a as unknown[]).length).toBeGreaterThan(3);
    expect(b).toEqual(a);
  });
});

describe('stream usage injection through the proxy (AIMON_STREAM_USAGE=inject)', () => {
  it('the upstream is asked for usage, the client never sees the extra chunk, the span has the tokens', async () => {
    const p = await startTestProxy(['--upstream', upstream.baseURL], {}, { streamUsage: 'inject' });
    try {
      upstream.requests.length = 0;
      const c = new OpenAI({ baseURL: p.baseURL, apiKey: 'sk-test', maxRetries: 0 });
      const s = await c.chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'count me' }] });
      const chunks = [];
      for await (const x of s) chunks.push(x);
      expect(chunks.every((x) => x.choices.length === 1 && !('usage' in x))).toBe(true);
      expect(JSON.parse(upstream.requests[0]!.body).stream_options).toEqual({ include_usage: true });
      expect(upstream.requests[0]!.headers['accept-encoding']).toBe('identity');
      const span = p.tel.spans.getFinishedSpans()[0]!;
      expect(span.attributes).toMatchObject({ 'aimon.stream.usage_injected': true, 'gen_ai.usage.output_tokens': 10 });
    } finally {
      await p.close();
    }
  });
});
