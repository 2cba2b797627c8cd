// The interchange formats of hoard-dump / hoard-restore, one key at a time:
//  - JSON Lines: {"db":0,"key":K,"type":T,"ttl":MS,"pxat":ABS,"value":V}, one key per line;
//  - RESP commands for `redis-cli --pipe` (and for hoard-restore --host).
// A stream's JSON value is the list of its tagged elements as the snapshot stores them (entries,
// groups, consumers, pending entries: see the stream layout in src/persistence/value-codec.ts);
// as RESP it is one RESTORE of its DUMP payload in Redis's own format, which redis-server and
// Hoard both load.
// Keys and values are binary-safe latin1 strings inside Hoard (one char per byte). In JSON a byte
// string that is valid UTF-8 is written as a JSON string of its text, any other as
// {"base64":"..."}; a zset score is a JSON number, or "inf" / "-inf".
// Invariant: decodeJsonLine(encodeJsonLine(k)) gives back exactly the bytes, type, elements and
// absolute expiry of k, and the RESP commands of k rebuild k on an empty Redis or Hoard.

import { isUtf8 } from 'node:buffer';
import { encodeCommand } from '../../src/protocol/reply.js';
import type { Value, ValueType } from '../../src/keyspace/index.js';
import type { ListValue } from '../../src/types/list.js';
import type { SetValue } from '../../src/types/set.js';
import type { HashValue } from '../../src/types/hash.js';
import type { ZSetValue } from '../../src/types/zset-value.js';
import type { Elements } from '../../src/persistence/value-codec.js';
import { createDumpPayload, type DumpConfig } from '../../src/persistence/rdb-value.js';
import { type StreamValue, streamFromSnapshotElements, streamSnapshotElements } from '../../src/types/stream.js';

export const VALUE_TYPES: readonly ValueType[] = ['string', 'list', 'hash', 'set', 'zset', 'stream'];

/** A key in a form both formats and both loaders share. Strings are latin1 byte strings. */
export interface KeyRecord {
  db: number;
  key: string;
  type: ValueType;
  /** Absolute unix ms, 0 = no expiry. */
  expireAt: number;
  /** The string value (type string). */
  str: string | null;
  /** Collection elements: items/members, [field, value] or [member, score]. */
  elements: Elements;
}

// ---- byte strings in JSON ------------------------------------------------------------------

/** True if every char is 7-bit (then the latin1 string is its own UTF-8 text). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** JSON text of a byte string: its UTF-8 text when valid, else {"base64": ...}. */
export function jsonBytes(s: string): string {
  if (isAscii(s)) return JSON.stringify(s);
  const b = Buffer.from(s, 'latin1');
  if (isUtf8(b)) return JSON.stringify(b.toString('utf8'));
  return `{"base64":"${b.toString('base64')}"}`;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A byte string back from its JSON form; throws a message naming `what` on a bad one. */
export function bytesFromJson(v: unknown, what: string): string {
  if (typeof v === 'string') return isAscii(v) ? v : Buffer.from(v, 'utf8').toString('latin1');
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.base64 === 'string' && o.base64.length % 4 === 0 && BASE64.test(o.base64)) {
      return Buffer.from(o.base64, 'base64').toString('latin1');
    }
  }
  throw new Error(`${what} must be a string or {"base64": "..."}`);
}

/** Score as Redis prints it in a command: shortest round-trip decimal, or inf / -inf. */
export function scoreText(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

function scoreJson(n: number): string {
  if (n === Infinity) return '"inf"';
  if (n === -Infinity) return '"-inf"';
  return String(n === 0 ? 0 : n);
}

function scoreFromJson(v: unknown, what: string): number {
  if (typeof v === 'number' && !Number.isNaN(v)) return v === 0 ? 0 : v;
  if (v === 'inf' || v === '+inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new Error(`${what} must be a number, "inf" or "-inf"`);
}

// ---- reading a live value ------------------------------------------------------------------

/** Number of elements of a value (1 for a string). */
export function elementCount(v: Value): number {
  return typeof v === 'string' ? 1 : v.size;
}

/** Streams a collection's elements: items/members, or [field, value] / [member, score] pairs. */
export function elementsOf(v: Value): Iterable<string | [string, string] | [string, number]> {
  if (typeof v === 'string') return [v];
  switch (v.type) {
    case 'list':
      return (v as ListValue).values();
    case 'set':
      return (v as SetValue).values();
    case 'hash':
      return (v as HashValue).entries();
    case 'zset':
      return (v as ZSetValue).entries();
    case 'stream':
      return streamSnapshotElements(v as StreamValue);
  }
}

// ---- JSON Lines ----------------------------------------------------------------------------

/** One JSONL line (with the final newline) for a key; `now` is the instant `ttl` is counted from. */
export function encodeJsonLine(db: number, key: string, value: Value, expireAt: number, now: number): string {
  const type = typeof value === 'string' ? 'string' : value.type;
  let s = `{"db":${db},"key":${jsonBytes(key)},"type":"${type}","ttl":`;
  s += expireAt === 0 ? '-1' : `${Math.max(0, expireAt - now)},"pxat":${expireAt}`;
  s += ',"value":';
  if (typeof value === 'string') return s + jsonBytes(value) + '}\n';
  s += '[';
  let first = true;
  switch (type) {
    case 'list':
    case 'set':
    case 'stream':
      for (const m of elementsOf(value) as Iterable<string>) {
        s += (first ? '' : ',') + jsonBytes(m);
        first = false;
      }
      break;
    case 'hash':
      for (const [f, v] of elementsOf(value) as Iterable<[string, string]>) {
        s += `${first ? '' : ','}[${jsonBytes(f)},${jsonBytes(v)}]`;
        first = false;
      }
      break;
    case 'zset':
      for (const [m, sc] of elementsOf(value) as Iterable<[string, number]>) {
        s += `${first ? '' : ','}[${jsonBytes(m)},${scoreJson(sc)}]`;
        first = false;
      }
      break;
  }
  return s + ']}\n';
}

/**
 * Parses and validates one JSONL line. `now` turns a `ttl` into an absolute expiry when the
 * line has no `pxat`. Throws an Error whose message says what is wrong.
 */
export function decodeJsonLine(line: string, now: number): KeyRecord {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new Error(`not valid JSON (${(err as Error).message})`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('a line must be a JSON object');
  const r = o as Record<string, unknown>;
  const db = r.db;
  if (typeof db !== 'number' || !Number.isInteger(db) || db < 0 || db > 255) throw new Error('"db" must be an integer from 0 to 255');
  const key = bytesFromJson(r.key, '"key"');
  const type = r.type;
  if (typeof type !== 'string' || !VALUE_TYPES.includes(type as ValueType)) throw new Error(`"type" must be one of ${VALUE_TYPES.join(', ')}`);
  let expireAt = 0;
  if (r.pxat !== undefined && r.pxat !== null) {
    if (typeof r.pxat !== 'number' || !Number.isSafeInteger(r.pxat) || r.pxat <= 0) throw new Error('"pxat" must be a positive integer (unix ms)');
    expireAt = r.pxat;
  } else if (r.ttl !== undefined && r.ttl !== null && r.ttl !== -1) {
    if (typeof r.ttl !== 'number' || !Number.isSafeInteger(r.ttl) || r.ttl < 0) throw new Error('"ttl" must be -1 or a non-negative integer (ms)');
    expireAt = now + r.ttl;
  }
  const v = r.value;
  const rec: KeyRecord = { db, key, type: type as ValueType, expireAt, str: null, elements: [] };
  if (type === 'string') {
    rec.str = bytesFromJson(v, '"value"');
    return rec;
  }
  if (!Array.isArray(v) || v.length === 0) throw new Error(`"value" of a ${type} must be a non-empty array`);
  if (type === 'list' || type === 'set' || type === 'stream') {
    const a: string[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = bytesFromJson(v[i], `"value"[${i}]`);
    if (type === 'stream') {
      try {
        streamFromSnapshotElements(a);
      } catch (err) {
        throw new Error(`"value" is not a valid stream: ${(err as Error).message}`);
      }
    }
    rec.elements = a;
  } else if (type === 'hash') {
    const a: Array<[string, string]> = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const p = v[i];
      if (!Array.isArray(p) || p.length !== 2) throw new Error(`"value"[${i}] of a hash must be [field, value]`);
      a[i] = [bytesFromJson(p[0], `"value"[${i}][0]`), bytesFromJson(p[1], `"value"[${i}][1]`)];
    }
    rec.elements = a;
  } else {
    const a: Array<[string, number]> = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const p = v[i];
      if (!Array.isArray(p) || p.length !== 2) throw new Error(`"value"[${i}] of a zset must be [member, score]`);
      a[i] = [bytesFromJson(p[0], `"value"[${i}][0]`), scoreFromJson(p[1], `"value"[${i}][1]`)];
    }
    rec.elements = a;
  }
  return rec;
}

// ---- RESP commands -------------------------------------------------------------------------

/** A collection is split into commands of at most this many elements or about this many bytes. */
export const RESP_BATCH_ELEMENTS = 1000;
export const RESP_BATCH_BYTES = 1024 * 1024;

/** What createDumpPayload reads of the config, for a stream: Redis's default rdbcompression yes. */
const STREAM_DUMP_CONFIG: DumpConfig = {
  bool: (name) => name === 'rdbcompression',
  num: (name) => {
    throw new Error(`a stream's DUMP does not read ${name}`);
  },
};

const PUSH_COMMAND: Record<Exclude<ValueType, 'string' | 'stream'>, string> = { list: 'RPUSH', set: 'SADD', hash: 'HSET', zset: 'ZADD' };

/**
 * The commands (argv, latin1) that rebuild one key on an empty db that is already SELECTed:
 * SET key value [PXAT t] for a string; RPUSH / SADD / HSET / ZADD in batches, then PEXPIREAT,
 * for a collection; RESTORE key <pxat|0> <payload> [ABSTTL] for a stream. `replace` first
 * DELetes the key (hoard-restore --force).
 */
export function* keyCommands(
  key: string,
  type: ValueType,
  str: string | null,
  elements: Iterable<string | [string, string] | [string, number]>,
  expireAt: number,
  replace = false,
): Generator<string[]> {
  if (type === 'string') {
    if (expireAt !== 0) yield ['SET', key, str ?? '', 'PXAT', String(expireAt)];
    else yield ['SET', key, str ?? ''];
    return;
  }
  if (replace) yield ['DEL', key];
  if (type === 'stream') {
    // One RESTORE of the stream's DUMP payload (no compression option matters for streams).
    const payload = createDumpPayload(streamFromSnapshotElements(elements as Iterable<string>), STREAM_DUMP_CONFIG);
    yield ['RESTORE', key, expireAt === 0 ? '0' : String(expireAt), payload.toString('latin1'), ...(expireAt === 0 ? [] : ['ABSTTL'])];
    return;
  }
  const cmd = PUSH_COMMAND[type];
  let argv: string[] = [cmd, key];
  let n = 0;
  let bytes = 0;
  for (const el of elements) {
    if (typeof el === 'string') {
      argv.push(el);
      bytes += el.length;
    } else if (type === 'zset') {
      argv.push(scoreText(el[1] as number), el[0]);
      bytes += el[0].length + 24;
    } else {
      argv.push(el[0], el[1] as string);
      bytes += el[0].length + (el[1] as string).length;
    }
    if (++n >= RESP_BATCH_ELEMENTS || bytes >= RESP_BATCH_BYTES) {
      yield argv;
      argv = [cmd, key];
      n = 0;
      bytes = 0;
    }
  }
  if (n > 0) yield argv;
  if (expireAt !== 0) yield ['PEXPIREAT', key, String(expireAt)];
}

/** SELECT as RESP. */
export function selectCommand(db: number): string {
  return encodeCommand(['SELECT', String(db)]);
}

export { encodeCommand };
