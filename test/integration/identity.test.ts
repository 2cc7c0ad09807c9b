/**
 * The app cannot tell we are there: against a deterministic replay server,
 * an instrumented and an uninstrumented call give the same bytes, status,
 * headers, url, redirected and type, through raw fetch and through the openai
 * SDK's .asResponse(); other hosts get the very Response object the original
 * fetch returned; and a cancel by the app reaches the network at once.
 */
import OpenAI from 'openai';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, sseChatChunks, type ReplayServer } from '../helpers/replay-server.js';
import { sleep, useHarness, waitFor } from '../helpers/harness.js';

const CHAT_JSON = JSON.stringify({
  id: 'chatcmpl-replay',
  object: 'chat.completion',
  created: 1764374400,
  model: 'gpt-4.1',
  choices: [{ index: 0, message: { role: 'assistant', content: 'héllo wörld ✓', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
});
const REQUEST = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
const STREAM_REQUEST = JSON.stringify({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] });
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function jsonRoute(encoding: 'identity' | 'gzip' | 'br' | 'deflate') {
  const raw = Buffer.from(CHAT_JSON);
  const body = encoding === 'gzip' ? gzipSync(raw) : encoding === 'br' ? brotliCompressSync(raw) : encoding === 'deflate' ? deflateSync(raw) : raw;
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length, 'x-request-id': 'req_fixed' };
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  // Split the body so the client sees several network chunks.
  return { headers, chunks: [body.subarray(0, 10), body.subarray(10)] };
}

let replay: ReplayServer;
const h = useHarness({ instrumentation: () => ({ hosts: [`127.0.0.1:${replay.port}`], pricing: false }) });

beforeAll(async () => {
  replay = await startReplayServer({
    '/v1/chat/completions': jsonRoute('identity'),
    '/gzip/v1/chat/completions': jsonRoute('gzip'),
    '/br/v1/chat/completions': jsonRoute('br'),
    '/deflate/v1/chat/completions': jsonRoute('deflate'),
    '/old/v1/chat/completions': { redirectTo: '/v1/chat/completions' },
    '/error/v1/chat/completions': {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      chunks: ['{"error":{"message":"Rate limit","type":"requests","param":null,"code":"rate_limit_exceeded"}}'],
    },
    '/invalid-utf8/v1/chat/completions': {
      headers: { 'content-type': 'application/json' },
      chunks: [Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])],
    },
    '/stream/v1/chat/completions': { headers: SSE_HEADERS, chunks: sseChatChunks(10, { usage: true }) },
    '/slow/v1/chat/completions': { headers: SSE_HEADERS, chunks: sseChatChunks(100), chunkDelayMs: 50 },
    '/not-llm': { headers: { 'content-type': 'text/plain' }, chunks: ['plain'] },
  });
});
afterAll(() => replay.close());

interface Seen {
  bytes: Uint8Array;
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  url: string;
  redirected: boolean;
  type: ResponseType;
  ok: boolean;
  /** What an app can see of the class (the prototype itself is an observed subclass: see docs/safety.md). */
  ctor: unknown;
  isResponse: boolean;
  tag: string;
  ownKeys: string[];
  bodyUsedBefore: boolean;
}

async function observe(res: Response): Promise<Seen> {
  const bodyUsedBefore = res.bodyUsed;
  return {
    bytes: new Uint8Array(await res.arrayBuffer()),
    status: res.status,
    statusText: res.statusText,
    headers: [...res.headers],
    url: res.url,
    redirected: res.redirected,
    type: res.type,
    ok: res.ok,
    ctor: res.constructor,
    isResponse: res instanceof Response,
    tag: Object.prototype.toString.call(res),
    ownKeys: Object.keys(res),
    bodyUsedBefore,
  };
}

function post(body: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body };
}

describe('raw fetch: identical with and without instrumentation', () => {
  for (const path of [
    '/v1/chat/completions',
    '/gzip/v1/chat/completions',
    '/br/v1/chat/completions',
    '/deflate/v1/chat/completions',
    '/old/v1/chat/completions',
    '/error/v1/chat/completions',
    '/invalid-utf8/v1/chat/completions',
    '/stream/v1/chat/completions',
  ]) {
    it(path, async () => {
      const body = path.startsWith('/stream') ? STREAM_REQUEST : REQUEST;
      const plain = await observe(await h.originalFetch(`${replay.url}${path}`, post(body)));
      expect(h.genAiSpans()).toHaveLength(0);
      const instrumented = await observe(await fetch(`${replay.url}${path}`, post(body)));
      expect(instrumented).toEqual(plain);
      expect(Buffer.from(instrumented.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
      expect(h.genAiSpans()).toHaveLength(1);
    });
  }

  it('the app gets its own Response and body stream; what we observe has an observed subclass of its prototype', async () => {
    for (const path of ['/v1/chat/completions', '/stream/v1/chat/completions']) {
      const streaming = path.startsWith('/stream');
      const res = await fetch(`${replay.url}${path}`, post(streaming ? STREAM_REQUEST : REQUEST));
      // An event stream is observed through its body only: the Response keeps its prototype.
      // (Booleans, not toBe on prototypes: a failing diff would print platform prototypes, whose getters throw.)
      expect(Object.getPrototypeOf(res) === Response.prototype).toBe(streaming);
      const body = res.body!;
      for (const [obj, Ctor] of [
        [res, Response],
        [body, ReadableStream],
      ] as const) {
        const proto = Object.getPrototypeOf(obj) as object;
        if (!(streaming && obj === res)) {
          expect(Object.getPrototypeOf(proto) === Ctor.prototype).toBe(true);
          expect(Object.hasOwn(proto, 'constructor')).toBe(false);
        }
        expect(obj.constructor).toBe(Ctor);
        expect(obj instanceof Ctor).toBe(true);
        expect(Object.keys(obj)).toEqual([]);
      }
      const reader = body.getReader();
      expect(Object.getPrototypeOf(Object.getPrototypeOf(reader)) === ReadableStreamDefaultReader.prototype).toBe(true);
      expect(reader instanceof ReadableStreamDefaultReader).toBe(true);
      while (!(await reader.read()).done);
    }
    expect(h.genAiSpans()).toHaveLength(2);
  });

  it('gzip, br and deflate bodies are parsed after decompression', async () => {
    for (const enc of ['gzip', 'br', 'deflate']) await (await fetch(`${replay.url}/${enc}/v1/chat/completions`, post(REQUEST))).json();
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(3);
    for (const s of spans) {
      expect(s.attributes['gen_ai.response.id']).toBe('chatcmpl-replay');
      expect(s.attributes['gen_ai.usage.input_tokens']).toBe(5);
      expect(s.attributes['gen_ai.usage.output_tokens']).toBe(4);
      expect(s.attributes['aimon.response.unparseable']).toBeUndefined();
    }
  });

  it('a redirect keeps url and redirected', async () => {
    const res = await fetch(`${replay.url}/old/v1/chat/completions`, post(REQUEST));
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${replay.url}/v1/chat/completions`);
    await res.text();
  });

  it('invalid UTF-8 in a 200 body is recorded as unparseable, never thrown', async () => {
    const res = await fetch(`${replay.url}/invalid-utf8/v1/chat/completions`, post(REQUEST));
    await res.arrayBuffer();
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({ 'aimon.outcome': 'completed', 'aimon.response.unparseable': true });
    expect(spans[0]!.attributes['gen_ai.response.id']).toBeUndefined();
  });

  it('clone() of an instrumented response keeps url, redirected and type', async () => {
    const res = await fetch(`${replay.url}/old/v1/chat/completions`, post(REQUEST));
    const copy = res.clone();
    expect([copy.url, copy.redirected, copy.type]).toEqual([res.url, true, 'basic']);
    expect(await copy.text()).toBe(await res.text());
    expect(h.genAiSpans()).toHaveLength(1);
  });
});

describe('the openai SDK: .asResponse() gives the same bytes', () => {
  for (const path of ['', '/gzip', '/br', '/deflate', '/stream']) {
    it(`${path || '/'} (JSON or SSE)`, async () => {
      const stream = path === '/stream';
      const read = async (fetchFn: typeof fetch) => {
        const client = new OpenAI({ baseURL: `${replay.url}${path}/v1`, apiKey: 'sk-test', maxRetries: 0, fetch: fetchFn });
        const res = await client.chat.completions
          .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream })
          .asResponse();
        return observe(res);
      };
      const plain = await read(h.originalFetch);
      const instrumented = await read(globalThis.fetch);
      expect(instrumented).toEqual(plain);
      expect(h.genAiSpans()).toHaveLength(1);
    });
  }
});

describe('other hosts pass untouched', () => {
  it('the wrapper returns the very object the original fetch returned, and starts no span', async () => {
    const sentinel = new Response('x');
    const calls: unknown[][] = [];
    const original = ((...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve(sentinel);
    }) as typeof fetch;
    const wrapped = h.instrumentation.wrap(original);
    const init = { method: 'POST', body: '{}' };
    const res = await wrapped('https://example.com/v1/chat/completions', init);
    expect(res).toBe(sentinel);
    expect(calls).toEqual([['https://example.com/v1/chat/completions', init]]);
    // Same host as the LLM endpoint but not an operation path: also untouched.
    const res2 = await wrapped(`${replay.url}/not-llm`);
    expect(res2).toBe(sentinel);
    expect(h.spans()).toHaveLength(0);
  });

  it('a real call to another host: same class, same own properties, same everything', async () => {
    const plain = await h.originalFetch(`${replay.url}/not-llm`);
    const instrumented = await fetch(`${replay.url}/not-llm`);
    expect(Object.getPrototypeOf(instrumented)).toBe(Response.prototype);
    expect(Object.getOwnPropertyNames(instrumented)).toEqual(Object.getOwnPropertyNames(plain));
    expect(Object.getOwnPropertySymbols(instrumented).map(String)).toEqual(Object.getOwnPropertySymbols(plain).map(String));
    expect(await observe(instrumented)).toEqual(await observe(plain));
    expect(h.spans()).toHaveLength(0);
  });
});

describe('a cancel by the app reaches the network at once', () => {
  async function startSlow() {
    const before = replay.exchanges.length;
    const res = await fetch(`${replay.url}/slow/v1/chat/completions`, post(STREAM_REQUEST));
    await waitFor(() => replay.exchanges.length > before, 2000, 'the request');
    return { res, exchange: replay.exchanges[replay.exchanges.length - 1]! };
  }

  it('reader.cancel() after the first chunk closes the socket while the upstream is still streaming', async () => {
    const { res, exchange } = await startSlow();
    const reader = res.body!.getReader();
    await reader.read();
    const cancelledAt = performance.now();
    await reader.cancel();
    await Promise.race([exchange.settled, sleep(2000)]);
    expect(exchange.finishedAt).toBeUndefined();
    expect(exchange.closedEarlyAt).toBeDefined();
    // At most a few 50 ms chunk intervals: the upstream notices on its next write.
    expect(exchange.closedEarlyAt! - cancelledAt).toBeLessThan(300);
    expect(exchange.chunksWritten).toBeLessThan(10);
    const spans = h.genAiSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['aimon.outcome']).toBe('cancelled');
  });

  it('body.cancel() before reading anything', async () => {
    const { res, exchange } = await startSlow();
    const cancelledAt = performance.now();
    await res.body!.cancel();
    await Promise.race([exchange.settled, sleep(2000)]);
    expect(exchange.closedEarlyAt).toBeDefined();
    expect(exchange.closedEarlyAt! - cancelledAt).toBeLessThan(300);
    expect(h.genAiSpans().map((s) => s.attributes['aimon.outcome'])).toEqual(['cancelled']);
  });

  it('the openai SDK breaking out of a stream', async () => {
    const before = replay.exchanges.length;
    const client = new OpenAI({ baseURL: `${replay.url}/slow/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let stoppedAt = 0;
    for await (const _ of stream) {
      stoppedAt = performance.now();
      break;
    }
    const exchange = replay.exchanges[before]!;
    await Promise.race([exchange.settled, sleep(2000)]);
    expect(exchange.closedEarlyAt).toBeDefined();
    expect(exchange.closedEarlyAt! - stoppedAt).toBeLessThan(300);
    expect(exchange.chunksWritten).toBeLessThan(10);
    expect(h.genAiSpans()).toHaveLength(1);
  });

  it('the uninstrumented baseline behaves the same', async () => {
    const before = replay.exchanges.length;
    const res = await h.originalFetch(`${replay.url}/slow/v1/chat/completions`, post(STREAM_REQUEST));
    const reader = res.body!.getReader();
    await reader.read();
    const cancelledAt = performance.now();
    await reader.cancel();
    const exchange = replay.exchanges[before]!;
    await Promise.race([exchange.settled, sleep(2000)]);
    expect(exchange.closedEarlyAt! - cancelledAt).toBeLessThan(300);
  });
});
