// Reads resp-bench.sh tables (hoard.N, redis.N in a folder) and prints the median rps per test
// and pipeline for both servers and their ratio.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
function parse(file) {
  const rows = {};
  let cols = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((s) => s.trim().split(/\s+/));
    if (line.startsWith('test')) {
      cols = cells.slice(1).map((c) => c[0]);
      continue;
    }
    if (!cols.length || line.startsWith('#') || !line.trim()) continue;
    const name = cells[0][0];
    rows[name] = cols.map((c, i) => ({ p: c, rps: Number(cells[i + 1][0]), p99: Number(cells[i + 1][2]) }));
  }
  return rows;
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const files = fs.readdirSync(dir);
const load = (who) => files.filter((f) => f.startsWith(who + '.')).map((f) => parse(path.join(dir, f)));
const h = load('hoard'), r = load('redis');
console.log('test     pipeline   hoard_rps   redis_rps   ratio   hoard_p99  redis_p99');
for (const test of Object.keys(h[0] ?? {})) {
  h[0][test].forEach((col, i) => {
    const hr = median(h.map((t) => t[test]?.[i]?.rps ?? NaN));
    const rr = median(r.map((t) => t[test]?.[i]?.rps ?? NaN));
    const hp = median(h.map((t) => t[test]?.[i]?.p99 ?? NaN));
    const rp = median(r.map((t) => t[test]?.[i]?.p99 ?? NaN));
    console.log(`${test.padEnd(8)} ${col.p.padEnd(9)} ${String(Math.round(hr)).padStart(10)} ${String(Math.round(rr)).padStart(11)} ${(hr / rr).toFixed(2).padStart(7)} ${String(hp).padStart(10)} ${String(rp).padStart(10)}`);
  });
}
