// Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO and the SCRIPT container (Redis 7.0
// eval.c). The VM and the cache live in src/scripting/; this file parses arguments and answers.
// Invariant: numkeys is checked as Redis checks it before any script runs, and a script's keys
// are KEYS[1..numkeys], its other arguments ARGV.

import { def, numkeysKeys } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Client } from '../server/client.js';
import { parseIndex } from '../util/numbers.js';
import { feedMonitorsUnchecked } from '../server/monitor.js';
import { F } from './types.js';
import {
  NOSCRIPT, NOTBUSY, SCRIPT_COMPAT, existingScripting, scriptFlagsToCmdFlags, scriptingOf, shebangFlags,
} from '../scripting/scripts.js';

/** EVAL's keys: numkeys at argv[2], the keys right after it (none when numkeys is invalid). */
function evalKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 2);
}

/**
 * What an EVAL does, as Redis's evalGetCommandFlags sees it before running: a script without a
 * shebang may write (may_replicate: CLIENT PAUSE WRITE holds it); one with a shebang declares it
 * (scriptFlagsToCmdFlags): write and denyoom unless no-writes (or allow-oom for denyoom), stale
 * with allow-stale. The dispatcher's write, OOM and pause checks read these flags.
 */
function evalFlags(bits: number, bySha: boolean, c: CommandContext, argv: readonly string[]): number {
  let flags: number | string = SCRIPT_COMPAT;
  if (!bySha) flags = shebangFlags(argv[1]);
  else {
    const cached = existingScripting((c as Client).server)?.lookup(argv[1]);
    if (cached !== undefined) flags = cached.flags;
  }
  if (typeof flags === 'string' || (flags & SCRIPT_COMPAT) !== 0) return (bits & F.readonly) !== 0 ? bits : bits | F.may_replicate;
  return scriptFlagsToCmdFlags(bits, flags);
}

function evalGeneric(ctx: CommandContext, argv: string[], bySha: boolean, readOnly: boolean): void {
  const c = ctx as Client;
  // EVAL is skip_monitor: it shows itself here, before its script's commands (Redis evalCommand).
  if (c.server.monitors.size !== 0) feedMonitorsUnchecked(c, c.server.commands.get(argv[0].toLowerCase())!, argv);
  const numkeys = parseIndex(argv[2]);
  if (numkeys === null) return c.reply.error(E.NOT_INTEGER);
  if (numkeys > argv.length - 3) return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.reply.error("ERR Number of keys can't be negative");
  const s = scriptingOf(c.server);
  let sha: string;
  let script;
  if (bySha) {
    script = s.lookup(argv[1]);
    if (script === undefined) return c.reply.error(NOSCRIPT);
    sha = argv[1].toLowerCase();
  } else {
    const loaded = s.load(argv[1]);
    if (typeof loaded === 'string') return c.reply.error(loaded);
    ({ sha, script } = loaded);
  }
  s.exec(c, sha, script, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), readOnly);
}

function evalCommand(c: CommandContext, argv: string[]): void {
  evalGeneric(c, argv, false, false);
}
function evalRo(c: CommandContext, argv: string[]): void {
  evalGeneric(c, argv, false, true);
}
function evalsha(c: CommandContext, argv: string[]): void {
  evalGeneric(c, argv, true, false);
}
function evalshaRo(c: CommandContext, argv: string[]): void {
  evalGeneric(c, argv, true, true);
}

function containerOnly(c: CommandContext, argv: string[]): void {
  c.reply.error(E.wrongArity(argv[0].toLowerCase()));
}

function scriptLoad(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const loaded = scriptingOf(c.server).load(argv[2]);
  if (typeof loaded === 'string') return c.reply.error(loaded);
  c.reply.bulk(loaded.sha);
}

function scriptExists(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const s = existingScripting(c.server);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.int(s !== undefined && s.has(argv[i]) ? 1 : 0);
}

function scriptFlush(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (argv.length > 3) return c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode !== 'sync' && mode !== 'async') return c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  // ASYNC and SYNC alike: dropping the cache and the VM is one assignment; the collector frees them.
  existingScripting(c.server)?.flush();
  c.reply.ok();
}

function scriptKill(ctx: CommandContext): void {
  // Nothing can ask while a script runs (it holds the event loop): there is never one to kill.
  // Long scripts are stopped by the time check instead (src/scripting/scripts.ts).
  ctx.reply.error(NOTBUSY);
}

function scriptDebug(ctx: CommandContext, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode === 'no') return ctx.reply.ok();
  if (mode === 'yes' || mode === 'sync') return ctx.reply.error('ERR SCRIPT DEBUG (the Lua debugger) is not supported by Hoard');
  ctx.reply.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

function scriptHelp(c: CommandContext): void {
  c.reply.help('SCRIPT', [
    'DEBUG (YES|SYNC|NO)',
    '    Set the debug mode for subsequent scripts executed.',
    'EXISTS <sha1> [<sha1> ...]',
    '    Return information about the existence of the scripts in the script cache.',
    'FLUSH [ASYNC|SYNC]',
    '    Flush the Lua scripts cache. Very dangerous on replicas.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the scripts cache.',
    '    * SYNC: Synchronously flush the scripts cache.',
    'KILL',
    '    Kill the currently executing Lua script.',
    'LOAD <script>',
    '    Load a script into the scripts cache without executing it.',
  ]);
}

function doc(summary: string, since: string, group = 'scripting') {
  return { summary, since, group };
}

const EVAL_FLAGS = 'noscript stale skip_monitor no_mandatory_keys movablekeys';

const evalSpecs: CommandSpec[] = [
  def('eval', -3, EVAL_FLAGS, [0, 0, 0], '@scripting', evalCommand, { getKeys: evalKeys, ...doc('Execute a Lua script server side', '2.6.0') }),
  def('evalsha', -3, EVAL_FLAGS, [0, 0, 0], '@scripting', evalsha, { getKeys: evalKeys, ...doc('Execute a Lua script server side', '2.6.0') }),
  def('eval_ro', -3, `readonly ${EVAL_FLAGS}`, [0, 0, 0], '@scripting', evalRo, { getKeys: evalKeys, ...doc('Execute a read-only Lua script server side', '7.0.0') }),
  def('evalsha_ro', -3, `readonly ${EVAL_FLAGS}`, [0, 0, 0], '@scripting', evalshaRo, { getKeys: evalKeys, ...doc('Execute a read-only Lua script server side', '7.0.0') }),
];
for (const spec of evalSpecs) {
  const bySha = spec.name.startsWith('evalsha');
  spec.getFlags = (c, argv) => evalFlags(spec.bits, bySha, c, argv);
}

export const scriptingCommands: CommandSpec[] = [
  ...evalSpecs,
  def('script', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for Lua scripts management commands', '2.6.0'),
    subcommands: [
      def('debug', 3, 'noscript', [0, 0, 0], '@scripting', scriptDebug, doc('Set the debug mode for executed scripts.', '3.2.0')),
      def('exists', -3, 'noscript', [0, 0, 0], '@scripting', scriptExists, {
        ...doc('Check existence of scripts in the script cache.', '2.6.0'),
        tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'],
      }),
      def('flush', -2, 'noscript', [0, 0, 0], '@scripting', scriptFlush, {
        ...doc('Remove all the scripts from the script cache.', '2.6.0'),
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      }),
      def('help', 2, 'loading stale', [0, 0, 0], '@scripting', scriptHelp, doc('Show helpful text about the different subcommands', '5.0.0')),
      def('kill', 2, 'noscript allow_busy', [0, 0, 0], '@scripting', scriptKill, {
        ...doc('Kill the script currently in execution.', '2.6.0'),
        tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
      }),
      def('load', 3, 'noscript stale', [0, 0, 0], '@scripting', scriptLoad, {
        ...doc('Load the specified Lua script into the script cache.', '2.6.0'),
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
      }),
    ],
  }),
];
