// Stream commands (Redis 7.0 t_stream.c): XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XGROUP
// (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP) XREADGROUP XACK XPENDING XCLAIM
// XAUTOCLAIM XINFO (STREAM GROUPS CONSUMERS HELP) XSETID, over types/stream.ts.
//
// Invariants: arguments are parsed and keys type-checked in Redis's order, so the same bad
// command gets the same error; a stream may be empty and is never deleted by these commands.
// Canonical mutations (replaying them on an empty keyspace gives the same streams, groups,
// PELs and consumers; times in them are absolute):
//   XADD → XADD key [MAXLEN|MINID = <exact>] <the ID generated> fields... (`*` and `ms-*`
//     become the ID, an approximate trim becomes the exact trim that happened, LIMIT and
//     NOMKSTREAM go); XTRIM likewise; XDEL XACK XSETID as they are, only when they changed
//     something;
//   XGROUP CREATE → XGROUP CREATE key group <id> ENTRIESREAD <n> [MKSTREAM] ($ resolved);
//     XGROUP SETID → XGROUP SETID key group <id> ENTRIESREAD <n>; the others as they are;
//   XREADGROUP, XCLAIM, XAUTOCLAIM → what Redis propagates (streamPropagateXCLAIM /
//     streamPropagateGroupID): per delivered or claimed entry `XCLAIM key group consumer 0 id
//     TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group last id>`, and `XGROUP SETID key
//     group <id> ENTRIESREAD <n>` when the group's last ID moved; plus XGROUP CREATECONSUMER
//     when XREADGROUP created a consumer, and an XCLAIM for each history re-delivery (Redis
//     does not propagate those, so its replicas miss the new delivery count);
//   XLEN XRANGE XREVRANGE XREAD XPENDING XINFO never.
// Blocking: XREAD/XREADGROUP with BLOCK park the client (blocking.block) with a StreamWait.
// blocking.ts serves a waiter when the key it is signalled for holds a value whose type equals
// the waiter's `type`; StreamWait computes `type` on demand: the type of the first key it can be
// served from now (a stream with entries past its ID; for XREADGROUP also a destroyed group or
// a key that now holds another type, answered with Redis's errors), and 'none' otherwise, so a
// write that does not add entries (XDEL, XSETID, a SET on an XREAD key) leaves it blocked.

import { readOfType, writeOfType } from './lookup.js';
import { def } from './table.js';
import { E } from './errors.js';
import type { BlockedRequest, CommandContext, CommandSpec } from './types.js';
import type { ValueType } from '../keyspace/index.js';
import { typeOf } from '../keyspace/index.js';
import {
  ENTRIES_READ_INVALID,
  ID_MAX,
  StreamNACK,
  type IdMap,
  StreamValue,
  TRIM_MAXLEN,
  TRIM_MINID,
  TRIM_NONE,
  U64_MAX,
  formatId,
  idMs,
  idSeq,
  parseStreamId,
  type StreamCG,
  type StreamConsumer,
  type StreamID,
  type TrimArgs,
} from '../types/stream.js';
import { parseInt64 } from '../util/numbers.js';
import { NOTIFY } from '../config.js';

// ---- errors (Redis 7.0's text) --------------------------------------------------------------

const XE = {
  INVALID_ID: 'ERR Invalid stream ID specified as stream command argument',
  ID_TOO_SMALL: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  ID_ZERO: 'ERR The ID specified in XADD must be greater than 0-0',
  TOO_LARGE: 'ERR Elements are too large to be stored',
  EXHAUSTED: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  MAXLEN_MINID: 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
  MAXLEN_NEGATIVE: 'ERR The MAXLEN argument must be >= 0.',
  LIMIT_NEGATIVE: 'ERR The LIMIT argument must be >= 0.',
  LIMIT_NO_STRATEGY: 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  XTRIM_NO_STRATEGY: 'ERR syntax error, XTRIM must be called with a trimming strategy',
  LIMIT_NO_APPROX: 'ERR syntax error, LIMIT cannot be used without the special ~ option',
  INVALID_START: 'ERR invalid start ID for the interval',
  INVALID_END: 'ERR invalid end ID for the interval',
  // The same text for XREADGROUP on 7.0.15.
  UNBALANCED: "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
  GROUP_XREAD: 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
  NOACK_XREAD: 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
  MISSING_GROUP: 'ERR Missing GROUP option for XREADGROUP',
  DOLLAR_XREADGROUP:
    'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
  GT_XREAD: 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
  noGroupRead: (key: string, group: string) => `NOGROUP No such key '${key}' or consumer group '${group}' in XREADGROUP with GROUP option`,
  noGroup: (key: string, group: string) => `NOGROUP No such key '${key}' or consumer group '${group}'`,
  noGroupForKey: (group: string, key: string) => `NOGROUP No such consumer group '${group}' for key name '${key}'`,
  NOGROUP_BLOCKED: 'NOGROUP the consumer group this client was blocked on no longer exists',
  KEY_GONE_BLOCKED: 'UNBLOCKED the stream key no longer exists',
  XGROUP_NO_KEY:
    'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  BUSYGROUP: 'BUSYGROUP Consumer Group name already exists',
  ENTRIESREAD: 'ERR value for ENTRIESREAD must be positive or -1',
  TIMEOUT_NOT_INTEGER: 'ERR timeout is not an integer or out of range',
  TIMEOUT_NEGATIVE: 'ERR timeout is negative',
  XCLAIM_MINIDLE: 'ERR Invalid min-idle-time argument for XCLAIM',
  XCLAIM_IDLE: 'ERR Invalid IDLE option argument for XCLAIM',
  XCLAIM_TIME: 'ERR Invalid TIME option argument for XCLAIM',
  XCLAIM_RETRYCOUNT: 'ERR Invalid RETRYCOUNT option argument for XCLAIM',
  xclaimOption: (opt: string) => `ERR Unrecognized XCLAIM option '${opt}'`,
  XAUTOCLAIM_MINIDLE: 'ERR Invalid min-idle-time argument for XAUTOCLAIM',
  XAUTOCLAIM_COUNT: 'ERR COUNT must be > 0',
  ENTRIES_ADDED_NEGATIVE: 'ERR entries_added must be positive',
  XSETID_MAXDEL_ARG: 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
  XSETID_TOP: 'ERR The ID specified in XSETID is smaller than the target stream top item',
  XSETID_ENTRIES: 'ERR The entries_added specified in XSETID is smaller than the target stream length',
} as const;

/** Redis's XREAD_BLOCKED_DEFAULT_COUNT. */
const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

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

function now(c: CommandContext): number {
  return c.server.ks.clock.now();
}

/** getLongLongFromObject as a number clamped to ±2^53 (counts, lengths), or null. */
function parseLL(s: string): number | null {
  const v = parseInt64(s);
  if (v === null) return null;
  if (typeof v === 'bigint') return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  return v;
}

/** An integer argument that must be >= 0 (MAXLEN, LIMIT, ENTRIESADDED): the value, or null after replying. */
function nonNegativeOrReply(c: CommandContext, s: string, negative: string): number | null {
  const v = parseLL(s);
  if (v === null) {
    c.reply.error(E.NOT_INTEGER);
    return null;
  }
  if (v < 0) {
    c.reply.error(negative);
    return null;
  }
  return v;
}

/** streamParseStrictIDOrReply / streamParseIDOrReply: the ID, or null after replying. */
function parseIdOrReply(c: CommandContext, s: string, strict: boolean, missingSeq: bigint): StreamID | null {
  const p = parseStreamId(s, strict, missingSeq);
  if (p === null) {
    c.reply.error(XE.INVALID_ID);
    return null;
  }
  return p.id;
}

/** streamParseIntervalIDOrReply: `(id` excludes (strict parse of the rest). */
function parseIntervalOrReply(c: CommandContext, s: string, missingSeq: bigint): { id: StreamID; ex: boolean } | null {
  const ex = s.length > 1 && s.charCodeAt(0) === 40; /* ( */
  const id = ex ? parseIdOrReply(c, s.slice(1), true, missingSeq) : parseIdOrReply(c, s, false, missingSeq);
  return id === null ? null : { id, ex };
}

function readStream(c: CommandContext, key: string): StreamValue | null | undefined {
  return readOfType(c, key, StreamValue);
}

function writeStream(c: CommandContext, key: string): StreamValue | null | undefined {
  return writeOfType(c, key, StreamValue);
}

/** One entry as Redis replies it: [id, [field, value, ...]]. */
function replyEntry(c: CommandContext, id: StreamID, fv: readonly string[]): void {
  const r = c.reply;
  r.array(2);
  r.bulk(formatId(id));
  r.array(fv.length);
  for (let i = 0; i < fv.length; i++) r.bulk(fv[i]);
}

/** Live entries of [start, end] (count 0 = all), in reply order. */
function collectRange(s: StreamValue, start: StreamID, end: StreamID, rev: boolean, count: number): { ids: StreamID[]; fvs: string[][] } {
  const ids: StreamID[] = [];
  const fvs: string[][] = [];
  s.range(start, end, rev, (id, fv) => {
    ids.push(id);
    fvs.push(fv);
    return count === 0 || ids.length < count;
  });
  return { ids, fvs };
}

function replyEntries(c: CommandContext, ids: StreamID[], fvs: string[][]): void {
  c.reply.array(ids.length);
  for (let i = 0; i < ids.length; i++) replyEntry(c, ids[i], fvs[i]);
}

// ---- XADD XTRIM ---------------------------------------------------------------------------------

interface AddTrimArgs extends TrimArgs {
  /** XADD: the index of the ID argument. */
  idpos: number;
  idGiven: boolean;
  seqGiven: boolean;
  id: StreamID;
  noMkstream: boolean;
}

/** Redis's streamParseAddOrTrimArgsOrReply; null after replying an error. */
function parseAddOrTrim(c: CommandContext, argv: string[], xadd: boolean): AddTrimArgs | null {
  const a: AddTrimArgs = { strategy: TRIM_NONE, maxlen: 0, minid: 0n, approx: false, limit: 0, idpos: 0, idGiven: false, seqGiven: true, id: 0n, noMkstream: false };
  const r = c.reply;
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    else if (more > 0 && (eqi(opt, 'maxlen') || eqi(opt, 'minid'))) {
      const maxlen = eqi(opt, 'maxlen');
      if (a.strategy !== TRIM_NONE) {
        r.error(XE.MAXLEN_MINID);
        return null;
      }
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (maxlen) {
        const v = nonNegativeOrReply(c, argv[i + 1], XE.MAXLEN_NEGATIVE);
        if (v === null) return null;
        a.maxlen = v;
        a.strategy = TRIM_MAXLEN;
      } else {
        const id = parseIdOrReply(c, argv[i + 1], true, 0n);
        if (id === null) return null;
        a.minid = id;
        a.strategy = TRIM_MINID;
      }
      i++;
    } else if (more > 0 && eqi(opt, 'limit')) {
      const v = nonNegativeOrReply(c, argv[i + 1], XE.LIMIT_NEGATIVE);
      if (v === null) return null;
      a.limit = v;
      limitGiven = true;
      i++;
    } else if (xadd && eqi(opt, 'nomkstream')) {
      a.noMkstream = true;
    } else if (xadd) {
      const p = parseStreamId(opt, true, 0n, true);
      if (p === null) {
        r.error(XE.INVALID_ID);
        return null;
      }
      a.id = p.id;
      a.seqGiven = p.seqGiven;
      a.idGiven = true;
      break;
    } else {
      r.error(E.SYNTAX);
      return null;
    }
  }
  if (a.limit && a.strategy === TRIM_NONE) {
    r.error(XE.LIMIT_NO_STRATEGY);
    return null;
  }
  if (!xadd && a.strategy === TRIM_NONE) {
    r.error(XE.XTRIM_NO_STRATEGY);
    return null;
  }
  if (limitGiven) {
    if (!a.approx) {
      r.error(XE.LIMIT_NO_APPROX);
      return null;
    }
  } else if (a.approx) {
    let l = 100 * c.server.config.num('stream-node-max-entries');
    if (l <= 0 || l > 10000) l = 10000;
    a.limit = l;
  } else a.limit = 0;
  a.idpos = i;
  return a;
}

/** The exact trim arguments that reproduce what `a` did to `s` (streamRewriteTrimArgument). */
function canonicalTrim(a: TrimArgs, s: StreamValue): string[] {
  if (a.strategy === TRIM_MAXLEN) return ['MAXLEN', '=', String(a.approx ? s.length : a.maxlen)];
  if (!a.approx) return ['MINID', '=', formatId(a.minid)];
  // An approximate MINID that emptied the stream: Redis rewrites it to its first ID, 0-0, which
  // would trim nothing on replay; an exact MAXLEN 0 removes the same nodes.
  return s.length === 0 ? ['MAXLEN', '=', '0'] : ['MINID', '=', formatId(s.firstId)];
}

function xadd(c: CommandContext, argv: string[]): void {
  const a = parseAddOrTrim(c, argv, true);
  if (a === null) return;
  const r = c.reply;
  const fieldPos = a.idpos + 1;
  const nfv = argv.length - fieldPos;
  if (nfv < 2 || nfv % 2 === 1) return r.error(E.wrongArity('xadd'));
  if (a.idGiven && a.seqGiven && a.id === 0n) return r.error(XE.ID_ZERO);
  const key = argv[1];
  let s = writeStream(c, key);
  if (s === undefined) return;
  if (s === null) {
    if (a.noMkstream) return r.nullBulk();
    s = new StreamValue();
    c.db.add(key, s);
  }
  if (s.lastId === ID_MAX) return r.error(XE.EXHAUSTED);
  let id: StreamID;
  if (a.idGiven) {
    if (a.seqGiven) id = a.id;
    else if (idMs(s.lastId) === idMs(a.id)) {
      // Redis 7.0.15 answers this overflow with the "too large" text (its errno is not EDOM).
      if (idSeq(s.lastId) === U64_MAX) return r.error(XE.TOO_LARGE);
      id = s.lastId + 1n;
    } else id = a.id;
  } else {
    id = s.nextId(now(c)) as StreamID;
  }
  if (id <= s.lastId) return r.error(XE.ID_TOO_SMALL);
  const fv = argv.slice(fieldPos);
  s.append(id, fv, c.server.config);
  const idStr = formatId(id);
  c.notify(NOTIFY.STREAM, 'xadd', key);
  const prop = ['XADD', key];
  if (a.strategy !== TRIM_NONE) {
    if (s.trim(a) > 0) c.notify(NOTIFY.STREAM, 'xtrim', key);
    for (const x of canonicalTrim(a, s)) prop.push(x);
  }
  prop.push(idStr);
  for (let i = 0; i < fv.length; i++) prop.push(fv[i]);
  c.propagate(prop);
  c.server.blocking.signalKeyAsReady(c.dbIndex, key);
  r.bulk(idStr);
}

function xtrim(c: CommandContext, argv: string[]): void {
  const a = parseAddOrTrim(c, argv, false);
  if (a === null) return;
  const key = argv[1];
  const s = writeStream(c, key);
  if (s === undefined) return;
  if (s === null) return c.reply.int(0);
  const deleted = s.trim(a);
  if (deleted > 0) {
    c.notify(NOTIFY.STREAM, 'xtrim', key);
    c.propagate(['XTRIM', key, ...canonicalTrim(a, s)]);
  }
  c.reply.int(deleted);
}

// ---- XLEN XRANGE XREVRANGE XDEL -------------------------------------------------------------------

function xlen(c: CommandContext, argv: string[]): void {
  const s = readStream(c, argv[1]);
  if (s === undefined) return;
  c.reply.int(s === null ? 0 : s.length);
}

function xrangeGeneric(c: CommandContext, argv: string[], rev: boolean): void {
  const r = c.reply;
  const st = parseIntervalOrReply(c, rev ? argv[3] : argv[2], 0n);
  if (st === null) return;
  let start = st.id;
  if (st.ex) {
    if (start === ID_MAX) return r.error(XE.INVALID_START);
    start++;
  }
  const en = parseIntervalOrReply(c, rev ? argv[2] : argv[3], U64_MAX);
  if (en === null) return;
  let end = en.id;
  if (en.ex) {
    if (end === 0n) return r.error(XE.INVALID_END);
    end--;
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (eqi(argv[j], 'count') && argv.length - j - 1 >= 1) {
      const v = parseLL(argv[j + 1]);
      if (v === null) return r.error(E.NOT_INTEGER);
      count = v < 0 ? 0 : v;
      j++;
    } else return r.error(E.SYNTAX);
  }
  const s = readStream(c, argv[1]);
  if (s === undefined) return;
  if (s === null) return r.array(0);
  if (count === 0) return r.nullArray();
  const { ids, fvs } = collectRange(s, start, end, rev, count === -1 ? 0 : count);
  replyEntries(c, ids, fvs);
}

function xrange(c: CommandContext, argv: string[]): void {
  xrangeGeneric(c, argv, false);
}

function xrevrange(c: CommandContext, argv: string[]): void {
  xrangeGeneric(c, argv, true);
}

function xdel(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const s = writeStream(c, key);
  if (s === undefined) return;
  if (s === null) return c.reply.int(0);
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = parseIdOrReply(c, argv[j], true, 0n);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let first = false;
  for (const id of ids) {
    if (s.deleteEntry(id)) {
      if (id === s.firstId) first = true;
      deleted++;
    }
  }
  if (deleted > 0) {
    s.updateFirstAfterDelete(first);
    c.notify(NOTIFY.STREAM, 'xdel', key);
    c.propagate(argv);
  }
  c.reply.int(deleted);
}

// ---- consumer group effects (propagation) ---------------------------------------------------------

/** streamPropagateXCLAIM: the XCLAIM that recreates `nack` for `id` exactly. */
function propagateXclaim(c: CommandContext, key: string, cg: StreamCG, id: StreamID, nack: StreamNACK): void {
  c.propagate([
    'XCLAIM',
    key,
    cg.name,
    nack.consumer.name,
    '0',
    formatId(id),
    'TIME',
    String(nack.deliveryTime),
    'RETRYCOUNT',
    String(nack.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(cg.lastId),
  ]);
}

/** streamPropagateGroupID. */
function propagateGroupId(c: CommandContext, key: string, cg: StreamCG): void {
  c.propagate(['XGROUP', 'SETID', key, cg.name, formatId(cg.lastId), 'ENTRIESREAD', String(cg.entriesRead)]);
}

/** streamLookupConsumer(SLC_DEFAULT) + streamCreateConsumer(SCC_DEFAULT): refreshes seen-time. */
function lookupOrCreateConsumer(c: CommandContext, s: StreamValue, cg: StreamCG, key: string, name: string, propagateCreation: boolean): StreamConsumer {
  const t = now(c);
  let consumer = cg.consumers.get(name);
  if (consumer === undefined) {
    consumer = s.createConsumer(cg, name, t)!;
    c.notify(NOTIFY.STREAM, 'xgroup-createconsumer', key);
    if (propagateCreation) c.propagate(['XGROUP', 'CREATECONSUMER', key, cg.name, name]);
  }
  consumer.seenTime = t;
  return consumer;
}

/**
 * streamReplyWithRange for a group read of new entries (after `start`, inclusive), replying the
 * entries and updating the group (last ID, entries-read, PELs) as Redis does.
 */
function replyGroupRange(c: CommandContext, s: StreamValue, key: string, start: StreamID, count: number, cg: StreamCG, consumer: StreamConsumer, noack: boolean): void {
  const { ids, fvs } = collectRange(s, start, ID_MAX, false, count);
  let moved = false;
  const t = now(c);
  c.reply.array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id > cg.lastId) {
      if (cg.entriesRead !== ENTRIES_READ_INVALID && !s.rangeHasTombstones(id, null)) cg.entriesRead++;
      else if (s.entriesAdded) cg.entriesRead = s.estimateDistance(id);
      cg.lastId = id;
      moved = true;
    }
    replyEntry(c, id, fvs[i]);
    if (!noack) {
      let nack = cg.pel.get(id);
      if (nack === undefined) {
        nack = new StreamNACK(consumer, t, 1);
        s.addNack(cg, id, nack);
      } else {
        s.moveNack(id, nack, consumer);
        nack.deliveryTime = t;
        nack.deliveryCount = 1;
      }
      propagateXclaim(c, key, cg, id, nack);
    }
  }
  if (moved) propagateGroupId(c, key, cg);
}

/** streamReplyWithRangeFromConsumerPEL: the consumer's pending entries after `start`. */
function replyConsumerHistory(c: CommandContext, s: StreamValue, key: string, start: StreamID, count: number, cg: StreamCG, consumer: StreamConsumer): void {
  const ids = consumer.pel.keysFrom(start, count === 0 ? Number.MAX_SAFE_INTEGER : count);
  const t = now(c);
  c.reply.array(ids.length);
  for (const id of ids) {
    const fv = s.get(id);
    if (fv === undefined) {
      c.reply.array(2);
      c.reply.bulk(formatId(id));
      c.reply.nullArray();
    } else {
      replyEntry(c, id, fv);
      const nack = consumer.pel.get(id)!;
      nack.deliveryTime = t;
      nack.deliveryCount++;
      propagateXclaim(c, key, cg, id, nack);
    }
  }
}

// ---- XREAD XREADGROUP --------------------------------------------------------------------------

/** A blocked XREAD/XREADGROUP (Redis's bpop for BLOCKED_STREAM). */
class StreamWait implements BlockedRequest {
  constructor(
    readonly client: CommandContext,
    readonly keys: string[],
    /** Per key: entries must be greater than this (ignored for a group read: the group's last ID). */
    readonly ids: StreamID[],
    readonly count: number,
    readonly group: string | null,
    readonly consumer: string | null,
    readonly noack: boolean,
  ) {}

  /**
   * What blocking.ts compares with the type of the key it serves: the type of the first key
   * this waiter can be served from now, or 'none'.
   */
  get type(): ValueType {
    const i = this.servable(null);
    if (i < 0) return 'none' as ValueType;
    return typeOf(this.client.db.peekValue(this.keys[i])!);
  }

  /** Index of a key that can serve (preferring `key`), or -1. */
  servable(key: string | null): number {
    let found = -1;
    for (let i = 0; i < this.keys.length; i++) {
      if (!this.canServe(i)) continue;
      if (key === null || this.keys[i] === key) return i;
      if (found < 0) found = i;
    }
    return found;
  }

  private canServe(i: number): boolean {
    const v = this.client.db.peekValue(this.keys[i]);
    if (v === undefined) return false;
    if (!(v instanceof StreamValue)) return this.group !== null;
    if (this.group === null) return v.length > 0 && v.lastValidId() > this.ids[i];
    const cg = v.group(this.group);
    if (cg === undefined) return true;
    return v.length > 0 && v.lastValidId() > cg.lastId;
  }

  serve(c: CommandContext, key: string): boolean {
    const i = this.servable(key);
    const r = c.reply;
    if (i < 0) throw Object.assign(new Error(`blocked stream reader served from key ${JSON.stringify(key)} that cannot serve it`), { code: 'BLOCKING_STATE' });
    const k = this.keys[i];
    const v = c.db.writeValue(k);
    if (!(v instanceof StreamValue)) {
      r.error(XE.KEY_GONE_BLOCKED);
      return true;
    }
    let gt = this.ids[i];
    let cg: StreamCG | undefined;
    if (this.group !== null) {
      cg = v.group(this.group);
      if (cg === undefined) {
        r.error(XE.NOGROUP_BLOCKED);
        return true;
      }
      gt = cg.lastId;
    }
    if (c.resp === 3) r.map(1);
    else {
      r.array(1);
      r.array(2);
    }
    r.bulk(k);
    if (cg !== undefined) {
      const consumer = lookupOrCreateConsumer(c, v, cg, k, this.consumer!, true);
      replyGroupRange(c, v, k, gt + 1n, this.count, cg, consumer, this.noack);
    } else {
      const { ids, fvs } = collectRange(v, gt + 1n, ID_MAX, false, this.count);
      replyEntries(c, ids, fvs);
    }
    return true;
  }

  timedOut(c: CommandContext): void {
    c.reply.nullArray();
  }

  /** XREADGROUP answers a deleted key with an error (Redis 7.0); XREAD waits for it to come back. */
  keyDeleted(c: CommandContext): boolean {
    if (this.group === null) return false;
    c.reply.error(XE.KEY_GONE_BLOCKED);
    return true;
  }
}

/** Redis's getTimeoutFromObjectOrReply(UNIT_MILLISECONDS): ms (0 = forever), or an error. */
function parseBlockMs(c: CommandContext, s: string): number | string {
  const v = parseInt64(s);
  if (v === null) return XE.TIMEOUT_NOT_INTEGER;
  if (v < 0) return XE.TIMEOUT_NEGATIVE;
  // 7.0.15 has no "out of range" check here: a huge timeout simply never passes.
  return Number(v);
}

function xreadGeneric(c: CommandContext, argv: string[], xreadgroup: boolean): void {
  const r = c.reply;
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let groupName: string | null = null;
  let consumerName: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (eqi(o, 'block') && more > 0) {
      // Redis refuses BLOCK in a script outright (not just as a non-blocking read), "to keep
      // backward compatibility".
      if (c.script) return r.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
      i++;
      const t = parseBlockMs(c, argv[i]);
      if (typeof t === 'string') return r.error(t);
      timeout = t;
    } else if (eqi(o, 'count') && more > 0) {
      i++;
      const v = parseLL(argv[i]);
      if (v === null) return r.error(E.NOT_INTEGER);
      count = v < 0 ? 0 : v;
    } else if (eqi(o, 'streams') && more > 0) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) return r.error(XE.UNBALANCED);
      streamsCount /= 2;
      break;
    } else if (eqi(o, 'group') && more >= 2) {
      if (!xreadgroup) return r.error(XE.GROUP_XREAD);
      groupName = argv[i + 1];
      consumerName = argv[i + 2];
      i += 2;
    } else if (eqi(o, 'noack')) {
      if (!xreadgroup) return r.error(XE.NOACK_XREAD);
      noack = true;
    } else return r.error(E.SYNTAX);
  }
  if (streamsArg === 0) return r.error(E.SYNTAX);
  if (xreadgroup && groupName === null) return r.error(XE.MISSING_GROUP);

  const ids: StreamID[] = new Array(streamsCount);
  const groups: Array<StreamCG | undefined> = new Array(streamsCount);
  for (let i = streamsArg + streamsCount; i < argv.length; i++) {
    const idx = i - streamsArg - streamsCount;
    const key = argv[i - streamsCount];
    const o = c.db.readValue(key);
    if (o !== undefined && !(o instanceof StreamValue)) return r.error(E.WRONGTYPE);
    if (groupName !== null) {
      const g = o === undefined ? undefined : (o as StreamValue).group(groupName);
      if (g === undefined) return r.error(XE.noGroupRead(key, groupName));
      groups[idx] = g;
    }
    const a = argv[i];
    if (a === '$') {
      if (xreadgroup) return r.error(XE.DOLLAR_XREADGROUP);
      ids[idx] = o !== undefined ? (o as StreamValue).lastId : 0n;
      continue;
    } else if (a === '>') {
      if (!xreadgroup) return r.error(XE.GT_XREAD);
      ids[idx] = ID_MAX;
      continue;
    }
    const id = parseIdOrReply(c, a, true, 0n);
    if (id === null) return;
    ids[idx] = id;
  }

  // Which streams can be served synchronously (Redis decides per key before replying).
  const serve: number[] = [];
  const history: boolean[] = [];
  for (let i = 0; i < streamsCount; i++) {
    const o = c.db.peekValue(argv[streamsArg + i]);
    if (o === undefined) continue;
    const s = o as StreamValue;
    let sync = false;
    let hist = false;
    if (groupName !== null) {
      if (ids[i] !== ID_MAX) {
        sync = true;
        hist = true;
      } else if (s.length > 0) {
        const last = groups[i]!.lastId;
        if (s.lastValidId() > last) {
          sync = true;
          ids[i] = last;
        }
      }
    } else if (s.length > 0 && s.lastValidId() > ids[i]) sync = true;
    if (sync) {
      serve.push(i);
      history.push(hist);
    }
  }
  if (serve.length > 0) {
    if (c.resp === 3) r.map(serve.length);
    else r.array(serve.length);
    for (let n = 0; n < serve.length; n++) {
      const i = serve[n];
      const key = argv[streamsArg + i];
      // A group read changes the stream (PELs, last ID): a write lookup, so a running snapshot
      // saves it first and its memory is re-estimated.
      const s = (groupName !== null ? c.db.writeValue(key) : c.db.peekValue(key)) as StreamValue;
      const start = ids[i] === ID_MAX ? ID_MAX : ids[i] + 1n;
      if (c.resp === 2) r.array(2);
      r.bulk(key);
      if (groupName !== null) {
        const cg = groups[i]!;
        const consumer = lookupOrCreateConsumer(c, s, cg, key, consumerName!, true);
        if (history[n]) replyConsumerHistory(c, s, key, start, count, cg, consumer);
        else replyGroupRange(c, s, key, start, count, cg, consumer, noack);
      } else {
        const { ids: eids, fvs } = collectRange(s, start, ID_MAX, false, count);
        replyEntries(c, eids, fvs);
      }
    }
    return;
  }
  if (timeout !== -1) {
    const b = c.server.blocking;
    if (!b.canBlock(c)) return r.nullArray();
    const keys = argv.slice(streamsArg, streamsArg + streamsCount);
    b.block(c, argv, streamsArg, streamsArg + streamsCount, timeout, new StreamWait(c, keys, ids, count || XREAD_BLOCKED_DEFAULT_COUNT, groupName, consumerName, noack));
    return;
  }
  r.nullArray();
}

function xread(c: CommandContext, argv: string[]): void {
  xreadGeneric(c, argv, false);
}

function xreadgroup(c: CommandContext, argv: string[]): void {
  xreadGeneric(c, argv, true);
}

/** Redis's xreadGetKeys: the keys after STREAMS (half of what follows it). */
function xreadKeys(argv: readonly string[]): number[] {
  let pos = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (eqi(a, 'block') || eqi(a, 'count')) i++;
    else if (eqi(a, 'group')) i += 2;
    else if (eqi(a, 'noack')) continue;
    else if (eqi(a, 'streams')) {
      pos = i;
      break;
    } else break;
  }
  // Redis finds these keys with the key spec (after STREAMS, half of the remaining arguments,
  // rounded down), so an odd count still names keys; fewer than two arguments name none.
  const num = argv.length - pos - 1;
  if (pos === -1 || num < 2) return [];
  const out: number[] = [];
  for (let i = pos + 1; i <= pos + Math.floor(num / 2); i++) out.push(i);
  return out;
}

// ---- XGROUP -----------------------------------------------------------------------------------

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];


function xgroupHelp(c: CommandContext): void {
  c.reply.statusLines(XGROUP_HELP);
}

function xinfoHelp(c: CommandContext): void {
  c.reply.statusLines(XINFO_HELP);
}

/**
 * The common head of xgroupCommand: the stream (null when missing and allowed), the group,
 * or undefined after replying an error.
 */
function xgroupLookup(c: CommandContext, argv: string[], mkstream: boolean, needGroup: boolean): { s: StreamValue | null; cg: StreamCG | undefined } | undefined {
  const s = writeStream(c, argv[2]);
  if (s === undefined) return undefined;
  if (!mkstream && s === null) {
    c.reply.error(XE.XGROUP_NO_KEY);
    return undefined;
  }
  const cg = s === null ? undefined : s.group(argv[3]);
  if (needGroup && cg === undefined) {
    c.reply.error(XE.noGroupForKey(argv[3], argv[2]));
    return undefined;
  }
  return { s, cg };
}

/** ENTRIESREAD's value: a number, or null after replying. */
function parseEntriesRead(c: CommandContext, s: string): number | null {
  const v = parseLL(s);
  if (v === null) {
    c.reply.error(E.NOT_INTEGER);
    return null;
  }
  if (v < 0 && v !== ENTRIES_READ_INVALID) {
    c.reply.error(XE.ENTRIESREAD);
    return null;
  }
  return v;
}

function xgroupCreate(c: CommandContext, argv: string[]): void {
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  for (let i = 5; i < argv.length; ) {
    if (eqi(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if (eqi(argv[i], 'entriesread') && i + 1 < argv.length) {
      const v = parseEntriesRead(c, argv[i + 1]);
      if (v === null) return;
      entriesRead = v;
      i += 2;
    } else return c.reply.error(E.subcommandSyntax(argv[1], 'xgroup'));
  }
  const l = xgroupLookup(c, argv, mkstream, false);
  if (l === undefined) return;
  if (argv.length > 8) return c.reply.error(E.subcommandSyntax(argv[1], 'xgroup'));
  let s = l.s;
  let id: StreamID;
  if (argv[4] === '$') id = s !== null ? s.lastId : 0n;
  else {
    const p = parseIdOrReply(c, argv[4], true, 0n);
    if (p === null) return;
    id = p;
  }
  const key = argv[2];
  let created = false;
  if (s === null) {
    s = new StreamValue();
    c.db.add(key, s);
    created = true;
  }
  const cg = s.createGroup(argv[3], id, entriesRead);
  if (cg === null) return c.reply.error(XE.BUSYGROUP);
  c.notify(NOTIFY.STREAM, 'xgroup-create', key);
  const prop = ['XGROUP', 'CREATE', key, argv[3], formatId(id), 'ENTRIESREAD', String(entriesRead)];
  if (created) prop.push('MKSTREAM');
  c.propagate(prop);
  c.reply.ok();
}

function xgroupSetid(c: CommandContext, argv: string[]): void {
  const l = xgroupLookup(c, argv, false, true);
  if (l === undefined) return;
  if (argv.length !== 5 && argv.length !== 7) return c.reply.error(E.subcommandSyntax(argv[1], 'xgroup'));
  const s = l.s!;
  const cg = l.cg!;
  let id: StreamID;
  if (argv[4] === '$') id = s.lastId;
  else {
    const p = parseIdOrReply(c, argv[4], false, 0n);
    if (p === null) return;
    id = p;
  }
  let entriesRead = ENTRIES_READ_INVALID;
  if (argv.length === 7) {
    if (!eqi(argv[5], 'entriesread')) return c.reply.error(E.subcommandSyntax(argv[1], 'xgroup'));
    const v = parseEntriesRead(c, argv[6]);
    if (v === null) return;
    entriesRead = v;
  }
  cg.lastId = id;
  cg.entriesRead = entriesRead;
  c.notify(NOTIFY.STREAM, 'xgroup-setid', argv[2]);
  c.propagate(['XGROUP', 'SETID', argv[2], cg.name, formatId(id), 'ENTRIESREAD', String(entriesRead)]);
  c.reply.ok();
}

function xgroupDestroy(c: CommandContext, argv: string[]): void {
  const l = xgroupLookup(c, argv, false, false);
  if (l === undefined) return;
  if (l.cg === undefined) return c.reply.int(0);
  l.s!.destroyGroup(argv[3]);
  c.notify(NOTIFY.STREAM, 'xgroup-destroy', argv[2]);
  c.propagate(argv);
  c.server.blocking.signalKeyAsReady(c.dbIndex, argv[2]);
  c.reply.int(1);
}

function xgroupCreateConsumer(c: CommandContext, argv: string[]): void {
  const l = xgroupLookup(c, argv, false, true);
  if (l === undefined) return;
  const created = l.s!.createConsumer(l.cg!, argv[4], now(c));
  if (created !== null) {
    c.notify(NOTIFY.STREAM, 'xgroup-createconsumer', argv[2]);
    c.propagate(argv);
  }
  c.reply.int(created !== null ? 1 : 0);
}

function xgroupDelConsumer(c: CommandContext, argv: string[]): void {
  const l = xgroupLookup(c, argv, false, true);
  if (l === undefined) return;
  const cg = l.cg!;
  const consumer = cg.consumers.get(argv[4]);
  let pending = 0;
  if (consumer !== undefined) {
    pending = consumer.pel.size;
    l.s!.deleteConsumer(cg, consumer);
    c.notify(NOTIFY.STREAM, 'xgroup-delconsumer', argv[2]);
    c.propagate(argv);
  }
  c.reply.int(pending);
}

// ---- XACK XPENDING XCLAIM XAUTOCLAIM ------------------------------------------------------------

function xack(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const s = writeStream(c, key);
  if (s === undefined) return;
  const cg = s === null ? undefined : s.group(argv[2]);
  if (s === null || cg === undefined) return c.reply.int(0);
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = parseIdOrReply(c, argv[j], true, 0n);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) if (s.removeNack(cg, id)) acked++;
  if (acked > 0) c.propagate(argv);
  c.reply.int(acked);
}

function xpending(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  const justinfo = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) return r.error(E.SYNTAX);
  let start = 0n;
  let end = ID_MAX;
  let count = 0;
  let minidle = 0;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let startidx = 3;
    if (eqi(argv[3], 'idle')) {
      const v = parseLL(argv[4]);
      if (v === null) return r.error(E.NOT_INTEGER);
      minidle = v;
      if (argv.length < 8) return r.error(E.SYNTAX);
      startidx += 2;
    }
    const cv = parseLL(argv[startidx + 2]);
    if (cv === null) return r.error(E.NOT_INTEGER);
    count = cv < 0 ? 0 : cv;
    const st = parseIntervalOrReply(c, argv[startidx], 0n);
    if (st === null) return;
    start = st.id;
    if (st.ex) {
      if (start === ID_MAX) return r.error(XE.INVALID_START);
      start++;
    }
    const en = parseIntervalOrReply(c, argv[startidx + 1], U64_MAX);
    if (en === null) return;
    end = en.id;
    if (en.ex) {
      if (end === 0n) return r.error(XE.INVALID_END);
      end--;
    }
    if (startidx + 3 < argv.length) consumerName = argv[startidx + 3];
  }
  const s = readStream(c, argv[1]);
  if (s === undefined) return;
  const cg = s === null ? undefined : s.group(argv[2]);
  if (cg === undefined) return r.error(XE.noGroup(argv[1], argv[2]));
  if (justinfo) {
    r.array(4);
    r.int(cg.pel.size);
    if (cg.pel.size === 0) {
      r.nullBulk();
      r.nullBulk();
      r.nullArray();
      return;
    }
    r.bulk(formatId(cg.pel.firstKey()!));
    r.bulk(formatId(cg.pel.lastKey()!));
    const cons = cg.sortedConsumers().filter((x) => x.pel.size > 0);
    r.array(cons.length);
    for (const x of cons) {
      r.array(2);
      r.bulk(x.name);
      r.bulk(String(x.pel.size));
    }
    return;
  }
  let pel = cg.pel;
  if (consumerName !== null) {
    const consumer = cg.consumers.get(consumerName);
    if (consumer === undefined) return r.array(0);
    pel = consumer.pel;
  }
  const t = now(c);
  const rows: Array<[StreamID, StreamNACK]> = [];
  if (count > 0) {
    for (const [id, nack] of pel.from(start)) {
      if (id > end) break;
      if (minidle && t - nack.deliveryTime < minidle) continue;
      rows.push([id, nack]);
      if (rows.length >= count) break;
    }
  }
  r.array(rows.length);
  for (const [id, nack] of rows) {
    r.array(4);
    r.bulk(formatId(id));
    r.bulk(nack.consumer.name);
    const el = t - nack.deliveryTime;
    r.int(el < 0 ? 0 : el);
    r.int(nack.deliveryCount);
  }
}

function xclaim(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  const key = argv[1];
  const s = writeStream(c, key);
  if (s === undefined) return;
  const cg = s === null ? undefined : s.group(argv[2]);
  if (s === null || cg === undefined) return r.error(XE.noGroup(key, argv[2]));
  const mi = parseLL(argv[4]);
  if (mi === null) return r.error(XE.XCLAIM_MINIDLE);
  const minidle = mi < 0 ? 0 : mi;
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseStreamId(argv[j], true, 0n);
    if (p === null) break;
    ids.push(p.id);
  }
  const t = now(c);
  let force = false;
  let justid = false;
  let deliveryTime = -1;
  let retrycount = -1;
  let lastId = 0n;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (eqi(opt, 'force')) force = true;
    else if (eqi(opt, 'justid')) justid = true;
    else if (eqi(opt, 'idle') && more > 0) {
      const v = parseLL(argv[++j]);
      if (v === null) return r.error(XE.XCLAIM_IDLE);
      deliveryTime = t - v;
    } else if (eqi(opt, 'time') && more > 0) {
      const v = parseLL(argv[++j]);
      if (v === null) return r.error(XE.XCLAIM_TIME);
      deliveryTime = v;
    } else if (eqi(opt, 'retrycount') && more > 0) {
      const v = parseLL(argv[++j]);
      if (v === null) return r.error(XE.XCLAIM_RETRYCOUNT);
      retrycount = v;
    } else if (eqi(opt, 'lastid') && more > 0) {
      const id = parseIdOrReply(c, argv[++j], true, 0n);
      if (id === null) return;
      lastId = id;
    } else return r.error(XE.xclaimOption(opt));
  }
  let propagateLastId = false;
  if (lastId > cg.lastId) {
    cg.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > t) deliveryTime = t;
  } else deliveryTime = t;

  let consumer: StreamConsumer | null = null;
  const claimed: Array<[StreamID, string[] | undefined]> = [];
  for (const id of ids) {
    let nack = cg.pel.get(id);
    if (s.get(id) === undefined) {
      if (nack !== undefined) {
        propagateXclaim(c, key, cg, id, nack);
        propagateLastId = false;
        s.removeNack(cg, id);
      }
      continue;
    }
    let fresh = false;
    if (force && nack === undefined) {
      fresh = true;
      nack = new StreamNACK(null as unknown as StreamConsumer, t, 1);
    }
    if (nack === undefined) continue;
    if (!fresh && minidle && t - nack.deliveryTime < minidle) continue;
    if (consumer === null) consumer = lookupOrCreateConsumer(c, s, cg, key, argv[3], false);
    if (fresh) {
      nack.consumer = consumer;
      s.addNack(cg, id, nack);
    } else s.moveNack(id, nack, consumer);
    nack.deliveryTime = deliveryTime;
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount++;
    claimed.push([id, justid ? undefined : s.get(id)]);
    propagateXclaim(c, key, cg, id, nack);
    propagateLastId = false;
  }
  if (propagateLastId) propagateGroupId(c, key, cg);
  r.array(claimed.length);
  for (const [id, fv] of claimed) {
    if (justid) r.bulk(formatId(id));
    else if (fv === undefined) r.nullBulk();
    else replyEntry(c, id, fv);
  }
}

function xautoclaim(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  const key = argv[1];
  const mi = parseLL(argv[4]);
  if (mi === null) return r.error(XE.XAUTOCLAIM_MINIDLE);
  const minidle = mi < 0 ? 0 : mi;
  const st = parseIntervalOrReply(c, argv[5], 0n);
  if (st === null) return;
  let start = st.id;
  if (st.ex) {
    if (start === ID_MAX) return r.error(XE.INVALID_START);
    start++;
  }
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (eqi(argv[j], 'count') && more > 0) {
      const v = parseInt64(argv[j + 1]);
      if (v === null || typeof v === 'bigint' || v < 1 || v > 576460752303423487) return r.error(XE.XAUTOCLAIM_COUNT);
      count = v;
      j++;
    } else if (eqi(argv[j], 'justid')) justid = true;
    else return r.error(E.SYNTAX);
  }
  const s = writeStream(c, key);
  if (s === undefined) return;
  const cg = s === null ? undefined : s.group(argv[2]);
  if (s === null || cg === undefined) return r.error(XE.noGroup(key, argv[2]));
  let attempts = count * 10;
  const t = now(c);
  let consumer: StreamConsumer | null = null;
  const claimed: Array<[StreamID, string[]]> = [];
  const deleted: StreamID[] = [];
  let cur = start;
  let eof = false;
  while (attempts-- > 0 && count > 0) {
    const k = cg.pel.keysFrom(cur, 1);
    if (k.length === 0) {
      eof = true;
      break;
    }
    const id = k[0];
    cur = id + 1n;
    const nack = cg.pel.get(id)!;
    const fv = s.get(id);
    if (fv === undefined) {
      propagateXclaim(c, key, cg, id, nack);
      s.removeNack(cg, id);
      deleted.push(id);
      count--;
      continue;
    }
    if (minidle && t - nack.deliveryTime < minidle) continue;
    if (consumer === null) consumer = lookupOrCreateConsumer(c, s, cg, key, argv[3], false);
    s.moveNack(id, nack, consumer);
    nack.deliveryTime = t;
    if (!justid) nack.deliveryCount++;
    claimed.push([id, fv]);
    count--;
    propagateXclaim(c, key, cg, id, nack);
  }
  let next = 0n;
  if (!eof) {
    const k = cg.pel.keysFrom(cur, 1);
    if (k.length > 0) next = k[0];
  }
  r.array(3);
  r.bulk(formatId(next));
  r.array(claimed.length);
  for (const [id, fv] of claimed) {
    if (justid) r.bulk(formatId(id));
    else replyEntry(c, id, fv);
  }
  r.array(deleted.length);
  for (const id of deleted) r.bulk(formatId(id));
}

// ---- XINFO ------------------------------------------------------------------------------------

/** The XINFO subcommands' common lookup (lookupKeyReadOrReply with "no such key"). */
function xinfoStreamOrReply(c: CommandContext, key: string): StreamValue | null {
  const s = readStream(c, key);
  if (s === undefined) return null;
  if (s === null) {
    c.reply.error(E.NO_SUCH_KEY);
    return null;
  }
  return s;
}

function replyEdgeEntry(c: CommandContext, s: StreamValue, first: boolean): void {
  let done = false;
  s.range(0n, ID_MAX, !first, (id, fv) => {
    replyEntry(c, id, fv);
    done = true;
    return false;
  });
  if (!done) c.reply.nullBulk();
}

function replyLag(c: CommandContext, s: StreamValue, cg: StreamCG): void {
  const lag = s.lag(cg);
  if (lag === null) c.reply.nullBulk();
  else c.reply.int(lag);
}

function replyEntriesRead(c: CommandContext, cg: StreamCG): void {
  if (cg.entriesRead !== ENTRIES_READ_INVALID) c.reply.int(cg.entriesRead);
  else c.reply.nullBulk();
}

function xinfoStream(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  let full = false;
  let count = 10;
  const extra = argv.length - 3;
  if (extra > 0) {
    if (!eqi(argv[3], 'full') || (extra !== 1 && extra !== 3)) return r.error(E.subcommandSyntax(argv[1], 'xinfo'));
    full = true;
    if (extra === 3) {
      if (!eqi(argv[4], 'count')) return r.error(E.subcommandSyntax(argv[1], 'xinfo'));
      const v = parseLL(argv[5]);
      if (v === null) return r.error(E.NOT_INTEGER);
      count = v < 0 ? 10 : v;
    }
  }
  const s = xinfoStreamOrReply(c, argv[2]);
  if (s === null) return;
  r.map(full ? 9 : 10);
  r.bulk('length');
  r.int(s.length);
  r.bulk('radix-tree-keys');
  r.int(s.nodes.length);
  r.bulk('radix-tree-nodes');
  r.int(s.raxNodes());
  r.bulk('last-generated-id');
  r.bulk(formatId(s.lastId));
  r.bulk('max-deleted-entry-id');
  r.bulk(formatId(s.maxDeletedId));
  r.bulk('entries-added');
  r.int(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(formatId(s.firstId));
  if (!full) {
    r.bulk('groups');
    r.int(s.groupCount);
    r.bulk('first-entry');
    replyEdgeEntry(c, s, true);
    r.bulk('last-entry');
    replyEdgeEntry(c, s, false);
    return;
  }
  r.bulk('entries');
  const { ids, fvs } = collectRange(s, 0n, ID_MAX, false, count);
  replyEntries(c, ids, fvs);
  r.bulk('groups');
  const groups = s.sortedGroups();
  r.array(groups.length);
  const lim = count === 0 ? Number.MAX_SAFE_INTEGER : count;
  for (const cg of groups) {
    r.map(7);
    r.bulk('name');
    r.bulk(cg.name);
    r.bulk('last-delivered-id');
    r.bulk(formatId(cg.lastId));
    r.bulk('entries-read');
    replyEntriesRead(c, cg);
    r.bulk('lag');
    replyLag(c, s, cg);
    r.bulk('pel-count');
    r.int(cg.pel.size);
    r.bulk('pending');
    const pel = pelHead(cg.pel, lim);
    r.array(pel.length);
    for (const [id, nack] of pel) {
      r.array(4);
      r.bulk(formatId(id));
      r.bulk(nack.consumer.name);
      r.int(nack.deliveryTime);
      r.int(nack.deliveryCount);
    }
    r.bulk('consumers');
    const cons = cg.sortedConsumers();
    r.array(cons.length);
    for (const x of cons) {
      r.map(4);
      r.bulk('name');
      r.bulk(x.name);
      r.bulk('seen-time');
      r.int(x.seenTime);
      r.bulk('pel-count');
      r.int(x.pel.size);
      r.bulk('pending');
      const cp = pelHead(x.pel, lim);
      r.array(cp.length);
      for (const [id, nack] of cp) {
        r.array(3);
        r.bulk(formatId(id));
        r.int(nack.deliveryTime);
        r.int(nack.deliveryCount);
      }
    }
  }
}

/** The first `lim` entries of a PEL, in ID order (XINFO STREAM FULL's COUNT). */
function pelHead(pel: IdMap<StreamNACK>, lim: number): Array<[StreamID, StreamNACK]> {
  const out: Array<[StreamID, StreamNACK]> = [];
  for (const e of pel.entries()) {
    if (out.length >= lim) break;
    out.push(e);
  }
  return out;
}

function xinfoGroups(c: CommandContext, argv: string[]): void {
  const s = xinfoStreamOrReply(c, argv[2]);
  if (s === null) return;
  const r = c.reply;
  const groups = s.sortedGroups();
  r.array(groups.length);
  for (const cg of groups) {
    r.map(6);
    r.bulk('name');
    r.bulk(cg.name);
    r.bulk('consumers');
    r.int(cg.consumers.size);
    r.bulk('pending');
    r.int(cg.pel.size);
    r.bulk('last-delivered-id');
    r.bulk(formatId(cg.lastId));
    r.bulk('entries-read');
    replyEntriesRead(c, cg);
    r.bulk('lag');
    replyLag(c, s, cg);
  }
}

function xinfoConsumers(c: CommandContext, argv: string[]): void {
  const s = xinfoStreamOrReply(c, argv[2]);
  if (s === null) return;
  const cg = s.group(argv[3]);
  if (cg === undefined) return c.reply.error(XE.noGroupForKey(argv[3], argv[2]));
  const r = c.reply;
  const t = now(c);
  const cons = cg.sortedConsumers();
  r.array(cons.length);
  for (const x of cons) {
    r.map(3);
    r.bulk('name');
    r.bulk(x.name);
    r.bulk('pending');
    r.int(x.pel.size);
    r.bulk('idle');
    r.int(t - x.seenTime);
  }
}

// ---- XSETID -----------------------------------------------------------------------------------

function xsetid(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  const id = parseIdOrReply(c, argv[2], true, 0n);
  if (id === null) return;
  let entriesAdded = -1;
  let maxDel = 0n;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    if (eqi(argv[i], 'entriesadded') && more > 0) {
      const v = nonNegativeOrReply(c, argv[i + 1], XE.ENTRIES_ADDED_NEGATIVE);
      if (v === null) return;
      entriesAdded = v;
      i += 2;
    } else if (eqi(argv[i], 'maxdeletedid') && more > 0) {
      const m = parseIdOrReply(c, argv[i + 1], true, 0n);
      if (m === null) return;
      if (id < m) return r.error(XE.XSETID_MAXDEL_ARG);
      maxDel = m;
      i += 2;
    } else return r.error(E.SYNTAX);
  }
  const key = argv[1];
  const s = writeStream(c, key);
  if (s === undefined) return;
  if (s === null) return r.error(E.NO_SUCH_KEY);
  // 7.0.15 does not compare with the current max_deleted_entry_id (7.2 does): no check here.
  if (s.length > 0) {
    if (id < s.lastValidId()) return r.error(XE.XSETID_TOP);
    if (entriesAdded !== -1 && s.length > entriesAdded) return r.error(XE.XSETID_ENTRIES);
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDel !== 0n) s.maxDeletedId = maxDel;
  c.notify(NOTIFY.STREAM, 'xsetid', key);
  c.propagate(argv);
  r.ok();
}

// ---- the table ----------------------------------------------------------------------------

export const streamCommands: CommandSpec[] = [
  def('xadd', -5, 'write denyoom fast', [1, 1, 1], '@stream', xadd, { tips: ['nondeterministic_output'] }),
  def('xlen', 2, 'readonly fast', [1, 1, 1], '@stream', xlen),
  def('xrange', -4, 'readonly', [1, 1, 1], '@stream', xrange),
  def('xrevrange', -4, 'readonly', [1, 1, 1], '@stream', xrevrange),
  def('xdel', -3, 'write fast', [1, 1, 1], '@stream', xdel),
  def('xtrim', -4, 'write', [1, 1, 1], '@stream', xtrim, { tips: ['nondeterministic_output'] }),
  def('xread', -4, 'readonly blocking movablekeys', [0, 0, 0], '@stream', xread, { getKeys: xreadKeys }),
  def('xreadgroup', -7, 'write blocking movablekeys', [0, 0, 0], '@stream', xreadgroup, { getKeys: xreadKeys }),
  def('xgroup', -2, '', [0, 0, 0], '', xgroupHelp, {
    group: 'stream',
    subcommands: [
      def('create', -5, 'write denyoom', [2, 2, 1], '@stream', xgroupCreate),
      def('setid', -5, 'write', [2, 2, 1], '@stream', xgroupSetid),
      def('destroy', 4, 'write', [2, 2, 1], '@stream', xgroupDestroy),
      def('createconsumer', 5, 'write denyoom', [2, 2, 1], '@stream', xgroupCreateConsumer),
      def('delconsumer', 5, 'write', [2, 2, 1], '@stream', xgroupDelConsumer),
      def('help', 2, 'loading stale', [0, 0, 0], '@stream', xgroupHelp),
    ],
  }),
  def('xack', -4, 'write fast', [1, 1, 1], '@stream', xack),
  def('xpending', -3, 'readonly', [1, 1, 1], '@stream', xpending, { tips: ['nondeterministic_output'] }),
  def('xclaim', -6, 'write fast', [1, 1, 1], '@stream', xclaim, { tips: ['nondeterministic_output'] }),
  def('xautoclaim', -6, 'write fast', [1, 1, 1], '@stream', xautoclaim, { tips: ['nondeterministic_output'] }),
  def('xinfo', -2, '', [0, 0, 0], '', xinfoHelp, {
    group: 'stream',
    subcommands: [
      def('stream', -3, 'readonly', [2, 2, 1], '@stream', xinfoStream),
      def('groups', 3, 'readonly', [2, 2, 1], '@stream', xinfoGroups),
      def('consumers', 4, 'readonly', [2, 2, 1], '@stream', xinfoConsumers, { tips: ['nondeterministic_output'] }),
      def('help', 2, 'loading stale', [0, 0, 0], '@stream', xinfoHelp),
    ],
  }),
  def('xsetid', -3, 'write denyoom fast', [1, 1, 1], '@stream', xsetid),
];
