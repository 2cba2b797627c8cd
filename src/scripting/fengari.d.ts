// fengari (Lua 5.3 in JavaScript) ships no types: its C-like API is used through `any`, in
// src/scripting/lua.ts only.
declare module 'fengari' {
  const fengari: {
    lua: any;
    lauxlib: any;
    lualib: any;
    to_luastring(s: string): Uint8Array;
  };
  export default fengari;
}
