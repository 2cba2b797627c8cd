// Snapshot record codec: one key (or one bounded chunk of a large collection) ⇄ one binary
// LevelDB value. Shared by the snapshot writer, the loader, and the offline tools.
//
// Format, version 1 (all integers little-endian):
//   u8   version            = 1
//   u8   kind               0 = a whole key, 1 = first chunk of a chunked collection,
//                           2 = continuation chunk (appends to the key of the previous record)
//   u8   db
//   u8   type               0 string, 1 list, 2 hash, 3 set, 4 zset
//   f64  expireAt           absolute unix ms, 0 = no expiry (ignored on continuation chunks)
//   u32  keyLen, key bytes  (repeated on continuation chunks so every record is self-describing)
//   payload:
//     string: u32 len, bytes
//     list / set: u32 count, count × (u32 len, bytes)               — list in order
//     hash:       u32 count, count × (field, value) as (u32 len, bytes)
//     zset:       u32 count, count × (u32 len, member bytes, f64 score) — ascending order
// Keys, members and values are latin1 strings (one char per byte), so they are copied as bytes.
// A collection larger than CHUNK_ELEMENTS elements or CHUNK_BYTES bytes is split, so a
// 10M-member set never becomes one giant LevelDB value.

import { typeOf, type Entry, type Value, type ValueType } from '../keyspace/index.js';
import { ListValue } from '../types/list.js';
import { HashValue, type EncodingConfig } from '../types/hash.js';
import { SetValue } from '../types/set.js';
import { ZSetValue } from '../types/zset-value.js';

export const SNAPSHOT_FORMAT_VERSION = 1;
export const CHUNK_ELEMENTS = 4096;
export const CHUNK_BYTES = 1024 * 1024;

const TYPE_CODES: Record<ValueType, number> = { string: 0, list: 1, hash: 2, set: 3, zset: 4 };
const CODE_TYPES: ValueType[] = ['string', 'list', 'hash', 'set', 'zset'];

export class SnapshotFormatError extends Error {
  readonly code = 'SNAPSHOT_CORRUPT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Growable output buffer reused across records. */
class Out {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  str(s: string): void {
    this.ensure(4 + s.length);
    this.buf.writeUInt32LE(s.length, this.pos);
    this.pos += 4;
    this.pos += this.buf.write(s, this.pos, s.length, 'latin1');
  }
  take(): Buffer {
    const b = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return b;
  }
}

const out = new Out();

function header(kind: number, db: number, type: ValueType, expireAt: number, key: string): void {
  out.u8(SNAPSHOT_FORMAT_VERSION);
  out.u8(kind);
  out.u8(db);
  out.u8(TYPE_CODES[type]);
  out.f64(expireAt);
  out.str(key);
}

/**
 * Encodes one entry into one or more records. Elements are streamed from the value's iterator,
 * so memory stays bounded by one chunk.
 */
export function encodeEntry(db: number, e: Entry): Buffer[] {
  return encodeValue(db, e.key, e.value, e.expireAt);
}

export function encodeValue(db: number, key: string, value: Value, expireAt: number): Buffer[] {
  const type = typeOf(value);
  if (typeof value === 'string') {
    header(0, db, type, expireAt, key);
    out.str(value);
    return [out.take()];
  }
  const records: Buffer[] = [];
  let kind = 0;
  let count = 0;
  let countAt = 0;
  let bytes = 0;
  const start = () => {
    header(kind, db, type, expireAt, key);
    countAt = out.pos;
    out.u32(0);
    count = 0;
    bytes = 0;
  };
  const finish = () => {
    out.buf.writeUInt32LE(count, countAt);
    records.push(out.take());
  };
  const maybeSplit = () => {
    if (count >= CHUNK_ELEMENTS || bytes >= CHUNK_BYTES) {
      if (kind === 0) {
        // Turn the record in progress into "first chunk".
        out.buf[1] = 1;
      }
      finish();
      kind = 2;
      start();
    }
  };
  start();
  switch (type) {
    case 'list':
      for (const v of (value as ListValue).values()) {
        maybeSplit();
        out.str(v);
        bytes += v.length + 4;
        count++;
      }
      break;
    case 'set':
      for (const v of (value as SetValue).values()) {
        maybeSplit();
        out.str(v);
        bytes += v.length + 4;
        count++;
      }
      break;
    case 'hash':
      for (const [f, v] of (value as HashValue).map) {
        maybeSplit();
        out.str(f);
        out.str(v);
        bytes += f.length + v.length + 8;
        count++;
      }
      break;
    case 'zset':
      for (const [m, s] of (value as ZSetValue).entries()) {
        maybeSplit();
        out.str(m);
        out.f64(s);
        bytes += m.length + 12;
        count++;
      }
      break;
    default:
      throw new SnapshotFormatError(`cannot encode value of type ${type}`);
  }
  finish();
  return records;
}

export type Elements = string[] | Array<[string, string]> | Array<[string, number]>;

export interface DecodedRecord {
  kind: 0 | 1 | 2;
  db: number;
  type: ValueType;
  expireAt: number;
  key: string;
  /** The value of a string key. */
  str: string | null;
  /** Collection elements in this record: members/items, [field, value] or [member, score]. */
  elements: Elements;
}

// Decoder state at module level: no closures or cursor objects per record (the loader decodes
// a million records a second; per-record allocations showed up as GC time in its profile).
const NO_BUFFER = Buffer.alloc(0);
let dbuf: Buffer = NO_BUFFER;
let dpos = 0;
const NO_ELEMENTS: Elements = [];

function need(n: number): void {
  if (dpos + n > dbuf.length) throw new SnapshotFormatError(`record truncated at byte ${dpos} (needs ${n} more of ${dbuf.length})`);
}
function rdU8(): number {
  need(1);
  return dbuf[dpos++];
}
function rdU32(): number {
  need(4);
  const v = dbuf.readUInt32LE(dpos);
  dpos += 4;
  return v;
}
function rdF64(): number {
  need(8);
  const v = dbuf.readDoubleLE(dpos);
  dpos += 8;
  return v;
}
function rdStr(): string {
  const n = rdU32();
  need(n);
  const s = dbuf.toString('latin1', dpos, dpos + n);
  dpos += n;
  return s;
}

/** Decodes one record into plain parts; `materialize` turns a key's parts into its value. */
export function decodeRecord(buf: Buffer): DecodedRecord {
  dbuf = buf;
  dpos = 0;
  const version = rdU8();
  if (version !== SNAPSHOT_FORMAT_VERSION) throw new SnapshotFormatError(`unsupported snapshot record version ${version}`);
  const kind = rdU8();
  if (kind > 2) throw new SnapshotFormatError(`bad record kind ${kind}`);
  const db = rdU8();
  const tcode = rdU8();
  const type = CODE_TYPES[tcode];
  if (type === undefined) throw new SnapshotFormatError(`bad type code ${tcode}`);
  const expireAt = rdF64();
  const key = rdStr();
  let strValue: string | null = null;
  let elements: Elements = NO_ELEMENTS;
  if (type === 'string') {
    if (kind !== 0) throw new SnapshotFormatError('chunked string record');
    strValue = rdStr();
  } else {
    const count = rdU32();
    if (count > buf.length) throw new SnapshotFormatError(`element count ${count} exceeds record size`);
    if (type === 'list' || type === 'set') {
      const a: string[] = new Array(count);
      for (let i = 0; i < count; i++) a[i] = rdStr();
      elements = a;
    } else if (type === 'hash') {
      const a: Array<[string, string]> = new Array(count);
      for (let i = 0; i < count; i++) {
        const f = rdStr();
        a[i] = [f, rdStr()];
      }
      elements = a;
    } else {
      const a: Array<[string, number]> = new Array(count);
      for (let i = 0; i < count; i++) {
        const m = rdStr();
        a[i] = [m, rdF64()];
      }
      elements = a;
    }
  }
  if (dpos !== buf.length) throw new SnapshotFormatError(`${buf.length - dpos} trailing bytes in record`);
  dbuf = NO_BUFFER;
  return { kind: kind as 0 | 1 | 2, db, type, expireAt, key, str: strValue, elements };
}

/** Builds a collection value from all the elements of its records, with Redis's load-time encoding. */
export function materialize(type: ValueType, parts: Elements[], cfg: EncodingConfig): Value {
  switch (type) {
    case 'list': {
      const items: string[] = [];
      for (const p of parts) for (const v of p as string[]) items.push(v);
      return ListValue.from(items, cfg);
    }
    case 'set': {
      const members = new Set<string>();
      for (const p of parts) for (const v of p as string[]) members.add(v);
      return SetValue.from(members, cfg);
    }
    case 'hash': {
      const map = new Map<string, string>();
      for (const p of parts) for (const [f, v] of p as Array<[string, string]>) map.set(f, v);
      return HashValue.from(map, cfg);
    }
    case 'zset': {
      const pairs: Array<[string, number]> = [];
      for (const p of parts) for (const e of p as Array<[string, number]>) pairs.push(e);
      return ZSetValue.from(pairs, cfg);
    }
    default:
      throw new SnapshotFormatError(`cannot build a value of type ${type}`);
  }
}
