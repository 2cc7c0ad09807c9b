/**
 * `aimon proxy` configuration: flags, then environment, then a config file
 * (JSON or YAML), then defaults. Resolved once into a frozen object. Unlike
 * the in-process library, a command that is started with a bad setting must
 * refuse to start with a message saying which setting and why: a proxy that
 * silently falls back could end up open or pointed at the wrong place.
 * Pure: file reading is injected.
 */
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';

export type AuthMode = 'passthrough' | 'token';

export interface ProxyConfig {
  /** The one upstream, e.g. https://api.holysheep.ai/v1 (no query, no fragment, no credentials). */
  readonly upstream: URL;
  /** Upstream path without a trailing slash ('' for none), prepended to every forwarded path. */
  readonly upstreamBasePath: string;
  /** Path prefix clients use on the proxy (default: the upstream's path, so `/v1/...` maps to `/v1/...`). */
  readonly basePath: string;
  readonly host: string;
  readonly port: number;
  readonly auth: AuthMode;
  /** Server-side key used upstream in token mode (HOLYSHEEP_API_KEY). */
  readonly apiKey: string | undefined;
  /** Proxy tokens clients present in token mode. */
  readonly tokens: readonly string[];
  /** gen_ai.provider.name reported for the upstream (default: known host's value, else `openai`). */
  readonly provider: string | undefined;
  /** Total deadline per request, from receipt to the end of the response body. */
  readonly timeoutMs: number;
  /** Largest request body accepted. */
  readonly maxBodyBytes: number;
  /** How long shutdown waits for requests in flight. */
  readonly drainTimeoutMs: number;
  /** Readiness: an upstream answer younger than this counts as "upstream answers". */
  readonly readyTtlMs: number;
}

export class ProxyConfigError extends Error {
  override name = 'ProxyConfigError';
}

type Env = Record<string, string | undefined>;

export interface ConfigSources {
  argv: readonly string[];
  env: Env;
  /** Reads a file as UTF-8 text (config file, token file, key file). */
  readFile(path: string): string;
}

/** Keys of the config file, their flags and env variables. Secrets have no flag: argv is visible to every user of the host. */
const SETTINGS = {
  upstream: { flag: '--upstream', env: 'AIMON_PROXY_UPSTREAM' },
  listen: { flag: '--listen', env: 'AIMON_PROXY_LISTEN' },
  basePath: { flag: '--base-path', env: 'AIMON_PROXY_BASE_PATH' },
  auth: { flag: '--auth', env: 'AIMON_PROXY_AUTH' },
  provider: { flag: '--provider', env: 'AIMON_PROXY_PROVIDER' },
  timeoutMs: { flag: '--timeout-ms', env: 'AIMON_PROXY_TIMEOUT_MS' },
  maxBodyBytes: { flag: '--max-body-bytes', env: 'AIMON_PROXY_MAX_BODY_BYTES' },
  drainTimeoutMs: { flag: '--drain-timeout-ms', env: 'AIMON_PROXY_DRAIN_TIMEOUT_MS' },
  readyTtlMs: { flag: '--ready-ttl-ms', env: 'AIMON_PROXY_READY_TTL_MS' },
  tokensFile: { flag: '--tokens-file', env: 'AIMON_PROXY_TOKENS_FILE' },
  apiKeyFile: { flag: '--api-key-file', env: 'AIMON_PROXY_API_KEY_FILE' },
  tokens: { flag: undefined, env: 'AIMON_PROXY_TOKENS' },
} as const;
type SettingName = keyof typeof SETTINGS;

export const PROXY_USAGE = `Usage: aimon proxy --upstream <url> [options]

An OpenAI-compatible gateway that forwards to one upstream and records the
same GenAI spans and metrics as the in-process instrumentation.

Options (flag / environment variable / config file key):
  --upstream <url>          AIMON_PROXY_UPSTREAM          upstream       e.g. https://api.holysheep.ai/v1
  --listen <host:port>      AIMON_PROXY_LISTEN            listen         default 127.0.0.1:8080
  --base-path <path>        AIMON_PROXY_BASE_PATH         basePath       default: the upstream's path
  --auth <mode>             AIMON_PROXY_AUTH              auth           passthrough | token
  --provider <name>         AIMON_PROXY_PROVIDER          provider       gen_ai.provider.name
  --timeout-ms <ms>         AIMON_PROXY_TIMEOUT_MS        timeoutMs      total deadline, default 600000
  --max-body-bytes <n>      AIMON_PROXY_MAX_BODY_BYTES    maxBodyBytes   default 33554432 (32 MiB)
  --drain-timeout-ms <ms>   AIMON_PROXY_DRAIN_TIMEOUT_MS  drainTimeoutMs default 30000
  --ready-ttl-ms <ms>       AIMON_PROXY_READY_TTL_MS      readyTtlMs     default 30000
  --tokens-file <path>      AIMON_PROXY_TOKENS_FILE       tokensFile     one proxy token per line
                            AIMON_PROXY_TOKENS            tokens         comma-separated (file: a list)
  --api-key-file <path>     AIMON_PROXY_API_KEY_FILE      apiKeyFile     server-side key (else HOLYSHEEP_API_KEY)
  --config <path>           AIMON_PROXY_CONFIG                           JSON or YAML file with the keys above
  -h, --help

Precedence: flags, then environment, then the config file. Telemetry exporters
follow the standard OTEL_* variables; /metrics and /health are served on the
proxy's own listener.`;

const DEFAULTS = {
  listen: '127.0.0.1:8080',
  timeoutMs: 600_000,
  maxBodyBytes: 32 << 20,
  drainTimeoutMs: 30_000,
  readyTtlMs: 30_000,
};

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1') return true;
  return h.startsWith('::ffff:127.');
}

/** `host:port`, `[v6]:port`, `:port` or `port`. */
export function parseListen(raw: string): { host: string; port: number } {
  const s = raw.trim();
  let host = '127.0.0.1';
  let portStr = s;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (m !== null) {
    host = m[1]!;
    portStr = m[2]!;
  } else if (s.includes(':')) {
    const i = s.lastIndexOf(':');
    if (s.indexOf(':') !== i) throw new ProxyConfigError(`listen "${raw}": write an IPv6 address as [addr]:port`);
    host = s.slice(0, i) || '0.0.0.0';
    portStr = s.slice(i + 1);
  }
  const port = Number(portStr);
  if (!/^\d+$/.test(portStr) || port > 65535) throw new ProxyConfigError(`listen "${raw}": the port must be an integer in [0, 65535]`);
  if (host !== 'localhost' && isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) throw new ProxyConfigError(`listen "${raw}": invalid host`);
  return { host, port };
}

function parseUpstream(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ProxyConfigError(`upstream "${raw}" is not a URL (expected e.g. https://api.holysheep.ai/v1)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ProxyConfigError(`upstream "${raw}": only http and https are supported`);
  if (u.username !== '' || u.password !== '') throw new ProxyConfigError('upstream must not carry credentials; use HOLYSHEEP_API_KEY');
  if (u.search !== '' || u.hash !== '') throw new ProxyConfigError(`upstream "${raw}" must not have a query or fragment`);
  return u;
}

function normalizeBasePath(raw: string, what: string): string {
  const p = raw.trim().replace(/\/+$/, '');
  if (p === '') return '';
  if (!/^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/.test(p) || /\/\.\.?(\/|$)/.test(p)) {
    throw new ProxyConfigError(`${what} "${raw}" must be a plain absolute path such as /v1`);
  }
  return p;
}

function int(raw: unknown, name: string, min: number, max: number): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || n < min || n > max || (typeof raw === 'string' && raw.trim() === '')) {
    throw new ProxyConfigError(`${name}="${String(raw)}" is not an integer in [${min}, ${max}]`);
  }
  return n;
}

function parseArgv(argv: readonly string[]): { values: Partial<Record<SettingName | 'config', string>>; help: boolean } {
  const byFlag = new Map<string, SettingName | 'config'>([['--config', 'config']]);
  for (const [k, v] of Object.entries(SETTINGS)) if (v.flag !== undefined) byFlag.set(v.flag, k as SettingName);
  const values: Partial<Record<SettingName | 'config', string>> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const name = byFlag.get(flag);
    if (name === undefined) {
      if (arg === '--api-key' || arg === '--tokens') {
        throw new ProxyConfigError(`${arg} is not accepted on the command line (visible to every user of the host); use ${arg === '--api-key' ? 'HOLYSHEEP_API_KEY or --api-key-file' : 'AIMON_PROXY_TOKENS or --tokens-file'}`);
      }
      throw new ProxyConfigError(`unknown argument "${arg}"`);
    }
    let value: string | undefined;
    if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw new ProxyConfigError(`${flag} needs a value`);
    values[name] = value;
  }
  return { values, help };
}

function tokenList(raw: unknown, what: string): string[] {
  const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(/[,\n]/);
  const out = items.map((t) => t.trim()).filter((t) => t !== '' && !t.startsWith('#'));
  for (const t of out) {
    if (t.length < 16 || /\s/.test(t)) throw new ProxyConfigError(`${what}: proxy tokens must be at least 16 characters without spaces`);
  }
  return out;
}

export interface ResolvedProxyConfig {
  config: ProxyConfig | undefined;
  /** Set when --help was asked. */
  help: boolean;
}

export function resolveProxyConfig(src: ConfigSources): ResolvedProxyConfig {
  const { values: flags, help } = parseArgv(src.argv);
  if (help) return { config: undefined, help: true };
  const env = src.env;
  let file: Record<string, unknown> = {};
  const configPath = flags.config ?? (env.AIMON_PROXY_CONFIG?.trim() || undefined);
  if (configPath !== undefined) {
    let text: string;
    try {
      text = src.readFile(configPath);
    } catch (err) {
      throw new ProxyConfigError(`cannot read config file ${configPath}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text); // YAML is a superset of JSON
    } catch (err) {
      throw new ProxyConfigError(`config file ${configPath} is not valid JSON or YAML: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ProxyConfigError(`config file ${configPath} must hold a mapping of settings`);
      file = parsed as Record<string, unknown>;
      const known = new Set<string>(Object.keys(SETTINGS));
      for (const k of Object.keys(file)) if (!known.has(k)) throw new ProxyConfigError(`config file ${configPath}: unknown key "${k}"`);
    }
  }
  const get = (name: SettingName): { value: unknown; from: string } | undefined => {
    const s = SETTINGS[name];
    const f = flags[name];
    if (f !== undefined) return { value: f, from: s.flag ?? name };
    const e = env[s.env];
    if (e !== undefined && e.trim() !== '') return { value: e, from: s.env };
    if (file[name] !== undefined && file[name] !== null) return { value: file[name], from: `${configPath}: ${name}` };
    return undefined;
  };
  const num = (name: 'timeoutMs' | 'maxBodyBytes' | 'drainTimeoutMs' | 'readyTtlMs', min: number, max: number): number => {
    const v = get(name);
    return v === undefined ? DEFAULTS[name] : int(v.value, v.from, min, max);
  };

  const up = get('upstream');
  if (up === undefined) throw new ProxyConfigError('no upstream: pass --upstream https://api.holysheep.ai/v1 (or AIMON_PROXY_UPSTREAM)');
  const upstream = parseUpstream(String(up.value));
  const upstreamBasePath = normalizeBasePath(upstream.pathname, 'upstream path');
  const bp = get('basePath');
  const basePath = bp === undefined ? upstreamBasePath : normalizeBasePath(String(bp.value), bp.from);
  const listen = get('listen');
  const { host, port } = parseListen(listen === undefined ? DEFAULTS.listen : String(listen.value));

  const readSecretFile = (path: string, what: string): string => {
    try {
      return src.readFile(path);
    } catch (err) {
      throw new ProxyConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`);
    }
  };
  const keyFile = get('apiKeyFile');
  const rawKey = keyFile !== undefined ? readSecretFile(String(keyFile.value), 'the API key file') : env.HOLYSHEEP_API_KEY;
  const apiKey = rawKey !== undefined && rawKey.trim() !== '' ? rawKey.trim() : undefined;
  const tokens: string[] = [];
  const tf = get('tokensFile');
  if (tf !== undefined) tokens.push(...tokenList(readSecretFile(String(tf.value), 'the tokens file'), String(tf.value)));
  const tl = get('tokens');
  if (tl !== undefined) tokens.push(...tokenList(tl.value, tl.from));

  const am = get('auth');
  let auth: AuthMode;
  if (am !== undefined) {
    const v = String(am.value).trim().toLowerCase();
    if (v !== 'passthrough' && v !== 'token') throw new ProxyConfigError(`${am.from}="${String(am.value)}": expected passthrough or token`);
    auth = v;
  } else {
    auth = apiKey !== undefined ? 'token' : 'passthrough';
  }
  if (auth === 'token') {
    if (apiKey === undefined) throw new ProxyConfigError('auth=token needs a server-side key: set HOLYSHEEP_API_KEY (or --api-key-file)');
    if (tokens.length === 0) {
      throw new ProxyConfigError('a server-side key is configured, so clients must present a proxy token: set AIMON_PROXY_TOKENS or --tokens-file (or choose --auth passthrough)');
    }
  }
  if (!isLoopback(host) && auth === 'passthrough' && am === undefined) {
    throw new ProxyConfigError(
      `refusing to listen on ${host}, which is not a loopback address, without an explicit auth mode: ` +
        'either configure a server-side key and proxy tokens (HOLYSHEEP_API_KEY + AIMON_PROXY_TOKENS), ' +
        "or pass --auth passthrough to forward each client's own key",
    );
  }
  const pv = get('provider');
  let provider: string | undefined;
  if (pv !== undefined) {
    provider = String(pv.value).trim();
    if (!/^[a-z0-9_.-]{1,64}$/i.test(provider)) throw new ProxyConfigError(`${pv.from}="${provider}" is not a valid provider name`);
  }

  const config: ProxyConfig = Object.freeze({
    upstream,
    upstreamBasePath,
    basePath,
    host,
    port,
    auth,
    apiKey: auth === 'token' ? apiKey : undefined,
    tokens: Object.freeze(auth === 'token' ? tokens : []),
    provider,
    timeoutMs: num('timeoutMs', 1, 86_400_000),
    maxBodyBytes: num('maxBodyBytes', 1, 1 << 30),
    drainTimeoutMs: num('drainTimeoutMs', 0, 3_600_000),
    readyTtlMs: num('readyTtlMs', 1, 86_400_000),
  });
  return { config, help: false };
}
