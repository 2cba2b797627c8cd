// Server, admin and introspection commands (Redis server.c / config.c / networking.c / debug.c /
// latency.c / slowlog.c / object.c): COMMAND, CONFIG, INFO, CLIENT, TIME, LASTSAVE, DEBUG,
// SHUTDOWN, LATENCY, SLOWLOG, MEMORY, LOLWUT.
// Invariant: nothing here changes the keyspace, so nothing here propagates; COMMAND answers only
// from the command table (src/commands/table.ts), so what it reports is what the dispatcher
// enforces — except the key specs, which the dispatcher does not use: those are Redis's own
// (server/acl-reference.ts), the ones the ACL finds keys with.

import { def, fullName, keyIndexes, arityOk } from './table.js';
import { E } from './errors.js';
import { F, type CommandContext, type CommandFlag, type CommandSpec } from './types.js';
import { ReplyWriter } from '../protocol/reply.js';
import { parseInt64, parseIndex } from '../util/numbers.js';
import { stringMatch } from '../util/glob.js';
import type { LatencyHistogram } from '../util/latency-histogram.js';
import { VERSION } from '../version.js';
import { REDIS_COMMAND_DOCS } from './docs-reference.js';
import { USED_MEMORY_STARTUP } from '../keyspace/memory.js';
import type { Db } from '../keyspace/db.js';
import type { Client } from '../server/client.js';
import { PAUSE_ALL, PAUSE_WRITE } from '../server/pause.js';
import { aclOf, keysWithFlags, redisKeySpecs } from '../server/acl.js';
import { TRACKING_ERRORS, type TrackingOptions } from '../server/tracking.js';

// ---- declarations ---------------------------------------------------------------------------

function tipsOf(spec: CommandSpec): readonly string[] {
  return spec.tips ?? [];
}

// ---- shared helpers -------------------------------------------------------------------------

function containerOnly(c: CommandContext, argv: string[]): void {
  c.reply.error(E.wrongArity(argv[0].toLowerCase()));
}

/** Looks a command up by its COMMAND INFO/DOCS name: "get", or "config|get" for a subcommand. */
function lookupByFullName(c: CommandContext, name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return c.server.commands.get(name.toLowerCase());
  if (name.indexOf('|', bar + 1) >= 0) return undefined;
  const parent = c.server.commands.get(name.slice(0, bar).toLowerCase());
  return parent?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

// ---- COMMAND --------------------------------------------------------------------------------

/** The order Redis lists command flags in (may_replicate is hidden, as in Redis). */
const FLAG_ORDER: readonly CommandFlag[] = [
  'write', 'readonly', 'denyoom', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading', 'no_multi',
  'movablekeys', 'allow_busy',
];

/** ACL categories in Redis's order (ACL CAT). */
const CATEGORY_ORDER: readonly string[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

/** COMMAND INFO replies depend only on the (static) table: encoded once per spec and protocol. */
const infoCache = new WeakMap<CommandSpec, [string | undefined, string | undefined]>();

function commandInfoText(spec: CommandSpec, resp: 2 | 3): string {
  let cached = infoCache.get(spec);
  if (cached === undefined) infoCache.set(spec, (cached = [undefined, undefined]));
  const slot = resp === 2 ? 0 : 1;
  let text = cached[slot];
  if (text === undefined) {
    const w = new ReplyWriter();
    w.resp = resp;
    writeCommandInfo(w, spec);
    text = cached[slot] = w.takeString();
  }
  return text;
}

function writeCommandInfo(r: ReplyWriter, spec: CommandSpec): void {
  r.array(10);
  r.bulk(fullName(spec));
  r.int(spec.arity);
  const flags: string[] = FLAG_ORDER.filter((f) => spec.flags.includes(f));
  for (const f of spec.flags) if (f !== 'may_replicate' && !flags.includes(f)) flags.push(f);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.int(spec.firstKey);
  r.int(spec.lastKey);
  r.int(spec.step);
  const cats = CATEGORY_ORDER.filter((cat) => spec.categories.includes(cat));
  for (const cat of spec.categories) if (!cats.includes(cat)) cats.push(cat);
  r.set(cats.length);
  for (const cat of cats) r.simple('@' + cat);
  const tips = tipsOf(spec);
  r.set(tips.length);
  for (const t of tips) r.bulk(t);
  writeKeySpecs(r, spec);
  // As Redis 7.0 in RESP3: no subcommands is an empty set, some are an array.
  const subs = spec.subcommands ? [...spec.subcommands.values()] : [];
  if (subs.length === 0) r.set(0);
  else r.array(subs.length);
  for (const s of subs) writeCommandInfo(r, s);
}

/**
 * Key specs: Redis 7.0's own for every command it has (server/acl-reference.ts, which the ACL
 * finds keys with too), in its format: notes (when there is one), flags, begin_search, find_keys.
 */
function writeKeySpecs(r: ReplyWriter, spec: CommandSpec): void {
  const ref = redisKeySpecs(fullName(spec));
  if (ref === null) return writeSynthesizedKeySpecs(r, spec);
  r.set(ref.length);
  for (const ks of ref) {
    r.map(ks.notes === null ? 3 : 4);
    if (ks.notes !== null) {
      r.bulk('notes');
      r.bulk(ks.notes);
    }
    r.bulk('flags');
    r.set(ks.flags.length);
    for (const f of ks.flags) r.simple(f);
    r.bulk('begin_search');
    r.map(2);
    r.bulk('type');
    if (ks.bsUnknown) {
      r.bulk('unknown');
      r.bulk('spec');
      r.map(0);
    } else if (ks.keyword === null) {
      r.bulk('index');
      r.bulk('spec');
      r.map(1);
      r.bulk('index');
      r.int(ks.index);
    } else {
      r.bulk('keyword');
      r.bulk('spec');
      r.map(2);
      r.bulk('keyword');
      r.bulk(ks.keyword);
      r.bulk('startfrom');
      r.int(ks.startfrom);
    }
    r.bulk('find_keys');
    r.map(2);
    r.bulk('type');
    if (ks.range !== null) {
      r.bulk('range');
      r.bulk('spec');
      r.map(3);
      r.bulk('lastkey');
      r.int(ks.range[0]);
      r.bulk('keystep');
      r.int(ks.range[1]);
      r.bulk('limit');
      r.int(ks.range[2]);
    } else if (ks.keynum !== null) {
      r.bulk('keynum');
      r.bulk('spec');
      r.map(3);
      r.bulk('keynumidx');
      r.int(ks.keynum[0]);
      r.bulk('firstkey');
      r.int(ks.keynum[1]);
      r.bulk('keystep');
      r.int(ks.keynum[2]);
    } else {
      r.bulk('unknown');
      r.bulk('spec');
      r.map(0);
    }
  }
}

/**
 * Key specs of a command Redis does not have, synthesized from the legacy (first, last, step)
 * range: approximated from the command flags (RO for read-only commands, RW otherwise); commands
 * with movable keys report an "unknown" spec.
 */
function writeSynthesizedKeySpecs(r: ReplyWriter, spec: CommandSpec): void {
  const movable = spec.getKeys !== undefined;
  if (spec.firstKey <= 0 && !movable) {
    r.set(0);
    return;
  }
  const ro = spec.flags.includes('readonly') && !spec.flags.includes('write');
  const flags = ro ? ['RO', 'access'] : ['RW', 'update'];
  const specs: Array<'range' | 'unknown'> = [];
  if (spec.firstKey > 0) specs.push('range');
  if (movable) specs.push('unknown');
  r.set(specs.length);
  for (const kind of specs) {
    r.map(3);
    r.bulk('flags');
    const f = kind === 'unknown' ? [...flags, 'incomplete'] : flags;
    r.set(f.length);
    for (const x of f) r.simple(x);
    r.bulk('begin_search');
    r.map(2);
    r.bulk('type');
    if (kind === 'range') {
      r.bulk('index');
      r.bulk('spec');
      r.map(1);
      r.bulk('index');
      r.int(spec.firstKey);
    } else {
      r.bulk('unknown');
      r.bulk('spec');
      r.map(0);
    }
    r.bulk('find_keys');
    r.map(2);
    r.bulk('type');
    if (kind === 'range') {
      r.bulk('range');
      r.bulk('spec');
      r.map(3);
      r.bulk('lastkey');
      r.int(spec.lastKey >= 0 ? spec.lastKey - spec.firstKey : spec.lastKey);
      r.bulk('keystep');
      r.int(spec.step);
      r.bulk('limit');
      r.int(0);
    } else {
      r.bulk('unknown');
      r.bulk('spec');
      r.map(0);
    }
  }
}

function commandAll(c: CommandContext): void {
  const cmds = c.server.commands;
  c.reply.array(cmds.size);
  for (const spec of cmds.values()) c.reply.raw(commandInfoText(spec, c.resp));
}

function command(c: CommandContext, argv: string[]): void {
  // Reached with no subcommand only (the dispatcher routes COMMAND <sub> to the subcommand).
  if (argv.length > 1) return c.reply.error(E.unknownSubcommand(argv[1], 'command'));
  commandAll(c);
}

function commandCount(c: CommandContext): void {
  c.reply.int(c.server.commands.size);
}

function commandInfo(c: CommandContext, argv: string[]): void {
  if (argv.length === 2) return commandAll(c);
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupByFullName(c, argv[i]);
    if (spec === undefined) c.reply.nullBulk();
    else c.reply.raw(commandInfoText(spec, c.resp));
  }
}

/** Redis's group names, for commands declared without one. */
function groupOf(spec: CommandSpec): string {
  if (spec.group) return spec.group;
  if (spec.parent) return groupOf(spec.parent);
  const cats = spec.categories;
  for (const cat of ['string', 'list', 'hash', 'set', 'geo', 'stream', 'bitmap', 'hyperloglog', 'pubsub', 'scripting', 'connection']) {
    if (cats.includes(cat)) return cat;
  }
  if (cats.includes('sortedset')) return 'sorted-set';
  if (cats.includes('transaction')) return 'transactions';
  if (cats.includes('keyspace')) return 'generic';
  return 'server';
}

/**
 * A COMMAND DOCS value as docs-reference.ts holds it: a bulk string, an integer, an array, or a
 * tagged simple string, set or map (map: keys and values alternating).
 */
type DocNode = string | number | DocNode[] | { s: string } | { set: DocNode[] } | { map: DocNode[] };

let redisDocs: Map<string, DocNode[]> | null = null;

/** Redis 7.0's docs fields (subcommands left out) by full name, parsed at first use. */
function referenceDocs(): Map<string, DocNode[]> {
  if (redisDocs !== null) return redisDocs;
  redisDocs = new Map();
  // Replies hold latin1 strings (one char per byte): the JSON's UTF-8 text is re-read as bytes.
  const bytes = (_k: string, v: unknown): unknown => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('latin1') : v);
  for (const line of REDIS_COMMAND_DOCS.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    redisDocs.set(line.slice(0, sp), (JSON.parse(line.slice(sp + 1), bytes) as { map: DocNode[] }).map);
  }
  return redisDocs;
}

function writeDocNode(r: ReplyWriter, n: DocNode): void {
  if (typeof n === 'string') r.bulk(n);
  else if (typeof n === 'number') r.int(n);
  else if (Array.isArray(n)) {
    r.array(n.length);
    for (const e of n) writeDocNode(r, e);
  } else if ('s' in n) r.simple(n.s);
  else if ('set' in n) {
    r.set(n.set.length);
    for (const e of n.set) writeDocNode(r, e);
  } else {
    r.map(n.map.length / 2);
    for (const e of n.map) writeDocNode(r, e);
  }
}

/**
 * One command's docs map: Redis 7.0's own fields (summary, since, group, complexity, history,
 * arguments... — redis-cli builds HELP and its hints from them) when Redis has the command, else
 * the summary/since/group declared in the table; then Hoard's subcommands, each the same way.
 */
function writeCommandDocs(r: ReplyWriter, spec: CommandSpec): void {
  const subs = spec.subcommands ? [...spec.subcommands.values()] : [];
  const ref = referenceDocs().get(fullName(spec));
  if (ref !== undefined) {
    r.map(ref.length / 2 + (subs.length > 0 ? 1 : 0));
    for (const e of ref) writeDocNode(r, e);
  } else {
    r.map(subs.length > 0 ? 4 : 3);
    r.bulk('summary');
    r.bulk(spec.summary ?? '');
    r.bulk('since');
    r.bulk(spec.since ?? '');
    r.bulk('group');
    r.bulk(groupOf(spec));
  }
  if (subs.length > 0) {
    r.bulk('subcommands');
    r.map(subs.length);
    for (const s of subs) {
      r.bulk(fullName(s));
      writeCommandDocs(r, s);
    }
  }
}

function commandDocs(c: CommandContext, argv: string[]): void {
  const r = c.reply;
  if (argv.length === 2) {
    r.map(c.server.commands.size);
    for (const spec of c.server.commands.values()) {
      r.bulk(spec.name);
      writeCommandDocs(r, spec);
    }
    return;
  }
  const found: CommandSpec[] = [];
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupByFullName(c, argv[i]);
    if (spec !== undefined) found.push(spec);
  }
  r.map(found.length);
  for (const spec of found) {
    r.bulk(fullName(spec));
    writeCommandDocs(r, spec);
  }
}

function commandList(c: CommandContext, argv: string[]): void {
  let filter: ((spec: CommandSpec) => boolean) | null = null;
  if (argv.length === 5 && argv[2].toLowerCase() === 'filterby') {
    const kind = argv[3].toLowerCase();
    const arg = argv[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') {
      const cat = arg.toLowerCase();
      filter = (spec) => spec.categories.includes(cat);
    } else if (kind === 'pattern') filter = (spec) => stringMatch(arg, fullName(spec), true);
    else return c.reply.error(E.SYNTAX);
  } else if (argv.length !== 2) {
    return c.reply.error(E.SYNTAX);
  }
  const names: string[] = [];
  for (const spec of c.server.commands.values()) {
    if (filter === null || filter(spec)) names.push(spec.name);
    if (spec.subcommands) {
      for (const sub of spec.subcommands.values()) if (filter === null || filter(sub)) names.push(fullName(sub));
    }
  }
  c.reply.bulks(names);
}

function commandGetKeys(c: CommandContext, argv: string[]): void {
  getKeys(c, argv, false);
}

function commandGetKeysAndFlags(c: CommandContext, argv: string[]): void {
  getKeys(c, argv, true);
}

/** Redis's getKeysSubcommandImpl: GETKEYS, and GETKEYSANDFLAGS with each key's key-spec flags. */
function getKeys(c: CommandContext, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  let spec = c.server.commands.get(args[0].toLowerCase());
  if (spec !== undefined && spec.subcommands !== undefined && args.length >= 2) {
    spec = spec.subcommands.get(args[1].toLowerCase());
  }
  if (spec === undefined) return c.reply.error(E.GETKEYS_INVALID_COMMAND);
  // Redis's doesCommandHaveKeys: the key positions of the shard-channel commands (SPUBLISH,
  // SSUBSCRIBE, SUNSUBSCRIBE: pubsub-flagged, with a key range for cluster slot routing) are
  // NOT_KEY key specs, which GETKEYS does not count.
  const channelsOnly = spec.firstKey > 0 && (spec.bits & F.pubsub) !== 0;
  if ((spec.firstKey <= 0 || channelsOnly) && spec.getKeys === undefined) return c.reply.error(E.GETKEYS_NO_KEYS);
  if (!arityOk(spec, args.length)) return c.reply.error(E.GETKEYS_BAD_ARITY);
  const keys: Array<[number, readonly string[]]> = withFlags ? keysWithFlags(spec, args) : keyIndexes(spec, args).map((i) => [i, []]);
  if (keys.length === 0) {
    if (spec.flags.includes('no_mandatory_keys')) return c.reply.array(0);
    return c.reply.error(E.GETKEYS_BAD_ARGS);
  }
  const r = c.reply;
  r.array(keys.length);
  for (const [i, flags] of keys) {
    if (!withFlags) {
      r.bulk(args[i]);
      continue;
    }
    r.array(2);
    r.bulk(args[i]);
    r.set(flags.length);
    for (const f of flags) r.simple(f);
  }
}

function commandHelp(c: CommandContext): void {
  c.reply.help('COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

// ---- CONFIG ---------------------------------------------------------------------------------

function configGet(c: CommandContext, argv: string[]): void {
  const pairs = c.server.config.getMatching(argv.slice(2));
  c.reply.map(pairs.length);
  for (const [k, v] of pairs) {
    c.reply.bulk(k);
    c.reply.bulk(v);
  }
}

function configSet(c: CommandContext, argv: string[]): void {
  if (argv.length % 2 !== 0) return c.reply.error(E.SYNTAX);
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const err = c.server.config.set(pairs, { local: isLocalAddr(c.addr) });
  if (err) return c.reply.error(err);
  c.reply.ok();
}

function configResetStat(c: CommandContext): void {
  // Redis's resetServerStats + resetCommandTableStats + resetErrorTableStats: counters only;
  // the slow log and the latency monitor keep their entries.
  c.server.stats.reset();
  c.server.ks.stats.reset();
  c.reply.ok();
}

function configRewrite(c: CommandContext): void {
  const err = c.server.config.rewrite();
  if (err) return c.reply.error(err);
  c.reply.ok();
}

function configHelp(c: CommandContext): void {
  c.reply.help('CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

// ---- INFO -----------------------------------------------------------------------------------

function info(c: CommandContext, argv: string[]): void {
  const sections: string[] = [];
  for (let i = 1; i < argv.length; i++) sections.push(argv[i].toLowerCase());
  c.reply.verbatim(c.server.info(c, sections));
}

// ---- CLIENT ---------------------------------------------------------------------------------

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

/** Redis's getClientTypeByName ("slave" is the old name of "replica"). */
function clientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'master':
      return 'master';
    case 'replica':
    case 'slave':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    default:
      return null;
  }
}

/** Redis's getClientType, read from the CLIENT LIST flag letters the client reports. */
function clientType(cl: CommandContext): ClientType {
  const f = cl.flagString();
  if (f.includes('M')) return 'master';
  if (f.includes('S')) return 'replica';
  if (f.includes('P')) return 'pubsub';
  return 'normal';
}

/**
 * One CLIENT LIST line (Redis 7.0's catClientInfoString field order). Fields with no Hoard
 * counterpart (fixed reply buffer, list of reply blocks) read 0. `current` is the command
 * being run when `cl` is the caller itself.
 */
export function clientInfoLine(cl: CommandContext, now: number, current: { cmd: string; argvMem: number } | null): string {
  const omem = cl.outputBufferBytes;
  const qbuf = cl.queryBufferBytes;
  const argvMem = current ? current.argvMem : 0;
  return (
    `id=${cl.id} addr=${cl.addr} laddr=${cl.laddr} fd=${cl.fd} name=${cl.name}` +
    ` age=${Math.floor((now - cl.createdAt) / 1000)} idle=${Math.floor((now - cl.lastInteraction) / 1000)}` +
    ` flags=${cl.flagString()} db=${cl.dbIndex} sub=${cl.subscribedChannels} psub=${cl.subscribedPatterns} ssub=${cl.subscribedShardChannels} multi=${cl.multiQueued}` +
    ` qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=${omem}` +
    ` tot-mem=${qbuf + omem + argvMem} events=${omem > 0 ? 'rw' : 'r'} cmd=${current ? current.cmd : cl.lastCommand}` +
    ` user=${cl.user} redir=${redirOf(cl)} resp=${cl.resp}\n`
  );
}

/** CLIENT LIST redir= and CLIENT GETREDIR: the redirect id (0: none) while tracking, else -1. */
function redirOf(cl: CommandContext): number {
  const t = (cl as Client).tracking;
  return t === null || t === undefined ? -1 : t.redirectId;
}

function argvMem(argv: readonly string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

function clientList(c: CommandContext, argv: string[]): void {
  let type: ClientType | null = null;
  let ids: Set<number> | null = null;
  if (argv.length === 4 && argv[2].toLowerCase() === 'type') {
    type = clientTypeByName(argv[3]);
    if (type === null) return c.reply.error(E.unknownClientType(argv[3]));
  } else if (argv.length > 3 && argv[2].toLowerCase() === 'id') {
    ids = new Set();
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i]);
      if (id === null) return c.reply.error(E.INVALID_CLIENT_ID);
      if (typeof id === 'number') ids.add(id);
    }
  } else if (argv.length !== 2) {
    return c.reply.error(E.SYNTAX);
  }
  const now = Date.now();
  const self = { cmd: 'client|list', argvMem: argvMem(argv) };
  let out = '';
  if (ids !== null) {
    // Redis answers in the order the ids were given.
    const byId = new Map<number, CommandContext>();
    for (const cl of c.server.clients()) byId.set(cl.id, cl);
    for (let i = 3; i < argv.length; i++) {
      const cl = byId.get(Number(argv[i]));
      if (cl !== undefined) out += clientInfoLine(cl, now, cl === c ? self : null);
    }
  } else {
    for (const cl of c.server.clients()) {
      if (type !== null && clientType(cl) !== type) continue;
      out += clientInfoLine(cl, now, cl === c ? self : null);
    }
  }
  c.reply.verbatim(out);
}

function clientInfo(c: CommandContext, argv: string[]): void {
  c.reply.verbatim(clientInfoLine(c, Date.now(), { cmd: 'client|info', argvMem: argvMem(argv) }));
}

function clientId(c: CommandContext): void {
  c.reply.int(c.id);
}

function clientGetName(c: CommandContext): void {
  if (c.name === '') c.reply.nullBulk();
  else c.reply.bulk(c.name);
}

/** Redis's validateClientName: printable ASCII without spaces ('!'..'~'). */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

function clientSetName(c: CommandContext, argv: string[]): void {
  const name = argv[2];
  if (!validClientName(name)) return c.reply.error(E.CLIENT_NAME_INVALID);
  c.name = name;
  c.reply.ok();
}

function clientGetRedir(c: CommandContext): void {
  c.reply.int(redirOf(c));
}

/**
 * CLIENT TRACKING on|off [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]
 * (Redis networking.c): every option is parsed (and a REDIRECT target looked up) before on/off,
 * then the checks run in Redis's order; server/tracking.ts does the rest.
 */
function clientTracking(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const tracking = c.server.tracking;
  let redirect: Client | null = null;
  const opts: TrackingOptions = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = j < argv.length - 1;
    const opt = argv[j].toLowerCase();
    if (opt === 'redirect' && more) {
      j++;
      if (redirect !== null) return c.reply.error(TRACKING_ERRORS.REDIRECT_SINGLE);
      const id = parseInt64(argv[j]);
      if (id === null) return c.reply.error(E.NOT_INTEGER);
      for (const cl of c.server.clientSet) {
        if (cl.id === Number(id)) {
          redirect = cl;
          break;
        }
      }
      if (redirect === null) return c.reply.error(TRACKING_ERRORS.REDIRECT_MISSING);
    } else if (opt === 'bcast') {
      opts.bcast = true;
    } else if (opt === 'optin') {
      opts.optin = true;
    } else if (opt === 'optout') {
      opts.optout = true;
    } else if (opt === 'noloop') {
      opts.noloop = true;
    } else if (opt === 'prefix' && more) {
      prefixes.push(argv[++j]);
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }
  const mode = argv[2].toLowerCase();
  if (mode === 'off') {
    tracking.disable(c);
    return c.reply.ok();
  }
  if (mode !== 'on') return c.reply.error(E.SYNTAX);
  if (!opts.bcast && prefixes.length !== 0) return c.reply.error(TRACKING_ERRORS.PREFIX_NEEDS_BCAST);
  const t = c.tracking;
  if (t !== null && t.bcast !== opts.bcast) return c.reply.error(TRACKING_ERRORS.SWITCH_BCAST);
  if (opts.bcast && (opts.optin || opts.optout)) return c.reply.error(TRACKING_ERRORS.OPT_WITH_BCAST);
  if (opts.optin && opts.optout) return c.reply.error(TRACKING_ERRORS.OPTIN_AND_OPTOUT);
  if (t !== null && ((opts.optin && t.optout) || (opts.optout && t.optin))) return c.reply.error(TRACKING_ERRORS.SWITCH_OPT);
  if (opts.bcast) {
    const collision = tracking.prefixCollision(c, prefixes);
    if (collision !== null) return c.reply.error(collision);
  }
  tracking.enable(c, redirect, opts, prefixes);
  c.reply.ok();
}

/** CLIENT CACHING yes|no: whether the next command's keys are tracked, in OPTIN / OPTOUT mode. */
function clientCaching(ctx: CommandContext, argv: string[]): void {
  const c = ctx as Client;
  const t = c.tracking;
  if (t === null) return c.reply.error(TRACKING_ERRORS.CACHING_NOT_TRACKING);
  const v = argv[2].toLowerCase();
  if (v === 'yes') {
    if (!t.optin) return c.reply.error(TRACKING_ERRORS.CACHING_YES_NEEDS_OPTIN);
  } else if (v === 'no') {
    if (!t.optout) return c.reply.error(TRACKING_ERRORS.CACHING_NO_NEEDS_OPTOUT);
  } else {
    return c.reply.error(E.SYNTAX);
  }
  t.caching = true;
  c.reply.ok();
}

/** CLIENT TRACKINGINFO: flags (a set in RESP3), redirect, prefixes (sorted, as Redis's rax). */
function clientTrackingInfo(ctx: CommandContext): void {
  const c = ctx as Client;
  const t = c.tracking;
  const flags: string[] = [t !== null ? 'on' : 'off'];
  if (t !== null) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) {
      flags.push('optin');
      if (t.caching) flags.push('caching-yes');
    }
    if (t.optout) {
      flags.push('optout');
      if (t.caching) flags.push('caching-no');
    }
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedir) flags.push('broken_redirect');
  }
  const r = c.reply;
  r.map(3);
  r.bulk('flags');
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.int(redirOf(c));
  r.bulk('prefixes');
  const prefixes = t !== null && t.prefixes !== null ? [...t.prefixes].sort() : [];
  r.array(prefixes.length);
  for (const p of prefixes) r.bulk(p);
}

function clientReply(c: CommandContext, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode === 'on') {
    c.replyMode = 'on';
    c.reply.ok();
  } else if (mode === 'off') {
    c.replyMode = 'off';
  } else if (mode === 'skip') {
    if (c.replyMode !== 'off') c.replyMode = 'skip';
  } else {
    c.reply.error(E.SYNTAX);
  }
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client was blocked (BLPOP & co, WAIT) and is no longer. */
function clientUnblock(c: CommandContext, argv: string[]): void {
  if (argv.length > 4) return c.reply.error(E.subcommandSyntax(argv[1], 'client'));
  const id = parseInt64(argv[2]);
  if (id === null) return c.reply.error(E.NOT_INTEGER);
  let error = false;
  if (argv.length === 4) {
    const how = argv[3].toLowerCase();
    if (how === 'error') error = true;
    else if (how !== 'timeout') return c.reply.error(E.UNBLOCK_REASON);
  }
  for (const cl of c.server.clients()) {
    if (cl.id === Number(id)) return c.reply.int(c.server.blocking.unblock(cl, error) ? 1 : 0);
  }
  c.reply.int(0);
}

function clientNoEvict(c: CommandContext, argv: string[]): void {
  const v = argv[2].toLowerCase();
  if (v === 'on') c.noEvict = true;
  else if (v === 'off') c.noEvict = false;
  else return c.reply.error(E.SYNTAX);
  c.reply.ok();
}

function clientKill(c: CommandContext, argv: string[]): void {
  if (argv.length === 3) {
    // Old form: CLIENT KILL <ip:port>.
    for (const cl of c.server.clients()) {
      if (cl.addr !== argv[2]) continue;
      if (cl === c) c.closeAfterReply();
      else cl.kill();
      return c.reply.ok();
    }
    return c.reply.error(E.NO_SUCH_CLIENT);
  }
  let id: number | null = null;
  let type: ClientType | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipMe = true;
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return c.reply.error(E.SYNTAX);
    const opt = argv[i].toLowerCase();
    const val = argv[i + 1];
    if (opt === 'id') {
      const n = parseIndex(val);
      if (n === null || n <= 0) return c.reply.error(E.CLIENT_ID_POSITIVE);
      id = n;
    } else if (opt === 'type') {
      type = clientTypeByName(val);
      if (type === null) return c.reply.error(E.unknownClientType(val));
    } else if (opt === 'addr') {
      addr = val;
    } else if (opt === 'laddr') {
      laddr = val;
    } else if (opt === 'user') {
      if (!knownUser(c, val)) return c.reply.error(E.noSuchUser(val));
      user = val;
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v === 'yes') skipMe = true;
      else if (v === 'no') skipMe = false;
      else return c.reply.error(E.SYNTAX);
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }
  const victims: CommandContext[] = [];
  for (const cl of c.server.clients()) {
    if (id !== null && cl.id !== id) continue;
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (type !== null && clientType(cl) !== type) continue;
    if (user !== null && cl.user !== user) continue;
    if (cl === c && skipMe) continue;
    victims.push(cl);
  }
  // Killed after the walk: closing a client removes it from the set being iterated.
  for (const cl of victims) {
    if (cl === c) c.closeAfterReply();
    else cl.kill();
  }
  c.reply.int(victims.length);
}

/**
 * CLIENT PAUSE timeout [WRITE|ALL] (server/pause.ts). As Redis: the mode is checked before the
 * timeout, more than one option is a syntax error, and a timeout whose end passes LLONG_MAX ms
 * wraps into the past (no pause).
 */
function clientPause(c: CommandContext, argv: string[]): void {
  if (argv.length > 4) return c.reply.error(E.subcommandSyntax(argv[1], 'client'));
  let type: typeof PAUSE_WRITE | typeof PAUSE_ALL = PAUSE_ALL;
  if (argv.length === 4) {
    const mode = argv[3].toLowerCase();
    if (mode === 'write') type = PAUSE_WRITE;
    else if (mode !== 'all') return c.reply.error(E.PAUSE_MODE);
  }
  const ms = parseInt64(argv[2]);
  if (ms === null) return c.reply.error(E.TIMEOUT_NOT_INTEGER);
  if (ms < 0) return c.reply.error(E.TIMEOUT_NEGATIVE);
  const now = Date.now();
  let end = 0;
  if (ms > 0 && BigInt(ms) + BigInt(now) <= 9223372036854775807n) end = now + Number(ms);
  c.server.clientPause.pause(end, type);
  c.reply.ok();
}

function clientUnpause(c: CommandContext): void {
  c.server.clientPause.unpause();
  c.reply.ok();
}

/** CLIENT KILL USER: an ACL user (server/acl.ts). */
function knownUser(c: CommandContext, name: string): boolean {
  return aclOf((c as Client).server).users.has(name);
}

function clientHelp(c: CommandContext): void {
  c.reply.help('CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);
}

// ---- TIME, LASTSAVE, LOLWUT ---------------------------------------------------------------

function time(c: CommandContext): void {
  // The keyspace clock (ms): tests that drive expiry with a manual clock see a consistent TIME.
  const ms = c.server.ks.clock.now();
  const sec = Math.floor(ms / 1000);
  c.reply.array(2);
  c.reply.bulk(String(sec));
  c.reply.bulk(String(Math.floor((ms - sec * 1000) * 1000)));
}

function lastsave(c: CommandContext): void {
  c.reply.int(c.server.lastSaveTime());
}

function lolwut(c: CommandContext): void {
  // Redis 7.0 has no art for its own version: "LOLWUT" is the version line only.
  c.reply.verbatim(`Redis ver. ${VERSION}\n`);
}

// ---- DEBUG ----------------------------------------------------------------------------------

/** A cell to Atomics.wait on: blocking the event loop is what DEBUG SLEEP is for. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function isLocalAddr(addr: string): boolean {
  return addr.startsWith('127.') || addr.startsWith('::1:') || addr.startsWith('::ffff:127.') || addr.startsWith('/');
}

/** Redis's strtod-ish: a leading number, 0 when there is none ("DEBUG SLEEP abc" sleeps 0 s). */
function leadingFloat(s: string): number {
  const v = parseFloat(s);
  return Number.isFinite(v) ? v : 0;
}

function debug(c: CommandContext, argv: string[]): void {
  const mode = c.server.config.str('enable-debug-command');
  if (mode !== 'yes' && !(mode === 'local' && isLocalAddr(c.addr))) return c.reply.error(E.DEBUG_NOT_ALLOWED);
  const sub = argv[1].toLowerCase();
  if (sub === 'sleep' && argv.length === 3) {
    const ms = leadingFloat(argv[2]) * 1000;
    if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
    return c.reply.ok();
  }
  if (sub === 'error' && argv.length === 3) return c.reply.error(argv[2]);
  if (sub === 'help' && argv.length === 2) {
    return c.reply.help('DEBUG', [
      'ERROR <string>',
      '    Return a Redis protocol error with <string> as message. Useful for clients',
      '    unit tests to simulate Redis errors.',
      'SLEEP <seconds>',
      '    Stop the server for <seconds>. Decimals allowed.',
    ]);
  }
  c.reply.error(E.subcommandSyntax(argv[1], 'debug'));
}

// ---- MODULE ---------------------------------------------------------------------------------

// Hoard loads no modules. MODULE LIST answers as a redis-server without any does (an empty list:
// clients and tools call it to probe for modules, node-redis as moduleList()); LOAD, LOADEX and
// UNLOAD fail as they do there: refused by enable-module-command, else a load that failed or an
// unload of a module that is not loaded.

function moduleList(c: CommandContext): void {
  c.reply.array(0);
}

function moduleLoadOrUnload(c: CommandContext, argv: string[]): void {
  const mode = c.server.config.str('enable-module-command');
  if (mode !== 'yes' && !(mode === 'local' && isLocalAddr(c.addr))) return c.reply.error(E.MODULE_NOT_ALLOWED);
  c.reply.error(argv[1].toLowerCase() === 'unload' ? E.MODULE_UNLOAD_NOT_LOADED : E.MODULE_LOAD_FAILED);
}

function moduleHelp(c: CommandContext): void {
  c.reply.help('MODULE', [
    'LIST',
    '    Return a list of loaded modules.',
    'LOAD <path> [<arg> ...]',
    '    Load a module library from <path>, passing to it any optional arguments.',
    'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
    '    Load a module library from <path>, while passing it module configurations and optional arguments.',
    'UNLOAD <name>',
    '    Unload a module.',
  ]);
}

// ---- SHUTDOWN -------------------------------------------------------------------------------

function shutdown(c: CommandContext, argv: string[]): void {
  let nosave = false;
  let save = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const o = argv[i].toLowerCase();
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'now') now = true;
    else if (o === 'force') force = true;
    else if (o === 'abort') abort = true;
    else return c.reply.error(E.SYNTAX);
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) return c.reply.error(E.SYNTAX);
  const mode = nosave ? 'nosave' : save ? 'save' : 'default';
  const err = c.server.shutdown(c, mode, { now, force, abort });
  if (err !== null) return c.reply.error(err);
  // A successful SHUTDOWN closes the connection without a reply; ABORT answers OK.
  if (abort) c.reply.ok();
}

// ---- LATENCY --------------------------------------------------------------------------------

function latencyLatest(c: CommandContext): void {
  const r = c.reply;
  const events = c.server.latency.events;
  r.array(events.size);
  for (const [name, ev] of events) {
    const last = ev.samples[ev.samples.length - 1] ?? [0, 0];
    r.array(4);
    r.bulk(name);
    r.int(last[0]);
    r.int(last[1]);
    r.int(ev.max);
  }
}

/**
 * LATENCY HISTOGRAM [command ...] (Redis latencySpecificCommandsFillCDF): per command with
 * latency data, its calls and cumulative distribution (util/latency-histogram.ts); a container
 * name stands for all its subcommands, unknown names are skipped; no name: every command.
 */
function latencyHistogram(c: CommandContext, argv: string[]): void {
  const stats = c.server.stats.commandStats;
  const picked: Array<[string, LatencyHistogram]> = [];
  const pick = (name: string): void => {
    const h = stats.get(name)?.hist;
    if (h != null && h.total > 0) picked.push([name, h]);
  };
  if (argv.length === 2) {
    for (const name of stats.keys()) pick(name);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const name = argv[i].toLowerCase();
      pick(name);
      if (name.includes('|')) continue;
      for (const sub of stats.keys()) if (sub.startsWith(name + '|')) pick(sub);
    }
  }
  const r = c.reply;
  r.map(picked.length);
  for (const [name, h] of picked) {
    r.bulk(name);
    r.map(2);
    r.bulk('calls');
    r.int(h.total);
    r.bulk('histogram_usec');
    const cdf = h.cumulative();
    r.map(cdf.length);
    for (const [usec, count] of cdf) {
      r.int(usec);
      r.int(count);
    }
  }
}

function latencyHistory(c: CommandContext, argv: string[]): void {
  const ev = c.server.latency.events.get(argv[2]);
  const samples = ev ? ev.samples : [];
  c.reply.array(samples.length);
  for (const [t, ms] of samples) {
    c.reply.array(2);
    c.reply.int(t);
    c.reply.int(ms);
  }
}

/** Width of LATENCY GRAPH's rule and of each band of its sparkline (Redis's LATENCY_GRAPH_COLS). */
const LATENCY_GRAPH_COLS = 80;

/**
 * LATENCY GRAPH <event> (Redis's latencyCommandGenSparkeline): a header with the samples' high
 * and low and the all-time high, a rule, then the samples oldest first as a 4-row filled ASCII
 * sparkline, each labelled vertically with its age (s, m, h, d).
 */
function latencyGraph(c: CommandContext, argv: string[]): void {
  // Event names are matched exactly, as Redis's latency dict does ('COMMAND' has no samples).
  const ev = c.server.latency.events.get(argv[2]);
  if (ev === undefined || ev.samples.length === 0) return c.reply.error(`ERR No samples available for event '${argv[2]}'`);
  const nowSec = Math.floor(Date.now() / 1000);
  const values = ev.samples.map(([, ms]) => ms);
  const labels = ev.samples.map(([t]) => {
    const age = Math.max(0, nowSec - t);
    return age < 60 ? `${age}s` : age < 3600 ? `${Math.floor(age / 60)}m` : age < 86400 ? `${Math.floor(age / 3600)}h` : `${Math.floor(age / 86400)}d`;
  });
  // At most 160 samples: spreading them is fine.
  const head = `${argv[2]} - high ${Math.max(...values)} ms, low ${Math.min(...values)} ms (all time high ${ev.max} ms)\n${'-'.repeat(LATENCY_GRAPH_COLS)}\n`;
  c.reply.verbatim(head + sparkline(values, labels, LATENCY_GRAPH_COLS, 4));
}

/**
 * Redis's sparklineRender with SPARKLINE_FILL (sparkline.c): bands of at most `columns` samples,
 * each `rows` rows high at 3 levels a row ("_o#", "|" below the top of a column), then after one
 * blank row the labels written downwards, one character a row.
 */
function sparkline(values: number[], labels: string[], columns: number, rows: number): string {
  let min = values[0];
  let max = values[0];
  for (const v of values) {
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const relmax = max - min === 0 ? 1 : max - min;
  const steps = 3 * rows;
  let out = '';
  for (let off = 0; off < values.length; off += columns) {
    if (off !== 0) out += '\n';
    const len = Math.min(columns, values.length - off);
    for (let row = 0; ; row++) {
      let more = false;
      const chars: string[] = new Array<string>(len).fill(' ');
      if (row < rows) {
        for (let j = 0; j < len; j++) {
          const step = Math.min(steps - 1, Math.max(0, Math.trunc(((values[off + j] - min) * steps) / relmax)));
          const idx = step - (rows - row - 1) * 3;
          more = true;
          if (idx >= 0 && idx < 3) chars[j] = '_o#'[idx];
          else if (idx >= 3) chars[j] = '|';
        }
      } else if (row === rows) {
        more = true; // the blank row between the graph and its labels
      } else {
        const at = row - rows - 1;
        for (let j = 0; j < len; j++) {
          const label = labels[off + j];
          if (label.length > at) {
            more = true;
            chars[j] = label[at];
          }
        }
      }
      if (!more) break;
      out += chars.join('') + '\n';
    }
  }
  return out;
}

function latencyReset(c: CommandContext, argv: string[]): void {
  c.reply.int(c.server.latency.reset(argv.slice(2)));
}

function latencyDoctor(c: CommandContext): void {
  const events = c.server.latency.events;
  const threshold = c.server.config.num('latency-monitor-threshold');
  let report: string;
  if (events.size === 0 && threshold === 0) {
    report =
      'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n';
  } else if (events.size === 0) {
    report =
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  } else {
    report = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const nowSec = Math.floor(Date.now() / 1000);
    let n = 0;
    let commands = false;
    for (const [name, ev] of events) {
      n++;
      const s = ev.samples;
      let sum = 0;
      let oldest = nowSec;
      for (const [t, ms] of s) {
        sum += ms;
        if (t < oldest) oldest = t;
      }
      const avg = s.length ? Math.floor(sum / s.length) : 0;
      let mad = 0;
      for (const [, ms] of s) mad += Math.abs(avg - ms);
      mad = s.length ? Math.floor(mad / s.length) : 0;
      const period = Math.max(1, nowSec - oldest);
      report += `${n}. ${name}: ${s.length} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${(period / Math.max(1, s.length)).toFixed(2)} sec). Worst all time event ${ev.max}ms.\n`;
      if (name === 'command') commands = true;
    }
    if (commands) {
      report +=
        '\nI have a few advices for you:\n\n' +
        "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n" +
        '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
    } else {
      report +=
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
    }
  }
  c.reply.verbatim(report);
}

function latencyHelp(c: CommandContext): void {
  c.reply.help('LATENCY', [
    'DOCTOR',
    '    Return a human readable latency analysis report.',
    'GRAPH <event>',
    '    Return an ASCII latency graph for the <event> class.',
    'HISTORY <event>',
    '    Return time-latency samples for the <event> class.',
    'LATEST',
    '    Return the latest latency samples for all events.',
    'RESET [<event> ...]',
    '    Reset latency data of one or more <event> classes.',
    '    (default: reset all data for all event classes)',
    'HISTOGRAM [COMMAND ...]',
    '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
    '    If no commands are specified then all histograms are replied.',
  ]);
}

// ---- SLOWLOG --------------------------------------------------------------------------------

function slowlogGet(c: CommandContext, argv: string[]): void {
  if (argv.length > 3) return c.reply.error(E.subcommandSyntax(argv[1], 'slowlog'));
  const entries = c.server.slowlog.entries;
  let count = 10;
  if (argv.length === 3) {
    const n = parseIndex(argv[2]);
    if (n === null || n < -1) return c.reply.error(E.SLOWLOG_COUNT);
    count = n === -1 ? entries.length : n;
  }
  const n = Math.min(count, entries.length);
  const r = c.reply;
  r.array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    r.array(6);
    r.int(e.id);
    r.int(e.time);
    r.int(e.durationUs);
    r.bulks(e.argv);
    r.bulk(e.addr);
    r.bulk(e.name);
  }
}

function slowlogLen(c: CommandContext): void {
  c.reply.int(c.server.slowlog.entries.length);
}

function slowlogReset(c: CommandContext): void {
  c.server.slowlog.reset();
  c.reply.ok();
}

function slowlogHelp(c: CommandContext): void {
  c.reply.help('SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

// ---- MEMORY ---------------------------------------------------------------------------------

const MB = 1024 * 1024;

function memoryUsage(c: CommandContext, argv: string[]): void {
  let samples: number | undefined;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return c.reply.error(E.NOT_INTEGER);
      if (n < 0) return c.reply.error(E.SYNTAX);
      samples = Number(n);
      j++;
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }
  // Redis's dbFind: no lazy expiry, no LRU touch, no hit/miss stats.
  const e = c.db.dict.get(argv[2]);
  if (e === undefined) return c.reply.nullBulk();
  // The bytes used_memory counts for this key (keyspace/memory.ts); SAMPLES re-estimates a
  // collection's elements from that many of them (0: all) instead of the accounted sample.
  c.reply.int(c.server.ks.memory.keyUsage(c.db, e, samples));
}

/** MEMORY STATS / DOCTOR figures (Redis's getMemoryOverheadData), from the keyspace's accounting. */
function memoryOverheadData(c: CommandContext) {
  const mem = c.server.ks.memory;
  mem.flushPending();
  const used = mem.usedMemory();
  const peak = Math.max(mem.peak, used);
  const startup = USED_MEMORY_STARTUP;
  const overhead = startup + mem.overheadBytes();
  const net = Math.max(0, used - startup);
  const dataset = Math.max(0, used - overhead);
  let clientsMem = 0;
  let clients = 0;
  for (const cl of c.server.clients()) {
    clientsMem += cl.queryBufferBytes + cl.outputBufferBytes;
    clients++;
  }
  const mu = process.memoryUsage();
  const allocated = mu.heapUsed + mu.external;
  const active = mu.heapTotal + mu.external;
  return { used, peak, startup, overhead, net, dataset, clientsMem, clients, mu, allocated, active };
}

function memoryStats(c: CommandContext): void {
  const m = memoryOverheadData(c);
  const keys = c.server.ks.totalKeys();
  // [name, value, kind]: 'i' integer, 'd' double, a Db for the per-db overhead map.
  const fields: Array<[string, number, 'i' | 'd'] | [string, Db]> = [
    ['peak.allocated', m.peak, 'i'],
    ['total.allocated', m.used, 'i'],
    ['startup.allocated', m.startup, 'i'],
    ['replication.backlog', 0, 'i'],
    ['clients.slaves', 0, 'i'],
    ['clients.normal', m.clientsMem, 'i'],
    ['cluster.links', 0, 'i'],
    ['aof.buffer', 0, 'i'],
    ['lua.caches', 0, 'i'],
    ['functions.caches', 0, 'i'],
  ];
  for (const d of c.server.ks.dbs) if (d.size > 0) fields.push([`db.${d.index}`, d]);
  fields.push(
    ['overhead.total', m.overhead, 'i'],
    ['keys.count', keys, 'i'],
    ['keys.bytes-per-key', keys ? Math.floor(m.net / keys) : 0, 'i'],
    ['dataset.bytes', m.dataset, 'i'],
    ['dataset.percentage', m.net ? (m.dataset * 100) / m.net : 0, 'd'],
    ['peak.percentage', m.peak ? (m.used * 100) / m.peak : 0, 'd'],
    ['allocator.allocated', m.allocated, 'i'],
    ['allocator.active', m.active, 'i'],
    ['allocator.resident', m.mu.rss, 'i'],
    ['allocator-fragmentation.ratio', m.active / Math.max(1, m.allocated), 'd'],
    ['allocator-fragmentation.bytes', m.active - m.allocated, 'i'],
    ['allocator-rss.ratio', m.mu.rss / Math.max(1, m.active), 'd'],
    ['allocator-rss.bytes', m.mu.rss - m.active, 'i'],
    ['rss-overhead.ratio', 1, 'd'],
    ['rss-overhead.bytes', 0, 'i'],
    ['fragmentation', m.mu.rss / Math.max(1, m.used), 'd'],
    ['fragmentation.bytes', m.mu.rss - m.used, 'i'],
  );
  const r = c.reply;
  r.map(fields.length);
  for (const f of fields) {
    r.bulk(f[0]);
    if (f.length === 2) {
      const o = c.server.ks.memory.dbOverhead(f[1]);
      // Redis 7.0 lists the cluster slot-to-keys overhead too, 0 outside cluster mode.
      r.map(3);
      r.bulk('overhead.hashtable.main');
      r.int(o.main);
      r.bulk('overhead.hashtable.expires');
      r.int(o.expires);
      r.bulk('overhead.hashtable.slot-to-keys');
      r.int(0);
    } else if (f[2] === 'i') r.int(Math.round(f[1]));
    else r.double(String(f[1]));
  }
}

/**
 * Redis's getMemoryDoctorReport over the same figures. The RSS threshold is V8's, not
 * jemalloc's: a garbage-collected heap normally runs with RSS 1.3-1.6x its live objects.
 */
function memoryDoctor(c: CommandContext): void {
  const m = memoryOverheadData(c);
  const reports: string[] = [];
  if (m.net < 5 * MB) {
    return c.reply.verbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n",
    );
  }
  if (m.peak / m.used > 1.5) {
    reports.push(
      ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The V8 heap is normally not returned to the system at once after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Hoard process Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the instance with more data.\n\n',
    );
  }
  const rss = m.mu.rss;
  if (rss / m.used > 2 && rss - m.used > 10 * MB) {
    reports.push(
      ` * High total RSS: This instance has a Resident Set Size more than twice the memory it accounts for its data (used_memory). This is usually due either to a large peak memory (check if there is a peak memory entry above in the report), to garbage the V8 collector has not reclaimed yet, or to memory outside the keyspace (client buffers, persistence). Note: The currently used allocator is "v8".\n\n`,
    );
  }
  if (m.clients > 0 && m.clientsMem / m.clients > 200 * 1024) {
    reports.push(
      ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n',
    );
  }
  if (reports.length === 0) {
    return c.reply.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
  }
  c.reply.verbatim("Sam, I detected a few issues in this Redis instance memory implants:\n\n" + reports.join('') + "I'm here to keep you safe, Sam. I want to help you.\n");
}

function memoryMallocStats(c: CommandContext): void {
  c.reply.verbatim('Stats not supported for the current allocator');
}

function memoryPurge(c: CommandContext): void {
  c.reply.ok();
}

function memoryHelp(c: CommandContext): void {
  c.reply.help('MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

// ---- the table ------------------------------------------------------------------------------

const ND = 'nondeterministic_output';
const NDO = 'nondeterministic_output_order';
const ADMIN = 'admin noscript loading stale';

function doc(summary: string, since: string, group = 'server') {
  return { summary, since, group };
}

export const serverCommands: CommandSpec[] = [
  def('command', -1, 'loading stale', [0, 0, 0], '@connection', command, {
    ...doc('Get array of Redis command details', '2.8.13'),
    tips: [NDO],
    subcommands: [
      def('docs', -2, 'loading stale', [0, 0, 0], '@connection', commandDocs, { ...doc('Get array of specific Redis command documentation', '7.0.0'), tips: [NDO] }),
      def('help', 2, 'loading stale', [0, 0, 0], '@connection', commandHelp, doc('Show helpful text about the different subcommands', '5.0.0')),
      def('info', -2, 'loading stale', [0, 0, 0], '@connection', commandInfo, { ...doc('Get array of specific Redis command details, or all when no argument is given.', '2.8.13'), tips: [NDO] }),
      def('list', -2, 'loading stale', [0, 0, 0], '@connection', commandList, { ...doc('Get an array of Redis command names', '7.0.0'), tips: [NDO] }),
      def('getkeys', -4, 'loading stale', [0, 0, 0], '@connection', commandGetKeys, doc('Extract keys given a full Redis command', '2.8.13')),
      def(
        'getkeysandflags',
        -4,
        'loading stale',
        [0, 0, 0],
        '@connection',
        commandGetKeysAndFlags,
        doc('Extract keys and access flags given a full Redis command', '7.0.0'),
      ),
      def('count', 2, 'loading stale', [0, 0, 0], '@connection', commandCount, doc('Get total number of Redis commands', '2.8.13')),
    ],
  }),
  def('config', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for server configuration commands', '2.0.0'),
    subcommands: [
      def('help', 2, 'loading stale', [0, 0, 0], '', configHelp, doc('Show helpful text about the different subcommands', '5.0.0')),
      def('get', -3, ADMIN, [0, 0, 0], '', configGet, doc('Get the values of configuration parameters', '2.0.0')),
      def('resetstat', 2, ADMIN, [0, 0, 0], '', configResetStat, doc('Reset the stats returned by INFO', '2.0.0')),
      def('rewrite', 2, ADMIN, [0, 0, 0], '', configRewrite, doc('Rewrite the configuration file with the in memory configuration', '2.8.0')),
      def('set', -4, ADMIN, [0, 0, 0], '', configSet, { ...doc('Set configuration parameters to the given values', '2.0.0'), tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
    ],
  }),
  def('info', -1, 'loading stale', [0, 0, 0], '@dangerous', info, { ...doc('Get information and statistics about the server', '1.0.0'), tips: [ND, 'request_policy:all_shards', 'response_policy:special'] }),
  def('client', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for client connection commands', '2.4.0', 'connection'),
    subcommands: [
      def('help', 2, 'loading stale', [0, 0, 0], '@connection', clientHelp, doc('Show helpful text about the different subcommands', '5.0.0', 'connection')),
      def('info', 2, 'noscript loading stale', [0, 0, 0], '@connection', clientInfo, { ...doc('Returns information about the current client connection.', '6.2.0', 'connection'), tips: [ND] }),
      def('id', 2, 'noscript loading stale', [0, 0, 0], '@connection', clientId, doc('Returns the client ID for the current connection', '5.0.0', 'connection')),
      def('getredir', 2, 'noscript loading stale', [0, 0, 0], '@connection', clientGetRedir, doc('Get tracking notifications redirection client ID if any', '6.0.0', 'connection')),
      def('getname', 2, 'noscript loading stale', [0, 0, 0], '@connection', clientGetName, doc('Get the current connection name', '2.6.9', 'connection')),
      def('kill', -3, ADMIN, [0, 0, 0], '@connection', clientKill, doc('Kill the connection of a client', '2.4.0', 'connection')),
      def('unblock', -3, ADMIN, [0, 0, 0], '@connection', clientUnblock, doc('Unblock a client blocked in a blocking command from a different connection', '5.0.0', 'connection')),
      def('no-evict', 3, ADMIN, [0, 0, 0], '@connection', clientNoEvict, doc('Set client eviction mode for the current connection', '7.0.0', 'connection')),
      def('list', -2, ADMIN, [0, 0, 0], '@connection', clientList, { ...doc('Get the list of client connections', '2.4.0', 'connection'), tips: [ND] }),
      def('setname', 3, 'noscript loading stale', [0, 0, 0], '@connection', clientSetName, doc('Set the current connection name', '2.6.9', 'connection')),
      def('reply', 3, 'noscript loading stale', [0, 0, 0], '@connection', clientReply, doc('Instruct the server whether to reply to commands', '3.2.0', 'connection')),
      def('pause', -3, ADMIN, [0, 0, 0], '@connection', clientPause, doc('Stop processing commands from clients for some time', '2.9.50', 'connection')),
      def('unpause', 2, ADMIN, [0, 0, 0], '@connection', clientUnpause, doc('Resume processing of clients that were paused', '6.2.0', 'connection')),
      def('tracking', -3, 'noscript loading stale', [0, 0, 0], '@connection', clientTracking, doc('Enable or disable server assisted client side caching support', '6.0.0', 'connection')),
      def('caching', 3, 'noscript loading stale', [0, 0, 0], '@connection', clientCaching, doc('Instruct the server about tracking or not keys in the next request', '6.0.0', 'connection')),
      def(
        'trackinginfo',
        2,
        'noscript loading stale',
        [0, 0, 0],
        '@connection',
        clientTrackingInfo,
        doc('Return information about server assisted client side caching for the current connection', '6.2.0', 'connection'),
      ),
    ],
  }),
  def('time', 1, 'loading stale fast', [0, 0, 0], '', time, { ...doc('Return the current server time', '2.6.0'), tips: [ND] }),
  def('lastsave', 1, 'loading stale fast', [0, 0, 0], '@admin @dangerous', lastsave, { ...doc('Get the UNIX time stamp of the last successful save to disk', '1.0.0'), tips: [ND] }),
  def('debug', -2, ADMIN, [0, 0, 0], '', debug, doc('A container for debugging commands', '1.0.0')),
  def('shutdown', -1, 'admin noscript loading stale no_multi allow_busy', [0, 0, 0], '', shutdown, doc('Synchronously save the dataset to disk and then shut down the server', '1.0.0')),
  def('latency', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for latency diagnostics commands', '2.8.13'),
    subcommands: [
      def('help', 2, 'loading stale', [0, 0, 0], '', latencyHelp, doc('Show helpful text about the different subcommands.', '2.8.13')),
      def('graph', 3, ADMIN, [0, 0, 0], '', latencyGraph, { ...doc('Return a latency graph for the event.', '2.8.13'), tips: [ND, 'request_policy:all_nodes', 'response_policy:special'] }),
      def('history', 3, ADMIN, [0, 0, 0], '', latencyHistory, { ...doc('Return timestamp-latency samples for the event.', '2.8.13'), tips: [ND, 'request_policy:all_nodes', 'response_policy:special'] }),
      def('latest', 2, ADMIN, [0, 0, 0], '', latencyLatest, { ...doc('Return the latest latency samples for all events.', '2.8.13'), tips: [ND, 'request_policy:all_nodes', 'response_policy:special'] }),
      def('doctor', 2, ADMIN, [0, 0, 0], '', latencyDoctor, { ...doc('Return a human readable latency analysis report.', '2.8.13'), tips: [ND, 'request_policy:all_nodes', 'response_policy:special'] }),
      def('histogram', -2, ADMIN, [0, 0, 0], '', latencyHistogram, { ...doc('Return the cumulative distribution of latencies of a subset of commands or all.', '7.0.0'), tips: [ND, 'request_policy:all_nodes', 'response_policy:special'] }),
      def('reset', -2, ADMIN, [0, 0, 0], '', latencyReset, { ...doc('Reset latency data for one or more events.', '2.8.13'), tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
    ],
  }),
  def('slowlog', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for slow log commands', '2.2.12'),
    subcommands: [
      def('help', 2, 'loading stale', [0, 0, 0], '', slowlogHelp, doc('Show helpful text about the different subcommands', '6.2.0')),
      def('get', -2, 'admin loading stale', [0, 0, 0], '', slowlogGet, { ...doc("Get the slow log's entries", '2.2.12'), tips: ['request_policy:all_nodes', ND] }),
      def('reset', 2, 'admin loading stale', [0, 0, 0], '', slowlogReset, { ...doc('Clear all entries from the slow log', '2.2.12'), tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
      def('len', 2, 'admin loading stale', [0, 0, 0], '', slowlogLen, { ...doc("Get the slow log's length", '2.2.12'), tips: ['request_policy:all_nodes', 'response_policy:agg_sum', ND] }),
    ],
  }),
  def('module', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for module commands', '4.0.0'),
    subcommands: [
      def('help', 2, 'loading stale', [0, 0, 0], '', moduleHelp, doc('Show helpful text about the different subcommands', '5.0.0')),
      def('list', 2, 'admin noscript', [0, 0, 0], '', moduleList, { ...doc('List all modules loaded by the server', '4.0.0'), tips: [NDO] }),
      def('load', -3, 'admin noscript no_async_loading', [0, 0, 0], '', moduleLoadOrUnload, doc('Load a module', '4.0.0')),
      def('loadex', -3, 'admin noscript no_async_loading', [0, 0, 0], '', moduleLoadOrUnload, doc('Load a module with extended parameters', '7.0.0')),
      def('unload', 3, 'admin noscript no_async_loading', [0, 0, 0], '', moduleLoadOrUnload, doc('Unload a module', '4.0.0')),
    ],
  }),
  def('memory', -2, '', [0, 0, 0], '', containerOnly, {
    ...doc('A container for memory diagnostics commands', '4.0.0'),
    subcommands: [
      def('malloc-stats', 2, '', [0, 0, 0], '', memoryMallocStats, { ...doc('Show allocator internal stats', '4.0.0'), tips: [ND, 'request_policy:all_shards', 'response_policy:special'] }),
      def('help', 2, 'loading stale', [0, 0, 0], '', memoryHelp, doc('Show helpful text about the different subcommands', '4.0.0')),
      def('usage', -3, 'readonly', [2, 2, 1], '', memoryUsage, doc('Estimate the memory usage of a key', '4.0.0')),
      def('stats', 2, '', [0, 0, 0], '', memoryStats, { ...doc('Show memory usage details', '4.0.0'), tips: [ND, 'request_policy:all_shards', 'response_policy:special'] }),
      def('doctor', 2, '', [0, 0, 0], '', memoryDoctor, { ...doc('Outputs memory problems report', '4.0.0'), tips: [ND, 'request_policy:all_shards', 'response_policy:special'] }),
      def('purge', 2, '', [0, 0, 0], '', memoryPurge, { ...doc('Ask the allocator to release memory', '4.0.0'), tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] }),
    ],
  }),
  def('lolwut', -1, 'readonly fast', [0, 0, 0], '', lolwut, doc('Display some computer art and the Redis version', '5.0.0')),
];
