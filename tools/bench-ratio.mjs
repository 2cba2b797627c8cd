// Reads resp-bench.sh tables (hoard.N, redis.N, ceiling.N in a folder: whichever exist) and
// prints, per test and pipeline, the median rps and p99 of each server and the ratios
// Hoard/Redis, Hoard/ceiling and ceiling/Redis.
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
const median = (a) => {
  const s = a.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};
const files = fs.readdirSync(dir);
const load = (who) => files.filter((f) => f.startsWith(who + '.')).map((f) => parse(path.join(dir, f)));
const runs = { hoard: load('hoard'), redis: load('redis'), ceiling: load('ceiling') };
const present = Object.keys(runs).filter((k) => runs[k].length > 0);
const first = runs[present[0]]?.[0] ?? {};
const stat = (who, test, i, field) => median(runs[who].map((t) => t[test]?.[i]?.[field] ?? NaN));
const ratio = (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? '-' : (a / b).toFixed(2));
const pairs = [['hoard', 'redis'], ['hoard', 'ceiling'], ['ceiling', 'redis']].filter(([a, b]) => present.includes(a) && present.includes(b));

const head = ['test', 'pipeline', ...present.map((w) => `${w}_rps`), ...pairs.map(([a, b]) => `${a}/${b}`), ...present.map((w) => `${w}_p99`)];
const rows = [head];
for (const test of Object.keys(first)) {
  first[test].forEach((col, i) => {
    const rps = Object.fromEntries(present.map((w) => [w, stat(w, test, i, 'rps')]));
    rows.push([
      test,
      col.p,
      ...present.map((w) => (Number.isNaN(rps[w]) ? '-' : String(Math.round(rps[w])))),
      ...pairs.map(([a, b]) => ratio(rps[a], rps[b])),
      ...present.map((w) => {
        const p = stat(w, test, i, 'p99');
        return Number.isNaN(p) ? '-' : p.toFixed(3);
      }),
    ]);
  });
}
const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
