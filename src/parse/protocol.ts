/**
 * A wire protocol we understand (OpenAI Chat Completions / Completions /
 * Embeddings, OpenAI Responses, Anthropic Messages): how to read its request,
 * its JSON response and its event stream. Pure: no OTel, no I/O.
 */
import type { Operation, ProtocolName, RequestParams, ResponseSummary } from '../types.js';
import type { SseEvent } from './sse.js';
import type { EventKind } from './stream.js';

/** Options for content capture (off unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
export interface ContentOptions {
  capture: boolean;
  /** Maximum size in bytes (UTF-16 code units are fine) of each captured JSON string. */
  maxBytes: number;
}

export interface StreamAccumulator {
  /** Classifies and records one event. */
  onEvent(ev: SseEvent): EventKind;
  /** True once the stream reached its logical end (`[DONE]`, `message_stop`, `response.completed`). */
  readonly sawEnd: boolean;
  /** True when the stream carried an error event. */
  readonly sawError: boolean;
  /** Response model seen so far (for metric attributes of chunk intervals). */
  readonly model: string | undefined;
  summary(): ResponseSummary;
}

export interface Protocol {
  readonly name: ProtocolName;
  parseRequest(body: string, operation: Operation, content: ContentOptions): RequestParams | undefined;
  /**
   * Summary of a whole JSON response body. `parsed`, when given, is the
   * app's own JSON.parse of `text` (Response.json()): used instead of parsing again.
   */
  summarizeJson(text: string, operation: Operation, content: ContentOptions, parsed?: unknown): ResponseSummary;
  newStream(operation: Operation, content: ContentOptions): StreamAccumulator;
}
