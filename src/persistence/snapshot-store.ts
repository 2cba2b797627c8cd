// The snapshot store: point-in-time images of the keyspace in LevelDB (`<dir>/snapshot/`).
// Invariants:
//  - exactly one snapshot is current: `m:current` names it, and is flipped by one atomic batch
//    after every record of the new snapshot is written; a crash before the flip leaves the
//    previous snapshot current, and the half-written one is cleared at the next open;
//  - records of snapshot ID live under `s:<ID>:<seq>` with zero-padded hex seq, written in
//    increasing seq order (sequential keys keep LevelDB at full speed: DESIGN's measurements);
//  - LevelDB's LOCK file is the data dir lock: a second server on the same dir fails to open it;
//  - the function libraries of snapshot ID (format version 3 on) are ONE entry `f:<ID>`: FUNCTION
//    DUMP's payload (rdb-value.ts createFunctionsPayload: FUNCTION2 records of each library's
//    code, RDB version, CRC-64), written before the snapshot becomes current and only when
//    there are libraries; SnapshotMeta.functions counts them (absent: none, as in every
//    snapshot written before functions existed).

import path from 'node:path';
import { Level } from 'level';

export const SNAPSHOT_DIR = 'snapshot';
const CURRENT = 'm:current';
const STARTED_PREFIX = 'm:started:';
const FUNCTIONS_PREFIX = 'f:';

export interface SnapshotMeta {
  /** Snapshot id (monotonic). */
  id: number;
  /** The mutation-log offset this image is consistent with. */
  offset: number;
  /** Unix ms when it began (point in time) and ended. */
  startedAt: number;
  finishedAt: number;
  keys: number;
  records: number;
  formatVersion: number;
  /** Replication id of the stream the offset belongs to (for PSYNC after restart). */
  replid: string;
  /** Function libraries stored beside the records (`f:<id>`); absent or 0: none. */
  functions?: number;
  /**
   * Keys per db index (0 for an empty db), so that a load sizes each db's key table once
   * (KeyTable.reserve). Absent in snapshots written before it was added: the tables then grow
   * as keys arrive.
   */
  dbKeys?: number[];
}

/** The part of LevelDB's chained batch the snapshot writer uses. */
export interface SnapshotBatch {
  put(key: string, value: Buffer): unknown;
  write(): Promise<void>;
  close(): Promise<void>;
  readonly length: number;
}

/** Page copies are made into reused buffers of this size (a page is ~64 KB, see value-codec). */
const POOLED_BYTES = 128 * 1024;
/** Buffers kept for reuse: a 1 MB batch holds ~16 pages, one batch is in flight at a time. */
const POOL_MAX = 64;
const pool: Buffer[] = [];

/**
 * SnapshotBatch over LevelDB's array batch (see SnapshotStore.batch). Pages are copied into
 * pooled buffers that go back to the pool once the batch is written: a BGSAVE allocates a few
 * MB once instead of its whole size in Buffers, which would make V8 collect (and stall) during
 * the save.
 */
class PageBatch implements SnapshotBatch {
  private ops: Array<{ type: 'put'; key: string; value: Buffer }> = [];
  private held: Buffer[] = [];

  constructor(private readonly db: Level<string, Buffer>) {}

  get length(): number {
    return this.ops.length;
  }

  put(key: string, value: Buffer): void {
    let copy: Buffer;
    if (value.length <= POOLED_BYTES) {
      const b = pool.pop() ?? Buffer.allocUnsafeSlow(POOLED_BYTES);
      this.held.push(b);
      copy = b.subarray(0, value.length);
    } else copy = Buffer.allocUnsafeSlow(value.length);
    value.copy(copy);
    this.ops.push({ type: 'put', key, value: copy });
  }

  async write(): Promise<void> {
    const ops = this.ops;
    this.ops = [];
    try {
      await this.db.batch(ops);
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    this.ops = [];
    this.release();
  }

  private release(): void {
    for (const b of this.held) if (pool.length < POOL_MAX) pool.push(b);
    this.held = [];
  }
}

export class SnapshotStoreError extends Error {
  constructor(
    message: string,
    readonly code: 'SNAPSHOT_LOCKED' | 'SNAPSHOT_OPEN_FAILED' | 'SNAPSHOT_CORRUPT',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export function recordPrefix(id: number): string {
  return `s:${hex(id, 8)}:`;
}

export function recordKey(id: number, seq: number): string {
  return recordPrefix(id) + hex(seq, 12);
}

export class SnapshotStore {
  readonly db: Level<string, Buffer>;
  current: SnapshotMeta | null = null;

  private constructor(readonly location: string) {
    this.db = new Level<string, Buffer>(location, { valueEncoding: 'buffer' });
  }

  /** Opens (and locks) the store; clears snapshots that never became current. */
  static async open(dataDir: string): Promise<SnapshotStore> {
    const location = path.join(dataDir, SNAPSHOT_DIR);
    const store = new SnapshotStore(location);
    try {
      await store.db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new SnapshotStoreError(
          `The data directory ${dataDir} is in use by another Hoard process (LevelDB lock ${path.join(location, 'LOCK')} is held). ` +
            'Stop that server or give this one another --dir.',
          'SNAPSHOT_LOCKED',
          { cause: err },
        );
      }
      throw new SnapshotStoreError(`Cannot open the snapshot store ${location}: ${cause?.message ?? (err as Error).message}`, 'SNAPSHOT_OPEN_FAILED', {
        cause: err,
      });
    }
    try {
      const raw = await store.db.get(CURRENT).catch((e: { code?: string }) => {
        if (e.code === 'LEVEL_NOT_FOUND') return undefined;
        throw e;
      });
      if (raw !== undefined) store.current = parseMeta(raw.toString('utf8'), location);
      await store.clearAbandoned();
    } catch (err) {
      await store.db.close().catch(() => {});
      if (err instanceof SnapshotStoreError) throw err;
      throw new SnapshotStoreError(`The snapshot store ${location} is unreadable: ${(err as Error).message}`, 'SNAPSHOT_CORRUPT', { cause: err });
    }
    return store;
  }

  /** Ids of snapshots started but never made current (a crash mid-snapshot). */
  private async clearAbandoned(): Promise<void> {
    const stale: number[] = [];
    for await (const k of this.db.keys({ gt: STARTED_PREFIX, lt: STARTED_PREFIX + '~' })) {
      const id = parseInt(k.slice(STARTED_PREFIX.length), 16);
      if (this.current === null || id !== this.current.id) stale.push(id);
    }
    for (const id of stale) await this.dropSnapshot(id);
  }

  nextId(): number {
    return (this.current?.id ?? 0) + 1;
  }

  /** Marks a snapshot as in progress (so a crash leaves a trace to clean up). */
  async begin(id: number): Promise<void> {
    await this.db.put(STARTED_PREFIX + hex(id, 8), Buffer.from('1'));
  }

  /**
   * A batch to fill with put(key, value) and write(); keys must be increasing within a snapshot.
   * put() copies the value, so the caller may reuse its buffer.
   *
   * Not LevelDB's chained batch: classic-level frees a chained batch's native WriteBatch only
   * when V8 collects the JS object, and V8 does not see that memory, so nothing hurries the
   * collection — every BGSAVE of 1M keys left ~140 MB of written batches in RSS (measured: 340
   * -> 484 -> 630 -> 760 MB over three BGSAVEs). The array form frees its WriteBatch as soon as
   * it is written, and the page copies it holds are Buffers, which V8 counts.
   */
  batch(): SnapshotBatch {
    return new PageBatch(this.db);
  }

  /** Makes `meta` current in one atomic batch, then drops the previous snapshot. */
  async commit(meta: SnapshotMeta): Promise<void> {
    const previous = this.current;
    await this.db.batch([
      { type: 'put', key: CURRENT, value: Buffer.from(JSON.stringify(meta)) },
      { type: 'del', key: STARTED_PREFIX + hex(meta.id, 8) },
    ]);
    this.current = meta;
    if (previous !== null && previous.id !== meta.id) await this.dropSnapshot(previous.id);
  }

  /** Stores snapshot `id`'s function libraries (a FUNCTION DUMP payload). */
  async putFunctions(id: number, payload: Buffer): Promise<void> {
    await this.db.put(FUNCTIONS_PREFIX + hex(id, 8), payload);
  }

  /** The function libraries' payload of `meta`, or null when it has none. */
  async functions(meta: SnapshotMeta): Promise<Buffer | null> {
    if ((meta.functions ?? 0) === 0) return null;
    const v = await this.db.get(FUNCTIONS_PREFIX + hex(meta.id, 8)).catch((e: { code?: string }) => {
      if (e.code === 'LEVEL_NOT_FOUND') return undefined;
      throw e;
    });
    if (v === undefined) throw new SnapshotStoreError(`snapshot ${meta.id} should hold ${meta.functions} function libraries but their entry is missing`, 'SNAPSHOT_CORRUPT');
    return v;
  }

  /** Deletes a snapshot's records (an abandoned one, or one no longer current). */
  async dropSnapshot(id: number): Promise<void> {
    const prefix = recordPrefix(id);
    await this.db.clear({ gte: prefix, lt: prefix.slice(0, -1) + ';' });
    await this.db.del(FUNCTIONS_PREFIX + hex(id, 8));
    await this.db.del(STARTED_PREFIX + hex(id, 8));
  }

  /**
   * Streams the records of the current snapshot in order, `batch` at a time, yielding to the
   * event loop between reads (LevelDB's nextv runs off the main thread).
   */
  async *records(meta: SnapshotMeta, batch = 1000): AsyncGenerator<Array<[string, Buffer]>> {
    const prefix = recordPrefix(meta.id);
    const it = this.db.iterator({ gte: prefix, lt: prefix.slice(0, -1) + ';', highWaterMarkBytes: 1024 * 1024 } as never);
    try {
      // Read-ahead: the next batch is fetched (off the main thread) while this one is loaded.
      let next = it.nextv(batch) as Promise<Array<[string, Buffer]>>;
      for (;;) {
        const entries = await next;
        if (entries.length === 0) break;
        next = it.nextv(batch) as Promise<Array<[string, Buffer]>>;
        yield entries;
      }
    } finally {
      await it.close();
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

function parseMeta(raw: string, location: string): SnapshotMeta {
  let m: SnapshotMeta;
  try {
    m = JSON.parse(raw) as SnapshotMeta;
  } catch (err) {
    throw new SnapshotStoreError(`The current-snapshot pointer in ${location} is not valid JSON`, 'SNAPSHOT_CORRUPT', { cause: err });
  }
  if (typeof m.id !== 'number' || typeof m.offset !== 'number' || typeof m.keys !== 'number') {
    throw new SnapshotStoreError(`The current-snapshot pointer in ${location} lacks id/offset/keys`, 'SNAPSHOT_CORRUPT');
  }
  return m;
}
