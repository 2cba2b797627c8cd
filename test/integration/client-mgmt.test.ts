// Client management across connections, on Hoard in-process, Hoard over TCP and a real
// redis-server 7.0 (the same assertions): CLIENT PAUSE WRITE|ALL and CLIENT UNPAUSE, MONITOR's
// output, the `timeout` config closing idle clients (and sparing blocked ones, subscribers and
// monitors), and `maxclients`. Raw connections are used where a client library would get in the
// way (MONITOR's stream, a refused connection).

import net from 'node:net';
import { once } from 'node:events';
import { it, expect, afterEach } from 'vitest';
import { commandSuite, sleep, track, type SuiteContext } from '../helpers/suite.js';
import type { Conn } from '../helpers/backends.js';

async function until(cond: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A connection that reads raw bytes: in-process through a local client, otherwise TCP. */
interface Raw {
  send(s: string): void;
  readonly text: string;
  readonly closed: boolean;
  close(): void;
}

async function raw(t: SuiteContext): Promise<Raw> {
  if (t.backend.name === 'in-process') {
    let out = '';
    const c = t.backend.server!.connectLocal((s) => (out += s));
    return {
      send: (s) => c.onData(Buffer.from(s, 'latin1')),
      get text() {
        return out;
      },
      get closed() {
        return c.closed;
      },
      close: () => c.kill(),
    };
  }
  const port = await portOf(t);
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  let out = '';
  let closed = false;
  sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
  sock.on('close', () => (closed = true));
  sock.on('error', () => {});
  return {
    send: (s) => void sock.write(Buffer.from(s, 'latin1')),
    get text() {
      return out;
    },
    get closed() {
      return closed;
    },
    close: () => sock.destroy(),
  };
}

async function portOf(t: SuiteContext): Promise<number> {
  const info: string = await t.call('CLIENT', 'INFO');
  return Number(/ laddr=\S*:(\d+) /.exec(info)![1]);
}

async function clientIds(t: SuiteContext): Promise<number[]> {
  const list: string = await t.call('CLIENT', 'LIST');
  return list
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(/^id=(\d+)/.exec(l)![1]));
}

commandSuite('client management: CLIENT PAUSE / UNPAUSE', (t) => {
  let pauser: Conn | undefined;
  afterEach(async () => {
    // Nothing may stay paused into the next test's FLUSHALL.
    if (pauser) await pauser.call('CLIENT', 'UNPAUSE');
  });

  it('argument errors, as Redis', async () => {
    expect(await t.error('CLIENT', 'PAUSE')).toBe("ERR wrong number of arguments for 'client|pause' command");
    expect(await t.error('CLIENT', 'PAUSE', 'abc')).toBe('ERR timeout is not an integer or out of range');
    expect(await t.error('CLIENT', 'PAUSE', '-1')).toBe('ERR timeout is negative');
    expect(await t.error('CLIENT', 'PAUSE', '10', 'foo')).toBe('ERR CLIENT PAUSE mode must be WRITE or ALL');
    // The mode is checked before the timeout.
    expect(await t.error('CLIENT', 'PAUSE', 'abc', 'foo')).toBe('ERR CLIENT PAUSE mode must be WRITE or ALL');
    expect(await t.error('CLIENT', 'PAUSE', '10', 'write', 'x')).toBe("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.");
    expect(await t.error('CLIENT', 'UNPAUSE', 'x')).toBe("ERR wrong number of arguments for 'client|unpause' command");
    expect(await t.call('CLIENT', 'UNPAUSE')).toBe('OK');
  });

  it('WRITE: reads are answered, writes (and what follows them) wait for CLIENT UNPAUSE', async () => {
    pauser = await t.connect();
    const writer = await t.connect();
    const reader = await t.connect();
    expect(await pauser.call('CLIENT', 'PAUSE', 10000, 'WRITE')).toBe('OK');
    expect(await reader.call('GET', 'k')).toBe(null);
    expect(await reader.call('PING')).toBe('PONG');
    const set = track(writer.call('SET', 'k', '1'));
    const get = track(writer.call('GET', 'k'));
    await sleep(150);
    expect(set.done).toBe(false);
    expect(get.done).toBe(false);
    // The parked client shows as blocked on its command.
    const line = ((await reader.call('CLIENT', 'LIST')) as string).split('\n').find((l) => / cmd=set /.test(l));
    expect(line).toMatch(/ flags=b /);
    // Read-only transactions run; a transaction with a write waits.
    expect(await reader.call('MULTI')).toBe('OK');
    expect(await reader.call('GET', 'k')).toBe('QUEUED');
    expect(await reader.call('EXEC')).toEqual([null]);
    expect(await pauser.call('CLIENT', 'UNPAUSE')).toBe('OK');
    await until(() => set.done && get.done, 2000, 'paused commands');
    expect(set.value).toBe('OK');
    expect(get.value).toBe('1');
  });

  it('WRITE: may_replicate commands (PUBLISH) wait too', async (ctx) => {
    // may_replicate is not shown by COMMAND INFO; read Hoard's declaration directly.
    const spec = t.backend.server?.commands.get('publish');
    if (t.backend.server && !spec?.flags.includes('may_replicate')) ctx.skip();
    pauser = await t.connect();
    const c = await t.connect();
    expect(await pauser.call('CLIENT', 'PAUSE', 10000, 'WRITE')).toBe('OK');
    const publish = track(c.call('PUBLISH', 'ch', 'x'));
    await sleep(100);
    expect(publish.done).toBe(false);
    expect(await pauser.call('CLIENT', 'UNPAUSE')).toBe('OK');
    await until(() => publish.done, 2000, 'PUBLISH');
    expect(publish.value).toBe(0);
  });

  it('WRITE: a queued write inside MULTI waits as it is queued', async () => {
    pauser = await t.connect();
    const c = await t.connect();
    expect(await pauser.call('CLIENT', 'PAUSE', 10000, 'WRITE')).toBe('OK');
    expect(await c.call('MULTI')).toBe('OK');
    const queued = track(c.call('SET', 'x', '1'));
    await sleep(100);
    expect(queued.done).toBe(false);
    expect(await pauser.call('CLIENT', 'UNPAUSE')).toBe('OK');
    await until(() => queued.done, 2000, 'the queued SET');
    expect(queued.value).toBe('QUEUED');
    expect(await c.call('EXEC')).toEqual(['OK']);
  });

  it('keys do not expire (are not deleted) while clients are paused', async () => {
    pauser = await t.connect();
    expect(await t.call('SET', 'k', 'v', 'PX', 100)).toBe('OK');
    expect(await pauser.call('CLIENT', 'PAUSE', 10000, 'WRITE')).toBe('OK');
    await sleep(250);
    t.backend.server?.cron(10);
    expect(await t.call('GET', 'k')).toBe(null);
    expect(await t.call('DBSIZE')).toBe(1);
    expect(await pauser.call('CLIENT', 'UNPAUSE')).toBe('OK');
    expect(await t.call('GET', 'k')).toBe(null);
    expect(await t.call('DBSIZE')).toBe(0);
  });

  it('the pause ends by itself after its timeout', async () => {
    pauser = await t.connect();
    const writer = await t.connect();
    expect(await pauser.call('CLIENT', 'PAUSE', 300, 'WRITE')).toBe('OK');
    const t0 = Date.now();
    expect(await writer.call('SET', 'k', '1')).toBe('OK');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('ALL: every command waits, the pausing client and CLIENT UNPAUSE included', async () => {
    pauser = await t.connect();
    const other = await t.connect();
    expect(await pauser.call('CLIENT', 'PAUSE', 400, 'ALL')).toBe('OK');
    const ping = track(other.call('PING'));
    const unpause = track(other.call('CLIENT', 'UNPAUSE'));
    const own = track(pauser.call('PING'));
    await sleep(150);
    expect(ping.done || unpause.done || own.done).toBe(false);
    await until(() => ping.done && unpause.done && own.done, 3000, 'the end of PAUSE ALL');
    expect([ping.value, unpause.value, own.value]).toEqual(['PONG', 'OK', 'PONG']);
  });

  it('a second pause keeps the stronger type and the later end', async () => {
    pauser = await t.connect();
    const other = await t.connect();
    expect(await pauser.call('CLIENT', 'PAUSE', 400, 'ALL')).toBe('OK');
    // Issued by a client paused by ALL: runs only once the pause ended.
    const weaker = track(pauser.call('CLIENT', 'PAUSE', 50, 'WRITE'));
    const get = track(other.call('GET', 'k'));
    await sleep(200);
    expect(get.done).toBe(false);
    await until(() => get.done && weaker.done, 3000, 'the end of PAUSE ALL');
  });
});

commandSuite('client management: MONITOR', (t) => {
  const LINE = /^\+(\d+)\.(\d{6}) \[(\d+) (\S+)\] (.*)$/;

  it('shows every command another client runs, in Redis format, quoted as sdscatrepr', async () => {
    const mon = await raw(t);
    mon.send('MONITOR\r\n');
    await until(() => mon.text.startsWith('+OK\r\n'), 2000, 'MONITOR +OK');
    const c = await t.connect();
    const myAddr = /^id=\d+ addr=(\S+)/.exec(await c.call('CLIENT', 'INFO'))![1];
    expect(await c.call('SET', 'k', Buffer.from('a\x00b\n"q"\\\xff\x7f\x01 é', 'latin1'))).toBe('OK');
    expect(await c.call('SELECT', 2)).toBe('OK');
    expect(await c.call('get', 'k')).toBe(null);
    expect(await c.call('SELECT', 0)).toBe('OK');
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('INCR', 'n')).toBe('QUEUED');
    expect(await c.call('EXEC')).toEqual([1]);
    // Hidden: admin commands, commands refused before running, and MONITOR itself.
    expect(await c.call('CONFIG', 'GET', 'maxclients')).toEqual(['maxclients', expect.any(String)]);
    await expect(c.call('NOSUCH', 'x')).rejects.toThrow(/unknown command/);
    await expect(c.call('GET')).rejects.toThrow(/wrong number/);
    // Credentials are redacted, whether AUTH succeeds or not.
    await expect(c.call('AUTH', 'secret')).rejects.toThrow();
    await expect(c.call('AUTH', 'user', 'secret')).rejects.toThrow();
    expect(await c.call('ECHO', 'done')).toBe('done');
    await until(() => mon.text.includes('"ECHO" "done"'), 2000, 'the last monitor line');
    const lines = mon.text.split('\r\n').slice(1, -1);
    const parsed = lines.map((l) => {
      const m = LINE.exec(l);
      expect(m, l).not.toBe(null);
      return { sec: Number(m![1]), db: Number(m![3]), addr: m![4], args: m![5] };
    });
    const mine = parsed.filter((p) => p.addr === myAddr);
    // From the SET on (before it: the client library's own hand-shake, and CLIENT INFO).
    const first = mine.findIndex((p) => p.args.startsWith('"SET"'));
    expect(mine.slice(first).map((p) => `${p.db} ${p.args}`)).toEqual([
      '0 "SET" "k" "a\\x00b\\n\\"q\\"\\\\\\xff\\x7f\\x01 \\xe9"',
      '2 "SELECT" "2"',
      '2 "get" "k"',
      '0 "SELECT" "0"',
      '0 "MULTI"',
      '0 "INCR" "n"',
      '0 "EXEC"',
      '0 "AUTH" "(redacted)"',
      '0 "AUTH" "(redacted)" "(redacted)"',
      '0 "ECHO" "done"',
    ]);
    const now = Date.now() / 1000;
    for (const p of mine) expect(Math.abs(p.sec - now)).toBeLessThan(30);
    mon.close();
  });

  it('a monitor sees its own commands after their reply, and may not touch the keyspace', async () => {
    const mon = await raw(t);
    mon.send('MONITOR\r\n');
    await until(() => mon.text === '+OK\r\n', 2000, 'MONITOR +OK');
    mon.send('PING\r\nGET k\r\nSET k 1\r\n');
    await until(() => (mon.text.match(/\r\n/g) ?? []).length >= 5, 2000, 'replies');
    const lines = mon.text.split('\r\n');
    expect(lines[1]).toBe('+PONG');
    expect(lines[2]).toMatch(/^\+\d+\.\d{6} \[0 \S+\] "PING"$/);
    expect(lines[3]).toBe("-ERR Replica can't interact with the keyspace");
    expect(lines[4]).toBe("-ERR Replica can't interact with the keyspace");
    // CLIENT LIST flag O.
    const list: string = await t.call('CLIENT', 'LIST');
    expect(list.split('\n').filter((l) => / flags=O /.test(l))).toHaveLength(1);
    mon.close();
  });

  it('MONITOR inside a transaction is refused; RESET leaves monitor mode', async () => {
    const mon = await raw(t);
    mon.send('MULTI\r\nMONITOR\r\nEXEC\r\n');
    await until(() => mon.text.includes('*1\r\n'), 2000, 'EXEC');
    expect(mon.text).toBe("+OK\r\n+QUEUED\r\n*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
    mon.send('MONITOR\r\n');
    await until(() => mon.text.endsWith('+OK\r\n'), 2000, 'MONITOR');
    mon.send('RESET\r\n');
    await until(() => mon.text.endsWith('+RESET\r\n'), 2000, 'RESET');
    const before = mon.text;
    expect(await t.call('PING')).toBe('PONG');
    await sleep(50);
    expect(mon.text).toBe(before);
    mon.close();
  });
});

commandSuite('client management: timeout', (t) => {
  afterEach(async () => {
    await t.call('CONFIG', 'SET', 'timeout', '0');
  });

  it('closes idle clients (in MULTI too), not blocked ones, subscribers or monitors', async () => {
    const idle = await raw(t);
    const inMulti = await raw(t);
    const blocked = await raw(t);
    const subscriber = await raw(t);
    const monitor = await raw(t);
    inMulti.send('MULTI\r\n');
    blocked.send('BLPOP nolist 0\r\n');
    subscriber.send('SUBSCRIBE ch\r\n');
    monitor.send('MONITOR\r\n');
    await until(() => inMulti.text === '+OK\r\n' && subscriber.text.length > 0 && monitor.text === '+OK\r\n', 2000, 'setup');
    expect(await t.call('CONFIG', 'SET', 'timeout', '1')).toBe('OK');
    const server = t.backend.server;
    // In-process there is no timer-driven cron: drive it.
    await until(
      async () => {
        // The suite's own connection stays busy; in-process there is no timer-driven cron.
        await t.call('PING');
        server?.cron(10);
        return idle.closed && inMulti.closed;
      },
      5000,
      'idle clients to be closed',
    );
    expect(blocked.closed).toBe(false);
    expect(subscriber.closed).toBe(false);
    expect(monitor.closed).toBe(false);
    // Served after more than `timeout` blocked: its reply is an interaction, it is not idle.
    expect(await t.call('RPUSH', 'nolist', 'x')).toBe(1);
    await until(() => blocked.text.length > 0, 2000, 'the BLPOP reply');
    await sleep(300);
    server?.cron(10);
    expect(blocked.closed).toBe(false);
    for (const r of [blocked, subscriber, monitor]) r.close();
  });
});

commandSuite(
  'client management: maxclients',
  (t) => {
    it('refuses the connection past maxclients with Redis error', async () => {
      if (t.backend.name === 'in-process') return; // no listener: only TCP accepts count
      // The default connection is the first of 5.
      const extra = [await raw(t), await raw(t), await raw(t), await raw(t)];
      const ids = await clientIds(t);
      expect(ids).toHaveLength(5);
      const refused = await raw(t);
      await until(() => refused.closed, 2000, 'the refused connection to be closed');
      expect(refused.text).toBe('-ERR max number of clients reached\r\n');
      expect(await t.call('INFO', 'stats')).toMatch(/rejected_connections:1\r\n/);
      // A slot frees up when a client leaves.
      extra[0].close();
      await until(async () => (await clientIds(t)).length === 4, 2000, 'the client to leave');
      const again = await raw(t);
      again.send('PING\r\n');
      await until(() => again.text === '+PONG\r\n', 2000, 'PONG');
      for (const r of [...extra, again]) r.close();
    });
  },
  { maxclients: '5' },
);
