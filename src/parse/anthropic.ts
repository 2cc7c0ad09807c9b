/**
 * Anthropic Messages wire format (`POST /v1/messages`), as served by
 * api.anthropic.com and by Anthropic-compatible gateways (HolySheep's base
 * https://api.holysheep.ai): request parameters, JSON response summaries,
 * the SSE event stream, and usage normalised to the conventions. Pure: no
 * OTel, no I/O.
 */
import type { Operation, RequestParams, ResponseSummary, Usage } from '../types.js';
import {
  anthropicInputMessages,
  anthropicOutputMessages,
  anthropicSystemInstructions,
  boundedJson,
  contentJson,
  outputFinishReason,
  StreamedMessage,
} from './content.js';
import { commonRequestParams, documentMembers, int, parseSpan, skimObject } from './json-skim.js';
import type { ContentOptions, Protocol, StreamAccumulator } from './protocol.js';
import type { SseEvent } from './sse.js';
import type { EventKind } from './stream.js';

/** Anthropic's raw counters, before normalisation. */
interface RawUsage {
  input?: number;
  cacheRead?: number;
  cacheCreation?: number;
  output?: number;
}

function rawUsageOf(raw: unknown, into: RawUsage = {}): RawUsage {
  if (raw === null || typeof raw !== 'object') return into;
  const u = raw as Record<string, unknown>;
  // Latest non-null value of each counter wins: message_delta repeats them cumulatively.
  into.input = int(u.input_tokens) ?? into.input;
  into.cacheRead = int(u.cache_read_input_tokens) ?? into.cacheRead;
  into.cacheCreation = int(u.cache_creation_input_tokens) ?? into.cacheCreation;
  into.output = int(u.output_tokens) ?? into.output;
  return into;
}

function normalizeRaw(r: RawUsage): Usage | undefined {
  const out: Usage = {};
  // Anthropic counts cache reads and cache writes outside input_tokens; the
  // conventions' input_tokens includes them. Added here, once.
  if (r.input !== undefined) out.inputTokens = r.input + (r.cacheRead ?? 0) + (r.cacheCreation ?? 0);
  if (r.output !== undefined) out.outputTokens = r.output;
  if (r.cacheRead !== undefined) out.cacheReadTokens = r.cacheRead;
  if (r.cacheCreation !== undefined) out.cacheCreationTokens = r.cacheCreation;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Normalises an Anthropic `usage` object: inputTokens = input_tokens +
 * cache_read_input_tokens + cache_creation_input_tokens; cache counters
 * reported as such; output_tokens (which includes thinking) as is.
 * Undefined when no counter is present.
 */
export function normalizeAnthropicUsage(raw: unknown): Usage | undefined {
  return normalizeRaw(rawUsageOf(raw));
}

const REQUEST_KEYS = ['model', 'stream', 'max_tokens', 'temperature', 'top_p', 'stop_sequences', 'system', 'messages'] as const;

function parseRequest(body: string, content: ContentOptions): RequestParams | undefined {
  const f = documentMembers(body, REQUEST_KEYS);
  if (f === undefined) return undefined;
  const get = f.get;
  const out: RequestParams = Object.assign(commonRequestParams(get, ['max_tokens']), { includeUsage: false, hasStreamOptions: false });
  const stop = get('stop_sequences');
  if (Array.isArray(stop) && stop.every((x) => typeof x === 'string')) out.stopSequences = stop as string[];
  if (content.capture) {
    const si = contentJson(anthropicSystemInstructions(get('system'), content.maxBytes), content);
    if (si !== undefined) out.systemInstructions = si;
    const im = contentJson(anthropicInputMessages(get('messages'), content.maxBytes), content);
    if (im !== undefined) out.inputMessages = im;
  }
  return out;
}

const RESPONSE_KEYS = ['id', 'model', 'stop_reason', 'usage', 'content', 'type'] as const;

function summarizeJson(text: string, content: ContentOptions, parsed?: unknown): ResponseSummary {
  const f = documentMembers(text, RESPONSE_KEYS, parsed);
  if (f === undefined) return { unparseable: true };
  const out: ResponseSummary = {};
  const id = f.get('id');
  if (typeof id === 'string') out.id = id;
  const model = f.get('model');
  if (typeof model === 'string') out.model = model;
  const sr = f.get('stop_reason');
  if (typeof sr === 'string') out.finishReasons = [sr];
  const usage = normalizeAnthropicUsage(f.get('usage'));
  if (usage !== undefined) out.usage = usage;
  if (content.capture && f.get('type') === 'message') {
    const msgs = anthropicOutputMessages(f.get('content'), typeof sr === 'string' ? sr : undefined, content.maxBytes);
    out.outputMessages = boundedJson(msgs, content.maxBytes);
  }
  return out;
}

/** Event type: the `event:` field, or the data's `type` member when a gateway sends bare `data:` lines. */
function eventType(ev: SseEvent): string {
  if (ev.type !== 'message') return ev.type;
  const t = parseSpan(ev.data, skimObject(ev.data, ['type'], 0, true)?.found.get('type'));
  return typeof t === 'string' ? t : 'message';
}

/**
 * Summary of an Anthropic SSE stream. Only `message_start`, `message_delta`
 * and `error` are JSON-parsed; `content_block_delta` events (the output
 * chunks, of any delta type) are classified by their event name alone unless
 * content capture is on.
 */
export class AnthropicStream implements StreamAccumulator {
  id: string | undefined;
  model: string | undefined;
  sawEnd = false;
  sawError = false;
  unparseableEvents = 0;
  private raw: RawUsage = {};
  private stopReason: string | undefined;
  private sawStart = false;
  private readonly output: StreamedMessage | undefined;

  constructor(private readonly content: ContentOptions) {
    if (content.capture) this.output = new StreamedMessage(content.maxBytes);
  }

  onEvent(ev: SseEvent): EventKind {
    const type = eventType(ev);
    if (type === 'content_block_delta') {
      if (this.output !== undefined && !ev.oversized) this.captureDelta(ev.data);
      return 'output';
    }
    if (ev.oversized) return type === 'message' ? 'output' : 'other';
    switch (type) {
      case 'ping':
      case 'content_block_stop':
        return 'other';
      case 'content_block_start':
        if (this.output !== undefined) this.captureStart(ev.data);
        return 'other';
      case 'message_stop':
        this.sawEnd = true;
        return 'done';
      case 'error':
        this.sawError = true;
        return 'error';
      case 'message_start':
      case 'message_delta': {
        const o = this.parse(ev.data);
        if (o === undefined) return 'other';
        this.sawStart = true;
        if (type === 'message_start') {
          const m = o.message as Record<string, unknown> | undefined;
          if (m !== null && typeof m === 'object') {
            if (typeof m.id === 'string') this.id = m.id;
            if (typeof m.model === 'string' && m.model !== '') this.model = m.model;
            rawUsageOf(m.usage, this.raw);
          }
        } else {
          const d = o.delta as Record<string, unknown> | undefined;
          if (d !== null && typeof d === 'object' && typeof d.stop_reason === 'string') this.stopReason = d.stop_reason;
          rawUsageOf(o.usage, this.raw);
        }
        return 'other';
      }
      default:
        return 'other';
    }
  }

  private parse(data: string): Record<string, unknown> | undefined {
    try {
      const o = JSON.parse(data) as unknown;
      if (o !== null && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
    } catch {
      // counted below
    }
    this.unparseableEvents++;
    return undefined;
  }

  private captureStart(data: string): void {
    const o = this.parse(data);
    const b = o?.content_block as Record<string, unknown> | undefined;
    if (o === undefined || b === null || typeof b !== 'object') return;
    const key = String(o.index);
    if (b.type === 'tool_use' || b.type === 'server_tool_use') {
      const part: { type: string; [k: string]: unknown } = { type: 'tool_call', name: typeof b.name === 'string' ? b.name : '' };
      if (typeof b.id === 'string') part.id = b.id;
      this.output!.open(key, part, 'arguments');
    } else if (b.type === 'thinking') {
      this.output!.open(key, { type: 'reasoning' }, 'content');
    } else if (b.type === 'text') {
      this.output!.open(key, { type: 'text' }, 'content');
      if (typeof b.text === 'string' && b.text !== '') this.output!.append(key, b.text);
    }
  }

  private captureDelta(data: string): void {
    const o = this.parse(data);
    const d = o?.delta as Record<string, unknown> | undefined;
    if (o === undefined || d === null || typeof d !== 'object') return;
    const key = String(o.index);
    if (d.type === 'text_delta' && typeof d.text === 'string') this.output!.append(key, d.text);
    else if (d.type === 'thinking_delta' && typeof d.thinking === 'string') this.output!.append(key, d.thinking, () => ({ type: 'reasoning' }));
    else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
      this.output!.append(key, d.partial_json, () => ({ type: 'tool_call', name: '' }), 'arguments');
    }
  }

  summary(): ResponseSummary {
    const out: ResponseSummary = {};
    if (this.id !== undefined) out.id = this.id;
    if (this.model !== undefined) out.model = this.model;
    const usage = normalizeRaw(this.raw);
    if (usage !== undefined) out.usage = usage;
    if (this.stopReason !== undefined) out.finishReasons = [this.stopReason];
    if (!this.sawStart && this.unparseableEvents > 0) out.unparseable = true;
    if (this.output !== undefined && (this.sawStart || !this.output.isEmpty)) {
      const msg = { role: 'assistant', parts: this.output.build(), finish_reason: outputFinishReason(this.stopReason) };
      out.outputMessages = boundedJson([msg], this.content.maxBytes);
    }
    return out;
  }
}

/** Anthropic Messages. */
export const anthropicProtocol: Protocol = {
  name: 'anthropic',
  parseRequest: (body: string, _op: Operation, content: ContentOptions) => parseRequest(body, content),
  summarizeJson: (text: string, _op: Operation, content: ContentOptions, parsed?: unknown) => summarizeJson(text, content, parsed),
  newStream: (_op: Operation, content: ContentOptions) => new AnthropicStream(content),
};
