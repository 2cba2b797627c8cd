// Element SCAN (HSCAN, SSCAN, ZSCAN) over a collection kept in an insertion-ordered dict (a StrMap
// or StrSet, types/str-dict.ts, which iterate as a JS Map does; or a Map or Set). Invariants
// (Redis's SCAN guarantees): an element present in the collection from the first call to the
// last is returned at least once, however the collection grows or shrinks between
// calls; cursor 0 starts and ends an iteration; COUNT is a hint; and an iteration ends once it
// has passed the elements that were there when it started, however fast others are appended
// (elements added during an iteration may or may not be returned).
//
// How. Insertion order is iteration order, so numbering elements as they are inserted gives each
// a sequence number that stays fixed while others come and go, and iteration order is seq order
// (a deleted and re-added element is appended and numbered anew). A cursor names the seq of the
// next element to return, exactly as keyspace/db.ts does for SCAN over keys, and the iteration it
// belongs to: each iteration gets a slot at its start, and the slot remembers where the iteration
// ends (the seq of the last element then). Slots are reused round-robin; a reused slot only ever
// gets a later end (ends grow with time), so an old cursor that finds its slot reused ends later
// than it would have, never earlier. The numbering lives in ScanState, built the first time an
// iteration of the collection needs a second call (one O(n) pass) and kept up to date by the
// collection from then on: collections never scanned in steps pay nothing per element, scanned
// ones a Map entry per element (about 30 bytes).
//
// Resuming from a seq by walking a fresh iterator is O(position), so a cursor's record keeps the
// live iterator the step stopped with and the element it was about to return: a JS iterator
// survives any mutation of its collection (deleted elements are skipped, appended ones visited),
// so resuming through it is O(COUNT). Records are kept for the last RECORDS_MAX cursors of a
// collection; any cursor, recorded or not, resumes correctly (a record is only a shortcut).
//
// Cursor = slot * 2^43 + seq, below 2^53 (some clients parse cursors as JS numbers). Seqs start at
// a random value per ScanState, so a cursor of another incarnation of the key (deleted and created
// again, or from before a restart) is recognized as foreign and starts over: repeats, no miss.
//
// Contract for a collection using this: keep `scan: ScanState<K> | null` (null until scanStep
// creates it), and call `this.scan?.added(k)` when a new element is inserted and
// `this.scan?.deleted(k)` when one is deleted (updates in place need nothing). A collection that
// only bumps `scan.dels` on deletes (this file's first contract) still gets correct answers: the
// numbering is rebuilt (O(n)) whenever it is found stale, at the price of that cost per call and
// of iterations that follow appends to the end.

import { parseIndex } from '../util/numbers.js';

const RECORDS_MAX = 32;
const SLOTS = 1024;
const SEQ_SPAN = 2 ** 43;

/** Iterating an iterator created by keys() of a Map or a Set. */
export interface ScanSource<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
}

interface ScanRecord<K> {
  it: Iterator<K>;
  /** The next element to return; its seq is in the cursor. */
  pending: K;
}

/** Per-collection element numbering, iteration ends and outstanding cursors. */
export class ScanState<K = string> {
  /**
   * Deletions counted by a collection still on this file's first contract (a bare deletion
   * counter, no added/deleted calls). Any non-zero value makes scanStep renumber the elements
   * before it uses the numbering; see `current`.
   */
  dels = 0;
  private readonly seqs = new Map<K, number>();
  /** The first seq this state gave, and the next one. */
  private readonly base: number;
  private nextSeq: number;
  /** slot -> the seq an iteration in that slot ends at. */
  private readonly ends = new Map<number, number>();
  private nextSlot = 0;
  /** Outstanding cursors, oldest first. */
  private readonly records = new Map<number, ScanRecord<K>>();

  constructor(elements: Iterable<K>) {
    this.base = this.nextSeq = 1 + Math.floor(Math.random() * (SEQ_SPAN / 4));
    for (const k of elements) this.seqs.set(k, this.nextSeq++);
  }

  /** A new element was inserted (appended to the iteration order). */
  added(k: K): void {
    this.seqs.set(k, this.nextSeq++);
  }

  /** An element was deleted. */
  deleted(k: K): void {
    this.seqs.delete(k);
  }

  /** The seq of an element; only ever asked about elements the collection holds. */
  seqOf(k: K): number {
    return this.seqs.get(k) as number;
  }

  has(k: K): boolean {
    return this.seqs.has(k);
  }

  /** The seq of the last element inserted so far. */
  get last(): number {
    return this.nextSeq - 1;
  }

  /**
   * True while the numbering matches a collection of `size` elements: the seqs have not run out
   * of cursor bits, and every insert and delete was reported through added/deleted.
   */
  current(size: number): boolean {
    return this.nextSeq < SEQ_SPAN && this.dels === 0 && this.seqs.size === size;
  }

  /** True if `seq` could be a seq of this numbering. */
  owns(seq: number): boolean {
    return seq >= this.base && seq < this.nextSeq;
  }

  /** Starts an iteration: a slot that ends at the current last element. */
  begin(): number {
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % SLOTS;
    this.ends.set(slot, this.last);
    return slot;
  }

  /** Where the iteration in `slot` ends (the current last element if the slot is unknown). */
  endOf(slot: number): number {
    return this.ends.get(slot) ?? this.last;
  }

  take(cursor: number): ScanRecord<K> | undefined {
    const r = this.records.get(cursor);
    if (r !== undefined) this.records.delete(cursor);
    return r;
  }

  put(cursor: number, it: Iterator<K>, pending: K): void {
    this.records.delete(cursor);
    this.records.set(cursor, { it, pending });
    if (this.records.size > RECORDS_MAX) this.records.delete(this.records.keys().next().value as number);
  }
}

/** The collection's state, created on first need. */
export interface Scannable<K> {
  scan: ScanState<K> | null;
}

/**
 * One element-SCAN step over `source` (the collection's dict, Map or Set): appends up to `count`
 * elements to `out` and returns the next cursor (0 = the iteration is complete). MATCH
 * filtering is the caller's (Redis applies it after the step, so COUNT counts elements looked at).
 */
export function scanStep<K>(owner: Scannable<K>, source: ScanSource<K>, cursor: number, count: number, out: K[]): number {
  let state = owner.scan;
  let it: Iterator<K> | undefined;
  let cur: IteratorResult<K> = { done: true, value: undefined };
  let slot = -1;
  let seq = 0;
  let end = Number.MAX_SAFE_INTEGER;
  let rec: ScanRecord<K> | undefined;
  if (cursor !== 0 && state !== null) {
    const cslot = Math.floor(cursor / SEQ_SPAN);
    seq = cursor - cslot * SEQ_SPAN;
    if (cslot < SLOTS && state.owns(seq)) {
      slot = cslot;
      rec = state.take(cursor);
    }
  }
  if (state !== null && !state.current(source.size)) {
    // The numbering fell behind the collection (its seqs ran out of cursor bits, or the
    // collection follows the counter-only contract): number afresh. A recorded live iterator is
    // still exact and carries on (ending where the collection ends now); a bare seq of the old
    // numbering means nothing any more, so such a cursor starts over.
    state = owner.scan = new ScanState<K>(source.keys());
    if (rec !== undefined) {
      slot = state.begin();
      end = state.last;
      it = rec.it;
      cur = state.has(rec.pending) ? { done: false, value: rec.pending } : it.next();
    }
  } else if (state !== null && slot >= 0) {
    end = state.endOf(slot);
    if (rec !== undefined) {
      it = rec.it;
      // The pending element may have been deleted (and maybe re-added, with a new seq) since.
      cur = state.seqOf(rec.pending) === seq ? { done: false, value: rec.pending } : it.next();
    } else {
      // No record (evicted, or the cursor is used a second time): walk to the first element at
      // or after the cursor's seq.
      it = source.keys();
      for (cur = it.next(); !cur.done && state.seqOf(cur.value) < seq; cur = it.next());
    }
  }
  if (it === undefined) {
    // Cursor 0, or a foreign cursor: from the beginning.
    if (state !== null) {
      slot = state.begin();
      end = state.last;
    }
    it = source.keys();
    cur = it.next();
  }
  for (let n = 0; !cur.done; n++) {
    if (state !== null && state.seqOf(cur.value) > end) return 0;
    if (n === count) {
      if (state === null) {
        // The first step that does not finish: number the elements now (nothing changed since
        // this call began) and end this iteration where the collection ends now.
        state = owner.scan = new ScanState<K>(source.keys());
        slot = state.begin();
      }
      const next = slot * SEQ_SPAN + state.seqOf(cur.value);
      state.put(next, it, cur.value);
      return next;
    }
    out.push(cur.value);
    cur = it.next();
  }
  return 0;
}

/**
 * Redis's parseScanCursorOrReply: strtoul(3) in base 10 with no leading white space and nothing
 * after the digits. "" is 0, a '+' or '-' sign is accepted ("-1" is 2^64-1), more than 2^64-1 is
 * invalid. Returns null for an invalid cursor ("ERR invalid cursor"); values above 2^53 are
 * approximate, which is fine for cursors no Hoard iteration ever issues.
 */
export function parseScanCursor(s: string): number | null {
  const len = s.length;
  if (len === 0) return 0;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    neg = c0 === 45;
    i = 1;
    if (len === 1) return null;
  }
  let v = 0;
  for (let j = i; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (len - i > 15) {
    let big = BigInt(s.slice(i));
    if (big > 0xffffffffffffffffn) return null;
    if (neg && big !== 0n) big = 0x10000000000000000n - big;
    return Number(big);
  }
  if (neg && v !== 0) return Number(0x10000000000000000n - BigInt(v));
  return v;
}

export interface ScanArgs {
  /** null when absent or "*" (Redis does not even call the matcher then). */
  match: string | null;
  count: number;
}

/**
 * The options of HSCAN/SSCAN/ZSCAN after the cursor (Redis's scanGenericCommand for an object):
 * MATCH pattern, COUNT n, in any order, the last one winning; TYPE is SCAN's alone. Fills `out`
 * and returns null, or returns which error to reply: 'integer' for a COUNT that is not an
 * integer ("ERR value is not an integer or out of range"), 'syntax' for anything else,
 * including COUNT < 1 ("ERR syntax error").
 */
export function parseScanArgs(argv: readonly string[], start: number, out: ScanArgs): 'integer' | 'syntax' | null {
  out.match = null;
  out.count = 10;
  for (let i = start; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return 'syntax';
    const o = argv[i].toLowerCase();
    if (o === 'count') {
      const n = parseIndex(argv[i + 1]);
      if (n === null) return 'integer';
      if (n < 1) return 'syntax';
      out.count = n;
    } else if (o === 'match') {
      const p = argv[i + 1];
      out.match = p === '*' ? null : p;
    } else {
      return 'syntax';
    }
  }
  return null;
}
