// Pub/sub commands (Redis pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
// PUBSUB (CHANNELS NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB HELP) SSUBSCRIBE SUNSUBSCRIBE SPUBLISH.
// The state and the delivery live in server/pubsub.ts; these handlers parse and reply.
//
// Replies follow Redis 7.0 exactly: every (un)subscription answers one frame [kind, name, count]
// (a RESP3 push, a RESP2 array), a mass unsubscribe with nothing to drop answers one frame with a
// null name, and the count is channels + patterns (shard channels count apart).
//
// Not propagated: Redis sends PUBLISH to its replicas (forceCommandPropagation PROPAGATE_REPL)
// but never to the AOF; the mutation log feeds both here, so that waits for replication to
// distinguish the two streams.

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';

/**
 * Redis refuses (P|S)SUBSCRIBE to a client that expects one reply per command
 * (CLIENT_DENY_BLOCKING: scripts, and for SSUBSCRIBE also MULTI/EXEC).
 */
function denyBlocking(c: CommandContext, name: string, multiAllowed: boolean): boolean {
  // canBlock is false exactly where Redis sets CLIENT_DENY_BLOCKING (inside EXEC).
  if (!multiAllowed && !c.server.blocking.canBlock(c)) {
    c.reply.error(`ERR ${name} isn't allowed for a DENY BLOCKING client`);
    return true;
  }
  return false;
}

function subscribe(c: CommandContext, argv: string[]): void {
  if (denyBlocking(c, 'SUBSCRIBE', true)) return;
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) ps.subscribe(c, argv[i], false);
}

function ssubscribe(c: CommandContext, argv: string[]): void {
  if (denyBlocking(c, 'SSUBSCRIBE', false)) return;
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) ps.subscribe(c, argv[i], true);
}

function psubscribe(c: CommandContext, argv: string[]): void {
  if (denyBlocking(c, 'PSUBSCRIBE', true)) return;
  const ps = c.server.pubsub;
  for (let i = 1; i < argv.length; i++) ps.psubscribe(c, argv[i]);
}

function unsubscribeGeneric(c: CommandContext, argv: string[], shard: boolean): void {
  const ps = c.server.pubsub;
  if (argv.length === 1) ps.unsubscribeAll(c, shard, true);
  else for (let i = 1; i < argv.length; i++) ps.unsubscribe(c, argv[i], shard, true);
  ps.done(c);
}

function unsubscribe(c: CommandContext, argv: string[]): void {
  unsubscribeGeneric(c, argv, false);
}

function sunsubscribe(c: CommandContext, argv: string[]): void {
  unsubscribeGeneric(c, argv, true);
}

function punsubscribe(c: CommandContext, argv: string[]): void {
  const ps = c.server.pubsub;
  if (argv.length === 1) ps.punsubscribeAll(c, true);
  else for (let i = 1; i < argv.length; i++) ps.punsubscribe(c, argv[i], true);
  ps.done(c);
}

function publish(c: CommandContext, argv: string[]): void {
  c.reply.int(c.server.pubsub.publish(argv[1], argv[2]));
}

function spublish(c: CommandContext, argv: string[]): void {
  c.reply.int(c.server.pubsub.spublish(argv[1], argv[2]));
}

// ---- PUBSUB -------------------------------------------------------------------------------

function channelsGeneric(c: CommandContext, argv: string[], shard: boolean): void {
  if (argv.length > 3) return c.reply.error(E.subcommandSyntax(argv[1], 'pubsub'));
  c.reply.bulks(c.server.pubsub.list(shard, argv.length === 3 ? argv[2] : null));
}

function numsubGeneric(c: CommandContext, argv: string[], shard: boolean): void {
  const ps = c.server.pubsub;
  c.reply.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.reply.bulk(argv[i]);
    c.reply.int(ps.numsub(shard, argv[i]));
  }
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

function pubsubHelp(c: CommandContext): void {
  c.reply.statusLines(PUBSUB_HELP);
}

export const pubsubCommands: CommandSpec[] = [
  def('subscribe', -2, 'pubsub noscript loading stale', [0, 0, 0], '', subscribe),
  def('unsubscribe', -1, 'pubsub noscript loading stale', [0, 0, 0], '', unsubscribe),
  def('psubscribe', -2, 'pubsub noscript loading stale', [0, 0, 0], '', psubscribe),
  def('punsubscribe', -1, 'pubsub noscript loading stale', [0, 0, 0], '', punsubscribe),
  def('publish', 3, 'pubsub loading stale fast', [0, 0, 0], '', publish),
  def('ssubscribe', -2, 'pubsub noscript loading stale', [1, -1, 1], '', ssubscribe),
  def('sunsubscribe', -1, 'pubsub noscript loading stale', [1, -1, 1], '', sunsubscribe),
  def('spublish', 3, 'pubsub loading stale fast', [1, 1, 1], '', spublish),
  def('pubsub', -2, '', [0, 0, 0], '', pubsubHelp, {
    group: 'pubsub',
    subcommands: [
      def('channels', -2, 'pubsub loading stale', [0, 0, 0], '', (c, argv) => channelsGeneric(c, argv, false)),
      def('numsub', -2, 'pubsub loading stale', [0, 0, 0], '', (c, argv) => numsubGeneric(c, argv, false)),
      def('numpat', 2, 'pubsub loading stale', [0, 0, 0], '', (c) => c.reply.int(c.server.pubsub.patterns.size)),
      def('shardchannels', -2, 'pubsub loading stale', [0, 0, 0], '', (c, argv) => channelsGeneric(c, argv, true)),
      def('shardnumsub', -2, 'pubsub loading stale', [0, 0, 0], '', (c, argv) => numsubGeneric(c, argv, true)),
      def('help', 2, 'loading stale', [0, 0, 0], '', pubsubHelp),
    ],
  }),
];
