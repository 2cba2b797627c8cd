// A snapshot walks the key tables' slots (keyspace/table.ts) while writes go on. Real
// SnapshotJob, real LevelDB, real loader: the loaded keyspace must be the one at the snapshot's
// start whatever happens to the slots meanwhile — keys deleted ahead of the walk, their slots
// wanted by new keys, a table emptied completely (which, unpinned, gives its columns back).

import { describe, expect, it } from 'vitest';
import { Keyspace, ManualClock } from '../../../src/keyspace/index.js';
import { silentLogger } from '../../../src/log.js';
import { SnapshotJob } from '../../../src/persistence/snapshot.js';
import type { SnapshotMeta, SnapshotStore } from '../../../src/persistence/snapshot-store.js';
import { dump } from '../../helpers/dump.js';
import { loadFresh, useSnapshotStore } from '../../helpers/snapshot-store.js';

const cfg = { num: () => 128 };
const NOW = 1_800_000_000_000;
let store: SnapshotStore;
useSnapshotStore('hoard-snap-slots-', (s) => (store = s));

const load = (meta: SnapshotMeta): Promise<Keyspace> => loadFresh(store, meta, cfg, NOW);

describe('snapshots over key-table slots', () => {
  it('an emptied table, refilled during the walk, is saved as it was at the start', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    const d0 = ks.db(0);
    const d1 = ks.db(1);
    for (let i = 0; i < 5000; i++) d0.add(`a:${i}`, `v${i}`);
    for (let i = 0; i < 50; i++) d1.add(`b:${i}`, `w${i}`);
    const before = dump(ks);
    const job = new SnapshotJob(store, ks, 9, 'replid', silentLogger);
    const done = job.run();
    // The walk has not started (run() first records the snapshot in LevelDB): every slot is
    // ahead of it. Empty db 1 entirely, then refill it with other keys and values.
    for (let i = 0; i < 50; i++) d1.delete(`b:${i}`);
    expect(d1.size).toBe(0);
    for (let i = 0; i < 80; i++) d1.add(`new:${i}`, 'x');
    // In db 0, free slots ahead of the walk and create keys that could take them.
    for (let i = 0; i < 5000; i += 3) d0.delete(`a:${i}`);
    for (let i = 0; i < 2000; i++) d0.add(`n:${i}`, 'y');
    d0.setKey('a:1', 'changed');
    const meta = await done;
    expect(meta.keys).toBe(5050);
    expect(dump(await load(meta))).toEqual(before);
    // Once the walk is over the tables reuse freed slots again.
    const top = d0.t.top;
    d0.delete('n:0');
    d0.add('reuse', 'z');
    expect(d0.t.top).toBe(top);
  });

  it('slots already free when it starts stay out of it when new keys take them', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    const d0 = ks.db(0);
    for (let i = 0; i < 3000; i++) d0.add(`k:${i}`, `v${i}`);
    for (let i = 0; i < 3000; i += 2) d0.delete(`k:${i}`);
    const before = dump(ks);
    const done = new SnapshotJob(store, ks, 11, 'replid', silentLogger).run();
    // Free slots below the snapshot's top: a new key must not land where the walk will look.
    for (let i = 0; i < 1000; i++) d0.add(`new:${i}`, 'n');
    const meta = await done;
    expect(meta.keys).toBe(1500);
    expect(dump(await load(meta))).toEqual(before);
  });

  it('keys deleted behind the walk and new keys in their slots stay out of it', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    const d0 = ks.db(0);
    for (let i = 0; i < 200_000; i++) d0.add(`k:${i}`, `v${i}`);
    const before = dump(ks);
    const job = new SnapshotJob(store, ks, 10, 'replid', silentLogger);
    const done = job.run();
    // Mutate between the walk's time slices, until it is over.
    let round = 0;
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      await new Promise((r) => setImmediate(r));
      for (let j = 0; j < 50; j++) {
        const i = (round * 7919 + j * 104729) % 200_000;
        d0.delete(`k:${i}`);
        d0.add(`late:${round}:${j}`, 'late');
        d0.setKey(`k:${(i + 1) % 200_000}`, 'overwritten');
      }
      round++;
    }
    expect(round).toBeGreaterThan(2);
    expect(dump(await load(await done))).toEqual(before);
  });
});
