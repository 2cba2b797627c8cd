// The set value (Redis t_set.c): members in one insertion-ordered StrSet (str-dict.ts: a JS
// Set's API and iteration over an open-addressing table; O(1) add, remove, membership, random
// member; latin1 strings, binary safe).
// Invariants: never empty while in the keyspace (the command that removes the last member
// deletes the key); `intset` is Redis 7.0's encoding state: true while every member is a
// canonical int64 (string2ll) and there are at most set-max-intset-entries of them, checked on
// every add as setTypeAdd does; false ("hashtable") for good once either fails. Redis 7.0 has no
// listpack sets (7.2 added them; `CONFIG GET set-max-listpack-entries` is empty on 7.0.15), so
// neither does this.
//
// An intset is sorted by value and Redis answers SMEMBERS, SSCAN, SUNION... of one in that
// order, so `ordered()` gives an intset's members sorted (cached until the next change); a
// hashtable set answers in insertion order, which is as arbitrary as Redis's hash order.

import type { Collection } from '../keyspace/entry.js';
import { parseInt64 } from '../util/numbers.js';
import { ScanState } from './scan-cursor.js';
import { StrSet } from './str-dict.js';
import type { EncodingConfig } from './hash.js';

/** Numeric order of two canonical int64 strings (no BigInt, no parse). */
export function compareInt64Strings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  if (a.length !== b.length) return (a.length < b.length) !== na ? -1 : 1;
  if (a === b) return 0;
  return (a < b) !== na ? -1 : 1;
}

/** Redis's isSdsRepresentableAsLongLong: what an intset may hold. */
export function isInt64String(s: string): boolean {
  return s.length <= 20 && parseInt64(s) !== null;
}

export class SetValue implements Collection {
  readonly type = 'set' as const;
  readonly set: StrSet;
  /** Redis's encoding state: "intset" while true, "hashtable" once false. */
  intset = true;
  /** SSCAN bookkeeping (see scan-cursor.ts); null until an SSCAN needs a second call. */
  scan: ScanState<string> | null = null;
  /** The members of an intset in numeric order, cached; null when stale. */
  private sorted: string[] | null = null;

  /** `set` is taken over as is; when it is not empty use SetValue.from to get the encoding right. */
  constructor(set: StrSet = new StrSet()) {
    this.set = set;
  }

  /** A set over `members` with the encoding Redis gives a set it loads (RDB, RESTORE). */
  static from(members: StrSet, cfg: EncodingConfig): SetValue {
    const s = new SetValue(members);
    if (members.size > cfg.num('set-max-intset-entries')) s.intset = false;
    else {
      for (const m of members) {
        if (!isInt64String(m)) {
          s.intset = false;
          break;
        }
      }
    }
    return s;
  }

  get size(): number {
    return this.set.size;
  }

  has(member: string): boolean {
    return this.set.has(member);
  }

  /** The members in insertion order (serializers; replies use ordered()). */
  values(): IterableIterator<string> {
    return this.set.values();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.set.values();
  }

  /** setTypeAdd: true if the member is new. */
  add(member: string, cfg: EncodingConfig): boolean {
    const s = this.set;
    const before = s.size;
    s.add(member);
    if (s.size === before) return false;
    if (this.scan !== null) this.scan.added(member);
    if (this.intset) {
      this.sorted = null;
      if (!isInt64String(member) || s.size > cfg.num('set-max-intset-entries')) this.intset = false;
    }
    return true;
  }

  /** True if the member was there. The caller deletes the key when the set becomes empty. */
  delete(member: string): boolean {
    if (!this.set.delete(member)) return false;
    if (this.scan !== null) this.scan.deleted(member);
    this.sorted = null;
    return true;
  }

  /** OBJECT ENCODING. */
  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  /** A deep copy (COPY): same members, same encoding. */
  clone(): SetValue {
    const s = new SetValue(new StrSet(this.set));
    s.intset = this.intset;
    return s;
  }

  /**
   * The members in the order Redis replies them: numeric for an intset, else insertion order.
   * Read-only; valid until the set is next modified.
   */
  ordered(): Iterable<string> {
    if (!this.intset) return this.set;
    if (this.sorted === null) this.sorted = Array.from(this.set).sort(compareInt64Strings);
    return this.sorted;
  }

  /** A uniformly random member of a non-empty set (O(1): str-dict.ts's randomKey). */
  randomMember(): string {
    return this.set.randomKey();
  }
}
