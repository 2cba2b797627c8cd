// String commands (Redis t_string.c): GET SET SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL
// GETEX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.
// Values are latin1 strings (one char = one byte); integers are kept as their decimal text, as
// Redis's "int" encoding is only a representation of the same bytes.
//
// Canonical mutations (Redis "propagate effects, not requests"): relative expiries become
// absolute (SET ... PXAT, PEXPIREAT), NX/XX/GET are decided here and never propagated, SETNX and
// GETSET become SET, MSETNX becomes MSET, GETDEL becomes DEL, GETEX becomes PEXPIREAT / PERSIST /
// DEL, INCRBYFLOAT becomes SET ... KEEPTTL with the final value. Commands whose effect only
// depends on the keyspace (APPEND, SETRANGE, INCR/DECR/INCRBY/DECRBY, MSET) are propagated as
// received. A command that changes nothing propagates nothing.
//
// Keyspace events (t_string.c's notifyKeyspaceEvent calls): "set" (SET SETNX SETEX PSETEX MSET
// MSETNX GETSET), "expire" after a SET/GETEX expiry, "del" / "persist" from GETEX and GETDEL,
// "append", "setrange", "incrby" (INCR DECR INCRBY DECRBY), "incrbyfloat".

import { checkAlreadyExpired } from './keys.js';
import { STR_NOINT, STR_RAW } from '../keyspace/index.js';
import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { NOTIFY } from '../config.js';
import {
  INT64_MIN,
  INT64_MAX,
  addInt64,
  addLongDouble,
  formatLongDouble,
  isFiniteLongDouble,
  parseIndex,
  parseInt64,
  parseLongDouble,
  type LongDouble,
} from '../util/numbers.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** LLONG_MAX / 1000 (C integer division): the largest EX/EXAT seconds Redis multiplies. */
const MAX_EXPIRE_SECONDS = 9223372036854775n;
/**
 * V8 cannot hold a string longer than this (buffer.constants.MAX_STRING_LENGTH on 64-bit Node
 * 20: 2^29 - 24). Redis's default proto-max-bulk-len is 2^29, so the last 24 bytes of the
 * largest string Redis accepts are refused here with the same error.
 */
const MAX_JS_STRING = 536870888;
/** long double zero, the value of a missing key for INCRBYFLOAT. */
const LD_ZERO: LongDouble = { kind: 'finite', neg: false, m: 0n, e: 0 };

// ---- SET / GETEX option parsing (Redis parseExtendedStringArgumentsOrReply) -------------------

const OBJ_NX = 1;
const OBJ_XX = 2;
const OBJ_GET = 4;
const OBJ_KEEPTTL = 8;
const OBJ_PERSIST = 16;
const OBJ_EX = 32;
const OBJ_PX = 64;
const OBJ_EXAT = 128;
const OBJ_PXAT = 256;
const OBJ_EXPIRE = OBJ_EX | OBJ_PX | OBJ_EXAT | OBJ_PXAT;
const PARSE_ERROR = -1;

/** The expire argument found by the last parseExtended call (handlers are not re-entrant). */
let parsedExpireArg = '';

/**
 * Parses SET (forSet) or GETEX options from argv[start..] with exactly Redis's acceptance rules:
 * repeating the same option is allowed (the last EX value wins), conflicting ones are a syntax
 * error. Returns the OBJ_* flags or PARSE_ERROR; the expire argument is left in parsedExpireArg.
 */
function parseExtended(argv: string[], start: number, forSet: boolean): number {
  let flags = 0;
  for (let j = start; j < argv.length; j++) {
    const opt = argv[j];
    const hasNext = j + 1 < argv.length;
    let bit = 0;
    if (opt.length <= 7) {
      switch (opt.toLowerCase()) {
        case 'nx':
          if (forSet && (flags & OBJ_XX) === 0) bit = OBJ_NX;
          break;
        case 'xx':
          if (forSet && (flags & OBJ_NX) === 0) bit = OBJ_XX;
          break;
        case 'get':
          if (forSet) bit = OBJ_GET;
          break;
        case 'keepttl':
          if (forSet && (flags & (OBJ_PERSIST | OBJ_EXPIRE)) === 0) bit = OBJ_KEEPTTL;
          break;
        case 'persist':
          if (!forSet && (flags & (OBJ_KEEPTTL | OBJ_EXPIRE)) === 0) bit = OBJ_PERSIST;
          break;
        case 'ex':
          if (hasNext && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_PX | OBJ_EXAT | OBJ_PXAT)) === 0) bit = OBJ_EX;
          break;
        case 'px':
          if (hasNext && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PXAT)) === 0) bit = OBJ_PX;
          break;
        case 'exat':
          if (hasNext && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_PX | OBJ_PXAT)) === 0) bit = OBJ_EXAT;
          break;
        case 'pxat':
          if (hasNext && (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_PX | OBJ_EXAT)) === 0) bit = OBJ_PXAT;
          break;
      }
    }
    if (bit === 0) return PARSE_ERROR;
    flags |= bit;
    if ((bit & OBJ_EXPIRE) !== 0) parsedExpireArg = argv[++j];
  }
  return flags;
}

/**
 * Redis getExpireMillisecondsOrReply: the absolute unix ms of an EX/PX/EXAT/PXAT argument, or
 * the error text. Exact on the whole int64 range: "EX 9223372036854775" overflows once the
 * current time is added and is refused, "PXAT 9223372036854775807" is accepted. (The expiry column
 * is a double, so an accepted expiry beyond 2^53 ms — year 287396 — is stored rounded.)
 */
function expireMillis(now: number, unitFlag: number, arg: string, cmd: string): number | string {
  const v = parseInt64(arg);
  if (v === null) return E.NOT_INTEGER;
  const seconds = unitFlag === OBJ_EX || unitFlag === OBJ_EXAT;
  const relative = unitFlag === OBJ_EX || unitFlag === OBJ_PX;
  if (typeof v === 'number') {
    if (v <= 0) return E.invalidExpire(cmd);
    let ms = seconds ? v * 1000 : v;
    if (relative) ms += now;
    // Integer arithmetic whose exact result is a safe integer is exact in doubles.
    if (ms <= MAX_SAFE) return ms;
  } else if (v < 0n) {
    return E.invalidExpire(cmd);
  }
  // Beyond 2^53: redo it exactly, with Redis's overflow checks.
  let b = BigInt(v);
  if (seconds) {
    if (b > MAX_EXPIRE_SECONDS) return E.invalidExpire(cmd);
    b *= 1000n;
  }
  if (relative) b += BigInt(now);
  if (b > INT64_MAX) return E.invalidExpire(cmd);
  return Number(b);
}

/**
 * An absolute ms expiry as propagated text. Beyond 2^53 the double's exact integer value is
 * written (clamped to LLONG_MAX, which is what 2^63 stands for), so that replaying the text gives
 * back the same double; String(2 ** 63) would be "9223372036854776000", which is not an int64.
 */
export function msText(at: number): string {
  if (at <= MAX_SAFE) return String(at);
  const b = BigInt(at);
  return (b > INT64_MAX ? INT64_MAX : b).toString();
}

/**
 * Parses one SET/GETEX-style expiry argument: the absolute ms expiry or an error text.
 * (Shared helper for other families; `unit` is the option word in lower case.)
 */
export function absoluteExpiry(c: CommandContext, unit: 'ex' | 'px' | 'exat' | 'pxat', arg: string, cmd: string): number | string {
  const flag = unit === 'ex' ? OBJ_EX : unit === 'px' ? OBJ_PX : unit === 'exat' ? OBJ_EXAT : OBJ_PXAT;
  return expireMillis(c.server.ks.clock.now(), flag, arg, cmd);
}

/** proto-max-bulk-len check of APPEND/SETRANGE (Redis checkStringLength). */
function tooLong(c: CommandContext, total: number): boolean {
  if (total <= 1048576) return false; // below the smallest proto-max-bulk-len Redis accepts
  return total > MAX_JS_STRING || total > c.server.config.num('proto-max-bulk-len');
}

// ---- GET family -------------------------------------------------------------------------------

function get(c: CommandContext, argv: string[]): void {
  const v = c.db.readValue(argv[1]);
  if (v === undefined) return c.reply.nullBulk();
  if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
  c.reply.bulk(v);
}

/**
 * Redis getGenericCommand: replies the value (or nil, or WRONGTYPE). Returns the key's slot,
 * null when the key is missing, or false after a WRONGTYPE reply.
 */
function getGeneric(c: CommandContext, key: string): number | null | false {
  const s = c.db.lookupRead(key);
  if (s < 0) {
    c.reply.nullBulk();
    return null;
  }
  const v = c.db.valueAt(s);
  if (typeof v !== 'string') {
    c.reply.error(E.WRONGTYPE);
    return false;
  }
  c.reply.bulk(v);
  return s;
}

function getset(c: CommandContext, argv: string[]): void {
  const s = getGeneric(c, argv[1]);
  if (s === false) return;
  if (s === null) c.db.addAfterMiss(argv[1], argv[2]);
  else c.db.overwrite(s, argv[2]);
  c.notify(NOTIFY.STRING, 'set', argv[1]);
  c.propagate(['SET', argv[1], argv[2]]);
}

function getdel(c: CommandContext, argv: string[]): void {
  const e = getGeneric(c, argv[1]);
  if (e === null || e === false) return;
  c.db.deleteSlot(e);
  c.notify(NOTIFY.GENERIC, 'del', argv[1]);
  c.propagate(['DEL', argv[1]]);
}

function getex(c: CommandContext, argv: string[]): void {
  const flags = parseExtended(argv, 2, false);
  if (flags === PARSE_ERROR) return c.reply.error(E.SYNTAX);
  const key = argv[1];
  const db = c.db;
  const e = db.lookupRead(key);
  if (e < 0) return c.reply.nullBulk();
  const value = db.valueAt(e);
  if (typeof value !== 'string') return c.reply.error(E.WRONGTYPE);
  const unit = flags & OBJ_EXPIRE;
  let at = 0;
  const now = c.server.ks.clock.now();
  if (unit !== 0) {
    const r = expireMillis(now, unit, parsedExpireArg, 'getex');
    if (typeof r === 'string') return c.reply.error(r);
    at = r;
  }
  c.reply.bulk(value);
  if (unit !== 0) {
    if (checkAlreadyExpired(c, at)) {
      // EXAT/PXAT already elapsed (EX/PX never are): the key goes now.
      db.deleteSlot(e);
      c.notify(NOTIFY.GENERIC, 'del', key);
      c.propagate(['DEL', key]);
    } else {
      db.setExpire(e, at);
      c.notify(NOTIFY.GENERIC, 'expire', key);
      c.propagate(['PEXPIREAT', key, msText(at)]);
    }
  } else if ((flags & OBJ_PERSIST) !== 0 && db.expiryAt(e) !== 0) {
    db.removeExpire(e);
    c.notify(NOTIFY.GENERIC, 'persist', key);
    c.propagate(['PERSIST', key]);
  }
}

function mget(c: CommandContext, argv: string[]): void {
  const db = c.db;
  const r = c.reply;
  r.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const e = db.readValue(argv[i]);
    if (e === undefined || typeof e !== 'string') r.nullBulk();
    else r.bulk(e);
  }
}

function strlen(c: CommandContext, argv: string[]): void {
  const e = c.db.readValue(argv[1]);
  if (e === undefined) return c.reply.int(0);
  if (typeof e !== 'string') return c.reply.error(E.WRONGTYPE);
  c.reply.int(e.length);
}

/** GETRANGE and its old name SUBSTR. */
function getrange(c: CommandContext, argv: string[]): void {
  const s0 = parseInt64(argv[2]);
  if (s0 === null) return c.reply.error(E.NOT_INTEGER);
  const e0 = parseInt64(argv[3]);
  if (e0 === null) return c.reply.error(E.NOT_INTEGER);
  const v = c.db.readValue(argv[1]);
  if (v === undefined) return c.reply.bulk('');
  if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
  // Compared before clamping, as Redis does on its long longs (number/bigint compare exactly).
  if (s0 < 0 && e0 < 0 && s0 > e0) return c.reply.bulk('');
  const len = v.length;
  // No string reaches 2^53 bytes: clamping the int64 indexes changes no outcome below.
  let start = typeof s0 === 'number' ? s0 : s0 > 0n ? MAX_SAFE : -MAX_SAFE;
  let end = typeof e0 === 'number' ? e0 : e0 > 0n ? MAX_SAFE : -MAX_SAFE;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.reply.bulk('');
  c.reply.bulk(start === 0 && end === len - 1 ? v : v.slice(start, end + 1));
}

// ---- SET family -------------------------------------------------------------------------------

function set(c: CommandContext, argv: string[]): void {
  const flags = parseExtended(argv, 3, true);
  if (flags === PARSE_ERROR) return c.reply.error(E.SYNTAX);
  const key = argv[1];
  const value = argv[2];
  const unit = flags & OBJ_EXPIRE;
  const now = unit !== 0 ? c.server.ks.clock.now() : 0;
  let at = 0;
  if (unit !== 0) {
    const r = expireMillis(now, unit, parsedExpireArg, 'set');
    if (typeof r === 'string') return c.reply.error(r);
    at = r;
  }
  const db = c.db;
  let found: boolean;
  let entry = -1;
  if ((flags & OBJ_GET) !== 0) {
    // Redis replies the old value first (getGenericCommand), whatever NX/XX then decide.
    const old = getGeneric(c, key);
    if (old === false) return;
    found = old !== null;
    if (old !== null) entry = old;
  } else {
    // No lookupWrite: overwrite() below does what it would (snapshot hook, LRU touch), and the
    // old value is never read — which spares a cache miss on it per SET.
    entry = db.lookupNoTouch(key);
    found = entry >= 0;
  }
  if (((flags & OBJ_NX) !== 0 && found) || ((flags & OBJ_XX) !== 0 && !found)) {
    if ((flags & OBJ_GET) === 0) c.reply.nullBulk();
    return;
  }
  const keepTtl = (flags & OBJ_KEEPTTL) !== 0;
  const e = entry >= 0 ? db.overwrite(entry, value, keepTtl) : db.addAfterMiss(key, value, keepTtl);
  c.notify(NOTIFY.STRING, 'set', key);
  if (unit !== 0) {
    c.notify(NOTIFY.GENERIC, 'expire', key);
    if (checkAlreadyExpired(c, at)) {
      // EXAT/PXAT already elapsed: the key is set and at once gone (what a read sees in Redis).
      // Redis 7.0 stores the past expiry and reports "expired" at the next access: same events.
      db.deleteSlot(e);
      c.notify(NOTIFY.EXPIRED, 'expired', key);
      c.propagate(['DEL', key]);
    } else {
      db.setExpire(e, at);
      c.propagate(['SET', key, value, 'PXAT', msText(at)]);
    }
  } else {
    // A plain SET propagates as received; options only ever reduce to KEEPTTL here.
    c.propagate(argv.length === 3 ? argv : keepTtl ? ['SET', key, value, 'KEEPTTL'] : ['SET', key, value]);
  }
  if ((flags & OBJ_GET) === 0) c.reply.ok();
}

function setnx(c: CommandContext, argv: string[]): void {
  const db = c.db;
  if (db.lookupWrite(argv[1]) >= 0) return c.reply.int(0);
  db.addAfterMiss(argv[1], argv[2]);
  c.notify(NOTIFY.STRING, 'set', argv[1]);
  c.propagate(['SET', argv[1], argv[2]]);
  c.reply.int(1);
}

/** SETEX key seconds value / PSETEX key milliseconds value. */
function setexGeneric(c: CommandContext, argv: string[], unit: number, cmd: string): void {
  const now = c.server.ks.clock.now();
  const at = expireMillis(now, unit, argv[2], cmd);
  if (typeof at === 'string') return c.reply.error(at);
  const key = argv[1];
  const value = argv[3];
  const db = c.db;
  db.setExpire(db.setFresh(key, value), at);
  c.notify(NOTIFY.STRING, 'set', key);
  c.notify(NOTIFY.GENERIC, 'expire', key);
  c.propagate(['SET', key, value, 'PXAT', msText(at)]);
  c.reply.ok();
}

function setex(c: CommandContext, argv: string[]): void {
  setexGeneric(c, argv, OBJ_EX, 'setex');
}

function psetex(c: CommandContext, argv: string[]): void {
  setexGeneric(c, argv, OBJ_PX, 'psetex');
}

function mset(c: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) return c.reply.error(E.wrongArity('mset'));
  const db = c.db;
  for (let i = 1; i < argv.length; i += 2) {
    db.setFresh(argv[i], argv[i + 1]);
    c.notify(NOTIFY.STRING, 'set', argv[i]);
  }
  c.propagate(argv);
  c.reply.ok();
}

function msetnx(c: CommandContext, argv: string[]): void {
  if (argv.length % 2 === 0) return c.reply.error(E.wrongArity('msetnx'));
  const db = c.db;
  for (let i = 1; i < argv.length; i += 2) {
    if (db.lookupWrite(argv[i]) >= 0) return c.reply.int(0);
  }
  const out = new Array<string>(argv.length);
  out[0] = 'MSET';
  for (let i = 1; i < argv.length; i += 2) {
    // Absent (checked above), unless the same key is given twice: setKey, not add.
    db.setKey(argv[i], argv[i + 1]);
    c.notify(NOTIFY.STRING, 'set', argv[i]);
    out[i] = argv[i];
    out[i + 1] = argv[i + 1];
  }
  c.propagate(out);
  c.reply.int(1);
}

function append(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const add = argv[2];
  const db = c.db;
  const v = db.writeValue(key);
  let len: number;
  if (v === undefined) {
    db.addAfterMiss(key, add);
    len = add.length;
  } else {
    if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
    len = v.length + add.length;
    if (tooLong(c, len)) return c.reply.error(E.STRING_TOO_LONG);
    // Redis appends to an unshared raw copy (dbUnshareStringValue): "raw" whatever the content.
    // Even an empty APPEND does, and counts as a write: it touches WATCHers and is propagated.
    db.setStringHintAt(db.setKey(key, v + add, true), STR_RAW);
  }
  c.notify(NOTIFY.STRING, 'append', key);
  c.propagate(argv);
  c.reply.int(len);
}

function setrange(c: CommandContext, argv: string[]): void {
  // Offsets are clamped to 2^53-1: any offset that large is refused as too long anyway.
  const offset = parseIndex(argv[2]);
  if (offset === null) return c.reply.error(E.NOT_INTEGER);
  if (offset < 0) return c.reply.error(E.OFFSET_OUT_OF_RANGE);
  const key = argv[1];
  const value = argv[3];
  const db = c.db;
  const v = db.writeValue(key);
  let old: string;
  if (v === undefined) {
    if (value.length === 0) return c.reply.int(0);
    if (tooLong(c, offset + value.length)) return c.reply.error(E.STRING_TOO_LONG);
    old = '';
  } else {
    if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
    if (value.length === 0) return c.reply.int(v.length);
    if (tooLong(c, offset + value.length)) return c.reply.error(E.STRING_TOO_LONG);
    old = v;
  }
  const olen = old.length;
  const head = offset <= olen ? (offset === olen ? old : old.slice(0, offset)) : old + '\0'.repeat(offset - olen);
  const endAt = offset + value.length;
  const next = endAt < olen ? head + value + old.slice(endAt) : head + value;
  // A new value or an unshared copy of the old one, raw in Redis either way.
  db.setStringHintAt(db.setKey(key, next, true), STR_RAW);
  c.notify(NOTIFY.STRING, 'setrange', key);
  c.propagate(argv);
  c.reply.int(next.length);
}

// ---- counters ---------------------------------------------------------------------------------

/** Redis incrDecrCommand: `incr` already validated as an int64. */
function incrDecr(c: CommandContext, argv: string[], incr: number | bigint): void {
  const key = argv[1];
  const db = c.db;
  const s = db.lookupWrite(key);
  let value: number | bigint = 0;
  if (s >= 0) {
    const e = db.valueAt(s);
    if (typeof e !== 'string') return c.reply.error(E.WRONGTYPE);
    const v = parseInt64(e);
    if (v === null) return c.reply.error(E.NOT_INTEGER);
    value = v;
  }
  const r = addInt64(value, incr);
  if (r === null) return c.reply.error(E.OVERFLOW);
  // An overwrite keeps the TTL (Redis dbOverwrite); a new key has none.
  if (s >= 0) db.overwrite(s, String(r), true);
  else db.addAfterMiss(key, String(r));
  c.notify(NOTIFY.STRING, 'incrby', key);
  c.propagate(argv);
  c.reply.int(r);
}

function incr(c: CommandContext, argv: string[]): void {
  incrDecr(c, argv, 1);
}

function decr(c: CommandContext, argv: string[]): void {
  incrDecr(c, argv, -1);
}

function incrby(c: CommandContext, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null) return c.reply.error(E.NOT_INTEGER);
  incrDecr(c, argv, n);
}

function decrby(c: CommandContext, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null) return c.reply.error(E.NOT_INTEGER);
  // Negating LLONG_MIN overflows: Redis refuses it before looking at the key.
  if (n === INT64_MIN) return c.reply.error(E.DECREMENT_OVERFLOW);
  incrDecr(c, argv, typeof n === 'number' ? (n === 0 ? 0 : -n) : -n);
}

function incrbyfloat(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const e = db.writeValue(key);
  let value: LongDouble | null = LD_ZERO;
  if (e !== undefined) {
    if (typeof e !== 'string') return c.reply.error(E.WRONGTYPE);
    value = parseLongDouble(e);
  }
  const by = value === null ? null : parseLongDouble(argv[2]);
  if (value === null || by === null) return c.reply.error(E.NOT_FLOAT);
  // x87 long double arithmetic, as Redis's `value += incr`, then "%.17Lf" trimmed.
  const sum = addLongDouble(value, by);
  if (!isFiniteLongDouble(sum)) return c.reply.error(E.INCR_NAN_OR_INFINITY);
  const text = formatLongDouble(sum);
  // createStringObjectFromLongDouble: "embstr" (or "raw" past 44 bytes), even for "3".
  db.setStringHintAt(db.setKey(key, text, true), STR_NOINT);
  c.notify(NOTIFY.STRING, 'incrbyfloat', key);
  c.propagate(['SET', key, text, 'KEEPTTL']);
  c.reply.bulk(text);
}

// ---- LCS --------------------------------------------------------------------------------------

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: Redis's O(n*m) dynamic programming
 * table of uint32 and the same backward walk, so the matches come out in Redis's order. Like
 * Redis 7.0.15, a table larger than proto-max-bulk-len bytes is refused.
 */
function lcs(c: CommandContext, argv: string[]): void {
  const db = c.db;
  const ea = db.readValue(argv[1]);
  const eb = db.readValue(argv[2]);
  if ((ea !== undefined && typeof ea !== 'string') || (eb !== undefined && typeof eb !== 'string')) {
    return c.reply.error(E.LCS_NOT_STRINGS);
  }
  const a = ea === undefined ? '' : (ea as string);
  const b = eb === undefined ? '' : (eb as string);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && j + 1 < argv.length) {
      const n = parseIndex(argv[++j]);
      if (n === null) return c.reply.error(E.NOT_INTEGER);
      minMatchLen = n < 0 ? 0 : n;
    } else return c.reply.error(E.SYNTAX);
  }
  if (getIdx && getLen) return c.reply.error(E.LCS_IDX_AND_LEN);

  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  if (cells * 4 > c.server.config.num('proto-max-bulk-len')) return c.reply.error(E.LCS_TOO_BIG);
  let dp: Uint32Array;
  try {
    dp = new Uint32Array(cells); // row 0 and column 0 start at 0
  } catch {
    return c.reply.error(E.LCS_ALLOC_FAILED);
  }
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * w;
    const up = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) dp[row + j] = dp[up + j - 1] + 1;
      else {
        const l1 = dp[up + j];
        const l2 = dp[row + j - 1];
        dp[row + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = dp[alen * w + blen];
  if (getLen && !getIdx) return c.reply.int(total);

  // Walk back from the end, building the LCS string and (for IDX) the ranges as Redis does.
  const result = getIdx ? null : Buffer.allocUnsafe(total);
  const ranges: number[] = [];
  let idx = total;
  let aStart = alen; // alen = no current range
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    const ch = a.charCodeAt(i - 1);
    if (ch === b.charCodeAt(j - 1)) {
      if (result !== null) result[idx - 1] = ch;
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = alen;
    }
  }
  if (result !== null) return c.reply.bulk(result.toString('latin1', 0, total));

  const r = c.reply;
  r.map(2);
  r.bulk('matches');
  r.array(ranges.length / 5);
  for (let k = 0; k < ranges.length; k += 5) {
    r.array(withMatchLen ? 3 : 2);
    r.array(2);
    r.int(ranges[k]);
    r.int(ranges[k + 1]);
    r.array(2);
    r.int(ranges[k + 2]);
    r.int(ranges[k + 3]);
    if (withMatchLen) r.int(ranges[k + 4]);
  }
  r.bulk('len');
  r.int(total);
}

export const stringCommands: CommandSpec[] = [
  def('get', 2, 'readonly fast', [1, 1, 1], '@string', get),
  def('set', -3, 'write denyoom', [1, 1, 1], '@string', set),
  def('setnx', 3, 'write denyoom fast', [1, 1, 1], '@string', setnx),
  def('setex', 4, 'write denyoom', [1, 1, 1], '@string', setex),
  def('psetex', 4, 'write denyoom', [1, 1, 1], '@string', psetex),
  def('mget', -2, 'readonly fast', [1, -1, 1], '@string', mget, { tips: ['request_policy:multi_shard'] }),
  def('mset', -3, 'write denyoom', [1, -1, 2], '@string', mset, { tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'] }),
  def('msetnx', -3, 'write denyoom', [1, -1, 2], '@string', msetnx, { tips: ['request_policy:multi_shard', 'response_policy:agg_min'] }),
  def('getset', 3, 'write denyoom fast', [1, 1, 1], '@string', getset),
  def('getdel', 2, 'write fast', [1, 1, 1], '@string', getdel),
  def('getex', -2, 'write fast', [1, 1, 1], '@string', getex),
  def('append', 3, 'write denyoom fast', [1, 1, 1], '@string', append),
  def('strlen', 2, 'readonly fast', [1, 1, 1], '@string', strlen),
  def('incr', 2, 'write denyoom fast', [1, 1, 1], '@string', incr),
  def('decr', 2, 'write denyoom fast', [1, 1, 1], '@string', decr),
  def('incrby', 3, 'write denyoom fast', [1, 1, 1], '@string', incrby),
  def('decrby', 3, 'write denyoom fast', [1, 1, 1], '@string', decrby),
  def('incrbyfloat', 3, 'write denyoom fast', [1, 1, 1], '@string', incrbyfloat),
  def('getrange', 4, 'readonly', [1, 1, 1], '@string', getrange),
  def('substr', 4, 'readonly', [1, 1, 1], '@string', getrange),
  def('setrange', 4, 'write denyoom', [1, 1, 1], '@string', setrange),
  def('lcs', -3, 'readonly', [1, 2, 1], '@string', lcs),
];
