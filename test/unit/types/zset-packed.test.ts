// The listpack form of sorted sets (types/zset-packed.ts behind ZSetValue): random operations on
// a small set against a plain sorted-array reference (which implements Redis's listpack walks,
// lex ranges included) and against the same operations on a skiplist set; score encodings at
// every boundary round-trip exactly; conversion happens exactly at the thresholds and keeps
// every member; sets built whole get the load-time encoding; clones are independent.

import { describe, expect, it } from 'vitest';
import { ZSetValue } from '../../../src/types/zset-value.js';
import {
  lexGteMin,
  lexLteMax,
  lexRangeIsEmpty,
  parseLexRange,
  scoreGteMin,
  scoreLteMax,
  scoreRangeIsEmpty,
  type LexRange,
  type ScoreRange,
} from '../../../src/types/zset-range.js';
import { mulberry32 } from '../../helpers/prng.js';

type Pair = [string, number];

const cfgOf = (entries: number, value: number) => ({
  num: (name: string) => (name === 'zset-max-listpack-entries' ? entries : name === 'zset-max-listpack-value' ? value : 0),
});
/** Never converts: the listpack form at any size (counts past 127 take a 2-byte varint). */
const NEVER = cfgOf(1e9, 1e9);
/** Always the skiplist form. */
const ALWAYS = cfgOf(0, 0);

/** Rank order: score, then member bytes. */
function byRank(a: Pair, b: Pair): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The reference: a sorted array, and Redis's listpack algorithms written over it. */
class Ref {
  a: Pair[] = [];

  add(m: string, s: number): 'added' | 'updated' | 'unchanged' {
    if (s === 0) s = 0;
    const i = this.a.findIndex((p) => p[0] === m);
    if (i >= 0 && this.a[i][1] === s) return 'unchanged';
    if (i >= 0) this.a.splice(i, 1);
    this.a.push([m, s]);
    this.a.sort(byRank);
    return i >= 0 ? 'updated' : 'added';
  }
  delete(m: string): boolean {
    const i = this.a.findIndex((p) => p[0] === m);
    if (i < 0) return false;
    this.a.splice(i, 1);
    return true;
  }
  clampRanks(start: number, stop: number): [number, number] {
    return [Math.max(0, start), Math.min(this.a.length - 1, stop)];
  }
  byRank(start: number, stop: number, reverse: boolean): Pair[] {
    const [lo, hi] = this.clampRanks(start, stop);
    if (lo > hi) return [];
    const src = reverse ? [...this.a].reverse() : this.a;
    return src.slice(lo, hi + 1);
  }
  inScore(r: ScoreRange): Pair[] {
    if (scoreRangeIsEmpty(r)) return [];
    return this.a.filter((p) => scoreGteMin(p[1], r) && scoreLteMax(p[1], r));
  }
  byScore(r: ScoreRange, reverse: boolean, offset: number, limit: number): Pair[] {
    if (offset < 0 || limit === 0) return [];
    const inr = this.inScore(r);
    const src = reverse ? inr.reverse() : inr;
    return src.slice(offset, limit < 0 ? undefined : offset + limit);
  }
  /** zzlFirstInLexRange / zzlLastInLexRange. */
  lexEdge(r: LexRange, last: boolean): number {
    const a = this.a;
    const n = a.length;
    if (n === 0 || lexRangeIsEmpty(r) || !lexGteMin(a[n - 1][0], r) || !lexLteMax(a[0][0], r)) return -1;
    if (!last) {
      for (let i = 0; i < n; i++) if (lexGteMin(a[i][0], r)) return lexLteMax(a[i][0], r) ? i : -1;
    } else {
      for (let i = n - 1; i >= 0; i--) if (lexLteMax(a[i][0], r)) return lexGteMin(a[i][0], r) ? i : -1;
    }
    return -1;
  }
  byLex(r: LexRange, reverse: boolean, offset: number, limit: number): Pair[] {
    const out: Pair[] = [];
    if (offset < 0 || limit === 0) return out;
    let i = this.lexEdge(r, reverse);
    if (i < 0) return out;
    if (!reverse) {
      for (i += offset; i < this.a.length && limit !== 0 && lexLteMax(this.a[i][0], r); i++, limit--) out.push(this.a[i]);
    } else {
      for (i -= offset; i >= 0 && limit !== 0 && lexGteMin(this.a[i][0], r); i--, limit--) out.push(this.a[i]);
    }
    return out;
  }
  lexRun(r: LexRange): [number, number] {
    const i = this.lexEdge(r, false);
    if (i < 0) return [0, 0];
    let j = i;
    while (j < this.a.length && lexLteMax(this.a[j][0], r)) j++;
    return [i, j];
  }
}

/** Scores at every encoding boundary of zset-packed.ts, and the usual suspects. */
const SPECIAL_SCORES = [
  0, -0, 1, 2, 239, 240, 241, -1, -239, 1.5, -1.5, 0.1, 0.2, 0.25, 0.3, 99.99, 1.001, -0.001, 0.0005, 1234567.891,
  2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 47, -(2 ** 47), 2 ** 52 - 1, -(2 ** 52) + 1, 2 ** 52, -(2 ** 52),
  2 ** 52 + 1, -(2 ** 52) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 60, -(2 ** 60),
  (2 ** 52 - 1) / 10, -(2 ** 52 - 1) / 1000, 450359962737049.5, -450359962737049.5,
  1_700_000_000, 1_700_000_000_123, 1_700_000_000_123.5, 1e300, -1e300, 1e-300, 5e-324, -5e-324, 2 ** -10, Math.fround(1.1),
  1 / 3, Math.PI, Infinity, -Infinity, 9007199254740.993, 0.1 + 0.2, 123.456, -123.456, 1e21, 1e22 + 0.5,
];

function randomScore(rnd: () => number): number {
  const k = rnd();
  if (k < 0.35) return SPECIAL_SCORES[Math.floor(rnd() * SPECIAL_SCORES.length)];
  if (k < 0.6) return Math.floor(rnd() * 8); // ties
  if (k < 0.75) return Math.floor(rnd() * 20000 - 10000) / 100; // two decimals
  if (k < 0.9) return (rnd() - 0.5) * 1e6;
  return Math.floor(rnd() * 2 ** 40) * (rnd() < 0.5 ? -1 : 1);
}

/** Members with NULs, 0xff bytes, the empty string, prefixes of each other, 13+ chars, 200 chars. */
const MEMBERS: string[] = ['', 'a', 'b', 'ab', 'a\x00', '\x00', '\xff', '\x00\xff', '\xff\x00', 'member:1', 'member:10', 'member:2'];
for (let i = 0; i < 120; i++) MEMBERS.push(`m${i}`);
for (let i = 0; i < 60; i++) MEMBERS.push(`long-member-name-${i}-${'x'.repeat(i % 7)}`);
for (let i = 0; i < 12; i++) MEMBERS.push(String.fromCharCode(i * 23, 255 - i, 0, i) + 'y'.repeat(i * 20));
MEMBERS.push('z'.repeat(200), 'z'.repeat(127), 'z'.repeat(128));

function randomLexItem(rnd: () => number): string {
  const k = rnd();
  if (k < 0.1) return '-';
  if (k < 0.2) return '+';
  const m = MEMBERS[Math.floor(rnd() * MEMBERS.length)];
  const cut = m.slice(0, Math.floor(rnd() * (m.length + 1)));
  return (rnd() < 0.5 ? '[' : '(') + cut;
}

function randomScoreRange(rnd: () => number): ScoreRange {
  let a = randomScore(rnd);
  let b = randomScore(rnd);
  if (rnd() < 0.8 && a > b) [a, b] = [b, a];
  if (rnd() < 0.1) a = -Infinity;
  if (rnd() < 0.1) b = Infinity;
  return { min: a, max: b, minex: rnd() < 0.3, maxex: rnd() < 0.3 };
}

/** Every reading of the two sets and the reference agree (lex readings against the reference only). */
function compareAll(z: ZSetValue, big: ZSetValue, ref: Ref, rnd: () => number, step: number): void {
  const want = ref.a;
  const n = want.length;
  const ctx = `step ${step}`;
  expect([ctx, z.size]).toEqual([ctx, n]);
  expect([ctx, [...z.entries()]]).toEqual([ctx, want]);
  expect([ctx, [...z]]).toEqual([ctx, want]);
  expect([ctx, [...big.entries()]]).toEqual([ctx, want]);
  expect(z.encoding()).toBe('listpack');
  expect(big.encoding()).toBe('skiplist');
  const sorted = [...z.entriesAnyOrder()].sort(byRank);
  expect([ctx, sorted]).toEqual([ctx, want]);
  for (let k = 0; k < 4; k++) {
    const m = MEMBERS[Math.floor(rnd() * MEMBERS.length)];
    const i = want.findIndex((p) => p[0] === m);
    expect([ctx, m, z.score(m)]).toEqual([ctx, m, i < 0 ? undefined : want[i][1]]);
    expect(z.has(m)).toBe(i >= 0);
    expect([ctx, m, z.rank(m)]).toEqual([ctx, m, i < 0 ? undefined : i]);
    expect([ctx, m, z.rank(m, true)]).toEqual([ctx, m, i < 0 ? undefined : n - 1 - i]);
  }
  for (const r of [-1, 0, n - 1, n, Math.floor(rnd() * (n + 2))]) expect([ctx, r, z.at(r)]).toEqual([ctx, r, want[r]]);
  const collect = (f: (fn: (m: string, s: number) => void) => void): Pair[] => {
    const out: Pair[] = [];
    f((m, s) => out.push([m, s]));
    return out;
  };
  for (let k = 0; k < 3; k++) {
    const start = Math.floor(rnd() * (n + 4)) - 2;
    const stop = Math.floor(rnd() * (n + 4)) - 2;
    const rev = rnd() < 0.5;
    const got = collect((fn) => z.rangeByRank(start, stop, rev, fn));
    expect([ctx, 'rank', start, stop, rev, got]).toEqual([ctx, 'rank', start, stop, rev, ref.byRank(start, stop, rev)]);
    expect(got).toEqual(collect((fn) => big.rangeByRank(start, stop, rev, fn)));

    const sr = randomScoreRange(rnd);
    const offset = rnd() < 0.2 ? -1 : Math.floor(rnd() * 4);
    const limit = rnd() < 0.4 ? -1 : Math.floor(rnd() * 5);
    const gotS = collect((fn) => z.rangeByScore(sr, rev, offset, limit, fn));
    expect([ctx, 'score', sr, rev, offset, limit, gotS]).toEqual([ctx, 'score', sr, rev, offset, limit, ref.byScore(sr, rev, offset, limit)]);
    expect(gotS).toEqual(collect((fn) => big.rangeByScore(sr, rev, offset, limit, fn)));
    expect([ctx, 'count', sr, z.countByScore(sr)]).toEqual([ctx, 'count', sr, ref.inScore(sr).length]);
    expect(big.countByScore(sr)).toBe(z.countByScore(sr));

    const lr = parseLexRange(randomLexItem(rnd), randomLexItem(rnd)) as LexRange;
    const gotL = collect((fn) => z.rangeByLex(lr, rev, offset, limit, fn));
    expect([ctx, 'lex', lr, rev, offset, limit, gotL]).toEqual([ctx, 'lex', lr, rev, offset, limit, ref.byLex(lr, rev, offset, limit)]);
    const [i, j] = ref.lexRun(lr);
    expect([ctx, 'lexcount', lr, z.countByLex(lr)]).toEqual([ctx, 'lexcount', lr, j - i]);
  }
  z.checkInvariants();
  big.checkInvariants();
}

describe('listpack zsets: random operations against a reference and a skiplist set', () => {
  for (const seed of [11, 12, 13, 14]) {
    it(`seed ${seed}: 3000 operations`, () => {
      const rnd = mulberry32(seed);
      const z = new ZSetValue();
      const big = new ZSetValue();
      const ref = new Ref();
      const clones: Array<[ZSetValue, Pair[]]> = [];
      let maxSize = 0;
      for (let step = 0; step < 3000; step++) {
        // Phases of growth and shrinkage take the size across 127/128 (the count's varint width).
        const growing = Math.floor(step / 500) % 2 === 0;
        const op = rnd();
        const m = MEMBERS[Math.floor(rnd() * MEMBERS.length)];
        if (op < (growing ? 0.8 : 0.25)) {
          const s = randomScore(rnd);
          const r = z.add(m, s, NEVER);
          expect([step, m, s, r]).toEqual([step, m, s, ref.add(m, s)]);
          expect(big.add(m, s, ALWAYS)).toBe(r);
        } else if (op < 0.65) {
          expect([step, m, z.delete(m)]).toEqual([step, m, ref.delete(m)]);
          big.delete(m);
        } else if (op < 0.7) {
          const start = Math.floor(rnd() * 6) - 1;
          const stop = start + Math.floor(rnd() * 4);
          const want = ref.byRank(start, stop, false).map((p) => p[0]);
          expect([step, z.deleteRangeByRank(start, stop)]).toEqual([step, want]);
          expect(big.deleteRangeByRank(start, stop)).toEqual(want);
          for (const w of want) ref.delete(w);
        } else if (op < 0.75) {
          const sr = randomScoreRange(rnd);
          const want = ref.inScore(sr).map((p) => p[0]);
          if (want.length > 6) continue;
          expect([step, z.deleteRangeByScore(sr)]).toEqual([step, want]);
          expect(big.deleteRangeByScore(sr)).toEqual(want);
          for (const w of want) ref.delete(w);
        } else if (op < 0.8) {
          const lr = parseLexRange(randomLexItem(rnd), randomLexItem(rnd)) as LexRange;
          const [i, j] = ref.lexRun(lr);
          if (j - i > 6) continue;
          const want = ref.a.slice(i, j).map((p) => p[0]);
          expect([step, lr, z.deleteRangeByLex(lr)]).toEqual([step, lr, want]);
          for (const w of want) {
            ref.delete(w);
            big.delete(w);
          }
        } else if (op < 0.85) {
          const count = Math.floor(rnd() * 4);
          const max = rnd() < 0.5;
          const want = max ? ref.byRank(0, count - 1, true) : ref.byRank(0, count - 1, false);
          expect([step, max ? z.popMax(count) : z.popMin(count)]).toEqual([step, want]);
          expect(max ? big.popMax(count) : big.popMin(count)).toEqual(want);
          for (const w of want) ref.delete(w[0]);
        } else if (op < 0.87) {
          clones.push([z.clone(), ref.a.map((p) => [p[0], p[1]] as Pair)]);
        } else if (op < 0.88 && ref.a.length > 0) {
          const e = z.randomEntry();
          expect(ref.a).toContainEqual(e);
        } else {
          compareAll(z, big, ref, rnd, step);
        }
        maxSize = Math.max(maxSize, ref.a.length);
      }
      compareAll(z, big, ref, rnd, 3000);
      expect(maxSize).toBeGreaterThan(130);
      // Clones kept what the set held when they were made, whatever happened to it since.
      for (const [c, want] of clones) {
        expect([...c.entries()]).toEqual(want);
        expect(c.encoding()).toBe('listpack');
        c.checkInvariants();
      }
    });
  }

  it('a set emptied and refilled starts from an empty string again', () => {
    const z = new ZSetValue();
    z.add('a', 1, NEVER);
    expect(z.delete('a')).toBe(true);
    expect(z.packed).toBe('');
    expect(z.size).toBe(0);
    z.checkInvariants();
    z.add('b', 2, NEVER);
    z.add('c', 3, NEVER);
    expect(z.popMin(5)).toEqual([['b', 2], ['c', 3]]);
    expect(z.packed).toBe('');
    z.add('d', 4, NEVER);
    z.clear();
    expect(z.size).toBe(0);
    expect(z.encoding()).toBe('listpack');
  });
});

describe('listpack zsets: score and member encodings', () => {
  it('every special score reads back exactly (-0 as 0), in order with its neighbours', () => {
    const z = new ZSetValue();
    const want: Pair[] = [];
    SPECIAL_SCORES.forEach((s, i) => {
      z.add(`s${i}`, s, NEVER);
      want.push([`s${i}`, s === 0 ? 0 : s]);
    });
    want.sort(byRank);
    expect([...z.entries()]).toEqual(want);
    for (const [m, s] of want) expect(Object.is(z.score(m), s)).toBe(true);
    expect(Object.is(z.score(`s${SPECIAL_SCORES.indexOf(-0)}`), 0)).toBe(true);
    z.checkInvariants();
    // Random doubles of every magnitude and sign.
    const rnd = mulberry32(5);
    const y = new ZSetValue();
    const bits = new Float64Array(1);
    const u32 = new Uint32Array(bits.buffer);
    for (let i = 0; i < 500; i++) {
      u32[0] = Math.floor(rnd() * 2 ** 32);
      u32[1] = Math.floor(rnd() * 2 ** 32);
      const s = bits[0];
      if (s !== s) continue;
      y.add('r' + i, s, NEVER);
      expect(Object.is(y.score('r' + i), s === 0 ? 0 : s)).toBe(true);
    }
    y.checkInvariants();
  });

  it('a NaN score is refused', () => {
    const z = new ZSetValue();
    expect(() => z.add('a', NaN, NEVER)).toThrow(/NaN/);
    expect(z.size).toBe(0);
    expect(() => ZSetValue.from([['a', NaN]], NEVER)).toThrow(/NaN/);
  });

  it('is compact: ten 8-byte members with scores n * 1.5 fit in 109 bytes', () => {
    const pairs: Pair[] = [];
    for (let j = 0; j < 10; j++) pairs.push([`member:${j}`, j * 1.5]);
    const z = ZSetValue.from(pairs, cfgOf(128, 64));
    expect(z.encoding()).toBe('listpack');
    // count 1 + 10 × (length 1 + member 8) + scores: 5 small ints (1 byte), 1.5 and 4.5 (tag +
    // zigzag 30, 90: 2 bytes), 7.5, 10.5, 13.5 (zigzag 150, 210, 270: 3 bytes)
    expect(z.packed.length).toBe(1 + 90 + 5 + 2 * 2 + 3 * 3);
    expect([...z.entries()]).toEqual(pairs);
  });

  it('members of 127, 128 and 200 bytes and counts of 127/128 entries use longer varints', () => {
    const z = new ZSetValue();
    for (let i = 0; i < 127; i++) z.add(`k${i}`, i, NEVER);
    const at127 = z.packed.length;
    z.add('k127', 127, NEVER);
    expect(z.packed.length).toBe(at127 + 1 /* count varint */ + 1 + 4 + 1);
    z.add('z'.repeat(127), 1000, NEVER);
    z.add('y'.repeat(128), 1000, NEVER);
    z.add('x'.repeat(200), -1000, NEVER);
    z.checkInvariants();
    expect(z.rank('x'.repeat(200))).toBe(0);
    expect(z.at(130)).toEqual(['z'.repeat(127), 1000]);
    expect(z.score('y'.repeat(128))).toBe(1000);
    expect(z.popMin(1)).toEqual([['x'.repeat(200), -1000]]);
    for (let i = 0; i < 3; i++) z.popMax(1);
    expect(z.size).toBe(127);
    z.checkInvariants();
  });
});

describe('listpack zsets: conversion and encodings', () => {
  it('converts exactly when a new member makes the set too long, or is too long itself; never back', () => {
    const rnd = mulberry32(99);
    for (let round = 0; round < 40; round++) {
      const entries = 1 + Math.floor(rnd() * 12);
      const value = 1 + Math.floor(rnd() * 20);
      const cfg = cfgOf(entries, value);
      const z = new ZSetValue();
      const ref = new Ref();
      let big = false;
      for (let step = 0; step < 60; step++) {
        const m = 'q'.repeat(Math.floor(rnd() * (value + 2))) + String.fromCharCode(Math.floor(rnd() * 6));
        if (rnd() < 0.7) {
          const r = ref.add(m, Math.floor(rnd() * 5));
          expect(z.add(m, ref.a.find((p) => p[0] === m)![1], cfg)).toBe(r);
          if (r === 'added' && (ref.a.length > entries || m.length > value)) big = true;
        } else {
          expect(z.delete(m)).toBe(ref.delete(m));
        }
        expect([round, step, z.encoding()]).toEqual([round, step, big ? 'skiplist' : 'listpack']);
        expect([...z.entries()]).toEqual(ref.a);
        z.checkInvariants();
      }
    }
  });

  it('from(): listpack when it fits, a repeated member keeps its last score', () => {
    const cfg = cfgOf(3, 4);
    const a = ZSetValue.from([['a', 1], ['b', 2], ['a', 5], ['c', -0], ['b', 2]], cfg);
    expect(a.encoding()).toBe('listpack');
    expect([...a.entries()]).toEqual([['c', 0], ['b', 2], ['a', 5]]);
    a.checkInvariants();
    expect(ZSetValue.from([['a', 1], ['b', 2], ['c', 3], ['d', 4]], cfg).encoding()).toBe('skiplist');
    expect(ZSetValue.from([['abcde', 1]], cfg).encoding()).toBe('skiplist');
    expect(ZSetValue.from([['abcd', 1]], cfg).encoding()).toBe('listpack');
    // Too many only counting repeats once: still fits.
    expect(ZSetValue.from([['a', 1], ['b', 1], ['c', 1], ['a', 2], ['b', 2]], cfg).encoding()).toBe('listpack');
    const empty = ZSetValue.from([], cfg);
    expect(empty.size).toBe(0);
    expect(empty.encoding()).toBe('listpack');
    // A big build from members cut out of a listpack keeps equal members (copies).
    const src = ZSetValue.from(
      Array.from({ length: 3 }, (_, i) => [`a-long-member-${i}`, i] as Pair),
      cfgOf(128, 64),
    );
    const copy = ZSetValue.from(src.entries(), cfgOf(1, 64), true);
    expect(copy.encoding()).toBe('skiplist');
    expect([...copy.entries()]).toEqual([...src.entries()]);
    copy.checkInvariants();
  });

  it('clone() keeps the encoding and shares nothing mutable', () => {
    const small = ZSetValue.from([['a', 1], ['b', 2]], cfgOf(128, 64));
    const c = small.clone();
    c.add('c', 3, cfgOf(128, 64));
    small.delete('a');
    expect([...small.entries()]).toEqual([['b', 2]]);
    expect([...c.entries()]).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    expect(c.encoding()).toBe('listpack');
    const big = ZSetValue.from([['a', 1], ['b', 2]], ALWAYS);
    const bc = big.clone();
    expect(bc.encoding()).toBe('skiplist');
    bc.add('z', 0, ALWAYS);
    expect(big.size).toBe(2);
    expect(bc.size).toBe(3);
    bc.checkInvariants();
  });
});
