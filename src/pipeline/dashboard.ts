/**
 * Every query of a Grafana dashboard, with its template variables replaced,
 * so that a test can run each one against a real Prometheus. Pure.
 */

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
  /** Grafana asks Prometheus for an instant vector (stat, table) rather than a range. */
  instant: boolean;
}

export interface Substitutions {
  /** Values for dashboard variables ($service, ...); unset ones become `.*` (the "All" value). */
  variables?: Record<string, string>;
  /** $__rate_interval, $__interval, $__range (e.g. '1m', '15s', '1h'). */
  rateInterval: string;
  interval: string;
  range: string;
}

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ refId?: string; expr?: string; instant?: boolean }>;
  panels?: Panel[];
}

function allPanels(panels: Panel[] | undefined): Panel[] {
  return (panels ?? []).flatMap((p) => [p, ...allPanels(p.panels)]);
}

/** Replaces $var, ${var} and ${var:format} in a query. Longest names first, so $__range never eats $__range_s. */
export function substitute(expr: string, values: Record<string, string>): string {
  const names = Object.keys(values).sort((a, b) => b.length - a.length);
  let out = expr;
  for (const n of names) {
    const v = values[n]!;
    out = out.replace(new RegExp(`\\$\\{${n}(?::[a-z]+)?\\}`, 'g'), v).replace(new RegExp(`\\$${n}(?![A-Za-z0-9_])`, 'g'), v);
  }
  return out;
}

export function dashboardQueries(dashboard: unknown, subs: Substitutions): PanelQuery[] {
  const d = dashboard as { panels?: Panel[]; templating?: { list?: Array<{ name?: string }> } };
  const values: Record<string, string> = {
    __rate_interval: subs.rateInterval,
    __interval: subs.interval,
    __range: subs.range,
  };
  for (const v of d.templating?.list ?? []) if (typeof v.name === 'string') values[v.name] = subs.variables?.[v.name] ?? '.*';
  const out: PanelQuery[] = [];
  for (const p of allPanels(d.panels)) {
    for (const t of p.targets ?? []) {
      if (typeof t.expr !== 'string') continue;
      out.push({ panel: p.title ?? '(untitled)', refId: t.refId ?? '?', expr: substitute(t.expr, values), instant: t.instant === true });
    }
  }
  return out;
}

/** Variable queries (label_values(metric{...}, label)) as series selectors, to check they match something. */
export function variableSelectors(dashboard: unknown, variables: Record<string, string> = {}): Array<{ name: string; selector: string; label: string }> {
  const d = dashboard as { templating?: { list?: Array<{ name?: string; query?: { query?: string } | string }> } };
  const values: Record<string, string> = {};
  for (const v of d.templating?.list ?? []) if (typeof v.name === 'string') values[v.name] = variables[v.name] ?? '.*';
  const out: Array<{ name: string; selector: string; label: string }> = [];
  for (const v of d.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = typeof q === 'string' ? /^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(q.trim()) : null;
    if (m !== null && typeof v.name === 'string') out.push({ name: v.name, selector: substitute(m[1]!, values), label: m[2]! });
  }
  return out;
}
