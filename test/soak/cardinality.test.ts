/**
 * Thousands of distinct model names (misconfigured or attacker-controlled)
 * make a bounded number of series on the embedded /metrics endpoint: each
 * model label keeps its first AIMON_MAX_MODEL_LABELS values, the rest become
 * "_other", one warning says so, and the series count stops growing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { parseExposition } from '../helpers/exposition.js';
import { ensureBuilt, freePort, spawnApp } from '../helpers/processes.js';

const CAP = 50;

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 120_000);
afterAll(() => upstream.close());

describe('model label cardinality', () => {
  it(`2,000 distinct models: at most ${CAP} + "_other" per label, series stop growing`, { timeout: 90_000 }, async () => {
    const port = await freePort();
    const app = spawnApp('../../soak/apps/models.mjs', {
      AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
      UPSTREAM_BASE_URL: upstream.baseURL,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      AIMON_MAX_MODEL_LABELS: String(CAP),
    });
    const scrape = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const samples = parseExposition(text).samples.filter((s) => s.name !== 'target_info');
      const values = (label: string) => new Set(samples.map((s) => s.labels[label]).filter((v) => v !== undefined));
      return { series: samples.length, bytes: text.length, request: values('gen_ai_request_model'), response: values('gen_ai_response_model') };
    };
    try {
      app.send('1000 0');
      await app.waitForOutput(/^done 1000$/m, 60_000);
      const half = await scrape();
      app.send('1000 1000');
      await app.waitForOutput(/^done 2000$/m, 60_000);
      const full = await scrape();
      app.send('exit');
      expect(await app.exited).toEqual({ code: 0, signal: null });

      for (const s of [half, full]) {
        expect(s.request.size).toBe(CAP + 1);
        expect(s.response.size).toBe(CAP + 1);
        expect(s.request.has('_other')).toBe(true);
        expect(s.response.has('_other')).toBe(true);
      }
      // Doubling the distinct names changes no series, only counts.
      expect(full.series).toBe(half.series);
      console.log(`2000 models, cap ${CAP}: ${full.series} samples, ${full.bytes} bytes of /metrics`);
      // One warning per capped label, not one per call.
      const warnings = app.stderr().trim().split('\n').filter((l) => l.includes('distinct'));
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).toContain(`more than ${CAP} distinct gen_ai.request.model values`);
    } finally {
      app.child.kill('SIGKILL');
    }
  });
});
