// Db directly: lookups and lazy expiry under a ManualClock, the LRU chain, SCAN cursors across
// inserts and deletes, randomSlot, setKey/delete/flush bookkeeping, slot reuse.

import { describe, expect, it, beforeEach } from 'vitest';
import { Keyspace, ManualClock, NIL, type Db } from '../../../src/keyspace/index.js';

let clock: ManualClock;
let ks: Keyspace;
let db: Db;
let expired: Array<[number, string]>;

beforeEach(() => {
  clock = new ManualClock(1_700_000_000_000);
  expired = [];
  ks = new Keyspace(16, clock, { expired: (d, key) => expired.push([d.index, key]) });
  // The LRU chains are kept under an LRU policy only; most cases here check them.
  ks.setChain('access');
  db = ks.db(0);
});

/** The LRU chain from least to most recently used, checking the back links on the way. */
function chain(d: Db): string[] {
  const out: string[] = [];
  const t = d.t;
  const links = t.links as Int32Array;
  let prev = NIL;
  for (let s = t.lruHead; s !== NIL; s = t.lruNext(s)) {
    expect(links[2 * s]).toBe(prev);
    out.push(t.keys[s]);
    prev = s;
    if (out.length > d.size + 1) throw new Error('LRU chain has a cycle');
  }
  expect(t.lruTail).toBe(prev);
  return out;
}

/** Runs a SCAN to the end, one step at a time, calling `between` after every step. */
function scanAll(d: Db, count: number, between?: (step: number) => void): string[] {
  const seen: string[] = [];
  let cursor = 0;
  let step = 0;
  do {
    cursor = d.scan(cursor, count, (s) => seen.push(d.keyAt(s)));
    between?.(step++);
    if (step > 100_000) throw new Error('scan did not terminate');
  } while (cursor !== 0);
  return seen;
}

describe('Db lookups and lazy expiry', () => {
  it('a key is visible until its expiry, then deleted on lookup and reported once', () => {
    const e = db.add('k', 'v');
    db.setExpire(e, clock.now() + 1000);
    expect(db.expires.size).toBe(1);
    clock.advance(999);
    expect(db.lookupRead('k')).toBe(e);
    expect(db.lookupWrite('k')).toBe(e);
    expect(db.lookupNoTouch('k')).toBe(e);
    expect(expired).toEqual([]);
    clock.advance(1); // expireAt <= now: expired
    expect(db.lookupNoTouch('k')).toBe(NIL);
    expect(expired).toEqual([[0, 'k']]);
    expect(db.size).toBe(0);
    expect(db.expires.size).toBe(0);
    expect(ks.stats.expiredKeys).toBe(1);
    expect(db.lookupRead('k')).toBe(NIL);
    expect(expired).toHaveLength(1);
    expect(chain(db)).toEqual([]);
  });

  it('every lookup flavour expires', () => {
    for (const f of ['lookupRead', 'lookupWrite', 'lookupNoTouch'] as const) {
      const e = db.add(f, 'v');
      db.setExpire(e, clock.now() + 1);
    }
    clock.advance(1);
    expect(db.lookupRead('lookupRead')).toBe(NIL);
    expect(db.lookupWrite('lookupWrite')).toBe(NIL);
    expect(db.lookupNoTouch('lookupNoTouch')).toBe(NIL);
    expect(expired.map((x) => x[1]).sort()).toEqual(['lookupNoTouch', 'lookupRead', 'lookupWrite']);
    expect(db.size).toBe(0);
  });

  it('lookupRead counts hits and misses, the others do not', () => {
    db.add('k', 'v');
    db.lookupRead('k');
    db.lookupRead('nope');
    db.lookupWrite('k');
    db.lookupNoTouch('nope');
    expect(ks.stats.keyspaceHits).toBe(1);
    expect(ks.stats.keyspaceMisses).toBe(1);
  });

  it('on a replica an expired key reads as missing but stays until the primary deletes it', () => {
    ks.expireDeletes = false;
    const e = db.add('k', 'v');
    db.setExpire(e, clock.now() + 10);
    clock.advance(10);
    expect(db.lookupRead('k')).toBe(NIL);
    expect(db.size).toBe(1);
    expect(expired).toEqual([]);
    expect(ks.activeExpireCycle(10)).toBe(0);
    expect(db.size).toBe(1);
    expect(db.delete('k')).toBe(true);
    expect(db.size).toBe(0);
  });

  it('setFresh expires a stale key first; on a replica it overwrites the hidden one in place', () => {
    const e = db.add('k', 'v');
    db.setExpire(e, clock.now() + 10);
    clock.advance(10);
    db.setFresh('k', 'new');
    expect(expired).toEqual([[0, 'k']]);
    expect(db.readValue('k')).toBe('new');
    expect(db.expiryAt(db.dict.get('k')!)).toBe(0);
    // A replica: the expired key is hidden, not deleted; the write must not add a second copy.
    ks.expireDeletes = false;
    db.setExpire(db.dict.get('k')!, clock.now() + 10);
    clock.advance(10);
    const s = db.dict.get('k')!;
    expect(db.setFresh('k', 'newer')).toBe(s);
    expect(db.addAfterMiss('k', 'newest')).toBe(s);
    expect(db.size).toBe(1);
    expect(chain(db)).toEqual(['k']);
    expect(db.readValue('k')).toBe('newest');
    expect(db.expiryAt(s)).toBe(0);
  });

  it('setKey overwrites in place, dropping the TTL unless keepTtl', () => {
    const e = db.add('k', 'v');
    db.setExpire(e, clock.now() + 1000);
    expect(db.setKey('k', 'w', true)).toBe(e);
    expect(db.expiryAt(e)).toBe(clock.now() + 1000);
    expect(db.setKey('k', 'x')).toBe(e);
    expect(db.valueAt(e)).toBe('x');
    expect(db.expiryAt(e)).toBe(0);
    expect(db.expires.size).toBe(0);
    expect(db.size).toBe(1);
  });

  it('removeExpire and deleteSlot keep dict, expires and the chain consistent', () => {
    const a = db.add('a', '1');
    const b = db.add('b', '2');
    db.setExpire(a, clock.now() + 5);
    db.setExpire(b, clock.now() + 5);
    db.removeExpire(a);
    expect(db.expiryAt(a)).toBe(0);
    expect([...db.expires]).toEqual([b]);
    db.deleteSlot(b);
    expect(db.expires.size).toBe(0);
    expect(db.dict.has('b')).toBe(false);
    expect(chain(db)).toEqual(['a']);
    expect(db.delete('nope')).toBe(false);
  });

  it('flush empties everything and reports the count', () => {
    for (let i = 0; i < 10; i++) db.setExpire(db.add(`k${i}`, 'v'), clock.now() + 100);
    expect(db.flush()).toBe(10);
    expect(db.size).toBe(0);
    expect(db.expires.size).toBe(0);
    expect(chain(db)).toEqual([]);
    expect(scanAll(db, 10)).toEqual([]);
    db.add('again', 'v');
    expect(scanAll(db, 10)).toEqual(['again']);
  });
});

describe('Db LRU chain', () => {
  it('orders entries from least to most recently used', () => {
    for (const k of ['a', 'b', 'c', 'd']) db.add(k, 'v');
    expect(chain(db)).toEqual(['a', 'b', 'c', 'd']);
    db.lookupRead('a');
    expect(chain(db)).toEqual(['b', 'c', 'd', 'a']);
    db.lookupWrite('c');
    expect(chain(db)).toEqual(['b', 'd', 'a', 'c']);
    db.lookupRead('c'); // already the tail
    expect(chain(db)).toEqual(['b', 'd', 'a', 'c']);
    db.lookupNoTouch('b'); // no touch
    expect(chain(db)).toEqual(['b', 'd', 'a', 'c']);
    db.setKey('b', 'w'); // an overwrite is an access
    expect(chain(db)).toEqual(['d', 'a', 'c', 'b']);
    db.delete('a');
    expect(chain(db)).toEqual(['d', 'c', 'b']);
    db.delete('d'); // the head
    expect(chain(db)).toEqual(['c', 'b']);
    db.delete('b'); // the tail
    expect(chain(db)).toEqual(['c']);
    db.add('e', 'v');
    expect(chain(db)).toEqual(['c', 'e']);
  });

  it('stamps the LRU clock on access', () => {
    const e = db.add('k', 'v');
    expect(db.lruAt(e)).toBe(Math.floor(clock.now() / 1000));
    clock.advance(5000);
    db.lookupNoTouch('k');
    expect(db.lruAt(e)).toBe(Math.floor((clock.now() - 5000) / 1000));
    ks.updateLruClock();
    db.lookupRead('k');
    expect(db.lruAt(e)).toBe(Math.floor(clock.now() / 1000));
  });

  it('stays consistent under a random workload', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const model: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const k = `k${Math.floor(rnd() * 50)}`;
      const op = rnd();
      const at = model.indexOf(k);
      if (op < 0.4) {
        db.setKey(k, 'v');
        if (at >= 0) model.splice(at, 1);
        model.push(k);
      } else if (op < 0.7) {
        if (db.lookupRead(k) !== NIL) {
          model.splice(at, 1);
          model.push(k);
        }
      } else if (op < 0.9) {
        db.delete(k);
        if (at >= 0) model.splice(at, 1);
      } else {
        db.lookupNoTouch(k);
      }
    }
    expect(chain(db)).toEqual(model);
    expect(db.size).toBe(model.length);
  });
});

describe('Db SCAN cursors', () => {
  it('visits every key exactly once on a static db, for any count', () => {
    for (let i = 0; i < 500; i++) db.add(`k${i}`, 'v');
    for (const count of [1, 3, 10, 499, 500, 1000]) {
      const seen = scanAll(db, count);
      expect(seen.length).toBe(500);
      expect(new Set(seen).size).toBe(500);
    }
  });

  it('returns every key present for the whole iteration exactly once despite inserts and deletes', () => {
    for (let i = 0; i < 300; i++) db.add(`s${i}`, 'v');
    const volatile: string[] = [];
    for (let i = 0; i < 300; i++) {
      db.add(`v${i}`, 'v');
      volatile.push(`v${i}`);
    }
    let n = 0;
    const seen = scanAll(db, 7, () => {
      for (let i = 0; i < 4 && volatile.length > 0; i++) db.delete(volatile.splice(Math.floor(volatile.length / 2), 1)[0]);
      for (let i = 0; i < 4; i++) db.add(`n${n++}`, 'v');
    });
    const counts = new Map<string, number>();
    for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
    for (let i = 0; i < 300; i++) expect(counts.get(`s${i}`)).toBe(1);
    for (const [k, c] of counts) expect([k, c]).toEqual([k, 1]);
  });

  it('a cursor survives the deletion of the key at its slot', () => {
    for (let i = 0; i < 20; i++) db.add(`k${i}`, 'v');
    const first: string[] = [];
    const cursor = db.scan(0, 5, (s) => first.push(db.keyAt(s)));
    expect(first).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(cursor).toBe(db.dict.get('k5'));
    db.delete('k5');
    db.delete('k6');
    const rest: string[] = [];
    let c = cursor;
    do c = db.scan(c, 5, (s) => rest.push(db.keyAt(s)));
    while (c !== 0);
    expect(rest).toEqual(['k7', 'k8', 'k9', 'k10', 'k11', 'k12', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
  });

  it('a key deleted and re-added during the scan takes a freed slot; the others come once', () => {
    for (let i = 0; i < 10; i++) db.add(`k${i}`, 'v');
    const slot = db.dict.get('k1');
    const seen = scanAll(db, 3, (step) => {
      if (step === 0) {
        db.delete('k1');
        db.add('k1', 'again');
      }
    });
    // The re-added key reused the freed slot, behind the cursor: it is not returned again.
    expect(db.dict.get('k1')).toBe(slot);
    expect(seen.filter((k) => k === 'k1')).toHaveLength(1);
    expect(new Set(seen).size).toBe(10);
    expect(seen).toHaveLength(10);
  });

  it('a cursor is plain data: it resumes right after other iterations and a deletion at its slot', () => {
    for (let i = 0; i < 100; i++) db.add(`k${i}`, 'v');
    const seen: string[] = [];
    const cursor = db.scan(0, 10, (s) => seen.push(db.keyAt(s)));
    for (let i = 0; i < 200; i++) db.scan(0, 1, () => {});
    db.delete('k10'); // the very key at the cursor's slot
    let c = cursor;
    do c = db.scan(c, 10, (s) => seen.push(db.keyAt(s)));
    while (c !== 0);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `k${i}`).filter((k) => k !== 'k10'));
  });

  it('two clients continuing from the same cursor both get the rest', () => {
    for (let i = 0; i < 30; i++) db.add(`k${i}`, 'v');
    const cursor = db.scan(0, 10, () => {});
    const a: string[] = [];
    const b: string[] = [];
    let c = cursor;
    do c = db.scan(c, 4, (s) => a.push(db.keyAt(s)));
    while (c !== 0);
    c = cursor;
    do c = db.scan(c, 4, (s) => b.push(db.keyAt(s)));
    while (c !== 0);
    expect(a).toEqual(b);
    expect(a).toHaveLength(20);
  });

  it('an unknown cursor beyond every slot ends the iteration', () => {
    db.add('a', 'v');
    const seen: string[] = [];
    expect(db.scan(Number.MAX_SAFE_INTEGER, 10, (s) => seen.push(db.keyAt(s)))).toBe(0);
    expect(seen).toEqual([]);
    expect(db.scan(0, 10, () => {})).toBe(0);
  });
});

describe('Db randomSlot', () => {
  it('returns NIL on an empty db', () => {
    expect(db.randomSlot()).toBe(NIL);
  });

  it('never returns an expired key, and reaps the ones it meets', () => {
    for (let i = 0; i < 200; i++) {
      const e = db.add(`e${i}`, 'v');
      db.setExpire(e, clock.now() + 10);
    }
    db.add('live1', 'v');
    db.add('live2', 'v');
    clock.advance(10);
    for (let i = 0; i < 300; i++) {
      const e = db.randomSlot();
      if (e === NIL) continue; // allowed to give up after its attempts
      expect(db.keyAt(e).startsWith('live')).toBe(true);
    }
    expect(expired.length).toBeGreaterThan(0);
    for (const [, k] of expired) expect(k.startsWith('e')).toBe(true);
  });

  it('returns NIL when every key is expired', () => {
    for (let i = 0; i < 5; i++) db.setExpire(db.add(`e${i}`, 'v'), clock.now() + 1);
    clock.advance(1);
    for (let i = 0; i < 10; i++) expect(db.randomSlot()).toBe(NIL);
  });

  it('reaches every key eventually', () => {
    for (let i = 0; i < 20; i++) db.add(`k${i}`, 'v');
    const got = new Set<string>();
    for (let i = 0; i < 2000 && got.size < 20; i++) got.add(db.keyAt(db.randomSlot()));
    expect(got.size).toBe(20);
  });
});

describe('Db LRU chain only under an LRU policy', () => {
  it('without it, keys have no links and accesses only stamp them', () => {
    ks.setChain('none');
    for (const k of ['a', 'b', 'c']) db.add(k, 'v');
    expect(db.t.links).toBeNull();
    expect(db.t.lruHead).toBe(NIL);
    clock.advance(3000);
    ks.updateLruClock();
    db.lookupRead('a');
    expect(db.lruAt(db.dict.get('a')!)).toBe(Math.floor(clock.now() / 1000));
    db.delete('b');
    expect(db.size).toBe(2);
    // A flushed db's new table follows the setting.
    db.flush();
    expect(db.t.links).toBeNull();
  });

  it('switching it on links the keys by access stamp (ties by slot), exact from then on', () => {
    ks.setChain('none');
    ks.updateLruClock();
    db.add('old', 'v');
    db.add('old2', 'v');
    clock.advance(5000);
    ks.updateLruClock();
    db.add('mid', 'v');
    clock.advance(5000);
    ks.updateLruClock();
    db.lookupRead('old2'); // the most recent access before the switch
    db.add('new', 'v'); // same second as old2, a later slot
    ks.setChain('access');
    expect(chain(db)).toEqual(['old', 'mid', 'old2', 'new']);
    db.lookupRead('old');
    db.add('newest', 'v');
    expect(chain(db)).toEqual(['mid', 'old2', 'new', 'old', 'newest']);
    // Every db's table, and new tables after a flush, keep their chains from now on.
    ks.db(3).add('x', 'v');
    expect(chain(ks.db(3))).toEqual(['x']);
    db.flush();
    db.add('again', 'v');
    expect(chain(db)).toEqual(['again']);
    ks.setChain('none');
    expect(db.t.links).toBeNull();
  });
});

describe('Db key table slots', () => {
  it('reuses freed slots, keeps live keys in place, and gives the columns back when emptied', () => {
    for (let i = 0; i < 100; i++) db.add(`k${i}`, 'v');
    const slot50 = db.dict.get('k50')!;
    const cap = db.t.capacity;
    expect(cap).toBeGreaterThanOrEqual(100);
    for (let i = 0; i < 100; i += 2) db.delete(`k${i}`);
    // Live keys did not move.
    expect(db.dict.get('k51')).toBe(slot50 + 1);
    for (let i = 0; i < 50; i++) db.add(`n${i}`, 'v');
    // 50 new keys fill the 50 freed slots: the table did not grow.
    expect(db.t.top).toBe(100);
    expect(db.t.capacity).toBe(cap);
    for (const k of [...db.dict.keys()]) db.delete(k);
    expect(db.t.top).toBe(0);
    expect(db.t.capacity).toBe(0);
    expect(chain(db)).toEqual([]);
    db.add('again', 'v');
    expect(chain(db)).toEqual(['again']);
  });

  it('a pinned table (a snapshot walking it) hands out new slots above its top', () => {
    for (let i = 0; i < 10; i++) db.add(`k${i}`, 'v');
    db.t.pinned++;
    db.delete('k3');
    const s = db.add('new', 'v');
    expect(s).toBe(10);
    db.t.pinned--;
    db.delete('k4');
    expect(db.add('newer', 'v')).toBe(4);
  });

  it('randomSlot reaches every live key evenly, also in a table left sparse by deletions', () => {
    for (let i = 0; i < 1000; i++) db.add(`k${i}`, 'v');
    for (let i = 0; i < 1000; i++) if (i % 100 !== 0) db.delete(`k${i}`);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const k = db.keyAt(db.randomSlot());
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(10);
    for (const n of counts.values()) expect(n).toBeGreaterThan(600);
  });
});
