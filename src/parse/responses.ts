/**
 * OpenAI Responses API wire format (`POST /v1/responses`): request
 * parameters, JSON response summaries and the typed event stream. Pure: no
 * OTel, no I/O.
 */
import type { Operation, RequestParams, ResponseSummary } from '../types.js';
import {
  boundedJson,
  contentJson,
  outputFinishReason,
  responsesInputMessages,
  responsesOutputItemParts,
  responsesOutputMessages,
  responsesSystemInstructions,
  StreamedMessage,
} from './content.js';
import { commonRequestParams, onlyWsAfter, parseSpan, documentMembers, skimArray, skimObject, type Span } from './json-skim.js';
import { normalizeUsage } from './openai.js';
import type { ContentOptions, Protocol, StreamAccumulator } from './protocol.js';
import type { SseEvent } from './sse.js';
import type { EventKind } from './stream.js';

const REQUEST_KEYS = ['model', 'stream', 'max_output_tokens', 'temperature', 'top_p', 'instructions', 'input'] as const;

function parseRequest(body: string, content: ContentOptions): RequestParams | undefined {
  const f = documentMembers(body, REQUEST_KEYS);
  if (f === undefined) return undefined;
  const get = f.get;
  // stream_options here only sets include_obfuscation; usage always arrives
  // in response.completed, so there is nothing to inject.
  const out: RequestParams = Object.assign(commonRequestParams(get, ['max_output_tokens']), { includeUsage: false, hasStreamOptions: false });
  if (content.capture) {
    const si = contentJson(responsesSystemInstructions(get('instructions'), content.maxBytes), content);
    if (si !== undefined) out.systemInstructions = si;
    const im = contentJson(responsesInputMessages(get('input'), content.maxBytes), content);
    if (im !== undefined) out.inputMessages = im;
  }
  return out;
}

const TOOL_CALL_ITEMS = new Set(['function_call', 'custom_tool_call']);

/**
 * The Responses API has no finish reason; we derive one in the chat
 * completions vocabulary so dashboards read the same for both APIs:
 * completed → stop (tool_calls when the output has a function call),
 * incomplete → its reason (max_output_tokens → length, content_filter),
 * failed → error, cancelled → cancelled. In-progress (background) → none.
 */
function finishReasonOf(s: string, status: unknown, incomplete: unknown, output: Span | undefined): string | undefined {
  if (status === 'completed') {
    if (output !== undefined) {
      for (const e of skimArray(s, output.start, 256) ?? []) {
        const t = parseSpan(s, skimObject(s, ['type'], e.start, true)?.found.get('type'));
        if (typeof t === 'string' && TOOL_CALL_ITEMS.has(t)) return 'tool_calls';
      }
    }
    return 'stop';
  }
  if (status === 'incomplete') {
    const reason = incomplete !== null && typeof incomplete === 'object' ? (incomplete as { reason?: unknown }).reason : undefined;
    if (reason === 'max_output_tokens') return 'length';
    return typeof reason === 'string' ? reason : 'incomplete';
  }
  if (status === 'failed') return 'error';
  if (status === 'cancelled') return 'cancelled';
  return undefined;
}

const RESPONSE_KEYS = ['id', 'model', 'status', 'incomplete_details', 'usage', 'output'] as const;

/** Summary of a Response object that opens at `start` of `s` (a JSON body, or the `response` member of an event). */
function summarizeResponseObject(s: string, start: number, content: ContentOptions, withOutput: boolean): ResponseSummary | undefined {
  const sk = skimObject(s, RESPONSE_KEYS, start);
  if (sk === undefined || sk.end < 0) return undefined;
  if (start === 0 && !onlyWsAfter(s, sk.end)) return undefined;
  const f = sk.found;
  const out: ResponseSummary = {};
  const id = parseSpan(s, f.get('id'));
  if (typeof id === 'string') out.id = id;
  const model = parseSpan(s, f.get('model'));
  if (typeof model === 'string' && model !== '') out.model = model;
  const fr = finishReasonOf(s, parseSpan(s, f.get('status')), parseSpan(s, f.get('incomplete_details')), f.get('output'));
  if (fr !== undefined) out.finishReasons = [fr];
  const usage = normalizeUsage(parseSpan(s, f.get('usage')));
  if (usage !== undefined) out.usage = usage;
  if (content.capture && withOutput) {
    out.outputMessages = boundedJson(responsesOutputMessages(parseSpan(s, f.get('output')), fr, content.maxBytes), content.maxBytes);
  }
  return out;
}

function summarizeJson(text: string, content: ContentOptions): ResponseSummary {
  return summarizeResponseObject(text, 0, content, true) ?? { unparseable: true };
}

/** Event type: the `event:` field, or the data's `type` member when only `data:` lines are sent. */
function eventType(ev: SseEvent): string {
  if (ev.type !== 'message') return ev.type;
  const t = parseSpan(ev.data, skimObject(ev.data, ['type'], 0, true)?.found.get('type'));
  return typeof t === 'string' ? t : 'message';
}

const deltaTypes = new Map<string, boolean>();

/** `response.*.delta`, memoised: a map lookup per event is cheaper than two string scans. */
function isDelta(type: string): boolean {
  let v = deltaTypes.get(type);
  if (v === undefined) {
    v = type.startsWith('response.') && type.endsWith('.delta');
    // Event names are a small fixed set; the bound only guards against a hostile stream.
    if (deltaTypes.size < 256) deltaTypes.set(type, v);
  }
  return v;
}

/** Events that end a response and carry it whole, usage included. */
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Summary of a Responses event stream. Every `response.*.delta` event is an
 * output chunk (text, refusal, tool-call arguments, reasoning), classified by
 * its event name alone; only `response.created` and the terminal events are
 * skimmed, and only for their `response` member's scalar fields and usage.
 */
export class ResponsesStream implements StreamAccumulator {
  id: string | undefined;
  model: string | undefined;
  sawEnd = false;
  sawError = false;
  unparseableEvents = 0;
  private final: ResponseSummary | undefined;
  private sawStart = false;
  private readonly output: StreamedMessage | undefined;

  constructor(private readonly content: ContentOptions) {
    if (content.capture) this.output = new StreamedMessage(content.maxBytes);
  }

  onEvent(ev: SseEvent): EventKind {
    const type = eventType(ev);
    if (isDelta(type)) {
      if (this.output !== undefined && !ev.oversized) this.captureDelta(type, ev.data);
      return 'output';
    }
    if (ev.oversized) {
      // A terminal event too large to parse still ends the stream.
      if (type === 'response.failed') this.sawError = true;
      else if (TERMINAL.has(type)) this.sawEnd = true;
      return type === 'message' ? 'output' : 'other';
    }
    if (type === 'error') {
      this.sawError = true;
      return 'error';
    }
    if (type === 'response.created' || type === 'response.in_progress' || TERMINAL.has(type)) {
      const r = skimObject(ev.data, ['response'])?.found.get('response');
      const sum = r !== undefined ? summarizeResponseObject(ev.data, r.start, this.content, false) : undefined;
      if (sum === undefined) {
        this.unparseableEvents++;
        return 'other';
      }
      this.sawStart = true;
      if (sum.id !== undefined) this.id ??= sum.id;
      if (sum.model !== undefined) this.model = sum.model;
      if (TERMINAL.has(type)) {
        this.final = sum;
        // A failed response is an error rather than a logical end, so that
        // an app that stops reading after it does not turn it into a success.
        if (type === 'response.failed') {
          this.sawError = true;
          return 'error';
        }
        this.sawEnd = true;
        return 'done';
      }
      return 'other';
    }
    if (this.output !== undefined && type === 'response.output_item.done') this.captureItem(ev.data);
    return 'other';
  }

  private parse(data: string): Record<string, unknown> | undefined {
    try {
      const o = JSON.parse(data) as unknown;
      if (o !== null && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
    } catch {
      // ignored: content capture is best effort
    }
    return undefined;
  }

  private captureDelta(type: string, data: string): void {
    const o = this.parse(data);
    if (o === undefined || typeof o.delta !== 'string') return;
    const key = `${String(o.item_id ?? o.output_index)}:${String(o.content_index ?? o.summary_index ?? '')}`;
    if (type === 'response.output_text.delta' || type === 'response.refusal.delta') this.output!.append(key, o.delta);
    else if (type === 'response.reasoning_summary_text.delta' || type === 'response.reasoning_text.delta') {
      this.output!.append(key, o.delta, () => ({ type: 'reasoning' }));
    }
  }

  /** Tool calls (and other non-text items) are taken whole from `output_item.done`; text comes from deltas. */
  private captureItem(data: string): void {
    const o = this.parse(data);
    const item = o?.item as Record<string, unknown> | undefined;
    if (item === null || typeof item !== 'object' || item.type === 'message' || item.type === 'reasoning') return;
    const parts = responsesOutputItemParts(item, this.content.maxBytes);
    parts.forEach((p, i) => this.output!.put(`${String(item.id)}#${i}`, p));
  }

  summary(): ResponseSummary {
    const out: ResponseSummary = {};
    const f = this.final;
    if (this.id !== undefined) out.id = this.id;
    if (this.model !== undefined) out.model = this.model;
    if (f?.usage !== undefined) out.usage = f.usage;
    if (f?.finishReasons !== undefined) out.finishReasons = f.finishReasons;
    if (!this.sawStart && this.unparseableEvents > 0) out.unparseable = true;
    if (this.output !== undefined && (this.sawStart || !this.output.isEmpty)) {
      const msg = { role: 'assistant', parts: this.output.build(), finish_reason: outputFinishReason(f?.finishReasons?.[0]) };
      out.outputMessages = boundedJson([msg], this.content.maxBytes);
    }
    return out;
  }
}

/** OpenAI Responses. */
export const responsesProtocol: Protocol = {
  name: 'openai_responses',
  parseRequest: (body: string, _op: Operation, content: ContentOptions) => parseRequest(body, content),
  summarizeJson: (text: string, _op: Operation, content: ContentOptions) => summarizeJson(text, content),
  newStream: (_op: Operation, content: ContentOptions) => new ResponsesStream(content),
};
