// What a command is (a declaration: name, arity, flags, key positions, handler) and what a
// handler may see of the world (CommandContext). Handlers reply through `c.reply` and emit
// canonical mutations through `c.propagate`; they never touch sockets or other clients directly.

import type { MigrateLink } from '../server/migrate-link.js';
import type { ClusterNode } from '../cluster/cluster.js';
import type { LatencyHistogram } from '../util/latency-histogram.js';
import type { ReplyWriter } from '../protocol/reply.js';
import type { Db, Keyspace, ValueType } from '../keyspace/index.js';
import type { MutationLog } from '../log/mutation-log.js';
import type { Config } from '../config.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_multi'
  | 'allow_busy'
  | 'no_mandatory_keys'
  | 'movablekeys'
  | 'no_async_loading';

/** Flag bits, precomputed per spec. */
export const F = {
  write: 1,
  readonly: 2,
  denyoom: 4,
  admin: 8,
  pubsub: 16,
  noscript: 32,
  blocking: 64,
  loading: 128,
  stale: 256,
  skip_monitor: 512,
  skip_slowlog: 1024,
  fast: 2048,
  no_auth: 4096,
  may_replicate: 8192,
  no_multi: 16384,
  allow_busy: 32768,
  no_mandatory_keys: 65536,
  movablekeys: 131072,
  no_async_loading: 262144,
  asking: 524288,
} as const satisfies Record<CommandFlag, number>;

export type Handler = (c: CommandContext, argv: string[]) => void;

export interface CommandSpec {
  /** Lower-case name (for a subcommand: the subcommand name alone). */
  name: string;
  /** Redis arity: N = exactly N args including the name; -N = at least N. */
  arity: number;
  flags: readonly CommandFlag[];
  /** The same flags as a bitmask of F.* (the dispatcher's hot path reads this, not `flags`). */
  bits: number;
  /** 1-based positions: first key, last key (-1 = last arg, -2 = second to last), step. 0 = no keys. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories without '@' (keyspace, read, write, string, fast, slow, dangerous, ...). */
  categories: readonly string[];
  /** Keys of commands whose key positions are not a plain range (numkeys forms). */
  getKeys?: (argv: readonly string[]) => number[];
  /**
   * Flags (F.* bits) of this very invocation, for a command whose behaviour its arguments
   * declare (Redis's getCommandFlags: EVAL of a script with a shebang). Absent: `bits`.
   */
  getFlags?: (c: CommandContext, argv: readonly string[]) => number;
  handler: Handler;
  subcommands?: Map<string, CommandSpec>;
  /** Filled by the table: the parent for a subcommand ("config" for "config|get"). */
  parent?: CommandSpec;
  /** Filled by the table: a small integer unique to this spec in the process (per-server
   * counters are arrays indexed by it, not maps keyed by the spec). */
  id?: number;
  /** COMMAND INFO tips (Redis's command hints: nondeterministic_output, request_policy:...). */
  tips?: readonly string[];
  /** For COMMAND DOCS. */
  summary?: string;
  since?: string;
  group?: string;
}

/** Server-wide operations a handler may ask for. Implemented by server/. */
export interface ServerApi {
  /** 'sentinel' when the process runs as hoard-sentinel (HELLO and INFO say so). */
  readonly mode: 'standalone' | 'sentinel';
  readonly ks: Keyspace;
  readonly config: Config;
  readonly log: MutationLog;
  readonly startTime: number;
  /** True while the dataset is being loaded at start-up. */
  readonly loading: boolean;
  readonly runId: string;
  readonly stats: ServerStats;
  readonly commands: Map<string, CommandSpec>;
  /** The cluster node (cluster/cluster.ts) with cluster-enabled yes; null otherwise. */
  readonly cluster: ClusterNode | null;
  /** MIGRATE's connections to other servers (server/migrate-link.ts). */
  readonly migrate: MigrateLink;
  clients(): Iterable<CommandContext>;
  /** INFO text for the given sections (lower-case; empty = default). */
  info(c: CommandContext, sections: string[]): string;
  shutdown(c: CommandContext | null, mode: 'save' | 'nosave' | 'default', opts: { now: boolean; force: boolean; abort: boolean }): string | null;
  lastSaveTime(): number;
  slowlog: SlowLog;
  latency: LatencyMonitor;
  /** Deletes everything: FLUSHALL. */
  flushAll(): void;
  /**
   * After FLUSHALL: with save rules, snapshot the emptied dataset now (Redis's rdbSave in
   * flushAllDataAndResetRDB), so that a crash cannot bring the flushed keys back from the last
   * snapshot. True when the reply is deferred until the snapshot is written (the caller then
   * replies nothing); false when the caller replies now (no save rules, or inside EXEC, where
   * the snapshot is only started).
   */
  snapshotAfterFlush(ctx: CommandContext): boolean;
  /**
   * BGSAVE / BGREWRITEAOF / SAVE. Returns the status text to reply for the background forms
   * ("Background saving started", ...), or for SAVE either a full error reply or '' when the
   * reply will be written once the snapshot is committed.
   */
  snapshot(kind: 'bgsave' | 'bgrewriteaof' | 'save', schedule: boolean, c: CommandContext): string;
  /** RESET: back to a fresh connection's state (db 0, RESP2, no MULTI/subscriptions, default user). */
  resetClient(c: CommandContext): void;
  /** Clients blocked on keys (BLPOP, BZPOPMIN & co): server/blocking.ts. */
  readonly blocking: BlockingApi;
  /** Channels, patterns and delivery: server/pubsub.ts. */
  readonly pubsub: PubSubApi;
  /** CLIENT PAUSE / UNPAUSE: server/pause.ts. */
  readonly clientPause: ClientPauseApi;
  /** The whole-server write gate: MISCONF/OOM/READONLY checks live in the dispatcher. */
}

/**
 * What a blocking command leaves behind to be served later. One object per blocked call (its
 * fields are the command's parsed arguments); `serve` and `timedOut` are methods, so blocking
 * allocates no closure.
 */
export interface BlockedRequest {
  /** The value type that can serve this request ('list' for BLPOP & co, 'zset' for BZPOPMIN). */
  readonly type: ValueType;
  /**
   * Called when `key` (in the client's db) holds a value of `type`. Must reply to `c` (the
   * result, or an error such as BLMOVE's WRONGTYPE destination) and propagate what it changed:
   * the client is unblocked right after. Returns true if the key may serve the next waiter,
   * false when it was emptied (and deleted).
   */
  serve(c: CommandContext, key: string): boolean;
  /** Replies to a client whose timeout passed (Redis: a null array for lists and zsets). */
  timedOut(c: CommandContext): void;
  /**
   * Optional: the key the client waits on was deleted (Redis's signalDeletedKeyAsReady).
   * Returns true after replying (the client is then unblocked), false to keep waiting.
   */
  keyDeleted?(c: CommandContext, key: string): boolean;
}

/**
 * What the blocking families (lists.ts, zsets.ts) use of the server's blocking machinery
 * (server/blocking.ts has the rest: serving ready keys, timeouts, cleanup). `c` is always the
 * calling handler's own context.
 */
export interface BlockingApi {
  /** False where Redis sets CLIENT_DENY_BLOCKING (inside EXEC): act as if the timeout passed. */
  canBlock(c: CommandContext): boolean;
  /**
   * Parks `c` on the keys at argv[from, to) until one can serve `req`, or `timeoutMs` passes
   * (0 = forever). The handler must not reply.
   */
  block(c: CommandContext, argv: readonly string[], from: number, to: number, timeoutMs: number, req: BlockedRequest): void;
  /** A command created a value at `key` that a blocked client may wait for. */
  signalKeyAsReady(db: number, key: string): void;
  /**
   * CLIENT UNBLOCK: ends `target`'s block as if its timeout passed, or with the UNBLOCKED error.
   * False when it is not blocked.
   */
  unblock(target: CommandContext, error: boolean): boolean;
  /**
   * Cluster mode (Redis's clusterRedirectBlockedClientIfNeeded): every client blocked on a key
   * for which `redirect(db, key)` returns an error (MOVED, CLUSTERDOWN) gets that error instead
   * and is unblocked.
   */
  redirectBlocked(redirect: (db: number, key: string) => string | null): void;
}

/**
 * What the pub/sub commands (pubsub.ts) use of the server's registry. `c` is always the calling
 * handler's own context (the server implements these on its clients).
 */
export interface PubSubApi {
  /** Pattern → subscribers (PUBSUB NUMPAT counts the entries). */
  readonly patterns: ReadonlyMap<string, unknown>;
  /** Subscribes and writes the confirmation frame. */
  subscribe(c: CommandContext, channel: string, shard: boolean): void;
  psubscribe(c: CommandContext, pattern: string): void;
  /** Returns whether `c` was subscribed; `notify` writes the confirmation frame. */
  unsubscribe(c: CommandContext, channel: string, shard: boolean, notify: boolean): boolean;
  punsubscribe(c: CommandContext, pattern: string, notify: boolean): boolean;
  /** Every channel (or shard channel), or one frame with a null name when there is none. */
  unsubscribeAll(c: CommandContext, shard: boolean, notify: boolean): number;
  punsubscribeAll(c: CommandContext, notify: boolean): number;
  /** After an (un)subscribe command: leaves pub/sub mode when nothing is left. */
  done(c: CommandContext): void;
  /** Returns the number of receivers. */
  publish(channel: string, message: string): number;
  spublish(channel: string, message: string): number;
  /** Active channels (or shard channels), matching `pattern` when not null. */
  list(shard: boolean, pattern: string | null): string[];
  numsub(shard: boolean, channel: string): number;
}

/** What CLIENT PAUSE / UNPAUSE (server-admin.ts) use of server/pause.ts. */
export interface ClientPauseApi {
  /** Pauses until `end` (Date.now() ms); `type` is PAUSE_WRITE or PAUSE_ALL of server/pause.ts. */
  pause(end: number, type: 1 | 2): void;
  unpause(): void;
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Latencies of the calls while latency-tracking is on (INFO latencystats); null until one. */
  hist: LatencyHistogram | null;
}

export interface ServerStats {
  totalConnectionsReceived: number;
  totalCommandsProcessed: number;
  rejectedConnections: number;
  totalNetInputBytes: number;
  totalNetOutputBytes: number;
  totalErrorReplies: number;
  unexpectedErrorReplies: number;
  commandStats: Map<string, CommandStats>;
  errorStats: Map<string, number>;
  reset(): void;
}

export interface SlowLogEntry {
  id: number;
  time: number;
  durationUs: number;
  argv: string[];
  addr: string;
  name: string;
}

export interface SlowLog {
  entries: SlowLogEntry[];
  nextId: number;
  reset(): void;
}

export interface LatencyMonitor {
  events: Map<string, { samples: Array<[number, number]>; max: number }>;
  record(event: string, ms: number): void;
  reset(events?: string[]): number;
}

export interface CommandContext {
  readonly server: ServerApi;
  readonly reply: ReplyWriter;
  readonly id: number;
  name: string;
  /** Currently selected db index. */
  dbIndex: number;
  /** The selected db (resolved through the keyspace, so SWAPDB is visible at once). */
  readonly db: Db;
  resp: 2 | 3;
  authenticated: boolean;
  user: string;
  readonly createdAt: number;
  lastInteraction: number;
  readonly lastCommand: string;
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  libName: string;
  libVer: string;
  /** Emits a canonical mutation for the selected db. */
  propagate(argv: string[]): void;
  /**
   * Redis's signalModifiedKey without a mutation: for the rare write Redis counts as a
   * modification although it changes and logs nothing (LTRIM over the whole list). A
   * propagated write needs no call: its mutation touches the watchers.
   */
  touchWatched(key: string): void;
  /** Marks the connection to be closed after the pending replies are written. */
  closeAfterReply(): void;
  /**
   * For a command that answers once asynchronous work is over: holds the client until the
   * returned function writes the reply (Client.deferReply).
   */
  deferReply(): (write: (r: ReplyWriter) => void) => void;
  /** CLIENT REPLY ON|OFF|SKIP. */
  replyMode: 'on' | 'off' | 'skip';
  /** Flag letters for CLIENT LIST (e.g. "N", "x", "P"). */
  flagString(): string;
  /** Kills the connection now (CLIENT KILL). */
  kill(): void;
  /** CLIENT NO-EVICT. */
  noEvict: boolean;
  readonly queryBufferBytes: number;
  readonly outputBufferBytes: number;
  readonly multiQueued: number;
  /** Pub/sub subscriptions (CLIENT LIST sub/psub/ssub; PING's RESP2 subscriber-mode reply). */
  readonly subscribedChannels: number;
  readonly subscribedPatterns: number;
  readonly subscribedShardChannels: number;
  /**
   * Keyspace notification (server/notify.ts): `type` is one NOTIFY class bit (config.ts),
   * `event` Redis's event name ("set", "del", "expire", ...), `db` defaults to the selected one.
   * Costs one AND when notify-keyspace-events does not enable the class.
   */
  notify(type: number, event: string, key: string, db?: number): void;
  /** ASKING was sent: the next command may use an IMPORTING slot (cluster mode only). */
  asking: boolean;
  /** The client a Lua script's commands run on (Redis's CLIENT_SCRIPT; src/scripting/). */
  readonly script: boolean;
}
