// Sorted sets through a snapshot (real SnapshotJob, real LevelDB, real loader): listpack and
// skiplist sets come back with the same members and scores (binary members, every kind of score),
// and with the encoding Redis gives a set it loads: listpack when it fits the limits, whatever
// it was when saved.

import { describe, expect, it } from 'vitest';
import { Keyspace, ManualClock } from '../../../src/keyspace/index.js';
import { silentLogger } from '../../../src/log.js';
import { SnapshotJob } from '../../../src/persistence/snapshot.js';
import type { SnapshotStore } from '../../../src/persistence/snapshot-store.js';
import { ZSetValue } from '../../../src/types/zset-value.js';
import { dump } from '../../helpers/dump.js';
import { loadFresh, useSnapshotStore } from '../../helpers/snapshot-store.js';

const cfg = { num: (name: string) => (name === 'zset-max-listpack-entries' ? 128 : name === 'zset-max-listpack-value' ? 64 : 0) };
const NOW = 1_800_000_000_000;
let store: SnapshotStore;
useSnapshotStore('hoard-zsnap-', (s) => (store = s));

const SCORES = [0, -0, 1, 239, 240, -1, 1.5, 0.1, 99.99, 2 ** 31, -(2 ** 47), 2 ** 53, 1_700_000_000_123, 1e-300, 5e-324, Math.PI, Infinity, -Infinity];

function pairs(n: number, member: (i: number) => string): Array<[string, number]> {
  return Array.from({ length: n }, (_, i) => [member(i), SCORES[i % SCORES.length] + (i % 3 === 0 ? 0 : i)] as [string, number]);
}

describe('sorted sets in snapshots', () => {
  it('listpack and skiplist sets round-trip, with the load-time encoding', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    const d = ks.db(0);
    const sets: Record<string, { z: ZSetValue; loaded: string }> = {};
    const put = (key: string, z: ZSetValue, loaded: string) => {
      d.add(key, z);
      sets[key] = { z, loaded };
    };
    put('binary', ZSetValue.from(pairs(40, (i) => String.fromCharCode(i * 6, 0, 255 - i) + (i % 5 === 0 ? '' : 'm' + i)).concat([['', 7]]), cfg), 'listpack');
    put('at-128', ZSetValue.from(pairs(128, (i) => `member:${i}`), cfg), 'listpack');
    put('long-64', ZSetValue.from([['x'.repeat(64), 1], ['y', 2]], cfg), 'listpack');
    put('at-129', ZSetValue.from(pairs(129, (i) => `member:${i}`), cfg), 'skiplist');
    put('long-65', ZSetValue.from([['x'.repeat(65), 1], ['y', 2]], cfg), 'skiplist');
    put('big', ZSetValue.from(pairs(5000, (i) => `p${i}\x00\xff`), cfg), 'skiplist');
    // A skiplist set shrunk to a few members is a listpack again once loaded (Redis does the same).
    const shrunk = ZSetValue.from(pairs(300, (i) => `s${i}`), cfg);
    shrunk.deleteRangeByRank(3, -1 + 300);
    expect(shrunk.encoding()).toBe('skiplist');
    put('shrunk', shrunk, 'listpack');
    d.setExpire(d.lookupWrite('binary')!, NOW + 5000);

    const meta = await new SnapshotJob(store, ks, 7, 'replid', silentLogger).run();
    expect(meta.keys).toBe(7);
    const loaded = await loadFresh(store, meta, cfg, NOW);
    expect(dump(loaded)).toEqual(dump(ks));
    for (const [key, { z, loaded: enc }] of Object.entries(sets)) {
      const got = loaded.db(0).entry(key)!.value as ZSetValue;
      expect([key, got.encoding()]).toEqual([key, enc]);
      got.checkInvariants();
      expect([key, [...got.entries()]]).toEqual([key, [...z.entries()]]);
      expect(got.size).toBe(z.size);
    }
    expect(loaded.db(0).entry('binary')!.expireAt).toBe(NOW + 5000);
    expect((loaded.db(0).entry('binary')!.value as ZSetValue).score('')).toBe(7);
  });
});
