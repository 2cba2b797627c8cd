// A db's dict: key -> slot of its KeyTable, as an open-addressing hash table (linear probing,
// backward-shift deletion) over one Int32Array of [slot, hash] pairs. The key strings themselves
// live in the table's `keys` column; the dict stores only slot numbers and 32-bit hashes.
//
// Why not a Map<string, number> (what this replaced), measured on Node 20 here:
// - Memory: a V8 OrderedHashMap costs 28 B per capacity entry (3 words + half a bucket word),
//   and its capacity doubles: 28-56 B per key. Here a bucket is 8 B at a load of 3/8-3/4:
//   11-21 B per key (1M keys: 16 MB against 29 MB).
// - Time: V8 hashes a string on its first use as a Map key in C++ (a runtime call, ~130 ns for
//   the fresh 16-byte key strings every command brings: more than the whole rest of a lookup);
//   keyHash below is ~10-15 ns. Loading 1M keys into a Map took ~440 ms of a ~1.1 s restart.
// - Probing reads [slot, hash] pairs side by side (8 to a cache line) and compares a string
//   only when its 32-bit hash matches.
//
// Invariants: `b[2i]` is slot + 1 or EMPTY; every occupied bucket is reachable from its home
// bucket (hash & mask) without crossing an empty one (kept by backward-shift deletion, no
// tombstones in `b`); a key is in `b` or in `old` (the table a resize is draining, where moved
// and deleted entries leave TOMBSTONEs so that its probe runs stay whole), never in both;
// `size` counts both; a resize starts only once the previous one has drained.
//
// Bulk loading (a snapshot loading into empty dbs, persistence/recovery.ts): inserting a million
// keys one at a time writes a random bucket of a 16 MB array per key while the loader streams
// ~140 MB of new strings through the cache, ~200 ns a key (measured in a restart of 1M keys:
// 15% of it; sizing the table up front did not help, the misses are the cost). In bulk mode
// set() only records (slot, hash); build steps then size the table once, order the entries by
// bucket (a counting sort on the bucket number's top 16 bits) and insert them in that order, so
// the bucket array is written front to back: the restart went from 1.32 s to 1.14 s. The sort
// moves the (slot, hash) pairs themselves, not their indexes: the insert pass then reads them
// front to back instead of one random read per key (the build of 1M keys, alone: 116-183 ms
// -> 36-81 ms). The build runs in bounded steps (the loader yields to the event loop between
// them); any other use of the dict in bulk mode (get, delete, a set after the build began...)
// first finishes the build. A key recorded twice is not inserted again: `bulkDuplicate` names
// its slot (a corrupt snapshot, which the loader refuses). Transient cost: up to 16 B per key
// until the build ends (the recorded pairs and their sorted copy; the recorded ones are let go
// once sorted), against the ~200 B each loaded key takes.
//
// Hash flooding: the hash is seeded per process, so plain collisions cannot be precomputed
// offline. MurmurHash3 is not a keyed PRF, though (seed-independent multicollisions are known
// for its 32-bit blocks), so a client able to write many chosen keys could still lengthen probe
// runs; Redis uses SipHash for that reason. V8's own string hash, which the Map used, is no
// stronger. A keyed hash (SipHash-1-3 in JS) is the fix if that threat matters; it would cost
// part of the lookup time won here.

import type { KeyTable } from './table.js';

/** Bucket values are slot + 1: a zero-filled Int32Array is an empty table. */
const EMPTY = 0;
/** In a draining table only: an entry was here (moved on or deleted); probe runs go on past it. */
const TOMBSTONE = -1;
const MIN_CAPACITY = 8;
const REHASH_STEP = 64;
/** Grow past 3/4 full (to 3/8); shrink below 1/8 full (to at most 1/2). */
const MAX_LOAD_NUM = 3;
const MAX_LOAD_DEN = 4;

const SEED = (Math.random() * 0x100000000) >>> 0;

/** Bulk mode: (slot, hash) pairs recorded by set() until the build (see the header). */
const BULK_COLLECT = 0;
const BULK_COUNT = 1;
const BULK_SCATTER = 2;
const BULK_INSERT = 3;
/** Bucket groups of the counting sort: the top 16 bits of the bucket number. */
const BULK_GROUP_BITS = 16;
/** Room for this many pairs at first (8 KB per db), doubled as needed. */
const BULK_INITIAL_PAIRS = 1024;

interface BulkLoad {
  phase: number;
  /** Entries recorded: pairs[2i] = slot, pairs[2i + 1] = hash. */
  pairs: Int32Array;
  n: number;
  /** Next entry the current phase handles. */
  pos: number;
  /** Bucket number >>> shift = group; counts, then each group's next free place in `order`. */
  shift: number;
  groups: Int32Array;
  /** The recorded pairs again, ordered by group (the insert pass then reads them front to back). */
  sorted: Int32Array;
}

/**
 * MurmurHash3 (x86, 32-bit) over the string's UTF-16 code units taken two at a time (keys are
 * latin1 strings: one byte per code unit), seeded per process.
 */
export function keyHash(key: string): number {
  const n = key.length;
  let h = SEED ^ n;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = key.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export class KeyDict {
  /** [slot + 1, hash] per bucket; 0 = empty. */
  private b: Int32Array;
  private mask: number;
  /** Entries in both tables. */
  private n = 0;
  /** The table being drained into `b` after a resize (null when none): its entries, TOMBSTONE
   *  where one left (moved on or deleted), so that probe runs through it stay unbroken. */
  private old: Int32Array | null = null;
  private oldMask = 0;
  /** Bulk loading in progress (null: none); see the header. */
  private bulk: BulkLoad | null = null;
  private dupSlot = -1;
  /** Next bucket of `old` to move. */
  private cursor = 0;
  /** Buckets of `old` moved per operation (Redis moves 1 bucket per step, 100 per ms in cron). */
  rehashStep = REHASH_STEP;

  constructor(private readonly table: KeyTable) {
    this.b = new Int32Array(2 * MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  get size(): number {
    return this.n;
  }

  /** Buckets of the current table (bytes = 8 x capacity, plus the old table while draining). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** True while a resize is still moving entries out of the previous table. */
  get rehashing(): boolean {
    return this.old !== null;
  }

  get(key: string): number | undefined {
    if (this.bulk !== null) this.finishBulk();
    if (this.old !== null) this.drain(this.rehashStep);
    const h = keyHash(key);
    const v = this.b[2 * this.probe(key, h)];
    if (v !== EMPTY) return v - 1;
    if (this.old === null) return undefined;
    const j = this.probeOld(key, h);
    return j < 0 ? undefined : (this.old[2 * j] as number) - 1;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Maps key to slot (the table's keys[slot] must already hold key). Returns keyHash(key), for
   * a caller that needs it too (S3-FIFO's ghost, table.ts linkNew): one hash per new key.
   */
  set(key: string, slot: number): number {
    const h = keyHash(key);
    const bulk = this.bulk;
    if (bulk !== null) {
      if (bulk.phase === BULK_COLLECT) {
        this.record(bulk, slot, h);
        return h;
      }
      this.finishBulk();
    }
    if (this.old !== null) this.drain(this.rehashStep);
    const i = this.probe(key, h);
    const b = this.b;
    if (b[2 * i] !== EMPTY) {
      b[2 * i] = slot + 1;
      return h;
    }
    if (this.old !== null) {
      const j = this.probeOld(key, h);
      if (j >= 0) {
        this.old[2 * j] = slot + 1;
        return h;
      }
    }
    b[2 * i] = slot + 1;
    b[2 * i + 1] = h;
    this.n++;
    if (this.n * MAX_LOAD_DEN > this.capacity * MAX_LOAD_NUM) this.resize(this.capacity * 2);
    return h;
  }

  delete(key: string): boolean {
    if (this.bulk !== null) this.finishBulk();
    if (this.old !== null) this.drain(this.rehashStep);
    const h = keyHash(key);
    let i = this.probe(key, h);
    const b = this.b;
    const mask = this.mask;
    if (b[2 * i] === EMPTY) {
      if (this.old === null) return false;
      const j = this.probeOld(key, h);
      if (j < 0) return false;
      this.old[2 * j] = TOMBSTONE;
    } else {
      // Backward shift: pull later members of the run into the hole when their home bucket is
      // not inside (hole, j], so that every entry stays reachable from its home without
      // tombstones.
      for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
        const v = b[2 * j];
        if (v === EMPTY) break;
        const home = b[2 * j + 1] & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
          b[2 * i] = v;
          b[2 * i + 1] = b[2 * j + 1];
          i = j;
        }
      }
      b[2 * i] = EMPTY;
    }
    this.n--;
    const cap = mask + 1;
    if (cap > MIN_CAPACITY && this.n * 8 < cap) this.resize(capacityFor(this.n));
    return true;
  }

  clear(): void {
    this.bulk = null;
    this.b = new Int32Array(2 * MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.old = null;
    this.n = 0;
  }

  /** The live slots (a copy: safe to mutate the dict while using it). */
  slots(): Int32Array {
    if (this.bulk !== null) this.finishBulk();
    const out = new Int32Array(this.n);
    let k = 0;
    for (const t of this.old === null ? [this.b] : [this.b, this.old]) {
      for (let i = 0; i < t.length; i += 2) if (t[i] > 0) out[k++] = t[i] - 1;
    }
    return out;
  }

  *values(): IterableIterator<number> {
    yield* this.slots();
  }

  *keys(): IterableIterator<string> {
    for (const s of this.slots()) yield this.table.keys[s];
  }

  *entries(): IterableIterator<[string, number]> {
    for (const s of this.slots()) yield [this.table.keys[s], s];
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /**
   * Enters bulk mode (see the header) on an empty dict: set() records until buildStep() or any
   * other use starts the build.
   */
  beginBulk(): void {
    if (this.n !== 0 || this.old !== null || this.bulk !== null) throw new Error('KeyDict.beginBulk: the dict must be empty and not in bulk mode');
    this.dupSlot = -1;
    this.bulk = {
      phase: BULK_COLLECT,
      pairs: new Int32Array(2 * BULK_INITIAL_PAIRS),
      n: 0,
      pos: 0,
      shift: 0,
      groups: EMPTY_I32,
      sorted: EMPTY_I32,
    };
  }

  /** True between beginBulk() and the end of the build. */
  get bulkLoading(): boolean {
    return this.bulk !== null;
  }

  /** Slot of a key the last bulk load recorded twice (the second one, left out), or -1. */
  get bulkDuplicate(): number {
    return this.dupSlot;
  }

  /**
   * Does up to `budget` entries' worth of the bulk build (each of its three passes visits every
   * entry once); true once the dict is out of bulk mode. Lookups are valid only after that.
   */
  buildStep(budget: number): boolean {
    const bulk = this.bulk;
    if (bulk === null) return true;
    const pairs = bulk.pairs;
    const n = bulk.n;
    if (bulk.phase === BULK_COLLECT) {
      const cap = capacityFor(n);
      this.b = new Int32Array(2 * cap);
      this.mask = cap - 1;
      bulk.shift = Math.max(0, Math.log2(cap) - BULK_GROUP_BITS);
      bulk.groups = new Int32Array((cap >>> bulk.shift) + 1);
      bulk.sorted = new Int32Array(2 * n);
      bulk.phase = BULK_COUNT;
      bulk.pos = 0;
    }
    const mask = this.mask;
    const shift = bulk.shift;
    const groups = bulk.groups;
    let i = bulk.pos;
    const stop = Math.min(n, i + budget);
    if (bulk.phase === BULK_COUNT) {
      for (; i < stop; i++) groups[((pairs[2 * i + 1] & mask) >>> shift) + 1]++;
      if (i === n) {
        for (let g = 1; g < groups.length; g++) groups[g] += groups[g - 1];
        bulk.phase = BULK_SCATTER;
        i = 0;
      }
    } else if (bulk.phase === BULK_SCATTER) {
      const sorted = bulk.sorted;
      for (; i < stop; i++) {
        const h = pairs[2 * i + 1];
        const at = groups[(h & mask) >>> shift]++;
        sorted[2 * at] = pairs[2 * i];
        sorted[2 * at + 1] = h;
      }
      if (i === n) {
        bulk.phase = BULK_INSERT;
        bulk.pairs = EMPTY_I32;
        i = 0;
      }
    } else {
      const sorted = bulk.sorted;
      const b = this.b;
      const keys = this.table.keys;
      for (; i < stop; i++) {
        const slot = sorted[2 * i];
        const h = sorted[2 * i + 1];
        let j = h & mask;
        for (; b[2 * j] !== EMPTY; j = (j + 1) & mask) {
          if (b[2 * j + 1] === h && keys[b[2 * j] - 1] === keys[slot]) break;
        }
        if (b[2 * j] !== EMPTY) {
          // Recorded twice: keep the first, report the second.
          if (this.dupSlot < 0) this.dupSlot = slot;
          this.n--;
          continue;
        }
        b[2 * j] = slot + 1;
        b[2 * j + 1] = h;
      }
      if (i === n) {
        this.bulk = null;
        return true;
      }
    }
    bulk.pos = i;
    return false;
  }

  /** Completes a bulk build at once. */
  private finishBulk(): void {
    while (!this.buildStep(Infinity));
  }

  private record(bulk: BulkLoad, slot: number, h: number): void {
    if (2 * bulk.n === bulk.pairs.length) {
      const grown = new Int32Array(2 * bulk.pairs.length);
      grown.set(bulk.pairs);
      bulk.pairs = grown;
    }
    bulk.pairs[2 * bulk.n] = slot;
    bulk.pairs[2 * bulk.n + 1] = h;
    bulk.n++;
    this.n++;
  }

  /** The bucket of `b` holding key (whose hash is h), or the empty bucket that ends its run. */
  private probe(key: string, h: number): number {
    const b = this.b;
    const mask = this.mask;
    const keys = this.table.keys;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = b[2 * i];
      if (v === EMPTY || (b[2 * i + 1] === h && keys[v - 1] === key)) return i;
    }
  }

  /** The bucket of the draining table holding key, or -1. */
  private probeOld(key: string, h: number): number {
    const old = this.old as Int32Array;
    const mask = this.oldMask;
    const keys = this.table.keys;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = old[2 * i];
      if (v === EMPTY) return -1;
      if (v > 0 && old[2 * i + 1] === h && keys[v - 1] === key) return i;
    }
  }

  /**
   * Starts moving every entry into a new table of `cap` buckets: a step of rehashStep buckets
   * per later operation (Redis's incremental rehash), so that growing a dict of millions of
   * keys never stalls the server (at once, 3M keys took ~0.2-0.3 s here). A resize asked for
   * while one is in progress first finishes it.
   */
  private resize(cap: number): void {
    if (this.old !== null) this.drain(Infinity);
    this.old = this.b;
    this.oldMask = this.mask;
    this.cursor = 0;
    // Zero-filled = all empty: a fresh table costs no initialising pass.
    this.b = new Int32Array(2 * cap);
    this.mask = cap - 1;
    this.drain(this.rehashStep);
  }

  /** Moves up to `buckets` buckets of the draining table into `b` (by their stored hashes). */
  private drain(buckets: number): void {
    const old = this.old as Int32Array;
    const end = old.length >> 1;
    const b = this.b;
    const mask = this.mask;
    let k = this.cursor;
    for (const stop = Math.min(end, k + buckets); k < stop; k++) {
      const v = old[2 * k];
      if (v <= 0) continue;
      const h = old[2 * k + 1];
      let i = h & mask;
      while (b[2 * i] !== EMPTY) i = (i + 1) & mask;
      b[2 * i] = v;
      b[2 * i + 1] = h;
      old[2 * k] = TOMBSTONE;
    }
    this.cursor = k;
    if (k >= end) this.old = null;
  }
}

const EMPTY_I32 = new Int32Array(0);

/** Smallest power-of-two capacity holding n at most half full. */
function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < 2 * n) cap *= 2;
  return cap;
}
