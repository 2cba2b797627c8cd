// Snapshot record codec: one key (or one bounded chunk of a large collection) ⇄ one binary
// record; records are stored in LevelDB packed into pages. Shared by the snapshot writer, the
// loader, and the offline tools.
//
// Record format (all integers little-endian; unchanged since version 1):
//   u8   version            = 1
//   u8   kind               0 = a whole key, 1 = first chunk of a chunked collection,
//                           2 = continuation chunk (appends to the key of the previous record)
//   u8   db
//   u8   type               0 string, 1 list, 2 hash, 3 set, 4 zset, 5 stream
//   f64  expireAt           absolute unix ms, 0 = no expiry (ignored on continuation chunks)
//   u32  keyLen, key bytes  (repeated on continuation chunks so every record is self-describing)
//   payload:
//     string: u32 len, bytes
//     list / set: u32 count, count × (u32 len, bytes)               — list in order
//     hash:       u32 count, count × (field, value) as (u32 len, bytes)
//     zset:       u32 count, count × (u32 len, member bytes, f64 score) — ascending order
//     stream:     u32 count, count × (u32 len, bytes): tagged elements, in this order —
//                 'M' (last ID, max deleted ID, first ID, entries added) once, then per node
//                 'N' (master ID, master fields) followed by its 'E' entries (tombstone flag,
//                 ID, field-value strings), then per group 'G' (name, last delivered ID,
//                 entries read) followed by its consumers 'C' (name, seen time) and its PEL 'P'
//                 (ID, consumer, delivery time, delivery count); IDs and numbers are decimal
//                 text (see streamSnapshotElements in types/stream.ts). Type code 5 was added
//                 with streams: snapshots written before it hold no such record.
// Keys, members and values are latin1 strings (one char per byte), so they are copied as bytes.
// A collection larger than CHUNK_ELEMENTS elements or CHUNK_BYTES bytes is split, so a
// 10M-member set never becomes one giant record.
//
// Snapshot format version 2 stores records in pages, one page per LevelDB value:
//   u8   2 (PAGE_VERSION)   — a version-1 snapshot's values are single records (first byte 1)
//   u8   0 (reserved)
//   u32  count
//   count × (u32 recordLen, record)
// A page closes after the record that takes it past PAGE_BYTES, so it holds many small keys or
// one chunk of a big collection; a chunked collection may continue on the next page. Why: one
// LevelDB entry per key cost a JS→C++ put and a Buffer per key when saving (10k puts in one
// synchronous loop stalled the event loop ~20 ms) and a Buffer per key when loading; pages
// make both a few hundred calls per million keys.

import { typeOf, type Value, type ValueType } from '../keyspace/index.js';
import { ListValue } from '../types/list.js';
import { HashValue, type EncodingConfig } from '../types/hash.js';
import { SetValue } from '../types/set.js';
import { StrMap, StrSet } from '../types/str-dict.js';
import { ZSetValue } from '../types/zset-value.js';
import { StreamValue, streamFromSnapshotElements, streamSnapshotElements } from '../types/stream.js';
import { readLatin1, type Latin1Buffer } from '../util/latin1.js';

/** The version of each record's own layout (its first byte). */
export const RECORD_VERSION = 1;
/**
 * The snapshot format written now (SnapshotMeta.formatVersion): paged records (2), and since 3
 * the function libraries beside them (snapshot-store.ts FUNCTIONS_PREFIX; a version-2 snapshot
 * has none and loads as before).
 */
export const SNAPSHOT_FORMAT_VERSION = 3;
/** First byte of a page (version-1 snapshots store bare records, whose first byte is 1). */
export const PAGE_VERSION = 2;
const PAGE_HEADER = 6;
/** A page closes once it holds this many bytes. */
export const PAGE_BYTES = 64 * 1024;
export const CHUNK_ELEMENTS = 4096;
export const CHUNK_BYTES = 1024 * 1024;

const TYPE_CODES: Record<ValueType, number> = { string: 0, list: 1, hash: 2, set: 3, zset: 4, stream: 5 };
const CODE_TYPES: ValueType[] = ['string', 'list', 'hash', 'set', 'zset', 'stream'];

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

function header(out: Out, kind: number, db: number, type: ValueType, expireAt: number, key: string): void {
  out.u8(RECORD_VERSION);
  out.u8(kind);
  out.u8(db);
  out.u8(TYPE_CODES[type]);
  out.f64(expireAt);
  out.str(key);
}

/**
 * Encodes one key into one or more standalone records (tests and tools; the snapshot writer
 * uses a PageWriter). Elements are streamed from the value's iterator.
 */
export function encodeValue(db: number, key: string, value: Value, expireAt: number): Buffer[] {
  const records: Buffer[] = [];
  encodeRecords(out, db, key, value, expireAt, false, () => records.push(out.take()));
  return records;
}

/**
 * Packs records into pages. `add` encodes a key's records into the open page; `onPage` gets each
 * page that filled up (possibly in the middle of a chunked collection), `finish()` the last one.
 * The page is a view of the writer's own buffer, valid only during the call: copy it or hand it
 * to something that copies (LevelDB's batch.put does), so saving allocates no Buffer per page.
 */
export class PageWriter {
  private readonly o = new Out();
  private count = 0;
  /** Records of the key being added. */
  private added = 0;
  /** One callback for every record (a closure per key was a third of a snapshot's garbage). */
  private readonly recordDone = (): void => {
    this.added++;
    this.count++;
    if (this.o.pos >= PAGE_BYTES) this.emit();
  };

  constructor(private readonly onPage: (page: Buffer, records: number) => void) {
    this.open();
  }

  /** Bytes in the open page. */
  get bytes(): number {
    return this.o.pos;
  }

  /** Encodes one key; returns how many records it took. */
  add(db: number, key: string, value: Value, expireAt: number): number {
    this.added = 0;
    encodeRecords(this.o, db, key, value, expireAt, true, this.recordDone);
    return this.added;
  }

  /** Emits the open page if it holds any record. */
  finish(): void {
    if (this.count > 0) this.emit();
  }

  private open(): void {
    this.o.pos = 0;
    this.o.u8(PAGE_VERSION);
    this.o.u8(0);
    this.o.u32(0);
    this.count = 0;
  }

  private emit(): void {
    this.o.buf.writeUInt32LE(this.count, 2);
    this.onPage(this.o.buf.subarray(0, this.o.pos), this.count);
    this.open();
  }
}

/**
 * Writes a key's records into `o`. Framed: each record is preceded by its u32 length (pages);
 * `recordDone` runs after each record is complete (and may take the buffer).
 */
function encodeRecords(o: Out, db: number, key: string, value: Value, expireAt: number, framed: boolean, recordDone: () => void): void {
  if (typeof value !== 'string') {
    encodeCollectionRecords(o, db, key, value, expireAt, framed, recordDone);
    return;
  }
  // Most keys: one record, in a function of its own: V8 allocates the context of a function
  // whose closures capture its variables on entry, before any early return — the collection
  // path's context was ~150 B of garbage per string key (154 MB per BGSAVE of 1M keys, ~85
  // scavenges).
  if (framed) o.u32(0);
  const at = o.pos;
  header(o, 0, db, 'string', expireAt, key);
  o.str(value);
  if (framed) o.buf.writeUInt32LE(o.pos - at, at - 4);
  recordDone();
}

/** encodeRecords for a collection: chunks of elements, each a record. */
function encodeCollectionRecords(o: Out, db: number, key: string, value: Exclude<Value, string>, expireAt: number, framed: boolean, recordDone: () => void): void {
  const type = typeOf(value);
  let recStart = 0;
  const begin = (kind: number) => {
    if (framed) {
      o.u32(0);
    }
    recStart = o.pos;
    header(o, kind, db, type, expireAt, key);
  };
  const end = () => {
    if (framed) o.buf.writeUInt32LE(o.pos - recStart, recStart - 4);
    recordDone();
  };
  let kind = 0;
  let count = 0;
  let countAt = 0;
  let bytes = 0;
  const start = () => {
    begin(kind);
    countAt = o.pos;
    o.u32(0);
    count = 0;
    bytes = 0;
  };
  const finish = () => {
    o.buf.writeUInt32LE(count, countAt);
    end();
  };
  const maybeSplit = () => {
    if (count >= CHUNK_ELEMENTS || bytes >= CHUNK_BYTES) {
      if (kind === 0) {
        // Turn the record in progress into "first chunk".
        o.buf[recStart + 1] = 1;
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
        o.str(v);
        bytes += v.length + 4;
        count++;
      }
      break;
    case 'set':
      for (const v of (value as SetValue).values()) {
        maybeSplit();
        o.str(v);
        bytes += v.length + 4;
        count++;
      }
      break;
    case 'hash':
      for (const [f, v] of (value as HashValue).entries()) {
        maybeSplit();
        o.str(f);
        o.str(v);
        bytes += f.length + v.length + 8;
        count++;
      }
      break;
    case 'zset':
      for (const [m, sc] of (value as ZSetValue).entries()) {
        maybeSplit();
        o.str(m);
        o.f64(sc);
        bytes += m.length + 12;
        count++;
      }
      break;
    case 'stream':
      for (const el of streamSnapshotElements(value as StreamValue)) {
        maybeSplit();
        o.str(el);
        bytes += el.length + 4;
        count++;
      }
      break;
    default:
      throw new SnapshotFormatError(`cannot encode value of type ${type}`);
  }
  finish();
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
let dend = 0;
const NO_ELEMENTS: Elements = [];

function need(n: number): void {
  if (dpos + n > dend) throw new SnapshotFormatError(`record truncated at byte ${dpos} (needs ${n} more, ends at ${dend})`);
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
  const s = readLatin1(dbuf as Latin1Buffer, dpos, n);
  dpos += n;
  return s;
}

/**
 * Calls `onRecord` for each record of one stored LevelDB value: a page (format 2) or a bare
 * record (format 1). Returns the number of records. The record object is reused for the next
 * record: keep its fields, not it.
 */
export function forEachRecord(value: Buffer, onRecord: (r: DecodedRecord) => void): number {
  if (value.length === 0) throw new SnapshotFormatError('empty snapshot value');
  const rec = REUSED_RECORD;
  if (value[0] !== PAGE_VERSION) {
    onRecord(decodeRecordInto(rec, value, 0, value.length));
    release(rec);
    return 1;
  }
  if (value.length < PAGE_HEADER) throw new SnapshotFormatError(`page truncated: ${value.length} bytes`);
  const count = value.readUInt32LE(2);
  let pos = PAGE_HEADER;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > value.length) throw new SnapshotFormatError(`page truncated before record ${i} of ${count}`);
    const len = value.readUInt32LE(pos);
    pos += 4;
    if (pos + len > value.length) throw new SnapshotFormatError(`page record ${i} of ${count} overruns the page (${len} bytes at ${pos} of ${value.length})`);
    onRecord(decodeRecordInto(rec, value, pos, pos + len));
    pos += len;
  }
  if (pos !== value.length) throw new SnapshotFormatError(`${value.length - pos} trailing bytes after the ${count} records of a page`);
  release(rec);
  return count;
}

/** Drops the reused record's references (the last chunk's elements need not outlive the load). */
function release(rec: DecodedRecord): void {
  rec.key = '';
  rec.str = null;
  rec.elements = NO_ELEMENTS;
}

/** Records in one stored LevelDB value, from its header (progress counters). */
export function recordCount(value: Buffer): number {
  return value.length >= PAGE_HEADER && value[0] === PAGE_VERSION ? value.readUInt32LE(2) : 1;
}

/** Decodes one record (buf[start, end)) into plain parts; `materialize` turns a key's parts into its value. */
export function decodeRecord(buf: Buffer, start = 0, end = buf.length): DecodedRecord {
  return decodeRecordInto({ kind: 0, db: 0, type: 'string', expireAt: 0, key: '', str: null, elements: NO_ELEMENTS }, buf, start, end);
}

/**
 * The record forEachRecord hands to its callback, filled anew for each record: a fresh object
 * per record was ~90 B of garbage per key loaded (a third of a restart's allocations).
 */
const REUSED_RECORD: DecodedRecord = { kind: 0, db: 0, type: 'string', expireAt: 0.5 /* a double field from the start */, key: '', str: null, elements: NO_ELEMENTS };

function decodeRecordInto(rec: DecodedRecord, buf: Buffer, start: number, end: number): DecodedRecord {
  dbuf = buf;
  dpos = start;
  dend = end;
  const version = rdU8();
  if (version !== RECORD_VERSION) throw new SnapshotFormatError(`unsupported snapshot record version ${version}`);
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
    if (count > end - start) throw new SnapshotFormatError(`element count ${count} exceeds record size`);
    if (type === 'list' || type === 'set' || type === 'stream') {
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
  if (dpos !== end) throw new SnapshotFormatError(`${end - dpos} trailing bytes in record`);
  dbuf = NO_BUFFER;
  rec.kind = kind as 0 | 1 | 2;
  rec.db = db;
  rec.type = type;
  rec.expireAt = expireAt;
  rec.key = key;
  rec.str = strValue;
  rec.elements = elements;
  return rec;
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
      const members = new StrSet();
      for (const p of parts) for (const v of p as string[]) members.add(v);
      return SetValue.from(members, cfg);
    }
    case 'hash': {
      const map = new StrMap<string>();
      for (const p of parts) for (const [f, v] of p as Array<[string, string]>) map.set(f, v);
      return HashValue.from(map, cfg);
    }
    case 'zset': {
      const pairs: Array<[string, number]> = [];
      for (const p of parts) for (const e of p as Array<[string, number]>) pairs.push(e);
      return ZSetValue.from(pairs, cfg);
    }
    case 'stream': {
      function* all(): IterableIterator<string> {
        for (const p of parts) yield* p as string[];
      }
      try {
        return streamFromSnapshotElements(all());
      } catch (err) {
        throw new SnapshotFormatError(`bad stream record: ${(err as Error).message}`, { cause: err });
      }
    }
    default:
      throw new SnapshotFormatError(`cannot build a value of type ${type}`);
  }
}
