// Maxmemory directive handling (LRU, LFU, TTL, random, SIEVE and S3-FIFO eviction), after Redis's evict.c:
// performEvictions() runs before every command while maxmemory is set and deletes keys chosen
// by maxmemory-policy until used_memory (memory.ts) is back under maxmemory, for at most the
// time maxmemory-eviction-tenacity allows (500 us by default); what is left is evicted by a
// setImmediate loop (Redis's evictionTimeProc) in slices of the same length, so lowering
// maxmemory by gigabytes never blocks the event loop for long.
//
// How each policy picks its victim:
//   allkeys-lru      exact: the head of the LRU chain of the db whose head is oldest. The
//                    chains exist only under the two LRU policies and SIEVE (table.ts):
//                    switching to an LRU policy builds them from the keys' access stamps (second
//                    resolution), exact from then on.
//   volatile-lru     the first key with a TTL from the head of each chain (exact), looking at
//                    most VOLATILE_WALK entries deep; beyond that, sampling as below by idle time.
//   *-lfu            Redis's sampling: maxmemory-samples uniformly random keys per db into a
//                    16-entry eviction pool ranked by 255 - LFUDecrAndReturn; a candidate is
//                    re-scored when taken, and put back if it was used since it was sampled.
//                    Keys live in the slots of the db's key table (table.ts), so a uniformly
//                    random key is a random slot (KeyTable.randomSlot). Sampling a persistent
//                    dict cursor instead was measured worse (Zipf 0.99, 1M keys, 10% cache:
//                    76.4% hits against Redis's 79.2%): the cursor reaches a new key after a
//                    fixed, often short, time, random sampling after a geometrically
//                    distributed one that lets more new keys prove themselves.
//   volatile-lfu     the same, sampling random slots for keys with a TTL (the expires set's
//                    cursor when they are too rare to find that way).
//   volatile-ttl     the pool ranked by nearest expiry, sampling the expires set's cursor.
//   allkeys-random   a uniformly random key of the next non-empty db (a random slot).
//   volatile-random  a pseudo-random key with a TTL (a random-stride cursor on expires).
//   allkeys-sieve    SIEVE (Zhang et al., NSDI '24): the chain, kept in insertion order, is the
//                    FIFO; a hand (KeyTable.hand) moves from old to new, clears the visited
//                    bit of keys used since it last passed (bit 0 of the mem column, set by
//                    Keyspace.onAccess) and evicts the first key without it. Scan-resistant: a
//                    one-hit key is evicted when the hand reaches it; a key used again survives.
//   allkeys-s3fifo   S3-FIFO (Yang et al., SOSP '23): new keys join a small FIFO (10% of the
//                    keys); its oldest key moves to the main FIFO if it was used there, else it
//                    is evicted and remembered by the ghost (ghost.ts), which sends it straight to
//                    main if it comes back. The main FIFO's oldest key is evicted unless used
//                    since it was last looked at: then it goes round again, its use count (2
//                    bits, saturating at 3) one lower. One-hit keys (a scan) only ever pass
//                    through the small FIFO. Measured against LRU, LFU and SIEVE: README.md.
//
// LFU: the lru column holds (minutes & 0xffff) << 8 | counter; the counter is Redis's logarithmic
// one (LFULogIncr with lfu-log-factor; decremented once per lfu-decay-time minutes of idleness
// by LFUDecrAndReturn); new keys start at LFU_INIT_VAL so they are not evicted at once.
//
// Evictions are canonical mutations: the `evicted` hook (wired by the server) logs a DEL and
// publishes the `evicted` keyspace event; the evictor counts evicted_keys.

import { performance } from 'node:perf_hooks';
import { NIL, type Db } from './db.js';
import type { Keyspace } from './keyspace.js';
import { FIFO_FREQ, type KeyTable } from './table.js';
import type { GhostFilter } from './ghost.js';
import { keyHash } from './key-dict.js';

export type MaxmemoryPolicy =
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'allkeys-sieve'
  | 'allkeys-s3fifo'
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
  'allkeys-s3fifo',
  'noeviction',
];

/** performEvictions results (Redis's EVICT_*). */
export const EVICT_OK = 0;
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

/** What Keyspace.onAccess records in the lru column (and bit 0 of the mem column). */
export const ACCESS_LRU = 0;
export const ACCESS_LFU = 1;
export const ACCESS_SIEVE = 2;
export const ACCESS_S3FIFO = 3;

/** S3-FIFO: the small FIFO's share of a table's keys (1/10, as the paper's 10%). */
const S3_SMALL_DIV = 10;

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
 * the last access (not stored: only an access writes the lru column). An `lru` above 24 bits is an
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
export function lfuTouch(lru: number, nowMs: number, logFactor: number, decayTime: number): number {
  const now = lfuTimeInMinutes(nowMs);
  const counter = lfuLogIncr(lfuDecrAndReturn(lru, now, decayTime), logFactor);
  return (now << 8) | counter;
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
/**
 * Redis's evictionPoolEntry array: the best candidates seen so far, ascending by score (the
 * best is last). It outlives each performEvictions call, as Redis's static pool does, so samples
 * accumulate across evictions. A candidate is its table, slot and key: one deleted meanwhile (its
 * slot free, or holding another key) is skipped.
 */
class EvictionPool {
  readonly tables: Array<KeyTable | null> = new Array<KeyTable | null>(EVPOOL_SIZE).fill(null);
  readonly slots = new Int32Array(EVPOOL_SIZE);
  readonly keys: string[] = new Array<string>(EVPOOL_SIZE).fill('');
  readonly dbs: Array<Db | null> = new Array<Db | null>(EVPOOL_SIZE).fill(null);
  readonly scores = new Float64Array(EVPOOL_SIZE);
  size = 0;

  insert(db: Db, s: number, score: number): void {
    const t = db.t;
    // The same key sampled again (a small dict sweeps fast): only its score changes.
    for (let i = 0; i < this.size; i++) {
      if (this.slots[i] === s && this.tables[i] === t) {
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
      this.move(k - 1, k);
      k--;
    }
    this.tables[k] = t;
    this.slots[k] = s;
    this.keys[k] = t.keys[s];
    this.dbs[k] = db;
    this.scores[k] = score;
    this.size++;
  }

  /** True if candidate i still names a live key where it was sampled. */
  live(i: number): boolean {
    const db = this.dbs[i] as Db;
    const t = this.tables[i];
    const s = this.slots[i];
    return db.t === t && t.vals[s] !== null && t.keys[s] === this.keys[i];
  }

  private move(from: number, to: number): void {
    this.tables[to] = this.tables[from];
    this.slots[to] = this.slots[from];
    this.keys[to] = this.keys[from];
    this.dbs[to] = this.dbs[from];
    this.scores[to] = this.scores[from];
  }

  removeAt(i: number): void {
    for (let k = i; k < this.size - 1; k++) this.move(k + 1, k);
    this.size--;
    this.tables[this.size] = null;
    this.keys[this.size] = '';
    this.dbs[this.size] = null;
  }

  clear(): void {
    this.tables.fill(null);
    this.keys.fill('');
    this.dbs.fill(null);
    this.size = 0;
  }
}

/** A persistent cursor over a db's expires set, so successive samples sweep it all. */
interface Cursor {
  src: Set<number>;
  it: Iterator<number>;
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
  /** INFO total_eviction_exceeded_time / current_eviction_exceeded_time (ms). */
  totalExceededMs = 0;
  private exceededSince = 0;
  private timer: NodeJS.Immediate | null = null;
  private readonly pool = new EvictionPool();
  /** Round-robin db cursor of the random, SIEVE and S3-FIFO policies (Redis's next_db). */
  private nextDb = 0;
  private readonly volatileCursors: Array<Cursor | null>;

  constructor(
    private readonly ks: Keyspace,
    public hooks: EvictionHooks = { evicted() {} },
  ) {
    const n = ks.dbs.length;
    this.volatileCursors = new Array<Cursor | null>(n).fill(null);
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
      const p = s.policy;
      this.ks.accessMode = p.endsWith('-lfu') ? ACCESS_LFU : p === 'allkeys-sieve' ? ACCESS_SIEVE : p === 'allkeys-s3fifo' ? ACCESS_S3FIFO : ACCESS_LRU;
      this.ks.setChain(
        p === 'allkeys-lru' || p === 'volatile-lru' ? 'access' : p === 'allkeys-sieve' ? 'insertion' : p === 'allkeys-s3fifo' ? 's3fifo' : 'none',
      );
    }
  }

  /** Seconds of the cached LRU clock (pool scores). */
  lruClock(): number {
    return this.ks.lruClock;
  }

  /** LFU minutes of the pick in progress: one clock read per eviction, not per sample. */
  private nowMinutes = 0;

  /** A key's LFU counter as of the pick in progress (decayed). */
  lfuCounter(lru: number): number {
    return lfuDecrAndReturn(lru, this.nowMinutes, this.ks.lfuDecayTime);
  }

  /**
   * The db is being emptied: drop what still points into its old table (sampling cursors, pool
   * candidates), or they would keep the whole old dataset from the GC.
   */
  flushed(db: Db): void {
    this.volatileCursors[db.index] = null;
    this.pool.clear();
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
      const s = this.pickVictim();
      if (s === NIL) return this.metrics(EVICT_FAIL);
      const db = this.victimDb as Db;
      const key = db.t.keys[s];
      db.deleteSlot(s);
      ks.stats.evictedKeys++;
      this.hooks.evicted(db, key);
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

  /** The db of the slot pickVictim returned. */
  private victimDb: Db | null = null;

  private pickVictim(): number {
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
      case 'allkeys-s3fifo':
        return this.pickS3Fifo();
      default:
        return NIL;
    }
  }

  /** Exact LRU: every db's chain is in access order; the oldest head overall goes. */
  private pickLru(): number {
    let best = NIL;
    let bestLru = 0;
    for (const db of this.ks.dbs) {
      const t = db.t;
      const h = t.lruHead;
      if (h !== NIL && (best === NIL || t.meta[2 * h] < bestLru)) {
        best = h;
        bestLru = t.meta[2 * h];
        this.victimDb = db;
      }
    }
    return best;
  }

  /** The least recently used key with a TTL, if one is within VOLATILE_WALK of a chain's head. */
  private pickVolatileLru(): number {
    let best = NIL;
    let bestLru = 0;
    for (const db of this.ks.dbs) {
      const t = db.t;
      if (t.expires.size === 0) continue;
      let s = t.lruHead;
      for (let i = 0; s !== NIL && i < VOLATILE_WALK; i++, s = t.lruNext(s)) {
        if (t.expiryOf(s) !== 0) {
          if (best === NIL || t.meta[2 * s] < bestLru) {
            best = s;
            bestLru = t.meta[2 * s];
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
  private pickFromPool(allkeys: boolean, score: Scorer): number {
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
      if (total === 0) return NIL;
      for (let guard = 0; pool.size > 0 && guard < EVPOOL_SIZE * 2; guard++) {
        const k = pool.size - 1;
        const live = pool.live(k);
        const db = pool.dbs[k] as Db;
        const s = pool.slots[k];
        const sampled = pool.scores[k];
        pool.removeAt(k);
        if (!live || (!allkeys && db.t.expiryOf(s) === 0)) continue;
        const now = score(this, db.t, s);
        if (now < sampled) {
          pool.insert(db, s, now);
          continue;
        }
        this.victimDb = db;
        return s;
      }
    }
    return NIL;
  }

  /**
   * Redis's evictionPoolPopulate: `samples` random keys (random slots; LFU policies;
   * for volatile-lfu the keys with a TTL among a few times as many), topped up from a persistent
   * cursor over the expires set (volatile-ttl, or volatile keys too rare to find at random).
   */
  private populate(db: Db, allkeys: boolean, score: Scorer): void {
    let want = this.samples;
    const t = db.t;
    if (allkeys || score === scoreLfu) {
      for (let tries = allkeys ? want : 4 * want; tries > 0 && want > 0; tries--) {
        const s = t.randomSlot();
        if (s === NIL) break;
        if (!allkeys && t.expiryOf(s) === 0) continue;
        this.pool.insert(db, s, score(this, t, s));
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
      this.pool.insert(db, r.value, score(this, t, r.value));
      i++;
    }
  }

  /** Redis's random policies: the next non-empty db in turn, a pseudo-random key of it. */
  private pickRandom(allkeys: boolean): number {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(this.nextDb = (this.nextDb + 1) % dbs.length)];
      if (allkeys) {
        const s = db.t.randomSlot();
        if (s === NIL) continue;
        this.victimDb = db;
        return s;
      }
      if (db.expires.size === 0) continue;
      const s = this.randomVolatile(db);
      if (s !== NIL) {
        this.victimDb = db;
        return s;
      }
    }
    return NIL;
  }

  /** A key of `db.expires` a random stride (1..64) past the previous one. */
  private randomVolatile(db: Db): number {
    const src = db.expires;
    let c = this.volatileCursors[db.index];
    if (c === null || c.src !== src) this.volatileCursors[db.index] = c = { src, it: src.values() };
    const steps = 1 + Math.floor(Math.random() * Math.min(64, src.size));
    let last = NIL;
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
   * SIEVE: advance the db's hand along its chain (insertion order, oldest first; wrapping at the
   * end), clearing visited bits, until an unvisited key. New keys join at the tail, so the hand
   * reaches a newcomer before the older keys it already passed. Two turns at most: the first
   * may only clear bits.
   */
  private pickSieve(): number {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(this.nextDb = (this.nextDb + 1) % dbs.length)];
      const t = db.t;
      if (t.size === 0 || t.links === null) continue;
      const meta = t.meta;
      let s = t.hand;
      for (let steps = 0, limit = 2 * t.size + 2; steps < limit; steps++) {
        if (s === NIL) s = t.lruHead;
        if ((meta[2 * s + 1] & 1) !== 0) {
          meta[2 * s + 1] -= 1;
          s = t.lruNext(s);
          continue;
        }
        t.hand = t.lruNext(s);
        this.victimDb = db;
        return s;
      }
      t.hand = s;
    }
    return NIL;
  }

  /**
   * S3-FIFO, on the next db with keys: while the small FIFO holds at least its share of the
   * keys (or main is empty), its oldest key goes — to main if it was used, else out (the
   * victim, remembered by the ghost); otherwise main's oldest key goes round again if it was
   * used (one use fewer) or is the victim. Each step spends a use or moves a key off the small
   * FIFO, both paid for by earlier accesses and insertions: O(1) amortized per eviction.
   */
  private pickS3Fifo(): number {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(this.nextDb = (this.nextDb + 1) % dbs.length)];
      const t = db.t;
      const fifo = t.fifo;
      if (t.size === 0 || fifo === null) continue;
      const smallShare = Math.max(1, Math.floor(t.size / S3_SMALL_DIV));
      for (;;) {
        if (t.smallCount > 0 && (t.smallCount >= smallShare || t.mainHead === NIL)) {
          const s = t.lruHead;
          if ((fifo[s] & FIFO_FREQ) !== 0) {
            t.unlink(s);
            t.linkMain(s);
            continue;
          }
          const ghost = t.ghost as GhostFilter;
          ghost.fit(t.size - t.smallCount);
          ghost.add(keyHash(t.keys[s]));
          this.victimDb = db;
          return s;
        }
        const s = t.mainHead;
        const f = fifo[s];
        if ((f & FIFO_FREQ) !== 0) {
          fifo[s] = f - 1;
          t.mainRotate();
          continue;
        }
        this.victimDb = db;
        return s;
      }
    }
    return NIL;
  }
}

// Pool scores: higher = evict first (Redis's "idle").

type Scorer = (ev: Evictor, t: KeyTable, s: number) => number;

function scoreIdle(ev: Evictor, t: KeyTable, s: number): number {
  return ev.lruClock() - t.meta[2 * s];
}

function scoreLfu(ev: Evictor, t: KeyTable, s: number): number {
  return 255 - ev.lfuCounter(t.meta[2 * s]);
}

function scoreTtl(_ev: Evictor, t: KeyTable, s: number): number {
  return Number.MAX_SAFE_INTEGER - t.expiryOf(s);
}
