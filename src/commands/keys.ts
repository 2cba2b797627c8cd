// Key-space commands, type-independent (Redis db.c, expire.c, object.c): DEL UNLINK EXISTS TYPE
// RENAME RENAMENX KEYS SCAN RANDOMKEY EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME
// PEXPIRETIME PERSIST TOUCH COPY OBJECT MOVE SWAPDB DBSIZE FLUSHDB FLUSHALL.
//
// Invariants: an expired key is never visible (lookups expire it lazily and the keyspace hook
// propagates the DEL; KEYS skips it without deleting, as Redis 7.0 does); every mutation
// propagates its deterministic effect: relative expiries become PEXPIREAT <abs ms>, an expiry
// already in the past becomes DEL, RENAMENX becomes RENAME, COPY carries REPLACE only when it
// replaced something, and a no-op propagates nothing.
//
// Keyspace events (db.c / expire.c): "del" (DEL UNLINK, EXPIRE* into the past), "rename_from" +
// "rename_to", "expire", "persist", "copy_to", "move_from" + "move_to" (in the target db);
// "keymiss" from read lookups that find nothing; "new" and "expired" come from the keyspace.
//
// Contract with the collection classes (lists, hashes, sets, zsets), which live elsewhere:
//   clone(): Collection   — a deep copy sharing no mutable state (COPY);
//   encoding(): string    — Redis's OBJECT ENCODING name ("listpack", "quicklist", "hashtable",
//                           "intset", "skiplist"), decided by the collection itself.

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { STR_NOINT, STR_RAW, typeOf, type Collection, type Value } from '../keyspace/index.js';
import { lfuDecrAndReturn as lfuDecrAndReturnAt, lfuTimeInMinutes } from '../keyspace/evict.js';
import { parseInt64, INT64_MAX, INT64_MIN } from '../util/numbers.js';
import { compileMatcher } from '../util/glob.js';
import { parseScanCursor } from '../types/scan-cursor.js';
import { NOTIFY } from '../config.js';

// ---- shared helpers ----------------------------------------------------------------------

/**
 * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): may expire the key, counts keyspace hits and
 * misses, but does not touch the LRU (EXISTS, TYPE, TTL, OBJECT).
 */
function lookupReadNoTouch(c: CommandContext, key: string, notify = true): number {
  const e = c.db.lookupNoTouch(key);
  const stats = c.server.ks.stats;
  if (e < 0) {
    stats.keyspaceMisses++;
    // OBJECT looks up with LOOKUP_NONOTIFY: no "keymiss" event.
    if (notify) c.notify(NOTIFY.KEY_MISS, 'keymiss', key);
  } else stats.keyspaceHits++;
  return e;
}

/** Error texts interpolate client bytes: CR/LF would break the protocol (Redis replaces them). */
function sanitize(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    out += ch === 13 || ch === 10 ? ' ' : s[i];
  }
  return out;
}

/**
 * Redis's getIntFromObjectOrReply: an int64 (else NOT_INTEGER, or `msg`), within int32 (else
 * INT32_RANGE, or `msg`). Returns null after replying.
 */
function parseInt32OrReply(c: CommandContext, s: string, msg?: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.reply.error(msg ?? E.NOT_INTEGER);
    return null;
  }
  if (typeof v !== 'number' || v < -2147483648 || v > 2147483647) {
    c.reply.error(msg ?? E.INT32_RANGE);
    return null;
  }
  return v;
}

/** Target db index of COPY/MOVE, or null after replying. */
function parseDbOrReply(c: CommandContext, s: string): number | null {
  const id = parseInt32OrReply(c, s);
  if (id === null) return null;
  if (id < 0 || id >= c.server.ks.dbs.length) {
    c.reply.error(E.DB_INDEX_OUT_OF_RANGE);
    return null;
  }
  return id;
}

/**
 * Redis's checkAlreadyExpired: an absolute expiry at or before now deletes the key at once —
 * except while loading (AOF replay) or on a replica, where the expiry is stored and the
 * primary's (or the log's own) DEL does the deleting, so replaying a stream late never acts on
 * time twice. Every command that takes an absolute expiry (SET PXAT, GETEX, RESTORE...) should
 * decide through this.
 */
export function checkAlreadyExpired(c: CommandContext, when: number): boolean {
  const ks = c.server.ks;
  return when <= ks.clock.now() && ks.expireDeletes && !ks.loading;
}

interface CloneableCollection extends Collection {
  clone(): Collection;
}
interface EncodedCollection extends Collection {
  encoding(): string;
}

/** A deep copy for COPY. Strings are immutable JS strings and are shared. */
function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  const cl = (v as Partial<CloneableCollection>).clone;
  if (typeof cl !== 'function') {
    throw Object.assign(new Error(`COPY: ${v.type} values do not implement clone()`), { code: 'COLLECTION_CONTRACT' });
  }
  return cl.call(v);
}

// ---- DEL UNLINK EXISTS TYPE TOUCH DBSIZE ---------------------------------------------------

function delGeneric(c: CommandContext, argv: string[], name: string): void {
  const db = c.db;
  if (argv.length === 2) {
    // The common single-key case without building an argument list.
    const e = db.lookupNoTouch(argv[1]);
    if (e < 0) return c.reply.int(0);
    db.deleteSlot(e);
    c.notify(NOTIFY.GENERIC, 'del', argv[1]);
    c.propagate([name, argv[1]]);
    return c.reply.int(1);
  }
  const deleted: string[] = [name];
  for (let i = 1; i < argv.length; i++) {
    const e = db.lookupNoTouch(argv[i]);
    if (e < 0) continue;
    db.deleteSlot(e);
    c.notify(NOTIFY.GENERIC, 'del', argv[i]);
    deleted.push(argv[i]);
  }
  if (deleted.length > 1) c.propagate(deleted);
  c.reply.int(deleted.length - 1);
}

function del(c: CommandContext, argv: string[]): void {
  delGeneric(c, argv, 'DEL');
}

function unlink(c: CommandContext, argv: string[]): void {
  delGeneric(c, argv, 'UNLINK');
}

function exists(c: CommandContext, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupReadNoTouch(c, argv[i]) >= 0) n++;
  c.reply.int(n);
}

function type(c: CommandContext, argv: string[]): void {
  const e = lookupReadNoTouch(c, argv[1]);
  c.reply.simple(e < 0 ? 'none' : typeOf(c.db.valueAt(e)));
}

function touch(c: CommandContext, argv: string[]): void {
  let n = 0;
  const db = c.db;
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i]) >= 0) n++;
  c.reply.int(n);
}

function dbsize(c: CommandContext): void {
  // Like Redis: counts keys not yet reaped even if logically expired.
  c.reply.int(c.db.size);
}

// ---- RENAME RENAMENX ----------------------------------------------------------------------

function renameGeneric(c: CommandContext, argv: string[], nx: boolean): void {
  const db = c.db;
  const src = argv[1];
  const dst = argv[2];
  const e = db.lookupWrite(src);
  if (e < 0) return c.reply.error(E.NO_SUCH_KEY);
  if (src === dst) return nx ? c.reply.int(0) : c.reply.ok();
  const d = db.lookupWrite(dst);
  if (d >= 0) {
    if (nx) return c.reply.int(0);
    db.deleteSlot(d);
  }
  const value = db.valueAt(e);
  const expireAt = db.expiryAt(e);
  const lru = db.lruAt(e);
  const hint = db.stringHintAt(e);
  db.deleteSlot(e);
  const ne = db.add(dst, value);
  // Redis moves the object itself, so its LRU/LFU stamp and its encoding go with it.
  db.setLruAt(ne, lru);
  db.setStringHintAt(ne, hint);
  if (expireAt !== 0) db.setExpire(ne, expireAt);
  c.notify(NOTIFY.GENERIC, 'rename_from', src);
  c.notify(NOTIFY.GENERIC, 'rename_to', dst);
  c.propagate(['RENAME', src, dst]);
  if (nx) c.reply.int(1);
  else c.reply.ok();
}

function rename(c: CommandContext, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenx(c: CommandContext, argv: string[]): void {
  renameGeneric(c, argv, true);
}

// ---- KEYS SCAN RANDOMKEY ------------------------------------------------------------------

function keys(c: CommandContext, argv: string[]): void {
  const db = c.db;
  const pattern = argv[1];
  const all = pattern === '*';
  const match = all ? null : compileMatcher(pattern);
  const now = c.server.ks.clock.now();
  const out: string[] = [];
  // Redis 7.0's keysCommand skips expired keys without deleting them.
  // A walk over the table's live slots (the dict's own iteration copies every slot first).
  const t = db.t;
  for (let s = 0; s < t.top; s++) {
    if (t.vals[s] === null) continue;
    const at = t.expiryOf(s);
    if (at !== 0 && at <= now) continue;
    const key = t.keys[s];
    if (match === null || match(key)) out.push(key);
  }
  c.reply.bulks(out);
}

/** Slots visited by one SCAN step (module-level, reused: no per-call closure). */
const scanBuf: number[] = [];
function scanCollect(s: number): void {
  scanBuf.push(s);
}

function scan(c: CommandContext, argv: string[]): void {
  // A cursor above 2^53 comes back approximate: beyond every slot all the same, so the step
  // ends the iteration, as the exact value would.
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) return c.reply.error(E.INVALID_CURSOR);
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const o = argv[i].toLowerCase();
    if (i + 1 >= argv.length) return c.reply.error(E.SYNTAX);
    if (o === 'count') {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return c.reply.error(E.NOT_INTEGER);
      if (n < 1) return c.reply.error(E.SYNTAX);
      count = typeof n === 'number' ? n : Number.MAX_SAFE_INTEGER;
    } else if (o === 'match') {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (o === 'type') {
      typeName = argv[i + 1].toLowerCase();
    } else return c.reply.error(E.SYNTAX);
  }
  const db = c.db;
  scanBuf.length = 0;
  const next = db.scan(cursor, count, scanCollect);
  const match = pattern === null ? null : compileMatcher(pattern);
  const out: string[] = [];
  // Redis's order of filters: pattern, type, then expiry (which deletes the key).
  for (let i = 0; i < scanBuf.length; i++) {
    const e = scanBuf[i];
    const key = db.keyAt(e);
    if (match !== null && !match(key)) continue;
    if (typeName !== null && typeOf(db.valueAt(e)) !== typeName) continue;
    if (db.expiryAt(e) !== 0 && db.expireIfNeeded(e)) continue;
    out.push(key);
  }
  scanBuf.length = 0;
  c.reply.array(2);
  c.reply.bulk(String(next));
  c.reply.bulks(out);
}

function randomkey(c: CommandContext): void {
  const e = c.db.randomSlot();
  if (e < 0) c.reply.nullBulk();
  else c.reply.bulk(c.db.keyAt(e));
}

// ---- EXPIRE family, TTL family, PERSIST ---------------------------------------------------

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Redis's expireGenericCommand. `relative`: the argument is added to now; `seconds`: it is in
 * seconds. Replies 1 when the expiry was set (or the key deleted because it is in the past),
 * 0 when the key is missing or NX/XX/GT/LT said no.
 */
function expireGeneric(c: CommandContext, argv: string[], relative: boolean, seconds: boolean, cmd: string): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let i = 3; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'gt') gt = true;
    else if (o === 'lt') lt = true;
    else return c.reply.error(sanitize(E.unsupportedOption(argv[i])));
  }
  if (nx && (xx || gt || lt)) return c.reply.error(E.EXPIRE_NX_INCOMPATIBLE);
  if (gt && lt) return c.reply.error(E.EXPIRE_GT_LT_INCOMPATIBLE);
  const v = parseInt64(argv[2]);
  if (v === null) return c.reply.error(E.NOT_INTEGER);
  const base = relative ? c.server.ks.clock.now() : 0;
  // `when` in absolute ms; `whenText` its exact decimal (propagated: a double may round it).
  let when = 0;
  let whenText: string | null = null;
  let exact = false;
  if (typeof v === 'number') {
    const ms = seconds ? v * 1000 : v;
    when = ms + base;
    exact = Number.isSafeInteger(ms) && Number.isSafeInteger(when);
  }
  if (!exact) {
    // int64 arithmetic with Redis's overflow checks (C division truncates toward zero, as BigInt's).
    let b = BigInt(v);
    if (seconds) {
      if (b > INT64_MAX / 1000n || b < INT64_MIN / 1000n) return c.reply.error(E.invalidExpire(cmd));
      b *= 1000n;
    }
    const bb = BigInt(base);
    if (b > INT64_MAX - bb) return c.reply.error(E.invalidExpire(cmd));
    b += bb;
    when = Number(b);
    if (b > MAX_SAFE_BIG || b < -MAX_SAFE_BIG) whenText = b.toString();
  }
  const db = c.db;
  const key = argv[1];
  const e = db.lookupWrite(key);
  if (e < 0) return c.reply.int(0);
  const current = db.expiryAt(e); // 0 = no expiry (Redis: -1, an infinite TTL)
  if (nx && current !== 0) return c.reply.int(0);
  if (xx && current === 0) return c.reply.int(0);
  if (gt && (current === 0 || when <= current)) return c.reply.int(0);
  if (lt && current !== 0 && when >= current) return c.reply.int(0);
  // checkAlreadyExpired: not while loading nor on a replica (the primary's DEL does it there).
  if (checkAlreadyExpired(c, when)) {
    db.deleteSlot(e);
    c.notify(NOTIFY.GENERIC, 'del', key);
    c.propagate(['DEL', key]);
    return c.reply.int(1);
  }
  db.setExpire(e, when);
  c.notify(NOTIFY.GENERIC, 'expire', key);
  c.propagate(['PEXPIREAT', key, whenText ?? String(when)]);
  c.reply.int(1);
}

function expire(c: CommandContext, argv: string[]): void {
  expireGeneric(c, argv, true, true, 'expire');
}
function pexpire(c: CommandContext, argv: string[]): void {
  expireGeneric(c, argv, true, false, 'pexpire');
}
function expireat(c: CommandContext, argv: string[]): void {
  expireGeneric(c, argv, false, true, 'expireat');
}
function pexpireat(c: CommandContext, argv: string[]): void {
  expireGeneric(c, argv, false, false, 'pexpireat');
}

/** Redis's ttlGenericCommand: -2 no key, -1 no expiry; seconds are rounded ((ms+500)/1000). */
function ttlGeneric(c: CommandContext, key: string, ms: boolean, abs: boolean): void {
  const e = lookupReadNoTouch(c, key);
  if (e < 0) return c.reply.int(-2);
  const at = c.db.expiryAt(e);
  if (at === 0) return c.reply.int(-1);
  let t = abs ? at : at - c.server.ks.clock.now();
  if (t < 0) t = 0;
  if (ms) return c.reply.int(t);
  // Beyond 2^53 ms (PEXPIREAT near LLONG_MAX) the double's exact value is rounded in integers.
  c.reply.int(t <= Number.MAX_SAFE_INTEGER ? Math.floor((t + 500) / 1000) : (BigInt(t) + 500n) / 1000n);
}

function ttl(c: CommandContext, argv: string[]): void {
  ttlGeneric(c, argv[1], false, false);
}
function pttl(c: CommandContext, argv: string[]): void {
  ttlGeneric(c, argv[1], true, false);
}
function expiretime(c: CommandContext, argv: string[]): void {
  ttlGeneric(c, argv[1], false, true);
}
function pexpiretime(c: CommandContext, argv: string[]): void {
  ttlGeneric(c, argv[1], true, true);
}

function persist(c: CommandContext, argv: string[]): void {
  const db = c.db;
  const e = db.lookupWrite(argv[1]);
  if (e < 0 || db.expiryAt(e) === 0) return c.reply.int(0);
  db.removeExpire(e);
  c.notify(NOTIFY.GENERIC, 'persist', argv[1]);
  c.propagate(['PERSIST', argv[1]]);
  c.reply.int(1);
}

// ---- COPY MOVE SWAPDB ---------------------------------------------------------------------

function copy(c: CommandContext, argv: string[]): void {
  let replace = false;
  let dbid = c.dbIndex;
  for (let i = 3; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'replace') replace = true;
    else if (o === 'db' && i + 1 < argv.length) {
      const id = parseDbOrReply(c, argv[++i]);
      if (id === null) return;
      dbid = id;
    } else return c.reply.error(E.SYNTAX);
  }
  if (c.server.cluster !== null && (c.dbIndex !== 0 || dbid !== 0)) return c.reply.error('ERR Copying to another database is not allowed in cluster mode');
  const key = argv[1];
  const newkey = argv[2];
  if (dbid === c.dbIndex && key === newkey) return c.reply.error(E.SAME_OBJECT);
  const src = c.db;
  const e = src.lookupRead(key);
  if (e < 0) return c.reply.int(0);
  const dst = c.server.ks.dbs[dbid];
  const old = dst.lookupWrite(newkey);
  if (old >= 0 && !replace) return c.reply.int(0);
  const value = cloneValue(src.valueAt(e));
  const expireAt = src.expiryAt(e);
  if (old >= 0) dst.deleteSlot(old);
  const ne = dst.add(newkey, value);
  // dupStringObject keeps the encoding (a raw string's copy is raw).
  dst.setStringHintAt(ne, src.stringHintAt(e));
  if (expireAt !== 0) dst.setExpire(ne, expireAt);
  c.notify(NOTIFY.GENERIC, 'copy_to', newkey, dbid);
  const prop = ['COPY', key, newkey];
  if (dbid !== c.dbIndex) prop.push('DB', String(dbid));
  if (old >= 0) prop.push('REPLACE');
  c.propagate(prop);
  c.reply.int(1);
}

function move(c: CommandContext, argv: string[]): void {
  if (c.server.cluster !== null) return c.reply.error('ERR MOVE is not allowed in cluster mode');
  const dbid = parseDbOrReply(c, argv[2]);
  if (dbid === null) return;
  if (dbid === c.dbIndex) return c.reply.error(E.SAME_OBJECT);
  const key = argv[1];
  const src = c.db;
  const e = src.lookupWrite(key);
  if (e < 0) return c.reply.int(0);
  const dst = c.server.ks.dbs[dbid];
  if (dst.lookupWrite(key) >= 0) return c.reply.int(0);
  const value = src.valueAt(e);
  const expireAt = src.expiryAt(e);
  const lru = src.lruAt(e);
  const hint = src.stringHintAt(e);
  src.deleteSlot(e);
  const ne = dst.add(key, value);
  dst.setLruAt(ne, lru);
  dst.setStringHintAt(ne, hint);
  if (expireAt !== 0) dst.setExpire(ne, expireAt);
  c.notify(NOTIFY.GENERIC, 'move_from', key);
  c.notify(NOTIFY.GENERIC, 'move_to', key, dbid);
  c.propagate(['MOVE', key, String(dbid)]);
  c.reply.int(1);
}

function swapdb(c: CommandContext, argv: string[]): void {
  if (c.server.cluster !== null) return c.reply.error('ERR SWAPDB is not allowed in cluster mode');
  const a = parseInt32OrReply(c, argv[1], E.INVALID_FIRST_DB);
  if (a === null) return;
  const b = parseInt32OrReply(c, argv[2], E.INVALID_SECOND_DB);
  if (b === null) return;
  const n = c.server.ks.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) return c.reply.error(E.DB_INDEX_OUT_OF_RANGE);
  if (a !== b) {
    c.server.ks.swap(a, b);
    c.propagate(['SWAPDB', String(a), String(b)]);
  }
  c.reply.ok();
}

// ---- FLUSHDB FLUSHALL ---------------------------------------------------------------------

/** [ASYNC|SYNC]: both free the old structures to the GC in O(1), so they only differ by name. */
function flushArgsOk(c: CommandContext, argv: string[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2) {
    const o = argv[1].toLowerCase();
    if (o === 'sync' || o === 'async') return true;
  }
  c.reply.error(E.SYNTAX);
  return false;
}

function flushdb(c: CommandContext, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  c.db.flush();
  // Propagated even when the db was already empty (Redis's forceCommandPropagation).
  c.propagate(['FLUSHDB']);
  c.reply.ok();
}

function flushall(c: CommandContext, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  c.server.flushAll();
  c.propagate(['FLUSHALL']);
  if (c.server.snapshotAfterFlush(c)) return;
  c.reply.ok();
}

// ---- OBJECT -------------------------------------------------------------------------------

/**
 * Redis's string encodings: "int" for what string2l reads, "embstr" up to 44 bytes, else "raw",
 * unless the slot's hint says how the value was made (APPEND, SETRANGE, INCRBYFLOAT: table.ts).
 */
export function stringEncoding(s: string, hint = 0): 'int' | 'embstr' | 'raw' {
  if ((hint & STR_RAW) !== 0) return 'raw';
  if ((hint & STR_NOINT) === 0 && s.length <= 20 && parseInt64(s) !== null) return 'int';
  return s.length <= 44 ? 'embstr' : 'raw';
}

function isLfu(c: CommandContext): boolean {
  return c.server.config.str('maxmemory-policy').includes('lfu');
}

function objectEncoding(c: CommandContext, argv: string[]): void {
  const e = lookupReadNoTouch(c, argv[2], false);
  if (e < 0) return c.reply.nullBulk();
  const v = c.db.valueAt(e);
  if (typeof v === 'string') return c.reply.bulk(stringEncoding(v, c.db.stringHintAt(e)));
  const enc = (v as Partial<EncodedCollection>).encoding;
  if (typeof enc !== 'function') {
    throw Object.assign(new Error(`OBJECT ENCODING: ${v.type} values do not implement encoding()`), { code: 'COLLECTION_CONTRACT' });
  }
  c.reply.bulk(enc.call(v));
}

/** Redis shares the integer objects 0..9999 (refcount INT_MAX) unless maxmemory with an LRU/LFU policy forbids it. */
const OBJ_SHARED_INTEGERS = 10000;
const OBJ_SHARED_REFCOUNT = 2147483647;

function objectRefcount(c: CommandContext, argv: string[]): void {
  const e = lookupReadNoTouch(c, argv[2], false);
  if (e < 0) return c.reply.nullBulk();
  const v = c.db.valueAt(e);
  // Only an "int" string can be a shared integer (not a raw or float-made one: see stringEncoding).
  if (typeof v === 'string' && v.length <= 4 && c.db.stringHintAt(e) === 0) {
    const n = parseInt64(v);
    if (typeof n === 'number' && n >= 0 && n < OBJ_SHARED_INTEGERS) {
      const policy = c.server.config.str('maxmemory-policy');
      const noShared = c.server.config.num('maxmemory') !== 0 && (policy.includes('lru') || policy.includes('lfu'));
      if (!noShared) return c.reply.int(OBJ_SHARED_REFCOUNT);
    }
  }
  c.reply.int(1);
}

function objectIdletime(c: CommandContext, argv: string[]): void {
  const e = lookupReadNoTouch(c, argv[2], false);
  if (e < 0) return c.reply.nullBulk();
  if (isLfu(c)) return c.reply.error(E.LFU_SELECTED);
  // The lru column and ks.lruClock are both seconds of the keyspace clock (the cached LRU clock).
  const idle = c.server.ks.lruClock - c.db.lruAt(e);
  c.reply.int(idle > 0 ? idle : 0);
}

/** Redis's LFUDecrAndReturn over the lru column = (minutes & 0xffff) << 8 | log counter. */
function lfuDecrAndReturn(c: CommandContext, lru: number): number {
  // The evictor's own arithmetic (keyspace/evict.ts), so OBJECT FREQ reads what eviction ranks.
  return lfuDecrAndReturnAt(lru, lfuTimeInMinutes(c.server.ks.clock.now()), c.server.config.num('lfu-decay-time'));
}

function objectFreq(c: CommandContext, argv: string[]): void {
  const e = lookupReadNoTouch(c, argv[2], false);
  if (e < 0) return c.reply.nullBulk();
  if (!isLfu(c)) return c.reply.error(E.LFU_NOT_SELECTED);
  c.reply.int(lfuDecrAndReturn(c, c.db.lruAt(e)));
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelp(c: CommandContext): void {
  c.reply.statusLines(OBJECT_HELP);
}

// ---- the table ----------------------------------------------------------------------------

export const keyCommands: CommandSpec[] = [
  def('del', -2, 'write', [1, -1, 1], '@keyspace', del, { tips: ['request_policy:multi_shard', 'response_policy:agg_sum'] }),
  def('unlink', -2, 'write fast', [1, -1, 1], '@keyspace', unlink, { tips: ['request_policy:multi_shard', 'response_policy:agg_sum'] }),
  def('exists', -2, 'readonly fast', [1, -1, 1], '@keyspace', exists, { tips: ['request_policy:multi_shard', 'response_policy:agg_sum'] }),
  def('type', 2, 'readonly fast', [1, 1, 1], '@keyspace', type),
  def('touch', -2, 'readonly fast', [1, -1, 1], '@keyspace', touch, { tips: ['request_policy:multi_shard', 'response_policy:agg_sum'] }),
  def('dbsize', 1, 'readonly fast', [0, 0, 0], '@keyspace', dbsize, { group: 'server', tips: ['request_policy:all_shards', 'response_policy:agg_sum'] }),
  def('rename', 3, 'write', [1, 2, 1], '@keyspace', rename),
  def('renamenx', 3, 'write fast', [1, 2, 1], '@keyspace', renamenx),
  def('keys', 2, 'readonly', [0, 0, 0], '@keyspace @dangerous', keys, { tips: ['request_policy:all_shards', 'nondeterministic_output_order'] }),
  def('scan', -2, 'readonly', [0, 0, 0], '@keyspace', scan, { tips: ['nondeterministic_output', 'request_policy:special'] }),
  def('randomkey', 1, 'readonly', [0, 0, 0], '@keyspace', randomkey, { tips: ['request_policy:all_shards', 'nondeterministic_output'] }),
  def('expire', -3, 'write fast', [1, 1, 1], '@keyspace', expire),
  def('pexpire', -3, 'write fast', [1, 1, 1], '@keyspace', pexpire),
  def('expireat', -3, 'write fast', [1, 1, 1], '@keyspace', expireat),
  def('pexpireat', -3, 'write fast', [1, 1, 1], '@keyspace', pexpireat),
  def('ttl', 2, 'readonly fast', [1, 1, 1], '@keyspace', ttl, { tips: ['nondeterministic_output'] }),
  def('pttl', 2, 'readonly fast', [1, 1, 1], '@keyspace', pttl, { tips: ['nondeterministic_output'] }),
  def('expiretime', 2, 'readonly fast', [1, 1, 1], '@keyspace', expiretime),
  def('pexpiretime', 2, 'readonly fast', [1, 1, 1], '@keyspace', pexpiretime),
  def('persist', 2, 'write fast', [1, 1, 1], '@keyspace', persist),
  def('copy', -3, 'write denyoom', [1, 2, 1], '@keyspace', copy),
  def('move', 3, 'write fast', [1, 1, 1], '@keyspace', move),
  def('swapdb', 3, 'write fast', [0, 0, 0], '@keyspace @dangerous', swapdb, { group: 'server' }),
  def('flushdb', -1, 'write', [0, 0, 0], '@keyspace @dangerous', flushdb, { group: 'server', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] }),
  def('flushall', -1, 'write', [0, 0, 0], '@keyspace @dangerous', flushall, { group: 'server', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] }),
  def('object', -2, '', [0, 0, 0], '', objectHelp, {
    group: 'generic',
    subcommands: [
      def('encoding', 3, 'readonly', [2, 2, 1], '@keyspace', objectEncoding, { tips: ['nondeterministic_output'] }),
      def('freq', 3, 'readonly', [2, 2, 1], '@keyspace', objectFreq, { tips: ['nondeterministic_output'] }),
      def('idletime', 3, 'readonly', [2, 2, 1], '@keyspace', objectIdletime, { tips: ['nondeterministic_output'] }),
      def('refcount', 3, 'readonly', [2, 2, 1], '@keyspace', objectRefcount, { tips: ['nondeterministic_output'] }),
      def('help', 2, 'loading stale', [0, 0, 0], '@keyspace', objectHelp),
    ],
  }),
];
