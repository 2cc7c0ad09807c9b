/**
 * A raw-socket HTTP/1.1 server on 127.0.0.1:0 for the faults the simulator
 * cannot produce: bytes written exactly as scripted (garbage SSE lines, invalid
 * UTF-8, corrupt gzip, lying content-type), FIN or RST at any byte, redirects,
 * stalls. Each request is handed to a script with helpers that write to the
 * socket; the script decides everything, including whether to end it.
 *
 * Requests are parsed just enough: the request line, headers, and a body by
 * content-length (fetch with a string body always sends one).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Wire {
  readonly socket: Socket;
  /** Writes raw bytes (no framing). */
  raw(bytes: string | Uint8Array): Promise<void>;
  /** Writes a status line and headers; header values are written verbatim. */
  head(status: number, headers: Record<string, string | number>, reason?: string): Promise<void>;
  /** One chunk of a chunked body. */
  chunk(bytes: string | Uint8Array): Promise<void>;
  /** The last chunk of a chunked body. */
  endChunked(): Promise<void>;
  /** Closes gracefully (FIN) after pending writes. */
  end(): void;
  /** Aborts the connection with a TCP RST. */
  reset(): void;
  sleep(ms: number): Promise<void>;
}

export type Script = (req: RawRequest, wire: Wire) => void | Promise<void>;

export interface FaultServer {
  port: number;
  url: string;
  /** Base URL ending in /v1. */
  baseURL: string;
  requests: RawRequest[];
  /** Connections currently open. */
  openConnections(): number;
  /** Replaces the script for later requests. */
  setScript(script: Script): void;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

function parseHead(text: string): Omit<RawRequest, 'body'> {
  const [line = '', ...rest] = text.split('\r\n');
  const [method = 'GET', path = '/'] = line.split(' ');
  const headers: Record<string, string> = {};
  for (const h of rest) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return { method, path, headers };
}

function wireOf(socket: Socket): Wire {
  const write = (b: string | Uint8Array) =>
    new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      socket.write(b, () => resolve());
    });
  return {
    socket,
    raw: write,
    head(status, headers, reason) {
      let s = `HTTP/1.1 ${status} ${reason ?? REASONS[status] ?? 'Status'}\r\n`;
      for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
      return write(`${s}\r\n`);
    },
    async chunk(bytes) {
      const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      if (b.length === 0) return;
      await write(Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]));
    },
    endChunked: () => write('0\r\n\r\n'),
    end: () => socket.end(),
    reset: () => socket.resetAndDestroy(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

export async function startFaultServer(initial: Script): Promise<FaultServer> {
  let script = initial;
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let busy = false;
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (busy) return;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = parseHead(buf.subarray(0, end).toString('latin1'));
      const len = Number(head.headers['content-length'] ?? 0);
      if (buf.length < end + 4 + len) return;
      const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
      buf = buf.subarray(end + 4 + len);
      const req = { ...head, body };
      requests.push(req);
      // One request at a time per connection (keep-alive allowed after the script returns).
      busy = true;
      void Promise.resolve()
        .then(() => script(req, wireOf(socket)))
        .catch(() => socket.destroy())
        .finally(() => {
          busy = false;
          if (buf.length > 0 && !socket.destroyed) onData(Buffer.alloc(0));
        });
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    url,
    baseURL: `${url}/v1`,
    requests,
    openConnections: () => sockets.size,
    setScript(s) {
      script = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A complete response with content-length. */
export async function respond(wire: Wire, status: number, headers: Record<string, string | number>, body: string | Uint8Array): Promise<void> {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  await wire.head(status, { ...headers, 'content-length': b.length });
  await wire.raw(b);
}

/** An SSE stream, chunked, written piece by piece. */
export async function sse(wire: Wire, pieces: Array<string | Uint8Array>, opts: { contentType?: string; end?: boolean } = {}): Promise<void> {
  await wire.head(200, { 'content-type': opts.contentType ?? 'text/event-stream; charset=utf-8', 'transfer-encoding': 'chunked' });
  for (const p of pieces) await wire.chunk(p);
  if (opts.end !== false) await wire.endChunked();
}

/** An OpenAI chat.completion.chunk event line. */
export function chunkEvent(content: string | null, extra: Record<string, unknown> = {}, model = 'gpt-4.1'): string {
  const choices = content === null ? [] : [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }];
  return `data: ${JSON.stringify({ id: 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model, choices, ...extra })}\n\n`;
}

export const usageEvent = (prompt: number, completion: number, model = 'gpt-4.1'): string =>
  chunkEvent(null, { usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } }, model);

/** A chat.completion JSON body. */
export function chatJson(content: string, model = 'gpt-4.1', usage: { prompt: number; completion: number } | null = { prompt: 3, completion: 2 }): string {
  const o: Record<string, unknown> = {
    id: 'chatcmpl-j',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
  if (usage !== null) o.usage = { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion };
  return JSON.stringify(o);
}
