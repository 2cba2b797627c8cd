// Sorted sets end to end, by the numbers: thousands of seeded random ZADD/ZINCRBY/ZREM/ZPOP/
// range/store operations run on an in-process Hoard and checked reply by reply against a plain
// model (a Map per key, sorted on demand), with the skiplist invariants and the model's state
// compared as it goes; then one deterministic sequence — including bad commands — replayed on
// Hoard and on a real redis-server 7.0, every reply compared.
//
// The model encodes Redis 7.0's rules (t_zset.c) independently of src/: option semantics, range
// bounds, LIMIT, WEIGHTS/AGGREGATE with inf arithmetic, ZRANDMEMBER's whole-set order. Scores
// are formatted with formatScore (pinned to real Redis by test/unit/util/numbers.test.ts).
// Negative zero is kept out of both workloads: Redis itself answers "-0" or "0" depending on the
// encoding, and Hoard stores -0 as 0 (see src/types/zset.ts).

import { describe, expect, it } from 'vitest';
import { inProcess, realRedis, redisServerAvailable, type Backend } from '../../helpers/backends.js';
import { formatScore } from '../../../src/util/numbers.js';
import { ZSetValue } from '../../../src/types/zset-value.js';
import { mulberry32 } from '../../helpers/prng.js';

type Pair = [string, number];
type Reply = unknown;

const byScoreThenMember = (a: Pair, b: Pair) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function fmt(n: number): string {
  return formatScore(n);
}

/** A score as an argument: what a client would type. */
function arg(n: number): string {
  if (n === Infinity) return '+inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

interface Bound {
  v: number;
  ex: boolean;
}

function parseBound(s: string): Bound {
  const ex = s.startsWith('(');
  const t = ex ? s.slice(1) : s;
  const v = t === '+inf' || t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t);
  return { v, ex };
}

function inScore(s: number, min: Bound, max: Bound): boolean {
  return (min.ex ? s > min.v : s >= min.v) && (max.ex ? s < max.v : s <= max.v);
}

interface LexBound {
  inf: -1 | 0 | 1;
  v: string;
  ex: boolean;
}

function parseLex(s: string): LexBound {
  if (s === '-') return { inf: -1, v: '', ex: true };
  if (s === '+') return { inf: 1, v: '', ex: true };
  return { inf: 0, v: s.slice(1), ex: s[0] === '(' };
}

function inLex(m: string, min: LexBound, max: LexBound): boolean {
  const geMin = min.inf !== 0 ? min.inf < 0 : min.ex ? m > min.v : m >= min.v;
  const leMax = max.inf !== 0 ? max.inf > 0 : max.ex ? m < max.v : m <= max.v;
  return geMin && leMax;
}

/** Redis 7.0 semantics over plain Maps. Each method returns the reply ioredis would see. */
class Model {
  readonly keys = new Map<string, Map<string, number>>();

  sorted(key: string): Pair[] {
    const z = this.keys.get(key);
    return z === undefined ? [] : [...z].sort(byScoreThenMember);
  }

  private flat(items: Pair[], withScores: boolean): string[] {
    const out: string[] = [];
    for (const [m, s] of items) {
      out.push(m);
      if (withScores) out.push(fmt(s));
    }
    return out;
  }

  private dropIfEmpty(key: string): void {
    if (this.keys.get(key)?.size === 0) this.keys.delete(key);
  }

  zadd(key: string, flags: string[], pairs: Pair[]): Reply {
    const f = new Set(flags);
    const nx = f.has('NX');
    const xx = f.has('XX');
    const gt = f.has('GT');
    const lt = f.has('LT');
    const incr = f.has('INCR');
    let z = this.keys.get(key);
    if (z === undefined) {
      if (xx) return incr ? null : 0;
      z = new Map();
      this.keys.set(key, z);
    }
    let added = 0;
    let changed = 0;
    let result: number | null = null;
    for (const [m, s0] of pairs) {
      const cur = z.get(m);
      let s = s0;
      if (cur !== undefined) {
        if (nx) continue;
        if (incr) s = cur + s;
        if (Number.isNaN(s)) return new Error('ERR resulting score is not a number (NaN)');
        if ((gt && s <= cur) || (lt && s >= cur)) continue;
        result = s;
        if (s !== cur) {
          z.set(m, s);
          changed++;
        }
      } else if (!xx) {
        z.set(m, s);
        added++;
        result = s;
      }
    }
    if (incr) return result === null ? null : fmt(result);
    return f.has('CH') ? added + changed : added;
  }

  zrem(key: string, members: string[]): Reply {
    const z = this.keys.get(key);
    if (z === undefined) return 0;
    let n = 0;
    for (const m of members) if (z.delete(m)) n++;
    this.dropIfEmpty(key);
    return n;
  }

  zcard(key: string): Reply {
    return this.keys.get(key)?.size ?? 0;
  }

  zscore(key: string, m: string): Reply {
    const s = this.keys.get(key)?.get(m);
    return s === undefined ? null : fmt(s);
  }

  zrank(key: string, m: string, rev: boolean): Reply {
    const list = this.sorted(key);
    const i = list.findIndex((p) => p[0] === m);
    if (i < 0) return null;
    return rev ? list.length - 1 - i : i;
  }

  zcount(key: string, min: string, max: string): Reply {
    const a = parseBound(min);
    const b = parseBound(max);
    return this.sorted(key).filter((p) => inScore(p[1], a, b)).length;
  }

  private rankWindow(key: string, start: number, stop: number, rev: boolean): Pair[] {
    let list = this.sorted(key);
    if (rev) list = list.reverse();
    const n = list.length;
    if (start < 0) start += n;
    if (stop < 0) stop += n;
    if (start < 0) start = 0;
    if (start > stop || start >= n) return [];
    return list.slice(start, Math.min(stop, n - 1) + 1);
  }

  zrange(key: string, start: number, stop: number, rev: boolean, withScores: boolean): Reply {
    return this.flat(this.rankWindow(key, start, stop, rev), withScores);
  }

  private scoreWindow(key: string, min: string, max: string, rev: boolean, limit: [number, number] | null): Pair[] {
    const a = parseBound(min);
    const b = parseBound(max);
    let list = this.sorted(key).filter((p) => inScore(p[1], a, b));
    if (rev) list = list.reverse();
    if (limit !== null) {
      const [off, cnt] = limit;
      if (off < 0) return [];
      list = cnt < 0 ? list.slice(off) : list.slice(off, off + cnt);
    }
    return list;
  }

  zrangebyscore(key: string, min: string, max: string, rev: boolean, withScores: boolean, limit: [number, number] | null): Reply {
    return this.flat(this.scoreWindow(key, min, max, rev, limit), withScores);
  }

  zlex(key: string, min: string, max: string, rev: boolean, limit: [number, number] | null): Pair[] {
    const a = parseLex(min);
    const b = parseLex(max);
    let list = this.sorted(key).filter((p) => inLex(p[0], a, b));
    if (rev) list = list.reverse();
    if (limit !== null) {
      const [off, cnt] = limit;
      if (off < 0) return [];
      list = cnt < 0 ? list.slice(off) : list.slice(off, off + cnt);
    }
    return list;
  }

  private removeAll(key: string, items: Pair[]): number {
    const z = this.keys.get(key);
    if (z === undefined) return 0;
    for (const [m] of items) z.delete(m);
    this.dropIfEmpty(key);
    return items.length;
  }

  zremrangebyrank(key: string, start: number, stop: number): Reply {
    return this.removeAll(key, this.rankWindow(key, start, stop, false));
  }

  zremrangebyscore(key: string, min: string, max: string): Reply {
    return this.removeAll(key, this.scoreWindow(key, min, max, false, null));
  }

  zremrangebylex(key: string, min: string, max: string): Reply {
    return this.removeAll(key, this.zlex(key, min, max, false, null));
  }

  zpop(key: string, max: boolean, count: number | null): Reply {
    let list = this.sorted(key);
    if (max) list = list.reverse();
    const taken = list.slice(0, count === null ? 1 : count);
    this.removeAll(key, taken);
    return this.flat(taken, true);
  }

  /** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE (dst !== null) or their reply forms. */
  op(kind: 'union' | 'inter' | 'diff', dst: string | null, srcs: string[], weights: number[] | null, agg: 'SUM' | 'MIN' | 'MAX', withScores: boolean): Reply {
    const maps = srcs.map((k) => this.keys.get(k) ?? new Map<string, number>());
    const w = weights ?? srcs.map(() => 1);
    const aggregate = (t: number, v: number) => {
      if (agg === 'SUM') {
        const r = t + v;
        return Number.isNaN(r) ? 0 : r;
      }
      if (agg === 'MIN') return v < t ? v : t;
      return v > t ? v : t;
    };
    const res = new Map<string, number>();
    if (kind === 'union') {
      // Inputs are visited smallest first (a stable order): it fixes the order of the sums.
      const order = maps.map((m, i) => i).sort((a, b) => maps[a].size - maps[b].size);
      for (const i of order) {
        for (const [m, s] of maps[i]) {
          let v = w[i] * s;
          if (Number.isNaN(v)) v = 0;
          const cur = res.get(m);
          res.set(m, cur === undefined ? v : aggregate(cur, v));
        }
      }
    } else if (kind === 'inter') {
      const order = maps.map((m, i) => i).sort((a, b) => maps[a].size - maps[b].size);
      const first = order[0];
      outer: for (const [m, s] of maps[first]) {
        let v = w[first] * s;
        if (Number.isNaN(v)) v = 0;
        for (const i of order.slice(1)) {
          const o = maps[i].get(m);
          if (o === undefined) continue outer;
          v = aggregate(v, o * w[i]);
        }
        res.set(m, v);
      }
    } else {
      for (const [m, s] of maps[0]) if (!maps.slice(1).some((o) => o.has(m))) res.set(m, s);
    }
    const list = [...res].sort(byScoreThenMember);
    if (dst === null) return this.flat(list, withScores);
    this.keys.delete(dst);
    if (list.length > 0) this.keys.set(dst, new Map(list));
    return list.length;
  }
}

const KEYS = ['k0', 'k1', 'k2', 'k3'];
const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '', 'Ab', 'ab', 'b\u00ff'];
const SCORES = [0, 1, -1, 2, 2.5, -3.25, 0.1, 0.2, 1e30, -1e-5, 7, 42, Infinity, -Infinity, 1.1];
const BOUNDS = ['-inf', '+inf', '(1', '1', '2.5', '(2.5', '0', '(0', '7', '(-1', '-1', '(+inf', '(-inf', '42'];
const LEX_MEMBERS = ['a', 'aa', 'ab', 'b', 'ba', 'c', 'd', 'e', ''];
const LEX_BOUNDS = ['-', '+', '[a', '(a', '[ab', '(b', '[c', '(d', '[', '(', '[z'];

interface Op {
  argv: string[];
  /** The model's reply (and state change), or undefined when the op is only for the differential run. */
  model?: (m: Model) => Reply;
}

/** A random operation; `big` members make some sets outgrow the listpack encoding. */
function randomOp(rnd: () => number): Op {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const key = () => pick(KEYS);
  const member = () => (rnd() < 0.15 ? `m${Math.floor(rnd() * 200)}` : pick(MEMBERS));
  const score = () => pick(SCORES);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const r = rnd();
  if (r < 0.18) {
    const k = key();
    const flagSets = [[], [], ['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['XX', 'GT', 'CH'], ['LT', 'CH'], ['NX', 'CH']];
    const flags = pick(flagSets);
    const n = int(1, 4);
    const pairs: Pair[] = [];
    for (let i = 0; i < n; i++) pairs.push([member(), score()]);
    const argv = ['ZADD', k, ...flags];
    for (const [m, s] of pairs) argv.push(arg(s), m);
    return { argv, model: (md) => md.zadd(k, flags, pairs) };
  }
  if (r < 0.22) {
    const k = key();
    const flags = pick([['INCR'], ['INCR', 'NX'], ['INCR', 'XX'], ['INCR', 'GT'], ['INCR', 'LT']]);
    const m = member();
    const s = pick([1, -1, 0.1, 0.2, 2.5, 1e30, -7]);
    return { argv: ['ZADD', k, ...flags, arg(s), m], model: (md) => md.zadd(k, flags, [[m, s]]) };
  }
  if (r < 0.28) {
    const k = key();
    const m = member();
    const s = pick([1, -1, 0.1, 0.2, 0.3, 2.5, -0.7, 1e15, Infinity]);
    return { argv: ['ZINCRBY', k, arg(s), m], model: (md) => md.zadd(k, ['INCR'], [[m, s]]) };
  }
  if (r < 0.31) {
    // A burst of members: some sets become skiplists.
    const k = key();
    const pairs: Pair[] = [];
    for (let i = 0; i < 40; i++) pairs.push([`m${int(0, 199)}`, int(-50, 50) / 4]);
    const argv = ['ZADD', k];
    for (const [m, s] of pairs) argv.push(arg(s), m);
    return { argv, model: (md) => md.zadd(k, [], pairs) };
  }
  if (r < 0.36) {
    const k = key();
    const ms = [member(), member(), member()].slice(0, int(1, 3));
    return { argv: ['ZREM', k, ...ms], model: (md) => md.zrem(k, ms) };
  }
  if (r < 0.38) {
    const k = key();
    return { argv: ['ZCARD', k], model: (md) => md.zcard(k) };
  }
  if (r < 0.41) {
    const k = key();
    const m = member();
    return { argv: ['ZSCORE', k, m], model: (md) => md.zscore(k, m) };
  }
  if (r < 0.43) {
    const k = key();
    const ms = [member(), member()];
    return { argv: ['ZMSCORE', k, ...ms], model: (md) => ms.map((m) => md.zscore(k, m)) };
  }
  if (r < 0.47) {
    const k = key();
    const m = member();
    const rev = rnd() < 0.5;
    return { argv: [rev ? 'ZREVRANK' : 'ZRANK', k, m], model: (md) => md.zrank(k, m, rev) };
  }
  if (r < 0.5) {
    const k = key();
    const a = pick(BOUNDS);
    const b = pick(BOUNDS);
    return { argv: ['ZCOUNT', k, a, b], model: (md) => md.zcount(k, a, b) };
  }
  if (r < 0.56) {
    const k = key();
    const start = int(-12, 12);
    const stop = int(-12, 12);
    const rev = rnd() < 0.4;
    const ws = rnd() < 0.5;
    const form = rnd();
    const argv =
      form < 0.5
        ? ['ZRANGE', k, String(start), String(stop), ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : [])]
        : [rev ? 'ZREVRANGE' : 'ZRANGE', k, String(start), String(stop), ...(ws ? ['WITHSCORES'] : [])];
    return { argv, model: (md) => md.zrange(k, start, stop, rev, ws) };
  }
  if (r < 0.63) {
    const k = key();
    const min = pick(BOUNDS);
    const max = pick(BOUNDS);
    const rev = rnd() < 0.4;
    const ws = rnd() < 0.5;
    const limit: [number, number] | null = rnd() < 0.4 ? [int(-1, 5), int(-2, 6)] : null;
    const lim = limit === null ? [] : ['LIMIT', String(limit[0]), String(limit[1])];
    const form = rnd();
    // Reverse forms take max first.
    const argv =
      form < 0.5
        ? ['ZRANGE', k, rev ? max : min, rev ? min : max, 'BYSCORE', ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : []), ...lim]
        : [rev ? 'ZREVRANGEBYSCORE' : 'ZRANGEBYSCORE', k, rev ? max : min, rev ? min : max, ...(ws ? ['WITHSCORES'] : []), ...lim];
    return { argv, model: (md) => md.zrangebyscore(k, min, max, rev, ws, limit) };
  }
  if (r < 0.66) {
    const k = key();
    const start = int(-6, 6);
    const stop = int(-6, 6);
    return { argv: ['ZREMRANGEBYRANK', k, String(start), String(stop)], model: (md) => md.zremrangebyrank(k, start, stop) };
  }
  if (r < 0.69) {
    const k = key();
    const a = pick(BOUNDS);
    const b = pick(BOUNDS);
    return { argv: ['ZREMRANGEBYSCORE', k, a, b], model: (md) => md.zremrangebyscore(k, a, b) };
  }
  if (r < 0.74) {
    const k = key();
    const max = rnd() < 0.5;
    const count = rnd() < 0.5 ? null : int(0, 4);
    return {
      argv: [max ? 'ZPOPMAX' : 'ZPOPMIN', k, ...(count === null ? [] : [String(count)])],
      model: (md) => md.zpop(k, max, count),
    };
  }
  if (r < 0.8) {
    const kind = pick(['union', 'inter', 'diff'] as const);
    const n = int(1, 3);
    const srcs: string[] = [];
    for (let i = 0; i < n; i++) srcs.push(key());
    const weights = kind !== 'diff' && rnd() < 0.5 ? srcs.map(() => pick([1, 2, 0.5, 3])) : null;
    const agg = kind !== 'diff' ? pick(['SUM', 'MIN', 'MAX'] as const) : 'SUM';
    const opts = [...(weights ? ['WEIGHTS', ...weights.map(String)] : []), ...(kind !== 'diff' ? ['AGGREGATE', agg] : [])];
    const store = rnd() < 0.5;
    const name = `Z${kind.toUpperCase()}`;
    if (store) {
      const dst = rnd() < 0.7 ? pick(['d0', 'd1']) : key();
      return { argv: [`${name}STORE`, dst, String(n), ...srcs, ...opts], model: (md) => md.op(kind, dst, srcs, weights, agg, false) };
    }
    const ws = rnd() < 0.6;
    return { argv: [name, String(n), ...srcs, ...opts, ...(ws ? ['WITHSCORES'] : [])], model: (md) => md.op(kind, null, srcs, weights, agg, ws) };
  }
  if (r < 0.84) {
    const m = pick(LEX_MEMBERS);
    return { argv: ['ZADD', 'lex', '0', m], model: (md) => md.zadd('lex', [], [[m, 0]]) };
  }
  if (r < 0.9) {
    const a = pick(LEX_BOUNDS);
    const b = pick(LEX_BOUNDS);
    const rev = rnd() < 0.4;
    const limit: [number, number] | null = rnd() < 0.3 ? [int(-1, 3), int(-1, 4)] : null;
    const lim = limit === null ? [] : ['LIMIT', String(limit[0]), String(limit[1])];
    return {
      argv: [rev ? 'ZREVRANGEBYLEX' : 'ZRANGEBYLEX', 'lex', rev ? b : a, rev ? a : b, ...lim],
      model: (md) => md.zlex('lex', a, b, rev, limit).map((p) => p[0]),
    };
  }
  if (r < 0.93) {
    const a = pick(LEX_BOUNDS);
    const b = pick(LEX_BOUNDS);
    return { argv: ['ZLEXCOUNT', 'lex', a, b], model: (md) => md.zlex('lex', a, b, false, null).length };
  }
  if (r < 0.95) {
    const a = pick(LEX_BOUNDS);
    const b = pick(LEX_BOUNDS);
    return { argv: ['ZREMRANGEBYLEX', 'lex', a, b], model: (md) => md.zremrangebylex('lex', a, b) };
  }
  if (r < 0.97) {
    // The whole set: deterministic, highest rank first.
    const k = key();
    return {
      argv: ['ZRANDMEMBER', k, '1000', 'WITHSCORES'],
      model: (md) => {
        const out: string[] = [];
        for (const [m, s] of md.sorted(k).reverse()) out.push(m, fmt(s));
        return out;
      },
    };
  }
  // Commands that must fail: only compared with real Redis.
  return pick<Op>([
    { argv: ['ZADD', key(), 'NX', 'XX', '1', 'a'] },
    { argv: ['ZADD', key(), 'INCR', '1', 'a', '2', 'b'] },
    { argv: ['ZADD', key(), 'x', 'a'] },
    { argv: ['ZINCRBY', key(), '-inf', pick(MEMBERS)] },
    { argv: ['ZRANGE', key(), '0', '-1', 'LIMIT', '0', '1'] },
    { argv: ['ZRANGEBYSCORE', key(), 'x', '1'] },
    { argv: ['ZRANGEBYLEX', 'lex', 'a', '+'] },
    { argv: ['ZUNION', '0', key()] },
    { argv: ['ZPOPMIN', key(), '-1'] },
    { argv: ['SET', 'str', 'x'] },
    { argv: ['ZADD', 'str', '1', 'a'] },
    { argv: ['ZUNIONSTORE', 'd0', '2', key(), 'str'] },
    { argv: ['ZMPOP', '2', key(), key(), pick(['MIN', 'MAX']), 'COUNT', String(int(1, 3))] },
    { argv: ['ZINTERCARD', '2', key(), key(), 'LIMIT', String(int(0, 3))] },
    { argv: ['ZRANGESTORE', 'd1', key(), pick(BOUNDS), pick(BOUNDS), 'BYSCORE'] },
    { argv: ['ZSCAN', 'lex', '0'] },
  ]);
}

/** A connection's reply, with errors as values so sequences can be compared. */
async function replyOf(b: Backend, argv: string[]): Promise<Reply> {
  try {
    return await b.conn.call(...argv);
  } catch (err) {
    return new Error((err as Error).message);
  }
}

function show(v: Reply): unknown {
  return v instanceof Error ? `ERROR: ${v.message}` : v;
}

/** Every zset in db 0 as [key, pairs] read back through the protocol. */
async function contents(b: Backend): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const k of [...KEYS, 'd0', 'd1', 'lex']) out[k] = await b.conn.call('ZRANGE', k, 0, -1, 'WITHSCORES');
  return out;
}

describe('zsets: random operations against a model', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 4000 operations, every reply and the final state agree`, async () => {
      const b = await inProcess();
      try {
        const rnd = mulberry32(seed);
        const model = new Model();
        let checked = 0;
        const encodings = new Set<string>();
        for (let i = 0; i < 4000; i++) {
          const op = randomOp(rnd);
          if (op.model === undefined) continue;
          const got = await replyOf(b, op.argv);
          const want = op.model(model);
          expect([i, op.argv, show(got)]).toEqual([i, op.argv, show(want)]);
          checked++;
          if (i % 500 === 499) {
            // The skiplist is sound and holds exactly the model's members and scores.
            const db = b.server!.ks.dbs[0];
            for (const e of db.entries()) {
        const k = e.key;
              if (!(e.value instanceof ZSetValue)) continue;
              e.value.checkInvariants();
              encodings.add(e.value.encoding());
              // Stored members are the protocol's bytes (latin1); the model holds what clients sent.
              const stored = [...e.value.entries()].map(([m, sc]) => [Buffer.from(m, 'latin1').toString('utf8'), sc]);
              expect([k, stored]).toEqual([k, model.sorted(k)]);
            }
            for (const k of model.keys.keys()) expect(db.dict.has(k)).toBe(true);
          }
        }
        expect(checked).toBeGreaterThan(3500);
        // Both encodings were exercised along the way.
        expect([...encodings].sort()).toEqual(['listpack', 'skiplist']);
      } finally {
        await b.close();
      }
    });
  }
});

describe.runIf(redisServerAvailable())('zsets: the same sequence on Hoard and on redis-server', () => {
  it('3000 operations (bad ones included): every reply identical, same final contents', async () => {
    const hoard = await inProcess();
    const redis = await realRedis();
    try {
      const rnd = mulberry32(0xbeef);
      let differ = 0;
      let errors = 0;
      let answered = 0;
      const mismatches: unknown[] = [];
      for (let i = 0; i < 3000; i++) {
        const op = randomOp(rnd);
        const [h, r] = await Promise.all([replyOf(hoard, op.argv), replyOf(redis, op.argv)]);
        if (r instanceof Error) errors++;
        else if (Array.isArray(r) ? r.length > 0 : r !== null && r !== 0) answered++;
        if (JSON.stringify(show(h)) !== JSON.stringify(show(r))) {
          differ++;
          if (mismatches.length < 5) mismatches.push({ i, argv: op.argv, hoard: show(h), redis: show(r) });
        }
      }
      expect(mismatches).toEqual([]);
      expect(differ).toBe(0);
      // Not vacuous: most replies carry data, and the error paths were exercised too.
      expect(answered).toBeGreaterThan(1500);
      expect(errors).toBeGreaterThan(30);
      expect(await contents(hoard)).toEqual(await contents(redis));
      for (const k of [...KEYS, 'd0', 'd1', 'lex']) {
        expect([k, await hoard.conn.call('OBJECT', 'ENCODING', k)]).toEqual([k, await redis.conn.call('OBJECT', 'ENCODING', k)]);
      }
    } finally {
      await hoard.close();
      await redis.close();
    }
  });
});
