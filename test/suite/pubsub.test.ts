// Pub/sub (SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB SSUBSCRIBE SUNSUBSCRIBE
// SPUBLISH) and keyspace notifications, against every backend: the assertions hold on
// redis-server 7.0 too. Subscribers are raw connections (a socket + the test RESP decoder, or an
// in-process LocalConn with a tap), so the frames are checked as they are, in RESP2 and RESP3.
// Hoard-only blocks at the end drive what only in-process can pin down (output limits of a
// subscriber within one turn, cleanup of the server's maps).

import { describe, expect, it, afterEach } from 'vitest';
import { commandSuite, sleep, type SuiteContext } from '../helpers/suite.js';
import { encodeArgs, inProcess, LocalConn } from '../helpers/backends.js';
import { RawFrames } from '../helpers/raw-conn.js';

let opened: RawFrames[] = [];
async function raw(t: SuiteContext): Promise<RawFrames> {
  const r = await RawFrames.open(t);
  opened.push(r);
  return r;
}
afterEach(() => {
  for (const r of opened) r.close();
  opened = [];
});

/** Waits until `f` holds (a server processes a disconnect asynchronously). */
async function eventually(f: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await f()) return;
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(10);
  }
}

const byPattern = (frames: any[]) => frames.map((f) => f[1]).sort();

commandSuite('pubsub: SUBSCRIBE PUBLISH UNSUBSCRIBE', (t) => {
  it('confirms each subscription with the running count, duplicates included', async () => {
    const s = await raw(t);
    s.send('SUBSCRIBE', 'a', 'b', 'a');
    expect(await s.take(3)).toEqual([
      ['subscribe', 'a', 1],
      ['subscribe', 'b', 2],
      ['subscribe', 'a', 2],
    ]);
  });

  it('PUBLISH delivers to every subscriber and returns the number of receivers', async () => {
    const s1 = await raw(t);
    const s2 = await raw(t);
    expect(await s1.cmd('SUBSCRIBE', 'news')).toEqual(['subscribe', 'news', 1]);
    expect(await s2.cmd('SUBSCRIBE', 'news', 'other')).toEqual(['subscribe', 'news', 1]);
    expect(await s2.next()).toEqual(['subscribe', 'other', 2]);
    expect(await t.call('PUBLISH', 'news', 'hello')).toBe(2);
    expect(await t.call('PUBLISH', 'other', 'x')).toBe(1);
    expect(await t.call('PUBLISH', 'nobody', 'x')).toBe(0);
    expect(await s1.next()).toEqual(['message', 'news', 'hello']);
    expect(await s2.take(2)).toEqual([
      ['message', 'news', 'hello'],
      ['message', 'other', 'x'],
    ]);
    await s1.sync();
    await s2.sync();
  });

  it('messages keep their order and are binary-safe', async () => {
    const s = await raw(t);
    await s.cmd('SUBSCRIBE', 'ch');
    const msgs = ['one', '', 'with\r\nCRLF', 'nul\0byte', 'x'.repeat(100_000)];
    for (const m of msgs) expect(await t.call('PUBLISH', 'ch', m)).toBe(1);
    const got = await s.take(msgs.length);
    expect(got.map((f) => f[2])).toEqual(msgs);
  });

  it('UNSUBSCRIBE one, then all, then none (a frame with a null channel)', async () => {
    const s = await raw(t);
    s.send('SUBSCRIBE', 'a', 'b');
    await s.take(2);
    expect(await s.cmd('UNSUBSCRIBE', 'a')).toEqual(['unsubscribe', 'a', 1]);
    expect(await t.call('PUBLISH', 'a', 'x')).toBe(0);
    expect(await s.cmd('UNSUBSCRIBE', 'never')).toEqual(['unsubscribe', 'never', 1]);
    expect(await s.cmd('UNSUBSCRIBE')).toEqual(['unsubscribe', 'b', 0]);
    expect(await s.cmd('UNSUBSCRIBE')).toEqual(['unsubscribe', null, 0]);
    expect(await s.cmd('PUNSUBSCRIBE')).toEqual(['punsubscribe', null, 0]);
    expect(await s.cmd('SUNSUBSCRIBE')).toEqual(['sunsubscribe', null, 0]);
    // Out of subscriber mode: ordinary replies again.
    expect(await s.cmd('PING')).toBe('PONG');
    expect(await s.cmd('GET', 'k')).toBe(null);
  });

  it('a mass UNSUBSCRIBE with only patterns left counts them', async () => {
    const s = await raw(t);
    expect(await s.cmd('PSUBSCRIBE', 'p*')).toEqual(['psubscribe', 'p*', 1]);
    expect(await s.cmd('UNSUBSCRIBE')).toEqual(['unsubscribe', null, 1]);
    expect(await s.cmd('PUNSUBSCRIBE')).toEqual(['punsubscribe', 'p*', 0]);
  });

  it('a client subscribed to a channel and a matching pattern receives both', async () => {
    const s = await raw(t);
    await s.cmd('SUBSCRIBE', 'news.tech');
    expect(await s.cmd('PSUBSCRIBE', 'news.*')).toEqual(['psubscribe', 'news.*', 2]);
    expect(await t.call('PUBLISH', 'news.tech', 'm')).toBe(2);
    expect(await s.take(2)).toEqual([
      ['message', 'news.tech', 'm'],
      ['pmessage', 'news.*', 'news.tech', 'm'],
    ]);
  });

  it('arity errors', async () => {
    expect(await t.error('SUBSCRIBE')).toBe("ERR wrong number of arguments for 'subscribe' command");
    expect(await t.error('PSUBSCRIBE')).toBe("ERR wrong number of arguments for 'psubscribe' command");
    expect(await t.error('PUBLISH', 'a')).toBe("ERR wrong number of arguments for 'publish' command");
    expect(await t.error('SPUBLISH', 'a', 'b', 'c')).toBe("ERR wrong number of arguments for 'spublish' command");
  });
});

commandSuite('pubsub: patterns', (t) => {
  it('glob patterns: ? * [..] [^..] ranges and escapes', async () => {
    const s = await raw(t);
    const patterns = ['h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'a\\*b'];
    s.send('PSUBSCRIBE', ...patterns);
    const conf = await s.take(patterns.length);
    expect(conf.map((f) => f[2])).toEqual([1, 2, 3, 4, 5, 6]);
    const cases: Array<[string, string[]]> = [
      ['hello', ['h*llo', 'h?llo', 'h[ae]llo']],
      ['hallo', ['h*llo', 'h?llo', 'h[a-b]llo', 'h[ae]llo', 'h[^e]llo']],
      ['hxllo', ['h*llo', 'h?llo', 'h[^e]llo']],
      ['hllo', ['h*llo']],
      ['heeeello', ['h*llo']],
      ['a*b', ['a\\*b']],
      ['axb', []],
    ];
    for (const [channel, expected] of cases) {
      expect(await t.call('PUBLISH', channel, 'm-' + channel)).toBe(expected.length);
      const frames = await s.take(expected.length);
      for (const f of frames) expect(f.slice(2)).toEqual([channel, 'm-' + channel]);
      // Redis walks its pattern dict in hash order: compare as sets.
      expect(byPattern(frames)).toEqual([...expected].sort());
    }
    await s.sync();
  });

  it('PSUBSCRIBE * does not match the empty channel name (stringmatchlen)', async () => {
    const s = await raw(t);
    s.send('PSUBSCRIBE', '*', '**', '?*');
    await s.take(3);
    expect(await t.call('PUBLISH', '', 'x')).toBe(0);
    expect(await t.call('PUBLISH', 'a', 'x')).toBe(3);
    expect(byPattern(await s.take(3))).toEqual(['*', '**', '?*']);
    expect(await s.cmd('SUBSCRIBE', '')).toEqual(['subscribe', '', 4]);
    expect(await t.call('PUBLISH', '', 'y')).toBe(1);
    expect(await s.next()).toEqual(['message', '', 'y']);
  });

  it('PUNSUBSCRIBE one, then all', async () => {
    const s = await raw(t);
    s.send('PSUBSCRIBE', 'a*', 'b*', 'a*');
    expect((await s.take(3)).map((f) => f[2])).toEqual([1, 2, 2]);
    expect(await s.cmd('PUNSUBSCRIBE', 'a*')).toEqual(['punsubscribe', 'a*', 1]);
    expect(await t.call('PUBLISH', 'ax', 'm')).toBe(0);
    expect(await s.cmd('PUNSUBSCRIBE')).toEqual(['punsubscribe', 'b*', 0]);
    expect(await s.cmd('PING')).toBe('PONG');
  });
});

commandSuite('pubsub: shard channels', (t) => {
  it('SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE are a separate namespace', async () => {
    const s = await raw(t);
    expect(await s.cmd('SUBSCRIBE', 'c')).toEqual(['subscribe', 'c', 1]);
    expect(await s.cmd('PSUBSCRIBE', '*')).toEqual(['psubscribe', '*', 2]);
    // Shard subscriptions are counted apart.
    expect(await s.cmd('SSUBSCRIBE', 'c')).toEqual(['ssubscribe', 'c', 1]);
    expect(await t.call('SPUBLISH', 'c', 'shard')).toBe(1);
    expect(await s.next()).toEqual(['smessage', 'c', 'shard']);
    expect(await t.call('PUBLISH', 'c', 'global')).toBe(2);
    expect(await s.take(2)).toEqual([
      ['message', 'c', 'global'],
      ['pmessage', '*', 'c', 'global'],
    ]);
    expect(await s.cmd('SUNSUBSCRIBE', 'c')).toEqual(['sunsubscribe', 'c', 0]);
    expect(await t.call('SPUBLISH', 'c', 'x')).toBe(0);
    expect(await s.cmd('SUNSUBSCRIBE')).toEqual(['sunsubscribe', null, 0]);
    expect(await s.cmd('UNSUBSCRIBE')).toEqual(['unsubscribe', 'c', 1]);
  });

  it('a shard subscription alone keeps the client in subscriber mode', async () => {
    const s = await raw(t);
    await s.cmd('SSUBSCRIBE', 'x');
    expect(await s.cmd('GET', 'k')).toEqual({
      error: "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    });
    expect(await s.cmd('SUNSUBSCRIBE', 'x')).toEqual(['sunsubscribe', 'x', 0]);
    expect(await s.cmd('GET', 'k')).toBe(null);
  });
});

commandSuite('pubsub: PUBSUB introspection and INFO', (t) => {
  it('CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB', async () => {
    const s1 = await raw(t);
    const s2 = await raw(t);
    s1.send('SUBSCRIBE', 'news.tech', 'news.art', 'misc');
    await s1.take(3);
    s2.send('SUBSCRIBE', 'news.tech');
    await s2.take(1);
    s1.send('PSUBSCRIBE', 'n*', 'm*');
    await s1.take(2);
    s2.send('PSUBSCRIBE', 'n*');
    await s2.take(1);
    s2.send('SSUBSCRIBE', 'sh1', 'sh2');
    await s2.take(2);
    expect((await t.call('PUBSUB', 'CHANNELS')).sort()).toEqual(['misc', 'news.art', 'news.tech']);
    expect((await t.call('PUBSUB', 'CHANNELS', 'news.*')).sort()).toEqual(['news.art', 'news.tech']);
    expect(await t.call('PUBSUB', 'CHANNELS', 'nothing*')).toEqual([]);
    expect(await t.call('PUBSUB', 'NUMSUB', 'news.tech', 'misc', 'none')).toEqual(['news.tech', 2, 'misc', 1, 'none', 0]);
    expect(await t.call('PUBSUB', 'NUMSUB')).toEqual([]);
    // Unique patterns, whoever subscribed them.
    expect(await t.call('PUBSUB', 'NUMPAT')).toBe(2);
    expect((await t.call('PUBSUB', 'SHARDCHANNELS')).sort()).toEqual(['sh1', 'sh2']);
    expect(await t.call('PUBSUB', 'SHARDCHANNELS', '*2')).toEqual(['sh2']);
    expect(await t.call('PUBSUB', 'SHARDNUMSUB', 'sh1', 'news.tech')).toEqual(['sh1', 1, 'news.tech', 0]);
    const info: string = await t.call('INFO', 'stats');
    expect(info).toMatch(/\r\npubsub_channels:3\r\n/);
    expect(info).toMatch(/\r\npubsub_patterns:2\r\n/);
    expect(info).toMatch(/\r\npubsubshard_channels:2\r\n/);
  });

  it('PUBSUB errors and HELP', async () => {
    expect(await t.error('PUBSUB')).toBe("ERR wrong number of arguments for 'pubsub' command");
    expect(await t.error('PUBSUB', 'foo')).toBe("ERR unknown subcommand 'foo'. Try PUBSUB HELP.");
    expect(await t.error('PUBSUB', 'CHANNELS', 'a', 'b')).toBe(
      "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
    );
    expect(await t.error('PUBSUB', 'NUMPAT', 'x')).toBe("ERR wrong number of arguments for 'pubsub|numpat' command");
    const help: string[] = await t.call('PUBSUB', 'HELP');
    expect(help[0]).toBe('PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('SHARDNUMSUB [<shardchannel> ...]');
    expect(help[help.length - 1]).toBe('    Prints this help.');
  });

  it('a disconnected subscriber is forgotten', async () => {
    const s = await raw(t);
    s.send('SUBSCRIBE', 'gone');
    await s.take(1);
    s.send('PSUBSCRIBE', 'gone*');
    await s.take(1);
    s.send('SSUBSCRIBE', 'gone');
    await s.take(1);
    expect(await t.call('PUBSUB', 'NUMSUB', 'gone')).toEqual(['gone', 1]);
    s.close();
    await eventually(async () => (await t.call('PUBSUB', 'NUMSUB', 'gone'))[1] === 0);
    expect(await t.call('PUBSUB', 'NUMPAT')).toBe(0);
    expect(await t.call('PUBSUB', 'SHARDCHANNELS')).toEqual([]);
    expect(await t.call('PUBLISH', 'gone', 'x')).toBe(0);
  });

  it('CLIENT LIST shows flag P and the sub/psub/ssub counts', async () => {
    const s = await raw(t);
    s.send('SUBSCRIBE', 'a', 'b');
    await s.take(2);
    s.send('PSUBSCRIBE', 'p*');
    await s.take(1);
    s.send('SSUBSCRIBE', 's');
    await s.take(1);
    const list: string = await t.call('CLIENT', 'LIST', 'TYPE', 'pubsub');
    const lines = list.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 /);
    const mine: string = await t.call('CLIENT', 'INFO');
    expect(mine).toMatch(/ flags=N db=0 sub=0 psub=0 ssub=0 /);
  });
});

commandSuite('pubsub: RESP2 subscriber mode', (t) => {
  it('only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET are allowed', async () => {
    const s = await raw(t);
    await s.cmd('SUBSCRIBE', 'a');
    const msg = (cmd: string) => ({
      error: `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    });
    expect(await s.cmd('GET', 'k')).toEqual(msg('get'));
    expect(await s.cmd('SET', 'k', 'v')).toEqual(msg('set'));
    expect(await s.cmd('PUBLISH', 'a', 'x')).toEqual(msg('publish'));
    expect(await s.cmd('CLIENT', 'LIST')).toEqual(msg('client|list'));
    expect(await s.cmd('HELLO', '2')).toEqual(msg('hello'));
    // Arity and unknown commands are checked first, as in Redis.
    expect((await s.cmd('NOSUCHCMD')).error).toMatch(/^ERR unknown command 'NOSUCHCMD'/);
    expect(await s.cmd('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(await t.call('GET', 'k')).toBe(null); // nothing was set
    expect(await s.cmd('PING')).toEqual(['pong', '']);
    expect(await s.cmd('PING', 'hi')).toEqual(['pong', 'hi']);
    expect(await s.cmd('PSUBSCRIBE', 'x*')).toEqual(['psubscribe', 'x*', 2]);
    expect(await s.cmd('QUIT')).toBe('OK');
  });

  it('RESET drops every subscription silently and leaves subscriber mode', async () => {
    const s = await raw(t);
    s.send('SUBSCRIBE', 'a');
    await s.take(1);
    s.send('PSUBSCRIBE', 'a*');
    await s.take(1);
    s.send('SSUBSCRIBE', 'a');
    await s.take(1);
    expect(await s.cmd('RESET')).toBe('RESET');
    expect(await t.call('PUBLISH', 'a', 'x')).toBe(0);
    expect(await t.call('SPUBLISH', 'a', 'x')).toBe(0);
    expect(await s.cmd('PING')).toBe('PONG');
    expect(await s.cmd('SET', 'k', 'v')).toBe('OK');
  });
});

commandSuite('pubsub: RESP3 pushes', (t) => {
  it('subscriptions and messages are push frames; any command may run', async () => {
    const s = await raw(t);
    const hello = await s.cmd('HELLO', '3');
    expect(hello).toBeInstanceOf(Map);
    expect(await s.cmd('SUBSCRIBE', 'a')).toEqual({ push: ['subscribe', 'a', 1] });
    expect(await s.cmd('PSUBSCRIBE', 'a*')).toEqual({ push: ['psubscribe', 'a*', 2] });
    expect(await s.cmd('SET', 'k', 'v')).toBe('OK');
    expect(await s.cmd('GET', 'k')).toBe('v');
    expect(await s.cmd('PING')).toBe('PONG');
    expect(await t.call('PUBLISH', 'a', 'm')).toBe(2);
    expect(await s.take(2)).toEqual([{ push: ['message', 'a', 'm'] }, { push: ['pmessage', 'a*', 'a', 'm'] }]);
    // Publishing to itself: the pushes come before the PUBLISH reply.
    s.send('PUBLISH', 'a', 'self');
    expect(await s.take(3)).toEqual([{ push: ['message', 'a', 'self'] }, { push: ['pmessage', 'a*', 'a', 'self'] }, 2]);
    expect(await s.cmd('UNSUBSCRIBE', 'zz')).toEqual({ push: ['unsubscribe', 'zz', 2] });
    expect(await s.cmd('UNSUBSCRIBE')).toEqual({ push: ['unsubscribe', 'a', 1] });
    expect(await s.cmd('UNSUBSCRIBE')).toEqual({ push: ['unsubscribe', null, 1] });
    expect(await s.cmd('SSUBSCRIBE', 's')).toEqual({ push: ['ssubscribe', 's', 1] });
    expect(await t.call('SPUBLISH', 's', 'x')).toBe(1);
    expect(await s.next()).toEqual({ push: ['smessage', 's', 'x'] });
  });

  it('back to RESP2 while subscribed: subscriber-mode rules apply again', async () => {
    const s = await raw(t);
    await s.cmd('HELLO', '3');
    await s.cmd('SUBSCRIBE', 'a');
    const hello = await s.cmd('HELLO', '2');
    expect(Array.isArray(hello)).toBe(true);
    expect((await s.cmd('GET', 'k')).error).toMatch(/^ERR Can't execute 'get'/);
    expect(await t.call('PUBLISH', 'a', 'm')).toBe(1);
    expect(await s.next()).toEqual(['message', 'a', 'm']);
  });
});

// ---- keyspace notifications -------------------------------------------------------------------

/** A subscriber to every keyspace and keyevent channel; returns it after the confirmation. */
async function keyspaceListener(t: SuiteContext): Promise<RawFrames> {
  const s = await raw(t);
  expect(await s.cmd('PSUBSCRIBE', '__key*__:*')).toEqual(['psubscribe', '__key*__:*', 1]);
  return s;
}

/** The next `n` notifications as "channel message". */
async function events(s: RawFrames, n: number): Promise<string[]> {
  const frames = await s.take(n);
  return frames.map((f) => {
    expect(f[0]).toBe('pmessage');
    return `${f[2]} ${f[3]}`;
  });
}

commandSuite('keyspace notifications', (t) => {
  afterEach(async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await t.call('SELECT', 0);
  });

  it('off by default: nothing is published', async () => {
    expect(await t.call('CONFIG', 'GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', '']);
    const s = await keyspaceListener(t);
    await t.call('SET', 'k', 'v');
    await t.call('DEL', 'k');
    await s.sync();
  });

  it('KEA: keyspace then keyevent for each event, in order', async () => {
    expect(await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA')).toBe('OK');
    expect(await t.call('CONFIG', 'GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', 'AKE']);
    const s = await keyspaceListener(t);
    await t.call('SET', 'k', 'v');
    await t.call('DEL', 'k', 'missing');
    expect(await events(s, 4)).toEqual(['__keyspace@0__:k set', '__keyevent@0__:set k', '__keyspace@0__:k del', '__keyevent@0__:del k']);
    await s.sync();
  });

  it('string commands: set, expire, incrby, incrbyfloat, append, setrange, del, persist', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'E$g');
    const s = await keyspaceListener(t);
    await t.call('SET', 'a', '1', 'EX', 100);
    await t.call('SETNX', 'a', '2'); // no-op: no event
    await t.call('INCR', 'a');
    await t.call('DECRBY', 'a', 5);
    await t.call('INCRBYFLOAT', 'a', '1.5');
    await t.call('APPEND', 'a', 'x');
    await t.call('SETRANGE', 'a', 0, 'y');
    await t.call('GETEX', 'a', 'PERSIST');
    await t.call('GETEX', 'a', 'EX', 50);
    await t.call('MSET', 'm1', '1', 'm2', '2');
    await t.call('GETSET', 'm1', '3');
    await t.call('SETEX', 's', 100, 'v');
    await t.call('GETDEL', 's');
    await t.call('SET', 'n', 'v', 'NX');
    expect(await events(s, 16)).toEqual([
      '__keyevent@0__:set a',
      '__keyevent@0__:expire a',
      '__keyevent@0__:incrby a',
      '__keyevent@0__:incrby a',
      '__keyevent@0__:incrbyfloat a',
      '__keyevent@0__:append a',
      '__keyevent@0__:setrange a',
      '__keyevent@0__:persist a',
      '__keyevent@0__:expire a',
      '__keyevent@0__:set m1',
      '__keyevent@0__:set m2',
      '__keyevent@0__:set m1',
      '__keyevent@0__:set s',
      '__keyevent@0__:expire s',
      '__keyevent@0__:del s',
      '__keyevent@0__:set n',
    ]);
    await s.sync();
  });

  it('key commands: rename, expire, persist, copy, move, expire in the past', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Kg');
    const s = await keyspaceListener(t);
    await t.call('SET', 'a', '1'); // '$' not enabled: no event
    await t.call('RENAME', 'a', 'b');
    await t.call('EXPIRE', 'b', 100);
    await t.call('PERSIST', 'b');
    await t.call('COPY', 'b', 'c');
    await t.call('MOVE', 'c', 1);
    await t.call('EXPIRE', 'b', -1);
    await t.call('EXPIRE', 'missing', 10);
    expect(await events(s, 8)).toEqual([
      '__keyspace@0__:a rename_from',
      '__keyspace@0__:b rename_to',
      '__keyspace@0__:b expire',
      '__keyspace@0__:b persist',
      '__keyspace@0__:c copy_to',
      '__keyspace@0__:c move_from',
      '__keyspace@1__:c move_to',
      '__keyspace@0__:b del',
    ]);
    await s.sync();
  });

  it('events carry the db of the client', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'KE$');
    const s = await keyspaceListener(t);
    await t.call('SELECT', 3);
    await t.call('SET', 'k', 'v');
    expect(await events(s, 2)).toEqual(['__keyspace@3__:k set', '__keyevent@3__:set k']);
  });

  it('class filtering: a class not enabled publishes nothing', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'K$');
    const s = await keyspaceListener(t);
    await t.call('SET', 'k', 'v');
    await t.call('EXPIRE', 'k', 100); // g is off
    await t.call('DEL', 'k'); // g is off
    await t.call('SET', 'k2', 'v');
    expect(await events(s, 2)).toEqual(['__keyspace@0__:k set', '__keyspace@0__:k2 set']);
    await s.sync();
    // Classes alone, without K or E, publish nothing.
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'A');
    await t.call('SET', 'k', 'v');
    await s.sync();
  });

  it('a plain SUBSCRIBE to a keyevent channel works like any channel', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Eg');
    const s = await raw(t);
    await s.cmd('SUBSCRIBE', '__keyevent@0__:del');
    await t.call('SET', 'x', '1');
    await t.call('DEL', 'x');
    expect(await s.next()).toEqual(['message', '__keyevent@0__:del', 'x']);
  });

  it('expired: fired by active expiry after a short TTL, and by a lookup', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
    const s = await keyspaceListener(t);
    await t.call('SET', 'short', 'v', 'PX', 30);
    if (t.backend.name === 'in-process') {
      // No cron runs in-process (no listen()): the lookup expires the key.
      await sleep(50);
      expect(await t.call('GET', 'short')).toBe(null);
    }
    expect(await events(s, 1)).toEqual(['__keyevent@0__:expired short']);
    // SET with an absolute time already past: Redis reports the key expired too.
    await t.call('SET', 'past', 'v', 'PXAT', 1);
    expect(await t.call('GET', 'past')).toBe(null);
    expect(await events(s, 1)).toEqual(['__keyevent@0__:expired past']);
    await s.sync();
  });

  it('new and keymiss classes (not part of A)', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Enm$');
    const s = await keyspaceListener(t);
    await t.call('SET', 'k', '1');
    await t.call('SET', 'k', '2');
    await t.call('GET', 'nope');
    await t.call('EXISTS', 'nope');
    await t.call('OBJECT', 'ENCODING', 'nope'); // LOOKUP_NONOTIFY
    await t.call('GET', 'k');
    expect(await events(s, 5)).toEqual([
      '__keyevent@0__:new k',
      '__keyevent@0__:set k',
      '__keyevent@0__:set k',
      '__keyevent@0__:keymiss nope',
      '__keyevent@0__:keymiss nope',
    ]);
    await s.sync();
  });

  it('hash, list and sorted-set commands: their events and the "del" of an emptied key', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ehlzg');
    const s = await keyspaceListener(t);
    await t.call('HSET', 'h', 'f', '1');
    await t.call('HINCRBY', 'h', 'f', 2);
    await t.call('HDEL', 'h', 'f');
    await t.call('RPUSH', 'l', 'a', 'b');
    await t.call('LMOVE', 'l', 'l2', 'LEFT', 'RIGHT');
    await t.call('LPOP', 'l');
    await t.call('ZADD', 'z', 1, 'm');
    await t.call('ZINCRBY', 'z', 1, 'm');
    await t.call('ZPOPMIN', 'z');
    expect(await events(s, 13)).toEqual([
      '__keyevent@0__:hset h',
      '__keyevent@0__:hincrby h',
      '__keyevent@0__:hdel h',
      '__keyevent@0__:del h',
      '__keyevent@0__:rpush l',
      '__keyevent@0__:rpush l2',
      '__keyevent@0__:lpop l',
      '__keyevent@0__:lpop l',
      '__keyevent@0__:del l',
      '__keyevent@0__:zadd z',
      '__keyevent@0__:zincr z',
      '__keyevent@0__:zpopmin z',
      '__keyevent@0__:del z',
    ]);
    await s.sync();
  });

  it('set commands: their events, the "del" of an emptied key, nothing for a no-op', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'Esg');
    const s = await keyspaceListener(t);
    await t.call('SADD', 's', 'a', 'b', 'c');
    await t.call('SADD', 's', 'a'); // nothing added
    await t.call('SREM', 's', 'a', 'x');
    await t.call('SREM', 's', 'x'); // nothing removed
    await t.call('SPOP', 's', 0);
    await t.call('SPOP', 'nope', 2);
    await t.call('SPOP', 's', 1); // part of the set
    await t.call('SPOP', 's'); // its last member
    await t.call('SADD', 's', 'a', 'b');
    await t.call('SPOP', 's', 5); // the whole set
    await t.call('SADD', 'big', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    await t.call('SPOP', 'big', 9); // most of the set: pops all but the ones it keeps
    await t.call('SADD', 'src', 'a', 'b');
    await t.call('SADD', 'dst', 'b');
    await t.call('SMOVE', 'src', 'dst', 'b'); // already in dst: no sadd
    await t.call('SMOVE', 'src', 'src', 'a'); // same set
    await t.call('SMOVE', 'src', 'dst', 'x'); // not a member
    await t.call('SMOVE', 'src', 'dst', 'a'); // empties src
    await t.call('SMOVE', 'src', 'new', 'a'); // src missing
    await t.call('SREM', 'dst', 'a', 'b', 'c');
    await t.call('SADD', 'x', 1, 2);
    await t.call('SADD', 'y', 2, 3);
    await t.call('SINTERSTORE', 'd', 'x', 'y');
    await t.call('SUNIONSTORE', 'd', 'x', 'y');
    await t.call('SDIFFSTORE', 'd', 'x', 'y');
    await t.call('SINTERSTORE', 'd', 'x', 'nope'); // empty: deletes d
    await t.call('SDIFFSTORE', 'd', 'x', 'x'); // empty, d missing
    await t.call('SUNIONSTORE', 'd', 'nope');
    await t.call('SINTERSTORE', 'd', 'x', 'y');
    await t.call('SDIFFSTORE', 'd', 'y', 'y'); // empty: deletes d
    expect(await events(s, 26)).toEqual([
      '__keyevent@0__:sadd s',
      '__keyevent@0__:srem s',
      '__keyevent@0__:spop s',
      '__keyevent@0__:spop s',
      '__keyevent@0__:del s',
      '__keyevent@0__:sadd s',
      '__keyevent@0__:spop s',
      '__keyevent@0__:del s',
      '__keyevent@0__:sadd big',
      '__keyevent@0__:spop big',
      '__keyevent@0__:sadd src',
      '__keyevent@0__:sadd dst',
      '__keyevent@0__:srem src',
      '__keyevent@0__:srem src',
      '__keyevent@0__:del src',
      '__keyevent@0__:sadd dst',
      '__keyevent@0__:srem dst',
      '__keyevent@0__:del dst',
      '__keyevent@0__:sadd x',
      '__keyevent@0__:sadd y',
      '__keyevent@0__:sinterstore d',
      '__keyevent@0__:sunionstore d',
      '__keyevent@0__:sdiffstore d',
      '__keyevent@0__:del d',
      '__keyevent@0__:sinterstore d',
      '__keyevent@0__:del d',
    ]);
    await s.sync();
  });

  it('CONFIG SET rejects unknown classes', async () => {
    expect(await t.error('CONFIG', 'SET', 'notify-keyspace-events', 'KQ')).toMatch(/^ERR CONFIG SET failed \(possibly related to argument 'notify-keyspace-events'\)/);
  });
});

// ---- Hoard only ---------------------------------------------------------------------------------

describe('pubsub: output buffer limits in-process (Hoard)', () => {
  it('a subscriber over the pubsub hard limit is closed asynchronously and stops receiving', async () => {
    const b = await inProcess();
    try {
      const server = b.server!;
      await b.conn.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 100kb 0 0');
      const sub = new LocalConn(server);
      const frames: unknown[] = [];
      sub.tap = (v) => frames.push(v);
      sub.write(encodeArgs(['SUBSCRIBE', 'flood']));
      await sleep(5);
      expect(frames).toEqual([['subscribe', 'flood', 1]]);
      // One input chunk of 50 PUBLISH of 10 kB: all run in one turn, before any flush.
      const big = 'x'.repeat(10_000);
      const chunks: Buffer[] = [];
      for (let i = 0; i < 50; i++) chunks.push(encodeArgs(['PUBLISH', 'flood', big]));
      const pub = new LocalConn(server);
      const replies: unknown[] = [];
      pub.tap = (v) => replies.push(v);
      pub.write(Buffer.concat(chunks));
      expect(sub.client.closeAsap).toBe(true);
      expect(sub.client.reply.length).toBe(0);
      await sleep(10);
      expect(sub.client.closed).toBe(true);
      // Receivers are counted until the client is actually freed (as Redis does).
      expect(replies).toHaveLength(50);
      expect(frames).toEqual([['subscribe', 'flood', 1]]);
      expect(await b.conn.call('PUBLISH', 'flood', 'x')).toBe(0);
      expect(server.pubsub.channels.size).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('normal clients are unlimited by default', async () => {
    const b = await inProcess();
    try {
      const c = new LocalConn(b.server!);
      const got: unknown[] = [];
      c.tap = (v) => got.push(v);
      await b.conn.call('SET', 'big', 'x'.repeat(200_000));
      const chunks: Buffer[] = [];
      for (let i = 0; i < 20; i++) chunks.push(encodeArgs(['GET', 'big']));
      c.write(Buffer.concat(chunks));
      await sleep(20);
      expect(got).toHaveLength(20);
      expect(c.client.closed).toBe(false);
    } finally {
      await b.close();
    }
  });

  it('the server maps hold no empty entries after unsubscribing', async () => {
    const b = await inProcess();
    try {
      const s = new LocalConn(b.server!);
      s.tap = () => {};
      s.write(encodeArgs(['SUBSCRIBE', 'a', 'b']));
      s.write(encodeArgs(['PSUBSCRIBE', 'p']));
      s.write(encodeArgs(['UNSUBSCRIBE']));
      s.write(encodeArgs(['PUNSUBSCRIBE', 'p']));
      const ps = b.server!.pubsub;
      expect(ps.channels.size + ps.patterns.size + ps.shardChannels.size).toBe(0);
      expect(s.client.pubsub).toBe(null);
      expect(s.client.flagString()).toBe('N');
    } finally {
      await b.close();
    }
  });
});
