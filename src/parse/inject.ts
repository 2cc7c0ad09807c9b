/**
 * Hides what `stream_options.include_usage` adds to a stream when we, not the
 * app, asked for it: the usage-only chunk before `[DONE]` and the
 * `"usage":null` member OpenAI adds to every other chunk. Works on whole
 * events (the app's SDK cannot use a partial event anyway), so it holds at
 * most one event's bytes. Pure.
 */
import { concatBytes } from './bytes.js';
import type { EventKind } from './stream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NULL_USAGE = /,\s*"usage"\s*:\s*null(?=\s*})|"usage"\s*:\s*null\s*,\s*/;

export interface FilteredEvent {
  kind: EventKind;
  /** Offset in the upstream stream just past this event. */
  endOffset: number;
  /** The event's data (to decide whether a rewrite is needed). */
  data: string;
}

export class InjectedUsageFilter {
  private pending: Uint8Array[] = [];
  private pendingLen = 0;
  /** Upstream offset of the first pending byte. */
  private base = 0;

  /** Feeds one upstream chunk and the events it completed; returns the bytes the app should see (maybe empty). */
  push(chunk: Uint8Array, events: readonly FilteredEvent[]): Uint8Array {
    if (events.length === 0) {
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
      return EMPTY;
    }
    const all = concatBytes([...this.pending, chunk], this.pendingLen + chunk.length);
    const out: Uint8Array[] = [];
    let outLen = 0;
    let cursor = 0;
    for (const ev of events) {
      const end = ev.endOffset - this.base;
      let raw = all.subarray(cursor, end);
      cursor = end;
      if (ev.kind === 'usage') continue;
      if (ev.kind === 'output' && ev.data.indexOf('"usage"') !== -1) {
        const text = decoder.decode(raw);
        const rewritten = text.replace(NULL_USAGE, '');
        if (rewritten !== text) raw = encoder.encode(rewritten);
      }
      out.push(raw);
      outLen += raw.length;
    }
    const rest = all.subarray(cursor);
    this.base += cursor;
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLen = rest.length;
    return concatBytes(out, outLen);
  }

  /** End of stream: whatever was not part of a complete event goes to the app unchanged. */
  flush(): Uint8Array {
    const out = concatBytes(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    return out;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Adds `"stream_options":{"include_usage":true}` to a JSON request body that
 * streams and has no stream_options; undefined when the body is not one we
 * can safely rewrite.
 */
export function injectIncludeUsage(body: string): string | undefined {
  const end = body.lastIndexOf('}');
  if (end < 0 || body.slice(end + 1).trim() !== '') return undefined;
  const before = body.slice(0, end).trimEnd();
  const sep = before.endsWith('{') ? '' : ',';
  return `${before}${sep}"stream_options":{"include_usage":true}${body.slice(end)}`;
}
