/** Plain data shared by the parsing modules, the exchange record and the telemetry edge. */

export type Operation = 'chat' | 'embeddings' | 'text_completion';

/** The wire format of an endpoint path. */
export type ProtocolName = 'openai' | 'openai_responses' | 'anthropic';

/** How an exchange ended. An abort or cancel by the app is not an error. */
export type Outcome = 'completed' | 'cancelled' | 'aborted' | 'error' | 'abandoned';

/** Token counts as the conventions define them: input includes cached, output includes reasoning. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheCreationTokens?: number;
  reasoningTokens?: number;
}

export interface RequestParams {
  model?: string;
  stream: boolean;
  /** stream_options.include_usage as the app sent it. */
  includeUsage: boolean;
  /** The app sent a stream_options member (so we never add one). */
  hasStreamOptions: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  choiceCount?: number;
  encodingFormats?: string[];
  /** Captured content (opt-in): gen_ai.input.messages as a JSON string, truncated. */
  inputMessages?: string;
  /** Captured content (opt-in): gen_ai.system_instructions as a JSON string, truncated. */
  systemInstructions?: string;
}

export interface ResponseSummary {
  id?: string;
  model?: string;
  finishReasons?: string[];
  usage?: Usage;
  dimensionCount?: number;
  /** The body could not be parsed as the expected JSON (HTML page, truncated JSON, ...). */
  unparseable?: boolean;
  /** Captured content (opt-in): gen_ai.output.messages as a JSON string, truncated. */
  outputMessages?: string;
}
