// The ring's properties (src/cluster/ring.ts): deterministic from the set of ids; adding an
// (N+1)th primary moves about 1/(N+1) of the slots, all to the new one; removing one moves only
// its own slots; shares stay balanced.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { placeSlots, rangesOf, VNODES } from '../../../src/cluster/ring.js';
import { CLUSTER_SLOTS } from '../../../src/cluster/slots.js';

const id = (): string => randomBytes(20).toString('hex');
const ROUNDS = 12;

describe('placeSlots', () => {
  it('is deterministic and independent of the order of ids', () => {
    const ids = [id(), id(), id()];
    const a = placeSlots(ids);
    expect(a).toHaveLength(CLUSTER_SLOTS);
    expect(placeSlots([...ids].reverse())).toEqual(a);
    expect(new Set(a)).toEqual(new Set(ids));
  });

  for (let n = 1; n <= 8; n++) {
    it(`adding a primary to ${n} moves ~1/${n + 1} of the slots, all to the new one; removing it moves them back`, () => {
      for (let r = 0; r < ROUNDS; r++) {
        const ids = Array.from({ length: n }, id);
        const before = placeSlots(ids);
        const fresh = id();
        const after = placeSlots([...ids, fresh]);
        let moved = 0;
        let movedElsewhere = 0;
        for (let s = 0; s < CLUSTER_SLOTS; s++) {
          if (before[s] === after[s]) continue;
          moved++;
          if (after[s] !== fresh) movedElsewhere++;
        }
        expect(movedElsewhere).toBe(0);
        const frac = moved / CLUSTER_SLOTS;
        expect(frac).toBeGreaterThanOrEqual(0.6 / (n + 1));
        expect(frac).toBeLessThanOrEqual(1.4 / (n + 1));
        // Removing the new node again moves only its slots, and back where they were.
        expect(placeSlots(ids)).toEqual(before);
        // Removing an old node moves only that node's slots.
        if (n >= 2) {
          const gone = ids[r % n];
          const without = placeSlots(ids.filter((x) => x !== gone));
          let wrong = 0;
          for (let s = 0; s < CLUSTER_SLOTS; s++) if (before[s] !== gone && without[s] !== before[s]) wrong++;
          expect(wrong).toBe(0);
        }
        // Slots come in runs between ring points: CLUSTER SLOTS stays short.
        let runs = 0;
        for (const x of [...ids, fresh]) runs += rangesOf(after, x).length;
        expect(runs).toBeLessThanOrEqual((n + 1) * VNODES + 1);
        // Every node holds a fair share.
        const counts = new Map<string, number>();
        for (const o of after) counts.set(o, (counts.get(o) ?? 0) + 1);
        for (const c of counts.values()) {
          expect(c / CLUSTER_SLOTS).toBeGreaterThanOrEqual(0.6 / (n + 1));
          expect(c / CLUSTER_SLOTS).toBeLessThanOrEqual(1.4 / (n + 1));
        }
      }
    });
  }

  it('rangesOf lists contiguous runs', () => {
    const owners = ['a', 'a', 'b', 'a', null, 'a'];
    expect(rangesOf(owners, 'a')).toEqual([[0, 1], [3, 3], [5, 5]]);
    expect(rangesOf(owners, 'b')).toEqual([[2, 2]]);
  });
});
