// A db's key table: the dict (key-dict.ts) maps each key to a slot, and per-slot columns hold
// the key, its value, expiry, access stamp, accounted bytes and — under an LRU policy or SIEVE —
// its chain links. No object per key: an Entry object cost 96 B (and 16 B more for a boxed expiry once
// any key had a TTL); a slot costs SLOT_BYTES in flat arrays (+ LINK_BYTES when chained).
//
// The chain exists only while a policy needs it (`links` non-null, see chain()): LRU keeps it in
// access order (`moveOnAccess`), SIEVE in insertion order with its hand on it, S3-FIFO as two
// FIFOs on the same links (the small one from lruHead to lruTail, the main one a ring from
// mainHead round to its prev) with a byte per slot (`fifo`: use count 0-3, and which FIFO) and a ghost filter
// (ghost.ts). Keeping it costs 8 B per key (S3-FIFO: 9, and ~4 per key the ghost remembers)
// and, in access order, two cache misses per access (the neighbours' links), which no other
// policy, nor the default noeviction, has any use for. S3-FIFO's main FIFO is circular (its
// tail is its head's prev): sending the oldest key round again is one step of `mainHead`, not
// an unlink and a relink (the FIFO-reinsertion of the paper is a CLOCK).
//
// Invariants:
//   - slot s is live iff vals[s] !== null; then dict.get(keys[s]) === s.
//   - when chained, live slots are on the chain (links[2s] = prev, links[2s+1] = next, NIL at
//     the ends; lruHead = least recently used, or oldest inserted), in access order (or insertion
//     order) since the chain was built, and before that in order of their access stamps
//     (seconds) — see chain(). `hand` is NIL or a live slot on the chain.
//   - in S3-FIFO mode (`fifo` non-null), every live slot is on exactly one of the two FIFOs,
//     the main one iff fifo[s] & FIFO_MAIN, in the order it joined it (or, on main, last went
//     round: main's links form a ring, mainHead its oldest); smallCount counts the small one.
//   - free slots below `top` are on the `freeSlots` stack; slots from `top` to the capacity
//     hold '' and null in keys and vals (those columns are as long as the others).
//   - expireAt is empty (no key of this table has had a TTL since it was last emptied: every
//     expiry is 0) or has one entry per slot of capacity; expiryOf(s) > 0 iff s is in `expires`
//     (so a non-empty `expires` means the column exists).
//   - a live key keeps its slot until deleted: slots are the SCAN cursor space (an element
//     present for a whole SCAN is returned exactly once) and a snapshot's walk order.
//   - while `pinned` (a snapshot walks the table), new keys take slots ≥ the top the snapshot
//     saw (no free-list reuse, no reset of an emptied table): a slot the walk has still to
//     visit then holds a key that existed when the snapshot began, or nothing, or a newer key
//     in the slot of one the snapshot already saved early (which the walk skips).

import type { Value } from './entry.js';
import { GhostFilter } from './ghost.js';
import { KeyDict } from './key-dict.js';

export const NIL = -1;

/**
 * How a table chains its keys, by maxmemory-policy: not at all; in access order (the LRU
 * policies); in insertion order (SIEVE); as S3-FIFO's small and main FIFOs.
 */
export type ChainMode = 'none' | 'access' | 'insertion' | 's3fifo';

/** fifo[s]: the slot is on the main FIFO (else the small one); the low two bits are its use count. */
export const FIFO_MAIN = 4;
export const FIFO_FREQ = 3;

/**
 * Bytes a slot costs in the columns: keys and vals pointers (8 + 8), access stamp (4),
 * accounted bytes (4). The expiry column (8 per slot) exists only in a table that has had a
 * key with a TTL, and is counted per table (memory.ts).
 */
export const SLOT_BYTES = 24;
/** More per slot while the LRU chain is kept: two links (4 + 4). */
export const LINK_BYTES = 8;

const MIN_CAPACITY = 16;

// A string value's OBJECT ENCODING, as Redis keeps it on the value object: by default what
// tryObjectEncoding makes of the content ("int", "embstr" up to 44 bytes, else "raw"), but APPEND
// and SETRANGE leave "raw" whatever the content (dbUnshareStringValue), and INCRBYFLOAT
// "embstr"/"raw" by length, never "int" (createStringObjectFromLongDouble). Hoard's values are
// plain strings, so the slot carries the difference: these bits of meta[2s + 1], cleared by
// every write that replaces the value (memory.ts writes the column afresh), carried by RENAME,
// MOVE and COPY as Redis carries the object. Not persisted: a restart, like Redis's RDB reload,
// re-encodes from the content.
/** meta[2s + 1]: the bits that are not accounted bytes (SIEVE's bit 0 and the hint). */
export const META_FLAG_BITS = 7;
/** The string's encoding is "raw". */
export const STR_RAW = 2;
/** The string's encoding is "embstr" or "raw" by its length, never "int". */
export const STR_NOINT = 4;
export const STR_HINT_BITS = STR_RAW | STR_NOINT;

export class KeyTable {
  readonly dict: KeyDict = new KeyDict(this);
  keys: string[] = [];
  vals: Array<Value | null> = [];
  /** The chain's links, null while no policy needs them. */
  links: Int32Array | null = null;
  /** The chain is in access order (LRU: an access moves the key to the tail), else insertion order. */
  moveOnAccess = true;
  /** S3-FIFO only (else null): per slot, FIFO_MAIN and the use count (FIFO_FREQ bits). */
  fifo: Uint8Array | null = null;
  /** S3-FIFO's main FIFO, a ring: its oldest key (NIL: empty). Its small FIFO is lruHead..lruTail. */
  mainHead = NIL;
  smallCount = 0;
  /** S3-FIFO's ghost: keys evicted from the small FIFO unused (null unless S3-FIFO). */
  ghost: GhostFilter | null = null;
  /** SIEVE's hand: the next slot it looks at (NIL: the head). unlink() moves it off a leaving slot. */
  hand = NIL;
  expireAt: Float64Array;
  /**
   * Two words per slot, side by side so that a write command's access stamp and accounting
   * update touch one cache line, not two: meta[2s] is the access stamp (LRU: seconds of the
   * cached clock at last access; LFU: (minutes << 8) | log counter), meta[2s + 1] the bytes
   * accounted in used_memory (memory.ts), a multiple of 8, with SIEVE's visited bit in bit 0
   * and a string's encoding hint in bits 1-2 (STR_RAW, STR_NOINT) (the "lru column" and "mem
   * column" of other comments, interleaved).
   */
  meta: Uint32Array;
  /** Slots with an expiry (Redis's expires dict). */
  readonly expires = new Set<number>();
  /** Slots ever handed out (keys.length === vals.length === capacity ≥ top). */
  top = 0;
  /** Free slots below top, reused last-freed first. */
  freeSlots: number[] = [];
  lruHead = NIL;
  lruTail = NIL;
  /** Snapshots walking this table: while > 0, freed slots are not reused. */
  pinned = 0;

  /** A new table holds no columns until its first key (16 empty dbs cost nothing). */
  constructor(mode: ChainMode = 'none') {
    this.expireAt = new Float64Array(0);
    this.meta = new Uint32Array(0);
    if (mode !== 'none') this.links = new Int32Array(0);
    this.moveOnAccess = mode === 'access';
    if (mode === 's3fifo') {
      this.fifo = new Uint8Array(0);
      this.ghost = new GhostFilter();
    }
  }

  get size(): number {
    return this.dict.size;
  }

  get capacity(): number {
    return this.meta.length >> 1;
  }

  /** A slot for a new key (value and links are set by the caller). */
  alloc(key: string, value: Value): number {
    let s: number;
    if (this.freeSlots.length !== 0 && this.pinned === 0) {
      s = this.freeSlots.pop() as number;
      this.keys[s] = key;
      this.vals[s] = value;
      return s;
    }
    s = this.top;
    if (s === this.capacity) this.grow(2 * s);
    this.keys[s] = key;
    this.vals[s] = value;
    this.top = s + 1;
    return s;
  }

  /**
   * Makes room for n slots at once (a snapshot load knows its db's key count). Growing step by
   * step re-copies the keys and values columns, full of pointers to young strings while a load
   * runs: 1M keys and values, micro-benchmark, 1.13 s against 0.88 s presized; a real load of
   * 1M keys, 2.27 s against 2.17 s (medians of 7).
   */
  reserve(n: number): void {
    if (n > this.capacity) this.grow(n);
  }

  /** Slot s's expiry: absolute unix ms, 0 = none. */
  expiryOf(s: number): number {
    return s < this.expireAt.length ? this.expireAt[s] : 0;
  }

  /** Sets slot s's expiry (0 clears it); the column is made at the table's first expiry. */
  setExpiry(s: number, at: number): void {
    if (this.expireAt.length === 0) {
      if (at === 0) return;
      this.expireAt = new Float64Array(this.capacity);
    }
    this.expireAt[s] = at;
  }

  /** Returns a slot (already out of dict, chain and expires) to the free list. */
  free(s: number): void {
    this.keys[s] = '';
    this.vals[s] = null;
    this.setExpiry(s, 0);
    this.meta[2 * s] = 0;
    this.meta[2 * s + 1] = 0;
    if (this.fifo !== null) this.fifo[s] = 0;
    this.freeSlots.push(s);
    // An emptied table gives its columns back (Redis shrinks an emptied dict too).
    if (this.dict.size === 0 && this.pinned === 0) this.reset();
  }

  private reset(): void {
    this.keys = [];
    this.vals = [];
    if (this.links !== null) this.links = new Int32Array(0);
    if (this.fifo !== null) this.fifo = new Uint8Array(0);
    this.ghost?.clear();
    this.expireAt = new Float64Array(0);
    this.meta = new Uint32Array(0);
    this.top = 0;
    this.freeSlots = [];
    this.lruHead = this.lruTail = this.hand = this.mainHead = NIL;
    this.smallCount = 0;
  }

  /**
   * Doubling: the replaced columns are garbage until V8's next full GC (ArrayBuffers are freed
   * only then), and doubling leaves half as much of it as 1.5x growth. Measured on 1M keys just
   * after loading: RSS 320 B/key with 1.5x, 286 with 2x; 247 / 241 once the idle GC ran.
   * keys and vals grow by pushes of the constants '' and null (V8 re-allocates their backing
   * stores as for any push; measured no faster or slower than pushing the keys themselves).
   */
  private grow(atLeast: number): void {
    const n = Math.max(MIN_CAPACITY, atLeast);
    const keys = this.keys;
    const vals = this.vals;
    for (let s = keys.length; s < n; s++) {
      keys.push('');
      vals.push(null);
    }
    if (this.links !== null) this.links = widened(this.links, new Int32Array(2 * n));
    if (this.fifo !== null) this.fifo = widened(this.fifo, new Uint8Array(n));
    if (this.expireAt.length !== 0) this.expireAt = widened(this.expireAt, new Float64Array(n));
    this.meta = widened(this.meta, new Uint32Array(2 * n));
  }

  // ---- the LRU chain -----------------------------------------------------------------------

  /** (Callers check that the table is chained.) */
  linkTail(s: number): void {
    const L = this.links as Int32Array;
    const t = this.lruTail;
    L[2 * s] = t;
    L[2 * s + 1] = NIL;
    if (t !== NIL) L[2 * t + 1] = s;
    else this.lruHead = s;
    this.lruTail = s;
  }

  unlink(s: number): void {
    const L = this.links as Int32Array;
    const p = L[2 * s];
    const n = L[2 * s + 1];
    if (this.fifo !== null && (this.fifo[s] & FIFO_MAIN) !== 0) {
      if (n === s) this.mainHead = NIL;
      else {
        L[2 * p + 1] = n;
        L[2 * n] = p;
        if (this.mainHead === s) this.mainHead = n;
      }
      return;
    }
    if (p !== NIL) L[2 * p + 1] = n;
    else this.lruHead = n;
    if (n !== NIL) L[2 * n] = p;
    else this.lruTail = p;
    if (s === this.hand) this.hand = n;
    if (this.fifo !== null) this.smallCount--;
  }

  /**
   * Chains a new key (`hash`: its keyHash, as the dict returned it): at the tail (LRU, SIEVE);
   * under S3-FIFO on the small FIFO, or on the main one when the ghost remembers it (evicted
   * from the small FIFO unused, and back), use count 0.
   */
  linkNew(s: number, hash: number): void {
    if (this.fifo === null) {
      this.linkTail(s);
      return;
    }
    if ((this.ghost as GhostFilter).take(hash)) this.linkMain(s);
    else {
      this.fifo[s] = 0;
      this.linkTail(s);
      this.smallCount++;
    }
  }

  /** S3-FIFO: puts slot s (on no FIFO) at the main FIFO's tail (before its head), use count 0. */
  linkMain(s: number): void {
    const L = this.links as Int32Array;
    const h = this.mainHead;
    (this.fifo as Uint8Array)[s] = FIFO_MAIN;
    if (h === NIL) {
      L[2 * s] = L[2 * s + 1] = s;
      this.mainHead = s;
      return;
    }
    const t = L[2 * h];
    L[2 * s] = t;
    L[2 * s + 1] = h;
    L[2 * t + 1] = s;
    L[2 * h] = s;
  }

  /** S3-FIFO: the main FIFO's oldest key goes round again (it becomes the newest). */
  mainRotate(): void {
    this.mainHead = (this.links as Int32Array)[2 * this.mainHead + 1];
  }

  /** The next slot towards the most recently used end, NIL at the end. */
  lruNext(s: number): number {
    return (this.links as Int32Array)[2 * s + 1];
  }

  /**
   * Starts keeping the chain in `mode`: links every live slot in order of its access stamp (the
   * lru column: seconds under an LRU policy, ties by slot), from then on exactly in access
   * order (LRU), in insertion order (SIEVE), or (S3-FIFO) all on the main FIFO in that order.
   * O(n log n) once, in one go: 1M keys take ~0.15 s here (measured in the note), paid when
   * CONFIG SET switches to such a policy on a loaded server; a server configured with one
   * from the start builds its chain key by key as it loads.
   */
  chain(mode: ChainMode): void {
    if (this.links !== null || mode === 'none') return;
    const n = this.dict.size;
    this.links = new Int32Array(2 * this.capacity);
    this.lruHead = this.lruTail = NIL;
    this.moveOnAccess = mode === 'access';
    const s3 = mode === 's3fifo';
    if (s3) {
      // The keys already here have lived in the cache: they start on the main FIFO.
      this.fifo = new Uint8Array(this.capacity);
      this.ghost = new GhostFilter();
      this.mainHead = NIL;
      this.smallCount = 0;
    }
    if (n === 0) return;
    // Sort keys: (stamp - oldest) * 2^32 + slot, exact in a double while the stamps span less
    // than 2^20 s (12 days); older stamps than that are ordered among themselves by slot only.
    let newest = 0;
    for (let s = 0; s < this.top; s++) if (this.vals[s] !== null && this.meta[2 * s] > newest) newest = this.meta[2 * s];
    const base = Math.max(0, newest - 0xfffff);
    const order = new Float64Array(n);
    let k = 0;
    for (let s = 0; s < this.top; s++) {
      if (this.vals[s] === null) continue;
      const st = this.meta[2 * s];
      order[k++] = (st > base ? st - base : 0) * 0x100000000 + s;
    }
    order.sort();
    for (let i = 0; i < n; i++) {
      if (s3) this.linkMain(order[i] % 0x100000000);
      else this.linkTail(order[i] % 0x100000000);
    }
  }

  /** Stops keeping the chain (no policy needs it any more): its links are dropped. */
  unchain(): void {
    this.links = null;
    this.fifo = null;
    this.ghost = null;
    this.lruHead = this.lruTail = this.hand = this.mainHead = NIL;
    this.smallCount = 0;
  }

  /**
   * A uniformly random live slot, NIL if none: random probes, then (a table left sparse by
   * deletions) a walk from a random point to the next live slot.
   */
  randomSlot(): number {
    if (this.dict.size === 0) return NIL;
    const top = this.top;
    const vals = this.vals;
    for (let i = 0; i < 16; i++) {
      const s = Math.floor(Math.random() * top);
      if (vals[s] !== null) return s;
    }
    let s = Math.floor(Math.random() * top);
    for (let i = 0; i < top; i++) {
      if (vals[s] !== null) return s;
      if (++s === top) s = 0;
    }
    return NIL;
  }
}

/** `to` holding `from`'s elements at its start. */
function widened<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
