/**
 * One forwarded request: sends it to the upstream and relays the answer,
 * driving the exchange record (when the path is an LLM call) from the
 * upstream's events exactly as the fetch tap drives it from fetch's:
 * onResponse at the headers, onChunk per body chunk, then onEnd, onBodyError,
 * onCancel (client went away after the headers) or onFetchError (no response).
 *
 * Bytes are written to the client before the exchange looks at them, and the
 * exchange ends after the client's response has ended, so recording never
 * delays the traffic. A failure while recording stops recording for that
 * exchange only.
 */
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { errorTypeOf, type Exchange } from '../exchange.js';
import { ERRORS, type ProxyError } from './errors.js';
import { clientResponseHeaders, type ResponseHeaderInfo } from './headers.js';

/** What every relay shares with the server. */
export interface RelayHost {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** True once shutdown began: answers then close their connection. */
  readonly draining: boolean;
  send(path: string, method: string, headers: OutgoingHttpHeaders): ClientRequest;
  sendError(res: ServerResponse, e: ProxyError, close?: boolean): void;
  upstreamAnswered(): void;
  upstreamFailed(): void;
  logOnce(key: string, err: unknown): void;
  /** Relays in flight, so that shutdown can cut the ones still running after the drain deadline. */
  readonly active: RelayList;
}

/**
 * The relays in flight, as an intrusive doubly linked list. Not a Set: a Set
 * that churns (one add and one delete per request) is rehashed every few
 * dozen requests, and V8 keeps each obsolete hash table linked to its
 * successor with the entries it held. Once one of those dead tables reaches
 * the old generation, the chain keeps every later request's objects alive
 * through each young-generation GC until the next full GC: measured, about
 * 6 KB promoted per request and twice the GC time per request. Here a
 * relay leaving the list clears its own links, so a dead relay holds nothing.
 */
export class RelayList {
  private head: Relay | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(r: Relay): void {
    r.listNext = this.head;
    if (this.head !== undefined) this.head.listPrev = r;
    this.head = r;
    this.count++;
  }

  /** Removes a relay in the list (a relay not in the list must not be passed). */
  delete(r: Relay): void {
    const { listPrev: prev, listNext: next } = r;
    if (prev !== undefined) prev.listNext = next;
    else this.head = next;
    if (next !== undefined) next.listPrev = prev;
    r.listPrev = undefined;
    r.listNext = undefined;
    this.count--;
  }

  /** A copy, safe to iterate while relays leave the list. */
  toArray(): Relay[] {
    const out: Relay[] = [];
    for (let r = this.head; r !== undefined; r = r.listNext) out.push(r);
    return out;
  }
}

const now = (): number => performance.now();

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

function hasBodyFor(method: string, status: number): boolean {
  // The cases where fetch gives a null body.
  return method !== 'HEAD' && status !== 204 && status !== 205 && status !== 304 && status >= 200;
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return undefined;
  }
}

export class Relay {
  /** Links of RelayList (set only while the relay is in flight). */
  listPrev: Relay | undefined;
  listNext: Relay | undefined;
  private upReq: ClientRequest | undefined;
  private upRes: IncomingMessage | undefined;
  /** Response headers relayed, or an error answer sent. */
  private settled = false;
  /** Nothing more to do for this request. */
  private finished = false;
  private retried = false;
  private readonly deadline: NodeJS.Timeout;
  private observing: boolean;
  /** The exchange reads the body (a 2xx or error body the exchange asked for). */
  private live = false;
  /** Usage injection: the exchange decides which bytes the client sees. */
  private filtering = false;
  /** Decompresses a copy of a compressed JSON body for the exchange. */
  private side: Transform | undefined;
  private endAt = 0;

  constructor(
    private readonly host: RelayHost,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly method: string,
    private readonly path: string,
    private readonly headers: OutgoingHttpHeaders,
    /** The whole request body when the proxy read it (LLM calls); otherwise the client's body streams through. */
    private readonly body: Buffer | undefined,
    private readonly ex: Exchange | undefined,
    private readonly injected: boolean,
  ) {
    this.observing = ex !== undefined;
    host.active.add(this);
    this.deadline = setTimeout(() => this.onDeadline(), host.timeoutMs);
    res.once('close', () => {
      if (!res.writableFinished) this.cancel();
    });
    this.dispatch();
    if (body !== undefined) this.upReq!.end(body);
    else this.streamBody();
  }

  private observe(what: string, fn: (ex: Exchange) => void): void {
    if (!this.observing) return;
    try {
      fn(this.ex!);
    } catch (err) {
      this.observing = false;
      this.host.logOnce(`recording the exchange failed (${what}); the rest passes unrecorded`, err);
    }
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    this.host.active.delete(this);
    clearTimeout(this.deadline);
  }

  private dispatch(): void {
    const r = this.host.send(this.path, this.method, this.headers);
    this.upReq = r;
    r.on('error', (err: NodeJS.ErrnoException) => this.onRequestError(r, err));
    r.on('response', (res: IncomingMessage) => this.onResponse(r, res));
  }

  /** The client went away (or shutdown cut the request): abort the upstream call at once. */
  cancel(): void {
    if (this.finished) return;
    const t = now();
    this.upReq?.destroy();
    this.upRes?.destroy();
    this.side?.destroy();
    if (!this.settled) this.observe('client abort', (ex) => ex.onFetchError(namedError('AbortError', 'the client closed the connection'), t));
    else this.observe('client cancel', (ex) => ex.onCancel(t));
    if (!this.res.destroyed) this.res.destroy();
    this.done();
  }

  private onDeadline(): void {
    if (this.finished) return;
    const t = now();
    // The class the in-process path records for AbortSignal.timeout().
    const err = namedError('TimeoutError', 'the proxy deadline was exceeded');
    this.upReq?.destroy();
    this.upRes?.destroy();
    this.side?.destroy();
    this.host.upstreamFailed();
    if (!this.settled) {
      this.settled = true;
      this.host.sendError(this.res, ERRORS.timeout(this.host.timeoutMs));
      this.observe('deadline', (ex) => ex.onFetchError(err, t));
    } else {
      // Headers are out: the only way left to say "incomplete" is to cut the response.
      this.res.destroy();
      this.observe('deadline', (ex) => ex.onBodyError(err, t));
    }
    this.done();
  }

  private onRequestError(r: ClientRequest, err: NodeJS.ErrnoException): void {
    if (this.finished || r !== this.upReq || this.upRes !== undefined) return;
    if (this.body !== undefined && !this.retried && r.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
      // The upstream closed an idle keep-alive socket as we reused it: the
      // request was not read, so it goes once more on a fresh socket.
      this.retried = true;
      this.dispatch();
      this.upReq!.end(this.body);
      return;
    }
    const t = now();
    this.host.upstreamFailed();
    this.settled = true;
    this.host.sendError(this.res, ERRORS.unreachable(errorTypeOf(err)));
    this.observe('upstream error', (ex) => ex.onFetchError(err, t));
    this.done();
  }

  private onResponse(r: ClientRequest, up: IncomingMessage): void {
    if (this.finished || r !== this.upReq) {
      up.destroy();
      return;
    }
    this.upRes = up;
    const res = this.res;
    const status = up.statusCode ?? 502;
    if (status < 500) this.host.upstreamAnswered();
    const hasBody = hasBodyFor(this.method, status);
    // Read from the raw list while copying it: up.headers would build a second copy.
    const info: ResponseHeaderInfo = { contentType: null, contentEncoding: undefined };
    let headers = clientResponseHeaders(up.rawHeaders, false, info);
    const contentType = info.contentType;
    this.observe('response', (ex) => {
      this.live = ex.onResponse(status, contentType, hasBody, now());
    });
    const sse = contentType !== null && contentType.includes('text/event-stream');
    const ok = status >= 200 && status < 300;
    this.filtering = this.injected && sse && ok && this.observing;
    // The exchange decides which bytes the client sees: the length may change.
    if (this.filtering) headers = clientResponseHeaders(up.rawHeaders, true);
    if (this.host.draining) headers.push('Connection', 'close');
    this.settled = true;
    res.writeHead(status, up.statusMessage, headers);
    // An event stream's headers go out now: time to first byte is the upstream's.
    if (sse) res.flushHeaders();
    if (!hasBody) {
      up.resume();
      up.once('end', () => {
        res.end();
        this.done();
      });
      return;
    }
    // A compressed JSON body passes to the client as it came; the exchange
    // reads a decompressed copy, as fetch would have handed it to the app.
    if (this.live && this.observing && !sse && ok) {
      const side = decoderFor(info.contentEncoding);
      if (side !== undefined) {
        this.side = side;
        side.on('data', (d: Buffer) => this.observe('chunk', (ex) => void ex.onChunk(d, now())));
        const end = (): void => this.observe('end', (ex) => ex.onEnd(this.endAt));
        side.once('end', end);
        side.once('error', end);
      }
    }
    up.on('data', (chunk: Buffer) => this.onData(chunk));
    up.once('end', () => this.onEnd());
    up.once('error', (err) => this.onBodyError(err));
  }

  private onData(chunk: Buffer): void {
    const t = now();
    if (this.filtering) {
      let out: Uint8Array = chunk;
      this.observe('chunk', (ex) => {
        out = ex.onChunk(chunk, t);
      });
      if (out.length > 0) this.write(out);
      return;
    }
    this.write(chunk);
    if (!this.live) return;
    if (this.side !== undefined) {
      if (this.observing) this.side.write(chunk);
    } else {
      this.observe('chunk', (ex) => void ex.onChunk(chunk, t));
    }
  }

  private write(bytes: Uint8Array): void {
    if (!this.res.write(bytes)) {
      // Backpressure: read no more from the upstream until the client drains.
      const up = this.upRes!;
      up.pause();
      this.res.once('drain', () => up.resume());
    }
  }

  private onEnd(): void {
    if (this.finished) return;
    const t = now();
    if (this.filtering) {
      let rest: Uint8Array | undefined;
      this.observe('flush', (ex) => {
        rest = ex.flush();
      });
      if (rest !== undefined) this.res.write(rest);
    }
    this.res.end();
    this.done();
    if (this.side !== undefined) {
      this.endAt = t;
      this.side.end();
    } else if (this.live) {
      this.observe('end', (ex) => ex.onEnd(t));
    }
  }

  private onBodyError(err: Error): void {
    if (this.finished) return;
    const t = now();
    // The upstream broke mid-body: the client must see an incomplete response, not a clean end.
    this.res.destroy();
    this.side?.destroy();
    this.observe('body error', (ex) => ex.onBodyError(err, t));
    this.done();
  }

  /** The client's body streams through (non-LLM routes), bounded, with backpressure. */
  private streamBody(): void {
    const req = this.req;
    let len = 0;
    req.on('data', (c: Buffer) => {
      if (this.finished) return;
      len += c.length;
      if (len > this.host.maxBodyBytes) {
        this.upReq!.destroy();
        if (!this.settled) {
          this.settled = true;
          this.host.sendError(this.res, ERRORS.tooLarge(this.host.maxBodyBytes), true);
        } else {
          this.res.destroy();
        }
        this.observe('too large', (ex) => ex.onFetchError(namedError('AbortError', 'request body too large'), now()));
        this.done();
        return;
      }
      const up = this.upReq!;
      if (!up.write(c)) {
        req.pause();
        up.once('drain', () => req.resume());
      }
    });
    req.once('end', () => {
      if (!this.finished) this.upReq!.end();
    });
  }
}
