/**
 * The Prometheus and Alertmanager configs, checked by their own tools:
 * `promtool check config` (which checks the rule files too), `promtool check
 * rules`, `promtool test rules` (every alert firing and staying quiet,
 * prometheus/tests/*.yml) and `amtool check-config`. CI installs the tools
 * (Debian: prometheus, prometheus-alertmanager).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { hasBinary, PROMETHEUS_DIR, REPO } from '../helpers/prometheus.js';

const HAVE_PROMTOOL = hasBinary('promtool');
const HAVE_AMTOOL = hasBinary('amtool');
if (!HAVE_PROMTOOL) console.warn('promtool tests skipped: promtool is not installed (apt-get install prometheus); CI installs it');
if (!HAVE_AMTOOL) console.warn('amtool test skipped: amtool is not installed (apt-get install prometheus-alertmanager); CI installs it');

function run(cmd: string, args: string[], cwd = PROMETHEUS_DIR): { status: number | null; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const ruleFiles = readdirSync(join(PROMETHEUS_DIR, 'rules')).filter((f) => f.endsWith('.yml')).map((f) => join('rules', f));
const testFiles = readdirSync(join(PROMETHEUS_DIR, 'tests')).filter((f) => f.endsWith('.yml')).map((f) => join('tests', f));

describe.skipIf(!HAVE_PROMTOOL)('promtool', () => {
  it('accepts prometheus.yml and every rule file it loads', () => {
    const r = run('promtool', ['check', 'config', 'prometheus.yml']);
    expect(r.status, r.out).toBe(0);
    const cfg = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as { rule_files: string[] };
    expect([...cfg.rule_files].sort()).toEqual([...ruleFiles].sort());
  });

  it('accepts the remote_write example merged into prometheus.yml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aimon-rw-'));
    try {
      const cfg = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as Record<string, unknown>;
      delete cfg.rule_files;
      Object.assign(cfg, parse(readFileSync(join(PROMETHEUS_DIR, 'remote-write.example.yml'), 'utf8')));
      writeFileSync(join(dir, 'prometheus.yml'), stringify(cfg));
      const r = run('promtool', ['check', 'config', 'prometheus.yml'], dir);
      expect(r.status, r.out).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the rules (syntax and lint)', () => {
    const r = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(r.status, r.out).toBe(0);
  });

  it('passes the rule unit tests', () => {
    const r = run('promtool', ['test', 'rules', ...testFiles]);
    expect(r.status, r.out).toBe(0);
  }, 120_000);
});

describe('alert rules', () => {
  const alerts = ruleFiles.flatMap((f) => {
    const doc = parse(readFileSync(join(PROMETHEUS_DIR, f), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }>;
    };
    return doc.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
  });
  const runbook = readFileSync(join(REPO, 'docs', 'runbook.md'), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
  const tests = testFiles.map((f) => readFileSync(join(PROMETHEUS_DIR, f), 'utf8')).join('\n');

  it('are the ones the issue asks for', () => {
    expect([...new Set(alerts.map((a) => a.alert))].sort()).toEqual(
      ['CostAnomaly', 'HighErrorRate', 'HighLatency', 'ServiceDown', 'SpendBudgetBurn', 'StreamUsageMissing', 'UnpricedModel'].sort(),
    );
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s has a severity, summary, description and a runbook section', (_name, a) => {
    expect(['page', 'ticket']).toContain(a.labels?.severity);
    expect(a.annotations?.summary).toBeTruthy();
    expect(a.annotations?.description).toBeTruthy();
    const m = /^docs\/runbook\.md#([a-z0-9-]+)$/.exec(a.annotations?.runbook_url ?? '');
    expect(m, a.annotations?.runbook_url).not.toBeNull();
    expect(anchors.has(m![1]!), `docs/runbook.md has no section #${m![1]}`).toBe(true);
  });

  it.each([...new Set(alerts.map((a) => a.alert!))])('%s is shown firing and quiet in prometheus/tests', (name) => {
    expect(tests).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts: \\[\\]`));
    expect(tests).toMatch(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels:`));
  });
});

describe.skipIf(!HAVE_AMTOOL)('amtool', () => {
  it('accepts alertmanager.yml', () => {
    const r = run('amtool', ['check-config', 'alertmanager.yml'], join(REPO, 'alertmanager'));
    expect(r.status, r.out).toBe(0);
  });

  it.each([
    ['severity=page', 'page'],
    ['severity=ticket', 'ticket'],
  ])('routes %s to %s', (labels, receiver) => {
    const r = run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', 'alertname=HighErrorRate', labels], join(REPO, 'alertmanager'));
    expect(r.status, r.out).toBe(0);
    expect(r.stdout.trim()).toBe(receiver);
  });
});

describe('alertmanager.yml', () => {
  it('inhibits a ticket while the page of the same alert and job fires', () => {
    const cfg = parse(readFileSync(join(REPO, 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
    };
    expect(cfg.inhibit_rules).toContainEqual({ source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ['alertname', 'job'] });
  });
});
