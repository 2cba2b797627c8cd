// ACL users and their enforcement (Redis 7.0 acl.c): users with passwords, on/off, command
// permissions over a bitmap of every command and subcommand Redis 7.0 knows, key patterns
// (~, %R~, %W~), pub/sub channel patterns (&), selectors, the ACL LOG, AUTH against users,
// `requirepass` as the default user's password, and the protected-mode decision.
//
// Invariants:
//  - A client always points at a live AclUser object (`client.aclUser`); ACL SETUSER changes
//    users in place (validated on a copy first, all or nothing), so every connection sees new
//    rules at its next command; ACL DELUSER moves the user's clients to `default`, not
//    authenticated, and closes them.
//  - The dispatcher's cost for a user that may run anything on any key and channel (the default
//    user) is one boolean read: `aclUser.unrestricted`. Everything else here is off that path.
//  - Rule strings (ACL LIST, ACL GETUSER) are computed from the bitmap exactly as Redis's
//    ACLDescribeSelectorCommandRules does, over Redis 7.0's command table (acl-reference.ts)
//    joined with Hoard's: the `+@category` part is byte-identical to redis-server 7.0's; the
//    single-command corrections after it are the same set, in table order (Redis emits them
//    in its dict's order, which is seeded at random per process).

import crypto from 'node:crypto';
import { keyIndexes, fullName } from '../commands/table.js';
import { F, type CommandSpec } from '../commands/types.js';
import { clientInfoLine } from '../commands/server-admin.js';
import { splitArgs } from '../config.js';
import { compileMatcher, stringMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import { REDIS_ACL_COMMANDS, REDIS_KEY_SPEC_NOTES } from './acl-reference.js';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { PerServer } from './per-server.js';

// ---- categories and the command universe ---------------------------------------------------

/** Redis's ACLCommandCategories, in its order (ACL CAT lists them so; ACL LIST tries them so). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
] as const;

function categoryBit(name: string): number {
  const i = ACL_CATEGORIES.indexOf(name.toLowerCase() as (typeof ACL_CATEGORIES)[number]);
  return i < 0 ? 0 : 1 << i;
}

function categoryMask(names: readonly string[]): number {
  let m = 0;
  for (const n of names) m |= categoryBit(n);
  return m;
}

const PERM_R = 1;
const PERM_W = 2;
const PERM_ALL = 3;

/** Channel arguments a command carries (Redis ACLDoesCommandHaveChannels). */
const CH_NONE = 0;
const CH_FIRST = 1; // PUBLISH, SPUBLISH: argv[1], matched against the user's patterns
const CH_ALL = 2; // SUBSCRIBE, SSUBSCRIBE: argv[1..], matched
const CH_ALL_LITERAL = 3; // PSUBSCRIBE: argv[1..], compared literally with the user's patterns
const CHANNEL_COMMANDS: Record<string, number> = {
  publish: CH_FIRST,
  spublish: CH_FIRST,
  subscribe: CH_ALL,
  ssubscribe: CH_ALL,
  psubscribe: CH_ALL_LITERAL,
};

/** One entry of the ACL command table: a command or a subcommand, with its bit number. */
export interface AclCommand {
  readonly id: number;
  readonly name: string;
  readonly fullname: string;
  cats: number;
  readonly parent: AclCommand | null;
  subs: AclCommand[] | null;
  subByName: Map<string, AclCommand> | null;
  /** Hoard's implementation, or null for a command only Redis has (yet). */
  spec: CommandSpec | null;
  /** Redis's key specs (acl-reference.ts), or null for a command Redis does not have. */
  keySpecs: KeySpec[] | null;
  channels: number;
}

/** One Redis key spec: where a command's keys are and the permission they need. */
export interface KeySpec {
  /** Redis's flags as COMMAND INFO lists them (RW, access, update, not_key, ...). */
  flags: readonly string[];
  /** Redis's note on the spec (COMMAND INFO shows it), or null. */
  notes: string | null;
  perm: number;
  notKey: boolean;
  incomplete: boolean;
  variableFlags: boolean;
  /** Begin search: an argv index, or a keyword searched from `startfrom`; null: unknown. */
  index: number;
  keyword: string | null;
  startfrom: number;
  /** Find keys: a range (lastkey, step, limit) or a key count (keynumidx, firstkey, step); null: unknown. */
  range: [lastkey: number, step: number, limit: number] | null;
  keynum: [keynumidx: number, firstkey: number, step: number] | null;
  /** The begin search, the find keys, or both are of the "unknown" type. */
  unknown: boolean;
  /** The begin search is (COMMAND INFO writes it; an unknown find keys is range and keynum null). */
  bsUnknown: boolean;
}

interface RefEntry {
  cats: number;
  keySpecs: KeySpec[];
}

function parseKeySpec(token: string, command: string, i: number): KeySpec {
  const bad = (): never => {
    throw Object.assign(new Error(`acl-reference: bad key spec ${token} of ${command}`), { code: 'ACL_TABLE_INVALID' });
  };
  const [flagList, bs, fk] = token.split('.');
  if (fk === undefined) bad();
  const flags = flagList.split('+');
  // Redis's ACLSelectorCheckKey: ACCESS needs read; INSERT, DELETE or UPDATE need write.
  const read = flags.includes('access');
  const write = flags.includes('insert') || flags.includes('delete') || flags.includes('update');
  const ks: KeySpec = {
    flags,
    notes: REDIS_KEY_SPEC_NOTES[`${command} ${i}`] ?? null,
    perm: (read ? PERM_R : 0) | (write ? PERM_W : 0),
    notKey: flags.includes('not_key'),
    incomplete: flags.includes('incomplete'),
    variableFlags: flags.includes('variable_flags'),
    index: -1,
    keyword: null,
    startfrom: 0,
    range: null,
    keynum: null,
    unknown: bs === 'u' || fk === 'u',
    bsUnknown: bs === 'u',
  };
  if (bs[0] === 'i') ks.index = Number(bs.slice(1));
  else if (bs[0] === 'k') {
    const colon = bs.indexOf(':');
    ks.startfrom = Number(bs.slice(1, colon));
    ks.keyword = bs.slice(colon + 1);
  } else if (bs !== 'u') bad();
  const nums = fk.slice(1).split(':').map(Number) as [number, number, number];
  if (fk[0] === 'r') ks.range = nums;
  else if (fk[0] === 'n') ks.keynum = nums;
  else if (fk !== 'u') bad();
  return ks;
}

let reference: Map<string, RefEntry> | null = null;

function referenceTable(): Map<string, RefEntry> {
  if (reference !== null) return reference;
  reference = new Map();
  for (const line of REDIS_ACL_COMMANDS.split('\n')) {
    if (line === '') continue;
    const [name, cats, keys] = line.split(' ');
    const keySpecs = keys === '-' ? [] : keys.split(',').map((k, i) => parseKeySpec(k, name, i));
    reference.set(name, { cats: cats === '-' ? 0 : categoryMask(cats.split(',')), keySpecs });
  }
  return reference;
}

/** Redis 7.0's key specs of a command ("get", "object|encoding"), or null if Redis lacks it. */
export function redisKeySpecs(fullname: string): readonly KeySpec[] | null {
  return referenceTable().get(fullname)?.keySpecs ?? null;
}

/** The commands ACL rules range over: Redis 7.0's table joined with Hoard's, sorted by name. */
class CommandUniverse {
  readonly top: AclCommand[] = [];
  readonly byId: AclCommand[] = [];
  readonly bySpec = new Map<CommandSpec, AclCommand>();
  private readonly byName = new Map<string, AclCommand>();

  constructor(commands: Map<string, CommandSpec>) {
    const ref = referenceTable();
    // name -> { ref?, spec?, subs: name -> { ref?, spec? } }
    type Node = { ref?: RefEntry; spec?: CommandSpec; subs: Map<string, { ref?: RefEntry; spec?: CommandSpec }> };
    const nodes = new Map<string, Node>();
    const node = (name: string): Node => {
      let n = nodes.get(name);
      if (n === undefined) nodes.set(name, (n = { subs: new Map() }));
      return n;
    };
    for (const [full, r] of ref) {
      const bar = full.indexOf('|');
      if (bar < 0) node(full).ref = r;
      else {
        const n = node(full.slice(0, bar));
        const sub = full.slice(bar + 1);
        n.subs.set(sub, { ...n.subs.get(sub), ref: r });
      }
    }
    for (const [name, spec] of commands) {
      const n = node(name);
      n.spec = spec;
      if (spec.subcommands) for (const [sname, s] of spec.subcommands) n.subs.set(sname, { ...n.subs.get(sname), spec: s });
    }
    const make = (name: string, fullname: string, parent: AclCommand | null, ref?: RefEntry, spec?: CommandSpec): AclCommand => {
      const cmd: AclCommand = {
        id: this.byId.length,
        name,
        fullname,
        cats: spec ? categoryMask(spec.categories) : (ref?.cats ?? 0),
        parent,
        subs: null,
        subByName: null,
        spec: spec ?? null,
        keySpecs: ref?.keySpecs ?? null,
        channels: parent === null ? (CHANNEL_COMMANDS[name] ?? CH_NONE) : CH_NONE,
      };
      this.byId.push(cmd);
      if (spec) this.bySpec.set(spec, cmd);
      return cmd;
    };
    for (const name of [...nodes.keys()].sort()) {
      const n = nodes.get(name) as Node;
      const cmd = make(name, name, null, n.ref, n.spec);
      this.top.push(cmd);
      this.byName.set(name, cmd);
      if (n.subs.size > 0) {
        cmd.subs = [];
        cmd.subByName = new Map();
        for (const sname of [...n.subs.keys()].sort()) {
          const s = n.subs.get(sname) as { ref?: RefEntry; spec?: CommandSpec };
          const sub = make(sname, `${name}|${sname}`, cmd, s.ref, s.spec);
          cmd.subs.push(sub);
          cmd.subByName.set(sname, sub);
        }
      }
    }
  }

  get size(): number {
    return this.byId.length;
  }

  /** Redis's ACLLookupCommand (lookupCommandBySdsLogic, strict): "get" or "config|get". */
  lookup(name: string): AclCommand | null {
    const parts = name.split('|');
    if (parts.length > 2) return null;
    const base = this.byName.get(parts[0].toLowerCase());
    if (base === undefined) return null;
    if (parts.length === 1) return base;
    if (base.subByName === null) return null;
    return base.subByName.get(parts[1].toLowerCase()) ?? null;
  }
}

// ---- selectors and users --------------------------------------------------------------------

interface KeyPattern {
  pattern: string;
  flags: number;
  /** The pattern compiled once (a prefix pattern is a startsWith); the bare `*` keeps the raw matcher's answer for "". */
  match: (key: string) => boolean;
}

function keyMatcher(pattern: string): (key: string) => boolean {
  return pattern === '*' ? (key) => stringMatch(pattern, key) : compileMatcher(pattern);
}

/** ACLSetUser's errno values, as the text ACLSetUserStringError gives them. */
const ERR = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
} as const;

/** isspace() or NUL anywhere (Redis ACLStringHasSpaces). */
function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 32 || (ch >= 9 && ch <= 13) || ch === 0) return true;
  }
  return false;
}

/** A set of permissions: the root one of a user, or one of its "(...)" selectors. */
export class AclSelector {
  allKeys = false;
  allChannels: boolean;
  allCommands = false;
  /** Redis's reserved "future commands" bit: set by +@all, cleared by -@all only. */
  future = false;
  allowed: Uint8Array;
  /** Allowed first arguments of otherwise denied commands (+select|0), by command id. */
  firstArgs: Map<number, string[]> | null = null;
  keyPatterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(
    readonly universe: CommandUniverse,
    readonly root: boolean,
    allChannels: boolean,
  ) {
    this.allowed = new Uint8Array(universe.size);
    this.allChannels = allChannels;
  }

  copy(): AclSelector {
    const s = new AclSelector(this.universe, this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.future = this.future;
    s.allowed.set(this.allowed);
    if (this.firstArgs !== null) s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, v.slice()]));
    s.keyPatterns = this.keyPatterns.map((p) => ({ ...p }));
    s.channels = this.channels.slice();
    return s;
  }

  private setBit(id: number, on: boolean): void {
    this.allowed[id] = on ? 1 : 0;
    if (!on) this.allCommands = false;
  }

  /** Redis ACLChangeSelectorPerm: a container's subcommands follow it. */
  changePerm(cmd: AclCommand, allow: boolean): void {
    this.setBit(cmd.id, allow);
    this.firstArgs?.delete(cmd.id);
    if (cmd.subs !== null) for (const s of cmd.subs) this.setBit(s.id, allow);
  }

  private setCategory(list: readonly AclCommand[], cflag: number, allow: boolean): void {
    for (const cmd of list) {
      if ((cmd.cats & cflag) !== 0) this.changePerm(cmd, allow);
      if (cmd.subs !== null) this.setCategory(cmd.subs, cflag, allow);
    }
  }

  countCategory(cflag: number): [on: number, off: number] {
    let on = 0;
    let off = 0;
    for (const cmd of this.universe.byId) {
      if ((cmd.cats & cflag) === 0) continue;
      if (this.allowed[cmd.id] !== 0) on++;
      else off++;
    }
    return [on, off];
  }

  private allowFirstArg(id: number, arg: string): void {
    if (this.firstArgs === null) this.firstArgs = new Map();
    let list = this.firstArgs.get(id);
    if (list === undefined) this.firstArgs.set(id, (list = []));
    const lower = arg.toLowerCase();
    if (!list.some((a) => a.toLowerCase() === lower)) list.push(arg);
  }

  /** Redis ACLSetSelector. Returns null, or the error text. */
  apply(op: string): string | null {
    const lop = op.toLowerCase();
    if (lop === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.keyPatterns = [];
    } else if (lop === 'resetkeys') {
      this.allKeys = false;
      this.keyPatterns = [];
    } else if (lop === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lop === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lop === 'allcommands' || lop === '+@all') {
      this.allowed.fill(1);
      this.future = true;
      this.allCommands = true;
      this.firstArgs = null;
    } else if (lop === 'nocommands' || lop === '-@all') {
      this.allowed.fill(0);
      this.future = false;
      this.allCommands = false;
      this.firstArgs = null;
    } else if (op[0] === '~' || op[0] === '%') {
      if (this.allKeys) return ERR.EEXIST;
      let flags = 0;
      let offset = 1;
      if (op[0] === '%') {
        for (; offset < op.length; offset++) {
          const ch = op[offset];
          if ((ch === 'R' || ch === 'r') && (flags & PERM_R) === 0) flags |= PERM_R;
          else if ((ch === 'W' || ch === 'w') && (flags & PERM_W) === 0) flags |= PERM_W;
          else if (ch === '~') {
            offset++;
            break;
          } else return ERR.EINVAL;
        }
        // Redis would store a pattern with no permission and later panic describing it.
        if (flags === 0) return ERR.EINVAL;
      } else {
        flags = PERM_ALL;
      }
      const pattern = op.slice(offset);
      if (hasSpaces(pattern)) return ERR.EINVAL;
      const existing = this.keyPatterns.find((p) => p.pattern === pattern);
      if (existing === undefined) this.keyPatterns.push({ pattern, flags, match: keyMatcher(pattern) });
      else existing.flags |= flags;
      this.allKeys = false;
    } else if (op[0] === '&') {
      if (this.allChannels) return ERR.EISDIR;
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) return ERR.EINVAL;
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      const bar = op.lastIndexOf('|');
      if (bar < 0) {
        const cmd = this.universe.lookup(op.slice(1));
        if (cmd === null) return ERR.ENOENT;
        this.changePerm(cmd, true);
      } else {
        const cmd = this.universe.lookup(op.slice(1, bar));
        if (cmd === null) return ERR.ENOENT;
        if (cmd.parent !== null) return ERR.ECHILD;
        const sub = op.slice(bar + 1);
        if (sub.length === 0) return ERR.EINVAL;
        if (cmd.subs !== null) {
          const subcmd = this.universe.lookup(op.slice(1));
          if (subcmd === null) return ERR.ENOENT;
          this.changePerm(subcmd, true);
        } else {
          // +select|0: a first argument of an otherwise blocked command (deprecated in Redis).
          this.allowFirstArg(cmd.id, sub);
        }
      }
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = this.universe.lookup(op.slice(1));
      if (cmd === null) return ERR.ENOENT;
      this.changePerm(cmd, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const cflag = categoryBit(op.slice(2));
      if (cflag === 0) return ERR.ENOENT;
      this.setCategory(this.universe.top, cflag, op[0] === '+');
    } else {
      return ERR.EINVAL;
    }
    return null;
  }

  /** Redis ACLDescribeSelectorCommandRules: "+@all"/"-@all", best-fit categories, then commands. */
  describeCommands(): string {
    const additive = !this.future;
    let rules = additive ? '-@all ' : '+@all ';
    const fake = new AclSelector(this.universe, false, false);
    fake.apply(additive ? '-@all' : '+@all');
    // The temp selector tracks what the categories chosen so far do not explain yet.
    const temp = new AclSelector(this.universe, false, false);
    temp.allowed.set(this.allowed);
    const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
    for (;;) {
      let best = -1;
      let mindiff = 2147483647;
      let maxsame = 0;
      for (let j = 0; j < ACL_CATEGORIES.length; j++) {
        if (applied[j]) continue;
        const [on, off] = temp.countCategory(1 << j);
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
          best = j;
          mindiff = diff;
          maxsame = same;
        }
      }
      if (best === -1) break;
      const name = ACL_CATEGORIES[best];
      fake.apply((additive ? '+@' : '-@') + name);
      temp.apply((additive ? '-@' : '+@') + name);
      rules += (additive ? '+@' : '-@') + name + ' ';
      applied[best] = true;
    }
    rules = this.describeSingleCommands(fake, rules, this.universe.top);
    return rules.slice(0, -1);
  }

  private describeSingleCommands(fake: AclSelector, rules: string, list: readonly AclCommand[]): string {
    for (const cmd of list) {
      const userbit = this.allowed[cmd.id] !== 0;
      const fakebit = fake.allowed[cmd.id] !== 0;
      if (userbit !== fakebit) {
        rules += (userbit ? '+' : '-') + cmd.fullname + ' ';
        fake.changePerm(cmd, userbit);
      }
      if (cmd.subs !== null) rules = this.describeSingleCommands(fake, rules, cmd.subs);
      const fa = this.firstArgs?.get(cmd.id);
      if (!userbit && fa !== undefined) for (const a of fa) rules += `+${cmd.fullname}|${a} `;
    }
    return rules;
  }

  describeKeys(sep: string): string {
    if (this.allKeys) return '~*';
    return this.keyPatterns.map((p) => (p.flags === PERM_ALL ? '~' : p.flags === PERM_R ? '%R~' : '%W~') + p.pattern).join(sep);
  }

  /** Redis ACLDescribeSelector (ACL LIST form). */
  describe(): string {
    let res = '';
    if (this.allKeys) res += '~* ';
    else for (const p of this.keyPatterns) res += (p.flags === PERM_ALL ? '~' : p.flags === PERM_R ? '%R~' : '%W~') + p.pattern + ' ';
    if (this.allChannels) res += '&* ';
    else {
      res += 'resetchannels ';
      for (const ch of this.channels) res += '&' + ch + ' ';
    }
    return res + this.describeCommands();
  }

  // -- checks (Redis ACLSelectorCheckCmd) --

  checkKey(key: string, needs: number): boolean {
    if (this.allKeys) return true;
    const pats = this.keyPatterns;
    for (let i = 0; i < pats.length; i++) {
      if ((pats[i].flags & needs) !== needs) continue;
      if (pats[i].match(key)) return true;
    }
    return false;
  }

  checkChannel(channel: string, literal: boolean): boolean {
    if (this.allChannels) return true;
    for (const p of this.channels) if (literal ? p === channel : stringMatch(p, channel)) return true;
    return false;
  }
}

export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

/** What a selector check found: OK (reason 0) or the first refused argument. */
interface CheckResult {
  reason: number;
  /** argv index of the refused key or channel. */
  idx: number;
}

/** A key argument and the permission it needs (Redis's keyReference with its spec's flags). */
type KeyRef = [pos: number, perm: number];

/**
 * The keys of a command invocation as Redis's ACL finds them (getKeysFromCommandWithSpecs with
 * GET_KEYSPEC_DEFAULT): from the key specs, skipping NOT_KEY ones (shard channels); an invalid
 * spec (a bad numkeys, too few arguments) means no keys at all — the command then answers its
 * own error, as Redis's fallback getkeys procs do. VARIABLE_FLAGS commands (SET, BITFIELD) get
 * their flags from the arguments. A command Redis does not have, or one whose specs Redis
 * completes with a getkeys proc (INCOMPLETE / unknown), uses Hoard's key positions, every key
 * needing read and write.
 */
function commandKeys(cmd: AclCommand, argv: readonly string[]): KeyRef[] {
  const specs = cmd.keySpecs;
  const spec = cmd.spec as CommandSpec;
  if (specs === null || specs.some((k) => k.incomplete || k.unknown)) return hoardKeys(spec, argv);
  if (specs.length === 1 && specs[0].variableFlags) {
    if (argv.length < 2) return [];
    if (cmd.fullname === 'set') return [[1, setNeeds(argv)]];
    if (cmd.fullname === 'bitfield') return [[1, bitfieldReadonly(argv) ? PERM_R : PERM_ALL]];
  }
  const found = specKeys(specs, argv);
  return found === null ? [] : found.map(([pos, ks]): KeyRef => [pos, ks.perm]);
}

/**
 * Redis's getKeysUsingKeySpecs: the key positions the specs find in an invocation, each with the
 * spec that found it (NOT_KEY specs skipped; a keyword not found gives nothing); null when a
 * spec does not fit the arguments (Redis's invalid_spec).
 */
function specKeys(specs: readonly KeySpec[], argv: readonly string[]): Array<[number, KeySpec]> | null {
  const argc = argv.length;
  const out: Array<[number, KeySpec]> = [];
  for (const ks of specs) {
    if (ks.notKey) continue;
    let first = 0;
    if (ks.keyword === null) first = ks.index;
    else {
      const start = ks.startfrom > 0 ? ks.startfrom : argc + ks.startfrom;
      const end = ks.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === ks.keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword not found: no keys from this spec
    }
    let last: number;
    let step: number;
    if (ks.range !== null) {
      const [lastkey, keystep, limit] = ks.range;
      step = keystep;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else {
      const [keynumidx, firstkey, keystep] = ks.keynum as [number, number, number];
      step = keystep;
      if (first + keynumidx >= argc) return null;
      const n = parseInt64(argv[first + keynumidx]);
      if (n === null || n < 0) return null;
      first += firstkey;
      last = first + Number(n) - 1;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push([i, ks]);
  }
  return out;
}

/**
 * COMMAND GETKEYSANDFLAGS: an invocation's keys with Redis's key-spec flags, as Redis's
 * getKeysFromCommandWithSpecs finds them: by the key specs, unless one is incomplete or unknown
 * or its flags vary with the arguments, where Redis asks the command's getkeys proc (SORT and
 * SORT_RO: the sorted key read, the STORE key overwritten; SET: read too with GET; BITFIELD:
 * read-only with GET and OVERFLOW only). No keys when the arguments do not fit the specs.
 */
export function keysWithFlags(spec: CommandSpec, argv: readonly string[]): Array<[number, readonly string[]]> {
  const name = fullName(spec);
  const specs = redisKeySpecs(name);
  if (specs === null) {
    // A command Redis does not have: Hoard's key positions, flags from the command's flags.
    const ro = (spec.bits & F.readonly) !== 0 && (spec.bits & F.write) === 0;
    return keyIndexes(spec, argv).map((pos) => [pos, ro ? ['RO', 'access'] : ['RW', 'update']]);
  }
  if (name === 'set') return [[1, setNeeds(argv) === PERM_ALL ? ['RW', 'access', 'update'] : ['OW', 'update']]];
  if (name === 'bitfield') return [[1, bitfieldReadonly(argv) ? ['RO', 'access'] : ['RW', 'access', 'update']]];
  // Redis's migrateGetKeys: every key it finds is RW access delete.
  if (name === 'migrate') return keyIndexes(spec, argv).map((pos) => [pos, ['RW', 'access', 'delete']]);
  if (specs.some((k) => k.incomplete || k.unknown)) {
    // Redis's sortGetKeys / sortROGetKeys (the only others Hoard has).
    return keyIndexes(spec, argv).map((pos) => [pos, pos === 1 ? ['RO', 'access'] : ['OW', 'update']]);
  }
  return (specKeys(specs, argv) ?? []).map(([pos, ks]) => [pos, ks.flags]);
}

function hoardKeys(spec: CommandSpec, argv: readonly string[]): KeyRef[] {
  if (spec.getKeys === undefined && spec.firstKey <= 0) return [];
  try {
    return keyIndexes(spec, argv)
      .filter((pos) => pos < argv.length)
      .map((pos): KeyRef => [pos, PERM_ALL]);
  } catch {
    return []; // arguments that do not parse: the handler answers the error
  }
}

/** Redis setGetKeys: SET ... GET reads the key too. */
function setNeeds(argv: readonly string[]): number {
  for (let i = 3; i < argv.length; i++) if (argv[i].length === 3 && argv[i].toLowerCase() === 'get') return PERM_ALL;
  return PERM_W;
}

/** Redis bitfieldGetKeys: only GET (and OVERFLOW) subcommands make it read-only. */
function bitfieldReadonly(argv: readonly string[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const a = argv[i].toLowerCase();
    if (a === 'get' && rem >= 2) i += 2;
    else if ((a === 'set' || a === 'incrby') && rem >= 3) return false;
    else if (a === 'overflow' && rem >= 1) i += 1;
    else return false;
  }
  return true;
}

function checkSelector(s: AclSelector, cmd: AclCommand, argv: readonly string[], keys: () => KeyRef[]): CheckResult {
  if (!s.allCommands && (cmd.spec === null || (cmd.spec.bits & F.no_auth) === 0) && s.allowed[cmd.id] === 0) {
    const fa = s.firstArgs?.get(cmd.id);
    const idx = cmd.parent !== null ? 2 : 1;
    if (fa === undefined || argv.length < 2 || idx >= argv.length) return { reason: DENIED_CMD, idx: 0 };
    const arg = argv[idx].toLowerCase();
    if (!fa.some((a) => a.toLowerCase() === arg)) return { reason: DENIED_CMD, idx: 0 };
  }
  if (!s.allKeys && cmd.spec !== null) {
    for (const [pos, needs] of keys()) if (!s.checkKey(argv[pos], needs)) return { reason: DENIED_KEY, idx: pos };
  }
  if (!s.allChannels && cmd.channels !== CH_NONE) {
    const literal = cmd.channels === CH_ALL_LITERAL;
    const end = cmd.channels === CH_FIRST ? Math.min(2, argv.length) : argv.length;
    for (let j = 1; j < end; j++) if (!s.checkChannel(argv[j], literal)) return { reason: DENIED_CHANNEL, idx: j };
  }
  return { reason: 0, idx: 0 };
}

/** Sanitize-payload flags (RESTORE): accepted and shown, with nothing to sanitize in Hoard. */
type Sanitize = '' | 'skip-sanitize-payload' | 'sanitize-payload';

export class AclUser {
  enabled = false;
  nopass = false;
  sanitize: Sanitize = '';
  /** SHA-256 hex digests, in the order they were added. */
  passwords: string[] = [];
  /** The root selector first, then the "(...)" ones. */
  selectors: AclSelector[];
  /**
   * The dispatcher's fast path: some selector allows every command, key and channel, so no
   * command of this user needs checking. Kept current by AclStore after every change.
   */
  unrestricted = false;

  constructor(
    readonly name: string,
    universe: CommandUniverse,
    allChannels: boolean,
  ) {
    this.selectors = [new AclSelector(universe, true, allChannels)];
  }

  get root(): AclSelector {
    return this.selectors[0];
  }

  /** Copies another user's rules into this one (Redis ACLCopyUser), keeping the name. */
  copyFrom(src: AclUser): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.passwords = src.passwords.slice();
    this.selectors = src.selectors.map((s) => s.copy());
    this.refresh();
  }

  refresh(): void {
    this.unrestricted = this.selectors.some((s) => s.allCommands && s.allKeys && s.allChannels);
  }

  flagNames(): string[] {
    const f: string[] = [this.enabled ? 'on' : 'off'];
    if (this.nopass) f.push('nopass');
    if (this.sanitize !== '') f.push(this.sanitize);
    return f;
  }

  /** Redis ACLDescribeUser: the rules after "user <name> " in ACL LIST. */
  describe(): string {
    let res = '';
    for (const f of this.flagNames()) res += f + ' ';
    for (const p of this.passwords) res += '#' + p + ' ';
    for (const s of this.selectors) res += s.root ? s.describe() : ` (${s.describe()})`;
    return res;
  }

  /** Checks a password against the user (time-independent comparison of the digests). */
  checkPassword(password: string): boolean {
    if (this.nopass) return true;
    const hashed = Buffer.from(hashPassword(password), 'latin1');
    let ok = false;
    for (const p of this.passwords) if (crypto.timingSafeEqual(hashed, Buffer.from(p, 'latin1'))) ok = true;
    return ok;
  }

  /** Redis ACLCheckAllUserCommandPerm: OK if any selector allows; else the most relevant refusal. */
  check(cmd: AclCommand, argv: readonly string[]): CheckResult {
    let keyCache: KeyRef[] | null = null;
    const keys = (): KeyRef[] => (keyCache ??= commandKeys(cmd, argv));
    let relevant = DENIED_CMD;
    let lastIdx = 0;
    for (const s of this.selectors) {
      const r = checkSelector(s, cmd, argv, keys);
      if (r.reason === 0) return r;
      if (r.reason > relevant || (r.reason === relevant && r.idx > lastIdx)) {
        relevant = r.reason;
        lastIdx = r.idx;
      }
    }
    return { reason: relevant, idx: lastIdx };
  }

  channelAllowed(channel: string, literal: boolean): boolean {
    for (const s of this.selectors) if (s.checkChannel(channel, literal)) return true;
    return false;
  }
}

export function hashPassword(password: string): string {
  return crypto.createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

// ---- the ACL LOG ------------------------------------------------------------------------------

export interface AclLogEntry {
  count: number;
  reason: 'command' | 'key' | 'channel' | 'auth';
  context: 'toplevel' | 'multi' | 'lua' | 'module';
  object: string;
  username: string;
  /** ms since the epoch of the last occurrence. */
  ctime: number;
  clientInfo: string;
}

const LOG_GROUPING_MAX_TIME_DELTA = 60000;
const REASONS = ['', 'command', 'key', 'auth', 'channel'] as const;

// ---- the store --------------------------------------------------------------------------------

/** A server's users and ACL log (Redis's Users rax, DefaultUser and ACLLog). */
export class AclStore {
  readonly universe: CommandUniverse;
  readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  /** Newest first. */
  readonly log: AclLogEntry[] = [];

  constructor(readonly server: Server) {
    this.universe = new CommandUniverse(server.commands);
    this.defaultUser = this.createUser('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) this.setUser(this.defaultUser, op);
    const pass = server.config.str('requirepass');
    if (pass !== '') this.updateDefaultUserPassword(pass);
    this.defaultUser.refresh();
    // Redis 7: requirepass is the default user's password (ACLUpdateDefaultUserPassword).
    server.config.onChange('requirepass', () => {
      this.updateDefaultUserPassword(server.config.str('requirepass'));
    });
  }

  private pubsubDefaultAll(): boolean {
    return this.server.config.str('acl-pubsub-default') === 'allchannels';
  }

  /** A new user in Redis's initial state: off, no password, no commands, no keys. */
  newUser(name: string): AclUser {
    return new AclUser(name, this.universe, this.pubsubDefaultAll());
  }

  createUser(name: string): AclUser {
    const u = this.newUser(name);
    this.users.set(name, u);
    return u;
  }

  updateDefaultUserPassword(password: string): void {
    this.setUser(this.defaultUser, 'resetpass');
    this.setUser(this.defaultUser, password === '' ? 'nopass' : '>' + password);
    this.defaultUser.refresh();
  }

  /** Redis ACLSetUser: one rule. Returns null or the error text. The caller refreshes `u`. */
  setUser(u: AclUser, op: string): string | null {
    if (op.length === 0) return null;
    const lop = op.toLowerCase();
    if (lop === 'on') u.enabled = true;
    else if (lop === 'off') u.enabled = false;
    else if (lop === 'skip-sanitize-payload') u.sanitize = 'skip-sanitize-payload';
    else if (lop === 'sanitize-payload') u.sanitize = 'sanitize-payload';
    else if (lop === 'nopass') {
      u.nopass = true;
      u.passwords = [];
    } else if (lop === 'resetpass') {
      u.nopass = false;
      u.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let h: string;
      if (op[0] === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) return ERR.EBADMSG;
      }
      if (!u.passwords.includes(h)) u.passwords.push(h);
      u.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let h: string;
      if (op[0] === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) return ERR.EBADMSG;
      }
      const i = u.passwords.indexOf(h);
      if (i < 0) return ERR.ENODEV;
      u.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new AclSelector(this.universe, false, this.pubsubDefaultAll());
      for (const inner of splitArgs(op.slice(1, -1)) ?? []) {
        const err = s.apply(inner);
        if (err !== null) return err;
      }
      u.selectors.push(s);
    } else if (lop === 'clearselectors') {
      u.selectors.length = 1;
    } else if (lop === 'reset') {
      for (const r of ['resetpass', 'resetkeys', 'resetchannels']) this.setUser(u, r);
      if (this.pubsubDefaultAll()) this.setUser(u, 'allchannels');
      for (const r of ['off', 'sanitize-payload', 'clearselectors', '-@all']) this.setUser(u, r);
    } else {
      return u.root.apply(op);
    }
    return null;
  }

  /** Users in Redis's order (its rax: by name, bytewise). */
  sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Redis addACLLogEntry: groups a repeat of a recent entry (same reason, context, object, user). */
  addLogEntry(c: Client, reason: number, object: string, username: string, cmd: string, argv: readonly string[], inMulti = c.multi !== null): void {
    const now = Date.now();
    let argvMem = 0;
    for (const a of argv) argvMem += a.length;
    const entry: AclLogEntry = {
      count: 1,
      reason: REASONS[reason] as AclLogEntry['reason'],
      context: inMulti ? 'multi' : 'toplevel',
      object,
      username,
      ctime: now,
      clientInfo: clientInfoLine(c, now, { cmd, argvMem }).slice(0, -1), // without CLIENT LIST's newline
    };
    const log = this.log;
    for (let i = 0; i < log.length && i < 10; i++) {
      const e = log[i];
      if (
        e.reason === entry.reason &&
        e.context === entry.context &&
        Math.abs(e.ctime - entry.ctime) <= LOG_GROUPING_MAX_TIME_DELTA &&
        e.object === entry.object &&
        e.username === entry.username
      ) {
        log.splice(i, 1);
        log.unshift(e);
        e.clientInfo = entry.clientInfo;
        e.ctime = entry.ctime;
        e.count++;
        return;
      }
    }
    log.unshift(entry);
    const max = this.server.config.num('acllog-max-len');
    if (log.length > max) log.length = max;
  }

  /**
   * ACL DELUSER's side effect (Redis ACLFreeUserAndKillClients): clients of the user go back to
   * the default user, unauthenticated, and are closed; the one running the command is closed
   * once its reply is written.
   */
  dropUserClients(u: AclUser, current: Client | null): void {
    for (const cl of this.server.clientSet) {
      if (cl.aclUser !== u) continue;
      cl.aclUser = this.defaultUser;
      cl.user = 'default';
      cl.authenticated = false;
      if (cl === current) cl.closeAfterReply();
      else cl.kill();
    }
  }

  /**
   * Redis ACLKillPubsubClientsIfNeeded: after a SETUSER, closes the user's subscribers whose
   * channels or patterns the new rules no longer allow (`current`, a RESP3 subscriber running the
   * SETUSER itself, once its reply is written).
   */
  killPubsubClientsIfNeeded(updated: AclUser, original: AclUser, current: Client | null): void {
    if (updated.selectors.some((s) => s.allChannels)) return;
    const upcoming: string[] = [];
    for (const s of updated.selectors) upcoming.push(...s.channels);
    let superset = true;
    for (const s of original.selectors) for (const ch of s.channels) if (!upcoming.includes(ch)) superset = false;
    if (superset && !original.selectors.some((s) => s.allChannels)) return;
    const allowed = (name: string, literal: boolean): boolean => upcoming.some((p) => (literal ? p === name : stringMatch(p, name)));
    for (const cl of [...this.server.clientSet]) {
      if (cl.aclUser !== original || cl.pubsub === null) continue;
      const ps = cl.pubsub;
      let kill = false;
      for (const p of ps.patterns) if (!allowed(p, true)) kill = true;
      for (const ch of ps.channels) if (!allowed(ch, false)) kill = true;
      for (const ch of ps.shardChannels) if (!allowed(ch, false)) kill = true;
      if (!kill) continue;
      if (cl === current) cl.closeAfterReply();
      else cl.kill();
    }
  }
}

const stores = new PerServer((server) => new AclStore(server));

/** The server's ACL store, created on first use (the first client does it). */
export function aclOf(server: Server): AclStore {
  return stores.of(server);
}

// ---- what the dispatcher and the connection commands call -------------------------------------

/** Whether a new connection starts authenticated (the default user is on and has no password). */
export function defaultUserNeedsNoAuth(server: Server): boolean {
  const d = aclOf(server).defaultUser;
  return d.nopass && d.enabled;
}

/** Redis authRequired(): not authenticated, and the default user does not let anyone in. */
export function authRequired(c: Client): boolean {
  return !c.authenticated && !defaultUserNeedsNoAuth(c.server);
}

/** RESET: back to the default user, authenticated only if it needs no password. */
export function resetClientUser(c: Client): void {
  c.aclUser = aclOf(c.server).defaultUser;
  c.user = 'default';
  c.authenticated = defaultUserNeedsNoAuth(c.server);
}

/**
 * AUTH / HELLO AUTH (Redis ACLAuthenticateUser): on success the connection runs as `username`;
 * a failure is logged in the ACL LOG (object: the command name as sent).
 */
export function aclAuthenticate(c: Client, username: string, password: string, argv: readonly string[]): boolean {
  const store = aclOf(c.server);
  const u = store.users.get(username);
  if (u !== undefined && u.enabled && u.checkPassword(password)) {
    c.authenticated = true;
    c.aclUser = u;
    c.user = u.name;
    return true;
  }
  store.addLogEntry(c, DENIED_AUTH, argv[0], username, argv[0].toLowerCase(), argv);
  return false;
}

export const NOPERM_KEY = 'NOPERM this user has no permissions to access one of the keys used as arguments';
export const NOPERM_CHANNEL = 'NOPERM this user has no permissions to access one of the channels used as arguments';
export const nopermCommand = (name: string): string => `NOPERM this user has no permissions to run the '${name}' command`;

/**
 * The dispatcher's ACL check (Redis processCommand → ACLCheckAllPerm), for users that are not
 * `unrestricted`: null when the user may run `spec` with these arguments, else the NOPERM error
 * (logged in the ACL LOG).
 */
export function aclCheckCommand(c: Client, spec: CommandSpec, argv: readonly string[]): string | null {
  const store = aclOf(c.server);
  const cmd = store.universe.bySpec.get(spec);
  const user = c.aclUser;
  const r = cmd === undefined ? { reason: DENIED_CMD, idx: 0 } : user.check(cmd, argv);
  if (r.reason === 0) return null;
  const name = fullName(spec);
  const object = r.reason === DENIED_CMD ? name : argv[r.idx];
  store.addLogEntry(c, r.reason, object, user.name, name, argv);
  return r.reason === DENIED_CMD ? nopermCommand(name) : r.reason === DENIED_KEY ? NOPERM_KEY : NOPERM_CHANNEL;
}

/**
 * For EXEC (Redis execCommand re-checks every queued command, since the rules may have changed
 * while it was queued): null, or the error to put in EXEC's reply array for this command.
 */
export function aclCheckQueuedCommand(c: Client, spec: CommandSpec, argv: readonly string[]): string | null {
  if (c.aclUser.unrestricted) return null;
  const store = aclOf(c.server);
  const cmd = store.universe.bySpec.get(spec);
  const r = cmd === undefined ? { reason: DENIED_CMD, idx: 0 } : c.aclUser.check(cmd, argv);
  if (r.reason === 0) return null;
  const name = fullName(spec);
  store.addLogEntry(c, r.reason, r.reason === DENIED_CMD ? name : argv[r.idx], c.aclUser.name, name, argv, true);
  const why =
    r.reason === DENIED_CMD
      ? 'no permission to execute the command or subcommand'
      : r.reason === DENIED_KEY
        ? 'no permission to touch the specified keys'
        : 'no permission to access one of the channels used as arguments';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${why}`;
}

/**
 * Whether the client's user may use a pub/sub channel (Redis ACLUserCheckChannelPerm):
 * `literal` for a PSUBSCRIBE pattern, which must equal one of the user's channel patterns.
 */
export function aclChannelAllowed(c: Client, channel: string, literal: boolean): boolean {
  return c.aclUser.channelAllowed(channel, literal);
}

// ---- protected mode -----------------------------------------------------------------------------

/** Redis 7.0 networking.c clientAcceptHandler's refusal, byte for byte. */
export const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. ' +
  'If you want to connect from external computers to Redis you may adopt one of the following solutions: ' +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
  'by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible ' +
  'from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
  '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the ' +
  "protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  '4) Setup a an authentication password for the default user. ' +
  'NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

/** Redis connIsLocal: a 127.x.x.x or ::1 peer (also as an IPv4-mapped IPv6 address). */
export function isLoopbackAddress(ip: string | undefined): boolean {
  if (ip === undefined) return false; // unknown peer: not local (Redis: connIsLocal != 1)
  if (ip.startsWith('::ffff:')) ip = ip.slice(7);
  return ip.startsWith('127.') || ip === '::1';
}

/**
 * Redis 7.0's protected-mode rule: protected-mode yes, and the default user has no password
 * (`nopass`), and the peer is not loopback. The `bind` setting plays no part (7.0 dropped it).
 */
export function protectedModeRefuses(server: Server, remoteIp: string | undefined): boolean {
  if (!server.config.bool('protected-mode')) return false;
  if (!aclOf(server).defaultUser.nopass) return false;
  return !isLoopbackAddress(remoteIp);
}
