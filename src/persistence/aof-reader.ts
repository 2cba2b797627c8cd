// AOF reader: streams, verifies and repairs the segments of the append-only log. Shared by the
// server's recovery and by `hoard-check-aof`.
//
// What is checked: the manifest, that every listed segment exists, each record's header CRC,
// payload CRC and framing, and continuity (each record starts where the previous one ended,
// each segment where the previous one ended). The first problem stops the read; the records
// before it have been delivered.
//
// Policy (Redis's loadSingleAppendOnlyFile / aof-load-truncated): a torn tail, the final segment
// ending inside a record (crash during append), is the only problem the server may repair by
// itself (truncateAt, warning with the bytes dropped). Anything else (a bad CRC, a bad header,
// a gap) refuses to start; `hoard-check-aof --fix` truncates at the first bad record.
//
// The reader never holds a whole segment in memory: 1 MB reads into one reused buffer.

import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  AofError,
  AOF_HEADER_SIZE,
  crc32Range,
  decodeHeader,
  HEADER_OK,
  headerStatusText,
  isPlausibleHeaderPrefix,
  newRecordHeader,
} from './aof-format.js';
import {
  type AofManifest,
  aofDirPath,
  fsyncDir,
  listSegmentFiles,
  manifestName,
  readManifest,
  writeManifest,
} from './aof-manifest.js';

export interface AofRecord {
  /**
   * The reader's reused buffer: the record's log bytes are buf[start, end). The same record
   * object is passed for every record and the buffer is overwritten by later reads, so both are
   * valid only during onRecord: copy what you keep.
   */
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  /** buf[start, end) as a Buffer (a view made on each access; the replay feeds the range itself). */
  readonly payload: Buffer;
  /** Log offset of the payload's first byte. */
  readonly startOffset: number;
  /** Segment file name. */
  readonly segment: string;
  /** Byte offset of the record (its header) within the segment file. */
  readonly fileOffset: number;
  /** Index of the record within its segment, from 0. */
  readonly index: number;
}

/**
 * The one record object of a read, updated in place: an object and a Buffer view per record were
 * ~115 ns of the ~400 ns the reader spent per record of a 1M-SET log.
 */
class RecordCursor implements AofRecord {
  buf: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  startOffset = 0;
  segment = '';
  fileOffset = 0;
  index = 0;
  get payload(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
}

export type AofProblemKind = 'torn-tail' | 'bad-crc' | 'bad-header' | 'discontinuity' | 'missing-segment' | 'bad-manifest';

export interface AofProblem {
  kind: AofProblemKind;
  /** Segment file name (the manifest's file name for 'bad-manifest'). */
  segment: string;
  /** Byte offset within the segment of the first bad record (where truncateAt cuts). */
  fileOffset: number;
  /** Log offset where the bad record starts (= end of the last good record). */
  logOffset: number;
  /** Index within the segment of the first bad record, from 0 (for 'bad-manifest': the manifest line, 0 if none). */
  recordIndex: number;
  /** Good records read (delivered or skipped as before fromOffset) before the problem. */
  goodRecords: number;
  /** Bytes truncateAt would drop from this segment on (this segment's tail + later segments). */
  bytesAfter: number;
  /** Whether truncateAt can repair it (false e.g. when the log starts after fromOffset). */
  fixable: boolean;
  message: string;
}

export interface ReadAofOptions {
  dir: string;
  dirName: string;
  fileName: string;
  /** Replay from this log offset (a snapshot's offset, or 0): earlier records are skipped. */
  fromOffset: number;
  onRecord: (r: AofRecord) => void;
  onProgress?: (bytes: number, totalBytes: number) => void;
  /** Read size (default 1 MB); tests use small ones to exercise records split across reads. */
  chunkSize?: number;
}

export interface ReadAofResult {
  /** Records delivered to onRecord. */
  records: number;
  /** Log offset after the last good record, or fromOffset if that is further (the log ends before it). */
  endOffset: number;
  problem: AofProblem | null;
}

const DEFAULT_CHUNK = 1024 * 1024;
/** Yield to the event loop after this long of uninterrupted parsing/replay. */
const YIELD_AFTER_MS = 5;

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Streams every record at or after `fromOffset` to `onRecord`, verifying the whole way. Records
 * ending at or before fromOffset are skipped (their payload CRC is not checked: a snapshot
 * covers them); a record straddling fromOffset is a problem. Yields to the event loop between
 * reads and every few ms of parsing, so a loading server keeps answering (LOADING).
 */
export async function readAof(opts: ReadAofOptions): Promise<ReadAofResult> {
  const aofDir = aofDirPath(opts.dir, opts.dirName);
  const fromOffset = opts.fromOffset;
  const fixHint = `run 'hoard-check-aof --fix ${opts.dir}' to truncate the AOF at this point (a backup of the cut bytes is kept)`;
  let manifest: AofManifest | null;
  try {
    manifest = await readManifest(aofDir, opts.fileName);
  } catch (err) {
    return { records: 0, endOffset: fromOffset, problem: manifestProblem(opts, err) };
  }
  if (manifest === null) {
    let orphans: number[] = [];
    try {
      orphans = await listSegmentFiles(aofDir, opts.fileName);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { records: 0, endOffset: fromOffset, problem: manifestProblem(opts, err) };
    }
    if (orphans.length > 0) {
      const e = new AofError('HOARD_AOF_BAD_MANIFEST', `${path.join(aofDir, manifestName(opts.fileName))} is missing but ${orphans.length} segment file(s) exist`);
      return { records: 0, endOffset: fromOffset, problem: manifestProblem(opts, e) };
    }
    return { records: 0, endOffset: fromOffset, problem: null };
  }
  const segs = manifest.segments;
  if (segs.length === 0) return { records: 0, endOffset: fromOffset, problem: null };
  if (fromOffset < segs[0]!.startOffset) {
    return {
      records: 0,
      endOffset: fromOffset,
      problem: {
        kind: 'discontinuity',
        segment: segs[0]!.name,
        fileOffset: 0,
        logOffset: fromOffset,
        recordIndex: 0,
        goodRecords: 0,
        bytesAfter: 0,
        fixable: false,
        message: `the AOF in ${aofDir} starts at log offset ${segs[0]!.startOffset} (segment ${segs[0]!.name}) but replay must start at ${fromOffset}: the log between them is gone`,
      },
    };
  }
  let first = 0;
  while (first + 1 < segs.length && segs[first + 1]!.startOffset <= fromOffset) first++;

  // Sizes up front: progress totals, and the bytes a fix would drop.
  const sizes: number[] = [];
  let totalBytes = 0;
  for (let i = first; i < segs.length; i++) {
    let size = -1;
    try {
      const segPath = path.join(aofDir, segs[i]!.name);
      size = (await fsp.stat(segPath)).size;
      // The last segment's preallocated zeros are not data (aof-format.ts): read up to its data end.
      if (i === segs.length - 1 && size > 0) size = await fileDataEnd(segPath, size);
    } catch {
      // reported as missing-segment when reached
    }
    sizes.push(size);
    if (size > 0) totalBytes += size;
  }
  const bytesFrom = (i: number, fileOffset: number): number => {
    let n = Math.max(0, sizes[i - first]! - fileOffset);
    for (let j = i + 1; j < segs.length; j++) n += Math.max(0, sizes[j - first]!);
    return n;
  };

  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  let buf = Buffer.allocUnsafe(chunkSize);
  const h = newRecordHeader();
  const onRecord = opts.onRecord;
  const rec = new RecordCursor();
  let records = 0;
  let good = 0;
  let bytesDone = 0;
  let expected = segs[first]!.startOffset;
  let lastYield = performance.now();

  for (let i = first; i < segs.length; i++) {
    const seg = segs[i]!;
    const isLast = i === segs.length - 1;
    const problem = (
      kind: AofProblemKind,
      fileOffset: number,
      recordIndex: number,
      fixable: boolean,
      what: string,
    ): ReadAofResult => {
      const bytesAfter = bytesFrom(i, fileOffset);
      const where = `${path.join(aofDir, seg.name)} at byte ${fileOffset} (log offset ${expected}, record index ${recordIndex} of the segment, ${good} good records before it)`;
      const message =
        kind === 'torn-tail'
          ? `AOF ${where}: ${what}; the last ${bytesAfter} bytes are an incomplete record written during a crash and will be dropped`
          : `Bad AOF ${where}: ${what}. ${fixable ? `${fixHint}; it drops ${bytesAfter} bytes` : 'This cannot be repaired by truncation'}`;
      return {
        records,
        endOffset: Math.max(expected, fromOffset),
        problem: { kind, segment: seg.name, fileOffset, logOffset: expected, recordIndex, goodRecords: good, bytesAfter, fixable, message },
      };
    };
    if (i > first && seg.startOffset !== expected) {
      return problem('discontinuity', 0, 0, true, `the manifest starts this segment at log offset ${seg.startOffset} but the previous segment ends at ${expected}`);
    }
    const size = sizes[i - first]!;
    let fh: FileHandle;
    try {
      if (size < 0) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      fh = await fsp.open(path.join(aofDir, seg.name), 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return problem('missing-segment', 0, 0, true, `segment listed in the manifest ${code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code})`}`);
    }
    try {
      let bufFilePos = 0; // file offset of buf[0]
      let p = 0; // parse position in buf
      let end = 0; // valid bytes in buf
      let idx = 0;
      let eof = size === 0;
      for (;;) {
        const avail = end - p;
        const recFilePos = bufFilePos + p;
        let need = AOF_HEADER_SIZE;
        if (avail >= AOF_HEADER_SIZE) {
          const st = decodeHeader(buf, p, h);
          if (st !== HEADER_OK) {
            return problem('bad-header', recFilePos, idx, true, `record header is corrupted (${headerStatusText(st)})`);
          }
          need = AOF_HEADER_SIZE + h.payloadLength;
          if (avail >= need) {
            if (h.startOffset !== expected) {
              return problem('discontinuity', recFilePos, idx, true, `record starts at log offset ${h.startOffset}, expected ${expected}`);
            }
            const recEnd = expected + h.payloadLength;
            if (recEnd > fromOffset) {
              if (expected < fromOffset) {
                return problem('discontinuity', recFilePos, idx, false, `replay must start at log offset ${fromOffset}, which falls inside this record (${expected}..${recEnd})`);
              }
              if (crc32Range(buf, p + AOF_HEADER_SIZE, p + need) !== h.payloadCrc) {
                const tailNote = isLast && recFilePos + need === size ? ' (it is the last record of the log: if the server crashed while writing it, the fix drops only this record)' : '';
                return problem('bad-crc', recFilePos, idx, true, `payload CRC mismatch in a ${h.payloadLength}-byte record${tailNote}`);
              }
              rec.buf = buf;
              rec.start = p + AOF_HEADER_SIZE;
              rec.end = p + need;
              rec.startOffset = expected;
              rec.segment = seg.name;
              rec.fileOffset = recFilePos;
              rec.index = idx;
              onRecord(rec);
              records++;
            }
            expected = recEnd;
            p += need;
            idx++;
            good++;
            if ((good & 1023) === 0 && performance.now() - lastYield > YIELD_AFTER_MS) {
              await yieldToLoop();
              lastYield = performance.now();
            }
            continue;
          }
        }
        // Not enough bytes in the buffer for the header or the record.
        // With the header known, a record running past EOF is torn without reading the rest
        // (its declared length may be huge); with a partial header, read up to EOF first.
        if (eof || (avail >= AOF_HEADER_SIZE && recFilePos + need > size)) {
          if (avail === 0 && recFilePos === size) break; // clean end of segment
          const tailBytes = size - recFilePos;
          const headerTorn = avail < AOF_HEADER_SIZE;
          if (!isLast) {
            return problem(
              'discontinuity',
              recFilePos,
              idx,
              true,
              `the segment ends inside a record (${tailBytes} of ${headerTorn ? 'a header' : `${need} bytes`}) but later segments follow`,
            );
          }
          if (headerTorn && !isPlausibleHeaderPrefix(buf, p, end)) {
            return problem('bad-header', recFilePos, idx, true, `the segment ends with ${tailBytes} bytes that are not a record header`);
          }
          return problem(
            'torn-tail',
            recFilePos,
            idx,
            true,
            headerTorn ? `the segment ends inside a record header (${tailBytes} of ${AOF_HEADER_SIZE} bytes)` : `the record declares ${need - AOF_HEADER_SIZE} payload bytes but the segment ends ${tailBytes - AOF_HEADER_SIZE} bytes into it`,
          );
        }
        // Compact the unparsed bytes to the front and read more.
        if (need > buf.length) {
          const bigger = Buffer.allocUnsafe(need);
          buf.copy(bigger, 0, p, end);
          buf = bigger;
        } else if (p > 0) {
          buf.copy(buf, 0, p, end);
        }
        bufFilePos += p;
        end -= p;
        p = 0;
        // Never past `size`: in the last segment, what follows it is preallocated zeros.
        const { bytesRead } = await fh.read(buf, end, Math.min(buf.length - end, size - bufFilePos - end), bufFilePos + end);
        lastYield = performance.now();
        if (bytesRead === 0) {
          throw new AofError('HOARD_AOF_IO', `${path.join(aofDir, seg.name)} shrank while being read (${bufFilePos + end} of ${size} bytes)`);
        }
        end += bytesRead;
        bytesDone += bytesRead;
        if (bufFilePos + end >= size) eof = true;
        opts.onProgress?.(bytesDone, totalBytes);
      }
    } finally {
      await fh.close();
    }
  }
  return { records, endOffset: Math.max(expected, fromOffset), problem: null };
}

/**
 * Log offset at which the AOF starts (its first segment's start), or null if there is no AOF.
 * For a full check (`hoard-check-aof` without a snapshot): readAof({ fromOffset: this }).
 * Throws AofError('HOARD_AOF_BAD_MANIFEST') on a bad manifest.
 */
export async function aofStartOffset(opts: { dir: string; dirName: string; fileName: string }): Promise<number | null> {
  const m = await readManifest(aofDirPath(opts.dir, opts.dirName), opts.fileName);
  return m === null || m.segments.length === 0 ? null : m.segments[0]!.startOffset;
}

function manifestProblem(opts: ReadAofOptions, err: unknown): AofProblem {
  const line = (err as { line?: number }).line ?? 0;
  const msg = err instanceof Error ? err.message : String(err);
  return {
    kind: 'bad-manifest',
    segment: manifestName(opts.fileName),
    fileOffset: 0,
    logOffset: opts.fromOffset,
    recordIndex: line,
    goodRecords: 0,
    bytesAfter: 0,
    fixable: false,
    message: `${msg}. The server cannot tell which segments form the log; inspect ${aofDirPath(opts.dir, opts.dirName)} by hand`,
  };
}

/**
 * Where the data of a last segment ends: after its last non-zero byte, so that the zeros the
 * writer preallocated under appendfsync always are not read as records (aof-format.ts says why
 * that is exact). Reads backwards from `size` in 64 KB steps; the preallocated run is at most a
 * few MB. Shared by the reader, truncateAt and the writer when it reopens a segment.
 */
export async function dataEnd(fh: FileHandle, size: number): Promise<number> {
  const b = Buffer.allocUnsafe(Math.min(64 * 1024, size));
  let end = size;
  while (end > 0) {
    const n = Math.min(b.length, end);
    const { bytesRead } = await fh.read(b, 0, n, end - n);
    if (bytesRead !== n) throw new AofError('HOARD_AOF_IO', `short read at byte ${end - n} while looking for the end of the AOF data`);
    for (let k = n - 1; k >= 0; k--) if (b[k] !== 0) return end - n + k + 1;
    end -= n;
  }
  return 0;
}

async function fileDataEnd(file: string, size: number): Promise<number> {
  const fh = await fsp.open(file, 'r');
  try {
    return await dataEnd(fh, size);
  } finally {
    await fh.close();
  }
}

export interface TruncateOptions {
  dir: string;
  dirName: string;
  fileName: string;
  /** Clock for the backup file names (tests). */
  now?: () => number;
}

export interface TruncateResult {
  /** Bytes removed from the log: the cut tail plus any later segments dropped. */
  bytesDropped: number;
  /** Backup of the cut bytes (`<segment>.cut-<timestamp>`), '' if nothing was cut from that segment. */
  backupPath: string;
  /** Later segments dropped from the manifest, renamed to `<segment>.cut-<timestamp>`. */
  droppedSegments: string[];
}

/**
 * Repairs the AOF at `problem`: keeps a backup of the bytes from the bad record on, truncates the
 * segment there, and drops every later segment from the manifest (renamed to backups, never
 * deleted). A problem at byte 0 of a segment (or a missing segment) drops that segment too.
 * Crash-safe in any order of interruption: running it again finishes the job.
 */
export async function truncateAt(problem: AofProblem, opts: TruncateOptions): Promise<TruncateResult> {
  if (!problem.fixable) {
    throw new AofError('HOARD_AOF_NOT_FIXABLE', `this AOF problem cannot be repaired by truncation: ${problem.message}`);
  }
  const aofDir = aofDirPath(opts.dir, opts.dirName);
  const manifest = await readManifest(aofDir, opts.fileName);
  const idx = manifest === null ? -1 : manifest.segments.findIndex((s) => s.name === problem.segment);
  if (manifest === null || idx < 0) {
    throw new AofError('HOARD_AOF_NOT_FIXABLE', `segment ${problem.segment} is not in the AOF manifest of ${aofDir}`);
  }
  const stamp = String((opts.now ?? Date.now)());
  const segs = manifest.segments;
  const dropWhole = problem.kind === 'missing-segment' || problem.fileOffset === 0;
  let bytesDropped = 0;
  let backupPath = '';

  if (!dropWhole) {
    const segPath = path.join(aofDir, problem.segment);
    const fh = await fsp.open(segPath, 'r+');
    try {
      // The zeros preallocated past the data are cut too, but are neither backed up nor counted.
      const size = idx === segs.length - 1 ? await dataEnd(fh, (await fh.stat()).size) : (await fh.stat()).size;
      if (problem.fileOffset > size) {
        throw new AofError('HOARD_AOF_NOT_FIXABLE', `${segPath} has ${size} bytes, fewer than the problem's offset ${problem.fileOffset}: read the AOF again`);
      }
      if (problem.fileOffset < size) {
        backupPath = await copyToBackup(fh, problem.fileOffset, size, segPath, stamp);
        bytesDropped += size - problem.fileOffset;
      }
      // Manifest first (drop later segments), then cut: an interruption leaves something a re-run fixes.
      if (idx + 1 < segs.length) await writeManifest(aofDir, opts.fileName, { segments: segs.slice(0, idx + 1) });
      await fh.truncate(problem.fileOffset);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  } else {
    await writeManifest(aofDir, opts.fileName, { segments: segs.slice(0, idx) });
  }

  const droppedSegments: string[] = [];
  for (let j = dropWhole ? idx : idx + 1; j < segs.length; j++) {
    const name = segs[j]!.name;
    const from = path.join(aofDir, name);
    let size: number;
    try {
      size = (await fsp.stat(from)).size;
    } catch {
      continue; // missing: nothing to keep
    }
    const to = await freeName(`${from}.cut-${stamp}`);
    await fsp.rename(from, to);
    bytesDropped += size;
    droppedSegments.push(name);
    if (j === idx) backupPath = to;
  }
  await fsyncDir(aofDir);
  return { bytesDropped, backupPath, droppedSegments };
}

async function freeName(base: string): Promise<string> {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    try {
      await fsp.access(candidate);
    } catch {
      return candidate;
    }
  }
}

async function copyToBackup(src: FileHandle, from: number, size: number, segPath: string, stamp: string): Promise<string> {
  const backup = await freeName(`${segPath}.cut-${stamp}`);
  const out = await fsp.open(backup, 'wx');
  try {
    const b = Buffer.allocUnsafe(Math.min(DEFAULT_CHUNK, size - from));
    let pos = from;
    while (pos < size) {
      const { bytesRead } = await src.read(b, 0, Math.min(b.length, size - pos), pos);
      if (bytesRead === 0) break;
      await out.write(b, 0, bytesRead);
      pos += bytesRead;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  await fsyncDir(path.dirname(backup));
  return backup;
}
