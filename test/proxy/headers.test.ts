import { describe, expect, it } from 'vitest';
import { TokenSet } from '../../src/proxy/auth.js';
import { errorBody, ERRORS } from '../../src/proxy/errors.js';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../src/proxy/headers.js';

describe('headers across the proxy', () => {
  it('request: hop-by-hop, Host, Expect and Connection-named headers are dropped; framing recomputed', () => {
    const out = upstreamRequestHeaders(
      {
        host: 'proxy.local',
        connection: 'keep-alive, x-secret',
        'x-secret': 's',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'transfer-encoding': 'chunked',
        'proxy-authorization': 'Basic x',
        expect: '100-continue',
        upgrade: 'h2c',
        authorization: 'Bearer client',
        'content-length': '10',
        'x-stainless-lang': 'js',
      },
      { authorization: 'Bearer server', contentLength: 12 },
    );
    expect(out).toEqual({ authorization: 'Bearer server', 'content-length': 12, 'x-stainless-lang': 'js' });
    expect(upstreamRequestHeaders({ 'accept-encoding': 'gzip' }, { identityEncoding: true })).toEqual({ 'accept-encoding': 'identity' });
  });

  it('response: the headers the proxy reads come from the raw list, as Node would have joined them', () => {
    const raw = ['Content-Type', 'text/event-stream', 'content-type', 'application/json', 'Content-Encoding', 'gzip', 'content-encoding', 'br', 'Connection', 'Keep-Alive'];
    const info = { contentType: null, contentEncoding: undefined };
    const out = clientResponseHeaders(raw, false, info);
    expect(info).toEqual({ contentType: 'text/event-stream', contentEncoding: 'gzip, br' });
    expect(out).toEqual(raw.slice(0, 8));
    const none = { contentType: null, contentEncoding: undefined };
    clientResponseHeaders(['X-A', '1'], false, none);
    expect(none).toEqual({ contentType: null, contentEncoding: undefined });
  });

  it('Connection: keep-alive and close (any case) name no header; other tokens still do', () => {
    for (const connection of ['keep-alive', 'Keep-Alive', 'close', 'CLOSE']) {
      expect(upstreamRequestHeaders({ connection, 'x-a': '1', close: 'c' }, {})).toEqual({ 'x-a': '1', close: 'c' });
    }
    expect(upstreamRequestHeaders({ connection: 'X-A', 'x-a': '1', 'x-b': '2' }, {})).toEqual({ 'x-b': '2' });
    expect(clientResponseHeaders(['Connection', 'x-a', 'X-A', '1', 'X-B', '2'], false)).toEqual(['X-B', '2']);
  });

  it('response: case, order and duplicates kept; hop-by-hop dropped; content-length only when bytes change', () => {
    const raw = ['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Connection', 'keep-alive, X-Trace', 'X-Trace', 't', 'Set-Cookie', 'b=2', 'Transfer-Encoding', 'chunked', 'Content-Length', '5'];
    expect(clientResponseHeaders(raw, false)).toEqual(['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '5']);
    expect(clientResponseHeaders(raw, true)).toEqual(['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('proxy tokens: Bearer only, exact match', () => {
    const t = new TokenSet(['proxy-token-aaaaaaaaaa', 'proxy-token-bbbbbbbbbb']);
    expect(['Bearer proxy-token-bbbbbbbbbb', 'bearer  proxy-token-aaaaaaaaaa', 'Bearer proxy-token-aaaaaaaaa', 'proxy-token-aaaaaaaaaa', undefined].map((h) => t.check(h))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('errors have the OpenAI shape', () => {
    expect(JSON.parse(errorBody(ERRORS.tooLarge(10)).toString())).toEqual({
      error: { message: "The request body exceeds the proxy's limit of 10 bytes.", type: 'invalid_request_error', param: null, code: 'request_too_large' },
    });
  });
});
