// Two servers side by side for the seeded differential tests: Hoard in-process and a real
// redis-server, each command sent to both as binary-safe buffers and the replies brought to one
// comparable form.

import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { inProcess, realRedis, type Backend } from './backends.js';

export type Reply = unknown;

/** Commands whose arguments ioredis rewrites when the name is in lower case. */
const TRANSFORMED = new Set(['mset', 'msetnx', 'hset', 'hmset']);

/** Buffers → latin1 strings, errors → their text: a comparable form of a reply. */
export function normReply(v: unknown): Reply {
  if (v instanceof Error) return `ERROR: ${v.message}`;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (Array.isArray(v)) return v.map(normReply);
  return v;
}

export interface HoardAndRedis {
  /** Sends args to Hoard, then to redis-server: [Hoard's reply, Redis's reply], normalized. */
  both(args: string[]): Promise<[Reply, Reply]>;
  /** both(), and the two replies must be equal (the command is named on failure); Redis's reply. */
  same(args: string[]): Promise<Reply>;
}

/** Opens both servers before the enclosing describe's tests and closes them after. */
export function hoardAndRedis(): HoardAndRedis {
  let hoard: Backend;
  let redis: Backend;
  beforeAll(async () => {
    hoard = await inProcess();
    redis = await realRedis();
  }, 30_000);
  afterAll(async () => {
    await hoard?.close();
    await redis?.close();
  });
  const both = async (args: string[]): Promise<[Reply, Reply]> => {
    const [name, ...rest] = args;
    // ioredis rewrites `mset`, `msetnx`, `hset` and `hmset` (lower case only) whose last argument
    // is an object — a Buffer is one — into field/value pairs: Redis would get other arguments
    // than Hoard (MSET x → MSET 0 120). Their replies never echo the name's case.
    const cmd = TRANSFORMED.has(name) ? name.toUpperCase() : name;
    const bin = rest.map((s) => Buffer.from(s, 'latin1'));
    const h = await hoard.conn.callBuffer(cmd, ...bin).then(normReply, normReply);
    const r = await redis.conn.callBuffer(cmd, ...bin).then(normReply, normReply);
    return [h, r];
  };
  const same = async (args: string[]): Promise<Reply> => {
    const [h, r] = await both(args);
    // A strict comparison first: expect() costs ~20 µs a call, and these suites send thousands
    // of commands. Strictly equal replies are equal for toEqual too; the rest go to it.
    if (!isDeepStrictEqual(h, r)) expect([args, h]).toEqual([args, r]);
    return r;
  };
  return { both, same };
}
