// Leak probes for child processes run with --expose-gc: live instances of a
// class counted through the inspector (exact, after a full GC), heap after GC.
import { Session } from 'node:inspector/promises';

let session;

/** Live objects whose prototype chain includes `proto` (the inspector collects garbage first). */
export async function liveInstances(proto) {
  if (session === undefined) {
    session = new Session();
    session.connect();
  }
  globalThis.__probeProto = proto;
  try {
    const { result } = await session.post('Runtime.evaluate', { expression: 'globalThis.__probeProto' });
    const { objects } = await session.post('Runtime.queryObjects', { prototypeObjectId: result.objectId });
    const { result: len } = await session.post('Runtime.callFunctionOn', {
      objectId: objects.objectId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    await session.post('Runtime.releaseObject', { objectId: objects.objectId });
    await session.post('Runtime.releaseObject', { objectId: result.objectId });
    return len.value;
  } finally {
    delete globalThis.__probeProto;
  }
}

const tick = (ms) => new Promise((r) => setTimeout(r, ms));

/** Full GCs with turns of the event loop between them, so finalizers and their follow-ups run. */
export async function settle(rounds = 6) {
  for (let i = 0; i < rounds; i++) {
    globalThis.gc();
    await tick(20);
  }
}

export async function heapAfterGc() {
  await settle();
  return process.memoryUsage().heapUsed;
}

/** Waits until `cond()` holds, collecting garbage between checks; false after `ms`. */
export async function gcUntil(cond, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    globalThis.gc();
    await tick(50);
  }
  return await cond();
}

export function activeSockets() {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}
