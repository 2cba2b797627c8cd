// The sorted set as a keyspace value (Redis t_zset.c's OBJ_ZSET object): the ZSet structure
// (skiplist + member -> score Map, types/zset.ts) plus what the keyspace and the commands need
// around it: the Collection face, Redis's encoding state, ZSCAN bookkeeping and random picks.
//
// Invariants: never empty while in the keyspace (the command that removes the last member
// deletes the key); `big` is Redis 7.0's encoding state: false ("listpack") while Redis would
// keep the set a listpack — checked on every insertion of a new member as zsetAdd does (at most
// zset-max-listpack-entries members, each at most zset-max-listpack-value bytes) — and true
// ("skiplist") for good once an insertion would have converted it (Redis never converts back
// when members are removed). A set built whole (snapshot load, *STORE results) gets the
// encoding Redis gives a freshly built set: listpack when it fits (zsetConvertToListpackIfNeeded).
// The storage is the same skiplist either way: the encoding is only a state.
//
// Every insertion and removal goes through the overrides below, so a ZSCAN in progress hears of
// each member added or removed, as scan-cursor.ts requires (a score update moves nothing in the
// dict's insertion order, which is what ZSCAN walks). `add` (not ZSet.set) is the insertion the
// commands use: it also keeps the encoding state.

import type { Collection } from '../keyspace/entry.js';
import { ZSet, type LexRange, type ScoreRange, type ZAddResult } from './zset.js';
import type { ScanState } from './scan-cursor.js';
import type { EncodingConfig } from './hash.js';

export class ZSetValue extends ZSet implements Collection {
  readonly type = 'zset' as const;
  /** Converted to "skiplist" (for good). */
  big = false;
  /** ZSCAN bookkeeping (see scan-cursor.ts); null until a ZSCAN needs a second call. */
  scan: ScanState<string> | null = null;

  /**
   * A set holding `pairs` (member, score; any order, a repeated member keeps its last score)
   * with the encoding Redis gives a set it loads or builds whole: listpack when it has at most
   * zset-max-listpack-entries members of at most zset-max-listpack-value bytes. For loaders of
   * snapshots and dumps, and the *STORE commands.
   */
  static from(pairs: Iterable<readonly [string, number]>, cfg: EncodingConfig): ZSetValue {
    const z = new ZSetValue();
    let maxLen = 0;
    for (const [m, s] of pairs) {
      z.set(m, s);
      if (m.length > maxLen) maxLen = m.length;
    }
    z.big = z.size > cfg.num('zset-max-listpack-entries') || maxLen > cfg.num('zset-max-listpack-value');
    return z;
  }

  /**
   * zsetAdd's storage step: adds `member` or changes its score, converting the encoding as Redis
   * does when a new member would not fit a listpack. The score must not be NaN (the command
   * replies its error first).
   */
  add(member: string, score: number, cfg: EncodingConfig): ZAddResult {
    const r = this.set(member, score);
    if (r === 'added' && !this.big) {
      if (this.size > cfg.num('zset-max-listpack-entries') || member.length > cfg.num('zset-max-listpack-value')) {
        this.big = true;
      }
    }
    return r;
  }

  override set(member: string, score: number): ZAddResult {
    const r = super.set(member, score);
    if (r === 'added' && this.scan !== null) this.scan.added(member);
    return r;
  }

  override delete(member: string): boolean {
    if (!super.delete(member)) return false;
    if (this.scan !== null) this.scan.deleted(member);
    return true;
  }

  override clear(): void {
    super.clear();
    this.scan = null;
  }

  override deleteRangeByRank(start: number, stop: number): string[] {
    return this.forget(super.deleteRangeByRank(start, stop));
  }

  override deleteRangeByScore(range: ScoreRange): string[] {
    return this.forget(super.deleteRangeByScore(range));
  }

  override deleteRangeByLex(range: LexRange): string[] {
    return this.forget(super.deleteRangeByLex(range));
  }

  override popMin(count: number): Array<[string, number]> {
    return this.forgetPairs(super.popMin(count));
  }

  override popMax(count: number): Array<[string, number]> {
    return this.forgetPairs(super.popMax(count));
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

  /** OBJECT ENCODING. */
  encoding(): string {
    return this.big ? 'skiplist' : 'listpack';
  }

  /** A deep copy (COPY): same members and scores, same encoding. */
  clone(): ZSetValue {
    const z = new ZSetValue();
    this.rangeByRank(0, this.size - 1, false, (m, s) => {
      z.set(m, s);
    });
    z.big = this.big;
    return z;
  }

  /** A uniformly random [member, score] of a non-empty set: a random rank, O(log n). */
  randomEntry(): [string, number] {
    return this.at(Math.floor(Math.random() * this.size)) as [string, number];
  }
}
