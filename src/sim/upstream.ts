/**
 * A simulated OpenAI-compatible upstream on 127.0.0.1, speaking the exact wire
 * format: JSON (optionally gzip / br / deflate), SSE with `usage: null` on
 * every chunk and a final usage-only chunk when include_usage is asked,
 * `[DONE]`, JSON error bodies, and scripted faults (HTML error pages,
 * truncated JSON, resets before headers and mid-stream, stalls).
 *
 * Used by the demo (with random latency and occasional 429/500) and by the
 * tests (deterministic, scenario per request). A scenario is chosen by the
 * `x-fake-scenario` request header, or else by the model name when it is a
 * scenario name, or else by the `defaultScenario` option.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { handleExtraRoute, isExtraRoute } from './extra-routes.js';

export type Scenario =
  | 'ok'
  | 'no-usage' // stream without a usage chunk even when asked; JSON without usage
  | 'cached' // usage with cached and reasoning tokens
  | 'deepseek-usage' // DeepSeek usage shape (prompt_cache_hit_tokens / miss)
  | 'rate-limit' // 429 JSON error
  | 'server-error' // 500 JSON error
  | 'html-502' // 502 with an HTML page
  | 'html-200' // 200 with an HTML body
  | 'truncated-json' // 200 JSON cut in half
  | 'reset-before-headers'
  | 'reset-mid-stream'
  | 'stall' // headers then nothing until the client goes away
  | 'error-event'; // SSE that sends an error object mid-stream

export interface UpstreamOptions {
  /** Delay before headers, ms (or a function for random latency). */
  latencyMs?: number | (() => number);
  /** Delay between stream chunks, ms. */
  chunkDelayMs?: number;
  /** Number of content chunks in a stream (default 10). */
  chunks?: number;
  /** Compress JSON bodies with this encoding when the client accepts it. */
  compress?: 'gzip' | 'br' | 'deflate' | 'none';
  /** Probability of a 429 / 500 answer (demo). */
  rateLimitRate?: number;
  serverErrorRate?: number;
  defaultScenario?: Scenario;
  /** Embedding dimensions (default 8). */
  dimensions?: number;
  port?: number;
  host?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface FakeUpstream {
  url: string;
  /** Base URL ending in /v1. */
  baseURL: string;
  port: number;
  requests: RecordedRequest[];
  /** Counters of requests by status, for the demo summary. */
  close(): Promise<void>;
}

const SCENARIOS = new Set<Scenario>([
  'ok',
  'no-usage',
  'cached',
  'deepseek-usage',
  'rate-limit',
  'server-error',
  'html-502',
  'html-200',
  'truncated-json',
  'reset-before-headers',
  'reset-mid-stream',
  'stall',
  'error-event',
]);

export const REPLY_WORDS = ['The', 'quick', 'brown', 'fox', 'jumps', 'over', 'the', 'lazy', 'dog', 'again', 'and', 'again'];

/** Deterministic prompt token count used by the simulator: one token per 4 characters of message content. */
export function simulatedPromptTokens(body: Record<string, unknown>): number {
  let chars = 0;
  const msgs = body.messages;
  if (Array.isArray(msgs)) for (const m of msgs) chars += String((m as { content?: unknown }).content ?? '').length;
  const input = body.input ?? body.prompt;
  if (typeof input === 'string') chars += input.length;
  else if (Array.isArray(input)) for (const x of input) chars += String(x).length;
  return Math.max(1, Math.ceil(chars / 4));
}

function usageFor(scenario: Scenario, prompt: number, completion: number): Record<string, unknown> {
  if (scenario === 'deepseek-usage') {
    const hit = Math.floor(prompt / 2);
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_cache_hit_tokens: hit,
      prompt_cache_miss_tokens: prompt - hit,
    };
  }
  const cached = scenario === 'cached' ? Math.floor(prompt / 2) : 0;
  const reasoning = scenario === 'cached' ? Math.floor(completion / 2) : 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, obj: unknown, compress: UpstreamOptions['compress']): void {
  let body: Buffer = Buffer.from(JSON.stringify(obj));
  const accept = String(req.headers['accept-encoding'] ?? '');
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'x-request-id': `req_${Math.random().toString(36).slice(2, 10)}`,
    'openai-processing-ms': 12,
  };
  if (compress !== undefined && compress !== 'none' && accept.includes(compress)) {
    body = compress === 'gzip' ? gzipSync(body) : compress === 'br' ? brotliCompressSync(body) : deflateSync(body);
    headers['content-encoding'] = compress;
  }
  headers['content-length'] = body.length;
  res.writeHead(status, headers);
  res.end(body);
}

function errorBody(status: number): unknown {
  if (status === 429) {
    return { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  }
  return { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } };
}

export async function startFakeUpstream(opts: UpstreamOptions = {}): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body: raw });
    let body: Record<string, unknown> = {};
    try {
      body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      sendJson(req, res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error', param: null, code: null } }, 'none');
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'gpt-4.1';
    const hdr = req.headers['x-fake-scenario'];
    let scenario: Scenario = opts.defaultScenario ?? 'ok';
    if (typeof hdr === 'string' && SCENARIOS.has(hdr as Scenario)) scenario = hdr as Scenario;
    else if (SCENARIOS.has(model as Scenario)) scenario = model as Scenario;
    if (scenario === 'ok') {
      const r = Math.random();
      if (r < (opts.rateLimitRate ?? 0)) scenario = 'rate-limit';
      else if (r < (opts.rateLimitRate ?? 0) + (opts.serverErrorRate ?? 0)) scenario = 'server-error';
    }
    const latency = typeof opts.latencyMs === 'function' ? opts.latencyMs() : opts.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);

    if (scenario === 'reset-before-headers') {
      req.socket.destroy();
      return;
    }
    if (isExtraRoute(path)) return handleExtraRoute(path, req, res, body, scenario, opts, requests.length);
    if (scenario === 'rate-limit' || scenario === 'server-error') {
      const status = scenario === 'rate-limit' ? 429 : 500;
      sendJson(req, res, status, errorBody(status), opts.compress);
      return;
    }
    if (scenario === 'html-502' || scenario === 'html-200') {
      const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n';
      res.writeHead(scenario === 'html-502' ? 502 : 200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
      res.end(html);
      return;
    }
    const id = `chatcmpl-${(++seq).toString().padStart(6, '0')}`;
    const created = 1764374400;
    const prompt = simulatedPromptTokens(body);
    const nChunks = opts.chunks ?? 10;
    const words = Array.from({ length: nChunks }, (_, i) => REPLY_WORDS[i % REPLY_WORDS.length]!);
    const completion = words.length;

    if (path.endsWith('/embeddings')) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const dims = opts.dimensions ?? 8;
      const data = inputs.map((_, index) => {
        const vec = Array.from({ length: dims }, (_, j) => Math.round(Math.sin(index + j) * 1e6) / 1e6);
        const embedding =
          body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
        return { object: 'embedding', index, embedding };
      });
      sendJson(req, res, 200, { object: 'list', data, model, usage: { prompt_tokens: prompt, total_tokens: prompt } }, opts.compress);
      return;
    }

    const legacy = path.endsWith('/completions') && !path.endsWith('/chat/completions');
    const usage = usageFor(scenario, prompt, completion);
    if (body.stream === true) {
      const includeUsage =
        scenario !== 'no-usage' &&
        typeof body.stream_options === 'object' &&
        body.stream_options !== null &&
        (body.stream_options as { include_usage?: unknown }).include_usage === true;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      if (scenario === 'stall') return; // never send anything; the client must give up
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string => {
        const obj: Record<string, unknown> = legacy
          ? { id, object: 'text_completion', created, model, choices, ...extra }
          : { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_sim', choices, ...extra };
        if (includeUsage && !('usage' in obj)) obj.usage = null;
        return `data: ${JSON.stringify(obj)}\n\n`;
      };
      const delta = (i: number, content: string) =>
        legacy
          ? { index: 0, text: content, logprobs: null, finish_reason: null }
          : { index: 0, delta: i === 0 ? { role: 'assistant', content, refusal: null } : { content }, logprobs: null, finish_reason: null };
      for (let i = 0; i < words.length; i++) {
        if (res.destroyed) return;
        res.write(chunk([delta(i, (i === 0 ? '' : ' ') + words[i])]));
        if (scenario === 'reset-mid-stream' && i === Math.floor(words.length / 2)) {
          await sleep(5);
          req.socket.destroy();
          return;
        }
        if (scenario === 'error-event' && i === Math.floor(words.length / 2)) {
          res.write(`data: ${JSON.stringify({ error: { message: 'upstream overloaded', type: 'server_error', code: null } })}\n\n`);
          res.end();
          return;
        }
        if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
      }
      const last = legacy
        ? { index: 0, text: '', logprobs: null, finish_reason: 'stop' }
        : { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' };
      res.write(chunk([last]));
      if (includeUsage) res.write(chunk([], { usage }));
      res.end('data: [DONE]\n\n');
      return;
    }

    const content = words.join(' ');
    const response: Record<string, unknown> = legacy
      ? {
          id,
          object: 'text_completion',
          created,
          model,
          choices: [{ text: content, index: 0, logprobs: null, finish_reason: 'stop' }],
        }
      : {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content, refusal: null, annotations: [] },
              logprobs: null,
              finish_reason: 'stop',
            },
          ],
          service_tier: 'default',
          system_fingerprint: 'fp_sim',
        };
    if (scenario !== 'no-usage') response.usage = usage;
    if (scenario === 'truncated-json') {
      const text = JSON.stringify(response);
      const cut = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cut) });
      res.end(cut);
      return;
    }
    sendJson(req, res, 200, response, opts.compress);
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
