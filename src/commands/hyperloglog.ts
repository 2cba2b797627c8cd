// HyperLogLog commands (Redis hyperloglog.c): PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. An HLL is
// a plain string value in Redis's own format (types/hyperloglog.ts owns the codec), so GET, SET,
// DUMP-like paths and the persistence layer see Redis's exact bytes.
//
// Redis changes the HLL's sds in place (after dbUnshareStringValue, which makes the value "raw");
// here each change stores a new string, keeping the TTL (it is the same key's value being
// modified), and every value these commands store or touch gets the "raw" encoding hint.
//
// Propagation and the dirty counter follow Redis's call(): a command that increments
// server.dirty is propagated as received. So PFADD (dirty += registers changed, + 1 if it created
// the key) and PFMERGE are logged as received; PFADD that changes nothing logs nothing. PFCOUNT
// of one key whose cached cardinality was stale writes the new cache into the value — which is
// a change of the stored bytes — and Redis then propagates "PFCOUNT key" (verified in
// redis-server 7.0.15's AOF); so does Hoard: replaying it recomputes the same cardinality from
// the same registers, so the replayed value gets the same bytes. PFDEBUG GETREG/TODENSE on a
// sparse HLL convert it to dense (Redis: dirty++ "to force propagation on encoding change");
// both are logged as "PFDEBUG TODENSE key", the same effect without GETREG's 16384-entry reply
// at replay. Replaying any of these depends on hll-sparse-max-bytes being the same, as in Redis.
//
// Keyspace events: "pfadd" for PFADD and PFMERGE (Redis: "a mass-add of elements"); none for
// PFCOUNT's cache update or PFDEBUG.

import { STR_RAW } from '../keyspace/index.js';
import { NOTIFY } from '../config.js';
import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import {
  EMPTY_HLL,
  ERR_INVALID_HLL,
  ERR_NOT_HLL,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  cacheValid,
  cachedCard,
  denseRegister,
  hllAddElements,
  hllCount,
  hllCountRaw,
  hllEncoding,
  hllMerge,
  hllMergeInto,
  hllSelfTest,
  isHll,
  sparseDecode,
  sparseToDense,
  withCachedCard,
} from '../types/hyperloglog.js';

/** EMPTY_HLL with its cached cardinality invalidated: PFADD of a new key without elements. */
const EMPTY_HLL_CREATED = EMPTY_HLL.slice(0, 15) + '\x80' + EMPTY_HLL.slice(16);

const ERR_NO_KEY = 'ERR The specified key does not exist';
const ERR_NOT_SPARSE = 'ERR HLL encoding is not sparse';

/** Merged registers of PFCOUNT (several keys) and PFMERGE: one byte per register. */
const MAX = new Uint8Array(HLL_REGISTERS);

function sparseMaxBytes(c: CommandContext): number {
  return c.server.config.num('hll-sparse-max-bytes');
}

/**
 * isHLLObjectOrReply for a value found at a key: the string itself, or null after replying
 * WRONGTYPE (not a string, or a string that is not an HLL).
 */
function hllOrReply(c: CommandContext, v: unknown): string | null {
  if (typeof v !== 'string') {
    c.reply.error(E.WRONGTYPE);
    return null;
  }
  if (!isHll(v)) {
    c.reply.error(ERR_NOT_HLL);
    return null;
  }
  return v;
}

/** Stores a changed HLL at slot `s` (keeping its TTL) or adds it; marks it "raw". */
function store(c: CommandContext, s: number, key: string, value: string): number {
  const db = c.db;
  const slot = s >= 0 ? db.overwrite(s, value, true) : db.addAfterMiss(key, value);
  db.setStringHintAt(slot, STR_RAW);
  return slot;
}

/**
 * server.dirty += n for a command that then propagates once: the log counts one change per
 * mutation, Redis counts PFADD's register updates (INFO rdb_changes_since_last_save).
 */
function addDirty(c: CommandContext, n: number): void {
  c.server.log.dirty += n - 1;
}

function pfadd(c: CommandContext, argv: string[]): void {
  const key = argv[1];
  const db = c.db;
  const s = db.lookupWrite(key);
  let v = EMPTY_HLL;
  let updated = 0;
  if (s < 0) {
    updated = 1;
  } else {
    const cur = hllOrReply(c, db.valueAt(s));
    if (cur === null) return;
    v = cur;
    db.setStringHintAt(s, STR_RAW); // dbUnshareStringValue
  }
  const r = hllAddElements(v, argv, 2, sparseMaxBytes(c));
  if (r.error) {
    // Redis stops at the element that found the sparse body invalid, the earlier updates made
    // in place, without signalling or propagating them. The bytes are kept as Redis keeps them;
    // they are logged as a SET so that a replay still reproduces this key.
    if (r.updated !== 0) {
      store(c, s, key, r.value);
      c.propagate(['SET', key, r.value, 'KEEPTTL']);
    }
    return c.reply.error(ERR_INVALID_HLL);
  }
  updated += r.updated;
  if (updated !== 0) {
    // A new key counts as an update: its cache is invalidated even with no element.
    store(c, s, key, r.updated === 0 ? EMPTY_HLL_CREATED : r.value);
    c.notify(NOTIFY.STRING, 'pfadd', key);
    addDirty(c, updated);
    c.propagate(argv);
  }
  c.reply.int(updated !== 0 ? 1 : 0);
}

function pfcount(c: CommandContext, argv: string[]): void {
  const db = c.db;
  if (argv.length > 2) {
    // The cardinality of the union; the keys are not modified.
    const max = MAX;
    max.fill(0);
    for (let j = 1; j < argv.length; j++) {
      const found = db.readValue(argv[j]);
      if (found === undefined) continue;
      const v = hllOrReply(c, found);
      if (v === null) return;
      if (!hllMerge(max, v)) return c.reply.error(ERR_INVALID_HLL);
    }
    return c.reply.int(hllCountRaw(max));
  }
  const key = argv[1];
  const s = db.lookupRead(key);
  if (s < 0) return c.reply.int(0);
  const v = hllOrReply(c, db.valueAt(s));
  if (v === null) return;
  db.setStringHintAt(s, STR_RAW); // dbUnshareStringValue
  if (cacheValid(v)) return c.reply.int(cachedCard(v));
  const card = hllCount(v);
  if (card < 0) return c.reply.error(ERR_INVALID_HLL);
  // The cache update changes the stored bytes: Redis signals the key, counts a change and so
  // propagates "PFCOUNT key"; its replay recomputes the same card from the same registers.
  store(c, s, key, withCachedCard(v, card));
  c.propagate(['PFCOUNT', key]);
  c.reply.int(card);
}

function pfmerge(c: CommandContext, argv: string[]): void {
  const db = c.db;
  const max = MAX;
  max.fill(0);
  let useDense = false;
  // argv[1], the destination, is merged too.
  for (let j = 1; j < argv.length; j++) {
    const found = db.readValue(argv[j]);
    if (found === undefined) continue;
    const v = hllOrReply(c, found);
    if (v === null) return;
    if (hllEncoding(v) === HLL_DENSE) useDense = true;
    if (!hllMerge(max, v)) return c.reply.error(ERR_INVALID_HLL);
  }
  const key = argv[1];
  const s = db.lookupWrite(key);
  // An existing destination was validated as a source above.
  const dest = s < 0 ? EMPTY_HLL : (db.valueAt(s) as string);
  const merged = hllMergeInto(dest, max, useDense, sparseMaxBytes(c));
  if (merged === null) return c.reply.error(ERR_INVALID_HLL);
  store(c, s, key, merged);
  c.notify(NOTIFY.STRING, 'pfadd', key);
  c.propagate(argv);
  c.reply.ok();
}

/** Converts the sparse HLL `v` at slot `s` to dense and logs it; false after an error reply. */
function debugToDense(c: CommandContext, s: number, key: string, v: string): string | null {
  const dense = sparseToDense(v);
  if (dense === null) {
    c.reply.error(ERR_INVALID_HLL);
    return null;
  }
  store(c, s, key, dense);
  c.propagate(['PFDEBUG', 'TODENSE', key]);
  return dense;
}

function pfdebug(c: CommandContext, argv: string[]): void {
  const cmd = argv[1];
  const key = argv[2];
  const db = c.db;
  const s = db.lookupWrite(key);
  if (s < 0) return c.reply.error(ERR_NO_KEY);
  const v = hllOrReply(c, db.valueAt(s));
  if (v === null) return;
  db.setStringHintAt(s, STR_RAW); // dbUnshareStringValue, whatever the subcommand
  const sparse = hllEncoding(v) === HLL_SPARSE;
  switch (cmd.length <= 8 ? cmd.toLowerCase() : '') {
    case 'getreg': {
      let d = v;
      if (sparse) {
        const conv = debugToDense(c, s, key, v);
        if (conv === null) return;
        d = conv;
      }
      const r = c.reply;
      r.array(HLL_REGISTERS);
      for (let j = 0; j < HLL_REGISTERS; j++) r.int(denseRegister(d, j));
      return;
    }
    case 'decode':
      if (!sparse) return c.reply.error(ERR_NOT_SPARSE);
      return c.reply.bulk(sparseDecode(v));
    case 'encoding':
      return c.reply.simple(sparse ? 'sparse' : 'dense');
    case 'todense':
      if (sparse && debugToDense(c, s, key, v) === null) return;
      return c.reply.int(sparse ? 1 : 0);
    default:
      // addReplyErrorFormat turns CR and LF into spaces.
      return c.reply.error(`ERR Unknown PFDEBUG subcommand '${cmd.replace(/[\r\n]/g, ' ')}'`);
  }
}

function pfselftest(c: CommandContext): void {
  const err = hllSelfTest(Math.random, sparseMaxBytes(c));
  if (err !== null) return c.reply.error('ERR ' + err);
  c.reply.ok();
}

export const hyperloglogCommands: CommandSpec[] = [
  def('pfadd', -2, 'write denyoom fast', [1, 1, 1], '@hyperloglog', pfadd),
  def('pfcount', -2, 'readonly', [1, -1, 1], '@hyperloglog', pfcount),
  def('pfmerge', -2, 'write denyoom', [1, -1, 1], '@hyperloglog', pfmerge),
  def('pfdebug', 3, 'write denyoom admin', [2, 2, 1], '@hyperloglog', pfdebug),
  def('pfselftest', 1, 'admin', [0, 0, 0], '@hyperloglog', pfselftest),
];
