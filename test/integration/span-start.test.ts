/**
 * When the GenAI span is created (config spanStart, fetch-tap's requestCreated):
 * with nothing inside fetch reading the active context, at the end of the
 * call with the call's start time; with a subscriber on undici's
 * request-create channel (instrumentation-undici), or spanStart "request",
 * at the request, so that whatever runs inside fetch sees it active.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { AimonInstrumentation } from '../../src/instrumentation.js';
import { NO_PRICING, useHarness } from '../helpers/harness.js';
import { spanLog } from '../helpers/span-log.js';

const h = useHarness({ upstream: { chunkDelayMs: 2, chunks: 4 }, instrumentation: NO_PRICING });
/** What the app iterates for 4 content chunks: those, the finish chunk and the usage chunk. */
const CHUNKS: string[] = Array(6).fill('chunk');

/** A tracer provider whose processor logs span starts and ends into `events`, set on the instrumentation. */
function logged(events: string[], instrumentation: AimonInstrumentation = h.instrumentation): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  instrumentation.setTracerProvider(new NodeTracerProvider({ spanProcessors: [spanLog(events), new SimpleSpanProcessor(exporter)] }));
  return exporter;
}

/** A streamed chat through the openai SDK in an app span; logs each chunk and returns the wall time of the first and last. */
async function streamedChat(events: string[], fetch?: typeof globalThis.fetch): Promise<{ appSpanId: string; firstMs: number; lastMs: number }> {
  const client = new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0, ...(fetch !== undefined ? { fetch } : {}) });
  const app = h.tracerProvider.getTracer('app').startSpan('app work');
  let firstMs = 0;
  let lastMs = 0;
  await context.with(trace.setSpan(context.active(), app), async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hello there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      lastMs = Date.now();
      if (firstMs === 0) firstMs = lastMs;
      events.push('chunk');
    }
  });
  app.end();
  return { appSpanId: app.spanContext().spanId, firstMs, lastMs };
}

const onCreate = (events: string[]) => () => void events.push(`request created in ${(trace.getActiveSpan() as unknown as ReadableSpan | undefined)?.name}`);
let subscribed: ((m: unknown) => void) | undefined;
afterEach(() => {
  if (subscribed !== undefined) unsubscribe('undici:request:create', subscribed);
  subscribed = undefined;
});

describe('when the GenAI span is created', () => {
  it('by default, with nothing in fetch reading the context: when the call ends, spanning the call, under the app span', async () => {
    const events: string[] = [];
    const exporter = logged(events);
    const { appSpanId, firstMs, lastMs } = await streamedChat(events);
    expect(events).toEqual([...CHUNKS, 'start chat gpt-4.1', 'end chat gpt-4.1']);
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.parentSpanContext?.spanId).toBe(appSpanId);
    // It started before the first chunk reached the app and ended at the last.
    expect(hrTimeToMilliseconds(span.startTime)).toBeLessThanOrEqual(firstMs + 1);
    expect(hrTimeToMilliseconds(span.endTime)).toBeGreaterThanOrEqual(lastMs - 1);
    expect(hrTimeToMilliseconds(span.duration)).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('with a subscriber on undici:request:create: at the request, and active inside fetch', async () => {
    const events: string[] = [];
    logged(events);
    subscribed = onCreate(events);
    subscribe('undici:request:create', subscribed);
    await streamedChat(events);
    expect(events).toEqual(['start chat gpt-4.1', 'request created in chat gpt-4.1', ...CHUNKS, 'end chat gpt-4.1']);
  });

  it('with spanStart "request": at the request, with or without a subscriber', async () => {
    const inst = new AimonInstrumentation({ hosts: [`127.0.0.1:${h.upstream.port}`], pricing: false, enabled: false, spanStart: 'request' });
    const events: string[] = [];
    logged(events, inst);
    await streamedChat(events, inst.wrap(h.originalFetch));
    expect(events).toEqual(['start chat gpt-4.1', ...CHUNKS, 'end chat gpt-4.1']);
  });
});
