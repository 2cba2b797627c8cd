// FAILOVER (replication/failover.ts), with real processes: a Hoard primary hands its role to a
// Hoard replica — picked by offset or named — without a full sync and without losing a write it
// acknowledged; writes sent meanwhile wait, then get READONLY from what is now a replica;
// TIMEOUT, ABORT and FORCE; every error reply compared with redis-server's; and the handover
// both ways between Hoard and redis-server (Redis understands PSYNC ... FAILOVER, so must we).
// A replica is held back by SIGSTOP: it then acknowledges nothing, and the primary stays in
// waiting-for-sync for as long as the test needs. The Hoard-to-Hoard scenarios also run on
// redis-server pairs, which proves their assertions (log lines included) are Redis's behaviour.

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { readAll } from '../helpers/contents.js';
import { ensureBuilt, spawnServer, type SpawnedServer } from '../helpers/proc.js';
import { rawLine } from '../helpers/raw-conn.js';

const running: SpawnedServer[] = [];
const clients: Redis[] = [];

async function start(kind: 'hoard' | 'redis', extra: string[] = []): Promise<SpawnedServer> {
  if (kind === 'hoard') ensureBuilt();
  // A redis-server primary would wait 5 s before a diskless full sync.
  const s = await spawnServer(kind, kind === 'redis' ? ['--repl-diskless-sync-delay', '0', ...extra] : extra, { capture: 'all' });
  running.push(s);
  return s;
}

function client(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null) s.child.kill('SIGCONT');
    await s.stop();
  }
});

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*?)\\r?$`, 'm').exec(info)?.[1];
}

/** Waits until `srv` has logged `text` (Hoard's logger writes asynchronously). */
async function logged(srv: SpawnedServer, text: string): Promise<void> {
  await until(`the log line "${text}"`, async () => srv.output().includes(text), 5000);
}

async function replField(r: Redis, name: string): Promise<string | undefined> {
  return field(await r.info('replication'), name);
}

async function statsField(r: Redis, name: string): Promise<string | undefined> {
  return field(await r.info('stats'), name);
}

/** The reply to one command as a string: the value, or `-<error text>`. */
async function reply(r: Redis, ...args: string[]): Promise<string> {
  try {
    return String(await r.call(args[0], ...args.slice(1)));
  } catch (err) {
    return `-${(err as Error).message}`;
  }
}

/** Settles to 'pending' if `p` has not settled within `ms`. */
async function settled(p: Promise<unknown>, ms = 150): Promise<string> {
  return Promise.race([
    p.then(
      (v) => `ok:${String(v)}`,
      (e: Error) => `err:${e.message}`,
    ),
    sleep(ms).then(() => 'pending'),
  ]);
}

/** A primary of `kind` with one replica of `replicaKind`, linked and caught up, with some data. */
async function pair(kind: 'hoard' | 'redis' = 'hoard', replicaKind: 'hoard' | 'redis' = 'hoard') {
  const [p, s] = await Promise.all([start(kind), start(replicaKind)]);
  const pc = client(p.port);
  const sc = client(s.port);
  const pipe = pc.pipeline();
  for (let i = 0; i < 200; i++) pipe.set(`k:${i}`, `v${i}`);
  pipe.rpush('list', 'a', 'b', 'c');
  await pipe.exec();
  await sc.replicaof('127.0.0.1', String(p.port));
  await until('the link to come up', async () => (await replField(sc, 'master_link_status')) === 'up');
  expect(await pc.wait(1, 5000)).toBe(1);
  return { p, s, pc, sc };
}

/** Hoard, and redis-server when installed: the same assertions hold for both (they are Redis's behaviour). */
const KINDS = ['hoard', ...(redisServerAvailable() ? ['redis' as const] : [])] as const;

describe.each(KINDS)('FAILOVER between %s nodes', (kind) => {
  it('hands over to the caught-up replica: writes wait meanwhile, then READONLY; no full sync; nothing acknowledged lost', async () => {
    const { p, s, pc, sc } = await pair(kind, kind);
    // The replica stops acknowledging: the primary has a write it has not confirmed.
    s.child.kill('SIGSTOP');
    await pc.set('acked-before', 'yes');
    await pc.select(3);
    await pc.set('db3', 'three');
    expect(await pc.failover()).toBe('OK');
    expect(await replField(pc, 'master_failover_state')).toBe('waiting-for-sync');
    expect(await reply(pc, 'FAILOVER')).toBe('-ERR FAILOVER already in progress.');
    // A writer is parked; readers are not; CLIENT UNPAUSE does not end a failover's pause.
    const writer = client(p.port);
    const paused = writer.set('written-during', 'x');
    expect(await settled(paused)).toBe('pending');
    expect(await pc.get('acked-before')).toBe(null); // db 3 selected
    expect(await pc.client('UNPAUSE')).toBe('OK');
    expect(await settled(paused)).toBe('pending');
    expect(await pc.role()).toEqual(['master', expect.any(Number), [['127.0.0.1', String(s.port), expect.any(String)]]]);
    // The replica catches up: it is made primary, the old one follows it.
    s.child.kill('SIGCONT');
    await expect(paused).rejects.toThrow(/^READONLY You can't write against a read only replica\./);
    await until('the old primary to follow', async () => (await replField(pc, 'master_link_status')) === 'up');
    expect(await replField(pc, 'master_failover_state')).toBe('no-failover');
    expect(await pc.role()).toEqual(['slave', '127.0.0.1', s.port, 'connected', expect.any(Number)]);
    expect((await sc.role())[0]).toBe('master');
    expect(await replField(sc, 'master_failover_state')).toBe('no-failover');
    // The new primary continued the old one's stream: a partial resync, no full sync anywhere.
    expect(await statsField(sc, 'sync_partial_ok')).toBe('1');
    expect(await statsField(sc, 'sync_full')).toBe('0');
    expect(await statsField(pc, 'sync_full')).toBe('1'); // the replica's first sync, before
    expect(await replField(sc, 'master_replid2')).toBe(await replField(pc, 'master_replid2'));
    expect(await replField(pc, 'master_replid')).toBe(await replField(sc, 'master_replid'));
    // Every acknowledged write is on both; the refused one on neither; new writes flow back.
    expect(await sc.get('acked-before')).toBe('yes');
    await sc.set('on-new-primary', '1');
    expect(await sc.wait(1, 5000)).toBe(1);
    expect(await pc.select(0)).toBe('OK');
    expect(await pc.get('on-new-primary')).toBe('1');
    expect(await pc.exists('written-during')).toBe(0);
    expect((await readAll(p.port)).state).toEqual((await readAll(s.port)).state);
    // As Redis logs it, on both sides.
    await logged(p, `Failover target 127.0.0.1:${s.port} is synced, failing over.`);
    await logged(p, 'FAILOVER requested to any replica.');
    await logged(s, 'MASTER MODE enabled (failover request from');
  }, 20_000);

  it('TO host port with TIMEOUT: aborted when the replica does not catch up in time; ABORT; then FORCE hands over anyway', async () => {
    const { p, s, pc, sc } = await pair(kind, kind);
    const target = ['TO', '127.0.0.1', String(s.port)];
    s.child.kill('SIGSTOP');
    await pc.set('unconfirmed', '1');
    // Long enough that the parked write is seen pending first, even on a loaded machine.
    expect(await pc.failover(...target, 'TIMEOUT', 800)).toBe('OK');
    const writer = client(p.port);
    const first = writer.incr('counter');
    expect(await settled(first)).toBe('pending');
    // The timeout aborts it: a primary still, and the parked write runs here.
    expect(await first).toBe(1);
    expect(await replField(pc, 'master_failover_state')).toBe('no-failover');
    expect((await pc.role())[0]).toBe('master');
    await logged(p, `FAILOVER to 127.0.0.1:${s.port} aborted: Replica never caught up before timeout`);
    // ABORT, by hand.
    expect(await pc.failover()).toBe('OK');
    const second = writer.incr('counter');
    expect(await settled(second)).toBe('pending');
    expect(await pc.failover('ABORT')).toBe('OK');
    expect(await second).toBe(2);
    expect(await reply(pc, 'FAILOVER', 'ABORT')).toBe('-ERR No failover in progress.');
    await logged(p, 'FAILOVER to any replica aborted: Failover manually aborted');
    // FORCE: past the timeout it fails over to the replica, caught up or not.
    expect(await pc.failover(...target, 'FORCE', 'TIMEOUT', 200)).toBe('OK');
    await until('failover-in-progress', async () => (await replField(pc, 'master_failover_state')) === 'failover-in-progress');
    expect((await pc.role())[0]).toBe('slave');
    await logged(p, `FAILOVER to 127.0.0.1:${s.port} time out exceeded, failing over.`);
    s.child.kill('SIGCONT');
    await until('the old primary to follow the new one', async () => (await replField(pc, 'master_link_status')) === 'up');
    expect(await replField(pc, 'master_failover_state')).toBe('no-failover');
    expect((await sc.role())[0]).toBe('master');
    await sc.set('after', 'force');
    expect(await sc.wait(1, 5000)).toBe(1);
    expect((await readAll(p.port)).state).toEqual((await readAll(s.port)).state);
  }, 20_000);

  it('picks, with no TO, the first replica whose acknowledged offset reaches the primary\'s', async () => {
    const [{ p, s: stopped, pc, sc: stoppedc }, s] = await Promise.all([pair(kind, kind), start(kind)]);
    const sc = client(s.port);
    await sc.replicaof('127.0.0.1', String(p.port));
    await until('the second link to come up', async () => (await replField(sc, 'master_link_status')) === 'up');
    expect(await pc.wait(2, 5000)).toBe(2);
    // The first replica (slave0) falls behind; the second one keeps up and is chosen.
    stopped.child.kill('SIGSTOP');
    await pc.set('behind', '1');
    expect(await pc.failover()).toBe('OK');
    await until('the old primary to follow', async () => (await replField(pc, 'master_link_status')) === 'up');
    expect(await pc.role()).toEqual(['slave', '127.0.0.1', s.port, 'connected', expect.any(Number)]);
    expect((await sc.role())[0]).toBe('master');
    expect(await sc.get('behind')).toBe('1');
    await logged(p, `Failover target 127.0.0.1:${s.port} is synced, failing over.`);
    stopped.child.kill('SIGCONT');
    // The one left behind still follows the old primary, now a replica: it gets the new writes.
    await sc.set('later', '2');
    await until('the write to reach the replica left behind', async () => (await stoppedc.get('later')) === '2');
  }, 20_000);

  it('aborts, a primary again with a new replid, when the target refuses the PSYNC FAILOVER', async () => {
    // The replica announces the port of another server, a primary: FAILOVER TO that address
    // finds the replica caught up, then sends its PSYNC FAILOVER to a server that refuses it.
    const other = await start(kind);
    const p = await start(kind);
    const s = await start(kind, ['--replica-announce-port', String(other.port)]);
    const pc = client(p.port);
    const sc = client(s.port);
    await pc.set('before', '1');
    await sc.replicaof('127.0.0.1', String(p.port));
    await until('the link to come up', async () => (await replField(sc, 'master_link_status')) === 'up');
    expect(await pc.wait(1, 5000)).toBe(1);
    const replid = await replField(pc, 'master_replid');
    expect(await pc.failover('TO', '127.0.0.1', String(other.port))).toBe('OK');
    await until('the failover to end', async () => (await replField(pc, 'master_failover_state')) === 'no-failover');
    await logged(p, `FAILOVER to 127.0.0.1:${other.port} aborted: Failover target rejected psync request`);
    expect((await pc.role())[0]).toBe('master');
    expect(await pc.set('after', '2')).toBe('OK');
    // As REPLICAOF NO ONE: a new history, the old one continuable — the replica continues.
    expect(await replField(pc, 'master_replid2')).toBe(replid);
    expect(await replField(pc, 'master_replid')).not.toBe(replid);
    await until('the replica to follow again', async () => (await sc.get('after')) === '2');
    expect(await statsField(pc, 'sync_full')).toBe('1');
    expect((await client(other.port).role())[0]).toBe('master');
  }, 20_000);
});

describe.skipIf(!redisServerAvailable())('FAILOVER as redis-server does it', () => {
  it('answers every misuse with the same error as redis-server', async () => {
    const servers = await Promise.all([pair('hoard'), pair('redis')]);
    const lone = await Promise.all([start('hoard'), start('redis')]);
    const results: string[][] = [[], []];
    for (let k = 0; k < 2; k++) {
      const { s, pc, sc } = servers[k];
      const lc = client(lone[k].port);
      const out = results[k];
      const to = ['TO', '127.0.0.1', String(s.port)];
      for (const args of [
        ['FAILOVER', 'ABORT'],
        ['FAILOVER', 'ABORT', 'TIMEOUT', '10'],
        ['FAILOVER', 'TO'],
        ['FAILOVER', 'TO', '127.0.0.1'],
        ['FAILOVER', 'TO', '127.0.0.1', 'port'],
        ['FAILOVER', 'TIMEOUT', '0'],
        ['FAILOVER', 'TIMEOUT', '-5'],
        ['FAILOVER', 'TIMEOUT', 'x'],
        ['FAILOVER', 'TIMEOUT', '10', 'TIMEOUT', '10'],
        ['FAILOVER', 'FORCE', 'FORCE'],
        ['FAILOVER', 'bogus'],
        ['FAILOVER', 'FORCE'],
        ['FAILOVER', 'FORCE', 'TIMEOUT', '100'],
        ['FAILOVER', ...to, 'FORCE'],
        ['FAILOVER', 'TO', '127.0.0.1', '1'],
        ['FAILOVER', 'TO', '10.9.9.9', String(s.port)],
      ]) {
        out.push(`${args.join(' ').replace(String(s.port), 'PORT')} => ${await reply(pc, ...args)}`);
      }
      out.push(`lone: ${await reply(lc, 'FAILOVER')}`);
      out.push(`replica: ${await reply(sc, 'FAILOVER')}`);
      out.push(`replica abort: ${await reply(sc, 'FAILOVER', 'ABORT')}`);
      // PSYNC ... FAILOVER to a primary, and to a replica with a replid not its own.
      out.push(`psync-failover to a primary: ${await rawLine(lone[k].port, 'PSYNC 0123456789012345678901234567890123456789 1 FAILOVER')}`);
      out.push(`psync-failover, wrong replid: ${await rawLine(s.port, 'PSYNC 0123456789012345678901234567890123456789 1 FAILOVER')}`);
      // While waiting for the (stopped) replica: what is refused.
      s.child.kill('SIGSTOP');
      await pc.set('unconfirmed', '1');
      out.push(`start: ${await reply(pc, 'FAILOVER', ...to, 'TIMEOUT', '5000')}`);
      out.push(`state: ${await replField(pc, 'master_failover_state')}`);
      out.push(`again: ${await reply(pc, 'FAILOVER')}`);
      out.push(`replicaof: ${await reply(pc, 'REPLICAOF', '127.0.0.1', String(lone[k].port))}`);
      out.push(`replicaof no one: ${await reply(pc, 'REPLICAOF', 'NO', 'ONE')}`);
      out.push(`psync: ${await rawLine(servers[k].p.port, 'PSYNC ? -1')}`);
      out.push(`abort: ${await reply(pc, 'FAILOVER', 'ABORT')}`);
      out.push(`state: ${await replField(pc, 'master_failover_state')}`);
      s.child.kill('SIGCONT');
    }
    expect(results[0]).toEqual(results[1]);
    // (A sample, so that a test that compares nothing cannot pass.)
    expect(results[0]).toContain('FAILOVER FORCE TIMEOUT 100 => -ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
    expect(results[0]).toContain("psync: -NOMASTERLINK Can't SYNC while failing over");
  }, 20_000);

  it('FAILOVER TO a replica still in its full sync: not online, as redis-server says', async () => {
    const got: string[] = [];
    for (const kind of ['hoard', 'redis'] as const) {
      const srv = await start(kind);
      const c = client(srv.port);
      if (kind === 'redis') await c.config('SET', 'repl-diskless-sync-delay', '5'); // it waits 5 s to start the sync
      else {
        // Hoard starts at once; an RDB bigger than what the sockets buffer, to a replica that
        // reads nothing, keeps it in its sync (the walk waits for the socket).
        for (let b = 0; b < 4; b++) {
          const pipe = c.pipeline();
          for (let i = 0; i < 300; i++) pipe.set(`big:${b}:${i}`, randomBytes(15_000).toString('base64')); // incompressible
          await pipe.exec();
        }
      }
      const raw = net.connect(srv.port, '127.0.0.1');
      raw.on('error', () => {});
      await new Promise((r) => raw.once('connect', r));
      // The REPLCONF replies read first: Redis refuses a PSYNC with replies pending.
      let replies = '';
      raw.on('data', (d) => (replies += d.toString('latin1')));
      raw.write('REPLCONF listening-port 5555\r\nREPLCONF capa eof\r\n');
      await until('the REPLCONF replies', async () => replies === '+OK\r\n+OK\r\n');
      raw.removeAllListeners('data');
      raw.pause();
      raw.write('PSYNC ? -1\r\n');
      await until('the replica to be listed', async () => /port=5555,state=/.test(await c.info('replication')));
      got.push(await reply(c, 'FAILOVER', 'TO', '127.0.0.1', '5555'));
      raw.destroy();
    }
    expect(got).toEqual(['-ERR FAILOVER target replica is not online.', '-ERR FAILOVER target replica is not online.']);
  }, 20_000);

  it('INFO replication places master_failover_state as redis-server does', async () => {
    const [h, r] = await Promise.all([start('hoard'), start('redis')]);
    const names = async (port: number) => (await client(port).info('replication')).split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
    expect(await names(h.port)).toEqual(await names(r.port));
  });

  for (const [primary, replica] of [
    ['hoard', 'redis'],
    ['redis', 'hoard'],
  ] as const) {
    it(`a ${primary} primary fails over to a ${replica} replica, which continues it without a full sync`, async () => {
      const { p, s, pc, sc } = await pair(primary, replica);
      await pc.set('last', 'before');
      expect(await pc.failover('TO', '127.0.0.1', String(s.port))).toBe('OK');
      await until('the old primary to follow', async () => (await replField(pc, 'master_link_status')) === 'up', 5000);
      expect(await replField(pc, 'master_failover_state')).toBe('no-failover');
      expect(await pc.role()).toEqual(['slave', '127.0.0.1', s.port, 'connected', expect.any(Number)]);
      expect((await sc.role())[0]).toBe('master');
      expect(await statsField(sc, 'sync_partial_ok')).toBe('1');
      expect(await statsField(sc, 'sync_full')).toBe('0');
      expect(await sc.get('last')).toBe('before');
      await sc.set('new', 'primary');
      expect(await sc.wait(1, 5000)).toBe(1);
      expect(await pc.get('new')).toBe('primary');
      expect(await reply(pc, 'SET', 'x', '1')).toBe("-READONLY You can't write against a read only replica.");
      expect((await readAll(p.port)).state).toEqual((await readAll(s.port)).state);
    }, 20_000);
  }
});
