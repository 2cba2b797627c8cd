// Randomized differential test of the stream commands: the same seeded stream of XADD (explicit
// IDs, `ms-*`, bad and too-small IDs, MAXLEN/MINID exact and approximate, NOMKSTREAM), XDEL,
// XTRIM, XRANGE/XREVRANGE, XLEN, XREAD, XGROUP (CREATE SETID DESTROY CREATECONSUMER
// DELCONSUMER), XREADGROUP (> and history, NOACK, COUNT), XACK, XCLAIM (JUSTID, FORCE,
// RETRYCOUNT, LASTID), XAUTOCLAIM, XPENDING, XINFO (STREAM, FULL, GROUPS, CONSUMERS), XSETID,
// DEL and TYPE goes to real redis-server and to in-process Hoard, with small and default node
// sizes, and every reply must be identical once the time fields (idle, delivery time, seen-time)
// are zeroed. No reply depends on the clock: IDs are explicit and claims use min-idle 0.
// Skipped only when redis-server is not installed.

import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { inProcess, realRedis, redisServerAvailable, type Arg, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';

const haveRedis = redisServerAvailable();

async function reply(b: Backend, args: Arg[]): Promise<unknown> {
  try {
    return await b.conn.call(...args);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** A flat [k, v, ...] map reply's value for `key`, or undefined. */
function field(a: any[], key: string): any {
  for (let i = 0; i < a.length; i += 2) if (a[i] === key) return a[i + 1];
  return undefined;
}

function setField(a: any[], key: string, v: unknown): void {
  for (let i = 0; i < a.length; i += 2) if (a[i] === key) a[i + 1] = v;
}

/** Zeroes the time fields of a reply to `args` (they differ between any two servers). */
function normalize(args: Arg[], r: unknown): unknown {
  if (!Array.isArray(r)) return r;
  const cmd = String(args[0]).toUpperCase();
  const sub = String(args[1] ?? '').toUpperCase();
  if (cmd === 'XPENDING' && args.length > 3) return r.map((e: any[]) => [e[0], e[1], 0, e[3]]);
  if (cmd === 'XINFO' && sub === 'CONSUMERS') return r.map((c: any[]) => (setField(c, 'idle', 0), c));
  if (cmd === 'XINFO' && sub === 'STREAM' && args.length > 3) {
    for (const g of field(r, 'groups') as any[][]) {
      setField(g, 'pending', (field(g, 'pending') as any[][]).map((p) => [p[0], p[1], 0, p[3]]));
      for (const c of field(g, 'consumers') as any[][]) {
        setField(c, 'seen-time', 0);
        setField(c, 'pending', (field(c, 'pending') as any[][]).map((p) => [p[0], 0, p[2]]));
      }
    }
  }
  return r;
}

describe.skipIf(!haveRedis)('streams: differential against redis-server', () => {
  let redis: Backend;
  let hoard: Backend;
  beforeAll(async () => {
    [redis, hoard] = await Promise.all([realRedis(), inProcess()]);
  });
  afterAll(async () => {
    await redis?.close();
    await hoard?.close();
  });

  const runs: Array<[number, string, string]> = [
    [1, '100', '4096'],
    [2, '10', '4096'],
    [3, '100', '300'],
    [4, '7', '200'],
  ];
  for (const [seed, maxEntries, maxBytes] of runs) {
    it(`seed ${seed} (stream-node-max-entries ${maxEntries}, -bytes ${maxBytes}): identical replies`, async () => {
      const rnd = mulberry32(0x57ea + seed);
      const int = (n: number) => Math.floor(rnd() * n);
      const pick = <T>(a: readonly T[]): T => a[int(a.length)];
      const keys = ['s0', 's1', 's2', 's3'];
      const groups = ['g0', 'g1', 'g2'];
      const consumers = ['alice', 'bob', 'carol', 'dave'];
      const fieldNames = ['f', 'name', 'n', '123', '-7', ''];
      const value = (): string => {
        const r = rnd();
        if (r < 0.3) return String(int(1000) - 200);
        if (r < 0.4) return String(int(2 ** 31) * (rnd() < 0.5 ? -1 : 1) * 3);
        if (r < 0.45) return '9223372036854775807';
        if (r < 0.5) return '0' + int(10);
        if (r < 0.9) return 'v'.repeat(int(70));
        return 'x'.repeat(int(5000));
      };
      const ms = new Map<string, number>();
      const known = new Map<string, string[]>();
      const nextId = (k: string): string => {
        const r = rnd();
        const base = ms.get(k) ?? 0;
        if (r < 0.05) return pick(['0-0', '0', '-1', 'bad', '1-x', `${base}-0`, '-', '+']);
        if (r < 0.15) return `${base + int(3)}-*`;
        const m = base + int(4);
        ms.set(k, m);
        return `${m}-${int(3)}`;
      };
      const anyId = (k: string): string => {
        const l = known.get(k) ?? [];
        const r = rnd();
        if (l.length === 0 || r < 0.1) return `${int((ms.get(k) ?? 0) + 2)}-${int(3)}`;
        return pick(l);
      };
      const fields = (): string[] => {
        const out: string[] = [];
        const sameish = rnd() < 0.6;
        const n = sameish ? 2 : 1 + int(4);
        for (let i = 0; i < n; i++) out.push(sameish ? ['f', 'name'][i] : pick(fieldNames), value());
        return out;
      };
      const ops: Array<[number, () => Arg[]]> = [
        [30, () => {
          const k = pick(keys);
          return ['XADD', k, nextId(k), ...fields()];
        }],
        [6, () => {
          const k = pick(keys);
          return ['XADD', k, 'MAXLEN', pick(['~', '=', '~']), String(int(250)), nextId(k), ...fields()];
        }],
        [3, () => {
          const k = pick(keys);
          return ['XADD', k, 'MINID', pick(['~', '=']), anyId(k), ...(rnd() < 0.3 ? ['LIMIT', String(int(30))] : []), nextId(k), ...fields()];
        }],
        [2, () => {
          const k = pick(keys);
          return ['XADD', k, 'NOMKSTREAM', nextId(k), 'a', 'b'];
        }],
        [4, () => {
          const k = pick(keys);
          return ['XDEL', k, anyId(k), anyId(k), anyId(k)];
        }],
        [3, () => ['XTRIM', pick(keys), 'MAXLEN', pick(['~', '=']), String(int(300)), ...(rnd() < 0.3 ? ['LIMIT', String(int(200))] : [])].filter((x, i, a) => !(x === 'LIMIT' && a[2] === '=') && !(i > 0 && a[i - 1] === 'LIMIT' && a[2] === '='))],
        [2, () => {
          const k = pick(keys);
          return ['XTRIM', k, 'MINID', pick(['~', '=']), anyId(k)];
        }],
        [5, () => {
          const k = pick(keys);
          return pick([
            ['XRANGE', k, '-', '+', 'COUNT', String(int(20))],
            ['XRANGE', k, anyId(k), '+'],
            ['XREVRANGE', k, '+', anyId(k), 'COUNT', String(int(5))],
            ['XRANGE', k, `(${anyId(k)}`, `(${anyId(k)}`],
          ]);
        }],
        [2, () => ['XLEN', pick(keys)]],
        [3, () => {
          const k = pick(keys);
          return ['XREAD', 'COUNT', String(int(10)), 'STREAMS', k, pick(keys), anyId(k), pick(['0', '$', anyId(k)])];
        }],
        [3, () => ['XGROUP', 'CREATE', pick(keys), pick(groups), pick(['$', '0', anyId(pick(keys))]), ...(rnd() < 0.5 ? ['MKSTREAM'] : []), ...(rnd() < 0.2 ? ['ENTRIESREAD', String(int(20))] : [])]],
        [2, () => {
          const k = pick(keys);
          return ['XGROUP', 'SETID', k, pick(groups), pick(['$', '0', anyId(k)]), ...(rnd() < 0.3 ? ['ENTRIESREAD', String(int(30))] : [])];
        }],
        [1, () => ['XGROUP', 'DESTROY', pick(keys), pick(groups)]],
        [2, () => ['XGROUP', 'CREATECONSUMER', pick(keys), pick(groups), pick(consumers)]],
        [1, () => ['XGROUP', 'DELCONSUMER', pick(keys), pick(groups), pick(consumers)]],
        [10, () => ['XREADGROUP', 'GROUP', pick(groups), pick(consumers), 'COUNT', String(int(6)), ...(rnd() < 0.15 ? ['NOACK'] : []), 'STREAMS', pick(keys), '>']],
        [3, () => {
          const k = pick(keys);
          return ['XREADGROUP', 'GROUP', pick(groups), pick(consumers), 'COUNT', String(int(6)), 'STREAMS', k, pick(['0', anyId(k)])];
        }],
        [5, () => {
          const k = pick(keys);
          return ['XACK', k, pick(groups), anyId(k), anyId(k)];
        }],
        [5, () => {
          const k = pick(keys);
          const opts: string[] = [];
          if (rnd() < 0.5) opts.push('JUSTID');
          if (rnd() < 0.2) opts.push('FORCE');
          if (rnd() < 0.2) opts.push('RETRYCOUNT', String(int(9)));
          if (rnd() < 0.1) opts.push('LASTID', anyId(k));
          return ['XCLAIM', k, pick(groups), pick(consumers), '0', anyId(k), anyId(k), ...opts];
        }],
        [3, () => ['XAUTOCLAIM', pick(keys), pick(groups), pick(consumers), '0', pick(['0', '-', anyId(pick(keys))]), 'COUNT', String(1 + int(5)), ...(rnd() < 0.5 ? ['JUSTID'] : [])]],
        [4, () => {
          const k = pick(keys);
          return pick([
            ['XPENDING', k, pick(groups)],
            ['XPENDING', k, pick(groups), '-', '+', String(int(10))],
            ['XPENDING', k, pick(groups), anyId(k), '+', '5', pick(consumers)],
          ]);
        }],
        [3, () => {
          const k = pick(keys);
          return pick([['XINFO', 'STREAM', k], ['XINFO', 'STREAM', k, 'FULL', 'COUNT', String(int(4))], ['XINFO', 'GROUPS', k], ['XINFO', 'CONSUMERS', k, pick(groups)]]);
        }],
        [1, () => {
          const k = pick(keys);
          return ['XSETID', k, `${(ms.get(k) ?? 0) + int(3)}-${int(3)}`, ...(rnd() < 0.3 ? ['ENTRIESADDED', String(int(400))] : []), ...(rnd() < 0.3 ? ['MAXDELETEDID', anyId(k)] : [])];
        }],
        [1, () => ['DEL', pick(keys)]],
        [1, () => ['TYPE', pick(keys)]],
      ];
      const total = ops.reduce((a, o) => a + o[0], 0);
      const op = () => {
        let r = rnd() * total;
        for (const [w, f] of ops) {
          r -= w;
          if (r < 0) return f();
        }
        return ops[0][1]();
      };
      for (const b of [redis, hoard]) {
        await b.conn.call('FLUSHALL');
        await b.conn.call('CONFIG', 'SET', 'stream-node-max-entries', maxEntries);
        await b.conn.call('CONFIG', 'SET', 'stream-node-max-bytes', maxBytes);
      }
      const n = 2500;
      const stats = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const args = op();
        const want = normalize(args, await reply(redis, args));
        const got = normalize(args, await reply(hoard, args));
        expect([i, args, got]).toEqual([i, args, want]);
        const kind = `${String(args[0])}:${
          want === null ? 'null' : Array.isArray(want) ? (want.length ? 'arr' : 'empty') : typeof want === 'object' ? 'err' : typeof want
        }`;
        stats.set(kind, (stats.get(kind) ?? 0) + 1);
        if (String(args[0]) === 'XADD' && typeof want === 'string') {
          const k = String(args[1]);
          if (!known.has(k)) known.set(k, []);
          known.get(k)!.push(want);
          const m = Number(want.split('-')[0]);
          if (m > (ms.get(k) ?? 0)) ms.set(k, m);
        }
        if (String(args[0]) === 'DEL') {
          known.delete(String(args[1]));
          ms.delete(String(args[1]));
        }
      }
      // The workload reached the interesting paths, not only errors.
      for (const k of ['XADD:string', 'XREADGROUP:arr', 'XACK:number', 'XCLAIM:arr', 'XAUTOCLAIM:arr', 'XTRIM:number', 'XDEL:number', 'XINFO:arr', 'XPENDING:arr']) {
        expect([k, (stats.get(k) ?? 0) > 3]).toEqual([k, true]);
      }
      for (const k of keys) {
        const args = ['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'];
        expect([args, normalize(args, await reply(hoard, args))]).toEqual([args, normalize(args, await reply(redis, args))]);
      }
    }, 120_000);
  }
});
