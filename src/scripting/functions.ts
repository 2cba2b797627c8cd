// Function libraries (Redis 7.0's functions.c + function_lua.c): FUNCTION LOAD's libraries, their
// registered functions, and what FCALL, FUNCTION LIST/DUMP/RESTORE/STATS and persistence need
// of them. The Lua side (the load-time environment, redis.register_function) is in lua.ts; a
// function runs through the scripting runner (scripts.ts runScript), as EVAL's scripts do.
//
// Invariants: a library and its functions are linked all at once or not at all (a failed load,
// restore or replace leaves the libraries as they were); function names are unique across
// libraries; the libraries change only through commands that reach the mutation log (FUNCTION
// LOAD/DELETE/FLUSH/RESTORE, propagated as they are, as Redis does), so AOF replay and replicas
// rebuild them, and snapshots and full syncs carry their code (FUNCTION DUMP's format).

import type { Server } from '../server/server.js';
import { LuaVm, type CompiledScript, type RegisteredFunction, type ScriptHost } from './lua.js';
import { FLAG_NAMES } from './scripts.js';
import { splitArgs } from '../config.js';
import { createFunctionsPayload, readFunctionsPayload } from '../persistence/rdb-value.js';
import { PerServer } from '../server/per-server.js';

/** FUNCTION LOAD's time limit for running a library's code (Redis's LOAD_TIMEOUT_MS). */
export const LOAD_TIMEOUT_MS = 500;

const NAME_ERROR = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

export interface FunctionInfo {
  name: string;
  description: string | null;
  /** SCRIPT_* bits (scripts.ts). */
  flags: number;
  fn: CompiledScript;
  library: LibraryInfo;
}

export interface LibraryInfo {
  name: string;
  /** The whole FUNCTION LOAD argument, shebang included (what LIST WITHCODE and DUMP give). */
  code: string;
  functions: Map<string, FunctionInfo>;
}

/** A set of libraries and their functions by name (Redis's functionsLibCtx). */
class LibraryCtx {
  readonly libraries = new Map<string, LibraryInfo>();
  readonly functions = new Map<string, FunctionInfo>();

  link(lib: LibraryInfo): void {
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions.values()) this.functions.set(f.name, f);
  }

  unlink(lib: LibraryInfo): void {
    this.libraries.delete(lib.name);
    for (const f of lib.functions.values()) this.functions.delete(f.name);
  }

  /** Redis's error when one of `names` is already a function here, else null. */
  clash(names: Iterable<string>): string | null {
    for (const f of names) if (this.functions.has(f)) return `Function ${f} already exists`;
    return null;
  }
}

/** Redis's functionsVerifyName: letters, digits, underscores, at least one. */
function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/** The library name and code of a "#!<engine> name=<lib>\n..." (functionExtractLibMetaData), or an error text. */
function libraryMetadata(code: string): { engine: string; name: string; body: string } | string {
  if (!code.startsWith('#!')) return 'Missing library metadata';
  const eol = code.indexOf('\n');
  if (eol < 0) return 'Invalid library metadata';
  const parts = splitArgs(code.slice(0, eol));
  if (parts === null || parts.length === 0) return 'Invalid library metadata';
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (p.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
      name = p.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${p}`;
  }
  if (name === null) return 'Library name was not given';
  // The code keeps the shebang's line end, so line numbers in errors are the payload's.
  return { engine, name, body: code.slice(eol) };
}

export type RestorePolicy = 'flush' | 'append' | 'replace';

/** One server's function libraries and the Lua VM they live in. */
export class Functions {
  private ctx = new LibraryCtx();
  private vm: LuaVm | null = null;

  constructor(private readonly server: Server) {}

  get libraryCount(): number {
    return this.ctx.libraries.size;
  }

  get functionCount(): number {
    return this.ctx.functions.size;
  }

  get libraries(): IterableIterator<LibraryInfo> {
    return this.ctx.libraries.values();
  }

  /** Bytes the libraries take, roughly as Redis counts them (INFO used_memory_functions). */
  get memoryBytes(): number {
    let n = 0;
    for (const lib of this.ctx.libraries.values()) {
      n += 64 + lib.name.length + lib.code.length;
      for (const f of lib.functions.values()) n += 96 + f.name.length + (f.description?.length ?? 0);
    }
    return n;
  }

  lookup(name: string): FunctionInfo | undefined {
    return this.ctx.functions.get(name);
  }

  /**
   * FUNCTION LOAD (functionsCreateWithLibraryCtx): the library's name, or Redis's error text
   * without its code. `timeoutMs` 0: no time limit (replaying the AOF, a primary's stream).
   */
  load(code: string, replace: boolean, timeoutMs: number): { name: string } | string {
    return this.create(code, replace, timeoutMs, this.ctx);
  }

  private create(code: string, replace: boolean, timeoutMs: number, ctx: LibraryCtx): { name: string } | string {
    const md = libraryMetadata(code);
    if (typeof md === 'string') return md;
    if (!validName(md.name)) return NAME_ERROR;
    if (md.engine.toLowerCase() !== 'lua') return `Engine '${md.engine}' not found`;
    const old = ctx.libraries.get(md.name);
    if (old !== undefined && !replace) return `Library '${md.name}' already exists`;
    if (old !== undefined) ctx.unlink(old);
    const lib: LibraryInfo = { name: md.name, code, functions: new Map() };
    let failure = this.runLibrary(this.luaVm, lib, md.body, timeoutMs);
    if (failure === null && lib.functions.size === 0) failure = 'No functions registered';
    if (failure === null) failure = ctx.clash(lib.functions.keys());
    if (failure !== null) {
      this.release(lib);
      if (old !== undefined) ctx.link(old);
      return failure;
    }
    ctx.link(lib);
    if (old !== undefined) this.release(old);
    return { name: lib.name };
  }

  /** Runs a library's code; its register_function calls fill lib.functions. Error text or null. */
  private runLibrary(vm: LuaVm, lib: LibraryInfo, body: string, timeoutMs: number): string | null {
    const start = Date.now();
    const logger = this.server.logger;
    const host: ScriptHost = {
      call: () => '-ERR redis.call is not available while loading a library\r\n',
      lastCallRan: false,
      log: (level, msg) => {
        if (level === 3) logger.warn({ library: lib.name }, msg);
        else if (level === 2) logger.info({ library: lib.name }, msg);
        else logger.debug({ library: lib.name }, msg);
      },
      setResp: () => {},
      hook: () => (timeoutMs > 0 && Date.now() - start > timeoutMs ? 'ERR FUNCTION LOAD timeout' : null),
    };
    const register = (reg: RegisteredFunction): string | null => {
      if (!validName(reg.name)) return 'ERR ' + NAME_ERROR;
      if (lib.functions.has(reg.name)) return 'ERR Function already exists in the library';
      let flags = 0;
      for (const word of reg.flags) {
        const bit = FLAG_NAMES[word.toLowerCase()];
        if (bit === undefined) return 'ERR unknown flag given';
        flags |= bit;
      }
      lib.functions.set(reg.name, { name: reg.name, description: reg.description, flags, fn: reg.fn, library: lib });
      return null;
    };
    const err = vm.loadLibrary(body, register, host);
    // The error replies of Lua carry their code already ("ERR Error registering functions: ...").
    return err === null ? null : err.slice(4);
  }

  private release(lib: LibraryInfo): void {
    const vm = this.vm;
    if (vm === null) return;
    for (const f of lib.functions.values()) vm.release(f.fn);
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    const lib = this.ctx.libraries.get(name);
    if (lib === undefined) return false;
    this.ctx.unlink(lib);
    this.release(lib);
    return true;
  }

  /** FUNCTION FLUSH: no libraries, and a fresh Lua VM for the next ones. */
  flush(): void {
    this.ctx = new LibraryCtx();
    this.vm = null;
  }

  /** FUNCTION DUMP: the libraries' code as Redis's payload. */
  dump(): Buffer {
    const codes = [...this.ctx.libraries.values()].map((l) => l.code);
    return createFunctionsPayload(codes, this.server.config.bool('rdbcompression'));
  }

  /** The libraries' code (snapshots and full syncs carry these). */
  codes(): string[] {
    return [...this.ctx.libraries.values()].map((l) => l.code);
  }

  /** FUNCTION RESTORE (functionRestoreCommand + libraryJoin): null, or Redis's error text. */
  restore(payload: Buffer, policy: RestorePolicy): string | null {
    const codes = readFunctionsPayload(payload);
    if (typeof codes === 'string') return codes;
    return this.restoreCodes(codes, policy);
  }

  /** Loads `codes` as one set of libraries and joins them to the current ones by `policy`. */
  restoreCodes(codes: readonly string[], policy: RestorePolicy): string | null {
    const fresh = new LibraryCtx();
    for (const code of codes) {
      const r = this.create(code, false, 0, fresh);
      if (typeof r === 'string') {
        for (const lib of fresh.libraries.values()) this.release(lib);
        return r;
      }
    }
    if (policy === 'flush') {
      for (const lib of this.ctx.libraries.values()) this.release(lib);
      this.ctx = fresh;
      return null;
    }
    const cur = this.ctx;
    const replaced: LibraryInfo[] = [];
    let err: string | null = null;
    for (const lib of fresh.libraries.values()) {
      const old = cur.libraries.get(lib.name);
      if (old === undefined) continue;
      if (policy !== 'replace') {
        err = `Library ${lib.name} already exists`;
        break;
      }
      cur.unlink(old);
      replaced.push(old);
    }
    if (err === null) err = cur.clash(fresh.functions.keys());
    if (err !== null) {
      for (const old of replaced) cur.link(old);
      for (const lib of fresh.libraries.values()) this.release(lib);
      return err;
    }
    for (const lib of fresh.libraries.values()) cur.link(lib);
    for (const old of replaced) this.release(old);
    return null;
  }

  /** The VM the functions live in (FCALL runs them there). */
  get luaVm(): LuaVm {
    return (this.vm ??= new LuaVm());
  }
}

const registry = new PerServer((server) => new Functions(server));

/** The server's function libraries, created on first use. */
export function functionsOf(server: Server): Functions {
  return registry.of(server);
}

export function existingFunctions(server: Server): Functions | undefined {
  return registry.existing(server);
}
