// The sorted set as a keyspace value (Redis t_zset.c's OBJ_ZSET object), in one of Redis 7.0's
// two encodings, plus what the keyspace and the commands need around it: the Collection face,
// ZSCAN bookkeeping and random picks.
//
//   "listpack" (skiplist === null): the entry count and every entry in rank order in ONE latin1
//     string, `packed` (layout and invariants in zset-packed.ts; '' when empty). Ten members
//     cost the 40-byte object + a ~130-byte string instead of ~1.9 KB of tree and Map;
//     operations are O(n) scans, as Redis's listpack ones are.
//   "skiplist" (skiplist !== null): the ZSet of types/zset.ts (an order-statistic B+tree +
//     member -> score Map; the name is Redis's encoding name, which OBJECT ENCODING reports),
//     O(log n) — its code path is the ZSet's, behind one null check; `packed` is ''.
//
// Invariants: never empty while in the keyspace (the command that removes the last member
// deletes the key). The encoding follows Redis: listpack while Redis would keep the set a
// listpack — checked on every insertion of a new member as zsetAdd does (at most
// zset-max-listpack-entries members, each at most zset-max-listpack-value bytes) — and skiplist
// for good once an insertion would have converted it (Redis never converts back when members
// are removed, and neither do we: `skiplist` is never reset to null). A set built whole
// (snapshot load, *STORE results: `from`) gets the encoding Redis gives a freshly built set:
// listpack when it fits (zsetConvertToListpackIfNeeded). Members the skiplist keeps never
// reference a packed string (copies are made at conversion, see zset-packed.ts on SlicedStrings).
//
// Both forms hold the same ordering (score ascending, then member bytes), fold -0 to 0 and
// refuse NaN, so every reply is the same whichever the encoding; the lex walks of a packed set
// follow Redis's listpack code (zzlFirstInLexRange...), which only differs from the skiplist's
// when members with different scores are lex-ranged (unspecified in Redis too).
//
// ZSCAN: a listpack set is returned whole in one call; a skiplist set is scanned in steps over
// its Map, and every insertion and removal of a skiplist set goes through the methods below, so a
// ZSCAN in progress hears of each member added or removed, as scan-cursor.ts requires (a score
// update moves nothing in the Map's insertion order, which is what ZSCAN walks). `scan` is null
// while listpack. `add` is the insertion the commands use: it also keeps the encoding.

import type { Collection } from '../keyspace/entry.js';
import { ZSet, type LexRange, type ScoreRange, type ZAddResult, type ZVisitor } from './zset.js';
import type { ScanState } from './scan-cursor.js';
import type { EncodingConfig } from './hash.js';
import type { StrMap } from './str-dict.js';
import {
  ownString,
  packedAdded,
  packedAt,
  packedCheck,
  packedCount,
  packedCountByLex,
  packedCountByScore,
  packedDelete,
  packedDeleteLex,
  packedDeleteRanks,
  packedDeleteScores,
  packedEncode,
  packedEntries,
  packedHas,
  packedRangeByLex,
  packedRangeByRank,
  packedRangeByScore,
  packedRank,
  packedScore,
  packedSet,
  packedToSkiplist,
} from './zset-packed.js';

/** The skiplist form, with the ZSCAN bookkeeping only skiplist sets need. */
class BigZSet extends ZSet {
  scan: ScanState<string> | null = null;
}

export class ZSetValue implements Collection {
  // Every field costs 8 bytes on each of possibly millions of small sets: `type` lives on the
  // prototype (see below the class) and the ZSCAN state in the skiplist form.
  declare readonly type: 'zset';
  /** The listpack form (zset-packed.ts); '' once skiplist. Read it, never assign it outside. */
  packed = '';
  /** The skiplist form once converted, for good; null while listpack. Read-only outside. */
  skiplist: BigZSet | null = null;

  /** ZSCAN bookkeeping (see scan-cursor.ts); null until a ZSCAN needs a second call, always null while listpack. */
  get scan(): ScanState<string> | null {
    const z = this.skiplist;
    return z === null ? null : z.scan;
  }

  set scan(s: ScanState<string> | null) {
    const z = this.skiplist;
    if (z !== null) z.scan = s;
    else if (s !== null) throw invariantError('ZSCAN state for a listpack set');
  }

  /**
   * A set holding `pairs` (member, score; any order, a repeated member keeps its last score)
   * with the encoding Redis gives a set it loads or builds whole: listpack when it has at most
   * zset-max-listpack-entries members of at most zset-max-listpack-value bytes. For loaders of
   * snapshots and dumps, and the *STORE commands. `copyMembers`: the members may be substrings of
   * other strings (members of listpack sets): a skiplist result keeps copies of its own.
   */
  static from(pairs: Iterable<readonly [string, number]>, cfg: EncodingConfig, copyMembers = false): ZSetValue {
    const maxEntries = cfg.num('zset-max-listpack-entries');
    const maxValue = cfg.num('zset-max-listpack-value');
    const z = new ZSetValue();
    let small: Map<string, number> | null = new Map();
    let big: BigZSet | null = null;
    for (const [m, s] of pairs) {
      if (big !== null) {
        big.set(copyMembers ? ownString(m) : m, s);
        continue;
      }
      if (s !== s) throw invariantError('ZSetValue.from: NaN score');
      small!.set(m, s);
      if (small!.size > maxEntries || m.length > maxValue) {
        big = new BigZSet();
        for (const [a, b] of small!) big.set(copyMembers ? ownString(a) : a, b);
        small = null;
      }
    }
    if (big !== null) z.skiplist = big;
    else z.packed = packedEncode(small!);
    return z;
  }

  /** Converted to "skiplist" (for good). */
  get big(): boolean {
    return this.skiplist !== null;
  }

  get size(): number {
    const z = this.skiplist;
    return z === null ? packedCount(this.packed) : z.size;
  }

  score(member: string): number | undefined {
    const z = this.skiplist;
    return z === null ? packedScore(this.packed, member) : z.score(member);
  }

  has(member: string): boolean {
    const z = this.skiplist;
    return z === null ? packedHas(this.packed, member) : z.has(member);
  }

  /**
   * zsetAdd's storage step: adds `member` or changes its score (-0 is stored as 0), converting
   * the encoding as Redis does when a new member would not fit a listpack. The score must not be
   * NaN (the command replies its error first; this throws).
   */
  add(member: string, score: number, cfg: EncodingConfig): ZAddResult {
    const z = this.skiplist;
    if (z !== null) {
      const r = z.set(member, score);
      if (r === 'added' && z.scan !== null) z.scan.added(member);
      return r;
    }
    if (score !== score) throw invariantError('ZSetValue.add: NaN score');
    const lp = packedSet(this.packed, member, score);
    if (lp === null) return 'unchanged';
    this.packed = lp;
    if (!packedAdded) return 'updated';
    if (packedCount(lp) > cfg.num('zset-max-listpack-entries') || member.length > cfg.num('zset-max-listpack-value')) this.convert();
    return 'added';
  }

  /** add() for a member the caller just found with score `cur` (see ZSet.update). */
  update(member: string, score: number, cur: number, cfg: EncodingConfig): ZAddResult {
    const z = this.skiplist;
    return z !== null ? z.update(member, score, cur) : this.add(member, score, cfg);
  }

  /** zsetConvert to skiplist: the packed entries move into a new ZSet, as copies. */
  private convert(): void {
    const z = new BigZSet();
    packedToSkiplist(this.packed, z);
    this.skiplist = z;
    this.packed = '';
  }

  delete(member: string): boolean {
    const z = this.skiplist;
    if (z !== null) {
      if (!z.delete(member)) return false;
      if (z.scan !== null) z.scan.deleted(member);
      return true;
    }
    const lp = packedDelete(this.packed, member);
    if (lp === null) return false;
    this.packed = lp;
    return true;
  }

  /** Empties the set; it keeps its encoding. */
  clear(): void {
    const z = this.skiplist;
    if (z !== null) {
      z.clear();
      z.scan = null;
    } else {
      this.packed = '';
    }
  }

  /** 0-based rank, ascending, or descending when reverse (ZRANK / ZREVRANK). */
  rank(member: string, reverse = false): number | undefined {
    const z = this.skiplist;
    if (z !== null) return z.rank(member, reverse);
    const r = packedRank(this.packed, member);
    if (r < 0) return undefined;
    return reverse ? packedCount(this.packed) - 1 - r : r;
  }

  /** [member, score] at a 0-based ascending rank, or undefined when out of range. */
  at(rank: number): [string, number] | undefined {
    const z = this.skiplist;
    if (z !== null) return z.at(rank);
    if (rank < 0 || rank >= packedCount(this.packed)) return undefined;
    return packedAt(this.packed, rank);
  }

  /** See ZSet.rangeByRank. fn must not modify this set. */
  rangeByRank(start: number, stop: number, reverse: boolean, fn: ZVisitor): void {
    const z = this.skiplist;
    if (z !== null) z.rangeByRank(start, stop, reverse, fn);
    else packedRangeByRank(this.packed, start, stop, reverse, fn);
  }

  /** See ZSet.rangeByScore. fn must not modify this set. */
  rangeByScore(range: ScoreRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
    const z = this.skiplist;
    if (z !== null) z.rangeByScore(range, reverse, offset, limit, fn);
    else packedRangeByScore(this.packed, range, reverse, offset, limit, fn);
  }

  /** See ZSet.rangeByLex. fn must not modify this set. */
  rangeByLex(range: LexRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
    const z = this.skiplist;
    if (z !== null) z.rangeByLex(range, reverse, offset, limit, fn);
    else packedRangeByLex(this.packed, range, reverse, offset, limit, fn);
  }

  /** ZCOUNT. */
  countByScore(range: ScoreRange): number {
    const z = this.skiplist;
    return z === null ? packedCountByScore(this.packed, range) : z.countByScore(range);
  }

  /** ZLEXCOUNT. */
  countByLex(range: LexRange): number {
    const z = this.skiplist;
    return z === null ? packedCountByLex(this.packed, range) : z.countByLex(range);
  }

  /** ZREMRANGEBYRANK (0-based, clamped); returns the removed members, ascending. */
  deleteRangeByRank(start: number, stop: number): string[] {
    const z = this.skiplist;
    if (z !== null) return this.forget(z.deleteRangeByRank(start, stop));
    const out: string[] = [];
    this.packed = packedDeleteRanks(this.packed, start, stop, out, null);
    return out;
  }

  /** ZREMRANGEBYSCORE; returns the removed members, ascending. */
  deleteRangeByScore(range: ScoreRange): string[] {
    const z = this.skiplist;
    if (z !== null) return this.forget(z.deleteRangeByScore(range));
    const out: string[] = [];
    this.packed = packedDeleteScores(this.packed, range, out);
    return out;
  }

  /** ZREMRANGEBYLEX; returns the removed members, ascending. */
  deleteRangeByLex(range: LexRange): string[] {
    const z = this.skiplist;
    if (z !== null) return this.forget(z.deleteRangeByLex(range));
    const out: string[] = [];
    this.packed = packedDeleteLex(this.packed, range, out);
    return out;
  }

  /** ZPOPMIN: removes and returns up to count lowest, lowest first. */
  popMin(count: number): Array<[string, number]> {
    const z = this.skiplist;
    if (z !== null) return this.forgetPairs(z.popMin(count));
    const out: Array<[string, number]> = [];
    if (count > 0) this.packed = packedDeleteRanks(this.packed, 0, count - 1, null, out);
    return out;
  }

  /** ZPOPMAX: removes and returns up to count highest, highest first. */
  popMax(count: number): Array<[string, number]> {
    const z = this.skiplist;
    if (z !== null) return this.forgetPairs(z.popMax(count));
    const out: Array<[string, number]> = [];
    if (count > 0) {
      const n = packedCount(this.packed);
      this.packed = packedDeleteRanks(this.packed, n - count, n - 1, null, out);
    }
    return out.reverse();
  }

  /** Tells the ZSCAN numbering about members removed in bulk. */
  private forget(removed: string[]): string[] {
    const s = this.scan;
    if (s !== null) for (let i = 0; i < removed.length; i++) s.deleted(removed[i]);
    return removed;
  }

  private forgetPairs(removed: Array<[string, number]>): Array<[string, number]> {
    const s = this.scan;
    if (s !== null) for (let i = 0; i < removed.length; i++) s.deleted(removed[i][0]);
    return removed;
  }

  /**
   * Ascending [member, score] pairs. A skiplist set must not change during the walk; a listpack
   * one may (the walk goes on over the string it started with).
   */
  entries(): IterableIterator<[string, number]> {
    const z = this.skiplist;
    return z === null ? packedEntries(this.packed) : z.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /**
   * [member, score] pairs in whatever order is cheapest (the dict's insertion order for a
   * skiplist set, rank order for a listpack one): for ZUNION & co, whose results do not depend
   * on it.
   */
  entriesAnyOrder(): IterableIterator<[string, number]> {
    const z = this.skiplist;
    return z === null ? packedEntries(this.packed) : z.dict.entries();
  }

  /** The member -> score StrMap of a skiplist set (ZSCAN's source); a listpack set has none. */
  bigDict(): StrMap<number> {
    const z = this.skiplist;
    if (z === null) throw invariantError('ZSetValue.bigDict on a listpack set');
    return z.dict;
  }

  /** Walks the whole structure and throws if an invariant is broken (tests, inspection tools). */
  checkInvariants(): void {
    const z = this.skiplist;
    if (z !== null) {
      if (this.packed !== '') throw invariantError('skiplist set keeps a packed form');
      z.checkInvariants();
      return;
    }
    packedCheck(this.packed);
  }

  /** OBJECT ENCODING. */
  encoding(): string {
    return this.skiplist !== null ? 'skiplist' : 'listpack';
  }

  /** A deep copy (COPY): same members and scores, same encoding. */
  clone(): ZSetValue {
    const c = new ZSetValue();
    const z = this.skiplist;
    if (z === null) {
      // Strings are immutable: the copy shares the packed string until either side changes.
      c.packed = this.packed;
    } else {
      const sk = new BigZSet();
      z.rangeByRank(0, z.size - 1, false, (m, s) => {
        sk.set(m, s);
      });
      c.skiplist = sk;
    }
    return c;
  }

  /** A uniformly random [member, score] of a non-empty set: a random rank. */
  randomEntry(): [string, number] {
    return this.at(Math.floor(Math.random() * this.size)) as [string, number];
  }
}

Object.defineProperty(ZSetValue.prototype, 'type', { value: 'zset', enumerable: false, writable: false });

function invariantError(message: string): Error {
  return Object.assign(new Error(message), { code: 'HOARD_ZSET_INVARIANT' });
}
