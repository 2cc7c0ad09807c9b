// Prints what register changed in the process: fetch identity, signal and
// exit listeners, OpenTelemetry API globals.
const pristine = globalThis.__aimonTestPristineFetch;
const WRAPPED = Symbol.for('@aimon/otel.wrapped-fetch');
const inner = globalThis.fetch[WRAPPED];
process.stdout.write(
  `${JSON.stringify({
    fetchIsOriginal: globalThis.fetch === pristine,
    wrappedOnce: inner === pristine,
    sigterm: process.listenerCount('SIGTERM'),
    sigint: process.listenerCount('SIGINT'),
    beforeExit: process.listenerCount('beforeExit'),
    otelGlobals: Object.getOwnPropertySymbols(globalThis).map(String).filter((s) => s.includes('opentelemetry')),
    sdk: globalThis[Symbol.for('@aimon/otel.sdk')] === undefined ? 'unset' : globalThis[Symbol.for('@aimon/otel.sdk')] === null ? 'null' : 'running',
  })}\n`,
);
