import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINTS, HostMatcher, operationOfPath, parseEndpoint, type Endpoint } from '../src/hosts.js';

describe('parseEndpoint', () => {
  it.each<[string, Endpoint]>([
    ['llm.example.com', { host: 'llm.example.com', pathPrefix: '', provider: 'openai' }],
    ['  LLM.Example.COM  ', { host: 'llm.example.com', pathPrefix: '', provider: 'openai' }],
    ['localhost:8080', { host: 'localhost', port: 8080, pathPrefix: '', provider: 'openai' }],
    ['llm.example.com/openai/v1/', { host: 'llm.example.com', pathPrefix: '/openai/v1', provider: 'openai' }],
    ['http://127.0.0.1:11434/v1', { host: '127.0.0.1', port: 11434, pathPrefix: '/v1', provider: 'openai' }],
    ['https://gw.example.com/api=my_gateway', { host: 'gw.example.com', pathPrefix: '/api', provider: 'my_gateway' }],
    ['vllm.internal:8000 = vllm', { host: 'vllm.internal', port: 8000, pathPrefix: '', provider: 'vllm' }],
    ['*.openai.azure.com=azure.ai.openai', { host: '*.openai.azure.com', pathPrefix: '', provider: 'azure.ai.openai' }],
    ['https://*.example.org/v1', { host: '*.example.org', pathPrefix: '/v1', provider: 'openai' }],
    ['[::1]:9000', { host: '[::1]', port: 9000, pathPrefix: '', provider: 'openai' }],
    // An explicit default port is still a port rule.
    ['llm.example.com:443', { host: 'llm.example.com', port: 443, pathPrefix: '', provider: 'openai' }],
    ['http://llm.example.com:80/v1', { host: 'llm.example.com', port: 80, pathPrefix: '/v1', provider: 'openai' }],
  ])('%j', (entry, expected) => {
    expect(parseEndpoint(entry)).toEqual(expected);
  });

  it('uses the default provider given', () => {
    expect(parseEndpoint('x.example.com', 'groq')).toEqual({ host: 'x.example.com', pathPrefix: '', provider: 'groq' });
  });

  it.each<[string, string]>([
    ['', 'invalid host entry ""'],
    ['http://', 'invalid host entry "http://"'],
    ['=openai', 'invalid host entry "=openai"'],
    ['host:notaport', 'invalid host entry "host:notaport"'],
    ['host:99999', 'invalid host entry "host:99999"'],
    ['bad host', 'invalid host entry "bad host"'],
    ['host=bad provider!', 'invalid provider in host entry "host=bad provider!"'],
    ['host=', 'invalid provider in host entry "host="'],
    ['https://host/v1?key=1', 'host entry "https://host/v1?key=1" must not have a query, fragment or credentials'],
    ['https://host/v1?debug', 'host entry "https://host/v1?debug" must not have a query, fragment or credentials'],
    ['https://host/v1#x', 'host entry "https://host/v1#x" must not have a query, fragment or credentials'],
    ['https://user:pw@host', 'host entry "https://user:pw@host" must not have a query, fragment or credentials'],
    ['https://:pw@host', 'host entry "https://:pw@host" must not have a query, fragment or credentials'],
  ])('%j throws naming the entry', (entry, message) => {
    expect(() => parseEndpoint(entry)).toThrow(new Error(message));
  });
});

describe('operationOfPath', () => {
  it.each([
    ['/v1/chat/completions', { operation: 'chat', protocol: 'openai' }],
    ['/v1/completions', { operation: 'text_completion', protocol: 'openai' }],
    ['/v1/embeddings', { operation: 'embeddings', protocol: 'openai' }],
    ['/v1/models', undefined],
    ['/v1/chat/completions/abc', undefined],
  ])('%s', (path, expected) => {
    expect(operationOfPath(path)).toEqual(expected);
  });
});

describe('HostMatcher', () => {
  const matcher = new HostMatcher([
    ...DEFAULT_ENDPOINTS,
    parseEndpoint('llm.example.com/openai/v1=gateway'),
    parseEndpoint('llm.example.com=plain'),
    parseEndpoint('localhost:8080=local'),
    parseEndpoint('http://127.0.0.1:80=loopback80'),
  ]);

  function target(input: unknown) {
    const t = matcher.match(input);
    if (t === undefined) return undefined;
    return {
      host: t.endpoint.host,
      provider: t.endpoint.provider,
      operation: t.operation,
      protocol: t.protocol,
      href: t.url.href,
      serverAddress: t.serverAddress,
      serverPort: t.serverPort,
    };
  }

  const openaiChat = {
    host: 'api.openai.com',
    provider: 'openai',
    operation: 'chat',
    protocol: 'openai',
    href: 'https://api.openai.com/v1/chat/completions',
    serverAddress: 'api.openai.com',
    serverPort: 443,
  };

  it('matches a string, a URL and a Request alike', () => {
    const href = 'https://api.openai.com/v1/chat/completions';
    expect(target(href)).toEqual(openaiChat);
    expect(target(new URL(href))).toEqual(openaiChat);
    expect(target(new Request(href, { method: 'POST', body: '{}' }))).toEqual(openaiChat);
  });

  it('upper-case hosts and userinfo', () => {
    expect(target('https://API.OpenAI.com/v1/chat/completions')).toEqual(openaiChat);
    expect(target('https://user:secret@api.openai.com/v1/chat/completions')).toEqual({
      ...openaiChat,
      href: 'https://user:secret@api.openai.com/v1/chat/completions',
    });
    // The host is what follows the last '@' of the authority.
    expect(target('https://api.openai.com@evil.example/v1/chat/completions')).toBeUndefined();
  });

  it('a path prefix endpoint wins over the bare host, on a path boundary', () => {
    expect(target('https://llm.example.com/openai/v1/chat/completions')).toEqual({
      host: 'llm.example.com',
      provider: 'gateway',
      operation: 'chat',
      protocol: 'openai',
      href: 'https://llm.example.com/openai/v1/chat/completions',
      serverAddress: 'llm.example.com',
      serverPort: 443,
    });
    expect(target('https://llm.example.com/openai/v10/chat/completions')?.provider).toBe('plain');
    expect(target('https://llm.example.com/v1/embeddings')?.provider).toBe('plain');
  });

  it('a path prefix alone does not match', () => {
    const m = new HostMatcher([parseEndpoint('llm.example.com/openai/v1')]);
    expect(m.match('https://llm.example.com/openai/v10/chat/completions')).toBeUndefined();
    expect(m.match('https://llm.example.com/chat/completions')).toBeUndefined();
    expect(m.match('https://llm.example.com/openai/v1/chat/completions')?.operation).toBe('chat');
  });

  it('port rules', () => {
    expect(target('http://localhost:8080/v1/chat/completions')).toMatchObject({ provider: 'local', serverPort: 8080 });
    expect(target('http://localhost:8081/v1/chat/completions')).toBeUndefined();
    expect(target('http://localhost/v1/chat/completions')).toBeUndefined();
    expect(target('http://127.0.0.1/v1/embeddings')).toMatchObject({ provider: 'loopback80', serverPort: 80, operation: 'embeddings' });
    expect(target('http://127.0.0.1:8080/v1/embeddings')).toBeUndefined();
    // No port rule: any port, reported as given or as the scheme's default.
    expect(target('https://api.openai.com:8443/v1/embeddings')).toMatchObject({ provider: 'openai', serverPort: 8443 });
    expect(target('http://api.openai.com/v1/embeddings')).toMatchObject({ serverPort: 80 });
  });

  it('wildcard hosts', () => {
    expect(target('https://my-res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21')).toEqual({
      host: '*.openai.azure.com',
      provider: 'azure.ai.openai',
      operation: 'chat',
      protocol: 'openai',
      href: 'https://my-res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21',
      serverAddress: 'my-res.openai.azure.com',
      serverPort: 443,
    });
    expect(target('https://openai.azure.com/openai/deployments/x/chat/completions')).toBeUndefined();
    expect(target('https://evilopenai.azure.com/v1/chat/completions')).toBeUndefined();
  });

  it('non-LLM paths, other hosts and non-URLs give undefined', () => {
    expect(target('https://api.openai.com/v1/models')).toBeUndefined();
    expect(target('https://api.openai.com/v1/files')).toBeUndefined();
    expect(target('https://example.com/v1/chat/completions')).toBeUndefined();
    expect(target('/v1/chat/completions')).toBeUndefined();
    expect(target(42)).toBeUndefined();
    expect(target(null)).toBeUndefined();
    expect(target({ url: 5 })).toBeUndefined();
  });

  it('default endpoints: OpenRouter under /api/v1 only', () => {
    expect(target('https://openrouter.ai/api/v1/chat/completions')).toMatchObject({ provider: 'openrouter' });
    expect(target('https://openrouter.ai/v1/chat/completions')).toBeUndefined();
  });
});

describe('HostMatcher: resolved URLs are cached', () => {
  it('the same URL gives the same target, and a cached miss stays a miss', () => {
    const m = new HostMatcher(DEFAULT_ENDPOINTS);
    const a = m.match('https://api.openai.com/v1/chat/completions');
    expect(a).toBeDefined();
    expect(m.match('https://api.openai.com/v1/chat/completions')).toBe(a);
    expect(m.match(new URL('https://api.openai.com/v1/chat/completions'))).toBe(a);
    expect(m.match('https://api.openai.com/v1/models')).toBeUndefined();
    expect(m.match('https://api.openai.com/v1/models')).toBeUndefined();
  });

  it('stays right past its bound (thousands of distinct query strings)', () => {
    const m = new HostMatcher(DEFAULT_ENDPOINTS);
    for (let i = 0; i < 2000; i++) {
      const t = m.match(`https://api.openai.com/v1/chat/completions?i=${i}`);
      expect(t?.operation).toBe('chat');
      expect(m.match(`https://api.openai.com/v1/embeddings?i=${i}`)?.operation).toBe('embeddings');
      expect(m.match(`https://api.openai.com/v1/files?i=${i}`)).toBeUndefined();
    }
    expect(m.match('https://api.openai.com/v1/chat/completions?i=0')?.serverAddress).toBe('api.openai.com');
  });
});
