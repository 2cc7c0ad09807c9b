/**
 * A cache keyed by a short list of values (strings, numbers, booleans,
 * undefined), as nested Maps: no key string is built, so a lookup costs a few
 * Map reads and two different lists can never collide (even when a value
 * contains any separator one could choose). Bounded: when full, it is
 * emptied, so it is only for things that can be rebuilt (bound recorders).
 * Every key list of one cache with the same first value must have the same
 * length. Pure: no OTel imports.
 */
export type KeyPart = string | number | boolean | undefined;

export class KeyedCache<T> {
  private root = new Map<KeyPart, unknown>();
  private count = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  get(keys: readonly KeyPart[], create: () => T): T {
    let m = this.root;
    const last = keys.length - 1;
    for (let i = 0; i < last; i++) {
      let next = m.get(keys[i]) as Map<KeyPart, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        m.set(keys[i], next);
      }
      m = next;
    }
    const hit = m.get(keys[last]) as T | undefined;
    if (hit !== undefined) return hit;
    if (this.count >= this.max) {
      this.clear();
      return this.get(keys, create);
    }
    const v = create();
    m.set(keys[last], v);
    this.count++;
    return v;
  }

  clear(): void {
    this.root = new Map();
    this.count = 0;
  }
}
