// `node --expose-gc unread.mjs <plain|instrumented>`: N calls whose response
// the app drops without reading or cancelling the body (half JSON, half
// streams still in flight). Prints one JSON line: responses collected, spans
// by outcome, live Exchange records, open sockets, heap after GC.
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Exchange } from '../../../dist/exchange.js';
import { AimonInstrumentation } from '../../../dist/index.js';
import { startFakeUpstream } from '../../../dist/sim/upstream.js';
import { activeSockets, gcUntil, heapAfterGc, liveInstances } from './probe.mjs';

const mode = process.argv[2];
const N = Number(process.argv[3] ?? 200);
const upstream = await startFakeUpstream({ chunks: 50, chunkDelayMs: 20 });
const exporter = new InMemorySpanExporter();
if (mode === 'instrumented') {
  const inst = new AimonInstrumentation({ hosts: [`127.0.0.1:${upstream.port}`], pricing: false });
  inst.setTracerProvider(new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  inst.setMeterProvider(new MeterProvider());
}

let collected = 0;
const responses = new FinalizationRegistry(() => collected++);
const heapBefore = await heapAfterGc();
// In a function of its own, so that no variable of this scope keeps the last response alive.
async function call(i) {
  const stream = i % 2 === 1;
  const res = await fetch(`${upstream.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1', stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  responses.register(res, i);
}
for (let i = 0; i < N; i++) await call(i);
const spans = () => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@aimon/otel');
const expectedSpans = mode === 'instrumented' ? N : 0;
const ok = await gcUntil(() => collected === N && spans().length === expectedSpans, 20_000);
// Connections still open right after the responses were collected (keep-alive or still streaming), then after a while.
await new Promise((r) => setTimeout(r, 100));
const socketsAtCollect = activeSockets();
await gcUntil(() => activeSockets() === 0, 2000);
const outcomes = {};
for (const s of spans()) {
  const k = `${s.attributes['aimon.outcome']}/${s.attributes['gen_ai.request.stream']}`;
  outcomes[k] = (outcomes[k] ?? 0) + 1;
}
exporter.reset();
const out = {
  ok,
  socketsAtCollect,
  collected,
  outcomes,
  liveExchanges: await liveInstances(Exchange.prototype),
  sockets: activeSockets(),
  heapGrowth: (await heapAfterGc()) - heapBefore,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
await upstream.close();
process.exit(0);
