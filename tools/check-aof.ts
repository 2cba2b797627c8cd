#!/usr/bin/env node
// hoard-check-aof: verifies every segment and record of a data dir's AOF (manifest, header and
// payload CRCs, lengths, offset continuity, agreement with the current snapshot's offset) and,
// with --fix, truncates after the last good record, keeping a backup of what it cuts — Hoard's
// redis-check-aof. The checking and the repair are persistence/aof-reader.ts's readAof and
// truncateAt, the very code the server loads with: this file only walks, reports and asks.
// Invariant: nothing is changed without --fix and a confirmation (a TTY answer or --yes), and
// never while a server holds the data dir.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { readAof, truncateAt, aofStartOffset, dataEnd, type AofProblem } from '../src/persistence/aof-reader.js';
import { aofDirPath, listSegmentFiles, readManifest, manifestName, segmentName } from '../src/persistence/aof-manifest.js';
import { confirm, EXIT_ERROR, EXIT_OK, EXIT_PROBLEM, formatBytes, printJson, runTool, strFlag, ToolError, usageError, type ToolSpec } from './lib/cli.js';
import { openDataDir, type OpenDataDir } from './lib/data-dir.js';
import { Progress } from './lib/progress.js';

const HELP = `Usage: hoard-check-aof [options] <data-dir>

Verifies the append-only file of a Hoard data directory: the manifest
(<data-dir>/appendonlydir/appendonly.aof.manifest), that every segment it lists
exists, and for every record its header CRC, payload CRC, length and log offset
(each record must start where the previous one ended, each segment where the
previous segment ended), and that the current snapshot's offset falls on a
record boundary inside the log. Reports the first problem with its file, byte
offset, record number and the count of good records before it.

Options:
  --fix               Truncate the AOF right after the last good record (later
                      segments are dropped from the manifest). The cut bytes are
                      kept in <segment>.cut-<timestamp> next to the segment.
                      Asks for confirmation on a terminal.
  -y, --yes           Do not ask (required with --fix when stdin is not a terminal).
  --json              Print the report as JSON on stdout.
  --config <file>     A hoard.conf to read appenddirname / appendfilename from.
  --unsafe-live-copy  If a running server holds the data dir, check a copy of its
                      files instead of refusing (not with --fix).
  -h, --help          Show this help.

Exit status: 0 the AOF is valid (or was repaired by --fix), 1 a problem was
found (and not repaired), 2 bad usage or an I/O error (e.g. the data dir is
locked by a running server).
`;

const spec: ToolSpec = {
  name: 'hoard-check-aof',
  help: HELP,
  options: {
    fix: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    'unsafe-live-copy': { type: 'boolean' },
  },
  minPositionals: 1,
  maxPositionals: 1,
};

interface SegmentReport {
  name: string;
  seq: number;
  startOffset: number;
  /** Data bytes (the last segment's preallocated zeros not counted); -1 if missing. */
  bytes: number;
  /** Zeros preallocated after the data of the last segment (a server with appendfsync always). */
  preallocated?: number;
  records: number;
}

interface CheckReport {
  ok: boolean;
  problem: (AofProblem & { recordNumber: number; file: string; beforeSnapshot: boolean }) | null;
  records: number;
  startOffset: number | null;
  endOffset: number;
  /** A manifest exists. */
  manifest: boolean;
  segments: SegmentReport[];
  orphanSegments: string[];
}

/** One full pass over the AOF from its first record. */
async function check(d: OpenDataDir, progress: Progress): Promise<CheckReport> {
  const aofDir = aofDirPath(d.dir, d.aofDirName);
  const segments: SegmentReport[] = [];
  let startOffset: number | null = null;
  let manifestOk = true;
  let manifest = false;
  try {
    startOffset = await aofStartOffset({ dir: d.dir, dirName: d.aofDirName, fileName: d.aofFileName });
    const m = await readManifest(aofDir, d.aofFileName);
    manifest = m !== null;
    for (const s of m?.segments ?? []) segments.push({ name: s.name, seq: s.seq, startOffset: s.startOffset, bytes: -1, records: 0 });
  } catch {
    manifestOk = false; // readAof reports it as a 'bad-manifest' problem
  }
  const snapOffset = d.store?.current?.offset ?? null;
  const bySeg = new Map(segments.map((s) => [s.name, s]));
  let straddle: AofProblem | null = null;
  progress.phase('checking AOF', 0, 'bytes');
  const r = await readAof({
    dir: d.dir,
    dirName: d.aofDirName,
    fileName: d.aofFileName,
    fromOffset: startOffset ?? 0,
    onRecord: (rec) => {
      const s = bySeg.get(rec.segment);
      if (s !== undefined) s.records++;
      const end = rec.startOffset + (rec.end - rec.start);
      if (straddle === null && snapOffset !== null && rec.startOffset < snapOffset && snapOffset < end) {
        straddle = {
          kind: 'discontinuity',
          segment: rec.segment,
          fileOffset: rec.fileOffset,
          logOffset: rec.startOffset,
          recordIndex: rec.index,
          goodRecords: 0,
          bytesAfter: 0,
          fixable: false,
          message: `the current snapshot's offset ${snapOffset} falls inside this record (${rec.startOffset}..${end}): the server cannot replay from it`,
        };
      }
    },
    onProgress: (bytes, total) => {
      progress.phase('checking AOF', total, 'bytes');
      progress.update(bytes);
    },
  });
  progress.end();
  for (const [i, s] of segments.entries()) {
    try {
      const file = path.join(aofDir, s.name);
      const size = (await fsp.stat(file)).size;
      s.bytes = size;
      if (i === segments.length - 1 && size > 0) {
        const fh = await fsp.open(file, 'r');
        try {
          s.bytes = await dataEnd(fh, size);
        } finally {
          await fh.close();
        }
        s.preallocated = size - s.bytes;
      }
    } catch {
      s.bytes = -1;
    }
  }
  let problem: AofProblem | null = r.problem ?? straddle;
  const replayFrom = snapOffset ?? 0;
  if (problem === null && manifestOk && startOffset !== null && startOffset > replayFrom) {
    problem = {
      kind: 'discontinuity',
      segment: segments[0]?.name ?? manifestName(d.aofFileName),
      fileOffset: 0,
      logOffset: replayFrom,
      recordIndex: 0,
      goodRecords: 0,
      bytesAfter: 0,
      fixable: false,
      message: `${snapOffset === null ? 'there is no snapshot, so replay starts at log offset 0,' : `the current snapshot is at log offset ${snapOffset}`} but the AOF starts at ${startOffset}: the log between them is gone and the server refuses to start`,
    };
  }
  let orphans: string[] = [];
  if (manifestOk) {
    try {
      const listed = new Set(segments.map((s) => s.seq));
      orphans = (await listSegmentFiles(aofDir, d.aofFileName)).filter((seq) => !listed.has(seq)).map((seq) => segmentName(d.aofFileName, seq));
    } catch {
      orphans = [];
    }
  }
  return {
    ok: problem === null,
    problem:
      problem === null
        ? null
        : {
            ...problem,
            // 1-based number of the bad record across the whole log.
            recordNumber: problem === r.problem ? problem.goodRecords + 1 : problem.recordIndex + 1,
            file: path.join(aofDir, problem.segment),
            beforeSnapshot: snapOffset !== null && problem.logOffset < snapOffset && problem.kind !== 'bad-manifest',
          },
    records: r.records,
    startOffset,
    endOffset: r.endOffset,
    manifest: manifest || !manifestOk,
    segments,
    orphanSegments: orphans,
  };
}

function printReport(d: OpenDataDir, rep: CheckReport): void {
  const aofDir = aofDirPath(d.origDir, d.aofDirName);
  const lines: string[] = [];
  lines.push(`AOF: ${aofDir} (${rep.segments.length} segment${rep.segments.length === 1 ? '' : 's'} in ${manifestName(d.aofFileName)})`);
  for (const s of rep.segments) {
    lines.push(`  ${s.name}  seq ${s.seq}  start offset ${s.startOffset}  ${s.bytes < 0 ? 'MISSING' : `${s.bytes} bytes${s.preallocated ? ` (+${s.preallocated} preallocated zero bytes)` : ''}`}  ${s.records} good records`);
  }
  const snap = d.store?.current ?? null;
  lines.push(snap === null ? 'Snapshot: none' : `Snapshot: id ${snap.id} at log offset ${snap.offset} (${snap.keys} keys)`);
  if (rep.startOffset !== null) lines.push(`Log: offsets ${rep.startOffset}..${rep.endOffset}, ${rep.records} good records`);
  for (const o of rep.orphanSegments) lines.push(`warning: ${o} is not listed in the manifest (ignored by the server)`);
  const p = rep.problem;
  if (p === null) {
    lines.push(rep.startOffset === null ? (rep.segments.length === 0 && rep.manifest ? 'The AOF is empty (the manifest lists no segments).' : 'No AOF to check (no manifest, no segments).') : 'AOF is valid');
  } else {
    lines.push(
      `First problem (${p.kind}): ${p.file} at byte ${p.fileOffset} (log offset ${p.logOffset}), record #${p.recordNumber} of the log ` +
        `(index ${p.recordIndex} in ${p.segment}); ${p.goodRecords} good records before it.`,
    );
    lines.push(`  ${p.message}`);
    if (p.kind === 'torn-tail') lines.push('  This is what a crash during an append leaves; the server drops it at start when aof-load-truncated is yes.');
    if (p.beforeSnapshot) lines.push(`  It lies before the current snapshot's offset ${snap?.offset}: the snapshot covers it, and truncating here would drop records the server needs, so --fix does not cut it.`);
    else if (p.fixable) lines.push(`  --fix truncates here: it drops ${p.bytesAfter} bytes (a backup of the cut bytes is kept).`);
    else lines.push('  This cannot be repaired by truncation.');
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function reportJson(d: OpenDataDir, rep: CheckReport, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dir: d.origDir,
    aofDir: aofDirPath(d.origDir, d.aofDirName),
    liveCopy: d.liveCopyNote,
    snapshot: d.store?.current ? { id: d.store.current.id, offset: d.store.current.offset, keys: d.store.current.keys } : null,
    ...rep,
    ...extra,
  };
}

runTool(spec, async ({ values, positionals }) => {
  const fix = values.fix === true;
  const json = values.json === true;
  if (fix && values['unsafe-live-copy']) throw usageError('--fix cannot work on a live copy: stop the server first');
  const d = await openDataDir({
    dir: positionals[0]!,
    configFile: strFlag(values.config),
    unsafeLiveCopy: values['unsafe-live-copy'] === true,
    tool: spec.name,
  });
  try {
    if (d.liveCopyNote) process.stderr.write(`note: ${d.liveCopyNote}\n`);
    const progress = new Progress();
    const rep = await check(d, progress);
    if (!fix || rep.problem === null) {
      if (json) printJson(reportJson(d, rep));
      else {
        printReport(d, rep);
        if (fix) process.stdout.write('Nothing to fix.\n');
      }
      return rep.ok ? EXIT_OK : EXIT_PROBLEM;
    }
    const p = rep.problem;
    if (!p.fixable || p.beforeSnapshot) {
      if (json) printJson(reportJson(d, rep, { fixed: false }));
      else {
        printReport(d, rep);
        process.stdout.write('Not fixed: this problem cannot be repaired by truncating the AOF.\n');
      }
      return EXIT_PROBLEM;
    }
    if (!json) printReport(d, rep);
    if (values.yes !== true) {
      if (!process.stdin.isTTY) {
        throw new ToolError('refusing to --fix without --yes: stdin is not a terminal to confirm on', EXIT_ERROR, 'HOARD_TOOL_NEEDS_YES');
      }
      const ok = await confirm(`This will truncate ${p.segment} at byte ${p.fileOffset} and drop ${p.bytesAfter} bytes (kept in a backup). Continue?`);
      if (!ok) {
        process.stderr.write('Aborted: nothing was changed.\n');
        return EXIT_PROBLEM;
      }
    }
    const fixed = await truncateAt(p, { dir: d.dir, dirName: d.aofDirName, fileName: d.aofFileName });
    const after = await check(d, progress);
    if (json) {
      printJson(reportJson(d, rep, { fixed: true, fix: fixed, after: { ok: after.ok, problem: after.problem, records: after.records, endOffset: after.endOffset } }));
    } else {
      process.stdout.write(
        `Successfully truncated AOF: dropped ${fixed.bytesDropped} bytes (${formatBytes(fixed.bytesDropped)}), keeping the ${p.goodRecords} good records before the problem` +
          `${fixed.backupPath ? `; backup: ${fixed.backupPath}` : ''}` +
          `${fixed.droppedSegments.length > 0 ? `; segments dropped from the manifest: ${fixed.droppedSegments.join(', ')}` : ''}\n`,
      );
      process.stdout.write(
        !after.ok
          ? `Still not valid: ${after.problem?.message}\n`
          : after.startOffset === null
            ? 'The AOF is now empty: the server starts from the snapshot alone.\n'
            : `AOF is valid (${after.records} records, log offsets ${after.startOffset}..${after.endOffset})\n`,
      );
    }
    return after.ok ? EXIT_OK : EXIT_PROBLEM;
  } finally {
    await d.close();
  }
});
