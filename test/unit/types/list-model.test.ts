// ListValue (growable ring buffer) against a plain JS array model, at two levels:
// 1. the structure alone: thousands of seeded operations at both ends and inside, crossing the
//    grow/shrink boundaries, compared element by element after every step;
// 2. the commands: thousands of seeded list commands on an in-process server vs the same
//    commands applied to a Map<key, string[]> model (same replies, same final contents), and the
//    same deterministic sequence against a real redis-server 7.0, reply by reply.

import { describe, expect, it, afterEach } from 'vitest';
import { ListValue } from '../../../src/types/list.js';
import { inProcess, realRedis, redisServerAvailable, type Arg, type Backend } from '../../helpers/backends.js';
import { dump } from '../../helpers/dump.js';
import { mulberry32 } from '../../helpers/prng.js';

/** mulberry32 (seeded, so failures reproduce) as an integer in [0, n). */
function prng(seed: number): (n: number) => number {
  const rnd = mulberry32(seed);
  return (n: number) => Math.floor(rnd() * n);
}

/** Capacity and slot invariants of the ring buffer (white box). */
function checkInvariants(l: ListValue): void {
  const anyL = l as unknown as { buf: string[]; head: number; len: number; mask: number };
  const cap = anyL.buf.length;
  expect(cap & (cap - 1)).toBe(0);
  expect(cap).toBeGreaterThanOrEqual(4);
  expect(anyL.mask).toBe(cap - 1);
  expect(anyL.len).toBeLessThanOrEqual(cap);
  // Slots outside the live range hold '' (no stale element kept alive).
  for (let i = anyL.len; i < cap; i++) expect(anyL.buf[(anyL.head + i) & anyL.mask]).toBe('');
}

describe('ListValue vs array model', () => {
  it('random operations keep the same contents', () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const rnd = prng(seed);
      const l = new ListValue();
      const m: string[] = [];
      for (let step = 0; step < 4000; step++) {
        const op = rnd(100);
        const v = String.fromCharCode(97 + rnd(4)) + (rnd(10) === 0 ? '\x00\xff' : '');
        if (op < 20) {
          const k = 1 + rnd(rnd(10) === 0 ? 40 : 3);
          for (let i = 0; i < k; i++) {
            l.pushBack(v + i);
            m.push(v + i);
          }
        } else if (op < 40) {
          l.pushFront(v);
          m.unshift(v);
        } else if (op < 55) {
          if (m.length > 0) expect(l.popFront()).toBe(m.shift());
        } else if (op < 70) {
          if (m.length > 0) expect(l.popBack()).toBe(m.pop());
        } else if (op < 78) {
          const i = rnd(m.length + 1);
          l.insertAt(i, v);
          m.splice(i, 0, v);
        } else if (op < 84) {
          const count = rnd(3);
          const fromTail = rnd(2) === 1;
          let removed = 0;
          if (!fromTail) {
            for (let i = 0; i < m.length; ) {
              if (m[i] === v && (count === 0 || removed < count)) {
                m.splice(i, 1);
                removed++;
              } else i++;
            }
          } else {
            for (let i = m.length - 1; i >= 0; i--) {
              if (m[i] === v && (count === 0 || removed < count)) {
                m.splice(i, 1);
                removed++;
              }
            }
          }
          expect(l.removeMatching(v, count, fromTail)).toBe(removed);
        } else if (op < 88) {
          const front = rnd(Math.min(m.length, 5) + 1);
          const back = rnd(Math.min(m.length - front, 5) + 1);
          l.trim(front, back);
          m.splice(0, front);
          m.splice(m.length - back, back);
        } else if (op < 94) {
          if (m.length > 0) {
            const i = rnd(m.length);
            l.set(i, v);
            m[i] = v;
          }
        } else {
          // Drain to empty now and then: shrink all the way down, then grow again.
          if (rnd(4) === 0) while (m.length > 0) expect(l.popBack()).toBe(m.pop());
        }
        expect(l.size).toBe(m.length);
        if (step % 50 === 0 || m.length < 8) {
          expect(l.toArray()).toEqual(m);
          checkInvariants(l);
        }
        if (m.length > 0) {
          const i = rnd(m.length);
          expect(l.get(i)).toBe(m[i]);
          expect(l.first()).toBe(m[0]);
          expect(l.last()).toBe(m[m.length - 1]);
          expect(l.indexOf(m[i])).toBe(m.indexOf(m[i]));
        }
      }
      expect([...l.values()]).toEqual(m);
      expect([...l]).toEqual(m);
      checkInvariants(l);
    }
  });

  it('from, clone and encoding', () => {
    const items = Array.from({ length: 37 }, (_, i) => `e${i}`);
    const l = ListValue.from(items, { num: () => -2 });
    expect(l.toArray()).toEqual(items);
    expect(l.type).toBe('list');
    // Redis 7.0.15 reports "quicklist" for every list, one element or a million.
    expect(l.encoding()).toBe('quicklist');
    expect(ListValue.from(['x']).encoding()).toBe('quicklist');
    const c = l.clone();
    l.pushFront('front');
    c.popBack();
    expect(l.toArray()).toEqual(['front', ...items]);
    expect(c.toArray()).toEqual(items.slice(0, -1));
    expect(ListValue.from([]).size).toBe(0);
    checkInvariants(ListValue.from([]));
  });

  it('a million pushes and pops at both ends stay O(1)', () => {
    const l = new ListValue();
    const t0 = performance.now();
    for (let i = 0; i < 500_000; i++) {
      l.pushBack('x');
      l.pushFront('y');
    }
    expect(l.size).toBe(1_000_000);
    expect(l.get(500_000)).toBe('x');
    for (let i = 0; i < 1_000_000; i++) (i & 1 ? l.popFront() : l.popBack());
    expect(l.size).toBe(0);
    checkInvariants(l);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

// ---- commands vs a model --------------------------------------------------------------------

type Reply = string | number | null | Reply[] | { error: string };

const KEYS = ['la', 'lb', 'lc'];

/** The same semantics as Redis 7.0's t_list.c, written as plainly as possible. */
class Model {
  lists = new Map<string, string[]>();

  private get(k: string): string[] | undefined {
    return this.lists.get(k);
  }

  private settle(k: string): void {
    const l = this.lists.get(k);
    if (l !== undefined && l.length === 0) this.lists.delete(k);
  }

  private range(len: number, s: number, e: number): [number, number] | null {
    if (s < 0) s += len;
    if (e < 0) e += len;
    if (s < 0) s = 0;
    if (s > e || s >= len) return null;
    if (e >= len) e = len - 1;
    return [s, e];
  }

  apply(argv: string[]): Reply {
    const cmd = argv[0].toUpperCase();
    const k = argv[1];
    const l = this.get(k);
    switch (cmd) {
      case 'LPUSH':
      case 'RPUSH':
      case 'LPUSHX':
      case 'RPUSHX': {
        if (l === undefined && cmd.endsWith('X')) return 0;
        const list = l ?? [];
        this.lists.set(k, list);
        for (const v of argv.slice(2)) (cmd[0] === 'L' ? list.unshift(v) : list.push(v));
        return list.length;
      }
      case 'LPOP':
      case 'RPOP': {
        const left = cmd === 'LPOP';
        if (argv.length === 2) {
          if (l === undefined) return null;
          const v = left ? l.shift()! : l.pop()!;
          this.settle(k);
          return v;
        }
        const n = Number(argv[2]);
        if (l === undefined) return null;
        const out: string[] = [];
        for (let i = 0; i < n && l.length > 0; i++) out.push(left ? l.shift()! : l.pop()!);
        this.settle(k);
        return out;
      }
      case 'LLEN':
        return l === undefined ? 0 : l.length;
      case 'LRANGE': {
        if (l === undefined) return [];
        const r = this.range(l.length, Number(argv[2]), Number(argv[3]));
        return r === null ? [] : l.slice(r[0], r[1] + 1);
      }
      case 'LINDEX': {
        if (l === undefined) return null;
        let i = Number(argv[2]);
        if (i < 0) i += l.length;
        return i >= 0 && i < l.length ? l[i] : null;
      }
      case 'LSET': {
        if (l === undefined) return { error: 'ERR no such key' };
        let i = Number(argv[2]);
        if (i < 0) i += l.length;
        if (i < 0 || i >= l.length) return { error: 'ERR index out of range' };
        l[i] = argv[3];
        return 'OK';
      }
      case 'LINSERT': {
        if (l === undefined) return 0;
        const i = l.indexOf(argv[3]);
        if (i < 0) return -1;
        l.splice(argv[2].toUpperCase() === 'AFTER' ? i + 1 : i, 0, argv[4]);
        return l.length;
      }
      case 'LREM': {
        if (l === undefined) return 0;
        let count = Number(argv[2]);
        const v = argv[3];
        const tail = count < 0;
        count = Math.abs(count);
        let removed = 0;
        const idx = tail ? [...l.keys()].reverse() : [...l.keys()];
        const drop = new Set<number>();
        for (const i of idx) {
          if (l[i] === v && (count === 0 || removed < count)) {
            drop.add(i);
            removed++;
          }
        }
        this.lists.set(k, l.filter((_, i) => !drop.has(i)));
        this.settle(k);
        return removed;
      }
      case 'LTRIM': {
        if (l === undefined) return 'OK';
        const r = this.range(l.length, Number(argv[2]), Number(argv[3]));
        this.lists.set(k, r === null ? [] : l.slice(r[0], r[1] + 1));
        this.settle(k);
        return 'OK';
      }
      case 'LPOS': {
        let rank = 1;
        let count: number | null = null;
        let maxlen = 0;
        for (let j = 3; j < argv.length; j += 2) {
          const o = argv[j].toUpperCase();
          if (o === 'RANK') rank = Number(argv[j + 1]);
          else if (o === 'COUNT') count = Number(argv[j + 1]);
          else maxlen = Number(argv[j + 1]);
        }
        if (l === undefined) return count === null ? null : [];
        const tail = rank < 0;
        rank = Math.abs(rank);
        const out: number[] = [];
        let matches = 0;
        const limit = maxlen === 0 ? l.length : Math.min(maxlen, l.length);
        for (let i = 0; i < limit; i++) {
          const pos = tail ? l.length - 1 - i : i;
          if (l[pos] !== argv[2]) continue;
          matches++;
          if (matches < rank) continue;
          if (count === null) return pos;
          out.push(pos);
          if (count !== 0 && matches - rank + 1 >= count) break;
        }
        return count === null ? null : out;
      }
      case 'LMOVE':
      case 'RPOPLPUSH': {
        const from = cmd === 'LMOVE' ? argv[3].toUpperCase() : 'RIGHT';
        const to = cmd === 'LMOVE' ? argv[4].toUpperCase() : 'LEFT';
        if (l === undefined) return null;
        const v = from === 'LEFT' ? l.shift()! : l.pop()!;
        const d = this.lists.get(argv[2]) ?? [];
        this.lists.set(argv[2], d);
        if (to === 'LEFT') d.unshift(v);
        else d.push(v);
        this.settle(k);
        return v;
      }
      case 'LMPOP': {
        const n = Number(argv[1]);
        const keys = argv.slice(2, 2 + n);
        const left = argv[2 + n].toUpperCase() === 'LEFT';
        const count = argv.length > 3 + n ? Number(argv[4 + n]) : 1;
        for (const key of keys) {
          const list = this.lists.get(key);
          if (list === undefined) continue;
          const out: string[] = [];
          for (let i = 0; i < count && list.length > 0; i++) out.push(left ? list.shift()! : list.pop()!);
          this.settle(key);
          return [key, out];
        }
        return null;
      }
      default:
        throw new Error(`model: unknown command ${cmd}`);
    }
  }
}

/** A deterministic random list workload: only valid commands (errors are the suite's job). */
function workload(seed: number, n: number): string[][] {
  const rnd = prng(seed);
  const sizes = new Map<string, number>();
  const out: string[][] = [];
  const val = () => 'abcde'[rnd(5)] + (rnd(8) === 0 ? String(rnd(100)) : '');
  const key = () => KEYS[rnd(KEYS.length)];
  const side = () => (rnd(2) === 0 ? 'LEFT' : 'RIGHT');
  const idx = (k: string) => String(rnd((sizes.get(k) ?? 0) * 2 + 7) - ((sizes.get(k) ?? 0) + 3));
  const model = new Model();
  for (let i = 0; i < n; i++) {
    const k = key();
    const op = rnd(100);
    let argv: string[];
    if (op < 14) {
      const m = 1 + rnd(rnd(12) === 0 ? 60 : 4);
      argv = [rnd(2) ? 'LPUSH' : 'RPUSH', k, ...Array.from({ length: m }, val)];
    } else if (op < 18) argv = [rnd(2) ? 'LPUSHX' : 'RPUSHX', k, val()];
    else if (op < 28) argv = rnd(2) ? [rnd(2) ? 'LPOP' : 'RPOP', k] : [rnd(2) ? 'LPOP' : 'RPOP', k, String(rnd(5))];
    else if (op < 32) argv = ['LLEN', k];
    else if (op < 42) argv = ['LRANGE', k, idx(k), idx(k)];
    else if (op < 47) argv = ['LINDEX', k, idx(k)];
    else if (op < 51) argv = ['LSET', k, idx(k), val()];
    else if (op < 57) argv = ['LINSERT', k, rnd(2) ? 'BEFORE' : 'AFTER', val(), val()];
    else if (op < 63) argv = ['LREM', k, String(rnd(5) - 2), val()];
    else if (op < 67) argv = ['LTRIM', k, idx(k), idx(k)];
    else if (op < 77) {
      argv = ['LPOS', k, val()];
      if (rnd(2)) argv.push('RANK', String(rnd(2) ? 1 + rnd(3) : -1 - rnd(3)));
      if (rnd(2)) argv.push('COUNT', String(rnd(4)));
      if (rnd(3) === 0) argv.push('MAXLEN', String(rnd(8)));
    } else if (op < 85) argv = ['LMOVE', k, key(), side(), side()];
    else if (op < 89) argv = ['RPOPLPUSH', k, key()];
    else {
      const nk = 1 + rnd(3);
      argv = ['LMPOP', String(nk), ...Array.from({ length: nk }, key), side()];
      if (rnd(2)) argv.push('COUNT', String(1 + rnd(6)));
    }
    model.apply(argv);
    for (const kk of KEYS) sizes.set(kk, model.lists.get(kk)?.length ?? 0);
    out.push(argv);
  }
  return out;
}

async function run(b: Backend, argv: string[]): Promise<Reply> {
  try {
    return await b.conn.call(...(argv as Arg[]));
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('list commands vs the model (in-process)', () => {
  let b: Backend;
  afterEach(async () => {
    await b?.close();
  });

  it('same replies and same final lists over thousands of random commands', async () => {
    for (const seed of [7, 99]) {
      b = await inProcess();
      const model = new Model();
      const cmds = workload(seed, 4000);
      // The workload must stay meaningful: long lists, and reads that find something.
      let longest = 0;
      let hits = 0;
      for (let i = 0; i < cmds.length; i++) {
        const want = model.apply(cmds[i]);
        const got = await run(b, cmds[i]);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          expect({ step: i, cmd: cmds[i], got }).toEqual({ step: i, cmd: cmds[i], got: want });
        }
        for (const l of model.lists.values()) longest = Math.max(longest, l.length);
        if (['LPOS', 'LINDEX', 'LRANGE'].includes(cmds[i][0]) && want !== null && !(Array.isArray(want) && want.length === 0)) hits++;
      }
      expect(longest).toBeGreaterThan(40);
      expect(hits).toBeGreaterThan(200);
      const d = dump(b.server!);
      const want: Record<string, { type: string; value: string[]; expireAt: number }> = {};
      for (const [k, l] of model.lists) want[k] = { type: 'list', value: l, expireAt: 0 };
      expect(d[0] ?? {}).toEqual(want);
      await b.close();
    }
  });
});

describe.runIf(redisServerAvailable())('list commands: Hoard vs redis-server, reply by reply', () => {
  let hoard: Backend;
  let redis: Backend;
  afterEach(async () => {
    await hoard?.close();
    await redis?.close();
  });

  it('the same deterministic sequence gives the same replies', async () => {
    hoard = await inProcess();
    redis = await realRedis();
    const cmds = workload(2024, 3000);
    for (let i = 0; i < cmds.length; i++) {
      const [want, got] = await Promise.all([run(redis, cmds[i]), run(hoard, cmds[i])]);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        expect({ step: i, cmd: cmds[i], got }).toEqual({ step: i, cmd: cmds[i], got: want });
      }
    }
    for (const k of KEYS) {
      expect(await run(hoard, ['LRANGE', k, '0', '-1'])).toEqual(await run(redis, ['LRANGE', k, '0', '-1']));
    }
  });
});
