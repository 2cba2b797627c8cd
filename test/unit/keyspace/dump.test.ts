// test/helpers/dump.ts over a Keyspace holding every value type: it must read the real
// collection classes (and list-like duck types), normalise their order, record absolute expiry,
// skip logically expired keys unless asked, and never disturb the keyspace it reads.

import { describe, expect, it } from 'vitest';
import { Keyspace, ManualClock } from '../../../src/keyspace/index.js';
import { HashValue } from '../../../src/types/hash.js';
import { SetValue } from '../../../src/types/set.js';
import { ZSetValue } from '../../../src/types/zset-value.js';
import { dump, dumpSize, dumpValue } from '../../helpers/dump.js';

const cfg = { num: () => 128 };

/** A list as any iterable collection would look (the real ListValue lives elsewhere). */
function fakeList(items: string[]) {
  return { type: 'list' as const, size: items.length, [Symbol.iterator]: () => items[Symbol.iterator]() };
}

describe('dump', () => {
  it('snapshots every db, type and expiry into a comparable object', () => {
    const clock = new ManualClock(1_000_000);
    const ks = new Keyspace(16, clock);
    const d0 = ks.db(0);
    d0.add('s', 'v\x00\xff');
    d0.setExpire(d0.add('t', 'x'), 2_000_000);
    d0.add('h', new HashValue(new Map([['b', '2'], ['a', '1']])));
    d0.add('set', SetValue.from(new Set(['z', 'a', '\xff', '10']), cfg));
    d0.add('z', ZSetValue.from([['b', 2], ['a', 2], ['c', -0], ['d', -Infinity]], cfg));
    ks.db(7).add('l', fakeList(['x', 'y', 'x']));
    ks.db(7).add('__proto__', 'plain property');
    const hitsBefore = ks.stats.keyspaceHits;
    const chainBefore = d0.t.lruHead;

    const d = dump(ks);
    expect(d).toEqual({
      0: {
        s: { type: 'string', value: 'v\x00\xff', expireAt: 0 },
        t: { type: 'string', value: 'x', expireAt: 2_000_000 },
        h: { type: 'hash', value: [['a', '1'], ['b', '2']], expireAt: 0 },
        set: { type: 'set', value: ['10', 'a', 'z', '\xff'], expireAt: 0 },
        z: { type: 'zset', value: [['d', -Infinity], ['c', 0], ['a', 2], ['b', 2]], expireAt: 0 },
      },
      7: {
        l: { type: 'list', value: ['x', 'y', 'x'], expireAt: 0 },
        ['__proto__']: { type: 'string', value: 'plain property', expireAt: 0 },
      },
    });
    expect(Object.keys(d[7])).toContain('__proto__');
    expect(dumpSize(d)).toBe(7);
    // A pure read.
    expect(ks.stats.keyspaceHits).toBe(hitsBefore);
    expect(d0.t.lruHead).toBe(chainBefore);
  });

  it('skips logically expired keys unless includeExpired, without reaping them', () => {
    const clock = new ManualClock(1_000);
    const ks = new Keyspace(2, clock);
    const db = ks.db(1);
    db.setExpire(db.add('dead', 'v'), 1_000);
    db.add('live', 'v');
    expect(Object.keys(dump(ks)[1])).toEqual(['live']);
    expect(Object.keys(dump(ks, { includeExpired: true })[1])).toEqual(['dead', 'live']);
    expect(Object.keys(dump(ks, { now: 999 })[1])).toEqual(['dead', 'live']);
    expect(db.size).toBe(2);
  });

  it('accepts anything with a .ks (a Server)', () => {
    const ks = new Keyspace(1, new ManualClock());
    ks.db(0).add('k', 'v');
    expect(dump({ ks })).toEqual({ 0: { k: { type: 'string', value: 'v', expireAt: 0 } } });
  });

  it('equal contents built differently dump equal; different contents do not', () => {
    const a = dumpValue(new HashValue(new Map([['x', '1'], ['y', '2']])));
    const b = dumpValue(HashValue.from(new Map([['y', '2'], ['x', '1']]), cfg));
    expect(a).toEqual(b);
    expect(dumpValue(SetValue.from(new Set(['1', '2']), cfg))).not.toEqual(dumpValue(SetValue.from(new Set(['1', '3']), cfg)));
    expect(() => dumpValue({ type: 'list', size: 1 } as never)).toThrow(/cannot iterate/);
  });
});
