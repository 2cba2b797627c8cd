// Randomized model test for hashes and sets: thousands of seeded random commands go both to an
// in-process Hoard and to a plain JS model (Map / Set with the semantics written out again,
// independently of src/), and every reply and the final contents must agree. The same seeded
// sequence, minus its random-output commands, then runs against a real redis-server 7.0 and
// Hoard side by side with the same small encoding thresholds: replies and OBJECT ENCODING after
// every command must be equal (exact order where Redis's order is defined: listpack hashes and
// intsets; sorted otherwise).

import { describe, it, expect, afterAll } from 'vitest';
import { inProcess, realRedis, redisServerAvailable, type Backend } from '../../helpers/backends.js';
import { dump } from '../../helpers/dump.js';
import { scanStep, parseScanCursor, ScanState } from '../../../src/types/scan-cursor.js';
import { mulberry32 } from '../../helpers/prng.js';
import { Checks } from '../../helpers/checks.js';
import { isDeepStrictEqual } from 'node:util';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const CONFIG = { 'hash-max-listpack-entries': '8', 'hash-max-listpack-value': '16', 'set-max-intset-entries': '8' };

// ---- seeded randomness -------------------------------------------------------------------------

class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
}

// ---- the op generator ---------------------------------------------------------------------------

const HKEYS = ['h0', 'h1', 'h2', 'h3'];
const SKEYS = ['s0', 's1', 's2', 's3', 's4'];
const FIELDS = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10', 'f11', 'a-field-of-17-byt'];
const VALUES = ['0', '1', '-3', '20', '1.5', '0.25', '-2.75', 'abc', '', 'v', 'a-value-that-is-longer-than-16', '007'];
const INCRS = ['1', '-1', '5', '-20', '0'];
const FINCRS = ['0.25', '-0.5', '1.5', '3', '-1.75'];
const MEMBERS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '-3', '-42', 'a', 'b', 'c', '01', 'member-of-17-byte'];

/** Random ops whose output is random: not part of the Redis differential. */
const RANDOM_OUTPUT = new Set(['SPOP', 'SRANDMEMBER', 'HRANDFIELD', 'HSCAN', 'SSCAN']);

function anyKey(g: Gen, own: readonly string[]): string {
  // Mostly the right type, sometimes another type or a string key (WRONGTYPE paths).
  if (g.chance(0.04)) return 'str';
  if (g.chance(0.04)) return g.pick(own === HKEYS ? SKEYS : HKEYS);
  return g.pick(own);
}

function genOp(g: Gen): string[] {
  const n = (lo: number, hi: number) => lo + g.int(hi - lo + 1);
  const fields = (k: number) => Array.from({ length: k }, () => g.pick(FIELDS));
  const members = (k: number) => Array.from({ length: k }, () => g.pick(MEMBERS));
  const hk = () => anyKey(g, HKEYS);
  const sk = () => anyKey(g, SKEYS);
  switch (g.int(34)) {
    case 0:
    case 1:
    case 2: {
      const out = ['HSET', hk()];
      for (let i = n(1, 3); i > 0; i--) out.push(g.pick(FIELDS), g.pick(VALUES));
      return out;
    }
    case 3:
      return ['HSETNX', hk(), g.pick(FIELDS), g.pick(VALUES)];
    case 4:
      return ['HGET', hk(), g.pick(FIELDS)];
    case 5:
      return ['HMGET', hk(), ...fields(n(1, 3))];
    case 6:
    case 7:
      return ['HDEL', hk(), ...fields(n(1, 3))];
    case 8:
      return [g.pick(['HLEN', 'HGETALL', 'HKEYS', 'HVALS']), hk()];
    case 9:
      return [g.pick(['HSTRLEN', 'HEXISTS']), hk(), g.pick(FIELDS)];
    case 10:
      return ['HINCRBY', hk(), g.pick(FIELDS), g.pick(INCRS)];
    case 11:
      return ['HINCRBYFLOAT', hk(), g.pick(FIELDS), g.pick(FINCRS)];
    case 12:
      return g.chance(0.5) ? ['HRANDFIELD', hk()] : ['HRANDFIELD', hk(), String(n(-6, 12)), ...(g.chance(0.5) ? ['WITHVALUES'] : [])];
    case 13:
      return ['HSCAN', hk(), String(n(1, 5))];
    case 14:
    case 15:
    case 16:
      return ['SADD', sk(), ...members(n(1, 4))];
    case 17:
    case 18:
      return ['SREM', sk(), ...members(n(1, 3))];
    case 19:
      return [g.pick(['SMEMBERS', 'SCARD']), sk()];
    case 20:
      return ['SISMEMBER', sk(), g.pick(MEMBERS)];
    case 21:
      return ['SMISMEMBER', sk(), ...members(n(1, 3))];
    case 22:
      return g.chance(0.4) ? ['SPOP', sk()] : ['SPOP', sk(), String(n(0, 6))];
    case 23:
      return g.chance(0.4) ? ['SRANDMEMBER', sk()] : ['SRANDMEMBER', sk(), String(n(-6, 12))];
    case 24:
    case 25:
      return ['SMOVE', sk(), sk(), g.pick(MEMBERS)];
    case 26:
      return [g.pick(['SINTER', 'SUNION', 'SDIFF']), ...Array.from({ length: n(1, 3) }, sk)];
    case 27:
    case 28:
      return [g.pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), sk(), ...Array.from({ length: n(1, 3) }, sk)];
    case 29: {
      const k = n(1, 3);
      const out = ['SINTERCARD', String(k), ...Array.from({ length: k }, sk)];
      if (g.chance(0.5)) out.push('LIMIT', String(n(0, 4)));
      return out;
    }
    case 30:
      return ['SSCAN', sk(), String(n(1, 5))];
    case 31:
      return ['DEL', g.chance(0.5) ? g.pick(HKEYS) : g.pick(SKEYS)];
    case 32:
      return ['SET', 'str', 'x'];
    default:
      return ['HSET', hk(), g.pick(FIELDS), g.pick(VALUES)];
  }
}

// ---- the model -----------------------------------------------------------------------------------

type MValue = string | Map<string, string> | Set<string>;

/** What a reply must be: an exact value, an error, or a check of a random reply. */
type Expect = { value: unknown } | { error: string } | { check: (reply: unknown) => void };

const isInt = (s: string) => /^-?(0|[1-9][0-9]{0,18})$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n;
const isNum = (s: string) => /^-?[0-9]+(\.[0-9]+)?$/.test(s);
const sortStr = (a: string[]) => [...a].sort();

class Model {
  readonly keys = new Map<string, MValue>();

  private hash(k: string): Map<string, string> | null | 'wrong' {
    const v = this.keys.get(k);
    if (v === undefined) return null;
    return v instanceof Map ? v : 'wrong';
  }

  private set(k: string): Set<string> | null | 'wrong' {
    const v = this.keys.get(k);
    if (v === undefined) return null;
    return v instanceof Set ? v : 'wrong';
  }

  private dropIfEmpty(k: string): void {
    const v = this.keys.get(k);
    if (v !== undefined && typeof v !== 'string' && v.size === 0) this.keys.delete(k);
  }

  apply(op: string[]): Expect {
    const [cmd, key] = op;
    switch (cmd) {
      case 'SET':
        this.keys.set(key, op[2]);
        return { value: 'OK' };
      case 'DEL': {
        const had = this.keys.delete(key);
        return { value: had ? 1 : 0 };
      }
      case 'HSET': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        const m = h ?? new Map<string, string>();
        let created = 0;
        for (let i = 2; i < op.length; i += 2) {
          if (!m.has(op[i])) created++;
          m.set(op[i], op[i + 1]);
        }
        this.keys.set(key, m);
        return { value: created };
      }
      case 'HSETNX': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        if (h !== null && h.has(op[2])) return { value: 0 };
        const m = h ?? new Map<string, string>();
        m.set(op[2], op[3]);
        this.keys.set(key, m);
        return { value: 1 };
      }
      case 'HGET': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        return { value: h?.get(op[2]) ?? null };
      }
      case 'HMGET': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        return { value: op.slice(2).map((f) => h?.get(f) ?? null) };
      }
      case 'HDEL': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        let n = 0;
        for (const f of op.slice(2)) if (h?.delete(f)) n++;
        this.dropIfEmpty(key);
        return { value: n };
      }
      case 'HLEN':
      case 'HGETALL':
      case 'HKEYS':
      case 'HVALS':
      case 'HSTRLEN':
      case 'HEXISTS': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        const m = h ?? new Map<string, string>();
        if (cmd === 'HLEN') return { value: m.size };
        if (cmd === 'HGETALL') return { value: [...m].flat() };
        if (cmd === 'HKEYS') return { value: [...m.keys()] };
        if (cmd === 'HVALS') return { value: [...m.values()] };
        if (cmd === 'HSTRLEN') return { value: m.get(op[2])?.length ?? 0 };
        return { value: m.has(op[2]) ? 1 : 0 };
      }
      case 'HINCRBY': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        const old = h?.get(op[2]);
        if (old !== undefined && !isInt(old)) return { error: 'ERR hash value is not an integer' };
        const v = BigInt(old ?? '0') + BigInt(op[3]);
        const m = h ?? new Map<string, string>();
        m.set(op[2], String(v));
        this.keys.set(key, m);
        return { value: Number(v) };
      }
      case 'HINCRBYFLOAT': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        const old = h?.get(op[2]);
        // The vocabulary keeps every number a short binary fraction: doubles are exact here.
        if (old !== undefined && !isNum(old)) return { error: 'ERR hash value is not a float' };
        const v = String(Number(old ?? '0') + Number(op[3]));
        const m = h ?? new Map<string, string>();
        m.set(op[2], v);
        this.keys.set(key, m);
        return { value: v };
      }
      case 'HRANDFIELD': {
        const h = this.hash(key);
        if (h === 'wrong') return { error: WRONGTYPE };
        const m = h ?? new Map<string, string>();
        if (op.length === 2) {
          return { check: (r) => (m.size === 0 ? expect(r).toBe(null) : expect(m.has(r as string)).toBe(true)) };
        }
        const count = Number(op[2]);
        const wv = op.length === 4;
        return {
          check: (r) => {
            const flat = r as string[];
            const fs = wv ? flat.filter((_, i) => i % 2 === 0) : flat;
            if (wv) for (let i = 0; i < flat.length; i += 2) expect(flat[i + 1]).toBe(m.get(flat[i]));
            for (const f of fs) expect(m.has(f)).toBe(true);
            if (count >= 0) {
              expect(fs.length).toBe(Math.min(count, m.size));
              expect(new Set(fs).size).toBe(fs.length);
              if (count >= m.size) expect(fs).toEqual([...m.keys()]);
            } else expect(fs.length).toBe(m.size === 0 ? 0 : -count);
          },
        };
      }
      case 'HSCAN':
      case 'SSCAN':
        // Driven as a whole iteration by the runner.
        return { value: undefined };
      case 'SADD': {
        const s = this.set(key);
        if (s === 'wrong') return { error: WRONGTYPE };
        const m = s ?? new Set<string>();
        let n = 0;
        for (const x of op.slice(2)) {
          if (!m.has(x)) n++;
          m.add(x);
        }
        this.keys.set(key, m);
        return { value: n };
      }
      case 'SREM': {
        const s = this.set(key);
        if (s === 'wrong') return { error: WRONGTYPE };
        let n = 0;
        for (const x of op.slice(2)) if (s?.delete(x)) n++;
        this.dropIfEmpty(key);
        return { value: n };
      }
      case 'SMEMBERS':
      case 'SCARD':
      case 'SISMEMBER':
      case 'SMISMEMBER': {
        const s = this.set(key);
        if (s === 'wrong') return { error: WRONGTYPE };
        const m = s ?? new Set<string>();
        if (cmd === 'SMEMBERS') return { value: sortStr([...m]) };
        if (cmd === 'SCARD') return { value: m.size };
        if (cmd === 'SISMEMBER') return { value: m.has(op[2]) ? 1 : 0 };
        return { value: op.slice(2).map((x) => (m.has(x) ? 1 : 0)) };
      }
      case 'SPOP': {
        const s = this.set(key);
        if (s === 'wrong') return { error: WRONGTYPE };
        const m = s ?? new Set<string>();
        return {
          check: (r) => {
            const popped = op.length === 2 ? (r === null ? [] : [r as string]) : (r as string[]);
            const want = op.length === 2 ? Math.min(1, m.size) : Math.min(Number(op[2]), m.size);
            expect(popped.length).toBe(want);
            expect(new Set(popped).size).toBe(popped.length);
            for (const x of popped) {
              expect(m.has(x)).toBe(true);
              m.delete(x);
            }
            this.dropIfEmpty(key);
          },
        };
      }
      case 'SRANDMEMBER': {
        const s = this.set(key);
        if (s === 'wrong') return { error: WRONGTYPE };
        const m = s ?? new Set<string>();
        if (op.length === 2) return { check: (r) => (m.size === 0 ? expect(r).toBe(null) : expect(m.has(r as string)).toBe(true)) };
        const count = Number(op[2]);
        return {
          check: (r) => {
            const got = r as string[];
            for (const x of got) expect(m.has(x)).toBe(true);
            if (count >= 0) {
              expect(got.length).toBe(Math.min(count, m.size));
              expect(new Set(got).size).toBe(got.length);
            } else expect(got.length).toBe(m.size === 0 ? 0 : -count);
          },
        };
      }
      case 'SMOVE': {
        const src = this.set(key);
        const dst = this.set(op[2]);
        if (src === null) return { value: 0 };
        if (src === 'wrong' || dst === 'wrong') return { error: WRONGTYPE };
        if (src === dst) return { value: src.has(op[3]) ? 1 : 0 };
        if (!src.delete(op[3])) return { value: 0 };
        this.dropIfEmpty(key);
        const d = dst ?? new Set<string>();
        d.add(op[3]);
        this.keys.set(op[2], d);
        return { value: 1 };
      }
      case 'SINTER':
      case 'SUNION':
      case 'SDIFF':
      case 'SINTERSTORE':
      case 'SUNIONSTORE':
      case 'SDIFFSTORE':
      case 'SINTERCARD': {
        const store = cmd.endsWith('STORE');
        const card = cmd === 'SINTERCARD';
        const from = store ? 2 : card ? 2 : 1;
        const to = card ? 2 + Number(op[1]) : op.length;
        const sets: Array<Set<string> | null> = [];
        for (let i = from; i < to; i++) {
          const s = this.set(op[i]);
          if (s === 'wrong') return { error: WRONGTYPE };
          sets.push(s);
        }
        const all = (s: Set<string> | null) => [...(s ?? [])];
        let result: string[];
        if (cmd.startsWith('SINTER')) {
          result = sets.includes(null) ? [] : all(sets[0]).filter((x) => sets.every((s) => s!.has(x)));
        } else if (cmd.startsWith('SUNION')) {
          result = [...new Set(sets.flatMap(all))];
        } else {
          result = all(sets[0]).filter((x) => sets.slice(1).every((s) => !s?.has(x)));
        }
        if (card) {
          const limit = op.length > to ? Number(op[to + 1]) : 0;
          return { value: limit > 0 ? Math.min(limit, result.length) : result.length };
        }
        if (!store) return { value: sortStr(result) };
        if (result.length === 0) this.keys.delete(key);
        else this.keys.set(key, new Set(result));
        return { value: result.length };
      }
      default:
        throw new Error(`model: no ${cmd}`);
    }
  }

  /** The model as a dump (see test/helpers/dump.ts) of db 0. */
  dump(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of [...this.keys.keys()].sort()) {
      const v = this.keys.get(k)!;
      if (typeof v === 'string') out[k] = { type: 'string', value: v, expireAt: 0 };
      else if (v instanceof Set) out[k] = { type: 'set', value: sortStr([...v]), expireAt: 0 };
      else out[k] = { type: 'hash', value: [...v].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), expireAt: 0 };
    }
    return out;
  }
}

// ---- the runners ---------------------------------------------------------------------------------

async function reply(b: Backend, op: string[]): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: await b.conn.call(...op) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Set-valued replies whose order is not the model's business. */
const SORTED_REPLIES = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF']);

/** A whole SCAN iteration with COUNT, checked against the model's content. */
async function checkScan(b: Backend, model: Model, op: string[]): Promise<void> {
  const [cmd, key, count] = op;
  const v = model.keys.get(key);
  const first = await reply(b, [cmd, key, '0', 'COUNT', count]);
  const wrong = v !== undefined && (cmd === 'HSCAN' ? !(v instanceof Map) : !(v instanceof Set));
  if (wrong) {
    expect(first.error).toBe(WRONGTYPE);
    return;
  }
  const seen: string[] = [];
  let res = first;
  for (let rounds = 0; ; rounds++) {
    expect(res.error).toBeUndefined();
    const [cursor, items] = res.value as [string, string[]];
    if (cmd === 'HSCAN') {
      for (let i = 0; i < items.length; i += 2) {
        expect(items[i + 1]).toBe((v as Map<string, string>).get(items[i]));
        seen.push(items[i]);
      }
    } else seen.push(...items);
    if (cursor === '0') break;
    expect(rounds).toBeLessThan(1000);
    res = await reply(b, [cmd, key, cursor, 'COUNT', count]);
  }
  const want = v === undefined ? [] : cmd === 'HSCAN' ? [...(v as Map<string, string>).keys()] : [...(v as Set<string>)];
  expect(sortStr([...new Set(seen)])).toEqual(sortStr(want));
}

async function runModel(seed: number, ops: number): Promise<void> {
  const b = await inProcess(CONFIG);
  try {
    const g = new Gen(seed);
    const model = new Model();
    const ck = new Checks();
    for (let i = 0; i < ops; i++) {
      const op = genOp(g);
      if (op[0] === 'HSCAN' || op[0] === 'SSCAN') {
        await checkScan(b, model, op);
        continue;
      }
      const want = model.apply(op);
      const got = await reply(b, op);
      const where = `#${i} ${op.join(' ')}`;
      if ('error' in want) {
        ck.is(got.error, want.error, where);
      } else if ('check' in want) {
        ck.is(got.error, undefined, where);
        want.check(got.value);
      } else {
        ck.is(got.error, undefined, where);
        const value = SORTED_REPLIES.has(op[0]) ? sortStr(got.value as string[]) : got.value;
        ck.ok(isDeepStrictEqual(value, want.value), `${where}: got ${JSON.stringify(value)}, expected ${JSON.stringify(want.value)}`);
      }
    }
    ck.done();
    expect(dump(b.server!)[0] ?? {}).toEqual(model.dump());
  } finally {
    await b.close();
  }
}

describe('hash/set model', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 6000 random commands agree with the model`, async () => {
      await runModel(seed, 6000);
    });
  }
});

// ---- the differential against real Redis ---------------------------------------------------------

/** Normalizes a reply whose order Redis leaves to its hash table. */
function normalize(op: string[], value: unknown, encoding: unknown): unknown {
  const cmd = op[0];
  if (!Array.isArray(value)) return value;
  if (cmd === 'SMEMBERS') return encoding === 'intset' ? value : sortStr(value);
  if (cmd === 'SINTER' || cmd === 'SUNION' || cmd === 'SDIFF') return sortStr(value);
  if (cmd === 'HGETALL' && encoding === 'hashtable') {
    const pairs: string[][] = [];
    for (let i = 0; i < value.length; i += 2) pairs.push([value[i], value[i + 1]]);
    return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  if ((cmd === 'HKEYS' || cmd === 'HVALS') && encoding === 'hashtable') return sortStr(value);
  return value;
}

/** The keys an op names (for the OBJECT ENCODING comparison after it). */
function keysOf(op: string[]): string[] {
  if (op[0] === 'SINTERCARD') return op.slice(2, 2 + Number(op[1]));
  if (/^S(INTER|UNION|DIFF)/.test(op[0]) || op[0] === 'SMOVE') return op.slice(1).filter((a) => a !== 'LIMIT');
  return [op[1]];
}

describe.runIf(redisServerAvailable())('hash/set differential against redis-server 7.0', () => {
  const backends: Backend[] = [];
  afterAll(async () => {
    for (const b of backends) await b.close();
  });

  for (const seed of [11, 12]) {
    it(`seed ${seed}: 3000 deterministic commands give equal replies and encodings`, async () => {
      const real = await realRedis(CONFIG);
      const hoard = await inProcess(CONFIG);
      backends.push(real, hoard);
      const g = new Gen(seed);
      let compared = 0;
      for (let i = 0; compared < 3000; i++) {
        const op = genOp(g);
        if (RANDOM_OUTPUT.has(op[0])) continue;
        compared++;
        const encBefore = await reply(hoard, ['OBJECT', 'ENCODING', op[1]]);
        const want = await reply(real, op);
        const got = await reply(hoard, op);
        const where = `#${i} ${op.join(' ')}`;
        expect([where, got.error]).toEqual([where, want.error]);
        expect([where, normalize(op, got.value, encBefore.value)]).toEqual([where, normalize(op, want.value, encBefore.value)]);
        for (const k of keysOf(op)) {
          const e1 = await reply(real, ['OBJECT', 'ENCODING', k]);
          const e2 = await reply(hoard, ['OBJECT', 'ENCODING', k]);
          expect([where, k, e2.value]).toEqual([where, k, e1.value]);
        }
      }
      // Same final contents, every key compared whole.
      const keys = sortStr(await real.conn.call('KEYS', '*'));
      expect(sortStr(await hoard.conn.call('KEYS', '*'))).toEqual(keys);
      for (const k of keys) {
        const type = await real.conn.call('TYPE', k);
        expect(await hoard.conn.call('TYPE', k)).toBe(type);
        if (type === 'hash') {
          expect(normalize(['HGETALL'], await hoard.conn.call('HGETALL', k), 'hashtable')).toEqual(
            normalize(['HGETALL'], await real.conn.call('HGETALL', k), 'hashtable'),
          );
        } else if (type === 'set') {
          expect(sortStr(await hoard.conn.call('SMEMBERS', k))).toEqual(sortStr(await real.conn.call('SMEMBERS', k)));
        }
      }
    });
  }
});

// ---- the element-SCAN guarantee, directly ----------------------------------------------------------

describe('scanStep (types/scan-cursor.ts)', () => {
  /** A Map-backed collection following the scan-cursor contract. */
  class Coll {
    scan: ScanState<string> | null = null;
    readonly map = new Map<string, number>();
    get size(): number {
      return this.map.size;
    }
    add(k: string): void {
      if (this.map.has(k)) this.map.set(k, 1);
      else {
        this.map.set(k, 0);
        this.scan?.added(k);
      }
    }
    delete(k: string): void {
      if (this.map.delete(k)) this.scan?.deleted(k);
    }
  }

  for (const [concurrent, seed, size] of [
    [1, 1, 3000],
    [8, 2, 3000],
    [40, 3, 1000],
    [100, 4, 500],
  ] as const) {
    it(`${concurrent} interleaved scans of ${size} growing elements under churn end and miss nothing present throughout`, () => {
      const g = new Gen(seed);
      const c = new Coll();
      let next = 0;
      for (let i = 0; i < size; i++) c.add(`e${next++}`);
      /** Step at which each element was last deleted. */
      const lastDeleted = new Map<string, number>();
      interface Scan {
        cursor: number;
        startStep: number;
        start: string[];
        seen: Set<string>;
        done: boolean;
      }
      const scans: Scan[] = [];
      let step = 0;
      const ck = new Checks();
      const begin = (): Scan => ({ cursor: 0, startStep: step, start: [...c.map.keys()], seen: new Set(), done: false });
      for (let i = 0; i < concurrent; i++) scans.push(begin());
      let live = concurrent;
      while (live > 0) {
        const s = scans[g.int(concurrent)];
        if (s.done) continue;
        step++;
        const out: string[] = [];
        s.cursor = scanStep(c, c.map, s.cursor, 1 + g.int(60), out);
        for (const k of out) {
          ck.ok(c.map.has(k), `step ${step}: returned ${k}, which is not in the collection`);
          s.seen.add(k);
        }
        if (s.cursor === 0) {
          s.done = true;
          live--;
          for (const k of s.start) {
            const del = lastDeleted.get(k);
            if (del === undefined || del < s.startStep) ck.ok(s.seen.has(k), `step ${step}: ${k} missed by the scan begun at step ${s.startStep}`);
          }
        }
        // Churn: deletes anywhere (before and after every cursor), re-adds, and more fresh
        // inserts than deletes, so the collection keeps growing.
        for (let k = g.int(4); k > 0; k--) {
          const victim = `e${g.int(next)}`;
          if (c.map.has(victim)) {
            c.delete(victim);
            lastDeleted.set(victim, step);
          }
        }
        for (let k = g.int(4); k > 0; k--) c.add(`e${g.int(next)}`);
        for (let k = 0; k < 3; k++) c.add(`e${next++}`);
        if (step > 1_000_000) throw new Error('scans did not terminate');
      }
      ck.done();
      // The collection kept growing, yet every iteration ended.
      expect(c.size).toBeGreaterThan(size);
    });
  }

  it('a collection on the counter-only contract (no added/deleted calls) still misses nothing', () => {
    const g = new Gen(77);
    const c = { scan: null as ScanState<string> | null, map: new Map<string, number>() };
    let next = 0;
    for (let i = 0; i < 1000; i++) c.map.set(`e${next++}`, 0);
    for (let round = 0; round < 5; round++) {
      const start = [...c.map.keys()];
      const churned = new Set<string>();
      const seen = new Set<string>();
      let cursor = 0;
      let steps = 0;
      do {
        const out: string[] = [];
        cursor = scanStep(c, c.map, cursor, 50, out);
        for (const k of out) seen.add(k);
        for (let k = g.int(4); k > 0; k--) {
          const victim = `e${g.int(next)}`;
          if (c.map.delete(victim)) {
            churned.add(victim);
            if (c.scan !== null) c.scan.dels++;
          }
        }
        for (let k = g.int(4); k > 0; k--) c.map.set(`e${next++}`, 1);
        expect(++steps).toBeLessThan(10_000);
      } while (cursor !== 0);
      for (const k of start) if (!churned.has(k)) expect(seen.has(k)).toBe(true);
    }
  });

  it('a made-up or stale cursor restarts from the beginning; a finished scan ends at 0', () => {
    const c = new Coll();
    for (let i = 0; i < 100; i++) c.add(`e${i}`);
    const out: string[] = [];
    expect(scanStep(c, c.map, 123456789, 1000, out)).toBe(0);
    expect(out.length).toBe(100);
    out.length = 0;
    const cur = scanStep(c, c.map, 0, 60, out);
    expect(cur).not.toBe(0);
    expect(scanStep(c, c.map, cur, 60, out)).toBe(0);
    expect(new Set(out).size).toBe(100);
    // The same cursor again (a client retrying): its record is gone; it resumes by walking.
    out.length = 0;
    expect(scanStep(c, c.map, cur, 1000, out)).toBe(0);
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => `e${i + 60}`));
    // Deletes in front of a cursor do not move it.
    out.length = 0;
    const cur2 = scanStep(c, c.map, 0, 60, out);
    scanStep(c, c.map, cur2, 1, []);
    for (let i = 0; i < 5; i++) c.delete(`e${i}`);
    out.length = 0;
    expect(scanStep(c, c.map, cur2, 1000, out)).toBe(0);
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => `e${i + 60}`));
    // An iteration ends with the elements it started with, however many are appended meanwhile.
    out.length = 0;
    let cur3 = scanStep(c, c.map, 0, 10, out);
    for (let i = 100; i < 10_000; i++) c.add(`e${i}`);
    while (cur3 !== 0) cur3 = scanStep(c, c.map, cur3, 10, out);
    expect(out).toEqual(Array.from({ length: 95 }, (_, i) => `e${i + 5}`));
  });

  it('parseScanCursor is strtoul', () => {
    expect(parseScanCursor('')).toBe(0);
    expect(parseScanCursor('0')).toBe(0);
    expect(parseScanCursor('-0')).toBe(0);
    expect(parseScanCursor('+17')).toBe(17);
    expect(parseScanCursor('-1')).toBe(2 ** 64 - 1);
    expect(parseScanCursor('18446744073709551615')).toBe(2 ** 64 - 1);
    expect(parseScanCursor('000000000000000000000000012')).toBe(12);
    // More than 15 digits go through BigInt, a sign included (SCAN in keys.ts uses this too).
    expect(parseScanCursor('-000000000000000000000000012')).toBe(2 ** 64 - 12);
    expect(parseScanCursor('-18446744073709551615')).toBe(1);
    expect(parseScanCursor('9007199254740993')).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    for (const bad of ['-', '+', ' 1', '1 ', 'x', '1.0', '18446744073709551616', '-18446744073709551616', '+-1', '0x10']) expect(parseScanCursor(bad)).toBe(null);
  });
});
