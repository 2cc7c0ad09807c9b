// A minimal OpenAI-style SSE upstream in its own process that streams as many
// megabytes as asked (`?mb=N`), in 64 KiB writes of realistic chunk events
// (`usage: null` on each, as with include_usage), then a finish chunk, the
// usage chunk and [DONE]. Honours backpressure, so it never buffers the stream.
import { createServer } from 'node:http';

const chunk = (i, extra = {}) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-big',
    object: 'chat.completion.chunk',
    created: 1764374400,
    model: 'gpt-4.1',
    system_fingerprint: 'fp_sim',
    choices: [{ index: 0, delta: { content: ` word${i % 100}` }, logprobs: null, finish_reason: null }],
    usage: null,
    ...extra,
  })}\n\n`;
let blockText = '';
for (let i = 0; blockText.length < 65536 - 300; i++) blockText += chunk(i);
const block = Buffer.from(blockText);
const eventsPerBlock = blockText.split('\n\n').length - 1;

const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    const mb = Number(new URL(req.url, 'http://x').searchParams.get('mb') ?? 1);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    let sent = 0;
    let events = 0;
    while (sent < mb * 1048576) {
      if (res.destroyed) return;
      sent += block.length;
      events += eventsPerBlock;
      if (!res.write(block)) await new Promise((r) => res.once('drain', r));
    }
    const last = JSON.parse(chunk(0).slice(6));
    last.choices = [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }];
    res.write(`data: ${JSON.stringify(last)}\n\n`);
    res.write(`data: ${JSON.stringify({ ...last, choices: [], usage: { prompt_tokens: 20, completion_tokens: events, total_tokens: 20 + events } })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
