// CLIENT TRACKING (server-assisted client-side caching) against every backend: the assertions
// hold on redis-server 7.0.15 too. Tracking connections are raw (a socket + the test RESP
// decoder, or an in-process LocalConn with a tap) so that RESP3 pushes and RESP2 redirect
// messages are seen as they are, in their order relative to replies. A few Hoard-only checks
// at the end look at the server's tables directly.

import { describe, expect, it, afterEach, beforeAll, afterAll } from 'vitest';
import { commandSuite, sleep, type SuiteContext } from '../helpers/suite.js';
import { encodeArgs, inProcess, LocalConn, type Arg, type Backend } from '../helpers/backends.js';
import { FrameQueue, openFrames, type FrameTransport } from '../helpers/raw-conn.js';

const SYNTAX = 'ERR syntax error';

type Invalidation = string[] | null;

/**
 * A raw connection that sorts what it receives: replies (in order, for `cmd`), invalidations
 * (RESP3 `invalidate` pushes and RESP2 messages on __redis__:invalidate), other pushes, and
 * the full frame log (to check where a push landed among replies).
 */
class TConn {
  private readonly replies = new FrameQueue();
  readonly invalidations: Invalidation[] = [];
  readonly broken: number[] = [];
  readonly frames: string[] = [];

  private tr!: FrameTransport;

  private constructor() {}

  static async open(t: SuiteContext): Promise<TConn> {
    const c = new TConn();
    c.tr = await openFrames(t, (v) => c.onFrame(v));
    return c;
  }

  /** The in-process connection, null over TCP. */
  get local(): LocalConn | null {
    return this.tr.local;
  }

  private onFrame(v: unknown): void {
    if (v !== null && typeof v === 'object' && 'push' in v) {
      const p = (v as { push: unknown[] }).push;
      if (p[0] === 'invalidate') {
        this.frames.push('push:invalidate');
        this.invalidations.push(p[1] as Invalidation);
        return;
      }
      if (p[0] === 'tracking-redir-broken') {
        this.frames.push('push:broken');
        this.broken.push(p[1] as number);
        return;
      }
      // Pub/sub frames of a RESP3 subscriber are replies to SUBSCRIBE here.
    }
    if (Array.isArray(v) && v.length === 3 && v[0] === 'message' && v[1] === '__redis__:invalidate') {
      this.frames.push('message:invalidate');
      this.invalidations.push(v[2] as Invalidation);
      return;
    }
    this.frames.push('reply');
    this.replies.push(v);
  }

  send(...args: Arg[]): void {
    this.tr.send(encodeArgs(args));
  }

  /** The next reply (waits up to `ms`). */
  next(ms = 3000): Promise<any> {
    return this.replies.next(ms, 'reply');
  }

  /** Sends a command and resolves with its reply (an error reply as { error }). */
  cmd(...args: Arg[]): Promise<any> {
    this.tr.send(encodeArgs(args));
    return this.next();
  }

  async ok(...args: Arg[]): Promise<void> {
    expect(await this.cmd(...args)).toBe('OK');
  }

  async err(...args: Arg[]): Promise<string> {
    const r = await this.cmd(...args);
    if (r === null || typeof r !== 'object' || !('error' in r)) throw new Error(`expected an error from ${args.join(' ')}, got ${JSON.stringify(r)}`);
    return (r as { error: string }).error;
  }

  async id(): Promise<number> {
    return (await this.cmd('CLIENT', 'ID')) as number;
  }

  /**
   * Everything due so far has arrived: an invalidation caused by a write that was answered is
   * written before this connection's next reply (BCAST ones in the same end-of-turn write).
   */
  async sync(): Promise<void> {
    await this.cmd('ECHO', 'sync');
  }

  /** The invalidations received since the last call (after a sync). */
  async take(): Promise<Invalidation[]> {
    await this.sync();
    return this.invalidations.splice(0);
  }

  close(): void {
    this.tr.close();
  }
}

let opened: TConn[] = [];
async function conn(t: SuiteContext, resp3 = true): Promise<TConn> {
  const c = await TConn.open(t);
  opened.push(c);
  if (resp3) await c.cmd('HELLO', '3');
  return c;
}
afterEach(() => {
  for (const c of opened) c.close();
  opened = [];
});

/** INFO fields as numbers. */
async function info(t: SuiteContext, section: string): Promise<Record<string, number>> {
  const text: string = await t.call('INFO', section);
  const out: Record<string, number> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

async function until(cond: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function flagsOf(line: string): string {
  return /flags=(\S+)/.exec(line)![1];
}

commandSuite('CLIENT TRACKING', (t) => {
  it('default mode: one invalidation per read, then none until the key is read again', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    expect(await a.cmd('GET', 'k')).toBe(null);
    await t.call('SET', 'k', '1');
    expect(await a.take()).toEqual([['k']]);
    await t.call('SET', 'k', '2');
    await t.call('DEL', 'k');
    expect(await a.take()).toEqual([]);
    expect(await a.cmd('GET', 'k')).toBe(null);
    expect(await a.cmd('STRLEN', 'k')).toBe(0);
    await t.call('SET', 'k', '3');
    expect(await a.take()).toEqual([['k']]);
    // Write commands do not track the keys they touch; non-existing keys read are tracked.
    await a.cmd('INCR', 'w');
    await t.call('INCR', 'w');
    expect(await a.take()).toEqual([]);
    // LTRIM keeping the whole list changes nothing and logs nothing, but counts as a write.
    await t.call('RPUSH', 'l', 'a', 'b');
    await a.cmd('LRANGE', 'l', '0', '-1');
    await t.call('LTRIM', 'l', '0', '-1');
    expect(await a.take()).toEqual([['l']]);
    // A write that does not happen (SET NX on an existing key) invalidates nothing.
    await a.cmd('LLEN', 'l');
    await t.call('SET', 'k', 'x');
    await a.take();
    await a.cmd('GET', 'k');
    expect(await t.call('SET', 'k', 'y', 'NX')).toBe(null);
    expect(await a.take()).toEqual([]);
    // Tracking is per key name, whatever the db.
    await a.cmd('HGET', 'h', 'f');
    await t.call('SELECT', '1');
    await t.call('HSET', 'h', 'f', 'v');
    await t.call('SELECT', '0');
    expect(await a.take()).toEqual([['h']]);
  });

  it("a client's own write: the reply first, then the invalidation; NOLOOP keeps it quiet", async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await a.cmd('GET', 'k');
    a.frames.length = 0;
    await a.ok('SET', 'k', 'v');
    await a.sync();
    expect(a.frames).toEqual(['reply', 'push:invalidate', 'reply']);
    expect(a.invalidations.splice(0)).toEqual([['k']]);

    const b = await conn(t);
    await b.ok('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await b.cmd('MGET', 'x', 'y');
    await b.ok('SET', 'x', '1');
    expect(await b.take()).toEqual([]);
    await t.call('SET', 'y', '1');
    expect(await b.take()).toEqual([['y']]);
  });

  it('MULTI/EXEC: invalidations follow the EXEC reply; multi-key writes invalidate every key', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await a.cmd('MGET', 'k1', 'k2', 'k3', 'k4', 'src', 'dst');
    a.frames.length = 0;
    await a.ok('MULTI');
    expect(await a.cmd('SET', 'k1', 'a')).toBe('QUEUED');
    expect(await a.cmd('GET', 'k1')).toBe('QUEUED');
    expect(await a.cmd('EXEC')).toEqual(['OK', 'a']);
    await a.sync();
    expect(a.frames).toEqual(['reply', 'reply', 'reply', 'reply', 'push:invalidate', 'reply']);
    expect(a.invalidations.splice(0)).toEqual([['k1']]);
    // k1 was read again inside the transaction.
    await t.call('MSET', 'k1', '1', 'k2', '2');
    expect(await a.take()).toEqual([['k1'], ['k2']]);
    await t.call('SET', 'k3', '3');
    await t.call('SET', 'k4', '4');
    await a.take();
    await a.cmd('MGET', 'k3', 'k4');
    await t.call('DEL', 'k3', 'k4', 'nosuchkey');
    expect(await a.take()).toEqual([['k3'], ['k4']]);
    await t.call('SET', 'src', 'v');
    await a.take();
    await a.cmd('MGET', 'src', 'dst');
    await t.call('RENAME', 'src', 'dst');
    expect(await a.take()).toEqual([['src'], ['dst']]);
    // Another client's transaction.
    await a.cmd('MGET', 'k1', 'k2');
    const b = await t.connect();
    await b.call('MULTI');
    await b.call('SET', 'k1', 'x');
    await b.call('INCR', 'k2');
    await b.call('EXEC');
    expect(await a.take()).toEqual([['k1'], ['k2']]);
  });

  it('MOVE and COPY invalidate the key they write once', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await t.call('SET', 'm', '1');
    await a.cmd('MGET', 'm', 'c');
    await t.call('MOVE', 'm', '1');
    expect(await a.take()).toEqual([['m']]);
    await t.call('SET', 'src', '1');
    await t.call('COPY', 'src', 'c');
    expect(await a.take()).toEqual([['c']]);
    // SWAPDB invalidates nothing (Redis 7.0).
    await a.cmd('GET', 'src');
    await t.call('SWAPDB', '0', '1');
    await t.call('SWAPDB', '0', '1');
    expect(await a.take()).toEqual([]);
  });

  it('BCAST without prefixes: every write, keys of a turn sorted in one push; NOLOOP drops its own', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on', 'BCAST');
    await t.call('MSET', 'b', '1', 'a', '2', 'c', '3');
    expect(await a.take()).toEqual([['a', 'b', 'c']]);
    await t.call('SET', 'x', '1');
    await t.call('SET', 'x', '2');
    expect(await a.take()).toEqual([['x'], ['x']]);
    // Reads track nothing in BCAST mode.
    await a.cmd('GET', 'x');
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 0, tracking_total_prefixes: 1 });
    const n = await conn(t);
    await n.ok('CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP');
    await n.ok('MSET', 'mine1', '1', 'mine2', '2');
    expect(await n.take()).toEqual([]);
    expect(await a.take()).toEqual([['mine1', 'mine2']]);
    await t.call('SET', 'theirs', '1');
    expect(await n.take()).toEqual([['theirs']]);
  });

  it('BCAST with prefixes: one push per prefix, in prefix order; other keys are not sent', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'item:');
    await t.call('MSET', 'user:2', '1', 'other', '1', 'user:1', '1', 'item:9', '1');
    expect(await a.take()).toEqual([['item:9'], ['user:1', 'user:2']]);
    await t.call('SET', 'usr', '1');
    expect(await a.take()).toEqual([]);
    const info1: Record<string, unknown> = await a.cmd('CLIENT', 'TRACKINGINFO');
    expect(info1).toEqual(new Map<string, unknown>([
      ['flags', ['on', 'bcast']],
      ['redirect', 0],
      ['prefixes', ['item:', 'user:']],
    ]));
    // More prefixes while on; overlapping ones are refused.
    await a.ok('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'z');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:1')).toBe(
      "ERR Prefix 'user:1' overlaps with an existing prefix 'user:'. Prefixes for a single client must not overlap.",
    );
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'xy')).toBe(
      "ERR Prefix 'x' overlaps with another provided prefix 'xy'. Prefixes for a single client must not overlap.",
    );
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'q', 'PREFIX', '')).toBe(
      "ERR Prefix 'q' overlaps with another provided prefix ''. Prefixes for a single client must not overlap.",
    );
    expect((await a.cmd('CLIENT', 'TRACKINGINFO')).get('prefixes')).toEqual(['item:', 'user:', 'z']);
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_prefixes: 3 });
    await a.ok('CLIENT', 'TRACKING', 'off');
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_prefixes: 0 });
  });

  it('OPTIN: CACHING yes tracks the next command (or transaction) only', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on', 'OPTIN');
    await a.cmd('GET', 'no1');
    await a.ok('CLIENT', 'CACHING', 'yes');
    expect((await a.cmd('CLIENT', 'TRACKINGINFO')).get('flags')).toEqual(['on', 'optin', 'caching-yes']);
    await a.cmd('GET', 'yes1');
    await a.cmd('GET', 'no2');
    // CLIENT subcommands in between do not spend it; any other command does.
    await a.ok('CLIENT', 'CACHING', 'yes');
    await a.cmd('CLIENT', 'ID');
    await a.cmd('GET', 'yes2');
    await a.ok('CLIENT', 'CACHING', 'yes');
    await a.cmd('PING');
    await a.cmd('GET', 'no3');
    await a.ok('CLIENT', 'CACHING', 'yes');
    await a.err('NOSUCHCOMMAND');
    await a.cmd('GET', 'no4');
    // A transaction after CACHING yes: every read in it.
    await a.ok('CLIENT', 'CACHING', 'yes');
    await a.ok('MULTI');
    await a.cmd('GET', 'yes3');
    await a.cmd('GET', 'yes4');
    await a.cmd('EXEC');
    await a.cmd('GET', 'no5');
    expect((await a.cmd('CLIENT', 'TRACKINGINFO')).get('flags')).toEqual(['on', 'optin']);
    await t.call('MSET', 'no1', '1', 'no2', '1', 'no3', '1', 'no4', '1', 'no5', '1', 'yes1', '1', 'yes2', '1', 'yes3', '1', 'yes4', '1');
    expect(await a.take()).toEqual([['yes1'], ['yes2'], ['yes3'], ['yes4']]);
    expect(await a.err('CLIENT', 'CACHING', 'no')).toBe('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  });

  it('OPTOUT: every read is tracked but the one after CACHING no', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on', 'OPTOUT');
    await a.cmd('GET', 'in1');
    await a.ok('CLIENT', 'CACHING', 'no');
    expect((await a.cmd('CLIENT', 'TRACKINGINFO')).get('flags')).toEqual(['on', 'optout', 'caching-no']);
    await a.cmd('GET', 'out1');
    await a.cmd('GET', 'in2');
    await t.call('MSET', 'in1', '1', 'out1', '1', 'in2', '1');
    expect(await a.take()).toEqual([['in1'], ['in2']]);
    expect(await a.err('CLIENT', 'CACHING', 'yes')).toBe('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
    expect(await a.err('CLIENT', 'CACHING', 'maybe')).toBe(SYNTAX);
  });

  it('REDIRECT in RESP2: messages on __redis__:invalidate to a subscriber; none without redirect', async () => {
    const sub = await conn(t, false);
    const subId = await sub.id();
    expect(await sub.cmd('SUBSCRIBE', '__redis__:invalidate')).toEqual(['subscribe', '__redis__:invalidate', 1]);
    const a = await conn(t, false);
    await a.ok('CLIENT', 'TRACKING', 'on', 'REDIRECT', subId);
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(subId);
    expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['on'], 'redirect', subId, 'prefixes', []]);
    await a.cmd('MGET', 'k1', 'k2');
    await t.call('MSET', 'k1', '1', 'k2', '2');
    await a.cmd('GET', 'k1');
    await t.call('FLUSHALL');
    await until(() => sub.invalidations.length === 3, 3000, 'three messages');
    // The flush null of a RESP2 tracking client is RESP2's null bulk.
    expect(sub.invalidations.splice(0)).toEqual([['k1'], ['k2'], null]);
    expect(a.invalidations).toEqual([]);
    expect(a.frames.every((f) => f === 'reply')).toBe(true);

    // A RESP2 client without redirect: keys are tracked, nothing can be delivered.
    const b = await conn(t, false);
    await b.ok('CLIENT', 'TRACKING', 'on');
    await b.cmd('GET', 'q');
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 1, tracking_total_items: 1 });
    await t.call('SET', 'q', '1');
    expect(await b.take()).toEqual([]);
    expect(b.frames.every((f) => f === 'reply')).toBe(true);
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 0, tracking_total_items: 0 });
  });

  it('REDIRECT in RESP3: pushes to the redirect client; a broken redirect is reported to the tracker', async () => {
    const r = await conn(t);
    const rId = await r.id();
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on', 'REDIRECT', rId);
    await a.cmd('GET', 'k');
    await t.call('SET', 'k', '1');
    expect(await r.take()).toEqual([['k']]);
    expect(await a.take()).toEqual([]);
    const aId = await a.id();
    r.close();
    await until(async () => !String(await t.call('CLIENT', 'LIST')).includes(`id=${rId} `), 3000, 'redirect client gone');
    // Still tracking, not yet broken: that is found when an invalidation is due.
    expect(flagsOf(await t.call('CLIENT', 'LIST', 'ID', aId))).toBe('t');
    await a.cmd('GET', 'k');
    await t.call('SET', 'k', '2');
    await a.sync();
    expect(a.broken).toEqual([rId]);
    expect(a.invalidations).toEqual([]);
    expect(flagsOf(await t.call('CLIENT', 'LIST', 'ID', aId))).toBe('tR');
    expect(await t.call('CLIENT', 'LIST', 'ID', aId)).toContain(` redir=${rId} `);
    expect((await a.cmd('CLIENT', 'TRACKINGINFO')).get('flags')).toEqual(['on', 'broken_redirect']);
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(rId);
    // Enabling again without redirect clears the broken state.
    await a.ok('CLIENT', 'TRACKING', 'on');
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(0);
    expect(flagsOf(await t.call('CLIENT', 'LIST', 'ID', aId))).toBe('t');
  });

  it('FLUSHALL and FLUSHDB: a null invalidation to every tracking client, BCAST ones too', async () => {
    const a = await conn(t);
    const b = await conn(t);
    const c = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await b.ok('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p');
    await c.ok('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await a.cmd('GET', 'k');
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 1 });
    await t.call('FLUSHALL');
    expect(await a.take()).toEqual([null]);
    expect(await b.take()).toEqual([null]);
    expect(await c.take()).toEqual([null]);
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 0, tracking_total_items: 0 });
    // The flushing client itself (even with NOLOOP): after its reply.
    c.frames.length = 0;
    await c.ok('FLUSHDB');
    await c.sync();
    expect(c.frames).toEqual(['reply', 'push:invalidate', 'reply']);
    expect(c.invalidations.splice(0)).toEqual([null]);
    expect(await a.take()).toEqual([null]);
    // The key read before is no longer tracked.
    await t.call('SET', 'k', '1');
    expect(await a.take()).toEqual([]);
  });

  it('expiry invalidates (a DEL of the expire)', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await t.call('SET', 'e', '1', 'PX', '100');
    expect(await a.cmd('GET', 'e')).toBe('1');
    await sleep(200);
    // Lazily expired by this read if the active cycle did not get there first.
    expect(await t.call('EXISTS', 'e')).toBe(0);
    expect(await a.take()).toEqual([['e']]);
  });

  it('eviction invalidates (maxmemory with allkeys-lru)', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    const big = 'x'.repeat(100_000);
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) keys.push(`big${i}`);
    for (const k of keys) await t.call('SET', k, big);
    expect(await a.cmd('MGET', ...keys.map((k) => k))).toHaveLength(10);
    try {
      await t.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
      await t.call('CONFIG', 'SET', 'maxmemory', '1');
      await t.call('PING');
      expect(await t.call('DBSIZE')).toBe(0);
    } finally {
      await t.call('CONFIG', 'SET', 'maxmemory', '0');
      await t.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
    const got = (await a.take()).map((inv) => {
      expect(inv).toHaveLength(1);
      return inv![0];
    });
    expect(got.sort()).toEqual([...keys].sort());
  });

  it('tracking-table-max-keys: random keys are invalidated to stay under the limit', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    expect(await t.call('CONFIG', 'GET', 'tracking-table-max-keys')).toEqual(['tracking-table-max-keys', '1000000']);
    await t.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
    try {
      const keys = ['t1', 't2', 't3', 't4', 't5'];
      for (const k of keys) await a.cmd('GET', k);
      await a.cmd('PING');
      const got = (await a.take()).map((inv) => inv![0]);
      expect(got).toHaveLength(3);
      expect(new Set(got).size).toBe(3);
      for (const k of got) expect(keys).toContain(k);
      expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 2, tracking_total_items: 2 });
      // The two still tracked are the ones not invalidated.
      await t.call('MSET', ...keys.flatMap((k) => [k, '1']));
      expect(((await a.take()) as string[][]).map((x) => x[0]).sort()).toEqual(keys.filter((k) => !got.includes(k)).sort());
    } finally {
      await t.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    }
  });

  it('CLIENT REPLY OFF still gets invalidation pushes', async () => {
    const a = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await a.cmd('GET', 'k');
    a.send('CLIENT', 'REPLY', 'OFF');
    await t.call('SET', 'k', '1');
    await a.ok('CLIENT', 'REPLY', 'ON');
    expect(a.invalidations).toEqual([['k']]);
  });

  it('TRACKINGINFO, GETREDIR and CLIENT LIST flags in each mode', async () => {
    const a = await conn(t, false);
    const aId = await a.id();
    expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['off'], 'redirect', -1, 'prefixes', []]);
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(-1);
    let line: string = await t.call('CLIENT', 'LIST', 'ID', aId);
    expect(flagsOf(line)).toBe('N');
    expect(line).toContain(' redir=-1 ');
    await a.ok('CLIENT', 'TRACKING', 'on', 'OPTOUT', 'NOLOOP');
    expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['on', 'optout', 'noloop'], 'redirect', 0, 'prefixes', []]);
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(0);
    line = await t.call('CLIENT', 'LIST', 'ID', aId);
    expect(flagsOf(line)).toBe('t');
    expect(line).toContain(' redir=0 ');
    expect(await a.cmd('CLIENT', 'INFO')).toContain(' flags=t ');
    await a.ok('CLIENT', 'TRACKING', 'off');
    await a.ok('CLIENT', 'TRACKING', 'on', 'BCAST');
    expect(flagsOf(await t.call('CLIENT', 'LIST', 'ID', aId))).toBe('tB');
    expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['on', 'bcast'], 'redirect', 0, 'prefixes', ['']]);
    // RESP3: a map, and flags as a set.
    await a.cmd('HELLO', '3');
    expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(new Map<string, unknown>([
      ['flags', ['on', 'bcast']],
      ['redirect', 0],
      ['prefixes', ['']],
    ]));
    // RESET turns tracking off.
    expect(await a.cmd('RESET')).toBe('RESET');
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(-1);
    expect(flagsOf(await t.call('CLIENT', 'LIST', 'ID', aId))).toBe('N');
  });

  it('INFO: tracking_clients and the table sizes; stale ids go when their key is written', async () => {
    expect(await info(t, 'clients')).toMatchObject({ tracking_clients: 0 });
    const a = await conn(t);
    const b = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await b.ok('CLIENT', 'TRACKING', 'on');
    await a.cmd('MGET', 'k1', 'k2');
    await b.cmd('GET', 'k1');
    expect(await info(t, 'clients')).toMatchObject({ tracking_clients: 2 });
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 2, tracking_total_items: 3, tracking_total_prefixes: 0 });
    // Off (or gone): the client's ids stay in the table until their keys are invalidated.
    await b.ok('CLIENT', 'TRACKING', 'off');
    a.close();
    await until(async () => (await info(t, 'clients')).tracking_clients === 0, 3000, 'tracking_clients 0');
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 2, tracking_total_items: 3 });
    await t.call('SET', 'k1', '1');
    expect(await b.take()).toEqual([]);
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 1, tracking_total_items: 1 });
    await t.call('SET', 'k2', '1');
    expect(await info(t, 'stats')).toMatchObject({ tracking_total_keys: 0, tracking_total_items: 0 });
    expect(await t.call('PING')).toBe('PONG');
  });

  it('argument errors, with Redis 7.0.15 texts and order', async () => {
    const a = await conn(t, false);
    const other = await conn(t, false);
    const otherId = await other.id();
    expect(await a.err('CLIENT', 'TRACKING')).toBe("ERR wrong number of arguments for 'client|tracking' command");
    expect(await a.err('CLIENT', 'TRACKING', 'maybe')).toBe(SYNTAX);
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'foo')).toBe(SYNTAX);
    expect(await a.err('CLIENT', 'TRACKING', 'off', 'foo')).toBe(SYNTAX);
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'REDIRECT')).toBe(SYNTAX);
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX')).toBe(SYNTAX);
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'REDIRECT', 'abc')).toBe('ERR value is not an integer or out of range');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'REDIRECT', '0')).toBe('ERR The client ID you want redirect to does not exist');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999999')).toBe('ERR The client ID you want redirect to does not exist');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'REDIRECT', otherId, 'REDIRECT', otherId)).toBe('ERR A client can only redirect to a single other client');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT', 'PREFIX', 'a')).toBe('ERR PREFIX option requires BCAST mode to be enabled');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN', 'OPTOUT')).toBe('ERR OPTIN and OPTOUT are not compatible with BCAST');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTOUT')).toBe('ERR OPTIN and OPTOUT are not compatible with BCAST');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT')).toBe("ERR You can't specify both OPTIN mode and OPTOUT mode");
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'a')).toBe(
      "ERR Prefix 'a' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap.",
    );
    expect(await a.err('CLIENT', 'CACHING', 'yes')).toBe(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
    expect(await a.err('CLIENT', 'CACHING', 'maybe')).toBe(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
    expect(await a.err('CLIENT', 'CACHING')).toBe("ERR wrong number of arguments for 'client|caching' command");
    expect(await a.err('CLIENT', 'CACHING', 'yes', 'no')).toBe("ERR wrong number of arguments for 'client|caching' command");
    expect(await a.err('CLIENT', 'TRACKINGINFO', 'x')).toBe("ERR wrong number of arguments for 'client|trackinginfo' command");
    expect(await a.err('CLIENT', 'GETREDIR', 'x')).toBe("ERR wrong number of arguments for 'client|getredir' command");
    // Nothing above turned tracking on; off is always fine, options and all.
    expect(await a.cmd('CLIENT', 'GETREDIR')).toBe(-1);
    await a.ok('CLIENT', 'TRACKING', 'off', 'PREFIX', 'a', 'OPTIN');
    // Mode switches need an OFF first; plain ON after OPTIN is allowed.
    await a.ok('CLIENT', 'TRACKING', 'on', 'OPTIN');
    expect(await a.err('CLIENT', 'CACHING', 'no')).toBe('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'OPTOUT')).toBe(
      "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
    expect(await a.err('CLIENT', 'TRACKING', 'on', 'BCAST')).toBe(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
    await a.ok('CLIENT', 'TRACKING', 'on');
    expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['on'], 'redirect', 0, 'prefixes', []]);
    await a.ok('CLIENT', 'TRACKING', 'off');
    await a.ok('CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP', 'noloop');
    expect(await a.err('CLIENT', 'TRACKING', 'on')).toBe(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  });

  it('CLIENT HELP lists CACHING, TRACKING and TRACKINGINFO as Redis does', async () => {
    const help: string[] = await t.call('CLIENT', 'HELP');
    expect(help.slice(1, 3)).toEqual(['CACHING (YES|NO)', '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.']);
    const i = help.indexOf('TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]');
    expect(help.slice(i, i + 7)).toEqual([
      'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
      '         [OPTIN] [OPTOUT] [NOLOOP]',
      '    Control server assisted client side caching.',
      'TRACKINGINFO',
      '    Report tracking status for the current connection.',
      'NO-EVICT (ON|OFF)',
      '    Protect current client connection from eviction.',
    ]);
    expect(help).toHaveLength(48);
    const [info1] = await t.call('COMMAND', 'INFO', 'client|tracking', 'client|caching', 'client|trackinginfo');
    expect(info1.slice(0, 3)).toEqual(['client|tracking', -3, ['noscript', 'loading', 'stale']]);
  });
});

// ---- Hoard only: what only the server's own state can show ----------------------------------

describe('CLIENT TRACKING (Hoard internals)', () => {
  let backend: Backend;
  const t = {
    get backend() {
      return backend;
    },
    call: (...args: Arg[]) => backend.conn.call(...args),
  } as unknown as SuiteContext;
  beforeAll(async () => {
    backend = await inProcess();
  });
  afterAll(async () => {
    await backend.close();
  });

  it('a closed client gets nothing more, and leaves no prefix and no client entry behind', async () => {
    const server = backend.server!;
    const a = await conn(t);
    const b = await conn(t);
    await a.ok('CLIENT', 'TRACKING', 'on');
    await b.ok('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'k');
    await a.cmd('GET', 'k');
    const ca = a.local!.client;
    const cb = b.local!.client;
    a.close();
    b.close();
    expect(server.tracking.clients).toBe(0);
    expect(server.tracking.totalPrefixes).toBe(0);
    expect(server.tracking.totalKeys).toBe(1);
    await t.call('SET', 'k', '1');
    await t.call('FLUSHALL');
    await sleep(10);
    expect(ca.reply.length).toBe(0);
    expect(cb.reply.length).toBe(0);
    expect(server.tracking.totalKeys).toBe(0);
    expect(server.tracking.broadcastPending).toBe(false);
  });
});

commandSuite('CLIENT TRACKING (where Hoard differs)', (t) => {
  it('Redis 7.0 answers a colliding prefix after the first with an error and +OK: Hoard with the error only', async () => {
    const a = await conn(t, false);
    a.send('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a', 'PREFIX', 'ab');
    expect(await a.next()).toEqual({ error: "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap." });
    if (t.backend.name === 'redis') {
      // The extra reply, and tracking is on with all three prefixes.
      expect(await a.next()).toBe('OK');
      expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['on', 'bcast'], 'redirect', 0, 'prefixes', ['a', 'ab', 'b']]);
    } else {
      expect(await a.cmd('CLIENT', 'TRACKINGINFO')).toEqual(['flags', ['off'], 'redirect', -1, 'prefixes', []]);
    }
  });
});
