// The list family (LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
// LTRIM LPOS LMOVE RPOPLPUSH LMPOP, and BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP where they do not
// block) against every backend; every expectation was observed on redis-server 7.0.15. What
// blocking does across connections is test/integration/blocking.test.ts. The in-process blocks
// at the end check what only Hoard exposes: raw RESP2/RESP3 bytes against a real server's, the
// propagated stream and its replay, and the EXEC (deny-blocking) path.

import { describe, it, expect, afterEach, beforeAll, afterAll } from 'vitest';
import { commandSuite, sleep } from '../helpers/suite.js';
import { inProcess, encodeArgs, redisServerAvailable, testConfig, type Arg, type Backend } from '../helpers/backends.js';
import { RawConn, RawSocket } from '../helpers/raw-conn.js';
import { spawnServer, type SpawnedServer } from '../helpers/proc.js';
import { dump } from '../helpers/dump.js';
import { Server } from '../../src/server/server.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { parseBlockTimeout } from '../../src/commands/lists.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
const TIMEOUT_NEGATIVE = 'ERR timeout is negative';
const NUMKEYS = 'ERR numkeys should be greater than 0';
const COUNT_GT0 = 'ERR count should be greater than 0';
const BIN = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x80, 0x00]);
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;
const I64_MAX = '9223372036854775807';
const I64_MIN = '-9223372036854775808';

commandSuite('lists: LPUSH RPUSH LPUSHX RPUSHX LLEN', (t) => {
  it('LPUSH prepends each element in turn, RPUSH appends, both reply the length', async () => {
    expect(await t.call('LPUSH', 'l', 'a', 'b', 'c')).toBe(3);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['c', 'b', 'a']);
    expect(await t.call('RPUSH', 'l', 'x', 'y')).toBe(5);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['c', 'b', 'a', 'x', 'y']);
    expect(await t.call('LLEN', 'l')).toBe(5);
    expect(await t.call('LLEN', 'nokey')).toBe(0);
    expect(await t.call('TYPE', 'l')).toBe('list');
    expect(await t.call('RPUSH', 'l', '')).toBe(6);
    expect(await t.call('LINDEX', 'l', -1)).toBe('');
  });

  it('OBJECT ENCODING is quicklist for every list in 7.0', async () => {
    await t.call('RPUSH', 'small', 'a');
    expect(await t.call('OBJECT', 'ENCODING', 'small')).toBe('quicklist');
    const many: string[] = [];
    for (let i = 0; i < 600; i++) many.push(`element-${i}`);
    await t.call('RPUSH', 'big', ...many);
    expect(await t.call('OBJECT', 'ENCODING', 'big')).toBe('quicklist');
    await t.call('LTRIM', 'big', 0, 0);
    expect(await t.call('OBJECT', 'ENCODING', 'big')).toBe('quicklist');
    await t.call('RPUSH', 'huge', 'x'.repeat(70_000));
    expect(await t.call('OBJECT', 'ENCODING', 'huge')).toBe('quicklist');
  });

  it('LPUSHX/RPUSHX push only onto an existing list', async () => {
    expect(await t.call('LPUSHX', 'l', 'a')).toBe(0);
    expect(await t.call('RPUSHX', 'l', 'a', 'b')).toBe(0);
    expect(await t.call('EXISTS', 'l')).toBe(0);
    await t.call('RPUSH', 'l', 'm');
    expect(await t.call('LPUSHX', 'l', 'a', 'b')).toBe(3);
    expect(await t.call('RPUSHX', 'l', 'z')).toBe(4);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['b', 'a', 'm', 'z']);
  });

  it('wrong type and arity', async () => {
    await t.call('SET', 's', 'x');
    for (const cmd of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']) {
      expect(await t.error(cmd, 's', 'a')).toBe(WRONGTYPE);
      expect(await t.error(cmd, 's')).toBe(arity(cmd.toLowerCase()));
    }
    expect(await t.error('LLEN', 's')).toBe(WRONGTYPE);
    expect(await t.error('LLEN', 'a', 'b')).toBe(arity('llen'));
    expect(await t.call('GET', 's')).toBe('x');
  });

  it('binary-safe elements', async () => {
    expect(await t.callBuffer('RPUSH', BIN, BIN, Buffer.from('plain'))).toBe(2);
    expect(await t.callBuffer('LRANGE', BIN, 0, -1)).toEqual([BIN, Buffer.from('plain')]);
    expect(await t.callBuffer('LPOS', BIN, BIN)).toBe(0);
    expect(await t.callBuffer('LPOP', BIN)).toEqual(BIN);
    expect(await t.callBuffer('RPOP', BIN)).toEqual(Buffer.from('plain'));
    expect(await t.call('EXISTS', BIN)).toBe(0);
  });
});

commandSuite('lists: LPOP RPOP', (t) => {
  it('pop one element as a bulk, or up to count as an array', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(await t.call('LPOP', 'l')).toBe('a');
    expect(await t.call('RPOP', 'l')).toBe('e');
    expect(await t.call('LPOP', 'l', 2)).toEqual(['b', 'c']);
    expect(await t.call('LPOP', 'l', 0)).toEqual([]);
    expect(await t.call('RPOP', 'l', 5)).toEqual(['d']);
    expect(await t.call('EXISTS', 'l')).toBe(0);
    await t.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(await t.call('RPOP', 'l', 2)).toEqual(['c', 'b']);
    expect(await t.call('LPOP', 'l', I64_MAX)).toEqual(['a']);
    expect(await t.call('EXISTS', 'l')).toBe(0);
  });

  it('a missing key answers nil, with or without a count (even 0)', async () => {
    expect(await t.call('LPOP', 'nokey')).toBeNull();
    expect(await t.call('RPOP', 'nokey', 1)).toBeNull();
    expect(await t.call('LPOP', 'nokey', 0)).toBeNull();
  });

  it('count errors come before the type check; extra arguments are an arity error', async () => {
    await t.call('SET', 's', 'x');
    for (const bad of ['-1', 'x', '1.5', '9223372036854775808', ' 1']) {
      expect(await t.error('LPOP', 'nokey', bad)).toBe(MUST_BE_POSITIVE);
      expect(await t.error('RPOP', 's', bad)).toBe(MUST_BE_POSITIVE);
    }
    expect(await t.error('LPOP', 's')).toBe(WRONGTYPE);
    expect(await t.error('RPOP', 's', 0)).toBe(WRONGTYPE);
    expect(await t.error('LPOP', 'l', 1, 2)).toBe(arity('lpop'));
    expect(await t.error('RPOP', 'l', 1, 2)).toBe(arity('rpop'));
    expect(await t.error('LPOP')).toBe(arity('lpop'));
  });
});

commandSuite('lists: LINDEX LSET LRANGE', (t) => {
  it('LINDEX by positive and negative index', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(await t.call('LINDEX', 'l', 0)).toBe('a');
    expect(await t.call('LINDEX', 'l', 2)).toBe('c');
    expect(await t.call('LINDEX', 'l', -1)).toBe('c');
    expect(await t.call('LINDEX', 'l', -3)).toBe('a');
    expect(await t.call('LINDEX', 'l', 3)).toBeNull();
    expect(await t.call('LINDEX', 'l', -4)).toBeNull();
    expect(await t.call('LINDEX', 'l', I64_MAX)).toBeNull();
    expect(await t.call('LINDEX', 'l', I64_MIN)).toBeNull();
    expect(await t.call('LINDEX', 'nokey', 'x')).toBeNull();
    expect(await t.error('LINDEX', 'l', 'x')).toBe(NOT_INTEGER);
    await t.call('SET', 's', 'x');
    expect(await t.error('LINDEX', 's', 'x')).toBe(WRONGTYPE);
  });

  it('LSET replaces in place; errors in Redis order', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(await t.call('LSET', 'l', 1, 'B')).toBe('OK');
    expect(await t.call('LSET', 'l', -1, 'C')).toBe('OK');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a', 'B', 'C']);
    expect(await t.error('LSET', 'nokey', 'x', 'v')).toBe('ERR no such key');
    expect(await t.error('LSET', 'l', 'x', 'v')).toBe(NOT_INTEGER);
    expect(await t.error('LSET', 'l', 3, 'v')).toBe('ERR index out of range');
    expect(await t.error('LSET', 'l', -4, 'v')).toBe('ERR index out of range');
    await t.call('SET', 's', 'x');
    expect(await t.error('LSET', 's', 'x', 'v')).toBe(WRONGTYPE);
  });

  it('LRANGE clamps like Redis; indexes are parsed before the key is looked up', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await t.call('LRANGE', 'l', 1, 2)).toEqual(['b', 'c']);
    expect(await t.call('LRANGE', 'l', -2, -1)).toEqual(['d', 'e']);
    expect(await t.call('LRANGE', 'l', -100, 100)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await t.call('LRANGE', 'l', 3, 1)).toEqual([]);
    expect(await t.call('LRANGE', 'l', 5, 10)).toEqual([]);
    expect(await t.call('LRANGE', 'l', -1, -2)).toEqual([]);
    expect(await t.call('LRANGE', 'l', 0, I64_MAX)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await t.call('LRANGE', 'l', I64_MIN, 0)).toEqual(['a']);
    expect(await t.call('LRANGE', 'nokey', 0, -1)).toEqual([]);
    expect(await t.error('LRANGE', 'nokey', 'x', 1)).toBe(NOT_INTEGER);
    expect(await t.error('LRANGE', 'l', 0, '1.0')).toBe(NOT_INTEGER);
    await t.call('SET', 's', 'x');
    expect(await t.error('LRANGE', 's', 'x', 1)).toBe(NOT_INTEGER);
    expect(await t.error('LRANGE', 's', 0, 1)).toBe(WRONGTYPE);
  });
});

commandSuite('lists: LINSERT LREM LTRIM', (t) => {
  it('LINSERT BEFORE/AFTER the first pivot from the head', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c', 'b');
    expect(await t.call('LINSERT', 'l', 'before', 'b', 'X')).toBe(5);
    expect(await t.call('LINSERT', 'l', 'AFTER', 'b', 'Y')).toBe(6);
    expect(await t.call('LINSERT', 'l', 'After', 'b', 'Z')).toBe(7);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a', 'X', 'b', 'Z', 'Y', 'c', 'b']);
    expect(await t.call('LINSERT', 'l', 'BEFORE', 'a', 'head')).toBe(8);
    expect(await t.call('LINSERT', 'l', 'AFTER', 'c', 'z')).toBe(9);
    expect(await t.call('LINDEX', 'l', 0)).toBe('head');
    expect(await t.call('LINSERT', 'l', 'AFTER', 'nope', 'v')).toBe(-1);
    expect(await t.call('LINSERT', 'nokey', 'AFTER', 'a', 'v')).toBe(0);
    expect(await t.call('EXISTS', 'nokey')).toBe(0);
  });

  it('LINSERT: the syntax error comes before the type check', async () => {
    await t.call('SET', 's', 'x');
    expect(await t.error('LINSERT', 's', 'MIDDLE', 'a', 'b')).toBe(SYNTAX);
    expect(await t.error('LINSERT', 'nokey', 'MIDDLE', 'a', 'b')).toBe(SYNTAX);
    expect(await t.error('LINSERT', 's', 'BEFORE', 'a', 'b')).toBe(WRONGTYPE);
    expect(await t.error('LINSERT', 's', 'BEFORE', 'a')).toBe(arity('linsert'));
  });

  it('LREM from the head, from the tail, or all', async () => {
    await t.call('RPUSH', 'l', 'a', 'x', 'a', 'y', 'a', 'z', 'a');
    expect(await t.call('LREM', 'l', 2, 'a')).toBe(2);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['x', 'y', 'a', 'z', 'a']);
    expect(await t.call('LREM', 'l', -1, 'a')).toBe(1);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['x', 'y', 'a', 'z']);
    expect(await t.call('LREM', 'l', 0, 'nope')).toBe(0);
    await t.call('RPUSH', 'l', 'a', 'a');
    expect(await t.call('LREM', 'l', 0, 'a')).toBe(3);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['x', 'y', 'z']);
    expect(await t.call('LREM', 'l', I64_MIN, 'y')).toBe(1);
    expect(await t.call('LREM', 'l', 0, 'x')).toBe(1);
    expect(await t.call('LREM', 'l', 1, 'z')).toBe(1);
    expect(await t.call('EXISTS', 'l')).toBe(0);
    expect(await t.call('LREM', 'nokey', 0, 'a')).toBe(0);
    await t.call('SET', 's', 'x');
    expect(await t.error('LREM', 's', 'x', 'a')).toBe(NOT_INTEGER);
    expect(await t.error('LREM', 'nokey', 'x', 'a')).toBe(NOT_INTEGER);
    expect(await t.error('LREM', 's', 0, 'a')).toBe(WRONGTYPE);
  });

  it('LTRIM keeps the range; an empty result deletes the key', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(await t.call('LTRIM', 'l', 1, -2)).toBe('OK');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['b', 'c', 'd']);
    expect(await t.call('LTRIM', 'l', -100, 100)).toBe('OK');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['b', 'c', 'd']);
    expect(await t.call('LTRIM', 'l', 1, 1)).toBe('OK');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['c']);
    expect(await t.call('LTRIM', 'l', 1, 0)).toBe('OK');
    expect(await t.call('EXISTS', 'l')).toBe(0);
    await t.call('RPUSH', 'l', 'a', 'b');
    expect(await t.call('LTRIM', 'l', 5, 10)).toBe('OK');
    expect(await t.call('EXISTS', 'l')).toBe(0);
    expect(await t.call('LTRIM', 'nokey', 0, 1)).toBe('OK');
    await t.call('SET', 's', 'x');
    expect(await t.error('LTRIM', 's', 'x', 1)).toBe(NOT_INTEGER);
    expect(await t.error('LTRIM', 's', 0, 1)).toBe(WRONGTYPE);
  });
});

commandSuite('lists: LPOS', (t) => {
  it('first match, RANK from either end, COUNT, MAXLEN', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'a', 'c', 'a');
    expect(await t.call('LPOS', 'l', 'a')).toBe(0);
    expect(await t.call('LPOS', 'l', 'c')).toBe(3);
    expect(await t.call('LPOS', 'l', 'z')).toBeNull();
    expect(await t.call('LPOS', 'l', 'a', 'RANK', 2)).toBe(2);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', 4)).toBeNull();
    expect(await t.call('LPOS', 'l', 'a', 'RANK', -1)).toBe(4);
    expect(await t.call('LPOS', 'l', 'a', 'rank', -3)).toBe(0);
    expect(await t.call('LPOS', 'l', 'a', 'COUNT', 0)).toEqual([0, 2, 4]);
    expect(await t.call('LPOS', 'l', 'a', 'COUNT', 2)).toEqual([0, 2]);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', -1, 'COUNT', 2)).toEqual([4, 2]);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', 2, 'COUNT', 0)).toEqual([2, 4]);
    expect(await t.call('LPOS', 'l', 'z', 'COUNT', 1)).toEqual([]);
    expect(await t.call('LPOS', 'l', 'a', 'MAXLEN', 2, 'COUNT', 0)).toEqual([0]);
    expect(await t.call('LPOS', 'l', 'c', 'MAXLEN', 3)).toBeNull();
    expect(await t.call('LPOS', 'l', 'a', 'RANK', -1, 'MAXLEN', 1)).toBe(4);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', 1, 'RANK', 2)).toBe(2);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', I64_MAX)).toBeNull();
    expect(await t.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775807')).toBeNull();
    expect(await t.call('LPOS', 'nokey', 'a')).toBeNull();
    expect(await t.call('LPOS', 'nokey', 'a', 'COUNT', 1)).toEqual([]);
  });

  it('RANK -9223372036854775808 matches from the tail and never stops at COUNT (as Redis does)', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'a', 'a');
    expect(await t.call('LPOS', 'l', 'a', 'RANK', I64_MIN)).toBe(3);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', I64_MIN, 'COUNT', 1)).toEqual([3, 2, 0]);
    expect(await t.call('LPOS', 'l', 'a', 'RANK', I64_MIN, 'COUNT', 0, 'MAXLEN', 2)).toEqual([3, 2]);
  });

  it('option errors, checked before the key', async () => {
    await t.call('SET', 's', 'x');
    expect(await t.error('LPOS', 'nokey', 'a', 'RANK', 0)).toBe(RANK_ZERO);
    expect(await t.error('LPOS', 's', 'a', 'RANK', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('LPOS', 's', 'a', 'COUNT', -1)).toBe("ERR COUNT can't be negative");
    expect(await t.error('LPOS', 's', 'a', 'COUNT', 'x')).toBe("ERR COUNT can't be negative");
    expect(await t.error('LPOS', 's', 'a', 'MAXLEN', -1)).toBe("ERR MAXLEN can't be negative");
    expect(await t.error('LPOS', 's', 'a', 'MAXLEN', 'x')).toBe("ERR MAXLEN can't be negative");
    expect(await t.error('LPOS', 's', 'a', 'FOO')).toBe(SYNTAX);
    expect(await t.error('LPOS', 's', 'a', 'RANK')).toBe(SYNTAX);
    expect(await t.error('LPOS', 's', 'a')).toBe(WRONGTYPE);
    expect(await t.error('LPOS', 's')).toBe(arity('lpos'));
  });
});

commandSuite('lists: LMOVE RPOPLPUSH', (t) => {
  it('every direction; the destination is created', async () => {
    await t.call('RPUSH', 'src', 'a', 'b', 'c', 'd');
    expect(await t.call('LMOVE', 'src', 'dst', 'LEFT', 'LEFT')).toBe('a');
    expect(await t.call('LMOVE', 'src', 'dst', 'RIGHT', 'LEFT')).toBe('d');
    expect(await t.call('LMOVE', 'src', 'dst', 'left', 'right')).toBe('b');
    expect(await t.call('LMOVE', 'src', 'dst', 'Right', 'Right')).toBe('c');
    expect(await t.call('EXISTS', 'src')).toBe(0);
    expect(await t.call('LRANGE', 'dst', 0, -1)).toEqual(['d', 'a', 'b', 'c']);
    expect(await t.call('RPOPLPUSH', 'dst', 'other')).toBe('c');
    expect(await t.call('LRANGE', 'other', 0, -1)).toEqual(['c']);
    expect(await t.call('LMOVE', 'nokey', 'dst', 'LEFT', 'LEFT')).toBeNull();
    expect(await t.call('RPOPLPUSH', 'nokey', 'dst')).toBeNull();
    expect(await t.call('EXISTS', 'nokey')).toBe(0);
  });

  it('source and destination the same key: a rotation, even of one element', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(await t.call('LMOVE', 'l', 'l', 'LEFT', 'RIGHT')).toBe('a');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['b', 'c', 'a']);
    expect(await t.call('RPOPLPUSH', 'l', 'l')).toBe('a');
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a', 'b', 'c']);
    await t.call('RPUSH', 'one', 'x');
    expect(await t.call('LMOVE', 'one', 'one', 'RIGHT', 'LEFT')).toBe('x');
    expect(await t.call('LRANGE', 'one', 0, -1)).toEqual(['x']);
  });

  it('errors: syntax first, then source type, then destination type (nothing moved)', async () => {
    await t.call('RPUSH', 'l', 'a');
    await t.call('SET', 's', 'x');
    expect(await t.error('LMOVE', 'l', 'm', 'UP', 'LEFT')).toBe(SYNTAX);
    expect(await t.error('LMOVE', 'nokey', 'm', 'LEFT', 'UP')).toBe(SYNTAX);
    expect(await t.error('LMOVE', 's', 'l', 'LEFT', 'LEFT')).toBe(WRONGTYPE);
    expect(await t.error('LMOVE', 'l', 's', 'LEFT', 'LEFT')).toBe(WRONGTYPE);
    expect(await t.error('RPOPLPUSH', 'l', 's')).toBe(WRONGTYPE);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a']);
    expect(await t.call('LMOVE', 'nokey', 's', 'LEFT', 'LEFT')).toBeNull();
    expect(await t.error('LMOVE', 'l', 'm', 'LEFT')).toBe(arity('lmove'));
  });
});

commandSuite('lists: LMPOP', (t) => {
  it('pops from the first non-empty key, up to COUNT', async () => {
    await t.call('RPUSH', 'b', 'b1', 'b2', 'b3');
    await t.call('RPUSH', 'c', 'c1');
    expect(await t.call('LMPOP', 2, 'a', 'b', 'LEFT')).toEqual(['b', ['b1']]);
    expect(await t.call('LMPOP', 3, 'a', 'b', 'c', 'right', 'count', 5)).toEqual(['b', ['b3', 'b2']]);
    expect(await t.call('EXISTS', 'b')).toBe(0);
    expect(await t.call('LMPOP', 3, 'a', 'b', 'c', 'LEFT', 'COUNT', 1)).toEqual(['c', ['c1']]);
    expect(await t.call('LMPOP', 1, 'a', 'LEFT')).toBeNull();
  });

  it('argument errors in Redis order; a wrong type stops the scan', async () => {
    await t.call('RPUSH', 'l', 'a');
    await t.call('SET', 's', 'x');
    for (const n of ['0', '-1', 'x']) expect(await t.error('LMPOP', n, 'l', 'LEFT')).toBe(NUMKEYS);
    expect(await t.error('LMPOP', 2, 'l', 'LEFT')).toBe(SYNTAX);
    expect(await t.error('LMPOP', I64_MAX, 'l', 'LEFT')).toBe(SYNTAX);
    expect(await t.error('LMPOP', 1, 'l', 'MIDDLE')).toBe(SYNTAX);
    expect(await t.error('LMPOP', 1, 'l', 'LEFT', 'COUNT', 0)).toBe(COUNT_GT0);
    expect(await t.error('LMPOP', 1, 'l', 'LEFT', 'COUNT', 'x')).toBe(COUNT_GT0);
    expect(await t.error('LMPOP', 1, 'l', 'LEFT', 'COUNT', 1, 'COUNT', 1)).toBe(SYNTAX);
    expect(await t.error('LMPOP', 1, 'l', 'LEFT', 'COUNT')).toBe(SYNTAX);
    expect(await t.error('LMPOP', 1, 'l', 'LEFT', 'FOO')).toBe(SYNTAX);
    expect(await t.error('LMPOP', 2, 'nokey', 's', 'LEFT')).toBe(WRONGTYPE);
    expect(await t.error('LMPOP', 2, 's', 'l', 'LEFT')).toBe(WRONGTYPE);
    expect(await t.error('LMPOP', 1, 'l')).toBe(arity('lmpop'));
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a']);
  });

  it('COMMAND GETKEYS follows numkeys', async () => {
    expect(await t.call('COMMAND', 'GETKEYS', 'LMPOP', 2, 'a', 'b', 'LEFT')).toEqual(['a', 'b']);
    expect(await t.call('COMMAND', 'GETKEYS', 'BLMPOP', 0, 2, 'a', 'b', 'LEFT')).toEqual(['a', 'b']);
    expect(await t.call('COMMAND', 'GETKEYS', 'BLMOVE', 'a', 'b', 'LEFT', 'LEFT', 0)).toEqual(['a', 'b']);
    expect(await t.call('COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', 0)).toEqual(['a', 'b']);
    expect(await t.error('COMMAND', 'GETKEYS', 'LMPOP', 5, 'a', 'b', 'LEFT')).toBe('ERR Invalid arguments specified for command');
  });
});

commandSuite('lists: blocking commands that need not block', (t) => {
  it('BLPOP/BRPOP serve the first non-empty key at once', async () => {
    await t.call('RPUSH', 'b', 'b1', 'b2');
    expect(await t.call('BLPOP', 'a', 'b', 0)).toEqual(['b', 'b1']);
    expect(await t.call('BRPOP', 'a', 'b', '0.5')).toEqual(['b', 'b2']);
    expect(await t.call('EXISTS', 'b')).toBe(0);
    await t.call('RPUSH', 'a', 'a1');
    await t.call('RPUSH', 'b', 'b1');
    expect(await t.call('BRPOP', 'b', 'a', 1)).toEqual(['b', 'b1']);
    expect(await t.call('BLPOP', 'a', 'a', 0)).toEqual(['a', 'a1']);
  });

  it('BLMOVE/BRPOPLPUSH move at once when the source has elements', async () => {
    await t.call('RPUSH', 'src', 'a', 'b');
    expect(await t.call('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', 0)).toBe('b');
    expect(await t.call('BRPOPLPUSH', 'src', 'dst', 0)).toBe('a');
    expect(await t.call('LRANGE', 'dst', 0, -1)).toEqual(['a', 'b']);
    expect(await t.call('EXISTS', 'src')).toBe(0);
  });

  it('BLMPOP pops up to COUNT at once', async () => {
    await t.call('RPUSH', 'l', 'a', 'b', 'c');
    expect(await t.call('BLMPOP', 0, 2, 'x', 'l', 'RIGHT', 'COUNT', 2)).toEqual(['l', ['c', 'b']]);
    expect(await t.call('BLMPOP', '0.1', 1, 'l', 'LEFT')).toEqual(['l', ['a']]);
  });

  it('a short timeout with nothing to pop answers nil', async () => {
    expect(await t.call('BLPOP', 'nokey', '0.01')).toBeNull();
    expect(await t.call('BRPOP', 'nokey', 'other', '0.01')).toBeNull();
    expect(await t.call('BLMOVE', 'nokey', 'dst', 'LEFT', 'LEFT', '0.01')).toBeNull();
    expect(await t.call('BRPOPLPUSH', 'nokey', 'dst', '0.01')).toBeNull();
    expect(await t.call('BLMPOP', '0.01', 1, 'nokey', 'LEFT', 'COUNT', 3)).toBeNull();
    expect(await t.call('BLPOP', 'nokey', '0.0005')).toBeNull(); // rounds up to 1 ms
    expect(await t.call('BLPOP', 'nokey', '1e-300')).toBeNull();
    expect(await t.call('EXISTS', 'dst')).toBe(0);
  });

  it('timeout errors', async () => {
    for (const bad of ['abc', '', ' 1', '1 ', 'nan', '0x', '1e']) {
      expect(await t.error('BLPOP', 'l', bad)).toBe(TIMEOUT_NOT_FLOAT);
    }
    for (const neg of ['-1', '-0.0011', 'inf', '-inf', '1e400', I64_MAX, '9223372036854775.808']) {
      expect(await t.error('BLPOP', 'l', neg)).toBe(TIMEOUT_NEGATIVE);
    }
    expect(await t.error('BRPOP', 'l', '-1')).toBe(TIMEOUT_NEGATIVE);
    expect(await t.error('BRPOPLPUSH', 'l', 'm', 'x')).toBe(TIMEOUT_NOT_FLOAT);
    expect(await t.error('BLMOVE', 'l', 'm', 'LEFT', 'LEFT', '-2')).toBe(TIMEOUT_NEGATIVE);
    expect(await t.error('BLMOVE', 'l', 'm', 'UP', 'LEFT', 'x')).toBe(SYNTAX);
    expect(await t.error('BLMPOP', 'x', 1, 'l', 'LEFT')).toBe(TIMEOUT_NOT_FLOAT);
    expect(await t.error('BLMPOP', '-1', 1, 'l', 'LEFT')).toBe(TIMEOUT_NEGATIVE);
    // BLMPOP parses numkeys, direction and COUNT before the timeout.
    expect(await t.error('BLMPOP', 'x', 0, 'l', 'LEFT')).toBe(NUMKEYS);
    expect(await t.error('BLMPOP', 'x', 1, 'l', 'MIDDLE')).toBe(SYNTAX);
    expect(await t.error('BLMPOP', 'x', 1, 'l', 'LEFT', 'COUNT', 0)).toBe(COUNT_GT0);
    expect(await t.error('BLPOP', 'l')).toBe(arity('blpop'));
    expect(await t.error('BLMPOP', 0, 1, 'l')).toBe(arity('blmpop'));
  });

  it('the timeout is parsed before the keys are type-checked; WRONGTYPE does not block', async () => {
    await t.call('SET', 's', 'x');
    expect(await t.error('BLPOP', 's', 'x')).toBe(TIMEOUT_NOT_FLOAT);
    expect(await t.error('BLPOP', 's', 0)).toBe(WRONGTYPE);
    expect(await t.error('BLPOP', 'nokey', 's', 0)).toBe(WRONGTYPE);
    expect(await t.error('BRPOP', 's', 0)).toBe(WRONGTYPE);
    expect(await t.error('BLMPOP', 0, 2, 'nokey', 's', 'LEFT')).toBe(WRONGTYPE);
    expect(await t.error('BLMOVE', 's', 'dst', 'LEFT', 'LEFT', 0)).toBe(WRONGTYPE);
    expect(await t.error('BRPOPLPUSH', 's', 'dst', 0)).toBe(WRONGTYPE);
    await t.call('RPUSH', 'l', 'a');
    expect(await t.error('BLMOVE', 'l', 's', 'LEFT', 'LEFT', 0)).toBe(WRONGTYPE);
    expect(await t.call('LRANGE', 'l', 0, -1)).toEqual(['a']);
    // A missing source with a wrong-type destination blocks (the destination is checked when served).
    expect(await t.call('BLMOVE', 'nokey', 's', 'LEFT', 'LEFT', '0.01')).toBeNull();
  });

  it('inside MULTI/EXEC they act as if the timeout passed: nil array, or nil bulk for BLMOVE/BRPOPLPUSH', async () => {
    const c = await t.connect();
    expect(await c.call('MULTI')).toBe('OK');
    for (const cmd of [
      ['BLPOP', 'l', 0],
      ['BLMOVE', 'l', 'm', 'LEFT', 'LEFT', 0],
      ['BRPOPLPUSH', 'l', 'm', 0],
      ['BLMPOP', 0, 1, 'l', 'LEFT'],
      ['RPUSH', 'l', 'a'],
      ['BRPOP', 'l', 0],
    ]) {
      expect(await c.call(...cmd)).toBe('QUEUED');
    }
    expect(await c.call('EXEC')).toEqual([null, null, null, null, 1, ['l', 'a']]);
    expect(await t.call('EXISTS', 'l', 'm')).toBe(0);
  });

  it('timeouts that round to 0 block forever', async () => {
    const other = await t.connect();
    for (const forever of ['0', '-0', '-0.0001', '-0.001', '0.0', '-1e-400']) {
      let done = false;
      const p = other.call('BLPOP', 'k', forever).then((v) => {
        done = true;
        return v;
      });
      await sleep(60);
      expect([forever, done]).toEqual([forever, false]);
      await t.call('RPUSH', 'k', forever);
      expect(await p).toEqual(['k', forever]);
    }
  });
});

// ---- in-process only -------------------------------------------------------------------------

describe('lists: parseBlockTimeout', () => {
  it('reproduces 7.0.15 (long double x 1000, ceil, to long long)', () => {
    expect(parseBlockTimeout('0')).toBe(0);
    expect(parseBlockTimeout('1')).toBe(1000);
    expect(parseBlockTimeout('0.1')).toBe(100);
    expect(parseBlockTimeout('1.5')).toBe(1500);
    expect(parseBlockTimeout('0.0005')).toBe(1);
    expect(parseBlockTimeout('0.0015')).toBe(2);
    expect(parseBlockTimeout('1e-300')).toBe(1);
    expect(parseBlockTimeout('1e-4950')).toBe(1);
    expect(parseBlockTimeout('-0.0001')).toBe(0);
    expect(parseBlockTimeout('-0.001')).toBe(0);
    expect(parseBlockTimeout('-0.0011')).toBe(TIMEOUT_NEGATIVE);
    expect(parseBlockTimeout('9223372036854775.807')).toBeGreaterThan(9e18);
    expect(parseBlockTimeout('9223372036854775.808')).toBe(TIMEOUT_NEGATIVE);
    expect(parseBlockTimeout('1e400')).toBe(TIMEOUT_NEGATIVE);
    expect(parseBlockTimeout('inf')).toBe(TIMEOUT_NEGATIVE);
    expect(parseBlockTimeout('nan')).toBe(TIMEOUT_NOT_FLOAT);
    expect(parseBlockTimeout('0x10')).toBe(16000);
  });
});

describe.runIf(redisServerAvailable())('lists: raw RESP2/RESP3 bytes equal redis-server', () => {
  let redis: SpawnedServer;
  beforeAll(async () => {
    redis = await spawnServer('redis', [], { timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('nil arrays, nil bulks and arrays are byte-identical in both protocols', async () => {
    const server = new Server(testConfig());
    const hoard = new RawConn(server);
    const real = await RawSocket.connect(redis.port);
    try {
      for (const proto of ['2', '3']) {
        const script: Arg[][] = [
          ['FLUSHALL'],
          ['LPOP', 'l'],
          ['LPOP', 'l', '1'],
          ['LPOP', 'l', '0'],
          ['LINDEX', 'l', '0'],
          ['LPOS', 'l', 'a'],
          ['LPOS', 'l', 'a', 'COUNT', '0'],
          ['LMPOP', '1', 'l', 'LEFT'],
          ['LMOVE', 'l', 'm', 'LEFT', 'LEFT'],
          ['BLPOP', 'l', '0.01'],
          ['BRPOP', 'l', '0.01'],
          ['BLMOVE', 'l', 'm', 'LEFT', 'RIGHT', '0.01'],
          ['BRPOPLPUSH', 'l', 'm', '0.01'],
          ['BLMPOP', '0.01', '1', 'l', 'LEFT'],
          ['RPUSH', 'l', 'a', 'b', 'c', 'a'],
          ['LPOP', 'l', '0'],
          ['LRANGE', 'l', '0', '-1'],
          ['LRANGE', 'l', '5', '6'],
          ['LPOS', 'l', 'a', 'RANK', '-1', 'COUNT', '0'],
          ['LPOS', 'l', 'z'],
          ['LINDEX', 'l', '9'],
          ['BLPOP', 'l', '0'],
          ['BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '2'],
          ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '9'],
          ['LINSERT', 'l', 'BEFORE', 'x', 'y'],
          ['LSET', 'l', '0', 'x'],
          ['MULTI'],
          ['BLPOP', 'l', '0'],
          ['BLMOVE', 'l', 'm', 'LEFT', 'LEFT', '0'],
          ['BRPOPLPUSH', 'l', 'm', '0'],
          ['BLMPOP', '0', '1', 'l', 'LEFT'],
          ['EXEC'],
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

describe('lists: propagation and replay (in-process, ManualClock)', () => {
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
    await expectLog(['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f'], [['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f']]);
    await expectLog(['LPUSHX', 'nokey', 'a'], []);
    await expectLog(['LPOP', 'l'], [['LPOP', 'l']]);
    await expectLog(['rpop', 'l', '2'], [['rpop', 'l', '2']]);
    await expectLog(['LPOP', 'l', '0'], []);
    await expectLog(['LPOP', 'nokey'], []);
    await expectLog(['LINSERT', 'l', 'AFTER', 'zz', 'v'], []);
    await expectLog(['LINSERT', 'l', 'AFTER', 'b', 'v'], [['LINSERT', 'l', 'AFTER', 'b', 'v']]);
    await expectLog(['LSET', 'l', '0', 'B'], [['LSET', 'l', '0', 'B']]);
    await expectLog(['LSET', 'l', '9', 'B'], []);
    await expectLog(['LREM', 'l', '0', 'zz'], []);
    await expectLog(['LREM', 'l', '0', 'v'], [['LREM', 'l', '0', 'v']]);
    await expectLog(['LTRIM', 'l', '0', '-1'], []);
    await expectLog(['LMOVE', 'l', 'm', 'left', 'RIGHT'], [['LMOVE', 'l', 'm', 'left', 'RIGHT']]);
    await expectLog(['RPOPLPUSH', 'l', 'm'], [['RPOPLPUSH', 'l', 'm']]);
    await expectLog(['BLMOVE', 'm', 'l', 'left', 'right', '0'], [['LMOVE', 'm', 'l', 'left', 'right']]);
    await expectLog(['BRPOPLPUSH', 'm', 'l', '0'], [['RPOPLPUSH', 'm', 'l']]);
    await expectLog(['BLPOP', 'nokey', 'l', '0'], [['LPOP', 'l']]);
    await expectLog(['RPUSH', 'l', 'x', 'y', 'z'], [['RPUSH', 'l', 'x', 'y', 'z']]);
    await expectLog(['BRPOP', 'l', '0'], [['RPOP', 'l']]);
    await expectLog(['LMPOP', '2', 'nokey', 'l', 'RIGHT', 'COUNT', '100'], [['RPOP', 'l', '4']]);
    await expectLog(['RPUSH', 'l', 'x', 'y', 'z'], [['RPUSH', 'l', 'x', 'y', 'z']]);
    await expectLog(['BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '2'], [['LPOP', 'l', '2']]);
    await expectLog(['LTRIM', 'l', '5', '9'], [['LTRIM', 'l', '5', '9']]);
    for (const r of [['LRANGE', 'l', '0', '-1'], ['LLEN', 'l'], ['LINDEX', 'l', '0'], ['LPOS', 'l', 'x'], ['LMPOP', '1', 'nokey', 'LEFT']]) {
      await expectLog(r, []);
    }
    expect(await call('EXISTS', 'l')).toBe(0);
  });

  it('a blocked pop served by another client propagates the non-blocking form, after the push', async () => {
    const call = await setup();
    const other = await b.connect();
    const p1 = other.call('BLPOP', 'k', '0');
    await expectNothingYet(log);
    await call('RPUSH', 'k', 'a', 'b');
    expect(await p1).toEqual(['k', 'a']);
    const p2 = other.call('BLMPOP', '0', '1', 'j', 'RIGHT', 'COUNT', '5');
    await call('LPUSH', 'j', '1', '2');
    expect(await p2).toEqual(['j', ['1', '2']]);
    const p3 = other.call('BLMOVE', 'src', 'dst', 'left', 'left', '0');
    await call('RPUSH', 'src', 'v');
    expect(await p3).toBe('v');
    const p4 = other.call('BRPOPLPUSH', 'src', 'dst', '0');
    await call('RPUSH', 'src', 'w');
    expect(await p4).toBe('w');
    expect(log).toEqual([
      ['RPUSH', 'k', 'a', 'b'],
      ['LPOP', 'k'],
      ['LPUSH', 'j', '1', '2'],
      ['RPOP', 'j', '2'],
      ['RPUSH', 'src', 'v'],
      ['LMOVE', 'src', 'dst', 'LEFT', 'LEFT'],
      ['RPUSH', 'src', 'w'],
      ['RPOPLPUSH', 'src', 'dst'],
    ]);
  });

  it('replaying the stream of a random workload (with blocked clients) rebuilds the same keyspace', async () => {
    const call = await setup();
    const waiter = await b.connect();
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let pending: Promise<unknown> | null = null;
    let served = 0;
    for (let i = 0; i < 3000; i++) {
      const key = `l${rnd(4)}`;
      const v = 'abc'[rnd(3)];
      const op = rnd(12);
      if (pending === null && rnd(20) === 0) {
        const k2 = `l${rnd(4)}`;
        const forms: Arg[][] = [['BLPOP', key, k2, '0'], ['BRPOP', key, '0'], ['BLMOVE', key, k2, 'LEFT', 'RIGHT', '0'], ['BLMPOP', '0', '2', key, k2, 'LEFT', 'COUNT', '2']];
        pending = waiter
          .call(...forms[rnd(forms.length)])
          .catch(() => null)
          .then((v) => {
            if (v !== null) served++;
            pending = null;
          });
        await sleep(0);
      }
      try {
        if (op < 3) await call('RPUSH', key, v, v + v);
        else if (op < 5) await call('LPUSH', key, v);
        else if (op === 5) await call('LPOP', key, String(rnd(3)));
        else if (op === 6) await call('RPOP', key);
        else if (op === 7) await call('LMOVE', key, `l${rnd(4)}`, 'RIGHT', 'LEFT');
        else if (op === 8) await call('LREM', key, String(rnd(3) - 1), v);
        else if (op === 9) await call('LTRIM', key, String(rnd(3)), String(rnd(5) - 2));
        else if (op === 10) await call('LINSERT', key, 'AFTER', v, 'ins');
        else await call('LSET', key, String(rnd(4) - 2), 'set');
      } catch {
        // LSET out of range and the like: refused, nothing propagated
      }
    }
    if (pending !== null) {
      await call('RPUSH', 'l0', 'end');
      await call('RPUSH', 'l1', 'end');
      await call('RPUSH', 'l2', 'end');
      await call('RPUSH', 'l3', 'end');
      await pending;
    }
    expect(served).toBeGreaterThan(20);
    const replica = new Server(testConfig(), { clock: new ManualClock(1_700_000_000_000) });
    const rc = replica.connectLocal(() => {});
    for (const argv of log) rc.onData(encodeArgs(argv));
    expect(dump(replica)).toEqual(dump(b.server!));
    await replica.close();
  });
});

/** Lets the in-process server run a few turns and checks nothing was propagated meanwhile. */
async function expectNothingYet(log: string[][]): Promise<void> {
  await sleep(10);
  expect(log).toEqual([]);
}

describe('lists: inside EXEC a blocking command acts as its timeout (in-process)', () => {
  let b: Backend;
  afterEach(async () => {
    await b.close();
  });

  it('nil array for BLPOP/BRPOP/BLMPOP, nil bulk for BLMOVE/BRPOPLPUSH, and no client stays blocked', async () => {
    b = await inProcess();
    const client = (b.conn as unknown as { client: { inExec: boolean } }).client;
    // The transactions family sets this flag while EXEC runs the queue; simulate it here.
    client.inExec = true;
    const raw: string[] = [];
    const server = b.server!;
    const c = server.connectLocal((d) => raw.push(d));
    (c as unknown as { inExec: boolean }).inExec = true;
    for (const cmd of [
      ['BLPOP', 'l', '0'],
      ['BRPOP', 'l', '0'],
      ['BLMPOP', '0', '1', 'l', 'LEFT'],
      ['BLMOVE', 'l', 'm', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', 'l', 'm', '0'],
    ]) {
      c.onData(encodeArgs(cmd));
    }
    await sleep(10);
    expect(raw.join('')).toBe('*-1\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n');
    expect(server.blocking.count).toBe(0);
    // With elements they behave like the non-blocking forms.
    await b.conn.call('RPUSH', 'l', 'a');
    expect(await b.conn.call('BLPOP', 'l', '0')).toEqual(['l', 'a']);
    client.inExec = false;
  });
});
