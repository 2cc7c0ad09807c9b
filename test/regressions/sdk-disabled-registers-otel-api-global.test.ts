/**
 * Bug: with OTEL_SDK_DISABLED=true, register still installed its diag logger,
 * which creates the OpenTelemetry API global (Symbol.for('opentelemetry.js.api.1'))
 * pinned to our API version: an app with its own, different @opentelemetry/api
 * then fails to register its providers, and its OTel warnings go to our console
 * logger. Fix (register.ts): check OTEL_SDK_DISABLED (and worker threads) first.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, REGISTER_URL, REPO, spawnApp } from '../helpers/processes.js';

beforeAll(() => ensureBuilt(), 120_000);

it('OTEL_SDK_DISABLED=true leaves no OpenTelemetry API global behind', async () => {
  const stash = pathToFileURL(join(REPO, 'test/faults/apps/stash-fetch.mjs')).href;
  const app = spawnApp('../../faults/apps/globals.mjs', { OTEL_SDK_DISABLED: 'true' }, { imports: [stash, REGISTER_URL] });
  expect(await app.exited).toEqual({ code: 0, signal: null });
  expect(JSON.parse(app.stdout())).toMatchObject({ fetchIsOriginal: true, otelGlobals: [] });
});
