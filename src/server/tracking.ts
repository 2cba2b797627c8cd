// Server-assisted client-side caching (Redis tracking.c): CLIENT TRACKING's two tables and the
// invalidation messages they produce.
//
// - The tracking table (default mode): key -> ids of the clients that read it with tracking on.
//   A key is remembered after a read-only command runs for a tracking client (afterCall, from
//   the dispatcher), and forgotten when it is written: every client that may cache it gets one
//   invalidation, and has to read it again to hear of the next write. Like Redis, the table
//   holds key names whatever the db (a write to "k" in db 1 invalidates "k" read in db 0).
// - The prefix table (BCAST mode): prefix -> its clients and the keys under it written during
//   this event-loop turn, each with the client that wrote it last (for NOLOOP); they are sent
//   once per turn, sorted, from the server's beforeSleep (Redis trackingBroadcastInvalidationMessages).
//
// Writes are seen through the mutation log, as WATCH sees them (watch.ts visitMutation): an
// observer maps each canonical mutation to its keys, so the DELs of expiry and eviction
// invalidate too, and FLUSHDB/FLUSHALL send every tracking client one null invalidation.
//
// Invariants:
// - `clients` is the number of clients whose `tracking` is not null (Redis tracking_clients);
//   they and only they are in `byId`. The dispatcher pays one check of `clients` per command.
// - table, slots and `items` mirror each other: slots[e.slot] === e for every entry, `items` is
//   the sum of the id sets' sizes, and no set is empty. Ids are removed lazily, as in Redis: a
//   client that stops tracking (or disconnects) leaves its ids until the key is invalidated,
//   flushed or evicted by tracking-table-max-keys; they are skipped when met.
// - A prefix is in `prefixes` iff at least one BCAST client tracks it, and it is in that
//   client's own `prefixes` set.
// - An invalidation due to the client that is running a command (its own write, a flush it
//   ran) waits in `pending` and goes out after that command's reply, at the top-level call
//   (Redis tracking_pending_keys), so it never lands inside a reply or an EXEC array.

import { keyIndexes } from '../commands/table.js';
import { F, type CommandSpec } from '../commands/types.js';
import { visitMutation, type MutationVisitor } from './watch.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** The error replies of CLIENT TRACKING / CLIENT CACHING, with Redis 7.0.15's exact text. */
export const TRACKING_ERRORS = {
  REDIRECT_SINGLE: 'ERR A client can only redirect to a single other client',
  REDIRECT_MISSING: 'ERR The client ID you want redirect to does not exist',
  PREFIX_NEEDS_BCAST: 'ERR PREFIX option requires BCAST mode to be enabled',
  SWITCH_BCAST: "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  OPT_WITH_BCAST: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  OPTIN_AND_OPTOUT: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  SWITCH_OPT: "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  CACHING_NOT_TRACKING: 'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  CACHING_YES_NEEDS_OPTIN: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  CACHING_NO_NEEDS_OPTOUT: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
  prefixOverlapsExisting: (p: string, existing: string) =>
    `ERR Prefix '${p}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`,
  prefixOverlapsProvided: (p: string, other: string) =>
    `ERR Prefix '${p}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`,
} as const;

/** One client's tracking state (Redis's CLIENT_TRACKING_* flags and client_tracking_* fields). */
export class ClientTracking {
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING yes (OPTIN) / no (OPTOUT) given for the next command or transaction. */
  caching = false;
  /** The redirect client was gone when an invalidation was due (CLIENT LIST flag R). */
  brokenRedir = false;
  /** The client id invalidations go to; 0 = this connection. */
  redirectId = 0;
  /** That client, as found when tracking was enabled (ids are never reused: `closed` = gone). */
  redirect: Client | null = null;
  /** BCAST prefixes of this client (null when none). */
  prefixes: Set<string> | null = null;
}

export interface TrackingOptions {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
}

/** A key of the tracking table: who may cache it, and its place in `slots` (random eviction). */
class TrackedKey {
  readonly ids = new Set<number>();
  constructor(
    readonly key: string,
    public slot: number,
  ) {}
}

/** A prefix of the BCAST table (Redis bcastState). */
class BcastState {
  /** Keys written under the prefix this turn -> the client that wrote it last (null: expiry, eviction). */
  readonly keys = new Map<string, Client | null>();
  readonly clients = new Set<Client>();
}

const INVALIDATE_PUSH = '>2\r\n$10\r\ninvalidate\r\n';
const INVALIDATE_MESSAGE = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n';

function keysFrame(keys: readonly string[]): string {
  let s = '*' + keys.length + '\r\n';
  for (let i = 0; i < keys.length; i++) s += '$' + keys[i].length + '\r\n' + keys[i] + '\r\n';
  return s;
}

/** Redis shared.null[resp]: the "every key" invalidation is a null of the tracking client's protocol. */
function nullFrame(c: Client): string {
  return c.resp === 3 ? '_\r\n' : '$-1\r\n';
}

export class Tracking {
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** Ids in the tracking table, summed over keys (INFO tracking_total_items). */
  items = 0;
  /** The tracking clients by id: what a table id resolves to. */
  private readonly byId = new Map<number, Client>();
  private readonly table = new Map<string, TrackedKey>();
  private readonly slots: TrackedKey[] = [];
  private readonly prefixes = new Map<string, BcastState>();
  /** Some prefix has keys to broadcast at the end of the turn. */
  broadcastPending = false;
  /** The client whose command is running (Redis server.current_client while it executes). */
  private current: Client | null = null;
  private depth = 0;
  /** Invalidations for `pendingClient`, sent after its command: keys, or null for a flush. */
  private pending: Array<string | null> = [];
  private pendingClient: Client | null = null;
  /** Set around the DELs of expiry and eviction: no client made them (Redis passes NULL). */
  systemDelete = false;
  private maxKeys = 0;
  /** Rounds of trackingLimitUsedSlots that ended still over the limit (more effort each). */
  private timeoutCounter = 0;

  private readonly visitor: MutationVisitor = {
    flushed: () => this.invalidateOnFlush(),
    // Redis 7.0 leaves tracking alone on SWAPDB (dbSwapDatabases only touches WATCH).
    swapped: () => {},
    key: (_db, key) => this.invalidateKey(key, true),
    wants: () => this.table.size !== 0 || this.prefixes.size !== 0,
  };

  constructor(private readonly server: Server) {
    server.log.addObserver((db, argv) => {
      // Stale ids keep the table alive after the last client left: writes still drain it.
      if (this.clients !== 0 || this.table.size !== 0) visitMutation(server.commands, db, argv, this.visitor);
    });
    server.clientClosedHooks.push((c) => {
      this.disable(c);
      if (this.pendingClient === c) {
        this.pending.length = 0;
        this.pendingClient = null;
      }
    });
    // RESET turns tracking off (Redis clearClientConnectionState).
    server.clientResetHooks.push((c) => this.disable(c));
    const cfg = server.config;
    const apply = (): void => {
      this.maxKeys = cfg.num('tracking-table-max-keys');
    };
    apply();
    cfg.onChange('tracking-table-max-keys', apply);
  }

  /** Keys in the tracking table (INFO tracking_total_keys). */
  get totalKeys(): number {
    return this.table.size;
  }

  /** BCAST prefixes tracked (INFO tracking_total_prefixes). */
  get totalPrefixes(): number {
    return this.prefixes.size;
  }

  // ---- CLIENT TRACKING / CACHING -----------------------------------------------------------

  /**
   * Redis enableTracking (options already checked): on again resets the mode flags, keeps the
   * CACHING flag and, in BCAST mode, adds the prefixes to those the client has ("" when none).
   */
  enable(c: Client, redirect: Client | null, opts: TrackingOptions, prefixes: readonly string[]): void {
    let t = c.tracking;
    if (t === null) {
      t = c.tracking = new ClientTracking();
      this.clients++;
      this.byId.set(c.id, c);
    }
    t.brokenRedir = t.bcast = t.optin = t.optout = t.noloop = false;
    t.redirect = redirect;
    t.redirectId = redirect === null ? 0 : redirect.id;
    if (opts.bcast) {
      t.bcast = true;
      if (prefixes.length === 0) this.addPrefix(c, t, '');
      for (const p of prefixes) this.addPrefix(c, t, p);
    }
    t.optin = opts.optin;
    t.optout = opts.optout;
    t.noloop = opts.noloop;
  }

  /**
   * Redis disableTracking: CLIENT TRACKING off, RESET, disconnect. The client leaves its
   * prefixes at once; its ids in the tracking table go lazily (see the invariants).
   */
  disable(c: Client): void {
    const t = c.tracking;
    if (t === null) return;
    if (t.prefixes !== null) {
      for (const p of t.prefixes) {
        const bs = this.prefixes.get(p)!;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixes.delete(p);
      }
    }
    c.tracking = null;
    this.clients--;
    this.byId.delete(c.id);
  }

  /**
   * Redis checkPrefixCollisionsOrReply: the first prefix that would invalidate the same keys as
   * one the client has, or as a later one of the list, as the error to reply; null when none.
   * (Redis 7.0 replies that error and still enables tracking, answering +OK as well, when the
   * colliding prefix is not the first of the list: Hoard answers the error alone.)
   */
  prefixCollision(c: Client, prefixes: readonly string[]): string | null {
    const mine = c.tracking?.prefixes ?? null;
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      if (mine !== null) {
        for (const q of [...mine].sort()) if (overlap(q, p)) return TRACKING_ERRORS.prefixOverlapsExisting(p, q);
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlap(p, prefixes[j])) return TRACKING_ERRORS.prefixOverlapsProvided(p, prefixes[j]);
      }
    }
    return null;
  }

  private addPrefix(c: Client, t: ClientTracking, prefix: string): void {
    let bs = this.prefixes.get(prefix);
    if (bs === undefined) this.prefixes.set(prefix, (bs = new BcastState()));
    if (bs.clients.has(c)) return;
    bs.clients.add(c);
    (t.prefixes ??= new Set()).add(prefix);
  }

  // ---- the dispatcher's hooks (client.ts call(), only while `clients` is not 0) --------------

  /**
   * Before a command runs. At the top level the table is first held to tracking-table-max-keys
   * (Redis processCommand's trackingLimitUsedSlots): the invalidations of a key read by the
   * previous command thus leave after that command's reply reached its client, not with it.
   */
  beforeCall(c: Client): void {
    if (this.depth++ !== 0) return;
    if (this.maxKeys !== 0 && this.table.size > this.maxKeys) this.limitUsedSlots();
    this.current = c;
  }

  /**
   * After a command ran (Redis call() then afterCommand): a read-only command's keys are
   * remembered for its client; at the top-level call (not inside EXEC) the CACHING flag is
   * spent and the client's own pending invalidations follow its reply.
   */
  afterCall(c: Client, spec: CommandSpec, argv: readonly string[]): void {
    const t = c.tracking;
    if (t !== null && !t.bcast && (spec.bits & F.readonly) !== 0) this.rememberKeys(c, t, spec, argv);
    if (--this.depth !== 0) return;
    this.current = null;
    // The inner command of an EXEC that began before any client tracked: the EXEC goes on.
    if (c.inExec) return;
    if (t !== null && t.caching) this.spendCaching(c, t, spec);
    if (this.pending.length !== 0) this.flushPending();
  }

  /** A command refused before it ran still spends the CACHING flag (Redis resetClient). */
  rejected(c: Client, spec: CommandSpec | undefined): void {
    const t = c.tracking;
    if (t !== null && t.caching) this.spendCaching(c, t, spec);
  }

  /**
   * Redis resetClient: CACHING applies to the next command, or to the next transaction when
   * that command is MULTI; CLIENT subcommands in between do not use it up.
   */
  private spendCaching(c: Client, t: ClientTracking, spec: CommandSpec | undefined): void {
    if (c.multi !== null) return;
    if (spec !== undefined && spec.parent !== undefined && spec.parent.name === 'client') return;
    t.caching = false;
  }

  /** Redis trackingRememberKeys. */
  private rememberKeys(c: Client, t: ClientTracking, spec: CommandSpec, argv: readonly string[]): void {
    // Shard channels are keys to the command table, not to a cache.
    if ((spec.bits & F.pubsub) !== 0) return;
    if (t.optin ? !t.caching : t.optout && t.caching) return;
    const idx = keyIndexes(spec, argv);
    for (let i = 0; i < idx.length; i++) {
      const key = argv[idx[i]];
      let e = this.table.get(key);
      if (e === undefined) {
        e = new TrackedKey(key, this.slots.length);
        this.slots.push(e);
        this.table.set(key, e);
      }
      if (!e.ids.has(c.id)) {
        e.ids.add(c.id);
        this.items++;
      }
    }
  }

  /** Redis signalModifiedKey for a write that logs no mutation (LTRIM keeping the whole list). */
  touched(key: string): void {
    if (this.table.size !== 0 || this.prefixes.size !== 0) this.invalidateKey(key, true);
  }

  // ---- invalidation ------------------------------------------------------------------------

  /**
   * Redis trackingInvalidateKey: `key` changed (bcast) or is dropped from the table (eviction
   * by tracking-table-max-keys). Every client that may cache it is told once, and forgotten.
   */
  private invalidateKey(key: string, bcast: boolean): void {
    if (bcast && this.prefixes.size !== 0) this.rememberKeyToBroadcast(key);
    const e = this.table.get(key);
    if (e === undefined) return;
    const current = this.current;
    for (const id of e.ids) {
      const target = this.byId.get(id);
      // Gone, off, or BCAST since it read the key: a stale id.
      if (target === undefined || target.tracking!.bcast) continue;
      if (target === current) {
        if (target.tracking!.noloop) continue;
        this.pendingFor(target, key);
      } else {
        this.send(target, keysFrame([key]));
      }
    }
    this.items -= e.ids.size;
    this.removeEntry(e);
  }

  private removeEntry(e: TrackedKey): void {
    this.table.delete(e.key);
    const last = this.slots.pop()!;
    if (last !== e) {
      last.slot = e.slot;
      this.slots[e.slot] = last;
    }
  }

  /** Redis trackingRememberKeyToBroadcast. */
  private rememberKeyToBroadcast(key: string): void {
    const by = this.systemDelete ? null : this.current;
    for (const [prefix, bs] of this.prefixes) {
      if (!key.startsWith(prefix)) continue;
      bs.keys.set(key, by);
      if (!this.broadcastPending) {
        this.broadcastPending = true;
        this.server.requestBeforeSleep();
      }
    }
  }

  /** Redis trackingInvalidateKeysOnFlush: a null invalidation to every tracking client. */
  private invalidateOnFlush(): void {
    if (this.clients !== 0) {
      for (const c of this.byId.values()) {
        if (c === this.current) this.pendingFor(c, null);
        else this.send(c, nullFrame(c));
      }
    }
    this.table.clear();
    this.slots.length = 0;
    this.items = 0;
  }

  private pendingFor(c: Client, key: string | null): void {
    // Only the running client has pending invalidations, and they are sent when it is done.
    if (this.pendingClient !== c) {
      this.pending.length = 0;
      this.pendingClient = c;
    }
    this.pending.push(key);
  }

  /** Redis trackingHandlePendingKeyInvalidations. */
  private flushPending(): void {
    const c = this.pendingClient!;
    const list = this.pending;
    this.pending = [];
    this.pendingClient = null;
    if (c.closed || c.tracking === null) return;
    for (const key of list) this.send(c, key === null ? nullFrame(c) : keysFrame([key]));
  }

  /**
   * Redis trackingLimitUsedSlots: over tracking-table-max-keys, random keys are invalidated (as
   * if written, their clients told) until under it, with more effort each time it fails.
   */
  private limitUsedSlots(): void {
    const max = this.maxKeys;
    let effort = 100 * (this.timeoutCounter + 1);
    while (effort-- > 0 && this.slots.length !== 0) {
      this.invalidateKey(this.slots[Math.floor(Math.random() * this.slots.length)].key, false);
      if (this.table.size <= max) {
        this.timeoutCounter = 0;
        return;
      }
    }
    this.timeoutCounter++;
  }

  /**
   * Redis trackingBroadcastInvalidationMessages, from the server's beforeSleep: each prefix's
   * keys of this turn, sorted, to each of its clients (a NOLOOP client without the keys it
   * wrote itself, and nothing if that leaves none).
   */
  broadcastInvalidations(): void {
    this.broadcastPending = false;
    const names: string[] = [];
    for (const [prefix, bs] of this.prefixes) if (bs.keys.size !== 0) names.push(prefix);
    names.sort();
    for (const prefix of names) {
      const bs = this.prefixes.get(prefix);
      // Its last client went away during this broadcast (closed over its output limit).
      if (bs === undefined) continue;
      const keys = [...bs.keys.keys()].sort();
      let all: string | null = null;
      for (const c of bs.clients) {
        if (c.tracking!.noloop) {
          const mine: string[] = [];
          for (const k of keys) if (bs.keys.get(k) !== c) mine.push(k);
          if (mine.length !== 0) this.send(c, keysFrame(mine));
        } else {
          this.send(c, (all ??= keysFrame(keys)));
        }
      }
      bs.keys.clear();
    }
  }

  /**
   * Redis sendTrackingMessage: `payload` (a keys array or a null) to the client, or to its
   * redirect client. RESP3 gets an `invalidate` push; a RESP2 redirect client in pub/sub mode
   * gets a message on __redis__:invalidate; a RESP2 client without redirect gets nothing.
   * A redirect client that is gone sets the broken flag (and a RESP3 client is told).
   */
  private send(c: Client, payload: string): void {
    const t = c.tracking!;
    let target = c;
    if (t.redirectId !== 0) {
      const r = t.redirect;
      if (r === null || r.closed) {
        t.brokenRedir = true;
        if (c.resp === 3) this.write(c, '>2\r\n$21\r\ntracking-redir-broken\r\n:' + t.redirectId + '\r\n');
        return;
      }
      target = r;
      if (target.resp !== 3) {
        if (target.pubsub !== null) this.write(target, INVALIDATE_MESSAGE + payload);
        return;
      }
    } else if (c.resp !== 3) {
      return;
    }
    this.write(target, INVALIDATE_PUSH + payload);
  }

  /** Appends a push to a client's output (even under CLIENT REPLY OFF, as Redis's CLIENT_PUSHING). */
  private write(c: Client, frame: string): void {
    if (c.closed || c.closeAsap) return;
    c.reply.raw(frame);
    if (this.server.outputLimits.check(c)) return;
    this.server.scheduleWrite(c);
  }
}

/** Two BCAST prefixes overlap when one starts the other (Redis stringCheckPrefix). */
function overlap(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}
