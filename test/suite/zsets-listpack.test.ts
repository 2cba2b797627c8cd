// Sorted sets in their listpack encoding (types/zset-packed.ts), against every backend
// (in-process Hoard, Hoard over TCP, real redis-server 7.0, which re-proves each expectation):
// scores of every kind and binary members read back exactly; conversion to skiplist happens
// exactly at zset-max-listpack-entries / zset-max-listpack-value, also after CONFIG SET and for
// sets built whole; ZSCAN answers a listpack whole; lex ranges over members of different scores
// give Redis's listpack answers; blocking pops are served from small sets.

import { expect, it } from 'vitest';
import { commandSuite, sleep } from '../helpers/suite.js';
import type { Arg } from '../helpers/backends.js';
import { formatScore } from '../../src/util/numbers.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const num = (s: string) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));

/** Runs body with the two listpack limits set, restoring them after. */
async function withLimits(t: { call(...a: Arg[]): Promise<any> }, entries: number, value: number, body: () => Promise<void>): Promise<void> {
  const e = (await t.call('CONFIG', 'GET', 'zset-max-listpack-entries'))[1];
  const v = (await t.call('CONFIG', 'GET', 'zset-max-listpack-value'))[1];
  try {
    await t.call('CONFIG', 'SET', 'zset-max-listpack-entries', entries, 'zset-max-listpack-value', value);
    await body();
  } finally {
    await t.call('CONFIG', 'SET', 'zset-max-listpack-entries', e, 'zset-max-listpack-value', v);
  }
}

commandSuite('zsets: listpack encoding', (t) => {
  it('scores of every kind read back exactly, as a skiplist set holds them', async () => {
    const scores = [
      '0', '1', '239', '240', '-1', '1.5', '-1.5', '0.1', '0.25', '99.99', '-123.456', '0.001', '0.0005', '1e-300',
      '5e-324', '2147483647', '2147483648', '-2147483649', '1700000000', '1700000000123', '1700000000123.5',
      '4503599627370495', '4503599627370496', '9007199254740992', '-9007199254740992', '1e21', '3.141592653589793',
      'inf', '-inf', '0.30000000000000004',
    ];
    const small: Arg[] = [];
    const big: Arg[] = ['0', 'x'.repeat(65)]; // one long member: skiplist from the start
    scores.forEach((s, i) => {
      small.push(s, `m${i}`);
      big.push(s, `m${i}`);
    });
    expect(await t.call('ZADD', 'small', ...small)).toBe(scores.length);
    expect(await t.call('ZADD', 'big', ...big)).toBe(scores.length + 1);
    expect(await t.call('OBJECT', 'ENCODING', 'small')).toBe('listpack');
    expect(await t.call('OBJECT', 'ENCODING', 'big')).toBe('skiplist');
    await t.call('ZREM', 'big', 'x'.repeat(65));
    const got = await t.call('ZRANGE', 'small', 0, -1, 'WITHSCORES');
    expect(got).toEqual(await t.call('ZRANGE', 'big', 0, -1, 'WITHSCORES'));
    for (let i = 0; i < scores.length; i++) {
      expect([scores[i], await t.call('ZSCORE', 'small', `m${i}`)]).toEqual([scores[i], formatScore(num(scores[i]))]);
    }
    // Ranks and score ranges agree too, both ways.
    for (let i = 0; i < scores.length; i += 3) {
      expect(await t.call('ZRANK', 'small', `m${i}`)).toBe(await t.call('ZRANK', 'big', `m${i}`));
      expect(await t.call('ZREVRANK', 'small', `m${i}`)).toBe(await t.call('ZREVRANK', 'big', `m${i}`));
    }
    for (const [min, max] of [['(0', '1.5'], ['-inf', '(0.25'], ['(1.5', '+inf'], ['1e-300', '1e-300'], ['(inf', '+inf']]) {
      expect(await t.call('ZRANGEBYSCORE', 'small', min, max, 'WITHSCORES')).toEqual(await t.call('ZRANGEBYSCORE', 'big', min, max, 'WITHSCORES'));
      expect(await t.call('ZREVRANGEBYSCORE', 'small', max, min, 'LIMIT', 1, 3)).toEqual(await t.call('ZREVRANGEBYSCORE', 'big', max, min, 'LIMIT', 1, 3));
      expect(await t.call('ZCOUNT', 'small', min, max)).toBe(await t.call('ZCOUNT', 'big', min, max));
    }
    // -0 is stored as 0 in a listpack.
    await t.call('ZADD', 'small', '-0', 'negzero');
    expect(await t.call('ZSCORE', 'small', 'negzero')).toBe('0');
    // ZINCRBY walks a score across encodings of the packed form.
    expect(await t.call('ZINCRBY', 'small', '0.5', 'm1')).toBe('1.5');
    expect(await t.call('ZINCRBY', 'small', '1000000', 'm1')).toBe('1000001.5');
    expect(await t.call('ZINCRBY', 'small', '-1000001.5', 'm1')).toBe('0');
    expect(await t.call('ZRANGEBYSCORE', 'small', 0, 0)).toEqual(['m0', 'm1', 'negzero']);
    expect(await t.call('OBJECT', 'ENCODING', 'small')).toBe('listpack');
  });

  it('binary members and ties: byte order, the empty member, NUL and 0xff bytes', async () => {
    const members = ['', '\x00', '\x00\xff', 'a', 'a\x00', 'ab', 'b', '\xff', '\xff\x00'];
    const args: Arg[] = [];
    for (const m of members) args.push(1, B(m));
    args.push(0, B('zero'), 2, B(''.padEnd(3, '\xfe')));
    expect(await t.call('ZADD', 'z', ...args)).toBe(11);
    expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    const want = [B('zero'), ...members.map(B), B('\xfe\xfe\xfe')];
    expect(await t.callBuffer('ZRANGE', 'z', 0, -1)).toEqual(want);
    expect(await t.callBuffer('ZREVRANGE', 'z', 0, -1)).toEqual([...want].reverse());
    expect(await t.call('ZRANK', 'z', B(''))).toBe(1);
    expect(await t.call('ZRANK', 'z', B('\xff\x00'))).toBe(9);
    expect(await t.call('ZREVRANK', 'z', B('\x00'))).toBe(8);
    expect(await t.call('ZSCORE', 'z', B(''))).toBe('1');
    expect(await t.call('ZSCORE', 'z', B('\x00\x00'))).toBe(null);
    // 'zero' (score 0) comes first: the listpack walk starts there (scores differ, see the lex test).
    expect(await t.callBuffer('ZRANGEBYLEX', 'z', B('(\x00'), B('[\xff'), 'LIMIT', 0, 3)).toEqual([B('zero'), B(''), B('\x00')]);
    expect(await t.callBuffer('ZRANGEBYLEX', 'z', B('(\x00'), B('[\xff'), 'LIMIT', 3, 3)).toEqual([B('\x00\xff'), B('a'), B('a\x00')]);
    expect(await t.call('ZREM', 'z', B(''), B('\xff'), B('nope'))).toBe(2);
    expect(await t.callBuffer('ZRANGE', 'z', 1, 3)).toEqual([B('\x00'), B('\x00\xff'), B('a')]);
    expect(await t.callBuffer('ZPOPMAX', 'z')).toEqual([B('\xfe\xfe\xfe'), B('2')]);
    expect(await t.callBuffer('ZPOPMIN', 'z', 2)).toEqual([B('zero'), B('0'), B('\x00'), B('1')]);
    expect(await t.call('ZCARD', 'z')).toBe(6);
  });

  it('lex ranges over members of different scores give the listpack answers', async () => {
    // Rank order b(1) a(2) d(3) c(4): members are not in lex order.
    await t.call('ZADD', 'z', 1, 'b', 2, 'a', 3, 'd', 4, 'c');
    expect(await t.call('ZRANGEBYLEX', 'z', '[b', '+')).toEqual(['b', 'a', 'd', 'c']);
    expect(await t.call('ZRANGEBYLEX', 'z', '-', '[b')).toEqual(['b', 'a']);
    expect(await t.call('ZRANGEBYLEX', 'z', '[c', '+')).toEqual(['d', 'c']);
    expect(await t.call('ZRANGEBYLEX', 'z', '(a', '[c', 'LIMIT', 1, 5)).toEqual(['a']);
    expect(await t.call('ZREVRANGEBYLEX', 'z', '+', '[c')).toEqual(['c', 'd']);
    expect(await t.call('ZREVRANGEBYLEX', 'z', '[b', '-')).toEqual(['a', 'b']);
    expect(await t.call('ZREVRANGEBYLEX', 'z', '[a', '-')).toEqual([]);
    expect(await t.call('ZLEXCOUNT', 'z', '[a', '[b')).toBe(2);
    expect(await t.call('ZLEXCOUNT', 'z', '[c', '[c')).toBe(0);
    expect(await t.call('ZRANGE', 'z', '[d', '[a', 'BYLEX', 'REV')).toEqual(['c', 'd', 'a', 'b']);
    expect(await t.call('ZREMRANGEBYLEX', 'z', '[a', '[b')).toBe(2);
    expect(await t.call('ZRANGE', 'z', 0, -1)).toEqual(['d', 'c']);
  });

  it('ZSCAN answers a listpack whole, in rank order, whatever the cursor and COUNT', async () => {
    const args: Arg[] = [];
    for (let i = 0; i < 100; i++) args.push(100 - i, `k${i}`);
    args.push(0, B('\x00\xff'));
    await t.call('ZADD', 'z', ...args);
    const all = await t.call('ZRANGE', 'z', 0, -1, 'WITHSCORES');
    const [cursor, items] = await t.call('ZSCAN', 'z', 0, 'COUNT', 1);
    expect(cursor).toBe('0');
    expect(items.slice(2)).toEqual(all.slice(2));
    expect((await t.callBuffer('ZSCAN', 'z', 0))[1].slice(0, 2)).toEqual([B('\x00\xff'), B('0')]);
    expect(await t.call('ZSCAN', 'z', 12345, 'MATCH', 'k9*', 'COUNT', 1000)).toEqual([
      '0', ['k99', '1', 'k98', '2', 'k97', '3', 'k96', '4', 'k95', '5', 'k94', '6', 'k93', '7', 'k92', '8', 'k91', '9', 'k90', '10', 'k9', '91'],
    ]);
  });

  it('converts exactly at 128 members and 64 bytes, counting only members a command adds', async () => {
    const args: Arg[] = [];
    for (let i = 0; i < 127; i++) args.push(i * 1.5, `member:${i}`);
    await t.call('ZADD', 'z', ...args);
    expect(await t.call('ZINCRBY', 'z', 1, 'member:0')).toBe('1');
    await t.call('ZADD', 'z', 0, 'x'.repeat(64));
    expect(await t.call('ZCARD', 'z')).toBe(128);
    expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    await t.call('ZREM', 'z', 'member:5');
    await t.call('ZADD', 'z', 5, 'member:5', 7, 'member:6');
    expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    expect(await t.call('ZINCRBY', 'z', 2, 'the-129th')).toBe('2');
    expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('skiplist');
    expect(await t.call('ZRANGE', 'z', 0, 4, 'WITHSCORES')).toEqual(['x'.repeat(64), '0', 'member:0', '1', 'member:1', '1.5', 'the-129th', '2', 'member:2', '3']);
    expect(await t.call('ZRANK', 'z', 'the-129th')).toBe(3);
    expect(await t.call('ZREVRANK', 'z', 'member:126')).toBe(0);
    await t.call('ZADD', 'y', 1, 'a', 2, 'y'.repeat(65));
    expect(await t.call('OBJECT', 'ENCODING', 'y')).toBe('skiplist');
    expect(await t.call('ZRANGE', 'y', 0, -1)).toEqual(['a', 'y'.repeat(65)]);
  });

  it('follows zset-max-listpack-entries / -value set at runtime, for added members and sets built whole', async () => {
    await t.call('ZADD', 'before', 1, 'aaaaaaa', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
    await withLimits(t, 3, 4, async () => {
      // A set made before keeps its encoding until a member is added.
      expect(await t.call('OBJECT', 'ENCODING', 'before')).toBe('listpack');
      await t.call('ZADD', 'before', 9, 'e');
      expect(await t.call('OBJECT', 'ENCODING', 'before')).toBe('listpack');
      // Built whole from it: too many / too long for the new limits.
      expect(await t.call('ZRANGESTORE', 'r5', 'before', 0, -1)).toBe(5);
      expect(await t.call('OBJECT', 'ENCODING', 'r5')).toBe('skiplist');
      expect(await t.call('ZRANGE', 'r5', 0, -1, 'WITHSCORES')).toEqual(['aaaaaaa', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '9']);
      expect(await t.call('ZRANGESTORE', 'r3', 'before', 1, 3)).toBe(3);
      expect(await t.call('OBJECT', 'ENCODING', 'r3')).toBe('listpack');
      expect(await t.call('ZRANGESTORE', 'r1', 'before', 0, 0)).toBe(1);
      expect(await t.call('OBJECT', 'ENCODING', 'r1')).toBe('skiplist'); // 'aaaaaaa' is 7 bytes
      expect(await t.call('ZUNIONSTORE', 'u3', 2, 'r3', 'r1', 'WEIGHTS', 1, 0)).toBe(4);
      expect(await t.call('OBJECT', 'ENCODING', 'u3')).toBe('skiplist');
      expect(await t.call('ZINTERSTORE', 'i3', 2, 'before', 'r3')).toBe(3);
      expect(await t.call('OBJECT', 'ENCODING', 'i3')).toBe('listpack');
      expect(await t.call('ZRANGE', 'i3', 0, -1, 'WITHSCORES')).toEqual(['b', '4', 'c', '6', 'd', '8']);
      // Added members: the 4th converts, and so does a 5-byte one.
      await t.call('ZADD', 'n', 1, 'abcd', 2, 'b', 3, 'c');
      expect(await t.call('OBJECT', 'ENCODING', 'n')).toBe('listpack');
      await t.call('ZADD', 'n', 5, 'abcd');
      expect(await t.call('OBJECT', 'ENCODING', 'n')).toBe('listpack');
      await t.call('ZADD', 'n', 4, 'd');
      expect(await t.call('OBJECT', 'ENCODING', 'n')).toBe('skiplist');
      await t.call('ZADD', 'm', 1, 'abcde');
      expect(await t.call('OBJECT', 'ENCODING', 'm')).toBe('skiplist');
    });
    // Raised limits: 300 members, one of 200 bytes, stay a listpack and answer like a skiplist.
    await withLimits(t, 300, 200, async () => {
      const args: Arg[] = [];
      for (let i = 0; i < 299; i++) args.push(i % 50, `p${i}`);
      args.push(25, 'L'.repeat(200));
      expect(await t.call('ZADD', 'lp', ...args)).toBe(300);
      expect(await t.call('OBJECT', 'ENCODING', 'lp')).toBe('listpack');
      args.push(1000, 'one-more');
      expect(await t.call('ZADD', 'sk', ...args)).toBe(301);
      expect(await t.call('OBJECT', 'ENCODING', 'sk')).toBe('skiplist');
      await t.call('ZREM', 'sk', 'one-more');
      for (const cmd of [
        ['ZRANGE', 0, -1, 'WITHSCORES'],
        ['ZREVRANGE', 10, 150],
        ['ZRANGEBYSCORE', '(24', 26, 'WITHSCORES'],
        ['ZREVRANGEBYSCORE', 30, '-inf', 'LIMIT', 100, 7],
        ['ZCOUNT', 10, '(20'],
        ['ZRANK', 'L'.repeat(200)],
        ['ZREVRANK', 'p0'],
        ['ZSCORE', 'L'.repeat(200)],
      ] as Arg[][]) {
        expect([cmd[0], await t.call(cmd[0], 'lp', ...cmd.slice(1))]).toEqual([cmd[0], await t.call(cmd[0], 'sk', ...cmd.slice(1))]);
      }
      expect(await t.call('ZPOPMAX', 'lp', 3)).toEqual(await t.call('ZPOPMAX', 'sk', 3));
      expect(await t.call('ZREMRANGEBYSCORE', 'lp', 10, 20)).toBe(await t.call('ZREMRANGEBYSCORE', 'sk', 10, 20));
      expect(await t.call('ZRANGE', 'lp', 0, -1, 'WITHSCORES')).toEqual(await t.call('ZRANGE', 'sk', 0, -1, 'WITHSCORES'));
      expect(await t.call('OBJECT', 'ENCODING', 'lp')).toBe('listpack');
    });
  });

  it('ZRANDMEMBER picks from a listpack', async () => {
    await t.call('ZADD', 'z', 1, 'a', 2.5, 'b', 3, B('\x00c'));
    const all = ['a', 'b', '\x00c'];
    for (const m of await t.call('ZRANDMEMBER', 'z', -20)) expect(all).toContain(m);
    expect((await t.call('ZRANDMEMBER', 'z', 2)).length).toBe(2);
    expect(await t.call('ZRANDMEMBER', 'z', 3, 'WITHSCORES')).toEqual(['\x00c', '3', 'b', '2.5', 'a', '1']);
    const [m, s] = await t.call('ZRANDMEMBER', 'z', -1, 'WITHSCORES');
    expect(await t.call('ZSCORE', 'z', m)).toBe(s);
  });

  it('blocking pops are served from listpack sets, which stay listpacks', async () => {
    const c2 = await t.connect();
    const p = c2.callBuffer('BZPOPMAX', 'k1', 'k2', 0);
    await sleep(30);
    expect(await t.call('ZADD', 'k2', 1, B('\x00'), 2, B('\xff'), 1.5, B(''))).toBe(3);
    expect(await p).toEqual([B('k2'), B('\xff'), B('2')]);
    expect(await t.call('OBJECT', 'ENCODING', 'k2')).toBe('listpack');
    expect(await t.callBuffer('ZRANGE', 'k2', 0, -1)).toEqual([B('\x00'), B('')]);
    const m = c2.call('BZMPOP', 0, 1, 'k3', 'MIN', 'COUNT', 10);
    await sleep(30);
    await t.call('ZADD', 'k3', 3, 'c', 1, 'a', 2, 'b');
    expect(await m).toEqual(['k3', [['a', '1'], ['b', '2'], ['c', '3']]]);
    expect(await t.call('EXISTS', 'k3')).toBe(0);
    const q = c2.call('BZPOPMIN', 'k4', 0);
    await sleep(30);
    await t.call('ZADD', 'k4', 7, 'x'.repeat(65), 8, 'y');
    expect(await q).toEqual(['k4', 'x'.repeat(65), '7']);
    expect(await t.call('OBJECT', 'ENCODING', 'k4')).toBe('skiplist');
  });
});
