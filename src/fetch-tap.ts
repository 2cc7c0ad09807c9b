/**
 * The transport tap: a wrapper around a fetch function. Calls to hosts that
 * are not configured LLM endpoints go straight to the original fetch. For LLM
 * calls it parses the request, starts an Exchange, runs the original fetch in
 * the span's context and returns a Response whose body passes every chunk on
 * as it arrives while the Exchange observes it.
 *
 * Nothing here may throw into the app: a failure before the call falls back
 * to the uninstrumented call; a failure while observing stops observing.
 */
import { context, type Context, type DiagLogger } from '@opentelemetry/api';
import type { AimonConfig } from './config.js';
import { Exchange } from './exchange.js';
import type { HostMatcher, Target } from './hosts.js';
import { injectIncludeUsage } from './parse/inject.js';
import { protocolOf } from './protocols.js';
import type { RequestParams } from './types.js';

type FetchFn = typeof globalThis.fetch;

export interface TapDeps {
  matcher: HostMatcher;
  config: AimonConfig;
  /** Starts the exchange's telemetry and returns the context to run the call in. */
  start(ex: Exchange): Context;
  sink: ConstructorParameters<typeof Exchange>[4];
  diag: DiagLogger;
}

/** The reason undici's own FinalizationRegistry cancels an unread body with (undici 6.x, 7.x). */
const UNDICI_GC_REASON = 'Response object has been garbage collected';

/** Marks a fetch we produced, so that wrapping is idempotent. */
export const WRAPPED = Symbol.for('@aimon/otel.wrapped-fetch');

const textDecoder = new TextDecoder();
const now = () => performance.now();

/** Logs each distinct failure once, so that a bug never floods the log per request. */
export function onceLogger(diag: DiagLogger): (key: string, err: unknown) => void {
  const seen = new Set<string>();
  return (key, err) => {
    if (seen.has(key) || seen.size > 100) return;
    seen.add(key);
    diag.error(`${key}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  };
}

function requestBodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return textDecoder.decode(body);
  if (body instanceof ArrayBuffer) return textDecoder.decode(new Uint8Array(body));
  return undefined;
}

/** The AbortSignal fetch() will follow for this call, if any. */
function signalOf(input: unknown, init: RequestInit | undefined): AbortSignal | undefined {
  const s = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  return s instanceof AbortSignal ? s : undefined;
}

/**
 * True when the app aborted the call: its signal fired, for any reason but a
 * timeout (AbortSignal.timeout), which is recorded as an error of its class.
 */
function abortedByApp(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (signal.reason as { name?: unknown } | null)?.name !== 'TimeoutError';
}

function hasContentLength(headers: unknown): boolean {
  if (headers === undefined || headers === null) return false;
  if (headers instanceof Headers) return headers.has('content-length');
  if (Array.isArray(headers)) return headers.some((h) => Array.isArray(h) && String(h[0]).toLowerCase() === 'content-length');
  if (typeof headers === 'object') return Object.keys(headers).some((k) => k.toLowerCase() === 'content-length');
  return false;
}

interface Prepared {
  request: RequestParams | undefined;
  init: RequestInit | undefined;
  injected: boolean;
}

function prepare(target: Target, init: RequestInit | undefined, config: AimonConfig): Prepared {
  const text = requestBodyText(init?.body);
  const request = text !== undefined ? protocolOf(target.protocol).parseRequest(text, target.operation, config.content) : undefined;
  if (
    config.streamUsage === 'inject' &&
    request !== undefined &&
    request.stream &&
    !request.hasStreamOptions &&
    target.protocol === 'openai' &&
    target.operation !== 'embeddings' &&
    typeof init?.body === 'string' &&
    Object.getPrototypeOf(init) === Object.prototype &&
    !hasContentLength(init.headers)
  ) {
    const body = injectIncludeUsage(init.body);
    if (body !== undefined) return { request, init: { ...init, body }, injected: true };
  }
  return { request, init, injected: false };
}

export function wrapFetch(original: FetchFn, deps: TapDeps): FetchFn {
  if ((original as unknown as Record<symbol, unknown>)[WRAPPED] !== undefined) return original;
  const logOnce = onceLogger(deps.diag);
  // FinalizationRegistry ends exchanges whose response body the app dropped
  // without reading or cancelling it, so no span or record is left open.
  const abandoned = new FinalizationRegistry<Exchange>((ex) => {
    try {
      ex.onAbandoned(now());
    } catch (err) {
      logOnce('ending an abandoned exchange failed', err);
    }
  });

  function fetch(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let target: Target | undefined;
    try {
      target = deps.matcher.match(input);
    } catch (err) {
      logOnce('matching the request URL failed', err);
    }
    if (target === undefined) return original.apply(this, arguments as unknown as [RequestInfo | URL, RequestInit?]);

    let ex: Exchange;
    let ctx: Context;
    let callInit: RequestInit | undefined;
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(input, init);
      const p = prepare(target, init, deps.config);
      callInit = p.init;
      ex = new Exchange(target, p.request, p.injected, deps.config, deps.sink, now());
      ctx = deps.start(ex);
    } catch (err) {
      logOnce('starting the exchange failed; the call proceeds uninstrumented', err);
      return original.apply(this, arguments as unknown as [RequestInfo | URL, RequestInit?]);
    }
    const self = this;
    const args: [RequestInfo | URL, RequestInit?] = arguments.length > 1 || callInit !== init ? [input, callInit] : [input];
    let promise: Promise<Response>;
    // An abort by the app is not an error, whatever reason it aborted with.
    const fetchFailed = (err: unknown) =>
      safe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onFetchError(err, now())));
    try {
      promise = context.with(ctx, () => original.apply(self, args));
    } catch (err) {
      fetchFailed(err);
      throw err;
    }
    return promise.then(
      (res) => wrapResponse(res, ex, signal),
      (err: unknown) => {
        fetchFailed(err);
        throw err;
      },
    );
  }

  function safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      logOnce('recording the exchange failed', err);
    }
  }

  function wrapResponse(res: Response, ex: Exchange, signal: AbortSignal | undefined): Response {
    try {
      const body = res.body;
      if (!ex.onResponse(res.status, res.headers.get('content-type'), body !== null) || body === null) return res;
      if (!ex.streaming) {
        observeWhole(res, ex, signal);
        abandoned.register(res, ex);
        return res;
      }
      if (!ex.usageInjected) {
        // A stream the app sees unchanged: observe its own reader, no re-wrap.
        observeStream(body, ex, signal);
        abandoned.register(body, ex);
        return res;
      }
      // Usage injection rewrites events: the app reads a stream of our own.
      const tapped = tapBody(body, ex, signal);
      // The app gets the class its fetch returns: a wrapped npm undici fetch
      // returns undici's own Response, not the global one.
      const Ctor = res instanceof Response ? Response : ((res as { constructor: unknown }).constructor as typeof Response);
      const out = new Ctor(tapped, { status: res.status, statusText: res.statusText, headers: res.headers });
      restoreIdentity(out, res, Ctor);
      abandoned.register(tapped, ex);
      return out;
    } catch (err) {
      logOnce('wrapping the response failed; returning it unobserved', err);
      safe(() => ex.onAbandoned(now()));
      return res;
    }
  }

  /**
   * A body that is not an event stream (JSON, an error page): the app gets its
   * own Response object back, with the body-reading methods observed on the
   * instance. text() and json() hand us the string the app decodes anyway, so
   * there is no stream re-wrap and no second decode; url, type, headers and
   * the prototype are the originals. `body` is tapped lazily, as streams are.
   */
  function observeWhole(res: Response, ex: Exchange, signal: AbortSignal | undefined): void {
    const proto = Object.getPrototypeOf(res) as Response;
    const bodyGetter = findGetter(proto, 'body');
    const failed = (err: unknown): never => {
      safe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onBodyError(err, now())));
      throw err;
    };
    const gotText = (t: string): void => safe(() => ex.onBodyText(t, now()));
    const gotBytes = (b: ArrayBuffer): void => safe(() => ex.onBodyBytes(new Uint8Array(b), now()));
    const gotEnd = (): void => safe(() => ex.onEnd(now()));
    let tapped: ReadableStream<Uint8Array> | null | undefined;
    const method = (value: (...args: never[]) => unknown): PropertyDescriptor => ({ configurable: true, writable: true, value });
    /** The native method's result, after telling the exchange what the app read. */
    const observed = <T, R = T>(read: Promise<T>, seen: (v: T) => void, result: (v: T) => R = (v) => v as unknown as R) =>
      read.then((v) => {
        seen(v);
        return result(v);
      }, failed);
    Object.defineProperties(res, {
      text: method(function text(): Promise<string> {
        return observed(proto.text.call(res), gotText);
      }),
      json: method(function json(): Promise<unknown> {
        // What the native json() does: decode the whole body as UTF-8, then JSON.parse.
        return observed(proto.text.call(res), gotText, (t) => JSON.parse(t) as unknown);
      }),
      arrayBuffer: method(function arrayBuffer(): Promise<ArrayBuffer> {
        return observed(proto.arrayBuffer.call(res), gotBytes);
      }),
      blob: method(function blob(): Promise<Blob> {
        return observed(proto.blob.call(res), (b) => void b.arrayBuffer().then(gotBytes, gotEnd));
      }),
      formData: method(function formData(): Promise<FormData> {
        return observed(proto.formData.call(res), gotEnd);
      }),
      body: {
        configurable: true,
        get(): ReadableStream<Uint8Array> | null {
          if (tapped === undefined) {
            const b = bodyGetter?.call(res) as ReadableStream<Uint8Array> | null | undefined;
            if (b === null || b === undefined) tapped = null;
            else {
              // Read as a stream after all: observed through its own reader, like event streams.
              observeStream(b, ex, signal);
              tapped = b;
            }
          }
          return tapped;
        },
      },
      clone: method(function clone(): Response {
        const c = proto.clone.call(res);
        // Whichever copy the app reads ends the exchange (it ends once).
        observeWhole(c, ex, signal);
        return c;
      }),
    });
  }

  /**
   * An event stream the app sees unchanged: the Response and its body stream
   * are the originals; the stream's reader methods are observed on the
   * instances (one `.then` per chunk instead of a second ReadableStream).
   * Readers, async iteration and cancel go through the observed reader;
   * tee, pipeTo and pipeThrough through a pass-through stream over it.
   */
  function observeStream(body: ReadableStream<Uint8Array>, ex: Exchange, signal: AbortSignal | undefined): void {
    const proto = Object.getPrototypeOf(body) as ReadableStream<Uint8Array>;
    let observing = true;
    const observe = (fn: () => void): void => {
      if (!observing) return;
      try {
        fn();
      } catch (err) {
        observing = false;
        logOnce('observing the response body failed; the rest of it passes unobserved', err);
      }
    };
    const onResult = (r: ReadableStreamReadResult<Uint8Array>): ReadableStreamReadResult<Uint8Array> => {
      if (r.done) observe(() => ex.onEnd(now()));
      else observe(() => void ex.onChunk(r.value, now()));
      return r;
    };
    const onError = (err: unknown): never => {
      observe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onBodyError(err, now())));
      throw err;
    };
    const onCancel = (): void => observe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onCancel(now())));
    const method = (value: (...args: never[]) => unknown): PropertyDescriptor => ({ configurable: true, writable: true, value });

    const observed = <R extends ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader>(reader: R): R => {
      const nativeRead = reader.read as (...a: unknown[]) => Promise<ReadableStreamReadResult<Uint8Array>>;
      const nativeCancel = reader.cancel;
      Object.defineProperties(reader, {
        read: method(function read(...args: unknown[]): Promise<ReadableStreamReadResult<Uint8Array>> {
          return nativeRead.apply(reader, args).then(onResult, onError);
        }),
        cancel: method(function cancel(reason?: unknown): Promise<void> {
          onCancel();
          return nativeCancel.call(reader, reason);
        }),
      });
      return reader;
    };
    const nativeReader = (): ReadableStreamDefaultReader<Uint8Array> =>
      observed(proto.getReader.call(body) as ReadableStreamDefaultReader<Uint8Array>);
    const passThrough = (): ReadableStream<Uint8Array> => {
      const r = nativeReader();
      return new ReadableStream<Uint8Array>(
        {
          pull: (c) =>
            r.read().then(
              (x) => (x.done ? c.close() : c.enqueue(x.value)),
              (err: unknown) => c.error(err),
            ),
          cancel: (reason) => r.cancel(reason),
        },
        { highWaterMark: 0 },
      );
    };
    function values(this: unknown, options?: { preventCancel?: boolean }): AsyncIterableIterator<Uint8Array> {
      const reader = nativeReader();
      const preventCancel = options?.preventCancel === true;
      const it: AsyncIterableIterator<Uint8Array> = {
        next: () =>
          reader.read().then(
            (r) => {
              if (r.done) reader.releaseLock();
              return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
            },
            (err: unknown) => {
              reader.releaseLock();
              throw err;
            },
          ),
        return: (value?: unknown) => {
          if (preventCancel) {
            reader.releaseLock();
            return Promise.resolve({ done: true, value } as IteratorResult<Uint8Array>);
          }
          return reader.cancel(value).then(() => {
            reader.releaseLock();
            return { done: true, value } as IteratorResult<Uint8Array>;
          });
        },
        [Symbol.asyncIterator]() {
          return it;
        },
      };
      return it;
    }
    Object.defineProperties(body, {
      getReader: method(function getReader(options?: { mode?: 'byob' }) {
        return observed(proto.getReader.call(body, options as never) as ReadableStreamDefaultReader<Uint8Array>);
      }),
      cancel: method(function cancel(reason?: unknown) {
        // undici cancels the body of a Response that was collected unread:
        // the app dropped it, which is abandonment, not a cancel.
        if (reason === UNDICI_GC_REASON) observe(() => ex.onAbandoned(now()));
        else onCancel();
        return proto.cancel.call(body, reason);
      }),
      values: method(values),
      [Symbol.asyncIterator]: method(values),
      tee: method(function tee() {
        return passThrough().tee();
      }),
      pipeTo: method(function pipeTo(dest: WritableStream<Uint8Array>, options?: StreamPipeOptions) {
        return passThrough().pipeTo(dest, options);
      }),
      pipeThrough: method(function pipeThrough(t: ReadableWritablePair<unknown, Uint8Array>, options?: StreamPipeOptions) {
        return passThrough().pipeThrough(t, options);
      }),
    });
  }

  function tapBody(body: ReadableStream<Uint8Array>, ex: Exchange, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
    // The reader is taken lazily, so that if anything fails before the app
    // reads, the original body is still untouched.
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let observing = true;
    const observe = <T>(fn: () => T, fallback: T): T => {
      if (!observing) return fallback;
      try {
        return fn();
      } catch (err) {
        observing = false;
        logOnce('observing the response body failed; the rest of it passes unobserved', err);
        return fallback;
      }
    };
    const pull = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
      reader ??= body.getReader();
      return reader.read().then(
        ({ done, value }) => {
          if (done) {
            const rest = observe(() => ex.flush(), undefined);
            if (rest !== undefined) controller.enqueue(rest);
            observe(() => ex.onEnd(now()), undefined);
            controller.close();
            return;
          }
          const out = observe(() => ex.onChunk(value, now()), value);
          // Usage injection may hold back a partial event: read on until
          // there is something to hand over.
          if (out.length === 0 && value.length > 0) return pull(controller);
          controller.enqueue(out);
        },
        (err: unknown) => {
          observe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onBodyError(err, now())), undefined);
          controller.error(err);
        },
      );
    };
    return new ReadableStream<Uint8Array>(
      {
        pull,
        cancel(reason) {
          // openai 7 aborts its request and then cancels the body, without
          // reading the AbortError: that is an abort, not a plain cancel.
          observe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onCancel(now())), undefined);
          return reader !== undefined ? reader.cancel(reason) : body.cancel(reason);
        },
      },
      // No queue of our own: a chunk is read from upstream only when the app
      // asks for one, so we add no buffering and a cancel reaches the network at once.
      { highWaterMark: 0 },
    );
  }

  Object.defineProperty(fetch, WRAPPED, { value: original });
  Object.defineProperty(fetch, 'length', { value: original.length });
  return fetch as FetchFn;
}

function findGetter(proto: object | null, name: string): (() => unknown) | undefined {
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d !== undefined) return d.get;
  }
  return undefined;
}

/** new Response() loses url, redirected and type; the app must see the originals. */
function restoreIdentity(out: Response, res: Response, Ctor: typeof Response): void {
  Object.defineProperties(out, {
    url: { value: res.url, configurable: true },
    redirected: { value: res.redirected, configurable: true },
    type: { value: res.type, configurable: true },
    headers: { value: res.headers, configurable: true },
    clone: {
      configurable: true,
      writable: true,
      value: function clone(this: Response): Response {
        const c = Ctor.prototype.clone.call(this);
        restoreIdentity(c, res, Ctor);
        return c;
      },
    },
  });
}

/** The fetch a wrapped fetch calls. */
export function unwrapFetch(fn: FetchFn): FetchFn {
  return ((fn as unknown as Record<symbol, unknown>)[WRAPPED] as FetchFn | undefined) ?? fn;
}
