// A forkless point-in-time snapshot (Dragonfly's "versioned buckets" idea, on JS Maps).
//
// At start (log offset S) the job records, for every db dict, the seq number that the next new
// entry will get (`limit`). It then walks each dict in its iteration order, which is seq order,
// a few milliseconds per event-loop turn. While it walks, the keyspace calls `beforeWrite` before
// any existing entry is changed, moved, expired or deleted; if the walk has not reached that
// entry yet (lastSeq < seq < limit), its current — pre-write, i.e. as of S — value is serialized
// right then and the walk later skips it. Entries with seq ≥ limit were created after S and are
// never written. FLUSHDB/SWAPDB replace or swap whole dicts: the job keeps walking the dict
// objects it started with, under the db index they had at S.
// Result: the records equal the keyspace as it was at S, without stopping the server and
// without copying the dataset. Records are written to LevelDB in batches while clients are
// served; the snapshot becomes current only in SnapshotStore.commit.

import { performance } from 'node:perf_hooks';
import type { Db, Entry, Keyspace } from '../keyspace/index.js';
import type { Logger } from '../log.js';
import { PageWriter, SNAPSHOT_FORMAT_VERSION } from './value-codec.js';
import { recordKey, type SnapshotBatch, type SnapshotMeta, type SnapshotStore } from './snapshot-store.js';

/**
 * Time slice per event-loop turn: the DESIGN's "no stall over a few ms". Measured on 1M keys with
 * a client PINGing throughout: 3 ms slices (checked every 32 keys) gave worst PINGs of 8-14 ms,
 * 1 ms slices (checked every 16 keys) 5-9 ms, for the same BGSAVE duration (~0.6 s).
 */
const SLICE_MS = 1;
/** Write a LevelDB batch once this many bytes of pages are in it (16 pages of 64 KB): bigger batches
 * grew RSS (an 8 MB batch: +130 MB per BGSAVE of 1M keys, kept by malloc) and were not faster. */
const BATCH_BYTES = 1024 * 1024;
const PROGRESS_EVERY_MS = 1000;

interface DictState {
  readonly dict: Map<string, Entry>;
  readonly dbIndex: number;
  /** Entries with seq ≥ limit were added after the snapshot's point in time. */
  readonly limit: number;
  /** Seq of the last entry the walk visited. */
  lastSeq: number;
  readonly it: Iterator<Entry>;
  done: boolean;
}

export class SnapshotJob {
  readonly id: number;
  readonly startedAt: number;
  keys = 0;
  records = 0;
  /** Keys the walk must visit (the dicts' sizes at the start): INFO current_save_keys_total. */
  readonly keysTotal: number;
  /** Entries saved ahead of the walk by a write; the walk skips them. */
  private readonly savedEarly = new Set<Entry>();
  private readonly states = new Map<Map<string, Entry>, DictState>();
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
  /** The longest single slice of synchronous work (for the note/benchmarks). */
  maxSliceMs = 0;

  constructor(
    private readonly store: SnapshotStore,
    private readonly ks: Keyspace,
    readonly offset: number,
    private readonly replid: string,
    private readonly logger: Logger,
  ) {
    if (ks.beforeWrite !== null) {
      throw Object.assign(new Error('a snapshot is already running'), { code: 'SNAPSHOT_IN_PROGRESS' });
    }
    this.id = store.nextId();
    this.startedAt = ks.clock.now();
    let total = 0;
    for (const db of ks.dbs) {
      this.states.set(db.dict, { dict: db.dict, dbIndex: db.index, limit: db.seqLimit, lastSeq: 0, it: db.dict.values(), done: false });
      total += db.dict.size;
    }
    this.keysTotal = total;
    ks.beforeWrite = this.beforeWrite;
  }

  private readonly beforeWrite = (db: Db, e: Entry): void => {
    const st = this.states.get(db.dict);
    if (st === undefined || st.done || e.seq >= st.limit || e.seq <= st.lastSeq || this.savedEarly.has(e)) return;
    this.save(st.dbIndex, e);
    this.savedEarly.add(e);
  };

  private save(dbIndex: number, e: Entry): void {
    this.records += this.pages.add(dbIndex, e.key, e.value, e.expireAt);
    this.keys++;
  }

  /** One time slice of the walk. Returns true when every dict has been walked. */
  private step(): boolean {
    const t0 = performance.now();
    let n = 0;
    for (const st of this.states.values()) {
      while (!st.done) {
        const r = st.it.next();
        if (r.done) {
          st.done = true;
          break;
        }
        const e = r.value;
        if (e.seq >= st.limit) {
          // Iteration order is seq order: everything from here on is newer than the snapshot.
          st.done = true;
          break;
        }
        st.lastSeq = e.seq;
        if (this.savedEarly.has(e)) this.savedEarly.delete(e);
        else this.save(st.dbIndex, e);
        if ((++n & 15) === 0) {
          if (this.batchBytes >= BATCH_BYTES) return this.endSlice(t0, false);
          if (performance.now() - t0 >= SLICE_MS) return this.endSlice(t0, false);
        }
      }
    }
    return this.endSlice(t0, true);
  }

  private endSlice(t0: number, finished: boolean): boolean {
    const ms = performance.now() - t0;
    if (ms > this.maxSliceMs) this.maxSliceMs = ms;
    return finished;
  }

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
        const finished = this.step();
        if (finished) break;
        if (this.batchBytes >= BATCH_BYTES) await this.writePending();
        else await new Promise<void>((r) => setImmediate(r));
        const now = performance.now();
        if (now - lastLog >= PROGRESS_EVERY_MS) {
          lastLog = now;
          this.logger.info({ snapshot: this.id, keys: this.keys, total: this.keysTotal }, 'snapshot in progress');
        }
      }
      // The walk is complete: no later write can concern this snapshot any more.
      this.detach();
      this.pages.finish();
      await this.writePending();
      const meta: SnapshotMeta = {
        id: this.id,
        offset: this.offset,
        startedAt: this.startedAt,
        finishedAt: this.ks.clock.now(),
        keys: this.keys,
        records: this.records,
        formatVersion: SNAPSHOT_FORMAT_VERSION,
        replid: this.replid,
      };
      await this.store.commit(meta);
      return meta;
    } catch (err) {
      this.detach();
      const batch = this.batch;
      this.batch = null;
      if (batch !== null) await batch.close().catch(() => {});
      await this.store.dropSnapshot(this.id).catch(() => {});
      throw err;
    }
  }

  private detach(): void {
    if (this.ks.beforeWrite === this.beforeWrite) this.ks.beforeWrite = null;
    this.savedEarly.clear();
  }
}
