// Micro-benchmark of ZSet and the score parser/formatter (not part of the test run).
// Run: node --expose-gc node_modules/vite-node/vite-node.mjs test/bench/zset-bench.ts [n]
import { ZSet } from '../../src/types/zset.js';
import { formatScore, parseFloatStrict } from '../../src/util/numbers.js';
import { mulberry32 } from '../helpers/prng.js';

const N = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/** V8 heap plus ArrayBuffer backing stores (the skiplist arena lives in one). */
function heap(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function time(label: string, ops: number, f: () => void): void {
  const t0 = process.hrtime.bigint();
  f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label.padEnd(42)} ${(ops / ms / 1000).toFixed(2).padStart(7)} M ops/s  (${ms.toFixed(0)} ms)`);
}

// mulberry32: a 32-bit PRNG with a full period (an LCG in doubles collapses to ~16k values).
const rnd = mulberry32(42);

// 'double': distinct random doubles; 'integer': integers in 0..1e6; 'ties': 1000 distinct
// integer scores (a leaderboard where ties are ordered by member bytes).
const newScore = (kind: string): number =>
  kind === 'double' ? rnd() * 1e6 : Math.floor(rnd() * (kind === 'ties' ? 1000 : 1e6));

for (const kind of ['double', 'integer', 'ties'] as const) {
  console.log(`--- ${N} members, ${kind} scores`);
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < N; i++) {
    // Flat latin1 strings, as the protocol parser produces them (not concatenation ropes).
    members.push(Buffer.from('member:' + ((i * 2654435761) >>> 0).toString(36) + ':' + i, 'latin1').toString('latin1'));
    scores.push(newScore(kind));
  }
  const base = heap();
  const z = new ZSet();
  time('insert (set, new member)', N, () => {
    for (let i = 0; i < N; i++) z.set(members[i]!, scores[i]!);
  });
  const used = heap() - base;
  console.log(`heap per member (dict + skiplist, excluding the member strings): ${(used / N).toFixed(1)} B`);
  const q: number[] = [];
  for (let i = 0; i < N; i++) q.push(Math.floor(rnd() * N));
  let sink = 0;
  time('score (dict lookup)', N, () => {
    for (let i = 0; i < N; i++) sink += z.score(members[q[i]!]!)!;
  });
  time('rank', N, () => {
    for (let i = 0; i < N; i++) sink += z.rank(members[q[i]!]!)!;
  });
  time('rangeByRank, 10 members', N, () => {
    for (let i = 0; i < N; i++) {
      const s = q[i]! % (N - 10);
      z.rangeByRank(s, s + 9, i % 2 === 0, (_m, sc) => {
        sink += sc;
      });
    }
  });
  time('rangeByScore, LIMIT 0 10', N, () => {
    for (let i = 0; i < N; i++) {
      const lo = scores[q[i]!]!;
      z.rangeByScore({ min: lo, max: Infinity, minex: false, maxex: false }, false, 0, 10, (_m, sc) => {
        sink += sc;
      });
    }
  });
  time('rangeByScore rev, LIMIT 1000 10', N, () => {
    for (let i = 0; i < N; i++) {
      const hi = scores[q[i]!]!;
      z.rangeByScore({ min: -Infinity, max: hi, minex: false, maxex: false }, true, 1000, 10, (_m, sc) => {
        sink += sc;
      });
    }
  });
  time('countByScore', N, () => {
    for (let i = 0; i < N; i++) {
      const a = scores[q[i]!]!;
      sink += z.countByScore({ min: a, max: a + 1000, minex: true, maxex: false });
    }
  });
  time('set (update score, moves node)', N, () => {
    for (let i = 0; i < N; i++) z.set(members[q[i]!]!, newScore(kind));
  });
  time('set (ZINCRBY-like +1, mostly in place)', N, () => {
    for (let i = 0; i < N; i++) {
      const m = members[q[i]!]!;
      z.set(m, z.score(m)! + 1);
    }
  });
  time('delete', N, () => {
    for (let i = 0; i < N; i++) z.delete(members[i]!);
  });
  if (z.size !== 0) throw new Error('not empty');
  if (sink === 42) console.log(sink);
}

console.log('--- score text');
const texts: string[] = [];
const vals: number[] = [];
for (let i = 0; i < N; i++) {
  const v = i % 3 === 0 ? Math.floor(rnd() * 1e6) : rnd() * 1e6;
  vals.push(v);
  texts.push(i % 3 === 0 ? String(v) : v.toFixed(2));
}
let acc = 0;
time('parseFloatStrict', N, () => {
  for (let i = 0; i < N; i++) acc += parseFloatStrict(texts[i]!)!;
});
time('formatScore (1/3 integers)', N, () => {
  for (let i = 0; i < N; i++) acc += formatScore(vals[i]!).length;
});
if (acc === 42) console.log(acc);
