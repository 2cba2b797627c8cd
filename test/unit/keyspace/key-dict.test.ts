import { describe, expect, it } from 'vitest';
import { keyHash } from '../../../src/keyspace/key-dict.js';
import { KeyTable } from '../../../src/keyspace/table.js';

// The dict against a Map model: random sets and deletes (runs long enough to grow, shrink and
// wrap probe sequences around the end of the bucket array), checked after every step.

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** A table whose keys column the dict reads: slot i holds the key at keys[i]. */
function tableWithDict(): { t: KeyTable; put(key: string): number; drop(key: string): void } {
  const t = new KeyTable();
  const free: number[] = [];
  return {
    t,
    put(key: string): number {
      const s = free.length > 0 ? (free.pop() as number) : t.keys.length;
      t.keys[s] = key;
      t.dict.set(key, s);
      return s;
    },
    drop(key: string): void {
      const s = t.dict.get(key) as number;
      expect(t.dict.delete(key)).toBe(true);
      t.keys[s] = '';
      free.push(s);
    },
  };
}

describe('KeyDict', () => {
  it.each([
    ['draining 64 buckets per operation', 64],
    ['draining 1 bucket per operation (resizes overlap many operations)', 1],
  ])('matches a Map through growth, shrinking and deletions, %s', (_name, rehashStep) => {
    const r = rng(7);
    const { t, put, drop } = tableWithDict();
    t.dict.rehashStep = rehashStep;
    let sawRehash = false;
    const model = new Map<string, number>();
    const universe = 3000;
    for (let step = 0; step < 40000; step++) {
      // Phases: mostly inserts, then mostly deletes, so that the table grows and shrinks.
      const insertBias = Math.floor(step / 10000) % 2 === 0 ? 0.7 : 0.2;
      const key = 'k' + Math.floor(r() * universe);
      if (r() < insertBias) {
        if (!model.has(key)) model.set(key, put(key));
      } else if (model.has(key)) {
        drop(key);
        model.delete(key);
      } else {
        expect(t.dict.delete(key)).toBe(false);
      }
      expect(t.dict.size).toBe(model.size);
      expect(t.dict.get(key)).toBe(model.get(key));
      const other = 'k' + Math.floor(r() * universe);
      expect(t.dict.get(other)).toBe(model.get(other));
      if (t.dict.rehashing) sawRehash = true;
      if (step % 499 === 0) {
        for (const [k, s] of model) expect(t.dict.get(k)).toBe(s);
        for (let i = 0; i < 20; i++) {
          const absent = 'k' + Math.floor(r() * universe);
          expect(t.dict.get(absent)).toBe(model.get(absent));
        }
        expect(t.dict.capacity * 3).toBeGreaterThanOrEqual(t.dict.size * 4);
      }
    }
    expect(sawRehash).toBe(true);
    expect(new Map(t.dict.entries())).toEqual(model);
    // Emptied: back to the minimum capacity.
    for (const k of [...model.keys()]) drop(k);
    expect(t.dict.size).toBe(0);
    expect(t.dict.capacity).toBe(8);
  });

  it('while a resize drains, a key deleted and set again (same slot) is counted and found once', () => {
    const { t, put, drop } = tableWithDict();
    t.dict.rehashStep = 1;
    for (let i = 0; i < 200; i++) put('k' + i);
    // Growing 256 -> 512 buckets started at key 193: moved or not yet, every key must behave.
    expect(t.dict.rehashing).toBe(true);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 200; i++) {
        const s = t.dict.get('k' + i);
        drop('k' + i);
        expect(t.dict.get('k' + i)).toBeUndefined();
        expect(put('k' + i)).toBe(s);
        expect(t.dict.size).toBe(200);
        expect(t.dict.get('k' + i)).toBe(s);
      }
    }
    expect([...t.dict.keys()].sort()).toEqual(Array.from({ length: 200 }, (_, i) => 'k' + i).sort());
  });

  it('finds keys whose home buckets collide, before and after deleting run members', () => {
    // Keys that share a home bucket in a 1024-bucket dict form one long probe run; deleting from
    // its middle must keep every later member reachable (backward shift, no tombstones).
    const { t, put, drop } = tableWithDict();
    for (let i = 0; i < 700; i++) put('fill' + i);
    const cap = t.dict.capacity;
    const colliding: string[] = [];
    for (let i = 0; colliding.length < 12; i++) {
      const k = 'c' + i;
      if ((keyHash(k) & (cap - 1)) === 5) colliding.push(k);
    }
    for (const k of colliding) put(k);
    expect(t.dict.capacity).toBe(cap);
    for (const k of colliding) expect(t.keys[t.dict.get(k) as number]).toBe(k);
    for (let i = 0; i < colliding.length; i += 3) drop(colliding[i]);
    colliding.forEach((k, i) => {
      if (i % 3 === 0) expect(t.dict.has(k)).toBe(false);
      else expect(t.keys[t.dict.get(k) as number]).toBe(k);
    });
    for (let i = 0; i < 700; i++) expect(t.dict.get('fill' + i)).toBe(i);
  });

  it('tells apart keys with the same bytes in another order, empty and non-latin1 keys', () => {
    const { t, put } = tableWithDict();
    const keys = ['', 'ab', 'ba', 'a', 'a\0', '\0a', 'é', 'ü', '\u0100', 'x'.repeat(1000), 'x'.repeat(1001)];
    keys.forEach((k) => put(k));
    keys.forEach((k, i) => expect(t.dict.get(k)).toBe(i));
    expect(t.dict.get('x'.repeat(999))).toBeUndefined();
  });

  it('set on a present key moves it to the new slot without growing', () => {
    const { t, put } = tableWithDict();
    put('a');
    put('b');
    t.keys[5] = 'a';
    t.dict.set('a', 5);
    expect(t.dict.size).toBe(2);
    expect(t.dict.get('a')).toBe(5);
  });
});
