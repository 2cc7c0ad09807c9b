/**
 * The embedded metrics endpoint listens on loopback only unless told
 * otherwise: the listening socket's address is read from /proc/net/tcp{,6}.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { ensureBuilt, freePort, spawnApp } from '../helpers/processes.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());

/** Addresses with a socket in LISTEN state on `port`, e.g. ["127.0.0.1"] or ["::1"]. */
function listening(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue;
      const [addr = '', p = ''] = cols[1]!.split(':');
      if (parseInt(p, 16) !== port) continue;
      out.push(addr.length === 8 ? ipv4(addr) : ipv6(addr));
    }
  }
  return out.sort();
}

// /proc writes each 32-bit word in host (little-endian) order.
const word = (hex: string) => hex.match(/../g)!.reverse().join('');
const ipv4 = (hex: string) => word(hex).match(/../g)!.map((b) => parseInt(b, 16)).join('.');
function ipv6(hex: string): string {
  const full = hex.match(/.{8}/g)!.map(word).join('');
  if (full === `${'0'.repeat(31)}1`) return '::1';
  if (full === '0'.repeat(32)) return '::';
  if (full.startsWith(`${'0'.repeat(20)}ffff`)) return `::ffff:${full.slice(24).match(/../g)!.map((b) => parseInt(b, 16)).join('.')}`;
  return full.match(/.{4}/g)!.join(':');
}

async function addressesWith(env: Record<string, string>): Promise<string[]> {
  const port = await freePort();
  const app = spawnApp('chat.mjs', { AIMON_HOSTS: `127.0.0.1:${upstream.port}`, UPSTREAM_BASE_URL: upstream.baseURL, OTEL_EXPORTER_PROMETHEUS_PORT: String(port), ...env }, { args: ['stdin'] });
  try {
    await app.waitForOutput(/^ready /m);
    const found = listening(port);
    app.send('exit');
    await app.exited;
    return found;
  } finally {
    app.child.kill('SIGKILL');
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

describe('metrics endpoint bind address', () => {
  it('default: loopback only', async () => {
    const addrs = await addressesWith({});
    expect(addrs.length).toBeGreaterThan(0);
    expect(addrs.filter((a) => !LOOPBACK.has(a))).toEqual([]);
  });

  it('OTEL_EXPORTER_PROMETHEUS_HOST=0.0.0.0 is the explicit way to listen on every interface', async () => {
    expect(await addressesWith({ OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0' })).toEqual(['0.0.0.0']);
  });
});
