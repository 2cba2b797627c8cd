// SORT and SORT_RO against every backend; every expectation was observed on redis-server 7.0.15
// (the redis backend proves it on each run). Sets are hash-ordered in Redis except intsets, so a
// hashtable set is only ever asserted on sorted output. The in-process block at the end checks
// what only Hoard exposes: the canonical mutations SORT ... STORE logs, and that the propagated
// stream of a mixed workload replays into an identical keyspace.
//
// Redis 7.0.15 reads errno after strtod without clearing it, so a weight that overflowed
// ("1e400") makes later SORTs of non-integer weights fail until errno is cleared; every test
// starts by clearing it (a ZADD: string2d sets errno = 0) so the tests do not depend on order.

import { describe, it, expect, afterEach, beforeEach } from 'vitest';
import { commandSuite, type SuiteContext } from '../helpers/suite.js';
import { EventListener, RawConn } from '../helpers/raw-conn.js';
import { inProcess, type Arg, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const SCORE_ERROR = "ERR One or more scores can't be converted into double";
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;
const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';
const lat = (s: string) => Buffer.from(s, 'latin1');
/** A reply of Buffers as latin1 strings (nulls kept). */
const strs = (v: Array<Buffer | null>) => v.map((x) => (x === null ? null : x.toString('latin1')));

/** Clears Redis's errno (see the header) and leaves no key behind. */
function clearErrno(t: SuiteContext): void {
  beforeEach(async () => {
    await t.call('ZADD', 'errno-reset', '1', 'x');
    await t.call('DEL', 'errno-reset');
  });
}

commandSuite('sort: numeric', (t) => {
  clearErrno(t);

  it('sorts a list numerically, ASC by default, DESC on request; the list is unchanged', async () => {
    await t.call('RPUSH', 'l', '3', '1', '2', '10', '-5', '2.5');
    expect(await t.call('SORT', 'l')).toEqual(['-5', '1', '2', '2.5', '3', '10']);
    expect(await t.call('SORT', 'l', 'DESC')).toEqual(['10', '3', '2.5', '2', '1', '-5']);
    expect(await t.call('SORT', 'l', 'desc', 'asc')).toEqual(['-5', '1', '2', '2.5', '3', '10']);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['3', '1', '2', '10', '-5', '2.5']);
    expect(await t.call('SORT_RO', 'l', 'DESC')).toEqual(['10', '3', '2.5', '2', '1', '-5']);
  });

  it('reads weights as strtod does: white space, hex, inf, "" and a NUL-cut string', async () => {
    await t.call('RPUSH', 'l', 'inf', ' 1', '', '0x10', '-inf', '  -3', '+5', '.5', '1e5', lat('7\x00junk'));
    expect(strs(await t.callBuffer('SORT', 'l'))).toEqual(['-inf', '  -3', '', '.5', ' 1', '+5', '7\x00junk', '0x10', '1e5', 'inf']);
  });

  it('BY with LIMIT (the partial quicksort) leaves tied keys where redis-server does', async () => {
    await t.call('RPUSH', 'lnum', '.5', '9007199254740993', '+4', 'inf', '007', '-3', '2', '0x10', '007');
    await t.call('HSET', 'h_inf', 'f', '1.5', 'g', ' 7');
    await t.call('HSET', 'h_007', 'f', '-3', 'g', '9007199254740993');
    await t.call('HSET', 'h_2', 'f', '1e3', 'g', '1');
    expect(await t.call('SORT', 'lnum', 'ALPHA', 'BY', 'h_*->g', 'LIMIT', 0, 1)).toEqual(['-3']);
    expect(await t.call('SORT', 'lnum', 'ALPHA', 'BY', 'h_*->g', 'LIMIT', -1, 1)).toEqual(['-3']);
  });

  it('equal weights compare the elements byte by byte, in both directions', async () => {
    await t.call('RPUSH', 'l', '1.0', '1', '01', '1e0', '0.5');
    expect(await t.call('SORT', 'l')).toEqual(['0.5', '01', '1', '1.0', '1e0']);
    expect(await t.call('SORT', 'l', 'DESC')).toEqual(['1e0', '1.0', '1', '01', '0.5']);
  });

  it('refuses what strtod cannot convert whole, NaN, overflow and an inexact underflow', async () => {
    for (const bad of ['abc', '1 ', 'nan', '1e400', '-1e400', '1e-310', '4.9406564584124654e-324', '0x', ' ']) {
      await t.call('DEL', 'l');
      await t.call('RPUSH', 'l', '1', bad);
      expect([bad, await t.error('SORT', 'l')]).toEqual([bad, SCORE_ERROR]);
      await t.call('ZADD', 'errno-reset', '1', 'x');
    }
  });

  it('accepts an exact subnormal and the smallest normal double', async () => {
    await t.call('RPUSH', 'l', '1', '0x1p-1074', '2.2250738585072014e-308', '0', '-0');
    expect(await t.call('SORT', 'l')).toEqual(['-0', '0', '0x1p-1074', '2.2250738585072014e-308', '1']);
  });

  it('sorts sets (intset and hashtable) and sorted sets by their members', async () => {
    await t.call('SADD', 'si', '5', '-3', '10', '2');
    expect(await t.call('SORT', 'si')).toEqual(['-3', '2', '5', '10']);
    await t.call('SADD', 'sh', '5', '-3', '10', '2', '2.5', '1e1');
    expect(await t.call('SORT', 'sh', 'DESC')).toEqual(['1e1', '10', '5', '2.5', '2', '-3']);
    await t.call('ZADD', 'z', '1', '30', '2', '20', '3', '10');
    expect(await t.call('SORT', 'z')).toEqual(['10', '20', '30']);
    expect(await t.call('SORT_RO', 'z', 'DESC')).toEqual(['30', '20', '10']);
  });

  it('a missing key sorts as an empty list', async () => {
    expect(await t.call('SORT', 'nokey')).toEqual([]);
    expect(await t.call('SORT_RO', 'nokey', 'BY', 'w_*', 'GET', '#', 'LIMIT', '0', '5')).toEqual([]);
  });
});

commandSuite('sort: ALPHA', (t) => {
  clearErrno(t);

  it('compares bytes, unsigned; never parses numbers', async () => {
    await t.call('RPUSH', 'l', 'b', 'a', '10', '9', 'B', lat('\xff'), lat('\x80'), '', 'ab');
    expect(strs(await t.callBuffer('SORT', 'l', 'ALPHA'))).toEqual(['', '10', '9', 'B', 'a', 'ab', 'b', '\x80', '\xff']);
    expect(strs(await t.callBuffer('SORT', 'l', 'alpha', 'desc'))).toEqual(['\xff', '\x80', 'b', 'ab', 'a', 'B', '9', '10', '']);
    await t.call('RPUSH', 'w', 'nan', 'abc');
    expect(await t.call('SORT', 'w', 'ALPHA')).toEqual(['abc', 'nan']);
  });

  it('without STORE compares as strcoll (C locale: up to a NUL byte), ties keep the list order', async () => {
    await t.call('RPUSH', 'l', lat('a\x00c'), lat('a\x00b'), 'a', lat('\xff'), 'b', lat('a\x00a'), '');
    expect(strs(await t.callBuffer('SORT', 'l', 'ALPHA'))).toEqual(['', 'a\x00c', 'a\x00b', 'a', 'a\x00a', 'b', '\xff']);
    // DESC negates the comparison: ties still keep the list order.
    expect(strs(await t.callBuffer('SORT', 'l', 'ALPHA', 'DESC'))).toEqual(['\xff', 'b', 'a\x00c', 'a\x00b', 'a', 'a\x00a', '']);
  });

  it('with STORE compares every byte', async () => {
    await t.call('RPUSH', 'l', lat('a\x00c'), lat('a\x00b'), 'a', lat('\xff'), 'b', lat('a\x00a'), '');
    expect(await t.call('SORT', 'l', 'ALPHA', 'STORE', 'd')).toBe(7);
    expect(strs(await t.callBuffer('LRANGE', 'd', 0, -1))).toEqual(['', 'a', 'a\x00a', 'a\x00b', 'a\x00c', 'b', '\xff']);
  });

  it('sorts hashtable sets and sorted sets', async () => {
    await t.call('SADD', 's', 'pear', 'apple', 'fig', lat('\x00'), '1');
    expect(strs(await t.callBuffer('SORT', 's', 'ALPHA'))).toEqual(['\x00', '1', 'apple', 'fig', 'pear']);
    await t.call('ZADD', 'z', '1', 'c', '2', 'a', '3', 'b');
    expect(await t.call('SORT', 'z', 'ALPHA', 'DESC')).toEqual(['c', 'b', 'a']);
  });
});

commandSuite('sort: LIMIT', (t) => {
  beforeEach(async () => {
    await t.call('RPUSH', 'l', '5', '3', '1', '4', '2');
  });

  it('takes offset and count after sorting', async () => {
    expect(await t.call('SORT', 'l', 'LIMIT', '1', '2')).toEqual(['2', '3']);
    expect(await t.call('SORT', 'l', 'LIMIT', '0', '1', 'DESC')).toEqual(['5']);
    expect(await t.call('SORT', 'l', 'LIMIT', '3', '10')).toEqual(['4', '5']);
    expect(await t.call('SORT', 'l', 'limit', '4', '1')).toEqual(['5']);
  });

  it('clamps like sort.c: negative offset = 0, negative count = all, past the end = nothing', async () => {
    expect(await t.call('SORT', 'l', 'LIMIT', '-3', '2')).toEqual(['1', '2']);
    expect(await t.call('SORT', 'l', 'LIMIT', '2', '-1')).toEqual(['3', '4', '5']);
    expect(await t.call('SORT', 'l', 'LIMIT', '2', '-100')).toEqual(['3', '4', '5']);
    expect(await t.call('SORT', 'l', 'LIMIT', '5', '1')).toEqual([]);
    expect(await t.call('SORT', 'l', 'LIMIT', '0', '0')).toEqual([]);
    expect(await t.call('SORT', 'l', 'LIMIT', I64_MAX, I64_MAX)).toEqual([]);
    expect(await t.call('SORT', 'l', 'LIMIT', I64_MIN, I64_MIN)).toEqual(['1', '2', '3', '4', '5']);
    expect(await t.call('SORT', 'l', 'LIMIT', '1', I64_MAX)).toEqual(['2', '3', '4', '5']);
  });

  it('the last LIMIT wins; a bad number is not-an-integer; a short LIMIT is a syntax error', async () => {
    expect(await t.call('SORT', 'l', 'LIMIT', '1', '1', 'LIMIT', '0', '2')).toEqual(['1', '2']);
    expect(await t.error('SORT', 'l', 'LIMIT', 'a', '1')).toBe(NOT_INTEGER);
    expect(await t.error('SORT', 'l', 'LIMIT', '1', '1.5')).toBe(NOT_INTEGER);
    expect(await t.error('SORT', 'l', 'LIMIT', '9223372036854775808', '1')).toBe(NOT_INTEGER);
    expect(await t.error('SORT', 'l', 'LIMIT', '1')).toBe(SYNTAX);
    expect(await t.error('SORT', 'l', 'LIMIT')).toBe(SYNTAX);
  });

  it('on an empty or missing key', async () => {
    expect(await t.call('SORT', 'nokey', 'LIMIT', '0', '10')).toEqual([]);
    expect(await t.call('SORT', 'nokey', 'LIMIT', '-1', '-1', 'DESC')).toEqual([]);
  });
});

commandSuite('sort: BY', (t) => {
  clearErrno(t);

  beforeEach(async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c', 'd');
    await t.call('MSET', 'w_a', '3', 'w_b', '1', 'w_c', '2');
    await t.call('HSET', 'h_a', 'f', '10', 'n', 'zz');
    await t.call('HSET', 'h_b', 'f', '-1', 'n', 'yy');
    await t.call('HSET', 'h_c', 'n', 'xx');
  });

  it('sorts by the string keys a pattern names; a missing weight is 0', async () => {
    expect(await t.call('SORT', 'l', 'BY', 'w_*')).toEqual(['d', 'b', 'c', 'a']);
    expect(await t.call('SORT', 'l', 'BY', 'w_*', 'DESC')).toEqual(['a', 'c', 'b', 'd']);
    expect(await t.call('SORT', 'l', 'BY', 'w_*', 'LIMIT', '1', '2')).toEqual(['b', 'c']);
  });

  it('sorts by hash fields with ->; a missing field, hash or a wrong type weighs 0', async () => {
    expect(await t.call('SORT', 'l', 'BY', 'h_*->f')).toEqual(['b', 'c', 'd', 'a']);
    expect(await t.call('SORT', 'l', 'BY', 'w_*->f')).toEqual(['a', 'b', 'c', 'd']);
    expect(await t.call('SORT', 'l', 'BY', 'h_*')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ALPHA BY compares the weights; missing weights sort first, ties keep the input order', async () => {
    expect(await t.call('SORT', 'l', 'BY', 'h_*->n', 'ALPHA')).toEqual(['d', 'c', 'b', 'a']);
    expect(await t.call('SORT', 'l', 'BY', 'h_*->n', 'ALPHA', 'DESC')).toEqual(['a', 'b', 'c', 'd']);
    await t.call('MSET', 'k_a', 'x', 'k_b', 'x', 'k_d', 'w');
    expect(await t.call('SORT', 'l', 'BY', 'k_*', 'ALPHA')).toEqual(['c', 'd', 'a', 'b']);
    expect(await t.call('SORT', 'l', 'BY', 'k_*', 'ALPHA', 'DESC')).toEqual(['a', 'b', 'd', 'c']);
  });

  it('a weight that does not convert fails the whole SORT', async () => {
    await t.call('SET', 'w_d', 'oops');
    expect(await t.error('SORT', 'l', 'BY', 'w_*')).toBe(SCORE_ERROR);
    expect(await t.call('SORT', 'l', 'BY', 'w_*', 'ALPHA')).toEqual(['b', 'c', 'a', 'd']);
  });

  it('the pattern is built byte for byte around the first *', async () => {
    await t.call('DEL', 'l');
    await t.call('RPUSH', 'l', lat('\x00'), lat('\xff'), 'x');
    await t.call('SET', lat('p\x00:s'), '2');
    await t.call('SET', lat('p\xff:s'), '1');
    await t.call('SET', 'px:s', '3');
    expect(strs(await t.callBuffer('SORT', 'l', 'BY', 'p*:s'))).toEqual(['\xff', '\x00', 'x']);
    // Only the first * is substituted.
    await t.call('SET', 'x*', '-1');
    expect(strs(await t.callBuffer('SORT', 'l', 'BY', '**'))).toEqual(['x', '\x00', '\xff']);
  });

  it('BY nosort (no *) keeps a list in its order; DESC reverses it; LIMIT takes a range of that', async () => {
    expect(await t.call('SORT', 'l', 'BY', 'nosort')).toEqual(['a', 'b', 'c', 'd']);
    expect(await t.call('SORT', 'l', 'BY', 'nosort', 'DESC')).toEqual(['d', 'c', 'b', 'a']);
    expect(await t.call('SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['c', 'b']);
    expect(await t.call('SORT', 'l', 'BY', 'nosort', 'LIMIT', '3', '5')).toEqual(['d']);
    // '#' and a * after a NUL byte are no * either; a later BY with * does not undo nosort.
    expect(await t.call('SORT', 'l', 'BY', '#', 'DESC')).toEqual(['d', 'c', 'b', 'a']);
    expect(await t.call('SORT', 'l', 'BY', lat('w_\x00*'))).toEqual(['a', 'b', 'c', 'd']);
    expect(await t.call('SORT', 'l', 'BY', 'nosort', 'BY', 'w_*')).toEqual(['a', 'b', 'c', 'd']);
    expect(await t.call('SORT', 'l', 'BY', 'w_*', 'BY', 'nosort')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('BY nosort keeps a sorted set in score order; DESC and LIMIT count ranks from the end', async () => {
    await t.call('ZADD', 'z', '1', 'e', '2', 'd', '3', 'c', '4', 'b', '5', 'a');
    expect(await t.call('SORT', 'z', 'BY', 'nosort')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await t.call('SORT', 'z', 'BY', 'nosort', 'DESC')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await t.call('SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '2')).toEqual(['d', 'c']);
    expect(await t.call('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(['b', 'c']);
    expect(await t.call('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '3', '10')).toEqual(['d', 'e']);
    expect(await t.call('SORT', 'z', 'BY', 'nosort', 'LIMIT', '5', '1')).toEqual([]);
    expect(await t.call('SORT', 'z', 'BY', 'nosort', 'LIMIT', '-1', '2', 'GET', '#', 'GET', 'w_*')).toEqual(['e', null, 'd', null]);
  });

  it('BY nosort on an intset answers its numeric order; with STORE a set is sorted ALPHA', async () => {
    await t.call('SADD', 's', '5', '-3', '10', '2');
    expect(await t.call('SORT', 's', 'BY', 'nosort')).toEqual(['-3', '2', '5', '10']);
    expect(await t.call('SORT', 's', 'BY', 'nosort', 'DESC')).toEqual(['-3', '2', '5', '10']);
    expect(await t.call('SORT', 's', 'BY', 'nosort', 'STORE', 'd')).toBe(4);
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['-3', '10', '2', '5']);
    expect(await t.call('SORT', 's', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2', 'STORE', 'd')).toBe(2);
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['2', '10']);
    await t.call('SADD', 'hs', 'pear', 'apple', 'fig');
    expect((await t.call('SORT', 'hs', 'BY', 'nosort')).sort()).toEqual(['apple', 'fig', 'pear']);
    expect(await t.call('SORT', 'hs', 'BY', 'nosort', 'STORE', 'd')).toBe(3);
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['apple', 'fig', 'pear']);
  });

  it('BY weights on sets and sorted sets', async () => {
    await t.call('SADD', 's', 'a', 'b', 'c', 'd');
    expect(await t.call('SORT', 's', 'BY', 'w_*')).toEqual(['d', 'b', 'c', 'a']);
    await t.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    expect(await t.call('SORT', 'z', 'BY', 'w_*', 'DESC')).toEqual(['a', 'c', 'b']);
    expect(await t.call('SORT', 'z', 'BY', 'h_*->n', 'ALPHA', 'LIMIT', '0', '1')).toEqual(['c']);
  });
});

commandSuite('sort: GET', (t) => {
  beforeEach(async () => {
    await t.call('RPUSH', 'l', '2', '1', '3');
    await t.call('MSET', 'v_1', 'one', 'v_2', 'two');
    await t.call('HSET', 'h_1', 'name', 'uno', 'n', '1');
    await t.call('HSET', 'h_3', 'name', 'tres');
  });

  it('GET # is the element; GET patterns read strings and hash fields; missing ones are nil', async () => {
    expect(await t.call('SORT', 'l', 'GET', 'v_*')).toEqual(['one', 'two', null]);
    expect(await t.call('SORT', 'l', 'GET', '#', 'GET', 'v_*', 'GET', 'h_*->name')).toEqual(['1', 'one', 'uno', '2', 'two', null, '3', null, 'tres']);
    expect(await t.call('SORT', 'l', 'GET', 'h_*->n', 'DESC', 'LIMIT', '0', '2')).toEqual([null, null]);
    // Wrong types are nil: a hash read as a string, a string read as a hash.
    expect(await t.call('SORT', 'l', 'GET', 'h_*', 'GET', 'v_*->x')).toEqual([null, null, null, null, null, null]);
  });

  it('a pattern without * gives nil for every element; "#" followed by a NUL is still "#"', async () => {
    expect(await t.call('SORT', 'l', 'GET', 'v_1')).toEqual([null, null, null]);
    expect(await t.call('SORT', 'l', 'GET', lat('#\x00x'))).toEqual(['1', '2', '3']);
    expect(await t.call('SORT', 'l', 'GET', '#x')).toEqual([null, null, null]);
  });

  it('"->" counts only after the *, with a byte after it; the field keeps every byte', async () => {
    await t.call('DEL', 'l');
    await t.call('RPUSH', 'l', '1', '2');
    await t.call('HSET', 'h1', lat('f\x00x'), 'H1');
    await t.call('HSET', 'h2', 'f', 'H2', 'g->h', 'deep');
    await t.call('SET', 'h1->', 'K1');
    await t.call('SET', lat('h2->\x00q'), 'K2');
    await t.call('SET', 'a->b1', 'arrow-in-prefix');
    expect(await t.call('SORT', 'l', 'GET', lat('h*->f\x00x'), 'GET', 'h*->f', 'GET', 'h*->', 'GET', lat('h*->\x00q'))).toEqual([
      'H1',
      null,
      'K1',
      null,
      null,
      'H2',
      null,
      'K2',
    ]);
    expect(await t.call('SORT', 'l', 'GET', 'h*->g->h', 'GET', 'a->b*')).toEqual([null, 'arrow-in-prefix', 'deep', null]);
  });

  it('GET is binary-safe', async () => {
    await t.call('DEL', 'l');
    await t.call('RPUSH', 'l', lat('\x00\xff'), 'b');
    await t.call('SET', lat('v_\x00\xff'), lat('\r\n\x00'));
    expect(strs(await t.callBuffer('SORT', 'l', 'ALPHA', 'GET', 'v_*', 'GET', '#'))).toEqual(['\r\n\x00', '\x00\xff', null, 'b']);
  });
});

commandSuite('sort: STORE', (t) => {
  clearErrno(t);

  it('stores the result as a list and replies its length', async () => {
    await t.call('RPUSH', 'l', '3', '1', '2');
    expect(await t.call('SORT', 'l', 'STORE', 'd')).toBe(3);
    expect(await t.call('TYPE', 'd')).toBe('list');
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['1', '2', '3']);
    expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('quicklist');
    expect(await t.call('SORT', 'l', 'DESC', 'LIMIT', '0', '2', 'STORE', 'd')).toBe(2);
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['3', '2']);
  });

  it('stores GET rows flat, a missing value as ""; the count counts them', async () => {
    await t.call('RPUSH', 'l', '2', '1');
    await t.call('SET', 'v_1', 'one');
    expect(await t.call('SORT', 'l', 'GET', '#', 'GET', 'v_*', 'STORE', 'd')).toBe(4);
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['1', 'one', '2', '']);
  });

  it('replaces any type and drops the TTL; the last STORE wins; the source may be the destination', async () => {
    await t.call('RPUSH', 'l', 'b', 'a');
    await t.call('SET', 'd', 'x', 'EX', '100');
    expect(await t.call('SORT', 'l', 'ALPHA', 'STORE', 'x', 'STORE', 'd')).toBe(2);
    expect(await t.call('EXISTS', 'x')).toBe(0);
    expect(await t.call('TTL', 'd')).toBe(-1);
    expect(await t.call('LRANGE', 'd', 0, -1)).toEqual(['a', 'b']);
    await t.call('ZADD', 'z', '1', 'm');
    expect(await t.call('SORT', 'l', 'BY', 'nosort', 'STORE', 'z')).toBe(2);
    expect(await t.call('LRANGE', 'z', 0, -1)).toEqual(['b', 'a']);
    expect(await t.call('SORT', 'l', 'ALPHA', 'STORE', 'l')).toBe(2);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a', 'b']);
  });

  it('an empty result deletes the destination and replies 0', async () => {
    await t.call('SET', 'd', 'x');
    expect(await t.call('SORT', 'nokey', 'STORE', 'd')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    await t.call('RPUSH', 'l', '1');
    await t.call('SET', 'd', 'x');
    expect(await t.call('SORT', 'l', 'LIMIT', '1', '1', 'STORE', 'd')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    expect(await t.call('SORT', 'nokey', 'STORE', 'd')).toBe(0);
  });

  it('an error stores nothing', async () => {
    await t.call('RPUSH', 'l', '1', 'x');
    await t.call('SET', 'd', 'keep');
    expect(await t.error('SORT', 'l', 'STORE', 'd')).toBe(SCORE_ERROR);
    expect(await t.call('GET', 'd')).toBe('keep');
    await t.call('SET', 's', 'str');
    expect(await t.error('SORT', 's', 'STORE', 'd')).toBe(WRONGTYPE);
    expect(await t.call('GET', 'd')).toBe('keep');
  });

  it('stores binary-safe values', async () => {
    await t.call('SADD', 's', lat('\x00'), lat('\xff\r\n'), 'a');
    expect(await t.call('SORT', 's', 'ALPHA', 'STORE', 'd')).toBe(3);
    expect(strs(await t.callBuffer('LRANGE', 'd', 0, -1))).toEqual(['\x00', 'a', '\xff\r\n']);
  });

  it('publishes sortstore, or del when an empty result removed the destination', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Egl');
    try {
      const sub = await EventListener.open(t);
      await sub.subscribe('__keyevent@0__:*');
      await t.call('RPUSH', 'l', '1');
      await t.call('SORT', 'l', 'STORE', 'd');
      await t.call('SORT', 'nokey', 'STORE', 'd');
      await t.call('SORT', 'nokey', 'STORE', 'd');
      await t.call('SORT', 'l');
      expect(await sub.drain()).toEqual(['__keyevent@0__:rpush l', '__keyevent@0__:sortstore d', '__keyevent@0__:del d']);
      sub.close();
    } finally {
      await t.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });
});

commandSuite('sort: errors, arity and keys', (t) => {
  it('WRONGTYPE for strings and hashes, after the options are parsed', async () => {
    await t.call('SET', 's', 'x');
    await t.call('HSET', 'h', 'f', 'v');
    expect(await t.error('SORT', 's')).toBe(WRONGTYPE);
    expect(await t.error('SORT_RO', 'h', 'ALPHA')).toBe(WRONGTYPE);
    expect(await t.error('SORT', 's', 'foo')).toBe(SYNTAX);
    expect(await t.error('SORT', 's', 'LIMIT', 'x', '1')).toBe(NOT_INTEGER);
  });

  it('syntax errors: unknown options and options missing their argument', async () => {
    await t.call('RPUSH', 'l', '1');
    for (const tail of [['foo'], ['BY'], ['GET'], ['STORE'], ['LIMIT', '1'], ['LIMIT', '1', '2', '3'], ['ALPHA', 'DESC', 'x']]) {
      expect([tail, await t.error('SORT', 'l', ...tail)]).toEqual([tail, SYNTAX]);
    }
    // Options are matched case-insensitively, as C strings (up to a NUL byte).
    expect(await t.call('SORT', 'l', 'Desc', 'aLpHa', 'LiMiT', '0', '1')).toEqual(['1']);
    expect(await t.call('SORT', 'l', lat('desc\x00junk'))).toEqual(['1']);
  });

  it('SORT_RO has no STORE', async () => {
    await t.call('RPUSH', 'l', '1');
    expect(await t.error('SORT_RO', 'l', 'STORE', 'd')).toBe(SYNTAX);
    expect(await t.error('SORT_RO', 'nokey', 'STORE', 'd')).toBe(SYNTAX);
    expect(await t.call('EXISTS', 'd')).toBe(0);
  });

  it('wrong number of arguments', async () => {
    expect(await t.error('SORT')).toBe(arity('sort'));
    expect(await t.error('SORT_RO')).toBe(arity('sort_ro'));
  });

  it('COMMAND GETKEYS names the sorted key and the last STORE destination', async () => {
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a')).toEqual(['a']);
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE', 'b')).toEqual(['a', 'b']);
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a', 'BY', 'x', 'GET', 'y', 'STORE', 'b', 'STORE', 'c')).toEqual(['a', 'c']);
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a', 'LIMIT', '0', '1', 'store', 'b', 'ALPHA')).toEqual(['a', 'b']);
    // Like Redis, options' arguments are skipped by count and STORE's is not: "GET store".
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a', 'GET', 'STORE', 'x')).toEqual(['a']);
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE', 'LIMIT', '1', '2')).toEqual(['a', 'LIMIT']);
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE')).toEqual(['a']);
    expect(await t.call('COMMAND', 'GETKEYS', 'SORT_RO', 'a', 'STORE', 'b')).toEqual(['a']);
  });

  it('COMMAND INFO: arity, flags, key range and ACL categories', async () => {
    const info = (await t.call('COMMAND', 'INFO', 'sort', 'sort_ro')) as unknown[][];
    expect(info.map((i) => i.slice(0, 7))).toEqual([
      ['sort', -2, ['write', 'denyoom', 'movablekeys'], 1, 1, 1, ['@write', '@set', '@sortedset', '@list', '@slow', '@dangerous']],
      ['sort_ro', -2, ['readonly', 'movablekeys'], 1, 1, 1, ['@read', '@set', '@sortedset', '@list', '@slow', '@dangerous']],
    ]);
  });

  it('SORT converts a listpack sorted set to a skiplist for good', async () => {
    await t.call('ZADD', 'z', '1', 'a', '2', 'b');
    expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    expect(await t.call('SORT_RO', 'z', 'ALPHA')).toEqual(['a', 'b']);
    expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('skiplist');
    expect(await t.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')).toEqual(['a', '1', 'b', '2']);
    await t.call('ZADD', 'y', '1', 'a');
    await t.call('EXPIRE', 'y', '100');
    expect(await t.call('SORT', 'y', 'BY', 'nosort')).toEqual(['a']);
    expect(await t.call('OBJECT', 'ENCODING', 'y')).toBe('skiplist');
    expect(await t.call('TTL', 'y')).toBeGreaterThan(0);
  });

  it('inside MULTI', async () => {
    await t.call('RPUSH', 'l', '2', '1');
    const c = await t.connect();
    try {
      expect(await c.call('MULTI')).toBe('OK');
      expect(await c.call('SORT', 'l', 'STORE', 'd')).toBe('QUEUED');
      expect(await c.call('LRANGE', 'd', '0', '-1')).toBe('QUEUED');
      expect(await c.call('EXEC')).toEqual([2, ['1', '2']]);
    } finally {
      await c.close();
    }
  });
});

// ---- in-process only ------------------------------------------------------------------------

describe('sort: in-process', () => {
  let backend: Backend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it('RESP3: a missing GET is a RESP3 null', async () => {
    backend = await inProcess();
    const c = new RawConn(backend);
    await c.send('HELLO', '3');
    await c.send('RPUSH', 'l', '1');
    expect(await c.send('SORT', 'l', 'GET', '#', 'GET', 'x*')).toBe('*2\r\n$1\r\n1\r\n_\r\n');
  });

  it('propagates STORE as [DEL dst] + RPUSH batches, and nothing for reads', async () => {
    backend = await inProcess();
    const seen: string[][] = [];
    backend.server!.log.addObserver((_db, argv) => seen.push([...argv]));
    const c = new RawConn(backend);
    const expectLog = async (args: Arg[], want: string[][]) => {
      seen.length = 0;
      await c.send(...args);
      expect([args, seen]).toEqual([args, want]);
    };
    await c.send('RPUSH', 'l', '3', '1', '2');
    await expectLog(['SORT', 'l'], []);
    await expectLog(['SORT_RO', 'l', 'GET', '#'], []);
    await expectLog(['SORT', 'l', 'STORE', 'd'], [['RPUSH', 'd', '1', '2', '3']]);
    await expectLog(['SORT', 'l', 'DESC', 'STORE', 'd'], [['DEL', 'd'], ['RPUSH', 'd', '3', '2', '1']]);
    await expectLog(['SORT', 'l', 'LIMIT', '5', '1', 'STORE', 'd'], [['DEL', 'd']]);
    await expectLog(['SORT', 'l', 'LIMIT', '5', '1', 'STORE', 'd'], []);
    await expectLog(['SORT', 'l', 'GET', 'nope*', 'STORE', 'd'], [['RPUSH', 'd', '', '', '']]);
    await expectLog(['SORT', 'x', 'STORE', 'd'], [['DEL', 'd']]);
    await c.send('RPUSH', 'x', 'a');
    await expectLog(['SORT', 'x', 'STORE', 'd'], []);
    // A big result: 1024 elements per RPUSH.
    const many = Array.from({ length: 2500 }, (_, i) => String(i));
    await c.send('RPUSH', 'big', ...many);
    seen.length = 0;
    await c.send('SORT', 'big', 'STORE', 'd');
    expect(seen.map((a) => [a[0], a.length - 2])).toEqual([
      ['RPUSH', 1024],
      ['RPUSH', 1024],
      ['RPUSH', 452],
    ]);
    expect(seen.flatMap((a) => a.slice(2))).toEqual(many);
  });

  it('replaying the propagated stream of a mixed workload gives the same keyspace', async () => {
    backend = await inProcess();
    const log: Array<{ db: number; argv: string[] }> = [];
    backend.server!.log.addObserver((db, argv) => log.push({ db, argv: [...argv] }));
    const c = new RawConn(backend);

    const rnd = mulberry32(0x5027);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const keys = ['l0', 'l1', 's0', 's1', 'z0', 'd0', 'd1', Buffer.from([0, 0xff, 0x0d]).toString('latin1')];
    const vals = ['1', '2', '-3', '10', '1.5', 'a', 'b', '', '\x00\xff', 'zz', '7', '0x10'];
    const key = () => pick(keys);
    const val = () => pick(vals);
    const n = () => String(Math.floor(rnd() * 8) - 2);
    const sortOpts = (): string[] => {
      const o: string[] = [];
      if (rnd() < 0.5) o.push('ALPHA');
      if (rnd() < 0.3) o.push('DESC');
      if (rnd() < 0.3) o.push('BY', pick(['w_*', 'nosort', 'h_*->f']));
      if (rnd() < 0.3) o.push('LIMIT', n(), n());
      if (rnd() < 0.3) o.push('GET', pick(['#', 'w_*', 'h_*->f']));
      return o;
    };
    const ops: Array<() => string[]> = [
      () => ['RPUSH', key(), val(), val()],
      () => ['LPOP', key()],
      () => ['SADD', key(), val(), val(), val()],
      () => ['SREM', key(), val()],
      () => ['ZADD', key(), n(), val()],
      () => ['SET', 'w_' + val(), pick(['1', '2', '-1', '0.5', 'x'])],
      () => ['HSET', 'h_' + val(), 'f', val()],
      () => ['SET', key(), val()],
      () => ['DEL', key()],
      () => ['EXPIRE', key(), '1000'],
      () => ['SORT', key(), ...sortOpts(), 'STORE', key()],
      () => ['SORT', key(), ...sortOpts(), 'STORE', key()],
      () => ['SORT', key(), ...sortOpts()],
      () => ['SORT_RO', key(), ...sortOpts()],
      () => ['SELECT', pick(['0', '0', '0', '1'])],
    ];
    let stores = 0;
    for (let i = 0; i < 3000; i++) {
      const argv = pick(ops)();
      const reply = await c.send(...argv.map(lat));
      if (argv[0] === 'SORT' && argv.includes('STORE') && reply.startsWith(':') && reply !== ':0\r\n') stores++;
    }
    expect(stores).toBeGreaterThan(100);
    expect(log.length).toBeGreaterThan(1000);

    const replica = await inProcess();
    try {
      const r = new RawConn(replica);
      let db = 0;
      for (const m of log) {
        if (m.db !== db) {
          expect(await r.send('SELECT', String(m.db))).toBe('+OK\r\n');
          db = m.db;
        }
        const reply = await r.send(...m.argv.map(lat));
        expect([m.argv, reply.startsWith('-')]).toEqual([m.argv, false]);
      }
      const dump = async (conn: RawConn, dbi: number) => {
        await conn.send('SELECT', String(dbi));
        const out: Record<string, string> = {};
        const ks = (await conn.send('KEYS', '*')).split('\r\n');
        for (let i = 2; i < ks.length; i += 2) {
          const k = ks[i];
          if (k === undefined || k === '') continue;
          const type = (await conn.send('TYPE', lat(k))).trim();
          let v: string;
          if (type === '+list') v = await conn.send('LRANGE', lat(k), '0', '-1');
          else if (type === '+set') v = await conn.send('SORT', lat(k), 'ALPHA', 'STORE', '{tmp}');
          else if (type === '+zset') v = await conn.send('ZRANGE', lat(k), '0', '-1', 'WITHSCORES');
          else if (type === '+hash') v = await conn.send('HGETALL', lat(k));
          else v = await conn.send('GET', lat(k));
          if (type === '+set') {
            v = await conn.send('LRANGE', '{tmp}', '0', '-1');
            await conn.send('DEL', '{tmp}');
          }
          const volatile = (await conn.send('TTL', lat(k))) !== ':-1\r\n';
          out[k] = `${type} ${v} ${volatile ? 'volatile' : 'persistent'}`;
        }
        return out;
      };
      let compared = 0;
      for (let dbi = 0; dbi < 2; dbi++) {
        const a = await dump(c, dbi);
        const b = await dump(r, dbi);
        expect(b).toEqual(a);
        compared += Object.keys(a).length;
      }
      expect(compared).toBeGreaterThan(5);
    } finally {
      await replica.close();
    }
  });
});
