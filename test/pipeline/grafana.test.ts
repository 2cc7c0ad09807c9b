/**
 * Grafana provisioning and the overview dashboard, statically: fixed
 * datasource uids, every panel on the Prometheus uid, the variables, the
 * Tempo links on latency panels, and every panel query extracted with its
 * variables substituted (the integration test runs them on a real Prometheus).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardQueries, substitute, variableSelectors } from '../../src/pipeline/dashboard.js';
import { REPO } from '../helpers/prometheus.js';

const dash = JSON.parse(readFileSync(join(REPO, 'grafana', 'dashboards', 'aimon-overview.json'), 'utf8')) as {
  uid: string;
  panels: Array<{ title: string; type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }>; fieldConfig?: { defaults?: { links?: Array<{ url: string }> } } }>;
  templating: { list: Array<{ name: string }> };
};

describe('grafana provisioning', () => {
  it('has Prometheus and Tempo datasources with fixed uids', () => {
    const ds = parse(readFileSync(join(REPO, 'grafana', 'provisioning', 'datasources', 'datasources.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(ds.datasources.map((d) => [d.uid, d.type, d.url])).toEqual([
      ['prometheus', 'prometheus', 'http://prometheus:9090'],
      ['tempo', 'tempo', 'http://tempo:3200'],
    ]);
  });

  it('loads dashboards from the folder compose mounts', () => {
    const p = parse(readFileSync(join(REPO, 'grafana', 'provisioning', 'dashboards', 'dashboards.yml'), 'utf8')) as { providers: Array<{ type: string; options: { path: string } }> };
    expect(p.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } });
    expect(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});

describe('overview dashboard', () => {
  const panels = dash.panels.filter((p) => p.type !== 'row');

  it('has the service, provider and model variables', () => {
    expect(dash.templating.list.map((v) => v.name)).toEqual(['service', 'provider', 'model']);
    expect(variableSelectors(dash).map((v) => v.label)).toEqual(['job', 'gen_ai_provider_name', 'gen_ai_request_model']);
  });

  it('has the panels the issue lists', () => {
    const titles = panels.map((p) => p.title);
    for (const t of [
      'Request rate by model and outcome',
      'Tokens by model and type',
      'Latency p50 / p95 / p99 (completed calls)',
      'Time to first chunk p50 / p95 (streams)',
      'Error rate by model',
      'Cost per model (USD/hour)',
      'Daily cost by model',
      'Month to date',
      'Projected month-end',
      'Top models by cost',
      'Top tenants by cost',
      'Unpriced calls',
      'Calls without usage',
    ]) {
      expect(titles).toContain(t);
    }
  });

  it('queries Prometheus by uid and filters every GenAI series by the variables', () => {
    for (const p of panels) {
      expect(p.datasource?.uid, p.title).toBe('prometheus');
      for (const t of p.targets ?? []) {
        if (/gen_ai_|aimon_client_/.test(t.expr)) expect(t.expr, p.title).toContain('gen_ai_request_model=~"$model"');
      }
    }
  });

  it('links latency panels to Tempo traces of the clicked model', () => {
    for (const p of panels.filter((x) => /Latency|Time to first chunk/.test(x.title))) {
      const links = p.fieldConfig?.defaults?.links ?? [];
      expect(links.length, p.title).toBeGreaterThan(0);
      const left = JSON.parse(decodeURIComponent(links[0]!.url.split('left=')[1]!)) as { datasource: string; queries: Array<{ query: string }> };
      expect(left.datasource).toBe('tempo');
      expect(left.queries[0]!.query).toContain('span.gen_ai.request.model = "${__field.labels.gen_ai_request_model}"');
    }
  });

  it('yields every panel query with no variable left', () => {
    const qs = dashboardQueries(dash, { rateInterval: '1m', interval: '15s', range: '1h', variables: { model: 'gpt-4\\.1' } });
    expect(qs.length).toBe(panels.reduce((n, p) => n + (p.targets?.length ?? 0), 0));
    for (const q of qs) expect(q.expr, `${q.panel} ${q.refId}`).not.toMatch(/\$/);
    expect(qs.find((q) => q.panel === 'Top models by cost')!.expr).toBe(
      'topk(10, sum by (gen_ai_request_model) (increase(aimon_client_cost_usd_total{job=~".*", gen_ai_provider_name=~".*", gen_ai_request_model=~"gpt-4\\.1"}[1h])))',
    );
  });

  it('substitutes ${var}, ${var:format} and $var, longest name first', () => {
    expect(substitute('a $__range_s ${x} ${x:regex} $x $xy', { x: '1', __range: 'R', __range_s: 'S' })).toBe('a S 1 1 1 $xy');
  });
});
