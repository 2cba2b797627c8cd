// The AOF manifest: which segment files make up the log, in order, and the log offset at which
// each one starts. Invariant: the manifest on disk is always a complete, valid version, because
// it is only ever replaced by write-temp + fsync + rename + fsync-dir (a stray temp file left by a
// crash is ignored by readers and removed by the writer).
//
// Layout (text, one line per segment, in the spirit of Redis 7's appendonly.aof.manifest):
//
//   # hoard aof manifest v1
//   file appendonly.aof.1.aof seq 1 startoffset 0
//   file appendonly.aof.2.aof seq 2 startoffset 67108890
//
// Segments are listed in seq order (strictly increasing) with non-decreasing start offsets.
// Only the last segment may end in a torn record; every earlier one was fsynced before a
// manifest that lists a later segment was written.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { AofError } from './aof-format.js';

export const MANIFEST_HEADER = '# hoard aof manifest v1';

export interface AofSegmentInfo {
  /** File name inside the AOF directory, `<appendfilename>.<seq>.aof`. */
  name: string;
  seq: number;
  /** Log offset of the first byte of the segment's first record. */
  startOffset: number;
}

export interface AofManifest {
  segments: AofSegmentInfo[];
}

export function aofDirPath(dir: string, dirName: string): string {
  return path.join(dir, dirName);
}

export function manifestName(fileName: string): string {
  return `${fileName}.manifest`;
}

export function manifestTempName(fileName: string): string {
  return `${fileName}.manifest.tmp`;
}

export function segmentName(fileName: string, seq: number): string {
  return `${fileName}.${seq}.aof`;
}

/** The seq of a segment file name, or -1 if `name` is not a segment of this AOF. */
export function segmentSeq(fileName: string, name: string): number {
  const prefix = `${fileName}.`;
  if (!name.startsWith(prefix) || !name.endsWith('.aof')) return -1;
  const mid = name.slice(prefix.length, name.length - 4);
  if (mid.length === 0 || mid.length > 15) return -1;
  for (let i = 0; i < mid.length; i++) {
    const c = mid.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  if (mid.length > 1 && mid[0] === '0') return -1;
  return Number(mid);
}

function badManifest(file: string, line: number, why: string): AofError {
  const e = new AofError('HOARD_AOF_BAD_MANIFEST', `bad AOF manifest ${file}${line > 0 ? ` line ${line}` : ''}: ${why}`);
  (e as AofError & { line?: number }).line = line;
  return e;
}

function parseNonNegInt(s: string | undefined): number {
  if (s === undefined || s.length === 0 || s.length > 16) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  if (s.length > 1 && s[0] === '0') return -1;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Parses manifest text; throws AofError('HOARD_AOF_BAD_MANIFEST') naming the line at fault. */
export function parseManifest(text: string, fileName: string): AofManifest {
  const file = manifestName(fileName);
  const lines = text.split('\n');
  if (lines[0] !== MANIFEST_HEADER) throw badManifest(file, 1, `expected "${MANIFEST_HEADER}"`);
  if (lines[lines.length - 1] !== '') throw badManifest(file, lines.length, 'missing final newline (truncated?)');
  const segments: AofSegmentInfo[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (line.length === 0 || line[0] === '#') continue;
    const f = line.split(' ');
    if (f.length !== 6 || f[0] !== 'file' || f[2] !== 'seq' || f[4] !== 'startoffset') {
      throw badManifest(file, i + 1, `expected "file <name> seq <n> startoffset <n>", got "${line.slice(0, 200)}"`);
    }
    const name = f[1]!;
    const seq = parseNonNegInt(f[3]);
    const startOffset = parseNonNegInt(f[5]);
    if (seq < 1 || segmentSeq(fileName, name) !== seq) throw badManifest(file, i + 1, `segment name "${name}" does not match seq ${f[3]}`);
    if (startOffset < 0) throw badManifest(file, i + 1, `bad start offset "${f[5]}"`);
    const prev = segments[segments.length - 1];
    if (prev !== undefined && (seq <= prev.seq || startOffset < prev.startOffset)) {
      throw badManifest(file, i + 1, `segments out of order (seq ${seq} offset ${startOffset} after seq ${prev.seq} offset ${prev.startOffset})`);
    }
    segments.push({ name, seq, startOffset });
  }
  return { segments };
}

export function formatManifest(m: AofManifest): string {
  let s = MANIFEST_HEADER + '\n';
  for (const seg of m.segments) s += `file ${seg.name} seq ${seg.seq} startoffset ${seg.startOffset}\n`;
  return s;
}

/** Reads the manifest of the AOF in `aofDir`; null if there is none. Throws on a bad one. */
export async function readManifest(aofDir: string, fileName: string): Promise<AofManifest | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(aofDir, manifestName(fileName)), 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AofError('HOARD_AOF_IO', `cannot read AOF manifest in ${aofDir}`, { cause: err });
  }
  return parseManifest(text, fileName);
}

/** fsync a directory so that renames/creations/unlinks in it are durable. */
export async function fsyncDir(dirPath: string): Promise<void> {
  const fh = await fsp.open(dirPath, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Atomically replaces the manifest: write temp, fsync it, rename over, fsync the directory. */
export async function writeManifest(aofDir: string, fileName: string, m: AofManifest): Promise<void> {
  const tmp = path.join(aofDir, manifestTempName(fileName));
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(formatManifest(m), 'latin1');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path.join(aofDir, manifestName(fileName)));
  await fsyncDir(aofDir);
}

/** Removes a temp manifest left behind by a crash during writeManifest (writer start-up only). */
export async function removeStrayManifestTemp(aofDir: string, fileName: string): Promise<boolean> {
  try {
    await fsp.unlink(path.join(aofDir, manifestTempName(fileName)));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Seqs of the segment files present in the directory (listed in the manifest or not). */
export async function listSegmentFiles(aofDir: string, fileName: string): Promise<number[]> {
  const names = await fsp.readdir(aofDir);
  const seqs: number[] = [];
  for (const n of names) {
    const s = segmentSeq(fileName, n);
    if (s > 0) seqs.push(s);
  }
  return seqs.sort((a, b) => a - b);
}
