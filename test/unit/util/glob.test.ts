/* stringMatch / compileMatcher against what redis-server 7.0.15 answered.
 *
 * OBSERVED was recorded by loading KEYS_SET into a real redis-server 7.0.15
 * (one SET per key) and running `KEYS <pattern>` for every pattern; the
 * expectation is the set of keys Redis returned. The same recording run also
 * compared 6000 random patterns (alphabet a b A * ? [ ] ^ - \ z \xff \x01 h l
 * o : \x00) with 0 mismatches; those are not repeated here. Keys and patterns
 * are latin1 strings (one char per byte), as the server stores them.
 */
import { describe, expect, it } from 'vitest';
import { compileMatcher, stringMatch } from '../../../src/util/glob.js';

// prettier-ignore
const KEYS_SET = ['', 'a', 'b', 'A', 'ab', 'abc', 'aBc', 'ABC', 'abcabc', 'a*b', 'a?b', 'a[b', 'a]b', 'a\\b', 'a-b', 'a^b', ']', '[', '\\', '^', '-', '*', '?',
  'hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'Hello', 'hbllo', 'hcllo', 'foo:bar', 'foo:baz:1', 'foo', 'fo', 'x\x00y', '\x00', '\xff', '\x80', '\x7f',
  '\xe9', '\xc9', '\x01', 'z', 'Z', '_', '`', 'aaaa', 'aaab', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'ba', 'user:1', 'user:10', 'user:2:name', 'a.b', 'a b',
  'ab]', 'b-', '[a]', '[ab'];

type Expected = string[] | { allBut: string[] };

// pattern -> keys `KEYS pattern` returned (or all keys but these)
// prettier-ignore
const OBSERVED: Array<[string, Expected]> = [
  ['*', { allBut: [] }],
  ['**', { allBut: [''] }],
  ['', ['']],
  ['?', ['\x00', '\x01', '*', '-', '?', 'A', 'Z', '[', '\\', ']', '^', '_', '`', 'a', 'b', 'z', '\x7f', '\x80', '\xc9', '\xe9', '\xff']],
  ['??', ['ab', 'b-', 'ba', 'fo']],
  ['???', ['ABC', '[a]', '[ab', 'a b', 'a*b', 'a-b', 'a.b', 'a?b', 'aBc', 'a[b', 'a\\b', 'a]b', 'a^b', 'ab]', 'abc', 'foo', 'x\x00y']],
  ['a*', ['a', 'a b', 'a*b', 'a-b', 'a.b', 'a?b', 'aBc', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab', 'ab]', 'abc', 'abcabc']],
  ['*a', ['a', 'aaaa', 'ba']],
  ['*a*', ['[a]', '[ab', 'a', 'a b', 'a*b', 'a-b', 'a.b', 'a?b', 'aBc', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab', 'ab]', 'abc', 'abcabc', 'ba', 'foo:bar', 'foo:baz:1', 'hallo', 'user:2:name']],
  ['a*b', ['a b', 'a*b', 'a-b', 'a.b', 'a?b', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab']],
  ['a?b', ['a b', 'a*b', 'a-b', 'a.b', 'a?b', 'a[b', 'a\\b', 'a]b', 'a^b']],
  ['h?llo', ['hallo', 'hbllo', 'hcllo', 'hello', 'hxllo']],
  ['h*llo', ['hallo', 'hbllo', 'hcllo', 'heeeello', 'hello', 'hllo', 'hxllo']],
  ['h[ae]llo', ['hallo', 'hello']],
  ['h[^e]llo', ['hallo', 'hbllo', 'hcllo', 'hxllo']],
  ['h[a-b]llo', ['hallo', 'hbllo']],
  ['h[b-a]llo', ['hallo', 'hbllo']],
  ['h[^a-b]llo', ['hcllo', 'hello', 'hxllo']],
  ['[', []],
  ['[a', ['a']],
  ['a[', []],
  ['[]', []],
  ['[]]', []],
  ['[^]', ['\x00', '\x01', '*', '-', '?', 'A', 'Z', '[', '\\', ']', '^', '_', '`', 'a', 'b', 'z', '\x7f', '\x80', '\xc9', '\xe9', '\xff']],
  ['[^]]', []],
  ['[^', ['\x00', '\x01', '*', '-', '?', 'A', 'Z', '[', '\\', ']', '^', '_', '`', 'a', 'b', 'z', '\x7f', '\x80', '\xc9', '\xe9', '\xff']],
  ['[a-]', [']', '^', '_', '`', 'a']],
  ['[-a]', ['-', 'a']],
  ['[a-', ['-', 'a']],
  ['[\\]]', [']']],
  ['[\\', ['\\']],
  ['\\', ['\\']],
  ['\\\\', ['\\']],
  ['\\*', ['*']],
  ['\\?', ['?']],
  ['a\\*b', ['a*b']],
  ['a\\?b', ['a?b']],
  ['a\\[b', ['a[b']],
  ['a[[]b', ['a[b']],
  ['a[]]b', []],
  ['a[*]b', ['a*b']],
  ['a[?]b', ['a?b']],
  ['[a-z]', ['a', 'b', 'z']],
  ['[A-Z]', ['A', 'Z']],
  ['[a-Z]', ['Z', '[', '\\', ']', '^', '_', '`', 'a']],
  ['[Z-a]', ['Z', '[', '\\', ']', '^', '_', '`', 'a']],
  ['[\\x00-\\x7f]', ['?', 'A', 'Z', '[', '\\']],
  ['[\x01-\xff]', ['\x00', '\x01', '\xff']],
  ['[\xff-\x01]', ['\x00', '\x01', '\xff']],
  ['[\x80-\xff]', ['\x80', '\xc9', '\xe9', '\xff']],
  ['[\x00-\x7f]', ['\x00', '\x01', '*', '-', '?', 'A', 'Z', '[', '\\', ']', '^', '_', '`', 'a', 'b', 'z', '\x7f']],
  ['\xe9', ['\xe9']],
  ['[\xc9]', ['\xc9']],
  ['?\x00?', ['x\x00y']],
  ['x*', ['x\x00y']],
  ['x?y', ['x\x00y']],
  ['foo:*', ['foo:bar', 'foo:baz:1']],
  ['foo:*:*', ['foo:baz:1']],
  ['user:?', ['user:1']],
  ['user:*', ['user:1', 'user:10', 'user:2:name']],
  ['user:[0-9]*', ['user:1', 'user:10', 'user:2:name']],
  ['*:*', ['foo:bar', 'foo:baz:1', 'user:1', 'user:10', 'user:2:name']],
  ['*:', []],
  [':*', []],
  ['a*a*a*a*a*a*a*a*a*a*b', ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaab']],
  ['a*a*a*a*a*a*a*a*a*a*c', []],
  ['*b', ['[ab', 'a b', 'a*b', 'a-b', 'a.b', 'a?b', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab', 'b']],
  ['*[b]', ['[ab', 'a b', 'a*b', 'a-b', 'a.b', 'a?b', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab', 'b']],
  ['*[^b]', { allBut: ['', 'b', 'ab', 'a*b', 'a?b', 'a[b', 'a]b', 'a\\b', 'a-b', 'a^b', 'aaab', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'a.b', 'a b', '[ab'] }],
  ['*\\', ['\\']],
  ['*\\\\', ['\\']],
  ['a**b', ['a b', 'a*b', 'a-b', 'a.b', 'a?b', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab']],
  ['a*?', ['a b', 'a*b', 'a-b', 'a.b', 'a?b', 'aBc', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab', 'ab]', 'abc', 'abcabc']],
  ['a?*', ['a b', 'a*b', 'a-b', 'a.b', 'a?b', 'aBc', 'a[b', 'a\\b', 'a]b', 'a^b', 'aaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab', 'aaab', 'ab', 'ab]', 'abc', 'abcabc']],
  ['*?', { allBut: [''] }],
  ['?*', { allBut: [''] }],
  ['*?*', { allBut: [''] }],
  ['[abc]', ['a', 'b']],
  ['[abc][abc]', ['ab', 'ba']],
  ['[^abc]', ['\x00', '\x01', '*', '-', '?', 'A', 'Z', '[', '\\', ']', '^', '_', '`', 'z', '\x7f', '\x80', '\xc9', '\xe9', '\xff']],
  ['[]a]', []],
  ['[a]]', []],
  ['a[b-]', ['ab']],
  ['ab[]]', []],
  ['ab[', []],
  ['ab\\', []],
  ['ab]', ['ab]']],
  ['*]', ['[a]', ']', 'ab]']],
  ['[[]', ['[']],
  ['[[]a]', ['[a]']],
  ['^', ['^']],
  ['[\\^]', ['^']],
  ['[\\-]', ['-']],
  ['-', ['-']],
  ['[--]', ['-', '?', 'A', 'Z', '[', '\\', ']']],
  ['[!a]', ['a']],
  ['A*', ['A', 'ABC']],
  ['a*C', []],
  ['aBc', ['aBc']],
  ['*B*', ['ABC', 'aBc']],
  ['[B]*', []],
  ['HELLO', []],
  ['hello*', ['hello']],
  ['*llo', ['Hello', 'hallo', 'hbllo', 'hcllo', 'heeeello', 'hello', 'hllo', 'hxllo']],
  ['h*l*o', ['hallo', 'hbllo', 'hcllo', 'heeeello', 'hello', 'hllo', 'hxllo']],
  ['*e*e*e*', ['heeeello']],
  ['h[^a-z]llo', []],
  ['[a-c]', ['a', 'b']],
  ['[c-a]', ['a', 'b']],
  ['a[^]b', ['a b', 'a*b', 'a-b', 'a.b', 'a?b', 'a[b', 'a\\b', 'a]b', 'a^b']],
  ['a[^]]b', []],
  ['b[-]', ['b-']],
  ['b[^-]', ['ba']],
  ['[a b]', ['a', 'b']],
  ['a b', ['a b']],
  ['a.b', ['a.b']],
  ['a[.]b', ['a.b']],
];

function expectedKeys(e: Expected): string[] {
  const keys = Array.isArray(e) ? e : KEYS_SET.filter((k) => !e.allBut.includes(k));
  return [...keys].sort();
}

/** What KEYS does: a bare `*` short-circuits, anything else asks the matcher. */
function keysLikeRedis(pattern: string): string[] {
  return KEYS_SET.filter((k) => pattern === '*' || stringMatch(pattern, k)).sort();
}

describe('stringMatch', () => {
  it.each(OBSERVED)('KEYS %j returns what redis-server 7.0 returned', (pattern, expected) => {
    expect(keysLikeRedis(pattern)).toEqual(expectedKeys(expected));
  });

  it('needs pattern and subject to run out together (* does not match "")', () => {
    expect(stringMatch('*', '')).toBe(false);
    expect(stringMatch('**', '')).toBe(false);
    expect(stringMatch('', '')).toBe(true);
    expect(stringMatch('', 'a')).toBe(false);
    expect(stringMatch('a*', 'a')).toBe(true);
    expect(stringMatch('a**', 'a')).toBe(true);
  });

  it('treats an unterminated class as running to the end of the pattern', () => {
    expect(stringMatch('[', '[')).toBe(false);
    expect(stringMatch('a[', 'a')).toBe(false);
    expect(stringMatch('[^', 'x')).toBe(true); // empty negated class: any one byte
    expect(stringMatch('[a-', 'a')).toBe(true);
    expect(stringMatch('[a-]', ']')).toBe(true); // the range ]..a
    expect(stringMatch('[a-]', '_')).toBe(true);
    expect(stringMatch('[a-]', '-')).toBe(false);
  });

  it('handles escapes, reversed ranges and negation', () => {
    expect(stringMatch('a\\*b', 'a*b')).toBe(true);
    expect(stringMatch('a\\*b', 'axb')).toBe(false);
    expect(stringMatch('\\', '\\')).toBe(true); // trailing lone backslash is literal
    expect(stringMatch('h[b-a]llo', 'hallo')).toBe(true);
    expect(stringMatch('h[^e]llo', 'hello')).toBe(false);
    expect(stringMatch('h[^e]llo', 'hallo')).toBe(true);
    expect(stringMatch('[\\]]', ']')).toBe(true);
  });

  it('compares range bounds as signed chars, like Redis on x86', () => {
    // \x01-\xff is the range -1..1: only \xff, \x00 and \x01 are in it.
    expect(stringMatch('[\x01-\xff]', '\xff')).toBe(true);
    expect(stringMatch('[\x01-\xff]', '\x01')).toBe(true);
    expect(stringMatch('[\x01-\xff]', 'a')).toBe(false);
    expect(stringMatch('[\x80-\xff]', '\xe9')).toBe(true);
    expect(stringMatch('[\x00-\x7f]', '\x80')).toBe(false);
  });

  it('is binary-safe', () => {
    expect(stringMatch('x?y', 'x\x00y')).toBe(true);
    expect(stringMatch('?\x00?', 'x\x00y')).toBe(true);
    expect(stringMatch('x*', 'x\x00y')).toBe(true);
  });

  it('folds ASCII case only when nocase (as CONFIG GET does)', () => {
    expect(stringMatch('MAXMEM*', 'maxmemory', true)).toBe(true);
    expect(stringMatch('MAXMEM*', 'maxmemory', false)).toBe(false);
    expect(stringMatch('[A-C]*', 'bind', true)).toBe(true);
    expect(stringMatch('h[E]llo', 'hello', true)).toBe(true);
    expect(stringMatch('\xc9', '\xe9', true)).toBe(false); // latin1 É/é are not folded
    // inside a class, an escaped char still compares case-sensitively
    expect(stringMatch('[\\A]', 'a', true)).toBe(false);
  });

  it('is not exponential on a*a*a*...b (skipLongerMatches)', () => {
    const start = performance.now();
    expect(stringMatch('a*'.repeat(30) + 'b', 'a'.repeat(10_000))).toBe(false);
    expect(stringMatch('*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(100_000))).toBe(false);
    expect(stringMatch('a*a*a*a*a*a*a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaab')).toBe(true);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('gives up past 1000 nested stars, exactly where redis-server 7.0.15 does', () => {
    // Observed with KEYS: 'a*' x 1001 matches 'a' x 1001, 'a*' x 1002 does not.
    expect(stringMatch('a*'.repeat(1001), 'a'.repeat(1001))).toBe(true);
    expect(stringMatch('a*'.repeat(1002), 'a'.repeat(1002))).toBe(false);
  });
});

describe('compileMatcher', () => {
  it.each(OBSERVED)('agrees with KEYS for %j', (pattern, expected) => {
    const m = compileMatcher(pattern);
    expect(KEYS_SET.filter((k) => m(k)).sort()).toEqual(expectedKeys(expected));
  });

  it('answers like stringMatch on every fast path, case-sensitive or not', () => {
    const patterns = ['', 'a', 'abc', 'ABC', 'foo*', 'FOO*', '*bar', '*BAR', '*oo*', '*OO*', '**', '***', 'a*', '*a', '*a*', 'user:*', '*:1', 'x\x00y',
      'ab\\*', '*\\*', 'a\\', 'hel?o', '[ab]*', '*\xe9', '*\xc9'];
    const subjects = [...KEYS_SET, 'FOO:BAR', 'Foo', 'fooBAR', 'xfoo', 'ab*', 'ab\\', 'abc*'];
    for (const nocase of [false, true]) {
      for (const p of patterns) {
        const m = compileMatcher(p, nocase);
        for (const s of subjects) {
          expect([p, s, nocase, m(s)]).toEqual([p, s, nocase, stringMatch(p, s, nocase)]);
        }
      }
    }
  });

  it('lets a bare * match everything, the empty key included (KEYS/SCAN semantics)', () => {
    expect(compileMatcher('*')('')).toBe(true);
    expect(compileMatcher('*')('\x00')).toBe(true);
    expect(compileMatcher('**')('')).toBe(false);
  });
});
