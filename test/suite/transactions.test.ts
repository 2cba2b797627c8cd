// Transactions (MULTI EXEC DISCARD WATCH UNWATCH) against every backend: every expectation was
// observed on redis-server 7.0.15. A final in-process block drives a ManualClock for what real
// time cannot pin down (WATCH on an expired-but-not-deleted key, Redis 7.0's "stale keys"), reads
// raw RESP3 bytes, and checks that a transaction reaches the mutation log as one unit.

import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { commandSuite, sleep, type SuiteContext } from '../helpers/suite.js';
import { inProcess, type Backend, type Conn } from '../helpers/backends.js';
import { ManualClock } from '../../src/keyspace/clock.js';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

/** EXEC's array with each error element replaced by its message (ioredis and the decoder differ in error classes). */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x instanceof Error ? `!${x.message}` : plain(x)));
  return v;
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

/** MULTI, the commands (each must be QUEUED), EXEC: the EXEC reply, errors as "!message". */
async function transaction(c: Conn | SuiteContext, ...cmds: (string | number)[][]): Promise<unknown> {
  expect(await c.call('MULTI')).toBe('OK');
  for (const cmd of cmds) expect(await c.call(...cmd)).toBe('QUEUED');
  return plain(await c.call('EXEC'));
}

commandSuite('transactions: MULTI EXEC DISCARD', (t) => {
  it('queues commands and EXEC answers their replies in order', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.call('INCR', 'a')).toBe('QUEUED');
    expect(await t.call('GET', 'a')).toBe('QUEUED');
    expect(await t.call('EXEC')).toEqual(['OK', 2, '2']);
    expect(await t.call('GET', 'a')).toBe('2');
  });

  it('an empty transaction answers an empty array', async () => {
    expect(await transaction(t)).toEqual([]);
  });

  it('a command failing at run time does not stop the others: its error is an element', async () => {
    const r = await transaction(t, ['SET', 'a', '1'], ['INCR', 'a'], ['LPUSH', 'a', 'x'], ['INCR', 'a']);
    expect(r).toEqual(['OK', 2, '!WRONGTYPE Operation against a key holding the wrong kind of value', 3]);
  });

  it('an unknown command while queueing aborts EXEC with EXECABORT; valid ones are still QUEUED', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.error('NOSUCHCMD', 'x')).toBe("ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' ");
    expect(await t.call('SET', 'b', '1')).toBe('QUEUED');
    expect(await t.error('EXEC')).toBe(EXECABORT);
    // Nothing ran, and the client is out of MULTI.
    expect(await t.call('EXISTS', 'a', 'b')).toBe(0);
    expect(await t.error('EXEC')).toBe('ERR EXEC without MULTI');
  });

  it('a wrong number of arguments while queueing aborts EXEC', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('SET', 'a')).toBe("ERR wrong number of arguments for 'set' command");
    expect(await t.call('SET', 'a', 'b')).toBe('QUEUED');
    expect(await t.error('EXEC')).toBe(EXECABORT);
    expect(await t.call('GET', 'a')).toBe(null);
  });

  it('EXEC and DISCARD without MULTI', async () => {
    expect(await t.error('EXEC')).toBe('ERR EXEC without MULTI');
    expect(await t.error('DISCARD')).toBe('ERR DISCARD without MULTI');
  });

  it('MULTI calls can not be nested; the transaction goes on', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('MULTI')).toBe('ERR MULTI calls can not be nested');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.call('EXEC')).toEqual(['OK']);
  });

  it('WATCH inside MULTI is refused without dooming the transaction', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('WATCH', 'a')).toBe('ERR WATCH inside MULTI is not allowed');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.call('EXEC')).toEqual(['OK']);
  });

  it('arity errors of the transaction commands themselves', async () => {
    expect(await t.error('MULTI', 'x')).toBe("ERR wrong number of arguments for 'multi' command");
    expect(await t.error('DISCARD', 'x')).toBe("ERR wrong number of arguments for 'discard' command");
    expect(await t.error('WATCH')).toBe("ERR wrong number of arguments for 'watch' command");
    expect(await t.error('UNWATCH', 'x')).toBe("ERR wrong number of arguments for 'unwatch' command");
    // A refused EXEC aborts the transaction itself, in MULTI or not.
    expect(await t.error('EXEC', 'x')).toBe("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.error('EXEC', 'x')).toBe("EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
    expect(await t.error('EXEC')).toBe('ERR EXEC without MULTI');
    expect(await t.call('GET', 'a')).toBe(null);
  });

  it('an arity error of MULTI or WATCH inside MULTI dooms it', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('MULTI', 'x')).toBe("ERR wrong number of arguments for 'multi' command");
    expect(await t.error('EXEC')).toBe(EXECABORT);
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('WATCH')).toBe("ERR wrong number of arguments for 'watch' command");
    expect(await t.error('EXEC')).toBe(EXECABORT);
  });

  it('no_multi commands are refused inside MULTI and doom it', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('SAVE')).toBe('ERR Command not allowed inside a transaction');
    expect(await t.error('SHUTDOWN')).toBe('ERR Command not allowed inside a transaction');
    expect(await t.error('EXEC')).toBe(EXECABORT);
  });

  it('DISCARD drops the queue and leaves MULTI', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.call('DISCARD')).toBe('OK');
    expect(await t.call('GET', 'a')).toBe(null);
    expect(await t.error('EXEC')).toBe('ERR EXEC without MULTI');
  });

  it('RESET inside MULTI leaves it', async () => {
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await t.call('RESET')).toBe('RESET');
    expect(await t.error('EXEC')).toBe('ERR EXEC without MULTI');
    expect(await t.call('GET', 'a')).toBe(null);
  });

  it('a blocking command inside MULTI acts as its non-blocking form', async () => {
    expect(await transaction(t, ['BLPOP', 'nolist', 0], ['RPUSH', 'l', 'x'], ['BLPOP', 'l', 0])).toEqual([null, 1, ['l', 'x']]);
  });

  it('SELECT inside a transaction holds after EXEC', async () => {
    const c = await t.connect();
    expect(await transaction(c, ['SELECT', 1], ['SET', 'a', 'in1'])).toEqual(['OK', 'OK']);
    expect(await c.call('GET', 'a')).toBe('in1');
    expect(await c.call('SELECT', 0)).toBe('OK');
    expect(await c.call('GET', 'a')).toBe(null);
    expect(await c.call('SELECT', 1)).toBe('OK');
    expect(await c.call('FLUSHDB')).toBe('OK');
  });

  it('UNWATCH queued inside MULTI runs inside EXEC', async () => {
    expect(await transaction(t, ['UNWATCH'])).toEqual(['OK']);
  });

  it('CLIENT INFO: flag x and the queue length in MULTI', async () => {
    const c = await t.connect();
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('PING')).toBe('QUEUED');
    expect(await c.call('PING')).toBe('QUEUED');
    expect(await c.call('DISCARD')).toBe('OK');
    const info = await t.call('CLIENT', 'LIST');
    expect(info).toMatch(/ multi=-1 /);
    expect(await c.call('MULTI')).toBe('OK');
    expect(await c.call('PING')).toBe('QUEUED');
    const all: string = await t.call('CLIENT', 'LIST');
    expect(all.split('\n').some((l) => / flags=x .* multi=1 /.test(l))).toBe(true);
    expect(await c.call('DISCARD')).toBe('OK');
  });

  it('COMMAND INFO of the transaction commands matches Redis 7.0', async () => {
    const infos = await t.call('COMMAND', 'INFO', 'multi', 'exec', 'discard', 'watch', 'unwatch', 'monitor');
    const got = infos.map((i: unknown[]) => [i[0], i[1], [...(i[2] as string[])].sort(), i[3], i[4], i[5], [...(i[6] as string[])].sort()]);
    expect(got).toEqual([
      ['multi', 1, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], 0, 0, 0, ['@fast', '@transaction']],
      ['exec', 1, ['loading', 'noscript', 'skip_slowlog', 'stale'], 0, 0, 0, ['@slow', '@transaction']],
      ['discard', 1, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], 0, 0, 0, ['@fast', '@transaction']],
      ['watch', -2, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], 1, -1, 1, ['@fast', '@transaction']],
      ['unwatch', 1, ['allow_busy', 'fast', 'loading', 'noscript', 'stale'], 0, 0, 0, ['@fast', '@transaction']],
      ['monitor', 1, ['admin', 'loading', 'noscript', 'stale'], 0, 0, 0, ['@admin', '@dangerous', '@slow']],
    ]);
  });

  it('EXEC is atomic: another client never runs between the transaction commands', async () => {
    const other = await t.connect();
    await t.call('SET', 'counter', 0);
    let stop = false;
    const hammer = (async () => {
      let n = 0;
      while (!stop) {
        // Several in flight at a time, so they are queued on the server while EXEC runs.
        await Promise.all([other.call('INCR', 'counter'), other.call('INCR', 'counter'), other.call('INCR', 'counter')]);
        n += 3;
      }
      return n;
    })();
    for (let i = 0; i < 30; i++) {
      const r = (await transaction(t, ['INCR', 'counter'], ['GET', 'counter'], ['INCR', 'counter'], ['INCR', 'counter'], ['GET', 'counter'])) as [number, string, number, number, string];
      expect(Number(r[1])).toBe(r[0]);
      expect(r[2]).toBe(r[0] + 1);
      expect(r[3]).toBe(r[0] + 2);
      expect(Number(r[4])).toBe(r[0] + 2);
    }
    stop = true;
    const n = await hammer;
    expect(Number(await t.call('GET', 'counter'))).toBe(n + 90);
  });
});

commandSuite('transactions: WATCH', (t) => {
  let other: Conn;
  beforeEach(async () => {
    other ??= await t.connect();
    await t.call('UNWATCH');
  });

  it('EXEC succeeds when no watched key changed', async () => {
    await t.call('SET', 'k', '1');
    expect(await t.call('WATCH', 'k', 'j')).toBe('OK');
    expect(await other.call('GET', 'k')).toBe('1');
    expect(await other.call('SET', 'unrelated', '1')).toBe('OK');
    expect(await transaction(t, ['SET', 'k', '2'])).toEqual(['OK']);
    expect(await t.call('GET', 'k')).toBe('2');
  });

  it('a write by another client fails the EXEC with a null array', async () => {
    await t.call('SET', 'k', '1');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SET', 'k', '2')).toBe('OK');
    expect(await transaction(t, ['SET', 'k', 'mine'])).toBe(null);
    expect(await t.call('GET', 'k')).toBe('2');
  });

  it('a write by the same client fails the EXEC too', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await t.call('SET', 'k', '1')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('creating a watched key that did not exist fails the EXEC', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('LPUSH', 'k', 'x')).toBe(1);
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('setting the same value still counts as a write; a write that changes nothing does not', async () => {
    await t.call('SET', 'k', 'a');
    await t.call('SADD', 's', 'm');
    await t.call('SET', 'str', 'abc');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SET', 'k', 'a')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
    expect(await t.call('WATCH', 's', 'str', 'missing')).toBe('OK');
    expect(await other.call('SADD', 's', 'm')).toBe(0);
    expect(await other.call('PERSIST', 'str')).toBe(0);
    expect(await errorOf(other.call('INCR', 'str'))).toBe('ERR value is not an integer or out of range');
    expect(await other.call('DEL', 'missing')).toBe(0);
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
  });

  it('an empty APPEND and an LTRIM that keeps the whole list still count as writes', async () => {
    // Redis signals the key modified in both (appendCommand unconditionally, ltrimCommand even
    // when it trims nothing), while SETRANGE with an empty string returns before that.
    await t.call('SET', 'k', 'ab');
    await t.call('RPUSH', 'l', 'a', 'b');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SETRANGE', 'k', '0', '')).toBe(2);
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('APPEND', 'k', '')).toBe(2);
    expect(await transaction(t, ['PING'])).toBe(null);
    expect(await t.call('WATCH', 'l')).toBe('OK');
    expect(await other.call('LTRIM', 'l', '0', '-1')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
    expect(await t.call('LRANGE', 'l', '0', '-1')).toEqual(['a', 'b']);
  });

  it('EXPIRE on a watched key fails the EXEC', async () => {
    await t.call('SET', 'k', 'a');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('EXPIRE', 'k', 100)).toBe(1);
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('a key expiring after WATCH fails the EXEC', async () => {
    await t.call('SET', 'k', 'v', 'PX', 50);
    expect(await t.call('WATCH', 'k')).toBe('OK');
    await sleep(120);
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('a key expiring after WATCH and read (deleted) by another client fails the EXEC', async () => {
    await t.call('SET', 'k', 'v', 'PX', 50);
    expect(await t.call('WATCH', 'k')).toBe('OK');
    await sleep(120);
    expect(await other.call('GET', 'k')).toBe(null);
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('UNWATCH forgets the watched keys and a failed check', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await t.call('UNWATCH')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
  });

  it('EXEC and DISCARD unwatch everything', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.call('DISCARD')).toBe('OK');
    expect(await other.call('SET', 'k', '2')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
  });

  it('a failed EXEC unwatches: the next transaction is free', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
    expect(await other.call('SET', 'k', '2')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
  });

  it('WATCH after the check already failed cannot repair it', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await t.call('WATCH', 'j')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('CLIENT INFO shows flag d once a watched key was touched', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await t.call('CLIENT', 'INFO')).toMatch(/ flags=N /);
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await t.call('CLIENT', 'INFO')).toMatch(/ flags=d /);
    expect(await t.call('UNWATCH')).toBe('OK');
    expect(await t.call('CLIENT', 'INFO')).toMatch(/ flags=N /);
  });

  it('the write of a queued command of the watcher itself does not fail its own EXEC', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await transaction(t, ['SET', 'k', '1'], ['INCR', 'k'])).toEqual(['OK', 2]);
  });

  it('watched keys are per db', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SELECT', 1)).toBe('OK');
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    expect(await other.call('FLUSHDB')).toBe('OK');
    expect(await other.call('SELECT', 0)).toBe('OK');
  });

  it('RENAME touches both the source and the destination', async () => {
    await t.call('SET', 'src', '1');
    expect(await t.call('WATCH', 'src')).toBe('OK');
    expect(await other.call('RENAME', 'src', 'dst')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
    expect(await t.call('WATCH', 'dst2')).toBe('OK');
    expect(await other.call('RENAME', 'dst', 'dst2')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('MOVE touches the key in the source db and in the target db', async () => {
    await t.call('SET', 'k', '1');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('MOVE', 'k', 1)).toBe(1);
    expect(await transaction(t, ['PING'])).toBe(null);
    // Watched in db 0 while the key arrives from db 1.
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SELECT', 1)).toBe('OK');
    expect(await other.call('MOVE', 'k', 0)).toBe(1);
    expect(await other.call('SELECT', 0)).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('COPY touches the destination only', async () => {
    await t.call('SET', 'src', '1');
    expect(await t.call('WATCH', 'src')).toBe('OK');
    expect(await other.call('COPY', 'src', 'dst')).toBe(1);
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    expect(await t.call('WATCH', 'dst2')).toBe('OK');
    expect(await other.call('COPY', 'src', 'dst2')).toBe(1);
    expect(await transaction(t, ['PING'])).toBe(null);
    // COPY ... DB n touches the key in db n.
    expect(await t.call('SELECT', 2)).toBe('OK');
    expect(await t.call('WATCH', 'c')).toBe('OK');
    expect(await other.call('COPY', 'src', 'c', 'DB', 2)).toBe(1);
    expect(await transaction(t, ['PING'])).toBe(null);
    expect(await t.call('FLUSHDB')).toBe('OK');
    expect(await t.call('SELECT', 0)).toBe('OK');
  });

  it('FLUSHDB fails the EXEC only if a watched key existed', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('FLUSHDB')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    await t.call('SET', 'k', '1');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('FLUSHDB')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('FLUSHDB of another db leaves watched keys alone', async () => {
    await t.call('SET', 'k', '1');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SELECT', 1)).toBe('OK');
    expect(await other.call('FLUSHDB')).toBe('OK');
    expect(await other.call('SELECT', 0)).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
  });

  it('FLUSHALL fails the EXEC only if a watched key existed', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('FLUSHALL')).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    await t.call('SET', 'k', '1');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('FLUSHALL')).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
  });

  it('SWAPDB fails the EXEC if a watched key exists in either db', async () => {
    // In neither db: no change.
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SWAPDB', 0, 1)).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    // Only in the other db: it appears.
    expect(await other.call('SELECT', 1)).toBe('OK');
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SWAPDB', 0, 1)).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
    // Now in db 0 (swapped in): it disappears.
    expect(await t.call('EXISTS', 'k')).toBe(1);
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SWAPDB', 1, 0)).toBe('OK');
    expect(await transaction(t, ['PING'])).toBe(null);
    // A swap of two other dbs.
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SWAPDB', 2, 1)).toBe('OK');
    expect(await transaction(t, ['PING'])).toEqual(['PONG']);
    expect(await other.call('FLUSHALL')).toBe('OK');
    expect(await other.call('SELECT', 0)).toBe('OK');
  });

  it('a touched key fails EXEC with a null array even if the transaction also had a queueing error: EXECABORT wins', async () => {
    expect(await t.call('WATCH', 'k')).toBe('OK');
    expect(await other.call('SET', 'k', '1')).toBe('OK');
    expect(await t.call('MULTI')).toBe('OK');
    expect(await t.error('GET')).toBe("ERR wrong number of arguments for 'get' command");
    expect(await t.error('EXEC')).toBe(EXECABORT);
  });
});

// ---- in-process only: the clock, raw RESP3, the mutation log --------------------------------

describe('transactions [in-process, manual clock]', () => {
  let backend: Backend;
  let clock: ManualClock;
  let a: Conn;
  let b: Conn;

  beforeEach(async () => {
    clock = new ManualClock();
    backend = await inProcess({}, clock);
    a = backend.conn;
    b = await backend.connect();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('WATCH of a key already expired (not yet deleted): its deletion is no change', async () => {
    await a.call('SET', 'k', 'v', 'PX', 100);
    clock.advance(200);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    expect(await transaction(a, ['PING'])).toEqual(['PONG']);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    expect(await b.call('GET', 'k')).toBe(null); // lazy expiry deletes it, logs DEL
    expect(await transaction(a, ['PING'])).toEqual(['PONG']);
  });

  it('WATCH of an expired key, then a write of it: EXEC fails', async () => {
    await a.call('SET', 'k', 'v', 'PX', 100);
    clock.advance(200);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    expect(await b.call('SET', 'k', 'new')).toBe('OK');
    expect(await transaction(a, ['PING'])).toBe(null);
  });

  it('WATCH of an expired key survives FLUSHDB and a SWAPDB with an empty db', async () => {
    await a.call('SET', 'k', 'v', 'PX', 100);
    clock.advance(200);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    expect(await b.call('FLUSHDB')).toBe('OK');
    expect(await transaction(a, ['PING'])).toEqual(['PONG']);
    await a.call('SET', 'k', 'v', 'PX', 100);
    clock.advance(200);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    expect(await b.call('SWAPDB', 0, 1)).toBe('OK');
    expect(await transaction(a, ['PING'])).toEqual(['PONG']);
  });

  it('SWAPDB bringing an expired key where there was none is no change', async () => {
    expect(await b.call('SELECT', 1)).toBe('OK');
    await b.call('SET', 'k', 'v', 'PX', 100);
    clock.advance(200);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    expect(await b.call('SWAPDB', 0, 1)).toBe('OK');
    expect(await transaction(a, ['PING'])).toEqual(['PONG']);
  });

  it('a key alive at WATCH that expires before EXEC fails it, deleted or not', async () => {
    await a.call('SET', 'k', 'v', 'PX', 100);
    expect(await a.call('WATCH', 'k')).toBe('OK');
    clock.advance(200);
    expect(await transaction(a, ['PING'])).toBe(null);
  });

  it('EXEC of a transaction whose WATCH failed answers _ in RESP3, *-1 in RESP2', async () => {
    const raw: string[] = [];
    const c = backend.server!.connectLocal((s) => raw.push(s));
    const run = async (cmd: string) => {
      c.onData(Buffer.from(cmd));
      await new Promise((r) => setImmediate(r));
    };
    await run('WATCH k\r\n');
    await b.call('SET', 'k', '1');
    await run('MULTI\r\nPING\r\nEXEC\r\n');
    expect(raw.join('')).toBe('+OK\r\n+OK\r\n+QUEUED\r\n*-1\r\n');
    raw.length = 0;
    await run('HELLO 3\r\n');
    raw.length = 0;
    await run('WATCH k\r\n');
    await b.call('SET', 'k', '2');
    await run('MULTI\r\nPING\r\nEXEC\r\n');
    expect(raw.join('')).toBe('+OK\r\n+OK\r\n+QUEUED\r\n_\r\n');
  });

  it('EXEC refused for want of AUTH aborts; AUTH itself is queued (as redis-server 7.0.15)', async () => {
    const secured = await inProcess({ requirepass: 'pw' });
    try {
      const raw: string[] = [];
      const c = secured.server!.connectLocal((s) => raw.push(s));
      c.onData(Buffer.from('EXEC\r\nMULTI\r\nAUTH pw\r\nMULTI\r\nAUTH x\r\nAUTH pw\r\nEXEC\r\n'));
      await new Promise((r) => setImmediate(r));
      expect(raw.join('')).toBe(
        '-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n' +
          '+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n',
      );
    } finally {
      await secured.close();
    }
  });

  it('a MULTI/EXEC reaches the log as one unit, wrapped in MULTI/EXEC', async () => {
    const units: string[] = [];
    backend.server!.log.addConsumer((u) => units.push(u));
    expect(await transaction(a, ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['LPUSH', 'a', 'x'], ['SET', 'b', '2'])).toEqual([
      'OK',
      2,
      '2',
      '!WRONGTYPE Operation against a key holding the wrong kind of value',
      'OK',
    ]);
    expect(units).toHaveLength(1);
    expect(units[0]).toBe(
      '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n' +
        '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n' +
        '*1\r\n$4\r\nEXEC\r\n',
    );
    // A read-only transaction logs nothing; a single write is logged alone.
    units.length = 0;
    expect(await transaction(a, ['GET', 'a'])).toEqual(['2']);
    expect(units).toHaveLength(0);
    expect(await transaction(a, ['GET', 'a'], ['SET', 'c', '3'])).toEqual(['2', 'OK']);
    expect(units).toEqual(['*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n']);
  });

  it('a transaction changing dbs logs its SELECTs inside the unit', async () => {
    const units: string[] = [];
    backend.server!.log.addConsumer((u) => units.push(u));
    expect(await transaction(a, ['SET', 'a', '1'], ['SELECT', 3], ['SET', 'a', '3'])).toEqual(['OK', 'OK', 'OK']);
    expect(units).toHaveLength(1);
    expect(units[0]).toContain('*1\r\n$5\r\nMULTI\r\n');
    expect(units[0]).toContain('*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n');
    expect(units[0].endsWith('*1\r\n$4\r\nEXEC\r\n')).toBe(true);
  });

  it('eviction of a watched key (a DEL in the log) fails the EXEC', async () => {
    await a.call('SET', 'k', 'v');
    const used = Number(/used_memory:(\d+)/.exec(await a.call('INFO', 'memory'))![1]);
    expect(await a.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru')).toBe('OK');
    expect(await a.call('CONFIG', 'SET', 'maxmemory', String(used + 200_000))).toBe('OK');
    expect(await a.call('WATCH', 'k')).toBe('OK');
    for (let i = 0; i < 100; i++) await b.call('SET', `big${i}`, 'x'.repeat(10_000));
    expect(await b.call('EXISTS', 'k')).toBe(0);
    expect(await transaction(a, ['PING'])).toBe(null);
  });

  it('EXEC aborts when the server refuses writes by then; read-only transactions still run', async () => {
    const server = backend.server!;
    expect(await a.call('MULTI')).toBe('OK');
    expect(await a.call('SET', 'a', '1')).toBe('QUEUED');
    const gate = server.gate.bind(server);
    server.gate = (c, spec, bits) => ((bits & 1) !== 0 ? 'MISCONF test refusal' : gate(c, spec, bits));
    try {
      expect(await errorOf(a.call('EXEC'))).toBe('EXECABORT Transaction discarded because of: MISCONF test refusal');
      expect(await transaction(a, ['GET', 'a'])).toEqual([null]);
    } finally {
      server.gate = gate;
    }
  });
});
