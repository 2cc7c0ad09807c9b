/**
 * Bug: a 200 JSON body with invalid UTF-8 was decoded with replacement
 * characters and summarised (gen_ai.response.id "\ufffd\ufffd\ufffd")
 * instead of being recorded as unparseable. Fix: fatal UTF-8 decoding.
 */
import { expect, it, beforeAll, afterAll } from 'vitest';
import { startReplayServer, type ReplayServer } from '../helpers/replay-server.js';
import { useHarness } from '../helpers/harness.js';

let replay: ReplayServer;
const h = useHarness({ instrumentation: () => ({ hosts: [`127.0.0.1:${replay.port}`], pricing: false }) });
beforeAll(async () => {
  replay = await startReplayServer({
    '/v1/chat/completions': {
      headers: { 'content-type': 'application/json' },
      // {"id":"<ff fe c3>","model":"gpt-4.1"}
      chunks: [Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","model":"gpt-4.1"}')])],
    },
  });
});
afterAll(() => replay.close());

it('is recorded as unparseable, and the app still gets its bytes', async () => {
  const res = await fetch(`${replay.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"gpt-4.1","messages":[]}' });
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect([...bytes.subarray(7, 10)]).toEqual([0xff, 0xfe, 0xc3]);
  const span = h.genAiSpans()[0]!;
  expect(span.attributes['aimon.response.unparseable']).toBe(true);
  expect(span.attributes['gen_ai.response.id']).toBeUndefined();
  expect(span.attributes['gen_ai.response.model']).toBeUndefined();
});
