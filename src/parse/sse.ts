/**
 * Incremental Server-Sent Events parser over bytes (WHATWG "event stream
 * interpretation"): BOM, CR / LF / CRLF line ends (a CRLF may be split across
 * chunks), comments, `event:` and multi-line `data:` fields. Lines are split on
 * bytes 0x0A and 0x0D, which never occur inside a multi-byte UTF-8 sequence, so
 * a chunk boundary inside a character is harmless; data is decoded once per
 * event, replacing invalid UTF-8 rather than throwing.
 *
 * Memory is bounded by one event: a line or event larger than `maxEventBytes`
 * is dropped and reported as oversized (an over-long comment line is just
 * ignored), with the same result whatever the chunking.
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

/**
 * Index of `byte` in `a` from `from`, or -1. Node's Buffer search (memchr)
 * works on any Uint8Array and is about 8x faster here than
 * Uint8Array.prototype.indexOf, which compares element by element.
 */
const bufferIndexOf = Buffer.prototype.indexOf as (this: Uint8Array, value: number, byteOffset: number) => number;
function indexOfByte(a: Uint8Array, byte: number, from: number): number {
  return bufferIndexOf.call(a, byte, from);
}

function fieldIs(line: Uint8Array, len: number, name: string): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if (line[i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * UTF-8 text of a[start, end): Node's native slice (no view to allocate, no
 * JS wrapper), which replaces invalid sequences exactly as TextDecoder does
 * (tested); TextDecoder where it is missing.
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (this: Uint8Array, start: number, end: number) => string }).utf8Slice;
function decodeRange(a: Uint8Array, start: number, end: number): string {
  return utf8Slice !== undefined ? utf8Slice.call(a, start, end) : decoder.decode(a.subarray(start, end));
}

/** `data:` at `pos`, with its colon inside the chunk. */
function isDataField(c: Uint8Array, pos: number, n: number): boolean {
  return pos + 5 <= n && c[pos] === 0x64 && c[pos + 1] === 0x61 && c[pos + 2] === 0x74 && c[pos + 3] === 0x61 && c[pos + 4] === COLON;
}

export class SseParser {
  private readonly maxEventBytes: number;
  private readonly onEvent: SseListener;
  /** Pieces of a line that started in an earlier chunk. */
  private partial: Uint8Array[] = [];
  private partialLen = 0;
  private lineTooLong = false;
  private partialComment = false;
  private skipLF = false;
  /** BOM bytes matched so far at the stream start; -1 once past it. */
  private bomMatched = 0;
  /** An event whose blank line ended in a CR at the end of a chunk (see push). */
  private deferred: SseEvent | undefined;
  /** Stream offset just past the line being handled. */
  private lineEnd = 0;
  private dataPieces: Uint8Array[] = [];
  /** dataPieces holds views of the chunk being parsed (see push). */
  private viewsPending = false;
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
    this.pushChunk(chunk);
    // Data lines are kept as views of the chunk while it is being parsed (most
    // events begin and end in one chunk and are decoded straight from it);
    // what is still pending when the chunk is done is copied, since the app
    // owns the chunk.
    if (this.viewsPending) {
      this.dataPieces = this.dataPieces.map((p) => p.slice());
      this.viewsPending = false;
    }
  }

  private pushChunk(chunk: Uint8Array): void {
    let pos = 0;
    const n = chunk.length;
    // Offsets are counted from the chunk start, so skipped bytes (BOM, the LF
    // of a split CRLF) are never left out of endOffset.
    const base = this.offset;
    this.offset += n;
    if (this.bomMatched >= 0) {
      // The BOM may only appear at the very start, and may be split across chunks.
      while (this.bomMatched < 3 && pos < n && chunk[pos] === BOM[this.bomMatched]) {
        this.bomMatched++;
        pos++;
      }
      if (this.bomMatched === 3) {
        this.bomMatched = -1;
      } else if (pos < n) {
        // Only the start of a BOM: those bytes belong to the first line.
        if (this.bomMatched > 0) this.keepPartial(BOM.subarray(0, this.bomMatched));
        this.bomMatched = -1;
      } else {
        return;
      }
    }
    if (this.skipLF && pos < n) {
      const lf = chunk[pos] === LF;
      if (lf) pos++;
      this.skipLF = false;
      // An event ended by a CR at the end of the last chunk: its CRLF is complete now.
      if (this.deferred !== undefined) this.dispatchDeferred(lf ? 1 : 0);
    }
    let nextCR = indexOfByte(chunk, CR, pos);
    while (pos < n) {
      // Fast path, the shape of nearly every event an LLM API sends: a
      // single `data:` line and a blank line, whole in this chunk, with no
      // CR anywhere after it and nothing pending. Same event as the general
      // path below, without a line object or a data piece per line.
      if (nextCR === -1 && this.partialLen === 0 && !this.hasData && !this.oversized && this.eventType === '' && isDataField(chunk, pos, n)) {
        const nl = indexOfByte(chunk, LF, pos);
        const vStart = pos + (chunk[pos + 5] === SPACE ? 6 : 5);
        if (nl !== -1 && nl + 1 < n && chunk[nl + 1] === LF && nl - pos <= this.maxEventBytes && !this.lineTooLong) {
          pos = nl + 2;
          this.lineEnd = base + pos;
          this.onEvent({ type: 'message', data: decodeRange(chunk, vStart, nl), oversized: false, endOffset: this.lineEnd });
          continue;
        }
      }
      let nl = indexOfByte(chunk, LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = indexOfByte(chunk, CR, pos);
      let isCR = false;
      if (nextCR !== -1 && (nl === -1 || nextCR < nl)) {
        nl = nextCR;
        isCR = true;
      }
      if (nl === -1) {
        this.keepPartial(chunk.subarray(pos));
        return;
      }
      let line: Uint8Array | undefined;
      if (this.partialLen > 0 || this.lineTooLong) {
        this.keepPartial(chunk.subarray(pos, nl));
        line = this.takePartial();
      } else {
        line = chunk.subarray(pos, nl);
        if (line.length > this.maxEventBytes) {
          this.tooLongLine(line[0] === COLON);
          line = undefined;
        }
      }
      let next = nl + 1;
      let splitCRLF = false;
      if (isCR) {
        if (next < n) {
          if (chunk[next] === LF) next++;
        } else {
          this.skipLF = true;
          splitCRLF = true;
        }
      }
      pos = next;
      this.lineEnd = base + next;
      // A blank line ended by the chunk's last byte, a CR: wait for the next
      // byte so that endOffset covers the LF of a CRLF whatever the chunking.
      if (line !== undefined) this.line(line, splitCRLF);
    }
  }

  /** End of stream: an event without its terminating blank line is discarded (per the spec). */
  end(): void {
    if (this.deferred !== undefined) this.dispatchDeferred(0);
    this.partial = [];
    this.partialLen = 0;
    this.lineTooLong = false;
    this.skipLF = false;
    this.resetEvent();
  }

  private dispatchDeferred(extra: number): void {
    const ev = this.deferred!;
    this.deferred = undefined;
    ev.endOffset += extra;
    this.onEvent(ev);
  }

  /** A line longer than maxEventBytes: its content is gone; a comment is ignored, anything else spoils the event. */
  private tooLongLine(comment: boolean): void {
    if (comment) return;
    this.oversized = true;
    this.dataPieces = [];
    this.dataLen = 0;
  }

  private keepPartial(piece: Uint8Array): void {
    if (this.lineTooLong) return;
    if (this.partialLen === 0 && piece.length > 0) this.partialComment = piece[0] === COLON;
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

  private takePartial(): Uint8Array | undefined {
    if (this.lineTooLong) {
      this.lineTooLong = false;
      this.partial = [];
      this.partialLen = 0;
      this.tooLongLine(this.partialComment);
      return undefined;
    }
    const out = concatBytes(this.partial, this.partialLen);
    this.partial = [];
    this.partialLen = 0;
    return out;
  }

  private line(line: Uint8Array, defer: boolean): void {
    const len = line.length;
    if (len === 0) {
      let ev: SseEvent | undefined;
      if (this.oversized) {
        ev = { type: this.eventType || 'message', data: '', oversized: true, endOffset: this.lineEnd };
      } else if (this.hasData) {
        const data = decoder.decode(concatBytes(this.dataPieces, this.dataLen));
        ev = { type: this.eventType || 'message', data, oversized: false, endOffset: this.lineEnd };
      }
      this.resetEvent();
      if (ev !== undefined) {
        if (defer) this.deferred = ev;
        else this.onEvent(ev);
      }
      return;
    }
    if (line[0] === COLON) return;
    let colon = indexOfByte(line, COLON, 0);
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
      this.dataPieces.push(value);
      this.viewsPending = true;
      this.dataLen += add;
      this.hasData = true;
    } else if (fieldIs(line, colon, 'event')) {
      this.eventType = vStart <= len ? decoder.decode(line.subarray(vStart)) : '';
    }
    // `id:` and `retry:` carry nothing we record.
  }

  private resetEvent(): void {
    this.dataPieces = [];
    this.viewsPending = false;
    this.dataLen = 0;
    this.hasData = false;
    this.eventType = '';
    this.oversized = false;
  }
}

const NEWLINE = new Uint8Array([LF]);
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
