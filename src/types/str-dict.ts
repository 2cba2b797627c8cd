// StrMap and StrSet: the dicts of hashes and sets in Redis's "hashtable" encoding, keyed by latin1
// strings, with the API and the iteration semantics of the JS Map / Set they replaced.
//
// Layout. The entries live in insertion order in columns (`col`, and `vcol` for a map) at
// [0, top); a deleted entry leaves null in its place. The columns' length is their capacity, a
// power of two. Past SMALL_MAX entries an open-addressing table (linear probing,
// backward-shift deletion, as keyspace/key-dict.ts) of [index + 1, hash] Int32 pairs finds a key's
// index; the hash is key-dict's seeded MurmurHash3, computed in JS. Up to SMALL_MAX entries there
// is no table and a lookup scans the column: a typed array costs ~270 B of object and backing
// store however small, which a set of 5 members would pay on top of its ~250 B.
//
// Why not the Map: V8 hashes a fresh string (every field a command brings) in a C++ runtime call,
// and its OrderedHashMap chains entries through buckets, so a lookup in a big Map is a chain of
// dependent cache misses. HSET of random fields into one 100k-field hash at pipeline 16 went from
// 222-240k to 246-288k requests/s with this table (7 alternated fresh servers), SADD into a
// 100k-member set ~+8%. Memory per entry (measured, 200 to 20k entries): 31-41 B for a StrMap
// against a Map's 29-48 B, 22-31 B for a StrSet against a Set's 21-34 B; memory.ts charges it.
//
// Invariants:
//   - `size` live entries. With a table (`b` not NO_TABLE, only past SMALL_MAX entries, dropped
//     when a delete leaves SMALL_MAX or fewer in a table 1/8 full): every live entry's index is in
//     exactly one bucket, reachable from its home bucket (hash & mask) without crossing an empty
//     one, and the table is at most 3/4 full.
//   - holes (nulls in `col` below top) never outnumber the live entries by more than
//     COMPACT_SLACK: deleting past that compacts the columns (new arrays, every bucket's index
//     remapped). Everything from top to the capacity is null (and `hole` in `vcol`).
//   - Iteration is Map's: an iterator visits entries in insertion order, skips entries deleted
//     before it reaches them, visits entries appended before it ends, and once done stays done.
//     An iterator holds the keys column it started on; a growth, compaction or clear links the
//     old column to the new one with the indexes it dropped (LINKS), and the iterator translates
//     its position when it next moves, as V8's OrderedHashTable iterators do across a rehash. So
//     HSCAN/SSCAN's kept iterators (scan-cursor.ts) and the snapshot walk work across any change.
//   - Keys compare with ===: the strings are latin1, binary-safe.

import { keyHash } from '../keyspace/key-dict.js';
import { copyToLength } from '../util/arrays.js';

/** Up to this many entries a dict has no table: lookups scan the keys column. */
const SMALL_MAX = 8;
/** Buckets of the first table (SMALL_MAX + 1 entries at most 3/4 full). */
const MIN_BUCKETS = 16;
/** Smallest capacity of the columns. */
const MIN_COLUMN = 4;
/** Holes tolerated beyond the live count before a delete compacts the columns. */
const COMPACT_SLACK = 16;
/** The table of a small dict: none. */
const NO_TABLE = new Int32Array(0);

/**
 * Where iterators go when a growth, compaction or clear replaces a keys column: old column -> the
 * one that replaced it, and the indexes of the old one that did not go on (ascending, none for a
 * growth; null: none did go on, a clear). Weak: an entry lives as long as something (an
 * iterator) still holds the old column.
 */
const LINKS = new WeakMap<Array<string | null>, { next: Array<string | null>; dropped: Int32Array | null }>();

/** How many of the ascending `a` are below x. */
function countBelow(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const KEYS = 0;
const VALUES = 1;
const ENTRIES = 2;
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class DictIterator<V, R> implements IterableIterator<R> {
  /** The keys column this iterator is on, and the next index of it to look at. */
  private keys: Array<string | null>;
  private i = 0;
  private done = false;

  constructor(
    private readonly d: StrDict<V>,
    private readonly kind: number,
  ) {
    this.keys = d.keysColumn;
  }

  next(): IteratorResult<R> {
    if (this.done) return DONE as IteratorResult<R>;
    const d = this.d;
    let keys = this.keys;
    let i = this.i;
    while (keys !== d.keysColumn) {
      const link = LINKS.get(keys);
      if (link === undefined) throw new Error('StrDict iterator: lost its column');
      i = link.dropped === null ? 0 : i - countBelow(link.dropped, i);
      keys = link.next;
    }
    this.keys = keys;
    const top = d.places;
    while (i < top && keys[i] === null) i++;
    if (i >= top) {
      this.done = true;
      return DONE as IteratorResult<R>;
    }
    this.i = i + 1;
    const k = keys[i] as string;
    const kind = this.kind;
    const value = kind === KEYS ? k : kind === VALUES ? d.valueAt(i) : [k, d.valueAt(i)];
    return { done: false, value: value as R };
  }

  [Symbol.iterator](): IterableIterator<R> {
    return this;
  }
}

/** A growth moves no entry: iterators keep their index. */
const NONE_DROPPED = new Int32Array(0);

class StrDict<V> {
  /** [index + 1, hash] per bucket, 0: empty; NO_TABLE while the dict is small. */
  private b = NO_TABLE;
  private mask = 0;
  /**
   * The keys in insertion order at [0, top), null where one was deleted and past top. Its
   * length is its capacity, a power of two (at least MIN_COLUMN): growing by push would leave
   * V8's 1.5x + 16 slack, 17 slots for a set of 3.
   */
  protected col: Array<string | null> = [null, null, null, null];
  /** The values, at their keys' indexes (null for a set); `hole` where there is none. */
  protected vcol: Array<V | undefined> | null;
  private top = 0;
  private live = 0;
  /** What a deleted entry leaves in `vcol`: a number for number maps, so that the column keeps
   *  V8's unboxed-double elements kind (8 B a score, no HeapNumber each). */
  private readonly hole: V | undefined;

  protected constructor(withValues: boolean, hole: V | undefined) {
    this.hole = hole;
    this.vcol = withValues ? [hole, hole, hole, hole] : null;
  }

  get size(): number {
    return this.live;
  }

  /** @internal for DictIterator. */
  get keysColumn(): Array<string | null> {
    return this.col;
  }

  /** @internal for DictIterator. */
  valueAt(i: number): V {
    return (this.vcol as V[])[i];
  }

  /** Places used in the columns (live entries and holes). */
  get places(): number {
    return this.top;
  }

  /** Capacity of the columns, and buckets of the table: memory accounting reads them. */
  get capacity(): number {
    return this.col.length;
  }

  get buckets(): number {
    return this.b.length >>> 1;
  }

  /**
   * Where `k` is: its column index (>= 0), or a negative number to hand to append(): -1 - the
   * empty bucket it would take (-1 in a small dict).
   */
  protected find(k: string, h: number): number {
    const keys = this.col;
    const b = this.b;
    if (b === NO_TABLE) {
      for (let i = 0; i < this.top; i++) if (keys[i] === k) return i;
      return -1;
    }
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = b[2 * i];
      if (e === 0) return -1 - i;
      if (b[2 * i + 1] === h && keys[e - 1] === k) return e - 1;
    }
  }

  /** The hash find() needs: only a dict with a table uses it. */
  protected hash(k: string): number {
    return this.b === NO_TABLE ? 0 : keyHash(k);
  }

  has(k: string): boolean {
    return this.find(k, this.hash(k)) >= 0;
  }

  /** Appends a key that find() did not find (`at` is its answer). */
  protected append(at: number, h: number, k: string, v: V | undefined): void {
    const e = this.top;
    if (e === this.col.length) this.grow();
    if (this.b !== NO_TABLE) {
      const i = -1 - at;
      this.b[2 * i] = e + 1;
      this.b[2 * i + 1] = h;
    }
    this.col[e] = k;
    if (this.vcol !== null) this.vcol[e] = v;
    this.top = e + 1;
    const n = ++this.live;
    if (this.b === NO_TABLE) {
      if (n > SMALL_MAX) this.resize(MIN_BUCKETS);
    } else {
      const buckets = this.b.length >>> 1;
      if (n * 4 > buckets * 3) this.resize(buckets * 2);
    }
  }

  /** Doubles the columns; iterators follow by LINKS, at the same index. */
  private grow(): void {
    const keys = this.col;
    const cap = keys.length;
    const next = copyToLength(keys, 2 * cap);
    next.fill(null, cap);
    LINKS.set(keys, { next, dropped: NONE_DROPPED });
    this.col = next;
    if (this.vcol !== null) {
      const vals = copyToLength(this.vcol, 2 * cap);
      vals.fill(this.hole, cap);
      this.vcol = vals;
    }
  }

  delete(k: string): boolean {
    const h = this.hash(k);
    const e = this.find(k, h);
    if (e < 0) return false;
    this.col[e] = null;
    if (this.vcol !== null) this.vcol[e] = this.hole;
    if (this.b !== NO_TABLE) this.unlink(e, h);
    const n = --this.live;
    if (this.top - n > n + COMPACT_SLACK) this.compact();
    const buckets = this.b.length >>> 1;
    if (buckets !== 0 && n * 8 < buckets) {
      if (n <= SMALL_MAX) {
        this.b = NO_TABLE;
        this.mask = 0;
      } else {
        let size = MIN_BUCKETS;
        while (size < n * 2) size *= 2;
        this.resize(size);
      }
    }
    return true;
  }

  clear(): void {
    const next: Array<string | null> = [null, null, null, null];
    LINKS.set(this.col, { next, dropped: null });
    this.col = next;
    if (this.vcol !== null) this.vcol = [this.hole, this.hole, this.hole, this.hole];
    this.b = NO_TABLE;
    this.mask = 0;
    this.top = 0;
    this.live = 0;
  }

  /** Empties the bucket of column index e (hash h), shifting later entries of its probe run back. */
  private unlink(e: number, h: number): void {
    const b = this.b;
    const mask = this.mask;
    let i = h & mask;
    while (b[2 * i] !== e + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; b[2 * j] !== 0; j = (j + 1) & mask) {
      // j's entry may move to i unless its home lies in the cyclic range (i, j].
      if (((j - b[2 * j + 1]) & mask) >= ((j - i) & mask)) {
        b[2 * i] = b[2 * j];
        b[2 * i + 1] = b[2 * j + 1];
        i = j;
      }
    }
    b[2 * i] = 0;
    b[2 * i + 1] = 0;
  }

  /** A table of `buckets` buckets (a power of two) over the live entries. */
  private resize(buckets: number): void {
    const old = this.b;
    const b = new Int32Array(2 * buckets);
    const mask = buckets - 1;
    const place = (e: number, h: number): void => {
      let i = h & mask;
      while (b[2 * i] !== 0) i = (i + 1) & mask;
      b[2 * i] = e;
      b[2 * i + 1] = h;
    };
    if (old === NO_TABLE) {
      const keys = this.col;
      for (let e = 0; e < this.top; e++) {
        const k = keys[e];
        if (k !== null) place(e + 1, keyHash(k));
      }
    } else {
      for (let j = 0; j < old.length; j += 2) if (old[j] !== 0) place(old[j], old[j + 1]);
    }
    this.b = b;
    this.mask = mask;
  }

  /**
   * New columns without the holes, as long as the smallest power of two (at least MIN_COLUMN)
   * that holds the live entries; the buckets remapped; iterators find their way by LINKS.
   */
  private compact(): void {
    const keys = this.col;
    const vals = this.vcol;
    const n = this.top;
    let cap = MIN_COLUMN;
    while (cap < this.live) cap *= 2;
    const nextKeys = copyToLength(keys, cap);
    const nextVals = vals === null ? null : copyToLength(vals, cap);
    const remap = new Int32Array(n);
    const dropped = new Int32Array(n - this.live);
    let d = 0;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      if (k === null) {
        dropped[d++] = i;
        continue;
      }
      remap[i] = w;
      nextKeys[w] = k;
      if (nextVals !== null) nextVals[w] = (vals as Array<V | undefined>)[i];
      w++;
    }
    nextKeys.fill(null, w);
    if (nextVals !== null) nextVals.fill(this.hole, w);
    const b = this.b;
    for (let j = 0; j < b.length; j += 2) if (b[j] !== 0) b[j] = remap[b[j] - 1] + 1;
    LINKS.set(keys, { next: nextKeys, dropped });
    this.col = nextKeys;
    this.vcol = nextVals;
    this.top = w;
  }

  /**
   * A uniformly random key of a non-empty dict: a random place of the columns, again while it
   * is a hole (holes are at most as many as the live keys, plus COMPACT_SLACK).
   */
  randomKey(): string {
    const keys = this.col;
    for (;;) {
      const k = keys[Math.floor(Math.random() * this.top)];
      if (k !== null) return k;
    }
  }

  keys(): IterableIterator<string> {
    return new DictIterator<V, string>(this, KEYS);
  }
}

/**
 * A Map<string, V> (see the header). `hole`: what deleted entries leave in the value column;
 * pass 0 for a map of numbers (it keeps the column an unboxed double array).
 */
export class StrMap<V> extends StrDict<V> {
  constructor(entries?: Iterable<readonly [string, V]>, hole?: V) {
    super(true, hole);
    if (entries !== undefined) for (const [k, v] of entries) this.set(k, v);
  }

  get(k: string): V | undefined {
    const e = this.find(k, this.hash(k));
    return e < 0 ? undefined : (this.vcol as V[])[e];
  }

  set(k: string, v: V): this {
    const h = this.hash(k);
    const e = this.find(k, h);
    if (e >= 0) (this.vcol as V[])[e] = v;
    else this.append(e, h, k, v);
    return this;
  }

  values(): IterableIterator<V> {
    return new DictIterator<V, V>(this, VALUES);
  }

  entries(): IterableIterator<[string, V]> {
    return new DictIterator<V, [string, V]>(this, ENTRIES);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** fn(value, key) for every entry in order, as Map's forEach; fn must not change the map. */
  forEach(fn: (v: V, k: string) => void): void {
    const keys = this.col;
    const vals = this.vcol as V[];
    const top = this.places;
    for (let i = 0; i < top; i++) {
      const k = keys[i];
      if (k !== null) fn(vals[i], k);
    }
  }
}

/** A Set<string> (see the header). */
export class StrSet extends StrDict<never> {
  constructor(members?: Iterable<string>) {
    super(false, undefined);
    if (members !== undefined) for (const m of members) this.add(m);
  }

  add(k: string): this {
    const h = this.hash(k);
    const e = this.find(k, h);
    if (e < 0) this.append(e, h, k, undefined);
    return this;
  }

  values(): IterableIterator<string> {
    return this.keys();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.keys();
  }

  /** fn(member) for every member in order; fn must not change the set. */
  forEach(fn: (k: string) => void): void {
    const keys = this.col;
    const top = this.places;
    for (let i = 0; i < top; i++) {
      const k = keys[i];
      if (k !== null) fn(k);
    }
  }
}
