/**
 * Bug: in an OpenAI stream, a named event (`event: ping` with a JSON body),
 * a JSON object without `choices`, and any non-JSON `data:` line after the
 * first chunk were counted as output chunks, inflating aimon.stream.chunks
 * and time_per_output_chunk. Fix: only unnamed events whose data is a JSON
 * object are chunks; a parsed object without `choices` is not output.
 */
import { expect, it } from 'vitest';
import { StreamSummary } from '../../src/parse/stream.js';

const ev = (data: string, type = 'message') => ({ type, data, oversized: false, endOffset: 0 });
const chunk = (content: string) => JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta: { content } }] });

it('pings, objects without choices and non-JSON lines are "other", not output', () => {
  const s = new StreamSummary();
  const kinds = [
    s.onEvent(ev('{"type":"ping"}', 'ping')),
    s.onEvent(ev('{"object":"status"}')),
    s.onEvent(ev(chunk('a'))),
    s.onEvent(ev('this is not json')),
    s.onEvent(ev('{"type":"ping"}', 'ping')),
    s.onEvent(ev('')),
    s.onEvent(ev(chunk('b'))),
  ];
  expect(kinds).toEqual(['other', 'other', 'output', 'other', 'other', 'other', 'output']);
  expect(s.outputChunks).toBe(2);
  expect(s.summary()).toMatchObject({ id: 'c', model: 'm' });
});
