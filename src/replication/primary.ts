// The primary side of replication (Redis replication.c, master side): a connection that sends
// SYNC or PSYNC becomes a replica, gets a full resync — a point-in-time RDB of the dataset — and
// then the mutation log (log/mutation-log.ts) from the offset that image is consistent with.
// What reaches a replica is the same canonical stream the AOF gets, so a redis-server replica
// (REPLICAOF) or `redis-cli --replica` follows Hoard unchanged; `redis-cli --rdb` gets the RDB
// alone (REPLCONF rdb-only 1).
//
// A full sync, without fork and without stopping the server:
//   1. at offset S, PSYNC answers +FULLRESYNC <replid> S (SYNC answers nothing), the replica
//      becomes a consumer of the log (SELECT forced first), and a KeyspaceWalk starts: every key
//      as it was at S, written as an RDB (persistence/rdb-file.ts) in slices of ~1 ms;
//   2. a replica that announced `capa eof` gets the RDB as it is produced, framed as Redis's
//      diskless sync frames it ($EOF:<mark> ... <mark>); any other gets `$<len>` and the file
//      once complete (the walk still runs in slices; a newline each second meanwhile keeps the
//      replica from timing out, as Redis does);
//   3. the walk pauses while 4 MB of RDB wait in Node for the replica's socket (backpressure);
//   4. units of the log after S are queued for the replica meanwhile (bounded by the replica
//      class of client-output-buffer-limit) and follow the RDB in order — after an $EOF-framed
//      RDB, only once the replica's first REPLCONF ACK says it found the end: the replica ends
//      up at S + everything after S, i.e. the primary's state.
// Invariants: a replica receives every unit of the stream after S exactly once and in order;
// its offset (REPLCONF ACK) counts bytes of that stream, so it compares with the log's offset;
// stream bytes leave through the client's normal output path, so with an AOF they are held
// until the AOF write (and under appendfsync always, its fsync) covers them, like replies.
// Partial resync: from the first replica on, the stream also goes into a backlog
// (replication/backlog.ts, repl-backlog-size bytes, kept for the server's life); a replica that
// lost its link asks PSYNC <replid> <next offset> and, when that offset is still in the backlog,
// gets +CONTINUE and the bytes from there instead of a full resync (Redis's
// masterTryPartialResynchronization). The replication id is the run id: a restarted Hoard is
// another stream, and its replicas resync in full.
//
// One offset space per history, as Redis's PSYNC2. While this server is itself a replica
// (replication/replica.ts) its replicas and its backlog get the primary's stream byte for byte,
// at the primary's offsets, under the primary's replid (`proxying`; what the master client's
// commands write into this server's own log goes only to its AOF). When it stops following
// (REPLICAOF NO ONE, a Sentinel promotion) it takes a new replid and keeps the old one as
// replid2 up to the offset it reached, and its own writes continue the same offset space: the
// replication offset is the log offset plus `delta`. So the other replicas of the old primary,
// re-pointed at it, continue with PSYNC <old replid> <offset> instead of a full resync, and so
// does the old primary coming back as a replica if it had nothing the new one missed.

import { randomBytes } from 'node:crypto';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { KeyspaceWalk } from '../persistence/walk.js';
import { RdbStreamWriter } from '../persistence/rdb-file.js';
import { VERSION } from '../version.js';
import { ReplicationBacklog } from './backlog.js';

/** What REPLCONF told the primary about a connection before its SYNC/PSYNC. */
interface ReplconfOptions {
  /** REPLCONF listening-port (0: unknown), for INFO's slaveN and ROLE. */
  listeningPort: number;
  /** REPLCONF ip-address ('' = the connection's address). */
  ipAddress: string;
  /** REPLCONF capa eof: reads an RDB of unknown length ($EOF:<mark>). */
  capaEof: boolean;
  /** REPLCONF rdb-only 1: wants the RDB and nothing after it (redis-cli --rdb). */
  rdbOnly: boolean;
  /** REPLCONF rdb-filter-only functions: an RDB of the functions alone (Hoard has none: no keys). */
  functionsOnly: boolean;
}

type ReplicaState = 'wait_bgsave' | 'send_bulk' | 'online';

/** The walk pauses while this much RDB waits in Node for the replica's socket. */
const RDB_BACKLOG_BYTES = 4 * 1024 * 1024;
/** How often a paused walk looks again when it cannot wait for the socket's 'drain' (ms). */
const BACKPRESSURE_POLL_MS = 2;

export class ReplicaLink {
  state: ReplicaState = 'send_bulk';
  /** When the replica last acknowledged (ms); while it waits for its RDB, when it last got a newline. */
  ackTime = Date.now();
  /** Units of the stream that came while the RDB was being sent: they follow it, in order. */
  pending: string[] = [];
  pendingBytes = 0;
  /** The walk producing the RDB (null once done or abandoned). */
  walk: KeyspaceWalk | null = null;
  /** RDB bytes sent or buffered so far. */
  rdbBytes = 0;
  /**
   * After an $EOF-framed RDB, the stream waits for the replica's first REPLCONF ACK: a replica
   * finds the end of such an RDB by the mark being the last bytes it read, so nothing may follow
   * the mark until it is done (Redis's repl_start_cmd_stream_on_ack).
   */
  streamOnAck = false;

  constructor(
    readonly client: Client,
    readonly opts: ReplconfOptions,
    /** Offset of the stream the replica acknowledged (REPLCONF ACK); at first, where it starts. */
    public ackOffset: number,
  ) {}
}

const NO_REPLID = '0000000000000000000000000000000000000000';

function defaultOptions(): ReplconfOptions {
  return { listeningPort: 0, ipAddress: '', capaEof: false, rdbOnly: false, functionsOnly: false };
}

export class ReplicationPrimary {
  /** Replicas in the order they connected (INFO's slave0, slave1, ...). */
  readonly replicas = new Set<ReplicaLink>();
  /** Full syncs started since start, and PSYNCs that named a stream to continue but got a full one (INFO stats). */
  syncFull = 0;
  syncPartialErr = 0;
  /** PSYNCs continued from the backlog (INFO stats sync_partial_ok). */
  syncPartialOk = 0;
  /** Created with the first replica that follows the stream; null before. */
  backlog: ReplicationBacklog | null = null;
  /**
   * The id of the stream this server's replicas follow (Redis's replid): the run id at first,
   * a new one whenever the history changes under them (a full sync from a primary, or the end
   * of following one), so that none of them continues across such a change.
   */
  replid: string;
  /** The previous history's id, continued up to secondReplOffset (PSYNC2; zeros: none). */
  replid2 = NO_REPLID;
  /** The first offset that does NOT belong to replid2's history (Redis's second_replid_offset; -1: none). */
  secondReplOffset = -1;
  /** Replication offset minus log offset while primary (see the header); constant between promotions. */
  private delta = 0;
  /** True while this server follows a primary: replicas get its stream as it came (proxy()). */
  private proxying = false;
  /** While proxying: the offset of the primary's stream this server has applied. */
  private proxyOffset = 0;
  private readonly options = new WeakMap<Client, ReplconfOptions>();
  /** Clients blocked in WAIT, with the number of replicas each waits for. */
  private readonly waiters = new Map<Client, number>();
  private consuming = false;
  private lastPing = Date.now();
  /** min-replicas-to-write and min-replicas-max-lag (seconds); either 0: no check. */
  private minReplicasToWrite = 0;
  private minReplicasMaxLag = 0;
  /** A REPLCONF GETACK is due at the end of this turn (WAIT asked for acknowledgements). */
  private getAckQueued = false;

  constructor(private readonly server: Server) {
    this.replid = server.runId;
    server.clientClosedHooks.push((c) => this.clientGone(c));
    server.infoSections.set('replication', () => this.infoFields());
    // INFO stats, chained (a contributor to this section registered earlier keeps its fields).
    const prev = server.infoSections.get('stats');
    server.infoSections.set('stats', () => {
      const fields = prev !== undefined ? prev() : [];
      fields.push(['sync_full', this.syncFull], ['sync_partial_ok', this.syncPartialOk], ['sync_partial_err', this.syncPartialErr]);
      return fields;
    });
    const minReplicas = (): void => {
      this.minReplicasToWrite = server.config.num('min-replicas-to-write');
      this.minReplicasMaxLag = server.config.num('min-replicas-max-lag');
    };
    minReplicas();
    server.config.onChange('min-replicas-to-write', minReplicas);
    server.config.onChange('min-replicas-max-lag', minReplicas);
    server.config.onChange('repl-backlog-size', () => {
      if (this.backlog !== null) this.backlog = this.backlog.resized(server.config.num('repl-backlog-size'));
    });
  }

  // ---- REPLCONF ------------------------------------------------------------------------------

  /** REPLCONF option value ... Returns the error to reply, '' for OK, or null for no reply (ACK). */
  replconf(c: Client, argv: readonly string[]): string | null {
    if (argv.length % 2 === 0) return 'ERR syntax error';
    let o = this.options.get(c);
    if (o === undefined) this.options.set(c, (o = defaultOptions()));
    for (let j = 1; j < argv.length; j += 2) {
      const opt = argv[j].toLowerCase();
      const val = argv[j + 1];
      if (opt === 'listening-port') {
        const n = Number(val);
        if (!/^-?\d+$/.test(val) || !Number.isSafeInteger(n)) return 'ERR value is not an integer or out of range';
        o.listeningPort = n;
      } else if (opt === 'ip-address') {
        o.ipAddress = val;
      } else if (opt === 'capa') {
        if (val.toLowerCase() === 'eof') o.capaEof = true;
      } else if (opt === 'ack' || opt === 'fack') {
        // From a replica: its offset. Never answered (Redis replies nothing to ACK).
        const link = c.replica;
        if (link !== null && opt === 'ack') {
          const off = Number(val);
          if (Number.isSafeInteger(off) && off > link.ackOffset) link.ackOffset = off;
          link.ackTime = Date.now();
          if (link.streamOnAck) this.startStream(link);
          if (this.waiters.size !== 0) this.serveWaiters();
          this.server.failover.queueUpdate();
        }
        return null;
      } else if (opt === 'getack') {
        return null; // meant for replicas: a primary has nothing to acknowledge
      } else if (opt === 'rdb-only') {
        if (val !== '0' && val !== '1') return /^-?\d+$/.test(val) ? 'ERR value is out of range, value must between 0 and 1' : 'ERR value is not an integer or out of range';
        o.rdbOnly = val === '1';
      } else if (opt === 'rdb-filter-only') {
        // Only `functions` exists in 7.0; Hoard has no functions, so such an RDB holds no keys.
        let functions = false;
        for (const f of val.split(' ')) {
          if (f === '') continue;
          if (f.toLowerCase() !== 'functions') return `ERR Unsupported rdb-filter-only option: ${f}`;
          functions = true;
        }
        o.functionsOnly = functions;
      } else {
        return `ERR Unrecognized REPLCONF option: ${argv[j]}`;
      }
    }
    return '';
  }

  // ---- full sync -----------------------------------------------------------------------------

  /**
   * SYNC, or PSYNC <replid> <offset>: a partial resync when the replica names this stream and an
   * offset the backlog still holds (PSYNC's offset is 1-based: the replica's offset + 1), else
   * a full one. `askedReplid` is null for SYNC, '?' for a replica with no history.
   */
  sync(c: Client, askedReplid: string | null, askedOffset = ''): void {
    if (c.replica !== null) return; // Redis ignores SYNC from a connection that already is a replica
    if (this.server.failover.active) {
      c.reply.error("NOMASTERLINK Can't SYNC while failing over");
      return;
    }
    const psync = askedReplid !== null;
    if (psync && askedReplid !== '?') {
      if (this.tryContinue(c, askedReplid, askedOffset)) return;
      this.syncPartialErr++;
    }
    this.syncFull++;
    const server = this.server;
    const opts = this.optionsOf(c);
    const offset = this.offset;
    const link = this.addLink(c, opts, offset);
    if (psync) c.reply.raw(`+FULLRESYNC ${this.replid} ${offset}\r\n`);
    if (!opts.rdbOnly) {
      this.attach();
      // What follows the RDB must not depend on a SELECT sent before it. (A proxying replica
      // cannot choose: it sends what its primary sent, which began with a SELECT after its own
      // full sync, and Redis's replicas accept the stream as it is.)
      server.log.forceSelect();
    }
    server.logger.info({ replica: c.addr, offset, eof: opts.capaEof, rdbOnly: opts.rdbOnly }, `Replica ${c.addr} asks for synchronization: full resync from offset ${offset}`);
    const mark = opts.capaEof ? randomBytes(20).toString('hex') : null;
    const buffered: Buffer[] = [];
    if (mark !== null) c.reply.raw(`$EOF:${mark}\r\n`);
    else link.state = 'wait_bgsave';
    const rdb = new RdbStreamWriter(server.config, (chunk) => {
      link.rdbBytes += chunk.length;
      if (mark === null) {
        buffered.push(chunk);
        return;
      }
      c.reply.rawBytes(chunk);
      server.scheduleWrite(c);
    });
    // A proxying replica's stream goes on in the db its primary's stream has selected.
    const streamDb = this.proxying ? server.replicaOf.streamDbNow() : 0;
    rdb.begin({ now: server.ks.clock.now(), redisVersion: VERSION, usedMemory: server.ks.memory.usedMemory(), replid: this.replid, offset, streamDb });
    // The libraries as they are at `offset` (they change only through the stream that follows).
    rdb.functions(server.functionCodes());
    const walk = new KeyspaceWalk(server.ks, (db, key, value, expireAt) => {
      if (!opts.functionsOnly) rdb.key(db, key, value, expireAt);
    });
    link.walk = walk;
    const backlogged = (): boolean => c.conn.writableLength + c.reply.length >= RDB_BACKLOG_BYTES;
    const tick = (): void => {
      if (link.walk !== walk) return; // abandoned (the replica left)
      if (backlogged()) {
        // Bytes queued in the socket: go on at its 'drain'. Bytes still in the reply buffer
        // leave at the end of this turn: look again then.
        if (c.conn.writableLength > 0 && c.conn.onceDrained !== undefined) c.conn.onceDrained(tick);
        else setTimeout(tick, BACKPRESSURE_POLL_MS);
        return;
      }
      if (!walk.step(backlogged)) {
        setImmediate(tick);
        return;
      }
      link.walk = null;
      rdb.end();
      if (mark !== null) c.reply.raw(mark);
      else {
        c.reply.raw(`$${link.rdbBytes}\r\n`);
        for (const chunk of buffered) c.reply.rawBytes(chunk);
        buffered.length = 0;
      }
      this.online(link);
    };
    server.scheduleWrite(c);
    setImmediate(tick);
  }

  /** PSYNC's partial path: +CONTINUE and the backlog from the asked offset; false if not possible. */
  private tryContinue(c: Client, replid: string, offsetArg: string): boolean {
    const server = this.server;
    const backlog = this.backlog;
    const asked = /^\d{1,16}$/.test(offsetArg) ? Number(offsetArg) - 1 : -1;
    if (backlog === null || asked < 0) return false;
    // This history, or the previous one up to where this server left it (Redis's
    // masterTryPartialResynchronization: psync_offset <= second_replid_offset).
    if (replid !== this.replid && !(replid === this.replid2 && asked + 1 <= this.secondReplOffset)) return false;
    const data = backlog.from(asked);
    if (data === null) return false;
    const opts = this.optionsOf(c);
    if (opts.rdbOnly) return false;
    this.attach();
    this.addLink(c, opts, asked).state = 'online';
    this.syncPartialOk++;
    c.reply.raw(`+CONTINUE ${this.replid}\r\n`);
    c.reply.raw(data);
    server.scheduleWrite(c);
    server.logger.info({ replica: c.addr, offset: asked, bytes: data.length }, `Partial resynchronization request from ${c.addr} accepted. Sending ${data.length} bytes of backlog starting from offset ${asked + 1}.`);
    return true;
  }

  /** What REPLCONF said of `c` (defaults if nothing). */
  private optionsOf(c: Client): ReplconfOptions {
    return this.options.get(c) ?? defaultOptions();
  }

  /** `c` becomes a replica whose stream starts at `offset`. */
  private addLink(c: Client, opts: ReplconfOptions, offset: number): ReplicaLink {
    const link = new ReplicaLink(c, opts, offset);
    c.replica = link;
    this.replicas.add(link);
    return link;
  }

  /** The RDB is out: an rdb-only connection is done; a replica gets what queued meanwhile. */
  private online(link: ReplicaLink): void {
    const c = link.client;
    const server = this.server;
    link.state = 'online';
    link.ackTime = Date.now();
    server.logger.info({ replica: c.addr, bytes: link.rdbBytes, queued: link.pendingBytes }, `Synchronization with replica ${c.addr} succeeded`);
    if (link.opts.rdbOnly) {
      c.closeAfterReply();
      server.scheduleWrite(c);
      return;
    }
    if (link.opts.capaEof) {
      link.streamOnAck = true;
      server.scheduleWrite(c);
      return;
    }
    this.startStream(link);
  }

  /** Sends what queued during the sync, then the stream as it comes. */
  private startStream(link: ReplicaLink): void {
    const c = link.client;
    link.streamOnAck = false;
    for (const unit of link.pending) c.reply.raw(unit);
    link.pending = [];
    link.pendingBytes = 0;
    if (!this.server.outputLimits.check(c)) this.server.scheduleWrite(c);
  }

  // ---- the stream ----------------------------------------------------------------------------

  /**
   * Becomes a consumer of the log at the first replica that wants the stream, and stays one:
   * the backlog must hold the stream without a gap for a replica that comes back.
   */
  private attach(): void {
    if (this.consuming) return;
    this.consuming = true;
    if (this.backlog === null) this.backlog = this.freshBacklog();
    this.server.log.addConsumer(this.onUnit);
  }

  /** The replication offset: the log's, shifted into this history's space (see the header). */
  get offset(): number {
    return this.proxying ? this.proxyOffset : this.server.log.offset + this.delta;
  }

  /** A log offset (a client's woff) in the replication offset space. */
  replOffsetOf(logOffset: number): number {
    return logOffset + this.delta;
  }

  /** This server's own log: its units are the stream, unless it passes on its primary's. */
  private readonly onUnit = (unit: string, start: number): void => {
    if (this.proxying) return;
    this.feed(unit, start + this.delta);
  };

  /**
   * While following a primary: `unit`, bytes of its stream at `start`, were applied here; the
   * replicas of this server and its backlog get them as they are (replicationFeedStreamFromMasterStream).
   */
  proxy(unit: string, start: number): void {
    if (!this.proxying) return;
    this.proxyOffset = start + unit.length;
    this.feed(unit, start);
  }

  private feed(unit: string, start: number): void {
    const server = this.server;
    this.backlog?.append(unit, start);
    for (const link of this.replicas) {
      if (link.opts.rdbOnly) continue;
      const c = link.client;
      if (c.closed || c.closeAsap) continue;
      if (link.state !== 'online' || link.streamOnAck) {
        link.pending.push(unit);
        link.pendingBytes += unit.length;
        const hard = server.outputLimits.limitOf('replica').hardLimitBytes;
        if (hard !== 0 && link.pendingBytes >= hard) server.outputLimits.closeAsync(c, link.pendingBytes);
        continue;
      }
      c.reply.raw(unit);
      if (!server.outputLimits.check(c)) server.scheduleWrite(c);
    }
  };

  private clientGone(c: Client): void {
    this.waiters.delete(c);
    const link = c.replica;
    if (link === null) return;
    link.walk?.detach();
    link.walk = null;
    link.pending = [];
    this.replicas.delete(link);
    if (link.state === 'online' && !link.opts.rdbOnly) this.server.logger.info({ replica: c.addr }, `Connection with replica ${c.addr} lost.`);
  }

  /**
   * Cron: a PING into the stream every repl-ping-replica-period seconds while replicas follow
   * it (their repl-timeout counts from the last byte they got), and a newline each second to a
   * replica still waiting for the length of its RDB (Redis's replicationCron does both).
   */
  cron(): void {
    if (this.replicas.size === 0) return;
    const now = Date.now();
    // A proxying replica's replicas get the PINGs of its primary's stream, not PINGs of its own.
    // Nor while a FAILOVER waits for a replica to reach this server's offset (Redis skips them
    // during a timed manual failover; here during any: a PING would move the goal).
    if (this.consuming && !this.proxying && !this.server.failover.active && now - this.lastPing >= this.server.config.num('repl-ping-replica-period') * 1000 && !this.server.log.inGroup) {
      this.lastPing = now;
      this.server.log.appendControl(['PING']);
    }
    for (const link of this.replicas) {
      if (link.state === 'wait_bgsave' && now - link.ackTime >= 1000) {
        link.ackTime = now;
        link.client.reply.raw('\n');
        this.server.scheduleWrite(link.client);
      }
    }
  }

  /**
   * This server's data is about to be replaced (a full sync from a primary): its replicas are
   * closed (they must resync in full) and the history it served ends with no successor.
   */
  dropReplicas(): void {
    this.closeReplicas();
    this.replid = randomBytes(20).toString('hex');
    this.replid2 = NO_REPLID;
    this.secondReplOffset = -1;
    this.proxying = false;
    this.backlog = null;
  }

  /**
   * A full sync from a primary is loaded: from now on this server passes on that primary's
   * stream, under its replid, from `offset` (Redis's replicationCreateMasterClient after a load:
   * the replica's replid and offset are the primary's, with a fresh backlog).
   */
  followStream(replid: string, offset: number): void {
    this.proxying = true;
    this.replid = replid;
    this.replid2 = NO_REPLID;
    this.secondReplOffset = -1;
    this.proxyOffset = offset;
    this.backlog = this.freshBacklog(offset);
    this.attach();
  }

  /**
   * The primary continued our PSYNC under another id (+CONTINUE <replid>: it was promoted since):
   * the same bytes go on under the new id; the old one stays valid up to here, and this server's
   * own replicas reconnect to learn the change (they continue partially).
   */
  continueStream(replid: string, offset: number): void {
    if (!this.proxying) {
      // A demoted primary whose own history the new primary continues: it goes on from there.
      this.proxyOffset = offset;
      this.proxying = true;
    }
    if (this.backlog === null || this.backlog.end !== offset) this.backlog = this.freshBacklog(offset);
    this.attach();
    if (replid !== this.replid) {
      this.shiftReplid(replid, offset);
      this.closeReplicas();
    }
  }

  /**
   * REPLICAOF NO ONE: a new history starts here with this server's own writes, the one it
   * followed stays continuable up to the offset reached, and the backlog is kept (Redis's
   * shiftReplicationId). Its replicas reconnect to learn the new id.
   */
  stopFollowing(): void {
    const offset = this.offset;
    this.proxying = false;
    this.delta = offset - this.server.log.offset;
    this.shiftReplid(randomBytes(20).toString('hex'), offset);
    // The stream restarts from this server's log: a SELECT first, whatever the primary's last was.
    this.server.log.forceSelect();
    // Consume the log from here on, so that the backlog has no gap before a replica comes.
    this.attach();
    this.closeReplicas();
  }

  private shiftReplid(replid: string, offset: number): void {
    this.replid2 = this.replid;
    this.secondReplOffset = offset + 1;
    this.replid = replid;
    this.server.logger.info({ replid, replid2: this.replid2, offset: this.secondReplOffset }, `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${replid}`);
  }

  /** What a replica of a replica that loses its data needs to know about this server (follow()). */
  get cachedHistory(): { replid: string; offset: number } {
    return { replid: this.replid, offset: this.offset };
  }

  /** An empty backlog of repl-backlog-size bytes that begins at `offset` (default: the replication offset now). */
  private freshBacklog(offset = this.offset): ReplicationBacklog {
    return new ReplicationBacklog(this.server.config.num('repl-backlog-size'), offset);
  }

  private closeReplicas(): void {
    for (const l of [...this.replicas]) this.server.closeClient(l.client);
  }

  // ---- min-replicas-to-write ---------------------------------------------------------------

  /** Online replicas whose last acknowledgement is at most min-replicas-max-lag seconds old. */
  goodReplicas(): number {
    const now = Date.now();
    let n = 0;
    for (const l of this.replicas) {
      if (l.state === 'online' && !l.opts.rdbOnly && Math.floor((now - l.ackTime) / 1000) <= this.minReplicasMaxLag) n++;
    }
    return n;
  }

  /** False when min-replicas-to-write is set and not met: writes are refused (NOREPLICAS). */
  enoughGoodReplicas(): boolean {
    if (this.minReplicasToWrite === 0 || this.minReplicasMaxLag === 0) return true;
    return this.goodReplicas() >= this.minReplicasToWrite;
  }

  // ---- WAIT ----------------------------------------------------------------------------------

  /** Replicas that acknowledged every write `c` made (Redis's replicationCountAcksByOffset). */
  acked(c: Client): number {
    let n = 0;
    const woff = this.replOffsetOf(c.woff);
    for (const l of this.replicas) if (l.state === 'online' && !l.opts.rdbOnly && l.ackOffset >= woff) n++;
    return n;
  }

  /** `c` blocks in WAIT for `numreplicas`: ask every replica for its offset (end of this turn). */
  waitFor(c: Client, numreplicas: number): void {
    this.waiters.set(c, numreplicas);
    if (this.getAckQueued || !this.consuming) return;
    this.getAckQueued = true;
    setImmediate(() => {
      this.getAckQueued = false;
      // Not while writes are paused (Redis's beforeSleep): it would move the offset a FAILOVER
      // waits for the replicas to reach. The replicas' own ACKs (each second) serve the WAIT.
      if (this.consuming && !this.server.log.inGroup && !this.server.clientPause.writesPaused) this.server.log.appendControl(['REPLCONF', 'GETACK', '*']);
    });
  }

  /** A WAIT ended (timeout, CLIENT UNBLOCK): forget it. */
  waitDone(c: Client): void {
    this.waiters.delete(c);
  }

  private serveWaiters(): void {
    for (const [c, want] of this.waiters) {
      if (this.acked(c) >= want) {
        this.waiters.delete(c);
        this.server.blocking.unblock(c, false);
      }
    }
  }

  /** The replica known as host:port (Redis's findReplica: address case-insensitive, its listening port). */
  findReplica(host: string, port: number): ReplicaLink | null {
    const h = host.toLowerCase();
    for (const l of this.replicas) if (l.opts.listeningPort === port && this.addressOf(l).toLowerCase() === h) return l;
    return null;
  }

  // ---- INFO / ROLE ---------------------------------------------------------------------------

  /** [ip, port, acknowledged offset] of each replica that follows the stream (ROLE). */
  roleReplicas(): Array<[string, string, string]> {
    const out: Array<[string, string, string]> = [];
    for (const l of this.replicas) {
      if (l.opts.rdbOnly || l.state !== 'online') continue;
      out.push([this.addressOf(l), String(l.opts.listeningPort), String(l.ackOffset)]);
    }
    return out;
  }

  /** The address a replica is known by: the one it announced (REPLCONF ip-address), else its connection's. */
  addressOf(l: ReplicaLink): string {
    if (l.opts.ipAddress !== '') return l.opts.ipAddress;
    const a = l.client.addr;
    return a.slice(0, a.lastIndexOf(':'));
  }

  private infoFields(): Array<[string, string | number]> {
    const server = this.server;
    const replicaOf = server.replicaOf;
    const fields: Array<[string, string | number]> = [['role', replicaOf.active ? 'slave' : 'master']];
    if (replicaOf.active) fields.push(...replicaOf.infoFields());
    const shown = [...this.replicas].filter((l) => !l.opts.rdbOnly);
    fields.push(['connected_slaves', shown.length]);
    if (this.minReplicasToWrite !== 0 && this.minReplicasMaxLag !== 0) fields.push(['min_slaves_good_slaves', this.goodReplicas()]);
    const now = Date.now();
    shown.forEach((l, i) => {
      fields.push([`slave${i}`, `ip=${this.addressOf(l)},port=${l.opts.listeningPort},state=${l.state},offset=${l.ackOffset},lag=${Math.floor((now - l.ackTime) / 1000)}`]);
    });
    fields.push(
      ['master_failover_state', server.failover.state],
      ['master_replid', this.replid],
      ['master_replid2', this.replid2],
      ['master_repl_offset', this.offset],
      ['second_repl_offset', this.secondReplOffset],
      ['repl_backlog_active', this.backlog !== null ? 1 : 0],
      ['repl_backlog_size', server.config.num('repl-backlog-size')],
      ['repl_backlog_first_byte_offset', this.backlog !== null ? this.backlog.start + 1 : 0],
      ['repl_backlog_histlen', this.backlog !== null ? this.backlog.histlen : 0],
    );
    return fields;
  }
}
