// AOF writer: appends framed records of the mutation log to the current segment, with group
// commit and Redis's fsync policies (always / everysec / no), rotates segments and deletes the
// ones a snapshot covers.
//
// Invariants:
// - The file holds only whole records, except transiently during a write: a failed or short
//   write is cut back with ftruncate (Redis's flushAppendOnlyFile does the same) and the bytes
//   stay buffered for a retry, so later appends never build on half a record.
// - A flush's `done(null)` means: every byte appended before that flush() call has been written
//   to the OS, and under 'always' also fdatasync'ed (durableOffset covers it). One write syscall
//   and at most one fdatasync per batch; appends that arrive while a batch is in flight are
//   coalesced into the next one (group commit across event-loop turns).
// - Segments other than the last are complete and fsynced before a manifest listing a later
//   segment is written, so only the last segment can have a torn tail.
// - The event loop never waits for the disk itself: the one write() per turn only copies into the
//   page cache and is synchronous (as in Redis); fdatasyncs run in the libuv threadpool, and under
//   everysec a write is postponed while one runs (Redis's aof_flush_postponed_start).
// - Under 'always', the current segment is zero-filled ahead of its records (PREALLOC_BYTES at
//   a time), so a batch's fdatasync needs no journal commit for a new file size (aof-format.ts
//   has the figures). Those zeros are cut off before the segment is fsynced for the last time:
//   at rotation, at close, and when a later open finds them after a crash.
// - Under 'always', the next fsync may wait briefly for the writers the last one released
//   (commit gathering, see `gathering()`): never longer than one fsync takes, and never once
//   as many records are pending as the last batch plus those that queued behind it.

import fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import { AofError, AOF_HEADER_SIZE, checkRecordArgs, encodeRecord, sealRecord } from './aof-format.js';
import { dataEnd } from './aof-reader.js';

import { putCommand } from '../protocol/reply.js';
import type { LogEncoder } from '../log/mutation-log.js';
import type { Latin1Buffer } from '../util/latin1.js';
import {
  type AofSegmentInfo,
  aofDirPath,
  listSegmentFiles,
  readManifest,
  removeStrayManifestTemp,
  segmentName,
  writeManifest,
} from './aof-manifest.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export const DEFAULT_SEGMENT_MAX_BYTES = 64 * 1024 * 1024;
/** Redis: fsync at most once a second under everysec. */
const EVERYSEC_INTERVAL_MS = 1000;
/** Redis: a write postponed behind a running background fsync waits at most 2 s. */
const MAX_POSTPONE_MS = 2000;
/** Retry a failed write after this long if nobody calls flush() meanwhile. */
const RETRY_MS = 1000;
/** After a failed automatic rotation, don't try again for this long. */
const ROTATE_BACKOFF_MS = 10_000;
const INITIAL_BUFFER = 64 * 1024;
/**
 * Zero-fill this much ahead of the records under 'always'. One batch in PREALLOC_BYTES of log
 * pays for the fill (its fdatasync also writes the zeros and the new size); the others write
 * into allocated blocks.
 */
const PREALLOC_BYTES = 1024 * 1024;
let zeros: Buffer | null = null;
/**
 * Commit gathering bounds, in ms. The wait after an fsync is at most the fsync's own recent
 * duration (capped), and it ends as soon as no write arrived for a third of that; but never
 * shorter than a loopback round trip and a client's turn (GATHER_MIN_MS), which is the least
 * a released writer needs to come back (on a disk whose fsync takes microseconds).
 */
const GATHER_MAX_MS = 2;
const GATHER_MIN_MS = 0.05;
const GATHER_QUIET_FRACTION = 1 / 3;
/** Write buffers up to this size are kept for reuse; bigger ones (after a burst) are dropped. */
const MAX_SPARE_BUFFER = 4 * 1024 * 1024;

export interface AofWriterOptions {
  /** The data directory. */
  dir: string;
  /** appenddirname (Redis default `appendonlydir`). */
  dirName: string;
  /** appendfilename (Redis default `appendonly.aof`). */
  fileName: string;
  fsync: FsyncPolicy;
  /** A new segment starts once the current one reaches this size (default 64 MB). */
  segmentMaxBytes?: number;
  logger?: Logger;
  /** Where the log is now (after recovery): the start offset of the next appended record. */
  startOffset: number;
}

/** INFO persistence fields (Redis's names where they map; `aof_` extras are Hoard's). */
export interface AofStats {
  aof_enabled: 1;
  aof_rewrite_in_progress: 0;
  aof_last_bgrewrite_status: 'ok';
  /** 'err' while the last write or the last fsync failed (Redis folds the bio fsync status in). */
  aof_last_write_status: 'ok' | 'err';
  /** Total bytes of all segments. */
  aof_current_size: number;
  /** aof_current_size when the writer was opened. */
  aof_base_size: number;
  /** Bytes appended but not yet written to the OS. */
  aof_buffer_length: number;
  /** 1 while a background (everysec) fsync runs. */
  aof_pending_bio_fsync: 0 | 1;
  /** Writes that had to go ahead although a background fsync was still running after 2 s. */
  aof_delayed_fsync: number;
  aof_fsync_policy: FsyncPolicy;
  aof_segments: number;
  aof_current_segment: string;
  aof_offset: number;
  aof_written_offset: number;
  aof_durable_offset: number;
  aof_writes: number;
  aof_fsyncs: number;
  aof_write_errors: number;
  aof_fsync_errors: number;
}

type Done = (err: Error | null) => void;

interface Batch {
  buf: Buffer;
  len: number;
  /** Log offset right after the batch's last record. */
  endOffset: number;
  /** writtenOffset before this batch (to roll back after an fsync failure). */
  prevWrittenOffset: number;
  /** File size before this batch: where the batch is written, and where to cut back to. */
  prevFileSize: number;
  fd: number;
  /** fdatasync before calling the waiters ('always' at the time the batch started). */
  fsync: boolean;
  waiters: Done[];
  /** Records in the batch. */
  records: number;
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class AofWriter {
  private readonly aofDir: string;
  private readonly fileName: string;
  private readonly segmentMaxBytes: number;
  private readonly log: Logger;
  private policy: FsyncPolicy;

  private fd: number;
  private segments: AofSegmentInfo[];
  /** Bytes in the current segment file (whole records, plus partial ones if a cut-back failed). */
  private segFileSize: number;
  /** The file's real size: segFileSize plus the zeros preallocated after it. */
  private zeroedEnd: number;
  /** performance.now() until which preallocation is not tried again after it failed. */
  private preallocBackoffUntil = 0;
  private closedSegmentsSize: number;
  private readonly baseSize: number;

  /** Pending records, encoded; buf[0, bufLen). */
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER);
  private bufLen = 0;
  private spare: Buffer | null = Buffer.allocUnsafe(INITIAL_BUFFER);
  /** Bytes of the first pending record that are already in the file (a short write we could not cut back). */
  private partialInFile = 0;

  private _offset: number;
  private writtenOffset: number;
  private _durableOffset: number;

  /** Records appended since the last batch started. */
  private pendingRecords = 0;
  /** Commit gathering (see gathering()): > 0 while the next 'always' fsync waits for this many records. */
  private gatherTarget = 0;
  /** performance.now() deadlines of the gathering, and when the last write arrived during it. */
  private gatherUntil = 0;
  private gatherLastArrival = 0;
  private gatherCheckQueued = false;
  /** Recent 'always' fdatasync duration in ms (moving average); 0 until one completed. */
  private fsyncMs = 0;
  private nextWaiters: Done[] = [];
  private wantWrite = false;
  private writeInflight: Batch | null = null;
  private bgFsyncInflight = false;
  private rotating = false;
  private rotateRequests: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private rotateBackoffUntil = 0;
  private manifestLock: Promise<unknown> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];

  private lastFsyncStart = 0;
  private postponedStart = 0;
  private fsyncTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  private lastWriteError: Error | null = null;
  private lastFsyncError: Error | null = null;
  private delayedFsync = 0;
  private writes = 0;
  private fsyncs = 0;
  private writeErrors = 0;
  private fsyncErrors = 0;
  private closing = false;
  private closePromise: Promise<void> | null = null;
  private closed = false;

  private constructor(
    opts: AofWriterOptions,
    fd: number,
    segments: AofSegmentInfo[],
    segFileSize: number,
    closedSegmentsSize: number,
  ) {
    this.aofDir = aofDirPath(opts.dir, opts.dirName);
    this.fileName = opts.fileName;
    this.segmentMaxBytes = opts.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.policy = opts.fsync;
    this.fd = fd;
    this.segments = segments;
    this.segFileSize = segFileSize;
    this.zeroedEnd = segFileSize;
    this.closedSegmentsSize = closedSegmentsSize;
    this.baseSize = closedSegmentsSize + segFileSize;
    this._offset = opts.startOffset;
    this.writtenOffset = opts.startOffset;
    this._durableOffset = opts.startOffset;
    this.lastFsyncStart = Date.now();
  }

  /**
   * Opens the AOF for appending at `startOffset`. Starts a new segment (fsyncing the previous
   * last one first) unless the last segment is empty and starts exactly there. Throws AofError
   * on a bad manifest or an offset that goes backwards.
   */
  static async open(opts: AofWriterOptions): Promise<AofWriter> {
    checkPolicy(opts.fsync);
    if (!Number.isSafeInteger(opts.startOffset) || opts.startOffset < 0) {
      throw new AofError('HOARD_AOF_BAD_OFFSET', `bad AOF start offset ${opts.startOffset}`);
    }
    if (opts.segmentMaxBytes !== undefined && !(opts.segmentMaxBytes > 0)) {
      throw new AofError('HOARD_AOF_BAD_CONFIG', `bad AOF segment size ${opts.segmentMaxBytes}`);
    }
    if (opts.fileName.length === 0 || opts.fileName.includes('/') || opts.fileName.includes('\\')) {
      throw new AofError('HOARD_AOF_BAD_CONFIG', `appendfilename "${opts.fileName}" must be a plain file name`);
    }
    const aofDir = aofDirPath(opts.dir, opts.dirName);
    await fsp.mkdir(aofDir, { recursive: true });
    await removeStrayManifestTemp(aofDir, opts.fileName);
    const manifest = (await readManifest(aofDir, opts.fileName)) ?? { segments: [] };
    const segments = manifest.segments;
    const onDisk = await listSegmentFiles(aofDir, opts.fileName);
    let maxSeq = onDisk.length > 0 ? onDisk[onDisk.length - 1]! : 0;
    for (const s of segments) maxSeq = Math.max(maxSeq, s.seq);

    const sizes: number[] = [];
    for (const s of segments) sizes.push(await fileSize(path.join(aofDir, s.name)));
    // Zeros a crash left preallocated after the last segment's records: cut them off, so that the
    // segment is exact whether it stays the last one (appends continue at its end) or not.
    if (segments.length > 0 && sizes[sizes.length - 1]! > 0) {
      sizes[sizes.length - 1] = await trimPreallocated(path.join(aofDir, segments[segments.length - 1]!.name), sizes[sizes.length - 1]!);
    }

    let last = segments[segments.length - 1];
    if (last !== undefined && opts.startOffset < last.startOffset) {
      throw new AofError(
        'HOARD_AOF_CONTINUITY',
        `cannot open the AOF at log offset ${opts.startOffset}: its last segment ${last.name} already starts at ${last.startOffset}`,
      );
    }
    let changed = false;
    let fd: number;
    if (last !== undefined && sizes[sizes.length - 1] === 0 && last.startOffset === opts.startOffset) {
      // O_CREAT without O_TRUNC: the file is empty (or missing, which is as good as empty).
      fd = fs.openSync(path.join(aofDir, last.name), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    } else {
      if (last !== undefined && sizes[sizes.length - 1]! > 0) {
        // It stops being the last segment: make it durable before the manifest says so.
        const fh = await fsp.open(path.join(aofDir, last.name), 'r');
        try {
          await fh.datasync();
        } finally {
          await fh.close();
        }
      } else if (last !== undefined) {
        // An empty (or missing) last segment that starts elsewhere: drop it rather than leave a gap.
        segments.pop();
        sizes.pop();
        changed = true;
      }
      const seq = maxSeq + 1;
      const name = segmentName(opts.fileName, seq);
      fd = fs.openSync(path.join(aofDir, name), 'w');
      segments.push({ name, seq, startOffset: opts.startOffset });
      sizes.push(0);
      changed = true;
    }
    if (changed) {
      try {
        await writeManifest(aofDir, opts.fileName, { segments });
      } catch (err) {
        fs.closeSync(fd);
        throw new AofError('HOARD_AOF_IO', `cannot write the AOF manifest in ${aofDir}`, { cause: err });
      }
    }
    last = segments[segments.length - 1]!;
    let closedSize = 0;
    for (let i = 0; i < sizes.length - 1; i++) closedSize += sizes[i]!;
    const w = new AofWriter(opts, fd, segments, sizes[sizes.length - 1]!, closedSize);
    w.log.info({ segment: last.name, offset: opts.startOffset, fsync: opts.fsync }, 'AOF opened for append');
    return w;
  }

  /** Stream offset after the last appended byte. */
  get offset(): number {
    return this._offset;
  }

  /** Stream offset covered by a completed fsync. */
  get durableOffset(): number {
    return this._durableOffset;
  }

  /** True if there is appended data not yet written to the OS. */
  get pending(): boolean {
    return this.bufLen > 0;
  }

  /** The error behind aof_last_write_status 'err' (the server answers MISCONF while set), or null. */
  get lastError(): Error | null {
    return this.lastWriteError ?? this.lastFsyncError;
  }

  get fsyncPolicy(): FsyncPolicy {
    return this.policy;
  }

  /**
   * Buffers one record (hot path: encode + CRC into one growing buffer, no I/O). A string payload
   * is latin1 (one byte per char), as the mutation log emits it. `startOffset`
   * must equal `offset` (the stream is continuous); a mismatch is a bug upstream and throws.
   */
  append(payload: Buffer | string, startOffset: number): void {
    const len = payload.length;
    // The reader finds the end of the data by its last non-zero byte (aof-format.ts).
    if (len === 0 || (typeof payload === 'string' ? payload.charCodeAt(len - 1) : payload[len - 1]) === 0) {
      throw new AofError('HOARD_AOF_BAD_PAYLOAD', `AOF record at log offset ${startOffset}: a payload must be RESP, non-empty and not ending in a zero byte`);
    }
    const at = this.reserve(startOffset, len);
    if (typeof payload === 'string') {
      // A latin1 string is one byte per char: copied straight into place, then sealed.
      (this.buf as Latin1Buffer).latin1Write(payload, at + AOF_HEADER_SIZE, len);
      sealRecord(this.buf, at, len, startOffset);
    } else {
      encodeRecord(this.buf, at, payload, startOffset);
    }
    this.appended(startOffset, len);
  }

  /**
   * The record of one mutation (LogEncoder.command): `SELECT selectDb` when selectDb >= 0, then
   * argv, encoded straight into the buffer — the same bytes as append(encodeCommand(...)),
   * without building the string (SET at 50 clients with appendfsync no: 0.85x -> 0.88x of the
   * throughput without AOF).
   */
  appendCommand(selectDb: number, argv: readonly string[], startOffset: number, length: number): void {
    const at = this.reserve(startOffset, length);
    const b = this.buf as Latin1Buffer;
    let p = at + AOF_HEADER_SIZE;
    if (selectDb >= 0) p = putCommand(b, p, ['SELECT', String(selectDb)]);
    p = putCommand(b, p, argv);
    if (p !== at + AOF_HEADER_SIZE + length) {
      throw new AofError('HOARD_AOF_CONTINUITY', `AOF record at log offset ${startOffset}: ${p - at - AOF_HEADER_SIZE} bytes encoded, the log counted ${length}`);
    }
    sealRecord(b, at, length, startOffset);
    this.appended(startOffset, length);
  }

  /** Checks a record of `len` payload bytes may go at `startOffset` and makes room; returns where. */
  private reserve(startOffset: number, len: number): number {
    if (startOffset !== this._offset) {
      throw new AofError('HOARD_AOF_CONTINUITY', `AOF append at log offset ${startOffset} but the log is at ${this._offset}`);
    }
    if (this.closing) throw new AofError('HOARD_AOF_CLOSED', 'AOF writer is closed');
    if (len > 64 * 1024 * 1024) checkRecordArgs(len, startOffset);
    const size = AOF_HEADER_SIZE + len;
    if (this.bufLen + size > this.buf.length) this.grow(size);
    return this.bufLen;
  }

  private appended(startOffset: number, len: number): void {
    this.bufLen += AOF_HEADER_SIZE + len;
    this.pendingRecords++;
    this._offset = startOffset + len;
  }

  /**
   * Called once per event-loop turn (Redis's flushAppendOnlyFile in beforeSleep). Writes all
   * pending records with one write syscall; `done` runs once everything appended before this
   * call is written (and fdatasync'ed under 'always'). With nothing to wait for, `done(null)` is
   * called synchronously. Under 'everysec', while a background fsync runs the write is postponed
   * (up to 2 s, as Redis does) and `done(null)` is called at once: everysec promises ~1 s, not
   * per-write durability.
   */
  flush(done: (err: Error | null) => void): void {
    if (this.closed) {
      done(new AofError('HOARD_AOF_CLOSED', 'AOF writer is closed'));
      return;
    }
    if (this.bufLen === 0) {
      if (this.writeInflight !== null) this.writeInflight.waiters.push(done);
      else done(null);
      return;
    }
    this.nextWaiters.push(done);
    this.wantWrite = true;
    if (this.gatherTarget > 0) this.gatherLastArrival = performance.now();
    this.pump();
  }

  /** CONFIG SET appendfsync. Batches already in flight finish under the policy they started with. */
  setFsyncPolicy(p: FsyncPolicy): void {
    checkPolicy(p);
    if (p === this.policy) return;
    this.log.info({ from: this.policy, to: p }, 'AOF fsync policy changed');
    this.policy = p;
    this.postponedStart = 0;
    if (p === 'everysec') this.scheduleBgFsync();
  }

  /**
   * Starts a new segment at the current written offset: the old one is fdatasync'ed, the new
   * file created and the manifest replaced. Appends keep buffering meanwhile. A no-op if the
   * current segment is still empty.
   */
  rotate(): Promise<void> {
    if (this.closing) return Promise.reject(new AofError('HOARD_AOF_CLOSED', 'AOF writer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.rotateRequests.push({ resolve, reject });
      this.pump();
    });
  }

  /**
   * Deletes the segments whose whole content lies before `offset` (a snapshot at `offset` covers
   * them): the manifest is replaced first, then the files are removed. Never deletes the current
   * segment. Returns the bytes freed.
   */
  deleteSegmentsBefore(offset: number): Promise<number> {
    return this.withManifestLock(async () => {
      let n = 0;
      while (n < this.segments.length - 1 && this.segments[n + 1]!.startOffset <= offset) n++;
      if (n === 0) return 0;
      const doomed = this.segments.slice(0, n);
      const kept = this.segments.slice(n);
      await writeManifest(this.aofDir, this.fileName, { segments: kept });
      this.segments = kept;
      let freed = 0;
      for (const s of doomed) {
        const p = path.join(this.aofDir, s.name);
        const size = await fileSize(p);
        try {
          await fsp.unlink(p);
          freed += size;
        } catch (err) {
          // Not in the manifest any more: a leftover file is harmless, but say so.
          this.log.warn({ err, segment: s.name }, 'could not delete an AOF segment covered by a snapshot');
        }
      }
      this.closedSegmentsSize -= freed;
      this.log.info({ segments: doomed.map((s) => s.name), bytes: freed, before: offset }, 'deleted AOF segments covered by a snapshot');
      return freed;
    });
  }

  stats(): AofStats {
    return {
      aof_enabled: 1,
      aof_rewrite_in_progress: 0,
      aof_last_bgrewrite_status: 'ok',
      aof_last_write_status: this.lastWriteError === null && this.lastFsyncError === null ? 'ok' : 'err',
      aof_current_size: this.closedSegmentsSize + this.segFileSize,
      aof_base_size: this.baseSize,
      aof_buffer_length: this.bufLen,
      aof_pending_bio_fsync: this.bgFsyncInflight ? 1 : 0,
      aof_delayed_fsync: this.delayedFsync,
      aof_fsync_policy: this.policy,
      aof_segments: this.segments.length,
      aof_current_segment: this.segments[this.segments.length - 1]!.name,
      aof_offset: this._offset,
      aof_written_offset: this.writtenOffset,
      aof_durable_offset: this._durableOffset,
      aof_writes: this.writes,
      aof_fsyncs: this.fsyncs,
      aof_write_errors: this.writeErrors,
      aof_fsync_errors: this.fsyncErrors,
    };
  }

  /** Writes what is pending, fdatasyncs and closes the segment. Rejects if the data could not be written. */
  close(): Promise<void> {
    if (this.closePromise === null) this.closePromise = this.doClose();
    return this.closePromise;
  }

  // ---- internals ---------------------------------------------------------------------------

  private async doClose(): Promise<void> {
    this.closing = true;
    this.clearTimers();
    for (const r of this.rotateRequests.splice(0)) r.reject(new AofError('HOARD_AOF_CLOSED', 'AOF writer is closing'));
    await this.waitIdle();
    let writeErr: Error | null = null;
    if (this.bufLen > 0) {
      writeErr = await new Promise<Error | null>((resolve) => {
        this.nextWaiters.push(resolve);
        this.wantWrite = true;
        this.postponedStart = 0;
        this.pump();
      });
      await this.waitIdle();
    }
    this.clearTimers();
    if (this.zeroedEnd > this.segFileSize) {
      // A clean close leaves no preallocated zeros; if the cut fails, the reader skips them anyway.
      const size = this.segFileSize;
      await new Promise<void>((resolve) =>
        fs.ftruncate(this.fd, size, (e) => {
          if (e) this.log.warn({ err: e, segment: this.currentName() }, 'could not cut the preallocated zeros off the AOF at close');
          else this.zeroedEnd = size;
          resolve();
        }),
      );
    }
    let syncErr: Error | null = null;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (e) => (e ? reject(e) : resolve())));
      this.fsyncs++;
      if (this.partialInFile === 0) this._durableOffset = this.writtenOffset;
    } catch (err) {
      syncErr = new AofError('HOARD_AOF_FSYNC', `fdatasync of ${this.currentName()} failed at close`, { cause: err });
    }
    await new Promise<void>((resolve) => fs.close(this.fd, () => resolve()));
    await this.manifestLock.catch(() => undefined);
    this.closed = true;
    for (const w of this.nextWaiters.splice(0)) w(new AofError('HOARD_AOF_CLOSED', 'AOF writer is closed'));
    const err = writeErr ?? syncErr;
    if (err !== null) {
      this.log.error({ err }, 'AOF close failed: data appended since the last good write may be lost');
      throw err;
    }
    this.log.info({ offset: this._offset }, 'AOF closed');
  }

  private grow(need: number): void {
    let n = this.buf.length * 2;
    while (n < this.bufLen + need) n *= 2;
    const b = Buffer.allocUnsafe(n);
    this.buf.copy(b, 0, 0, this.bufLen);
    this.buf = b;
  }

  private currentName(): string {
    return this.segments[this.segments.length - 1]!.name;
  }

  private idle(): boolean {
    return this.writeInflight === null && !this.bgFsyncInflight && !this.rotating;
  }

  private waitIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (this.idleWaiters.length > 0 && this.idle()) for (const r of this.idleWaiters.splice(0)) r();
  }

  /** Decides the next I/O step whenever something changed. Never runs two steps at once on the fd. */
  private pump(): void {
    if (this.writeInflight !== null || this.rotating || this.closed) return;
    if (this.rotateRequests.length > 0 && !this.bgFsyncInflight) {
      void this.runRotate();
      return;
    }
    if (this.bufLen === 0 || !this.wantWrite) return;
    if (this.policy === 'everysec' && this.bgFsyncInflight && !this.closing) {
      // Redis (aof_flush_postponed_start): don't queue a write behind a running fsync, it may
      // block on the same inode; keep the data in memory for up to 2 s, then write anyway.
      const now = Date.now();
      if (this.postponedStart === 0) this.postponedStart = now;
      if (now - this.postponedStart < MAX_POSTPONE_MS) {
        const waiters = this.nextWaiters;
        this.nextWaiters = [];
        for (const w of waiters) w(null);
        return; // the fsync's completion calls pump() again
      }
      this.delayedFsync++;
      this.log.warn({ segment: this.currentName() }, 'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.');
    }
    this.postponedStart = 0;
    if (this.gathering()) return;
    this.startBatch();
  }

  /**
   * Commit gathering, 'always' only. When an fsync completes, the writers it releases usually
   * send their next write within a few dozen microseconds. Starting the next fsync at once
   * covers only the writes that queued meanwhile, and the released writers then wait for
   * the fsync after it: 50 closed-loop writers split into two alternating groups of ~25 per
   * fsync. So the next fsync waits until as many records are pending as the last batch plus
   * those that queued behind it, until no write arrived for a third of an fsync's duration, or
   * until one fsync's duration has passed, whichever comes first. A lone writer never waits:
   * its next record alone reaches the target. The wait re-checks each event-loop turn (setImmediate: a sub-millisecond
   * deadline has no timer in Node) and only while records are pending.
   * (Like MySQL's binlog_group_commit_sync_delay / _no_delay_count, bounded by the disk itself.)
   */
  private gathering(): boolean {
    if (this.gatherTarget === 0) return false;
    const now = performance.now();
    if (
      this.policy === 'always' &&
      !this.closing &&
      this.pendingRecords < this.gatherTarget &&
      now < this.gatherUntil &&
      now - this.gatherLastArrival < Math.max(GATHER_MIN_MS, this.fsyncMs * GATHER_QUIET_FRACTION)
    ) {
      if (!this.gatherCheckQueued) {
        this.gatherCheckQueued = true;
        setImmediate(() => {
          this.gatherCheckQueued = false;
          this.pump();
        });
      }
      return true;
    }
    this.gatherTarget = 0;
    return false;
  }

  private startBatch(): void {
    const batch: Batch = {
      buf: this.buf,
      len: this.bufLen,
      endOffset: this._offset,
      prevWrittenOffset: this.writtenOffset,
      prevFileSize: this.segFileSize,
      fd: this.fd,
      fsync: this.policy === 'always',
      waiters: this.nextWaiters,
      records: this.pendingRecords,
    };
    this.pendingRecords = 0;
    this.nextWaiters = [];
    this.wantWrite = false;
    this.buf = this.spare ?? Buffer.allocUnsafe(INITIAL_BUFFER);
    this.spare = null;
    this.bufLen = 0;
    this.writeInflight = batch;
    this.writes++;
    // Positional write at the known end of the whole records: robust after a cut-back. The
    // write() itself is synchronous, as Redis's flushAppendOnlyFile: it only copies into the page
    // cache (microseconds for a turn's records), and replies held for it can then leave in this
    // same turn. A round trip through the libuv threadpool instead costs two thread wake-ups per
    // turn and a turn of latency per reply (measured: everysec SET at 50 clients went from
    // 0.72x to the no-AOF throughput). What can take long, fdatasync, stays off the loop.
    let err: NodeJS.ErrnoException | null = null;
    let n = 0;
    try {
      n = fs.writeSync(batch.fd, batch.buf, 0, batch.len, batch.prevFileSize);
    } catch (e) {
      err = e as NodeJS.ErrnoException;
    }
    this.onWritten(batch, err, n);
  }

  private onWritten(batch: Batch, err: NodeJS.ErrnoException | null, n: number): void {
    if (err === null && n === batch.len) {
      this.segFileSize += n;
      if (this.segFileSize > this.zeroedEnd) this.zeroedEnd = this.segFileSize;
      this.partialInFile = 0;
      this.writtenOffset = batch.endOffset;
      if (this.lastWriteError !== null) {
        this.log.warn({ segment: this.currentName() }, 'AOF write error looks solved, Redis can write again.');
        this.lastWriteError = null;
      }
      if (batch.fsync) {
        this.preallocate();
        const t0 = performance.now();
        fs.fdatasync(batch.fd, (e) => {
          const ms = performance.now() - t0;
          this.fsyncMs = this.fsyncMs === 0 ? ms : this.fsyncMs * 0.875 + ms * 0.125;
          this.onBatchSynced(batch, e);
        });
        return;
      }
      this.finishBatch(batch);
      return;
    }
    const written = err === null ? n : 0;
    const cause: Error =
      err ?? Object.assign(new Error(`short write: ${written} of ${batch.len} bytes (disk full?)`), { code: 'ENOSPC' });
    const e = new AofError('HOARD_AOF_WRITE', `error writing the AOF segment ${this.currentName()}: ${cause.message}`, { cause });
    if (written === 0) {
      this.failBatch(batch, e, 0);
      return;
    }
    // Short write: cut the half record off so that nothing later builds on it.
    fs.ftruncate(batch.fd, batch.prevFileSize, (terr) => {
      if (terr === null) {
        this.zeroedEnd = batch.prevFileSize;
        this.failBatch(batch, e, 0);
        return;
      }
      // Could not cut back (Redis: "Could not remove short write from the append-only file"):
      // keep the bytes that made it and write the rest of the record after them next time.
      this.log.error({ err: terr, segment: this.currentName() }, 'could not remove a short write from the AOF');
      this.segFileSize += written;
      if (this.segFileSize > this.zeroedEnd) this.zeroedEnd = this.segFileSize;
      this.partialInFile += written;
      this.failBatch(batch, e, written);
    });
  }

  /**
   * Under 'always', right after a batch was written and before its fdatasync: when fewer than
   * PREALLOC_BYTES / 2 of zero-filled space are left after the records, fill the next
   * PREALLOC_BYTES with zeros, so that this fdatasync carries the size change and the next
   * ones do not. Synchronous like the batch's write (a copy into the page cache, ~0.2 ms for
   * 1 MB). A failure (disk full) only costs the speed-up: the records are written already.
   */
  private preallocate(): void {
    if (this.zeroedEnd - this.segFileSize >= PREALLOC_BYTES / 2 || this.partialInFile > 0) return;
    const now = performance.now();
    if (now < this.preallocBackoffUntil) return;
    zeros ??= Buffer.alloc(PREALLOC_BYTES);
    const from = Math.max(this.zeroedEnd, this.segFileSize);
    const to = this.segFileSize + PREALLOC_BYTES;
    // zeroedEnd only has to bound the file's size from above (what is cut off at rotation and
    // close is everything after segFileSize); after a failed fill the file may be shorter.
    this.zeroedEnd = to;
    try {
      for (let pos = from; pos < to; ) {
        const n = fs.writeSync(this.fd, zeros, 0, to - pos, pos);
        if (n <= 0) throw new Error(`short write of ${to - pos} zero bytes`);
        pos += n;
      }
    } catch (err) {
      this.preallocBackoffUntil = now + ROTATE_BACKOFF_MS;
      this.log.warn({ err, segment: this.currentName() }, 'could not preallocate AOF space; appending without it');
    }
  }

  private onBatchSynced(batch: Batch, err: NodeJS.ErrnoException | null): void {
    if (err === null) {
      this.fsyncs++;
      this._durableOffset = Math.max(this._durableOffset, batch.endOffset);
      this.lastFsyncStart = Date.now();
      if (this.lastFsyncError !== null) {
        this.log.warn({ segment: this.currentName() }, 'AOF fsync error looks solved');
        this.lastFsyncError = null;
      }
      this.finishBatch(batch);
      return;
    }
    this.fsyncErrors++;
    const e = new AofError('HOARD_AOF_FSYNC', `fdatasync of the AOF segment ${this.currentName()} failed: ${err.message}`, { cause: err });
    this.lastFsyncError = e;
    // After a failed fsync the kernel may have dropped the dirty pages: a later fsync succeeding
    // proves nothing. Cut the batch off and write it again (like a failed write).
    fs.ftruncate(batch.fd, batch.prevFileSize, (terr) => {
      if (terr === null) {
        this.segFileSize = batch.prevFileSize;
        this.zeroedEnd = batch.prevFileSize;
        this.writtenOffset = batch.prevWrittenOffset;
        this.failBatch(batch, e, 0);
        return;
      }
      this.log.error({ err: terr, segment: this.currentName() }, 'could not cut back the AOF after a failed fsync; retrying fsync only');
      this.failBatch(batch, e, batch.len);
    });
  }

  private finishBatch(batch: Batch): void {
    this.writeInflight = null;
    if (this.spare === null && batch.buf.length <= MAX_SPARE_BUFFER) this.spare = batch.buf;
    const waiters = batch.waiters;
    if (this.policy === 'everysec') this.scheduleBgFsync();
    if (batch.fsync && this.policy === 'always') {
      this.gatherTarget = batch.records + this.pendingRecords;
      this.gatherLastArrival = performance.now();
      this.gatherUntil = this.gatherLastArrival + Math.max(GATHER_MIN_MS, Math.min(this.fsyncMs, GATHER_MAX_MS));
    }
    if (this.segFileSize >= this.segmentMaxBytes && this.rotateRequests.length === 0 && Date.now() >= this.rotateBackoffUntil && !this.closing) {
      this.rotateRequests.push({ resolve: () => undefined, reject: () => undefined });
    }
    this.pump();
    this.checkIdle();
    for (const w of waiters) w(null);
    // The quiet period counts from when the released writers got their replies.
    if (this.gatherTarget > 0) this.gatherLastArrival = performance.now();
  }

  /** Puts buf[keepFrom, len) of a failed batch back in front of the pending data and fails its waiters. */
  private failBatch(batch: Batch, err: AofError, keepFrom: number): void {
    this.writeInflight = null;
    this.writeErrors += err.code === 'HOARD_AOF_WRITE' ? 1 : 0;
    if (err.code === 'HOARD_AOF_WRITE') this.lastWriteError = err;
    const rest = batch.len - keepFrom;
    if (rest > 0) {
      const merged = Buffer.allocUnsafe(Math.max(INITIAL_BUFFER, rest + this.bufLen));
      batch.buf.copy(merged, 0, keepFrom, batch.len);
      this.buf.copy(merged, rest, 0, this.bufLen);
      if (this.spare === null && this.buf.length <= MAX_SPARE_BUFFER) this.spare = this.buf;
      this.buf = merged;
      this.bufLen += rest;
    } else if (keepFrom === batch.len && batch.fsync) {
      // Bytes stay in the file (cut-back failed after fsync error); only an fsync is owed.
      this.scheduleBgFsync(true);
    }
    this.log.error({ err, segment: this.currentName(), bytes: batch.len, offset: batch.prevWrittenOffset }, 'AOF write failed; writes will be refused until it succeeds');
    this.scheduleRetry();
    this.pump();
    this.checkIdle();
    for (const w of batch.waiters) w(err);
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || this.closing) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.bufLen > 0 && this.lastWriteError !== null) {
        this.wantWrite = true;
        this.pump();
      }
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  /** Under everysec: fdatasync in the background at most once a second while data is unsynced. */
  private scheduleBgFsync(force = false): void {
    if ((this.policy !== 'everysec' && !force) || this.bgFsyncInflight || this.closing) return;
    if (this.writtenOffset <= this._durableOffset && !force) return;
    const wait = this.lastFsyncStart + EVERYSEC_INTERVAL_MS - Date.now();
    if (wait <= 0 || force) {
      // A write or rotation in flight calls us again when it completes.
      if (this.writeInflight === null && !this.rotating) this.startBgFsync();
      return;
    }
    if (this.fsyncTimer !== null) return;
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = null;
      this.scheduleBgFsync();
    }, wait);
    this.fsyncTimer.unref();
  }

  private startBgFsync(): void {
    const target = this.partialInFile === 0 ? this.writtenOffset : this._durableOffset;
    const fd = this.fd;
    this.bgFsyncInflight = true;
    this.lastFsyncStart = Date.now();
    fs.fdatasync(fd, (err) => {
      this.bgFsyncInflight = false;
      if (err === null) {
        this.fsyncs++;
        this._durableOffset = Math.max(this._durableOffset, target);
        if (this.lastFsyncError !== null) {
          this.log.warn({ segment: this.currentName() }, 'AOF background fsync error looks solved');
          this.lastFsyncError = null;
        }
      } else {
        this.fsyncErrors++;
        this.lastFsyncError = new AofError('HOARD_AOF_FSYNC', `background fdatasync of the AOF segment ${this.currentName()} failed: ${err.message}`, { cause: err });
        this.log.error({ err: this.lastFsyncError, segment: this.currentName() }, 'AOF background fsync failed; data written since the last good fsync may not be durable');
      }
      this.pump();
      this.scheduleBgFsync();
      this.checkIdle();
    });
  }

  private clearTimers(): void {
    if (this.fsyncTimer !== null) clearTimeout(this.fsyncTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.fsyncTimer = null;
    this.retryTimer = null;
  }

  private withManifestLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.manifestLock.then(fn, fn);
    this.manifestLock = run.catch(() => undefined);
    return run;
  }

  private async runRotate(): Promise<void> {
    this.rotating = true;
    const requests = this.rotateRequests.splice(0);
    try {
      await this.withManifestLock(() => this.rotateLocked());
      for (const r of requests) r.resolve();
    } catch (err) {
      const e = err instanceof AofError ? err : new AofError('HOARD_AOF_ROTATE', `could not start a new AOF segment in ${this.aofDir}`, { cause: err });
      this.rotateBackoffUntil = Date.now() + ROTATE_BACKOFF_MS;
      this.log.error({ err: e }, 'AOF segment rotation failed; appending to the current segment');
      for (const r of requests) r.reject(e);
    } finally {
      this.rotating = false;
      this.pump();
      if (this.policy === 'everysec') this.scheduleBgFsync();
      this.checkIdle();
    }
  }

  private async rotateLocked(): Promise<void> {
    if (this.segFileSize === 0) return;
    if (this.partialInFile > 0) {
      throw new AofError('HOARD_AOF_ROTATE', 'cannot start a new AOF segment while the current one ends in a partially written record');
    }
    const oldFd = this.fd;
    // It stops being the last segment: its preallocated zeros go (aof-format.ts: closed segments are exact).
    if (this.zeroedEnd > this.segFileSize) {
      const size = this.segFileSize;
      await new Promise<void>((resolve, reject) => fs.ftruncate(oldFd, size, (e) => (e ? reject(e) : resolve())));
      this.zeroedEnd = size;
    }
    await new Promise<void>((resolve, reject) => fs.fdatasync(oldFd, (e) => (e ? reject(e) : resolve())));
    this.fsyncs++;
    this._durableOffset = Math.max(this._durableOffset, this.writtenOffset);
    const last = this.segments[this.segments.length - 1]!;
    let seq = last.seq + 1;
    for (const s of await listSegmentFiles(this.aofDir, this.fileName)) seq = Math.max(seq, s + 1);
    const name = segmentName(this.fileName, seq);
    const newFd = await new Promise<number>((resolve, reject) =>
      fs.open(path.join(this.aofDir, name), 'w', (e, fd) => (e ? reject(e) : resolve(fd))),
    );
    const segments = [...this.segments, { name, seq, startOffset: this.writtenOffset }];
    try {
      await writeManifest(this.aofDir, this.fileName, { segments });
    } catch (err) {
      fs.close(newFd, () => undefined);
      throw err;
    }
    this.segments = segments;
    this.fd = newFd;
    this.closedSegmentsSize += this.segFileSize;
    this.segFileSize = 0;
    this.zeroedEnd = 0;
    fs.close(oldFd, (e) => {
      if (e) this.log.warn({ err: e, segment: last.name }, 'closing an old AOF segment failed');
    });
    this.log.info({ segment: name, startOffset: this.writtenOffset, previous: last.name }, 'started a new AOF segment');
  }
}

function checkPolicy(p: string): asserts p is FsyncPolicy {
  if (p !== 'always' && p !== 'everysec' && p !== 'no') {
    throw new AofError('HOARD_AOF_BAD_CONFIG', `bad appendfsync policy "${p}"`);
  }
}

/** Cuts a segment file back to its data end (aof-reader.ts dataEnd); returns the new size. */
async function trimPreallocated(file: string, size: number): Promise<number> {
  const fh = await fsp.open(file, 'r+');
  try {
    const end = await dataEnd(fh, size);
    if (end < size) {
      await fh.truncate(end);
      await fh.datasync();
    }
    return end;
  } finally {
    await fh.close();
  }
}

async function fileSize(p: string): Promise<number> {
  try {
    return (await fsp.stat(p)).size;
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return 0;
    throw err;
  }
}
