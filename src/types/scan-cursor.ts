// Element SCAN (HSCAN, SSCAN, ZSCAN) over a collection kept in an insertion-ordered JS Map or
// Set. Invariant (Redis's SCAN guarantee): an element present in the collection from the first
// call to the last is returned at least once, however the collection grows or shrinks between
// calls; cursor 0 starts and ends an iteration; COUNT is a hint.
//
// Why it holds. A Map/Set iterates in insertion order: an insert appends, an in-place update
// (HSET of an existing field) moves nothing, and a delete removes one position. A step ends with
// `low`, a lower bound of the position of the next element to return, and `d`, the collection's
// deletion counter at that moment. Every element not yet returned sat at a position >= low; each
// later delete moves it at most one position towards the front, so resuming at low - (dels - d)
// skips nothing (it may repeat up to that many elements, which SCAN allows).
//
// Resuming by position costs O(position) (a fresh iterator walked forward), so a cursor's record
// also keeps the live iterator the step stopped with: a JS iterator survives any mutation of its
// collection (deleted elements are skipped, appended ones visited), so resuming through it is
// O(COUNT) and exact. Records (iterator, low, d) are kept for the last RECORDS_MAX cursors of a
// collection, iterators for the last ITERATORS_MAX of those.
//
// A cursor is tick * 2^24 + low: `tick` numbers the cursors a collection issued (from a random
// start, so a cursor of another collection, of a key deleted and created again, or from before a
// restart is unlikely to pass for one of ours), `low` is the position (a Map holds at most 2^24
// entries). Ticks never repeat, so a record, iterator included, only ever serves the client that
// holds that exact cursor: sharing an iterator between two iterations could skip elements, since
// after deletes `low` only bounds the iterator's true position from below. A cursor without a
// record (evicted by newer ones, or presented a second time) resumes by position, with `d` taken
// from checkpoints (tick, dels) kept every CHECKPOINT_EVERY ticks: a checkpoint at or before the
// cursor's tick has a `d` no larger than the cursor's own, which keeps the resume safe, and close
// enough to it that even thousands of interleaved iterations of one collection make progress.
// A cursor of no tick of ours starts over from the beginning. All cursors stay below 2^53 (some
// clients parse them as JS numbers).
//
// Contract for a collection using this: keep `scan: ScanState | null` (null until an iteration
// needs more than one call) and do `if (this.scan !== null) this.scan.dels++` on every delete
// of an element. Nothing else: inserts and updates need no bookkeeping.

import { parseIndex } from '../util/numbers.js';

const ITERATORS_MAX = 16;
const RECORDS_MAX = 256;
const CHECKPOINT_EVERY = 16;
const CHECKPOINTS_MAX = 4096;
/** Positions (low) take the cursor's low 24 bits. */
const POS = 2 ** 24;
/** Ticks stay below this, so cursors stay below 2^53. */
const TICK_LIMIT = 2 ** 29;

/** Iterating an iterator created by keys() of a Map or a Set. */
export interface ScanSource<K> {
  readonly size: number;
  keys(): IterableIterator<K>;
}

interface ScanRecord {
  it: Iterator<unknown> | null;
  low: number;
  d: number;
}

/** Per-collection scan bookkeeping. */
export class ScanState {
  /** Elements deleted since this state was created. */
  dels = 0;
  /** The first tick this state issued, and the next one. */
  private readonly first: number;
  private tick: number;
  /** Outstanding cursors by tick, oldest first. */
  private readonly records = new Map<number, ScanRecord>();
  /** How many records still hold an iterator. */
  private iterators = 0;
  /** Checkpoints: cpTick[i] ascending, cpDels[i] = dels when cpTick[i] was about to be issued. */
  private readonly cpTick: number[] = [];
  private readonly cpDels: number[] = [];

  constructor() {
    this.first = this.tick = 1 + Math.floor(Math.random() * (TICK_LIMIT / 4));
  }

  /** True once the ticks ran out: the owner replaces the state (old cursors then start over). */
  get exhausted(): boolean {
    return this.tick >= TICK_LIMIT - 1;
  }

  /**
   * Where a cursor resumes: its record (taken: a record serves once), or a positional resume,
   * or null for a cursor this state never issued.
   */
  resume(cursor: number): ScanRecord | null {
    const tick = Math.floor(cursor / POS);
    const low = cursor - tick * POS;
    if (tick < this.first || tick >= this.tick) return null;
    const r = this.records.get(tick);
    if (r !== undefined && r.low === low) {
      this.records.delete(tick);
      if (r.it !== null) this.iterators--;
      return r;
    }
    // Evicted or already used: the checkpoint at or before the tick bounds its `d` from below.
    let lo = 0;
    let hi = this.cpTick.length - 1;
    let d = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.cpTick[mid] <= tick) {
        d = this.cpDels[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return { it: null, low, d };
  }

  /** Records where a step stopped; returns the cursor to give the client. */
  issue(it: Iterator<unknown>, low: number): number {
    const tick = this.tick++;
    if ((tick - this.first) % CHECKPOINT_EVERY === 0) {
      if (this.cpTick.length >= CHECKPOINTS_MAX) {
        // Keep every other checkpoint: coarser, still a lower bound.
        let j = 0;
        for (let i = 0; i < this.cpTick.length; i += 2, j++) {
          this.cpTick[j] = this.cpTick[i];
          this.cpDels[j] = this.cpDels[i];
        }
        this.cpTick.length = this.cpDels.length = j;
      }
      this.cpTick.push(tick);
      this.cpDels.push(this.dels);
    }
    this.records.set(tick, { it, low, d: this.dels });
    this.iterators++;
    if (this.iterators > ITERATORS_MAX) {
      // Drop the oldest iterator still held; its record stays for a positional resume.
      for (const r of this.records.values()) {
        if (r.it !== null) {
          r.it = null;
          this.iterators--;
          break;
        }
      }
    }
    if (this.records.size > RECORDS_MAX) {
      const oldest = this.records.keys().next().value as number;
      if (this.records.get(oldest)!.it !== null) this.iterators--;
      this.records.delete(oldest);
    }
    return tick * POS + low;
  }
}

/** The collection's state, created on first need. */
export interface Scannable {
  scan: ScanState | null;
}

/**
 * One element-SCAN step over `source` (the collection's Map or Set): appends up to `count`
 * elements to `out` and returns the next cursor (0 = the iteration is complete). MATCH
 * filtering is the caller's (Redis applies it after the step, so COUNT counts elements looked at).
 */
export function scanStep<K>(owner: Scannable, source: ScanSource<K>, cursor: number, count: number, out: K[]): number {
  let it: Iterator<K>;
  let low = 0;
  const state = owner.scan;
  const rec = cursor !== 0 && state !== null ? state.resume(cursor) : null;
  if (rec === null) {
    it = source.keys();
  } else {
    low = rec.low - (state!.dels - rec.d);
    if (low < 0) low = 0;
    if (rec.it !== null) {
      it = rec.it as Iterator<K>;
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
  let s = state;
  if (s === null || s.exhausted) s = owner.scan = new ScanState();
  return s.issue(it, low);
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
