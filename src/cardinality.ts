import { OVERFLOW_VALUE } from './semconv.js';

/**
 * Caps the distinct values one metric label may take. The first `max` values
 * seen are kept; later ones collapse into OVERFLOW_VALUE, so a misconfigured
 * or hostile model name cannot create unbounded series. Spans keep the full
 * value: only metric labels go through a cap.
 */
export class LabelCap {
  private readonly seen = new Set<string>();
  private overflowed = false;
  constructor(
    readonly max: number,
    private readonly onOverflow?: (value: string) => void,
  ) {}

  cap(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size < this.max) {
      this.seen.add(value);
      return value;
    }
    if (!this.overflowed) {
      this.overflowed = true;
      this.onOverflow?.(value);
    }
    return OVERFLOW_VALUE;
  }

  get size(): number {
    return this.seen.size;
  }
}
