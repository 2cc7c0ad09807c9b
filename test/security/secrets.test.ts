/**
 * No secret leaves the app through us. An app run with register (traces and
 * metrics by OTLP to a raw capturing receiver, spans also on the console,
 * metrics also on the embedded Prometheus endpoint, OTEL_LOG_LEVEL=debug)
 * makes calls carrying distinctive secrets in the Authorization, api-key,
 * x-api-key and cookie headers and in the query string, through ok, error and
 * broken responses. Everything is captured and grepped: OTLP bodies, /metrics,
 * stdout (console spans and the app's error messages) and stderr (diag).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../src/sim/upstream.js';
import { ensureBuilt, freePort, spawnApp } from '../helpers/processes.js';

const SECRETS = {
  auth: 'sk-AUTHSECRET0a1b2c3d4e5f',
  apiKey: 'APIKEYSECRET9z8y7x',
  xApiKey: 'XAPIKEYSECRET6w5v4u',
  cookie: 'COOKIESECRET3t2s1r',
  query: 'QUERYSECRET0q9p8o',
  query2: 'QUERYSECRET2n7m6l',
  sdkKey: 'sk-SDKSECRET5k4j3i',
  otlpHeader: 'OTLPHEADERSECRET2h1g',
};

let upstream: FakeUpstream;
let receiver: Server;
let receiverUrl: string;
const otlpBodies: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream({ chunks: 4 });
  receiver = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      // Headers the exporter sent are part of what leaves the process too (the OTLP header is expected there only).
      otlpBodies.push(`${req.url} ${Buffer.concat(parts).toString('utf8')}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
}, 120_000);
afterAll(async () => {
  await upstream.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

function leaks(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
}

describe('secrets', () => {
  it('appear in no span, metric, /metrics line, diag line or error message', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const app = spawnApp(
      '../../security/apps/secrets.mjs',
      {
        AIMON_HOSTS: `127.0.0.1:${upstream.port}`,
        UPSTREAM_BASE_URL: upstream.baseURL,
        SECRETS: JSON.stringify(SECRETS),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${SECRETS.otlpHeader}`,
        OTEL_TRACES_EXPORTER: 'otlp,console',
        OTEL_METRICS_EXPORTER: 'otlp,prometheus',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        OTEL_LOG_LEVEL: 'debug',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      },
      { args: [] },
    );
    try {
      await app.waitForOutput(/^ready$/m, 40_000);
      const scraped = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      app.send('exit');
      expect(await app.exited).toEqual({ code: 0, signal: null });

      const otlp = otlpBodies.join('\n');
      const errorsLine = /^errors (.*)$/m.exec(app.stdout())![1]!;
      const errors = JSON.parse(errorsLine) as Array<{ message: string }>;
      // The capture is real: spans of both scopes, metrics and errors were produced.
      expect(otlp).toContain('@aimon/otel');
      expect(otlp).toContain('@opentelemetry/instrumentation-undici');
      expect(otlp).toContain('gen_ai.client.operation.duration');
      // The query is recorded with its names only.
      expect(otlp).toContain('?key=REDACTED&api-key=REDACTED');
      expect(scraped).toContain('gen_ai_client_operation_duration');
      expect(errors.length).toBeGreaterThanOrEqual(4);
      expect(app.stderr().length).toBeGreaterThan(0);

      expect({
        otlp: leaks(otlp),
        metrics: leaks(scraped),
        stdout: leaks(app.stdout()),
        stderr: leaks(app.stderr()),
      }).toEqual({ otlp: [], metrics: [], stdout: [], stderr: [] });
    } finally {
      app.child.kill('SIGKILL');
    }
  });
});
