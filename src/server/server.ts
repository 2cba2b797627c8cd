// The server: wires the keyspace, the mutation log, the command table and the clients together,
// owns the TCP listener, the cron (LRU clock, active expiry, client timeouts) and the write path
// (Redis's beforeSleep: everything the event-loop turn produced is written once, at its end).
// Invariant: handlers only see CommandContext/ServerApi; only this file touches sockets (and
// migrate-link.ts, MIGRATE's client connections, which live in a worker thread).

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Keyspace, systemClock, type Clock, type Db } from '../keyspace/index.js';
import { MutationLog } from '../log/mutation-log.js';
import { MigrateLink } from './migrate-link.js';
import { Config, configTable, inertOption } from '../config.js';
import { silentLogger, type Logger } from '../log.js';
import { allCommands } from '../commands/index.js';
import { buildTable, CommandLookup, fullName, specId } from '../commands/table.js';
import { E } from '../commands/errors.js';
import {
  F,
  type CommandContext,
  type CommandSpec,
  type CommandStats,
  type LatencyMonitor,
  type ServerApi,
  type ServerStats,
  type SlowLog,
  type SlowLogEntry,
} from '../commands/types.js';
import { Client, type Connection } from './client.js';
import { Persistence } from '../persistence/persistence.js';
import { RespParser } from '../protocol/parser.js';
import { LatencyHistogram } from '../util/latency-histogram.js';
import { buildInfo, humanBytes } from './info.js';
import { Blocking } from './blocking.js';
import { PubSub } from './pubsub.js';
import { Tracking } from './tracking.js';
import { ReplicationPrimary } from '../replication/primary.js';
import { ReplicaOf } from '../replication/replica.js';
import { Failover } from '../replication/failover.js';
import { OutputLimits } from './output-limits.js';
import { NOTIFY, notifyKeyspaceEvent, watchNotifyConfig } from './notify.js';
import { EVICT_FAIL, type MaxmemoryPolicy } from '../keyspace/evict.js';
import { ClientPause, PAUSE_WRITE } from './pause.js';
import { PROTECTED_MODE_DENIED, protectedModeRefuses, resetClientUser } from './acl.js';
import { listenTls } from './tls.js';
import { listenOn, normalizeBindAddress } from './listen.js';
import { ClusterNode } from '../cluster/cluster.js';
import { existingFunctions, functionsOf } from '../scripting/functions.js';
import { RecoveryError } from '../persistence/recovery.js';

export interface ServerOptions {
  clock?: Clock;
  logger?: Logger;
  /**
   * 'sentinel': the same connections, parser, pub/sub and client commands, serving the command
   * families given in `commands` (sentinel/commands.ts) and no dataset: no data dir, no loading.
   */
  mode?: 'standalone' | 'sentinel';
  commands?: readonly (readonly CommandSpec[])[];
}

class Stats implements ServerStats {
  totalConnectionsReceived = 0;
  totalCommandsProcessed = 0;
  rejectedConnections = 0;
  totalNetInputBytes = 0;
  totalNetOutputBytes = 0;
  totalErrorReplies = 0;
  unexpectedErrorReplies = 0;
  commandStats = new Map<string, CommandStats>();
  errorStats = new Map<string, number>();
  reset(): void {
    this.totalConnectionsReceived = this.totalCommandsProcessed = this.rejectedConnections = 0;
    this.totalNetInputBytes = this.totalNetOutputBytes = 0;
    this.totalErrorReplies = this.unexpectedErrorReplies = 0;
    // Specs keep their counters object: zero them in place (INFO skips unused commands).
    for (const s of this.commandStats.values()) {
      s.calls = s.usec = s.rejectedCalls = s.failedCalls = 0;
      s.hist = null;
    }
    this.errorStats.clear();
  }
}

class Latency implements LatencyMonitor {
  events = new Map<string, { samples: Array<[number, number]>; max: number }>();
  record(event: string, ms: number): void {
    let e = this.events.get(event);
    if (!e) this.events.set(event, (e = { samples: [], max: 0 }));
    const t = Math.floor(Date.now() / 1000);
    const last = e.samples[e.samples.length - 1];
    if (last && last[0] === t) last[1] = Math.max(last[1], ms);
    else e.samples.push([t, ms]);
    if (e.samples.length > 160) e.samples.shift();
    if (ms > e.max) e.max = ms;
  }
  reset(events?: string[]): number {
    if (!events || events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const ev of events) if (this.events.delete(ev)) n++;
    return n;
  }
}

const RUNS_IN_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** An empty output (a client whose replies wait for a held batch). */
const NO_OUTPUT = Buffer.alloc(0);

/**
 * A client's socket as the Client sees it. A class, so that every connection has the same
 * hidden class: an object literal with a getter made a map per connection (the getter is a new
 * closure each time), and every `c.conn.*` load on the write path went megamorphic (LoadIC:
 * 1.4% of the CPU of SET at 50 clients).
 */
class SocketConnection implements Connection {
  constructor(
    private readonly sock: net.Socket,
    readonly remoteAddress: string,
    readonly localAddress: string,
    readonly fd: number,
    readonly unixSocket: boolean,
  ) {}

  write(b: Buffer): void {
    this.sock.write(b);
  }

  end(): void {
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }

  get writableLength(): number {
    return this.sock.writableLength;
  }

  onceDrained(cb: () => void): void {
    // 'drain' comes only after a write that found the socket full; otherwise go on next turn.
    if (this.sock.writableNeedDrain) this.sock.once('drain', cb);
    else setImmediate(cb);
  }
}

/**
 * The one buffer every plain TCP client reads into. Node's net.Server gives each connection a
 * Socket that reads through the stream layer: per read a 64 KB malloc trimmed to size, a Buffer
 * around it and a trip through Readable.push and 'data'. A Socket made with `onread` has the
 * kernel copy into a caller's buffer and calls back directly. Measured A/B, 50 clients one
 * command per round trip: GET 141k -> 171k/s, SET 127k -> 151k, HSET 134k -> 168k. The parser
 * copies whatever it keeps past the callback (Parser.detach), so one buffer serves all clients:
 * the event loop runs one callback at a time.
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * Moves the handle of a socket net.Server accepted paused (pauseOnConnect) to a Socket that
 * reads into READ_BUFFER, through the `handle` option net.Server itself constructs sockets with.
 * The accepted Socket keeps no handle and is destroyed when the new one closes: that is what
 * decrements the server's connection count, which server.close() waits on.
 */
function adoptPlainSocket(accepted: net.Socket, onData: (buf: Buffer, n: number) => void): net.Socket {
  const holder = accepted as unknown as { _handle: object | null };
  const handle = holder._handle;
  if (handle === null) return accepted; // closed before we got to it: its own events report that
  const sock = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: READ_BUFFER,
      // buf[0, n) is the read: passed as is, not as a subarray (a Buffer object per read).
      callback: (n: number, buf: Uint8Array) => {
        onData(buf as Buffer, n);
      },
    },
  } as net.SocketConstructorOpts);
  holder._handle = null;
  sock.once('close', () => accepted.destroy());
  return sock;
}

export class Server implements ServerApi {
  readonly ks: Keyspace;
  readonly log = new MutationLog();
  readonly commands: Map<string, CommandSpec>;
  /** The dispatcher's case-tolerant name lookup over `commands`. */
  readonly commandLookup: CommandLookup;
  /** Hot-path copies of config values (kept current by config.onChange). */
  queryBufferLimit = 0;
  private slowlogSlowerThan = 0;
  private latencyThreshold = 0;
  private latencyTracking = true;
  readonly stats = new Stats();
  readonly startTime = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  readonly slowlog: SlowLog = { entries: [] as SlowLogEntry[], nextId: 0, reset() { this.entries.length = 0; } };
  readonly latency = new Latency();
  readonly logger: Logger;
  readonly clientSet = new Set<Client>();
  /** Extra INFO fields per section, contributed by the parts that own the data. */
  readonly infoSections = new Map<string, () => Array<[string, string | number]>>();
  /** The TCP port actually bound (after listen; 0 before). */
  boundPort = 0;
  peakMemory = 0;
  private opsSamples: number[] = [];
  private lastOpsCount = 0;
  private lastOpsTime = Date.now();
  /** True while the dataset is being loaded: commands without the `loading` flag get LOADING. */
  loading = false;
  private netServers: net.Server[] = [];
  private readonly pendingWrites: Client[] = [];
  private writeScheduled = false;
  private cronTimer: NodeJS.Timeout | null = null;
  private lastSave = Math.floor(Date.now() / 1000);
  private shuttingDown = false;
  persistence: Persistence | null = null;
  /** The cluster node with cluster-enabled yes (cluster/cluster.ts), else null: the dispatcher's one check. */
  cluster: ClusterNode | null = null;
  readonly migrate = new MigrateLink();
  /**
   * Families with per-client state (blocking, pub/sub, WATCH) register here; each hook runs once
   * per client, after it left clientSet.
   */
  readonly clientClosedHooks: Array<(c: Client) => void> = [];
  /** Clients blocked on keys (BLPOP & co): server/blocking.ts. */
  readonly blocking: Blocking;
  /** Called when SHUTDOWN succeeds (main.ts exits the process). */
  onShutdown: (() => void) | null = null;
  /** Channels, patterns and delivery (server/pubsub.ts). */
  readonly pubsub: PubSub;
  /** client-output-buffer-limit enforcement (server/output-limits.ts). */
  readonly outputLimits: OutputLimits;
  /** notify-keyspace-events as NOTIFY bits, cached (server/notify.ts keeps it current). */
  notifyFlags = 0;
  /** Families with per-client state (pub/sub, WATCH) register here; each hook runs on RESET. */
  readonly clientResetHooks: Array<(c: Client) => void> = [];
  /** CLIENT PAUSE state and the clients it parked (server/pause.ts). */
  readonly clientPause: ClientPause;
  /** Clients in MONITOR mode (server/monitor.ts). */
  readonly monitors = new Set<Client>();
  /** CLIENT TRACKING: the tracking and prefix tables, invalidation messages (server/tracking.ts). */
  readonly tracking: Tracking;
  /** Replicas of this server and their full syncs (replication/primary.ts). */
  readonly replication: ReplicationPrimary;
  /** The primary this server follows, if any (replication/replica.ts). */
  readonly replicaOf: ReplicaOf;
  /** FAILOVER's state machine (replication/failover.ts). */
  readonly failover: Failover;
  /** What HELLO and INFO's redis_mode say: 'sentinel' when running as hoard-sentinel. */
  readonly mode: 'standalone' | 'sentinel';

  constructor(
    readonly config: Config,
    opts: ServerOptions = {},
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.ks = new Keyspace(config.num('databases'), opts.clock ?? systemClock, {
      expired: (db: Db, key: string) => {
        // No client made this DEL (BCAST NOLOOP must not hide it from the one that read the key).
        this.tracking.systemDelete = true;
        this.log.append(db.index, ['DEL', key]);
        this.tracking.systemDelete = false;
        this.blocking.signalKeyAsReady(db.index, key);
        if ((this.notifyFlags & NOTIFY.EXPIRED) !== 0) notifyKeyspaceEvent(this, NOTIFY.EXPIRED, 'expired', key, db.index);
      },
    });
    this.mode = opts.mode ?? 'standalone';
    this.commands = buildTable(opts.commands ?? allCommands);
    this.commandLookup = new CommandLookup(this.commands);
    const hot = (): void => {
      this.queryBufferLimit = config.num('client-query-buffer-limit');
      this.slowlogSlowerThan = config.num('slowlog-log-slower-than');
      this.latencyThreshold = config.num('latency-monitor-threshold');
      this.latencyTracking = config.bool('latency-tracking');
    };
    hot();
    for (const name of ['client-query-buffer-limit', 'slowlog-log-slower-than', 'latency-monitor-threshold', 'latency-tracking']) config.onChange(name, hot);
    // Options parsed for compatibility that change nothing here: say so whenever one is set.
    for (const entry of configTable) {
      const why = inertOption(entry.name);
      if (why === null) continue;
      const warn = (): void => {
        const value = config.getMatching([entry.name])[0]?.[1];
        if (value !== undefined && value !== entry.default) {
          this.logger.warn({ option: entry.name, value }, `${entry.name} is accepted for compatibility but has no effect in Hoard: ${why}`);
        }
      };
      warn();
      config.onChange(entry.name, warn);
    }
    this.blocking = new Blocking(this);
    this.clientPause = new ClientPause(this);
    this.outputLimits = new OutputLimits(this);
    this.pubsub = new PubSub(this);
    this.clientResetHooks.push((c) => this.pubsub.forget(c));
    this.tracking = new Tracking(this);
    this.replication = new ReplicationPrimary(this);
    this.replicaOf = new ReplicaOf(this);
    this.failover = new Failover(this);
    watchNotifyConfig(this);
    this.wireMaxmemory();
    config.onChange('hz', () => this.startCron());
    config.onChange('proto-max-bulk-len', () => {
      for (const c of this.clientSet) c.parser.limits.maxBulkLen = config.num('proto-max-bulk-len');
    });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /**
   * Start-up: lock the data dir (opening the snapshot store), listen, then load the snapshot and
   * replay the AOF while answering LOADING, then serve.
   */
  /** Locks the data dir, listens, then loads the data; `listening` runs between the last two. */
  async start(listening?: () => void): Promise<number> {
    if (this.mode === 'sentinel') {
      // A sentinel keeps no dataset: its state lives in its config file (sentinel/config.ts).
      const port = await this.listen();
      listening?.();
      return port;
    }
    const p = new Persistence({
      config: this.config,
      ks: this.ks,
      log: this.log,
      logger: this.logger,
      replid: this.runId,
      replay: (buf, start, end) => this.replayRecord(buf, start, end),
      functionCodes: () => this.functionCodes(),
      loadFunctions: (codes) => {
        const err = this.replaceFunctions(codes);
        if (err !== null) throw new RecoveryError(`the snapshot's function libraries do not load: ${err}`, 'SNAPSHOT_CORRUPT');
      },
    });
    this.persistence = p;
    this.infoSections.set('persistence', () => p.infoFields());
    this.loading = true;
    this.ks.loading = true;
    await p.lock();
    let port: number;
    try {
      port = await this.listen();
    } catch (err) {
      await p.close();
      throw err;
    }
    listening?.();
    if (this.config.bool('cluster-enabled')) {
      // Before the data loads, so the per-slot key index sees every key added.
      try {
        const file = path.resolve(this.config.str('dir'), this.config.str('cluster-config-file'));
        this.cluster = new ClusterNode(this, file, port);
      } catch (err) {
        await this.close();
        throw err;
      }
      const node = this.cluster;
      this.infoSections.set('cluster', () => node.infoFields());
    }
    try {
      await p.open();
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      this.ks.loading = false;
    }
    this.loading = false;
    this.logger.info({ keys: this.ks.totalKeys(), offset: this.log.offset }, 'Ready to accept connections');
    // `replicaof <host> <port>` in the config: follow that primary from the start.
    const primary = this.config.raw('replicaof') as { host: string; port: number } | null;
    if (primary !== null) this.replicaOf.follow(primary.host, primary.port);
    return port;
  }

  private replayClient: Client | null = null;

  /**
   * A client of the server's own, with no socket and its replies dropped, that may run any
   * command: the AOF's replay and a replica's stream from its primary run on one.
   */
  internalClient(addr: string): Client {
    const c = new Client(this, { write() {}, end() {}, destroy() {}, remoteAddress: addr, localAddress: addr, fd: -1, writableLength: 0 });
    c.authenticated = true;
    return c;
  }

  /** The spec an already-parsed command runs (its subcommand's for a container), or undefined. */
  specFor(argv: readonly string[]): CommandSpec | undefined {
    const spec = this.commandLookup.get(argv[0]);
    return spec?.subcommands !== undefined && argv.length > 1 ? spec.subcommands.get(argv[1].toLowerCase()) : spec;
  }
  private readonly replayParser = new RespParser();

  /**
   * Executes one AOF record (RESP commands; a MULTI…EXEC group is applied as its commands, the
   * record itself being the atomic unit) without replies and without re-logging offsets.
   */
  replayRecord(buf: Buffer, start = 0, end = buf.length): void {
    if (this.replayClient === null) this.replayClient = this.internalClient('aof:0');
    const c = this.replayClient;
    this.replayParser.feedRange(buf, start, end);
    for (let argv = this.replayParser.next(); argv !== null; argv = this.replayParser.next()) {
      const spec = this.specFor(argv);
      if (spec !== undefined && (spec.name === 'multi' || spec.name === 'exec')) continue;
      if (spec === undefined) {
        throw Object.assign(new Error(`Unknown command '${argv[0]}' reading the append only file`), { code: 'AOF_REPLAY_FAILED' });
      }
      const errorsBefore = c.reply.errors;
      c.callReplay(spec, argv);
      if (c.reply.errors !== errorsBefore) {
        this.logger.warn({ command: argv[0], reply: c.reply.lastError.slice(0, 200) }, 'AOF record replayed with an error reply');
      }
      c.reply.reset();
    }
  }

  /**
   * Listens on every `bind` address (Redis syntax: "-" makes one optional, "*" is every IPv4
   * address, "::*" every IPv6 one); resolves with the bound port (port 0 picks a free one).
   * With a `tls-port`, TLS listens on it too (server/tls.ts); `port 0` then means no plain-text
   * listener at all, as in Redis, and the TLS port is resolved.
   */
  async listen(): Promise<number> {
    let port = this.config.num('port');
    const tlsPort = this.config.num('tls-port');
    const binds = this.bindAddresses();
    for (const b of port === 0 && tlsPort !== 0 ? [] : binds) {
      const optional = b.startsWith('-');
      const host = normalizeBindAddress(optional ? b.slice(1) : b);
      const srv = net.createServer({ noDelay: true, pauseOnConnect: true }, (sock) => this.accept(sock, true));
      try {
        await listenOn(srv, { port, host, backlog: this.config.num('tcp-backlog') });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT' || err.code === 'ENOTFOUND')) {
          this.logger.debug({ host, err }, 'optional bind address not available');
          continue;
        }
        for (const s of this.netServers) s.close();
        this.netServers = [];
        const why = err.code === 'EADDRINUSE' ? 'bind: Address already in use' : err.message;
        throw Object.assign(new Error(`Could not create server TCP listening socket ${host}:${port}: ${why}`), { code: 'LISTEN_FAILED', cause: err });
      }
      srv.on('error', (err) => this.logger.error({ err }, 'listener error'));
      this.netServers.push(srv);
      // Port 0: every further address gets the port the first one was given.
      port = (srv.address() as net.AddressInfo).port;
    }
    if (tlsPort !== 0) {
      try {
        this.netServers.push(...(await listenTls(this, binds, tlsPort, (sock) => this.accept(sock, false))));
      } catch (err) {
        for (const s of this.netServers) s.close();
        this.netServers = [];
        throw err;
      }
    }
    const unixPath = this.config.str('unixsocket');
    if (unixPath !== '') {
      try {
        this.netServers.push(await this.listenUnix(unixPath));
      } catch (err) {
        for (const s of this.netServers) s.close();
        this.netServers = [];
        throw err;
      }
    }
    if (this.netServers.length === 0) throw Object.assign(new Error('Failed listening on port ' + port + ' (no bind address available)'), { code: 'LISTEN_FAILED' });
    this.boundPort = port;
    this.startCron();
    this.logger.info({ port, bind: binds }, 'Ready to accept connections tcp');
    return port !== 0 ? port : tlsPort;
  }

  /**
   * The `unixsocket` listener (Redis's anetUnixServer): a stale socket file is removed first,
   * `unixsocketperm` (when not 0) set on the new one; closing the listener removes the file.
   * Its clients read like TCP ones (adoptPlainSocket) and are never refused by protected mode.
   */
  private async listenUnix(path: string): Promise<net.Server> {
    try {
      if (fs.lstatSync(path).isSocket()) fs.unlinkSync(path);
    } catch {
      // absent: nothing to remove
    }
    const srv = net.createServer({ pauseOnConnect: true }, (sock) => this.accept(sock, true, path));
    try {
      await listenOn(srv, { path, backlog: this.config.num('tcp-backlog') });
      const perm = this.config.num('unixsocketperm');
      if (perm !== 0) fs.chmodSync(path, perm);
    } catch (e) {
      srv.close();
      const err = e as NodeJS.ErrnoException;
      throw Object.assign(new Error(`Failed opening Unix socket: ${err.message}`), { code: 'LISTEN_FAILED', cause: err });
    }
    srv.on('error', (err) => this.logger.error({ err }, 'listener error'));
    this.logger.info({ path }, 'The server is now ready to accept connections at ' + path);
    return srv;
  }

  private bindAddresses(): string[] {
    const raw = this.config.raw('bind');
    const list = Array.isArray(raw) ? (raw as string[]) : String(raw).split(' ').filter(Boolean);
    return list.length > 0 ? list : ['*'];
  }

  startCron(): void {
    if (this.cronTimer) clearInterval(this.cronTimer);
    const hz = Math.max(1, Math.min(500, this.config.num('hz')));
    this.cronTimer = setInterval(() => this.cron(hz), Math.floor(1000 / hz));
    this.cronTimer.unref();
  }

  /** Redis's serverCron: cached clocks, active expiry, idle client timeouts. */
  cron(hz: number): void {
    this.ks.updateLruClock();
    this.sampleOps();
    this.ks.activeExpireCycle(hz, this.config.num('active-expire-effort'));
    // Settle collections changed by the last commands; the reading updates used_memory_peak.
    this.ks.memory.flushPending();
    this.ks.memory.usedMemory();
    if (!this.loading) {
      this.persistence?.cron();
      this.retryHeldFlush();
      this.replication.cron();
      this.replicaOf.cron();
      this.failover.update();
    }
    const timeout = this.config.num('timeout');
    if (timeout > 0) {
      const now = Date.now();
      for (const c of this.clientSet) {
        // Redis clientsCronHandleTimeout: MULTI does not protect a client; being blocked (BLPOP,
        // CLIENT PAUSE), subscribed, or a monitor/replica does.
        if (now - c.lastInteraction > timeout * 1000 && !c.paused && c.pubsub === null && !c.monitor && c.replica === null) this.closeClient(c);
      }
    }
  }

  /** Stops serving and releases the data dir (flushing the AOF; no final snapshot). */
  async close(): Promise<void> {
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.ks.evictor.stop();
    this.replicaOf.close();
    this.migrate.stop();
    for (const c of this.clientSet) this.closeClient(c);
    const servers = this.netServers;
    this.netServers = [];
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    if (this.persistence !== null) await this.persistence.close();
    if (this.cluster !== null) {
      this.cluster.closeLinks();
      this.saveClusterConfig();
    }
  }

  private saveClusterConfig(): void {
    try {
      this.cluster!.flushConfig();
    } catch (err) {
      // Redis exits here ("Fatal: can't update cluster config file."): a node that cannot keep
      // its map must not go on acknowledging changes to it.
      this.logger.fatal({ err }, "Fatal: can't update cluster config file.");
      process.exit(1);
    }
  }

  private sampleOps(): void {
    const now = Date.now();
    const dt = now - this.lastOpsTime;
    if (dt < 100) return;
    const n = this.stats.totalCommandsProcessed;
    this.opsSamples.push(((n - this.lastOpsCount) * 1000) / dt);
    if (this.opsSamples.length > 16) this.opsSamples.shift();
    this.lastOpsCount = n;
    this.lastOpsTime = now;
  }

  opsPerSec(): number {
    if (this.opsSamples.length === 0) return 0;
    let s = 0;
    for (const x of this.opsSamples) s += x;
    return Math.round(s / this.opsSamples.length);
  }

  // ---- connections -------------------------------------------------------------------------

  /**
   * A new connection. `plain`: a TCP socket accepted paused (pauseOnConnect), whose handle moves
   * to a socket that reads into READ_BUFFER (adoptPlainSocket); TLS sockets read as streams.
   */
  private accept(accepted: net.Socket, plain: boolean, unixPath: string | null = null): void {
    let sock = accepted;
    if (this.clientSet.size >= this.config.num('maxclients')) {
      this.stats.rejectedConnections++;
      sock.end('-ERR max number of clients reached\r\n');
      sock.resume(); // read (and drop) until the peer's EOF closes it: it was accepted paused
      return;
    }
    // Protected mode (server/acl.ts): no password for the default user, a non-loopback peer.
    if (unixPath === null && protectedModeRefuses(this, sock.remoteAddress)) {
      this.stats.rejectedConnections++;
      sock.end(PROTECTED_MODE_DENIED);
      sock.resume();
      return;
    }
    // Redis counts a connection once it passed both checks (clientAcceptHandler).
    this.stats.totalConnectionsReceived++;
    let c: Client | null = null;
    if (plain) sock = adoptPlainSocket(accepted, (buf, n) => c!.onData(buf, n));
    const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    const conn = new SocketConnection(
      sock,
      // A Unix socket client's addr and laddr are the socket path and port 0 (CLIENT LIST).
      unixPath !== null ? `${unixPath}:0` : `${sock.remoteAddress}:${sock.remotePort}`,
      unixPath !== null ? `${unixPath}:0` : `${sock.localAddress}:${sock.localPort}`,
      fd,
      unixPath !== null,
    );
    const keepalive = this.config.num('tcp-keepalive');
    if (keepalive > 0 && unixPath === null) sock.setKeepAlive(true, keepalive * 1000);
    const client = new Client(this, conn);
    c = client;
    this.clientSet.add(client);
    if (!plain) sock.on('data', (chunk: Buffer) => client.onData(chunk));
    sock.on('error', () => this.clientGone(client));
    sock.on('close', () => this.clientGone(client));
  }

  private localPorts = 0;

  /** An in-process client with no socket: its output goes to `sink`. Used by tests and tools. */
  connectLocal(sink: (data: string) => void): Client {
    let open = true;
    const conn: Connection = {
      write: (b) => {
        if (open) sink(b.toString('latin1'));
      },
      end: () => {
        open = false;
      },
      destroy: () => {
        open = false;
      },
      remoteAddress: `127.0.0.1:${(this.localPorts = (this.localPorts % 20000) + 1) + 40000}`,
      localAddress: '127.0.0.1:6379',
      fd: -1,
      writableLength: 0,
    };
    const c = new Client(this, conn);
    this.clientSet.add(c);
    this.stats.totalConnectionsReceived++;
    return c;
  }

  private clientGone(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clientSet.delete(c);
    this.onClientClosed(c);
  }

  /** Tells the families that keep per-client state (clientClosedHooks). */
  onClientClosed(c: Client): void {
    const hooks = this.clientClosedHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](c);
  }

  closeClient(c: Client): void {
    if (c.closed) return;
    c.conn.destroy();
    this.clientGone(c);
  }

  clients(): Iterable<CommandContext> {
    return this.clientSet;
  }

  // ---- the write path ----------------------------------------------------------------------

  scheduleWrite(c: Client): void {
    if (c.pendingWrite) return;
    c.pendingWrite = true;
    this.pendingWrites.push(c);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(this.beforeSleep);
    }
  }

  /** Runs beforeSleep at the end of this turn even if no reply is due (BCAST invalidations). */
  requestBeforeSleep(): void {
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      setImmediate(this.beforeSleep);
    }
  }

  /**
   * End of an event-loop turn (Redis's beforeSleep): write every client's accumulated replies
   * with one write each — but a turn that appended to the AOF is released only once that write
   * reached the OS (and, with `appendfsync always`, its fdatasync): a killed process never
   * loses an acknowledged write; one write + one fsync covers every client's writes of the turn
   * (group commit). Batches are released in turn order. While an AOF write fails, writes are
   * refused (MISCONF) and the held batch waits for a successful retry; replies of clients with
   * nothing held go out at once, the others queue behind their own held replies.
   */
  private readonly beforeSleep = (): void => {
    // Redis's clusterBeforeSleep: a changed cluster config is on disk before the replies that
    // acknowledge it leave.
    if (this.cluster !== null && this.cluster.state.dirty) this.saveClusterConfig();
    // BCAST invalidations of the keys written this turn join the output written below (first,
    // while writeScheduled still says this turn's write is on its way).
    if (this.tracking.broadcastPending) this.tracking.broadcastInvalidations();
    this.writeScheduled = false;
    const list = this.pendingWrites.splice(0);
    const outs: Buffer[] = new Array(list.length);
    const closing: boolean[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      c.pendingWrite = false;
      outs[i] = c.reply.take();
      closing[i] = c.closing;
    }
    const p = this.persistence;
    if (p !== null && p.aofPending) {
      const batch: HeldBatch = { list, outs, closing, durable: false };
      this.holdBatch(batch);
      p.flushAof((ok) => {
        if (!ok) return; // stays held: released by the retry that succeeds (cron)
        batch.durable = true;
        this.releaseDurable();
      });
      return;
    }
    if (this.heldBatches.length === 0) {
      this.writeClients(list, outs, closing);
      return;
    }
    // Nothing new to persist, but earlier batches are still held: only their clients wait.
    const waitList: Client[] = [];
    const waitOuts: Buffer[] = [];
    const waitClosing: boolean[] = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (c.heldBatches > 0) {
        waitList.push(c);
        waitOuts.push(outs[i]);
        waitClosing.push(closing[i]);
        outs[i] = NO_OUTPUT;
        closing[i] = false;
      }
    }
    this.writeClients(list, outs, closing);
    if (waitList.length > 0) this.holdBatch({ list: waitList, outs: waitOuts, closing: waitClosing, durable: true });
  };

  private readonly heldBatches: HeldBatch[] = [];

  private holdBatch(b: HeldBatch): void {
    for (const c of b.list) c.heldBatches++;
    this.heldBatches.push(b);
  }

  /** Writes held batches in turn order, up to the first one not yet durable. */
  private releaseDurable(): void {
    while (this.heldBatches.length > 0 && this.heldBatches[0].durable) {
      const b = this.heldBatches.shift()!;
      for (const c of b.list) c.heldBatches--;
      this.writeClients(b.list, b.outs, b.closing);
    }
  }

  /** Cron: after a failed AOF write, retry; success makes every batch held so far durable. */
  private retryHeldFlush(): void {
    const p = this.persistence;
    if (p === null || this.heldBatches.length === 0 || p.aofError === null) return;
    const covered = this.heldBatches.slice();
    p.flushAof((ok) => {
      if (!ok) return;
      for (const b of covered) b.durable = true;
      this.releaseDurable();
    });
  }

  private writeClients(list: Client[], outs: Buffer[], closing: boolean[]): void {
    // Output counts as interaction too (Redis writeToClient): a client served after a long
    // block is not idle for the `timeout` check, nor for CLIENT LIST's idle=.
    const now = Date.now();
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (c.closed) continue;
      const out = outs[i];
      if (out.length > 0) {
        c.lastInteraction = now;
        c.netOut += out.length;
        this.stats.totalNetOutputBytes += out.length;
        c.conn.write(out);
        // Written through to the kernel at once (the usual case): nothing holds `out` any more.
        if (c.conn.writableLength === 0) c.reply.reclaim(out);
      }
      if (closing[i]) {
        c.conn.end();
        this.clientGone(c);
      }
    }
  }

  // ---- command path hooks ------------------------------------------------------------------

  /**
   * Server-state checks before a command runs (Redis's processCommand). null = go ahead.
   * `oomState`: for a command inside a script, whether memory was over maxmemory when the
   * script started (Redis's pre_command_oom_state): nothing is evicted while a script runs.
   */
  gate(c: Client, spec: CommandSpec, bits: number, oomState: boolean | null = null): string | null {
    if (c.multi !== null && (bits & F.no_multi) !== 0) return E.NOT_ALLOWED_IN_MULTI;
    if (this.loading && (bits & F.loading) === 0) return E.LOADING;
    // Redis evicts before every command while maxmemory is set, and refuses what could grow
    // memory if that failed (keyspace/evict.ts). Without maxmemory the accounting of changed
    // collections waits for the next reading of used_memory (or the cron): a run of LPUSHes to
    // one list re-estimates it once, not once per command.
    // A replica leaves its dataset to its primary (replica-ignore-maxmemory, the default).
    if (
      this.ks.evictor.maxmemory !== 0 &&
      !(this.replicaOf.active && this.config.bool('replica-ignore-maxmemory')) &&
      (oomState ?? this.ks.evictor.performEvictions() === EVICT_FAIL) &&
      rejectOnOom(c, spec, bits)
    ) {
      return E.OOM;
    }
    if ((bits & F.write) !== 0 && this.persistence !== null) {
      const refusal = this.persistence.writeRefusal();
      if (refusal !== null) return refusal;
    }
    // min-replicas-to-write / -max-lag: a primary refuses writes while fewer replicas than
    // asked acknowledged recently (Redis's checkGoodReplicasStatus), bounding what a partition
    // can lose.
    if ((bits & F.write) !== 0 && !this.replicaOf.active && !this.replication.enoughGoodReplicas()) return E.NOREPLICAS;
    // Redis's read-only replica: writes come from the primary's stream alone (its client does
    // not pass through here).
    if ((bits & F.write) !== 0 && this.replicaOf.active && this.config.bool('replica-read-only')) return E.READONLY;
    // A replica of this server (and a monitor, a replica to Redis): no keyspace access.
    if ((c.monitor || c.replica !== null) && (bits & (F.write | F.readonly | F.may_replicate)) !== 0) return E.REPLICA_KEYSPACE;
    return null;
  }

  /**
   * maxmemory and its policy settings drive the evictor; evictions are logged as DEL and
   * published as `evicted` (WATCH sees the DEL through the log). Lowering maxmemory evicts at
   * once, time-bounded, the rest in the background (Redis's updateMaxmemory).
   */
  private wireMaxmemory(): void {
    const cfg = this.config;
    const ev = this.ks.evictor;
    ev.hooks = {
      evicted: (db: Db, key: string) => {
        this.tracking.systemDelete = true;
        this.log.append(db.index, ['DEL', key]);
        this.tracking.systemDelete = false;
        this.blocking.signalKeyAsReady(db.index, key);
        this.notifyKeyspaceEvent(NOTIFY.EVICTED, 'evicted', key, db.index);
      },
    };
    const apply = (): void =>
      ev.configure({
        maxmemory: cfg.num('maxmemory'),
        policy: cfg.str('maxmemory-policy') as MaxmemoryPolicy,
        samples: cfg.num('maxmemory-samples'),
        tenacity: cfg.num('maxmemory-eviction-tenacity'),
        lfuLogFactor: cfg.num('lfu-log-factor'),
        lfuDecayTime: cfg.num('lfu-decay-time'),
      });
    apply();
    for (const name of ['maxmemory-policy', 'maxmemory-samples', 'maxmemory-eviction-tenacity', 'lfu-log-factor', 'lfu-decay-time']) {
      cfg.onChange(name, apply);
    }
    cfg.onChange('maxmemory', () => {
      apply();
      if (ev.maxmemory === 0) return;
      const used = this.ks.memory.usedMemory();
      if (ev.maxmemory < used) {
        this.logger.warn(
          { maxmemory: ev.maxmemory, used },
          `WARNING: the new maxmemory value set via CONFIG SET (${humanBytes(ev.maxmemory)}) is smaller than the current memory usage (${humanBytes(used)}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
        );
      }
      ev.performEvictions();
    });
  }

  runsInsideMulti(spec: CommandSpec): boolean {
    return spec.parent === undefined && RUNS_IN_MULTI.has(spec.name);
  }

  recordCall(c: Client, spec: CommandSpec, argv: string[], us: number): void {
    this.stats.totalCommandsProcessed++;
    const s = this.commandStatsFor[spec.id ?? specId(spec)] ?? this.createCommandStats(spec);
    s.calls++;
    s.usec += us;
    // Redis records whole microseconds (0 counts as 1 ns); the clock here gives nanoseconds.
    if (this.latencyTracking) (s.hist ??= new LatencyHistogram()).record(us * 1000);
    const slower = this.slowlogSlowerThan;
    if (slower >= 0 && us >= slower && (spec.bits & F.skip_slowlog) === 0) {
      const entries = this.slowlog.entries;
      entries.unshift({
        id: this.slowlog.nextId++,
        time: Math.floor(Date.now() / 1000),
        durationUs: Math.round(us),
        argv: slowlogArgs(argv),
        addr: c.addr,
        name: c.name,
      });
      const max = this.config.num('slowlog-max-len');
      if (entries.length > max) entries.length = max;
    }
    const threshold = this.latencyThreshold;
    if (threshold > 0 && us / 1000 >= threshold) {
      this.latency.record((spec.bits & F.fast) !== 0 ? 'fast-command' : 'command', Math.round(us / 1000));
    }
  }

  /** Per-server counters (specs are shared by every server of a process, e.g. in tests). */
  private readonly commandStatsFor: Array<CommandStats | undefined> = [];

  private createCommandStats(spec: CommandSpec): CommandStats {
    const s: CommandStats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, hist: null };
    this.commandStatsFor[specId(spec)] = s;
    this.stats.commandStats.set(fullName(spec), s);
    return s;
  }

  /**
   * A command the dispatcher refused after looking it up (arity, NOAUTH, ACL, a gate such as
   * LOADING or OOM, RESP2 subscriber mode): INFO commandstats' rejected_calls, as Redis's
   * rejectCommand counts it on c->cmd (a bare container such as CONFIG counts on the container;
   * an unknown command or subcommand counts nowhere).
   */
  recordRejected(spec: CommandSpec): void {
    (this.commandStatsFor[specId(spec)] ?? this.createCommandStats(spec)).rejectedCalls++;
  }

  /** Counts an error reply by its code (INFO errorstats): the first word of the message. */
  recordError(msg: string, spec: CommandSpec | null, afterRun: boolean, counted = true): void {
    // An error already counted where it arose (a script passing on its command's error) still
    // fails the command that replied with it, but is not counted twice (Redis 7.0 afterErrorReply).
    if (counted) {
      const sp = msg.indexOf(' ');
      const code = sp >= 0 ? msg.slice(0, sp) : msg;
      this.stats.errorStats.set(code, (this.stats.errorStats.get(code) ?? 0) + 1);
    }
    if (afterRun) {
      if (counted) this.stats.totalErrorReplies++;
      if (spec) (this.commandStatsFor[specId(spec)] ?? this.createCommandStats(spec)).failedCalls++;
    }
  }

  // ---- ServerApi -----------------------------------------------------------------------------

  info(c: CommandContext, sections: string[]): string {
    return buildInfo(this, c, sections);
  }

  lastSaveTime(): number {
    return this.persistence?.lastSave ?? this.lastSave;
  }

  snapshot(kind: 'bgsave' | 'bgrewriteaof' | 'save', schedule: boolean, ctx: CommandContext): string {
    const p = this.persistence;
    if (p === null || p.store === null) {
      return kind === 'save' ? '-ERR persistence is not available on this server\r\n' : 'ERR persistence is not available';
    }
    const busy = p.snapshotInProgress || this.log.inGroup;
    if (kind === 'bgrewriteaof') {
      if (p.aofRewriteInProgress) return 'Background append only file rewriting already in progress';
      if (busy) {
        p.aofRewriteScheduled = true;
        return 'Background append only file rewriting scheduled';
      }
      p.startSnapshot('aofrewrite');
      return 'Background append only file rewriting started';
    }
    if (kind === 'bgsave') {
      if (busy) {
        if (!schedule) return 'ERR Background save already in progress';
        p.bgsaveScheduled = true;
        return 'Background saving scheduled';
      }
      p.startSnapshot('bgsave');
      return 'Background saving started';
    }
    if (p.snapshotInProgress) return '-ERR Background save already in progress\r\n';
    const c = ctx as Client;
    const job = p.startSnapshot('save');
    if (job === null) return '-ERR Background save already in progress\r\n';
    const answer = c.deferReply();
    job.then(
      () => answer((r) => r.ok()),
      (err: Error) => answer((r) => r.error(`ERR ${err.message}`)),
    );
    return '';
  }

  resetClient(ctx: CommandContext): void {
    const c = ctx as Client;
    c.dbIndex = 0;
    c.resp = 2;
    c.multi = null;
    c.name = '';
    c.replyMode = 'on';
    c.noEvict = false;
    resetClientUser(c);
    this.onClientReset(c);
  }

  /** Hook for families with per-client state (pub/sub, WATCH) to clear it on RESET. */
  onClientReset(c: Client): void {
    const hooks = this.clientResetHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](c);
  }

  /**
   * Publishes a keyspace event (Redis notifyKeyspaceEvent) for events that no command handler
   * raises: "expired" (the keyspace hook above), "evicted" (eviction). Handlers use c.notify().
   */
  notifyKeyspaceEvent(type: number, event: string, key: string, dbIndex: number): void {
    if ((this.notifyFlags & type) !== 0) notifyKeyspaceEvent(this, type, event, key, dbIndex);
  }

  /** The function libraries' code (a full sync's RDB carries it, as a snapshot does). */
  functionCodes(): string[] {
    return existingFunctions(this)?.codes() ?? [];
  }

  /** Replaces the function libraries with `codes` (a primary's, after a full sync): null, or why not. */
  replaceFunctions(codes: string[]): string | null {
    if (codes.length === 0 && existingFunctions(this) === undefined) return null;
    return functionsOf(this).restoreCodes(codes, 'flush');
  }

  flushAll(): void {
    for (const db of this.ks.dbs) db.flush();
  }

  snapshotAfterFlush(ctx: CommandContext): boolean {
    const p = this.persistence;
    const rules = this.config.raw('save') as unknown[];
    // Replaying a FLUSHALL from the AOF: the files being loaded already hold it.
    if (this.loading || p === null || p.store === null || !Array.isArray(rules) || rules.length === 0) return false;
    const c = ctx as Client;
    // A snapshot still running holds the data from before the flush: the new one follows it.
    const job = p.snapshotNow('save').catch((err: Error) => this.logger.error({ err }, 'saving the dataset after FLUSHALL failed'));
    if (c.inExec) return false;
    const answer = c.deferReply();
    // As Redis, FLUSHALL answers OK whether or not the save succeeded (the error is logged).
    void job.then(() => answer((r) => r.ok()));
    return true;
  }

  /**
   * Redis's prepareForShutdown: the final snapshot (SAVE, or the default with save rules), then
   * stop. Redis saves synchronously, so nothing runs between its snapshot and its exit; here
   * the snapshot is written in steps, so writes are paused meanwhile (CLIENT PAUSE WRITE: they
   * wait, and run if the shutdown fails) and none can be acknowledged, then miss the snapshot.
   * A snapshot that fails stops the shutdown unless FORCE: the server goes on, and the SHUTDOWN
   * client gets Redis's error. `c` is the SHUTDOWN client (null for a signal); on success its
   * connection closes without a reply.
   */
  shutdown(c: CommandContext | null, mode: 'save' | 'nosave' | 'default', opts: { now: boolean; force: boolean; abort: boolean }): string | null {
    if (opts.abort) return this.shuttingDown ? 'ERR Shutdown already in its final phase.' : 'ERR No shutdown in progress.';
    if (this.shuttingDown) return null;
    this.shuttingDown = true;
    this.logger.info({ mode }, 'User requested shutdown...');
    const rules = this.config.raw('save') as unknown[];
    const save = mode === 'save' || (mode === 'default' && Array.isArray(rules) && rules.length > 0);
    const p = this.persistence;
    const answer = c === null ? null : (c as Client).deferReply();
    this.clientPause.pause(Date.now() + SHUTDOWN_PAUSE_MS, PAUSE_WRITE, 'shutdown');
    void (async () => {
      if (p !== null && save) {
        this.logger.info('Saving the final snapshot before exiting.');
        try {
          await p.snapshotNow();
        } catch (err) {
          if (!opts.force) {
            this.logger.warn({ err }, "Error trying to save the DB, can't exit.");
            this.logger.warn('Errors trying to shut down the server. Check the logs for more information.');
            this.shuttingDown = false;
            // Ends the pause taken above; a CLIENT PAUSE (or a FAILOVER) that was on before goes
            // on (parked clients are re-checked against it as they resume).
            this.clientPause.unpause('shutdown');
            answer?.((r) => r.error('ERR Errors trying to SHUTDOWN. Check logs.'));
            return;
          }
          this.logger.error({ err }, 'Error trying to save the DB; exiting anyway (FORCE)');
        }
      }
      for (const srv of this.netServers) srv.close();
      this.netServers = [];
      try {
        if (p !== null) await p.close();
      } catch (err) {
        this.logger.error({ err }, 'Error while closing the data directory on shutdown');
      }
      await this.close();
      this.onShutdown?.();
    })();
    return null;
  }
}

const OOM_EXEMPT_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);

/** How long SHUTDOWN pauses writes at most (it ends sooner: the process exits, or it fails). */
const SHUTDOWN_PAUSE_MS = 24 * 3600 * 1000;

/**
 * Redis's reject_cmd_on_oom: a denyoom command, an EXEC with one queued, or anything a client in
 * MULTI would queue (the queue itself may use unlimited memory).
 */
function rejectOnOom(c: Client, spec: CommandSpec, bits: number): boolean {
  if ((bits & F.denyoom) !== 0) return true;
  if (c.multi === null || spec.parent !== undefined) return c.multi !== null;
  if (!OOM_EXEMPT_IN_MULTI.has(spec.name)) return true;
  if (spec.name !== 'exec') return false;
  const specs = c.multi.specs;
  for (let i = 0; i < specs.length; i++) if ((specs[i].bits & F.denyoom) !== 0) return true;
  return false;
}

interface HeldBatch {
  list: Client[];
  outs: Buffer[];
  closing: boolean[];
  /** The AOF data of this batch's turn reached the OS (and disk, under `always`). */
  durable: boolean;
}

/** SLOWLOG keeps at most 32 arguments of at most 128 bytes each, as Redis does. */
function slowlogArgs(argv: string[]): string[] {
  const n = Math.min(argv.length, 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 31 && argv.length > 32) {
      out.push(`... (${argv.length - 31} more arguments)`);
      break;
    }
    const a = argv[i];
    out.push(a.length > 128 ? `${a.slice(0, 128)}... (${a.length - 128} more bytes)` : a);
  }
  return out;
}
