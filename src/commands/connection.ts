// Connection commands: PING ECHO SELECT QUIT RESET HELLO AUTH.

import { def } from './table.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { VERSION } from '../version.js';
import { parseIndex } from '../util/numbers.js';
import type { Client } from '../server/client.js';
import { aclAuthenticate, aclOf } from '../server/acl.js';
import { REDACTED } from '../server/monitor.js';

function ping(c: CommandContext, argv: string[]): void {
  if (argv.length > 2) return c.reply.error(E.wrongArity('ping'));
  // A RESP2 subscriber gets ["pong", message or ""] (Redis pingCommand in pub/sub context).
  if (c.resp === 2 && c.subscribedChannels + c.subscribedPatterns + c.subscribedShardChannels > 0) {
    c.reply.array(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]);
  else c.reply.simple('PONG');
}

function echo(c: CommandContext, argv: string[]): void {
  c.reply.bulk(argv[1]);
}

function select(c: CommandContext, argv: string[]): void {
  const i = parseIndex(argv[1]);
  if (i === null) return c.reply.error(E.NOT_INTEGER);
  if (c.server.cluster !== null && i !== 0) return c.reply.error(E.SELECT_IN_CLUSTER);
  if (i < 0 || i >= c.server.ks.dbs.length) return c.reply.error(E.DB_INDEX_OUT_OF_RANGE);
  c.dbIndex = i;
  c.reply.ok();
}

function quit(c: CommandContext): void {
  c.reply.ok();
  c.closeAfterReply();
}

/** AUTH [username] password against the ACL users (server/acl.ts; `requirepass` is default's). */
function auth(c: CommandContext, argv: string[]): void {
  if (argv.length > 3) return c.reply.error(E.SYNTAX);
  const user = argv.length === 3 ? argv[1] : 'default';
  const pass = argv[argv.length - 1];
  // Credentials never reach SLOWLOG (Redis redactClientCommandArgument).
  for (let j = 1; j < argv.length; j++) argv[j] = REDACTED;
  if (argv.length === 2 && aclOf((c as Client).server).defaultUser.nopass) return c.reply.error(E.AUTH_NOT_CONFIGURED);
  if (!aclAuthenticate(c as Client, user, pass, argv)) return c.reply.error(E.WRONGPASS);
  c.reply.ok();
}

function hello(c: CommandContext, argv: string[]): void {
  let ver: number = c.resp;
  let i = 1;
  if (argv.length >= 2) {
    const v = parseIndex(argv[1]);
    if (v === null) return c.reply.error('ERR Protocol version is not an integer or out of range');
    if (v < 2 || v > 3) return c.reply.error('NOPROTO unsupported protocol version');
    ver = v;
    i = 2;
  }
  let name: string | null = null;
  // As redis-server 7.0.15: each AUTH authenticates as it is parsed, names are checked as parsed.
  for (; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const more = argv.length - i - 1;
    if (opt === 'auth' && more >= 2) {
      const [user, pass] = [argv[i + 1], argv[i + 2]];
      argv[i + 1] = argv[i + 2] = REDACTED;
      if (!aclAuthenticate(c as Client, user, pass, argv)) return c.reply.error(E.WRONGPASS);
      i += 2;
    } else if (opt === 'setname' && more >= 1) {
      const n = argv[i + 1];
      if (/[\s]/.test(n) || [...n].some((ch) => ch.charCodeAt(0) < 33 || ch.charCodeAt(0) > 126)) {
        return c.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      }
      name = n;
      i += 1;
    } else {
      return c.reply.error(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (!c.authenticated) return c.reply.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
  if (name !== null) c.name = name;
  c.resp = ver as 2 | 3;
  const r = c.reply;
  // A sentinel's HELLO has no role (Redis: the role pair is for a server with a dataset).
  const sentinel = c.server.mode === 'sentinel';
  r.map(sentinel ? 6 : 7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(VERSION);
  r.bulk('proto');
  r.int(ver);
  r.bulk('id');
  r.int(c.id);
  r.bulk('mode');
  r.bulk(c.server.cluster !== null ? 'cluster' : c.server.mode);
  if (!sentinel) {
    r.bulk('role');
    r.bulk('master');
  }
  r.bulk('modules');
  r.array(0);
}

function reset(c: CommandContext): void {
  c.server.resetClient(c);
  c.reply.simple('RESET');
}

export const connectionCommands: CommandSpec[] = [
  def('ping', -1, 'fast', [0, 0, 0], '@connection', ping, { tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] }),
  def('echo', 2, 'loading stale fast', [0, 0, 0], '@connection', echo),
  def('select', 2, 'loading stale fast', [0, 0, 0], '@connection', select),
  def('quit', -1, 'noscript loading stale no_auth fast allow_busy', [0, 0, 0], '@connection', quit),
  def('reset', 1, 'noscript loading stale no_auth fast allow_busy', [0, 0, 0], '@connection', reset),
  def('hello', -1, 'noscript loading stale no_auth fast allow_busy', [0, 0, 0], '@connection', hello),
  def('auth', -2, 'noscript loading stale no_auth fast allow_busy', [0, 0, 0], '@connection', auth),
];
