// Authentication and ACL (requirepass, AUTH, HELLO AUTH, RESET, ACL SETUSER/GETUSER/LIST/...,
// NOPERM enforcement) against every backend: every expectation was observed on redis-server
// 7.0.15. The suite's shared connection stays the default user; each test opens its own
// connections (ioredis without its ready check, so they may start unauthenticated) and undoes
// what it configured.
//
// Redis emits the single-command part of an ACL rule string ("-flushall +lolwut ...") in the
// order of its command dict, seeded at random per process, so rule strings are compared with
// that part sorted; the "+@category" part before it is compared as is.

import net from 'node:net';
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { commandSuite, sleep, type SuiteContext } from '../helpers/suite.js';
import { inProcess, realRedis, redisServerAvailable, LocalConn, encodeArgs, type Arg, type Backend, type Conn } from '../helpers/backends.js';
import { RespDecoder, ReplyError } from '../helpers/resp-decoder.js';
import { allCommands } from '../../src/commands/index.js';
import { REDIS_ACL_COMMANDS } from '../../src/server/acl-reference.js';
import { isLoopbackAddress, hashPassword, aclCheckQueuedCommand } from '../../src/server/acl.js';

const NOAUTH = 'NOAUTH Authentication required.';
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
const NOPERM_KEY = 'NOPERM this user has no permissions to access one of the keys used as arguments';
const NOPERM_CHANNEL = 'NOPERM this user has no permissions to access one of the channels used as arguments';
const noperm = (cmd: string) => `NOPERM this user has no permissions to run the '${cmd}' command`;
const PW_HASH = '30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4'; // sha256("pw")

/** What `+@read +@write -@dangerous` gives on redis-server 7.0.15 (single commands sorted). */
const ALICE_COMMANDS =
  '-@all +@string +@hash +@geo +@blocking +@bitmap +@set +@hyperloglog +@stream +@sortedset +@list +@keyspace ' +
  '+function|delete +function|flush +function|load +function|restore +lolwut +memory|usage -flushall -flushdb -keys ' +
  '-migrate -object|help -pfdebug -pfselftest -restore -restore-asking -sort -sort_ro -swapdb -xgroup|help -xinfo|help';

/** A rule string with its single-command corrections sorted (per selector). */
function norm(rules: string): string {
  return rules
    .split(' (')
    .map((part) => {
      const tail = part.endsWith(')') ? ')' : '';
      const words = (tail ? part.slice(0, -1) : part).split(' ');
      const first = words.findIndex((w) => /^[+-][^@]/.test(w));
      if (first < 0) return part;
      return [...words.slice(0, first), ...words.slice(first).sort()].join(' ') + tail;
    })
    .join(' (');
}

/** ACL GETUSER's flat RESP2 reply as an object (nested selectors too), rule strings normalized. */
function userObject(reply: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < reply.length; i += 2) {
    const k = reply[i] as string;
    const v = reply[i + 1];
    if (k === 'commands') o[k] = norm(v as string);
    else if (k === 'selectors') o[k] = (v as unknown[][]).map(userObject);
    else o[k] = v;
  }
  return o;
}

interface Fresh extends Conn {
  closed(): Promise<boolean>;
}

/** A raw RESP2 connection over TCP: one reply per call, in order; errors reject. */
class RawTcpConn implements Fresh {
  private readonly decoder = new RespDecoder();
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private ended = false;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.decoder.feed(d);
      for (let r = this.decoder.next(); r !== null; r = this.decoder.next()) {
        const w = this.waiting.shift();
        if (w === undefined) continue;
        if (r.value instanceof ReplyError) w.reject(r.value);
        else w.resolve(r.value);
      }
    });
    const end = () => {
      this.ended = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('Connection is closed.'));
    };
    sock.on('close', end);
    sock.on('error', end);
  }

  static connect(port: number): Promise<RawTcpConn> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => resolve(new RawTcpConn(sock)));
      sock.once('error', reject);
    });
  }

  call(...args: Arg[]): Promise<any> {
    if (this.ended) return Promise.reject(new Error('Connection is closed.'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(encodeArgs(args));
    });
  }

  callBuffer(...args: Arg[]): Promise<any> {
    return this.call(...args);
  }

  async close(): Promise<void> {
    this.sock.destroy();
  }

  async closed(): Promise<boolean> {
    for (let i = 0; i < 40 && !this.ended; i++) await sleep(10);
    return this.ended;
  }
}

/** A new connection that may stay unauthenticated (no client library, no auto-AUTH). */
async function fresh(t: SuiteContext, opened: Fresh[]): Promise<Fresh> {
  const b = t.backend;
  let conn: Fresh;
  if (b.name === 'in-process') {
    const lc = new LocalConn(b.server!);
    conn = Object.assign(lc, {
      closed: async () => {
        await sleep(20);
        return lc.client.closed;
      },
    });
  } else {
    conn = await RawTcpConn.connect(b.port!);
  }
  opened.push(conn);
  return conn;
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    const v = await p;
    throw new Error(`expected an error reply, got ${JSON.stringify(v)}`);
  } catch (err) {
    const msg = (err as Error).message;
    if (msg.startsWith('expected an error reply')) throw err;
    return msg;
  }
}

/** Raw bytes in, raw reply bytes out (until `until` matches or the connection closes). */
async function rawExchange(b: Backend, bytes: string, until: RegExp): Promise<string> {
  if (b.name === 'in-process') {
    let out = '';
    const c = b.server!.connectLocal((s) => (out += s));
    c.onData(Buffer.from(bytes, 'latin1'));
    await new Promise((r) => setImmediate(r));
    await sleep(5);
    c.kill();
    return out;
  }
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect(b.port!, '127.0.0.1', () => s.write(bytes, 'latin1'));
    const done = () => {
      s.destroy();
      resolve(out);
    };
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (until.test(out)) done();
    });
    s.on('close', done);
    s.on('error', done);
    setTimeout(done, 2000);
  });
}

commandSuite('auth: requirepass, AUTH, HELLO AUTH, RESET', (t) => {
  const opened: Fresh[] = [];
  afterEach(async () => {
    await t.call('CONFIG', 'SET', 'requirepass', '');
    for (const c of opened.splice(0)) await c.close();
    await t.call('ACL', 'LOG', 'RESET');
  });

  it('AUTH <password> without a password configured is an error; AUTH default <anything> is OK', async () => {
    expect(await t.error('AUTH', 'x')).toBe(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    expect(await t.call('AUTH', 'default', 'anything')).toBe('OK');
    expect(await t.error('AUTH', 'a', 'b', 'c')).toBe('ERR syntax error');
    expect(await t.error('AUTH', 'nobody', 'x')).toBe(WRONGPASS);
  });

  it('with requirepass, a new connection gets NOAUTH until AUTH; wrong passwords get WRONGPASS', async () => {
    expect(await t.call('CONFIG', 'SET', 'requirepass', 'secret')).toBe('OK');
    // connections that existed before stay authenticated
    expect(await t.call('SET', 'k', 'v')).toBe('OK');
    const c = await fresh(t, opened);
    expect(await errorOf(c.call('GET', 'k'))).toBe(NOAUTH);
    expect(await errorOf(c.call('PING'))).toBe(NOAUTH);
    expect(await errorOf(c.call('ACL', 'WHOAMI'))).toBe(NOAUTH);
    expect(await errorOf(c.call('AUTH', 'wrong'))).toBe(WRONGPASS);
    expect(await errorOf(c.call('AUTH', 'default', 'wrong'))).toBe(WRONGPASS);
    expect(await c.call('AUTH', 'secret')).toBe('OK');
    expect(await c.call('GET', 'k')).toBe('v');
    expect(await c.call('ACL', 'WHOAMI')).toBe('default');
    const d = await fresh(t, opened);
    expect(await d.call('AUTH', 'default', 'secret')).toBe('OK');
    expect(await d.call('GET', 'k')).toBe('v');
  });

  it('HELLO needs AUTH when a password is set, and HELLO AUTH authenticates', async () => {
    await t.call('CONFIG', 'SET', 'requirepass', 'secret');
    const c = await fresh(t, opened);
    expect(await errorOf(c.call('HELLO', '2'))).toBe(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    expect(await errorOf(c.call('HELLO', '2', 'AUTH', 'default', 'nope'))).toBe(WRONGPASS);
    expect(await errorOf(c.call('HELLO', '2', 'SETNAME', 'a b', 'AUTH', 'default', 'secret'))).toBe(
      'ERR Client names cannot contain spaces, newlines or special characters.',
    );
    expect(await errorOf(c.call('GET', 'k'))).toBe(NOAUTH);
    // each AUTH option authenticates as it is parsed: a later syntax error does not undo it
    expect(await errorOf(c.call('HELLO', '2', 'AUTH', 'default', 'secret', 'BOGUS'))).toBe("ERR Syntax error in HELLO option 'BOGUS'");
    expect(await c.call('GET', 'k')).toBe(null);
    await c.call('RESET');
    const hello = (await c.call('HELLO', '2', 'AUTH', 'default', 'secret', 'SETNAME', 'me')) as unknown[];
    expect(hello.slice(4, 6)).toEqual(['proto', 2]);
    expect(await c.call('CLIENT', 'GETNAME')).toBe('me');
    expect(await c.call('GET', 'k')).toBe(null);
  });

  it('RESET de-authenticates when a password is set', async () => {
    await t.call('CONFIG', 'SET', 'requirepass', 'secret');
    const c = await fresh(t, opened);
    expect(await c.call('AUTH', 'secret')).toBe('OK');
    expect(await c.call('RESET')).toBe('RESET');
    expect(await errorOf(c.call('GET', 'k'))).toBe(NOAUTH);
    expect(await c.call('AUTH', 'secret')).toBe('OK');
    await t.call('CONFIG', 'SET', 'requirepass', '');
    expect(await c.call('RESET')).toBe('RESET');
    expect(await c.call('GET', 'k')).toBe(null);
  });

  it('a connection opened while a password was required may run commands once none is', async () => {
    await t.call('CONFIG', 'SET', 'requirepass', 'secret');
    const c = await fresh(t, opened);
    expect(await errorOf(c.call('GET', 'k'))).toBe(NOAUTH);
    await t.call('CONFIG', 'SET', 'requirepass', '');
    expect(await c.call('GET', 'k')).toBe(null);
  });

  it('CONFIG SET requirepass sets the default user password (Redis 7: it is an alias of it)', async () => {
    await t.call('CONFIG', 'SET', 'requirepass', 'pw');
    expect(userObject(await t.call('ACL', 'GETUSER', 'default'))).toEqual({
      flags: ['on'],
      passwords: [PW_HASH],
      commands: '+@all',
      keys: '~*',
      channels: '&*',
      selectors: [],
    });
    expect(await t.call('ACL', 'LIST')).toEqual([`user default on #${PW_HASH} ~* &* +@all`]);
    expect(await t.call('CONFIG', 'GET', 'requirepass')).toEqual(['requirepass', 'pw']);
    await t.call('CONFIG', 'SET', 'requirepass', '');
    expect(await t.call('ACL', 'LIST')).toEqual(['user default on nopass ~* &* +@all']);
  });

  it('failed AUTHs are in the ACL LOG (reason auth, object the command as sent)', async () => {
    await t.call('CONFIG', 'SET', 'requirepass', 'secret');
    const c = await fresh(t, opened);
    await errorOf(c.call('AUTH', 'nobody', 'x'));
    await errorOf(c.call('auth', 'nobody', 'y'));
    await errorOf(c.call('HELLO', '2', 'AUTH', 'default', 'x'));
    const log = (await t.call('ACL', 'LOG')) as unknown[][];
    expect(log).toHaveLength(3);
    const entries = log.map((e) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < e.length; i += 2) o[e[i] as string] = e[i + 1];
      return o;
    });
    expect(entries.map((e) => [e.count, e.reason, e.context, e.object, e.username])).toEqual([
      [1, 'auth', 'toplevel', 'HELLO', 'default'],
      [1, 'auth', 'toplevel', 'auth', 'nobody'],
      [1, 'auth', 'toplevel', 'AUTH', 'nobody'],
    ]);
    expect(Object.keys(entries[0])).toEqual(['count', 'reason', 'context', 'object', 'username', 'age-seconds', 'client-info']);
    expect(entries[0]['age-seconds']).toMatch(/^\d+(\.\d+)?(e-\d+)?$/);
    expect(entries[0]['client-info']).toMatch(/^id=\d+ addr=\S+ laddr=\S+ fd=\S+ name= .* cmd=hello user=default redir=-1 resp=2$/);
  });

  it('credentials never reach SLOWLOG: AUTH, HELLO AUTH and ACL SETUSER arguments are redacted', async () => {
    await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    try {
      const c = await fresh(t, opened);
      await t.call('SLOWLOG', 'RESET');
      await c.call('AUTH', 'default', 'whatever');
      await c.call('HELLO', '2', 'AUTH', 'default', 'x', 'SETNAME', 'nm');
      await t.call('ACL', 'SETUSER', 'zed', 'on', '>pw', '~x');
      const log = (await t.call('SLOWLOG', 'GET', '4')) as unknown[][];
      const args = log.map((e) => e[3]).reverse();
      expect(args.slice(1, 4)).toEqual([
        ['AUTH', '(redacted)', '(redacted)'],
        ['HELLO', '2', 'AUTH', '(redacted)', '(redacted)', 'SETNAME', 'nm'],
        ['ACL', 'SETUSER', '(redacted)', '(redacted)', '(redacted)', '(redacted)'],
      ]);
    } finally {
      await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
      await t.call('ACL', 'DELUSER', 'zed');
    }
  });

  it('an unauthenticated client may not send a multibulk longer than 10 or a bulk longer than 16384', async () => {
    await t.call('CONFIG', 'SET', 'requirepass', 'secret');
    expect(await rawExchange(t.backend, '*11\r\n', /\r\n/)).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n');
    expect(await rawExchange(t.backend, '*1\r\n$16385\r\n', /\r\n/)).toBe('-ERR Protocol error: unauthenticated bulk length\r\n');
    expect(await rawExchange(t.backend, 'AUTH secret\r\n*11\r\n', /\r\n\*/)).toMatch(/^\+OK\r\n/);
  });
});

commandSuite('acl: users, rules and NOPERM', (t) => {
  const opened: Fresh[] = [];
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close();
    const users = (await t.call('ACL', 'USERS')) as string[];
    const others = users.filter((u) => u !== 'default');
    if (others.length > 0) await t.call('ACL', 'DELUSER', ...others);
    await t.call('ACL', 'LOG', 'RESET');
  });

  async function alice(): Promise<Fresh> {
    expect(await t.call('ACL', 'SETUSER', 'alice', 'on', '>pw', '~app:*', '+@read', '+@write', '-@dangerous')).toBe('OK');
    const c = await fresh(t, opened);
    expect(await c.call('AUTH', 'alice', 'pw')).toBe('OK');
    return c;
  }

  it('a user runs only what it is allowed, on its key patterns only', async () => {
    const c = await alice();
    expect(await c.call('GET', 'app:1')).toBe(null);
    expect(await c.call('SET', 'app:1', 'v')).toBe('OK');
    expect(await c.call('GET', 'app:1')).toBe('v');
    expect(await c.call('MGET', 'app:1', 'app:2')).toEqual(['v', null]);
    expect(await errorOf(c.call('GET', 'other'))).toBe(NOPERM_KEY);
    expect(await errorOf(c.call('MGET', 'app:1', 'other'))).toBe(NOPERM_KEY);
    expect(await errorOf(c.call('SET', 'other', 'v'))).toBe(NOPERM_KEY);
    expect(await errorOf(c.call('FLUSHALL'))).toBe(noperm('flushall'));
    expect(await errorOf(c.call('KEYS', '*'))).toBe(noperm('keys'));
    expect(await errorOf(c.call('CONFIG', 'GET', 'port'))).toBe(noperm('config|get'));
    expect(await errorOf(c.call('ACL', 'WHOAMI'))).toBe(noperm('acl|whoami'));
    expect(await errorOf(c.call('PING'))).toBe(noperm('ping'));
    // AUTH, HELLO, QUIT, RESET are never refused by ACL rules (no_auth)
    expect(await c.call('AUTH', 'alice', 'pw')).toBe('OK');
    expect(await t.call('GET', 'other')).toBe(null);
    expect(await t.call('ACL', 'WHOAMI')).toBe('default');
  });

  it('a refused command inside MULTI dooms the transaction', async () => {
    await t.call('ACL', 'SETUSER', 'bob', 'on', 'nopass', '~*', '+@all', '-flushall');
    const c = await fresh(t, opened);
    await c.call('AUTH', 'bob', 'x');
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await errorOf(c.call('FLUSHALL'))).toBe(noperm('flushall'));
    expect(await errorOf(c.call('EXEC'))).toBe('EXECABORT Transaction discarded because of previous errors.');
    expect(await c.call('GET', 'a')).toBe(null);
    const log = (await t.call('ACL', 'LOG', '1')) as unknown[][];
    expect(log[0].slice(0, 10)).toEqual(['count', 1, 'reason', 'command', 'context', 'multi', 'object', 'flushall', 'username', 'bob']);
  });

  it('EXEC re-checks each queued command: one no longer allowed answers NOPERM in its place and does not run', async () => {
    await t.call('ACL', 'SETUSER', 'carl', 'on', 'nopass', '~*', '&*', '+@all');
    const c = await fresh(t, opened);
    await c.call('AUTH', 'carl', 'x');
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await c.call('INCR', 'n')).toBe('QUEUED');
    await t.call('ACL', 'SETUSER', 'carl', '-set');
    const res = (await c.call('EXEC')) as unknown[];
    expect(res.map((x) => (x instanceof Error ? `!${x.message}` : x))).toEqual([
      '!NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand',
      1,
    ]);
    expect(await t.call('GET', 'a')).toBe(null);
    expect(await t.call('GET', 'n')).toBe('1');
    const log = (await t.call('ACL', 'LOG', '1')) as unknown[][];
    expect(log[0].slice(0, 10)).toEqual(['count', 1, 'reason', 'command', 'context', 'multi', 'object', 'set', 'username', 'carl']);
  });

  it('ACL WHOAMI, USERS, LIST, GETUSER', async () => {
    const c = await alice();
    await t.call('ACL', 'SETUSER', 'walt', 'on', 'nopass', '+acl|whoami');
    const w = await fresh(t, opened);
    await w.call('AUTH', 'walt', 'any');
    expect(await w.call('ACL', 'WHOAMI')).toBe('walt');
    expect(await t.call('ACL', 'USERS')).toEqual(['alice', 'default', 'walt']);
    const list = ((await t.call('ACL', 'LIST')) as string[]).map(norm);
    expect(list).toEqual([
      `user alice on #${PW_HASH} ~app:* resetchannels ${ALICE_COMMANDS}`,
      'user default on nopass ~* &* +@all',
      'user walt on nopass resetchannels -@all +acl|whoami',
    ]);
    expect(userObject(await t.call('ACL', 'GETUSER', 'alice'))).toEqual({
      flags: ['on'],
      passwords: [PW_HASH],
      commands: ALICE_COMMANDS,
      keys: '~app:*',
      channels: '',
      selectors: [],
    });
    expect(userObject(await t.call('ACL', 'GETUSER', 'default'))).toEqual({
      flags: ['on', 'nopass'],
      passwords: [],
      commands: '+@all',
      keys: '~*',
      channels: '&*',
      selectors: [],
    });
    expect(await t.call('ACL', 'GETUSER', 'nobody')).toBe(null);
    expect(await c.call('GET', 'app:x')).toBe(null);
  });

  it('rule strings: flags, passwords, patterns, first args and selectors', async () => {
    await t.call('ACL', 'SETUSER', 'bob');
    await t.call('ACL', 'SETUSER', 'carol', 'on', 'nopass', '~k:*', '%R~r:*', '%W~w:*', '&ch:*', '+get', '+set', '+config|get', '-@all', '+select|0', '+client|id', '(~sel:* +hset)', '(+ping)');
    await t.call('ACL', 'SETUSER', 'dan', 'reset', 'on', '>a', '>b', '<a', 'skip-sanitize-payload', 'allkeys', 'allchannels', '+@all', '-@dangerous', '+flushdb', '-get');
    await t.call('ACL', 'SETUSER', 'eve', 'on', '#' + hashPassword('x'), 'allcommands', '-config|set', '-client', '+client|id', 'nocommands', '+@hash', '+@set', '+config');
    expect(((await t.call('ACL', 'LIST')) as string[]).map(norm)).toEqual([
      'user bob off resetchannels -@all',
      'user carol on nopass ~k:* %R~r:* %W~w:* resetchannels &ch:* -@all +client|id +select|0 (~sel:* resetchannels -@all +hset) (resetchannels -@all +ping)',
      norm(
        `user dan on skip-sanitize-payload #${hashPassword('b')} ~* &* +@all -@admin ` +
          '-flushall -get -info -keys -migrate -restore -restore-asking -sort -sort_ro -swapdb',
      ),
      `user default on nopass ~* &* +@all`,
      `user eve on #${hashPassword('x')} resetchannels -@all +@set +@hash +config`,
    ]);
    expect(userObject(await t.call('ACL', 'GETUSER', 'carol'))).toEqual({
      flags: ['on', 'nopass'],
      passwords: [],
      commands: '-@all +client|id +select|0',
      keys: '~k:* %R~r:* %W~w:*',
      channels: '&ch:*',
      selectors: [
        { commands: '-@all +hset', keys: '~sel:*', channels: '' },
        { commands: '-@all +ping', keys: '', channels: '' },
      ],
    });
    await t.call('ACL', 'SETUSER', 'bob', 'reset');
    expect(((await t.call('ACL', 'LIST')) as string[])[0]).toBe('user bob off sanitize-payload resetchannels -@all');
    await t.call('ACL', 'SETUSER', 'carol', 'clearselectors', 'resetkeys', 'resetchannels', 'allcommands');
    expect(((await t.call('ACL', 'LIST')) as string[])[1]).toBe('user carol on nopass resetchannels +@all');
  });

  it('acl-pubsub-default allchannels: new users, reset and selectors start with &*', async () => {
    await t.call('CONFIG', 'SET', 'acl-pubsub-default', 'allchannels');
    try {
      await t.call('ACL', 'SETUSER', 'pd1');
      await t.call('ACL', 'SETUSER', 'pd2', 'resetchannels', 'reset');
      await t.call('ACL', 'SETUSER', 'pd3', '(+get)');
      expect(((await t.call('ACL', 'LIST')) as string[]).filter((l) => l.startsWith('user pd'))).toEqual([
        'user pd1 off &* -@all',
        'user pd2 off sanitize-payload &* -@all',
        'user pd3 off &* -@all (&* -@all +get)',
      ]);
    } finally {
      await t.call('CONFIG', 'SET', 'acl-pubsub-default', 'resetchannels');
    }
  });

  it('ACL SETUSER errors, all or nothing', async () => {
    const err = (...a: string[]) => t.error('ACL', 'SETUSER', ...a);
    expect(await err('a b')).toBe("ERR Usernames can't contain spaces or null characters");
    expect(await err('bob', '+nosuch')).toBe("ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
    expect(await err('bob', '+@nosuch')).toBe("ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL");
    expect(await err('bob', '-select|0')).toBe("ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in ACL");
    expect(await err('bob', '+config|nosuch')).toBe("ERR Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category name in ACL");
    expect(await err('bob', '~*', '~x')).toBe(
      "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
    );
    expect(await err('bob', '&*', '&x')).toBe(
      "ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
    );
    expect(await err('bob', '#abc')).toBe(
      "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
    );
    expect(await err('bob', '<nope')).toBe("ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist");
    expect(await err('bob', '+config|get|x')).toBe("ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported");
    expect(await err('bob', '+select|')).toBe("ERR Error in ACL SETUSER modifier '+select|': Syntax error");
    expect(await err('bob', 'foo')).toBe("ERR Error in ACL SETUSER modifier 'foo': Syntax error");
    expect(await err('bob', '%X~k')).toBe("ERR Error in ACL SETUSER modifier '%X~k': Syntax error");
    expect(await err('bob', 'on', '(~x', '+get')).toBe("ERR Unmatched parenthesis in acl selector starting at '(~x'.");
    expect(await err('bob', 'on', '(~x +nosuch)')).toBe("ERR Error in ACL SETUSER modifier '(~x +nosuch)': Unknown command or category name in ACL");
    expect(await t.call('ACL', 'USERS')).toEqual(['default']);
    await t.call('ACL', 'SETUSER', 'bob', 'on', '~a');
    expect(await err('bob', 'off', '~b', '+nosuch')).toMatch(/^ERR Error in ACL SETUSER modifier '\+nosuch'/);
    expect(((await t.call('ACL', 'LIST')) as string[])[0]).toBe('user bob on ~a resetchannels -@all');
    expect(await t.call('ACL', 'SETUSER', 'bob', '', '(', '+get', ')')).toBe('OK');
    expect(((await t.call('ACL', 'LIST')) as string[])[0]).toBe('user bob on ~a resetchannels -@all (resetchannels -@all +get)');
  });

  it('passwords: nopass, resetpass, >, <, #, !, and off', async () => {
    await t.call('ACL', 'SETUSER', 'bob', 'on', '>one', '>two');
    const c = await fresh(t, opened);
    expect(await c.call('AUTH', 'bob', 'one')).toBe('OK');
    expect(await c.call('AUTH', 'bob', 'two')).toBe('OK');
    await t.call('ACL', 'SETUSER', 'bob', '<one');
    expect(await errorOf(c.call('AUTH', 'bob', 'one'))).toBe(WRONGPASS);
    await t.call('ACL', 'SETUSER', 'bob', '!' + hashPassword('two'), '#' + hashPassword('three'));
    expect(await errorOf(c.call('AUTH', 'bob', 'two'))).toBe(WRONGPASS);
    expect(await c.call('AUTH', 'bob', 'three')).toBe('OK');
    await t.call('ACL', 'SETUSER', 'bob', 'nopass');
    expect(await c.call('AUTH', 'bob', 'whatever')).toBe('OK');
    await t.call('ACL', 'SETUSER', 'bob', 'resetpass');
    expect(await errorOf(c.call('AUTH', 'bob', 'whatever'))).toBe(WRONGPASS);
    await t.call('ACL', 'SETUSER', 'bob', 'nopass', 'off');
    expect(await errorOf(c.call('AUTH', 'bob', 'x'))).toBe(WRONGPASS);
    // still authenticated as bob: turning a user off does not log its connections out
    expect(await c.call('ACL', 'WHOAMI').catch((e: Error) => e.message)).toBe(noperm('acl|whoami'));
  });

  it('commands, subcommands, first args and categories', async () => {
    await t.call('ACL', 'SETUSER', 'bob', 'on', 'nopass', 'allkeys', '+@all', '-@dangerous', '-config', '+config|get', '-select', '+select|0', '+info');
    const c = await fresh(t, opened);
    await c.call('AUTH', 'bob', 'x');
    expect(await c.call('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', '0']);
    expect(await errorOf(c.call('CONFIG', 'SET', 'maxmemory', '0'))).toBe(noperm('config|set'));
    expect(await c.call('SELECT', '0')).toBe('OK');
    expect(await errorOf(c.call('SELECT', '1'))).toBe(noperm('select'));
    expect(await errorOf(c.call('FLUSHDB'))).toBe(noperm('flushdb'));
    expect(typeof (await c.call('INFO', 'server'))).toBe('string');
    expect(await c.call('SET', 'any', '1')).toBe('OK');
  });

  it('%R~ and %W~ patterns follow the key specs (SET without GET only writes)', async () => {
    await t.call('ACL', 'SETUSER', 'erin', 'on', 'nopass', '+@all', '%R~r:*', '%W~w:*', '&*');
    const c = await fresh(t, opened);
    await c.call('AUTH', 'erin', 'x');
    expect(await c.call('GET', 'r:1')).toBe(null);
    expect(await errorOf(c.call('GET', 'w:1'))).toBe(NOPERM_KEY);
    expect(await c.call('SET', 'w:1', 'v')).toBe('OK');
    expect(await errorOf(c.call('SET', 'w:1', 'v', 'GET'))).toBe(NOPERM_KEY);
    expect(await errorOf(c.call('SET', 'r:1', 'v'))).toBe(NOPERM_KEY);
    expect(await c.call('DEL', 'w:1')).toBe(1);
    expect(await c.call('EXISTS', 'r:1', 'w:1')).toBe(0);
    expect(await errorOf(c.call('EXISTS', 'r:1', 'zz'))).toBe(NOPERM_KEY);
    expect(await errorOf(c.call('INCR', 'w:1'))).toBe(NOPERM_KEY);
    expect(await c.call('APPEND', 'w:1', 'x')).toBe(1);
    expect(await c.call('RPUSH', 'w:l', 'a')).toBe(1);
    expect(await errorOf(c.call('LMOVE', 'r:1', 'w:1', 'LEFT', 'LEFT'))).toBe(NOPERM_KEY);
    expect(await c.call('COPY', 'r:1', 'w:2')).toBe(0);
    expect(await errorOf(c.call('MSET', 'w:1', 'a', 'r:2', 'b'))).toBe(NOPERM_KEY);
    expect(await c.call('ZUNIONSTORE', 'w:z', '1', 'r:z')).toBe(0);
    expect(await errorOf(c.call('ZUNIONSTORE', 'r:z', '1', 'w:z'))).toBe(NOPERM_KEY);
  });

  it('keys of malformed commands: a bad numkeys means no keys, so the command answers its own error', async () => {
    await t.call('ACL', 'SETUSER', 'mal', 'on', 'nopass', '+@all', '~k:*', '&*');
    const c = await fresh(t, opened);
    await c.call('AUTH', 'mal', 'x');
    const cases: Array<[string[], string]> = [
      [['ZUNIONSTORE', 'k:d', '5', 'k:a'], 'ERR syntax error'],
      [['ZUNIONSTORE', 'o', '5', 'k:a'], 'ERR syntax error'],
      [['ZUNIONSTORE', 'k:d', 'x', 'k:a'], 'ERR value is not an integer or out of range'],
      [['ZUNIONSTORE', 'k:d', '1', 'o'], NOPERM_KEY],
      [['ZUNION', '3', 'k:a'], 'ERR syntax error'],
      [['ZUNION', '1', 'o'], NOPERM_KEY],
      [['LMPOP', '5', 'k:a', 'LEFT'], 'ERR syntax error'],
      [['LMPOP', '1', 'o', 'LEFT'], NOPERM_KEY],
      [['LMPOP', 'x', 'k:a', 'LEFT'], 'ERR numkeys should be greater than 0'],
      [['SINTERCARD', '0', 'k:a'], 'ERR numkeys should be greater than 0'],
      [['SINTERCARD', '2', 'k:a'], "ERR Number of keys can't be greater than number of args"],
      [['SINTERCARD', '1', 'o'], NOPERM_KEY],
      [['ZMPOP', '2', 'k:a', 'MIN'], NOPERM_KEY],
      [['ZINTERCARD', '1', 'o'], NOPERM_KEY],
      [['BLMPOP', '0', '3', 'k:a', 'LEFT'], 'ERR syntax error'],
      [['BLMPOP', '0', '1', 'o', 'LEFT'], NOPERM_KEY],
      [['MSET', 'k:a', '1', 'o'], NOPERM_KEY],
      [['MSET', 'k:a', '1', 'k:b'], "ERR wrong number of arguments for 'mset' command"],
    ];
    for (const [cmd, want] of cases) expect({ cmd, err: await errorOf(c.call(...cmd)) }).toEqual({ cmd, err: want });
  });

  it('channel patterns: PUBLISH and SUBSCRIBE match them, PSUBSCRIBE must name one exactly', async () => {
    await t.call('ACL', 'SETUSER', 'dave', 'on', 'nopass', '+@all', '~*', '&news:*');
    const c = await fresh(t, opened);
    await c.call('AUTH', 'dave', 'x');
    expect(await errorOf(c.call('PUBLISH', 'other', 'm'))).toBe(NOPERM_CHANNEL);
    expect(await c.call('PUBLISH', 'news:1', 'm')).toBe(0);
    expect(await errorOf(c.call('PSUBSCRIBE', 'news:1'))).toBe(NOPERM_CHANNEL);
    expect(await errorOf(c.call('SUBSCRIBE', 'news:1', 'other'))).toBe(NOPERM_CHANNEL);
    const log = (await t.call('ACL', 'LOG', '1')) as unknown[][];
    // PUBLISH other and SUBSCRIBE ... other: one entry, counted twice
    expect(log[0].slice(0, 10)).toEqual(['count', 2, 'reason', 'channel', 'context', 'toplevel', 'object', 'other', 'username', 'dave']);
    expect(await c.call('PSUBSCRIBE', 'news:*')).toEqual(['psubscribe', 'news:*', 1]);
    // shard channels are channels, not keys (their key specs are NOT_KEY)
    await t.call('ACL', 'SETUSER', 'shard', 'on', 'nopass', '+@all', '~k:*', '&news:*');
    const s = await fresh(t, opened);
    await s.call('AUTH', 'shard', 'x');
    expect(await errorOf(s.call('SPUBLISH', 'other', 'm'))).toBe(NOPERM_CHANNEL);
    expect(await s.call('SPUBLISH', 'news:1', 'm')).toBe(0);
    expect(await s.call('SSUBSCRIBE', 'news:1')).toEqual(['ssubscribe', 'news:1', 1]);
  });

  it('revoking channels closes the subscribers that lost them', async () => {
    await t.call('ACL', 'SETUSER', 'sub', 'on', 'nopass', '+@all', '~*', '&*');
    const keep = await fresh(t, opened);
    const lose = await fresh(t, opened);
    await keep.call('AUTH', 'sub', 'x');
    await lose.call('AUTH', 'sub', 'x');
    expect(await keep.call('SUBSCRIBE', 'y')).toEqual(['subscribe', 'y', 1]);
    expect(await lose.call('SUBSCRIBE', 'x')).toEqual(['subscribe', 'x', 1]);
    await t.call('ACL', 'SETUSER', 'sub', 'resetchannels', '&y');
    expect(await lose.closed()).toBe(true);
    expect(await keep.closed()).toBe(false);
  });

  it('ACL DELUSER removes users and closes their connections; default cannot be removed', async () => {
    const c = await alice();
    expect(await t.error('ACL', 'DELUSER', 'alice', 'default')).toBe("ERR The 'default' user cannot be removed");
    expect(await t.call('ACL', 'DELUSER', 'alice', 'nobody')).toBe(1);
    expect(await c.closed()).toBe(true);
    expect(await t.call('ACL', 'USERS')).toEqual(['default']);
  });

  it('ACL LOG: denials grouped by reason, context, object and user; COUNT and RESET', async () => {
    const c = await alice();
    await errorOf(c.call('GET', 'other'));
    await errorOf(c.call('GET', 'other'));
    await errorOf(c.call('FLUSHALL'));
    const log = (await t.call('ACL', 'LOG')) as unknown[][];
    expect(log.map((e) => e.slice(0, 10))).toEqual([
      ['count', 1, 'reason', 'command', 'context', 'toplevel', 'object', 'flushall', 'username', 'alice'],
      ['count', 2, 'reason', 'key', 'context', 'toplevel', 'object', 'other', 'username', 'alice'],
    ]);
    expect(log[0][13]).toMatch(/ cmd=flushall user=alice /);
    expect(await t.call('ACL', 'LOG', '1')).toHaveLength(1);
    expect(await t.call('ACL', 'LOG', '-5')).toEqual([]);
    expect(await t.error('ACL', 'LOG', 'x')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('ACL', 'LOG', '1', '2')).toBe("ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP.");
    expect(await t.call('ACL', 'LOG', 'RESET')).toBe('OK');
    expect(await t.call('ACL', 'LOG')).toEqual([]);
  });

  it('ACL CAT, GENPASS, DRYRUN, LOAD/SAVE, HELP', async () => {
    expect(await t.call('ACL', 'CAT')).toEqual([
      'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
      'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
    ]);
    expect(((await t.call('ACL', 'CAT', 'transaction')) as string[]).sort()).toEqual(['discard', 'exec', 'multi', 'unwatch', 'watch']);
    expect(((await t.call('ACL', 'CAT', 'HyperLogLog')) as string[]).sort()).toEqual(['pfadd', 'pfcount', 'pfdebug', 'pfmerge', 'pfselftest']);
    expect(await t.error('ACL', 'CAT', 'nope')).toBe("ERR Unknown category 'nope'");
    expect(await t.call('ACL', 'GENPASS')).toMatch(/^[0-9a-f]{64}$/);
    expect(await t.call('ACL', 'GENPASS', '5')).toMatch(/^[0-9a-f]{2}$/);
    expect(await t.error('ACL', 'GENPASS', '0')).toBe(
      'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096',
    );
    expect(await t.error('ACL', 'GENPASS', 'x')).toBe('ERR value is not an integer or out of range');
    await t.call('ACL', 'SETUSER', 'alice', 'on', '>pw', '~app:*', '+@read', '+@write', '-@dangerous');
    await t.call('ACL', 'SETUSER', 'carol', 'on', 'nopass', '~k:*', '&ch:*', '-@all', '+select|0', '(~sel:* +hset)');
    expect(await t.call('ACL', 'DRYRUN', 'alice', 'get', 'app:1')).toBe('OK');
    expect(await t.call('ACL', 'DRYRUN', 'alice', 'get', 'other')).toBe("This user has no permissions to access the 'other' key");
    expect(await t.call('ACL', 'DRYRUN', 'alice', 'flushall')).toBe("This user has no permissions to run the 'flushall' command");
    expect(await t.call('ACL', 'DRYRUN', 'alice', 'config', 'get', 'x')).toBe("This user has no permissions to run the 'config|get' command");
    expect(await t.call('ACL', 'DRYRUN', 'carol', 'select', '0')).toBe('OK');
    expect(await t.call('ACL', 'DRYRUN', 'carol', 'select', '1')).toBe("This user has no permissions to run the 'select' command");
    expect(await t.call('ACL', 'DRYRUN', 'carol', 'hset', 'sel:1', 'f', 'v')).toBe('OK');
    expect(await t.call('ACL', 'DRYRUN', 'carol', 'hset', 'k:1', 'f', 'v')).toBe("This user has no permissions to access the 'k:1' key");
    expect(await t.error('ACL', 'DRYRUN', 'nobody', 'get', 'x')).toBe("ERR User 'nobody' not found");
    expect(await t.error('ACL', 'DRYRUN', 'alice', 'nosuch')).toBe("ERR Command 'nosuch' not found");
    expect(await t.error('ACL', 'DRYRUN', 'alice', 'config', 'nosuch')).toBe("ERR Command 'config' not found");
    expect(await t.error('ACL', 'DRYRUN', 'alice', 'get')).toBe("ERR wrong number of arguments for 'get' command");
    const noFile =
      'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';
    expect(await t.error('ACL', 'LOAD')).toBe(noFile);
    expect(await t.error('ACL', 'SAVE')).toBe(noFile);
    const help = (await t.call('ACL', 'HELP')) as string[];
    expect(help[0]).toBe('ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.slice(-2)).toEqual(['HELP', '    Prints this help.']);
    expect(help).toHaveLength(29);
    expect(await t.error('ACL', 'NOSUCH')).toBe("ERR unknown subcommand 'NOSUCH'. Try ACL HELP.");
  });
});

// ---- Hoard against redis-server, rule by rule ---------------------------------------------------

const RULE_SETS: string[][] = [
  [],
  ['+@all'],
  ['allcommands', '-@dangerous'],
  ['+@read'],
  ['+@write'],
  ['+@read', '+@write', '-@dangerous'],
  ['+@all', '-@admin', '-@dangerous'],
  ['+@all', '-@slow'],
  ['+@fast'],
  ['+@slow', '-@admin'],
  ['+@string', '+@hash', '+@list', '+@set', '+@sortedset'],
  ['+@keyspace', '-del'],
  ['+@pubsub', '+@connection'],
  ['+@transaction', '+get', '+set', '+config|get'],
  ['+@all', '-config', '+config|get'],
  ['+@all', '-client', '+client|id', '+client|setname'],
  ['-@all', '+select|0', '+select|1', '+debug|object'],
  ['+@admin'],
  ['+@blocking', '+@scripting', '+@geo', '+@stream'],
  ['+@all', '-@read', '+get'],
  ['nocommands', '+acl', '-acl|setuser'],
  ['+@dangerous', '-@admin'],
  ['+@all', '-@keyspace', '-@write', '+@connection'],
  ['~a', '%R~b', '%W~c', '%RW~d', '&x', '&y', '+@bitmap'],
  ['(+get ~x)', '(+@write ~y &z)', '+@hyperloglog'],
];

describe.skipIf(!redisServerAvailable())('acl: rule strings and categories equal redis-server 7.0', () => {
  let hoard: Backend;
  let redis: Backend;
  beforeAll(async () => {
    hoard = await inProcess();
    redis = await realRedis();
  });
  afterAll(async () => {
    await hoard?.close();
    await redis?.close();
  });

  it('ACL GETUSER and ACL LIST for every rule set', async () => {
    for (const [i, rules] of RULE_SETS.entries()) {
      const name = `u${i}`;
      for (const b of [hoard, redis]) expect(await b.conn.call('ACL', 'SETUSER', name, 'on', ...rules)).toBe('OK');
      const [h, r] = await Promise.all([hoard, redis].map((b) => b.conn.call('ACL', 'GETUSER', name)));
      expect({ rules, user: userObject(h) }).toEqual({ rules, user: userObject(r) });
    }
    const [h, r] = await Promise.all([hoard, redis].map(async (b) => ((await b.conn.call('ACL', 'LIST')) as string[]).map(norm)));
    expect(h).toEqual(r);
  });

  it('ACL CAT <category> lists the same commands', async () => {
    for (const cat of (await redis.conn.call('ACL', 'CAT')) as string[]) {
      const [h, r] = await Promise.all([hoard, redis].map(async (b) => ((await b.conn.call('ACL', 'CAT', cat)) as string[]).sort()));
      expect({ cat, list: h }).toEqual({ cat, list: r });
    }
  });
});

describe('acl: EXEC re-checks queued commands (aclCheckQueuedCommand, for the transactions family)', () => {
  it("answers Redis 7.0.15's NOPERM texts and logs in the multi context", async () => {
    const b = await inProcess();
    try {
      await b.conn.call('ACL', 'SETUSER', 'rex', 'on', 'nopass', '+@all', '~*', '&*');
      const u = new LocalConn(b.server!);
      await u.call('AUTH', 'rex', 'x');
      const client = u.client;
      const check = (...argv: string[]) => {
        let spec = b.server!.commands.get(argv[0].toLowerCase())!;
        if (spec.subcommands && argv.length > 1) spec = spec.subcommands.get(argv[1].toLowerCase())!;
        return aclCheckQueuedCommand(client, spec, argv);
      };
      expect(check('SET', 'a', '1')).toBe(null);
      await b.conn.call('ACL', 'SETUSER', 'rex', '-set', 'resetkeys', '~a', 'resetchannels');
      const pre = 'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ';
      expect(check('SET', 'a', '1')).toBe(pre + 'no permission to execute the command or subcommand');
      expect(check('GET', 'b')).toBe(pre + 'no permission to touch the specified keys');
      expect(check('PUBLISH', 'ch', 'm')).toBe(pre + 'no permission to access one of the channels used as arguments');
      expect(check('PING')).toBe(null);
      const log = (await b.conn.call('ACL', 'LOG')) as unknown[][];
      expect(log.map((e) => [e[3], e[5], e[7]])).toEqual([
        ['channel', 'multi', 'ch'],
        ['key', 'multi', 'b'],
        ['command', 'multi', 'set'],
      ]);
    } finally {
      await b.close();
    }
  });
});

describe('acl: the command table', () => {
  it("every command Hoard implements has Redis 7.0's ACL categories (acl-reference.ts)", () => {
    const ref = new Map<string, string>();
    for (const line of REDIS_ACL_COMMANDS.split('\n')) if (line) ref.set(line.split(' ')[0], line.split(' ')[1]);
    const diffs: string[] = [];
    for (const family of allCommands) {
      for (const spec of family) {
        const all = [[spec.name, spec] as const, ...[...(spec.subcommands ?? new Map()).values()].map((s) => [`${spec.name}|${s.name}`, s] as const)];
        for (const [name, s] of all) {
          const want = ref.get(name);
          if (want === undefined) continue;
          const have = [...s.categories].sort().join(',');
          if (have !== (want === '-' ? '' : want.split(',').sort().join(','))) diffs.push(`${name}: hoard ${have}, redis ${want}`);
        }
      }
    }
    expect(diffs).toEqual([]);
  });

  it('loopback addresses (protected mode)', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.3.2.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('fd00::2')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});

