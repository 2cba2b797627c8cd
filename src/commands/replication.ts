// The replication family: the commands a replica (or `redis-cli --rdb` / `--replica`) sends to
// its primary — REPLCONF, SYNC, PSYNC — served by replication/primary.ts (full sync from a
// point-in-time walk, then the mutation log's stream; partial resync from the backlog);
// REPLICAOF/SLAVEOF, which make this server follow a primary (replication/replica.ts); and the
// client-facing WAIT and ROLE.
//
// WAIT counts the replicas whose acknowledged offset (REPLCONF ACK) covers the client's last
// write (Redis's c->woff); when that is fewer than asked, it blocks — asking every replica for an
// acknowledgement (REPLCONF GETACK *) — until enough have acknowledged or the timeout passes,
// and answers the count, as redis-server 7.0 does.

import { def } from './table.js';
import { E } from './errors.js';
import type { BlockedRequest, CommandContext, CommandSpec } from './types.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from '../util/numbers.js';

/** A WAIT parked on no key: enough acknowledgements, its timeout, CLIENT UNBLOCK or a disconnect end it. */
const WAIT_REQUEST: BlockedRequest = {
  type: 'string',
  serve: () => false,
  timedOut: (ctx) => {
    const c = ctx as Client;
    c.server.replication.waitDone(c);
    c.reply.int(c.server.replication.acked(c));
  },
};

/** WAIT numreplicas timeout (ms; getTimeoutFromObjectOrReply with UNIT_MILLISECONDS). */
function wait(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) return c.reply.error(E.NOT_INTEGER);
  const timeout = parseInt64(argv[2]);
  if (timeout === null) return c.reply.error(E.TIMEOUT_NOT_INTEGER);
  if (timeout < 0) return c.reply.error(E.TIMEOUT_NEGATIVE);
  const repl = c.server.replication;
  const acked = repl.acked(c);
  if (acked >= numreplicas || !c.server.blocking.canBlock(c)) return c.reply.int(acked);
  // Timeouts beyond what a timer can hold block forever, as 9223372036854775806 does in Redis.
  const ms = typeof timeout === 'bigint' || timeout > Number.MAX_SAFE_INTEGER ? 0 : timeout;
  c.server.blocking.block(c, argv, 0, 0, ms, WAIT_REQUEST);
  repl.waitFor(c, Number(numreplicas));
}

/**
 * ROLE: master, the replication offset, and [ip, port, acknowledged offset] per replica; or, on a
 * replica: slave, the primary's host and port, the link state and the offset processed.
 */
function role(ctx: CommandContext): void {
  const c = ctx as Client;
  const r = c.server.replicaOf;
  if (r.active) {
    c.reply.array(5);
    c.reply.bulk('slave');
    c.reply.bulk(r.host);
    c.reply.int(r.port);
    c.reply.bulk(r.state);
    c.reply.int(Math.max(-1, r.masterOffset));
    return;
  }
  const replicas = c.server.replication.roleReplicas();
  c.reply.array(3);
  c.reply.bulk('master');
  c.reply.int(c.server.replication.offset);
  c.reply.array(replicas.length);
  for (const r of replicas) c.reply.bulks(r);
}

/** REPLCONF <option> <value> ... (what a replica says before and after its SYNC). */
function replconf(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const r = c.server.replication.replconf(c, argv);
  if (r === null) return;
  if (r === '') c.reply.ok();
  else c.reply.error(r);
}

/** REPLICAOF host port | REPLICAOF NO ONE (and its old name SLAVEOF). */
function replicaof(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const r = c.server.replicaOf;
  // Replicas inside a cluster are not in v1 (and the per-slot index lives with db 0's table).
  if (c.server.cluster !== null) return c.reply.error('ERR REPLICAOF not allowed in cluster mode.');
  if (c.server.failover.active) return c.reply.error('ERR REPLICAOF not allowed while failing over.');
  if (argv[1].toLowerCase() === 'no' && argv[2].toLowerCase() === 'one') {
    r.unfollow();
    return c.reply.ok();
  }
  if (c.replica !== null) return c.reply.error('ERR Command is not valid when client is a replica.');
  const port = parseInt64(argv[2]);
  if (port === null || typeof port === 'bigint' || port < 0 || port > 65535) return c.reply.error('ERR Invalid master port');
  if (r.active && r.host.toLowerCase() === argv[1].toLowerCase() && r.port === port) return c.reply.simple('OK Already connected to specified master');
  c.server.logger.info({ host: argv[1], port, client: c.addr }, `REPLICAOF ${argv[1]}:${port} enabled (user request from '${c.addr}')`);
  r.follow(argv[1], port);
  c.reply.ok();
}

/**
 * SYNC and PSYNC <replid> <offset>: a full or partial resync (replication/primary.ts).
 * PSYNC <replid> <offset> FAILOVER comes from a primary running FAILOVER (replication/failover.ts)
 * to this replica of it: with its own replid, this server promotes itself first (as REPLICAOF NO
 * ONE), then answers as a primary — +CONTINUE, the old primary having nothing this one lacks.
 */
function sync(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const server = c.server;
  if (c.replica !== null) return; // Redis ignores SYNC from a connection that already is a replica
  if (argv.length > 3 && argv[0].toLowerCase() === 'psync' && argv[3].toLowerCase() === 'failover') {
    server.logger.warn({ replid: argv[1], client: c.addr }, `Failover request received for replid ${argv[1]}.`);
    if (!server.replicaOf.active) return c.reply.error("ERR PSYNC FAILOVER can't be sent to a master.");
    if (argv[1].toLowerCase() !== server.replication.replid.toLowerCase()) return c.reply.error('ERR PSYNC FAILOVER replid must match my replid.');
    server.replicaOf.unfollow(`failover request from '${c.addr}'`);
  }
  if (argv[0].toLowerCase() === 'psync') server.replication.sync(c, argv[1], argv[2]);
  else c.server.replication.sync(c, null);
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (replication/failover.ts). */
function failover(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  c.server.failover.command(c, argv);
}

export const replicationCommands: CommandSpec[] = [
  def('wait', 3, 'noscript', [0, 0, 0], '@connection', wait, { group: 'generic', tips: ['request_policy:all_shards', 'response_policy:agg_min'] }),
  def('role', 1, 'noscript loading stale fast', [0, 0, 0], '@admin @dangerous', role),
  def('replconf', -1, 'admin noscript loading stale allow_busy', [0, 0, 0], '', replconf),
  def('replicaof', 3, 'admin noscript stale no_async_loading', [0, 0, 0], '', replicaof),
  def('slaveof', 3, 'admin noscript stale no_async_loading', [0, 0, 0], '', replicaof),
  def('sync', 1, 'admin noscript no_async_loading no_multi', [0, 0, 0], '', sync),
  def('failover', -1, 'admin noscript stale', [0, 0, 0], '', failover),
  def('psync', -3, 'admin noscript no_async_loading no_multi', [0, 0, 0], '', sync),
];
