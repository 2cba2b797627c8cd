// One logical database: the dict (O(1) lookups), the expires set, the LRU chain and SCAN cursors.
// Invariants: a logically expired key is never returned by a lookup (it is deleted on the way,
// "lazy expiry", and reported through the keyspace's `expired` hook so the deletion is logged);
// the dict's iteration order is the order of `Entry.seq`, which is what makes SCAN cursors
// (the seq of the next entry to return) survive inserts, deletes and rehashing between calls.
//
// Lookup side effects, as Redis's db.c lists them for lookupKey*:
//   lookupRead   — may expire the key; counts keyspace_hits/misses; touches the LRU chain.
//   lookupWrite  — may expire the key; touches the LRU chain; no hit/miss stats; tells a running
//                  snapshot the value is about to change (so it saves the old one first) and
//                  memory accounting to re-estimate a collection after the command. Every
//                  command that modifies a value in place MUST find it through lookupWrite.
//   lookupNoTouch — may expire the key; no stats, no LRU touch (EXISTS, TYPE, TTL...).

import { Entry, type Value } from './entry.js';
import type { Keyspace } from './keyspace.js';

const SCAN_CACHE_MAX = 128;

interface ScanPosition {
  it: Iterator<Entry>;
  /** The next entry to return; its seq is the cursor the client holds. */
  pending: Entry;
}

export class Db {
  dict = new Map<string, Entry>();
  expires = new Set<Entry>();
  /** Least recently used end of the LRU chain. */
  lruHead: Entry | null = null;
  /** Most recently used end. */
  lruTail: Entry | null = null;
  private nextSeq = 1;
  private scanCache = new Map<number, ScanPosition>();
  /** Persistent cursor of the active expire cycle over `expires`. */
  expireCursor: Iterator<Entry> | null = null;
  private randomCursor: Iterator<Entry> | null = null;

  constructor(
    public index: number,
    private readonly ks: Keyspace,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** Every entry added from now on gets a seq ≥ this (snapshots use it to skip new keys). */
  get seqLimit(): number {
    return this.nextSeq;
  }

  // ---- lookups ---------------------------------------------------------------------------

  lookupRead(key: string): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined || (e.expireAt !== 0 && this.expireIfNeeded(e))) {
      this.ks.stats.keyspaceMisses++;
      if (this.ks.keyMissed !== null) this.ks.keyMissed(this, key);
      return undefined;
    }
    this.ks.stats.keyspaceHits++;
    this.touch(e);
    return e;
  }

  lookupWrite(key: string): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined || (e.expireAt !== 0 && this.expireIfNeeded(e))) return undefined;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, e);
    this.touch(e);
    this.ks.onLookupWrite(this, e);
    return e;
  }

  lookupNoTouch(key: string): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined || (e.expireAt !== 0 && this.expireIfNeeded(e))) return undefined;
    return e;
  }

  /**
   * True if the entry is logically expired. On a primary it is deleted and reported; on a
   * replica (ks.expireDeletes false) it only reads as missing, and the primary's DEL removes it.
   */
  expireIfNeeded(e: Entry): boolean {
    if (e.expireAt === 0 || this.ks.loading || e.expireAt > this.ks.clock.now()) return false;
    if (this.ks.expireDeletes) this.expireEntry(e);
    return true;
  }

  /** Deletes an expired entry and reports it (stats, log, notifications). */
  expireEntry(e: Entry): void {
    this.deleteEntry(e);
    this.ks.stats.expiredKeys++;
    this.ks.hooks.expired(this, e.key);
  }

  // ---- mutation --------------------------------------------------------------------------

  /** Adds a key that must not exist. */
  add(key: string, value: Value): Entry {
    const e = new Entry(key, value);
    e.seq = this.nextSeq++;
    this.dict.set(key, e);
    this.linkTail(e);
    this.ks.onAccess(e);
    this.ks.onAdd(this, e);
    if (this.ks.keyAdded !== null) this.ks.keyAdded(this, key);
    return e;
  }

  /**
   * SET semantics (Redis setKey): creates or overwrites; an overwrite drops the TTL unless
   * keepTtl. Returns the entry now holding the value.
   */
  setKey(key: string, value: Value, keepTtl = false): Entry {
    const e = this.dict.get(key);
    if (e === undefined) return this.add(key, value);
    return this.overwrite(e, value, keepTtl);
  }

  /**
   * setKey for an entry the caller already found (by lookupWrite): saves the second hash probe
   * on the SET path.
   */
  overwrite(e: Entry, value: Value, keepTtl = false): Entry {
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, e);
    this.ks.onOverwrite(this, e, value);
    e.value = value;
    if (!keepTtl && e.expireAt !== 0) this.removeExpire(e);
    this.touch(e);
    return e;
  }

  delete(key: string): boolean {
    const e = this.dict.get(key);
    if (e === undefined) return false;
    this.deleteEntry(e);
    return true;
  }

  deleteEntry(e: Entry): void {
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, e);
    this.ks.onDelete(this, e);
    this.dict.delete(e.key);
    if (e.expireAt !== 0) {
      this.expires.delete(e);
      e.expireAt = 0;
    }
    this.unlink(e);
  }

  setExpire(e: Entry, at: number): void {
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, e);
    if (e.expireAt === 0) this.expires.add(e);
    e.expireAt = at;
  }

  removeExpire(e: Entry): void {
    if (e.expireAt === 0) return;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, e);
    this.expires.delete(e);
    e.expireAt = 0;
  }

  /** Empties the db. Old structures are left to the GC: O(1) here, like FLUSHALL ASYNC. */
  flush(): number {
    const n = this.dict.size;
    this.ks.onFlush(this);
    this.dict = new Map();
    this.expires = new Set();
    this.lruHead = this.lruTail = null;
    this.scanCache.clear();
    this.expireCursor = null;
    this.randomCursor = null;
    return n;
  }

  /** Moves all content of `other` into this db and vice versa (SWAPDB). */
  swapContents(other: Db): void {
    const fields = ['dict', 'expires', 'lruHead', 'lruTail', 'nextSeq', 'scanCache', 'expireCursor', 'randomCursor'] as const;
    for (const f of fields) {
      const t = (this as any)[f];
      (this as any)[f] = (other as any)[f];
      (other as any)[f] = t;
    }
  }

  // ---- LRU chain -------------------------------------------------------------------------

  touch(e: Entry): void {
    this.ks.onAccess(e);
    if (e === this.lruTail) return;
    this.unlink(e);
    this.linkTail(e);
  }

  private linkTail(e: Entry): void {
    e.prev = this.lruTail;
    e.next = null;
    if (this.lruTail !== null) this.lruTail.next = e;
    else this.lruHead = e;
    this.lruTail = e;
  }

  private unlink(e: Entry): void {
    if (e.prev !== null) e.prev.next = e.next;
    else if (this.lruHead === e) this.lruHead = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else if (this.lruTail === e) this.lruTail = e.prev;
    e.prev = e.next = null;
  }

  // ---- iteration -------------------------------------------------------------------------

  /**
   * One SCAN step: visits up to `count` live entries from `cursor` on (0 = start) and returns
   * the next cursor (0 = done). Cursors are entry sequence numbers, so an entry present for the
   * whole iteration is returned exactly once even if others are added or removed meanwhile.
   * A cursor not in the position cache (evicted, or from before a restart) is resolved by a
   * linear skip: slower, still correct.
   */
  scan(cursor: number, count: number, visit: (e: Entry) => void): number {
    let pos: ScanPosition | undefined;
    if (cursor === 0) {
      const it = this.dict.values();
      const first = it.next();
      if (first.done) return 0;
      pos = { it, pending: first.value };
    } else {
      pos = this.scanCache.get(cursor);
      if (pos !== undefined) this.scanCache.delete(cursor);
      else pos = this.seekSeq(cursor);
      if (pos === undefined) return 0;
    }
    let visited = 0;
    let e: Entry | undefined = pos.pending;
    while (e !== undefined) {
      if (visited >= count) {
        this.scanCache.set(e.seq, { it: pos.it, pending: e });
        if (this.scanCache.size > SCAN_CACHE_MAX) {
          const oldest = this.scanCache.keys().next().value as number;
          this.scanCache.delete(oldest);
        }
        return e.seq;
      }
      // The pending entry may have been deleted (or replaced under the same key) since.
      if (this.dict.get(e.key) === e) {
        visit(e);
        visited++;
      }
      const r = pos.it.next();
      e = r.done ? undefined : r.value;
    }
    return 0;
  }

  private seekSeq(seq: number): ScanPosition | undefined {
    const it = this.dict.values();
    for (let r = it.next(); !r.done; r = it.next()) {
      if (r.value.seq >= seq) return { it, pending: r.value };
    }
    return undefined;
  }

  /**
   * A pseudo-random live entry (RANDOMKEY, allkeys-random): a persistent cursor over the dict
   * advanced by a random stride, so each call is O(stride), not O(n).
   */
  randomEntry(): Entry | undefined {
    for (let attempt = 0; attempt < 100 && this.dict.size > 0; attempt++) {
      const e = this.advanceRandom(1 + Math.floor(Math.random() * Math.min(64, this.dict.size)));
      if (e === undefined) continue;
      if (e.expireAt !== 0 && e.expireAt <= this.ks.clock.now()) {
        if (this.ks.expireDeletes) this.expireEntry(e);
        else if (attempt < 99) continue;
        continue;
      }
      return e;
    }
    return undefined;
  }

  private advanceRandom(steps: number): Entry | undefined {
    let last: Entry | undefined;
    for (let i = 0; i < steps; i++) {
      if (this.randomCursor === null) this.randomCursor = this.dict.values();
      const r = this.randomCursor.next();
      if (r.done) {
        this.randomCursor = null;
        if (last !== undefined) return last;
        continue;
      }
      last = r.value;
    }
    return last;
  }
}
