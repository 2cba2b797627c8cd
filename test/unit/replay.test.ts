// "Propagate effects, not requests", end to end: run a mixed workload on an in-process server
// with a ManualClock while capturing its mutation stream twice (the structured observer and the
// raw RESP units a consumer — the AOF, a replica — receives), replay each capture into a fresh
// server, and require the replayed keyspace to equal the original: every db, key, type, value
// and absolute expiry, including keys that are expired but not reaped yet.
//
// Each unit is replayed at the clock time it was emitted, as a replica tailing the stream in
// real time would apply it. Lazy expiry (a read finding a dead key) and active expiry (the cron)
// must show up in the stream as DELs; relative TTLs as absolute times.
//
// EXTENSION POINT: a command family adds its own workload to WORKLOADS below (strings, keys,
// TTLs are here; lists, hashes, sets, zsets, transactions... append theirs). A workload that
// uses a command Hoard does not implement yet is skipped, not failed.

import { describe, expect, it } from 'vitest';
import { Server } from '../../src/server/server.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { encodeCommand } from '../../src/protocol/reply.js';
import { inProcess, testConfig, type Arg, type Backend, type Conn } from '../helpers/backends.js';
import { RespDecoder, ReplyError } from '../helpers/resp-decoder.js';
import { dump, dumpSize } from '../helpers/dump.js';

const START = 1_700_000_000_000;

/** What a workload can do to the original server. */
interface WorkloadApi {
  /** The default connection (db 0 at the start). */
  call(...args: Arg[]): Promise<any>;
  /** A further connection. */
  connect(): Promise<Conn>;
  clock: ManualClock;
  server: Server;
  /** Runs the active expire cycle like the cron would, until a cycle reaps nothing. */
  activeExpire(): void;
}

interface Workload {
  name: string;
  run(w: WorkloadApi): Promise<void>;
}

class Unsupported extends Error {}

/** Calls a command that must succeed or fail with a legitimate reply; unknown commands skip. */
async function must(p: Promise<any>): Promise<any> {
  try {
    return await p;
  } catch (err) {
    const msg = (err as Error).message;
    if (msg.startsWith('ERR unknown command')) throw new Unsupported(msg);
    return err;
  }
}

const bin = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x24]);

const WORKLOADS: Workload[] = [
  {
    name: 'strings, keys and TTLs',
    async run(w) {
      const { call, clock } = w;
      const c2 = await w.connect();
      // Something to throw away first.
      for (let i = 0; i < 20; i++) await call('SET', `old${i}`, 'x', 'EX', 50);
      await c2.call('SELECT', 9);
      await c2.call('SET', 'old', 'x');
      await call('FLUSHALL');
      // Strings with every kind of expiry.
      await call('SET', 'a', '1');
      await call('SET', 'b', 'two', 'EX', 100);
      await call('SET', 'c', 'three', 'PX', 2500);
      await call('SET', 'd', 'four', 'PXAT', START + 60_000);
      await call('SET', 'e', 'x'.repeat(5000));
      await call('SET', bin, bin, 'EX', 1000);
      await call('SET', '', 'empty key');
      await call('SET', 'pastset', 'v', 'PXAT', START - 1);
      clock.advance(10);
      // The EXPIRE family, with and without conditions.
      await call('EXPIRE', 'a', 300);
      await call('PEXPIRE', 'e', 12_345);
      await call('EXPIREAT', 'b', Math.floor(START / 1000) + 7200);
      await call('EXPIRE', 'b', 10, 'GT');
      await call('EXPIRE', 'b', 10, 'LT');
      await call('EXPIRE', 'd', 10, 'NX');
      await call('EXPIRE', 'd', 9, 'XX');
      await call('PEXPIREAT', 'e', '9223372036854775807');
      await call('PERSIST', 'e');
      await call('SET', 'gone', 'v');
      await call('PEXPIREAT', 'gone', 1000); // in the past: DEL
      await call('SET', 'gone2', 'v');
      await call('EXPIRE', 'gone2', -1);
      // A key with a TTL that is later made persistent: a replica applying the stream late
      // must still end with the key.
      await call('SET', 'saved', 'v', 'PX', 100);
      await call('PERSIST', 'saved');
      // RENAME and RENAMENX, carrying TTLs, onto existing keys.
      await call('SET', 'r1', 'v1', 'EX', 500);
      await call('SET', 'r2', 'v2', 'EX', 900);
      await call('RENAME', 'r1', 'r2');
      await call('RENAME', 'r2', 'r3');
      await must(call('RENAME', 'nope', 'r4'));
      await call('SET', 'r4', 'v4');
      await call('RENAMENX', 'r3', 'r4');
      await call('RENAMENX', 'r3', 'r5');
      // COPY within and across dbs.
      await call('COPY', 'r5', 'c1');
      await call('COPY', 'a', 'c1');
      await call('COPY', 'a', 'c1', 'REPLACE');
      await call('COPY', 'a', 'a', 'DB', 2);
      await call('COPY', 'b', 'a', 'DB', 2, 'REPLACE');
      // MOVE, with a TTL, and refused.
      await call('MOVE', 'c', 1);
      await call('SET', 'm', 'here');
      await c2.call('SELECT', 1);
      await c2.call('SET', 'm', 'there');
      await call('MOVE', 'm', 1);
      // Lazy expiry: reads that find dead keys must propagate DELs.
      await call('SET', 'lazy1', 'v', 'PX', 100);
      await call('SET', 'lazy2', 'v', 'PX', 100);
      await call('SET', 'lazy3', 'v', 'PX', 100);
      await call('SET', 'lazy4', 'v', 'PX', 100);
      await call('SET', 'lazy5', 'v', 'PX', 100);
      clock.advance(150);
      await call('GET', 'lazy1');
      await call('EXISTS', 'lazy2');
      await call('EXPIRE', 'lazy3', 100); // answers 0: the key died first
      await call('SCAN', 0, 'COUNT', 1000);
      await call('SET', 'lazy4', 'reborn'); // overwrites a dead key
      await c2.call('SELECT', 1);
      await c2.call('GET', 'c'); // the moved key, alive in db 1
      // Active expiry across dbs.
      for (let i = 0; i < 200; i++) await call('SET', `act${i}`, 'v', 'PX', 1000 + (i % 7));
      await c2.call('SELECT', 6);
      for (let i = 0; i < 100; i++) await c2.call('SET', `act${i}`, 'v', 'PX', 1000);
      clock.advance(2000);
      w.activeExpire();
      // SWAPDB, FLUSHDB, DEL and UNLINK in other dbs.
      await c2.call('SELECT', 3);
      await c2.call('SET', 'in3', 'v', 'EX', 77);
      await c2.call('SET', 'also3', 'v');
      await c2.call('SWAPDB', 3, 4);
      await c2.call('SET', 'new3', 'after swap');
      await c2.call('SWAPDB', 0, 5);
      await call('SET', 'written', 'into the old db 5'); // the default connection reads db 0 = old db 5
      await c2.call('SWAPDB', 5, 0);
      await c2.call('SELECT', 8);
      for (let i = 0; i < 10; i++) await c2.call('SET', `f${i}`, 'v');
      await c2.call('FLUSHDB');
      await c2.call('FLUSHDB', 'ASYNC');
      await c2.call('SELECT', 4);
      await c2.call('DEL', 'also3', 'nope');
      await c2.call('UNLINK', 'in3', 'in3');
      await c2.call('SET', 'kept4', 'v', 'EX', 40);
      await call('DEL', 'r4', 'r5', 'zzz');
      // Keys that are expired but never touched again: present in both, judged by includeExpired.
      await call('SET', 'ghost', 'v', 'PX', 10);
      await call('SET', 'ghost2', 'v', 'PX', 10);
      clock.advance(20);
      await call('GET', 'ghost2');
      // And a few live at the end.
      await call('SET', 'final', 'v', 'EX', 3);
      await call('SET', 'n', '10');
    },
  },
  // Other families append their workloads here, e.g.
  // { name: 'lists', async run(w) { await w.call('RPUSH', 'l', 'a', 'b'); ... } },
];

interface Captured {
  /** Raw RESP units as a log consumer receives them, with the clock when they were emitted. */
  units: Array<{ unit: string; offset: number; at: number }>;
  /** The same mutations through the structured observer. */
  argvs: Array<{ db: number; argv: string[]; at: number }>;
  finalMs: number;
  finalOffset: number;
}

async function runOriginal(w: Workload): Promise<{ backend: Backend; captured: Captured }> {
  const clock = new ManualClock(START);
  const backend = await inProcess({}, clock);
  const server = backend.server!;
  const captured: Captured = { units: [], argvs: [], finalMs: 0, finalOffset: 0 };
  server.log.forceSelect();
  server.log.addConsumer((unit, offset) => captured.units.push({ unit, offset, at: clock.ms }));
  server.log.addObserver((db, argv) => captured.argvs.push({ db, argv: [...argv], at: clock.ms }));
  await w.run({
    call: (...a) => backend.conn.call(...a),
    connect: () => backend.connect(),
    clock,
    server,
    activeExpire() {
      server.ks.updateLruClock();
      for (let i = 0; i < 10_000 && server.ks.activeExpireCycle(10) > 0; i++);
    },
  });
  captured.finalMs = clock.ms;
  captured.finalOffset = server.log.offset;
  return { backend, captured };
}

/** Feeds commands (as RESP bytes, each at its clock time) into a fresh server; fails on any error reply. */
async function replay(chunks: Array<{ bytes: string; at: number }>, finalMs: number): Promise<Server> {
  const clock = new ManualClock(START);
  const server = new Server(testConfig(), { clock });
  const decoder = new RespDecoder();
  const errors: string[] = [];
  const client = server.connectLocal((data) => {
    decoder.feed(Buffer.from(data, 'latin1'));
    for (let r = decoder.next(); r !== null; r = decoder.next()) if (r.value instanceof ReplyError) errors.push(r.value.message);
  });
  for (const c of chunks) {
    clock.ms = c.at;
    client.onData(Buffer.from(c.bytes, 'latin1'));
  }
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(errors).toEqual([]);
  clock.ms = finalMs;
  return server;
}

/** Re-encodes the observer's argvs as a stream, with the SELECTs a consumer would see. */
function observerStream(argvs: Captured['argvs']): Array<{ bytes: string; at: number }> {
  let db = -1;
  return argvs.map(({ db: d, argv, at }) => {
    let bytes = '';
    if (d !== db) {
      bytes = encodeCommand(['SELECT', String(d)]);
      db = d;
    }
    return { bytes: bytes + encodeCommand(argv), at };
  });
}

describe('replaying the propagated stream rebuilds the same keyspace', () => {
  for (const w of WORKLOADS) {
    describe(w.name, () => {
      it('raw consumer units and observer argvs, replayed at their times, give identical dumps', async (ctx) => {
        let original: { backend: Backend; captured: Captured };
        try {
          original = await runOriginal(w);
        } catch (err) {
          if (err instanceof Unsupported) ctx.skip();
          throw err;
        }
        const { backend, captured } = original;
        try {
          const server = backend.server!;
          const want = dump(server, { includeExpired: true });
          const wantVisible = dump(server);
          expect(dumpSize(wantVisible)).toBeGreaterThan(10);
          // Offsets: contiguous, starting where the log was, ending at the log's offset.
          let off = captured.units.length > 0 ? captured.units[0].offset : captured.finalOffset;
          for (const u of captured.units) {
            expect(u.offset).toBe(off);
            off += u.unit.length;
          }
          expect(off).toBe(captured.finalOffset);
          // The stream holds effects, never requests that depend on when they run.
          const names = new Set(captured.argvs.map((a) => a.argv[0].toUpperCase()));
          for (const relative of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'RENAMENX', 'SETEX', 'PSETEX', 'GETEX']) expect(names.has(relative)).toBe(false);
          for (const a of captured.argvs) {
            if (a.argv[0] === 'SET') for (const o of a.argv.slice(3)) expect(['EX', 'PX', 'EXAT', 'NX', 'XX', 'GET']).not.toContain(o.toUpperCase());
          }

          const fromUnits = await replay(
            captured.units.map((u) => ({ bytes: u.unit, at: u.at })),
            captured.finalMs,
          );
          expect(dump(fromUnits, { includeExpired: true })).toEqual(want);
          expect(dump(fromUnits)).toEqual(wantVisible);
          await fromUnits.close();

          const fromArgvs = await replay(observerStream(captured.argvs), captured.finalMs);
          expect(dump(fromArgvs, { includeExpired: true })).toEqual(want);
          await fromArgvs.close();
        } finally {
          await backend.close();
        }
      });

      it('replayed late, as a replica (no expiry deletes), the visible keyspace is the same', async (ctx) => {
        let original: { backend: Backend; captured: Captured };
        try {
          original = await runOriginal(w);
        } catch (err) {
          if (err instanceof Unsupported) ctx.skip();
          throw err;
        }
        const { backend, captured } = original;
        try {
          const wantVisible = dump(backend.server!);
          // Everything applied at the final time: absolute expiries already in the past must be
          // set, not acted on, and the primary's DELs do the deleting (Redis: checkAlreadyExpired
          // is false on a replica and while loading).
          const clock = new ManualClock(captured.finalMs);
          const server = new Server(testConfig(), { clock });
          server.ks.expireDeletes = false;
          const decoder = new RespDecoder();
          const client = server.connectLocal((d) => decoder.feed(Buffer.from(d, 'latin1')));
          client.onData(Buffer.from(captured.units.map((u) => u.unit).join(''), 'latin1'));
          await new Promise((r) => setImmediate(r));
          expect(dump(server)).toEqual(wantVisible);
          await server.close();
        } finally {
          await backend.close();
        }
      });
    });
  }
});
