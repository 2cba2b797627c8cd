// Persistence: owns the snapshot store, the AOF writer and the snapshot jobs, and answers the
// questions the server asks at its seams: recover on start, what to do at the end of an
// event-loop turn (flush the AOF; with `always`, hold replies until the fsync), whether writes
// must be refused (MISCONF), when to snapshot (`save` rules, BGSAVE, BGREWRITEAOF, auto
// rewrite), INFO persistence.
// Invariants: the AOF holds exactly the mutation log's units from the current snapshot's offset
// on, at their log offsets; a segment is deleted only once a committed snapshot covers it; an
// AOF write/fsync error is never ignored (writes are refused until a later flush succeeds).

import type { Keyspace } from '../keyspace/index.js';
import type { LogEncoder, MutationLog } from '../log/mutation-log.js';
import type { Config, SaveRule } from '../config.js';
import type { Logger } from '../log.js';
import { SnapshotStore, type SnapshotMeta } from './snapshot-store.js';
import { SnapshotJob } from './snapshot.js';
import { RecoveryError, loadSnapshot, replayAof } from './recovery.js';
import { readFunctionsPayload } from './rdb-value.js';
import { AofWriter, type FsyncPolicy } from './aof-writer.js';
import { debugDelay } from '../util/debug-delay.js';

export interface PersistenceDeps {
  config: Config;
  ks: Keyspace;
  log: MutationLog;
  logger: Logger;
  replid: string;
  /** Executes one AOF record's payload, buf[start, end) (RESP, maybe MULTI…EXEC), against the keyspace. */
  replay: (buf: Buffer, start: number, end: number) => void;
  /** The function libraries' code now (a snapshot stores them). */
  functionCodes?: () => string[];
  /** Installs a snapshot's function libraries (their code) at start; throws when one does not load. */
  loadFunctions?: (codes: string[]) => void;
}

export type SaveReason = 'bgsave' | 'save' | 'schedule' | 'aofrewrite' | 'shutdown' | 'sync';

const MISCONF_BGSAVE =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

export class Persistence {
  store: SnapshotStore | null = null;
  aof: AofWriter | null = null;
  job: SnapshotJob | null = null;
  private jobPromise: Promise<SnapshotMeta> | null = null;
  /** Unix seconds of the last successful snapshot (LASTSAVE). */
  lastSave = Math.floor(Date.now() / 1000);
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  lastBgsaveSeconds = -1;
  lastSnapshotMaxSliceMs = 0;
  /** log.dirty when the last successful snapshot started. */
  private dirtyAtLastSave = 0;
  private lastSaveAttempt = 0;
  bgsaveScheduled = false;
  aofRewriteScheduled = false;
  aofRewriteInProgress = false;
  lastAofRewriteStatus: 'ok' | 'err' = 'ok';
  lastAofRewriteSeconds = -1;
  /** AOF size after the last rewrite (the base for auto-aof-rewrite-percentage). */
  private aofBaseSize = 0;
  /** The last AOF write/fsync error, cleared by the next successful flush. */
  aofError: Error | null = null;
  /** Snapshots made current since start (INFO rdb_saves; an AOF rewrite is one too). */
  snapshotsSaved = 0;
  /** AOF rewrites done since start, and failed in a row (INFO aof_rewrites*). */
  aofRewrites = 0;
  aofRewriteFailures = 0;
  loadedKeys = 0;
  /** Keys of the last snapshot load skipped because they had expired (rdb_last_load_keys_expired). */
  loadExpiredKeys = 0;
  loadMs = 0;
  /** Mutations were appended since the last flushAof (a failed flush's bytes stay buffered in
   * the writer, but they are not new: turns that add nothing must not wait on them). */
  private appended = false;
  /** Feeds the mutation log to the AOF: single mutations are encoded by the writer itself. */
  private readonly encoder: LogEncoder = {
    command: (selectDb, argv, start, length) => {
      if (this.aof === null) return;
      this.aof.appendCommand(selectDb, argv, start, length);
      this.appended = true;
    },
    unit: (unit, start) => {
      if (this.aof === null) return;
      this.aof.append(unit, start);
      this.appended = true;
    },
  };

  constructor(private readonly d: PersistenceDeps) {}

  get dir(): string {
    return this.d.config.str('dir');
  }

  // ---- start-up ------------------------------------------------------------------------------

  /** Locks the data dir (LevelDB's LOCK) — before listening, so a second server never serves. */
  async lock(): Promise<void> {
    if (this.store === null) this.store = await SnapshotStore.open(this.dir);
  }

  /** Loads the snapshot, replays the AOF after it, opens the AOF writer. */
  async open(): Promise<void> {
    const { config, ks, log, logger } = this.d;
    await this.lock();
    const store = this.store!;
    const meta = store.current;
    let offset = 0;
    if (meta !== null) {
      logger.info({ snapshot: meta.id, offset: meta.offset, keys: meta.keys }, 'loading snapshot');
      const r = await loadSnapshot(store, meta, ks, config, logger, config.num('key-load-delay'));
      const payload = await store.functions(meta);
      if (payload !== null) {
        const codes = readFunctionsPayload(payload);
        if (typeof codes === 'string') throw new RecoveryError(`snapshot ${meta.id}: its function libraries are unreadable: ${codes}`, 'SNAPSHOT_CORRUPT');
        this.d.loadFunctions?.(codes);
        logger.info({ libraries: codes.length }, 'function libraries loaded from snapshot');
      }
      this.loadedKeys = r.keys;
      this.loadExpiredKeys = r.expiredSkipped;
      this.loadMs = r.ms;
      offset = meta.offset;
      this.lastSave = Math.floor(meta.finishedAt / 1000);
      logger.info({ keys: r.keys, expiredSkipped: r.expiredSkipped, seconds: (r.ms / 1000).toFixed(3) }, 'DB loaded from snapshot');
    }
    log.offset = offset;
    if (config.bool('appendonly')) {
      const t0 = Date.now();
      const loadDelay = config.num('key-load-delay');
      const r = await replayAof({
        dir: this.dir,
        dirName: config.str('appenddirname'),
        fileName: config.str('appendfilename'),
        fromOffset: offset,
        loadTruncated: config.bool('aof-load-truncated'),
        replay: (buf, start, end, startOffset) => {
          this.d.replay(buf, start, end);
          log.offset = startOffset + (end - start);
          if (loadDelay !== 0) debugDelay(loadDelay);
        },
        logger,
      });
      log.offset = Math.max(offset, r.endOffset);
      if (r.records > 0) logger.info({ records: r.records, seconds: ((Date.now() - t0) / 1000).toFixed(3) }, 'DB loaded from append only file');
      await this.openAof(log.offset);
    }
    // Loading replayed mutations through the log: they are not new changes.
    log.dirty = 0;
    this.dirtyAtLastSave = 0;
    log.forceSelect();
    config.onChange('appendfsync', () => this.aof?.setFsyncPolicy(config.str('appendfsync') as FsyncPolicy));
    config.onChange('appendonly', () => void this.onAppendonlyChanged());
  }

  private async openAof(offset: number): Promise<void> {
    const { config, log, logger } = this.d;
    this.aof = await AofWriter.open({
      dir: this.dir,
      dirName: config.str('appenddirname'),
      fileName: config.str('appendfilename'),
      fsync: config.str('appendfsync') as FsyncPolicy,
      startOffset: offset,
      logger,
    });
    this.aofBaseSize = this.aof.stats().aof_current_size;
    log.forceSelect();
    log.addEncoder(this.encoder);
  }

  /** CONFIG SET appendonly: turning it on writes a snapshot first, so the AOF starts where it ends. */
  private async onAppendonlyChanged(): Promise<void> {
    const on = this.d.config.bool('appendonly');
    if (on && this.aof === null) {
      await this.openAof(this.d.log.offset);
      this.startSnapshot('aofrewrite');
    } else if (!on && this.aof !== null) {
      const w = this.aof;
      this.d.log.removeEncoder(this.encoder);
      this.aof = null;
      await w.close();
    }
  }

  // ---- the write path ------------------------------------------------------------------------

  /** True when mutations were appended to the AOF since the last flush. */
  get aofPending(): boolean {
    return this.aof !== null && this.appended;
  }

  /**
   * Hands the AOF buffer to the OS (and fdatasyncs it under `always`); `done(true)` once that
   * covers everything appended before this call. A failure is recorded (MISCONF) and reported
   * as done(false); the bytes stay buffered for the next attempt.
   */
  flushAof(done: (ok: boolean) => void): void {
    const aof = this.aof;
    if (aof === null) {
      done(true);
      return;
    }
    this.appended = false;
    aof.flush((err) => {
      this.noteFlush(err);
      done(err === null);
    });
  }

  private noteFlush(err: Error | null): void {
    if (err !== null) {
      if (this.aofError === null) this.d.logger.error({ err }, 'Error writing to the AOF file: refusing writes until it succeeds');
      this.aofError = err;
    } else if (this.aofError !== null) {
      this.d.logger.warn('AOF write error is solved, accepting writes again');
      this.aofError = null;
    }
  }

  /** MISCONF text when writes must be refused, else null. */
  writeRefusal(): string | null {
    // The writer's own state too: a write postponed behind a background fsync (everysec) fails
    // with no flush waiting on it, and must stop writes at once all the same.
    const aofErr = this.aofError ?? this.aof?.lastError ?? null;
    if (aofErr !== null) return `MISCONF Errors writing to the AOF file: ${aofErr.message}`;
    if (this.lastBgsaveStatus === 'err' && this.d.config.bool('stop-writes-on-bgsave-error') && this.d.config.raw('save') instanceof Array && (this.d.config.raw('save') as SaveRule[]).length > 0) {
      return MISCONF_BGSAVE;
    }
    return null;
  }

  // ---- snapshots -----------------------------------------------------------------------------

  get snapshotInProgress(): boolean {
    return this.job !== null;
  }

  /**
   * Starts a snapshot at the current log offset. Must not be called in the middle of a
   * MULTI/EXEC group (the caller defers). Returns the job's promise (null if one is running).
   */
  startSnapshot(reason: SaveReason): Promise<SnapshotMeta> | null {
    if (this.job !== null || this.store === null) return null;
    const { ks, log, logger } = this.d;
    if (log.inGroup) throw Object.assign(new Error('snapshot started inside a MULTI/EXEC group'), { code: 'SNAPSHOT_IN_GROUP' });
    const offset = log.offset;
    const dirtyAtStart = log.dirty;
    // The record at `offset` must not depend on an earlier SELECT; and a fresh AOF segment
    // starts here, so the older ones can go once this snapshot is current.
    log.forceSelect();
    const rotated = this.aof?.rotate().catch((err) => logger.warn({ err }, 'AOF segment rotation failed'));
    const job = new SnapshotJob(this.store, ks, offset, this.d.replid, logger, this.d.functionCodes?.() ?? []);
    this.job = job;
    this.lastSaveAttempt = Date.now();
    if (reason === 'aofrewrite') this.aofRewriteInProgress = true;
    logger.info({ reason, snapshot: job.id, offset }, reason === 'aofrewrite' ? 'Background append only file rewriting started' : 'Background saving started');
    const t0 = Date.now();
    const p = job.run().then(
      async (meta) => {
        this.job = null;
        this.snapshotsSaved++;
        this.lastSave = Math.floor(Date.now() / 1000);
        this.lastBgsaveStatus = 'ok';
        this.lastBgsaveSeconds = Math.round((Date.now() - t0) / 1000);
        this.lastSnapshotMaxSliceMs = job.maxSliceMs;
        this.dirtyAtLastSave = dirtyAtStart;
        await rotated;
        if (this.aof !== null) {
          const freed = await this.aof.deleteSegmentsBefore(meta.offset).catch((err) => {
            logger.warn({ err }, 'could not delete AOF segments covered by the snapshot');
            return 0;
          });
          this.aofBaseSize = this.aof.stats().aof_current_size;
          if (freed > 0) logger.info({ freed }, 'deleted AOF segments covered by the snapshot');
        }
        if (reason === 'aofrewrite') {
          this.aofRewriteInProgress = false;
          this.lastAofRewriteStatus = 'ok';
          this.lastAofRewriteSeconds = this.lastBgsaveSeconds;
          this.aofRewrites++;
          this.aofRewriteFailures = 0;
        }
        logger.info({ snapshot: meta.id, keys: meta.keys, ms: Date.now() - t0, maxSliceMs: +job.maxSliceMs.toFixed(2) }, 'Background saving terminated with success');
        return meta;
      },
      (err) => {
        this.job = null;
        // As Redis: a failed BGSAVE (or save rule, or AOF rewrite) refuses writes under
        // stop-writes-on-bgsave-error; a failed SAVE or SHUTDOWN snapshot only fails its command.
        if (reason !== 'save' && reason !== 'shutdown') this.lastBgsaveStatus = 'err';
        if (reason === 'aofrewrite') {
          this.aofRewriteInProgress = false;
          this.lastAofRewriteStatus = 'err';
          this.aofRewriteFailures++;
        }
        logger.error({ err }, 'Background saving error');
        throw err;
      },
    );
    this.jobPromise = p;
    p.catch(() => {});
    return p;
  }

  /** Waits for the running snapshot, if any. */
  async waitForSnapshot(): Promise<void> {
    if (this.jobPromise) await this.jobPromise.catch(() => {});
  }

  /** Redis's serverCron part: scheduled BGSAVE/BGREWRITEAOF, `save` rules, auto AOF rewrite. */
  cron(): void {
    if (this.job !== null || this.store === null || this.d.log.inGroup) return;
    if (this.bgsaveScheduled) {
      this.bgsaveScheduled = false;
      this.startSnapshot('bgsave');
      return;
    }
    if (this.aofRewriteScheduled) {
      this.aofRewriteScheduled = false;
      this.startSnapshot('aofrewrite');
      return;
    }
    const changes = this.d.log.dirty - this.dirtyAtLastSave;
    const sinceSave = Date.now() / 1000 - this.lastSave;
    // After a failed save, retry no sooner than 5 s (Redis's CONFIG_BGSAVE_RETRY_DELAY).
    const retryOk = this.lastBgsaveStatus === 'ok' || Date.now() - this.lastSaveAttempt > 5000;
    const rules = this.d.config.raw('save') as SaveRule[];
    if (retryOk && changes > 0) {
      for (const r of rules) {
        if (changes >= r.changes && sinceSave > r.seconds) {
          this.d.logger.info({ changes, seconds: r.seconds }, `${r.changes} changes in ${r.seconds} seconds. Saving...`);
          this.startSnapshot('schedule');
          return;
        }
      }
    }
    if (this.aof !== null) {
      const pct = this.d.config.num('auto-aof-rewrite-percentage');
      const min = this.d.config.num('auto-aof-rewrite-min-size');
      const size = this.aof.stats().aof_current_size;
      const base = Math.max(1, this.aofBaseSize);
      if (pct > 0 && size > min && ((size - base) * 100) / base >= pct) {
        this.d.logger.info({ size, base, pct }, 'Starting automatic rewriting of AOF');
        this.startSnapshot('aofrewrite');
      }
    }
  }

  changesSinceLastSave(): number {
    return this.d.log.dirty - this.dirtyAtLastSave;
  }

  infoFields(): Array<[string, string | number]> {
    const job = this.job;
    const aof = this.aof;
    const st = aof?.stats();
    const f: Array<[string, string | number]> = [
      ['rdb_changes_since_last_save', this.changesSinceLastSave()],
      ['rdb_bgsave_in_progress', job ? 1 : 0],
      ['rdb_last_save_time', this.lastSave],
      ['rdb_last_bgsave_status', this.lastBgsaveStatus],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', job ? Math.round((Date.now() - job.startedAt) / 1000) : -1],
      ['rdb_saves', this.snapshotsSaved],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', this.loadExpiredKeys],
      ['rdb_last_load_keys_loaded', this.loadedKeys],
      ['aof_enabled', aof ? 1 : 0],
      ['aof_rewrite_in_progress', this.aofRewriteInProgress ? 1 : 0],
      ['aof_rewrite_scheduled', this.aofRewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastAofRewriteSeconds],
      ['aof_current_rewrite_time_sec', this.aofRewriteInProgress && job ? Math.round((Date.now() - job.startedAt) / 1000) : -1],
      ['aof_last_bgrewrite_status', this.lastAofRewriteStatus],
      ['aof_rewrites', this.aofRewrites],
      ['aof_rewrites_consecutive_failures', this.aofRewriteFailures],
      ['aof_last_write_status', this.aofError ? 'err' : 'ok'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
    if (st) {
      f.push(
        ['aof_current_size', st.aof_current_size],
        ['aof_base_size', this.aofBaseSize],
        ['aof_pending_rewrite', 0],
        ['aof_buffer_length', st.aof_buffer_length],
        ['aof_pending_bio_fsync', st.aof_pending_bio_fsync],
        ['aof_delayed_fsync', st.aof_delayed_fsync],
      );
    }
    if (job) {
      // Redis 7.0's names for the progress of the save in progress (its fork child reports them).
      f.push(['current_save_keys_processed', job.keys], ['current_save_keys_total', job.keysTotal]);
    }
    return f;
  }

  // ---- shutdown ------------------------------------------------------------------------------

  /** SHUTDOWN: optionally snapshot, then flush+fsync the AOF and release the data dir lock. */
  /**
   * A foreground snapshot of the dataset as it is now, after the running one (if any): SHUTDOWN's
   * final one, or FLUSHALL's of the emptied dataset ('save'). Rejects if it could not be written.
   */
  async snapshotNow(reason: 'shutdown' | 'save' = 'shutdown'): Promise<void> {
    for (;;) {
      await this.waitForSnapshot();
      if (this.store === null) return;
      // null: another snapshot (a scheduled one) started meanwhile; wait for it too.
      const p = this.startSnapshot(reason);
      if (p !== null) {
        await p;
        return;
      }
    }
  }

  /** Waits for a running snapshot, then closes the AOF (flushed and synced) and the store. */
  async close(): Promise<void> {
    await this.waitForSnapshot();
    if (this.aof !== null) {
      this.d.log.removeEncoder(this.encoder);
      await this.aof.close();
      this.aof = null;
    }
    if (this.store !== null) {
      await this.store.close();
      this.store = null;
    }
  }
}
