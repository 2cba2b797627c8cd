// Durability benchmarks beside redis-server, same sitting (issue 5's figures). Not a test:
//   npm run build && npx vite-node test/bench/durability.ts [keys=1000000]
// 1. SET throughput at 50 clients (redis-benchmark -t set, P1) with no persistence, everysec
//    and always, for Hoard and Redis: the ratios to each one's no-persistence figure. Two runs
//    of 100k SETs per fresh server: "cold" is the first (a fresh Node process compiles its hot
//    paths during it), "warm" the second, on the same server and data.
// 2. BGSAVE of N keys with 100-byte values: duration, and the worst PING latency seen by a
//    client pinging in a loop meanwhile (the event-loop stall), plus RSS before/after. The
//    pinger is a process of its own on a raw socket (PINGER): in this process its replies would
//    also wait for the INFO polling and for this process's own GC. Beside it, the server's main
//    thread's CPU time and its time spent runnable but waiting for a CPU (/proc schedstat): on
//    2 cores a stall is mostly that wait, for any server (its own helper threads, Redis's fork
//    child, the pinger and the poller all compete for the 2 cores).
// 3. Restart with N keys: from the snapshot (Redis: RDB) and from the AOF alone.
// PARTS=fsync or PARTS=save runs only 1 or only 2 + 3; KINDS=hoard (or redis) runs 2 + 3 on one server.
// Hoard runs with the V8 flags of its hoard-server shebang (SERVER_NODE_FLAGS).

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/backends.js';
import { SERVER_JS, SERVER_NODE_FLAGS } from '../helpers/proc.js';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** Which parts to run: PARTS=fsync,save (the default: both). */
const PARTS = new Set((process.env.PARTS ?? 'fsync,save').split(','));
/** Which servers parts 2 + 3 run: KINDS=hoard or KINDS=redis (the default: both). */
const KINDS = (process.env.KINDS ?? 'hoard,redis').split(',') as Kind[];

type Kind = 'hoard' | 'redis';

async function waitReady(port: number, child: ChildProcess): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error('server exited');
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.write('PING\r\n');
        s.once('data', (d) => {
          s.destroy();
          resolve(d.toString().startsWith('+PONG'));
        });
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function start(kind: Kind, dir: string, args: string[]): Promise<{ port: number; child: ChildProcess; readyMs: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child =
    kind === 'hoard'
      ? spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_JS, '--port', String(port), '--dir', dir, '--loglevel', 'warning', ...args], { stdio: 'ignore' })
      : spawn('redis-server', ['--port', String(port), '--dir', dir, '--loglevel', 'warning', ...args], { stdio: 'ignore' });
  await waitReady(port, child);
  return { port, child, readyMs: performance.now() - t0 };
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await done;
}

/** Resident memory of a process: all of it, and its anonymous part (without mapped files). */
function rss(pid: number): { all: number; anon: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number((new RegExp(`${name}:\\s+(\\d+)`).exec(status) ?? [])[1] ?? 0) * 1024;
  return { all: kb('VmRSS'), anon: kb('RssAnon') };
}

function setRps(port: number): number {
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-c', '50', '-n', '100000', '-r', '100000', '-d', '100', '-t', 'set', '--csv'], { encoding: 'utf8' });
  const line = out.trim().split('\n').pop()!;
  return Number(line.split(',')[1].replace(/"/g, ''));
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function fill(port: number): Promise<void> {
  const r = new Redis({ port, host: '127.0.0.1' });
  const value = 'v'.repeat(100);
  for (let i = 0; i < N; i += 10_000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(N, i + 10_000); j++) p.set(`key:${j}`, value);
    await p.exec();
  }
  r.disconnect();
}

/**
 * The pinger process: PING, wait for +PONG, again, on one raw socket. Prints "ready" after its
 * first reply (the connection set-up, 10-30 ms here, is not timed), and on SIGTERM one JSON line:
 * pings, the worst round trip and how many took over 10 ms.
 */
const PINGER = `
const s = require('net').connect(Number(process.argv[1]), '127.0.0.1');
s.setNoDelay(true);
let t = 0, n = -1, max = 0, over10 = 0;
s.on('data', () => {
  if (n < 0) process.stdout.write('ready\\n');
  else { const d = performance.now() - t; if (d > max) max = d; if (d > 10) over10++; }
  n++; t = performance.now(); s.write('PING\\r\\n');
});
s.on('connect', () => s.write('PING\\r\\n'));
process.on('SIGTERM', () => { process.stdout.write(JSON.stringify({ pings: n, maxMs: max, over10 }) + '\\n'); process.exit(0); });
`;

/** CPU time of a thread and its time runnable but waiting for a CPU, in ms (/proc schedstat). */
function schedstat(pid: number, tid: number): { runMs: number; waitMs: number } {
  const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { runMs: run / 1e6, waitMs: wait / 1e6 };
}

async function bgsave(
  kind: Kind,
  port: number,
  pid: number,
): Promise<{ ms: number; maxPingMs: number; pings: number; over10: number; mainRunMs: number; mainWaitMs: number; rssBefore: number; rssPeak: number; anonBefore: number; anonPeak: number }> {
  const r = new Redis({ port, host: '127.0.0.1' });
  const before = Number((/rdb_last_save_time:(\d+)/.exec(await r.info('persistence')) ?? [])[1]);
  const pinger = spawn(process.execPath, ['-e', PINGER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  pinger.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve) =>
    pinger.stdout!.on('data', (d: string) => {
      out += d;
      if (out.startsWith('ready\n')) resolve();
    }),
  );
  const before0 = rss(pid);
  const rssBefore = before0.all;
  const anonBefore = before0.anon;
  let rssPeak = rssBefore;
  let anonPeak = anonBefore;
  const sched0 = schedstat(pid, pid);
  const t0 = performance.now();
  await r.bgsave();
  for (;;) {
    const info = await r.info('persistence');
    const now = rss(pid);
    rssPeak = Math.max(rssPeak, now.all);
    anonPeak = Math.max(anonPeak, now.anon);
    if (/rdb_bgsave_in_progress:0/.test(info) && Number((/rdb_last_save_time:(\d+)/.exec(info) ?? [])[1]) >= before) break;
    await new Promise((res) => setTimeout(res, 5));
  }
  const ms = performance.now() - t0;
  const sched1 = schedstat(pid, pid);
  const exited = new Promise((res) => pinger.once('exit', res));
  pinger.kill('SIGTERM');
  await exited;
  const pings = JSON.parse(out.slice('ready\n'.length)) as { pings: number; maxMs: number; over10: number };
  r.disconnect();
  void kind;
  return {
    ms,
    maxPingMs: pings.maxMs,
    pings: pings.pings,
    over10: pings.over10,
    mainRunMs: sched1.runMs - sched0.runMs,
    mainWaitMs: sched1.waitMs - sched0.waitMs,
    rssBefore,
    rssPeak,
    anonBefore,
    anonPeak,
  };
}

async function main(): Promise<void> {
  console.log(`# durability bench: ${N} keys, ${ROUNDS} rounds, ${os.cpus().length} cpus, load ${os.loadavg()[0].toFixed(2)}`);
  // 1. fsync policies
  const policies: Array<[string, string[], string[]]> = [
    ['none', ['--appendonly', 'no', '--save', ''], ['--appendonly', 'no', '--save', '']],
    ['everysec', ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']],
    ['always', ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']],
  ];
  const rps: Record<string, Record<Kind, number[]>> = {};
  const cold: Record<string, Record<Kind, number[]>> = {};
  for (let round = 0; round < (PARTS.has('fsync') ? ROUNDS : 0); round++) {
    for (const [name, hargs, rargs] of policies) {
      for (const kind of (round % 2 === 0 ? ['hoard', 'redis'] : ['redis', 'hoard']) as Kind[]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
        const s = await start(kind, dir, kind === 'hoard' ? hargs : rargs);
        ((cold[name] ??= { hoard: [], redis: [] })[kind]).push(setRps(s.port));
        ((rps[name] ??= { hoard: [], redis: [] })[kind]).push(setRps(s.port));
        await stop(s.child);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  for (const [label, table] of PARTS.has('fsync') ? ([['cold: first 100k SETs of a fresh server', cold], ['warm: the next 100k', rps]] as const) : []) {
    console.log(`\n## SET at 50 clients, P1, ${label} (median rps; ratio to the same server without persistence)`);
    for (const [name] of policies) {
      const h = median(table[name].hoard);
      const r = median(table[name].redis);
      console.log(
        `${name.padEnd(9)} hoard ${String(Math.round(h)).padStart(7)} (${(h / median(table.none.hoard)).toFixed(2)}x)   redis ${String(Math.round(r)).padStart(7)} (${(r / median(table.none.redis)).toFixed(2)}x)   hoard/redis ${(h / r).toFixed(2)}`,
      );
    }
  }

  // 2 + 3. BGSAVE, then restarts
  for (const kind of (PARTS.has('save') ? KINDS : []) as Kind[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const extra = kind === 'hoard' ? ['--appendonly', 'yes', '--auto-aof-rewrite-percentage', '0', '--save', ''] : ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--save', ''];
    const s = await start(kind, dir, extra);
    await fill(s.port);
    // The AOF-only restart needs the AOF as written by the load (Hoard's BGSAVE deletes the
    // segments a snapshot covers): copy it once everysec has flushed it.
    await new Promise((r) => setTimeout(r, 2000));
    const aofDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-aof-'));
    fs.cpSync(path.join(dir, 'appendonlydir'), path.join(aofDir, 'appendonlydir'), { recursive: true });
    const saves = [];
    for (let i = 0; i < ROUNDS; i++) saves.push(await bgsave(kind, s.port, s.child.pid!));
    await stop(s.child, 'SIGKILL');
    console.log(`\n## ${kind}: BGSAVE of ${N} keys (100-byte values)`);
    console.log(`duration ms (median of ${ROUNDS}): ${median(saves.map((x) => x.ms)).toFixed(0)}; worst PING ms: ${Math.max(...saves.map((x) => x.maxPingMs)).toFixed(1)} (per round ${saves.map((x) => x.maxPingMs.toFixed(1)).join(', ')}; PINGs answered per round ${saves.map((x) => x.pings).join(', ')}, over 10 ms ${saves.map((x) => x.over10).join(', ')})`);
    console.log(`server main thread per round: on a CPU ${saves.map((x) => x.mainRunMs.toFixed(0)).join(', ')} ms, runnable but waiting for one ${saves.map((x) => x.mainWaitMs.toFixed(0)).join(', ')} ms`);
    console.log(`RSS before ${(saves[0].rssBefore / 1e6).toFixed(0)} MB, peak ${(Math.max(...saves.map((x) => x.rssPeak)) / 1e6).toFixed(0)} MB; anonymous (without mapped files) ${(saves[0].anonBefore / 1e6).toFixed(0)} -> ${(Math.max(...saves.map((x) => x.anonPeak)) / 1e6).toFixed(0)} MB`);
    // Restart from snapshot (+ an AOF tail that the snapshot covers) and from the AOF alone.
    const fromSnap: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = await start(kind, dir, kind === 'hoard' ? ['--appendonly', 'no', '--save', ''] : ['--appendonly', 'no', '--save', '', '--dbfilename', 'dump.rdb']);
      fromSnap.push(t.readyMs);
      await stop(t.child);
    }
    const fromAof: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = await start(kind, aofDir, ['--appendonly', 'yes', '--save', '']);
      fromAof.push(t.readyMs);
      await stop(t.child);
    }
    console.log(`restart from snapshot/RDB: ${(median(fromSnap) / 1000).toFixed(2)} s; from AOF alone: ${(median(fromAof) / 1000).toFixed(2)} s`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(aofDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
