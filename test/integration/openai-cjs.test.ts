/**
 * A CommonJS app that require()s openai (its CJS build), run as
 * `node --import dist/register.js chat.cjs`: every call becomes a span,
 * received here by OTLP/HTTP JSON.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { PRICED_KEYS, splitCost, startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { ensureBuilt, spawnApp } from '../helpers/processes.js';

let upstream: FakeUpstream;
let receiver: OtlpReceiver;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
  receiver = await startOtlpReceiver();
}, 120_000);
afterAll(async () => {
  await upstream.close();
  await receiver.close();
});

it('require("openai") under --import register: one span per call, with the whole attribute set', async () => {
  const app = spawnApp('chat.cjs', {
    AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
    UPSTREAM_BASE_URL: upstream.baseURL,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    AIMON_UNDICI_SPANS: 'false',
  }, { args: ['exit'] });
  expect(await app.exited).toEqual({ code: 0, signal: null });
  expect(app.stderr()).toBe('');
  const ready = JSON.parse(/^ready (.*)$/m.exec(app.stdout())![1]!) as { entry: string; wrapped: boolean; cjs: boolean };
  // The CJS build of the SDK, not its .mjs twin.
  expect(ready.entry).toMatch(/node_modules\/openai\/index\.js$/);
  expect(ready).toMatchObject({ wrapped: true, cjs: true });

  const base = { 'gen_ai.provider.name': 'openai', 'server.address': '127.0.0.1', 'server.port': upstream.port };
  const spans = receiver.spans;
  expect(spans.every((s) => s.scope === '@aimon/otel')).toBe(true);
  // Cost attributes (register prices calls) by key; their values depend on the bundled price table.
  expect(spans.map((s) => splitCost(s.attributes).costKeys)).toEqual([
    PRICED_KEYS,
    PRICED_KEYS,
    ['aimon.price.version', 'aimon.unpriced.reason'],
    PRICED_KEYS,
    [],
    PRICED_KEYS,
  ]);
  expect(spans[2]!.attributes['aimon.unpriced.reason']).toBe('usage_missing');
  const strip = (a: Record<string, unknown>) => {
    const { 'gen_ai.response.time_to_first_chunk': ttfc, 'gen_ai.response.id': id, ...rest } = splitCost(a).core;
    if (ttfc !== undefined) expect(ttfc).toBeGreaterThan(0);
    if (id !== undefined) expect(id).toMatch(/^chatcmpl-\d{6}$/);
    return rest;
  };
  const usage = { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 10, 'gen_ai.usage.cache_read.input_tokens': 0, 'gen_ai.usage.reasoning.output_tokens': 0 };
  expect(spans.map((s) => [s.name, strip(s.attributes)])).toEqual([
    ['chat gpt-4.1', { ...base, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.request.stream': false, 'aimon.outcome': 'completed', 'gen_ai.response.model': 'gpt-4.1', 'gen_ai.response.finish_reasons': ['stop'], ...usage, 'http.response.status_code': 200 }],
    ['chat gpt-4.1', { ...base, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.request.stream': true, 'aimon.outcome': 'completed', 'gen_ai.response.model': 'gpt-4.1', 'gen_ai.response.finish_reasons': ['stop'], ...usage, 'aimon.stream.chunks': 11, 'http.response.status_code': 200 }],
    ['chat deepseek-v3.2', { ...base, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'deepseek-v3.2', 'gen_ai.request.stream': true, 'aimon.outcome': 'completed', 'gen_ai.response.model': 'deepseek-v3.2', 'gen_ai.response.finish_reasons': ['stop'], 'aimon.usage.missing': true, 'aimon.stream.chunks': 11, 'http.response.status_code': 200 }],
    ['embeddings text-embedding-3-small', { ...base, 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.request.encoding_formats': ['float'], 'aimon.outcome': 'completed', 'gen_ai.response.model': 'text-embedding-3-small', 'gen_ai.embeddings.dimension.count': 8, 'gen_ai.usage.input_tokens': 3, 'http.response.status_code': 200 }],
    ['chat gpt-4.1', { ...base, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.request.stream': false, 'aimon.outcome': 'error', 'error.type': '429', 'http.response.status_code': 429 }],
    ['chat o4-mini', { ...base, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'o4-mini', 'gen_ai.request.stream': false, 'aimon.outcome': 'completed', 'gen_ai.response.model': 'o4-mini', 'gen_ai.response.finish_reasons': ['stop'], ...usage, 'gen_ai.usage.cache_read.input_tokens': 1, 'gen_ai.usage.reasoning.output_tokens': 5, 'http.response.status_code': 200 }],
  ]);
  expect(spans.map((s) => s.status.code ?? 0)).toEqual([0, 0, 0, 0, 2, 0]);
});
