// DUMP and RESTORE (Redis 7.0 cluster.c dumpCommand / restoreCommand): a key's value as Redis's
// DUMP payload (persistence/rdb-value.ts has the format), and a key created from one, so keys move
// between redis-server and Hoard in both directions (migration tools DUMP on one, RESTORE on the
// other).
//
// Invariants: RESTORE checks in Redis's order — options, BUSYKEY, the TTL, the footer (version and
// CRC-64), then the object — and changes nothing unless all pass; a payload that fails is
// answered with Redis's error and never throws out of the handler. Its canonical mutation is
// `RESTORE key <abs-ms|0> <payload> ABSTTL REPLACE [IDLETIME s | FREQ f]`: the absolute expiry
// means a replay later does not extend the TTL, REPLACE makes the replay independent of what the
// key held, and the payload decodes to the same value on replay (same decoder, same config).
// An already-elapsed expiry creates nothing (a replaced key is deleted and DEL is propagated).

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { NOTIFY } from '../config.js';
import { parseInt64 } from '../util/numbers.js';
import { checkAlreadyExpired } from './keys.js';
import { msText } from './strings.js';
import { lfuTimeInMinutes } from '../keyspace/evict.js';
import { createDumpPayload, decodeDumpPayload, verifyDumpPayload } from '../persistence/rdb-value.js';
import type { Value } from '../keyspace/index.js';

/** RESTORE's own error replies, Redis 7.0's text. */
export const DUMP_ERRORS = {
  BAD_PAYLOAD: 'ERR DUMP payload version or checksum are wrong',
  BAD_FORMAT: 'ERR Bad data format',
  INVALID_TTL: 'ERR Invalid TTL value, must be >= 0',
  INVALID_IDLETIME: 'ERR Invalid IDLETIME value, must be >= 0',
  INVALID_FREQ: 'ERR Invalid FREQ value, must be >= 0 and <= 255',
} as const;

/** Largest exact integer a double expiry holds; RESTORE's ttl + now must stay an int64. */
const INT64_MAX_BIG = 2n ** 63n - 1n;

function dump(c: CommandContext, argv: string[]): void {
  const v = c.db.readValue(argv[1]);
  if (v === undefined) return c.reply.nullBulk();
  c.reply.bulk(createDumpPayload(v, c.server.config).toString('latin1'));
}

function isLfu(c: CommandContext): boolean {
  return c.server.config.str('maxmemory-policy').includes('lfu');
}

function restore(c: CommandContext, argv: string[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  let idleArg: string | null = null;
  let freqArg: string | null = null;
  for (let j = 4; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    const additional = argv.length - j - 1;
    if (o === 'replace') replace = true;
    else if (o === 'absttl') absttl = true;
    else if (o === 'idletime' && additional >= 1 && freq === -1) {
      const v = parseInt64(argv[j + 1]);
      if (v === null) return c.reply.error(E.NOT_INTEGER);
      if (v < 0) return c.reply.error(DUMP_ERRORS.INVALID_IDLETIME);
      idle = typeof v === 'number' ? v : Number.MAX_SAFE_INTEGER;
      idleArg = argv[++j];
    } else if (o === 'freq' && additional >= 1 && idle === -1) {
      const v = parseInt64(argv[j + 1]);
      if (v === null) return c.reply.error(E.NOT_INTEGER);
      if (v < 0 || v > 255) return c.reply.error(DUMP_ERRORS.INVALID_FREQ);
      freq = Number(v);
      freqArg = argv[++j];
    } else return c.reply.error(E.SYNTAX);
  }

  const db = c.db;
  const key = argv[1];
  // lookupKeyWrite: an expired key is deleted (and its DEL propagated) on the way.
  const existing = db.lookupWrite(key);
  if (!replace && existing >= 0) return c.reply.error(E.BUSYKEY);

  const ttlv = parseInt64(argv[2]);
  if (ttlv === null) return c.reply.error(E.NOT_INTEGER);
  if (ttlv < 0) return c.reply.error(DUMP_ERRORS.INVALID_TTL);

  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload)) return c.reply.error(DUMP_ERRORS.BAD_PAYLOAD);
  let value: Value;
  try {
    value = decodeDumpPayload(payload, c.server.config);
  } catch {
    // RdbFormatError, or a RangeError from a read the checks missed: either way the payload is
    // bad, and nothing has been changed yet.
    return c.reply.error(DUMP_ERRORS.BAD_FORMAT);
  }

  // The absolute expiry (0 = none). Redis adds now in int64 without a check; beyond that range
  // the sum is only stored approximately here, as every expiry beyond 2^53 ms is.
  let when = 0;
  if (ttlv !== 0) {
    if (absttl) when = Number(ttlv);
    else {
      const sum = BigInt(ttlv) + BigInt(c.server.ks.clock.now());
      when = Number(sum > INT64_MAX_BIG ? INT64_MAX_BIG : sum);
    }
  }

  if (when !== 0 && checkAlreadyExpired(c, when)) {
    if (replace && existing >= 0) {
      db.deleteSlot(existing);
      c.notify(NOTIFY.GENERIC, 'del', key);
      c.propagate(['DEL', key]);
    }
    return c.reply.ok();
  }

  if (existing >= 0) db.deleteSlot(existing);
  const s = db.add(key, value);
  if (when !== 0) db.setExpire(s, when);
  // objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME under any other; the other is ignored.
  if (isLfu(c)) {
    if (freq >= 0) db.setLruAt(s, (lfuTimeInMinutes(c.server.ks.clock.now()) << 8) | freq);
  } else if (idle >= 0) {
    const lruClock = c.server.ks.lruClock;
    db.setLruAt(s, idle <= lruClock ? lruClock - idle : 0);
  }
  const prop = ['RESTORE', key, when === 0 ? '0' : msText(when), argv[3], 'ABSTTL', 'REPLACE'];
  if (idleArg !== null) prop.push('IDLETIME', idleArg);
  if (freqArg !== null) prop.push('FREQ', freqArg);
  c.propagate(prop);
  c.notify(NOTIFY.GENERIC, 'restore', key);
  c.reply.ok();
}

export const dumpCommands: CommandSpec[] = [
  def('dump', 2, 'readonly', [1, 1, 1], '@keyspace', dump, { tips: ['nondeterministic_output'] }),
  def('restore', -4, 'write denyoom', [1, 1, 1], '@keyspace @dangerous', restore),
];
