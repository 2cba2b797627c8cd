// The listpack form of hashes (src/types/hash-packed.ts) and HashValue over it: a seeded random
// workload runs on a HashValue and on a plain JS model (an insertion-ordered list of pairs,
// written out independently), and after every step the contents, their order, the encoding and
// the packed string's invariants (packedCheck) must agree. Binary bytes, empty strings and
// lengths that need multi-byte varints are part of the workload. Also: setPairs equals that
// many set() calls; conversion happens at exactly the thresholds; a converted hash does not keep
// its old packed string alive (its Map holds copies, not SlicedStrings of it).

import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { HashValue, type EncodingConfig } from '../../../src/types/hash.js';
import { packedCheck, packedCount, packPairs, packedEntries } from '../../../src/types/hash-packed.js';
import { mulberry32 } from '../../helpers/prng.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function config(entries: number, value: number): EncodingConfig {
  return { num: (n: string) => (n === 'hash-max-listpack-entries' ? entries : n === 'hash-max-listpack-value' ? value : NaN) };
}

/** The model: pairs in listpack order, and the encoding Redis would be in. */
class Model {
  pairs: Array<[string, string]> = [];
  big = false;
  set(f: string, v: string, cfg: EncodingConfig): boolean {
    const i = this.pairs.findIndex(([k]) => k === f);
    if (i >= 0) this.pairs[i] = [f, v];
    else this.pairs.push([f, v]);
    const maxV = cfg.num('hash-max-listpack-value');
    if (f.length > maxV || v.length > maxV || this.pairs.length > cfg.num('hash-max-listpack-entries')) this.big = true;
    return i < 0;
  }
  delete(f: string): boolean {
    const i = this.pairs.findIndex(([k]) => k === f);
    if (i < 0) return false;
    this.pairs.splice(i, 1);
    return true;
  }
}

/** Strings with every kind of byte: \x00, \xff, CR LF, empty, and long ones (2-byte varints). */
function pool(r: () => number): string[] {
  const out = ['', '\x00', '\xff', '\x00\xff\r\n', 'a', 'field', '\x80\x81\x7f', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(300)];
  for (let i = 0; i < 20; i++) {
    const len = Math.floor(r() * 40);
    let s = '';
    for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(r() * 256));
    out.push(s);
  }
  return out;
}

function check(h: HashValue, m: Model): void {
  expect([...h.entries()]).toEqual(m.pairs);
  expect(h.size).toBe(m.pairs.length);
  expect(h.big).toBe(m.big);
  expect(h.encoding()).toBe(m.big ? 'hashtable' : 'listpack');
  expect([...h.keys()]).toEqual(m.pairs.map(([f]) => f));
  expect([...h.values()]).toEqual(m.pairs.map(([, v]) => v));
  const each: Array<[string, string]> = [];
  h.forEach((f, v) => each.push([f, v]));
  expect(each).toEqual(m.pairs);
  if (!m.big) {
    const packed = h.packed as string;
    expect(packedCheck(packed)).toBe(null);
    expect(packedCount(packed)).toBe(m.pairs.length);
    expect(h.fieldArray()).toEqual(m.pairs.map(([f]) => f));
    expect(h.valueArray()).toEqual(m.pairs.map(([, v]) => v));
  } else {
    expect(h.packed).toBe(null);
    expect(h.valueArray()).toBe(null);
  }
}

describe('listpack hashes against a model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random workload, seed ${seed}`, () => {
      const r = mulberry32(seed);
      const strings = pool(r);
      // Small limits so that conversions happen; value limit raised past 127 on some seeds.
      const cfg = config(4 + (seed % 3) * 6, seed % 2 === 0 ? 300 : 64);
      let h = new HashValue();
      let m = new Model();
      for (let step = 0; step < 1500; step++) {
        const f = strings[Math.floor(r() * 12)]; // few distinct fields: updates and re-adds
        const v = strings[Math.floor(r() * strings.length)];
        const op = r();
        if (op < 0.45) {
          expect(h.set(f, v, cfg)).toBe(m.set(f, v, cfg));
        } else if (op < 0.6) {
          const args: string[] = [];
          const k = 1 + Math.floor(r() * 4);
          for (let i = 0; i < k; i++) args.push(strings[Math.floor(r() * 12)], strings[Math.floor(r() * strings.length)]);
          let created = 0;
          for (let i = 0; i < args.length; i += 2) if (m.set(args[i], args[i + 1], cfg)) created++;
          expect(h.setPairs(['HSET', 'k', ...args], 2, cfg)).toBe(created);
        } else if (op < 0.9) {
          expect(h.delete(f)).toBe(m.delete(f));
        } else if (op < 0.95) {
          expect(h.get(f)).toBe(m.pairs.find(([k]) => k === f)?.[1]);
          expect(h.has(f)).toBe(m.pairs.some(([k]) => k === f));
        } else {
          // Start over (a key deleted and created again), sometimes from a loader.
          if (r() < 0.5) {
            h = new HashValue();
            m = new Model();
          } else {
            const map = new Map(m.pairs);
            h = HashValue.from(map, cfg);
            const maxV = cfg.num('hash-max-listpack-value');
            m.big = map.size > cfg.num('hash-max-listpack-entries') || m.pairs.some(([a, b]) => a.length > maxV || b.length > maxV);
          }
        }
        if (m.pairs.length === 0 && !m.big) expect(h.packed).toBe('');
        check(h, m);
        const c = h.clone();
        check(c, m);
      }
    });
  }
});

describe('HashValue listpack details', () => {
  it('setPairs: duplicates in one call, updates in place, appends in first-seen order', () => {
    const cfg = config(128, 64);
    const h = new HashValue();
    expect(h.setPairs(['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'], 2, cfg)).toBe(3);
    expect(h.setPairs(['HSET', 'k', 'd', 'x', 'b', 'B', 'd', 'y', 'a', '', 'e', '\x00'], 2, cfg)).toBe(2);
    expect([...h.entries()]).toEqual([
      ['a', ''],
      ['b', 'B'],
      ['c', '3'],
      ['d', 'y'],
      ['e', '\x00'],
    ]);
    expect(packedCheck(h.packed as string)).toBe(null);
  });

  it('converts at exactly the thresholds, and when the entries limit was lowered below the size', () => {
    const h = new HashValue();
    const cfg = config(3, 5);
    h.setPairs(['HSET', 'k', 'a', '12345', 'b', '2', 'c', '3'], 2, cfg);
    expect(h.encoding()).toBe('listpack');
    expect(h.set('c', '33333', cfg)).toBe(false);
    expect(h.encoding()).toBe('listpack');
    // A 4th field in one multi-pair call converts, keeping the order.
    expect(h.setPairs(['HSET', 'k', 'a', '0', 'd', '4'], 2, cfg)).toBe(1);
    expect(h.encoding()).toBe('hashtable');
    expect([...h.keys()]).toEqual(['a', 'b', 'c', 'd']);

    const g = HashValue.from(
      new Map([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]),
      cfg,
    );
    expect(g.encoding()).toBe('listpack');
    // The limit lowered to 2: reads and deletes keep the listpack, any set converts (as hashTypeSet).
    const lowered = config(2, 5);
    g.delete('zz');
    expect(g.encoding()).toBe('listpack');
    expect(g.set('b', '2', lowered)).toBe(false);
    expect(g.encoding()).toBe('hashtable');
    expect([...g.entries()]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);

    const v = new HashValue();
    v.set('f', 'x'.repeat(5), cfg);
    expect(v.encoding()).toBe('listpack');
    v.set('x'.repeat(6), '', cfg);
    expect(v.encoding()).toBe('hashtable');
    expect(HashValue.from(new Map([['f', 'x'.repeat(6)]]), cfg).encoding()).toBe('hashtable');
    expect(HashValue.from(new Map([['f', 'x'.repeat(5)]]), cfg).encoding()).toBe('listpack');
  });

  it('lengths and counts past one varint byte', () => {
    const cfg = config(1000, 100_000);
    const h = new HashValue();
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 300; i++) {
      const p: [string, string] = [`f${i}`, String.fromCharCode(i % 256).repeat(i * 7)];
      pairs.push(p);
      h.set(p[0], p[1], cfg);
    }
    expect(h.encoding()).toBe('listpack');
    expect(packedCheck(h.packed as string)).toBe(null);
    expect([...h.entries()]).toEqual(pairs);
    // The count goes back under 128 (its varint shrinks to one byte) as fields are deleted.
    for (let i = 299; i >= 0; i--) if (i % 3 !== 0) expect(h.delete(`f${i}`)).toBe(true);
    const left = pairs.filter((_, i) => i % 3 === 0);
    expect(h.size).toBe(100);
    expect(packedCheck(h.packed as string)).toBe(null);
    expect([...h.entries()]).toEqual(left);
    expect(packPairs(left)).toBe(h.packed);
    expect([...packedEntries(h.packed as string)]).toEqual(left);
    // A value whose length varint grows and shrinks in place keeps its position.
    const f = left[5][0];
    h.set(f, 'q'.repeat(20_000), cfg);
    h.set(f, 'q', cfg);
    left[5] = [f, 'q'];
    expect([...h.entries()]).toEqual(left);
    expect(packedCheck(h.packed as string)).toBe(null);
  });

  it('random picks come from the hash, uniformly enough', () => {
    const cfg = config(128, 64);
    const h = new HashValue();
    for (let i = 0; i < 10; i++) h.set(`f${i}`, `v${i}`, cfg);
    const seen = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const f = h.randomField();
      seen.set(f, (seen.get(f) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([...h.keys()].sort());
    for (const n of seen.values()) expect(n).toBeGreaterThan(350);
  });

  it('a converted hash keeps no reference to its packed string', () => {
    // 300 hashes of 100 pairs of 50-byte values (packed strings of ~5.3 KB), converted by a long
    // value; then all but one short field deleted. If the Map's strings were SlicedStrings of the
    // packed string, each hash would keep its ~5 KB alive (1.5 MB in all); copies keep nothing.
    const cfg = config(128, 64);
    const hashes: HashValue[] = [];
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    for (let k = 0; k < 300; k++) {
      const h = new HashValue();
      const args: string[] = [];
      for (let i = 0; i < 100; i++) args.push(`field-${i}`, `${k}:${i}:`.padEnd(50, 'v'));
      h.setPairs(args, 0, cfg);
      hashes.push(h);
    }
    const h0 = heap();
    for (const h of hashes) {
      h.set('long', 'L'.repeat(65), cfg);
      expect(h.encoding()).toBe('hashtable');
      for (let i = 1; i < 100; i++) h.delete(`field-${i}`);
      h.delete('long');
    }
    const grew = heap() - h0;
    expect(hashes[7].get('field-0')).toBe('7:0:'.padEnd(50, 'v'));
    // Each hash is now a Map of one pair (a few hundred bytes) instead of a 5 KB string.
    expect(grew).toBeLessThan(0);
    expect(grew / hashes.length).toBeLessThan(-3000);
  });
});
