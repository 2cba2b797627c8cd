// Memory accounting (src/keyspace/memory.ts): used_memory must follow what the dataset really
// costs. Each case loads 100k keys (fewer, larger collections for the big encodings) through
// the in-process server's command path and compares the growth of used_memory with the growth
// of the V8 heap (plus ArrayBuffer stores: the sorted set's skiplist arena) measured after full
// GCs. The bound is ±25%; the measured error is printed so drift shows before it fails.
// The incremental bookkeeping is checked against a full recount after every kind of change.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Server } from '../../../src/server/server.js';
import { testConfig } from '../../helpers/backends.js';
import { accounted, estimateEntry, stringBytes, EXPIRE_ENTRY_BYTES, USED_MEMORY_STARTUP } from '../../../src/keyspace/memory.js';
import type { Client } from '../../../src/server/client.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heap(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Sends commands in pipelined batches, letting each batch's replies drain to a no-op sink. */
async function load(c: Client, n: number, command: (i: number) => string[]): Promise<void> {
  let batch = '';
  for (let i = 0; i < n; i++) {
    batch += encode(command(i));
    if (batch.length > 256 * 1024) {
      c.onData(Buffer.from(batch, 'latin1'));
      batch = '';
      await turn();
    }
  }
  if (batch.length > 0) c.onData(Buffer.from(batch, 'latin1'));
  await turn();
}

/** A value of exactly `len` chars that differs per i (no sharing of equal strings). */
function val(i: number, len: number): string {
  const s = i.toString(36);
  return s.length >= len ? s.slice(0, len) : s + 'x'.repeat(len - s.length);
}

/** Σ accounted bytes by a full walk: what the incremental `dataset` must equal. */
function recount(server: Server): number {
  let n = 0;
  for (const db of server.ks.dbs) for (const s of db.dict.values()) n += accounted(db.t, s);
  return n;
}

function used(server: Server): number {
  server.ks.memory.flushPending();
  return server.ks.memory.usedMemory();
}

interface Case {
  name: string;
  keys: number;
  command: (i: number) => string[];
}

const fields = (n: number, len: number) => (i: number) => {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push('f' + j, val(i * 131 + j, len));
  return a;
};
const members = (n: number, len: number) => (i: number) => {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push(val(i * 1009 + j, len));
  return a;
};
const scored = (n: number, len: number, integer: boolean) => (i: number) => {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push(integer ? String(j) : String(j + 0.25), val(i * 1009 + j, len));
  return a;
};

const CASES: Case[] = [
  { name: 'strings, 10 B', keys: 100_000, command: (i) => ['SET', 'key:' + i, val(i, 10)] },
  { name: 'strings, 100 B', keys: 100_000, command: (i) => ['SET', 'key:' + i, val(i, 100)] },
  { name: 'strings, 1000 B', keys: 100_000, command: (i) => ['SET', 'key:' + i, val(i, 1000)] },
  { name: 'strings, 100 B, with TTL', keys: 100_000, command: (i) => ['SET', 'key:' + i, val(i, 100), 'EX', '100000'] },
  { name: 'hashes, 5 fields of 10 B', keys: 100_000, command: (i) => ['HSET', 'h:' + i, ...fields(5, 10)(i)] },
  { name: 'hashes, 200 fields of 20 B', keys: 2_000, command: (i) => ['HSET', 'h:' + i, ...fields(200, 20)(i)] },
  { name: 'sets, 5 members of 12 B', keys: 100_000, command: (i) => ['SADD', 's:' + i, ...members(5, 12)(i)] },
  { name: 'sets, 300 members of 16 B', keys: 2_000, command: (i) => ['SADD', 's:' + i, ...members(300, 16)(i)] },
  { name: 'sorted sets, 5 members, float scores', keys: 100_000, command: (i) => ['ZADD', 'z:' + i, ...scored(5, 10, false)(i)] },
  { name: 'sorted sets, 300 members, integer scores', keys: 2_000, command: (i) => ['ZADD', 'z:' + i, ...scored(300, 12, true)(i)] },
  // Members added in random score order: the tree's leaves fill as a B-tree does, ~70%.
  { name: 'sorted sets, 20k members, random scores', keys: 30, command: (i) => ['ZADD', 'z:' + i, ...shuffledScores(20_000, i)] },
  { name: 'lists, 5 elements of 10 B', keys: 100_000, command: (i) => ['RPUSH', 'l:' + i, ...members(5, 10)(i)] },
  { name: 'lists, 500 elements of 30 B', keys: 2_000, command: (i) => ['RPUSH', 'l:' + i, ...members(500, 30)(i)] },
  // Element sizes vary (2..400 B, pseudo-random): the sampled estimate is off per key, not on average.
  { name: 'hashes, 20 fields of 2-400 B', keys: 20_000, command: (i) => ['HSET', 'h:' + i, ...varied(20, i)] },
  // Half the keys deleted again: the dict keeps its capacity (V8 shrinks a Map below 1/4 full).
  { name: 'strings, 100 B, 200k set then 100k deleted', keys: 300_000, command: (i) => (i < 200_000 ? ['SET', 'key:' + i, val(i, 100)] : ['DEL', 'key:' + (i - 200_000) * 2]) },
];

function shuffledScores(n: number, i: number): string[] {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push(String(((j * 2654435761 + i) >>> 0) % 1_000_003), val(i * 100_003 + j, 12));
  return a;
}

function varied(n: number, i: number): string[] {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push('f' + j, val(i * 31 + j, 2 + ((i * 7919 + j * 104729) % 399)));
  return a;
}

describe('used_memory follows the V8 heap the dataset costs (±25%)', () => {
  for (const k of CASES) {
    it(k.name, async () => {
      const server = new Server(testConfig());
      const c = server.connectLocal(() => {});
      await turn();
      const h0 = heap();
      const u0 = used(server);
      await load(c, k.keys, k.command);
      const u1 = used(server);
      const h1 = heap();
      const grew = h1 - h0;
      const counted = u1 - u0;
      const err = (counted - grew) / grew;
      const live = server.ks.totalKeys();
      console.log(
        `${k.name.padEnd(44)} heap +${(grew / live).toFixed(0).padStart(6)} B/key  used_memory +${(counted / live).toFixed(0).padStart(6)} B/key  error ${(err * 100).toFixed(1)}%`,
      );
      expect(server.ks.totalKeys()).toBeGreaterThan(0);
      expect(Math.abs(err)).toBeLessThan(0.25);
      expect(server.ks.memory.dataset).toBe(recount(server));
      c.kill();
      await server.close();
    }, 120_000);
  }
});

describe('incremental accounting', () => {
  let server: Server;
  let c: Client;
  const run = async (...args: string[]) => {
    await load(c, 1, () => args);
  };

  beforeAll(async () => {
    server = new Server(testConfig());
    c = server.connectLocal(() => {});
  });
  afterAll(async () => {
    c.kill();
    await server.close();
  });

  it('strings: exact per key, re-estimated on overwrite, released on delete', async () => {
    const before = used(server);
    await run('SET', 'k', 'x'.repeat(100));
    const db = server.ks.dbs[0];
    const e = db.dict.get('k')!;
    expect(accounted(db.t, e)).toBe(estimateEntry('k', 'x'.repeat(100)));
    expect(used(server) - before).toBe(accounted(db.t, e));
    await run('APPEND', 'k', 'y'.repeat(100));
    expect(accounted(db.t, e)).toBe(estimateEntry('k', 'x'.repeat(100) + 'y'.repeat(100)));
    expect(accounted(db.t, e) - estimateEntry('k', 'x'.repeat(100))).toBe(stringBytes(200) - stringBytes(100));
    await run('DEL', 'k');
    expect(used(server)).toBe(before);
  });

  it('collections are re-estimated after each command that changes them in place', async () => {
    const before = used(server);
    await run('HSET', 'h', 'a', '1');
    const one = used(server) - before;
    const big: string[] = [];
    for (let i = 0; i < 100; i++) big.push('field-' + i, 'value-'.repeat(5) + i);
    await run('HSET', 'h', ...big);
    const hundred = used(server) - before;
    // 100 pairs of 7-8 + 31-32 bytes: whatever the layout, at least their bytes (a listpack hash,
    // as this one is, costs little more; a Map would add ~2 string headers and an entry per pair).
    expect((server.ks.dbs[0].entry('h')!.value as unknown as { big: boolean }).big).toBe(false);
    expect(hundred).toBeGreaterThan(one + big.reduce((n, s) => n + s.length, 0));
    for (let i = 0; i < 100; i++) await run('HDEL', 'h', 'field-' + i);
    expect(used(server) - before).toBeLessThan(hundred / 4);
    await run('DEL', 'h');
    expect(used(server)).toBe(before);
    for (let i = 0; i < 50; i++) await run('RPUSH', 'l', 'element-' + i);
    await run('SADD', 's', ...Array.from({ length: 50 }, (_, i) => 'member-' + i));
    await run('ZADD', 'z', '1.5', 'a', '2.5', 'b');
    await run('LPOP', 'l', '10');
    await run('SPOP', 's', '10');
    await run('ZINCRBY', 'z', '1', 'c');
    expect(server.ks.memory.dataset).toBe(recount(server));
    await run('DEL', 'l', 's', 'z');
    expect(used(server)).toBe(before);
  });

  it('TTLs add their bookkeeping; FLUSHDB, SWAPDB, MOVE, RENAME keep the totals exact', async () => {
    await run('FLUSHALL');
    const empty = used(server);
    expect(empty).toBe(USED_MEMORY_STARTUP + 0);
    for (let i = 0; i < 100; i++) await run('SET', 'a' + i, val(i, 50));
    const plain = used(server) - empty;
    const t0 = server.ks.dbs[0].t;
    expect(t0.expireAt.length).toBe(0);
    await run('EXPIRE', 'a1', '1000');
    // The table's first TTL adds its Set entry and the expiry column (8 B per slot of capacity).
    expect(t0.expireAt.length).toBe(t0.capacity);
    expect(used(server) - empty).toBe(plain + EXPIRE_ENTRY_BYTES + 8 * t0.capacity);
    await run('EXPIRE', 'a2', '1000');
    expect(used(server) - empty).toBe(plain + 2 * EXPIRE_ENTRY_BYTES + 8 * t0.capacity);
    await run('SELECT', '1');
    for (let i = 0; i < 10; i++) await run('SADD', 'b' + i, 'x', 'y', 'z');
    // Grown in place right before the swap, with no reading of used_memory in between: its
    // re-estimate is still pending when the tables trade places, and must not be lost.
    await run('SADD', 'b0', ...Array.from({ length: 200 }, (_, i) => 'member-' + i));
    await run('SWAPDB', '0', '1');
    const b0 = server.ks.dbs[0].dict.get('b0')!;
    expect(accounted(server.ks.dbs[0].t, b0)).toBe(estimateEntry('b0', server.ks.dbs[0].t.vals[b0]!));
    expect(server.ks.memory.perDb[0]).toBe([...server.ks.dbs[0].dict.values()].reduce((n, s) => n + accounted(server.ks.dbs[0].t, s), 0));
    await run('MOVE', 'b1', '1');
    await run('RENAME', 'b2', 'a-much-longer-name-than-before');
    expect(server.ks.memory.dataset).toBe(recount(server));
    await run('FLUSHDB');
    expect(server.ks.memory.perDb[1]).toBe(0);
    await run('SELECT', '0');
    await run('FLUSHDB');
    expect(server.ks.memory.dataset).toBe(0);
    expect(used(server)).toBe(USED_MEMORY_STARTUP + 0);
  });

  it('INFO memory and MEMORY USAGE / STATS report the same accounting', async () => {
    for (let i = 0; i < 1000; i++) await run('SET', 'k' + i, val(i, 100));
    let text = '';
    const probe = server.connectLocal((d) => (text += d));
    probe.onData(Buffer.from(encode(['INFO', 'memory'])));
    await turn();
    const f = Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')));
    expect(Number(f.used_memory)).toBe(used(server));
    expect(Number(f.used_memory_startup)).toBe(USED_MEMORY_STARTUP);
    expect(Number(f.used_memory_dataset) + Number(f.used_memory_overhead)).toBe(Number(f.used_memory));
    expect(Number(f.used_memory_peak)).toBeGreaterThanOrEqual(Number(f.used_memory));
    expect(Number(f.used_memory_rss)).toBeGreaterThan(0);
    expect(f.maxmemory).toBe('0');
    expect(f.maxmemory_policy).toBe('noeviction');
    // MEMORY USAGE of every key adds up to used_memory minus the idle server, the free slots and
    // the expiry columns (per table, not per key).
    let sum = 0;
    for (const s of server.ks.dbs[0].dict.values()) sum += server.ks.memory.keyUsage(server.ks.dbs[0], s);
    const columns = server.ks.dbs.reduce((n, d) => n + 8 * d.t.expireAt.length, 0);
    expect(sum + server.ks.memory.freeSlotBytes() + columns).toBe(used(server) - USED_MEMORY_STARTUP);
    probe.kill();
  });
});
