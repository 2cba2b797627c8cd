// Redis number parsing and formatting: string2ll, string2d, strtod (score ranges), string2ld +
// long double arithmetic (INCRBYFLOAT / HINCRBYFLOAT), "%.17g" (score replies) and "%.17Lf"
// (INCRBYFLOAT replies). Invariant: every function here answers exactly what redis-server 7.0.15
// on x86-64 Linux (glibc, 80-bit long double) answers for the same bytes; test/unit/util/numbers.test.ts
// pins each edge case to a reply observed on a real server.
//
// Inputs are latin1 strings (one char = one byte), as the protocol layer hands them over.
// No regular expressions: these run on the command hot path (ZADD, INCR, LRANGE ...).

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

// ---------------------------------------------------------------------------------------------
// Integers

/**
 * Redis string2ll: optional '-', no '+', no spaces, no leading zeros (except "0" itself), no "-0",
 * at most 20 chars, within int64. Returns a number when the value is a safe integer
 * (|v| <= 2^53-1), a bigint when it is outside that but within int64, null when invalid
 * (Redis: "ERR value is not an integer or out of range").
 */
export function parseInt64(s: string): number | bigint | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    neg = true;
    i = 1;
    if (len === 1) return null;
  }
  let c = s.charCodeAt(i);
  if (c === 48 /* 0 */) return len === 1 ? 0 : null; // "0" only; "00", "01", "-0" are invalid
  if (c < 49 || c > 57) return null;
  let v = c - 48;
  for (i++; i < len; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  // Up to 15 digits the accumulation above is exact (< 2^53).
  if (len - (neg ? 1 : 0) <= 15) return neg ? -v : v;
  const big = BigInt(s);
  if (big < INT64_MIN || big > INT64_MAX) return null;
  if (big >= MIN_SAFE_BIG && big <= MAX_SAFE_BIG) return Number(big);
  return big;
}

/**
 * parseInt64 for indexes, counts, offsets (LRANGE, ZRANGE, LIMIT, COUNT ...): accepts exactly
 * what string2ll accepts and returns a number clamped to ±Number.MAX_SAFE_INTEGER. No collection
 * holds 2^53 elements, so a clamped index behaves exactly like Redis's long long for these uses
 * ("LRANGE l 0 9223372036854775807" = whole list). Do not use it where the value is stored or
 * multiplied (EXPIRE seconds, INCRBY): use parseInt64 there.
 */
export function parseIndex(s: string): number | null {
  const v = parseInt64(s);
  if (v === null || typeof v === 'number') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/**
 * a + b on int64 with Redis's overflow check (incrDecrCommand, hincrbyCommand): null when the
 * result leaves [INT64_MIN, INT64_MAX] (Redis: "ERR increment or decrement would overflow").
 * Returns a number when the result is a safe integer, else a bigint. Note DECRBY first rejects
 * a decrement of INT64_MIN itself with "ERR decrement would overflow" (it negates it): that
 * check belongs to the command.
 */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r; // both inputs are integers; a safe sum is exact
  }
  const r = BigInt(a) + BigInt(b);
  if (r < INT64_MIN || r > INT64_MAX) return null;
  if (r >= MIN_SAFE_BIG && r <= MAX_SAFE_BIG) return Number(r);
  return r;
}

// ---------------------------------------------------------------------------------------------
// strtod / strtold syntax scanner

// What strtod consumed from s[start..end): kind and where it stopped. `end === start` means no
// conversion. For 'dec' and 'hex', `nonzero` tells whether any mantissa digit was non-zero
// (glibc sets ERANGE when such a literal rounds to 0 and Redis's string2d/string2ld reject it).
const enum Kind {
  None,
  Dec,
  Hex,
  Inf,
  Nan,
}

interface Scan {
  kind: Kind;
  start: number; // first char of the literal (its sign, if any)
  end: number;
  neg: boolean;
  nonzero: boolean;
  // mantissa digits span [m0, m1) (may include one '.'), exponent value (already clamped)
  m0: number;
  m1: number;
  exp: number;
}

// One reusable scan record: parsers are synchronous and not re-entrant.
const SCAN: Scan = { kind: Kind.None, start: 0, end: 0, neg: false, nonzero: false, m0: 0, m1: 0, exp: 0 };

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

function matchWord(s: string, i: number, end: number, word: string): boolean {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (lower(s.charCodeAt(i + k)) !== word.charCodeAt(k)) return false;
  }
  return true;
}

// Parses the exponent digits at s[i..end) (after 'e'/'p' and an optional sign). Returns the
// index after the digits, or -1 if there is no digit (then strtod does not consume the 'e').
// The value saturates at 1e9, far beyond any finite long double.
function scanExponent(s: string, i: number, end: number, out: { v: number }): number {
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 /* + */ || c === 45 /* - */) {
    neg = c === 45;
    i++;
  }
  if (i >= end || !isDigit(s.charCodeAt(i))) return -1;
  let v = 0;
  while (i < end && isDigit(s.charCodeAt(i))) {
    if (v < 1e9) v = v * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  out.v = neg ? -v : v;
  return i;
}

const EXP_OUT = { v: 0 };

/**
 * strtod's longest-prefix scan of s[start..end) (no leading white space skipping: callers do
 * that when they need it). Fills SCAN.
 */
function scanFloat(s: string, start: number, end: number): Scan {
  const r = SCAN;
  r.kind = Kind.None;
  r.start = start;
  r.end = start;
  r.neg = false;
  r.nonzero = false;
  r.exp = 0;
  let i = start;
  if (i >= end) return r;
  let c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    r.neg = c === 45;
    i++;
    if (i >= end) return r;
    c = s.charCodeAt(i);
  }
  const lc = lower(c);
  if (lc === 105 /* i */) {
    if (matchWord(s, i, end, 'infinity')) {
      r.kind = Kind.Inf;
      r.end = i + 8;
    } else if (matchWord(s, i, end, 'inf')) {
      r.kind = Kind.Inf;
      r.end = i + 3;
    }
    return r;
  }
  if (lc === 110 /* n */) {
    if (matchWord(s, i, end, 'nan')) {
      // "nan(chars)" is consumed too, but every NaN is rejected by every caller anyway.
      r.kind = Kind.Nan;
      r.end = i + 3;
    }
    return r;
  }
  // Hexadecimal: 0x, then hex digits with an optional point, at least one digit, then an
  // optional binary exponent p[+-]digits.
  if (c === 48 && i + 1 < end && lower(s.charCodeAt(i + 1)) === 120 /* x */) {
    let j = i + 2;
    let digits = 0;
    let nonzero = false;
    let dot = false;
    for (; j < end; j++) {
      const cc = s.charCodeAt(j);
      if (cc === 46 /* . */ && !dot) {
        dot = true;
        continue;
      }
      const h = hexVal(cc);
      if (h < 0) break;
      digits++;
      if (h !== 0) nonzero = true;
    }
    if (digits > 0) {
      r.kind = Kind.Hex;
      r.m0 = i + 2;
      r.m1 = j;
      r.nonzero = nonzero;
      if (j < end && lower(s.charCodeAt(j)) === 112 /* p */) {
        const k = scanExponent(s, j + 1, end, EXP_OUT);
        if (k >= 0) {
          r.exp = EXP_OUT.v;
          j = k;
        }
      }
      r.end = j;
      return r;
    }
    // "0x" without hex digits: strtod converts the "0" and stops at the 'x'.
  }
  let j = i;
  let digits = 0;
  let nonzero = false;
  let dot = false;
  for (; j < end; j++) {
    const cc = s.charCodeAt(j);
    if (cc === 46 && !dot) {
      dot = true;
      continue;
    }
    if (!isDigit(cc)) break;
    digits++;
    if (cc !== 48) nonzero = true;
  }
  if (digits === 0) return r;
  r.kind = Kind.Dec;
  r.m0 = i;
  r.m1 = j;
  r.nonzero = nonzero;
  if (j < end && lower(s.charCodeAt(j)) === 101 /* e */) {
    const k = scanExponent(s, j + 1, end, EXP_OUT);
    if (k >= 0) {
      r.exp = EXP_OUT.v;
      j = k;
    }
  }
  r.end = j;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Binary floating point rounding (shared by double hex literals and the 80-bit long double)

interface BinFormat {
  p: number; // significand bits
  eMin: number; // exponent of the least significant bit of the smallest subnormal
  eMax: number; // values >= 2^(eMax+1) overflow
  pBig: bigint;
}

const F64: BinFormat = { p: 53, eMin: -1074, eMax: 1023, pBig: 53n };
// x87 extended precision: 64-bit significand (explicit integer bit), exponent -16382..16383.
const F80: BinFormat = { p: 64, eMin: -16445, eMax: 16383, pBig: 64n };

function bitLength(x: bigint): number {
  // x > 0. toString(16) is the cheapest exact way for arbitrarily large values.
  const h = x.toString(16);
  const top = parseInt(h[0]!, 16);
  return (h.length - 1) * 4 + (32 - Math.clz32(top));
}

/** A finite rounded value: m * 2^e with m < 2^p (m = 0 for zero), or overflow. */
interface Rounded {
  m: bigint;
  e: number;
  overflow: boolean;
}

/**
 * Rounds q * 2^e (+ something in (0, 2^e) when sticky) to the format, half to even: the
 * IEEE 754 default and what glibc's strtod/strtold and the x87 adder do.
 */
function roundBinary(q: bigint, sticky: boolean, e: number, f: BinFormat): Rounded {
  if (q === 0n) return { m: 0n, e: 0, overflow: false };
  const bl = bitLength(q);
  let shift = Math.max(bl - f.p, f.eMin - e);
  let m: bigint;
  if (shift <= 0) {
    // Exact (sticky is only ever set with enough guard bits for shift > 0).
    m = q;
    shift = 0;
  } else {
    const sb = BigInt(shift);
    m = q >> sb;
    const rem = q & ((1n << sb) - 1n);
    const half = 1n << (sb - 1n);
    if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) m += 1n;
  }
  let ne = e + shift;
  if (m === 0n) return { m: 0n, e: 0, overflow: false };
  if (shift > 0 && m >> f.pBig === 1n) {
    // Rounding carried into a new bit: 2^p -> 2^(p-1) * 2.
    m >>= 1n;
    ne++;
  }
  if (bitLength(m) + ne > f.eMax + 1) return { m: 0n, e: 0, overflow: true };
  return { m, e: ne, overflow: false };
}

/** Rounds num/den * 2^e2 (num, den > 0) to the format. */
function roundRational(num: bigint, den: bigint, e2: number, f: BinFormat): Rounded {
  if (den === 1n) return roundBinary(num, false, e2, f);
  // Scale so the quotient has at least p+2 bits: then the remainder is a pure sticky bit.
  const s = f.p + 2 - (bitLength(num) - bitLength(den)) + 1;
  let n = num;
  let d = den;
  if (s > 0) n <<= BigInt(s);
  else if (s < 0) d <<= BigInt(-s);
  const q = n / d;
  const r = n - q * d;
  return roundBinary(q, r !== 0n, e2 - s, f);
}

// Mantissa digits of a scanned dec/hex literal as a bigint plus the count of fraction digits.
function mantissaDigits(s: string, m0: number, m1: number, hex: boolean): { v: bigint; frac: number } {
  const dot = s.indexOf('.', m0);
  let text: string;
  let frac = 0;
  if (dot >= 0 && dot < m1) {
    text = s.slice(m0, dot) + s.slice(dot + 1, m1);
    frac = m1 - dot - 1;
  } else {
    text = s.slice(m0, m1);
  }
  if (text.length === 0) return { v: 0n, frac };
  return { v: BigInt(hex ? '0x' + text : text), frac };
}

const LOG10_2 = 0.3010299956639812;

/** Exact value of a scanned finite literal rounded to the format; overflow flagged. */
function roundLiteral(s: string, r: Scan, f: BinFormat): Rounded {
  if (!r.nonzero) return { m: 0n, e: 0, overflow: false };
  const hex = r.kind === Kind.Hex;
  const { v, frac } = mantissaDigits(s, r.m0, r.m1, hex);
  if (hex) {
    const e2 = r.exp - 4 * frac;
    const top = bitLength(v) + e2; // v*2^e2 is in [2^(top-1), 2^top)
    if (top > f.eMax + 2) return { m: 0n, e: 0, overflow: true };
    if (top < f.eMin - 1) return { m: 0n, e: 0, overflow: false };
    return roundBinary(v, false, e2, f);
  }
  const e10 = r.exp - frac;
  const nd = v.toString().length;
  // v*10^e10 is in [10^(mag-1), 10^mag): outside these bounds no rounding can bring it back.
  const mag = nd + e10;
  const maxMag = Math.ceil((f.eMax + 1) * LOG10_2) + 2;
  const minMag = Math.floor((f.eMin - 1) * LOG10_2) - 2;
  if (mag > maxMag) return { m: 0n, e: 0, overflow: true };
  if (mag < minMag) return { m: 0n, e: 0, overflow: false };
  if (e10 >= 0) return roundBinary(v * 10n ** BigInt(e10), false, 0, f);
  // v / 10^k = v / (5^k * 2^k)
  const k = -e10;
  return roundRational(v, 5n ** BigInt(k), -k, f);
}

function roundedToNumber(r: Rounded, neg: boolean): number {
  let x: number;
  if (r.overflow) x = Infinity;
  else if (r.m === 0n) x = 0;
  else {
    // m < 2^53 and m*2^e is representable: two exact power-of-two scalings.
    const e1 = r.e < -1000 ? r.e + 600 : r.e;
    x = Number(r.m) * 2 ** e1;
    if (e1 !== r.e) x *= 2 ** -600;
  }
  return neg ? -x : x;
}

// Value of a fully scanned literal as a double (strtod).
function scanToDouble(s: string, r: Scan): number {
  switch (r.kind) {
    case Kind.Inf:
      return r.neg ? -Infinity : Infinity;
    case Kind.Dec:
      // V8's Number() is correctly rounded and accepts this syntax ("+5", "5.", ".5", "1e-3");
      // it never sees hex or white space here.
      return Number(r.start === 0 && r.end === s.length ? s : s.slice(r.start, r.end));
    case Kind.Hex:
      return roundedToNumber(roundLiteral(s, r, F64), r.neg);
    default:
      return NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Doubles

/**
 * Redis string2d (getDoubleFromObject): ZADD/ZINCRBY scores, WEIGHTS and other double
 * arguments. strtod syntax (decimal, hex "0x1p3", "inf"/"infinity" any case, with sign), but
 * nothing before or after it: no white space, no trailing bytes, not empty. Rejects NaN, a
 * finite literal that overflows to ±inf, and a non-zero literal that underflows to 0 (denormals
 * are accepted). null = "ERR value is not a valid float".
 */
export function parseFloatStrict(s: string): number | null {
  const len = s.length;
  if (len === 0) return null;
  const r = scanFloat(s, 0, len);
  if (r.end !== len || r.kind === Kind.None || r.kind === Kind.Nan) return null;
  const v = scanToDouble(s, r);
  if (r.kind !== Kind.Inf) {
    if (v === Infinity || v === -Infinity) return null; // ERANGE overflow
    if (v === 0 && r.nonzero) return null; // ERANGE underflow to zero
  }
  return v;
}

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * strtod as zslParseRange uses it on one score-range bound (after the '(' if any): the string
 * is a C string (it ends at the first NUL byte), leading white space is skipped, the empty
 * string is 0 (no conversion, and the end pointer sits on the terminator), overflow gives ±inf
 * and underflow 0 without error. NaN and trailing bytes are rejected. null = "ERR min or max is
 * not a float".
 */
export function parseRangeFloat(s: string, start = 0): number | null {
  let end = s.indexOf('\0', start);
  if (end < 0) end = s.length;
  if (start === end) return 0;
  let i = start;
  while (i < end && isCSpace(s.charCodeAt(i))) i++;
  const r = scanFloat(s, i, end);
  if (r.kind === Kind.None || r.kind === Kind.Nan || r.end !== end) return null;
  return scanToDouble(s, r);
}

/** Powers of two up to 2^25: a double with 26 or more fraction bits is never a "%.17g" tie. */
const TWO_25 = 33554432;

/**
 * A double as Redis 7.0 replies it (addReplyDouble: "%.17g", and "inf" / "-inf"): ZSCORE,
 * ZRANGE WITHSCORES, ZINCRBY, ZADD INCR ... 1.1 -> "1.1000000000000001", 1e30 -> "1e+30",
 * 1e-5 -> "1.0000000000000001e-05", -0 -> "-0" (ZSet stores -0 as 0 as Redis's listpack
 * does), NaN -> "nan" (never a score). RESP3 uses the same text after ',' (",inf", ",1e+30").
 */
export function formatScore(d: number): string {
  if (Number.isSafeInteger(d)) return d === 0 && 1 / d < 0 ? '-0' : String(d);
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let digits: string; // 17 significant digits
  let exp: number; // decimal exponent of the first digit
  // toExponential rounds ties away from zero; glibc's printf rounds them to even. A tie needs an
  // exact expansion of 18 significant digits, only possible with at most 25 fraction bits.
  if (Math.abs(d) < 9007199254740992 && Number.isInteger(d * TWO_25)) {
    const t = exactDigits17(d);
    digits = t.digits;
    exp = t.exp;
  } else {
    const s = d.toExponential(16);
    const ePos = s.indexOf('e');
    const neg = d < 0;
    digits = (neg ? s[1]! : s[0]!) + s.slice(neg ? 3 : 2, ePos);
    exp = Number(s.slice(ePos + 1));
  }
  return formatG17(d < 0, digits, exp);
}

// Exact 17-significant-digit rounding (half to even) of a double with at most 25 fraction
// bits, through BigInt: d = n / 2^25 exactly.
function exactDigits17(d: number): { digits: string; exp: number } {
  const n = BigInt(Math.abs(d) * TWO_25); // exact: d*2^25 is an integer double
  // value = n * 5^25 / 10^25
  const full = (n * 5n ** 25n).toString();
  const exp = full.length - 1 - 25;
  if (full.length <= 17) return { digits: full.padEnd(17, '0'), exp };
  const cut = full.length - 17;
  const p = 10n ** BigInt(cut);
  const big = BigInt(full);
  let q = big / p;
  const r = big - q * p;
  const half = p / 2n;
  if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
  let digits = q.toString();
  let e = exp;
  if (digits.length > 17) {
    digits = digits.slice(0, 17);
    e++;
  }
  return { digits, exp: e };
}

// printf "%.17g" layout from 17 significant digits and the decimal exponent.
function formatG17(neg: boolean, digits: string, exp: number): string {
  let end = 17;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  const sig = digits.slice(0, end);
  let out: string;
  if (exp < -4 || exp >= 17) {
    out = sig.length > 1 ? sig[0] + '.' + sig.slice(1) : sig;
    const ae = exp < 0 ? -exp : exp;
    out += (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + sig;
  } else if (sig.length <= exp + 1) {
    out = sig + '0'.repeat(exp + 1 - sig.length);
  } else {
    out = sig.slice(0, exp + 1) + '.' + sig.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

// ---------------------------------------------------------------------------------------------
// Long double (INCRBYFLOAT, HINCRBYFLOAT)

/**
 * An x87 80-bit long double, emulated exactly: value = (neg ? -1 : 1) * m * 2^e with m < 2^64,
 * or an infinity / NaN. Redis does INCRBYFLOAT in long double; a JS double would answer
 * "0.30000000000000004" where Redis answers "0.3", so this is emulated bit for bit.
 */
export interface LongDouble {
  readonly kind: 'finite' | 'inf' | 'nan';
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
}

const LD_ZERO: LongDouble = { kind: 'finite', neg: false, m: 0n, e: 0 };
const LD_NAN: LongDouble = { kind: 'nan', neg: false, m: 0n, e: 0 };

// MAX_LONG_DOUBLE_CHARS (5 * 1024): string2ld refuses strings that do not fit its buffer.
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/**
 * Redis string2ld (getLongDoubleFromObject): strtold syntax, nothing before or after, shorter
 * than 5120 bytes; rejects NaN, overflow to ±inf and underflow to 0 (long double range:
 * ~3.6e-4951 .. ~1.19e4932, so "1e400" is accepted). "inf" is accepted here; the command
 * then refuses an infinite result. null = "ERR value is not a valid float".
 */
export function parseLongDouble(s: string): LongDouble | null {
  const len = s.length;
  if (len === 0 || len >= MAX_LONG_DOUBLE_CHARS) return null;
  const r = scanFloat(s, 0, len);
  if (r.end !== len || r.kind === Kind.None || r.kind === Kind.Nan) return null;
  if (r.kind === Kind.Inf) return { kind: 'inf', neg: r.neg, m: 0n, e: 0 };
  const rd = roundLiteral(s, r, F80);
  if (rd.overflow) return null;
  if (rd.m === 0n) return r.nonzero ? null : { kind: 'finite', neg: r.neg, m: 0n, e: 0 };
  return { kind: 'finite', neg: r.neg, m: rd.m, e: rd.e };
}

/** A double, exactly, as a long double (every double is one). */
export function longDoubleFromNumber(d: number): LongDouble {
  if (d !== d) return LD_NAN;
  if (d === Infinity || d === -Infinity) return { kind: 'inf', neg: d < 0, m: 0n, e: 0 };
  const neg = d < 0 || (d === 0 && 1 / d < 0);
  if (d === 0) return neg ? { kind: 'finite', neg, m: 0n, e: 0 } : LD_ZERO;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(d));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = hi >>> 20;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bexp === 0) return { kind: 'finite', neg, m: frac, e: -1074 };
  return { kind: 'finite', neg, m: frac | (1n << 52n), e: bexp - 1075 };
}

/** Nearest double (for timeouts and the like; INCRBYFLOAT never needs it). */
export function longDoubleToNumber(x: LongDouble): number {
  if (x.kind === 'nan') return NaN;
  if (x.kind === 'inf') return x.neg ? -Infinity : Infinity;
  if (x.m === 0n) return x.neg ? -0 : 0;
  return roundedToNumber(roundBinary(x.m, false, x.e, F64), x.neg);
}

export function isFiniteLongDouble(x: LongDouble): boolean {
  return x.kind === 'finite';
}

/** a + b in x87 extended precision, round to nearest even (what `value += incr` does in Redis). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return LD_NAN;
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.neg !== b.neg) return LD_NAN;
    return a.kind === 'inf' ? a : b;
  }
  if (a.m === 0n && b.m === 0n) {
    // IEEE: -0 + -0 = -0, any other sum of zeros is +0.
    return a.neg && b.neg ? a : LD_ZERO;
  }
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const ma = a.m << BigInt(a.e - e);
  const mb = b.m << BigInt(b.e - e);
  let sum = (a.neg ? -ma : ma) + (b.neg ? -mb : mb);
  if (sum === 0n) return LD_ZERO;
  const neg = sum < 0n;
  if (neg) sum = -sum;
  const r = roundBinary(sum, false, e, F80);
  if (r.overflow) return { kind: 'inf', neg, m: 0n, e: 0 };
  return { kind: 'finite', neg, m: r.m, e: r.e };
}

const TEN17 = 10n ** 17n;

/**
 * Redis ld2string(LD_STR_HUMAN), the INCRBYFLOAT / HINCRBYFLOAT reply and stored value:
 * "%.17Lf" (exact value rounded half to even at 17 decimals), trailing zeros and a trailing
 * '.' removed, "-0" turned into "0", no exponent ever ("1e20" -> "100000000000000000000").
 * Infinities print "inf" / "-inf" (the commands refuse to store them). A number argument is
 * taken exactly as a long double: formatLongDouble(0.1 + 0.2) is "0.30000000000000004" while
 * INCRBYFLOAT answers "0.3": add with addLongDouble on parsed strings instead.
 */
export function formatLongDouble(x: LongDouble | number): string {
  const v = typeof x === 'number' ? longDoubleFromNumber(x) : x;
  if (v.kind === 'nan') return 'nan';
  if (v.kind === 'inf') return v.neg ? '-inf' : 'inf';
  let text: string;
  if (v.m === 0n) text = '0';
  else if (v.e >= 0) text = (v.m << BigInt(v.e)).toString();
  else {
    // round(m * 10^17 / 2^-e), ties to even
    const sh = BigInt(-v.e);
    const n = v.m * TEN17;
    let q = n >> sh;
    const rem = n - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    const ip = q / TEN17;
    const fp = q - ip * TEN17;
    if (fp === 0n) text = ip.toString();
    else {
      let f = fp.toString().padStart(17, '0');
      let end = f.length;
      while (f.charCodeAt(end - 1) === 48) end--;
      f = f.slice(0, end);
      text = ip.toString() + '.' + f;
    }
  }
  if (text === '0') return '0';
  return v.neg ? '-' + text : text;
}
