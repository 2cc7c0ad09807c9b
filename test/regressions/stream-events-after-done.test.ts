// Events after `data: [DONE]` were counted as output chunks (inflating
// aimon.stream.chunks and time_per_output_chunk) and could overwrite the
// model, usage and finish reasons, although SDKs ignore them.
import { expect, it } from 'vitest';
import { StreamSummary } from '../../src/parse/stream.js';

const ev = (data: string) => ({ type: 'message', data, oversized: false, endOffset: 0 });

it('events after [DONE] are "other" and leave the summary alone', () => {
  const s = new StreamSummary();
  const kinds = [
    s.onEvent(ev('{"id":"a","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}')),
    s.onEvent(ev('[DONE]')),
    s.onEvent(ev('{"id":"b","model":"n","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}')),
    s.onEvent({ type: 'message', data: '', oversized: true, endOffset: 0 }),
  ];
  expect(kinds).toEqual(['output', 'done', 'other', 'other']);
  expect(s.outputChunks).toBe(1);
  expect(s.summary()).toEqual({ id: 'a', model: 'm', finishReasons: ['stop'] });
});
