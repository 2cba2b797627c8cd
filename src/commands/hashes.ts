// Hash commands (Redis t_hash.c): HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS
// HGETALL HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, over types/hash.ts.
// Invariants: a hash key never holds an empty hash (HDEL of the last field deletes the key, and
// a key is only created by a command that is about to set a field); every handler type-checks
// before it changes anything; canonical mutations: HSET/HDEL/HINCRBY propagate as they are
// (deterministic), HMSET as HSET, HSETNX as HSET when it set, HINCRBYFLOAT as HSET of the
// resulting text (long double arithmetic is not repeated on replay), a no-op as nothing.

import { readOfType, writeOfType } from './lookup.js';
import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { HashValue } from '../types/hash.js';
import { parseScanArgs, parseScanCursor, type ScanArgs } from '../types/scan-cursor.js';
import { addInt64, addLongDouble, formatLongDouble, isFiniteLongDouble, parseInt64, parseLongDouble, INT64_MIN } from '../util/numbers.js';
import { compileMatcher } from '../util/glob.js';
import { NOTIFY } from '../config.js';

// ---- shared helpers (sets.ts and zsets.ts use them too) -------------------------------------

const HALF_LONG_MAX = 4611686018427387903n;

/**
 * The count of HRANDFIELD / SRANDMEMBER / ZRANDMEMBER: getRangeLongFromObjectOrReply(-LONG_MAX,
 * LONG_MAX). Returns it or an error text. Then see randomCount.
 */
export function parseRandomCount(s: string): number | bigint | string {
  const l = parseInt64(s);
  if (l === null) return E.NOT_INTEGER;
  if (l === INT64_MIN) return E.LONG_RANGE;
  return l;
}

/**
 * The parsed count as a number, after the WITHVALUES/WITHSCORES check that it stays within
 * ±LONG_MAX/2 (Redis doubles it). Clamped to ±2^53-1: no collection is that large, and no reply
 * that long could be sent. Returns the count or an error text.
 */
export function randomCount(l: number | bigint, withValues: boolean): number | string {
  if (typeof l === 'number') return l;
  if (withValues && (l > HALF_LONG_MAX || l < -HALF_LONG_MAX)) return E.OUT_OF_RANGE;
  return l > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/** Reused by HSCAN/SSCAN: handlers run one at a time. */
export const SCAN_ARGS: ScanArgs = { match: null, count: 10 };

/** parseScanArgs' verdict as a reply, or null when the options are fine. */
export function scanArgsError(verdict: 'integer' | 'syntax' | null): string | null {
  if (verdict === null) return null;
  return verdict === 'integer' ? E.NOT_INTEGER : E.SYNTAX;
}

/** Writes an element-SCAN reply whose elements are all in `items` (pairs for HSCAN/ZSCAN). */
export function replyScan(c: CommandContext, cursor: number, items: readonly string[]): void {
  const r = c.reply;
  r.array(2);
  r.bulk(String(cursor));
  r.bulks(items);
}

/**
 * Reads the hash at `key` for a read command. Returns the hash, null when the key is missing,
 * or undefined after replying WRONGTYPE.
 */
function readHash(c: CommandContext, key: string): HashValue | null | undefined {
  return readOfType(c, key, HashValue);
}

/** The same for a write command (lookupWrite: no hit/miss stats, the pre-write hook). */
function writeHash(c: CommandContext, key: string): HashValue | null | undefined {
  return writeOfType(c, key, HashValue);
}

/**
 * Redis's hashTypeLookupWriteOrCreate, after the caller validated everything it could. setKey,
 * not add: on a replica a logically expired key still sits in the dict (lookups read it as
 * missing), and add() would orphan its entry in the LRU chain and the expires set.
 */
function createHash(c: CommandContext, key: string): HashValue {
  const h = new HashValue();
  c.db.setKey(key, h);
  return h;
}

// ---- HSET HMSET HSETNX ---------------------------------------------------------------------

function hsetGeneric(c: CommandContext, argv: string[], isHmset: boolean): void {
  if ((argv.length & 1) === 1) return c.reply.error(E.wrongArity(isHmset ? 'hmset' : 'hset'));
  const key = argv[1];
  let h = writeHash(c, key);
  if (h === undefined) return;
  if (h === null) h = createHash(c, key);
  const cfg = c.server.config;
  const created = h.setPairs(argv, 2, cfg);
  c.notify(NOTIFY.HASH, 'hset', key);
  if (isHmset) {
    const p = argv.slice();
    p[0] = 'HSET';
    c.propagate(p);
    c.reply.ok();
  } else {
    c.propagate(argv);
    c.reply.int(created);
  }
}

function hset(c: CommandContext, argv: string[]): void {
  hsetGeneric(c, argv, false);
}

function hmset(c: CommandContext, argv: string[]): void {
  hsetGeneric(c, argv, true);
}

function hsetnx(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  let h = writeHash(c, key);
  if (h === undefined) return;
  if (h !== null && h.has(argv[2])) return c.reply.int(0);
  if (h === null) h = createHash(c, key);
  h.set(argv[2], argv[3], c.server.config);
  c.notify(NOTIFY.HASH, 'hset', key);
  c.propagate(['HSET', key, argv[2], argv[3]]);
  c.reply.int(1);
}

// ---- HGET HMGET HLEN HSTRLEN HEXISTS --------------------------------------------------------

function hget(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  c.reply.bulkOrNull(h === null ? null : h.get(argv[2]));
}

function hmget(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  const r = c.reply;
  r.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) r.bulkOrNull(h === null ? null : h.get(argv[i]));
}

function hlen(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  c.reply.int(h === null ? 0 : h.size);
}

function hstrlen(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  const v = h === null ? undefined : h.get(argv[2]);
  c.reply.int(v === undefined ? 0 : v.length);
}

function hexists(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  c.reply.int(h !== null && h.has(argv[2]) ? 1 : 0);
}

// ---- HDEL -----------------------------------------------------------------------------------

function hdel(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === undefined) return;
  if (h === null) return c.reply.int(0);
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(argv[i])) {
      deleted++;
      if (h.size === 0) {
        c.db.delete(key);
        keyRemoved = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    c.notify(NOTIFY.HASH, 'hdel', key);
    if (keyRemoved) c.notify(NOTIFY.GENERIC, 'del', key);
    c.propagate(argv);
  }
  c.reply.int(deleted);
}

// ---- HGETALL HKEYS HVALS --------------------------------------------------------------------

function hgetall(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  const r = c.reply;
  if (h === null) return r.map(0);
  r.map(h.size);
  h.forEach((f, v) => {
    r.bulk(f);
    r.bulk(v);
  });
}

function hkeys(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  const r = c.reply;
  if (h === null) return r.array(0);
  r.array(h.size);
  h.forEach((f) => r.bulk(f));
}

function hvals(c: CommandContext, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  const r = c.reply;
  if (h === null) return r.array(0);
  r.array(h.size);
  h.forEach((_f, v) => r.bulk(v));
}

// ---- HINCRBY HINCRBYFLOAT ---------------------------------------------------------------------

function hincrby(c: CommandContext, argv: string[]): void {
  const incr = parseInt64(argv[3]);
  if (incr === null) return c.reply.error(E.NOT_INTEGER);
  const key = argv[1];
  const field = argv[2];
  let h = writeHash(c, key);
  if (h === undefined) return;
  let result: number | bigint | null = incr;
  const old = h === null ? undefined : h.get(field);
  if (old !== undefined) {
    const v = parseInt64(old);
    if (v === null) return c.reply.error(E.HASH_NOT_INTEGER);
    result = addInt64(v, incr);
    if (result === null) return c.reply.error(E.OVERFLOW);
  }
  if (h === null) h = createHash(c, key);
  h.set(field, String(result), c.server.config);
  c.notify(NOTIFY.HASH, 'hincrby', key);
  c.propagate(argv);
  c.reply.int(result);
}

function hincrbyfloat(c: CommandContext, argv: string[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) return c.reply.error(E.NOT_FLOAT);
  if (!isFiniteLongDouble(incr)) return c.reply.error(E.NAN_OR_INFINITY);
  const key = argv[1];
  const field = argv[2];
  let h = writeHash(c, key);
  if (h === undefined) return;
  let result = incr;
  const old = h === null ? undefined : h.get(field);
  if (old !== undefined) {
    const v = parseLongDouble(old);
    if (v === null) return c.reply.error(E.HASH_NOT_FLOAT);
    result = addLongDouble(v, incr);
    if (!isFiniteLongDouble(result)) return c.reply.error(E.INCR_NAN_OR_INFINITY);
  }
  const text = formatLongDouble(result);
  if (h === null) h = createHash(c, key);
  h.set(field, text, c.server.config);
  c.notify(NOTIFY.HASH, 'hincrbyfloat', key);
  c.propagate(['HSET', key, field, text]);
  c.reply.bulk(text);
}

// ---- HRANDFIELD -------------------------------------------------------------------------------

function hrandfield(c: CommandContext, argv: string[]): void {
  if (argv.length === 2) {
    const h = readHash(c, argv[1]);
    if (h === undefined) return;
    if (h === null) return c.reply.nullBulk();
    return c.reply.bulk(h.randomField());
  }
  // Redis's order: the count, then the option, then the WITHVALUES range, then the key.
  const l = parseRandomCount(argv[2]);
  if (typeof l === 'string') return c.reply.error(l);
  if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withvalues')) return c.reply.error(E.SYNTAX);
  const withValues = argv.length === 4;
  const count = randomCount(l, withValues);
  if (typeof count === 'string') return c.reply.error(count);
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  const r = c.reply;
  if (h === null || count === 0) return r.array(0);
  // RESP3 answers WITHVALUES as an array of [field, value] pairs, RESP2 as a flat array.
  const pairs = withValues && r.resp === 3;
  if (count < 0) {
    // Repeats allowed: `-count` independent uniform picks.
    const n = -count;
    // A listpack's fields and values by position; a hashtable's by random picks (O(1) each).
    const fields = h.fieldArray();
    const values = withValues ? h.valueArray() : null;
    r.array(withValues && !pairs ? n * 2 : n);
    for (let i = 0; i < n; i++) {
      let f: string;
      let v: string | undefined;
      if (fields !== null) {
        const j = Math.floor(Math.random() * fields.length);
        f = fields[j];
        v = values?.[j];
      } else {
        f = h.randomField();
        if (withValues) v = h.get(f);
      }
      if (pairs) r.array(2);
      r.bulk(f);
      if (withValues) r.bulk(v as string);
    }
    return;
  }
  if (count >= h.size) {
    // The whole hash, in its order (Redis: CASE 2).
    r.array(withValues && !pairs ? h.size * 2 : h.size);
    h.forEach((f, v) => {
      if (pairs) r.array(2);
      r.bulk(f);
      if (withValues) r.bulk(v);
    });
    return;
  }
  r.array(withValues && !pairs ? count * 2 : count);
  const values = withValues ? h.valueArray() : null;
  if (values !== null) {
    // A listpack: pick positions, whose fields and values are at hand (no scan per value).
    const fields = h.fieldArray() as readonly string[];
    const picked = sampleDistinct(Array.from(fields.keys()), count);
    for (let i = 0; i < picked.length; i++) {
      if (pairs) r.array(2);
      r.bulk(fields[picked[i]]);
      r.bulk(values[picked[i]]);
    }
    return;
  }
  const listed = h.fieldArray();
  const picked =
    listed !== null ? sampleDistinct(listed, count) : sampleDistinctOf(h.size, count, () => Array.from(h.keys()), () => h.randomField());
  for (let i = 0; i < picked.length; i++) {
    const f = picked[i];
    if (pairs) r.array(2);
    r.bulk(f);
    if (withValues) r.bulk(h.get(f) as string);
  }
}

/**
 * `count` distinct elements of `arr` (count < arr.length), uniformly: a partial Fisher-Yates
 * shuffle of a copy when count is a large share of the collection, else rejection of repeats
 * (expected O(count) picks).
 */
export function sampleDistinct<T>(arr: readonly T[], count: number): T[] {
  const len = arr.length;
  if (count * 3 > len) {
    const copy = arr.slice();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (len - i));
      const t = copy[i];
      copy[i] = copy[j];
      copy[j] = t;
    }
    copy.length = count;
    return copy;
  }
  const seen = new Set<T>();
  while (seen.size < count) seen.add(arr[Math.floor(Math.random() * len)]);
  return Array.from(seen);
}

/**
 * `count` distinct elements (count < size) of a collection with no dense array, uniformly: a
 * partial shuffle of all of them (`all()`) when count is over a third of the size, as
 * sampleDistinct does, else uniform picks (`pick()`, O(1) each) until count are distinct.
 */
export function sampleDistinctOf(size: number, count: number, all: () => string[], pick: () => string): string[] {
  if (count * 3 > size) return sampleDistinct(all(), count);
  const seen = new Set<string>();
  while (seen.size < count) seen.add(pick());
  return Array.from(seen);
}

// ---- HSCAN ------------------------------------------------------------------------------------

function hscan(c: CommandContext, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return c.reply.error(E.INVALID_CURSOR);
  const h = readHash(c, argv[1]);
  if (h === undefined) return;
  // Redis checks the key before the options: a missing key answers an empty scan whatever follows.
  if (h === null) return replyScan(c, 0, []);
  const err = scanArgsError(parseScanArgs(argv, 3, SCAN_ARGS));
  if (err !== null) return c.reply.error(err);
  const match = SCAN_ARGS.match === null ? null : compileMatcher(SCAN_ARGS.match);
  const out: string[] = [];
  let next = 0;
  if (!h.big) {
    // A listpack is returned whole in one call, whatever the cursor and COUNT (as Redis).
    h.forEach((f, v) => {
      if (match === null || match(f)) out.push(f, v);
    });
  } else {
    // Redis's COUNT counts fields and values alike: COUNT 10 looks at about 5 fields.
    const fields: string[] = [];
    next = h.scanStep(cursor, Math.ceil(SCAN_ARGS.count / 2), fields);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (match === null || match(f)) out.push(f, h.get(f) as string);
    }
  }
  replyScan(c, next, out);
}

export const hashCommands: CommandSpec[] = [
  def('hset', -4, 'write denyoom fast', [1, 1, 1], '@hash', hset),
  def('hsetnx', 4, 'write denyoom fast', [1, 1, 1], '@hash', hsetnx),
  def('hmset', -4, 'write denyoom fast', [1, 1, 1], '@hash', hmset),
  def('hget', 3, 'readonly fast', [1, 1, 1], '@hash', hget),
  def('hmget', -3, 'readonly fast', [1, 1, 1], '@hash', hmget),
  def('hdel', -3, 'write fast', [1, 1, 1], '@hash', hdel),
  def('hlen', 2, 'readonly fast', [1, 1, 1], '@hash', hlen),
  def('hstrlen', 3, 'readonly fast', [1, 1, 1], '@hash', hstrlen),
  def('hexists', 3, 'readonly fast', [1, 1, 1], '@hash', hexists),
  def('hgetall', 2, 'readonly', [1, 1, 1], '@hash', hgetall, { tips: ['nondeterministic_output_order'] }),
  def('hkeys', 2, 'readonly', [1, 1, 1], '@hash', hkeys, { tips: ['nondeterministic_output_order'] }),
  def('hvals', 2, 'readonly', [1, 1, 1], '@hash', hvals, { tips: ['nondeterministic_output_order'] }),
  def('hincrby', 4, 'write denyoom fast', [1, 1, 1], '@hash', hincrby),
  def('hincrbyfloat', 4, 'write denyoom fast', [1, 1, 1], '@hash', hincrbyfloat),
  def('hrandfield', -2, 'readonly', [1, 1, 1], '@hash', hrandfield, { tips: ['nondeterministic_output'] }),
  def('hscan', -3, 'readonly', [1, 1, 1], '@hash', hscan, { tips: ['nondeterministic_output'] }),
];
