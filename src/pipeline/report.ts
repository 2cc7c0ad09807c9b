/**
 * The `aimon report` numbers: PromQL for cost by model and by tenant (today,
 * month to date, projected month-end), tokens, error rate and p95, and the
 * table / JSON / CSV renderings. Pure: the query function is passed in.
 *
 * Cost comes from the exact recording rules (rules/cost.yml) when the
 * Prometheus has them, else from increase() on the raw counters (close, not
 * exact: it extrapolates and misses each new series' first sample).
 * Days and months are UTC, like the rules.
 */

export interface Sample {
  metric: Record<string, string>;
  value: number;
}
export type Query = (expr: string) => Promise<Sample[]>;

export interface ModelRow {
  model: string;
  provider: string;
  todayUsd: number;
  monthToDateUsd: number;
  projectedUsd: number;
  inputTokens: number;
  outputTokens: number;
  calls: number;
  /** Share of today's calls that failed; undefined with no calls today. */
  errorRate: number | undefined;
  /** 95th percentile duration of today's completed calls, seconds. */
  p95Seconds: number | undefined;
}

export interface TenantRow {
  tenant: string;
  todayUsd: number;
  monthToDateUsd: number;
  projectedUsd: number;
}

export interface Report {
  generatedAt: string;
  /** 'exact' when the recording rules answered, 'estimate' when increase() did. */
  costSource: 'exact' | 'estimate';
  budgetUsd: number | undefined;
  models: ModelRow[];
  tenants: TenantRow[];
  totals: { todayUsd: number; monthToDateUsd: number; projectedUsd: number };
}

export class NoDataError extends Error {}

/** Seconds since UTC midnight and since the first of the month, and left in the month (at least 60). */
export function windows(now: Date): { today: number; month: number; remaining: number } {
  const t = now.getTime();
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return {
    today: Math.max(60, Math.ceil((t - midnight) / 1000)),
    month: Math.max(60, Math.ceil((t - monthStart) / 1000)),
    remaining: Math.max(0, Math.floor((monthEnd - t) / 1000)),
  };
}

const MODEL = 'gen_ai_request_model';
const TENANT = 'aimon_attr_tenant';

export function reportQueries(now: Date, selector = ''): Record<string, string> {
  const w = windows(now);
  const sel = selector === '' ? '' : `{${selector}}`;
  const and = selector === '' ? '' : `, ${selector}`;
  const by = (label: string) => `${MODEL === label ? `${MODEL}, gen_ai_provider_name` : label}`;
  const q: Record<string, string> = {};
  for (const [key, label] of [
    ['model', MODEL],
    ['tenant', TENANT],
  ] as const) {
    const g = by(label);
    q[`${key}.today.exact`] = `sum by (${g}) (sum_over_time(aimon:cost_usd:delta30s${sel}[${w.today}s]))`;
    q[`${key}.mtd.exact`] = `sum by (${g}) (aimon:cost_usd:month_to_date${sel})`;
    q[`${key}.projected.exact`] = `sum by (${g}) (aimon:cost_usd:projected_month_end${sel})`;
    q[`${key}.today.estimate`] = `sum by (${g}) (increase(aimon_client_cost_usd_total${sel}[${w.today}s]))`;
    q[`${key}.mtd.estimate`] = `sum by (${g}) (increase(aimon_client_cost_usd_total${sel}[${w.month}s]))`;
    q[`${key}.rate6h`] = `sum by (${g}) (rate(aimon_client_cost_usd_total${sel}[6h]))`;
  }
  // increase() misses everything a series counted before its first sample: a
  // series born inside the window (a new model, an app started today) counts
  // from birth instead, so short-lived apps are not reported as zero.
  const grown = (series: string, seconds: number): string =>
    `((${series} unless ${series} offset ${seconds}s) * 1 or increase(${series}[${seconds}s]))`;
  q.tokens = `sum by (${MODEL}, gen_ai_provider_name, gen_ai_token_type) ${grown(`gen_ai_client_token_usage_sum${sel}`, w.month)}`;
  q.calls = `sum by (${MODEL}, gen_ai_provider_name) ${grown(`gen_ai_client_operation_duration_seconds_count${sel}`, w.today)}`;
  q.errors = `sum by (${MODEL}, gen_ai_provider_name) ${grown(`gen_ai_client_operation_duration_seconds_count{aimon_outcome="error"${and}}`, w.today)}`;
  q.p95 = `histogram_quantile(0.95, sum by (${MODEL}, gen_ai_provider_name, le) ${grown(`gen_ai_client_operation_duration_seconds_bucket{aimon_outcome="completed"${and}}`, w.today)})`;
  q.budget = 'sum(aimon:budget_usd:monthly)';
  q.present = `count(gen_ai_client_operation_duration_seconds_count${sel})`;
  return q;
}

const finite = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) ? v : 0);

export async function buildReport(query: Query, now: Date = new Date(), selector = ''): Promise<Report> {
  const q = reportQueries(now, selector);
  const results = Object.fromEntries(await Promise.all(Object.entries(q).map(async ([k, e]) => [k, await query(e)] as const))) as Record<string, Sample[]>;
  if ((results.present ?? []).length === 0) throw new NoDataError('no GenAI series (gen_ai_client_operation_duration_seconds_count)');
  const exact = (results['model.mtd.exact'] ?? []).length > 0;
  const { remaining } = windows(now);
  const keyOf = (m: Record<string, string>, label: string) => (label === MODEL ? `${m[MODEL] ?? ''}\u0000${m.gen_ai_provider_name ?? ''}` : m[label] ?? '');

  function costs(prefix: 'model' | 'tenant', label: string) {
    const out = new Map<string, { metric: Record<string, string>; today: number; mtd: number; projected: number }>();
    const row = (m: Record<string, string>) => {
      const k = keyOf(m, label);
      let r = out.get(k);
      if (r === undefined) out.set(k, (r = { metric: m, today: 0, mtd: 0, projected: 0 }));
      return r;
    };
    const mode = exact ? 'exact' : 'estimate';
    for (const s of results[`${prefix}.today.${mode}`] ?? []) row(s.metric).today = finite(s.value);
    for (const s of results[`${prefix}.mtd.${mode}`] ?? []) row(s.metric).mtd = finite(s.value);
    if (exact) for (const s of results[`${prefix}.projected.exact`] ?? []) row(s.metric).projected = finite(s.value);
    // Where the projection rule has nothing (no rules, or a series too young), project here.
    for (const s of results[`${prefix}.rate6h`] ?? []) {
      const r = row(s.metric);
      if (r.projected === 0) r.projected = r.mtd + finite(s.value) * remaining;
    }
    for (const r of out.values()) if (r.projected < r.mtd) r.projected = r.mtd;
    return out;
  }

  const byModel = costs('model', MODEL);
  const models = new Map<string, ModelRow>();
  const model = (m: Record<string, string>): ModelRow => {
    const k = keyOf(m, MODEL);
    let r = models.get(k);
    if (r === undefined) {
      r = { model: m[MODEL] ?? '', provider: m.gen_ai_provider_name ?? '', todayUsd: 0, monthToDateUsd: 0, projectedUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0, errorRate: undefined, p95Seconds: undefined };
      models.set(k, r);
    }
    return r;
  };
  for (const c of byModel.values()) Object.assign(model(c.metric), { todayUsd: c.today, monthToDateUsd: c.mtd, projectedUsd: c.projected });
  for (const s of results.tokens ?? []) {
    const r = model(s.metric);
    if (s.metric.gen_ai_token_type === 'input') r.inputTokens += Math.round(finite(s.value));
    if (s.metric.gen_ai_token_type === 'output') r.outputTokens += Math.round(finite(s.value));
  }
  const errors = new Map((results.errors ?? []).map((s) => [keyOf(s.metric, MODEL), finite(s.value)]));
  for (const s of results.calls ?? []) {
    const r = model(s.metric);
    r.calls = Math.round(finite(s.value));
    if (finite(s.value) > 0) r.errorRate = (errors.get(keyOf(s.metric, MODEL)) ?? 0) / finite(s.value);
  }
  for (const s of results.p95 ?? []) if (Number.isFinite(s.value)) model(s.metric).p95Seconds = s.value;

  const tenants = [...costs('tenant', TENANT).values()].map((c) => ({
    tenant: c.metric[TENANT] ?? '',
    todayUsd: c.today,
    monthToDateUsd: c.mtd,
    projectedUsd: c.projected,
  }));
  const rows = [...models.values()].sort((a, b) => b.monthToDateUsd - a.monthToDateUsd || a.model.localeCompare(b.model));
  tenants.sort((a, b) => b.monthToDateUsd - a.monthToDateUsd || a.tenant.localeCompare(b.tenant));
  const sum = (f: (r: ModelRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const budget = results.budget?.[0]?.value;
  return {
    generatedAt: now.toISOString(),
    costSource: exact ? 'exact' : 'estimate',
    budgetUsd: budget !== undefined && Number.isFinite(budget) ? budget : undefined,
    models: rows,
    tenants,
    totals: { todayUsd: sum((r) => r.todayUsd), monthToDateUsd: sum((r) => r.monthToDateUsd), projectedUsd: sum((r) => r.projectedUsd) },
  };
}

// --- rendering ---

const usd = (n: number) => `$${n.toFixed(n !== 0 && Math.abs(n) < 1 ? 4 : 2)}`;
const pct = (n: number | undefined) => (n === undefined ? '-' : `${(n * 100).toFixed(1)}%`);
const secs = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)}s`);
const int = (n: number) => n.toLocaleString('en-US');

function table(head: string[], rows: string[][], rightFrom: number): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= rightFrom ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export function formatTable(r: Report): string {
  const models = table(
    ['MODEL', 'PROVIDER', 'TODAY', 'MONTH TO DATE', 'PROJECTED', 'INPUT TOK', 'OUTPUT TOK', 'CALLS', 'ERRORS', 'P95'],
    r.models.map((m) => [m.model, m.provider, usd(m.todayUsd), usd(m.monthToDateUsd), usd(m.projectedUsd), int(m.inputTokens), int(m.outputTokens), int(m.calls), pct(m.errorRate), secs(m.p95Seconds)]),
    2,
  );
  const tenants = table(
    ['TENANT', 'TODAY', 'MONTH TO DATE', 'PROJECTED'],
    r.tenants.map((t) => [t.tenant === '' ? '(none)' : t.tenant, usd(t.todayUsd), usd(t.monthToDateUsd), usd(t.projectedUsd)]),
    1,
  );
  const budget = r.budgetUsd !== undefined ? ` of a ${usd(r.budgetUsd)} budget (${pct(r.totals.projectedUsd / r.budgetUsd)})` : '';
  return [
    `LLM cost report, ${r.generatedAt} (UTC days and months; cost ${r.costSource === 'exact' ? 'from the exact recording rules' : 'estimated with increase(): load prometheus/rules for exact totals'})`,
    '',
    'By model (tokens: month to date; calls, errors and p95: today)',
    models,
    '',
    'By tenant',
    tenants,
    '',
    `Total: today ${usd(r.totals.todayUsd)}, month to date ${usd(r.totals.monthToDateUsd)}, projected month-end ${usd(r.totals.projectedUsd)}${budget}`,
    '',
  ].join('\n');
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV with a `scope` column (model | tenant), so both tables fit one file. */
export function formatCsv(r: Report): string {
  const head = ['scope', 'name', 'provider', 'today_usd', 'month_to_date_usd', 'projected_usd', 'input_tokens', 'output_tokens', 'calls', 'error_rate', 'p95_seconds'];
  const rows: Array<Array<string | number | undefined>> = [
    ...r.models.map((m) => ['model', m.model, m.provider, m.todayUsd, m.monthToDateUsd, m.projectedUsd, m.inputTokens, m.outputTokens, m.calls, m.errorRate, m.p95Seconds]),
    ...r.tenants.map((t) => ['tenant', t.tenant, '', t.todayUsd, t.monthToDateUsd, t.projectedUsd, undefined, undefined, undefined, undefined, undefined]),
  ];
  return `${[head, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}
