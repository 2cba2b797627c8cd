// EVAL with a real client and the parts of scripting a reply comparison cannot show: ioredis
// defineCommand (EVALSHA, then EVAL on NOSCRIPT) and a Redlock-style release, run on Hoard and on
// redis-server with the same assertions; WATCH aborted by a script's write (both servers); a
// script's writes reaching the mutation log as ONE MULTI/EXEC unit without the EVAL itself; and
// the time limit that stands in for SCRIPT KILL (a deviation: Redis would answer BUSY to others).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { hoardTcp, inProcess, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';

const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const kinds: Array<'hoard' | 'redis'> = redisServerAvailable() ? ['hoard', 'redis'] : ['hoard'];

describe.each(kinds)('scripting with ioredis (%s)', (kind) => {
  let backend: Backend;
  let r: Redis;
  beforeAll(async () => {
    backend = kind === 'hoard' ? await hoardTcp() : await realRedis();
    r = new Redis({ port: backend.port!, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  }, 30_000);
  afterAll(async () => {
    r?.disconnect();
    await backend?.close();
  });

  it('defineCommand: EVALSHA misses (NOSCRIPT), falls back to EVAL, then EVALSHA hits', async () => {
    await r.script('FLUSH');
    r.defineCommand('incrTwice', { numberOfKeys: 1, lua: "redis.call('incrby', KEYS[1], ARGV[1]) return redis.call('incrby', KEYS[1], ARGV[1])" });
    await r.del('cnt');
    // ioredis sends EVAL the first time on a connection, EVALSHA after that.
    expect(await (r as any).incrTwice('cnt', 5)).toBe(10);
    expect(await (r as any).incrTwice('cnt', 1)).toBe(12);
    // Once the cache is flushed its EVALSHA gets NOSCRIPT, and it falls back to EVAL.
    await r.script('FLUSH');
    await r.config('RESETSTAT');
    expect(await (r as any).incrTwice('cnt', 1)).toBe(14);
    expect(await r.info('errorstats')).toMatch(/^errorstat_NOSCRIPT:count=1\r?$/m);
    const stats = await r.info('commandstats');
    expect(stats).toMatch(/^cmdstat_eval:calls=1,/m);
    expect(stats).toMatch(/^cmdstat_incrby:calls=2,/m);
    const sha = (await r.script('LOAD', "redis.call('incrby', KEYS[1], ARGV[1]) return redis.call('incrby', KEYS[1], ARGV[1])")) as string;
    expect(await r.script('EXISTS', sha)).toEqual([1]);
  });

  it('a script runs its commands as the calling user, under its ACL rules', async () => {
    await r.call('acl', 'setuser', 'scripter', 'on', 'nopass', '+eval', '+get', '+publish', '~a*', '&ch1');
    const u = new Redis({ port: backend.port!, host: '127.0.0.1', username: 'scripter', password: 'x', maxRetriesPerRequest: 1, enableReadyCheck: false });
    try {
      // Texts as redis-server 7.0.15 gives them.
      await expect(u.eval("return redis.call('set', 'a', 'b')", 0)).rejects.toThrow(
        /^ERR The user executing the script can't run this command or subcommand script: [0-9a-f]{40}, on @user_script:1\.$/,
      );
      await expect(u.eval("return redis.call('get', 'zzz')", 0)).rejects.toThrow(
        /^ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: [0-9a-f]{40}, on @user_script:1\.$/,
      );
      await expect(u.eval("return redis.call('publish', 'ch2', 'm')", 0)).rejects.toThrow(/^ERR The user executing the script can't publish to the channel mentioned in the command script: /);
      expect(await u.eval("return redis.pcall('set', 'a', 'b')['err']", 0)).toBe("ERR The user executing the script can't run this command or subcommand");
      expect(await u.eval("return redis.call('get', 'abc')", 0)).toBe(null);
    } finally {
      u.disconnect();
      await r.call('acl', 'deluser', 'scripter');
    }
  });

  it('numbers that do not fit a reply integer become LLONG_MIN, as C casts them in Redis', async () => {
    // Integers read as strings (stringNumbers): a double cannot hold LLONG_MIN's digits.
    const sn = new Redis({ port: backend.port!, host: '127.0.0.1', stringNumbers: true });
    try {
      expect(await sn.eval('return {math.huge, -math.huge, 0/0, 1e300, 2^53, -3.99}', 0)).toEqual([
        '-9223372036854775808', '-9223372036854775808', '-9223372036854775808', '-9223372036854775808', '9007199254740992', '-3',
      ]);
    } finally {
      sn.disconnect();
    }
  });

  it('CLIENT PAUSE WRITE holds scripts that may write, not read-only ones', async () => {
    const timed = async (f: () => Promise<unknown>) => {
      const t0 = Date.now();
      await f();
      return Date.now() - t0;
    };
    await r.client('PAUSE', 300, 'WRITE');
    const held = await timed(() => r.eval("return redis.call('set', 'p', '1')", 0));
    await r.client('PAUSE', 300, 'WRITE');
    const noWrites = await timed(() => r.eval("#!lua flags=no-writes\nreturn redis.call('get', 'p')", 0));
    const ro = await timed(() => r.eval_ro("return redis.call('get', 'p')", 0));
    const shebangWrite = await timed(() => r.eval("#!lua\nreturn redis.call('set', 'p', '2')", 0));
    expect(held).toBeGreaterThanOrEqual(200);
    expect(noWrites).toBeLessThan(150);
    expect(ro).toBeLessThan(150);
    expect(shebangWrite).toBeGreaterThanOrEqual(100);
    expect(await r.get('p')).toBe('2');
  });

  it('CLIENT TRACKING: an EVAL_RO tracks its declared keys, not what the script reads (Redis 7.0)', async () => {
    const sub = new Redis({ port: backend.port!, host: '127.0.0.1' });
    const tracked = new Redis({ port: backend.port!, host: '127.0.0.1' });
    try {
      const id = await sub.client('ID');
      const got: string[] = [];
      sub.on('message', (_ch: string, msg: string | string[]) => got.push(...(Array.isArray(msg) ? msg : [msg])));
      await sub.subscribe('__redis__:invalidate');
      await tracked.client('TRACKING', 'ON', 'REDIRECT', String(id));
      await r.mset('tk1', 'a', 'tk2', 'b', 'tk3', 'c');
      await tracked.eval("return redis.call('get', 'tk1')", 0);
      await tracked.eval_ro("return redis.call('get', KEYS[1])", 1, 'tk2');
      await tracked.get('tk3');
      for (const k of ['tk1', 'tk2', 'tk3']) await r.set(k, 'changed');
      const end = Date.now() + 2000;
      while (got.length < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
      await new Promise((res) => setTimeout(res, 50));
      expect(got).toEqual(['tk2', 'tk3']);
    } finally {
      sub.disconnect();
      tracked.disconnect();
    }
  });

  it('MONITOR shows the EVAL, then its commands as from "lua"', async () => {
    const mon = new Redis({ port: backend.port!, host: '127.0.0.1' });
    try {
      const monitor = await mon.monitor();
      const seen: string[] = [];
      monitor.on('monitor', (_t: string, args: string[], source: string) => seen.push(`${source === 'lua' ? 'lua' : 'client'} ${args.join(' ')}`));
      await r.eval("return redis.call('get', 'mk')", 0);
      await r.evalsha('ffffffffffffffffffffffffffffffffffffffff', 0).catch(() => {});
      await r.ping();
      const end = Date.now() + 2000;
      while (seen.length < 4 && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
      expect(seen).toEqual(["client eval return redis.call('get', 'mk') 0", 'lua get mk', 'client evalsha ffffffffffffffffffffffffffffffffffffffff 0', 'client ping']);
      monitor.disconnect();
    } finally {
      mon.disconnect();
    }
  });

  it('SLOWLOG logs the EVAL and its commands, these from the lua client "?:0"', async () => {
    await r.config('SET', 'slowlog-log-slower-than', '0');
    await r.slowlog('RESET');
    await r.eval("return redis.call('get', 'mk')", 0);
    await r.config('SET', 'slowlog-log-slower-than', '10000');
    const log = (await r.slowlog('GET')) as Array<[number, number, number, string[], string, string]>;
    const shown = log.map((e) => `${e[4] === '?:0' ? '?:0' : 'client'} ${e[3].join(' ')}`).reverse();
    // Oldest first: SLOWLOG RESET, the GET (it ends first), the EVAL, CONFIG SET.
    expect(shown.slice(1, 3)).toEqual(['?:0 get mk', "client eval return redis.call('get', 'mk') 0"]);
  });

  it('Redlock-style release deletes the lock only for its owner', async () => {
    await r.set('lock', 'owner-1');
    expect(await r.eval(RELEASE_LOCK, 1, 'lock', 'owner-2')).toBe(0);
    expect(await r.get('lock')).toBe('owner-1');
    expect(await r.eval(RELEASE_LOCK, 1, 'lock', 'owner-1')).toBe(1);
    expect(await r.exists('lock')).toBe(0);
  });

  it('a script writing a WATCHed key aborts the watcher\'s EXEC', async () => {
    const w = new Redis({ port: backend.port!, host: '127.0.0.1' });
    try {
      await w.set('watched', '1');
      await w.watch('watched');
      await r.eval("return redis.call('incr', KEYS[1])", 1, 'watched');
      const res = await w.multi().set('other', 'x').exec();
      expect(res).toBe(null);
      expect(await r.exists('other')).toBe(0);
      // A script that only reads the key leaves the transaction alone.
      await w.watch('watched');
      await r.eval("return redis.call('get', KEYS[1])", 1, 'watched');
      expect(await w.multi().set('other', 'y').exec()).toEqual([[null, 'OK']]);
    } finally {
      w.disconnect();
    }
  });
});

describe('scripting internals (in-process Hoard)', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await inProcess();
  });
  afterAll(async () => {
    await b?.close();
  });

  it("a script's writes reach the log as one MULTI/EXEC unit of canonical mutations, never as EVAL", async () => {
    const units: string[] = [];
    const consumer = (u: string) => units.push(u);
    b.server!.log.addConsumer(consumer);
    try {
      await b.conn.call('eval', "redis.call('set', 'a', '1') redis.call('expire', 'a', 100) redis.call('select', 2) redis.call('incr', 'n') return 1", '0');
      await b.conn.call('eval', "redis.call('set', 'b', '2') return 1", '0');
      await b.conn.call('eval', "return redis.call('get', 'a')", '0');
    } finally {
      b.server!.log.removeConsumer(consumer);
    }
    expect(units).toHaveLength(2);
    const words = (u: string) => u.toUpperCase().split('\r\n').filter((p) => p !== '' && p[0] !== '*' && p[0] !== '$');
    const first = words(units[0]).join(' ');
    expect(first.startsWith('SELECT 0 MULTI SET A 1 PEXPIREAT A ')).toBe(true);
    expect(first.endsWith(' SELECT 2 INCR N EXEC')).toBe(true);
    expect(units[0]).not.toMatch(/EVAL/i);
    expect(words(units[1]).join(' ')).toBe('SELECT 0 SET B 2');
  });

  it('past busy-reply-threshold a script that has not written is stopped with the SCRIPT KILL error', async () => {
    const c = b.conn;
    await c.call('config', 'set', 'busy-reply-threshold', '100');
    try {
      const t0 = Date.now();
      // The error text is Redis's for a script stopped by SCRIPT KILL (checked on redis-server 7.0.15).
      await expect(c.call('eval', 'local n = 0 while true do n = n + 1 end', '0')).rejects.toThrow(
        /^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/,
      );
      // pcall inside the script cannot swallow it.
      await expect(c.call('eval', 'while true do pcall(function() while true do end end) end', '0')).rejects.toThrow(/Script killed by user/);
      expect(Date.now() - t0).toBeLessThan(3000);
      // A script that has written runs to its end (stopping it would leave half its writes).
      const r = await c.call(
        'eval',
        "redis.call('set', 'w', '1') local t = redis.call('time') local s = t[1] * 1000 + math.floor(t[2] / 1000) while true do local u = redis.call('time') if u[1] * 1000 + math.floor(u[2] / 1000) - s > 250 then break end end return 'done'",
        '0',
      );
      expect(r).toBe('done');
      expect(await c.call('get', 'w')).toBe('1');
      // The server goes on serving.
      expect(await c.call('eval', 'return 7', '0')).toBe(7);
    } finally {
      await c.call('config', 'set', 'busy-reply-threshold', '5000');
    }
  });

  it('EVAL cannot run inside a script, and a script cannot see the caller\'s MULTI state', async () => {
    await expect(b.conn.call('eval', "return redis.call('evalsha', 'ffffffffffffffffffffffffffffffffffffffff', 0)", '0')).rejects.toThrow(
      /^ERR This Redis command is not allowed from script script: /,
    );
  });
});
