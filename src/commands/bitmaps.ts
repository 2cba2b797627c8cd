// Bitmap commands (Redis bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// A bitmap is a string value (a latin1 string, one char per byte); bit 0 is the most significant
// bit of byte 0, as in Redis. Strings are immutable, so a write builds a new value: SETBIT and
// BITFIELD cost O(length) here (Redis: O(1) in place), through a scratch Buffer.
//
// Replies, error texts and argument-checking order are Redis 7.0.15's, quirks included: BITCOUNT
// looks the key up before parsing its range (a missing key answers 0 whatever follows), BITPOS
// does so right after the bit argument, BITFIELD parses every subcommand before touching the key.
//
// Canonical mutations: every write is deterministic given the keyspace, so it is propagated as
// received. As in Redis 7.0.15 (#9403, #10459), SETBIT and BITFIELD that neither change a bit nor
// create or grow the value propagate nothing, fire no event and leave the dirty counter alone;
// BITFIELD with only GETs never writes. One deliberate difference: Redis 7.0.15 creates or grows
// the value for a BITFIELD whose every write failed (OVERFLOW FAIL) without propagating it (a
// replica would not see the key); Hoard propagates that command too, so that replaying the log
// gives the same keyspace (no "setbit" event is fired, as in Redis).
//
// Keyspace events: "setbit" (SETBIT, BITFIELD), "set" on BITOP's destination, "del" when BITOP's
// result is empty and the destination existed. Values written here report OBJECT ENCODING "raw"
// (Redis writes through dbUnshareStringValue or creates a raw object), even a SETBIT that changed
// nothing.

import { STR_RAW } from '../keyspace/index.js';
import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { NOTIFY } from '../config.js';
import { INT64_MAX, parseInt64 } from '../util/numbers.js';
import type { Latin1Buffer } from '../util/latin1.js';
import { scratch } from '../types/packed-bytes.js';

const BIT_OFFSET_ERR = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE_ERR = 'ERR bit is not an integer or out of range';
const BITPOS_BIT_ERR = 'ERR The bit argument must be 1 or 0.';
const BITFIELD_TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const BITFIELD_OVERFLOW_ERR = 'ERR Invalid OVERFLOW type specified';
const BITFIELD_RO_ERR = 'ERR BITFIELD_RO only supports the GET subcommand';
const BITOP_NOT_ERR = 'ERR BITOP NOT must be called with a single source key.';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/**
 * V8 cannot hold a string longer than this (buffer.constants.MAX_STRING_LENGTH on 64-bit Node
 * 20: 2^29 - 24). The offset check already keeps a write within proto-max-bulk-len, as Redis
 * does; a value that would be longer than V8 allows is refused with the error APPEND/SETRANGE
 * give (Redis would accept the last 24 bytes below 512 MB).
 */
const MAX_JS_STRING = 536870888;

/** Bits set in each byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = POPCOUNT[i >> 1] + (i & 1);

// Long scans copy the string into a Buffer a chunk at a time and work on 32-bit words: measured
// on Node 20 here, charCodeAt costs ~2 ns per byte in a loop (it re-checks the string's
// representation on every read; BITCOUNT of 1 MB took 2.0 ms), while the native latin1 copy costs
// ~0.03 ns per byte. Chunks are 64 KB: small enough to stay in cache, large enough that the
// per-call cost of the copy vanishes. Substrings of a chunk are SlicedStrings (no copy).
const CHUNK = 65536;
const chunkBuf = Buffer.allocUnsafeSlow(CHUNK) as Latin1Buffer;
const chunk32 = new Int32Array(chunkBuf.buffer, chunkBuf.byteOffset, CHUNK >> 2);
/** Below this many bytes a charCodeAt loop is used: the native copy costs ~40 ns a call (util/latin1.ts). */
const SCAN_COPY_MIN = 64;

/** Copies s[from, from + n) (n <= CHUNK) into chunkBuf. */
function loadChunk(s: string, from: number, n: number): void {
  chunkBuf.latin1Write(from === 0 && n === s.length ? s : s.slice(from, from + n), 0, n);
}

// A value being rebuilt (SETBIT, BITFIELD, BITOP's result) goes through the scratch buffer the
// packed hash/zset forms use (types/packed-bytes.ts: reused up to 1 MB, a buffer of its own
// beyond). Rebuilding through a Buffer (copy in, patch, one latin1Slice out) measured ~220 us
// per 1 MB value against ~410 us for slice + concat, whose ConsString is flattened (copied
// again) by the next read.

/** `old` copied into a scratch buffer of at least `len` bytes (len >= old.length), zero-padded. */
function loadValue(old: string, len: number): Latin1Buffer {
  const b = scratch(len);
  const olen = old.length;
  if (olen > 0) b.latin1Write(old, 0, olen);
  if (len > olen) b.fill(0, olen, len);
  return b;
}

// ---- argument parsing -------------------------------------------------------------------------

/**
 * Redis getBitOffsetFromArgument: the bit offset, or -1 (reply BIT_OFFSET_ERR). With `bits` > 0
 * (BITFIELD) "#N" means N * bits, multiplied in int64 with C's wrap-around. The offset must be
 * non-negative and address a byte below proto-max-bulk-len. Offsets beyond 2^53 (only possible
 * with a huge proto-max-bulk-len) are returned rounded: they lie past any string V8 can hold.
 */
function bitOffset(c: CommandContext, arg: string, bits: number): number {
  const hash = bits > 0 && arg.charCodeAt(0) === 35; /* # */
  let v = parseInt64(hash ? arg.slice(1) : arg);
  if (v === null) return -1;
  if (hash) {
    if (typeof v === 'number' && Math.abs(v) <= 2 ** 46) v *= bits; // |v * 64| < 2^53: exact
    else v = BigInt.asIntN(64, BigInt(v) * BigInt(bits));
  }
  if (v < 0) return -1;
  const off = typeof v === 'number' ? v : Number(v);
  if (Math.floor(off / 8) >= c.server.config.num('proto-max-bulk-len')) return -1;
  return off;
}

/**
 * A range index (int64) as a number clamped to ±(2^53 - 1): no string reaches 2^50 bytes, so
 * clamping changes no outcome once the "both negative, start > end" test has seen the exact values.
 */
function clampIndex(v: number | bigint): number {
  return typeof v === 'number' ? v : v > 0n ? MAX_SAFE : -MAX_SAFE;
}

/** BIT → 1, BYTE → 0, anything else → -1. */
function parseUnit(s: string): number {
  if (s.length === 3 && s.toLowerCase() === 'bit') return 1;
  if (s.length === 4 && s.toLowerCase() === 'byte') return 0;
  return -1;
}

// ---- SETBIT / GETBIT --------------------------------------------------------------------------

function setbit(c: CommandContext, argv: string[]): void {
  const off = bitOffset(c, argv[2], 0);
  if (off < 0) return c.reply.error(BIT_OFFSET_ERR);
  const on = parseInt64(argv[3]);
  if (on !== 0 && on !== 1) return c.reply.error(BIT_VALUE_ERR);
  const key = argv[1];
  const db = c.db;
  const s = db.lookupWrite(key);
  let old = '';
  if (s >= 0) {
    const v = db.valueAt(s);
    if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
    old = v;
  }
  const byte = Math.floor(off / 8);
  if (byte >= MAX_JS_STRING) return c.reply.error(E.STRING_TOO_LONG);
  const olen = old.length;
  const mask = 0x80 >> off % 8;
  const cur = byte < olen ? old.charCodeAt(byte) : 0;
  const was = (cur & mask) !== 0 ? 1 : 0;
  if (s >= 0 && byte < olen && was === on) {
    // Nothing changes: Redis still unshares the value (raw) but neither signals nor propagates.
    db.setStringHintAt(s, STR_RAW);
    return c.reply.int(was);
  }
  const nb = on === 1 ? cur | mask : cur & ~mask;
  const len = byte < olen ? olen : byte + 1;
  let next: string;
  if (len < SCAN_COPY_MIN) {
    const ch = String.fromCharCode(nb);
    if (byte < olen) next = old.slice(0, byte) + ch + old.slice(byte + 1);
    else next = old + '\0'.repeat(byte - olen) + ch;
  } else {
    const b = loadValue(old, len);
    b[byte] = nb;
    next = b.latin1Slice(0, len);
  }
  db.setStringHintAt(s >= 0 ? db.overwrite(s, next, true) : db.addAfterMiss(key, next), STR_RAW);
  c.notify(NOTIFY.STRING, 'setbit', key);
  c.propagate(argv);
  c.reply.int(was);
}

function getbit(c: CommandContext, argv: string[]): void {
  const off = bitOffset(c, argv[2], 0);
  if (off < 0) return c.reply.error(BIT_OFFSET_ERR);
  const v = c.db.readValue(argv[1]);
  if (v === undefined) return c.reply.int(0);
  if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
  const byte = Math.floor(off / 8);
  if (byte >= v.length) return c.reply.int(0);
  c.reply.int((v.charCodeAt(byte) & (0x80 >> off % 8)) !== 0 ? 1 : 0);
}

// ---- BITCOUNT ---------------------------------------------------------------------------------

/** Set bits in s[from, to): 32-bit SWAR popcount over chunk copies, a table for short ranges. */
function popcount(s: string, from: number, to: number): number {
  let n = 0;
  if (to - from < SCAN_COPY_MIN) {
    for (let i = from; i < to; i++) n += POPCOUNT[s.charCodeAt(i)];
    return n;
  }
  const w32 = chunk32;
  for (let pos = from; pos < to; pos += CHUNK) {
    const len = to - pos < CHUNK ? to - pos : CHUNK;
    loadChunk(s, pos, len);
    const words = len >> 2;
    for (let w = 0; w < words; w++) {
      let x = w32[w];
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      x = (x + (x >>> 4)) & 0x0f0f0f0f;
      n += Math.imul(x, 0x01010101) >>> 24;
    }
    for (let i = words << 2; i < len; i++) n += POPCOUNT[chunkBuf[i]];
  }
  return n;
}

function bitcount(c: CommandContext, argv: string[]): void {
  // Redis 7.0: the key is looked up first; a missing key is 0 whatever the arguments.
  const v = c.db.readValue(argv[1]);
  if (v === undefined) return c.reply.int(0);
  if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
  const len = v.length;
  if (argv.length === 2) return c.reply.int(popcount(v, 0, len));
  if (argv.length !== 4 && argv.length !== 5) return c.reply.error(E.SYNTAX);
  const s0 = parseInt64(argv[2]);
  if (s0 === null) return c.reply.error(E.NOT_INTEGER);
  const e0 = parseInt64(argv[3]);
  if (e0 === null) return c.reply.error(E.NOT_INTEGER);
  // Compared before clamping and before the unit is parsed, as Redis 7.0 does.
  if (s0 < 0 && e0 < 0 && s0 > e0) return c.reply.int(0);
  let isBit = false;
  if (argv.length === 5) {
    const u = parseUnit(argv[4]);
    if (u < 0) return c.reply.error(E.SYNTAX);
    isBit = u === 1;
  }
  const total = isBit ? len * 8 : len;
  let start = clampIndex(s0);
  let end = clampIndex(e0);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return c.reply.int(0);
  if (!isBit) return c.reply.int(popcount(v, start, end + 1));
  const fb = Math.floor(start / 8);
  const lb = Math.floor(end / 8);
  let n = popcount(v, fb, lb + 1);
  // Take away the bits of the edge bytes that lie outside [start, end].
  n -= POPCOUNT[v.charCodeAt(fb) & (~((1 << (8 - (start % 8))) - 1) & 0xff)];
  n -= POPCOUNT[v.charCodeAt(lb) & ((1 << (7 - (end % 8))) - 1)];
  c.reply.int(n);
}

// ---- BITPOS -----------------------------------------------------------------------------------

/**
 * Redis redisBitpos over s[from, from + count): the position (relative to byte `from`) of the
 * first bit equal to `bit`; when there is none, -1 looking for 1, count * 8 looking for 0 (the
 * first bit after the range).
 */
function bitposBytes(s: string, from: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  const end = from + count;
  let i = from;
  if (count < SCAN_COPY_MIN) {
    while (i < end && s.charCodeAt(i) === skip) i++;
  } else {
    // Word scan over chunk copies; the chunks start small, as the bit is often found early.
    const skipWord = bit === 1 ? 0 : -1;
    let step = 256;
    for (let pos = from; ; pos += step, step = step < CHUNK ? step * 2 : CHUNK) {
      if (pos >= end) {
        i = end;
        break;
      }
      const len = end - pos < step ? end - pos : step;
      loadChunk(s, pos, len);
      const words = len >> 2;
      let w = 0;
      while (w < words && chunk32[w] === skipWord) w++;
      let k = w << 2;
      while (k < len && chunkBuf[k] === skip) k++;
      if (k < len) {
        i = pos + k;
        break;
      }
    }
  }
  if (i === end) return bit === 1 ? -1 : count * 8;
  return (i - from) * 8 + bitposByte(s.charCodeAt(i), bit);
}

/** The first bit equal to `bit` in one byte (0 = most significant), 8 looking for 0 in 0xff, -1 looking for 1 in 0. */
function bitposByte(b: number, bit: number): number {
  const x = bit === 1 ? b : ~b & 0xff;
  if (x === 0) return bit === 1 ? -1 : 8;
  return Math.clz32(x) - 24;
}

function bitpos(c: CommandContext, argv: string[]): void {
  const bit = parseInt64(argv[2]);
  if (bit === null) return c.reply.error(E.NOT_INTEGER);
  if (bit !== 0 && bit !== 1) return c.reply.error(BITPOS_BIT_ERR);
  // Redis 7.0: a missing key is an endless run of 0 bits, whatever the range arguments.
  const v = c.db.readValue(argv[1]);
  if (v === undefined) return c.reply.int(bit === 1 ? -1 : 0);
  if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
  const len = v.length;
  const argc = argv.length;
  let start: number;
  let end: number;
  let endGiven = false;
  let firstMask = 0;
  let lastMask = 0;
  if (argc >= 4 && argc <= 6) {
    const s0 = parseInt64(argv[3]);
    if (s0 === null) return c.reply.error(E.NOT_INTEGER);
    let isBit = false;
    if (argc === 6) {
      const u = parseUnit(argv[5]);
      if (u < 0) return c.reply.error(E.SYNTAX);
      isBit = u === 1;
    }
    start = clampIndex(s0);
    if (argc >= 5) {
      const e0 = parseInt64(argv[4]);
      if (e0 === null) return c.reply.error(E.NOT_INTEGER);
      end = clampIndex(e0);
      endGiven = true;
    } else {
      end = isBit ? len * 8 + 7 : len - 1;
    }
    const total = isBit ? len * 8 : len;
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (isBit && start <= end) {
      firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
      lastMask = (1 << (7 - (end % 8))) - 1;
      start = Math.floor(start / 8);
      end = Math.floor(end / 8);
    }
  } else if (argc === 3) {
    start = 0;
    end = len - 1;
  } else {
    return c.reply.error(E.SYNTAX);
  }
  // An empty range holds neither a 0 nor a 1.
  if (start > end) return c.reply.int(-1);

  // bitposCommand's walk, edge bytes masked so that bits outside the range never match.
  let bytes = end - start + 1;
  let pos = -1;
  found: {
    if (firstMask !== 0) {
      let b = bit === 1 ? v.charCodeAt(start) & ~firstMask : v.charCodeAt(start) | firstMask;
      if (lastMask !== 0 && bytes === 1) b = bit === 1 ? b & ~lastMask : b | lastMask;
      pos = bitposByte(b & 0xff, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      start++;
      bytes--;
    }
    const cur = bytes - (lastMask !== 0 ? 1 : 0);
    if (cur > 0) {
      pos = bitposBytes(v, start, cur, bit);
      if (bytes === cur || (pos !== -1 && pos !== cur * 8)) break found;
      start += cur;
      bytes -= cur;
    }
    const b = bit === 1 ? v.charCodeAt(end) & ~lastMask : v.charCodeAt(end) | lastMask;
    pos = bitposByte(b & 0xff, bit);
  }
  // Looking for 0 in an explicit range: the first bit after it does not count.
  if (endGiven && bit === 0 && pos === bytes * 8) return c.reply.int(-1);
  if (pos !== -1) pos += start * 8;
  c.reply.int(pos);
}

// ---- BITOP ------------------------------------------------------------------------------------

const OP_AND = 0;
const OP_OR = 1;
const OP_XOR = 2;
const OP_NOT = 3;

function bitop(c: CommandContext, argv: string[]): void {
  const name = argv[1].toLowerCase();
  const op = name === 'and' ? OP_AND : name === 'or' ? OP_OR : name === 'xor' ? OP_XOR : name === 'not' ? OP_NOT : -1;
  if (op < 0) return c.reply.error(E.SYNTAX);
  if (op === OP_NOT && argv.length !== 4) return c.reply.error(BITOP_NOT_ERR);
  const db = c.db;
  const n = argv.length - 3;
  const src = new Array<string>(n);
  let maxlen = 0;
  for (let j = 0; j < n; j++) {
    const v = db.readValue(argv[j + 3]);
    if (v === undefined) {
      src[j] = ''; // a missing key is an empty string
      continue;
    }
    if (typeof v !== 'string') return c.reply.error(E.WRONGTYPE);
    src[j] = v;
    if (v.length > maxlen) maxlen = v.length;
  }
  const dest = argv[2];
  if (maxlen === 0) {
    // An empty result deletes the destination.
    if (db.delete(dest)) {
      c.notify(NOTIFY.GENERIC, 'del', dest);
      c.propagate(argv);
    }
    return c.reply.int(0);
  }
  // Word-at-a-time over the first source's copy; the others are copied in a chunk at a time.
  const out = scratch(maxlen);
  const first = src[0];
  const flen = first.length;
  if (flen > 0) out.latin1Write(first, 0, flen);
  if (flen < maxlen) out.fill(0, flen, maxlen);
  const o32 = new Int32Array(out.buffer, out.byteOffset, maxlen >> 2);
  if (op === OP_NOT) {
    for (let w = 0; w < o32.length; w++) o32[w] = ~o32[w];
    for (let i = o32.length << 2; i < maxlen; i++) out[i] = ~out[i];
  } else {
    const c32 = chunk32;
    for (let j = 1; j < n; j++) {
      const s = src[j];
      const slen = s.length;
      for (let pos = 0; pos < slen; pos += CHUNK) {
        const len = slen - pos < CHUNK ? slen - pos : CHUNK;
        loadChunk(s, pos, len);
        const words = len >> 2;
        const base = pos >> 2;
        if (op === OP_AND) for (let w = 0; w < words; w++) o32[base + w] &= c32[w];
        else if (op === OP_OR) for (let w = 0; w < words; w++) o32[base + w] |= c32[w];
        else for (let w = 0; w < words; w++) o32[base + w] ^= c32[w];
        for (let i = words << 2; i < len; i++) {
          const b = chunkBuf[i];
          out[pos + i] = op === OP_AND ? out[pos + i] & b : op === OP_OR ? out[pos + i] | b : out[pos + i] ^ b;
        }
      }
      if (op === OP_AND && slen < maxlen) out.fill(0, slen, maxlen); // a shorter source is zero-padded
    }
  }
  // Redis setKey: the destination is overwritten whatever its type, and loses its TTL.
  db.setStringHintAt(db.setFresh(dest, out.latin1Slice(0, maxlen)), STR_RAW);
  c.notify(NOTIFY.STRING, 'set', dest);
  c.propagate(argv);
  c.reply.int(maxlen);
}

// ---- BITFIELD ---------------------------------------------------------------------------------

const BF_GET = 0;
const BF_SET = 1;
const BF_INCRBY = 2;
const OW_WRAP = 0;
const OW_SAT = 1;
const OW_FAIL = 2;

/** One parsed BITFIELD subcommand. */
interface BitfieldOp {
  opcode: number;
  owtype: number;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET value / INCRBY increment (int64). */
  arg: number | bigint;
}

/** Redis getBitfieldTypeFromArgument: bits (1..64 signed, 1..63 unsigned), or 0. */
function bitfieldBits(t: string): number {
  const sign = t.charCodeAt(0);
  if (sign !== 105 /* i */ && sign !== 117 /* u */) return 0;
  const n = parseInt64(t.slice(1));
  if (n === null || n < 1 || n > (sign === 105 ? 64 : 63)) return 0;
  return n as number;
}

/**
 * The bytes a BITFIELD reads and writes: `len` bytes, zeros beyond; read from the string itself
 * for GET-only calls, from a writable copy (`buf`, possibly longer than `len`) otherwise.
 */
class BitView {
  constructor(
    readonly s: string,
    readonly buf: Latin1Buffer | null,
    readonly len: number,
  ) {}

  byte(i: number): number {
    if (i >= this.len) return 0;
    return this.buf !== null ? this.buf[i] : this.s.charCodeAt(i);
  }
}

/** The field read by readField, as two unsigned 32-bit halves (handlers are not re-entrant). */
let fieldHi = 0;
let fieldLo = 0;

/** Redis getUnsignedBitfield: `bits` bits from bit `offset`, most significant first. */
function readField(view: BitView, offset: number, bits: number): void {
  let hi = 0;
  let lo = 0;
  let byteIdx = Math.floor(offset / 8);
  let bit = offset % 8;
  let b = view.byte(byteIdx);
  for (let j = 0; j < bits; j++) {
    const v = (b >> (7 - bit)) & 1;
    hi = ((hi << 1) | (lo >>> 31)) >>> 0;
    lo = ((lo << 1) | v) >>> 0;
    if (++bit === 8) {
      bit = 0;
      b = view.byte(++byteIdx);
    }
  }
  fieldHi = hi;
  fieldLo = lo;
}

/** Redis setUnsignedBitfield: writes the low `bits` bits of (hi, lo) at bit `offset` of the copy. */
function writeField(view: BitView, offset: number, bits: number, hi: number, lo: number): void {
  const w = view.buf!;
  let pos = offset + bits - 1; // least significant bit first
  for (let j = 0; j < bits; j++) {
    const v = j < 32 ? (lo >>> j) & 1 : (hi >>> (j - 32)) & 1;
    const idx = Math.floor(pos / 8);
    const mask = 0x80 >> pos % 8;
    w[idx] = v === 1 ? w[idx] | mask : w[idx] & ~mask;
    pos--;
  }
}

/** The field just read, as its signed or unsigned value (a number when it fits 2^53 exactly). */
function fieldValue(signed: boolean, bits: number): number | bigint {
  if (bits <= 32) {
    const u = fieldLo;
    if (!signed) return u;
    if (bits === 32) return u | 0;
    return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
  }
  const u = (BigInt(fieldHi) << 32n) | BigInt(fieldLo);
  const v = signed ? BigInt.asIntN(bits, u) : u;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Result of applyOp: the value to store, the reply value, and whether the op overflowed. */
let opNew: number | bigint = 0;
let opRet: number | bigint = 0;
let opOverflow = false;

/**
 * Redis checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow and the SET/INCRBY
 * arithmetic, on exact values (one int64 wrap-around of Redis's kept, below): WRAP keeps the low `bits` bits (sign-extended when signed), SAT
 * clamps to the type's limits (an unsigned SET of a negative value saturates to the maximum, as
 * Redis compares it as a uint64), FAIL flags the overflow.
 */
function applyOp(op: BitfieldOp, old: number | bigint): void {
  const bits = op.bits;
  const incr = op.opcode === BF_INCRBY;
  const arg = op.arg;
  if (bits <= 32 && typeof old === 'number' && typeof arg === 'number' && arg >= -(2 ** 52) && arg <= 2 ** 52) {
    // Exact in doubles: |old| < 2^32 and |arg| <= 2^52.
    const m = 2 ** bits;
    const min = op.signed ? -(m / 2) : 0;
    const max = op.signed ? m / 2 - 1 : m - 1;
    const v = incr ? old + arg : arg;
    let over = 0;
    if (op.signed || incr) over = v > max ? 1 : v < min ? -1 : 0;
    else over = v < 0 || v > max ? 1 : 0; // uint64 comparison of a SET value
    let nv = v;
    if (over !== 0) {
      if (op.owtype === OW_SAT) nv = over > 0 ? max : min;
      else {
        nv = ((v % m) + m) % m;
        if (op.signed && nv > max) nv -= m;
      }
    }
    opNew = nv;
    opRet = incr ? nv : old;
    opOverflow = over !== 0;
    return;
  }
  const B = BigInt(bits);
  const m = 1n << B;
  const min = op.signed ? -(m >> 1n) : 0n;
  const max = op.signed ? (m >> 1n) - 1n : m - 1n;
  const v = incr ? BigInt(old) + BigInt(arg) : BigInt(arg);
  let over = 0;
  if (op.signed || incr) over = v > max ? 1 : v < min ? -1 : 0;
  else over = v < 0n || v > max ? 1 : 0;
  // Redis tests a signed SET value against `maxincr = max - value` computed in int64: for a
  // value so negative that this wraps (below max - 2^63 + 1), it reports an overflow upwards,
  // so SAT stores the maximum (SET i8 0 -9223372036854775808 SAT stores 127).
  if (op.signed && !incr && bits !== 64 && max - v > INT64_MAX) over = 1;
  let nv = v;
  if (over !== 0) {
    if (op.owtype === OW_SAT) nv = over > 0 ? max : min;
    else nv = op.signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  }
  const small = nv >= -9007199254740991n && nv <= 9007199254740991n;
  opNew = small ? Number(nv) : nv;
  opRet = incr ? opNew : old;
  opOverflow = over !== 0;
}

/** Stores `value`'s low `bits` bits (two's complement) at `offset`. */
function storeValue(view: BitView, offset: number, bits: number, value: number | bigint): void {
  if (typeof value === 'number' && bits <= 32) {
    const u = value < 0 ? value + 2 ** bits : value;
    writeField(view, offset, bits, 0, u >>> 0);
    return;
  }
  const u = BigInt.asUintN(64, BigInt(value));
  writeField(view, offset, bits, Number(u >> 32n), Number(u & 0xffffffffn));
}

function bitfieldGeneric(c: CommandContext, argv: string[], readonlyCmd: boolean): void {
  const ops: BitfieldOp[] = [];
  let owtype = OW_WRAP;
  let readonly = true;
  let hiWrite = -1; // highest bit written
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = argv[j].toLowerCase();
    let opcode: number;
    if (sub === 'get' && remaining >= 2) opcode = BF_GET;
    else if (sub === 'set' && remaining >= 3) opcode = BF_SET;
    else if (sub === 'incrby' && remaining >= 3) opcode = BF_INCRBY;
    else if (sub === 'overflow' && remaining >= 1) {
      const t = argv[++j].toLowerCase();
      if (t === 'wrap') owtype = OW_WRAP;
      else if (t === 'sat') owtype = OW_SAT;
      else if (t === 'fail') owtype = OW_FAIL;
      else return c.reply.error(BITFIELD_OVERFLOW_ERR);
      continue;
    } else {
      return c.reply.error(E.SYNTAX);
    }
    const bits = bitfieldBits(argv[j + 1]);
    if (bits === 0) return c.reply.error(BITFIELD_TYPE_ERR);
    const offset = bitOffset(c, argv[j + 2], bits);
    if (offset < 0) return c.reply.error(BIT_OFFSET_ERR);
    let arg: number | bigint = 0;
    if (opcode !== BF_GET) {
      readonly = false;
      if (offset + bits - 1 > hiWrite) hiWrite = offset + bits - 1;
      const n = parseInt64(argv[j + 3]);
      if (n === null) return c.reply.error(E.NOT_INTEGER);
      arg = n;
    }
    ops.push({ opcode, owtype, signed: argv[j + 1].charCodeAt(0) === 105, bits, offset, arg });
    j += opcode === BF_GET ? 2 : 3;
  }

  const key = argv[1];
  const db = c.db;
  const r = c.reply;
  if (readonly) {
    const v = db.readValue(key);
    if (v !== undefined && typeof v !== 'string') return r.error(E.WRONGTYPE);
    const view = new BitView(v === undefined ? '' : v, null, v === undefined ? 0 : v.length);
    r.array(ops.length);
    for (const op of ops) {
      readField(view, op.offset, op.bits);
      r.int(fieldValue(op.signed, op.bits));
    }
    return;
  }
  if (readonlyCmd) return r.error(BITFIELD_RO_ERR);

  const s = db.lookupWrite(key);
  let old = '';
  if (s >= 0) {
    const v = db.valueAt(s);
    if (typeof v !== 'string') return r.error(E.WRONGTYPE);
    old = v;
  }
  const hi = Math.floor(hiWrite / 8);
  if (hi >= MAX_JS_STRING) return r.error(E.STRING_TOO_LONG);
  const olen = old.length;
  // The value is created or zero-padded up to the highest byte written (Redis's
  // lookupStringForBitCommand), even when every write then fails.
  const grown = s < 0 || hi >= olen;
  const len = grown ? hi + 1 : olen;
  const view = new BitView(old, loadValue(old, len), len);
  let changes = 0;
  r.array(ops.length);
  for (const op of ops) {
    readField(view, op.offset, op.bits);
    const oldVal = fieldValue(op.signed, op.bits);
    if (op.opcode === BF_GET) {
      r.int(oldVal);
      continue;
    }
    applyOp(op, oldVal);
    if (opOverflow && op.owtype === OW_FAIL) {
      r.nullBulk();
      continue;
    }
    r.int(opRet);
    storeValue(view, op.offset, op.bits, opNew);
    if (grown || opNew !== oldVal) changes++;
  }
  if (changes === 0 && !grown) {
    // Nothing written: the value only became "raw" (Redis unshared it).
    if (s >= 0) db.setStringHintAt(s, STR_RAW);
    return;
  }
  const next = view.buf!.latin1Slice(0, len);
  db.setStringHintAt(s >= 0 ? db.overwrite(s, next, true) : db.addAfterMiss(key, next), STR_RAW);
  // Redis signals "setbit" only when a write took place (see the file comment for FAIL).
  if (changes > 0) c.notify(NOTIFY.STRING, 'setbit', key);
  c.propagate(argv);
}

function bitfield(c: CommandContext, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: CommandContext, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

export const bitmapCommands: CommandSpec[] = [
  def('setbit', 4, 'write denyoom', [1, 1, 1], '@bitmap', setbit),
  def('getbit', 3, 'readonly fast', [1, 1, 1], '@bitmap', getbit),
  def('bitcount', -2, 'readonly', [1, 1, 1], '@bitmap', bitcount),
  def('bitpos', -3, 'readonly', [1, 1, 1], '@bitmap', bitpos),
  def('bitop', -4, 'write denyoom', [2, -1, 1], '@bitmap', bitop),
  def('bitfield', -2, 'write denyoom', [1, 1, 1], '@bitmap', bitfield),
  def('bitfield_ro', -2, 'readonly fast', [1, 1, 1], '@bitmap', bitfieldRo),
];
