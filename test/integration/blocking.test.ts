// Blocking list pops across several connections (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP), with the
// same assertions on Hoard in-process, Hoard over TCP and a real redis-server 7.0: fairness
// (first blocked, first served), timeouts, wake-ups by pushes and by other writes (RENAME,
// MOVE, SWAPDB), clients that disconnect while blocked, wrong types, and the pipelined input
// of a woken client. The in-process block at the end checks Hoard's own bookkeeping (the
// blocked count, thousands of blocked clients, timers).

import { describe, it, expect, afterEach } from 'vitest';
import { commandSuite, sleep, track, type Pending, type SuiteContext } from '../helpers/suite.js';
import { inProcess, encodeArgs, type Backend, type Conn, type LocalConn } from '../helpers/backends.js';

/**
 * Waits until `n` clients are blocked, read from CLIENT LIST's flags (a `b` on both servers),
 * so the order in which clients block is the order the test issued them.
 */
async function waitBlocked(t: SuiteContext, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const list: string = await t.call('CLIENT', 'LIST');
    let blocked = 0;
    for (const line of list.split('\n')) if (/ flags=\S*b/.test(line)) blocked++;
    if (blocked === n) return;
    await sleep(5);
  }
  throw new Error(`never saw ${n} blocked clients`);
}

/** Issues a blocking call on `conn` and waits until the server has parked it. */
async function block(t: SuiteContext, conn: Conn, blockedBefore: number, ...args: (string | number)[]): Promise<Pending> {
  const p = track(conn.call(...args));
  await waitBlocked(t, blockedBefore + 1);
  return p;
}

commandSuite('blocking: fairness', (t) => {
  it('three clients blocked on one key are served in the order they blocked', async () => {
    const [c1, c2, c3] = [await t.connect(), await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLPOP', 'k', 0);
    const p2 = await block(t, c2, 1, 'BLPOP', 'k', 0);
    const p3 = await block(t, c3, 2, 'BLPOP', 'k', 0);
    expect(await t.call('RPUSH', 'k', 'first')).toBe(1);
    expect(await p1.promise).toEqual(['k', 'first']);
    expect(p2.done || p3.done).toBe(false);
    expect(await t.call('RPUSH', 'k', 'second')).toBe(1);
    expect(await p2.promise).toEqual(['k', 'second']);
    expect(await t.call('RPUSH', 'k', 'third')).toBe(1);
    expect(await p3.promise).toEqual(['k', 'third']);
    expect(await t.call('EXISTS', 'k')).toBe(0);
  });

  it('one push of several elements wakes several clients, head first, in blocking order', async () => {
    const [c1, c2, c3, c4] = [await t.connect(), await t.connect(), await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLPOP', 'k', 0);
    const p2 = await block(t, c2, 1, 'BRPOP', 'k', 0);
    const p3 = await block(t, c3, 2, 'BLPOP', 'k', 0);
    const p4 = await block(t, c4, 3, 'BLPOP', 'k', 0);
    // The list is c b a when the pushing command ends; then the waiters are served.
    expect(await t.call('LPUSH', 'k', 'a', 'b', 'c')).toBe(3);
    expect(await p1.promise).toEqual(['k', 'c']);
    expect(await p2.promise).toEqual(['k', 'a']);
    expect(await p3.promise).toEqual(['k', 'b']);
    expect(await t.call('LLEN', 'k')).toBe(0);
    await sleep(30);
    expect(p4.done).toBe(false);
    await waitBlocked(t, 1);
    expect(await t.call('RPUSH', 'k', 'd', 'e')).toBe(2);
    expect(await p4.promise).toEqual(['k', 'd']);
    expect(await t.call('LRANGE', 'k', 0, -1)).toEqual(['e']);
  });

  it('a MULTI/EXEC serves waiters once, after the whole transaction', async () => {
    const c = await t.connect();
    const p1 = await block(t, c, 0, 'BLPOP', 'k', 0);
    expect(await t.call('MULTI')).toBe('OK');
    await t.call('LPUSH', 'k', 'x');
    await t.call('LPOP', 'k');
    expect(await t.call('EXEC')).toEqual([1, 'x']);
    await sleep(30);
    expect(p1.done).toBe(false);
    await t.call('MULTI');
    await t.call('LPUSH', 'k', 'x');
    await t.call('LPUSH', 'k', 'y');
    expect(await t.call('EXEC')).toEqual([1, 2]);
    expect(await p1.promise).toEqual(['k', 'y']);
    expect(await t.call('LRANGE', 'k', 0, -1)).toEqual(['x']);
  });

  it('a client blocked on several keys is served by the first that gets elements', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLPOP', 'a', 'b', 0);
    const p2 = await block(t, c2, 1, 'BLPOP', 'b', 'a', 'b', 0);
    expect(await t.call('RPUSH', 'b', '1', '2', '3')).toBe(3);
    expect(await p1.promise).toEqual(['b', '1']);
    expect(await p2.promise).toEqual(['b', '2']);
    expect(await t.call('LRANGE', 'b', 0, -1)).toEqual(['3']);
    expect(await t.call('EXISTS', 'a')).toBe(0);
  });
});

commandSuite('blocking: INFO clients', (t) => {
  it('blocked_clients and clients_in_timeout_table count the blocked clients', async () => {
    const field = async (name: string) => {
      const info: string = await t.call('INFO', 'clients');
      const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
      return m === null ? null : Number(m[1]);
    };
    const [c1, c2] = [await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLPOP', 'a', 0);
    const p2 = await block(t, c2, 1, 'BLPOP', 'b', 100);
    expect(await field('blocked_clients')).toBe(2);
    expect(await field('clients_in_timeout_table')).toBe(1);
    await t.call('RPUSH', 'b', 'x');
    expect(await p2.promise).toEqual(['b', 'x']);
    expect(await field('blocked_clients')).toBe(1);
    expect(await field('clients_in_timeout_table')).toBe(0);
    await t.call('RPUSH', 'a', 'y');
    expect(await p1.promise).toEqual(['a', 'y']);
    expect(await field('blocked_clients')).toBe(0);
  });
});

commandSuite('blocking: timeouts', (t) => {
  it('a fractional timeout answers nil after about that long', async () => {
    const c = await t.connect();
    const t0 = Date.now();
    expect(await c.call('BLPOP', 'k', '0.1')).toBeNull();
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(90);
    expect(ms).toBeLessThan(1500);
    // It no longer waits: the next push stays in the list.
    expect(await t.call('RPUSH', 'k', 'x')).toBe(1);
    await sleep(20);
    expect(await t.call('LRANGE', 'k', 0, -1)).toEqual(['x']);
  });

  it('every blocking command times out with nil; shorter timeouts end first', async () => {
    const [c1, c2, c3, c4, c5] = [await t.connect(), await t.connect(), await t.connect(), await t.connect(), await t.connect()];
    const order: string[] = [];
    const note = (name: string) => (v: unknown) => {
      order.push(name);
      return v;
    };
    const ps = [
      c1.call('BLMPOP', '0.4', 2, 'a', 'b', 'LEFT', 'COUNT', 2).then(note('blmpop')),
      c2.call('BRPOP', 'a', '0.1').then(note('brpop')),
      c3.call('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0.3').then(note('blmove')),
      c4.call('BRPOPLPUSH', 'a', 'b', '0.2').then(note('brpoplpush')),
      c5.call('BLPOP', 'a', 0),
    ];
    expect(await Promise.all(ps.slice(0, 4))).toEqual([null, null, null, null]);
    expect(order).toEqual(['brpop', 'brpoplpush', 'blmove', 'blmpop']);
    // The client with no timeout is still there.
    await t.call('RPUSH', 'a', 'v');
    expect(await ps[4]).toEqual(['a', 'v']);
    expect(await t.call('EXISTS', 'a', 'b')).toBe(0);
  });

  it('timeout 0 waits as long as it takes', async () => {
    const c = await t.connect();
    const p = await block(t, c, 0, 'BRPOP', 'k', 0);
    await sleep(300);
    expect(p.done).toBe(false);
    await t.call('RPUSH', 'k', 'late');
    expect(await p.promise).toEqual(['k', 'late']);
  });
});

commandSuite('blocking: CLIENT UNBLOCK', (t) => {
  it('ends a block as its timeout would (nil), or with the UNBLOCKED error; 0 for clients not blocked', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const [id1, id2] = [await c1.call('CLIENT', 'ID'), await c2.call('CLIENT', 'ID')];
    const p1 = await block(t, c1, 0, 'BLPOP', 'k', 0);
    const p2 = await block(t, c2, 1, 'BZPOPMIN', 'z', 0);
    expect(await t.call('CLIENT', 'UNBLOCK', id1)).toBe(1);
    expect(await p1.promise).toBeNull();
    expect(await t.call('CLIENT', 'UNBLOCK', id2, 'error')).toBe(1);
    await expect(p2.promise).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    // Neither is blocked any more, nor waits for the keys: a push stays in the list.
    expect(await t.call('CLIENT', 'UNBLOCK', id1)).toBe(0);
    expect(await t.call('CLIENT', 'UNBLOCK', 999999)).toBe(0);
    expect(await t.call('CLIENT', 'UNBLOCK', -1, 'TIMEOUT')).toBe(0);
    expect(await t.call('RPUSH', 'k', 'x')).toBe(1);
    expect(await c1.call('LPOP', 'k')).toBe('x');
    expect(await c2.call('PING')).toBe('PONG');
  });

  it('argument errors', async () => {
    expect(await t.error('CLIENT', 'UNBLOCK')).toBe("ERR wrong number of arguments for 'client|unblock' command");
    expect(await t.error('CLIENT', 'UNBLOCK', 'x')).toBe('ERR value is not an integer or out of range');
    expect(await t.error('CLIENT', 'UNBLOCK', 1, 'foo')).toBe('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    expect(await t.error('CLIENT', 'UNBLOCK', 1, 2, 3)).toBe("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.");
  });
});

commandSuite('blocking: WAIT on a primary with no replicas', (t) => {
  it('answers 0 at once when no acknowledgement is needed, or inside MULTI', async () => {
    expect(await t.call('SET', 'k', 'v')).toBe('OK');
    expect(await t.call('WAIT', 0, 0)).toBe(0);
    expect(await t.call('WAIT', -1, 0)).toBe(0);
    const c = await t.connect();
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('WAIT', 1, 0)).toBe('QUEUED');
    expect(await c.call('EXEC')).toEqual([0]);
  });

  it('waits for its timeout and answers 0 when replicas are asked for', async () => {
    const t0 = Date.now();
    expect(await t.call('WAIT', 1, 150)).toBe(0);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(2000);
  });

  it('timeout 0 blocks until CLIENT UNBLOCK', async () => {
    const c = await t.connect();
    const id = await c.call('CLIENT', 'ID');
    const p = await block(t, c, 0, 'WAIT', 2, 0);
    await sleep(200);
    expect(p.done).toBe(false);
    expect(await t.call('CLIENT', 'UNBLOCK', id)).toBe(1);
    expect(await p.promise).toBe(0);
  });

  it('argument errors', async () => {
    expect(await t.error('WAIT', 'x', 0)).toBe('ERR value is not an integer or out of range');
    expect(await t.error('WAIT', 1, 'x')).toBe('ERR timeout is not an integer or out of range');
    expect(await t.error('WAIT', 1, '1.5')).toBe('ERR timeout is not an integer or out of range');
    expect(await t.error('WAIT', 1, -1)).toBe('ERR timeout is negative');
    expect(await t.error('WAIT', 1)).toBe("ERR wrong number of arguments for 'wait' command");
    const info = (await t.call('COMMAND', 'INFO', 'wait')) as unknown[][];
    expect(info[0].slice(0, 6)).toEqual(['wait', 3, ['noscript'], 0, 0, 0]);
  });
});

commandSuite('blocking: BLMOVE BRPOPLPUSH BLMPOP', (t) => {
  it('BLMOVE is served by a push and creates its destination', async () => {
    const c = await t.connect();
    const p = await block(t, c, 0, 'BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', 0);
    expect(await t.call('RPUSH', 'src', 'a', 'b')).toBe(2);
    expect(await p.promise).toBe('b');
    expect(await t.call('LRANGE', 'src', 0, -1)).toEqual(['a']);
    expect(await t.call('LRANGE', 'dst', 0, -1)).toEqual(['b']);
  });

  it('BRPOPLPUSH into a list another client waits on wakes that one too', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BRPOPLPUSH', 'q1', 'q2', 0);
    const p2 = await block(t, c2, 1, 'BLPOP', 'q2', 0);
    expect(await t.call('RPUSH', 'q1', 'job')).toBe(1);
    expect(await p1.promise).toBe('job');
    expect(await p2.promise).toEqual(['q2', 'job']);
    expect(await t.call('EXISTS', 'q1', 'q2')).toBe(0);
  });

  it('two BRPOPLPUSH in a ring: one push, one hop each', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BRPOPLPUSH', 'q', 'r', 0);
    const p2 = await block(t, c2, 1, 'BRPOPLPUSH', 'r', 'q', 0);
    await t.call('RPUSH', 'q', '1');
    expect(await p1.promise).toBe('1');
    expect(await p2.promise).toBe('1');
    expect(await t.call('LRANGE', 'q', 0, -1)).toEqual(['1']);
    expect(await t.call('EXISTS', 'r')).toBe(0);
  });

  it('BLMOVE from a key to itself serves every waiter from the same element', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLMOVE', 'c', 'c', 'LEFT', 'RIGHT', 0);
    const p2 = await block(t, c2, 1, 'BLMOVE', 'c', 'c', 'LEFT', 'RIGHT', 0);
    await t.call('RPUSH', 'c', '1', '2');
    expect(await p1.promise).toBe('1');
    expect(await p2.promise).toBe('2');
    expect(await t.call('LRANGE', 'c', 0, -1)).toEqual(['1', '2']);
  });

  it('BLMPOP is served with up to COUNT elements; the next waiter gets the rest', async () => {
    const [c1, c2, c3] = [await t.connect(), await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLMPOP', 0, 2, 'm', 'n', 'RIGHT', 'COUNT', 3);
    const p2 = await block(t, c2, 1, 'BLMPOP', 0, 1, 'n', 'LEFT');
    const p3 = await block(t, c3, 2, 'BLMPOP', 0, 1, 'n', 'LEFT', 'COUNT', 10);
    expect(await t.call('RPUSH', 'n', '1', '2', '3', '4', '5')).toBe(5);
    expect(await p1.promise).toEqual(['n', ['5', '4', '3']]);
    expect(await p2.promise).toEqual(['n', ['1']]);
    expect(await p3.promise).toEqual(['n', ['2']]);
    expect(await t.call('EXISTS', 'n')).toBe(0);
  });
});

commandSuite('blocking: disconnects', (t) => {
  it('a client that disconnects while blocked is forgotten: the push goes to the next, nothing is lost', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLPOP', 'k', 0);
    const p2 = await block(t, c2, 1, 'BLPOP', 'k', 0);
    await c1.close();
    await waitBlocked(t, 1);
    expect(await t.call('RPUSH', 'k', 'a', 'b')).toBe(2);
    expect(await p2.promise).toEqual(['k', 'a']);
    expect(await t.call('LRANGE', 'k', 0, -1)).toEqual(['b']);
    await sleep(20);
    expect(p1.value).toBeUndefined();
  });

  it('CLIENT KILL of a blocked client, then a push: served to the next one', async () => {
    const [c1, c2] = [await t.connect(), await t.connect()];
    const id1 = await c1.call('CLIENT', 'ID');
    const p1 = await block(t, c1, 0, 'BRPOP', 'k', 0);
    const p2 = await block(t, c2, 1, 'BRPOP', 'k', 0);
    expect(await t.call('CLIENT', 'KILL', 'ID', id1)).toBe(1);
    await waitBlocked(t, 1);
    await t.call('RPUSH', 'k', 'x');
    expect(await p2.promise).toEqual(['k', 'x']);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    await sleep(20);
    expect(p1.value).toBeUndefined();
  });
});

commandSuite('blocking: types, dbs and other writes', (t) => {
  it('a key that becomes a string keeps the client waiting; a list later serves it', async () => {
    const c = await t.connect();
    const p = await block(t, c, 0, 'BLPOP', 'k', 0);
    await t.call('SET', 'k', 'str');
    await sleep(30);
    expect(p.done).toBe(false);
    await t.call('DEL', 'k');
    await t.call('RPUSH', 'k', 'x');
    expect(await p.promise).toEqual(['k', 'x']);
  });

  it('BLMOVE whose destination became a string gets WRONGTYPE, and the element stays', async () => {
    const c = await t.connect();
    const p = await block(t, c, 0, 'BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', 0);
    await t.call('SET', 'dst', 'str');
    await t.call('RPUSH', 'src', 'v');
    await expect(p.promise).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await t.call('LRANGE', 'src', 0, -1)).toEqual(['v']);
    expect(await t.call('GET', 'dst')).toBe('str');
  });

  it('a push in another db does not wake a client; one in its db does', async () => {
    const c = await t.connect();
    await c.call('SELECT', 1);
    const p = await block(t, c, 0, 'BLPOP', 'k', 0);
    await t.call('RPUSH', 'k', 'db0');
    await sleep(30);
    expect(p.done).toBe(false);
    await t.call('SELECT', 1);
    await t.call('RPUSH', 'k', 'db1');
    expect(await p.promise).toEqual(['k', 'db1']);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    await t.call('SELECT', 0);
    expect(await t.call('LRANGE', 'k', 0, -1)).toEqual(['db0']);
  });

  it('RENAME, MOVE and SWAPDB that bring a list to a waited-for key wake its waiters', async () => {
    const [c1, c2, c3] = [await t.connect(), await t.connect(), await t.connect()];
    const p1 = await block(t, c1, 0, 'BLPOP', 'renamed', 0);
    await t.call('RPUSH', 'tmp', 'r');
    await t.call('RENAME', 'tmp', 'renamed');
    expect(await p1.promise).toEqual(['renamed', 'r']);
    await c2.call('SELECT', 1);
    const p2 = await block(t, c2, 0, 'BLPOP', 'moved', 0);
    await t.call('RPUSH', 'moved', 'm');
    await t.call('MOVE', 'moved', 1);
    expect(await p2.promise).toEqual(['moved', 'm']);
    await c3.call('SELECT', 1);
    const p3 = await block(t, c3, 0, 'BLPOP', 'swapped', 0);
    await t.call('RPUSH', 'swapped', 's');
    await t.call('SWAPDB', 0, 1);
    expect(await p3.promise).toEqual(['swapped', 's']);
    await t.call('SELECT', 1);
    expect(await t.call('EXISTS', 'swapped')).toBe(0);
    await t.call('SELECT', 0);
  });

  it('CLIENT REPLY OFF / SKIP also drop the late reply of a served or timed-out command', async () => {
    const c = await t.connect();
    // Replies are matched to calls in order: with replies dropped, the first calls get the
    // replies of the last ones. So: every reply this connection gets is counted below.
    const calls: Pending[] = [];
    const send = (...a: (string | number)[]) => calls.push(track(c.call(...a)));
    send('CLIENT', 'REPLY', 'SKIP');
    send('BLPOP', 'k', '0.05');
    await sleep(200);
    send('CLIENT', 'REPLY', 'SKIP');
    send('BLPOP', 'k', 0);
    await waitBlocked(t, 1);
    await t.call('RPUSH', 'k', 'a');
    send('CLIENT', 'REPLY', 'OFF');
    send('BLPOP', 'k', 0);
    await waitBlocked(t, 1);
    await t.call('RPUSH', 'k', 'b');
    expect(await t.call('EXISTS', 'k')).toBe(0);
    send('CLIENT', 'REPLY', 'ON');
    send('ECHO', 'last');
    expect(await calls[0].promise).toBe('OK');
    expect(await calls[1].promise).toBe('last');
    await sleep(20);
    expect(calls.slice(2).some((p) => p.done)).toBe(false);
    await c.close();
  });

  it('the input a woken client pipelined behind its blocking command runs after it, in order', async () => {
    const c = await t.connect();
    const p1 = track(c.call('BLPOP', 'k', 0));
    const p2 = track(c.call('LLEN', 'k'));
    const p3 = track(c.call('PING'));
    await waitBlocked(t, 1);
    await sleep(20);
    expect(p2.done || p3.done).toBe(false);
    await t.call('RPUSH', 'k', 'a', 'b');
    expect(await p1.promise).toEqual(['k', 'a']);
    expect(await p2.promise).toBe(1);
    expect(await p3.promise).toBe('PONG');
  });
});

// ---- in-process only -------------------------------------------------------------------------

describe('blocking: bookkeeping (in-process)', () => {
  let b: Backend;
  afterEach(async () => {
    await b.close();
  });

  it('server.blocking.count follows blocks, serves, timeouts and disconnects', async () => {
    b = await inProcess();
    const server = b.server!;
    const [c1, c2, c3] = [await b.connect(), await b.connect(), await b.connect()];
    const p1 = c1.call('BLPOP', 'k', 0);
    const p2 = c2.call('BLPOP', 'k', 'j', '0.05');
    void c3.call('BLMOVE', 'x', 'y', 'LEFT', 'LEFT', 0).catch(() => null);
    expect(server.blocking.count).toBe(3);
    expect(await p2).toBeNull();
    expect(server.blocking.count).toBe(2);
    await c3.close();
    expect(server.blocking.count).toBe(1);
    await b.conn.call('RPUSH', 'k', 'v');
    expect(await p1).toEqual(['k', 'v']);
    expect(server.blocking.count).toBe(0);
  });

  it('thousands of blocked clients: all time out, and FIFO holds for hundreds on one key', async () => {
    b = await inProcess();
    const server = b.server!;
    const conns: Conn[] = [];
    for (let i = 0; i < 2000; i++) conns.push(await b.connect());
    const t0 = Date.now();
    const timeouts = conns.slice(0, 1500).map((c, i) => c.call('BLPOP', `key${i % 50}`, '0.2'));
    const waiters = conns.slice(1500).map((c) => c.call('BRPOP', 'fifo', 0));
    expect(server.blocking.count).toBe(2000);
    expect(await Promise.all(timeouts)).toEqual(new Array(1500).fill(null));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(server.blocking.count).toBe(500);
    for (let i = 0; i < 500; i++) await b.conn.call('RPUSH', 'fifo', String(i));
    const got = await Promise.all(waiters);
    expect(got).toEqual(got.map((_, i) => ['fifo', String(i)]));
    expect(server.blocking.count).toBe(0);
    for (const c of conns) await c.close();
  });

  it('unblock (CLIENT UNBLOCK) as a timeout or with the UNBLOCKED error; disconnectAll (turning replica)', async () => {
    b = await inProcess();
    const server = b.server!;
    const [c1, c2, c3] = [(await b.connect()) as LocalConn, (await b.connect()) as LocalConn, (await b.connect()) as LocalConn];
    const p1 = c1.call('BLPOP', 'k', 0);
    const p2 = c2.call('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', 0);
    expect(server.blocking.unblock(c1.client, false)).toBe(true);
    expect(await p1).toBeNull();
    expect(server.blocking.unblock(c1.client, false)).toBe(false);
    expect(server.blocking.unblock(c2.client, true)).toBe(true);
    await expect(p2).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    // Both go on serving their connection.
    expect(await c1.call('PING')).toBe('PONG');
    const p3 = c3.call('BRPOP', 'k', 0);
    expect(server.blocking.count).toBe(1);
    server.blocking.disconnectAll();
    await expect(p3).rejects.toThrow('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
    expect(server.blocking.count).toBe(0);
    await sleep(10);
    expect(c3.client.closed).toBe(true);
  });

  it('a write that does not come through processCommand (AOF replay path) still wakes waiters', async () => {
    b = await inProcess();
    const server = b.server!;
    const c = await b.connect();
    const p = c.call('BLPOP', 'k', 0);
    server.replayRecord(encodeArgs(['RPUSH', 'k', 'replayed']));
    expect(await p).toEqual(['k', 'replayed']);
    expect(await b.conn.call('EXISTS', 'k')).toBe(0);
  });

  it('a blocking command refused by arity or a bad timeout does not block', async () => {
    b = await inProcess();
    await expect(b.conn.call('BLPOP', 'k', 'x')).rejects.toThrow('ERR timeout is not a float or out of range');
    expect(b.server!.blocking.count).toBe(0);
    expect(await b.conn.call('PING')).toBe('PONG');
  });
});
