import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AOF_HEADER_SIZE, encodeRecordToBuffer, encodedSize } from '../../../src/persistence/aof-format.js';
import { readManifest, writeManifest } from '../../../src/persistence/aof-manifest.js';
import { type AofProblem, readAof, truncateAt } from '../../../src/persistence/aof-reader.js';
import { AofWriter } from '../../../src/persistence/aof-writer.js';

const DIRNAME = 'appendonlydir';
const FILE = 'appendonly.aof';
let dir: string;
let aofDir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hoard-aof-reader-'));
  aofDir = path.join(dir, DIRNAME);
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

function resp(...args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

function payloadFor(i: number): Buffer {
  if (i % 1000 === 999) return resp('SET', `big:${i}`, 'x'.repeat(5000)); // bigger than small read chunks
  return resp('SET', `key:${i}`, 'v'.repeat(i % 61));
}

interface Log {
  payloads: Buffer[];
  offsets: number[];
  end: number;
}

/** Writes n records through the real writer, flushing every few records (one "turn"). */
async function writeLog(n: number, segmentMaxBytes = 16 * 1024, startOffset = 0): Promise<Log> {
  const w = await AofWriter.open({ dir, dirName: DIRNAME, fileName: FILE, fsync: 'no', segmentMaxBytes, startOffset });
  const log: Log = { payloads: [], offsets: [], end: startOffset };
  for (let i = 0; i < n; i++) {
    const p = payloadFor(i);
    log.offsets.push(w.offset);
    log.payloads.push(p);
    w.append(p, w.offset);
    if (i % 37 === 36) await new Promise<void>((resolve, reject) => w.flush((e) => (e ? reject(e) : resolve())));
  }
  log.end = w.offset;
  await w.close();
  return log;
}

interface Got {
  payloads: Buffer[];
  offsets: number[];
  segments: string[];
  fileOffsets: number[];
  indexes: number[];
}

async function readAll(fromOffset = 0, chunkSize?: number) {
  const got: Got = { payloads: [], offsets: [], segments: [], fileOffsets: [], indexes: [] };
  const progress: Array<[number, number]> = [];
  const res = await readAof({
    dir,
    dirName: DIRNAME,
    fileName: FILE,
    fromOffset,
    chunkSize,
    onRecord: (r) => {
      got.payloads.push(Buffer.from(r.payload));
      got.offsets.push(r.startOffset);
      got.segments.push(r.segment);
      got.fileOffsets.push(r.fileOffset);
      got.indexes.push(r.index);
    },
    onProgress: (b, t) => progress.push([b, t]),
  });
  return { ...res, got, progress };
}

async function segmentsOf(): Promise<Array<{ name: string; startOffset: number; size: number }>> {
  const m = await readManifest(aofDir, FILE);
  const out = [];
  for (const s of m!.segments) out.push({ name: s.name, startOffset: s.startOffset, size: (await fsp.stat(path.join(aofDir, s.name))).size });
  return out;
}

/** Where record i lives: [segment, fileOffset, indexInSegment], computed from the sizes alone. */
function locate(log: Log, segs: Array<{ name: string; startOffset: number }>, i: number): [string, number, number] {
  const off = log.offsets[i]!;
  let s = segs.length - 1;
  while (segs[s]!.startOffset > off) s--;
  // several empty segments may share a start offset: the record is in the last of them
  let fileOffset = 0;
  let idx = 0;
  for (let j = 0; j < i; j++) {
    if (log.offsets[j]! >= segs[s]!.startOffset) {
      fileOffset += encodedSize(log.payloads[j]!.length);
      idx++;
    }
  }
  return [segs[s]!.name, fileOffset, idx];
}

function expectProblem(p: AofProblem | null, want: Partial<AofProblem>): AofProblem {
  expect(p).not.toBeNull();
  expect(p).toMatchObject(want);
  return p!;
}

describe('readAof', () => {
  it('reads back thousands of records across several segments, in order and continuous', async () => {
    const log = await writeLog(5000);
    const segs = await segmentsOf();
    expect(segs.length).toBeGreaterThanOrEqual(4);
    for (const chunk of [undefined, 100, 4096]) {
      const { records, endOffset, problem, got, progress } = await readAll(0, chunk);
      expect(problem).toBeNull();
      expect(records).toBe(5000);
      expect(endOffset).toBe(log.end);
      expect(got.offsets).toEqual(log.offsets);
      for (let i = 0; i < 5000; i++) expect(got.payloads[i]!.equals(log.payloads[i]!)).toBe(true);
      // positions agree with a computation from the record sizes and the manifest
      for (const i of [0, 1, 998, 999, 1000, 2500, 4999]) {
        const [seg, fo, idx] = locate(log, segs, i);
        expect([got.segments[i], got.fileOffsets[i], got.indexes[i]]).toEqual([seg, fo, idx]);
      }
      const total = segs.reduce((a, s) => a + s.size, 0);
      expect(progress[progress.length - 1]).toEqual([total, total]);
    }
  });

  it('replays from a record boundary, refuses a start inside a record, and accepts a start past the end', async () => {
    const log = await writeLog(3000);
    const from = log.offsets[1234]!;
    const a = await readAll(from);
    expect(a.problem).toBeNull();
    expect(a.records).toBe(3000 - 1234);
    expect(a.got.offsets[0]).toBe(from);
    expect(a.endOffset).toBe(log.end);

    const b = await readAll(from + 3);
    expectProblem(b.problem, { kind: 'discontinuity', fixable: false, logOffset: from });
    expect(b.records).toBe(0);

    const c = await readAll(log.end);
    expect(c.problem).toBeNull();
    expect([c.records, c.endOffset]).toEqual([0, log.end]);
    const d = await readAll(log.end + 500); // a snapshot newer than the AOF's end (everysec crash)
    expect(d.problem).toBeNull();
    expect([d.records, d.endOffset]).toEqual([0, log.end + 500]);
  });

  it('an absent AOF is an empty log; segments without a manifest are a bad manifest', async () => {
    const r = await readAll(42);
    expect([r.records, r.endOffset, r.problem]).toEqual([0, 42, null]);
    await fsp.mkdir(aofDir);
    await fsp.writeFile(path.join(aofDir, `${FILE}.1.aof`), encodeRecordToBuffer(resp('PING'), 0));
    const r2 = await readAll(0);
    expectProblem(r2.problem, { kind: 'bad-manifest', fixable: false });
    await fsp.writeFile(path.join(aofDir, `${FILE}.manifest`), '# hoard aof manifest v1\nfile nonsense\n');
    const r3 = await readAll(0);
    expectProblem(r3.problem, { kind: 'bad-manifest', recordIndex: 2 });
    expect(r3.problem!.message).toMatch(/line 2/);
  });

  it('reports a torn tail at every byte position of the last record; truncateAt makes it clean and keeps the cut bytes', async () => {
    const log = await writeLog(600, 4096);
    const segs = await segmentsOf();
    const last = segs[segs.length - 1]!;
    const lastPath = path.join(aofDir, last.name);
    const full = await fsp.readFile(lastPath);
    const n = log.payloads.length;
    const [seg, lastStart, lastIdx] = locate(log, segs, n - 1);
    expect(seg).toBe(last.name);
    expect(lastStart + encodedSize(log.payloads[n - 1]!.length)).toBe(full.length);
    let stamp = 1_700_000_000_000;
    // Two ways a crash leaves the last record cut short: the file ends inside it (appended
    // without preallocation), or the rest of it is still the zeros the writer preallocated under
    // appendfsync always. The data ends at the last non-zero byte either way (aof-format.ts).
    for (let cut = lastStart + 1; cut < full.length; cut++) {
      let dataCut = cut;
      while (full[dataCut - 1] === 0) dataCut--;
      for (const zeroFilled of [false, true]) {
        const bytes = zeroFilled ? Buffer.concat([full.subarray(0, cut), Buffer.alloc(full.length - cut + 4096)]) : full.subarray(0, cut);
        await fsp.writeFile(lastPath, bytes);
        const r = await readAll(0);
        const p = expectProblem(r.problem, {
          kind: 'torn-tail',
          segment: last.name,
          fileOffset: lastStart,
          logOffset: log.offsets[n - 1],
          recordIndex: lastIdx,
          goodRecords: n - 1,
          bytesAfter: dataCut - lastStart,
          fixable: true,
        });
        expect(p.message).toContain(last.name);
        expect(p.message).toContain(`${dataCut - lastStart} bytes`);
        expect(r.records).toBe(n - 1);
        expect(r.endOffset).toBe(log.offsets[n - 1]);
        expect(r.got.payloads[n - 2]!.equals(log.payloads[n - 2]!)).toBe(true);

        const fix = await truncateAt(p, { dir, dirName: DIRNAME, fileName: FILE, now: () => stamp++ });
        expect(fix.bytesDropped).toBe(dataCut - lastStart);
        expect(fix.droppedSegments).toEqual([]);
        expect((await fsp.readFile(fix.backupPath)).equals(full.subarray(lastStart, dataCut))).toBe(true);
        expect((await fsp.stat(lastPath)).size).toBe(lastStart);
        const again = await readAll(0);
        expect(again.problem).toBeNull();
        expect([again.records, again.endOffset]).toEqual([n - 1, log.offsets[n - 1]]);
        await fsp.rm(fix.backupPath);
      }
    }
  });

  it('a torn tail can be repaired and the log continued by a new writer', async () => {
    const log = await writeLog(300, 4096);
    const segs = await segmentsOf();
    const last = segs[segs.length - 1]!;
    await fsp.truncate(path.join(aofDir, last.name), last.size - 5);
    const r = await readAll(0);
    expect(r.problem?.kind).toBe('torn-tail');
    await truncateAt(r.problem!, { dir, dirName: DIRNAME, fileName: FILE });
    const w = await AofWriter.open({ dir, dirName: DIRNAME, fileName: FILE, fsync: 'always', startOffset: r.endOffset });
    const p = resp('SET', 'after', 'restart');
    w.append(p, w.offset);
    await w.close();
    const all = await readAll(0);
    expect(all.problem).toBeNull();
    expect(all.records).toBe(300);
    expect(all.got.payloads[299]!.equals(p)).toBe(true);
    expect(all.got.offsets[299]).toBe(log.offsets[299]);
  });

  it('reports a flipped payload byte in a middle record as bad-crc with segment, file offset, log offset and record index', async () => {
    const log = await writeLog(4000);
    const segs = await segmentsOf();
    const midSeg = segs[Math.floor(segs.length / 2)]!;
    // a record in the middle of the middle segment
    const candidates = log.offsets.map((_, i) => i).filter((i) => locate(log, segs, i)[0] === midSeg.name);
    const i = candidates[Math.floor(candidates.length / 2)]!;
    const [seg, fo, idx] = locate(log, segs, i);
    const fd = await fsp.open(path.join(aofDir, seg), 'r+');
    const b = Buffer.alloc(1);
    await fd.read(b, 0, 1, fo + AOF_HEADER_SIZE + 10);
    b[0]! ^= 0x04;
    await fd.write(b, 0, 1, fo + AOF_HEADER_SIZE + 10);
    await fd.close();
    const r = await readAll(0);
    const p = expectProblem(r.problem, { kind: 'bad-crc', segment: seg, fileOffset: fo, logOffset: log.offsets[i], recordIndex: idx, goodRecords: i, fixable: true });
    expect(p.message).toContain(`hoard-check-aof --fix ${dir}`);
    expect(p.message).toContain(`byte ${fo}`);
    expect(p.message).toContain(`log offset ${log.offsets[i]}`);
    expect(r.records).toBe(i);
    expect(r.endOffset).toBe(log.offsets[i]);
    // replaying from after the bad record does not need it
    const later = await readAll(log.offsets[i + 1]!);
    expect(later.problem).toBeNull();
    // --fix: cut there, later segments dropped (renamed, not deleted)
    const later2 = segs.slice(segs.findIndex((s) => s.name === seg) + 1);
    const segBytes = segs.find((s) => s.name === seg)!.size;
    const fix = await truncateAt(p, { dir, dirName: DIRNAME, fileName: FILE, now: () => 5 });
    expect(fix.droppedSegments).toEqual(later2.map((s) => s.name));
    expect(fix.bytesDropped).toBe(segBytes - fo + later2.reduce((a, s) => a + s.size, 0));
    expect(p.bytesAfter).toBe(fix.bytesDropped);
    for (const s of later2) expect((await fsp.stat(path.join(aofDir, `${s.name}.cut-5`))).size).toBe(s.size);
    const after = await readAll(0);
    expect(after.problem).toBeNull();
    expect(after.records).toBe(i);
    // a writer can continue the repaired log
    const w = await AofWriter.open({ dir, dirName: DIRNAME, fileName: FILE, fsync: 'no', startOffset: after.endOffset });
    w.append(resp('PING'), w.offset);
    await w.close();
    expect((await readAll(0)).records).toBe(i + 1);
  });

  it('reports a flipped header length byte as bad-header, not as a torn tail, even in the last record', async () => {
    const log = await writeLog(2000);
    const segs = await segmentsOf();
    const flipLen = async (i: number) => {
      const [seg, fo] = locate(log, segs, i);
      const fd = await fsp.open(path.join(aofDir, seg), 'r+');
      const b = Buffer.alloc(1);
      await fd.read(b, 0, 1, fo + 6); // third byte of the u32 length: length grows by 64 KB
      b[0]! ^= 0x01;
      await fd.write(b, 0, 1, fo + 6);
      await fd.close();
      return [seg, fo] as const;
    };
    const [seg, fo] = await flipLen(777);
    const r = await readAll(0);
    expectProblem(r.problem, { kind: 'bad-header', segment: seg, fileOffset: fo, logOffset: log.offsets[777], goodRecords: 777 });
    expect(r.records).toBe(777);
    await flipLen(777); // undo
    expect((await readAll(0)).problem).toBeNull();
    const [seg2, fo2] = await flipLen(1999);
    const r2 = await readAll(0);
    expectProblem(r2.problem, { kind: 'bad-header', segment: seg2, fileOffset: fo2, fixable: true });
  });

  it('reports a missing segment; truncateAt drops it and the ones after it', async () => {
    const log = await writeLog(3000);
    const segs = await segmentsOf();
    const k = 2;
    await fsp.rm(path.join(aofDir, segs[k]!.name));
    const r = await readAll(0);
    const p = expectProblem(r.problem, { kind: 'missing-segment', segment: segs[k]!.name, fileOffset: 0, logOffset: segs[k]!.startOffset });
    const before = log.offsets.filter((o) => o < segs[k]!.startOffset).length;
    expect(r.records).toBe(before);
    const fix = await truncateAt(p, { dir, dirName: DIRNAME, fileName: FILE });
    expect(fix.droppedSegments).toEqual(segs.slice(k + 1).map((s) => s.name));
    const m = await readManifest(aofDir, FILE);
    expect(m!.segments.map((s) => s.name)).toEqual(segs.slice(0, k).map((s) => s.name));
    const after = await readAll(0);
    expect(after.problem).toBeNull();
    expect([after.records, after.endOffset]).toEqual([before, segs[k]!.startOffset]);
  });

  it('checks continuity inside a segment and between segments', async () => {
    await fsp.mkdir(aofDir);
    const a = resp('SET', 'a', '1');
    const b = resp('SET', 'b', '2');
    // second record claims the wrong start offset
    await fsp.writeFile(path.join(aofDir, `${FILE}.1.aof`), Buffer.concat([encodeRecordToBuffer(a, 0), encodeRecordToBuffer(b, a.length + 1)]));
    await writeManifest(aofDir, FILE, { segments: [{ name: `${FILE}.1.aof`, seq: 1, startOffset: 0 }] });
    const r = await readAll(0);
    expectProblem(r.problem, { kind: 'discontinuity', fileOffset: encodedSize(a.length), logOffset: a.length, recordIndex: 1, fixable: true });

    // fix segment 1, add segment 2 whose manifest start leaves a gap
    await fsp.writeFile(path.join(aofDir, `${FILE}.1.aof`), Buffer.concat([encodeRecordToBuffer(a, 0), encodeRecordToBuffer(b, a.length)]));
    const end1 = a.length + b.length;
    await fsp.writeFile(path.join(aofDir, `${FILE}.2.aof`), encodeRecordToBuffer(a, end1 + 10));
    await writeManifest(aofDir, FILE, {
      segments: [
        { name: `${FILE}.1.aof`, seq: 1, startOffset: 0 },
        { name: `${FILE}.2.aof`, seq: 2, startOffset: end1 + 10 },
      ],
    });
    const r2 = await readAll(0);
    expectProblem(r2.problem, { kind: 'discontinuity', segment: `${FILE}.2.aof`, fileOffset: 0, logOffset: end1, goodRecords: 2 });
    expect(r2.records).toBe(2);
    // a replay that starts at segment 2 (a snapshot covers the gap) is fine
    const r3 = await readAll(end1 + 10);
    expect(r3.problem).toBeNull();
    expect(r3.records).toBe(1);
    // first record of a segment disagreeing with the manifest
    await writeManifest(aofDir, FILE, {
      segments: [
        { name: `${FILE}.1.aof`, seq: 1, startOffset: 0 },
        { name: `${FILE}.2.aof`, seq: 2, startOffset: end1 },
      ],
    });
    const r4 = await readAll(0);
    expectProblem(r4.problem, { kind: 'discontinuity', segment: `${FILE}.2.aof`, fileOffset: 0, logOffset: end1, recordIndex: 0 });
    // --fix at byte 0 of a segment drops the whole segment
    const fix = await truncateAt(r4.problem!, { dir, dirName: DIRNAME, fileName: FILE, now: () => 1 });
    expect(fix.backupPath).toBe(path.join(aofDir, `${FILE}.2.aof.cut-1`));
    expect((await readAll(0)).problem).toBeNull();
  });

  it('a non-final segment ending inside a record is a gap, not a torn tail', async () => {
    await writeLog(2000, 4096);
    const segs = await segmentsOf();
    await fsp.truncate(path.join(aofDir, segs[1]!.name), segs[1]!.size - 3);
    const r = await readAll(0);
    expectProblem(r.problem, { kind: 'discontinuity', segment: segs[1]!.name, fixable: true });
  });

  it('reads a zero-filled (preallocated) tail as the end of the log, and garbage after the records as corruption', async () => {
    const log = await writeLog(200, 1 << 20);
    const segs = await segmentsOf();
    const p = path.join(aofDir, segs[segs.length - 1]!.name);
    const size = segs[segs.length - 1]!.size;
    await fsp.appendFile(p, Buffer.alloc(3 * 65536 + 17)); // more than one backwards read step
    const r = await readAll(0);
    expect(r.problem).toBeNull();
    expect([r.records, r.endOffset]).toEqual([200, log.end]);
    expect(r.got.payloads).toEqual(log.payloads);
    // Zeros, then data again: not preallocation, a hole in the log.
    await fsp.appendFile(p, resp('SET', 'after', 'hole'));
    expectProblem((await readAll(0)).problem, { kind: 'bad-header', fileOffset: size, logOffset: log.end });
    await fsp.truncate(p, size);
    await fsp.appendFile(p, Buffer.from('garbage'));
    const r2 = await readAll(0);
    expectProblem(r2.problem, { kind: 'bad-header', fileOffset: size, logOffset: log.end });
    await fsp.truncate(p, size);
    await fsp.appendFile(p, Buffer.from('more garbage than a header holds'));
    expectProblem((await readAll(0)).problem, { kind: 'bad-header', fileOffset: size });
  });

  it('a closed segment followed by zeros is corrupt: only the last one may carry preallocated space', async () => {
    const log = await writeLog(2000, 4096);
    const segs = await segmentsOf();
    expect(segs.length).toBeGreaterThan(2);
    await fsp.appendFile(path.join(aofDir, segs[0]!.name), Buffer.alloc(100));
    const r = await readAll(0);
    expectProblem(r.problem, { kind: 'bad-header', segment: segs[0]!.name, fileOffset: segs[0]!.size });
    expect(r.endOffset).toBe(segs[1]!.startOffset);
    expect(log.end).toBeGreaterThan(r.endOffset);
  });

  it('refuses fixes that truncation cannot make', async () => {
    const log = await writeLog(100);
    const r = await readAll(log.offsets[10]! + 1);
    expect(r.problem?.fixable).toBe(false);
    await expect(truncateAt(r.problem!, { dir, dirName: DIRNAME, fileName: FILE })).rejects.toMatchObject({ code: 'HOARD_AOF_NOT_FIXABLE' });
  });

  it('yields to the event loop while reading a big log', async () => {
    const w = await AofWriter.open({ dir, dirName: DIRNAME, fileName: FILE, fsync: 'no', startOffset: 0 });
    const p = resp('SET', 'k', 'v'.repeat(80));
    for (let t = 0; t < 50; t++) {
      for (let i = 0; i < 4000; i++) w.append(p, w.offset);
      await new Promise<void>((resolve) => w.flush(() => resolve()));
    }
    await w.close();
    // an event-loop "client" that measures how long it had to wait between turns
    let ticks = 0;
    let longestGap = 0;
    let running = true;
    let lastTick = performance.now();
    const tick = () => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - lastTick);
      lastTick = now;
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const res = await readAof({ dir, dirName: DIRNAME, fileName: FILE, fromOffset: 0, onRecord: () => undefined });
    running = false;
    expect(res.records).toBe(200_000);
    expect(ticks).toBeGreaterThan(5);
    expect(longestGap).toBeLessThan(100);
  });
});
