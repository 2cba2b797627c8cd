// List commands (Redis 7.0 t_list.c): LPUSH RPUSH LPUSHX RPUSHX LINSERT LLEN LINDEX LSET LPOP
// RPOP LMPOP LRANGE LTRIM LPOS LREM LMOVE RPOPLPUSH, and the blocking BLPOP BRPOP BLMOVE
// BRPOPLPUSH BLMPOP, over types/list.ts and the server's blocking machinery (BlockingApi).
//
// Invariants: a list key never holds an empty list (the command that removes the last element
// deletes the key, and a key is created only by a command about to push); arguments are parsed
// and keys type-checked in Redis's order, so the same bad command gets the same error; a list
// created where clients may wait signals its key as ready (Redis's dbAdd → signalKeyAsReady).
// Canonical mutations, replayable on an empty keyspace:
//   LPUSH RPUSH LPUSHX RPUSHX LINSERT LSET LTRIM LREM LMOVE RPOPLPUSH LPOP RPOP propagate as
//   they are (deterministic), and only when they changed something;
//   BLPOP/BRPOP → LPOP|RPOP key; LMPOP/BLMPOP → LPOP|RPOP key <number popped>;
//   BLMOVE → LMOVE src dst <from> <to>; BRPOPLPUSH → RPOPLPUSH src dst — whether served at
//   once or later, when another client's push woke them (then in the woken client's db).
// Blocking: when no key can serve it, a blocking command parks the client (blocking.block)
// with a ListWait holding its parsed arguments; blocking.ts calls ListWait.serve when a key it
// waits for holds a list, or ListWait.timedOut. Inside EXEC it answers as a timeout at once.

import { readOfType, writeOfType } from './lookup.js';
import { def, numkeysKeys } from './table.js';
import { E } from './errors.js';
import type { BlockedRequest, CommandContext, CommandSpec } from './types.js';
import { ListValue } from '../types/list.js';
import { INT64_MIN, parseIndex, parseInt64, parseLongDouble } from '../util/numbers.js';
import { NOTIFY } from '../config.js';

// ---- shared helpers -------------------------------------------------------------------------

/** ASCII case-insensitive `s === lower` (lower is lower-case), without allocating. */
function eqi(s: string, lower: string): boolean {
  const n = lower.length;
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    let ch = s.charCodeAt(i);
    if (ch >= 65 && ch <= 90) ch += 32;
    if (ch !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** LEFT → true, RIGHT → false (Redis's getListPositionFromObjectOrReply), else null. */
function parseSide(s: string): boolean | null {
  if (eqi(s, 'left')) return true;
  if (eqi(s, 'right')) return false;
  return null;
}

/** The list at `key` for a read: the list, null when missing, undefined after WRONGTYPE. */
function readList(c: CommandContext, key: string): ListValue | null | undefined {
  return readOfType(c, key, ListValue);
}

/** The same for a write (lookupWrite: no hit/miss stats; a running snapshot saves it first). */
function writeList(c: CommandContext, key: string): ListValue | null | undefined {
  return writeOfType(c, key, ListValue);
}

/** Creates the (still empty) list at a missing `key`; the caller pushes at once. */
function createList(c: CommandContext, key: string): ListValue {
  const l = new ListValue();
  c.db.add(key, l);
  c.server.blocking.signalKeyAsReady(c.dbIndex, key);
  return l;
}

function pop(l: ListValue, left: boolean): string {
  return left ? l.popFront() : l.popBack();
}

function push(l: ListValue, v: string, left: boolean): void {
  if (left) l.pushFront(v);
  else l.pushBack(v);
}

/** Pops up to `count` elements from one end, replying them as an array (in popping order). */
function popRangeReply(c: CommandContext, l: ListValue, left: boolean, count: number): number {
  const n = count < l.size ? count : l.size;
  const r = c.reply;
  r.array(n);
  for (let i = 0; i < n; i++) r.bulk(pop(l, left));
  return n;
}

/**
 * Redis's getTimeoutFromObjectOrReply(UNIT_SECONDS) as 7.0.15 behaves: the text is read as a
 * long double (string2ld), multiplied by 1000 and rounded up in x87 extended precision, then
 * converted to long long — where anything out of range (inf, 1e400, 9223372036854775.808)
 * becomes LLONG_MIN, hence "timeout is negative". A result of 0 (including "-0.0009", whose
 * ceiling is -0) means forever. Returns milliseconds (>= 0; may exceed 2^53 and then simply
 * never passes), or an error text. Exported for the other blocking families (BZPOP*).
 */
export function parseBlockTimeout(s: string): number | string {
  const ld = parseLongDouble(s);
  if (ld === null) return E.TIMEOUT_NOT_FLOAT;
  if (ld.kind !== 'finite') return E.TIMEOUT_NEGATIVE;
  if (ld.m === 0n) return 0;
  // ftval * 1000.0 rounded to a 64-bit mantissa, to nearest even: exactly what the FPU does.
  let m = ld.m * 1000n;
  let e = ld.e;
  const extra = m.toString(2).length - 64;
  if (extra > 0) {
    const sh = BigInt(extra);
    const rem = m & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    m >>= sh;
    e += extra;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  // ceill, then (long long).
  let t: bigint;
  if (e >= 0) t = m << BigInt(e);
  else {
    const sh = BigInt(-e);
    t = m >> sh;
    if (!ld.neg && (m & ((1n << sh) - 1n)) !== 0n) t += 1n;
  }
  if (t === 0n) return 0;
  if (ld.neg || t > 9223372036854775807n) return E.TIMEOUT_NEGATIVE;
  return Number(t);
}

// ---- blocking ---------------------------------------------------------------------------------

const WAIT_POP = 0;
const WAIT_MPOP = 1;
const WAIT_MOVE = 2;
const WAIT_RPOPLPUSH = 3;

/** A blocked BLPOP/BRPOP/BLMPOP/BLMOVE/BRPOPLPUSH: its parsed arguments (Redis's bpop). */
class ListWait implements BlockedRequest {
  readonly type = 'list' as const;
  constructor(
    readonly kind: number,
    /** Pop from the head (LEFT)? */
    readonly fromLeft: boolean,
    /** BLMOVE: push to the head? */
    readonly toLeft: boolean,
    /** BLMOVE/BRPOPLPUSH destination. */
    readonly target: string | null,
    /** BLMPOP COUNT. */
    readonly count: number,
  ) {}

  serve(c: CommandContext, key: string): boolean {
    return serveList(c, key, this);
  }

  timedOut(c: CommandContext): void {
    // blocked.c replyToBlockedClientTimedOut: a null array for every list command, BLMOVE too.
    c.reply.nullArray();
  }
}

/**
 * Redis's serveClientBlockedOnList: `key` holds a list; serves the woken client `c` in its db,
 * propagating the equivalent non-blocking command. Returns false when the list was emptied.
 */
function serveList(c: CommandContext, key: string, w: ListWait): boolean {
  const l = c.db.writeValue(key);
  if (l === undefined || !(l instanceof ListValue) || l.size === 0) {
    throw Object.assign(new Error(`blocked client served from key ${JSON.stringify(key)} that holds no list`), { code: 'BLOCKING_STATE' });
  }
  const r = c.reply;
  const side = w.fromLeft ? 'LEFT' : 'RIGHT';
  if (w.kind === WAIT_MOVE || w.kind === WAIT_RPOPLPUSH) {
    const dst = w.target as string;
    const de = c.db.writeValue(dst);
    if (de !== undefined && !(de instanceof ListValue)) {
      // The destination became something else while waiting: the client gets WRONGTYPE and
      // the element stays where it was (observed on 7.0.15).
      r.error(E.WRONGTYPE);
      return true;
    }
    const v = pop(l, w.fromLeft);
    const dl = de !== undefined ? (de as ListValue) : createList(c, dst);
    push(dl, v, w.toLeft);
    c.notify(NOTIFY.LIST, w.toLeft ? 'lpush' : 'rpush', dst);
    r.bulk(v);
    c.propagate(w.kind === WAIT_RPOPLPUSH ? ['RPOPLPUSH', key, dst] : ['LMOVE', key, dst, side, w.toLeft ? 'LEFT' : 'RIGHT']);
  } else if (w.kind === WAIT_MPOP) {
    r.array(2);
    r.bulk(key);
    const n = popRangeReply(c, l, w.fromLeft, w.count);
    c.propagate([w.fromLeft ? 'LPOP' : 'RPOP', key, String(n)]);
  } else {
    const v = pop(l, w.fromLeft);
    r.array(2);
    r.bulk(key);
    r.bulk(v);
    c.propagate([w.fromLeft ? 'LPOP' : 'RPOP', key]);
  }
  c.notify(NOTIFY.LIST, w.fromLeft ? 'lpop' : 'rpop', key);
  if (l.size === 0) {
    c.db.delete(key);
    c.notify(NOTIFY.GENERIC, 'del', key);
    return false;
  }
  return true;
}

/**
 * Redis's blockingPopGenericCommand for BLPOP/BRPOP (count -1) and BLMPOP (count >= 1): the
 * first of argv[from, to) holding a list serves at once; none → block (or a null array when
 * blocking is not allowed).
 */
function blockingPop(c: CommandContext, argv: string[], from: number, to: number, left: boolean, count: number, timeoutMs: number): void {
  const r = c.reply;
  for (let i = from; i < to; i++) {
    const key = argv[i];
    const l = writeList(c, key);
    if (l === undefined) return;
    if (l === null || l.size === 0) continue;
    if (count === -1) {
      const v = pop(l, left);
      r.array(2);
      r.bulk(key);
      r.bulk(v);
      c.propagate([left ? 'LPOP' : 'RPOP', key]);
    } else {
      r.array(2);
      r.bulk(key);
      const n = popRangeReply(c, l, left, count);
      c.propagate([left ? 'LPOP' : 'RPOP', key, String(n)]);
    }
    c.notify(NOTIFY.LIST, left ? 'lpop' : 'rpop', key);
    if (l.size === 0) {
      c.db.delete(key);
      c.notify(NOTIFY.GENERIC, 'del', key);
    }
    return;
  }
  const b = c.server.blocking;
  if (!b.canBlock(c)) return r.nullArray();
  b.block(c, argv, from, to, timeoutMs, new ListWait(count === -1 ? WAIT_POP : WAIT_MPOP, left, false, null, count));
}

// ---- LPUSH RPUSH LPUSHX RPUSHX ----------------------------------------------------------------

function pushGeneric(c: CommandContext, argv: string[], left: boolean, xx: boolean): void {
  const key = argv[1];
  let l = writeList(c, key);
  if (l === undefined) return;
  if (l === null) {
    if (xx) return c.reply.int(0);
    l = createList(c, key);
  }
  if (left) for (let i = 2; i < argv.length; i++) l.pushFront(argv[i]);
  else for (let i = 2; i < argv.length; i++) l.pushBack(argv[i]);
  c.notify(NOTIFY.LIST, left ? 'lpush' : 'rpush', key);
  c.propagate(argv);
  c.reply.int(l.size);
}

function lpush(c: CommandContext, argv: string[]): void {
  pushGeneric(c, argv, true, false);
}

function rpush(c: CommandContext, argv: string[]): void {
  pushGeneric(c, argv, false, false);
}

function lpushx(c: CommandContext, argv: string[]): void {
  pushGeneric(c, argv, true, true);
}

function rpushx(c: CommandContext, argv: string[]): void {
  pushGeneric(c, argv, false, true);
}

// ---- LINSERT LLEN LINDEX LSET -----------------------------------------------------------------

function linsert(c: CommandContext, argv: string[]): void {
  let after: boolean;
  if (eqi(argv[2], 'after')) after = true;
  else if (eqi(argv[2], 'before')) after = false;
  else return c.reply.error(E.SYNTAX);
  const l = writeList(c, argv[1]);
  if (l === undefined) return;
  if (l === null) return c.reply.int(0);
  const i = l.indexOf(argv[3]);
  if (i < 0) return c.reply.int(-1);
  l.insertAt(after ? i + 1 : i, argv[4]);
  c.notify(NOTIFY.LIST, 'linsert', argv[1]);
  c.propagate(argv);
  c.reply.int(l.size);
}

function llen(c: CommandContext, argv: string[]): void {
  const l = readList(c, argv[1]);
  if (l === undefined) return;
  c.reply.int(l === null ? 0 : l.size);
}

function lindex(c: CommandContext, argv: string[]): void {
  const l = readList(c, argv[1]);
  if (l === undefined) return;
  if (l === null) return c.reply.nullBulk();
  let i = parseIndex(argv[2]);
  if (i === null) return c.reply.error(E.NOT_INTEGER);
  if (i < 0) i += l.size;
  if (i < 0 || i >= l.size) return c.reply.nullBulk();
  c.reply.bulk(l.get(i));
}

function lset(c: CommandContext, argv: string[]): void {
  const l = writeList(c, argv[1]);
  if (l === undefined) return;
  if (l === null) return c.reply.error(E.NO_SUCH_KEY);
  let i = parseIndex(argv[2]);
  if (i === null) return c.reply.error(E.NOT_INTEGER);
  if (i < 0) i += l.size;
  if (i < 0 || i >= l.size) return c.reply.error(E.INDEX_OUT_OF_RANGE);
  l.set(i, argv[3]);
  c.notify(NOTIFY.LIST, 'lset', argv[1]);
  c.propagate(argv);
  c.reply.ok();
}

// ---- LPOP RPOP LMPOP ----------------------------------------------------------------------

function popGeneric(c: CommandContext, argv: string[], left: boolean): void {
  const r = c.reply;
  if (argv.length > 3) return r.error(E.wrongArity(left ? 'lpop' : 'rpop'));
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    // getPositiveLongFromObjectOrReply: any bad count, not only a negative one, gets this text.
    const n = parseIndex(argv[2]);
    if (n === null || n < 0) return r.error(E.OUT_OF_RANGE_POSITIVE);
    count = n;
  }
  const key = argv[1];
  const l = writeList(c, key);
  if (l === undefined) return;
  if (l === null) return hasCount ? r.nullArray() : r.nullBulk();
  if (hasCount && count === 0) return r.array(0);
  if (!hasCount) r.bulk(pop(l, left));
  else popRangeReply(c, l, left, count);
  c.notify(NOTIFY.LIST, left ? 'lpop' : 'rpop', key);
  if (l.size === 0) {
    c.db.delete(key);
    c.notify(NOTIFY.GENERIC, 'del', key);
  }
  c.propagate(argv);
}

function lpop(c: CommandContext, argv: string[]): void {
  popGeneric(c, argv, true);
}

function rpop(c: CommandContext, argv: string[]): void {
  popGeneric(c, argv, false);
}

/** LMPOP/BLMPOP arguments, set by parseMpop (handlers run one at a time). */
const MPOP = { numkeys: 0, left: true, count: 1 };

/** Redis's lmpopGenericCommand parsing with numkeys at argv[idx]; false after replying an error. */
function parseMpop(c: CommandContext, argv: string[], idx: number): boolean {
  const numkeys = parseIndex(argv[idx]);
  if (numkeys === null || numkeys < 1) {
    c.reply.error(E.NUMKEYS_POSITIVE);
    return false;
  }
  const whereIdx = idx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.reply.error(E.SYNTAX);
    return false;
  }
  const left = parseSide(argv[whereIdx]);
  if (left === null) {
    c.reply.error(E.SYNTAX);
    return false;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && eqi(argv[j], 'count') && j + 1 < argv.length) {
      const n = parseIndex(argv[++j]);
      if (n === null || n < 1) {
        c.reply.error(E.COUNT_POSITIVE);
        return false;
      }
      count = n;
    } else {
      c.reply.error(E.SYNTAX);
      return false;
    }
  }
  MPOP.numkeys = numkeys;
  MPOP.left = left;
  MPOP.count = count === -1 ? 1 : count;
  return true;
}

function lmpop(c: CommandContext, argv: string[]): void {
  if (!parseMpop(c, argv, 1)) return;
  const { numkeys, left, count } = MPOP;
  const r = c.reply;
  for (let i = 2; i < 2 + numkeys; i++) {
    const key = argv[i];
    const l = writeList(c, key);
    if (l === undefined) return;
    if (l === null || l.size === 0) continue;
    r.array(2);
    r.bulk(key);
    const n = popRangeReply(c, l, left, count);
    c.notify(NOTIFY.LIST, left ? 'lpop' : 'rpop', key);
    if (l.size === 0) {
      c.db.delete(key);
      c.notify(NOTIFY.GENERIC, 'del', key);
    }
    c.propagate([left ? 'LPOP' : 'RPOP', key, String(n)]);
    return;
  }
  r.nullArray();
}

function lmpopKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 1);
}

function blmpopKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 2);
}

// ---- LRANGE LTRIM LPOS LREM ---------------------------------------------------------------

function lrange(c: CommandContext, argv: string[]): void {
  let start = parseIndex(argv[2]);
  let end = parseIndex(argv[3]);
  const r = c.reply;
  if (start === null || end === null) return r.error(E.NOT_INTEGER);
  const l = readList(c, argv[1]);
  if (l === undefined) return;
  if (l === null) return r.array(0);
  const n = l.size;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return r.array(0);
  if (end >= n) end = n - 1;
  r.array(end - start + 1);
  for (let i = start; i <= end; i++) r.bulk(l.get(i));
}

function ltrim(c: CommandContext, argv: string[]): void {
  let start = parseIndex(argv[2]);
  let end = parseIndex(argv[3]);
  if (start === null || end === null) return c.reply.error(E.NOT_INTEGER);
  const key = argv[1];
  const l = writeList(c, key);
  if (l === undefined) return;
  if (l === null) return c.reply.ok();
  const n = l.size;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  let front: number;
  let back: number;
  if (start > end || start >= n) {
    front = n;
    back = 0;
  } else {
    if (end >= n) end = n - 1;
    front = start;
    back = n - end - 1;
  }
  // Redis notifies "ltrim" even when nothing was trimmed.
  c.notify(NOTIFY.LIST, 'ltrim', key);
  if (front + back > 0) {
    l.trim(front, back);
    if (l.size === 0) {
      c.db.delete(key);
      c.notify(NOTIFY.GENERIC, 'del', key);
    }
    c.propagate(argv);
  } else {
    // Nothing trimmed, nothing logged; but Redis signals the key modified all the same.
    c.touchWatched(key);
  }
  c.reply.ok();
}

function lpos(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  const ele = argv[2];
  let rank = 1;
  // RANK -9223372036854775808: Redis negates it to itself (still negative), so every match
  // qualifies and the COUNT test never stops the scan (observed on 7.0.15).
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const more = j + 1 < argv.length;
    if (more && eqi(opt, 'rank')) {
      const v = parseInt64(argv[++j]);
      if (v === null) return r.error(E.NOT_INTEGER);
      if (v === 0) return r.error(E.LPOS_RANK_ZERO);
      rankMin = v === INT64_MIN;
      rank = typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
    } else if (more && eqi(opt, 'count')) {
      const v = parseIndex(argv[++j]);
      if (v === null || v < 0) return r.error(E.LPOS_COUNT_NEGATIVE);
      count = v;
    } else if (more && eqi(opt, 'maxlen')) {
      const v = parseIndex(argv[++j]);
      if (v === null || v < 0) return r.error(E.LPOS_MAXLEN_NEGATIVE);
      maxlen = v;
    } else {
      return r.error(E.SYNTAX);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  if (rankMin) rank = 1;
  const l = readList(c, argv[1]);
  if (l === undefined) return;
  if (l === null) return count !== -1 ? r.array(0) : r.nullBulk();
  const n = l.size;
  const limit = maxlen === 0 || maxlen > n ? n : maxlen;
  let matches = 0;
  if (count === -1) {
    for (let i = 0; i < limit; i++) {
      const pos = fromTail ? n - 1 - i : i;
      if (l.get(pos) === ele && ++matches >= rank) return r.int(pos);
    }
    return r.nullBulk();
  }
  const found: number[] = [];
  for (let i = 0; i < limit; i++) {
    const pos = fromTail ? n - 1 - i : i;
    if (l.get(pos) !== ele || ++matches < rank) continue;
    found.push(pos);
    if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
  }
  r.array(found.length);
  for (let i = 0; i < found.length; i++) r.int(found[i]);
}

function lrem(c: CommandContext, argv: string[]): void {
  const toRemove = parseIndex(argv[2]);
  if (toRemove === null) return c.reply.error(E.NOT_INTEGER);
  const key = argv[1];
  const l = writeList(c, key);
  if (l === undefined) return;
  if (l === null) return c.reply.int(0);
  const removed = toRemove < 0 ? l.removeMatching(argv[3], -toRemove, true) : l.removeMatching(argv[3], toRemove, false);
  if (removed > 0) {
    c.notify(NOTIFY.LIST, 'lrem', key);
    if (l.size === 0) {
      c.db.delete(key);
      c.notify(NOTIFY.GENERIC, 'del', key);
    }
    c.propagate(argv);
  }
  c.reply.int(removed);
}

// ---- LMOVE RPOPLPUSH BLMOVE BRPOPLPUSH ----------------------------------------------------

/**
 * Redis's lmoveGenericCommand: pops from `src`, pushes to `dst` (created if missing), replies
 * the element; propagates `prop` (the command itself, or the LMOVE/RPOPLPUSH a BLMOVE/
 * BRPOPLPUSH that did not block stands for).
 */
function lmoveGeneric(c: CommandContext, src: string, dst: string, fromLeft: boolean, toLeft: boolean, prop: string[]): void {
  const sl = writeList(c, src);
  if (sl === undefined) return;
  if (sl === null) return c.reply.nullBulk();
  const de = c.db.writeValue(dst);
  if (de !== undefined && !(de instanceof ListValue)) return c.reply.error(E.WRONGTYPE);
  const v = pop(sl, fromLeft);
  // src === dst: `de` is `sl` itself, so the element goes straight back in.
  const dl = de !== undefined ? (de as ListValue) : createList(c, dst);
  push(dl, v, toLeft);
  // Redis's order: the push on the destination, then the pop on the source, then its "del".
  c.notify(NOTIFY.LIST, toLeft ? 'lpush' : 'rpush', dst);
  c.notify(NOTIFY.LIST, fromLeft ? 'lpop' : 'rpop', src);
  if (sl.size === 0) {
    c.db.delete(src);
    c.notify(NOTIFY.GENERIC, 'del', src);
  }
  c.propagate(prop);
  c.reply.bulk(v);
}

function lmove(c: CommandContext, argv: string[]): void {
  const fromLeft = parseSide(argv[3]);
  if (fromLeft === null) return c.reply.error(E.SYNTAX);
  const toLeft = parseSide(argv[4]);
  if (toLeft === null) return c.reply.error(E.SYNTAX);
  lmoveGeneric(c, argv[1], argv[2], fromLeft, toLeft, argv);
}

function rpoplpush(c: CommandContext, argv: string[]): void {
  lmoveGeneric(c, argv[1], argv[2], false, true, argv);
}

/** Redis's blmoveGenericCommand: LMOVE when the source holds a list, else block on it. */
function blmoveGeneric(c: CommandContext, argv: string[], fromLeft: boolean, toLeft: boolean, timeoutMs: number, rpoplpushForm: boolean): void {
  const src = argv[1];
  const sl = writeList(c, src);
  if (sl === undefined) return;
  if (sl !== null) {
    const prop = rpoplpushForm ? ['RPOPLPUSH', src, argv[2]] : ['LMOVE', src, argv[2], argv[3], argv[4]];
    return lmoveGeneric(c, src, argv[2], fromLeft, toLeft, prop);
  }
  const b = c.server.blocking;
  // Not allowed to block: a null bulk here (lmove's "no source" answer), unlike BLPOP's array.
  if (!b.canBlock(c)) return c.reply.nullBulk();
  b.block(c, argv, 1, 2, timeoutMs, new ListWait(rpoplpushForm ? WAIT_RPOPLPUSH : WAIT_MOVE, fromLeft, toLeft, argv[2], -1));
}

function blmove(c: CommandContext, argv: string[]): void {
  const fromLeft = parseSide(argv[3]);
  if (fromLeft === null) return c.reply.error(E.SYNTAX);
  const toLeft = parseSide(argv[4]);
  if (toLeft === null) return c.reply.error(E.SYNTAX);
  const t = parseBlockTimeout(argv[5]);
  if (typeof t === 'string') return c.reply.error(t);
  blmoveGeneric(c, argv, fromLeft, toLeft, t, false);
}

function brpoplpush(c: CommandContext, argv: string[]): void {
  const t = parseBlockTimeout(argv[3]);
  if (typeof t === 'string') return c.reply.error(t);
  blmoveGeneric(c, argv, false, true, t, true);
}

// ---- BLPOP BRPOP BLMPOP -------------------------------------------------------------------

function blpopGeneric(c: CommandContext, argv: string[], left: boolean): void {
  const t = parseBlockTimeout(argv[argv.length - 1]);
  if (typeof t === 'string') return c.reply.error(t);
  blockingPop(c, argv, 1, argv.length - 1, left, -1, t);
}

function blpop(c: CommandContext, argv: string[]): void {
  blpopGeneric(c, argv, true);
}

function brpop(c: CommandContext, argv: string[]): void {
  blpopGeneric(c, argv, false);
}

function blmpop(c: CommandContext, argv: string[]): void {
  if (!parseMpop(c, argv, 2)) return;
  const { numkeys, left, count } = MPOP;
  const t = parseBlockTimeout(argv[1]);
  if (typeof t === 'string') return c.reply.error(t);
  blockingPop(c, argv, 3, 3 + numkeys, left, count, t);
}

// ---- the table ----------------------------------------------------------------------------

export const listCommands: CommandSpec[] = [
  def('lpush', -3, 'write denyoom fast', [1, 1, 1], '@list', lpush),
  def('rpush', -3, 'write denyoom fast', [1, 1, 1], '@list', rpush),
  def('lpushx', -3, 'write denyoom fast', [1, 1, 1], '@list', lpushx),
  def('rpushx', -3, 'write denyoom fast', [1, 1, 1], '@list', rpushx),
  def('linsert', 5, 'write denyoom', [1, 1, 1], '@list', linsert),
  def('llen', 2, 'readonly fast', [1, 1, 1], '@list', llen),
  def('lindex', 3, 'readonly', [1, 1, 1], '@list', lindex),
  def('lset', 4, 'write denyoom', [1, 1, 1], '@list', lset),
  def('lpop', -2, 'write fast', [1, 1, 1], '@list', lpop),
  def('rpop', -2, 'write fast', [1, 1, 1], '@list', rpop),
  def('lmpop', -4, 'write movablekeys', [0, 0, 0], '@list', lmpop, { getKeys: lmpopKeys }),
  def('lrange', 4, 'readonly', [1, 1, 1], '@list', lrange),
  def('ltrim', 4, 'write', [1, 1, 1], '@list', ltrim),
  def('lpos', -3, 'readonly', [1, 1, 1], '@list', lpos),
  def('lrem', 4, 'write', [1, 1, 1], '@list', lrem),
  def('lmove', 5, 'write denyoom', [1, 2, 1], '@list', lmove),
  def('rpoplpush', 3, 'write denyoom', [1, 2, 1], '@list', rpoplpush),
  def('blpop', -3, 'write noscript blocking', [1, -2, 1], '@list', blpop),
  def('brpop', -3, 'write noscript blocking', [1, -2, 1], '@list', brpop),
  def('blmove', 6, 'write denyoom noscript blocking', [1, 2, 1], '@list', blmove),
  def('brpoplpush', 4, 'write denyoom noscript blocking', [1, 2, 1], '@list', brpoplpush),
  def('blmpop', -5, 'write blocking movablekeys', [0, 0, 0], '@list', blmpop, { getKeys: blmpopKeys }),
];
