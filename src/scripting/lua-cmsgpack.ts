// The `cmsgpack` library of Redis's Lua (lua_cmsgpack.c): pack(...) → MessagePack bytes,
// unpack(s) → the values, unpack_one(s [, offset]) and unpack_limit(s, limit [, offset]) →
// next offset (-1 at the end) then the values. BullMQ's scripts use it for job options.
// Invariant: the encoding chooses the same formats as lua_cmsgpack (smallest integer format,
// float32 when the double survives the round trip, str8 for 32..255 bytes, arrays for tables
// whose keys are exactly 1..n), so packed bytes equal Redis's; maps follow Lua's key order.

import { lua, lauxlib, pushBytes, toBytes } from './fengari.js';

/** lua_cmsgpack's LUACMSGPACK_MAX_NESTING: deeper tables are packed as nil. */
const MAX_NESTING = 16;

class Writer {
  private parts: number[] = [];
  private strs: string[] = [];
  byte(b: number): void {
    this.parts.push(b & 0xff);
  }
  bytesBE(n: bigint, size: number): void {
    for (let i = size - 1; i >= 0; i--) this.byte(Number((n >> BigInt(i * 8)) & 0xffn));
  }
  raw(s: string): void {
    this.flush();
    this.strs.push(s);
  }
  private flush(): void {
    if (this.parts.length > 0) {
      this.strs.push(String.fromCharCode(...this.parts));
      this.parts = [];
    }
  }
  done(): string {
    this.flush();
    return this.strs.join('');
  }
}

function encodeInt(w: Writer, n: bigint): void {
  if (n >= 0n) {
    if (n <= 127n) w.byte(Number(n));
    else if (n <= 0xffn) (w.byte(0xcc), w.bytesBE(n, 1));
    else if (n <= 0xffffn) (w.byte(0xcd), w.bytesBE(n, 2));
    else if (n <= 0xffffffffn) (w.byte(0xce), w.bytesBE(n, 4));
    else (w.byte(0xcf), w.bytesBE(n, 8));
  } else {
    const u = BigInt.asUintN(64, n);
    if (n >= -32n) w.byte(Number(u & 0xffn));
    else if (n >= -128n) (w.byte(0xd0), w.bytesBE(u, 1));
    else if (n >= -32768n) (w.byte(0xd1), w.bytesBE(u, 2));
    else if (n >= -2147483648n) (w.byte(0xd2), w.bytesBE(u, 4));
    else (w.byte(0xd3), w.bytesBE(u, 8));
  }
}

const f32 = new Float32Array(1);
const dv = new DataView(new ArrayBuffer(8));

function encodeNumber(w: Writer, n: number): void {
  // IS_INT64_EQUIVALENT: not infinite and equal to its (int64_t) cast.
  if (Number.isFinite(n) && Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) {
    encodeInt(w, BigInt(n));
    return;
  }
  f32[0] = n;
  if (f32[0] === n) {
    w.byte(0xca);
    dv.setFloat32(0, n);
    for (let i = 0; i < 4; i++) w.byte(dv.getUint8(i));
  } else {
    w.byte(0xcb);
    dv.setFloat64(0, n);
    for (let i = 0; i < 8; i++) w.byte(dv.getUint8(i));
  }
}

function encodeString(w: Writer, s: string): void {
  const len = s.length;
  if (len < 32) w.byte(0xa0 | len);
  else if (len <= 0xff) (w.byte(0xd9), w.byte(len));
  else if (len <= 0xffff) (w.byte(0xda), w.bytesBE(BigInt(len), 2));
  else (w.byte(0xdb), w.bytesBE(BigInt(len), 4));
  w.raw(s);
}

/** lua_cmsgpack's table_is_an_array: every key a positive integer, and as many keys as the largest. */
function isArray(L: unknown, t: number): boolean {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, t) !== 0) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
      lua.lua_pop(L, 1);
      return false;
    }
    const k = lua.lua_tonumber(L, -1);
    if (!Number.isInteger(k) || k < 1) {
      lua.lua_pop(L, 1);
      return false;
    }
    if (k > max) max = k;
    count++;
  }
  return max === count;
}

function encodeValue(L: unknown, w: Writer, idx: number, level: number): void {
  const t = lua.lua_type(L, idx);
  switch (t) {
    case lua.LUA_TSTRING:
      encodeString(w, toBytes(L, idx));
      return;
    case lua.LUA_TBOOLEAN:
      w.byte(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
      return;
    case lua.LUA_TNUMBER:
      encodeNumber(w, lua.lua_tonumber(L, idx));
      return;
    case lua.LUA_TTABLE: {
      if (level === MAX_NESTING) break;
      const tab = lua.lua_absindex(L, idx);
      lua.lua_checkstack(L, 4);
      if (isArray(L, tab)) {
        const n = lua.lua_rawlen(L, tab);
        if (n <= 15) w.byte(0x90 | n);
        else if (n <= 0xffff) (w.byte(0xdc), w.bytesBE(BigInt(n), 2));
        else (w.byte(0xdd), w.bytesBE(BigInt(n), 4));
        for (let i = 1; i <= n; i++) {
          lua.lua_rawgeti(L, tab, i);
          encodeValue(L, w, -1, level + 1);
          lua.lua_pop(L, 1);
        }
        return;
      }
      let n = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, tab) !== 0) {
        lua.lua_pop(L, 1);
        n++;
      }
      if (n <= 15) w.byte(0x80 | n);
      else if (n <= 0xffff) (w.byte(0xde), w.bytesBE(BigInt(n), 2));
      else (w.byte(0xdf), w.bytesBE(BigInt(n), 4));
      lua.lua_pushnil(L);
      while (lua.lua_next(L, tab) !== 0) {
        encodeValue(L, w, -2, level + 1);
        encodeValue(L, w, -1, level + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
  }
  w.byte(0xc0); // nil, and every type MessagePack has no form for
}

class DecodeError extends Error {}
const EOF_ERR = 'Missing bytes in input.';
const BADFMT = 'Bad data format in input.';

/** Decodes one value at s[pos] onto the stack; returns the position after it. */
function decodeValue(L: unknown, s: string, pos: number, depth: number): number {
  const need = (n: number) => {
    if (pos + n > s.length) throw new DecodeError(EOF_ERR);
  };
  const uint = (at: number, size: number): bigint => {
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(s.charCodeAt(at + i));
    return v;
  };
  const str = (lenSize: number): number => {
    need(1 + lenSize);
    const len = Number(uint(pos + 1, lenSize));
    need(1 + lenSize + len);
    const start = pos + 1 + lenSize;
    pushBytes(L, s.slice(start, start + len));
    return start + len;
  };
  const float = (size: 4 | 8): number => {
    need(1 + size);
    for (let i = 0; i < size; i++) dv.setUint8(i, s.charCodeAt(pos + 1 + i));
    lua.lua_pushnumber(L, size === 4 ? dv.getFloat32(0) : dv.getFloat64(0));
    return pos + 1 + size;
  };
  const num = (size: number, signed: boolean): number => {
    need(1 + size);
    let v = uint(pos + 1, size);
    if (signed) v = BigInt.asIntN(size * 8, v);
    lua.lua_pushnumber(L, Number(v));
    return pos + 1 + size;
  };
  const container = (n: number, at: number, map: boolean): number => {
    if (depth > 1000) throw new DecodeError(BADFMT);
    lua.lua_checkstack(L, 4);
    lua.lua_newtable(L);
    let p = at;
    for (let i = 1; i <= n; i++) {
      if (map) {
        p = decodeValue(L, s, p, depth + 1);
        p = decodeValue(L, s, p, depth + 1);
        lua.lua_settable(L, -3);
      } else {
        p = decodeValue(L, s, p, depth + 1);
        lua.lua_rawseti(L, -2, i);
      }
    }
    return p;
  };
  need(1);
  const b = s.charCodeAt(pos);
  if (b <= 0x7f) {
    lua.lua_pushnumber(L, b);
    return pos + 1;
  }
  if (b >= 0xe0) {
    lua.lua_pushnumber(L, b - 256);
    return pos + 1;
  }
  if ((b & 0xe0) === 0xa0) {
    const len = b & 0x1f;
    need(1 + len);
    pushBytes(L, s.slice(pos + 1, pos + 1 + len));
    return pos + 1 + len;
  }
  if ((b & 0xf0) === 0x90) return container(b & 0x0f, pos + 1, false);
  if ((b & 0xf0) === 0x80) return container(b & 0x0f, pos + 1, true);
  switch (b) {
    case 0xc0:
      lua.lua_pushnil(L);
      return pos + 1;
    case 0xc2:
    case 0xc3:
      lua.lua_pushboolean(L, b === 0xc3);
      return pos + 1;
    case 0xcc:
      return num(1, false);
    case 0xcd:
      return num(2, false);
    case 0xce:
      return num(4, false);
    case 0xcf:
      return num(8, false);
    case 0xd0:
      return num(1, true);
    case 0xd1:
      return num(2, true);
    case 0xd2:
      return num(4, true);
    case 0xd3:
      return num(8, true);
    case 0xca:
      return float(4);
    case 0xcb:
      return float(8);
    case 0xc4:
    case 0xd9:
      return str(1);
    case 0xc5:
    case 0xda:
      return str(2);
    case 0xc6:
    case 0xdb:
      return str(4);
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const size = b === 0xdc || b === 0xde ? 2 : 4;
      need(1 + size);
      return container(Number(uint(pos + 1, size)), pos + 1 + size, b >= 0xde);
    }
  }
  throw new DecodeError(BADFMT);
}

/** lua_cmsgpack's mp_unpack_full. */
function unpackFull(L: unknown, limit: number, offset: number): number {
  lauxlib.luaL_checklstring(L, 1);
  const s = toBytes(L, 1);
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) return lauxlib.luaL_error(L, `Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`);
  if (offset > s.length) return lauxlib.luaL_error(L, `Start offset ${offset} greater than input length ${s.length}.`);
  const max = decodeAll ? Infinity : limit;
  let pos = offset;
  let cnt = 0;
  try {
    for (; pos < s.length && cnt < max; cnt++) {
      lua.lua_checkstack(L, 2);
      pos = decodeValue(L, s, pos, 0);
    }
  } catch (e) {
    if (e instanceof DecodeError) return lauxlib.luaL_error(L, e.message);
    throw e;
  }
  if (!decodeAll) {
    lua.lua_pushnumber(L, pos >= s.length ? -1 : pos);
    lua.lua_insert(L, lua.lua_gettop(L) - cnt);
    cnt++;
  }
  return cnt;
}

/** Pushes the cmsgpack table (the caller sets it as a global). */
export function pushCmsgpack(L: unknown): void {
  lua.lua_newtable(L);
  const fn = (name: string, f: (l: any) => number) => {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, name);
  };
  fn('pack', (l) => {
    const argc = lua.lua_gettop(l);
    if (argc === 0) return lauxlib.luaL_argerror(l, 0, 'MessagePack pack needs input.');
    const w = new Writer();
    for (let i = 1; i <= argc; i++) encodeValue(l, w, i, 0);
    pushBytes(l, w.done());
    return 1;
  });
  fn('unpack', (l) => unpackFull(l, 0, 0));
  fn('unpack_one', (l) => unpackFull(l, 1, Number(lauxlib.luaL_optinteger(l, 2, 0))));
  fn('unpack_limit', (l) => unpackFull(l, Number(lauxlib.luaL_checkinteger(l, 2)), Number(lauxlib.luaL_optinteger(l, 3, 0))));
}
