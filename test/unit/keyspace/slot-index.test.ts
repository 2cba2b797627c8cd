// The per-slot key index (keyspace/slot-index.ts) as a Db keeps it: after random adds, deletes,
// overwrites, expiries and a flush, every hash slot lists exactly the live keys that hash to it.
import { describe, expect, it } from 'vitest';
import { Keyspace, ManualClock } from '../../../src/keyspace/index.js';
import { SlotIndex } from '../../../src/keyspace/slot-index.js';
import { keyHashSlot } from '../../../src/cluster/slots.js';
import { mulberry32 } from '../../helpers/prng.js';

function check(ix: SlotIndex, live: Set<string>, keyAt: (s: number) => string): void {
  const want = new Map<number, string[]>();
  for (const k of live) {
    const h = keyHashSlot(k);
    want.set(h, [...(want.get(h) ?? []), k]);
  }
  let total = 0;
  for (let h = 0; h < 16384; h++) {
    const n = ix.countKeys(h);
    total += n;
    const expected = want.get(h) ?? [];
    expect(n).toBe(expected.length);
    if (n > 0) expect(ix.rows(h, 1e9).map(keyAt).sort()).toEqual([...expected].sort());
  }
  expect(total).toBe(live.size);
}

describe('SlotIndex kept by Db', () => {
  it('lists exactly the live keys of each slot through adds, deletes, expiry and flush', () => {
    const clock = new ManualClock(1_000_000);
    const ks = new Keyspace(16, clock);
    const db = ks.db(0);
    const ix = new SlotIndex(keyHashSlot);
    db.slotIndex = ix;
    const rand = mulberry32(7);
    const live = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const k = rand() < 0.2 ? `{tag${Math.floor(rand() * 20)}}:${Math.floor(rand() * 3000)}` : `k:${Math.floor(rand() * 8000)}`;
      const op = rand();
      if (op < 0.6) {
        db.setKey(k, 'v' + i);
        live.add(k);
      } else if (op < 0.9) {
        db.delete(k);
        live.delete(k);
      } else if (live.has(k)) {
        db.setExpire(db.lookupNoTouch(k), clock.now() + 10);
      }
    }
    clock.advance(20);
    // Expired keys are deleted on access (lazy expiry) and leave the index.
    for (const k of [...live]) if (db.lookupNoTouch(k) < 0) live.delete(k);
    check(ix, live, (s) => db.keyAt(s));
    expect(ix.rows(keyHashSlot('k:1'), 0)).toEqual([]);
    db.flush();
    check(ix, new Set(), (s) => db.keyAt(s));
    db.add('foo', 'x');
    expect(ix.countKeys(12182)).toBe(1);
  });

  it('other dbs and non-cluster servers keep no index', () => {
    const ks = new Keyspace(16);
    for (const d of ks.dbs) expect(d.slotIndex).toBeNull();
  });
});
