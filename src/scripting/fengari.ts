// Loads fengari (Lua 5.3 in JavaScript) once per process, set up to behave like Redis's Lua
// 5.1 where scripts notice, and the two byte helpers every part of src/scripting/ uses.
// Invariant: Lua strings are bytes; a JavaScript string crossing into or out of Lua is latin1
// (one char per byte), never UTF-8.

import { createRequire } from 'node:module';
import { cFormatNumber } from './printf.js';

/**
 * Loads fengari set up to behave as Redis's Lua 5.1 where scripts notice:
 * - floats print as 5.1's "%.14g" (tostring(10/2) is "5", 1e14 is "1e+14", math.huge "inf");
 * - Lua 5.1 has one number type, a double; fengari's integers are 32-bit and wrap, so
 *   `tonumber(ARGV[1]) * 1000` on a timestamp would overflow. Every number parsed from text
 *   (source literals, tonumber, string coercions: all go through luaO_str2num, which the lexer,
 *   the VM and the API call through the module object) becomes a float instead.
 */
function loadFengari(): { lua: any; lauxlib: any; lualib: any } {
  const require = createRequire(import.meta.url);
  const fengari = require('fengari');
  const lobject = require('fengari/src/lobject.js');
  const { luaS_bless } = require('fengari/src/lstring.js');
  const { to_luastring } = require('fengari/src/defs.js');
  // Number to string (tostring, .., string coercion, %s) as Lua 5.1's "%.14g"; fengari's
  // own goes through JavaScript's toString ("Infinity", "NaN", 1e14 in full, no "-0").
  const tostring = lobject.luaO_tostring;
  lobject.luaO_tostring = (L: unknown, o: any): void => {
    if (o.ttisinteger()) return tostring(L, o);
    o.setsvalue(luaS_bless(L, to_luastring(formatG14(o.value))));
  };
  const str2num = lobject.luaO_str2num;
  lobject.luaO_str2num = (s: Uint8Array, o: any): number => {
    const n = str2num(s, o);
    if (n !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
    return n;
  };
  return fengari;
}

/** C's "%.<p>g" (glibc: inf, -nan, exact rounding with ties to even). */
export function formatG(n: number, p: number): string {
  return cFormatNumber('', 0, p, 'g', n);
}

/** Lua 5.1's "%.14g": how it prints a number (cjson's default number precision too). */
export function formatG14(n: number): string {
  return formatG(n, 14);
}

// fengari ships no types: its C-like API is used through `any` inside src/scripting/ only.
// Loaded by the first Lua VM (the first EVAL, SCRIPT LOAD or FUNCTION), not at start-up: its
// 40-odd modules took ~80 ms of every server's start. Live bindings: importers see them set.
export let lua: any;
export let lauxlib: any;
export let lualib: any;

/** Loads fengari if no VM has yet: a LuaVm calls it before it touches lua/lauxlib/lualib. */
export function loadLua(): void {
  if (lua === undefined) ({ lua, lauxlib, lualib } = loadFengari());
}

/** A latin1 string onto the Lua stack, as the bytes it stands for. */
export function pushBytes(L: unknown, s: string): void {
  lua.lua_pushstring(L, Buffer.from(s, 'latin1'));
}

export function toBytes(L: unknown, idx: number): string {
  const u8: Uint8Array = lua.lua_tolstring(L, idx);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString('latin1');
}

