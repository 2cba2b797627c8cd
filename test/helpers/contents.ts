// What a live server holds, read through the protocol alone (so it reads Hoard and redis-server
// alike): every key of every db with its TYPE, its value in a comparable form and PEXPIRETIME.
// The tools tests compare data dirs restored and exported this way; the replication tests compare
// a primary with its replica. Byte strings are kept as hex (binary-safe); set members and hash
// pairs sorted (their order is not data); zsets in rank order with numeric scores; streams as
// XINFO STREAM FULL without the consumers' seen-time (an AOF replay sets it to the time of the
// replay, as it does in Redis). Reads are pipelined, one round trip per kind of read per db.

import { Redis } from 'ioredis';

export interface KeyState {
  type: string;
  /** PEXPIRETIME: absolute unix ms, -1 none. */
  expireAt: number;
  value: unknown;
}

/** db:hex(key) → state. */
export type State = Map<string, KeyState>;

const DBS = 16;
const hex = (b: Buffer) => b.toString('hex');
const parseScore = (s: string) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));

/** XINFO STREAM FULL as comparable data: byte strings as hex, the consumers' seen-time left out. */
function streamState(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return hex(v);
  if (!Array.isArray(v)) return v;
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) {
    const name = Buffer.isBuffer(v[i]) ? v[i].toString() : null;
    if (name === 'seen-time' && i % 2 === 0) {
      i++;
      continue;
    }
    out.push(streamState(v[i]));
  }
  return out;
}

function valueOf(type: string, got: unknown): unknown {
  switch (type) {
    case 'string':
      return hex(got as Buffer);
    case 'list':
      return (got as Buffer[]).map(hex);
    case 'set':
      return (got as Buffer[]).map(hex).sort();
    case 'hash': {
      const flat = got as Buffer[];
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${hex(flat[i])}=${hex(flat[i + 1])}`);
      return pairs.sort();
    }
    case 'zset': {
      const flat = got as Buffer[];
      const pairs: Array<[string, number]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([hex(flat[i]), parseScore(flat[i + 1].toString())]);
      return pairs;
    }
    case 'stream':
      return streamState(got);
    default:
      return `unexpected type ${type}`;
  }
}

const READ: Record<string, (k: Buffer) => string[] | Array<string | Buffer>> = {
  string: (k) => ['GET', k],
  list: (k) => ['LRANGE', k, '0', '-1'],
  set: (k) => ['SMEMBERS', k],
  hash: (k) => ['HGETALL', k],
  zset: (k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
  stream: (k) => ['XINFO', 'STREAM', k, 'FULL'],
};

/** Every key of every db of the server on `port`, and each db's DBSIZE. */
export async function readAll(port: number, password?: string): Promise<{ state: State; sizes: number[] }> {
  const state: State = new Map();
  const sizes: number[] = [];
  for (let db = 0; db < DBS; db++) {
    const r = new Redis({ port, host: '127.0.0.1', db, password, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      sizes.push(Number(await r.dbsize()));
      let cursor = '0';
      const seen = new Map<string, Buffer>();
      do {
        const [next, batch] = (await r.callBuffer('SCAN', cursor, 'COUNT', '1000')) as [Buffer, Buffer[]];
        cursor = next.toString();
        for (const k of batch) seen.set(hex(k), k);
      } while (cursor !== '0');
      const keys = [...seen.values()];
      if (keys.length === 0) continue;
      const types = ((await r.pipeline(keys.map((k) => ['type', k])).exec()) ?? []).map(([, t]) => String(t));
      const reads = r.pipeline();
      keys.forEach((k, i) => {
        const argv = READ[types[i]]?.(k) ?? ['ECHO', `unexpected type ${types[i]}`];
        reads.callBuffer(String(argv[0]), ...argv.slice(1));
        reads.call('PEXPIRETIME', k);
      });
      const got = ((await reads.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
      keys.forEach((k, i) => {
        const type = types[i];
        state.set(`${db}:${hex(k)}`, { type, expireAt: Number(got[2 * i + 1]), value: READ[type] ? valueOf(type, got[2 * i]) : got[2 * i] });
      });
    } finally {
      r.disconnect();
    }
  }
  return { state, sizes };
}
