// C's printf for one number (glibc on x86-64, which Redis's Lua 5.1 string.format calls): the
// conversions d i o x X e E f F g G with their flags, width and precision, rounded exactly as C
// rounds — from the double's exact decimal expansion, a tie to even — where JavaScript's
// toFixed/toExponential round a tie up and fengari's sprintf port differs further (%g of 1e20
// printed in full, %x of -1 as 32 bits).
//
// Invariant: every conversion is rounded once from the double's exact value: by toExponential
// when that is exact (no tie), else from exactDigits().

/**
 * The exact decimal digits of a finite non-zero double's magnitude, without trailing zeros,
 * and the power of ten of the first: |n| = d0.d1d2... x 10^exp. From its binary form with BigInt.
 */
export function exactDigits(n: number): { digits: string; exp: number } {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, Math.abs(n));
  const bits = v.getBigUint64(0);
  const be = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e = be - 1075;
  if (be === 0) e = -1074;
  else mant |= 1n << 52n;
  // |n| = mant * 2^e; for e < 0 that is mant * 5^-e / 10^-e.
  const all = e >= 0 ? (mant << BigInt(e)).toString() : (mant * 5n ** BigInt(-e)).toString();
  const scale = e >= 0 ? 0 : -e;
  return { digits: all.replace(/0+$/, ''), exp: all.length - 1 - scale };
}

/**
 * |n| rounded to `keep` significant digits (half to even on the exact value): the digits
 * (exactly `keep`, zero-padded) and the power of ten of the first, which a carry may raise.
 * `keep` may be 0 or less (rounding below the first digit): then the result is "" or "1".
 */
function roundSig(n: number, keep: number): { digits: string; exp: number } {
  // JavaScript's shortest round-trip digits, when there are no more than keep <= 15 of them, are
  // the rounding C makes: a normal double is within 2^-53 of them, far inside half a unit of the
  // keep-th digit.
  if (keep >= 1 && keep <= 15 && n >= 2.2250738585072014e-308) {
    const [m, es] = n.toExponential().split('e');
    const d = m.length > 1 ? m[0] + m.slice(2) : m;
    if (d.length <= keep) return { digits: d.padEnd(keep, '0'), exp: Number(es) };
  }
  // JavaScript's toExponential rounds the exact value correctly except for an exact tie (it
  // rounds up). A tie shows as a 5 in the next digit: only then is the exact expansion needed.
  if (keep >= 1 && keep <= 100) {
    const probe = n.toExponential(keep);
    if (probe[probe.indexOf('e') - 1] !== '5') {
      const [m, es] = n.toExponential(keep - 1).split('e');
      return { digits: m.length > 1 ? m[0] + m.slice(2) : m, exp: Number(es) };
    }
  }
  const { digits, exp } = exactDigits(n);
  if (keep >= digits.length) return { digits: digits.padEnd(Math.max(keep, 0), '0'), exp };
  let up: boolean;
  if (keep < 0) up = false;
  else {
    const next = digits.charCodeAt(keep) - 48;
    const rest = digits.length > keep + 1; // no trailing zeros: any further digit is non-zero
    const prevOdd = keep > 0 && (digits.charCodeAt(keep - 1) - 48) % 2 === 1;
    up = next > 5 || (next === 5 && (rest || prevOdd));
  }
  if (!up) return { digits: keep > 0 ? digits.slice(0, keep) : '', exp };
  if (keep <= 0) return { digits: '1', exp: exp + 1 - keep };
  const bumped = (BigInt(digits.slice(0, keep)) + 1n).toString();
  // 99.9 -> 100: one more digit, one more power of ten; keep the digit count.
  if (bumped.length > keep) return { digits: bumped.slice(0, keep), exp: exp + 1 };
  return { digits: bumped, exp };
}

/** %.<prec>f of a finite |n| (no sign). */
function fixed(n: number, prec: number, alt: boolean): string {
  let intPart: string;
  let frac: string;
  if (n === 0) {
    intPart = '0';
    frac = '0'.repeat(prec);
  } else {
    // The power of ten of the first digit (21 digits cannot round a double up to the next power).
    const first = Number(n.toExponential(20).split('e')[1]);
    const r = roundSig(n, first + 1 + prec);
    // r.digits covers 10^r.exp down to 10^-prec (or is "" / "1" when rounding below them).
    const len = r.exp + 1 + prec;
    const d = r.digits === '' ? '0'.repeat(Math.max(len, 0)) : r.digits.padEnd(Math.max(len, 0), '0');
    const all = d.padStart(prec + 1, '0');
    intPart = all.slice(0, all.length - prec);
    frac = all.slice(all.length - prec);
  }
  return prec > 0 || alt ? `${intPart}.${frac}` : intPart;
}

/** %.<prec>e of a finite |n| (no sign). */
function expo(n: number, prec: number, alt: boolean, upper: boolean): string {
  let d: string;
  let x: number;
  if (n === 0) {
    d = '0'.repeat(prec + 1);
    x = 0;
  } else {
    const r = roundSig(n, prec + 1);
    d = r.digits;
    x = r.exp;
  }
  const mant = prec > 0 || alt ? `${d[0]}.${d.slice(1)}` : d[0];
  const e = `${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return mant + (upper ? 'E' : 'e') + e;
}

/** %.<prec>g of a finite |n| (no sign). */
function general(n: number, prec: number, alt: boolean, upper: boolean): string {
  const p = prec === 0 ? 1 : prec;
  // One rounding to p significant digits decides both the style and the digits: %e with p - 1
  // decimals and %f with p - 1 - x decimals keep the same p digits.
  const r = n === 0 ? { digits: '0'.repeat(p), exp: 0 } : roundSig(n, p);
  const x = r.exp;
  let d = r.digits;
  if (!alt) d = d.replace(/0+$/, '') || '0'; // trailing zeros of the fraction go (and the point)
  let mant: string;
  if (x < -4 || x >= p) {
    mant = d.length > 1 || alt ? `${d[0]}.${d.slice(1)}` : d;
    return `${mant}${upper ? 'E' : 'e'}${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  if (x < 0) return `0.${'0'.repeat(-x - 1)}${d}`;
  const int = d.slice(0, x + 1).padEnd(x + 1, '0');
  const frac = d.slice(x + 1);
  return frac.length > 0 || alt ? `${int}.${frac}` : int;
}

const INT64_MIN = -(2n ** 63n);

/** (long long)n as x86-64 converts a double: truncation, and LLONG_MIN when out of range or NaN. */
function toInt64(n: number): bigint {
  if (!Number.isFinite(n) || n >= 2 ** 63 || n < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(n));
}

/**
 * (unsigned long long)n as gcc compiles it for x86-64: below 2^63 the signed conversion (a
 * negative wraps), from 2^63 on the signed conversion of n - 2^63 with the top bit flipped (so
 * 1e20, out of range twice, gives 0).
 */
function toUint64(n: number): bigint {
  if (n < 2 ** 63) return BigInt.asUintN(64, toInt64(n));
  return BigInt.asUintN(64, toInt64(n - 2 ** 63) ^ INT64_MIN);
}

/**
 * printf("%<flags><width>.<prec><conv>", n) for one number, as glibc prints it. `prec` is -1
 * when absent. Integer conversions take the double as Lua 5.1 passes it to printf: cast to long
 * long for d/i, to unsigned long long for o/x/X.
 */
export function cFormatNumber(flags: string, width: number, prec: number, conv: string, n: number): string {
  const left = flags.includes('-');
  const alt = flags.includes('#');
  let sign = '';
  let prefix = '';
  let body: string;
  let zeroOk = flags.includes('0') && !left;
  const upper = conv === 'X' || conv === 'E' || conv === 'F' || conv === 'G';
  switch (conv) {
    case 'd':
    case 'i': {
      let v = toInt64(n);
      if (v < 0n) {
        sign = '-';
        v = -v;
      }
      body = prec === 0 && v === 0n ? '' : v.toString().padStart(Math.max(prec, 0), '0');
      if (prec >= 0) zeroOk = false;
      break;
    }
    case 'o':
    case 'x':
    case 'X': {
      const v = toUint64(n);
      body = v.toString(conv === 'o' ? 8 : 16);
      if (conv === 'X') body = body.toUpperCase();
      if (prec >= 0) {
        body = prec === 0 && v === 0n ? '' : body.padStart(prec, '0');
        zeroOk = false;
      }
      // '#': a leading 0 for o (even of an empty zero), 0x/0X before a non-zero x/X.
      if (alt && conv === 'o' && body[0] !== '0') body = '0' + body;
      else if (alt && conv !== 'o' && v !== 0n) prefix = conv === 'x' ? '0x' : '0X';
      break;
    }
    default: {
      const neg = n < 0 || Object.is(n, -0) || (Number.isNaN(n) && negativeNaN(n));
      const a = Math.abs(n);
      if (neg) sign = '-';
      if (!Number.isFinite(a)) {
        body = Number.isNaN(a) ? 'nan' : 'inf';
        if (upper) body = body.toUpperCase();
        zeroOk = false;
        break;
      }
      const p = prec < 0 ? 6 : prec;
      if (conv === 'f' || conv === 'F') body = fixed(a, p, alt);
      else if (conv === 'e' || conv === 'E') body = expo(a, p, alt, upper);
      else body = general(a, p, alt, upper);
    }
  }
  if (sign === '' && conv !== 'o' && conv !== 'x' && conv !== 'X') sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const len = sign.length + prefix.length + body.length;
  if (len >= width) return sign + prefix + body;
  const pad = width - len;
  if (left) return sign + prefix + body + ' '.repeat(pad);
  if (zeroOk) return sign + prefix + '0'.repeat(pad) + body;
  return ' '.repeat(pad) + sign + prefix + body;
}

const NAN_VIEW = new DataView(new ArrayBuffer(8));

/** Whether a NaN has its sign bit set (x86's 0/0 does; C prints it "-nan"). */
export function negativeNaN(n: number): boolean {
  NAN_VIEW.setFloat64(0, n);
  return (NAN_VIEW.getUint8(0) & 0x80) !== 0;
}
