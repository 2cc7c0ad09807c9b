/**
 * Bug: an AbortController abort through openai 7 was recorded as outcome
 * "cancelled" (openai 7 aborts its request, then cancels the body without
 * reading the AbortError), and an abort with a custom reason was recorded as
 * an error of class "Error". Fix: the tap checks the request's AbortSignal.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import OpenAI from 'openai';
import { expect, it } from 'vitest';
import { NO_PRICING, useHarness } from '../helpers/harness.js';

const h = useHarness({ upstream: { chunkDelayMs: 5 }, instrumentation: NO_PRICING });

it('openai 7 + AbortController mid-stream: outcome aborted', async () => {
  const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  const ac = new AbortController();
  const stream = await client.chat.completions.create(
    { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true },
    { signal: ac.signal },
  );
  let n = 0;
  for await (const _ of stream) if (++n === 2) ac.abort();
  expect(h.genAiSpans().map((s) => [s.attributes['aimon.outcome'], s.status.code])).toEqual([['aborted', SpanStatusCode.UNSET]]);
});

it('raw fetch aborted with a custom reason: outcome aborted, not an error', async () => {
  const ac = new AbortController();
  const res = await fetch(`${h.upstream.baseURL}/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'gpt-4.1', stream: true, messages: [] }),
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  ac.abort(new Error('navigated away'));
  await expect(reader.read()).rejects.toThrow('navigated away');
  const span = h.genAiSpans()[0]!;
  expect([span.attributes['aimon.outcome'], span.attributes['error.type'], span.status.code]).toEqual(['aborted', undefined, SpanStatusCode.UNSET]);
});
