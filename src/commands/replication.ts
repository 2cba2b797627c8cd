// The replication family: the commands a replica (or `redis-cli --rdb` / `--replica`) sends to
// its primary — REPLCONF, SYNC, PSYNC — and the client-facing WAIT and ROLE. The work is done by
// replication/primary.ts: full sync from a point-in-time walk, then the mutation log's stream.
// Hoard cannot be a replica yet: REPLICAOF/SLAVEOF are not declared (unknown command), so the
// role is always master.
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

/** ROLE: master, the replication offset, and [ip, port, acknowledged offset] per replica. */
function role(ctx: CommandContext): void {
  const c = ctx as Client;
  const replicas = c.server.replication.roleReplicas();
  c.reply.array(3);
  c.reply.bulk('master');
  c.reply.int(c.server.log.offset);
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

/** SYNC and PSYNC <replid> <offset>: a full resync (replication/primary.ts). */
function sync(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (argv[0].toLowerCase() === 'psync') c.server.replication.sync(c, argv[1], argv[2]);
  else c.server.replication.sync(c, null);
}

export const replicationCommands: CommandSpec[] = [
  def('wait', 3, 'noscript', [0, 0, 0], '@connection', wait, { group: 'generic', tips: ['request_policy:all_shards', 'response_policy:agg_min'] }),
  def('role', 1, 'noscript loading stale fast', [0, 0, 0], '@admin @dangerous', role),
  def('replconf', -1, 'admin noscript loading stale allow_busy', [0, 0, 0], '', replconf),
  def('sync', 1, 'admin noscript no_async_loading no_multi', [0, 0, 0], '', sync),
  def('psync', -3, 'admin noscript no_async_loading no_multi', [0, 0, 0], '', sync),
];
