import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodedSize } from '../../../src/persistence/aof-format.js';
import { manifestTempName, readManifest, writeManifest } from '../../../src/persistence/aof-manifest.js';
import { aofStartOffset, readAof } from '../../../src/persistence/aof-reader.js';
import { AofWriter, type FsyncPolicy } from '../../../src/persistence/aof-writer.js';
import { MutationLog } from '../../../src/log/mutation-log.js';
import { mulberry32 } from '../../helpers/prng.js';
import { expectDeepEqual } from '../../helpers/checks.js';

const DIRNAME = 'appendonlydir';
const FILE = 'appendonly.aof';
let dir: string;
let aofDir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hoard-aof-writer-'));
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

function open(fsync: FsyncPolicy, extra: { startOffset?: number; segmentMaxBytes?: number } = {}) {
  return AofWriter.open({ dir, dirName: DIRNAME, fileName: FILE, fsync, startOffset: extra.startOffset ?? 0, segmentMaxBytes: extra.segmentMaxBytes });
}

function flushP(w: AofWriter): Promise<void> {
  return new Promise((resolve, reject) => w.flush((e) => (e ? reject(e) : resolve())));
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function readAll(fromOffset = 0) {
  const payloads: Buffer[] = [];
  const offsets: number[] = [];
  const res = await readAof({
    dir,
    dirName: DIRNAME,
    fileName: FILE,
    fromOffset,
    onRecord: (r) => {
      payloads.push(Buffer.from(r.payload));
      offsets.push(r.startOffset);
    },
  });
  return { ...res, payloads, offsets };
}

describe('AofWriter', () => {
  it('opens a fresh AOF: directory, first segment, manifest', async () => {
    const w = await open('everysec', { startOffset: 1000 });
    expect([w.offset, w.durableOffset, w.pending]).toEqual([1000, 1000, false]);
    const m = await readManifest(aofDir, FILE);
    expect(m!.segments).toEqual([{ name: 'appendonly.aof.1.aof', seq: 1, startOffset: 1000 }]);
    const st = w.stats();
    expect(st).toMatchObject({ aof_last_write_status: 'ok', aof_current_size: 0, aof_buffer_length: 0, aof_current_segment: 'appendonly.aof.1.aof', aof_delayed_fsync: 0 });
    await w.close();
  });

  it('append is continuous: a wrong start offset throws', async () => {
    const w = await open('no');
    const p = resp('SET', 'a', 'b');
    w.append(p, 0);
    expect(w.pending).toBe(true);
    expect(w.offset).toBe(p.length);
    expect(() => w.append(p, 0)).toThrow(expect.objectContaining({ code: 'HOARD_AOF_CONTINUITY' }));
    expect(() => w.append(p, p.length + 1)).toThrow(/log is at/);
    await w.close();
    expect(() => w.append(p, p.length)).toThrow(expect.objectContaining({ code: 'HOARD_AOF_CLOSED' }));
  });

  it('a latin1 string payload is stored byte for byte like the same bytes as a Buffer', async () => {
    const w = await open('no');
    // Every byte value 0..255 in one payload: latin1 must not be re-encoded as UTF-8.
    let bin = '';
    for (let i = 0; i < 256; i++) bin += String.fromCharCode(i);
    const asBuf = resp('SET', 'bin', bin);
    const asStr = asBuf.toString('latin1');
    w.append(asBuf, 0);
    w.append(asStr, asBuf.length);
    await flushP(w);
    await w.close();
    const r = await readAll();
    expect(r.payloads).toEqual([asBuf, asBuf]);
    expect(r.offsets).toEqual([0, asBuf.length]);
  });

  it("group commit under 'always': 50 writers across turns, each done after an fsync that covers it", async () => {
    const w = await open('always');
    const doneAt: Array<{ end: number; durable: number; order: number }> = [];
    let order = 0;
    const all: Promise<void>[] = [];
    const payloads: Buffer[] = [];
    // 10 turns x 5 writers; flush() is called every turn without waiting for the previous one,
    // so turns pile up behind an in-flight fdatasync and get coalesced.
    for (let turn = 0; turn < 10; turn++) {
      for (let c = 0; c < 5; c++) {
        const p = resp('SET', `client:${c}`, `turn:${turn}`);
        payloads.push(p);
        w.append(p, w.offset);
      }
      const end = w.offset;
      all.push(
        new Promise<void>((resolve, reject) =>
          w.flush((err) => {
            if (err) return reject(err);
            doneAt.push({ end, durable: w.durableOffset, order: order++ });
            resolve();
          }),
        ),
      );
      // a turn with nothing new to write still waits for the data in flight
      all.push(
        new Promise<void>((resolve) =>
          w.flush(() => {
            doneAt.push({ end, durable: w.durableOffset, order: order++ });
            resolve();
          }),
        ),
      );
      await nextTurn();
    }
    await Promise.all(all);
    expect(doneAt.length).toBe(20);
    for (const d of doneAt) expect(d.durable).toBeGreaterThanOrEqual(d.end);
    // callbacks fire in flush order
    const ends = doneAt.map((d) => d.end);
    expect([...ends].sort((a, b) => a - b)).toEqual(ends);
    const st = w.stats();
    expect(st.aof_fsyncs).toBeGreaterThanOrEqual(1);
    expect(st.aof_fsyncs).toBeLessThanOrEqual(10);
    expect(st.aof_writes).toBe(st.aof_fsyncs);
    await w.close();
    const r = await readAll();
    expect(r.problem).toBeNull();
    expect(r.payloads.length).toBe(50);
    for (let i = 0; i < 50; i++) expect(r.payloads[i]!.equals(payloads[i]!)).toBe(true);
  });

  // Commit gathering: one writer's record is being fsynced while three others queue behind it.
  // When that fsync completes, the writer it releases appends again right away (as a client in
  // a loop does). Started at once, the next fsync would cover only the three, and the returning
  // writer would need a third one.
  async function releasedWriterScenario(writerReturns: boolean) {
    await fsp.rm(aofDir, { recursive: true, force: true });
    const w = await open('always');
    const order: string[] = [];
    const write = (name: string) =>
      new Promise<void>((resolve, reject) => {
        w.append(resp('SET', name, 'v'), w.offset);
        const end = w.offset;
        w.flush((err) => {
          if (err) return reject(err);
          expect(w.durableOffset).toBeGreaterThanOrEqual(end);
          order.push(name);
          resolve();
        });
      });
    let again: Promise<void> | null = null;
    const first = write('a').then(() => {
      if (writerReturns) again = write('a2');
    });
    // a's batch is in flight (its write is synchronous, the fdatasync runs in the threadpool)
    expect(w.stats().aof_writes).toBe(1);
    const queued = [write('b'), write('c'), write('d')];
    await Promise.all([first, ...queued]);
    if (again !== null) await again;
    const st = w.stats();
    await w.close();
    const r = await readAll();
    return { st, order, records: r.payloads.length };
  }

  it("'always' gathers: the fsync after a batch waits for the writer it released, so one fsync covers it and the queued ones", async () => {
    // The wait is bounded in time (>= 50 us), so a preemption at the wrong instant can end one
    // early: of 5 runs most must gather (without gathering none does: each needs 3 fsyncs).
    let gathered = 0;
    for (let run = 0; run < 5; run++) {
      const { st, order, records } = await releasedWriterScenario(true);
      expect(order).toEqual(['a', 'b', 'c', 'd', 'a2']);
      expect(records).toBe(5);
      expect(st.aof_fsyncs).toBeGreaterThanOrEqual(2);
      if (st.aof_fsyncs === 2 && st.aof_writes === 2) gathered++;
    }
    expect(gathered).toBeGreaterThanOrEqual(3);
  });

  it("'always' gathering gives up when the released writer does not come back: the queued writes still become durable", async () => {
    const { st, order, records } = await releasedWriterScenario(false);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(records).toBe(4);
    expect(st.aof_fsyncs).toBe(2);
  });

  it("'everysec': done right after the write, fsync within about a second in the background", async () => {
    const w = await open('everysec');
    for (let i = 0; i < 100; i++) w.append(resp('INCR', 'n'), w.offset);
    const end = w.offset;
    let writtenAtDone = -1;
    await new Promise<void>((resolve) =>
      w.flush(() => {
        writtenAtDone = w.stats().aof_written_offset;
        resolve();
      }),
    );
    expect(writtenAtDone).toBe(end);
    expect((await fsp.stat(path.join(aofDir, 'appendonly.aof.1.aof'))).size).toBe(100 * encodedSize(resp('INCR', 'n').length));
    const t0 = Date.now();
    while (w.durableOffset < end && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(w.durableOffset).toBe(end);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(w.stats().aof_fsyncs).toBe(1);
    await w.close();
  });

  it("'everysec': a flush while the background fsync runs is postponed (Redis's aof_flush_postponed_start), then written", async () => {
    const w = await open('everysec');
    await new Promise((r) => setTimeout(r, 1050)); // a second since the last fsync: the next write triggers one
    w.append(resp('SET', 'a', '1'), 0);
    let sawFsyncRunning = false;
    let postponedDoneSync = false;
    let pendingAfter = false;
    await new Promise<void>((resolve) =>
      w.flush(() => {
        // the write completed and the background fsync has just started
        sawFsyncRunning = w.stats().aof_pending_bio_fsync === 1;
        w.append(resp('SET', 'b', '2'), w.offset);
        let sync = true;
        w.flush(() => {
          postponedDoneSync = sync;
          pendingAfter = w.pending;
        });
        sync = false;
        resolve();
      }),
    );
    expect(sawFsyncRunning).toBe(true);
    expect(postponedDoneSync).toBe(true); // released at once, the data stays in memory
    expect(pendingAfter).toBe(true);
    const t0 = Date.now();
    while (w.stats().aof_written_offset < w.offset && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(w.stats().aof_written_offset).toBe(w.offset); // written as soon as the fsync finished
    expect(w.pending).toBe(false);
    expect(w.stats().aof_delayed_fsync).toBe(0);
    await w.close();
    expect((await readAll()).payloads.length).toBe(2);
  });

  it("'no': writes only; close fsyncs", async () => {
    const w = await open('no');
    for (let i = 0; i < 10; i++) w.append(resp('DEL', `k${i}`), w.offset);
    await flushP(w);
    await new Promise((r) => setTimeout(r, 1200));
    expect(w.durableOffset).toBe(0);
    expect(w.stats().aof_fsyncs).toBe(0);
    const end = w.offset;
    await w.close();
    expect(w.durableOffset).toBe(end);
  });

  it('switches fsync policy at run time (CONFIG SET appendfsync)', async () => {
    const w = await open('no');
    w.append(resp('SET', 'a', '1'), w.offset);
    await flushP(w);
    expect(w.durableOffset).toBe(0);
    w.setFsyncPolicy('always');
    expect(w.fsyncPolicy).toBe('always');
    w.append(resp('SET', 'b', '2'), w.offset);
    const end = w.offset;
    await new Promise<void>((resolve) =>
      w.flush(() => {
        expect(w.durableOffset).toBe(end); // the fsync covers the earlier 'no' write too
        resolve();
      }),
    );
    w.setFsyncPolicy('everysec');
    w.append(resp('SET', 'c', '3'), w.offset);
    await flushP(w);
    expect(w.stats().aof_written_offset).toBe(w.offset);
    expect(() => w.setFsyncPolicy('sometimes' as FsyncPolicy)).toThrow(/appendfsync/);
    await w.close();
    const r = await readAll();
    expect(r.payloads.map((p) => p.toString('latin1'))).toEqual([resp('SET', 'a', '1'), resp('SET', 'b', '2'), resp('SET', 'c', '3')].map((p) => p.toString('latin1')));
  });

  it('close writes what is still buffered', async () => {
    const w = await open('everysec');
    w.append(resp('SET', 'x', 'y'), 0);
    await w.close();
    const r = await readAll();
    expect(r.payloads.length).toBe(1);
    await w.close(); // idempotent
    await new Promise<void>((resolve) => w.flush((e) => (expect(e).not.toBeNull(), resolve())));
  });

  it('rotates when a segment is full and on demand; appends during a rotation land in the new segment', async () => {
    const w = await open('always', { segmentMaxBytes: 2048 });
    const p = resp('SET', 'key', 'v'.repeat(100));
    for (let t = 0; t < 20; t++) {
      for (let i = 0; i < 5; i++) w.append(p, w.offset);
      await flushP(w);
    }
    let m = await readManifest(aofDir, FILE);
    expect(m!.segments.length).toBeGreaterThan(3);
    const before = m!.segments.length;
    // on demand, with appends racing the rotation
    w.append(p, w.offset);
    await flushP(w);
    const rot = w.rotate();
    const at = w.offset;
    w.append(p, w.offset);
    const f = flushP(w);
    await rot;
    await f;
    m = await readManifest(aofDir, FILE);
    expect(m!.segments.length).toBe(before + 1);
    expect(m!.segments[m!.segments.length - 1]!.startOffset).toBe(at);
    await w.rotate(); // the new segment holds one record: rotate again
    await w.rotate(); // empty: no-op
    m = await readManifest(aofDir, FILE);
    expect(m!.segments.length).toBe(before + 2);
    const st = w.stats();
    expect(st.aof_segments).toBe(before + 2);
    let total = 0;
    for (const s of m!.segments) total += (await fsp.stat(path.join(aofDir, s.name))).size;
    expect(st.aof_current_size).toBe(total);
    await w.close();
    const r = await readAll();
    expect(r.problem).toBeNull();
    expect(r.payloads.length).toBe(102);
  });

  it('deleteSegmentsBefore removes the segments a snapshot covers, never the current one', async () => {
    const w = await open('no', { segmentMaxBytes: 1024 });
    const p = resp('SET', 'key', 'v'.repeat(200));
    const offsets: number[] = [];
    for (let t = 0; t < 30; t++) {
      offsets.push(w.offset);
      w.append(p, w.offset);
      await flushP(w);
    }
    const m = (await readManifest(aofDir, FILE))!;
    expect(m.segments.length).toBeGreaterThan(5);
    const sizeOf = async (n: string) => (await fsp.stat(path.join(aofDir, n))).size;
    // snapshot at the start of segment 4: segments 1..3 are covered
    const snap = m.segments[3]!.startOffset;
    let expectFreed = 0;
    for (const s of m.segments.slice(0, 3)) expectFreed += await sizeOf(s.name);
    const sizeBefore = w.stats().aof_current_size;
    expect(await w.deleteSegmentsBefore(snap)).toBe(expectFreed);
    expect(w.stats().aof_current_size).toBe(sizeBefore - expectFreed);
    const m2 = (await readManifest(aofDir, FILE))!;
    // (an automatic rotation after the last flush may have added a segment since `m` was read)
    expect(m2.segments.slice(0, m.segments.length - 3)).toEqual(m.segments.slice(3));
    for (const s of m.segments.slice(0, 3)) await expect(fsp.stat(path.join(aofDir, s.name))).rejects.toThrow();
    expect(await w.deleteSegmentsBefore(snap)).toBe(0);
    // a snapshot in the middle of a segment keeps that segment
    expect(await w.deleteSegmentsBefore(snap + 1)).toBe(0);
    // replay from a snapshot at the last record still works
    const r1 = await readAll(offsets[offsets.length - 1]!);
    expect(r1.problem).toBeNull();
    expect(r1.payloads.length).toBe(1);
    // everything is covered: only the current segment stays
    await w.rotate();
    const end = w.offset;
    await w.deleteSegmentsBefore(end);
    expect((await readManifest(aofDir, FILE))!.segments.length).toBe(1);
    await w.close();
    const r = await readAll(end);
    expect(r.problem).toBeNull();
    expect([r.payloads.length, r.endOffset]).toEqual([0, end]);
    const r0 = await readAll(0);
    expect(r0.problem).toMatchObject({ kind: 'discontinuity', fixable: false });
    // a full check starts where the log now starts
    expect(await aofStartOffset({ dir, dirName: DIRNAME, fileName: FILE })).toBe(end);
  });

  it('reopens after recovery in a new segment, fsyncing the old one; reuses an empty last segment', async () => {
    const w = await open('no');
    w.append(resp('SET', 'a', '1'), 0);
    await w.close();
    const r = await readAll();
    // a crash left a stray manifest temp file behind
    await fsp.writeFile(path.join(aofDir, manifestTempName(FILE)), 'junk');
    const w2 = await open('always', { startOffset: r.endOffset });
    await expect(fsp.stat(path.join(aofDir, manifestTempName(FILE)))).rejects.toThrow();
    w2.append(resp('SET', 'b', '2'), w2.offset);
    await w2.close();
    let m = (await readManifest(aofDir, FILE))!;
    expect(m.segments.map((s) => s.name)).toEqual(['appendonly.aof.1.aof', 'appendonly.aof.2.aof']);
    const r2 = await readAll();
    expect(r2.problem).toBeNull();
    expect(r2.payloads.length).toBe(2);
    // open + close without writes leaves an empty last segment; the next open reuses it
    const w3 = await open('no', { startOffset: r2.endOffset });
    await w3.close();
    const n = (await readManifest(aofDir, FILE))!.segments.length;
    const w4 = await open('no', { startOffset: r2.endOffset });
    await w4.close();
    m = (await readManifest(aofDir, FILE))!;
    expect(m.segments.length).toBe(n);
    // going backwards is refused
    await expect(open('no', { startOffset: 0 })).rejects.toMatchObject({ code: 'HOARD_AOF_CONTINUITY' });
  });

  it("'always' zero-fills ahead of the records; readers stop at the data; rotation, close and the next open cut the zeros off", async () => {
    const w = await open('always', { segmentMaxBytes: 128 * 1024 });
    const payloads: Buffer[] = [];
    const segFile = () => path.join(aofDir, w.stats().aof_current_segment);
    const p = resp('SET', 'k', 'v'.repeat(200));
    const rec = encodedSize(p.length);
    for (let i = 0; i < 10; i++) {
      payloads.push(p);
      w.append(p, w.offset);
    }
    await flushP(w);
    // The file is longer than its records, and what follows them is zeros.
    expect(w.stats().aof_current_size).toBe(10 * rec);
    const bytes = await fsp.readFile(segFile());
    expect(bytes.length).toBeGreaterThanOrEqual(10 * rec + 512 * 1024);
    expect(bytes.subarray(10 * rec).every((b) => b === 0)).toBe(true);
    // A reader of the live log (what a crash leaves) gets every record and no problem.
    let r = await readAll();
    expect(r.problem).toBeNull();
    expect(r.payloads).toEqual(payloads);
    // Rotations: every closed segment is exactly its records.
    for (let i = 0; i < 2000; i++) {
      payloads.push(p);
      w.append(p, w.offset);
      if (i % 50 === 49) await flushP(w);
    }
    await flushP(w);
    const segs = (await readManifest(aofDir, FILE))!.segments;
    expect(segs.length).toBeGreaterThan(2);
    let closedBytes = 0;
    for (const seg of segs.slice(0, -1)) {
      const b = await fsp.readFile(path.join(aofDir, seg.name));
      expect(b.length % rec).toBe(0);
      expect(b[b.length - 1]).toBe(0x0a);
      closedBytes += b.length;
    }
    const lastData = payloads.length * rec - closedBytes;
    expect(w.stats().aof_current_size).toBe(payloads.length * rec);
    expect((await fsp.stat(segFile())).size).toBeGreaterThan(lastData);
    // A crash image: the directory copied while the writer is open, zeros and all.
    const crashDir = path.join(dir, 'crash');
    await fsp.cp(aofDir, path.join(crashDir, DIRNAME), { recursive: true });
    // Close cuts the zeros off.
    await w.close();
    const last = segs[segs.length - 1]!;
    expect((await fsp.stat(path.join(aofDir, last.name))).size).toBe(lastData);
    r = await readAll();
    expect(r.problem).toBeNull();
    expect(r.payloads.length).toBe(payloads.length);
    // Reopening the crash image: the old last segment is cut to its records, appends go on.
    const crashed = await fsp.readFile(path.join(crashDir, DIRNAME, last.name));
    expect(crashed.length).toBeGreaterThan(lastData);
    const w2 = await AofWriter.open({ dir: crashDir, dirName: DIRNAME, fileName: FILE, fsync: 'always', startOffset: r.endOffset });
    const more = resp('SET', 'after', 'crash');
    w2.append(more, w2.offset);
    await w2.close();
    expect((await fsp.readFile(path.join(crashDir, DIRNAME, last.name))).equals(crashed.subarray(0, lastData))).toBe(true);
    const got: Buffer[] = [];
    const r2 = await readAof({ dir: crashDir, dirName: DIRNAME, fileName: FILE, fromOffset: 0, onRecord: (x) => void got.push(Buffer.from(x.payload)) });
    expect(r2.problem).toBeNull();
    expectDeepEqual(got, [...payloads, more]);
  });

  it("'everysec' and 'no' do not preallocate: the file is exactly its records", async () => {
    for (const policy of ['everysec', 'no'] as const) {
      const w = await open(policy, { startOffset: (await readAll()).endOffset });
      const p = resp('SET', 'a', policy);
      w.append(p, w.offset);
      await flushP(w);
      expect((await fsp.stat(path.join(aofDir, w.stats().aof_current_segment))).size).toBe(encodedSize(p.length));
      await w.close();
    }
  });

  it('refuses a payload the reader could not delimit: empty, or ending in a zero byte', async () => {
    const w = await open('no');
    expect(() => w.append(Buffer.alloc(0), 0)).toThrow(expect.objectContaining({ code: 'HOARD_AOF_BAD_PAYLOAD' }));
    expect(() => w.append(Buffer.from('*1\r\n$1\r\n\0'), 0)).toThrow(expect.objectContaining({ code: 'HOARD_AOF_BAD_PAYLOAD' }));
    expect(() => w.append('abc\0', 0)).toThrow(expect.objectContaining({ code: 'HOARD_AOF_BAD_PAYLOAD' }));
    expect(w.offset).toBe(0);
    await w.close();
  });

  it('opening at an offset past the end (snapshot newer than the AOF) starts a segment there', async () => {
    const w = await open('no');
    w.append(resp('SET', 'a', '1'), 0);
    await w.close();
    const w2 = await open('no', { startOffset: 5000 });
    w2.append(resp('SET', 'b', '2'), 5000);
    await w2.close();
    const r = await readAll(5000);
    expect(r.problem).toBeNull();
    expect(r.payloads.length).toBe(1);
  });

  it('rejects a bad manifest at open', async () => {
    await fsp.mkdir(aofDir, { recursive: true });
    await fsp.writeFile(path.join(aofDir, `${FILE}.manifest`), 'nonsense\n');
    await expect(open('no')).rejects.toMatchObject({ code: 'HOARD_AOF_BAD_MANIFEST' });
  });

  it('a failed write is reported, never ignored: done(err), status err, data kept for a retry', async () => {
    // The current segment is /dev/full: every write fails with ENOSPC.
    await fsp.mkdir(aofDir, { recursive: true });
    await writeManifest(aofDir, FILE, { segments: [{ name: `${FILE}.1.aof`, seq: 1, startOffset: 0 }] });
    await fsp.symlink('/dev/full', path.join(aofDir, `${FILE}.1.aof`));
    const w = await open('always');
    w.append(resp('SET', 'a', '1'), 0);
    const err = await new Promise<Error | null>((resolve) => w.flush(resolve));
    expect(err).toMatchObject({ code: 'HOARD_AOF_WRITE' });
    expect((err as Error & { cause: { code: string } }).cause.code).toBe('ENOSPC');
    expect(err!.message).toContain(`${FILE}.1.aof`);
    expect(w.stats().aof_last_write_status).toBe('err');
    expect(w.stats().aof_write_errors).toBe(1);
    expect(w.lastError).toBe(err);
    expect(w.pending).toBe(true);
    expect(w.durableOffset).toBe(0);
    // the next turn retries (and fails again)
    const err2 = await new Promise<Error | null>((resolve) => w.flush(resolve));
    expect(err2).toMatchObject({ code: 'HOARD_AOF_WRITE' });
    await expect(w.close()).rejects.toMatchObject({ code: 'HOARD_AOF_WRITE' });
  });

  const canMount = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = path.join(os.tmpdir(), `hoard-mount-probe-${process.pid}`);
    try {
      execFileSync('mkdir', ['-p', probe]);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      execFileSync('rm', ['-rf', probe]);
    }
  })();

  it.runIf(canMount)('a short write on a full disk is cut back and retried; the log stays whole (real ENOSPC on a small tmpfs)', async () => {
    const mnt = path.join(dir, 'mnt');
    await fsp.mkdir(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    try {
      const w = await AofWriter.open({ dir: mnt, dirName: DIRNAME, fileName: FILE, fsync: 'always', startOffset: 0 });
      // fill the disk, leaving a little room
      const filler = path.join(mnt, 'filler');
      await fsp.writeFile(filler, Buffer.alloc(200 * 1024)).catch(() => undefined);
      const p = resp('SET', 'key', 'v'.repeat(1000));
      const payloads: Buffer[] = [];
      let failures = 0;
      for (let t = 0; t < 20; t++) {
        for (let i = 0; i < 20; i++) {
          payloads.push(p);
          w.append(p, w.offset);
        }
        const err = await new Promise<Error | null>((resolve) => w.flush(resolve));
        if (err !== null) {
          failures++;
          expect(err).toMatchObject({ code: 'HOARD_AOF_WRITE' });
          expect(err.message).toMatch(/short write|ENOSPC/);
          expect(w.stats().aof_last_write_status).toBe('err');
          break;
        }
      }
      expect(failures).toBe(1);
      // the file holds only whole records
      const partial = await readAof({ dir: mnt, dirName: DIRNAME, fileName: FILE, fromOffset: 0, onRecord: () => undefined });
      expect(partial.problem).toBeNull();
      expect(partial.endOffset).toBe(w.durableOffset);
      // free space: the next flush writes everything that was kept
      await fsp.rm(filler);
      await flushP(w);
      expect(w.stats().aof_last_write_status).toBe('ok');
      expect(w.durableOffset).toBe(w.offset);
      await w.close();
      let n = 0;
      const r = await readAof({ dir: mnt, dirName: DIRNAME, fileName: FILE, fromOffset: 0, onRecord: (rec) => (expect(rec.payload.equals(payloads[n]!)).toBe(true), n++) });
      expect(r.problem).toBeNull();
      expect(n).toBe(payloads.length);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

describe('AofWriter fed by the mutation log', () => {
  // Each mutation reaches the AOF as argv (LogEncoder.command, encoded straight into the
  // writer's buffer) unless it is part of a group; a writer fed unit strings instead must end
  // up with the same file, byte for byte.
  it('appendCommand writes the same records as append(unit string), across dbs, groups, binary and long values', async () => {
    const rnd = mulberry32(20261126);
    const pick = (n: number) => Math.floor(rnd() * n);
    const anyString = () => {
      const len = [0, 1, 9, 10, 47, 48, 49, 99, 100, 1000, 70000][pick(11)]!;
      const b = Buffer.allocUnsafe(len);
      for (let i = 0; i < len; i++) b[i] = pick(4) === 0 ? pick(256) : 97 + pick(26);
      return b.toString('latin1');
    };
    const open2 = (sub: string) =>
      AofWriter.open({ dir: path.join(dir, sub), dirName: DIRNAME, fileName: FILE, fsync: 'no', startOffset: 0 });
    const viaArgv = await open2('argv');
    const viaUnits = await open2('units');
    const encoded = new MutationLog();
    let commands = 0;
    let units = 0;
    encoded.addEncoder({
      command: (db, argv, start, length) => {
        commands++;
        viaArgv.appendCommand(db, argv, start, length);
      },
      unit: (u, start) => {
        units++;
        viaArgv.append(u, start);
      },
    });
    const strings = new MutationLog();
    strings.addConsumer((u, start) => viaUnits.append(u, start));
    for (let i = 0; i < 3000; i++) {
      const db = pick(4) === 0 ? pick(16) : 0;
      const argv = ['SET', anyString(), anyString()];
      if (pick(5) === 0) argv.push('PX', String(pick(1e9)));
      const grouped = pick(10) === 0;
      for (const log of [encoded, strings]) {
        if (grouped) log.beginGroup();
        log.append(db, argv);
        if (grouped) log.append((db + 1) % 16, ['DEL', argv[1]!]);
        if (grouped) log.endGroup();
      }
      if (i % 50 === 0) await Promise.all([flushP(viaArgv), flushP(viaUnits)]);
    }
    expect(commands).toBeGreaterThan(2000);
    expect(units).toBeGreaterThan(200);
    expect(viaArgv.offset).toBe(strings.offset);
    expect(encoded.offset).toBe(strings.offset);
    await Promise.all([viaArgv.close(), viaUnits.close()]);
    const seg = (sub: string) => fsp.readFile(path.join(dir, sub, DIRNAME, 'appendonly.aof.1.aof'));
    const [a, b] = await Promise.all([seg('argv'), seg('units')]);
    expect(a.length).toBeGreaterThan(strings.offset);
    expect(a.equals(b)).toBe(true);
  });

  it('appendCommand refuses a length that does not match its encoding (the stream would break)', async () => {
    const w = await open('no');
    expect(() => w.appendCommand(-1, ['SET', 'k', 'v'], 0, 5)).toThrow(/log counted 5/);
    expect(w.offset).toBe(0);
    w.appendCommand(0, ['SET', 'k', 'v'], 0, 50);
    await w.close();
    const r = await readAll();
    expect(r.payloads.map((p) => p.toString('latin1'))).toEqual(['*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n']);
  });
});
