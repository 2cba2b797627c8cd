// Persistence commands: SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF. (LASTSAVE lives with the server
// commands; SHUTDOWN [SAVE|NOSAVE] asks the server.) Snapshots never stop the server: SAVE is
// the same forkless snapshot as BGSAVE, with the caller's reply held until it is committed.

import { def } from './table.js';
import type { CommandContext, CommandSpec } from './types.js';
import { E } from './errors.js';

function bgsave(c: CommandContext, argv: string[]): void {
  let schedule = false;
  if (argv.length === 2) {
    if (argv[1].toLowerCase() !== 'schedule') return c.reply.error(E.SYNTAX);
    schedule = true;
  }
  status(c, c.server.snapshot('bgsave', schedule, c));
}

function bgrewriteaof(c: CommandContext): void {
  status(c, c.server.snapshot('bgrewriteaof', true, c));
}

function status(c: CommandContext, text: string): void {
  if (text.startsWith('ERR ')) c.reply.error(text);
  else c.reply.simple(text);
}

function save(c: CommandContext): void {
  const r = c.server.snapshot('save', false, c);
  // '' = the reply will be sent when the snapshot is committed.
  if (r !== '') c.reply.raw(r);
}

export const persistenceCommands: CommandSpec[] = [
  def('bgsave', -1, 'admin noscript no_async_loading', [0, 0, 0], '', bgsave),
  def('bgrewriteaof', 1, 'admin noscript no_async_loading', [0, 0, 0], '', bgrewriteaof),
  def('save', 1, 'admin noscript no_async_loading no_multi', [0, 0, 0], '', save),
];
