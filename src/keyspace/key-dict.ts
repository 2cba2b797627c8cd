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
// Invariants: `b[2i]` is a slot or EMPTY; every occupied bucket is reachable from its home bucket
// (hash & mask) without crossing an empty one (kept by backward-shift deletion, no tombstones);
// `size` occupied buckets, at most MAX_LOAD of the capacity (a power of two).
//
// Hash flooding: the hash is seeded per process, so plain collisions cannot be precomputed
// offline. MurmurHash3 is not a keyed PRF, though (seed-independent multicollisions are known
// for its 32-bit blocks), so a client able to write many chosen keys could still lengthen probe
// runs; Redis uses SipHash for that reason. V8's own string hash, which the Map used, is no
// stronger. A keyed hash (SipHash-1-3 in JS) is the fix if that threat matters; it would cost
// part of the lookup time won here.

import type { KeyTable } from './table.js';

const EMPTY = -1;
const MIN_CAPACITY = 8;
/** Grow past 3/4 full (to 3/8); shrink below 1/8 full (to at most 1/2). */
const MAX_LOAD_NUM = 3;
const MAX_LOAD_DEN = 4;

const SEED = (Math.random() * 0x100000000) >>> 0;

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
  /** [slot, hash] per bucket. */
  private b: Int32Array;
  private mask: number;
  private n = 0;

  constructor(private readonly table: KeyTable) {
    this.b = emptyBuckets(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  get size(): number {
    return this.n;
  }

  /** Buckets allocated (bytes = 8 x capacity). */
  get capacity(): number {
    return this.mask + 1;
  }

  get(key: string): number | undefined {
    const s = this.b[2 * this.probe(key, keyHash(key))];
    return s === EMPTY ? undefined : s;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Maps key to slot (the table's keys[slot] must already hold key). */
  set(key: string, slot: number): this {
    const h = keyHash(key);
    const i = this.probe(key, h);
    const b = this.b;
    const present = b[2 * i] !== EMPTY;
    b[2 * i] = slot;
    if (present) return this;
    b[2 * i + 1] = h;
    this.n++;
    if (this.n * MAX_LOAD_DEN > this.capacity * MAX_LOAD_NUM) this.resize(this.capacity * 2);
    return this;
  }

  delete(key: string): boolean {
    let i = this.probe(key, keyHash(key));
    const b = this.b;
    const mask = this.mask;
    if (b[2 * i] === EMPTY) return false;
    // Backward shift: pull later members of the run into the hole when their home bucket is not
    // inside (hole, j], so that every entry stays reachable from its home without tombstones.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const s = b[2 * j];
      if (s === EMPTY) break;
      const home = b[2 * j + 1] & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        b[2 * i] = s;
        b[2 * i + 1] = b[2 * j + 1];
        i = j;
      }
    }
    b[2 * i] = EMPTY;
    this.n--;
    const cap = mask + 1;
    if (cap > MIN_CAPACITY && this.n * 8 < cap) this.resize(capacityFor(this.n));
    return true;
  }

  clear(): void {
    this.b = emptyBuckets(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.n = 0;
  }

  /** The live slots, in bucket order (a copy: safe to mutate the dict while using it). */
  slots(): Int32Array {
    const out = new Int32Array(this.n);
    const b = this.b;
    let k = 0;
    for (let i = 0; i < b.length; i += 2) if (b[i] !== EMPTY) out[k++] = b[i];
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

  /** The bucket holding key (whose hash is h), or the empty bucket that ends its probe run. */
  private probe(key: string, h: number): number {
    const b = this.b;
    const mask = this.mask;
    const keys = this.table.keys;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = b[2 * i];
      if (s === EMPTY || (b[2 * i + 1] === h && keys[s] === key)) return i;
    }
  }

  /** Rehash into `cap` buckets from the stored hashes (no key is read). */
  private resize(cap: number): void {
    const old = this.b;
    const b = emptyBuckets(cap);
    const mask = cap - 1;
    for (let k = 0; k < old.length; k += 2) {
      const s = old[k];
      if (s === EMPTY) continue;
      const h = old[k + 1];
      let i = h & mask;
      while (b[2 * i] !== EMPTY) i = (i + 1) & mask;
      b[2 * i] = s;
      b[2 * i + 1] = h;
    }
    this.b = b;
    this.mask = mask;
  }
}

function emptyBuckets(cap: number): Int32Array {
  return new Int32Array(2 * cap).fill(EMPTY);
}

/** Smallest power-of-two capacity holding n at most half full. */
function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < 2 * n) cap *= 2;
  return cap;
}
