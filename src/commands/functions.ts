// Functions commands: FCALL, FCALL_RO and the FUNCTION container (Redis 7.0 functions.c). The
// libraries live in src/scripting/functions.ts; a function runs through the scripting runner
// (src/scripting/scripts.ts runScript) with its declared flags, as EVAL with a shebang does.
// Invariant: FUNCTION LOAD/DELETE/FLUSH/RESTORE that change something are propagated as they
// were given (Redis replicates them verbatim), so the AOF and replicas rebuild the libraries.

import { def, numkeysKeys } from './table.js';
import { E } from './errors.js';
import { F, type CommandContext, type CommandSpec } from './types.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from '../util/numbers.js';
import { stringMatch } from '../util/glob.js';
import { feedMonitorsUnchecked } from '../server/monitor.js';
import { FLAG_NAMES, NOTBUSY, scriptFlagsToCmdFlags, scriptingOf } from '../scripting/scripts.js';
import { LOAD_TIMEOUT_MS, existingFunctions, functionsOf, type RestorePolicy } from '../scripting/functions.js';

/** FCALL's keys: numkeys at argv[2], the keys right after it. */
function fcallKeys(argv: readonly string[]): number[] {
  return numkeysKeys(argv, 2);
}

/** Redis's fcallGetCommandFlags: an existing function's declared flags decide write/denyoom/stale. */
function fcallFlags(bits: number, c: CommandContext, argv: readonly string[]): number {
  const fi = existingFunctions((c as Client).server)?.lookup(argv[1]);
  if (fi === undefined) return bits;
  return scriptFlagsToCmdFlags(bits, fi.flags);
}

function fcallGeneric(ctx: CommandContext, argv: string[], readOnly: boolean): void {
  const c = ctx as Client;
  // FCALL is skip_monitor: it shows itself here, before its function's commands.
  if (c.server.monitors.size !== 0) feedMonitorsUnchecked(c, c.server.commands.get(argv[0].toLowerCase())!, argv);
  const functions = existingFunctions(c.server);
  const fi = functions?.lookup(argv[1]);
  if (functions === undefined || fi === undefined) return c.reply.error('ERR Function not found');
  const numkeys = parseInt64(argv[2]);
  if (typeof numkeys !== 'number') return c.reply.error('ERR Bad number of keys provided');
  if (numkeys > argv.length - 3) return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.reply.error("ERR Number of keys can't be negative");
  scriptingOf(c.server).runScript(c, fi.name, fi.flags, functions.luaVm, fi.fn, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), readOnly, true);
}

function fcall(c: CommandContext, argv: string[]): void {
  fcallGeneric(c, argv, false);
}
function fcallRo(c: CommandContext, argv: string[]): void {
  fcallGeneric(c, argv, true);
}

function containerOnly(c: CommandContext, argv: string[]): void {
  c.reply.error(E.wrongArity(argv[0].toLowerCase()));
}

/** Whether the client must be obeyed without limits (Redis's mustObeyClient: the AOF loader, a primary). */
function mustObey(c: Client): boolean {
  return c.server.loading || c === c.server.replicaOf?.masterClient;
}

function functionLoad(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  let replace = false;
  let i = 2;
  while (i < argv.length - 1) {
    const opt = argv[i++];
    if (opt.toLowerCase() === 'replace') {
      replace = true;
      continue;
    }
    return c.reply.error(`ERR Unknown option given: ${opt}`);
  }
  if (i >= argv.length) return c.reply.error('ERR Function code is missing');
  const r = functionsOf(c.server).load(argv[i], replace, mustObey(c) ? 0 : LOAD_TIMEOUT_MS);
  if (typeof r === 'string') return c.reply.error('ERR ' + r);
  c.propagate(argv);
  c.reply.bulk(r.name);
}

function functionDelete(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (existingFunctions(c.server)?.delete(argv[2]) !== true) return c.reply.error('ERR Library not found');
  c.propagate(argv);
  c.reply.ok();
}

function functionFlush(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (argv.length > 3) return c.reply.error(E.subcommandSyntax(argv[1], argv[0]));
  if (argv.length === 3) {
    const mode = argv[2].toLowerCase();
    if (mode !== 'sync' && mode !== 'async') return c.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  // ASYNC and SYNC alike: dropping the libraries and their VM is one assignment.
  existingFunctions(c.server)?.flush();
  c.propagate(argv);
  c.reply.ok();
}

function functionList(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (!withCode && a === 'withcode') {
      withCode = true;
      continue;
    }
    if (pattern === null && a === 'libraryname') {
      if (i >= argv.length - 1) return c.reply.error('ERR library name argument was not given');
      pattern = argv[++i];
      continue;
    }
    return c.reply.error(`ERR Unknown argument ${argv[i]}`);
  }
  const libs = [...(existingFunctions(c.server)?.libraries ?? [])].filter((l) => pattern === null || stringMatch(pattern, l.name, true));
  const r = c.reply;
  r.array(libs.length);
  for (const lib of libs) {
    r.map(withCode ? 4 : 3);
    r.bulk('library_name');
    r.bulk(lib.name);
    r.bulk('engine');
    r.bulk('LUA');
    r.bulk('functions');
    r.array(lib.functions.size);
    for (const f of lib.functions.values()) {
      r.map(3);
      r.bulk('name');
      r.bulk(f.name);
      r.bulk('description');
      r.bulkOrNull(f.description);
      r.bulk('flags');
      const names = Object.keys(FLAG_NAMES).filter((n) => (f.flags & FLAG_NAMES[n]) !== 0);
      r.set(names.length);
      for (const n of names) r.simple(n);
    }
    if (withCode) {
      r.bulk('library_code');
      r.bulk(lib.code);
    }
  }
}

function functionDump(ctx: CommandContext): void {
  const c = ctx as Client;
  c.reply.bulk(functionsOf(c.server).dump().toString('latin1'));
}

function functionRestore(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (argv.length > 4) return c.reply.error(E.subcommandSyntax(argv[1], argv[0]));
  let policy: RestorePolicy = 'append';
  if (argv.length === 4) {
    const p = argv[3].toLowerCase();
    if (p === 'flush' || p === 'append' || p === 'replace') policy = p;
    else return c.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  }
  const err = functionsOf(c.server).restore(Buffer.from(argv[2], 'latin1'), policy);
  if (err !== null) return c.reply.error('ERR ' + err);
  c.propagate(argv);
  c.reply.ok();
}

function functionStats(ctx: CommandContext): void {
  const c = ctx as Client;
  const f = existingFunctions(c.server);
  const r = c.reply;
  r.map(2);
  r.bulk('running_script');
  // Nothing can ask while a function runs (it holds the event loop): there is never one.
  r.nullBulk();
  r.bulk('engines');
  r.map(1);
  r.bulk('LUA');
  r.map(2);
  r.bulk('libraries_count');
  r.int(f?.libraryCount ?? 0);
  r.bulk('functions_count');
  r.int(f?.functionCount ?? 0);
}

function functionKill(ctx: CommandContext): void {
  // As SCRIPT KILL: no function can be running when a command is read (scripts.ts explains).
  ctx.reply.error(NOTBUSY);
}

function functionHelp(c: CommandContext): void {
  c.reply.help('FUNCTION', [
    'LOAD [REPLACE] <FUNCTION CODE>',
    '    Create a new library with the given library name and code.',
    'DELETE <LIBRARY NAME>',
    '    Delete the given library.',
    'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'STATS',
    '    Return information about the current function running:',
    '    * Function name',
    '    * Command used to run the function',
    '    * Duration in MS that the function is running',
    '    If no function is running, return nil',
    '    In addition, returns a list of available engines.',
    'KILL',
    '    Kill the current running function.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
    'DUMP',
    '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
    'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
    '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
    '    control how to handle existing libraries (default APPEND):',
    '    * FLUSH: delete all existing libraries.',
    '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
    '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
    '      libraries with the new libraries (notice that even on this option there is a chance of failure',
    '      in case of functions name collision with another library).',
  ]);
}

function doc(summary: string) {
  return { summary, since: '7.0.0', group: 'scripting' };
}

const FCALL_FLAGS = 'noscript stale skip_monitor no_mandatory_keys movablekeys';
const ALL_SHARDS = ['request_policy:all_shards', 'response_policy:all_succeeded'];

const fcallSpecs: CommandSpec[] = [
  def('fcall', -3, FCALL_FLAGS, [0, 0, 0], '@scripting', fcall, { getKeys: fcallKeys, ...doc('Invoke a function') }),
  def('fcall_ro', -3, `readonly ${FCALL_FLAGS}`, [0, 0, 0], '@scripting', fcallRo, { getKeys: fcallKeys, ...doc('Invoke a read-only function') }),
];
for (const spec of fcallSpecs) spec.getFlags = (c, argv) => fcallFlags(spec.bits, c, argv);

export const functionCommands: CommandSpec[] = [
  ...fcallSpecs,
  def('function', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for function commands'),
    subcommands: [
      def('delete', 3, 'write noscript', [0, 0, 0], '@scripting', functionDelete, { ...doc('Delete a function by name'), tips: ALL_SHARDS }),
      def('dump', 2, 'noscript', [0, 0, 0], '@scripting', functionDump, doc('Dump all functions into a serialized binary payload')),
      def('flush', -2, 'write noscript', [0, 0, 0], '@scripting', functionFlush, { ...doc('Deleting all functions'), tips: ALL_SHARDS }),
      def('help', 2, 'loading stale', [0, 0, 0], '@scripting', functionHelp, doc('Show helpful text about the different subcommands')),
      def('kill', 2, 'noscript allow_busy', [0, 0, 0], '@scripting', functionKill, {
        ...doc('Kill the function currently in execution.'),
        tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
      }),
      def('list', -2, 'noscript', [0, 0, 0], '@scripting', functionList, { ...doc('List information about all the functions'), tips: ['nondeterministic_output_order'] }),
      def('load', -3, 'write denyoom noscript', [0, 0, 0], '@scripting', functionLoad, { ...doc('Create a function with the given arguments (name, code, description)'), tips: ALL_SHARDS }),
      def('restore', -3, 'write denyoom noscript', [0, 0, 0], '@scripting', functionRestore, { ...doc('Restore all the functions on the given payload'), tips: ALL_SHARDS }),
      def('stats', 2, 'noscript allow_busy', [0, 0, 0], '@scripting', functionStats, {
        ...doc('Return information about the function currently running (name, description, duration)'),
        tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
      }),
    ],
  }),
];

