// Element SCAN (HSCAN, SSCAN, ZSCAN) over a collection kept in an insertion-ordered JS Map or
// Set. Invariant (Redis's SCAN guarantee): an element present in the collection from the first
// call to the last is returned at least once, however the collection grows or shrinks between
// calls; cursor 0 starts and ends an iteration; COUNT is a hint.
//
// Why it holds. A Map/Set iterates in insertion order: an insert appends, an in-place update
// (HSET of an existing field) moves nothing, and a delete removes one position. A step records
// `low`, a lower bound of the position of the next element to return, and `d`, the collection's
// deletion counter at that moment. Every element not yet returned sat at a position >= low; each
// later delete moves it at most one position towards the front, so resuming at low - (dels - d)
// skips nothing (it may repeat up to that many elements, which SCAN allows).
//
// Resuming by position costs O(position) (a fresh iterator walked forward), so each issued
// cursor also keeps the live iterator it stopped with: a JS iterator survives any mutation of
// its collection (deleted elements are skipped, appended ones visited), so resuming through it
// is O(COUNT) and exact. Iterators are kept for the last ITERATORS_MAX cursors of a collection,
// the small (low, d) records for the last POSITIONS_MAX; a cursor that has neither (evicted,
// already used, from before a restart, or made up) restarts the iteration from the beginning:
// slower and with repeats, never with a miss.
//
// Cursors are ids from one process-wide counter that starts at a random value, so a cursor never
// names another iteration's position (two clients scanning the same collection, a key deleted
// and created again, a cursor kept across a restart). They stay below 2^53 because some clients
// parse cursors as JS numbers.
//
// Contract for a collection using this: keep `scan: ScanState | null` (null until an iteration
// needs more than one call) and do `if (this.scan !== null) this.scan.dels++` on every delete
// of an element. Nothing else: inserts and updates need no bookkeeping.

import { parseIndex } from '../util/numbers.js';

const ITERATORS_MAX = 16;
const POSITIONS_MAX = 256;

/** Iterating an iterator created by keys() of a Map or a Set. */
export interface ScanSource<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
}

interface Position {
  it: Iterator<unknown> | null;
  low: number;
  d: number;
}

let nextCursor = 1 + Math.floor(Math.random() * 2 ** 40);

/** Per-collection scan bookkeeping. */
export class ScanState {
  /** Elements deleted since this state was created. */
  dels = 0;
  /** Outstanding cursors, oldest first. */
  readonly positions = new Map<number, Position>();
  /** How many of `positions` still hold an iterator. */
  private iterators = 0;

  take(cursor: number): Position | undefined {
    const p = this.positions.get(cursor);
    if (p === undefined) return undefined;
    this.positions.delete(cursor);
    if (p.it !== null) this.iterators--;
    return p;
  }

  put(it: Iterator<unknown>, low: number): number {
    const cursor = nextCursor++;
    if (nextCursor >= Number.MAX_SAFE_INTEGER) nextCursor = 1;
    this.positions.set(cursor, { it, low, d: this.dels });
    this.iterators++;
    if (this.iterators > ITERATORS_MAX) {
      // Drop the oldest iterator still held; its (low, d) record stays for a positional resume.
      for (const p of this.positions.values()) {
        if (p.it !== null) {
          p.it = null;
          this.iterators--;
          break;
        }
      }
    }
    if (this.positions.size > POSITIONS_MAX) this.take(this.positions.keys().next().value as number);
    return cursor;
  }
}

/** The collection's state, created on first need. */
export interface Scannable<K> {
  scan: ScanState | null;
  readonly size: number;
}

/**
 * One element-SCAN step over `source` (the collection's Map or Set): appends up to `count`
 * elements to `out` and returns the next cursor (0 = the iteration is complete). MATCH
 * filtering is the caller's (Redis applies it after the step, so COUNT counts elements looked at).
 */
export function scanStep<K>(owner: Scannable<K>, source: ScanSource<K>, cursor: number, count: number, out: K[]): number {
  let it: Iterator<K>;
  let low = 0;
  const state = owner.scan;
  const pos = cursor !== 0 && state !== null ? state.take(cursor) : undefined;
  if (pos === undefined) {
    it = source.keys();
  } else {
    low = pos.low - (state!.dels - pos.d);
    if (low < 0) low = 0;
    if (pos.it !== null) {
      it = pos.it as Iterator<K>;
    } else {
      it = source.keys();
      for (let i = 0; i < low; i++) {
        if (it.next().done) return 0;
      }
    }
  }
  for (let n = 0; n < count; n++) {
    const r = it.next();
    if (r.done) return 0;
    out.push(r.value);
    low++;
  }
  // `low` is a lower bound of the next element's position: at or past the end means none left.
  if (low >= source.size) return 0;
  const s = state ?? (owner.scan = new ScanState());
  return s.put(it, low);
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
