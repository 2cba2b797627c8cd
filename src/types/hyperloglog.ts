// HyperLogLog in Redis 7.0's own string format (redis/redis src/hyperloglog.c), byte for byte:
// the codec (header, dense 6-bit registers, sparse ZERO/XZERO/VAL opcodes), MurmurHash64A, the
// sparse register update with its in-place splitting and VAL merging, sparse->dense promotion,
// Ertl's estimator over the register histogram, merging, and PFDEBUG's views.
//
// Invariant: every function here produces exactly the bytes Redis's C code produces from the same
// input bytes, including for malformed input (a sparse HLL that covers too few or too many
// registers, a truncated XZERO), where Redis reads the sds terminator: a byte past the end reads
// as 0 here too. Values are latin1 strings (one char per byte); they are read with charCodeAt and
// only copied into a buffer when they change.
//
// 64-bit arithmetic (MurmurHash64A) is done on 32-bit halves with 16-bit partial products; a
// BigInt version costs ~20x more per element (measured: ~1.4 µs vs ~60 ns for a short element).

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >>> 3); // 12304
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
/** Redis's default hll-sparse-max-bytes. */
export const HLL_SPARSE_MAX_BYTES_DEFAULT = 3000;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const HLL_ALPHA_INF = 0.721347520444481703680; // 0.5/ln(2)

/** isHLLObjectOrReply's error for a string that is not an HLL. */
export const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
/** Redis's invalid_hll_err. */
export const ERR_INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';

/** createHLLObject(): an empty sparse HLL, "HYLL", sparse, cached cardinality 0, XZERO:16384. */
export const EMPTY_HLL = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff';

// ---- MurmurHash64A ------------------------------------------------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;
/** Redis's seed for HLL hashing (hllPatLen). */
export const HLL_SEED = 0xadc83b19;

/** Result of mulM / murmur: high and low 32 bits (unsigned). */
let rh = 0;
let rl = 0;

/** (hi:lo) * 0xc6a4a7935bd1e995 mod 2^64 into rh:rl. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * M_LO0;
  const p01 = a0 * M_LO1;
  const p10 = a1 * M_LO0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rl = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * M_LO1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  rh = (carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** MurmurHash64A of the latin1 string `s` into rh:rl. */
function murmur(s: string, seed: number): void {
  const len = s.length;
  mulM(0, len);
  let hh = rh;
  let hl = (rl ^ seed) >>> 0;
  const end = len - (len & 7);
  let i = 0;
  while (i !== end) {
    const kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mulM(kh, kl); // k *= m
    let l = (rl ^ (rh >>> 15)) >>> 0; // k ^= k >> 47
    mulM(rh, l); // k *= m
    l = (hl ^ rl) >>> 0; // h ^= k
    mulM(hh ^ rh, l); // h *= m
    hh = rh;
    hl = rl;
    i += 8;
  }
  const rest = len & 7;
  if (rest !== 0) {
    // The tail bytes go into h at byte positions 0..6 (Redis's fall-through switch).
    if (rest >= 7) hh ^= s.charCodeAt(i + 6) << 16;
    if (rest >= 6) hh ^= s.charCodeAt(i + 5) << 8;
    if (rest >= 5) hh ^= s.charCodeAt(i + 4);
    if (rest >= 4) hl ^= s.charCodeAt(i + 3) << 24;
    if (rest >= 3) hl ^= s.charCodeAt(i + 2) << 16;
    if (rest >= 2) hl ^= s.charCodeAt(i + 1) << 8;
    hl ^= s.charCodeAt(i);
    mulM(hh >>> 0, hl >>> 0);
    hh = rh;
    hl = rl;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0; // h ^= h >> r
  mulM(hh, hl); // h *= m
  rl = (rl ^ (rh >>> 15)) >>> 0; // h ^= h >> r
}

/** MurmurHash64A(s, seed) as a bigint (tests, debugging; the hot path uses the halves). */
export function murmurHash64A(s: string, seed: number = HLL_SEED): bigint {
  murmur(s, seed >>> 0);
  return (BigInt(rh) << 32n) | BigInt(rl);
}

/** Register index of the last patLen() call. */
let patIndex = 0;

/** hllPatLen: the length of the 000..1 pattern of the element's hash; the register in patIndex. */
function patLen(ele: string): number {
  murmur(ele, HLL_SEED);
  patIndex = rl & HLL_P_MASK;
  // hash >>= 14; hash |= 1 << 50; count = trailing zeros + 1.
  const low = ((rl >>> 14) | (rh << 18)) >>> 0;
  if (low !== 0) return 32 - Math.clz32(low & -low);
  const high = (rh >>> 14) | 0x40000;
  return 64 - Math.clz32(high & -high);
}

/** [register index, count] of an element, as Redis's hllPatLen (tests, PFSELFTEST). */
export function hllPatLen(ele: string): [number, number] {
  const c = patLen(ele);
  return [patIndex, c];
}

// ---- validation ---------------------------------------------------------------------------------

/**
 * isHLLObjectOrReply for a string value: at least a header, "HYLL", a known encoding, and a
 * dense HLL of exactly HLL_DENSE_SIZE bytes. (A sparse body is only checked when it is read.)
 */
export function isHll(v: string): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  if (v.charCodeAt(0) !== 72 || v.charCodeAt(1) !== 89 || v.charCodeAt(2) !== 76 || v.charCodeAt(3) !== 76) return false;
  const enc = v.charCodeAt(4);
  if (enc > HLL_MAX_ENCODING) return false;
  if (enc === HLL_DENSE && v.length !== HLL_DENSE_SIZE) return false;
  return true;
}

/** The encoding byte of a validated HLL. */
export function hllEncoding(v: string): number {
  return v.charCodeAt(4);
}

// ---- dense registers ----------------------------------------------------------------------------

/** HLL_DENSE_GET_REGISTER over a string (registers start at HLL_HDR_SIZE). */
function denseGetStr(v: string, regnum: number): number {
  const byte = HLL_HDR_SIZE + ((regnum * 6) >>> 3);
  const fb = (regnum * 6) & 7;
  // charCodeAt past the end is NaN, which reads as 0 in bitwise operations: the sds terminator.
  return ((v.charCodeAt(byte) >>> fb) | (v.charCodeAt(byte + 1) << (8 - fb))) & HLL_REGISTER_MAX;
}

/** HLL_DENSE_GET_REGISTER over a byte array holding the whole HLL (header included). */
function denseGet(b: Uint8Array, regnum: number): number {
  const byte = HLL_HDR_SIZE + ((regnum * 6) >>> 3);
  const fb = (regnum * 6) & 7;
  return ((b[byte] >>> fb) | (b[byte + 1] << (8 - fb))) & HLL_REGISTER_MAX;
}

/** HLL_DENSE_SET_REGISTER. `b` must have the terminator byte after the registers. */
function denseSet(b: Uint8Array, regnum: number, val: number): void {
  const byte = HLL_HDR_SIZE + ((regnum * 6) >>> 3);
  const fb = (regnum * 6) & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  b[byte + 1] = (b[byte + 1] & ~(HLL_REGISTER_MAX >>> fb8)) | (val >>> fb8);
}

/** The 6-bit register `regnum` of a dense HLL string (PFDEBUG GETREG). */
export function denseRegister(v: string, regnum: number): number {
  return denseGetStr(v, regnum);
}

// ---- the working copy -----------------------------------------------------------------------------

/**
 * A mutable copy of one HLL while a command changes it (Redis changes the sds in place; strings
 * are immutable here). `b` holds `len` bytes plus a zero terminator byte; a sparse HLL keeps
 * room for the 3 bytes an update may add.
 */
export class HllWork {
  b: Uint8Array;
  len = 0;
  private sparseBuf: Uint8Array;
  private readonly denseBuf: Uint8Array;
  /** The string `denseBuf` currently holds, when it holds an unmodified dense value. */
  denseOf: string | null = null;

  constructor() {
    this.sparseBuf = new Uint8Array(4096);
    this.denseBuf = new Uint8Array(HLL_DENSE_SIZE + 1);
    this.b = this.sparseBuf;
  }

  get dense(): boolean {
    return this.b[4] === HLL_DENSE;
  }

  /** Loads a validated HLL string. A dense one already in the buffer is not copied again. */
  load(v: string): void {
    const n = v.length;
    if (v.charCodeAt(4) === HLL_DENSE) {
      const d = this.denseBuf;
      if (this.denseOf !== v) {
        for (let i = 0; i < n; i++) d[i] = v.charCodeAt(i);
        this.denseOf = v;
      }
      this.b = d;
    } else {
      this.room(n + 8);
      const b = this.sparseBuf;
      for (let i = 0; i < n; i++) b[i] = v.charCodeAt(i);
      b[n] = 0;
      this.b = b;
      this.denseOf = null;
    }
    this.len = n;
  }

  /** The bytes as a latin1 string; a dense result is remembered as what the buffer holds. */
  value(): string {
    const s = latin1(this.b, this.len);
    if (this.b === this.denseBuf) this.denseOf = s;
    return s;
  }

  /** Marks the dense buffer as modified (it no longer equals any stored string). */
  touchDense(): void {
    this.denseOf = null;
  }

  private room(n: number): void {
    if (this.sparseBuf.length >= n) return;
    let cap = this.sparseBuf.length;
    while (cap < n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.sparseBuf.subarray(0, this.len + 1));
    if (this.b === this.sparseBuf) this.b = nb;
    this.sparseBuf = nb;
  }

  /** sdsMakeRoomFor(3) before a sparse update. */
  ensureSparseRoom(): void {
    this.room(this.len + 8);
  }

  /**
   * hllSparseToDense: replaces the sparse content by its dense form (header copied, encoding set
   * to dense). Returns false, leaving the sparse content, if the sparse body is invalid.
   */
  toDense(): boolean {
    if (this.b[4] === HLL_DENSE) return true;
    const s = this.b;
    const d = this.denseBuf;
    d.fill(0);
    for (let i = 0; i < HLL_HDR_SIZE; i++) d[i] = s[i];
    d[4] = HLL_DENSE;
    let idx = 0;
    let p = HLL_HDR_SIZE;
    const end = this.len;
    // A run past the last register makes the body invalid (Redis with the CVE-2025-32023 fix
    // refuses it, even when the registers counted before it add up to exactly 16384).
    let overflow = false;
    while (p < end) {
      const op = s[p];
      let runlen: number;
      if ((op & 0xc0) === 0) {
        runlen = (op & 0x3f) + 1;
        if (runlen + idx > HLL_REGISTERS) {
          overflow = true;
          break;
        }
        idx += runlen;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        runlen = (((op & 0x3f) << 8) | s[p + 1]) + 1;
        if (runlen + idx > HLL_REGISTERS) {
          overflow = true;
          break;
        }
        idx += runlen;
        p += 2;
      } else {
        runlen = (op & 3) + 1;
        const regval = ((op >>> 2) & 0x1f) + 1;
        if (runlen + idx > HLL_REGISTERS) {
          overflow = true;
          break;
        }
        while (runlen-- > 0) denseSet(d, idx++, regval);
        p++;
      }
    }
    this.denseOf = null;
    if (overflow || idx !== HLL_REGISTERS) return false;
    this.b = d;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  /** HLL_INVALIDATE_CACHE. */
  invalidateCache(): void {
    this.b[15] |= 0x80;
    this.denseOf = null;
  }

  /**
   * hllSparseSet / hllDenseSet: sets register `index` to `count` if that is larger. Returns 1
   * if it changed, 0 if not, -1 if the sparse body is invalid. A sparse HLL is promoted to
   * dense when `count` exceeds 32 or the update would make it longer than `maxBytes`.
   */
  set(index: number, count: number, maxBytes: number): number {
    if (this.b[4] === HLL_DENSE) {
      const b = this.b;
      if (count > denseGet(b, index)) {
        denseSet(b, index, count);
        this.denseOf = null;
        return 1;
      }
      return 0;
    }
    return this.sparseSet(index, count, maxBytes);
  }

  private sparseSet(index: number, count: number, maxBytes: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    this.ensureSparseRoom();
    const b = this.b;
    const sparse = HLL_HDR_SIZE;
    let p = sparse;
    let end = this.len;
    // Step 1: find the opcode covering `index`.
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p];
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if ((op & 0x80) !== 0) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | b[p + 1]) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p];
    const isXzero = (op & 0xc0) === 0x40;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    let isZero = false;
    let isVal = false;
    let runlen: number;
    if ((op & 0xc0) === 0) {
      isZero = true;
      runlen = (op & 0x3f) + 1;
    } else if (isXzero) {
      runlen = (((op & 0x3f) << 8) | b[p + 1]) + 1;
    } else {
      isVal = true;
      runlen = (op & 3) + 1;
    }

    let simple = false;
    if (isVal) {
      const oldcount = ((op >>> 2) & 0x1f) + 1;
      if (oldcount >= count) return 0; // Case A.
      if (runlen === 1) {
        b[p] = valOp(count, 1); // Case B.
        simple = true;
      }
    }
    if (!simple && isZero && runlen === 1) {
      b[p] = valOp(count, 1); // Case C.
      simple = true;
    }
    if (!simple) {
      // Case D: split the opcode into up to three (XZERO-VAL-XZERO, at most 5 bytes).
      const seq = SEQ;
      let n = 0;
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) n = zeroRun(seq, n, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) n = zeroRun(seq, n, last - index);
      } else {
        const curval = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq[n++] = valOp(curval, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) seq[n++] = valOp(curval, last - index);
      }
      // Step 3: substitute the new sequence for the old opcode.
      const seqlen = n;
      const oldlen = isXzero ? 2 : 1;
      const deltalen = seqlen - oldlen;
      if (deltalen > 0 && this.len + deltalen > maxBytes) return this.promote(index, count);
      if (deltalen !== 0 && next >= 0) b.copyWithin(next + deltalen, next, end);
      this.len += deltalen;
      for (let i = 0; i < seqlen; i++) b[p + i] = seq[i];
      b[this.len] = 0;
      end += deltalen;
    }

    // Step 4: merge adjacent VAL opcodes with the same value (scan up to 5 opcodes from prev).
    p = prev >= 0 ? prev : sparse;
    let scanlen = 5;
    while (p < end && scanlen-- > 0) {
      const o = b[p];
      if ((o & 0xc0) === 0x40) {
        p += 2;
        continue;
      } else if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && (b[p + 1] & 0x80) !== 0) {
        const v1 = ((o >>> 2) & 0x1f) + 1;
        const v2 = ((b[p + 1] >>> 2) & 0x1f) + 1;
        if (v1 === v2) {
          const len = (o & 3) + 1 + (b[p + 1] & 3) + 1;
          if (len <= SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valOp(v1, len);
            b.copyWithin(p, p + 1, end + 1);
            this.len--;
            b[this.len] = 0;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    const b = this.b;
    // Redis asserts this is 1: a promotion happens only for a register that must change.
    if (count > denseGet(b, index)) {
      denseSet(b, index, count);
      return 1;
    }
    throw Object.assign(new Error('HLL promotion without a register update'), { code: 'HLL_INVARIANT' });
  }

  /** hllAdd: hashes the element and sets its register. 1 changed, 0 not, -1 invalid. */
  add(ele: string, maxBytes: number): number {
    const count = patLen(ele);
    return this.set(patIndex, count, maxBytes);
  }
}

const SEQ = new Uint8Array(5);

function valOp(val: number, len: number): number {
  return (((val - 1) << 2) | (len - 1) | 0x80) & 0xff;
}

/** Writes a ZERO (up to 64) or XZERO run of `len` registers at seq[n]; returns the new n. */
function zeroRun(seq: Uint8Array, n: number, len: number): number {
  if (len > SPARSE_ZERO_MAX_LEN) {
    const l = len - 1;
    seq[n++] = (l >>> 8) | 0x40;
    seq[n++] = l & 0xff;
  } else {
    seq[n++] = len - 1;
  }
  return n;
}

/** Bytes as a latin1 string. Buffer's native latin1 slice: one copy, no per-byte work in JS. */
function latin1(b: Uint8Array, len: number): string {
  return Buffer.from(b.buffer, b.byteOffset, len).toString('latin1');
}

/** The shared working copy of the command handlers (handlers are not re-entrant). */
export const work = new HllWork();

// ---- adding -------------------------------------------------------------------------------------

/** What hllAddElements found: the register updates, or -1 if the HLL proved invalid. */
export interface AddResult {
  updated: number;
  error: boolean;
  /** The new value, or the input string itself when no register changed. */
  value: string;
}

const addResult: AddResult = { updated: 0, error: false, value: '' };

/**
 * PFADD's loop over argv[from..]: hllAdd for each element on the validated HLL `v`. On an
 * invalid sparse body Redis stops at that element with the earlier updates already made in
 * place: `value` then holds those bytes and `error` is set. Without any change `value` is `v`
 * itself and nothing was copied. The returned object is reused by the next call.
 */
export function hllAddElements(v: string, argv: readonly string[], from: number, maxBytes: number): AddResult {
  const r = addResult;
  r.updated = 0;
  r.error = false;
  r.value = v;
  let loaded = false;
  const w = work;
  for (let j = from; j < argv.length; j++) {
    const count = patLen(argv[j]);
    const index = patIndex;
    if (!loaded) {
      // The common dense case with no change needs no copy: read the register in the string.
      if (v.charCodeAt(4) === HLL_DENSE && count <= denseGetStr(v, index)) continue;
      w.load(v);
      loaded = true;
    }
    const ret = w.set(index, count, maxBytes);
    if (ret === 1) r.updated++;
    else if (ret === -1) {
      r.error = true;
      break;
    }
  }
  if (r.updated !== 0) {
    // On an error Redis returns before HLL_INVALIDATE_CACHE; the sparse updates made before it
    // already invalidated the cache themselves (and an invalid HLL is always still sparse).
    if (!r.error) w.invalidateCache();
    r.value = w.value();
  }
  return r;
}

// ---- counting -----------------------------------------------------------------------------------

const HISTO = new Float64Array(64);

/** hllDenseRegHisto over a dense HLL string. */
function denseHisto(v: string, h: Float64Array): void {
  let p = HLL_HDR_SIZE;
  for (let j = 0; j < 1024; j++) {
    // 16 registers in 12 bytes per iteration, as Redis's unrolled loop.
    for (let k = 0; k < 4; k++) {
      const b0 = v.charCodeAt(p);
      const b1 = v.charCodeAt(p + 1);
      const b2 = v.charCodeAt(p + 2);
      h[b0 & 63]++;
      h[((b0 >>> 6) | (b1 << 2)) & 63]++;
      h[((b1 >>> 4) | (b2 << 4)) & 63]++;
      h[(b2 >>> 2) & 63]++;
      p += 3;
    }
  }
}

/** hllSparseRegHisto over a sparse HLL string; false if it does not cover exactly 16384 registers. */
function sparseHisto(v: string, h: Float64Array): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = v.length;
  while (p < end) {
    const op = v.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      const runlen = (op & 0x3f) + 1;
      idx += runlen;
      h[0] += runlen;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const runlen = (((op & 0x3f) << 8) | v.charCodeAt(p + 1)) + 1;
      idx += runlen;
      h[0] += runlen;
      p += 2;
    } else {
      const runlen = (op & 3) + 1;
      idx += runlen;
      h[((op >>> 2) & 0x1f) + 1] += runlen;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** hllSigma (Ertl, arXiv:1702.01284). */
function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** hllTau (Ertl). `pow(1 - x, 2)` is (1 - x) * (1 - x): GCC folds it to that product. */
function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The estimator of hllCount over a register histogram. */
function countFromHisto(h: Float64Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - h[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += h[j];
    z *= 0.5;
  }
  z += m * hllSigma(h[0] / m);
  // llroundl of a positive double: halves round away from zero, as Math.round does for x > 0.
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** hllCount of a validated HLL string; -1 for an invalid sparse body. */
export function hllCount(v: string): number {
  const h = HISTO;
  h.fill(0);
  if (v.charCodeAt(4) === HLL_DENSE) denseHisto(v, h);
  else if (!sparseHisto(v, h)) return -1;
  return countFromHisto(h);
}

/** hllCount of raw registers (one byte each): PFCOUNT over several keys. */
export function hllCountRaw(max: Uint8Array): number {
  const h = HISTO;
  h.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) h[max[i]]++;
  return countFromHisto(h);
}

/** True when the header's cached cardinality is valid (bit 7 of card[7] clear). */
export function cacheValid(v: string): boolean {
  return (v.charCodeAt(15) & 0x80) === 0;
}

/** The cached cardinality (a uint64 with bit 63 clear): a number, or a bigint beyond 2^53. */
export function cachedCard(v: string): number | bigint {
  const lo = (v.charCodeAt(8) | (v.charCodeAt(9) << 8) | (v.charCodeAt(10) << 16) | (v.charCodeAt(11) << 24)) >>> 0;
  const hi = (v.charCodeAt(12) | (v.charCodeAt(13) << 8) | (v.charCodeAt(14) << 16) | (v.charCodeAt(15) << 24)) >>> 0;
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** `v` with its cached cardinality set to `card` (which leaves the cache valid). */
export function withCachedCard(v: string, card: number): string {
  const lo = card % 4294967296;
  const hi = (card - lo) / 4294967296;
  const bytes = String.fromCharCode(lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, hi & 0xff, (hi >>> 8) & 0xff, (hi >>> 16) & 0xff, (hi >>> 24) & 0xff);
  return v.slice(0, 8) + bytes + v.slice(HLL_HDR_SIZE);
}

// ---- merging ------------------------------------------------------------------------------------

/**
 * hllMerge: max[i] = MAX(max[i], register i) over a validated HLL string. False for a sparse
 * body that does not cover exactly 16384 registers.
 */
export function hllMerge(max: Uint8Array, v: string): boolean {
  if (v.charCodeAt(4) === HLL_DENSE) {
    let p = HLL_HDR_SIZE;
    for (let i = 0; i < HLL_REGISTERS; i += 4) {
      const b0 = v.charCodeAt(p);
      const b1 = v.charCodeAt(p + 1);
      const b2 = v.charCodeAt(p + 2);
      let r = b0 & 63;
      if (r > max[i]) max[i] = r;
      r = ((b0 >>> 6) | (b1 << 2)) & 63;
      if (r > max[i + 1]) max[i + 1] = r;
      r = ((b1 >>> 4) | (b2 << 4)) & 63;
      if (r > max[i + 2]) max[i + 2] = r;
      r = b2 >>> 2;
      if (r > max[i + 3]) max[i + 3] = r;
      p += 3;
    }
    return true;
  }
  // Any run past the last register is an error (Redis with the CVE-2025-32023 fix).
  let i = 0;
  let p = HLL_HDR_SIZE;
  const end = v.length;
  while (p < end) {
    const op = v.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      const runlen = (op & 0x3f) + 1;
      if (runlen + i > HLL_REGISTERS) return false;
      i += runlen;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const runlen = (((op & 0x3f) << 8) | v.charCodeAt(p + 1)) + 1;
      if (runlen + i > HLL_REGISTERS) return false;
      i += runlen;
      p += 2;
    } else {
      let runlen = (op & 3) + 1;
      const regval = ((op >>> 2) & 0x1f) + 1;
      if (runlen + i > HLL_REGISTERS) return false;
      while (runlen-- > 0) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/**
 * PFMERGE's write: loads the validated destination `dest` (EMPTY_HLL when it did not exist),
 * converts it to dense if `useDense`, sets every non-zero register of `max` (hllDenseSet /
 * hllSparseSet, promoting as needed) and invalidates the cached cardinality. Returns the new
 * value, or null if the destination's sparse body is invalid.
 */
export function hllMergeInto(dest: string, max: Uint8Array, useDense: boolean, maxBytes: number): string | null {
  const w = work;
  w.load(dest);
  if (useDense && !w.toDense()) return null;
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    // Redis ignores hllSparseSet's result here: the destination was validated by hllMerge.
    w.set(j, max[j], maxBytes);
  }
  w.touchDense();
  w.invalidateCache();
  return w.value();
}

/** PFDEBUG TODENSE / GETREG's conversion of a sparse string; null if it is invalid. */
export function sparseToDense(v: string): string | null {
  const w = work;
  w.load(v);
  if (!w.toDense()) return null;
  return w.value();
}

// ---- PFDEBUG DECODE -----------------------------------------------------------------------------

/** PFDEBUG DECODE of a sparse HLL string: "Z:16384", "z:3 v:1,2 ...". */
export function sparseDecode(v: string): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  const end = v.length;
  while (p < end) {
    const op = v.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      parts.push('z:' + ((op & 0x3f) + 1));
      p++;
    } else if ((op & 0xc0) === 0x40) {
      // A truncated XZERO reads the sds terminator (0) as its second byte.
      parts.push('Z:' + ((((op & 0x3f) << 8) | (v.charCodeAt(p + 1) | 0)) + 1));
      p += 2;
    } else {
      parts.push('v:' + (((op >>> 2) & 0x1f) + 1) + ',' + ((op & 3) + 1));
      p++;
    }
  }
  return parts.join(' ');
}

// ---- PFSELFTEST ---------------------------------------------------------------------------------

/**
 * PFSELFTEST: Redis's two tests over this codec. 1) Setting every dense register to random values
 * and reading them back leaves each value and its neighbours intact. 2) Adding the same distinct
 * elements to a dense and a sparse HLL keeps the sparse one sparse while small, both agree on the
 * count at every checkpoint (1, 10, 100, ...), and the error stays within 6 standard errors.
 * `cycles` and `maxElements` bound the run time (Redis: 1000 cycles, 10M elements). Returns null
 * on success or the TESTFAILED message.
 */
export function hllSelfTest(rand: () => number, maxBytes: number, cycles = 50, maxElements = 1_000_000): string | null {
  const regs = new Uint8Array(HLL_DENSE_SIZE + 1);
  const bytecounters = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < cycles; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(rand() * 64) & HLL_REGISTER_MAX;
      bytecounters[i] = r;
      denseSet(regs, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(regs, i);
      if (val !== bytecounters[i]) return `TESTFAILED Register ${i} should be ${bytecounters[i]} but is ${val}`;
    }
    // The string reader must agree with the byte reader.
    const s = latin1(regs, HLL_DENSE_SIZE);
    for (let i = 0; i < HLL_REGISTERS; i += 97) {
      if (denseGetStr(s, i) !== bytecounters[i]) return `TESTFAILED Register ${i} reads differently from a string`;
    }
  }

  const dense = new HllWork();
  dense.load('HYLL' + '\x00'.repeat(HLL_DENSE_SIZE - 4));
  const sparse = new HllWork();
  sparse.load(EMPTY_HLL);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = Math.floor(rand() * 4294967296) >>> 0;
  const seedHi = Math.floor(rand() * 4294967296) >>> 0;
  for (let j = 1; j <= maxElements; j++) {
    // ele = j ^ seed, as 8 little-endian bytes.
    const lo = (j ^ seedLo) >>> 0;
    const ele = String.fromCharCode(lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, seedHi & 0xff, (seedHi >>> 8) & 0xff, (seedHi >>> 16) & 0xff, seedHi >>> 24);
    dense.add(ele, maxBytes);
    if (sparse.add(ele, maxBytes) === -1) return 'TESTFAILED sparse HLL became invalid';
    if (j !== checkpoint) continue;
    if (j < maxBytes / 2 && sparse.dense) return 'TESTFAILED sparse encoding not used';
    const dv = dense.value();
    const sv = sparse.value();
    const dc = hllCount(dv);
    if (dc !== hllCount(sv)) return 'TESTFAILED dense/sparse disagree';
    // The sparse form must also decode into exactly the dense registers.
    if (!sparse.dense) {
      const conv = sparseToDense(sv);
      if (conv === null || conv.slice(HLL_HDR_SIZE) !== dv.slice(HLL_HDR_SIZE)) return 'TESTFAILED sparse/dense registers differ';
    }
    let abserr = checkpoint - dc;
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    if (abserr < 0) abserr = -abserr;
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
