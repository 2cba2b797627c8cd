// The compact form of a small hash (Redis's "listpack" encoding, t_hash.c hashTypeSet & co. over
// listpack.c): the pair count and every (field, value) pair in insertion order, back to back in
// ONE latin1 string. A JS Map of ten short pairs costs ~1.1 KB (table + 20 strings); this costs
// the string: 16 B of header + 1 + 2 + field + value bytes per pair (~180 B for ten "field:N" ->
// "value:N" pairs).
//
// Layout (a "byte" is one latin1 char; varint = LEB128: 7 bits per byte, low group first, high
// bit set when more follow):
//   count           varint, the number of pairs; the empty hash is '' (no count)
//   then per pair, in insertion order:
//   field length    varint
//   field bytes
//   value length    varint
//   value bytes
// Invariants (checked by packedCheck): the count is the number of pairs and is never 0 (an empty
// hash is ''); fields are distinct; every varint has the fewest bytes; the string ends exactly
// after the last pair. Any byte may appear in a field or value (\x00, \xff...), and empty fields
// and values are pairs like any other (length 0): nothing is escaped or terminated. Lengths are
// not bounded by 127: hash-max-listpack-value can be raised (CONFIG SET), so they take as many
// varint bytes as they need.
//
// Order is the listpack's: a new field is appended, an update rewrites the value in place (the
// pair keeps its position), a delete removes the pair (a field set again goes to the end).
//
// Operations scan the string with charCodeAt (O(n) over at most hash-max-listpack-entries pairs,
// as Redis's listpack scans are), and a mutation builds a new string, written in a scratch Buffer
// and cut out with latin1Slice: the result is a flat SeqOneByteString that references nothing.
// Never build one with + or slice: V8 would keep ConsStrings / SlicedStrings pointing at the
// previous versions. Strings are immutable, so two hashes may share one packed string (COPY).
//
// Fields and values handed out (substring) are SlicedStrings of the packed string when 13 chars
// or more: fine for replies, serializers and other short-lived uses; anything kept for long (the
// Map a hash converts to) must hold real copies (ownSubstring: packedToMap does).
//
// Decoding state lives in module variables (no allocation per pair): packedFind sets fP/vP/vS/vL
// and packedReplace / packedRemove read them, so the caller calls them right after a successful
// packedFind on the same string, with nothing in between that could call packedFind again.

import { readVarint, scratch, SLICE_MIN, varintBytes, vEnd, writeVarint } from './packed-bytes.js';
import type { Latin1Buffer } from '../util/latin1.js';
import { StrMap } from './str-dict.js';

/** Parts at most this long are copied char by char (cheaper than a call into the runtime). */
const COPY_LOOP_MAX = 16;

/** Offset of the first pair (after the count) of a non-empty packed string. */
function first(lp: string): number {
  if (lp.charCodeAt(0) < 0x80) return 1;
  readVarint(lp, 0);
  return vEnd;
}

// ---- reading --------------------------------------------------------------------------------------

/** Number of pairs. */
export function packedCount(lp: string): number {
  if (lp.length === 0) return 0;
  return readVarint(lp, 0);
}

/** lp[s, s + m.length) equals m (compared from the end: fields often share a prefix). */
function eqAt(lp: string, s: number, m: string): boolean {
  for (let i = m.length - 1; i >= 0; i--) if (lp.charCodeAt(s + i) !== m.charCodeAt(i)) return false;
  return true;
}

/** Set by packedFind: the found pair's start, its value-length varint, value start and length. */
let fP = 0;
let vP = 0;
let vS = 0;
let vL = 0;

/** Looks `field` up; on success sets fP/vP/vS/vL (see the header) and returns true. */
export function packedFind(lp: string, field: string): boolean {
  const end = lp.length;
  if (end === 0) return false;
  const fl = field.length;
  let p = first(lp);
  while (p < end) {
    const start = p;
    const l = readVarint(lp, p);
    const fs = vEnd;
    const vp = fs + l;
    const m = readVarint(lp, vp);
    p = vEnd;
    if (l === fl && eqAt(lp, fs, field)) {
      fP = start;
      vP = vp;
      vS = p;
      vL = m;
      return true;
    }
    p += m;
  }
  return false;
}

/** lp[s, s + len) as a string (a SlicedString view of lp when 13 chars or more). */
function sub(lp: string, s: number, len: number): string {
  return len === 0 ? '' : lp.substring(s, s + len);
}

/** lp[s, s + len) as a string that references nothing else. */
function ownSubstring(lp: string, s: number, len: number): string {
  if (len < SLICE_MIN) return sub(lp, s, len);
  const b = scratch(len);
  put(b, 0, lp, s, s + len);
  return b.latin1Slice(0, len);
}

/** The value of `field`, or undefined. A view of lp when 13 chars or more (short-lived uses). */
export function packedGet(lp: string, field: string): string | undefined {
  return packedFind(lp, field) ? sub(lp, vS, vL) : undefined;
}

/** True if the value packedFind found last in lp equals `value`. */
export function foundValueIs(lp: string, value: string): boolean {
  return vL === value.length && eqAt(lp, vS, value);
}

/**
 * Walks the pairs: fn(fieldStart, fieldLength, valueStart, valueLength) per pair in order, until
 * it returns false.
 */
function walk(lp: string, fn: (fs: number, fl: number, vs: number, vl: number) => boolean | void): void {
  const end = lp.length;
  if (end === 0) return;
  let p = first(lp);
  while (p < end) {
    const l = readVarint(lp, p);
    const fs = vEnd;
    const m = readVarint(lp, fs + l);
    const vs = vEnd;
    p = vs + m;
    if (fn(fs, l, vs, m) === false) return;
  }
}

/** fn(field, value) for every pair in order (views of lp: see the header). */
export function packedForEach(lp: string, fn: (field: string, value: string) => void): void {
  walk(lp, (fs, fl, vs, vl) => {
    fn(sub(lp, fs, fl), sub(lp, vs, vl));
  });
}

/** [field, value] pairs in order. The walk is over lp as it was when the iteration began. */
export function* packedEntries(lp: string): Generator<[string, string], undefined, undefined> {
  const end = lp.length;
  if (end === 0) return;
  let p = first(lp);
  while (p < end) {
    const l = readVarint(lp, p);
    const fs = vEnd;
    const m = readVarint(lp, fs + l);
    const vs = vEnd;
    p = vs + m;
    yield [sub(lp, fs, l), sub(lp, vs, m)];
  }
}

/** Every field (values = false) or every value (values = true) in order, in an array. */
export function packedColumn(lp: string, values: boolean): string[] {
  const out: string[] = [];
  walk(lp, (fs, fl, vs, vl) => {
    out.push(values ? sub(lp, vs, vl) : sub(lp, fs, fl));
  });
  return out;
}

/** The field of pair i (0 <= i < count). */
export function packedFieldAt(lp: string, i: number): string {
  let out = '';
  walk(lp, (fs, fl) => {
    if (i-- > 0) return true;
    out = sub(lp, fs, fl);
    return false;
  });
  return out;
}

/** The pairs in a Map, in order, every string a real copy (the form a hash converts to). */
export function packedToMap(lp: string): StrMap<string> {
  const m = new StrMap<string>();
  walk(lp, (fs, fl, vs, vl) => {
    m.set(ownSubstring(lp, fs, fl), ownSubstring(lp, vs, vl));
  });
  return m;
}

// ---- building -------------------------------------------------------------------------------------

/** Writes s[from, to) at b[at]; returns at + (to - from). */
function put(b: Latin1Buffer, at: number, s: string, from: number, to: number): number {
  const n = to - from;
  if (n <= 0) return at;
  if (n <= COPY_LOOP_MAX) {
    for (let i = 0; i < n; i++) b[at + i] = s.charCodeAt(from + i);
  } else {
    // latin1Write writes the first n chars of its string; a substring here is a transient view.
    b.latin1Write(from === 0 ? s : s.substring(from, to), at, n);
  }
  return at + n;
}

/**
 * The packed string with `count` pairs made of lp's pairs in [lp's first pair, a), then the
 * field (when not null) and the value (when not null), each with its length, then lp[b, end).
 * A count of 0 is the empty hash ''.
 */
function splice(lp: string, count: number, a: number, b: number, field: string | null, value: string | null): string {
  if (count === 0) return '';
  const h0 = lp.length === 0 ? 0 : first(lp);
  let total = varintBytes(count) + (a - h0) + (lp.length - b);
  if (field !== null) total += varintBytes(field.length) + field.length;
  if (value !== null) total += varintBytes(value.length) + value.length;
  const buf = scratch(total);
  let p = writeVarint(buf, 0, count);
  p = put(buf, p, lp, h0, a);
  if (field !== null) {
    p = writeVarint(buf, p, field.length);
    p = put(buf, p, field, 0, field.length);
  }
  if (value !== null) {
    p = writeVarint(buf, p, value.length);
    p = put(buf, p, value, 0, value.length);
  }
  put(buf, p, lp, b, lp.length);
  return buf.latin1Slice(0, total);
}

/** lp with the value packedFind found last replaced by `value` (the pair keeps its place). */
export function packedReplace(lp: string, value: string): string {
  return splice(lp, packedCount(lp), vP, vS + vL, null, value);
}

/** lp without the pair packedFind found last ('' when it was the only one). */
export function packedRemove(lp: string): string {
  const a = fP;
  const b = vS + vL;
  return splice(lp, packedCount(lp) - 1, a, b, null, null);
}

/** lp with the pair (field, value) appended; `field` must not be in lp. */
export function packedAppend(lp: string, field: string, value: string): string {
  return splice(lp, packedCount(lp) + 1, lp.length, lp.length, field, value);
}

/**
 * Several changes at once (HSET of many pairs): lp with the value at [vp, ve) of each `repl`
 * entry replaced (vp the offset of the old value's length varint, ve the end of the old value;
 * entries sorted by vp, no overlap), then the `adds` pairs (fields not in lp) appended, with
 * `count` pairs in all. One string built instead of one per pair.
 */
export function packedApply(
  lp: string,
  count: number,
  repl: ReadonlyArray<{ vp: number; ve: number; value: string }>,
  adds: ReadonlyArray<readonly [string, string]>,
): string {
  const h0 = lp.length === 0 ? 0 : first(lp);
  let total = varintBytes(count) + lp.length - h0;
  for (let i = 0; i < repl.length; i++) {
    const r = repl[i];
    total += varintBytes(r.value.length) + r.value.length - (r.ve - r.vp);
  }
  for (let i = 0; i < adds.length; i++) {
    const [f, v] = adds[i];
    total += varintBytes(f.length) + f.length + varintBytes(v.length) + v.length;
  }
  const buf = scratch(total);
  let p = writeVarint(buf, 0, count);
  let from = h0;
  for (let i = 0; i < repl.length; i++) {
    const r = repl[i];
    p = put(buf, p, lp, from, r.vp);
    p = writeVarint(buf, p, r.value.length);
    p = put(buf, p, r.value, 0, r.value.length);
    from = r.ve;
  }
  p = put(buf, p, lp, from, lp.length);
  for (let i = 0; i < adds.length; i++) {
    const [f, v] = adds[i];
    p = writeVarint(buf, p, f.length);
    p = put(buf, p, f, 0, f.length);
    p = writeVarint(buf, p, v.length);
    p = put(buf, p, v, 0, v.length);
  }
  return buf.latin1Slice(0, total);
}

/** Where packedFind found the last value: its length varint's offset and the value's end. */
export function foundValueSpan(): { vp: number; ve: number } {
  return { vp: vP, ve: vS + vL };
}

/** The packed string of `pairs` (distinct fields), in their order. */
export function packPairs(pairs: Iterable<[string, string]>): string {
  let count = 0;
  let total = 0;
  for (const [f, v] of pairs) {
    count++;
    total += varintBytes(f.length) + f.length + varintBytes(v.length) + v.length;
  }
  if (count === 0) return '';
  total += varintBytes(count);
  const buf = scratch(total);
  let p = writeVarint(buf, 0, count);
  for (const [f, v] of pairs) {
    p = writeVarint(buf, p, f.length);
    p = put(buf, p, f, 0, f.length);
    p = writeVarint(buf, p, v.length);
    p = put(buf, p, v, 0, v.length);
  }
  return buf.latin1Slice(0, total);
}

// ---- checking (tests) -------------------------------------------------------------------------------

/** Checks the invariants of the header; returns null when they hold, else what is wrong. */
export function packedCheck(lp: string): string | null {
  if (lp.length === 0) return null;
  for (let i = 0; i < lp.length; i++) if (lp.charCodeAt(i) > 0xff) return `char ${i} is not a byte`;
  const minimal = (p: number): boolean => {
    const v = readVarint(lp, p);
    return vEnd - p === varintBytes(v);
  };
  if (!minimal(0)) return 'count varint not minimal';
  const count = readVarint(lp, 0);
  if (count === 0) return 'count 0 in a non-empty string';
  let p = vEnd;
  const seen = new Set<string>();
  let n = 0;
  while (p < lp.length) {
    if (!minimal(p)) return `pair ${n}: field length varint not minimal`;
    const fl = readVarint(lp, p);
    const f = lp.substring(vEnd, vEnd + fl);
    p = vEnd + fl;
    if (p >= lp.length) return `pair ${n}: truncated`;
    if (!minimal(p)) return `pair ${n}: value length varint not minimal`;
    const vl = readVarint(lp, p);
    p = vEnd + vl;
    if (p > lp.length) return `pair ${n}: value truncated`;
    if (seen.has(f)) return `pair ${n}: field ${JSON.stringify(f)} repeated`;
    seen.add(f);
    n++;
  }
  if (n !== count) return `count ${count}, pairs ${n}`;
  return null;
}
