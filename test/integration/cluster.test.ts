// Cluster mode end to end, with real processes and real clients: three Hoard nodes
// (--cluster-enabled yes) joined by hoard-cluster create; ioredis Cluster and redis-cli -c
// routing themselves by MOVED/ASK; CROSSSLOT; the CLUSTER replies' shapes against a real
// redis-server cluster node; a node killed (SIGKILL) and restarted keeping its id, map and keys;
// and hoard-cluster add-node of a fourth node while an ioredis Cluster client keeps writing.
// One cluster for the whole file (the steps build on each other, in order).

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { ROOT, ensureBuilt, runProgram, spawnServer, startServer, tempDir, type ServerProc, type SpawnedServer } from '../helpers/proc.js';
import { keyHashSlot } from '../../src/cluster/slots.js';
import { moveKeys, open as openNode } from '../../tools/lib/cluster-admin.js';

const TOOL = path.join(ROOT, 'dist/tools/cluster.js');
const N_KEYS = 20_000;
const NODE_ARGS = ['--cluster-enabled', 'yes', '--appendonly', 'yes', '--appendfsync', 'always'];

const nodes: ServerProc[] = [];
const dirs: string[] = [];
const plain: Redis[] = [];
let cluster: Cluster | null = null;

function conn(port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: false });
  r.on('error', () => {});
  plain.push(r);
  return r;
}

function clusterClient(port: number): Cluster {
  const c = new Cluster([{ host: '127.0.0.1', port }], { redisOptions: { maxRetriesPerRequest: 3 }, slotsRefreshTimeout: 5000 });
  c.on('error', () => {});
  return c;
}

async function tool(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runProgram(process.execPath, [TOOL, ...args], '', 90_000);
}

/** slot -> owner port, from one node's CLUSTER SLOTS. */
async function slotOwners(port: number): Promise<number[]> {
  const owners = new Array<number>(16384).fill(0);
  const slots = (await conn(port).call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, string]]>;
  for (const [a, b, [, p]] of slots) for (let s = a; s <= b; s++) owners[s] = p;
  return owners;
}

async function startNode(dir?: string, port?: number): Promise<ServerProc> {
  const d = dir ?? tempDir('hoard-cluster-');
  if (dir === undefined) dirs.push(d);
  const p = await startServer(d, NODE_ARGS, port === undefined ? {} : { port });
  return p;
}

beforeAll(async () => {
  ensureBuilt();
  for (let i = 0; i < 3; i++) nodes.push(await startNode());
}, 60_000);

afterAll(async () => {
  cluster?.disconnect();
  for (const r of plain.splice(0)) r.disconnect();
  for (const n of nodes.splice(0)) await n.kill();
});

describe('cluster mode', () => {
  it('a fresh node: CLUSTERDOWN until slots are served, db 0 only, INFO says cluster_enabled:1', async () => {
    const r = conn(nodes[0].port);
    expect(await r.call('CLUSTER', 'KEYSLOT', 'foo')).toBe(12182);
    await expect(r.get('x')).rejects.toThrow('CLUSTERDOWN Hash slot not served');
    await expect(r.select(1)).rejects.toThrow('ERR SELECT is not allowed in cluster mode');
    expect(await r.select(0)).toBe('OK');
    await expect(r.swapdb(0, 1)).rejects.toThrow('ERR SWAPDB is not allowed in cluster mode');
    await expect(r.replicaof('127.0.0.1', 1)).rejects.toThrow('ERR REPLICAOF not allowed in cluster mode.');
    expect(await r.info('cluster')).toContain('cluster_enabled:1');
    expect(String(await r.call('CLUSTER', 'INFO'))).toContain('cluster_state:fail');
    expect(await r.call('CLUSTER', 'MYID')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('hoard-cluster create joins 3 nodes and places every slot; check agrees', async () => {
    const res = await tool('create', ...nodes.map((n) => `127.0.0.1:${n.port}`));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('[OK] All 16384 slots covered.');
    const chk = await tool('check', `127.0.0.1:${nodes[1].port}`);
    expect(chk.code).toBe(0);
    // redis-cli's own cluster checker reads Hoard's CLUSTER NODES / INFO as a Redis cluster's.
    const rc = await runProgram('redis-cli', ['--cluster', 'check', `127.0.0.1:${nodes[0].port}`]);
    expect(rc.code).toBe(0);
    expect(rc.stdout).toContain('[OK] All nodes agree about slots configuration.');
    expect(rc.stdout).toContain('[OK] All 16384 slots covered.');
    expect(rc.stdout).not.toContain('[ERR]');
    const ids = await Promise.all(nodes.map((n) => conn(n.port).call('CLUSTER', 'MYID')));
    for (const n of nodes) {
      const info = String(await conn(n.port).call('CLUSTER', 'INFO'));
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_known_nodes:3');
      expect(info).toContain('cluster_size:3');
      // Distinct config epochs 1..3, as redis-cli --cluster create sets them.
      expect(info).toContain('cluster_current_epoch:3');
      const text = String(await conn(n.port).call('CLUSTER', 'NODES'));
      for (const id of ids) expect(text).toContain(String(id));
    }
    // Every node holds a fair share (the ring: about a third each).
    const owners = await slotOwners(nodes[0].port);
    for (const n of nodes) {
      const share = owners.filter((p) => p === n.port).length / 16384;
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.47);
    }
    // A second create on nodes that are no longer empty is refused (exit 1).
    const again = await tool('create', ...nodes.map((n) => `127.0.0.1:${n.port}`));
    expect(again.code).toBe(1);
    expect((await tool('bogus')).code).toBe(2);
  });

  it('ioredis Cluster writes 20,000 keys and reads them all back; each node holds its share', async () => {
    cluster = clusterClient(nodes[0].port);
    for (let i = 0; i < N_KEYS; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => cluster!.set(`key:${i + j}`, `v0:${i + j}`)));
    }
    for (let i = 0; i < N_KEYS; i += 1000) {
      const vals = await Promise.all(Array.from({ length: 1000 }, (_, j) => cluster!.get(`key:${i + j}`)));
      expect(vals).toEqual(Array.from({ length: 1000 }, (_, j) => `v0:${i + j}`));
    }
    const sizes = await Promise.all(nodes.map((n) => conn(n.port).dbsize()));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N_KEYS);
    for (const s of sizes) expect(s).toBeGreaterThan(N_KEYS * 0.2);
    // The per-slot index agrees with the keyspace.
    const owners = await slotOwners(nodes[0].port);
    const r = conn(nodes[0].port);
    let counted = 0;
    const sample: number[] = [];
    for (let s = 0; s < 16384; s++) if (owners[s] === nodes[0].port) sample.push(s);
    const counts = (await Promise.all(sample.map((s) => r.call('CLUSTER', 'COUNTKEYSINSLOT', String(s))))) as number[];
    for (const c of counts) counted += c;
    expect(counted).toBe(sizes[0]);
    const withKeys = sample[counts.findIndex((c) => c > 0)];
    const keys = (await r.call('CLUSTER', 'GETKEYSINSLOT', String(withKeys), '1000')) as string[];
    expect(keys.length).toBe(counts[sample.indexOf(withKeys)]);
    for (const k of keys) expect(keyHashSlot(k)).toBe(withKeys);
  });

  it('MOVED for a slot served elsewhere; redis-cli -c follows it', async () => {
    const owners = await slotOwners(nodes[0].port);
    let key = '';
    for (let i = 0; key === ''; i++) if (owners[keyHashSlot(`moved:${i}`)] !== nodes[0].port) key = `moved:${i}`;
    const slot = keyHashSlot(key);
    await expect(conn(nodes[0].port).get(key)).rejects.toThrow(`MOVED ${slot} 127.0.0.1:${owners[slot]}`);
    const set = await runProgram('redis-cli', ['-c', '-p', String(nodes[0].port), 'SET', key, 'through-moved']);
    expect(set.stdout.trim()).toBe('OK');
    const get = await runProgram('redis-cli', ['-c', '-p', String(nodes[0].port), 'GET', key]);
    expect(get.stdout.trim()).toBe('through-moved');
    expect(await conn(owners[slot]).get(key)).toBe('through-moved');
    await conn(owners[slot]).del(key);
  });

  it('CROSSSLOT for keys of different slots (MSET, and EXEC over what it queued); a {tag} keeps them together', async () => {
    const owners = await slotOwners(nodes[0].port);
    const port = owners[keyHashSlot('a')];
    const r = conn(port);
    await expect(r.mset('a', '1', 'b', '2')).rejects.toThrow("CROSSSLOT Keys in request don't hash to the same slot");
    await expect(r.move('a', 1)).rejects.toThrow('ERR MOVE is not allowed in cluster mode');
    await expect(r.call('COPY', 'a', '{a}x', 'DB', '1')).rejects.toThrow('ERR Copying to another database is not allowed in cluster mode');
    const tagPort = owners[keyHashSlot('{user1000}.following')];
    expect(await conn(tagPort).mset('{user1000}.following', '1', '{user1000}.followers', '2')).toBe('OK');
    expect(await cluster!.mget('{user1000}.following', '{user1000}.followers')).toEqual(['1', '2']);
    // Two keys of different slots, both served by `port`: each SET alone is fine, EXEC is not.
    let other = '';
    for (let i = 0; other === ''; i++) {
      const k = `x:${i}`;
      if (owners[keyHashSlot(k)] === port && keyHashSlot(k) !== keyHashSlot('a')) other = k;
    }
    const m = r.multi();
    m.set('a', 'A');
    m.set(other, 'B');
    await expect(m.exec()).rejects.toThrow('CROSSSLOT');
    expect(await r.exists('a')).toBe(0);
    expect(await r.exists(other)).toBe(0);
    // EXEC answered the redirection itself and left MULTI: the connection works as usual.
    expect(await r.ping()).toBe('PONG');
    await cluster!.del('{user1000}.following', '{user1000}.followers');
  });

  it('CLUSTER SLOTS/SHARDS/NODES/INFO have the shapes a redis-server 7.0 cluster node gives', async () => {
    const shape = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(shape) : typeof v === 'number' ? 'int' : v === null ? 'null' : typeof v === 'string' ? 'str' : typeof v;
    const redis: SpawnedServer = await spawnServer('redis', ['--cluster-enabled', 'yes']);
    const hoard = await startNode();
    try {
      const rr = conn(redis.port);
      const hr = conn(hoard.port);
      for (const r of [rr, hr]) expect(await r.call('CLUSTER', 'ADDSLOTSRANGE', '0', '100', '200', '300')).toBe('OK');
      const [rSlots, hSlots] = await Promise.all([rr.call('CLUSTER', 'SLOTS'), hr.call('CLUSTER', 'SLOTS')]);
      expect(shape(hSlots)).toEqual(shape(rSlots));
      const [rShards, hShards] = await Promise.all([rr.call('CLUSTER', 'SHARDS'), hr.call('CLUSTER', 'SHARDS')]);
      expect(shape(hShards)).toEqual(shape(rShards));
      // The field names too, not only the types.
      const names = (sh: unknown): unknown => (sh as unknown[][]).map((s) => [s[0], s[2], (s[3] as unknown[][]).map((n) => n.filter((_, i) => i % 2 === 0))]);
      expect(names(hShards)).toEqual(names(rShards));
      const infoNames = (t: unknown): string[] => String(t).split('\r\n').filter((l) => l !== '').map((l) => l.split(':')[0]);
      expect(infoNames(await hr.call('CLUSTER', 'INFO'))).toEqual(infoNames(await rr.call('CLUSTER', 'INFO')));
      const nodeLine = /^[0-9a-f]{40} [0-9.]*:\d+@\d+ myself,master - 0 \d+ \d+ connected 0-100 200-300$/;
      expect(String(await rr.call('CLUSTER', 'NODES')).trim()).toMatch(nodeLine);
      expect(String(await hr.call('CLUSTER', 'NODES')).trim()).toMatch(nodeLine);
      // The same error texts for the same mistakes.
      const err = async (r: Redis, ...a: string[]): Promise<string> => r.call('CLUSTER', ...a).then((x) => `ok ${String(x)}`, (e: Error) => e.message);
      for (const args of [
        ['ADDSLOTS', '100'],
        ['ADDSLOTS', '16384'],
        ['DELSLOTS', '150'],
        ['ADDSLOTSRANGE', '10', '5'],
        ['SETSLOT', '5', 'MIGRATING', 'nosuchnode'],
        ['SETSLOT', '400', 'IMPORTING', 'nosuchnode'],
        ['SETSLOT', '5', 'NODE', 'nosuchnode'],
        ['SETSLOT', '5', 'FOO'],
        ['FORGET', 'nosuchnode'],
        ['COUNTKEYSINSLOT', '20000'],
        ['GETKEYSINSLOT', '5', '-1'],
        ['MEET', '127.0.0.1', 'x'],
        ['KEYSLOT', '{user1000}.followers'],
      ]) {
        expect(await err(hr, ...args)).toBe(await err(rr, ...args));
      }
      await expect(hr.get('foo')).rejects.toThrow('CLUSTERDOWN Hash slot not served');
      await expect(hr.get('somekey:5')).rejects.toThrow(/CLUSTERDOWN/);
      expect(await hr.set('{a}', '1').catch((e: Error) => e.message)).toBe(await rr.set('{a}', '1').catch((e: Error) => e.message));
    } finally {
      await redis.stop();
      await hoard.kill();
    }
  }, 30_000);

  it('an open slot: ASK for missing keys on the MIGRATING side, served after ASKING (once) on the IMPORTING side, TRYAGAIN for a partial multi-key request', async () => {
    const owners = await slotOwners(nodes[0].port);
    const a = nodes.find((n) => n.port === owners[keyHashSlot('{mig}')])!;
    const b = nodes.find((n) => n !== a)!;
    const slot = keyHashSlot('{mig}');
    const ra = conn(a.port);
    const rb = conn(b.port);
    const [ida, idb] = [String(await ra.call('CLUSTER', 'MYID')), String(await rb.call('CLUSTER', 'MYID'))];
    await ra.set('{mig}here', 'h');
    expect(await rb.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', ida)).toBe('OK');
    expect(await ra.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', idb)).toBe('OK');
    try {
      expect(String(await ra.call('CLUSTER', 'NODES'))).toContain(`[${slot}->-${idb}]`);
      expect(String(await rb.call('CLUSTER', 'NODES'))).toContain(`[${slot}-<-${ida}]`);
      expect(await ra.get('{mig}here')).toBe('h');
      await expect(ra.get('{mig}gone')).rejects.toThrow(`ASK ${slot} 127.0.0.1:${b.port}`);
      await expect(ra.mget('{mig}here', '{mig}gone')).rejects.toThrow('TRYAGAIN Multiple keys request during rehashing of slot');
      await expect(rb.get('{mig}gone')).rejects.toThrow(`MOVED ${slot} 127.0.0.1:${a.port}`);
      expect(await rb.asking()).toBe('OK');
      expect(await rb.set('{mig}gone', 'new')).toBe('OK');
      await expect(rb.get('{mig}gone')).rejects.toThrow(`MOVED ${slot}`); // ASKING lasted one command
      // The source refuses to give the slot away while it still holds keys of it.
      await expect(ra.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', idb)).rejects.toThrow(
        `ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`,
      );
    } finally {
      // Clean up while B still imports the slot (after STABLE it would answer MOVED).
      await rb.asking();
      await rb.del('{mig}gone');
      await ra.del('{mig}here');
      expect(await ra.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE')).toBe('OK');
      expect(await rb.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE')).toBe('OK');
    }
    expect(await rb.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe(0);
    expect(await ra.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe(0);
    await expect(rb.get('{mig}gone')).rejects.toThrow(`MOVED ${slot}`);
    expect(String(await ra.call('CLUSTER', 'NODES'))).not.toContain('[');
  });

  it("hoard-cluster's key move (MIGRATE on the source): a key deleted before it does not come back, a key written through ASK is not overwritten, REPLACE settles a key left on both", async () => {
    const owners = await slotOwners(nodes[0].port);
    let tag = '';
    let slot = -1;
    for (let i = 0; slot < 0; i++) {
      const s = keyHashSlot(`{mv${i}}`);
      if ((await conn(owners[s]).call('CLUSTER', 'COUNTKEYSINSLOT', String(s))) === 0) [tag, slot] = [`{mv${i}}`, s];
    }
    const a = nodes.find((n) => n.port === owners[slot])!;
    const b = nodes.find((n) => n !== a)!;
    const ra = conn(a.port);
    const rb = conn(b.port);
    const src = await openNode({ host: '127.0.0.1', port: a.port });
    const dst = await openNode({ host: '127.0.0.1', port: b.port });
    try {
      const [ka, kb, kc, kd] = ['a', 'b', 'c', 'd'].map((x) => `${tag}${x}`);
      await ra.mset(ka, '1', kb, '2', kc, '3', kd, '4');
      await ra.expire(kc, 1000);
      await rb.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', src.id);
      await ra.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', dst.id);
      // A client deletes kb after GETKEYSINSLOT listed it: the move skips it.
      expect(await ra.del(kb)).toBe(1);
      // A stale copy of ka on the target (an earlier round that failed after its RESTORE).
      await rb.asking();
      expect(await rb.set(ka, 'stale')).toBe('OK');
      expect(await moveKeys(src, dst, [ka, kb, kc])).toBe(true);
      expect(await ra.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '100')).toEqual([kd]);
      await rb.asking();
      expect(await rb.get(ka)).toBe('1'); // the source's value won
      await rb.asking();
      expect(await rb.exists(kb)).toBe(0);
      await rb.asking();
      const ttl = await rb.ttl(kc);
      expect(ttl).toBeGreaterThan(990);
      expect(ttl).toBeLessThanOrEqual(1000);
      // kd is deleted on the source and written anew on the target through ASK: a move of it
      // finds nothing to move and leaves the new value alone.
      expect(await ra.del(kd)).toBe(1);
      await expect(ra.get(kd)).rejects.toThrow(`ASK ${slot} 127.0.0.1:${b.port}`);
      await rb.asking();
      expect(await rb.set(kd, 'fresh')).toBe('OK');
      expect(await moveKeys(src, dst, [kd])).toBe(true);
      expect(await ra.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).toBe(0);
      const onB = (await rb.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '100')) as string[];
      expect(onB.sort()).toEqual([ka, kc, kd].sort());
      await rb.asking();
      expect(await rb.get(kd)).toBe('fresh');
      // Finish the move as add-node does, then clean up through the cluster.
      for (const r of [rb, ra, ...nodes.filter((n) => n !== a && n !== b).map((n) => conn(n.port))]) {
        expect(await r.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', dst.id)).toBe('OK');
      }
      expect(await cluster!.del(ka, kc, kd)).toBe(3);
      expect((await tool('check', `127.0.0.1:${a.port}`)).code).toBe(0);
    } finally {
      src.close();
      dst.close();
    }
  });

  it('a client blocked on a key whose slot leaves the node gets MOVED instead of waiting forever', async () => {
    const owners = await slotOwners(nodes[0].port);
    // A slot without keys (a node refuses to give away a slot it holds keys of).
    let tag = '';
    let slot = -1;
    for (let i = 0; slot < 0; i++) {
      const s = keyHashSlot(`{blk${i}}`);
      if ((await conn(owners[s]).call('CLUSTER', 'COUNTKEYSINSLOT', String(s))) === 0) [tag, slot] = [`{blk${i}}`, s];
    }
    const a = nodes.find((n) => n.port === owners[slot])!;
    const b = nodes.find((n) => n !== a)!;
    const ra = conn(a.port);
    const blocked = conn(a.port);
    const [ida, idb] = [String(await ra.call('CLUSTER', 'MYID')), String(await conn(b.port).call('CLUSTER', 'MYID'))];
    const waiting = blocked.blpop(`${tag}list`, 0).then(
      () => 'served',
      (e: Error) => e.message,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(await ra.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', idb)).toBe('OK');
    expect(await waiting).toBe(`MOVED ${slot} 127.0.0.1:${b.port}`);
    expect(await ra.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', ida)).toBe('OK');
    expect((await tool('check', `127.0.0.1:${a.port}`)).code).toBe(0);
  });

  it('hoard-cluster: --help, and exit 2 on bad usage or an unreachable node', async () => {
    const help = await tool('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: hoard-cluster create');
    expect((await tool('add-node', '127.0.0.1:1')).code).toBe(2);
    expect((await tool('check', 'nonsense')).code).toBe(2);
    const down = await tool('check', '127.0.0.1:1');
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot connect to 127.0.0.1:1');
  });

  it('a node killed with SIGKILL and restarted keeps its id, its slot map and its keys', async () => {
    const victim = nodes[1];
    const r = conn(victim.port);
    const id = await r.call('CLUSTER', 'MYID');
    const nodesBefore = String(await r.call('CLUSTER', 'NODES'));
    const keysBefore = await r.dbsize();
    const slotsOf = (text: string): string =>
      text.split('\n').filter((l) => l !== '').map((l) => { const f = l.split(' '); return `${f[0]} ${f[1]} ${f.slice(8).join(' ')}`; }).sort().join('\n');
    await victim.kill('SIGKILL');
    const restarted = await startNode(victim.dir, victim.port);
    nodes[1] = restarted;
    const r2 = conn(restarted.port);
    expect(await r2.call('CLUSTER', 'MYID')).toBe(id);
    expect(slotsOf(String(await r2.call('CLUSTER', 'NODES')))).toBe(slotsOf(nodesBefore));
    expect(await r2.dbsize()).toBe(keysBefore);
    expect(String(await r2.call('CLUSTER', 'INFO'))).toContain('cluster_state:ok');
    // The slot index was rebuilt from the AOF as the keys came back.
    const owners = await slotOwners(restarted.port);
    const mine = owners.map((p, s) => (p === restarted.port ? s : -1)).filter((s) => s >= 0);
    const counts = (await Promise.all(mine.map((s) => r2.call('CLUSTER', 'COUNTKEYSINSLOT', String(s))))) as number[];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(keysBefore);
    expect((await tool('check', `127.0.0.1:${nodes[0].port}`)).code).toBe(0);
  });

  it('add-node moves ~1/4 of the keys, only to the new node, while a client keeps writing; nothing is lost', async () => {
    const fourth = await startNode();
    nodes.push(fourth);
    const fourthId = String(await conn(fourth.port).call('CLUSTER', 'MYID'));
    const before = await slotOwners(nodes[0].port);
    const last = new Map<string, string | null>();
    for (let i = 0; i < N_KEYS; i++) last.set(`key:${i}`, `v0:${i}`);
    // Each old key's owner before the move, by the server's CLUSTER KEYSLOT and the slot map.
    const keySlot = async (ks: string[]): Promise<number[]> => {
      const p = conn(nodes[0].port).pipeline();
      for (const k of ks) p.call('CLUSTER', 'KEYSLOT', k);
      return (await p.exec())!.map(([e, v]) => (e === null ? (v as number) : -1));
    };
    const oldKeys = [...last.keys()];
    const oldSlots = await keySlot(oldKeys);
    const ownerBefore = new Map(oldKeys.map((k, i) => [k, before[oldSlots[i]]]));
    // The writer: new keys, updates and deletes of old ones, one batch at a time (no key twice
    // in a batch); a value (null: deleted) is recorded as the key's last only once acknowledged.
    let stop = false;
    let writes = 0;
    let writeErrors = 0;
    let round = 0;
    const writer = (async () => {
      while (!stop) {
        round++;
        const batch: Array<[string, string | null]> = [];
        for (let j = 0; j < 50; j++) batch.push([`new:${round}:${j}`, `n:${round}:${j}`]);
        const inBatch = new Set<string>();
        for (let j = 0; j < 50; j++) {
          const k = `key:${(round * 397 + j * 131) % N_KEYS}`;
          inBatch.add(k);
          batch.push([k, `u:${round}:${j}`]);
        }
        for (let j = 0; j < 10; j++) {
          const k = `key:${(round * 977 + j * 7919 + 5) % N_KEYS}`;
          if (!inBatch.has(k)) batch.push([k, null]);
        }
        // Paced (about 4k writes/s at most) so the move's duration does not hang on how fast
        // this process can write on a loaded machine.
        await new Promise((r) => setTimeout(r, 25));
        await Promise.all(
          batch.map(([k, v]) =>
            (v === null ? cluster!.del(k) : cluster!.set(k, v)).then(
              () => {
                last.set(k, v);
                writes++;
              },
              () => writeErrors++,
            ),
          ),
        );
      }
    })();
    const t0 = Date.now();
    const res = await tool('add-node', `127.0.0.1:${fourth.port}`, `127.0.0.1:${nodes[0].port}`, '--json');
    const addMs = Date.now() - t0;
    // Keep writing a little after the move, through the new map.
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await writer;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as { slotsMoved: number; keysMoved: number; fraction: number; retries: number; problems: string[] };
    expect(report.problems).toEqual([]);
    expect(writeErrors).toBe(0);
    expect(writes).toBeGreaterThan(0);
    // Every key reads back with its last acknowledged value.
    const keys = [...last.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      const part = keys.slice(i, i + 1000);
      const vals = await Promise.all(part.map((k) => cluster!.get(k)));
      expect(vals).toEqual(part.map((k) => last.get(k)));
    }
    // No key is left twice, and no deleted key came back: the nodes' sizes add up to the live keys.
    const liveKeys = keys.filter((k) => last.get(k) !== null).length;
    expect(liveKeys).toBeLessThan(keys.length);
    const sizes = await Promise.all(nodes.map((n) => conn(n.port).dbsize()));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(liveKeys);
    const share = sizes[3] / liveKeys;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.35);
    // Every slot that changed owner went to the new node, and every node agrees on the map.
    const after = await slotOwners(nodes[2].port);
    let changed = 0;
    for (let s = 0; s < 16384; s++) {
      if (after[s] === before[s]) continue;
      changed++;
      expect(after[s]).toBe(fourth.port);
    }
    expect(changed).toBe(report.slotsMoved);
    // Every old key whose owner changed now lives on the new node, and is found there alone.
    let movedKeys = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      expect(oldSlots[i]).toBe(keyHashSlot(oldKeys[i]));
      const now = after[oldSlots[i]];
      if (now === ownerBefore.get(oldKeys[i])) continue;
      movedKeys++;
      expect(now).toBe(fourth.port);
    }
    expect(movedKeys / oldKeys.length).toBeGreaterThan(0.15);
    expect(movedKeys / oldKeys.length).toBeLessThan(0.35);
    const onFourth = conn(fourth.port);
    const sample = oldKeys.filter((k, i) => after[oldSlots[i]] === fourth.port && last.get(k) !== null).slice(0, 500);
    expect(sample.length).toBeGreaterThan(0);
    expect(await onFourth.exists(...sample.slice(0, 1))).toBe(1);
    for (const k of sample) {
      const owner = ownerBefore.get(k)!;
      await expect(conn(owner).get(k)).rejects.toThrow(/^MOVED /);
    }
    for (const n of nodes) expect(await slotOwners(n.port)).toEqual(after);
    expect(String(await conn(fourth.port).call('CLUSTER', 'NODES'))).toContain(`${fourthId} 127.0.0.1:${fourth.port}@`);
    expect((await tool('check', `127.0.0.1:${fourth.port}`)).code).toBe(0);
    console.log(
      `add-node: ${report.slotsMoved} slots (${(report.fraction * 100).toFixed(1)}%), ${report.keysMoved} keys moved, ${report.retries} retried rounds, ` +
        `${addMs} ms; ${writes} writes during the move; new node holds ${(share * 100).toFixed(1)}% of ${liveKeys} keys`,
    );
  }, 100_000);

  it("del-node moves the leaving node's slots (and only those) to the others, keys and concurrent writes included, then it is forgotten", async () => {
    // The cluster of the test before: four nodes.
    expect(nodes.length).toBe(4);
    const leaving = nodes[3];
    const leavingId = String(await conn(leaving.port).call('CLUSTER', 'MYID'));
    const before = await slotOwners(nodes[0].port);
    const c = clusterClient(nodes[0].port);
    try {
      const keys = Array.from({ length: 3000 }, (_, i) => `del:${i}`);
      // (An ioredis Cluster pipeline must stay in one slot: plain concurrent commands instead.)
      for (let i = 0; i < keys.length; i += 500) await Promise.all(keys.slice(i, i + 500).map((k) => c.set(k, 'v0')));
      expect(keys.filter((k) => before[keyHashSlot(k)] === leaving.port).length).toBeGreaterThan(300);
      // A client keeps writing while the slots move.
      let writing = true;
      let round = 0;
      const writer = (async () => {
        while (writing) {
          round++;
          const r = round;
          await Promise.all(Array.from({ length: 50 }, (_, j) => c.set(keys[(r * 53 + j * 61) % keys.length], `v${r}`)));
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
      const last = new Map<string, string>();
      const res = await tool('del-node', `127.0.0.1:${leaving.port}`, `127.0.0.1:${nodes[0].port}`, '--json');
      writing = false;
      await writer;
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as { slotsMoved: number; keysMoved: number };
      expect(report.slotsMoved).toBe(before.filter((p) => p === leaving.port).length);
      // Only the leaving node's slots changed owner.
      const stay = nodes.slice(0, 3);
      const after = await slotOwners(stay[0].port);
      for (let s = 0; s < 16384; s++) {
        if (before[s] !== leaving.port) expect(after[s]).toBe(before[s]);
        else expect(stay.map((n) => n.port)).toContain(after[s]);
      }
      for (const n of stay) {
        expect(await slotOwners(n.port)).toEqual(after);
        expect(String(await conn(n.port).call('CLUSTER', 'NODES'))).not.toContain(leavingId);
      }
      // Every key is still there, with the last value written (the writer's rounds are in order).
      for (let r = 1; r <= round; r++) for (let j = 0; j < 50; j++) last.set(keys[(r * 53 + j * 61) % keys.length], `v${r}`);
      const got = await Promise.all(keys.map((k) => c.get(k).catch((e: Error) => `error: ${e.message}`)));
      keys.forEach((k, i) => expect(got[i], k).toBe(last.get(k) ?? 'v0'));
      // The node that left is empty and alone.
      const l = conn(leaving.port);
      expect(await l.dbsize()).toBe(0);
      expect(String(await l.call('CLUSTER', 'NODES')).trim().split('\n')).toHaveLength(1);
      expect((await tool('check', `127.0.0.1:${stay[0].port}`)).code).toBe(0);
    } finally {
      c.disconnect();
    }
  }, 100_000);
});
