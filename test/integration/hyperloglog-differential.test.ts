// Randomized differential test of the HyperLogLog commands: the same seeded stream of PFADD,
// PFCOUNT (one key and several), PFMERGE, PFDEBUG and GET goes to real redis-server and to
// in-process Hoard, over a few keys whose element counts cross the sparse->dense promotion, and
// every reply and the final bytes of every key must be identical. Skipped only when redis-server
// is not installed.

import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { inProcess, realRedis, redisServerAvailable, type Arg, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';

const haveRedis = redisServerAvailable();

async function reply(b: Backend, args: Arg[]): Promise<unknown> {
  try {
    const v = await b.conn.callBuffer(...args);
    return Buffer.isBuffer(v) ? v.toString('latin1') : Array.isArray(v) ? v.map((x) => (Buffer.isBuffer(x) ? x.toString('latin1') : x)) : v;
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe.skipIf(!haveRedis)('hyperloglog: differential against redis-server', () => {
  let redis: Backend;
  let hoard: Backend;
  beforeAll(async () => {
    [redis, hoard] = await Promise.all([realRedis(), inProcess()]);
  });
  afterAll(async () => {
    await redis?.close();
    await hoard?.close();
  });

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every reply and the final bytes are identical`, async () => {
      const rnd = mulberry32(0x411 + seed);
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
      const key = () => keys[Math.floor(rnd() * keys.length)];
      // Elements: a growing range (new registers), a small pool (no change) and binary ones.
      let next = 0;
      const element = (): string => {
        const r = rnd();
        if (r < 0.7) return 'e' + next++;
        if (r < 0.9) return 'pool' + Math.floor(rnd() * 64);
        let s = '';
        const n = Math.floor(rnd() * 12);
        for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rnd() * 256));
        return s;
      };
      const sparseMax = seed === 3 ? '600' : '3000';
      const ops: Array<() => Arg[]> = [
        () => {
          // Mostly small batches (sparse growth one opcode at a time), sometimes big ones.
          const n = rnd() < 0.1 ? 200 + Math.floor(rnd() * 800) : Math.floor(rnd() * 8);
          const els: Arg[] = [];
          for (let i = 0; i < n; i++) els.push(Buffer.from(element(), 'latin1'));
          return ['PFADD', key(), ...els];
        },
        () => ['PFCOUNT', key()],
        () => ['PFCOUNT', key(), key(), key()],
        () => ['PFMERGE', key(), key()],
        () => ['PFMERGE', key(), key(), key(), key()],
        () => ['PFDEBUG', 'ENCODING', key()],
        () => ['PFDEBUG', rnd() < 0.5 ? 'TODENSE' : 'DECODE', key()],
        () => ['GET', key()],
        () => ['STRLEN', key()],
      ];
      const weights = [45, 15, 8, 6, 4, 5, 2, 10, 5];
      const total = weights.reduce((a, b) => a + b, 0);
      const pick = () => {
        let r = rnd() * total;
        for (let i = 0; i < ops.length; i++) {
          r -= weights[i];
          if (r < 0) return ops[i]();
        }
        return ops[0]();
      };
      for (const b of [redis, hoard]) {
        await b.conn.call('FLUSHALL');
        await b.conn.call('CONFIG', 'SET', 'hll-sparse-max-bytes', sparseMax);
      }
      let dense = 0;
      for (let i = 0; i < 2500; i++) {
        const args = pick();
        const [a, b] = await Promise.all([reply(redis, args), reply(hoard, args)]);
        expect([i, args.slice(0, 2).map(String), b]).toEqual([i, args.slice(0, 2).map(String), a]);
        if (args[0] === 'PFDEBUG' && a === 'dense') dense++;
      }
      // Promotion happened along the way.
      expect(dense).toBeGreaterThan(0);
      for (const k of keys) {
        const [a, b] = await Promise.all([reply(redis, ['GET', k]), reply(hoard, ['GET', k])]);
        expect([k, b]).toEqual([k, a]);
        const [ca, cb] = await Promise.all([reply(redis, ['PFCOUNT', k]), reply(hoard, ['PFCOUNT', k])]);
        expect([k, cb]).toEqual([k, ca]);
      }
      const [ia, ib] = await Promise.all([reply(redis, ['PFCOUNT', ...keys]), reply(hoard, ['PFCOUNT', ...keys])]);
      expect(ib).toEqual(ia);
      for (const b of [redis, hoard]) await b.conn.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    });
  }
});
