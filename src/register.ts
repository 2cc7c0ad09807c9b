/**
 * `node --import @aimon/otel/register app.js`: instruments the app with no
 * code change. Loading it twice is harmless; worker threads are left alone
 * unless AIMON_WORKER_THREADS=true; OTEL_SDK_DISABLED=true patches nothing.
 * If the SDK cannot start, the app runs uninstrumented and a diag error says why.
 */
import { isMainThread } from 'node:worker_threads';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { envBool } from './config.js';
import { startSdk, type RunningSdk } from './sdk.js';
import { PACKAGE_NAME } from './version.js';

const GLOBAL_KEY = Symbol.for('@aimon/otel.sdk');
type Global = typeof globalThis & { [GLOBAL_KEY]?: RunningSdk | null };

function logLevel(raw: string | undefined): DiagLogLevel {
  switch ((raw ?? '').trim().toUpperCase()) {
    case 'NONE':
      return DiagLogLevel.NONE;
    case 'ERROR':
      return DiagLogLevel.ERROR;
    case 'INFO':
      return DiagLogLevel.INFO;
    case 'DEBUG':
      return DiagLogLevel.DEBUG;
    case 'VERBOSE':
      return DiagLogLevel.VERBOSE;
    case 'ALL':
      return DiagLogLevel.ALL;
    default:
      return DiagLogLevel.WARN;
  }
}

/** Flushes on SIGTERM / SIGINT / normal exit without changing what the signal does to the app. */
function installShutdownHooks(sdk: RunningSdk, timeoutMs: number): void {
  let done = false;
  const shutdown = (): Promise<void> => {
    if (done) return Promise.resolve();
    done = true;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    return Promise.race([sdk.shutdown(), timer]).catch(() => undefined);
  };
  process.once('beforeExit', () => void shutdown());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = (): void => {
      // When the app handles the signal itself, flush and let the app decide.
      // Otherwise do what Node would have done: terminate by that signal.
      const appHandles = process.listenerCount(sig) > 0;
      void shutdown().then(() => {
        if (!appHandles) process.kill(process.pid, sig);
      });
    };
    process.once(sig, onSignal);
  }
}

function register(): void {
  const g = globalThis as Global;
  if (g[GLOBAL_KEY] !== undefined) return;
  g[GLOBAL_KEY] = null;
  const env = process.env;
  const warnings: string[] = [];
  // Disabled or a worker: touch no global at all, not even the OTel API's
  // diag logger (registering it pins an API version the app may not use).
  if (envBool(env, 'OTEL_SDK_DISABLED', false, warnings)) return;
  if (!isMainThread && !envBool(env, 'AIMON_WORKER_THREADS', false, warnings)) return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: logLevel(env.OTEL_LOG_LEVEL), suppressOverrideMessage: true });
  const log = diag.createComponentLogger({ namespace: PACKAGE_NAME });
  for (const w of warnings) log.warn(w);
  try {
    const sdk = startSdk(env, log);
    g[GLOBAL_KEY] = sdk;
    installShutdownHooks(sdk, 5000);
  } catch (err) {
    log.error(`could not start; the app runs uninstrumented: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}

register();

/** The running SDK started by register, if any (for tests and the CLI). */
export function runningSdk(): RunningSdk | undefined {
  return (globalThis as Global)[GLOBAL_KEY] ?? undefined;
}
