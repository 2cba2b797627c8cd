// Loads fengari (Lua 5.3 in JavaScript) once per process, set up to behave like Redis's Lua
// 5.1 where scripts notice, and the two byte helpers every part of src/scripting/ uses.
// Invariant: Lua strings are bytes; a JavaScript string crossing into or out of Lua is latin1
// (one char per byte), never UTF-8.

import { createRequire } from 'node:module';

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
    o.setsvalue(luaS_bless(L, to_luastring(lua51Number(o.value))));
  };
  const str2num = lobject.luaO_str2num;
  lobject.luaO_str2num = (s: Uint8Array, o: any): number => {
    const n = str2num(s, o);
    if (n !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
    return n;
  };
  return fengari;
}

/**
 * The exact decimal digits of a finite non-zero double's magnitude and the exponent of the
 * first one (value = 0.d1d2d3... x 10^(exp+1)), from its binary form with BigInt.
 */
function exactDigits(n: number): { digits: string; exp: number } {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, Math.abs(n));
  const bits = v.getBigUint64(0);
  const be = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e = be - 1075;
  if (be === 0) e = -1074;
  else mant |= 1n << 52n;
  // value = mant * 2^e; for e < 0 that is mant * 5^-e / 10^-e.
  const digits = e >= 0 ? (mant << BigInt(e)).toString() : (mant * 5n ** BigInt(-e)).toString();
  const scale = e >= 0 ? 0 : -e;
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, exp: digits.length - 1 - scale };
}

/**
 * n.toExponential(p - 1), but rounding an exact tie to even as C's printf does (JavaScript
 * rounds it up: 123456789012345 at 14 digits is 1.2345678901234e+14 in C, ...235 in JS).
 */
function toExponentialC(n: number, p: number): string {
  const js = n.toExponential(p - 1);
  const longer = n.toExponential(p);
  if (longer.split('e')[0].slice(-1) !== '5') return js;
  const { digits, exp } = exactDigits(n);
  if (digits.length !== p + 1 || digits[p] !== '5' || Number(digits[p - 1]) % 2 === 1) return js;
  // An exact tie with an even last kept digit: truncate instead of rounding up.
  const kept = digits.slice(0, p);
  const sign = n < 0 ? '-' : '';
  return `${sign}${kept[0]}${p > 1 ? '.' + kept.slice(1) : ''}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

/** C's "%.<p>g" for a finite number. */
export function formatG(n: number, p: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [m, es] = toExponentialC(n, p).split('e');
  const x = Number(es);
  const trim = (t: string): string => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (x < -4 || x >= p) return `${trim(m)}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  // Fixed notation from the same p rounded digits (so a tie rounds to even here too).
  const neg = m[0] === '-';
  const digits = m.replace('-', '').replace('.', '');
  const body = x >= 0 ? digits.slice(0, x + 1) + '.' + digits.slice(x + 1) : '0.' + '0'.repeat(-x - 1) + digits;
  return (neg ? '-' : '') + trim(body);
}

/** Lua 5.1's "%.14g" (cjson's default number precision too). */
export function formatG14(n: number): string {
  return formatG(n, 14);
}


/**
 * A float as Lua 5.1 prints it (glibc's "%.14g"): inf, -inf, and "-nan" for a NaN with its
 * sign bit set (0/0 on x86, in V8 as in C), "nan" otherwise.
 */
export function lua51Number(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isNaN(n)) {
    NAN_VIEW.setFloat64(0, n);
    return (NAN_VIEW.getUint8(0) & 0x80) !== 0 ? '-nan' : 'nan';
  }
  return formatG14(n);
}

const NAN_VIEW = new DataView(new ArrayBuffer(8));

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

