/**
 * Incremental Server-Sent Events parser over bytes (WHATWG "event stream
 * interpretation"): BOM, CR / LF / CRLF line ends (a CRLF may be split across
 * chunks), comments, `event:` and multi-line `data:` fields. Lines are split on
 * bytes 0x0A and 0x0D, which never occur inside a multi-byte UTF-8 sequence, so
 * a chunk boundary inside a character is harmless; data is decoded once per
 * event, replacing invalid UTF-8 rather than throwing.
 *
 * Memory is bounded by one event: a line or event larger than `maxEventBytes`
 * is dropped and reported as oversized.
 */
import { concatBytes } from './bytes.js';

export interface SseEvent {
  /** The `event:` field, or 'message'. */
  type: string;
  /** The data lines joined with '\n'. Empty when `oversized`. */
  data: string;
  /** True when the event exceeded maxEventBytes and its data was dropped. */
  oversized: boolean;
  /** Offset, in bytes of the whole stream, just past the blank line that ended this event. */
  endOffset: number;
}

export type SseListener = (event: SseEvent) => void;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function fieldIs(line: Uint8Array, len: number, name: string): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if (line[i] !== name.charCodeAt(i)) return false;
  return true;
}

export class SseParser {
  private readonly maxEventBytes: number;
  private readonly onEvent: SseListener;
  /** Pieces of a line that started in an earlier chunk. */
  private partial: Uint8Array[] = [];
  private partialLen = 0;
  private lineTooLong = false;
  private skipLF = false;
  private bomChecked = false;
  private dataPieces: Uint8Array[] = [];
  private dataLen = 0;
  private hasData = false;
  private eventType = '';
  private oversized = false;
  private offset = 0;

  constructor(onEvent: SseListener, maxEventBytes = 1 << 20) {
    this.onEvent = onEvent;
    this.maxEventBytes = maxEventBytes;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    const n = chunk.length;
    if (!this.bomChecked && n > 0) {
      // The BOM may only appear at the very start; a chunk of 1-2 bytes that
      // could begin one is rare enough that we only check whole prefixes.
      this.bomChecked = true;
      if (n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) pos = 3;
    }
    if (this.skipLF && pos < n) {
      if (chunk[pos] === LF) pos++;
      this.skipLF = false;
    }
    let nextCR = chunk.indexOf(CR, pos);
    while (pos < n) {
      let nl = chunk.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
      let isCR = false;
      if (nextCR !== -1 && (nl === -1 || nextCR < nl)) {
        nl = nextCR;
        isCR = true;
      }
      if (nl === -1) {
        this.keepPartial(chunk.subarray(pos));
        this.offset += n - pos;
        return;
      }
      let line: Uint8Array;
      if (this.partialLen > 0 || this.lineTooLong) {
        this.keepPartial(chunk.subarray(pos, nl));
        line = this.takePartial();
      } else {
        line = chunk.subarray(pos, nl);
      }
      let next = nl + 1;
      if (isCR) {
        if (next < n) {
          if (chunk[next] === LF) next++;
        } else {
          this.skipLF = true;
        }
      }
      this.offset += next - pos;
      pos = next;
      this.line(line);
    }
  }

  /** End of stream: an event without its terminating blank line is discarded (per the spec). */
  end(): void {
    this.partial = [];
    this.partialLen = 0;
    this.resetEvent();
  }

  private keepPartial(piece: Uint8Array): void {
    if (this.lineTooLong) return;
    if (this.partialLen + piece.length > this.maxEventBytes) {
      this.lineTooLong = true;
      this.partial = [];
      this.partialLen = 0;
      return;
    }
    if (piece.length > 0) {
      // Copy: the caller may reuse the chunk's buffer after push() returns.
      this.partial.push(piece.slice());
      this.partialLen += piece.length;
    }
  }

  private takePartial(): Uint8Array {
    if (this.lineTooLong) {
      this.lineTooLong = false;
      this.oversized = true;
      this.partial = [];
      this.partialLen = 0;
      // The line's content is gone; treat it as an oversized data line.
      return new Uint8Array(0);
    }
    const out = concatBytes(this.partial, this.partialLen);
    this.partial = [];
    this.partialLen = 0;
    return out;
  }

  private line(line: Uint8Array): void {
    const len = line.length;
    if (len === 0) {
      if (this.oversized) {
        this.onEvent({ type: this.eventType || 'message', data: '', oversized: true, endOffset: this.offset });
      } else if (this.hasData) {
        const data = decoder.decode(concatBytes(this.dataPieces, this.dataLen));
        this.onEvent({ type: this.eventType || 'message', data, oversized: false, endOffset: this.offset });
      }
      this.resetEvent();
      return;
    }
    if (line[0] === COLON) return;
    let colon = line.indexOf(COLON);
    if (colon === -1) colon = len;
    let vStart = colon + 1;
    if (vStart < len && line[vStart] === SPACE) vStart++;
    if (fieldIs(line, colon, 'data')) {
      const value = vStart <= len ? line.subarray(vStart) : new Uint8Array(0);
      const add = value.length + (this.hasData ? 1 : 0);
      if (this.oversized || this.dataLen + add > this.maxEventBytes) {
        this.oversized = true;
        this.dataPieces = [];
        this.dataLen = 0;
        return;
      }
      if (this.hasData) this.dataPieces.push(NEWLINE);
      // Copy: the event may complete in a later chunk, and the app owns this one.
      this.dataPieces.push(value.slice());
      this.dataLen += add;
      this.hasData = true;
    } else if (fieldIs(line, colon, 'event')) {
      this.eventType = vStart <= len ? decoder.decode(line.subarray(vStart)) : '';
    }
    // `id:` and `retry:` carry nothing we record.
  }

  private resetEvent(): void {
    this.dataPieces = [];
    this.dataLen = 0;
    this.hasData = false;
    this.eventType = '';
    this.oversized = false;
  }
}

const NEWLINE = new Uint8Array([LF]);
