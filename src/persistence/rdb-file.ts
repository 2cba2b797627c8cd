// A dataset as an RDB file (Redis rdb.c rdbSaveRio), version 10 as redis-server 7.0 writes it,
// produced as a stream of chunks while a KeyspaceWalk (walk.ts) emits the keys: "REDIS0010",
// AUX fields, the function libraries (FUNCTION2 records), then every key (its absolute expiry first when it has one) with a SELECTDB before
// it whenever its db differs from the previous key's, then EOF and the CRC-64 of every byte
// before the checksum. What it serves: a replica's full sync and `redis-cli --rdb`
// (replication/primary.ts).
//
// Invariants:
//   - each value is encoded as DUMP encodes it (rdb-value.ts encodeRdbObject: type byte +
//     object, without DUMP's footer; LZF may pick other matches, never another value), so what
//     RESTORE of Hoard's DUMP gives on redis-server is what loading this file gives;
//   - keys of one db need not be contiguous: a walk emits a key ahead of its turn when a write
//     is about to change it, and SELECTDB may appear any number of times (Redis's loader just
//     switches db; RESIZEDB, a sizing hint, is left out);
//   - keys already expired are kept: a replica does not expire keys itself, it waits for the
//     primary's DEL, which the replication stream carries (Redis's replica loads them too);
//   - chunks handed to `out` are never written to again.

import type { Value } from '../keyspace/entry.js';
import { Crc64, RDB_OPCODE_FUNCTION2, encodeRdbObject, type DumpConfig } from './rdb-value.js';
import type { Latin1Buffer } from '../util/latin1.js';

const RDB_OPCODE_AUX = 0xfa;
const RDB_OPCODE_EXPIRETIME_MS = 0xfc;
const RDB_OPCODE_SELECTDB = 0xfe;
const RDB_OPCODE_EOF = 0xff;
/** Bytes per chunk handed to the consumer. */
const CHUNK_BYTES = 64 * 1024;

export interface RdbFileHeader {
  /** Unix ms: the file's ctime. */
  now: number;
  redisVersion: string;
  usedMemory: number;
  /** The replication stream this image belongs to, and the offset it is consistent with. */
  replid: string;
  offset: number;
  /** The db the stream that follows the image has selected (0 unless a replica passes on its primary's). */
  streamDb?: number;
}

export class RdbStreamWriter {
  /** Bytes produced so far (header, keys, and at the end the checksum). */
  bytes = 0;
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly crc = new Crc64();
  private db = -1;

  constructor(
    private readonly cfg: DumpConfig,
    private readonly out: (chunk: Buffer) => void,
  ) {}

  /** The magic and the AUX fields redis-server 7.0 writes for a replica's full sync. */
  begin(h: RdbFileHeader): void {
    this.latin1('REDIS0010');
    this.aux('redis-ver', h.redisVersion);
    this.aux('redis-bits', '64');
    this.aux('ctime', String(Math.floor(h.now / 1000)));
    this.aux('used-mem', String(h.usedMemory));
    this.aux('repl-stream-db', String(h.streamDb ?? 0));
    this.aux('repl-id', h.replid);
    this.aux('repl-offset', String(h.offset));
    this.aux('aof-base', '0');
  }

  /** Function libraries (Redis's rdbSaveFunctions, right after the AUX fields): their code. */
  functions(codes: readonly string[]): void {
    for (const code of codes) {
      this.u8(RDB_OPCODE_FUNCTION2);
      this.str(code);
    }
  }

  /** One key of db `db` (expireAt: unix ms, 0 = none). */
  key(db: number, key: string, value: Value, expireAt: number): void {
    if (db !== this.db) {
      this.u8(RDB_OPCODE_SELECTDB);
      this.len(db);
      this.db = db;
    }
    if (expireAt !== 0) {
      this.room(9);
      this.buf[this.pos++] = RDB_OPCODE_EXPIRETIME_MS;
      this.buf.writeBigInt64LE(BigInt(expireAt), this.pos);
      this.pos += 8;
    }
    const obj = encodeRdbObject(value, this.cfg, false);
    this.u8(obj[0]); // the value's RDB type
    this.str(key);
    this.copy(obj, 1, obj.length);
  }

  /** EOF and the checksum (0 when rdbchecksum is off, as Redis writes it); hands out the last chunk. */
  end(): void {
    this.u8(RDB_OPCODE_EOF);
    this.room(8);
    this.crc.update(this.buf, 0, this.pos);
    if (this.cfg.bool('rdbchecksum')) this.crc.writeLE(this.buf, this.pos);
    else this.buf.fill(0, this.pos, this.pos + 8);
    this.pos += 8;
    this.emit(false);
  }

  private aux(k: string, v: string): void {
    this.u8(RDB_OPCODE_AUX);
    this.str(k);
    this.str(v);
  }

  /** Hands the filled part of the chunk to the consumer (and into the CRC unless done already). */
  private emit(crc = true): void {
    if (this.pos === 0) return;
    if (crc) this.crc.update(this.buf, 0, this.pos);
    const chunk = this.buf.subarray(0, this.pos);
    this.bytes += this.pos;
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    this.out(chunk);
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.emit();
  }

  private u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  /** rdbSaveLen. */
  private len(n: number): void {
    this.room(9);
    const b = this.buf;
    if (n < 1 << 6) b[this.pos++] = n;
    else if (n < 1 << 14) {
      b[this.pos++] = 0x40 | (n >>> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0x81;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** A raw (length-prefixed) RDB string; `s` is latin1 (one char per byte). */
  private str(s: string): void {
    this.len(s.length);
    this.latin1(s);
  }

  private latin1(s: string): void {
    if (s.length > CHUNK_BYTES) {
      this.copy(Buffer.from(s, 'latin1'), 0, s.length);
      return;
    }
    this.room(s.length);
    this.pos += (this.buf as Latin1Buffer).latin1Write(s, this.pos, s.length);
  }

  private copy(src: Buffer, from: number, to: number): void {
    while (from < to) {
      if (this.pos === this.buf.length) this.emit();
      const n = Math.min(to - from, this.buf.length - this.pos);
      src.copy(this.buf, this.pos, from, from + n);
      this.pos += n;
      from += n;
    }
  }
}
