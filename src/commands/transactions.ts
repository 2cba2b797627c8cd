// Transactions: MULTI EXEC DISCARD WATCH UNWATCH (Redis 7.0 multi.c), and MONITOR (its feed is
// server/monitor.ts). The dispatcher queues a MULTI client's commands (`client.multi`) and marks
// the transaction dirty when it rejects one; WATCH invalidation lives in server/watch.ts.
//
// Invariants: EXEC runs its queue synchronously — no other client's command can interleave —
// with `inExec` set (blocking commands act as their non-blocking form), and its mutations reach
// the log as ONE group (MutationLog.beginGroup/endGroup), so the AOF and replicas never see half
// a transaction. A command failing at run time does not stop the others: its error is one
// element of EXEC's array. EXEC, DISCARD and every abort leave the client out of MULTI, with no
// watched key and no failed CAS.

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Client } from '../server/client.js';
import { existingWatchRegistry, watchRegistry } from '../server/watch.js';
import { startMonitor } from '../server/monitor.js';
import { aclCheckQueuedCommand } from '../server/acl.js';

/** Redis discardTransaction: out of MULTI, nothing watched, CAS state forgotten. */
function discardTransaction(c: Client): void {
  c.multi = null;
  c.dirtyCas = false;
  existingWatchRegistry(c.server)?.unwatchAll(c);
}

function multi(ctx: CommandContext): void {
  const c = ctx as Client;
  if (c.multi !== null) return c.reply.error(E.NESTED_MULTI);
  c.multi = { queue: [], specs: [], dirty: false };
  c.reply.ok();
}

function discard(ctx: CommandContext): void {
  const c = ctx as Client;
  if (c.multi === null) return c.reply.error(E.DISCARD_WITHOUT_MULTI);
  discardTransaction(c);
  c.reply.ok();
}

function exec(ctx: CommandContext): void {
  const c = ctx as Client;
  const m = c.multi;
  if (m === null) return c.reply.error(E.EXEC_WITHOUT_MULTI);
  const server = c.server;
  const watch = existingWatchRegistry(server);
  // A key alive at WATCH that has expired since (even if not deleted yet) fails the EXEC.
  if (watch !== undefined && !c.dirtyCas && watch.isWatchedKeyExpired(c)) c.dirtyCas = true;
  if (m.dirty || c.dirtyCas) {
    // A queueing error wins over a touched key (EXECABORT, not a null array).
    if (m.dirty) c.reply.error(E.EXECABORT);
    else c.reply.nullArray();
    discardTransaction(c);
    return;
  }
  // Redis checks EXEC against the flags of what it queued: a write queued before the server
  // started refusing writes (MISCONF, OOM, ...) aborts the whole transaction.
  let bits = 0;
  for (let i = 0; i < m.specs.length; i++) {
    const s = m.specs[i];
    bits |= s.getFlags === undefined ? s.bits : s.getFlags(c, m.queue[i]);
  }
  const self = server.commands.get('exec')!;
  const refusal = bits === 0 ? null : server.gate(c, self, bits | self.bits);
  if (refusal !== null) {
    discardTransaction(c);
    return c.reply.error(E.execAbortBecause(refusal));
  }
  watch?.unwatchAll(c);
  const { queue, specs } = m;
  // CLIENT REPLY inside the transaction must not cut elements out of EXEC's array: the mode it
  // sets takes effect once EXEC is done; meanwhile each queued command answers.
  const outerMode = c.replyMode;
  let innerMode: typeof outerMode | null = null;
  c.replyMode = 'on';
  c.inExec = true;
  server.log.beginGroup();
  try {
    c.reply.array(queue.length);
    for (let i = 0; i < queue.length; i++) {
      const before = c.reply.length;
      // ACL rules may have changed since the command was queued (Redis execCommand re-checks):
      // a command no longer allowed answers NOPERM in its place and does not run.
      const denied = aclCheckQueuedCommand(c, specs[i], queue[i]);
      if (denied !== null) {
        c.reply.error(denied);
        continue;
      }
      c.call(specs[i], queue[i]);
      if (c.replyMode !== 'on') {
        innerMode = c.replyMode;
        c.replyMode = 'on';
        if (c.reply.length === before) c.reply.ok();
      }
    }
  } finally {
    server.log.endGroup();
    c.inExec = false;
    c.replyMode = innerMode ?? outerMode;
    c.multi = null;
    c.dirtyCas = false;
  }
}

function watch(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (c.multi !== null) return c.reply.error(E.WATCH_INSIDE_MULTI);
  watchRegistry(c.server).watch(c, argv.slice(1));
  c.reply.ok();
}

function unwatch(ctx: CommandContext): void {
  const c = ctx as Client;
  existingWatchRegistry(c.server)?.unwatchAll(c);
  c.dirtyCas = false;
  c.reply.ok();
}

function monitor(ctx: CommandContext): void {
  const c = ctx as Client;
  // Inside EXEC a client must get one reply per command (Redis CLIENT_DENY_BLOCKING).
  if (c.inExec) return c.reply.error(E.MONITOR_DENY_BLOCKING);
  // Already a monitor (or a replica): ignored, without a reply, as Redis does.
  if (c.monitor) return;
  startMonitor(c);
  c.reply.ok();
}

const TX = 'noscript loading stale';

function doc(summary: string, since: string, group = 'transactions') {
  return { summary, since, group };
}

export const transactionCommands: CommandSpec[] = [
  def('multi', 1, `${TX} fast allow_busy`, [0, 0, 0], '@transaction', multi, doc('Mark the start of a transaction block', '1.2.0')),
  def('exec', 1, `${TX} skip_slowlog`, [0, 0, 0], '@transaction', exec, doc('Execute all commands issued after MULTI', '1.2.0')),
  def('discard', 1, `${TX} fast allow_busy`, [0, 0, 0], '@transaction', discard, doc('Discard all commands issued after MULTI', '2.0.0')),
  def('watch', -2, `${TX} fast allow_busy`, [1, -1, 1], '@transaction', watch, doc('Watch the given keys to determine execution of the MULTI/EXEC block', '2.2.0')),
  def('unwatch', 1, `${TX} fast allow_busy`, [0, 0, 0], '@transaction', unwatch, doc('Forget about all watched keys', '2.2.0')),
  // MONITOR is client management rather than a transaction; it is declared here with the rest
  // of this part (server/monitor.ts).
  def('monitor', 1, 'admin noscript loading stale', [0, 0, 0], '', monitor, doc('Listen for all requests received by the server in real time', '1.0.0', 'server')),
];
