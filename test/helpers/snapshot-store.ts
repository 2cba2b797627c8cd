// A real snapshot store (LevelDB) for the snapshot round-trip tests: opened in a fresh temp dir
// before each test and closed after it (the dir goes with the other temp dirs, temp-dirs.ts).

import { afterEach, beforeEach } from 'vitest';
import { Keyspace, ManualClock } from '../../src/keyspace/index.js';
import { silentLogger } from '../../src/log.js';
import { loadSnapshot } from '../../src/persistence/recovery.js';
import { SnapshotStore, type SnapshotMeta } from '../../src/persistence/snapshot-store.js';
import type { EncodingConfig } from '../../src/types/hash.js';
import { makeTempDir } from './temp-dirs.js';

/** Registers the per-test store; `set` receives each test's store. */
export function useSnapshotStore(prefix: string, set: (store: SnapshotStore) => void): void {
  let store: SnapshotStore | null = null;
  beforeEach(async () => {
    store = await SnapshotStore.open(makeTempDir(prefix));
    set(store);
  });
  afterEach(async () => {
    await store?.close();
    store = null;
  });
}

/** Loads snapshot `meta` into a new 16-db keyspace whose clock reads `now`. */
export async function loadFresh(store: SnapshotStore, meta: SnapshotMeta, cfg: EncodingConfig, now: number): Promise<Keyspace> {
  const ks = new Keyspace(16, new ManualClock(now));
  await loadSnapshot(store, meta, ks, cfg, silentLogger);
  return ks;
}
