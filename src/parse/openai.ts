/**
 * OpenAI wire format: request parameters, JSON response summaries and usage
 * shapes. Pure: no OTel, no I/O.
 */
import type { Operation, RequestParams, ResponseSummary, Usage } from '../types.js';
import { boundedJson, chatInputMessages, chatOutputMessages, contentJson, promptInputMessages } from './content.js';
import type { ContentOptions, Protocol } from './protocol.js';
import { CapturingStreamSummary, StreamSummary } from './stream.js';
import { countScalarArray, documentMembers, documentObject, int, num, PARSE_WHOLE_MAX, parseSpan, skimArray, skimObject, type Span } from './json-skim.js';

const REQUEST_KEYS = [
  'model',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'n',
  'encoding_format',
] as const;

/** Request parameters from a JSON request body; undefined when the body is not a JSON object. */
export function parseRequestBody(body: string): RequestParams | undefined {
  const o = documentObject(body, REQUEST_KEYS);
  if (o === undefined) return undefined;
  // Plain reads into one object literal: this runs once per call, mostly
  // before V8 optimises it, where every helper call and added property costs.
  const model = o.model;
  const so = o.stream_options;
  const seed = o.seed;
  const ef = o.encoding_format;
  return {
    model: typeof model === 'string' ? model : undefined,
    stream: o.stream === true,
    includeUsage: so !== null && typeof so === 'object' && (so as Record<string, unknown>).include_usage === true,
    hasStreamOptions: so !== undefined,
    // The first token limit present: max_completion_tokens, else max_tokens.
    maxTokens: int(o.max_completion_tokens) ?? int(o.max_tokens),
    temperature: num(o.temperature),
    topP: num(o.top_p),
    stopSequences: stopSequencesOf(o.stop),
    seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : undefined,
    frequencyPenalty: num(o.frequency_penalty),
    presencePenalty: num(o.presence_penalty),
    choiceCount: int(o.n),
    encodingFormats: typeof ef === 'string' ? [ef] : undefined,
  };
}

function stopSequencesOf(stop: unknown): string[] | undefined {
  if (stop === undefined) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((x) => typeof x === 'string')) return stop as string[];
  return undefined;
}

/**
 * Normalises the usage object of any OpenAI-compatible response:
 * - OpenAI: prompt_tokens (includes cached), completion_tokens (includes
 *   reasoning), prompt_tokens_details.cached_tokens,
 *   completion_tokens_details.reasoning_tokens;
 * - DeepSeek: prompt_cache_hit_tokens / prompt_cache_miss_tokens (their sum is
 *   prompt_tokens);
 * - gateways that relay Anthropic accounting on the OpenAI shape:
 *   prompt_tokens_details.cache_write_tokens or cache_creation_input_tokens.
 * Embeddings report prompt_tokens only. Returns undefined when no count is present.
 */
export function normalizeUsage(raw: unknown): Usage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const pd = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | null | undefined;
  const cd = (u.completion_tokens_details ?? u.output_tokens_details) as Record<string, unknown> | null | undefined;
  const details = pd !== null && typeof pd === 'object';
  const cached = (details ? int(pd.cached_tokens) : undefined) ?? int(u.prompt_cache_hit_tokens);
  const write = (details ? (int(pd.cache_write_tokens) ?? int(pd.cache_creation_tokens)) : undefined) ?? int(u.cache_creation_input_tokens);
  const reasoning = cd !== null && typeof cd === 'object' ? int(cd.reasoning_tokens) : undefined;
  let input = int(u.prompt_tokens) ?? int(u.input_tokens);
  if (input === undefined && cached !== undefined) {
    const miss = int(u.prompt_cache_miss_tokens);
    if (miss !== undefined) input = cached + miss;
  }
  const output = int(u.completion_tokens) ?? int(u.output_tokens);
  if (input === undefined && output === undefined && cached === undefined && write === undefined && reasoning === undefined) return undefined;
  // One literal (one object shape) rather than properties added one by one.
  return { inputTokens: input, outputTokens: output, cacheReadTokens: cached, cacheCreationTokens: write, reasoningTokens: reasoning };
}

const RESPONSE_KEYS = ['id', 'model', 'usage', 'choices', 'data'] as const;

function finishReasonsOf(s: string, choices: Span | undefined): string[] | undefined {
  if (choices === undefined) return undefined;
  const elems = skimArray(s, choices.start, 128);
  if (elems === undefined) return undefined;
  const out: string[] = [];
  for (const e of elems) {
    const sk = skimObject(s, ['finish_reason'], e.start, true);
    const fr = parseSpan(s, sk?.found.get('finish_reason'));
    if (typeof fr === 'string') out.push(fr);
  }
  return out.length > 0 ? out : undefined;
}

/** finish_reason of each choice, from a parsed `choices` value (at most 128, as when skimming). */
function finishReasonsOfValue(choices: unknown): string[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  const out: string[] = [];
  for (const c of choices.slice(0, 128)) {
    const fr = c !== null && typeof c === 'object' ? (c as Record<string, unknown>).finish_reason : undefined;
    if (typeof fr === 'string') out.push(fr);
  }
  return out.length > 0 ? out : undefined;
}

/** Float32 values in a base64 string of `chars` characters ending in `pad` '=' signs. */
function base64Floats(chars: number, pad: number): number {
  return Math.floor(((chars * 3) / 4 - pad) / 4);
}

/** Dimension count of the first embedding, from a parsed `data` value. */
function dimensionCountOfValue(data: unknown): number | undefined {
  if (!Array.isArray(data) || data.length === 0) return undefined;
  const first: unknown = data[0];
  const emb = first !== null && typeof first === 'object' ? (first as Record<string, unknown>).embedding : undefined;
  if (Array.isArray(emb)) return emb.length;
  if (typeof emb === 'string') return base64Floats(emb.length, (emb.endsWith('=') ? 1 : 0) + (emb.endsWith('==') ? 1 : 0));
  return undefined;
}

function dimensionCountOf(s: string, data: Span | undefined): number | undefined {
  if (data === undefined) return undefined;
  const first = skimArray(s, data.start, 1)?.[0];
  if (first === undefined) return undefined;
  const emb = skimObject(s, ['embedding'], first.start, true)?.found.get('embedding');
  if (emb === undefined) return undefined;
  const c = s.charCodeAt(emb.start);
  if (c === 0x5b) return countScalarArray(s, emb);
  if (c === 0x22) {
    // base64 of little-endian float32 values
    const b64 = emb.end - emb.start - 2;
    let pad = 0;
    if (s.charCodeAt(emb.end - 2) === 0x3d) pad++;
    if (s.charCodeAt(emb.end - 3) === 0x3d) pad++;
    return base64Floats(b64, pad);
  }
  return undefined;
}

/** Summary of a complete JSON response body (chat, completions or embeddings). */
export function summarizeJsonResponse(text: string, operation: Operation, parsed?: unknown): ResponseSummary {
  if (parsed !== undefined || text.length <= PARSE_WHOLE_MAX) {
    // Parsed whole (by the app's Response.json(), or here when small): plain reads.
    const o = documentObject(text, RESPONSE_KEYS, parsed);
    if (o === undefined) return { unparseable: true };
    const id = o.id;
    const model = o.model;
    const embeddings = operation === 'embeddings';
    return {
      id: typeof id === 'string' ? id : undefined,
      model: typeof model === 'string' ? model : undefined,
      usage: normalizeUsage(o.usage),
      dimensionCount: embeddings ? dimensionCountOfValue(o.data) : undefined,
      finishReasons: embeddings ? undefined : finishReasonsOfValue(o.choices),
    };
  }
  // Large: skimmed, so that long vectors and messages are never materialised.
  const f = documentMembers(text, RESPONSE_KEYS);
  if (f === undefined || f.spans === undefined) return { unparseable: true };
  const out: ResponseSummary = {};
  const id = f.get('id');
  if (typeof id === 'string') out.id = id;
  const model = f.get('model');
  if (typeof model === 'string') out.model = model;
  const usage = normalizeUsage(f.get('usage'));
  if (usage !== undefined) out.usage = usage;
  if (operation === 'embeddings') {
    const d = dimensionCountOf(text, f.spans.get('data'));
    if (d !== undefined) out.dimensionCount = d;
  } else {
    const fr = finishReasonsOf(text, f.spans.get('choices'));
    if (fr !== undefined) out.finishReasons = fr;
  }
  return out;
}

/** Content capture (opt-in): gen_ai.input.messages of a chat or completions request. */
function addRequestContent(body: string, operation: Operation, out: RequestParams, content: ContentOptions): void {
  const f = skimObject(body, ['messages', 'prompt'])?.found;
  if (f === undefined) return;
  const msgs =
    operation === 'chat'
      ? chatInputMessages(parseSpan(body, f.get('messages')), content.maxBytes)
      : promptInputMessages(parseSpan(body, f.get('prompt')), content.maxBytes);
  const json = contentJson(msgs, content);
  if (json !== undefined) out.inputMessages = json;
}

/** Content capture (opt-in): gen_ai.output.messages of a chat or completions JSON response. */
function addResponseContent(text: string, out: ResponseSummary, content: ContentOptions): void {
  const choices = parseSpan(text, skimObject(text, ['choices'])?.found.get('choices'));
  const msgs = chatOutputMessages(choices, content.maxBytes);
  if (msgs.length > 0) out.outputMessages = boundedJson(msgs, content.maxBytes);
}

/** OpenAI Chat Completions, legacy Completions and Embeddings. */
export const openaiProtocol: Protocol = {
  name: 'openai',
  parseRequest: (body, operation, content) => {
    const r = parseRequestBody(body);
    if (r !== undefined && content?.capture === true && operation !== 'embeddings') addRequestContent(body, operation, r, content);
    return r;
  },
  summarizeJson: (text, operation, content, parsed) => {
    const s = summarizeJsonResponse(text, operation, parsed);
    if (content?.capture === true && operation !== 'embeddings' && s.unparseable !== true) addResponseContent(text, s, content);
    return s;
  },
  newStream: (_operation, content) => (content?.capture === true ? new CapturingStreamSummary(content) : new StreamSummary()),
};
