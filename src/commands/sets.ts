// Set commands (Redis t_set.c): SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER
// SMOVE SINTER SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN, over
// types/set.ts.
// Invariants: a set key never holds an empty set (the command that removes the last member
// deletes the key; a *STORE with an empty result deletes the destination); every key is
// type-checked before anything changes. Canonical mutations: SADD/SREM/SMOVE propagate as they
// are when they changed something (deterministic), SPOP as SREM of the members actually popped
// (DEL when it emptied the set with a count), a *STORE as its effect: DEL of the destination when
// it existed, then SADD of the result (so a replica or a replayed log never recomputes it against
// a keyspace that could differ, e.g. a source whose expiry a replica's clock sees differently).
// Members go in batches of PROPAGATE_BATCH per command, and a command's records form one atomic
// group of the log. Keyspace events are t_set.c's, in its order: the command's event only when
// something changed, then "del" when the key went away (checked against redis-server 7.0 in
// test/suite/pubsub.test.ts).

import { readOfType, writeOfType } from './lookup.js';
import { def, numkeysKeys } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { SetValue } from '../types/set.js';
import { parseScanArgs, parseScanCursor, scanStep } from '../types/scan-cursor.js';
import { parseInt64, parseIndex } from '../util/numbers.js';
import { compileMatcher } from '../util/glob.js';
import { NOTIFY } from '../config.js';
import { parseRandomCount, randomCount, replyScan, sampleDistinctOf, scanArgsError, SCAN_ARGS } from './hashes.js';

/** Members per propagated SADD/SREM (Redis batches SPOP's SREMs by 1024 the same way). */
const PROPAGATE_BATCH = 1024;
/** Redis's SPOP_MOVE_STRATEGY_MUL: SPOP with a count pops one by one while few are popped. */
const SPOP_MOVE_STRATEGY_MUL = 5;

// ---- lookups ----------------------------------------------------------------------------------

/** The set at `key` for a read: the set, null when missing, undefined after replying WRONGTYPE. */
function readSet(c: CommandContext, key: string): SetValue | null | undefined {
  return readOfType(c, key, SetValue);
}

/** The same for a write (lookupWrite: no hit/miss stats, the pre-write hook). */
function writeSet(c: CommandContext, key: string): SetValue | null | undefined {
  return writeOfType(c, key, SetValue);
}

/**
 * The sets at argv[from..to) (missing keys are null), every key type-checked first as Redis
 * 7.0 does; undefined after replying WRONGTYPE.
 */
function lookupSets(c: CommandContext, argv: readonly string[], from: number, to: number, write: boolean): Array<SetValue | null> | undefined {
  const db = c.db;
  const sets: Array<SetValue | null> = [];
  for (let i = from; i < to; i++) {
    const e = write ? db.writeValue(argv[i]) : db.readValue(argv[i]);
    if (e === undefined) sets.push(null);
    else if (e instanceof SetValue) sets.push(e);
    else {
      c.reply.error(E.WRONGTYPE);
      return undefined;
    }
  }
  return sets;
}

/**
 * Propagates `cmd key m1 m2 ...` in batches of PROPAGATE_BATCH members, after `first` when
 * given, all as one atomic group of the log (a consumer never sees half of it).
 */
function propagateMembers(c: CommandContext, first: string[] | null, cmd: string, key: string, members: Iterable<string>): void {
  const log = c.server.log;
  log.beginGroup();
  try {
    if (first !== null) c.propagate(first);
    let batch: string[] = [cmd, key];
    for (const m of members) {
      batch.push(m);
      if (batch.length === PROPAGATE_BATCH + 2) {
        c.propagate(batch);
        batch = [cmd, key];
      }
    }
    if (batch.length > 2) c.propagate(batch);
  } finally {
    log.endGroup();
  }
}

// ---- SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS --------------------------------------------

function sadd(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  let s = writeSet(c, key);
  if (s === undefined) return;
  if (s === null) {
    // setKey, not add: see createHash in hashes.ts (a replica's expired-but-present key).
    s = new SetValue();
    c.db.setKey(key, s);
  }
  const cfg = c.server.config;
  let added = 0;
  for (let i = 2; i < argv.length; i++) {
    if (s.add(argv[i], cfg)) added++;
  }
  if (added > 0) {
    c.notify(NOTIFY.SET, 'sadd', key);
    c.propagate(argv);
  }
  c.reply.int(added);
}

function srem(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const s = writeSet(c, key);
  if (s === undefined) return;
  if (s === null) return c.reply.int(0);
  let removed = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (s.delete(argv[i])) {
      removed++;
      if (s.size === 0) {
        c.db.delete(key);
        keyRemoved = true;
        break;
      }
    }
  }
  if (removed > 0) {
    c.notify(NOTIFY.SET, 'srem', key);
    if (keyRemoved) c.notify(NOTIFY.GENERIC, 'del', key);
    c.propagate(argv);
  }
  c.reply.int(removed);
}

function scard(c: CommandContext, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  c.reply.int(s === null ? 0 : s.size);
}

function sismember(c: CommandContext, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  c.reply.int(s !== null && s.has(argv[2]) ? 1 : 0);
}

function smismember(c: CommandContext, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  const r = c.reply;
  r.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) r.int(s !== null && s.has(argv[i]) ? 1 : 0);
}

/** Replies a whole set (RESP3 set type) in Redis's order. */
function replySet(c: CommandContext, s: SetValue): void {
  const r = c.reply;
  r.set(s.size);
  for (const m of s.ordered()) r.bulk(m);
}

function smembers(c: CommandContext, argv: string[]): void {
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  if (s === null) return c.reply.set(0);
  replySet(c, s);
}

// ---- SPOP SRANDMEMBER ---------------------------------------------------------------------------

function spop(c: CommandContext, argv: string[]): void {
  if (argv.length > 3) return c.reply.error(E.SYNTAX);
  if (argv.length === 3) return spopWithCount(c, argv);
  const key = argv[1];
  const s = writeSet(c, key);
  if (s === undefined) return;
  if (s === null) return c.reply.nullBulk();
  const m = s.randomMember();
  s.delete(m);
  c.notify(NOTIFY.SET, 'spop', key);
  if (s.size === 0) {
    c.db.delete(key);
    c.notify(NOTIFY.GENERIC, 'del', key);
  }
  c.propagate(['SREM', key, m]);
  c.reply.bulk(m);
}

function spopWithCount(c: CommandContext, argv: string[]): void {
  // getPositiveLongFromObjectOrReply: any bad count, not only a negative one, is "must be positive".
  const l = parseIndex(argv[2]);
  if (l === null || l < 0) return c.reply.error(E.OUT_OF_RANGE_POSITIVE);
  const key = argv[1];
  const s = writeSet(c, key);
  if (s === undefined) return;
  const r = c.reply;
  if (s === null || l === 0) return r.set(0);
  const size = s.size;
  if (l >= size) {
    // Everything: reply the whole set and delete the key, propagated as DEL.
    replySet(c, s);
    c.db.delete(key);
    c.notify(NOTIFY.SET, 'spop', key);
    c.notify(NOTIFY.GENERIC, 'del', key);
    c.propagate(['DEL', key]);
    return;
  }
  let popped: string[];
  const remaining = size - l;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > l) {
    // Few popped: pick and remove them one by one (O(1) each).
    popped = [];
    for (let i = 0; i < l; i++) {
      const m = s.randomMember();
      s.delete(m);
      popped.push(m);
    }
  } else {
    // Most popped: pick the few to keep, pop the rest.
    const keep = new Set(sampleDistinctOf(size, remaining, () => Array.from(s.set), () => s.randomMember()));
    popped = [];
    for (const m of s.set) if (!keep.has(m)) popped.push(m);
    for (let i = 0; i < popped.length; i++) s.delete(popped[i]);
  }
  c.notify(NOTIFY.SET, 'spop', key);
  propagateMembers(c, null, 'SREM', key, popped);
  r.set(popped.length);
  for (let i = 0; i < popped.length; i++) r.bulk(popped[i]);
}

function srandmember(c: CommandContext, argv: string[]): void {
  if (argv.length > 3) return c.reply.error(E.SYNTAX);
  const r = c.reply;
  if (argv.length === 2) {
    const s = readSet(c, argv[1]);
    if (s === undefined) return;
    if (s === null) return r.nullBulk();
    return r.bulk(s.randomMember());
  }
  const l = parseRandomCount(argv[2]);
  if (typeof l === 'string') return r.error(l);
  const count = randomCount(l, false) as number;
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  if (s === null || count === 0) return r.array(0);
  if (count < 0) {
    // Repeats allowed: -count independent uniform picks.
    const n = -count;
    r.array(n);
    for (let i = 0; i < n; i++) r.bulk(s.randomMember());
    return;
  }
  if (count >= s.size) {
    r.array(s.size);
    for (const m of s.ordered()) r.bulk(m);
    return;
  }
  r.bulks(sampleDistinctOf(s.size, count, () => Array.from(s.set), () => s.randomMember()));
}

// ---- SMOVE --------------------------------------------------------------------------------------

function smove(c: CommandContext, argv: string[]): void {
  const db = c.db;
  const srcKey = argv[1];
  const dstKey = argv[2];
  const member = argv[3];
  const src = db.writeValue(srcKey);
  const de = db.writeValue(dstKey);
  if (src === undefined) return c.reply.int(0);
  if (!(src instanceof SetValue)) return c.reply.error(E.WRONGTYPE);
  let dst: SetValue | null = null;
  if (de !== undefined) {
    if (!(de instanceof SetValue)) return c.reply.error(E.WRONGTYPE);
    dst = de;
  }
  if (src === dst) return c.reply.int(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return c.reply.int(0);
  c.notify(NOTIFY.SET, 'srem', srcKey);
  if (src.size === 0) {
    db.delete(srcKey);
    c.notify(NOTIFY.GENERIC, 'del', srcKey);
  }
  if (dst === null) {
    dst = new SetValue();
    db.setKey(dstKey, dst);
  }
  if (dst.add(member, c.server.config)) c.notify(NOTIFY.SET, 'sadd', dstKey);
  c.propagate(argv);
  c.reply.int(1);
}

// ---- SINTER SINTERCARD SINTERSTORE ------------------------------------------------------------

/**
 * The intersection, walking the smallest set (ties: the earlier key, as Redis's stable qsort)
 * and probing the others; stops after `limit` members when limit > 0. Calls `emit` per member
 * unless it is null (SINTERCARD counts only). Returns how many members.
 */
function intersect(sets: readonly SetValue[], limit: number, out: string[] | null): number {
  const sorted = sets.slice().sort((a, b) => a.size - b.size);
  const first = sorted[0];
  let n = 0;
  outer: for (const m of first.ordered()) {
    for (let j = 1; j < sorted.length; j++) {
      const s = sorted[j];
      if (s !== first && !s.has(m)) continue outer;
    }
    if (out !== null) out.push(m);
    n++;
    if (n === limit) break;
  }
  return n;
}

function sinter(c: CommandContext, argv: string[]): void {
  const sets = lookupSets(c, argv, 1, argv.length, false);
  if (sets === undefined) return;
  const r = c.reply;
  if (sets.includes(null)) return r.set(0);
  const out: string[] = [];
  intersect(sets as SetValue[], 0, out);
  r.set(out.length);
  for (let i = 0; i < out.length; i++) r.bulk(out[i]);
}

/** SINTERCARD's numkeys: "numkeys should be greater than 0" for anything but 1..LONG_MAX. */
function parseNumkeys(s: string): number | null {
  const n = parseIndex(s);
  return n === null || n < 1 ? null : n;
}

function sintercardKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 1);
}

function sintercard(c: CommandContext, argv: string[]): void {
  const numkeys = parseNumkeys(argv[1]);
  if (numkeys === null) return c.reply.error(E.NUMKEYS_POSITIVE);
  if (numkeys > argv.length - 2) return c.reply.error(E.NUMKEYS_TOO_MANY);
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (argv[i].toLowerCase() === 'limit' && i + 1 < argv.length) {
      const l = parseInt64(argv[++i]);
      if (l === null || l < 0) return c.reply.error(E.LIMIT_NEGATIVE);
      limit = typeof l === 'bigint' ? Number.MAX_SAFE_INTEGER : l;
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }
  const sets = lookupSets(c, argv, 2, 2 + numkeys, false);
  if (sets === undefined) return;
  if (sets.includes(null)) return c.reply.int(0);
  c.reply.int(intersect(sets as SetValue[], limit, null));
}

/**
 * Stores a *STORE result at `dst` (replacing whatever was there, TTL included, as setKey does),
 * or deletes `dst` when the result is empty; notifies `event` ("sinterstore", "sunionstore",
 * "sdiffstore") or "del", propagates the effect and replies the cardinality.
 */
function storeResult(c: CommandContext, event: string, dst: string, result: SetValue): void {
  const db = c.db;
  const existed = db.lookupWrite(dst) >= 0;
  if (result.size === 0) {
    if (existed) {
      db.delete(dst);
      c.notify(NOTIFY.GENERIC, 'del', dst);
      c.propagate(['DEL', dst]);
    }
    return c.reply.int(0);
  }
  db.setKey(dst, result);
  c.notify(NOTIFY.SET, event, dst);
  propagateMembers(c, existed ? ['DEL', dst] : null, 'SADD', dst, result.set);
  c.reply.int(result.size);
}

function sinterstore(c: CommandContext, argv: string[]): void {
  const sets = lookupSets(c, argv, 2, argv.length, true);
  if (sets === undefined) return;
  const result = new SetValue();
  if (!sets.includes(null)) {
    const out: string[] = [];
    intersect(sets as SetValue[], 0, out);
    const cfg = c.server.config;
    for (let i = 0; i < out.length; i++) result.add(out[i], cfg);
  }
  storeResult(c, 'sinterstore', argv[1], result);
}

// ---- SUNION SDIFF and their STOREs ---------------------------------------------------------------

/** Redis's sunionDiffGenericCommand, building the result as a new set (its encoding included). */
function unionDiff(c: CommandContext, sets: ReadonlyArray<SetValue | null>, diff: boolean): SetValue {
  const cfg = c.server.config;
  const dst = new SetValue();
  if (!diff) {
    for (const s of sets) {
      if (s === null) continue;
      for (const m of s.set) dst.add(m, cfg);
    }
    return dst;
  }
  const first = sets[0];
  if (first === null) return dst;
  // Redis picks between two algorithms by estimated work; the choice shows in the result's
  // encoding (algorithm 2 first copies the whole first set), so it is mirrored.
  let one = 0;
  let two = 0;
  for (const s of sets) {
    if (s === null) continue;
    one += first.size;
    two += s.size;
  }
  one = Math.floor(one / 2);
  if (one <= two) {
    outer: for (const m of first.set) {
      for (let j = 1; j < sets.length; j++) {
        const s = sets[j];
        if (s === null) continue;
        if (s === first || s.has(m)) continue outer;
      }
      dst.add(m, cfg);
    }
  } else {
    for (const m of first.set) dst.add(m, cfg);
    for (let j = 1; j < sets.length && dst.size > 0; j++) {
      const s = sets[j];
      if (s === null) continue;
      for (const m of s.set) dst.delete(m);
    }
  }
  return dst;
}

function sunionDiff(c: CommandContext, argv: string[], diff: boolean): void {
  const sets = lookupSets(c, argv, 1, argv.length, false);
  if (sets === undefined) return;
  replySet(c, unionDiff(c, sets, diff));
}

function sunionDiffStore(c: CommandContext, argv: string[], diff: boolean): void {
  const sets = lookupSets(c, argv, 2, argv.length, true);
  if (sets === undefined) return;
  storeResult(c, diff ? 'sdiffstore' : 'sunionstore', argv[1], unionDiff(c, sets, diff));
}

function sunion(c: CommandContext, argv: string[]): void {
  sunionDiff(c, argv, false);
}
function sdiff(c: CommandContext, argv: string[]): void {
  sunionDiff(c, argv, true);
}
function sunionstore(c: CommandContext, argv: string[]): void {
  sunionDiffStore(c, argv, false);
}
function sdiffstore(c: CommandContext, argv: string[]): void {
  sunionDiffStore(c, argv, true);
}

// ---- SSCAN ----------------------------------------------------------------------------------------

function sscan(c: CommandContext, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return c.reply.error(E.INVALID_CURSOR);
  const s = readSet(c, argv[1]);
  if (s === undefined) return;
  // Redis checks the key before the options: a missing key answers an empty scan whatever follows.
  if (s === null) return replyScan(c, 0, []);
  const err = scanArgsError(parseScanArgs(argv, 3, SCAN_ARGS));
  if (err !== null) return c.reply.error(err);
  const match = SCAN_ARGS.match === null ? null : compileMatcher(SCAN_ARGS.match);
  let out: string[] = [];
  let next = 0;
  if (s.intset) {
    // An intset is returned whole in one call, whatever the cursor and COUNT (as Redis).
    for (const m of s.ordered()) out.push(m);
  } else {
    next = scanStep(s, s.set, cursor, SCAN_ARGS.count, out);
  }
  if (match !== null) out = out.filter(match);
  replyScan(c, next, out);
}

export const setCommands: CommandSpec[] = [
  def('sadd', -3, 'write denyoom fast', [1, 1, 1], '@set', sadd),
  def('srem', -3, 'write fast', [1, 1, 1], '@set', srem),
  def('smembers', 2, 'readonly', [1, 1, 1], '@set', smembers, { tips: ['nondeterministic_output_order'] }),
  def('sismember', 3, 'readonly fast', [1, 1, 1], '@set', sismember),
  def('smismember', -3, 'readonly fast', [1, 1, 1], '@set', smismember),
  def('scard', 2, 'readonly fast', [1, 1, 1], '@set', scard),
  def('spop', -2, 'write fast', [1, 1, 1], '@set', spop, { tips: ['nondeterministic_output'] }),
  def('srandmember', -2, 'readonly', [1, 1, 1], '@set', srandmember, { tips: ['nondeterministic_output'] }),
  def('smove', 4, 'write fast', [1, 2, 1], '@set', smove),
  def('sinter', -2, 'readonly', [1, -1, 1], '@set', sinter, { tips: ['nondeterministic_output_order'] }),
  def('sintercard', -3, 'readonly movablekeys', [0, 0, 0], '@set', sintercard, { getKeys: sintercardKeys }),
  def('sunion', -2, 'readonly', [1, -1, 1], '@set', sunion, { tips: ['nondeterministic_output_order'] }),
  def('sdiff', -2, 'readonly', [1, -1, 1], '@set', sdiff, { tips: ['nondeterministic_output_order'] }),
  def('sinterstore', -3, 'write denyoom', [1, -1, 1], '@set', sinterstore),
  def('sunionstore', -3, 'write denyoom', [1, -1, 1], '@set', sunionstore),
  def('sdiffstore', -3, 'write denyoom', [1, -1, 1], '@set', sdiffstore),
  def('sscan', -3, 'readonly', [1, 1, 1], '@set', sscan, { tips: ['nondeterministic_output'] }),
];
