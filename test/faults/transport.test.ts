/**
 * Transport faults, each run twice (uninstrumented, then instrumented) against
 * a raw-socket server: the app sees the same status, headers, bytes and
 * errors; the instrumented run records one exchange with the right outcome.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_PRICING, useHarness } from '../helpers/harness.js';
import { chatJson, chunkEvent, respond, sse, startFaultServer, usageEvent, type FaultServer, type Script } from '../helpers/fault-server.js';
import { chatBody, errorShape, expectOneExchange, fetchAndRead, post, readAll, responseShape, sameForApp } from './differential.js';

let fault: FaultServer;
const h = useHarness({ instrumentation: () => ({ ...NO_PRICING(), hosts: [`127.0.0.1:${fault.port}`] }) });
beforeAll(async () => {
  fault = await startFaultServer(() => undefined);
});
afterAll(() => fault.close());

const url = () => `${fault.baseURL}/chat/completions`;
const EVENTS = [chunkEvent('Hel'), chunkEvent('lo'), chunkEvent('!')];

function run(script: Script, init: RequestInit = post(chatBody())) {
  fault.setScript(script);
  return sameForApp(h, fetchAndRead(url(), init));
}

describe('connection reset', () => {
  it('before headers (FIN): fetch rejects "fetch failed" / SocketError; error UND_ERR_SOCKET', async () => {
    const seen = await run((_r, w) => w.end());
    expect(seen).toMatchObject({ rejected: { ctor: 'TypeError', message: 'fetch failed', cause: { name: 'SocketError', code: 'UND_ERR_SOCKET' } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'UND_ERR_SOCKET' });
  });

  it('before headers (RST): fetch rejects with ECONNRESET; error ECONNRESET', async () => {
    const seen = await run((_r, w) => w.reset());
    expect(seen).toMatchObject({ rejected: { ctor: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNRESET' } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'ECONNRESET' });
  });

  it('mid-headers: a status line and half a header, then RST', async () => {
    const seen = await run(async (_r, w) => {
      await w.raw('HTTP/1.1 200 OK\r\ncontent-type: applic');
      await w.sleep(10);
      w.reset();
    });
    expect(seen).toMatchObject({ rejected: { ctor: 'TypeError', message: 'fetch failed' } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'ECONNRESET' });
  });

  it('mid-body (JSON with content-length, half sent, then RST): the read fails "terminated"; error', async () => {
    const body = chatJson('hello world');
    const seen = await run(async (_r, w) => {
      await w.head(200, { 'content-type': 'application/json', 'content-length': body.length });
      await w.raw(body.slice(0, 40));
      await w.sleep(20);
      w.reset();
    });
    expect(seen).toMatchObject({ response: { status: 200 }, body: { length: 40, error: { ctor: 'TypeError', message: 'terminated' } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'ECONNRESET', attributes: { 'http.response.status_code': 200 } });
  });

  it('mid-body (FIN before content-length is reached)', async () => {
    const body = chatJson('hello world');
    const seen = await run(async (_r, w) => {
      await w.head(200, { 'content-type': 'application/json', 'content-length': body.length });
      await w.raw(body.slice(0, 40));
      await w.sleep(20);
      w.end();
    });
    expect(seen).toMatchObject({ body: { length: 40, error: { ctor: 'TypeError', message: 'terminated' } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'UND_ERR_SOCKET' });
  });

  it('mid-stream (SSE, two events, then RST): the app keeps the events it got; error, no usage', async () => {
    const seen = await run(async (_r, w) => {
      await sse(w, EVENTS.slice(0, 2), { end: false });
      await w.sleep(20);
      w.reset();
    }, post(chatBody({ stream: true })));
    expect(seen).toMatchObject({ response: { status: 200 }, body: { length: EVENTS[0]!.length + EVENTS[1]!.length, error: { message: 'terminated' } } });
    const span = await expectOneExchange(h, { outcome: 'error', errorType: 'ECONNRESET', attributes: { 'aimon.stream.chunks': 2 } });
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('mid-stream, in the middle of an event line', async () => {
    const seen = await run(async (_r, w) => {
      await sse(w, [EVENTS[0]!, EVENTS[1]!.slice(0, 20)], { end: false });
      await w.sleep(20);
      w.end();
    }, post(chatBody({ stream: true })));
    expect(seen).toMatchObject({ body: { error: { message: 'terminated' } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'UND_ERR_SOCKET', attributes: { 'aimon.stream.chunks': 1 } });
  });
});

describe('stalls, with an app timeout (AbortSignal.timeout)', () => {
  const stallInit = (stream: boolean) => () => post(chatBody({ stream }), { signal: AbortSignal.timeout(150) });

  it('no response at all: fetch rejects TimeoutError; error TimeoutError', async () => {
    fault.setScript(() => new Promise(() => undefined));
    const init = stallInit(false);
    // A fresh signal per run: the probe is called twice.
    const seen = await sameForApp(h, (f) => fetchAndRead(url(), init())(f));
    expect(seen).toEqual({ rejected: { ctor: 'DOMException', name: 'TimeoutError', message: 'The operation was aborted due to timeout', code: 23 } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'TimeoutError' });
  });

  it('headers, then a stall mid-stream: the read rejects TimeoutError; error TimeoutError', async () => {
    fault.setScript(async (_r, w) => {
      await sse(w, EVENTS.slice(0, 1), { end: false });
      await new Promise(() => undefined);
    });
    const init = stallInit(true);
    const seen = await sameForApp(h, (f) => fetchAndRead(url(), init())(f));
    expect(seen).toMatchObject({ body: { length: EVENTS[0]!.length, error: { name: 'TimeoutError' } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'TimeoutError', attributes: { 'aimon.stream.chunks': 1 } });
  });
});

describe('corrupt gzip', () => {
  it('content-encoding gzip with garbage: same zlib error for the app; error Z_DATA_ERROR', async () => {
    const garbage = Buffer.from('this is not gzip at all, not even close');
    // connection: close, because undici 6 (uninstrumented too) may hang the next request on a
    // keep-alive socket after a decoding error.
    const seen = await run((_r, w) => respond(w, 200, { 'content-type': 'application/json', 'content-encoding': 'gzip', connection: 'close' }, garbage));
    expect(seen).toMatchObject({ response: { status: 200 }, body: { length: 0, error: { ctor: 'TypeError', message: 'terminated', cause: { code: 'Z_DATA_ERROR' } } } });
    await expectOneExchange(h, { outcome: 'error', errorType: 'Z_DATA_ERROR' });
  });

  it('gzip cut short: undici hands over the decoded prefix without an error; we record an unparseable completed call', async () => {
    const gz = gzipSync(chatJson('x'.repeat(2000)));
    const seen = await run((_r, w) =>
      respond(w, 200, { 'content-type': 'application/json', 'content-encoding': 'gzip', connection: 'close' }, gz.subarray(0, gz.length - 12)),
    );
    expect(seen).toMatchObject({ response: { status: 200 } });
    expect(seen).not.toHaveProperty('body.error');
    const span = await expectOneExchange(h, { outcome: 'completed', attributes: { 'aimon.response.unparseable': true } });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });
});

describe('redirects to the same host', () => {
  for (const status of [301, 307]) {
    it(`${status}: url and redirected preserved, one exchange for the whole chain`, async () => {
      const seen = await run(async (req, w) => {
        if (req.path === '/v1/chat/completions') {
          await w.head(status, { location: '/v1/moved/chat/completions', 'content-length': 0 });
          return;
        }
        // The response model tells which request reached the final URL.
        await respond(w, 200, { 'content-type': 'application/json' }, chatJson('ok', `${req.method}-${req.body === '' ? 'nobody' : 'body'}`));
      });
      // 301 turns a POST into a GET without a body; 307 repeats the POST with its body.
      const final = status === 301 ? 'GET-nobody' : 'POST-body';
      expect(seen).toMatchObject({ response: { status: 200, redirected: true, url: `${fault.baseURL}/moved/chat/completions` } });
      await expectOneExchange(h, {
        outcome: 'completed',
        attributes: { 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.response.model': final, 'gen_ai.usage.input_tokens': 3, 'http.response.status_code': 200 },
      });
    });
  }

  it('clone() of a redirected response keeps url and redirected', async () => {
    fault.setScript(async (req, w) => {
      if (req.path === '/v1/chat/completions') return w.head(307, { location: '/v1/b/chat/completions', 'content-length': 0 });
      return respond(w, 200, { 'content-type': 'application/json' }, chatJson('ok'));
    });
    await sameForApp(h, async (f) => {
      const res = await f(url(), post(chatBody()));
      const c = res.clone();
      return { c: responseShape(c), cBody: await readAll(c.body), r: responseShape(res), rBody: await readAll(res.body) };
    });
    await expectOneExchange(h, { outcome: 'completed' });
  });
});

describe('the app aborts', () => {
  const slowStream: Script = async (_r, w) => {
    await sse(w, EVENTS.slice(0, 1), { end: false });
    await w.sleep(100);
    await w.chunk(EVENTS[1]!);
    await w.sleep(100);
    await w.chunk(EVENTS[2]!);
    await w.chunk(usageEvent(3, 3));
    await w.chunk('data: [DONE]\n\n');
    await w.endChunked();
  };

  it('with a signal already aborted: fetch rejects at once; outcome aborted', async () => {
    fault.setScript(slowStream);
    const seen = await sameForApp(h, (f) => fetchAndRead(url(), post(chatBody({ stream: true }), { signal: AbortSignal.abort() }))(f));
    expect(seen).toEqual({ rejected: { ctor: 'DOMException', name: 'AbortError', message: 'This operation was aborted', code: 20 } });
    await expectOneExchange(h, { outcome: 'aborted' });
  });

  it('before the headers', async () => {
    fault.setScript(async (r, w) => {
      await w.sleep(200);
      await slowStream(r, w);
    });
    const seen = await sameForApp(h, async (f) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 30);
      return fetchAndRead(url(), post(chatBody({ stream: true }), { signal: ac.signal }))(f);
    });
    expect(seen).toMatchObject({ rejected: { name: 'AbortError' } });
    await expectOneExchange(h, { outcome: 'aborted' });
  });

  it('after the headers, before reading: the body read rejects AbortError', async () => {
    fault.setScript(slowStream);
    const seen = await sameForApp(h, async (f) => {
      const ac = new AbortController();
      const res = await f(url(), post(chatBody({ stream: true }), { signal: ac.signal }));
      ac.abort();
      return { response: responseShape(res), body: await readAll(res.body) };
    });
    expect(seen).toMatchObject({ response: { status: 200 }, body: { length: 0, error: { name: 'AbortError' } } });
    await expectOneExchange(h, { outcome: 'aborted' });
  });

  it('mid-stream, after the first event', async () => {
    fault.setScript(slowStream);
    const seen = await sameForApp(h, async (f) => {
      const ac = new AbortController();
      const res = await f(url(), post(chatBody({ stream: true }), { signal: ac.signal }));
      const reader = res.body!.getReader();
      const first = await reader.read();
      ac.abort();
      let err: unknown;
      for (let i = 0; i < 10 && err === undefined; i++) {
        try {
          const r = await reader.read();
          if (r.done) break;
        } catch (e) {
          err = e;
        }
      }
      return { first: Buffer.from(first.value!).toString(), error: errorShape(err) };
    });
    expect(seen).toMatchObject({ first: EVENTS[0], error: { name: 'AbortError' } });
    await expectOneExchange(h, { outcome: 'aborted', attributes: { 'aimon.stream.chunks': 1 } });
  });

  it('after the body was read to its end: nothing changes, completed', async () => {
    fault.setScript(slowStream);
    const seen = await sameForApp(h, async (f) => {
      const ac = new AbortController();
      const res = await f(url(), post(chatBody({ stream: true }), { signal: ac.signal }));
      const body = await readAll(res.body);
      ac.abort();
      return body;
    });
    expect(seen).not.toHaveProperty('error');
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': 3, 'aimon.stream.chunks': 3 } });
  });

  it('body.cancel() before reading: cancelled, not an error', async () => {
    fault.setScript(slowStream);
    const seen = await sameForApp(h, async (f) => {
      const res = await f(url(), post(chatBody({ stream: true })));
      await res.body!.cancel();
      return { response: responseShape(res) };
    });
    expect(seen).toMatchObject({ response: { status: 200 } });
    await expectOneExchange(h, { outcome: 'cancelled' });
  });
});
