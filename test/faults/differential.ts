/**
 * Differential runs: the same probe once with the uninstrumented fetch and
 * once with the instrumented one; what the app observed (status, headers,
 * url, redirected, body bytes, error class, message and cause) must be equal.
 * Then the telemetry of the instrumented run: one GenAI span, its outcome and
 * error.type, and one duration data point with the same labels.
 */
import { createHash } from 'node:crypto';
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';
import { histogramPoints, waitFor, type Harness } from '../helpers/harness.js';

type FetchFn = typeof globalThis.fetch;

export interface ErrorShape {
  ctor: string;
  name: string;
  message: string;
  code?: unknown;
  cause?: ErrorShape | string;
}

/** Everything about an error the app can branch on; not the stack, not socket details. */
export function errorShape(err: unknown, depth = 0): ErrorShape | string {
  if (!(err instanceof Error) && !(typeof err === 'object' && err !== null && 'message' in err)) return String(err);
  const e = err as Error & { code?: unknown; cause?: unknown };
  const out: ErrorShape = { ctor: e.constructor?.name ?? '?', name: e.name, message: e.message };
  if (e.code !== undefined) out.code = e.code;
  if (e.cause !== undefined && depth < 3) out.cause = errorShape(e.cause, depth + 1);
  return out;
}

export interface BodyRead {
  length: number;
  sha256: string;
  /** The first bytes as text, for readable diffs. */
  head: string;
  error?: ErrorShape | string;
}

/** Reads a body to its end or its error, keeping every byte received. */
export async function readAll(body: ReadableStream<Uint8Array> | null): Promise<BodyRead> {
  const parts: Uint8Array[] = [];
  let error: ErrorShape | string | undefined;
  if (body !== null) {
    const reader = body.getReader();
    try {
      for (let i = 0; i < 10_000_000; i++) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
    } catch (err) {
      error = errorShape(err);
    }
  }
  const all = Buffer.concat(parts);
  const out: BodyRead = { length: all.length, sha256: createHash('sha256').update(all).digest('hex'), head: all.subarray(0, 120).toString('latin1') };
  if (error !== undefined) out.error = error;
  return out;
}

/** Status, headers (volatile ones left out), url, redirected, type. */
export function responseShape(res: Response): Record<string, unknown> {
  const headers = [...res.headers].filter(([k]) => k !== 'date' && k !== 'x-request-id');
  return { ctor: res.constructor.name, status: res.status, statusText: res.statusText, ok: res.ok, url: res.url, redirected: res.redirected, type: res.type, headers, bodyUsed: res.bodyUsed };
}

/** A probe returns what the app saw; it may throw only if the test is broken. */
export type Probe = (fetchFn: FetchFn) => Promise<unknown>;

/** Runs the probe uninstrumented then instrumented and asserts they saw the same. Returns the observation. */
export async function sameForApp(h: Harness, probe: Probe): Promise<unknown> {
  const plain = await probe(h.originalFetch);
  expect(h.genAiSpans()).toHaveLength(0);
  const instrumented = await probe(globalThis.fetch);
  expect(instrumented).toEqual(plain);
  return plain;
}

/** Runs fetch and reports its rejection, or the response and its whole body. */
export function fetchAndRead(url: string, init: RequestInit): Probe {
  return async (f) => {
    let res: Response;
    try {
      res = await f(url, init);
    } catch (err) {
      return { rejected: errorShape(err) };
    }
    return { response: responseShape(res), body: await readAll(res.body) };
  };
}

export interface ExpectedExchange {
  outcome: 'completed' | 'error' | 'aborted' | 'cancelled' | 'abandoned';
  errorType?: string;
  /** Further span attributes that must hold (subset). */
  attributes?: Attributes;
}

/** Exactly one GenAI span with that outcome and error.type, and one duration point labelled the same. */
export async function expectOneExchange(h: Harness, want: ExpectedExchange, timeoutMs = 5000): Promise<ReadableSpan> {
  await waitFor(() => h.genAiSpans().length >= 1, timeoutMs, 'the GenAI span');
  // Anything late (a second span for the same exchange) would show up here.
  await new Promise((r) => setTimeout(r, 20));
  const spans = h.genAiSpans();
  expect(spans).toHaveLength(1);
  const span = spans[0]!;
  expect({ outcome: span.attributes['aimon.outcome'], errorType: span.attributes['error.type'], status: span.status.code }).toEqual({
    outcome: want.outcome,
    errorType: want.errorType,
    status: want.outcome === 'error' ? SpanStatusCode.ERROR : SpanStatusCode.UNSET,
  });
  if (want.attributes !== undefined) expect(span.attributes).toMatchObject(want.attributes);
  const points = histogramPoints(await h.metric('gen_ai.client.operation.duration'));
  expect(points.map((p) => ({ count: p.count, outcome: p.attributes['aimon.outcome'], errorType: p.attributes['error.type'] }))).toEqual([
    { count: 1, outcome: want.outcome, errorType: want.errorType },
  ]);
  return span;
}

export const chatBody = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello there' }], ...extra });

export const post = (body: string, extra: RequestInit = {}, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
  ...extra,
});
