// The cluster family (CLUSTER and its subcommands, READONLY, READWRITE, ASKING): the table's
// declarations. With cluster-enabled no, Hoard answers as redis-server 7.0 does (INFO's
// cluster_enabled:0), every one of these replying "ERR This instance has cluster support
// disabled" — after the dispatcher's usual checks, so an unknown subcommand or a wrong arity
// gets the same error as there. Clients and tools (redis-cli -c, cluster-aware client libraries,
// `redis-cli CLUSTER INFO`) tell a standalone server by this reply; an unknown-command error
// instead reads as a broken or ancient server. With cluster-enabled yes, cluster/cluster.ts
// runs them.

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';

function clusterDisabled(c: CommandContext): void {
  c.reply.error(E.CLUSTER_DISABLED);
}

function cluster(c: CommandContext, argv: string[]): void {
  const node = c.server.cluster;
  if (node === null) return clusterDisabled(c);
  node.command(c, argv);
}

/** ASKING: the next command may touch an IMPORTING slot (cleared after it, see server/client.ts). */
function asking(c: CommandContext): void {
  if (c.server.cluster === null) return clusterDisabled(c);
  c.asking = true;
  c.reply.ok();
}

/** READONLY / READWRITE: accepted (there are no replicas inside a v1 cluster to read from). */
function readonlyReadwrite(c: CommandContext): void {
  if (c.server.cluster === null) return clusterDisabled(c);
  c.reply.ok();
}

const ADMIN = 'admin stale no_async_loading';

/** COMMAND INFO's tip on the subcommands whose reply differs from node to node. */
const ND = true;

/**
 * Redis 7.0's CLUSTER subcommands: name, arity, flags (their ACL categories follow from these),
 * and whether COMMAND INFO tips them nondeterministic_output.
 */
const SUBCOMMANDS: ReadonlyArray<readonly [string, number, string, boolean?]> = [
  ['addslots', -3, ADMIN],
  ['addslotsrange', -4, ADMIN],
  ['bumpepoch', 2, ADMIN, ND],
  ['count-failure-reports', 3, 'admin stale', ND],
  ['countkeysinslot', 3, 'stale'],
  ['delslots', -3, ADMIN],
  ['delslotsrange', -4, ADMIN],
  ['failover', -2, ADMIN],
  ['flushslots', 2, ADMIN],
  ['forget', 3, ADMIN],
  ['getkeysinslot', 4, 'stale', ND],
  ['help', 2, 'loading stale'],
  ['info', 2, 'stale', ND],
  ['keyslot', 3, 'stale'],
  ['links', 2, 'stale', ND],
  ['meet', -4, ADMIN],
  ['myid', 2, 'stale'],
  ['nodes', 2, 'stale', ND],
  ['replicas', 3, 'admin stale', ND],
  ['replicate', 3, ADMIN],
  ['reset', -2, 'admin noscript stale'],
  ['saveconfig', 2, ADMIN],
  ['set-config-epoch', 3, ADMIN],
  ['setslot', -4, ADMIN],
  ['shards', 2, 'stale', ND],
  ['slaves', 3, 'admin stale', ND],
  ['slots', 2, 'stale', ND],
];

export const clusterCommands: CommandSpec[] = [
  def('cluster', -2, '', [0, 0, 0], '', cluster, {
    subcommands: SUBCOMMANDS.map(([name, arity, flags, nd]) =>
      def(name, arity, flags, [0, 0, 0], '', cluster, nd === true ? { tips: ['nondeterministic_output'] } : {}),
    ),
  }),
  def('readonly', 1, 'loading stale fast', [0, 0, 0], '@connection', readonlyReadwrite),
  def('readwrite', 1, 'loading stale fast', [0, 0, 0], '@connection', readonlyReadwrite),
  def('asking', 1, 'fast', [0, 0, 0], '@connection', asking),
];
