// Writing latin1 strings (one char = one byte, how Hoard holds binary-safe data) into Buffers:
// the reply writer and the AOF encoder share these (putBulk is the one bulk-string encoder);
// the parser, the snapshot codec and the packed small-collection forms use the Buffer type.

/** Buffer's native latin1 codec; public on every Buffer but missing from @types/node. */
export interface Latin1Buffer extends Buffer {
  latin1Write(s: string, offset: number, length?: number): number;
  latin1Slice(start: number, end: number): string;
}

/** Strings up to this length are copied char by char: cheaper than the native latin1Write. */
const SHORT_STRING = 48;

/** Writes `s` at `p` (the caller made room for s.length bytes); returns the position after it. */
export function putLatin1(b: Latin1Buffer, p: number, s: string): number {
  const n = s.length;
  if (n <= SHORT_STRING) {
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    return p;
  }
  return p + b.latin1Write(s, p, n);
}

/**
 * Writes the byte `c`, the decimal integer `n` and CRLF at `p` (a RESP length, count or integer
 * reply; n a safe integer, the caller made room for 24 bytes); returns the position after it.
 */
export function putHeader(b: Latin1Buffer, p: number, c: number, n: number): number {
  b[p++] = c;
  if (n >= 0 && n < 10) b[p++] = 48 + n;
  else if (n >= 10 && n <= 0x7fffffff) {
    // Digits straight into place: no number-to-string conversion per reply (list lengths,
    // counters and bulk lengths are mostly in this range).
    let len = 2;
    for (let t = (n / 100) | 0; t > 0; t = (t / 10) | 0) len++;
    let q = p + len;
    for (let t = n; q > p; t = (t / 10) | 0) b[--q] = 48 + (t % 10);
    p += len;
  } else {
    const d = String(n);
    for (let i = 0; i < d.length; i++) b[p++] = d.charCodeAt(i);
  }
  b[p++] = 13;
  b[p++] = 10;
  return p;
}

/**
 * Writes `s` as a RESP bulk string ($len, CRLF, the bytes, CRLF) at `p`; the caller made room
 * for s.length + 26 bytes. Returns the position after it.
 */
export function putBulk(b: Latin1Buffer, p: number, s: string): number {
  p = putLatin1(b, putHeader(b, p, 36, s.length), s);
  b[p++] = 13;
  b[p++] = 10;
  return p;
}
