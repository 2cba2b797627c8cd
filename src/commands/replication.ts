// The replication family's client-facing commands. Hoard has no replicas yet (DESIGN.md:
// replication/ is still to come), so the number of replicas that acknowledged a write is always
// 0 — and WAIT behaves exactly as redis-server 7.0 does on a primary with no replicas attached:
// it answers at once when 0 acknowledgements are enough (numreplicas <= 0, or inside MULTI),
// else blocks until its timeout (0 = forever) and answers 0. Clients that call WAIT after their
// writes (to learn how many replicas have them) therefore get Redis's answer and timing. ROLE
// answers as a primary with no replicas: its replication offset (INFO's master_repl_offset) and
// an empty replica list — what Sentinel-aware clients (ioredis checks ROLE after connecting
// through a sentinel) expect of a primary.

import { def } from './table.js';
import { E } from './errors.js';
import type { BlockedRequest, CommandContext, CommandSpec } from './types.js';
import { parseInt64 } from '../util/numbers.js';

/** Replicas that acknowledged every write this client made (Redis's replicationCountAcksByOffset). */
function acknowledgedReplicas(): number {
  return 0;
}

/** A WAIT parked on no key: only its timeout, CLIENT UNBLOCK or a disconnect end it. */
const WAIT_REQUEST: BlockedRequest = {
  type: 'string',
  serve: () => false,
  timedOut: (c) => c.reply.int(acknowledgedReplicas()),
};

/** WAIT numreplicas timeout (ms; getTimeoutFromObjectOrReply with UNIT_MILLISECONDS). */
function wait(c: CommandContext, argv: string[]): void {
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) return c.reply.error(E.NOT_INTEGER);
  const timeout = parseInt64(argv[2]);
  if (timeout === null) return c.reply.error(E.TIMEOUT_NOT_INTEGER);
  if (timeout < 0) return c.reply.error(E.TIMEOUT_NEGATIVE);
  const acked = acknowledgedReplicas();
  if (acked >= numreplicas || !c.server.blocking.canBlock(c)) return c.reply.int(acked);
  // Timeouts beyond what a timer can hold block forever, as 9223372036854775806 does in Redis.
  const ms = typeof timeout === 'bigint' || timeout > Number.MAX_SAFE_INTEGER ? 0 : timeout;
  c.server.blocking.block(c, argv, 0, 0, ms, WAIT_REQUEST);
}

function role(c: CommandContext): void {
  c.reply.array(3);
  c.reply.bulk('master');
  c.reply.int(c.server.log.offset);
  c.reply.array(0);
}

export const replicationCommands: CommandSpec[] = [
  def('wait', 3, 'noscript', [0, 0, 0], '@connection', wait, { group: 'generic', tips: ['request_policy:all_shards', 'response_policy:agg_min'] }),
  def('role', 1, 'noscript loading stale fast', [0, 0, 0], '@admin @dangerous', role),
];
