// Damaged data dirs: a torn AOF tail at every byte position of the last record (the server
// starts and cuts it), a flipped byte in the middle (refuses, naming the offset), a missing
// segment (refuses), a damaged LevelDB snapshot (refuses), and a second server on a locked
// dir (refuses). Servers run in-process here (same code path as the binary's start()) so the
// many restarts stay fast; the crash tests use real child processes.

import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { Server } from '../../src/server/server.js';
import { Config } from '../../src/config.js';
import { AOF_HEADER_SIZE } from '../../src/persistence/aof-format.js';
import { LocalConn } from '../helpers/backends.js';
import { tempDir } from '../helpers/proc.js';

async function open(dir: string, extra: string[] = []): Promise<{ server: Server; conn: LocalConn }> {
  const cfg = Config.fromArgs(['--port', '0', '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', ...extra]);
  const server = new Server(cfg);
  await server.start();
  return { server, conn: new LocalConn(server) };
}

function aofDir(dir: string): string {
  return path.join(dir, 'appendonlydir');
}

function segments(dir: string): string[] {
  return fs
    .readdirSync(aofDir(dir))
    .filter((f) => /^appendonly\.aof\.\d+\.aof$/.test(f))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
}

/** File offsets of every record in a segment. */
function recordStarts(file: string): number[] {
  const buf = fs.readFileSync(file);
  const starts: number[] = [];
  let pos = 0;
  while (pos + AOF_HEADER_SIZE <= buf.length) {
    starts.push(pos);
    pos += AOF_HEADER_SIZE + buf.readUInt32LE(pos + 4);
  }
  return starts;
}

function copyDir(from: string): string {
  const to = tempDir('hoard-corrupt-');
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/** A data dir whose last segment ends with `SET last <value>` as its last record. */
async function makeDir(n: number): Promise<string> {
  const dir = tempDir('hoard-base-');
  const { server, conn } = await open(dir);
  for (let i = 0; i < n; i++) await conn.call('SET', `key:${i}`, `value-${i}`);
  await conn.call('SET', 'last', 'the-last-record');
  await server.close();
  return dir;
}

describe('AOF corruption handling', () => {
  it('truncates a torn last record at every byte position and starts with everything before it', async () => {
    const base = await makeDir(20);
    const seg = segments(base).at(-1)!;
    const file = path.join(aofDir(base), seg);
    const size = fs.statSync(file).size;
    const lastStart = recordStarts(file).at(-1)!;
    expect(size - lastStart).toBeGreaterThan(AOF_HEADER_SIZE);
    for (let cut = lastStart + 1; cut < size; cut++) {
      const dir = copyDir(base);
      fs.truncateSync(path.join(aofDir(dir), seg), cut);
      const { server, conn } = await open(dir);
      expect(await conn.call('DBSIZE'), `cut at ${cut}`).toBe(20);
      expect(await conn.call('GET', 'key:19')).toBe('value-19');
      expect(await conn.call('GET', 'last')).toBe(null);
      // The cut bytes are kept next to the segment, and the file now ends at the record start.
      expect(fs.statSync(path.join(aofDir(dir), seg)).size).toBe(lastStart);
      expect(fs.readdirSync(aofDir(dir)).some((f) => f.startsWith(seg + '.cut-'))).toBe(true);
      // New writes after the repair survive another restart.
      await conn.call('SET', 'after', 'repair');
      await server.close();
      const again = await open(dir);
      expect(await again.conn.call('GET', 'after')).toBe('repair');
      expect(await again.conn.call('DBSIZE')).toBe(21);
      await again.server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a torn tail when aof-load-truncated is no', async () => {
    const base = await makeDir(3);
    const seg = segments(base).at(-1)!;
    const file = path.join(aofDir(base), seg);
    fs.truncateSync(file, fs.statSync(file).size - 3);
    await expect(open(base, ['--aof-load-truncated', 'no'])).rejects.toThrow(/aof-load-truncated/);
  });

  it('refuses to start on a flipped byte in a middle record, naming segment and offset', async () => {
    const base = await makeDir(20);
    const seg = segments(base).at(-1)!;
    const file = path.join(aofDir(base), seg);
    const starts = recordStarts(file);
    const victim = starts[Math.floor(starts.length / 2)];
    const buf = fs.readFileSync(file);
    const at = victim + AOF_HEADER_SIZE + 5;
    buf[at] ^= 0x40;
    fs.writeFileSync(file, buf);
    const err = await open(base).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    expect(err!.message).toContain(seg);
    expect(err!.message).toContain(`file offset ${victim}`);
    expect(err!.message).toContain('hoard-check-aof --fix');
    // Nothing was changed on disk by the refusal.
    expect(fs.readFileSync(file)).toEqual(buf);
  });

  it('refuses to start when a segment listed in the manifest is missing', async () => {
    const dir = tempDir('hoard-missing-');
    for (let round = 0; round < 2; round++) {
      const { server, conn } = await open(dir);
      await conn.call('SET', `r${round}`, 'x');
      await server.close();
    }
    const segs = segments(dir);
    expect(segs.length).toBeGreaterThanOrEqual(2);
    fs.rmSync(path.join(aofDir(dir), segs[0]));
    await expect(open(dir)).rejects.toThrow(new RegExp(segs[0].replace(/\./g, '\\.')));
  });

  it('refuses to start on a damaged snapshot', async () => {
    const dir = tempDir('hoard-snapdamage-');
    const { server, conn } = await open(dir);
    for (let i = 0; i < 2000; i++) await conn.call('SET', `key:${i}`, 'v'.repeat(100));
    expect(await conn.call('SAVE')).toBe('OK');
    await server.close();
    // Overwrite the middle of every LevelDB table/log file with garbage.
    const snap = path.join(dir, 'snapshot');
    let damaged = 0;
    for (const f of fs.readdirSync(snap)) {
      if (!/\.(ldb|log)$/.test(f)) continue;
      const p = path.join(snap, f);
      const b = fs.readFileSync(p);
      if (b.length < 200) continue;
      for (let i = Math.floor(b.length / 3); i < Math.floor(b.length / 3) + 64; i++) b[i] ^= 0xff;
      fs.writeFileSync(p, b);
      damaged++;
    }
    expect(damaged).toBeGreaterThan(0);
    await expect(open(dir)).rejects.toThrow(/snapshot/i);
  });

  it('a second server on the same data dir refuses with a clear message', async () => {
    const dir = tempDir('hoard-lock-');
    const first = await open(dir);
    await expect(open(dir)).rejects.toThrow(/in use by another Hoard process/);
    await first.server.close();
    const second = await open(dir);
    await second.server.close();
  });
});

describe('snapshots', () => {
  it('SAVE + restart without AOF restores the snapshot, TTLs included', async () => {
    const dir = tempDir('hoard-snap-');
    const cfg = ['--appendonly', 'no'];
    const { server, conn } = await open(dir, cfg);
    await conn.call('SET', 'a', '1');
    await conn.call('SET', 'ttl', 'x', 'PX', '600000');
    await conn.call('SELECT', '5');
    await conn.call('SET', 'b', Buffer.from('\x00\xff binary', 'latin1'));
    expect(await conn.call('SAVE')).toBe('OK');
    const before = Number(await conn.call('LASTSAVE'));
    expect(before).toBeGreaterThan(0);
    await server.close();
    const again = await open(dir, cfg);
    expect(await again.conn.call('GET', 'a')).toBe('1');
    const pttl = Number(await again.conn.call('PTTL', 'ttl'));
    expect(pttl).toBeGreaterThan(590_000);
    await again.conn.call('SELECT', '5');
    expect(await again.conn.callBuffer('GET', 'b')).toEqual(Buffer.from('\x00\xff binary', 'latin1'));
    await again.server.close();
  });
});

describe('INFO persistence counters', () => {
  const field = (info: unknown, name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(String(info))?.[1]);

  it('counts snapshots, AOF rewrites, and the keys the last load loaded and skipped as expired', async () => {
    const dir = tempDir('hoard-counters-');
    const { server, conn } = await open(dir);
    let info = await conn.call('INFO', 'persistence');
    expect(field(info, 'rdb_saves')).toBe(0);
    expect(field(info, 'aof_rewrites')).toBe(0);
    await conn.call('SET', 'a', '1');
    await conn.call('SET', 'b', '2');
    await conn.call('SET', 'short', 'x', 'PX', '800');
    const shortExpires = Date.now() + 800;
    expect(await conn.call('SAVE')).toBe('OK');
    expect(field(await conn.call('INFO', 'persistence'), 'rdb_saves')).toBe(1);
    await conn.call('BGREWRITEAOF');
    for (let i = 0; i < 200 && field((info = await conn.call('INFO', 'persistence')), 'aof_rewrite_in_progress') !== 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(field(info, 'aof_rewrites')).toBe(1);
    expect(field(info, 'aof_rewrites_consecutive_failures')).toBe(0);
    // The rewrite is a snapshot too: it holds `short`, which has expired by the restart.
    expect(field(info, 'rdb_saves')).toBe(2);
    await server.close();
    await new Promise((r) => setTimeout(r, Math.max(0, shortExpires + 50 - Date.now())));
    const again = await open(dir);
    info = await again.conn.call('INFO', 'persistence');
    expect(field(info, 'rdb_last_load_keys_loaded')).toBe(2);
    expect(field(info, 'rdb_last_load_keys_expired')).toBe(1);
    expect(field(info, 'rdb_saves')).toBe(0);
    expect(await again.conn.call('EXISTS', 'a', 'b', 'short')).toBe(2);
    // A BGSAVE of 60k keys runs in many slices: INFO shows its progress meanwhile.
    for (let i = 0; i < 60_000; i += 1000) {
      await again.conn.call('MSET', ...Array.from({ length: 1000 }, (_, j) => [`bulk:${i + j}`, 'v']).flat());
    }
    expect(await again.conn.call('BGSAVE')).toMatch(/started/);
    let seen = false;
    for (let i = 0; i < 500; i++) {
      const progress = await again.conn.call('INFO', 'persistence');
      if (field(progress, 'rdb_bgsave_in_progress') === 0) break;
      if (field(progress, 'current_save_keys_total') > 0) {
        expect(field(progress, 'current_save_keys_total')).toBe(60_002);
        expect(field(progress, 'current_save_keys_processed')).toBeLessThanOrEqual(60_002);
        seen = true;
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(seen).toBe(true);
    for (let i = 0; i < 500 && field(await again.conn.call('INFO', 'persistence'), 'rdb_bgsave_in_progress') !== 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(field(await again.conn.call('INFO', 'persistence'), 'rdb_saves')).toBe(1);
    await again.server.close();
  });
});
