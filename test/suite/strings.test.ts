// The string family (GET SET SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND
// STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS) against every backend;
// every expectation below was observed on redis-server 7.0.15. The in-process block at the end
// checks what only Hoard exposes: exact big-integer and RESP3 reply bytes, and that the
// propagated stream of a mixed workload replays into an identical keyspace.

import { describe, it, expect, afterEach } from 'vitest';
import { commandSuite, sleep } from '../helpers/suite.js';
import { RawConn } from '../helpers/raw-conn.js';
import { liveKeys, recordMutations, replay } from '../helpers/replay.js';
import { inProcess, type Arg, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';
import { ManualClock } from '../../src/keyspace/clock.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const NOT_FLOAT = 'ERR value is not a valid float';
const SYNTAX = 'ERR syntax error';
const TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const BIN = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x80, 0x00]);

commandSuite('strings: GET SET', (t) => {
  it('GET and SET round-trip values, binary-safe', async () => {
    expect(await t.call('GET', 'k')).toBe(null);
    expect(await t.call('SET', 'k', 'v')).toBe('OK');
    expect(await t.call('GET', 'k')).toBe('v');
    expect(await t.call('SET', 'k', '')).toBe('OK');
    expect(await t.call('GET', 'k')).toBe('');
    expect(await t.call('SET', BIN, BIN)).toBe('OK');
    expect(await t.callBuffer('GET', BIN)).toEqual(BIN);
    expect(await t.call('STRLEN', BIN)).toBe(BIN.length);
  });

  it('GET on another type is WRONGTYPE; SET overwrites any type', async () => {
    await t.call('SADD', 'l', 'a');
    expect(await t.error('GET', 'l')).toBe(WRONGTYPE);
    expect(await t.call('SET', 'l', 'v')).toBe('OK');
    expect(await t.call('TYPE', 'l')).toBe('string');
    expect(await t.call('GET', 'l')).toBe('v');
  });

  it('SET NX / XX', async () => {
    expect(await t.call('SET', 'k', '1', 'XX')).toBe(null);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('SET', 'k', '1', 'NX')).toBe('OK');
    expect(await t.call('SET', 'k', '2', 'nx')).toBe(null);
    expect(await t.call('GET', 'k')).toBe('1');
    expect(await t.call('SET', 'k', '3', 'xx')).toBe('OK');
    expect(await t.call('GET', 'k')).toBe('3');
    expect(await t.call('SET', 'k', '4', 'NX', 'NX')).toBe(null);
    expect(await t.error('SET', 'k', 'v', 'NX', 'XX')).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'XX', 'NX')).toBe(SYNTAX);
  });

  it('SET GET returns the old value, with NX and XX too', async () => {
    expect(await t.call('SET', 'k', 'a', 'GET')).toBe(null);
    expect(await t.call('SET', 'k', 'b', 'GET')).toBe('a');
    expect(await t.call('SET', 'k', 'c', 'NX', 'GET')).toBe('b');
    expect(await t.call('GET', 'k')).toBe('b');
    expect(await t.call('SET', 'missing', 'c', 'XX', 'GET')).toBe(null);
    expect(await t.call('EXISTS', 'missing')).toBe(0);
    expect(await t.call('SET', 'k', 'd', 'XX', 'GET')).toBe('b');
    expect(await t.call('GET', 'k')).toBe('d');
    await t.call('SADD', 'l', 'a');
    expect(await t.error('SET', 'l', 'v', 'GET')).toBe(WRONGTYPE);
    expect(await t.call('TYPE', 'l')).toBe('set');
    expect(await t.callBuffer('SET', 'b', 'x', 'GET')).toBe(null);
    await t.call('SET', 'b', BIN);
    expect(await t.callBuffer('SET', 'b', 'x', 'GET')).toEqual(BIN);
  });

  it('SET EX / PX / EXAT / PXAT set a TTL; a plain SET clears it, KEEPTTL keeps it', async () => {
    expect(await t.call('SET', 'k', 'v', 'EX', 100)).toBe('OK');
    expect(await t.call('TTL', 'k')).toBe(100);
    expect(await t.call('SET', 'k', 'v', 'PX', 100000)).toBe('OK');
    expect(await t.call('PTTL', 'k')).toBeGreaterThan(99000);
    const nowS = Math.floor(Date.now() / 1000);
    expect(await t.call('SET', 'k', 'v', 'EXAT', nowS + 100)).toBe('OK');
    expect(await t.call('TTL', 'k')).toBeGreaterThanOrEqual(98);
    expect(await t.call('TTL', 'k')).toBeLessThanOrEqual(100);
    expect(await t.call('SET', 'k', 'v', 'PXAT', Date.now() + 100000)).toBe('OK');
    expect(await t.call('PTTL', 'k')).toBeGreaterThan(98000);
    expect(await t.call('SET', 'k', 'v2', 'KEEPTTL')).toBe('OK');
    expect(await t.call('PTTL', 'k')).toBeGreaterThan(98000);
    expect(await t.call('GET', 'k')).toBe('v2');
    expect(await t.call('SET', 'k', 'v3')).toBe('OK');
    expect(await t.call('TTL', 'k')).toBe(-1);
    // The same unit twice is allowed, the last value wins.
    expect(await t.call('SET', 'k', 'v', 'EX', 10, 'EX', 20)).toBe('OK');
    expect(await t.call('TTL', 'k')).toBe(20);
    expect(await t.call('SET', 'k', 'v', 'keepttl', 'KEEPTTL')).toBe('OK');
    expect(await t.call('TTL', 'k')).toBe(20);
  });

  it('SET with an expiry already in the past leaves no key', async () => {
    await t.call('SET', 'k', 'old');
    expect(await t.call('SET', 'k', 'v', 'EXAT', 1)).toBe('OK');
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('SET', 'k', 'v', 'PXAT', 1, 'GET')).toBe(null);
    expect(await t.call('GET', 'k')).toBe(null);
  });

  it('SET expires with short TTLs', async () => {
    await t.call('SET', 'a', 'v', 'PX', 100);
    await t.call('SET', 'b', 'v', 'PX', 100);
    await t.call('SET', 'b', 'v2', 'KEEPTTL');
    await t.call('SET', 'c', 'v', 'PX', 100);
    await t.call('SET', 'c', 'v2');
    await sleep(150);
    expect(await t.call('GET', 'a')).toBe(null);
    expect(await t.call('GET', 'b')).toBe(null);
    expect(await t.call('GET', 'c')).toBe('v2');
  });

  it('SET option errors', async () => {
    expect(await t.error('SET', 'k', 'v', 'EX')).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'FOO')).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'EX', 10, 'PX', 100)).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'PX', 100, 'EX', 10)).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'EXAT', 10, 'PXAT', 100)).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'KEEPTTL', 'EX', 1)).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'EX', 1, 'KEEPTTL')).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'PERSIST')).toBe(SYNTAX);
    expect(await t.error('SET', 'k', 'v', 'EX', 0)).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET', 'k', 'v', 'PX', -1)).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET', 'k', 'v', 'EXAT', 0)).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET', 'k', 'v', 'EX', 'abc')).toBe(NOT_INTEGER);
    expect(await t.error('SET', 'k', 'v', 'EX', '1.5')).toBe(NOT_INTEGER);
    expect(await t.error('SET', 'k', 'v', 'EX', '9223372036854775808')).toBe(NOT_INTEGER);
    // Overflow of seconds * 1000 (+ now): refused, exactly at Redis's limits.
    expect(await t.error('SET', 'k', 'v', 'EX', '9223372036854776')).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET', 'k', 'v', 'EX', '9223372036854775')).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET', 'k', 'v', 'PX', '9223372036854775807')).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET', 'k', 'v', 'EXAT', '9223372036854776')).toBe("ERR invalid expire time in 'set' command");
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('SET', 'k', 'v', 'EXAT', '9223372036854775')).toBe('OK');
    expect(await t.call('SET', 'k2', 'v', 'PXAT', '9223372036854775807')).toBe('OK');
    expect(await t.call('GET', 'k2')).toBe('v');
    // Expire errors are found before GET looks at the key's type.
    await t.call('SADD', 'l', 'a');
    expect(await t.error('SET', 'l', 'v', 'GET', 'EX', 0)).toBe("ERR invalid expire time in 'set' command");
    expect(await t.error('SET')).toBe("ERR wrong number of arguments for 'set' command");
    expect(await t.error('SET', 'k')).toBe("ERR wrong number of arguments for 'set' command");
  });
});

commandSuite('strings: SETNX SETEX PSETEX GETSET GETDEL', (t) => {
  it('SETNX', async () => {
    expect(await t.call('SETNX', 'k', 'a')).toBe(1);
    expect(await t.call('SETNX', 'k', 'b')).toBe(0);
    expect(await t.call('GET', 'k')).toBe('a');
    await t.call('SADD', 'l', 'a');
    expect(await t.call('SETNX', 'l', 'b')).toBe(0);
    expect(await t.error('SETNX', 'k')).toBe("ERR wrong number of arguments for 'setnx' command");
  });

  it('SETNX on an expired key sets it', async () => {
    await t.call('SET', 'k', 'a', 'PX', 50);
    await sleep(100);
    expect(await t.call('SETNX', 'k', 'b')).toBe(1);
    expect(await t.call('GET', 'k')).toBe('b');
    expect(await t.call('TTL', 'k')).toBe(-1);
  });

  it('SETEX and PSETEX', async () => {
    await t.call('SADD', 'k', 'a');
    expect(await t.call('SETEX', 'k', 100, 'v')).toBe('OK');
    expect(await t.call('GET', 'k')).toBe('v');
    expect(await t.call('TTL', 'k')).toBe(100);
    expect(await t.call('PSETEX', 'k', 100000, BIN)).toBe('OK');
    expect(await t.callBuffer('GET', 'k')).toEqual(BIN);
    expect(await t.call('PTTL', 'k')).toBeGreaterThan(99000);
    await t.call('PSETEX', 'short', 50, 'v');
    await sleep(100);
    expect(await t.call('GET', 'short')).toBe(null);
  });

  it('SETEX and PSETEX errors', async () => {
    expect(await t.error('SETEX', 'k', 0, 'v')).toBe("ERR invalid expire time in 'setex' command");
    expect(await t.error('SETEX', 'k', -1, 'v')).toBe("ERR invalid expire time in 'setex' command");
    expect(await t.error('SETEX', 'k', '9223372036854775', 'v')).toBe("ERR invalid expire time in 'setex' command");
    expect(await t.error('SETEX', 'k', 'x', 'v')).toBe(NOT_INTEGER);
    expect(await t.error('PSETEX', 'k', 0, 'v')).toBe("ERR invalid expire time in 'psetex' command");
    expect(await t.error('PSETEX', 'k', '9223372036854775807', 'v')).toBe("ERR invalid expire time in 'psetex' command");
    expect(await t.error('PSETEX', 'k', '1e3', 'v')).toBe(NOT_INTEGER);
    expect(await t.error('SETEX', 'k', 10)).toBe("ERR wrong number of arguments for 'setex' command");
    expect(await t.call('EXISTS', 'k')).toBe(0);
  });

  it('GETSET', async () => {
    expect(await t.call('GETSET', 'k', 'a')).toBe(null);
    expect(await t.call('GETSET', 'k', 'b')).toBe('a');
    expect(await t.call('GET', 'k')).toBe('b');
    await t.call('EXPIRE', 'k', 100);
    expect(await t.call('GETSET', 'k', 'c')).toBe('b');
    expect(await t.call('TTL', 'k')).toBe(-1);
    await t.call('SADD', 'l', 'a');
    expect(await t.error('GETSET', 'l', 'v')).toBe(WRONGTYPE);
    expect(await t.call('TYPE', 'l')).toBe('set');
    await t.call('SET', 'bin', BIN);
    expect(await t.callBuffer('GETSET', 'bin', 'x')).toEqual(BIN);
  });

  it('GETDEL', async () => {
    expect(await t.call('GETDEL', 'k')).toBe(null);
    await t.call('SET', 'k', 'v', 'EX', 100);
    expect(await t.call('GETDEL', 'k')).toBe('v');
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('GETDEL', 'k')).toBe(null);
    await t.call('SADD', 'l', 'a');
    expect(await t.error('GETDEL', 'l')).toBe(WRONGTYPE);
    expect(await t.call('EXISTS', 'l')).toBe(1);
  });
});

commandSuite('strings: GETEX', (t) => {
  it('without options it is GET and leaves the TTL alone', async () => {
    expect(await t.call('GETEX', 'k')).toBe(null);
    await t.call('SET', 'k', 'v', 'EX', 100);
    expect(await t.call('GETEX', 'k')).toBe('v');
    expect(await t.call('TTL', 'k')).toBe(100);
  });

  it('EX / PX / EXAT / PXAT / PERSIST', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('GETEX', 'k', 'EX', 100)).toBe('v');
    expect(await t.call('TTL', 'k')).toBe(100);
    expect(await t.call('GETEX', 'k', 'px', 200000)).toBe('v');
    expect(await t.call('PTTL', 'k')).toBeGreaterThan(199000);
    expect(await t.call('GETEX', 'k', 'EXAT', Math.floor(Date.now() / 1000) + 300)).toBe('v');
    expect(await t.call('TTL', 'k')).toBeGreaterThan(298);
    expect(await t.call('GETEX', 'k', 'PXAT', Date.now() + 400000)).toBe('v');
    expect(await t.call('TTL', 'k')).toBeGreaterThan(398);
    expect(await t.call('GETEX', 'k', 'EX', 10, 'EX', 20)).toBe('v');
    expect(await t.call('TTL', 'k')).toBe(20);
    expect(await t.call('GETEX', 'k', 'PERSIST')).toBe('v');
    expect(await t.call('TTL', 'k')).toBe(-1);
    expect(await t.call('GETEX', 'k', 'PERSIST')).toBe('v');
    expect(await t.call('TTL', 'k')).toBe(-1);
  });

  it('an EXAT/PXAT in the past deletes the key after replying', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('GETEX', 'k', 'EXAT', 1)).toBe('v');
    expect(await t.call('EXISTS', 'k')).toBe(0);
    await t.call('SET', 'k', 'v');
    expect(await t.call('GETEX', 'k', 'PXAT', Date.now() - 1000)).toBe('v');
    expect(await t.call('EXISTS', 'k')).toBe(0);
  });

  it('short PX expires', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('GETEX', 'k', 'PX', 50)).toBe('v');
    await sleep(100);
    expect(await t.call('GET', 'k')).toBe(null);
  });

  it('errors, in Redis order: syntax, then missing key, then type, then the expire value', async () => {
    expect(await t.error('GETEX', 'missing', 'FOO')).toBe(SYNTAX);
    expect(await t.call('GETEX', 'missing', 'EX', -1)).toBe(null);
    expect(await t.call('GETEX', 'missing', 'EX', 'abc')).toBe(null);
    await t.call('SET', 'k', 'v');
    expect(await t.error('GETEX', 'k', 'EX', 0)).toBe("ERR invalid expire time in 'getex' command");
    expect(await t.error('GETEX', 'k', 'PX', -5)).toBe("ERR invalid expire time in 'getex' command");
    expect(await t.error('GETEX', 'k', 'EX', '9223372036854775')).toBe("ERR invalid expire time in 'getex' command");
    expect(await t.error('GETEX', 'k', 'EX', 'abc')).toBe(NOT_INTEGER);
    expect(await t.error('GETEX', 'k', 'EX')).toBe(SYNTAX);
    expect(await t.error('GETEX', 'k', 'PERSIST', 'EX', 1)).toBe(SYNTAX);
    expect(await t.error('GETEX', 'k', 'EX', 1, 'PERSIST')).toBe(SYNTAX);
    expect(await t.error('GETEX', 'k', 'EX', 1, 'PX', 1)).toBe(SYNTAX);
    expect(await t.error('GETEX', 'k', 'NX')).toBe(SYNTAX);
    expect(await t.error('GETEX', 'k', 'KEEPTTL')).toBe(SYNTAX);
    expect(await t.error('GETEX', 'k', 'GET')).toBe(SYNTAX);
    expect(await t.call('TTL', 'k')).toBe(-1);
    await t.call('SADD', 'l', 'a');
    expect(await t.error('GETEX', 'l')).toBe(WRONGTYPE);
    expect(await t.error('GETEX', 'l', 'EX', 0)).toBe(WRONGTYPE);
    expect(await t.error('GETEX', 'l', 'FOO')).toBe(SYNTAX);
  });
});

commandSuite('strings: MGET MSET MSETNX', (t) => {
  it('MGET answers nil for missing keys and other types', async () => {
    await t.call('SET', 'a', '1');
    await t.call('SET', 'b', BIN);
    await t.call('SADD', 'l', 'x');
    expect(await t.call('MGET', 'a', 'l', 'nope', 'a')).toEqual(['1', null, null, '1']);
    expect(await t.callBuffer('MGET', 'b', 'nope')).toEqual([BIN, null]);
  });

  it('MSET sets every pair, the last of a repeated key wins, and clears TTLs', async () => {
    await t.call('SET', 'a', 'old', 'EX', 100);
    await t.call('SADD', 'l', 'x');
    expect(await t.call('MSET', 'a', '1', 'b', '2', 'l', '3', 'b', '4')).toBe('OK');
    expect(await t.call('MGET', 'a', 'b', 'l')).toEqual(['1', '4', '3']);
    expect(await t.call('TTL', 'a')).toBe(-1);
    expect(await t.error('MSET', 'a')).toBe("ERR wrong number of arguments for 'mset' command");
    expect(await t.error('MSET', 'a', '1', 'b')).toBe("ERR wrong number of arguments for 'mset' command");
    expect(await t.call('GET', 'a')).toBe('1');
  });

  it('MSETNX is all or nothing', async () => {
    expect(await t.call('MSETNX', 'a', '1', 'b', '2')).toBe(1);
    expect(await t.call('MSETNX', 'c', '3', 'a', '9')).toBe(0);
    expect(await t.call('EXISTS', 'c')).toBe(0);
    expect(await t.call('GET', 'a')).toBe('1');
    await t.call('SADD', 'l', 'x');
    expect(await t.call('MSETNX', 'l', '1', 'd', '2')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    expect(await t.call('MSETNX', 'p', '1', 'p', '2')).toBe(1);
    expect(await t.call('GET', 'p')).toBe('2');
    expect(await t.error('MSETNX', 'a', '1', 'b')).toBe("ERR wrong number of arguments for 'msetnx' command");
  });
});

commandSuite('strings: APPEND STRLEN GETRANGE SUBSTR SETRANGE', (t) => {
  it('APPEND creates, appends, keeps the TTL, is binary-safe', async () => {
    expect(await t.call('APPEND', 'k', 'hello')).toBe(5);
    expect(await t.call('APPEND', 'k', ' world')).toBe(11);
    expect(await t.call('GET', 'k')).toBe('hello world');
    expect(await t.call('APPEND', 'e', '')).toBe(0);
    expect(await t.call('EXISTS', 'e')).toBe(1);
    expect(await t.call('APPEND', 'k', '')).toBe(11);
    await t.call('EXPIRE', 'k', 100);
    await t.call('APPEND', 'k', '!');
    expect(await t.call('TTL', 'k')).toBe(100);
    expect(await t.call('APPEND', 'b', BIN)).toBe(BIN.length);
    expect(await t.call('APPEND', 'b', BIN)).toBe(2 * BIN.length);
    expect(await t.callBuffer('GET', 'b')).toEqual(Buffer.concat([BIN, BIN]));
    await t.call('SET', 'n', '10');
    await t.call('APPEND', 'n', '5');
    expect(await t.call('INCR', 'n')).toBe(106);
    await t.call('SADD', 'l', 'x');
    expect(await t.error('APPEND', 'l', 'x')).toBe(WRONGTYPE);
  });

  it('STRLEN', async () => {
    expect(await t.call('STRLEN', 'k')).toBe(0);
    await t.call('SET', 'k', 'hello');
    expect(await t.call('STRLEN', 'k')).toBe(5);
    await t.call('SET', 'n', '-12345');
    expect(await t.call('STRLEN', 'n')).toBe(6);
    await t.call('SET', 'u', Buffer.from('é€', 'utf8'));
    expect(await t.call('STRLEN', 'u')).toBe(5);
    await t.call('SADD', 'l', 'x');
    expect(await t.error('STRLEN', 'l')).toBe(WRONGTYPE);
  });

  it('GETRANGE with positive, negative and out-of-range indexes', async () => {
    await t.call('SET', 'k', 'hello');
    const cases: Array<[number | string, number | string, string]> = [
      [0, -1, 'hello'],
      [0, 0, 'h'],
      [1, 3, 'ell'],
      [-3, -1, 'llo'],
      [2, 100, 'llo'],
      [0, -100, 'h'],
      [-100, -200, ''],
      [-1, -5, ''],
      [-100, 1, 'he'],
      [3, 1, ''],
      [5, 10, ''],
      [4, 4, 'o'],
      ['9223372036854775807', '9223372036854775807', ''],
      ['-9223372036854775808', '9223372036854775807', 'hello'],
      ['-9223372036854775807', '-9223372036854775808', ''],
    ];
    for (const [s, e, want] of cases) {
      expect([s, e, await t.call('GETRANGE', 'k', s, e)]).toEqual([s, e, want]);
    }
    expect(await t.call('SUBSTR', 'k', 1, -2)).toBe('ell');
    expect(await t.call('GETRANGE', 'missing', 0, -1)).toBe('');
    await t.call('SET', 'e', '');
    expect(await t.call('GETRANGE', 'e', 0, -1)).toBe('');
    expect(await t.call('GETRANGE', 'e', -1, 0)).toBe('');
    await t.call('SET', 'n', '12345');
    expect(await t.call('GETRANGE', 'n', 1, 2)).toBe('23');
    await t.call('SET', 'b', BIN);
    expect(await t.callBuffer('GETRANGE', 'b', 1, 4)).toEqual(BIN.subarray(1, 5));
  });

  it('GETRANGE errors', async () => {
    await t.call('SADD', 'l', 'x');
    expect(await t.error('GETRANGE', 'l', 0, -1)).toBe(WRONGTYPE);
    expect(await t.error('GETRANGE', 'l', 'a', -1)).toBe(NOT_INTEGER);
    expect(await t.error('GETRANGE', 'missing', 0, '9223372036854775808')).toBe(NOT_INTEGER);
    expect(await t.error('GETRANGE', 'missing', '1.5', 2)).toBe(NOT_INTEGER);
    expect(await t.error('SUBSTR', 'l', 0, 1)).toBe(WRONGTYPE);
    expect(await t.error('GETRANGE', 'k', 0)).toBe("ERR wrong number of arguments for 'getrange' command");
  });

  it('SETRANGE overwrites, extends and zero-pads', async () => {
    await t.call('SET', 'k', 'Hello World');
    expect(await t.call('SETRANGE', 'k', 6, 'Redis')).toBe(11);
    expect(await t.call('GET', 'k')).toBe('Hello Redis');
    expect(await t.call('SETRANGE', 'k', 0, 'J')).toBe(11);
    expect(await t.call('GET', 'k')).toBe('Jello Redis');
    expect(await t.call('SETRANGE', 'k', 9, 'xyz')).toBe(12);
    expect(await t.call('GET', 'k')).toBe('Jello Redxyz');
    expect(await t.call('SETRANGE', 'p', 3, 'ab')).toBe(5);
    expect(await t.callBuffer('GET', 'p')).toEqual(Buffer.from([0, 0, 0, 0x61, 0x62]));
    expect(await t.call('SETRANGE', 'p', 7, BIN)).toBe(7 + BIN.length);
    expect(await t.callBuffer('GET', 'p')).toEqual(Buffer.concat([Buffer.from([0, 0, 0, 0x61, 0x62, 0, 0]), BIN]));
    expect(await t.call('SETRANGE', 'p', 1, 'Z')).toBe(7 + BIN.length);
    expect((await t.callBuffer('GET', 'p')).subarray(0, 3)).toEqual(Buffer.from([0, 0x5a, 0]));
    await t.call('SET', 'n', '100');
    expect(await t.call('SETRANGE', 'n', 1, '5')).toBe(3);
    expect(await t.call('INCR', 'n')).toBe(151);
  });

  it('SETRANGE with an empty value changes nothing', async () => {
    expect(await t.call('SETRANGE', 'k', 5, '')).toBe(0);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('SETRANGE', 'k', '536870912', '')).toBe(0);
    await t.call('SET', 'k', 'abc');
    expect(await t.call('SETRANGE', 'k', 100, '')).toBe(3);
    expect(await t.call('GET', 'k')).toBe('abc');
  });

  it('SETRANGE keeps the TTL', async () => {
    await t.call('SET', 'k', 'abc', 'EX', 100);
    await t.call('SETRANGE', 'k', 1, 'X');
    expect(await t.call('TTL', 'k')).toBe(100);
    expect(await t.call('GET', 'k')).toBe('aXc');
  });

  it('SETRANGE errors', async () => {
    expect(await t.error('SETRANGE', 'k', -1, 'x')).toBe('ERR offset is out of range');
    expect(await t.error('SETRANGE', 'k', 'abc', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('SETRANGE', 'k', '9223372036854775808', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('SETRANGE', 'k', '536870912', 'x')).toBe(TOO_LONG);
    expect(await t.error('SETRANGE', 'k', '9223372036854775807', 'x')).toBe(TOO_LONG);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    await t.call('SADD', 'l', 'x');
    expect(await t.error('SETRANGE', 'l', 0, 'x')).toBe(WRONGTYPE);
    expect(await t.error('SETRANGE', 'l', 0, '')).toBe(WRONGTYPE);
    expect(await t.error('SETRANGE', 'l', -1, '')).toBe('ERR offset is out of range');
  });
});

commandSuite(
  'strings: proto-max-bulk-len limits',
  (t) => {
    it('APPEND and SETRANGE refuse results beyond proto-max-bulk-len', async () => {
      const big = Buffer.alloc(1048570, 0x61);
      await t.call('SET', 'big', big);
      expect(await t.error('APPEND', 'big', '1234567')).toBe(TOO_LONG);
      expect(await t.call('STRLEN', 'big')).toBe(1048570);
      expect(await t.call('APPEND', 'big', '123456')).toBe(1048576);
      expect(await t.error('SETRANGE', 'big', 1048576, 'x')).toBe(TOO_LONG);
      expect(await t.call('SETRANGE', 'big', 1048575, 'x')).toBe(1048576);
      expect(await t.error('SETRANGE', 'nb', 1048576, 'x')).toBe(TOO_LONG);
      expect(await t.error('SETRANGE', 'nb', 1048000, Buffer.alloc(577, 0x62))).toBe(TOO_LONG);
      expect(await t.call('EXISTS', 'nb')).toBe(0);
      expect(await t.call('SETRANGE', 'nb', 1048575, 'x')).toBe(1048576);
      const v: Buffer = await t.callBuffer('GET', 'nb');
      expect(v.length).toBe(1048576);
      expect(v[0]).toBe(0);
      expect(v[1048575]).toBe(0x78);
    });

    it('LCS refuses a table larger than proto-max-bulk-len', async () => {
      await t.call('SET', 'a', Buffer.alloc(600, 0x61));
      await t.call('SET', 'b', Buffer.alloc(600, 0x61));
      expect(await t.error('LCS', 'a', 'b', 'LEN')).toBe('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
      await t.call('SET', 'a', Buffer.alloc(500, 0x61));
      await t.call('SET', 'b', Buffer.alloc(500, 0x61));
      expect(await t.call('LCS', 'a', 'b', 'LEN')).toBe(500);
    });
  },
  { 'proto-max-bulk-len': '1048576' },
);

commandSuite('strings: INCR DECR INCRBY DECRBY', (t) => {
  it('count from a missing key, both ways', async () => {
    expect(await t.call('INCR', 'n')).toBe(1);
    expect(await t.call('INCR', 'n')).toBe(2);
    expect(await t.call('DECR', 'n')).toBe(1);
    expect(await t.call('DECR', 'm')).toBe(-1);
    expect(await t.call('INCRBY', 'n', 10)).toBe(11);
    expect(await t.call('INCRBY', 'n', -20)).toBe(-9);
    expect(await t.call('DECRBY', 'n', 1)).toBe(-10);
    expect(await t.call('DECRBY', 'n', -110)).toBe(100);
    expect(await t.call('INCRBY', 'n', 0)).toBe(100);
    expect(await t.call('DECRBY', 'z', 0)).toBe(0);
    expect(await t.call('GET', 'z')).toBe('0');
    expect(await t.call('GET', 'n')).toBe('100');
    expect(await t.call('GET', 'm')).toBe('-1');
  });

  it('stay exact beyond 2^53, up to int64 limits', async () => {
    await t.call('SET', 'n', '9007199254740993');
    await t.call('INCR', 'n');
    expect(await t.call('GET', 'n')).toBe('9007199254740994');
    await t.call('SET', 'n', '9223372036854775806');
    await t.call('INCR', 'n');
    expect(await t.call('GET', 'n')).toBe('9223372036854775807');
    expect(await t.error('INCR', 'n')).toBe('ERR increment or decrement would overflow');
    expect(await t.error('INCRBY', 'n', 1)).toBe('ERR increment or decrement would overflow');
    expect(await t.call('GET', 'n')).toBe('9223372036854775807');
    await t.call('DECRBY', 'n', '9223372036854775807');
    expect(await t.call('GET', 'n')).toBe('0');
    await t.call('SET', 'n', '-9223372036854775807');
    await t.call('DECR', 'n');
    expect(await t.call('GET', 'n')).toBe('-9223372036854775808');
    expect(await t.error('DECR', 'n')).toBe('ERR increment or decrement would overflow');
    expect(await t.error('INCRBY', 'n', -1)).toBe('ERR increment or decrement would overflow');
    expect(await t.call('INCRBY', 'n', '9223372036854775807')).toBe(-1);
    await t.call('INCRBY', 'big', '-9223372036854775808');
    expect(await t.call('GET', 'big')).toBe('-9223372036854775808');
    await t.call('SET', 'b2', '4611686018427387904');
    await t.call('INCRBY', 'b2', '4611686018427387903');
    expect(await t.call('GET', 'b2')).toBe('9223372036854775807');
    await t.call('SET', 'b3', '12345678901234567');
    await t.call('DECRBY', 'b3', '-1');
    expect(await t.call('GET', 'b3')).toBe('12345678901234568');
  });

  it('DECRBY of INT64_MIN is refused before looking at the key', async () => {
    expect(await t.error('DECRBY', 'n', '-9223372036854775808')).toBe('ERR decrement would overflow');
    await t.call('SADD', 'l', 'x');
    expect(await t.error('DECRBY', 'l', '-9223372036854775808')).toBe('ERR decrement would overflow');
    expect(await t.call('EXISTS', 'n')).toBe(0);
  });

  it('refuse values that are not int64 text', async () => {
    for (const bad of ['01', ' 1', '1 ', '+1', '1.0', '-0', '', 'abc', '9223372036854775808', '-9223372036854775809', '1e3', '0x10']) {
      await t.call('SET', 'n', bad);
      expect([bad, await t.error('INCR', 'n')]).toEqual([bad, NOT_INTEGER]);
    }
    await t.call('SET', 'n', '5');
    for (const bad of ['01', '+1', '1.5', 'abc', '9223372036854775808', '']) {
      expect([bad, await t.error('INCRBY', 'n', bad)]).toEqual([bad, NOT_INTEGER]);
      expect([bad, await t.error('DECRBY', 'n', bad)]).toEqual([bad, NOT_INTEGER]);
    }
    await t.call('SET', 'b', Buffer.from([0x31, 0x00]));
    expect(await t.error('INCR', 'b')).toBe(NOT_INTEGER);
    expect(await t.call('GET', 'n')).toBe('5');
  });

  it('WRONGTYPE, except that a bad increment is found first', async () => {
    await t.call('SADD', 'l', 'x');
    expect(await t.error('INCR', 'l')).toBe(WRONGTYPE);
    expect(await t.error('DECR', 'l')).toBe(WRONGTYPE);
    expect(await t.error('INCRBY', 'l', 1)).toBe(WRONGTYPE);
    expect(await t.error('DECRBY', 'l', 1)).toBe(WRONGTYPE);
    expect(await t.error('INCRBY', 'l', 'abc')).toBe(NOT_INTEGER);
  });

  it('keep the TTL of the key', async () => {
    await t.call('SET', 'n', '10', 'EX', 100);
    expect(await t.call('INCR', 'n')).toBe(11);
    expect(await t.call('DECRBY', 'n', 3)).toBe(8);
    expect(await t.call('TTL', 'n')).toBe(100);
    await t.call('SET', 's', '1', 'PX', 100);
    await t.call('INCR', 's');
    await sleep(150);
    expect(await t.call('GET', 's')).toBe(null);
    expect(await t.call('INCR', 's')).toBe(1);
    expect(await t.call('TTL', 's')).toBe(-1);
  });
});

commandSuite('strings: INCRBYFLOAT', (t) => {
  it('formats results as Redis (long double, %.17Lf trimmed)', async () => {
    const steps: Array<[string | null, string, string]> = [
      // [initial value (null = keep), increment, reply]
      [null, '0.1', '0.1'],
      [null, '0.2', '0.3'],
      [null, '1e20', '100000000000000000000'],
      ['10.5', '0.1', '10.6'],
      [null, '-5.0e3', '-4989.39999999999999991'],
      ['3', '1.5', '4.5'],
      ['5.0e3', '2.0e2', '5200'],
      ['16', '1e-20', '16'],
      ['-0.0', '0', '0'],
      ['0', '0x10', '16'],
      ['1.5', '-1.5', '0'],
      ['1', '-3', '-2'],
      ['0.5', '1e17', '100000000000000000.5'],
      ['0', '0.0001', '0.0001'],
      ['0', '3.0000000000000001e-5', '0.00003'],
      ['1e308', '1e308', '199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096'],
      ['1e400', '-1e400', '0'],
    ];
    await t.call('DEL', 'f');
    for (const [init, by, want] of steps) {
      if (init !== null) await t.call('SET', 'f', init);
      const got = await t.call('INCRBYFLOAT', 'f', by);
      expect([init, by, got]).toEqual([init, by, want]);
      expect(await t.call('GET', 'f')).toBe(want);
    }
  });

  it('refuses NaN or infinite results and bad floats', async () => {
    await t.call('SET', 'f', '1');
    expect(await t.error('INCRBYFLOAT', 'f', 'inf')).toBe('ERR increment would produce NaN or Infinity');
    expect(await t.error('INCRBYFLOAT', 'f', '-inf')).toBe('ERR increment would produce NaN or Infinity');
    expect(await t.error('INCRBYFLOAT', 'f', 'nan')).toBe(NOT_FLOAT);
    expect(await t.error('INCRBYFLOAT', 'f', 'abc')).toBe(NOT_FLOAT);
    expect(await t.error('INCRBYFLOAT', 'f', ' 1')).toBe(NOT_FLOAT);
    expect(await t.error('INCRBYFLOAT', 'f', '1 ')).toBe(NOT_FLOAT);
    expect(await t.error('INCRBYFLOAT', 'f', '')).toBe(NOT_FLOAT);
    await t.call('SET', 'q', '1.7976931348623157e308');
    expect(await t.call('INCRBYFLOAT', 'q', '1.7976931348623157e308')).toMatch(/^3595386269724631399918420935482088680967728938886583569706/);
    await t.call('SET', 'big', '1e4932');
    expect(await t.error('INCRBYFLOAT', 'big', '1e4932')).toBe('ERR increment would produce NaN or Infinity');
    expect(await t.error('INCRBYFLOAT', 'big', '1e5000')).toBe(NOT_FLOAT);
    await t.call('SET', 'bad', '1 ');
    expect(await t.error('INCRBYFLOAT', 'bad', '1')).toBe(NOT_FLOAT);
    await t.call('SET', 'bad', 'abc');
    expect(await t.error('INCRBYFLOAT', 'bad', 'abc')).toBe(NOT_FLOAT);
    expect(await t.call('GET', 'f')).toBe('1');
    await t.call('SADD', 'l', 'x');
    expect(await t.error('INCRBYFLOAT', 'l', '1')).toBe(WRONGTYPE);
    expect(await t.error('INCRBYFLOAT', 'l', 'abc')).toBe(WRONGTYPE);
  });

  it('keeps the TTL', async () => {
    await t.call('SET', 'f', '1.5', 'EX', 100);
    expect(await t.call('INCRBYFLOAT', 'f', '1')).toBe('2.5');
    expect(await t.call('TTL', 'f')).toBe(100);
  });
});

commandSuite('strings: LCS', (t) => {
  it('the string, LEN, IDX, MINMATCHLEN, WITHMATCHLEN', async () => {
    await t.call('MSET', 'key1', 'ohmytext', 'key2', 'mynewtext');
    expect(await t.call('LCS', 'key1', 'key2')).toBe('mytext');
    expect(await t.call('LCS', 'key1', 'key2', 'LEN')).toBe(6);
    expect(await t.call('LCS', 'key1', 'key2', 'IDX')).toEqual([
      'matches',
      [
        [[4, 7], [5, 8]],
        [[2, 3], [0, 1]],
      ],
      'len',
      6,
    ]);
    expect(await t.call('LCS', 'key1', 'key2', 'idx', 'minmatchlen', 4, 'withmatchlen')).toEqual([
      'matches',
      [[[4, 7], [5, 8], 4]],
      'len',
      6,
    ]);
    expect(await t.call('LCS', 'key1', 'key2', 'IDX', 'WITHMATCHLEN')).toEqual([
      'matches',
      [
        [[4, 7], [5, 8], 4],
        [[2, 3], [0, 1], 2],
      ],
      'len',
      6,
    ]);
    expect(await t.call('LCS', 'key1', 'key2', 'WITHMATCHLEN', 'MINMATCHLEN', -5)).toBe('mytext');
    expect(await t.call('LCS', 'key1', 'key2', 'LEN', 'WITHMATCHLEN')).toBe(6);
    expect(await t.call('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', 100)).toEqual(['matches', [], 'len', 6]);
  });

  it('missing keys are empty strings; binary values', async () => {
    expect(await t.call('LCS', 'x', 'y')).toBe('');
    expect(await t.call('LCS', 'x', 'y', 'IDX')).toEqual(['matches', [], 'len', 0]);
    await t.call('SET', 'a', 'abc');
    expect(await t.call('LCS', 'a', 'y', 'LEN')).toBe(0);
    expect(await t.call('LCS', 'a', 'a')).toBe('abc');
    expect(await t.call('LCS', 'a', 'a', 'IDX', 'WITHMATCHLEN')).toEqual(['matches', [[[0, 2], [0, 2], 3]], 'len', 3]);
    await t.call('SET', 'b1', Buffer.from([0, 0xff, 1, 0x0d, 0x0a, 2]));
    await t.call('SET', 'b2', Buffer.from([0xff, 3, 0x0d, 0x0a, 0]));
    expect(await t.callBuffer('LCS', 'b1', 'b2')).toEqual(Buffer.from([0xff, 0x0d, 0x0a]));
  });

  it('matches come out in Redis order on longer inputs', async () => {
    await t.call('SET', 'a', 'ACCGGTCGAGTGCGCGGAAGCCGGCCGAA');
    await t.call('SET', 'b', 'GTCGTTCGGAATGCCGTTGCTCTGTAAA');
    expect(await t.call('LCS', 'a', 'b')).toBe('GTCGTCGGAAGCCGGCCGAA');
    expect(await t.call('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', 2, 'WITHMATCHLEN')).toEqual([
      'matches',
      [
        [[27, 28], [26, 27], 2],
        [[23, 24], [18, 19], 2],
        [[19, 22], [12, 15], 4],
        [[14, 18], [6, 10], 5],
        [[9, 10], [3, 4], 2],
        [[4, 6], [0, 2], 3],
      ],
      'len',
      20,
    ]);
  });

  it('errors', async () => {
    await t.call('MSET', 'a', 'abc', 'b', 'abd');
    await t.call('SADD', 'l', 'x');
    expect(await t.error('LCS', 'a', 'l')).toBe('ERR The specified keys must contain string values');
    expect(await t.error('LCS', 'l', 'a', 'FOO')).toBe('ERR The specified keys must contain string values');
    expect(await t.error('LCS', 'a', 'b', 'IDX', 'LEN')).toBe('ERR If you want both the length and indexes, please just use IDX.');
    expect(await t.error('LCS', 'a', 'b', 'FOO')).toBe(SYNTAX);
    expect(await t.error('LCS', 'a', 'b', 'MINMATCHLEN')).toBe(SYNTAX);
    expect(await t.error('LCS', 'a', 'b', 'MINMATCHLEN', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('LCS', 'a', 'b', 'LEN', 'MINMATCHLEN', '9223372036854775808')).toBe(NOT_INTEGER);
    expect(await t.error('LCS', 'a')).toBe("ERR wrong number of arguments for 'lcs' command");
  });
});

// ---- in-process only ------------------------------------------------------------------------

describe('strings: in-process', () => {
  let backend: Backend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it('integer replies are exact beyond 2^53', async () => {
    backend = await inProcess();
    const c = new RawConn(backend);
    await c.send('SET', 'n', '9223372036854775806');
    expect(await c.send('INCR', 'n')).toBe(':9223372036854775807\r\n');
    expect(await c.send('DECRBY', 'n', '9223372036854775807')).toBe(':0\r\n');
    expect(await c.send('INCRBY', 'n', '-9223372036854775808')).toBe(':-9223372036854775808\r\n');
    expect(await c.send('INCRBY', 'm', '9007199254740993')).toBe(':9007199254740993\r\n');
  });

  it('LCS IDX is a map in RESP3; nil replies use RESP3 null', async () => {
    backend = await inProcess();
    const c = new RawConn(backend);
    await c.send('MSET', 'key1', 'ohmytext', 'key2', 'mynewtext');
    expect((await c.send('HELLO', '3')).startsWith('%')).toBe(true);
    expect(await c.send('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')).toBe(
      '%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n',
    );
    expect(await c.send('GET', 'nope')).toBe('_\r\n');
    expect(await c.send('MGET', 'key1', 'nope')).toBe('*2\r\n$8\r\nohmytext\r\n_\r\n');
    expect(await c.send('INCRBYFLOAT', 'f', '1.5')).toBe('$3\r\n1.5\r\n');
  });

  it('propagates canonical effects', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    backend = await inProcess({}, clock);
    const seen: string[][] = [];
    backend.server!.log.addObserver((_db, argv) => seen.push([...argv]));
    const c = new RawConn(backend);
    const expectLog = async (args: Arg[], want: string[][]) => {
      seen.length = 0;
      await c.send(...args);
      expect([args, seen]).toEqual([args, want]);
    };
    const now = clock.now();
    await expectLog(['SET', 'k', 'v', 'EX', '10'], [['SET', 'k', 'v', 'PXAT', String(now + 10000)]]);
    await expectLog(['SET', 'k', 'v', 'PX', '10', 'GET'], [['SET', 'k', 'v', 'PXAT', String(now + 10)]]);
    await expectLog(['SET', 'k', 'v2', 'XX', 'GET', 'KEEPTTL'], [['SET', 'k', 'v2', 'KEEPTTL']]);
    await expectLog(['SET', 'k', 'v3', 'NX'], []);
    await expectLog(['SET', 'k', 'v4', 'NX', 'GET'], []);
    await expectLog(['SET', 'k', 'v', 'EXAT', '1'], [['DEL', 'k']]);
    await expectLog(['SETNX', 'k', 'a'], [['SET', 'k', 'a']]);
    await expectLog(['SETNX', 'k', 'b'], []);
    await expectLog(['SETEX', 'k', '5', 'b'], [['SET', 'k', 'b', 'PXAT', String(now + 5000)]]);
    await expectLog(['PSETEX', 'k', '5', 'b'], [['SET', 'k', 'b', 'PXAT', String(now + 5)]]);
    await expectLog(['GETSET', 'k', 'c'], [['SET', 'k', 'c']]);
    await expectLog(['GETEX', 'k'], []);
    await expectLog(['GETEX', 'k', 'PERSIST'], []);
    await expectLog(['GETEX', 'k', 'EX', '7'], [['PEXPIREAT', 'k', String(now + 7000)]]);
    await expectLog(['GETEX', 'k', 'PXAT', String(now + 9)], [['PEXPIREAT', 'k', String(now + 9)]]);
    await expectLog(['GETEX', 'k', 'PERSIST'], [['PERSIST', 'k']]);
    await expectLog(['GETEX', 'k', 'EXAT', '1'], [['DEL', 'k']]);
    await expectLog(['GETDEL', 'k'], []);
    await c.send('SET', 'k', 'x');
    await expectLog(['GETDEL', 'k'], [['DEL', 'k']]);
    await expectLog(['MSET', 'a', '1', 'b', '2'], [['MSET', 'a', '1', 'b', '2']]);
    await expectLog(['MSETNX', 'a', '1', 'c', '2'], []);
    await expectLog(['msetnx', 'c', '1', 'd', '2'], [['MSET', 'c', '1', 'd', '2']]);
    await expectLog(['INCRBYFLOAT', 'f', '0.1'], [['SET', 'f', '0.1', 'KEEPTTL']]);
    await expectLog(['INCRBYFLOAT', 'f', '0.2'], [['SET', 'f', '0.3', 'KEEPTTL']]);
    await expectLog(['INCRBYFLOAT', 'f', 'inf'], []);
    await expectLog(['INCR', 'a'], [['INCR', 'a']]);
    await expectLog(['INCR', 'f'], []);
    await expectLog(['APPEND', 'a', 'x'], [['APPEND', 'a', 'x']]);
    // Redis counts an empty APPEND to an existing key as a write (its AOF gets `append a ""`).
    await expectLog(['APPEND', 'a', ''], [['APPEND', 'a', '']]);
    await expectLog(['SETRANGE', 'a', '5', 'y'], [['SETRANGE', 'a', '5', 'y']]);
    await expectLog(['SETRANGE', 'a', '5', ''], []);
    await expectLog(['GET', 'a'], []);
    await expectLog(['LCS', 'a', 'b'], []);
    // A lazily expired key is deleted (and logged) before the write that found it gone.
    await c.send('SET', 'e', '1', 'PX', '100');
    clock.advance(200);
    await expectLog(['INCR', 'e'], [['DEL', 'e'], ['INCR', 'e']]);
  });

  it('replaying the propagated stream of a mixed workload gives the same keyspace', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    backend = await inProcess({}, clock);
    const log = recordMutations(backend, clock);
    const c = new RawConn(backend);

    // Deterministic pseudo-random workload.
    const rnd = mulberry32(0x5eed);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', Buffer.from([0, 0xff, 0x0d, 0x0a]).toString('latin1')];
    const vals = ['', 'a', '10', '-3', '1.5', '9223372036854775806', 'hello world', '\x00\xff\r\n'];
    const key = () => pick(keys);
    const val = () => pick(vals);
    const n = () => String(1 + Math.floor(rnd() * 3000));
    const ops: Array<() => Arg[]> = [
      () => ['SET', key(), val()],
      () => ['SET', key(), val(), 'PX', n()],
      () => ['SET', key(), val(), 'EX', '1'],
      () => ['SET', key(), val(), 'KEEPTTL', 'GET'],
      () => ['SET', key(), val(), 'NX', 'PXAT', String(clock.now() + 500)],
      () => ['SET', key(), val(), 'XX', 'EXAT', String(Math.floor(clock.now() / 1000) + 2)],
      () => ['SET', key(), val(), 'PXAT', String(clock.now() - 1)],
      () => ['SETNX', key(), val()],
      () => ['SETEX', key(), '2', val()],
      () => ['PSETEX', key(), n(), val()],
      () => ['MSET', key(), val(), key(), val()],
      () => ['MSETNX', key(), val(), key(), val()],
      () => ['GETSET', key(), val()],
      () => ['GETDEL', key()],
      () => ['GETEX', key(), 'PX', n()],
      () => ['GETEX', key(), 'EX', '1'],
      () => ['GETEX', key(), 'PERSIST'],
      () => ['GETEX', key(), 'PXAT', String(clock.now() + (rnd() < 0.3 ? -5 : 800))],
      () => ['APPEND', key(), val()],
      () => ['SETRANGE', key(), String(Math.floor(rnd() * 12)), val()],
      () => ['INCR', key()],
      () => ['DECR', key()],
      () => ['INCRBY', key(), pick(['5', '-7', '9223372036854775807', '-9223372036854775808'])],
      () => ['DECRBY', key(), pick(['2', '-11', '9007199254740993'])],
      () => ['INCRBYFLOAT', key(), pick(['0.1', '-2.5', '1e20', '3'])],
      () => ['GET', key()],
      () => ['SELECT', pick(['0', '0', '0', '1'])],
    ];
    for (let i = 0; i < 4000; i++) {
      await c.send(...pick(ops)().map((a) => Buffer.from(String(a), 'latin1')));
      if (rnd() < 0.2) clock.advance(Math.floor(rnd() * 400));
    }
    const finalTime = clock.now();
    expect(log.length).toBeGreaterThan(1000);

    // Replay into a fresh server, each mutation at the time it was made (as an AOF load or a
    // replica would see it: the stream itself carries every expiry decision).
    const replica = await replay(log, finalTime);
    try {
      let compared = 0;
      for (let dbi = 0; dbi < 2; dbi++) {
        const a = liveKeys(backend, dbi, finalTime);
        const b = liveKeys(replica, dbi, finalTime);
        expect(b).toEqual(a);
        compared += a.size;
      }
      expect(compared).toBeGreaterThan(0);
    } finally {
      await replica.close();
    }
  });
});
