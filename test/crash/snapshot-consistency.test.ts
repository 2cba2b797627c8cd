// A snapshot taken while writes keep flowing equals the keyspace as it was at the snapshot's
// log offset: we capture the mutation stream, replay it up to that offset into a fresh server,
// load the snapshot into another, and compare the two keyspaces key by key.

import { describe, it, expect } from 'vitest';
import { Server } from '../../src/server/server.js';
import { Config } from '../../src/config.js';
import { LocalConn, inProcess } from '../helpers/backends.js';
import { tempDir } from '../helpers/proc.js';
import { dump } from '../helpers/dump.js';

async function open(dir: string): Promise<{ server: Server; conn: LocalConn }> {
  const cfg = Config.fromArgs(['--port', '0', '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no']);
  const server = new Server(cfg);
  await server.start();
  return { server, conn: new LocalConn(server) };
}

describe('forkless snapshot', () => {
  it('is the point-in-time image at its offset while writes of every kind continue', async () => {
    const dir = tempDir('hoard-consistency-');
    const { server, conn } = await open(dir);
    const units: Array<[string, number]> = [];
    server.log.addConsumer((unit, start) => units.push([unit, start]));
    // A dataset big enough that the walk takes many event-loop turns (20k keys left the walk
    // done after 18 interleaved writes on a clean CI machine once lookups got cheaper).
    const N = 60_000;
    const pipe: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const db = String(i % 4);
      pipe.push(conn.call('SELECT', db));
      switch (i % 5) {
        case 0:
          pipe.push(conn.call('SET', `s:${i}`, `v${i}`));
          break;
        case 1:
          pipe.push(conn.call('HSET', `h:${i}`, 'a', String(i), 'b', 'x'));
          break;
        case 2:
          pipe.push(conn.call('RPUSH', `l:${i}`, 'a', 'b', String(i)));
          break;
        case 3:
          pipe.push(conn.call('SADD', `set:${i}`, 'm1', String(i)));
          break;
        case 4:
          pipe.push(conn.call('ZADD', `z:${i}`, '1', 'a', String(i), 'b'));
          break;
      }
    }
    await Promise.all(pipe);
    expect(await conn.call('BGSAVE')).toBe('Background saving started');
    expect(server.persistence!.snapshotInProgress).toBe(true);
    // Writes while the walk runs: overwrite, delete, in-place changes, TTLs, renames, new keys,
    // a whole-db flush and a swap. Each awaits its reply, so they interleave with walk slices.
    let n = 0;
    let rnd = 12345;
    const next = () => (rnd = (rnd * 1103515245 + 12345) & 0x7fffffff);
    while (server.persistence!.snapshotInProgress) {
      const i = next() % N;
      await conn.call('SELECT', String(i % 4));
      switch (n % 9) {
        case 0:
          await conn.call('SET', `s:${i - (i % 5)}`, `changed-${n}`);
          break;
        case 1:
          await conn.call('DEL', `h:${i - (i % 5) + 1}`);
          break;
        case 2:
          await conn.call('RPUSH', `l:${i - (i % 5) + 2}`, `pushed-${n}`);
          break;
        case 3:
          await conn.call('SADD', `set:${i - (i % 5) + 3}`, `added-${n}`);
          break;
        case 4:
          await conn.call('ZINCRBY', `z:${i - (i % 5) + 4}`, '2.5', 'a');
          break;
        case 5:
          await conn.call('EXPIRE', `s:${i - (i % 5)}`, '100000');
          break;
        case 6:
          await conn.call('RENAME', `s:${i - (i % 5)}`, `renamed:${n}`).catch(() => {});
          break;
        case 7:
          await conn.call('SET', `new:${n}`, 'born-after');
          break;
        case 8:
          if (n === 8) await conn.call('SWAPDB', '1', '2');
          else if (n === 17) await conn.call('FLUSHDB');
          else await conn.call('APPEND', `s:${i - (i % 5)}`, '+');
          break;
      }
      n++;
    }
    expect(n).toBeGreaterThan(20);
    const meta = server.persistence!.store!.current!;
    expect(meta).not.toBeNull();
    await server.close();

    // Replay the stream up to the snapshot's offset into a fresh server.
    const replayed = await inProcess();
    // The stream is fed like a replica link: replies are discarded.
    const feeder = replayed.server!.connectLocal(() => {});
    let replayedBytes = 0;
    for (const [unit, start] of units) {
      if (start >= meta.offset) break;
      feeder.onData(Buffer.from(unit, 'latin1'));
      replayedBytes = start + unit.length;
    }
    expect(replayedBytes).toBe(meta.offset);
    await replayed.conn.call('PING');

    const loaded = await open(dir);
    expect(dump(loaded.server)).toEqual(dump(replayed.server!));
    expect(loaded.server.ks.totalKeys()).toBeGreaterThan(N / 2);
    await loaded.server.close();
    await replayed.close();
  }, 60_000);
});
