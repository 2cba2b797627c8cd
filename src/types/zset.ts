// The sorted set value: Redis's skiplist (t_zset.c zsl*: max level 32, p = 0.25, spans for
// O(log n) rank) plus `dict`, a member -> score Map.
// Invariants: dict and the skiplist hold the same members with the same scores; the skiplist is
// ordered by (score ascending, member bytes ascending); the span of a level-i link is the number
// of level-0 steps it jumps (the last link of a level, whose target is null, spans to the end:
// rank + span = length, as Redis keeps it). Scores are never NaN and never -0 (stored as 0, as
// Redis's listpack encoding does for the small sets most clients see).
//
// Layout: nodes are records in one Int32Array arena, not JS objects. A record at (even) offset x:
//   [x, x+1]  score, a float64 read through a Float64Array view of the same buffer (index x/2)
//   x+2       backward: offset of the previous node, 0 = none
//   x+3       slot << 5 | (height - 1); members[slot] is the member string
//   x+4+2i    forward at level i: offset of the next node, 0 = null
//   x+5+2i    span at level i
// The header is the record at offset 0 with 32 levels, so 0 doubles as null. Measured on 1M
// members (test/bench/zset-bench.ts): JS objects with forward/span arrays cost ~400 B/member and
// ~7 us per ZRANK (four dependent loads per hop: node, array, elements, boxed score); the arena
// costs ~100 B/member including dict and hops with two loads in one cache line.
// Freed records go to a free list per height (a record's size depends only on its height); when
// most of the arena is free it is rebuilt in order (compaction), which also makes range scans
// sequential in memory.

import {
  type LexRange,
  type ScoreRange,
  lexGteMin,
  lexLteMax,
  lexRangeIsEmpty,
  scoreGteMin,
  scoreLteMax,
  scoreRangeIsEmpty,
} from './zset-range.js';

export type { LexRange, ScoreRange } from './zset-range.js';

const ZSKIPLIST_MAXLEVEL = 32;
const ZSKIPLIST_P = 0.25;

const HDR = 0; // header record offset; also "null"
const R_BACK = 2;
const R_META = 3;
const R_LEVELS = 4;
const HEADER_INTS = R_LEVELS + 2 * ZSKIPLIST_MAXLEVEL;
const MAX_SLOTS = 1 << 26; // slot must fit in 26 bits of R_META
const INITIAL_INTS = HEADER_INTS + 4 * (R_LEVELS + 2); // header + four height-1 records

// Scratch paths for insert/delete: the skiplist code never calls out while it holds them, so one
// pair serves every ZSet (a pair per set would cost more than a small set's own data).
const UPDATE = new Int32Array(ZSKIPLIST_MAXLEVEL);
const RANK = new Float64Array(ZSKIPLIST_MAXLEVEL); // ranks can exceed int32 in theory; doubles are exact

export type ZAddResult = 'added' | 'updated' | 'unchanged';

export type ZVisitor = (member: string, score: number) => void;

export class ZSet {
  /** member -> score. Read it freely (ZSCORE, ZSCAN, ZRANDMEMBER); change it only through ZSet. */
  readonly dict: Map<string, number> = new Map();
  private lv: Int32Array;
  private sc: Float64Array;
  /** First unused int of the arena. */
  private top = HEADER_INTS;
  /** Ints held by live records (header included), to decide compaction. */
  private liveInts = HEADER_INTS;
  private tail = HDR;
  private level = 1;
  /** members[slot]; freed slots hold '' until reused. */
  private members: string[] = [''];
  /** Freed slots, and freed records by height (freeRecords[height - 1]); null until the first
   * delete, which saves ~80 B on the many sets that never shrink. */
  private freeSlots: number[] | null = null;
  private freeRecords: Array<number[] | undefined> | null = null;
  private readonly random: () => number;

  /** `random` in [0, 1) picks node heights (tests pass a seeded one). */
  constructor(random: () => number = Math.random) {
    this.random = random;
    const buf = new ArrayBuffer(INITIAL_INTS * 4);
    this.lv = new Int32Array(buf);
    this.sc = new Float64Array(buf);
    this.lv[R_META] = ZSKIPLIST_MAXLEVEL - 1; // header: slot 0, height 32
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
   * the command). A changed score moves the node, in place when its neighbours still bracket it
   * (zslUpdateScore). Throws on NaN: the command must reply its own error first.
   */
  set(member: string, score: number): ZAddResult {
    if (score !== score) throw invariantError('ZSet.set: NaN score');
    if (score === 0) score = 0; // -0 -> 0
    const cur = this.dict.get(member);
    if (cur === undefined) {
      const x = this._alloc(member, score, this._randomLevel());
      this.dict.set(member, score);
      this._insert(x);
      return 'added';
    }
    if (cur === score) return 'unchanged';
    this.dict.set(member, score);
    this._updateScore(member, cur, score);
    return 'updated';
  }

  delete(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    const x = this._findPath(score, member);
    this._deleteNode(x);
    this._free(x);
    this._maybeCompact();
    return true;
  }

  clear(): void {
    this.dict.clear();
    const buf = new ArrayBuffer(INITIAL_INTS * 4);
    this.lv = new Int32Array(buf);
    this.sc = new Float64Array(buf);
    this.lv[R_META] = ZSKIPLIST_MAXLEVEL - 1;
    this.top = HEADER_INTS;
    this.liveInts = HEADER_INTS;
    this.tail = HDR;
    this.level = 1;
    this.members = [''];
    this.freeSlots = null;
    this.freeRecords = null;
  }

  /** 0-based rank, ascending, or descending when reverse (ZRANK / ZREVRANK). O(log n). */
  rank(member: string, reverse = false): number | undefined {
    const score = this.dict.get(member);
    if (score === undefined) return undefined;
    const r = this._getRank(score, member); // 1-based
    return reverse ? this.dict.size - r : r - 1;
  }

  /** [member, score] at a 0-based ascending rank, or undefined when out of range. O(log n). */
  at(rank: number): [string, number] | undefined {
    if (rank < 0 || rank >= this.dict.size) return undefined;
    const x = this._byRank(rank + 1);
    return [this._member(x), this.sc[x >> 1]];
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
    this._visit(this._byRank(reverse ? n - start : start + 1), stop - start + 1, reverse, fn);
  }

  /**
   * Visits the members whose score is in range, ascending (descending from the highest when
   * reverse), skipping `offset` of them (negative: nothing visited, as Redis) and visiting at
   * most `limit` (negative: all). The offset is skipped by rank, so this is O(log n + visited);
   * Redis 7.0 walks the offset node by node. fn must not modify this set.
   */
  rangeByScore(range: ScoreRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
    if (offset < 0 || limit === 0 || scoreRangeIsEmpty(range)) return;
    const lv = this.lv;
    const sc = this.sc;
    if (!reverse) {
      const first = this._countScoreBelow(range.min, range.minex); // 0-based rank of first >= min
      if (first + offset >= this.dict.size) return;
      let x = this._byRank(first + offset + 1);
      for (; x !== HDR && limit !== 0; limit--) {
        const s = sc[x >> 1];
        if (!scoreLteMax(s, range)) break;
        fn(this._member(x), s);
        x = lv[x + R_LEVELS];
      }
    } else {
      const last = this._countScoreBelow(range.max, !range.maxex) - 1; // rank of last <= max
      if (last - offset < 0) return;
      let x = this._byRank(last - offset + 1);
      for (; x !== HDR && limit !== 0; limit--) {
        const s = sc[x >> 1];
        if (!scoreGteMin(s, range)) break;
        fn(this._member(x), s);
        x = lv[x + R_BACK];
      }
    }
  }

  /**
   * As rangeByScore, by member bytes (ZRANGEBYLEX): meaningful when all scores are equal, which
   * the lex commands assume (Redis gives no guarantee otherwise either).
   */
  rangeByLex(range: LexRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
    if (offset < 0 || limit === 0 || lexRangeIsEmpty(range)) return;
    const lv = this.lv;
    if (!reverse) {
      const first = this._countLex(range, true);
      if (first + offset >= this.dict.size) return;
      let x = this._byRank(first + offset + 1);
      for (; x !== HDR && limit !== 0; limit--) {
        const m = this._member(x);
        if (!lexLteMax(m, range)) break;
        fn(m, this.sc[x >> 1]);
        x = lv[x + R_LEVELS];
      }
    } else {
      const last = this._countLex(range, false) - 1;
      if (last - offset < 0) return;
      let x = this._byRank(last - offset + 1);
      for (; x !== HDR && limit !== 0; limit--) {
        const m = this._member(x);
        if (!lexGteMin(m, range)) break;
        fn(m, this.sc[x >> 1]);
        x = lv[x + R_BACK];
      }
    }
  }

  /** ZCOUNT. O(log n). */
  countByScore(range: ScoreRange): number {
    if (scoreRangeIsEmpty(range)) return 0;
    const hi = this._countScoreBelow(range.max, !range.maxex);
    const lo = this._countScoreBelow(range.min, range.minex);
    return hi > lo ? hi - lo : 0;
  }

  /** ZLEXCOUNT. O(log n). */
  countByLex(range: LexRange): number {
    if (lexRangeIsEmpty(range)) return 0;
    const hi = this._countLex(range, false);
    const lo = this._countLex(range, true);
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
    const lv = this.lv;
    const sc = this.sc;
    let x = HDR;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR && !scoreGteMin(sc[f >> 1], range)) x = f;
      UPDATE[i] = x;
    }
    x = lv[x + R_LEVELS];
    while (x !== HDR && scoreLteMax(sc[x >> 1], range)) {
      const next = lv[x + R_LEVELS];
      const m = this._member(x);
      this._deleteNode(x);
      this._free(x);
      this.dict.delete(m);
      out.push(m);
      x = next;
    }
    this._maybeCompact();
    return out;
  }

  /** ZREMRANGEBYLEX; returns the removed members, ascending. O(log n + removed). */
  deleteRangeByLex(range: LexRange): string[] {
    const out: string[] = [];
    if (lexRangeIsEmpty(range)) return out;
    const lv = this.lv;
    let x = HDR;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR && !lexGteMin(this._member(f), range)) x = f;
      UPDATE[i] = x;
    }
    x = lv[x + R_LEVELS];
    while (x !== HDR) {
      const m = this._member(x);
      if (!lexLteMax(m, range)) break;
      const next = lv[x + R_LEVELS];
      this._deleteNode(x);
      this._free(x);
      this.dict.delete(m);
      out.push(m);
      x = next;
    }
    this._maybeCompact();
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
    for (let x = this.lv[R_LEVELS]; x !== HDR; x = this.lv[x + R_LEVELS]) {
      yield [this._member(x), this.sc[x >> 1]];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** Walks the whole structure and throws if an invariant is broken (tests, inspection tools). */
  checkInvariants(): void {
    const lv = this.lv;
    const sc = this.sc;
    const n = this.dict.size;
    const rankOf = new Map<number, number>();
    let prev = HDR;
    let count = 0;
    let ints = HEADER_INTS;
    for (let x = lv[R_LEVELS]; x !== HDR; x = lv[x + R_LEVELS]) {
      count++;
      if (count > n) throw invariantError('skiplist longer than dict');
      rankOf.set(x, count);
      const m = this._member(x);
      const s = sc[x >> 1];
      const h = this._height(x);
      ints += R_LEVELS + 2 * h;
      if (x <= HDR || x >= this.top || (x & 1) !== 0) throw invariantError(`bad record offset at rank ${count}`);
      if (lv[x + R_BACK] !== prev) throw invariantError(`bad backward link at rank ${count}`);
      if (this.dict.get(m) !== s) throw invariantError(`dict disagrees at rank ${count}`);
      if (s !== s || Object.is(s, -0)) throw invariantError(`bad score at rank ${count}`);
      if (h > this.level) throw invariantError(`node above level at rank ${count}`);
      if (prev !== HDR) {
        const ps = sc[prev >> 1];
        if (!(ps < s || (ps === s && this._member(prev) < m))) throw invariantError(`order broken at rank ${count}`);
      }
      prev = x;
    }
    if (count !== n) throw invariantError('dict size differs from skiplist length');
    if (this.tail !== prev) throw invariantError('bad tail');
    if (ints !== this.liveInts) throw invariantError('live arena size miscounted');
    if (this.level > 1 && lv[R_LEVELS + 2 * (this.level - 1)] === HDR) throw invariantError('empty top level');
    for (let i = 0; i < this.level; i++) {
      let x = HDR;
      let r = 0;
      for (;;) {
        const f = lv[x + R_LEVELS + 2 * i];
        const span = lv[x + R_LEVELS + 2 * i + 1];
        if (f === HDR) {
          if (r + span !== n && !(x === HDR && n === 0)) throw invariantError(`bad final span at level ${i}`);
          break;
        }
        const fr = rankOf.get(f);
        if (fr === undefined) throw invariantError(`level ${i} links an unlinked record`);
        if (span !== fr - r) throw invariantError(`bad span at level ${i} rank ${r}`);
        if (this._height(f) <= i) throw invariantError(`short node linked at level ${i}`);
        x = f;
        r = fr;
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  private _member(x: number): string {
    return this.members[this.lv[x + R_META] >>> 5];
  }

  private _height(x: number): number {
    return (this.lv[x + R_META] & 31) + 1;
  }

  private _randomLevel(): number {
    let level = 1;
    while (level < ZSKIPLIST_MAXLEVEL && this.random() < ZSKIPLIST_P) level++;
    return level;
  }

  /** A record for a new node (links unset), from the free list of its height or the arena's end. */
  private _alloc(member: string, score: number, height: number): number {
    let slot: number;
    if (this.freeSlots !== null && this.freeSlots.length > 0) {
      slot = this.freeSlots.pop()!;
      this.members[slot] = member;
    } else {
      slot = this.members.length;
      if (slot >= MAX_SLOTS) throw invariantError(`ZSet: more than ${MAX_SLOTS - 1} members`);
      this.members.push(member);
    }
    const size = R_LEVELS + 2 * height;
    const free = this.freeRecords?.[height - 1];
    let x: number;
    if (free !== undefined && free.length > 0) {
      x = free.pop()!;
    } else {
      x = this.top;
      if (x + size > this.lv.length) this._grow(x + size);
      this.top = x + size;
    }
    this.liveInts += size;
    const lv = this.lv;
    this.sc[x >> 1] = score;
    lv[x + R_META] = (slot << 5) | (height - 1);
    return x;
  }

  private _free(x: number): void {
    const lv = this.lv;
    const meta = lv[x + R_META];
    const slot = meta >>> 5;
    const height = (meta & 31) + 1;
    this.members[slot] = '';
    (this.freeSlots ??= []).push(slot);
    ((this.freeRecords ??= [])[height - 1] ??= []).push(x);
    this.liveInts -= R_LEVELS + 2 * height;
  }

  private _grow(need: number): void {
    let cap = this.lv.length;
    while (cap < need) cap = cap < 1 << 20 ? cap * 2 : Math.ceil((cap * 1.5) / 2) * 2;
    const buf = new ArrayBuffer(cap * 4);
    const lv = new Int32Array(buf);
    lv.set(this.lv.subarray(0, this.top));
    this.lv = lv;
    this.sc = new Float64Array(buf);
  }

  /**
   * When less than a third of a big arena is live, rebuild it in list order: O(n), paid for by
   * the 2n/3 deletions since the last rebuild. Heights are kept, so the shape stays random.
   */
  private _maybeCompact(): void {
    if (this.top < 4096 || this.liveInts * 3 > this.top) return;
    const old = this.lv;
    const oldSc = this.sc;
    const oldMembers = this.members;
    let cap = INITIAL_INTS;
    while (cap < this.liveInts * 1.25) cap *= 2;
    const buf = new ArrayBuffer(cap * 4);
    const lv = new Int32Array(buf);
    const sc = new Float64Array(buf);
    const members: string[] = [''];
    lv[R_META] = ZSKIPLIST_MAXLEVEL - 1;
    // last[i]: record that currently ends level i; lastRank[i]: its rank.
    const last = UPDATE;
    const lastRank = RANK;
    for (let i = 0; i < ZSKIPLIST_MAXLEVEL; i++) {
      last[i] = HDR;
      lastRank[i] = 0;
    }
    let top = HEADER_INTS;
    let rank = 0;
    let prev = HDR;
    for (let o = old[R_LEVELS]; o !== HDR; o = old[o + R_LEVELS]) {
      const meta = old[o + R_META];
      const height = (meta & 31) + 1;
      const x = top;
      top += R_LEVELS + 2 * height;
      rank++;
      sc[x >> 1] = oldSc[o >> 1];
      lv[x + R_BACK] = prev;
      lv[x + R_META] = (members.length << 5) | (height - 1);
      members.push(oldMembers[meta >>> 5]);
      for (let i = 0; i < height; i++) {
        const l = last[i];
        lv[l + R_LEVELS + 2 * i] = x;
        lv[l + R_LEVELS + 2 * i + 1] = rank - lastRank[i];
        last[i] = x;
        lastRank[i] = rank;
      }
      prev = x;
    }
    for (let i = 0; i < this.level; i++) lv[last[i] + R_LEVELS + 2 * i + 1] = rank - lastRank[i];
    this.lv = lv;
    this.sc = sc;
    this.members = members;
    this.freeSlots = null;
    this.freeRecords = null;
    this.top = top;
    this.tail = prev;
  }

  /** zslInsert of an allocated record whose score and member are set. */
  private _insert(node: number): void {
    const lv = this.lv;
    const sc = this.sc;
    const members = this.members;
    const score = sc[node >> 1];
    const member = members[lv[node + R_META] >>> 5];
    let x = HDR;
    for (let i = this.level - 1; i >= 0; i--) {
      let r = i === this.level - 1 ? 0 : RANK[i + 1];
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR) {
        const fs = sc[f >> 1];
        if (!(fs < score || (fs === score && members[lv[f + R_META] >>> 5] < member))) break;
        r += lv[x + R_LEVELS + 2 * i + 1];
        x = f;
      }
      RANK[i] = r;
      UPDATE[i] = x;
    }
    const height = (lv[node + R_META] & 31) + 1;
    if (height > this.level) {
      const len = this.dict.size - 1; // skiplist length before this insert
      for (let i = this.level; i < height; i++) {
        RANK[i] = 0;
        UPDATE[i] = HDR;
        lv[HDR + R_LEVELS + 2 * i + 1] = len;
      }
      this.level = height;
    }
    const r0 = RANK[0];
    for (let i = 0; i < height; i++) {
      const u = UPDATE[i];
      const uf = u + R_LEVELS + 2 * i;
      const nf = node + R_LEVELS + 2 * i;
      lv[nf] = lv[uf];
      lv[uf] = node;
      const d = r0 - RANK[i];
      lv[nf + 1] = lv[uf + 1] - d;
      lv[uf + 1] = d + 1;
    }
    for (let i = height; i < this.level; i++) lv[UPDATE[i] + R_LEVELS + 2 * i + 1]++;
    lv[node + R_BACK] = UPDATE[0];
    const next = lv[node + R_LEVELS];
    if (next !== HDR) lv[next + R_BACK] = node;
    else this.tail = node;
  }

  /** Fills UPDATE with the path to the node (score, member), which must exist, and returns it. */
  private _findPath(score: number, member: string): number {
    const lv = this.lv;
    const sc = this.sc;
    const members = this.members;
    let x = HDR;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR) {
        const fs = sc[f >> 1];
        if (!(fs < score || (fs === score && members[lv[f + R_META] >>> 5] < member))) break;
        x = f;
      }
      UPDATE[i] = x;
    }
    const node = lv[x + R_LEVELS];
    if (node === HDR || sc[node >> 1] !== score || members[lv[node + R_META] >>> 5] !== member) {
      throw invariantError('ZSet: member in dict but not in skiplist');
    }
    return node;
  }

  /** zslDeleteNode: unlinks x given UPDATE (the path to it); the caller frees x and updates dict. */
  private _deleteNode(x: number): void {
    const lv = this.lv;
    for (let i = 0; i < this.level; i++) {
      const uf = UPDATE[i] + R_LEVELS + 2 * i;
      if (lv[uf] === x) {
        const xf = x + R_LEVELS + 2 * i;
        lv[uf + 1] += lv[xf + 1] - 1;
        lv[uf] = lv[xf];
      } else {
        lv[uf + 1]--;
      }
    }
    const next = lv[x + R_LEVELS];
    if (next !== HDR) lv[next + R_BACK] = lv[x + R_BACK];
    else this.tail = lv[x + R_BACK];
    while (this.level > 1 && lv[HDR + R_LEVELS + 2 * (this.level - 1)] === HDR) this.level--;
  }

  /** zslUpdateScore: the dict already holds newScore. */
  private _updateScore(member: string, curScore: number, newScore: number): void {
    const x = this._findPath(curScore, member);
    const lv = this.lv;
    const sc = this.sc;
    const prev = lv[x + R_BACK];
    const next = lv[x + R_LEVELS];
    // Still between its neighbours: change the score in place, no relinking.
    if (prev !== HDR) {
      const ps = sc[prev >> 1];
      if (!(ps < newScore || (ps === newScore && this._member(prev) < member))) return this._move(x, newScore);
    }
    if (next !== HDR) {
      const ns = sc[next >> 1];
      if (!(ns > newScore || (ns === newScore && this._member(next) > member))) return this._move(x, newScore);
    }
    sc[x >> 1] = newScore;
  }

  /** Relinks x (UPDATE holds its path) at newScore; it keeps its height and its record. */
  private _move(x: number, newScore: number): void {
    this._deleteNode(x);
    this.sc[x >> 1] = newScore;
    this._insert(x);
  }

  /** zslGetRank: 1-based rank of an existing (score, member). */
  private _getRank(score: number, member: string): number {
    const lv = this.lv;
    const sc = this.sc;
    const members = this.members;
    let x = HDR;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR) {
        const fs = sc[f >> 1];
        if (!(fs < score || (fs === score && members[lv[f + R_META] >>> 5] <= member))) break;
        rank += lv[x + R_LEVELS + 2 * i + 1];
        x = f;
      }
      if (x !== HDR && sc[x >> 1] === score && members[lv[x + R_META] >>> 5] === member) return rank;
    }
    throw invariantError('ZSet: member in dict but not in skiplist');
  }

  /** zslGetElementByRank: record at 1-based rank (1 <= rank <= size). */
  private _byRank(rank: number): number {
    const lv = this.lv;
    let x = HDR;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR && traversed + lv[x + R_LEVELS + 2 * i + 1] <= rank) {
        traversed += lv[x + R_LEVELS + 2 * i + 1];
        x = f;
      }
      if (traversed === rank) return x;
    }
    throw invariantError(`ZSet: rank ${rank} out of range`);
  }

  private _visit(x: number, count: number, reverse: boolean, fn: ZVisitor): void {
    const lv = this.lv;
    const sc = this.sc;
    const link = reverse ? R_BACK : R_LEVELS;
    for (; x !== HDR && count > 0; count--) {
      fn(this._member(x), sc[x >> 1]);
      x = lv[x + link];
    }
  }

  /** Number of members with score < s (or <= s when inclusive). O(log n). */
  private _countScoreBelow(s: number, inclusive: boolean): number {
    const lv = this.lv;
    const sc = this.sc;
    let x = HDR;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR) {
        const fs = sc[f >> 1];
        if (!(fs < s || (inclusive && fs === s))) break;
        rank += lv[x + R_LEVELS + 2 * i + 1];
        x = f;
      }
    }
    return rank;
  }

  /**
   * belowMin: number of members before the lex range's min (= rank of the first one >= min);
   * otherwise number of members up to its max (= 1 + rank of the last one <= max).
   */
  private _countLex(range: LexRange, belowMin: boolean): number {
    const lv = this.lv;
    let x = HDR;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR) {
        const m = this._member(f);
        if (belowMin ? lexGteMin(m, range) : !lexLteMax(m, range)) break;
        rank += lv[x + R_LEVELS + 2 * i + 1];
        x = f;
      }
    }
    return rank;
  }

  /** zslDeleteRangeByRank on clamped 0-based ranks; visits each removed node in order. */
  private _deleteRankRange(start: number, stop: number, fn: ZVisitor): void {
    const n = this.dict.size;
    if (start < 0) start = 0;
    if (stop >= n) stop = n - 1;
    if (start > stop) return;
    const lv = this.lv;
    const sc = this.sc;
    let x = HDR;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let f: number;
      while ((f = lv[x + R_LEVELS + 2 * i]) !== HDR && traversed + lv[x + R_LEVELS + 2 * i + 1] <= start) {
        traversed += lv[x + R_LEVELS + 2 * i + 1];
        x = f;
      }
      UPDATE[i] = x;
    }
    x = lv[x + R_LEVELS];
    for (let k = stop - start; x !== HDR && k >= 0; k--) {
      const next = lv[x + R_LEVELS];
      const m = this._member(x);
      const s = sc[x >> 1];
      this._deleteNode(x);
      this._free(x);
      this.dict.delete(m);
      fn(m, s);
      x = next;
    }
    this._maybeCompact();
  }
}

function invariantError(message: string): Error {
  return Object.assign(new Error(message), { code: 'HOARD_ZSET_INVARIANT' });
}
