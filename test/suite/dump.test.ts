// DUMP and RESTORE against every backend (in-process Hoard, Hoard over TCP, redis-server 7.0.15,
// where every expectation below was observed): round trips of every type and encoding size,
// REPLACE / BUSYKEY, TTL / ABSTTL / IDLETIME / FREQ, error replies and their order, wrong arity,
// WATCH. The suite runs with sanitize-dump-payload yes so that redis-server deep-checks payloads
// as Hoard always does. The in-process block checks what only Hoard exposes: the propagated
// mutations, the "restore" keyspace event, and that replaying the stream reproduces the keyspace.

import { describe, it, expect, afterEach } from 'vitest';
import { commandSuite, type SuiteContext } from '../helpers/suite.js';
import { inProcess, LocalConn, encodeArgs, type Arg, type Backend } from '../helpers/backends.js';
import { recordMutations, replay } from '../helpers/replay.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { crc64 } from '../../src/persistence/rdb-value.js';
import { dump as dumpKeyspace } from '../helpers/dump.js';

const BUSYKEY = 'BUSYKEY Target key name already exists.';
const BAD_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const BAD_FORMAT = 'ERR Bad data format';
const INVALID_TTL = 'ERR Invalid TTL value, must be >= 0';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const BIN = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x80, 0x00]);

/** A DUMP payload around object bytes: version (little-endian) + CRC-64. */
function payload(obj: number[] | Buffer, version = 10): Buffer {
  const body = Buffer.concat([Buffer.from(obj), Buffer.from([version & 0xff, version >> 8])]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

/** Everything a client can read of a key, type by type (sets and hashes sorted). */
async function read(t: SuiteContext, key: string): Promise<unknown> {
  const type = await t.call('TYPE', key);
  const enc = type === 'none' ? null : await t.call('OBJECT', 'ENCODING', key);
  let value: unknown;
  const sorted = (a: Buffer[]) => a.map((b) => b.toString('hex')).sort();
  if (type === 'string') value = (await t.callBuffer('GET', key)).toString('hex');
  else if (type === 'list') value = (await t.callBuffer('LRANGE', key, 0, -1)).map((b: Buffer) => b.toString('hex'));
  else if (type === 'set') value = sorted(await t.callBuffer('SMEMBERS', key));
  else if (type === 'hash') {
    const flat: Buffer[] = await t.callBuffer('HGETALL', key);
    const pairs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i].toString('hex')}=${flat[i + 1].toString('hex')}`);
    value = pairs.sort();
  } else if (type === 'zset') value = (await t.callBuffer('ZRANGE', key, 0, -1, 'WITHSCORES')).map((b: Buffer) => b.toString('latin1'));
  return { type, enc, value };
}

/** Builds `key` with the given commands, DUMPs it, RESTOREs it as `key`-copy: same reads. */
async function roundTrip(t: SuiteContext, key: string, build: Arg[][]): Promise<void> {
  for (const c of build) await t.call(...c);
  const p: Buffer = await t.callBuffer('DUMP', key);
  expect(Buffer.isBuffer(p)).toBe(true);
  const copy = `${key}-copy`;
  expect(await t.call('RESTORE', copy, 0, p)).toBe('OK');
  expect(await read(t, copy)).toEqual(await read(t, key));
  expect(await t.call('TTL', copy)).toBe(-1);
}

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

commandSuite(
  'dump: DUMP / RESTORE',
  (t) => {
    it('DUMP of a missing key is nil; wrong arity', async () => {
      expect(await t.call('DUMP', 'nope')).toBe(null);
      expect(await t.error('DUMP')).toBe("ERR wrong number of arguments for 'dump' command");
      expect(await t.error('DUMP', 'a', 'b')).toBe("ERR wrong number of arguments for 'dump' command");
      expect(await t.error('RESTORE', 'a', '0')).toBe("ERR wrong number of arguments for 'restore' command");
    });

    it('round-trips strings: small, integers, binary, long compressible and long random', async () => {
      const rnd = Buffer.alloc(3000);
      for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 7919 + (i >> 3)) & 0xff;
      await roundTrip(t, 's1', [['SET', 's1', 'hello']]);
      await roundTrip(t, 's2', [['SET', 's2', '-123']]);
      await roundTrip(t, 's3', [['SET', 's3', '9223372036854775807']]);
      await roundTrip(t, 's4', [['SET', 's4', BIN]]);
      await roundTrip(t, 's5', [['SET', 's5', 'abc'.repeat(1000)]]);
      await roundTrip(t, 's6', [['SET', 's6', rnd]]);
      await roundTrip(t, 's7', [['SET', 's7', '']]);
      await roundTrip(t, 's8', [['SET', 's8', 'x'.repeat(50)]]);
    });

    it('round-trips lists: small, several quicklist nodes, binary and big elements', async () => {
      await roundTrip(t, 'l1', [['RPUSH', 'l1', 'a', '1', '-70000', BIN]]);
      await roundTrip(t, 'l2', [['RPUSH', 'l2', ...range(3000, (i) => (i % 4 === 0 ? String(i * 1000003) : `element:${i}`))]]);
      await roundTrip(t, 'l3', [['LPUSH', 'l3', 'z'.repeat(20000), 'y', 'x'.repeat(9000)]]);
    });

    it('round-trips sets: intset, beyond the intset limit, strings', async () => {
      await roundTrip(t, 'i1', [['SADD', 'i1', '1', '-5', '70000', '5000000000']]);
      await roundTrip(t, 'i2', [['SADD', 'i2', ...range(600, (i) => String(i * 3))]]);
      await roundTrip(t, 'i3', [['SADD', 'i3', 'a', BIN, '12', 'x'.repeat(100)]]);
    });

    it('round-trips hashes: listpack and hashtable (by count and by value size)', async () => {
      await roundTrip(t, 'h1', [['HSET', 'h1', 'f', 'v', 'n', '12', BIN, BIN]]);
      await roundTrip(t, 'h2', [['HSET', 'h2', ...range(1100, (i) => (i % 2 === 0 ? `f${i}` : String(i)))]]);
      await roundTrip(t, 'h3', [['HSET', 'h3', 'f', 'v'.repeat(65)]]);
    });

    it('round-trips sorted sets: listpack and skiplist, every kind of score', async () => {
      await roundTrip(t, 'z1', [['ZADD', 'z1', '1', 'a', '-inf', 'b', 'inf', 'c', '1e-300', 'd', '-0', 'e', '0.1', BIN]]);
      await roundTrip(t, 'z2', [['ZADD', 'z2', ...range(400, (i) => (i % 2 === 0 ? String(i * 1.5 - 100) : `m${i}`))]]);
      await roundTrip(t, 'z3', [['ZADD', 'z3', '3', 'y'.repeat(70), '4', 'short']]);
    });

    it('BUSYKEY unless REPLACE; REPLACE swaps the type; options are case-insensitive', async () => {
      await t.call('SET', 'src', 'v');
      const p = await t.callBuffer('DUMP', 'src');
      expect(await t.error('RESTORE', 'src', 0, p)).toBe(BUSYKEY);
      await t.call('RPUSH', 'dst', 'a');
      expect(await t.error('RESTORE', 'dst', 0, p)).toBe(BUSYKEY);
      expect(await t.call('RESTORE', 'dst', 0, p, 'replace')).toBe('OK');
      expect(await t.call('GET', 'dst')).toBe('v');
      expect(await t.call('RESTORE', 'new', 0, p, 'REPLACE')).toBe('OK');
      expect(await t.call('GET', 'new')).toBe('v');
      // BUSYKEY comes before the TTL and payload checks.
      expect(await t.error('RESTORE', 'src', -1, 'junk')).toBe(BUSYKEY);
    });

    it('TTL: relative ms, 0 = none, ABSTTL, an elapsed ABSTTL creates nothing (and deletes with REPLACE)', async () => {
      await t.call('SET', 'src', 'v');
      const p = await t.callBuffer('DUMP', 'src');
      expect(await t.call('RESTORE', 'a', 5000, p)).toBe('OK');
      const pttl = await t.call('PTTL', 'a');
      expect(pttl).toBeGreaterThan(4000);
      expect(pttl).toBeLessThanOrEqual(5000);
      const at = Date.now() + 100_000;
      expect(await t.call('RESTORE', 'b', at, p, 'ABSTTL')).toBe('OK');
      expect(await t.call('PEXPIRETIME', 'b')).toBe(at);
      expect(await t.call('RESTORE', 'c', 1, p, 'ABSTTL')).toBe('OK');
      expect(await t.call('EXISTS', 'c')).toBe(0);
      expect(await t.call('RESTORE', 'src', 1000, p, 'ABSTTL', 'REPLACE')).toBe('OK');
      expect(await t.call('EXISTS', 'src')).toBe(0);
      expect(await t.call('RESTORE', 'd', 0, p, 'ABSTTL')).toBe('OK');
      expect(await t.call('TTL', 'd')).toBe(-1);
    });

    it('IDLETIME and FREQ', async () => {
      await t.call('SET', 'src', 'v');
      const p = await t.callBuffer('DUMP', 'src');
      expect(await t.call('RESTORE', 'a', 0, p, 'IDLETIME', 1000)).toBe('OK');
      const idle = await t.call('OBJECT', 'IDLETIME', 'a');
      expect(idle).toBeGreaterThanOrEqual(1000);
      expect(idle).toBeLessThan(1010);
      // FREQ is ignored under an LRU policy...
      expect(await t.call('RESTORE', 'b', 0, p, 'FREQ', 100)).toBe('OK');
      expect(await t.call('OBJECT', 'IDLETIME', 'b')).toBeLessThan(5);
      await t.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
      try {
        expect(await t.call('RESTORE', 'c', 0, p, 'FREQ', 100)).toBe('OK');
        expect(await t.call('OBJECT', 'FREQ', 'c')).toBe(100);
        // ...and IDLETIME under an LFU one (the key starts with a new key's counter).
        expect(await t.call('RESTORE', 'd', 0, p, 'IDLETIME', 50)).toBe('OK');
        expect(await t.call('OBJECT', 'FREQ', 'd')).toBe(5);
      } finally {
        await t.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      }
    });

    it('option and TTL errors, in Redis`s order', async () => {
      await t.call('SET', 'src', 'v');
      const p = await t.callBuffer('DUMP', 'src');
      expect(await t.error('RESTORE', 'k', -1, p)).toBe(INVALID_TTL);
      expect(await t.error('RESTORE', 'k', 'x', p)).toBe(NOT_INTEGER);
      expect(await t.error('RESTORE', 'k', 0, p, 'IDLETIME', -1)).toBe('ERR Invalid IDLETIME value, must be >= 0');
      expect(await t.error('RESTORE', 'k', 0, p, 'IDLETIME', 'x')).toBe(NOT_INTEGER);
      expect(await t.error('RESTORE', 'k', 0, p, 'FREQ', 256)).toBe('ERR Invalid FREQ value, must be >= 0 and <= 255');
      expect(await t.error('RESTORE', 'k', 0, p, 'FREQ', -1)).toBe('ERR Invalid FREQ value, must be >= 0 and <= 255');
      expect(await t.error('RESTORE', 'k', 0, p, 'FREQ', 1, 'IDLETIME', 1)).toBe(SYNTAX);
      expect(await t.error('RESTORE', 'k', 0, p, 'IDLETIME', 1, 'FREQ', 1)).toBe(SYNTAX);
      expect(await t.error('RESTORE', 'k', 0, p, 'IDLETIME')).toBe(SYNTAX);
      expect(await t.error('RESTORE', 'k', 0, p, 'NOPE')).toBe(SYNTAX);
      // Options are parsed before the key and TTL are looked at.
      expect(await t.error('RESTORE', 'src', -1, p, 'NOPE')).toBe(SYNTAX);
      // The TTL before the payload.
      expect(await t.error('RESTORE', 'k', -1, 'junk')).toBe(INVALID_TTL);
      expect(await t.call('EXISTS', 'k')).toBe(0);
    });

    it('payload errors: checksum, version, truncation, bad data, unsupported types', async () => {
      await t.call('RPUSH', 'src', 'a', 'b', 'c');
      const p: Buffer = await t.callBuffer('DUMP', 'src');
      expect(await t.error('RESTORE', 'k', 0, 'junk')).toBe(BAD_PAYLOAD);
      expect(await t.error('RESTORE', 'k', 0, '')).toBe(BAD_PAYLOAD);
      const flipped = Buffer.from(p);
      flipped[3] ^= 1;
      expect(await t.error('RESTORE', 'k', 0, flipped)).toBe(BAD_PAYLOAD);
      for (let n = 0; n < p.length; n += 3) expect(await t.error('RESTORE', 'k', 0, p.subarray(0, n))).toBe(BAD_PAYLOAD);
      const obj = p.subarray(0, p.length - 10);
      expect(await t.error('RESTORE', 'k', 0, payload(obj, 11))).toBe(BAD_PAYLOAD);
      expect(await t.call('RESTORE', 'k', 0, payload(obj, 9))).toBe('OK');
      expect(await t.error('RESTORE', 'k2', 0, payload(obj.subarray(0, obj.length - 1)))).toBe(BAD_FORMAT);
      // A set with a duplicate member, a hash with a duplicate field, an empty set.
      expect(await t.error('RESTORE', 'k3', 0, payload([2, 2, 1, 0x61, 1, 0x61]))).toBe(BAD_FORMAT);
      expect(await t.error('RESTORE', 'k3', 0, payload([4, 2, 1, 0x66, 1, 0x31, 1, 0x66, 1, 0x32]))).toBe(BAD_FORMAT);
      expect(await t.error('RESTORE', 'k3', 0, payload([2, 0]))).toBe(BAD_FORMAT);
      // An unknown type, a module type without its module.
      expect(await t.error('RESTORE', 'k3', 0, payload([8, 0]))).toBe(BAD_FORMAT);
      expect(await t.error('RESTORE', 'k3', 0, payload([7, 0]))).toBe(BAD_FORMAT);
      expect(await t.call('EXISTS', 'k2', 'k3')).toBe(0);
      // A failed RESTORE ... REPLACE leaves the old value alone.
      expect(await t.error('RESTORE', 'src', 0, payload([2, 0]), 'REPLACE')).toBe(BAD_FORMAT);
      expect(await t.call('LRANGE', 'src', 0, -1)).toEqual(['a', 'b', 'c']);
    });

    it('a payload from redis-server 7.0.15 restores everywhere', async () => {
      // SET s abcdefgh x8 + "-tail" on redis-server 7.0.15, then DUMP s (LZF-compressed).
      const p = Buffer.from('00c313404508616263646566676861e02e07042d7461696c0a0086a1cbb0d9da2a02', 'hex');
      expect(await t.call('RESTORE', 's', 0, p)).toBe('OK');
      expect(await t.call('GET', 's')).toBe('abcdefgh'.repeat(8) + '-tail');
      expect(await t.callBuffer('DUMP', 's')).toEqual(p);
    });

    it('RESTORE touches WATCHed keys', async () => {
      await t.call('SET', 'src', 'v');
      const p = await t.callBuffer('DUMP', 'src');
      const other = await t.connect();
      try {
        expect(await t.call('WATCH', 'w')).toBe('OK');
        expect(await other.call('RESTORE', 'w', 0, p)).toBe('OK');
        expect(await t.call('MULTI')).toBe('OK');
        expect(await t.call('GET', 'w')).toBe('QUEUED');
        expect(await t.call('EXEC')).toBe(null);
      } finally {
        await other.close();
      }
    });

    it('RESTORE of a list serves a client blocked on the key', async () => {
      await t.call('RPUSH', 'src', 'first', 'second');
      const p = await t.callBuffer('DUMP', 'src');
      const other = await t.connect();
      try {
        const popped = other.call('BLPOP', 'bl', 0);
        await t.call('PING');
        expect(await t.call('RESTORE', 'bl', 0, p)).toBe('OK');
        expect(await popped).toEqual(['bl', 'first']);
        expect(await t.call('LRANGE', 'bl', 0, -1)).toEqual(['second']);
      } finally {
        await other.close();
      }
    });

    it('COMMAND INFO matches Redis 7.0', async () => {
      const [dump, restore] = await t.call('COMMAND', 'INFO', 'dump', 'restore');
      expect(dump.slice(0, 6)).toEqual(['dump', 2, ['readonly'], 1, 1, 1]);
      expect(restore.slice(0, 6)).toEqual(['restore', -4, ['write', 'denyoom'], 1, 1, 1]);
      expect([...restore[6]].sort()).toEqual(['@dangerous', '@keyspace', '@slow', '@write']);
    });
  },
  { 'sanitize-dump-payload': 'yes' },
);

// ---- in-process only ------------------------------------------------------------------------

describe('dump: in-process', () => {
  let backend: Backend | undefined;
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });

  it('propagates RESTORE with an absolute expiry, ABSTTL and REPLACE; DEL for an elapsed one', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    backend = await inProcess({}, clock);
    const seen: string[][] = [];
    backend.server!.log.addObserver((_db, argv) => seen.push([...argv]));
    const c = backend.conn;
    await c.call('SET', 'src', 'v');
    const p: Buffer = await c.callBuffer('DUMP', 'src');
    const pl = p.toString('latin1');
    const expectLog = async (args: Arg[], want: string[][]) => {
      seen.length = 0;
      await c.call(...args).catch(() => undefined);
      expect([args.map(String), seen]).toEqual([args.map(String), want]);
    };
    const now = clock.now();
    await expectLog(['RESTORE', 'a', 0, p], [['RESTORE', 'a', '0', pl, 'ABSTTL', 'REPLACE']]);
    await expectLog(['RESTORE', 'b', 10_000, p], [['RESTORE', 'b', String(now + 10_000), pl, 'ABSTTL', 'REPLACE']]);
    await expectLog(['RESTORE', 'b', now + 5, p, 'ABSTTL', 'REPLACE', 'IDLETIME', 7], [['RESTORE', 'b', String(now + 5), pl, 'ABSTTL', 'REPLACE', 'IDLETIME', '7']]);
    await expectLog(['RESTORE', 'b', now - 5, p, 'ABSTTL', 'REPLACE'], [['DEL', 'b']]);
    await expectLog(['RESTORE', 'c', now - 5, p, 'ABSTTL'], []);
    await expectLog(['RESTORE', 'a', 0, p], []); // BUSYKEY
    await expectLog(['RESTORE', 'x', 0, 'junk'], []);
  });

  it('fires the "restore" keyspace event', async () => {
    backend = await inProcess();
    await backend.conn.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEg');
    const sub = new LocalConn(backend.server!);
    const frames: unknown[] = [];
    sub.tap = (v) => frames.push(v);
    sub.write(encodeArgs(['SUBSCRIBE', '__keyevent@0__:restore']));
    await backend.conn.call('SET', 'src', 'v');
    const p = await backend.conn.callBuffer('DUMP', 'src');
    await backend.conn.call('RESTORE', 'k', 0, p);
    await backend.conn.call('RESTORE', 'k', 0, p, 'REPLACE');
    expect(frames).toEqual([
      ['subscribe', '__keyevent@0__:restore', 1],
      ['message', '__keyevent@0__:restore', 'k'],
      ['message', '__keyevent@0__:restore', 'k'],
    ]);
    await sub.close();
  });

  it('replaying the propagated stream around RESTOREs gives the same keyspace', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    backend = await inProcess({}, clock);
    const log = recordMutations(backend, clock);
    const c = backend.conn;
    const payloads: Buffer[] = [];
    await c.call('SET', 's', 'x'.repeat(100));
    await c.call('RPUSH', 'l', ...range(2000, (i) => `e${i}`));
    await c.call('SADD', 'i', '1', '2', '3');
    await c.call('HSET', 'h', ...range(1200, (i) => `f${i}`));
    await c.call('ZADD', 'z', ...range(400, (i) => (i % 2 === 0 ? String(i / 7) : `m${i}`)));
    for (const k of ['s', 'l', 'i', 'h', 'z']) payloads.push(await c.callBuffer('DUMP', k));
    for (let i = 0; i < 60; i++) {
      const p = payloads[i % payloads.length];
      const key = `k${i % 13}`;
      const mode = i % 4;
      if (mode === 0) await c.call('RESTORE', key, 0, p, 'REPLACE');
      else if (mode === 1) await c.call('RESTORE', key, 300 + i * 10, p, 'REPLACE');
      else if (mode === 2) await c.call('RESTORE', key, clock.now() + (i % 3 === 0 ? -10 : 700), p, 'ABSTTL', 'REPLACE');
      else await c.call('RESTORE', key, 0, p).catch(() => undefined);
      if (i % 5 === 0) await c.call('DEL', `k${(i * 7) % 13}`);
      clock.advance(97);
    }
    const finalTime = clock.now();

    const replica = await replay(log, finalTime);
    try {
      const a = dumpKeyspace(backend.server!.ks, { now: finalTime });
      const b = dumpKeyspace(replica.server!.ks, { now: finalTime });
      expect(Object.keys(a[0] ?? {}).length).toBeGreaterThan(5);
      expect(b).toEqual(a);
      // The encodings are the loading side's, the same on both.
      for (const k of Object.keys(a[0])) {
        expect([k, await replica.conn.call('OBJECT', 'ENCODING', k)]).toEqual([k, await c.call('OBJECT', 'ENCODING', k)]);
      }
    } finally {
      await replica.close();
    }
  });

  it('RESTORE of a 100k-member sorted set payload (ZSET_2, as redis-server also writes it)', async () => {
    backend = await inProcess();
    const c = backend.conn;
    for (let i = 0; i < 100_000; i += 10_000) await c.call('ZADD', 'big', ...range(10_000, (j) => [String((i + j) * 0.37), `member:${i + j}`]).flat());
    const p: Buffer = await c.callBuffer('DUMP', 'big');
    expect(p[0]).toBe(5);
    const t0 = performance.now();
    expect(await c.call('RESTORE', 'copy', 0, p)).toBe('OK');
    const ms = performance.now() - t0;
    expect(await c.call('ZCARD', 'copy')).toBe(100_000);
    expect(await c.call('ZRANGE', 'copy', 0, -1, 'WITHSCORES')).toEqual(await c.call('ZRANGE', 'big', 0, -1, 'WITHSCORES'));
    console.log(`RESTORE of a 100k-member zset payload (${p.length} bytes): ${ms.toFixed(1)} ms in-process`);
  });
});
