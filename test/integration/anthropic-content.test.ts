/**
 * Content capture (opt-in) end to end with the official @anthropic-ai/sdk:
 * gen_ai.system_instructions, gen_ai.input.messages and gen_ai.output.messages
 * in the conventions' JSON shapes, streamed output reassembled, each bounded.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { REPLY_WORDS } from '../../src/sim/upstream.js';
import { useHarness } from '../helpers/harness.js';

const h = useHarness({
  instrumentation: (u) => ({ hosts: [`127.0.0.1:${u.port}=anthropic`], captureContent: true, contentMaxBytes: 4096 }),
});

const MODEL = 'claude-sonnet-4-5';
const REPLY = REPLY_WORDS.slice(0, 10).join(' ');

const client = () => new Anthropic({ baseURL: h.upstream.url, apiKey: 'sk-ant-test', maxRetries: 0, openTelemetry: false });

function contentOf(): Record<string, unknown> {
  const spans = h.genAiSpans();
  expect(spans).toHaveLength(1);
  const a = spans[0]!.attributes;
  return {
    system: JSON.parse(a['gen_ai.system_instructions'] as string),
    input: JSON.parse(a['gen_ai.input.messages'] as string),
    output: JSON.parse(a['gen_ai.output.messages'] as string),
  };
}

const REQUEST = {
  model: MODEL,
  max_tokens: 256,
  system: [{ type: 'text' as const, text: 'Be brief.' }],
  messages: [
    { role: 'user' as const, content: 'hello there' },
    { role: 'assistant' as const, content: 'Hi.' },
    { role: 'user' as const, content: [{ type: 'text' as const, text: 'Tell me more.' }] },
  ],
};

const EXPECTED_REQUEST = {
  system: [{ type: 'text', content: 'Be brief.' }],
  input: [
    { role: 'user', parts: [{ type: 'text', content: 'hello there' }] },
    { role: 'assistant', parts: [{ type: 'text', content: 'Hi.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'Tell me more.' }] },
  ],
};

describe('Anthropic content capture', () => {
  it('JSON: records the request and the response content', async () => {
    const msg = await client().messages.create(REQUEST);
    expect(msg.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(contentOf()).toEqual({
      ...EXPECTED_REQUEST,
      output: [{ role: 'assistant', parts: [{ type: 'text', content: REPLY }], finish_reason: 'stop' }],
    });
  });

  it('stream: reassembles the output from content_block_delta events', async () => {
    const final = await client().messages.stream(REQUEST).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: REPLY })]);
    expect(contentOf()).toEqual({
      ...EXPECTED_REQUEST,
      output: [{ role: 'assistant', parts: [{ type: 'text', content: REPLY }], finish_reason: 'stop' }],
    });
  });

  it('bounds each attribute to contentMaxBytes, still valid JSON, cut strings marked', async () => {
    const long = 'x'.repeat(10_000);
    await client().messages.create({ ...REQUEST, messages: [{ role: 'user', content: long }] });
    const raw = h.genAiSpans()[0]!.attributes['gen_ai.input.messages'] as string;
    expect(raw.length).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(raw) as Array<{ parts: Array<{ content: string }> }>;
    expect(parsed[0]!.parts[0]!.content.endsWith('…[truncated]')).toBe(true);
  });
});
