import { describe, expect, it } from 'vitest';
import { keyHash } from '../../../src/keyspace/key-dict.js';
import { KeyTable } from '../../../src/keyspace/table.js';
import { Checks } from '../../helpers/checks.js';

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
      if (!t.dict.delete(key)) throw new Error(`delete(${key}) found nothing`);
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
    const ck = new Checks();
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
        ck.is(t.dict.delete(key), false, `step ${step}: delete of absent ${key}`);
      }
      ck.is(t.dict.size, model.size, `step ${step}: size`);
      ck.is(t.dict.get(key), model.get(key), `step ${step}: get ${key}`);
      const other = 'k' + Math.floor(r() * universe);
      ck.is(t.dict.get(other), model.get(other), `step ${step}: get ${other}`);
      if (t.dict.rehashing) sawRehash = true;
      if (step % 499 === 0) {
        for (const [k, s] of model) ck.is(t.dict.get(k), s, `step ${step}: get ${k}`);
        for (let i = 0; i < 20; i++) {
          const absent = 'k' + Math.floor(r() * universe);
          ck.is(t.dict.get(absent), model.get(absent), `step ${step}: get ${absent}`);
        }
        ck.ok(t.dict.capacity * 3 >= t.dict.size * 4, `step ${step}: load factor over 3/4 (capacity ${t.dict.capacity}, size ${t.dict.size})`);
      }
    }
    ck.done();
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

  // Bulk mode (snapshot loading): set() records, the build inserts in bucket order in steps.
  describe('bulk loading', () => {
    /** Two different keys with the same 32-bit hash (the hash is seeded per process: searched). */
    function fullHashCollision(): [string, string] {
      const seen = new Map<number, string>();
      for (let i = 0; ; i++) {
        const k = 'h' + i;
        const h = keyHash(k);
        const other = seen.get(h);
        if (other !== undefined) return [other, k];
        seen.set(h, k);
      }
    }

    it('finds every key recorded in bulk, through collisions and wrapping runs, and works normally after', () => {
      const t = new KeyTable();
      const n = 5000;
      const keys: string[] = [];
      for (let i = 0; i < n - 40; i++) keys.push('key:' + i);
      // The built table has capacityFor(n) buckets: 16384. Keys homed in its last buckets make
      // runs that wrap around the end; a full-hash collision needs the key comparison.
      const cap = 16384;
      for (let i = 0; keys.length < n - 2; i++) {
        const k = 'w' + i;
        if ((keyHash(k) & (cap - 1)) >= cap - 2) keys.push(k);
      }
      keys.push(...fullHashCollision());
      t.dict.beginBulk();
      keys.forEach((k, s) => {
        t.keys[s] = k;
        t.dict.set(k, s);
      });
      expect(t.dict.size).toBe(n);
      let steps = 0;
      while (!t.dict.buildStep(700)) steps++;
      expect(steps).toBeGreaterThan(3 * Math.floor(n / 700) - 2);
      expect(t.dict.bulkLoading).toBe(false);
      expect(t.dict.bulkDuplicate).toBe(-1);
      expect(t.dict.capacity).toBe(cap);
      expect(t.dict.size).toBe(n);
      keys.forEach((k, s) => expect(t.dict.get(k)).toBe(s));
      for (let i = 0; i < 200; i++) expect(t.dict.get('absent:' + i)).toBeUndefined();
      // Ordinary use afterwards: delete half (shrinks are backward shifts over the built runs).
      const model = new Map(keys.map((k, s) => [k, s]));
      keys.forEach((k, s) => {
        if (s % 2 === 0) {
          expect(t.dict.delete(k)).toBe(true);
          model.delete(k);
        }
      });
      for (const [k, s] of model) expect(t.dict.get(k)).toBe(s);
      expect(new Map(t.dict.entries())).toEqual(model);
    });

    it('reports a key recorded twice (the second slot) and keeps the first', () => {
      const t = new KeyTable();
      t.dict.beginBulk();
      ['a', 'b', 'c', 'b', 'd'].forEach((k, s) => {
        t.keys[s] = k;
        t.dict.set(k, s);
      });
      while (!t.dict.buildStep(2));
      expect(t.dict.bulkDuplicate).toBe(3);
      expect(t.dict.size).toBe(4);
      expect(t.dict.get('b')).toBe(1);
      expect([...t.dict.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('any other use in bulk mode finishes the build first', () => {
      const t = new KeyTable();
      const put = (k: string, s: number) => {
        t.keys[s] = k;
        t.dict.set(k, s);
      };
      // A lookup while recording.
      t.dict.beginBulk();
      for (let i = 0; i < 100; i++) put('k' + i, i);
      expect(t.dict.get('k42')).toBe(42);
      expect(t.dict.bulkLoading).toBe(false);
      // A set and a delete after the build began: the build completes, then they apply.
      t.dict.clear();
      t.dict.beginBulk();
      for (let i = 0; i < 100; i++) put('k' + i, i);
      expect(t.dict.buildStep(10)).toBe(false);
      put('k200', 200);
      expect(t.dict.bulkLoading).toBe(false);
      expect(t.dict.size).toBe(101);
      expect(t.dict.get('k200')).toBe(200);
      t.dict.clear();
      t.dict.beginBulk();
      for (let i = 0; i < 100; i++) put('k' + i, i);
      expect(t.dict.delete('k7')).toBe(true);
      expect(t.dict.get('k7')).toBeUndefined();
      expect(t.dict.size).toBe(99);
      // Copies of the slots too.
      t.dict.clear();
      t.dict.beginBulk();
      for (let i = 0; i < 50; i++) put('k' + i, i);
      expect([...t.dict.slots()].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('an empty bulk load builds to an empty dict; only an empty dict enters bulk mode', () => {
      const t = new KeyTable();
      t.dict.beginBulk();
      while (!t.dict.buildStep(1));
      expect(t.dict.size).toBe(0);
      expect(t.dict.get('x')).toBeUndefined();
      t.keys[0] = 'x';
      t.dict.set('x', 0);
      expect(() => t.dict.beginBulk()).toThrow(/empty/);
    });
  });
});
