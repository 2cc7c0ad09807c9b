/**
 * Bug: when the upstream sent an error event mid-stream, the openai SDK threw
 * it and cancelled the body, and the exchange ended as "cancelled" (not an
 * error). Fix: a cancel or abort after an error event ends as error
 * "stream_error", as reading to the end already did.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import OpenAI, { APIError } from 'openai';
import { expect, it } from 'vitest';
import { NO_PRICING, useHarness } from '../helpers/harness.js';

const h = useHarness({ instrumentation: NO_PRICING });

it('an error event that makes the SDK throw is recorded as an error', async () => {
  const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
  const stream = await client.chat.completions.create(
    { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true },
    { headers: { 'x-fake-scenario': 'error-event' } },
  );
  const err = await (async () => {
    for await (const _ of stream) void _;
  })().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(APIError);
  const span = h.genAiSpans()[0]!;
  expect([span.attributes['aimon.outcome'], span.attributes['error.type'], span.status.code]).toEqual([
    'error',
    'stream_error',
    SpanStatusCode.ERROR,
  ]);
});

it('raw fetch: cancelling after the error event is also an error', async () => {
  const res = await fetch(`${h.upstream.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'x-fake-scenario': 'error-event' },
    body: JSON.stringify({ model: 'gpt-4.1', stream: true, messages: [] }),
  });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('"error"')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  expect(h.genAiSpans()[0]!.attributes['error.type']).toBe('stream_error');
});
