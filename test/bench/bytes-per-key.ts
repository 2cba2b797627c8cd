// Bytes per key and the accuracy of used_memory (not part of the test run).
//
//   node node_modules/vite-node/vite-node.mjs test/bench/bytes-per-key.ts [keys] [--cases a,b]
//       1,000,000 (default) string keys with 100-byte values, 1M hashes of 5 fields, 0.5M sorted
//       sets of 5 members, one hash of 1M fields and one sorted set of 1M members, written over
//       TCP with pipelining to a hoard-server child process and to redis-server: used_memory and
//       RSS growth per key (per element for the one-key cases).
//       HOARD_MAIN selects the compiled server (default dist/hoard-server.js: npm run build).
//   node --expose-gc node_modules/vite-node/vite-node.mjs test/bench/bytes-per-key.ts --accuracy 1000000
//       used_memory growth against the V8 heap growth (heapUsed + ArrayBuffers after full GCs)
//       of strings, hashes, sets, sorted sets and lists of several sizes, each case in a fresh
//       in-process server (run as a child process, so one case's garbage cannot skew the next).

import path from 'node:path';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startServer, pipeline, encode } from './servers.js';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '../..');
const viteNode = path.join(root, 'node_modules/vite-node/vite-node.mjs');

function info(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function val(i: number, len: number): string {
  const s = i.toString(36);
  return s.length >= len ? s.slice(0, len) : s + 'x'.repeat(len - s.length);
}


/** The datasets compared with redis-server (CASES names): the strings, hashes and sorted sets. */
const AGAINST_REDIS = ['strings 100 B', 'hashes 5 x 10 B', 'zsets 5 x 10 B', 'one hash 100 B', 'one zset'];

async function bytesPerKey(n: number, names: string[]): Promise<void> {
  console.log(`used_memory and RSS growth per key (per element for one-key cases), written over one pipelined connection, ${n} keys scale\n`);
  for (const name of names) {
    const k = CASES.find((x) => x.name === name);
    if (k === undefined) throw new Error(`no case ${name}`);
    const keys = Math.max(1000, Math.round(n * k.scale));
    const rows: string[] = [];
    const per: number[] = [];
    for (const kind of ['hoard', 'redis'] as const) {
      if (kind === 'redis' && spawnSync('redis-server', ['--version']).status !== 0) continue;
      const srv = await startServer(kind, []);
      const r = new Redis({ port: srv.port, host: '127.0.0.1' });
      await new Promise((res) => setTimeout(res, 500));
      const before = info(await r.info('memory'));
      const ops = await pipeline(srv.port, keys, k.command);
      await new Promise((res) => setTimeout(res, 1000));
      const after = info(await r.info('memory'));
      // Idle for 10 s more: V8's memory reducer starts ~8 s after allocation stops and returns the
      // garbage and free pages a write burst leaves behind (Redis frees as it goes).
      await new Promise((res) => setTimeout(res, 10_000));
      const settled = info(await r.info('memory'));
      const used = (Number(after.used_memory) - Number(before.used_memory)) / keys;
      const rss = (Number(after.used_memory_rss) - Number(before.used_memory_rss)) / keys;
      const rssSettled = (Number(settled.used_memory_rss) - Number(before.used_memory_rss)) / keys;
      per.push(used, rssSettled);
      rows.push(
        `  ${kind.padEnd(6)} used_memory ${used.toFixed(0).padStart(4)} B   RSS growth ${rss.toFixed(0).padStart(4)} B after 1 s, ${rssSettled.toFixed(0).padStart(4)} B after 11 s   (used_memory ${(Number(after.used_memory) / 1048576).toFixed(0)} MB, RSS ${(Number(after.used_memory_rss) / 1048576).toFixed(0)} MB, ${(ops / 1000).toFixed(0)}k writes/s)`,
      );
      r.disconnect();
      await srv.stop();
    }
    const ratio = per.length === 4 ? `   Hoard RSS after 11 s / Redis used_memory ${(per[1] / per[2]).toFixed(2)}x` : '';
    console.log(`${name} (${keys} ${name.startsWith('one ') ? 'elements' : 'keys'})${ratio}\n${rows.join('\n')}`);
  }
}

// ---- --accuracy: used_memory against the V8 heap --------------------------------------------

interface Case {
  name: string;
  /** Keys per 1M requested. */
  scale: number;
  command: (i: number) => string[];
}

function fieldsOf(n: number, len: number, i: number): string[] {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push('f' + j, val(i * 131 + j, len));
  return a;
}
function membersOf(n: number, len: number, i: number): string[] {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push(val(i * 1009 + j, len));
  return a;
}
function scoredOf(n: number, len: number, i: number): string[] {
  const a: string[] = [];
  for (let j = 0; j < n; j++) a.push(String(j + 0.25), val(i * 1009 + j, len));
  return a;
}

const CASES: Case[] = [
  { name: 'strings 10 B', scale: 1, command: (i) => ['SET', `key:${i}`, val(i, 10)] },
  { name: 'strings 100 B', scale: 1, command: (i) => ['SET', `key:${i}`, val(i, 100)] },
  { name: 'strings 100 B + TTL', scale: 1, command: (i) => ['SET', `key:${i}`, val(i, 100), 'EX', '100000'] },
  { name: 'strings 1000 B', scale: 1, command: (i) => ['SET', `key:${i}`, val(i, 1000)] },
  { name: 'hashes 5 x 10 B', scale: 1, command: (i) => ['HSET', `h:${i}`, ...fieldsOf(5, 10, i)] },
  { name: 'hashes 100 x 20 B', scale: 0.02, command: (i) => ['HSET', `h:${i}`, ...fieldsOf(100, 20, i)] },
  { name: 'sets 5 x 12 B', scale: 1, command: (i) => ['SADD', `s:${i}`, ...membersOf(5, 12, i)] },
  { name: 'sets 200 x 16 B', scale: 0.02, command: (i) => ['SADD', `s:${i}`, ...membersOf(200, 16, i)] },
  { name: 'zsets 5 x 10 B', scale: 0.5, command: (i) => ['ZADD', `z:${i}`, ...scoredOf(5, 10, i)] },
  { name: 'zsets 200 x 12 B', scale: 0.02, command: (i) => ['ZADD', `z:${i}`, ...scoredOf(200, 12, i)] },
  { name: 'lists 5 x 10 B', scale: 1, command: (i) => ['RPUSH', `l:${i}`, ...membersOf(5, 10, i)] },
  { name: 'lists 300 x 30 B', scale: 0.02, command: (i) => ['RPUSH', `l:${i}`, ...membersOf(300, 30, i)] },
  // One big collection, a command per element ("per key" then reads per element).
  { name: 'one hash 100 B', scale: 1, command: (i) => ['HSET', 'bighash', `field:${i}`, val(i, 100)] },
  { name: 'one zset', scale: 1, command: (i) => ['ZADD', 'leaderboard', String((i * 7919) % 1_000_003), `player:${i}`] },
];

async function accuracyCase(name: string, n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const { Server } = await import('../../src/server/server.js');
  const { testConfig } = await import('../helpers/backends.js');
  const k = CASES.find((x) => x.name === name)!;
  const keys = Math.max(1000, Math.round(n * k.scale));
  const server = new Server(testConfig());
  const c = server.connectLocal(() => {});
  const turn = () => new Promise<void>((r) => setImmediate(r));
  await turn();
  const heap = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const usedMem = () => {
    server.ks.memory.flushPending();
    return server.ks.memory.usedMemory();
  };
  const h0 = heap();
  const u0 = usedMem();
  let batch = '';
  for (let i = 0; i < keys; i++) {
    batch += encode(k.command(i));
    if (batch.length > 512 * 1024) {
      c.onData(Buffer.from(batch, 'latin1'));
      batch = '';
      await turn();
    }
  }
  c.onData(Buffer.from(batch, 'latin1'));
  await turn();
  const u1 = usedMem();
  const h1 = heap();
  const grew = h1 - h0;
  const counted = u1 - u0;
  console.log(
    `${name.padEnd(22)} ${String(keys).padStart(8)} keys  heap +${(grew / keys).toFixed(0).padStart(6)} B/key  used_memory +${(counted / keys).toFixed(0).padStart(6)} B/key  error ${(((counted - grew) / grew) * 100).toFixed(1).padStart(5)}%`,
  );
  process.exit(0);
}

async function accuracy(n: number): Promise<void> {
  console.log(`used_memory growth vs V8 heap growth (heapUsed + ArrayBuffers, after full GCs), ${n} keys scale\n`);
  for (const k of CASES) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=16000', viteNode, here, '--case', k.name, String(n)], {
      cwd: root,
      encoding: 'utf8',
    });
    process.stdout.write(r.stdout.split('\n').filter((l) => l.includes('keys')).join('\n') + '\n');
    if (r.status !== 0) process.stdout.write(r.stderr);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--case') await accuracyCase(args[1], Number(args[2]));
else if (args[0] === '--accuracy') await accuracy(Number(args[1] ?? 1_000_000));
else {
  const ci = args.indexOf('--cases');
  const names = ci >= 0 ? args[ci + 1].split(',') : AGAINST_REDIS;
  const num = args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--cases');
  await bytesPerKey(Number(num ?? 1_000_000), names);
}
