// ZSet (B+tree + dict) against a naive sorted-array model, plus the range parsers. Range
// expectations marked "observed" come from redis 7.0.15 (raw RESP socket).
import { describe, expect, it } from 'vitest';
import { ZSet } from '../../../src/types/zset.js';
import { type LexRange, type ScoreRange, parseLexRange, parseScoreRange } from '../../../src/types/zset-range.js';
import { mulberry32 } from '../../helpers/prng.js';

type Entry = [string, number];

/** The model: a plain array kept sorted by (score, member bytes). */
class Model {
  items: Entry[] = [];
  private idx(m: string): number {
    return this.items.findIndex((e) => e[0] === m);
  }
  set(m: string, s: number): string {
    if (s === 0) s = 0;
    const i = this.idx(m);
    if (i >= 0 && this.items[i]![1] === s) return 'unchanged';
    if (i >= 0) this.items.splice(i, 1);
    this.items.push([m, s]);
    this.items.sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return i >= 0 ? 'updated' : 'added';
  }
  delete(m: string): boolean {
    const i = this.idx(m);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
  rank(m: string, rev: boolean): number | undefined {
    const i = this.idx(m);
    if (i < 0) return undefined;
    return rev ? this.items.length - 1 - i : i;
  }
  inScore(s: number, r: ScoreRange): boolean {
    return (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
  }
  inLex(m: string, r: LexRange): boolean {
    const geMin = r.minInf !== 0 ? r.minInf < 0 : r.minex ? m > r.min : m >= r.min;
    const leMax = r.maxInf !== 0 ? r.maxInf > 0 : r.maxex ? m < r.max : m <= r.max;
    return geMin && leMax;
  }
}

function window(list: Entry[], rev: boolean, offset: number, limit: number): Entry[] {
  if (offset < 0) return [];
  const l = rev ? [...list].reverse() : list;
  return limit < 0 ? l.slice(offset) : l.slice(offset, offset + limit);
}

function collect(f: (fn: (m: string, s: number) => void) => void): Entry[] {
  const out: Entry[] = [];
  f((m, s) => out.push([m, s]));
  return out;
}

const SCORES = [-Infinity, -2.5, -1, 0, 0.1, 1, 1, 1, 2, 3.75, 1e9, Infinity];

function randomMember(rnd: () => number): string {
  // Short strings over bytes that stress byte order: NUL, digits, letters, 0x7f, 0x80, 0xff.
  const alphabet = '\x0019AZaz\x7f\x80\xff';
  const len = Math.floor(rnd() * 4);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

function randomScore(rnd: () => number): number {
  return rnd() < 0.7 ? SCORES[Math.floor(rnd() * SCORES.length)]! : Math.round((rnd() - 0.5) * 2000) / 8;
}

function randomScoreRange(rnd: () => number): ScoreRange {
  let a = randomScore(rnd);
  let b = randomScore(rnd);
  if (rnd() < 0.8 && a > b) [a, b] = [b, a];
  return { min: a, max: b, minex: rnd() < 0.3, maxex: rnd() < 0.3 };
}

function randomLexRange(rnd: () => number): LexRange {
  const item = (): string => {
    const t = rnd();
    if (t < 0.1) return '-';
    if (t < 0.2) return '+';
    return (rnd() < 0.5 ? '(' : '[') + randomMember(rnd);
  };
  let a = item();
  let b = item();
  if (rnd() < 0.7 && a.slice(1) > b.slice(1) && a !== '-' && b !== '+') [a, b] = [b, a];
  return parseLexRange(a, b)!;
}

function expectSame(z: ZSet, m: Model): void {
  expect(z.size).toBe(m.items.length);
  expect([...z]).toEqual(m.items);
}

describe('ZSet vs model', () => {
  // Node capacities: small ones build deep trees from the few hundred members the model holds,
  // so splits, merges and borrows happen at every level.
  it.each([
    [1, 4],
    [2, 5],
    [3, 8],
    [4, 4],
    [5, 64],
  ])('random ops with mixed scores (seed %i, node capacity %i)', (seed, cap) => {
    const rnd = mulberry32(seed);
    const z = new ZSet(cap);
    const m = new Model();
    for (let step = 0; step < 6000; step++) {
      const op = rnd();
      const n = m.items.length;
      if (op < 0.4) {
        const mem = randomMember(rnd);
        const s = randomScore(rnd);
        expect(z.set(mem, s)).toBe(m.set(mem, s));
      } else if (op < 0.5) {
        const mem = rnd() < 0.8 && n > 0 ? m.items[Math.floor(rnd() * n)]![0] : randomMember(rnd);
        expect(z.delete(mem)).toBe(m.delete(mem));
      } else if (op < 0.6) {
        const mem = rnd() < 0.8 && n > 0 ? m.items[Math.floor(rnd() * n)]![0] : randomMember(rnd);
        const rev = rnd() < 0.5;
        expect(z.rank(mem, rev)).toBe(m.rank(mem, rev));
        expect(z.score(mem)).toBe(m.items.find((e) => e[0] === mem)?.[1]);
      } else if (op < 0.67) {
        if (n === 0) continue;
        let a = Math.floor(rnd() * n);
        let b = Math.floor(rnd() * n);
        if (a > b) [a, b] = [b, a];
        const rev = rnd() < 0.5;
        const got = collect((fn) => z.rangeByRank(a, b, rev, fn));
        const list = rev ? [...m.items].reverse() : m.items;
        expect(got).toEqual(list.slice(a, b + 1));
        const r = Math.floor(rnd() * (n + 2)) - 1;
        expect(z.at(r)).toEqual(m.items[r]);
      } else if (op < 0.8) {
        const range = randomScoreRange(rnd);
        const rev = rnd() < 0.5;
        const offset = rnd() < 0.6 ? 0 : Math.floor(rnd() * 6) - 1;
        const limit = rnd() < 0.5 ? -1 : Math.floor(rnd() * 5);
        const inRange = m.items.filter((e) => m.inScore(e[1], range));
        const got = collect((fn) => z.rangeByScore(range, rev, offset, limit, fn));
        expect(got).toEqual(window(inRange, rev, offset, limit));
        expect(z.countByScore(range)).toBe(inRange.length);
      } else if (op < 0.83) {
        const range = randomScoreRange(rnd);
        const want = m.items.filter((e) => m.inScore(e[1], range)).map((e) => e[0]);
        expect(z.deleteRangeByScore(range)).toEqual(want);
        for (const w of want) m.delete(w);
      } else if (op < 0.86) {
        if (n === 0) continue;
        const a = Math.floor(rnd() * n);
        const b = Math.min(n - 1, a + Math.floor(rnd() * 4));
        const want = m.items.slice(a, b + 1).map((e) => e[0]);
        expect(z.deleteRangeByRank(a, b)).toEqual(want);
        for (const w of want) m.delete(w);
      } else if (op < 0.9) {
        const count = Math.floor(rnd() * 4);
        if (rnd() < 0.5) {
          const want = m.items.slice(0, count);
          expect(z.popMin(count)).toEqual(want);
          for (const w of want) m.delete(w[0]);
        } else {
          const want = m.items.slice(Math.max(0, n - count)).reverse();
          expect(z.popMax(count)).toEqual(want);
          for (const w of want) m.delete(w[0]);
        }
      } else {
        // bulk inserts to grow the set past a few hundred members
        for (let k = 0; k < 5; k++) {
          const mem = randomMember(rnd) + String(Math.floor(rnd() * 1000));
          const s = randomScore(rnd);
          expect(z.set(mem, s)).toBe(m.set(mem, s));
        }
      }
      if (step % 500 === 0) {
        z.checkInvariants();
        expectSame(z, m);
      }
    }
    z.checkInvariants();
    expectSame(z, m);
  });

  it.each([11, 12, 13])('random lex ops, all scores equal (seed %i)', (seed) => {
    const rnd = mulberry32(seed);
    const z = new ZSet(seed % 2 === 0 ? 4 : 6);
    const m = new Model();
    for (let step = 0; step < 5000; step++) {
      const op = rnd();
      if (op < 0.5) {
        const mem = randomMember(rnd);
        expect(z.set(mem, 0)).toBe(m.set(mem, 0));
      } else if (op < 0.6) {
        const mem = randomMember(rnd);
        expect(z.delete(mem)).toBe(m.delete(mem));
      } else if (op < 0.95) {
        const range = randomLexRange(rnd);
        const rev = rnd() < 0.5;
        const offset = rnd() < 0.6 ? 0 : Math.floor(rnd() * 6) - 1;
        const limit = rnd() < 0.5 ? -1 : Math.floor(rnd() * 5);
        const inRange = m.items.filter((e) => m.inLex(e[0], range));
        expect(collect((fn) => z.rangeByLex(range, rev, offset, limit, fn))).toEqual(window(inRange, rev, offset, limit));
        expect(z.countByLex(range)).toBe(inRange.length);
      } else {
        const range = randomLexRange(rnd);
        const want = m.items.filter((e) => m.inLex(e[0], range)).map((e) => e[0]);
        expect(z.deleteRangeByLex(range)).toEqual(want);
        for (const w of want) m.delete(w);
      }
      if (step % 500 === 0) z.checkInvariants();
    }
    z.checkInvariants();
    expectSame(z, m);
  });

  it.each([4, 64])('keeps invariants over a large sequential and random workload (node capacity %i)', (cap) => {
    const rnd = mulberry32(99);
    const z = new ZSet(cap);
    for (let i = 0; i < 20000; i++) z.set('m' + i, i % 97);
    z.checkInvariants();
    for (let i = 0; i < 20000; i += 3) z.set('m' + i, rnd() * 100);
    for (let i = 0; i < 20000; i += 5) z.delete('m' + i);
    z.checkInvariants();
    let prev: Entry | undefined;
    let count = 0;
    for (const e of z) {
      if (prev) expect(prev[1] < e[1] || (prev[1] === e[1] && prev[0] < e[0])).toBe(true);
      expect(z.rank(e[0])).toBe(count);
      prev = e;
      count++;
    }
    expect(count).toBe(z.size);
    z.clear();
    expect(z.size).toBe(0);
    z.checkInvariants();
    z.set('a', 1);
    z.checkInvariants();
  });
});

describe('ZSet tree shape', () => {
  it.each([4, 64])('rebuilds or rebalances after mass deletion and stays consistent (node capacity %i)', (cap) => {
    const rnd = mulberry32(7);
    const z = new ZSet(cap);
    const m = new Model();
    for (let i = 0; i < 3000; i++) {
      const mem = 'k' + i;
      const s = Math.floor(rnd() * 50);
      z.set(mem, s);
      m.set(mem, s);
    }
    z.checkInvariants();
    // Remove ~90% through every deleting path: big ranges rebuild the tree, small ones rebalance.
    const range = { min: 10, max: 40, minex: false, maxex: true };
    const want = m.items.filter((e) => m.inScore(e[1], range)).map((e) => e[0]);
    expect(z.deleteRangeByScore(range)).toEqual(want);
    for (const w of want) m.delete(w);
    z.checkInvariants();
    const popped = z.popMin(200);
    expect(popped).toEqual(m.items.slice(0, 200));
    for (const p of popped) m.delete(p[0]);
    const top = z.popMax(150);
    expect(top).toEqual(m.items.slice(-150).reverse());
    for (const p of top) m.delete(p[0]);
    expect(z.deleteRangeByRank(5, 300)).toEqual(m.items.slice(5, 301).map((e) => e[0]));
    for (const e of m.items.slice(5, 301)) m.delete(e[0]);
    for (const e of [...m.items]) {
      if (rnd() < 0.5) {
        expect(z.delete(e[0])).toBe(true);
        m.delete(e[0]);
      }
    }
    z.checkInvariants();
    expectSame(z, m);
    // The height is what a full tree of this size needs, at most one level more.
    const height = (z as unknown as { height: number }).height;
    const minCap = Math.max(2, cap >> 2);
    expect(height).toBeLessThanOrEqual(Math.ceil(Math.log(z.size) / Math.log(minCap)));
    // The rebuilt tree keeps working: reinsert, move, rank.
    for (let i = 0; i < 2000; i++) {
      const mem = 'n' + Math.floor(rnd() * 3000);
      const s = Math.floor(rnd() * 50);
      expect(z.set(mem, s)).toBe(m.set(mem, s));
    }
    z.checkInvariants();
    expectSame(z, m);
    for (const e of m.items) expect(z.rank(e[0])).toBe(m.rank(e[0], false));
  });

  it('grows from empty through clear() and back', () => {
    const z = new ZSet(8);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) z.set('m' + i, i % 7);
      z.checkInvariants();
      expect(z.size).toBe(5000);
      expect(z.at(4999)).toEqual(['m993', 6]); // the greatest bytes among i % 7 === 6
      z.clear();
      z.checkInvariants();
      expect([...z]).toEqual([]);
    }
  });
});

describe('ZSet details', () => {
  it('stores -0 as 0 (Redis listpack: ZADD z -0 m; ZSCORE -> "0")', () => {
    const z = new ZSet();
    expect(z.set('m', -0)).toBe('added');
    expect(Object.is(z.score('m'), 0)).toBe(true);
    expect(z.set('m', 0)).toBe('unchanged');
  });

  it('refuses NaN', () => {
    expect(() => new ZSet().set('m', NaN)).toThrow(/NaN/);
  });

  it('orders ties by bytes, not by UTF-16 or locale', () => {
    const z = new ZSet();
    for (const m of ['b', 'a\xff', 'a', '\xe9', 'B', '', 'a\0']) z.set(m, 1);
    expect([...z].map((e) => e[0])).toEqual(['', 'B', 'a', 'a\0', 'a\xff', 'b', '\xe9']);
    expect(z.rank('')).toBe(0);
    expect(z.rank('\xe9', true)).toBe(0);
  });

  it('moves a node when its score passes a neighbour, keeps it otherwise', () => {
    const z = new ZSet();
    z.set('a', 1);
    z.set('b', 2);
    z.set('c', 3);
    expect(z.set('b', 2.5)).toBe('updated');
    expect(z.rank('b')).toBe(1);
    expect(z.set('b', 10)).toBe('updated');
    expect([...z]).toEqual([['a', 1], ['c', 3], ['b', 10]]);
    expect(z.set('b', -10)).toBe('updated');
    expect(z.rank('b')).toBe(0);
    z.checkInvariants();
  });

  it('handles empty sets and out-of-range requests', () => {
    const z = new ZSet();
    expect(z.rank('x')).toBeUndefined();
    expect(z.popMin(3)).toEqual([]);
    expect(z.popMax(3)).toEqual([]);
    expect(z.deleteRangeByRank(0, 10)).toEqual([]);
    const all = parseScoreRange('-inf', '+inf')!;
    expect(z.countByScore(all)).toBe(0);
    expect(collect((fn) => z.rangeByScore(all, false, 0, -1, fn))).toEqual([]);
    z.set('a', 1);
    expect(collect((fn) => z.rangeByRank(0, 5, false, fn))).toEqual([['a', 1]]);
    expect(z.popMax(5)).toEqual([['a', 1]]);
    expect(z.size).toBe(0);
  });
});

describe('parseScoreRange (zslParseRange)', () => {
  // observed on redis 7.0.15: ZADD z 0 a 1 b 2 c inf d -inf e; ZCOUNT z <min> <max>
  const z = new ZSet();
  z.set('a', 0);
  z.set('b', 1);
  z.set('c', 2);
  z.set('d', Infinity);
  z.set('e', -Infinity);
  const cases: Array<[string, string, number | null]> = [
    ['1\0abc', '1', 1],
    [' \t1', '+inf', 3],
    [' 1', '+inf', 3],
    ['1 ', '+inf', null],
    ['(', '1', 1],
    [' ', '1', null],
    ['(inf', '+inf', 0],
    ['inf', '+inf', 1],
    ['(-inf', '(+inf', 3],
    ['1e400', 'inf', 1],
    ['-1e400', '-inf', 1],
    ['0x1', '0x2', 2],
    ['((1', '2', null],
    ['2', '1', 0],
    ['nan', '1', null],
    ['1e-400', '1', 2],
    ['(1e-400', '1', 1],
    ['-inf', '+inf', 5],
    ['', '', 1],
    ['1', '(1', 0],
    ['(1', '1', 0],
    ['1', '1', 1],
  ];
  it.each(cases)('ZCOUNT %j %j -> %s', (min, max, want) => {
    const r = parseScoreRange(min, max);
    expect(r === null ? null : z.countByScore(r)).toBe(want);
  });
});

describe('parseLexRange (zslParseLexRange)', () => {
  // observed on redis 7.0.15: ZADD l 0 a 0 b 0 c; ZLEXCOUNT l <min> <max>
  const z = new ZSet();
  for (const m of ['a', 'b', 'c']) z.set(m, 0);
  const cases: Array<[string, string, number | null]> = [
    ['+\0x', '+', 0],
    ['-', '+', 3],
    ['+', '-', 0],
    ['(', '+', 3],
    ['[', '+', 3],
    ['""', '+', null],
    ['', '+', null],
    ['a', '+', null],
    ['-a', '+', null],
    ['+a', '+', null],
    ['[b', '[b', 1],
    ['(b', '[b', 0],
    ['-', '-', 0],
    ['+', '+', 0],
    ['[c', '[a', 0],
    ['(a', '(c', 1],
    ['[a', '(b', 1],
    ['-', '[b', 2],
    ['(b', '+', 1],
  ];
  it.each(cases)('ZLEXCOUNT %j %j -> %s', (min, max, want) => {
    const r = parseLexRange(min, max);
    expect(r === null ? null : z.countByLex(r)).toBe(want);
  });

  it('applies LIMIT like ZRANGEBYLEX', () => {
    const all = parseLexRange('-', '+')!;
    // observed: LIMIT 1 1 -> b; LIMIT 1 -5 -> b c; LIMIT -1 1 -> (empty)
    expect(collect((fn) => z.rangeByLex(all, false, 1, 1, fn)).map((e) => e[0])).toEqual(['b']);
    expect(collect((fn) => z.rangeByLex(all, false, 1, -5, fn)).map((e) => e[0])).toEqual(['b', 'c']);
    expect(collect((fn) => z.rangeByLex(all, false, -1, 1, fn))).toEqual([]);
    // observed: ZREVRANGEBYSCORE z +inf -inf LIMIT 1 1 on {a:1,b:2,c:3} -> b
    expect(collect((fn) => z.rangeByLex(all, true, 1, 1, fn)).map((e) => e[0])).toEqual(['b']);
  });

  it('keeps every byte of a bound', () => {
    const r = parseLexRange('[a\0b', '(\xff\xff')!;
    expect(r).toEqual({ min: 'a\0b', max: '\xff\xff', minex: false, maxex: true, minInf: 0, maxInf: 0 });
  });
});
