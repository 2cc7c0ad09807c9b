/** Child-process plumbing for the bench: forked children driven by IPC request/response. */
import { fork } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Forks a module and resolves once it sends its first message (its "ready" report). */
export function forkChild(modulePath, { execArgv = [], env = {}, args = [], label = modulePath, quiet = false } = {}) {
  const child = fork(modulePath, args, {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20000) stderr = stderr.slice(-10000);
  });
  let seq = 0;
  const pending = new Map();
  let first;
  const ready = new Promise((resolve, reject) => {
    first = { resolve, reject };
    child.once('exit', (code, sig) => reject(new Error(`${label} exited (${code ?? sig}) before it was ready:\n${stderr}`)));
  });
  child.on('message', (m) => {
    if (first !== undefined) {
      const f = first;
      first = undefined;
      f.resolve(m);
      return;
    }
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${label}: ${m.error}`));
  });
  child.on('exit', (code, sig) => {
    for (const p of pending.values()) p.reject(new Error(`${label} exited (${code ?? sig}):\n${stderr}`));
    pending.clear();
  });
  return {
    child,
    label,
    ready,
    stderr: () => stderr,
    request(msg) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ ...msg, id });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      try {
        child.send({ cmd: 'exit' });
      } catch {
        child.kill();
      }
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(t);
    },
  };
}
