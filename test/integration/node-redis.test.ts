// node-redis (the npm package `redis`, the official Node client) against Hoard over TCP, unchanged:
// issue #2 promises that redis-cli, ioredis, node-redis and redis-benchmark all work. Every test
// body also runs against a real redis-server 7.0 when one is installed, so the expected values
// are Redis's, not copied from our implementation.
//
// node-redis 6 speaks RESP3 by default (HELLO 3 in its handshake, then CLIENT SETINFO, and CLIENT
// MAINT_NOTIFICATIONS, whose errors it ignores); the data-type tests run in both RESP2 and RESP3,
// since the client turns both protocols' replies into the same JS values and a reply of the
// wrong RESP3 type (a flat array for a map, a string for a double) shows up as a wrong value.
// A smaller block runs node-redis 4 (the `redis-v4` alias), still the most deployed major:
// RESP2, executeIsolated, commandOptions({ isolated }), scan iterators that yield single keys.

import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { createClient, createClientPool, ErrorReply, WatchError, MultiErrorReply, RESP_TYPES, VerbatimString } from 'redis';
import { createClient as createClientV4, commandOptions, WatchError as WatchErrorV4, ErrorReply as ErrorReplyV4 } from 'redis-v4';
import { hoardTcp, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { sleep } from '../helpers/suite.js';

// The clients' types depend on their options (RESP version, type mapping); the tests only use
// what node-redis returns at run time, so one loose type serves every client made here.
type Client = any;

const BACKENDS: Array<[string, (overrides?: Record<string, string>) => Promise<Backend>]> = [['hoard', (o) => hoardTcp(o)]];
if (redisServerAvailable()) BACKENDS.push(['redis', (o) => realRedis(o)]);
else if (process.env.CI) throw new Error('redis-server must be installed in CI for the node-redis tests');

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** Polls `cond` until it holds (or fails the test after ~5 s). */
async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    const v = await p;
    throw new Error(`expected a rejection, got ${JSON.stringify(v)}`);
  } catch (err) {
    if ((err as Error).message.startsWith('expected a rejection')) throw err;
    return err as Error;
  }
}

const sortStrings = (a: string[]) => [...a].sort();

describe.each(BACKENDS)('node-redis against %s', (_name, start) => {
  let backend: Backend;
  const clients: Client[] = [];

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.close();
  });
  afterEach(async () => {
    // destroy() in node-redis 5+, disconnect() in 4.
    for (const c of clients.splice(0)) if (c.isOpen) await (c.destroy ? c.destroy() : c.disconnect().catch(() => {}));
    await backend.conn.call('CONFIG', 'SET', 'requirepass', '');
    await backend.conn.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await backend.conn.call('ACL', 'DELUSER', 'alice', 'bob');
    await backend.conn.call('FLUSHALL');
  });

  /** A connected node-redis client; no reconnects, so a failed handshake rejects connect(). */
  async function connect(opts: Record<string, unknown> = {}): Promise<Client> {
    const c: Client = createClient({ socket: { host: '127.0.0.1', port: backend.port, reconnectStrategy: false }, ...opts });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    return c;
  }

  /** A connected duplicate() of `c` (a subscriber, a blocking reader), closed after the test. */
  async function twin(c: Client): Promise<Client> {
    const d: Client = c.duplicate();
    d.on('error', () => {});
    clients.push(d);
    await d.connect();
    return d;
  }

  /** Whether the server still lists a connection with this id (CLIENT LIST from the helper connection). */
  async function serverHasClient(id: number): Promise<boolean> {
    const list: string = await backend.conn.call('CLIENT', 'LIST');
    return list.split('\n').some((l) => l.startsWith(`id=${id} `));
  }

  /** Waits until `n` connections are blocked in a command (flag b in CLIENT LIST). */
  async function blockedClients(n: number): Promise<void> {
    await until(`${n} blocked clients`, async () => {
      const list: string = await backend.conn.call('CLIENT', 'LIST');
      return list.split('\n').filter((l) => / flags=\S*b/.test(l)).length === n;
    });
  }

  describe.each([2, 3] as const)('RESP%i', (RESP) => {
    const conn = (opts: Record<string, unknown> = {}) => connect({ RESP, ...opts });

    it('handshake: the connection runs the requested protocol, with the client name set', async () => {
      const c = await conn({ name: 'worker-1' });
      expect(await c.clientGetName()).toBe('worker-1');
      const info: string = await c.sendCommand(['CLIENT', 'INFO']);
      expect(info).toMatch(new RegExp(` resp=${RESP}\\s*$`));
      expect(info).toMatch(/ name=worker-1 /);
      expect(await c.ping()).toBe('PONG');
      // The handshake's CLIENT SETINFO (Redis 7.2) is refused as redis-server 7.0 refuses it, and
      // node-redis ignores that error.
      expect((await rejection(c.sendCommand(['CLIENT', 'SETINFO', 'LIB-NAME', 'node-redis']))).message).toBe(
        "ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.",
      );
    });

    it('strings: SET with EX / NX / XX / GET, MSET / MGET, APPEND, ranges', async () => {
      const c = await conn();
      expect(await c.set('s', 'v1')).toBe('OK');
      expect(await c.set('s', 'v2', { NX: true })).toBeNull();
      expect(await c.set('s', 'v2', { XX: true, GET: true })).toBe('v1');
      expect(await c.set('s', 'v3', { condition: 'NX', GET: true })).toBe('v2');
      expect(await c.get('s')).toBe('v2');
      expect(await c.set('fresh', 'x', { condition: 'XX' })).toBeNull();
      expect(await c.get('fresh')).toBeNull();
      expect(await c.set('e', 'x', { expiration: { type: 'EX', value: 100 } })).toBe('OK');
      const ttl = await c.ttl('e');
      expect(ttl).toBeGreaterThan(95);
      expect(ttl).toBeLessThanOrEqual(100);
      expect(await c.set('e', 'y', { expiration: 'KEEPTTL' })).toBe('OK');
      expect(await c.ttl('e')).toBeGreaterThan(95);
      expect(await c.mSet({ a: '1', b: '2' })).toBe('OK');
      expect(await c.mGet(['a', 'b', 'nope'])).toEqual(['1', '2', null]);
      expect(await c.mSetNX({ a: 'x', c: '3' })).toBe(0);
      expect(await c.append('a', 'bc')).toBe(3);
      expect(await c.strLen('a')).toBe(3);
      expect(await c.getRange('a', 1, -1)).toBe('bc');
      expect(await c.setRange('a', 1, 'ZZZ')).toBe(4);
      expect(await c.getDel('a')).toBe('1ZZZ');
      expect(await c.exists(['a', 'b', 'e'])).toBe(2);
      expect(await c.get('a')).toBeNull();
      // Binary-safe values both ways.
      const bin = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);
      expect(await c.set('bin', bin)).toBe('OK');
      const back = await c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('bin');
      expect(Buffer.isBuffer(back)).toBe(true);
      expect(back.equals(bin)).toBe(true);
    });

    it('counters: INCR / DECR / INCRBY / INCRBYFLOAT and the not-an-integer error', async () => {
      const c = await conn();
      expect(await c.incr('n')).toBe(1);
      expect(await c.incrBy('n', 10)).toBe(11);
      expect(await c.decr('n')).toBe(10);
      expect(await c.decrBy('n', 4)).toBe(6);
      expect(await c.get('n')).toBe('6');
      expect(await c.incrByFloat('f', 1.5)).toBe('1.5');
      expect(await c.incrByFloat('f', 0.25)).toBe('1.75');
      await c.set('word', 'abc');
      expect((await rejection(c.incr('word'))).message).toBe('ERR value is not an integer or out of range');
      expect((await rejection(c.incrByFloat('word', 1))).message).toBe('ERR value is not a valid float');
    });

    it('hashes: hSet object form, hGetAll, hmGet, hIncrBy, hDel, hScanIterator over every field', async () => {
      const c = await conn();
      expect(await c.hSet('h', { a: '1', b: '2', c: '3' })).toBe(3);
      expect(await c.hSet('h', 'a', 'x')).toBe(0);
      expect(await c.hSet('h', new Map([['d', '4']]))).toBe(1);
      expect({ ...(await c.hGetAll('h')) }).toEqual({ a: 'x', b: '2', c: '3', d: '4' });
      expect({ ...(await c.hGetAll('missing')) }).toEqual({});
      expect(await c.hGet('h', 'b')).toBe('2');
      expect(await c.hmGet('h', ['a', 'zz', 'c'])).toEqual(['x', null, '3']);
      expect(await c.hIncrBy('h', 'b', 5)).toBe(7);
      expect(await c.hIncrByFloat('h', 'b', 0.5)).toBe('7.5');
      expect(await c.hExists('h', 'a')).toBe(1);
      expect(await c.hExists('h', 'zz')).toBe(0);
      expect(sortStrings(await c.hKeys('h'))).toEqual(['a', 'b', 'c', 'd']);
      expect(await c.hLen('h')).toBe(4);
      expect(await c.hSetNX('h', 'a', 'no')).toBe(0);
      expect(await c.hDel('h', ['a', 'c', 'zz'])).toBe(2);
      expect(sortStrings(await c.hVals('h'))).toEqual(['4', '7.5']);

      const big: Record<string, string> = {};
      // More fields than hash-max-listpack-entries (512), so HSCAN pages through a hash table.
      for (let i = 0; i < 700; i++) big[`field:${i}`] = `value:${i}`;
      await c.hSet('big', big);
      const seen: Record<string, string> = {};
      let pages = 0;
      for await (const entries of c.hScanIterator('big', { COUNT: 50 })) {
        pages++;
        for (const { field, value } of entries) seen[field] = value;
      }
      expect(seen).toEqual(big);
      expect(pages).toBeGreaterThan(1);
    });

    it('lists: pushes, pops, ranges, lPos, lInsert, lMove, lPop with a count', async () => {
      const c = await conn();
      expect(await c.lPush('l', ['a', 'b'])).toBe(2);
      expect(await c.rPush('l', 'c')).toBe(3);
      expect(await c.lRange('l', 0, -1)).toEqual(['b', 'a', 'c']);
      expect(await c.lIndex('l', -1)).toBe('c');
      expect(await c.lPos('l', 'a')).toBe(1);
      expect(await c.lPos('l', 'zz')).toBeNull();
      expect(await c.lInsert('l', 'BEFORE', 'c', 'x')).toBe(4);
      expect(await c.lMove('l', 'other', 'RIGHT', 'LEFT')).toBe('c');
      expect(await c.lLen('l')).toBe(3);
      expect(await c.lPop('l')).toBe('b');
      expect(await c.rPop('l')).toBe('x');
      await c.rPush('m', ['1', '2', '3', '4']);
      expect(await c.lPopCount('m', 3)).toEqual(['1', '2', '3']);
      expect(await c.lPopCount('nothing', 3)).toBeNull();
      expect(await c.lTrim('m', 1, 0)).toBe('OK');
      expect(await c.exists('m')).toBe(0);
      expect(await c.lPop('m')).toBeNull();
    });

    it('sets: add, members, membership, algebra, sScanIterator over every member', async () => {
      const c = await conn();
      expect(await c.sAdd('s1', ['a', 'b', 'c'])).toBe(3);
      expect(await c.sAdd('s1', 'a')).toBe(0);
      expect(await c.sAdd('s2', ['b', 'c', 'd'])).toBe(3);
      expect(sortStrings(await c.sMembers('s1'))).toEqual(['a', 'b', 'c']);
      expect(await c.sIsMember('s1', 'a')).toBe(1);
      expect(await c.sIsMember('s1', 'zz')).toBe(0);
      expect(await c.smIsMember('s1', ['a', 'zz'])).toEqual([1, 0]);
      expect(await c.sCard('s1')).toBe(3);
      expect(sortStrings(await c.sInter(['s1', 's2']))).toEqual(['b', 'c']);
      expect(sortStrings(await c.sUnion(['s1', 's2']))).toEqual(['a', 'b', 'c', 'd']);
      expect(await c.sDiff(['s1', 's2'])).toEqual(['a']);
      expect(await c.sInterCard(['s1', 's2'])).toBe(2);
      expect(await c.sRem('s1', ['a', 'zz'])).toBe(1);

      const members = Array.from({ length: 500 }, (_, i) => `member:${i}`);
      await c.sAdd('big', members);
      const seen = new Set<string>();
      for await (const page of c.sScanIterator('big', { COUNT: 40 })) for (const m of page) seen.add(m);
      expect(seen.size).toBe(500);
      expect(sortStrings([...seen])).toEqual(sortStrings(members));
    });

    it('sorted sets: zAdd with objects and options, zRangeWithScores, zRange BY SCORE / LEX / REV / LIMIT', async () => {
      const c = await conn();
      expect(await c.zAdd('z', [{ score: 1, value: 'one' }, { score: 2, value: 'two' }, { score: 3, value: 'three' }])).toBe(3);
      expect(await c.zAdd('z', { score: 2.5, value: 'two' }, { CH: true })).toBe(1);
      expect(await c.zAdd('z', { score: 0, value: 'two' }, { comparison: 'GT' })).toBe(0);
      expect(await c.zAdd('z', { score: 9, value: 'nine' }, { condition: 'XX' })).toBe(0);
      expect(await c.zRangeWithScores('z', 0, -1)).toEqual([
        { value: 'one', score: 1 },
        { value: 'two', score: 2.5 },
        { value: 'three', score: 3 },
      ]);
      expect(await c.zRange('z', 0, -1)).toEqual(['one', 'two', 'three']);
      expect(await c.zRange('z', '+inf', 2, { BY: 'SCORE', REV: true })).toEqual(['three', 'two']);
      expect(await c.zRange('z', '-inf', '+inf', { BY: 'SCORE', LIMIT: { offset: 1, count: 1 } })).toEqual(['two']);
      expect(await c.zRange('z', 0, 0, { REV: true })).toEqual(['three']);
      expect(await c.zRangeWithScores('z', '(1', 3, { BY: 'SCORE' })).toEqual([
        { value: 'two', score: 2.5 },
        { value: 'three', score: 3 },
      ]);
      expect(await c.zScore('z', 'two')).toBe(2.5);
      expect(await c.zScore('z', 'nope')).toBeNull();
      expect(await c.zmScore('z', ['one', 'nope'])).toEqual([1, null]);
      expect(await c.zIncrBy('z', 1, 'one')).toBe(2);
      expect(await c.zRank('z', 'one')).toBe(0);
      expect(await c.zRevRank('z', 'one')).toBe(2);
      expect(await c.zCard('z')).toBe(3);
      expect(await c.zCount('z', 2, 3)).toBe(3);
      expect(await c.zPopMin('z')).toEqual({ value: 'one', score: 2 });
      expect(await c.zPopMax('z')).toEqual({ value: 'three', score: 3 });
      expect(await c.zRem('z', ['two', 'nope'])).toBe(1);
      expect(await c.exists('z')).toBe(0);

      await c.zAdd('lex', ['a', 'b', 'c', 'd'].map((value) => ({ score: 0, value })));
      expect(await c.zRange('lex', '[b', '(d', { BY: 'LEX' })).toEqual(['b', 'c']);
      expect(await c.zRange('lex', '+', '-', { BY: 'LEX', REV: true, LIMIT: { offset: 0, count: 2 } })).toEqual(['d', 'c']);
      expect(await c.zAdd('inf', [{ score: -Infinity, value: 'low' }, { score: Infinity, value: 'high' }])).toBe(2);
      expect(await c.zRangeWithScores('inf', 0, -1)).toEqual([
        { value: 'low', score: -Infinity },
        { value: 'high', score: Infinity },
      ]);
    });

    it('zScanIterator returns every member with its score', async () => {
      const c = await conn();
      const want = new Map<string, number>();
      for (let i = 0; i < 300; i++) want.set(`m${i}`, i / 4);
      await c.zAdd('big', [...want].map(([value, score]) => ({ value, score })));
      const seen = new Map<string, number>();
      for await (const page of c.zScanIterator('big', { COUNT: 30 })) for (const { value, score } of page) seen.set(value, score);
      expect(seen).toEqual(want);
    });

    it('scanIterator walks every key, with MATCH and TYPE', async () => {
      const c = await conn();
      const keys = Array.from({ length: 250 }, (_, i) => `scan:${i}`);
      await c.mSet(keys.map((k) => [k, '1']));
      for (let i = 0; i < 20; i++) await c.hSet(`hash:${i}`, 'f', 'v');
      const seen = new Set<string>();
      for await (const page of c.scanIterator({ MATCH: 'scan:*', COUNT: 25 })) for (const k of page) seen.add(k);
      expect(sortStrings([...seen])).toEqual(sortStrings(keys));
      const hashes = new Set<string>();
      for await (const page of c.scanIterator({ TYPE: 'hash', COUNT: 100 })) for (const k of page) hashes.add(k);
      expect(hashes.size).toBe(20);
      expect([...hashes].every((k) => k.startsWith('hash:'))).toBe(true);
    });

    it('expiry: EXPIRE / PEXPIRE / EXPIREAT / PERSIST / TTL, and a key that expires', async () => {
      const c = await conn();
      await c.set('k', 'v');
      expect(await c.ttl('k')).toBe(-1);
      expect(await c.ttl('missing')).toBe(-2);
      expect(await c.expire('k', 100)).toBe(1);
      expect(await c.expire('missing', 100)).toBe(0);
      expect(await c.expire('k', 50, 'GT')).toBe(0);
      const pttl = await c.pTTL('k');
      expect(pttl).toBeGreaterThan(95_000);
      expect(pttl).toBeLessThanOrEqual(100_000);
      const at = Math.floor(Date.now() / 1000) + 1000;
      expect(await c.expireAt('k', at)).toBe(1);
      expect(await c.expireTime('k')).toBe(at);
      expect(await c.persist('k')).toBe(1);
      expect(await c.ttl('k')).toBe(-1);
      expect(await c.pExpire('k', 60)).toBe(1);
      await c.set('px', 'v', { PX: 60 });
      await sleep(150);
      expect(await c.get('k')).toBeNull();
      expect(await c.get('px')).toBeNull();
      expect(await c.exists(['k', 'px'])).toBe(0);
    });

    it('multi().exec(): results in order, a command error inside EXEC, EXECABORT, execAsPipeline', async () => {
      const c = await conn();
      expect(await c.multi().set('a', '1').incr('a').get('a').hSet('h', { f: 'v' }).exec()).toEqual(['OK', 2, '2', 1]);
      // A runtime error inside the transaction: the other commands ran.
      const err = await rejection(c.multi().set('s', 'x').lPush('s', 'y').get('s').exec());
      expect(err).toBeInstanceOf(MultiErrorReply);
      expect((err as any).errorIndexes).toEqual([1]);
      expect((err as any).replies[0]).toBe('OK');
      expect((err as any).replies[1].message).toBe(WRONGTYPE);
      expect((err as any).replies[2]).toBe('x');
      // A command rejected while queueing aborts the whole transaction (the caller sees that
      // command's error; the server answers EXEC with EXECABORT and runs nothing).
      const abort = await rejection(c.multi().set('t', '1').addCommand(['GET']).exec());
      expect(abort.message).toBe("ERR wrong number of arguments for 'get' command");
      expect(await c.exists('t')).toBe(0);
      expect(await c.multi().exec()).toEqual([]);
      expect(await c.multi().set('p', '1').get('p').execAsPipeline()).toEqual(['OK', '1']);
    });

    it('WATCH: an unchanged key commits; a key changed by another client aborts EXEC with a WatchError', async () => {
      const c = await conn();
      const other = await conn();
      await c.set('w', '0');
      expect(await c.watch('w')).toBe('OK');
      expect(await c.multi().incr('w').exec()).toEqual([1]);

      expect(await c.watch(['w', 'untouched'])).toBe('OK');
      await other.set('w', 'changed');
      const err = await rejection(c.multi().set('w', 'mine').exec());
      expect(err).toBeInstanceOf(WatchError);
      expect(await c.get('w')).toBe('changed');

      // UNWATCH forgets the watch: the next transaction commits.
      await c.watch('w');
      await other.set('w', 'again');
      expect(await c.unwatch()).toBe('OK');
      expect(await c.multi().set('w', 'mine').exec()).toEqual(['OK']);
      expect(await other.get('w')).toBe('mine');
    });

    it('auto-pipelining: many commands issued in one tick come back in order', async () => {
      const c = await conn();
      const n = 500;
      const incrs = await Promise.all(Array.from({ length: n }, () => c.incr('ctr')));
      expect(incrs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const mixed = await Promise.all([
        c.set('x', 'y'),
        c.get('x'),
        c.lPush('lst', ['1', '2']),
        c.get('nope'),
        c.hSet('hh', 'f', 'v'),
        c.hGetAll('hh'),
        c.get('lst').catch((e: Error) => e.message),
        c.ping(),
      ]);
      expect(mixed.map((v: unknown) => (v && typeof v === 'object' ? { ...v } : v))).toEqual(['OK', 'y', 2, null, 1, { f: 'v' }, WRONGTYPE, 'PONG']);
    });

    it('pub/sub: subscribe, pSubscribe and unsubscribe on a duplicate() connection', async () => {
      const c = await conn();
      const sub = await twin(c);
      const got: string[][] = [];
      const gotP: string[][] = [];
      const gotBuf: Buffer[] = [];
      await sub.subscribe(['news', 'other'], (message: string, channel: string) => got.push([channel, message]));
      await sub.pSubscribe('sport.*', (message: string, channel: string) => gotP.push([channel, message]));
      await sub.subscribe('bin', (message: Buffer) => gotBuf.push(message), true);
      expect({ ...(await c.pubSubNumSub(['news', 'nobody'])) }).toEqual({ news: 1, nobody: 0 });
      expect(sortStrings(await c.pubSubChannels())).toEqual(['bin', 'news', 'other']);
      expect(await c.pubSubNumPat()).toBe(1);

      expect(await c.publish('news', 'hello')).toBe(1);
      expect(await c.publish('sport.tennis', 'ace')).toBe(1);
      expect(await c.publish('bin', Buffer.from([1, 2, 0xff]))).toBe(1);
      expect(await c.publish('nobody', 'x')).toBe(0);
      await until('three messages', () => got.length === 1 && gotP.length === 1 && gotBuf.length === 1);
      expect(got).toEqual([['news', 'hello']]);
      expect(gotP).toEqual([['sport.tennis', 'ace']]);
      expect(gotBuf[0].equals(Buffer.from([1, 2, 0xff]))).toBe(true);

      await sub.unsubscribe('news');
      expect(await c.publish('news', 'dropped')).toBe(0);
      expect(await c.publish('other', 'kept')).toBe(1);
      await until('the message on other', () => got.length === 2);
      expect(got[1]).toEqual(['other', 'kept']);
      await sub.pUnsubscribe();
      expect(await c.pubSubNumPat()).toBe(0);
      await sub.unsubscribe();
      expect(await c.pubSubChannels()).toEqual([]);
      // Out of subscribed mode, the connection runs ordinary commands again.
      expect(String(await sub.set('after', '1'))).toBe('OK');
      expect(String(await c.get('after'))).toBe('1');
    });

    it('sharded pub/sub: sSubscribe / sPublish / sUnsubscribe', async () => {
      const c = await conn();
      const sub = await twin(c);
      const got: string[][] = [];
      await sub.sSubscribe('orders', (message: string, channel: string) => got.push([channel, message]));
      expect(await c.pubSubShardChannels()).toEqual(['orders']);
      expect({ ...(await c.pubSubShardNumSub(['orders'])) }).toEqual({ orders: 1 });
      expect(await c.sPublish('orders', 'o-1')).toBe(1);
      await until('a sharded message', () => got.length === 1);
      expect(got).toEqual([['orders', 'o-1']]);
      await sub.sUnsubscribe('orders');
      expect(await c.sPublish('orders', 'o-2')).toBe(0);
    });

    it('blocking pops on a duplicate() connection are woken by a push from another client', async () => {
      const c = await conn();
      const blocker = await twin(c);
      const popped = blocker.blPop(['q1', 'q2'], 0);
      await blockedClients(1);
      expect(await c.rPush('q2', ['job-1', 'job-2'])).toBe(2);
      expect(await popped).toEqual({ key: 'q2', element: 'job-1' });
      expect(await c.lRange('q2', 0, -1)).toEqual(['job-2']);

      const moved = blocker.blMove('src', 'dst', 'LEFT', 'RIGHT', 0);
      await blockedClients(1);
      await c.lPush('src', 'item');
      expect(await moved).toBe('item');
      expect(await c.lRange('dst', 0, -1)).toEqual(['item']);

      const zpop = blocker.bzPopMin('zq', 0);
      await blockedClients(1);
      await c.zAdd('zq', { score: 1.5, value: 'z' });
      expect(await zpop).toEqual({ key: 'zq', value: 'z', score: 1.5 });

      expect(await blocker.blPop('empty', 0.1)).toBeNull();
    });

    it('a client pool runs a blocking pop and the push that wakes it on separate connections', async () => {
      const pool: Client = createClientPool({ socket: { host: '127.0.0.1', port: backend.port, reconnectStrategy: false }, RESP } as any, { minimum: 1, maximum: 3 });
      pool.on('error', () => {});
      await pool.connect();
      try {
        const popped = pool.brPop('poolq', 5);
        await blockedClients(1);
        expect(await pool.lPush('poolq', 'v')).toBe(1);
        expect(await popped).toEqual({ key: 'poolq', element: 'v' });
      } finally {
        pool.destroy();
      }
    });

    it('database option / SELECT: keys live in the selected database', async () => {
      const c = await conn();
      const d3 = await conn({ database: 3 });
      expect(await d3.set('dbkey', 'three')).toBe('OK');
      expect(await c.get('dbkey')).toBeNull();
      expect(await d3.sendCommand(['CLIENT', 'INFO'])).toMatch(/ db=3 /);
      await c.select(3);
      expect(await c.get('dbkey')).toBe('three');
      expect(await c.move('dbkey', 0)).toBe(1);
      expect(await d3.get('dbkey')).toBeNull();
      // A duplicate() connects to the same database.
      const dup = await twin(d3);
      await dup.set('dupkey', '1');
      expect(await d3.get('dupkey')).toBe('1');
    });

    it('sendCommand runs raw commands; replies keep their RESP shape', async () => {
      const c = await conn();
      expect(await c.sendCommand(['SET', 'raw', '1', 'NX'])).toBe('OK');
      expect(await c.sendCommand(['SET', 'raw', '2', 'NX'])).toBeNull();
      expect(await c.sendCommand(['INCRBY', 'raw', '41'])).toBe(42);
      await c.hSet('rh', { f: 'v' });
      const all = await c.sendCommand(['HGETALL', 'rh']);
      if (RESP === 3) expect({ ...all }).toEqual({ f: 'v' });
      else expect(all).toEqual(['f', 'v']);
      await c.zAdd('rz', { score: 1.5, value: 'a' });
      expect(await c.sendCommand(['ZSCORE', 'rz', 'a'])).toBe(RESP === 3 ? 1.5 : '1.5');
      expect(await c.sendCommand(['OBJECT', 'ENCODING', 'raw'])).toBe('int');
    });

    it('errors reach the caller with the server text, and the connection stays usable', async () => {
      const c = await conn();
      await c.hSet('h', 'f', 'v');
      const wrong = await rejection(c.get('h'));
      expect(wrong).toBeInstanceOf(ErrorReply);
      expect(wrong.message).toBe(WRONGTYPE);
      expect((await rejection(c.lPush('h', 'x'))).message).toBe(WRONGTYPE);
      expect((await rejection(c.sendCommand(['NOSUCHCMD', 'a', 'b']))).message).toBe(
        "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' ",
      );
      expect((await rejection(c.sendCommand(['GET']))).message).toBe("ERR wrong number of arguments for 'get' command");
      expect((await rejection(c.sendCommand(['CLIENT', 'NOSUCH']))).message).toBe(
        "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.",
      );
      expect((await rejection(c.expire('h', 10, 'BOGUS' as any))).message).toMatch(/^ERR Unsupported option BOGUS$/);
      expect(await c.ping()).toBe('PONG');
    });

    it('ACL user: username/password in the handshake, and in a redis:// URL with a database', async () => {
      const admin = await conn();
      expect(await admin.aclSetUser('alice', ['on', '>alicepw', '~*', '&*', '+@all'])).toBe('OK');
      const alice = await conn({ username: 'alice', password: 'alicepw' });
      expect(await alice.aclWhoAmI()).toBe('alice');
      expect(await alice.set('k', 'v')).toBe('OK');
      const viaUrl = await connect({ RESP, url: `redis://alice:alicepw@127.0.0.1:${backend.port}/2` });
      expect(await viaUrl.aclWhoAmI()).toBe('alice');
      expect(await viaUrl.get('k')).toBeNull();
      expect(await viaUrl.sendCommand(['CLIENT', 'INFO'])).toMatch(/ db=2 .* user=alice /);
      const bad = await rejection(conn({ username: 'alice', password: 'wrong' }));
      expect(bad.message).toBe('WRONGPASS invalid username-password pair or user is disabled.');
      // A user without the permission for a command gets NOPERM with the command's name.
      await admin.aclSetUser('alice', ['-set']);
      expect((await rejection(alice.set('k', 'v2'))).message).toBe(
        "NOPERM this user has no permissions to run the 'set' command",
      );
      // Key and channel permissions.
      await admin.aclSetUser('alice', ['resetkeys', '~app:*', 'resetchannels', '&news']);
      expect(await alice.get('app:1')).toBeNull();
      expect((await rejection(alice.get('other'))).message).toBe('NOPERM this user has no permissions to access one of the keys used as arguments');
      const sub = await twin(alice);
      expect((await rejection(sub.subscribe('secret', () => {}))).message).toBe(
        'NOPERM this user has no permissions to access one of the channels used as arguments',
      );
      const got: string[] = [];
      await sub.subscribe('news', (m: string) => got.push(m));
      expect(await admin.publish('news', 'allowed')).toBe(1);
      await until('the allowed message', () => got.length === 1);
      expect(got).toEqual(['allowed']);
    });

    it('aclGetUser, aclLog, aclCat, role and memoryStats parse the positional RESP2 / map RESP3 replies', async () => {
      const c = await conn();
      await c.aclLogReset();
      await c.aclSetUser('bob', ['on', '>bobpw', '~cache:*', '&events', '+get', '+@hash']);
      const u = await c.aclGetUser('bob');
      expect(u.flags).toEqual(['on']);
      expect(u.passwords).toHaveLength(1);
      expect(u.passwords[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(u.keys).toBe('~cache:*');
      expect(u.channels).toBe('&events');
      expect(u.commands).toMatch(/^-@all \+@hash \+get$|^-@all \+get \+@hash$/);
      expect(u.selectors).toEqual([]);
      expect(await c.aclGetUser('nobody')).toBeNull();
      expect(await c.aclCat()).toContain('keyspace');
      expect(await c.aclCat('hash')).toContain('hset');

      const bob = await conn({ username: 'bob', password: 'bobpw' });
      await rejection(bob.get('other'));
      await rejection(bob.set('cache:1', 'x'));
      const log = await c.aclLog();
      expect(log).toHaveLength(2);
      expect(log[0]).toMatchObject({ count: 1, reason: 'command', context: 'toplevel', object: 'set', username: 'bob' });
      expect(log[1]).toMatchObject({ count: 1, reason: 'key', context: 'toplevel', object: 'other', username: 'bob' });
      expect(typeof log[0]['age-seconds']).toBe('number');
      expect(log[0]['client-info']).toMatch(/^id=\d+ addr=127\.0\.0\.1:\d+ /);
      expect(await c.aclLog(1)).toHaveLength(1);
      await c.aclDelUser('bob');

      expect(await c.role()).toEqual({ role: 'master', replicationOffest: expect.any(Number), replicas: [] });
      const stats = await c.memoryStats();
      const get = (k: string) => (stats instanceof Map ? stats.get(k) : stats[k]);
      expect(typeof get('peak.allocated')).toBe('number');
      expect(typeof get('keys.count')).toBe('number');
      expect(typeof get('dataset.percentage')).toBe('number');
    });

    it('requirepass: the password authenticates the default user; without it commands are refused', async () => {
      const admin = await conn();
      expect(await admin.configSet('requirepass', 's3cret')).toBe('OK');
      const ok = await conn({ password: 's3cret' });
      expect(await ok.aclWhoAmI()).toBe('default');
      expect(await ok.ping()).toBe('PONG');
      if (RESP === 3) {
        // HELLO 3 without AUTH is refused before authentication, so connect() fails.
        const err = await rejection(conn());
        expect(err.message).toMatch(/^NOAUTH HELLO must be called with the client already authenticated/);
      } else {
        const anon = await conn();
        expect((await rejection(anon.get('k'))).message).toBe('NOAUTH Authentication required.');
        expect(await anon.auth({ password: 's3cret' })).toBe('OK');
        expect(await anon.get('k')).toBeNull();
      }
      expect((await rejection(conn({ password: 'nope' }))).message).toBe(
        'WRONGPASS invalid username-password pair or user is disabled.',
      );
    });

    it('streams: xAdd, xRange, xRead, consumer groups, xPending, xAutoClaim, xInfo', async () => {
      const c = await conn();
      expect(await c.xAdd('st', '1-1', { a: '1' })).toBe('1-1');
      const id2: string = await c.xAdd('st', '*', { b: '2', c: '3' });
      expect(id2).toMatch(/^\d+-0$/);
      const e1 = { id: '1-1', message: { a: '1' } };
      const e2 = { id: id2, message: { b: '2', c: '3' } };
      expect(await c.xLen('st')).toBe(2);
      expect(await c.xRange('st', '-', '+')).toEqual([e1, e2]);
      expect(await c.xRevRange('st', '+', '-', { COUNT: 1 })).toEqual([e2]);
      expect(await c.xRead([{ key: 'st', id: '0' }, { key: 'none', id: '0' }], { COUNT: 1 })).toEqual([{ name: 'st', messages: [e1] }]);
      expect(await c.xRead({ key: 'st', id: id2 })).toBeNull();

      expect(await c.xGroupCreate('st', 'g', '0')).toBe('OK');
      expect(await c.xGroupCreate('made', 'g', '$', { MKSTREAM: true })).toBe('OK');
      expect(await c.xReadGroup('g', 'alice', { key: 'st', id: '>' }, { COUNT: 10 })).toEqual([{ name: 'st', messages: [e1, e2] }]);
      const pending = await c.xPending('st', 'g');
      expect(pending).toEqual({ pending: 2, firstId: '1-1', lastId: id2, consumers: [{ name: 'alice', deliveriesCounter: 2 }] });
      const range = await c.xPendingRange('st', 'g', '-', '+', 10);
      expect(range.map((p: any) => [p.id, p.consumer, p.deliveriesCounter])).toEqual([
        ['1-1', 'alice', 1],
        [id2, 'alice', 1],
      ]);
      expect(typeof range[0].millisecondsSinceLastDelivery).toBe('number');
      expect(await c.xAck('st', 'g', '1-1')).toBe(1);
      expect(await c.xAutoClaim('st', 'g', 'bob', 0, '0-0')).toEqual({ nextId: '0-0', messages: [e2], deletedMessages: [] });
      expect(await c.xClaimJustId('st', 'g', 'alice', 0, [id2])).toEqual([id2]);

      const groups = await c.xInfoGroups('st');
      expect(groups).toHaveLength(1);
      expect({ ...groups[0] }).toEqual({ name: 'g', consumers: 2, pending: 1, 'last-delivered-id': id2, 'entries-read': 2, lag: 0 });
      const consumers = await c.xInfoConsumers('st', 'g');
      expect(consumers.map((x: any) => [x.name, x.pending])).toEqual([
        ['alice', 1],
        ['bob', 0],
      ]);
      const info = await c.xInfoStream('st');
      const get = (k: string) => (info instanceof Map ? info.get(k) : info[k]);
      expect(get('length')).toBe(2);
      expect(get('groups')).toBe(1);
      expect(get('last-generated-id')).toBe(id2);
      expect(get('first-entry')).toEqual(e1);
      expect(get('last-entry')).toEqual(e2);
      expect(await c.xTrim('st', 'MAXLEN', 1)).toBe(1);
      expect(await c.xDel('st', [id2, '9-9'])).toBe(1);
      expect(await c.xLen('st')).toBe(0);
    });

    it('blocking stream reads on a duplicate() connection are woken by xAdd', async () => {
      const c = await conn();
      const reader = await twin(c);
      const read = reader.xRead({ key: 'bs', id: '$' }, { BLOCK: 0 });
      await blockedClients(1);
      await c.xAdd('bs', '5-1', { x: '1' });
      expect(await read).toEqual([{ name: 'bs', messages: [{ id: '5-1', message: { x: '1' } }] }]);

      await c.xGroupCreate('bs', 'grp', '$');
      const grouped = reader.xReadGroup('grp', 'c1', { key: 'bs', id: '>' }, { BLOCK: 0, COUNT: 1 });
      await blockedClients(1);
      await c.xAdd('bs', '6-1', { y: '2' });
      expect(await grouped).toEqual([{ name: 'bs', messages: [{ id: '6-1', message: { y: '2' } }] }]);
      expect(await reader.xRead({ key: 'bs', id: '$' }, { BLOCK: 50 })).toBeNull();
    });

    it('random members with values and scores, set operations with scores', async () => {
      const c = await conn();
      await c.hSet('h', { a: '1', b: '2' });
      const fields = await c.hRandFieldCountWithValues('h', 5);
      expect(fields.map((f: any) => `${f.field}=${f.value}`).sort()).toEqual(['a=1', 'b=2']);
      await c.zAdd('z1', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]);
      await c.zAdd('z2', [{ score: 10, value: 'b' }, { score: 20, value: 'c' }]);
      const members = await c.zRandMemberCountWithScores('z1', 5);
      expect([...members].sort((x: any, y: any) => x.score - y.score)).toEqual([
        { value: 'a', score: 1 },
        { value: 'b', score: 2 },
      ]);
      expect(await c.zUnionWithScores(['z1', 'z2'])).toEqual([
        { value: 'a', score: 1 },
        { value: 'b', score: 12 },
        { value: 'c', score: 20 },
      ]);
      expect(await c.zInterWithScores([{ key: 'z1', weight: 2 }, { key: 'z2', weight: 1 }], { AGGREGATE: 'MAX' })).toEqual([
        { value: 'b', score: 10 },
      ]);
      expect(await c.zDiff(['z1', 'z2'])).toEqual(['a']);
      expect(await c.zRangeStore('dst', 'z2', 0, 0)).toBe(1);
      expect(await c.zmPop(['none', 'z2'], 'MAX')).toEqual({ key: 'z2', members: [{ value: 'c', score: 20 }] });
      expect(await c.lmPop(['none'], 'LEFT')).toBeNull();
    });

    it('keys and server commands: TYPE, RENAME, COPY, DUMP/RESTORE, SORT, INFO, CONFIG GET, TIME, DBSIZE', async () => {
      const c = await conn();
      await c.set('a', '1');
      await c.rPush('l', ['3', '1', '2']);
      expect(await c.type('a')).toBe('string');
      expect(await c.type('l')).toBe('list');
      expect(await c.type('none')).toBe('none');
      expect(await c.rename('a', 'b')).toBe('OK');
      expect(await c.renameNX('b', 'l')).toBe(0);
      expect(await c.copy('b', 'c')).toBe(1);
      expect(await c.dbSize()).toBe(3);
      expect(await c.sort('l')).toEqual(['1', '2', '3']);
      expect(await c.sort('l', { DIRECTION: 'DESC', LIMIT: { offset: 0, count: 2 } })).toEqual(['3', '2']);
      const bin = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      const dumped = await bin.dump('l');
      expect(Buffer.isBuffer(dumped)).toBe(true);
      expect(await c.restore('l2', 0, dumped)).toBe('OK');
      expect(await c.lRange('l2', 0, -1)).toEqual(['3', '1', '2']);
      expect((await rejection(c.restore('l2', 0, dumped))).message).toBe('BUSYKEY Target key name already exists.');
      expect(await c.objectEncoding('b')).toBe('int');
      expect(await c.touch(['b', 'c', 'none'])).toBe(2);
      expect(await c.unlink(['b', 'c'])).toBe(2);
      const info: string = await c.info('server');
      expect(info).toMatch(/^# Server\r\n/);
      expect(info).toMatch(/\r\nredis_version:\d+\.\d+\.\d+\r\n/);
      expect({ ...(await c.configGet('maxmemory-policy')) }).toEqual({ 'maxmemory-policy': 'noeviction' });
      const [secs, micros] = await c.time();
      expect(Math.abs(Number(secs) - Date.now() / 1000)).toBeLessThan(5);
      expect(Number(micros)).toBeLessThan(1_000_000);
      expect(await c.flushDb()).toBe('OK');
      expect(await c.dbSize()).toBe(0);
    });

    it('geo, HyperLogLog and bitmaps through the typed helpers', async () => {
      const c = await conn();
      expect(
        await c.geoAdd('g', [
          { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' },
          { longitude: 15.087269, latitude: 37.502669, member: 'Catania' },
        ]),
      ).toBe(2);
      expect(await c.geoDist('g', 'Palermo', 'Catania', 'km')).toBeCloseTo(166.2742, 3);
      const [pos, none] = await c.geoPos('g', ['Palermo', 'nowhere']);
      expect(Number(pos.longitude)).toBeCloseTo(13.361389, 5);
      expect(Number(pos.latitude)).toBeCloseTo(38.115556, 5);
      expect(none).toBeNull();
      expect(await c.geoSearch('g', { longitude: 15, latitude: 37 }, { radius: 100, unit: 'km' })).toEqual(['Catania']);
      const near = await c.geoSearchWith('g', 'Palermo', { radius: 200, unit: 'km' }, ['WITHDIST'], { SORT: 'ASC' });
      expect(near.map((m: any) => m.member)).toEqual(['Palermo', 'Catania']);
      expect(Number(near[1].distance)).toBeCloseTo(166.2742, 3);

      expect(await c.pfAdd('hll', ['a', 'b', 'c', 'a'])).toBe(1);
      expect(await c.pfCount('hll')).toBe(3);

      expect(await c.setBit('bits', 7, 1)).toBe(0);
      expect(await c.getBit('bits', 7)).toBe(1);
      expect(await c.bitCount('bits')).toBe(1);
      expect(await c.bitPos('bits', 1)).toBe(7);
      expect(await c.get('bits')).toBe('\u0001');
    });

    it('CLIENT INFO / CLIENT LIST parse into the fields node-redis reads', async () => {
      const c = await conn({ name: 'lister', database: 2 });
      const id: number = await c.clientId();
      const info = await c.clientInfo();
      expect(info).toMatchObject({ id, name: 'lister', db: 2, flags: 'N', sub: 0, psub: 0, multi: -1, user: 'default', cmd: 'client|info', resp: RESP });
      for (const k of ['fd', 'age', 'idle', 'qbuf', 'qbufFree', 'argvMem', 'obl', 'oll', 'omem', 'totMem', 'ssub', 'multiMem', 'redir']) {
        expect(Number.isInteger(info[k]), k).toBe(true);
      }
      expect(info.addr).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(info.laddr).toBe(`127.0.0.1:${backend.port}`);
      const list = await c.clientList();
      const me = list.find((x: any) => x.id === id);
      expect(me).toMatchObject({ name: 'lister', db: 2, cmd: 'client|list' });
      const sub = await twin(c);
      await sub.subscribe('x', () => {});
      const pubsub = await c.clientList({ TYPE: 'PUBSUB' });
      expect(pubsub.map((x: any) => [x.name, x.sub])).toEqual([['lister', 1]]);
      expect((await c.clientList({ ID: [String(id)] })).map((x: any) => x.id)).toEqual([id]);
    });

    it('monitor() delivers one formatted line per command', async () => {
      const c = await conn();
      const mon = await twin(c);
      const lines: string[] = [];
      await mon.monitor((line: string) => lines.push(String(line)));
      await c.set('mk', 'm v');
      // The arguments as the client sent them (node-redis sends command names in capitals).
      await until('the monitored SET', () => lines.some((l) => l.includes('"SET"')));
      const line = lines.find((l) => l.includes('"SET"'))!;
      expect(line).toMatch(/^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "mk" "m v"$/);
    });

    it('reconnects after the server kills its connection: database, name and subscriptions come back', async () => {
      const admin = await conn();
      const socket = { host: '127.0.0.1', port: backend.port, reconnectStrategy: 20 };
      const c = await conn({ database: 4, name: 'phoenix', socket });
      let reconnects = 0;
      c.on('reconnecting', () => reconnects++);
      await c.set('k', 'v');
      const id: number = await c.clientId();
      expect(await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(id)])).toBe(1);
      await until('the reconnect', () => reconnects >= 1 && c.isReady);
      expect(await c.clientId()).not.toBe(id);
      expect(await c.get('k')).toBe('v');
      expect(await c.clientGetName()).toBe('phoenix');

      const sub = await twin(c);
      const subId: number = await sub.clientId();
      const got: string[] = [];
      await sub.subscribe('ch', (m: string) => got.push(m));
      await sub.pSubscribe('p.*', (m: string) => got.push(m));
      let subReconnects = 0;
      sub.on('reconnecting', () => subReconnects++);
      expect(await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(subId)])).toBe(1);
      await until('the subscriber back on both channels', async () => subReconnects >= 1 && (await admin.pubSubNumPat()) === 1 && (await admin.pubSubNumSub('ch')).ch === 1);
      expect(await admin.publish('ch', 'after')).toBe(1);
      expect(await admin.publish('p.x', 'pattern')).toBe(1);
      await until('both messages', () => got.length === 2);
      expect(got).toEqual(['after', 'pattern']);
    });

    it('keyspace notifications reach a node-redis subscriber (set, del, expired)', async () => {
      const c = await conn();
      expect(await c.configSet('notify-keyspace-events', 'KEA')).toBe('OK');
      const sub = await twin(c);
      const events: string[][] = [];
      await sub.pSubscribe('__keyspace@0__:user:*', (event: string, channel: string) => events.push([channel, event]));
      const expired: string[] = [];
      await sub.subscribe('__keyevent@0__:expired', (key: string) => expired.push(key));
      await c.set('user:1', 'a');
      await c.del('user:1');
      await c.set('soon', '1', { PX: 20 });
      await until('the events', () => events.length === 2 && expired.length === 1);
      expect(events).toEqual([
        ['__keyspace@0__:user:1', 'set'],
        ['__keyspace@0__:user:1', 'del'],
      ]);
      expect(expired).toEqual(['soon']);
    });

    it('large values, multi-byte text and a big pipeline of large values round-trip intact', async () => {
      const c = await conn();
      const huge = 'x'.repeat(4 * 1024 * 1024) + 'end';
      expect(await c.set('huge', huge)).toBe('OK');
      expect(await c.strLen('huge')).toBe(huge.length);
      expect(await c.get('huge')).toBe(huge);
      expect(await c.set('utf8', 'héllo 🌍')).toBe('OK');
      expect(await c.strLen('utf8')).toBe(11);
      expect(await c.get('utf8')).toBe('héllo 🌍');
      const keys = Array.from({ length: 200 }, (_, i) => `v${i}`);
      const vals = keys.map((_, i) => `${i}:`.padEnd(20_000, String.fromCharCode(97 + (i % 26))));
      expect(await Promise.all(keys.map((k, i) => c.set(k, vals[i])))).toEqual(keys.map(() => 'OK'));
      expect(await c.mGet(keys)).toEqual(vals);
      const members = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
      expect(await c.sAdd('many', members)).toBe(20_000);
      expect(await c.sCard('many')).toBe(20_000);
    });

    it('connects over a Unix socket', async () => {
      const sock = path.join(os.tmpdir(), `hoard-nr-${process.pid}-${RESP}-${Math.random().toString(36).slice(2)}.sock`);
      const other = await start({ unixsocket: sock });
      try {
        const c = await connect({ RESP, socket: { path: sock, reconnectStrategy: false } });
        expect(await c.set('k', 'unix')).toBe('OK');
        expect(await c.get('k')).toBe('unix');
        const info = await c.clientInfo();
        expect(info.addr).toBe(`${sock}:0`);
        expect(info.flags).toBe('U');
        expect(info.resp).toBe(RESP);
        c.destroy();
      } finally {
        await other.close();
      }
    });

    it('reset() leaves MONITOR, pub/sub, the selected database and WATCH, then redoes the handshake', async () => {
      const c = await conn({ name: 'resettable', database: 1 });
      const other = await conn({ database: 1 });
      // A raw SELECT, which node-redis does not track: RESET puts the connection back in
      // database 0 and the handshake selects the configured database 1 again.
      await c.sendCommand(['SELECT', '6']);
      await c.watch('w');
      expect((await c.clientInfo()).db).toBe(6);
      await other.set('w', 'changed');
      await c.reset();
      expect(await c.clientInfo()).toMatchObject({ db: 1, name: 'resettable', resp: RESP, flags: 'N' });
      // The server forgot the WATCH: this transaction commits.
      expect(await c.multi().set('w', 'mine').exec()).toEqual(['OK']);
      expect(await other.get('w')).toBe('mine');
      expect(await c.set('k', 'v')).toBe('OK');

      const sub = await twin(c);
      await sub.subscribe('ch', () => {});
      expect(await c.publish('ch', 'x')).toBe(1);
      await sub.reset();
      expect(await c.publish('ch', 'x')).toBe(0);
      expect(String(await sub.get('k'))).toBe('v');

      const mon = await twin(c);
      const lines: string[] = [];
      await mon.monitor((l: string) => lines.push(String(l)));
      await mon.reset();
      expect((await mon.clientInfo()).flags).toBe('N');
      expect(String(await mon.get('k'))).toBe('v');
    });

    it('hello(), commandInfo() and moduleList() describe the server', async () => {
      const c = await conn();
      const hello = await c.hello();
      expect({ ...hello, id: 0, version: '' }).toEqual({ server: 'redis', version: '', proto: RESP, id: 0, mode: 'standalone', role: 'master', modules: [] });
      expect(hello.id).toBe(await c.clientId());
      expect(hello.version).toMatch(/^\d+\.\d+\.\d+$/);
      const [get, set, none] = await c.commandInfo(['get', 'set', 'nosuch']);
      expect(get).toMatchObject({ name: 'get', arity: 2, firstKeyIndex: 1, lastKeyIndex: 1, step: 1, isKeyless: false });
      expect(get.flags).toEqual(new Set(['readonly', 'fast']));
      expect(get.categories).toEqual(new Set(['@read', '@string', '@fast']));
      expect(set).toMatchObject({ name: 'set', arity: -3 });
      expect(set.flags).toEqual(new Set(['write', 'denyoom']));
      expect(none).toBeNull();
      expect(await c.commandCount()).toBeGreaterThan(150);
      // No modules loaded (MODULE LIST was an unknown command in Hoard before).
      expect(await c.moduleList()).toEqual([]);
    });

    it('pingInterval keeps pinging a subscribed connection, and messages still arrive', async () => {
      const c = await conn();
      const sub = await conn({ pingInterval: 25 });
      const pings: unknown[] = [];
      sub.on('ping-interval', (reply: unknown) => pings.push(reply));
      const got: string[] = [];
      await sub.subscribe('ch', (m: string) => got.push(m));
      await until('two pings while subscribed', () => pings.length >= 2);
      // RESP2 answers PING in subscribed mode with ["pong", ""]; node-redis reports it as 'pong'.
      expect(String(pings[pings.length - 1]).toLowerCase()).toBe('pong');
      expect(await c.publish('ch', 'm1')).toBe(1);
      await until('the message', () => got.length === 1);
      expect(got).toEqual(['m1']);
    });

    it('binary keys, fields, members and messages survive as Buffers', async () => {
      const c = await conn();
      const bin = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      const k = Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0xc3]);
      const f = Buffer.from([0x80, 0x81]);
      await c.set(k, Buffer.from([1]));
      await c.hSet(Buffer.from('h'), f, Buffer.from([0xe9]));
      await c.sAdd(Buffer.from('s'), [f, k]);
      const keys: Buffer[] = [];
      for await (const page of bin.scanIterator({ COUNT: 10 })) keys.push(...page);
      expect(keys.some((x) => Buffer.isBuffer(x) && x.equals(k))).toBe(true);
      expect((await bin.get(k)).equals(Buffer.from([1]))).toBe(true);
      expect((await bin.hGet('h', f)).equals(Buffer.from([0xe9]))).toBe(true);
      const fields: Buffer[] = [];
      for await (const page of bin.hScanIterator('h')) for (const e of page) fields.push(e.field);
      expect(fields.map((x) => x.toString('hex'))).toEqual(['8081']);
      const members = (await bin.sMembers('s')).map((x: Buffer) => x.toString('hex')).sort();
      expect(members).toEqual([f.toString('hex'), k.toString('hex')].sort());

      const sub = await twin(c);
      const got: string[] = [];
      // (node-redis matches listeners by the channel decoded as UTF-8, so the channel name is text.)
      await sub.subscribe('bin-chan', (m: Buffer, ch: unknown) => got.push(`${String(ch)}:${m.toString('hex')}`), true);
      expect(await c.publish('bin-chan', k)).toBe(1);
      await until('the binary message', () => got.length === 1);
      expect(got).toEqual([`bin-chan:${k.toString('hex')}`]);
    });

    it('quit(), close() and destroy() end the connection on both sides', async () => {
      for (const how of ['quit', 'close', 'destroy'] as const) {
        const c = await conn();
        const id: number = await c.clientId();
        expect(await serverHasClient(id)).toBe(true);
        if (how === 'quit') expect(await c.quit()).toBe('OK');
        else if (how === 'close') await c.close();
        else c.destroy();
        expect(c.isOpen).toBe(false);
        await until(`connection ${id} gone (${how})`, async () => !(await serverHasClient(id)));
        expect((await rejection(c.get('k'))).constructor.name).toBe('ClientClosedError');
      }
    });
  });

  // node-redis 4 (still the most deployed major): RESP2 only, a handshake of AUTH / CLIENT SETNAME /
  // SELECT / CLIENT SETINFO, an isolation pool (executeIsolated, commandOptions({ isolated })) and
  // scan iterators that yield one key at a time.
  describe('node-redis 4', () => {
    async function connect4(opts: Record<string, unknown> = {}): Promise<Client> {
      const c: Client = createClientV4({ socket: { host: '127.0.0.1', port: backend.port, reconnectStrategy: false }, ...opts } as any);
      c.on('error', () => {});
      clients.push(c);
      await c.connect();
      return c;
    }

    it('handshake with an ACL user, a name and a database; then everyday commands', async () => {
      const admin = await connect4();
      await admin.aclSetUser('alice', ['on', '>alicepw', '~*', '&*', '+@all']);
      const c = await connect4({ username: 'alice', password: 'alicepw', name: 'v4', database: 5 });
      expect(await c.aclWhoAmI()).toBe('alice');
      expect(await c.clientGetName()).toBe('v4');
      expect(await c.sendCommand(['CLIENT', 'INFO'])).toMatch(/ db=5 .* user=alice .*resp=2\s*$/);
      expect(await c.set('s', 'v1', { EX: 100, NX: true })).toBe('OK');
      expect(await c.set('s', 'v2', { GET: true })).toBe('v1');
      expect(await c.ttl('s')).toBe(-1);
      expect(await c.hSet('h', { a: '1', b: '2' })).toBe(2);
      expect({ ...(await c.hGetAll('h')) }).toEqual({ a: '1', b: '2' });
      expect(await c.hExists('h', 'a')).toBe(true);
      expect(await c.zAdd('z', [{ score: 2, value: 'b' }, { score: 1.5, value: 'a' }])).toBe(2);
      expect(await c.zRangeWithScores('z', 0, -1)).toEqual([
        { value: 'a', score: 1.5 },
        { value: 'b', score: 2 },
      ]);
      expect(await c.zRange('z', '+inf', '-inf', { BY: 'SCORE', REV: true })).toEqual(['b', 'a']);
      expect(await c.expire('h', 100)).toBe(true);
      expect((await rejection(c.incr('h'))).message).toBe(WRONGTYPE);
      expect(await rejection(c.incr('h'))).toBeInstanceOf(ErrorReplyV4);
      const bad = await rejection(connect4({ username: 'alice', password: 'nope' }));
      expect(bad.message).toBe('WRONGPASS invalid username-password pair or user is disabled.');
    });

    it('scan iterators yield every key, field, member and scored member', async () => {
      const c = await connect4();
      const keys = Array.from({ length: 120 }, (_, i) => `k${i}`);
      await c.mSet(keys.map((k) => [k, 'v']));
      const seen: string[] = [];
      for await (const k of c.scanIterator({ MATCH: 'k*', COUNT: 10 })) seen.push(k);
      expect(sortStrings(seen)).toEqual(sortStrings(keys));
      const fields: Record<string, string> = {};
      for (let i = 0; i < 600; i++) fields[`f${i}`] = `v${i}`;
      await c.hSet('h', fields);
      const gotFields: Record<string, string> = {};
      for await (const { field, value } of c.hScanIterator('h', { COUNT: 100 })) gotFields[field] = value;
      expect(gotFields).toEqual(fields);
      await c.sAdd('s', keys);
      const members: string[] = [];
      for await (const m of c.sScanIterator('s')) members.push(m);
      expect(sortStrings(members)).toEqual(sortStrings(keys));
      await c.zAdd('z', keys.map((value, i) => ({ value, score: i + 0.5 })));
      const scored = new Map<string, number>();
      for await (const { value, score } of c.zScanIterator('z')) scored.set(value, score);
      expect(scored).toEqual(new Map(keys.map((k, i) => [k, i + 0.5])));
    });

    it('executeIsolated + WATCH: a change by another client aborts EXEC with a WatchError', async () => {
      const c = await connect4();
      await c.set('w', '1');
      const committed = await c.executeIsolated(async (iso: Client) => {
        await iso.watch('w');
        return iso.multi().incr('w').exec();
      });
      expect(committed).toEqual([2]);
      const err = await rejection(
        c.executeIsolated(async (iso: Client) => {
          await iso.watch('w');
          await c.set('w', 'changed');
          return iso.multi().set('w', 'isolated').exec();
        }),
      );
      expect(err).toBeInstanceOf(WatchErrorV4);
      expect(await c.get('w')).toBe('changed');
      expect(await c.multi().set('a', '1').get('a').exec()).toEqual(['OK', '1']);
    });

    it('an isolated blocking pop is woken by a push on the main connection', async () => {
      const c = await connect4();
      const popped = c.blPop(commandOptions({ isolated: true }), 'q', 0);
      await blockedClients(1);
      expect(await c.rPush('q', 'job')).toBe(1);
      expect(await popped).toEqual({ key: 'q', element: 'job' });
    });

    it('pub/sub on a duplicate(), and quit()', async () => {
      const c = await connect4();
      const sub = await twin(c);
      const got: string[][] = [];
      await sub.subscribe('news', (m: string, ch: string) => got.push([ch, m]));
      await sub.pSubscribe('n*', (m: string, ch: string) => got.push([`p:${ch}`, m]));
      expect(await c.publish('news', 'hi')).toBe(2);
      await until('both deliveries', () => got.length === 2);
      expect(sortStrings(got.map((g) => g.join('=')))).toEqual(['news=hi', 'p:news=hi']);
      await sub.unsubscribe('news');
      expect(await c.publish('news', 'again')).toBe(1);
      await sub.pUnsubscribe('n*');
      expect(await c.publish('news', 'again')).toBe(0);
      const id: number = await c.clientId();
      expect(await c.quit()).toBe('OK');
      await until('the connection gone', async () => !(await serverHasClient(id)));
    });
  });

  describe('RESP3 types', () => {
    it('a client with default options (a redis:// URL only) runs RESP3', async () => {
      const c: Client = createClient({ url: `redis://127.0.0.1:${backend.port}`, socket: { reconnectStrategy: false } });
      c.on('error', () => {});
      clients.push(c);
      await c.connect();
      expect((await c.clientInfo()).resp).toBe(3);
      expect({ ...(await c.sendCommand(['CONFIG', 'GET', 'databases'])) }).toEqual({ databases: '16' });
    });

    it('maps, sets, doubles, nulls and pushes come back as the right JS types', async () => {
      const c = await connect({ RESP: 3 });
      await c.hSet('h', { a: '1', b: '2' });
      await c.sAdd('s', ['x', 'y']);
      await c.zAdd('z', [{ score: 1.5, value: 'm' }, { score: -0.25, value: 'n' }]);
      const asMap = await c.sendCommand(['HGETALL', 'h'], { typeMapping: { [RESP_TYPES.MAP]: Map } });
      expect(asMap).toBeInstanceOf(Map);
      expect(asMap).toEqual(new Map([['a', '1'], ['b', '2']]));
      const asObject = await c.sendCommand(['HGETALL', 'h']);
      expect(Array.isArray(asObject)).toBe(false);
      expect({ ...asObject }).toEqual({ a: '1', b: '2' });
      const asSet = await c.sendCommand(['SMEMBERS', 's'], { typeMapping: { [RESP_TYPES.SET]: Set } });
      expect(asSet).toBeInstanceOf(Set);
      expect(asSet).toEqual(new Set(['x', 'y']));
      expect(await c.sendCommand(['ZSCORE', 'z', 'n'])).toBe(-0.25);
      expect(await c.sendCommand(['ZINCRBY', 'z', '1', 'n'])).toBe(0.75);
      expect(await c.sendCommand(['INCRBYFLOAT', 'f', '1.5'])).toBe('1.5'); // a bulk string in RESP3 too
      // ZRANGE WITHSCORES is an array of [member, double] pairs in RESP3.
      expect(await c.sendCommand(['ZRANGE', 'z', '0', '-1', 'WITHSCORES'])).toEqual([
        ['n', 0.75],
        ['m', 1.5],
      ]);
      expect(await c.sendCommand(['ZPOPMIN', 'z'])).toEqual(['n', 0.75]);
      expect(await c.sendCommand(['GET', 'missing'])).toBeNull();
      expect(await c.sendCommand(['HGET', 'h', 'missing'])).toBeNull();
      const hello = await c.sendCommand(['HELLO', '3']);
      expect(hello.proto).toBe(3);
      expect(hello.server).toBe('redis');
      expect(hello.role).toBe('master');
      expect(Array.isArray(hello.modules)).toBe(true);
      // INFO and CLIENT INFO are verbatim strings (=txt:) in RESP3.
      const verbatim = { typeMapping: { [RESP_TYPES.VERBATIM_STRING]: VerbatimString } };
      const info = await c.sendCommand(['INFO', 'server'], verbatim);
      expect(info).toBeInstanceOf(VerbatimString);
      expect(info.format).toBe('txt');
      expect(String(info)).toMatch(/^# Server\r\n/);
      const clientInfo = await c.sendCommand(['CLIENT', 'INFO'], verbatim);
      expect(clientInfo).toBeInstanceOf(VerbatimString);
      expect(String(clientInfo)).toMatch(/^id=\d+ .* resp=3\n$/);
      // CONFIG GET is a map in RESP3.
      expect({ ...(await c.sendCommand(['CONFIG', 'GET', 'maxmemory-policy'])) }).toEqual({ 'maxmemory-policy': 'noeviction' });
    });

    it('a RESP3 subscriber keeps running ordinary commands between messages', async () => {
      const c = await connect({ RESP: 3 });
      const sub = await twin(c);
      const got: string[] = [];
      await sub.subscribe('ch', (m: string) => got.push(m));
      expect(await sub.set('k', 'v')).toBe('OK');
      expect(await c.publish('ch', 'one')).toBe(1);
      expect(await sub.get('k')).toBe('v');
      await until('the message', () => got.length === 1);
      expect(got).toEqual(['one']);
    });

    it('client-side caching: a client reads its own writes, inside and outside transactions, and expiry invalidates', async () => {
      const cached = await connect({ RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
      for (let i = 0; i < 50; i++) {
        expect(await cached.set('own', String(i))).toBe('OK');
        expect(await cached.get('own')).toBe(String(i));
        expect(await cached.get('own')).toBe(String(i));
      }
      await cached.hSet('h', 'f', 'a');
      expect({ ...(await cached.hGetAll('h')) }).toEqual({ f: 'a' });
      expect(await cached.multi().hSet('h', 'f', 'b').incr('n').exec()).toEqual([0, 1]);
      expect({ ...(await cached.hGetAll('h')) }).toEqual({ f: 'b' });
      await cached.set('brief', 'x', { PX: 50 });
      expect(await cached.get('brief')).toBe('x');
      expect(await cached.get('brief')).toBe('x');
      // Expiry sends an invalidation too (found by active expiry or by the next read).
      await until('the expiry invalidation', async () => (await cached.get('brief')) === null);
    });

    it('client-side caching: reads are served from the cache until the server invalidates the key', async () => {
      const writer = await connect({ RESP: 3 });
      const cached = await connect({ RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
      await writer.set('cs', '1');
      expect(await cached.get('cs')).toBe('1');
      expect(await cached.get('cs')).toBe('1');
      const csc = cached.clientSideCache;
      expect(csc.stats().hitCount).toBe(1);
      expect(csc.stats().missCount).toBe(1);
      expect(await cached.sendCommand(['CLIENT', 'TRACKINGINFO'])).toMatchObject({ flags: ['on'] });
      await writer.set('cs', '2');
      await until('the invalidation', async () => (await cached.get('cs')) === '2');
      expect(csc.stats().missCount).toBe(2);
      // FLUSHALL invalidates everything (a null key list in the push).
      await cached.get('cs');
      expect(csc.stats().hitCount).toBeGreaterThanOrEqual(2);
      await writer.flushAll();
      await until('the flush invalidation', async () => (await cached.get('cs')) === null);
    });
  });
});
