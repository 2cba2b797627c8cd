// The hash family (HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS HGETALL HKEYS HVALS
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN) against every backend; every expectation below was
// observed on redis-server 7.0.15. The in-process blocks at the end check what only Hoard
// exposes: raw RESP2/RESP3 bytes compared with a real server's, the propagated stream and its
// replay, and HSCAN's guarantee while the hash changes between calls.

import { describe, it, expect, afterEach, beforeAll, afterAll } from 'vitest';
import { commandSuite, sleep } from '../helpers/suite.js';
import { inProcess, encodeArgs, redisServerAvailable, testConfig, type Arg, type Backend } from '../helpers/backends.js';
import { RawConn, RawSocket } from '../helpers/raw-conn.js';
import { spawnServer, type SpawnedServer } from '../helpers/proc.js';
import { dump } from '../helpers/dump.js';
import { Server } from '../../src/server/server.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { HashValue } from '../../src/types/hash.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const NOT_FLOAT = 'ERR value is not a valid float';
const SYNTAX = 'ERR syntax error';
const BIN = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x80, 0x00]);
const BIN2 = Buffer.from([0xfe, 0x00, 0x24, 0x2a]);
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;

/** Pairs of a flat [f1, v1, f2, v2...] reply, sorted by field. */
function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Runs an HSCAN iteration to the end, returning the flat [field, value...] items seen. */
async function hscanAll(call: (...a: Arg[]) => Promise<any>, key: string, ...opts: Arg[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  let rounds = 0;
  do {
    const [next, items] = await call('HSCAN', key, cursor, ...opts);
    expect(typeof next).toBe('string');
    seen.push(...items);
    cursor = next;
    if (++rounds > 100_000) throw new Error('HSCAN did not terminate');
  } while (cursor !== '0');
  return seen;
}

commandSuite('hashes: HSET HGET HMGET HMSET HSETNX', (t) => {
  it('HSET creates, counts only new fields, and overwrites', async () => {
    expect(await t.call('HSET', 'h', 'a', '1')).toBe(1);
    expect(await t.call('HSET', 'h', 'a', '2', 'b', '3', 'c', '4')).toBe(2);
    expect(await t.call('HGET', 'h', 'a')).toBe('2');
    expect(await t.call('HSET', 'h', 'a', 'x', 'a', 'y')).toBe(0);
    expect(await t.call('HGET', 'h', 'a')).toBe('y');
    expect(await t.call('HSET', 'n', 'f', '1', 'f', '2')).toBe(1);
    expect(await t.call('HGET', 'n', 'f')).toBe('2');
    expect(await t.call('HLEN', 'h')).toBe(3);
    expect(await t.call('TYPE', 'h')).toBe('hash');
  });

  it('HSET and HMSET need field/value pairs', async () => {
    expect(await t.error('HSET', 'h', 'a')).toBe(arity('hset'));
    expect(await t.error('HSET', 'h', 'a', '1', 'b')).toBe(arity('hset'));
    expect(await t.error('HMSET', 'h', 'a', '1', 'b')).toBe(arity('hmset'));
    expect(await t.error('HMSET', 'h')).toBe(arity('hmset'));
    expect(await t.call('EXISTS', 'h')).toBe(0);
  });

  it('HMSET answers OK', async () => {
    expect(await t.call('HMSET', 'h', 'a', '1', 'b', '2')).toBe('OK');
    expect(await t.call('HMSET', 'h', 'a', '3')).toBe('OK');
    expect(await t.call('HMGET', 'h', 'a', 'b', 'c')).toEqual(['3', '2', null]);
  });

  it('HSETNX sets only a missing field', async () => {
    expect(await t.call('HSETNX', 'h', 'a', '1')).toBe(1);
    expect(await t.call('HSETNX', 'h', 'a', '2')).toBe(0);
    expect(await t.call('HGET', 'h', 'a')).toBe('1');
    expect(await t.call('HSETNX', 'h', 'b', '2')).toBe(1);
    expect(await t.call('HLEN', 'h')).toBe(2);
    expect(await t.error('HSETNX', 'h', 'a', '1', 'b')).toBe(arity('hsetnx'));
  });

  it('HGET and HMGET on missing keys and fields', async () => {
    expect(await t.call('HGET', 'nope', 'f')).toBe(null);
    expect(await t.call('HMGET', 'nope', 'a', 'b')).toEqual([null, null]);
    await t.call('HSET', 'h', 'a', '1');
    expect(await t.call('HGET', 'h', 'zz')).toBe(null);
    expect(await t.call('HMGET', 'h', 'zz', 'a', 'a')).toEqual([null, '1', '1']);
    expect(await t.error('HGET', 'h')).toBe(arity('hget'));
    expect(await t.error('HMGET', 'h')).toBe(arity('hmget'));
  });

  it('fields and values are binary-safe, empty ones included', async () => {
    expect(await t.call('HSET', BIN, BIN2, BIN, '', '')).toBe(2);
    expect(await t.callBuffer('HGET', BIN, BIN2)).toEqual(BIN);
    expect(await t.callBuffer('HGET', BIN, '')).toEqual(Buffer.alloc(0));
    expect(await t.call('HSTRLEN', BIN, BIN2)).toBe(BIN.length);
    expect(await t.callBuffer('HGETALL', BIN)).toEqual([BIN2, BIN, Buffer.alloc(0), Buffer.alloc(0)]);
    expect(await t.call('HEXISTS', BIN, '')).toBe(1);
  });
});

commandSuite('hashes: HDEL HLEN HSTRLEN HEXISTS', (t) => {
  it('HDEL counts fields removed and deletes the emptied key', async () => {
    await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    expect(await t.call('HDEL', 'h', 'a', 'a', 'zz')).toBe(1);
    expect(await t.call('HLEN', 'h')).toBe(2);
    expect(await t.call('HDEL', 'h', 'b', 'c', 'd')).toBe(2);
    expect(await t.call('EXISTS', 'h')).toBe(0);
    expect(await t.call('HDEL', 'h', 'a')).toBe(0);
    expect(await t.error('HDEL', 'h')).toBe(arity('hdel'));
  });

  it('HLEN, HSTRLEN and HEXISTS', async () => {
    expect(await t.call('HLEN', 'h')).toBe(0);
    expect(await t.call('HSTRLEN', 'h', 'a')).toBe(0);
    expect(await t.call('HEXISTS', 'h', 'a')).toBe(0);
    await t.call('HSET', 'h', 'a', 'hello', 'n', '-1234', 'e', '');
    expect(await t.call('HLEN', 'h')).toBe(3);
    expect(await t.call('HSTRLEN', 'h', 'a')).toBe(5);
    expect(await t.call('HSTRLEN', 'h', 'n')).toBe(5);
    expect(await t.call('HSTRLEN', 'h', 'e')).toBe(0);
    expect(await t.call('HSTRLEN', 'h', 'zz')).toBe(0);
    expect(await t.call('HEXISTS', 'h', 'e')).toBe(1);
    expect(await t.call('HEXISTS', 'h', 'zz')).toBe(0);
    expect(await t.error('HLEN', 'h', 'x')).toBe(arity('hlen'));
    expect(await t.error('HSTRLEN', 'h')).toBe(arity('hstrlen'));
    expect(await t.error('HEXISTS', 'h')).toBe(arity('hexists'));
  });
});

commandSuite('hashes: HGETALL HKEYS HVALS', (t) => {
  it('a missing key is empty', async () => {
    expect(await t.call('HGETALL', 'h')).toEqual([]);
    expect(await t.call('HKEYS', 'h')).toEqual([]);
    expect(await t.call('HVALS', 'h')).toEqual([]);
  });

  it('a small hash answers in insertion order: updates keep their place, re-added fields go last', async () => {
    await t.call('HSET', 'h', 'z', '1', 'a', '2', 'm', '3');
    await t.call('HDEL', 'h', 'z');
    await t.call('HSET', 'h', 'z', '9', 'a', '7');
    expect(await t.call('HGETALL', 'h')).toEqual(['a', '7', 'm', '3', 'z', '9']);
    expect(await t.call('HKEYS', 'h')).toEqual(['a', 'm', 'z']);
    expect(await t.call('HVALS', 'h')).toEqual(['7', '3', '9']);
  });

  it('a large hash answers every pair', async () => {
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(`f${i}`, `v${i}`);
    await t.call('HSET', 'h', ...args);
    const all = await t.call('HGETALL', 'h');
    expect(all.length).toBe(2000);
    expect(pairs(all)).toEqual(pairs(args));
    expect((await t.call('HKEYS', 'h')).sort()).toEqual(args.filter((_, i) => i % 2 === 0).sort());
    expect((await t.call('HVALS', 'h')).sort()).toEqual(args.filter((_, i) => i % 2 === 1).sort());
  });

  it('arity', async () => {
    expect(await t.error('HGETALL')).toBe(arity('hgetall'));
    expect(await t.error('HKEYS', 'a', 'b')).toBe(arity('hkeys'));
    expect(await t.error('HVALS')).toBe(arity('hvals'));
  });
});

commandSuite('hashes: HINCRBY HINCRBYFLOAT', (t) => {
  it('HINCRBY creates the key and field, adds, and keeps int64 exact', async () => {
    expect(await t.call('HINCRBY', 'h', 'n', '5')).toBe(5);
    expect(await t.call('HINCRBY', 'h', 'n', '-7')).toBe(-2);
    expect(await t.call('HGET', 'h', 'n')).toBe('-2');
    await t.call('HSET', 'h', 'big', '9223372036854775806');
    await t.call('HINCRBY', 'h', 'big', '1');
    expect(await t.call('HGET', 'h', 'big')).toBe('9223372036854775807');
    await t.call('HINCRBY', 'h', 'small', '-9223372036854775808');
    expect(await t.call('HGET', 'h', 'small')).toBe('-9223372036854775808');
  });

  it('HINCRBY errors', async () => {
    await t.call('HSET', 'h', 'big', '9223372036854775807', 's', 'hello', 'f', '1.5', 'sp', ' 1', 'z', '01');
    expect(await t.error('HINCRBY', 'h', 'big', '1')).toBe('ERR increment or decrement would overflow');
    expect(await t.error('HINCRBY', 'h', 's', '1')).toBe('ERR hash value is not an integer');
    expect(await t.error('HINCRBY', 'h', 'f', '1')).toBe('ERR hash value is not an integer');
    expect(await t.error('HINCRBY', 'h', 'sp', '1')).toBe('ERR hash value is not an integer');
    expect(await t.error('HINCRBY', 'h', 'z', '1')).toBe('ERR hash value is not an integer');
    expect(await t.error('HINCRBY', 'h', 'n', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('HINCRBY', 'h', 'n', '1.0')).toBe(NOT_INTEGER);
    expect(await t.error('HINCRBY', 'h', 'n', '9223372036854775808')).toBe(NOT_INTEGER);
    expect(await t.error('HINCRBY', 'nokey', 'n', 'x')).toBe(NOT_INTEGER);
    expect(await t.call('EXISTS', 'nokey')).toBe(0);
    expect(await t.call('HEXISTS', 'h', 'n')).toBe(0);
    expect(await t.error('HINCRBY', 'h', 'n')).toBe(arity('hincrby'));
  });

  it('HINCRBYFLOAT computes in long double and answers Redis text', async () => {
    expect(await t.call('HINCRBYFLOAT', 'h', 'f', '10.5')).toBe('10.5');
    expect(await t.call('HINCRBYFLOAT', 'h', 'f', '0.1')).toBe('10.6');
    expect(await t.call('HINCRBYFLOAT', 'h', 'g', '0.1')).toBe('0.1');
    expect(await t.call('HINCRBYFLOAT', 'h', 'g', '0.2')).toBe('0.3');
    expect(await t.call('HINCRBYFLOAT', 'h', 'i', '5.0e3')).toBe('5000');
    expect(await t.call('HINCRBYFLOAT', 'h', 'i', '-5000')).toBe('0');
    expect(await t.call('HINCRBYFLOAT', 'h', 'x', '0x10')).toBe('16');
    await t.call('HSET', 'h', 'n', '17');
    expect(await t.call('HINCRBYFLOAT', 'h', 'n', '1.5')).toBe('18.5');
    await t.call('HSET', 'h', 'e', '1e308');
    expect((await t.call('HINCRBYFLOAT', 'h', 'e', '1e308')).length).toBe(309);
    expect(await t.call('HGET', 'h', 'f')).toBe('10.6');
  });

  it('HINCRBYFLOAT errors', async () => {
    await t.call('HSET', 'h', 's', 'hello', 'sp', ' 1', 'huge', '1e4932');
    expect(await t.error('HINCRBYFLOAT', 'h', 's', '1')).toBe('ERR hash value is not a float');
    expect(await t.error('HINCRBYFLOAT', 'h', 'sp', '1')).toBe('ERR hash value is not a float');
    expect(await t.error('HINCRBYFLOAT', 'h', 'f', 'abc')).toBe(NOT_FLOAT);
    expect(await t.error('HINCRBYFLOAT', 'h', 'f', ' 1')).toBe(NOT_FLOAT);
    expect(await t.error('HINCRBYFLOAT', 'h', 'f', 'nan')).toBe(NOT_FLOAT);
    expect(await t.error('HINCRBYFLOAT', 'h', 'f', 'inf')).toBe('ERR value is NaN or Infinity');
    expect(await t.error('HINCRBYFLOAT', 'h', 'f', '-infinity')).toBe('ERR value is NaN or Infinity');
    expect(await t.error('HINCRBYFLOAT', 'h', 'huge', '1e4932')).toBe('ERR increment would produce NaN or Infinity');
    expect(await t.call('HGET', 'h', 'huge')).toBe('1e4932');
    expect(await t.error('HINCRBYFLOAT', 'nokey', 'f', 'inf')).toBe('ERR value is NaN or Infinity');
    expect(await t.call('EXISTS', 'nokey')).toBe(0);
    expect(await t.error('HINCRBYFLOAT', 'h', 'f')).toBe(arity('hincrbyfloat'));
  });
});

commandSuite('hashes: HRANDFIELD', (t) => {
  it('without a count: one field, or nil', async () => {
    expect(await t.call('HRANDFIELD', 'h')).toBe(null);
    await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(await t.call('HRANDFIELD', 'h'));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });

  it('a positive count gives distinct fields; at least the size gives the whole hash in order', async () => {
    expect(await t.call('HRANDFIELD', 'h', '3')).toEqual([]);
    expect(await t.call('HRANDFIELD', 'h', '-3', 'WITHVALUES')).toEqual([]);
    await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5');
    expect(await t.call('HRANDFIELD', 'h', '0')).toEqual([]);
    expect(await t.call('HRANDFIELD', 'h', '0', 'WITHVALUES')).toEqual([]);
    expect(await t.call('HRANDFIELD', 'h', '5')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await t.call('HRANDFIELD', 'h', '100', 'withvalues')).toEqual(['a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5']);
    for (let i = 0; i < 30; i++) {
      const n = 1 + (i % 4);
      const got: string[] = await t.call('HRANDFIELD', 'h', n);
      expect(got.length).toBe(n);
      expect(new Set(got).size).toBe(n);
      for (const f of got) expect('abcde').toContain(f);
      const wv: string[] = await t.call('HRANDFIELD', 'h', n, 'WITHVALUES');
      expect(wv.length).toBe(2 * n);
      for (let j = 0; j < wv.length; j += 2) expect(wv[j + 1]).toBe(String('abcde'.indexOf(wv[j]) + 1));
    }
  });

  it('a negative count allows repeats and always gives |count| fields', async () => {
    await t.call('HSET', 'h', 'only', 'v');
    expect(await t.call('HRANDFIELD', 'h', '-4')).toEqual(['only', 'only', 'only', 'only']);
    expect(await t.call('HRANDFIELD', 'h', '-2', 'WITHVALUES')).toEqual(['only', 'v', 'only', 'v']);
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(`f${i}`, `v${i}`);
    await t.call('HSET', 'big', ...args);
    const got: string[] = await t.call('HRANDFIELD', 'big', '-1000', 'WITHVALUES');
    expect(got.length).toBe(2000);
    for (let j = 0; j < got.length; j += 2) expect(got[j + 1]).toBe('v' + got[j].slice(1));
    // 1000 picks among 300 fields: each is seen, none is missing by more than chance allows.
    expect(new Set(got.filter((_, i) => i % 2 === 0)).size).toBeGreaterThan(200);
  });

  it('a large hash samples distinct fields at any count', async () => {
    const args: string[] = [];
    for (let i = 0; i < 600; i++) args.push(`f${i}`, String(i));
    await t.call('HSET', 'h', ...args);
    for (const n of [1, 10, 199, 200, 201, 450, 599, 600, 601]) {
      const got: string[] = await t.call('HRANDFIELD', 'h', n);
      expect(got.length).toBe(Math.min(n, 600));
      expect(new Set(got).size).toBe(got.length);
    }
  });

  it('errors: count, option, range', async () => {
    await t.call('HSET', 'h', 'a', '1');
    expect(await t.error('HRANDFIELD', 'h', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('HRANDFIELD', 'h', '1', 'foo')).toBe(SYNTAX);
    expect(await t.error('HRANDFIELD', 'h', '1', 'WITHVALUES', 'x')).toBe(SYNTAX);
    expect(await t.error('HRANDFIELD', 'nokey', '1', 'foo')).toBe(SYNTAX);
    expect(await t.error('HRANDFIELD', 'h', 'x', 'foo')).toBe(NOT_INTEGER);
    expect(await t.error('HRANDFIELD', 'h', '9223372036854775808')).toBe(NOT_INTEGER);
    expect(await t.error('HRANDFIELD', 'h', '-9223372036854775808')).toBe(
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect(await t.error('HRANDFIELD', 'nokey', '-9223372036854775808')).toBe(
      'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
    );
    expect(await t.error('HRANDFIELD', 'h', '9223372036854775807', 'WITHVALUES')).toBe('ERR value is out of range');
    expect(await t.error('HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES')).toBe('ERR value is out of range');
    expect(await t.call('HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES')).toEqual(['a', '1']);
    expect(await t.call('HRANDFIELD', 'h', '9223372036854775807')).toEqual(['a']);
    expect(await t.error('HRANDFIELD')).toBe(arity('hrandfield'));
  });
});

commandSuite('hashes: HSCAN', (t) => {
  it('a missing key is an empty, finished scan, whatever the options', async () => {
    expect(await t.call('HSCAN', 'h', '0')).toEqual(['0', []]);
    expect(await t.call('HSCAN', 'h', '0', 'COUNT', '0')).toEqual(['0', []]);
    expect(await t.call('HSCAN', 'h', '0', 'BOGUS')).toEqual(['0', []]);
    expect(await t.error('HSCAN', 'h', 'abc')).toBe('ERR invalid cursor');
  });

  it('a small hash comes back whole in one call, in order, whatever COUNT and cursor', async () => {
    await t.call('HSET', 'h', 'b', '1', 'a', '2', 'c', '3');
    expect(await t.call('HSCAN', 'h', '0')).toEqual(['0', ['b', '1', 'a', '2', 'c', '3']]);
    expect(await t.call('HSCAN', 'h', '0', 'COUNT', '1')).toEqual(['0', ['b', '1', 'a', '2', 'c', '3']]);
    expect(await t.call('HSCAN', 'h', '12345')).toEqual(['0', ['b', '1', 'a', '2', 'c', '3']]);
    expect(await t.call('HSCAN', 'h', '0', 'MATCH', '[ab]')).toEqual(['0', ['b', '1', 'a', '2']]);
    expect(await t.call('HSCAN', 'h', '0', 'match', 'x*', 'count', '5')).toEqual(['0', []]);
    expect(await t.call('HSCAN', 'h', '0', 'MATCH', 'x*', 'MATCH', 'c')).toEqual(['0', ['c', '3']]);
  });

  it('cursor syntax is strtoul: "", signs and up to 2^64-1', async () => {
    await t.call('HSET', 'h', 'a', '1');
    for (const c of ['', '+0', '-0', '-1', '18446744073709551615', '007']) {
      expect(await t.call('HSCAN', 'h', c)).toEqual(['0', ['a', '1']]);
    }
    for (const c of ['-', '+', ' 1', '1 ', '1x', '18446744073709551616', '0x1']) {
      expect(await t.error('HSCAN', 'h', c)).toBe('ERR invalid cursor');
    }
  });

  it('option errors', async () => {
    await t.call('HSET', 'h', 'a', '1');
    expect(await t.error('HSCAN', 'h', '0', 'COUNT', '0')).toBe(SYNTAX);
    expect(await t.error('HSCAN', 'h', '0', 'COUNT', '-1')).toBe(SYNTAX);
    expect(await t.error('HSCAN', 'h', '0', 'COUNT', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('HSCAN', 'h', '0', 'COUNT')).toBe(SYNTAX);
    expect(await t.error('HSCAN', 'h', '0', 'MATCH')).toBe(SYNTAX);
    expect(await t.error('HSCAN', 'h', '0', 'TYPE', 'string')).toBe(SYNTAX);
    expect(await t.error('HSCAN', 'h', '0', 'NOVALUES')).toBe(SYNTAX);
    expect(await t.error('HSCAN', 'h')).toBe(arity('hscan'));
  });

  it('a large hash is iterated in steps and every field comes back', async () => {
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(`f${i}`, `v${i}`);
    await t.call('HSET', 'h', ...args);
    const [first, items] = await t.call('HSCAN', 'h', '0');
    expect(first).not.toBe('0');
    expect(items.length).toBeLessThan(2000);
    const all = await hscanAll(t.call, 'h', 'COUNT', 37);
    const got = new Map<string, string>();
    for (let i = 0; i < all.length; i += 2) got.set(all[i], all[i + 1]);
    expect(got.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(got.get(`f${i}`)).toBe(`v${i}`);
    const matched = await hscanAll(t.call, 'h', 'MATCH', 'f1?', 'COUNT', 100);
    expect(pairs(matched).map((p) => p[0])).toEqual(['f10', 'f11', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f19']);
  });
});

commandSuite('hashes: WRONGTYPE and expiry', (t) => {
  it('every hash command refuses another type and changes nothing', async () => {
    await t.call('SET', 's', 'v');
    const cmds: Arg[][] = [
      ['HSET', 's', 'a', '1'],
      ['HSETNX', 's', 'a', '1'],
      ['HMSET', 's', 'a', '1'],
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'],
      ['HDEL', 's', 'a'],
      ['HLEN', 's'],
      ['HSTRLEN', 's', 'a'],
      ['HEXISTS', 's', 'a'],
      ['HGETALL', 's'],
      ['HKEYS', 's'],
      ['HVALS', 's'],
      ['HINCRBY', 's', 'a', '1'],
      ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '2'],
      ['HRANDFIELD', 's', '-2', 'WITHVALUES'],
      ['HSCAN', 's', '0'],
    ];
    for (const c of cmds) expect([c, await t.error(...c)]).toEqual([c, WRONGTYPE]);
    expect(await t.call('GET', 's')).toBe('v');
    // Argument errors that Redis checks before the type.
    expect(await t.error('HINCRBY', 's', 'a', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('HINCRBYFLOAT', 's', 'a', 'x')).toBe(NOT_FLOAT);
    expect(await t.error('HSCAN', 's', 'x')).toBe('ERR invalid cursor');
    expect(await t.error('HRANDFIELD', 's', '1', 'x')).toBe(SYNTAX);
    await t.call('HSET', 'h', 'a', '1');
    expect(await t.error('GET', 'h')).toBe(WRONGTYPE);
  });

  it('an expired hash is gone for every command', async () => {
    await t.call('HSET', 'h', 'a', '1', 'b', '2');
    await t.call('PEXPIRE', 'h', 100);
    await sleep(150);
    expect(await t.call('HLEN', 'h')).toBe(0);
    expect(await t.call('HSET', 'h', 'c', '3')).toBe(1);
    expect(await t.call('HGETALL', 'h')).toEqual(['c', '3']);
    expect(await t.call('TTL', 'h')).toBe(-1);
  });

  it('a write keeps the TTL', async () => {
    await t.call('HSET', 'h', 'a', '1');
    await t.call('EXPIRE', 'h', 100);
    await t.call('HSET', 'h', 'b', '2');
    await t.call('HINCRBY', 'h', 'c', '1');
    await t.call('HDEL', 'h', 'a');
    expect(await t.call('TTL', 'h')).toBe(100);
  });
});

const long = (n: number) => 'x'.repeat(n);

commandSuite(
  'hashes: OBJECT ENCODING (hash-max-listpack-entries 4, value 16)',
  (t) => {
    it('listpack until a fifth field, then hashtable for good', async () => {
      await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
      await t.call('HSET', 'h', 'e', '5');
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
      await t.call('HDEL', 'h', 'a', 'b', 'c', 'd');
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    });

    it('a field or value longer than 16 bytes converts, from any writer', async () => {
      await t.call('HSET', 'a', 'f', long(16), long(16), 'v');
      expect(await t.call('OBJECT', 'ENCODING', 'a')).toBe('listpack');
      await t.call('HSET', 'a', 'g', long(17));
      expect(await t.call('OBJECT', 'ENCODING', 'a')).toBe('hashtable');
      await t.call('HSET', 'b', long(17), '1');
      expect(await t.call('OBJECT', 'ENCODING', 'b')).toBe('hashtable');
      await t.call('HSET', 'c', 'f', '1');
      await t.call('HSETNX', 'c', 'f', long(17));
      expect(await t.call('OBJECT', 'ENCODING', 'c')).toBe('listpack');
      await t.call('HSETNX', 'c', 'g', long(17));
      expect(await t.call('OBJECT', 'ENCODING', 'c')).toBe('hashtable');
      await t.call('HSET', 'd', 'f', '1');
      await t.call('HINCRBYFLOAT', 'd', 'f', '1e20');
      expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('hashtable');
      await t.call('HINCRBY', 'e', long(17), '1');
      expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('hashtable');
      await t.call('HMSET', 'f', 'a', long(17));
      expect(await t.call('OBJECT', 'ENCODING', 'f')).toBe('hashtable');
      await t.call('HSET', 'g', 'a', '1');
      await t.call('HMGET', 'g', long(17));
      await t.call('HGET', 'g', long(17));
      expect(await t.call('OBJECT', 'ENCODING', 'g')).toBe('listpack');
    });

    it('COPY keeps the encoding', async (ctx) => {
      await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5');
      await t.call('HDEL', 'h', 'e');
      try {
        expect(await t.call('COPY', 'h', 'h2')).toBe(1);
      } catch (err) {
        if (/unknown command/.test((err as Error).message)) ctx.skip();
        throw err;
      }
      expect(await t.call('OBJECT', 'ENCODING', 'h2')).toBe('hashtable');
      expect(pairs(await t.call('HGETALL', 'h2'))).toEqual(pairs(await t.call('HGETALL', 'h')));
      await t.call('HSET', 'h2', 'z', '1');
      expect(await t.call('HEXISTS', 'h', 'z')).toBe(0);
    });
  },
  { 'hash-max-listpack-entries': '4', 'hash-max-listpack-value': '16' },
);

commandSuite('hashes: OBJECT ENCODING defaults', (t) => {
  it('512 fields of up to 64 bytes stay a listpack', async () => {
    const args: string[] = [];
    for (let i = 0; i < 512; i++) args.push(`f${i}`, long(64));
    await t.call('HSET', 'h', ...args);
    expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    await t.call('HSET', 'h', 'one-more', '1');
    expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    await t.call('HSET', 'v', 'f', long(65));
    expect(await t.call('OBJECT', 'ENCODING', 'v')).toBe('hashtable');
  });
});

/** Every byte that could trip a packed form: NUL, 0xff, CR LF, a varint-looking 0x80, and nothing. */
const B = (...bytes: number[]) => Buffer.from(bytes);
const NUL = B(0x00);
const FF = B(0xff);
const CRLF_BYTES = B(0x0d, 0x0a);
const MIXED = B(0x80, 0x00, 0xff, 0x01, 0x7f);
const EMPTY = Buffer.alloc(0);

/** HGETALL (RESP2: flat) as buffers, in the server's order. */
async function getallBuf(t: { callBuffer(...a: Arg[]): Promise<any> }, key: Arg): Promise<Buffer[]> {
  return t.callBuffer('HGETALL', key);
}

commandSuite('hashes: the listpack form keeps bytes and order exactly', (t) => {
  it('binary fields and values (NUL, 0xff, CR LF, empty) in a listpack, through every reader', async () => {
    expect(await t.call('HSET', 'h', NUL, FF, EMPTY, EMPTY, FF, NUL, CRLF_BYTES, MIXED, MIXED, CRLF_BYTES)).toBe(5);
    expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
    const order = [NUL, FF, EMPTY, EMPTY, FF, NUL, CRLF_BYTES, MIXED, MIXED, CRLF_BYTES];
    expect(await getallBuf(t, 'h')).toEqual(order);
    expect(await t.callBuffer('HKEYS', 'h')).toEqual([NUL, EMPTY, FF, CRLF_BYTES, MIXED]);
    expect(await t.callBuffer('HVALS', 'h')).toEqual([FF, EMPTY, NUL, MIXED, CRLF_BYTES]);
    expect(await t.callBuffer('HMGET', 'h', EMPTY, NUL, B(0x00, 0x00), FF)).toEqual([EMPTY, FF, null, NUL]);
    expect(await t.call('HSTRLEN', 'h', MIXED)).toBe(2);
    expect(await t.call('HSTRLEN', 'h', EMPTY)).toBe(0);
    expect(await t.call('HEXISTS', 'h', EMPTY)).toBe(1);
    expect(await t.call('HEXISTS', 'h', B(0x80))).toBe(0);
    const [cursor, items] = await t.callBuffer('HSCAN', 'h', '0', 'COUNT', '1');
    expect(cursor.toString()).toBe('0');
    expect(items).toEqual(order);
    expect(await t.callBuffer('HRANDFIELD', 'h', '5', 'WITHVALUES')).toEqual(order);
    const picked: Buffer[] = await t.callBuffer('HRANDFIELD', 'h', '-20', 'WITHVALUES');
    expect(picked.length).toBe(40);
    for (let i = 0; i < picked.length; i += 2) {
      const j = order.findIndex((b, k) => k % 2 === 0 && b.equals(picked[i]));
      expect(j).toBeGreaterThanOrEqual(0);
      expect(picked[i + 1]).toEqual(order[j + 1]);
    }
    const distinct: Buffer[] = await t.callBuffer('HRANDFIELD', 'h', '3', 'WITHVALUES');
    expect(distinct.length).toBe(6);
    expect(new Set(distinct.filter((_, i) => i % 2 === 0).map((b) => b.toString('hex'))).size).toBe(3);
    for (let i = 0; i < distinct.length; i += 2) {
      const j = order.findIndex((b, k) => k % 2 === 0 && b.equals(distinct[i]));
      expect(j).toBeGreaterThanOrEqual(0);
      expect(distinct[i + 1]).toEqual(order[j + 1]);
    }
    // Updates in place with values of other lengths (binary too), then deletes of edge fields.
    expect(await t.call('HSET', 'h', EMPTY, MIXED, NUL, EMPTY)).toBe(0);
    expect(await t.call('HDEL', 'h', FF, B(0x80))).toBe(1);
    expect(await getallBuf(t, 'h')).toEqual([NUL, EMPTY, EMPTY, MIXED, CRLF_BYTES, MIXED, MIXED, CRLF_BYTES]);
    expect(await t.call('HSET', 'h', FF, FF)).toBe(1);
    expect(await t.call('HDEL', 'h', EMPTY)).toBe(1);
    expect(await getallBuf(t, 'h')).toEqual([NUL, EMPTY, CRLF_BYTES, MIXED, MIXED, CRLF_BYTES, FF, FF]);
    expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
  });

  it('order after updates, deletes and re-adds, from every writer', async () => {
    await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    // Duplicates in one call: a new field takes its first position, its last value.
    expect(await t.call('HSET', 'h', 'e', 'x', 'b', 'B', 'e', 'y', 'a', '')).toBe(1);
    expect(await t.call('HGETALL', 'h')).toEqual(['a', '', 'b', 'B', 'c', '3', 'd', '4', 'e', 'y']);
    expect(await t.call('HDEL', 'h', 'b', 'd', 'nope')).toBe(2);
    expect(await t.call('HSETNX', 'h', 'b', 'again')).toBe(1);
    expect(await t.call('HSETNX', 'h', 'a', 'no')).toBe(0);
    expect(await t.call('HINCRBY', 'h', 'c', '-10')).toBe(-7);
    expect(await t.call('HINCRBY', 'h', 'n', '5')).toBe(5);
    expect(await t.call('HINCRBYFLOAT', 'h', 'e2', '1.5')).toBe('1.5');
    expect(await t.call('HINCRBYFLOAT', 'h', 'c', '0.25')).toBe('-6.75');
    expect(await t.call('HMSET', 'h', 'd', 'D', 'a', 'A')).toBe('OK');
    const want = ['a', 'A', 'c', '-6.75', 'e', 'y', 'b', 'again', 'n', '5', 'e2', '1.5', 'd', 'D'];
    expect(await t.call('HGETALL', 'h')).toEqual(want);
    expect(await t.call('HKEYS', 'h')).toEqual(want.filter((_, i) => i % 2 === 0));
    expect(await t.call('HVALS', 'h')).toEqual(want.filter((_, i) => i % 2 === 1));
    expect(await t.call('HSCAN', 'h', '0', 'MATCH', '*e*')).toEqual(['0', ['e', 'y', 'e2', '1.5']]);
    expect(await t.call('HRANDFIELD', 'h', '7')).toEqual(want.filter((_, i) => i % 2 === 0));
    expect(await t.call('HLEN', 'h')).toBe(7);
    // Emptied field by field, the key goes; created again, it starts from nothing.
    for (const f of ['d', 'e2', 'n', 'b', 'e', 'c']) await t.call('HDEL', 'h', f);
    expect(await t.call('HGETALL', 'h')).toEqual(['a', 'A']);
    expect(await t.call('HDEL', 'h', 'a')).toBe(1);
    expect(await t.call('EXISTS', 'h')).toBe(0);
    expect(await t.call('HSET', 'h', 'z', '1', 'a', '2')).toBe(2);
    expect(await t.call('HGETALL', 'h')).toEqual(['z', '1', 'a', '2']);
    expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
  });

  it('COPY of a listpack hash is independent, in the same order and encoding', async (ctx) => {
    await t.call('HSET', 'h', 'b', '1', NUL, FF, 'a', EMPTY);
    try {
      expect(await t.call('COPY', 'h', 'h2')).toBe(1);
    } catch (err) {
      if (/unknown command/.test((err as Error).message)) ctx.skip();
      throw err;
    }
    expect(await t.call('OBJECT', 'ENCODING', 'h2')).toBe('listpack');
    expect(await getallBuf(t, 'h2')).toEqual(await getallBuf(t, 'h'));
    await t.call('HSET', 'h2', 'b', '2', 'c', '3');
    await t.call('HDEL', 'h', 'a');
    expect(await t.call('HGETALL', 'h')).toEqual(['b', '1', '\x00', '\ufffd']);
    expect(await t.call('HGETALL', 'h2')).toEqual(['b', '2', '\x00', '\ufffd', 'a', '', 'c', '3']);
  });
});

commandSuite('hashes: conversion at the thresholds, after CONFIG SET', (t) => {
  const reset = async () => {
    await t.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'hash-max-listpack-value', '64');
  };

  it('hash-max-listpack-entries: exactly N fields stay a listpack, N + 1 convert, in one call or many', async () => {
    try {
      await t.call('CONFIG', 'SET', 'hash-max-listpack-entries', '3');
      await t.call('HSET', 'one', 'a', '1', 'b', '2', 'c', '3');
      expect(await t.call('OBJECT', 'ENCODING', 'one')).toBe('listpack');
      await t.call('HSET', 'one', 'c', 'updated', 'a', 'again');
      expect(await t.call('OBJECT', 'ENCODING', 'one')).toBe('listpack');
      expect(await t.call('HGETALL', 'one')).toEqual(['a', 'again', 'b', '2', 'c', 'updated']);
      await t.call('HSET', 'one', 'd', '4');
      expect(await t.call('OBJECT', 'ENCODING', 'one')).toBe('hashtable');
      expect(pairs(await t.call('HGETALL', 'one'))).toEqual(pairs(['a', 'again', 'b', '2', 'c', 'updated', 'd', '4']));
      // Four new fields in one HSET, duplicates counted once: three stay, four convert.
      expect(await t.call('HSET', 'multi', 'a', '1', 'b', '2', 'a', '3', 'c', '4')).toBe(3);
      expect(await t.call('OBJECT', 'ENCODING', 'multi')).toBe('listpack');
      expect(await t.call('HSET', 'multi2', 'a', '1', 'b', '2', 'c', '3', 'd', '4')).toBe(4);
      expect(await t.call('OBJECT', 'ENCODING', 'multi2')).toBe('hashtable');
      expect(await t.call('HDEL', 'multi2', 'a', 'b', 'c')).toBe(3);
      expect(await t.call('OBJECT', 'ENCODING', 'multi2')).toBe('hashtable');
      // 0: every hash is a hashtable from its first field.
      await t.call('CONFIG', 'SET', 'hash-max-listpack-entries', '0');
      await t.call('HSET', 'zero', 'a', '1');
      expect(await t.call('OBJECT', 'ENCODING', 'zero')).toBe('hashtable');
    } finally {
      await reset();
    }
  });

  it('a limit lowered below a listpack size: reads and deletes keep it, the next write converts', async () => {
    try {
      await t.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      await t.call('HSET', 'g', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      await t.call('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
      expect(await t.call('HGETALL', 'h')).toEqual(['a', '1', 'b', '2', 'c', '3', 'd', '4']);
      expect(await t.call('HDEL', 'h', 'a')).toBe(1);
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
      expect(await t.call('HGETALL', 'h')).toEqual(['b', '2', 'c', '3', 'd', '4']);
      // An update (no new field) converts too: hashTypeSet checks the length after any set.
      expect(await t.call('HSET', 'h', 'c', '3')).toBe(0);
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
      expect(await t.call('HINCRBY', 'g', 'a', '1')).toBe(2);
      expect(await t.call('OBJECT', 'ENCODING', 'g')).toBe('hashtable');
      expect(pairs(await t.call('HGETALL', 'g'))).toEqual(pairs(['a', '2', 'b', '2', 'c', '3', 'd', '4']));
    } finally {
      await reset();
    }
  });

  it('hash-max-listpack-value raised past 127 bytes (multi-byte lengths) and lowered to 0', async () => {
    try {
      await t.call('CONFIG', 'SET', 'hash-max-listpack-value', '300');
      const v300 = Buffer.alloc(300, 0xff);
      v300[0] = 0;
      const f200 = Buffer.alloc(200, 0x80);
      expect(await t.call('HSET', 'h', f200, v300, 'short', 'x'.repeat(128), 'mid', 'y'.repeat(127))).toBe(3);
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
      expect(await getallBuf(t, 'h')).toEqual([f200, v300, Buffer.from('short'), Buffer.from('x'.repeat(128)), Buffer.from('mid'), Buffer.from('y'.repeat(127))]);
      // Values grow and shrink across the one/two-byte length boundary in place.
      await t.call('HSET', 'h', 'short', 's', 'mid', 'z'.repeat(129));
      expect(await getallBuf(t, 'h')).toEqual([f200, v300, Buffer.from('short'), Buffer.from('s'), Buffer.from('mid'), Buffer.from('z'.repeat(129))]);
      expect(await t.call('HSTRLEN', 'h', f200)).toBe(300);
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('listpack');
      await t.call('HSET', 'h', 'long', 'q'.repeat(301));
      expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
      expect(await t.call('HSTRLEN', 'h', 'long')).toBe(301);
      await t.call('HSET', 'k', 'f'.repeat(301), '1');
      expect(await t.call('OBJECT', 'ENCODING', 'k')).toBe('hashtable');
      // 0: only an empty field with an empty value fits.
      await t.call('CONFIG', 'SET', 'hash-max-listpack-value', '0');
      await t.call('HSET', 'e', EMPTY, EMPTY);
      expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('listpack');
      expect(await t.call('HGETALL', 'e')).toEqual(['', '']);
      await t.call('HSET', 'e', 'a', EMPTY);
      expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('hashtable');
    } finally {
      await reset();
    }
  });
});

// ---- in-process only -------------------------------------------------------------------------

describe.runIf(redisServerAvailable())('hashes: raw RESP2/RESP3 bytes equal redis-server', () => {
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
          ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
          ['HGETALL', 'h'],
          ['HGETALL', 'nokey'],
          ['HKEYS', 'h'],
          ['HVALS', 'nokey'],
          ['HMGET', 'h', 'a', 'zz'],
          ['HGET', 'h', 'zz'],
          ['HRANDFIELD', 'nokey'],
          ['HRANDFIELD', 'nokey', '2'],
          ['HRANDFIELD', 'h', '0'],
          ['HRANDFIELD', 'h', '5'],
          ['HRANDFIELD', 'h', '5', 'WITHVALUES'],
          ['HRANDFIELD', 'h', '3', 'WITHVALUES'],
          ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'],
          ['HSET', 'one', 'f', 'v'],
          ['HRANDFIELD', 'one', '-2', 'WITHVALUES'],
          ['HRANDFIELD', 'one', '-2'],
          ['HSCAN', 'h', '0'],
          ['HSCAN', 'nokey', '0'],
          ['HINCRBYFLOAT', 'h', 'a', '0.5'],
          ['HINCRBY', 'h', 'b', '40'],
          ['HEXISTS', 'h', 'a'],
          ['HSTRLEN', 'h', 'a'],
          ['HDEL', 'h', 'a', 'b', 'c'],
          ['HLEN', 'h'],
          ['HSETNX', 'h', 'x', 'y'],
          ['HMSET', 'h', 'x', 'z'],
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

describe('hashes: propagation and replay (in-process, ManualClock)', () => {
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
    await expectLog(['HSET', 'h', 'a', '1', 'b', '2'], [['HSET', 'h', 'a', '1', 'b', '2']]);
    await expectLog(['HMSET', 'h', 'c', '3'], [['HSET', 'h', 'c', '3']]);
    await expectLog(['HSETNX', 'h', 'c', '4'], []);
    await expectLog(['HSETNX', 'h', 'd', '4'], [['HSET', 'h', 'd', '4']]);
    await expectLog(['HINCRBY', 'h', 'a', '5'], [['HINCRBY', 'h', 'a', '5']]);
    await expectLog(['HINCRBY', 'h', 'zz', 'x'], []);
    await expectLog(['HINCRBYFLOAT', 'h', 'b', '0.1'], [['HSET', 'h', 'b', '2.1']]);
    await expectLog(['HINCRBYFLOAT', 'h', 'b', '1e2'], [['HSET', 'h', 'b', '102.1']]);
    await expectLog(['HINCRBYFLOAT', 'h', 'b', 'inf'], []);
    await expectLog(['HDEL', 'h', 'zz'], []);
    await expectLog(['HDEL', 'h', 'a', 'zz'], [['HDEL', 'h', 'a', 'zz']]);
    for (const r of [['HGET', 'h', 'a'], ['HGETALL', 'h'], ['HRANDFIELD', 'h', '-3'], ['HSCAN', 'h', '0'], ['HLEN', 'h']]) {
      await expectLog(r, []);
    }
    await expectLog(['HDEL', 'h', 'b', 'c', 'd'], [['HDEL', 'h', 'b', 'c', 'd']]);
    expect(await call('EXISTS', 'h')).toBe(0);
  });

  it('replaying the stream of a random workload rebuilds the same keyspace', async () => {
    const call = await setup();
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const key = `h${rnd(5)}`;
      const f = `f${rnd(30)}`;
      const op = rnd(7);
      try {
        if (op === 0) await call('HSET', key, f, String(rnd(100)), `g${rnd(30)}`, 'x'.repeat(rnd(80)));
        else if (op === 1) await call('HDEL', key, f, `f${rnd(30)}`);
        else if (op === 2) await call('HINCRBY', key, f, String(rnd(21) - 10));
        else if (op === 3) await call('HINCRBYFLOAT', key, f, `${rnd(100)}.${rnd(100)}`);
        else if (op === 4) await call('HSETNX', key, f, 'nx');
        else if (op === 5) await call('HMSET', key, f, 'm');
        else await call('HRANDFIELD', key, String(rnd(5) - 2));
      } catch {
        // HINCRBY on a non-integer and the like: refused, nothing propagated
      }
    }
    const replica = new Server(testConfig(), { clock: new ManualClock(1_700_000_000_000) });
    const rc = replica.connectLocal(() => {});
    for (const argv of log) rc.onData(encodeArgs(argv));
    expect(dump(replica)).toEqual(dump(b.server!));
    await replica.close();
  });
});

describe('hashes: HSCAN guarantee under concurrent change (in-process)', () => {
  let b: Backend;
  afterEach(async () => {
    await b.close();
  });

  it('fields present throughout come back at least once while others come and go', async () => {
    b = await inProcess({ 'hash-max-listpack-entries': '8' });
    const call = (...a: Arg[]) => b.conn.call(...a);
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      await call('DEL', 'h');
      const stable: string[] = [];
      const args: string[] = [];
      for (let i = 0; i < 500; i++) {
        const f = `s${round}:${i}`;
        stable.push(f);
        args.push(f, String(i));
      }
      for (let i = 0; i < 500; i++) args.push(`t${i}`, 'x');
      // Interleave stable and transient fields in insertion order.
      await call('HSET', 'h', ...args);
      const seen = new Set<string>();
      let cursor = '0';
      let steps = 0;
      do {
        const [next, items] = await call('HSCAN', 'h', cursor, 'COUNT', 1 + rnd(40));
        for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
        cursor = next;
        // Churn between calls: delete transient fields (before and after the cursor), add
        // new ones, update stable ones in place; sometimes a second scan interleaves.
        for (let k = 0; k < 10; k++) await call('HDEL', 'h', `t${rnd(600)}`);
        for (let k = 0; k < 10; k++) await call('HSET', 'h', `t${rnd(600)}`, 'y');
        await call('HSET', 'h', stable[rnd(500)], 'updated');
        if (rnd(3) === 0) await call('HSCAN', 'h', String(rnd(1000)), 'COUNT', 5);
        if (++steps > 10_000) throw new Error('HSCAN did not terminate');
      } while (cursor !== '0');
      for (const f of stable) expect(seen.has(f)).toBe(true);
    }
  });

  it('an iteration ends even while fields are appended faster than it reads', async () => {
    b = await inProcess({ 'hash-max-listpack-entries': '8' });
    const call = (...a: Arg[]) => b.conn.call(...a);
    const args: string[] = [];
    for (let i = 0; i < 200; i++) args.push(`f${i}`, 'v');
    await call('HSET', 'h', ...args);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    let added = 0;
    do {
      const [next, items] = await call('HSCAN', 'h', cursor, 'COUNT', 2);
      for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
      cursor = next;
      for (let k = 0; k < 5; k++) await call('HSET', 'h', `new${added++}`, 'v');
      expect(++calls).toBeLessThanOrEqual(201);
    } while (cursor !== '0');
    for (let i = 0; i < 200; i++) expect(seen.has(`f${i}`)).toBe(true);
  });

  it('a cursor whose iterator was evicted still sees every field', async () => {
    b = await inProcess({ 'hash-max-listpack-entries': '8' });
    const call = (...a: Arg[]) => b.conn.call(...a);
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(`f${i}`, 'v');
    await call('HSET', 'h', ...args);
    // 40 interleaved scans: more than the cursor records (live iterators) a hash keeps.
    const cursors: string[] = [];
    const seen: Array<Set<string>> = [];
    for (let s = 0; s < 40; s++) {
      const [next, items] = await call('HSCAN', 'h', '0', 'COUNT', 20);
      cursors.push(next);
      seen.push(new Set(items.filter((_: string, i: number) => i % 2 === 0)));
    }
    // Deletions in front of every cursor: resumes that walk from the start must not lose their place.
    for (let i = 0; i < 15; i++) await call('HDEL', 'h', `f${i}`);
    let live = 40;
    while (live > 0) {
      live = 0;
      for (let s = 0; s < 40; s++) {
        if (cursors[s] === '0') continue;
        const [next, items] = await call('HSCAN', 'h', cursors[s], 'COUNT', 20);
        for (let i = 0; i < items.length; i += 2) seen[s].add(items[i]);
        cursors[s] = next;
        if (next !== '0') live++;
      }
    }
    for (let s = 0; s < 40; s++) {
      for (let i = 15; i < 300; i++) expect(seen[s].has(`f${i}`)).toBe(true);
    }
  });
});

describe('hashes: HashValue', () => {
  it('clone is deep and keeps order and encoding; from() computes the load-time encoding', () => {
    const cfg = { num: (n: string) => (n === 'hash-max-listpack-entries' ? 2 : 64) };
    const h = new HashValue();
    h.set('b', '1', cfg);
    h.set('a', '2', cfg);
    expect(h.encoding()).toBe('listpack');
    h.set('c', '3', cfg);
    expect(h.encoding()).toBe('hashtable');
    h.delete('c');
    const c = h.clone();
    expect([...c.entries()]).toEqual([
      ['b', '1'],
      ['a', '2'],
    ]);
    expect(c.encoding()).toBe('hashtable');
    c.set('z', 'z', cfg);
    expect(h.has('z')).toBe(false);
    expect(HashValue.from(new Map(c.entries()), cfg).encoding()).toBe('hashtable');
    expect(HashValue.from(new Map([['a', '1']]), cfg).encoding()).toBe('listpack');
  });
});
