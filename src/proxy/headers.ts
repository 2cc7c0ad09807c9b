/**
 * Which headers cross the proxy. Pure. Everything passes except the hop-by-hop
 * headers of RFC 9110 section 7.6.1 (and the ones a Connection header names),
 * the client's Host (the upstream's is set by the transport), and the framing
 * headers the proxy recomputes.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const s = Array.isArray(value) ? value.join(',') : value;
  // Nearly every message says just `keep-alive` or `close`: no tokens to drop.
  if (s.length <= 10) {
    const l = s.toLowerCase();
    if (l === 'keep-alive' || l === 'close') return undefined;
  }
  const out = new Set<string>();
  for (const t of s.split(',')) {
    const k = t.trim().toLowerCase();
    if (k !== '' && k !== 'close' && k !== 'keep-alive') out.add(k);
  }
  return out.size > 0 ? out : undefined;
}

export interface RequestHeaderOptions {
  /** Replaces the client's Authorization (server-side key mode). */
  authorization?: string | undefined;
  /** Content-Length of the body as forwarded, when the proxy holds the whole body. */
  contentLength?: number | undefined;
  /** Forces an uncompressed response (when the proxy must rewrite the stream). */
  identityEncoding?: boolean;
}

/** Headers for the upstream request, from the client's (Node's lower-cased object form). */
export function upstreamRequestHeaders(h: IncomingHttpHeaders, opts: RequestHeaderOptions): OutgoingHttpHeaders {
  const named = connectionTokens(h.connection);
  const out: OutgoingHttpHeaders = {};
  for (const k in h) {
    if (HOP_BY_HOP.has(k) || k === 'host' || k === 'expect') continue;
    if (named?.has(k) === true) continue;
    if (opts.contentLength !== undefined && k === 'content-length') continue;
    out[k] = h[k];
  }
  if (opts.authorization !== undefined) out.authorization = opts.authorization;
  if (opts.contentLength !== undefined) out['content-length'] = opts.contentLength;
  if (opts.identityEncoding === true) out['accept-encoding'] = 'identity';
  return out;
}

/** What the proxy reads from the upstream's response headers, taken while they are copied. */
export interface ResponseHeaderInfo {
  /** The first Content-Type (as Node's headers object keeps it), or null. */
  contentType: string | null;
  /** Content-Encoding, repeated values joined with ', ' (as Node's headers object joins them). */
  contentEncoding: string | undefined;
}

/**
 * Response headers for the client, from the upstream's raw [name, value, ...]
 * list (case and order kept). With `info`, also reports the headers the proxy
 * reads, so that Node's lazily built headers object is never needed.
 */
export function clientResponseHeaders(raw: readonly string[], dropContentLength: boolean, info?: ResponseHeaderInfo): string[] {
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === 10 && k.toLowerCase() === 'connection') {
      const t = connectionTokens(raw[i + 1]);
      if (t !== undefined) for (const x of t) (named ??= new Set()).add(x);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    if (info !== undefined) {
      if (k === 'content-type') info.contentType ??= raw[i + 1]!;
      else if (k === 'content-encoding') info.contentEncoding = info.contentEncoding === undefined ? raw[i + 1]! : `${info.contentEncoding}, ${raw[i + 1]!}`;
    }
    if (HOP_BY_HOP.has(k) || named?.has(k) === true) continue;
    if (dropContentLength && k === 'content-length') continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}
