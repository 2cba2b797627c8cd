// The command table of a server in sentinel mode, as Redis 7.0's sentinel serves it: the 15
// commands `COMMAND LIST` shows on redis-sentinel (ACL, AUTH, CLIENT, COMMAND, HELLO, PING,
// SHUTDOWN and the (P)(UN)SUBSCRIBE family reused from the normal table; INFO, ROLE, PUBLISH
// and SENTINEL of its own). Anything else gets the normal "unknown command" error from the
// dispatcher, as on Redis. Replies follow sentinel.c (sentinelCommand,
// addReplySentinelRedisInstance): field names, order and types.

import { def } from '../commands/table.js';
import { E } from '../commands/errors.js';
import { allCommands } from '../commands/index.js';
import type { CommandContext, CommandSpec, ServerApi } from '../commands/types.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { stringMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import { isIpLiteral, resolveHost } from './resolve.js';
import { applyDirective, emptySentinelConfig, scriptPathError } from './config.js';
import {
  DEBUG_PARAMS,
  flagsOf,
  Master,
  SIMFAILURE_CRASH_AFTER_ELECTION,
  SIMFAILURE_CRASH_AFTER_PROMOTION,
  type Instance,
  type Sentinel,
} from './sentinel.js';

const sentinels = new WeakMap<ServerApi, Sentinel>();

/** Ties a sentinel to the server whose clients command it. */
export function attachSentinel(server: ServerApi, s: Sentinel): void {
  sentinels.set(server, s);
}

function sentinelOf(c: CommandContext): Sentinel {
  const s = sentinels.get(c.server);
  if (s === undefined) throw Object.assign(new Error('sentinel command on a server without a sentinel'), { code: 'SENTINEL_NOT_ATTACHED' });
  return s;
}

const NO_SUCH_MASTER = 'ERR No such master with that name';

function masterOrReply(c: CommandContext, name: string): Master | null {
  const m = sentinelOf(c).masters.get(name);
  if (m === undefined) c.reply.error(NO_SUCH_MASTER);
  return m ?? null;
}

/** addReplySentinelRedisInstance: a map of the instance's state, fields as Redis names them. */
function replyInstance(r: ReplyWriter, s: Sentinel, ri: Instance): void {
  const now = Date.now();
  const f: Array<[string, string | number]> = [
    ['name', ri.name],
    ['ip', s.ann(ri.host)],
    ['port', ri.port],
    ['runid', ri.runid ?? ''],
    ['flags', flagsOf(ri)],
    ['link-pending-commands', ri.cmd?.pendingCommands ?? 0],
    ['link-refcount', 1],
  ];
  if (ri instanceof Master && ri.failoverInProgress) f.push(['failover-state', `failover_state_${ri.failoverState}`]);
  f.push(['last-ping-sent', ri.actPingTime !== 0 ? now - ri.actPingTime : 0], ['last-ok-ping-reply', now - ri.lastAvailTime], ['last-ping-reply', now - ri.lastPongTime]);
  if (ri.sdown) f.push(['s-down-time', now - ri.sdownSince]);
  if (ri instanceof Master && ri.odown) f.push(['o-down-time', now - ri.odownSince]);
  const m = ri.master ?? (ri as Master);
  f.push(['down-after-milliseconds', m.conf.downAfterMs]);
  if (ri.kind !== 'sentinel') {
    f.push(['info-refresh', ri.infoRefresh > 1 ? now - ri.infoRefresh : 0], ['role-reported', ri.roleReported], ['role-reported-time', now - ri.roleReportedTime]);
  }
  if (ri instanceof Master) {
    f.push(
      ['config-epoch', ri.conf.configEpoch],
      ['num-slaves', ri.slaves.size],
      ['num-other-sentinels', ri.sentinels.size],
      ['quorum', ri.conf.quorum],
      ['failover-timeout', ri.conf.failoverTimeoutMs],
      ['parallel-syncs', ri.conf.parallelSyncs],
    );
  } else if (ri.kind === 'slave') {
    f.push(
      ['master-link-down-time', ri.masterLinkDownTime],
      ['master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err'],
      ['master-host', ri.slaveMasterHost !== '' ? ri.slaveMasterHost : '?'],
      ['master-port', ri.slaveMasterPort],
      ['slave-priority', ri.slavePriority],
      ['slave-repl-offset', ri.slaveReplOffset],
      ['replica-announced', ri.replicaAnnounced],
    );
  } else {
    f.push(['last-hello-message', ri.lastHelloTime !== 0 ? now - ri.lastHelloTime : now - ri.lastAvailTime], ['voted-leader', ri.leader ?? '?'], ['voted-leader-epoch', ri.leaderEpoch]);
  }
  r.map(f.length);
  for (const [k, v] of f) {
    r.bulk(k);
    // Redis sends every value as a bulk string (addReplyBulkLongLong).
    r.bulk(String(v));
  }
}

// ---- SENTINEL subcommands --------------------------------------------------------------------

function masters(c: CommandContext): void {
  const all = [...sentinelOf(c).masters.values()];
  c.reply.array(all.length);
  for (const m of all) replyInstance(c.reply, sentinelOf(c), m);
}

function master(c: CommandContext, argv: string[]): void {
  const m = masterOrReply(c, argv[2]);
  if (m !== null) replyInstance(c.reply, sentinelOf(c), m);
}

function replicas(c: CommandContext, argv: string[]): void {
  const m = masterOrReply(c, argv[2]);
  if (m === null) return;
  // Replicas with replica-announced no are not listed (Redis 6.2+).
  const list = [...m.slaves.values()].filter((s) => s.replicaAnnounced !== 0);
  c.reply.array(list.length);
  for (const s of list) replyInstance(c.reply, sentinelOf(c), s);
}

function sentinelsOfMaster(c: CommandContext, argv: string[]): void {
  const m = masterOrReply(c, argv[2]);
  if (m === null) return;
  c.reply.array(m.sentinels.size);
  for (const s of m.sentinels.values()) replyInstance(c.reply, sentinelOf(c), s);
}

function getMasterAddr(c: CommandContext, argv: string[]): void {
  const m = sentinelOf(c).masters.get(argv[2]);
  if (m === undefined) return c.reply.nullArray();
  const p = m.currentAddress();
  c.reply.array(2);
  c.reply.bulk(sentinelOf(c).ann(p.host));
  c.reply.bulk(String(p.port));
}

function isMasterDownByAddr(c: CommandContext, argv: string[]): void {
  const port = parseInt64(argv[3]);
  if (port === null || typeof port === 'bigint') return c.reply.error(E.NOT_INTEGER);
  const epoch = parseInt64(argv[4]);
  if (epoch === null || typeof epoch === 'bigint') return c.reply.error(E.NOT_INTEGER);
  const [down, leader, leaderEpoch] = sentinelOf(c).isMasterDownByAddr(argv[2], port, epoch, argv[5]);
  c.reply.array(3);
  c.reply.int(down);
  c.reply.bulk(leader);
  c.reply.int(leaderEpoch);
}

function reset(c: CommandContext, argv: string[]): void {
  const s = sentinelOf(c);
  let n = 0;
  for (const m of s.masters.values()) {
    if (stringMatch(argv[2], m.name, false)) {
      s.resetMaster(m);
      n++;
    }
  }
  if (n > 0) s.flushConfig();
  c.reply.int(n);
}

function failover(c: CommandContext, argv: string[]): void {
  const m = masterOrReply(c, argv[2]);
  if (m === null) return;
  const err = sentinelOf(c).manualFailover(m);
  if (err !== null) return c.reply.error(err);
  c.reply.ok();
}

function ckquorum(c: CommandContext, argv: string[]): void {
  const m = masterOrReply(c, argv[2]);
  if (m === null) return;
  const { usable, voters } = sentinelOf(c).ckquorum(m);
  const majority = Math.floor(voters / 2) + 1;
  // Redis appends the two reasons with no separator between them.
  let e = '';
  if (usable < m.conf.quorum) e += 'Not enough available Sentinels to reach the specified quorum for this master';
  if (usable < majority) e += 'Not enough available Sentinels to reach the majority and authorize a failover';
  if (e !== '') return c.reply.error(`NOQUORUM ${usable} usable Sentinels. ${e}`);
  c.reply.simple(`OK ${usable} usable Sentinels. Quorum and failover authorization can be reached`);
}

function monitor(c: CommandContext, argv: string[]): void {
  const s = sentinelOf(c);
  const port = parseInt64(argv[4]);
  const quorum = parseInt64(argv[5]);
  if (quorum === null || typeof quorum === 'bigint' || quorum <= 0) return c.reply.error('ERR Quorum must be 1 or greater.');
  if (port === null || typeof port === 'bigint' || port <= 0 || port > 65535) return c.reply.error('ERR Invalid port');
  // Redis's anetResolve: with resolve-hostnames no only an IP address is valid; with yes a
  // hostname is looked up (asynchronously here: the client waits for the reply, the server does
  // not) and one that does not resolve is refused with the same error.
  const bad = 'ERR Invalid IP address or hostname specified';
  // What happens once the address is known valid: the same now (an IP) or after the lookup.
  const add = (r: ReplyWriter): void => {
    if (s.masters.has(argv[2])) return r.error('ERR Duplicate master name.');
    s.monitor(argv[2], argv[3], port, quorum);
    r.ok();
  };
  if (isIpLiteral(argv[3])) return add(c.reply);
  if (!s.cfg.resolveHostnames) return c.reply.error(bad);
  const answer = c.deferReply();
  void resolveHost(argv[3]).then((ip) => {
    answer((r) => {
      if (ip !== null) return add(r);
      s.logger.warn(`Failed to resolve hostname '${argv[3]}'`);
      r.error(bad);
    });
  });
}

function remove(c: CommandContext, argv: string[]): void {
  if (!sentinelOf(c).remove(argv[2])) return c.reply.error(NO_SUCH_MASTER);
  c.reply.ok();
}

/** SENTINEL SET <master> <option> <value> ...: every pair checked first, then applied, config flushed. */
function set(c: CommandContext, argv: string[]): void {
  const s = sentinelOf(c);
  const m = masterOrReply(c, argv[2]);
  if (m === null) return;
  const settable = new Set(['down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'quorum', 'auth-pass', 'auth-user', 'master-reboot-down-after-period', 'notification-script', 'client-reconfig-script']);
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    if (!settable.has(opt) || i + 1 >= argv.length) return c.reply.error(`ERR Unknown option or number of arguments for SENTINEL SET '${argv[i]}'`);
    if (opt === 'auth-pass' || opt === 'auth-user') continue;
    if (opt === 'notification-script' || opt === 'client-reconfig-script') {
      if (s.denyScriptsReconfig) {
        return c.reply.error('ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration');
      }
      const bad = argv[i + 1] !== '' ? scriptPathError(opt, argv[i + 1]) : null;
      if (bad !== null) return c.reply.error(`ERR ${bad}`);
      continue;
    }
    const n = parseInt64(argv[i + 1]);
    const min = opt === 'parallel-syncs' || opt === 'master-reboot-down-after-period' ? 0 : 1;
    if (n === null || typeof n === 'bigint' || n < min) return c.reply.error(`ERR Invalid argument '${argv[i + 1]}' for SENTINEL SET '${argv[i]}'`);
  }
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    if (opt === 'quorum') m.conf.quorum = Number(argv[i + 1]);
    else if (opt === 'auth-pass' || opt === 'auth-user') {
      if (opt === 'auth-pass') m.conf.authPass = argv[i + 1] === '' ? null : argv[i + 1];
      else m.conf.authUser = argv[i + 1] === '' ? null : argv[i + 1];
      // New credentials apply to new links: drop the current ones.
      m.closeLinks();
      for (const x of m.slaves.values()) x.closeLinks();
    } else if (opt === 'notification-script') m.conf.notificationScript = argv[i + 1] === '' ? null : argv[i + 1];
    else if (opt === 'client-reconfig-script') m.conf.clientReconfigScript = argv[i + 1] === '' ? null : argv[i + 1];
    else applyDirective({ ...emptySentinelConfig(), masters: [m.conf] }, [opt, m.name, argv[i + 1]]);
    s.event('+set', m, `%@ ${argv[i]} ${argv[i + 1]}`);
  }
  s.flushConfig();
  c.reply.ok();
}

function myid(c: CommandContext): void {
  c.reply.bulk(sentinelOf(c).myid);
}

function flushconfig(c: CommandContext): void {
  sentinelOf(c).flushConfig();
  c.reply.ok();
}

/** SENTINEL PENDING-SCRIPTS: each queued script, running or waiting (sentinelPendingScriptsCommand). */
function pendingScripts(c: CommandContext): void {
  const q = sentinelOf(c).scripts.queue;
  const now = Date.now();
  c.reply.array(q.length);
  for (const j of q) {
    c.reply.map(5);
    c.reply.bulk('argv');
    c.reply.array(j.argv.length);
    for (const a of j.argv) c.reply.bulk(a);
    c.reply.bulk('flags');
    c.reply.bulk(j.running ? 'running' : 'scheduled');
    c.reply.bulk('pid');
    c.reply.bulk(String(j.pid));
    if (j.running) {
      c.reply.bulk('run-time');
      c.reply.bulk(String(now - j.startTime));
    } else {
      c.reply.bulk('run-delay');
      c.reply.bulk(String(j.startTime !== 0 ? Math.max(0, j.startTime - now) : 0));
    }
    c.reply.bulk('retry-num');
    c.reply.bulk(String(j.retries));
  }
}

/**
 * SENTINEL CONFIG GET <pattern> / SET <option> <value>: the global options redis-sentinel 7.0
 * has. announce-ip and announce-port change what the hellos announce; sentinel-user and
 * sentinel-pass are what links to other sentinels AUTH with; resolve-hostnames lets primaries,
 * replicas and sentinels be named by hostname, announce-hostnames hands those names out.
 */
function config(c: CommandContext, argv: string[]): void {
  const s = sentinelOf(c);
  const sub = argv[2].toLowerCase();
  const usage = 'ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.';
  if (sub === 'get' && argv.length === 4) {
    const all: Array<[string, string]> = [
      ['resolve-hostnames', s.cfg.resolveHostnames ? 'yes' : 'no'],
      ['announce-hostnames', s.cfg.announceHostnames ? 'yes' : 'no'],
      ['announce-ip', s.cfg.announceIp],
      ['announce-port', String(s.cfg.announcePort)],
      ['sentinel-user', s.sentinelAuth.user ?? ''],
      ['sentinel-pass', s.sentinelAuth.pass ?? ''],
    ];
    const hits = all.filter(([k]) => stringMatch(argv[3], k, true));
    c.reply.map(hits.length);
    for (const [k, v] of hits) {
      c.reply.bulk(k);
      c.reply.bulk(v);
    }
    return;
  }
  if (sub !== 'set' || argv.length !== 5) return c.reply.error(usage);
  const opt = argv[3].toLowerCase();
  const val = argv[4];
  const invalid = `ERR Invalid value '${val}' to SENTINEL CONFIG SET '${argv[3]}'`;
  switch (opt) {
    case 'announce-ip':
      s.cfg.announceIp = val;
      break;
    case 'announce-port': {
      const n = parseInt64(val);
      if (n === null || typeof n === 'bigint' || n < 0 || n > 65535) return c.reply.error(invalid);
      s.cfg.announcePort = n;
      break;
    }
    case 'resolve-hostnames':
    case 'announce-hostnames': {
      const v = val.toLowerCase();
      if (v !== 'yes' && v !== 'no') return c.reply.error(invalid);
      if (opt === 'resolve-hostnames') s.cfg.resolveHostnames = v === 'yes';
      else s.cfg.announceHostnames = v === 'yes';
      break;
    }
    case 'sentinel-user':
    case 'sentinel-pass':
      s.setSentinelAuth(opt === 'sentinel-user' ? 'user' : 'pass', val === '' ? null : val);
      break;
    default:
      return c.reply.error(`ERR Invalid argument '${argv[3]}' to SENTINEL CONFIG SET`);
  }
  s.flushConfig();
  c.reply.ok();
}

const SENTINEL_HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum',
  '    needed to failover a master and the majority needed to authorize the',
  '    failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  '    Check if the master specified by ip:port is down from current Sentinel\'s',
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  '    Remove master from Sentinel\'s monitor list.',
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
  'HELP',
  '    Prints this help.',
];

/**
 * SENTINEL DEBUG: without arguments, every timing parameter and its value (a map); with
 * <param> <value> pairs, sets them in order (each must be a positive integer; a bad pair stops
 * there, the ones before it stay set, as Redis's sentinelSetDebugConfigParameters).
 */
function debug(c: CommandContext, argv: string[]): void {
  const t = sentinelOf(c).timing;
  if (argv.length === 2) {
    c.reply.map(DEBUG_PARAMS.length);
    for (const [name, key] of DEBUG_PARAMS) {
      c.reply.bulk(name.toUpperCase());
      c.reply.bulk(String(t[key])); // bulk strings, as Redis's addReplyBulkLongLong
    }
    return;
  }
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const param = DEBUG_PARAMS.find(([name]) => name === opt);
    if (param === undefined || i + 1 >= argv.length) return c.reply.error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${argv[i]}'`);
    const v = parseInt64(argv[++i]);
    if (v === null || typeof v === 'bigint' || v <= 0) return c.reply.error(`ERR Invalid argument '${argv[i]}' for SENTINEL DEBUG '${argv[i - 1]}'`);
    t[param[1]] = v;
  }
  c.reply.ok();
}

/**
 * SENTINEL INFO-CACHE [<master-name> ...]: per primary (all when none is named; unknown names
 * are skipped), its name and [age ms, last INFO or null] for it and then each replica. The age
 * is 0 while the primary has had no INFO yet, replicas included (Redis tests the primary's).
 */
function infoCache(c: CommandContext, argv: string[]): void {
  const s = sentinelOf(c);
  let ms: Master[] = [...s.masters.values()];
  if (argv.length > 2) {
    const picked = new Set<Master>();
    for (let i = 2; i < argv.length; i++) {
      const m = s.masters.get(argv[i]);
      if (m !== undefined) picked.add(m);
    }
    ms = [...picked];
  }
  const now = Date.now();
  c.reply.array(ms.length * 2);
  for (const m of ms) {
    c.reply.bulk(m.name);
    c.reply.array(m.slaves.size + 1);
    for (const ri of [m, ...m.slaves.values()]) {
      c.reply.array(2);
      c.reply.int(m.infoRefresh > 1 ? now - ri.infoRefresh : 0);
      if (ri.info === null) c.reply.nullBulk();
      else c.reply.bulk(ri.info);
    }
  }
}

/** SENTINEL SIMULATE-FAILURE: sets the crash points (replacing earlier ones); HELP lists them. */
function simulateFailure(c: CommandContext, argv: string[]): void {
  const s = sentinelOf(c);
  s.simFailure = 0;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'crash-after-election') {
      s.simFailure |= SIMFAILURE_CRASH_AFTER_ELECTION;
      s.logger.warn('Failure simulation: this Sentinel will crash after being successfully elected as failover leader');
    } else if (a === 'crash-after-promotion') {
      s.simFailure |= SIMFAILURE_CRASH_AFTER_PROMOTION;
      s.logger.warn('Failure simulation: this Sentinel will crash after promoting the selected replica to master');
    } else if (a === 'help') {
      c.reply.array(2);
      c.reply.bulk('crash-after-election');
      c.reply.bulk('crash-after-promotion');
      return;
    } else {
      return c.reply.error('ERR Unknown failure simulation specified');
    }
  }
  c.reply.ok();
}

function help(c: CommandContext): void {
  c.reply.statusLines(SENTINEL_HELP);
}

function containerOnly(c: CommandContext, argv: string[]): void {
  c.reply.error(E.wrongArity(argv[0].toLowerCase()));
}

// ---- INFO, ROLE, PUBLISH ---------------------------------------------------------------------

/** INFO: the sections redis-sentinel has (server, clients, stats, cpu, sentinel). */
function info(c: CommandContext, argv: string[]): void {
  const all = ['server', 'clients', 'stats', 'cpu', 'sentinel'];
  let sections: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const s = argv[i].toLowerCase();
    if (s === 'default' || s === 'all' || s === 'everything') sections.push(...all);
    else if (all.includes(s)) sections.push(s);
  }
  if (argv.length === 1) sections = all;
  c.reply.verbatim(sections.length === 0 ? '' : c.server.info(c, [...new Set(sections)]));
}

/** The Sentinel section's fields (sentinel.c sentinelInfoCommand's part). */
export function sentinelInfoFields(s: Sentinel): Array<[string, string | number]> {
  const f: Array<[string, string | number]> = [
    ['sentinel_masters', s.masters.size],
    ['sentinel_tilt', s.tilt ? 1 : 0],
    ['sentinel_tilt_since_seconds', s.tilt ? Math.floor((Date.now() - s.tiltStartTime) / 1000) : -1],
    ['sentinel_running_scripts', s.scripts.running],
    ['sentinel_scripts_queue_length', s.scripts.queue.length],
    ['sentinel_simulate_failure_flags', s.simFailure],
  ];
  let i = 0;
  for (const m of s.masters.values()) {
    const status = m.odown ? 'odown' : m.sdown ? 'sdown' : 'ok';
    f.push([`master${i++}`, `name=${m.name},status=${status},address=${s.ann(m.host)}:${m.port},slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}`]);
  }
  return f;
}

function role(c: CommandContext): void {
  const names = [...sentinelOf(c).masters.keys()];
  c.reply.array(2);
  c.reply.bulk('sentinel');
  c.reply.array(names.length);
  for (const n of names) c.reply.bulk(n);
}

/** PUBLISH on a sentinel: only hellos, which it reads itself (a sentinel announcing itself directly). */
function publish(c: CommandContext, argv: string[]): void {
  if (argv[1] !== '__sentinel__:hello') return c.reply.error('ERR Only HELLO messages are accepted by Sentinel instances.');
  sentinelOf(c).processHello(argv[2]);
  c.reply.int(1);
}

const SUB = 'admin loading stale';
const sentinelCommand = def('sentinel', -2, 'admin loading stale', [0, 0, 0], '', containerOnly, {
  summary: 'A container for Redis Sentinel commands',
  since: '2.8.4',
  group: 'sentinel',
  subcommands: [
    def('ckquorum', 3, SUB, [0, 0, 0], '', ckquorum),
    def('config', -3, SUB, [0, 0, 0], '', config),
    def('debug', -2, SUB, [0, 0, 0], '', debug),
    def('failover', 3, SUB, [0, 0, 0], '', failover),
    def('flushconfig', 2, SUB, [0, 0, 0], '', flushconfig),
    def('get-master-addr-by-name', 3, SUB, [0, 0, 0], '', getMasterAddr),
    def('help', 2, 'loading stale', [0, 0, 0], '', help),
    def('info-cache', -3, SUB, [0, 0, 0], '', infoCache),
    def('is-master-down-by-addr', 6, SUB, [0, 0, 0], '', isMasterDownByAddr),
    def('master', 3, SUB, [0, 0, 0], '', master),
    def('masters', 2, SUB, [0, 0, 0], '', masters),
    def('monitor', 6, SUB, [0, 0, 0], '', monitor),
    def('myid', 2, SUB, [0, 0, 0], '', myid),
    def('pending-scripts', 2, SUB, [0, 0, 0], '', pendingScripts),
    def('remove', 3, SUB, [0, 0, 0], '', remove),
    def('replicas', 3, SUB, [0, 0, 0], '', replicas),
    def('reset', 3, SUB, [0, 0, 0], '', reset),
    def('sentinels', 3, SUB, [0, 0, 0], '', sentinelsOfMaster),
    def('set', -5, SUB, [0, 0, 0], '', set),
    def('simulate-failure', -3, SUB, [0, 0, 0], '', simulateFailure),
    def('slaves', 3, SUB, [0, 0, 0], '', replicas),
  ],
});

/** The normal commands a sentinel serves as they are. */
const REUSED = new Set(['acl', 'auth', 'client', 'command', 'hello', 'ping', 'shutdown', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe']);

export function sentinelCommandTable(): CommandSpec[][] {
  const reused: CommandSpec[] = [];
  for (const family of allCommands) for (const spec of family) if (REUSED.has(spec.name)) reused.push(spec);
  return [
    reused,
    [
      def('info', -1, 'loading stale', [0, 0, 0], '@dangerous', info, { summary: 'Get information and statistics about the server', since: '1.0.0', group: 'server' }),
      def('role', 1, 'noscript loading stale fast', [0, 0, 0], '@admin @dangerous', role, { summary: 'Return the role of the instance in the context of replication', since: '2.8.12', group: 'server' }),
      def('publish', 3, 'pubsub loading stale fast', [0, 0, 0], '', publish, { summary: 'Post a message to a channel', since: '2.0.0', group: 'pubsub' }),
      sentinelCommand,
    ],
  ];
}
