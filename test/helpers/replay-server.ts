/**
 * A deterministic HTTP server on 127.0.0.1:0 that replays scripted responses
 * byte for byte (no Date header, no random ids), so that an instrumented and
 * an uninstrumented run can be compared for identical bytes and headers. It
 * also records when the client's socket closed and how many chunks had been
 * written by then, to prove that a cancel by the app reaches the network.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReplayRoute {
  status?: number;
  headers?: Record<string, string | number>;
  /** Body chunks, written one by one. */
  chunks?: Array<string | Uint8Array>;
  /** Delay before each chunk after the first, ms. */
  chunkDelayMs?: number;
  /** Answer with a 307 to this path instead. */
  redirectTo?: string;
}

export interface ReplayExchange {
  method: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
  startedAt: number;
  chunksWritten: number;
  /** performance.now() when the response finished writing every chunk. */
  finishedAt: number | undefined;
  /** performance.now() when the connection closed before the response was complete. */
  closedEarlyAt: number | undefined;
  /** Resolves when the response is complete or the connection is gone. */
  settled: Promise<void>;
}

export interface ReplayServer {
  url: string;
  port: number;
  exchanges: ReplayExchange[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startReplayServer(routes: Record<string, ReplayRoute>): Promise<ReplayServer> {
  const exchanges: ReplayExchange[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0]!;
    let settle!: () => void;
    const ex: ReplayExchange = {
      method: req.method ?? 'GET',
      path,
      body: Buffer.concat(parts).toString('utf8'),
      headers: req.headers,
      startedAt: performance.now(),
      chunksWritten: 0,
      finishedAt: undefined,
      closedEarlyAt: undefined,
      settled: new Promise<void>((r) => (settle = r)),
    };
    exchanges.push(ex);
    res.sendDate = false;
    res.on('close', () => {
      if (ex.finishedAt === undefined) ex.closedEarlyAt = performance.now();
      settle();
    });
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 10 });
      res.end('not found\n');
      return;
    }
    if (route.redirectTo !== undefined) {
      res.writeHead(307, { location: route.redirectTo, 'content-length': 0 });
      res.end();
      return;
    }
    res.writeHead(route.status ?? 200, route.headers ?? {});
    const chunks = route.chunks ?? [];
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0 && route.chunkDelayMs) await sleep(route.chunkDelayMs);
      if (res.destroyed) return;
      res.write(chunks[i]!);
      ex.chunksWritten++;
    }
    ex.finishedAt = performance.now();
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A recorded-style OpenAI chat completion stream: `n` content chunks, a finish chunk, optionally usage, [DONE]. */
export function sseChatChunks(n: number, opts: { usage?: boolean; id?: string; model?: string } = {}): string[] {
  const id = opts.id ?? 'chatcmpl-replay';
  const model = opts.model ?? 'gpt-4.1';
  const base = { id, object: 'chat.completion.chunk', created: 1764374400, model, system_fingerprint: 'fp_sim' };
  const extra = opts.usage === true ? { usage: null } : {};
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const delta = i === 0 ? { role: 'assistant', content: 'w0' } : { content: ` w${i}` };
    out.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], ...extra })}\n\n`);
  }
  out.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...extra })}\n\n`);
  if (opts.usage === true) {
    const usage = { prompt_tokens: 7, completion_tokens: n, total_tokens: 7 + n };
    out.push(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  }
  out.push('data: [DONE]\n\n');
  return out;
}
