// The list value (Redis t_list.c over quicklist.c): a growable ring buffer of latin1 strings —
// O(1) push and pop at both ends and O(1) access by index (LINDEX, LSET, LRANGE's start), where
// Redis's quicklist walks nodes (O(n)); LINSERT, LREM, LTRIM and removals inside the list move
// the shorter side, O(n) as in Redis.
// Invariants: the elements are buf[(head + i) & mask] for 0 <= i < len, in order head to tail;
// the capacity buf.length is a power of two >= MIN_CAPACITY; slots outside the live range hold ''
// (never a stale element, so popped strings can be collected); a list in the keyspace is never
// empty (the command that removes the last element deletes the key).
//
// OBJECT ENCODING: Redis 7.0 has exactly one list encoding, "quicklist" (a linked list of
// listpack nodes); the standalone "listpack" list encoding arrived in 7.2. Observed on
// redis-server 7.0.15: a 1-element list, a list trimmed back to 1 element, a list with a
// 1 MB element and a list created under `list-max-listpack-size 1` all answer "quicklist".
// So the encoding is not a state here, unlike hash.ts: it is the constant Redis 7.0 reports.

import type { Collection } from '../keyspace/entry.js';
import { copyToLength } from '../util/arrays.js';

/** What the value classes read of the server config (Config satisfies it). */
export interface EncodingConfig {
  num(name: string): number;
}

const MIN_CAPACITY = 4;

/** The smallest power of two >= n (and >= MIN_CAPACITY). */
function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  return cap;
}

/**
 * An array of `cap` empty strings built by push, so V8 keeps it PACKED_ELEMENTS (a `new
 * Array(n)` stays HOLEY and pays a hole check on every read).
 */
function emptySlots(cap: number): string[] {
  const a: string[] = [];
  for (let i = 0; i < cap; i++) a.push('');
  return a;
}

export class ListValue implements Collection {
  readonly type = 'list' as const;
  private buf: string[];
  private head = 0;
  private len = 0;
  private mask: number;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.buf = emptySlots(cap);
    this.mask = cap - 1;
  }

  /**
   * A list of `items` (head to tail), for loaders of snapshots and dumps. `cfg` is taken for
   * symmetry with the other value classes: Redis 7.0 loads every list as a quicklist.
   */
  static from(items: readonly string[], _cfg?: EncodingConfig): ListValue {
    const n = items.length;
    const l = new ListValue(n);
    const buf = l.buf;
    for (let i = 0; i < n; i++) buf[i] = items[i];
    l.len = n;
    return l;
  }

  get size(): number {
    return this.len;
  }

  /** OBJECT ENCODING (see the file comment: Redis 7.0 reports "quicklist" for every list). */
  encoding(): 'listpack' | 'quicklist' {
    return 'quicklist';
  }

  /** A deep copy (COPY): same elements, sharing nothing mutable. */
  clone(): ListValue {
    const l = new ListValue(1);
    l.buf = this.buf.slice();
    l.head = this.head;
    l.len = this.len;
    l.mask = this.mask;
    return l;
  }

  // ---- access ------------------------------------------------------------------------------

  /** Element `i` (0 = head). The caller checks 0 <= i < size. */
  get(i: number): string {
    return this.buf[(this.head + i) & this.mask];
  }

  /** Replaces element `i` (0 = head). The caller checks 0 <= i < size. */
  set(i: number, v: string): void {
    this.buf[(this.head + i) & this.mask] = v;
  }

  first(): string {
    return this.buf[this.head];
  }

  last(): string {
    return this.buf[(this.head + this.len - 1) & this.mask];
  }

  /** Index of the first element equal to `v` from the head, or -1. */
  indexOf(v: string): number {
    const buf = this.buf;
    const mask = this.mask;
    const head = this.head;
    for (let i = 0; i < this.len; i++) if (buf[(head + i) & mask] === v) return i;
    return -1;
  }

  /** Elements head to tail (the snapshot codec, DUMP and test dumps read lists through this). */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask];
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.values();
  }

  /** A fresh array of the elements, head to tail. */
  toArray(): string[] {
    const out: string[] = new Array(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.head + i) & this.mask];
    return out;
  }

  // ---- both ends ---------------------------------------------------------------------------

  pushBack(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  pushFront(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  /** Removes and returns the head. The caller checks size > 0. */
  popFront(): string {
    const buf = this.buf;
    const v = buf[this.head];
    buf[this.head] = '';
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Removes and returns the tail. The caller checks size > 0. */
  popBack(): string {
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = '';
    this.len--;
    this.maybeShrink();
    return v;
  }

  // ---- inside the list (O(n), moving the shorter side) -------------------------------------

  /** Inserts `v` so that it becomes element `index` (0 <= index <= size). */
  insertAt(index: number, v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    const buf = this.buf;
    const mask = this.mask;
    if (index < this.len - index) {
      // Shift elements [0, index) one slot towards the front.
      this.head = (this.head - 1) & mask;
      const h = this.head;
      for (let i = 0; i < index; i++) buf[(h + i) & mask] = buf[(h + i + 1) & mask];
    } else {
      // Shift elements [index, len) one slot towards the back.
      const h = this.head;
      for (let i = this.len; i > index; i--) buf[(h + i) & mask] = buf[(h + i - 1) & mask];
    }
    buf[(this.head + index) & mask] = v;
    this.len++;
  }

  /**
   * LREM: removes up to `count` elements equal to `v` (all when count is 0), scanning from the
   * head, or from the tail when `fromTail`. Keeps the others in order; returns how many went.
   */
  removeMatching(v: string, count: number, fromTail: boolean): number {
    const buf = this.buf;
    const mask = this.mask;
    const h = this.head;
    const n = this.len;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const x = buf[(h + r) & mask];
        if (x === v && (count === 0 || removed < count)) {
          removed++;
          continue;
        }
        if (w !== r) buf[(h + w) & mask] = x;
        w++;
      }
      for (let i = w; i < n; i++) buf[(h + i) & mask] = '';
    } else {
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const x = buf[(h + r) & mask];
        if (x === v && (count === 0 || removed < count)) {
          removed++;
          continue;
        }
        if (w !== r) buf[(h + w) & mask] = x;
        w--;
      }
      // Kept elements now occupy [w + 1, n): the slots before them are free.
      for (let i = 0; i <= w; i++) buf[(h + i) & mask] = '';
      this.head = (h + w + 1) & mask;
    }
    this.len = n - removed;
    if (removed > 0) this.maybeShrink();
    return removed;
  }

  /** LTRIM: drops `front` elements from the head and `back` from the tail (front + back <= size). */
  trim(front: number, back: number): void {
    const buf = this.buf;
    const mask = this.mask;
    for (let i = 0; i < front; i++) buf[(this.head + i) & mask] = '';
    for (let i = this.len - back; i < this.len; i++) buf[(this.head + i) & mask] = '';
    this.head = (this.head + front) & mask;
    this.len -= front + back;
    this.maybeShrink();
  }

  // ---- capacity ----------------------------------------------------------------------------

  /** Halves the buffer when it is at most a quarter full (amortized O(1), no grow/shrink flapping). */
  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > MIN_CAPACITY && this.len <= cap >>> 2) this.resize(capacityFor(this.len * 2));
  }

  /**
   * Moves the elements, in order from index 0, into a buffer of `cap` slots (a power of two >= len;
   * the buffer doubles or halves): one packed copy of exactly `cap` slots (copyToLength, which
   * says why), then overwritten in order.
   */
  private resize(cap: number): void {
    const old = this.buf;
    const oldMask = this.mask;
    const h = this.head;
    const n = this.len;
    const buf = copyToLength(old, cap);
    // In place is safe: old is a separate array, read through its own indexes.
    for (let i = 0; i < n; i++) buf[i] = old[(h + i) & oldMask];
    buf.fill('', n);
    this.buf = buf;
    this.head = 0;
    this.mask = cap - 1;
  }
}
