/**
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP JSON receiver run by
 * the test: a short script that exits by itself and an app stopped by SIGTERM
 * both deliver every span and the metrics (the flush on exit loses nothing).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { PRICED_KEYS, splitCost, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { ensureBuilt, spawnApp } from '../helpers/processes.js';

let upstream: FakeUpstream;
let receiver: OtlpReceiver;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());
afterEach(() => receiver?.close());

const env = () => ({
  AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
  UPSTREAM_BASE_URL: upstream.baseURL,
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_SERVICE_NAME: 'e2e-app',
});

const genai = (spans: ReceivedSpan[]) => spans.filter((s) => s.scope === '@aimon/otel');
const byName = (spans: ReceivedSpan[]) => spans.map((s) => s.name).sort();

/** The workload's spans; `httpSpans`: instrumentation-undici is on (register's default with traces). */
function expectWorkloadSpans(spans: ReceivedSpan[], httpSpans = true): void {
  const ours = genai(spans);
  expect(byName(ours)).toEqual(['chat deepseek-v3.2', 'chat gpt-4.1', 'chat gpt-4.1', 'chat gpt-4.1', 'chat o4-mini', 'embeddings text-embedding-3-small']);
  const base = { 'gen_ai.provider.name': 'openai', 'server.address': '127.0.0.1', 'server.port': upstream.port };
  const json = ours.find((s) => s.name === 'chat gpt-4.1' && s.attributes['gen_ai.request.stream'] === false && s.attributes['aimon.outcome'] === 'completed')!;
  expect(json.kind).toBe(3); // SPAN_KIND_CLIENT
  expect(json.resource['service.name']).toBe('e2e-app');
  const { core, costKeys } = splitCost(json.attributes);
  expect(costKeys).toEqual(PRICED_KEYS);
  expect(json.attributes['aimon.cost.usd']).toBeGreaterThan(0);
  expect(core).toEqual({
    ...base,
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4.1',
    'gen_ai.request.stream': false,
    'aimon.outcome': 'completed',
    'gen_ai.response.id': json.attributes['gen_ai.response.id'],
    'gen_ai.response.model': 'gpt-4.1',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 3,
    'gen_ai.usage.output_tokens': 10,
    'gen_ai.usage.cache_read.input_tokens': 0,
    'gen_ai.usage.reasoning.output_tokens': 0,
    'http.response.status_code': 200,
  });
  const error = ours.find((s) => s.attributes['aimon.outcome'] === 'error')!;
  expect(error.status.code).toBe(2); // STATUS_CODE_ERROR
  expect(error.attributes['error.type']).toBe('429');
  const stream = ours.find((s) => s.name === 'chat gpt-4.1' && s.attributes['gen_ai.request.stream'] === true)!;
  expect(stream.attributes['gen_ai.usage.output_tokens']).toBe(10);
  expect(stream.attributes['aimon.stream.chunks']).toBe(11);

  // register enables instrumentation-undici for LLM hosts: one HTTP child span per GenAI span.
  const http = spans.filter((s) => s.scope === '@opentelemetry/instrumentation-undici');
  if (!httpSpans) {
    expect(spans).toEqual(ours);
    return;
  }
  expect(http).toHaveLength(6);
  for (const h of http) {
    const parent = ours.find((s) => s.spanId === h.parentSpanId);
    expect(parent).toBeDefined();
    expect(h.traceId).toBe(parent!.traceId);
  }
  expect(spans).toHaveLength(12);
}

function expectWorkloadMetrics(r: OtlpReceiver): void {
  const duration = r.lastMetric('gen_ai.client.operation.duration')!;
  expect({ unit: duration.unit, type: duration.type, description: duration.description }).toEqual({
    unit: 's',
    type: 'histogram',
    description: 'GenAI operation duration.',
  });
  expect(duration.points.reduce((n, p) => n + p.count!, 0)).toBe(6);
  const tokens = r.lastMetric('gen_ai.client.token.usage')!;
  expect(tokens.unit).toBe('{token}');
  const sums = Object.fromEntries(
    tokens.points.map((p) => [`${p.attributes['gen_ai.request.model']}/${p.attributes['gen_ai.token.type']}`, [p.count, p.sum]]),
  );
  expect(sums).toEqual({
    'gpt-4.1/input': [2, 6],
    'gpt-4.1/output': [2, 20],
    'o4-mini/input': [1, 3],
    'o4-mini/output': [1, 10],
    'text-embedding-3-small/input': [1, 3],
  });
  const detail = r.lastMetric('aimon.client.token.detail')!;
  expect(detail.points.map((p) => [p.attributes['gen_ai.request.model'], p.attributes['aimon.token.detail'], p.value])).toEqual([
    ['o4-mini', 'cache_read', 1],
    ['o4-mini', 'reasoning', 5],
  ]);
  expect(r.lastMetric('aimon.client.usage.missing')!.points.map((p) => p.value)).toEqual([1]);
  // OTLP keeps the semconv names (no Prometheus renaming on this path).
  expect(r.metrics.some((m) => m.name.endsWith('_seconds'))).toBe(false);
}

describe('OTLP/HTTP JSON export', () => {
  it('a short script that exits by itself: every span and the metrics arrive before exit', async () => {
    receiver = await startOtlpReceiver();
    const app = spawnApp('chat.mjs', env(), { args: ['exit'] });
    const { code, signal } = await app.exited;
    expect({ code, signal, stderr: app.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(app.stdout()).toMatch(/^ready /);
    expect(receiver.requests.every((r) => r.contentType === 'application/json')).toBe(true);
    expectWorkloadSpans(receiver.spans);
    expectWorkloadMetrics(receiver);
  });

  it('SIGTERM: flushes, then terminates by the signal as Node would', async () => {
    receiver = await startOtlpReceiver();
    const app = spawnApp('chat.mjs', env(), { args: ['signal'] });
    await app.waitForOutput(/^ready /m);
    // Nothing exported yet: the batch processor and the metric reader wait.
    expect(receiver.spans.filter((s) => s.scope === '@aimon/otel').length).toBeLessThan(5);
    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expectWorkloadSpans(receiver.spans);
    expectWorkloadMetrics(receiver);
  });

  it('without HTTP child spans, each GenAI span is created at the end of its call and still spans the call', async () => {
    receiver = await startOtlpReceiver();
    const before = BigInt(Date.now()) * 1_000_000n;
    const app = spawnApp('chat.mjs', { ...env(), AIMON_UNDICI_SPANS: 'false' }, { args: ['exit'] });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const after = BigInt(Date.now()) * 1_000_000n;
    expectWorkloadSpans(receiver.spans, false);
    // The app makes its calls one after the other: the spans follow each other in time, within the run.
    const ours = genai(receiver.spans).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
    for (const [i, s] of ours.entries()) {
      expect(s.startNs > before && s.startNs < s.endNs && s.endNs < after).toBe(true);
      if (i > 0) expect(ours[i - 1]!.endNs <= s.startNs).toBe(true);
    }
    // A stream's span starts with the request, before its first chunk.
    const stream = ours.find((s) => s.attributes['gen_ai.request.stream'] === true && s.attributes['gen_ai.request.model'] === 'gpt-4.1')!;
    const ttfcNs = BigInt(Math.round((stream.attributes['gen_ai.response.time_to_first_chunk'] as number) * 1e9));
    expect(stream.endNs - stream.startNs >= ttfcNs).toBe(true);
    expect(ttfcNs > 0n).toBe(true);
  });

  it('a CJS app exports the same spans', async () => {
    receiver = await startOtlpReceiver();
    const app = spawnApp('chat.cjs', env(), { args: ['exit'] });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('"cjs":true');
    expectWorkloadSpans(receiver.spans);
  });
});
