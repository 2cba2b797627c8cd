// The ACL command family (Redis 7.0 acl.c aclCommand): SETUSER DELUSER GETUSER LIST USERS WHOAMI
// CAT GENPASS LOG DRYRUN LOAD SAVE HELP. Users, rules, checks and the log live in server/acl.ts;
// these handlers parse and reply with Redis 7.0's exact shapes and texts.
//
// Invariant: ACL SETUSER is all or nothing — the rules are applied to a copy of the user and the
// copy replaces it only when every rule was valid.

import crypto from 'node:crypto';
import { def, arityOk, fullName } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { Client } from '../server/client.js';
import { ACL_CATEGORIES, DENIED_CMD, DENIED_KEY, aclOf, type AclSelector } from '../server/acl.js';
import { formatScore, parseInt64 } from '../util/numbers.js';
import { REDACTED } from '../server/monitor.js';

const GENPASS_MAX_BITS = 4096;

/** Redis ACLMergeSelectorArguments: "(" ... ")" spread over several arguments becomes one. */
function mergeSelectorArgs(args: readonly string[]): { merged: string[] } | { openAt: number } {
  const merged: string[] = [];
  let openAt = -1;
  let selector = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      openAt = j;
      continue;
    }
    if (openAt !== -1) {
      selector += ' ' + op;
      if (op[op.length - 1] === ')') {
        openAt = -1;
        merged.push(selector);
      }
      continue;
    }
    merged.push(op);
  }
  return openAt !== -1 ? { openAt } : { merged };
}

function hasSpacesOrNul(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 32 || (ch >= 9 && ch <= 13) || ch === 0) return true;
  }
  return false;
}

function aclSetuser(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const store = aclOf(c.server);
  const username = argv[2];
  const rules = argv.slice(3);
  // Passwords never reach SLOWLOG: Redis redacts every argument after SETUSER.
  for (let j = 2; j < argv.length; j++) argv[j] = REDACTED;
  if (hasSpacesOrNul(username)) return c.reply.error("ERR Usernames can't contain spaces or null characters");
  const m = mergeSelectorArgs(rules);
  if ('openAt' in m) return c.reply.error(`ERR Unmatched parenthesis in acl selector starting at '${rules[m.openAt]}'.`);
  const existing = store.users.get(username);
  const temp = store.newUser(username);
  if (existing !== undefined) temp.copyFrom(existing);
  for (const op of m.merged) {
    const err = store.setUser(temp, op);
    if (err !== null) return c.reply.error(`ERR Error in ACL SETUSER modifier '${op}': ${err}`);
  }
  temp.refresh();
  if (existing !== undefined) store.killPubsubClientsIfNeeded(temp, existing, c);
  (existing ?? store.createUser(username)).copyFrom(temp);
  c.reply.ok();
}

function aclDeluser(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const store = aclOf(c.server);
  for (let j = 2; j < argv.length; j++) {
    if (argv[j] === 'default') return c.reply.error("ERR The 'default' user cannot be removed");
  }
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    const u = store.users.get(argv[j]);
    if (u === undefined) continue;
    store.users.delete(argv[j]);
    store.dropUserClients(u, c);
    deleted++;
  }
  c.reply.int(deleted);
}

function replySelector(c: CommandContext, s: AclSelector): void {
  const r = c.reply;
  r.bulk('commands');
  r.bulk(s.describeCommands());
  r.bulk('keys');
  r.bulk(s.describeKeys(' '));
  r.bulk('channels');
  r.bulk(s.allChannels ? '&*' : s.channels.map((ch) => '&' + ch).join(' '));
}

function aclGetuser(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const u = aclOf(c.server).users.get(argv[2]);
  if (u === undefined) return c.reply.nullBulk();
  const r = c.reply;
  r.map(6);
  r.bulk('flags');
  const flags = u.flagNames();
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('passwords');
  r.bulks(u.passwords);
  replySelector(c, u.root);
  r.bulk('selectors');
  r.array(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    r.map(3);
    replySelector(c, u.selectors[i]);
  }
}

function aclList(ctx: CommandContext): void {
  const c = ctx as Client;
  const users = aclOf(c.server).sortedUsers();
  c.reply.array(users.length);
  for (const u of users) c.reply.bulk(`user ${u.name} ${u.describe()}`);
}

function aclUsers(ctx: CommandContext): void {
  const c = ctx as Client;
  c.reply.bulks(aclOf(c.server).sortedUsers().map((u) => u.name));
}

function aclWhoami(c: CommandContext): void {
  c.reply.bulk(c.user);
}

function aclCat(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  if (argv.length > 3) return c.reply.error(E.subcommandSyntax(argv[1], 'acl'));
  if (argv.length === 2) return c.reply.bulks(ACL_CATEGORIES);
  const i = ACL_CATEGORIES.indexOf(argv[2].toLowerCase() as (typeof ACL_CATEGORIES)[number]);
  if (i < 0) return c.reply.error(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
  const names: string[] = [];
  for (const cmd of aclOf(c.server).universe.byId) if ((cmd.cats & (1 << i)) !== 0) names.push(cmd.fullname);
  c.reply.bulks(names);
}

function aclGenpass(c: CommandContext, argv: string[]): void {
  if (argv.length > 3) return c.reply.error(E.subcommandSyntax(argv[1], 'acl'));
  let bits = 256;
  if (argv.length === 3) {
    const v = parseInt64(argv[2]);
    if (v === null) return c.reply.error(E.NOT_INTEGER);
    bits = typeof v === 'bigint' ? (v > 0n ? GENPASS_MAX_BITS + 1 : 0) : v;
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    return c.reply.error(`ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
  }
  const chars = Math.floor((bits + 3) / 4);
  c.reply.bulk(crypto.randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function aclLog(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const store = aclOf(c.server);
  if (argv.length > 3) return c.reply.error(E.subcommandSyntax(argv[1], 'acl'));
  let count = 10;
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === 'reset') {
      store.log.length = 0;
      return c.reply.ok();
    }
    const v = parseInt64(argv[2]);
    if (v === null) return c.reply.error(E.NOT_INTEGER);
    count = typeof v === 'bigint' ? (v > 0n ? Number.MAX_SAFE_INTEGER : 0) : Math.max(0, v);
  }
  const n = Math.min(count, store.log.length);
  const r = c.reply;
  const now = Date.now();
  r.array(n);
  for (let i = 0; i < n; i++) {
    const e = store.log[i];
    r.map(7);
    r.bulk('count');
    r.int(e.count);
    r.bulk('reason');
    r.bulk(e.reason);
    r.bulk('context');
    r.bulk(e.context);
    r.bulk('object');
    r.bulk(e.object);
    r.bulk('username');
    r.bulk(e.username);
    r.bulk('age-seconds');
    r.double(formatScore((now - e.ctime) / 1000));
    r.bulk('client-info');
    r.bulk(e.clientInfo);
  }
}

/** Redis lookupCommand (not strict): the base command, or its subcommand when it has some. */
function lookupForDryrun(c: CommandContext, args: readonly string[]): CommandSpec | undefined {
  const base = c.server.commands.get(args[0].toLowerCase());
  if (base === undefined || args.length === 1 || base.subcommands === undefined) return base;
  return base.subcommands.get(args[1].toLowerCase());
}

function aclDryrun(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const store = aclOf(c.server);
  const u = store.users.get(argv[2]);
  if (u === undefined) return c.reply.error(`ERR User '${argv[2]}' not found`);
  const args = argv.slice(3);
  const spec = lookupForDryrun(c, args);
  if (spec === undefined) return c.reply.error(`ERR Command '${argv[3]}' not found`);
  if (!arityOk(spec, args.length)) return c.reply.error(E.wrongArity(fullName(spec)));
  const cmd = store.universe.bySpec.get(spec);
  const res = cmd === undefined ? { reason: DENIED_CMD, idx: 0 } : u.check(cmd, args);
  if (res.reason === 0) return c.reply.ok();
  if (res.reason === DENIED_CMD) return c.reply.bulk(`This user has no permissions to run the '${fullName(spec)}' command`);
  if (res.reason === DENIED_KEY) return c.reply.bulk(`This user has no permissions to access the '${args[res.idx]}' key`);
  c.reply.bulk(`This user has no permissions to access the '${args[res.idx]}' channel`);
}

const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/**
 * ACL LOAD / SAVE: Hoard keeps users in memory only. Without `aclfile` this is Redis's own answer;
 * with one set (accepted, no effect) it says so rather than claim no file is configured.
 */
function aclLoadSave(c: CommandContext): void {
  if (c.server.config.str('aclfile') === '') return c.reply.error(NO_ACL_FILE);
  c.reply.error('ERR ACL files are not supported by Hoard: aclfile has no effect; users live in memory (ACL SETUSER)');
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

function aclHelp(c: CommandContext): void {
  c.reply.help('ACL', HELP);
}

function containerOnly(c: CommandContext, argv: string[]): void {
  c.reply.error(E.wrongArity(argv[0].toLowerCase()));
}

const ADMIN = 'admin noscript loading stale';
const doc = (summary: string, since = '6.0.0') => ({ summary, since, group: 'server' });

export const aclCommands: CommandSpec[] = [
  def('acl', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for Access List Control commands '),
    subcommands: [
      def('cat', -2, 'noscript loading stale', [0, 0, 0], '', aclCat, doc('List the ACL categories or the commands inside a category')),
      def('deluser', -3, ADMIN, [0, 0, 0], '', aclDeluser, doc('Remove the specified ACL users and the associated rules')),
      def('dryrun', -4, ADMIN, [0, 0, 0], '', aclDryrun, doc('Returns whether the user can execute the given command without executing the command.', '7.0.0')),
      def('genpass', -2, 'noscript loading stale', [0, 0, 0], '', aclGenpass, doc('Generate a pseudorandom secure password to use for ACL users')),
      def('getuser', 3, ADMIN, [0, 0, 0], '', aclGetuser, doc('Get the rules for a specific ACL user')),
      def('help', 2, 'loading stale', [0, 0, 0], '', aclHelp, doc('Show helpful text about the different subcommands')),
      def('list', 2, ADMIN, [0, 0, 0], '', aclList, doc('List the current ACL rules in ACL config file format')),
      def('load', 2, ADMIN, [0, 0, 0], '', aclLoadSave, doc('Reload the ACLs from the configured ACL file')),
      def('log', -2, ADMIN, [0, 0, 0], '', aclLog, doc('List latest events denied because of ACLs in place')),
      def('save', 2, ADMIN, [0, 0, 0], '', aclLoadSave, doc('Save the current ACL rules in the configured ACL file')),
      def('setuser', -3, ADMIN, [0, 0, 0], '', aclSetuser, doc('Modify or create the rules for a specific ACL user')),
      def('users', 2, ADMIN, [0, 0, 0], '', aclUsers, doc('List the username of all the configured ACL rules')),
      def('whoami', 2, 'noscript loading stale', [0, 0, 0], '', aclWhoami, doc('Return the name of the user associated to the current connection')),
    ],
  }),
];
