// Functions (FUNCTION *, FCALL, FCALL_RO) against redis-server 7.0: the same commands sent to
// in-process Hoard and to a real redis-server, replies compared exactly (error texts included).
// Covers FUNCTION LOAD's metadata, load-time API and register_function errors, FCALL/FCALL_RO
// with keys, args and flags, FUNCTION LIST (RESP2 and RESP3 bytes), DELETE, FLUSH, STATS, and
// DUMP payloads restored across the two servers in both directions under each policy. Skipped
// only when redis-server is not installed.
//
// FUNCTION LIST orders libraries as each server's dictionary does: replies holding several
// libraries are compared sorted by library name. FUNCTION LOAD's 500 ms timeout is left out
// (slow); it has the same text on both (checked by hand).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { normReply, type Reply } from '../helpers/differential.js';
import { RawConn, RawSocket } from '../helpers/raw-conn.js';

const runIf = redisServerAvailable() ? describe : describe.skip;

const LIB = `#!lua name=mylib
local function incrby(keys, args)
  return redis.call('incrby', keys[1], args[1])
end
redis.register_function('my_incrby', incrby)
redis.register_function{function_name='my_get', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads a key'}
redis.register_function{function_name='my_echo', callback=function(keys, args) return {keys, args, #keys, #args} end, flags={'NO-WRITES', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}
redis.register_function('my_err', function() return redis.call('incr', 'str') end)
redis.register_function('my_globals', function() return KEYS end)
redis.register_function('my_raise', function() error('boom') end)`;

const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`;
const fn = (f: string, ret = '1') => `redis.register_function('${f}', function(keys, args) return ${ret} end)`;

/**
 * A FUNCTION LIST reply with its libraries, and each library's functions, sorted by name (each
 * library and function is a flat key/value array whose second element is its name).
 */
function sortedLibs(reply: Reply): Reply {
  if (!Array.isArray(reply)) return reply;
  const name = (l: unknown) => (Array.isArray(l) ? String(l[1]) : '');
  const byName = (a: unknown, b: unknown) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
  return [...reply]
    .map((l) => (Array.isArray(l) && Array.isArray(l[5]) ? [...l.slice(0, 5), [...l[5]].sort(byName), ...l.slice(6)] : l))
    .sort(byName);
}

runIf('functions differential against redis-server', () => {
  let hoard: Backend;
  let redis: Backend;
  beforeAll(async () => {
    [hoard, redis] = await Promise.all([inProcess(), realRedis()]);
  }, 30_000);
  afterAll(async () => {
    await hoard?.close();
    await redis?.close();
  });

  const call = async (b: Backend, args: Array<string | Buffer>): Promise<Reply> => {
    const bin = args.map((s) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s));
    return b.conn.callBuffer(bin[0].toString('latin1'), ...bin.slice(1)).then(normReply, normReply);
  };
  const both = async (args: Array<string | Buffer>): Promise<[Reply, Reply]> => [await call(hoard, args), await call(redis, args)];
  const same = async (args: Array<string | Buffer>, norm: (r: Reply) => Reply = (r) => r): Promise<Reply> => {
    const [h, r] = await both(args);
    expect([args, norm(h)]).toEqual([args, norm(r)]);
    return r;
  };
  const reset = async () => {
    await same(['function', 'flush']);
    await same(['flushall']);
  };

  it('FUNCTION LOAD: metadata, names and engine errors in Redis words', async () => {
    await reset();
    await same(['function', 'load', fn('f')]); // no shebang
    await same(['function', 'load', '#!lua name=x']); // no line end after the shebang
    await same(['function', 'load', '#!lua\n' + fn('f')]);
    await same(['function', 'load', '#!lua foo=bar\n' + fn('f')]);
    await same(['function', 'load', '#!lua name=a name=b\n' + fn('f')]);
    await same(['function', 'load', '#!lux name=a\n' + fn('f')]);
    await same(['function', 'load', '#!lua name=a-b\n' + fn('f')]);
    await same(['function', 'load', '#!lua name=\n' + fn('f')]);
    await same(['function', 'load', '#!lua name="a b"\n' + fn('f')]);
    await same(['function', 'load', '#!lua "name=unbalanced\n' + fn('f')]);
    await same(['function', 'load', '#!lua name="q"x\n' + fn('f')]);
    expect(await same(['function', 'load', '#!lua "name=quoted"\n' + fn('fq')])).toBe('quoted');
    await same(['function', 'load', '#!lua name=empty\n']);
    await same(['function', 'load', '#!lua name=empty\nreturn 5']);
    await same(['function', 'load', '#!lua name=syn\nredis.register_function(\'']);
    expect(await same(['function', 'load', '#!LUA   NAME=ok1  \n' + fn('f1')])).toBe('ok1');
    await same(['function', 'load', lib('ok1', fn('f9'))]); // library exists (checked before its code runs)
    await same(['function', 'load', lib('ok2', fn('f1'))]); // function exists in another library
    await same(['function', 'load', 'replace', lib('ok1', fn('f2'))]);
    await same(['fcall', 'f1', '0']); // replaced away
    await same(['fcall', 'f2', '0']);
    await same(['function', 'load', 'REPLACE', lib('ok1', fn('f2') + " '")]); // a failed replace keeps the old library
    await same(['fcall', 'f2', '0']);
    await same(['function', 'load', 'bogus', lib('ok3', fn('f3'))]);
    await same(['function', 'load', 'replace']);
    await same(['function', 'load']);
  });

  it('FUNCTION LOAD: only register_function, log and constants at load time; register_function argument errors', async () => {
    await reset();
    const bodies = [
      "redis.call('set', 'x', '1')",
      'redis.setresp(3)',
      'local t = string',
      'return tostring(1)',
      "error('boom')",
      'x = 1',
      'redis.foo = 1',
      'redis.register_function(1, 2, 3)',
      'redis.register_function(1)',
      "redis.register_function('f')",
      "redis.register_function('f', 'x')",
      "redis.register_function('f', function() end, 3)",
      "redis.register_function('f-x', function() end)",
      "redis.register_function('', function() end)",
      "redis.register_function('f', function() end) redis.register_function('f', function() end)",
      "redis.register_function{function_name='f', callback=function() end, flags={'bad'}}",
      "redis.register_function{function_name='f', callback=function() end, flags={1}}",
      "redis.register_function{function_name='f', callback=function() end, flags='no-writes'}",
      "redis.register_function{function_name='f', callback=function() end, foo=1}",
      "redis.register_function{'a', function() end}",
      'redis.register_function{callback=function() end}',
      "redis.register_function{function_name='f'}",
      "redis.register_function{function_name='f', callback='x'}",
      "redis.register_function{function_name={}, callback=function() end}",
      "redis.register_function{function_name='f', description={}, callback=function() end}",
      'local a = nil + 1',
    ];
    for (const body of bodies) await same(['function', 'load', lib('l', body)]);
    // What does exist at load time.
    await same(['function', 'load', lib('consts', "redis.log(redis.LOG_WARNING, 'loading') local v = redis.LOG_DEBUG .. redis.LOG_VERBOSE .. redis.LOG_NOTICE .. redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM redis.register_function('consts', function() return v end)")]);
    await same(['fcall', 'consts', '0']);
    await same(['function', 'load', lib('num', "redis.register_function{function_name=7, callback=function() return 'seven' end, description=3}")]);
    await same(['fcall', '7', '0']);
    await same(['function', 'list', 'libraryname', 'num'], sortedLibs);
  });

  it('FCALL and FCALL_RO: keys and args, flags, errors, runtime environment', async () => {
    await reset();
    expect(await same(['function', 'load', LIB])).toBe('mylib');
    await same(['set', 'str', 'abc']);
    await same(['fcall', 'my_incrby', '1', 'counter', '5']);
    await same(['fcall', 'my_incrby', '1', 'counter', '5']);
    await same(['fcall', 'my_get', '1', 'counter']);
    await same(['fcall_ro', 'my_get', '1', 'counter']);
    await same(['fcall_ro', 'my_incrby', '1', 'counter', '1']);
    await same(['fcall', 'my_echo', '2', 'k1', 'k2', 'a1', 'a2', 'a3']);
    await same(['fcall', 'my_echo', '0']);
    await same(['fcall_ro', 'my_echo', '1', 'k']);
    await same(['fcall', 'my_err', '0']);
    await same(['fcall', 'my_globals', '0']);
    await same(['fcall', 'my_raise', '0']);
    await same(['fcall', 'nope', '0']);
    await same(['fcall', 'my_echo', 'x']);
    await same(['fcall', 'my_echo', '-1']);
    await same(['fcall', 'my_echo', '3', 'a']);
    await same(['fcall', 'my_echo']);
    await same(['function', 'load', lib('rw', "redis.register_function{function_name='ro_set', callback=function(k) return redis.call('set', k[1], 'v') end, flags={'no-writes'}}\nredis.register_function('rf', function() return redis.register_function end)\nredis.register_function('nested', function() return redis.pcall('fcall', 'my_get', '1', 'x') end)\nredis.register_function('fload', function() return redis.pcall('function', 'load', 'x') end)")]);
    await same(['fcall', 'ro_set', '1', 'k']);
    await same(['fcall', 'rf', '0']);
    await same(['function', 'load', lib('ver', "redis.register_function('ver', function() return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM} end)")]);
    expect(await same(['fcall', 'ver', '0'])).toEqual([expect.stringMatching(/^7\.0\.\d+$/), expect.any(Number)]);
    await same(['fcall', 'nested', '0']);
    await same(['fcall', 'fload', '0']);
    // In a transaction.
    await same(['multi']);
    await same(['fcall', 'my_incrby', '1', 'counter', '1']);
    await same(['fcall_ro', 'my_get', '1', 'counter']);
    await same(['exec']);
    // From a script: FCALL is noscript.
    await same(['eval', "return redis.pcall('fcall', 'my_get', 1, 'counter')", '0']);
    await same(['eval', "return redis.pcall('function', 'flush')", '0']);
  });

  it('FUNCTION LIST (RESP2 and RESP3 bytes), STATS, DELETE, FLUSH, KILL, HELP', async () => {
    await reset();
    await same(['function', 'list']);
    await same(['function', 'stats']);
    await same(['function', 'load', LIB]);
    await same(['function', 'load', lib('other', fn('o1') + '\n' + fn('o2'))]);
    await same(['function', 'list'], sortedLibs);
    await same(['function', 'list', 'withcode'], sortedLibs);
    await same(['function', 'list', 'libraryname', 'my*'], sortedLibs);
    await same(['function', 'list', 'LIBRARYNAME', 'MY*', 'WITHCODE'], sortedLibs);
    await same(['function', 'list', 'withcode', 'libraryname', 'oth?r'], sortedLibs);
    await same(['function', 'list', 'libraryname', 'none*']);
    await same(['function', 'list', 'libraryname']);
    await same(['function', 'list', 'withcode', 'withcode']);
    await same(['function', 'list', 'foo']);
    await same(['function', 'stats']);
    // RESP3: maps, sets and nulls, byte for byte (one function per library: no ordering question).
    await same(['function', 'load', lib('r3', "redis.register_function{function_name='r3', callback=function(k, a) return {k, a} end, flags={'no-writes', 'allow-stale'}, description='d'}")]);
    await same(['function', 'load', lib('r4', fn('r4'))]);
    const h = new RawConn(hoard, true);
    const r = await RawSocket.connect(redis.port!);
    try {
      for (const args of [['hello', '3'], ['function', 'list', 'withcode', 'libraryname', 'r3'], ['function', 'list', 'libraryname', 'r4'], ['function', 'stats'], ['fcall', 'r3', '1', 'k', 'a']]) {
        const hb = await h.send(...args);
        const rb = await r.send(args);
        if (args[0] !== 'hello') expect([args, hb]).toEqual([args, rb]);
      }
    } finally {
      r.close();
    }
    await same(['function', 'delete', 'other']);
    await same(['function', 'delete', 'other']);
    await same(['function', 'delete']);
    await same(['function', 'delete', 'mylib']);
    await same(['function', 'list'], sortedLibs);
    await same(['function', 'load', LIB]);
    await same(['function', 'flush', 'bogus']);
    await same(['function', 'flush', 'async', 'x']);
    await same(['function', 'flush', 'ASYNC']);
    await same(['function', 'stats']);
    await same(['function', 'load', LIB]);
    await same(['function', 'flush', 'sync']);
    await same(['fcall', 'my_get', '1', 'x']);
    await same(['function', 'kill']);
    await same(['function', 'help']);
    await same(['function', 'nope']);
    await same(['function']);
  });

  it('FUNCTION DUMP on one server restores on the other, both ways, under FLUSH, APPEND and REPLACE', async () => {
    await reset();
    const [hEmpty, rEmpty] = await both(['function', 'dump']);
    expect(hEmpty).toEqual(rEmpty); // the footer alone
    await same(['function', 'load', LIB]);
    await same(['function', 'load', lib('other', fn('o1'))]);
    const dumpOf = async (b: Backend): Promise<Buffer> => b.conn.callBuffer('function', 'dump');
    const fromRedis = await dumpOf(redis);
    const fromHoard = await dumpOf(hoard);
    for (const [payload, what] of [[fromRedis, 'redis'], [fromHoard, 'hoard']] as const) {
      await same(['function', 'flush']);
      // Restoring onto nothing, then again: APPEND collides on the library name.
      expect(await both(['function', 'restore', payload])).toEqual(['OK', 'OK']);
      await same(['function', 'list'], sortedLibs);
      await same(['fcall', 'my_incrby', '1', 'n', '2']);
      // Which library collides first is each server's dictionary order.
      const [ha, ra] = await both(['function', 'restore', payload, 'APPEND']);
      expect([what, ha, ra]).toEqual([what, expect.stringMatching(/^ERROR: ERR Library (mylib|other) already exists$/), expect.stringMatching(/^ERROR: ERR Library (mylib|other) already exists$/)]);
      expect(await both(['function', 'restore', payload, 'replace'])).toEqual(['OK', 'OK']);
      expect(await both(['function', 'restore', payload, 'flush'])).toEqual(['OK', 'OK']);
      await same(['function', 'list', 'withcode'], sortedLibs);
      // REPLACE still fails on a function held by another library name.
      await same(['function', 'delete', 'other']);
      await same(['function', 'load', lib('thief', fn('o1'))]);
      const [hr, rr] = await both(['function', 'restore', payload, 'REPLACE']);
      expect([what, hr]).toEqual([what, rr]);
      expect(String(hr)).toMatch(/Function o1 already exists/);
      await same(['function', 'list', 'libraryname', 'thief'], sortedLibs);
      await same(['function', 'restore', payload, 'bogus']);
    }
    await same(['function', 'restore', 'garbage']);
    await same(['function', 'restore', fromRedis.toString('latin1'), 'flush', 'x']);
    // A payload that is a key's DUMP, not functions.
    await same(['set', 'plain', 'v']);
    const keyDump: Buffer = await redis.conn.callBuffer('dump', 'plain');
    expect(await both(['function', 'restore', keyDump])).toEqual(['ERROR: ERR given type is not a function', 'ERROR: ERR given type is not a function']);
  });

  it('over maxmemory: FUNCTION LOAD and FCALL of a function that may write are refused, no-writes and DELETE are not', async () => {
    await reset();
    await same(['function', 'load', LIB]);
    await same(['function', 'load', lib('oomok', "redis.register_function{function_name='oom_ok', callback=function(k) return redis.call('set', k[1], 'v') end, flags={'allow-oom'}}")]);
    try {
      await same(['config', 'set', 'maxmemory', '1']);
      expect(await same(['function', 'load', lib('late', fn('late'))])).toMatch(/^ERROR: OOM command not allowed/);
      await same(['function', 'restore', (await redis.conn.callBuffer('function', 'dump')) as Buffer, 'replace']);
      expect(await same(['fcall', 'my_incrby', '1', 'x', '1'])).toMatch(/^ERROR: OOM command not allowed/);
      await same(['fcall', 'my_echo', '1', 'k', 'a']);
      expect(await same(['fcall', 'oom_ok', '1', 'k'])).toBe('OK');
      await same(['function', 'delete', 'mylib']);
      await same(['function', 'flush']);
    } finally {
      await same(['config', 'set', 'maxmemory', '0']);
    }
  });

  it('INFO memory counts libraries and functions', async () => {
    await reset();
    await same(['function', 'load', LIB]);
    await same(['function', 'load', lib('other', fn('o1'))]);
    const field = (text: unknown, name: string) => new RegExp(`^${name}:(\\d+)`, 'm').exec(String(text))?.[1];
    const [h, r] = await both(['info', 'memory']);
    for (const f of ['number_of_functions', 'number_of_libraries']) expect([f, field(h, f)]).toEqual([f, field(r, f)]);
    expect(field(h, 'number_of_functions')).toBe('7');
    expect(Number(field(h, 'used_memory_functions'))).toBeGreaterThan(LIB.length);
  });
});
