/** The registry of wire protocols, keyed by the name a Target carries. */
import { openaiProtocol } from './parse/openai.js';
import type { Protocol } from './parse/protocol.js';
import type { ProtocolName } from './types.js';

const PROTOCOLS: Record<ProtocolName, Protocol | undefined> = {
  openai: openaiProtocol,
  openai_responses: undefined,
  anthropic: undefined,
};

export function protocolOf(name: ProtocolName): Protocol {
  return PROTOCOLS[name] ?? openaiProtocol;
}
