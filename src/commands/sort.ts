// SORT and SORT_RO (Redis 7.0 sort.c): sorts a list, set or sorted set numerically or
// lexicographically (ALPHA), by the elements themselves or by weights found through a BY pattern
// ("w_*", "h_*->field"), with LIMIT, DESC, GET patterns, and (SORT only) STORE into a list.
//
// Invariants, each one observed on redis-server 7.0.15:
// - Options are parsed in sort.c's order and every option error is replied before the key is
//   looked up (so `SORT <string> foo` is a syntax error, not WRONGTYPE). Option names, the '*'
//   and "->" searches and the "#" test see C strings (they stop at the first NUL byte), while
//   the key and field built from a pattern keep every byte, exactly as sort.c does.
// - Order: numeric weights are strtod's (leading white space, hex, "inf"; nothing after;
//   overflow, NaN and an inexact underflow are "One or more scores can't be converted into
//   double"); equal weights fall back to comparing the elements byte by byte. ALPHA compares
//   with strcoll without STORE — under the C / C.UTF-8 locales redis-server runs with here
//   that is strcmp, which stops at the first NUL byte — and with a binary compare with STORE.
//   Elements whose BY key is missing weigh 0 (numeric) or sort first (ALPHA). The whole-vector
//   sort is glibc's qsort, a stable merge sort (so ties keep the input order, DESC included):
//   Array.prototype.sort is stable too. A BY sort restricted by LIMIT uses Redis's partial
//   quicksort (pqsort.c), ported in util/pqsort.ts step for step because its order of ties is observable.
// - Input order before sorting: a list's order; a set's iteration order (an intset's numeric
//   order, as Redis; a hashtable set's insertion order where Redis has its hash order); a
//   sorted set's member dict (any order: Redis's is its hash order). BY without '*' ("nosort")
//   keeps a list's or sorted set's own order (DESC reverses it, LIMIT then selects a rank range)
//   and a set's iteration order — except with STORE, where a set is sorted ALPHA so the stored
//   list is deterministic. Like Redis, SORT converts a listpack sorted set to a skiplist for
//   good (OBJECT ENCODING shows it).
// - STORE replaces the destination (any type, TTL dropped) with a list, or deletes it when the
//   result is empty; keyspace events "sortstore" / "del" as Redis.
//
// Canonical mutation of SORT ... STORE dst (Redis propagates the SORT itself; Hoard logs its
// effect, which does not depend on any iteration order): one atomic group of
//   [DEL dst]            when dst existed (the result replaces any type, TTL included), then
//   RPUSH dst e1 .. en   the stored elements in order, 1024 per RPUSH;
// or a lone DEL dst when the result is empty and dst existed; nothing otherwise.
//
// Complexity as Redis: O(N + M log M) for N input elements of which M are sorted, one keyspace
// read per BY/GET lookup (no scans).

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZSetValue } from '../types/zset-value.js';
import { HashValue } from '../types/hash.js';
import { ownString } from '../types/zset-packed.js';
import { parseIndex, parseRangeFloat } from '../util/numbers.js';
import { pqsort } from '../util/pqsort.js';
import { NOTIFY } from '../config.js';

/** sort.c's conversion error text (addReplyError adds the "ERR "). */
export const SORT_SCORE_ERROR = "ERR One or more scores can't be converted into double";

/** Elements per propagated RPUSH of a STORE result, as the other *STORE commands batch. */
const PROPAGATE_BATCH = 1024;

// ---- C-string helpers ---------------------------------------------------------------------------

/** Length of `s` as a C string: up to its first NUL byte. */
function cLength(s: string): number {
  const z = s.indexOf('\0');
  return z < 0 ? s.length : z;
}

/** `s` cut at its first NUL byte (what strcmp / strcoll compare). */
function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** strcasecmp(s, lower) === 0 (lower is lower-case ASCII): ASCII case-insensitive, up to a NUL. */
function optIs(s: string, lower: string): boolean {
  const n = lower.length;
  if (s.length < n) return false;
  if (s.length > n && s.charCodeAt(n) !== 0) return false;
  for (let i = 0; i < n; i++) {
    let ch = s.charCodeAt(i);
    if (ch >= 65 && ch <= 90) ch += 32;
    if (ch !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** strchr(s, '*') !== NULL. */
function hasStar(s: string): boolean {
  const star = s.indexOf('*');
  return star >= 0 && star < cLength(s);
}

// ---- numeric weights ------------------------------------------------------------------------------

const MIN_NORMAL = 2.2250738585072014e-308; // 2^-1022

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * sort.c's numeric weight: `strtod(ptr, &eptr)`, refused when `eptr[0] != '\0'`, when errno is
 * ERANGE, or when the result is NaN. So: the C string (up to a NUL byte), leading white space
 * skipped, "" is 0, hex and "inf"/"infinity" accepted; trailing bytes, NaN and overflow
 * refused, and — glibc's ERANGE on underflow — any non-zero literal whose correctly rounded
 * value is tiny (subnormal after rounding, or zero) and inexact ("1e-310", "1e-400"; the exact
 * "0x1p-1074" is accepted). Returns the weight, or null for the conversion error.
 */
export function parseSortWeight(s: string): number | null {
  const v = parseRangeFloat(s);
  if (v === null) return null;
  if (v === Infinity || v === -Infinity) return isInfLiteral(s) ? v : null;
  const a = v < 0 ? -v : v;
  if (a > MIN_NORMAL) return v;
  return tinyIsInexact(s, a) ? null : v;
}

/** Whether the (valid) literal in `s` spells an infinity rather than overflowing. */
function isInfLiteral(s: string): boolean {
  let i = 0;
  while (isCSpace(s.charCodeAt(i))) i++;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) i++;
  return (s.charCodeAt(i) | 0x20) === 105; // 'i'
}

/**
 * For a literal whose double `a` (its magnitude) is 0, subnormal or 2^-1022: glibc's ERANGE
 * test, tininess detected after rounding (x86) and the result inexact. Exact BigInt arithmetic:
 * only such tiny literals come here, so the powers stay small (about the literal's length).
 */
function tinyIsInexact(s: string, a: number): boolean {
  const end = cLength(s);
  let i = 0;
  while (i < end && isCSpace(s.charCodeAt(i))) i++;
  const c0 = s.charCodeAt(i);
  if (c0 === 43 || c0 === 45) i++;
  const hex = s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 0x20) === 120 && i + 2 < end;
  if (hex) i += 2;
  let digits = '';
  let frac = 0;
  let dot = false;
  let nonzero = false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      dot = true;
      continue;
    }
    const lc = c | 0x20;
    const isDig = (c >= 48 && c <= 57) || (hex && lc >= 97 && lc <= 102);
    if (!isDig) break;
    if (c !== 48) nonzero = true;
    if (nonzero) digits += s[i];
    if (dot) frac++;
  }
  if (!nonzero) return false; // an exact zero
  if (a === 0) return true; // a non-zero literal rounded to zero
  let exp = 0;
  if (i < end) {
    // 'e' / 'p' and a (valid: strtod consumed it) exponent; clamped, it cannot matter beyond.
    i++;
    let neg = false;
    const c = s.charCodeAt(i);
    if (c === 43 || c === 45) {
      neg = c === 45;
      i++;
    }
    for (; i < end; i++) exp = Math.min(exp * 10 + (s.charCodeAt(i) - 48), 1e7);
    if (neg) exp = -exp;
  }
  // x = N * base^e exactly, as num / den.
  const N = BigInt(hex ? '0x' + digits : digits);
  let num = N;
  let den = 1n;
  if (hex) {
    const e2 = exp - 4 * frac;
    if (e2 >= 0) num <<= BigInt(e2);
    else den <<= BigInt(-e2);
  } else {
    const e10 = exp - frac;
    if (e10 >= 0) num *= 10n ** BigInt(e10);
    else den = 10n ** BigInt(-e10);
  }
  if (a < MIN_NORMAL) {
    // Subnormal (so tiny): ERANGE unless x is exactly a = M * 2^-1074.
    const M = BigInt(a * 2 ** 1000 * 2 ** 74);
    return num << 1074n !== M * den;
  }
  // a = 2^-1022: tiny only when x rounded to 53 bits with an unbounded exponent stays below
  // 2^-1022, i.e. x < 2^-1022 - 2^-1076, i.e. x * 2^1076 < 2^54 - 1 (then it is inexact too).
  return num << 1076n < ((1n << 54n) - 1n) * den;
}

// ---- patterns ---------------------------------------------------------------------------------

/** Pattern kinds. */
const PAT_SELF = 0; // "#": the element itself
const PAT_NONE = 1; // no '*': nothing (GET answers nil)
const PAT_KEY = 2; // prefix*postfix: a string key
const PAT_FIELD = 3; // prefix*postfix->field: a hash field

/** A BY or GET pattern, split once (lookupKeyByPattern re-parses it per element). */
interface Pattern {
  kind: number;
  prefix: string;
  postfix: string;
  field: string;
}

/** lookupKeyByPattern's parsing, with its C-string searches and binary lengths. */
function compilePattern(p: string): Pattern {
  if (p.charCodeAt(0) === 35 /* # */ && (p.length === 1 || p.charCodeAt(1) === 0)) {
    return { kind: PAT_SELF, prefix: '', postfix: '', field: '' };
  }
  const cEnd = cLength(p);
  const star = p.indexOf('*');
  if (star < 0 || star >= cEnd) return { kind: PAT_NONE, prefix: '', postfix: '', field: '' };
  // strstr(p+1, "->") with a non-NUL byte after it: the field is everything after the arrow.
  const f = p.indexOf('->', star + 1);
  if (f >= 0 && f + 2 < cEnd) {
    return { kind: PAT_FIELD, prefix: p.slice(0, star), postfix: p.slice(star + 1, f), field: p.slice(f + 2) };
  }
  return { kind: PAT_KEY, prefix: p.slice(0, star), postfix: p.slice(star + 1), field: '' };
}

/**
 * The value a pattern names for `elem` (lookupKeyByPattern): the element for "#", a string
 * key's value, a hash field's value, or null (no '*', missing key, wrong type, missing field).
 * Each key is looked up as a read (hit/miss stats, LRU, lazy expiry), like Redis. A hash value
 * may be a view into a packed hash: the caller copies what it keeps.
 */
function lookupByPattern(c: CommandContext, p: Pattern, elem: string): string | null {
  switch (p.kind) {
    case PAT_SELF:
      return elem;
    case PAT_NONE:
      return null;
    case PAT_KEY: {
      const v = c.db.readValue(p.prefix + elem + p.postfix);
      return typeof v === 'string' ? v : null;
    }
    default: {
      const v = c.db.readValue(p.prefix + elem + p.postfix);
      if (!(v instanceof HashValue)) return null;
      const s = v.get(p.field);
      return s === undefined ? null : s;
    }
  }
}

// ---- comparison (the partial quicksort is util/pqsort.ts) ---------------------------------------

// The vector being sorted, as parallel arrays indexed by element number (sortCompare's view).
// Module-level so the comparators are plain functions, not per-call closures; SORT never
// re-enters itself (lookups run before and after sorting, not during).
let ELEMS: string[] = [];
let SCORES: Float64Array = new Float64Array(0);
/** ALPHA keys: the element or its BY value, cut at NUL unless storing; null = BY key missing. */
let KEYS: Array<string | null> = [];

function cmpNumeric(a: number, b: number): number {
  const sa = SCORES[a];
  const sb = SCORES[b];
  if (sa > sb) return 1;
  if (sa < sb) return -1;
  const ea = ELEMS[a];
  const eb = ELEMS[b];
  return ea < eb ? -1 : ea > eb ? 1 : 0;
}

function cmpAlpha(a: number, b: number): number {
  const ka = KEYS[a];
  const kb = KEYS[b];
  if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? -1 : 1;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function cmpNumericDesc(a: number, b: number): number {
  return -cmpNumeric(a, b);
}

function cmpAlphaDesc(a: number, b: number): number {
  return -cmpAlpha(a, b);
}

// ---- the command --------------------------------------------------------------------------------

/** A pattern compiled for the (rare) GET lists: most calls have none, so no allocation. */
const NO_GETS: Pattern[] = [];

/** sortCommandGeneric. */
function sortGeneric(c: CommandContext, argv: string[], readonly: boolean): void {
  const argc = argv.length;
  let desc = false;
  let alpha = false;
  let dontsort = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortby: string | null = null;
  let storekey: string | null = null;
  let gets = NO_GETS;

  for (let j = 2; j < argc; j++) {
    const a = argv[j];
    const left = argc - j - 1;
    if (optIs(a, 'asc')) desc = false;
    else if (optIs(a, 'desc')) desc = true;
    else if (optIs(a, 'alpha')) alpha = true;
    else if (optIs(a, 'limit') && left >= 2) {
      const s = parseIndex(argv[j + 1]);
      if (s === null) return c.reply.error(E.NOT_INTEGER);
      const n = parseIndex(argv[j + 2]);
      if (n === null) return c.reply.error(E.NOT_INTEGER);
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && optIs(a, 'store') && left >= 1) {
      storekey = argv[++j];
    } else if (optIs(a, 'by') && left >= 1) {
      sortby = argv[++j];
      // A constant BY pattern: nothing to sort nor to look up (and a later BY does not undo it).
      if (!hasStar(sortby)) dontsort = true;
    } else if (optIs(a, 'get') && left >= 1) {
      if (gets === NO_GETS) gets = [];
      gets.push(compilePattern(argv[++j]));
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }

  const key = argv[1];
  let value = c.db.readValue(key);
  if (value !== undefined && !(value instanceof ListValue) && !(value instanceof SetValue) && !(value instanceof ZSetValue)) {
    return c.reply.error(E.WRONGTYPE);
  }

  // A set's iteration order is arbitrary: with STORE (Redis: or from a script) sort it anyway.
  if (dontsort && value instanceof SetValue && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  // "Destructively convert encoded sorted sets for SORT" (zsetConvert to skiplist).
  if (value instanceof ZSetValue && !value.big) value = toSkiplist(c, key, value);

  const total = value === undefined ? 0 : value.size;
  let vectorlen = total;
  // LIMIT sanity checks, as sort.c clamps them.
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  const count = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  // Load the vector. A list or sorted set that is not sorted loads only the LIMIT range, in
  // its own order (reversed by DESC).
  const directRange = dontsort && (value === undefined || value instanceof ListValue || value instanceof ZSetValue);
  if (directRange && (start !== 0 || end !== vectorlen - 1)) vectorlen = end - start + 1;
  const elems: string[] = [];
  if (value instanceof ListValue) {
    if (dontsort) {
      if (end >= start) {
        const len = value.size;
        if (desc) for (let i = len - start - 1, k = 0; k < vectorlen && i >= 0; i--, k++) elems.push(value.get(i));
        else for (let i = start, k = 0; k < vectorlen && i < len; i++, k++) elems.push(value.get(i));
        end -= start;
        start = 0;
      }
    } else {
      for (let i = 0, len = value.size; i < len; i++) elems.push(value.get(i));
    }
  } else if (value instanceof SetValue) {
    for (const m of value.ordered()) elems.push(m);
  } else if (value instanceof ZSetValue) {
    if (dontsort) {
      if (vectorlen > 0) value.rangeByRank(start, start + vectorlen - 1, desc, (m) => void elems.push(m));
      end -= start;
      start = 0;
    } else {
      for (const m of value.bigDict().keys()) elems.push(m);
    }
  }

  // Weights, then the sort.
  let conversionError = false;
  let order: number[] | null = null;
  if (!dontsort) {
    const n = elems.length;
    const by = sortby !== null ? compilePattern(sortby) : null;
    const keepBinary = storekey !== null;
    let scores: Float64Array | null = null;
    let keys: Array<string | null> | null = null;
    if (alpha) keys = new Array<string | null>(n);
    else scores = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const e = elems[j];
      let w: string | null = e;
      if (by !== null) {
        w = lookupByPattern(c, by, e);
        if (w === null) {
          if (keys !== null) keys[j] = null;
          continue;
        }
      }
      if (keys !== null) keys[j] = keepBinary ? w : cString(w);
      else {
        const d = parseSortWeight(w);
        if (d === null) conversionError = true;
        else (scores as Float64Array)[j] = d;
      }
    }
    if (!conversionError) {
      order = new Array<number>(n);
      for (let j = 0; j < n; j++) order[j] = j;
      ELEMS = elems;
      if (scores !== null) SCORES = scores;
      if (keys !== null) KEYS = keys;
      const cmp = alpha ? (desc ? cmpAlphaDesc : cmpAlpha) : desc ? cmpNumericDesc : cmpNumeric;
      try {
        if (by !== null && (start !== 0 || end !== n - 1)) pqsort(order, n, cmp, start, end);
        else order.sort(cmp);
      } finally {
        ELEMS = [];
        SCORES = EMPTY_SCORES;
        KEYS = [];
      }
    }
  }

  const rows = end - start + 1;
  const outputlen = gets.length > 0 ? gets.length * rows : rows;
  if (conversionError) return c.reply.error(SORT_SCORE_ERROR);

  if (storekey === null) {
    const r = c.reply;
    r.array(outputlen);
    for (let j = start; j <= end; j++) {
      const e = elems[order === null ? j : order[j]];
      if (gets.length === 0) r.bulk(e);
      for (let g = 0; g < gets.length; g++) {
        const v = lookupByPattern(c, gets[g], e);
        if (v === null) r.nullBulk();
        else r.bulk(v);
      }
    }
    return;
  }

  const items: string[] = [];
  for (let j = start; j <= end; j++) {
    const e = elems[order === null ? j : order[j]];
    if (gets.length === 0) items.push(e);
    for (let g = 0; g < gets.length; g++) {
      const v = lookupByPattern(c, gets[g], e);
      // A missing value is stored as "". A hash's value may view a packed hash: copy it.
      items.push(v === null ? '' : gets[g].kind === PAT_FIELD ? ownString(v) : v);
    }
  }
  storeList(c, storekey, items);
  c.reply.int(outputlen);
}

const EMPTY_SCORES = new Float64Array(0);

/**
 * Replaces the listpack sorted set at `key` by its skiplist form (same members and scores, TTL
 * kept): what Redis's zsetConvert in SORT does to the value in place. A read command changes
 * only the encoding, so it is written like one (the snapshot and memory accounting are told)
 * but nothing is logged.
 */
function toSkiplist(c: CommandContext, key: string, z: ZSetValue): ZSetValue {
  const big = ZSetValue.from(z.entries(), SKIPLIST_ALWAYS, true);
  c.db.overwrite(c.db.lookupNoTouch(key), big, true);
  return big;
}

/** An encoding config under which every sorted set is a skiplist. */
const SKIPLIST_ALWAYS = { num: (): number => -1 };

/** The STORE step: `items` replace `dst` as a list, or delete it when empty (see the header). */
function storeList(c: CommandContext, dst: string, items: string[]): void {
  const db = c.db;
  const existed = db.lookupWrite(dst) >= 0;
  if (items.length === 0) {
    if (existed) {
      db.delete(dst);
      c.notify(NOTIFY.GENERIC, 'del', dst);
      c.propagate(['DEL', dst]);
    }
    return;
  }
  db.setKey(dst, ListValue.from(items));
  c.notify(NOTIFY.LIST, 'sortstore', dst);
  // Redis 7.0's setKey signals clients blocked on dst only when it adds the key (dbAdd), not
  // when it overwrites one (dbOverwrite).
  if (!existed) c.server.blocking.signalKeyAsReady(c.dbIndex, dst);
  const log = c.server.log;
  log.beginGroup();
  try {
    if (existed) c.propagate(['DEL', dst]);
    for (let i = 0; i < items.length; i += PROPAGATE_BATCH) {
      const batch = ['RPUSH', dst];
      const stop = Math.min(items.length, i + PROPAGATE_BATCH);
      for (let k = i; k < stop; k++) batch.push(items[k]);
      c.propagate(batch);
    }
  } finally {
    log.endGroup();
  }
}

function sort(c: CommandContext, argv: string[]): void {
  sortGeneric(c, argv, false);
}

function sortRo(c: CommandContext, argv: string[]): void {
  sortGeneric(c, argv, true);
}

/**
 * Redis's sortGetKeys: the sorted key, and the argument after the last STORE (options are
 * skipped by their argument counts: LIMIT 2, GET 1, BY 1; anything else none). Like Redis it
 * does not skip STORE's own argument, so `SORT k STORE limit 1 2` names "limit".
 */
function sortKeys(argv: readonly string[]): number[] {
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (optIs(a, 'limit')) i += 2;
    else if (optIs(a, 'store') && i + 1 < argv.length) store = i + 1;
    else if (optIs(a, 'get') || optIs(a, 'by')) i += 1;
  }
  return store < 0 ? [1] : [1, store];
}

/** SORT_RO's keys: its key specs name the sorted key only (BY/GET keys are "unknown"). */
function sortRoKeys(): number[] {
  return [1];
}

export const sortCommands: CommandSpec[] = [
  def('sort', -2, 'write denyoom movablekeys', [1, 1, 1], '@set @sortedset @list @dangerous', sort, { getKeys: sortKeys, group: 'generic' }),
  def('sort_ro', -2, 'readonly movablekeys', [1, 1, 1], '@set @sortedset @list @dangerous', sortRo, { getKeys: sortRoKeys, group: 'generic' }),
];
