/**
 * `aimon proxy`: starts the gateway and its telemetry, prints where it
 * listens, and on SIGTERM / SIGINT drains requests in flight, flushes
 * telemetry and resolves with exit code 0. A bad setting resolves with 2 and
 * a message that names it; a listener that cannot start resolves with 1.
 */
import { readFileSync } from 'node:fs';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { ProxyConfigError, PROXY_USAGE, resolveProxyConfig } from '../proxy/config.js';
import { startProxyTelemetry } from '../proxy/sdk.js';
import { startProxy } from '../proxy/server.js';
import { PACKAGE_NAME } from '../version.js';

function logLevel(raw: string | undefined): DiagLogLevel {
  const levels: Record<string, DiagLogLevel> = {
    NONE: DiagLogLevel.NONE,
    ERROR: DiagLogLevel.ERROR,
    INFO: DiagLogLevel.INFO,
    DEBUG: DiagLogLevel.DEBUG,
    VERBOSE: DiagLogLevel.VERBOSE,
    ALL: DiagLogLevel.ALL,
  };
  return levels[(raw ?? '').trim().toUpperCase()] ?? DiagLogLevel.WARN;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Resolves the run like a signal would (tests); by default SIGTERM and SIGINT do. */
  stop?: Promise<unknown>;
  /** Called once the listener is up, with its URL. */
  onListening?: (url: string) => void;
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout, options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const errOut = out === process.stdout ? process.stderr : out;
  let resolved;
  try {
    resolved = resolveProxyConfig({ argv, env, readFile: (p) => readFileSync(p, 'utf8') });
  } catch (err) {
    if (err instanceof ProxyConfigError) {
      errOut.write(`aimon proxy: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (resolved.help || resolved.config === undefined) {
    out.write(`${PROXY_USAGE}\n`);
    return 0;
  }
  const config = resolved.config;

  diag.setLogger(new DiagConsoleLogger(), { logLevel: logLevel(env.OTEL_LOG_LEVEL), suppressOverrideMessage: true });
  const log = diag.createComponentLogger({ namespace: `${PACKAGE_NAME}/proxy` });
  const tel = startProxyTelemetry(env, log);
  let proxy;
  try {
    proxy = await startProxy(config, { telemetry: tel.telemetry, aimonConfig: tel.aimonConfig, metricsHandler: tel.metricsHandler, diag: log });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    errOut.write(`aimon proxy: cannot listen on ${config.host}:${config.port} (${e.code ?? e.message})\n`);
    await tel.shutdown();
    return 1;
  }
  const metricsWhere = tel.metricsHandler !== undefined ? `${proxy.url}/metrics` : `${tel.plan.metrics.join(', ') || 'none'}`;
  out.write(
    `aimon proxy: ${proxy.url}${config.basePath} -> ${config.upstream.origin}${config.upstreamBasePath} ` +
      `(auth: ${config.auth}; metrics: ${metricsWhere}; traces: ${tel.plan.traces.join(', ') || 'none'}; health: ${proxy.url}/health)\n`,
  );
  options.onListening?.(proxy.url);

  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      out.write(`aimon proxy: ${sig}: draining ${proxy.inFlight()} request(s) in flight (up to ${config.drainTimeoutMs} ms)\n`);
      // A second signal does not wait for the drain.
      process.once(sig, () => process.exit(1));
      resolve();
    };
    if (options.stop !== undefined) void options.stop.then(() => resolve());
    else {
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
  });
  await proxy.close();
  await tel.shutdown();
  out.write('aimon proxy: stopped\n');
  return 0;
}
