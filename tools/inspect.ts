#!/usr/bin/env node
// hoard-inspect: summarizes a data dir as the server would load it (current snapshot + the AOF
// after it): keys per db and per type, a TTL histogram, the biggest keys by estimated memory and
// by element count, memory by key prefix, the snapshot's offset and age, the AOF written since
// the snapshot; or, with --key, one key's type, value and TTL. Loading is lib/data-dir.ts (the
// server's own loader, offline); the walk over the loaded keyspace is a pure read (no expiry,
// no LRU touch): a key that is logically expired is counted apart, as a client cannot see it.

import { reprString } from '../src/config.js';
import type { ValueType } from '../src/keyspace/index.js';
import { EXIT_OK, EXIT_PROBLEM, formatBytes, formatDuration, intFlag, printJson, runTool, strFlag, usageError, type ToolSpec } from './lib/cli.js';
import { describeAofProblem, loadDataset, openDataDir, type LoadedDataset, type OpenDataDir } from './lib/data-dir.js';
import { elementCount, encodeJsonLine, elementsOf, jsonBytes, scoreText, VALUE_TYPES } from './lib/key-format.js';
import { estimateKeyBytes } from './lib/memory.js';
import { Progress } from './lib/progress.js';

const HELP = `Usage: hoard-inspect [options] <data-dir>
       hoard-inspect [options] <data-dir> --key <key> [--db <n>]

Loads a Hoard data directory the way the server would (the current snapshot,
then the AOF records after the snapshot's offset) without starting a server,
and summarizes it:
  - keys per db and per type, keys with a TTL, estimated memory;
  - a TTL histogram: none / <1m / <1h / <1d / more;
  - the 10 biggest keys by estimated memory and by element count;
  - estimated memory by key prefix (the key up to its Nth ":"), top 20;
  - the snapshot's id, log offset, key count and age, and the AOF written
    since the snapshot (records, bytes, log offsets).
Memory figures are estimates of V8 heap use (like MEMORY USAGE, for ranking).
Keys that are already expired are left out (a client cannot see them).

Options:
  --key <key>          Print one key's type, TTL and value instead (the key as
                       UTF-8 text; --key-base64 <b64> for any bytes).
  --db <n>             The db of --key (default 0).
  --top <n>            How many biggest keys to list (default 10).
  --prefixes <n>       How many prefixes to list (default 20).
  --prefix-depth <n>   Prefix = the key up to its n-th ":" (default 1).
  --no-aof             Ignore the AOF (what a server with appendonly no loads).
  --json               Print the summary (or the key) as JSON on stdout; byte
                       strings as in hoard-dump (UTF-8 text or {"base64": ...}).
  --config <file>      A hoard.conf for databases / appenddirname / appendfilename
                       and the value encodings.
  --unsafe-live-copy   If a running server holds the data dir, inspect a copy of
                       its files instead of refusing.
  -h, --help           Show this help.

Exit status: 0 ok, 1 a problem was found (a damaged AOF or snapshot the server
would refuse; a --key that does not exist), 2 bad usage or an I/O error (e.g.
the data dir is locked by a running server).
`;

const spec: ToolSpec = {
  name: 'hoard-inspect',
  help: HELP,
  options: {
    key: { type: 'string' },
    'key-base64': { type: 'string' },
    db: { type: 'string' },
    top: { type: 'string' },
    prefixes: { type: 'string' },
    'prefix-depth': { type: 'string' },
    'no-aof': { type: 'boolean' },
    json: { type: 'boolean' },
    config: { type: 'string' },
    'unsafe-live-copy': { type: 'boolean' },
  },
  minPositionals: 1,
  maxPositionals: 1,
};

const TTL_BUCKETS = ['none', '<1m', '<1h', '<1d', 'more'] as const;
type TtlBucket = (typeof TTL_BUCKETS)[number];

interface DbStats {
  db: number;
  keys: number;
  expires: number;
  bytes: number;
  types: Record<ValueType, number>;
}

interface Ranked {
  db: number;
  key: string;
  type: ValueType;
  bytes: number;
  elements: number;
}

/** The k largest items by `by`, kept sorted descending (k is small: insertion is fine). */
class TopK {
  readonly items: Ranked[] = [];
  constructor(
    private readonly k: number,
    private readonly by: (r: Ranked) => number,
  ) {}
  offer(r: Ranked): void {
    const v = this.by(r);
    const items = this.items;
    if (this.k === 0 || (items.length === this.k && v <= this.by(items[items.length - 1]!))) return;
    let i = items.length;
    while (i > 0 && this.by(items[i - 1]!) < v) i--;
    items.splice(i, 0, r);
    if (items.length > this.k) items.pop();
  }
}

function prefixOf(key: string, depth: number): string {
  let at = -1;
  for (let d = 0; d < depth; d++) {
    const next = key.indexOf(':', at + 1);
    if (next < 0) break;
    at = next;
  }
  return at < 0 ? '' : key.slice(0, at + 1);
}

function emptyTypes(): Record<ValueType, number> {
  return { string: 0, list: 0, hash: 0, set: 0, zset: 0, stream: 0 };
}

interface Summary {
  dbs: DbStats[];
  totals: { keys: number; expires: number; bytes: number; types: Record<ValueType, number>; expiredNotReaped: number };
  ttl: Record<TtlBucket, number>;
  byMemory: Ranked[];
  byElements: Ranked[];
  prefixes: Array<{ prefix: string; keys: number; bytes: number }>;
}

function summarize(ds: LoadedDataset, top: number, nPrefixes: number, depth: number, progress: Progress): Summary {
  const now = ds.now;
  const ttl: Record<TtlBucket, number> = { none: 0, '<1m': 0, '<1h': 0, '<1d': 0, more: 0 };
  const byMemory = new TopK(top, (r) => r.bytes);
  const byElements = new TopK(top, (r) => r.elements);
  const prefixes = new Map<string, { keys: number; bytes: number }>();
  const dbs: DbStats[] = [];
  const totals = { keys: 0, expires: 0, bytes: 0, types: emptyTypes(), expiredNotReaped: 0 };
  progress.phase('summarizing', ds.ks.totalKeys(), 'items');
  let done = 0;
  for (const db of ds.ks.dbs) {
    if (db.dict.size === 0) continue;
    const st: DbStats = { db: db.index, keys: 0, expires: 0, bytes: 0, types: emptyTypes() };
    for (const e of db.entries()) {
      if ((++done & 4095) === 0) progress.update(done);
      if (e.expireAt !== 0 && e.expireAt <= now) {
        totals.expiredNotReaped++;
        continue;
      }
      const type: ValueType = typeof e.value === 'string' ? 'string' : e.value.type;
      const bytes = estimateKeyBytes(e.key, e.value);
      st.keys++;
      st.bytes += bytes;
      st.types[type]++;
      if (e.expireAt === 0) ttl.none++;
      else {
        st.expires++;
        const left = e.expireAt - now;
        if (left < 60_000) ttl['<1m']++;
        else if (left < 3_600_000) ttl['<1h']++;
        else if (left < 86_400_000) ttl['<1d']++;
        else ttl.more++;
      }
      const r: Ranked = { db: db.index, key: e.key, type, bytes, elements: type === 'string' ? 0 : elementCount(e.value) };
      byMemory.offer(r);
      if (type !== 'string') byElements.offer(r);
      const p = prefixOf(e.key, depth);
      const agg = prefixes.get(p);
      if (agg === undefined) prefixes.set(p, { keys: 1, bytes });
      else {
        agg.keys++;
        agg.bytes += bytes;
      }
    }
    if (st.keys === 0) continue;
    dbs.push(st);
    totals.keys += st.keys;
    totals.expires += st.expires;
    totals.bytes += st.bytes;
    for (const t of VALUE_TYPES) totals.types[t] += st.types[t];
  }
  progress.end();
  const prefixList = [...prefixes.entries()]
    .map(([prefix, v]) => ({ prefix, ...v }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, nPrefixes);
  return { dbs, totals, ttl, byMemory: byMemory.items, byElements: byElements.items, prefixes: prefixList };
}

/** A byte string as JSON output shows it (UTF-8 text or {base64}). */
function jsonish(s: string): unknown {
  return JSON.parse(jsonBytes(s));
}

function header(d: OpenDataDir, ds: LoadedDataset): Record<string, unknown> {
  const snap = ds.snapshot;
  return {
    dir: d.origDir,
    liveCopy: d.liveCopyNote,
    snapshot:
      snap === null
        ? null
        : {
            id: snap.id,
            offset: snap.offset,
            keys: snap.keys,
            records: snap.records,
            startedAt: snap.startedAt,
            finishedAt: snap.finishedAt,
            ageMs: ds.now - snap.finishedAt,
            tookMs: snap.finishedAt - snap.startedAt,
            replid: snap.replid,
            keysLoaded: ds.snapshotKeys,
            expiredSkipped: ds.snapshotExpiredSkipped,
          },
    aof: {
      present: ds.aof.present,
      replayed: ds.aof.used,
      segments: ds.aof.segments,
      totalBytes: ds.aof.totalBytes,
      sinceSnapshot: { records: ds.aof.records, bytes: ds.aof.bytesSinceSnapshot, fromOffset: snap?.offset ?? 0, toOffset: ds.aof.endOffset },
      problem: ds.aof.problem,
      fatal: ds.aof.fatal,
    },
  };
}

function printSummaryText(d: OpenDataDir, ds: LoadedDataset, s: Summary, depth: number): void {
  const L: string[] = [];
  const snap = ds.snapshot;
  L.push(`Data dir: ${d.origDir}${d.liveCopyNote ? ' (live copy)' : ''}`);
  if (snap === null) L.push('Snapshot: none');
  else {
    L.push(
      `Snapshot: id ${snap.id} at log offset ${snap.offset}, ${snap.keys} keys in ${snap.records} records, ` +
        `finished ${new Date(snap.finishedAt).toISOString()} (${formatDuration(ds.now - snap.finishedAt)} ago, took ${formatDuration(snap.finishedAt - snap.startedAt)})`,
    );
  }
  if (!ds.aof.present) L.push('AOF: none');
  else {
    L.push(
      `AOF: ${ds.aof.segments.length} segment(s), ${formatBytes(ds.aof.totalBytes)} on disk; since the snapshot: ${ds.aof.records} records, ` +
        `${formatBytes(ds.aof.bytesSinceSnapshot)} (log offsets ${snap?.offset ?? 0}..${ds.aof.endOffset})${ds.aof.used ? '' : ' [not replayed: --no-aof]'}`,
    );
  }
  if (ds.aof.problem !== null) L.push(`AOF problem: ${ds.aof.problem.message}${ds.aof.fatal ? ' — the figures below stop at it' : ''}`);
  L.push(
    `Keys: ${s.totals.keys}${snap !== null ? ` (${ds.snapshotKeys} from the snapshot${ds.snapshotExpiredSkipped > 0 ? `, ${ds.snapshotExpiredSkipped} already expired and skipped` : ''})` : ''}` +
      `${s.totals.expiredNotReaped > 0 ? `; ${s.totals.expiredNotReaped} more already expired (not counted)` : ''}`,
  );
  L.push('');
  const row = (cols: Array<string | number>) => cols.map((c, i) => (i === 0 ? String(c).padEnd(6) : String(c).padStart(i === cols.length - 1 ? 12 : 9))).join(' ');
  L.push(row(['db', 'keys', 'expires', ...VALUE_TYPES, 'est. memory']));
  for (const db of s.dbs) L.push(row([db.db, db.keys, db.expires, ...VALUE_TYPES.map((t) => db.types[t]), formatBytes(db.bytes)]));
  L.push(row(['total', s.totals.keys, s.totals.expires, ...VALUE_TYPES.map((t) => s.totals.types[t]), formatBytes(s.totals.bytes)]));
  L.push('');
  L.push(`TTL: ${TTL_BUCKETS.map((b) => `${b} ${s.ttl[b]}`).join(' | ')}`);
  const ranked = (title: string, items: Ranked[]) => {
    L.push('');
    L.push(title);
    if (items.length === 0) L.push('  (none)');
    items.forEach((r, i) =>
      L.push(`  ${String(i + 1).padStart(2)}. db ${r.db} ${reprString(r.key)} ${r.type}, ${formatBytes(r.bytes)}${r.type === 'string' ? '' : `, ${r.elements} elements`}`),
    );
  };
  ranked(`Biggest keys by estimated memory (top ${s.byMemory.length}):`, s.byMemory);
  ranked(`Biggest keys by element count (top ${s.byElements.length}):`, s.byElements);
  L.push('');
  L.push(`Memory by key prefix (up to the ${depth === 1 ? 'first' : `${depth}th`} ":"; top ${s.prefixes.length}):`);
  for (const p of s.prefixes) {
    const pct = s.totals.bytes > 0 ? ((p.bytes * 100) / s.totals.bytes).toFixed(1) : '0.0';
    L.push(`  ${(p.prefix === '' ? '(no prefix)' : reprString(p.prefix)).padEnd(30)} ${String(p.keys).padStart(9)} keys ${formatBytes(p.bytes).padStart(10)} ${pct.padStart(5)}%`);
  }
  process.stdout.write(L.join('\n') + '\n');
}

function summaryJson(d: OpenDataDir, ds: LoadedDataset, s: Summary): Record<string, unknown> {
  const rk = (r: Ranked) => ({ db: r.db, key: jsonish(r.key), type: r.type, bytes: r.bytes, elements: r.type === 'string' ? undefined : r.elements });
  return {
    ...header(d, ds),
    keys: s.totals.keys,
    expiredNotCounted: s.totals.expiredNotReaped,
    estimatedBytes: s.totals.bytes,
    dbs: s.dbs,
    types: s.totals.types,
    ttl: s.ttl,
    biggestByMemory: s.byMemory.map(rk),
    biggestByElements: s.byElements.map(rk),
    prefixes: s.prefixes.map((p) => ({ prefix: jsonish(p.prefix), keys: p.keys, bytes: p.bytes })),
  };
}

function printKey(ds: LoadedDataset, db: number, key: string, json: boolean): number {
  const d = ds.ks.dbs[db];
  const s = d?.dict.get(key);
  const e = s === undefined ? undefined : { key, value: d.valueAt(s), expireAt: d.expiryAt(s) };
  if (e === undefined || (e.expireAt !== 0 && e.expireAt <= ds.now)) {
    if (json) printJson({ db, key: jsonish(key), exists: false });
    else process.stdout.write(`(nil): no key ${reprString(key)} in db ${db}\n`);
    return EXIT_PROBLEM;
  }
  const bytes = estimateKeyBytes(e.key, e.value);
  if (json) {
    const o = JSON.parse(encodeJsonLine(db, e.key, e.value, e.expireAt, ds.now)) as Record<string, unknown>;
    printJson({ ...o, exists: true, elements: elementCount(e.value), estimatedBytes: bytes });
    return EXIT_OK;
  }
  const v = e.value;
  const type = typeof v === 'string' ? 'string' : v.type;
  const L: string[] = [];
  L.push(`db ${db} key ${reprString(key)}`);
  L.push(`type: ${type}`);
  L.push(e.expireAt === 0 ? 'ttl: -1 (no expiry)' : `ttl: ${e.expireAt - ds.now} ms (expires at ${new Date(e.expireAt).toISOString()})`);
  L.push(`${type === 'string' ? `length: ${(v as string).length} bytes` : `elements: ${elementCount(v)}`}, estimated memory: ${formatBytes(bytes)}`);
  L.push('value:');
  if (typeof v === 'string') L.push(`  ${reprString(v)}`);
  else {
    let i = 0;
    for (const el of elementsOf(v)) {
      i++;
      if (typeof el === 'string') L.push(`  ${i}) ${reprString(el)}`);
      else if (type === 'zset') L.push(`  ${i}) ${reprString(el[0])} score ${scoreText(el[1] as number)}`);
      else L.push(`  ${i}) ${reprString(el[0])} => ${reprString(el[1] as string)}`);
    }
  }
  process.stdout.write(L.join('\n') + '\n');
  return EXIT_OK;
}

runTool(spec, async ({ values, positionals }) => {
  const json = values.json === true;
  const top = intFlag('top', values.top, 10, 1000);
  const nPrefixes = intFlag('prefixes', values.prefixes, 20, 100000);
  const depth = intFlag('prefix-depth', values['prefix-depth'], 1, 1000);
  if (depth < 1) throw usageError('--prefix-depth must be at least 1');
  const keyText = strFlag(values.key);
  const keyB64 = strFlag(values['key-base64']);
  if (keyText !== undefined && keyB64 !== undefined) throw usageError('give --key or --key-base64, not both');
  const key = keyText !== undefined ? Buffer.from(keyText, 'utf8').toString('latin1') : keyB64 !== undefined ? Buffer.from(keyB64, 'base64').toString('latin1') : undefined;
  const db = intFlag('db', values.db, 0, 255);
  if (values.db !== undefined && key === undefined) throw usageError('--db selects the db of --key');
  const d = await openDataDir({ dir: positionals[0]!, configFile: strFlag(values.config), unsafeLiveCopy: values['unsafe-live-copy'] === true, tool: spec.name });
  try {
    if (d.liveCopyNote) process.stderr.write(`note: ${d.liveCopyNote}\n`);
    if (key !== undefined && db >= d.config.num('databases')) throw usageError(`--db ${db} is out of range (databases ${d.config.num('databases')})`);
    const progress = new Progress();
    const ds = await loadDataset(d, { useAof: values['no-aof'] !== true, progress });
    if (ds.aof.problem !== null) process.stderr.write(`${describeAofProblem(ds.aof.problem, ds.aof.fatal)}\n`);
    let code: number;
    if (key !== undefined) code = printKey(ds, db, key, json);
    else {
      const s = summarize(ds, top, nPrefixes, depth, progress);
      if (json) printJson(summaryJson(d, ds, s));
      else printSummaryText(d, ds, s, depth);
      code = EXIT_OK;
    }
    return ds.aof.fatal ? EXIT_PROBLEM : code;
  } finally {
    await d.close();
  }
});
