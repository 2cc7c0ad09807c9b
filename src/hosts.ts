/**
 * Which URLs are LLM calls, and what they are. Pure.
 *
 * An endpoint is a host (optionally with a port) and an optional path prefix,
 * with the provider name we report for it. A URL matches when its host matches
 * and its path (under the prefix, if any) ends with an operation path.
 */
import type { Operation, ProtocolName } from './types.js';

export interface Endpoint {
  /** Lower-case host name, or `*.suffix` for a wildcard. */
  host: string;
  port?: number;
  /** Path prefix without a trailing slash ('' for none), e.g. '/openai/v1'. */
  pathPrefix: string;
  /** gen_ai.provider.name reported for this endpoint. */
  provider: string;
}

/** Shared between the exchanges of one URL (HostMatcher caches it): never mutated. */
export interface Target {
  readonly endpoint: Endpoint;
  readonly operation: Operation;
  readonly protocol: ProtocolName;
  readonly url: URL;
  readonly serverAddress: string;
  readonly serverPort: number;
}

/**
 * Default endpoints: HolySheep first, then well-known OpenAI-compatible hosts.
 * Provider values follow the conventions' well-known list where one exists;
 * a gateway reports its own name, as the conventions allow.
 */
export const DEFAULT_ENDPOINTS: readonly Endpoint[] = Object.freeze([
  { host: 'api.holysheep.ai', pathPrefix: '', provider: 'holysheep' },
  { host: 'api.openai.com', pathPrefix: '', provider: 'openai' },
  { host: 'api.anthropic.com', pathPrefix: '', provider: 'anthropic' },
  { host: 'api.deepseek.com', pathPrefix: '', provider: 'deepseek' },
  { host: 'api.groq.com', pathPrefix: '', provider: 'groq' },
  { host: 'api.mistral.ai', pathPrefix: '', provider: 'mistral_ai' },
  { host: 'api.x.ai', pathPrefix: '', provider: 'x_ai' },
  { host: 'api.perplexity.ai', pathPrefix: '', provider: 'perplexity' },
  { host: 'openrouter.ai', pathPrefix: '/api/v1', provider: 'openrouter' },
  { host: 'generativelanguage.googleapis.com', pathPrefix: '', provider: 'gcp.gemini' },
  { host: '*.openai.azure.com', pathPrefix: '', provider: 'azure.ai.openai' },
]);

const OPERATION_SUFFIXES: ReadonlyArray<[string, Operation, ProtocolName]> = [
  ['/chat/completions', 'chat', 'openai'],
  ['/embeddings', 'embeddings', 'openai'],
  ['/completions', 'text_completion', 'openai'],
];

/** Paths served by protocols that are registered (see protocols.ts); filled at start-up. */
const extraSuffixes: Array<[string, Operation, ProtocolName]> = [];

/** Adds an operation path (used when a protocol module is registered). */
export function registerOperationPath(suffix: string, operation: Operation, protocol: ProtocolName): void {
  if (!extraSuffixes.some(([s]) => s === suffix)) extraSuffixes.push([suffix, operation, protocol]);
}

/** Operation and wire protocol named by the end of a path, if any. */
export function operationOfPath(path: string): { operation: Operation; protocol: ProtocolName } | undefined {
  for (const [suffix, operation, protocol] of OPERATION_SUFFIXES) if (path.endsWith(suffix)) return { operation, protocol };
  for (const [suffix, operation, protocol] of extraSuffixes) if (path.endsWith(suffix)) return { operation, protocol };
  return undefined;
}

/**
 * Parses one endpoint entry: `host`, `host:port`, `host/path/prefix`, or a
 * full `https://host:port/path` URL, each optionally followed by `=provider`.
 * Throws with a message naming the entry when it is malformed (config
 * resolution turns that into a warning).
 */
export function parseEndpoint(entry: string, defaultProvider = 'openai'): Endpoint {
  let spec = entry.trim();
  let provider = defaultProvider;
  const eq = spec.lastIndexOf('=');
  if (eq >= 0) {
    provider = spec.slice(eq + 1).trim();
    spec = spec.slice(0, eq).trim();
    if (!/^[a-z0-9_.-]{1,64}$/i.test(provider)) throw new Error(`invalid provider in host entry "${entry}"`);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) spec = `https://${spec}`;
  let u: URL;
  try {
    u = new URL(spec.replace('://*.', '://wildcard-placeholder.'));
  } catch {
    throw new Error(`invalid host entry "${entry}"`);
  }
  if (spec === '' || u.hostname === '') throw new Error(`invalid host entry "${entry}"`);
  if (u.search || u.hash || u.username || u.password) throw new Error(`host entry "${entry}" must not have a query, fragment or credentials`);
  const host = u.hostname.replace(/^wildcard-placeholder\./, '*.').toLowerCase();
  const ep: Endpoint = { host, pathPrefix: u.pathname.replace(/\/+$/, ''), provider };
  if (u.port !== '') ep.port = Number(u.port);
  // URL drops a port equal to the scheme's default; the entry still asked for that port only.
  else if (EXPLICIT_PORT.test(spec)) ep.port = u.protocol === 'http:' ? 80 : 443;
  return ep;
}

/** scheme://[userinfo@]host:port — the authority ends in a port. */
const EXPLICIT_PORT = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):\d+(?:[/?#]|$)/i;

/** Host part of an absolute URL string without allocating a URL object. */
function hostOf(url: string): string | undefined {
  const s = url.indexOf('://');
  if (s < 0) return undefined;
  let e = s + 3;
  while (e < url.length) {
    const c = url.charCodeAt(e);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    e++;
  }
  let host = url.slice(s + 3, e);
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  return host.toLowerCase();
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const b = host.indexOf(']');
    return b > 0 ? host.slice(0, b + 1) : host;
  }
  const c = host.lastIndexOf(':');
  return c >= 0 ? host.slice(0, c) : host;
}

export class HostMatcher {
  private readonly exact = new Map<string, Endpoint[]>();
  private readonly wildcards: Endpoint[] = [];
  /** Resolved targets of LLM-host URLs (null: an LLM host, but not an operation we record). Targets are never mutated. */
  private readonly cache = new Map<string, Target | null>();

  constructor(readonly endpoints: readonly Endpoint[]) {
    for (const ep of endpoints) {
      if (ep.host.startsWith('*.')) {
        this.wildcards.push(ep);
        continue;
      }
      const list = this.exact.get(ep.host) ?? [];
      list.push(ep);
      // Longest prefix first, so a specific gateway path wins over a bare host.
      list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
      this.exact.set(ep.host, list);
    }
  }

  /** The target of a fetch() input when it is an LLM call we instrument; otherwise undefined. Cheap for other hosts. */
  match(input: unknown): Target | undefined {
    let href: string;
    if (typeof input === 'string') href = input;
    else if (input instanceof URL) href = input.href;
    else if (input !== null && typeof input === 'object' && typeof (input as { url?: unknown }).url === 'string') {
      href = (input as { url: string }).url;
    } else return undefined;
    const cached = this.cache.get(href);
    if (cached !== undefined) return cached ?? undefined;
    const hostport = hostOf(href);
    if (hostport === undefined) return undefined;
    const hostname = stripPort(hostport);
    let candidates = this.exact.get(hostname);
    if (candidates === undefined) {
      for (const w of this.wildcards) {
        if (hostname.endsWith(w.host.slice(1))) {
          candidates = [w];
          break;
        }
      }
      if (candidates === undefined) return undefined;
    }
    const target = this.resolve(href, candidates);
    // Apps call the same few URLs again and again: an LLM host's URLs are
    // resolved once (bounded; the cache starts over when full).
    if (this.cache.size >= 512) this.cache.clear();
    this.cache.set(href, target ?? null);
    return target;
  }

  private resolve(href: string, candidates: readonly Endpoint[]): Target | undefined {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return undefined;
    }
    const defaultPort = url.protocol === 'http:' ? 80 : 443;
    const port = url.port === '' ? defaultPort : Number(url.port);
    const path = url.pathname;
    for (const ep of candidates) {
      if (ep.port !== undefined && ep.port !== port) continue;
      if (ep.pathPrefix !== '' && !(path.startsWith(ep.pathPrefix) && path.charCodeAt(ep.pathPrefix.length) === 0x2f)) {
        continue;
      }
      const op = operationOfPath(path);
      if (op === undefined) return undefined;
      return { endpoint: ep, operation: op.operation, protocol: op.protocol, url, serverAddress: url.hostname, serverPort: port };
    }
    return undefined;
  }
}
