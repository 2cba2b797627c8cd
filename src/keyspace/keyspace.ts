// The keyspace: the numbered databases, the clock they expire against, keyspace statistics and
// the active expire cycle. It imports nothing of the project above it: what happens when a key
// expires (log a DEL, notify, invalidate WATCH) is told through `hooks`, wired by the server.

import { Db } from './db.js';
import type { Value } from './entry.js';
import { FIFO_FREQ, FIFO_MAIN, type ChainMode, type KeyTable } from './table.js';
import { systemClock, type Clock } from './clock.js';
import { MemoryAccounting } from './memory.js';
import { ACCESS_LFU, ACCESS_LRU, ACCESS_S3FIFO, ACCESS_SIEVE, Evictor, lfuInit, lfuTouch } from './evict.js';

export interface KeyspaceHooks {
  /** A key was deleted by lazy or active expiry (already removed from the db). */
  expired(db: Db, key: string): void;
}

export class KeyspaceStats {
  keyspaceHits = 0;
  keyspaceMisses = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  /** Estimated share of stale keys among those with a TTL, from the last expire cycle (%). */
  expiredStalePerc = 0;
  expiredTimeCapReachedCount = 0;
  expireCycleCpuMs = 0;

  reset(): void {
    this.keyspaceHits = this.keyspaceMisses = this.expiredKeys = this.evictedKeys = 0;
    this.expiredStalePerc = this.expiredTimeCapReachedCount = this.expireCycleCpuMs = 0;
  }
}

/** Redis's expire.c tunables (ACTIVE_EXPIRE_CYCLE_*), scaled by active-expire-effort. */
const KEYS_PER_LOOP = 20;
const SLOW_TIME_PERC = 25;
const ACCEPTABLE_STALE = 10;

export class Keyspace {
  readonly dbs: Db[];
  readonly stats = new KeyspaceStats();
  /**
   * False on a replica (set it so), or while CLIENT PAUSE lasts (`expirePaused`): expired keys
   * read as missing but are deleted only by the primary's DEL / once the pause is over.
   */
  get expireDeletes(): boolean {
    return !this.replicaExpiry && !this.expirePaused;
  }
  set expireDeletes(v: boolean) {
    this.replicaExpiry = !v;
  }
  private replicaExpiry = false;
  /** Set by server/pause.ts while clients are paused: no key is deleted by expiry meanwhile. */
  expirePaused = false;
  /**
   * True while loading (snapshot + AOF replay): nothing expires, as in Redis's keyIsExpired —
   * the log is replayed later than it was written, and replaying it must give the state it
   * described, not one where keys vanished mid-replay. Expiry catches up once serving starts.
   */
  loading = false;
  /**
   * Set while a point-in-time walk runs (a snapshot, a replica's full sync:
   * persistence/walk.ts): called before an existing key is modified, moved, expired or deleted,
   * so the walk can save its pre-write value. Several walks at once share it through
   * addWriteHook (null when none: the one check on the write path).
   */
  beforeWrite: ((db: Db, s: number) => void) | null = null;
  private readonly writeHooks: Array<(db: Db, s: number) => void> = [];

  addWriteHook(h: (db: Db, s: number) => void): void {
    this.writeHooks.push(h);
    this.installWriteHooks();
  }

  removeWriteHook(h: (db: Db, s: number) => void): void {
    const i = this.writeHooks.indexOf(h);
    if (i < 0) return;
    this.writeHooks.splice(i, 1);
    this.installWriteHooks();
  }

  private installWriteHooks(): void {
    const hooks = this.writeHooks;
    if (hooks.length === 0) this.beforeWrite = null;
    else if (hooks.length === 1) this.beforeWrite = hooks[0];
    else {
      const all = hooks.slice();
      this.beforeWrite = (db, s) => {
        for (let i = 0; i < all.length; i++) all[i](db, s);
      };
    }
  }
  /**
   * How the dbs chain their keys (table.ts): in access order under an LRU policy, in insertion
   * order under SIEVE, as two FIFOs under S3-FIFO, not at all otherwise; the evictor sets it,
   * setChain builds or drops the chains of existing keys.
   */
  chainMode: ChainMode = 'none';
  /** Seconds, refreshed by the server cron (Redis's cached LRU clock): no clock read per access. */
  lruClock = 0;
  /**
   * Keyspace-notification hooks (server/notify.ts), null unless their class is enabled: a key
   * was created (Redis dbAdd → "new"); a read lookup found no key (lookupKeyRead → "keymiss").
   */
  keyAdded: ((db: Db, key: string) => void) | null = null;
  keyMissed: ((db: Db, key: string) => void) | null = null;
  /** used_memory accounting (memory.ts), kept current by the hooks below. */
  readonly memory: MemoryAccounting;
  /** maxmemory and its policies (evict.ts); the server configures it and wires its hooks. */
  readonly evictor: Evictor;
  /**
   * What onAccess records, set by the evictor from maxmemory-policy: ACCESS_LRU (lru column = the
   * LRU clock), ACCESS_LFU (lru column = Redis's LFU minutes and counter), ACCESS_SIEVE (the LRU
   * clock, plus the visited bit in the mem column), ACCESS_S3FIFO (the LRU clock, plus the use
   * count in the fifo column).
   */
  accessMode = ACCESS_LRU;
  /** lfu-log-factor and lfu-decay-time, for the LFU counter (set by the evictor). */
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  private expireDbCursor = 0;

  constructor(
    databases: number,
    public clock: Clock = systemClock,
    public hooks: KeyspaceHooks = { expired() {} },
  ) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i, this));
    this.memory = new MemoryAccounting(this);
    this.evictor = new Evictor(this);
    this.updateLruClock();
  }

  db(i: number): Db {
    return this.dbs[i];
  }

  /** Starts or stops keeping every db's chain, or changes its order; see KeyTable.chain. */
  setChain(mode: ChainMode): void {
    if (mode === this.chainMode) return;
    this.chainMode = mode;
    for (const d of this.dbs) {
      // Another order is rebuilt from the access stamps (what chain() does).
      d.t.unchain();
      d.t.chain(mode);
    }
  }

  updateLruClock(): void {
    this.lruClock = Math.floor(this.clock.now() / 1000);
  }

  // Access/size hooks: where LFU counters, SIEVE's visited bit and memory accounting attach.
  onAccess(t: KeyTable, s: number): void {
    if (this.accessMode === ACCESS_LRU) t.meta[2 * s] = this.lruClock;
    else if (this.accessMode === ACCESS_LFU) t.meta[2 * s] = lfuTouch(t.meta[2 * s], this.clock.now(), this.lfuLogFactor, this.lfuDecayTime);
    else if (this.accessMode === ACCESS_SIEVE) {
      t.meta[2 * s] = this.lruClock;
      t.meta[2 * s + 1] |= 1;
    } else {
      // S3-FIFO: the use count saturates at 3.
      t.meta[2 * s] = this.lruClock;
      const f = (t.fifo as Uint8Array)[s];
      if ((f & FIFO_FREQ) !== FIFO_FREQ) (t.fifo as Uint8Array)[s] = f + 1;
    }
  }
  /**
   * A new key (after onAccess): accounted (which also clears SIEVE's visited bit); an LFU
   * counter starts at LFU_INIT_VAL, an S3-FIFO use count at 0.
   */
  onAdd(db: Db, s: number): void {
    this.memory.added(db, s);
    if (this.accessMode === ACCESS_LFU) db.t.meta[2 * s] = lfuInit(this.clock.now());
    else if (this.accessMode === ACCESS_S3FIFO) (db.t.fifo as Uint8Array)[s] &= FIFO_MAIN;
  }
  /** lookupWrite found slot `s` to modify it: a collection is re-estimated once the command is over. */
  onLookupWrite(db: Db, s: number): void {
    this.memory.writeLookup(db, s);
  }
  onOverwrite(db: Db, s: number, value: Value): void {
    this.memory.overwritten(db, s, value);
  }
  onDelete(db: Db, s: number): void {
    this.memory.deleted(db, s);
  }
  onFlush(db: Db): void {
    this.memory.flushed(db);
    this.evictor.flushed(db);
  }

  totalKeys(): number {
    let n = 0;
    for (const d of this.dbs) n += d.size;
    return n;
  }

  swap(a: number, b: number): void {
    if (a === b) return;
    // Pending entries name a db and a slot of its table: settle them before the tables trade.
    this.memory.flushPending();
    this.dbs[a].swapContents(this.dbs[b]);
    this.memory.swapped(a, b);
  }

  /**
   * Redis's activeExpireCycle (slow cycle): for each db, sample KEYS_PER_LOOP keys with a TTL
   * (from a persistent cursor, so successive cycles cover the whole set), delete the expired
   * ones, and repeat while more than ACCEPTABLE_STALE% of a sample was expired — within a time
   * budget of SLOW_TIME_PERC% of the cron period. Returns the number of keys expired.
   */
  activeExpireCycle(hz: number, effort = 1): number {
    if (!this.expireDeletes || this.loading) return 0;
    const start = performance.now();
    const e = Math.max(0, Math.min(9, effort - 1));
    const perLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * e;
    const acceptable = ACCEPTABLE_STALE - e;
    const budgetMs = (SLOW_TIME_PERC + 2 * e) * 10 / Math.max(1, hz);
    let expired = 0;
    let sampledTotal = 0;
    let expiredTotal = 0;
    let timedOut = false;
    const ndb = this.dbs.length;
    for (let j = 0; j < ndb && !timedOut; j++) {
      const db = this.dbs[this.expireDbCursor];
      this.expireDbCursor = (this.expireDbCursor + 1) % ndb;
      let iterations = 0;
      for (;;) {
        if (db.expires.size === 0) break;
        const now = this.clock.now();
        let sampled = 0;
        let expiredHere = 0;
        const target = Math.min(perLoop, db.expires.size);
        while (sampled < target) {
          if (db.expireCursor === null) db.expireCursor = db.expires.values();
          const r = db.expireCursor.next();
          if (r.done) {
            db.expireCursor = null;
            if (sampled === 0) break;
            break;
          }
          sampled++;
          if (db.t.expiryOf(r.value) <= now) {
            db.expireSlot(r.value);
            expiredHere++;
          }
        }
        sampledTotal += sampled;
        expiredTotal += expiredHere;
        expired += expiredHere;
        if ((++iterations & 15) === 0 && performance.now() - start > budgetMs) {
          timedOut = true;
          this.stats.expiredTimeCapReachedCount++;
          break;
        }
        if (sampled === 0 || (expiredHere * 100) / sampled <= acceptable) break;
      }
    }
    if (sampledTotal > 0) {
      const current = (expiredTotal * 100) / sampledTotal;
      this.stats.expiredStalePerc = current * 0.05 + this.stats.expiredStalePerc * 0.95;
    }
    this.stats.expireCycleCpuMs += performance.now() - start;
    return expired;
  }
}
