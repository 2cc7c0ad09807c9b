/**
 * Trace context and baggage across the proxy, with the W3C propagators the
 * proxy's SDK installs: the client's context is continued by the proxy span
 * and handed upstream; without a span of ours the client's headers pass as
 * they came (the proxy skips re-injecting them, so this pins the result).
 */
import { diag, propagation } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { GenAiTelemetry } from '../../src/telemetry.js';
import { proxyConfig, recordingServer, startTestProxy, type RecordingServer } from './helpers.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

function post(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }));
  });
}

let up: RecordingServer;
const running: RunningProxy[] = [];

beforeAll(async () => {
  up = await recordingServer();
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
  up.requests.length = 0;
});
afterAll(async () => {
  propagation.disable();
  await up.close();
});

describe('trace context across the proxy', () => {
  it('with tracing: the proxy span continues the client trace and is the parent upstream; baggage passes', async () => {
    const p = await startTestProxy(['--upstream', `http://127.0.0.1:${up.port}/v1`]);
    running.push(p);
    expect(await post(`${p.url}/v1/chat/completions`, { traceparent: `00-${TRACE}-${PARENT}-01`, baggage: 'team=search' })).toBe(200);
    const [span] = p.tel.spans.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe(TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(PARENT);
    const h = up.requests[0]!.headers;
    expect(h.traceparent).toBe(`00-${TRACE}-${span!.spanContext().spanId}-01`);
    expect(h.baggage).toBe('team=search');
  });

  it('with tracing and no client context: the upstream gets the proxy span as parent of a new trace', async () => {
    const p = await startTestProxy(['--upstream', `http://127.0.0.1:${up.port}/v1`]);
    running.push(p);
    expect(await post(`${p.url}/v1/chat/completions`, {})).toBe(200);
    const [span] = p.tel.spans.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(up.requests[0]!.headers.traceparent).toBe(`00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`);
  });

  it('without tracing: the client headers reach the upstream unchanged, and none are added', async () => {
    const { config: aimonConfig } = resolveConfig({ defaultHosts: false }, {});
    const telemetry = new GenAiTelemetry(
      new NodeTracerProvider().getTracer('t'),
      new MeterProvider().getMeter('m'),
      aimonConfig,
      diag,
      { tracing: false },
    );
    const p = await startProxy(proxyConfig(['--upstream', `http://127.0.0.1:${up.port}/v1`]), { telemetry, aimonConfig, diag });
    running.push(p);
    const tp = `00-${TRACE}-${PARENT}-00`;
    expect(await post(`${p.url}/v1/chat/completions`, { traceparent: tp, tracestate: 'k=v', baggage: 'team=search,  tier=free' })).toBe(200);
    expect(await post(`${p.url}/v1/chat/completions`, {})).toBe(200);
    const [withCtx, without] = up.requests;
    expect([withCtx!.headers.traceparent, withCtx!.headers.tracestate, withCtx!.headers.baggage]).toEqual([tp, 'k=v', 'team=search,  tier=free']);
    expect([without!.headers.traceparent, without!.headers.tracestate, without!.headers.baggage]).toEqual([undefined, undefined, undefined]);
  });
});
