/**
 * Extra routes of the simulated upstream: Anthropic Messages (`/v1/messages`)
 * and OpenAI Responses (`/v1/responses`), JSON and SSE, in their exact wire
 * formats. Deterministic token counts, so tests can assert hand-computed
 * numbers:
 *
 * - Anthropic: input_tokens = ceil(chars of system + message text / 4) (at
 *   least 1), output_tokens = number of reply words. Scenario `cached` adds
 *   cache_read_input_tokens 1000 and cache_creation_input_tokens 200, which
 *   Anthropic counts outside input_tokens; its stream's message_delta repeats
 *   every counter cumulatively, as the current API does. Other scenarios send
 *   zero cache counters, and message_delta with output_tokens only.
 * - Responses: input_tokens = ceil(chars of instructions + input text / 4),
 *   output_tokens = words; scenario `cached` reports cached_tokens =
 *   floor(input / 2) and reasoning_tokens = floor(output / 2), both inside
 *   the totals as OpenAI counts them. max_output_tokens below the word count
 *   makes the response `incomplete` (reason max_output_tokens).
 *
 * Scenarios honoured: ok, cached, rate-limit, server-error, error-event,
 * reset-mid-stream; others behave as ok.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REPLY_WORDS, type Scenario, type UpstreamOptions } from './upstream.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const ANTHROPIC_CACHE_READ = 1000;
export const ANTHROPIC_CACHE_CREATION = 200;

/** True when the path is served here rather than by the OpenAI-compatible routes. */
export function isExtraRoute(path: string): boolean {
  return path.endsWith('/v1/messages') || path.endsWith('/responses');
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(textOf).join('');
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if (o.content !== undefined) return textOf(o.content);
  }
  return '';
}

/** Deterministic prompt tokens: one per 4 characters of instruction and message text. */
export function extraPromptTokens(body: Record<string, unknown>): number {
  const chars = textOf(body.system).length + textOf(body.instructions).length + textOf(body.messages).length + textOf(body.input).length;
  return Math.max(1, Math.ceil(chars / 4));
}

function json(res: ServerResponse, status: number, obj: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
  res.end(body);
}

function sseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
}

const event = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

export async function handleExtraRoute(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, unknown>,
  scenario: Scenario,
  opts: UpstreamOptions,
  seq: number,
): Promise<void> {
  if (path.endsWith('/v1/messages')) return anthropic(req, res, body, scenario, opts, seq);
  return responses(req, res, body, scenario, opts, seq);
}

function words(opts: UpstreamOptions): string[] {
  const n = opts.chunks ?? 10;
  return Array.from({ length: n }, (_, i) => (i === 0 ? '' : ' ') + REPLY_WORDS[i % REPLY_WORDS.length]!);
}

// --- Anthropic Messages ---

async function anthropic(
  req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, unknown>,
  scenario: Scenario,
  opts: UpstreamOptions,
  seq: number,
): Promise<void> {
  const reqId = { 'request-id': `req_sim${seq.toString().padStart(6, '0')}` };
  if (scenario === 'rate-limit' || scenario === 'server-error') {
    const status = scenario === 'rate-limit' ? 429 : 529;
    const type = scenario === 'rate-limit' ? 'rate_limit_error' : 'overloaded_error';
    json(res, status, { type: 'error', error: { type, message: 'simulated' }, request_id: reqId['request-id'] }, reqId);
    return;
  }
  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
  const id = `msg_sim${seq.toString().padStart(6, '0')}`;
  const input = extraPromptTokens(body);
  const cached = scenario === 'cached';
  const cacheRead = cached ? ANTHROPIC_CACHE_READ : 0;
  const cacheCreation = cached ? ANTHROPIC_CACHE_CREATION : 0;
  let ws = words(opts);
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : Infinity;
  const stopReason = ws.length > maxTokens ? 'max_tokens' : 'end_turn';
  if (ws.length > maxTokens) ws = ws.slice(0, maxTokens);
  const usage = (output: number) => ({
    input_tokens: input,
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: cacheCreation, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: 'standard',
  });

  if (body.stream !== true) {
    json(
      res,
      200,
      {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: ws.join('') }],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: usage(ws.length),
      },
      reqId,
    );
    return;
  }
  sseHead(res);
  res.write(
    event('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) },
    }),
  );
  res.write(event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  res.write(event('ping', { type: 'ping' }));
  for (let i = 0; i < ws.length; i++) {
    if (res.destroyed) return;
    res.write(event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ws[i] } }));
    if (i === Math.floor(ws.length / 2)) {
      if (scenario === 'error-event') {
        res.end(event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
        return;
      }
      if (scenario === 'reset-mid-stream') {
        await sleep(5);
        req.socket.destroy();
        return;
      }
    }
    if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
  }
  res.write(event('content_block_stop', { type: 'content_block_stop', index: 0 }));
  const deltaUsage = cached
    ? { input_tokens: input, cache_creation_input_tokens: cacheCreation, cache_read_input_tokens: cacheRead, output_tokens: ws.length }
    : { output_tokens: ws.length };
  res.write(event('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: deltaUsage }));
  res.end(event('message_stop', { type: 'message_stop' }));
}

// --- OpenAI Responses ---

async function responses(
  req: IncomingMessage,
  res: ServerResponse,
  body: Record<string, unknown>,
  scenario: Scenario,
  opts: UpstreamOptions,
  seq: number,
): Promise<void> {
  if (scenario === 'rate-limit' || scenario === 'server-error') {
    const status = scenario === 'rate-limit' ? 429 : 500;
    json(res, status, {
      error: { message: 'simulated', type: status === 429 ? 'requests' : 'server_error', param: null, code: status === 429 ? 'rate_limit_exceeded' : null },
    });
    return;
  }
  const model = typeof body.model === 'string' ? body.model : 'gpt-4.1';
  const id = `resp_sim${seq.toString().padStart(6, '0')}`;
  const msgId = `msg_sim${seq.toString().padStart(6, '0')}`;
  const input = extraPromptTokens(body);
  let ws = words(opts);
  const max = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : Infinity;
  const incomplete = ws.length > max;
  if (incomplete) ws = ws.slice(0, max);
  const output = ws.length;
  const cached = scenario === 'cached';
  const usage = {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached ? Math.floor(input / 2) : 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: cached ? Math.floor(output / 2) : 0 },
    total_tokens: input + output,
  };
  const text = ws.join('');
  const message = (status: string, t: string) => ({
    id: msgId,
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text: t, annotations: [], logprobs: [] }],
  });
  const response = (status: string, extra: Record<string, unknown>) => ({
    id,
    object: 'response',
    created_at: 1764374400,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: Number.isFinite(max) ? max : null,
    model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    store: true,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: 'disabled',
    usage: null,
    metadata: {},
    ...extra,
  });
  const finalStatus = incomplete ? 'incomplete' : 'completed';
  const finalExtra = {
    output: [message(finalStatus, text)],
    usage,
    ...(incomplete ? { incomplete_details: { reason: 'max_output_tokens' } } : {}),
  };

  if (body.stream !== true) {
    json(res, 200, response(finalStatus, finalExtra), { 'x-request-id': `req_sim${seq}` });
    return;
  }
  sseHead(res);
  let n = 0;
  const send = (type: string, data: Record<string, unknown>) => res.write(event(type, { type, sequence_number: n++, ...data }));
  send('response.created', { response: response('in_progress', {}) });
  send('response.in_progress', { response: response('in_progress', {}) });
  send('response.output_item.added', { output_index: 0, item: { ...message('in_progress', ''), content: [] } });
  send('response.content_part.added', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
  for (let i = 0; i < ws.length; i++) {
    if (res.destroyed) return;
    send('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: ws[i], logprobs: [], obfuscation: 'x' });
    if (i === Math.floor(ws.length / 2)) {
      if (scenario === 'error-event') {
        res.end(event('error', { type: 'error', sequence_number: n++, code: 'server_error', message: 'upstream overloaded', param: null }));
        return;
      }
      if (scenario === 'reset-mid-stream') {
        await sleep(5);
        req.socket.destroy();
        return;
      }
    }
    if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
  }
  send('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] });
  send('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [], logprobs: [] } });
  send('response.output_item.done', { output_index: 0, item: message(finalStatus, text) });
  res.end(event(incomplete ? 'response.incomplete' : 'response.completed', {
    type: incomplete ? 'response.incomplete' : 'response.completed',
    sequence_number: n++,
    response: response(finalStatus, finalExtra),
  }));
}
