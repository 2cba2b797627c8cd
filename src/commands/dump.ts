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
//
// MIGRATE (Redis 7.0 migrateCommand) sends keys to another server as RESTORE (RESTORE-ASKING in
// cluster mode) commands over a cached connection, and deletes here those the target
// acknowledged. It blocks this server for the transfer, as Redis does (server/migrate-link.ts
// says why and how): no command runs between the DUMP and the DEL. Its canonical mutation is
// the DEL of the keys that left (none with COPY); a target's error reply leaves every key it
// refused here, and an I/O error leaves a key here, on the target, or on both — never nowhere.

import { def } from './table.js';
import { encodeCommand } from '../protocol/reply.js';
import { REDACTED } from '../server/monitor.js';
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

/** MIGRATE's replies of its own, Redis 7.0's text. */
const MIGRATE_ERRORS = {
  KEYS_NEED_EMPTY_KEY: 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string',
  CONNECTING: 'IOERR error or timeout connecting to the client',
} as const;

/** Redis getLongFromObjectOrReply: a long, or null (answered with NOT_INTEGER). */
function parseLong(s: string): number | null {
  const v = parseInt64(s);
  return typeof v === 'number' ? v : null;
}

/** A command MIGRATE sends, as RESP bytes (arguments are latin1 strings: one char per byte). */
function resp(argv: string[]): Buffer {
  return Buffer.from(encodeCommand(argv), 'latin1');
}

function migrate(c: CommandContext, argv: string[]): void {
  let copy = false;
  let replace = false;
  let auth: string[] | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    const more = argv.length - 1 - j;
    if (o === 'copy') copy = true;
    else if (o === 'replace') replace = true;
    else if (o === 'auth') {
      if (more < 1) return c.reply.error(E.SYNTAX);
      auth = [argv[++j]];
      argv[j] = REDACTED; // credentials never reach SLOWLOG (Redis redactClientCommandArgument)
    } else if (o === 'auth2') {
      if (more < 2) return c.reply.error(E.SYNTAX);
      auth = [argv[j + 1], argv[j + 2]];
      argv[++j] = REDACTED;
      argv[++j] = REDACTED;
    } else if (o === 'keys') {
      if (argv[3].length !== 0) return c.reply.error(MIGRATE_ERRORS.KEYS_NEED_EMPTY_KEY);
      firstKey = j + 1;
      numKeys = argv.length - j - 1;
      break;
    } else return c.reply.error(E.SYNTAX);
  }
  let timeout = parseLong(argv[5]);
  const dbid = parseLong(argv[4]);
  if (timeout === null || dbid === null) return c.reply.error(E.NOT_INTEGER);
  if (timeout <= 0) timeout = 1000;

  // The keys that are here (an expired one is not); none at all is +NOKEY, not an error.
  const db = c.db;
  const name = c.server.cluster !== null ? 'RESTORE-ASKING' : 'RESTORE';
  const keys: string[] = [];
  const cmds: Buffer[] = [];
  const now = c.server.ks.clock.now();
  let present = 0;
  for (let j = firstKey; j < firstKey + numKeys; j++) {
    const key = argv[j];
    const s = db.lookupRead(key);
    if (s < 0) continue;
    present++;
    const at = db.expiryAt(s);
    let ttl = 0;
    if (at !== 0) {
      ttl = at - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    keys.push(key);
    const payload = createDumpPayload(db.valueAt(s), c.server.config).toString('latin1');
    cmds.push(resp(replace ? [name, key, String(ttl), payload, 'REPLACE'] : [name, key, String(ttl), payload]));
  }
  if (present === 0) return c.reply.simple('NOKEY');

  const r = c.server.migrate.transfer({
    host: argv[1],
    port: Number.parseInt(argv[2], 10) || 0, // Redis: atoi
    timeoutMs: timeout,
    dbid,
    auth: auth === null ? null : resp(['AUTH', ...auth]),
    select: resp(['SELECT', String(dbid)]),
    body: Buffer.concat(cmds),
    replies: keys.length,
  });
  if (r.ioError === 'connecting') return c.reply.error(MIGRATE_ERRORS.CONNECTING);

  // The first error reply (AUTH's, SELECT's, then the RESTOREs' in order) is the answer; a key
  // is deleted only when its own RESTORE said OK and neither AUTH nor SELECT failed.
  const headError = r.authLine?.[0] === '-' ? r.authLine : r.selectLine?.[0] === '-' ? r.selectLine : null;
  let targetError: string | null = headError;
  const deleted: string[] = ['DEL'];
  for (let j = 0; j < r.lines.length; j++) {
    const line = r.lines[j];
    if (headError !== null || line[0] === '-') {
      if (targetError === null) targetError = line;
      continue;
    }
    if (copy) continue;
    if (db.delete(keys[j])) {
      c.notify(NOTIFY.GENERIC, 'del', keys[j]);
      deleted.push(keys[j]);
    }
  }
  if (deleted.length > 1) c.propagate(deleted);
  if (targetError !== null) return c.reply.error('ERR Target instance replied with error: ' + targetError.slice(1));
  if (r.ioError !== null) return c.reply.error(`IOERR error or timeout ${r.ioError} to target instance`);
  c.reply.ok();
}

/**
 * Redis migrateGetKeys: the key argument, or with KEYS (and an empty key argument) the keys
 * after it; the options before KEYS are skipped with their values.
 */
function migrateKeys(argv: readonly string[]): number[] {
  for (let i = 6; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'keys') {
      if (argv[3].length > 0) return [];
      const out: number[] = [];
      for (let k = i + 1; k < argv.length; k++) out.push(k);
      return out;
    }
    if (o === 'auth') i += 1;
    else if (o === 'auth2') i += 2;
  }
  return [3];
}

export const dumpCommands: CommandSpec[] = [
  def('dump', 2, 'readonly', [1, 1, 1], '@keyspace', dump, { tips: ['nondeterministic_output'] }),
  def('restore', -4, 'write denyoom', [1, 1, 1], '@keyspace @dangerous', restore),
  def('restore-asking', -4, 'write denyoom asking', [1, 1, 1], '@keyspace @dangerous', restore),
  def('migrate', -6, 'write movablekeys', [3, 3, 1], '@keyspace @dangerous', migrate, {
    getKeys: migrateKeys,
    tips: ['nondeterministic_output'],
  }),
];
