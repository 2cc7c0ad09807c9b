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
import { channel } from 'node:diagnostics_channel';
import { context, type Context, type DiagLogger } from '@opentelemetry/api';
import type { AimonConfig } from './config.js';
import { Exchange, type ExchangeGuard } from './exchange.js';
import type { HostMatcher, Target } from './hosts.js';
import { injectIncludeUsage } from './parse/inject.js';
import { protocolOf } from './protocols.js';
import type { RequestParams } from './types.js';

type FetchFn = typeof globalThis.fetch;

export interface TapDeps {
  matcher: HostMatcher;
  config: AimonConfig;
  /**
   * Starts the exchange's telemetry. `contextRead`: something inside the call
   * reads the active context (see requestCreated). Returns the context to run
   * the call in, or undefined to run it in the caller's.
   */
  start(ex: Exchange, contextRead: boolean): Context | undefined;
  sink: ConstructorParameters<typeof Exchange>[4];
  diag: DiagLogger;
}

/** The reason undici's own FinalizationRegistry cancels an unread body with (undici 6.x, 7.x). */
const UNDICI_GC_REASON = 'Response object has been garbage collected';

/** Marks a fetch we produced, so that wrapping is idempotent. */
export const WRAPPED = Symbol.for('@aimon/otel.wrapped-fetch');

/**
 * undici (the global fetch's and the npm package's alike) publishes each new
 * request here; an HTTP client span instrumentation (instrumentation-undici)
 * subscribes and reads the active context to parent its span and inject
 * trace headers. Without a subscriber nothing inside fetch reads the context.
 */
const requestCreated = channel('undici:request:create');

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
  // without reading or cancelling it, so no span or record is left open. It
  // holds a guard, not the exchange: an exchange that ended lets go of its
  // guard, so it (and its span) is not kept alive until the Response is collected.
  const abandoned = new FinalizationRegistry<ExchangeGuard>((g) => {
    const ex = g.ex;
    if (ex === undefined) return;
    try {
      ex.onAbandoned(now());
    } catch (err) {
      logOnce('ending an abandoned exchange failed', err);
    }
  });
  const guard = (target: object, ex: Exchange): void => {
    const g: ExchangeGuard = { ex };
    ex.guard = g;
    abandoned.register(target, g);
  };

  function fetch(this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let target: Target | undefined;
    try {
      target = deps.matcher.match(input);
    } catch (err) {
      logOnce('matching the request URL failed', err);
    }
    if (target === undefined) return original.apply(this, arguments as unknown as [RequestInfo | URL, RequestInit?]);

    let ex: Exchange;
    let ctx: Context | undefined;
    let callInit: RequestInit | undefined;
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(input, init);
      const p = prepare(target, init, deps.config);
      callInit = p.init;
      ex = new Exchange(target, p.request, p.injected, deps.config, deps.sink, now());
      ctx = deps.start(ex, requestCreated.hasSubscribers);
    } catch (err) {
      logOnce('starting the exchange failed; the call proceeds uninstrumented', err);
      return original.apply(this, arguments as unknown as [RequestInfo | URL, RequestInit?]);
    }
    const self = this;
    const args: [RequestInfo | URL, RequestInit?] = arguments.length > 1 || callInit !== init ? [input, callInit] : [input];
    let promise: Promise<Response>;
    try {
      promise = ctx === undefined ? original.apply(self, args) : context.with(ctx, () => original.apply(self, args));
    } catch (err) {
      fetchFailed(ex, signal, err);
      throw err;
    }
    if (ex.usageInjected) {
      // The app gets a Response of our own (its stream rewritten): a derived promise.
      return promise.then(
        (res) => wrapResponse(res, ex, signal),
        (err: unknown) => {
          fetchFailed(ex, signal, err);
          throw err;
        },
      );
    }
    // Otherwise the app awaits the very promise fetch returned: our reaction,
    // registered first, observes the Response in place before the app's runs,
    // and adds no promise to the app's chain. It never rejects (the app gets
    // the rejection through its own promise).
    promise.then(
      (res) => void wrapResponse(res, ex, signal),
      (err: unknown) => fetchFailed(ex, signal, err),
    );
    return promise;
  }

  /** fetch() rejected or threw. An abort by the app is not an error, whatever reason it aborted with. */
  function fetchFailed(ex: Exchange, signal: AbortSignal | undefined, err: unknown): void {
    safe(() => (abortedByApp(signal) ? ex.onAbort(now()) : ex.onFetchError(err, now())));
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
      if (!ex.onResponse(res.status, res.headers.get('content-type'), body !== null, now()) || body === null) return res;
      if (!ex.streaming) {
        observeWhole(res, ex, signal);
        guard(res, ex);
        return res;
      }
      if (!ex.usageInjected) {
        // A stream the app sees unchanged: observe its own reader, no re-wrap.
        observeStream(body, ex, signal);
        guard(body, ex);
        return res;
      }
      // Usage injection rewrites events: the app reads a stream of our own.
      const tapped = tapBody(body, ex, signal);
      // The app gets the class its fetch returns: a wrapped npm undici fetch
      // returns undici's own Response, not the global one.
      const Ctor = res instanceof Response ? Response : ((res as { constructor: unknown }).constructor as typeof Response);
      const out = new Ctor(tapped, { status: res.status, statusText: res.statusText, headers: res.headers });
      restoreIdentity(out, res, Ctor);
      guard(tapped, ex);
      return out;
    } catch (err) {
      logOnce('wrapping the response failed; returning it unobserved', err);
      safe(() => ex.onAbandoned(now()));
      return res;
    }
  }

  /**
   * A body that is not an event stream (JSON, an error page): the app gets its
   * own Response object back, whose prototype becomes an observed subclass of
   * its own (one per Response class, made once): text() and json() hand us the
   * string the app decodes anyway (and json() its parsed value), so there is
   * no stream re-wrap, no second decode and no second parse; url, type,
   * headers, instanceof and constructor are the originals. Defining the
   * methods on each instance instead cost more than a setPrototypeOf (seven
   * property definitions on a host object: about 12 µs per call here).
   * `body` is tapped lazily, as streams are.
   */
  const wholeObs = slots<WholeObservation>();
  const wholeProtos = new Map<object, object>();

  interface WholeObservation {
    ex: Exchange;
    signal: AbortSignal | undefined;
    tapped: ReadableStream<Uint8Array> | null | undefined;
  }

  function observeWhole(res: Response, ex: Exchange, signal: AbortSignal | undefined): void {
    const proto = Object.getPrototypeOf(res) as Response;
    wholeObs.set(res, { ex, signal, tapped: undefined });
    Object.setPrototypeOf(res, observedResponseProto(proto));
  }

  function observedResponseProto(proto: Response): object {
    const cached = wholeProtos.get(proto);
    if (cached !== undefined) return cached;
    const bodyGetter = findGetter(proto, 'body');
    const obsOf = (self: unknown): WholeObservation | undefined => wholeObs.get(self);
    const failed = (o: WholeObservation) => (err: unknown): never => {
      safe(() => (abortedByApp(o.signal) ? o.ex.onAbort(now()) : o.ex.onBodyError(err, now())));
      throw err;
    };
    const gotText = (o: WholeObservation, t: string): void => safe(() => o.ex.onBodyText(t, now()));
    const gotBytes = (o: WholeObservation, b: ArrayBuffer): void => safe(() => o.ex.onBodyBytes(new Uint8Array(b), now()));
    const gotEnd = (o: WholeObservation): void => safe(() => o.ex.onEnd(now()));
    /** The native method's result, after telling the exchange what the app read. */
    const observed = <T>(o: WholeObservation | undefined, read: Promise<T>, seen: (o: WholeObservation, v: T) => void): Promise<T> =>
      o === undefined
        ? read
        : read.then((v) => {
            seen(o, v);
            return v;
          }, failed(o));
    const p = Object.create(proto, {
      text: method(function text(this: Response): Promise<string> {
        return observed(obsOf(this), proto.text.call(this), gotText);
      }),
      json: method(function json(this: Response): Promise<unknown> {
        const o = obsOf(this);
        if (o === undefined) return proto.json.call(this);
        // What the native json() does: decode the whole body as UTF-8, then
        // JSON.parse. The summary reads the app's parsed value: no second parse.
        return proto.text.call(this).then((t) => {
          let v: unknown;
          try {
            v = JSON.parse(t);
          } catch (err) {
            gotText(o, t);
            throw err;
          }
          safe(() => o.ex.onBodyText(t, now(), v));
          return v;
        }, failed(o));
      }),
      arrayBuffer: method(function arrayBuffer(this: Response): Promise<ArrayBuffer> {
        return observed(obsOf(this), proto.arrayBuffer.call(this), gotBytes);
      }),
      blob: method(function blob(this: Response): Promise<Blob> {
        return observed(obsOf(this), proto.blob.call(this), (o, b) => void b.arrayBuffer().then((ab) => gotBytes(o, ab), () => gotEnd(o)));
      }),
      formData: method(function formData(this: Response): Promise<FormData> {
        return observed(obsOf(this), proto.formData.call(this), gotEnd);
      }),
      body: {
        configurable: true,
        get(this: Response): ReadableStream<Uint8Array> | null {
          const o = obsOf(this);
          if (o === undefined) return bodyGetter?.call(this) as ReadableStream<Uint8Array> | null;
          if (o.tapped === undefined) {
            const b = bodyGetter?.call(this) as ReadableStream<Uint8Array> | null | undefined;
            if (b === null || b === undefined) o.tapped = null;
            else {
              // Read as a stream after all: observed through its own reader, like event streams.
              observeStream(b, o.ex, o.signal);
              o.tapped = b;
            }
          }
          return o.tapped;
        },
      },
      clone: method(function clone(this: Response): Response {
        const c = proto.clone.call(this);
        const o = obsOf(this);
        // Whichever copy the app reads ends the exchange (it ends once).
        if (o !== undefined) observeWhole(c, o.ex, o.signal);
        return c;
      }),
    }) as object;
    wholeProtos.set(proto, p);
    return p;
  }

  /**
   * An event stream the app sees unchanged: the Response and its body stream
   * are the originals. The stream's prototype becomes an observed subclass of
   * its own (as for whole bodies above), and so does each reader taken from
   * it: a read costs one `.then` per chunk instead of a second ReadableStream.
   * Readers, async iteration and cancel go through the observed reader; tee,
   * pipeTo and pipeThrough through a pass-through stream over it.
   */
  class StreamObservation {
    observing = true;
    constructor(
      readonly ex: Exchange,
      readonly signal: AbortSignal | undefined,
    ) {}

    private stop(err: unknown): void {
      this.observing = false;
      logOnce('observing the response body failed; the rest of it passes unobserved', err);
    }

    /**
     * Observes a read the app will await itself: a reaction of our own on the
     * native promise, registered before the app's, so the exchange sees each
     * chunk before the app does and the app awaits the very promise it would
     * without us (no promise of ours in its chain, no extra tick per chunk).
     */
    watch(read: Promise<ReadableStreamReadResult<Uint8Array>>): void {
      read.then(this.onResult, this.onError);
    }

    private readonly onResult = (r: ReadableStreamReadResult<Uint8Array>): void => {
      // Once per chunk: inline, no closure.
      if (!this.observing) return;
      try {
        if (r.done) this.ex.onEnd(now());
        else this.ex.onChunk(r.value, now());
      } catch (err) {
        this.stop(err);
      }
    };

    /** The app gets the rejection through its own promise; ours only records it. */
    private readonly onError = (err: unknown): void => {
      if (!this.observing) return;
      try {
        if (abortedByApp(this.signal)) this.ex.onAbort(now());
        else this.ex.onBodyError(err, now());
      } catch (e) {
        this.stop(e);
      }
    };

    onCancel(reason: unknown): void {
      if (!this.observing) return;
      try {
        // undici cancels the body of a Response that was collected unread:
        // the app dropped it, which is abandonment, not a cancel.
        if (reason === UNDICI_GC_REASON) this.ex.onAbandoned(now());
        else if (abortedByApp(this.signal)) this.ex.onAbort(now());
        else this.ex.onCancel(now());
      } catch (err) {
        this.stop(err);
      }
    }
  }

  const streamObs = slots<StreamObservation>();
  const readerObs = slots<StreamObservation>();
  const streamProtos = new Map<object, object>();
  const readerProtos = new Map<object, object>();

  function observeStream(body: ReadableStream<Uint8Array>, ex: Exchange, signal: AbortSignal | undefined): void {
    const proto = Object.getPrototypeOf(body) as ReadableStream<Uint8Array>;
    streamObs.set(body, new StreamObservation(ex, signal));
    Object.setPrototypeOf(body, observedStreamProto(proto));
  }

  function observeReader<R extends object>(reader: R, o: StreamObservation): R {
    readerObs.set(reader, o);
    Object.setPrototypeOf(reader, observedReaderProto(Object.getPrototypeOf(reader) as object));
    return reader;
  }

  function observedReaderProto(proto: object): object {
    const cached = readerProtos.get(proto);
    if (cached !== undefined) return cached;
    const nativeRead = (proto as { read: (...a: unknown[]) => Promise<ReadableStreamReadResult<Uint8Array>> }).read;
    const nativeCancel = (proto as { cancel: (reason?: unknown) => Promise<void> }).cancel;
    const p = Object.create(proto, {
      read: method(function read(this: object, ...args: unknown[]): Promise<ReadableStreamReadResult<Uint8Array>> {
        const r = nativeRead.apply(this, args);
        readerObs.get(this)?.watch(r);
        return r;
      }),
      cancel: method(function cancel(this: object, reason?: unknown): Promise<void> {
        readerObs.get(this)?.onCancel(reason);
        return nativeCancel.call(this, reason);
      }),
    }) as object;
    readerProtos.set(proto, p);
    return p;
  }

  function observedStreamProto(proto: ReadableStream<Uint8Array>): object {
    const cached = streamProtos.get(proto);
    if (cached !== undefined) return cached;
    const obsOf = (self: unknown): StreamObservation | undefined => streamObs.get(self);
    const nativeReader = (body: ReadableStream<Uint8Array>, o: StreamObservation): ReadableStreamDefaultReader<Uint8Array> =>
      observeReader(proto.getReader.call(body) as ReadableStreamDefaultReader<Uint8Array>, o);
    const passThrough = (body: ReadableStream<Uint8Array>, o: StreamObservation): ReadableStream<Uint8Array> => {
      const r = nativeReader(body, o);
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
    function values(this: ReadableStream<Uint8Array>, options?: { preventCancel?: boolean }): AsyncIterableIterator<Uint8Array> {
      const o = obsOf(this);
      if (o === undefined) return (proto as unknown as { values: typeof values }).values.call(this, options);
      const reader = nativeReader(this, o);
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
    const p = Object.create(proto, {
      getReader: method(function getReader(this: ReadableStream<Uint8Array>, options?: { mode?: 'byob' }) {
        const r = proto.getReader.call(this, options as never) as object;
        const o = obsOf(this);
        return o === undefined ? r : observeReader(r, o);
      }),
      cancel: method(function cancel(this: ReadableStream<Uint8Array>, reason?: unknown) {
        obsOf(this)?.onCancel(reason);
        return proto.cancel.call(this, reason);
      }),
      values: method(values),
      [Symbol.asyncIterator]: method(values),
      tee: method(function tee(this: ReadableStream<Uint8Array>) {
        const o = obsOf(this);
        return o === undefined ? proto.tee.call(this) : passThrough(this, o).tee();
      }),
      pipeTo: method(function pipeTo(this: ReadableStream<Uint8Array>, dest: WritableStream<Uint8Array>, options?: StreamPipeOptions) {
        const o = obsOf(this);
        return o === undefined ? proto.pipeTo.call(this, dest, options) : passThrough(this, o).pipeTo(dest, options);
      }),
      pipeThrough: method(function pipeThrough(
        this: ReadableStream<Uint8Array>,
        t: ReadableWritablePair<unknown, Uint8Array>,
        options?: StreamPipeOptions,
      ) {
        const o = obsOf(this);
        return o === undefined ? proto.pipeThrough.call(this, t, options) : passThrough(this, o).pipeThrough(t, options);
      }),
    }) as object;
    streamProtos.set(proto, p);
    return p;
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

/** Returns the object it is given: lets a subclass add a private field to any object (the "return override"). */
class Stamped {
  constructor(o: object) {
    return o;
  }
}

/**
 * A value per object, for objects the app owns (its Response, body stream,
 * readers): a private field added to the object itself, so a lookup is a
 * property read, and the garbage collector has no WeakMap entry (an ephemeron
 * it must visit in every young-generation collection) per call. A private
 * field is invisible to the app: not an own key, not a symbol, not copied.
 * Each call makes its own field, so two taps never share one.
 */
function slots<T>(): { set(o: object, v: T): void; get(o: unknown): T | undefined } {
  class Slot extends Stamped {
    #v: T | undefined;
    constructor(o: object) {
      super(o);
    }
    static set(o: object, v: T): void {
      if (!(#v in o)) new Slot(o);
      (o as Slot).#v = v;
    }
    static get(o: unknown): T | undefined {
      return typeof o === 'object' && o !== null && #v in o ? (o as Slot).#v : undefined;
    }
  }
  return Slot;
}

/** A non-enumerable method, as the platform's own are. */
function method(value: (...args: never[]) => unknown): PropertyDescriptor {
  return { configurable: true, writable: true, value };
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
