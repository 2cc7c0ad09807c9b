/** Content capture (opt-in) end to end with the openai package's responses.create, JSON and streamed. */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { REPLY_WORDS } from '../../src/sim/upstream.js';
import { useHarness } from '../helpers/harness.js';

const h = useHarness({ instrumentation: (u) => ({ hosts: [`127.0.0.1:${u.port}`], captureContent: true }) });

const REPLY = REPLY_WORDS.slice(0, 10).join(' ');
const client = () => new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });

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
  model: 'gpt-4.1',
  instructions: 'Answer briefly.',
  input: [{ role: 'user' as const, content: [{ type: 'input_text' as const, text: 'hello there' }] }],
};
const EXPECTED = {
  system: [{ type: 'text', content: 'Answer briefly.' }],
  input: [{ role: 'user', parts: [{ type: 'text', content: 'hello there' }] }],
  output: [{ role: 'assistant', parts: [{ type: 'text', content: REPLY }], finish_reason: 'stop' }],
};

describe('Responses content capture', () => {
  it('JSON', async () => {
    expect((await client().responses.create(REQUEST)).output_text).toBe(REPLY);
    expect(contentOf()).toEqual(EXPECTED);
  });

  it('stream: output reassembled from response.output_text.delta', async () => {
    const stream = await client().responses.create({ ...REQUEST, stream: true });
    let text = '';
    for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
    expect(text).toBe(REPLY);
    expect(contentOf()).toEqual(EXPECTED);
  });
});
