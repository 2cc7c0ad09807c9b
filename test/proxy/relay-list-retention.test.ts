/**
 * Regression: the relays in flight were kept in a Set. One add and one delete
 * per request rehash it every few dozen requests, and V8 links each obsolete
 * hash table to its successor with the entries it held; once a dead table was
 * promoted, every later request's objects survived young-generation GCs until
 * the next full GC (about 6 KB promoted per request, twice the GC time per
 * request at concurrency 32). The list that replaced it must leave nothing
 * reachable from a relay that left it.
 */
import { describe, expect, it } from 'vitest';
import { RelayList, type Relay } from '../../src/proxy/relay.js';

type Node = { name: string; listPrev: Relay | undefined; listNext: Relay | undefined };
const node = (name: string): Relay => ({ name, listPrev: undefined, listNext: undefined }) as Node as unknown as Relay;
const names = (l: RelayList): string[] => l.toArray().map((r) => (r as unknown as Node).name);

describe('RelayList (relays in flight)', () => {
  it('adds, removes at the head, middle and tail, and counts', () => {
    const l = new RelayList();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(node) as [Relay, Relay, Relay, Relay];
    for (const r of [a, b, c, d]) l.add(r);
    expect(l.size).toBe(4);
    expect(names(l).sort()).toEqual(['a', 'b', 'c', 'd']);
    l.delete(b);
    expect(names(l).sort()).toEqual(['a', 'c', 'd']);
    l.delete(d);
    l.delete(a);
    expect(names(l)).toEqual(['c']);
    l.delete(c);
    expect(l.size).toBe(0);
    expect(l.toArray()).toEqual([]);
  });

  it('a relay that left the list holds no link to another relay', () => {
    const l = new RelayList();
    const rs = Array.from({ length: 100 }, (_, i) => node(String(i)));
    for (const r of rs) l.add(r);
    for (let i = 0; i < rs.length; i += 2) l.delete(rs[i]!);
    for (let i = 0; i < rs.length; i += 2) {
      expect(rs[i]!.listPrev).toBeUndefined();
      expect(rs[i]!.listNext).toBeUndefined();
    }
    expect(l.size).toBe(50);
    expect(names(l).map(Number).sort((x, y) => x - y)).toEqual(rs.map((_, i) => i).filter((i) => i % 2 === 1));
  });

  it('toArray is a copy: cancelling while iterating visits every relay once', () => {
    const l = new RelayList();
    const rs = ['a', 'b', 'c'].map(node);
    for (const r of rs) l.add(r);
    const seen: string[] = [];
    for (const r of l.toArray()) {
      seen.push((r as unknown as Node).name);
      l.delete(r);
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(l.size).toBe(0);
  });
});
