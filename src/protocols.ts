/** The registry of wire protocols, keyed by the name a Target carries. */
import { registerOperationPath } from './hosts.js';
import { anthropicProtocol } from './parse/anthropic.js';
import { openaiProtocol } from './parse/openai.js';
import type { Protocol } from './parse/protocol.js';
import { responsesProtocol } from './parse/responses.js';
import type { ProtocolName } from './types.js';

const PROTOCOLS: Record<ProtocolName, Protocol | undefined> = {
  openai: openaiProtocol,
  openai_responses: responsesProtocol,
  anthropic: anthropicProtocol,
};

// Checked after the built-in OpenAI paths, so /chat/completions and
// /completions keep their meaning. Messages is registered with its /v1 so
// that OpenAI Assistants' /v1/threads/{id}/messages is not taken for an
// Anthropic call; the Anthropic SDK always appends /v1/messages to its base.
registerOperationPath('/responses', 'chat', 'openai_responses');
registerOperationPath('/v1/messages', 'chat', 'anthropic');

export function protocolOf(name: ProtocolName): Protocol {
  return PROTOCOLS[name] ?? openaiProtocol;
}
