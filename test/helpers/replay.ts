// The replay check every family's suite makes: record a server's canonical mutations with the
// keyspace time each was made at, replay them into a fresh in-process server (as an AOF load or
// a replica would apply them), and compare what both hold.
//
// The replica replays in loading mode: the stream carries every expiry as an explicit DEL, so
// the replica must not act on time by itself (Redis: no expiry while loading, nor on a replica);
// otherwise its active-expire cron could reap a key between two replayed commands.

import { expect } from 'vitest';
import { inProcess, type Backend } from './backends.js';
import { RawConn } from './raw-conn.js';
import { ManualClock } from '../../src/keyspace/clock.js';

export interface Mutation {
  /** Keyspace time (ms) when it was made. */
  at: number;
  db: number;
  argv: string[];
}

/** Starts recording every canonical mutation of `b`, stamped with `clock`'s time. */
export function recordMutations(b: Backend, clock: ManualClock): Mutation[] {
  const log: Mutation[] = [];
  b.server!.log.addObserver((db, argv) => log.push({ at: clock.now(), db, argv: [...argv] }));
  return log;
}

/**
 * Replays `log` into a fresh in-process server, each mutation at its own time (every reply must
 * be a success), and leaves the replica's clock at `finalTime`. The caller closes the replica.
 */
export async function replay(log: readonly Mutation[], finalTime: number, overrides: Record<string, string> = {}): Promise<Backend> {
  const clock = new ManualClock(log.length > 0 ? log[0].at : finalTime);
  const replica = await inProcess(overrides, clock);
  replica.server!.ks.loading = true;
  const r = new RawConn(replica, true);
  let db = 0;
  for (const m of log) {
    clock.ms = m.at;
    if (m.db !== db) {
      expect(await r.send('SELECT', String(m.db))).toBe('+OK\r\n');
      db = m.db;
    }
    const reply = await r.send(...m.argv);
    expect([m.argv, reply.startsWith('-')]).toEqual([m.argv, false]);
  }
  clock.ms = finalTime;
  replica.server!.ks.loading = false;
  return replica;
}

/** Db `dbi`'s keys that are live at `now`: key -> value and absolute expiry (0 = none). */
export function liveKeys(b: Backend, dbi: number, now: number): Map<string, { value: unknown; expireAt: number }> {
  const out = new Map<string, { value: unknown; expireAt: number }>();
  for (const e of b.server!.ks.dbs[dbi].entries()) {
    if (e.expireAt !== 0 && e.expireAt <= now) continue;
    out.set(e.key, { value: e.value, expireAt: e.expireAt });
  }
  return out;
}
