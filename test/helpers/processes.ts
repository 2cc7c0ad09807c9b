/**
 * End-to-end helpers: build dist once (with a lock, since test files run in
 * parallel workers), spawn `node --import <dist/register.js> app`, read its
 * output, find a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REGISTER = join(REPO, 'dist', 'register.js');
export const REGISTER_URL = pathToFileURL(REGISTER).href;
export const APPS = join(REPO, 'test', 'fixtures', 'apps');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds dist/ unless it is newer than every source file (`npm test` builds
 * first, so this is a no-op there). Type errors are the typecheck's business:
 * tsc emits anyway, and what the tests need is an up-to-date dist/register.js.
 */
export function ensureBuilt(): void {
  const lock = join(REPO, '.tmp', 'e2e-build.lock');
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  const fresh = () => existsSync(REGISTER) && statSync(REGISTER).mtimeMs >= newestMtime(join(REPO, 'src'));
  for (let waited = 0; ; waited += 100) {
    if (fresh()) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another worker builds; a lock older than two minutes is stale.
      if (waited > 120_000 || Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) {
        rmdirSync(lock, { recursive: true } as never);
      }
      sleepSync(100);
    }
  }
  try {
    if (fresh()) return;
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', REPO], {
      cwd: REPO,
      encoding: 'utf8',
    });
    if (!existsSync(REGISTER)) throw new Error(`build produced no ${REGISTER}:\n${r.stdout}${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface App {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout has a line matching `re`. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a line on stdin. */
  send(line: string): void;
}

/** Env with nothing OTEL_* or AIMON_* from the test runner's own environment. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('OTEL_') || k.startsWith('AIMON_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Spawns `node --import <register> <script> ...args` (or with the given --import URLs). */
export function spawnApp(script: string, env: Record<string, string>, opts: { imports?: string[]; args?: string[] } = {}): App {
  const nodeArgs: string[] = [];
  for (const url of opts.imports ?? [REGISTER_URL]) nodeArgs.push('--import', url);
  const child = spawn(process.execPath, [...nodeArgs, join(APPS, script), ...(opts.args ?? [])], {
    cwd: APPS,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => {
      res({ code, signal });
      for (const w of waiters.splice(0)) w();
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(re, timeoutMs = 20_000) {
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out waiting for ${re} in stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const check = () => {
          const m = out.match(re);
          if (m) {
            clearTimeout(timer);
            res(m[0]);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            rej(new Error(`process exited before ${re}; stdout:\n${out}\nstderr:\n${err}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
  };
}
