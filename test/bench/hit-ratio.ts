// Hit ratio of the eviction policies, and SET throughput under eviction (not part of the test run).
//
//   node node_modules/vite-node/vite-node.mjs test/bench/hit-ratio.ts [--requests 10000000]
//       [--keys 1000000] [--cache 0.1] [--value 100] [--skip-servers] [--policies a,b]
//
// Traces (seeded, reproducible):
//   zipf   GETs of keys drawn from Zipf(0.99) over --keys keys.
//   scan   the same Zipf stream, with a sequential scan of never-repeated keys injected after
//          every 100k requests (1/3 of all requests are scan requests): a scan-resistant policy
//          keeps the Zipf head through the scans.
// Each trace is replayed by a cache client over RESP with pipelining (GET; SET of a --value
// bytes value on a miss, with EX 86400 for the volatile-* policies, which only evict keys with
// a TTL) against a hoard-server child for every Hoard policy (allkeys-sieve and allkeys-s3fifo
// are Hoard's own), and against
// redis-server with allkeys-lru and allkeys-lfu at the same maxmemory (for the dataset: minus
// each server's idle used_memory) and at the maxmemory that holds the same number of keys. maxmemory is sized so Hoard holds --cache of the keys.
// It is also replayed offline through exact LRU, SIEVE and S3-FIFO simulators of the same
// key capacity (where S3-FIFO was first measured against SIEVE).
//
//   node node_modules/vite-node/vite-node.mjs test/bench/hit-ratio.ts --throughput [n]
//       SET throughput of new keys when every write evicts (maxmemory full) against no maxmemory.
//
// HOARD_MAIN selects the compiled server (default dist/hoard-server.js: npm run build).

import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { startServer, pipeline } from './servers.js';
import { estimateEntry, USED_MEMORY_STARTUP } from '../../src/keyspace/memory.js';
import { mulberry32 } from '../helpers/prng.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const flag = (name: string) => argv.includes(`--${name}`);
const REQUESTS = opt('requests', 10_000_000);
const KEYS = opt('keys', 1_000_000);
const CACHE = opt('cache', 0.1);
const VALUE = opt('value', 100);
const SCAN_EVERY = 100_000;
const SCAN_LEN = 50_000;

// ---- traces -----------------------------------------------------------------------------

/** `n` key ids drawn from Zipf(s) over `keys` (rank r has weight 1/r^s), ranks scattered over ids. */
function zipfTrace(n: number, keys: number, s: number, seed: number): Uint32Array {
  const cdf = new Float64Array(keys);
  let sum = 0;
  for (let r = 0; r < keys; r++) cdf[r] = sum += 1 / Math.pow(r + 1, s);
  const rnd = mulberry32(seed);
  // Rank -> id: a fixed pseudo-random permutation, so hot keys are not the first inserted ones.
  const perm = new Uint32Array(keys);
  for (let i = 0; i < keys; i++) perm[i] = i;
  for (let i = keys - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd() * sum;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = perm[lo];
  }
  return out;
}

/** The Zipf trace with a scan of SCAN_LEN fresh keys (ids >= keys) after every SCAN_EVERY requests. */
function scanTrace(zipf: Uint32Array, keys: number): Uint32Array {
  const scans = Math.floor(zipf.length / SCAN_EVERY);
  const out = new Uint32Array(zipf.length + scans * SCAN_LEN);
  let o = 0;
  let next = keys;
  for (let i = 0; i < zipf.length; i++) {
    out[o++] = zipf[i];
    if ((i + 1) % SCAN_EVERY === 0) for (let j = 0; j < SCAN_LEN; j++) out[o++] = next++;
  }
  return out.subarray(0, o);
}

// ---- offline simulators (capacity in keys) --------------------------------------------------
// Typed arrays indexed by key id: a JS Map used as a queue rescans its deleted slots (see
// DESIGN.md), which made these simulations take minutes.

function maxId(trace: Uint32Array): number {
  let m = 0;
  for (let i = 0; i < trace.length; i++) if (trace[i] > m) m = trace[i];
  return m + 1;
}

/** Exact LRU: a doubly linked recency list over key ids. */
function simLru(trace: Uint32Array, cap: number): number {
  const n = maxId(trace);
  const prev = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const present = new Uint8Array(n);
  let head = -1; // least recent
  let tail = -1; // most recent
  let size = 0;
  let hits = 0;
  const unlink = (k: number) => {
    if (prev[k] >= 0) next[prev[k]] = next[k];
    else head = next[k];
    if (next[k] >= 0) prev[next[k]] = prev[k];
    else tail = prev[k];
    prev[k] = next[k] = -1;
  };
  const push = (k: number) => {
    prev[k] = tail;
    next[k] = -1;
    if (tail >= 0) next[tail] = k;
    else head = k;
    tail = k;
  };
  for (let i = 0; i < trace.length; i++) {
    const k = trace[i];
    if (present[k]) {
      hits++;
      if (k !== tail) {
        unlink(k);
        push(k);
      }
      continue;
    }
    if (size >= cap) {
      const v = head;
      unlink(v);
      present[v] = 0;
      size--;
    }
    present[k] = 1;
    push(k);
    size++;
  }
  return hits / trace.length;
}

/** SIEVE (as allkeys-sieve): a FIFO by insertion, a visited bit, a hand moving from old to new. */
function simSieve(trace: Uint32Array, cap: number): number {
  const n = maxId(trace);
  // The FIFO as a linked list (new at the tail); the hand walks from head (old) to tail.
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const state = new Uint8Array(n); // 0 absent, 1 present, 2 present + visited
  let head = -1;
  let tail = -1;
  let hand = -1;
  let size = 0;
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const k = trace[i];
    if (state[k] !== 0) {
      hits++;
      state[k] = 2;
      continue;
    }
    while (size >= cap) {
      if (hand < 0) hand = head;
      if (state[hand] === 2) {
        state[hand] = 1;
        hand = next[hand];
        continue;
      }
      const v = hand;
      hand = next[v];
      if (prev[v] >= 0) next[prev[v]] = next[v];
      else head = next[v];
      if (next[v] >= 0) prev[next[v]] = prev[v];
      else tail = prev[v];
      prev[v] = next[v] = -1;
      state[v] = 0;
      size--;
    }
    state[k] = 1;
    prev[k] = tail;
    next[k] = -1;
    if (tail >= 0) next[tail] = k;
    else head = k;
    tail = k;
    size++;
  }
  return hits / trace.length;
}

/** A FIFO of key ids in a ring buffer. */
class Ring {
  private buf: Int32Array;
  private h = 0;
  size = 0;
  constructor(cap: number) {
    this.buf = new Int32Array(cap);
  }
  push(k: number): void {
    this.buf[(this.h + this.size++) % this.buf.length] = k;
  }
  pop(): number {
    const k = this.buf[this.h];
    this.h = (this.h + 1) % this.buf.length;
    this.size--;
    return k;
  }
}

/**
 * S3-FIFO (Yang et al., SOSP '23): a small FIFO (10% of the space) filters one-hit keys; a key
 * used again while in it moves to the main FIFO, where a 2-bit frequency buys reinsertions; keys
 * evicted from the small FIFO are remembered in a ghost FIFO (as many as main holds), and one
 * that comes back is admitted straight to main.
 */
function simS3Fifo(trace: Uint32Array, cap: number): number {
  const n = maxId(trace);
  const smallCap = Math.max(1, Math.floor(cap * 0.1));
  const mainCap = cap - smallCap;
  const freq = new Int8Array(n).fill(-1); // -1 = not cached
  const ghostGen = new Int32Array(n); // generation of the key's live ghost record, 0 = none
  const small = new Ring(cap + 1);
  const main = new Ring(cap + 1);
  const ghostKeys = new Ring(mainCap + 1);
  const ghostGens = new Ring(mainCap + 1);
  let gen = 0;
  let size = 0;
  let hits = 0;
  const evictMain = () => {
    for (;;) {
      const x = main.pop();
      if (freq[x] > 0) {
        freq[x]--;
        main.push(x);
      } else {
        freq[x] = -1;
        size--;
        return;
      }
    }
  };
  const toGhost = (x: number) => {
    if (ghostKeys.size === mainCap) {
      const g = ghostKeys.pop();
      const gg = ghostGens.pop();
      if (ghostGen[g] === gg) ghostGen[g] = 0;
    }
    ghostGen[x] = ++gen;
    ghostKeys.push(x);
    ghostGens.push(gen);
  };
  const evictSmall = () => {
    while (small.size > 0) {
      const x = small.pop();
      if (freq[x] > 0) {
        freq[x] = 0;
        main.push(x);
        if (main.size > mainCap) evictMain();
      } else {
        freq[x] = -1;
        size--;
        toGhost(x);
        return;
      }
    }
  };
  for (let i = 0; i < trace.length; i++) {
    const k = trace[i];
    if (freq[k] >= 0) {
      hits++;
      if (freq[k] < 3) freq[k]++;
      continue;
    }
    while (size >= cap) {
      if (small.size >= smallCap || main.size === 0) evictSmall();
      else evictMain();
    }
    freq[k] = 0;
    size++;
    if (ghostGen[k] !== 0) {
      ghostGen[k] = 0;
      main.push(k);
    } else small.push(k);
  }
  return hits / trace.length;
}

// ---- replaying a trace against a server ------------------------------------------------------

/**
 * A cache client: for every request a GET; on a miss, a SET (sent with the next pipelined
 * round, so later requests see it). Returns hits over the whole trace and its second half.
 */
async function replay(port: number, trace: Uint32Array, valueLen: number, ttl: number): Promise<{ hit: number; hitSecondHalf: number; ops: number }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const value = 'v'.repeat(valueLen);
  const ex = String(ttl);
  const setHead = ttl > 0 ? '*5\r\n$3\r\nSET\r\n$' : '*3\r\n$3\r\nSET\r\n$';
  const setTail = `\r\n$${valueLen}\r\n${value}\r\n` + (ttl > 0 ? `$2\r\nEX\r\n$${ex.length}\r\n${ex}\r\n` : '');
  // Reply parser: records, per reply, whether it was a nil bulk.
  let expect = 0;
  let got = 0;
  const nil = new Uint8Array(4096);
  let wake: (() => void) | null = null;
  let skip = 0; // payload bytes (plus CRLF) of a bulk still to skip
  let partial = ''; // a header line split across chunks
  sock.on('data', (b: Buffer) => {
    let p = 0;
    while (p < b.length) {
      if (skip > 0) {
        const n = Math.min(skip, b.length - p);
        skip -= n;
        p += n;
        continue;
      }
      const nl = b.indexOf(10, p);
      if (nl < 0) {
        partial += b.toString('latin1', p, b.length);
        break;
      }
      const line = partial + b.toString('latin1', p, nl - 1 >= p ? nl - 1 : nl);
      partial = '';
      p = nl + 1;
      const t = line.charCodeAt(0);
      if (t === 36 /* $ */) {
        const len = Number(line.slice(1));
        if (len < 0) nil[got++] = 1;
        else {
          nil[got++] = 0;
          skip = len + 2;
        }
      } else if (t === 45 /* - */) {
        throw new Error(`error reply: ${line}`);
      } else nil[got++] = 0;
    }
    if (got === expect && skip === 0 && wake) {
      const w = wake;
      wake = null;
      w();
    }
  });
  const ROUND = 512;
  let hits = 0;
  let hits2 = 0;
  const half = trace.length >> 1;
  let misses: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < trace.length; ) {
    const end = Math.min(trace.length, i + ROUND);
    let s = '';
    for (const k of misses) {
      const key = `k:${k}`;
      s += `${setHead}${key.length}\r\n${key}${setTail}`;
    }
    const sets = misses.length;
    for (let j = i; j < end; j++) {
      const key = `k:${trace[j]}`;
      s += `*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`;
    }
    expect = sets + (end - i);
    got = 0;
    await new Promise<void>((r) => {
      wake = r;
      sock.write(Buffer.from(s, 'latin1'));
    });
    misses = [];
    for (let j = i; j < end; j++) {
      if (nil[sets + j - i] === 0) {
        hits++;
        if (j >= half) hits2++;
      } else misses.push(trace[j]);
    }
    i = end;
  }
  const ms = performance.now() - t0;
  sock.destroy();
  return { hit: hits / trace.length, hitSecondHalf: hits2 / (trace.length - half), ops: ((trace.length * 1000) / ms) | 0 };
}

function infoFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function runServer(
  kind: 'hoard' | 'redis',
  policy: string,
  maxmemory: number,
  trace: Uint32Array,
): Promise<string> {
  const srv = await startServer(kind, ['--maxmemory', String(maxmemory), '--maxmemory-policy', policy]);
  try {
    // volatile-* only evict keys with a TTL: there the client sets one (a day, so the expiry
    // order is the insertion order and volatile-ttl acts as a FIFO).
    const r = await replay(srv.port, trace, VALUE, policy.startsWith('volatile-') ? 86400 : 0);
    const c = new Redis({ port: srv.port, host: '127.0.0.1' });
    const st = infoFields(await c.info('all'));
    c.disconnect();
    const keys = st.db0 ? Number(/keys=(\d+)/.exec(st.db0)![1]) : 0;
    return `${`${kind} ${policy}`.padEnd(26)} hit ${(r.hit * 100).toFixed(2).padStart(6)}%  (2nd half ${(r.hitSecondHalf * 100).toFixed(2).padStart(6)}%)  keys held ${String(keys).padStart(7)}  evicted ${st.evicted_keys.padStart(8)}  ${(r.ops / 1000).toFixed(0)}k req/s`;
  } finally {
    await srv.stop();
  }
}

/** used_memory one more key of the bench's shape costs on redis-server (measured). */
async function redisPerKey(): Promise<{ startup: number; perKey: number }> {
  const srv = await startServer('redis', []);
  const c = new Redis({ port: srv.port, host: '127.0.0.1' });
  const u0 = Number(infoFields(await c.info('memory')).used_memory);
  const n = 20_000;
  await pipeline(srv.port, n, (i) => ['SET', `k:${100000 + i}`, 'v'.repeat(VALUE)]);
  const u1 = Number(infoFields(await c.info('memory')).used_memory);
  c.disconnect();
  await srv.stop();
  return { startup: u0, perKey: (u1 - u0) / n };
}

async function hitRatio(): Promise<void> {
  const capacity = Math.round(KEYS * CACHE);
  const hoardPerKey = estimateEntry(`k:${KEYS >> 1}`, 'v'.repeat(VALUE));
  const maxmemory = USED_MEMORY_STARTUP + capacity * hoardPerKey;
  console.log(
    `Zipf(0.99), ${REQUESTS} requests over ${KEYS} keys, ${VALUE}-byte values; cache for ${capacity} keys (${CACHE * 100}%): Hoard maxmemory ${maxmemory} (${hoardPerKey} B/key)\n`,
  );
  let t = performance.now();
  const zipf = zipfTrace(REQUESTS, KEYS, 0.99, 12345);
  const scan = scanTrace(zipf, KEYS);
  console.log(`traces built in ${((performance.now() - t) / 1000).toFixed(1)} s (scan trace: ${scan.length} requests)\n`);
  for (const [name, trace] of [
    ['zipf', zipf],
    ['scan', scan],
  ] as const) {
    console.log(`-- trace ${name}: offline simulation, capacity ${capacity} keys`);
    const row: string[] = [];
    for (const [label, sim] of [
      ['exact LRU', simLru],
      ['SIEVE', simSieve],
      ['S3-FIFO', simS3Fifo],
    ] as const) {
      t = performance.now();
      row.push(`${label} ${(sim(trace, capacity) * 100).toFixed(2)}% (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
    console.log('   ' + row.join('   '));
  }
  if (flag('skip-servers')) return;
  const policiesArg = argv.indexOf('--policies');
  const hoardPolicies =
    policiesArg >= 0
      ? argv[policiesArg + 1].split(',')
      : ['allkeys-lru', 'allkeys-lfu', 'allkeys-sieve', 'allkeys-s3fifo', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-ttl', 'volatile-random'];
  const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
  const redis = haveRedis ? await redisPerKey() : null;
  for (const [name, trace] of [
    ['zipf', zipf],
    ['scan', scan],
  ] as const) {
    console.log(`\n-- trace ${name}: servers (for volatile-* the client sets every key with EX 86400)`);
    for (const p of hoardPolicies) {
      if (p.startsWith('volatile-') && name === 'scan') continue;
      console.log(await runServer('hoard', p, maxmemory, trace));
    }
    if (redis !== null) {
      // Redis's idle server is ~0.9 MB against Hoard's 7 MB: "the same maxmemory" is taken as
      // the same bytes for the dataset (maxmemory minus the idle server's used_memory).
      const sameBytes = Math.round(redis.startup + (maxmemory - USED_MEMORY_STARTUP));
      const sameKeys = Math.round(redis.startup + capacity * redis.perKey);
      for (const p of ['allkeys-lru', 'allkeys-lfu']) {
        console.log((await runServer('redis', p, sameBytes, trace)) + `  [maxmemory ${sameBytes}: same dataset bytes]`);
        console.log((await runServer('redis', p, sameKeys, trace)) + `  [maxmemory ${sameKeys}: same key count]`);
      }
    }
  }
}

// ---- SET throughput with and without eviction -----------------------------------------------

async function throughput(n: number): Promise<void> {
  console.log(`SET of ${n} new keys (100-byte values) over one connection, pipelined 1000 deep\n`);
  const perKey = estimateEntry(`key:${n >> 1}`, 'v'.repeat(100));
  const full = 100_000;
  const cases: Array<[string, string, string[]]> = [
    ['hoard', 'no maxmemory', []],
    ['hoard', 'allkeys-lru, full', ['--maxmemory', String(USED_MEMORY_STARTUP + full * perKey), '--maxmemory-policy', 'allkeys-lru']],
    ['hoard', 'allkeys-lfu, full', ['--maxmemory', String(USED_MEMORY_STARTUP + full * perKey), '--maxmemory-policy', 'allkeys-lfu']],
    ['hoard', 'allkeys-sieve, full', ['--maxmemory', String(USED_MEMORY_STARTUP + full * perKey), '--maxmemory-policy', 'allkeys-sieve']],
    ['hoard', 'allkeys-s3fifo, full', ['--maxmemory', String(USED_MEMORY_STARTUP + full * perKey), '--maxmemory-policy', 'allkeys-s3fifo']],
    ['hoard', 'allkeys-random, full', ['--maxmemory', String(USED_MEMORY_STARTUP + full * perKey), '--maxmemory-policy', 'allkeys-random']],
  ];
  if (spawnSync('redis-server', ['--version']).status === 0) {
    cases.push(['redis', 'no maxmemory', []], ['redis', 'allkeys-lru, full', ['--maxmemory', String(1_000_000 + full * 190), '--maxmemory-policy', 'allkeys-lru']]);
  }
  for (const [kind, label, args] of cases) {
    const srv = await startServer(kind as 'hoard' | 'redis', args);
    // Fill first, so that every measured SET evicts (when maxmemory is set).
    await pipeline(srv.port, full + 10_000, (i) => ['SET', `fill:${i}`, 'v'.repeat(100)]);
    const ops = await pipeline(srv.port, n, (i) => ['SET', `key:${i}`, 'v'.repeat(100)]);
    const c = new Redis({ port: srv.port, host: '127.0.0.1' });
    const st = infoFields(await c.info('stats'));
    c.disconnect();
    await srv.stop();
    console.log(`${kind.padEnd(6)} ${label.padEnd(22)} ${(ops / 1000).toFixed(0).padStart(5)}k SET/s   evicted_keys ${st.evicted_keys}`);
  }
}

if (flag('throughput')) {
  const i = argv.indexOf('--throughput');
  await throughput(Number(argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : 1_000_000));
} else await hitRatio();
