// Replication, primary side, proven by Redis itself: a real redis-server is made a replica of a
// Hoard process (REPLICAOF), and must end up holding exactly what Hoard holds — the dataset as of
// the full sync, then every write streamed after it, including the writes made while the sync
// ran. Also: WAIT/ROLE/INFO/CLIENT LIST while a replica is attached, `redis-cli --rdb` (a file
// redis-check-rdb accepts and redis-server loads), and a replica killed in the middle of its sync.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { readAll, type State } from '../helpers/contents.js';
import { ROOT, ensureBuilt, runProgram, spawnServer, tempDir, type SpawnedServer } from '../helpers/proc.js';
import { rawLine } from '../helpers/raw-conn.js';

const running: SpawnedServer[] = [];
const clients: Redis[] = [];

async function start(kind: 'hoard' | 'redis', extra: string[] = []): Promise<SpawnedServer> {
  if (kind === 'hoard') ensureBuilt();
  const s = await spawnServer(kind, extra);
  running.push(s);
  return s;
}

function client(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: false });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of running.splice(0)) await s.stop();
});

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1];
}

async function linkUp(replica: Redis): Promise<void> {
  await until('the replica link to come up', async () => infoField(await replica.info('replication'), 'master_link_status') === 'up');
}

/** Every key of every db, through the protocol (test/helpers/contents.ts): what must be equal on a primary and its replica. */
async function contents(port: number): Promise<State> {
  return (await readAll(port)).state;
}

/** A dataset with every type, both encodings of each, expiries, and several dbs. */
async function fill(r: Redis, strings = 20_000): Promise<void> {
  const p = r.pipeline();
  // Enough keys that the full sync's walk spans many slices, with writes landing between them.
  for (let i = 0; i < strings; i++) p.set(`str:${i}`, `value-${i}-${'x'.repeat(i % 50)}`);
  p.set('int', '12345');
  p.set('ttl:a', 'soon', 'PX', 600_000);
  p.rpush('list:small', 'a', 'b', 'c');
  for (let i = 0; i < 1000; i++) p.rpush('list:big', `item-${i}`);
  p.hset('hash:small', 'f1', 'v1', 'f2', 'v2');
  for (let i = 0; i < 300; i++) p.hset('hash:big', `field-${i}`, `v${i}`);
  p.sadd('set:ints', 1, 2, 3, 40000);
  for (let i = 0; i < 600; i++) p.sadd('set:big', `member-${i}`);
  p.zadd('zset:small', 1, 'one', 2.5, 'two');
  for (let i = 0; i < 300; i++) p.zadd('zset:big', i * 1.5, `m-${i}`);
  p.xadd('stream', '1-1', 'f', 'v');
  p.xadd('stream', '2-1', 'g', 'w');
  p.expire('hash:big', 3600);
  await p.exec();
  await r.select(5);
  await r.set('db5:key', 'five');
  await r.rpush('db5:list', 'x', 'y');
  await r.select(0);
}

describe.skipIf(!redisServerAvailable())('redis-server as a replica of Hoard', () => {
  it('gets the dataset, the writes made while it synced, and every write after', async () => {
    const hoard = await start('hoard');
    const h = client(hoard.port);
    await fill(h);
    // Writes keep flowing before, during and after the full sync.
    const w = client(hoard.port);
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        n++;
        await w.incr('counter');
        await w.rpush('list:big', `late-${n}`);
        await w.hset('hash:big', `field-${n % 400}`, `changed-${n}`);
        await w.del(`str:${n % 2000}`);
        await w.multi().set(`tx:${n}`, 'a').incrby('counter', 10).exec();
        if (n % 10 === 0) await w.pexpire(`str:${(n + 7) % 2000}`, 600_000);
      }
    })();
    const replica = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    const rr = client(replica.port);
    await linkUp(rr);
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await writer;
    expect(n).toBeGreaterThan(10);
    // The writer's last write is acknowledged by the replica once WAIT answers 1.
    expect(await w.wait(1, 10_000)).toBe(1);
    expect(await contents(replica.port)).toEqual(await contents(hoard.port));

    // What the keyspace does by itself reaches the replica too: an expiry becomes a DEL.
    await h.set('vanishing', 'v', 'PX', 50);
    await until('the expired key to leave the replica', async () => (await rr.exists('vanishing')) === 0);
    // Keyless and multi-db writes: FLUSHDB, SWAPDB, MOVE.
    await h.select(5);
    await h.flushdb();
    await h.select(0);
    await h.swapdb(0, 1);
    await h.select(1);
    await h.move('int', 3);
    await h.select(0);
    expect(await h.wait(1, 10_000)).toBe(1);
    expect(await contents(replica.port)).toEqual(await contents(hoard.port));
    expect(await rr.dbsize()).toBe(0);
  });

  it('shows in INFO replication, ROLE and CLIENT LIST, and leaves them when it goes', async () => {
    const hoard = await start('hoard');
    const h = client(hoard.port);
    await h.set('k', 'v');
    const replica = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    await linkUp(client(replica.port));
    await until('the replica to acknowledge', async () => (await h.wait(1, 1000)) === 1);
    const info = await h.info('replication');
    expect(infoField(info, 'role')).toBe('master');
    expect(infoField(info, 'connected_slaves')).toBe('1');
    const offset = Number(infoField(info, 'master_repl_offset'));
    expect(infoField(info, 'slave0')).toMatch(new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`));
    const role = (await h.role()) as [string, number, Array<[string, string, string]>];
    expect(role[0]).toBe('master');
    expect(role[1]).toBeGreaterThanOrEqual(offset);
    expect(role[2]).toHaveLength(1);
    expect(role[2][0].slice(0, 2)).toEqual(['127.0.0.1', String(replica.port)]);
    expect(Number(role[2][0][2])).toBeLessThanOrEqual(role[1]);
    expect(String(await h.client('LIST'))).toMatch(/ flags=S /);
    const stats = await h.info('stats');
    expect(infoField(stats, 'sync_full')).toBe('1');
    expect(infoField(stats, 'sync_partial_err')).toBe('0');
    replica.child.kill('SIGKILL');
    await until('the replica to be gone', async () => infoField(await h.info('replication'), 'connected_slaves') === '0');
    expect(((await h.role()) as unknown[])[2]).toEqual([]);
  });

  it('WAIT answers the acknowledged count: at once when enough, at its timeout when not', async () => {
    const hoard = await start('hoard');
    const h = client(hoard.port);
    // No replica: WAIT 1 blocks for its timeout and answers 0, as Redis does.
    let t0 = Date.now();
    expect(await h.wait(1, 200)).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    const replica = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    await linkUp(client(replica.port));
    // GETACK makes the replica answer at once, not at its next one-second ACK: of three WAITs
    // right after a write, at least one returns well within that second (loose: CI is busy).
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      await h.set('a', String(i));
      t0 = Date.now();
      expect(await h.wait(1, 10_000)).toBe(1);
      took.push(Date.now() - t0);
    }
    expect(Math.min(...took)).toBeLessThan(800);
    t0 = Date.now();
    expect(await h.wait(2, 300)).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('a replica whose link drops continues from the backlog (+CONTINUE), or syncs in full once the backlog lost its offset', async () => {
    const hoard = await start('hoard');
    const h = client(hoard.port);
    await fill(h);
    const replica = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    const rr = client(replica.port);
    await linkUp(rr);
    // The link drops; writes go on meanwhile; the replica reconnects by itself within a second.
    expect(Number(await h.client('KILL', 'TYPE', 'replica'))).toBe(1);
    for (let i = 0; i < 50; i++) await h.set(`during:${i}`, `v${i}`);
    await h.rpush('list:big', 'during');
    await until('the replica to come back', async () => infoField(await h.info('replication'), 'connected_slaves') === '1' && (await h.wait(1, 200)) === 1);
    let stats = await h.info('stats');
    expect(infoField(stats, 'sync_partial_ok')).toBe('1');
    expect(infoField(stats, 'sync_full')).toBe('1');
    expect(await contents(replica.port)).toEqual(await contents(hoard.port));
    const repl = await h.info('replication');
    expect(infoField(repl, 'repl_backlog_active')).toBe('1');
    expect(Number(infoField(repl, 'repl_backlog_histlen'))).toBeGreaterThan(0);

    // An offset the backlog no longer holds, or another stream's id, gets a full resync
    // (sync_partial_err); the current offset of this stream continues. Asked on raw
    // connections, so that no reconnect timing is involved.
    await h.config('SET', 'repl-backlog-size', '16384');
    const big = h.pipeline();
    for (let i = 0; i < 100; i++) big.set(`big:${i}`, 'x'.repeat(1000));
    await big.exec();
    const repl2 = await h.info('replication');
    const replid = infoField(repl2, 'master_replid') as string;
    const end = Number(infoField(repl2, 'master_repl_offset'));
    expect(Number(infoField(repl2, 'repl_backlog_histlen'))).toBe(16384);
    expect(Number(infoField(repl2, 'repl_backlog_first_byte_offset'))).toBe(end - 16384 + 1);
    expect(await rawLine(hoard.port, `PSYNC ${replid} 1`)).toMatch(new RegExp(`^\\+FULLRESYNC ${replid} \\d+$`));
    expect(await rawLine(hoard.port, `PSYNC ${'f'.repeat(40)} ${end + 1}`)).toMatch(/^\+FULLRESYNC /);
    expect(await rawLine(hoard.port, `PSYNC ${replid} ${end + 1}`)).toBe(`+CONTINUE ${replid}`);
    expect(await rawLine(hoard.port, `PSYNC ${replid} ${end - 16384 + 1}`)).toBe(`+CONTINUE ${replid}`);
    stats = await h.info('stats');
    expect(infoField(stats, 'sync_partial_err')).toBe('2');
    expect(infoField(stats, 'sync_partial_ok')).toBe('3');
    // The real replica went on following all along.
    expect(await h.wait(1, 10_000)).toBe(1);
    expect(await contents(replica.port)).toEqual(await contents(hoard.port));
  });

  it("the stream's PINGs and GETACKs also go into the primary's AOF (one offset space): it stays valid and replays", async () => {
    const hoard = await start('hoard', ['--appendonly', 'yes', '--appendfsync', 'always', '--repl-ping-replica-period', '1']);
    const h = client(hoard.port);
    await h.set('a', '1');
    const replica = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    await linkUp(client(replica.port));
    await h.set('b', '2');
    expect(await h.wait(1, 5000)).toBe(1); // a GETACK into the stream
    const before = Number(infoField(await h.info('replication'), 'master_repl_offset'));
    await until('a PING into the stream', async () => Number(infoField(await h.info('replication'), 'master_repl_offset')) > before, 5000);
    await h.set('c', '3');
    hoard.child.kill('SIGKILL');
    await hoard.exited;
    const check = await runProgram(process.execPath, [path.join(ROOT, 'dist/tools/check-aof.js'), hoard.dir]);
    expect(check.stdout + check.stderr).toContain('AOF is valid');
    const again = await start('hoard', ['--dir', hoard.dir, '--appendonly', 'yes']);
    expect(await client(again.port).mget('a', 'b', 'c')).toEqual(['1', '2', '3']);
  });

  it('a BGSAVE during a full sync: two walks at once, each image whole', async () => {
    const hoard = await start('hoard');
    const h = client(hoard.port);
    for (let i = 0; i < 200_000; i += 10_000) {
      const p = h.pipeline();
      for (let j = i; j < i + 10_000; j++) p.set(`key:${j}`, `value:${j}`);
      await p.exec();
    }
    const replica = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    await until('the sync to start', async () => (infoField(await h.info('replication'), 'slave0') ?? '') !== '', 10_000);
    expect(await h.bgsave()).toBe('Background saving started');
    // The sync's walk was still going when the snapshot's began.
    expect(infoField(await h.info('replication'), 'slave0')).toMatch(/state=(wait_bgsave|send_bulk),/);
    // Writes while both walks run: each image keeps the values of its own point in time.
    for (let j = 0; j < 2000; j++) await h.set(`key:${j}`, 'changed');
    await until('the BGSAVE to end', async () => infoField(await h.info('persistence'), 'rdb_bgsave_in_progress') === '0');
    const r = client(replica.port);
    await linkUp(r);
    expect(await h.wait(1, 10_000)).toBe(1);
    expect(await r.dbsize()).toBe(200_000);
    const changed = Array.from({ length: 2000 }, (_, j) => `key:${j}`);
    expect(new Set(await r.mget(changed))).toEqual(new Set(['changed']));
    const kept = Array.from({ length: 2000 }, (_, j) => `key:${198_000 + j}`);
    expect(await r.mget(kept)).toEqual(kept.map((k) => `value:${k.slice(4)}`));
    expect(infoField(await h.info('persistence'), 'rdb_last_bgsave_status')).toBe('ok');
    // The snapshot is a whole image too: a restart from it has every key.
    hoard.child.kill('SIGKILL');
    await hoard.exited;
    const again = await start('hoard', ['--dir', hoard.dir]);
    expect(await client(again.port).dbsize()).toBe(200_000);
  });

  it('a replica killed in the middle of its full sync: Hoard goes on, and the next replica syncs', async () => {
    const hoard = await start('hoard');
    const h = client(hoard.port);
    for (let i = 0; i < 200_000; i += 10_000) {
      const p = h.pipeline();
      for (let j = i; j < i + 10_000; j++) p.set(`key:${j}`, `value:${j}:${'v'.repeat(60)}`);
      await p.exec();
    }
    const first = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    let state = '';
    await until('the sync to start', async () => {
      state = infoField(await h.info('replication'), 'slave0') ?? '';
      return state !== '';
    }, 10_000);
    first.child.kill('SIGKILL');
    // Killed while its RDB was still being produced or sent, not after.
    expect(state).toMatch(/state=(wait_bgsave|send_bulk),/);
    await until('the killed replica to be gone', async () => infoField(await h.info('replication'), 'connected_slaves') === '0');
    // Nothing of the abandoned sync is left: writes work, a snapshot starts and ends.
    await h.set('after', 'kill');
    expect(await h.dbsize()).toBe(200_001);
    const second = await start('redis', ['--replicaof', '127.0.0.1', String(hoard.port)]);
    const r2 = client(second.port);
    await linkUp(r2);
    expect(await h.wait(1, 10_000)).toBe(1);
    expect(await r2.dbsize()).toBe(200_001);
    expect(await r2.get('key:123456')).toBe(`value:123456:${'v'.repeat(60)}`);
    expect(await r2.get('after')).toBe('kill');
  });
});

describe.skipIf(!redisServerAvailable())('redis-cli --rdb against Hoard', () => {
  it('writes an RDB file that redis-check-rdb accepts and redis-server loads into the same data', async () => {
    const hoard = await start('hoard');
    await fill(client(hoard.port));
    const dir = tempDir('hoard-rdb-');
    try {
      const file = path.join(dir, 'dump.rdb');
      const cli = await runProgram('redis-cli', ['-p', String(hoard.port), '--rdb', file]);
      expect(cli.code, cli.stderr + cli.stdout).toBe(0);
      const check = await runProgram('redis-check-rdb', [file]);
      expect(check.stdout + check.stderr).toMatch(/RDB looks OK/);
      // The transfer was an rdb-only sync: no replica stays attached.
      expect(infoField(await client(hoard.port).info('replication'), 'connected_slaves')).toBe('0');
      const loaded = await start('redis', ['--dir', dir, '--dbfilename', 'dump.rdb']);
      expect(await contents(loaded.port)).toEqual(await contents(hoard.port));
      expect(fs.statSync(file).size).toBeGreaterThan(1000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!redisServerAvailable())('Hoard as a replica (REPLICAOF)', () => {
  it('of a redis-server: the dataset, then the stream; writes refused with READONLY; REPLICAOF NO ONE keeps the data', async () => {
    // No 5 s wait for more replicas before a diskless sync.
    const primary = await start('redis', ['--repl-diskless-sync-delay', '0']);
    const p = client(primary.port);
    await fill(p);
    const hoard = await start('hoard');
    const h = client(hoard.port);
    await h.set('stale', 'gone after the sync');
    expect(await h.replicaof('127.0.0.1', String(primary.port))).toBe('OK');
    await linkUp(h);
    // Writes on the primary after the sync: MULTI/EXEC, another db.
    await p.multi().incr('counter').rpush('list:small', 'd').exec();
    await p.select(7);
    await p.set('db7', 'seven');
    await p.select(0);
    expect(await p.wait(1, 5000)).toBe(1);
    expect(await contents(hoard.port)).toEqual(await contents(primary.port));
    // An expiry on the primary reaches the replica as a DEL (read apart from the comparison:
    // the key lives 100 ms, less than two reads of both servers).
    await p.set('short', 'v', 'PX', 100);
    await until('the expiry to reach the replica', async () => (await h.exists('short')) === 0 && (await p.exists('short')) === 0);
    // A replica refuses client writes, reads fine, and says who it follows.
    await expect(h.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    expect(await h.get('str:1')).toBe(await p.get('str:1'));
    const role = (await h.role()) as unknown[];
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', primary.port, 'connected']);
    const info = await h.info('replication');
    expect(infoField(info, 'role')).toBe('slave');
    expect(infoField(info, 'master_link_status')).toBe('up');
    expect(Number(infoField(info, 'slave_repl_offset'))).toBe(Number(infoField(await p.info('replication'), 'master_repl_offset')));
    // A primary again: same data, writable.
    expect(await h.replicaof('NO', 'ONE')).toBe('OK');
    expect(infoField(await h.info('replication'), 'role')).toBe('master');
    expect(await h.set('x', '1')).toBe('OK');
    expect(await h.get('db7')).toBe(null);
    await h.select(7);
    expect(await h.get('db7')).toBe('seven');
  });

  it('announces replica-announce-ip / -port to its primary (redis-server and Hoard alike) instead of its own address', async () => {
    for (const kind of ['hoard', ...(redisServerAvailable() ? ['redis' as const] : [])] as const) {
      const primary = await start(kind);
      const replica = await start('hoard', ['--replica-announce-ip', '10.1.2.3', '--replica-announce-port', '4444']);
      const r = client(replica.port);
      await r.replicaof('127.0.0.1', String(primary.port));
      await linkUp(r);
      const p = client(primary.port);
      // redis-server lists the replica as online only once its first REPLCONF ACK after the sync
      // arrived, which may be after the replica reports its link up.
      await until('the primary to list its replica online', async () => /state=online/.test(infoField(await p.info('replication'), 'slave0') ?? ''));
      expect(infoField(await p.info('replication'), 'slave0'), kind).toMatch(/^ip=10\.1\.2\.3,port=4444,state=online,/);
      expect(((await p.call('ROLE')) as unknown[][])[2][0], kind).toEqual(['10.1.2.3', '4444', expect.any(String)]);
    }
  });

  it('of another Hoard: full sync, the stream, a partial resync after the link drops, and its own AOF keeps what it got', async () => {
    const primary = await start('hoard');
    const p = client(primary.port);
    await fill(p);
    const replica = await start('hoard', ['--appendonly', 'yes']);
    const r = client(replica.port);
    await r.replicaof('127.0.0.1', String(primary.port));
    await linkUp(r);
    await p.hset('hash:big', 'new', 'field');
    expect(await p.wait(1, 5000)).toBe(1);
    expect(await contents(replica.port)).toEqual(await contents(primary.port));
    // The stream is in db 3 when the link drops; the replica comes back and continues from the
    // primary's backlog — in db 3, which the stream does not select again.
    await p.select(3);
    await p.set('db3:before', '1');
    expect(await p.wait(1, 5000)).toBe(1);
    expect(Number(await p.client('KILL', 'TYPE', 'replica'))).toBe(1);
    await p.set('db3:while', 'down');
    await p.select(0);
    await p.set('while', 'down');
    await until('the replica to come back', async () => (await p.wait(1, 200)) === 1);
    expect(infoField(await p.info('stats'), 'sync_partial_ok')).toBe('1');
    expect(await contents(replica.port)).toEqual(await contents(primary.port));
    await r.select(3);
    expect(await r.get('db3:while')).toBe('down');
    // What the replica received went through its own log: its AOF and snapshot hold it.
    const expected = await contents(primary.port);
    replica.child.kill('SIGKILL');
    await replica.exited;
    const again = await start('hoard', ['--dir', replica.dir, '--appendonly', 'yes']);
    expect(await contents(again.port)).toEqual(expected);
  });
});

describe('one offset space across a promotion (PSYNC2: replid2)', () => {
  /** Primary A with replicas B and C, both synced, with data in several dbs. */
  async function trio(cKind: 'hoard' | 'redis' = 'hoard') {
    const a = await start('hoard');
    const pa = client(a.port);
    await fill(pa, 2000);
    const b = await start('hoard');
    const c = await start(cKind);
    const rb = client(b.port);
    const rc = client(c.port);
    for (const r of [rb, rc]) {
      await r.replicaof('127.0.0.1', String(a.port));
      await linkUp(r);
    }
    // The stream is left in db 2: a continuation must not lose that.
    await pa.select(2);
    await pa.set('db2:before', 'x');
    expect(await pa.wait(2, 5000)).toBe(2);
    return { a, b, c, pa, rb, rc };
  }

  it('the other replica, re-pointed at the promoted one, continues instead of a full resync (Hoard and redis-server alike)', async () => {
    for (const cKind of ['hoard', ...(redisServerAvailable() ? ['redis' as const] : [])] as const) {
      const { a, b, c, pa, rb, rc } = await trio(cKind);
      const aInfo = await pa.info('replication');
      const offsetAtKill = Number(infoField(aInfo, 'master_repl_offset'));
      const aReplid = infoField(aInfo, 'master_replid')!;
      // B followed A's stream byte for byte: same id, same offset.
      expect(infoField(await rb.info('replication'), 'master_replid')).toBe(aReplid);
      expect(Number(infoField(await rb.info('replication'), 'master_repl_offset'))).toBe(offsetAtKill);
      a.child.kill('SIGKILL');
      await a.exited;
      await rb.replicaof('NO', 'ONE');
      const bInfo = await rb.info('replication');
      expect(infoField(bInfo, 'master_replid2')).toBe(aReplid);
      expect(Number(infoField(bInfo, 'second_repl_offset'))).toBe(offsetAtKill + 1);
      expect(infoField(bInfo, 'master_replid')).not.toBe(aReplid);
      // Writes on B before C comes, in another db: they must reach C from B's backlog.
      await rb.select(5);
      await rb.set('on-b:early', '1');
      await rc.replicaof('127.0.0.1', String(b.port));
      await linkUp(rc);
      const bStats = await rb.info('stats');
      expect(infoField(bStats, 'sync_partial_ok'), cKind).toBe('1');
      expect(infoField(bStats, 'sync_full'), cKind).toBe('0');
      await rb.set('on-b:late', '2');
      expect(await rb.wait(1, 5000)).toBe(1);
      expect(await contents(c.port)).toEqual(await contents(b.port));
      await rc.select(2);
      expect(await rc.get('db2:before')).toBe('x');
      // C's offset is B's: WAIT counted it, and INFO says so.
      expect(infoField(await rc.info('replication'), 'slave_repl_offset')).toBe(infoField(await rb.info('replication'), 'master_repl_offset'));
      for (const s of running.splice(0)) await s.stop();
      for (const cl of clients.splice(0)) cl.disconnect();
    }
  }, 120_000);

  /** Primary A, filled, and a Hoard replica B of it with its link up. */
  async function pair() {
    const a = await start('hoard');
    const pa = client(a.port);
    await fill(pa, 2000);
    const b = await start('hoard');
    const rb = client(b.port);
    await rb.replicaof('127.0.0.1', String(a.port));
    await linkUp(rb);
    return { a, pa, b, rb };
  }

  it('a replica of a replica gets the primary stream as it is, and one offset space throughout', async () => {
    const { a, pa, b, rb } = await pair();
    await pa.select(4);
    await pa.set('db4:k', 'v');
    expect(await pa.wait(1, 5000)).toBe(1);
    // C syncs from B while A's stream is in db 4: the RDB says so, and C goes on in db 4.
    const c = await start('hoard');
    const rc = client(c.port);
    await rc.replicaof('127.0.0.1', String(b.port));
    await linkUp(rc);
    await pa.set('db4:after', 'w');
    await pa.select(0);
    await pa.incr('counter');
    await until('C to catch up', async () => infoField(await rc.info('replication'), 'slave_repl_offset') === infoField(await pa.info('replication'), 'master_repl_offset'));
    expect(await contents(c.port)).toEqual(await contents(a.port));
    expect(infoField(await rc.info('replication'), 'master_replid')).toBe(infoField(await pa.info('replication'), 'master_replid'));
    // C's link to B drops: it continues from B's backlog.
    expect(Number(await rb.client('KILL', 'TYPE', 'replica'))).toBe(1);
    await pa.set('while', 'c-is-away');
    await linkUp(rc);
    await until('C to get it', async () => (await rc.get('while')) === 'c-is-away');
    expect(infoField(await rb.info('stats'), 'sync_partial_ok')).toBe('1');
    expect(infoField(await rb.info('stats'), 'sync_full')).toBe('1');
  }, 60_000);

  it('the old primary, back as a replica of the promoted one with nothing it missed, continues too', async () => {
    const { a, pa, b, rb } = await pair();
    await pa.set('last-on-a', '1');
    expect(await pa.wait(1, 5000)).toBe(1);
    // A controlled switch: B takes over, A follows it.
    await rb.replicaof('NO', 'ONE');
    await rb.set('first-on-b', '1');
    await pa.replicaof('127.0.0.1', String(b.port));
    await linkUp(pa);
    await until('A to get the write made on B', async () => (await pa.get('first-on-b')) === '1');
    expect(infoField(await rb.info('stats'), 'sync_partial_ok')).toBe('1');
    expect(infoField(await rb.info('stats'), 'sync_full')).toBe('0');
    expect(await contents(a.port)).toEqual(await contents(b.port));
    // A that wrote on its own since has a history B lacks: a full resync then, and A's own write is gone.
    await pa.replicaof('NO', 'ONE');
    await pa.set('only-on-a', '1');
    await rb.set('diverged', 'b');
    await pa.replicaof('127.0.0.1', String(b.port));
    await linkUp(pa);
    await until("A to hold B's data", async () => (await pa.get('diverged')) === 'b');
    expect(infoField(await rb.info('stats'), 'sync_full')).toBe('1');
    expect(await pa.get('only-on-a')).toBeNull();
    expect(await contents(a.port)).toEqual(await contents(b.port));
  }, 60_000);
});

describe('min-replicas-to-write / min-replicas-max-lag', () => {
  it('refuse writes (NOREPLICAS, EXEC aborted) while too few replicas acknowledged recently, as redis-server does', async () => {
    const opts = ['--min-replicas-to-write', '1', '--min-replicas-max-lag', '2'];
    // The refusals, compared with redis-server's under the same settings and no replica.
    const kinds = ['hoard', ...(redisServerAvailable() ? ['redis' as const] : [])] as const;
    const answers: Record<string, unknown[]> = {};
    for (const kind of kinds) {
      const s = await start(kind, opts);
      const c = client(s.port);
      const got: unknown[] = [];
      got.push(await c.set('k', 'v').catch((e: Error) => e.message));
      got.push(await c.get('k'));
      got.push(await c.multi().set('k', 'v').get('k').exec().catch((e: Error) => e.message));
      got.push(infoField(await c.info('replication'), 'min_slaves_good_slaves'));
      answers[kind] = got;
    }
    if (answers.redis !== undefined) expect(answers.hoard).toEqual(answers.redis);
    // (The SET inside MULTI is refused as it is queued, so EXEC aborts for "previous errors".)
    expect(answers.hoard).toEqual(['NOREPLICAS Not enough good replicas to write.', null, 'EXECABORT Transaction discarded because of previous errors.', '0']);
    // With a replica acknowledging, writes go through; a replica that stops acknowledging
    // (stopped process) stops them again after the lag; back, they go through again.
    const primary = await start('hoard', opts);
    const p = client(primary.port);
    const replica = await start('hoard');
    const r = client(replica.port);
    await r.replicaof('127.0.0.1', String(primary.port));
    await linkUp(r);
    await until('a good replica', async () => infoField(await p.info('replication'), 'min_slaves_good_slaves') === '1');
    expect(await p.set('k', 'v1')).toBe('OK');
    replica.child.kill('SIGSTOP');
    try {
      await until('the stopped replica to count as lagging', async () => (await p.set('k', 'v2').catch((e: Error) => e.message)) === 'NOREPLICAS Not enough good replicas to write.', 10_000);
      expect(infoField(await p.info('replication'), 'min_slaves_good_slaves')).toBe('0');
    } finally {
      replica.child.kill('SIGCONT');
    }
    await until('the replica to acknowledge again', async () => (await p.set('k', 'v3').catch(() => 'no')) === 'OK');
    // A setting of 0 turns the check off.
    await p.config('SET', 'min-replicas-to-write', '0');
    expect(infoField(await p.info('replication'), 'min_slaves_good_slaves')).toBeUndefined();
  }, 60_000);
});
