// The compact form of a small sorted set (Redis's "listpack" encoding, t_zset.c zzl*): the entry
// count and every (member, score) entry in rank order, back to back in ONE latin1 string. A JS
// Map + skiplist costs ~2.3 KB for ten members; this costs the string: 16 B of header + the
// bytes below (~110 for ten 8-byte members).
//
// Layout (a "byte" is one latin1 char; varint = LEB128: 7 bits per byte, low group first, high
// bit set when more follow):
//   count           varint, the number of entries; the empty set is '' (no count)
//   then per entry:
//   member length   varint
//   member bytes
//   score           a tag byte, then its payload:
//     0x00-0xEF  the integer score equal to the tag (0..239), no payload
//     0xF0       an integer m, |m| < 2^52: zigzag varint of m (0 -> 0, -1 -> 1, 1 -> 2...; the
//                zigzag value stays below 2^53, exact in a double)
//     0xF1-0xF3  m / 10, m / 100, m / 1000 (zigzag varint m, |m| < 2^52), used only when that
//                division gives back exactly the stored double (1.5 = 15 / 10: two bytes)
//     0xF4       float32, 4 bytes (other scores a float32 holds exactly: ±inf, 2^-10...)
//     0xF5       float64, 8 bytes (everything else)
//     (float payloads in host byte order: the form never leaves the process; snapshots and
//     dumps go through entries())
// Invariants (checked by packedCheck): entries are strictly ordered by (score, member bytes),
// as the skiplist orders them; the count is the number of entries and is never 0 (an empty set
// is ''); a score is never NaN nor -0 (stored as 0) and always has the first tag of the list
// above that fits it (canonical), and every varint has the fewest bytes, so equal sets have
// equal strings; the string ends exactly after the last entry.
//
// Operations decode the string with charCodeAt (O(n) scans over at most
// zset-max-listpack-entries entries, as Redis's listpack ones are) and mutations build a new
// string, written in a scratch Buffer and cut out with latin1Slice: the result is a flat
// SeqOneByteString that references nothing. Never build it with + or slice: V8 would keep
// ConsStrings / SlicedStrings pointing at the previous versions.
//
// Members handed out (substring) are SlicedStrings of the packed string when 13 chars or more:
// fine for replies and other short-lived uses; anything that keeps a member for long (the
// skiplist of a converted or built set) must keep a real copy (ownString, packedToSkiplist).
//
// Decoding state lives in module variables (no allocation per entry): head() sets mS/mL/sT, and
// callers read them before anything else can call head() again (visitors run after).

import {
  type LexRange,
  type ScoreRange,
  lexRangeIsEmpty,
  scoreGteMin,
  scoreLteMax,
  scoreRangeIsEmpty,
} from './zset-range.js';
import type { ZVisitor, ZSet } from './zset.js';
import { readVarint, scratch, SLICE_MIN, varintBytes, vEnd, writeVarint } from './packed-bytes.js';
import type { Latin1Buffer } from '../util/latin1.js';


const T_INT = 0xf0;
const T_DEC1 = 0xf1;
const T_DEC3 = 0xf3;
const T_F32 = 0xf4;
const T_F64 = 0xf5;
/** Bound (exclusive) of |m| for varint scores: zigzag(m) < 2^53 stays an exact integer. */
const M_LIMIT = 2 ** 52;
const DECIMAL = [1, 10, 100, 1000];

// Scratch views for the float payloads.
const F64 = new Float64Array(1);
const F32 = new Float32Array(F64.buffer, 0, 1);
const U8 = new Uint8Array(F64.buffer);



// ---- the count ----------------------------------------------------------------------------------

/** Number of entries. */
export function packedCount(lp: string): number {
  if (lp.length === 0) return 0;
  const c = lp.charCodeAt(0);
  return c < 0x80 ? c : readVarint(lp, 0);
}

/** Offset of the first entry. */
function first(lp: string): number {
  if (lp.length === 0) return 0;
  if (lp.charCodeAt(0) < 0x80) return 1;
  readVarint(lp, 0);
  return vEnd;
}

/**
 * b[0, used) holds a packed string whose count varint takes `h` bytes: writes count n there
 * instead, moving the entries when the varint changes size. Returns that change (the shift of
 * every entry offset). b must have room for one more byte when the count grows.
 */
function recount(b: Buffer, used: number, h: number, n: number): number {
  const h2 = varintBytes(n);
  if (h2 !== h && used > h) b.copyWithin(h2, h, used);
  writeVarint(b, 0, n);
  return h2 - h;
}

// ---- scores -------------------------------------------------------------------------------------

/** The canonical tag of a score (not NaN, not -0). */
function tagOf(s: number): number {
  if (Number.isInteger(s)) {
    if (s >= 0 && s < T_INT) return s;
    if (s > -M_LIMIT && s < M_LIMIT) return T_INT;
  } else if (s - s === 0) {
    // Finite, not an integer: a short decimal?
    for (let k = 1; k <= 3; k++) {
      const m = Math.round(s * DECIMAL[k]);
      if (m / DECIMAL[k] === s && m > -M_LIMIT && m < M_LIMIT) return T_INT + k;
    }
  }
  return Math.fround(s) === s ? T_F32 : T_F64;
}

function zigzag(m: number): number {
  return m >= 0 ? m * 2 : -m * 2 - 1;
}

/** The integer m of a T_INT / T_DEC score whose tag is at q. */
function mantissaAt(lp: string, q: number): number {
  const z = readVarint(lp, q + 1);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Bytes of score s, tag included. */
function scoreBytes(s: number): number {
  const t = tagOf(s);
  if (t < T_INT) return 1;
  if (t === T_F32) return 5;
  if (t === T_F64) return 9;
  return 1 + varintBytes(zigzag(t === T_INT ? s : Math.round(s * DECIMAL[t - T_INT])));
}

/** Offset after the score whose tag is at q. */
function skipScore(lp: string, q: number): number {
  const t = lp.charCodeAt(q);
  if (t < T_INT) return q + 1;
  if (t === T_F32) return q + 5;
  if (t === T_F64) return q + 9;
  let p = q + 1;
  while (lp.charCodeAt(p) >= 0x80) p++;
  return p + 1;
}

/** The score whose tag is at q. */
function scoreAt(lp: string, q: number): number {
  const t = lp.charCodeAt(q);
  if (t < T_INT) return t;
  if (t === T_INT) return mantissaAt(lp, q);
  if (t <= T_DEC3) return mantissaAt(lp, q) / DECIMAL[t - T_INT];
  if (t === T_F32) {
    U8[0] = lp.charCodeAt(q + 1);
    U8[1] = lp.charCodeAt(q + 2);
    U8[2] = lp.charCodeAt(q + 3);
    U8[3] = lp.charCodeAt(q + 4);
    return F32[0];
  }
  for (let i = 0; i < 8; i++) U8[i] = lp.charCodeAt(q + 1 + i);
  return F64[0];
}

/** Writes score s (not NaN, not -0) at b[p]; returns the offset after it. */
function writeScore(b: Buffer, p: number, s: number): number {
  const t = tagOf(s);
  b[p] = t;
  if (t < T_INT) return p + 1;
  if (t === T_F32) {
    F32[0] = s;
    for (let i = 0; i < 4; i++) b[p + 1 + i] = U8[i];
    return p + 5;
  }
  if (t === T_F64) {
    F64[0] = s;
    for (let i = 0; i < 8; i++) b[p + 1 + i] = U8[i];
    return p + 9;
  }
  return writeVarint(b, p + 1, zigzag(t === T_INT ? s : Math.round(s * DECIMAL[t - T_INT])));
}

// ---- entries ------------------------------------------------------------------------------------

/** Set by head(): start and length of the member, offset of the score's tag. */
let mS = 0;
let mL = 0;
let sT = 0;

/** Decodes the member header of the entry at p. */
function head(lp: string, p: number): void {
  const c = lp.charCodeAt(p);
  if (c < 0x80) {
    mS = p + 1;
    mL = c;
  } else {
    mL = readVarint(lp, p);
    mS = vEnd;
  }
  sT = mS + mL;
}

function entryBytes(member: string, score: number): number {
  return varintBytes(member.length) + member.length + scoreBytes(score);
}

/** Writes an entry at b[p]; returns the offset after it. */
function writeEntry(b: Latin1Buffer, p: number, member: string, score: number): number {
  const ml = member.length;
  p = writeVarint(b, p, ml);
  if (ml <= 16) {
    for (let i = 0; i < ml; i++) b[p + i] = member.charCodeAt(i);
  } else {
    b.latin1Write(member, p, ml);
  }
  return writeScore(b, p + ml, score);
}

/** The member at [s, s + len) of lp equals m (compared from the end: members often share a prefix). */
function eqAt(lp: string, s: number, len: number, m: string): boolean {
  if (len !== m.length) return false;
  for (let i = len - 1; i >= 0; i--) if (lp.charCodeAt(s + i) !== m.charCodeAt(i)) return false;
  return true;
}

/** Sign of (member at [s, s + len) of lp) - m in byte order, as sdscmp. */
function cmpAt(lp: string, s: number, len: number, m: string): number {
  const ml = m.length;
  const k = len < ml ? len : ml;
  for (let i = 0; i < k; i++) {
    const d = lp.charCodeAt(s + i) - m.charCodeAt(i);
    if (d !== 0) return d;
  }
  return len - ml;
}

/** The member of the entry head() decoded last. */
function member(lp: string): string {
  return mL === 0 ? '' : lp.substring(mS, mS + mL);
}

/** A copy of m that references no other string (substrings of 13+ chars would). */
export function ownString(m: string): string {
  const len = m.length;
  if (len < SLICE_MIN) return m;
  const b = scratch(len);
  b.latin1Write(m, 0, len);
  return b.latin1Slice(0, len);
}

// Offsets of entries, for walks that go backwards. One shared array; a nested use (a visitor
// walking another set backwards) gets a fresh one.
let OFFS = new Int32Array(256);
let offsBusy = false;

/** Offsets of the first `count` entries (count <= the number of entries). Release with giveOffs. */
function takeOffs(lp: string, count: number): Int32Array {
  let offs: Int32Array;
  if (offsBusy) offs = new Int32Array(count);
  else {
    if (OFFS.length < count) OFFS = new Int32Array(Math.max(count, OFFS.length * 2));
    offs = OFFS;
    offsBusy = true;
  }
  for (let i = 0, p = first(lp); i < count; i++) {
    offs[i] = p;
    head(lp, p);
    p = skipScore(lp, sT);
  }
  return offs;
}

function giveOffs(offs: Int32Array): void {
  if (offs === OFFS) offsBusy = false;
}

/** Offset of the entry of 0-based index `i` (<= the number of entries: i = n gives the end). */
function offsetOf(lp: string, i: number): number {
  let p = first(lp);
  for (; i > 0; i--) {
    head(lp, p);
    p = skipScore(lp, sT);
  }
  return p;
}

// ---- building -------------------------------------------------------------------------------------

/** lp without the `removed` entries at bytes [a, b). */
function cut(lp: string, a: number, b: number, removed: number): string {
  const n = packedCount(lp) - removed;
  if (n === 0) return '';
  const len = lp.length;
  const buf = scratch(len);
  buf.latin1Write(lp, 0, len);
  buf.copyWithin(a, b, len);
  const used = len - (b - a);
  return buf.latin1Slice(0, used + recount(buf, used, first(lp), n));
}

/** Compares two [member, score] pairs in rank order. */
function byRank(a: readonly [string, number], b: readonly [string, number]): number {
  const x = a[1];
  const y = b[1];
  if (x !== y) return x < y ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The packed form of distinct members (scores not NaN; -0 is folded to 0), in any order. */
export function packedEncode(pairs: Map<string, number>): string {
  if (pairs.size === 0) return '';
  const arr = [...pairs];
  for (let i = 0; i < arr.length; i++) if (arr[i][1] === 0) arr[i][1] = 0;
  arr.sort(byRank);
  let total = varintBytes(arr.length);
  for (let i = 0; i < arr.length; i++) total += entryBytes(arr[i][0], arr[i][1]);
  const b = scratch(total);
  let p = writeVarint(b, 0, arr.length);
  for (let i = 0; i < arr.length; i++) p = writeEntry(b, p, arr[i][0], arr[i][1]);
  return b.latin1Slice(0, p);
}

/** Inserts every entry of lp into z (in rank order), members as copies of their own. */
export function packedToSkiplist(lp: string, z: ZSet): void {
  const len = lp.length;
  if (len === 0) return;
  // One copy of the whole string in a Buffer: members cut from it reference nothing (z.set
  // does not touch the scratch buffer).
  const b = scratch(len);
  b.latin1Write(lp, 0, len);
  for (let p = first(lp); p < len; ) {
    head(lp, p);
    const m = mL < SLICE_MIN ? member(lp) : b.latin1Slice(mS, mS + mL);
    const q = sT;
    p = skipScore(lp, q);
    z.set(m, scoreAt(lp, q));
  }
}

// ---- point operations -------------------------------------------------------------------------------

/** Offset of the score tag of `m`'s entry, or -1 (head() state then describes the entry). */
function find(lp: string, m: string): number {
  const len = lp.length;
  const ml = m.length;
  for (let p = first(lp); p < len; ) {
    head(lp, p);
    if (mL === ml && eqAt(lp, mS, ml, m)) return sT;
    p = skipScore(lp, sT);
  }
  return -1;
}

export function packedScore(lp: string, m: string): number | undefined {
  const q = find(lp, m);
  return q < 0 ? undefined : scoreAt(lp, q);
}

export function packedHas(lp: string, m: string): boolean {
  return find(lp, m) >= 0;
}

/** 0-based ascending rank of m, or -1. */
export function packedRank(lp: string, m: string): number {
  const len = lp.length;
  const ml = m.length;
  for (let p = first(lp), i = 0; p < len; i++) {
    head(lp, p);
    if (mL === ml && eqAt(lp, mS, ml, m)) return i;
    p = skipScore(lp, sT);
  }
  return -1;
}

/** [member, score] at a 0-based rank, which must be in range. */
export function packedAt(lp: string, rank: number): [string, number] {
  head(lp, offsetOf(lp, rank));
  return [member(lp), scoreAt(lp, sT)];
}

/** Set by packedSet: the last call added a member (else it changed a score). */
export let packedAdded = false;

/**
 * zzlInsert / zsetAdd's update: lp with m at score s (not NaN; -0 becomes 0), or null when m
 * already has that score. packedAdded tells an insertion from a score change.
 */
export function packedSet(lp: string, m: string, s: number): string | null {
  if (s === 0) s = 0;
  const len = lp.length;
  const ml = m.length;
  const h = first(lp);
  let fa = -1; // m's own entry [fa, fb)
  let fb = -1;
  let ip = -1; // first other entry ranked after (s, m): the insertion point
  for (let p = h; p < len; ) {
    head(lp, p);
    const q = sT;
    const next = skipScore(lp, q);
    if (fa < 0 && mL === ml && eqAt(lp, mS, ml, m)) {
      if (scoreAt(lp, q) === s) return null;
      fa = p;
      fb = next;
      if (ip >= 0) break;
    } else if (ip < 0) {
      const es = scoreAt(lp, q);
      if (es > s || (es === s && cmpAt(lp, mS, mL, m) > 0)) {
        ip = p;
        if (fa >= 0) break;
      }
    }
    p = next;
  }
  if (ip < 0) ip = len;
  const k = entryBytes(m, s);
  const b = scratch(len + k + 1);
  if (len > 0) b.latin1Write(lp, 0, len);
  let used = len;
  if (fa >= 0) {
    // A score change: the entry moves (zsetAdd deletes and re-inserts it too).
    b.copyWithin(fa, fb, len);
    used -= fb - fa;
    if (ip >= fb) ip -= fb - fa;
  } else {
    const d = recount(b, used, h, packedCount(lp) + 1);
    used += d;
    ip += d;
  }
  if (ip < used) b.copyWithin(ip + k, ip, used);
  writeEntry(b, ip, m, s);
  packedAdded = fa < 0;
  return b.latin1Slice(0, used + k);
}

/** lp without m, or null when m is not there. */
export function packedDelete(lp: string, m: string): string | null {
  const q = find(lp, m);
  if (q < 0) return null;
  return cut(lp, mS - varintBytes(mL), skipScore(lp, q), 1);
}

// ---- ranges --------------------------------------------------------------------------------------

/** As ZSet.rangeByRank. */
export function packedRangeByRank(lp: string, start: number, stop: number, reverse: boolean, fn: ZVisitor): void {
  const n = packedCount(lp);
  if (start < 0) start = 0;
  if (stop >= n) stop = n - 1;
  if (start > stop) return;
  if (!reverse) {
    let p = offsetOf(lp, start);
    for (let k = stop - start; k >= 0; k--) {
      head(lp, p);
      const m = member(lp);
      const q = sT;
      p = skipScore(lp, q);
      fn(m, scoreAt(lp, q));
    }
    return;
  }
  // Descending ranks start..stop are ascending indexes n-1-stop..n-1-start, visited downwards.
  const hi = n - 1 - start;
  const lo = n - 1 - stop;
  const offs = takeOffs(lp, hi + 1);
  try {
    for (let i = hi; i >= lo; i--) {
      head(lp, offs[i]);
      fn(member(lp), scoreAt(lp, sT));
    }
  } finally {
    giveOffs(offs);
  }
}

/** zzlFirstInRange's walk: the offset of the first entry whose score is >= min, or lp.length. */
function firstGteMin(lp: string, range: ScoreRange): number {
  const len = lp.length;
  let p = first(lp);
  while (p < len) {
    head(lp, p);
    if (scoreGteMin(scoreAt(lp, sT), range)) break;
    p = skipScore(lp, sT);
  }
  return p;
}

/**
 * As ZSet.rangeByScore: genericZrangebyscoreCommand's listpack walk (zzlFirstInRange /
 * zzlLastInRange, then `offset` entries skipped, then at most `limit` visited while in range).
 */
export function packedRangeByScore(lp: string, range: ScoreRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
  if (offset < 0 || limit === 0 || scoreRangeIsEmpty(range) || lp.length === 0) return;
  if (!reverse) {
    const len = lp.length;
    let p = firstGteMin(lp, range);
    for (; p < len && offset > 0; offset--) {
      head(lp, p);
      p = skipScore(lp, sT);
    }
    for (; p < len && limit !== 0; limit--) {
      head(lp, p);
      const q = sT;
      const s = scoreAt(lp, q);
      if (!scoreLteMax(s, range)) break;
      const m = member(lp);
      p = skipScore(lp, q);
      fn(m, s);
    }
    return;
  }
  const n = packedCount(lp);
  const offs = takeOffs(lp, n);
  try {
    let i = n - 1;
    for (; i >= 0; i--) {
      head(lp, offs[i]);
      if (scoreLteMax(scoreAt(lp, sT), range)) break;
    }
    for (i -= offset; i >= 0 && limit !== 0; i--, limit--) {
      head(lp, offs[i]);
      const s = scoreAt(lp, sT);
      if (!scoreGteMin(s, range)) break;
      fn(member(lp), s);
    }
  } finally {
    giveOffs(offs);
  }
}

/** zslLexValueGteMin on the entry at offset p (leaves head() state on that entry). */
function gteMinAt(lp: string, p: number, r: LexRange): boolean {
  head(lp, p);
  if (r.minInf !== 0) return r.minInf < 0;
  const c = cmpAt(lp, mS, mL, r.min);
  return r.minex ? c > 0 : c >= 0;
}

/** zslLexValueLteMax on the entry at offset p (leaves head() state on that entry). */
function lteMaxAt(lp: string, p: number, r: LexRange): boolean {
  head(lp, p);
  if (r.maxInf !== 0) return r.maxInf > 0;
  const c = cmpAt(lp, mS, mL, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

/**
 * zzlFirstInLexRange (last = false) or zzlLastInLexRange (last = true): the index of the first
 * (last) entry in range, or -1. With members not in lex order (mixed scores) this is Redis's
 * listpack answer: the first entry >= min must also be <= max, else there is none.
 */
function lexEdge(lp: string, offs: Int32Array, n: number, r: LexRange, last: boolean): number {
  if (n === 0 || lexRangeIsEmpty(r)) return -1;
  if (!gteMinAt(lp, offs[n - 1], r) || !lteMaxAt(lp, offs[0], r)) return -1;
  if (!last) {
    for (let i = 0; i < n; i++) if (gteMinAt(lp, offs[i], r)) return lteMaxAt(lp, offs[i], r) ? i : -1;
  } else {
    for (let i = n - 1; i >= 0; i--) if (lteMaxAt(lp, offs[i], r)) return gteMinAt(lp, offs[i], r) ? i : -1;
  }
  return -1;
}

/** As ZSet.rangeByLex: genericZrangebylexCommand's listpack walk. */
export function packedRangeByLex(lp: string, range: LexRange, reverse: boolean, offset: number, limit: number, fn: ZVisitor): void {
  if (offset < 0 || limit === 0 || lp.length === 0) return;
  const n = packedCount(lp);
  const offs = takeOffs(lp, n);
  try {
    let i = lexEdge(lp, offs, n, range, reverse);
    if (i < 0) return;
    if (!reverse) {
      for (i += offset; i < n && limit !== 0; i++, limit--) {
        if (!lteMaxAt(lp, offs[i], range)) break;
        fn(member(lp), scoreAt(lp, sT));
      }
    } else {
      for (i -= offset; i >= 0 && limit !== 0; i--, limit--) {
        if (!gteMinAt(lp, offs[i], range)) break;
        fn(member(lp), scoreAt(lp, sT));
      }
    }
  } finally {
    giveOffs(offs);
  }
}

/** ZCOUNT's listpack count: from the first entry >= min while <= max. */
export function packedCountByScore(lp: string, range: ScoreRange): number {
  if (scoreRangeIsEmpty(range)) return 0;
  const len = lp.length;
  let count = 0;
  for (let p = first(lp); p < len; ) {
    head(lp, p);
    const s = scoreAt(lp, sT);
    if (!scoreLteMax(s, range)) break;
    if (scoreGteMin(s, range)) count++;
    p = skipScore(lp, sT);
  }
  return count;
}

/** ZLEXCOUNT's listpack count: from zzlFirstInLexRange while <= max. */
export function packedCountByLex(lp: string, range: LexRange): number {
  if (lp.length === 0) return 0;
  const n = packedCount(lp);
  const offs = takeOffs(lp, n);
  try {
    let i = lexEdge(lp, offs, n, range, false);
    if (i < 0) return 0;
    let count = 0;
    for (; i < n && lteMaxAt(lp, offs[i], range); i++) count++;
    return count;
  } finally {
    giveOffs(offs);
  }
}

// ---- range removals ---------------------------------------------------------------------------------
// Each returns the new string; the removed entries (always contiguous) go to `out` (members) or
// `pairs` ([member, score]), ascending.

/** Removes the entries of 0-based ranks start..stop (clamped). */
export function packedDeleteRanks(lp: string, start: number, stop: number, out: string[] | null, pairs: Array<[string, number]> | null): string {
  const n = packedCount(lp);
  if (start < 0) start = 0;
  if (stop >= n) stop = n - 1;
  if (start > stop) return lp;
  const a = offsetOf(lp, start);
  let p = a;
  for (let k = stop - start; k >= 0; k--) {
    head(lp, p);
    const m = member(lp);
    const q = sT;
    p = skipScore(lp, q);
    if (out !== null) out.push(m);
    if (pairs !== null) pairs.push([m, scoreAt(lp, q)]);
  }
  return cut(lp, a, p, stop - start + 1);
}

/** zzlDeleteRangeByScore. */
export function packedDeleteScores(lp: string, range: ScoreRange, out: string[]): string {
  if (scoreRangeIsEmpty(range)) return lp;
  const len = lp.length;
  const a = firstGteMin(lp, range);
  const before = out.length;
  let p = a;
  while (p < len) {
    head(lp, p);
    const q = sT;
    if (!scoreLteMax(scoreAt(lp, q), range)) break;
    out.push(member(lp));
    p = skipScore(lp, q);
  }
  return p === a ? lp : cut(lp, a, p, out.length - before);
}

/** zzlDeleteRangeByLex: from zzlFirstInLexRange while <= max. */
export function packedDeleteLex(lp: string, range: LexRange, out: string[]): string {
  if (lp.length === 0) return lp;
  const n = packedCount(lp);
  const offs = takeOffs(lp, n);
  try {
    const i = lexEdge(lp, offs, n, range, false);
    if (i < 0) return lp;
    let j = i;
    for (; j < n && lteMaxAt(lp, offs[j], range); j++) out.push(member(lp));
    return cut(lp, offs[i], j < n ? offs[j] : lp.length, j - i);
  } finally {
    giveOffs(offs);
  }
}

// ---- iteration and checks ---------------------------------------------------------------------------

/** [member, score] pairs in rank order (of this string: later changes to the set are not seen). */
export function* packedEntries(lp: string): IterableIterator<[string, number]> {
  const len = lp.length;
  for (let p = first(lp); p < len; ) {
    head(lp, p);
    const m = member(lp);
    const q = sT;
    p = skipScore(lp, q);
    yield [m, scoreAt(lp, q)];
  }
}

/** Throws unless lp is a well-formed packed set (see the invariants above). */
export function packedCheck(lp: string): void {
  const len = lp.length;
  if (len === 0) return;
  for (let i = 0; i < len; i++) if (lp.charCodeAt(i) > 0xff) throw invariantError(`packed zset: non-latin1 char at ${i}`);
  // Every varint must end inside the string before the decoders (which trust it) run over it.
  const varintEnds = (p: number): void => {
    while (p < len && lp.charCodeAt(p) >= 0x80) p++;
    if (p >= len) throw invariantError('packed zset: a varint overruns the string');
  };
  varintEnds(0);
  const n = readVarint(lp, 0);
  if (n === 0) throw invariantError('packed zset: count 0 in a non-empty string');
  if (vEnd !== varintBytes(n)) throw invariantError('packed zset: count not minimally encoded');
  let count = 0;
  let prevS = 0;
  let prevM = '';
  for (let p = vEnd; p < len; ) {
    count++;
    varintEnds(p);
    head(lp, p);
    if (varintBytes(mL) !== mS - p) throw invariantError(`packed zset: length of entry ${count} not minimal`);
    if (sT >= len) throw invariantError(`packed zset: entry ${count} overruns the string`);
    const t = lp.charCodeAt(sT);
    if (t > T_F64) throw invariantError(`packed zset: bad score tag at entry ${count}`);
    if (t === T_INT || (t > T_INT && t <= T_DEC3)) varintEnds(sT + 1);
    const next = skipScore(lp, sT);
    if (next > len) throw invariantError(`packed zset: score of entry ${count} overruns the string`);
    const s = scoreAt(lp, sT);
    const m = member(lp);
    if (s !== s || Object.is(s, -0)) throw invariantError(`packed zset: bad score at entry ${count}`);
    if (tagOf(s) !== t || next - sT !== scoreBytes(s)) throw invariantError(`packed zset: score of entry ${count} not canonically encoded`);
    if (count > 1 && !(prevS < s || (prevS === s && prevM < m))) throw invariantError(`packed zset: order broken at entry ${count}`);
    prevS = s;
    prevM = m;
    p = next;
  }
  if (count !== n) throw invariantError(`packed zset: ${count} entries, count says ${n}`);
}

function invariantError(message: string): Error {
  return Object.assign(new Error(message), { code: 'HOARD_ZSET_INVARIANT' });
}
