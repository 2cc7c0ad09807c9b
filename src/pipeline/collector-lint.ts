/**
 * Static checks of a Collector config, since no Collector binary runs here:
 * wiring (every pipeline names defined components, every defined component is
 * used), component types known to the pinned version, receivers bound for
 * containers, memory_limiter first. Pure: parsed YAML in, problems out.
 */

/** Component types of otelcol-contrib at the pinned version (see .env) that our configs may use. */
export const KNOWN_TYPES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  receivers: ['otlp', 'prometheus', 'hostmetrics'],
  processors: ['memory_limiter', 'batch', 'transform', 'filter', 'resourcedetection', 'resource', 'attributes', 'cumulativetodelta', 'deltatocumulative'],
  exporters: ['otlp', 'otlphttp', 'prometheus', 'prometheusremotewrite', 'loadbalancing', 'debug'],
  extensions: ['health_check', 'pprof', 'zpages'],
  connectors: ['spanmetrics', 'forward'],
});

/** Names introduced by the 2026 renames; the pinned version rejects them. */
export const RENAMED_LATER = Object.freeze(['otlp_grpc', 'otlp_http', 'span_metrics', 'prometheus_remote_write', 'delta_to_cumulative']);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const typeOf = (id: string): string => id.split('/')[0]!;

function endpoints(node: unknown, path: string, out: Array<{ path: string; value: string }>): void {
  if (!isRec(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'endpoint' && typeof v === 'string') out.push({ path: `${path}.${k}`, value: v });
    else endpoints(v, `${path}.${k}`, out);
  }
}

export function lintCollectorConfig(cfg: unknown): string[] {
  const problems: string[] = [];
  if (!isRec(cfg)) return ['the config is not a mapping'];
  const service = cfg.service;
  if (!isRec(service) || !isRec(service.pipelines)) return ['service.pipelines is missing'];

  const defined: Record<string, Set<string>> = {};
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions', 'connectors']) {
    const section = cfg[kind];
    defined[kind] = new Set(isRec(section) ? Object.keys(section) : []);
    for (const id of defined[kind]) {
      const t = typeOf(id);
      if (RENAMED_LATER.includes(t)) problems.push(`${kind}.${id}: "${t}" is a newer name the pinned Collector does not know`);
      else if (!KNOWN_TYPES[kind]!.includes(t)) problems.push(`${kind}.${id}: unknown component type "${t}"`);
    }
  }

  const used: Record<string, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set() };
  for (const [name, p] of Object.entries(service.pipelines)) {
    if (!isRec(p)) {
      problems.push(`pipeline ${name} is not a mapping`);
      continue;
    }
    const signal = typeOf(name);
    if (!['metrics', 'traces', 'logs'].includes(signal)) problems.push(`pipeline ${name}: unknown signal "${signal}"`);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      const list = p[kind];
      if (list === undefined && kind === 'processors') continue;
      if (!Array.isArray(list) || list.length === 0) {
        problems.push(`pipeline ${name}: ${kind} must be a non-empty list`);
        continue;
      }
      for (const id of list) {
        if (typeof id !== 'string') continue;
        // A connector is an exporter of one pipeline and a receiver of another.
        const ok = defined[kind]!.has(id) || (kind !== 'processors' && defined.connectors!.has(id));
        if (!ok) problems.push(`pipeline ${name}: ${kind.slice(0, -1)} "${id}" is not defined`);
        used[kind]!.add(id);
      }
    }
    const procs = Array.isArray(p.processors) ? (p.processors as unknown[]) : [];
    if (procs.length > 0 && procs[0] !== 'memory_limiter') problems.push(`pipeline ${name}: memory_limiter must be the first processor`);
    if (procs.length > 0 && !procs.includes('batch')) problems.push(`pipeline ${name}: no batch processor`);
  }
  for (const kind of ['receivers', 'processors', 'exporters'] as const) {
    for (const id of defined[kind]!) if (!used[kind]!.has(id)) problems.push(`${kind}.${id} is defined but no pipeline uses it`);
  }
  for (const id of defined.connectors!) {
    if (!used.receivers!.has(id) || !used.exporters!.has(id)) problems.push(`connectors.${id} must be an exporter of one pipeline and a receiver of another`);
  }
  const ext = Array.isArray(service.extensions) ? (service.extensions as unknown[]) : [];
  for (const id of defined.extensions!) if (!ext.includes(id)) problems.push(`extensions.${id} is defined but not in service.extensions`);
  for (const id of ext) if (typeof id === 'string' && !defined.extensions!.has(id)) problems.push(`service.extensions: "${id}" is not defined`);

  // Listening endpoints must bind every interface: localhost is unreachable from other containers.
  const listen: Array<{ path: string; value: string }> = [];
  endpoints(cfg.receivers, 'receivers', listen);
  endpoints(cfg.extensions, 'extensions', listen);
  const exporters = isRec(cfg.exporters) ? cfg.exporters : {};
  for (const [id, e] of Object.entries(exporters)) {
    if (typeOf(id) === 'prometheus' && isRec(e) && typeof e.endpoint === 'string') listen.push({ path: `exporters.${id}.endpoint`, value: e.endpoint });
  }
  for (const { path, value } of listen) {
    if (!/^0\.0\.0\.0:\d+$/.test(value) && !/^\$\{env:[A-Z_]+\}$/.test(value)) problems.push(`${path}: "${value}" must bind 0.0.0.0:<port> in a container`);
  }
  const readers = isRec(service.telemetry) && isRec(service.telemetry.metrics) ? service.telemetry.metrics.readers : undefined;
  if (Array.isArray(readers)) {
    for (const r of readers) {
      const host = (r as { pull?: { exporter?: { prometheus?: { host?: unknown } } } }).pull?.exporter?.prometheus?.host;
      if (host !== undefined && host !== '0.0.0.0') problems.push(`service.telemetry.metrics: the Collector's own metrics bind "${String(host)}", not 0.0.0.0`);
    }
  }
  return problems;
}
