// The keys family (DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN RANDOMKEY EXPIRE* TTL*
// PERSIST TOUCH COPY OBJECT MOVE SWAPDB DBSIZE FLUSHDB FLUSHALL) against every backend: the
// assertions hold on redis-server 7.0 too. A final in-process block drives a ManualClock to check
// what real time cannot pin down: expired-but-unreaped keys, idle time, and the propagated stream.

import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { commandSuite, sleep, type SuiteContext } from '../helpers/suite.js';
import { inProcess, type Arg, type Backend, type Conn } from '../helpers/backends.js';
import { ManualClock } from '../../src/keyspace/clock.js';

/** Runs a setup command of another family; skips the test while that family is not implemented. */
async function needs(ctx: { skip(): void }, p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    if (/^ERR unknown command/.test((err as Error).message)) ctx.skip();
    throw err;
  }
}

/** Runs a SCAN iteration to the end, returning every key seen (with duplicates). */
async function scanAll(t: { call(...a: (string | number)[]): Promise<any> }, ...opts: (string | number)[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  let rounds = 0;
  do {
    const [next, keys] = await t.call('SCAN', cursor, ...opts);
    expect(typeof next).toBe('string');
    seen.push(...keys);
    cursor = next;
    if (++rounds > 10_000) throw new Error('SCAN did not terminate');
  } while (cursor !== '0');
  return seen;
}

async function second(t: SuiteContext, db: number): Promise<Conn> {
  const c = await t.connect();
  expect(await c.call('SELECT', db)).toBe('OK');
  return c;
}

commandSuite('keys: DEL UNLINK EXISTS TYPE TOUCH DBSIZE', (t) => {
  it('DEL counts keys actually deleted, once each', async () => {
    await t.call('SET', 'a', '1');
    await t.call('SET', 'b', '2');
    expect(await t.call('DEL', 'a', 'a', 'b', 'missing')).toBe(2);
    expect(await t.call('EXISTS', 'a', 'b')).toBe(0);
    expect(await t.call('DEL', 'a')).toBe(0);
  });

  it('UNLINK behaves like DEL', async () => {
    await t.call('SET', 'a', '1');
    await t.call('SET', 'b', '2');
    expect(await t.call('UNLINK', 'a', 'b', 'c')).toBe(2);
    expect(await t.call('DBSIZE')).toBe(0);
  });

  it('DEL and UNLINK need a key', async () => {
    expect(await t.error('DEL')).toBe("ERR wrong number of arguments for 'del' command");
    expect(await t.error('UNLINK')).toBe("ERR wrong number of arguments for 'unlink' command");
  });

  it('EXISTS counts repeated keys each time', async () => {
    await t.call('SET', 'a', '1');
    expect(await t.call('EXISTS', 'a', 'a', 'b', 'a')).toBe(3);
    expect(await t.call('EXISTS', 'nope')).toBe(0);
  });

  it('TYPE answers none or the type name', async () => {
    expect(await t.call('TYPE', 'k')).toBe('none');
    await t.call('SET', 'k', 'v');
    expect(await t.call('TYPE', 'k')).toBe('string');
    expect(await t.error('TYPE')).toBe("ERR wrong number of arguments for 'type' command");
    expect(await t.error('TYPE', 'a', 'b')).toBe("ERR wrong number of arguments for 'type' command");
  });

  it('TOUCH counts existing keys', async () => {
    await t.call('SET', 'a', '1');
    expect(await t.call('TOUCH', 'a', 'a', 'b')).toBe(2);
    expect(await t.error('TOUCH')).toBe("ERR wrong number of arguments for 'touch' command");
  });

  it('DBSIZE counts the selected db only', async () => {
    expect(await t.call('DBSIZE')).toBe(0);
    await t.call('SET', 'a', '1');
    await t.call('SET', 'b', '1');
    const c1 = await second(t, 1);
    await c1.call('SET', 'x', '1');
    expect(await t.call('DBSIZE')).toBe(2);
    expect(await c1.call('DBSIZE')).toBe(1);
    expect(await t.error('DBSIZE', 'x')).toBe("ERR wrong number of arguments for 'dbsize' command");
  });

  it('keys are binary safe', async () => {
    const k = Buffer.from([0, 0xff, 0x0d, 0x0a, 0xc3]);
    await t.call('SET', k, 'v');
    expect(await t.call('EXISTS', k)).toBe(1);
    expect(await t.call('EXISTS', Buffer.from([0, 0xff, 0x0d, 0x0a]))).toBe(0);
    const keys: Buffer[] = await t.callBuffer('KEYS', '*');
    expect(keys).toHaveLength(1);
    expect(Buffer.compare(keys[0], k)).toBe(0);
    expect(await t.call('DEL', k)).toBe(1);
  });
});

commandSuite('keys: RENAME RENAMENX', (t) => {
  it('RENAME moves the value and its TTL', async () => {
    await t.call('SET', 'a', 'v', 'EX', 100);
    expect(await t.call('RENAME', 'a', 'b')).toBe('OK');
    expect(await t.call('GET', 'a')).toBe(null);
    expect(await t.call('GET', 'b')).toBe('v');
    expect(await t.call('TTL', 'b')).toBe(100);
  });

  it('RENAME overwrites the destination, dropping its TTL', async () => {
    await t.call('SET', 'a', 'va');
    await t.call('SET', 'b', 'vb', 'EX', 100);
    expect(await t.call('RENAME', 'a', 'b')).toBe('OK');
    expect(await t.call('GET', 'b')).toBe('va');
    expect(await t.call('TTL', 'b')).toBe(-1);
    expect(await t.call('DBSIZE')).toBe(1);
  });

  it('RENAME of a missing key is an error, of a key onto itself OK', async () => {
    expect(await t.error('RENAME', 'nope', 'x')).toBe('ERR no such key');
    expect(await t.error('RENAME', 'nope', 'nope')).toBe('ERR no such key');
    await t.call('SET', 'a', 'v', 'EX', 50);
    expect(await t.call('RENAME', 'a', 'a')).toBe('OK');
    expect(await t.call('GET', 'a')).toBe('v');
    expect(await t.call('TTL', 'a')).toBe(50);
  });

  it('RENAMENX only renames onto a free name', async () => {
    await t.call('SET', 'a', 'va');
    await t.call('SET', 'b', 'vb');
    expect(await t.call('RENAMENX', 'a', 'b')).toBe(0);
    expect(await t.call('GET', 'b')).toBe('vb');
    expect(await t.call('RENAMENX', 'a', 'c')).toBe(1);
    expect(await t.call('GET', 'c')).toBe('va');
    expect(await t.call('EXISTS', 'a')).toBe(0);
    expect(await t.call('RENAMENX', 'c', 'c')).toBe(0);
    expect(await t.error('RENAMENX', 'nope', 'x')).toBe('ERR no such key');
  });

  it('RENAME arity', async () => {
    expect(await t.error('RENAME', 'a')).toBe("ERR wrong number of arguments for 'rename' command");
    expect(await t.error('RENAMENX', 'a', 'b', 'c')).toBe("ERR wrong number of arguments for 'renamenx' command");
  });

  it('RENAME of an expired key is an error', async () => {
    await t.call('SET', 'a', 'v', 'PX', 50);
    await sleep(100);
    expect(await t.error('RENAME', 'a', 'b')).toBe('ERR no such key');
  });

});

commandSuite('keys: KEYS SCAN RANDOMKEY', (t) => {
  async function fill(n: number, prefix = 'k'): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      await t.call('SET', `${prefix}${i}`, String(i));
      out.push(`${prefix}${i}`);
    }
    return out;
  }

  it('KEYS matches glob patterns', async () => {
    for (const k of ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'other']) await t.call('SET', k, '1');
    expect((await t.call('KEYS', '*')).sort()).toEqual(['hallo', 'heeeello', 'hello', 'hllo', 'hxllo', 'other']);
    expect((await t.call('KEYS', 'h?llo')).sort()).toEqual(['hallo', 'hello', 'hxllo']);
    expect((await t.call('KEYS', 'h*llo')).sort()).toEqual(['hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    expect((await t.call('KEYS', 'h[ae]llo')).sort()).toEqual(['hallo', 'hello']);
    expect((await t.call('KEYS', 'h[^e]llo')).sort()).toEqual(['hallo', 'hxllo']);
    expect((await t.call('KEYS', 'h[a-b]llo')).sort()).toEqual(['hallo']);
    expect(await t.call('KEYS', 'other')).toEqual(['other']);
    expect(await t.call('KEYS', 'nomatch*')).toEqual([]);
    expect(await t.error('KEYS')).toBe("ERR wrong number of arguments for 'keys' command");
  });

  it('KEYS * returns the empty key too', async () => {
    await t.call('SET', '', 'v');
    expect(await t.call('KEYS', '*')).toEqual(['']);
  });

  it('KEYS and SCAN never show an expired key', async () => {
    await t.call('SET', 'gone', 'v', 'PX', 50);
    await t.call('SET', 'kept', 'v');
    await sleep(100);
    expect(await t.call('KEYS', '*')).toEqual(['kept']);
    expect(await scanAll(t)).toEqual(['kept']);
    expect(await t.call('RANDOMKEY')).toBe('kept');
  });

  it('SCAN returns every key of a static db', async () => {
    const keys = await fill(100);
    const seen = await scanAll(t, 'COUNT', 7);
    expect([...new Set(seen)].sort()).toEqual([...keys].sort());
  });

  it('SCAN reply shape and default count', async () => {
    await fill(5);
    const [cursor, keys] = await t.call('SCAN', 0);
    expect(cursor).toBe('0');
    expect(keys.sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(await t.call('SCAN', 0, 'COUNT', 1000)).toEqual(['0', expect.any(Array)]);
  });

  it('SCAN MATCH and TYPE filter the keys returned', async () => {
    await fill(30, 'a:');
    await fill(30, 'b:');
    const a = await scanAll(t, 'MATCH', 'a:*', 'COUNT', 5);
    expect([...new Set(a)].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `a:${i}`).sort());
    expect(await scanAll(t, 'MATCH', 'zzz*')).toEqual([]);
    expect(new Set(await scanAll(t, 'MATCH', '*', 'COUNT', 100)).size).toBe(60);
    expect(new Set(await scanAll(t, 'TYPE', 'string')).size).toBe(60);
    expect(new Set(await scanAll(t, 'TYPE', 'STRING')).size).toBe(60);
    expect(await scanAll(t, 'TYPE', 'list')).toEqual([]);
    expect(await scanAll(t, 'TYPE', 'nosuchtype')).toEqual([]);
  });

  it('SCAN validates the cursor (strtoul) before the options', async () => {
    expect(await t.error('SCAN', 'x')).toBe('ERR invalid cursor');
    expect(await t.error('SCAN', ' 0')).toBe('ERR invalid cursor');
    expect(await t.error('SCAN', '0 ')).toBe('ERR invalid cursor');
    expect(await t.error('SCAN', '1.5')).toBe('ERR invalid cursor');
    expect(await t.error('SCAN', '-')).toBe('ERR invalid cursor');
    expect(await t.error('SCAN', '18446744073709551616')).toBe('ERR invalid cursor');
    expect(await t.error('SCAN', 'x', 'COUNT', '0')).toBe('ERR invalid cursor');
    // strtoul accepts these: "" is 0, a sign is allowed, -1 wraps around.
    expect(await t.call('SCAN', '')).toEqual(['0', []]);
    expect(await t.call('SCAN', '+0')).toEqual(['0', []]);
    expect(await t.call('SCAN', '-1')).toEqual(['0', []]);
    expect(await t.call('SCAN', '18446744073709551615')).toEqual(['0', []]);
  });

  it('SCAN option errors', async () => {
    expect(await t.error('SCAN', 0, 'COUNT', 0)).toBe('ERR syntax error');
    expect(await t.error('SCAN', 0, 'COUNT', -1)).toBe('ERR syntax error');
    expect(await t.error('SCAN', 0, 'COUNT', 'x')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('SCAN', 0, 'COUNT', '1.5')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('SCAN', 0, 'COUNT', '9223372036854775808')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('SCAN', 0, 'COUNT')).toBe('ERR syntax error');
    expect(await t.error('SCAN', 0, 'MATCH')).toBe('ERR syntax error');
    expect(await t.error('SCAN', 0, 'TYPE')).toBe('ERR syntax error');
    expect(await t.error('SCAN', 0, 'BOGUS', 1)).toBe('ERR syntax error');
    expect(await t.error('SCAN')).toBe("ERR wrong number of arguments for 'scan' command");
  });

  it('SCAN returns every key present for the whole iteration despite inserts and deletes', async () => {
    const stable = await fill(200, 's:');
    const volatile = await fill(120, 'v:');
    const seen = new Set<string>();
    let cursor = '0';
    let added = 0;
    let rounds = 0;
    do {
      const [next, keys] = await t.call('SCAN', cursor, 'COUNT', 7);
      for (const k of keys) seen.add(k);
      cursor = next;
      // Between calls: delete three keys that were there at the start, add three new ones.
      for (let i = 0; i < 3 && volatile.length > 0; i++) await t.call('DEL', volatile.pop()!);
      for (let i = 0; i < 3; i++) await t.call('SET', `n:${added++}`, 'x');
      if (++rounds > 5000) throw new Error('SCAN did not terminate');
    } while (cursor !== '0');
    for (const k of stable) expect(seen.has(k)).toBe(true);
    for (const k of seen) expect(/^(s|v|n):\d+$/.test(k)).toBe(true);
  });

  it('RANDOMKEY returns null on an empty db, else one of the keys', async () => {
    expect(await t.call('RANDOMKEY')).toBe(null);
    const keys = await fill(20);
    const got = new Set<string>();
    for (let i = 0; i < 50; i++) got.add(await t.call('RANDOMKEY'));
    for (const k of got) expect(keys).toContain(k);
    expect(await t.error('RANDOMKEY', 'x')).toBe("ERR wrong number of arguments for 'randomkey' command");
  });
});

commandSuite('keys: EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', (t) => {
  it('EXPIRE sets a TTL in seconds, PEXPIRE in ms', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('TTL', 'k')).toBe(-1);
    expect(await t.call('PTTL', 'k')).toBe(-1);
    expect(await t.call('EXPIRE', 'k', 100)).toBe(1);
    expect(await t.call('TTL', 'k')).toBe(100);
    const p = await t.call('PTTL', 'k');
    expect(p).toBeGreaterThan(99_000);
    expect(p).toBeLessThanOrEqual(100_000);
    expect(await t.call('PEXPIRE', 'k', 5500)).toBe(1);
    const s = await t.call('TTL', 'k');
    expect(s === 5 || s === 6).toBe(true);
  });

  it('TTL family on a missing key is -2', async () => {
    for (const c of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(await t.call(c, 'nope')).toBe(-2);
    await t.call('SET', 'k', 'v');
    for (const c of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(await t.call(c, 'k')).toBe(-1);
  });

  it('EXPIREAT / PEXPIREAT set absolute times; EXPIRETIME rounds, PEXPIRETIME is exact', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('EXPIREAT', 'k', 4_000_000_000)).toBe(1);
    expect(await t.call('EXPIRETIME', 'k')).toBe(4_000_000_000);
    expect(await t.call('PEXPIRETIME', 'k')).toBe(4_000_000_000_000);
    expect(await t.call('PEXPIREAT', 'k', 4_000_000_000_499)).toBe(1);
    expect(await t.call('EXPIRETIME', 'k')).toBe(4_000_000_000);
    expect(await t.call('PEXPIREAT', 'k', 4_000_000_000_500)).toBe(1);
    expect(await t.call('EXPIRETIME', 'k')).toBe(4_000_000_001);
    expect(await t.call('PEXPIRETIME', 'k')).toBe(4_000_000_000_500);
  });

  it('an expiry in the past deletes the key and still answers 1', async () => {
    for (const [cmd, arg] of [
      ['EXPIRE', -1],
      ['PEXPIRE', 0],
      ['EXPIREAT', 1],
      ['PEXPIREAT', 1000],
      ['EXPIRE', '-9223372036854775'],
      ['PEXPIRE', '-9223372036854775808'],
    ] as const) {
      await t.call('SET', 'k', 'v');
      expect(await t.call(cmd, 'k', arg)).toBe(1);
      expect(await t.call('EXISTS', 'k')).toBe(0);
    }
  });

  it('EXPIRE on a missing key answers 0', async () => {
    expect(await t.call('EXPIRE', 'nope', 100)).toBe(0);
    expect(await t.call('PEXPIREAT', 'nope', 1)).toBe(0);
    expect(await t.call('EXISTS', 'nope')).toBe(0);
  });

  it('the key expires for real', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('PEXPIRE', 'k', 80)).toBe(1);
    expect(await t.call('GET', 'k')).toBe('v');
    await sleep(150);
    expect(await t.call('GET', 'k')).toBe(null);
    expect(await t.call('TTL', 'k')).toBe(-2);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('TYPE', 'k')).toBe('none');
  });

  it('NX XX GT LT decide against the current expiry', async () => {
    await t.call('SET', 'k', 'v');
    // No expiry: NX sets, XX and GT refuse, LT sets (no expiry = infinite).
    expect(await t.call('EXPIREAT', 'k', 4_000_000_000, 'XX')).toBe(0);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_000, 'GT')).toBe(0);
    expect(await t.call('TTL', 'k')).toBe(-1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_000, 'LT')).toBe(1);
    expect(await t.call('EXPIRETIME', 'k')).toBe(4_000_000_000);
    await t.call('PERSIST', 'k');
    expect(await t.call('EXPIREAT', 'k', 4_000_000_000, 'nx')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_100, 'NX')).toBe(0);
    expect(await t.call('EXPIRETIME', 'k')).toBe(4_000_000_000);
    // With an expiry.
    expect(await t.call('EXPIREAT', 'k', 4_000_000_000, 'GT')).toBe(0);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_100, 'gt')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_100, 'LT')).toBe(0);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_050, 'LT')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_060, 'XX')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_070, 'XX', 'GT')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_080, 'XX', 'LT')).toBe(0);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_065, 'lt', 'xx')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', 4_000_000_090, 'GT', 'GT')).toBe(1);
    expect(await t.call('EXPIRETIME', 'k')).toBe(4_000_000_090);
  });

  it('GT refuses a past time on a key without expiry; LT with a past time deletes', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('EXPIRE', 'k', -5, 'GT')).toBe(0);
    expect(await t.call('EXISTS', 'k')).toBe(1);
    expect(await t.call('EXPIRE', 'k', -5, 'LT')).toBe(1);
    expect(await t.call('EXISTS', 'k')).toBe(0);
  });

  it('option errors', async () => {
    await t.call('SET', 'k', 'v');
    const nx = 'ERR NX and XX, GT or LT options at the same time are not compatible';
    expect(await t.error('EXPIRE', 'k', 10, 'NX', 'XX')).toBe(nx);
    expect(await t.error('EXPIRE', 'k', 10, 'GT', 'NX')).toBe(nx);
    expect(await t.error('PEXPIRE', 'k', 10, 'nx', 'lt')).toBe(nx);
    expect(await t.error('EXPIREAT', 'k', 10, 'GT', 'LT')).toBe('ERR GT and LT options at the same time are not compatible');
    expect(await t.error('EXPIRE', 'k', 10, 'foo')).toBe('ERR Unsupported option foo');
    expect(await t.error('PEXPIREAT', 'k', 10, 'NX', 'Bar')).toBe('ERR Unsupported option Bar');
    // Options are checked before the number.
    expect(await t.error('EXPIRE', 'k', 'abc', 'foo')).toBe('ERR Unsupported option foo');
    expect(await t.error('EXPIRE', 'k', 'abc')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('EXPIRE', 'k', '1.5')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('EXPIRE', 'k', '9223372036854775808')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('EXPIRE', 'k')).toBe("ERR wrong number of arguments for 'expire' command");
    expect(await t.error('PEXPIREAT', 'k')).toBe("ERR wrong number of arguments for 'pexpireat' command");
    expect(await t.call('TTL', 'k')).toBe(-1);
  });

  it('overflowing expire times are errors, checked before the key', async () => {
    for (const key of ['k', 'missing']) {
      if (key === 'k') await t.call('SET', 'k', 'v');
      expect(await t.error('EXPIRE', key, '9223372036854776')).toBe("ERR invalid expire time in 'expire' command");
      expect(await t.error('EXPIRE', key, '-9223372036854776')).toBe("ERR invalid expire time in 'expire' command");
      expect(await t.error('EXPIRE', key, '9223372036854775')).toBe("ERR invalid expire time in 'expire' command");
      expect(await t.error('PEXPIRE', key, '9223372036854775807')).toBe("ERR invalid expire time in 'pexpire' command");
      expect(await t.error('EXPIREAT', key, '9223372036854776')).toBe("ERR invalid expire time in 'expireat' command");
    }
    expect(await t.call('TTL', 'k')).toBe(-1);
  });

  it('PEXPIREAT accepts the largest int64', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('PEXPIREAT', 'k', '9223372036854775807')).toBe(1);
    expect(await t.call('EXPIREAT', 'k', '9223372036854775')).toBe(1);
    expect(await t.call('EXPIRETIME', 'k')).toBe(9223372036854775);
    expect(await t.call('EXISTS', 'k')).toBe(1);
  });

  it('PERSIST removes the expiry', async () => {
    expect(await t.call('PERSIST', 'nope')).toBe(0);
    await t.call('SET', 'k', 'v');
    expect(await t.call('PERSIST', 'k')).toBe(0);
    await t.call('EXPIRE', 'k', 100);
    expect(await t.call('PERSIST', 'k')).toBe(1);
    expect(await t.call('TTL', 'k')).toBe(-1);
    expect(await t.call('PERSIST', 'k')).toBe(0);
    expect(await t.error('PERSIST')).toBe("ERR wrong number of arguments for 'persist' command");
  });

  it('SET without KEEPTTL drops the expiry, EXPIRE survives a read', async () => {
    await t.call('SET', 'k', 'v');
    await t.call('EXPIRE', 'k', 100);
    await t.call('GET', 'k');
    expect(await t.call('TTL', 'k')).toBe(100);
    await t.call('SET', 'k', 'w');
    expect(await t.call('TTL', 'k')).toBe(-1);
  });

  it('TTL arity', async () => {
    for (const c of ['ttl', 'pttl', 'expiretime', 'pexpiretime']) {
      expect(await t.error(c.toUpperCase())).toBe(`ERR wrong number of arguments for '${c}' command`);
      expect(await t.error(c.toUpperCase(), 'a', 'b')).toBe(`ERR wrong number of arguments for '${c}' command`);
    }
  });
});

commandSuite('keys: COPY MOVE SWAPDB', (t) => {
  it('COPY copies the value and its expiry', async () => {
    await t.call('SET', 'a', 'v', 'EX', 100);
    expect(await t.call('COPY', 'a', 'b')).toBe(1);
    expect(await t.call('GET', 'b')).toBe('v');
    expect(await t.call('TTL', 'b')).toBe(100);
    expect(await t.call('GET', 'a')).toBe('v');
    await t.call('SET', 'c', 'w');
    expect(await t.call('COPY', 'c', 'd')).toBe(1);
    expect(await t.call('TTL', 'd')).toBe(-1);
  });

  it('COPY refuses an existing destination unless REPLACE', async () => {
    await t.call('SET', 'a', 'va');
    await t.call('SET', 'b', 'vb', 'EX', 100);
    expect(await t.call('COPY', 'a', 'b')).toBe(0);
    expect(await t.call('GET', 'b')).toBe('vb');
    expect(await t.call('COPY', 'a', 'b', 'REPLACE')).toBe(1);
    expect(await t.call('GET', 'b')).toBe('va');
    expect(await t.call('TTL', 'b')).toBe(-1);
    expect(await t.call('COPY', 'nope', 'b', 'replace')).toBe(0);
    expect(await t.call('COPY', 'nope', 'x')).toBe(0);
    expect(await t.call('EXISTS', 'x')).toBe(0);
  });

  it('COPY DB copies into another database', async () => {
    await t.call('SET', 'a', 'v');
    const c1 = await second(t, 1);
    expect(await t.call('COPY', 'a', 'a', 'DB', 1)).toBe(1);
    expect(await c1.call('GET', 'a')).toBe('v');
    expect(await t.call('COPY', 'a', 'a', 'DB', 1)).toBe(0);
    await t.call('SET', 'a', 'w');
    expect(await t.call('COPY', 'a', 'a', 'db', 1, 'REPLACE')).toBe(1);
    expect(await c1.call('GET', 'a')).toBe('w');
    expect(await t.call('COPY', 'a', 'b', 'DB', 0)).toBe(1);
    expect(await t.call('GET', 'b')).toBe('w');
  });

  it('COPY errors', async () => {
    await t.call('SET', 'a', 'v');
    expect(await t.error('COPY', 'a', 'a')).toBe('ERR source and destination objects are the same');
    expect(await t.error('COPY', 'a', 'a', 'DB', 0)).toBe('ERR source and destination objects are the same');
    expect(await t.error('COPY', 'nope', 'nope')).toBe('ERR source and destination objects are the same');
    expect(await t.error('COPY', 'a', 'b', 'DB', 99)).toBe('ERR DB index is out of range');
    expect(await t.error('COPY', 'a', 'b', 'DB', -1)).toBe('ERR DB index is out of range');
    expect(await t.error('COPY', 'a', 'b', 'DB', 'x')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('COPY', 'a', 'b', 'DB', '4294967296')).toBe(
      'ERR value is out of range, value must between -2147483648 and 2147483647',
    );
    expect(await t.error('COPY', 'a', 'b', 'DB')).toBe('ERR syntax error');
    expect(await t.error('COPY', 'a', 'b', 'foo')).toBe('ERR syntax error');
    expect(await t.error('COPY', 'a', 'b', 'DB', 'x', 'foo')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('COPY', 'a')).toBe("ERR wrong number of arguments for 'copy' command");
    expect(await t.call('EXISTS', 'b')).toBe(0);
  });

  it('MOVE moves a key with its TTL to another db', async () => {
    await t.call('SET', 'a', 'v', 'EX', 100);
    const c1 = await second(t, 1);
    expect(await t.call('MOVE', 'a', 1)).toBe(1);
    expect(await t.call('EXISTS', 'a')).toBe(0);
    expect(await c1.call('GET', 'a')).toBe('v');
    expect(await c1.call('TTL', 'a')).toBe(100);
    expect(await t.call('MOVE', 'a', 1)).toBe(0);
  });

  it('MOVE refuses an existing destination', async () => {
    await t.call('SET', 'a', 'v0');
    const c1 = await second(t, 1);
    await c1.call('SET', 'a', 'v1');
    expect(await t.call('MOVE', 'a', 1)).toBe(0);
    expect(await t.call('GET', 'a')).toBe('v0');
    expect(await c1.call('GET', 'a')).toBe('v1');
  });

  it('MOVE errors', async () => {
    await t.call('SET', 'a', 'v');
    expect(await t.error('MOVE', 'a', 0)).toBe('ERR source and destination objects are the same');
    expect(await t.error('MOVE', 'nope', 0)).toBe('ERR source and destination objects are the same');
    expect(await t.error('MOVE', 'a', 16)).toBe('ERR DB index is out of range');
    expect(await t.error('MOVE', 'a', -1)).toBe('ERR DB index is out of range');
    expect(await t.error('MOVE', 'a', 'x')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('MOVE', 'a', '4294967296')).toBe('ERR value is out of range, value must between -2147483648 and 2147483647');
    expect(await t.error('MOVE', 'a')).toBe("ERR wrong number of arguments for 'move' command");
    expect(await t.call('MOVE', 'nope', 1)).toBe(0);
  });

  it('SWAPDB swaps the contents seen by every client', async () => {
    await t.call('SET', 'a', 'in0');
    const c1 = await second(t, 1);
    await c1.call('SET', 'b', 'in1');
    expect(await t.call('SWAPDB', 0, 1)).toBe('OK');
    expect(await t.call('GET', 'b')).toBe('in1');
    expect(await t.call('GET', 'a')).toBe(null);
    expect(await c1.call('GET', 'a')).toBe('in0');
    expect(await t.call('SWAPDB', 1, 1)).toBe('OK');
    expect(await t.call('SWAPDB', 1, 0)).toBe('OK');
    expect(await t.call('GET', 'a')).toBe('in0');
  });

  it('SWAPDB errors', async () => {
    expect(await t.error('SWAPDB', 0, 'x')).toBe('ERR invalid second DB index');
    expect(await t.error('SWAPDB', 'x', 0)).toBe('ERR invalid first DB index');
    expect(await t.error('SWAPDB', 'x', 'y')).toBe('ERR invalid first DB index');
    expect(await t.error('SWAPDB', 0, '4294967296')).toBe('ERR invalid second DB index');
    expect(await t.error('SWAPDB', 0, 16)).toBe('ERR DB index is out of range');
    expect(await t.error('SWAPDB', -1, 0)).toBe('ERR DB index is out of range');
    expect(await t.error('SWAPDB', 0)).toBe("ERR wrong number of arguments for 'swapdb' command");
  });
});

commandSuite('keys: FLUSHDB FLUSHALL', (t) => {
  it('FLUSHDB empties the selected db only, FLUSHALL every db', async () => {
    await t.call('SET', 'a', '1');
    const c1 = await second(t, 1);
    await c1.call('SET', 'b', '1');
    expect(await t.call('FLUSHDB')).toBe('OK');
    expect(await t.call('DBSIZE')).toBe(0);
    expect(await c1.call('DBSIZE')).toBe(1);
    await t.call('SET', 'a', '1');
    expect(await t.call('FLUSHALL')).toBe('OK');
    expect(await t.call('DBSIZE')).toBe(0);
    expect(await c1.call('DBSIZE')).toBe(0);
  });

  it('ASYNC and SYNC are accepted, anything else is a syntax error', async () => {
    for (const cmd of ['FLUSHDB', 'FLUSHALL']) {
      await t.call('SET', 'a', '1');
      expect(await t.call(cmd, 'ASYNC')).toBe('OK');
      expect(await t.call('DBSIZE')).toBe(0);
      await t.call('SET', 'a', '1');
      expect(await t.call(cmd, 'sync')).toBe('OK');
      expect(await t.call('DBSIZE')).toBe(0);
      expect(await t.error(cmd, 'foo')).toBe('ERR syntax error');
      expect(await t.error(cmd, 'ASYNC', 'SYNC')).toBe('ERR syntax error');
      expect(await t.call(cmd)).toBe('OK');
    }
  });

  it('expiring keys are flushed too', async () => {
    await t.call('SET', 'a', '1', 'EX', 100);
    await t.call('FLUSHALL');
    expect(await t.call('TTL', 'a')).toBe(-2);
    await t.call('SET', 'a', '1');
    expect(await t.call('TTL', 'a')).toBe(-1);
  });
});

/** One entry per collection family: how to build, grow and read a small value of it. */
const FAMILIES: Array<{ type: string; create: Arg[]; grow: Arg[]; read: Arg[]; encoding: string }> = [
  // Redis 7.0: small lists are quicklists, small sets of strings hashtables (listpack came in 7.2).
  { type: 'list', create: ['RPUSH', 'a', 'b'], grow: ['RPUSH', 'c'], read: ['LRANGE', 0, -1], encoding: 'quicklist' },
  { type: 'hash', create: ['HSET', 'f', 'v'], grow: ['HSET', 'g', 'w'], read: ['HLEN'], encoding: 'listpack' },
  { type: 'set', create: ['SADD', 'a', 'b'], grow: ['SADD', 'c'], read: ['SCARD'], encoding: 'hashtable' },
  { type: 'zset', create: ['ZADD', '1', 'a'], grow: ['ZADD', '2', 'b'], read: ['ZRANGE', 0, -1, 'WITHSCORES'], encoding: 'listpack' },
];

/** Puts the key after the command name: ['RPUSH', 'a'] with key k → ['RPUSH', k, 'a']. */
function withKey(cmd: Arg[], key: string): Arg[] {
  return [cmd[0], key, ...cmd.slice(1)];
}

commandSuite('keys: over collection values', (t) => {
  for (const f of FAMILIES) {
    it(`${f.type}: TYPE, SCAN TYPE, OBJECT ENCODING`, async (ctx) => {
      await needs(ctx, t.call(...withKey(f.create, 'k')));
      await t.call('SET', 'str', 'v');
      expect(await t.call('TYPE', 'k')).toBe(f.type);
      expect(await scanAll(t, 'TYPE', f.type)).toEqual(['k']);
      expect(await scanAll(t, 'TYPE', f.type.toUpperCase(), 'MATCH', 'x*')).toEqual([]);
      expect(await scanAll(t, 'TYPE', 'string')).toEqual(['str']);
      expect(await t.call('OBJECT', 'ENCODING', 'k')).toBe(f.encoding);
      expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
    });

    it(`${f.type}: COPY is a deep copy, in the same db and across dbs`, async (ctx) => {
      await needs(ctx, t.call(...withKey(f.create, 'k')));
      const before = await t.call(...withKey(f.read, 'k'));
      expect(await t.call('COPY', 'k', 'k2')).toBe(1);
      await t.call(...withKey(f.grow, 'k2'));
      expect(await t.call(...withKey(f.read, 'k'))).toEqual(before);
      expect(await t.call(...withKey(f.read, 'k2'))).not.toEqual(before);
      expect(await t.call('COPY', 'k', 'k', 'DB', 1)).toBe(1);
      const c1 = await second(t, 1);
      await c1.call(...withKey(f.grow, 'k'));
      expect(await t.call(...withKey(f.read, 'k'))).toEqual(before);
      expect(await c1.call('TYPE', 'k')).toBe(f.type);
      // REPLACE over a value of another type.
      await t.call('SET', 'str', 'v');
      expect(await t.call('COPY', 'k', 'str', 'REPLACE')).toBe(1);
      expect(await t.call('TYPE', 'str')).toBe(f.type);
    });

    it(`${f.type}: RENAME and MOVE carry the value and its TTL`, async (ctx) => {
      await needs(ctx, t.call(...withKey(f.create, 'k')));
      const before = await t.call(...withKey(f.read, 'k'));
      await t.call('EXPIRE', 'k', 100);
      expect(await t.call('RENAME', 'k', 'r')).toBe('OK');
      expect(await t.call(...withKey(f.read, 'r'))).toEqual(before);
      expect(await t.call('TTL', 'r')).toBe(100);
      expect(await t.call('MOVE', 'r', 2)).toBe(1);
      const c2 = await second(t, 2);
      expect(await c2.call(...withKey(f.read, 'r'))).toEqual(before);
      expect(await c2.call('TTL', 'r')).toBe(100);
    });

    it(`${f.type}: a collection with a TTL expires like any key`, async (ctx) => {
      await needs(ctx, t.call(...withKey(f.create, 'k')));
      expect(await t.call('PEXPIRE', 'k', 50)).toBe(1);
      await sleep(100);
      expect(await t.call('EXISTS', 'k')).toBe(0);
      expect(await t.call('TYPE', 'k')).toBe('none');
    });
  }

  it('an intset is reported as such', async (ctx) => {
    await needs(ctx, t.call('SADD', 's', '1', '2', '-3'));
    expect(await t.call('OBJECT', 'ENCODING', 's')).toBe('intset');
  });
});

commandSuite('keys: OBJECT', (t) => {
  it('ENCODING of strings: int, embstr up to 44 bytes, raw beyond', async () => {
    const cases: Array<[string, string]> = [
      ['123', 'int'],
      ['-9223372036854775808', 'int'],
      ['9223372036854775807', 'int'],
      ['9223372036854775808', 'embstr'],
      ['12345678901234567890', 'embstr'],
      ['007', 'embstr'],
      ['-0', 'embstr'],
      [' 1', 'embstr'],
      ['', 'embstr'],
      ['a'.repeat(44), 'embstr'],
      ['a'.repeat(45), 'raw'],
    ];
    for (const [v, enc] of cases) {
      await t.call('SET', 'k', v);
      expect([v, await t.call('OBJECT', 'ENCODING', 'k')]).toEqual([v, enc]);
    }
  });

  it('ENCODING of strings follows how they were made: APPEND/SETRANGE raw, INCRBYFLOAT never int', async () => {
    // [commands run on a fresh k, encoding of k after them]
    const cases: Array<[string[][], string]> = [
      [[['SET', 'k', 'a'], ['APPEND', 'k', 'b']], 'raw'],
      [[['SET', 'k', '12'], ['APPEND', 'k', '3']], 'raw'],
      [[['SET', 'k', 'ab'], ['APPEND', 'k', '']], 'raw'],
      [[['APPEND', 'k', 'ab']], 'embstr'],
      [[['APPEND', 'k', '12']], 'int'],
      [[['SETRANGE', 'k', '0', 'x']], 'raw'],
      [[['SET', 'k', '55'], ['SETRANGE', 'k', '1', '6']], 'raw'],
      [[['SET', 'k', '55'], ['SETRANGE', 'k', '0', '']], 'int'],
      [[['INCRBYFLOAT', 'k', '1.5']], 'embstr'],
      [[['INCRBYFLOAT', 'k', '1.5'], ['INCRBYFLOAT', 'k', '-0.5']], 'embstr'],
      [[['SET', 'k', '10'], ['INCRBYFLOAT', 'k', '0']], 'embstr'],
      [[['INCRBYFLOAT', 'k', '1.5'], ['INCRBYFLOAT', 'k', '-0.5'], ['INCR', 'k']], 'int'],
      [[['SET', 'k', 'a'], ['APPEND', 'k', 'b'], ['SET', 'k', 'ab']], 'embstr'],
      [[['SET', 'k', 'a'], ['APPEND', 'k', 'b'], ['GETSET', 'k', '7']], 'int'],
      [[['SET', 'k', '1'], ['APPEND', 'k', '2'], ['INCR', 'k']], 'int'],
      [[['SET', 'k', 'a'], ['APPEND', 'k', 'b'], ['EXPIRE', 'k', '100']], 'raw'],
      // The object moves (RENAME, MOVE) or is duplicated as it is (COPY).
      [[['SET', 'j', 'a'], ['APPEND', 'j', 'b'], ['RENAME', 'j', 'k']], 'raw'],
      [[['SET', 'j', 'a'], ['APPEND', 'j', 'b'], ['COPY', 'j', 'k']], 'raw'],
      [[['INCRBYFLOAT', 'j', '2'], ['COPY', 'j', 'k']], 'embstr'],
      [[['SET', 'k', 'a'], ['APPEND', 'k', 'b'], ['MOVE', 'k', '1'], ['SELECT', '1'], ['RENAME', 'k', 'j'], ['MOVE', 'j', '0'], ['SELECT', '0'], ['RENAME', 'j', 'k']], 'raw'],
    ];
    for (const [cmds, enc] of cases) {
      await t.call('FLUSHALL');
      for (const cmd of cmds) await t.call(...cmd);
      expect([cmds, await t.call('OBJECT', 'ENCODING', 'k')]).toEqual([cmds, enc]);
    }
    // A raw or float-made small integer is not the shared integer object.
    await t.call('SET', 'k', '5');
    await t.call('APPEND', 'k', '');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
    await t.call('INCRBYFLOAT', 'k', '1');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
  });

  it('REFCOUNT: shared integers 0..9999, else 1', async () => {
    await t.call('SET', 'k', '100');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(2147483647);
    await t.call('SET', 'k', '9999');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(2147483647);
    await t.call('SET', 'k', '10000');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
    await t.call('SET', 'k', '-1');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
    await t.call('SET', 'k', 'abc');
    expect(await t.call('OBJECT', 'REFCOUNT', 'k')).toBe(1);
  });

  it('IDLETIME of a fresh key is 0; FREQ needs an LFU policy', async () => {
    await t.call('SET', 'k', 'v');
    expect(await t.call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    expect(await t.error('OBJECT', 'FREQ', 'k')).toBe(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  });

  it('a missing key answers null', async () => {
    for (const sub of ['ENCODING', 'REFCOUNT', 'IDLETIME', 'FREQ']) expect(await t.call('OBJECT', sub, 'nope')).toBe(null);
  });

  it('HELP and errors', async () => {
    const help: string[] = await t.call('OBJECT', 'HELP');
    expect(help).toHaveLength(15);
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help[1]).toBe('ENCODING <key>');
    expect(help[13]).toBe('HELP');
    expect(help[14]).toBe('    Prints this help.');
    expect(await t.call('object', 'help')).toEqual(help);
    expect(await t.error('OBJECT')).toBe("ERR wrong number of arguments for 'object' command");
    expect(await t.error('OBJECT', 'foo', 'k')).toBe("ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    expect(await t.error('OBJECT', 'ENCODING')).toBe("ERR wrong number of arguments for 'object|encoding' command");
    expect(await t.error('OBJECT', 'encoding', 'a', 'b')).toBe("ERR wrong number of arguments for 'object|encoding' command");
    expect(await t.error('OBJECT', 'HELP', 'x')).toBe("ERR wrong number of arguments for 'object|help' command");
  });
});

commandSuite(
  'keys: OBJECT under an LFU policy',
  (t) => {
    it('FREQ answers a counter, IDLETIME is refused', async () => {
      await t.call('SET', 'k', 'v');
      const f = await t.call('OBJECT', 'FREQ', 'k');
      expect(Number.isInteger(f) && f >= 0 && f <= 255).toBe(true);
      expect(await t.error('OBJECT', 'IDLETIME', 'k')).toBe(
        'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
      expect(await t.call('OBJECT', 'IDLETIME', 'nope')).toBe(null);
    });
  },
  { 'maxmemory-policy': 'allkeys-lfu' },
);

// ---- in-process only: a driven clock and the propagated stream ----------------------------

describe('keys: expiry and propagation (in-process, ManualClock)', () => {
  let clock: ManualClock;
  let b: Backend;
  let log: string[][];
  const call = (...a: (string | number)[]) => b.conn.call(...a);

  beforeEach(async () => {
    clock = new ManualClock(1_700_000_000_000);
    b = await inProcess({}, clock);
    log = [];
    b.server!.log.addObserver((_db, argv) => log.push([...argv]));
  });
  afterEach(async () => {
    await b.close();
  });

  it('a key past its expiry is invisible to every read, but DBSIZE counts it until reaped', async () => {
    await call('SET', 'gone', 'v', 'PX', 1000);
    await call('SET', 'kept', 'v');
    clock.advance(1000);
    expect(await call('DBSIZE')).toBe(2);
    expect(await call('KEYS', '*')).toEqual(['kept']);
    expect(await call('DBSIZE')).toBe(2); // KEYS does not reap (Redis 7.0)
    for (let i = 0; i < 20; i++) expect(await call('RANDOMKEY')).toBe('kept');
    expect(await call('EXISTS', 'gone')).toBe(0);
    expect(await call('DBSIZE')).toBe(1);
  });

  it('each read reaps lazily and propagates one DEL', async () => {
    const reads: Array<(string | number)[]> = [
      ['GET', 'k'],
      ['EXISTS', 'k'],
      ['TYPE', 'k'],
      ['TTL', 'k'],
      ['PTTL', 'k'],
      ['EXPIRETIME', 'k'],
      ['TOUCH', 'k'],
      ['OBJECT', 'ENCODING', 'k'],
      ['PERSIST', 'k'],
      ['EXPIRE', 'k', 100],
      ['DEL', 'k'],
      ['COPY', 'k', 'k2'],
      ['MOVE', 'k', 1],
    ];
    for (const r of reads) {
      await call('SET', 'k', 'v', 'PX', 10);
      clock.advance(10);
      log.length = 0;
      const res = await call(...r);
      expect([r[0], res]).toEqual([r[0], r[0] === 'TTL' || r[0] === 'PTTL' || r[0] === 'EXPIRETIME' ? -2 : r[0] === 'TYPE' ? 'none' : r[0] === 'GET' || r[0] === 'OBJECT' ? null : 0]);
      expect(log).toEqual([['DEL', 'k']]);
      expect(await call('DBSIZE')).toBe(0);
    }
    await call('SET', 'k', 'v', 'PX', 10);
    clock.advance(10);
    log.length = 0;
    expect(await b.conn.call('RENAME', 'k', 'x').catch((e: Error) => e.message)).toBe('ERR no such key');
    expect(log).toEqual([['DEL', 'k']]);
  });

  it('SCAN reaps the expired keys it visits', async () => {
    for (let i = 0; i < 10; i++) await call('SET', `e${i}`, 'v', 'PX', 5);
    await call('SET', 'kept', 'v');
    clock.advance(5);
    log.length = 0;
    const [cursor, keys] = await call('SCAN', 0, 'COUNT', 100);
    expect(cursor).toBe('0');
    expect(keys).toEqual(['kept']);
    expect(log.length).toBe(10);
    expect(await call('DBSIZE')).toBe(1);
  });

  it('TTL rounds to the nearest second and never goes negative', async () => {
    await call('SET', 'k', 'v', 'PX', 10_000);
    clock.advance(4_500);
    expect(await call('PTTL', 'k')).toBe(5_500);
    expect(await call('TTL', 'k')).toBe(6);
    clock.advance(1);
    expect(await call('TTL', 'k')).toBe(5);
    clock.advance(999);
    expect(await call('PTTL', 'k')).toBe(4_500);
    expect(await call('TTL', 'k')).toBe(5);
    clock.advance(1);
    expect(await call('TTL', 'k')).toBe(4);
    clock.advance(4_498);
    expect(await call('PTTL', 'k')).toBe(1);
    expect(await call('TTL', 'k')).toBe(0);
    expect(await call('EXPIRETIME', 'k')).toBe(Math.floor((1_700_000_010_000 + 500) / 1000));
    expect(await call('PEXPIRETIME', 'k')).toBe(1_700_000_010_000);
    clock.advance(1);
    expect(await call('PTTL', 'k')).toBe(-2);
  });

  it('relative expiries propagate as PEXPIREAT with the absolute ms', async () => {
    await call('SET', 'k', 'v');
    log.length = 0;
    await call('EXPIRE', 'k', 100);
    await call('PEXPIRE', 'k', 1500, 'GT');
    await call('PEXPIRE', 'k', 1500, 'LT');
    await call('EXPIREAT', 'k', 1_800_000_000);
    await call('PEXPIREAT', 'k', 1_800_000_000_123, 'XX');
    await call('PEXPIREAT', 'k', '9223372036854775807');
    await call('EXPIREAT', 'k', '9223372036854775');
    expect(log).toEqual([
      ['PEXPIREAT', 'k', String(clock.ms + 100_000)],
      ['PEXPIREAT', 'k', String(clock.ms + 1500)],
      ['PEXPIREAT', 'k', '1800000000000'],
      ['PEXPIREAT', 'k', '1800000000123'],
      ['PEXPIREAT', 'k', '9223372036854775807'],
      ['PEXPIREAT', 'k', '9223372036854775000'],
    ]);
  });

  it('a past expiry propagates DEL; refused and no-op commands propagate nothing', async () => {
    await call('SET', 'k', 'v');
    log.length = 0;
    await call('EXPIRE', 'k', 10, 'XX');
    await call('EXPIRE', 'nope', 10);
    await call('PERSIST', 'k');
    await call('DEL', 'nope', 'nope2');
    await call('RENAMENX', 'k', 'k');
    await call('RENAME', 'k', 'k');
    await call('COPY', 'nope', 'x');
    await call('MOVE', 'nope', 1);
    await call('SWAPDB', 3, 3);
    expect(await b.conn.call('EXPIRE', 'k', 10, 'FOO').catch((e: Error) => e.message)).toBe('ERR Unsupported option FOO');
    expect(log).toEqual([]);
    await call('EXPIRE', 'k', -1);
    expect(log).toEqual([['DEL', 'k']]);
  });

  it('mutations propagate their deterministic effect', async () => {
    await call('SET', 'a', '1');
    await call('SET', 'b', '2');
    await call('SET', 'c', '3');
    log.length = 0;
    await call('DEL', 'a', 'nope', 'a');
    await call('UNLINK', 'b');
    await call('RENAMENX', 'c', 'd');
    await call('RENAME', 'd', 'e');
    await call('COPY', 'e', 'f');
    await call('COPY', 'e', 'f', 'REPLACE');
    await call('COPY', 'e', 'f', 'DB', 2, 'REPLACE');
    await call('COPY', 'e', 'f', 'DB', 0);
    await call('MOVE', 'f', 3);
    await call('EXPIRE', 'e', 50);
    await call('PERSIST', 'e');
    await call('SWAPDB', 0, 5);
    await call('FLUSHDB', 'ASYNC');
    await call('FLUSHALL', 'SYNC');
    expect(log).toEqual([
      ['DEL', 'a'],
      ['UNLINK', 'b'],
      ['RENAME', 'c', 'd'],
      ['RENAME', 'd', 'e'],
      ['COPY', 'e', 'f'],
      ['COPY', 'e', 'f', 'REPLACE'],
      ['COPY', 'e', 'f', 'DB', '2'],
      ['MOVE', 'f', '3'],
      ['PEXPIREAT', 'e', String(clock.ms + 50_000)],
      ['PERSIST', 'e'],
      ['SWAPDB', '0', '5'],
      ['FLUSHDB'],
      ['FLUSHALL'],
    ]);
  });

  it('OBJECT IDLETIME follows the LRU clock; reads that touch reset it, NOTOUCH reads do not', async () => {
    const ks = b.server!.ks;
    await call('SET', 'k', 'v');
    clock.advance(7_000);
    ks.updateLruClock();
    expect(await call('OBJECT', 'IDLETIME', 'k')).toBe(7);
    await call('TTL', 'k');
    await call('EXISTS', 'k');
    await call('TYPE', 'k');
    expect(await call('OBJECT', 'IDLETIME', 'k')).toBe(7);
    await call('GET', 'k');
    expect(await call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    clock.advance(3_000);
    ks.updateLruClock();
    await call('TOUCH', 'k');
    expect(await call('OBJECT', 'IDLETIME', 'k')).toBe(0);
  });

  it('RENAME, MOVE and COPY leave the key freshly accessed', async () => {
    const ks = b.server!.ks;
    await call('SET', 'k', 'v');
    clock.advance(9_000);
    ks.updateLruClock();
    await call('COPY', 'k', 'c');
    expect(await call('OBJECT', 'IDLETIME', 'c')).toBe(0);
    // RENAME touches the source first (lookupKeyWrite), as Redis does: idle 0 after.
    await call('RENAME', 'k', 'r');
    clock.advance(2_000);
    ks.updateLruClock();
    await call('MOVE', 'r', 1);
    await call('SELECT', 1);
    expect(await call('OBJECT', 'IDLETIME', 'r')).toBe(0);
    await call('SELECT', 0);
  });

  it('an EXPIRE in the past on a replica sets the expiry instead of deleting', async () => {
    const ks = b.server!.ks;
    await call('SET', 'k', 'v');
    ks.expireDeletes = false;
    log.length = 0;
    expect(await call('PEXPIREAT', 'k', 1000)).toBe(1);
    expect(log).toEqual([['PEXPIREAT', 'k', '1000']]);
    expect(await call('EXISTS', 'k')).toBe(0);
    expect(await call('DBSIZE')).toBe(1);
    ks.expireDeletes = true;
  });

  it('keyspace hits and misses: EXISTS, TYPE, TTL and TOUCH count, KEYS does not', async () => {
    const st = b.server!.ks.stats;
    await call('SET', 'k', 'v');
    const h = st.keyspaceHits;
    const m = st.keyspaceMisses;
    await call('EXISTS', 'k', 'nope');
    await call('TYPE', 'k');
    await call('TTL', 'nope');
    await call('TOUCH', 'k');
    await call('KEYS', '*');
    expect(st.keyspaceHits - h).toBe(3);
    expect(st.keyspaceMisses - m).toBe(2);
  });
});
