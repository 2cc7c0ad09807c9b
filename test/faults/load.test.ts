/**
 * 1,000 concurrent streams through the simulator, uninstrumented and then
 * instrumented: every app reads the same text, and every exchange is recorded
 * exactly once with its usage.
 */
import { describe, expect, it } from 'vitest';
import { histogramPoints, NO_PRICING, useHarness } from '../helpers/harness.js';
import { chatBody, post } from './differential.js';

const h = useHarness({ upstream: { chunks: 10, chunkDelayMs: 2 }, instrumentation: NO_PRICING });
const N = 1000;

async function streams(f: typeof fetch): Promise<{ texts: string[]; ms: number }> {
  const t0 = performance.now();
  const texts = await Promise.all(
    Array.from({ length: N }, async () => {
      const res = await f(`${h.upstream.baseURL}/chat/completions`, post(chatBody({ stream: true, stream_options: { include_usage: true } })));
      // The simulator numbers its responses: the id is the only difference between two runs.
      return (await res.text()).replace(/chatcmpl-\d+/g, 'chatcmpl-N');
    }),
  );
  return { texts, ms: performance.now() - t0 };
}

describe('1,000 concurrent streams', () => {
  it('the app reads the same bytes; 1,000 spans, all completed with usage; 1,000 duration points', { timeout: 120_000 }, async () => {
    const plain = await streams(h.originalFetch);
    const instrumented = await streams(globalThis.fetch);
    expect(new Set(instrumented.texts)).toEqual(new Set(plain.texts));
    expect(instrumented.texts).toHaveLength(N);
    expect(new Set(plain.texts).size).toBe(1);

    const spans = h.genAiSpans();
    expect(spans).toHaveLength(N);
    const byOutcome = new Map<string, number>();
    for (const s of spans) {
      const k = `${s.attributes['aimon.outcome']}/${s.attributes['gen_ai.usage.output_tokens']}/${s.attributes['aimon.stream.chunks']}`;
      byOutcome.set(k, (byOutcome.get(k) ?? 0) + 1);
    }
    expect(Object.fromEntries(byOutcome)).toEqual({ 'completed/10/11': N });
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(N);
    const points = histogramPoints(await h.metric('gen_ai.client.operation.duration'));
    expect(points.map((p) => [p.attributes['aimon.outcome'], p.count])).toEqual([['completed', N]]);
    // Reported, not asserted tightly: the machine is shared.
    console.log(`1000 concurrent streams: uninstrumented ${plain.ms.toFixed(0)} ms, instrumented ${instrumented.ms.toFixed(0)} ms`);
    expect(instrumented.ms).toBeLessThan(plain.ms * 5 + 5000);
  });
});
