// Sorted-set commands (Redis 7.0 t_zset.c): ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
// ZREVRANK ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE
// ZRANGEBYLEX ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX
// ZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN, and
// the blocking BZPOPMIN BZPOPMAX BZMPOP, over types/zset-value.ts.
//
// Invariants: a zset key never holds an empty set (the command that removes the last member
// deletes the key; a *STORE with an empty result deletes the destination); every argument is
// validated and every key type-checked before anything changes, in Redis's order (so the same
// bad command gets the same error). Canonical mutations, replayable on an empty keyspace:
//   ZADD without NX/XX/GT/LT/INCR and ZREM, ZREMRANGEBY* propagate as they are (deterministic);
//   ZADD with any of those, ZINCRBY → ZADD key <final score> member of what actually changed;
//   ZPOPMIN/ZPOPMAX/ZMPOP/BZPOP* → ZPOPMIN|ZPOPMAX key <number popped> (the state being
//   identical, it pops the same members); *STORE → [DEL dst] + ZADD dst <result> as one atomic
//   group; a no-op propagates nothing. Scores in propagated ZADDs are "%.17g" text, which
//   strtod reads back to the same double.
//
// Hot paths (ZADD, ZINCRBY, ZRANK, ZREVRANGE WITHSCORES on a million members) are O(log n + m)
// and allocate no closures: range replies are written by one module-level visitor whose state
// is set before each walk (handlers run one at a time and the walk never calls out).

import { readOfType, writeOfType } from './lookup.js';
import { def, numkeysKeys } from './table.js';
import { E } from './errors.js';
import type { BlockedRequest, CommandContext, CommandSpec } from './types.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { ZSetValue } from '../types/zset-value.js';
import { SetValue } from '../types/set.js';
import { parseLexRange, parseScoreRange, type LexRange, type ScoreRange } from '../types/zset-range.js';
import { parseScanArgs, parseScanCursor, scanStep } from '../types/scan-cursor.js';
import { formatScore, parseFloatStrict, parseIndex, parseInt64 } from '../util/numbers.js';
import { compileMatcher } from '../util/glob.js';
import { parseRandomCount, randomCount, replyScan, scanArgsError, SCAN_ARGS } from './hashes.js';
import { parseBlockTimeout } from './lists.js';
import { NOTIFY } from '../config.js';

/** Members per propagated ZADD of a *STORE result (pairs), as Redis batches large effects. */
const PROPAGATE_BATCH = 1024;

// ---- lookups ------------------------------------------------------------------------------------

/** The zset at `key` for a read: the set, null when missing, undefined after replying WRONGTYPE. */
function readZset(c: CommandContext, key: string): ZSetValue | null | undefined {
  return readOfType(c, key, ZSetValue);
}

/** The same for a write (lookupWrite: no hit/miss stats, tells a running snapshot first). */
function writeZset(c: CommandContext, key: string): ZSetValue | null | undefined {
  return writeOfType(c, key, ZSetValue);
}

/** Deletes `key` once its zset is empty (every removal path ends here), with its "del" event. */
function deleteIfEmpty(c: CommandContext, key: string, z: ZSetValue): void {
  if (z.size === 0) {
    c.db.delete(key);
    c.notify(NOTIFY.GENERIC, 'del', key);
  }
}

// ---- reply emission (one preallocated visitor) -----------------------------------------------------

let emitOut: ReplyWriter | null = null;
let emitScores = false;
let emitPairs = false;

/** Writes one range element: member, or member + score (a [member, score] pair in RESP3). */
function emitVisitor(member: string, score: number): void {
  const r = emitOut as ReplyWriter;
  if (emitPairs) r.array(2);
  r.bulk(member);
  if (emitScores) r.double(formatScore(score));
}

/** Writes the header of an n-element range reply and arms emitVisitor. */
function beginEmit(r: ReplyWriter, n: number, withScores: boolean): void {
  emitOut = r;
  emitScores = withScores;
  emitPairs = withScores && r.resp === 3;
  r.array(withScores && r.resp !== 3 ? n * 2 : n);
}

// Scratch buffers of a collecting walk (lex ranges, *STORE results): reset before each use.
const COLLECT_M: string[] = [];
const COLLECT_S: number[] = [];

function collectVisitor(member: string, score: number): void {
  COLLECT_M.push(member);
  COLLECT_S.push(score);
}

function resetCollect(): void {
  COLLECT_M.length = 0;
  COLLECT_S.length = 0;
}

/** Replies what the last collecting walk gathered, and clears it. */
function emitCollected(r: ReplyWriter, withScores: boolean): void {
  const n = COLLECT_M.length;
  beginEmit(r, n, withScores);
  for (let i = 0; i < n; i++) emitVisitor(COLLECT_M[i], COLLECT_S[i]);
  resetCollect();
}

// ---- *STORE results -------------------------------------------------------------------------------

/** Propagates `ZADD key s1 m1 s2 m2 ...` for every member of `z`, in batches. */
function propagateZadd(c: CommandContext, key: string, z: ZSetValue): void {
  let batch: string[] = ['ZADD', key];
  for (const [m, s] of z.entries()) {
    batch.push(formatScore(s), m);
    if (batch.length === PROPAGATE_BATCH * 2 + 2) {
      c.propagate(batch);
      batch = ['ZADD', key];
    }
  }
  if (batch.length > 2) c.propagate(batch);
}

/**
 * Stores a *STORE result at `dst` (replacing whatever was there, TTL included), or deletes
 * `dst` when the result is empty (or null); propagates the effect as one group (DEL + ZADD
 * batches) and replies the size. GEORADIUS/GEOSEARCHSTORE store through it too.
 */
export function storeResult(c: CommandContext, event: string, dst: string, result: ZSetValue | null): void {
  const db = c.db;
  const existed = db.lookupWrite(dst) >= 0;
  if (result === null || result.size === 0) {
    if (existed) {
      db.delete(dst);
      c.notify(NOTIFY.GENERIC, 'del', dst);
      c.propagate(['DEL', dst]);
    }
    return c.reply.int(0);
  }
  db.setKey(dst, result);
  c.notify(NOTIFY.ZSET, event, dst);
  c.server.blocking.signalKeyAsReady(c.dbIndex, dst);
  const log = c.server.log;
  log.beginGroup();
  try {
    if (existed) c.propagate(['DEL', dst]);
    propagateZadd(c, dst, result);
  } finally {
    log.endGroup();
  }
  c.reply.int(result.size);
}

/** The collected pairs, for ZSetValue.from. */
function* collectedPairs(): IterableIterator<[string, number]> {
  for (let i = 0; i < COLLECT_M.length; i++) yield [COLLECT_M[i], COLLECT_S[i]];
}

/**
 * A new zset of the pairs collected from `src`, with the encoding Redis gives a set built whole
 * (zsetConvertToListpackIfNeeded).
 */
function collectedToZset(c: CommandContext, src: ZSetValue): ZSetValue {
  // Members of a listpack source are substrings of its packed string: a skiplist result copies them.
  const z = ZSetValue.from(collectedPairs(), c.server.config, !src.big);
  resetCollect();
  return z;
}

// ---- ZADD ZINCRBY -----------------------------------------------------------------------------------

const ZADD_NX = 1;
const ZADD_XX = 2;
const ZADD_GT = 4;
const ZADD_LT = 8;
const ZADD_CH = 16;
const ZADD_INCR = 32;

const SCORES: number[] = [];

/** Redis's zaddGenericCommand (ZINCRBY is ZADD INCR with no room for options but the same parser). */
function zaddGeneric(c: CommandContext, argv: string[], flags: number): void {
  const key = argv[1];
  const argc = argv.length;
  let i = 2;
  for (; i < argc; i++) {
    const o = argv[i];
    // Options are 2-4 letters; scores rarely are, and a lower-cased copy is only made for those.
    if (o.length < 2 || o.length > 4) break;
    const l = o.toLowerCase();
    if (l === 'nx') flags |= ZADD_NX;
    else if (l === 'xx') flags |= ZADD_XX;
    else if (l === 'ch') flags |= ZADD_CH;
    else if (l === 'incr') flags |= ZADD_INCR;
    else if (l === 'gt') flags |= ZADD_GT;
    else if (l === 'lt') flags |= ZADD_LT;
    else break;
  }
  const scoreIdx = i;
  const nx = (flags & ZADD_NX) !== 0;
  const xx = (flags & ZADD_XX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  let elements = argc - scoreIdx;
  if (elements % 2 !== 0 || elements === 0) return c.reply.error(E.SYNTAX);
  elements /= 2;
  if (nx && xx) return c.reply.error(E.ZADD_XX_NX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return c.reply.error(E.ZADD_GT_LT_NX);
  if (incr && elements > 1) return c.reply.error(E.ZADD_INCR_PAIR);
  // Every score is parsed before anything changes: the command runs fully or not at all.
  SCORES.length = elements;
  for (let j = 0; j < elements; j++) {
    const s = parseFloatStrict(argv[scoreIdx + j * 2]);
    if (s === null) return c.reply.error(E.NOT_FLOAT);
    SCORES[j] = s;
  }
  let z = writeZset(c, key);
  if (z === undefined) return;
  const r = c.reply;
  if (z === null) {
    if (xx) return incr ? r.nullBulk() : r.int(0);
    z = new ZSetValue();
    c.db.add(key, z);
    c.server.blocking.signalKeyAsReady(c.dbIndex, key);
  }
  const cfg = c.server.config;
  // What changed, for the propagated ZADD when options made the outcome depend on the state.
  const plain = (flags & (ZADD_NX | ZADD_XX | ZADD_GT | ZADD_LT | ZADD_INCR)) === 0;
  let changes: string[] | null = null;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  for (let j = 0; j < elements; j++) {
    const member = argv[scoreIdx + 1 + j * 2];
    score = SCORES[j];
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (score !== score) {
          // Only a single pair reaches here, and it changed nothing.
          r.error(E.ZSCORE_NAN);
          return;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      processed++;
      if (score !== cur) {
        z.update(member, score, cur, cfg);
        updated++;
        if (!plain) (changes ??= ['ZADD', key]).push(formatScore(score), member);
      }
    } else if (!xx) {
      z.add(member, score, cfg);
      added++;
      processed++;
      if (!plain) (changes ??= ['ZADD', key]).push(formatScore(score), member);
    }
  }
  if (added + updated > 0) {
    c.notify(NOTIFY.ZSET, incr ? 'zincr' : 'zadd', key);
    c.propagate(plain ? argv : (changes as string[]));
  }
  if (incr) {
    if (processed > 0) r.double(formatScore(score));
    else r.nullBulk();
  } else {
    r.int((flags & ZADD_CH) !== 0 ? added + updated : added);
  }
}

function zadd(c: CommandContext, argv: string[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrby(c: CommandContext, argv: string[]): void {
  zaddGeneric(c, argv, ZADD_INCR);
}

// ---- ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ------------------------------------------------------

function zrem(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const z = writeZset(c, key);
  if (z === undefined) return;
  if (z === null) return c.reply.int(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (z.delete(argv[i])) {
      deleted++;
      if (z.size === 0) break;
    }
  }
  if (deleted > 0) {
    c.notify(NOTIFY.ZSET, 'zrem', key);
    deleteIfEmpty(c, key, z);
    c.propagate(argv);
  }
  c.reply.int(deleted);
}

function zcard(c: CommandContext, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  c.reply.int(z === null ? 0 : z.size);
}

function zscore(c: CommandContext, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const s = z === null ? undefined : z.score(argv[2]);
  if (s === undefined) c.reply.nullBulk();
  else c.reply.double(formatScore(s));
}

function zmscore(c: CommandContext, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const r = c.reply;
  r.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z === null ? undefined : z.score(argv[i]);
    if (s === undefined) r.nullBulk();
    else r.double(formatScore(s));
  }
}

function zrankGeneric(c: CommandContext, argv: string[], reverse: boolean): void {
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  const rank = z === null ? undefined : z.rank(argv[2], reverse);
  if (rank === undefined) c.reply.nullBulk();
  else c.reply.int(rank);
}

function zrank(c: CommandContext, argv: string[]): void {
  zrankGeneric(c, argv, false);
}

function zrevrank(c: CommandContext, argv: string[]): void {
  zrankGeneric(c, argv, true);
}

// ---- ZCOUNT ZLEXCOUNT -----------------------------------------------------------------------------

function zcount(c: CommandContext, argv: string[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) return c.reply.error(E.MIN_GT_MAX);
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  c.reply.int(z === null ? 0 : z.countByScore(range));
}

function zlexcount(c: CommandContext, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) return c.reply.error(E.LEX_RANGE);
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  c.reply.int(z === null ? 0 : z.countByLex(range));
}

// ---- ZRANGE and its family ---------------------------------------------------------------------------

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;
const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;

/**
 * Redis's zrangeGenericCommand. `src` is the index of the source key in argv (min and max
 * follow it); `store` is the destination's index for ZRANGESTORE, or 0. `rangeType` and
 * `direction` are fixed by the legacy commands (ZREVRANGE, ZRANGEBYSCORE...) and AUTO for
 * ZRANGE/ZRANGESTORE, whose options then choose them.
 */
function zrangeGeneric(c: CommandContext, argv: string[], src: number, store: number, rangeType: number, direction: number): void {
  const argc = argv.length;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = src + 3; j < argc; j++) {
    const left = argc - j - 1;
    const o = argv[j].toLowerCase();
    if (store === 0 && o === 'withscores') {
      withScores = true;
    } else if (o === 'limit' && left >= 2) {
      const off = parseIndex(argv[j + 1]);
      if (off === null) return c.reply.error(E.NOT_INTEGER);
      const lim = parseIndex(argv[j + 2]);
      if (lim === null) return c.reply.error(E.NOT_INTEGER);
      offset = off;
      limit = lim;
      j += 2;
    } else if (direction === DIR_AUTO && o === 'rev') {
      direction = DIR_REVERSE;
    } else if (rangeType === RANGE_AUTO && o === 'bylex') {
      rangeType = RANGE_LEX;
    } else if (rangeType === RANGE_AUTO && o === 'byscore') {
      rangeType = RANGE_SCORE;
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }
  if (direction === DIR_AUTO) direction = DIR_FORWARD;
  if (rangeType === RANGE_AUTO) rangeType = RANGE_RANK;
  // Redis tests `opt_limit != -1`: "LIMIT 5 -1" on a rank range passes (and is ignored).
  if (limit !== -1 && rangeType === RANGE_RANK) return c.reply.error(E.ZRANGE_LIMIT_RANK);
  if (withScores && rangeType === RANGE_LEX) return c.reply.error(E.ZRANGE_WITHSCORES_LEX);
  const reverse = direction === DIR_REVERSE;
  let minIdx = src + 1;
  let maxIdx = src + 2;
  if (reverse && rangeType !== RANGE_RANK) {
    minIdx = src + 2;
    maxIdx = src + 1;
  }
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (rangeType === RANGE_RANK) {
    const a = parseIndex(argv[minIdx]);
    if (a === null) return c.reply.error(E.NOT_INTEGER);
    const b = parseIndex(argv[maxIdx]);
    if (b === null) return c.reply.error(E.NOT_INTEGER);
    start = a;
    end = b;
  } else if (rangeType === RANGE_SCORE) {
    scoreRange = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (scoreRange === null) return c.reply.error(E.MIN_GT_MAX);
  } else {
    lexRange = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lexRange === null) return c.reply.error(E.LEX_RANGE);
  }
  const z = readZset(c, argv[src]);
  if (z === undefined) return;
  const r = c.reply;
  if (z === null) {
    if (store !== 0) storeResult(c, 'zrangestore', argv[store], new ZSetValue());
    else r.array(0);
    return;
  }
  if (rangeType === RANGE_RANK) {
    const llen = z.size;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      if (store !== 0) storeResult(c, 'zrangestore', argv[store], new ZSetValue());
      else r.array(0);
      return;
    }
    if (end >= llen) end = llen - 1;
    if (store !== 0) {
      resetCollect();
      z.rangeByRank(start, end, reverse, collectVisitor);
      storeResult(c, 'zrangestore', argv[store], collectedToZset(c, z));
      return;
    }
    beginEmit(r, end - start + 1, withScores);
    z.rangeByRank(start, end, reverse, emitVisitor);
    return;
  }
  if (rangeType === RANGE_SCORE && store === 0) {
    // The skiplist is ordered by score, so the count is exact: O(log n) instead of a buffer.
    const inRange = z.countByScore(scoreRange as ScoreRange);
    let n = offset < 0 || offset >= inRange ? 0 : inRange - offset;
    if (limit >= 0 && limit < n) n = limit;
    beginEmit(r, n, withScores);
    if (n > 0) z.rangeByScore(scoreRange as ScoreRange, reverse, offset, limit, emitVisitor);
    return;
  }
  // Lex ranges (whose walk only means something when all scores are equal, so no count is
  // trusted) and stored score ranges are gathered first.
  resetCollect();
  if (rangeType === RANGE_SCORE) z.rangeByScore(scoreRange as ScoreRange, reverse, offset, limit, collectVisitor);
  else z.rangeByLex(lexRange as LexRange, reverse, offset, limit, collectVisitor);
  if (store !== 0) storeResult(c, 'zrangestore', argv[store], collectedToZset(c, z));
  else emitCollected(r, withScores);
}

function zrange(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 1, 0, RANGE_AUTO, DIR_AUTO);
}
function zrangestore(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 2, 1, RANGE_AUTO, DIR_AUTO);
}
function zrevrange(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 1, 0, RANGE_RANK, DIR_REVERSE);
}
function zrangebyscore(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 1, 0, RANGE_SCORE, DIR_FORWARD);
}
function zrevrangebyscore(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 1, 0, RANGE_SCORE, DIR_REVERSE);
}
function zrangebylex(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 1, 0, RANGE_LEX, DIR_FORWARD);
}
function zrevrangebylex(c: CommandContext, argv: string[]): void {
  zrangeGeneric(c, argv, 1, 0, RANGE_LEX, DIR_REVERSE);
}

// ---- ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ------------------------------------------------

function zremrangeGeneric(c: CommandContext, argv: string[], rangeType: number): void {
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (rangeType === RANGE_RANK) {
    const a = parseIndex(argv[2]);
    if (a === null) return c.reply.error(E.NOT_INTEGER);
    const b = parseIndex(argv[3]);
    if (b === null) return c.reply.error(E.NOT_INTEGER);
    start = a;
    end = b;
  } else if (rangeType === RANGE_SCORE) {
    scoreRange = parseScoreRange(argv[2], argv[3]);
    if (scoreRange === null) return c.reply.error(E.MIN_GT_MAX);
  } else {
    lexRange = parseLexRange(argv[2], argv[3]);
    if (lexRange === null) return c.reply.error(E.LEX_RANGE);
  }
  const key = argv[1];
  const z = writeZset(c, key);
  if (z === undefined) return;
  if (z === null) return c.reply.int(0);
  let removed: number;
  let lexRemoved: string[] | null = null;
  if (rangeType === RANGE_RANK) {
    const llen = z.size;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return c.reply.int(0);
    if (end >= llen) end = llen - 1;
    removed = z.deleteRangeByRank(start, end).length;
  } else if (rangeType === RANGE_SCORE) {
    removed = z.deleteRangeByScore(scoreRange as ScoreRange).length;
  } else {
    lexRemoved = z.deleteRangeByLex(lexRange as LexRange);
    removed = lexRemoved.length;
  }
  if (removed > 0) {
    c.notify(NOTIFY.ZSET, rangeType === RANGE_RANK ? 'zremrangebyrank' : rangeType === RANGE_SCORE ? 'zremrangebyscore' : 'zremrangebylex', key);
    deleteIfEmpty(c, key, z);
    if (lexRemoved === null) c.propagate(argv);
    else {
      // A lex range over members with different scores is unspecified (Redis docs): which
      // members it hits depends on the skiplist's random layout, so replaying the command could
      // remove others. Propagate the effect: ZREM of exactly what went, in bounded batches.
      const log = c.server.log;
      log.beginGroup();
      for (let i = 0; i < lexRemoved.length; i += 1024) c.propagate(['ZREM', key, ...lexRemoved.slice(i, i + 1024)]);
      log.endGroup();
    }
  }
  c.reply.int(removed);
}

function zremrangebyrank(c: CommandContext, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_RANK);
}
function zremrangebyscore(c: CommandContext, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_SCORE);
}
function zremrangebylex(c: CommandContext, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_LEX);
}

// ---- ZPOPMIN ZPOPMAX ZMPOP (and the pop of BZPOP*) ---------------------------------------------------

/**
 * Pops up to `count` members from the zset at `key` (which must exist and be a zset) and
 * replies them in one of Redis's four shapes:
 *   !nested && !emitKey: flat [m, s, m, s ...]         (ZPOPMIN/ZPOPMAX, RESP2 or no COUNT)
 *   nested && !emitKey:  [[m, s], ...]                 (ZPOPMIN/ZPOPMAX COUNT in RESP3)
 *   !nested && emitKey:  [key, m, s ...]                (BZPOPMIN/BZPOPMAX)
 *   nested && emitKey:   [key, [[m, s], ...]]           (ZMPOP/BZMPOP)
 * Deletes the key when emptied and propagates ZPOPMIN|ZPOPMAX key <popped>.
 */
function zpopAndReply(c: CommandContext, key: string, z: ZSetValue, max: boolean, count: number, emitKey: boolean, nested: boolean): void {
  const popped = max ? z.popMax(count) : z.popMin(count);
  const n = popped.length;
  const r = c.reply;
  if (!emitKey) r.array(nested ? n : n * 2);
  else if (!nested) {
    r.array(n * 2 + 1);
    r.bulk(key);
  } else {
    r.array(2);
    r.bulk(key);
    r.array(n);
  }
  for (let i = 0; i < n; i++) {
    const p = popped[i];
    if (nested) r.array(2);
    r.bulk(p[0]);
    r.double(formatScore(p[1]));
  }
  c.notify(NOTIFY.ZSET, max ? 'zpopmax' : 'zpopmin', key);
  deleteIfEmpty(c, key, z);
  c.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(n)]);
}

/**
 * Redis's genericZpopCommand: the first existing key among argv[from..to) is popped; keys are
 * type-checked up to and including it. Replies an empty array, or a null array when
 * `nilWhenEmpty`, if none exists. `count` -1 = a single pop without COUNT.
 */
function zpopGeneric(c: CommandContext, argv: string[], from: number, to: number, max: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean): void {
  const db = c.db;
  let z: ZSetValue | null = null;
  let key = '';
  for (let i = from; i < to; i++) {
    const e = db.writeValue(argv[i]);
    if (e === undefined) continue;
    if (!(e instanceof ZSetValue)) return c.reply.error(E.WRONGTYPE);
    z = e;
    key = argv[i];
    break;
  }
  if (z === null) {
    if (nilWhenEmpty) c.reply.nullArray();
    else c.reply.array(0);
    return;
  }
  if (count === 0) return c.reply.array(0);
  zpopAndReply(c, key, z, max, count === -1 ? 1 : count, emitKey, nested);
}

function zpopMinMax(c: CommandContext, argv: string[], max: boolean): void {
  if (argv.length > 3) return c.reply.error(E.SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    const n = parseIndex(argv[2]);
    if (n === null || n < 0) return c.reply.error(E.OUT_OF_RANGE_POSITIVE);
    count = n;
  }
  // RESP3 nests [member, score] pairs only when a COUNT was given.
  zpopGeneric(c, argv, 1, 2, max, false, count, c.reply.resp === 3 && count !== -1, false);
}

function zpopmin(c: CommandContext, argv: string[]): void {
  zpopMinMax(c, argv, false);
}
function zpopmax(c: CommandContext, argv: string[]): void {
  zpopMinMax(c, argv, true);
}

/** ZMPOP/BZMPOP arguments after numkeys' position; null after replying an error. */
interface MpopArgs {
  numkeys: number;
  max: boolean;
  count: number;
}

/** Redis's zmpopGenericCommand parsing (numkeys at argv[idx]). */
function parseMpopArgs(c: CommandContext, argv: string[], idx: number): MpopArgs | null {
  const numkeys = parseIndex(argv[idx]);
  if (numkeys === null || numkeys < 1) {
    c.reply.error(E.NUMKEYS_POSITIVE);
    return null;
  }
  const whereIdx = idx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.reply.error(E.SYNTAX);
    return null;
  }
  const where = argv[whereIdx].toLowerCase();
  if (where !== 'min' && where !== 'max') {
    c.reply.error(E.SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && more > 0 && argv[j].toLowerCase() === 'count') {
      j++;
      const n = parseIndex(argv[j]);
      if (n === null || n < 1) {
        c.reply.error(E.COUNT_POSITIVE);
        return null;
      }
      count = n;
    } else {
      c.reply.error(E.SYNTAX);
      return null;
    }
  }
  return { numkeys, max: where === 'max', count: count === -1 ? 1 : count };
}

function zmpop(c: CommandContext, argv: string[]): void {
  const a = parseMpopArgs(c, argv, 1);
  if (a === null) return;
  zpopGeneric(c, argv, 2, 2 + a.numkeys, a.max, true, a.count, true, true);
}

function zmpopKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 1);
}

function bzmpopKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 2);
}

// ---- BZPOPMIN BZPOPMAX BZMPOP --------------------------------------------------------------------

/**
 * A blocked BZPOPMIN/BZPOPMAX (count -1) or BZMPOP (count >= 1): its parsed arguments. Served by
 * server/blocking.ts, first blocked first served, when a key it waits for holds a zset.
 */
class ZsetWait implements BlockedRequest {
  readonly type = 'zset' as const;
  constructor(
    readonly max: boolean,
    readonly count: number,
  ) {}

  /** Redis's serveClientBlockedOnSortedSet: pops like the non-blocking form, key first. */
  serve(c: CommandContext, key: string): boolean {
    const z = c.db.writeValue(key);
    if (z === undefined || !(z instanceof ZSetValue) || z.size === 0) {
      throw Object.assign(new Error(`blocked client served from key ${JSON.stringify(key)} that holds no zset`), { code: 'BLOCKING_STATE' });
    }
    const mpop = this.count !== -1;
    zpopAndReply(c, key, z, this.max, mpop ? this.count : 1, true, mpop);
    return z.size > 0;
  }

  /** blocked.c replyToBlockedClientTimedOut: a null array (RESP3 null) for every zset command. */
  timedOut(c: CommandContext): void {
    c.reply.nullArray();
  }
}

/**
 * Redis's blockingGenericZpopCommand: keys argv[from, to) are type-checked in order up to the
 * first that holds a zset, which is popped at once; none → the client blocks (or, inside EXEC,
 * gets the timeout's null array). `count` -1 is BZPOPMIN/BZPOPMAX, else BZMPOP's COUNT.
 */
function blockingZpop(c: CommandContext, argv: string[], from: number, to: number, max: boolean, count: number, timeoutMs: number): void {
  const db = c.db;
  for (let i = from; i < to; i++) {
    const e = db.writeValue(argv[i]);
    if (e === undefined) continue;
    if (!(e instanceof ZSetValue)) return c.reply.error(E.WRONGTYPE);
    const mpop = count !== -1;
    zpopAndReply(c, argv[i], e, max, mpop ? count : 1, true, mpop);
    return;
  }
  const b = c.server.blocking;
  if (!b.canBlock(c)) return c.reply.nullArray();
  b.block(c, argv, from, to, timeoutMs, new ZsetWait(max, count));
}

function bzpopGeneric(c: CommandContext, argv: string[], max: boolean): void {
  const t = parseBlockTimeout(argv[argv.length - 1]);
  if (typeof t === 'string') return c.reply.error(t);
  blockingZpop(c, argv, 1, argv.length - 1, max, -1, t);
}

function bzpopmin(c: CommandContext, argv: string[]): void {
  bzpopGeneric(c, argv, false);
}
function bzpopmax(c: CommandContext, argv: string[]): void {
  bzpopGeneric(c, argv, true);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: arguments, then the timeout. */
function bzmpop(c: CommandContext, argv: string[]): void {
  const a = parseMpopArgs(c, argv, 2);
  if (a === null) return;
  const t = parseBlockTimeout(argv[1]);
  if (typeof t === 'string') return c.reply.error(t);
  blockingZpop(c, argv, 3, 3 + a.numkeys, a.max, a.count, t);
}

// ---- ZRANDMEMBER --------------------------------------------------------------------------------------

function zrandmember(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  if (argv.length === 2) {
    const z = readZset(c, argv[1]);
    if (z === undefined) return;
    if (z === null) return r.nullBulk();
    return r.bulk(z.randomEntry()[0]);
  }
  // Redis's order: the count, then the option, then the WITHSCORES range, then the key.
  const l = parseRandomCount(argv[2]);
  if (typeof l === 'string') return r.error(l);
  if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withscores')) return r.error(E.SYNTAX);
  const withScores = argv.length === 4;
  const count = randomCount(l, withScores);
  if (typeof count === 'string') return r.error(count);
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  if (z === null || count === 0) return r.array(0);
  const size = z.size;
  if (count < 0 || count === 1) {
    // Repeats allowed (CASE 1): independent uniform picks, each a random rank.
    const n = count < 0 ? -count : 1;
    beginEmit(r, n, withScores);
    for (let i = 0; i < n; i++) {
      const e = z.randomEntry();
      emitVisitor(e[0], e[1]);
    }
    return;
  }
  if (count >= size) {
    // The whole set (CASE 2), which Redis 7.0 walks from the tail: highest rank first.
    beginEmit(r, size, withScores);
    z.rangeByRank(0, size - 1, true, emitVisitor);
    return;
  }
  // Distinct ranks: a partial Fisher-Yates over all ranks when many are wanted (CASE 3),
  // else rejection of repeats (CASE 4).
  const ranks: number[] = [];
  if (count * 3 > size) {
    const all: number[] = new Array(size);
    for (let i = 0; i < size; i++) all[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
      ranks.push(all[i]);
    }
  } else {
    const seen = new Set<number>();
    while (seen.size < count) seen.add(Math.floor(Math.random() * size));
    for (const k of seen) ranks.push(k);
  }
  beginEmit(r, count, withScores);
  for (let i = 0; i < count; i++) {
    const e = z.at(ranks[i]) as [string, number];
    emitVisitor(e[0], e[1]);
  }
}

// ---- ZUNION ZINTER ZDIFF (+STORE) ZINTERCARD -----------------------------------------------------------

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;

const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

/** One input of a set operation: a zset, a plain set (every score 1), or missing (empty). */
interface OpSource {
  z: ZSetValue | null;
  s: SetValue | null;
  weight: number;
  size: number;
}

/** The score of `member` in a source, or undefined. */
function sourceScore(src: OpSource, member: string): number | undefined {
  if (src.z !== null) return src.z.score(member);
  if (src.s !== null) return src.s.has(member) ? 1 : undefined;
  return undefined;
}

/** zunionInterAggregate: SUM turns inf + -inf into 0, MIN/MAX ignore a NaN value. */
function aggregate(target: number, val: number, agg: number): number {
  if (agg === AGG_SUM) {
    const t = target + val;
    return t !== t ? 0 : t;
  }
  if (agg === AGG_MIN) return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * Redis's zunionInterDiffGenericCommand. `dstIdx` is the destination's index (0 = reply the
 * result), `numkeysIdx` where numkeys is; `cardOnly` for ZINTERCARD. `name` is the command's
 * name for the "at least 1 input key" error.
 */
function zsetOp(c: CommandContext, argv: string[], dstIdx: number, numkeysIdx: number, op: number, cardOnly: boolean, name: string): void {
  const argc = argv.length;
  const setnum = parseIndex(argv[numkeysIdx]);
  if (setnum === null) return c.reply.error(E.NOT_INTEGER);
  if (setnum < 1) return c.reply.error(E.atLeastOneKey(name));
  if (setnum > argc - (numkeysIdx + 1)) return c.reply.error(E.SYNTAX);
  // Keys are type-checked before the options are parsed (Redis's order).
  const db = c.db;
  const srcs: OpSource[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = dstIdx !== 0 ? db.writeValue(argv[j]) : db.readValue(argv[j]);
    const src: OpSource = { z: null, s: null, weight: 1, size: 0 };
    if (v !== undefined) {
      if (v instanceof ZSetValue) src.z = v;
      else if (v instanceof SetValue) src.s = v;
      else return c.reply.error(E.WRONGTYPE);
      src.size = v.size;
    }
    srcs.push(src);
  }
  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argc) {
    const remaining = argc - j;
    const o = argv[j].toLowerCase();
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseFloatStrict(argv[j]);
        if (w === null) return c.reply.error(E.WEIGHT_NOT_FLOAT);
        srcs[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && o === 'aggregate') {
      const a = argv[j + 1].toLowerCase();
      if (a === 'sum') agg = AGG_SUM;
      else if (a === 'min') agg = AGG_MIN;
      else if (a === 'max') agg = AGG_MAX;
      else return c.reply.error(E.SYNTAX);
      j += 2;
    } else if (dstIdx === 0 && !cardOnly && o === 'withscores') {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && o === 'limit') {
      const l = parseInt64(argv[j + 1]);
      if (l === null || l < 0) return c.reply.error(E.LIMIT_NEGATIVE);
      limit = typeof l === 'bigint' ? Number.MAX_SAFE_INTEGER : l;
      j += 2;
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }
  // Smallest first (a stable sort, as glibc's qsort is for arrays this size): it bounds the
  // intersection's work and fixes the order in which union scores are summed.
  if (op !== OP_DIFF) srcs.sort((a, b) => a.size - b.size);

  const result = new Map<string, number>();
  if (op === OP_INTER) {
    const first = srcs[0];
    if (first.size > 0) {
      let card = 0;
      for (const [m, s0] of sourceEntries(first)) {
        let score = first.weight * s0;
        if (score !== score) score = 0;
        let k = 1;
        for (; k < srcs.length; k++) {
          const v = sourceScore(srcs[k], m);
          if (v === undefined) break;
          score = aggregate(score, v * srcs[k].weight, agg);
        }
        if (k !== srcs.length) continue;
        if (cardOnly) {
          card++;
          if (limit !== 0 && card >= limit) break;
        } else {
          result.set(m, score);
        }
      }
      if (cardOnly) return c.reply.int(card);
    } else if (cardOnly) {
      return c.reply.int(0);
    }
  } else if (op === OP_UNION) {
    for (let i = 0; i < srcs.length; i++) {
      const src = srcs[i];
      if (src.size === 0) continue;
      const w = src.weight;
      for (const [m, s] of sourceEntries(src)) {
        let score = w * s;
        if (score !== score) score = 0;
        const cur = result.get(m);
        result.set(m, cur === undefined ? score : aggregate(cur, score, agg));
      }
    }
  } else {
    // The members of the first input found in none of the others (with their own scores).
    const first = srcs[0];
    if (first.size > 0) {
      for (const [m, s] of sourceEntries(first)) {
        let k = 1;
        while (k < srcs.length && sourceScore(srcs[k], m) === undefined) k++;
        if (k === srcs.length) result.set(m, s);
      }
    }
  }

  // Members of listpack sources are substrings of their packed strings: a stored skiplist result
  // copies them.
  let copy = false;
  for (let i = 0; i < srcs.length; i++) if (srcs[i].z?.big === false) copy = true;
  const z = ZSetValue.from(result, c.server.config, dstIdx !== 0 && copy);
  if (dstIdx !== 0) return storeResult(c, name, argv[dstIdx], z);
  const r = c.reply;
  beginEmit(r, z.size, withScores);
  if (z.size > 0) z.rangeByRank(0, z.size - 1, false, emitVisitor);
}

/** (member, score) pairs of a source, for loops that may stop early. */
function* sourceEntries(src: OpSource): IterableIterator<[string, number]> {
  if (src.z !== null) yield* src.z.entriesAnyOrder();
  else if (src.s !== null) for (const m of src.s.set) yield [m, 1];
}

function zunion(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 0, 1, OP_UNION, false, 'zunion');
}
function zinter(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 0, 1, OP_INTER, false, 'zinter');
}
function zdiff(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 0, 1, OP_DIFF, false, 'zdiff');
}
function zunionstore(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 1, 2, OP_UNION, false, 'zunionstore');
}
function zinterstore(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 1, 2, OP_INTER, false, 'zinterstore');
}
function zdiffstore(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 1, 2, OP_DIFF, false, 'zdiffstore');
}
function zintercard(c: CommandContext, argv: string[]): void {
  zsetOp(c, argv, 0, 1, OP_INTER, true, 'zintercard');
}

function opKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 1);
}

function opStoreKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 2, [1]);
}

// ---- ZSCAN --------------------------------------------------------------------------------------------

function zscan(c: CommandContext, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return c.reply.error(E.INVALID_CURSOR);
  const z = readZset(c, argv[1]);
  if (z === undefined) return;
  // Redis checks the key before the options: a missing key answers an empty scan whatever follows.
  if (z === null) return replyScan(c, 0, []);
  const err = scanArgsError(parseScanArgs(argv, 3, SCAN_ARGS));
  if (err !== null) return c.reply.error(err);
  const match = SCAN_ARGS.match === null ? null : compileMatcher(SCAN_ARGS.match);
  const out: string[] = [];
  let next = 0;
  if (!z.big) {
    // A listpack is returned whole in one call, in rank order, whatever the cursor and COUNT.
    for (const [m, s] of z.entries()) {
      if (match === null || match(m)) out.push(m, formatScore(s));
    }
  } else {
    // Redis's COUNT counts members and scores alike: COUNT 10 looks at about 5 members.
    const members: string[] = [];
    next = scanStep(z, z.bigDict(), cursor, Math.ceil(SCAN_ARGS.count / 2), members);
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      if (match === null || match(m)) out.push(m, formatScore(z.score(m) as number));
    }
  }
  replyScan(c, next, out);
}

export const zsetCommands: CommandSpec[] = [
  def('zadd', -4, 'write denyoom fast', [1, 1, 1], '@sortedset', zadd),
  def('zincrby', 4, 'write denyoom fast', [1, 1, 1], '@sortedset', zincrby),
  def('zrem', -3, 'write fast', [1, 1, 1], '@sortedset', zrem),
  def('zcard', 2, 'readonly fast', [1, 1, 1], '@sortedset', zcard),
  def('zscore', 3, 'readonly fast', [1, 1, 1], '@sortedset', zscore),
  def('zmscore', -3, 'readonly fast', [1, 1, 1], '@sortedset', zmscore),
  def('zrank', 3, 'readonly fast', [1, 1, 1], '@sortedset', zrank),
  def('zrevrank', 3, 'readonly fast', [1, 1, 1], '@sortedset', zrevrank),
  def('zcount', 4, 'readonly fast', [1, 1, 1], '@sortedset', zcount),
  def('zlexcount', 4, 'readonly fast', [1, 1, 1], '@sortedset', zlexcount),
  def('zrange', -4, 'readonly', [1, 1, 1], '@sortedset', zrange),
  def('zrangestore', -5, 'write denyoom', [1, 2, 1], '@sortedset', zrangestore),
  def('zrevrange', -4, 'readonly', [1, 1, 1], '@sortedset', zrevrange),
  def('zrangebyscore', -4, 'readonly', [1, 1, 1], '@sortedset', zrangebyscore),
  def('zrevrangebyscore', -4, 'readonly', [1, 1, 1], '@sortedset', zrevrangebyscore),
  def('zrangebylex', -4, 'readonly', [1, 1, 1], '@sortedset', zrangebylex),
  def('zrevrangebylex', -4, 'readonly', [1, 1, 1], '@sortedset', zrevrangebylex),
  def('zremrangebyrank', 4, 'write', [1, 1, 1], '@sortedset', zremrangebyrank),
  def('zremrangebyscore', 4, 'write', [1, 1, 1], '@sortedset', zremrangebyscore),
  def('zremrangebylex', 4, 'write', [1, 1, 1], '@sortedset', zremrangebylex),
  def('zpopmin', -2, 'write fast', [1, 1, 1], '@sortedset', zpopmin),
  def('zpopmax', -2, 'write fast', [1, 1, 1], '@sortedset', zpopmax),
  def('zmpop', -4, 'write movablekeys', [0, 0, 0], '@sortedset', zmpop, { getKeys: zmpopKeys }),
  def('bzpopmin', -3, 'write noscript blocking fast', [1, -2, 1], '@sortedset', bzpopmin),
  def('bzpopmax', -3, 'write noscript blocking fast', [1, -2, 1], '@sortedset', bzpopmax),
  def('bzmpop', -5, 'write blocking movablekeys', [0, 0, 0], '@sortedset', bzmpop, { getKeys: bzmpopKeys }),
  def('zrandmember', -2, 'readonly', [1, 1, 1], '@sortedset', zrandmember, { tips: ['nondeterministic_output'] }),
  def('zunion', -3, 'readonly movablekeys', [0, 0, 0], '@sortedset', zunion, { getKeys: opKeys }),
  def('zinter', -3, 'readonly movablekeys', [0, 0, 0], '@sortedset', zinter, { getKeys: opKeys }),
  def('zdiff', -3, 'readonly movablekeys', [0, 0, 0], '@sortedset', zdiff, { getKeys: opKeys }),
  def('zunionstore', -4, 'write denyoom movablekeys', [1, 1, 1], '@sortedset', zunionstore, { getKeys: opStoreKeys }),
  def('zinterstore', -4, 'write denyoom movablekeys', [1, 1, 1], '@sortedset', zinterstore, { getKeys: opStoreKeys }),
  def('zdiffstore', -4, 'write denyoom movablekeys', [1, 1, 1], '@sortedset', zdiffstore, { getKeys: opStoreKeys }),
  def('zintercard', -3, 'readonly movablekeys', [0, 0, 0], '@sortedset', zintercard, { getKeys: opKeys }),
  def('zscan', -3, 'readonly', [1, 1, 1], '@sortedset', zscan, { tips: ['nondeterministic_output'] }),
];
