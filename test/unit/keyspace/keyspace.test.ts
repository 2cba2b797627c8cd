// Keyspace directly: the active expire cycle (reaps every expired key across dbs, reports each
// through hooks.expired, leaves live keys alone), SWAPDB, totals and the LRU clock.

import { describe, expect, it, beforeEach } from 'vitest';
import { Keyspace, ManualClock, type Db } from '../../../src/keyspace/index.js';

let clock: ManualClock;
let ks: Keyspace;
let expired: Array<[number, string]>;

beforeEach(() => {
  clock = new ManualClock(1_700_000_000_000);
  expired = [];
  ks = new Keyspace(16, clock, { expired: (d, key) => expired.push([d.index, key]) });
});

function keysOf(d: Db): string[] {
  return [...d.dict.keys()].sort();
}

describe('activeExpireCycle', () => {
  it('reaps every expired key over repeated cycles, reporting each once', () => {
    const expiring = new Set<string>();
    for (const dbi of [0, 3, 15]) {
      const db = ks.db(dbi);
      for (let i = 0; i < 2000; i++) {
        const e = db.add(`x${i}`, 'v');
        db.setExpire(e, clock.now() + 100 + (i % 50));
        expiring.add(`${dbi}/x${i}`);
      }
      for (let i = 0; i < 500; i++) db.add(`live${i}`, 'v');
      for (let i = 0; i < 300; i++) db.setExpire(db.add(`later${i}`, 'v'), clock.now() + 3_600_000);
    }
    expect(ks.activeExpireCycle(10)).toBe(0); // nothing due yet
    clock.advance(150);
    let total = 0;
    for (let round = 0; round < 1000 && total < expiring.size; round++) total += ks.activeExpireCycle(10);
    expect(total).toBe(expiring.size);
    expect(expired).toHaveLength(expiring.size);
    const reported = new Set(expired.map(([d, k]) => `${d}/${k}`));
    expect(reported).toEqual(expiring);
    for (const dbi of [0, 3, 15]) {
      const db = ks.db(dbi);
      expect(db.size).toBe(800);
      expect(db.expires.size).toBe(300);
      for (const k of db.dict.keys()) expect(k.startsWith('x')).toBe(false);
    }
    expect(ks.stats.expiredKeys).toBe(expiring.size);
    // Further cycles find nothing more to do.
    expect(ks.activeExpireCycle(10)).toBe(0);
  });

  it('a cycle keeps sampling while many sampled keys were expired', () => {
    const db = ks.db(0);
    for (let i = 0; i < 1000; i++) db.setExpire(db.add(`x${i}`, 'v'), clock.now() + 1);
    clock.advance(1);
    // Every sample is 100% stale, so one cycle goes on well past a single 20-key sample.
    expect(ks.activeExpireCycle(10)).toBeGreaterThan(20);
  });

  it('only touches keys whose time has come, including ones exactly due', () => {
    const db = ks.db(0);
    db.setExpire(db.add('due', 'v'), clock.now() + 10);
    db.setExpire(db.add('notyet', 'v'), clock.now() + 11);
    clock.advance(10);
    for (let i = 0; i < 5; i++) ks.activeExpireCycle(10);
    expect(keysOf(db)).toEqual(['notyet']);
    expect(expired).toEqual([[0, 'due']]);
  });

  it('keys given a TTL between cycles are still found (persistent cursor restarts)', () => {
    const db = ks.db(1);
    for (let i = 0; i < 100; i++) db.setExpire(db.add(`a${i}`, 'v'), clock.now() + 5);
    clock.advance(5);
    ks.activeExpireCycle(10);
    for (let i = 0; i < 100; i++) db.setExpire(db.add(`b${i}`, 'v'), clock.now() + 5);
    clock.advance(5);
    for (let i = 0; i < 200; i++) ks.activeExpireCycle(10);
    expect(db.size).toBe(0);
    expect(expired).toHaveLength(200);
  });

  it('does nothing on a replica', () => {
    ks.expireDeletes = false;
    const db = ks.db(0);
    db.setExpire(db.add('x', 'v'), clock.now() + 1);
    clock.advance(5);
    expect(ks.activeExpireCycle(10)).toBe(0);
    expect(db.size).toBe(1);
  });
});

describe('swap (SWAPDB)', () => {
  it('exchanges the whole contents, keeping each Db object and index', () => {
    ks.setChain('access');
    const d0 = ks.db(0);
    const d1 = ks.db(1);
    d0.add('a', '0');
    d0.setExpire(d0.add('t', 'x'), clock.now() + 100);
    d1.add('b', '1');
    ks.swap(0, 1);
    expect(ks.db(0)).toBe(d0);
    expect(d0.index).toBe(0);
    expect(keysOf(d0)).toEqual(['b']);
    expect(keysOf(d1)).toEqual(['a', 't']);
    expect(d1.expires.size).toBe(1);
    expect(d0.expires.size).toBe(0);
    // Lookups, the chain and SCAN all follow the contents.
    expect(d1.readValue('a')).toBe('0');
    expect(d0.lookupRead('a')).toBe(-1);
    const seen: string[] = [];
    let c = 0;
    do c = d1.scan(c, 1, (s) => seen.push(d1.keyAt(s)));
    while (c !== 0);
    expect(seen.sort()).toEqual(['a', 't']);
    expect(d1.keyAt(d1.t.lruHead)).toBe('t'); // 'a' was just read
    // Expiry works in the new place and reports the new index.
    clock.advance(100);
    expect(d1.lookupRead('t')).toBe(-1);
    expect(expired).toEqual([[1, 't']]);
    // New keys after the swap get slots of their new db's table.
    d0.add('c', '2');
    const after: string[] = [];
    c = 0;
    do c = d0.scan(c, 10, (s) => after.push(d0.keyAt(s)));
    while (c !== 0);
    expect(after).toEqual(['b', 'c']);
  });

  it('a swap with itself is a no-op', () => {
    ks.db(2).add('a', 'v');
    ks.swap(2, 2);
    expect(keysOf(ks.db(2))).toEqual(['a']);
  });

  it('a SCAN started before a swap keeps working on the db it now reads', () => {
    const d0 = ks.db(0);
    const d1 = ks.db(1);
    for (let i = 0; i < 10; i++) d0.add(`a${i}`, 'v');
    for (let i = 0; i < 10; i++) d1.add(`b${i}`, 'v');
    const cursor = d0.scan(0, 3, () => {});
    ks.swap(0, 1);
    // The cursor is just a number: it must terminate and never return a key twice.
    const seen: string[] = [];
    let c = cursor;
    do c = d0.scan(c, 3, (s) => seen.push(d0.keyAt(s)));
    while (c !== 0);
    expect(new Set(seen).size).toBe(seen.length);
    for (const k of seen) expect(k.startsWith('b')).toBe(true);
  });
});

describe('Keyspace totals and clocks', () => {
  it('totalKeys sums every db', () => {
    ks.db(0).add('a', 'v');
    ks.db(5).add('b', 'v');
    ks.db(5).add('c', 'v');
    expect(ks.totalKeys()).toBe(3);
    expect(ks.dbs).toHaveLength(16);
  });

  it('the LRU clock is the keyspace clock in seconds, refreshed on demand', () => {
    expect(ks.lruClock).toBe(1_700_000_000);
    clock.advance(2500);
    expect(ks.lruClock).toBe(1_700_000_000);
    ks.updateLruClock();
    expect(ks.lruClock).toBe(1_700_000_002);
  });
});
