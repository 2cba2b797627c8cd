// Leaderboard benchmark (not part of the test run): the game workload DESIGN.md names, against
// any server speaking RESP — Hoard or redis-server — so both can be measured in one sitting.
//
//   npx vite-node test/bench/leaderboard.ts <port> [pid] [--seconds N] [--members N] [--clients N]
//
// 1. Loads --members (default 1,000,000) players into one sorted set with pipelined ZADDs of
//    1,000 pairs each, and reports the load rate.
// 2. Runs --clients (default 50) concurrent ioredis connections for --seconds (default 10), each
//    looping ZINCRBY lb <1..100> <random player>, ZREVRANK lb <player>, ZREVRANGE lb 0 9
//    WITHSCORES, one command at a time, timing every command.
// 3. Reports commands/s, p50/p99/max latency per command and overall, and the server's memory:
//    INFO memory used_memory, and VmRSS from /proc/<pid>/status when a pid is given (with the
//    pid, also the server's CPU time per command: on a small machine the client shares the
//    cores, so commands/s measures the client as much as the server).
//
// The set is left in place (DEL lb afterwards, or FLUSHALL) so its memory can be inspected.

import fs from 'node:fs';
import { Redis } from 'ioredis';
import { mulberry32 } from '../helpers/prng.js';

interface Options {
  port: number;
  pid: number | null;
  seconds: number;
  members: number;
  clients: number;
  host: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { port: 0, pid: null, seconds: 10, members: 1_000_000, clients: 50, host: '127.0.0.1' };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--members') o.members = Number(argv[++i]);
    else if (a === '--clients') o.clients = Number(argv[++i]);
    else if (a === '--host') o.host = argv[++i];
    else positional.push(a);
  }
  o.port = Number(positional[0]);
  if (positional[1] !== undefined) o.pid = Number(positional[1]);
  if (!Number.isInteger(o.port) || o.port <= 0) {
    process.stderr.write('usage: npx vite-node test/bench/leaderboard.ts <port> [pid] [--seconds N] [--members N] [--clients N]\n');
    process.exit(2);
  }
  return o;
}

function connect(o: Options): Redis {
  return new Redis({ port: o.port, host: o.host, maxRetriesPerRequest: 1, enableAutoPipelining: false, lazyConnect: false });
}

async function memory(r: Redis, pid: number | null): Promise<{ used: number; rss: number | null }> {
  const info: string = await r.info('memory');
  const m = /used_memory:(\d+)/.exec(info);
  let rss: number | null = null;
  if (pid !== null) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const v = /VmRSS:\s+(\d+) kB/.exec(status);
      if (v) rss = Number(v[1]) * 1024;
    } catch {
      rss = null;
    }
  }
  return { used: m ? Number(m[1]) : NaN, rss };
}

/**
 * CPU seconds the server process has used (utime + stime from /proc/<pid>/stat, in clock ticks
 * of 1/100 s on Linux), or null. The client runs on the same machine, so commands/s partly
 * measures the client; server CPU per command does not.
 */
function serverCpu(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const mb = (n: number | null) => (n === null || Number.isNaN(n) ? 'n/a' : `${(n / 1048576).toFixed(1)} MB`);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return sorted[i];
}

/** Growable array of latencies in microseconds. */
class Samples {
  buf = new Float64Array(1 << 16);
  n = 0;
  push(v: number): void {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = v;
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.n).sort();
  }
}

async function load(o: Options, r: Redis): Promise<void> {
  await r.del('lb');
  const rnd = mulberry32(42);
  const BATCH = 1000; // pairs per ZADD
  const PIPELINE = 50; // ZADDs in flight per round trip
  const t0 = performance.now();
  let done = 0;
  while (done < o.members) {
    const p = r.pipeline();
    for (let k = 0; k < PIPELINE && done < o.members; k++) {
      const args: (string | number)[] = [];
      const n = Math.min(BATCH, o.members - done);
      for (let i = 0; i < n; i++) {
        args.push(Math.floor(rnd() * 1_000_000), `player:${done + i}`);
      }
      p.zadd('lb', ...args);
      done += n;
    }
    const res = await p.exec();
    for (const [err] of res ?? []) if (err) throw err;
  }
  const ms = performance.now() - t0;
  const card = await r.zcard('lb');
  console.log(`load: ${card} members in ${(ms / 1000).toFixed(2)} s (${Math.round(card / (ms / 1000)).toLocaleString('en-US')} members/s)`);
  if (card !== o.members) throw new Error(`expected ${o.members} members, found ${card}`);
}

async function run(o: Options): Promise<void> {
  const admin = connect(o);
  const before = await memory(admin, o.pid);
  console.log(`server on ${o.host}:${o.port}${o.pid !== null ? ` (pid ${o.pid})` : ''}: ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?'}`);
  console.log(`memory before load: used_memory ${mb(before.used)}, RSS ${mb(before.rss)}`);
  await load(o, admin);
  const loaded = await memory(admin, o.pid);
  console.log(
    `memory after load:  used_memory ${mb(loaded.used)}, RSS ${mb(loaded.rss)}` +
      ` (~${Math.round((loaded.used - before.used) / o.members)} B/member used_memory` +
      (loaded.rss !== null && before.rss !== null ? `, ~${Math.round((loaded.rss - before.rss) / o.members)} B/member RSS)` : ')'),
  );

  const clients: Redis[] = [];
  for (let i = 0; i < o.clients; i++) clients.push(connect(o));
  await Promise.all(clients.map((c) => c.ping()));

  const names = ['ZINCRBY', 'ZREVRANK', 'ZREVRANGE 0 9 WITHSCORES'];
  const samples = names.map(() => new Samples());
  const all = new Samples();
  const deadline = performance.now() + o.seconds * 1000;
  let commands = 0;
  let errors = 0;

  const worker = async (c: Redis, seed: number): Promise<void> => {
    const rnd = mulberry32(seed);
    while (performance.now() < deadline) {
      const player = `player:${Math.floor(rnd() * o.members)}`;
      const incr = 1 + Math.floor(rnd() * 100);
      try {
        let t = performance.now();
        await c.zincrby('lb', incr, player);
        let t2 = performance.now();
        samples[0].push((t2 - t) * 1000);
        all.push((t2 - t) * 1000);
        t = t2;
        await c.zrevrank('lb', player);
        t2 = performance.now();
        samples[1].push((t2 - t) * 1000);
        all.push((t2 - t) * 1000);
        t = t2;
        await c.zrevrange('lb', 0, 9, 'WITHSCORES');
        t2 = performance.now();
        samples[2].push((t2 - t) * 1000);
        all.push((t2 - t) * 1000);
        commands += 3;
      } catch {
        errors++;
      }
    }
  };
  const cpu0 = serverCpu(o.pid);
  const t0 = performance.now();
  await Promise.all(clients.map((c, i) => worker(c, 1000 + i)));
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = serverCpu(o.pid);

  console.log(`\nworkload: ${o.clients} clients x (ZINCRBY + ZREVRANK + ZREVRANGE 0 9 WITHSCORES) for ${secs.toFixed(1)} s`);
  console.log(`  ${commands.toLocaleString('en-US')} commands, ${Math.round(commands / secs).toLocaleString('en-US')} commands/s, ${Math.round(commands / 3 / secs).toLocaleString('en-US')} rounds/s, ${errors} errors`);
  if (cpu0 !== null && cpu1 !== null) {
    const cpu = cpu1 - cpu0;
    console.log(`  server CPU: ${cpu.toFixed(2)} s (${((cpu / secs) * 100).toFixed(0)}% of one core), ${((cpu / commands) * 1e6).toFixed(1)} us per command`);
  }
  const row = (label: string, s: Samples) => {
    const sorted = s.sorted();
    const f = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} us`);
    console.log(`  ${label.padEnd(28)} p50 ${f(percentile(sorted, 50)).padStart(9)}  p99 ${f(percentile(sorted, 99)).padStart(9)}  max ${f(sorted[sorted.length - 1] ?? NaN).padStart(9)}`);
  };
  for (let i = 0; i < names.length; i++) row(names[i], samples[i]);
  row('all commands', all);
  const after = await memory(admin, o.pid);
  console.log(`memory after run:   used_memory ${mb(after.used)}, RSS ${mb(after.rss)}`);
  for (const c of clients) c.disconnect();
  admin.disconnect();
}

run(parseArgs(process.argv.slice(2))).catch((err) => {
  console.error(err);
  process.exit(1);
});
