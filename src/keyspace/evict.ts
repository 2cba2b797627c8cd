// Maxmemory directive handling (LRU, LFU, TTL, random and SIEVE eviction), after Redis's evict.c:
// performEvictions() runs before every command while maxmemory is set and deletes keys chosen
// by maxmemory-policy until used_memory (memory.ts) is back under maxmemory, for at most the
// time maxmemory-eviction-tenacity allows (500 us by default); what is left is evicted by a
// setImmediate loop (Redis's evictionTimeProc) in slices of the same length, so lowering
// maxmemory by gigabytes never blocks the event loop for long.
//
// How each policy picks its victim:
//   allkeys-lru      exact: the head of the LRU chain of the db whose head is oldest.
//   volatile-lru     the first key with a TTL from the head of each chain (exact), looking at
//                    most VOLATILE_WALK entries deep; beyond that, sampling as below by idle time.
//   *-lfu            Redis's sampling: maxmemory-samples uniformly random keys per db into a
//                    16-entry eviction pool ranked by 255 - LFUDecrAndReturn; a candidate is
//                    re-scored when taken, and put back if it was used since it was sampled.
//                    A JS Map has no random access, so the LFU and random policies keep a
//                    sampling index per db (a dense array of its entries, Entry.slot their
//                    positions: O(1) add, swap-remove, pick), built on the first eviction.
//                    Sampling a persistent dict cursor instead was measured worse (Zipf 0.99,
//                    1M keys, 10% cache: 76.4% hits against Redis's 79.2%): the cursor reaches a
//                    new key after a fixed, often short, time, random sampling after a
//                    geometrically distributed one that lets more new keys prove themselves.
//   volatile-lfu     the same, sampling the index for keys with a TTL (the expires set's cursor
//                    when they are too rare to find that way).
//   volatile-ttl     the pool ranked by nearest expiry, sampling the expires set's cursor.
//   allkeys-random   a uniformly random key of the next non-empty db (the sampling index).
//   volatile-random  a pseudo-random key with a TTL (a random-stride cursor on expires).
//   allkeys-sieve    SIEVE (Zhang et al., NSDI '24): the dict's insertion order is the FIFO; a
//                    hand (a persistent dict iterator) moves from old to new, clears the visited
//                    bit of keys used since it last passed (bit 0 of Entry.mem, set by
//                    Keyspace.onAccess) and evicts the first key without it. Scan-resistant: a
//                    one-hit key is evicted when the hand reaches it; a key used again survives.
//
// LFU: entry.lru holds (minutes & 0xffff) << 8 | counter; the counter is Redis's logarithmic
// one (LFULogIncr with lfu-log-factor; decremented once per lfu-decay-time minutes of idleness
// by LFUDecrAndReturn); new keys start at LFU_INIT_VAL so they are not evicted at once.
//
// Evictions are canonical mutations: the `evicted` hook (wired by the server) logs a DEL and
// publishes the `evicted` keyspace event; the evictor counts evicted_keys.

import { performance } from 'node:perf_hooks';
import type { Db } from './db.js';
import type { Entry } from './entry.js';
import type { Keyspace } from './keyspace.js';
import { INDEX_ENTRY_BYTES } from './memory.js';

export type MaxmemoryPolicy =
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'allkeys-sieve'
  | 'noeviction';

export const MAXMEMORY_POLICIES: readonly MaxmemoryPolicy[] = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'allkeys-sieve',
  'noeviction',
];

/** performEvictions results (Redis's EVICT_*). */
export const EVICT_OK = 0;
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

/** What Keyspace.onAccess records in entry.lru (and Entry.mem's bit 0). */
export const ACCESS_LRU = 0;
export const ACCESS_LFU = 1;
export const ACCESS_SIEVE = 2;

// ---- LFU (Redis evict.c) ------------------------------------------------------------------

export const LFU_INIT_VAL = 5;

/** Redis's LFUGetTimeInMinutes: 16 bits of minutes. */
export function lfuTimeInMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 65535;
}

/** Redis's LFULogIncr: increments the counter with probability 1 / ((counter - 5) * factor + 1). */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter === 255) return 255;
  const r = Math.random();
  const baseval = counter - LFU_INIT_VAL < 0 ? 0 : counter - LFU_INIT_VAL;
  const p = 1.0 / (baseval * logFactor + 1);
  return r < p ? counter + 1 : counter;
}

/**
 * Redis's LFUDecrAndReturn: the counter decremented once per `decayTime` minutes elapsed since
 * the last access (not stored: only an access writes entry.lru). An `lru` above 24 bits is an
 * LRU stamp left from before a switch to an LFU policy: it reads as a new key's counter.
 */
export function lfuDecrAndReturn(lru: number, nowMinutes: number, decayTime: number): number {
  if (lru > 0xffffff) return LFU_INIT_VAL;
  const ldt = lru >>> 8;
  let counter = lru & 255;
  const elapsed = nowMinutes >= ldt ? nowMinutes - ldt : 65535 - ldt + nowMinutes;
  const periods = decayTime > 0 ? Math.floor(elapsed / decayTime) : 0;
  if (periods > 0) counter = periods > counter ? 0 : counter - periods;
  return counter;
}

/** Redis's updateLFU, for Keyspace.onAccess under an LFU policy. */
export function lfuTouch(e: Entry, nowMs: number, logFactor: number, decayTime: number): void {
  const now = lfuTimeInMinutes(nowMs);
  const counter = lfuLogIncr(lfuDecrAndReturn(e.lru, now, decayTime), logFactor);
  e.lru = (now << 8) | counter;
}

/** A new key's LFU data: this minute, LFU_INIT_VAL. */
export function lfuInit(nowMs: number): number {
  return (lfuTimeInMinutes(nowMs) << 8) | LFU_INIT_VAL;
}

/** Redis's evictionTimeLimitUs: 50 us per tenacity point up to 10, then +15% a point; 100 = none. */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

// ---- the eviction pool ----------------------------------------------------------------------

/** Redis's EVPOOL_SIZE. */
const EVPOOL_SIZE = 16;
/** How deep volatile-lru looks into an LRU chain for a key with a TTL before sampling. */
const VOLATILE_WALK = 1024;
/** Entries from before an index existed added per sampling call (so each call stays short). */
const INDEX_BUILD_STEP = 16384;

/**
 * A db's sampling index: every entry of `dict` once, at arr[e.slot]. Entries added or deleted
 * go in or out at once (swap-remove); the ones the dict held when the index was created are
 * added by `build`, a cursor over the dict, a step at a time.
 */
class SampleIndex {
  readonly arr: Entry[] = [];
  build: Iterator<Entry> | null;
  constructor(readonly dict: Map<string, Entry>) {
    this.build = dict.values();
  }
  has(e: Entry): boolean {
    const s = e.slot;
    return s >= 0 && s < this.arr.length && this.arr[s] === e;
  }
  add(e: Entry): void {
    e.slot = this.arr.length;
    this.arr.push(e);
  }
  remove(e: Entry): boolean {
    if (!this.has(e)) return false;
    const last = this.arr.pop() as Entry;
    if (last !== e) {
      this.arr[e.slot] = last;
      last.slot = e.slot;
    }
    e.slot = -1;
    return true;
  }
}

/**
 * Redis's evictionPoolEntry array: the best candidates seen so far, ascending by score (the
 * best is last). It outlives each performEvictions call, as Redis's static pool does, so samples
 * accumulate across evictions. Entries are references: one deleted meanwhile is skipped.
 */
class EvictionPool {
  readonly entries: Array<Entry | null> = new Array<Entry | null>(EVPOOL_SIZE).fill(null);
  readonly dbs: Array<Db | null> = new Array<Db | null>(EVPOOL_SIZE).fill(null);
  readonly scores = new Float64Array(EVPOOL_SIZE);
  size = 0;

  insert(e: Entry, db: Db, score: number): void {
    const ents = this.entries;
    // The same key sampled again (a small dict sweeps fast): only its score changes.
    for (let i = 0; i < this.size; i++) {
      if (ents[i] === e) {
        this.removeAt(i);
        break;
      }
    }
    if (this.size === EVPOOL_SIZE) {
      if (score <= this.scores[0]) return;
      this.removeAt(0);
    }
    let k = this.size;
    while (k > 0 && this.scores[k - 1] > score) {
      ents[k] = ents[k - 1];
      this.dbs[k] = this.dbs[k - 1];
      this.scores[k] = this.scores[k - 1];
      k--;
    }
    ents[k] = e;
    this.dbs[k] = db;
    this.scores[k] = score;
    this.size++;
  }

  removeAt(i: number): void {
    const ents = this.entries;
    for (let k = i; k < this.size - 1; k++) {
      ents[k] = ents[k + 1];
      this.dbs[k] = this.dbs[k + 1];
      this.scores[k] = this.scores[k + 1];
    }
    this.size--;
    ents[this.size] = null;
    this.dbs[this.size] = null;
  }

  clear(): void {
    this.entries.fill(null);
    this.dbs.fill(null);
    this.size = 0;
  }
}

/** A persistent cursor over a db's dict or expires set, so successive samples sweep it all. */
interface Cursor {
  src: Map<string, Entry> | Set<Entry>;
  it: Iterator<Entry>;
}

export interface EvictionHooks {
  /** `key` was evicted from `db` (already deleted): log its DEL, publish `evicted`. */
  evicted(db: Db, key: string): void;
}

export interface EvictionSettings {
  maxmemory: number;
  policy: MaxmemoryPolicy;
  samples: number;
  tenacity: number;
  lfuLogFactor: number;
  lfuDecayTime: number;
}

export class Evictor {
  maxmemory = 0;
  policy: MaxmemoryPolicy = 'noeviction';
  samples = 5;
  tenacity = 10;
  /** False on a replica that ignores maxmemory (replica-ignore-maxmemory): nothing is evicted. */
  enabled = true;
  /** True under the policies that sample uniformly (LFU, allkeys-random): indexes are kept. */
  indexing = false;
  private readonly indexes: Array<SampleIndex | null>;
  /** INFO total_eviction_exceeded_time / current_eviction_exceeded_time (ms). */
  totalExceededMs = 0;
  private exceededSince = 0;
  private timer: NodeJS.Immediate | null = null;
  private readonly pool = new EvictionPool();
  /** Round-robin db cursor of the random and SIEVE policies (Redis's next_db). */
  private nextDb = 0;
  private readonly hands: Array<Cursor | null>;
  private readonly volatileCursors: Array<Cursor | null>;

  constructor(
    private readonly ks: Keyspace,
    public hooks: EvictionHooks = { evicted() {} },
  ) {
    const n = ks.dbs.length;
    this.hands = new Array<Cursor | null>(n).fill(null);
    this.volatileCursors = new Array<Cursor | null>(n).fill(null);
    this.indexes = new Array<SampleIndex | null>(n).fill(null);
  }

  /** Applies settings (CONFIG SET); the keyspace's access tracking follows the policy. */
  configure(s: Partial<EvictionSettings>): void {
    if (s.maxmemory !== undefined) this.maxmemory = s.maxmemory;
    if (s.samples !== undefined) this.samples = Math.max(1, s.samples);
    if (s.tenacity !== undefined) this.tenacity = s.tenacity;
    if (s.lfuLogFactor !== undefined) this.ks.lfuLogFactor = s.lfuLogFactor;
    if (s.lfuDecayTime !== undefined) this.ks.lfuDecayTime = s.lfuDecayTime;
    if (s.policy !== undefined && s.policy !== this.policy) {
      this.policy = s.policy;
      this.pool.clear();
      this.ks.accessMode = s.policy.endsWith('-lfu') ? ACCESS_LFU : s.policy === 'allkeys-sieve' ? ACCESS_SIEVE : ACCESS_LRU;
      this.indexing = s.policy.endsWith('-lfu') || s.policy === 'allkeys-random';
      if (!this.indexing) for (let i = 0; i < this.indexes.length; i++) this.dropIndex(i);
    }
  }

  /** Seconds of the cached LRU clock (pool scores). */
  lruClock(): number {
    return this.ks.lruClock;
  }

  /** LFU minutes of the pick in progress: one clock read per eviction, not per sample. */
  private nowMinutes = 0;

  /** An entry's LFU counter as of the pick in progress (decayed). */
  lfuCounter(e: Entry): number {
    return lfuDecrAndReturn(e.lru, this.nowMinutes, this.ks.lfuDecayTime);
  }

  /**
   * The db is being emptied: drop what still points into its old dict (sampling cursors, the
   * SIEVE hand, pool candidates), or they would keep the whole old dataset from the GC.
   */
  flushed(db: Db): void {
    this.volatileCursors[db.index] = null;
    this.hands[db.index] = null;
    this.dropIndex(db.index);
    this.pool.clear();
  }

  // ---- the sampling index ------------------------------------------------------------------

  /** A key was added (Keyspace.onAdd, while `indexing`). */
  added(db: Db, e: Entry): void {
    const ix = this.indexes[db.index];
    if (ix === null || ix.dict !== db.dict) return;
    ix.add(e);
    this.ks.memory.auxBytes += INDEX_ENTRY_BYTES;
  }

  /** A key is being deleted (Keyspace.onDelete, while `indexing`). */
  deleted(db: Db, e: Entry): void {
    const ix = this.indexes[db.index];
    if (ix !== null && ix.remove(e)) this.ks.memory.auxBytes -= INDEX_ENTRY_BYTES;
  }

  /** SWAPDB: the indexes follow their dicts. */
  swapped(a: number, b: number): void {
    const t = this.indexes[a];
    this.indexes[a] = this.indexes[b];
    this.indexes[b] = t;
  }

  private dropIndex(i: number): void {
    const ix = this.indexes[i];
    if (ix === null) return;
    this.ks.memory.auxBytes -= ix.arr.length * INDEX_ENTRY_BYTES;
    this.indexes[i] = null;
  }

  /** The db's index, created (or recreated for a new dict) and built one more step. */
  private index(db: Db): SampleIndex {
    let ix = this.indexes[db.index];
    if (ix === null || ix.dict !== db.dict) {
      this.dropIndex(db.index);
      this.indexes[db.index] = ix = new SampleIndex(db.dict);
    }
    if (ix.build !== null) {
      const before = ix.arr.length;
      for (let i = 0; i < INDEX_BUILD_STEP; i++) {
        const r = ix.build.next();
        if (r.done) {
          ix.build = null;
          break;
        }
        if (!ix.has(r.value)) ix.add(r.value);
      }
      this.ks.memory.auxBytes += (ix.arr.length - before) * INDEX_ENTRY_BYTES;
    }
    return ix;
  }

  /** A uniformly random entry of the db (of the part indexed so far while building). */
  private randomIndexed(db: Db): Entry | null {
    const arr = this.index(db).arr;
    return arr.length === 0 ? null : arr[Math.floor(Math.random() * arr.length)];
  }

  /** True while the setImmediate loop is evicting what a previous call left over. */
  get running(): boolean {
    return this.timer !== null;
  }

  /** Stops the background loop (server close). */
  stop(): void {
    if (this.timer !== null) clearImmediate(this.timer);
    this.timer = null;
  }

  /** INFO current_eviction_exceeded_time: ms since used_memory went over maxmemory, 0 if under. */
  currentExceededMs(): number {
    return this.exceededSince === 0 ? 0 : performance.now() - this.exceededSince;
  }

  /**
   * Redis's performEvictions: if used_memory is over maxmemory, evicts keys by the policy until
   * it is not, or the time limit passed (the rest goes on in the background loop). EVICT_OK:
   * under the limit (or eviction is not possible now: loading, a replica); EVICT_RUNNING: still
   * over, the loop is on it; EVICT_FAIL: over, and nothing (more) can be evicted — denyoom
   * commands are refused.
   */
  performEvictions(): number {
    const ks = this.ks;
    if (this.maxmemory === 0 || !this.enabled || ks.loading) return EVICT_OK;
    const mem = ks.memory;
    mem.flushPending();
    let used = mem.usedMemory();
    if (used <= this.maxmemory) return this.metrics(EVICT_OK);
    if (this.policy === 'noeviction') return this.metrics(EVICT_FAIL);
    const limitUs = evictionTimeLimitUs(this.tenacity);
    const start = performance.now();
    let keysFreed = 0;
    while (used > this.maxmemory) {
      const e = this.pickVictim();
      if (e === null) return this.metrics(EVICT_FAIL);
      const db = this.victimDb as Db;
      db.deleteEntry(e);
      ks.stats.evictedKeys++;
      this.hooks.evicted(db, e.key);
      keysFreed++;
      used = mem.usedMemory();
      if ((keysFreed & 15) === 0 && (performance.now() - start) * 1000 > limitUs) {
        if (used > this.maxmemory) this.startTimeProc();
        break;
      }
    }
    return this.metrics(this.timer !== null ? EVICT_RUNNING : EVICT_OK);
  }

  private metrics(result: number): number {
    if (result === EVICT_OK) {
      if (this.exceededSince !== 0) {
        this.totalExceededMs += performance.now() - this.exceededSince;
        this.exceededSince = 0;
      }
    } else if (this.exceededSince === 0) {
      this.exceededSince = performance.now();
    }
    return result;
  }

  private startTimeProc(): void {
    if (this.timer === null) this.timer = setImmediate(this.timeProc);
  }

  /** Redis's evictionTimeProc: one more time-limited slice per event-loop turn while needed. */
  private readonly timeProc = (): void => {
    this.timer = null;
    this.performEvictions();
  };

  // ---- choosing the victim -------------------------------------------------------------------

  /** The db of the entry pickVictim returned. */
  private victimDb: Db | null = null;

  private pickVictim(): Entry | null {
    switch (this.policy) {
      case 'allkeys-lru':
        return this.pickLru();
      case 'volatile-lru':
        return this.pickVolatileLru() ?? this.pickFromPool(false, scoreIdle);
      case 'allkeys-lfu':
        return this.pickFromPool(true, scoreLfu);
      case 'volatile-lfu':
        return this.pickFromPool(false, scoreLfu);
      case 'volatile-ttl':
        return this.pickFromPool(false, scoreTtl);
      case 'allkeys-random':
        return this.pickRandom(true);
      case 'volatile-random':
        return this.pickRandom(false);
      case 'allkeys-sieve':
        return this.pickSieve();
      default:
        return null;
    }
  }

  /** Exact LRU: every db's chain is in access order; the oldest head overall goes. */
  private pickLru(): Entry | null {
    let best: Entry | null = null;
    for (const db of this.ks.dbs) {
      const h = db.lruHead;
      if (h !== null && (best === null || h.lru < best.lru)) {
        best = h;
        this.victimDb = db;
      }
    }
    return best;
  }

  /** The least recently used key with a TTL, if one is within VOLATILE_WALK of a chain's head. */
  private pickVolatileLru(): Entry | null {
    let best: Entry | null = null;
    for (const db of this.ks.dbs) {
      if (db.expires.size === 0) continue;
      let e = db.lruHead;
      for (let i = 0; e !== null && i < VOLATILE_WALK; i++, e = e.next) {
        if (e.expireAt !== 0) {
          if (best === null || e.lru < best.lru) {
            best = e;
            this.victimDb = db;
          }
          break;
        }
      }
    }
    return best;
  }

  /**
   * Redis's pool loop: sample every db into the pool, then take the best candidate still alive
   * (re-scored: one used since it was sampled goes back in with its new score).
   */
  private pickFromPool(allkeys: boolean, score: (ev: Evictor, e: Entry) => number): Entry | null {
    const pool = this.pool;
    this.nowMinutes = lfuTimeInMinutes(this.ks.clock.now());
    for (let round = 0; round < 64; round++) {
      let total = 0;
      for (const db of this.ks.dbs) {
        const n = allkeys ? db.dict.size : db.expires.size;
        if (n === 0) continue;
        total += n;
        this.populate(db, allkeys, score);
      }
      if (total === 0) return null;
      for (let guard = 0; pool.size > 0 && guard < EVPOOL_SIZE * 2; guard++) {
        const k = pool.size - 1;
        const e = pool.entries[k] as Entry;
        const db = pool.dbs[k] as Db;
        const s = pool.scores[k];
        pool.removeAt(k);
        if (db.dict.get(e.key) !== e || (!allkeys && e.expireAt === 0)) continue;
        const now = score(this, e);
        if (now < s) {
          pool.insert(e, db, now);
          continue;
        }
        this.victimDb = db;
        return e;
      }
    }
    return null;
  }

  /**
   * Redis's evictionPoolPopulate: `samples` random keys from the sampling index (LFU policies;
   * for volatile-lfu the keys with a TTL among a few times as many), topped up from a persistent
   * cursor over the expires set (volatile-ttl, or volatile keys too rare to find at random).
   */
  private populate(db: Db, allkeys: boolean, score: (ev: Evictor, e: Entry) => number): void {
    let want = this.samples;
    if (allkeys || score === scoreLfu) {
      const arr = this.index(db).arr;
      for (let tries = allkeys ? want : 4 * want; tries > 0 && want > 0 && arr.length > 0; tries--) {
        const e = arr[Math.floor(Math.random() * arr.length)];
        if (!allkeys && e.expireAt === 0) continue;
        this.pool.insert(e, db, score(this, e));
        want--;
      }
      if (allkeys || want === 0) return;
    }
    const src = db.expires;
    let c = this.volatileCursors[db.index];
    if (c === null || c.src !== src) this.volatileCursors[db.index] = c = { src, it: src.values() };
    want = Math.min(want, src.size);
    let wrapped = false;
    for (let i = 0; i < want; ) {
      const r = c.it.next();
      if (r.done) {
        if (wrapped) break;
        wrapped = true;
        c.it = src.values();
        continue;
      }
      this.pool.insert(r.value, db, score(this, r.value));
      i++;
    }
  }

  /** Redis's random policies: the next non-empty db in turn, a pseudo-random key of it. */
  private pickRandom(allkeys: boolean): Entry | null {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(this.nextDb = (this.nextDb + 1) % dbs.length)];
      if (allkeys) {
        if (db.dict.size === 0) continue;
        const e = this.randomIndexed(db);
        if (e === null) continue;
        this.victimDb = db;
        return e;
      }
      if (db.expires.size === 0) continue;
      const e = this.randomVolatile(db);
      if (e !== null) {
        this.victimDb = db;
        return e;
      }
    }
    return null;
  }

  /** A key of `db.expires` a random stride (1..64) past the previous one. */
  private randomVolatile(db: Db): Entry | null {
    const src = db.expires;
    let c = this.volatileCursors[db.index];
    if (c === null || c.src !== src) this.volatileCursors[db.index] = c = { src, it: src.values() };
    const steps = 1 + Math.floor(Math.random() * Math.min(64, src.size));
    let last: Entry | null = null;
    for (let i = 0, restarts = 0; i < steps && restarts < 2; ) {
      const r = c.it.next();
      if (r.done) {
        c.it = src.values();
        restarts++;
        continue;
      }
      last = r.value;
      i++;
    }
    return last;
  }

  /**
   * SIEVE: advance the db's hand over the dict in insertion order, clearing visited bits,
   * until an unvisited key. The hand wraps to the oldest key at the end, so even when every
   * key was visited one full turn finds a victim.
   */
  private pickSieve(): Entry | null {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(this.nextDb = (this.nextDb + 1) % dbs.length)];
      const dict = db.dict;
      if (dict.size === 0) continue;
      let h = this.hands[db.index];
      if (h === null || h.src !== dict) this.hands[db.index] = h = { src: dict, it: dict.values() };
      // Two turns at most: the first may only clear bits.
      for (let steps = 0, limit = 2 * dict.size + 2; steps < limit; steps++) {
        const r = h.it.next();
        if (r.done) {
          h.it = dict.values();
          continue;
        }
        const e = r.value;
        if ((e.mem & 1) !== 0) {
          e.mem -= 1;
          continue;
        }
        this.victimDb = db;
        return e;
      }
    }
    return null;
  }
}

// Pool scores: higher = evict first (Redis's "idle").

function scoreIdle(ev: Evictor, e: Entry): number {
  return ev.lruClock() - e.lru;
}

function scoreLfu(ev: Evictor, e: Entry): number {
  return 255 - ev.lfuCounter(e);
}

function scoreTtl(_ev: Evictor, e: Entry): number {
  return Number.MAX_SAFE_INTEGER - e.expireAt;
}
