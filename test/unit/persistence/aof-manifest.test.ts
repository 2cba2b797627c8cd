import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatManifest,
  listSegmentFiles,
  manifestName,
  manifestTempName,
  parseManifest,
  readManifest,
  segmentName,
  segmentSeq,
  writeManifest,
} from '../../../src/persistence/aof-manifest.js';

const FILE = 'appendonly.aof';
let dir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hoard-manifest-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('aof-manifest', () => {
  it('names segments like Redis 7 (appendonly.aof.<seq>.aof) and parses names back', () => {
    expect(segmentName(FILE, 3)).toBe('appendonly.aof.3.aof');
    expect(segmentSeq(FILE, 'appendonly.aof.3.aof')).toBe(3);
    expect(segmentSeq(FILE, 'appendonly.aof.03.aof')).toBe(-1);
    expect(segmentSeq(FILE, 'appendonly.aof.3.aof.cut-123')).toBe(-1);
    expect(segmentSeq(FILE, 'appendonly.aof.manifest')).toBe(-1);
    expect(segmentSeq(FILE, 'other.aof.3.aof')).toBe(-1);
  });

  it('formats and parses a manifest', () => {
    const m = {
      segments: [
        { name: 'appendonly.aof.1.aof', seq: 1, startOffset: 0 },
        { name: 'appendonly.aof.2.aof', seq: 2, startOffset: 67108890 },
        { name: 'appendonly.aof.4.aof', seq: 4, startOffset: 67108890 },
      ],
    };
    const text = formatManifest(m);
    expect(text).toBe(
      '# hoard aof manifest v1\n' +
        'file appendonly.aof.1.aof seq 1 startoffset 0\n' +
        'file appendonly.aof.2.aof seq 2 startoffset 67108890\n' +
        'file appendonly.aof.4.aof seq 4 startoffset 67108890\n',
    );
    expect(parseManifest(text, FILE)).toEqual(m);
    expect(parseManifest('# hoard aof manifest v1\n', FILE)).toEqual({ segments: [] });
  });

  it('rejects bad manifests naming the line', () => {
    const good = 'file appendonly.aof.1.aof seq 1 startoffset 0\n';
    const cases: Array<[string, RegExp]> = [
      ['', /line 1/],
      ['# other\n' + good, /line 1/],
      ['# hoard aof manifest v1\n' + good.slice(0, -1), /final newline/],
      ['# hoard aof manifest v1\nfile appendonly.aof.2.aof seq 1 startoffset 0\n', /line 2.*does not match/],
      ['# hoard aof manifest v1\nfile appendonly.aof.1.aof seq 1 startoffset -5\n', /line 2.*start offset/],
      ['# hoard aof manifest v1\nfile appendonly.aof.1.aof seq 1 startoffset 10\nfile appendonly.aof.2.aof seq 2 startoffset 5\n', /line 3.*out of order/],
      ['# hoard aof manifest v1\nfile appendonly.aof.2.aof seq 2 startoffset 0\nfile appendonly.aof.1.aof seq 1 startoffset 0\n', /line 3.*out of order/],
      ['# hoard aof manifest v1\nfile ../x.1.aof seq 1 startoffset 0\n', /line 2/],
      ['# hoard aof manifest v1\nfile  appendonly.aof.1.aof seq 1 startoffset 0\n', /line 2/],
    ];
    for (const [text, re] of cases) {
      expect(() => parseManifest(text, FILE), text).toThrow(re);
      try {
        parseManifest(text, FILE);
      } catch (e) {
        expect((e as { code: string }).code).toBe('HOARD_AOF_BAD_MANIFEST');
      }
    }
  });

  it('writes atomically and ignores a stray temp file', async () => {
    expect(await readManifest(dir, FILE)).toBeNull();
    const m1 = { segments: [{ name: 'appendonly.aof.1.aof', seq: 1, startOffset: 0 }] };
    await writeManifest(dir, FILE, m1);
    expect(await readManifest(dir, FILE)).toEqual(m1);
    // A crash in the middle of the next writeManifest leaves a half-written temp file behind.
    await fsp.writeFile(path.join(dir, manifestTempName(FILE)), '# hoard aof manifest v1\nfile appendon');
    expect(await readManifest(dir, FILE)).toEqual(m1);
    const m2 = { segments: [...m1.segments, { name: 'appendonly.aof.2.aof', seq: 2, startOffset: 77 }] };
    await writeManifest(dir, FILE, m2);
    expect(await readManifest(dir, FILE)).toEqual(m2);
    const names = await fsp.readdir(dir);
    expect(names).toEqual([manifestName(FILE)]);
  });

  it('lists the segment files present, in seq order', async () => {
    for (const n of ['appendonly.aof.10.aof', 'appendonly.aof.2.aof', 'appendonly.aof.2.aof.cut-1', 'appendonly.aof.manifest', 'x.1.aof']) {
      await fsp.writeFile(path.join(dir, n), '');
    }
    expect(await listSegmentFiles(dir, FILE)).toEqual([2, 10]);
  });
});
