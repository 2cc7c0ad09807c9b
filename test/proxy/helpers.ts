/**
 * Test parts for the proxy: a real proxy on port 0 in front of the fake
 * upstream, with GenAiTelemetry on in-memory exporters (a span exporter and a
 * metric reader collected on demand), and the same telemetry wired to the
 * in-process fetch tap for comparisons.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { context, diag } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resolveConfig, type AimonConfig, type AimonOptions } from '../../src/config.js';
import { wrapFetch } from '../../src/fetch-tap.js';
import { HostMatcher } from '../../src/hosts.js';
import { resolveProxyConfig, type ProxyConfig } from '../../src/proxy/config.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { GenAiTelemetry } from '../../src/telemetry.js';

class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface TestTelemetry {
  telemetry: GenAiTelemetry;
  aimonConfig: AimonConfig;
  spans: InMemorySpanExporter;
  metrics(): Promise<MetricData[]>;
}

export function testTelemetry(options: AimonOptions = {}): TestTelemetry {
  const spans = new InMemorySpanExporter();
  const tp = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new OnDemandReader();
  const mp = new MeterProvider({ readers: [reader] });
  const { config: aimonConfig } = resolveConfig({ defaultHosts: false, ...options }, {});
  const telemetry = new GenAiTelemetry(tp.getTracer('@aimon/otel', '0.1.0'), mp.getMeter('@aimon/otel', '0.1.0'), aimonConfig, diag, { tracing: true });
  return {
    telemetry,
    aimonConfig,
    spans,
    async metrics() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    },
  };
}

export function proxyConfig(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}): ProxyConfig {
  const r = resolveProxyConfig({
    argv: ['--listen', '127.0.0.1:0', ...argv],
    env,
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw new Error('ENOENT');
      return f;
    },
  });
  return r.config!;
}

export interface TestProxy extends RunningProxy {
  tel: TestTelemetry;
  baseURL: string;
}

export async function startTestProxy(argv: string[], env: Record<string, string> = {}, options: AimonOptions = {}): Promise<TestProxy> {
  const tel = testTelemetry(options);
  const config = proxyConfig(argv, env);
  const p = await startProxy(config, { telemetry: tel.telemetry, aimonConfig: tel.aimonConfig, diag });
  return Object.assign(p, { tel, baseURL: `${p.url}${config.basePath}` });
}

/** The in-process path: the fetch tap with the same telemetry parts, for the upstream at 127.0.0.1:port. */
export function inProcessFetch(tel: TestTelemetry, port: number, provider: string): typeof fetch {
  return wrapFetch(globalThis.fetch, {
    matcher: new HostMatcher([{ host: '127.0.0.1', port, pathPrefix: '/v1', provider }]),
    config: tel.aimonConfig,
    start: (ex) => tel.telemetry.start(ex, context.active()),
    sink: tel.telemetry,
    diag,
  });
}

/** Sends raw bytes and resolves with the raw answer (the connection is closed by us after `waitMs` or by the peer). */
export function rawRequest(port: number, text: string, waitMs = 500): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => resolve(out));
    s.on('close', () => resolve(out));
    s.write(text);
    setTimeout(() => s.destroy(), waitMs);
  });
}

export interface RecordingServer {
  server: Server;
  port: number;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** A server that records and answers 200 to anything: the canary no request may reach. */
export async function recordingServer(): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.end('canary');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
