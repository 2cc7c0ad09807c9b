/**
 * One record per exchange: the state of one instrumented LLM call, moved
 * through request start, response headers, body chunks and the end. Every path
 * (body end, body error, app cancel, fetch rejection, abandonment) goes through
 * finish(), which runs exactly once. Imports nothing from OTel: the telemetry
 * edge implements ExchangeSink.
 */
import type { AimonConfig } from './config.js';
import type { Target } from './hosts.js';
import { concatBytes } from './parse/bytes.js';
import { InjectedUsageFilter, type FilteredEvent } from './parse/inject.js';
import type { StreamAccumulator } from './parse/protocol.js';
import { SseParser, type SseEvent } from './parse/sse.js';
import { protocolOf } from './protocols.js';
import type { Outcome, RequestParams, ResponseSummary } from './types.js';

export interface ExchangeResult {
  target: Target;
  request: RequestParams | undefined;
  usageInjected: boolean;
  status: number | undefined;
  outcome: Outcome;
  /** Low-cardinality class: an HTTP status code, an error code or class name. */
  errorType: string | undefined;
  durationS: number;
  /** Streams only: seconds from request start to the first output chunk. */
  timeToFirstChunkS: number | undefined;
  response: ResponseSummary;
  streamed: boolean;
  /** Streams only: output chunks the app received. */
  outputChunks: number;
  /** A 2xx response (JSON or stream) that carried no usage. */
  usageMissing: boolean;
}

/** Implemented by the telemetry edge; every method must not throw (the caller guards anyway). */
export interface ExchangeSink {
  /** Time between two output chunks of a stream (after the first), in seconds. */
  chunkInterval(ex: Exchange, seconds: number): void;
  end(ex: Exchange, result: ExchangeResult): void;
}

// Fatal: a JSON body with invalid UTF-8 is recorded as unparseable rather
// than summarised from replacement characters.
const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Low-cardinality class of a thrown error: its code (ECONNRESET, UND_ERR_SOCKET ...) or its class name. */
export function errorTypeOf(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown; name?: unknown } } | null;
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,48}$/.test(code)) return code;
  const name = e?.cause?.name ?? e?.name;
  if (typeof name === 'string' && /^[A-Za-z][A-Za-z0-9]{1,48}$/.test(name)) return name;
  return '_OTHER';
}

/** True when the error is the app aborting (AbortController), which is not an error. */
export function isAbort(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'AbortError';
}

/** Holds an exchange until it ends (see Exchange.guard). */
export interface ExchangeGuard {
  ex: Exchange | undefined;
}

export class Exchange {
  /** Free slot for the telemetry edge (span, cached attributes). */
  telemetry: unknown;
  /**
   * Set by whoever must hear of this exchange while it runs (the tap's
   * abandonment registry); emptied when it ends, so that holder lets it go.
   */
  guard: ExchangeGuard | undefined;
  status: number | undefined;
  /** performance.now() when the call started and, once it ended, when it ended. */
  readonly startMs: number;
  endMs: number | undefined;
  private ended = false;
  private mode: 'none' | 'json' | 'sse' = 'none';
  /** Body chunks of a JSON response read as a stream (allocated at the first). */
  private json: Uint8Array[] | undefined;
  private jsonLen = 0;
  private jsonTooLarge = false;
  /** The whole JSON body as the app read it with text() or json(). */
  private jsonText: string | undefined;
  /** The app's JSON.parse of jsonText, when it called Response.json(). */
  private jsonParsed: unknown;
  private sse: SseParser | undefined;
  private stream: StreamAccumulator | undefined;
  private filter: InjectedUsageFilter | undefined;
  private pendingEvents: FilteredEvent[] | undefined;
  private now = 0;
  private firstChunkMs: number | undefined;
  private lastChunkMs = 0;
  private outputChunks = 0;

  constructor(
    readonly target: Target,
    readonly request: RequestParams | undefined,
    readonly usageInjected: boolean,
    private readonly config: AimonConfig,
    private readonly sink: ExchangeSink,
    startMs: number,
  ) {
    this.startMs = startMs;
  }

  /** The response model seen so far in a stream (for metric attributes of chunk intervals). */
  currentResponseModel(): string | undefined {
    return this.stream?.model;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Response headers arrived. Returns false when there is no body to follow (the exchange is then finished). */
  onResponse(status: number, contentType: string | null, hasBody: boolean, nowMs: number): boolean {
    this.status = status;
    this.now = nowMs;
    if (!hasBody) {
      this.finish(status >= 400 ? 'error' : 'completed', status >= 400 ? String(status) : undefined);
      return false;
    }
    if (status >= 200 && status < 300) {
      if (contentType !== null && contentType.includes('text/event-stream')) {
        this.mode = 'sse';
        this.stream = protocolOf(this.target.protocol).newStream(this.target.operation, this.config.content);
        this.sse = new SseParser((ev) => this.onEvent(ev), this.config.maxEventBytes);
        if (this.usageInjected) this.filter = new InjectedUsageFilter();
      } else {
        this.mode = 'json';
      }
    }
    return true;
  }

  /**
   * A body chunk as the app would receive it. Returns the bytes the app
   * should get: the chunk itself, except when usage injection hides events.
   */
  onChunk(chunk: Uint8Array, nowMs: number): Uint8Array {
    if (this.ended) return chunk;
    this.now = nowMs;
    if (this.mode === 'sse') {
      this.sse!.push(chunk);
      if (this.filter !== undefined) {
        const out = this.filter.push(chunk, this.pendingEvents ?? []);
        this.pendingEvents = undefined;
        return out;
      }
    } else if (this.mode === 'json' && !this.jsonTooLarge) {
      if (this.jsonLen + chunk.length > this.config.maxBodyBytes) {
        this.jsonTooLarge = true;
        this.json = undefined;
        this.jsonLen = 0;
      } else {
        (this.json ??= []).push(chunk);
        this.jsonLen += chunk.length;
      }
    }
    return chunk;
  }

  /** Bytes held back by usage injection that the app must still get at the end of the body. */
  flush(): Uint8Array | undefined {
    if (this.filter === undefined) return undefined;
    const rest = this.filter.flush();
    return rest.length > 0 ? rest : undefined;
  }

  private onEvent(ev: SseEvent): void {
    const kind = this.stream!.onEvent(ev);
    if (this.filter !== undefined) (this.pendingEvents ??= []).push({ kind, endOffset: ev.endOffset, data: ev.data });
    if (kind !== 'output') return;
    this.outputChunks++;
    if (this.firstChunkMs === undefined) {
      this.firstChunkMs = this.now;
    } else {
      this.sink.chunkInterval(this, (this.now - this.lastChunkMs) / 1000);
    }
    this.lastChunkMs = this.now;
  }

  /** True when the response is an event stream (observed chunk by chunk). */
  get streaming(): boolean {
    return this.mode === 'sse';
  }

  /**
   * The app read the whole body as text (Response.text() or .json()): no
   * second decode. `parsed` is the app's JSON.parse of it (Response.json()):
   * no second parse either. Neither is kept past this call.
   */
  onBodyText(text: string, nowMs: number, parsed?: unknown): void {
    if (this.ended) return;
    if (this.mode === 'json') {
      if (text.length > this.config.maxBodyBytes) this.jsonTooLarge = true;
      else {
        this.jsonText = text;
        this.jsonParsed = parsed;
      }
    }
    this.onEnd(nowMs);
  }

  /** The app read the whole body as bytes (Response.arrayBuffer() or .blob()). */
  onBodyBytes(bytes: Uint8Array, nowMs: number): void {
    if (this.ended) return;
    if (this.mode === 'json') {
      this.json = undefined;
      this.jsonLen = 0;
      this.onChunk(bytes, nowMs);
    }
    this.onEnd(nowMs);
  }

  /** The body was read to its end. */
  onEnd(nowMs: number): void {
    if (this.ended) return;
    this.now = nowMs;
    this.sse?.end();
    if (this.status !== undefined && this.status >= 400) {
      this.finish('error', String(this.status));
      return;
    }
    if (this.stream?.sawError === true) {
      this.finish('error', 'stream_error');
      return;
    }
    this.finish('completed', undefined);
  }

  /** Reading the body failed (connection reset, abort mid-stream ...). */
  onBodyError(err: unknown, nowMs: number): void {
    if (this.ended) return;
    this.now = nowMs;
    if (isAbort(err)) this.finish('aborted', undefined);
    else this.finish('error', errorTypeOf(err));
  }

  /** The app cancelled the body (broke out of a stream, body.cancel()). */
  onCancel(nowMs: number): void {
    this.stopReading(nowMs, 'cancelled');
  }

  /**
   * The request's AbortSignal fired before the body ended. SDKs that abort
   * cancel the body without reading the AbortError (openai 7), so the tap
   * reports it here rather than through onBodyError.
   */
  onAbort(nowMs: number): void {
    this.stopReading(nowMs, 'aborted');
  }

  private stopReading(nowMs: number, outcome: 'cancelled' | 'aborted'): void {
    if (this.ended) return;
    this.now = nowMs;
    // SDKs stop reading at `[DONE]` and cancel the rest of the body: the
    // stream was complete all the same.
    if (this.stream?.sawEnd === true) this.finish('completed', undefined);
    // An SDK that meets an error event throws it and cancels the body: the
    // upstream failed, the app did not stop.
    else if (this.stream?.sawError === true) this.finish('error', 'stream_error');
    else this.finish(outcome, undefined);
  }

  /** fetch() rejected before a response. */
  onFetchError(err: unknown, nowMs: number): void {
    if (this.ended) return;
    this.now = nowMs;
    if (isAbort(err)) this.finish('aborted', undefined);
    else this.finish('error', errorTypeOf(err));
  }

  /** The app dropped the response without reading or cancelling its body. */
  onAbandoned(nowMs: number): void {
    if (this.ended) return;
    this.now = nowMs;
    this.finish('abandoned', undefined);
  }

  private finish(outcome: Outcome, errorType: string | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.endMs = this.now;
    if (this.guard !== undefined) this.guard.ex = undefined;
    let response: ResponseSummary = {};
    let outputChunks = 0;
    const streamed = this.mode === 'sse';
    if (this.stream !== undefined) {
      response = this.stream.summary();
      outputChunks = this.outputChunks;
    } else if (this.mode === 'json' && outcome === 'completed') {
      if (this.jsonTooLarge) {
        response = {};
      } else {
        const text = this.jsonText ?? decodeUtf8(concatBytes(this.json ?? [], this.jsonLen));
        response =
          text === undefined
            ? { unparseable: true }
            : protocolOf(this.target.protocol).summarizeJson(text, this.target.operation, this.config.content, this.jsonParsed);
      }
    }
    this.json = undefined;
    this.jsonText = undefined;
    this.jsonParsed = undefined;
    this.sse = undefined;
    // A successful response that told us no usage: no token counts are
    // reported for it (nothing is estimated), and it is counted as such.
    const usageMissing =
      this.status !== undefined && this.status >= 200 && this.status < 300 && response.usage === undefined;
    const result: ExchangeResult = {
      target: this.target,
      request: this.request,
      usageInjected: this.usageInjected,
      status: this.status,
      outcome,
      errorType,
      durationS: (this.now - this.startMs) / 1000,
      timeToFirstChunkS: this.firstChunkMs === undefined ? undefined : (this.firstChunkMs - this.startMs) / 1000,
      response,
      streamed,
      outputChunks,
      usageMissing,
    };
    this.sink.end(this, result);
  }
}
