// The `struct` library of Redis's Lua (Roberto Ierusalimschy's struct.c): pack(fmt, ...),
// unpack(fmt, s [, pos]) → values then the next position, size(fmt). Formats: > < ! (endianness,
// alignment), b B h H l L T i[n] I[n] (integers of 1, 2, 8, 8, 4 or n bytes), f d, s (zero-ended
// string), c[n] (n bytes; c0: all, or in unpack the size read just before), x (a zero byte).
// Invariant: the sizes and the native byte order are those of Redis on x86-64 (little-endian,
// long and size_t of 8 bytes, maximum alignment 8), so packed bytes equal Redis's.

import { lua, lauxlib, pushBytes, toBytes } from './fengari.js';

const LITTLE = 1;
const BIG = 0;
const MAXINTSIZE = 32;
const MAXALIGN = 8;

interface Header {
  endian: number;
  align: number;
}

/** A format string with a cursor (struct.c's `const char **fmt`). */
interface Fmt {
  s: string;
  i: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function getnum(L: unknown, f: Fmt, df: number): number {
  if (!isDigit(f.s[f.i])) return df;
  let a = 0;
  do {
    if (a > 214748364 || a * 10 > 2147483647 - (f.s.charCodeAt(f.i) - 48)) lauxlib.luaL_error(L, 'integral size overflow');
    a = a * 10 + (f.s.charCodeAt(f.i++) - 48);
  } while (isDigit(f.s[f.i]));
  return a;
}

function optsize(L: unknown, opt: string, f: Fmt): number {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
      return 8;
    case 'f':
      return 4;
    case 'd':
      return 8;
    case 'x':
      return 1;
    case 'c':
      return getnum(L, f, 1);
    case 'i':
    case 'I': {
      const sz = getnum(L, f, 4);
      if (sz > MAXINTSIZE) lauxlib.luaL_error(L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    default:
      return 0;
  }
}

function gettoalign(len: number, h: Header, opt: string, size: number): number {
  if (size === 0 || opt === 'c') return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

function controloptions(L: unknown, opt: string, f: Fmt, h: Header): void {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h.endian = BIG;
      return;
    case '<':
      h.endian = LITTLE;
      return;
    case '!': {
      const a = getnum(L, f, MAXALIGN);
      if (a === 0 || (a & (a - 1)) !== 0) lauxlib.luaL_error(L, `alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
    default:
      lauxlib.luaL_argerror(L, 1, `invalid format option '${opt}'`);
  }
}

const dv = new DataView(new ArrayBuffer(8));

function floatBytes(n: number, size: 4 | 8, endian: number): string {
  if (size === 4) dv.setFloat32(0, n, endian === LITTLE);
  else dv.setFloat64(0, n, endian === LITTLE);
  let s = '';
  for (let i = 0; i < size; i++) s += String.fromCharCode(dv.getUint8(i));
  return s;
}

function pack(L: any): number {
  lauxlib.luaL_checklstring(L, 1);
  const f: Fmt = { s: toBytes(L, 1), i: 0 };
  const h: Header = { endian: LITTLE, align: 1 };
  let arg = 2;
  let total = 0;
  let out = '';
  while (f.i < f.s.length) {
    const opt = f.s[f.i++];
    let size = optsize(L, opt, f);
    const toalign = gettoalign(total, h, opt, size);
    total += toalign;
    out += '\0'.repeat(toalign);
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        const n = lauxlib.luaL_checknumber(L, arg++);
        // (unsigned 64-bit) of the number, least significant byte first, zeros past 8 bytes.
        let v = BigInt.asUintN(64, BigInt(Math.trunc(Number.isFinite(n) ? Math.max(-9223372036854775808, Math.min(n, 18446744073709551615)) : 0)));
        const bytes: string[] = new Array(size);
        for (let i = 0; i < size; i++) {
          bytes[h.endian === LITTLE ? i : size - 1 - i] = String.fromCharCode(Number(v & 0xffn));
          v >>= 8n;
        }
        out += bytes.join('');
        break;
      }
      case 'x':
        out += '\0';
        break;
      case 'f':
      case 'd':
        out += floatBytes(lauxlib.luaL_checknumber(L, arg++), size as 4 | 8, h.endian);
        break;
      case 'c':
      case 's': {
        lauxlib.luaL_checklstring(L, arg);
        const s = toBytes(L, arg++);
        if (size === 0) size = s.length;
        if (s.length < size) lauxlib.luaL_argerror(L, arg, 'string too short');
        out += s.slice(0, size);
        if (opt === 's') {
          out += '\0';
          size++;
        }
        break;
      }
      default:
        controloptions(L, opt, f, h);
    }
    total += size;
  }
  pushBytes(L, out);
  return 1;
}

function unpack(L: any): number {
  lauxlib.luaL_checklstring(L, 1);
  const f: Fmt = { s: toBytes(L, 1), i: 0 };
  lauxlib.luaL_checklstring(L, 2);
  const data = toBytes(L, 2);
  const ld = data.length;
  let pos = Number(lua.lua_isnoneornil(L, 3) ? 1 : lauxlib.luaL_checknumber(L, 3)) - 1;
  if (pos < 0) lauxlib.luaL_argerror(L, 3, 'offset must be 1 or greater');
  const h: Header = { endian: LITTLE, align: 1 };
  let n = 0;
  while (f.i < f.s.length) {
    const opt = f.s[f.i++];
    let size = optsize(L, opt, f);
    pos += gettoalign(pos, h, opt, size);
    if (pos + size > ld) lauxlib.luaL_argerror(L, 2, 'data string too short');
    lauxlib.luaL_checkstack(L, 2, 'too many results');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        let v = 0n;
        for (let i = 0; i < size; i++) {
          const at = h.endian === BIG ? pos + i : pos + size - 1 - i;
          v = BigInt.asUintN(64, (v << 8n) | BigInt(data.charCodeAt(at)));
        }
        // Signed formats (lower case) extend the field's sign bit.
        if (opt >= 'a') v = BigInt.asIntN(Math.min(size, 8) * 8, v);
        lua.lua_pushnumber(L, Number(v));
        n++;
        break;
      }
      case 'x':
        break;
      case 'f':
      case 'd':
        for (let i = 0; i < size; i++) dv.setUint8(i, data.charCodeAt(pos + i));
        lua.lua_pushnumber(L, size === 4 ? dv.getFloat32(0, h.endian === LITTLE) : dv.getFloat64(0, h.endian === LITTLE));
        n++;
        break;
      case 'c':
        if (size === 0) {
          if (n === 0 || !lua.lua_isnumber(L, -1)) lauxlib.luaL_error(L, "format 'c0' needs a previous size");
          size = Math.trunc(lua.lua_tonumber(L, -1));
          lua.lua_pop(L, 1);
          n--;
          if (!(size <= ld && pos <= ld - size)) lauxlib.luaL_argerror(L, 2, 'data string too short');
        }
        pushBytes(L, data.slice(pos, pos + size));
        n++;
        break;
      case 's': {
        const e = data.indexOf('\0', pos);
        if (e < 0) lauxlib.luaL_error(L, 'unfinished string in data');
        size = e - pos + 1;
        pushBytes(L, data.slice(pos, e));
        n++;
        break;
      }
      default:
        controloptions(L, opt, f, h);
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return n + 1;
}

function size(L: any): number {
  lauxlib.luaL_checklstring(L, 1);
  const f: Fmt = { s: toBytes(L, 1), i: 0 };
  const h: Header = { endian: LITTLE, align: 1 };
  let pos = 0;
  while (f.i < f.s.length) {
    const opt = f.s[f.i++];
    const sz = optsize(L, opt, f);
    pos += gettoalign(pos, h, opt, sz);
    if (opt === 's') lauxlib.luaL_argerror(L, 1, "option 's' has no fixed size");
    else if (opt === 'c' && sz === 0) lauxlib.luaL_argerror(L, 1, "option 'c0' has no fixed size");
    if (!/[A-Za-z0-9]/.test(opt)) controloptions(L, opt, f, h);
    pos += sz;
  }
  lua.lua_pushnumber(L, pos);
  return 1;
}

/** Pushes the struct table (the caller sets it as a global). */
export function pushStruct(L: unknown): void {
  lua.lua_newtable(L);
  for (const [name, fn] of [['pack', pack], ['unpack', unpack], ['size', size]] as const) {
    lua.lua_pushcfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
}
