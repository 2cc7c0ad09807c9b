/**
 * docker-compose.yml, validated without a Docker engine: Debian's
 * docker-compose 1.29 (`config -q`) and the Compose Specification JSON schema
 * with ajv. The schema is vendored in fixtures/compose-spec.json, copied from
 * Debian's docker-compose 1.29.2 package
 * (/usr/lib/python3/dist-packages/compose/config/compose_spec.json, which is
 * the compose-spec/compose-spec schema that release shipped).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasBinary, REPO } from '../helpers/prometheus.js';

const HAVE_COMPOSE = hasBinary('docker-compose');
if (!HAVE_COMPOSE) console.warn('docker-compose check skipped: not installed (apt-get install docker-compose); CI installs it');

const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image: string; profiles?: string[]; healthcheck?: unknown; volumes?: string[] }>;
  name?: string;
};
const env = Object.fromEntries(
  readFileSync(join(REPO, '.env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

describe('docker-compose.yml', () => {
  it.skipIf(!HAVE_COMPOSE)('is accepted by docker-compose config', () => {
    for (const args of [[], ['--profile', 'sim']]) {
      const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args, 'config', '-q'], { cwd: REPO, encoding: 'utf8' });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('matches the Compose Specification schema', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'test', 'pipeline', 'fixtures', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
    // The 2019-09 meta-schema is ajv's Ajv2019; the draft-04 `id` labels are only names here.
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      const rec = node as Record<string, unknown>;
      if (typeof rec.id === 'string') delete rec.id;
      Object.values(rec).forEach(dropIds);
    };
    dropIds(schema);
    const ajv = new Ajv2019.default({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema does catch mistakes.
    expect(validate({ services: { app: { image: 'x', helthcheck: {} } } })).toBe(false);
  });

  it('has no top-level name (Debian docker-compose 1.29 rejects it)', () => {
    expect(compose.name).toBeUndefined();
  });

  it('runs every component on an image pinned in .env', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'app', 'grafana', 'otel-collector', 'prometheus', 'tempo', 'upstream']);
    for (const [name, s] of Object.entries(compose.services)) {
      const m = /^\$\{([A-Z_]+)\}$/.exec(s.image);
      expect(m, `${name} image ${s.image}`).not.toBeNull();
      const pinned = env[m![1]!];
      expect(pinned, `${m![1]} in .env`).toMatch(/^[a-z0-9./-]+:v?[0-9][A-Za-z0-9._-]*$/);
      expect(pinned).not.toMatch(/:latest$/);
    }
  });

  it('runs the app under @aimon/otel/register, with the simulated upstream in the sim profile', () => {
    expect((compose.services.app as unknown as { command: string[] }).command).toEqual(['node', '--import', '@aimon/otel/register', 'examples/app.mjs']);
    expect(compose.services.upstream!.profiles).toEqual(['sim']);
  });

  it('has health checks wherever the image has a shell or runtime to run one', () => {
    for (const name of ['app', 'upstream', 'prometheus', 'alertmanager', 'grafana']) expect(compose.services[name]!.healthcheck, name).toBeDefined();
    // The Collector and Tempo images have no shell: nothing to run a check with.
    for (const name of ['otel-collector', 'tempo']) expect(compose.services[name]!.healthcheck, name).toBeUndefined();
  });
});
