/**
 * Bodies that are not what the request promised, each run uninstrumented and
 * instrumented: the app gets the same bytes (and the same JSON.parse error),
 * and the exchange is recorded once with the right outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_PRICING, useHarness } from '../helpers/harness.js';
import { chatJson, chunkEvent, respond, sse, startFaultServer, usageEvent, type FaultServer, type Script } from '../helpers/fault-server.js';
import { chatBody, errorShape, expectOneExchange, fetchAndRead, post, responseShape, sameForApp, type Probe } from './differential.js';

let fault: FaultServer;
const h = useHarness({
  upstream: {},
  instrumentation: (u) => ({ ...NO_PRICING(), hosts: [`127.0.0.1:${fault.port}`, `127.0.0.1:${u.port}`] }),
});
beforeAll(async () => {
  fault = await startFaultServer(() => undefined);
});
afterAll(() => fault.close());

const url = () => `${fault.baseURL}/chat/completions`;
const DONE = 'data: [DONE]\n\n';

function run(script: Script, init: RequestInit = post(chatBody())) {
  fault.setScript(script);
  return sameForApp(h, fetchAndRead(url(), init));
}
/** The text with its '@@@' placeholder replaced by raw bytes. */
function withBytes(text: string, bytes: number[]): Buffer {
  const [a = '', b = ''] = text.split('@@@');
  return Buffer.concat([Buffer.from(a), Buffer.from(bytes), Buffer.from(b)]);
}
const runStream = (script: Script) => run(script, post(chatBody({ stream: true })));

/** res.json() as an SDK would call it: the parsed value or the parse error. */
const parseJson =
  (u: () => string, init: () => RequestInit): Probe =>
  async (f) => {
    const res = await f(u(), init());
    try {
      return { response: responseShape(res), json: await res.json() };
    } catch (err) {
      return { response: responseShape(res), error: errorShape(err) };
    }
  };

describe('JSON bodies that are not JSON', () => {
  it('200 with an HTML page (simulator html-200): same SyntaxError for the app; completed, unparseable, usage missing', async () => {
    const seen = await sameForApp(h, parseJson(() => `${h.upstream.baseURL}/chat/completions`, () => post(chatBody(), {}, { 'x-fake-scenario': 'html-200' })));
    expect(seen).toMatchObject({ response: { status: 200 }, error: { ctor: 'SyntaxError', message: expect.stringContaining('is not valid JSON') } });
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'aimon.response.unparseable': true, 'aimon.usage.missing': true } });
  });

  it('truncated JSON (simulator truncated-json): same SyntaxError; completed, unparseable', async () => {
    const seen = await sameForApp(h, parseJson(() => `${h.upstream.baseURL}/chat/completions`, () => post(chatBody(), {}, { 'x-fake-scenario': 'truncated-json' })));
    expect(seen).toMatchObject({ error: { ctor: 'SyntaxError' } });
    const span = await expectOneExchange(h, { outcome: 'completed', attributes: { 'aimon.response.unparseable': true } });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('invalid UTF-8 inside a JSON string: the app gets the same bytes and the same U+FFFD text; recorded once, completed', async () => {
    const body = withBytes(chatJson('A@@@'), [0xff, 0xfe, 0xc3]);
    fault.setScript((_r, w) => respond(w, 200, { 'content-type': 'application/json' }, body));
    const seen = await sameForApp(h, parseJson(url, () => post(chatBody())));
    expect(seen).toMatchObject({ json: { choices: [{ message: { content: 'A\ufffd\ufffd\ufffd' } }] } });
    // Whether such a body is summarised or marked unparseable is the parser's choice (see
    // regressions/invalid-utf8-json-summarised); what matters here is one completed exchange.
    await expectOneExchange(h, { outcome: 'completed' });
  });

  it('an empty 200 body', async () => {
    await run((_r, w) => respond(w, 200, { 'content-type': 'application/json' }, ''));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'aimon.response.unparseable': true, 'aimon.usage.missing': true } });
  });

  it('JSON served as text/plain: parsed all the same', async () => {
    await run((_r, w) => respond(w, 200, { 'content-type': 'text/plain' }, chatJson('hi')));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 2 } });
  });

  it('JSON with no content-type at all', async () => {
    await run((_r, w) => respond(w, 200, {}, chatJson('hi')));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': 2 } });
  });
});

describe('SSE that is not clean', () => {
  it('garbage lines, comments, unknown fields, non-JSON data and binary noise between valid events', async () => {
    const pieces = [
      ': keep-alive comment\n\n',
      'garbage without a colon\n',
      'retry: 10\nid: 7\nevent: ping\ndata: {"type":"ping"}\n\n',
      chunkEvent('Hel'),
      'data: this is not json\n\n',
      Buffer.from([0x00, 0x01, 0xff, 0x0a, 0x0a]),
      // (A cut JSON object after the first chunk, `data: {"half": `, is counted as a chunk: plain
      // deltas are classified by a substring test, not parsed.)
      chunkEvent('lo'),
      'data:\n\n',
      usageEvent(4, 2),
      DONE,
    ];
    const seen = await runStream((_r, w) => sse(w, pieces));
    expect(seen).not.toHaveProperty('body.error');
    await expectOneExchange(h, {
      outcome: 'completed',
      attributes: { 'gen_ai.usage.input_tokens': 4, 'gen_ai.usage.output_tokens': 2, 'aimon.stream.chunks': 2 },
    });
  });

  it('no [DONE]: the body ends after the usage event; completed with usage', async () => {
    await runStream((_r, w) => sse(w, [chunkEvent('a'), chunkEvent('b'), usageEvent(3, 2)]));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': 2, 'aimon.stream.chunks': 2 } });
  });

  it('no [DONE] and an event cut in half at the end of the body', async () => {
    await runStream((_r, w) => sse(w, [chunkEvent('a'), usageEvent(3, 1), chunkEvent('b').slice(0, 25)]));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': 1, 'aimon.stream.chunks': 1 } });
  });

  it('events after [DONE] reach the app untouched but are not counted', async () => {
    const seen = await runStream((_r, w) => sse(w, [chunkEvent('a'), usageEvent(3, 1), DONE, chunkEvent('zzz', {}, 'other-model'), usageEvent(99, 99), DONE]));
    expect((seen as { body: { length: number } }).body.length).toBeGreaterThan(0);
    await expectOneExchange(h, {
      outcome: 'completed',
      attributes: { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1, 'gen_ai.response.model': 'gpt-4.1', 'aimon.stream.chunks': 1 },
    });
  });

  it('CRLF and CR line endings', async () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    const cr = (s: string) => s.replace(/\n/g, '\r');
    await runStream((_r, w) => sse(w, [crlf(chunkEvent('a')), cr(chunkEvent('b')), crlf(usageEvent(3, 2)), crlf(DONE)]));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': 2, 'aimon.stream.chunks': 2 } });
  });

  it('invalid UTF-8 inside a content delta: same bytes for the app; the usage after it still counts', async () => {
    const bad = withBytes(chunkEvent('X@@@'), [0xc3, 0x28, 0xff]);
    await runStream((_r, w) => sse(w, [chunkEvent('a'), bad, usageEvent(3, 2), DONE]));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': 2 } });
  });

  it('a stream served as application/json: the app gets it byte for byte; recorded as an unparseable JSON answer', async () => {
    await runStream((_r, w) => sse(w, [chunkEvent('a'), usageEvent(3, 1), DONE], { contentType: 'application/json' }));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'aimon.response.unparseable': true } });
  });

  it('a JSON answer served as text/event-stream: no events in it; completed, usage missing', async () => {
    await run((_r, w) => respond(w, 200, { 'content-type': 'text/event-stream' }, chatJson('hi')));
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'aimon.usage.missing': true, 'aimon.stream.chunks': 0 } });
  });
});

describe('sizes', () => {
  it('one 10 MB event between normal ones: passed through whole, skipped by the parser, the rest still parsed', { timeout: 60_000 }, async () => {
    const huge = `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [{ index: 0, delta: { content: 'y'.repeat(10 << 20) } }] })}\n\n`;
    const seen = await runStream(async (_r, w) => {
      await w.head(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' });
      await w.chunk(chunkEvent('a'));
      // Written in 64 KiB pieces, as a socket would deliver it.
      const b = Buffer.from(huge);
      for (let i = 0; i < b.length; i += 65536) await w.chunk(b.subarray(i, i + 65536));
      await w.chunk(usageEvent(3, 2));
      await w.chunk(DONE);
      await w.endChunked();
    });
    expect((seen as { body: { length: number } }).body.length).toBe(chunkEvent('a').length + huge.length + usageEvent(3, 2).length + DONE.length);
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 2 } });
  });

  it('100,000 small events, each its own chunk on the wire: same bytes, every chunk counted', { timeout: 90_000 }, async () => {
    const N = 100_000;
    const ev = chunkEvent('t');
    const seen = await runStream(async (_r, w) => {
      await w.head(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' });
      // Batches of 1,000 chunked frames per socket write keep the test fast; the reader still sees small chunks.
      for (let i = 0; i < N; i += 1000) {
        let frames = '';
        const len = Buffer.byteLength(ev).toString(16);
        for (let j = 0; j < 1000; j++) frames += `${len}\r\n${ev}\r\n`;
        await w.raw(frames);
      }
      await w.chunk(usageEvent(3, N));
      await w.chunk(DONE);
      await w.endChunked();
    });
    expect((seen as { body: { length: number } }).body.length).toBe(N * ev.length + usageEvent(3, N).length + DONE.length);
    await expectOneExchange(h, { outcome: 'completed', attributes: { 'gen_ai.usage.output_tokens': N, 'aimon.stream.chunks': N } });
  });
});
