// Cross-type differential fuzz: one seeded stream of random commands over strings, keys, lists,
// hashes, sets, sorted sets, streams, geo, bitmaps, HyperLogLogs, SORT and DUMP/RESTORE round trips — eight keys shared by all types, so WRONGTYPE, conversions,
// empty-collection deletion and cross-key commands (RENAME, COPY, *STORE, LMOVE, SMOVE) meet —
// sent to Hoard over TCP and to a real redis-server 7.0; every reply must be identical, and every
// 500 commands the whole keyspace is read back and compared. Commands whose replies Redis leaves
// to chance (SPOP, SRANDMEMBER, RANDOMKEY, SCAN cursors) are left out; replies whose order Redis
// leaves to its hash table (SMEMBERS, HGETALL...) are compared sorted. Lex-range commands on a
// sorted set whose scores differ are skipped: the lex commands assume equal scores, and Redis's
// answer then can depend on its skiplist's random node heights (the same ZADDs gave different
// ZRANGE ... BYLEX REV replies on one redis-server).
// FUZZ_SEED and FUZZ_OPS run another stream (a campaign of 138 seeds x 20k commands found the
// lex-range bug fixed in bb50159; one seed of them fails now and then on EXPIRE ... GT right
// after EXPIRE with the same seconds, which answers 1 only if a millisecond passed between them,
// on both servers).

import { describe, expect, it } from 'vitest';
import { hoardTcp, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';

const OPS = Number(process.env.FUZZ_OPS ?? 6000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);

/** Lex-range commands, and the index of the key whose members they range over. */
const LEX_KEY: Record<string, number> = { ZRANGEBYLEX: 1, ZREVRANGEBYLEX: 1, ZLEXCOUNT: 1, ZREMRANGEBYLEX: 1 };

function lexKeyIndex(argv: string[]): number {
  const name = argv[0].toUpperCase();
  if (name in LEX_KEY) return LEX_KEY[name];
  if (argv.some((a) => a.toUpperCase() === 'BYLEX')) return name === 'ZRANGESTORE' ? 2 : name === 'ZRANGE' ? 1 : -1;
  return -1;
}

/** Whether `key` (on real Redis) is a sorted set whose scores are not all equal. */
async function mixedScores(b: Backend, key: string): Promise<boolean> {
  if ((await b.conn.call('TYPE', key)) !== 'zset') return false;
  const flat = (await b.conn.call('ZRANGE', key, '0', '-1', 'WITHSCORES')) as string[];
  for (let i = 3; i < flat.length; i += 2) if (flat[i] !== flat[1]) return true;
  return false;
}

type Gen = () => string[];

function generators(rnd: () => number): Gen[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const K = () => 'k' + int(0, 7);
  const V = () =>
    pick(['a', 'b', 'c', 'hello', '1', '2', '-3', '10', '3.5', '', 'x'.repeat(int(1, 70)), String(int(-100, 100)), '1e3', 'inf', 'nan', ' 5', '9223372036854775807', '\x00\xff\r\n']);
  const N = () => String(pick([0, 1, 2, -1, -2, 3, 5, 10, -10, 100, int(-20, 20)]));
  const S = () => pick(['0', '1', '-1', '2.5', '+inf', '-inf', '(1', '(2.5', String(int(-5, 5)), '1e2', 'abc']);
  const L = () => pick(['-', '+', '[a', '(a', '[b', '(hello', '[c', 'a', '[']);
  const F = () => pick(['f1', 'f2', 'f3', 'f4', V()]);
  const many = (g: () => string, lo = 1, hi = 4) => Array.from({ length: int(lo, hi) }, g);
  const pairs = (a: () => string, b: () => string) => many(() => `${a()}\n${b()}`).flatMap((p) => p.split('\n'));
  return [
    () => ['SET', K(), V(), ...pick([[], ['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', N()], ['PX', '100000'], ['NX', 'GET']])],
    () => ['GET', K()],
    () => ['GETDEL', K()],
    () => ['APPEND', K(), V()],
    () => ['STRLEN', K()],
    () => ['INCR', K()],
    () => ['DECRBY', K(), N()],
    () => ['INCRBYFLOAT', K(), pick(['1.5', '-2', 'abc', '1e400', '0.1'])],
    () => ['GETRANGE', K(), N(), N()],
    () => ['SETRANGE', K(), String(int(0, 10)), V()],
    () => ['MSET', ...pairs(K, V)],
    () => ['MGET', ...many(K)],
    () => ['MSETNX', ...pairs(K, V)],
    () => ['GETSET', K(), V()],
    () => ['SETNX', K(), V()],
    () => ['LCS', K(), K(), ...pick([[], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '1']])],
    () => ['DEL', ...many(K)],
    () => ['EXISTS', ...many(K)],
    () => ['TYPE', K()],
    () => ['RENAME', K(), K()],
    () => ['RENAMENX', K(), K()],
    () => ['EXPIRE', K(), pick(['100', '1000', '-1', 'abc']), ...pick([[], ['NX'], ['XX'], ['GT'], ['LT']])],
    () => ['PERSIST', K()],
    () => ['TTL', K()],
    () => ['COPY', K(), K(), ...pick([[], ['REPLACE']])],
    () => ['OBJECT', 'ENCODING', K()],
    () => ['TOUCH', ...many(K)],
    () => ['DBSIZE'],
    () => ['LPUSH', K(), ...many(V)],
    () => ['RPUSH', K(), ...many(V)],
    () => ['LPUSHX', K(), V()],
    () => ['LPOP', K(), ...pick([[], [N()]])],
    () => ['RPOP', K(), ...pick([[], [N()]])],
    () => ['LRANGE', K(), N(), N()],
    () => ['LINDEX', K(), N()],
    () => ['LSET', K(), N(), V()],
    () => ['LINSERT', K(), pick(['BEFORE', 'AFTER', 'x']), V(), V()],
    () => ['LREM', K(), N(), V()],
    () => ['LTRIM', K(), N(), N()],
    () => ['LLEN', K()],
    () => ['LPOS', K(), V(), ...pick([[], ['RANK', N()], ['COUNT', '0'], ['MAXLEN', '2'], ['RANK', '-1', 'COUNT', '2']])],
    () => ['LMOVE', K(), K(), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT'])],
    () => ['RPOPLPUSH', K(), K()],
    () => ['LMPOP', '2', K(), K(), pick(['LEFT', 'RIGHT']), ...pick([[], ['COUNT', '2']])],
    () => ['HSET', K(), ...pairs(F, V)],
    () => ['HSETNX', K(), F(), V()],
    () => ['HGET', K(), F()],
    () => ['HMGET', K(), ...many(F)],
    () => ['HDEL', K(), ...many(F)],
    () => ['HLEN', K()],
    () => ['HSTRLEN', K(), F()],
    () => ['HEXISTS', K(), F()],
    () => ['HINCRBY', K(), F(), N()],
    () => ['HINCRBYFLOAT', K(), F(), pick(['1.5', 'x', '-0.5'])],
    () => ['HGETALL', K()],
    () => ['HKEYS', K()],
    () => ['HVALS', K()],
    () => ['SADD', K(), ...many(V)],
    () => ['SREM', K(), ...many(V)],
    () => ['SMEMBERS', K()],
    () => ['SISMEMBER', K(), V()],
    () => ['SMISMEMBER', K(), ...many(V)],
    () => ['SCARD', K()],
    () => ['SMOVE', K(), K(), V()],
    () => ['SINTER', ...many(K)],
    () => ['SUNION', ...many(K)],
    () => ['SDIFF', ...many(K)],
    () => ['SINTERCARD', '2', K(), K(), ...pick([[], ['LIMIT', '1']])],
    () => ['SINTERSTORE', K(), ...many(K)],
    () => ['SUNIONSTORE', K(), ...many(K)],
    () => ['SDIFFSTORE', K(), ...many(K)],
    () => ['ZADD', K(), ...pick([[], ['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['INCR'], ['XX', 'CH'], ['GT', 'CH']]), ...pairs(S, V)],
    () => ['ZINCRBY', K(), S(), V()],
    () => ['ZREM', K(), ...many(V)],
    () => ['ZCARD', K()],
    () => ['ZSCORE', K(), V()],
    () => ['ZMSCORE', K(), ...many(V)],
    () => ['ZRANK', K(), V()],
    () => ['ZREVRANK', K(), V()],
    () => ['ZCOUNT', K(), S(), S()],
    () => ['ZLEXCOUNT', K(), L(), L()],
    () => ['ZRANGE', K(), N(), N(), ...pick([[], ['WITHSCORES'], ['REV'], ['REV', 'WITHSCORES']])],
    () => ['ZRANGE', K(), S(), S(), 'BYSCORE', ...pick([[], ['WITHSCORES'], ['REV'], ['LIMIT', N(), N()], ['REV', 'LIMIT', '0', '2', 'WITHSCORES']])],
    () => ['ZRANGE', K(), L(), L(), 'BYLEX', ...pick([[], ['REV'], ['LIMIT', N(), N()]])],
    () => ['ZRANGEBYSCORE', K(), S(), S(), ...pick([[], ['WITHSCORES'], ['LIMIT', N(), N()]])],
    () => ['ZREVRANGEBYLEX', K(), L(), L()],
    () => ['ZREMRANGEBYRANK', K(), N(), N()],
    () => ['ZREMRANGEBYSCORE', K(), S(), S()],
    () => ['ZREMRANGEBYLEX', K(), L(), L()],
    () => ['ZPOPMIN', K(), ...pick([[], [N()]])],
    () => ['ZPOPMAX', K(), ...pick([[], [N()]])],
    () => ['ZMPOP', '2', K(), K(), pick(['MIN', 'MAX']), ...pick([[], ['COUNT', '3']])],
    () => ['ZUNIONSTORE', K(), '2', K(), K(), ...pick([[], ['WEIGHTS', '2', '-1'], ['AGGREGATE', 'MAX'], ['AGGREGATE', 'MIN']])],
    () => ['ZINTERSTORE', K(), '2', K(), K(), ...pick([[], ['WEIGHTS', '0', 'inf'], ['AGGREGATE', 'SUM']])],
    () => ['ZDIFFSTORE', K(), '2', K(), K()],
    () => ['ZUNION', '2', K(), K(), ...pick([[], ['WITHSCORES']])],
    () => ['ZINTER', '2', K(), K(), 'WITHSCORES'],
    () => ['ZDIFF', '2', K(), K()],
    () => ['ZINTERCARD', '2', K(), K()],
    () => ['ZRANGESTORE', K(), K(), N(), N()],
    () => ['PFADD', K(), ...many(V, 0, 4)],
    () => ['PFCOUNT', ...many(K, 1, 3)],
    () => ['PFMERGE', K(), ...many(K, 0, 2)],
    // No BY (nosort keeps a set's hash order) and ALPHA only with STORE (without it, strcoll
    // ties "a" and "a\0b", which then keep a set's hash order).
    () => ['SORT', K(), ...pick([[], ['DESC'], ['LIMIT', '1', '2'], ['LIMIT', N(), N(), 'DESC']])],
    () => ['SORT', K(), 'ALPHA', ...pick([[], ['DESC'], ['LIMIT', '0', '3']]), 'STORE', K()],
    () => ['SORT_RO', K(), ...pick([[], ['LIMIT', '0', '2']])],
    () => [DUMP_RESTORE, K(), K()],
    () => ['SETBIT', K(), String(int(0, 600)), pick(['0', '1', '2'])],
    () => ['GETBIT', K(), String(int(0, 600))],
    () => ['BITCOUNT', K(), ...pick([[], [N(), N()], [N(), N(), pick(['BIT', 'BYTE'])]])],
    () => ['BITPOS', K(), pick(['0', '1']), ...pick([[], [N()], [N(), N(), 'BIT']])],
    () => ['BITOP', pick(['AND', 'OR', 'XOR']), K(), ...many(K, 1, 3)],
    () => ['BITOP', 'NOT', K(), K()],
    () => ['GEOADD', K(), ...pick([[], ['NX'], ['XX', 'CH']]), ...pairs(() => pick(['13.361389 38.115556', '15.087269 37.502669', '-122.27 37.80', '0 0', '180 85.05112878', '200 0']), V).flatMap((p) => p.split(' '))],
    () => ['GEOPOS', K(), ...many(V)],
    () => ['GEODIST', K(), V(), V(), pick(['m', 'km', 'mi', 'ft'])],
    () => ['GEOHASH', K(), ...many(V)],
    () => ['GEOSEARCH', K(), 'FROMLONLAT', '14', '38', 'BYRADIUS', pick(['100', '300', '20000']), 'km', 'ASC', ...pick([[], ['WITHDIST'], ['WITHCOORD', 'WITHHASH']])],
    () => ['GEOSEARCHSTORE', K(), K(), 'FROMLONLAT', '0', '0', 'BYBOX', '40000', '40000', 'km', ...pick([[], ['STOREDIST']])],
    () => ['XADD', K(), ...pick([[], ['NOMKSTREAM'], ['MAXLEN', '3'], ['MINID', '=', '5']]), pick([`${int(1, 40)}-${int(0, 2)}`, '0-0', '*-1']), 'f', V()],
    () => ['XLEN', K()],
    () => ['XRANGE', K(), pick(['-', '5', '(10']), pick(['+', '20', '(30-1']), ...pick([[], ['COUNT', '2']])],
    () => ['XREVRANGE', K(), '+', '-', 'COUNT', '3'],
    () => ['XDEL', K(), `${int(1, 40)}-${int(0, 2)}`],
    () => ['XTRIM', K(), pick(['MAXLEN', 'MINID']), pick(['2', '10', '0'])],
    () => ['XGROUP', 'CREATE', K(), 'g', pick(['0', '$']), ...pick([[], ['MKSTREAM']])],
    () => ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', K(), pick(['>', '0'])],
    () => ['XACK', K(), 'g', `${int(1, 40)}-${int(0, 2)}`],
    () => ['XPENDING', K(), 'g'],
    () => ['BITFIELD', K(), ...pick([['GET', 'u8', '0'], ['SET', 'i5', '#1', N()], ['INCRBY', 'u2', '3', N()], ['OVERFLOW', 'FAIL', 'INCRBY', 'i4', '0', '100']])],
  ];
}

/** Not a command: DUMP the first key and RESTORE the payload at the second (REPLACE), on each server with its own payload. */
const DUMP_RESTORE = 'DUMP+RESTORE';

const UNORDERED = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'HKEYS', 'HVALS', 'KEYS']);

/** A reply in comparable form: errors by their text, hash-ordered replies sorted. */
function normalize(cmd: string, r: unknown): unknown {
  if (r instanceof Error) return `ERROR: ${r.message}`;
  if (Array.isArray(r) && UNORDERED.has(cmd)) return [...r].sort();
  if (Array.isArray(r) && cmd === 'HGETALL') {
    const out: string[] = [];
    for (let i = 0; i < r.length; i += 2) out.push(`${r[i]}=${r[i + 1]}`);
    return out.sort();
  }
  return r;
}

async function reply(b: Backend, argv: string[]): Promise<unknown> {
  try {
    if (argv[0] === DUMP_RESTORE) {
      const payload = (await b.conn.callBuffer('DUMP', argv[1])) as Buffer | null;
      return payload === null ? null : await b.conn.call('RESTORE', argv[2], '0', payload, 'REPLACE');
    }
    return await b.conn.call(...argv);
  } catch (err) {
    return new Error((err as Error).message);
  }
}

/** Every key of db 0 with its type, TTL presence and contents, read back through the protocol. */
async function dump(b: Backend): Promise<unknown[]> {
  const out: unknown[] = [];
  const keys = ((await b.conn.call('KEYS', '*')) as string[]).sort();
  for (const k of keys) {
    const type = (await b.conn.call('TYPE', k)) as string;
    const ttl = ((await b.conn.call('TTL', k)) as number) >= 0;
    const read: Record<string, string[]> = {
      string: ['GET', k],
      list: ['LRANGE', k, '0', '-1'],
      hash: ['HGETALL', k],
      set: ['SMEMBERS', k],
      zset: ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
      stream: ['XRANGE', k, '-', '+'],
    };
    const argv = read[type];
    out.push([k, type, ttl, argv === undefined ? null : normalize(argv[0], await b.conn.call(...argv)), await b.conn.call('OBJECT', 'ENCODING', k)]);
  }
  return out;
}

describe.runIf(redisServerAvailable())('differential fuzz: Hoard over TCP and redis-server 7.0', () => {
  it(`${OPS} random commands over every type: every reply and the keyspace identical`, { timeout: 120_000 }, async () => {
    const hoard = await hoardTcp();
    const redis = await realRedis();
    try {
      const rnd = mulberry32(SEED);
      const gens = generators(rnd);
      const mismatches: unknown[] = [];
      const recent: string[] = [];
      let errors = 0;
      let data = 0;
      let checks = 0;
      let skipped = 0;
      for (let i = 0; i < OPS && mismatches.length < 5; i++) {
        const argv = gens[Math.floor(rnd() * gens.length)]();
        const lexKey = lexKeyIndex(argv);
        if (lexKey > 0 && argv.length > lexKey && (await mixedScores(redis, argv[lexKey]))) skipped++;
        else {
          recent.push(argv.join(' '));
          if (recent.length > 6) recent.shift();
          const [h, r] = await Promise.all([reply(hoard, argv), reply(redis, argv)]);
          if (r instanceof Error) errors++;
          else if (Array.isArray(r) ? r.length > 0 : r !== null && r !== 0) data++;
          const nh = normalize(argv[0], h);
          const nr = normalize(argv[0], r);
          if (JSON.stringify(nh) !== JSON.stringify(nr)) mismatches.push({ i, argv, hoard: nh, redis: nr, before: recent.slice(0, -1) });
        }
        if (i % 500 === 499) {
          checks++;
          const [dh, dr] = await Promise.all([dump(hoard), dump(redis)]);
          if (JSON.stringify(dh) !== JSON.stringify(dr)) mismatches.push({ i, keyspace: { hoard: dh, redis: dr } });
        }
      }
      expect(mismatches).toEqual([]);
      // Not vacuous: most commands found data, and the error paths (WRONGTYPE, bad numbers,
      // syntax) were exercised too.
      expect(data).toBeGreaterThan(OPS / 6);
      expect(errors).toBeGreaterThan(OPS / 20);
      expect(checks).toBe(OPS / 500);
      expect(skipped).toBeLessThan(OPS / 50);
    } finally {
      await hoard.close();
      await redis.close();
    }
  });
});
