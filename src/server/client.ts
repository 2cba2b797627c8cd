// One client connection's state and its command path (Redis's processInputBuffer +
// processCommand): parse → look up → check arity, auth, state and flags → run the handler.
// Invariants: replies leave in the order commands arrived; a protocol error answers once and
// closes only this connection; a handler's exception never reaches the socket layer (it becomes
// an ERR reply and is logged as a broken invariant).

import { performance } from 'node:perf_hooks';
import { RespParser, ProtocolError } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/reply.js';
import { E } from '../commands/errors.js';
import { arityOk, fullName } from '../commands/table.js';
import { F, type CommandContext, type CommandSpec } from '../commands/types.js';
import type { Db } from '../keyspace/index.js';
import type { Server } from './server.js';
import { allowedInSubscriberMode, type ClientPubSub } from './pubsub.js';
import { feedMonitors } from './monitor.js';
import { existingWatchRegistry } from './watch.js';
import { aclOf, aclCheckCommand, authRequired, type AclUser } from './acl.js';
import type { ClientTracking } from './tracking.js';
import type { ReplicaLink } from '../replication/primary.js';

/** What the client needs of its transport; a TCP socket or an in-process pipe. */
export interface Connection {
  /** Output bytes; the connection keeps the Buffer (the caller does not reuse it). */
  write(data: Buffer): void;
  end(): void;
  destroy(): void;
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly fd: number;
  readonly writableLength: number;
  /** Connected through the `unixsocket` listener (CLIENT LIST flag U). */
  readonly unixSocket?: boolean;
  /** Calls `cb` once the connection can take more (a full socket's 'drain'; else the next turn). */
  onceDrained?(cb: () => void): void;
}

let nextClientId = 1;

export class Client implements CommandContext {
  readonly id = nextClientId++;
  readonly reply = new ReplyWriter();
  readonly parser: RespParser;
  name = '';
  dbIndex = 0;
  authenticated: boolean;
  user = 'default';
  /** The ACL user this connection runs as (server/acl.ts); `user` is its name. */
  aclUser: AclUser;
  readonly createdAt: number;
  lastInteraction: number;
  /** performance.now() at the end of the last command run in this processInput loop; -1 outside it (see call()). */
  private lastCallEnd = -1;
  /** The last command run (CLIENT LIST `cmd`). */
  lastSpec: CommandSpec | null = null;
  get lastCommand(): string {
    return this.lastSpec === null ? 'NULL' : fullName(this.lastSpec);
  }
  libName = '';
  libVer = '';
  replyMode: 'on' | 'off' | 'skip' = 'on';
  noEvict = false;
  /** Set when the connection must close once pending output is written (QUIT, protocol error). */
  closing = false;
  closed = false;
  /** While true, input is buffered but not processed (blocked command, CLIENT PAUSE). */
  paused = false;
  /** Transaction state (MULTI/EXEC): filled by the transactions family. */
  multi: { queue: string[][]; specs: CommandSpec[]; dirty: boolean } | null = null;
  /**
   * True while EXEC runs the queued commands (set by the transactions family): blocking commands
   * then act as their non-blocking form whose timeout passed at once (Redis CLIENT_DENY_BLOCKING).
   */
  inExec = false;
  /** A WATCHed key changed: the next EXEC fails (Redis CLIENT_DIRTY_CAS; server/watch.ts). */
  dirtyCas = false;
  /** In MONITOR mode (server/monitor.ts): a member of server.monitors. */
  monitor = false;
  /** Reply batches of this client held for an AOF write (server.ts beforeSleep). */
  heldBatches = 0;
  /** True while this client's output is waiting in the server's pending-write set. */
  pendingWrite = false;
  /** Total bytes ever written to / read from this client (CLIENT LIST tot-net-*). */
  netOut = 0;
  netIn = 0;
  /** Subscriptions (server/pubsub.ts); null when none: Redis's CLIENT_PUBSUB flag is `!== null`. */
  pubsub: ClientPubSub | null = null;
  /** Output buffer limits (server/output-limits.ts): unix s the soft limit was first passed, 0 = not over. */
  obufSoftLimitReachedTime = 0;
  /** Over its output limit: no more output, closed at the end of the turn (Redis CLIENT_CLOSE_ASAP). */
  closeAsap = false;
  /** CLIENT TRACKING state (server/tracking.ts); null when off: Redis's CLIENT_TRACKING flag. */
  tracking: ClientTracking | null = null;
  /** Set once this connection asked for a full sync (SYNC/PSYNC): it is a replica (flag S). */
  replica: ReplicaLink | null = null;
  /** The log offset after this client's last write (Redis c->woff): what WAIT waits for. */
  woff = 0;
  /** ASKING was sent (Redis CLIENT_ASKING): cleared after the next command unless in MULTI. */
  asking = false;
  /** The client a Lua script's commands run on (Redis's CLIENT_SCRIPT): src/scripting/scripts.ts. */
  script = false;
  /** Set by ASKING itself so the command after it still sees `asking`. */
  private askingFresh = false;

  constructor(
    readonly server: Server,
    readonly conn: Connection,
  ) {
    this.parser = new RespParser({
      maxBulkLen: server.config.num('proto-max-bulk-len'),
    });
    this.aclUser = aclOf(server).defaultUser;
    this.authenticated = this.aclUser.nopass && this.aclUser.enabled;
    this.createdAt = this.lastInteraction = Date.now();
  }

  get db(): Db {
    return this.server.ks.dbs[this.dbIndex];
  }

  get resp(): 2 | 3 {
    return this.reply.resp;
  }
  set resp(v: 2 | 3) {
    this.reply.resp = v;
  }

  get addr(): string {
    return this.conn.remoteAddress;
  }
  get laddr(): string {
    return this.conn.localAddress;
  }
  get fd(): number {
    return this.conn.fd;
  }
  get queryBufferBytes(): number {
    return this.parser.bufferedBytes;
  }
  get outputBufferBytes(): number {
    return this.conn.writableLength + this.reply.length;
  }
  get multiQueued(): number {
    return this.multi ? this.multi.queue.length : -1;
  }
  get subscribedChannels(): number {
    return this.pubsub === null ? 0 : this.pubsub.channels.size;
  }
  get subscribedPatterns(): number {
    return this.pubsub === null ? 0 : this.pubsub.patterns.size;
  }
  get subscribedShardChannels(): number {
    return this.pubsub === null ? 0 : this.pubsub.shardChannels.size;
  }

  /**
   * For a command that answers once asynchronous work is over (SAVE, FLUSHALL with save rules,
   * a SHUTDOWN that fails): holds the client — what it sent next waits — until the returned
   * function writes the reply and lets it go on. The reply is dropped when CLIENT REPLY OFF or
   * SKIP dropped this command's reply (call() truncates only what the handler wrote itself).
   */
  deferReply(): (write: (r: ReplyWriter) => void) => void {
    const silent = this.replyMode !== 'on';
    this.paused = true;
    return (write) => {
      if (!silent && !this.closed) write(this.reply);
      this.paused = false;
      if (!this.closed) this.processInput();
    };
  }

  touchWatched(key: string): void {
    existingWatchRegistry(this.server)?.touched(this.dbIndex, key);
    this.server.tracking.touched(key);
  }

  notify(type: number, event: string, key: string, db = this.dbIndex): void {
    if ((this.server.notifyFlags & type) !== 0) this.server.notifyKeyspaceEvent(type, event, key, db);
  }

  propagate(argv: string[]): void {
    this.server.log.append(this.dbIndex, argv);
  }

  closeAfterReply(): void {
    this.closing = true;
  }

  kill(): void {
    this.server.closeClient(this);
  }

  flagString(): string {
    let f = this.monitor ? 'O' : this.replica !== null ? 'S' : '';
    if (this.pubsub !== null) f += 'P';
    if (this.multi) f += 'x';
    if (this.paused) f += 'b';
    const t = this.tracking;
    if (t !== null) {
      f += 't';
      if (t.brokenRedir) f += 'R';
      if (t.bcast) f += 'B';
    }
    if (this.dirtyCas) f += 'd';
    if (this.closing) f += 'c';
    if (this.conn.unixSocket === true) f += 'U';
    if (this.noEvict) f += 'e';
    return f || 'N';
  }

  /** Bytes arrived from the transport: chunk[0, n). */
  onData(chunk: Buffer, n = chunk.length): void {
    this.netIn += n;
    this.server.stats.totalNetInputBytes += n;
    this.lastInteraction = Date.now();
    this.parser.feed(chunk, n);
    this.processInput();
    // Plain TCP clients all read into one buffer (server.ts, READ_BUFFER).
    this.parser.detach();
  }

  /** Runs every complete buffered command, unless paused or closing. */
  processInput(): void {
    const limit = this.server.queryBufferLimit;
    this.lastCallEnd = -1;
    // Redis's tighter limits on what an unauthenticated client may declare.
    this.parser.authRequired = !this.authenticated && authRequired(this);
    while (!this.paused && !this.closing && !this.closed && !this.closeAsap) {
      let argv: string[] | null;
      try {
        argv = this.parser.next();
      } catch (err) {
        if (err instanceof ProtocolError) {
          this.server.logger.debug({ client: this.id, addr: this.addr, msg: err.message }, 'protocol error');
          this.reply.error('ERR ' + err.message);
          this.closing = true;
          break;
        }
        throw err;
      }
      if (argv === null) break;
      this.processCommand(argv);
      // Redis's resetClient: ASKING lasts one command (or until EXEC/DISCARD in MULTI).
      if (this.asking) {
        if (this.askingFresh) this.askingFresh = false;
        else if (this.multi === null) this.asking = false;
      }
    }
    this.lastCallEnd = -1;
    if (!this.closing && this.parser.bufferedBytes > limit) {
      this.server.logger.warn({ client: this.id, addr: this.addr, qbuf: this.parser.bufferedBytes }, 'closing client that reached max query buffer length');
      this.server.closeClient(this);
      return;
    }
    if (this.server.outputLimits.check(this)) return;
    this.server.scheduleWrite(this);
  }

  /** Redis's processCommand: every check the table's declarations allow before the handler. */
  processCommand(argv: string[]): void {
    const server = this.server;
    let spec = server.commandLookup.get(argv[0]);
    if (spec === undefined) {
      this.rejectCommand(E.unknownCommand(argv[0], argv.slice(1)));
      return;
    }
    if (spec.subcommands !== undefined) {
      if (argv.length === 1) {
        // A container that also runs bare (COMMAND) goes on; others (CONFIG) need a subcommand.
        if (!arityOk(spec, 1)) {
          this.rejectCommand(E.wrongArity(spec.name), spec);
          return;
        }
      } else {
        const sub = spec.subcommands.get(argv[1].toLowerCase());
        if (sub === undefined) {
          this.rejectCommand(E.unknownSubcommand(argv[1], spec.name));
          return;
        }
        spec = sub;
      }
    }
    if (!arityOk(spec, argv.length)) {
      this.rejectCommand(E.wrongArity(fullName(spec)), spec);
      return;
    }
    // A script's shebang may declare what the EVAL does (Redis's getCommandFlags).
    const bits = spec.getFlags === undefined ? spec.bits : spec.getFlags(this, argv);
    if (!this.authenticated && (bits & F.no_auth) === 0 && authRequired(this)) {
      this.rejectCommand(E.NOAUTH, spec);
      return;
    }
    // ACL (server/acl.ts): one boolean for a user allowed every command, key and channel.
    if (!this.aclUser.unrestricted) {
      const denied = aclCheckCommand(this, spec, argv);
      if (denied !== null) {
        this.rejectCommand(denied, spec);
        return;
      }
    }
    // Cluster mode (cluster/cluster.ts, Redis's getNodeByQuery): MOVED, ASK, CROSSSLOT,
    // CLUSTERDOWN, TRYAGAIN. One null check when cluster-enabled is no.
    if (server.cluster !== null) {
      const redirect = server.cluster.route(this, spec, argv);
      if (redirect !== null) {
        this.rejectRedirect(redirect, spec);
        return;
      }
      if (spec.name === 'asking' && spec.parent === undefined) this.askingFresh = true;
    }
    const gate = server.gate(this, spec, bits);
    if (gate !== null) {
      this.rejectCommand(gate, spec);
      return;
    }
    // RESP2 subscriber mode: only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET (RESP3 may run anything).
    if (this.pubsub !== null && this.resp === 2 && !allowedInSubscriberMode(spec)) {
      this.rejectCommand(E.pubsubContext(fullName(spec)), spec);
      return;
    }
    // CLIENT PAUSE (server/pause.ts): the command waits, with what was pipelined after it.
    if (server.clientPause.type !== 0 && server.clientPause.postpone(this, spec, argv)) return;
    if (this.multi !== null && !server.runsInsideMulti(spec)) {
      this.multi.queue.push(argv);
      this.multi.specs.push(spec);
      this.reply.simple('QUEUED');
      return;
    }
    this.call(spec, argv);
    // Redis's handleClientsBlockedOnKeys: serve the keys this command made ready before the next.
    if (server.blocking.readyCount !== 0) {
      server.blocking.handleReadyKeys();
      this.lastCallEnd = -1; // serving other clients is not the next command's time
    }
  }

  /** Runs a handler with stats, slowlog and error containment (Redis's call()). */
  call(spec: CommandSpec, argv: string[]): void {
    const server = this.server;
    const before = this.reply.length;
    const errorsBefore = this.reply.errors;
    // SKIP set by an earlier command drops this command's reply (then ON again); SKIP set by this
    // very command (CLIENT REPLY SKIP) drops only its own reply.
    const skipArmed = this.replyMode === 'skip';
    // CLIENT TRACKING (server/tracking.ts): one check while no client tracks.
    const tracked = server.tracking.clients !== 0;
    if (tracked) server.tracking.beforeCall(this);
    const log = server.log;
    const offsetBefore = log.offset;
    // Reading the clock costs ~140 ns here (performance.now() through Node's binding; the vDSO
    // clock_gettime under it takes ~35), twice per command. A command run right after another
    // in the same processInput loop (a pipeline) starts its clock at the previous one's end,
    // so its time also counts its own parse and dispatch checks (a few tenths of a µs), but not
    // other clients served in between (blocked pops, monitors, tracking: they break the chain).
    const t0 = this.lastCallEnd >= 0 ? this.lastCallEnd : performance.now();
    try {
      spec.handler(this, argv);
    } catch (err) {
      server.logger.error({ err, command: fullName(spec) }, 'command handler failed: this is a bug in Hoard, please report it');
      this.reply.error('ERR internal error while executing ' + fullName(spec));
    }
    const t1 = performance.now();
    this.lastCallEnd = t1;
    const us = (t1 - t0) * 1000;
    // What this command wrote (lazy-expiry DELs and EXEC's group included) ends here: WAIT's mark.
    if (log.offset !== offsetBefore) this.woff = log.offset;
    if (server.blocking.count !== 0 && (spec.bits & F.write) !== 0) server.blocking.signalCommandKeys(spec, argv);
    this.lastSpec = spec;
    server.recordCall(this, spec, argv, us);
    if (this.reply.errors !== errorsBefore) server.recordError(this.reply.lastError, spec, true, this.reply.lastErrorCounted);
    // CLIENT REPLY: OFF drops every reply; SKIP drops the next command's; the CLIENT REPLY
    // OFF/SKIP command itself answers nothing.
    if (this.replyMode !== 'on') {
      this.reply.truncate(before);
      if (skipArmed) this.replyMode = 'on';
    }
    // Feeding monitors and sending invalidations may take long: the next command reads the
    // clock itself rather than start at t1.
    if (server.monitors.size !== 0) {
      feedMonitors(this, spec, argv);
      this.lastCallEnd = -1;
    }
    if (tracked) {
      server.tracking.afterCall(this, spec, argv);
      this.lastCallEnd = -1;
    }
  }

  /**
   * Runs a command read back from the AOF: the handler alone, as Redis's loader calls
   * cmd->proc on its fake client — no stats (INFO commandstats counts what clients ran), no
   * slowlog, timing, monitors or blocked-client wake-ups (nobody is connected while loading).
   * A handler's exception is still contained: logged as the bug it is, and the load goes on.
   */
  callReplay(spec: CommandSpec, argv: string[]): void {
    try {
      spec.handler(this, argv);
    } catch (err) {
      this.server.logger.error({ err, command: fullName(spec) }, 'command handler failed while loading the AOF: this is a bug in Hoard, please report it');
      this.reply.error('ERR internal error while executing ' + fullName(spec));
    }
  }

  /**
   * A command the cluster sends elsewhere (Redis processCommand after getNodeByQuery): EXEC
   * discards the transaction and answers the redirection itself (no EXECABORT); anything else
   * is refused as usual, dooming a MULTI it was queued in.
   */
  private rejectRedirect(msg: string, spec: CommandSpec): void {
    if (spec.parent === undefined && spec.name === 'exec') {
      this.multi = null;
      this.dirtyCas = false;
      existingWatchRegistry(this.server)?.unwatchAll(this);
      this.server.stats.totalErrorReplies++;
      this.server.recordError(msg, null, false);
      this.server.recordRejected(spec);
      if (this.replyMode === 'on') this.reply.error(msg);
      return;
    }
    this.rejectCommand(msg, spec);
  }

  /** A command refused before running: counted as rejected, and in MULTI it dooms EXEC. */
  private rejectCommand(msg: string, spec?: CommandSpec): void {
    if (this.multi !== null) this.multi.dirty = true;
    if (spec !== undefined && spec.parent === undefined && spec.name === 'exec') {
      // A refused EXEC aborts (and leaves) the transaction, MULTI or not (Redis execCommandAbort).
      msg = E.execAbortBecause(msg.startsWith('ERR ') ? msg.slice(4) : msg);
      this.multi = null;
      this.dirtyCas = false;
      existingWatchRegistry(this.server)?.unwatchAll(this);
    }
    this.server.stats.totalErrorReplies++;
    this.server.recordError(msg, null, false);
    if (spec !== undefined) this.server.recordRejected(spec);
    if (this.replyMode === 'on') this.reply.error(msg);
    else if (this.replyMode === 'skip') this.replyMode = 'on';
    if (this.tracking !== null) this.server.tracking.rejected(this, spec);
  }
}
