// Opening a data directory for an offline tool, and loading "the dataset as the server would
// load it" without a server listening.
//
// Opening takes the data dir lock exactly as the server does (SnapshotStore.open: LevelDB's
// LOCK), so a tool never reads files a running server is writing and a server cannot start
// while a tool (hoard-check-aof --fix, hoard-restore) changes them. A locked dir is refused
// (exit 2) unless the operator asked for --unsafe-live-copy: then the AOF and the LevelDB files
// are copied to a temp dir and the tool works on the copy (see liveCopy for why that is safe).
//
// Loading reuses the server's own code end to end: a real Server object (its keyspace, command
// table and replayRecord, never listening), persistence/recovery.ts loadSnapshot, and
// persistence/aof-reader.ts readAof from the snapshot's offset. Unlike the server's start-up
// it never writes to the data dir: a torn AOF tail is reported, not truncated (the server cuts
// it at start when aof-load-truncated is yes, so the loaded dataset is the same).

import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config, ConfigError } from '../../src/config.js';
import { Server } from '../../src/server/server.js';
import type { Keyspace } from '../../src/keyspace/index.js';
import { silentLogger } from '../../src/log.js';
import { SnapshotStore, SnapshotStoreError, SNAPSHOT_DIR, type SnapshotMeta } from '../../src/persistence/snapshot-store.js';
import { loadSnapshot, RecoveryError } from '../../src/persistence/recovery.js';
import { recordCount } from '../../src/persistence/value-codec.js';
import { readFunctionsPayload } from '../../src/persistence/rdb-value.js';
import { readAof, type AofProblem } from '../../src/persistence/aof-reader.js';
import { aofDirPath, manifestName, parseManifest, readManifest } from '../../src/persistence/aof-manifest.js';
import { AOF_HEADER_SIZE } from '../../src/persistence/aof-format.js';
import { EXIT_ERROR, EXIT_PROBLEM, ToolError } from './cli.js';
import type { Progress } from './progress.js';

export interface OpenOptions {
  dir: string;
  /** A hoard.conf to take appenddirname/appendfilename/databases/encodings from. */
  configFile?: string;
  /** Work on a temp copy when a running server holds the lock. */
  unsafeLiveCopy?: boolean;
  /** Tool name, for the messages. */
  tool: string;
}

export interface OpenDataDir {
  /** The directory given on the command line. */
  readonly origDir: string;
  /** The directory actually read: origDir, or the temp copy. */
  readonly dir: string;
  readonly config: Config;
  /** The open (locked) snapshot store; null when the dir has no snapshot/ (an AOF-only dir). */
  readonly store: SnapshotStore | null;
  /** Set when working on a live copy: what to tell the operator about it. */
  readonly liveCopyNote: string | null;
  readonly aofDirName: string;
  readonly aofFileName: string;
  close(): Promise<void>;
}

/** Config for a tool: defaults, optionally a hoard.conf, and the data dir. */
export function toolConfig(dir: string, configFile?: string): Config {
  const args: string[] = [];
  if (configFile !== undefined) args.push(configFile);
  args.push('--dir', dir, '--save', '');
  try {
    return Config.fromArgs(args);
  } catch (err) {
    if (err instanceof ConfigError) throw new ToolError(`bad configuration: ${err.message}`, EXIT_ERROR, err.code, { cause: err });
    throw err;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw new ToolError(`cannot read ${p}: ${(err as Error).message}`, EXIT_ERROR, 'HOARD_TOOL_IO', { cause: err });
  }
}

export function lockedMessage(dir: string, tool: string, canCopy: boolean): string {
  return (
    `the data directory ${dir} is locked by a running Hoard server (LevelDB lock ${path.join(dir, SNAPSHOT_DIR, 'LOCK')}). ` +
    (canCopy
      ? `Stop the server, or run ${tool} with --unsafe-live-copy to work on a copy of its files.`
      : 'Stop the server first.')
  );
}

/** Opens and locks a data dir (or a live copy of it). Throws ToolError (exit 2) if it cannot. */
export async function openDataDir(opts: OpenOptions): Promise<OpenDataDir> {
  const origDir = path.resolve(opts.dir);
  if (!(await isDir(origDir))) throw new ToolError(`${origDir}: no such data directory`, EXIT_ERROR, 'HOARD_TOOL_NO_DIR');
  const config = toolConfig(origDir, opts.configFile);
  const aofDirName = config.str('appenddirname');
  const aofFileName = config.str('appendfilename');
  const hasSnapshot = await isDir(path.join(origDir, SNAPSHOT_DIR));
  const hasAof = await isDir(aofDirPath(origDir, aofDirName));
  if (!hasSnapshot && !hasAof) {
    throw new ToolError(`${origDir} is not a Hoard data directory (it has neither ${SNAPSHOT_DIR}/ nor ${aofDirName}/)`, EXIT_ERROR, 'HOARD_TOOL_NO_DATA');
  }
  let store: SnapshotStore | null = null;
  if (hasSnapshot) {
    try {
      store = await SnapshotStore.open(origDir);
    } catch (err) {
      if (!(err instanceof SnapshotStoreError) || err.code !== 'SNAPSHOT_LOCKED') throw storeError(err);
      if (!opts.unsafeLiveCopy) throw new ToolError(lockedMessage(origDir, opts.tool, true), EXIT_ERROR, 'SNAPSHOT_LOCKED', { cause: err });
      return openLiveCopy(origDir, config, aofDirName, aofFileName);
    }
  }
  return {
    origDir,
    dir: origDir,
    config,
    store,
    liveCopyNote: null,
    aofDirName,
    aofFileName,
    close: async () => {
      await store?.close().catch(() => {});
    },
  };
}

function storeError(err: unknown): ToolError {
  const code = (err as { code?: string }).code ?? 'SNAPSHOT_OPEN_FAILED';
  return new ToolError((err as Error).message, code === 'SNAPSHOT_CORRUPT' ? EXIT_PROBLEM : EXIT_ERROR, code, { cause: err });
}

export const LIVE_COPY_NOTE =
  'working on a copy of a live data directory: it may be a few ms stale, and the last AOF record ' +
  'may have been copied while the server was appending it. That is safe: the reader treats a torn ' +
  'final record as torn (dropped, as after a crash), so the copy holds a consistent prefix of the log; ' +
  'the AOF is copied before the snapshot store, so no part of the log between the copied snapshot and the end of the copied AOF is missing.';

const COPY_ATTEMPTS = 5;

async function openLiveCopy(origDir: string, config: Config, aofDirName: string, aofFileName: string): Promise<OpenDataDir> {
  let lastErr: unknown = null;
  for (let attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'hoard-live-copy-'));
    const cleanup = () => fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
    try {
      await liveCopy(origDir, tmp, aofDirName, aofFileName);
      const store = (await isDir(path.join(tmp, SNAPSHOT_DIR))) ? await SnapshotStore.open(tmp) : null;
      return {
        origDir,
        dir: tmp,
        config,
        store,
        liveCopyNote: LIVE_COPY_NOTE,
        aofDirName,
        aofFileName,
        close: async () => {
          await store?.close().catch(() => {});
          await cleanup();
        },
      };
    } catch (err) {
      lastErr = err;
      await cleanup();
      // A file vanished (compaction, a segment deleted after a snapshot) or LevelDB found the
      // copy inconsistent: copy again.
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
  throw new ToolError(`could not take a consistent copy of the live data directory ${origDir}: ${(lastErr as Error).message}`, EXIT_ERROR, 'HOARD_TOOL_LIVE_COPY', {
    cause: lastErr,
  });
}

/**
 * Copies a live data dir into `to`. Order matters and is what makes the copy usable:
 *  1. the AOF manifest, then the segments it lists. Segments before the last never change; the
 *     last may be mid-append, so its copy can end in a torn record, which the reader treats as
 *     torn exactly as after a crash. A segment deleted meanwhile (a snapshot committed) fails the
 *     copy with ENOENT and it is retried.
 *  2. then the LevelDB files (CURRENT and MANIFEST first, then tables and logs; not LOCK). The
 *     snapshot current in this copy is the one current at step 2, so its offset is at or before
 *     the copied log's end (or the log from it was not written yet), never in a gap.
 */
export async function liveCopy(from: string, to: string, aofDirName: string, aofFileName: string): Promise<void> {
  const aofFrom = aofDirPath(from, aofDirName);
  if (await isDir(aofFrom)) {
    const aofTo = aofDirPath(to, aofDirName);
    await fsp.mkdir(aofTo, { recursive: true });
    let text: string | null = null;
    try {
      text = await fsp.readFile(path.join(aofFrom, manifestName(aofFileName)), 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      const m = parseManifest(text, aofFileName);
      for (const seg of m.segments) await fsp.copyFile(path.join(aofFrom, seg.name), path.join(aofTo, seg.name));
      await fsp.writeFile(path.join(aofTo, manifestName(aofFileName)), text, 'latin1');
    }
  }
  const snapFrom = path.join(from, SNAPSHOT_DIR);
  if (await isDir(snapFrom)) {
    const snapTo = path.join(to, SNAPSHOT_DIR);
    await fsp.mkdir(snapTo, { recursive: true });
    const names = (await fsp.readdir(snapFrom)).filter((n) => n !== 'LOCK');
    const rank = (n: string) => (n === 'CURRENT' ? 0 : n.startsWith('MANIFEST-') ? 1 : n.endsWith('.log') && n !== 'LOG' ? 3 : 2);
    names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) {
      try {
        await fsp.copyFile(path.join(snapFrom, n), path.join(snapTo, n));
      } catch (err) {
        // LevelDB's own info logs come and go; everything else matters.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (n === 'LOG' || n === 'LOG.old')) continue;
        throw err;
      }
    }
  }
}

export interface AofSegmentSummary {
  name: string;
  seq: number;
  startOffset: number;
  bytes: number;
}

export interface LoadedDataset {
  server: Server;
  ks: Keyspace;
  snapshot: SnapshotMeta | null;
  /** Keys loaded from the snapshot, and those skipped there because already expired. */
  snapshotKeys: number;
  snapshotExpiredSkipped: number;
  aof: {
    /** A manifest exists (the dir was written with appendonly yes). */
    present: boolean;
    used: boolean;
    segments: AofSegmentSummary[];
    totalBytes: number;
    /** Records replayed after the snapshot's offset, and their bytes (headers included). */
    records: number;
    bytesSinceSnapshot: number;
    endOffset: number;
    /** A torn tail (the server drops it) or worse (the server refuses to start). */
    problem: AofProblem | null;
    /** True when the server would refuse to load this AOF. */
    fatal: boolean;
  };
  /** Unix ms when loading finished: TTLs are judged at this instant. */
  now: number;
}

export interface LoadOptions {
  /** Replay the AOF (default true; false is what a server with appendonly no loads). */
  useAof?: boolean;
  progress?: Progress;
}

/** Loads snapshot + AOF into a fresh, never-listening Server. */
export async function loadDataset(d: OpenDataDir, opts: LoadOptions = {}): Promise<LoadedDataset> {
  const server = new Server(d.config, { logger: silentLogger });
  const ks = server.ks;
  const progress = opts.progress;
  ks.loading = true;
  let snapshot: SnapshotMeta | null = null;
  let snapshotKeys = 0;
  let snapshotExpiredSkipped = 0;
  try {
    const store = d.store;
    if (store !== null && store.current !== null) {
      snapshot = store.current;
      const meta = snapshot;
      progress?.phase('loading snapshot', meta.records, 'items');
      // Count the records as they stream past (loadSnapshot reports progress only to a logger).
      const records = store.records.bind(store);
      let seen = 0;
      const counting = Object.create(store) as SnapshotStore;
      counting.records = async function* (m: SnapshotMeta, batch?: number) {
        for await (const b of records(m, batch)) {
          for (const [, v] of b) seen += recordCount(v);
          progress?.update(seen);
          yield b;
        }
      };
      try {
        const r = await loadSnapshot(counting, meta, ks, d.config, silentLogger);
        snapshotKeys = r.keys;
        snapshotExpiredSkipped = r.expiredSkipped;
        // The function libraries, as the server installs them, so that FUNCTION DELETE and the
        // like in the AOF replay as they did.
        const payload = await store.functions(meta);
        if (payload !== null) {
          const codes = readFunctionsPayload(payload);
          const err = typeof codes === 'string' ? codes : server.replaceFunctions(codes);
          if (err !== null) throw new RecoveryError(`snapshot ${meta.id}: its function libraries do not load: ${err}`, 'SNAPSHOT_CORRUPT');
        }
      } catch (err) {
        if (err instanceof RecoveryError) throw new ToolError(`cannot load the snapshot: ${err.message}`, EXIT_PROBLEM, err.code, { cause: err });
        throw err;
      }
    }
    const fromOffset = snapshot?.offset ?? 0;
    const aofDir = aofDirPath(d.dir, d.aofDirName);
    let segments: AofSegmentSummary[] = [];
    let present = false;
    let manifestError: unknown = null;
    try {
      const m = await readManifest(aofDir, d.aofFileName);
      if (m !== null) {
        present = true;
        for (const s of m.segments) {
          let bytes = 0;
          try {
            bytes = (await fsp.stat(path.join(aofDir, s.name))).size;
          } catch {
            bytes = -1;
          }
          segments.push({ name: s.name, seq: s.seq, startOffset: s.startOffset, bytes });
        }
      }
    } catch (err) {
      present = true;
      manifestError = err;
      segments = [];
    }
    const totalBytes = segments.reduce((n, s) => n + Math.max(0, s.bytes), 0);
    const aof: LoadedDataset['aof'] = {
      present,
      used: false,
      segments,
      totalBytes,
      records: 0,
      bytesSinceSnapshot: 0,
      endOffset: fromOffset,
      problem: null,
      fatal: false,
    };
    if (opts.useAof !== false && (present || manifestError !== null)) {
      aof.used = true;
      progress?.phase('replaying AOF', totalBytes, 'bytes');
      let current = { segment: '', fileOffset: 0 };
      let result;
      try {
        result = await readAof({
          dir: d.dir,
          dirName: d.aofDirName,
          fileName: d.aofFileName,
          fromOffset,
          onRecord: (r) => {
            current = { segment: r.segment, fileOffset: r.fileOffset };
            server.replayRecord(r.buf, r.start, r.end);
            aof.bytesSinceSnapshot += AOF_HEADER_SIZE + (r.end - r.start);
          },
          onProgress: (bytes) => progress?.update(bytes),
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'AOF_REPLAY_FAILED') {
          throw new ToolError(
            `the AOF record at ${current.segment} byte ${current.fileOffset} cannot be replayed: ${(err as Error).message}`,
            EXIT_PROBLEM,
            'AOF_REPLAY_FAILED',
            { cause: err },
          );
        }
        throw err;
      }
      aof.records = result.records;
      aof.endOffset = result.endOffset;
      aof.problem = result.problem;
      if (result.problem !== null) {
        const p = result.problem;
        aof.fatal = !(p.kind === 'torn-tail' && p.fixable && d.config.bool('aof-load-truncated'));
        if (p.kind === 'torn-tail') aof.endOffset = p.logOffset;
      }
    }
    return { server, ks, snapshot, snapshotKeys, snapshotExpiredSkipped, aof, now: Date.now() };
  } finally {
    ks.loading = false;
    progress?.end();
  }
}

/** One line describing a non-fatal torn tail or a fatal AOF problem, for stderr. */
export function describeAofProblem(p: AofProblem, fatal: boolean): string {
  if (!fatal) {
    return `warning: the AOF ends with an incomplete record (${p.segment} at byte ${p.fileOffset}, ${p.bytesAfter} bytes): ` +
      'it was being written when the server stopped; the server drops it at start (aof-load-truncated yes), and so does this tool';
  }
  return `the AOF is damaged, so the server would refuse to load this data dir: ${p.message}`;
}
