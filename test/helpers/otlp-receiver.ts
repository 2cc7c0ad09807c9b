/**
 * A tiny OTLP/HTTP JSON receiver (node:http on 127.0.0.1:0) accepting
 * /v1/traces and /v1/metrics, decoding what it receives into plain objects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };
export type Attrs = Record<string, unknown>;

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

export function attrs(kvs: KeyValue[] | undefined): Attrs {
  const out: Attrs = {};
  for (const kv of kvs ?? []) out[kv.key] = value(kv.value);
  return out;
}

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** Start and end, ns since the epoch. */
  startNs: bigint;
  endNs: bigint;
  scope: string;
  attributes: Attrs;
  status: { code?: number };
  resource: Attrs;
}

export interface ReceivedPoint {
  attributes: Attrs;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  description: string;
  type: 'histogram' | 'sum' | 'gauge' | 'other';
  scope: string;
  points: ReceivedPoint[];
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** Every metric export, in order (cumulative: the last one of a name holds the totals). */
  metrics: ReceivedMetric[];
  requests: Array<{ path: string; contentType: string | undefined }>;
  /** The last exported state of a metric. */
  lastMetric(name: string): ReceivedMetric | undefined;
  close(): Promise<void>;
}

const num = (x: unknown): number => Number(x);

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({ path, contentType: req.headers['content-type'] });
      try {
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown[]>;
        if (path === '/v1/traces') {
          for (const rs of (body.resourceSpans ?? []) as Array<Record<string, any>>) {
            const resource = attrs(rs.resource?.attributes);
            for (const ss of rs.scopeSpans ?? []) {
              for (const s of ss.spans ?? []) {
                spans.push({
                  name: s.name,
                  kind: s.kind,
                  traceId: s.traceId,
                  spanId: s.spanId,
                  parentSpanId: s.parentSpanId || undefined,
                  startNs: BigInt(String(s.startTimeUnixNano)),
                  endNs: BigInt(String(s.endTimeUnixNano)),
                  scope: ss.scope?.name,
                  attributes: attrs(s.attributes),
                  status: s.status ?? {},
                  resource,
                });
              }
            }
          }
        } else if (path === '/v1/metrics') {
          for (const rm of (body.resourceMetrics ?? []) as Array<Record<string, any>>) {
            for (const sm of rm.scopeMetrics ?? []) {
              for (const m of sm.metrics ?? []) {
                const type = m.histogram ? 'histogram' : m.sum ? 'sum' : m.gauge ? 'gauge' : 'other';
                const data = m.histogram ?? m.sum ?? m.gauge ?? { dataPoints: [] };
                metrics.push({
                  name: m.name,
                  unit: m.unit ?? '',
                  description: m.description ?? '',
                  type,
                  scope: sm.scope?.name,
                  points: (data.dataPoints ?? []).map((p: Record<string, any>) =>
                    type === 'histogram'
                      ? {
                          attributes: attrs(p.attributes),
                          count: num(p.count),
                          sum: p.sum,
                          bucketCounts: (p.bucketCounts ?? []).map(num),
                          explicitBounds: p.explicitBounds,
                        }
                      : { attributes: attrs(p.attributes), value: p.asDouble ?? num(p.asInt) },
                  ),
                });
              }
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      } catch {
        res.writeHead(400);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    requests,
    lastMetric: (name) => metrics.filter((m) => m.name === name).at(-1),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Cost attributes depend on the bundled price table: split them off so the rest can be asserted exactly. */
export function splitCost(a: Attrs): { core: Attrs; costKeys: string[] } {
  const core: Attrs = {};
  const costKeys: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('aimon.cost.') || k.startsWith('aimon.price.') || k.startsWith('aimon.unpriced.')) costKeys.push(k);
    else core[k] = v;
  }
  return { core, costKeys: costKeys.sort() };
}

/** The cost attribute keys of a priced call. */
export const PRICED_KEYS = [
  'aimon.cost.billed',
  'aimon.cost.billed_currency',
  'aimon.cost.effective_usd',
  'aimon.cost.usd',
  'aimon.price.model',
  'aimon.price.version',
];
