// The replica side of replication (Redis replication.c, replica side): REPLICAOF host port makes
// this server follow a primary — a redis-server or another Hoard — and REPLICAOF NO ONE makes it
// a primary again, keeping its data.
//
// The link, as Redis's replicationCron/syncWithMaster drive it: connect; [AUTH masteruser
// masterauth]; PING; REPLCONF listening-port; REPLCONF capa eof capa psync2; PSYNC <replid>
// <offset+1> when this server followed that primary before (a partial resync: +CONTINUE), else
// PSYNC ? -1 (+FULLRESYNC <replid> <offset>, then the RDB, framed $<len> or $EOF:<mark>). The RDB
// is read whole into memory, then loaded into the emptied keyspace a slice at a time (clients
// get LOADING meanwhile, as from a Redis replica with repl-diskless-load disabled). Then the
// stream: every command is executed as the primary sent it, by a client of its own (the
// "master client": no replies, no READONLY or OOM refusal, nothing expires under it, MULTI
// queued until its EXEC); the replication offset counts the stream's bytes; REPLCONF ACK
// <offset> goes back every second and on REPLCONF GETACK. A link that drops, or stays silent
// for repl-timeout, is retried every second.
//
// Invariants: while a primary is set, other clients' writes get READONLY (replica-read-only,
// the default) and keys never expire by this server's clock (keyspace expireDeletes off: an
// expired key reads as missing, the primary's DEL removes it); what the master client executes
// goes into this server's own mutation log like any write, so the AOF and this server's own
// replicas follow it. A full sync replaces the dataset outside that log, so it is followed by a
// snapshot (the AOF's rewrite) and this server's own replicas are dropped: they resync in full
// from the new data.
// What this server's own replicas and its backlog get, though, is the primary's stream itself,
// byte for byte as applied here, at the primary's offsets and under its replid (primary.ts's
// proxy(); Redis's PSYNC2): chained replicas share one offset space with the primary, and so
// do the primary's other replicas when this one is promoted. The history followed is kept
// across REPLICAOF host port: re-pointed at a sibling that was promoted, this server asks
// PSYNC <old replid> <offset> and continues; a primary made a replica offers its own history.
// A primary handing over by FAILOVER (failover.ts) adds FAILOVER to that PSYNC — the target then
// promotes itself before answering (commands/replication.ts) — and aborts the failover, a primary
// again, if the target refuses it or the link drops before its answer.

import net from 'node:net';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { RespParser, ProtocolError } from '../protocol/parser.js';
import { encodeCommand } from '../protocol/reply.js';
import { RdbFileReader, type RdbKey } from '../persistence/rdb-value.js';
import { debugDelay } from '../util/debug-delay.js';

/** The link's state, named as ROLE names it. */
export type LinkState = 'connect' | 'connecting' | 'sync' | 'connected';

/** Load this long, then let the event loop turn (ms). */
const LOAD_SLICE_MS = 5;
const MARK_BYTES = 40;

type Phase = 'handshake' | 'rdb-header' | 'rdb' | 'stream';

/** The primary is trusted with any size of command (it passed its own limits). */
function streamParser(): RespParser {
  return new RespParser({ maxBulkLen: Number.MAX_SAFE_INTEGER, maxMultibulkLen: Number.MAX_SAFE_INTEGER });
}

export class ReplicaOf {
  /** The primary followed (host '' when none). */
  host = '';
  port = 0;
  state: LinkState = 'connect';
  /** The primary's replication id and the offset of its stream processed here (-1: none yet). */
  masterReplid = '?';
  masterOffset = -1;
  /** Bytes of the RDB being received, for INFO master_sync_* fields. */
  syncBytes = 0;
  syncTotal = -1;
  lastIo = 0;
  /** When an established link was lost (Redis's repl_down_since; 0: never up, or up now). */
  downSince = 0;
  private sock: net.Socket | null = null;
  private phase: Phase = 'handshake';
  private handshake: Array<{ send: string[] | null; expect: (line: string) => string | null }> = [];
  private pending = Buffer.alloc(0);
  private rdbChunks: Buffer[] = [];
  private rdbMark: string | null = null;
  /** The stream's parser: a new one per link (bytes of a command cut by a dropped link must not prefix the next stream). */
  private parser = streamParser();
  /** Stream bytes fed to the parser, and the offset they started at. */
  private fed = 0;
  private streamBase = 0;
  private master: Client | null = null;

  /** The client executing the primary's stream (Redis's server.master), while there is one. */
  get masterClient(): Client | null {
    return this.master;
  }
  private multiQueue: string[][] | null = null;
  /** Stream bytes received but not yet passed on to this server's replicas, and the offset of the first. */
  private raw = '';
  private rawStart = 0;
  /** The db the primary's stream had selected when the link dropped (a partial resync goes on in it). */
  private streamDb = 0;
  /** FULLRESYNC's id and offset: they become this replica's only once the RDB is loaded. */
  private syncReplid = '?';
  private syncOffset = -1;
  private lastAck = 0;
  private nextAttempt = 0;
  /** Bumped by every new link: callbacks of an older one find it changed and stop. */
  private epoch = 0;
  /** The PSYNC of this link is sent and its reply not yet read. */
  private awaitingPsync = false;

  constructor(private readonly server: Server) {}

  get active(): boolean {
    return this.host !== '';
  }

  /** REPLICAOF host port. */
  follow(host: string, port: number): void {
    const server = this.server;
    if (this.host === host && this.port === port) return;
    const wasPrimary = !this.active;
    this.dropLink();
    this.host = host;
    this.port = port;
    this.state = 'connect';
    this.downSince = 0;
    if (wasPrimary) {
      // Offer this server's own history (Redis's replicationCacheMasterUsingMyself): the new
      // primary continues it if it followed this one up to here (a demoted primary rejoining
      // the replica promoted in its place, having missed nothing).
      const h = server.replication.cachedHistory;
      this.masterReplid = h.replid;
      this.masterOffset = h.offset;
    }
    this.nextAttempt = 0;
    server.ks.expireDeletes = false;
    // Redis disconnectAllBlockedClients: a blocked client would wait for a write that can no longer come.
    server.blocking.disconnectAll();
    server.logger.info({ host, port }, `Connecting to MASTER ${host}:${port}`);
    this.connect();
  }

  /**
   * REPLICAOF NO ONE: a primary again, with the data as it is. `why` goes into Redis's log line
   * ("user request", "failover request from ..."); null logs none (a FAILOVER that aborts).
   */
  unfollow(why: string | null = 'user request'): void {
    if (!this.active) return;
    const server = this.server;
    if (why !== null) server.logger.info({ host: this.host, port: this.port }, `MASTER MODE enabled (${why})`);
    this.dropLink();
    this.host = '';
    this.port = 0;
    this.masterReplid = '?';
    this.masterOffset = -1;
    server.ks.expireDeletes = true;
    // A new history begins here; the one followed stays continuable up to where it was applied.
    server.replication.stopFollowing();
  }

  /** Server shutdown: the link goes, nothing reconnects. */
  close(): void {
    this.dropLink();
    this.host = '';
    this.port = 0;
  }

  private dropLink(): void {
    this.epoch++;
    if (this.sock !== null) {
      this.sock.removeAllListeners('data');
      this.sock.destroy();
      this.sock = null;
    }
    if (this.master !== null) {
      this.streamDb = this.master.dbIndex;
      this.master.closed = true;
      this.master = null;
    }
    this.phase = 'handshake';
    this.awaitingPsync = false;
    this.pending = Buffer.alloc(0);
    this.rdbChunks = [];
    this.rdbMark = null;
    this.multiQueue = null;
    this.syncBytes = 0;
    this.syncTotal = -1;
    if (this.state === 'sync' && this.server.loading) this.server.loading = false;
    this.state = 'connect';
  }

  /** The link failed: retried in a second — unless it was a FAILOVER's PSYNC (`timeout`: silence, not an answer). */
  private fail(why: string, timeout = false): void {
    if (!this.active) return;
    this.server.logger.warn({ host: this.host, port: this.port }, `MASTER <-> REPLICA link: ${why}`);
    // Redis's syncWithMaster: a FAILOVER whose target does not take the PSYNC (an error, or the
    // link lost before an answer) is aborted — this server is a primary again.
    if (this.awaitingPsync && !timeout && this.server.failover.state === 'failover-in-progress') {
      this.server.failover.abort('Failover target rejected psync request');
      return;
    }
    if (this.state === 'connected') this.downSince = Date.now();
    this.dropLink();
    this.nextAttempt = Date.now() + 1000;
  }

  private connect(): void {
    const server = this.server;
    const epoch = ++this.epoch;
    this.state = 'connecting';
    this.lastIo = Date.now();
    const sock = net.connect(this.port, this.host);
    this.sock = sock;
    sock.setNoDelay(true);
    sock.on('error', (err) => {
      if (this.epoch === epoch) this.fail(`${err.message}`);
    });
    sock.on('close', () => {
      if (this.epoch === epoch && this.sock === sock) this.fail('connection lost');
    });
    sock.on('connect', () => {
      if (this.epoch !== epoch) return;
      server.logger.info({}, 'MASTER <-> REPLICA sync started');
      this.lastIo = Date.now();
      this.startHandshake();
    });
    sock.on('data', (chunk: Buffer) => {
      if (this.epoch !== epoch) return;
      this.lastIo = Date.now();
      try {
        this.onData(chunk, epoch);
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
      }
    });
  }

  // ---- handshake -----------------------------------------------------------------------------

  private startHandshake(): void {
    const cfg = this.server.config;
    const steps: Array<{ send: string[] | null; expect: (line: string) => string | null }> = [];
    const ok = (what: string) => (line: string) => (line.startsWith('+') ? null : `${what}: ${line}`);
    const auth = (cfg.str('masterauth') as string | null) ?? '';
    if (auth !== '') {
      const user = (cfg.str('masteruser') as string | null) ?? '';
      steps.push({ send: user !== '' ? ['AUTH', user, auth] : ['AUTH', auth], expect: ok('Unable to AUTH to MASTER') });
    }
    steps.push({ send: ['PING'], expect: ok('Error reply to PING from master') });
    // What the primary (and the sentinels reading its INFO) should call this replica: its own
    // address unless replica-announce-ip / -port say otherwise (behind NAT, in containers).
    const announcePort = cfg.num('replica-announce-port');
    steps.push({ send: ['REPLCONF', 'listening-port', String(announcePort !== 0 ? announcePort : this.server.boundPort)], expect: ok('REPLCONF listening-port') });
    const announceIp = (cfg.str('replica-announce-ip') as string | null) ?? '';
    if (announceIp !== '') steps.push({ send: ['REPLCONF', 'ip-address', announceIp], expect: ok('REPLCONF ip-address') });
    steps.push({ send: ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'], expect: ok('REPLCONF capa') });
    const partial = this.masterReplid !== '?' && this.masterOffset >= 0;
    const psync = ['PSYNC', partial ? this.masterReplid : '?', partial ? String(this.masterOffset + 1) : '-1'];
    // A FAILOVER's handover (failover.ts): the target promotes itself on this argument.
    if (this.server.failover.state === 'failover-in-progress') psync.push('FAILOVER');
    steps.push({ send: psync, expect: (l) => this.onPsyncReply(l) });
    this.handshake = steps;
    this.sendStep();
  }

  private sendStep(): void {
    const step = this.handshake[0];
    if (!step?.send) return;
    if (step.send[0] === 'PSYNC') {
      this.awaitingPsync = true;
      if (step.send[1] !== '?') this.server.logger.info({ replid: step.send[1], offset: step.send[2] }, `Trying a partial resynchronization (request ${step.send[1]}:${step.send[2]}).`);
    }
    this.sock?.write(encodeCommand(step.send), 'latin1');
  }

  private onPsyncReply(line: string): string | null {
    this.awaitingPsync = false;
    const fr = /^\+FULLRESYNC ([0-9a-zA-Z]+) (\d+)$/.exec(line);
    if (fr !== null) {
      // The history known so far is void; the new one counts once its RDB is loaded (a link that
      // drops before that must sync in full again).
      this.masterReplid = '?';
      this.masterOffset = -1;
      this.syncReplid = fr[1];
      this.syncOffset = Number(fr[2]);
      this.phase = 'rdb-header';
      this.state = 'sync';
      this.server.logger.info({ replid: fr[1], offset: fr[2] }, `Full resync from master: ${fr[1]}:${fr[2]}`);
      this.server.failover.psyncAccepted();
      return null;
    }
    const cont = /^\+CONTINUE(?: ([0-9a-zA-Z]+))?$/.exec(line);
    if (cont !== null) {
      if (cont[1] !== undefined) this.masterReplid = cont[1];
      this.server.logger.info({ offset: this.masterOffset, replid: this.masterReplid }, 'Successful partial resynchronization with master.');
      this.server.replication.continueStream(this.masterReplid, this.masterOffset);
      this.startStream(this.streamDb);
      this.server.failover.psyncAccepted();
      return null;
    }
    if (this.server.failover.state === 'failover-in-progress') {
      if (line.startsWith('-ERR')) this.server.logger.info({ host: this.host, port: this.port, reply: line }, `Master does not support PSYNC or is in error state (reply: ${line})`);
      else this.server.logger.warn({ host: this.host, port: this.port, reply: line }, `Unexpected reply to PSYNC from master: ${line}`);
      this.server.failover.abort('Failover target rejected psync request');
      return null;
    }
    return `PSYNC refused: ${line}`;
  }

  private onData(chunk: Buffer, epoch: number): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0 && this.epoch === epoch) {
      if (this.phase === 'handshake' || this.phase === 'rdb-header') {
        // Lines; a primary preparing an RDB sends bare newlines meanwhile (keep-alive).
        const nl = buf.indexOf(10);
        if (nl < 0) {
          this.pending = Buffer.from(buf);
          return;
        }
        const line = buf.toString('latin1', 0, nl).replace(/\r$/, '');
        buf = buf.subarray(nl + 1);
        if (line === '') continue;
        if (this.phase === 'handshake') {
          const step = this.handshake.shift();
          if (step === undefined) throw new Error(`unexpected reply from master: ${line}`);
          const err = step.expect(line);
          if (err !== null) throw new Error(err);
          if (this.phase === 'handshake') this.sendStep();
          continue;
        }
        // rdb-header: $<len> or $EOF:<mark>
        if (!line.startsWith('$')) throw new Error(`bad RDB header from master: ${line.slice(0, 80)}`);
        if (line.startsWith('$EOF:')) {
          this.rdbMark = line.slice(5);
          if (this.rdbMark.length !== MARK_BYTES) throw new Error('bad $EOF mark from master');
          this.syncTotal = -1;
        } else {
          const n = Number(line.slice(1));
          if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad RDB length from master: ${line}`);
          this.syncTotal = n;
        }
        this.phase = 'rdb';
        this.rdbChunks = [];
        this.syncBytes = 0;
        continue;
      }
      if (this.phase === 'rdb') {
        if (this.rdbMark === null) {
          const want = this.syncTotal - this.syncBytes;
          const take = buf.subarray(0, want);
          this.rdbChunks.push(Buffer.from(take));
          this.syncBytes += take.length;
          buf = buf.subarray(take.length);
          if (this.syncBytes === this.syncTotal) this.rdbDone(Buffer.concat(this.rdbChunks), buf, epoch);
          return;
        }
        this.rdbChunks.push(Buffer.from(buf));
        this.syncBytes += buf.length;
        // The mark ends the RDB: the primary sends nothing after it until our first ACK.
        const tail = this.tailBytes(MARK_BYTES);
        if (tail !== null && tail.toString('latin1') === this.rdbMark) {
          const all = Buffer.concat(this.rdbChunks);
          this.rdbDone(all.subarray(0, all.length - MARK_BYTES), Buffer.alloc(0), epoch);
        }
        return;
      }
      // stream
      this.feedStream(buf);
      return;
    }
  }

  /** The last n bytes received of the RDB (across chunks), or null if fewer. */
  private tailBytes(n: number): Buffer | null {
    if (this.syncBytes < n) return null;
    const parts: Buffer[] = [];
    let got = 0;
    for (let i = this.rdbChunks.length - 1; i >= 0 && got < n; i--) {
      parts.unshift(this.rdbChunks[i]);
      got += this.rdbChunks[i].length;
    }
    const b = Buffer.concat(parts);
    return b.subarray(b.length - n);
  }

  // ---- loading the RDB -----------------------------------------------------------------------

  private rdbDone(rdb: Buffer, rest: Buffer, epoch: number): void {
    const server = this.server;
    const sock = this.sock;
    this.phase = 'stream';
    this.rdbChunks = [];
    sock?.pause();
    server.logger.info({ bytes: rdb.length }, `MASTER <-> REPLICA sync: received ${rdb.length} bytes, loading`);
    let reader: RdbFileReader;
    try {
      reader = new RdbFileReader(rdb, server.config);
    } catch (err) {
      this.fail(`bad RDB from master: ${(err as Error).message}`);
      return;
    }
    // Replicas of this server followed the data being replaced: they must resync from the new.
    server.replication.dropReplicas();
    server.flushAll();
    server.loading = true;
    const ks = server.ks;
    ks.loading = true;
    const key: RdbKey = { db: 0, key: '', value: '', expireAt: 0 };
    const loadDelay = server.config.num('key-load-delay');
    let keys = 0;
    const endLoading = (): void => {
      ks.loading = false;
      server.loading = false;
    };
    const step = (): void => {
      if (this.epoch !== epoch) {
        endLoading();
        return;
      }
      const t0 = performance.now();
      try {
        while (performance.now() - t0 < LOAD_SLICE_MS) {
          let more = false;
          for (let i = 0; i < 64 && (more = reader.next(key)); i++) {
            const db = ks.dbs[key.db];
            if (db === undefined) throw new Error(`the RDB holds db ${key.db} but this server has ${ks.dbs.length} databases`);
            const s = db.add(key.key, key.value);
            if (key.expireAt !== 0) db.setExpire(s, key.expireAt);
            keys++;
            if (loadDelay !== 0) debugDelay(loadDelay);
          }
          if (!more) {
            // The primary's function libraries replace this server's (Redis loads them with the RDB).
            const fnErr = server.replaceFunctions(reader.functions);
            if (fnErr !== null) throw new Error(`its function libraries do not load: ${fnErr}`);
            endLoading();
            server.logger.info({ keys }, `MASTER <-> REPLICA sync: Finished with success (${keys} keys loaded)`);
            // A replica's primary passing on its own primary's stream says where that stands.
            const sdb = Number(reader.aux.get('repl-stream-db') ?? '0');
            this.afterLoad(rest, Number.isInteger(sdb) && sdb >= 0 && sdb < ks.dbs.length ? sdb : 0);
            return;
          }
        }
      } catch (err) {
        endLoading();
        this.fail(`loading the RDB from master failed: ${(err as Error).message}`);
        return;
      }
      setImmediate(step);
    };
    step();
  }

  private afterLoad(rest: Buffer, streamDb: number): void {
    const server = this.server;
    this.masterReplid = this.syncReplid;
    this.masterOffset = this.syncOffset;
    server.replication.followStream(this.syncReplid, this.syncOffset);
    // The loaded keys are in no log: a snapshot makes them durable (and is the AOF's rewrite).
    const p = server.persistence;
    if (p !== null && p.store !== null) p.snapshotNow('save').catch((err: Error) => server.logger.error({ err }, 'snapshot after the full sync failed'));
    this.startStream(streamDb);
    if (rest.length > 0) this.feedStream(rest);
    this.sock?.resume();
  }

  // ---- the stream ----------------------------------------------------------------------------

  /** The stream begins (after a load) or goes on (after +CONTINUE) with `db` selected. */
  private startStream(db: number): void {
    const server = this.server;
    this.phase = 'stream';
    this.state = 'connected';
    this.downSince = 0;
    this.streamBase = this.masterOffset;
    this.fed = 0;
    this.raw = '';
    this.rawStart = this.masterOffset;
    this.parser = streamParser();
    this.multiQueue = null;
    const master = server.internalClient(`${this.host}:${this.port}`);
    master.dbIndex = db;
    this.master = master;
    // Redis answers the RDB with an ACK at once; a Hoard primary starts the stream on it.
    this.sendAck();
  }

  private feedStream(chunk: Buffer): void {
    const server = this.server;
    const master = this.master;
    if (master === null) return;
    this.parser.feed(chunk);
    this.fed += chunk.length;
    this.raw += chunk.toString('latin1');
    for (;;) {
      let argv: string[] | null;
      try {
        argv = this.parser.next();
      } catch (err) {
        if (err instanceof ProtocolError) throw new Error(`protocol error in the stream from master: ${err.message}`);
        throw err;
      }
      if (argv === null) break;
      const offset = this.streamBase + this.fed - this.parser.bufferedBytes;
      this.execute(master, argv);
      // Inside MULTI the offset stays before it (Redis's commandProcessed): a link that drops
      // mid-transaction makes the primary send the whole transaction again.
      if (this.multiQueue === null) {
        this.masterOffset = offset;
        // What was applied goes on to this server's replicas and backlog, as it came.
        const n = offset - this.rawStart;
        if (n > 0) {
          const unit = this.raw.slice(0, n);
          this.raw = this.raw.slice(n);
          this.rawStart = offset;
          server.replication.proxy(unit, offset - n);
        }
      }
      if (argv.length >= 2 && argv[0].toLowerCase() === 'replconf' && argv[1].toLowerCase() === 'getack') this.sendAck();
      if (this.master !== master) return; // the command ended the link (REPLICAOF NO ONE...)
    }
    this.parser.detach();
  }

  /** Runs one command of the stream as the master client; MULTI ... EXEC runs as one unit. */
  private execute(master: Client, argv: string[]): void {
    const server = this.server;
    const name = argv[0].toLowerCase();
    if (name === 'multi') {
      this.multiQueue = [];
      return;
    }
    if (this.multiQueue !== null) {
      if (name === 'exec') {
        const queue = this.multiQueue;
        this.multiQueue = null;
        server.log.beginGroup();
        try {
          for (const a of queue) this.run(master, a);
        } finally {
          server.log.endGroup();
        }
      } else if (name === 'discard') this.multiQueue = null;
      else this.multiQueue.push(argv);
      return;
    }
    if (name === 'replconf' || name === 'ping') return; // the link's own traffic, not data
    this.run(master, argv);
  }

  private run(master: Client, argv: string[]): void {
    const server = this.server;
    const spec = server.specFor(argv);
    if (spec === undefined) {
      server.logger.warn({ command: argv[0] }, 'unknown command in the stream from master: skipped');
      return;
    }
    const ks = server.ks;
    // Nothing expires under the master client: the primary decides (Redis's expireIfNeeded).
    ks.loading = true;
    const errors = master.reply.errors;
    try {
      master.call(spec, argv);
    } finally {
      ks.loading = false;
    }
    if (master.reply.errors !== errors) server.logger.warn({ command: argv[0], reply: master.reply.lastError.slice(0, 200) }, 'command from master replied with an error');
    master.reply.reset();
  }

  /** The db the primary's stream has selected at the last command applied (for an RDB this server serves). */
  streamDbNow(): number {
    return this.master !== null ? this.master.dbIndex : this.streamDb;
  }

  private sendAck(): void {
    if (this.sock === null || this.state !== 'connected') return;
    this.lastAck = Date.now();
    this.sock.write(encodeCommand(['REPLCONF', 'ACK', String(this.masterOffset)]), 'latin1');
  }

  /** Server cron: reconnect, ACK once a second, and drop a link silent for repl-timeout. */
  cron(): void {
    if (!this.active) return;
    const now = Date.now();
    if (this.state === 'connect' && now >= this.nextAttempt) {
      this.connect();
      return;
    }
    if (this.state === 'connected' && now - this.lastAck >= 1000) this.sendAck();
    // A primary preparing an RDB sends newlines; one streaming sends PINGs: silence means a dead link.
    const timeout = this.server.config.num('repl-timeout') * 1000;
    if (this.state !== 'connect' && now - this.lastIo > timeout) this.fail('timeout: no data nor PING received', true);
  }

  // ---- INFO / ROLE ---------------------------------------------------------------------------

  infoFields(): Array<[string, string | number]> {
    const now = Date.now();
    const f: Array<[string, string | number]> = [
      ['master_host', this.host],
      ['master_port', this.port],
      ['master_link_status', this.state === 'connected' ? 'up' : 'down'],
      ['master_last_io_seconds_ago', this.state === 'connected' ? Math.floor((now - this.lastIo) / 1000) : -1],
      ['master_sync_in_progress', this.state === 'sync' ? 1 : 0],
    ];
    if (this.state === 'sync') {
      f.push(['master_sync_total_bytes', this.syncTotal], ['master_sync_read_bytes', this.syncBytes], ['master_sync_left_bytes', this.syncTotal < 0 ? -1 : this.syncTotal - this.syncBytes]);
    }
    f.push(
      ['slave_read_repl_offset', Math.max(0, this.masterOffset)],
      ['slave_repl_offset', Math.max(0, this.masterOffset)],
    );
    // Sentinels read it to skip replicas cut off from the primary for too long (sentinelSelectSlave).
    if (this.state !== 'connected') f.push(['master_link_down_since_seconds', this.downSince !== 0 ? Math.floor((now - this.downSince) / 1000) : -1]);
    f.push(
      ['slave_priority', this.server.config.num('replica-priority')],
      ['slave_read_only', this.server.config.bool('replica-read-only') ? 1 : 0],
      ['replica_announced', this.server.config.bool('replica-announced') ? 1 : 0],
    );
    return f;
  }
}
