// Snapshots a whole keyspace (every db, key, type, value and absolute expiry) into a plain object
// that `expect(...).toEqual(...)` can compare and diff: the replay, persistence and replication
// tests use it to prove two servers hold the same data.
//
// Invariant: the dump is a pure read. It walks the dicts directly, so it never expires a key,
// touches the LRU, counts a hit or propagates anything.
//
// Collections are read by duck typing, because their classes live in other files:
//   list → elements in order; set → members sorted by bytes; hash → [field, value] pairs sorted
//   by field; zset → [member, score] pairs in rank order (score as a number, -0 folded to 0).
// A collection must be iterable (or offer entries()/toArray()/forEach()); items may be plain
// strings, [a, b] tuples, or { member, score } / { field, value } / { key, value } objects.

import type { Keyspace } from '../../src/keyspace/index.js';
import type { Value } from '../../src/keyspace/index.js';

export interface DumpedKey {
  type: 'string' | 'list' | 'hash' | 'set' | 'zset';
  value: string | string[] | Array<[string, string]> | Array<[string, number]>;
  /** Absolute unix ms; 0 = no expiry. */
  expireAt: number;
}

/** db index → key → what the key holds. Only non-empty dbs appear. */
export type Dump = Record<number, Record<string, DumpedKey>>;

export interface DumpOptions {
  /**
   * Include keys that are logically expired but not reaped yet (default false: clients cannot
   * see them, and whether they are still in memory depends on the expire cycle's timing).
   */
  includeExpired?: boolean;
  /** The time "expired" is judged at (default: the keyspace's clock). */
  now?: number;
}

type Target = Keyspace | { ks: Keyspace };

function keyspaceOf(t: Target): Keyspace {
  return 'ks' in t ? t.ks : t;
}

/** Byte order for latin1 strings (UTF-16 code units are the bytes). */
function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every item a collection yields, by whatever iteration protocol it offers. */
function items(v: object, preferEntries: boolean): unknown[] {
  const o = v as {
    [Symbol.iterator]?: () => Iterator<unknown>;
    entries?: () => Iterable<unknown>;
    toArray?: () => unknown[];
    forEach?: (fn: (a: unknown, b: unknown) => void) => void;
  };
  if (preferEntries && typeof o.entries === 'function') return [...o.entries()];
  if (typeof o[Symbol.iterator] === 'function') return [...(o as Iterable<unknown>)];
  if (typeof o.entries === 'function') return [...o.entries()];
  if (typeof o.toArray === 'function') return o.toArray();
  if (typeof o.forEach === 'function') {
    const out: unknown[] = [];
    o.forEach((a, b) => out.push(b === undefined ? a : [a, b]));
    return out;
  }
  throw new Error(`dump: cannot iterate a ${(v as { type?: string }).type ?? typeof v} value`);
}

function pair(item: unknown, what: string): [unknown, unknown] {
  if (Array.isArray(item)) return [item[0], item[1]];
  if (item !== null && typeof item === 'object') {
    const o = item as Record<string, unknown>;
    if ('member' in o) return [o.member, o.score];
    if ('field' in o) return [o.field, o.value];
    if ('key' in o) return [o.key, o.value];
  }
  throw new Error(`dump: cannot read a ${what} item ${String(item)}`);
}

function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (Buffer.isBuffer(x)) return x.toString('latin1');
  // Members kept as numbers (intset-like) are compared by their decimal text, as Redis sees them.
  return String(x);
}

/** The comparable form of one value. */
export function dumpValue(v: Value): Pick<DumpedKey, 'type' | 'value'> {
  if (typeof v === 'string') return { type: 'string', value: v };
  switch (v.type) {
    case 'list':
      return { type: 'list', value: items(v, false).map(str) };
    case 'set':
      return { type: 'set', value: items(v, false).map((m) => str(Array.isArray(m) ? m[0] : m)).sort(byBytes) };
    case 'hash': {
      const pairs = items(v, true).map((it) => {
        const [f, val] = pair(it, 'hash');
        return [str(f), str(val)] as [string, string];
      });
      pairs.sort((a, b) => byBytes(a[0], b[0]));
      return { type: 'hash', value: pairs };
    }
    case 'zset': {
      const pairs = items(v, false).map((it) => {
        const [m, s] = pair(it, 'zset');
        const score = typeof s === 'number' ? s : Number(s);
        return [str(m), score === 0 ? 0 : score] as [string, number];
      });
      return { type: 'zset', value: pairs };
    }
    default:
      throw new Error(`dump: unknown value type ${(v as { type?: unknown }).type}`);
  }
}

/** Snapshots every db of a server (anything with `.ks`) or a Keyspace. */
export function dump(target: Target, opts: DumpOptions = {}): Dump {
  const ks = keyspaceOf(target);
  const now = opts.now ?? ks.clock.now();
  const out: Dump = {};
  for (const db of ks.dbs) {
    const entries = [...db.entries()]
      .filter((e) => opts.includeExpired || e.expireAt === 0 || e.expireAt > now)
      .sort((a, b) => byBytes(a.key, b.key));
    if (entries.length === 0) continue;
    // A null-prototype object: a key named "__proto__" must be a plain property.
    const keys = Object.create(null) as Record<string, DumpedKey>;
    for (const e of entries) keys[e.key] = { ...dumpValue(e.value), expireAt: e.expireAt } as DumpedKey;
    out[db.index] = keys;
  }
  return out;
}

/** Number of keys in a dump (for sanity checks that a workload produced something). */
export function dumpSize(d: Dump): number {
  let n = 0;
  for (const db of Object.values(d)) n += Object.keys(db).length;
  return n;
}
