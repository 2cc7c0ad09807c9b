import { describe, expect, it } from 'vitest';
import { isLoopback, parseListen, ProxyConfigError, resolveProxyConfig } from '../../src/proxy/config.js';

const TOKEN = 'proxy-token-0123456789';
const resolve = (argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) =>
  resolveProxyConfig({
    argv,
    env,
    readFile: (p) => {
      if (files[p] === undefined) throw new Error(`ENOENT: ${p}`);
      return files[p]!;
    },
  });

describe('proxy configuration', () => {
  it('defaults: loopback 8080, passthrough, base path from the upstream', () => {
    const c = resolve(['--upstream', 'https://api.holysheep.ai/v1']).config!;
    expect({ host: c.host, port: c.port, auth: c.auth, basePath: c.basePath, upstreamBasePath: c.upstreamBasePath }).toEqual({
      host: '127.0.0.1',
      port: 8080,
      auth: 'passthrough',
      basePath: '/v1',
      upstreamBasePath: '/v1',
    });
    expect(c.timeoutMs).toBe(600_000);
    expect(c.maxBodyBytes).toBe(32 << 20);
  });

  it('flags beat env, env beats the config file (YAML or JSON)', () => {
    const files = { '/c.yaml': 'upstream: https://file.example/v1\nlisten: 127.0.0.1:1111\ntimeoutMs: 1000\nmaxBodyBytes: 2048\n' };
    const env = { AIMON_PROXY_CONFIG: '/c.yaml', AIMON_PROXY_LISTEN: '127.0.0.1:2222', AIMON_PROXY_TIMEOUT_MS: '2000' };
    const c = resolve(['--timeout-ms', '3000'], env, files).config!;
    expect(c.upstream.href).toBe('https://file.example/v1');
    expect(c.port).toBe(2222);
    expect(c.timeoutMs).toBe(3000);
    expect(c.maxBodyBytes).toBe(2048);
    const j = resolve(['--config=/c.json'], {}, { '/c.json': '{"upstream":"http://127.0.0.1:9/v1","drainTimeoutMs":5}' }).config!;
    expect(j.drainTimeoutMs).toBe(5);
  });

  it('refuses bad settings with a message naming them', () => {
    expect(() => resolve([])).toThrow(/no upstream/);
    expect(() => resolve(['--upstream', 'ftp://x/v1'])).toThrow(ProxyConfigError);
    expect(() => resolve(['--upstream', 'https://user:pw@x/v1'])).toThrow(/credentials/);
    expect(() => resolve(['--upstream', 'https://x/v1', '--timeout-ms', 'soon'])).toThrow(/--timeout-ms="soon"/);
    expect(() => resolve(['--upstream', 'https://x/v1', '--bogus'])).toThrow(/unknown argument "--bogus"/);
    expect(() => resolve(['--upstream', 'https://x/v1', '--api-key', 'sk-1'])).toThrow(/not accepted on the command line/);
    expect(() => resolve(['--config', '/c.yaml'], {}, { '/c.yaml': 'upstrem: https://x/v1' })).toThrow(/unknown key "upstrem"/);
  });

  it('refuses a non-loopback listener without an explicit auth mode', () => {
    expect(() => resolve(['--upstream', 'https://x/v1', '--listen', '0.0.0.0:8080'])).toThrow(/refusing to listen on 0\.0\.0\.0.*--auth passthrough/);
    expect(resolve(['--upstream', 'https://x/v1', '--listen', '0.0.0.0:8080', '--auth', 'passthrough']).config!.auth).toBe('passthrough');
    const c = resolve(['--upstream', 'https://x/v1', '--listen', '0.0.0.0:8080'], { HOLYSHEEP_API_KEY: 'sk-server', AIMON_PROXY_TOKENS: TOKEN }).config!;
    expect({ auth: c.auth, apiKey: c.apiKey, tokens: c.tokens }).toEqual({ auth: 'token', apiKey: 'sk-server', tokens: [TOKEN] });
  });

  it('a server-side key requires proxy tokens', () => {
    expect(() => resolve(['--upstream', 'https://x/v1'], { HOLYSHEEP_API_KEY: 'sk-server' })).toThrow(/must present a proxy token/);
    expect(() => resolve(['--upstream', 'https://x/v1'], { HOLYSHEEP_API_KEY: 'sk', AIMON_PROXY_TOKENS: 'short' })).toThrow(/at least 16/);
    const c = resolve(['--upstream', 'https://x/v1', '--tokens-file', '/t'], { HOLYSHEEP_API_KEY: 'sk' }, { '/t': `# tokens\n${TOKEN}\n\n${TOKEN}x\n` }).config!;
    expect(c.tokens).toEqual([TOKEN, `${TOKEN}x`]);
    expect(() => resolve(['--upstream', 'https://x/v1', '--auth', 'token'])).toThrow(/needs a server-side key/);
  });

  it('listen addresses and loopback detection', () => {
    expect(parseListen('8081')).toEqual({ host: '127.0.0.1', port: 8081 });
    expect(parseListen('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(parseListen(':8081')).toEqual({ host: '0.0.0.0', port: 8081 });
    expect(() => parseListen('::1:8081')).toThrow(/IPv6/);
    expect(['127.0.0.1', '127.9.9.9', '::1', 'localhost', '[::1]', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
