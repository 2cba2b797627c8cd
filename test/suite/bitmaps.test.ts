// The bitmap family (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) against every
// backend; every expectation below was observed on redis-server 7.0.15. Integer replies beyond
// 2^53 are checked through the bytes they leave in the value (ioredis gives doubles); the
// in-process block at the end checks exact reply bytes, what is propagated, that replaying the
// propagated stream of a mixed workload gives the same keyspace, and the lengths V8 cannot hold.

import { describe, it, expect, afterEach } from 'vitest';
import { commandSuite, type SuiteContext } from '../helpers/suite.js';
import { EventListener, RawConn } from '../helpers/raw-conn.js';
import { liveKeys, recordMutations, replay } from '../helpers/replay.js';
import { inProcess, type Arg, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';
import { ManualClock } from '../../src/keyspace/clock.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE = 'ERR bit is not an integer or out of range';
const BITPOS_BIT = 'ERR The bit argument must be 1 or 0.';
const BF_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const BF_OVERFLOW = 'ERR Invalid OVERFLOW type specified';
const BF_RO = 'ERR BITFIELD_RO only supports the GET subcommand';
const BITOP_NOT = 'ERR BITOP NOT must be called with a single source key.';
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const bytesOf = async (t: SuiteContext, key: string) => ((await t.callBuffer('GET', key)) as Buffer | null)?.toString('hex') ?? null;
/** INFO persistence rdb_changes_since_last_save: Redis's dirty counter. */
const dirty = async (t: SuiteContext) => Number(/rdb_changes_since_last_save:(\d+)/.exec(await t.call('INFO', 'persistence'))![1]);

commandSuite('bitmaps: SETBIT GETBIT', (t) => {
  it('SETBIT returns the old bit, creates and zero-pads the value', async () => {
    expect(await t.call('SETBIT', 'k', 7, 1)).toBe(0);
    expect(await t.call('SETBIT', 'k', 7, 0)).toBe(1);
    expect(await bytesOf(t, 'k')).toBe('00');
    expect(await t.call('SETBIT', 'k', 0, 1)).toBe(0);
    expect(await t.call('SETBIT', 'k', 0, 1)).toBe(1);
    expect(await t.call('SETBIT', 'k', 33, 1)).toBe(0);
    expect(await bytesOf(t, 'k')).toBe('8000000040');
    expect(await t.call('STRLEN', 'k')).toBe(5);
    expect(await t.call('SETBIT', 'k', 2, 0)).toBe(0); // inside the value: no growth
    expect(await t.call('STRLEN', 'k')).toBe(5);
    expect(await t.call('SETBIT', 'z', 100, 0)).toBe(0); // a 0 bit still creates the value
    expect(await bytesOf(t, 'z')).toBe('00'.repeat(13));
  });

  it('GETBIT reads bits MSB first; past the end and on a missing key it is 0', async () => {
    await t.call('SET', 'k', 'a'); // 0x61 = 0110 0001
    const bits = [];
    for (let i = 0; i < 8; i++) bits.push(await t.call('GETBIT', 'k', i));
    expect(bits).toEqual([0, 1, 1, 0, 0, 0, 0, 1]);
    expect(await t.call('GETBIT', 'k', 8)).toBe(0);
    expect(await t.call('GETBIT', 'k', 4294967295)).toBe(0);
    expect(await t.call('GETBIT', 'missing', 0)).toBe(0);
    expect(await t.call('EXISTS', 'missing')).toBe(0);
    // An integer-looking value is read as its digits ('1' = 0x31).
    await t.call('SET', 'n', 123);
    expect(await t.call('GETBIT', 'n', 2)).toBe(1);
    expect(await t.call('GETBIT', 'n', 0)).toBe(0);
  });

  it('binary-safe keys and values', async () => {
    const key = Buffer.from([0x00, 0xff, 0x0d, 0x0a]);
    await t.call('SET', key, Buffer.from([0xff, 0x00, 0x80]));
    expect(await t.call('SETBIT', key, 8, 1)).toBe(0);
    expect(await t.call('SETBIT', key, 7, 0)).toBe(1);
    expect(await t.callBuffer('GET', key)).toEqual(Buffer.from([0xfe, 0x80, 0x80]));
    expect(await t.call('GETBIT', key, 16)).toBe(1);
  });

  it('offset and bit errors, checked before the key', async () => {
    await t.call('RPUSH', 'l', 'a');
    for (const off of ['-1', '4294967296', 'x', '01', '+1', ' 1', '1.0', '9223372036854775808', '#1']) {
      expect(await t.error('SETBIT', 'k', off, 1)).toBe(BIT_OFFSET);
      expect(await t.error('GETBIT', 'k', off)).toBe(BIT_OFFSET);
      expect(await t.error('SETBIT', 'l', off, 1)).toBe(BIT_OFFSET);
      expect(await t.error('GETBIT', 'l', off)).toBe(BIT_OFFSET);
    }
    for (const bit of ['2', '-1', 'x', '01', '-0', '', '1.0']) {
      expect(await t.error('SETBIT', 'k', 0, bit)).toBe(BIT_VALUE);
      expect(await t.error('SETBIT', 'l', 0, bit)).toBe(BIT_VALUE);
    }
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.error('SETBIT', 'l', 0, 1)).toBe(WRONGTYPE);
    expect(await t.error('GETBIT', 'l', 0)).toBe(WRONGTYPE);
    expect(await t.error('SETBIT', 'k', 0)).toBe(arity('setbit'));
    expect(await t.error('SETBIT', 'k', 0, 1, 1)).toBe(arity('setbit'));
    expect(await t.error('GETBIT', 'k')).toBe(arity('getbit'));
    expect(await t.error('GETBIT', 'k', 0, 1)).toBe(arity('getbit'));
  });

  it('the offset limit follows proto-max-bulk-len (the last byte must be below it)', async () => {
    expect(await t.call('CONFIG', 'SET', 'proto-max-bulk-len', '1048576')).toBe('OK');
    try {
      expect(await t.error('SETBIT', 'k', 8388608, 1)).toBe(BIT_OFFSET);
      expect(await t.error('GETBIT', 'k', 8388608)).toBe(BIT_OFFSET);
      expect(await t.error('BITFIELD', 'k', 'SET', 'u8', '#1048576', 1)).toBe(BIT_OFFSET);
      expect(await t.call('SETBIT', 'k', 8388607, 1)).toBe(0);
      expect(await t.call('STRLEN', 'k')).toBe(1048576);
      expect(await t.call('BITCOUNT', 'k')).toBe(1);
      expect(await t.call('BITPOS', 'k', 1)).toBe(8388607);
      // A field may end past the limit if it starts below it: Redis checks the start only.
      expect(await t.call('BITFIELD', 'k', 'SET', 'u8', 8388607, 255)).toEqual([128]);
      expect(await t.call('STRLEN', 'k')).toBe(1048577);
    } finally {
      await t.call('CONFIG', 'SET', 'proto-max-bulk-len', '536870912');
    }
  });

  it('SETBIT keeps the TTL; the value becomes raw, even when no bit changes', async () => {
    await t.call('SET', 'k', 'a', 'EX', 100);
    expect(await t.call('OBJECT', 'ENCODING', 'k')).toBe('embstr');
    expect(await t.call('SETBIT', 'k', 1, 1)).toBe(1); // already set
    expect(await t.call('OBJECT', 'ENCODING', 'k')).toBe('raw');
    expect(await t.call('SETBIT', 'k', 0, 1)).toBe(0);
    expect(await t.call('TTL', 'k')).toBe(100);
    expect(await bytesOf(t, 'k')).toBe('e1');
    await t.call('SET', 'n', 123);
    expect(await t.call('OBJECT', 'ENCODING', 'n')).toBe('int');
    expect(await t.call('SETBIT', 'n', 2, 1)).toBe(1);
    expect(await t.call('OBJECT', 'ENCODING', 'n')).toBe('raw');
    expect(await t.call('GET', 'n')).toBe('123');
    expect(await t.call('SETBIT', 'new', 3, 1)).toBe(0);
    expect(await t.call('OBJECT', 'ENCODING', 'new')).toBe('raw');
    // Reads leave the encoding alone.
    await t.call('SET', 'e', 'abc');
    await t.call('GETBIT', 'e', 3);
    await t.call('BITCOUNT', 'e');
    await t.call('BITPOS', 'e', 1);
    await t.call('BITFIELD', 'e', 'GET', 'u8', 0);
    expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('embstr');
  });

  it('a SETBIT that changes nothing is not a change (dirty counter, WATCH)', async () => {
    await t.call('SETBIT', 'k', 7, 1);
    let d = await dirty(t);
    expect(await t.call('SETBIT', 'k', 7, 1)).toBe(1);
    expect(await t.call('SETBIT', 'k', 3, 0)).toBe(0);
    expect(await dirty(t)).toBe(d);
    expect(await t.call('SETBIT', 'k', 3, 1)).toBe(0);
    expect(await dirty(t)).toBe(d + 1);
    d = await dirty(t);
    expect(await t.call('SETBIT', 'k', 15, 0)).toBe(0); // grows the value: a change
    expect(await dirty(t)).toBe(d + 1);

    const w = await t.connect();
    expect(await w.call('WATCH', 'k')).toBe('OK');
    await t.call('SETBIT', 'k', 7, 1);
    expect(await w.call('MULTI')).toBe('OK');
    expect(await w.call('GETBIT', 'k', 7)).toBe('QUEUED');
    expect(await w.call('EXEC')).toEqual([1]);
    expect(await w.call('WATCH', 'k')).toBe('OK');
    await t.call('SETBIT', 'k', 7, 0);
    expect(await w.call('MULTI')).toBe('OK');
    expect(await w.call('GETBIT', 'k', 7)).toBe('QUEUED');
    expect(await w.call('EXEC')).toBe(null);
    await w.close();
  });
});

commandSuite('bitmaps: BITCOUNT', (t) => {
  it('counts the whole value or a byte range, negative indexes from the end', async () => {
    await t.call('SET', 'k', 'foobar');
    expect(await t.call('BITCOUNT', 'k')).toBe(26);
    expect(await t.call('BITCOUNT', 'k', 0, 0)).toBe(4);
    expect(await t.call('BITCOUNT', 'k', 1, 1)).toBe(6);
    expect(await t.call('BITCOUNT', 'k', 1, 1, 'BYTE')).toBe(6);
    expect(await t.call('BITCOUNT', 'k', 0, -1)).toBe(26);
    expect(await t.call('BITCOUNT', 'k', -2, -1)).toBe(7);
    expect(await t.call('BITCOUNT', 'k', -100, 100)).toBe(26);
    expect(await t.call('BITCOUNT', 'k', 2, 1)).toBe(0);
    expect(await t.call('BITCOUNT', 'k', 6, 10)).toBe(0);
    expect(await t.call('BITCOUNT', 'k', -1, -2)).toBe(0);
    expect(await t.call('BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807')).toBe(26);
    expect(await t.call('BITCOUNT', 'k', '-9223372036854775807', '-9223372036854775808')).toBe(0);
  });

  it('BIT ranges count single bits, edges included', async () => {
    await t.call('SET', 'k', 'foobar');
    expect(await t.call('BITCOUNT', 'k', 5, 30, 'BIT')).toBe(17);
    expect(await t.call('BITCOUNT', 'k', 5, 30, 'bit')).toBe(17);
    expect(await t.call('BITCOUNT', 'k', 0, -1, 'BIT')).toBe(26);
    expect(await t.call('BITCOUNT', 'k', 1, 1, 'BIT')).toBe(1);
    expect(await t.call('BITCOUNT', 'k', 0, 0, 'BIT')).toBe(0);
    expect(await t.call('BITCOUNT', 'k', 1, 6, 'BIT')).toBe(4); // inside one byte
    expect(await t.call('BITCOUNT', 'k', -8, -1, 'BIT')).toBe(4); // 'r' = 0111 0010
    expect(await t.call('BITCOUNT', 'k', 40, 1000, 'BIT')).toBe(4);
    expect(await t.call('BITCOUNT', 'k', 48, 1000, 'BIT')).toBe(0);
    expect(await t.call('BITCOUNT', 'k', 9, 8, 'BIT')).toBe(0);
    await t.call('SET', 'ones', Buffer.alloc(1000, 0xff));
    expect(await t.call('BITCOUNT', 'ones')).toBe(8000);
    expect(await t.call('BITCOUNT', 'ones', 3, 7996, 'BIT')).toBe(7994);
    expect(await t.call('BITCOUNT', 'ones', 1, -2)).toBe(7984);
  });

  it('empty and missing values; a missing key is 0 whatever the arguments (7.0)', async () => {
    await t.call('SET', 'e', '');
    expect(await t.call('BITCOUNT', 'e')).toBe(0);
    expect(await t.call('BITCOUNT', 'e', 0, -1)).toBe(0);
    expect(await t.call('BITCOUNT', 'e', 0, -1, 'BIT')).toBe(0);
    expect(await t.call('BITCOUNT', 'missing')).toBe(0);
    expect(await t.call('BITCOUNT', 'missing', 'a', 'b')).toBe(0);
    expect(await t.call('BITCOUNT', 'missing', 0)).toBe(0);
    expect(await t.call('BITCOUNT', 'missing', 0, 1, 'foo')).toBe(0);
  });

  it('errors: WRONGTYPE first, then the range, then the unit', async () => {
    await t.call('SET', 'k', 'abc');
    await t.call('RPUSH', 'l', 'a');
    expect(await t.error('BITCOUNT', 'l')).toBe(WRONGTYPE);
    expect(await t.error('BITCOUNT', 'l', 'a', 'b')).toBe(WRONGTYPE);
    expect(await t.error('BITCOUNT', 'k', 0)).toBe(SYNTAX);
    expect(await t.error('BITCOUNT', 'k', 'a', 'b')).toBe(NOT_INTEGER);
    expect(await t.error('BITCOUNT', 'k', 0, '1.5')).toBe(NOT_INTEGER);
    expect(await t.error('BITCOUNT', 'k', 1, 'x', 'foo')).toBe(NOT_INTEGER);
    expect(await t.error('BITCOUNT', 'k', 0, 1, 'foo')).toBe(SYNTAX);
    expect(await t.error('BITCOUNT', 'k', 0, 1, 'BIT', 'x')).toBe(SYNTAX);
    // Both negative with start > end answers 0 before the unit is looked at.
    expect(await t.call('BITCOUNT', 'k', -1, -2, 'foo')).toBe(0);
    expect(await t.error('BITCOUNT')).toBe(arity('bitcount'));
  });
});

commandSuite('bitmaps: BITPOS', (t) => {
  it('finds the first 1 or 0 bit, in byte ranges', async () => {
    await t.call('SET', 'k', hex('fff000'));
    expect(await t.call('BITPOS', 'k', 0)).toBe(12);
    expect(await t.call('BITPOS', 'k', 1)).toBe(0);
    await t.call('SET', 'k', hex('00fff0'));
    expect(await t.call('BITPOS', 'k', 1, 0)).toBe(8);
    expect(await t.call('BITPOS', 'k', 1, 2)).toBe(16);
    expect(await t.call('BITPOS', 'k', 1, 2, -1, 'BYTE')).toBe(16);
    expect(await t.call('BITPOS', 'k', 1, -1)).toBe(16);
    expect(await t.call('BITPOS', 'k', 0, 1)).toBe(20);
    expect(await t.call('BITPOS', 'k', 0, 1, 1)).toBe(-1);
    expect(await t.call('BITPOS', 'k', 1, 3)).toBe(-1);
    expect(await t.call('BITPOS', 'k', 1, 2, 1)).toBe(-1);
    await t.call('SET', 'k', hex('000000'));
    expect(await t.call('BITPOS', 'k', 1)).toBe(-1);
    expect(await t.call('BITPOS', 'k', 0)).toBe(0);
  });

  it('BIT ranges', async () => {
    await t.call('SET', 'k', hex('00fff0'));
    expect(await t.call('BITPOS', 'k', 1, 7, 15, 'BIT')).toBe(8);
    expect(await t.call('BITPOS', 'k', 1, 7, -3, 'bit')).toBe(8);
    expect(await t.call('BITPOS', 'k', 1, 9, 9, 'BIT')).toBe(9);
    expect(await t.call('BITPOS', 'k', 0, 8, 19, 'BIT')).toBe(-1);
    expect(await t.call('BITPOS', 'k', 0, 8, 20, 'BIT')).toBe(20);
    expect(await t.call('BITPOS', 'k', 0, 3, 5, 'BIT')).toBe(3);
    expect(await t.call('BITPOS', 'k', 1, 0, 7, 'BIT')).toBe(-1);
    expect(await t.call('BITPOS', 'k', 0, 20, 23, 'BIT')).toBe(20);
    expect(await t.call('BITPOS', 'k', 0, 16, 19, 'BIT')).toBe(-1);
    // The unit needs an explicit end: as the fourth argument, BIT is the end and not a number.
    expect(await t.error('BITPOS', 'k', 0, 20, 'BIT')).toBe(NOT_INTEGER);
    expect(await t.call('BITPOS', 'k', 1, 5, 2, 'BIT')).toBe(-1);
    expect(await t.call('BITPOS', 'k', 1, -100, 100, 'BIT')).toBe(8);
  });

  it('looking for 0 in all-ones: the bit after the value, unless an end was given', async () => {
    await t.call('SET', 'k', hex('ffffff'));
    expect(await t.call('BITPOS', 'k', 0)).toBe(24);
    expect(await t.call('BITPOS', 'k', 0, 0)).toBe(24);
    expect(await t.call('BITPOS', 'k', 0, 1)).toBe(24);
    expect(await t.call('BITPOS', 'k', 0, 0, -1)).toBe(-1);
    expect(await t.call('BITPOS', 'k', 0, 0, 2)).toBe(-1);
    expect(await t.call('BITPOS', 'k', 0, 0, 100)).toBe(-1);
    expect(await t.call('BITPOS', 'k', 0, 3, -1, 'BIT')).toBe(-1);
    expect(await t.call('BITPOS', 'k', 1, 3, -1, 'BIT')).toBe(3);
    await t.call('SET', 'o', Buffer.alloc(100, 0xff));
    expect(await t.call('BITPOS', 'o', 0)).toBe(800);
    expect(await t.call('BITPOS', 'o', 0, 10, 50)).toBe(-1);
    expect(await t.call('BITPOS', 'o', 1, 10, 50)).toBe(80);
  });

  it('empty and missing values', async () => {
    await t.call('SET', 'e', '');
    expect(await t.call('BITPOS', 'e', 0)).toBe(-1);
    expect(await t.call('BITPOS', 'e', 1)).toBe(-1);
    expect(await t.call('BITPOS', 'e', 0, 0)).toBe(-1);
    expect(await t.call('BITPOS', 'e', 0, 0, -1, 'BIT')).toBe(-1);
    expect(await t.call('BITPOS', 'missing', 0)).toBe(0);
    expect(await t.call('BITPOS', 'missing', 1)).toBe(-1);
    // A missing key answers before the range is parsed (7.0).
    expect(await t.call('BITPOS', 'missing', 0, 'a')).toBe(0);
    expect(await t.call('BITPOS', 'missing', 1, 0, 1, 'foo')).toBe(-1);
  });

  it('errors', async () => {
    await t.call('SET', 'k', 'abc');
    await t.call('RPUSH', 'l', 'a');
    expect(await t.error('BITPOS', 'missing', 2)).toBe(BITPOS_BIT);
    expect(await t.error('BITPOS', 'missing', -1)).toBe(BITPOS_BIT);
    expect(await t.error('BITPOS', 'missing', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('BITPOS', 'l', 2)).toBe(BITPOS_BIT);
    expect(await t.error('BITPOS', 'l', 1)).toBe(WRONGTYPE);
    expect(await t.error('BITPOS', 'k', 1, 'a')).toBe(NOT_INTEGER);
    expect(await t.error('BITPOS', 'k', 1, 0, 'x')).toBe(NOT_INTEGER);
    expect(await t.error('BITPOS', 'k', 1, 0, 1, 'x')).toBe(SYNTAX);
    // The unit is checked before the end.
    expect(await t.error('BITPOS', 'k', 1, 0, 'x', 'foo')).toBe(SYNTAX);
    expect(await t.error('BITPOS', 'k', 1, 0, 'x', 'bit')).toBe(NOT_INTEGER);
    expect(await t.error('BITPOS', 'k', 1, 'x', 1, 'foo')).toBe(NOT_INTEGER);
    expect(await t.error('BITPOS', 'k', 1, 0, 1, 'bit', 'x')).toBe(SYNTAX);
    expect(await t.error('BITPOS', 'k')).toBe(arity('bitpos'));
  });
});

commandSuite('bitmaps: BITOP', (t) => {
  it('AND OR XOR NOT; shorter and missing sources are zero-padded; replies the length', async () => {
    await t.call('SET', 'a', 'foobar');
    await t.call('SET', 'b', 'abcdef');
    expect(await t.call('BITOP', 'AND', 'd', 'a', 'b')).toBe(6);
    expect(await t.call('GET', 'd')).toBe('`bc`ab');
    await t.call('SET', 'x', hex('ff0f'));
    await t.call('SET', 'y', hex('f0f0f0'));
    await t.call('SET', 'z', hex('01'));
    expect(await t.call('BITOP', 'and', 'd', 'x', 'y')).toBe(3);
    expect(await bytesOf(t, 'd')).toBe('f00000');
    expect(await t.call('BITOP', 'Or', 'd', 'x', 'y', 'z')).toBe(3);
    expect(await bytesOf(t, 'd')).toBe('fffff0');
    expect(await t.call('BITOP', 'XOR', 'd', 'x', 'y', 'z', 'missing')).toBe(3);
    expect(await bytesOf(t, 'd')).toBe('0efff0');
    expect(await t.call('BITOP', 'AND', 'd', 'x', 'missing')).toBe(2);
    expect(await bytesOf(t, 'd')).toBe('0000');
    expect(await t.call('BITOP', 'NOT', 'd', 'y')).toBe(3);
    expect(await bytesOf(t, 'd')).toBe('0f0f0f');
    expect(await t.call('BITOP', 'OR', 'd', 'x')).toBe(2);
    expect(await bytesOf(t, 'd')).toBe('ff0f');
    // The destination may be a source.
    expect(await t.call('BITOP', 'XOR', 'x', 'x', 'y')).toBe(3);
    expect(await bytesOf(t, 'x')).toBe('0ffff0');
    await t.call('SET', 'big', Buffer.alloc(300, 0xa5));
    expect(await t.call('BITOP', 'NOT', 'd', 'big')).toBe(300);
    expect(await t.callBuffer('GET', 'd')).toEqual(Buffer.alloc(300, 0x5a));
    expect(await t.call('BITCOUNT', 'd')).toBe(1200);
  });

  it('an empty result deletes the destination; the result replaces any type and drops the TTL', async () => {
    await t.call('SET', 'd', 'v');
    await t.call('SET', 'e', '');
    expect(await t.call('BITOP', 'OR', 'd', 'missing', 'e')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    expect(await t.call('BITOP', 'NOT', 'd', 'missing')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    await t.call('RPUSH', 'd', 'a');
    expect(await t.call('BITOP', 'AND', 'd', 'missing')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    await t.call('RPUSH', 'd', 'a');
    await t.call('EXPIRE', 'd', 100);
    await t.call('SET', 's', 'ab');
    expect(await t.call('BITOP', 'OR', 'd', 's')).toBe(2);
    expect(await t.call('TYPE', 'd')).toBe('string');
    expect(await t.call('GET', 'd')).toBe('ab');
    expect(await t.call('TTL', 'd')).toBe(-1);
    expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('raw');
    await t.call('SET', 'n', '12');
    expect(await t.call('BITOP', 'AND', 'd', 'n', 'n')).toBe(2);
    expect(await t.call('GET', 'd')).toBe('12');
    expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('raw');
  });

  it('errors', async () => {
    await t.call('SET', 's', 'a');
    await t.call('RPUSH', 'l', 'a');
    expect(await t.error('BITOP', 'NAND', 'd', 's')).toBe(SYNTAX);
    expect(await t.error('BITOP', 'NOT', 'd', 's', 's')).toBe(BITOP_NOT);
    expect(await t.error('BITOP', 'not', 'd', 'l', 'l')).toBe(BITOP_NOT);
    expect(await t.error('BITOP', 'AND', 'd', 'l')).toBe(WRONGTYPE);
    expect(await t.error('BITOP', 'AND', 'd', 's', 'l')).toBe(WRONGTYPE);
    expect(await t.error('BITOP', 'OR', 'd', 'missing', 'l')).toBe(WRONGTYPE);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    // A list destination is fine: it is overwritten.
    expect(await t.call('BITOP', 'OR', 'l', 's')).toBe(1);
    expect(await t.error('BITOP', 'AND', 'd')).toBe(arity('bitop'));
    expect(await t.error('BITOP', 'NOT')).toBe(arity('bitop'));
  });

  it('dirty counter and WATCH: a write when it stores or deletes, nothing otherwise', async () => {
    await t.call('SET', 's', 'a');
    let d = await dirty(t);
    expect(await t.call('BITOP', 'AND', 'd', 'missing')).toBe(0);
    expect(await dirty(t)).toBe(d);
    expect(await t.call('BITOP', 'AND', 'd', 's')).toBe(1);
    expect(await dirty(t)).toBe(d + 1);
    d = await dirty(t);
    const w = await t.connect();
    await w.call('WATCH', 'd');
    expect(await t.call('BITOP', 'AND', 'd', 'missing')).toBe(0);
    expect(await dirty(t)).toBe(d + 1);
    await w.call('MULTI');
    await w.call('EXISTS', 'd');
    expect(await w.call('EXEC')).toBe(null);
    await w.close();
  });
});

commandSuite('bitmaps: BITFIELD', (t) => {
  it('GET SET INCRBY in one call, executed in order', async () => {
    expect(await t.call('BITFIELD', 'k', 'INCRBY', 'i5', 100, 1, 'GET', 'u4', 0)).toEqual([1, 0]);
    expect(await t.call('BITFIELD', 'k', 'SET', 'i8', 0, 100, 'GET', 'u8', 0, 'SET', 'u8', 0, 200, 'GET', 'i8', 0)).toEqual([0, 100, 100, -56]);
    expect(await t.call('BITFIELD', 'k', 'INCRBY', 'u8', 0, 10, 'INCRBY', 'u8', 0, 10, 'GET', 'u8', 0)).toEqual([210, 220, 220]);
    expect(await t.call('STRLEN', 'k')).toBe(14);
    expect(await t.call('BITFIELD', 'k')).toEqual([]);
    expect(await t.call('BITFIELD', 'missing')).toEqual([]);
    expect(await t.call('bitfield', 'k', 'get', 'u8', 0, 'overflow', 'sat')).toEqual([220]);
  });

  it('fields across byte boundaries and past the end; # offsets are multiplied by the width', async () => {
    await t.call('SET', 'k', hex('a5c3'));
    expect(await t.call('BITFIELD', 'k', 'GET', 'u4', 6, 'GET', 'i4', 6, 'GET', 'u16', 4, 'GET', 'u1', 15, 'GET', 'u8', 100)).toEqual([
      7, 7, 23600, 1, 0,
    ]);
    expect(await t.call('BITFIELD', 'k', 'GET', 'u8', '#0', 'GET', 'u8', '#1', 'GET', 'u4', '#1', 'GET', 'i3', '#2')).toEqual([165, 195, 5, 3]);
    expect(await t.call('BITFIELD', 'k', 'SET', 'u8', '#3', 7)).toEqual([0]);
    expect(await bytesOf(t, 'k')).toBe('a5c30007');
    expect(await t.call('BITFIELD', 'k', 'SET', 'u3', 5, 0, 'SET', 'u2', 14, 0)).toEqual([5, 3]);
    expect(await bytesOf(t, 'k')).toBe('a0c00007');
    // Fields read from a value keep the bytes around them.
    expect(await t.call('BITFIELD', 'k', 'INCRBY', 'u12', 4, 1)).toEqual([193]);
    expect(await bytesOf(t, 'k')).toBe('a0c10007');
  });

  it('SET and INCRBY WRAP (the default), SAT and FAIL at the type limits', async () => {
    expect(await t.call('BITFIELD', 'k', 'SET', 'i8', 0, 127, 'INCRBY', 'i8', 0, 1)).toEqual([0, -128]);
    expect(await t.call('BITFIELD', 'k', 'INCRBY', 'i8', 0, -1)).toEqual([127]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', 0, 1, 'INCRBY', 'i8', 0, -300, 'INCRBY', 'i8', 0, -1)).toEqual([
      127, -128, -128,
    ]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', 0, -1, 'INCRBY', 'i8', 0, 255, 'GET', 'i8', 0)).toEqual([null, 127, 127]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', 0, 1, 'OVERFLOW', 'WRAP', 'INCRBY', 'i8', 0, 1)).toEqual([null, -128]);
    expect(await t.call('BITFIELD', 'u', 'SET', 'u8', 0, 255, 'INCRBY', 'u8', 0, 1, 'INCRBY', 'u8', 0, -1)).toEqual([0, 0, 255]);
    expect(await t.call('BITFIELD', 'u', 'OVERFLOW', 'sat', 'INCRBY', 'u8', 0, 1, 'INCRBY', 'u8', 0, -256, 'INCRBY', 'u8', 0, -1)).toEqual([255, 0, 0]);
    expect(await t.call('BITFIELD', 'u', 'OVERFLOW', 'fail', 'INCRBY', 'u8', 0, -1, 'INCRBY', 'u8', 0, 256, 'INCRBY', 'u8', 0, 255)).toEqual([null, null, 255]);
    // SET of an out-of-range value: WRAP keeps the low bits, SAT clamps, FAIL refuses.
    expect(await t.call('BITFIELD', 's', 'SET', 'u8', 0, 300, 'SET', 'u8', 0, -1, 'SET', 'i8', 8, 200, 'GET', 'u8', 0, 'GET', 'i8', 8)).toEqual([
      0, 44, 0, 255, -56,
    ]);
    expect(await t.call('BITFIELD', 's', 'OVERFLOW', 'SAT', 'SET', 'u8', 0, 300, 'SET', 'i8', 8, -200, 'GET', 'u8', 0, 'GET', 'i8', 8)).toEqual([
      255, -56, 255, -128,
    ]);
    // An unsigned field compares a negative SET value as a uint64: it saturates to the maximum.
    expect(await t.call('BITFIELD', 's', 'OVERFLOW', 'SAT', 'SET', 'u8', 0, -5, 'GET', 'u8', 0)).toEqual([255, 255]);
    expect(await t.call('BITFIELD', 's', 'OVERFLOW', 'FAIL', 'SET', 'u8', 0, -5, 'SET', 'i8', 8, 128, 'SET', 'i8', 8, -128)).toEqual([null, null, -128]);
    // The documented u2 counter.
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await t.call('BITFIELD', 'c', 'INCRBY', 'u2', 100, 1, 'OVERFLOW', 'SAT', 'INCRBY', 'u2', 102, 1));
    expect(seen).toEqual([[1, 1], [2, 2], [3, 3], [0, 3]]);
    expect(await t.call('BITFIELD', 'c', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', 102, 1)).toEqual([null]);
  });

  it('SET of a very negative value to a signed field saturates to the maximum (Redis int64 wrap)', async () => {
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', 0, '-9223372036854775808', 'GET', 'i8', 0)).toEqual([0, 127]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', 0, '-9223372036854775681', 'GET', 'i8', 0)).toEqual([127, 127]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', 0, '-9223372036854775680', 'GET', 'i8', 0)).toEqual([127, -128]);
    expect(await t.call('BITFIELD', 'k', 'SET', 'i8', 0, '-9223372036854775808', 'GET', 'i8', 0)).toEqual([-128, 0]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'i8', 0, '-9223372036854775808')).toEqual([null]);
  });

  it('i64 and u63: exact arithmetic beyond 2^53 (checked through the stored bytes)', async () => {
    // Replies beyond 2^53 are checked exactly in the in-process block (ioredis rounds them).
    const u32s = async (key: string, off: number) => t.call('BITFIELD_RO', key, 'GET', 'u32', off, 'GET', 'u32', off + 32);
    expect(await t.call('BITFIELD', 'k', 'SET', 'i64', 0, '9223372036854775807')).toEqual([0]);
    expect(await bytesOf(t, 'k')).toBe('7fffffffffffffff');
    expect((await t.call('BITFIELD', 'k', 'INCRBY', 'i64', 0, 1))[0]).toBeLessThan(-(2 ** 62));
    expect(await bytesOf(t, 'k')).toBe('8000000000000000');
    await t.call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', 0, -1);
    expect(await bytesOf(t, 'k')).toBe('8000000000000000');
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', 0, -1)).toEqual([null]);
    expect(await t.call('BITFIELD', 'k', 'INCRBY', 'i64', 0, '9223372036854775807')).toEqual([-1]);
    expect(await bytesOf(t, 'k')).toBe('ffffffffffffffff');
    expect(await t.call('BITFIELD', 'k', 'SET', 'i64', 0, '9007199254740993', 'GET', 'u32', 0, 'GET', 'u32', 32)).toEqual([-1, 2097152, 1]);
    expect(await bytesOf(t, 'k')).toBe('0020000000000001');
    await t.call('BITFIELD', 'k', 'INCRBY', 'i64', 0, '9007199254740993');
    expect(await u32s('k', 0)).toEqual([4194304, 2]);
    await t.call('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', 0, '9223372036854775807');
    expect(await bytesOf(t, 'k')).toBe('7fffffffffffffff');
    await t.call('BITFIELD', 'k', 'INCRBY', 'i64', 0, '-9223372036854775808', 'INCRBY', 'i64', 0, '-9223372036854775808');
    expect(await bytesOf(t, 'k')).toBe('7fffffffffffffff'); // two wraps: back where it was
    await t.call('BITFIELD', 'k', 'INCRBY', 'i64', 0, '-4611686018427387903');
    expect(await bytesOf(t, 'k')).toBe('4000000000000000');
    // u63: the widest unsigned type, at a non-aligned offset.
    await t.call('BITFIELD', 'u', 'SET', 'u63', 1, '9223372036854775807');
    expect(await bytesOf(t, 'u')).toBe('7fffffffffffffff');
    expect(await t.call('BITFIELD', 'u', 'INCRBY', 'u63', 1, 1)).toEqual([0]);
    expect(await t.call('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', 1, -5, 'INCRBY', 'u63', 1, '-9223372036854775808')).toEqual([0, 0]);
    expect(await t.call('BITFIELD', 'u', 'SET', 'u63', 1, '-9223372036854775807', 'GET', 'u8', 0, 'GET', 'u8', 56)).toEqual([0, 0, 1]);
    expect(await bytesOf(t, 'u')).toBe('0000000000000001');
    await t.call('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'SET', 'u63', 1, -1);
    expect(await bytesOf(t, 'u')).toBe('7fffffffffffffff');
    await t.call('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'INCRBY', 'u63', 1, '-4611686018427387904');
    expect(await u32s('u', 0)).toEqual([1073741823, 4294967295]);
    expect(await t.call('BITFIELD', 'u', 'OVERFLOW', 'FAIL', 'INCRBY', 'u63', 1, '4611686018427387905')).toEqual([null]);
    expect(await t.call('BITFIELD', 'w', 'SET', 'i33', 3, '-4294967296', 'GET', 'i33', 3, 'GET', 'u33', 3)).toEqual([0, -4294967296, 4294967296]);
    expect(await bytesOf(t, 'w')).toBe('1000000000');
  });

  it('the value is created or grown only by writes; FAIL still creates it (as Redis)', async () => {
    expect(await t.call('BITFIELD', 'k', 'GET', 'u8', 100)).toEqual([0]);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 300)).toEqual([null]);
    expect(await t.call('EXISTS', 'k')).toBe(1);
    expect(await bytesOf(t, 'k')).toBe('00');
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u4', 20, 100)).toEqual([null]);
    expect(await bytesOf(t, 'k')).toBe('000000');
    expect(await t.call('BITFIELD', 'k', 'SET', 'u8', 0, 0)).toEqual([0]);
    expect(await t.call('OBJECT', 'ENCODING', 'k')).toBe('raw');
    await t.call('SET', 'e', 'abc', 'EX', 100);
    expect(await t.call('BITFIELD', 'e', 'SET', 'u8', 0, 97)).toEqual([97]);
    expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('raw');
    expect(await t.call('BITFIELD', 'e', 'INCRBY', 'u8', 0, 1)).toEqual([98]);
    expect(await t.call('GET', 'e')).toBe('bbc');
    expect(await t.call('TTL', 'e')).toBe(100);
  });

  it('a BITFIELD that writes nothing new is not a change (dirty counter, WATCH)', async () => {
    await t.call('BITFIELD', 'k', 'SET', 'u8', 0, 5);
    let d = await dirty(t);
    expect(await t.call('BITFIELD', 'k', 'GET', 'u8', 0, 'SET', 'u8', 0, 5, 'INCRBY', 'u4', 4, 0)).toEqual([5, 5, 5]);
    expect(await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 255)).toEqual([null]);
    expect(await t.call('BITFIELD_RO', 'k', 'GET', 'u8', 0)).toEqual([5]);
    expect(await dirty(t)).toBe(d);
    expect(await t.call('BITFIELD', 'k', 'INCRBY', 'u8', 0, 1)).toEqual([6]);
    expect(await dirty(t)).toBe(d + 1);
    d = await dirty(t);
    expect(await t.call('BITFIELD', 'k', 'SET', 'u8', 8, 0)).toEqual([0]); // grows: a change
    expect(await dirty(t)).toBe(d + 1);
    const w = await t.connect();
    await w.call('WATCH', 'k');
    await t.call('BITFIELD', 'k', 'GET', 'u8', 0, 'SET', 'u8', 0, 6);
    await w.call('MULTI');
    await w.call('BITFIELD_RO', 'k', 'GET', 'u8', 0);
    expect(await w.call('EXEC')).toEqual([[6]]);
    await w.call('WATCH', 'k');
    await t.call('BITFIELD', 'k', 'INCRBY', 'u8', 0, 1);
    await w.call('MULTI');
    await w.call('BITFIELD_RO', 'k', 'GET', 'u8', 0);
    expect(await w.call('EXEC')).toBe(null);
    await w.close();
  });

  it('BITFIELD_RO: GET only, on any key', async () => {
    await t.call('SET', 'k', hex('ff00'));
    expect(await t.call('BITFIELD_RO', 'k', 'GET', 'u4', 4, 'GET', 'i8', 4, 'GET', 'u8', '#1', 'get', 'i2', 0)).toEqual([15, -16, 0, -1]);
    expect(await t.call('BITFIELD_RO', 'missing', 'GET', 'i64', 0)).toEqual([0]);
    expect(await t.call('BITFIELD_RO', 'k')).toEqual([]);
    expect(await t.error('BITFIELD_RO', 'k', 'SET', 'u8', 0, 1)).toBe(BF_RO);
    expect(await t.error('BITFIELD_RO', 'k', 'GET', 'u8', 0, 'INCRBY', 'u8', 0, 1)).toBe(BF_RO);
    // OVERFLOW alone is accepted: nothing writes.
    expect(await t.call('BITFIELD_RO', 'k', 'OVERFLOW', 'FAIL', 'GET', 'u8', 0)).toEqual([255]);
    await t.call('RPUSH', 'l', 'a');
    expect(await t.error('BITFIELD_RO', 'l', 'GET', 'u8', 0)).toBe(WRONGTYPE);
    expect(await t.error('BITFIELD_RO', 'l', 'SET', 'u8', 0, 1)).toBe(BF_RO);
    expect(await t.error('BITFIELD_RO', 'k', 'GET', 'u64', 0)).toBe(BF_TYPE);
    expect(await t.error('BITFIELD_RO')).toBe(arity('bitfield_ro'));
  });

  it('errors: every subcommand is parsed before the key is looked at', async () => {
    await t.call('RPUSH', 'l', 'a');
    for (const type of ['u64', 'i65', 'u0', 'i0', 'x8', 'U8', 'u08', 'u', '', 'u8x', 'i-1']) {
      expect(await t.error('BITFIELD', 'l', 'GET', type, 0)).toBe(BF_TYPE);
    }
    for (const off of ['-1', '#-1', '##1', '#', 'x', '4294967296', '#536870912', '9223372036854775808', '#144115188075855872']) {
      expect(await t.error('BITFIELD', 'l', 'GET', 'u8', off)).toBe(BIT_OFFSET);
    }
    expect(await t.error('BITFIELD', 'l', 'SET', 'u8', 0, 'x')).toBe(NOT_INTEGER);
    expect(await t.error('BITFIELD', 'l', 'INCRBY', 'u8', 0, '9223372036854775808')).toBe(NOT_INTEGER);
    expect(await t.error('BITFIELD', 'l', 'OVERFLOW', 'foo')).toBe(BF_OVERFLOW);
    expect(await t.error('BITFIELD', 'l', 'OVERFLOW')).toBe(SYNTAX);
    expect(await t.error('BITFIELD', 'l', 'GET', 'u8')).toBe(SYNTAX);
    expect(await t.error('BITFIELD', 'l', 'SET', 'u8', '#1')).toBe(SYNTAX);
    expect(await t.error('BITFIELD', 'l', 'foo')).toBe(SYNTAX);
    expect(await t.error('BITFIELD', 'l', 'GET', 'u8', 0, 'GET')).toBe(SYNTAX);
    expect(await t.error('BITFIELD', 'l', 'GET', 'u8', 0)).toBe(WRONGTYPE);
    expect(await t.error('BITFIELD', 'l', 'SET', 'u8', 0, 1)).toBe(WRONGTYPE);
    // A late error means nothing ran: no key was created.
    expect(await t.error('BITFIELD', 'k', 'SET', 'u8', 0, 1, 'GET', 'u99', 0)).toBe(BF_TYPE);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    // "#N" overflows int64 as in C: -6148914691236517205 * 3 wraps to 1.
    await t.call('SET', 'a', 'a');
    expect(await t.call('BITFIELD', 'a', 'GET', 'i3', '#-6148914691236517205')).toEqual([-2]);
    expect(await t.error('BITFIELD', 'a', 'GET', 'i3', '#3074457345618258603')).toBe(BIT_OFFSET);
    expect(await t.error('BITFIELD')).toBe(arity('bitfield'));
  });
});

commandSuite('bitmaps: COMMAND INFO', (t) => {
  it('arity, flags, key positions and categories as Redis 7.0', async () => {
    const expected: Record<string, unknown[]> = {
      setbit: [4, ['write', 'denyoom'], 1, 1, 1, ['@write', '@bitmap', '@slow']],
      getbit: [3, ['readonly', 'fast'], 1, 1, 1, ['@read', '@bitmap', '@fast']],
      bitcount: [-2, ['readonly'], 1, 1, 1, ['@read', '@bitmap', '@slow']],
      bitpos: [-3, ['readonly'], 1, 1, 1, ['@read', '@bitmap', '@slow']],
      bitop: [-4, ['write', 'denyoom'], 2, -1, 1, ['@write', '@bitmap', '@slow']],
      bitfield: [-2, ['write', 'denyoom'], 1, 1, 1, ['@write', '@bitmap', '@slow']],
      bitfield_ro: [-2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@bitmap', '@fast']],
    };
    const names = Object.keys(expected);
    const infos = await t.call('COMMAND', 'INFO', ...names);
    for (let i = 0; i < names.length; i++) {
      expect([infos[i][0], ...infos[i].slice(1, 7)]).toEqual([names[i], ...expected[names[i]]]);
    }
    expect(await t.call('COMMAND', 'GETKEYS', 'BITOP', 'AND', 'd', 'a', 'b')).toEqual(['d', 'a', 'b']);
    expect(await t.call('COMMAND', 'GETKEYS', 'BITFIELD', 'k', 'GET', 'u8', '0')).toEqual(['k']);
  });
});

commandSuite('bitmaps: keyspace events', (t) => {
  afterEach(async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  it('"setbit" for SETBIT and BITFIELD writes, "set"/"del" for BITOP, nothing for no-ops and reads', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'E$g');
    const sub = await EventListener.open(t);
    await sub.subscribe('__keyevent@0__:*');
    await t.call('SETBIT', 'k', 1, 1);
    await t.call('SETBIT', 'k', 1, 1); // no change
    await t.call('GETBIT', 'k', 1);
    await t.call('BITFIELD', 'k', 'SET', 'u8', 0, 1, 'INCRBY', 'u8', 0, 1);
    await t.call('BITFIELD', 'k', 'GET', 'u8', 0, 'SET', 'u8', 0, 2); // no change
    await t.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', 0, 300);
    await t.call('BITFIELD_RO', 'k', 'GET', 'u8', 0);
    await t.call('BITCOUNT', 'k');
    await t.call('BITPOS', 'k', 1);
    await t.call('BITOP', 'NOT', 'd', 'k');
    await t.call('BITOP', 'AND', 'd', 'missing');
    await t.call('BITOP', 'AND', 'd', 'missing');
    await t.call('SET', 'z', 'v');
    expect(await sub.drain()).toEqual([
      '__keyevent@0__:setbit k',
      '__keyevent@0__:setbit k',
      '__keyevent@0__:set d',
      '__keyevent@0__:del d',
      '__keyevent@0__:set z',
    ]);
    sub.close();
  });
});

// ---- in-process only ------------------------------------------------------------------------

describe('bitmaps: in-process', () => {
  let backend: Backend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it('BITFIELD integer replies are exact beyond 2^53; FAIL is a null bulk (RESP3 null)', async () => {
    backend = await inProcess();
    const c = new RawConn(backend);
    expect(await c.send('BITFIELD', 'k', 'SET', 'i64', 0, '9007199254740993', 'INCRBY', 'i64', 0, '9223372036854775000', 'GET', 'u63', 1)).toBe(
      '*3\r\n:0\r\n:-9214364837600035623\r\n:9007199254740185\r\n',
    );
    expect(await c.send('BITFIELD', 'k', 'SET', 'u63', 1, '9223372036854775807', 'GET', 'i64', 0)).toBe('*2\r\n:9007199254740185\r\n:-1\r\n');
    expect(await c.send('BITFIELD', 'k', 'SET', 'i64', 0, '9223372036854775807', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', 0, 1)).toBe(
      '*2\r\n:-1\r\n$-1\r\n',
    );
    expect((await c.send('HELLO', '3')).startsWith('%')).toBe(true);
    expect(await c.send('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', 0, 1, 'GET', 'i64', 0)).toBe('*2\r\n_\r\n:9223372036854775807\r\n');
  });

  it('lengths V8 cannot hold are refused cleanly, not crashed on (Redis would allocate them)', async () => {
    backend = await inProcess();
    const c = new RawConn(backend);
    const tooLong = `-${TOO_LONG}\r\n`;
    // 2^32 - 1 is accepted by the offset check (its byte is below 512 MB) but needs 2^29 bytes.
    expect(await c.send('SETBIT', 'k', '4294967295', '1')).toBe(tooLong);
    expect(await c.send('SETBIT', 'k', String(536870888 * 8), '0')).toBe(tooLong);
    expect(await c.send('BITFIELD', 'k', 'SET', 'u8', '#536870911', '1')).toBe(tooLong);
    expect(await c.send('BITFIELD', 'k', 'SET', 'u8', '4294967288', '1', 'GET', 'u8', '0')).toBe(tooLong);
    expect(await c.send('EXISTS', 'k')).toBe(':0\r\n');
    // Reads that far are fine: they never build anything.
    expect(await c.send('GETBIT', 'k', '4294967295')).toBe(':0\r\n');
    expect(await c.send('BITFIELD', 'k', 'GET', 'i64', '4294967287')).toBe('*1\r\n:0\r\n');
    await c.send('SET', 'k', 'a');
    expect(await c.send('SETBIT', 'k', '4294967295', '1')).toBe(tooLong);
    expect(await c.send('GET', 'k')).toBe('$1\r\na\r\n');
  });

  it('propagates what Redis propagates', async () => {
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
    await expectLog(['SETBIT', 'k', '7', '1'], [['SETBIT', 'k', '7', '1']]);
    await expectLog(['SETBIT', 'k', '7', '1'], []);
    await expectLog(['SETBIT', 'k', '6', '0'], []);
    await expectLog(['SETBIT', 'k', '7', '0'], [['SETBIT', 'k', '7', '0']]);
    await expectLog(['SETBIT', 'k', '20', '0'], [['SETBIT', 'k', '20', '0']]);
    await expectLog(['SETBIT', 'k', 'x', '0'], []);
    await expectLog(['GETBIT', 'k', '7'], []);
    await expectLog(['BITCOUNT', 'k'], []);
    await expectLog(['BITPOS', 'k', '1'], []);
    await expectLog(['BITFIELD', 'k', 'GET', 'u8', '0'], []);
    await expectLog(['BITFIELD_RO', 'k', 'GET', 'u8', '0'], []);
    await expectLog(['BITFIELD', 'k', 'SET', 'u8', '0', '0', 'GET', 'u8', '0'], []);
    await expectLog(['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'], []);
    await expectLog(['BITFIELD', 'k', 'INCRBY', 'u8', '0', '3'], [['BITFIELD', 'k', 'INCRBY', 'u8', '0', '3']]);
    await expectLog(['BITFIELD', 'k', 'SET', 'u8', '24', '0'], [['BITFIELD', 'k', 'SET', 'u8', '24', '0']]);
    // The deliberate difference: Redis 7.0.15 creates this key without propagating it.
    await expectLog(['BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'], [['BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300']]);
    await expectLog(['BITOP', 'AND', 'd', 'missing'], []);
    await expectLog(['BITOP', 'OR', 'd', 'k', 'missing'], [['BITOP', 'OR', 'd', 'k', 'missing']]);
    await expectLog(['BITOP', 'AND', 'd', 'missing'], [['BITOP', 'AND', 'd', 'missing']]);
    await expectLog(['BITOP', 'NOT', 'd', 'k', 'k'], []);
    // A lazily expired key is deleted (and logged) before the write that found it gone.
    await c.send('SET', 'e', 'a', 'PX', '100');
    clock.advance(200);
    await expectLog(['SETBIT', 'e', '0', '0'], [['DEL', 'e'], ['SETBIT', 'e', '0', '0']]);
  });

  it('replaying the propagated stream of a mixed workload gives the same keyspace', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    backend = await inProcess({}, clock);
    const log = recordMutations(backend, clock);
    const c = new RawConn(backend);

    const rnd = mulberry32(0xb175);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', '\x00\xff\r\n'];
    const key = () => pick(keys);
    const type = () => pick(['u1', 'u3', 'u8', 'u16', 'u32', 'u63', 'i1', 'i5', 'i8', 'i32', 'i33', 'i64']);
    const num = () => pick(['0', '1', '-1', '200', '-300', '65536', '9007199254740993', '9223372036854775807', '-9223372036854775808', String(int(-99, 99))]);
    const off = () => pick([String(int(0, 40)), String(int(0, 300)), '#' + int(0, 5)]);
    const sub = (): string[] =>
      pick([
        () => ['GET', type(), off()],
        () => ['SET', type(), off(), num()],
        () => ['INCRBY', type(), off(), num()],
        () => ['OVERFLOW', pick(['WRAP', 'SAT', 'FAIL'])],
      ])();
    const ops: Array<() => string[]> = [
      () => ['SETBIT', key(), String(int(0, 200)), pick(['0', '1'])],
      () => ['BITFIELD', key(), ...sub(), ...sub(), ...sub()],
      () => ['BITFIELD', key(), 'OVERFLOW', 'FAIL', ...sub(), ...sub()],
      () => ['BITOP', pick(['AND', 'OR', 'XOR']), key(), key(), key()],
      () => ['BITOP', 'NOT', key(), key()],
      () => ['BITOP', 'AND', key(), 'nothing'],
      () => ['SET', key(), pick(['', 'a', 'foobar', '\xff\x00\xff', '123']), ...pick([[], ['PX', String(int(1, 3000))]])],
      () => ['PEXPIRE', key(), String(int(1, 3000))],
      () => ['APPEND', key(), pick(['x', '\x00\x00'])],
      () => ['DEL', key()],
      () => ['RPUSH', key(), 'v'],
      () => ['GETBIT', key(), String(int(0, 100))],
      () => ['BITCOUNT', key()],
      () => ['SELECT', pick(['0', '0', '0', '1'])],
    ];
    for (let i = 0; i < 4000; i++) {
      await c.send(...pick(ops)().map((a) => Buffer.from(a, 'latin1')));
      if (rnd() < 0.2) clock.advance(int(0, 400));
    }
    const finalTime = clock.now();
    expect(log.filter((m) => m.argv[0] === 'BITFIELD').length).toBeGreaterThan(300);
    expect(log.filter((m) => m.argv[0] === 'SETBIT').length).toBeGreaterThan(150);
    expect(log.filter((m) => m.argv[0] === 'BITOP').length).toBeGreaterThan(300);

    const replica = await replay(log, finalTime);
    try {
      let compared = 0;
      for (let dbi = 0; dbi < 2; dbi++) {
        const a = liveKeys(backend, dbi, finalTime);
        expect(liveKeys(replica, dbi, finalTime)).toEqual(a);
        compared += a.size;
      }
      expect(compared).toBeGreaterThan(3);
    } finally {
      await replica.close();
    }
  });
});
