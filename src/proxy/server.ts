/**
 * The gateway: a node:http server that forwards each request to the one
 * configured upstream over a keep-alive agent and records LLM calls with the
 * same Exchange and GenAiTelemetry as the in-process fetch tap (see relay.ts
 * for the per-request part). Also serves /health, /health/live,
 * /health/ready and /metrics on its own listener, and drains requests in
 * flight on close.
 */
import { createServer, Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { propagation, ROOT_CONTEXT, type Context, type DiagLogger } from '@opentelemetry/api';
import type { AimonConfig } from '../config.js';
import { Exchange, type ExchangeSink } from '../exchange.js';
import { onceLogger } from '../fetch-tap.js';
import { DEFAULT_ENDPOINTS, HostMatcher, type Endpoint, type Target } from '../hosts.js';
import { injectIncludeUsage } from '../parse/inject.js';
import { protocolOf } from '../protocols.js';
import type { Operation, ProtocolName, RequestParams } from '../types.js';
import { TokenSet } from './auth.js';
import type { ProxyConfig } from './config.js';
import { errorBody, ERRORS, type ProxyError } from './errors.js';
import { upstreamRequestHeaders } from './headers.js';
import { Readiness } from './readiness.js';
import { Relay, RelayList, type RelayHost } from './relay.js';
import { routeRequest, type Route } from './route.js';

type Call = { operation: Operation; protocol: ProtocolName };

/** What the proxy needs from the telemetry edge: GenAiTelemetry is one. */
export interface ExchangeTelemetry extends ExchangeSink {
  start(ex: Exchange, parent: Context, contextRead: boolean): Context | undefined;
}

export interface ProxyDeps {
  /** Undefined: forward only, record nothing. */
  telemetry: ExchangeTelemetry | undefined;
  /** Library settings the exchange uses (size limits, stream usage injection, content capture). */
  aimonConfig: AimonConfig;
  /** Serves GET /metrics (the Prometheus exporter's handler) when metrics go to Prometheus. */
  metricsHandler?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  diag: DiagLogger;
}

export interface RunningProxy {
  server: Server;
  /** http://host:port of the listener. */
  url: string;
  port: number;
  /** Requests in flight. */
  inFlight(): number;
  /** Stops accepting, drains requests in flight (up to drainTimeoutMs), then closes everything. */
  close(): Promise<void>;
}

const now = (): number => performance.now();
const noDelay = (s: Socket): void => void s.setNoDelay(true);

/**
 * The Target of one upstream path, shared by its exchanges (Target is never
 * mutated). Its URL is built only if something reads it: nothing on the
 * proxy's path does, and parsing one costs more than the rest of the target.
 */
class UpstreamTarget implements Target {
  private parsed: URL | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly operation: Operation,
    readonly protocol: ProtocolName,
    private readonly path: string,
    private readonly origin: string,
    readonly serverAddress: string,
    readonly serverPort: number,
  ) {}

  get url(): URL {
    return (this.parsed ??= new URL(this.path, this.origin));
  }
}

/**
 * A map that stops growing at `max` entries (later keys are computed each
 * time). Never evicting keeps it from churning: a Map rehashed over and over
 * keeps its obsolete tables linked, which defeats young-generation GC (see
 * RelayList).
 */
class BoundedMemo<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string, make: (key: string) => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = make(key);
      if (this.map.size < this.max && key.length <= 512) this.map.set(key, v);
    }
    return v;
  }
}

/** The upstream as an endpoint: the configured provider, else the known host's, else `openai` (as for AIMON_HOSTS entries). */
export function upstreamEndpoint(config: ProxyConfig): Endpoint {
  const u = config.upstream;
  let provider = config.provider;
  if (provider === undefined) {
    const known = new HostMatcher(DEFAULT_ENDPOINTS).match(`${u.origin}${config.upstreamBasePath}/chat/completions`);
    provider = known?.endpoint.provider ?? 'openai';
  }
  const ep: Endpoint = { host: u.hostname.toLowerCase(), pathPrefix: config.upstreamBasePath, provider };
  if (u.port !== '') ep.port = Number(u.port);
  return ep;
}

export async function startProxy(config: ProxyConfig, deps: ProxyDeps): Promise<RunningProxy> {
  const upstream = config.upstream;
  const secure = upstream.protocol === 'https:';
  const upstreamHost = upstream.hostname.replace(/^\[|\]$/g, '');
  const upstreamPort = upstream.port !== '' ? Number(upstream.port) : secure ? 443 : 80;
  const endpoint = upstreamEndpoint(config);
  // Free sockets close after 4 s, before common upstream idle timeouts (Node
  // 5 s, nginx 60-75 s), so a request rarely lands on a socket being closed.
  const agentOptions = { keepAlive: true, timeout: 4000, scheduling: 'lifo' as const, maxFreeSockets: 256 };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const request = secure ? httpsRequest : httpRequest;
  const servername = secure ? upstreamHost : undefined;
  const tokens = config.auth === 'token' ? new TokenSet(config.tokens) : undefined;
  const upstreamAuthorization = config.auth === 'token' ? `Bearer ${config.apiKey}` : undefined;
  const logOnce = onceLogger(deps.diag);
  const telemetry = deps.telemetry;
  const content = deps.aimonConfig.content;

  let draining = false;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;

  // http.request sockets already have Nagle off (noDelay defaults to true); TLS ones are set here.
  const send = (path: string, method: string, headers: OutgoingHttpHeaders): ClientRequest => {
    const r = request({ host: upstreamHost, port: upstreamPort, method, path, headers, agent, servername });
    if (secure) r.on('socket', noDelay);
    return r;
  };

  function sendError(res: ServerResponse, e: ProxyError, close = false): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const body = errorBody(e);
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': body.length };
    if (close || draining) headers.connection = 'close';
    res.writeHead(e.status, headers);
    res.end(body);
  }

  /** Readiness probe: any answer below 500 for the upstream's model list. */
  function probe(): Promise<boolean> {
    return new Promise((resolve) => {
      const headers: OutgoingHttpHeaders = {};
      if (upstreamAuthorization !== undefined) headers.authorization = upstreamAuthorization;
      const r = send(`${config.upstreamBasePath}/models`, 'GET', headers);
      const timer = setTimeout(() => r.destroy(), 2000);
      r.on('response', (res) => {
        res.resume();
        clearTimeout(timer);
        resolve((res.statusCode ?? 500) < 500);
      });
      r.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      r.end();
    });
  }
  const readiness = new Readiness(config.readyTtlMs, probe);

  const host: RelayHost = {
    timeoutMs: config.timeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    get draining() {
      return draining;
    },
    send,
    sendError,
    upstreamAnswered: () => readiness.answered(),
    upstreamFailed: () => readiness.failed(),
    logOnce,
    active: new RelayList(),
  };

  // Routing and targets are pure functions of the request target: clients
  // call a handful of paths, so both are computed once per path.
  const routes = new BoundedMemo<Route>(256);
  const routeOf = (target: string): Route => routeRequest(target, config.basePath, config.upstreamBasePath);
  const targets = new BoundedMemo<Target>(256);

  const server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (draining) {
        server.closeIdleConnections();
        if (inFlight === 0) onIdle?.();
      }
    });
    try {
      handle(req, res);
    } catch (err) {
      logOnce('handling a request failed', err);
      sendError(res, { status: 500, type: 'server_error', code: 'proxy_error', message: 'Internal proxy error.' });
    }
  });
  // CONNECT and Upgrade are never tunnelled: with no listener for them Node closes the socket.

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const route = routes.get(req.url ?? '', routeOf);
    if (route.kind === 'reject') {
      sendError(res, { status: route.status, type: 'invalid_request_error', code: route.code, message: route.message });
      return;
    }
    if (route.kind === 'local') {
      req.resume();
      serveLocal(route.name, req, res);
      return;
    }
    let authorization: string | undefined;
    if (tokens !== undefined) {
      if (!tokens.check(req.headers.authorization)) {
        sendError(res, ERRORS.unauthorized(), true);
        return;
      }
      authorization = upstreamAuthorization;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > config.maxBodyBytes) {
      // The body is not read: the connection closes after the answer.
      sendError(res, ERRORS.tooLarge(config.maxBodyBytes), true);
      return;
    }
    const call = route.call;
    const method = req.method ?? 'GET';
    if (call !== undefined && method === 'POST' && req.headers['content-encoding'] === undefined) {
      readBody(req, res, (body) => forwardCall(req, res, route.path, call, body, authorization));
      return;
    }
    const rec = call !== undefined ? startExchange(call, route.path, undefined, false, req) : undefined;
    const headers = upstreamRequestHeaders(req.headers, { authorization });
    if (rec?.ctx !== undefined) injectContext(rec.ctx, headers);
    new Relay(host, req, res, method, route.path, headers, undefined, rec?.ex, false);
  }

  /** Reads a whole LLM request body, bounded; answers 413 past the limit. */
  function readBody(req: IncomingMessage, res: ServerResponse, done: (body: Buffer) => void): void {
    const parts: Buffer[] = [];
    let len = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      len += c.length;
      if (len > config.maxBodyBytes) {
        over = true;
        parts.length = 0;
        sendError(res, ERRORS.tooLarge(config.maxBodyBytes), true);
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (!over && !res.destroyed) done(parts.length === 1 ? parts[0]! : Buffer.concat(parts, len));
    });
  }

  function forwardCall(req: IncomingMessage, res: ServerResponse, path: string, call: Call, body: Buffer, authorization: string | undefined): void {
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      sendError(res, ERRORS.badJson((err as Error).message.slice(0, 200)));
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      sendError(res, ERRORS.badJson('the body is not a JSON object'));
      return;
    }
    let params: RequestParams | undefined;
    let injected = false;
    let out = body;
    if (telemetry !== undefined) {
      try {
        // The same request parsing and usage-injection rule as the fetch tap.
        params = protocolOf(call.protocol).parseRequest(text, call.operation, content);
        if (
          deps.aimonConfig.streamUsage === 'inject' &&
          params !== undefined &&
          params.stream &&
          !params.hasStreamOptions &&
          call.protocol === 'openai' &&
          call.operation !== 'embeddings'
        ) {
          const withUsage = injectIncludeUsage(text);
          if (withUsage !== undefined) {
            out = Buffer.from(withUsage, 'utf8');
            injected = true;
          }
        }
      } catch (err) {
        logOnce('parsing the request body failed', err);
      }
    }
    const rec = startExchange(call, path, params, injected, req);
    // An injected stream must reach us uncompressed, since we rewrite it.
    const headers = upstreamRequestHeaders(req.headers, { authorization, contentLength: out.length, identityEncoding: injected });
    if (rec?.ctx !== undefined) injectContext(rec.ctx, headers);
    new Relay(host, req, res, 'POST', path, headers, out, rec?.ex, injected && rec !== undefined);
  }

  /** True when the request has a header the global propagator reads (traceparent, baggage ...). */
  function carriesContext(req: IncomingMessage): boolean {
    for (const f of propagation.fields()) if (req.headers[f] !== undefined) return true;
    return false;
  }

  /** The exchange, and the context to inject upstream when it differs from the client's. */
  function startExchange(
    call: Call,
    path: string,
    params: RequestParams | undefined,
    injected: boolean,
    req: IncomingMessage,
  ): { ex: Exchange; ctx: Context | undefined } | undefined {
    if (telemetry === undefined) return undefined;
    try {
      const target = targets.get(path, () => new UpstreamTarget(endpoint, call.operation, call.protocol, path, upstream.origin, upstream.hostname, upstreamPort));
      const ex = new Exchange(target, params, injected, deps.aimonConfig, telemetry, now());
      // The client's trace context and baggage (attribution labels) carry over.
      const parent = carriesContext(req) ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
      // The span's context is injected upstream: it must exist now (contextRead).
      // Without a span of ours (undefined) the client's headers pass through as they came.
      return { ex, ctx: telemetry.start(ex, parent, true) };
    } catch (err) {
      logOnce('starting the exchange failed; the request is forwarded unrecorded', err);
      return undefined;
    }
  }

  function injectContext(ctx: Context, headers: OutgoingHttpHeaders): void {
    try {
      propagation.inject(ctx, headers);
    } catch (err) {
      logOnce('injecting trace context failed', err);
    }
  }

  function sendJson(res: ServerResponse, status: number, obj: unknown, head: boolean): void {
    const body = Buffer.from(JSON.stringify(obj));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(head ? undefined : body);
  }

  function serveLocal(name: 'health' | 'live' | 'ready' | 'metrics', req: IncomingMessage, res: ServerResponse): void {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      sendError(res, { status: 405, type: 'invalid_request_error', code: 'method_not_allowed', message: `/${name} answers GET only.` });
      return;
    }
    if (name === 'metrics') {
      if (deps.metricsHandler === undefined) {
        sendError(res, {
          status: 404,
          type: 'invalid_request_error',
          code: 'metrics_not_served',
          message: 'Metrics are not exported to Prometheus by this proxy (see OTEL_METRICS_EXPORTER).',
        });
      } else {
        deps.metricsHandler(req, res);
      }
      return;
    }
    if (name === 'ready') {
      void readiness.check().then((ready) => {
        const ok = ready && !draining;
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : draining ? 'draining' : 'upstream_unavailable', upstream: upstream.origin }, head);
      });
      return;
    }
    // Liveness: the process serves requests. It fails while draining, so
    // that load balancers stop sending new work.
    sendJson(
      res,
      draining ? 503 : 200,
      { status: draining ? 'draining' : 'ok', upstream: upstream.origin, upstreamReady: readiness.known(), inFlight: inFlight - 1 },
      head,
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logOnce('server error', err));
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${hostForUrl}:${addr.port}`,
    port: addr.port,
    inFlight: () => inFlight,
    close() {
      closing ??= new Promise<void>((resolve) => {
        draining = true;
        server.close();
        server.closeIdleConnections();
        const finish = (): void => {
          clearTimeout(timer);
          for (const r of host.active.toArray()) r.cancel();
          server.closeAllConnections();
          agent.destroy();
          resolve();
        };
        const timer = setTimeout(finish, config.drainTimeoutMs);
        onIdle = finish;
        if (inFlight === 0) finish();
      });
      return closing;
    },
  };
}
