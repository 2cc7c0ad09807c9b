/**
 * Prompt and completion content: absent from every span attribute and metric
 * unless capture is on; then present on every protocol that carries it, as
 * valid JSON, and never longer than AIMON_CONTENT_MAX_BYTES (contentMaxBytes).
 */
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { TRUNCATION_MARKER } from '../../src/parse/content.js';
import { useHarness, type Harness } from '../helpers/harness.js';

const PROMPT = `PROMPTMARK ${'p'.repeat(5000)}`;
const SYSTEM = `SYSMARK ${'s'.repeat(3000)}`;
// The simulator's reply starts with these words; 300 chunks make it ~1,500 characters.
const REPLY_MARK = 'The quick brown fox';
const MAX = 256;
const CONTENT_KEYS = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'] as const;

type Case = { name: string; path: string; body: Record<string, unknown>; keys: Array<(typeof CONTENT_KEYS)[number]> };

const openaiCases: Case[] = [false, true].flatMap((stream) => [
  {
    name: `chat${stream ? ' stream' : ''}`,
    path: '/v1/chat/completions',
    body: { model: 'gpt-4.1', stream, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: PROMPT }] },
    // The system message stays in gen_ai.input.messages for Chat Completions (it is one of the messages).
    keys: ['gen_ai.input.messages', 'gen_ai.output.messages'],
  },
  {
    name: `completions${stream ? ' stream' : ''}`,
    path: '/v1/completions',
    body: { model: 'gpt-3.5-turbo-instruct', stream, prompt: PROMPT },
    keys: ['gen_ai.input.messages', 'gen_ai.output.messages'],
  },
  {
    name: `responses${stream ? ' stream' : ''}`,
    path: '/v1/responses',
    body: { model: 'gpt-4.1', stream, instructions: SYSTEM, input: PROMPT },
    keys: ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'],
  },
]);
openaiCases.push({ name: 'embeddings', path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: PROMPT }, keys: [] });

const anthropicCases: Case[] = [false, true].map((stream) => ({
  name: `anthropic messages${stream ? ' stream' : ''}`,
  path: '/v1/messages',
  body: { model: 'claude-sonnet-4-5', max_tokens: 256, stream, system: SYSTEM, messages: [{ role: 'user', content: PROMPT }] },
  keys: ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'],
}));

async function call(h: Harness, c: Case): Promise<Attributes> {
  const res = await fetch(`${h.upstream.url}${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c.body) });
  const text = await res.text();
  expect(res.status, text.slice(0, 200)).toBe(200);
  const spans = h.genAiSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!.attributes;
}

function noContentAnywhere(text: string): void {
  for (const mark of ['PROMPTMARK', 'SYSMARK', REPLY_MARK, 'ppppp', 'sssss']) expect(text).not.toContain(mark);
}

function suite(label: string, cases: Case[], host: (port: number) => string): void {
  describe(`${label}: capture off (the default)`, () => {
    const h = useHarness({ upstream: { chunks: 300 }, instrumentation: (u) => ({ hosts: [host(u.port)], pricing: false }) });
    for (const c of cases) {
      it(`${c.name}: no content attribute, no content in any attribute or metric`, async () => {
        const a = await call(h, c);
        for (const k of CONTENT_KEYS) expect(a[k]).toBeUndefined();
        noContentAnywhere(JSON.stringify(a));
        noContentAnywhere(JSON.stringify(await h.metrics()));
      });
    }
  });

  describe(`${label}: capture on, contentMaxBytes ${MAX}`, () => {
    const h = useHarness({
      upstream: { chunks: 300 },
      instrumentation: (u) => ({ hosts: [host(u.port)], pricing: false, captureContent: true, contentMaxBytes: MAX }),
    });
    for (const c of cases) {
      it(`${c.name}: ${c.keys.length === 0 ? 'nothing to capture' : c.keys.join(', ')}; each valid JSON of at most ${MAX}, truncated`, async () => {
        const a = await call(h, c);
        expect(CONTENT_KEYS.filter((k) => a[k] !== undefined)).toEqual(c.keys);
        for (const k of c.keys) {
          const v = a[k] as string;
          expect(v.length, k).toBeLessThanOrEqual(MAX);
          expect(() => JSON.parse(v), k).not.toThrow();
          expect(v, k).toContain(TRUNCATION_MARKER);
        }
        // Metrics never carry content, capture on or off.
        noContentAnywhere(JSON.stringify(await h.metrics()));
      });
    }
  });
}

suite('OpenAI wire formats', openaiCases, (port) => `127.0.0.1:${port}`);
suite('Anthropic Messages', anthropicCases, (port) => `127.0.0.1:${port}=anthropic`);
