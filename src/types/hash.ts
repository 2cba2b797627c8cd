// The hash value (Redis t_hash.c): field -> value in one insertion-ordered Map (O(1) get, set,
// delete; latin1 strings, binary safe).
// Invariants: the Map is never empty while the hash is in the keyspace (the command that removes
// the last field deletes the key); `big` is Redis's encoding state: false while Redis 7.0 would
// keep the hash a listpack (at most hash-max-listpack-entries fields, every field and value at
// most hash-max-listpack-value bytes, checked on every write as hashTypeSet does), true once it
// would have converted it to a hashtable, and never false again (Redis never converts back).
// The encoding is only a state: the storage is the same Map either way (a listpack would save
// memory in C; in JS a second structure would not).
//
// A listpack keeps insertion order, and so does the Map (an update keeps its place, a field
// deleted and set again goes to the end), so for small hashes HGETALL/HKEYS/HVALS/HSCAN answer
// in exactly Redis's order.

import type { Collection } from '../keyspace/entry.js';
import { ScanState } from './scan-cursor.js';
import { RandomIndex, RANDOM_INDEX_DROP, RANDOM_WALK_MAX, walkToRandom } from './random-index.js';

/** What the value classes read of the server config (Config satisfies it). */
export interface EncodingConfig {
  num(name: string): number;
}

export class HashValue implements Collection {
  readonly type = 'hash' as const;
  readonly map: Map<string, string>;
  /** Converted to "hashtable" (for good). */
  big = false;
  /** HSCAN bookkeeping (see scan-cursor.ts); null until an HSCAN needs a second call. */
  scan: ScanState<string> | null = null;
  /** Random-access index for HRANDFIELD on large hashes (see random-index.ts). */
  private rnd: RandomIndex | null = null;

  /** `map` is taken over as is; when it is not empty, set `big` too (or use HashValue.from). */
  constructor(map: Map<string, string> = new Map()) {
    this.map = map;
  }

  /**
   * A hash over `map` with the encoding Redis gives a hash it loads (RDB, RESTORE): listpack
   * when small enough, else hashtable. For loaders of snapshots and dumps.
   */
  static from(map: Map<string, string>, cfg: EncodingConfig): HashValue {
    const h = new HashValue(map);
    const maxValue = cfg.num('hash-max-listpack-value');
    if (map.size > cfg.num('hash-max-listpack-entries')) h.big = true;
    else {
      for (const [f, v] of map) {
        if (f.length > maxValue || v.length > maxValue) {
          h.big = true;
          break;
        }
      }
    }
    return h;
  }

  get size(): number {
    return this.map.size;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** [field, value] pairs in insertion order (serializers, test dumps). */
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  /** hashTypeSet: sets a field, converting the encoding as Redis does. True if the field is new. */
  set(field: string, value: string, cfg: EncodingConfig): boolean {
    const m = this.map;
    const before = m.size;
    m.set(field, value);
    const added = m.size !== before;
    if (added) {
      if (this.rnd !== null) this.rnd.add(field);
      if (this.scan !== null) this.scan.added(field);
    }
    if (!this.big) {
      const maxValue = cfg.num('hash-max-listpack-value');
      if (field.length > maxValue || value.length > maxValue || m.size > cfg.num('hash-max-listpack-entries')) {
        this.big = true;
      }
    }
    return added;
  }

  /** True if the field existed. The caller deletes the key when the hash becomes empty. */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    if (this.scan !== null) this.scan.deleted(field);
    if (this.rnd !== null) {
      if (this.map.size < RANDOM_INDEX_DROP) this.rnd = null;
      else this.rnd.delete(field);
    }
    return true;
  }

  /** OBJECT ENCODING. */
  encoding(): string {
    return this.big ? 'hashtable' : 'listpack';
  }

  /** A deep copy (COPY): same fields in the same order, same encoding. */
  clone(): HashValue {
    const h = new HashValue(new Map(this.map));
    h.big = this.big;
    return h;
  }

  /** A uniformly random field of a non-empty hash. */
  randomField(): string {
    const n = this.map.size;
    if (n <= RANDOM_WALK_MAX) return walkToRandom(this.map.keys(), n);
    return this.index().pick();
  }

  /**
   * Every field in a dense array, for sampling many at once. Read-only, and valid only until the
   * hash is next modified (it may be the random index itself).
   */
  fieldArray(): readonly string[] {
    if (this.map.size <= RANDOM_WALK_MAX) return Array.from(this.map.keys());
    return this.index().arr;
  }

  private index(): RandomIndex {
    return this.rnd ?? (this.rnd = new RandomIndex(this.map.keys()));
  }
}
