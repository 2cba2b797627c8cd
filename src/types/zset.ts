// The sorted set value: an order-statistic B+tree of (score, member) plus `dict`, a member ->
// score StrMap. Redis uses a skiplist with spans (t_zset.c zsl*); this tree answers the same
// questions (insert, delete, rank, element at rank, ranges) in O(log n) with far fewer cache
// misses, which is what these operations cost on a big set.
//
// Invariants: dict and the tree hold the same members with the same scores; entries are ordered
// by (score ascending, member bytes ascending: latin1 strings compare by bytes with `<`); scores
// are never NaN and never -0 (stored as 0, as Redis's listpack encoding does).
//
// Layout: leaves hold up to `max` entries in two parallel arrays (scores, members), linked both
// ways in order; an inner node holds up to `max` children, the number of entries under each
// (for rank), and for each child i >= 1 a separator key: a lower bound of child i's entries that
// is greater than every entry of child i - 1. Separators are not refreshed when a child's first
// entry leaves (a stale lower bound still routes correctly); they are set exactly on every split,
// merge and redistribution. Every node but the root keeps at least `min` = max/4 entries or
// children (a deletion below that merges with or borrows from a sibling), so the height is
// O(log n). All leaves are at depth `height`.
//
// Measured with test/bench/zset-bench.ts on 1M members (random double scores), the arena skiplist
// this replaced -> this tree, M ops/s: moving a member to a random score 0.17 -> 0.28, +1 to a
// score 0.23 -> 0.38, rank 0.30 -> 0.48, 10 members by rank 0.43 -> 1.79, by score 0.29 -> 0.80;
// heap per member (Map included) 86.7 -> 73.8 B. Leaves of 16/32/128 entries measured no better.

import { StrMap } from './str-dict.js';
import {
  type LexRange,
  type ScoreRange,
  lexGteMin,
  lexLteMax,
  lexRangeIsEmpty,
  scoreRangeIsEmpty,
} from './zset-range.js';

export type { LexRange, ScoreRange } from './zset-range.js';

/** Node capacity: 64 entries (or children) keep a leaf's scores in 8 cache lines. */
const DEFAULT_MAX = 64;
/** Entries per leaf and children per inner node when a tree is rebuilt in bulk (3/4 full). */
const BULK_FILL_NUM = 3;
const BULK_FILL_DEN = 4;
/** Deleting at least 1/REBUILD_FRACTION of the set at once rebuilds the tree: O(n), not O(k log n). */
const REBUILD_FRACTION = 8;

export type ZAddResult = 'added' | 'updated' | 'unchanged';

export type ZVisitor = (member: string, score: number) => void;

class Leaf {
  s: number[] = doubles();
  m: string[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

class Inner {
  /** Children: all leaves, or all inner nodes (by depth). */
  c: BNode[] = [];
  /** n[i]: number of entries under c[i]. */
  n: number[] = [];
  /** ks[i], km[i]: separator of c[i] (i >= 1); index 0 holds a placeholder (-Infinity, ''). */
  ks: number[] = doubles();
  km: string[] = [];
}

type BNode = Leaf | Inner;

/** An empty array whose elements kind is already "double": every score array has one kind. */
function doubles(): number[] {
  const a = [0.5];
  a.pop();
  return a;
}

// The descent path of the last search (inner node and child index per depth) and the position
// found in the leaf. The tree code never calls out while it uses them, so one set serves all.
const MAX_DEPTH = 48;
const PATH_NODE: Inner[] = new Array<Inner>(MAX_DEPTH);
const PATH_IDX = new Int32Array(MAX_DEPTH);
let POS = 0;

// Monotone predicates for childBelow and _countBelow: true for a prefix of the order, false after.
const SCORE_LT = 0; // score < s
const SCORE_LE = 1; // score <= s
const LEX_BELOW_MIN = 2; // member below the range's min
const LEX_LE_MAX = 3; // member <= the range's max
const KEY_LE = 4; // (score, member) <= (s, m)

function below(mode: number, score: number, member: string, s: number, m: string, range: LexRange | null): boolean {
  switch (mode) {
    case SCORE_LT:
      return score < s;
    case SCORE_LE:
      return score <= s;
    case LEX_BELOW_MIN:
      return !lexGteMin(member, range!);
    case LEX_LE_MAX:
      return lexLteMax(member, range!);
    default:
      return score < s || (score === s && member <= m);
  }
}

// Shifting inserts and removes, one per element type so that each stays monomorphic (a double
// array, a string array, a node array) and V8 keeps the element stores unboxed where it can.
function insertNum(a: number[], i: number, x: number): void {
  let j = a.length;
  a.push(x);
  for (; j > i; j--) a[j] = a[j - 1];
  a[i] = x;
}

function insertStr(a: string[], i: number, x: string): void {
  let j = a.length;
  a.push(x);
  for (; j > i; j--) a[j] = a[j - 1];
  a[i] = x;
}

function insertNode(a: BNode[], i: number, x: BNode): void {
  let j = a.length;
  a.push(x);
  for (; j > i; j--) a[j] = a[j - 1];
  a[i] = x;
}

function removeNum(a: number[], i: number): void {
  const last = a.length - 1;
  for (; i < last; i++) a[i] = a[i + 1];
  a.pop();
}

function removeStr(a: string[], i: number): void {
  const last = a.length - 1;
  for (; i < last; i++) a[i] = a[i + 1];
  a.pop();
}

function removeNode(a: BNode[], i: number): void {
  const last = a.length - 1;
  for (; i < last; i++) a[i] = a[i + 1];
  a.pop();
}

function sum(a: number[], from: number, to: number): number {
  let t = 0;
  for (let i = from; i < to; i++) t += a[i];
  return t;
}

/** First index of the leaf whose entry is >= (s, m). */
function lowerBound(leaf: Leaf, s: number, m: string): number {
  const a = leaf.s;
  const b = leaf.m;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid];
    if (x < s || (x === s && b[mid] < m)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last child whose separator satisfies the monotone predicate `below`, else the first. */
function childBelow(inner: Inner, mode: number, s: number, m: string, range: LexRange | null): number {
  const ks = inner.ks;
  const km = inner.km;
  let lo = 1;
  let hi = ks.length - 1;
  let i = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (below(mode, ks[mid], km[mid], s, m, range)) {
      i = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return i;
}

export class ZSet {
  /**
   * member -> score (a StrMap: str-dict.ts; scores unboxed in a double column). Read it freely
   * (ZSCORE, ZSCAN, ZRANDMEMBER); change it only through ZSet.
   */
  readonly dict = new StrMap<number>(undefined, 0);
  private root: BNode = new Leaf();
  /** Inner levels above the leaves (0: the root is a leaf). */
  private height = 0;
  private first: Leaf;
  private last: Leaf;
  private readonly max: number;
  private readonly min: number;

  /** `max`: node capacity (tests use small ones to build deep trees from few members). */
  constructor(max = DEFAULT_MAX) {
    if (!(max >= 4)) throw invariantError('ZSet: node capacity below 4');
    this.max = max;
    this.min = Math.max(2, max >> 2);
    this.first = this.last = this.root as Leaf;
  }

  get size(): number {
    return this.dict.size;
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  has(member: string): boolean {
    return this.dict.has(member);
  }

  /**
   * Adds member or sets its score (zsetAdd without the NX/XX/GT/LT/INCR logic, which belongs to
   * the command). A changed score stays in place when its leaf neighbours still bracket it.
   * Throws on NaN: the command must reply its own error first.
   */
  set(member: string, score: number): ZAddResult {
    if (score !== score) throw invariantError('ZSet.set: NaN score');
    if (score === 0) score = 0; // -0 -> 0
    const cur = this.dict.get(member);
    if (cur === undefined) {
      this.dict.set(member, score);
      this._insert(score, member);
      return 'added';
    }
    return this.update(member, score, cur);
  }

  /**
   * set() for a member the caller just found with score `cur` (ZADD reads it for its options):
   * one member lookup less. Same rules: throws on NaN, -0 is stored as 0.
   */
  update(member: string, score: number, cur: number): ZAddResult {
    if (score !== score) throw invariantError('ZSet.update: NaN score');
    if (score === 0) score = 0; // -0 -> 0
    if (cur === score) return 'unchanged';
    this.dict.set(member, score);
    const leaf = this._find(cur, member);
    const i = POS;
    const a = leaf.s;
    const b = leaf.m;
    // (score, member) vs (cur, member): the member is the same, so the scores decide.
    const prevOk = i > 0 ? a[i - 1] < score || (a[i - 1] === score && b[i - 1] < member) : leaf === this.first || score > cur;
    const last = a.length - 1;
    const nextOk = i < last ? a[i + 1] > score || (a[i + 1] === score && b[i + 1] > member) : leaf === this.last || score < cur;
    if (prevOk && nextOk) {
      a[i] = score;
      return 'updated';
    }
    // Re-insert the string the tree held (dict's key too), not the caller's copy of it.
    const held = b[i];
    this._removeAt(leaf, i);
    this._insert(score, held);
    return 'updated';
  }

  delete(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    const leaf = this._find(score, member);
    this._removeAt(leaf, POS);
    return true;
  }

  clear(): void {
    this.dict.clear();
    this.root = this.first = this.last = new Leaf();
    this.height = 0;
  }

  /** 0-based rank, ascending, or descending when reverse (ZRANK / ZREVRANK). O(log n). */
  rank(member: string, reverse = false): number | undefined {
    const score = this.dict.get(member);
    if (score === undefined) return undefined;
    this._find(score, member);
    let r = POS;
    for (let d = 0; d < this.height; d++) r += sum(PATH_NODE[d].n, 0, PATH_IDX[d]);
    return reverse ? this.dict.size - 1 - r : r;
  }

  /** [member, score] at a 0-based ascending rank, or undefined when out of range. O(log n). */
  at(rank: number): [string, number] | undefined {
    if (rank < 0 || rank >= this.dict.size) return undefined;
    const leaf = this._leafAtRank(rank);
    return [leaf.m[POS], leaf.s[POS]];
  }

  /**
   * Visits ranks start..stop inclusive (0-based; clamped to the set). reverse: ranks count from
   * the highest score and the visit goes downwards (ZREVRANGE). O(log n + visited). fn must not
   * modify this set.
   */
  rangeByRank(start: number, stop: number, reverse: boolean, fn: ZVisitor): void {
    const n = this.dict.size;
    if (start < 0) start = 0;
    if (stop >= n) stop = n - 1;
    if (start > stop) return;
    // No bound but the count: every score is <= +inf, none is < -inf.
    if (reverse) this._walk(n - 1 - start, true, stop - start + 1, SCORE_LT, -Infinity, null, fn);
    else this._walk(start, false, stop - start + 1, SCORE_LE, Infinity, null, fn);
  }

  /**
   * Visits the members whose score is in range, ascending (descending from the highest when
   * reverse), skipping `offset` of them (negative: nothing visited, as Redis) and visiting at
   * most `limit` (negative: all). The offset is skipped by rank, so this is O(log n + visited);
   * Redis 7.0 walks the offset node by node. fn must not modify this set.
   */
  rangeByScore(range: ScoreRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
    if (offset < 0 || limit === 0 || scoreRangeIsEmpty(range)) return;
    const minMode = range.minex ? SCORE_LE : SCORE_LT; // below the range's min
    const maxMode = range.maxex ? SCORE_LT : SCORE_LE; // up to the range's max
    if (!reverse) {
      const first = this._countBelow(minMode, range.min, null);
      if (first + offset < this.dict.size) this._walk(first + offset, false, limit, maxMode, range.max, null, fn);
    } else {
      const last = this._countBelow(maxMode, range.max, null) - 1;
      if (last - offset >= 0) this._walk(last - offset, true, limit, minMode, range.min, null, fn);
    }
  }

  /**
   * As rangeByScore, by member bytes (ZRANGEBYLEX): meaningful when all scores are equal, which
   * the lex commands assume (Redis gives no guarantee otherwise either).
   *
   * With mixed scores the members are not in byte order and a search for the range's ends is not
   * well defined (Redis's answer then depends on its skiplist's random node heights). What Redis
   * checks regardless, Hoard checks too (zslIsInLexRange, zslFirstInLexRange/LastInLexRange, the
   * walks' per-member bound): nothing when the lowest member is above max or the highest below
   * min, nothing when the end found is itself out of range, and a walk stops at the first member
   * past its bound. So no member outside the range is ever returned (or counted, or deleted).
   */
  rangeByLex(range: LexRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
    if (offset < 0 || limit === 0 || !this._lexMayMatch(range)) return;
    if (!reverse) {
      const first = this._countBelow(LEX_BELOW_MIN, 0, range);
      const end = this.at(first);
      if (end === undefined || !lexLteMax(end[0], range)) return;
      if (first + offset < this.dict.size) this._walk(first + offset, false, limit, LEX_LE_MAX, 0, range, fn);
    } else {
      const last = this._countBelow(LEX_LE_MAX, 0, range) - 1;
      const end = this.at(last);
      if (end === undefined || !lexGteMin(end[0], range)) return;
      if (last - offset >= 0) this._walk(last - offset, true, limit, LEX_BELOW_MIN, 0, range, fn);
    }
  }

  /** ZCOUNT. O(log n). */
  countByScore(range: ScoreRange): number {
    if (scoreRangeIsEmpty(range)) return 0;
    const hi = this._countBelow(range.maxex ? SCORE_LT : SCORE_LE, range.max, null);
    const lo = this._countBelow(range.minex ? SCORE_LE : SCORE_LT, range.min, null);
    return hi > lo ? hi - lo : 0;
  }

  /** ZLEXCOUNT. O(log n). Mixed scores: see rangeByLex. */
  countByLex(range: LexRange): number {
    if (!this._lexMayMatch(range)) return 0;
    const lo = this._countBelow(LEX_BELOW_MIN, 0, range);
    const first = this.at(lo);
    if (first === undefined || !lexLteMax(first[0], range)) return 0;
    const hi = this._countBelow(LEX_LE_MAX, 0, range);
    const last = this.at(hi - 1);
    if (last === undefined || !lexGteMin(last[0], range)) return 0;
    return hi > lo ? hi - lo : 0;
  }

  /** ZREMRANGEBYRANK (0-based, clamped); returns the removed members, ascending. */
  deleteRangeByRank(start: number, stop: number): string[] {
    const out: string[] = [];
    this._deleteRankRange(start, stop, (m) => out.push(m));
    return out;
  }

  /** ZREMRANGEBYSCORE; returns the removed members, ascending. O(log n + removed). */
  deleteRangeByScore(range: ScoreRange): string[] {
    const out: string[] = [];
    if (scoreRangeIsEmpty(range)) return out;
    const lo = this._countBelow(range.minex ? SCORE_LE : SCORE_LT, range.min, null);
    const hi = this._countBelow(range.maxex ? SCORE_LT : SCORE_LE, range.max, null);
    this._deleteRankRange(lo, hi - 1, (m) => out.push(m));
    return out;
  }

  /**
   * ZREMRANGEBYLEX; returns the removed members, ascending. O(log n + removed). From the first
   * member not below min, up to the first one past max (Redis's zslDeleteRangeByLex; with mixed
   * scores see rangeByLex).
   */
  deleteRangeByLex(range: LexRange): string[] {
    const out: string[] = [];
    if (lexRangeIsEmpty(range)) return out;
    const lo = this._countBelow(LEX_BELOW_MIN, 0, range);
    if (lo >= this.dict.size) return out;
    let n = 0;
    this._walk(lo, false, -1, LEX_LE_MAX, 0, range, () => n++);
    this._deleteRankRange(lo, lo + n - 1, (m) => out.push(m));
    return out;
  }

  /** ZPOPMIN: removes and returns up to count lowest, lowest first. O(log n + count). */
  popMin(count: number): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    if (count > 0) this._deleteRankRange(0, count - 1, (m, s) => out.push([m, s]));
    return out;
  }

  /** ZPOPMAX: removes and returns up to count highest, highest first. O(log n + count). */
  popMax(count: number): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const n = this.dict.size;
    if (count > 0) this._deleteRankRange(n - count, n - 1, (m, s) => out.push([m, s]));
    return out.reverse();
  }

  /** Ascending [member, score] pairs; must not be interleaved with changes to the set. */
  *entries(): IterableIterator<[string, number]> {
    for (let leaf: Leaf | null = this.first; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.s.length; i++) yield [leaf.m[i], leaf.s[i]];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** Walks the whole structure and throws if an invariant is broken (tests, inspection tools). */
  checkInvariants(): void {
    const leaves: Leaf[] = [];
    const count = this._checkNode(this.root, 0, null, null, leaves, true);
    if (count !== this.dict.size) throw invariantError('dict size differs from the tree');
    if (leaves[0] !== this.first || leaves[leaves.length - 1] !== this.last) throw invariantError('bad first/last leaf');
    let prevKey: [number, string] | null = null;
    for (let k = 0; k < leaves.length; k++) {
      const leaf = leaves[k];
      if (leaf.prev !== (k > 0 ? leaves[k - 1] : null)) throw invariantError(`bad prev link at leaf ${k}`);
      if (leaf.next !== (k + 1 < leaves.length ? leaves[k + 1] : null)) throw invariantError(`bad next link at leaf ${k}`);
      if (leaf.s.length !== leaf.m.length) throw invariantError(`leaf ${k}: arrays differ in length`);
      for (let i = 0; i < leaf.s.length; i++) {
        const s = leaf.s[i];
        const m = leaf.m[i];
        if (s !== s || Object.is(s, -0)) throw invariantError(`bad score in leaf ${k}`);
        if (this.dict.get(m) !== s) throw invariantError(`dict disagrees in leaf ${k}`);
        if (prevKey !== null && !(prevKey[0] < s || (prevKey[0] === s && prevKey[1] < m))) throw invariantError(`order broken in leaf ${k}`);
        prevKey = [s, m];
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  /** Entries under node, checking sizes, counts and that every entry is within [lo, hi). */
  private _checkNode(node: BNode, depth: number, lo: Key | null, hi: Key | null, leaves: Leaf[], isRoot: boolean): number {
    if (depth === this.height) {
      const leaf = node as Leaf;
      if (!(leaf instanceof Leaf)) throw invariantError(`inner node at leaf depth ${depth}`);
      const n = leaf.s.length;
      if (n > this.max || (!isRoot && n < this.min)) throw invariantError(`leaf of ${n} entries`);
      for (let i = 0; i < n; i++) {
        const key: Key = [leaf.s[i], leaf.m[i]];
        if (lo !== null && compareKeys(key, lo) < 0) throw invariantError('entry below its separator');
        if (hi !== null && compareKeys(key, hi) >= 0) throw invariantError('entry not below the next separator');
      }
      leaves.push(leaf);
      return n;
    }
    const inner = node as Inner;
    if (!(inner instanceof Inner)) throw invariantError(`leaf above leaf depth at ${depth}`);
    const k = inner.c.length;
    if (k !== inner.n.length || k !== inner.ks.length || k !== inner.km.length) throw invariantError('inner arrays differ in length');
    if (k > this.max || k < (isRoot ? 2 : this.min)) throw invariantError(`inner node of ${k} children`);
    if (inner.ks[0] !== -Infinity || inner.km[0] !== '') throw invariantError('placeholder separator changed');
    let total = 0;
    for (let i = 0; i < k; i++) {
      const sepLo: Key | null = i === 0 ? lo : [inner.ks[i], inner.km[i]];
      const sepHi: Key | null = i + 1 < k ? [inner.ks[i + 1], inner.km[i + 1]] : hi;
      if (sepLo !== null && sepHi !== null && compareKeys(sepLo, sepHi) >= 0) throw invariantError('separators out of order');
      const got = this._checkNode(inner.c[i], depth + 1, sepLo, sepHi, leaves, false);
      if (got !== inner.n[i]) throw invariantError(`count ${inner.n[i]} for a child of ${got}`);
      total += got;
    }
    return total;
  }

  /** Fills PATH with the descent to (s, m), which must exist; POS = its index in the leaf. */
  private _find(s: number, m: string): Leaf {
    const leaf = this._descend(s, m);
    const i = lowerBound(leaf, s, m);
    if (i === leaf.s.length || leaf.s[i] !== s || leaf.m[i] !== m) throw invariantError('ZSet: member in dict but not in the tree');
    POS = i;
    return leaf;
  }

  /**
   * Fills PATH with the descent towards (s, m) and returns the leaf where it is or belongs: in
   * each inner node, the last child whose separator is <= (s, m).
   */
  private _descend(s: number, m: string): Leaf {
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const i = childBelow(inner, KEY_LE, s, m, null);
      PATH_NODE[d] = inner;
      PATH_IDX[d] = i;
      node = inner.c[i];
    }
    return node as Leaf;
  }

  /** Fills PATH with the descent to the entry at 0-based rank r (< size); POS = its index. */
  private _leafAtRank(r: number): Leaf {
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const n = inner.n;
      let i = 0;
      while (r >= n[i]) r -= n[i++];
      PATH_NODE[d] = inner;
      PATH_IDX[d] = i;
      node = inner.c[i];
    }
    POS = r;
    return node as Leaf;
  }

  /** Number of entries for which the monotone predicate `below` holds. O(log n). */
  private _countBelow(mode: number, s: number, range: LexRange | null): number {
    let node = this.root;
    let count = 0;
    for (let d = 0; d < this.height; d++) {
      const inner = node as Inner;
      const i = childBelow(inner, mode, s, '', range);
      count += sum(inner.n, 0, i);
      node = inner.c[i];
    }
    const leaf = node as Leaf;
    let lo = 0;
    let hi = leaf.s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(mode, leaf.s[mid], leaf.m[mid], s, '', range)) lo = mid + 1;
      else hi = mid;
    }
    return count + lo;
  }

  /** Redis's zslIsInLexRange: the range is not empty, the highest member is not below min and
   *  the lowest not above max. */
  private _lexMayMatch(range: LexRange): boolean {
    if (lexRangeIsEmpty(range) || this.dict.size === 0) return false;
    const last = this.last;
    return lexGteMin(last.m[last.m.length - 1], range) && lexLteMax(this.first.m[0], range);
  }

  /**
   * Visits entries from rank r (< size) upwards, or downwards when reverse, at most `limit` of
   * them (negative: no limit), while they are inside the walk's far bound: going up, while
   * below(mode, s, range) holds (the max); going down, while it does not (the min).
   */
  private _walk(r: number, reverse: boolean, limit: number, mode: number, s: number, range: LexRange | null, fn: ZVisitor): void {
    let leaf: Leaf | null = this._leafAtRank(r);
    let i = POS;
    while (limit !== 0) {
      if (reverse) {
        if (i < 0) {
          leaf = leaf.prev;
          if (leaf === null) break;
          i = leaf.s.length - 1;
        }
      } else if (i === leaf.s.length) {
        leaf = leaf.next;
        if (leaf === null) break;
        i = 0;
      }
      const score = leaf.s[i];
      const member = leaf.m[i];
      if (below(mode, score, member, s, '', range) === reverse) break;
      fn(member, score);
      i += reverse ? -1 : 1;
      limit--;
    }
  }

  /** Inserts (s, m), which is not in the tree. */
  private _insert(s: number, m: string): void {
    const leaf = this._descend(s, m);
    const i = lowerBound(leaf, s, m);
    insertNum(leaf.s, i, s);
    insertStr(leaf.m, i, m);
    const height = this.height;
    for (let d = 0; d < height; d++) PATH_NODE[d].n[PATH_IDX[d]]++;
    if (leaf.s.length > this.max) {
      // Appending past the greatest entry (timestamps, counters) leaves the new right node at
      // min, so a set built in order fills its nodes 3/4 instead of half.
      const append = leaf === this.last && i === leaf.s.length - 1;
      this._splitLeaf(leaf, append ? leaf.s.length - this.min : leaf.s.length >> 1, append);
    }
  }

  /** Moves the leaf's entries from `at` on into a new leaf after it. */
  private _splitLeaf(leaf: Leaf, at: number, append: boolean): void {
    const right = new Leaf();
    right.s = leaf.s.slice(at);
    right.m = leaf.m.slice(at);
    leaf.s.length = at;
    leaf.m.length = at;
    right.prev = leaf;
    right.next = leaf.next;
    if (right.next !== null) right.next.prev = right;
    else this.last = right;
    leaf.next = right;
    this._addChild(this.height - 1, right, right.s.length, right.s[0], right.m[0], at, append);
  }

  /**
   * After PATH_NODE[d]'s child PATH_IDX[d] split: sets its count to leftCount and puts `node`
   * (rightCount entries, separator (sepS, sepM)) after it, splitting upwards as needed.
   */
  private _addChild(d: number, node: BNode, rightCount: number, sepS: number, sepM: string, leftCount: number, append: boolean): void {
    if (d < 0) {
      const root = new Inner();
      root.c.push(this.root, node);
      root.n.push(leftCount, rightCount);
      root.ks.push(-Infinity, sepS);
      root.km.push('', sepM);
      this.root = root;
      this.height++;
      if (this.height > MAX_DEPTH) throw invariantError('ZSet: tree too deep');
      return;
    }
    const p = PATH_NODE[d];
    const i = PATH_IDX[d] + 1;
    p.n[i - 1] = leftCount;
    insertNode(p.c, i, node);
    insertNum(p.n, i, rightCount);
    insertNum(p.ks, i, sepS);
    insertStr(p.km, i, sepM);
    const k = p.c.length;
    if (k <= this.max) return;
    const at = append && i === k - 1 ? k - this.min : k >> 1;
    const right = new Inner();
    right.c = p.c.slice(at);
    right.n = p.n.slice(at);
    right.ks = p.ks.slice(at);
    right.km = p.km.slice(at);
    const upS = right.ks[0];
    const upM = right.km[0];
    right.ks[0] = -Infinity;
    right.km[0] = '';
    p.c.length = at;
    p.n.length = at;
    p.ks.length = at;
    p.km.length = at;
    this._addChild(d - 1, right, sum(right.n, 0, right.n.length), upS, upM, sum(p.n, 0, at), append);
  }

  /** Removes entry i of the leaf PATH leads to, and rebalances. */
  private _removeAt(leaf: Leaf, i: number): void {
    removeNum(leaf.s, i);
    removeStr(leaf.m, i);
    const height = this.height;
    for (let d = 0; d < height; d++) PATH_NODE[d].n[PATH_IDX[d]]--;
    if (height > 0 && leaf.s.length < this.min) this._fixLeaf();
  }

  /** The leaf (child PATH_IDX[h-1] of PATH_NODE[h-1]) fell below min: merge or borrow. */
  private _fixLeaf(): void {
    const d = this.height - 1;
    const p = PATH_NODE[d];
    const i = PATH_IDX[d];
    const ia = i > 0 ? i - 1 : 0;
    const a = p.c[ia] as Leaf;
    const b = p.c[ia + 1] as Leaf;
    const na = a.s.length;
    const nb = b.s.length;
    if (na + nb <= this.max) {
      for (let k = 0; k < nb; k++) {
        a.s.push(b.s[k]);
        a.m.push(b.m[k]);
      }
      a.next = b.next;
      if (b.next !== null) b.next.prev = a;
      else this.last = a;
      p.n[ia] = na + nb;
      this._removeChild(p, ia + 1);
      this._fixInner(d);
      return;
    }
    const want = (na + nb) >> 1;
    if (na > want) {
      b.s = a.s.slice(want).concat(b.s);
      b.m = a.m.slice(want).concat(b.m);
      a.s.length = want;
      a.m.length = want;
    } else {
      const k = want - na;
      for (let j = 0; j < k; j++) {
        a.s.push(b.s[j]);
        a.m.push(b.m[j]);
      }
      b.s = b.s.slice(k);
      b.m = b.m.slice(k);
    }
    p.n[ia] = want;
    p.n[ia + 1] = na + nb - want;
    p.ks[ia + 1] = b.s[0];
    p.km[ia + 1] = b.m[0];
  }

  private _removeChild(p: Inner, i: number): void {
    removeNode(p.c, i);
    removeNum(p.n, i);
    removeNum(p.ks, i);
    removeStr(p.km, i);
  }

  /** PATH_NODE[d] lost a child: collapse the root, or merge/borrow below min. */
  private _fixInner(d: number): void {
    const node = PATH_NODE[d];
    if (d === 0) {
      if (node.c.length === 1) {
        this.root = node.c[0];
        this.height--;
      }
      return;
    }
    if (node.c.length >= this.min) return;
    const p = PATH_NODE[d - 1];
    const i = PATH_IDX[d - 1];
    const ia = i > 0 ? i - 1 : 0;
    const a = p.c[ia] as Inner;
    const b = p.c[ia + 1] as Inner;
    const na = a.c.length;
    const nb = b.c.length;
    // b's first child gets the separator the parent held for b.
    b.ks[0] = p.ks[ia + 1];
    b.km[0] = p.km[ia + 1];
    if (na + nb <= this.max) {
      for (let k = 0; k < nb; k++) {
        a.c.push(b.c[k]);
        a.n.push(b.n[k]);
        a.ks.push(b.ks[k]);
        a.km.push(b.km[k]);
      }
      p.n[ia] += p.n[ia + 1];
      this._removeChild(p, ia + 1);
      this._fixInner(d - 1);
      return;
    }
    const want = (na + nb) >> 1;
    let moved: number;
    if (na > want) {
      moved = sum(a.n, want, na);
      const upS = a.ks[want];
      const upM = a.km[want];
      b.c = a.c.slice(want).concat(b.c);
      b.n = a.n.slice(want).concat(b.n);
      b.ks = a.ks.slice(want).concat(b.ks);
      b.km = a.km.slice(want).concat(b.km);
      a.c.length = want;
      a.n.length = want;
      a.ks.length = want;
      a.km.length = want;
      p.ks[ia + 1] = upS;
      p.km[ia + 1] = upM;
      moved = -moved;
    } else {
      const k = want - na;
      moved = sum(b.n, 0, k);
      for (let j = 0; j < k; j++) {
        a.c.push(b.c[j]);
        a.n.push(b.n[j]);
        a.ks.push(b.ks[j]);
        a.km.push(b.km[j]);
      }
      p.ks[ia + 1] = b.ks[k];
      p.km[ia + 1] = b.km[k];
      b.c = b.c.slice(k);
      b.n = b.n.slice(k);
      b.ks = b.ks.slice(k);
      b.km = b.km.slice(k);
    }
    b.ks[0] = -Infinity;
    b.km[0] = '';
    p.n[ia] += moved;
    p.n[ia + 1] -= moved;
  }

  /**
   * Removes ranks start..stop (0-based, clamped), visiting each removed entry in order. A small
   * range is deleted entry by entry (O(k log n)); a large one rebuilds the tree from what stays
   * (O(n), at most REBUILD_FRACTION times the k entries removed).
   */
  private _deleteRankRange(start: number, stop: number, fn: ZVisitor): void {
    const n = this.dict.size;
    if (start < 0) start = 0;
    if (stop >= n) stop = n - 1;
    if (start > stop) return;
    const k = stop - start + 1;
    if (k * REBUILD_FRACTION < n || n <= this.max) {
      for (let j = 0; j < k; j++) {
        const leaf = this._leafAtRank(start);
        const i = POS;
        const m = leaf.m[i];
        const s = leaf.s[i];
        this._removeAt(leaf, i);
        this.dict.delete(m);
        fn(m, s);
      }
      return;
    }
    const keepS = doubles();
    const keepM: string[] = [];
    let r = 0;
    for (let leaf: Leaf | null = this.first; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.s.length; i++, r++) {
        if (r < start || r > stop) {
          keepS.push(leaf.s[i]);
          keepM.push(leaf.m[i]);
        } else {
          this.dict.delete(leaf.m[i]);
          fn(leaf.m[i], leaf.s[i]);
        }
      }
    }
    this._build(keepS, keepM);
  }

  /** Replaces the tree by one built from sorted entries, nodes 3/4 full. O(n). */
  private _build(ss: number[], ms: string[]): void {
    const n = ss.length;
    const fill = Math.max(this.min, Math.floor((this.max * BULK_FILL_NUM) / BULK_FILL_DEN));
    if (n <= this.max) {
      const leaf = new Leaf();
      for (let i = 0; i < n; i++) {
        leaf.s.push(ss[i]);
        leaf.m.push(ms[i]);
      }
      this.root = this.first = this.last = leaf;
      this.height = 0;
      return;
    }
    // Level 0: leaves. sizes() splits n into groups of about `fill`, none below min.
    let nodes: BNode[] = [];
    let counts: number[] = [];
    let sepS = doubles();
    let sepM: string[] = [];
    let prev: Leaf | null = null;
    let pos = 0;
    for (const size of groupSizes(n, fill)) {
      const leaf = new Leaf();
      for (let i = 0; i < size; i++) {
        leaf.s.push(ss[pos + i]);
        leaf.m.push(ms[pos + i]);
      }
      pos += size;
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      else this.first = leaf;
      prev = leaf;
      nodes.push(leaf);
      counts.push(size);
      sepS.push(leaf.s[0]);
      sepM.push(leaf.m[0]);
    }
    this.last = prev!;
    let height = 0;
    while (nodes.length > 1) {
      const upNodes: BNode[] = [];
      const upCounts: number[] = [];
      const upS = doubles();
      const upM: string[] = [];
      let at = 0;
      for (const size of nodes.length <= this.max ? [nodes.length] : groupSizes(nodes.length, fill)) {
        const inner = new Inner();
        for (let i = 0; i < size; i++) {
          inner.c.push(nodes[at + i]);
          inner.n.push(counts[at + i]);
          inner.ks.push(i === 0 ? -Infinity : sepS[at + i]);
          inner.km.push(i === 0 ? '' : sepM[at + i]);
        }
        upNodes.push(inner);
        upCounts.push(sum(counts, at, at + size));
        upS.push(sepS[at]);
        upM.push(sepM[at]);
        at += size;
      }
      nodes = upNodes;
      counts = upCounts;
      sepS = upS;
      sepM = upM;
      height++;
    }
    this.root = nodes[0];
    this.height = height;
  }
}

/**
 * Splits n > fill items into ceil(n / fill) groups of even sizes: each at most fill and more
 * than fill / 2 (so at least a node's min, which is at most max / 4 < fill / 2).
 */
function groupSizes(n: number, fill: number): number[] {
  const groups = Math.ceil(n / fill);
  const out: number[] = [];
  const base = Math.floor(n / groups);
  let extra = n - base * groups;
  for (let g = 0; g < groups; g++) {
    out.push(base + (extra > 0 ? 1 : 0));
    if (extra > 0) extra--;
  }
  return out;
}

type Key = [number, string];

function compareKeys(a: Key, b: Key): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function invariantError(message: string): Error {
  return Object.assign(new Error(message), { code: 'HOARD_ZSET_INVARIANT' });
}
