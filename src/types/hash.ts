// The hash value (Redis t_hash.c): field -> value, latin1 strings, binary safe, in one of Redis's
// two encodings:
//   - "listpack" (small hashes): every pair packed in insertion order in ONE latin1 string (see
//     hash-packed.ts for its layout and invariants); lookups scan it (O(n), n <= the entries
//     limit, as Redis's listpack scans), a mutation builds a new string (HSET of many pairs
//     builds it once: setPairs). Besides the bytes themselves: this object (32 B), the string
//     header (16 B), the count and 2 B per pair (Redis's listpack: ~4 B per pair).
//   - "hashtable": a HashTable object around an insertion-ordered StrMap (str-dict.ts: a Map's
//     API and iteration over an open-addressing table; O(1) get, set, delete, random field),
//     with the HSCAN numbering it needs when scanned in steps.
// Invariants:
//   - the hash is never empty while in the keyspace (the command that removes the last field
//     deletes the key);
//   - `d` is the packed string exactly while the encoding is listpack, i.e. while Redis 7.0 would
//     keep the hash a listpack (at most hash-max-listpack-entries fields, every field and value
//     at most hash-max-listpack-value bytes, checked on every write as hashTypeSet does; the load
//     time encoding from HashValue.from); it becomes a HashTable the moment Redis would convert,
//     and never goes back (Redis never converts back);
//   - the StrMap of a converted hash holds real copies of its strings, never SlicedStrings of the
//     packed string it came from (they would keep it alive: packedToMap copies); what get(),
//     entries() and the other readers hand out of a listpack may be such views, for replies and
//     serializers, never to be stored;
//   - the packed string is immutable like any JS string, so clone() (COPY) shares it and an
//     iteration of a listpack walks it as it was when the iteration began (a hashtable's StrMap
//     iterator sees later changes; no caller changes a hash while iterating it);
//   - `scan` exists only on the HashTable: a listpack hash is returned whole by HSCAN (as Redis
//     does) and picked from by its position (as Redis's lpRandomPair does).
//
// A listpack keeps insertion order (an update keeps its place, a field deleted and set again goes
// to the end), and so does the StrMap it converts to, so for small hashes HGETALL/HKEYS/HVALS/HSCAN
// answer in exactly Redis's order.
//
// Memory (keyspace/memory.ts follows this layout): a listpack hash is this object (header 24 +
// one field) and its packed string; `type` lives on the prototype, not in every instance.

import type { Collection } from '../keyspace/entry.js';
import { ScanState, scanStep, type Scannable } from './scan-cursor.js';
import { StrMap } from './str-dict.js';
import {
  foundValueIs,
  foundValueSpan,
  packedAppend,
  packedApply,
  packedColumn,
  packedCount,
  packedEntries,
  packedFieldAt,
  packedFind,
  packedForEach,
  packedGet,
  packedRemove,
  packedReplace,
  packedToMap,
  packPairs,
} from './hash-packed.js';

/** What the value classes read of the server config (Config satisfies it). */
export interface EncodingConfig {
  num(name: string): number;
}

/** The "hashtable" encoding: the StrMap and what large hashes need beside it. */
class HashTable implements Scannable<string> {
  /** HSCAN bookkeeping (see scan-cursor.ts); null until an HSCAN needs a second call. */
  scan: ScanState<string> | null = null;

  constructor(readonly map: StrMap<string>) {}
}

export class HashValue implements Collection {
  declare readonly type: 'hash';
  /** The packed string (listpack encoding) or the HashTable (hashtable encoding). */
  private d: string | HashTable;

  /**
   * `new HashValue()` is an empty listpack hash (commands fill it with set). `new HashValue(map)`
   * is a hashtable hash over `map`, taken over as is (loaders use HashValue.from instead, which
   * picks the encoding Redis would).
   */
  constructor(map?: StrMap<string>) {
    this.d = map === undefined ? '' : new HashTable(map);
  }

  /**
   * A hash over `map` with the encoding Redis gives a hash it loads (RDB, RESTORE): listpack
   * when small enough (packed; the StrMap is dropped), else hashtable (the StrMap is taken over).
   */
  static from(map: StrMap<string>, cfg: EncodingConfig): HashValue {
    if (map.size > cfg.num('hash-max-listpack-entries')) return new HashValue(map);
    const maxValue = cfg.num('hash-max-listpack-value');
    for (const [f, v] of map) {
      if (f.length > maxValue || v.length > maxValue) return new HashValue(map);
    }
    const h = new HashValue();
    h.d = packPairs(map);
    return h;
  }

  /** Converted to "hashtable" (for good). */
  get big(): boolean {
    return typeof this.d !== 'string';
  }

  /** The packed string while listpack, else null (memory accounting reads it). */
  get packed(): string | null {
    const d = this.d;
    return typeof d === 'string' ? d : null;
  }

  /** The StrMap while hashtable, else null (memory accounting reads it). Do not modify it. */
  get map(): StrMap<string> | null {
    const d = this.d;
    return typeof d === 'string' ? null : d.map;
  }

  get size(): number {
    const d = this.d;
    return typeof d === 'string' ? packedCount(d) : d.map.size;
  }

  /**
   * The value of `field`, or undefined. For a listpack hash a value of 13+ chars is a view of
   * the packed string: fine to reply with or parse, not to keep for long.
   */
  get(field: string): string | undefined {
    const d = this.d;
    return typeof d === 'string' ? packedGet(d, field) : d.map.get(field);
  }

  has(field: string): boolean {
    const d = this.d;
    return typeof d === 'string' ? packedFind(d, field) : d.map.has(field);
  }

  /** [field, value] pairs in insertion order (serializers, test dumps). Same caveat as get. */
  entries(): IterableIterator<[string, string]> {
    const d = this.d;
    return typeof d === 'string' ? packedEntries(d) : d.map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Every field, in order. */
  keys(): IterableIterator<string> {
    const d = this.d;
    return typeof d === 'string' ? packedColumn(d, false).values() : d.map.keys();
  }

  /** Every value, in the fields' order. */
  values(): IterableIterator<string> {
    const d = this.d;
    return typeof d === 'string' ? packedColumn(d, true).values() : d.map.values();
  }

  /** fn(field, value) for every pair in order (the replies' walk: no iterator objects). */
  forEach(fn: (field: string, value: string) => void): void {
    const d = this.d;
    if (typeof d === 'string') packedForEach(d, fn);
    else d.map.forEach((v, f) => fn(f, v));
  }

  /** hashTypeSet: sets a field, converting the encoding as Redis does. True if the field is new. */
  set(field: string, value: string, cfg: EncodingConfig): boolean {
    let d = this.d;
    if (typeof d === 'string') {
      const maxValue = cfg.num('hash-max-listpack-value');
      if (field.length <= maxValue && value.length <= maxValue) {
        // Redis checks the length after any set, an update too: the limit may have been
        // lowered (CONFIG SET) below the size of this hash since it was last written.
        const n = packedCount(d);
        const maxEntries = cfg.num('hash-max-listpack-entries');
        if (packedFind(d, field)) {
          if (n <= maxEntries) {
            if (!foundValueIs(d, value)) this.d = packedReplace(d, value);
            return false;
          }
        } else if (n < maxEntries) {
          this.d = packedAppend(d, field, value);
          return true;
        }
      }
      // Too long, or too many fields: Redis converts (before or after this set: the StrMap ends
      // up in the same order either way).
      d = this.d = new HashTable(packedToMap(d));
    }
    const m = d.map;
    const before = m.size;
    m.set(field, value);
    if (m.size === before) return false;
    if (d.scan !== null) d.scan.added(field);
    return true;
  }

  /**
   * HSET's loop: sets the pairs args[from], args[from + 1], ... in order, with the result (and
   * conversions) of as many set() calls, but a listpack's string is built once, not once per
   * pair (which would copy O(pairs x size) bytes). Returns how many fields were new.
   */
  setPairs(args: readonly string[], from: number, cfg: EncodingConfig): number {
    const d = this.d;
    if (typeof d === 'string' && args.length - from > 2) {
      const added = this.applyPacked(d, args, from, cfg);
      if (added >= 0) return added;
    }
    let created = 0;
    for (let i = from; i < args.length; i += 2) if (this.set(args[i], args[i + 1], cfg)) created++;
    return created;
  }

  /**
   * setPairs on a listpack that stays one: returns the number of new fields; or -1, having
   * changed nothing, when a pair makes it convert (setPairs then goes pair by pair).
   */
  private applyPacked(lp: string, args: readonly string[], from: number, cfg: EncodingConfig): number {
    const maxValue = cfg.num('hash-max-listpack-value');
    for (let i = from; i < args.length; i++) if (args[i].length > maxValue) return -1;
    // The last value of each field, in the order the fields first appear (a field new to the
    // hash goes to the end at its first set; later sets of it in the same call update in place).
    const last = new Map<string, string>();
    for (let i = from; i < args.length; i += 2) last.set(args[i], args[i + 1]);
    const repl: Array<{ vp: number; ve: number; value: string }> = [];
    const adds: Array<[string, string]> = [];
    for (const [f, v] of last) {
      if (packedFind(lp, f)) {
        const span = foundValueSpan();
        repl.push({ vp: span.vp, ve: span.ve, value: v });
      } else adds.push([f, v]);
    }
    const count = packedCount(lp) + adds.length;
    if (count > cfg.num('hash-max-listpack-entries')) return -1;
    repl.sort((a, b) => a.vp - b.vp);
    this.d = packedApply(lp, count, repl, adds);
    return adds.length;
  }

  /** True if the field existed. The caller deletes the key when the hash becomes empty. */
  delete(field: string): boolean {
    const d = this.d;
    if (typeof d === 'string') {
      if (!packedFind(d, field)) return false;
      this.d = packedRemove(d);
      return true;
    }
    if (!d.map.delete(field)) return false;
    if (d.scan !== null) d.scan.deleted(field);
    return true;
  }

  /** OBJECT ENCODING. */
  encoding(): string {
    return typeof this.d === 'string' ? 'listpack' : 'hashtable';
  }

  /** A deep copy (COPY): same fields in the same order, same encoding. */
  clone(): HashValue {
    const d = this.d;
    const h = new HashValue();
    // The packed string is immutable (every change builds a new one): sharing it is a copy.
    h.d = typeof d === 'string' ? d : new HashTable(new StrMap(d.map));
    return h;
  }

  /** A uniformly random field of a non-empty hash. */
  randomField(): string {
    const d = this.d;
    if (typeof d === 'string') return packedFieldAt(d, Math.floor(Math.random() * packedCount(d)));
    return d.map.randomKey();
  }

  /**
   * Every field of a listpack hash in a dense array, in order (valueArray() gives the values at
   * the same positions), for sampling many at once; null for a hashtable hash (pick from it
   * with randomField: O(1) there).
   */
  fieldArray(): readonly string[] | null {
    const d = this.d;
    return typeof d === 'string' ? packedColumn(d, false) : null;
  }

  /**
   * For a listpack hash, every value in an array, at the index of its field in fieldArray(); null
   * for a hashtable hash (look values up with get: O(1) there, a scan in a listpack).
   */
  valueArray(): readonly string[] | null {
    const d = this.d;
    return typeof d === 'string' ? packedColumn(d, true) : null;
  }

  /**
   * One HSCAN step over a hashtable hash (scan-cursor.ts's scanStep): appends up to `count`
   * fields to `out`, returns the next cursor. A listpack hash is returned whole instead (as Redis).
   */
  scanStep(cursor: number, count: number, out: string[]): number {
    const d = this.d;
    if (typeof d === 'string') throw new Error('HashValue.scanStep: listpack hashes are scanned whole');
    return scanStep(d, d.map, cursor, count, out);
  }
}

// On the prototype: one word less in every hash (readers see no difference).
Object.defineProperty(HashValue.prototype, 'type', { value: 'hash', enumerable: false, writable: false, configurable: false });
