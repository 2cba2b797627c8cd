// Coordinated failover, FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (Redis 7.0
// replication.c: failoverCommand, updateFailoverStatus, abortFailover, clearFailoverState): a
// primary hands its role to one of its replicas without losing an acknowledged write.
//
//   no-failover ──FAILOVER──▶ waiting-for-sync: writes paused (CLIENT PAUSE WRITE semantics, a
//       pause of its own purpose that CLIENT UNPAUSE does not end); waits until the target — the
//       one named, or the first replica whose acknowledged offset reaches this server's offset —
//       has everything. Past TIMEOUT: abort, or with FORCE go on anyway.
//   ──synced──▶ failover-in-progress: this server becomes a replica of the target and sends it
//       PSYNC <replid> <offset> FAILOVER (replica.ts); the target, whose primary's replid that
//       is, promotes itself and continues the PSYNC as a primary (+CONTINUE), so this server goes
//       on as its replica without a full sync.
//   ──PSYNC accepted──▶ no-failover, writes unpaused: the clients parked meanwhile run their
//       writes again, and get READONLY from what is now a replica.
//   A PSYNC refused (or a link lost once it was sent), or FAILOVER ABORT: this server is a
//   primary again (as REPLICAOF NO ONE: a new replid, the old one continuable), writes unpaused.
//
// Invariants: while the state is not no-failover, the 'failover' pause is held and nothing of
// this server's own goes into the stream (no PING, no GETACK: replica offsets must be able to
// reach this server's); REPLICAOF and SYNC/PSYNC from others are refused meanwhile.

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { PAUSE_WRITE } from '../server/pause.js';
import { parseInt64 } from '../util/numbers.js';
import type { ReplicaLink } from './primary.js';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

export class Failover {
  state: FailoverState = 'no-failover';
  /** The target (null: any replica, until one is picked). */
  private targetHost: string | null = null;
  private targetPort = 0;
  /** Date.now() ms past which waiting-for-sync gives up (0: no TIMEOUT). */
  private endTime = 0;
  private force = false;
  private timer: NodeJS.Timeout | null = null;
  private updateQueued = false;

  constructor(private readonly server: Server) {}

  get active(): boolean {
    return this.state !== 'no-failover';
  }

  /** FAILOVER's whole command: validates as Redis does (same order, same texts), then starts. */
  command(c: Client, argv: readonly string[]): void {
    const server = this.server;
    if (server.cluster !== null) return c.reply.error('ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.');
    if (argv.length === 2 && argv[1].toLowerCase() === 'abort') {
      if (this.state === 'no-failover') return c.reply.error('ERR No failover in progress.');
      this.abort('Failover manually aborted');
      return c.reply.ok();
    }
    let timeout = 0;
    let force = false;
    let port = 0;
    let host: string | null = null;
    for (let j = 1; j < argv.length; j++) {
      const opt = argv[j].toLowerCase();
      if (opt === 'timeout' && j + 1 < argv.length && timeout === 0) {
        const t = parseInt64(argv[j + 1]);
        if (t === null) return c.reply.error('ERR value is not an integer or out of range');
        if (t <= 0) return c.reply.error('ERR FAILOVER timeout must be greater than 0');
        timeout = Number(t);
        j++;
      } else if (opt === 'to' && j + 2 < argv.length && host === null) {
        const p = parseInt64(argv[j + 2]);
        if (p === null) return c.reply.error('ERR value is not an integer or out of range');
        port = Number(p);
        host = argv[j + 1];
        j += 2;
      } else if (opt === 'force' && !force) {
        force = true;
      } else {
        return c.reply.error('ERR syntax error');
      }
    }
    if (this.state !== 'no-failover') return c.reply.error('ERR FAILOVER already in progress.');
    if (server.replicaOf.active) return c.reply.error('ERR FAILOVER is not valid when server is a replica.');
    if (server.replication.replicas.size === 0) return c.reply.error('ERR FAILOVER requires connected replicas.');
    if (force && (timeout === 0 || host === null)) return c.reply.error('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
    if (host !== null) {
      const link = server.replication.findReplica(host, port);
      if (link === null) return c.reply.error('ERR FAILOVER target HOST and PORT is not a replica.');
      if (link.state !== 'online') return c.reply.error('ERR FAILOVER target replica is not online.');
      this.targetHost = host;
      this.targetPort = port;
      server.logger.info({ host, port }, `FAILOVER requested to ${host}:${port}.`);
    } else {
      server.logger.info({}, 'FAILOVER requested to any replica.');
    }
    if (timeout !== 0) {
      this.endTime = Date.now() + timeout;
      // Redis looks at the clock once per event loop; a timer does it here.
      this.timer = setTimeout(() => {
        this.timer = null;
        this.update();
      }, Math.min(timeout, 2 ** 31 - 1));
      this.timer.unref();
    }
    this.force = force;
    this.state = 'waiting-for-sync';
    server.clientPause.pause(Infinity, PAUSE_WRITE, 'failover');
    c.reply.ok();
    // Redis checks at the end of the event loop turn (beforeSleep): a target already caught up
    // fails over at once.
    this.queueUpdate();
  }

  /**
   * Checks again at the end of this turn (a replica acknowledged an offset). Not at once: failing
   * over closes connections, and the ACK being handled came on one of them.
   */
  queueUpdate(): void {
    if (this.state !== 'waiting-for-sync' || this.updateQueued) return;
    this.updateQueued = true;
    setImmediate(() => {
      this.updateQueued = false;
      this.update();
    });
  }

  /** Redis's updateFailoverStatus: the timeout, then whether the target has caught up. */
  update(): void {
    if (this.state !== 'waiting-for-sync') return;
    const server = this.server;
    const repl = server.replication;
    if (this.endTime !== 0 && this.endTime <= Date.now()) {
      if (this.force) {
        server.logger.info({ host: this.targetHost, port: this.targetPort }, `FAILOVER to ${this.targetHost}:${this.targetPort} time out exceeded, failing over.`);
        this.startHandover();
      } else {
        this.abort('Replica never caught up before timeout');
      }
      return;
    }
    const offset = repl.offset;
    let link: ReplicaLink | null = null;
    if (this.targetHost !== null) {
      link = repl.findReplica(this.targetHost, this.targetPort);
    } else {
      for (const l of repl.replicas) {
        // (Redis looks at the offset alone; an offline replica's here is where its sync started.)
        if (l.state !== 'online' || l.opts.rdbOnly || l.ackOffset !== offset) continue;
        this.targetHost = repl.addressOf(l);
        this.targetPort = l.opts.listeningPort;
        link = l;
        break;
      }
    }
    if (link !== null && link.ackOffset === offset) {
      server.logger.info({ host: this.targetHost, port: this.targetPort }, `Failover target ${this.targetHost}:${this.targetPort} is synced, failing over.`);
      this.startHandover();
    }
  }

  /** failover-in-progress: follow the target, which the PSYNC ... FAILOVER promotes. */
  private startHandover(): void {
    this.state = 'failover-in-progress';
    this.clearTimer();
    this.server.replicaOf.follow(this.targetHost!, this.targetPort);
  }

  /** The target answered the PSYNC FAILOVER with +CONTINUE or +FULLRESYNC: done. */
  psyncAccepted(): void {
    if (this.state === 'failover-in-progress') this.clear();
  }

  /** Redis's abortFailover: back to no-failover, a primary again if this server already followed the target. */
  abort(why: string): void {
    if (this.state === 'no-failover') return;
    const server = this.server;
    if (this.targetHost !== null) server.logger.info({ host: this.targetHost, port: this.targetPort, why }, `FAILOVER to ${this.targetHost}:${this.targetPort} aborted: ${why}`);
    else server.logger.info({ why }, `FAILOVER to any replica aborted: ${why}`);
    if (this.state === 'failover-in-progress') server.replicaOf.unfollow(null);
    this.clear();
  }

  /** Redis's clearFailoverState: writes resume (the parked clients run again, re-checked). */
  private clear(): void {
    this.clearTimer();
    this.endTime = 0;
    this.force = false;
    this.targetHost = null;
    this.targetPort = 0;
    this.state = 'no-failover';
    this.server.clientPause.unpause('failover');
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
