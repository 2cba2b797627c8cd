// Score and lex ranges of the sorted-set commands (ZRANGEBYSCORE, ZCOUNT, ZRANGEBYLEX,
// ZLEXCOUNT, ZREMRANGEBY*, ZRANGE BYSCORE/BYLEX): parsing exactly as Redis 7.0's
// zslParseRange / zslParseLexRange, and the membership tests the skiplist walks use.
// Invariant: a parsed range never holds NaN; lex bounds keep every byte after the '(' / '['.

import { parseRangeFloat } from '../util/numbers.js';

/** min/max are inclusive unless minex/maxex. Infinite bounds are ±Infinity. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/**
 * A lex range. `minInf` / `maxInf` model Redis's shared.minstring / shared.maxstring:
 * -1 = "-" (below every string), +1 = "+" (above every string), 0 = the string in min / max.
 * "-" and "+" are exclusive (Redis sets ex = 1 for them), which only matters for "- -" and
 * "+ +" (both empty).
 */
export interface LexRange {
  min: string;
  max: string;
  minex: boolean;
  maxex: boolean;
  minInf: -1 | 0 | 1;
  maxInf: -1 | 0 | 1;
}

/**
 * zslParseRange: "1.5", "(1.5" (exclusive), "-inf", "+inf", "(inf", anything strtod reads
 * (" 1", "0x10", "1e400" = inf, "" = 0, "(" = exclusive 0; a NUL byte ends the string).
 * null = "ERR min or max is not a float". The range may be empty (min > max): callers reply
 * with an empty result, not an error.
 */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const minex = min.charCodeAt(0) === 40; /* ( */
  const lo = parseRangeFloat(min, minex ? 1 : 0);
  if (lo === null) return null;
  const maxex = max.charCodeAt(0) === 40;
  const hi = parseRangeFloat(max, maxex ? 1 : 0);
  if (hi === null) return null;
  return { min: lo, max: hi, minex, maxex };
}

function parseLexItem(s: string, range: LexRange, isMin: boolean): boolean {
  const c = s.charCodeAt(0);
  let inf: -1 | 0 | 1 = 0;
  let ex: boolean;
  let value = '';
  if (c === 43 /* + */ || c === 45 /* - */) {
    // Redis checks only that the next byte is the C string terminator: "+\0junk" is "+".
    if (s.length > 1 && s.charCodeAt(1) !== 0) return false;
    inf = c === 43 ? 1 : -1;
    ex = true;
  } else if (c === 40 /* ( */) {
    ex = true;
    value = s.slice(1);
  } else if (c === 91 /* [ */) {
    ex = false;
    value = s.slice(1);
  } else {
    return false; // also the empty string
  }
  if (isMin) {
    range.min = value;
    range.minex = ex;
    range.minInf = inf;
  } else {
    range.max = value;
    range.maxex = ex;
    range.maxInf = inf;
  }
  return true;
}

/**
 * zslParseLexRange: each bound is "-", "+", "(bytes" or "[bytes" ("(" and "[" alone are the
 * empty string). null = "ERR min or max not valid string range item".
 */
export function parseLexRange(min: string, max: string): LexRange | null {
  const r: LexRange = { min: '', max: '', minex: false, maxex: false, minInf: 0, maxInf: 0 };
  if (!parseLexItem(min, r, true) || !parseLexItem(max, r, false)) return null;
  return r;
}

/** zslValueGteMin */
export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

/** zslValueLteMax */
export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

/** The range can hold nothing whatever the set (zslIsInRange's first test). */
export function scoreRangeIsEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** zslLexValueGteMin; strings compare as bytes (latin1 `<` is memcmp order). */
export function lexGteMin(value: string, r: LexRange): boolean {
  if (r.minInf !== 0) return r.minInf < 0;
  return r.minex ? value > r.min : value >= r.min;
}

/** zslLexValueLteMax */
export function lexLteMax(value: string, r: LexRange): boolean {
  if (r.maxInf !== 0) return r.maxInf > 0;
  return r.maxex ? value < r.max : value <= r.max;
}

/** zslIsInLexRange's first test: sdscmplex(min, max) > 0, or equal with an exclusive end. */
export function lexRangeIsEmpty(r: LexRange): boolean {
  let cmp: number;
  if (r.minInf !== 0 || r.maxInf !== 0) {
    // Sentinels: "-" < every string < "+"; a sentinel equals only itself.
    const a = r.minInf;
    const b = r.maxInf;
    if (a === b) cmp = 0;
    else if (a === -1 || b === 1) cmp = -1;
    else cmp = 1;
  } else {
    cmp = r.min < r.max ? -1 : r.min > r.max ? 1 : 0;
  }
  return cmp > 0 || (cmp === 0 && (r.minex || r.maxex));
}
