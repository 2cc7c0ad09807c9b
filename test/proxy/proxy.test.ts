/**
 * The proxy against the fake upstream, with the official openai SDK pointed
 * at it: every behaviour of issue 5 points 1-3.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { httpGet, rawRequest, recordingServer, sleep, startTestProxy, type TestProxy } from './helpers.js';

let upstream: FakeUpstream;
const proxies: TestProxy[] = [];
const TOKEN = 'proxy-token-abcdefghijkl';

async function proxy(argv: string[] = [], env: Record<string, string> = {}): Promise<TestProxy> {
  const p = await startTestProxy(['--upstream', upstream.baseURL, ...argv], env);
  proxies.push(p);
  return p;
}

const client = (p: TestProxy, apiKey = 'sk-client') => new OpenAI({ baseURL: p.baseURL, apiKey, maxRetries: 0 });

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  upstream.requests.length = 0;
});
afterAll(() => upstream.close());

describe('aimon proxy: forwarding', () => {
  it('chat: the SDK gets the upstream answer, headers and all; the body reaches the upstream byte for byte', async () => {
    const p = await proxy();
    const messages = [{ role: 'user' as const, content: 'héllo, 世界 — ünïcödé' }];
    const { data, response } = await client(p).chat.completions.create({ model: 'gpt-4.1', messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe('The quick brown fox jumps over the lazy dog again');
    expect(data.usage).toMatchObject({ completion_tokens: 10, total_tokens: data.usage!.prompt_tokens + 10 });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('openai-processing-ms')).toBe('12');
    const seen = upstream.requests[0]!;
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe('Bearer sk-client');
    expect(seen.body).toBe(JSON.stringify({ model: 'gpt-4.1', messages }));
    expect(Number(seen.headers['content-length'])).toBe(Buffer.byteLength(seen.body));
  });

  it('streaming: chunks arrive as the upstream sends them', async () => {
    const slow = await startFakeUpstream({ chunkDelayMs: 60, chunks: 6 });
    try {
      const p = await startTestProxy(['--upstream', slow.baseURL]);
      proxies.push(p);
      const t0 = performance.now();
      const stream = await client(p).chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const arrivals: number[] = [];
      let text = '';
      for await (const c of stream) {
        arrivals.push(performance.now() - t0);
        text += c.choices[0]?.delta.content ?? '';
      }
      expect(text).toBe('The quick brown fox jumps over');
      // The first chunk is not held back until the stream ends (6 x 60 ms).
      expect(arrivals[0]!).toBeLessThan(200);
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(250);
    } finally {
      await slow.close();
    }
  });

  it('embeddings and /v1/models (a path with no telemetry) pass through', async () => {
    const p = await proxy();
    const e = await client(p).embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(e.data.map((d) => d.embedding.length)).toEqual([8, 8]);
    const models = await httpGet(`${p.baseURL}/models`);
    expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/embeddings', 'GET /v1/models']);
    expect(models.status).toBe(200);
  });

  it('compressed JSON passes compressed; telemetry still reads the usage', async () => {
    const gz = await startFakeUpstream({ compress: 'gzip' });
    try {
      const p = await startTestProxy(['--upstream', gz.baseURL]);
      proxies.push(p);
      const r = await client(p).chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(r.data.usage?.completion_tokens).toBe(10);
      const span = p.tel.spans.getFinishedSpans()[0]!;
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(10);
      const raw = await post(`${p.baseURL}/chat/completions`, '{"model":"m","messages":[]}', { 'accept-encoding': 'gzip' });
      expect(raw.headers['content-encoding']).toBe('gzip');
    } finally {
      await gz.close();
    }
  });

  it('hop-by-hop headers are dropped both ways; others pass', async () => {
    const p = await proxy();
    const res = await rawRequest(
      p.port,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: attacker.example\r\nContent-Type: application/json\r\n' +
        'Connection: close, x-hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=99\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\n' +
        'Upgrade: websocket\r\nX-Custom: kept\r\nContent-Length: 29\r\n\r\n{"model":"m","messages":[{}]}',
      1000,
    );
    expect(res).toMatch(/^HTTP\/1\.1 200 OK/);
    const h = upstream.requests[0]!.headers;
    expect(h['x-custom']).toBe('kept');
    expect(h.host).toBe(`127.0.0.1:${upstream.port}`);
    for (const k of ['x-hop', 'keep-alive', 'te', 'proxy-authorization', 'upgrade']) expect(h[k]).toBeUndefined();
  });
});

describe('aimon proxy: errors', () => {
  it('a dead upstream is a 502 with an OpenAI-style error', async () => {
    const dead = await startFakeUpstream();
    const url = dead.baseURL;
    await dead.close();
    const p = await startTestProxy(['--upstream', url]);
    proxies.push(p);
    const err = await client(p)
      .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_unreachable');
    const span = p.tel.spans.getFinishedSpans()[0]!;
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
  });

  it('a slow upstream is a 504 at the deadline', async () => {
    const slow = await startFakeUpstream({ latencyMs: 3000 });
    try {
      const p = await startTestProxy(['--upstream', slow.baseURL, '--timeout-ms', '200']);
      proxies.push(p);
      const t0 = performance.now();
      const err = await client(p)
        .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      expect(err.status).toBe(504);
      expect(err.code).toBe('upstream_timeout');
      expect(performance.now() - t0).toBeLessThan(1500);
      expect(p.tel.spans.getFinishedSpans()[0]!.attributes['error.type']).toBe('TimeoutError');
    } finally {
      await slow.close();
    }
  });

  it('malformed JSON on an LLM route is a 400 and never reaches the upstream', async () => {
    const p = await proxy();
    for (const body of ['{"model": "gpt-4.1", ', '', '[1,2]']) {
      const r = await post(`${p.baseURL}/chat/completions`, body);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_json', param: null } });
    }
    expect(upstream.requests).toEqual([]);
    const err = await client(p)
      .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] }, { body: '{oops' as never })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(err.status).toBe(400);
  });

  it('an oversized body is a 413 (declared length or chunked)', async () => {
    const p = await proxy(['--max-body-bytes', '2048']);
    const err = await client(p)
      .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x'.repeat(5000) }] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(err.status).toBe(413);
    expect(err.code).toBe('request_too_large');
    const chunked = await rawRequest(
      p.port,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n${'y'.repeat(4096)}\r\n0\r\n\r\n`,
      500,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(upstream.requests).toEqual([]);
  });
});

describe('aimon proxy: client disconnect', () => {
  let endless: Server;
  let closedAt: number | undefined;
  let port: number;
  beforeAll(async () => {
    // An upstream that streams until its client goes away, and notes when that happens.
    endless = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (i: number) =>
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1', choices: [{ index: 0, delta: { content: `w${i}` }, finish_reason: null }] })}\n\n`;
      let i = 0;
      const t = setInterval(() => res.write(chunk(i++)), 20);
      res.on('close', () => {
        clearInterval(t);
        closedAt = performance.now();
      });
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    port = (endless.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => endless.close(() => r())));

  it('breaking out of a stream cancels the upstream request at once', async () => {
    const p = await startTestProxy(['--upstream', `http://127.0.0.1:${port}/v1`]);
    proxies.push(p);
    const stream = await client(p).chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let n = 0;
    let brokeAt = 0;
    for await (const _ of stream) {
      if (++n === 3) {
        brokeAt = performance.now();
        break;
      }
    }
    for (let i = 0; i < 50 && closedAt === undefined; i++) await sleep(10);
    expect(closedAt).toBeDefined();
    expect(closedAt! - brokeAt).toBeLessThan(100);
    await sleep(20);
    const span = p.tel.spans.getFinishedSpans()[0]!;
    expect(span.attributes['aimon.outcome']).toBe('cancelled');
    expect(p.inFlight()).toBe(0);
  });
});

describe('aimon proxy: authorization', () => {
  it('token mode: a proxy token is required and the server key is used upstream', async () => {
    const p = await proxy([], { HOLYSHEEP_API_KEY: 'sk-server-side', AIMON_PROXY_TOKENS: TOKEN });
    const denied = await client(p, 'sk-not-a-token')
      .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(denied.status).toBe(401);
    expect(denied.code).toBe('invalid_api_key');
    expect(upstream.requests).toEqual([]);
    await client(p, TOKEN).chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer sk-server-side');
  });
});

describe('aimon proxy: health and shutdown', () => {
  it('/health is liveness; /health/ready reflects whether the upstream answers', async () => {
    const up = await startFakeUpstream();
    const p = await startTestProxy(['--upstream', up.baseURL, '--ready-ttl-ms', '50']);
    proxies.push(p);
    expect((await httpGet(`${p.url}/health`)).status).toBe(200);
    const ready = await httpGet(`${p.url}/health/ready`);
    expect([ready.status, JSON.parse(ready.body).status]).toEqual([200, 'ready']);
    expect(up.requests.map((r) => r.path)).toEqual(['/v1/models']); // the probe
    await up.close();
    await sleep(2100); // past the ttl and the probe interval
    const down = await httpGet(`${p.url}/health/ready`);
    expect([down.status, JSON.parse(down.body).status]).toEqual([503, 'upstream_unavailable']);
    expect((await httpGet(`${p.url}/health`)).status).toBe(200);
  });

  it('close() drains a stream in flight, refuses new connections, then resolves', async () => {
    const slow = await startFakeUpstream({ chunkDelayMs: 40, chunks: 8 });
    try {
      const p = await startTestProxy(['--upstream', slow.baseURL]);
      const stream = await client(p).chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      const closed = p.close();
      let closedEarly = false;
      void closed.then(() => (closedEarly = true));
      await sleep(20);
      const refused = await httpGet(`${p.url}/health`).catch((e: NodeJS.ErrnoException) => e.code);
      expect(refused).toBe('ECONNREFUSED');
      let n = 1;
      await it.next();
      n++;
      expect(closedEarly).toBe(false); // still draining while the stream runs
      while (!(await it.next()).done) n++;
      expect(n).toBe(9); // 8 content chunks and the finish chunk
      await closed;
      expect(p.tel.spans.getFinishedSpans()[0]!.attributes['aimon.outcome']).toBe('completed');
    } finally {
      await slow.close();
    }
  });
});

describe('aimon proxy: no request reaches another host', () => {
  it('absolute-form targets, Host tricks, dot segments and encoded slashes never leave the configured upstream', async () => {
    const canary = await recordingServer();
    try {
      const p = await proxy();
      const evil = `127.0.0.1:${canary.port}`;
      const attempts = [
        `GET http://${evil}/v1/models HTTP/1.1\r\nHost: ${evil}\r\n\r\n`,
        `POST http://${evil}/v1/chat/completions HTTP/1.1\r\nHost: ${evil}\r\nContent-Length: 2\r\n\r\n{}`,
        `GET //${evil}/v1/models HTTP/1.1\r\nHost: ${evil}\r\n\r\n`,
        `GET /v1/models HTTP/1.1\r\nHost: ${evil}\r\nX-Forwarded-Host: ${evil}\r\nForwarded: host=${evil}\r\n\r\n`,
        `GET /v1/../../${evil}/models HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET /v1/%2e%2e/%2e%2e/${evil} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET /v1%2f..%2f..%2f${evil} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET /v1/@${evil}/models HTTP/1.1\r\nHost: x\r\n\r\n`,
        `CONNECT ${evil} HTTP/1.1\r\nHost: ${evil}\r\n\r\n`,
        `GET /v1/models HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      ];
      const answers: string[] = [];
      for (const a of attempts) answers.push((await rawRequest(p.port, a, 300)).split('\r\n')[0] ?? '');
      expect(canary.requests).toEqual([]);
      // What did reach the upstream stayed under its base path.
      for (const r of upstream.requests) expect(r.path.startsWith('/v1/')).toBe(true);
      expect(answers.slice(0, 3)).toEqual(['HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request']);
      expect(answers[3]).toBe('HTTP/1.1 200 OK');
      expect(answers.slice(4, 7)).toEqual(['HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request']);
      // The Upgrade request is answered as a plain request (no tunnel), without its Upgrade header.
      expect(upstream.requests.map((r) => r.path)).toEqual(['/v1/models', `/v1/@${evil}/models`, '/v1/models']);
      expect(upstream.requests[2]!.headers.upgrade).toBeUndefined();
      for (const r of upstream.requests) expect(r.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    } finally {
      await canary.close();
    }
  });
});
