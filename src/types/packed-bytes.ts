// Byte-level helpers shared by the packed (listpack-like) forms of small hashes
// (hash-packed.ts) and small sorted sets (zset-packed.ts): one scratch output buffer (also the
// one the bitmap commands rebuild a string value in) and the varints both layouts use for
// counts and lengths.
// Invariant: a build takes scratch(), writes, and cuts its string out with latin1Slice before
// returning; no build runs inside another, so its users can share the one buffer.

import type { Latin1Buffer } from '../util/latin1.js';

/** V8 makes substrings of at least this many chars SlicedStrings (SlicedString::kMinLength). */
export const SLICE_MIN = 13;

/** Output scratch, grown on demand up to KEEP_MAX (larger builds get a buffer of their own). */
const KEEP_MAX = 1 << 20;
let BUF = Buffer.allocUnsafeSlow(4096) as Latin1Buffer;

export function scratch(n: number): Latin1Buffer {
  if (n <= BUF.length) return BUF;
  if (n > KEEP_MAX) return Buffer.allocUnsafeSlow(n) as Latin1Buffer;
  let cap = BUF.length * 2;
  while (cap < n) cap *= 2;
  BUF = Buffer.allocUnsafeSlow(cap) as Latin1Buffer;
  return BUF;
}

/** Bytes of the varint of v (an integer, 0 <= v < 2^53). */
export function varintBytes(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  let k = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    k++;
  }
  return k;
}

/** Writes v (an integer, 0 <= v < 2^53) at b[p]; returns the offset after it. */
export function writeVarint(b: Buffer, p: number, v: number): number {
  while (v >= 0x80) {
    b[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[p] = v;
  return p + 1;
}

/** Set by readVarint: the offset after the varint it read. */
export let vEnd = 0;

/** Reads the varint at lp[p] (7 bits a char, high bit = more follow). */
export function readVarint(lp: string, p: number): number {
  let c = lp.charCodeAt(p);
  if (c < 0x80) {
    vEnd = p + 1;
    return c;
  }
  let v = c & 0x7f;
  let mul = 0x80;
  for (;;) {
    c = lp.charCodeAt(++p);
    v += (c & 0x7f) * mul;
    if (!(c >= 0x80)) break; // NaN past the end stops too
    mul *= 0x80;
  }
  vEnd = p + 1;
  return v;
}
