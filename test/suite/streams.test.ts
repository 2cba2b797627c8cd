// The stream family (XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XGROUP XREADGROUP XACK XPENDING
// XCLAIM XAUTOCLAIM XINFO XSETID) against every backend; every expectation is checked against
// redis-server 7.0.15 by the same suite. Blocking XREAD/XREADGROUP across connections run here
// too (several connections per backend). The in-process blocks at the end check what only Hoard
// exposes: RESP3 bytes against a real server's, the propagated stream and its replay, snapshot
// round trips, memory accounting.

import { describe, it, expect, afterEach } from 'vitest';
import { commandSuite, sleep, track } from '../helpers/suite.js';
import { inProcess, redisServerAvailable, type Arg, type Backend } from '../helpers/backends.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { mulberry32 } from '../helpers/prng.js';
import { streamState } from '../helpers/stream-state.js';
import { RawFrames, RawSocket } from '../helpers/raw-conn.js';
import { StreamValue } from '../../src/types/stream.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const TOO_SMALL = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;
const U64 = '18446744073709551615';

/** Only the numbers that are times (idle, delivery time, seen-time) vary between runs. */
function within(v: number, lo: number, hi: number): void {
  expect(v).toBeGreaterThanOrEqual(lo);
  expect(v).toBeLessThanOrEqual(hi);
}

/** A flat [k, v, k, v] reply (RESP2 map) as an object. */
function obj(a: any[]): Record<string, any> {
  const o: Record<string, any> = {};
  for (let i = 0; i < a.length; i += 2) o[a[i]] = a[i + 1];
  return o;
}

commandSuite('streams: XADD XLEN XRANGE XREVRANGE', (t) => {
  it('XADD with explicit IDs, ms-* and * ; XLEN; TYPE and OBJECT ENCODING', async () => {
    expect(await t.call('XADD', 's', '1-1', 'a', '1')).toBe('1-1');
    expect(await t.call('XADD', 's', '1-*', 'b', '2')).toBe('1-2');
    expect(await t.call('XADD', 's', '5', 'c', '3')).toBe('5-0');
    expect(await t.call('XADD', 's', '5-*', 'c', '3')).toBe('5-1');
    expect(await t.call('XADD', 's', '7-*', 'c', '3')).toBe('7-0');
    const auto = await t.call('XADD', 's', '*', 'd', '4');
    const [ms, seq] = auto.split('-').map(Number);
    within(ms, Date.now() - 5000, Date.now() + 5000);
    expect(seq).toBe(0);
    expect(await t.call('XLEN', 's')).toBe(6);
    expect(await t.call('XLEN', 'nokey')).toBe(0);
    expect(await t.call('TYPE', 's')).toBe('stream');
    expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('stream');
    expect(await t.call('XRANGE', 's', '-', '+', 'COUNT', 2)).toEqual([
      ['1-1', ['a', '1']],
      ['1-2', ['b', '2']],
    ]);
  });

  it('XADD ID errors and edge IDs up to 2^64-1', async () => {
    expect(await t.error('XADD', 's', '0-0', 'a', '1')).toBe('ERR The ID specified in XADD must be greater than 0-0');
    expect(await t.call('EXISTS', 's')).toBe(0);
    expect(await t.call('XADD', 's', '0-1', 'a', '1')).toBe('0-1');
    expect(await t.error('XADD', 's', '0-1', 'a', '1')).toBe(TOO_SMALL);
    expect(await t.error('XADD', 's', '0', 'a', '1')).toBe('ERR The ID specified in XADD must be greater than 0-0');
    expect(await t.call('XADD', 's', '0-*', 'a', '1')).toBe('0-2');
    for (const bad of ['-', '+', 'abc', '1-x', '1-2-3', '-1', '1--1', 'x'.repeat(200), '', '1-', '-1-1']) {
      expect([bad, await t.error('XADD', 's', bad, 'a', '1')]).toEqual([bad, INVALID_ID]);
    }
    expect(await t.call('XADD', 's', `${U64}-${U64}`, 'a', '1')).toBe(`${U64}-${U64}`);
    expect(await t.error('XADD', 's', '*', 'a', '1')).toBe('ERR The stream has exhausted the last possible ID, unable to add more items');
    expect(await t.call('XADD', 't', `${U64}-5`, 'a', '1')).toBe(`${U64}-5`);
    expect(await t.call('XADD', 't', '*', 'a', '1')).toBe(`${U64}-6`);
    expect(await t.call('XADD', 't', `${U64}-*`, 'a', '1')).toBe(`${U64}-7`);
    expect(await t.call('XADD', 'u', `5-${U64}`, 'a', '1')).toBe(`5-${U64}`);
    // Redis 7.0.15 reports the sequence overflow of `ms-*` with this (odd) text.
    expect(await t.error('XADD', 'u', '5-*', 'a', '1')).toBe('ERR Elements are too large to be stored');
    expect(await t.call('XADD', 'u', '*', 'a', '1')).not.toBe('6-0');
    // strtoull-isms Redis accepts: a leading +, leading zeros.
    expect(await t.call('XADD', 'v', '+7-01', 'a', '1')).toBe('7-1');
    expect(await t.call('XADD', 'v', '0010-2', 'a', '1')).toBe('10-2');
    expect(await t.error('XADD', 'v', '18446744073709551616-0', 'a', '1')).toBe(INVALID_ID);
  });

  it('XADD arity, options, NOMKSTREAM, WRONGTYPE', async () => {
    expect(await t.error('XADD', 's', '*')).toBe(arity('xadd'));
    expect(await t.error('XADD', 's', '*', 'a')).toBe(arity('xadd'));
    expect(await t.error('XADD', 's', '*', 'a', 'b', 'c')).toBe(arity('xadd'));
    expect(await t.error('XADD', 's', 'MAXLEN', '5', 'a', 'b')).toBe(INVALID_ID);
    expect(await t.error('XADD', 's', 'MAXLEN', '5')).toBe(arity('xadd'));
    expect(await t.call('XADD', 's', 'NOMKSTREAM', '*', 'a', 'b')).toBe(null);
    expect(await t.call('EXISTS', 's')).toBe(0);
    expect(await t.call('XADD', 's', 'nomkstream', 'MAXLEN', '~', '10', '1-1', 'a', 'b')).toBe(null);
    expect(await t.call('XADD', 's', '1-1', 'a', 'b')).toBe('1-1');
    expect(await t.call('XADD', 's', 'NOMKSTREAM', '2-1', 'a', 'b')).toBe('2-1');
    expect(await t.error('XADD', 's', 'MAXLEN', '1', 'MINID', '1', '*', 'a', 'b')).toBe(
      'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
    );
    expect(await t.error('XADD', 's', 'MAXLEN', '-1', '*', 'a', 'b')).toBe('ERR The MAXLEN argument must be >= 0.');
    expect(await t.error('XADD', 's', 'MAXLEN', 'x', '*', 'a', 'b')).toBe(NOT_INTEGER);
    expect(await t.error('XADD', 's', 'MINID', 'x', '*', 'a', 'b')).toBe(INVALID_ID);
    expect(await t.error('XADD', 's', 'LIMIT', '10', '*', 'a', 'b')).toBe(
      'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
    );
    expect(await t.error('XADD', 's', 'MAXLEN', '5', 'LIMIT', '10', '*', 'a', 'b')).toBe(
      'ERR syntax error, LIMIT cannot be used without the special ~ option',
    );
    expect(await t.error('XADD', 's', 'MAXLEN', '~', '5', 'LIMIT', '-1', '*', 'a', 'b')).toBe('ERR The LIMIT argument must be >= 0.');
    expect(await t.call('SET', 'str', 'x')).toBe('OK');
    expect(await t.error('XADD', 'str', '*', 'a', 'b')).toBe(WRONGTYPE);
    expect(await t.error('XLEN', 'str')).toBe(WRONGTYPE);
    expect(await t.error('XRANGE', 'str', '-', '+')).toBe(WRONGTYPE);
    expect(await t.error('XLEN')).toBe(arity('xlen'));
    expect(await t.error('XRANGE', 's', '-')).toBe(arity('xrange'));
  });

  it('XRANGE/XREVRANGE bounds: -, +, ms-only, exclusive (, COUNT', async () => {
    for (const id of ['1-1', '1-2', '2-0', '2-5', '3-0']) await t.call('XADD', 's', id, 'f', id);
    const ids = async (...a: Arg[]) => ((await t.call(...a)) as any[]).map((e) => e[0]);
    expect(await ids('XRANGE', 's', '-', '+')).toEqual(['1-1', '1-2', '2-0', '2-5', '3-0']);
    expect(await ids('XRANGE', 's', '2', '2')).toEqual(['2-0', '2-5']);
    expect(await ids('XRANGE', 's', '(1-1', '(3-0')).toEqual(['1-2', '2-0', '2-5']);
    // "(1" is 1-0 exclusive: 1-1 is in.
    expect(await ids('XRANGE', 's', '(1', '+')).toEqual(['1-1', '1-2', '2-0', '2-5', '3-0']);
    expect(await ids('XRANGE', 's', '(1-1', '2')).toEqual(['1-2', '2-0', '2-5']);
    expect(await ids('XREVRANGE', 's', '+', '-')).toEqual(['3-0', '2-5', '2-0', '1-2', '1-1']);
    expect(await ids('XREVRANGE', 's', '(3-0', '(1-1')).toEqual(['2-5', '2-0', '1-2']);
    expect(await ids('XREVRANGE', 's', '2', '-', 'COUNT', '1')).toEqual(['2-5']);
    expect(await ids('XRANGE', 's', '-', '+', 'COUNT', '2', 'COUNT', '3')).toEqual(['1-1', '1-2', '2-0']);
    expect(await t.call('XRANGE', 's', '-', '+', 'COUNT', '0')).toBe(null);
    expect(await t.call('XRANGE', 's', '-', '+', 'COUNT', '-5')).toBe(null);
    expect(await t.call('XRANGE', 'nokey', '-', '+', 'COUNT', '0')).toEqual([]);
    expect(await t.call('XRANGE', 'nokey', '-', '+')).toEqual([]);
    expect(await t.call('XRANGE', 's', '3', '1')).toEqual([]);
    expect(await t.error('XRANGE', 's', '(-', '+')).toBe(INVALID_ID);
    expect(await t.error('XRANGE', 's', '-', '(+')).toBe(INVALID_ID);
    expect(await t.error('XRANGE', 's', `(${U64}-${U64}`, '+')).toBe('ERR invalid start ID for the interval');
    expect(await t.error('XRANGE', 's', '-', '(0-0')).toBe('ERR invalid end ID for the interval');
    expect(await t.error('XRANGE', 's', '-', '+', 'COUNT')).toBe(SYNTAX);
    expect(await t.error('XRANGE', 's', '-', '+', 'LIMIT', '1')).toBe(SYNTAX);
    expect(await t.error('XRANGE', 's', '-', '+', 'COUNT', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('XRANGE', 's', 'x', '+')).toBe(INVALID_ID);
    expect(await t.error('XRANGE', 's', '(', '+')).toBe(INVALID_ID);
  });

  it('binary-safe fields and values, many fields', async () => {
    const bin = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);
    await t.call('XADD', 's', '1-1', bin, bin, 'x', '');
    const r = await t.callBuffer('XRANGE', 's', '-', '+');
    expect(r[0][1][0].equals(bin)).toBe(true);
    expect(r[0][1][3].length).toBe(0);
    const fv: string[] = [];
    for (let i = 0; i < 200; i++) fv.push(`f${i}`, `v${i}`);
    await t.call('XADD', 's', '2-1', ...fv);
    expect((await t.call('XRANGE', 's', '2-1', '2-1'))[0][1]).toEqual(fv);
  });
});

commandSuite('streams: XDEL XTRIM and trimming in XADD', (t) => {
  it('XDEL deletes entries, counts only those that existed', async () => {
    for (let i = 1; i <= 5; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    expect(await t.call('XDEL', 's', '2-0', '4', '9-9', '2-0')).toBe(2);
    expect(await t.call('XLEN', 's')).toBe(3);
    expect((await t.call('XRANGE', 's', '-', '+')).map((e: any) => e[0])).toEqual(['1-0', '3-0', '5-0']);
    expect(await t.call('XDEL', 'nokey', '1-0')).toBe(0);
    expect(await t.error('XDEL', 's', '1-0', 'bad')).toBe(INVALID_ID);
    expect(await t.call('XLEN', 's')).toBe(3);
    expect(await t.error('XDEL', 's', '+')).toBe(INVALID_ID);
    expect(await t.call('XDEL', 's', '1-0', '3-0', '5-0')).toBe(3);
    // An empty stream stays.
    expect(await t.call('EXISTS', 's')).toBe(1);
    expect(await t.call('XLEN', 's')).toBe(0);
    const info = obj(await t.call('XINFO', 'STREAM', 's'));
    expect(info['max-deleted-entry-id']).toBe('5-0');
    expect(info['recorded-first-entry-id']).toBe('0-0');
    expect(info['last-generated-id']).toBe('5-0');
    expect(info['entries-added']).toBe(5);
    expect(await t.error('XADD', 's', '5-0', 'a', 'b')).toBe(TOO_SMALL);
    expect(await t.error('XDEL', 's')).toBe(arity('xdel'));
  });

  it('XTRIM MAXLEN and MINID, exact and approximate', async () => {
    for (let i = 1; i <= 250; i++) await t.call('XADD', 's', `${i}-0`, 'f', 'v');
    expect(await t.call('XTRIM', 's', 'MAXLEN', '~', '120')).toBe(100);
    expect(await t.call('XLEN', 's')).toBe(150);
    expect(await t.call('XTRIM', 's', 'MAXLEN', '~', '120')).toBe(0);
    expect(await t.call('XTRIM', 's', 'MAXLEN', '=', '120')).toBe(30);
    expect(await t.call('XTRIM', 's', 'MAXLEN', '120')).toBe(0);
    expect(await t.call('XTRIM', 's', 'MINID', '200')).toBe(69);
    expect((await t.call('XRANGE', 's', '-', '+', 'COUNT', 1))[0][0]).toBe('200-0');
    expect(await t.call('XTRIM', 's', 'MINID', '~', '240')).toBe(1);
    expect(await t.call('XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '5')).toBe(0);
    expect(await t.call('XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '100')).toBe(50);
    expect(await t.call('XLEN', 's')).toBe(0);
    expect(await t.call('XTRIM', 'nokey', 'MAXLEN', '0')).toBe(0);
    expect(await t.error('XTRIM', 's', 'FOO', '0')).toBe(SYNTAX);
    expect(await t.error('XTRIM', 's', 'MAXLEN')).toBe(arity('xtrim'));
    expect(await t.error('XTRIM', 's', 'LIMIT', '5', 'x')).toBe(SYNTAX);
    expect(await t.error('XTRIM', 's', 'LIMIT', '5', 'MAXLEN', '1')).toBe('ERR syntax error, LIMIT cannot be used without the special ~ option');
    expect(await t.error('XTRIM', 's', 'MAXLEN', '1', 'MAXLEN', '1')).toBe('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
    expect(await t.error('XTRIM', 's', 'LIMIT', '5', 'COUNT')).toBe(SYNTAX);
    expect(await t.error('XTRIM', 's', 'LIMIT', '0', 'LIMIT', '0')).toBe('ERR syntax error, XTRIM must be called with a trimming strategy');
  });

  it('XADD with MAXLEN/MINID trims after adding; node boundaries follow stream-node-max-*', async () => {
    for (let i = 1; i <= 10; i++) expect(await t.call('XADD', 's', 'MAXLEN', '3', `${i}-0`, 'f', 'v')).toBe(`${i}-0`);
    expect((await t.call('XRANGE', 's', '-', '+')).map((e: any) => e[0])).toEqual(['8-0', '9-0', '10-0']);
    expect(await t.call('XADD', 's', 'MINID', '10', '11-0', 'f', 'v')).toBe('11-0');
    expect(await t.call('XLEN', 's')).toBe(2);
    // Approximate trimming only removes whole nodes: 100 entries per node by default, fewer
    // when the entries are big (4096 bytes per node).
    for (let i = 1; i <= 300; i++) await t.call('XADD', 'big', `${i}-0`, 'field', 'x'.repeat(100));
    const info = obj(await t.call('XINFO', 'STREAM', 'big'));
    const nodes = info['radix-tree-keys'];
    expect(nodes).toBeGreaterThan(3);
    const trimmed = await t.call('XADD', 'big', 'MAXLEN', '~', '200', '301-0', 'field', 'y');
    expect(trimmed).toBe('301-0');
    const left = await t.call('XLEN', 'big');
    expect(left).toBeGreaterThanOrEqual(200);
    expect(left).toBeLessThan(301);
    expect(await t.call('XTRIM', 'big', 'MAXLEN', '~', '0', 'LIMIT', '0')).toBe(left);
  });

  it('mixed fields: entries with other fields than the master entry, integers as values', async () => {
    for (let i = 1; i <= 150; i++) {
      const fv = i % 3 === 0 ? ['a', String(i)] : i % 3 === 1 ? ['a', String(-i * 1000), 'b', '12345678901234567890'] : ['zz', 'x'.repeat(i)];
      await t.call('XADD', 's', `${i}-${i}`, ...fv);
    }
    const info = obj(await t.call('XINFO', 'STREAM', 's'));
    expect(info['radix-tree-keys']).toBeGreaterThan(1);
    expect(await t.call('XTRIM', 's', 'MAXLEN', '~', '50')).toBeGreaterThan(0);
    const info2 = obj(await t.call('XINFO', 'STREAM', 's'));
    expect(info2['length']).toBeGreaterThanOrEqual(50);
  });
});

// ---- a raw connection (notifications, RESP3 frames) ------------------------------------------

commandSuite('streams: consumer groups (XGROUP XREADGROUP XACK XPENDING)', (t) => {
  it('XGROUP CREATE / MKSTREAM / ENTRIESREAD / BUSYGROUP / errors', async () => {
    const NOKEY =
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';
    expect(await t.error('XGROUP', 'CREATE', 's', 'g', '$')).toBe(NOKEY);
    expect(await t.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')).toBe('OK');
    expect(await t.call('XLEN', 's')).toBe(0);
    expect(await t.error('XGROUP', 'CREATE', 's', 'g', '$')).toBe('BUSYGROUP Consumer Group name already exists');
    expect(await t.call('XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', '5')).toBe('OK');
    expect(await t.error('XGROUP', 'CREATE', 's', 'g3', '0', 'ENTRIESREAD', '-2')).toBe('ERR value for ENTRIESREAD must be positive or -1');
    expect(await t.error('XGROUP', 'CREATE', 's', 'g3', '0', 'ENTRIESREAD', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('XGROUP', 'CREATE', 's', 'g3', '0', 'FOO')).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.",
    );
    expect(await t.error('XGROUP', 'CREATE', 's', 'g3', 'bad')).toBe(INVALID_ID);
    expect(await t.error('XGROUP', 'CREATE', 's', 'g3', '-')).toBe(INVALID_ID);
    expect(await t.error('XGROUP', 'CREATE', 's', 'g3')).toBe(arity('xgroup|create'));
    expect(await t.error('XGROUP')).toBe(arity('xgroup'));
    expect(await t.error('XGROUP', 'FOO')).toBe("ERR unknown subcommand 'FOO'. Try XGROUP HELP.");
    expect(await t.call('SET', 'str', 'x')).toBe('OK');
    expect(await t.error('XGROUP', 'CREATE', 'str', 'g', '$', 'MKSTREAM')).toBe(WRONGTYPE);
    const groups = (await t.call('XINFO', 'GROUPS', 's')).map(obj);
    expect(groups).toEqual([
      { name: 'g', consumers: 0, pending: 0, 'last-delivered-id': '0-0', 'entries-read': null, lag: 0 },
      { name: 'g2', consumers: 0, pending: 0, 'last-delivered-id': '0-0', 'entries-read': 5, lag: 0 },
    ]);
    const help = await t.call('XGROUP', 'HELP');
    expect(help[0]).toBe('XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.length).toBe(17);
    expect(await t.error('XGROUP', 'HELP', 'x')).toBe(arity('xgroup|help'));
  });

  it('XGROUP SETID / DESTROY / CREATECONSUMER / DELCONSUMER', async () => {
    for (let i = 1; i <= 3; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    expect(await t.call('XGROUP', 'CREATE', 's', 'g', '0')).toBe('OK');
    expect(await t.error('XGROUP', 'SETID', 's', 'nog', '0')).toBe("NOGROUP No such consumer group 'nog' for key name 's'");
    expect(await t.error('XGROUP', 'SETID', 'nokey', 'g', '0')).toContain('requires the key to exist');
    expect(await t.call('XGROUP', 'SETID', 's', 'g', '$')).toBe('OK');
    expect(obj((await t.call('XINFO', 'GROUPS', 's'))[0])['last-delivered-id']).toBe('3-0');
    expect(await t.call('XGROUP', 'SETID', 's', 'g', '1', 'ENTRIESREAD', '1')).toBe('OK');
    let g = obj((await t.call('XINFO', 'GROUPS', 's'))[0]);
    expect([g['last-delivered-id'], g['entries-read'], g.lag]).toEqual(['1-0', 1, 2]);
    expect(await t.error('XGROUP', 'SETID', 's', 'g', '1', 'ENTRIESREAD')).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.",
    );
    expect(await t.error('XGROUP', 'SETID', 's', 'g', '1', 'FOO', '1')).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.",
    );
    expect(await t.error('XGROUP', 'SETID', 's', 'g', '1', 'ENTRIESREAD', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('XGROUP', 'SETID', 's', 'g', '1', 'ENTRIESREAD', '-3')).toBe('ERR value for ENTRIESREAD must be positive or -1');
    expect(await t.call('XGROUP', 'SETID', 's', 'g', '-')).toBe('OK');
    expect(await t.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'alice')).toBe(1);
    expect(await t.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'alice')).toBe(0);
    expect(await t.error('XGROUP', 'CREATECONSUMER', 's', 'nog', 'alice')).toBe("NOGROUP No such consumer group 'nog' for key name 's'");
    await t.call('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'STREAMS', 's', '>');
    expect(await t.call('XGROUP', 'DELCONSUMER', 's', 'g', 'bob')).toBe(2);
    expect(await t.call('XGROUP', 'DELCONSUMER', 's', 'g', 'bob')).toBe(0);
    expect(await t.call('XPENDING', 's', 'g')).toEqual([0, null, null, null]);
    g = obj((await t.call('XINFO', 'GROUPS', 's'))[0]);
    expect([g.consumers, g.pending, g['last-delivered-id']]).toEqual([1, 0, '2-0']);
    expect(await t.call('XGROUP', 'DESTROY', 's', 'g')).toBe(1);
    expect(await t.call('XGROUP', 'DESTROY', 's', 'g')).toBe(0);
    expect(await t.error('XGROUP', 'DESTROY', 'nokey', 'g')).toContain('requires the key to exist');
    expect(await t.call('XINFO', 'GROUPS', 's')).toEqual([]);
  });

  it('XREADGROUP > delivers new entries, fills the PEL, history IDs re-read it', async () => {
    for (let i = 1; i <= 5; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    await t.call('XGROUP', 'CREATE', 's', 'g', '0');
    const r1 = await t.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
    expect(r1).toEqual([['s', [['1-0', ['f', '1']], ['2-0', ['f', '2']]]]]);
    const r2 = await t.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>');
    expect(r2[0][1].map((e: any) => e[0])).toEqual(['3-0', '4-0', '5-0']);
    expect(await t.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>')).toBe(null);
    // History: the consumer's own pending entries after the ID.
    expect(await t.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0')).toEqual([['s', [['1-0', ['f', '1']], ['2-0', ['f', '2']]]]]);
    expect(await t.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '1-0')).toEqual([['s', [['2-0', ['f', '2']]]]]);
    expect(await t.call('XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '0')).toEqual([['s', []]]);
    // A pending entry deleted from the stream is reported with a null body.
    await t.call('XDEL', 's', '1-0');
    expect(await t.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0')).toEqual([['s', [['1-0', null], ['2-0', ['f', '2']]]]]);
    const summary = await t.call('XPENDING', 's', 'g');
    expect(summary).toEqual([5, '1-0', '5-0', [['alice', '2'], ['bob', '3']]]);
    const ext = await t.call('XPENDING', 's', 'g', '-', '+', '10');
    expect(ext.map((e: any) => [e[0], e[1], e[3]])).toEqual([
      ['1-0', 'alice', 2],
      ['2-0', 'alice', 4],
      ['3-0', 'bob', 1],
      ['4-0', 'bob', 1],
      ['5-0', 'bob', 1],
    ]);
    for (const e of ext) within(e[2], 0, 5000);
    expect((await t.call('XPENDING', 's', 'g', '-', '+', '10', 'bob')).length).toBe(3);
    expect(await t.call('XPENDING', 's', 'g', '-', '+', '10', 'nobody')).toEqual([]);
    expect((await t.call('XPENDING', 's', 'g', '(1-0', '(5-0', '10')).map((e: any) => e[0])).toEqual(['2-0', '3-0', '4-0']);
    expect((await t.call('XPENDING', 's', 'g', '-', '+', '2')).length).toBe(2);
    expect(await t.call('XPENDING', 's', 'g', '-', '+', '0')).toEqual([]);
    expect(await t.call('XPENDING', 's', 'g', 'IDLE', '100000', '-', '+', '10')).toEqual([]);
    expect((await t.call('XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10')).length).toBe(5);
    expect(await t.call('XACK', 's', 'g', '1-0', '3-0', '9-0', '3-0')).toBe(2);
    expect(await t.call('XACK', 's', 'nog', '1-0')).toBe(0);
    expect(await t.call('XACK', 'nokey', 'g', '1-0')).toBe(0);
    expect(await t.error('XACK', 's', 'g', '2-0', 'bad')).toBe(INVALID_ID);
    expect(await t.call('XPENDING', 's', 'g')).toEqual([3, '2-0', '5-0', [['alice', '1'], ['bob', '2']]]);
    const cons = (await t.call('XINFO', 'CONSUMERS', 's', 'g')).map(obj);
    expect(cons.map((x: any) => [x.name, x.pending])).toEqual([
      ['alice', 1],
      ['bob', 2],
      ['carol', 0],
    ]);
    for (const x of cons) within(x.idle, 0, 5000);
  });

  it('XREADGROUP errors, NOACK, several streams, COUNT', async () => {
    await t.call('XADD', 's', '1-0', 'a', '1');
    await t.call('XADD', 't', '1-0', 'b', '1');
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toBe(
      "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option",
    );
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '>')).toBe(
      "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option",
    );
    await t.call('XGROUP', 'CREATE', 's', 'g', '0');
    await t.call('XGROUP', 'CREATE', 't', 'g', '0');
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$')).toContain('The $ ID is meaningless');
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's')).toBe(
      "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
    );
    expect(await t.error('XREADGROUP', 'COUNT', '1', 'STREAMS', 's', '>')).toBe(arity('xreadgroup'));
    expect(await t.error('XREADGROUP', 'COUNT', '1', 'COUNT', '1', 'STREAMS', 's', '>')).toBe('ERR Missing GROUP option for XREADGROUP');
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'FOO', 'STREAMS', 's', '>')).toBe(SYNTAX);
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 'x', 'STREAMS', 's', '>')).toBe(NOT_INTEGER);
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'bad')).toBe(INVALID_ID);
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '-1', 'STREAMS', 's', '>')).toBe('ERR timeout is negative');
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 'x', 'STREAMS', 's', '>')).toBe('ERR timeout is not an integer or out of range');
    await t.call('SET', 'str', 'x');
    expect(await t.error('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>')).toBe(WRONGTYPE);
    const r = await t.call('XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', 's', 't', '>', '>');
    expect(r).toEqual([
      ['s', [['1-0', ['a', '1']]]],
      ['t', [['1-0', ['b', '1']]]],
    ]);
    expect(await t.call('XPENDING', 's', 'g')).toEqual([0, null, null, null]);
    const info = obj((await t.call('XINFO', 'GROUPS', 's'))[0]);
    expect([info.consumers, info['last-delivered-id'], info['entries-read'], info.lag]).toEqual([1, '1-0', 1, 0]);
    await t.call('XADD', 's', '2-0', 'a', '2');
    await t.call('XADD', 's', '3-0', 'a', '3');
    expect((await t.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', 't', '>', '>'))).toEqual([['s', [['2-0', ['a', '2']]]]]);
  });

  it('re-delivery after SETID moves the PEL entry to the new consumer with count 1', async () => {
    for (let i = 1; i <= 3; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    await t.call('XGROUP', 'CREATE', 's', 'g', '0');
    await t.call('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    await t.call('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '0');
    await t.call('XGROUP', 'SETID', 's', 'g', '1-0');
    await t.call('XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '1', 'STREAMS', 's', '>');
    const p = await t.call('XPENDING', 's', 'g', '-', '+', '10');
    expect(p.map((e: any) => [e[0], e[1], e[3]])).toEqual([
      ['1-0', 'a', 2],
      ['2-0', 'b', 1],
      ['3-0', 'a', 2],
    ]);
  });
});

commandSuite('streams: XCLAIM XAUTOCLAIM', (t) => {
  async function setup(): Promise<void> {
    for (let i = 1; i <= 5; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    await t.call('XGROUP', 'CREATE', 's', 'g', '0');
    await t.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
  }

  it('XCLAIM moves entries, with IDLE TIME RETRYCOUNT FORCE JUSTID LASTID', async () => {
    await setup();
    expect(await t.call('XCLAIM', 's', 'g', 'bob', '0', '1-0', '2-0')).toEqual([
      ['1-0', ['f', '1']],
      ['2-0', ['f', '2']],
    ]);
    expect(await t.call('XCLAIM', 's', 'g', 'bob', '3600000', '3-0')).toEqual([]);
    expect(await t.call('XCLAIM', 's', 'g', 'bob', '0', '3-0', 'JUSTID')).toEqual(['3-0']);
    let p = await t.call('XPENDING', 's', 'g', '-', '+', '10');
    expect(p.map((e: any) => [e[0], e[1], e[3]])).toEqual([
      ['1-0', 'bob', 2],
      ['2-0', 'bob', 2],
      ['3-0', 'bob', 1],
      ['4-0', 'alice', 1],
      ['5-0', 'alice', 1],
    ]);
    expect(await t.call('XCLAIM', 's', 'g', 'carol', '0', '4-0', 'IDLE', '5000', 'RETRYCOUNT', '7', 'JUSTID')).toEqual(['4-0']);
    p = await t.call('XPENDING', 's', 'g', '4-0', '4-0', '1');
    expect([p[0][1], p[0][3]]).toEqual(['carol', 7]);
    within(p[0][2], 5000, 10000);
    const past = Date.now() - 60000;
    expect(await t.call('XCLAIM', 's', 'g', 'carol', '0', '5-0', 'TIME', String(past), 'JUSTID')).toEqual(['5-0']);
    p = await t.call('XPENDING', 's', 'g', '5-0', '5-0', '1');
    within(p[0][2], 60000, 65000);
    // A future TIME is clamped to now.
    await t.call('XCLAIM', 's', 'g', 'carol', '0', '5-0', 'TIME', String(Date.now() + 3600000), 'JUSTID');
    p = await t.call('XPENDING', 's', 'g', '5-0', '5-0', '1');
    within(p[0][2], 0, 5000);
    // FORCE creates a PEL entry for an entry nobody read (only if it exists in the stream).
    await t.call('XADD', 's', '6-0', 'f', '6');
    expect(await t.call('XCLAIM', 's', 'g', 'dave', '0', '6-0', '7-0')).toEqual([]);
    expect(await t.call('XCLAIM', 's', 'g', 'dave', '0', '6-0', '7-0', 'FORCE', 'JUSTID')).toEqual(['6-0']);
    expect(await t.call('XCLAIM', 's', 'g', 'dave', '0', '1-0', 'LASTID', '9-0', 'JUSTID')).toEqual(['1-0']);
    expect(obj((await t.call('XINFO', 'GROUPS', 's'))[0])['last-delivered-id']).toBe('9-0');
    // A claimed entry deleted from the stream leaves the PEL.
    await t.call('XDEL', 's', '2-0');
    expect(await t.call('XCLAIM', 's', 'g', 'bob', '0', '2-0')).toEqual([]);
    expect((await t.call('XPENDING', 's', 'g'))[0]).toBe(5);
  });

  it('XCLAIM errors', async () => {
    await setup();
    expect(await t.error('XCLAIM', 's', 'nog', 'c', '0', '1-0')).toBe("NOGROUP No such key 's' or consumer group 'nog'");
    expect(await t.error('XCLAIM', 'nokey', 'g', 'c', '0', '1-0')).toBe("NOGROUP No such key 'nokey' or consumer group 'g'");
    expect(await t.error('XCLAIM', 's', 'g', 'c', 'x', '1-0')).toBe('ERR Invalid min-idle-time argument for XCLAIM');
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0', '1-0', 'FOO')).toBe("ERR Unrecognized XCLAIM option 'FOO'");
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE', 'x')).toBe('ERR Invalid IDLE option argument for XCLAIM');
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME', 'x')).toBe('ERR Invalid TIME option argument for XCLAIM');
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0', '1-0', 'RETRYCOUNT', 'x')).toBe('ERR Invalid RETRYCOUNT option argument for XCLAIM');
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0', '1-0', 'LASTID', 'x')).toBe(INVALID_ID);
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE')).toBe("ERR Unrecognized XCLAIM option 'IDLE'");
    expect(await t.error('XCLAIM', 's', 'g', 'c', '0')).toBe(arity('xclaim'));
    await t.call('SET', 'str', 'x');
    expect(await t.error('XCLAIM', 'str', 'g', 'c', '0', '1-0')).toBe(WRONGTYPE);
  });

  it('XAUTOCLAIM scans the PEL from a cursor, reports deleted entries (7.0 reply)', async () => {
    await setup();
    expect(await t.call('XAUTOCLAIM', 's', 'g', 'bob', '0', '0', 'COUNT', '2')).toEqual([
      '3-0',
      [
        ['1-0', ['f', '1']],
        ['2-0', ['f', '2']],
      ],
      [],
    ]);
    expect(await t.call('XAUTOCLAIM', 's', 'g', 'bob', '0', '3-0', 'COUNT', '2', 'JUSTID')).toEqual(['5-0', ['3-0', '4-0'], []]);
    expect(await t.call('XAUTOCLAIM', 's', 'g', 'bob', '0', '5-0', 'JUSTID')).toEqual(['0-0', ['5-0'], []]);
    expect(await t.call('XAUTOCLAIM', 's', 'g', 'carol', '3600000', '0')).toEqual(['0-0', [], []]);
    await t.call('XDEL', 's', '2-0', '4-0');
    expect(await t.call('XAUTOCLAIM', 's', 'g', 'carol', '0', '(1-0', 'JUSTID')).toEqual(['0-0', ['3-0', '5-0'], ['2-0', '4-0']]);
    const p = await t.call('XPENDING', 's', 'g', '-', '+', '10');
    expect(p.map((e: any) => [e[0], e[1], e[3]])).toEqual([
      ['1-0', 'bob', 2],
      ['3-0', 'carol', 1],
      ['5-0', 'carol', 1],
    ]);
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', 'x', '0')).toBe('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', '0', 'x')).toBe(INVALID_ID);
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '0')).toBe('ERR COUNT must be > 0');
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', 'x')).toBe('ERR COUNT must be > 0');
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'FOO')).toBe(SYNTAX);
    expect(await t.error('XAUTOCLAIM', 's', 'nog', 'c', '0', '0')).toBe("NOGROUP No such key 's' or consumer group 'nog'");
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', '0', `(${U64}-${U64}`)).toBe('ERR invalid start ID for the interval');
    expect(await t.error('XAUTOCLAIM', 's', 'g', 'c', '0')).toBe(arity('xautoclaim'));
  });
});

commandSuite('streams: XREAD', (t) => {
  it('reads after the given IDs, several streams, COUNT, $ and errors', async () => {
    for (let i = 1; i <= 3; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    await t.call('XADD', 't', '5-0', 'g', 'x');
    expect(await t.call('XREAD', 'STREAMS', 's', 't', '1', '0')).toEqual([
      [
        's',
        [
          ['2-0', ['f', '2']],
          ['3-0', ['f', '3']],
        ],
      ],
      ['t', [['5-0', ['g', 'x']]]],
    ]);
    expect(await t.call('XREAD', 'COUNT', '1', 'STREAMS', 's', 'nokey', 't', '0', '0', '5-0')).toEqual([['s', [['1-0', ['f', '1']]]]]);
    expect(await t.call('XREAD', 'STREAMS', 's', '$')).toBe(null);
    expect(await t.call('XREAD', 'STREAMS', 's', '3-0')).toBe(null);
    expect(await t.call('XREAD', 'count', '-1', 'streams', 's', '2')).toEqual([['s', [['3-0', ['f', '3']]]]]);
    expect(await t.error('XREAD', 'STREAMS', 's', '>')).toBe(
      'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
    );
    expect(await t.error('XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0')).toBe('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
    expect(await t.error('XREAD', 'NOACK', 'STREAMS', 's', '0')).toBe('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
    expect(await t.error('XREAD', 'STREAMS', 's', 't', '0')).toBe("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
    expect(await t.error('XREAD', 'COUNT', '1', 'FOO', 's')).toBe(SYNTAX);
    expect(await t.error('XREAD', 'COUNT', '1', 'BLOCK', '1')).toBe(SYNTAX);
    expect(await t.error('XREAD', 'STREAMS', 's', '-')).toBe(INVALID_ID);
    expect(await t.error('XREAD', 'STREAMS', 's')).toBe(arity('xread'));
    await t.call('SET', 'str', 'x');
    expect(await t.error('XREAD', 'STREAMS', 'str', '0')).toBe(WRONGTYPE);
    expect(await t.call('COMMAND', 'GETKEYS', 'XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0')).toEqual(['a', 'b']);
    expect(await t.call('COMMAND', 'GETKEYS', 'XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'streams', '>')).toEqual(['streams']);
  });

  it('BLOCK waits for XADD; the first blocked client is served first; timeouts give nil', async () => {
    await t.call('XADD', 's', '1-0', 'f', '1');
    const c1 = await t.connect();
    const c2 = await t.connect();
    try {
      const p1 = track(c1.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      await sleep(30);
      const p2 = track(c2.call('XREAD', 'BLOCK', '0', 'COUNT', '5', 'STREAMS', 'other', 's', '$', '$'));
      await sleep(30);
      expect([p1.done, p2.done]).toEqual([false, false]);
      // Writes that add nothing leave them blocked.
      await t.call('XADD', 's', 'MAXLEN', '5', '2-0', 'f', '2');
      expect(await p1.promise).toEqual([['s', [['2-0', ['f', '2']]]]]);
      expect(await p2.promise).toEqual([['s', [['2-0', ['f', '2']]]]]);
      const p3 = track(c1.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      await sleep(30);
      await t.call('XDEL', 's', '1-0');
      await t.call('XSETID', 's', '9-0');
      await t.call('XGROUP', 'CREATE', 's', 'g', '$');
      await sleep(30);
      expect(p3.done).toBe(false);
      await t.call('XADD', 's', '10-0', 'f', '10');
      expect(await p3.promise).toEqual([['s', [['10-0', ['f', '10']]]]]);
      const started = Date.now();
      expect(await c2.call('XREAD', 'BLOCK', '100', 'STREAMS', 's', '$')).toBe(null);
      within(Date.now() - started, 80, 3000);
      // A missing key: created by XADD, which wakes the reader ($ of a missing key is 0-0).
      const p4 = track(c1.call('XREAD', 'BLOCK', '0', 'STREAMS', 'fresh', '$'));
      await sleep(30);
      await t.call('XADD', 'fresh', '1-1', 'a', 'b');
      expect(await p4.promise).toEqual([['fresh', [['1-1', ['a', 'b']]]]]);
      // Inside MULTI, BLOCK acts as a timeout at once.
      expect(await t.call('MULTI')).toBe('OK');
      expect(await t.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')).toBe('QUEUED');
      expect(await t.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '0')).toBe('QUEUED');
      const exec = await t.call('EXEC');
      expect(exec[0]).toBe(null);
      expect(exec[1][0][0]).toBe('s');
    } finally {
      await c1.close();
      await c2.close();
    }
  });

  it('BLOCK on a key that becomes another type keeps XREAD blocked; XADD to it later serves', async () => {
    const c1 = await t.connect();
    try {
      await t.call('XADD', 's', '1-0', 'f', '1');
      const p = track(c1.call('XREAD', 'BLOCK', '300', 'STREAMS', 's', '$'));
      await sleep(30);
      await t.call('SET', 's', 'x');
      await sleep(30);
      expect(p.done).toBe(false);
      expect(await p.promise).toBe(null);
    } finally {
      await c1.close();
    }
  });

  it('a blocked client that disconnects is forgotten', async () => {
    const c1 = await t.connect();
    const c2 = await t.connect();
    try {
      const p1 = track(c1.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      p1.promise.catch(() => {});
      await sleep(30);
      await c1.close();
      await sleep(30);
      const p2 = track(c2.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      await sleep(30);
      await t.call('XADD', 's', '1-0', 'f', '1');
      expect(await p2.promise).toEqual([['s', [['1-0', ['f', '1']]]]]);
      const clients = String(await t.call('INFO', 'clients'));
      expect(clients).toMatch(/blocked_clients:0/);
    } finally {
      await c2.close();
    }
  });
});

commandSuite('streams: blocking XREADGROUP', (t) => {
  it('served in blocking order, each consumer gets new entries, the PEL records them', async () => {
    await t.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const c1 = await t.connect();
    const c2 = await t.connect();
    try {
      const p1 = track(c1.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'));
      await sleep(30);
      const p2 = track(c2.call('XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>'));
      await sleep(30);
      await t.call('XADD', 's', '1-0', 'f', '1');
      expect(await p1.promise).toEqual([['s', [['1-0', ['f', '1']]]]]);
      await sleep(30);
      expect(p2.done).toBe(false);
      await t.call('XADD', 's', '2-0', 'f', '2');
      expect(await p2.promise).toEqual([['s', [['2-0', ['f', '2']]]]]);
      const p = await t.call('XPENDING', 's', 'g', '-', '+', '10');
      expect(p.map((e: any) => [e[0], e[1], e[3]])).toEqual([
        ['1-0', 'alice', 1],
        ['2-0', 'bob', 1],
      ]);
      // NOACK and COUNT while blocked.
      const p3 = track(c1.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'));
      await sleep(30);
      await t.call('MULTI');
      await t.call('XADD', 's', '3-0', 'f', '3');
      await t.call('XADD', 's', '4-0', 'f', '4');
      await t.call('EXEC');
      expect(await p3.promise).toEqual([['s', [['3-0', ['f', '3']]]]]);
      expect((await t.call('XPENDING', 's', 'g'))[0]).toBe(2);
      expect(await c1.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '50', 'STREAMS', 's', '>')).toEqual([['s', [['4-0', ['f', '4']]]]]);
      expect(await c1.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '50', 'STREAMS', 's', '>')).toBe(null);
    } finally {
      await c1.close();
      await c2.close();
    }
  });

  it('unblocked with an error when the group is destroyed or the key replaced', async () => {
    await t.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const c1 = await t.connect();
    try {
      const p1 = track(c1.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'));
      await sleep(30);
      expect(await t.call('XGROUP', 'DESTROY', 's', 'g')).toBe(1);
      await expect(p1.promise).rejects.toThrow('NOGROUP the consumer group this client was blocked on no longer exists');
      await t.call('XGROUP', 'CREATE', 's', 'g', '$');
      const p2 = track(c1.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'));
      await sleep(30);
      await t.call('SET', 's', 'x');
      await expect(p2.promise).rejects.toThrow('UNBLOCKED the stream key no longer exists');
    } finally {
      await c1.close();
    }
  });
});

commandSuite('streams: XINFO XSETID', (t) => {
  it('XINFO STREAM basic and FULL', async () => {
    expect(await t.error('XINFO', 'STREAM', 'nokey')).toBe('ERR no such key');
    for (let i = 1; i <= 3; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    const info = obj(await t.call('XINFO', 'STREAM', 's'));
    expect(info).toEqual({
      length: 3,
      'radix-tree-keys': 1,
      'radix-tree-nodes': 2,
      'last-generated-id': '3-0',
      'max-deleted-entry-id': '0-0',
      'entries-added': 3,
      'recorded-first-entry-id': '1-0',
      groups: 0,
      'first-entry': ['1-0', ['f', '1']],
      'last-entry': ['3-0', ['f', '3']],
    });
    await t.call('XGROUP', 'CREATE', 's', 'g', '0');
    await t.call('XGROUP', 'CREATE', 's', 'a', '$');
    await t.call('XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '2', 'STREAMS', 's', '>');
    await t.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'c0');
    const full = obj(await t.call('XINFO', 'STREAM', 's', 'FULL'));
    expect(full.entries.length).toBe(3);
    expect(full.groups.length).toBe(2);
    const g0 = obj(full.groups[0]);
    expect([g0.name, g0['last-delivered-id'], g0['entries-read'], g0.lag, g0['pel-count'], g0.pending, g0.consumers]).toEqual(['a', '3-0', null, 0, 0, [], []]);
    const g1 = obj(full.groups[1]);
    expect([g1.name, g1['entries-read'], g1.lag, g1['pel-count']]).toEqual(['g', 2, 1, 2]);
    expect(g1.pending.map((p: any) => [p[0], p[1], p[3]])).toEqual([
      ['1-0', 'c1', 1],
      ['2-0', 'c1', 1],
    ]);
    for (const p of g1.pending) within(p[2], Date.now() - 5000, Date.now() + 5000);
    const cons = g1.consumers.map(obj);
    expect(cons.map((x: any) => [x.name, x['pel-count'], x.pending.length])).toEqual([
      ['c0', 0, 0],
      ['c1', 2, 2],
    ]);
    within(cons[1]['seen-time'], Date.now() - 5000, Date.now() + 5000);
    expect(obj(await t.call('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1')).entries.length).toBe(1);
    expect(obj(await t.call('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0')).entries.length).toBe(3);
    expect(obj(await t.call('XINFO', 'STREAM', 's', 'full', 'count', '-1')).entries.length).toBe(3);
    expect(await t.error('XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('XINFO', 'STREAM', 's', 'FOO')).toBe("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
    expect(await t.error('XINFO', 'STREAM', 's', 'FULL', 'COUNT')).toBe("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
    expect(await t.error('XINFO', 'CONSUMERS', 's', 'nog')).toBe("NOGROUP No such consumer group 'nog' for key name 's'");
    expect(await t.error('XINFO', 'GROUPS', 'nokey')).toBe('ERR no such key');
    expect(await t.error('XINFO', 'GROUPS')).toBe(arity('xinfo|groups'));
    expect(await t.error('XINFO', 'FOO', 's')).toBe("ERR unknown subcommand 'FOO'. Try XINFO HELP.");
    await t.call('SET', 'str', 'x');
    expect(await t.error('XINFO', 'STREAM', 'str')).toBe(WRONGTYPE);
    expect((await t.call('XINFO', 'HELP')).length).toBe(9);
    // An empty stream has null first/last entries.
    await t.call('XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM');
    const e = obj(await t.call('XINFO', 'STREAM', 'e'));
    expect([e.length, e['radix-tree-keys'], e['radix-tree-nodes'], e['first-entry'], e['last-entry']]).toEqual([0, 0, 1, null, null]);
  });

  it('radix-tree-nodes follows the rax of node keys', async () => {
    for (const n of [1, 150, 1000]) {
      await t.call('DEL', 'r');
      for (let i = 0; i < n; i++) await t.call('XADD', 'r', `${1000 + i * 7}-${i % 3}`, 'f', 'v');
      const info = obj(await t.call('XINFO', 'STREAM', 'r'));
      expect([n, info['radix-tree-keys']]).toEqual([n, Math.ceil(n / 100)]);
      expect(info['radix-tree-nodes']).toBeGreaterThanOrEqual(info['radix-tree-keys'] + 1);
      if (t.backend.name !== 'redis') continue;
    }
    await t.call('DEL', 'r');
    for (let i = 0; i < 700; i++) await t.call('XADD', 'r', `${1 + (i << 12)}-${i}`, 'f', 'v');
    const info = obj(await t.call('XINFO', 'STREAM', 'r'));
    expect(info['radix-tree-keys']).toBe(7);
  });

  it('lag and entries-read as Redis computes them, through XDEL and XSETID', async () => {
    for (let i = 1; i <= 5; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    await t.call('XGROUP', 'CREATE', 's', 'g', '0');
    const g = async () => {
      const o = obj((await t.call('XINFO', 'GROUPS', 's'))[0]);
      return [o['entries-read'], o.lag];
    };
    expect(await g()).toEqual([null, 5]);
    await t.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>');
    expect(await g()).toEqual([2, 3]);
    await t.call('XDEL', 's', '4-0');
    expect(await g()).toEqual([2, null]);
    await t.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>');
    expect(await g()).toEqual([null, null]);
    await t.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(await g()).toEqual([5, 0]);
    await t.call('XDEL', 's', '1-0');
    await t.call('XGROUP', 'CREATE', 's', 'h', '0');
    const h = obj((await t.call('XINFO', 'GROUPS', 's'))[1]);
    expect([h['entries-read'], h.lag]).toEqual([null, null]);
    expect(await t.call('XSETID', 's', '10-0', 'ENTRIESADDED', '20', 'MAXDELETEDID', '6-0')).toBe('OK');
    const info = obj(await t.call('XINFO', 'STREAM', 's'));
    expect([info['last-generated-id'], info['entries-added'], info['max-deleted-entry-id']]).toEqual(['10-0', 20, '6-0']);
  });

  it('XSETID errors', async () => {
    expect(await t.error('XSETID', 'nokey', '1-0')).toBe('ERR no such key');
    for (let i = 1; i <= 3; i++) await t.call('XADD', 's', `${i}-0`, 'f', String(i));
    expect(await t.error('XSETID', 's', '2-0')).toBe('ERR The ID specified in XSETID is smaller than the target stream top item');
    expect(await t.error('XSETID', 's', '3-0', 'ENTRIESADDED', '2')).toBe('ERR The entries_added specified in XSETID is smaller than the target stream length');
    expect(await t.error('XSETID', 's', '3-0', 'ENTRIESADDED', '-1')).toBe('ERR entries_added must be positive');
    expect(await t.error('XSETID', 's', '3-0', 'ENTRIESADDED', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('XSETID', 's', '3-0', 'MAXDELETEDID', '4-0')).toBe('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
    expect(await t.error('XSETID', 's', '3-0', 'FOO', '1')).toBe(SYNTAX);
    expect(await t.error('XSETID', 's', '3-0', 'ENTRIESADDED')).toBe(SYNTAX);
    expect(await t.error('XSETID', 's', 'bad')).toBe(INVALID_ID);
    await t.call('XDEL', 's', '3-0');
    // 7.0.15 lets the last ID go below the greatest deleted ID (7.2 refuses); entries added
    // then sort before the tombstone.
    expect(await t.call('XSETID', 's', '2-5')).toBe('OK');
    expect(await t.call('XADD', 's', '2-6', 'a', 'b')).toBe('2-6');
    expect((await t.call('XRANGE', 's', '-', '+')).map((e: any) => e[0])).toEqual(['1-0', '2-0', '2-6']);
    expect((await t.call('XREVRANGE', 's', '+', '-')).map((e: any) => e[0])).toEqual(['2-6', '2-0', '1-0']);
    expect((await t.call('XRANGE', 's', '2-1', '2-7')).map((e: any) => e[0])).toEqual(['2-6']);
    expect(await t.call('XSETID', 's', '3-0')).toBe('OK');
    expect(await t.call('XSETID', 's', `${U64}-${U64}`)).toBe('OK');
    expect(await t.error('XADD', 's', '*', 'a', 'b')).toBe('ERR The stream has exhausted the last possible ID, unable to add more items');
    await t.call('SET', 'str', 'x');
    expect(await t.error('XSETID', 'str', '1-0')).toBe(WRONGTYPE);
    expect(await t.error('XSETID', 's')).toBe(arity('xsetid'));
  });
});

commandSuite('streams: keyspace notifications, WATCH, RESP3', (t) => {
  afterEach(async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  it('events for every stream write, in Redis order', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Et');
    const s = await RawFrames.open(t);
    try {
      expect(await s.cmd('PSUBSCRIBE', '__keyevent@0__:*')).toEqual(['psubscribe', '__keyevent@0__:*', 1]);
      await t.call('XADD', 's', '1-0', 'f', 'v');
      await t.call('XADD', 's', 'MAXLEN', '1', '2-0', 'f', 'v');
      await t.call('XADD', 's', 'MAXLEN', '5', '3-0', 'f', 'v');
      await t.call('XDEL', 's', '3-0', '9-0');
      await t.call('XDEL', 's', '9-0');
      await t.call('XTRIM', 's', 'MAXLEN', '0');
      await t.call('XTRIM', 's', 'MAXLEN', '0');
      await t.call('XGROUP', 'CREATE', 's', 'g', '$');
      await t.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
      await t.call('XGROUP', 'SETID', 's', 'g', '0');
      await t.call('XADD', 's', '4-0', 'f', 'v');
      await t.call('XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 's', '>');
      await t.call('XCLAIM', 's', 'g', 'e', '0', '4-0');
      await t.call('XAUTOCLAIM', 's', 'g', 'f', '0', '0');
      await t.call('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
      await t.call('XGROUP', 'DESTROY', 's', 'g');
      await t.call('XSETID', 's', '5-0');
      await t.call('XACK', 's', 'g', '4-0');
      const got: string[] = [];
      for (;;) {
        const f = await s.next();
        got.push(`${f[2].slice('__keyevent@0__:'.length)} ${f[3]}`);
        if (f[2].endsWith('xsetid')) break;
      }
      expect(got).toEqual([
        'xadd s',
        'xadd s',
        'xtrim s',
        'xadd s',
        'xdel s',
        'xtrim s',
        'xgroup-create s',
        'xgroup-createconsumer s',
        'xgroup-setid s',
        'xadd s',
        'xgroup-createconsumer s',
        'xgroup-createconsumer s',
        'xgroup-createconsumer s',
        'xgroup-delconsumer s',
        'xgroup-destroy s',
        'xsetid s',
      ]);
    } finally {
      s.close();
    }
  });

  it('WATCH sees stream writes', async () => {
    await t.call('XADD', 's', '1-0', 'f', 'v');
    const c = await t.connect();
    try {
      for (const write of [
        ['XADD', 's', '2-0', 'f', 'v'],
        ['XDEL', 's', '1-0'],
        ['XTRIM', 's', 'MAXLEN', '0'],
      ]) {
        expect(await c.call('WATCH', 's')).toBe('OK');
        await t.call(...write);
        await c.call('MULTI');
        await c.call('XLEN', 's');
        expect([write, await c.call('EXEC')]).toEqual([write, null]);
      }
      // Writes that change only the consumer groups, and XSETID: Redis 7.0 signals no modified
      // key for them, so a watcher's EXEC goes through (XREADGROUP here delivers 5-0).
      await t.call('XADD', 's', '5-0', 'f', 'v');
      for (const write of [
        ['XGROUP', 'CREATE', 's', 'g', '0'],
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
        ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '>'],
        ['XCLAIM', 's', 'g', 'c2', '0', '5-0'],
        ['XAUTOCLAIM', 's', 'g', 'c1', '0', '0'],
        ['XACK', 's', 'g', '5-0'],
        ['XGROUP', 'SETID', 's', 'g', '0'],
        ['XGROUP', 'DELCONSUMER', 's', 'g', 'c2'],
        ['XGROUP', 'DESTROY', 's', 'g'],
        ['XSETID', 's', '9-0'],
      ]) {
        expect(await c.call('WATCH', 's')).toBe('OK');
        await t.call(...write);
        await c.call('MULTI');
        await c.call('XLEN', 's');
        expect([write, await c.call('EXEC')]).toEqual([write, [1]]);
      }
      // XGROUP CREATE ... MKSTREAM that creates the stream is a change of the key.
      expect(await c.call('WATCH', 'm')).toBe('OK');
      await t.call('XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM');
      await c.call('MULTI');
      await c.call('XLEN', 'm');
      expect(await c.call('EXEC')).toBe(null);
      expect(await c.call('WATCH', 's')).toBe('OK');
      await t.call('XLEN', 's');
      await t.call('XRANGE', 's', '-', '+');
      await c.call('MULTI');
      await c.call('XLEN', 's');
      expect(await c.call('EXEC')).toEqual([1]);
    } finally {
      await c.close();
    }
  });

  it('RESP3: XREAD and XREADGROUP reply maps, XINFO maps, nulls', async () => {
    const s = await RawFrames.open(t);
    try {
      await s.cmd('HELLO', '3');
      await t.call('XADD', 's', '1-0', 'f', 'v');
      await t.call('XGROUP', 'CREATE', 's', 'g', '0');
      const read = await s.cmd('XREAD', 'STREAMS', 's', '0');
      expect(read).toBeInstanceOf(Map);
      expect([...read.entries()]).toEqual([['s', [['1-0', ['f', 'v']]]]]);
      expect(await s.cmd('XREAD', 'STREAMS', 's', '$')).toBe(null);
      const rg = await s.cmd('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
      expect([...rg.entries()]).toEqual([['s', [['1-0', ['f', 'v']]]]]);
      const info = await s.cmd('XINFO', 'STREAM', 's');
      expect(info).toBeInstanceOf(Map);
      expect(info.get('first-entry')).toEqual(['1-0', ['f', 'v']]);
      const groups = await s.cmd('XINFO', 'GROUPS', 's');
      expect(groups[0]).toBeInstanceOf(Map);
      expect(groups[0].get('entries-read')).toBe(1);
      expect(await s.cmd('XPENDING', 's', 'g', '-', '+', '0')).toEqual([]);
      await t.call('XACK', 's', 'g', '1-0');
      expect(await s.cmd('XPENDING', 's', 'g')).toEqual([0, null, null, null]);
      const p = track(s.cmd('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      await sleep(30);
      await t.call('XADD', 's', '2-0', 'a', 'b');
      const woke = await p.promise;
      expect(woke).toBeInstanceOf(Map);
      expect([...woke.entries()]).toEqual([['s', [['2-0', ['a', 'b']]]]]);
    } finally {
      s.close();
    }
  });
});

describe('streams: propagation and replay (in-process, ManualClock)', () => {
  let b: Backend;
  let log: Array<{ at: number; db: number; argv: string[] }>;
  let clock: ManualClock;
  afterEach(async () => {
    await b.close();
  });

  async function setup(): Promise<(...a: Arg[]) => Promise<any>> {
    clock = new ManualClock(1_700_000_000_000);
    b = await inProcess({}, clock);
    log = [];
    b.server!.log.addObserver((db, argv) => log.push({ at: clock.now(), db, argv: [...argv] }));
    return (...a: Arg[]) => b.conn.call(...a);
  }

  it('each write propagates its canonical effect; reads and no-ops nothing', async () => {
    const call = await setup();
    const T = clock.now();
    const expectLog = async (args: Arg[], want: string[][]) => {
      log.length = 0;
      try {
        await call(...args);
      } catch {
        // errors propagate nothing either
      }
      expect([args, log.map((m) => m.argv)]).toEqual([args, want]);
    };
    await expectLog(['XADD', 's', '*', 'f', 'v'], [['XADD', 's', `${T}-0`, 'f', 'v']]);
    await expectLog(['XADD', 's', `${T}-*`, 'f', 'v'], [['XADD', 's', `${T}-1`, 'f', 'v']]);
    await expectLog(['XADD', 's', 'NOMKSTREAM', 'MAXLEN', '5', 'LIMIT', '0', '*', 'f', 'v'], []);
    await expectLog(['XADD', 's', 'NOMKSTREAM', 'MAXLEN', '~', '5', 'LIMIT', '9', '*', 'f', 'v'], [['XADD', 's', 'MAXLEN', '=', '3', `${T}-2`, 'f', 'v']]);
    await expectLog(['XADD', 's', 'MINID', '0', '*', 'f', 'v'], [['XADD', 's', 'MINID', '=', '0-0', `${T}-3`, 'f', 'v']]);
    await expectLog(['XADD', 'nokey', 'NOMKSTREAM', '*', 'f', 'v'], []);
    await expectLog(['XADD', 's', '1-1', 'f', 'v'], []);
    await expectLog(['XLEN', 's'], []);
    await expectLog(['XRANGE', 's', '-', '+'], []);
    await expectLog(['XTRIM', 's', 'MAXLEN', '~', '2'], []);
    await expectLog(['XTRIM', 's', 'MAXLEN', '3'], [['XTRIM', 's', 'MAXLEN', '=', '3']]);
    await expectLog(['XTRIM', 's', 'MINID', `${T}-2`], [['XTRIM', 's', 'MINID', '=', `${T}-2`]]);
    await expectLog(['XDEL', 's', '1-1'], []);
    await expectLog(['XDEL', 's', `${T}-2`, '1-1'], [['XDEL', 's', `${T}-2`, '1-1']]);
    await expectLog(['XGROUP', 'CREATE', 's', 'g', '$'], [['XGROUP', 'CREATE', 's', 'g', `${T}-3`, 'ENTRIESREAD', '-1']]);
    await expectLog(['XGROUP', 'CREATE', 'm', 'g', '0', 'MKSTREAM', 'ENTRIESREAD', '3'], [['XGROUP', 'CREATE', 'm', 'g', '0-0', 'ENTRIESREAD', '3', 'MKSTREAM']]);
    await expectLog(['XGROUP', 'SETID', 's', 'g', '0'], [['XGROUP', 'SETID', 's', 'g', '0-0', 'ENTRIESREAD', '-1']]);
    await expectLog(['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'], [['XGROUP', 'CREATECONSUMER', 's', 'g', 'c']]);
    await expectLog(['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'], []);
    clock.advance(10);
    const T2 = clock.now();
    await expectLog(
      ['XREADGROUP', 'GROUP', 'g', 'd', 'COUNT', '1', 'STREAMS', 's', '>'],
      [
        ['XGROUP', 'CREATECONSUMER', 's', 'g', 'd'],
        ['XCLAIM', 's', 'g', 'd', '0', `${T}-3`, 'TIME', String(T2), 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', `${T}-3`],
        ['XGROUP', 'SETID', 's', 'g', `${T}-3`, 'ENTRIESREAD', '4'],
      ],
    );
    await expectLog(['XREADGROUP', 'GROUP', 'g', 'd', 'NOACK', 'STREAMS', 's', '>'], []);
    await call('XADD', 's', `${T}-9`, 'f', 'v');
    await expectLog(['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'STREAMS', 's', '>'], [['XGROUP', 'SETID', 's', 'g', `${T}-9`, 'ENTRIESREAD', '5']]);
    clock.advance(10);
    await expectLog(
      ['XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 's', '0'],
      [['XCLAIM', 's', 'g', 'd', '0', `${T}-3`, 'TIME', String(T2 + 10), 'RETRYCOUNT', '2', 'FORCE', 'JUSTID', 'LASTID', `${T}-9`]],
    );
    await expectLog(['XPENDING', 's', 'g'], []);
    await expectLog(['XINFO', 'STREAM', 's', 'FULL'], []);
    await expectLog(
      ['XCLAIM', 's', 'g', 'e', '0', `${T}-3`, 'IDLE', '5'],
      [['XCLAIM', 's', 'g', 'e', '0', `${T}-3`, 'TIME', String(T2 + 5), 'RETRYCOUNT', '3', 'FORCE', 'JUSTID', 'LASTID', `${T}-9`]],
    );
    await expectLog(['XCLAIM', 's', 'g', 'e', '0', `${T}-9`, 'LASTID', `${T}-99`], [['XGROUP', 'SETID', 's', 'g', `${T}-99`, 'ENTRIESREAD', '5']]);
    await expectLog(
      ['XAUTOCLAIM', 's', 'g', 'f', '0', '0', 'JUSTID'],
      [['XCLAIM', 's', 'g', 'f', '0', `${T}-3`, 'TIME', String(T2 + 10), 'RETRYCOUNT', '3', 'FORCE', 'JUSTID', 'LASTID', `${T}-99`]],
    );
    await expectLog(['XACK', 's', 'g', '1-1'], []);
    await expectLog(['XACK', 's', 'g', `${T}-3`], [['XACK', 's', 'g', `${T}-3`]]);
    await expectLog(['XGROUP', 'DELCONSUMER', 's', 'g', 'zz'], [['XGROUP', 'DELCONSUMER', 's', 'g', 'zz']].slice(1));
    await expectLog(['XGROUP', 'DELCONSUMER', 's', 'g', 'c'], [['XGROUP', 'DELCONSUMER', 's', 'g', 'c']]);
    await expectLog(['XSETID', 's', '999999999999999-0'], [['XSETID', 's', '999999999999999-0']]);
    await expectLog(['XGROUP', 'DESTROY', 's', 'nog'], []);
    await expectLog(['XGROUP', 'DESTROY', 's', 'g'], [['XGROUP', 'DESTROY', 's', 'g']]);
  });

  it('replaying the propagated stream of a mixed workload gives the same streams, groups and PELs', async () => {
    const call = await setup();
    const rnd = mulberry32(0x57e4);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const keys = ['s0', 's1', 's2'];
    const groups = ['g0', 'g1'];
    const consumers = ['c0', 'c1', 'c2'];
    const ids = new Map<string, string[]>();
    const someId = (k: string) => {
      const l = ids.get(k) ?? [];
      return l.length === 0 ? '0-1' : pick(l);
    };
    const waiter = await b.connect();
    let blocked: Promise<unknown> | null = null;
    const ops: Array<() => Arg[]> = [
      () => ['XADD', pick(keys), '*', 'f', String(Math.floor(rnd() * 100)), ...(rnd() < 0.3 ? ['g', 'x'.repeat(Math.floor(rnd() * 300))] : [])],
      () => ['XADD', pick(keys), 'MAXLEN', '~', String(Math.floor(rnd() * 300)), '*', 'f', 'v'],
      () => ['XADD', pick(keys), 'MINID', '~', `${clock.now() - Math.floor(rnd() * 2000)}`, '*', 'f', 'v'],
      () => ['XTRIM', pick(keys), 'MAXLEN', pick(['~', '=']), String(Math.floor(rnd() * 200))],
      () => {
        const k = pick(keys);
        return ['XDEL', k, someId(k), someId(k)];
      },
      () => ['XGROUP', 'CREATE', pick(keys), pick(groups), pick(['$', '0']), 'MKSTREAM'],
      () => ['XGROUP', 'SETID', pick(keys), pick(groups), pick(['$', '0'])],
      () => ['XGROUP', 'CREATECONSUMER', pick(keys), pick(groups), pick(consumers)],
      () => ['XGROUP', 'DELCONSUMER', pick(keys), pick(groups), pick(consumers)],
      () => ['XREADGROUP', 'GROUP', pick(groups), pick(consumers), 'COUNT', String(1 + Math.floor(rnd() * 5)), 'STREAMS', pick(keys), '>'],
      () => ['XREADGROUP', 'GROUP', pick(groups), pick(consumers), 'NOACK', 'COUNT', '3', 'STREAMS', pick(keys), '>'],
      () => ['XREADGROUP', 'GROUP', pick(groups), pick(consumers), 'STREAMS', pick(keys), '0'],
      () => {
        const k = pick(keys);
        return ['XACK', k, pick(groups), someId(k), someId(k)];
      },
      () => {
        const k = pick(keys);
        return ['XCLAIM', k, pick(groups), pick(consumers), String(Math.floor(rnd() * 500)), someId(k), someId(k), ...(rnd() < 0.5 ? ['JUSTID'] : []), ...(rnd() < 0.3 ? ['RETRYCOUNT', '4'] : [])];
      },
      () => ['XAUTOCLAIM', pick(keys), pick(groups), pick(consumers), String(Math.floor(rnd() * 500)), '0', 'COUNT', '3'],
      () => ['XGROUP', 'DESTROY', pick(keys), pick(groups)],
      () => ['XSETID', pick(keys), `${clock.now() + 1000}-0`],
    ];
    for (let i = 0; i < 3000; i++) {
      if (blocked === null && rnd() < 0.02) {
        blocked = waiter.call('XREADGROUP', 'GROUP', pick(groups), pick(consumers), 'BLOCK', '0', 'STREAMS', pick(keys), '>').catch(() => null);
        await sleep(0);
      }
      const argv = pick(ops)();
      const reply = await call(...argv).catch(() => null);
      if (argv[0] === 'XADD' && typeof reply === 'string') {
        const k = String(argv[1]);
        if (!ids.has(k)) ids.set(k, []);
        ids.get(k)!.push(reply);
      }
      if (blocked !== null && rnd() < 0.2) {
        // Wake it for sure, then wait for its reply.
        for (const k of keys) await call('XADD', k, '*', 'wake', '1').catch(() => null);
        await blocked;
        blocked = null;
      }
      if (rnd() < 0.3) clock.advance(Math.floor(rnd() * 50));
    }
    if (blocked !== null) {
      await waiter.close();
      await blocked;
    }
    expect(log.length).toBeGreaterThan(2000);
    const finalTime = clock.now();

    const replayClock = new ManualClock(1_700_000_000_000);
    const replica = await inProcess({}, replayClock);
    try {
      const r = replica.conn;
      for (const m of log) {
        replayClock.ms = m.at;
        await r.call(...m.argv.map((s) => Buffer.from(s, 'latin1'))).catch((err) => {
          throw new Error(`replaying ${m.argv.join(' ')}: ${(err as Error).message}`);
        });
      }
      replayClock.ms = finalTime;
      let compared = 0;
      for (const k of keys) {
        const a = b.server!.ks.db(0).entry(k)?.value;
        const c = replica.server!.ks.db(0).entry(k)?.value;
        if (a === undefined) {
          expect(c).toBe(undefined);
          continue;
        }
        expect(c).toBeInstanceOf(StreamValue);
        expect([k, streamState(c as StreamValue, false, true)]).toEqual([k, streamState(a as StreamValue, false, true)]);
        // XINFO STREAM FULL as clients see it, seen-times aside.
        const norm = (x: any): any =>
          Array.isArray(x) ? x.map(norm) : x;
        const fa = norm(await b.conn.call('XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'));
        const fc = norm(await r.call('XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'));
        const dropSeen = (full: any[]) => {
          const o = obj(full);
          for (const g of o.groups) {
            const go = obj(g);
            for (const c of go.consumers) c[3] = 0;
          }
          return full;
        };
        expect(dropSeen(fc)).toEqual(dropSeen(fa));
        compared += (a as StreamValue).length;
        for (const g of (a as StreamValue).sortedGroups()) compared += g.pel.size;
      }
      expect(compared).toBeGreaterThan(40);
    } finally {
      await replica.close();
    }
  });

  it('used_memory grows with entries and shrinks with XDEL/XTRIM', async () => {
    const call = await setup();
    const used = async () => Number(/used_memory:(\d+)/.exec(String(await call('INFO', 'memory')))![1]);
    const base = await used();
    for (let i = 0; i < 2000; i++) await call('XADD', 's', '*', 'field', 'x'.repeat(100));
    const full = await used();
    expect(full - base).toBeGreaterThan(2000 * 100);
    expect(full - base).toBeLessThan(2000 * 600);
    const usage = await call('MEMORY', 'USAGE', 's');
    expect(usage).toBeGreaterThan(2000 * 100);
    await call('XTRIM', 's', 'MAXLEN', '1000');
    const half = await used();
    // Exact trimming leaves tombstones in the first node only.
    expect(half).toBeLessThan(full - 1000 * 100);
    const ids = (await call('XRANGE', 's', '-', '+', 'COUNT', '500')).map((e: any) => e[0]);
    await call('XDEL', 's', ...ids);
    expect(await used()).toBeLessThan(half - 400 * 100);
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    const beforeRead = await used();
    await call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    const afterRead = await used();
    expect(afterRead - beforeRead).toBeGreaterThan(500 * 50);
    await call('XGROUP', 'DESTROY', 's', 'g');
    expect(await used()).toBeLessThan(afterRead - 500 * 50);
  });

  it('COPY, RENAME, MOVE keep the stream whole and independent; DEL removes it', async () => {
    const call = await setup();
    await call('XADD', 's', '1-0', 'f', 'v');
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    await call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(await call('COPY', 's', 'd')).toBe(1);
    const orig = b.server!.ks.db(0).entry('s')!.value as StreamValue;
    const copy = b.server!.ks.db(0).entry('d')!.value as StreamValue;
    expect(streamState(copy, true)).toEqual(streamState(orig, true));
    await call('XACK', 'd', 'g', '1-0');
    await call('XADD', 'd', '2-0', 'f', 'v');
    expect(await call('XLEN', 's')).toBe(1);
    expect((await call('XPENDING', 's', 'g'))[0]).toBe(1);
    expect(await call('RENAME', 'd', 'e')).toBe('OK');
    expect(await call('XLEN', 'e')).toBe(2);
    expect(await call('MOVE', 'e', '1')).toBe(1);
    expect(await call('SCAN', '0', 'TYPE', 'stream')).toEqual(['0', ['s']]);
    expect(await call('DEL', 's')).toBe(1);
  });
});

describe.skipIf(!redisServerAvailable())('streams: DUMP and RESTORE against redis-server (RDB_TYPE_STREAM_LISTPACKS_2)', () => {
  let hoard: Backend;
  let redis: Backend;
  afterEach(async () => {
    await hoard?.close();
    await redis?.close();
  });

  async function both(...a: Arg[]): Promise<void> {
    const [x, y] = await Promise.all([hoard.conn.call(...a).catch((e: Error) => ({ error: e.message })), redis.conn.call(...a).catch((e: Error) => ({ error: e.message }))]);
    expect([a, x]).toEqual([a, y]);
  }

  async function build(): Promise<void> {
    for (let i = 1; i <= 260; i++) {
      const fv = i % 5 === 0 ? ['other', String(i * 1000), 'x', 'y'.repeat(i % 90)] : ['f', String(i - 100), 'name', i % 2 ? 'abc' : '12345678901234'];
      await both('XADD', 's', `${1_700_000_000_000 + i * 3}-${i % 4}`, ...fv);
    }
    await both('XDEL', 's', `${1_700_000_000_000 + 30}-2`, `${1_700_000_000_000 + 600}-0`);
    await both('XTRIM', 's', 'MINID', `${1_700_000_000_000 + 150}`);
    await both('XADD', 's', '1800000000000-5', 'bin', '\x00\xff\r\n');
    await both('XADD', 'e', '5-5', 'a', 'b');
    await both('XDEL', 'e', '5-5');
  }

  it('a stream built by the same commands dumps the same bytes; each side restores the other', async () => {
    const { realRedis } = await import('../helpers/backends.js');
    hoard = await inProcess();
    redis = await realRedis();
    await build();
    for (const key of ['s', 'e']) {
      const a = (await hoard.conn.callBuffer('DUMP', key)) as Buffer;
      const b = (await redis.conn.callBuffer('DUMP', key)) as Buffer;
      expect([key, a.toString('hex')]).toEqual([key, b.toString('hex')]);
    }
    // Groups, PELs and consumers: times differ between the servers, so restore across.
    await both('XGROUP', 'CREATE', 's', 'g1', '0');
    await both('XGROUP', 'CREATE', 's', '123', '$');
    await both('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '10', 'STREAMS', 's', '>');
    await both('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 's', '>');
    await both('XGROUP', 'CREATECONSUMER', 's', '123', 'idle');
    await both('XACK', 's', 'g1', `${1_700_000_000_000 + 153}-3`);
    const fromRedis = (await redis.conn.callBuffer('DUMP', 's')) as Buffer;
    const fromHoard = (await hoard.conn.callBuffer('DUMP', 's')) as Buffer;
    expect(await hoard.conn.call('RESTORE', 'r', '0', fromRedis)).toBe('OK');
    expect(await redis.conn.call('RESTORE', 'h', '0', fromHoard)).toBe('OK');
    const full = (b: Backend, k: string) => b.conn.call('XINFO', 'STREAM', k, 'FULL', 'COUNT', '0');
    expect(await full(hoard, 'r')).toEqual(await full(redis, 's'));
    expect(await full(redis, 'h')).toEqual(await full(hoard, 's'));
    // And what each restored dumps again is what it was given.
    expect(((await hoard.conn.callBuffer('DUMP', 'r')) as Buffer).equals(fromRedis)).toBe(true);
    expect(await hoard.conn.call('TYPE', 'r')).toBe('stream');
    // Corrupt payloads are refused.
    const broken = Buffer.from(fromRedis);
    broken[20] ^= 0xff;
    await expect(hoard.conn.call('RESTORE', 'x', '0', broken)).rejects.toThrow(/payload version or checksum are wrong|Bad data format/);
  });
});

describe.runIf(redisServerAvailable())('streams: raw RESP2/RESP3 bytes equal redis-server', () => {
  it('maps, nulls (bulk vs array), arrays and errors are byte-identical in both protocols', async () => {
    const { hoardTcp, realRedis } = await import('../helpers/backends.js');
    const h = await hoardTcp();
    const r = await realRedis();
    const hoard = await RawSocket.connect(h.port!);
    const real = await RawSocket.connect(r.port!);
    try {
      for (const proto of ['2', '3']) {
        const script: Arg[][] = [
          ['FLUSHALL'],
          ['XADD', 's', 'NOMKSTREAM', '1-1', 'a', 'b'],
          ['XRANGE', 's', '-', '+'],
          ['XINFO', 'STREAM', 's'],
          ['XADD', 's', '1-1', 'a', 'b', 'c', '12'],
          ['XADD', 's', '2-1', 'a', 'b', 'c', 'd'],
          ['XADD', 's', '3-1', 'x', '-5'],
          ['XRANGE', 's', '-', '+'],
          ['XRANGE', 's', '-', '+', 'COUNT', '0'],
          ['XREVRANGE', 's', '+', '-', 'COUNT', '1'],
          ['XLEN', 's'],
          ['XREAD', 'STREAMS', 's', '$'],
          ['XREAD', 'COUNT', '2', 'STREAMS', 's', 'nokey', '0', '0'],
          ['XGROUP', 'CREATE', 's', 'g', '0'],
          ['XPENDING', 's', 'g'],
          ['XINFO', 'GROUPS', 's'],
          ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'],
          ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
          ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
          ['XDEL', 's', '1-1'],
          ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'],
          ['XPENDING', 's', 'g'],
          ['XPENDING', 's', 'g', '-', '+', '0'],
          ['XCLAIM', 's', 'g', 'd', '0', '2-1', '3-1', 'JUSTID'],
          ['XAUTOCLAIM', 's', 'g', 'e', '0', '0', 'JUSTID'],
          ['XAUTOCLAIM', 's', 'g', 'e', '0', '0'],
          ['XACK', 's', 'g', '2-1', '3-1'],
          ['XINFO', 'STREAM', 's'],
          ['XINFO', 'GROUPS', 's'],
          ['XGROUP', 'CREATE', 's', 'g2', '$'],
          ['XINFO', 'GROUPS', 's'],
          ['XSETID', 's', '10-0', 'ENTRIESADDED', '10', 'MAXDELETEDID', '5-0'],
          ['XINFO', 'GROUPS', 's'],
          ['XTRIM', 's', 'MAXLEN', '0'],
          ['XINFO', 'STREAM', 's'],
          ['XGROUP', 'HELP'],
          ['XINFO', 'HELP'],
          ['XADD', 's', 'bad', 'a', 'b'],
          ['XGROUP', 'CREATE', 's', 'g', '0'],
          ['MULTI'],
          ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'],
          ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'],
          ['EXEC'],
        ];
        await hoard.send(['HELLO', proto]);
        await real.send(['HELLO', proto]);
        for (const cmd of script) {
          const want = await real.send(cmd);
          const got = await hoard.send(cmd);
          expect([proto, cmd, got]).toEqual([proto, cmd, want]);
        }
      }
    } finally {
      hoard.close();
      real.close();
      await h.close();
      await r.close();
    }
  });
});

commandSuite('streams: CLIENT UNBLOCK, timeouts, deleted keys', (t) => {
  it('CLIENT UNBLOCK ends a blocked XREAD as a timeout or with the UNBLOCKED error', async () => {
    const c1 = await t.connect();
    try {
      const id = await c1.call('CLIENT', 'ID');
      const p1 = track(c1.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      await sleep(30);
      expect(await t.call('CLIENT', 'UNBLOCK', id)).toBe(1);
      expect(await p1.promise).toBe(null);
      await t.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      const p2 = track(c1.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'));
      await sleep(30);
      expect(await t.call('CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(1);
      await expect(p2.promise).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      expect(await t.call('CLIENT', 'UNBLOCK', id)).toBe(0);
    } finally {
      await c1.close();
    }
  });

  it('BLOCK timeout limits', async () => {
    const c1 = await t.connect();
    try {
      // No upper limit in 7.0.15: the longest timeout blocks until served.
      const p = track(c1.call('XREAD', 'BLOCK', '9223372036854775807', 'STREAMS', 's', '$'));
      await sleep(50);
      expect(p.done).toBe(false);
      await t.call('XADD', 's', '1-1', 'a', 'b');
      expect(await p.promise).toEqual([['s', [['1-1', ['a', 'b']]]]]);
    } finally {
      await c1.close();
    }
    expect(await t.error('XREAD', 'BLOCK', '1.5', 'STREAMS', 's', '$')).toBe('ERR timeout is not an integer or out of range');
    expect(await t.error('XREAD', 'BLOCK', '-1', 'STREAMS', 's', '$')).toBe('ERR timeout is negative');
  });

  it('a blocked XREADGROUP whose key is deleted (DEL or expiry) gets the UNBLOCKED error; XREAD keeps waiting', async () => {
    await t.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await t.call('XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM');
    await t.call('PEXPIRE', 'e', 200);
    const [c1, c2, c3] = [await t.connect(), await t.connect(), await t.connect()];
    try {
      const p1 = track(c1.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'));
      const p2 = track(c2.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'));
      const p3 = track(c3.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'e', '>'));
      await sleep(30);
      await t.call('DEL', 's');
      await expect(p1.promise).rejects.toThrow('UNBLOCKED the stream key no longer exists');
      // An expired stream, deleted when a command finds it expired: its reader is told too.
      await sleep(250);
      expect(await t.call('EXISTS', 'e')).toBe(0);
      await expect(p3.promise).rejects.toThrow('UNBLOCKED the stream key no longer exists');
      expect(p2.done).toBe(false);
      await t.call('XADD', 's', '1-1', 'a', 'b');
      expect(await p2.promise).toEqual([['s', [['1-1', ['a', 'b']]]]]);
    } finally {
      await Promise.all([c1.close(), c2.close(), c3.close()]);
    }
  });
});
