// The Lua VM of EVAL (Redis 7.0's eval.c + script_lua.c): one fengari state per server, its
// sandbox (Redis's global allow list, read-only globals and library tables, Lua 5.1 names), the
// `redis` / `cjson` / `bit` / `cmsgpack` / `struct` libraries, and the two conversions: a command's RESP reply into Lua
// values (redisProtocolToLuaType) and a script's return value into a reply (luaReplyToRedisReply).
// The function libraries get a state of their own (as in Redis's function_lua.c) with the same
// sandbox, plus their load-time environment and redis.register_function (loadLibrary).
//
// Invariants: keys and values cross the boundary as latin1 strings (one byte per char) and never
// as UTF-8; a script can change no global and no library table, so one script cannot break the
// next; every error a script raises reaches the caller as one error reply in Redis's shape
// ("<msg> script: <sha>, on @user_script:<line>.").
//
// The VM is fengari (Lua 5.3 in plain JavaScript): calls into it are synchronous, which
// redis.call needs on a single-threaded server. It is made to look like Redis's Lua 5.1 where
// scripts notice (Lua 5.1 names, one float number type for literals, tonumber and replies, 5.1
// number printing and type-error wording); what differs still is listed in the README.

import { createHash } from 'node:crypto';
import type { ReplyWriter } from '../protocol/reply.js';
import { formatG, formatG14, loadLua, lua, lauxlib, lualib, pushBytes, toBytes } from './fengari.js';
import { pushCmsgpack } from './lua-cmsgpack.js';
import { cFormatNumber } from './printf.js';
import { pushStruct } from './lua-struct.js';
import { VERSION } from '../version.js';

/** What a script's `redis.*` functions need of the server (scripts.ts implements it). */
export interface ScriptHost {
  /**
   * Runs one command for the script (every check of Redis's scriptCall included) and returns its
   * reply as RESP text (latin1); a refusal is an error reply like any other ("-ERR ...").
   */
  call(argv: string[]): string;
  /** Whether the last call() ran its command (its error, if any, is then already counted). */
  readonly lastCallRan: boolean;
  /** redis.log: level 0..3 (LOG_DEBUG .. LOG_WARNING). */
  log(level: number, msg: string): void;
  /** redis.setresp: the protocol the script's commands answer in. */
  setResp(v: 2 | 3): void;
  /** Called every HOOK_INSTRUCTIONS instructions: a message aborts the script with it. */
  hook(): string | null;
}

/** A script's SHA1 as Redis names it (lowercase hex of its bytes); also redis.sha1hex. */
export function sha1hex(body: string): string {
  return createHash('sha1').update(body, 'latin1').digest('hex');
}

/** Instructions between two time checks: ~1 ms of plain Lua on this machine. */
const HOOK_INSTRUCTIONS = 100_000;

/** A number argument of redis.call as Redis 7.0 formats it: "%.17g" (inf, -inf, nan as C prints them). */
function numberArg(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isNaN(n)) return 'nan';
  return formatG(n, 17);
}

/** A number for Lua: a float, as every number in Lua 5.1 (see loadFengari). */
function pushNumber(L: unknown, n: number): void {
  lua.lua_pushnumber(L, n);
}

/** Pushes {field = value} (value a latin1 string). */
function pushFieldTable(L: unknown, field: string, value: string): void {
  lua.lua_newtable(L);
  pushBytes(L, value);
  lua.lua_setfield(L, -2, field);
}

/**
 * Lua-side part of the sandbox, run once per state while `debug` still exists. Mirrors Redis
 * 7.0.15: the error handler that records where an error was raised, read-only library tables,
 * and an environment for scripts that refuses to create or change globals and to read missing
 * ones.
 */
const PRELUDE = `
local G, dbg, rawget, setmetatable, error, tostring, type, next, rawload =
  _G, debug, rawget, setmetatable, error, tostring, type, next, load
local function errh(err)
  -- Where the script was when it raised: the nearest frame that is neither C (fengari: [JS]) nor this
  -- prelude (Redis looks one level past a C function; here the raiser may also be a sandbox
  -- metamethod). A chunk made by loadstring is such a frame, with its own source, as in Redis.
  local i
  for level = 2, 12 do
    local f = dbg.getinfo(level, 'Sl')
    if f == nil then break end
    if f.what ~= 'C' and f.source ~= '=[JS]' and f.source ~= '=prelude' then i = f break end
  end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if i then err.source = i.source; err.line = i.currentline end
  return err
end
local function readonlyError() error('Attempt to modify a readonly table', 2) end
-- The read-only tables (library proxies and the scripts' environment): rawset and setmetatable
-- refuse them as Redis's readonly tables do; getmetatable shows a library none.
local protected = setmetatable({}, {__mode = 'k'})
local function readonly(t)
  local p = setmetatable({}, {
    __index = t, __newindex = readonlyError, __metatable = false,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
  })
  protected[p] = true
  return p
end
local rawrawset, rawsetmetatable, rawgetmetatable = rawset, setmetatable, getmetatable
rawset = function(t, k, v)
  if protected[t] then error('Attempt to modify a readonly table', 0) end
  return rawrawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if protected[t] then error('Attempt to modify a readonly table', 0) end
  return rawsetmetatable(t, mt)
end
getmetatable = function(v)
  if protected[v] and v ~= G._G then return nil end
  return rawgetmetatable(v)
end
-- Lua 5.1 names scripts written for Redis use.
unpack = table.unpack
table.getn = function(t) return #t end
table.maxn = function(t) local m = 0 for k in next, t do if type(k) == 'number' and k > m then m = k end end return m end
math.pow = function(a, b) return a ^ b end
math.mod = math.fmod
math.log10 = function(x) return math.log(x, 10) end
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.frexp = math.frexp or function(x)
  if x == 0 then return 0.0, 0 end
  local e = math.floor(math.log(math.abs(x), 2)) + 1
  return x / 2.0 ^ e, e
end
string.gfind = string.gmatch
local rawrep = string.rep
string.rep = function(s, n) return rawrep(s, n) end
-- Lua 5.1's string.format hands numbers to C's printf: %d/%i/%o/%x/%X take them as C's cast to
-- long long takes a double (the fraction truncated, 64 bits), %e/%f/%g as doubles rounded
-- exactly. fengari's port rounds ties up, has 32-bit integers and prints %g of 1e20 in full, so
-- those conversions are made by cformat (printf.ts) and passed on as strings.
local rawformat, floor, ceil, gsub, cformat, fmtpcall = string.format, math.floor, math.ceil, string.gsub, __cformat, pcall
local numconv = {d = true, i = true, o = true, x = true, X = true, e = true, E = true, f = true, F = true, g = true, G = true}
string.format = function(fmt, ...)
  local args = table.pack(...)
  local i = 0
  local fixed = gsub(fmt, '%%([-+ #0]*)(%d*)(%.?%d*)([%a%%])', function(flags, width, prec, conv)
    if conv == '%' then return nil end
    i = i + 1
    local v = args[i]
    -- %s of a number prints it as tostring does (5.1's "%.14g", see below).
    if conv == 's' and type(v) == 'number' then args[i] = v .. '' return nil end
    if type(v) == 'string' and (numconv[conv] or conv == 'c') then v = tonumber(v) or v end
    if type(v) ~= 'number' then return nil end -- the original format raises 5.1's error
    if conv == 'c' then args[i] = v >= 0 and floor(v) or ceil(v) return nil end
    if not numconv[conv] then return nil end
    args[i] = cformat(flags, tonumber(width) or 0, prec == '' and -1 or (tonumber(prec:sub(2)) or 0), conv, v)
    return '%s'
  end)
  local ok, r = fmtpcall(rawformat, fixed, table.unpack(args, 1, args.n))
  if ok then return r end
  -- The error names string.format and the caller's line, as the C function's does.
  error((gsub(gsub(tostring(r), '^prelude:%d+: ', ''), "to '[%w?]+'", "to 'format'")), 2)
end
-- Redis 7.0's pcall: an error raised as {err = msg} (redis.call's) comes back as msg.
local rawpcall, pack, unpack = pcall, table.pack, table.unpack
pcall = function(...)
  local r = pack(rawpcall(...))
  if not r[1] and type(r[2]) == 'table' and type(rawget(r[2], 'err')) == 'string' then return false, r[2].err end
  return unpack(r, 1, r.n)
end
gcinfo = function() return collectgarbage('count') end
-- tostring of a float goes through fengari's luaL_tolstring, which the "%.14g" patch of
-- number-to-string conversions (fengari.ts) does not reach; concatenation does.
G.tostring = function(...)
  if select('#', ...) == 0 then error("bad argument #1 to 'tostring' (value expected)", 2) end
  local v = ...
  if type(v) == 'number' then return v .. '' end
  return tostring(v)
end
_VERSION = 'Lua 5.1'
-- Lua 5.1's loaders, compiling into the scripts' protected environment (text only: Redis 7.0
-- refuses bytecode): loadstring(s [, name]) names the chunk by its text as 5.1 does
-- ([string "..."]), and load takes only a reader function, as 5.1's.
local env
loadstring = function(s, name)
  return rawload(s, name or s, 't', env)
end
load = function(f, name)
  if type(f) ~= 'function' then error("bad argument #1 to 'load' (function expected, got " .. type(f) .. ')', 2) end
  return rawload(f, name or '=(load)', 't', env)
end
for _, n in next, {'print', 'dofile', 'loadfile', 'require', 'package', 'io', 'os', 'utf8', 'debug', 'rawlen', '__cformat'} do G[n] = nil end
for _, n in next, {'string', 'table', 'math', 'coroutine', 'redis', 'cjson', 'bit', 'cmsgpack', 'struct'} do G[n] = readonly(G[n]) end
local stringMeta = rawgetmetatable('')
stringMeta.__index = G.string
stringMeta.__metatable = readonly({__index = G.string})
env = rawsetmetatable({}, {
  __index = function(_, k)
    local v = rawget(G, k)
    if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = readonlyError,
  __metatable = readonly({}),
  __pairs = function() return next, G, nil end,
})
protected[env] = true
G._G = env
return env, errh
`;

/**
 * The environment of function libraries (Redis keeps them in a Lua state of their own; here
 * another LuaVm). While a library loads, its globals are only the load API (`redis` with
 * register_function, log and constants; any other name is Redis's "nonexistent global" error
 * and the load API refuses changes as a read-only table); afterwards the same table reads the
 * sandbox's globals, so the registered functions see what scripts see (but no KEYS/ARGV).
 */
const LIBRARY_ENV = `
local env, G, loadapi = ...
local setmetatable, rawget, error, tostring = setmetatable, rawget, error, tostring
local mode = 'run'
local function missing(k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 3) end
local function readonlyError() error('Attempt to modify a readonly table', 2) end
local loadredis = setmetatable({}, {
  __index = function(_, k) local v = rawget(loadapi, k) if v == nil then missing(k) end return v end,
  __newindex = readonlyError, __metatable = false,
})
local libenv = setmetatable({}, {
  __index = function(_, k)
    if mode == 'load' then
      if k == 'redis' then return loadredis end
      missing(k)
    end
    local v = rawget(G, k)
    if v == nil then missing(k) end
    return v
  end,
  __newindex = readonlyError, __metatable = false,
})
return libenv, function(m) mode = m end
`;

/** What redis.register_function hands the library being loaded. */
export interface RegisteredFunction {
  name: string;
  description: string | null;
  /** The flag words as given (checked by the registry). */
  flags: string[];
  fn: CompiledScript;
}

function fixEof(msg: string): string {
  return msg.replace(/near <eof>$/, "near '<eof>'");
}

export interface CompiledScript {
  /** The function's reference in the registry. */
  ref: number;
}

export class LuaVm {
  private readonly L: any;
  private readonly envRef: number;
  private readonly errhRef: number;
  /** cjson.null: a light userdata nothing else can produce. */
  private readonly cjsonNull = {};
  private host: ScriptHost | null = null;
  /** redis.setresp: the protocol the script's redis.call replies are read in. */
  resp: 2 | 3 = 2;
  /** Set by the hook once the script is being killed: every later hook call raises again. */
  private killedWith: string | null = null;
  private readonly hookFn = (l: any): void => this.onHook(l);

  constructor() {
    loadLua();
    const L = (this.L = lauxlib.luaL_newstate());
    for (const [name, open] of [
      ['_G', lualib.luaopen_base],
      ['table', lualib.luaopen_table],
      ['string', lualib.luaopen_string],
      ['math', lualib.luaopen_math],
      ['coroutine', lualib.luaopen_coroutine],
      ['debug', lualib.luaopen_debug],
    ] as const) {
      lauxlib.luaL_requiref(L, name, open, 1);
      lua.lua_pop(L, 1);
    }
    // A JavaScript exception inside a library function (a Hoard bug) becomes a Lua error.
    lua.lua_atnativeerror(L, (l: any) => {
      const e = lua.lua_touserdata(l, -1);
      lua.lua_pushstring(l, 'internal error: ' + String(e instanceof Error ? e.message : e));
      return 1;
    });
    this.registerRedis();
    this.registerCjson();
    this.registerBit();
    pushCmsgpack(L);
    lua.lua_setglobal(L, 'cmsgpack');
    pushStruct(L);
    lua.lua_setglobal(L, 'struct');
    // For the prelude's string.format only (it takes it into a local and removes the global).
    lua.lua_pushcfunction(L, (l: any) => {
      const prec = lua.lua_tonumber(l, 3);
      pushBytes(l, cFormatNumber(toBytes(l, 1), lua.lua_tonumber(l, 2), prec, toBytes(l, 4), lua.lua_tonumber(l, 5)));
      return 1;
    });
    lua.lua_setglobal(L, '__cformat');
    if (lauxlib.luaL_loadbuffer(L, Buffer.from(PRELUDE), null, '=prelude') !== lua.LUA_OK || lua.lua_pcall(L, 0, 2, 0) !== lua.LUA_OK) {
      throw Object.assign(new Error('Lua sandbox set-up failed: ' + toBytes(L, -1)), { code: 'LUA_INIT' });
    }
    this.errhRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_sethook(L, this.hookFn, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
  }

  /** Compiles a script body (Redis's luaCreateFunction): the function, or the error text. */
  compile(body: string): CompiledScript | string {
    // The chunk's _ENV is the sandbox's read-only environment.
    const err = this.loadChunk(body, '@user_script', this.envRef);
    if (err !== null) return 'ERR Error compiling script (new function): ' + err;
    return { ref: lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX) };
  }

  /**
   * Compiles `code` as chunk `name` with the table at registry ref `envRef` as its _ENV, and
   * leaves the function on the stack; or returns the compile error (nothing left on the stack).
   */
  private loadChunk(code: string, name: string, envRef: number): string | null {
    const L = this.L;
    if (lauxlib.luaL_loadbuffer(L, Buffer.from(code, 'latin1'), null, name) !== lua.LUA_OK) {
      const msg = toBytes(L, -1);
      lua.lua_pop(L, 1);
      // Lua 5.3 leaves <eof> unquoted where 5.1 quotes it.
      return fixEof(msg);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, envRef);
    lua.lua_setupvalue(L, -2, 1);
    return null;
  }

  // ---- function libraries (Redis 7.0 function_lua.c) -------------------------------------

  /** The libraries' environment (see LIBRARY_ENV) and its load/run switch; made on first use. */
  private libEnv: { envRef: number; setModeRef: number } | null = null;
  private registering: ((reg: RegisteredFunction) => string | null) | null = null;

  /**
   * Runs a library's code (after its shebang line, which stays as an empty line) the way
   * FUNCTION LOAD does (luaEngineCreate): its globals are only `redis` with register_function,
   * log and the version and log constants; each redis.register_function goes to `register`,
   * which answers an error text to raise or null. Past `timeoutMs` (0: none) the code is
   * stopped. The functions it registered keep the library's environment, which after the load
   * is the sandbox's one (as Redis swaps its globals' __index back). Returns null or the error
   * reply.
   */
  loadLibrary(code: string, register: (reg: RegisteredFunction) => string | null, host: ScriptHost): string | null {
    const L = this.L;
    const libEnv = (this.libEnv ??= this.makeLibraryEnv());
    const compileErr = this.loadChunk(code, '@user_function', libEnv.envRef);
    if (compileErr !== null) return 'ERR Error compiling function: ' + compileErr;
    const fnIdx = lua.lua_gettop(L);
    const setMode = (mode: string): void => {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, libEnv.setModeRef);
      lua.lua_pushstring(L, mode);
      lua.lua_call(L, 1, 0);
    };
    this.host = host;
    this.killedWith = null;
    this.registering = register;
    lua.lua_sethook(L, this.hookFn, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    setMode('load');
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.errhRef);
    lua.lua_insert(L, fnIdx);
    try {
      if (lua.lua_pcall(L, 0, 0, fnIdx) === lua.LUA_OK) return null;
      let msg: string;
      if (lua.lua_type(L, -1) === lua.LUA_TTABLE) msg = lua51TypeError(this.stringField(-1, 'err') ?? 'ERR unknown error');
      else msg = 'ERR ' + (lua.lua_isstring(L, -1) ? toBytes(L, -1) : 'unknown error');
      return 'ERR Error registering functions: ' + msg;
    } finally {
      lua.lua_settop(L, fnIdx - 1);
      // A timed-out load left the hook raising at every instruction: not in setMode's call.
      this.killedWith = null;
      this.host = null;
      lua.lua_sethook(L, this.hookFn, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
      setMode('run');
      this.registering = null;
      this.host = null;
    }
  }

  /** Drops a registered function's reference (its library was deleted or replaced). */
  release(fn: CompiledScript): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, fn.ref);
  }

  private makeLibraryEnv(): { envRef: number; setModeRef: number } {
    const L = this.L;
    if (lauxlib.luaL_loadbuffer(L, Buffer.from(LIBRARY_ENV), null, '=prelude') !== lua.LUA_OK) {
      throw Object.assign(new Error('Lua library environment set-up failed: ' + toBytes(L, -1)), { code: 'LUA_INIT' });
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.envRef);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    this.pushLoadApi();
    if (lua.lua_pcall(L, 3, 2, 0) !== lua.LUA_OK) {
      throw Object.assign(new Error('Lua library environment set-up failed: ' + toBytes(L, -1)), { code: 'LUA_INIT' });
    }
    const setModeRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    const envRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    return { envRef, setModeRef };
  }

  /** The `redis` table a library sees while it loads (Redis's LIBRARY_API_NAME table). */
  private pushLoadApi(): void {
    const L = this.L;
    lua.lua_newtable(L);
    lua.lua_pushcfunction(L, (l: any) => this.registerFunction(l));
    lua.lua_setfield(L, -2, 'register_function');
    lua.lua_getglobal(L, 'redis');
    for (const name of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) {
      lua.lua_getfield(L, -1, name);
      lua.lua_setfield(L, -3, name);
    }
    lua.lua_pop(L, 1);
  }

  /** redis.register_function (luaRegisterFunction and its argument readers). */
  private registerFunction(l: any): number {
    const register = this.registering;
    if (register === null) return this.raise(l, 'ERR redis.register_function can only be called on FUNCTION LOAD command');
    const argc = lua.lua_gettop(l);
    if (argc < 1 || argc > 2) return this.raise(l, 'ERR wrong number of arguments to redis.register_function');
    let name: string | null = null;
    let description: string | null = null;
    let flags: string[] = [];
    let fnAt = 0;
    if (argc === 1) {
      if (lua.lua_type(l, 1) !== lua.LUA_TTABLE) {
        return this.raise(l, 'ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      }
      lua.lua_pushnil(l);
      while (lua.lua_next(l, 1) !== 0) {
        const kt = lua.lua_type(l, -2);
        if (kt !== lua.LUA_TSTRING && kt !== lua.LUA_TNUMBER) return this.raise(l, 'ERR named argument key given to redis.register_function is not a string');
        lua.lua_pushvalue(l, -2);
        const key = toBytes(l, -1).toLowerCase();
        lua.lua_pop(l, 1);
        if (key === 'function_name') {
          if (!lua.lua_isstring(l, -1)) return this.raise(l, 'ERR function_name argument given to redis.register_function must be a string');
          lua.lua_pushvalue(l, -1);
          name = toBytes(l, -1);
          lua.lua_pop(l, 1);
        } else if (key === 'description') {
          if (!lua.lua_isstring(l, -1)) return this.raise(l, 'ERR description argument given to redis.register_function must be a string');
          lua.lua_pushvalue(l, -1);
          description = toBytes(l, -1);
          lua.lua_pop(l, 1);
        } else if (key === 'callback') {
          if (lua.lua_type(l, -1) !== lua.LUA_TFUNCTION) return this.raise(l, 'ERR callback argument given to redis.register_function must be a function');
          lua.lua_pushvalue(l, -1);
          lua.lua_insert(l, 2); // kept below the iteration's key (index 2 while iterating)
          fnAt = 2;
        } else if (key === 'flags') {
          if (lua.lua_type(l, -1) !== lua.LUA_TTABLE) return this.raise(l, 'ERR flags argument to redis.register_function must be a table representing function flags');
          const read = this.readFlags(l, lua.lua_gettop(l));
          if (read === null) return this.raise(l, 'ERR unknown flag given');
          flags = read;
        } else return this.raise(l, 'ERR unknown argument given to redis.register_function');
        lua.lua_pop(l, 1);
      }
      if (name === null) return this.raise(l, 'ERR redis.register_function must get a function name argument');
      if (fnAt === 0) return this.raise(l, 'ERR redis.register_function must get a callback argument');
    } else {
      if (!lua.lua_isstring(l, 1)) return this.raise(l, 'ERR first argument to redis.register_function must be a string');
      lua.lua_pushvalue(l, 1);
      name = toBytes(l, -1);
      lua.lua_pop(l, 1);
      if (lua.lua_type(l, 2) !== lua.LUA_TFUNCTION) return this.raise(l, 'ERR second argument to redis.register_function must be a function');
      fnAt = 2;
    }
    lua.lua_pushvalue(l, fnAt);
    const fn = { ref: lauxlib.luaL_ref(l, lua.LUA_REGISTRYINDEX) };
    const err = register({ name, description, flags, fn });
    if (err !== null) {
      this.release(fn);
      return this.raise(l, err);
    }
    return 0;
  }

  /** A flags table's strings (luaRegisterFunctionReadFlags), or null when one is not a string. */
  private readFlags(l: any, t: number): string[] | null {
    const out: string[] = [];
    for (let j = 1; ; j++) {
      lua.lua_rawgeti(l, t, j);
      const ty = lua.lua_type(l, -1);
      if (ty === lua.LUA_TNIL) {
        lua.lua_pop(l, 1);
        return out;
      }
      if (ty !== lua.LUA_TSTRING && ty !== lua.LUA_TNUMBER) {
        lua.lua_pop(l, 1);
        return null;
      }
      out.push(toBytes(l, -1));
      lua.lua_pop(l, 1);
    }
  }

  /**
   * Runs a compiled script with KEYS and ARGV and writes its reply (or its error) to `out`, the
   * caller's writer (the script's booleans become RESP3 booleans only when both the caller's
   * protocol and redis.setresp are 3).
   */
  run(fn: CompiledScript, sha: string, keys: readonly string[], args: readonly string[], host: ScriptHost, out: ReplyWriter, asFunction = false): void {
    const L = this.L;
    this.host = host;
    this.resp = 2;
    this.killedWith = null;
    // (A killed script left the hook firing at every instruction.)
    lua.lua_sethook(L, this.hookFn, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    // A script reads KEYS and ARGV globals; a function (FCALL) gets them as its two arguments.
    if (!asFunction) {
      this.setArray('KEYS', keys);
      this.setArray('ARGV', args);
    }
    const base = lua.lua_gettop(L);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.errhRef);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, fn.ref);
    if (asFunction) {
      this.pushArray(keys);
      this.pushArray(args);
    }
    try {
      const status = lua.lua_pcall(L, asFunction ? 2 : 0, 1, base + 1);
      if (status === lua.LUA_OK) this.writeReply(out, -1, 0);
      else if (lua.lua_type(L, -1) === lua.LUA_TTABLE && this.rawTruthy(lua.lua_gettop(L), 'ignore_error_stats_update')) out.errorAlreadyCounted(this.errorText(sha));
      else out.error(this.errorText(sha));
    } finally {
      lua.lua_settop(L, base);
      this.host = null;
    }
  }

  /** The error object on the top of the stack as Redis's reply text. */
  private errorText(sha: string): string {
    const L = this.L;
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return 'ERR ' + (lua.lua_isstring(L, -1) ? toBytes(L, -1) : 'unknown error') + ' script: ' + sha;
    const err = lua51TypeError(this.stringField(-1, 'err') ?? 'ERR unknown error');
    const source = this.stringField(-1, 'source');
    const line = this.stringField(-1, 'line');
    let msg = err + ' script: ' + sha;
    if (source !== null && line !== null) msg += `, on ${source}:${line}.`;
    return msg;
  }

  private stringField(idx: number, name: string): string | null {
    const L = this.L;
    lua.lua_getfield(L, idx, name);
    const v = lua.lua_isstring(L, -1) ? toBytes(L, -1) : null;
    lua.lua_pop(L, 1);
    return v;
  }

  private pushArray(items: readonly string[]): void {
    const L = this.L;
    lua.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      pushBytes(L, items[i]);
      lua.lua_rawseti(L, -2, i + 1);
    }
  }

  /** Sets a global of the real _G (scripts see it through their read-only environment). */
  private setArray(name: string, items: readonly string[]): void {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    lua.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      pushBytes(L, items[i]);
      lua.lua_rawseti(L, -2, i + 1);
    }
    lua.lua_setfield(L, -2, name);
    lua.lua_pop(L, 1);
  }

  // ---- Lua value → reply (Redis's luaReplyToRedisReply) ----------------------------------

  private writeReply(out: ReplyWriter, idx: number, depth: number): void {
    const L = this.L;
    switch (lua.lua_type(L, idx)) {
      case lua.LUA_TSTRING:
        out.bulk(toBytes(L, idx));
        return;
      case lua.LUA_TBOOLEAN:
        // After redis.setresp(3) a boolean is a RESP3 boolean (:1 / :0 to a RESP2 caller).
        if (this.resp === 3) out.bool(lua.lua_toboolean(L, idx));
        else if (lua.lua_toboolean(L, idx)) out.int(1);
        else out.nullBulk();
        return;
      case lua.LUA_TNUMBER: {
        // C's (long long) cast, as Redis does it: truncated; NaN, inf and what does not fit
        // give LLONG_MIN on x86.
        const n = lua.lua_tonumber(L, idx);
        out.int(Number.isFinite(n) && Math.abs(n) < 9223372036854775808 ? BigInt(Math.trunc(n)) : -9223372036854775808n);
        return;
      }
      case lua.LUA_TTABLE:
        this.writeTable(out, idx, depth);
        return;
      default:
        out.nullBulk();
    }
  }

  private writeTable(out: ReplyWriter, idx: number, depth: number): void {
    const L = this.L;
    const t = lua.lua_absindex(L, idx);
    if (depth > 1000 || !lua.lua_checkstack(L, 4)) {
      out.error('ERR reached lua stack limit');
      return;
    }
    const err = this.rawStringField(t, 'err');
    if (err !== null) {
      if (this.rawTruthy(t, 'ignore_error_stats_update')) out.errorAlreadyCounted(err);
      else out.error(err);
      return;
    }
    const ok = this.rawStringField(t, 'ok');
    if (ok !== null) {
      out.simple(ok.replace(/[\r\n]/g, ' '));
      return;
    }
    if (this.resp === 3) {
      lua.lua_getfield(L, t, 'double');
      if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
        const d = lua.lua_tonumber(L, -1);
        lua.lua_pop(L, 1);
        out.double(formatDouble(d));
        return;
      }
      lua.lua_pop(L, 1);
      for (const kind of ['map', 'set'] as const) {
        lua.lua_getfield(L, t, kind);
        if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
          const m = lua.lua_gettop(L);
          let n = 0;
          lua.lua_pushnil(L);
          while (lua.lua_next(L, m) !== 0) {
            n++;
            lua.lua_pop(L, 1);
          }
          if (kind === 'map') out.map(n);
          else out.set(n);
          lua.lua_pushnil(L);
          while (lua.lua_next(L, m) !== 0) {
            this.writeReply(out, -2, depth + 1);
            if (kind === 'map') this.writeReply(out, -1, depth + 1);
            lua.lua_pop(L, 1);
          }
          lua.lua_pop(L, 1);
          return;
        }
        lua.lua_pop(L, 1);
      }
    }
    // An array: the elements up to the first nil.
    let n = 0;
    while (lua.lua_rawgeti(L, t, n + 1) !== lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      n++;
    }
    lua.lua_pop(L, 1);
    out.array(n);
    for (let i = 1; i <= n; i++) {
      lua.lua_rawgeti(L, t, i);
      this.writeReply(out, -1, depth + 1);
      lua.lua_pop(L, 1);
    }
  }

  private rawTruthy(t: number, name: string): boolean {
    const L = this.L;
    lua.lua_pushstring(L, name);
    lua.lua_rawget(L, t);
    const v = lua.lua_toboolean(L, -1);
    lua.lua_pop(L, 1);
    return v;
  }

  private rawStringField(t: number, name: string): string | null {
    const L = this.L;
    lua.lua_pushstring(L, name);
    const type = lua.lua_rawget(L, t);
    const v = type === lua.LUA_TSTRING ? toBytes(L, -1) : null;
    lua.lua_pop(L, 1);
    return v;
  }

  // ---- reply → Lua value (Redis's redisProtocolToLuaType) --------------------------------

  /** Pushes the reply in `resp` (one complete RESP value at `pos`); returns the position after. */
  private pushReply(L: any, resp: string, pos: number): number {
    const type = resp.charCodeAt(pos);
    const eol = resp.indexOf('\r\n', pos);
    const line = resp.slice(pos + 1, eol);
    let next = eol + 2;
    switch (type) {
      case 43: // '+'
        pushFieldTable(L, 'ok', line);
        return next;
      case 45: // '-'
        pushFieldTable(L, 'err', line);
        return next;
      case 58: // ':'
        pushNumber(L, Number(line));
        return next;
      case 36: // '$'
      case 61: {
        // '=' verbatim (RESP3)
        const len = Number(line);
        if (len < 0) {
          lua.lua_pushboolean(L, false);
          return next;
        }
        const s = resp.slice(next, next + len);
        if (type === 61) {
          lua.lua_newtable(L);
          lua.lua_newtable(L);
          pushBytes(L, s.slice(4));
          lua.lua_setfield(L, -2, 'string');
          pushBytes(L, s.slice(0, 3));
          lua.lua_setfield(L, -2, 'format');
          lua.lua_setfield(L, -2, 'verbatim_string');
        } else pushBytes(L, s);
        return next + len + 2;
      }
      case 42: // '*'
      case 126: // '~'
      case 37: // '%'
      case 62: {
        // '>'
        const n = Number(line);
        if (n < 0) {
          lua.lua_pushboolean(L, false);
          return next;
        }
        lua.lua_checkstack(L, 4);
        if (type === 42 || type === 62) {
          lua.lua_createtable(L, n, 0);
          for (let i = 1; i <= n; i++) {
            next = this.pushReply(L, resp, next);
            lua.lua_rawseti(L, -2, i);
          }
          return next;
        }
        lua.lua_newtable(L);
        lua.lua_newtable(L);
        for (let i = 0; i < n; i++) {
          next = this.pushReply(L, resp, next);
          if (type === 37) next = this.pushReply(L, resp, next);
          else lua.lua_pushboolean(L, true);
          lua.lua_settable(L, -3);
        }
        lua.lua_setfield(L, -2, type === 37 ? 'map' : 'set');
        return next;
      }
      case 95: // '_'
        lua.lua_pushnil(L);
        return next;
      case 35: // '#'
        lua.lua_pushboolean(L, line === 't');
        return next;
      case 44: // ','
        lua.lua_newtable(L);
        lua.lua_pushnumber(L, line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line));
        lua.lua_setfield(L, -2, 'double');
        return next;
      case 40: // '('
        pushFieldTable(L, 'big_number', line);
        return next;
      default:
        throw Object.assign(new Error(`unexpected reply type ${String.fromCharCode(type)} for a script`), { code: 'SCRIPT_REPLY' });
    }
  }

  // ---- the redis library -----------------------------------------------------------------

  private registerRedis(): void {
    const L = this.L;
    lua.lua_newtable(L);
    const fn = (name: string, f: (l: any) => number): void => {
      lua.lua_pushcfunction(L, f);
      lua.lua_setfield(L, -2, name);
    };
    const int = (name: string, v: number): void => {
      lua.lua_pushinteger(L, v);
      lua.lua_setfield(L, -2, name);
    };
    fn('call', (l) => this.redisCall(l, true));
    fn('pcall', (l) => this.redisCall(l, false));
    fn('error_reply', (l) => this.returnHelper(l, 'err'));
    fn('status_reply', (l) => this.returnHelper(l, 'ok'));
    fn('sha1hex', (l) => {
      if (lua.lua_gettop(l) !== 1) return this.raise(l, 'ERR wrong number of arguments');
      const s = lua.lua_isstring(l, 1) ? toBytes(l, 1) : '';
      lua.lua_pushstring(l, sha1hex(s));
      return 1;
    });
    fn('log', (l) => {
      const argc = lua.lua_gettop(l);
      if (argc < 2) return this.raise(l, 'ERR redis.log() requires two arguments or more.');
      if (!lua.lua_isnumber(l, 1)) return this.raise(l, 'ERR First argument must be a number (log level).');
      const level = lua.lua_tonumber(l, 1);
      if (level < 0 || level > 3) return this.raise(l, 'ERR Invalid debug level.');
      const parts: string[] = [];
      for (let i = 2; i <= argc; i++) if (lua.lua_isstring(l, i)) parts.push(toBytes(l, i));
      this.host?.log(level, parts.join(' '));
      return 0;
    });
    fn('setresp', (l) => {
      if (lua.lua_gettop(l) !== 1) return this.raise(l, 'ERR redis.setresp() requires one argument.');
      const v = lua.lua_tonumber(l, 1);
      if (v !== 2 && v !== 3) return this.raise(l, 'ERR RESP version must be 2 or 3.');
      this.resp = v;
      this.host?.setResp(v);
      return 0;
    });
    // redis.set_repl: Redis 7.0 always replicates a script's effects; choosing where they go
    // (AOF only, replicas only, nowhere) is accepted and checked but has no effect in Hoard,
    // whose one mutation log feeds both the AOF and the replicas (README: Scripting).
    fn('set_repl', (l) => {
      if (lua.lua_gettop(l) !== 1) return this.raise(l, 'ERR redis.set_repl() requires one argument.');
      const v = lua.lua_tonumber(l, 1);
      if (!Number.isInteger(v) || v < 0 || v > 3) return this.raise(l, 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      return 0;
    });
    // redis.replicate_commands: a no-op returning true since Redis 5 (effects are always replicated).
    fn('replicate_commands', (l) => {
      lua.lua_pushboolean(l, true);
      return 1;
    });
    int('LOG_DEBUG', 0);
    int('LOG_VERBOSE', 1);
    int('LOG_NOTICE', 2);
    int('LOG_WARNING', 3);
    int('REPL_NONE', 0);
    int('REPL_AOF', 1);
    int('REPL_SLAVE', 2);
    int('REPL_REPLICA', 2);
    int('REPL_ALL', 3);
    // redis.REDIS_VERSION and REDIS_VERSION_NUM (luaRegisterVersion): the version Hoard answers as.
    pushBytes(L, VERSION);
    lua.lua_setfield(L, -2, 'REDIS_VERSION');
    const [maj, min, patch] = VERSION.split('.').map(Number);
    int('REDIS_VERSION_NUM', (maj << 16) | (min << 8) | patch);
    lua.lua_setglobal(L, 'redis');
  }

  /** Raises {err = msg} (Redis's luaPushError + luaError). */
  private raise(l: any, msg: string): number {
    pushFieldTable(l, 'err', msg);
    return lua.lua_error(l);
  }

  private returnHelper(l: any, field: 'err' | 'ok'): number {
    if (lua.lua_gettop(l) !== 1 || lua.lua_type(l, 1) !== lua.LUA_TSTRING) {
      pushFieldTable(l, 'err', 'ERR wrong number or type of arguments');
      return 1;
    }
    let v = toBytes(l, 1);
    if (field === 'err') {
      // Redis's luaPushErrorBuff: "-CODE msg" keeps its code, a message without one gets ERR.
      if (v[0] !== '-') v = '-' + v;
      const sp = v.indexOf(' ');
      v = sp < 0 ? 'ERR ' + v.slice(1) : v.slice(1);
    }
    pushFieldTable(l, field, v);
    return 1;
  }

  /** redis.call / redis.pcall (Redis's luaRedisGenericCommand). */
  private redisCall(l: any, raise: boolean): number {
    const argc = lua.lua_gettop(l);
    const fail = (msg: string): number => {
      if (raise) return this.raise(l, msg);
      pushFieldTable(l, 'err', msg);
      return 1;
    };
    if (argc === 0) return fail('ERR Please specify at least one argument for this redis lib call');
    const argv: string[] = new Array(argc);
    for (let i = 1; i <= argc; i++) {
      const t = lua.lua_type(l, i);
      if (t === lua.LUA_TNUMBER) argv[i - 1] = lua.lua_isinteger(l, i) ? String(lua.lua_tointeger(l, i)) : numberArg(lua.lua_tonumber(l, i));
      else if (t === lua.LUA_TSTRING) argv[i - 1] = toBytes(l, i);
      else return fail('ERR Lua redis lib command arguments must be strings or integers');
    }
    const host = this.host;
    if (host === null) return fail('ERR redis.call outside a script');
    const reply = host.call(argv);
    if (reply.length === 0) lua.lua_pushboolean(l, false);
    else this.pushReply(l, reply, 0);
    if (reply.charCodeAt(0) === 45 && host.lastCallRan) {
      // Counted in INFO errorstats when the command failed: a script passing it on does not
      // count it again (Redis marks the table the same way).
      lua.lua_pushboolean(l, true);
      lua.lua_setfield(l, -2, 'ignore_error_stats_update');
    }
    if (raise && reply.charCodeAt(0) === 45) return lua.lua_error(l);
    return 1;
  }

  private onHook(l: any): void {
    if (this.killedWith === null) {
      const msg = this.host?.hook() ?? null;
      if (msg === null) return;
      this.killedWith = msg;
      // From now on every instruction raises again, so a pcall in the script cannot swallow it.
      lua.lua_sethook(l, this.hookFn, lua.LUA_MASKCOUNT, 1);
    }
    this.raise(l, this.killedWith as string);
  }

  // ---- cjson -----------------------------------------------------------------------------

  private registerCjson(): void {
    const L = this.L;
    lua.lua_newtable(L);
    lua.lua_pushcfunction(L, (l: any) => {
      if (lua.lua_gettop(l) !== 1) return lauxlib.luaL_error(l, 'bad argument #1 to \'encode\' (expected 1 argument)');
      const parts: string[] = [];
      this.encodeJson(l, 1, parts, 0);
      pushBytes(l, parts.join(''));
      return 1;
    });
    lua.lua_setfield(L, -2, 'encode');
    lua.lua_pushcfunction(L, (l: any) => {
      const text = lua.lua_isstring(l, 1) ? toBytes(l, 1) : '';
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(text, 'latin1').toString('utf8'));
      } catch (e) {
        return lauxlib.luaL_error(l, 'Expected value but found invalid token at character 1');
      }
      this.pushJson(l, value, 0);
      return 1;
    });
    lua.lua_setfield(L, -2, 'decode');
    lua.lua_pushlightuserdata(L, this.cjsonNull);
    lua.lua_setfield(L, -2, 'null');
    lua.lua_setglobal(L, 'cjson');
  }

  private encodeJson(l: any, idx: number, out: string[], depth: number): void {
    if (depth > 1000) {
      lauxlib.luaL_error(l, 'Cannot serialise, excessive nesting (1001)');
      return;
    }
    switch (lua.lua_type(l, idx)) {
      case lua.LUA_TNIL:
        out.push('null');
        return;
      case lua.LUA_TBOOLEAN:
        out.push(lua.lua_toboolean(l, idx) ? 'true' : 'false');
        return;
      case lua.LUA_TNUMBER: {
        const n = lua.lua_tonumber(l, idx);
        if (!Number.isFinite(n)) lauxlib.luaL_error(l, 'Cannot serialise number: must not be NaN or Inf');
        out.push(lua.lua_isinteger(l, idx) ? String(lua.lua_tointeger(l, idx)) : formatG14(n));
        return;
      }
      case lua.LUA_TSTRING:
        // Bytes as they are (cjson escapes only the JSON specials and control bytes).
        out.push(jsonString(toBytes(l, idx)));
        return;
      case lua.LUA_TLIGHTUSERDATA:
        if (lua.lua_touserdata(l, idx) === this.cjsonNull) {
          out.push('null');
          return;
        }
        break;
      case lua.LUA_TTABLE: {
        const t = lua.lua_absindex(l, idx);
        lua.lua_checkstack(l, 4);
        // An array when every key is a positive integer (cjson's lua_array_length), else an object.
        let max = 0;
        let items = 0;
        let array = true;
        lua.lua_pushnil(l);
        while (lua.lua_next(l, t) !== 0) {
          lua.lua_pop(l, 1);
          items++;
          if (array && lua.lua_type(l, -1) === lua.LUA_TNUMBER) {
            const k = lua.lua_tonumber(l, -1);
            if (Number.isInteger(k) && k >= 1) {
              if (k > max) max = k;
              continue;
            }
          }
          array = false;
        }
        if (array && items > 0 && max > items * 2 && max > 10) lauxlib.luaL_error(l, 'Cannot serialise table: excessively sparse array');
        if (array && items > 0) {
          out.push('[');
          for (let i = 1; i <= max; i++) {
            if (i > 1) out.push(',');
            lua.lua_rawgeti(l, t, i);
            this.encodeJson(l, -1, out, depth + 1);
            lua.lua_pop(l, 1);
          }
          out.push(']');
          return;
        }
        out.push('{');
        let first = true;
        lua.lua_pushnil(l);
        while (lua.lua_next(l, t) !== 0) {
          const kt = lua.lua_type(l, -2);
          if (kt !== lua.LUA_TSTRING && kt !== lua.LUA_TNUMBER) lauxlib.luaL_error(l, 'Cannot serialise table: table key must be a number or string');
          if (!first) out.push(',');
          first = false;
          lua.lua_pushvalue(l, -2);
          const key = toBytes(l, -1);
          lua.lua_pop(l, 1);
          out.push(jsonString(key), ':');
          this.encodeJson(l, -1, out, depth + 1);
          lua.lua_pop(l, 1);
        }
        out.push('}');
        return;
      }
    }
    const typeName = Buffer.from(lua.lua_typename(l, lua.lua_type(l, idx)) as Uint8Array).toString('latin1');
    lauxlib.luaL_error(l, `Cannot serialise ${typeName}: type not supported`);
  }

  private pushJson(l: any, v: unknown, depth: number): void {
    if (depth > 1000) {
      lauxlib.luaL_error(l, 'Found too many nested data structures (1001)');
      return;
    }
    lua.lua_checkstack(l, 4);
    if (v === null) lua.lua_pushlightuserdata(l, this.cjsonNull);
    else if (typeof v === 'boolean') lua.lua_pushboolean(l, v);
    else if (typeof v === 'number') pushNumber(l, v);
    else if (typeof v === 'string') pushBytes(l, Buffer.from(v, 'utf8').toString('latin1'));
    else if (Array.isArray(v)) {
      lua.lua_createtable(l, v.length, 0);
      for (let i = 0; i < v.length; i++) {
        this.pushJson(l, v[i], depth + 1);
        lua.lua_rawseti(l, -2, i + 1);
      }
    } else {
      lua.lua_newtable(l);
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        pushBytes(l, Buffer.from(k, 'utf8').toString('latin1'));
        this.pushJson(l, x, depth + 1);
        lua.lua_rawset(l, -3);
      }
    }
  }

  // ---- bit (LuaBitOp) --------------------------------------------------------------------

  private registerBit(): void {
    const L = this.L;
    lua.lua_newtable(L);
    const arg = (l: any, i: number): number => {
      const n = lauxlib.luaL_checknumber(l, i);
      // LuaBitOp's tobit: the number modulo 2^32, as a signed 32-bit integer.
      return Number(BigInt.asIntN(32, BigInt(Math.trunc(n) % 4294967296))) | 0;
    };
    const fold = (name: string, op: (a: number, b: number) => number): void => {
      lua.lua_pushcfunction(L, (l: any) => {
        let r = arg(l, 1);
        const n = lua.lua_gettop(l);
        for (let i = 2; i <= n; i++) r = op(r, arg(l, i));
        lua.lua_pushinteger(l, r | 0);
        return 1;
      });
      lua.lua_setfield(L, -2, name);
    };
    const unary = (name: string, op: (a: number, l: any) => number): void => {
      lua.lua_pushcfunction(L, (l: any) => {
        lua.lua_pushinteger(l, op(arg(l, 1), l) | 0);
        return 1;
      });
      lua.lua_setfield(L, -2, name);
    };
    fold('band', (a, b) => a & b);
    fold('bor', (a, b) => a | b);
    fold('bxor', (a, b) => a ^ b);
    unary('tobit', (a) => a);
    unary('bnot', (a) => ~a);
    unary('bswap', (a) => ((a >>> 24) | ((a >> 8) & 0xff00) | ((a << 8) & 0xff0000) | (a << 24)));
    unary('lshift', (a, l) => a << (arg(l, 2) & 31));
    unary('rshift', (a, l) => a >>> (arg(l, 2) & 31));
    unary('arshift', (a, l) => a >> (arg(l, 2) & 31));
    unary('rol', (a, l) => {
      const s = arg(l, 2) & 31;
      return (a << s) | (a >>> (32 - s));
    });
    unary('ror', (a, l) => {
      const s = arg(l, 2) & 31;
      return (a >>> s) | (a << (32 - s));
    });
    lua.lua_pushcfunction(L, (l: any) => {
      let x = arg(l, 1);
      let n = lua.lua_isnoneornil(l, 2) ? 8 : arg(l, 2);
      let digits = '0123456789abcdef';
      if (n < 0) {
        n = -n;
        digits = '0123456789ABCDEF';
      }
      if (n > 8) n = 8;
      let s = '';
      for (let i = 0; i < n; i++) {
        s = digits[x & 15] + s;
        x >>>= 4;
      }
      lua.lua_pushstring(l, s);
      return 1;
    });
    lua.lua_setfield(L, -2, 'tohex');
    lua.lua_setglobal(L, 'bit');
  }
}

/**
 * Lua 5.3's "attempt to index a nil value (local 'a')" in Lua 5.1's words, "attempt to index
 * local 'a' (a nil value)", which Redis users see and match on.
 */
function lua51TypeError(msg: string): string {
  return msg.replace(/attempt to (.+?) an? (\w+) value \((global|local|field|upvalue|method|constant) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)");
}

function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  return formatG14(d);
}

/** cjson's string escaping: JSON specials, control bytes as \u00XX, "/" as "\/". */
function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c === 47) out += '\\/';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c < 32 || c === 127) out += '\\u00' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + '"';
}
