// Memory accounting (Redis's used_memory, without a malloc to ask): an estimate of the V8 heap
// (plus ArrayBuffer stores) each key costs, kept per key in its table's mem column and summed per
// db and in total, so used_memory is an O(1) read and maxmemory can be checked before every command.
//
// Invariant: `dataset` = Σ accounted(t, s) over the live slots of every db, and perDb[i] the
// same over db i. Every change goes through the keyspace hooks (add, overwrite, delete, flush,
// swap): strings are immutable, so they are re-estimated the moment setKey replaces them;
// collections change in place, so a collection found by lookupWrite (or created by add/setKey)
// is queued as "pending" and re-estimated once the command is over (flushPending, called by the
// server before the next command, by the cron and before any reading of used_memory).
//
// The sizes are V8's, measured on Node 20 x64 (no pointer compression) with --expose-gc on
// 50k-200k keys (test/unit/keyspace/memory.test.ts keeps them honest):
//   - a latin1 string is a SeqOneByteString: 16-byte header + 1 byte/char, 8-aligned; strings of
//     0 or 1 char are V8's shared single-character strings and cost nothing;
//   - a key's slot in its table's columns: SLOT_BYTES (table.ts) at their average fill (the
//     keys/vals arrays grow by 1.5x, the typed columns by 2x), charged per key like the dict
//     below, not by capacity; slots freed by deletions are charged until reused (freeSlotBytes);
//     the expiry column, which a table only has once a key of it had a TTL, by its capacity;
//   - the main dict (key-dict.ts) has 8-byte buckets, 3/8 to 3/4 full: 11-21 B per key, charged
//     its average, 14 B per key (a charge computed from the capacity would jump by 16 MB at
//     ~786k keys and make eviction oscillate around the jump); a JS Set entry (the db's expires)
//     is 2 words plus half a bucket word in a table of power-of-two capacity, 20-40 B; hashes,
//     sets and sorted sets keep StrMap / StrSet (types/str-dict.ts): columns of power-of-two
//     capacity plus, past 8 entries, an Int32Array of 8-byte buckets, charged from their actual
//     sizes (dictBytes);
//   - collections: object + dict/array/arena as laid out in src/types/ (see estimateValue).
// Elements of collections are not walked: their count is exact, their byte size comes from a
// `bytes` counter when the collection keeps one (Collection.bytes), else from a sample of
// ACCOUNT_SAMPLES elements (the first ones in iteration order, evenly spaced for lists), so a
// collection whose element sizes vary widely is off by that sample's error.

import type { Collection, Value } from './entry.js';
import type { Db } from './db.js';
import { LINK_BYTES, META_FLAG_BITS, SLOT_BYTES, type KeyTable } from './table.js';

/**
 * used_memory with no keys: the V8 heap of an idle server (code, the command table, loaded
 * modules), measured at 7.4 MB after start and a full GC on Node 20.
 */
export const USED_MEMORY_STARTUP = 7 * 1024 * 1024;
/** A key's slot in the table columns (table.ts), at their average fill: 16 B / 0.83 + 16 B / 0.75. */
export const ENTRY_BYTES = SLOT_BYTES + 8;
/** A key's LRU links while the chains are kept (table.ts), at the columns' average fill. */
export const CHAIN_BYTES = LINK_BYTES + 3;
/** More per key under S3-FIFO: its fifo byte (table.ts), at the columns' average fill. */
export const FIFO_BYTES = 2;
/** The db dict's share per key: an 8-byte bucket (key-dict.ts) at its average fill (3/8 to 3/4). */
export const DICT_ENTRY_BYTES = 14;
/** Per key with a TTL: its entry in the db's expires Set (20 B at 2/3 fill). */
export const EXPIRE_ENTRY_BYTES = 30;

/** Per key: the chain's links (and S3-FIFO's byte), 0 while the table keeps no chain. */
function chainBytes(t: KeyTable): number {
  return t.links === null ? 0 : t.fifo === null ? CHAIN_BYTES : CHAIN_BYTES + FIFO_BYTES;
}

/** A table's whole chain: every key's share, and S3-FIFO's ghost. */
function tableChainBytes(t: KeyTable): number {
  return t.size * chainBytes(t) + (t.ghost !== null ? t.ghost.bytes : 0);
}

/** What memory accounting reads of a stream value (types/stream.ts keeps it current). */
interface StreamShape {
  heapBytes?: unknown;
}
/** A stream without its own estimate (not expected): an object plus ~128 B per entry. */
const STREAM_FALLBACK_FIXED = 256;
const STREAM_FALLBACK_ENTRY = 128;

/** Elements sampled to estimate a collection's element bytes (MEMORY USAGE's default is 5). */
export const ACCOUNT_SAMPLES = 8;
/** Pending collections re-estimated at once when the queue grows past this (AOF replay, EXEC). */
const PENDING_MAX = 4096;
/** ...keeping the most recent ones, which may belong to the command still running. */
const PENDING_KEEP = 64;

// Fixed parts of the collection classes (object header + fields, the JSMap/JSSet/JSArray
// wrappers, the typed arrays), measured as the heap of a one-element value minus its element.
// Hashes (types/hash.ts): a listpack hash is the HashValue object (header 24 + 1 field) and its
// packed string; a hashtable hash adds the HashTable object (24 + 3 fields) and its StrMap
// (24 + 7 fields; its columns and table: dictBytes). A set is the SetValue object (24 + 6
// fields) and its StrSet (24 + 7 fields).
const HASH_PACKED_FIXED = 32;
const HASH_FIXED = 32 + 48 + 80;
const SET_FIXED = 72 + 80;
const LIST_FIXED = 64 + 32 + 16;
// Sorted sets (types/zset-value.ts): a listpack set is the ZSetValue object (header 24 + 2
// fields) and its packed string; a skiplist set adds the ZSet object (24 + 8 fields), its StrMap
// (24 + 7 fields; member pointers and unboxed double scores: dictBytes) and the B+tree. A tree
// leaf is its object (24 + 4 fields) and two arrays (JSArray 32 + a backing store of 16 + 8 per
// slot) whose stores grow by push to ~65 slots; leaves hold 44 entries on average (a B-tree
// filled in random order is ~70% full), inner nodes add ~1/44.
const ZSET_PACKED_FIXED = 40;
const ZSET_FIXED = 40 + 88 + 80;
const ZSET_LEAF_BYTES = 56 + 2 * (32 + 16 + 8 * 65);
const ZSET_LEAF_ENTRIES = 44;

/** Bytes of a latin1 string of `len` chars on the V8 heap. */
export function stringBytes(len: number): number {
  return len <= 1 ? 0 : (16 + len + 7) & ~7;
}

/** Table capacity of a Map/Set with n entries: a power of two >= n, at least 4. */
function tableCapacity(n: number): number {
  return n <= 4 ? 4 : n <= 0x40000000 ? (1 << (32 - Math.clz32(n - 1))) >>> 0 : 2 ** Math.ceil(Math.log2(n));
}

/** V8's growth sequence of a JS array's backing store (new = old + old/2 + 16), from 0. */
const PUSHED: number[] = [];
for (let cap = 17; cap < 2 ** 40; cap = cap + Math.floor(cap / 2) + 16) PUSHED.push(cap);

/** Backing store length of a JS array grown by push to n elements. */
function pushedCapacity(n: number): number {
  let i = 0;
  while (PUSHED[i] < n) i++;
  return PUSHED[i];
}

/**
 * An Int32Array's objects (JSTypedArray, JSArrayBuffer and the backing store's bookkeeping)
 * besides its elements: measured 193-207 B on Node 20.
 */
const TYPED_ARRAY_BYTES = 200;

/** What memory accounting reads of a StrMap / StrSet (types/str-dict.ts). */
interface DictShape {
  readonly capacity: number;
  readonly buckets: number;
}

/**
 * The columns (`columns` JS arrays of `capacity` slots) and the table (8 B a bucket, in an
 * Int32Array; none while small) of a StrMap / StrSet.
 */
function dictBytes(d: DictShape, columns: number): number {
  const table = d.buckets === 0 ? 0 : TYPED_ARRAY_BYTES + 8 * d.buckets;
  return table + columns * (48 + 8 * d.capacity);
}

function isDict(d: unknown): d is DictShape & Iterable<unknown> {
  return typeof d === 'object' && d !== null && typeof (d as DictShape).capacity === 'number';
}

/** The sorted set's B+tree (types/zset.ts): its leaves and, ~1/44 of them, its inner nodes. */
function zsetTreeBytes(n: number): number {
  const leaves = Math.max(1, Math.ceil(n / ZSET_LEAF_ENTRIES));
  return Math.ceil(leaves * ZSET_LEAF_BYTES * (1 + 1 / ZSET_LEAF_ENTRIES));
}

// The shapes of src/types/ read here, structurally (keyspace/ imports nothing above it).
interface HashShape { readonly packed: string | null; readonly map: (DictShape & Iterable<[string, string]>) | null }
interface SetShape { readonly set: DictShape & Iterable<string> }
interface ListShape { get(i: number): string }
interface ZSetShape { readonly packed: string; readonly skiplist: { readonly dict: DictShape & Iterable<[string, number]> } | null }

/**
 * Mean bytes of an element's strings (scores are unboxed: see the zset case), from up to
 * `samples` elements (0 = all); a fallback when the collection's layout is not the expected one.
 */
function elementBytes(v: Collection, samples: number): number {
  const n = v.size;
  if (n === 0) return 0;
  const k = samples <= 0 || samples > n ? n : samples;
  let total = 0;
  let seen = 0;
  switch (v.type) {
    case 'hash': {
      const map = (v as unknown as HashShape).map;
      if (!isDict(map)) return 64;
      for (const [f, val] of map) {
        total += stringBytes(f.length) + stringBytes(val.length);
        if (++seen === k) break;
      }
      break;
    }
    case 'set': {
      const set = (v as unknown as SetShape).set;
      if (!isDict(set)) return 32;
      for (const m of set) {
        total += stringBytes(m.length);
        if (++seen === k) break;
      }
      break;
    }
    case 'list': {
      const l = v as unknown as ListShape;
      if (typeof l.get !== 'function') return 32;
      const step = k > 1 ? (n - 1) / (k - 1) : 0;
      for (let i = 0; i < k; i++) total += stringBytes(l.get(Math.round(i * step)).length);
      seen = k;
      break;
    }
    case 'zset': {
      // The scores live unboxed in the dict's double column and the tree's: only members count.
      const dict = (v as unknown as ZSetShape).skiplist?.dict;
      if (!isDict(dict)) return 48;
      for (const [m] of dict) {
        total += stringBytes(m.length);
        if (++seen === k) break;
      }
      break;
    }
  }
  return seen === 0 ? 0 : total / seen;
}

/**
 * elementBytes with the default sample, remembered per collection while its size stays within
 * 1/8 of the size it was sampled at: a write to a big collection re-estimates it after every
 * command, and walking (and allocating) 8 Map entries each time was ~5% of HSET's CPU on a
 * 100k-field hash. The first elements, which the sample reads, rarely change meanwhile. Only
 * for collections of SAMPLE_CACHE_MIN elements or more: a WeakMap entry costs ~65 B, which
 * would add 10% to a million 5-member sets.
 */
const SAMPLE_CACHE_MIN = 1024;
const sampledMeans = new WeakMap<Collection, { n: number; mean: number }>();
function sampledElementBytes(v: Collection): number {
  const n = v.size;
  if (n < SAMPLE_CACHE_MIN) return elementBytes(v, ACCOUNT_SAMPLES);
  const c = sampledMeans.get(v);
  if (c !== undefined && n >= c.n - (c.n >> 3) && n <= c.n + (c.n >> 3)) return c.mean;
  const mean = elementBytes(v, ACCOUNT_SAMPLES);
  if (c === undefined) sampledMeans.set(v, { n, mean });
  else {
    c.n = n;
    c.mean = mean;
  }
  return mean;
}

/**
 * Bytes of a value (without key and entry): exact for strings; for collections, the structure
 * from the element count and the elements from `bytes` or a sample of `samples` (0 = all).
 */
export function estimateValue(v: Value, samples = ACCOUNT_SAMPLES): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (v.type === 'hash') {
    // A listpack hash is one string: exact, O(1).
    const packed = (v as unknown as HashShape).packed;
    if (typeof packed === 'string') return HASH_PACKED_FIXED + stringBytes(packed.length);
  }
  if (v.type === 'zset') {
    // A listpack zset is one string: exact, O(1).
    const z = v as unknown as ZSetShape;
    if (z.skiplist === null && typeof z.packed === 'string') return ZSET_PACKED_FIXED + stringBytes(z.packed.length);
  }
  if (v.type === 'stream') {
    // A stream keeps a running estimate of its own heap (nodes, entries, groups, PELs): its
    // entries are arrays of strings and its PELs maps, too varied for one element figure.
    const h = (v as unknown as StreamShape).heapBytes;
    return typeof h === 'number' ? h : STREAM_FALLBACK_FIXED + v.size * STREAM_FALLBACK_ENTRY;
  }
  const n = v.size;
  // A `bytes` counter (sum of element lengths) makes the element part exact up to alignment:
  // 16 B of header per string plus 3.5 B of padding on average.
  const counted = typeof v.bytes === 'number';
  const strings = v.type === 'hash' ? 2 * n : n;
  const elems = counted ? (v.bytes as number) + strings * 19.5 : n * (samples === ACCOUNT_SAMPLES ? sampledElementBytes(v) : elementBytes(v, samples));
  switch (v.type) {
    case 'hash':
      return HASH_FIXED + dictBytes((v as unknown as HashShape).map as DictShape, 2) + elems;
    case 'set':
      return SET_FIXED + dictBytes((v as unknown as SetShape).set, 1) + elems;
    case 'list':
      return LIST_FIXED + 8 * pushedCapacity(tableCapacity(n)) + elems;
    case 'zset':
      return ZSET_FIXED + dictBytes((v as unknown as ZSetShape).skiplist?.dict as DictShape, 2) + zsetTreeBytes(n) + elems;
  }
  return 0;
}

/**
 * Bytes one key costs: key string, value, its slot, its share of the dict. A multiple of 8 (V8
 * allocates in 8-byte words), which leaves the mem column's low bits to its flags.
 */
export function estimateEntry(key: string, value: Value, samples = ACCOUNT_SAMPLES): number {
  return Math.ceil((stringBytes(key.length) + estimateValue(value, samples) + ENTRY_BYTES + DICT_ENTRY_BYTES) / 8) * 8;
}

/** The mem column of slot s without its flags (SIEVE's visited bit, the string hint: table.ts). */
export function accounted(t: KeyTable, s: number): number {
  const m = t.meta[2 * s + 1];
  return m - (m & META_FLAG_BITS);
}

/** Bytes of a table's slots freed by deletions and not reused yet (see freeSlotBytes). */
function freeSlotsOf(t: KeyTable): number {
  return (t.top - t.size) * (t.links === null ? SLOT_BYTES : t.fifo === null ? SLOT_BYTES + LINK_BYTES : SLOT_BYTES + LINK_BYTES + 1);
}

/** The mem column holds 32 bits: a value estimated beyond that is charged as its maximum. */
const MEM_MAX = 0xfffffff8;

/** What slot s is charged for holding `value` (what its mem column holds, visited bit aside). */
function charge(t: KeyTable, s: number, value: Value): number {
  return Math.min(MEM_MAX, estimateEntry(t.keys[s], value));
}

/** The keyspace side the accounting needs (keyspace.ts satisfies it). */
export interface AccountedKeyspace {
  readonly dbs: readonly Db[];
}

export class MemoryAccounting {
  /** Σ accounted bytes of every live key (key, value, slot, dict share). */
  dataset = 0;
  /** The same per db (FLUSHDB subtracts its db's share in O(1)). */
  readonly perDb: number[];
  /** Highest used_memory seen (INFO used_memory_peak), updated on every read. */
  peak = 0;
  // Collections changed in place, waiting for flushPending: parallel arrays whose first
  // `pendingN` entries count (reused from command to command: truncating and regrowing three
  // arrays per command showed up as V8 runtime calls in the LPUSH profile).
  private readonly pendingSlots: number[] = [];
  private readonly pendingVals: Array<Value | null> = [];
  private readonly pendingDbs: Array<Db | null> = [];
  private pendingN = 0;

  constructor(private readonly ks: AccountedKeyspace) {
    this.perDb = new Array<number>(ks.dbs.length).fill(0);
  }

  // ---- the keyspace hooks ------------------------------------------------------------------

  /** A new key (Db.add) at slot s. */
  added(db: Db, s: number): void {
    const t = db.t;
    const v = t.vals[s] as Value;
    const m = charge(t, s, v);
    // Also clears SIEVE's visited bit (a new key starts unvisited) and the string hint.
    t.meta[2 * s + 1] = m;
    this.dataset += m;
    this.perDb[db.index] += m;
    if (typeof v !== 'string') this.markPending(db, s, v);
  }

  /** setKey replaces slot s's value with `value` (called before the assignment). */
  overwritten(db: Db, s: number, value: Value): void {
    const t = db.t;
    const m = charge(t, s, value);
    const d = m - accounted(t, s);
    // Keeps SIEVE's bit; clears the string hint: a new value is encoded from its content.
    t.meta[2 * s + 1] = m | (t.meta[2 * s + 1] & 1);
    this.dataset += d;
    this.perDb[db.index] += d;
    if (typeof value !== 'string') this.markPending(db, s, value);
  }

  /** A command found slot s to modify it (lookupWrite): a collection is re-estimated after it. */
  writeLookup(db: Db, s: number): void {
    const v = db.t.vals[s] as Value;
    if (typeof v !== 'string') this.markPending(db, s, v);
  }

  deleted(db: Db, s: number): void {
    const m = accounted(db.t, s);
    this.dataset -= m;
    this.perDb[db.index] -= m;
    db.t.meta[2 * s + 1] = 0;
  }

  /** The db is being emptied (its table is left to the GC). */
  flushed(db: Db): void {
    this.dataset -= this.perDb[db.index];
    this.perDb[db.index] = 0;
  }

  /** SWAPDB: the contents (and so their accounting) of a and b trade places. */
  swapped(a: number, b: number): void {
    const t = this.perDb[a];
    this.perDb[a] = this.perDb[b];
    this.perDb[b] = t;
  }

  private markPending(db: Db, s: number, v: Value): void {
    let n = this.pendingN;
    if (n !== 0 && this.pendingSlots[n - 1] === s && this.pendingVals[n - 1] === v) return;
    if (n >= PENDING_MAX) {
      this.flushPending(PENDING_KEEP);
      n = this.pendingN;
    }
    this.pendingSlots[n] = s;
    this.pendingVals[n] = v;
    this.pendingDbs[n] = db;
    this.pendingN = n + 1;
  }

  /**
   * Re-estimates the collections changed in place since the last call (all but the `keep` most
   * recent). A key deleted, renamed away or flushed meanwhile is skipped: its slot no longer
   * holds that value, and whatever removed it already settled its account.
   */
  flushPending(keep = 0): void {
    const slots = this.pendingSlots;
    const vals = this.pendingVals;
    const dbs = this.pendingDbs;
    const total = this.pendingN;
    const n = total - keep;
    if (n <= 0) return;
    for (let i = 0; i < n; i++) {
      const s = slots[i];
      const db = dbs[i] as Db;
      const v = vals[i] as Value;
      vals[i] = null; // no reference kept to a collection once it is settled
      dbs[i] = null;
      const t = db.t;
      if (s >= t.top || t.vals[s] !== v) continue;
      const old = t.meta[2 * s + 1];
      const m = charge(t, s, v) + (old & 1);
      const d = m - old;
      if (d === 0) continue;
      t.meta[2 * s + 1] = m;
      this.dataset += d;
      this.perDb[db.index] += d;
    }
    // The `keep` most recent move to the front.
    for (let i = n; i < total; i++) {
      slots[i - n] = slots[i];
      vals[i - n] = vals[i];
      dbs[i - n] = dbs[i];
      vals[i] = null;
      dbs[i] = null;
    }
    this.pendingN = keep;
  }

  get pendingCount(): number {
    return this.pendingN;
  }

  // ---- readings ----------------------------------------------------------------------------

  /**
   * MEMORY USAGE: what used_memory counts for slot s (its account and its TTL bookkeeping), or
   * with `samples` given, a fresh estimate from that many elements (0 = all).
   */
  keyUsage(db: Db, s: number, samples?: number): number {
    this.flushPending();
    const t = db.t;
    const base = samples === undefined ? accounted(t, s) : estimateEntry(t.keys[s], t.vals[s] as Value, samples);
    return base + (t.expiryOf(s) !== 0 ? EXPIRE_ENTRY_BYTES : 0) + chainBytes(t);
  }

  /** Per-key structure bytes of db `i` besides key and value: INFO's used_memory_overhead share. */
  dbOverhead(db: Db): { main: number; expires: number } {
    const t = db.t;
    return { main: db.dict.size * (ENTRY_BYTES + DICT_ENTRY_BYTES) + tableChainBytes(t), expires: db.expires.size * EXPIRE_ENTRY_BYTES + 8 * db.t.expireAt.length };
  }

  /**
   * Slots freed by deletions and not reused yet: they stay in their table's columns (a live
   * key never moves), so they are charged until a new key takes them or the table empties.
   */
  freeSlotBytes(): number {
    let n = 0;
    for (const db of this.ks.dbs) n += freeSlotsOf(db.t);
    return n;
  }

  /**
   * Everything the keys cost: their accounts, TTL bookkeeping, chain links (kept under an LRU
   * policy, SIEVE or S3-FIFO only, with S3-FIFO's ghost) and the free slots. One pass over the dbs: maxmemory reads it before
   * every command and after every eviction.
   */
  keysBytes(): number {
    let n = this.dataset;
    for (const db of this.ks.dbs) {
      const t = db.t;
      // The expiry column, made at the table's first TTL: 8 bytes per slot of capacity.
      n += t.expires.size * EXPIRE_ENTRY_BYTES + freeSlotsOf(t) + 8 * t.expireAt.length;
      n += tableChainBytes(t);
      // Cluster mode's per-slot key index (slot-index.ts): two Int32 links per row, plus heads.
      if (db.slotIndex !== null) n += db.slotIndex.bytes;
    }
    return n;
  }

  /**
   * used_memory: the idle server plus the keys. What maxmemory is compared with. Settles the
   * collections changed since the last reading first, so every reader sees them counted.
   */
  usedMemory(): number {
    if (this.pendingN !== 0) this.flushPending();
    const used = USED_MEMORY_STARTUP + this.keysBytes();
    if (used > this.peak) this.peak = used;
    return used;
  }

  /** The per-key structures (slots, free slots, dict and expires shares) of every db. */
  overheadBytes(): number {
    let n = this.freeSlotBytes();
    for (const db of this.ks.dbs) {
      if (db.dict.size === 0) continue;
      const o = this.dbOverhead(db);
      n += o.main + o.expires;
      if (db.slotIndex !== null) n += db.slotIndex.bytes;
    }
    return n;
  }
}
