// MIGRATE, against redis-server as the oracle. The same script runs from a Hoard source and from
// a redis-server source, into a Hoard target and into a redis-server target (the four pairs):
// every reply, and what each source and target holds afterwards, must be what redis -> redis
// gives. Then what only a live transfer shows: I/O errors and timeouts leave the key at the
// source, the source is blocked for the transfer as Redis's is, the DEL reaches the AOF, and
// `redis-cli --cluster reshard` moves slots and keys between Hoard cluster nodes with it.
//
// Servers run as child processes: MIGRATE blocks the source's event loop for the transfer (as
// Redis does), which an in-process server would share with the test.

import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { ROOT, ensureBuilt, runProgram, spawnServer, startServer, tempDir, type SpawnedServer } from '../helpers/proc.js';
import { redisServerAvailable } from '../helpers/backends.js';
import { readAll, type State } from '../helpers/contents.js';
import { keyHashSlot } from '../../src/cluster/slots.js';

const PASS = 'migrate-secret';
const servers: SpawnedServer[] = [];
const clients: Redis[] = [];

function conn(port: number, opts: Record<string, unknown> = {}): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, ...opts });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

async function spawn(kind: 'hoard' | 'redis', extra: string[] = []): Promise<SpawnedServer> {
  const s = await spawnServer(kind, extra);
  servers.push(s);
  return s;
}

/** A reply as comparable data (errors as their text). */
async function send(r: Redis, cmd: string, ...args: Array<string | Buffer>): Promise<unknown> {
  try {
    return await r.call(cmd, ...args);
  } catch (e) {
    return `ERR! ${(e as Error).message}`;
  }
}

const EXPIRE_AT = Date.now() + 3_600_000;
const BINARY_KEY = Buffer.from([0, 0xff, 0x0d, 0x0a]);

/** The same keys on any source: every type and encoding, a TTL, binary bytes. */
async function fill(r: Redis): Promise<void> {
  const p = r.pipeline();
  p.set('s1', 'hello', 'PXAT', EXPIRE_AT);
  p.set(BINARY_KEY, Buffer.from([1, 2, 0, 0xfe]));
  p.rpush('l', 'a', 'b', 'c');
  p.hset('h', 'f', 'v', 'g', 'w');
  for (let i = 0; i < 300; i++) p.hset('hb', `field:${i}`, `value:${i}`);
  p.sadd('si', 1, 2, 3);
  p.sadd('ss', 'x', 'y');
  p.zadd('z', 1, 'a', 2.5, 'b', -3, 'c');
  for (let i = 0; i < 200; i++) p.zadd('zb', i / 7, `m${i}`);
  p.xadd('st', '1-1', 'k', 'v');
  p.set('cp', 'copy-me');
  p.set('busy', 'source');
  p.set('s2', 'two');
  p.set('s3', 'three');
  await p.exec();
}

/** MIGRATE's cases, run on `src` towards `dst`: the replies, in order. */
async function script(src: Redis, dstPort: number): Promise<unknown[]> {
  const M = (...rest: Array<string | Buffer>) => send(src, 'MIGRATE', '127.0.0.1', String(dstPort), ...rest);
  return [
    await M('s1', '0', '5000', 'AUTH', PASS),
    await M('nokey', '0', '5000', 'AUTH', PASS),
    await M('', '2', '5000', 'AUTH', PASS, 'KEYS', 'l', 'h', 'hb', 'si', 'ss', 'z', 'zb', 'st', 'nokey', BINARY_KEY),
    await M('cp', '0', '5000', 'COPY', 'AUTH2', 'default', PASS),
    await M('busy', '0', '5000', 'AUTH', PASS),
    await M('busy', '0', '5000', 'REPLACE', 'AUTH', PASS),
    await M('s2', '0', '5000', 'AUTH', 'wrong-password'),
    await M('s2', '0', '5000'),
    await M('k', '0', '5000', 'KEYS', 'a'),
    await M('s2', 'x', '5000'),
    await M('s2', '0', '5s'),
    await M('s2', '0', '5000', 'BOGUS'),
    await M('s2', '0', '5000', 'AUTH'),
    await M('s2', '0', '5000', 'AUTH2', 'default'),
    await M('s3', '0', '0', 'AUTH', PASS), // timeout <= 0 means 1000 ms
  ];
}

/** A server's contents with each TTL checked against the fixture's and then left out (a transfer sends it relative). */
function comparable(state: State): Array<[string, string, unknown, boolean]> {
  return [...state].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => {
    if (v.expireAt !== -1) expect(Math.abs(v.expireAt - EXPIRE_AT)).toBeLessThan(5000);
    return [k, v.type, v.value, v.expireAt !== -1];
  });
}

beforeAll(() => {
  ensureBuilt();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(servers.map((s) => s.stop()));
});

describe.skipIf(!redisServerAvailable())('MIGRATE', () => {
  it('Hoard and redis-server, as source or target in the four pairs, give redis -> redis replies and contents', async () => {
    const sources = { hoard: await spawn('hoard'), redis: await spawn('redis') };
    const targets = { hoard: await spawn('hoard', ['--requirepass', PASS]), redis: await spawn('redis', ['--requirepass', PASS]) };
    const results: Record<string, { replies: unknown[]; source: unknown; target: unknown }> = {};
    for (const [sk, s] of Object.entries(sources)) {
      for (const [tk, t] of Object.entries(targets)) {
        const src = conn(s.port);
        const dst = conn(t.port, { password: PASS });
        await src.flushall();
        await dst.flushall();
        await dst.set('busy', 'target');
        await fill(src);
        const replies = await script(src, t.port);
        results[`${sk}->${tk}`] = {
          replies,
          source: comparable((await readAll(s.port)).state),
          target: comparable((await readAll(t.port, PASS)).state),
        };
      }
    }
    const ref = results['redis->redis'];
    // The oracle did what the script means: the moved keys left, COPY kept its key, one BUSYKEY.
    expect(ref.replies[0]).toBe('OK');
    expect(ref.replies[1]).toBe('NOKEY');
    expect(String(ref.replies[4])).toContain('BUSYKEY');
    expect(String(ref.replies[6])).toContain('WRONGPASS');
    // The cached connection stays authenticated: the RESTORE behind the failed AUTH still ran
    // (s2 is now on both servers), so the next MIGRATE of s2 finds it there.
    expect(String(ref.replies[7])).toContain('BUSYKEY');
    expect((ref.source as unknown[]).length).toBe(2); // cp (COPY) and s2
    expect((ref.target as unknown[]).length).toBe(14); // s1 cp busy s2 s3 in db 0, the nine KEYS in db 2
    for (const pair of ['hoard->redis', 'redis->hoard', 'hoard->hoard']) {
      expect({ pair, ...results[pair] }).toEqual({ pair, ...ref });
    }
  });

  it('a refused connection and a silent target: the IOERR texts of redis-server, the key stays, and the source is blocked meanwhile; an idle cached connection still works', async () => {
    const hoard = await spawn('hoard');
    const redis = await spawn('redis');
    // A target that accepts and reads, and never answers.
    const silent = net.createServer((s) => s.on('data', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const refused = await new Promise<number>((r) => {
      const t = net.createServer();
      t.listen(0, '127.0.0.1', () => {
        const p = (t.address() as net.AddressInfo).port;
        t.close(() => r(p));
      });
    });
    try {
      const out: Record<string, unknown[]> = {};
      for (const s of [hoard, redis]) {
        const a = conn(s.port);
        const b = conn(s.port);
        await a.set('k', 'v');
        const replies: unknown[] = [await send(a, 'MIGRATE', '127.0.0.1', String(refused), 'k', '0', '500')];
        // While the transfer waits for the silent target, another client's PING waits too.
        const order: string[] = [];
        const t0 = Date.now();
        const mig = send(a, 'MIGRATE', '127.0.0.1', String(silentPort), 'k', '0', '400').then((v) => {
          order.push('migrate');
          return v;
        });
        await new Promise((r) => setTimeout(r, 100));
        const ping = b.ping().then(() => order.push('ping'));
        replies.push(await mig);
        await ping;
        expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
        expect(order).toEqual(['migrate', 'ping']);
        replies.push(await a.get('k'));
        // A cached connection idle for longer than the last timeout still serves the next one.
        const target = s === hoard ? redis : hoard;
        replies.push(await send(a, 'MIGRATE', '127.0.0.1', String(target.port), 'k', '0', '100', 'COPY'));
        await new Promise((r) => setTimeout(r, 300));
        replies.push(await send(a, 'MIGRATE', '127.0.0.1', String(target.port), 'k', '0', '100', 'REPLACE'));
        replies.push(await a.exists('k'));
        out[s.kind] = replies;
      }
      expect(out.redis).toEqual(['ERR! IOERR error or timeout writing to target instance', 'ERR! IOERR error or timeout reading to target instance', 'v', 'OK', 'OK', 0]);
      expect(out.hoard).toEqual(out.redis);
    } finally {
      silent.close();
    }
  });

  it('the keys that left are DELs in the AOF: after SIGKILL and a restart they are still gone, a COPY is still here', async () => {
    const dir = tempDir('hoard-migrate-aof-');
    const target = await spawn('redis');
    let src = await startServer(dir, ['--appendonly', 'yes', '--appendfsync', 'always']);
    const a = src.client();
    await a.mset('gone', '1', 'kept', '2', 'other', '3');
    expect(await a.call('MIGRATE', '127.0.0.1', String(target.port), 'gone', '0', '5000')).toBe('OK');
    expect(await a.call('MIGRATE', '127.0.0.1', String(target.port), 'kept', '0', '5000', 'COPY')).toBe('OK');
    expect(Number((await a.info('stats')).match(/migrate_cached_sockets:(\d+)/)![1])).toBe(1);
    a.disconnect();
    await src.kill('SIGKILL');
    src = await startServer(dir, ['--appendonly', 'yes']);
    const b = src.client();
    expect(await b.mget('gone', 'kept', 'other')).toEqual([null, '2', '3']);
    expect(await conn(target.port).mget('gone', 'kept')).toEqual(['1', '2']);
    b.disconnect();
    await src.kill('SIGKILL');
  });
});

describe.skipIf(!redisServerAvailable())('redis-cli --cluster reshard between Hoard nodes (MIGRATE, RESTORE-ASKING)', () => {
  it('moves 150 slots with their keys while a cluster client writes; every key reads back from its owner', async () => {
    const args = ['--cluster-enabled', 'yes'];
    const nodes = [await spawn('hoard', args), await spawn('hoard', args), await spawn('hoard', args)];
    const create = await runProgram(process.execPath, [path.join(ROOT, 'dist/tools/cluster.js'), 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`)], '', 60_000);
    expect(create.code).toBe(0);
    const ids = await Promise.all(nodes.map(async (n) => String(await conn(n.port).call('CLUSTER', 'MYID'))));
    const cluster = new Cluster([{ host: '127.0.0.1', port: nodes[0].port }], { redisOptions: { maxRetriesPerRequest: 5 } });
    cluster.on('error', () => {});
    try {
      const N = 5000;
      for (let i = 0; i < N; i += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, j) => cluster.set(`key:${i + j}`, `v${i + j}`)));
      }
      await cluster.hset('{key:7}:h', 'f', 'v');
      await cluster.zadd('{key:8}:z', 1, 'm');
      const slotOwners = async (): Promise<Map<number, number>> => {
        const owners = new Map<number, number>();
        const slots = (await conn(nodes[2].port).call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
        for (const [a, b, [, p]] of slots) for (let s = a; s <= b; s++) owners.set(s, p);
        return owners;
      };
      const ownersBefore = await slotOwners();

      let writing = true;
      let written = 0;
      let errors = 0;
      const writer = (async () => {
        while (writing) {
          await Promise.all(Array.from({ length: 20 }, (_, j) => cluster.set(`w:${written + j}`, String(written + j)).catch(() => errors++)));
          written += 20;
        }
      })();
      const reshard = await runProgram('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${nodes[0].port}`, '--cluster-from', ids[0], '--cluster-to', ids[1], '--cluster-slots', '150', '--cluster-yes'], '', 120_000);
      writing = false;
      await writer;
      expect(reshard.code, reshard.stdout.slice(-2000) + reshard.stderr).toBe(0);
      expect(reshard.stdout).not.toMatch(/\[ERR\]/);
      expect(errors).toBe(0);

      // The map moved: node 1 now serves 150 slots node 0 served, every node agrees.
      const check = await runProgram('redis-cli', ['--cluster', 'check', `127.0.0.1:${nodes[2].port}`], '', 30_000);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('All nodes agree about slots configuration');
      expect(check.stdout).toContain('All 16384 slots covered');
      const owners = await slotOwners();
      const changed = [...owners].filter(([s, p]) => ownersBefore.get(s) !== p);
      expect(changed).toHaveLength(150);
      expect(changed.every(([s, p]) => ownersBefore.get(s) === nodes[0].port && p === nodes[1].port)).toBe(true);
      const movedSlots = new Set(changed.map(([s]) => s));
      const keysInMoved = Array.from({ length: N }, (_, i) => `key:${i}`).filter((k) => movedSlots.has(keyHashSlot(k))).length;
      expect(keysInMoved).toBeGreaterThan(20); // the move carried keys, not only empty slots

      // Each key is on the node that owns its slot, and only there; nothing was lost.
      const all: string[] = [];
      for (let i = 0; i < N; i++) all.push(`key:${i}`);
      for (let i = 0; i < written; i++) all.push(`w:${i}`);
      all.push('{key:7}:h', '{key:8}:z');
      const after = await Promise.all(nodes.map((n) => conn(n.port).dbsize()));
      expect(after.reduce((x, y) => x + y, 0)).toBe(all.length);
      const byPort = new Map(nodes.map((n) => [n.port, [] as string[]]));
      for (const k of all) byPort.get(owners.get(keyHashSlot(k))!)!.push(k);
      for (const n of nodes) {
        const mine = byPort.get(n.port)!;
        const p = conn(n.port).pipeline();
        for (const k of mine) p.exists(k);
        const found = ((await p.exec()) ?? []).filter(([e, v]) => e === null && v === 1).length;
        expect(found).toBe(mine.length);
      }
      const values = await Promise.all(all.slice(0, N).map((k) => cluster.get(k)));
      expect(values.every((v, i) => v === `v${i}`)).toBe(true);
      const w = await Promise.all(all.slice(N, N + written).map((k) => cluster.get(k)));
      expect(w.every((v, i) => v === String(i))).toBe(true);
      expect(await cluster.hget('{key:7}:h', 'f')).toBe('v');
      expect(await cluster.zscore('{key:8}:z', 'm')).toBe('1');
    } finally {
      cluster.disconnect();
    }
  });
});
