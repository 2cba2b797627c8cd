// PUBLISH throughput to 1, 10 and 100 subscribers, Hoard (the built dist/ server) and
// redis-server 7.0 started side by side in the same sitting, so the machine's load is shared.
// Not part of the test run.
//
// Run (after `npm run build`):
//   node node_modules/vite-node/vite-node.mjs test/bench/pubsub-bench.ts [seconds-per-case] [payload-bytes]
//
// One publisher pipelines PUBLISH in batches of BATCH commands (one write, then it waits for the
// batch's replies); N subscribers read everything and only count bytes. A case ends when the
// time is up and every subscriber has received every message published: "msgs/s delivered" is
// publishes × N over the whole time, delivery included. Each case runs ROUNDS times per server,
// alternating servers, and the best round is reported (the least disturbed by other load).

import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { SERVER_JS, spawnServer, type SpawnedServer } from '../helpers/proc.js';
import { encodeArgs } from '../helpers/backends.js';

const SECONDS = Number(process.argv[2] ?? 3);
const PAYLOAD = Number(process.argv[3] ?? 100);
const BATCH = 100;
const ROUNDS = 3;
const SUBSCRIBERS = [1, 10, 100];

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Byte size of one `message` frame as a RESP2 subscriber receives it. */
function frameBytes(channel: string, payload: number): number {
  const bulk = (n: number) => 1 + String(n).length + 2 + n + 2;
  return 4 + bulk(7) + bulk(channel.length) + bulk(payload);
}

async function runCase(srv: SpawnedServer, n: number): Promise<{ publishes: number; seconds: number }> {
  const channel = 'bench';
  const subs: net.Socket[] = [];
  const received: number[] = [];
  const confirmBytes = 4 + 4 + 'subscribe'.length + 2 + 1 + String(channel.length).length + 2 + channel.length + 2 + 4;
  for (let i = 0; i < n; i++) {
    const s = await connect(srv.port);
    const idx = i;
    received.push(-confirmBytes);
    s.on('data', (d: Buffer) => {
      received[idx] += d.length;
    });
    s.write(encodeArgs(['SUBSCRIBE', channel]));
    subs.push(s);
  }
  while (received.some((r) => r < 0)) await new Promise((r) => setTimeout(r, 5));

  const pub = await connect(srv.port);
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => encodeArgs(['PUBLISH', channel, Buffer.alloc(PAYLOAD, 'p')])));
  // Replies are ":N\r\n" (N = subscribers): count CRLFs.
  let replies = 0;
  let wake: (() => void) | null = null;
  pub.on('data', (d: Buffer) => {
    for (let i = 0; i < d.length; i++) if (d[i] === 10) replies++;
    if (wake !== null) {
      const w = wake;
      wake = null;
      w();
    }
  });
  const t0 = performance.now();
  let sent = 0;
  while (performance.now() - t0 < SECONDS * 1000) {
    pub.write(batch);
    sent += BATCH;
    while (replies < sent) await new Promise<void>((r) => (wake = r));
  }
  const perSub = sent * frameBytes(channel, PAYLOAD);
  while (received.some((r) => r < perSub)) await new Promise((r) => setTimeout(r, 1));
  const seconds = (performance.now() - t0) / 1000;
  pub.destroy();
  for (const s of subs) s.destroy();
  await new Promise((r) => setTimeout(r, 200));
  return { publishes: sent, seconds };
}

async function main(): Promise<void> {
  if (!fs.existsSync(SERVER_JS)) throw new Error(`build first: ${SERVER_JS} missing (npm run build)`);
  const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
  const start = (kind: 'hoard' | 'redis') => spawnServer(kind, [], { dirPrefix: `pubsub-bench-${kind}-` });
  const servers = [await start('hoard')];
  if (haveRedis) servers.push(await start('redis'));
  console.log(`PUBLISH, ${PAYLOAD}-byte payload, pipelined in batches of ${BATCH}, ~${SECONDS}s per round, best of ${ROUNDS}; ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`${'server'.padEnd(8)}${'subs'.padStart(6)}${'PUBLISH/s'.padStart(12)}${'msgs/s delivered'.padStart(18)}`);
  try {
    for (const n of SUBSCRIBERS) {
      const best = new Map<string, number>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const srv of servers) {
          const r = await runCase(srv, n);
          const rate = r.publishes / r.seconds;
          if (rate > (best.get(srv.kind) ?? 0)) best.set(srv.kind, rate);
        }
      }
      for (const srv of servers) {
        const rate = best.get(srv.kind)!;
        console.log(`${srv.kind.padEnd(8)}${String(n).padStart(6)}${Math.round(rate).toLocaleString('en-US').padStart(12)}${Math.round(rate * n).toLocaleString('en-US').padStart(18)}`);
      }
    }
  } finally {
    for (const srv of servers) await srv.stop();
  }
}

await main();
