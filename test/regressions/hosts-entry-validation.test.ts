// parseEndpoint accepted "=openai" (a host named "=openai"), accepted a URL
// with only a password ("https://:pw@host"), and dropped an explicit default
// port ("llm.example.com:443", "http://host:80"), so that endpoint matched
// every port of the host.
import { expect, it } from 'vitest';
import { HostMatcher, parseEndpoint } from '../../src/hosts.js';

it('rejects an entry with no host', () => {
  expect(() => parseEndpoint('=openai')).toThrow(new Error('invalid host entry "=openai"'));
});

it('rejects a password without a user name', () => {
  expect(() => parseEndpoint('https://:pw@llm.example.com')).toThrow(
    new Error('host entry "https://:pw@llm.example.com" must not have a query, fragment or credentials'),
  );
});

it('keeps an explicit default port as a port rule', () => {
  expect(parseEndpoint('llm.example.com:443')).toEqual({ host: 'llm.example.com', port: 443, pathPrefix: '', provider: 'openai' });
  const m = new HostMatcher([parseEndpoint('http://llm.example.com:80')]);
  expect(m.match('http://llm.example.com/v1/chat/completions')?.serverPort).toBe(80);
  expect(m.match('http://llm.example.com:8080/v1/chat/completions')).toBeUndefined();
});
