// Function libraries survive what data survives: a SIGKILLed Hoard restarted from its AOF, and
// from a snapshot plus the AOF after it, has the libraries it acknowledged (and FCALL's writes);
// a replica gets them in its full sync (the RDB's FUNCTION2 records) and through the stream
// afterwards — a Hoard replica of Hoard, a redis-server replica of Hoard, and a Hoard replica of
// redis-server, so the RDB records are Redis's own format both ways.

import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { ensureBuilt, spawnServer, startServer, tempDir, type ServerProc, type SpawnedServer } from '../helpers/proc.js';

const LIB1 = `#!lua name=counters
redis.register_function('bump', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)
redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}`;
const LIB2 = `#!lua name=strings
redis.register_function('put', function(keys, args) return redis.call('set', keys[1], args[1]) end)`;
const LIB3 = `#!lua name=late
redis.register_function{function_name='late_peek', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}`;

const procs: ServerProc[] = [];
const spawned: SpawnedServer[] = [];
const clients: Redis[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const p of procs.splice(0)) await p.kill();
  for (const s of spawned.splice(0)) await s.stop();
});

function client(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

async function start(dir: string, args: string[] = []): Promise<{ proc: ServerProc; r: Redis }> {
  const proc = await startServer(dir, ['--appendonly', 'yes', '--appendfsync', 'always', ...args]);
  procs.push(proc);
  return { proc, r: client(proc.port) };
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** BGSAVE, and wait until the snapshot is current (INFO rdb_saves counts it). */
async function snapshot(r: Redis): Promise<void> {
  const saves = async () => Number(/rdb_saves:(\d+)/.exec(await r.info('persistence'))?.[1]);
  const before = await saves();
  await r.bgsave();
  await until('the snapshot', async () => (await saves()) > before);
}

/** Library names as FUNCTION LIST gives them, sorted. */
async function libraries(r: Redis): Promise<string[]> {
  const list = (await r.call('function', 'list')) as unknown[][];
  return list.map((l) => String(l[1])).sort();
}

describe('function libraries are durable', () => {
  it('after SIGKILL, restarts from the AOF, then from a snapshot plus the AOF after it, have the libraries and FCALL works', async () => {
    ensureBuilt();
    const dir = tempDir('hoard-fn-durable-');
    let { proc, r } = await start(dir);
    expect(await r.call('function', 'load', LIB1)).toBe('counters');
    expect(await r.call('fcall', 'bump', '1', 'c', '5')).toBe(5);
    expect(await r.call('function', 'load', LIB2)).toBe('strings');
    expect(await r.call('function', 'delete', 'strings')).toBe('OK');
    // A binary FUNCTION RESTORE payload goes through the AOF too (the FLUSH before it as well).
    const payload = (await r.callBuffer('function', 'dump')) as Buffer;
    expect(await r.call('function', 'flush')).toBe('OK');
    expect(await r.call('function', 'restore', payload)).toBe('OK');
    await proc.kill('SIGKILL');

    // The AOF alone.
    ({ proc, r } = await start(dir));
    expect(await libraries(r)).toEqual(['counters']);
    expect(await r.call('fcall_ro', 'peek', '1', 'c')).toBe('5');
    expect(await r.call('fcall', 'bump', '1', 'c', '1')).toBe(6);

    // A snapshot, then a library only the AOF after it holds.
    await snapshot(r);
    await r.call('function', 'load', LIB2);
    await r.call('fcall', 'put', '1', 's', 'v');
    await proc.kill('SIGKILL');
    ({ proc, r } = await start(dir));
    // The snapshot carried the first library (the AOF segments before it are gone).
    expect(proc.stderr()).toMatch(/"libraries":1,"msg":"function libraries loaded from snapshot"/);
    expect(await libraries(r)).toEqual(['counters', 'strings']);
    expect(await r.call('fcall_ro', 'peek', '1', 'c')).toBe('6');
    expect(await r.call('fcall', 'put', '1', 's2', 'w')).toBe('OK');
    expect(await r.mget('s', 's2')).toEqual(['v', 'w']);

    // A snapshot after a FUNCTION DELETE holds only what is left; a FUNCTION FLUSH after it replays.
    await r.call('function', 'delete', 'counters');
    await snapshot(r);
    expect(await r.call('function', 'flush')).toBe('OK');
    await proc.kill('SIGKILL');
    ({ proc, r } = await start(dir));
    expect(proc.stderr()).toMatch(/"libraries":1,"msg":"function libraries loaded from snapshot"/);
    expect(await libraries(r)).toEqual([]);
    expect(await r.get('c')).toBe('6');
  });
});

describe('function libraries are replicated', () => {
  it('a Hoard replica gets them in its full sync and through the stream; it refuses FUNCTION LOAD itself', async () => {
    ensureBuilt();
    const { proc: primary, r: p } = await start(tempDir('hoard-fn-primary-'));
    await p.call('function', 'load', LIB1);
    await p.call('fcall', 'bump', '1', 'c', '3');
    const { r: replica } = await start(tempDir('hoard-fn-replica-'), ['--replicaof', '127.0.0.1', String(primary.port)]);
    await until('the full sync', async () => /master_link_status:up/.test(await replica.info('replication')));
    await until('the libraries', async () => (await libraries(replica)).length === 1);
    expect(await replica.call('fcall_ro', 'peek', '1', 'c')).toBe('3');
    await expect(replica.call('function', 'load', LIB3)).rejects.toThrow(/^READONLY You can't write against a read only replica/);
    // FCALL of a function that may write is a write command (its flags say so), as in Redis.
    await expect(replica.call('fcall', 'bump', '1', 'c', '1')).rejects.toThrow(/^READONLY You can't write against a read only replica/);

    await p.call('function', 'load', LIB3);
    await p.call('fcall', 'bump', '1', 'c', '4');
    await until('the streamed FUNCTION LOAD', async () => (await libraries(replica)).length === 2);
    expect(await replica.call('fcall_ro', 'late_peek', '1', 'c')).toBe('7');
    await p.call('function', 'delete', 'counters');
    await until('the streamed FUNCTION DELETE', async () => (await libraries(replica)).join() === 'late');
  });

  const withRedis = redisServerAvailable() ? it : it.skip;

  withRedis('redis-server replicating Hoard loads the libraries from Hoard’s RDB, and Hoard replicating redis-server from Redis’s', async () => {
    ensureBuilt();
    const { proc: hoard, r: h } = await start(tempDir('hoard-fn-h-'));
    await h.call('function', 'load', LIB1);
    const rs = await spawnServer('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    spawned.push(rs);
    const rr = client(rs.port);
    await until('redis-server to sync from Hoard', async () => /master_link_status:up/.test(await rr.info('replication')));
    await until('the libraries on redis-server', async () => (await libraries(rr)).join() === 'counters');
    await h.call('function', 'load', LIB3);
    await until('the streamed library on redis-server', async () => (await libraries(rr)).length === 2);

    // The other way: a redis-server primary with libraries, a Hoard replica.
    const rp = await spawnServer('redis', ['--repl-diskless-sync-delay', '0']);
    spawned.push(rp);
    const rpc = client(rp.port);
    await rpc.call('function', 'load', LIB2);
    await rpc.call('fcall', 'put', '1', 'k', 'from-redis');
    const { r: hr } = await start(tempDir('hoard-fn-hr-'), ['--replicaof', '127.0.0.1', String(rp.port)]);
    await until('Hoard to sync from redis-server', async () => /master_link_status:up/.test(await hr.info('replication')));
    await until('the libraries on Hoard', async () => (await libraries(hr)).join() === 'strings');
    expect(await hr.get('k')).toBe('from-redis');
  });
});
