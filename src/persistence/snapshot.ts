// A forkless point-in-time snapshot into LevelDB: a KeyspaceWalk (walk.ts: every key as it was
// at the snapshot's log offset, emitted while clients are served) packed into pages
// (value-codec.ts) and written to the snapshot store in batches, with the function libraries as
// they were at that offset; the snapshot becomes current only in SnapshotStore.commit.

import { performance } from 'node:perf_hooks';
import type { Keyspace } from '../keyspace/index.js';
import type { Logger } from '../log.js';
import { PageWriter, SNAPSHOT_FORMAT_VERSION } from './value-codec.js';
import { createFunctionsPayload } from './rdb-value.js';
import { recordKey, type SnapshotBatch, type SnapshotMeta, type SnapshotStore } from './snapshot-store.js';
import { KeyspaceWalk } from './walk.js';

/** Write a LevelDB batch once this many bytes of pages are in it (16 pages of 64 KB): bigger batches
 * grew RSS (an 8 MB batch: +130 MB per BGSAVE of 1M keys, kept by malloc) and were not faster. */
const BATCH_BYTES = 1024 * 1024;
const PROGRESS_EVERY_MS = 1000;

export class SnapshotJob {
  readonly id: number;
  readonly startedAt: number;
  records = 0;
  /** Keys written per db index (SnapshotMeta.dbKeys). */
  private readonly dbKeys: number[];
  private readonly walk: KeyspaceWalk;
  /** The LevelDB batch being filled; written (and replaced) once BATCH_BYTES are in it. */
  private batch: SnapshotBatch | null = null;
  private batchBytes = 0;
  private seq = 0;
  /** Records are packed into pages (value-codec.ts); each full page becomes one LevelDB entry,
   * copied into the batch by put(): no Buffer is allocated per page. */
  private readonly pages = new PageWriter((page) => {
    if (this.batch === null) this.batch = this.store.batch();
    this.batch.put(recordKey(this.id, this.seq++), page);
    this.batchBytes += page.length;
  });
  private aborted = false;

  constructor(
    private readonly store: SnapshotStore,
    private readonly ks: Keyspace,
    readonly offset: number,
    private readonly replid: string,
    private readonly logger: Logger,
    /** The function libraries' code at the snapshot's offset (they change only through the log). */
    private readonly functionCodes: readonly string[] = [],
  ) {
    this.id = store.nextId();
    this.startedAt = ks.clock.now();
    const dbKeys = (this.dbKeys = ks.dbs.map(() => 0));
    this.walk = new KeyspaceWalk(ks, (db, key, value, expireAt) => {
      this.records += this.pages.add(db, key, value, expireAt);
      dbKeys[db]++;
    });
  }

  /** Keys written so far, and in all (INFO current_save_keys_processed / _total). */
  get keys(): number {
    return this.walk.keys;
  }

  get keysTotal(): number {
    return this.walk.keysTotal;
  }

  /** The longest single slice of synchronous work (for the note/benchmarks). */
  get maxSliceMs(): number {
    return this.walk.maxSliceMs;
  }

  private readonly batchFull = (): boolean => this.batchBytes >= BATCH_BYTES;

  private async writePending(): Promise<void> {
    const batch = this.batch;
    if (batch === null) return;
    this.batch = null;
    this.batchBytes = 0;
    await batch.write();
  }

  abort(): void {
    this.aborted = true;
  }

  /** Runs the walk to the end and makes the snapshot current. */
  async run(): Promise<SnapshotMeta> {
    let lastLog = performance.now();
    try {
      await this.store.begin(this.id);
      for (;;) {
        if (this.aborted) throw Object.assign(new Error('snapshot aborted'), { code: 'SNAPSHOT_ABORTED' });
        const finished = this.walk.step(this.batchFull);
        if (finished) break;
        if (this.batchBytes >= BATCH_BYTES) await this.writePending();
        else await new Promise<void>((r) => setImmediate(r));
        const now = performance.now();
        if (now - lastLog >= PROGRESS_EVERY_MS) {
          lastLog = now;
          this.logger.info({ snapshot: this.id, keys: this.keys, total: this.keysTotal }, 'snapshot in progress');
        }
      }
      // The walk is complete (and detached): no later write can concern this snapshot any more.
      this.pages.finish();
      await this.writePending();
      if (this.functionCodes.length > 0) await this.store.putFunctions(this.id, createFunctionsPayload(this.functionCodes, true));
      const meta: SnapshotMeta = {
        id: this.id,
        offset: this.offset,
        startedAt: this.startedAt,
        finishedAt: this.ks.clock.now(),
        keys: this.keys,
        dbKeys: this.dbKeys,
        records: this.records,
        formatVersion: SNAPSHOT_FORMAT_VERSION,
        replid: this.replid,
      };
      if (this.functionCodes.length > 0) meta.functions = this.functionCodes.length;
      await this.store.commit(meta);
      return meta;
    } catch (err) {
      this.walk.detach();
      const batch = this.batch;
      this.batch = null;
      if (batch !== null) await batch.close().catch(() => {});
      await this.store.dropSnapshot(this.id).catch(() => {});
      throw err;
    }
  }
}
