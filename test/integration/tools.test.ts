// The offline tools (hoard-check-aof, hoard-inspect, hoard-dump, hoard-restore) as real
// processes over data dirs written by the real server (a child process; build first:
// `npx tsc -p tsconfig.json`). Two fixtures: a snapshot + AOF dir (BGSAVE, more writes, SIGTERM)
// and an AOF-only dir (no BGSAVE, SIGKILL), each holding strings, hashes, lists, sets and zsets
// (big ones too, so snapshot records and dump commands are chunked), TTLs, binary keys and
// values, and several dbs. Every round trip — RESP dump → redis-cli --pipe into a fresh Hoard
// and into a real redis-server, JSONL → hoard-restore --dir → hoard-server, JSONL →
// hoard-restore --host — is compared key by key (TYPE, PEXPIRETIME within a second, value) with
// what the original server held.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { readAll, type State } from '../helpers/contents.js';
import { ROOT, startServer, tempDir, type ServerProc } from '../helpers/proc.js';
import { realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { AOF_HEADER_SIZE } from '../../src/persistence/aof-format.js';

const TOOLS = path.join(ROOT, 'dist/tools');
const HAVE_REDIS = redisServerAvailable();
const HAVE_REDIS_CLI = spawnSync('redis-cli', ['--version']).status === 0;
const DBS = 16;

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `node dist/tools/<tool>.js args...` to completion (stdin: a pipe, never a TTY). */
function tool(name: string, args: string[], input?: Buffer | string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(TOOLS, `${name}.js`), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HOARD_NO_PROGRESS: '1' },
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can precede the last 'data' events: wait for the streams to close.
      let open = 2;
      const done = () => {
        if (--open === 0) resolve({ code, stdout: Buffer.concat(out), stderr: err });
      };
      if (child.stdout.readableEnded) done();
      else child.stdout.once('close', done);
      if (child.stderr.readableEnded) done();
      else child.stderr.once('close', done);
    });
    // A tool that refuses early does not read its stdin: that EPIPE is expected.
    child.stdin.on('error', () => {});
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

function json(r: RunResult): any {
  return JSON.parse(r.stdout.toString('utf8'));
}

// ---- what a server holds, compared key by key ------------------------------------------------

function expectSameData(actual: State, expected: State, label: string): void {
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  expect({ missing, extra }, `${label}: keys missing or extra`).toEqual({ missing: [], extra: [] });
  for (const [k, want] of expected) {
    const got = actual.get(k)!;
    expect(got.type, `${label}: TYPE of ${k}`).toBe(want.type);
    expect(got.value, `${label}: value of ${k}`).toEqual(want.value);
    if (want.expireAt === -1) expect(got.expireAt, `${label}: TTL of ${k}`).toBe(-1);
    else expect(Math.abs(got.expireAt - want.expireAt), `${label}: expiry of ${k} (${got.expireAt} vs ${want.expireAt})`).toBeLessThanOrEqual(1000);
  }
}

// ---- building data dirs with the real server ---------------------------------------------------

const typesRun = new Set<string>();
const typesSkipped = new Map<string, string>();

/** Runs a type's writes; a command Hoard does not have yet skips the type instead of failing. */
async function forType(type: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
    typesRun.add(type);
  } catch (err) {
    const msg = (err as Error).message;
    if (/unknown command/i.test(msg)) {
      typesSkipped.set(type, msg);
      return;
    }
    throw err;
  }
}

const BIN_KEY = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x80]);
const BIN_VAL = Buffer.from([0x00, 0x01, 0xc3, 0x28, 0xff, 0x0d, 0x0a]);
const UTF8_KEY = 'ключ:日本:🙂';
const HOUR = 3_600_000;

/** Phase 1: a bit of everything in several dbs. */
async function populate1(port: number): Promise<void> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    const p = r.pipeline();
    for (let i = 0; i < 300; i++) p.set(`str:${i}`, `value-${i}-${'x'.repeat(i % 40)}`);
    p.set(BIN_KEY, BIN_VAL);
    p.set(UTF8_KEY, 'значение ✓');
    p.set('empty', '');
    p.set('big:string', Buffer.alloc(1_000_000, 0xab));
    for (let i = 0; i < 50; i++) p.set(`ttl:${i}`, `t${i}`, 'PX', HOUR + i * 1000);
    p.set('ttl:long', 'l', 'EX', 5 * 86_400);
    await p.exec();
    await forType('hash', async () => {
      const q = r.pipeline();
      for (let i = 0; i < 40; i++) q.hset(`hash:${i}`, 'name', `n${i}`, 'count', String(i), Buffer.from([0xfe, i]), BIN_VAL);
      const fields: string[] = [];
      for (let i = 0; i < 5000; i++) fields.push(`f${i}`, `v${i}`);
      q.hset('big:hash', ...fields);
      q.hset('hash:ttl', 'a', '1');
      q.pexpire('hash:ttl', 2 * HOUR);
      const res = await q.exec();
      for (const [e] of res ?? []) if (e) throw e;
    });
    await forType('list', async () => {
      const q = r.pipeline();
      for (let i = 0; i < 40; i++) q.rpush(`list:${i}`, 'a', 'b', String(i), BIN_VAL);
      const items: string[] = [];
      for (let i = 0; i < 10_000; i++) items.push(`item-${i}`);
      q.rpush('big:list', ...items);
      q.lpush('list:ttl', 'x');
      // Minutes, not seconds: the fixture must outlive the suite. With 90 s a slow CI run
      // reached the later tests after the key expired: the server's load and dump left it out,
      // inspect's counts and the fixture's state still had it (three tests one key apart).
      q.pexpire('list:ttl', 20 * 60_000);
      const res = await q.exec();
      for (const [e] of res ?? []) if (e) throw e;
    });
    await forType('set', async () => {
      const q = r.pipeline();
      for (let i = 0; i < 40; i++) q.sadd(`set:${i}`, '1', '2', String(100 + i), `m${i}`);
      const ints: string[] = [];
      for (let i = 0; i < 100; i++) ints.push(String(i * 7));
      q.sadd('set:ints', ...ints);
      const members: string[] = [];
      for (let i = 0; i < 6000; i++) members.push(`member-${i}`);
      q.sadd('big:set', ...members);
      q.sadd(Buffer.from([0xc0, 0xff]), BIN_VAL, Buffer.from([0x00]));
      const res = await q.exec();
      for (const [e] of res ?? []) if (e) throw e;
    });
    await forType('zset', async () => {
      const q = r.pipeline();
      for (let i = 0; i < 40; i++) q.zadd(`zset:${i}`, '1', 'a', '2.5', 'b', String(i), 'c', '-inf', 'lo', '+inf', 'hi', '1e-300', 'tiny');
      const pairs: string[] = [];
      for (let i = 0; i < 5000; i++) pairs.push(String(i * 0.5), `player-${i}`);
      q.zadd('big:zset', ...pairs);
      q.zadd('zset:ttl', '3', BIN_VAL);
      q.pexpire('zset:ttl', 3 * HOUR);
      const res = await q.exec();
      for (const [e] of res ?? []) if (e) throw e;
    });
    await forType('stream', async () => {
      const q = r.pipeline();
      for (let i = 0; i < 10; i++) q.xadd(`stream:${i}`, `${1000 + i}-1`, 'f', `v${i}`, 'bin', BIN_VAL);
      for (let i = 1; i <= 3000; i++) q.xadd('big:stream', `${i}-0`, 'seq', String(i), 'payload', 'p'.repeat(i % 50));
      q.xgroup('CREATE', 'big:stream', 'g1', '0');
      q.xgroup('CREATE', 'big:stream', 'g2', '$');
      q.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', 5, 'STREAMS', 'big:stream', '>');
      q.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', 3, 'STREAMS', 'big:stream', '>');
      q.xadd('stream:ttl', '5-5', 'a', '1');
      q.pexpire('stream:ttl', 4 * HOUR);
      q.xgroup('CREATE', 'stream:empty', 'g', '$', 'MKSTREAM');
      const res = await q.exec();
      for (const [e] of res ?? []) if (e) throw e;
    });
    // Other dbs.
    for (const db of [1, 5, 15]) {
      await r.select(db);
      const q = r.pipeline();
      for (let i = 0; i < 20 + db; i++) q.set(`db${db}:key:${i}`, `v${i}`);
      q.set(`db${db}:ttl`, 'x', 'PX', HOUR);
      await q.exec();
      await forType('hash', () => r.hset(`db${db}:hash`, 'f', 'v'));
      await forType('zset', () => r.zadd(`db${db}:zset`, 1, 'm'));
    }
    await r.select(0);
  } finally {
    r.disconnect();
  }
}

/** Phase 2 (after a BGSAVE, so in the AOF only): changes to existing keys, deletions, a MULTI. */
async function populate2(port: number): Promise<void> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    for (let i = 0; i < 20; i++) await r.del(`str:${i}`);
    for (let i = 300; i < 400; i++) await r.set(`str:${i}`, `late-${i}`);
    await r.append('str:50', '-appended');
    await r.pexpire('str:60', HOUR / 2);
    await r.persist('ttl:3');
    await r.set(Buffer.from([0x01, 0xff]), Buffer.from([0xff, 0xfe]), 'PX', HOUR);
    await forType('hash', async () => {
      await r.hdel('hash:1', 'name');
      await r.hset('hash:2', 'added', 'later');
      await r.hset('big:hash', 'f1', 'changed');
    });
    await forType('list', async () => {
      await r.lpop('list:1');
      await r.rpush('big:list', 'tail-1', 'tail-2');
      await r.lset('list:2', 0, 'set-by-lset');
    });
    await forType('set', async () => {
      await r.srem('set:1', '1');
      await r.sadd('big:set', 'late-member');
    });
    await forType('stream', async () => {
      await r.xadd('big:stream', '3001-0', 'seq', 'late');
      await r.xack('big:stream', 'g1', '1-0', '2-0');
      await r.xdel('big:stream', '10-0', '2000-0');
      await r.xreadgroup('GROUP', 'g2', 'carol', 'STREAMS', 'big:stream', '>');
      await r.call('XCLAIM', 'big:stream', 'g1', 'bob', '0', '3-0');
    });
    await forType('zset', async () => {
      await r.zincrby('zset:1', 10, 'a');
      await r.zrem('zset:2', 'b');
      await r.zadd('big:zset', 99999, 'player-late');
    });
    const m = r.multi();
    m.set('multi:a', '1');
    m.incr('multi:counter');
    m.incr('multi:counter');
    m.select(1);
    m.set('multi:in-db1', 'yes');
    await m.exec();
    await r.select(5);
    await r.flushdb();
    await r.set('db5:after-flush', 'v');
  } finally {
    r.disconnect();
  }
}

async function waitForBgsave(port: number): Promise<void> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    await r.bgsave();
    for (let i = 0; i < 600; i++) {
      const info = await r.info('persistence');
      if (/rdb_bgsave_in_progress:0/.test(info)) {
        expect(info).toMatch(/rdb_last_bgsave_status:ok/);
        return;
      }
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('BGSAVE did not finish');
  } finally {
    r.disconnect();
  }
}

interface Fixture {
  dir: string;
  state: State;
  sizes: number[];
}

async function makeFixture(withSnapshot: boolean, stop: 'SIGTERM' | 'SIGKILL'): Promise<Fixture> {
  const dir = tmp(withSnapshot ? 'hoard-tools-snap-' : 'hoard-tools-aof-');
  const srv = await startServer(dir, ['--appendonly', 'yes']);
  try {
    await populate1(srv.port);
    if (withSnapshot) await waitForBgsave(srv.port);
    await populate2(srv.port);
    const { state, sizes } = await readAll(srv.port);
    await srv.kill(stop);
    return { dir, state, sizes };
  } catch (err) {
    await srv.kill('SIGKILL');
    throw err;
  }
}

function copyDir(from: string): string {
  const to = tmp('hoard-tools-copy-');
  fs.cpSync(from, to, { recursive: true });
  return to;
}

const cleanup: Array<() => Promise<unknown> | void> = [];
const dirs: string[] = [];

/** A temp dir removed after the suite (servers are killed first). */
function tmp(prefix?: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}
let snap: Fixture;
let aofOnly: Fixture;

beforeAll(async () => {
  for (const t of ['check-aof', 'inspect', 'dump', 'restore']) {
    if (!fs.existsSync(path.join(TOOLS, `${t}.js`))) throw new Error(`dist/tools/${t}.js is missing: build first (npx tsc -p tsconfig.json)`);
  }
  [snap, aofOnly] = await Promise.all([makeFixture(true, 'SIGTERM'), makeFixture(false, 'SIGKILL')]);
}, 120_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  // eslint-disable-next-line no-console
  console.log(`tools.test: types exercised: ${[...typesRun].sort().join(', ')}${typesSkipped.size > 0 ? `; skipped: ${[...typesSkipped.keys()].join(', ')}` : ''}`);
});

async function freshHoard(): Promise<ServerProc> {
  const s = await startServer(tmp('hoard-tools-target-'));
  cleanup.push(() => s.kill('SIGKILL'));
  return s;
}

function pipeInto(port: number, resp: Buffer): void {
  const r = spawnSync('redis-cli', ['-p', String(port), '--pipe'], { input: resp, maxBuffer: 1 << 26 });
  const out = r.stdout.toString();
  expect(out, r.stderr.toString()).toMatch(/errors: 0, replies: \d+/);
  expect(r.status).toBe(0);
}

// ---- the tests ----------------------------------------------------------------------------------

describe('offline tools', { timeout: 90_000 }, () => {
  it('every tool answers --help (exit 0) and rejects bad usage (exit 2)', async () => {
    for (const t of ['check-aof', 'inspect', 'dump', 'restore']) {
      const h = await tool(t, ['--help']);
      expect(h.code, t).toBe(0);
      expect(h.stdout.toString()).toMatch(new RegExp(`^Usage: hoard-${t}`));
      const bad = await tool(t, ['--no-such-flag', '/tmp']);
      expect(bad.code, t).toBe(2);
      expect(bad.stderr).toMatch(new RegExp(`hoard-${t}: `));
      const none = await tool(t, []);
      expect(none.code, t).toBe(2);
    }
    const noDir = await tool('inspect', [path.join(tmp(), 'does-not-exist')]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/no such data directory/);
    const notHoard = await tool('dump', [tmp()]);
    expect(notHoard.code).toBe(2);
    expect(notHoard.stderr).toMatch(/not a Hoard data directory/);
    // The dump's encoding is documented.
    expect((await tool('dump', ['--help'])).stdout.toString()).toMatch(/base64/);
  });

  for (const which of ['snapshot+AOF', 'AOF-only (SIGKILLed)'] as const) {
    const fx = () => (which === 'snapshot+AOF' ? snap : aofOnly);

    it(`${which}: hoard-inspect counts match DBSIZE per db`, async () => {
      const r = await tool('inspect', ['--json', fx().dir]);
      expect(r.code, r.stderr).toBe(0);
      const rep = json(r);
      const perDb = new Array(DBS).fill(0);
      for (const d of rep.dbs) perDb[d.db] = d.keys;
      expect(perDb).toEqual(fx().sizes);
      expect(rep.keys).toBe(fx().sizes.reduce((a, b) => a + b, 0));
      if (which === 'snapshot+AOF') {
        expect(rep.snapshot.keys).toBeGreaterThan(0);
        expect(rep.aof.sinceSnapshot.records).toBeGreaterThan(0);
        expect(rep.aof.sinceSnapshot.bytes).toBeGreaterThan(0);
        expect(rep.snapshot.ageMs).toBeGreaterThanOrEqual(0);
      } else {
        expect(rep.snapshot).toBeNull();
        expect(rep.aof.sinceSnapshot.fromOffset).toBe(0);
      }
      // Per type, TTL histogram, rankings, prefixes.
      let strings = 0;
      let withTtl = 0;
      for (const [, s] of fx().state) {
        if (s.type === 'string') strings++;
        if (s.expireAt !== -1) withTtl++;
      }
      expect(rep.types.string).toBe(strings);
      expect(rep.ttl.none).toBe(rep.keys - withTtl);
      expect(rep.ttl['<1m'] + rep.ttl['<1h'] + rep.ttl['<1d'] + rep.ttl.more).toBe(withTtl);
      expect(rep.ttl.more).toBe(1); // ttl:long, 5 days
      expect(rep.biggestByMemory[0].key).toBe('big:string');
      expect(rep.biggestByMemory).toHaveLength(10);
      if (typesRun.has('list')) expect(rep.biggestByElements[0]).toMatchObject({ key: 'big:list', elements: 10_002 });
      const prefixes = new Map(rep.prefixes.map((p: { prefix: string; keys: number }) => [p.prefix, p.keys]));
      expect(prefixes.get('big:')).toBeGreaterThanOrEqual(1);
      expect(prefixes.get('ttl:')).toBe(51);

      const text = await tool('inspect', [fx().dir]);
      expect(text.code).toBe(0);
      expect(text.stdout.toString()).toMatch(/TTL: none \d+ \| <1m \d+ \| <1h \d+ \| <1d \d+ \| more 1/);
      expect(text.stdout.toString()).toMatch(/Biggest keys by estimated memory/);
    });

    it(`${which}: hoard-inspect --key prints one key`, async () => {
      const h = await tool('inspect', [fx().dir, '--key', 'hash:2']);
      expect(h.code, h.stderr).toBe(0);
      expect(h.stdout.toString()).toMatch(/type: hash/);
      expect(h.stdout.toString()).toMatch(/"added" => "later"/);
      const b = await tool('inspect', [fx().dir, '--key-base64', BIN_KEY.toString('base64'), '--json']);
      expect(b.code, b.stderr).toBe(0);
      expect(json(b)).toMatchObject({ db: 0, type: 'string', ttl: -1, value: { base64: BIN_VAL.toString('base64') } });
      const t = await tool('inspect', [fx().dir, '--key', 'db1:ttl', '--db', '1', '--json']);
      expect(json(t).ttl).toBeGreaterThan(HOUR - 120_000);
      const u = await tool('inspect', [fx().dir, '--key', UTF8_KEY, '--json']);
      expect(json(u)).toMatchObject({ key: UTF8_KEY, value: 'значение ✓' });
      const missing = await tool('inspect', [fx().dir, '--key', 'no-such-key']);
      expect(missing.code).toBe(1);
    });

    it(`${which}: RESP dump → redis-cli --pipe into a fresh Hoard and into redis-server gives the same data`, async () => {
      if (!HAVE_REDIS_CLI) return;
      const d = await tool('dump', ['--format', 'resp', fx().dir]);
      expect(d.code, d.stderr).toBe(0);
      const hoard = await freshHoard();
      pipeInto(hoard.port, d.stdout);
      expectSameData((await readAll(hoard.port)).state, fx().state, `${which} → Hoard`);
      if (HAVE_REDIS) {
        const redis = (await realRedis()) as Backend & { port: number };
        cleanup.push(() => redis.close());
        pipeInto(redis.port, d.stdout);
        expectSameData((await readAll(redis.port)).state, fx().state, `${which} → redis-server`);
      }
    });

    it(`${which}: JSONL dump → hoard-restore --dir → hoard-server gives the same data`, async () => {
      const out = path.join(tmp(), 'dump.jsonl');
      const d = await tool('dump', ['-o', out, fx().dir]);
      expect(d.code, d.stderr).toBe(0);
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(lines.length).toBe(fx().state.size);
      // Binary bytes are base64, UTF-8 text is text.
      const bin = lines.map((l) => JSON.parse(l)).find((o) => typeof o.key === 'object' && o.key.base64 === BIN_KEY.toString('base64'));
      expect(bin).toMatchObject({ db: 0, type: 'string', ttl: -1, value: { base64: BIN_VAL.toString('base64') } });
      expect(lines.some((l) => JSON.parse(l).key === UTF8_KEY)).toBe(true);

      const target = tmp('hoard-tools-restored-');
      const r = await tool('restore', [out, '--dir', target]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.toString()).toMatch(new RegExp(`Restored ${fx().state.size} keys`));
      // A second restore into the same dir is refused.
      const again = await tool('restore', [out, '--dir', target]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already holds data/);
      const srv = await startServer(target, ['--appendonly', 'yes']);
      cleanup.push(() => srv.kill('SIGKILL'));
      const got = await readAll(srv.port);
      expectSameData(got.state, fx().state, `${which} JSONL → restore --dir`);
      expect(got.sizes).toEqual(fx().sizes);
    });

    it(`${which}: JSONL dump → hoard-restore --host into a running server`, async () => {
      const d = await tool('dump', [fx().dir]);
      expect(d.code, d.stderr).toBe(0);
      const hoard = await freshHoard();
      const r = await tool('restore', ['-', '--host', '127.0.0.1', '--port', String(hoard.port)], d.stdout);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.toString()).toMatch(/ 0 errors/);
      expectSameData((await readAll(hoard.port)).state, fx().state, `${which} → restore --host`);
      // Not into a server that already holds keys, unless --force (which replaces them).
      const refused = await tool('restore', ['-', '--host', '127.0.0.1', '--port', String(hoard.port)], d.stdout);
      expect(refused.code).toBe(2);
      const forced = await tool('restore', ['-', '--host', '127.0.0.1', '--port', String(hoard.port), '--force'], d.stdout);
      expect(forced.code, forced.stderr).toBe(0);
      expectSameData((await readAll(hoard.port)).state, fx().state, `${which} → restore --host --force`);
    });

    it(`${which}: hoard-check-aof finds the AOF valid`, async () => {
      const r = await tool('check-aof', [fx().dir]);
      expect(r.code, r.stdout.toString() + r.stderr).toBe(0);
      expect(r.stdout.toString()).toMatch(/AOF is valid/);
    });
  }

  it('hoard-dump filters by --db, --match and --type', async () => {
    const byDb = (await tool('dump', ['--db', '1', snap.dir])).stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(byDb.length).toBe(snap.sizes[1]);
    expect(byDb.every((o) => o.db === 1)).toBe(true);
    const byMatch = (await tool('dump', ['--match', 'hash:*', snap.dir])).stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(byMatch.length).toBeGreaterThan(0);
    expect(byMatch.every((o) => typeof o.key === 'string' && o.key.startsWith('hash:'))).toBe(true);
    const expectedZsets = [...snap.state.values()].filter((s) => s.type === 'zset').length;
    const zs = (await tool('dump', ['--type', 'zset', snap.dir])).stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(zs.length).toBe(expectedZsets);
    const z1 = zs.find((o) => o.key === 'zset:1');
    if (z1) expect(z1.value).toEqual([['lo', '-inf'], ['tiny', 1e-300], ['b', 2.5], ['c', 1], ['a', 11], ['hi', 'inf']].sort((a, b) => score(a[1]) - score(b[1])));
    const streams = (await tool('dump', ['--type', 'stream', snap.dir])).stdout.toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(streams.map((o) => o.key).sort()).toEqual([...snap.state.keys()].filter((k) => snap.state.get(k)!.type === 'stream').map((k) => Buffer.from(k.slice(2), 'hex').toString()).sort());
    const bad = await tool('dump', ['--type', 'nosuch', snap.dir]);
    expect(bad.code).toBe(2);
  });

  it('hoard-check-aof finds a flipped byte at the right offset, and --fix --yes makes a dir the server starts from', async () => {
    const dir = copyDir(snap.dir);
    const aofDir = path.join(dir, 'appendonlydir');
    const segs = fs.readdirSync(aofDir).filter((f) => /^appendonly\.aof\.\d+\.aof$/.test(f));
    expect(segs).toHaveLength(1);
    const file = path.join(aofDir, segs[0]!);
    const buf = fs.readFileSync(file);
    const starts: number[] = [];
    for (let pos = 0; pos + AOF_HEADER_SIZE <= buf.length; pos += AOF_HEADER_SIZE + buf.readUInt32LE(pos + 4)) starts.push(pos);
    expect(starts.length).toBeGreaterThan(10);
    const k = Math.floor(starts.length / 2);
    buf[starts[k]! + AOF_HEADER_SIZE + 3] ^= 0x5a;
    fs.writeFileSync(file, buf);

    const r = await tool('check-aof', [dir]);
    expect(r.code).toBe(1);
    const text = r.stdout.toString();
    expect(text).toContain(`${file} at byte ${starts[k]}`);
    expect(text).toContain(`record #${k + 1} of the log`);
    expect(text).toContain(`${k} good records before it`);
    const j = json(await tool('check-aof', ['--json', dir]));
    expect(j.problem).toMatchObject({ kind: 'bad-crc', segment: segs[0], fileOffset: starts[k], goodRecords: k, recordNumber: k + 1 });

    // The server refuses this dir; dump and inspect refuse it too (exit 1).
    expect((await tool('dump', [dir])).code).toBe(1);
    expect((await tool('inspect', [dir])).code).toBe(1);
    // --fix needs --yes when stdin is not a terminal, and changes nothing without it.
    const noYes = await tool('check-aof', ['--fix', dir]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/--yes/);
    expect(fs.statSync(file).size).toBe(buf.length);

    const fix = await tool('check-aof', ['--fix', '--yes', dir]);
    expect(fix.code, fix.stdout.toString() + fix.stderr).toBe(0);
    expect(fs.statSync(file).size).toBe(starts[k]);
    const backups = fs.readdirSync(aofDir).filter((f) => f.startsWith(`${segs[0]}.cut-`));
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(aofDir, backups[0]!))).toEqual(buf.subarray(starts[k]!));
    expect((await tool('check-aof', [dir])).code).toBe(0);

    const counts = json(await tool('inspect', ['--json', dir]));
    const srv = await startServer(dir, ['--appendonly', 'yes']);
    cleanup.push(() => srv.kill('SIGKILL'));
    const live = await readAll(srv.port);
    const perDb = new Array(DBS).fill(0);
    for (const d of counts.dbs) perDb[d.db] = d.keys;
    expect(perDb).toEqual(live.sizes);
  });

  it('a torn AOF tail (crash mid-append) is reported by check-aof and dropped by dump, as the server does', async () => {
    const dir = copyDir(aofOnly.dir);
    const aofDir = path.join(dir, 'appendonlydir');
    const seg = fs.readdirSync(aofDir).filter((f) => /^appendonly\.aof\.\d+\.aof$/.test(f)).sort().at(-1)!;
    const file = path.join(aofDir, seg);
    const size = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from([0xa7, 0x01, 0x00])); // a header cut short
    const c = await tool('check-aof', ['--json', dir]);
    expect(c.code).toBe(1);
    expect(json(c).problem).toMatchObject({ kind: 'torn-tail', fileOffset: size });
    const d = await tool('dump', [dir]);
    expect(d.code).toBe(0);
    expect(d.stderr).toMatch(/incomplete record/);
    expect(d.stdout.toString().trim().split('\n')).toHaveLength(aofOnly.state.size);
    expect(fs.statSync(file).size).toBe(size + 3); // read-only: the tool did not cut it
  });

  it('hoard-restore --force replaces a data dir (the old AOF is moved aside)', async () => {
    const out = path.join(tmp(), 'aof-only.jsonl');
    expect((await tool('dump', ['-o', out, aofOnly.dir])).code).toBe(0);
    const dir = copyDir(snap.dir);
    const r = await tool('restore', [out, '--dir', dir, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString()).toMatch(/old AOF was moved to/);
    const srv = await startServer(dir, ['--appendonly', 'yes']);
    cleanup.push(() => srv.kill('SIGKILL'));
    expectSameData((await readAll(srv.port)).state, aofOnly.state, 'restore --force');
  });

  it('a data dir locked by a running server is refused (exit 2) and works with --unsafe-live-copy', async () => {
    const dir = copyDir(snap.dir);
    const srv = await startServer(dir, ['--appendonly', 'yes']);
    cleanup.push(() => srv.kill('SIGKILL'));
    for (const [t, args] of [
      ['inspect', [dir]],
      ['dump', [dir]],
      ['check-aof', [dir]],
      ['check-aof', ['--fix', '--yes', dir]],
    ] as const) {
      const r = await tool(t, [...args]);
      expect(r.code, t).toBe(2);
      expect(r.stderr, t).toMatch(/locked by a running Hoard server/);
    }
    const restore = await tool('restore', ['-', '--dir', dir], '');
    expect(restore.code).toBe(2);
    expect(restore.stderr).toMatch(/locked by a running Hoard server/);

    // Writes keep arriving while the copy is taken.
    const w = srv.client();
    await w.set('live:1', 'x');
    const writer = (async () => {
      for (let i = 0; i < 200; i++) await w.set(`live:w:${i}`, 'y');
    })();
    const live = await tool('inspect', ['--json', '--unsafe-live-copy', dir]);
    await writer;
    expect(live.code, live.stderr).toBe(0);
    expect(live.stderr).toMatch(/copy of a live data directory.*torn/);
    const rep = json(live);
    expect(rep.liveCopy).toMatch(/stale/);
    expect(rep.dbs.find((d: { db: number }) => d.db === 1).keys).toBe(snap.sizes[1]);
    const db0 = rep.dbs.find((d: { db: number }) => d.db === 0).keys;
    expect(db0).toBeGreaterThanOrEqual(snap.sizes[0]! + 1);
    expect(db0).toBeLessThanOrEqual(snap.sizes[0]! + 201);

    const c = await tool('check-aof', ['--unsafe-live-copy', dir]);
    expect([0, 1]).toContain(c.code); // 1 only if the copy caught a record mid-append (torn tail)
    const d = await tool('dump', ['--unsafe-live-copy', '--db', '1', dir]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout.toString().trim().split('\n')).toHaveLength(snap.sizes[1]!);
    expect((await tool('check-aof', ['--fix', '--unsafe-live-copy', dir])).code).toBe(2);
    // The live copy was a copy: the server's files are untouched and it still serves.
    expect(await w.get('live:1')).toBe('x');
    w.disconnect();
  });
});

function score(s: unknown): number {
  return s === 'inf' ? Infinity : s === '-inf' ? -Infinity : (s as number);
}
