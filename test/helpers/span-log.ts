/** A SpanProcessor that logs each span's start and end, in order, as "start <name>" and "end <name>". */
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export function spanLog(events: string[]): SpanProcessor {
  return {
    onStart: (s) => void events.push(`start ${(s as unknown as ReadableSpan).name}`),
    onEnd: (s) => void events.push(`end ${s.name}`),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}
