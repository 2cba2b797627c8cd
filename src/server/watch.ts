// WATCH, the optimistic-locking half of transactions (Redis multi.c's watchForKey,
// touchWatchedKey, touchAllWatchedKeysInDb, isWatchedKeyExpired): who watches which key, and the
// invalidation ("dirty CAS") of a watcher's next EXEC when one of its keys changes.
//
// Invalidation is driven by the mutation log: an observer sees every canonical mutation
// (db, argv) — including the DELs of lazy/active expiry and eviction — and maps it to the keys
// it writes through the command table (keyIndexes), so every family is covered without
// declaring anything; only the db-level commands are special cases (FLUSHDB, FLUSHALL, SWAPDB,
// MOVE and COPY, whose keys live in another db or in no argument at all). That mapping is
// visitMutation, shared with CLIENT TRACKING (server/tracking.ts). Observers run after
// the mutation, so what Redis reads before (did a flushed key exist?) comes from `present`.
//
// Invariants:
// - byDb[db].get(key) and byClient.get(c) mirror each other, hold no empty list, and `count` is
//   the number of (client, db, key) records in them (the observer returns at once when 0).
// - A client flagged dirtyCas watches nothing (it is unwatched when flagged, as Redis 7.0 does:
//   its EXEC will fail whatever happens next), and WATCH on a dirty client is a no-op.
// - For every record, `present` is whether the key is in its db's dict (expired or not): true at
//   WATCH, any change of it touches the record, and the touches that leave a record clean
//   (expired-at-WATCH key deleted, SWAPDB, flush of an absent key) update it.

import { keyIndexes } from '../commands/table.js';
import type { CommandSpec } from '../commands/types.js';
import type { Db } from '../keyspace/index.js';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { PerServer } from './per-server.js';

/**
 * What a canonical mutation changed, as its consumers see it (WATCH here, CLIENT TRACKING in
 * server/tracking.ts): the keys it writes, found through the command table, or one of the
 * db-level events whose keys are in no argument or in another db.
 */
export interface MutationVisitor {
  /** FLUSHDB of `db`, or FLUSHALL when `db` is -1. */
  flushed(db: number): void;
  /** SWAPDB a b, seen after the swap. */
  swapped(a: number, b: number): void;
  /** `key` of db `db` was written (MOVE names its key in both dbs, COPY only its destination). */
  key(db: number, key: string): void;
  /** False when no key of `db` can matter: the key walk of an ordinary command is skipped. */
  wants(db: number): boolean;
}

/** Maps one mutation (db, argv) to the visitor's events (the one key-mapping WATCH and tracking share). */
export function visitMutation(commands: ReadonlyMap<string, CommandSpec>, db: number, argv: readonly string[], v: MutationVisitor): void {
  const name = argv[0].toLowerCase();
  switch (name) {
    case 'flushall':
      v.flushed(-1);
      return;
    case 'flushdb':
      v.flushed(db);
      return;
    case 'swapdb':
      v.swapped(Number(argv[1]), Number(argv[2]));
      return;
    case 'move':
      v.key(db, argv[1]);
      v.key(Number(argv[2]), argv[1]);
      return;
    case 'copy': {
      // Only the destination changes, in the db named by DB (default: the source db).
      let target = db;
      for (let i = 3; i + 1 < argv.length; i++) if (argv[i].toLowerCase() === 'db') target = Number(argv[i + 1]);
      v.key(target, argv[2]);
      return;
    }
    // Consumer-group bookkeeping and XSETID: Redis (t_stream.c) signals no modified key for
    // them, so neither WATCH nor CLIENT TRACKING sees a change — except the stream an XGROUP
    // CREATE ... MKSTREAM creates (streams.ts logs MKSTREAM only when it did create it).
    // XREADGROUP and XAUTOCLAIM are logged as these commands.
    case 'xgroup':
      if (argv.length > 2 && argv[1].toLowerCase() === 'create' && argv[argv.length - 1].toLowerCase() === 'mkstream') v.key(db, argv[2]);
      return;
    case 'xack':
    case 'xclaim':
    case 'xsetid':
      return;
  }
  if (!v.wants(db)) return;
  let spec = commands.get(name);
  if (spec === undefined) return;
  if (spec.subcommands !== undefined && argv.length > 1) spec = spec.subcommands.get(argv[1].toLowerCase()) ?? spec;
  const idx = keyIndexes(spec, argv);
  for (let i = 0; i < idx.length; i++) v.key(db, argv[idx[i]]);
}

/** One watched key of one client (Redis's watchedKey). */
class WatchedKey {
  constructor(
    readonly client: Client,
    readonly db: number,
    readonly key: string,
    /** The key was logically expired (but not yet deleted) when WATCH ran: Redis's wk->expired. */
    public expired: boolean,
    public present: boolean,
  ) {}
}

export class Watch {
  private readonly byDb: Array<Map<string, WatchedKey[]> | undefined> = [];
  private readonly byClient = new Map<Client, WatchedKey[]>();
  private count = 0;

  constructor(private readonly server: Server) {
    server.log.addObserver((db, argv) => {
      if (this.count !== 0) this.mutation(db, argv);
    });
    server.clientClosedHooks.push((c) => this.unwatchAll(c));
    // RESET discards the transaction: unwatch and forget a failed CAS (Redis discardTransaction).
    server.clientResetHooks.push((c) => {
      this.unwatchAll(c);
      c.dirtyCas = false;
    });
  }

  /** Number of keys `c` watches. */
  watchedBy(c: Client): number {
    return this.byClient.get(c)?.length ?? 0;
  }

  /** WATCH key [key ...] in the client's selected db. */
  watch(c: Client, keys: readonly string[]): void {
    // No point in watching if the client is already dirty (Redis 7.0 watchCommand).
    if (c.dirtyCas) return;
    const db = c.dbIndex;
    const d = this.server.ks.dbs[db];
    let m = this.byDb[db];
    if (m === undefined) m = this.byDb[db] = new Map();
    let mine = this.byClient.get(c);
    for (const key of keys) {
      let list = m.get(key);
      if (list !== undefined && list.some((wk) => wk.client === c)) continue;
      // No lookup: WATCH neither expires the key nor counts a hit or miss (Redis keyIsExpired).
      const e = d.dict.get(key);
      const wk = new WatchedKey(c, db, key, e !== undefined && this.isExpired(d, key), e !== undefined);
      if (list === undefined) m.set(key, (list = []));
      list.push(wk);
      if (mine === undefined) this.byClient.set(c, (mine = []));
      mine.push(wk);
      this.count++;
    }
  }

  /** UNWATCH, EXEC, DISCARD, disconnect: forgets every key of `c` (the dirty flag is the caller's). */
  unwatchAll(c: Client): void {
    const mine = this.byClient.get(c);
    if (mine === undefined) return;
    this.byClient.delete(c);
    for (const wk of mine) {
      const m = this.byDb[wk.db]!;
      const list = m.get(wk.key)!;
      const i = list.indexOf(wk);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) m.delete(wk.key);
      this.count--;
    }
  }

  /**
   * Redis isWatchedKeyExpired (checked by EXEC): a key that was alive at WATCH and has expired
   * since without being deleted yet changed as much as if it had been deleted.
   */
  isWatchedKeyExpired(c: Client): boolean {
    const mine = this.byClient.get(c);
    if (mine === undefined) return false;
    for (const wk of mine) {
      if (!wk.expired && this.isExpired(this.server.ks.dbs[wk.db], wk.key)) return true;
    }
    return false;
  }

  // ---- invalidation ------------------------------------------------------------------------

  /**
   * Redis's signalModifiedKey for a write that leaves the value as it was and so logs no
   * mutation (LTRIM over the whole list): its watchers still see the key as modified.
   */
  touched(db: number, key: string): void {
    if (this.count !== 0) this.touchKey(db, key);
  }

  /** The log observer's side of visitMutation: what each event touches. */
  private readonly visitor: MutationVisitor = {
    flushed: (db) => {
      if (db >= 0) this.touchFlushed(db);
      else for (let d = 0; d < this.byDb.length; d++) this.touchFlushed(d);
    },
    swapped: (a, b) => this.touchSwapped(a, b),
    key: (db, key) => this.touchKey(db, key),
    wants: (db) => {
      const m = this.byDb[db];
      return m !== undefined && m.size !== 0;
    },
  };

  private mutation(db: number, argv: readonly string[]): void {
    visitMutation(this.server.commands, db, argv, this.visitor);
  }

  private isExpired(d: Db, key: string): boolean {
    const s = d.dict.get(key);
    if (s === undefined) return false;
    const at = d.expiryAt(s);
    return at !== 0 && !this.server.ks.loading && at <= this.server.ks.clock.now();
  }

  private markDirty(c: Client): void {
    c.dirtyCas = true;
    // Nothing can make the EXEC succeed any more: stop paying for the watch (Redis 7.0).
    this.unwatchAll(c);
  }

  /** Redis touchWatchedKey, after the write to `key` in db `db`. */
  private touchKey(db: number, key: string): void {
    const list = this.byDb[db]?.get(key);
    if (list === undefined) return;
    const d = this.server.ks.dbs[db];
    for (const wk of list.slice()) {
      if (wk.expired) {
        if (!d.dict.has(key)) {
          // The key that was already expired at WATCH got deleted: logically no change.
          wk.expired = false;
          wk.present = false;
        }
        // Still there (written without being expired first, e.g. on a replica): Redis 7.0
        // leaves the watcher alone too; EXEC's isWatchedKeyExpired skips it.
        continue;
      }
      this.markDirty(wk.client);
    }
  }

  /** FLUSHDB / FLUSHALL (Redis touchAllWatchedKeysInDb(emptied, NULL)): only keys that existed. */
  private touchFlushed(db: number): void {
    const m = this.byDb[db];
    if (m === undefined || m.size === 0) return;
    for (const list of [...m.values()]) {
      for (const wk of list.slice()) {
        if (!wk.present) continue;
        if (wk.expired) {
          wk.expired = false;
          wk.present = false;
          continue;
        }
        this.markDirty(wk.client);
      }
    }
  }

  /**
   * SWAPDB a b, seen after the swap: what Redis reads before it (touchAllWatchedKeysInDb(a, b)
   * then (b, a)) is now in the other db. A key watched in a changes iff it existed in either db,
   * except when an expired key is replaced by nothing or by another expired key, or nothing by
   * an expired key.
   */
  private touchSwapped(a: number, b: number): void {
    const dbs = this.server.ks.dbs;
    this.touchAllInDb(a, dbs[b], dbs[a]);
    this.touchAllInDb(b, dbs[a], dbs[b]);
  }

  /** `emptied` holds what db `db` held before; `replaced` what it holds now. */
  private touchAllInDb(db: number, emptied: Db, replaced: Db): void {
    const m = this.byDb[db];
    if (m === undefined || m.size === 0) return;
    for (const [key, list] of [...m]) {
      const inEmptied = emptied.dict.has(key);
      const inReplaced = replaced.dict.has(key);
      if (!inEmptied && !inReplaced) continue;
      for (const wk of list.slice()) {
        if (wk.expired) {
          if (!inReplaced) {
            wk.expired = false;
            wk.present = false;
            continue;
          }
          if (this.isExpired(replaced, key)) continue;
        } else if (!inEmptied && this.isExpired(replaced, key)) {
          wk.expired = true;
          wk.present = true;
          continue;
        }
        this.markDirty(wk.client);
      }
    }
  }
}

const registries = new PerServer((server) => new Watch(server));

/** The server's WATCH registry, created (and hooked into the log) on first use. */
export function watchRegistry(server: Server): Watch {
  return registries.of(server);
}

/** The registry if anyone ever watched on this server (EXEC and DISCARD need not create one). */
export function existingWatchRegistry(server: Server): Watch | undefined {
  return registries.existing(server);
}
