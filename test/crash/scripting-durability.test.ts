// A script's writes are durable and replicated like any others: with appendfsync always, what an
// acknowledged EVAL wrote survives SIGKILL + restart (the AOF holds its effects as one MULTI/EXEC
// record, never the EVAL), and a real redis-server replica of Hoard receives the same effects
// through the replication stream and ends up with the same values.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ensureBuilt, spawnServer, startServer, tempDir, type ServerProc, type SpawnedServer } from '../helpers/proc.js';
import { redisServerAvailable } from '../helpers/backends.js';

const SCRIPT = `
redis.call('set', KEYS[1], ARGV[1])
redis.call('hset', KEYS[2], 'f', ARGV[1], 'g', 'x')
redis.call('rpush', KEYS[3], 'a', 'b', ARGV[1])
redis.call('incrby', KEYS[4], 7)
redis.call('expire', KEYS[1], 1000)
redis.call('select', 3)
redis.call('set', KEYS[1], 'db3')
return redis.call('incr', KEYS[4])`;

async function contents(r: Redis): Promise<unknown[]> {
  const out: unknown[] = [];
  out.push(await r.get('s'), await r.hgetall('h'), await r.lrange('l', 0, -1), await r.get('n'));
  const ttl = await r.ttl('s');
  out.push(ttl > 900 && ttl <= 1000);
  await r.select(3);
  out.push(await r.get('s'), await r.get('n'));
  await r.select(0);
  return out;
}

const EXPECTED = ['v1', { f: 'v1', g: 'x' }, ['a', 'b', 'v1'], '7', true, 'db3', '1'];

describe('scripts: durability and replication', () => {
  const procs: ServerProc[] = [];
  const spawned: SpawnedServer[] = [];
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const p of procs.splice(0)) await p.kill();
    for (const s of spawned.splice(0)) await s.stop();
  });

  it("appendfsync always: an acknowledged script's writes survive SIGKILL and restart", async () => {
    ensureBuilt();
    const dir = tempDir('hoard-script-crash-');
    const args = ['--appendonly', 'yes', '--appendfsync', 'always'];
    const first = await startServer(dir, args);
    procs.push(first);
    const c1 = first.client();
    clients.push(c1);
    expect(await c1.eval(SCRIPT, 4, 's', 'h', 'l', 'n', 'v1')).toBe(1);
    const sha = createHash('sha1').update(SCRIPT).digest('hex');
    expect(await c1.script('EXISTS', sha)).toEqual([1]);
    await first.kill('SIGKILL');
    // The AOF holds the script's effects in one MULTI/EXEC, and no EVAL.
    const aofDir = path.join(dir, 'appendonlydir');
    const aof = fs.readdirSync(aofDir).map((f) => fs.readFileSync(path.join(aofDir, f), 'latin1')).join('');
    expect(aof).toMatch(/\r\nMULTI\r\n[^]*\r\nEXEC\r\n/);
    expect(aof).not.toMatch(/eval/i);
    const second = await startServer(dir, args);
    procs.push(second);
    const c2 = second.client();
    clients.push(c2);
    expect(await contents(c2)).toEqual(EXPECTED);
    // The script cache is not persisted (Redis 7): its sha is unknown after the restart.
    expect(await c2.script('EXISTS', sha)).toEqual([0]);
  }, 20_000);

  it.runIf(redisServerAvailable())("a redis-server replica receives a script's effects", async () => {
    ensureBuilt();
    const hoard = await spawnServer('hoard');
    spawned.push(hoard);
    const h = new Redis({ port: hoard.port, host: '127.0.0.1' });
    clients.push(h);
    const replica = await spawnServer('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    spawned.push(replica);
    const rr = new Redis({ port: replica.port, host: '127.0.0.1' });
    clients.push(rr);
    const end = Date.now() + 10_000;
    while (!/master_link_status:up/.test(await rr.info('replication'))) {
      if (Date.now() > end) throw new Error('replica link did not come up');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await h.eval(SCRIPT, 4, 's', 'h', 'l', 'n', 'v1')).toBe(1);
    expect(await h.wait(1, 5_000)).toBe(1);
    expect(await contents(rr)).toEqual(EXPECTED);
  }, 20_000);
});
