// One logical database: its key table (table.ts: the dict, per-slot columns, the LRU chain and
// the expires set). Keys are addressed by slot: a lookup returns the key's slot or NIL (-1), and
// the slot stays the key's until it is deleted.
// Invariants: a logically expired key is never returned by a lookup (it is deleted on the way,
// "lazy expiry", and reported through the keyspace's `expired` hook so the deletion is logged);
// a slot returned by a lookup is valid until the next deletion or flush of this db — commands
// use it within their own synchronous run and never keep it.
//
// Lookup side effects, as Redis's db.c lists them for lookupKey*:
//   lookupRead   — may expire the key; counts keyspace_hits/misses; touches the LRU chain.
//   lookupWrite  — may expire the key; touches the LRU chain; no hit/miss stats; tells a running
//                  snapshot the value is about to change (so it saves the old one first) and
//                  memory accounting to re-estimate a collection after the command. Every
//                  command that modifies a value in place MUST find it through lookupWrite.
//   lookupNoTouch — may expire the key; no stats, no LRU touch (EXISTS, TYPE, TTL...).

import type { Value } from './entry.js';
import type { KeyDict } from './key-dict.js';
import type { Keyspace } from './keyspace.js';
import { KeyTable, NIL, STR_HINT_BITS } from './table.js';
import type { SlotIndex } from './slot-index.js';

export { NIL };

/** A key as `entries()` yields it. */
export interface KeyView {
  readonly key: string;
  readonly value: Value;
  /** Absolute unix ms; 0 = no expiry. */
  readonly expireAt: number;
  readonly lru: number;
}

/** Slots examined per SCAN COUNT unit at most, so a sparse table still answers in bounded time. */
const SCAN_EMPTY_FACTOR = 10;

export class Db {
  /** Replaced by FLUSHDB, traded by SWAPDB; a running snapshot keeps walking the one it saw. */
  t: KeyTable;
  /** Persistent cursor of the active expire cycle over `expires`. */
  expireCursor: Iterator<number> | null = null;
  /** The keys of each hash slot (slot-index.ts): db 0 in cluster mode only, else null (one check). */
  slotIndex: SlotIndex | null = null;

  constructor(
    public index: number,
    private readonly ks: Keyspace,
  ) {
    this.t = new KeyTable(ks.chainMode);
  }

  get size(): number {
    return this.t.dict.size;
  }

  get dict(): KeyDict {
    return this.t.dict;
  }

  get expires(): Set<number> {
    return this.t.expires;
  }

  // ---- slot accessors ----------------------------------------------------------------------

  keyAt(s: number): string {
    return this.t.keys[s];
  }

  valueAt(s: number): Value {
    return this.t.vals[s] as Value;
  }

  /** Absolute unix ms; 0 = no expiry. */
  expiryAt(s: number): number {
    return this.t.expiryOf(s);
  }

  /** The access stamp (LRU seconds or LFU minutes/counter, see evict.ts). */
  lruAt(s: number): number {
    return this.t.meta[2 * s];
  }

  setLruAt(s: number, v: number): void {
    this.t.meta[2 * s] = v;
  }

  /** A string value's encoding hint (table.ts: STR_RAW, STR_NOINT; 0: from its content). */
  stringHintAt(s: number): number {
    return this.t.meta[2 * s + 1] & STR_HINT_BITS;
  }

  /** Sets the hint of the string value slot s holds now (the next value replacing it clears it). */
  setStringHintAt(s: number, hint: number): void {
    const m = this.t.meta;
    m[2 * s + 1] = (m[2 * s + 1] & ~STR_HINT_BITS) | (hint & STR_HINT_BITS);
  }

  // ---- lookups ---------------------------------------------------------------------------

  lookupRead(key: string): number {
    const t = this.t;
    const s = t.dict.get(key);
    if (s === undefined || (t.expires.size !== 0 && t.expiryOf(s) !== 0 && this.expireIfNeeded(s))) {
      this.ks.stats.keyspaceMisses++;
      if (this.ks.keyMissed !== null) this.ks.keyMissed(this, key);
      return NIL;
    }
    this.ks.stats.keyspaceHits++;
    this.touch(s);
    return s;
  }

  lookupWrite(key: string): number {
    const t = this.t;
    const s = t.dict.get(key);
    if (s === undefined || (t.expires.size !== 0 && t.expiryOf(s) !== 0 && this.expireIfNeeded(s))) return NIL;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, s);
    this.touch(s);
    this.ks.onLookupWrite(this, s);
    return s;
  }

  lookupNoTouch(key: string): number {
    const t = this.t;
    const s = t.dict.get(key);
    if (s === undefined || (t.expires.size !== 0 && t.expiryOf(s) !== 0 && this.expireIfNeeded(s))) return NIL;
    return s;
  }

  /** lookupRead's value, undefined when the key is missing. */
  readValue(key: string): Value | undefined {
    const s = this.lookupRead(key);
    return s < 0 ? undefined : (this.t.vals[s] as Value);
  }

  /** lookupWrite's value, undefined when the key is missing. */
  writeValue(key: string): Value | undefined {
    const s = this.lookupWrite(key);
    return s < 0 ? undefined : (this.t.vals[s] as Value);
  }

  /** lookupNoTouch's value, undefined when the key is missing. */
  peekValue(key: string): Value | undefined {
    const s = this.lookupNoTouch(key);
    return s < 0 ? undefined : (this.t.vals[s] as Value);
  }

  /**
   * True if the key at `s` is logically expired. On a primary it is deleted and reported; on a
   * replica (ks.expireDeletes false) it only reads as missing, and the primary's DEL removes it.
   */
  expireIfNeeded(s: number): boolean {
    const at = this.t.expiryOf(s);
    if (at === 0 || this.ks.loading || at > this.ks.clock.now()) return false;
    if (this.ks.expireDeletes) this.expireSlot(s);
    return true;
  }

  /** Deletes an expired key and reports it (stats, log, notifications). */
  expireSlot(s: number): void {
    const key = this.t.keys[s];
    this.deleteSlot(s);
    this.ks.stats.expiredKeys++;
    this.ks.hooks.expired(this, key);
  }

  // ---- mutation --------------------------------------------------------------------------

  /** Adds a key that must not exist. */
  add(key: string, value: Value): number {
    const t = this.t;
    const s = t.alloc(key, value);
    const h = t.dict.set(key, s);
    if (t.links !== null) t.linkNew(s, h);
    if (this.slotIndex !== null) this.slotIndex.add(s, key);
    this.ks.onAccess(t, s);
    this.ks.onAdd(this, s);
    if (this.ks.keyAdded !== null) this.ks.keyAdded(this, key);
    return s;
  }

  /**
   * SET semantics (Redis setKey): creates or overwrites; an overwrite drops the TTL unless
   * keepTtl. Returns the slot now holding the value.
   */
  setKey(key: string, value: Value, keepTtl = false): number {
    const s = this.t.dict.get(key);
    if (s === undefined) return this.add(key, value);
    return this.overwrite(s, value, keepTtl);
  }

  /**
   * Redis's setGenericCommand without options: a logically expired key is expired first (and
   * reported, as lookupKeyWrite does), then the key is created or overwritten, TTL dropped.
   * One hash probe. Returns the slot now holding the value.
   */
  setFresh(key: string, value: Value): number {
    const s = this.lookupNoTouch(key);
    return s >= 0 ? this.overwrite(s, value) : this.addAfterMiss(key, value);
  }

  /**
   * Adds `key` after a lookup of it found nothing, without probing again — unless expired keys
   * are only hidden, not deleted (a replica, CLIENT PAUSE): then a hidden one is overwritten
   * (TTL dropped), as the write that a primary would send does.
   */
  addAfterMiss(key: string, value: Value, keepTtl = false): number {
    return this.ks.expireDeletes ? this.add(key, value) : this.setKey(key, value, keepTtl);
  }

  /**
   * setKey for a slot the caller already found (by lookupWrite): saves the second hash probe
   * on the SET path.
   */
  overwrite(s: number, value: Value, keepTtl = false): number {
    const t = this.t;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, s);
    this.ks.onOverwrite(this, s, value);
    t.vals[s] = value;
    if (!keepTtl && t.expiryOf(s) !== 0) this.removeExpire(s);
    this.touch(s);
    return s;
  }

  delete(key: string): boolean {
    const s = this.t.dict.get(key);
    if (s === undefined) return false;
    this.deleteSlot(s);
    return true;
  }

  deleteSlot(s: number): void {
    const t = this.t;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, s);
    this.ks.onDelete(this, s);
    if (this.slotIndex !== null) this.slotIndex.remove(s, t.keys[s]);
    t.dict.delete(t.keys[s]);
    if (t.expiryOf(s) !== 0) t.expires.delete(s);
    if (t.links !== null) t.unlink(s);
    t.free(s);
  }

  setExpire(s: number, at: number): void {
    const t = this.t;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, s);
    if (t.expiryOf(s) === 0) t.expires.add(s);
    t.setExpiry(s, at);
  }

  removeExpire(s: number): void {
    const t = this.t;
    if (t.expiryOf(s) === 0) return;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, s);
    t.expires.delete(s);
    t.setExpiry(s, 0);
  }

  /** Empties the db. The old table is left to the GC: O(1) here, like FLUSHALL ASYNC. */
  flush(): number {
    const n = this.t.dict.size;
    this.ks.onFlush(this);
    this.t = new KeyTable(this.ks.chainMode);
    this.expireCursor = null;
    if (this.slotIndex !== null) this.slotIndex.reset();
    return n;
  }

  /** Moves all content of `other` into this db and vice versa (SWAPDB). */
  swapContents(other: Db): void {
    const t = this.t;
    this.t = other.t;
    other.t = t;
    const c = this.expireCursor;
    this.expireCursor = other.expireCursor;
    other.expireCursor = c;
    // The index describes a table's rows: it goes with the table.
    const ix = this.slotIndex;
    this.slotIndex = other.slotIndex;
    other.slotIndex = ix;
  }

  // ---- LRU chain -------------------------------------------------------------------------

  touch(s: number): void {
    const t = this.t;
    this.ks.onAccess(t, s);
    if (t.links === null || s === t.lruTail || !t.moveOnAccess) return;
    t.unlink(s);
    t.linkTail(s);
  }

  // ---- iteration -------------------------------------------------------------------------

  /**
   * One SCAN step: visits up to `count` live keys from slot `cursor` on (0 = start) and returns
   * the next cursor (0 = done). A live key keeps its slot, so a key present for the whole
   * iteration is returned exactly once whatever is added or removed meanwhile; the cursor is
   * plain data (valid across calls, clients and restarts of the iteration). At most
   * SCAN_EMPTY_FACTOR * count slots are examined per call.
   */
  scan(cursor: number, count: number, visit: (s: number) => void): number {
    const t = this.t;
    let s = cursor;
    let visited = 0;
    let budget = Math.max(1, count) * SCAN_EMPTY_FACTOR;
    while (s < t.top) {
      if (visited >= count || budget === 0) return s;
      budget--;
      if (t.vals[s] !== null) {
        visit(s);
        visited++;
      }
      s++;
    }
    return 0;
  }

  /**
   * Every live key as a plain object, in slot order (offline tools and tests: it allocates per
   * key; the server's own paths use slots).
   */
  *entries(): IterableIterator<KeyView> {
    const t = this.t;
    for (let s = 0; s < t.top; s++) {
      const v = t.vals[s];
      if (v !== null) yield { key: t.keys[s], value: v, expireAt: t.expiryOf(s), lru: t.meta[2 * s] };
    }
  }

  /** The key as a plain object, without any lookup side effect (offline tools and tests). */
  entry(key: string): KeyView | undefined {
    const s = this.t.dict.get(key);
    if (s === undefined) return undefined;
    const t = this.t;
    return { key, value: t.vals[s] as Value, expireAt: t.expiryOf(s), lru: t.meta[2 * s] };
  }

  /** A random live key that has not expired (RANDOMKEY), NIL if there is none. */
  randomSlot(): number {
    for (let attempt = 0; attempt < 100 && this.t.dict.size > 0; attempt++) {
      const s = this.t.randomSlot();
      if (s === NIL) return NIL;
      const at = this.t.expiryOf(s);
      if (at !== 0 && at <= this.ks.clock.now()) {
        if (this.ks.expireDeletes) this.expireSlot(s);
        continue;
      }
      return s;
    }
    return NIL;
  }
}
