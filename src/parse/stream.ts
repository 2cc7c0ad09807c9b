/**
 * Summary of an OpenAI-style SSE stream (chat completions and legacy
 * completions), built one event at a time. Only the first event, events that
 * carry a finish reason or usage, and events that look like errors are
 * JSON-parsed; plain content deltas are classified by one regular expression, which
 * keeps the per-chunk cost to a few hundred nanoseconds. Memory: a handful of
 * scalars and one finish reason per choice index.
 */
import type { ResponseSummary, Usage } from '../types.js';
import type { ContentOptions, StreamAccumulator } from './protocol.js';
import { boundedJson, ContentBudget, outputFinishReason, StreamedMessage, type OutputMessage, type Part } from './content.js';
import { normalizeUsage } from './openai.js';
import type { SseEvent } from './sse.js';

/** What one event was, as far as the app and the metrics are concerned. */
export type EventKind =
  /** a chunk with choices: an output chunk */
  | 'output'
  /** the usage-only chunk (`choices: []` with usage) that include_usage adds */
  | 'usage'
  /** `data: [DONE]` */
  | 'done'
  /** an error event sent mid-stream */
  | 'error'
  /** anything else (unparseable, oversized, other event types) */
  | 'other';

/**
 * True when an event may be more than a plain content delta: a member
 * `"finish_reason"` or `"usage"` with a value other than null, or any
 * `"error"`. One regular-expression pass (about 4x cheaper here than three
 * substring scans). Inside a JSON string every quote is escaped, so text in
 * the content can never look like a member; a false positive only costs a
 * JSON.parse, never a wrong result.
 */
// The white space after the colon is inside the lookahead: as `[ws]*(?!null)`
// it could match zero spaces and then see " null" as not null.
const MAY_MATTER = /"(?:finish_reason|usage)"[ \t\n\r]*:(?![ \t\n\r]*null)|"error"/;

export function needsParse(data: string): boolean {
  return MAY_MATTER.test(data);
}

export class StreamSummary implements StreamAccumulator {
  outputChunks = 0;
  id: string | undefined;
  model: string | undefined;
  usage: Usage | undefined;
  sawDone = false;
  sawError = false;
  unparseableEvents = 0;
  oversizedEvents = 0;
  private readonly finish: string[] = [];
  private sawFirst = false;

  onEvent(ev: SseEvent): EventKind {
    // SDKs stop at `[DONE]` (openai-node skips every later event): what follows
    // is neither output the app sees nor part of the response.
    if (this.sawDone) return 'other';
    if (ev.oversized) {
      this.oversizedEvents++;
      // An oversized event is still a chunk the app received.
      return 'output';
    }
    const data = ev.data;
    if (data === '[DONE]') {
      this.sawDone = true;
      return 'done';
    }
    if (ev.type === 'error') {
      this.sawError = true;
      return 'error';
    }
    // Chunks are unnamed events holding a JSON object: a named event (a
    // gateway's ping) or a non-JSON data line is not output the app received.
    if (ev.type !== 'message' || data.charCodeAt(0) !== 0x7b) {
      this.unparseableEvents++;
      return 'other';
    }
    if (this.sawFirst && !needsParse(data)) {
      this.outputChunks++;
      return 'output';
    }
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      this.unparseableEvents++;
      return 'other';
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      this.unparseableEvents++;
      return 'other';
    }
    const o = obj as Record<string, unknown>;
    if (o.error !== undefined && o.error !== null && o.choices === undefined) {
      this.sawError = true;
      return 'error';
    }
    if (this.id === undefined && typeof o.id === 'string') this.id = o.id;
    if (typeof o.model === 'string' && o.model !== '') this.model = o.model;
    const usage = normalizeUsage(o.usage);
    if (usage !== undefined) this.usage = usage;
    const choices = o.choices;
    if (Array.isArray(choices)) {
      // The substring fast path applies once a real chunk has given the id and model.
      this.sawFirst = true;
      for (const c of choices) {
        if (c === null || typeof c !== 'object') continue;
        const fr = (c as Record<string, unknown>).finish_reason;
        const idx = (c as Record<string, unknown>).index;
        if (typeof fr === 'string') {
          const i = typeof idx === 'number' && Number.isInteger(idx) && idx >= 0 && idx < 128 ? idx : 0;
          this.finish[i] = fr;
        }
      }
      if (choices.length === 0) return usage !== undefined ? 'usage' : 'other';
    } else {
      return usage !== undefined ? 'usage' : 'other';
    }
    this.outputChunks++;
    return 'output';
  }

  get sawEnd(): boolean {
    return this.sawDone;
  }

  summary(): ResponseSummary {
    const out: ResponseSummary = {};
    if (this.id !== undefined) out.id = this.id;
    if (this.model !== undefined) out.model = this.model;
    if (this.usage !== undefined) out.usage = this.usage;
    const fr = this.finish.filter((x) => typeof x === 'string');
    if (fr.length > 0) out.finishReasons = fr;
    if (!this.sawFirst && this.unparseableEvents > 0) out.unparseable = true;
    return out;
  }
}

/**
 * StreamSummary plus content capture (opt-in): reassembles each choice's
 * text and tool calls from the deltas, within one budget of
 * `content.maxBytes` for the whole response. Used only when capture is on,
 * so the plain StreamSummary's fast path stays as it is; this subclass parses
 * every output chunk a second time, which is the price of capture.
 */
export class CapturingStreamSummary extends StreamSummary {
  private readonly budget: ContentBudget;
  private readonly choices: StreamedMessage[] = [];
  private readonly finishByIndex: Array<string | undefined> = [];

  constructor(private readonly content: ContentOptions) {
    super();
    this.budget = new ContentBudget(content.maxBytes);
  }

  override onEvent(ev: SseEvent): EventKind {
    const kind = super.onEvent(ev);
    if (kind === 'output' && !ev.oversized) this.capture(ev.data);
    return kind;
  }

  private capture(data: string): void {
    let o: unknown;
    try {
      o = JSON.parse(data);
    } catch {
      return;
    }
    const choices = (o as { choices?: unknown } | null)?.choices;
    if (!Array.isArray(choices)) return;
    for (const c of choices) {
      if (c === null || typeof c !== 'object') continue;
      const ch = c as Record<string, unknown>;
      const i = typeof ch.index === 'number' && Number.isInteger(ch.index) && ch.index >= 0 && ch.index < 128 ? ch.index : 0;
      const msg = (this.choices[i] ??= new StreamedMessage(this.budget));
      if (typeof ch.finish_reason === 'string') this.finishByIndex[i] = ch.finish_reason;
      if (typeof ch.text === 'string') {
        if (ch.text !== '') msg.append('text', ch.text);
        continue;
      }
      const d = ch.delta as Record<string, unknown> | null | undefined;
      if (d === null || typeof d !== 'object') continue;
      if (typeof d.content === 'string' && d.content !== '') msg.append('text', d.content);
      if (typeof d.refusal === 'string' && d.refusal !== '') msg.append('refusal', d.refusal);
      if (Array.isArray(d.tool_calls)) {
        for (const tc of d.tool_calls as Array<Record<string, unknown> | null>) {
          if (tc === null || typeof tc !== 'object') continue;
          const key = `tool:${String(tc.index ?? 0)}`;
          const fn = (tc.function ?? {}) as Record<string, unknown>;
          const part: Part = { type: 'tool_call', name: typeof fn.name === 'string' ? fn.name : '' };
          if (typeof tc.id === 'string') part.id = tc.id;
          msg.open(key, part, 'arguments');
          if (typeof fn.arguments === 'string' && fn.arguments !== '') msg.append(key, fn.arguments);
        }
      }
    }
  }

  override summary(): ResponseSummary {
    const out = super.summary();
    const messages: OutputMessage[] = [];
    for (let i = 0; i < this.choices.length; i++) {
      const m = this.choices[i];
      if (m === undefined) continue;
      messages.push({ role: 'assistant', parts: m.build(), finish_reason: outputFinishReason(this.finishByIndex[i]) });
    }
    if (messages.length > 0) out.outputMessages = boundedJson(messages, this.content.maxBytes);
    return out;
  }
}
