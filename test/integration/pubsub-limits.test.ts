// Slow subscribers against a real server process: a subscriber that stops reading while a
// publisher floods its channel with big messages must be disconnected once over its
// client-output-buffer-limit (pubsub class: hard 32mb, soft 8mb/60s by default), the server's
// RSS must stay bounded, and other clients must keep being served (PING latency stays low).
// Each scenario also runs against redis-server 7.0 when installed, to prove the scenario itself.
//
// The Hoard server is the built one (dist/), started as a child process so its RSS can be read
// from /proc/<pid>/status. FLOOD_MB (default 1024) sets how much the publisher sends.

import net from 'node:net';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { redisServerAvailable, encodeArgs } from '../helpers/backends.js';
import { ensureBuilt, spawnServer, type ServerKind, type SpawnedServer } from '../helpers/proc.js';
import { RespDecoder } from '../helpers/resp-decoder.js';

const FLOOD_MB = Number(process.env.FLOOD_MB ?? 1024);
const RSS_BOUND_MB = 300;
const P99_BOUND_MS = 200;

/** A server whose stdout and stderr are kept (redis-server logs to stdout, Hoard to stderr). */
function start(kind: ServerKind, extra: string[] = []): Promise<SpawnedServer> {
  return spawnServer(kind, extra, { capture: 'all', dirPrefix: `hoard-pubsub-${kind}-` });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : 0;
}

/** A raw RESP connection with a FIFO of replies (no pub/sub routing needed here). */
class RawConn {
  readonly sock: net.Socket;
  private readonly dec = new RespDecoder();
  private readonly waiting: Array<(v: unknown) => void> = [];
  private readonly queued: unknown[] = [];
  closed = false;
  readonly closedAt: Promise<void>;

  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (d: Buffer) => {
      this.dec.feed(d);
      for (let r = this.dec.next(); r !== null; r = this.dec.next()) {
        const w = this.waiting.shift();
        if (w) w(r.value);
        else this.queued.push(r.value);
      }
    });
    this.sock.on('error', () => {});
    this.closedAt = new Promise((resolve) => this.sock.once('close', () => {
      this.closed = true;
      resolve();
    }));
  }

  async ready(): Promise<this> {
    if (this.sock.connecting) await new Promise((r) => this.sock.once('connect', r));
    return this;
  }

  reply(): Promise<unknown> {
    if (this.queued.length > 0) return Promise.resolve(this.queued.shift());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  send(buf: Buffer): void {
    this.sock.write(buf);
  }

  async call(...args: (string | number)[]): Promise<unknown> {
    this.send(encodeArgs(args));
    return this.reply();
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

interface FloodResult {
  sentMb: number;
  maxRssMb: number;
  p99Ms: number;
  pings: number;
  /** PUBLISH replies: receivers counted by the server. */
  firstZeroAt: number;
}

/**
 * PINGs the server in a loop from a worker thread, so that the latency measured is the server's
 * and not this process's event loop, busy pumping the flood. `stop()` resolves with the samples.
 */
function startPinger(port: number): { stop(): Promise<number[]> } {
  const code = `
    const net = require('node:net');
    const { parentPort, workerData } = require('node:worker_threads');
    const s = net.connect(workerData.port, '127.0.0.1');
    const lat = [];
    let stop = false;
    let t0 = 0;
    let buf = '';
    parentPort.on('message', () => { stop = true; });
    const ping = () => {
      if (stop) { parentPort.postMessage(lat); s.destroy(); return; }
      t0 = performance.now();
      s.write('*1\\r\\n$4\\r\\nPING\\r\\n');
    };
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.endsWith('\\r\\n')) return;
      if (buf !== '+PONG\\r\\n') throw new Error('unexpected reply ' + JSON.stringify(buf));
      buf = '';
      lat.push(performance.now() - t0);
      setTimeout(ping, 1);
    });
    s.on('connect', ping);
  `;
  const w = new Worker(code, { eval: true, workerData: { port } });
  const result = new Promise<number[]>((resolve, reject) => {
    w.once('message', (v: number[]) => resolve(v));
    w.once('error', reject);
  });
  return {
    async stop() {
      w.postMessage('stop');
      const v = await result;
      await w.terminate();
      return v;
    },
  };
}

/**
 * Publishes `mb` MB in `msgKb`-KB messages to `channel` with a bounded window of commands in
 * flight, while another client PINGs in a loop (from a worker thread) and RSS is sampled.
 */
async function flood(p: SpawnedServer, channel: string, mb: number, msgKb: number): Promise<FloodResult> {
  const pub = await new RawConn(p.port).ready();
  const pinger = startPinger(p.port);
  const cmd = encodeArgs(['PUBLISH', channel, Buffer.alloc(msgKb * 1024, 'x')]);
  const total = Math.ceil((mb * 1024) / msgKb);
  let maxRss = 0;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, rssMb(p.child.pid!));
  }, 20);
  let firstZeroAt = -1;
  const window = 8;
  let inFlight = 0;
  let received = 0;
  const replies: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    pub.send(cmd);
    inFlight++;
    const idx = i;
    replies.push(
      pub.reply().then((v) => {
        inFlight--;
        received++;
        if (v === 0 && firstZeroAt < 0) firstZeroAt = idx;
      }),
    );
    while (inFlight >= window) await replies[received];
  }
  await Promise.all(replies);
  const latencies = await pinger.stop();
  clearInterval(sampler);
  maxRss = Math.max(maxRss, rssMb(p.child.pid!));
  pub.sock.destroy();
  return { sentMb: (total * msgKb) / 1024, maxRssMb: maxRss, p99Ms: percentile(latencies, 99), pings: latencies.length, firstZeroAt };
}
/** A subscriber that reads its confirmation, then stops reading. */
async function stalledSubscriber(p: SpawnedServer, channel: string): Promise<RawConn> {
  const sub = await new RawConn(p.port).ready();
  expect(await sub.call('SUBSCRIBE', channel)).toEqual(['subscribe', channel, 1]);
  sub.sock.pause();
  return sub;
}

const kinds: Array<'hoard' | 'redis'> = ['hoard'];
if (redisServerAvailable()) kinds.push('redis');

beforeAll(() => ensureBuilt(), 120_000);

describe.each(kinds)('pub/sub output buffer limits [%s]', (kind) => {
  let p: SpawnedServer;
  beforeAll(async () => {
    p = await start(kind);
  });
  afterAll(async () => {
    await p?.stop();
  });

  it(`a stalled subscriber is disconnected at the hard limit while ${FLOOD_MB} MB are published; RSS and PING latency stay bounded`, async () => {
    const sub = await stalledSubscriber(p, 'flood');
    const r = await flood(p, 'flood', FLOOD_MB, 1024);
    // eslint-disable-next-line no-console
    console.log(`[${kind}] flooded ${r.sentMb} MB: max RSS ${r.maxRssMb.toFixed(0)} MB, PING p99 ${r.p99Ms.toFixed(1)} ms over ${r.pings} pings, receivers 0 from message #${r.firstZeroAt}`);
    // The default hard limit is 32 MB, plus what the kernel socket buffers absorb: the
    // subscriber must be gone long before the flood ends.
    expect(r.firstZeroAt).toBeGreaterThan(0);
    expect(r.firstZeroAt).toBeLessThan(200);
    expect(r.maxRssMb).toBeLessThan(RSS_BOUND_MB);
    expect(r.p99Ms).toBeLessThan(P99_BOUND_MS);
    // The server closed the connection: once we read again, what was sent is followed by EOF.
    sub.sock.resume();
    await sub.closedAt;
    expect(sub.closed).toBe(true);
    const admin = await new RawConn(p.port).ready();
    expect(await admin.call('PUBSUB', 'NUMSUB', 'flood')).toEqual(['flood', 0]);
    const info = (await admin.call('INFO', 'stats')) as string;
    expect(info).toMatch(/\r\npubsub_channels:0\r\n/);
    admin.sock.destroy();
    if (kind === 'hoard') expect(p.output()).toMatch(/scheduled to be closed ASAP for overcoming of output buffer limits/);
  }, 300_000);

  it('the soft limit disconnects a subscriber that stays over it for longer than its seconds', async () => {
    const admin = await new RawConn(p.port).ready();
    expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 4mb 1')).toBe('OK');
    try {
      const sub = await stalledSubscriber(p, 'soft');
      const t0 = Date.now();
      // ~64 kB every 5 ms: past the kernel buffers and 4 MB within a second, then steady.
      const pub = await new RawConn(p.port).ready();
      const cmd = encodeArgs(['PUBLISH', 'soft', Buffer.alloc(64 * 1024, 'y')]);
      let overAt = -1;
      let goneAt = -1;
      while (Date.now() - t0 < 15_000) {
        pub.send(cmd);
        const n = await pub.reply();
        if (n === 0) {
          goneAt = Date.now() - t0;
          break;
        }
        if (overAt < 0) {
          const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
          const omem = Number(/ omem=(\d+)/.exec(list)?.[1] ?? 0);
          if (omem >= 4 * 1024 * 1024) overAt = Date.now() - t0;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      pub.sock.destroy();
      // eslint-disable-next-line no-console
      console.log(`[${kind}] soft limit: over 4 MB at ${overAt} ms, disconnected at ${goneAt} ms`);
      expect(goneAt).toBeGreaterThan(0);
      expect(overAt).toBeGreaterThan(0);
      // Over the soft limit continuously for more than 1 s (whole seconds: between 1 and 2+).
      expect(goneAt - overAt).toBeGreaterThanOrEqual(900);
      expect(goneAt - overAt).toBeLessThan(4000);
      sub.sock.resume();
      await sub.closedAt;
    } finally {
      expect(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60')).toBe('OK');
      admin.sock.destroy();
    }
  }, 60_000);
});
