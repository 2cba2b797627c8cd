// hoard-proxy (src/cluster/proxy.ts) in front of a real cluster, as a process, used by clients
// that do not speak cluster: ioredis in plain mode, redis-cli without -c, redis-benchmark. The
// cluster is made of redis-server nodes created with `redis-cli --cluster create` (and resharded
// with `redis-cli --cluster reshard` while traffic goes through the proxy): the oracle for where
// a key lives is ioredis in Cluster mode talking to the nodes directly.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { keyHashSlot } from '../../src/cluster/slots.js';
import { redisServerAvailable } from '../helpers/backends.js';
import { ROOT, ensureBuilt, freePort, runProgram, spawnServer, startServer, tempDir, waitForPort, type ServerProc, type SpawnedServer } from '../helpers/proc.js';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const PROXY_JS = path.join(ROOT, 'dist/src/cluster/proxy-main.js');

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!redisServerAvailable())('hoard-proxy in front of a redis-server cluster', () => {
  const nodes: SpawnedServer[] = [];
  let proxy: ChildProcess;
  let proxyPort = 0;
  let proxyOut = '';
  const clients: Array<Redis | Cluster> = [];
  const plain = (): Redis => {
    const r = new Redis({ port: proxyPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    clients.push(r);
    return r;
  };
  let oracle: Cluster;

  beforeAll(async () => {
    ensureBuilt();
    for (let i = 0; i < 3; i++) nodes.push(await spawnServer('redis', ['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000']));
    const created = await runProgram('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], '', 30_000);
    expect(created.stdout).toContain('All 16384 slots covered');
    for (const n of nodes) {
      const r = new Redis({ port: n.port, host: '127.0.0.1' });
      await until('the cluster to be ok', async () => (await r.call('CLUSTER', 'INFO') as string).includes('cluster_state:ok'));
      r.disconnect();
    }
    proxyPort = await freePort();
    proxy = spawn(process.execPath, [PROXY_JS, '--port', String(proxyPort), `127.0.0.1:${nodes[0].port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout?.on('data', (d: Buffer) => (proxyOut += d.toString()));
    proxy.stderr?.on('data', (d: Buffer) => (proxyOut += d.toString()));
    await waitForPort(proxyPort, { child: proxy, what: 'hoard-proxy' });
    oracle = new Cluster([{ host: '127.0.0.1', port: nodes[0].port }]);
    clients.push(oracle);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    if (proxy !== undefined && proxy.exitCode === null) {
      const gone = new Promise((r) => proxy.once('exit', r));
      proxy.kill('SIGTERM');
      await gone;
    }
    for (const n of nodes) await n.stop();
  });

  it('computes hash slots as the nodes do (hash tags, binary keys)', async () => {
    const d = new Redis({ port: nodes[0].port, host: '127.0.0.1' });
    clients.push(d);
    const keys = ['foo', '{user1000}.following', '{user1000}.followers', 'a{}b', '{}x', 'x{y}z{w}', '{', '}{x}', '', 'key:\xff\x00\x80'];
    for (let i = 0; i < 200; i++) keys.push(String.fromCharCode(...Array.from({ length: 1 + (i % 23) }, (_, j) => (i * 31 + j * 7) % 256)));
    for (const k of keys) expect(keyHashSlot(k), JSON.stringify(k)).toBe(await d.call('CLUSTER', 'KEYSLOT', Buffer.from(k, 'latin1')));
  });

  it('routes single-key commands to the owning node: every key is where a cluster client finds it', async () => {
    const r = plain();
    const p = r.pipeline();
    for (let i = 0; i < 3000; i++) p.set(`k:${i}`, `v${i}`);
    const res = await p.exec();
    expect(res!.every(([e, v]) => e === null && v === 'OK')).toBe(true);
    for (let i = 0; i < 3000; i += 97) expect(await oracle.get(`k:${i}`)).toBe(`v${i}`);
    // Keys spread over all three primaries (so routing really happened), and DBSIZE sums them.
    const sizes = await Promise.all(nodes.map(async (n) => {
      const d = new Redis({ port: n.port, host: '127.0.0.1' });
      const s = await d.dbsize();
      d.disconnect();
      return s;
    }));
    expect(sizes.every((s) => s > 500)).toBe(true);
    expect(await r.dbsize()).toBe(sizes.reduce((a, b) => a + b, 0));
    // Replies keep the order of a pipeline that crosses every node.
    const q = r.pipeline();
    for (let i = 0; i < 500; i++) q.incr(`ctr:${i % 37}`);
    const got = (await q.exec())!.map(([, v]) => v as number);
    const seen = new Map<number, number>();
    got.forEach((v, i) => {
      const k = i % 37;
      seen.set(k, (seen.get(k) ?? 0) + 1);
      expect(v).toBe(seen.get(k));
    });
  });

  it('splits MGET, MSET, DEL, EXISTS across slots; refuses other cross-slot commands as a node would', async () => {
    const r = plain();
    expect(await r.mset('a', '1', 'b', '2', 'c', '3', '{t}x', '4', '{t}y', '5')).toBe('OK');
    expect(await r.mget('c', 'nope', 'a', '{t}y', 'b')).toEqual(['3', null, '1', '5', '2']);
    expect(await r.exists('a', 'b', 'nope', 'c')).toBe(3);
    expect(await r.del('a', 'nope', 'b')).toBe(2);
    expect(await oracle.get('a')).toBeNull();
    expect(await oracle.get('c')).toBe('3');
    await expect(r.sunionstore('dst', 'a', 'b')).rejects.toThrow("CROSSSLOT Keys in request don't hash to the same slot");
    // The same command within one {hash tag} is fine.
    await r.sadd('{t}s1', 'x', 'y');
    await r.sadd('{t}s2', 'y', 'z');
    expect(await r.sunionstore('{t}dst', '{t}s1', '{t}s2')).toBe(3);
  });

  it('runs MULTI/EXEC on the slot of its keys, and aborts it when a command names another slot', async () => {
    const r = plain();
    const ok = await r.multi().set('{acct}a', '10').incrby('{acct}a', 5).get('{acct}a').exec();
    expect(ok!.map(([, v]) => v)).toEqual(['OK', 15, '15']);
    expect(await oracle.get('{acct}a')).toBe('15');
    const bad = r.multi().set('{acct}a', '0').set('elsewhere', '1');
    await expect(bad.exec()).rejects.toThrow(/EXECABORT/);
    expect(await oracle.get('{acct}a')).toBe('15');
    expect(await oracle.get('elsewhere')).toBeNull();
  });

  it('sends FUNCTION LOAD/DELETE to every primary, so FCALL finds the library wherever its keys live', async () => {
    const r = plain();
    const lib = "#!lua name=proxied\nredis.register_function('px_incr', function(keys) return redis.call('incr', keys[1]) end)";
    expect(await r.call('function', 'load', lib)).toBe('proxied');
    for (const n of nodes) {
      const d = new Redis({ port: n.port, host: '127.0.0.1' });
      clients.push(d);
      expect(((await d.call('function', 'list')) as unknown[][]).map((l) => l[1])).toEqual(['proxied']);
    }
    // Keys of the three nodes' slots (slot 0, the middle, the end).
    for (const k of ['{06S}k', '{a}k', '{zzz}k']) expect(await r.call('fcall', 'px_incr', '1', k)).toBe(1);
    await expect(r.call('function', 'load', lib)).rejects.toThrow("ERR Library 'proxied' already exists");
    expect(await r.call('function', 'delete', 'proxied')).toBe('OK');
    await expect(r.call('fcall', 'px_incr', '1', '{a}k')).rejects.toThrow('ERR Function not found');
  });

  it('serves a blocking pop on its own connection: other clients are not held behind it', async () => {
    const a = plain();
    const b = plain();
    const popped = a.blpop('queue', 5);
    await new Promise((res) => setTimeout(res, 200));
    expect(await b.ping()).toBe('PONG');
    expect(await b.set('unrelated', 'x')).toBe('OK');
    await b.rpush('queue', 'job-1');
    expect(await popped).toEqual(['queue', 'job-1']);
  });

  it('keeps every write while slots move under it (MOVED and ASK followed), redis-cli and redis-benchmark included', async () => {
    const r = plain();
    const ids = await Promise.all(nodes.map(async (n) => {
      const d = new Redis({ port: n.port, host: '127.0.0.1' });
      const id = (await d.call('CLUSTER', 'MYID')) as string;
      d.disconnect();
      return id;
    }));
    let writing = true;
    let written = 0;
    let errors = 0;
    const writer = (async () => {
      while (writing) {
        const p = r.pipeline();
        for (let j = 0; j < 50; j++) p.set(`w:${written + j}`, String(written + j));
        const res = await p.exec();
        errors += res!.filter(([e]) => e !== null).length;
        written += 50;
      }
    })();
    const moved = await runProgram('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${nodes[0].port}`, '--cluster-from', ids[0], '--cluster-to', ids[1], '--cluster-slots', '1500', '--cluster-yes'], '', 120_000);
    writing = false;
    await writer;
    expect(moved.code).toBe(0);
    expect(errors).toBe(0);
    expect(written).toBeGreaterThan(0);
    const p = r.pipeline();
    for (let i = 0; i < written; i++) p.get(`w:${i}`);
    const back = (await p.exec())!;
    expect(back.every(([e, v], i) => e === null && v === String(i))).toBe(true);
    expect(proxyOut).not.toContain('"level":50');
    // The proxy did meet the move: it followed redirections and read the map again.
    const last = proxyOut.trim().split('\n').filter((l) => l.includes('slot map read')).map((l) => JSON.parse(l) as { moved: number; ask: number; refreshes: number }).pop()!;
    expect(last.refreshes).toBeGreaterThan(1);
    expect(last.moved + last.ask).toBeGreaterThan(0);
    // Clients with no cluster support at all.
    const set = await runProgram('redis-cli', ['-p', String(proxyPort), 'SET', 'via-cli', 'yes']);
    expect(set.stdout.trim()).toBe('OK');
    expect(await oracle.get('via-cli')).toBe('yes');
    const bench = await runProgram('redis-benchmark', ['-p', String(proxyPort), '-n', '20000', '-c', '20', '-P', '8', '-r', '10000', '-t', 'set,get', '--csv'], '', 60_000);
    expect(bench.code).toBe(0);
    expect(bench.stdout).toMatch(/"SET","\d+/);
    expect(bench.stdout).toMatch(/"GET","\d+/);
    expect(bench.stderr).not.toMatch(/error/i);
  }, 150_000);

  it('answers what it does not serve with a clear error, and survives garbage', async () => {
    const r = plain();
    await expect(r.subscribe('ch')).rejects.toThrow(/not supported by hoard-proxy/);
    const r2 = plain();
    await expect(r2.call('SELECT', '1')).rejects.toThrow('ERR SELECT is not allowed in cluster mode');
    await expect(r2.call('NOSUCHCMD', 'x')).rejects.toThrow(/unknown command/);
    await expect(r2.call('GET')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
    // A malformed frame: Redis's protocol error, then the connection closes; others go on.
    const answer = await new Promise<string>((resolve) => {
      const s = net.connect(proxyPort, '127.0.0.1', () => s.write(Buffer.from('*1\r\n$-5\r\n\x00\xff\r\n', 'latin1')));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
    });
    expect(answer).toMatch(/^-ERR Protocol error: /);
    expect(await r2.ping()).toBe('PONG');
    expect(proxy.exitCode).toBeNull();
  });
});

describe('hoard-proxy in front of Hoard cluster nodes', () => {
  const procs: ServerProc[] = [];
  const dirs: string[] = [];
  const clients: Redis[] = [];
  let proxy: ChildProcess | undefined;

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    if (proxy !== undefined && proxy.exitCode === null) {
      const gone = new Promise((r) => proxy!.once('exit', r));
      proxy.kill('SIGTERM');
      await gone;
    }
    for (const p of procs) await p.kill();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  async function node(): Promise<ServerProc> {
    const d = tempDir('hoard-proxy-node-');
    dirs.push(d);
    const p = await startServer(d, ['--cluster-enabled', 'yes', '--appendonly', 'no']);
    procs.push(p);
    return p;
  }

  it('keeps serving a plain client while hoard-cluster add-node moves slots and keys to a new node', async () => {
    ensureBuilt();
    const nodes = [await node(), await node(), await node()];
    const tool = path.join(ROOT, 'dist/tools/cluster.js');
    const created = await runProgram(process.execPath, [tool, 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`)], '', 60_000);
    expect(created.code, created.stderr).toBe(0);
    const port = await freePort();
    const child = spawn(process.execPath, [PROXY_JS, '--port', String(port), `127.0.0.1:${nodes[1].port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy = child;
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await waitForPort(port, { child, what: 'hoard-proxy' });
    const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    clients.push(r);
    const p = r.pipeline();
    for (let i = 0; i < 5000; i++) p.set(`old:${i}`, String(i));
    await p.exec();
    const fourth = await node();
    let writing = true;
    let n = 0;
    let errors = 0;
    const writer = (async () => {
      while (writing) {
        const q = r.pipeline();
        for (let j = 0; j < 20; j++) q.set(`new:${n + j}`, String(n + j)).incr(`old:${(n + j) % 5000}`);
        errors += (await q.exec())!.filter(([e]) => e !== null).length;
        n += 20;
      }
    })();
    const added = await runProgram(process.execPath, [tool, 'add-node', `127.0.0.1:${fourth.port}`, `127.0.0.1:${nodes[0].port}`], '', 120_000);
    writing = false;
    await writer;
    expect(added.code, added.stderr).toBe(0);
    expect(errors).toBe(0);
    // Every key through the proxy, with its last value; and the four nodes hold them all.
    const incrs = new Map<number, number>();
    for (let k = 0; k < n; k++) incrs.set(k % 5000, (incrs.get(k % 5000) ?? 0) + 1);
    const q = r.pipeline();
    for (let i = 0; i < 5000; i++) q.get(`old:${i}`);
    for (let i = 0; i < n; i++) q.get(`new:${i}`);
    const back = (await q.exec())!.map(([e, v]) => (e === null ? v : `error: ${e.message}`));
    for (let i = 0; i < 5000; i++) expect(back[i]).toBe(String(i + (incrs.get(i) ?? 0)));
    for (let i = 0; i < n; i++) expect(back[5000 + i]).toBe(String(i));
    let total = 0;
    for (const x of [...nodes, fourth]) {
      const c = x.client();
      total += await c.dbsize();
      c.disconnect();
    }
    expect(await r.dbsize()).toBe(total);
    expect(total).toBe(5000 + n);
    const last = out.trim().split('\n').filter((l) => l.includes('slot map read')).map((l) => JSON.parse(l) as { moved: number; ask: number; primaries: number }).pop()!;
    expect(last.primaries).toBe(4);
    expect(last.moved + last.ask).toBeGreaterThan(0);
  }, 150_000);
});
