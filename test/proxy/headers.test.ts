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
