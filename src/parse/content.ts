/**
 * Content capture (opt-in): pure builders of the GenAI conventions' message
 * shapes for OpenAI Chat Completions / Completions, OpenAI Responses and
 * Anthropic Messages, and bounded buffers that reassemble streamed output.
 *
 * Shapes follow semconv v1.41 as published in open-telemetry/semantic-conventions
 * docs/gen-ai/gen-ai-input-messages.json (array of ChatMessage {role, parts}),
 * gen-ai-output-messages.json (OutputMessage adds the required `finish_reason`,
 * whose enum is stop | length | content_filter | tool_call | error or any string)
 * and, in open-telemetry/semantic-conventions-genai, gen-ai-system-instructions.json
 * (an array of parts). Parts used here: text {content}, tool_call {id, name,
 * arguments}, tool_call_response {id, response}, reasoning {content}, uri and
 * blob {modality, mime_type, uri | content}, and the generic part {type}.
 *
 * Size: every result is a JSON string of at most `maxBytes` UTF-16 code units
 * that is still valid JSON. When the whole value does not fit, the longest
 * string contents are cut first (each cut string ends with TRUNCATION_MARKER);
 * when even empty strings do not fit, the oldest messages are dropped, then
 * the last parts of the one message left, and at worst the result is `[]`.
 */
import type { ContentOptions } from './protocol.js';

export const TRUNCATION_MARKER = '…[truncated]';

export interface Part {
  type: string;
  [key: string]: unknown;
}

export interface ChatMessage {
  role: string;
  parts: Part[];
}

export interface OutputMessage extends ChatMessage {
  finish_reason: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A string cut to `max` code units (marker included) so no single leaf grows without bound while building. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const keep = Math.max(0, max - TRUNCATION_MARKER.length);
  return s.slice(0, keep) + TRUNCATION_MARKER;
}

/** Parses tool-call arguments when they are JSON; keeps the raw (clipped) string otherwise. */
function args(raw: unknown, max: number): unknown {
  if (typeof raw !== 'string') return raw ?? null;
  if (raw.length <= max) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      // partial or invalid JSON: keep the text
    }
  }
  return clip(raw, max);
}

const text = (content: string, max: number): Part => ({ type: 'text', content: clip(content, max) });

function dataUrlPart(url: string, modality: string, max: number): Part {
  const m = /^data:([^;,]+)?(;base64)?,/.exec(url);
  if (m !== null) {
    const p: Part = { type: 'blob', modality, content: clip(url.slice(m[0].length), max) };
    if (m[1] !== undefined) p.mime_type = m[1];
    return p;
  }
  return { type: 'uri', modality, uri: clip(url, max) };
}

// --- JSON with a size bound ---

/** Deep copy with every string leaf except keys cut to `cap`. */
function capStrings(v: unknown, cap: number): unknown {
  // A string is only cut when the cut (marker included) is shorter than it.
  if (typeof v === 'string') return v.length > cap + TRUNCATION_MARKER.length ? v.slice(0, cap) + TRUNCATION_MARKER : v;
  if (Array.isArray(v)) return v.map((x) => capStrings(x, cap));
  if (isObj(v)) {
    const o: Obj = {};
    for (const k of Object.keys(v)) {
      // Structural fields stay intact; only content is cut.
      o[k] = k === 'type' || k === 'role' || k === 'finish_reason' ? v[k] : capStrings(v[k], cap);
    }
    return o;
  }
  return v;
}

function longestString(v: unknown): number {
  if (typeof v === 'string') return v.length;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n = Math.max(n, longestString(x));
  else if (isObj(v)) for (const k of Object.keys(v)) n = Math.max(n, longestString(v[k]));
  return n;
}

/**
 * JSON.stringify(value) bounded to `maxBytes` code units, still valid JSON.
 * The common case (fits) costs one stringify; cutting runs a binary search
 * over the per-string cap, so it costs O(size · log size) and only runs with
 * capture on and oversized content.
 */
export function boundedJson(value: unknown[], maxBytes: number): string {
  const whole = JSON.stringify(value);
  if (whole.length <= maxBytes) return whole;
  let items = value;
  for (;;) {
    let lo = 0;
    let hi = longestString(items);
    let best: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = JSON.stringify(capStrings(items, mid));
      if (s.length <= maxBytes) {
        best = s;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best !== undefined) return best;
    if (items.length > 1) {
      // Keep the newest messages: the last turn is what the call was about.
      items = items.slice(1);
      continue;
    }
    const only = items[0];
    if (isObj(only) && Array.isArray(only.parts) && only.parts.length > 1) {
      items = [{ ...only, parts: only.parts.slice(0, -1) }];
      continue;
    }
    return '[]';
  }
}

// --- finish reasons in the output-message vocabulary ---

const FINISH: Record<string, string> = {
  // OpenAI chat completions
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_call',
  function_call: 'tool_call',
  content_filter: 'content_filter',
  // Anthropic
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_call',
  refusal: 'content_filter',
};

/** A provider finish reason as the output-message enum (unknown values pass through). */
export function outputFinishReason(raw: string | undefined): string {
  if (raw === undefined) return '';
  return FINISH[raw] ?? raw;
}

// --- OpenAI Chat Completions / Completions ---

function openaiContentParts(content: unknown, max: number): Part[] {
  if (typeof content === 'string') return [text(content, max)];
  if (!Array.isArray(content)) return [];
  const out: Part[] = [];
  for (const c of content) {
    if (!isObj(c)) continue;
    if ((c.type === 'text' || c.type === 'input_text' || c.type === 'output_text') && typeof c.text === 'string') {
      out.push(text(c.text, max));
    } else if (c.type === 'refusal' && typeof c.refusal === 'string') {
      out.push(text(c.refusal, max));
    } else if (c.type === 'image_url' && isObj(c.image_url) && typeof c.image_url.url === 'string') {
      out.push(dataUrlPart(c.image_url.url, 'image', max));
    } else if (c.type === 'input_image' && typeof c.image_url === 'string') {
      out.push(dataUrlPart(c.image_url, 'image', max));
    } else if (typeof c.type === 'string') {
      out.push({ type: c.type });
    }
  }
  return out;
}

function openaiToolCalls(calls: unknown, max: number): Part[] {
  const out: Part[] = [];
  if (!Array.isArray(calls)) return out;
  for (const tc of calls) {
    if (!isObj(tc)) continue;
    const fn = isObj(tc.function) ? tc.function : isObj(tc.custom) ? tc.custom : {};
    const p: Part = { type: 'tool_call', name: typeof fn.name === 'string' ? fn.name : '' };
    if (typeof tc.id === 'string') p.id = tc.id;
    p.arguments = args(fn.arguments ?? fn.input, max);
    out.push(p);
  }
  return out;
}

/** gen_ai.input.messages of a chat completions request's `messages` (system messages included, as the conventions ask for in-history instructions). */
export function chatInputMessages(messages: unknown, max: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (!Array.isArray(messages)) return out;
  for (const m of messages) {
    if (!isObj(m)) continue;
    const role = typeof m.role === 'string' ? m.role : 'user';
    if (role === 'tool') {
      const p: Part = { type: 'tool_call_response', response: typeof m.content === 'string' ? clip(m.content, max) : m.content ?? null };
      if (typeof m.tool_call_id === 'string') p.id = m.tool_call_id;
      out.push({ role, parts: [p] });
      continue;
    }
    const parts = openaiContentParts(m.content, max);
    parts.push(...openaiToolCalls(m.tool_calls, max));
    out.push({ role, parts });
  }
  return out;
}

/** gen_ai.input.messages of a legacy completions `prompt`. */
export function promptInputMessages(prompt: unknown, max: number): ChatMessage[] {
  if (typeof prompt === 'string') return [{ role: 'user', parts: [text(prompt, max)] }];
  if (Array.isArray(prompt) && prompt.every((p) => typeof p === 'string')) {
    return [{ role: 'user', parts: (prompt as string[]).map((p) => text(p, max)) }];
  }
  return [];
}

/** gen_ai.output.messages of a chat completions (or completions) JSON response's `choices`. */
export function chatOutputMessages(choices: unknown, max: number): OutputMessage[] {
  const out: OutputMessage[] = [];
  if (!Array.isArray(choices)) return out;
  for (const c of choices) {
    if (!isObj(c)) continue;
    const fr = outputFinishReason(typeof c.finish_reason === 'string' ? c.finish_reason : undefined);
    if (typeof c.text === 'string') {
      out.push({ role: 'assistant', parts: [text(c.text, max)], finish_reason: fr });
      continue;
    }
    const msg = isObj(c.message) ? c.message : {};
    const parts = openaiContentParts(msg.content, max);
    if (typeof msg.refusal === 'string') parts.push(text(msg.refusal, max));
    parts.push(...openaiToolCalls(msg.tool_calls, max));
    out.push({ role: typeof msg.role === 'string' ? msg.role : 'assistant', parts, finish_reason: fr });
  }
  return out;
}

// --- OpenAI Responses ---

/** gen_ai.system_instructions of a Responses request's `instructions`. */
export function responsesSystemInstructions(instructions: unknown, max: number): Part[] {
  if (typeof instructions === 'string') return [text(instructions, max)];
  // Instructions given as input items (a prompt template's messages).
  if (Array.isArray(instructions)) return responsesInputMessages(instructions, max).flatMap((m) => m.parts);
  return [];
}

/** gen_ai.input.messages of a Responses request's `input` (a string or a list of items). */
export function responsesInputMessages(input: unknown, max: number): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [text(input, max)] }];
  const out: ChatMessage[] = [];
  if (!Array.isArray(input)) return out;
  for (const it of input) {
    if (!isObj(it)) continue;
    if (it.type === 'function_call' || it.type === 'custom_tool_call') {
      const p: Part = { type: 'tool_call', name: typeof it.name === 'string' ? it.name : '' };
      if (typeof it.call_id === 'string') p.id = it.call_id;
      p.arguments = args(it.arguments ?? it.input, max);
      out.push({ role: 'assistant', parts: [p] });
    } else if (it.type === 'function_call_output' || it.type === 'custom_tool_call_output') {
      const p: Part = { type: 'tool_call_response', response: typeof it.output === 'string' ? clip(it.output, max) : it.output ?? null };
      if (typeof it.call_id === 'string') p.id = it.call_id;
      out.push({ role: 'tool', parts: [p] });
    } else if (it.type === 'reasoning') {
      out.push({ role: 'assistant', parts: reasoningParts(it, max) });
    } else if (typeof it.role === 'string') {
      out.push({ role: it.role, parts: openaiContentParts(it.content, max) });
    } else if (typeof it.type === 'string') {
      out.push({ role: 'user', parts: [{ type: it.type }] });
    }
  }
  return out;
}

function reasoningParts(item: Obj, max: number): Part[] {
  const out: Part[] = [];
  for (const key of ['summary', 'content']) {
    const list = item[key];
    if (!Array.isArray(list)) continue;
    for (const s of list) if (isObj(s) && typeof s.text === 'string') out.push({ type: 'reasoning', content: clip(s.text, max) });
  }
  return out;
}

/** Parts of one Responses output item (message, function call, reasoning, built-in tool call). */
export function responsesOutputItemParts(item: unknown, max: number): Part[] {
  if (!isObj(item)) return [];
  if (item.type === 'message') return openaiContentParts(item.content, max);
  if (item.type === 'function_call' || item.type === 'custom_tool_call') {
    const p: Part = { type: 'tool_call', name: typeof item.name === 'string' ? item.name : '' };
    if (typeof item.call_id === 'string') p.id = item.call_id;
    p.arguments = args(item.arguments ?? item.input, max);
    return [p];
  }
  if (item.type === 'reasoning') return reasoningParts(item, max);
  return typeof item.type === 'string' ? [{ type: item.type }] : [];
}

/** gen_ai.output.messages of a Responses `output` list: one assistant message, as the API has one candidate. */
export function responsesOutputMessages(output: unknown, finishReason: string | undefined, max: number): OutputMessage[] {
  const parts: Part[] = [];
  if (Array.isArray(output)) for (const it of output) parts.push(...responsesOutputItemParts(it, max));
  return [{ role: 'assistant', parts, finish_reason: outputFinishReason(finishReason) }];
}

// --- Anthropic Messages ---

function anthropicBlocks(content: unknown, max: number): Part[] {
  if (typeof content === 'string') return [text(content, max)];
  const out: Part[] = [];
  if (!Array.isArray(content)) return out;
  for (const b of content) {
    if (!isObj(b)) continue;
    switch (b.type) {
      case 'text':
        if (typeof b.text === 'string') out.push(text(b.text, max));
        break;
      case 'thinking':
        if (typeof b.thinking === 'string') out.push({ type: 'reasoning', content: clip(b.thinking, max) });
        break;
      case 'tool_use':
      case 'server_tool_use': {
        const p: Part = { type: 'tool_call', name: typeof b.name === 'string' ? b.name : '' };
        if (typeof b.id === 'string') p.id = b.id;
        p.arguments = capStrings(b.input ?? null, max);
        out.push(p);
        break;
      }
      case 'tool_result': {
        const r = b.content;
        const p: Part = {
          type: 'tool_call_response',
          response: typeof r === 'string' ? clip(r, max) : Array.isArray(r) ? anthropicBlocks(r, max) : r ?? null,
        };
        if (typeof b.tool_use_id === 'string') p.id = b.tool_use_id;
        out.push(p);
        break;
      }
      case 'image':
      case 'document': {
        const src = isObj(b.source) ? b.source : {};
        const modality = b.type === 'image' ? 'image' : 'document';
        if (src.type === 'base64' && typeof src.data === 'string') {
          const p: Part = { type: 'blob', modality, content: clip(src.data, max) };
          if (typeof src.media_type === 'string') p.mime_type = src.media_type;
          out.push(p);
        } else if (src.type === 'url' && typeof src.url === 'string') {
          out.push({ type: 'uri', modality, uri: clip(src.url, max) });
        } else {
          out.push({ type: b.type });
        }
        break;
      }
      default:
        if (typeof b.type === 'string') out.push({ type: b.type });
    }
  }
  return out;
}

/** gen_ai.system_instructions of an Anthropic request's `system` (a string or text blocks). */
export function anthropicSystemInstructions(system: unknown, max: number): Part[] {
  return anthropicBlocks(system, max);
}

/** gen_ai.input.messages of an Anthropic request's `messages`. */
export function anthropicInputMessages(messages: unknown, max: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (!Array.isArray(messages)) return out;
  for (const m of messages) {
    if (!isObj(m)) continue;
    out.push({ role: typeof m.role === 'string' ? m.role : 'user', parts: anthropicBlocks(m.content, max) });
  }
  return out;
}

/** gen_ai.output.messages of an Anthropic JSON response. */
export function anthropicOutputMessages(content: unknown, stopReason: string | undefined, max: number): OutputMessage[] {
  return [{ role: 'assistant', parts: anthropicBlocks(content, max), finish_reason: outputFinishReason(stopReason) }];
}

// --- streamed output ---

/** A byte budget shared by the parts (and the choices) of one streamed response. */
export class ContentBudget {
  used = 0;
  full = false;
  constructor(readonly maxBytes: number) {}
}

/**
 * Reassembles one streamed message from deltas with memory bounded by the
 * budget: once the text held reaches it, further deltas are dropped and the
 * part they belonged to is marked truncated. Parts are keyed (block index,
 * Responses item id, tool-call index ...) so interleaved deltas land in the
 * right part.
 */
export class StreamedMessage {
  private readonly parts: Array<{ key: string; part: Part; field: 'content' | 'arguments' | 'whole'; buf: string[]; truncated: boolean }> = [];
  private readonly budget: ContentBudget;

  constructor(budget: number | ContentBudget) {
    this.budget = typeof budget === 'number' ? new ContentBudget(budget) : budget;
  }

  /** Declares a part (a tool call's name and id, a reasoning block) before its deltas. */
  open(key: string, part: Part, field: 'content' | 'arguments'): void {
    if (this.budget.full || this.parts.some((p) => p.key === key)) return;
    this.parts.push({ key, part, field, buf: [], truncated: false });
    // The declared part's own strings count against the budget too.
    this.budget.used += JSON.stringify(part).length;
    if (this.budget.used >= this.budget.maxBytes) this.budget.full = true;
  }

  append(key: string, delta: string, make: () => Part = () => ({ type: 'text' }), field: 'content' | 'arguments' = 'content'): void {
    const b = this.budget;
    let p = this.parts.find((x) => x.key === key);
    if (p === undefined) {
      if (b.full) return;
      this.open(key, make(), field);
      p = this.parts[this.parts.length - 1]!;
    }
    if (b.full) {
      p.truncated = true;
      return;
    }
    const room = b.maxBytes - b.used;
    if (delta.length >= room) {
      if (room > 0) p.buf.push(delta.slice(0, room));
      b.used = b.maxBytes;
      b.full = true;
      p.truncated = delta.length > room;
      return;
    }
    p.buf.push(delta);
    b.used += delta.length;
  }

  /** Sets a complete part (a Responses output item that arrived whole). */
  put(key: string, part: Part): void {
    const b = this.budget;
    if (b.full || this.parts.some((p) => p.key === key)) return;
    const size = JSON.stringify(part).length;
    if (b.used + size > b.maxBytes) {
      b.full = true;
      return;
    }
    this.parts.push({ key, part, field: 'whole', buf: [], truncated: false });
    b.used += size;
  }

  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** The reassembled parts; tool-call arguments are parsed as JSON when complete. */
  build(): Part[] {
    return this.parts.map(({ part, field, buf, truncated }) => {
      if (field === 'whole') return part;
      const joined = buf.join('') + (truncated ? TRUNCATION_MARKER : '');
      if (field === 'arguments') return { ...part, arguments: truncated ? joined : args(joined, Infinity) };
      return { ...part, content: joined };
    });
  }
}

/** JSON strings for the request side; undefined members when there is nothing to record. */
export function contentJson(parts: unknown[], content: ContentOptions): string | undefined {
  return parts.length > 0 ? boundedJson(parts, content.maxBytes) : undefined;
}
