// Loads fengari (Lua 5.3 in JavaScript) once per process, set up to behave like Redis's Lua
// 5.1 where scripts notice, and the two byte helpers every part of src/scripting/ uses.
// Invariant: Lua strings are bytes; a JavaScript string crossing into or out of Lua is latin1
// (one char per byte), never UTF-8.

import { createRequire } from 'node:module';

/**
 * Loads fengari set up to behave as Redis's Lua 5.1 where scripts notice:
 * - fengari reads its build options from FENGARICONF when first loaded: LUA_COMPAT_FLOATSTRING
 *   prints integral floats without ".0" (tostring(10/2) is "5", as in 5.1);
 * - Lua 5.1 has one number type, a double; fengari's integers are 32-bit and wrap, so
 *   `tonumber(ARGV[1]) * 1000` on a timestamp would overflow. Every number parsed from text
 *   (source literals, tonumber, string coercions: all go through luaO_str2num, which the lexer,
 *   the VM and the API call through the module object) becomes a float instead.
 */
function loadFengari(): { lua: any; lauxlib: any; lualib: any } {
  const require = createRequire(import.meta.url);
  const saved = process.env.FENGARICONF;
  process.env.FENGARICONF = JSON.stringify({ ...(saved ? JSON.parse(saved) : {}), LUA_COMPAT_FLOATSTRING: true });
  try {
    const fengari = require('fengari');
    const lobject = require('fengari/src/lobject.js');
    const str2num = lobject.luaO_str2num;
    lobject.luaO_str2num = (s: Uint8Array, o: any): number => {
      const n = str2num(s, o);
      if (n !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
      return n;
    };
    return fengari;
  } finally {
    if (saved === undefined) delete process.env.FENGARICONF;
    else process.env.FENGARICONF = saved;
  }
}

// fengari ships no types: its C-like API is used through `any` inside src/scripting/ only.
export const { lua, lauxlib, lualib } = loadFengari();

/** A latin1 string onto the Lua stack, as the bytes it stands for. */
export function pushBytes(L: unknown, s: string): void {
  lua.lua_pushstring(L, Buffer.from(s, 'latin1'));
}

export function toBytes(L: unknown, idx: number): string {
  const u8: Uint8Array = lua.lua_tolstring(L, idx);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString('latin1');
}

