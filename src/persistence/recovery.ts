// Recovery on start: load the current snapshot into the keyspace, then replay the AOF records
// after the snapshot's offset. Shared with the offline tools (they load into a private
// keyspace). Invariants: nothing is served from a half-loaded keyspace (the server answers
// LOADING meanwhile); a torn final AOF record is cut (with a backup and a warning naming file,
// offset and bytes) only when aof-load-truncated allows it; any other damage refuses to start
// with an error naming what and where and how to repair.

import { performance } from 'node:perf_hooks';
import type { Keyspace } from '../keyspace/index.js';
import type { Logger } from '../log.js';
import type { EncodingConfig } from '../types/hash.js';
import { forEachRecord, materialize, SnapshotFormatError, type DecodedRecord, type Elements } from './value-codec.js';
import type { SnapshotMeta, SnapshotStore } from './snapshot-store.js';
import { readAof, truncateAt, type AofProblem } from './aof-reader.js';
import { debugDelay } from '../util/debug-delay.js';

export class RecoveryError extends Error {
  constructor(
    message: string,
    readonly code: 'SNAPSHOT_CORRUPT' | 'AOF_CORRUPT' | 'AOF_REPLAY_FAILED',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Entries per step of a dict's bulk build: 1-3 ms, then the event loop gets a turn. */
const BULK_BUILD_STEP = 1 << 16;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface SnapshotLoadResult {
  keys: number;
  expiredSkipped: number;
  records: number;
  ms: number;
}

/**
 * Loads `meta`'s records into `ks` (which must be empty). Keys already expired are skipped, as
 * Redis does when a primary loads an RDB.
 */
export async function loadSnapshot(
  store: SnapshotStore,
  meta: SnapshotMeta,
  ks: Keyspace,
  cfg: EncodingConfig,
  logger: Logger,
  /** key-load-delay: microseconds slept per key loaded (a test knob; util/debug-delay.ts). */
  loadDelay = 0,
): Promise<SnapshotLoadResult> {
  const t0 = performance.now();
  const now = ks.clock.now();
  let keys = 0;
  let expiredSkipped = 0;
  let records = 0;
  let lastLog = t0;
  // The collection being assembled from a first chunk and its continuations.
  let pending: { db: number; key: string; type: string; expireAt: number; parts: Elements[] } | null = null;

  const place = (db: number, key: string, value: Parameters<typeof ks.dbs[0]['add']>[1], expireAt: number) => {
    const d = ks.dbs[db];
    if (d === undefined) {
      throw new RecoveryError(`snapshot ${meta.id} holds db ${db} but the server has ${ks.dbs.length} databases (raise 'databases')`, 'SNAPSHOT_CORRUPT');
    }
    if (expireAt !== 0 && expireAt <= now) {
      expiredSkipped++;
      return;
    }
    // The dicts are in bulk mode: a key held twice shows when they are built (below).
    const e = d.add(key, value);
    if (expireAt !== 0) d.setExpire(e, expireAt);
    keys++;
    if (loadDelay !== 0) debugDelay(loadDelay);
  };
  const flushPending = () => {
    if (pending === null) return;
    const p = pending;
    pending = null;
    place(p.db, p.key, materialize(p.type as 'list', p.parts, cfg), p.expireAt);
  };

  // Keys go into the dicts in bulk (keyspace/key-dict.ts): recorded now, inserted in bucket
  // order once all are in (~15% of a restart of 1M keys).
  for (const d of ks.dbs) d.dict.beginBulk();
  // Each db's columns sized once (KeyTable.reserve); capped so that a damaged count cannot make
  // the load allocate more than the snapshot's keys.
  meta.dbKeys?.forEach((n, db) => {
    if (Number.isSafeInteger(n) && n > 0) ks.dbs[db]?.t.reserve(Math.min(n, meta.keys));
  });
  try {
    let where = '';
    const onRecord = (r: DecodedRecord) => {
      records++;
      if (r.kind === 2) {
        if (pending === null || pending.key !== r.key || pending.db !== r.db || pending.type !== r.type) {
          throw new RecoveryError(`snapshot ${meta.id} record ${where}: continuation chunk without its first chunk`, 'SNAPSHOT_CORRUPT');
        }
        pending.parts.push(r.elements);
        return;
      }
      flushPending();
      if (r.type === 'string') place(r.db, r.key, r.str as string, r.expireAt);
      else pending = { db: r.db, key: r.key, type: r.type, expireAt: r.expireAt, parts: [r.elements] };
    };
    // A page holds ~500 small keys: 16 pages (~1 MB) per step keep each synchronous stretch of
    // loading to a few ms (the server answers LOADING meanwhile). Version 1 stored one record
    // per LevelDB entry.
    const perStep = meta.formatVersion >= 2 ? 16 : 1000;
    for await (const batch of store.records(meta, perStep)) {
      for (const [k, buf] of batch) {
        where = k;
        try {
          forEachRecord(buf, onRecord);
        } catch (err) {
          if (err instanceof SnapshotFormatError) {
            throw new RecoveryError(`snapshot ${meta.id} record ${k}: ${err.message}`, 'SNAPSHOT_CORRUPT', { cause: err });
          }
          throw err;
        }
      }
      const t = performance.now();
      if (t - lastLog > 1000) {
        lastLog = t;
        logger.info({ keys, records, total: meta.records, rate: Math.round(keys / ((t - t0) / 1000)) }, 'loading snapshot');
      }
    }
    flushPending();
    for (const d of ks.dbs) {
      while (!d.dict.buildStep(BULK_BUILD_STEP)) await nextTurn();
      const dup = d.dict.bulkDuplicate;
      if (dup >= 0) throw new RecoveryError(`snapshot ${meta.id} holds key ${JSON.stringify(d.t.keys[dup])} of db ${d.index} twice`, 'SNAPSHOT_CORRUPT');
    }
  } catch (err) {
    if (err instanceof RecoveryError) throw err;
    if (err instanceof SnapshotFormatError) throw new RecoveryError(`snapshot ${meta.id}: ${err.message}`, 'SNAPSHOT_CORRUPT', { cause: err });
    throw new RecoveryError(`snapshot ${meta.id} is unreadable: ${(err as Error).message}`, 'SNAPSHOT_CORRUPT', { cause: err });
  }
  if (records !== meta.records) {
    throw new RecoveryError(`snapshot ${meta.id} should hold ${meta.records} records but ${records} were found`, 'SNAPSHOT_CORRUPT');
  }
  return { keys, expiredSkipped, records, ms: performance.now() - t0 };
}

export interface AofReplayOptions {
  dir: string;
  dirName: string;
  fileName: string;
  fromOffset: number;
  /** aof-load-truncated: cut a torn tail and go on (true), or refuse (false). */
  loadTruncated: boolean;
  /** Executes one record's payload, buf[start, end) (RESP commands, possibly MULTI…EXEC), against the keyspace. */
  replay: (buf: Buffer, start: number, end: number, startOffset: number) => void;
  logger: Logger;
}

export interface AofReplayResult {
  records: number;
  endOffset: number;
  truncated: { segment: string; fileOffset: number; bytesDropped: number; backupPath: string } | null;
}

export async function replayAof(opts: AofReplayOptions): Promise<AofReplayResult> {
  const t0 = performance.now();
  let lastLog = t0;
  let records = 0;
  const result = await readAof({
    dir: opts.dir,
    dirName: opts.dirName,
    fileName: opts.fileName,
    fromOffset: opts.fromOffset,
    onRecord: (r) => {
      opts.replay(r.buf, r.start, r.end, r.startOffset);
      records++;
    },
    onProgress: (bytes, total) => {
      const t = performance.now();
      if (t - lastLog > 1000) {
        lastLog = t;
        opts.logger.info({ bytes, total, records }, 'replaying AOF');
      }
    },
  });
  const problem = result.problem;
  if (problem === null) return { records: result.records, endOffset: result.endOffset, truncated: null };
  if (problem.kind === 'torn-tail' && opts.loadTruncated && problem.fixable) {
    const fix = await truncateAt(problem, { dir: opts.dir, dirName: opts.dirName, fileName: opts.fileName });
    opts.logger.warn(
      { segment: problem.segment, fileOffset: problem.fileOffset, logOffset: problem.logOffset, bytesDropped: fix.bytesDropped, backup: fix.backupPath },
      `!!! Warning: short read while loading the AOF file ${problem.segment}!!! Truncated ${fix.bytesDropped} bytes of an incomplete last record at file offset ${problem.fileOffset} (log offset ${problem.logOffset}); a copy is in ${fix.backupPath}`,
    );
    return {
      records: result.records,
      endOffset: problem.logOffset,
      truncated: { segment: problem.segment, fileOffset: problem.fileOffset, bytesDropped: fix.bytesDropped, backupPath: fix.backupPath },
    };
  }
  throw aofProblemError(problem, opts.dir, opts.loadTruncated);
}

function aofProblemError(p: AofProblem, dir: string, loadTruncated: boolean): RecoveryError {
  let msg = `Bad AOF: ${p.message} (segment ${p.segment}, file offset ${p.fileOffset}, log offset ${p.logOffset}, record ${p.recordIndex}, ${p.goodRecords} good records before it).`;
  if (p.kind === 'torn-tail' && !loadTruncated) {
    msg += ` The last record is incomplete and aof-load-truncated is no: set it to yes, or run 'hoard-check-aof --fix ${dir}'.`;
  } else if (!msg.includes('hoard-check-aof')) {
    msg += ` Refusing to start; inspect it with 'hoard-check-aof ${dir}' and repair with 'hoard-check-aof --fix ${dir}' (keeps a backup of what it cuts).`;
  }
  return new RecoveryError(msg, 'AOF_CORRUPT');
}
