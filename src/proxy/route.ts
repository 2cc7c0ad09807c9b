/**
 * Maps a client request target to a path on the one upstream, or refuses it.
 * Pure. The upstream host is never taken from the request: only the path and
 * query are, and only in origin form (`/path?query`), so an absolute-form
 * target (`http://other.host/...`), a Host header, or a path that climbs out
 * of the base (`..`, encoded slashes or dots) can never reach another host or
 * another path space on the upstream.
 */
import { operationOfPath } from '../hosts.js';
import type { Operation, ProtocolName } from '../types.js';

export type Route =
  | {
      kind: 'forward';
      /** Upstream path and query. */
      path: string;
      /** Set when the path is an LLM call we record (the same rule as the in-process host matcher). */
      call: { operation: Operation; protocol: ProtocolName } | undefined;
    }
  | { kind: 'local'; name: 'health' | 'live' | 'ready' | 'metrics' }
  | { kind: 'reject'; status: 400 | 404; code: string; message: string };

const LOCAL: Record<string, 'health' | 'live' | 'ready' | 'metrics'> = {
  '/health': 'health',
  '/health/live': 'live',
  '/health/ready': 'ready',
  '/metrics': 'metrics',
};

// Printable ASCII except space, `#` and `\`. Node's parser already refuses
// controls and spaces; the rest is refused here because servers and proxies
// disagree on what they mean.
const PATH_CHARS = /^[!$%&'()*+,\-./0-9:;=@A-Z_a-z~]*$/;
const QUERY_CHARS = /^[!$%&'()*+,\-./0-9:;=?@A-Z[\]_a-z~|^`{}"<>]*$/;
// Encoded `/`, `\`, `.` and NUL: decoded by some servers before routing.
const ENCODED_SEPARATOR = /%(2f|5c|2e|00)/i;

function bad(message: string): Route {
  return { kind: 'reject', status: 400, code: 'invalid_request_target', message };
}

export function routeRequest(rawTarget: string, basePath: string, upstreamBasePath: string): Route {
  if (rawTarget.charCodeAt(0) !== 0x2f /* / */ || rawTarget.charCodeAt(1) === 0x2f) {
    return bad('The request target must be a path (origin form), e.g. /v1/chat/completions.');
  }
  const q = rawTarget.indexOf('?');
  const path = q < 0 ? rawTarget : rawTarget.slice(0, q);
  const query = q < 0 ? '' : rawTarget.slice(q);
  if (!PATH_CHARS.test(path) || ENCODED_SEPARATOR.test(path)) return bad('The request path contains characters the proxy does not forward.');
  if (query !== '' && !QUERY_CHARS.test(query.slice(1))) return bad('The query string contains characters the proxy does not forward.');
  // Every segment after the leading slash must be non-empty and not a dot segment.
  let start = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 0x2f) {
      const len = i - start;
      if (i < path.length && len === 0) return bad('The request path contains an empty segment.');
      if ((len === 1 && path.charCodeAt(start) === 0x2e) || (len === 2 && path.charCodeAt(start) === 0x2e && path.charCodeAt(start + 1) === 0x2e)) {
        return bad('The request path contains a dot segment.');
      }
      start = i + 1;
    }
  }
  const local = LOCAL[path];
  if (local !== undefined) return { kind: 'local', name: local };
  let rest: string;
  if (basePath === '') rest = path;
  else if (path === basePath) rest = '';
  else if (path.startsWith(basePath) && path.charCodeAt(basePath.length) === 0x2f) rest = path.slice(basePath.length);
  else return { kind: 'reject', status: 404, code: 'unknown_url', message: `Unknown path: the proxy forwards paths under ${basePath}/.` };
  const upstreamPath = upstreamBasePath + rest || '/';
  return { kind: 'forward', path: upstreamPath + query, call: operationOfPath(upstreamPath) };
}
