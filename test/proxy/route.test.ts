import { describe, expect, it } from 'vitest';
import { routeRequest } from '../../src/proxy/route.js';

const route = (t: string, base = '/v1', up = '/v1') => routeRequest(t, base, up);

describe('routeRequest', () => {
  it('maps paths under the base to the upstream base, query kept', () => {
    expect(route('/v1/chat/completions')).toEqual({ kind: 'forward', path: '/v1/chat/completions', call: { operation: 'chat', protocol: 'openai' } });
    expect(route('/v1/embeddings')).toMatchObject({ kind: 'forward', call: { operation: 'embeddings' } });
    expect(route('/v1/completions')).toMatchObject({ kind: 'forward', call: { operation: 'text_completion' } });
    expect(route('/v1/models?limit=2')).toEqual({ kind: 'forward', path: '/v1/models?limit=2', call: undefined });
    expect(route('/api/chat/completions', '/api', '/openai/v1')).toMatchObject({ kind: 'forward', path: '/openai/v1/chat/completions' });
    expect(route('/chat/completions', '', '')).toMatchObject({ kind: 'forward', path: '/chat/completions' });
  });

  it('serves its own endpoints', () => {
    expect(route('/health')).toEqual({ kind: 'local', name: 'health' });
    expect(route('/health/ready')).toEqual({ kind: 'local', name: 'ready' });
    expect(route('/metrics')).toEqual({ kind: 'local', name: 'metrics' });
  });

  it.each([
    'http://evil.example/v1/models',
    'https://evil.example:443/v1/chat/completions',
    '*',
    'evil.example:443',
    '//evil.example/v1/models',
    '/v1/../admin',
    '/v1/./models',
    '/v1/..',
    '/v1/%2e%2e/admin',
    '/v1/%2E./admin',
    '/v1%2fchat/completions',
    '/v1/chat%2Fcompletions',
    '/v1/%5c..%5cadmin',
    '/v1\\..\\admin',
    '/v1//evil.example/models',
    '/v1/models#frag',
    '/v1/models?x=1#frag',
    '/v1/%00',
  ])('refuses %s', (target) => {
    expect(route(target)).toMatchObject({ kind: 'reject', status: 400 });
  });

  it('answers 404 outside the base path', () => {
    expect(route('/v2/models')).toMatchObject({ kind: 'reject', status: 404 });
    expect(route('/v1models')).toMatchObject({ kind: 'reject', status: 404 });
    expect(route('/')).toMatchObject({ kind: 'reject', status: 404 });
  });
});
