// The set family (SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE SSCAN) against every backend; every
// expectation below was observed on redis-server 7.0.15. The in-process blocks at the end check
// what only Hoard exposes: raw RESP2/RESP3 bytes compared with a real server's, the propagated
// stream and its replay, and SSCAN's guarantee while the set changes between calls.

import { describe, it, expect, afterEach, beforeAll, afterAll } from 'vitest';
import { commandSuite, sleep } from '../helpers/suite.js';
import { inProcess, encodeArgs, redisServerAvailable, testConfig, type Arg, type Backend } from '../helpers/backends.js';
import { RawConn, RawSocket } from '../helpers/raw-conn.js';
import { spawnServer, type SpawnedServer } from '../helpers/proc.js';
import { dump } from '../helpers/dump.js';
import { Server } from '../../src/server/server.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { SetValue, compareInt64Strings } from '../../src/types/set.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const LONG_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const BIN = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x80, 0x00]);
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;
const sorted = (a: string[]) => [...a].sort();

/** Runs an SSCAN iteration to the end, returning every member seen (with duplicates). */
async function sscanAll(call: (...a: Arg[]) => Promise<any>, key: string, ...opts: Arg[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  let rounds = 0;
  do {
    const [next, items] = await call('SSCAN', key, cursor, ...opts);
    expect(typeof next).toBe('string');
    seen.push(...items);
    cursor = next;
    if (++rounds > 100_000) throw new Error('SSCAN did not terminate');
  } while (cursor !== '0');
  return seen;
}

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

commandSuite('sets: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS', (t) => {
  it('SADD counts new members; SREM counts removed ones and deletes the emptied key', async () => {
    expect(await t.call('SADD', 's', 'a', 'b', 'a')).toBe(2);
    expect(await t.call('SADD', 's', 'b', 'c')).toBe(1);
    expect(await t.call('SCARD', 's')).toBe(3);
    expect(await t.call('TYPE', 's')).toBe('set');
    expect(await t.call('SREM', 's', 'a', 'a', 'zz')).toBe(1);
    expect(await t.call('SREM', 'nokey', 'a')).toBe(0);
    expect(await t.call('SREM', 's', 'b', 'c', 'd')).toBe(2);
    expect(await t.call('EXISTS', 's')).toBe(0);
    expect(await t.call('SCARD', 's')).toBe(0);
    expect(await t.error('SADD', 's')).toBe(arity('sadd'));
    expect(await t.error('SREM', 's')).toBe(arity('srem'));
    expect(await t.error('SCARD')).toBe(arity('scard'));
  });

  it('SISMEMBER and SMISMEMBER', async () => {
    expect(await t.call('SISMEMBER', 's', 'a')).toBe(0);
    expect(await t.call('SMISMEMBER', 's', 'a', 'b')).toEqual([0, 0]);
    await t.call('SADD', 's', 'a', '1');
    expect(await t.call('SISMEMBER', 's', 'a')).toBe(1);
    expect(await t.call('SISMEMBER', 's', '01')).toBe(0);
    expect(await t.call('SMISMEMBER', 's', 'a', 'b', '1', 'a')).toEqual([1, 0, 1, 1]);
    expect(await t.error('SMISMEMBER', 's')).toBe(arity('smismember'));
    expect(await t.error('SISMEMBER', 's')).toBe(arity('sismember'));
  });

  it('SMEMBERS: integer sets in numeric order, others complete', async () => {
    expect(await t.call('SMEMBERS', 's')).toEqual([]);
    await t.call('SADD', 's', '3', '1', '2', '10', '-5', '-40', '9223372036854775807', '-9223372036854775808');
    expect(await t.call('SMEMBERS', 's')).toEqual(['-9223372036854775808', '-40', '-5', '1', '2', '3', '10', '9223372036854775807']);
    await t.call('SADD', 't', 'b', 'a', '1', 'c');
    expect(sorted(await t.call('SMEMBERS', 't'))).toEqual(['1', 'a', 'b', 'c']);
    expect(await t.error('SMEMBERS', 's', 't')).toBe(arity('smembers'));
  });

  it('members are binary-safe', async () => {
    expect(await t.call('SADD', BIN, BIN, '', 'x')).toBe(3);
    expect(await t.call('SISMEMBER', BIN, BIN)).toBe(1);
    expect(await t.call('SISMEMBER', BIN, '')).toBe(1);
    const got: Buffer[] = await t.callBuffer('SMEMBERS', BIN);
    expect(got.map((b) => b.toString('hex')).sort()).toEqual([BIN.toString('hex'), '', '78'].sort());
  });
});

commandSuite('sets: SPOP', (t) => {
  it('without a count: one member, removed; nil on a missing key', async () => {
    expect(await t.call('SPOP', 's')).toBe(null);
    await t.call('SADD', 's', 'a', 'b', 'c');
    const got = [await t.call('SPOP', 's'), await t.call('SPOP', 's'), await t.call('SPOP', 's')];
    expect(sorted(got)).toEqual(['a', 'b', 'c']);
    expect(await t.call('EXISTS', 's')).toBe(0);
    expect(await t.call('SPOP', 's')).toBe(null);
  });

  it('with a count: distinct members, removed; the whole set (then gone) when count >= size', async () => {
    expect(await t.call('SPOP', 's', '3')).toEqual([]);
    await t.call('SADD', 's', ...range(20, (i) => `m${i}`));
    expect(await t.call('SPOP', 's', '0')).toEqual([]);
    const a: string[] = await t.call('SPOP', 's', '2');
    const b: string[] = await t.call('SPOP', 's', '15');
    expect(a.length).toBe(2);
    expect(b.length).toBe(15);
    const rest: string[] = await t.call('SMEMBERS', 's');
    expect(rest.length).toBe(3);
    expect(sorted([...a, ...b, ...rest])).toEqual(sorted(range(20, (i) => `m${i}`)));
    expect(sorted(await t.call('SPOP', 's', '3'))).toEqual(sorted(rest));
    expect(await t.call('EXISTS', 's')).toBe(0);
    await t.call('SADD', 'n', '5', '3', '1');
    expect(await t.call('SPOP', 'n', '10')).toEqual(['1', '3', '5']);
  });

  it('large sets pop uniformly enough and never a member twice', async () => {
    await t.call('SADD', 's', ...range(1000, (i) => `m${i}`));
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      for (const m of await t.call('SPOP', 's', '7')) {
        expect(seen.has(m)).toBe(false);
        seen.add(m);
      }
      const one = await t.call('SPOP', 's');
      expect(seen.has(one)).toBe(false);
      seen.add(one);
    }
    expect(await t.call('SCARD', 's')).toBe(600);
    const most: string[] = await t.call('SPOP', 's', '590');
    expect(new Set(most).size).toBe(590);
    for (const m of most) expect(seen.has(m)).toBe(false);
    expect(await t.call('SCARD', 's')).toBe(10);
  });

  it('errors', async () => {
    await t.call('SADD', 's', 'a');
    expect(await t.error('SPOP', 's', '-1')).toBe('ERR value is out of range, must be positive');
    expect(await t.error('SPOP', 's', 'x')).toBe('ERR value is out of range, must be positive');
    expect(await t.error('SPOP', 's', '9223372036854775808')).toBe('ERR value is out of range, must be positive');
    expect(await t.error('SPOP', 's', '1.5')).toBe('ERR value is out of range, must be positive');
    expect(await t.error('SPOP', 's', '1', '2')).toBe(SYNTAX);
    expect(await t.error('SPOP', 'nokey', '-1')).toBe('ERR value is out of range, must be positive');
    expect(await t.error('SPOP')).toBe(arity('spop'));
    expect(await t.call('SCARD', 's')).toBe(1);
  });
});

commandSuite('sets: SRANDMEMBER', (t) => {
  it('without a count: a member, not removed; nil on a missing key', async () => {
    expect(await t.call('SRANDMEMBER', 's')).toBe(null);
    await t.call('SADD', 's', 'a', 'b', 'c');
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(await t.call('SRANDMEMBER', 's'));
    expect(sorted([...seen])).toEqual(['a', 'b', 'c']);
    expect(await t.call('SCARD', 's')).toBe(3);
  });

  it('positive counts: distinct; the whole set in order when count >= size', async () => {
    expect(await t.call('SRANDMEMBER', 's', '5')).toEqual([]);
    expect(await t.call('SRANDMEMBER', 's', '-5')).toEqual([]);
    await t.call('SADD', 's', '30', '10', '20');
    expect(await t.call('SRANDMEMBER', 's', '0')).toEqual([]);
    expect(await t.call('SRANDMEMBER', 's', '3')).toEqual(['10', '20', '30']);
    expect(await t.call('SRANDMEMBER', 's', '9223372036854775807')).toEqual(['10', '20', '30']);
    await t.call('SADD', 'big', ...range(700, (i) => `m${i}`));
    for (const n of [1, 2, 50, 233, 234, 500, 699, 700, 701]) {
      const got: string[] = await t.call('SRANDMEMBER', 'big', n);
      expect(got.length).toBe(Math.min(n, 700));
      expect(new Set(got).size).toBe(got.length);
    }
    expect(await t.call('SCARD', 'big')).toBe(700);
  });

  it('negative counts: |count| members, repeats allowed', async () => {
    await t.call('SADD', 's', 'only');
    expect(await t.call('SRANDMEMBER', 's', '-3')).toEqual(['only', 'only', 'only']);
    await t.call('SADD', 'big', ...range(300, (i) => `m${i}`));
    const got: string[] = await t.call('SRANDMEMBER', 'big', '-2000');
    expect(got.length).toBe(2000);
    expect(new Set(got).size).toBeGreaterThan(250);
    for (const m of got) expect(m.startsWith('m')).toBe(true);
  });

  it('errors', async () => {
    await t.call('SADD', 's', 'a');
    expect(await t.error('SRANDMEMBER', 's', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('SRANDMEMBER', 's', '9223372036854775808')).toBe(NOT_INTEGER);
    expect(await t.error('SRANDMEMBER', 's', '-9223372036854775808')).toBe(LONG_RANGE);
    expect(await t.error('SRANDMEMBER', 'nokey', '-9223372036854775808')).toBe(LONG_RANGE);
    expect(await t.error('SRANDMEMBER', 's', '1', '2')).toBe(SYNTAX);
    expect(await t.error('SRANDMEMBER')).toBe(arity('srandmember'));
  });
});

commandSuite('sets: SMOVE', (t) => {
  it('moves a member, creating the destination and deleting an emptied source', async () => {
    await t.call('SADD', 'a', 'x', 'y');
    expect(await t.call('SMOVE', 'a', 'b', 'x')).toBe(1);
    expect(await t.call('SMEMBERS', 'b')).toEqual(['x']);
    expect(await t.call('SMOVE', 'a', 'b', 'zz')).toBe(0);
    await t.call('SADD', 'b', 'y');
    expect(await t.call('SMOVE', 'a', 'b', 'y')).toBe(1);
    expect(await t.call('EXISTS', 'a')).toBe(0);
    expect(sorted(await t.call('SMEMBERS', 'b'))).toEqual(['x', 'y']);
    expect(await t.call('SMOVE', 'nokey', 'b', 'x')).toBe(0);
  });

  it('same source and destination: membership, no change', async () => {
    await t.call('SADD', 'a', 'x');
    expect(await t.call('SMOVE', 'a', 'a', 'x')).toBe(1);
    expect(await t.call('SMOVE', 'a', 'a', 'zz')).toBe(0);
    expect(await t.call('SMEMBERS', 'a')).toEqual(['x']);
  });

  it('type checks: a missing source answers 0 before any type check', async () => {
    await t.call('SET', 'str', 'v');
    await t.call('SADD', 'a', 'x');
    expect(await t.call('SMOVE', 'nokey', 'str', 'x')).toBe(0);
    expect(await t.error('SMOVE', 'a', 'str', 'x')).toBe(WRONGTYPE);
    expect(await t.error('SMOVE', 'str', 'a', 'x')).toBe(WRONGTYPE);
    expect(await t.error('SMOVE', 'a', 'str', 'zz')).toBe(WRONGTYPE);
    expect(await t.call('SMEMBERS', 'a')).toEqual(['x']);
    expect(await t.error('SMOVE', 'a', 'b')).toBe(arity('smove'));
  });
});

commandSuite('sets: SINTER SUNION SDIFF SINTERCARD', (t) => {
  it('SINTER', async () => {
    await t.call('SADD', 'a', '1', '2', '3', '4');
    await t.call('SADD', 'b', '2', '3', '4', '5', 'x');
    await t.call('SADD', 'c', '3', '4', '6');
    expect(await t.call('SINTER', 'a', 'c')).toEqual(['3', '4']);
    expect(sorted(await t.call('SINTER', 'a', 'b', 'c'))).toEqual(['3', '4']);
    expect(sorted(await t.call('SINTER', 'b'))).toEqual(['2', '3', '4', '5', 'x']);
    expect(await t.call('SINTER', 'a', 'a')).toEqual(['1', '2', '3', '4']);
    expect(await t.call('SINTER', 'a', 'nokey')).toEqual([]);
    expect(await t.call('SINTER', 'nokey')).toEqual([]);
  });

  it('SUNION and SDIFF', async () => {
    await t.call('SADD', 'a', '1', '2', '3');
    await t.call('SADD', 'b', '3', '4');
    await t.call('SADD', 'x', 'p', '1');
    expect(await t.call('SUNION', 'a', 'b', 'nokey')).toEqual(['1', '2', '3', '4']);
    expect(sorted(await t.call('SUNION', 'a', 'x'))).toEqual(['1', '2', '3', 'p']);
    expect(await t.call('SUNION', 'nokey')).toEqual([]);
    expect(await t.call('SDIFF', 'a', 'b')).toEqual(['1', '2']);
    expect(await t.call('SDIFF', 'a', 'nokey', 'x')).toEqual(['2', '3']);
    expect(await t.call('SDIFF', 'a', 'a')).toEqual([]);
    expect(await t.call('SDIFF', 'nokey', 'a')).toEqual([]);
    expect(sorted(await t.call('SDIFF', 'x'))).toEqual(['1', 'p']);
    expect(sorted(await t.call('SDIFF', 'x', 'b'))).toEqual(['1', 'p']);
  });

  it('every key is type-checked, even after a missing one', async () => {
    await t.call('SET', 'str', 'v');
    await t.call('SADD', 'a', '1');
    for (const cmd of ['SINTER', 'SUNION', 'SDIFF']) {
      expect(await t.error(cmd, 'nokey', 'str')).toBe(WRONGTYPE);
      expect(await t.error(cmd, 'str', 'nokey')).toBe(WRONGTYPE);
      expect(await t.error(cmd, 'a', 'str')).toBe(WRONGTYPE);
    }
    for (const cmd of ['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']) {
      expect(await t.error(cmd, 'd', 'nokey', 'str')).toBe(WRONGTYPE);
      expect(await t.call('EXISTS', 'd')).toBe(0);
    }
    expect(await t.error('SINTERCARD', '2', 'nokey', 'str')).toBe(WRONGTYPE);
  });

  it('SINTERCARD with and without LIMIT', async () => {
    await t.call('SADD', 'a', '1', '2', '3', '4', 'x');
    await t.call('SADD', 'b', '2', '3', '4', 'x', 'y');
    expect(await t.call('SINTERCARD', '2', 'a', 'b')).toBe(4);
    expect(await t.call('SINTERCARD', '1', 'a')).toBe(5);
    expect(await t.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2')).toBe(2);
    expect(await t.call('SINTERCARD', '2', 'a', 'b', 'limit', '0')).toBe(4);
    expect(await t.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '9', 'LIMIT', '3')).toBe(3);
    expect(await t.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '100')).toBe(4);
    expect(await t.call('SINTERCARD', '2', 'a', 'nokey')).toBe(0);
  });

  it('SINTERCARD errors', async () => {
    await t.call('SADD', 'a', '1');
    expect(await t.error('SINTERCARD', '0', 'a')).toBe('ERR numkeys should be greater than 0');
    expect(await t.error('SINTERCARD', '-1', 'a')).toBe('ERR numkeys should be greater than 0');
    expect(await t.error('SINTERCARD', 'x', 'a')).toBe('ERR numkeys should be greater than 0');
    expect(await t.error('SINTERCARD', '9223372036854775808', 'a')).toBe('ERR numkeys should be greater than 0');
    expect(await t.error('SINTERCARD', '2', 'a')).toBe("ERR Number of keys can't be greater than number of args");
    expect(await t.error('SINTERCARD', '1', 'a', 'LIMIT', '-1')).toBe("ERR LIMIT can't be negative");
    expect(await t.error('SINTERCARD', '1', 'a', 'LIMIT', 'x')).toBe("ERR LIMIT can't be negative");
    expect(await t.error('SINTERCARD', '1', 'a', 'LIMIT')).toBe(SYNTAX);
    expect(await t.error('SINTERCARD', '1', 'a', 'FOO', '1')).toBe(SYNTAX);
    expect(await t.error('SINTERCARD', '1')).toBe(arity('sintercard'));
  });

  it('arity', async () => {
    expect(await t.error('SINTER')).toBe(arity('sinter'));
    expect(await t.error('SUNION')).toBe(arity('sunion'));
    expect(await t.error('SDIFF')).toBe(arity('sdiff'));
    expect(await t.error('SINTERSTORE', 'd')).toBe(arity('sinterstore'));
    expect(await t.error('SUNIONSTORE', 'd')).toBe(arity('sunionstore'));
    expect(await t.error('SDIFFSTORE', 'd')).toBe(arity('sdiffstore'));
  });
});

commandSuite('sets: SINTERSTORE SUNIONSTORE SDIFFSTORE', (t) => {
  it('store the result, replacing the destination and its TTL', async () => {
    await t.call('SADD', 'a', '1', '2', '3');
    await t.call('SADD', 'b', '2', '3', '4');
    await t.call('SET', 'd', 'string');
    await t.call('EXPIRE', 'd', 100);
    expect(await t.call('SINTERSTORE', 'd', 'a', 'b')).toBe(2);
    expect(await t.call('SMEMBERS', 'd')).toEqual(['2', '3']);
    expect(await t.call('TTL', 'd')).toBe(-1);
    expect(await t.call('SUNIONSTORE', 'd', 'a', 'b')).toBe(4);
    expect(await t.call('SMEMBERS', 'd')).toEqual(['1', '2', '3', '4']);
    expect(await t.call('SDIFFSTORE', 'd', 'a', 'b')).toBe(1);
    expect(await t.call('SMEMBERS', 'd')).toEqual(['1']);
  });

  it('the destination may be a source', async () => {
    await t.call('SADD', 'a', '1', '2', '3');
    await t.call('SADD', 'b', '2', '3', '4');
    expect(await t.call('SUNIONSTORE', 'a', 'a', 'b')).toBe(4);
    expect(await t.call('SDIFFSTORE', 'a', 'a', 'b')).toBe(1);
    expect(await t.call('SMEMBERS', 'a')).toEqual(['1']);
    expect(await t.call('SINTERSTORE', 'b', 'b', 'b')).toBe(3);
  });

  it('an empty result deletes the destination', async () => {
    await t.call('SADD', 'a', '1');
    await t.call('SADD', 'b', '2');
    for (const args of [
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['SINTERSTORE', 'd', 'a', 'nokey'],
      ['SUNIONSTORE', 'd', 'nokey'],
      ['SDIFFSTORE', 'd', 'a', 'a'],
      ['SDIFFSTORE', 'd', 'nokey', 'a'],
    ]) {
      await t.call('SET', 'd', 'x');
      expect([args, await t.call(...args)]).toEqual([args, 0]);
      expect(await t.call('EXISTS', 'd')).toBe(0);
      expect(await t.call(...args)).toBe(0);
    }
  });

  it('large operands', async () => {
    await t.call('SADD', 'a', ...range(2000, (i) => `m${i}`));
    await t.call('SADD', 'b', ...range(2000, (i) => `m${i + 1000}`));
    await t.call('SADD', 'c', ...range(10, (i) => `m${i * 300}`));
    expect(await t.call('SINTERSTORE', 'd', 'a', 'b')).toBe(1000);
    expect(await t.call('SUNIONSTORE', 'd', 'a', 'b')).toBe(3000);
    expect(await t.call('SDIFFSTORE', 'd', 'a', 'b')).toBe(1000);
    // Three operands, a big first one: Redis's second SDIFF algorithm.
    expect(await t.call('SDIFFSTORE', 'd', 'a', 'c', 'c')).toBe(1993);
    expect(await t.call('SINTERCARD', '3', 'a', 'b', 'c')).toBe(3);
    expect(sorted(await t.call('SINTER', 'c', 'b', 'a'))).toEqual(['m1200', 'm1500', 'm1800']);
  });
});

commandSuite('sets: SSCAN', (t) => {
  it('a missing key is an empty, finished scan, whatever the options', async () => {
    expect(await t.call('SSCAN', 's', '0')).toEqual(['0', []]);
    expect(await t.call('SSCAN', 's', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(await t.error('SSCAN', 's', 'abc')).toBe('ERR invalid cursor');
  });

  it('an intset comes back whole and sorted in one call, whatever COUNT and cursor', async () => {
    await t.call('SADD', 's', '5', '3', '1', '-7', '12');
    expect(await t.call('SSCAN', 's', '0')).toEqual(['0', ['-7', '1', '3', '5', '12']]);
    expect(await t.call('SSCAN', 's', '0', 'COUNT', '1')).toEqual(['0', ['-7', '1', '3', '5', '12']]);
    expect(await t.call('SSCAN', 's', '-1')).toEqual(['0', ['-7', '1', '3', '5', '12']]);
    expect(await t.call('SSCAN', 's', '0', 'MATCH', '1*')).toEqual(['0', ['1', '12']]);
    expect(await t.call('SSCAN', 's', '0', 'MATCH', '*', 'COUNT', '1000')).toEqual(['0', ['-7', '1', '3', '5', '12']]);
  });

  it('option errors', async () => {
    await t.call('SADD', 's', 'a');
    expect(await t.error('SSCAN', 's', '0', 'COUNT', '0')).toBe(SYNTAX);
    expect(await t.error('SSCAN', 's', '0', 'COUNT', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('SSCAN', 's', '0', 'MATCH')).toBe(SYNTAX);
    expect(await t.error('SSCAN', 's', '0', 'TYPE', 'set')).toBe(SYNTAX);
    expect(await t.error('SSCAN', 's', ' 0')).toBe('ERR invalid cursor');
    expect(await t.error('SSCAN', 's')).toBe(arity('sscan'));
  });

  it('a hashtable set is iterated in steps and every member comes back', async () => {
    await t.call('SADD', 's', ...range(1000, (i) => `m${i}`));
    const [first, items] = await t.call('SSCAN', 's', '0');
    expect(first).not.toBe('0');
    expect(items.length).toBeLessThan(1000);
    const all = await sscanAll(t.call, 's', 'COUNT', 33);
    expect(new Set(all).size).toBe(1000);
    const matched = await sscanAll(t.call, 's', 'MATCH', 'm99?');
    expect(sorted([...new Set(matched)])).toEqual(range(10, (i) => `m99${i}`));
  });
});

commandSuite('sets: WRONGTYPE and expiry', (t) => {
  it('every set command refuses another type and changes nothing', async () => {
    await t.call('SET', 'str', 'v');
    const cmds: Arg[][] = [
      ['SADD', 'str', 'a'],
      ['SREM', 'str', 'a'],
      ['SMEMBERS', 'str'],
      ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'],
      ['SCARD', 'str'],
      ['SPOP', 'str'],
      ['SPOP', 'str', '2'],
      ['SRANDMEMBER', 'str'],
      ['SRANDMEMBER', 'str', '-2'],
      ['SMOVE', 'str', 'x', 'a'],
      ['SINTER', 'str'],
      ['SINTERCARD', '1', 'str'],
      ['SUNION', 'str'],
      ['SDIFF', 'str'],
      ['SINTERSTORE', 'd', 'str'],
      ['SUNIONSTORE', 'd', 'str'],
      ['SDIFFSTORE', 'd', 'str'],
      ['SSCAN', 'str', '0'],
    ];
    for (const c of cmds) expect([c, await t.error(...c)]).toEqual([c, WRONGTYPE]);
    expect(await t.call('GET', 'str')).toBe('v');
    expect(await t.call('EXISTS', 'd', 'x')).toBe(0);
    await t.call('SADD', 's', 'a');
    expect(await t.error('GET', 's')).toBe(WRONGTYPE);
    expect(await t.error('HGET', 's', 'a')).toBe(WRONGTYPE);
  });

  it('an expired set is gone; writes keep the TTL', async () => {
    await t.call('SADD', 's', 'a', 'b');
    await t.call('PEXPIRE', 's', 100);
    await sleep(150);
    expect(await t.call('SCARD', 's')).toBe(0);
    expect(await t.call('SMOVE', 's', 'd', 'a')).toBe(0);
    expect(await t.call('SADD', 's', 'c')).toBe(1);
    expect(await t.call('TTL', 's')).toBe(-1);
    await t.call('EXPIRE', 's', 100);
    await t.call('SADD', 's', 'd');
    await t.call('SREM', 's', 'c');
    await t.call('SPOP', 's', '0');
    expect(await t.call('TTL', 's')).toBe(100);
  });
});

commandSuite(
  'sets: OBJECT ENCODING (set-max-intset-entries 4)',
  (t) => {
    it('intset while canonical int64 and at most 4 members, then hashtable for good', async () => {
      await t.call('SADD', 's', '1', '-2', '9223372036854775807', '-9223372036854775808');
      expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('intset');
      await t.call('SADD', 's', '5');
      expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('hashtable');
      await t.call('SREM', 's', '1', '-2', '5');
      expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('hashtable');
      for (const m of ['01', '-0', '+1', ' 1', '1.0', '9223372036854775808', 'a', '']) {
        await t.call('DEL', 'x');
        await t.call('SADD', 'x', m);
        expect([m, await t.call('OBJECT', 'ENCODING', 'x')]).toEqual([m, 'hashtable']);
      }
      await t.call('SADD', 'y', '1', '2');
      await t.call('SADD', 'y', 'a');
      await t.call('SREM', 'y', 'a');
      expect(await t.call('OBJECT', 'ENCODING', 'y')).toBe('hashtable');
      await t.call('SADD', 'z', '1', '2', '3', '4');
      await t.call('SADD', 'z', '4');
      expect(await t.call('OBJECT', 'ENCODING', 'z')).toBe('intset');
    });

    it('results and moves get the encoding of their content', async () => {
      await t.call('SADD', 'a', '1', '2', '3');
      await t.call('SADD', 'b', '3', '4', '5');
      await t.call('SADD', 'w', 'x', '1');
      await t.call('SUNIONSTORE', 'u', 'a', 'b');
      expect(await t.call('OBJECT', 'ENCODING', 'u')).toBe('hashtable');
      await t.call('SUNIONSTORE', 'u', 'a', 'a');
      expect(await t.call('OBJECT', 'ENCODING', 'u')).toBe('intset');
      await t.call('SINTERSTORE', 'i', 'a', 'w');
      expect(await t.call('OBJECT', 'ENCODING', 'i')).toBe('intset');
      await t.call('SDIFFSTORE', 'd', 'w', 'b');
      expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('hashtable');
      await t.call('SMOVE', 'w', 'a', 'x');
      expect(await t.call('OBJECT', 'ENCODING', 'a')).toBe('hashtable');
      await t.call('SMOVE', 'b', 'm', '4');
      expect(await t.call('OBJECT', 'ENCODING', 'm')).toBe('intset');
      await t.call('SMOVE', 'a', 'n', 'x');
      expect(await t.call('OBJECT', 'ENCODING', 'n')).toBe('hashtable');
    });

    it('SDIFF with a large first set copies it first (Redis algorithm 2)', async () => {
      // Algorithm 1 (work 6*2/2 = 6 <= 6+5) adds only the result: an intset.
      await t.call('SADD', 'a', '1', '2', '3', '4', '5', '6');
      await t.call('SADD', 'b', '1', '2', '3', '4', '5');
      await t.call('SDIFFSTORE', 'd', 'a', 'b');
      expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('intset');
      // A big first set and small others: algorithm 2 adds all 6 (> 4: hashtable), then removes.
      await t.call('SADD', 'c', '1');
      await t.call('SDIFFSTORE', 'd', 'a', 'c', 'c', 'c');
      expect(await t.call('SMEMBERS', 'd')).toEqual(expect.arrayContaining(['2', '3', '4', '5', '6']));
      expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('hashtable');
    });
  },
  { 'set-max-intset-entries': '4' },
);

commandSuite('sets: OBJECT ENCODING defaults (no listpack sets in 7.0)', (t) => {
  it('512 integers stay an intset; small strings are a hashtable', async () => {
    await t.call('SADD', 's', ...range(512, (i) => String(i * 7 - 1000)));
    expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('intset');
    await t.call('SADD', 's', '100000');
    expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('hashtable');
    await t.call('SADD', 'x', 'a');
    expect(await t.call('OBJECT', 'ENCODING', 'x')).toBe('hashtable');
  });
});

// ---- in-process only -------------------------------------------------------------------------

describe.runIf(redisServerAvailable())('sets: raw RESP2/RESP3 bytes equal redis-server', () => {
  let redis: SpawnedServer;
  beforeAll(async () => {
    redis = await spawnServer('redis', [], { timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('deterministic replies are byte-identical in both protocols', async () => {
    const server = new Server(testConfig());
    const hoard = new RawConn(server);
    const real = await RawSocket.connect(redis.port);
    try {
      for (const proto of ['2', '3']) {
        const script: Arg[][] = [
          ['FLUSHALL'],
          ['SADD', 's', '3', '1', '2'],
          ['SADD', 't', '2', '3', '4'],
          ['SMEMBERS', 's'],
          ['SMEMBERS', 'nokey'],
          ['SINTER', 's', 't'],
          ['SINTER', 's', 'nokey'],
          ['SUNION', 's', 't'],
          ['SDIFF', 's', 't'],
          ['SINTERCARD', '2', 's', 't'],
          ['SISMEMBER', 's', '1'],
          ['SMISMEMBER', 's', '1', '9'],
          ['SCARD', 's'],
          ['SPOP', 'nokey'],
          ['SPOP', 'nokey', '2'],
          ['SPOP', 's', '0'],
          ['SRANDMEMBER', 'nokey'],
          ['SRANDMEMBER', 'nokey', '2'],
          ['SRANDMEMBER', 's', '0'],
          ['SRANDMEMBER', 's', '3'],
          ['SRANDMEMBER', 's', '10'],
          ['SSCAN', 's', '0'],
          ['SSCAN', 'nokey', '0'],
          ['SMOVE', 's', 't', '1'],
          ['SINTERSTORE', 'd', 's', 't'],
          ['SUNIONSTORE', 'd', 's', 't'],
          ['SDIFFSTORE', 'd', 's', 't'],
          ['SADD', 'one', 'x'],
          ['SRANDMEMBER', 'one', '-3'],
          ['SPOP', 'one', '5'],
          ['EXISTS', 'one'],
          ['SPOP', 't', '4'],
          ['SREM', 's', '2', '3'],
        ];
        await hoard.send('HELLO', proto);
        await real.send(['HELLO', proto]);
        for (const cmd of script) {
          const want = await real.send(cmd);
          const got = await hoard.send(...cmd);
          expect([proto, cmd, got]).toEqual([proto, cmd, want]);
        }
      }
    } finally {
      real.close();
      await server.close();
    }
  });
});

describe('sets: propagation and replay (in-process, ManualClock)', () => {
  let b: Backend;
  let log: string[][];
  afterEach(async () => {
    await b.close();
  });

  async function setup(): Promise<(...a: Arg[]) => Promise<any>> {
    b = await inProcess({}, new ManualClock(1_700_000_000_000));
    log = [];
    b.server!.log.addObserver((_db, argv) => log.push([...argv]));
    return (...a: Arg[]) => b.conn.call(...a);
  }

  it('each write propagates its deterministic effect; reads and no-ops nothing', async () => {
    const call = await setup();
    const expectLog = async (args: Arg[], want: string[][]) => {
      log.length = 0;
      try {
        await call(...args);
      } catch {
        // errors propagate nothing either
      }
      expect([args, log]).toEqual([args, want]);
    };
    await expectLog(['SADD', 's', '1', '2', '3'], [['SADD', 's', '1', '2', '3']]);
    await expectLog(['SADD', 's', '1'], []);
    await expectLog(['SREM', 's', 'zz'], []);
    await expectLog(['SREM', 's', '3', 'zz'], [['SREM', 's', '3', 'zz']]);
    await expectLog(['SMOVE', 's', 't', '2'], [['SMOVE', 's', 't', '2']]);
    await expectLog(['SMOVE', 's', 't', 'zz'], []);
    await expectLog(['SMOVE', 's', 's', '1'], []);
    await expectLog(['SPOP', 's', '0'], []);
    await expectLog(['SPOP', 'nokey'], []);
    await expectLog(['SPOP', 's'], [['SREM', 's', '1']]);
    expect(await call('EXISTS', 's')).toBe(0);
    await call('SADD', 'p', 'a', 'b', 'c', 'd');
    log.length = 0;
    const popped: string[] = await call('SPOP', 'p', '2');
    expect(log).toEqual([['SREM', 'p', ...popped]]);
    await expectLog(['SPOP', 'p', '2'], [['DEL', 'p']]);
    await call('SADD', 'a', '1', '2');
    await call('SADD', 'b', '2', '3');
    await expectLog(['SINTERSTORE', 'd', 'a', 'b'], [['SADD', 'd', '2']]);
    await expectLog(['SUNIONSTORE', 'd', 'a', 'b'], [['DEL', 'd'], ['SADD', 'd', '1', '2', '3']]);
    await expectLog(['SDIFFSTORE', 'd', 'a', 'b'], [['DEL', 'd'], ['SADD', 'd', '1']]);
    await expectLog(['SINTERSTORE', 'd', 'a', 'nokey'], [['DEL', 'd']]);
    await expectLog(['SINTERSTORE', 'd', 'a', 'nokey'], []);
    for (const r of [['SMEMBERS', 'a'], ['SINTER', 'a', 'b'], ['SRANDMEMBER', 'a', '-5'], ['SSCAN', 'a', '0'], ['SINTERCARD', '1', 'a']]) {
      await expectLog(r, []);
    }
    await call('SADD', 'big', ...range(3000, (i) => `m${i}`));
    const units: string[] = [];
    b.server!.log.addConsumer((unit) => units.push(unit));
    log.length = 0;
    await call('SUNIONSTORE', 'big2', 'big');
    expect(log.map((a) => a.length)).toEqual([1026, 1026, 954]);
    expect(log.every((a) => a[0] === 'SADD' && a[1] === 'big2')).toBe(true);
    // One command, one atomic unit for the AOF and replicas.
    expect(units.length).toBe(1);
    expect(units[0].startsWith('*1\r\n$5\r\nMULTI\r\n')).toBe(true);
    expect(units[0].endsWith('*1\r\n$4\r\nEXEC\r\n')).toBe(true);
    units.length = 0;
    await call('SUNIONSTORE', 'big2', 'a');
    expect(units.length).toBe(1);
    expect(units[0]).toContain('$3\r\nDEL\r\n');
    expect(units[0]).toContain('$4\r\nSADD\r\n');
  });

  it('replaying the stream of a random workload rebuilds the same keyspace', async () => {
    const call = await setup();
    let seed = 4242;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const member = () => (rnd(3) === 0 ? `m${rnd(40)}` : String(rnd(40)));
    for (let i = 0; i < 4000; i++) {
      const k = () => `s${rnd(6)}`;
      const op = rnd(10);
      try {
        if (op === 0 || op === 1) await call('SADD', k(), member(), member(), member());
        else if (op === 2) await call('SREM', k(), member(), member());
        else if (op === 3) await call('SPOP', k());
        else if (op === 4) await call('SPOP', k(), String(rnd(6)));
        else if (op === 5) await call('SMOVE', k(), k(), member());
        else if (op === 6) await call('SINTERSTORE', k(), k(), k());
        else if (op === 7) await call('SUNIONSTORE', k(), k(), k());
        else if (op === 8) await call('SDIFFSTORE', k(), k(), k(), k());
        else await call('SRANDMEMBER', k(), String(rnd(9) - 4));
      } catch {
        // refused: nothing propagated
      }
    }
    const replica = new Server(testConfig(), { clock: new ManualClock(1_700_000_000_000) });
    const rc = replica.connectLocal(() => {});
    for (const argv of log) rc.onData(encodeArgs(argv));
    expect(dump(replica)).toEqual(dump(b.server!));
    // The encodings follow from the content, so they replay too.
    for (const db of b.server!.ks.dbs) {
      for (const e of db.entries()) {
        const key = e.key;
        const other = replica.ks.dbs[db.index].entry(key)!;
        expect([key, (other.value as SetValue).encoding()]).toEqual([key, (e.value as SetValue).encoding()]);
      }
    }
    await replica.close();
  });
});

describe('sets: SSCAN guarantee under concurrent change (in-process)', () => {
  let b: Backend;
  afterEach(async () => {
    await b.close();
  });

  it('members present throughout come back at least once while others come and go', async () => {
    b = await inProcess();
    const call = (...a: Arg[]) => b.conn.call(...a);
    const c2 = await b.connect();
    let seed = 99;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      await call('DEL', 's');
      const stable: string[] = [];
      const args: string[] = [];
      for (let i = 0; i < 800; i++) {
        if (i % 2 === 0) {
          const m = `s${round}:${i}`;
          stable.push(m);
          args.push(m);
        } else args.push(`t${i}`);
      }
      await call('SADD', 's', ...args);
      const seen = new Set<string>();
      const churned = new Set<string>();
      let cursor = '0';
      let other = '0';
      let steps = 0;
      do {
        const [next, items] = await call('SSCAN', 's', cursor, 'COUNT', 1 + rnd(30));
        for (const m of items) seen.add(m);
        cursor = next;
        // Another client scans the same set concurrently.
        [other] = await c2.call('SSCAN', 's', other, 'COUNT', 7);
        for (let k = 0; k < 8; k++) await call('SREM', 's', `t${rnd(1600)}`);
        for (let k = 0; k < 8; k++) await call('SADD', 's', `t${rnd(1600)}`);
        if (rnd(4) === 0) {
          // Popped and put back: not present throughout, so no longer guaranteed.
          const p: string[] = await call('SPOP', 's', '3');
          for (const m of p) churned.add(m);
          if (p.length > 0) await call('SADD', 's', ...p);
        }
        if (++steps > 10_000) throw new Error('SSCAN did not terminate');
      } while (cursor !== '0');
      for (const m of stable) if (!churned.has(m)) expect(seen.has(m)).toBe(true);
    }
  });
});

describe('sets: SetValue', () => {
  it('compareInt64Strings orders canonical integers numerically', () => {
    const nums = ['0', '-1', '1', '10', '-10', '9', '-9', '9223372036854775807', '-9223372036854775808', '123456789012345678', '-99'];
    const want = [...nums].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
    expect([...nums].sort(compareInt64Strings)).toEqual(want);
  });

  it('clone is deep and keeps the encoding; from() computes the load-time encoding', () => {
    const cfg = { num: () => 3 };
    const s = new SetValue();
    for (const m of ['3', '1', '2']) s.add(m, cfg);
    expect(s.encoding()).toBe('intset');
    expect([...s.ordered()]).toEqual(['1', '2', '3']);
    s.add('4', cfg);
    expect(s.encoding()).toBe('hashtable');
    s.delete('4');
    const c = s.clone();
    expect(c.encoding()).toBe('hashtable');
    c.add('x', cfg);
    expect(s.has('x')).toBe(false);
    expect(SetValue.from(new Set(['1', '2']), cfg).encoding()).toBe('intset');
    expect(SetValue.from(new Set(['1', 'a']), cfg).encoding()).toBe('hashtable');
    expect(SetValue.from(new Set(['1', '2', '3', '4']), cfg).encoding()).toBe('hashtable');
  });
});
