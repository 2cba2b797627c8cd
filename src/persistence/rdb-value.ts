// Redis's DUMP payload format for one value (Redis rdb.c rdbSaveObject/rdbLoadObject, cluster.c
// createDumpPayload/verifyDumpPayload): the value serialized as in an RDB file (type byte +
// object), then the 2-byte little-endian RDB version, then the CRC-64 (Jones, reflected; crc64.c)
// of everything before it, 8 bytes little-endian. DUMP and RESTORE (commands/dump.ts) use it to
// move keys between Hoard and redis-server in both directions.
//
// Invariants:
//   - Decoding never trusts the payload: every length is checked against the bytes that are
//     actually there before anything is read or allocated (a claimed count of 2^60 members costs
//     nothing: elements are read one by one and each needs at least one byte), LZF output grows
//     only as valid input produces it (so a 6-byte payload claiming 4 GB allocates nothing big),
//     every listpack, ziplist, intset and zipmap blob is checked as Redis's deep sanitization
//     does (header sizes, entry encodings, back-lengths / prev-lengths, terminator, counts,
//     sorted unique intsets), and duplicates in sets, hashes and sorted sets, NaN scores and
//     empty collections are refused. Any violation throws RdbFormatError (code
//     RDB_BAD_FORMAT); the RESTORE handler turns it into "ERR Bad data format".
//   - The object must use exactly the bytes between its type byte and the footer: trailing
//     bytes are an error (Redis does not check; a payload Redis produced never has any).
//   - Encoding produces what redis-server 7.0 RESTOREs to the same value, and for strings,
//     intsets, small hashes and lists built by appends the same bytes as Redis's own DUMP:
//       string         — int-encoded when Redis would (rdbTryIntegerEncoding), LZF-compressed
//                        over 20 bytes when rdbcompression is on (a port of Redis's lzf_c.c
//                        with a zeroed hash table), else raw;
//       list           — RDB_TYPE_LIST_QUICKLIST_2 with packed listpack nodes split where
//                        Redis's quicklistPushTail would split them (list-max-listpack-size);
//       set            — RDB_TYPE_SET_INTSET while Hoard's encoding is intset, else RDB_TYPE_SET;
//       hash           — RDB_TYPE_HASH_LISTPACK while listpack, else RDB_TYPE_HASH;
//       sorted set     — RDB_TYPE_ZSET_2 (binary doubles, highest score first as Redis writes it);
//       stream         — RDB_TYPE_STREAM_LISTPACKS_2: one listpack per node, built entry by entry
//                        as streamAppendItem builds it (master entry, SAMEFIELDS compression,
//                        tombstone flags, lp-count), so a stream built by the same commands dumps
//                        the same bytes as Redis's; then length, last/first/max-deleted IDs,
//                        entries-added, groups with their PEL (raw IDs, delivery time and count)
//                        and consumers (seen time, PEL IDs). RESTORE also reads the 6.x
//                        RDB_TYPE_STREAM_LISTPACKS, as Redis 7.0 does.
//   - Decoded values get the encoding Redis gives a value it loads (the types' `from`
//     factories apply hash-/set-/zset- thresholds of the config).

import type { Value } from '../keyspace/entry.js';
import { ListValue } from '../types/list.js';
import { HashValue, type EncodingConfig } from '../types/hash.js';
import { SetValue } from '../types/set.js';
import { StrMap, StrSet } from '../types/str-dict.js';
import { ZSetValue } from '../types/zset-value.js';
import { parseInt64 } from '../util/numbers.js';
import { StreamValue, StreamNode, U64_MAX, deltaI64, idMs, idSeq, makeId, ENTRIES_READ_INVALID, type StreamID } from '../types/stream.js';

// ---- constants (rdb.h) -------------------------------------------------------------------------

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE_PRE_GA = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
/** Redis 7.2 (RDB 11); accepted for completeness, never written. */
export const RDB_TYPE_SET_LISTPACK = 20;

/** The RDB version Redis 7.0 writes, and the highest one it (and Hoard) accepts in a payload. */
export const DUMP_RDB_VERSION = 10;
/** Version (2) + CRC-64 (8). */
export const DUMP_FOOTER_BYTES = 10;

const RDB_6BITLEN = 0;
const RDB_14BITLEN = 1;
const RDB_32BITLEN = 0x80;
const RDB_64BITLEN = 0x81;
const RDB_ENCVAL = 3;
const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/**
 * The longest string a value may decode to: V8's string length limit (2^29 - 24 on 64-bit),
 * which is also about Redis's default proto-max-bulk-len (512 MB).
 */
export const MAX_DECODED_STRING = 536870888;
/** LZF's best ratio: a 3-byte back reference yields 264 bytes. */
const LZF_MAX_RATIO = 88;

export class RdbFormatError extends Error {
  readonly code = 'RDB_BAD_FORMAT';
  constructor(message: string) {
    super(message);
  }
}

function bad(what: string): never {
  throw new RdbFormatError(what);
}

// ---- CRC-64 (Redis crc64.c: Jones polynomial 0xad93d23594c935a9, reflected, init 0) -------------

// Table of the reflected polynomial 0x95ac9329ac4bc9b5, as two 32-bit halves so the hot loop
// stays in small integers (BigInt per byte is ~50x slower).
const CRC_LO = new Uint32Array(256);
const CRC_HI = new Uint32Array(256);
{
  const POLY_LO = 0xac4bc9b5;
  const POLY_HI = 0x95ac9329;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    CRC_LO[i] = lo;
    CRC_HI[i] = hi;
  }
}

/** A running CRC-64 (Redis crc64.c), fed in pieces: an RDB file's checksum as it streams out. */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  update(buf: Uint8Array, from = 0, to = buf.length): void {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = from; i < to; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      const nlo = (lo >>> 8) | ((hi & 0xff) << 24);
      lo = (nlo ^ CRC_LO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ CRC_HI[idx]) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** The CRC of everything fed so far, little-endian into out[at, at + 8). */
  writeLE(out: Uint8Array, at: number): void {
    const lo = this.lo;
    const hi = this.hi;
    out[at] = lo & 0xff;
    out[at + 1] = (lo >>> 8) & 0xff;
    out[at + 2] = (lo >>> 16) & 0xff;
    out[at + 3] = lo >>> 24;
    out[at + 4] = hi & 0xff;
    out[at + 5] = (hi >>> 8) & 0xff;
    out[at + 6] = (hi >>> 16) & 0xff;
    out[at + 7] = hi >>> 24;
  }
}

/** Redis's crc64(0, buf[from, to)) written little-endian into out[at, at + 8). */
function crc64Into(buf: Uint8Array, from: number, to: number, out: Uint8Array, at: number): void {
  const c = new Crc64();
  c.update(buf, from, to);
  c.writeLE(out, at);
}

/** Redis's crc64(0, buf) as an unsigned 64-bit bigint. */
export function crc64(buf: Uint8Array): bigint {
  const out = Buffer.alloc(8);
  crc64Into(buf, 0, buf.length, out, 0);
  return out.readBigUInt64LE(0);
}

/**
 * Redis's verifyDumpPayload: at least the 10-byte footer, an RDB version not above 10, and the
 * CRC-64 of everything before the checksum equal to the footer's. False means "ERR DUMP payload
 * version or checksum are wrong".
 */
export function verifyDumpPayload(p: Uint8Array): boolean {
  const len = p.length;
  if (len < DUMP_FOOTER_BYTES) return false;
  const f = len - DUMP_FOOTER_BYTES;
  const ver = p[f] | (p[f + 1] << 8);
  if (ver > DUMP_RDB_VERSION) return false;
  const crc = new Uint8Array(8);
  crc64Into(p, 0, len - 8, crc, 0);
  for (let i = 0; i < 8; i++) if (crc[i] !== p[f + 2 + i]) return false;
  return true;
}

// ---- LZF (Redis lzf_d.c / lzf_c.c, liblzf 3.6) --------------------------------------------------

/**
 * lzf_decompress of in[from, to) into exactly `ulen` bytes, or RdbFormatError. The output
 * buffer starts small and doubles as valid input fills it (never beyond `ulen`), so a bogus
 * `ulen` allocates nothing big.
 */
export function lzfDecompress(input: Uint8Array, from: number, to: number, ulen: number): Buffer {
  if (ulen > MAX_DECODED_STRING) bad('LZF: uncompressed length too large');
  if (ulen > (to - from) * LZF_MAX_RATIO) bad('LZF: uncompressed length impossible for the input');
  let out = Buffer.allocUnsafe(Math.min(ulen, Math.max(64, (to - from) * 4)));
  let op = 0;
  let ip = from;
  const need = (n: number): void => {
    if (op + n > ulen) bad('LZF: output longer than declared');
    if (op + n > out.length) {
      let cap = out.length * 2;
      while (cap < op + n) cap *= 2;
      const grown = Buffer.allocUnsafe(Math.min(cap, ulen));
      out.copy(grown, 0, 0, op);
      out = grown;
    }
  };
  while (ip < to) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++; // literal run of ctrl bytes
      if (ip + ctrl > to) bad('LZF: literal run past the input');
      need(ctrl);
      for (let i = 0; i < ctrl; i++) out[op++] = input[ip++];
    } else {
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= to) bad('LZF: back reference past the input');
      if (len === 7) {
        len += input[ip++];
        if (ip >= to) bad('LZF: back reference past the input');
      }
      ref -= input[ip++];
      if (ref < 0) bad('LZF: back reference before the output');
      len += 2;
      need(len);
      // Byte by byte: a reference may overlap what it produces (runs).
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  if (op !== ulen) bad('LZF: output shorter than declared');
  return out.length === op ? out : out.subarray(0, op);
}

const LZF_HLOG = 16;
const LZF_HSIZE = 1 << LZF_HLOG;
const LZF_MAX_LIT = 1 << 5;
const LZF_MAX_OFF = 1 << 13;
const LZF_MAX_REF = (1 << 8) + (1 << 3);
let lzfTable: Int32Array | null = null;

/**
 * lzf_compress as Redis builds it (HLOG 16, VERY_FAST, offsets in the hash table) of `input`
 * into at most `outLen` bytes; returns the compressed bytes, or null where lzf_compress returns
 * 0 (the output would not fit). Redis does not initialize its hash table (INIT_HTAB 0); here it
 * is zeroed, which gives Redis's output whenever no stale slot of Redis's happens to match.
 */
export function lzfCompress(input: Uint8Array, outLen: number, freshTable = true): Buffer | null {
  const inLen = input.length;
  if (inLen === 0 || outLen <= 0) return null;
  const htab = lzfTable ?? (lzfTable = new Int32Array(LZF_HSIZE));
  if (freshTable) htab.fill(0);
  const out = Buffer.allocUnsafe(outLen);
  const inEnd = inLen;
  const outEnd = outLen;
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start run
  let hval = (input[0] << 8) | input[1];
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = ((hval >>> 8) - Math.imul(hval, 5)) & (LZF_HSIZE - 1);
    const ref = htab[slot];
    htab[slot] = ip;
    const off = ip - ref - 1;
    if (off >= 0 && off < LZF_MAX_OFF && ref > 0 && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > LZF_MAX_REF) maxlen = LZF_MAX_REF;
      if (op + 3 + 1 >= outEnd) {
        if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      }
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo run if length is zero
      // lzf_c.c's unrolled first 16 steps do not check maxlen, so a long match may run up to
      // 2 bytes past it (to the end of the input); kept, for Redis's exact output.
      let mismatch = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            mismatch = true;
            break;
          }
        }
      }
      if (!mismatch) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // len is now #octets - 1
      ip++;
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[((hval >>> 8) - Math.imul(hval, 5)) & (LZF_HSIZE - 1)] = ip;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[((hval >>> 8) - Math.imul(hval, 5)) & (LZF_HSIZE - 1)] = ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === LZF_MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === LZF_MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return out.subarray(0, op);
}

// ---- small helpers -----------------------------------------------------------------------------

function latin1(b: Buffer, from: number, to: number): string {
  return b.toString('latin1', from, to);
}

/** An int64 read from `b` at `p` (little-endian) as its decimal text. */
function int64Text(b: Buffer, p: number): string {
  const v = b.readBigInt64LE(p);
  return v >= -9007199254740991n && v <= 9007199254740991n ? String(Number(v)) : v.toString();
}

// ---- listpack (listpack.c) ------------------------------------------------------------------------

const LP_HDR_SIZE = 6;
const LP_EOF = 0xff;
const LP_HDR_NUMELE_UNKNOWN = 65535;

/** Bytes of the back-length of an entry of `l` bytes (lpEncodeBacklen's size). */
function lpBacklenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** lpEncodeBacklen into b at p; returns the new position. */
function lpWriteBacklen(b: Uint8Array, p: number, l: number): number {
  const n = lpBacklenBytes(l);
  if (n === 1) {
    b[p] = l;
    return p + 1;
  }
  // Most significant 7-bit group first; every byte but the first has the high bit set.
  for (let i = n - 1; i >= 0; i--) {
    const group = Math.floor(l / 2 ** (7 * i)) & 127;
    b[p++] = i === n - 1 ? group : group | 128;
  }
  return p;
}

/**
 * The elements of a listpack blob, checked as lpValidateIntegrity with deep validation does
 * (header total bytes, terminator, every entry's encoding inside the blob, back-lengths,
 * element count unless 65535). Integer entries come back as their decimal text.
 */
export function readListpack(b: Buffer): string[] {
  const size = b.length;
  if (size < LP_HDR_SIZE + 1) bad('listpack: too short');
  if (b.readUInt32LE(0) !== size) bad('listpack: header size mismatch');
  if (b[size - 1] !== LP_EOF) bad('listpack: no terminator');
  const numele = b.readUInt16LE(4);
  const end = size - 1;
  const out: string[] = [];
  let p = LP_HDR_SIZE;
  while (p < end) {
    const start = p;
    const e = b[p];
    let s: string;
    if ((e & 0x80) === 0) {
      s = String(e & 0x7f);
      p += 1;
    } else if ((e & 0xc0) === 0x80) {
      const len = e & 0x3f;
      if (p + 1 + len > end) bad('listpack: string past the end');
      s = latin1(b, p + 1, p + 1 + len);
      p += 1 + len;
    } else if ((e & 0xe0) === 0xc0) {
      if (p + 2 > end) bad('listpack: entry past the end');
      let v = ((e & 0x1f) << 8) | b[p + 1];
      if (v >= 4096) v -= 8192;
      s = String(v);
      p += 2;
    } else if ((e & 0xf0) === 0xe0) {
      if (p + 2 > end) bad('listpack: entry past the end');
      const len = ((e & 0x0f) << 8) | b[p + 1];
      if (p + 2 + len > end) bad('listpack: string past the end');
      s = latin1(b, p + 2, p + 2 + len);
      p += 2 + len;
    } else {
      switch (e) {
        case 0xf0: {
          if (p + 5 > end) bad('listpack: entry past the end');
          const len = b.readUInt32LE(p + 1);
          if (p + 5 + len > end) bad('listpack: string past the end');
          s = latin1(b, p + 5, p + 5 + len);
          p += 5 + len;
          break;
        }
        case 0xf1:
          if (p + 3 > end) bad('listpack: entry past the end');
          s = String(b.readInt16LE(p + 1));
          p += 3;
          break;
        case 0xf2:
          if (p + 4 > end) bad('listpack: entry past the end');
          s = String(b.readIntLE(p + 1, 3));
          p += 4;
          break;
        case 0xf3:
          if (p + 5 > end) bad('listpack: entry past the end');
          s = String(b.readInt32LE(p + 1));
          p += 5;
          break;
        case 0xf4:
          if (p + 9 > end) bad('listpack: entry past the end');
          s = int64Text(b, p + 1);
          p += 9;
          break;
        default:
          bad('listpack: invalid entry encoding');
      }
    }
    const entryLen = p - start;
    const bl = lpBacklenBytes(entryLen);
    if (p + bl > end) bad('listpack: back-length past the end');
    // The back-length must be exactly what lpEncodeBacklen writes for this entry.
    let q = p;
    if (bl === 1) {
      if (b[q] !== entryLen) bad('listpack: wrong back-length');
    } else {
      for (let i = bl - 1; i >= 0; i--, q++) {
        const group = Math.floor(entryLen / 2 ** (7 * i)) & 127;
        if (b[q] !== (i === bl - 1 ? group : group | 128)) bad('listpack: wrong back-length');
      }
    }
    p += bl;
    out.push(s);
  }
  if (p !== end) bad('listpack: entries overrun the terminator');
  if (numele !== LP_HDR_NUMELE_UNKNOWN && numele !== out.length) bad('listpack: element count mismatch');
  return out;
}

/** Builds listpacks the way lpAppend does (integers in their smallest integer encoding). */
export class ListpackWriter {
  private buf: Buffer;
  private p = LP_HDR_SIZE;
  count = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  /** lpBytes of the listpack so far (with its terminator). */
  get bytes(): number {
    return this.p + 1;
  }

  private room(n: number): void {
    if (this.p + n + 1 <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.p + n + 1) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.p);
    this.buf = b;
  }

  /** lpAppend of `s` (a latin1 string). */
  append(s: string): void {
    const v = s.length <= 20 ? parseInt64(s) : null;
    if (v !== null) this.appendInt(v);
    else this.appendString(s);
    this.count++;
  }

  private appendInt(v: number | bigint): void {
    this.room(9 + 1);
    const b = this.buf;
    const start = this.p;
    let p = start;
    if (typeof v === 'number' && v >= 0 && v <= 127) {
      b[p++] = v;
    } else if (typeof v === 'number' && v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v;
      b[p++] = 0xc0 | (u >>> 8);
      b[p++] = u & 0xff;
    } else if (typeof v === 'number' && v >= -32768 && v <= 32767) {
      b[p++] = 0xf1;
      b.writeInt16LE(v, p);
      p += 2;
    } else if (typeof v === 'number' && v >= -8388608 && v <= 8388607) {
      b[p++] = 0xf2;
      b.writeIntLE(v, p, 3);
      p += 3;
    } else if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
      b[p++] = 0xf3;
      b.writeInt32LE(v, p);
      p += 4;
    } else {
      b[p++] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p);
      p += 8;
    }
    this.p = lpWriteBacklen(b, p, p - start);
  }

  private appendString(s: string): void {
    const len = s.length;
    this.room(len + 5 + 5);
    const b = this.buf;
    const start = this.p;
    let p = start;
    if (len < 64) {
      b[p++] = 0x80 | len;
    } else if (len < 4096) {
      b[p++] = 0xe0 | (len >>> 8);
      b[p++] = len & 0xff;
    } else {
      b[p++] = 0xf0;
      b.writeUInt32LE(len, p);
      p += 4;
    }
    p += b.write(s, p, len, 'latin1');
    this.p = lpWriteBacklen(b, p, p - start);
  }

  /** The finished listpack (header filled, terminator added); the writer is spent. */
  finish(): Buffer {
    const b = this.buf;
    b[this.p] = LP_EOF;
    const total = this.p + 1;
    b.writeUInt32LE(total, 0);
    b.writeUInt16LE(this.count < LP_HDR_NUMELE_UNKNOWN ? this.count : LP_HDR_NUMELE_UNKNOWN, 4);
    return b.subarray(0, total);
  }
}

// ---- ziplist (ziplist.c), zipmap (zipmap.c), intset (intset.c) ------------------------------------

const ZIPLIST_HEADER_SIZE = 10;
const ZIP_END = 0xff;
const ZIP_BIG_PREVLEN = 254;

/**
 * The entries of a ziplist blob, checked as ziplistValidateIntegrity with deep validation does
 * (zlbytes, zltail = the last entry, every prevlen, encodings inside the blob, the terminator,
 * the count unless 65535).
 */
export function readZiplist(b: Buffer): string[] {
  const size = b.length;
  if (size < ZIPLIST_HEADER_SIZE + 1) bad('ziplist: too short');
  if (b.readUInt32LE(0) !== size) bad('ziplist: header size mismatch');
  const tail = b.readUInt32LE(4);
  const count = b.readUInt16LE(8);
  const end = size - 1;
  if (b[end] !== ZIP_END) bad('ziplist: no terminator');
  const out: string[] = [];
  let p = ZIPLIST_HEADER_SIZE;
  let prevLen = 0;
  let last = ZIPLIST_HEADER_SIZE;
  while (p < end) {
    const start = p;
    let pl: number;
    if (b[p] < ZIP_BIG_PREVLEN) {
      pl = b[p];
      p += 1;
    } else if (b[p] === ZIP_BIG_PREVLEN) {
      if (p + 5 > end) bad('ziplist: entry past the end');
      pl = b.readUInt32LE(p + 1);
      p += 5;
    } else bad('ziplist: entry past the end');
    if (pl !== prevLen) bad('ziplist: wrong prevlen');
    if (p >= end) bad('ziplist: entry past the end');
    const enc = b[p];
    let s: string;
    const top = enc >>> 6;
    if (top === 0) {
      const len = enc & 0x3f;
      if (p + 1 + len > end) bad('ziplist: string past the end');
      s = latin1(b, p + 1, p + 1 + len);
      p += 1 + len;
    } else if (top === 1) {
      if (p + 2 > end) bad('ziplist: entry past the end');
      const len = ((enc & 0x3f) << 8) | b[p + 1];
      if (p + 2 + len > end) bad('ziplist: string past the end');
      s = latin1(b, p + 2, p + 2 + len);
      p += 2 + len;
    } else if (top === 2) {
      if (p + 5 > end) bad('ziplist: entry past the end');
      const len = b.readUInt32BE(p + 1);
      if (p + 5 + len > end) bad('ziplist: string past the end');
      s = latin1(b, p + 5, p + 5 + len);
      p += 5 + len;
    } else {
      let n: number;
      switch (enc) {
        case 0xc0: // int16
          n = 2;
          break;
        case 0xd0: // int32
          n = 4;
          break;
        case 0xe0: // int64
          n = 8;
          break;
        case 0xf0: // int24
          n = 3;
          break;
        case 0xfe: // int8
          n = 1;
          break;
        default:
          if (enc >= 0xf1 && enc <= 0xfd) n = 0;
          else bad('ziplist: invalid entry encoding');
      }
      if (p + 1 + n > end) bad('ziplist: entry past the end');
      if (n === 0) s = String((enc & 0x0f) - 1);
      else if (n === 8) s = int64Text(b, p + 1);
      else s = String(b.readIntLE(p + 1, n));
      p += 1 + n;
    }
    last = start;
    prevLen = p - start;
    out.push(s);
  }
  if (p !== end) bad('ziplist: entries overrun the terminator');
  if (tail !== last) bad('ziplist: wrong tail offset');
  if (count !== 65535 && count !== out.length) bad('ziplist: element count mismatch');
  return out;
}

/** Field/value pairs of a zipmap blob (Redis 2.x small hashes), checked as zipmapValidateIntegrity. */
export function readZipmap(b: Buffer): string[] {
  const size = b.length;
  if (size < 2) bad('zipmap: too short');
  const end = size - 1;
  if (b[end] !== 0xff) bad('zipmap: no terminator');
  const declared = b[0];
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= end) bad('zipmap: entry past the end');
    const l = b[p];
    if (l < 254) {
      p += 1;
      return l;
    }
    if (l === 254) {
      if (p + 5 > end) bad('zipmap: entry past the end');
      const v = b.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return bad('zipmap: bad length');
  };
  while (p < end) {
    const klen = readLen();
    if (p + klen > end) bad('zipmap: key past the end');
    out.push(latin1(b, p, p + klen));
    p += klen;
    const vlen = readLen();
    if (p >= end) bad('zipmap: entry past the end');
    const free = b[p];
    p += 1;
    if (p + vlen + free > end) bad('zipmap: value past the end');
    out.push(latin1(b, p, p + vlen));
    p += vlen + free;
  }
  if (p !== end) bad('zipmap: entries overrun the terminator');
  if (declared < 254 && declared !== out.length / 2) bad('zipmap: element count mismatch');
  return out;
}

/** The members of an intset blob as decimal text, checked as intsetValidateIntegrity (deep). */
export function readIntset(b: Buffer): string[] {
  if (b.length < 8) bad('intset: too short');
  const enc = b.readUInt32LE(0);
  if (enc !== 2 && enc !== 4 && enc !== 8) bad('intset: bad encoding');
  const count = b.readUInt32LE(4);
  if (count === 0) bad('intset: empty');
  if (8 + count * enc !== b.length) bad('intset: size mismatch');
  const out: string[] = new Array(count);
  let prev: bigint | number | null = null;
  for (let i = 0; i < count; i++) {
    const p = 8 + i * enc;
    let v: number | bigint;
    if (enc === 2) v = b.readInt16LE(p);
    else if (enc === 4) v = b.readInt32LE(p);
    else v = b.readBigInt64LE(p);
    if (prev !== null && !(v > prev)) bad('intset: not sorted or duplicated');
    prev = v;
    out[i] = typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n ? String(Number(v)) : String(v);
  }
  return out;
}

/** The intset blob of int64 members (canonical decimal strings), as intsetAdd would build it. */
function writeIntset(members: Iterable<string>): Buffer {
  const vals: bigint[] = [];
  for (const m of members) vals.push(BigInt(m));
  vals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let enc = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) enc = 8;
    else if ((v < -32768n || v > 32767n) && enc < 4) enc = 4;
  }
  const b = Buffer.allocUnsafe(8 + vals.length * enc);
  b.writeUInt32LE(enc, 0);
  b.writeUInt32LE(vals.length, 4);
  for (let i = 0; i < vals.length; i++) {
    const p = 8 + i * enc;
    if (enc === 2) b.writeInt16LE(Number(vals[i]), p);
    else if (enc === 4) b.writeInt32LE(Number(vals[i]), p);
    else b.writeBigInt64LE(vals[i], p);
  }
  return b;
}

// ---- the RDB object reader (rdb.c rdbLoadObject) -------------------------------------------------

/** A cursor over payload[pos, end): every read checks it stays inside. */
class Reader {
  pos = 0;
  /** Set by len(): the length was an encoded-value marker (RDB_ENCVAL), `len` its kind. */
  encoded = false;
  constructor(
    readonly b: Buffer,
    readonly end: number,
  ) {}

  get left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) bad('payload truncated');
    return this.b[this.pos++];
  }

  /** rdbLoadLenByRef. */
  len(): number {
    this.encoded = false;
    const first = this.u8();
    const type = (first & 0xc0) >>> 6;
    if (type === RDB_ENCVAL) {
      this.encoded = true;
      return first & 0x3f;
    }
    if (type === RDB_6BITLEN) return first & 0x3f;
    if (type === RDB_14BITLEN) return ((first & 0x3f) << 8) | this.u8();
    if (first === RDB_32BITLEN) {
      if (this.left < 4) bad('payload truncated');
      const v = this.b.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (first === RDB_64BITLEN) {
      if (this.left < 8) bad('payload truncated');
      const v = this.b.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad('length too large');
      return Number(v);
    }
    return bad('unknown length encoding');
  }

  /** A plain length (not an encoded-value marker). */
  plainLen(): number {
    const n = this.len();
    if (this.encoded) bad('unexpected encoded value');
    return n;
  }

  /** `n` raw bytes as a view of the payload. */
  take(n: number): Buffer {
    if (n > this.left) bad('payload truncated');
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** rdbGenericLoadStringObject as bytes (a view of the payload, or a new buffer for LZF/ints). */
  stringBytes(): Buffer {
    const n = this.len();
    if (!this.encoded) return this.take(n);
    switch (n) {
      case RDB_ENC_INT8:
      case RDB_ENC_INT16:
      case RDB_ENC_INT32:
        return Buffer.from(this.intValue(n), 'latin1');
      case RDB_ENC_LZF:
        return this.lzfAfterMarker();
      default:
        return bad('unknown string encoding');
    }
  }

  private intValue(enc: number): string {
    const n = enc === RDB_ENC_INT8 ? 1 : enc === RDB_ENC_INT16 ? 2 : 4;
    if (this.left < n) bad('payload truncated');
    const v = this.b.readIntLE(this.pos, n);
    this.pos += n;
    return String(v);
  }

  /** rdbGenericLoadStringObject as a latin1 string. */
  string(): string {
    const n = this.len();
    if (!this.encoded) {
      if (n > this.left) bad('payload truncated');
      const s = latin1(this.b, this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    if (n === RDB_ENC_LZF) return this.lzfAfterMarker().toString('latin1');
    if (n <= RDB_ENC_INT32) return this.intValue(n);
    return bad('unknown string encoding');
  }

  /** rdbLoadLzfStringObject after its marker: compressed length, original length, data. */
  private lzfAfterMarker(): Buffer {
    const clen = this.plainLen();
    const ulen = this.plainLen();
    if (clen > this.left) bad('payload truncated');
    const start = this.pos;
    this.pos += clen;
    return lzfDecompress(this.b, start, start + clen, ulen);
  }

  /** rdbLoadDoubleValue: the old textual score (length byte; 253 nan, 254 +inf, 255 -inf). */
  textDouble(): number {
    const n = this.u8();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const s = latin1(this.take(n), 0, n);
    return parseScoreText(s);
  }

  /** rdbLoadBinaryDoubleValue: 8 bytes little-endian IEEE 754. */
  binaryDouble(): number {
    if (this.left < 8) bad('payload truncated');
    const v = this.b.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
}

/**
 * A score as text (old RDB_TYPE_ZSET scores, ziplist/listpack score entries): what strtod
 * accepts in Redis's dumps — decimal or exponent notation, "inf"/"-inf"/"infinity". NaN and
 * anything else is a format error.
 */
function parseScoreText(s: string): number {
  const t = s.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (s.length === 0 || s.length > 400) bad('bad score');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // digits . + - e E only: no white space, no hex, no "nan".
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) bad('bad score');
  }
  const v = Number(s);
  if (v !== v) bad('bad score');
  return v;
}

// ---- decoding --------------------------------------------------------------------------------

/**
 * The value in a DUMP payload whose footer verifyDumpPayload accepted. Throws RdbFormatError
 * for anything Redis would refuse ("Bad data format"), for module payloads (Hoard has no
 * modules), and for what Redis's sanitizer would refuse (see the file comment).
 */
export function decodeDumpPayload(payload: Buffer, cfg: EncodingConfig): Value {
  if (payload.length < DUMP_FOOTER_BYTES + 1) bad('payload too short');
  const r = new Reader(payload, payload.length - DUMP_FOOTER_BYTES);
  const type = r.u8();
  const v = loadObject(r, type, cfg);
  if (r.pos !== r.end) bad('trailing bytes after the object');
  return v;
}

function loadObject(r: Reader, type: number, cfg: EncodingConfig): Value {
  switch (type) {
    case RDB_TYPE_STRING:
      return r.string();
    case RDB_TYPE_LIST: {
      const n = r.plainLen();
      if (n === 0) bad('empty list');
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(r.string());
      return ListValue.from(items, cfg);
    }
    case RDB_TYPE_LIST_ZIPLIST: {
      const items = readZiplist(r.stringBytes());
      if (items.length === 0) bad('empty list');
      return ListValue.from(items, cfg);
    }
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const nodes = r.plainLen();
      if (nodes === 0) bad('empty list');
      const items: string[] = [];
      for (let i = 0; i < nodes; i++) {
        let container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (type === RDB_TYPE_LIST_QUICKLIST_2) {
          container = r.plainLen();
          if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
            bad('quicklist: bad container');
          }
        }
        if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
          items.push(r.string());
          continue;
        }
        const blob = r.stringBytes();
        const node = type === RDB_TYPE_LIST_QUICKLIST_2 ? readListpack(blob) : readZiplist(blob);
        // Redis skips empty nodes (a quicklist never keeps one).
        for (let j = 0; j < node.length; j++) items.push(node[j]);
      }
      if (items.length === 0) bad('empty list');
      return ListValue.from(items, cfg);
    }
    case RDB_TYPE_SET: {
      const n = r.plainLen();
      if (n === 0) bad('empty set');
      const members = new StrSet();
      for (let i = 0; i < n; i++) {
        const m = r.string();
        if (members.has(m)) bad('duplicate set member');
        members.add(m);
      }
      return SetValue.from(members, cfg);
    }
    case RDB_TYPE_SET_INTSET:
      return SetValue.from(new StrSet(readIntset(r.stringBytes())), cfg);
    case RDB_TYPE_SET_LISTPACK: {
      const items = readListpack(r.stringBytes());
      if (items.length === 0) bad('empty set');
      const members = new StrSet();
      for (const m of items) {
        if (members.has(m)) bad('duplicate set member');
        members.add(m);
      }
      return SetValue.from(members, cfg);
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = r.plainLen();
      if (n === 0) bad('empty zset');
      const dict = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const m = r.string();
        const s = type === RDB_TYPE_ZSET_2 ? r.binaryDouble() : r.textDouble();
        addScore(dict, m, s);
      }
      return ZSetValue.from(dict, cfg);
    }
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      const blob = r.stringBytes();
      const items = type === RDB_TYPE_ZSET_LISTPACK ? readListpack(blob) : readZiplist(blob);
      if (items.length === 0) bad('empty zset');
      if (items.length % 2 !== 0) bad('zset: odd number of entries');
      const dict = new Map<string, number>();
      for (let i = 0; i < items.length; i += 2) addScore(dict, items[i], parseScoreText(items[i + 1]));
      return ZSetValue.from(dict, cfg);
    }
    case RDB_TYPE_HASH: {
      const n = r.plainLen();
      if (n === 0) bad('empty hash');
      const map = new StrMap<string>();
      for (let i = 0; i < n; i++) {
        const f = r.string();
        const v = r.string();
        if (map.has(f)) bad('duplicate hash field');
        map.set(f, v);
      }
      return HashValue.from(map, cfg);
    }
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK: {
      const blob = r.stringBytes();
      const items = type === RDB_TYPE_HASH_LISTPACK ? readListpack(blob) : type === RDB_TYPE_HASH_ZIPLIST ? readZiplist(blob) : readZipmap(blob);
      if (items.length === 0) bad('empty hash');
      if (items.length % 2 !== 0) bad('hash: odd number of entries');
      const map = new StrMap<string>();
      for (let i = 0; i < items.length; i += 2) {
        if (map.has(items[i])) bad('duplicate hash field');
        map.set(items[i], items[i + 1]);
      }
      return HashValue.from(map, cfg);
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
      return loadStream(r, type === RDB_TYPE_STREAM_LISTPACKS_2);
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
      return bad('module values are not supported');
    default:
      return bad(`unknown object type ${type}`);
  }
}

/** A zset member and its score: NaN and repeated members are refused; -0 is stored as 0. */
function addScore(dict: Map<string, number>, m: string, s: number): void {
  if (s !== s) bad('zset: NaN score');
  if (dict.has(m)) bad('duplicate zset member');
  dict.set(m, s === 0 ? 0 : s);
}

// ---- encoding (rdb.c rdbSaveObject) ----------------------------------------------------------

/** What the encoder reads of the server config (Config satisfies it). */
export interface DumpConfig extends EncodingConfig {
  bool(name: string): boolean;
}

/** An append-only byte buffer. */
class Writer {
  buf = Buffer.allocUnsafe(256);
  pos = 0;
  /** Whether an LZF compression ran for this payload already (see writeLzf). */
  lzfUsed = false;

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  /** rdbSaveLen. */
  len(n: number): void {
    this.room(9);
    const b = this.buf;
    if (n < 1 << 6) b[this.pos++] = (RDB_6BITLEN << 6) | n;
    else if (n < 1 << 14) {
      b[this.pos++] = (RDB_14BITLEN << 6) | (n >>> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = RDB_32BITLEN;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = RDB_64BITLEN;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  bytes(src: Uint8Array): void {
    this.room(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  latin1(s: string): void {
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, s.length, 'latin1');
  }

  double(d: number): void {
    this.room(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }
}

/** rdbTryIntegerEncoding: the encoded form of a canonical int32 string of <= 11 chars, else false. */
function writeIntegerEncoded(w: Writer, s: string): boolean {
  if (s.length > 11) return false;
  const v = parseInt64(s);
  if (typeof v !== 'number') return false;
  if (v >= -128 && v <= 127) {
    w.u8((RDB_ENCVAL << 6) | RDB_ENC_INT8);
    w.u8(v & 0xff);
  } else if (v >= -32768 && v <= 32767) {
    w.u8((RDB_ENCVAL << 6) | RDB_ENC_INT16);
    w.room(2);
    w.buf.writeInt16LE(v, w.pos);
    w.pos += 2;
  } else if (v >= -2147483648 && v <= 2147483647) {
    w.u8((RDB_ENCVAL << 6) | RDB_ENC_INT32);
    w.room(4);
    w.buf.writeInt32LE(v, w.pos);
    w.pos += 4;
  } else return false;
  return true;
}

/** rdbSaveLzfStringObject: false when LZF does not save at least 4 bytes. */
function writeLzf(w: Writer, raw: Uint8Array): boolean {
  if (raw.length <= 4) return false;
  // Redis's lzf_compress leaves its (stack) hash table as the previous call left it: within one
  // payload the blobs are compressed in a row from the same frame, so carrying the table over
  // from the payload's previous compression reproduces Redis's bytes for multi-node lists.
  const c = lzfCompress(raw, raw.length - 4, !w.lzfUsed);
  w.lzfUsed = true;
  if (c === null) return false;
  w.u8((RDB_ENCVAL << 6) | RDB_ENC_LZF);
  w.len(c.length);
  w.len(raw.length);
  w.bytes(c);
  return true;
}

/** rdbSaveRawString of a latin1 string. */
function writeString(w: Writer, s: string, compress: boolean): void {
  if (s.length <= 11 && writeIntegerEncoded(w, s)) return;
  if (compress && s.length > 20 && writeLzf(w, Buffer.from(s, 'latin1'))) return;
  w.len(s.length);
  w.latin1(s);
}

/** rdbSaveRawString of a blob (listpack, intset). */
function writeBlob(w: Writer, b: Buffer, compress: boolean): void {
  if (compress && b.length > 20 && writeLzf(w, b)) return;
  w.len(b.length);
  w.bytes(b);
}

/** Redis's optimization_level: node byte limits for list-max-listpack-size -1 .. -5. */
const QUICKLIST_OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const QUICKLIST_SIZE_SAFETY_LIMIT = 8192;
/** quicklist.c's SIZE_ESTIMATE_OVERHEAD: what one entry adds to a listpack beyond its bytes, at most. */
const QUICKLIST_SIZE_ESTIMATE_OVERHEAD = 8;

/**
 * _quicklistNodeAllowInsert (with quicklistNodeExceedsLimit) as redis-server 7.0.15 runs it: may
 * an element of `sz` bytes join a node of `nodeBytes` bytes and `count` elements under
 * list-max-listpack-size `fill`? (Checked against Redis: a list built by RPUSH dumps the same
 * nodes.)
 */
function quicklistAllowInsert(nodeBytes: number, count: number, fill: number, sz: number): boolean {
  const newSz = nodeBytes + sz + QUICKLIST_SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const off = Math.min(-fill - 1, QUICKLIST_OPTIMIZATION_LEVEL.length - 1);
    return newSz <= QUICKLIST_OPTIMIZATION_LEVEL[off];
  }
  if (newSz > QUICKLIST_SIZE_SAFETY_LIMIT) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

function writeList(w: Writer, l: ListValue, cfg: DumpConfig, compress: boolean): void {
  const fill = cfg.num('list-max-listpack-size');
  const nodes: Buffer[] = [];
  let node: ListpackWriter | null = null;
  for (const e of l.values()) {
    if (node !== null && !quicklistAllowInsert(node.bytes, node.count, fill, e.length)) {
      nodes.push(node.finish());
      node = null;
    }
    if (node === null) node = new ListpackWriter(Math.min(8192, 64 + e.length * 2));
    node.append(e);
  }
  if (node !== null) nodes.push(node.finish());
  w.u8(RDB_TYPE_LIST_QUICKLIST_2);
  w.len(nodes.length);
  for (const n of nodes) {
    w.len(QUICKLIST_NODE_CONTAINER_PACKED);
    writeBlob(w, n, compress);
  }
}

function writeSet(w: Writer, s: SetValue, compress: boolean): void {
  if (s.intset) {
    w.u8(RDB_TYPE_SET_INTSET);
    writeBlob(w, writeIntset(s.values()), compress);
    return;
  }
  w.u8(RDB_TYPE_SET);
  w.len(s.size);
  for (const m of s.values()) writeString(w, m, compress);
}

function writeHash(w: Writer, h: HashValue, compress: boolean): void {
  if (!h.big) {
    const lp = new ListpackWriter();
    for (const [f, v] of h.entries()) {
      lp.append(f);
      lp.append(v);
    }
    w.u8(RDB_TYPE_HASH_LISTPACK);
    writeBlob(w, lp.finish(), compress);
    return;
  }
  w.u8(RDB_TYPE_HASH);
  w.len(h.size);
  for (const [f, v] of h.entries()) {
    writeString(w, f, compress);
    writeString(w, v, compress);
  }
}

function writeZset(w: Writer, z: ZSetValue, compress: boolean): void {
  w.u8(RDB_TYPE_ZSET_2);
  w.len(z.size);
  // Highest first, as Redis walks its skiplist from the tail (loading then inserts at the head).
  z.rangeByRank(0, z.size - 1, true, (m, s) => {
    writeString(w, m, compress);
    w.double(s);
  });
}

/** createDumpPayload: the DUMP bytes of `v`. */
export function createDumpPayload(v: Value, cfg: DumpConfig): Buffer {
  const w = new Writer();
  writeObject(w, v, cfg);
  return withDumpFooter(w);
}

/** Ends a DUMP-style payload (DUMP, FUNCTION DUMP): the RDB version and the CRC-64 of all before it. */
function withDumpFooter(w: Writer): Buffer {
  w.room(DUMP_FOOTER_BYTES);
  w.buf[w.pos++] = DUMP_RDB_VERSION & 0xff;
  w.buf[w.pos++] = DUMP_RDB_VERSION >>> 8;
  crc64Into(w.buf, 0, w.pos, w.buf, w.pos);
  w.pos += 8;
  return w.buf.subarray(0, w.pos);
}

/**
 * FUNCTION DUMP's payload (Redis's functionDumpCommand): per library RDB_OPCODE_FUNCTION2 and
 * its code as an RDB string (LZF-compressed as rdbcompression says), then the DUMP footer (RDB
 * version, CRC-64). An RDB file carries the same records after its AUX fields.
 */
export function createFunctionsPayload(codes: readonly string[], compress: boolean): Buffer {
  const w = new Writer();
  for (const code of codes) {
    w.u8(RDB_OPCODE_FUNCTION2);
    writeString(w, code, compress);
  }
  return withDumpFooter(w);
}

/**
 * The libraries' code in a FUNCTION RESTORE payload (functionRestoreCommand's reading loop), or
 * Redis's error text (without the ERR code).
 */
export function readFunctionsPayload(payload: Buffer): string[] | string {
  if (!verifyDumpPayload(payload)) return 'DUMP payload version or checksum are wrong';
  const end = payload.length - DUMP_FOOTER_BYTES;
  const r = new Reader(payload, end);
  const codes: string[] = [];
  while (r.pos < end) {
    const type = r.b[r.pos++];
    if (type === RDB_OPCODE_FUNCTION_PRE_GA) return 'Pre-GA function format not supported';
    if (type !== RDB_OPCODE_FUNCTION2) return 'given type is not a function';
    try {
      codes.push(r.string());
    } catch (err) {
      if (err instanceof RdbFormatError) return 'Failed loading library payload';
      throw err;
    }
  }
  return codes;
}

/**
 * What an RDB file holds for a key after its name: the type byte and the object (a DUMP payload
 * without its footer). With `freshLzf` false, LZF starts from the hash table the previous
 * compression left, as Redis's lzf_compress does (any table gives a valid encoding; zeroing the
 * 256 KB table per value made an RDB of 1M short strings take ~4 s instead of ~0.6).
 */
export function encodeRdbObject(v: Value, cfg: DumpConfig, freshLzf = true): Buffer {
  const w = new Writer();
  if (!freshLzf) w.lzfUsed = true;
  writeObject(w, v, cfg);
  return w.buf.subarray(0, w.pos);
}

/** The type byte and object of `v` (rdbSaveObjectType + rdbSaveObject). */
function writeObject(w: Writer, v: Value, cfg: DumpConfig): void {
  const compress = cfg.bool('rdbcompression');
  if (typeof v === 'string') {
    w.u8(RDB_TYPE_STRING);
    writeString(w, v, compress);
  } else if (v instanceof ListValue) writeList(w, v, cfg, compress);
  else if (v instanceof SetValue) writeSet(w, v, compress);
  else if (v instanceof HashValue) writeHash(w, v, compress);
  else if (v instanceof ZSetValue) writeZset(w, v, compress);
  else if (v instanceof StreamValue) writeStream(w, v, compress);
  else throw Object.assign(new Error(`DUMP: no RDB encoding for a ${v.type} value of this class`), { code: 'COLLECTION_CONTRACT' });
}

// ---- streams (rdb.c rdbSaveObject/rdbLoadObject for OBJ_STREAM, t_stream.c listpacks) -----------

/** rdbSaveLen of a 64-bit value. */
function writeLenBig(w: Writer, v: bigint): void {
  if (v <= 0xffffffffn) return w.len(Number(v));
  w.room(9);
  w.buf[w.pos++] = RDB_64BITLEN;
  w.buf.writeBigUInt64BE(v, w.pos);
  w.pos += 8;
}

/** rdbLoadLen of a 64-bit value, exact. */
function readLenBig(r: Reader): bigint {
  const first = r.u8();
  const type = (first & 0xc0) >>> 6;
  if (type === RDB_ENCVAL) bad('unexpected encoded value');
  if (type === RDB_6BITLEN) return BigInt(first & 0x3f);
  if (type === RDB_14BITLEN) return BigInt(((first & 0x3f) << 8) | r.u8());
  if (first === RDB_32BITLEN) return BigInt(r.take(4).readUInt32BE(0));
  if (first === RDB_64BITLEN) return r.take(8).readBigUInt64BE(0);
  return bad('unknown length encoding');
}

/** rdbSaveMillisecondTime: 8 bytes little-endian. */
function writeMs(w: Writer, t: number): void {
  w.room(8);
  w.buf.writeBigInt64LE(BigInt(Math.trunc(t)), w.pos);
  w.pos += 8;
}

function readMs(r: Reader): number {
  return Number(r.take(8).readBigInt64LE(0));
}

/** streamEncodeID: 128 bits big-endian. */
function idBytes(id: StreamID): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(idMs(id), 0);
  b.writeBigUInt64BE(idSeq(id), 8);
  return b;
}

function idFromBytes(b: Buffer): StreamID {
  return makeId(b.readBigUInt64BE(0), b.readBigUInt64BE(8));
}

function writeIdLens(w: Writer, id: StreamID): void {
  writeLenBig(w, idMs(id));
  writeLenBig(w, idSeq(id));
}

function readIdLens(r: Reader): StreamID {
  const ms = readLenBig(r);
  return makeId(ms, readLenBig(r));
}

const STREAM_ITEM_FLAG_DELETED = 1;
const STREAM_ITEM_FLAG_SAMEFIELDS = 2;

/** The listpack Redis holds for `n` (streamAppendItem, with its counters and flags as they are now). */
function nodeListpack(n: StreamNode): Buffer {
  const lp = new ListpackWriter(n.lpBytes + 16);
  lp.append(String(n.count));
  lp.append(String(n.delCount));
  const mf = n.masterFields;
  lp.append(String(mf.length));
  for (let i = 0; i < mf.length; i++) lp.append(mf[i]);
  lp.append('0');
  const mMs = idMs(n.masterId);
  const mSeq = idSeq(n.masterId);
  for (let i = 0; i < n.ids.length; i++) {
    const fv = n.fvs[i];
    const nf = fv.length >>> 1;
    const same = n.sameFields(fv);
    lp.append(String((n.deleted[i] ? STREAM_ITEM_FLAG_DELETED : 0) | (same ? STREAM_ITEM_FLAG_SAMEFIELDS : 0)));
    lp.append(String(deltaI64(idMs(n.ids[i]), mMs)));
    lp.append(String(deltaI64(idSeq(n.ids[i]), mSeq)));
    if (!same) lp.append(String(nf));
    for (let j = 0; j < nf; j++) {
      if (!same) lp.append(fv[2 * j]);
      lp.append(fv[2 * j + 1]);
    }
    lp.append(String(same ? nf + 3 : 2 * nf + 4));
  }
  return lp.finish();
}

function writeStream(w: Writer, s: StreamValue, compress: boolean): void {
  w.u8(RDB_TYPE_STREAM_LISTPACKS_2);
  w.len(s.nodes.length);
  for (const n of s.nodes) {
    writeBlob(w, idBytes(n.masterId), compress);
    writeBlob(w, nodeListpack(n), compress);
  }
  w.len(s.length);
  writeIdLens(w, s.lastId);
  writeIdLens(w, s.firstId);
  writeIdLens(w, s.maxDeletedId);
  w.len(s.entriesAdded);
  const groups = s.sortedGroups();
  w.len(groups.length);
  for (const cg of groups) {
    writeString(w, cg.name, compress);
    writeIdLens(w, cg.lastId);
    writeLenBig(w, cg.entriesRead === ENTRIES_READ_INVALID ? U64_MAX : BigInt(cg.entriesRead));
    w.len(cg.pel.size);
    for (const [id, nack] of cg.pel.entries()) {
      w.bytes(idBytes(id));
      writeMs(w, nack.deliveryTime);
      w.len(nack.deliveryCount);
    }
    const cons = cg.sortedConsumers();
    w.len(cons.length);
    for (const c of cons) {
      writeString(w, c.name, compress);
      writeMs(w, c.seenTime);
      w.len(c.pel.size);
      for (const [id] of c.pel.entries()) w.bytes(idBytes(id));
    }
  }
}

/** A listpack element that must be an integer (stream node bookkeeping). */
function lpInt(items: string[], i: number): bigint {
  if (i >= items.length) bad('stream listpack: entry truncated');
  const v = parseInt64(items[i]);
  if (v === null) bad('stream listpack: integer expected');
  return BigInt(v);
}

/** One node's listpack, checked as streamValidateListpackIntegrity (deep) does, into `s`. */
function loadStreamNode(s: StreamValue, master: StreamID, lp: Buffer): void {
  const items = readListpack(lp);
  if (items.length === 0) bad('empty listpack inside stream');
  const count = lpInt(items, 0);
  const delCount = lpInt(items, 1);
  const nf = Number(lpInt(items, 2));
  if (nf < 0 || 3 + nf >= items.length) bad('stream listpack: bad master entry');
  const fields = items.slice(3, 3 + nf);
  if (items[3 + nf] !== '0') bad('stream listpack: master entry not terminated');
  const ids: StreamID[] = [];
  const fvs: string[][] = [];
  const deleted: boolean[] = [];
  const mMs = idMs(master);
  const mSeq = idSeq(master);
  let p = 4 + nf;
  let live = 0n;
  let dead = 0n;
  while (p < items.length) {
    const flags = Number(lpInt(items, p));
    if (flags < 0 || flags > 3) bad('stream listpack: bad entry flags');
    const id = makeId((mMs + lpInt(items, p + 1)) & U64_MAX, (mSeq + lpInt(items, p + 2)) & U64_MAX);
    if (id < master) bad('stream listpack: entry before its master entry');
    p += 3;
    const fv: string[] = [];
    if ((flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0) {
      if (p + nf > items.length) bad('stream listpack: entry truncated');
      for (let j = 0; j < nf; j++) fv.push(fields[j], items[p + j]);
      p += nf;
      if (lpInt(items, p) !== BigInt(nf + 3)) bad('stream listpack: bad lp-count');
    } else {
      const n = Number(lpInt(items, p));
      p++;
      if (n < 1 || p + 2 * n > items.length) bad('stream listpack: bad field count');
      for (let j = 0; j < 2 * n; j++) fv.push(items[p + j]);
      p += 2 * n;
      if (lpInt(items, p) !== BigInt(2 * n + 4)) bad('stream listpack: bad lp-count');
    }
    if (fv.length === 0) bad('stream listpack: entry without fields');
    p++;
    ids.push(id);
    fvs.push(fv);
    const del = (flags & STREAM_ITEM_FLAG_DELETED) !== 0;
    deleted.push(del);
    if (del) dead++;
    else live++;
  }
  if (ids.length === 0) bad('stream listpack: node without entries');
  if (live !== count || dead !== delCount) bad('stream listpack: counters do not match the entries');
  // Live entries must ascend across the whole stream. A node may hold an entry below a
  // tombstone before it (7.0 lets XSETID go below a deleted ID and XADD then appends to the same
  // listpack): such a node is split at each descent, so every node here stays sorted.
  let lastLive = s.length > 0 ? s.lastValidId() : -1n;
  let from = 0;
  for (let i = 0; i <= ids.length; i++) {
    if (i < ids.length) {
      if (!deleted[i]) {
        if (ids[i] <= lastLive) bad('stream entries out of order');
        lastLive = ids[i];
      }
      if (i === 0 || ids[i] > ids[i - 1]) continue;
    }
    const runMaster = from === 0 ? master : ids[from];
    if (s.nodes.length > 0 && runMaster <= s.nodes[s.nodes.length - 1].masterId) bad('stream nodes out of order');
    s.loadNode(runMaster, fields, ids.slice(from, i), fvs.slice(from, i), deleted.slice(from, i));
    from = i;
  }
}

function loadStream(r: Reader, v2: boolean): StreamValue {
  const s = new StreamValue();
  const nodes = r.plainLen();
  for (let i = 0; i < nodes; i++) {
    const key = r.stringBytes();
    if (key.length !== 16) bad('stream node key is not a stream ID');
    const master = idFromBytes(key);
    loadStreamNode(s, master, r.stringBytes());
  }
  const length = readLenBig(r);
  if (length !== BigInt(s.length)) bad('stream length does not match its entries');
  s.lastId = readIdLens(r);
  if (s.nodes.length > 0 && s.nodes[s.nodes.length - 1].lastId > s.lastId && s.lastValidId() > s.lastId) bad('stream entries after its last ID');
  if (v2) {
    s.firstId = readIdLens(r);
    s.maxDeletedId = readIdLens(r);
    const added = readLenBig(r);
    if (added > BigInt(Number.MAX_SAFE_INTEGER)) bad('entries-added too large');
    s.entriesAdded = Number(added);
  } else {
    s.firstId = s.edgeId(true);
    s.entriesAdded = s.length;
  }
  const ngroups = r.plainLen();
  for (let g = 0; g < ngroups; g++) {
    const name = r.string();
    const lastId = readIdLens(r);
    let entriesRead: number;
    if (v2) {
      const er = readLenBig(r);
      entriesRead = er === U64_MAX ? ENTRIES_READ_INVALID : er > BigInt(Number.MAX_SAFE_INTEGER) ? bad('entries-read too large') : Number(er);
    } else entriesRead = s.estimateDistance(lastId);
    const cg = s.createGroup(name, lastId, entriesRead);
    if (cg === null) bad('duplicated consumer group name');
    const pelSize = r.plainLen();
    const pending = new Map<StreamID, { t: number; n: number; taken: boolean }>();
    const order: StreamID[] = [];
    for (let i = 0; i < pelSize; i++) {
      const id = idFromBytes(r.take(16));
      const t = readMs(r);
      const n = r.plainLen();
      if (pending.has(id)) bad('duplicated global PEL entry');
      pending.set(id, { t, n, taken: false });
      order.push(id);
    }
    const ncons = r.plainLen();
    for (let i = 0; i < ncons; i++) {
      const cname = r.string();
      const seen = readMs(r);
      const consumer = s.createConsumer(cg!, cname, seen);
      if (consumer === null) bad('duplicated consumer name');
      const n = r.plainLen();
      for (let j = 0; j < n; j++) {
        const id = idFromBytes(r.take(16));
        const e = pending.get(id);
        if (e === undefined || e.taken) bad('consumer PEL entry not in the group PEL, or claimed twice');
        e.taken = true;
        s.loadNack(cg!, id, consumer!, e.t, e.n);
      }
    }
    for (const id of order) if (!pending.get(id)!.taken) bad('group PEL entry without a consumer');
  }
  return s;
}

// ---- whole RDB files (rdb.c rdbLoadRio) ----------------------------------------------------------

export const RDB_OPCODE_FUNCTION2 = 245;
const RDB_OPCODE_FUNCTION_PRE_GA = 246;
const RDB_OPCODE_MODULE_AUX = 247;
const RDB_OPCODE_IDLE = 248;
const RDB_OPCODE_FREQ = 249;
const RDB_OPCODE_AUX = 250;
const RDB_OPCODE_RESIZEDB = 251;
const RDB_OPCODE_EXPIRETIME_MS = 252;
const RDB_OPCODE_EXPIRETIME = 253;
const RDB_OPCODE_SELECTDB = 254;
const RDB_OPCODE_EOF = 255;

/** One key of an RDB file. */
export interface RdbKey {
  db: number;
  key: string;
  value: Value;
  /** Unix ms, 0 = none. */
  expireAt: number;
}

/**
 * Reads a whole RDB file held in memory (a replica's full sync), a key at a time so that the
 * caller can yield between keys: the magic and version (1-10), then AUX fields, SELECTDB,
 * RESIZEDB, EXPIRETIME(_MS) and the LRU/LFU hints (skipped), each key's type, name and object
 * (loadObject: the same decoding and checks as RESTORE), up to EOF and the CRC-64 of everything
 * before it (checked unless the file carries 0, as Redis writes with rdbchecksum no). Function
 * libraries (FUNCTION2 records) are collected in `functions`; module data is refused. Throws RdbFormatError on any damage.
 */
export class RdbFileReader {
  readonly version: number;
  readonly aux = new Map<string, string>();
  /** The function libraries' code (RDB_OPCODE_FUNCTION2 records) read so far. */
  readonly functions: string[] = [];
  private readonly r: Reader;
  private db = 0;

  constructor(
    private readonly file: Buffer,
    private readonly cfg: EncodingConfig,
  ) {
    if (file.length < 9 || file.toString('latin1', 0, 5) !== 'REDIS') bad('not an RDB file (no REDIS magic)');
    const ver = file.toString('latin1', 5, 9);
    this.version = /^\d{4}$/.test(ver) ? Number(ver) : 0;
    if (this.version < 1 || this.version > DUMP_RDB_VERSION) bad(`unsupported RDB version ${JSON.stringify(ver)}`);
    this.r = new Reader(file, file.length);
    this.r.pos = 9;
  }

  /** Bytes read so far (progress). */
  get position(): number {
    return this.r.pos;
  }

  /** Fills `out` with the next key and returns true, or returns false at the end of the file. */
  next(out: RdbKey): boolean {
    const r = this.r;
    let expireAt = 0;
    for (;;) {
      const op = r.u8();
      switch (op) {
        case RDB_OPCODE_EXPIRETIME_MS:
          if (r.left < 8) bad('payload truncated');
          expireAt = Number(this.file.readBigInt64LE(r.pos));
          r.pos += 8;
          continue;
        case RDB_OPCODE_EXPIRETIME:
          if (r.left < 4) bad('payload truncated');
          expireAt = this.file.readInt32LE(r.pos) * 1000;
          r.pos += 4;
          continue;
        case RDB_OPCODE_FREQ:
          r.u8();
          continue;
        case RDB_OPCODE_IDLE:
          r.plainLen();
          continue;
        case RDB_OPCODE_AUX: {
          const k = r.string();
          this.aux.set(k, r.string());
          continue;
        }
        case RDB_OPCODE_RESIZEDB:
          r.plainLen();
          r.plainLen();
          continue;
        case RDB_OPCODE_SELECTDB:
          this.db = r.plainLen();
          continue;
        case RDB_OPCODE_MODULE_AUX:
          return bad('module data in the RDB: Hoard has no modules');
        case RDB_OPCODE_FUNCTION2:
          // A function library's code (rdbFunctionLoad): the caller loads them after the keys.
          this.functions.push(r.string());
          continue;
        case RDB_OPCODE_FUNCTION_PRE_GA:
          return bad('Pre-GA function format not supported');
        case RDB_OPCODE_EOF: {
          if (this.version >= 5) {
            const end = r.pos;
            if (r.left < 8) bad('payload truncated (checksum)');
            const stored = this.file.subarray(end, end + 8);
            if (stored.some((b) => b !== 0) && crc64(this.file.subarray(0, end)) !== stored.readBigUInt64LE(0)) bad('RDB checksum mismatch');
            r.pos += 8;
          }
          if (r.pos !== this.file.length) bad(`${this.file.length - r.pos} bytes after the end of the RDB`);
          return false;
        }
        default:
          out.db = this.db;
          out.key = r.string();
          out.value = loadObject(r, op, this.cfg);
          out.expireAt = expireAt;
          return true;
      }
    }
  }
}
