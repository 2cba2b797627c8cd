/* Glob-style matching with the exact semantics of Redis's stringmatchlen()
 * (util.c, Redis 7.0), used by KEYS, SCAN MATCH, PSUBSCRIBE and CONFIG GET.
 *
 * Invariant: for every pattern and subject, stringMatch() answers what
 * redis-server 7.0 answers, byte for byte. Strings are latin1 (one char = one
 * byte, binary-safe). The C code's quirks are kept on purpose, because clients
 * can observe them:
 *  - pattern and subject must run out together: `*` does NOT match "" (KEYS and
 *    SCAN short-circuit a bare `*` before calling the matcher; compileMatcher
 *    does the same, see below);
 *  - `[` without a closing `]` is a class running to the end of the pattern,
 *    `[a-]` is the range `]`..`a`, ranges may be reversed (`[z-a]`);
 *  - inside a class `\x` matches x case-sensitively even when nocase;
 *  - range bounds compare as C `char`, which is signed on x86: bytes >= 0x80
 *    are negative there, so `[\x01-\xff]` is the range -1..1;
 *  - case folding is ASCII only (the C locale's tolower);
 *  - a `*` that failed to match the rest of the pattern at every remaining
 *    position tells every enclosing `*` to stop too ("skipLongerMatches", the
 *    7.0 fix for exponential patterns such as a*a*a*a*b), and recursion deeper
 *    than 1000 `*` answers "no match" (the nesting guard present in the 7.0.15
 *    build we compare against: `KEYS` with 1100 `a*` does not match).
 */

const STAR = 42; // '*'
const QUESTION = 63; // '?'
const LBRACKET = 91; // '['
const RBRACKET = 93; // ']'
const BACKSLASH = 92; // '\\'
const CARET = 94; // '^'
const DASH = 45; // '-'

const MAX_NESTING = 1000;

/** ASCII-only tolower, as the C locale's tolower() (non-ASCII passes through). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a C `char` on x86: values 128..255 become -128..-1. */
function signedChar(c: number): number {
  return c >= 128 && c <= 255 ? c - 256 : c;
}

/** Shared across one top-level match, like the `int *skipLongerMatches` in C. */
interface MatchState {
  skipLongerMatches: boolean;
}

/*
 * A line-by-line port of stringmatchlen_impl. `pi`/`si` play the role of the
 * `pattern`/`string` pointers; the C `patternLen`/`stringLen` are always
 * `plen - pi` and `slen - si`, because every recursive call passes a suffix of
 * the same buffers. Reading one past the end yields 0, like the C string's NUL
 * terminator (the C code relies on it: `pattern[1] == '*'`, `*pattern == '*'`).
 */
function matchImpl(
  pattern: string,
  pi: number,
  str: string,
  si: number,
  nocase: boolean,
  state: MatchState,
  nesting: number,
): boolean {
  const plen = pattern.length;
  const slen = str.length;
  // Protection against abusive patterns (deep recursion).
  if (nesting > MAX_NESTING) return false;

  while (pi < plen && si < slen) {
    const pc = pattern.charCodeAt(pi);
    switch (pc) {
      case STAR: {
        while (pi < plen && pi + 1 < plen && pattern.charCodeAt(pi + 1) === STAR) pi++;
        if (plen - pi === 1) return true; // trailing '*' matches the rest
        while (si < slen) {
          if (matchImpl(pattern, pi + 1, str, si, nocase, state, nesting + 1)) return true;
          if (state.skipLongerMatches) return false;
          si++;
        }
        // No match for the rest of the pattern starting anywhere in the rest
        // of the subject: a longer match for an earlier '*' cannot help either.
        state.skipLongerMatches = true;
        return false;
      }
      case QUESTION:
        si++;
        break;
      case LBRACKET: {
        pi++;
        const not = pi < plen && pattern.charCodeAt(pi) === CARET;
        if (not) pi++;
        let match = false;
        const sc = str.charCodeAt(si);
        for (;;) {
          const c0 = pi < plen ? pattern.charCodeAt(pi) : 0;
          if (c0 === BACKSLASH && plen - pi >= 2) {
            pi++;
            if (pattern.charCodeAt(pi) === sc) match = true;
          } else if (c0 === RBRACKET && pi < plen) {
            break;
          } else if (pi >= plen) {
            // Unterminated class: step back so the caller's pi++ lands on the end.
            pi--;
            break;
          } else if (plen - pi >= 3 && pattern.charCodeAt(pi + 1) === DASH) {
            let start = signedChar(c0);
            let end = signedChar(pattern.charCodeAt(pi + 2));
            let c = signedChar(sc);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            pi += 2;
            if (c >= start && c <= end) match = true;
          } else if (!nocase) {
            if (c0 === sc) match = true;
          } else if (lower(c0) === lower(sc)) {
            match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        break;
      }
      case BACKSLASH:
      default: {
        if (pc === BACKSLASH && plen - pi >= 2) pi++;
        const p0 = pattern.charCodeAt(pi);
        const s0 = str.charCodeAt(si);
        if (nocase ? lower(p0) !== lower(s0) : p0 !== s0) return false;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && pattern.charCodeAt(pi) === STAR) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}

/**
 * Does `str` match the glob `pattern`? Exactly Redis 7.0's
 * stringmatchlen(pattern, str, nocase). Never exponential.
 */
export function stringMatch(pattern: string, str: string, nocase = false): boolean {
  return matchImpl(pattern, 0, str, 0, nocase, { skipLongerMatches: false }, 0);
}

/** True when the pattern has none of the characters the matcher interprets. */
function isLiteral(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QUESTION || c === LBRACKET || c === BACKSLASH) return false;
  }
  return true;
}

function lowerAscii(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(lower(s.charCodeAt(i)));
  return out;
}

/** `a` (already ASCII-lowercased) equals `b` at offset `at`, folding ASCII case. */
function foldedEqualAt(loweredNeedle: string, hay: string, at: number): boolean {
  for (let i = 0; i < loweredNeedle.length; i++) {
    if (loweredNeedle.charCodeAt(i) !== lower(hay.charCodeAt(at + i))) return false;
  }
  return true;
}

/**
 * Compile a pattern once for a hot loop (KEYS, SCAN MATCH, pub/sub delivery).
 * The returned predicate answers like stringMatch(pattern, s, nocase), with
 * one deliberate difference: the bare pattern `*` matches every subject,
 * including "" (Redis's KEYS and SCAN never call the matcher for `*`, so
 * `KEYS *` returns the empty key while stringmatchlen("*", "") is false; a
 * caller that needs the raw matcher's answer for "" uses stringMatch()).
 * Fast paths: `*`, literal (equality), `prefix*`, `*suffix`, `*infix*`.
 */
export function compileMatcher(pattern: string, nocase = false): (s: string) => boolean {
  if (pattern === '*') return () => true;

  // Only stars (length >= 2): any non-empty subject.
  let stars = 0;
  while (stars < pattern.length && pattern.charCodeAt(stars) === STAR) stars++;
  if (stars === pattern.length && stars > 0) return (s) => s.length > 0;

  let trailing = 0;
  while (trailing < pattern.length - stars && pattern.charCodeAt(pattern.length - 1 - trailing) === STAR) trailing++;
  const core = pattern.slice(stars, pattern.length - trailing);
  // A backslash right before the trailing stars would escape one of them.
  if (isLiteral(core)) {
    if (!nocase) {
      if (stars === 0 && trailing === 0) return (s) => s === core;
      if (stars === 0) return (s) => s.startsWith(core);
      if (trailing === 0) return (s) => s.endsWith(core);
      return (s) => s.includes(core);
    }
    const lc = lowerAscii(core);
    const n = lc.length;
    if (stars === 0 && trailing === 0) return (s) => s.length === n && foldedEqualAt(lc, s, 0);
    if (stars === 0) return (s) => s.length >= n && foldedEqualAt(lc, s, 0);
    if (trailing === 0) return (s) => s.length >= n && foldedEqualAt(lc, s, s.length - n);
    return (s) => {
      // `*x*` needs a non-empty subject even when x is "" (handled above: only stars).
      for (let i = 0; i + n <= s.length; i++) if (foldedEqualAt(lc, s, i)) return true;
      return false;
    };
  }
  return (s) => stringMatch(pattern, s, nocase);
}
