/**
 * register's process-level guarantees beyond test/e2e/register.test.ts:
 * OTEL_SDK_DISABLED leaves globalThis.fetch the very function Node installed
 * (checked by identity) and adds no listener; loading register twice wraps
 * the pristine fetch once and installs one set of hooks.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, REGISTER_URL, REPO, spawnApp } from '../helpers/processes.js';

const STASH = pathToFileURL(join(REPO, 'test/faults/apps/stash-fetch.mjs')).href;
const GLOBALS = '../../faults/apps/globals.mjs';

beforeAll(() => ensureBuilt(), 120_000);

async function globalsWith(env: Record<string, string>, imports: string[]): Promise<Record<string, unknown>> {
  const app = spawnApp(GLOBALS, { OTEL_METRICS_EXPORTER: 'none', ...env }, { imports: [STASH, ...imports] });
  expect(await app.exited).toEqual({ code: 0, signal: null });
  expect(app.stderr()).toBe('');
  return JSON.parse(app.stdout().trim()) as Record<string, unknown>;
}

describe('register, process globals', () => {
  it('without register: the baseline', async () => {
    expect(await globalsWith({}, [])).toEqual({ fetchIsOriginal: true, wrappedOnce: false, sigterm: 0, sigint: 0, beforeExit: 0, otelGlobals: [], sdk: 'unset' });
  });

  for (const value of ['true', 'TRUE', ' True ']) {
    it(`OTEL_SDK_DISABLED="${value}": fetch is the original by identity, no listener, no SDK`, async () => {
      const g = await globalsWith({ OTEL_SDK_DISABLED: value }, [REGISTER_URL]);
      expect(g).toEqual({ fetchIsOriginal: true, wrappedOnce: false, sigterm: 0, sigint: 0, beforeExit: 0, otelGlobals: [], sdk: 'null' });
    });
  }

  it('loaded twice (two module instances): the pristine fetch wrapped once, one set of shutdown hooks', async () => {
    const g = await globalsWith({}, [REGISTER_URL, `${REGISTER_URL}?second`]);
    expect(g).toMatchObject({ fetchIsOriginal: false, wrappedOnce: true, sigterm: 1, sigint: 1, beforeExit: 1, sdk: 'running' });
  });
});
