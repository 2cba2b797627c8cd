// EVAL's server side (Redis 7.0's eval.c + script.c): the script cache keyed by SHA1, the
// shebang flags, and running a script — its redis.call goes through a "script client" (Redis's
// lua client) with Redis's scriptCall checks before the ordinary call path.
//
// Invariants: a script's writes reach the mutation log as ONE group (effects replication: Redis
// 7 wraps them in MULTI/EXEC; the EVAL itself is never logged), so the AOF and replicas see all
// of a script or none; SELECT inside a script changes the script client's db only, never the
// caller's; the cache is not persisted (SCRIPT FLUSH and a restart empty it, as in Redis 7).
//
// Long scripts (deviation from Redis): Node serves nobody while a script runs, so Redis's BUSY
// replies and SCRIPT KILL from another connection cannot happen. Instead an instruction-count
// hook checks the elapsed time: past busy-reply-threshold (lua-time-limit) a script that has
// not written yet is stopped with the error SCRIPT KILL would have given; one that has written
// goes on to its end, as Redis would require SHUTDOWN NOSAVE to stop it.

import { arityOk, keyIndexes } from '../commands/table.js';
import { E } from '../commands/errors.js';
import { EVICT_FAIL } from '../keyspace/evict.js';
import { F, type CommandSpec } from '../commands/types.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { NOPERM_CHANNEL, NOPERM_KEY, aclCheckCommand } from '../server/acl.js';
import { keyHashSlot } from '../cluster/slots.js';
import { LuaVm, sha1hex, type CompiledScript, type ScriptHost } from './lua.js';
import { PerServer } from '../server/per-server.js';

/** Shebang flags (Redis's SCRIPT_FLAG_*). */
export const SCRIPT_NO_WRITES = 1;
export const SCRIPT_ALLOW_OOM = 2;
export const SCRIPT_ALLOW_STALE = 4;
export const SCRIPT_NO_CLUSTER = 8;
export const SCRIPT_ALLOW_CROSS_SLOT = 16;
/** No shebang: Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE (checks happen per command, not at EVAL). */
export const SCRIPT_COMPAT = 32;

export const FLAG_NAMES: Record<string, number> = {
  'no-writes': SCRIPT_NO_WRITES,
  'allow-oom': SCRIPT_ALLOW_OOM,
  'allow-stale': SCRIPT_ALLOW_STALE,
  'no-cluster': SCRIPT_NO_CLUSTER,
  'allow-cross-slot-keys': SCRIPT_ALLOW_CROSS_SLOT,
};

export const SCRIPT_KILLED = 'ERR Script killed by user with SCRIPT KILL...';
export const NOTBUSY = 'NOTBUSY No scripts in execution right now.';
export const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

interface CachedScript {
  body: string;
  flags: number;
  fn: CompiledScript;
}

/**
 * A command's flags as a script's declared flags make them (Redis's scriptFlagsToCmdFlags):
 * write and denyoom unless no-writes (or allow-oom for denyoom), stale with allow-stale, and no
 * may_replicate (whether it writes is known). For EVAL with a shebang and FCALL.
 */
export function scriptFlagsToCmdFlags(bits: number, flags: number): number {
  bits &= ~(F.stale | F.denyoom | F.write | F.may_replicate);
  if ((flags & (SCRIPT_ALLOW_OOM | SCRIPT_NO_WRITES)) === 0) bits |= F.denyoom;
  if ((flags & SCRIPT_NO_WRITES) === 0) bits |= F.write;
  if ((flags & SCRIPT_ALLOW_STALE) !== 0) bits |= F.stale;
  return bits;
}

/** Parses "#!lua flags=a,b" (Redis's evalExtractShebangFlags): the flags, or an error reply. */
export function shebangFlags(body: string): number | string {
  if (!body.startsWith('#!')) return SCRIPT_COMPAT;
  const eol = body.indexOf('\n');
  const line = eol < 0 ? body : body.slice(0, eol);
  const parts = line.split(' ').filter((p) => p !== '');
  if (parts[0] !== '#!lua') return `ERR Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (!p.startsWith('flags=')) return `ERR Unknown lua shebang option: ${p}`;
    for (const f of p.slice(6).split(',')) {
      if (f === '') continue;
      const bit = FLAG_NAMES[f];
      if (bit === undefined) return `ERR Unexpected flag in script shebang: ${f}`;
      flags |= bit;
    }
  }
  return flags;
}

/** One server's scripting state: the VM, the cache, the script client and the running script. */
export class Scripting implements ScriptHost {
  private vm: LuaVm | null = null;
  private readonly cache = new Map<string, CachedScript>();
  /** The same scripts by body: an EVAL of a cached body skips its SHA1 (~7% of a small EVAL). */
  private readonly byBody = new Map<string, { sha: string; script: CachedScript }>();
  /** Redis's lua client: runs the script's commands, as the caller's user, in its own db. */
  private scriptClient: Client | null = null;
  /** The running script's state (null between scripts). */
  private run: { caller: Client; sha: string; flags: number; start: number; wrote: boolean; oom: boolean; slot: number } | null = null;

  constructor(private readonly server: Server) {}

  get busy(): boolean {
    return this.run !== null;
  }

  get size(): number {
    return this.cache.size;
  }

  /** Bytes of the cached scripts' bodies and shas (INFO memory used_memory_scripts_eval). */
  get bodyBytes(): number {
    let n = 0;
    for (const s of this.cache.values()) n += s.body.length + 40;
    return n;
  }

  has(sha: string): boolean {
    return this.cache.has(sha.toLowerCase());
  }

  /** SCRIPT FLUSH: a fresh VM and an empty cache (Redis recreates its Lua state too). */
  flush(): void {
    this.cache.clear();
    this.byBody.clear();
    this.vm = null;
  }

  /** Compiles and caches `body` (SCRIPT LOAD, EVAL): the script, or an error reply. */
  load(body: string): { sha: string; script: CachedScript } | string {
    const known = this.byBody.get(body);
    if (known !== undefined) return known;
    const sha = sha1hex(body);
    const cached = this.cache.get(sha);
    if (cached !== undefined) return { sha, script: cached };
    const flags = shebangFlags(body);
    if (typeof flags === 'string') return flags;
    // The shebang line stays a line (a comment) so that error line numbers are the script's.
    const source = flags === SCRIPT_COMPAT ? body : '--' + body.slice(2);
    const fn = (this.vm ??= new LuaVm()).compile(source);
    if (typeof fn === 'string') return fn;
    const script = { body, flags, fn };
    this.cache.set(sha, script);
    const entry = { sha, script };
    this.byBody.set(body, entry);
    return entry;
  }

  lookup(sha: string): CachedScript | undefined {
    return this.cache.get(sha.toLowerCase());
  }

  /**
   * Runs a cached script for `caller` (EVAL*, EVALSHA*) and writes its reply. `readOnly` for
   * EVAL_RO/EVALSHA_RO.
   */
  exec(caller: Client, sha: string, script: CachedScript, keys: string[], args: string[], readOnly: boolean): void {
    this.runScript(caller, sha, script.flags, (this.vm ??= new LuaVm()), script.fn, keys, args, readOnly, false);
  }

  /**
   * Runs `fn` of `vm` for `caller` with Redis's scriptPrepareForRun checks, its commands through
   * the script client and its writes as one group: an EVAL's script (named by its sha) or, with
   * `asFunction`, an FCALL's function (named by its name; KEYS and ARGV are its arguments).
   */
  runScript(caller: Client, sha: string, scriptFlags: number, vm: LuaVm, fn: CompiledScript, keys: string[], args: string[], readOnly: boolean, asFunction: boolean): void {
    const server = this.server;
    if (this.run !== null) return caller.reply.error('ERR This Redis command is not allowed from script');
    let flags = scriptFlags;
    // Scripts with a shebang are checked as a whole at EVAL, as Redis's scriptPrepareForRun
    // does; those without (compatibility mode) command by command, inside the script, and may
    // reach keys of other slots than their declared ones.
    if ((flags & SCRIPT_COMPAT) === 0) {
      const refusal = this.checkShebangScript(caller, flags, readOnly);
      if (refusal !== null) return caller.reply.error(refusal);
    } else flags |= SCRIPT_ALLOW_CROSS_SLOT;
    if (readOnly) flags |= SCRIPT_NO_WRITES;
    const sc = (this.scriptClient ??= this.newScriptClient());
    sc.aclUser = caller.aclUser;
    sc.user = caller.user;
    sc.dbIndex = caller.dbIndex;
    sc.resp = 2;
    // Whether memory is over maxmemory now decides OOM for the whole script (the dispatcher
    // just evicted what it could before the EVAL; nothing is evicted while the script runs).
    const oom = server.ks.evictor.maxmemory !== 0 && server.ks.evictor.performEvictions() === EVICT_FAIL;
    this.run = { caller, sha, flags, start: Date.now(), wrote: false, oom, slot: keys.length > 0 && server.cluster !== null ? keyHashSlot(keys[0]) : -1 };
    server.log.beginGroup();
    try {
      vm.run(fn, sha, keys, args, this, caller.reply, asFunction);
    } finally {
      server.log.endGroup();
      this.run = null;
      sc.reply.reset();
    }
  }

  private newScriptClient(): Client {
    // Its address is Redis's for the lua client ("?:0", as SLOWLOG shows it; MONITOR says "lua").
    const sc = this.server.internalClient('?:0');
    // Redis's lua client has CLIENT_DENY_BLOCKING: blocking commands act as if their timeout
    // passed, and nothing may defer its reply (FLUSHALL's snapshot is only started).
    sc.inExec = true;
    sc.script = true;
    return sc;
  }

  /** Redis's scriptPrepareForRun checks of a script that declares flags. */
  private checkShebangScript(caller: Client, flags: number, readOnly: boolean): string | null {
    const server = this.server;
    if (server.cluster !== null && (flags & SCRIPT_NO_CLUSTER) !== 0) return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
    if ((flags & SCRIPT_NO_WRITES) === 0) {
      if (readOnly) return 'ERR Can not execute a script with write flag using *_ro command.';
      // A script that may write is refused where writes are (READONLY, MISCONF, NOREPLICAS),
      // and, unless allow-oom, where memory is over maxmemory (OOM).
      const writeSpec = server.commands.get('set')!;
      const bits = F.write | ((flags & SCRIPT_ALLOW_OOM) === 0 ? F.denyoom : 0);
      const refusal = server.gate(caller, writeSpec, bits);
      if (refusal === E.READONLY) return 'READONLY Can not run script with write flag on readonly replica';
      if (refusal !== null) return refusal;
    }
    return null;
  }

  // ---- ScriptHost ------------------------------------------------------------------------

  /** redis.call: Redis's scriptCall checks, then the ordinary call path on the script client. */
  lastCallRan = false;

  call(argv: string[]): string {
    this.lastCallRan = false;
    const run = this.run!;
    const server = this.server;
    const sc = this.scriptClient!;
    let spec: CommandSpec | undefined = server.commandLookup.get(argv[0]);
    if (spec !== undefined && spec.subcommands !== undefined && argv.length > 1) spec = spec.subcommands.get(argv[1].toLowerCase());
    if (spec === undefined) return '-ERR Unknown Redis command called from script\r\n';
    if (!arityOk(spec, argv.length)) return '-ERR Wrong number of args calling Redis command from script\r\n';
    const bits = spec.bits;
    if ((bits & F.noscript) !== 0) return '-ERR This Redis command is not allowed from script\r\n';
    if (!sc.aclUser.unrestricted) {
      const denied = aclCheckCommand(sc, spec, argv);
      if (denied !== null) {
        // Redis's scriptVerifyACL words the refusal for the script's author.
        const what =
          denied === NOPERM_KEY
            ? "can't access at least one of the keys mentioned in the command arguments"
            : denied === NOPERM_CHANNEL
              ? "can't publish to the channel mentioned in the command"
              : "can't run this command or subcommand";
        return `-ERR The user executing the script ${what}\r\n`;
      }
    }
    if ((bits & F.write) !== 0) {
      if ((run.flags & SCRIPT_NO_WRITES) !== 0) return '-ERR Write commands are not allowed from read-only scripts.\r\n';
    }
    if ((bits & (F.write | F.denyoom)) !== 0) {
      // OOM only refuses a script that has not written yet (it may not stop half-way), and only
      // in a script without allow-oom (Redis's scriptVerifyOOM).
      let gateBits = bits;
      if (run.wrote || (run.flags & SCRIPT_ALLOW_OOM) !== 0) gateBits &= ~F.denyoom;
      const refusal = server.gate(sc, spec, gateBits, run.oom);
      if (refusal !== null) return '-' + refusal + '\r\n';
    }
    if (server.cluster !== null && (run.flags & SCRIPT_NO_CLUSTER) === 0) {
      const refusal = this.clusterCheck(sc, spec, argv);
      if (refusal !== null) return '-' + refusal + '\r\n';
    }
    if ((bits & F.write) !== 0) run.wrote = true;
    sc.reply.reset();
    this.lastCallRan = true;
    sc.call(spec, argv);
    return sc.reply.takeString();
  }

  /** Redis's scriptVerifyClusterState: keys served here, in the slot of the EVAL's keys. */
  private clusterCheck(sc: Client, spec: CommandSpec, argv: string[]): string | null {
    const run = this.run!;
    if (this.server.cluster!.route(sc, spec, argv) !== null) return 'ERR Script attempted to access a non local key in a cluster node';
    if ((run.flags & SCRIPT_ALLOW_CROSS_SLOT) !== 0) return null;
    const idx = keyIndexes(spec, argv);
    for (let i = 0; i < idx.length; i++) {
      const key = argv[idx[i]];
      if (key === undefined) continue;
      const slot = keyHashSlot(key);
      if (run.slot === -1) run.slot = slot;
      else if (slot !== run.slot) return 'ERR Script attempted to access keys that do not hash to the same slot';
    }
    return null;
  }

  log(level: number, msg: string): void {
    const logger = this.server.logger;
    if (level === 3) logger.warn({ script: this.run?.sha }, msg);
    else if (level === 2) logger.info({ script: this.run?.sha }, msg);
    else logger.debug({ script: this.run?.sha }, msg);
  }

  setResp(v: 2 | 3): void {
    this.scriptClient!.resp = v;
  }

  hook(): string | null {
    const run = this.run;
    if (run === null || run.wrote) return null;
    const limit = this.server.config.num('busy-reply-threshold');
    if (limit <= 0 || Date.now() - run.start <= limit) return null;
    this.server.logger.warn({ script: run.sha, ms: Date.now() - run.start }, 'Lua script stopped: it ran past busy-reply-threshold without writing (Hoard cannot serve SCRIPT KILL while a script runs)');
    return SCRIPT_KILLED;
  }
}

const registry = new PerServer((server) => new Scripting(server));

/** The server's scripting state, created on first use. */
export function scriptingOf(server: Server): Scripting {
  return registry.of(server);
}

export function existingScripting(server: Server): Scripting | undefined {
  return registry.existing(server);
}
