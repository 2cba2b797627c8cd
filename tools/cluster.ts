#!/usr/bin/env node
// hoard-cluster: the admin tool of a Hoard cluster (cluster-enabled yes nodes). There is no
// cluster bus in v1, so this tool is how the topology changes: it tells every node every change
// (MEET in both directions, every slot's owner, each migration step).
//   create    MEETs every node with every other, places the 16384 slots with the consistent-hash
//             ring (src/cluster/ring.ts) and tells every node every slot's owner.
//   add-node  joins an empty node and moves to it exactly the slots the ring with it gives it
//             (no other slot moves), key by key without a server-side MIGRATE:
//             WATCH k, DUMP k, PTTL k on the source; ASKING + RESTORE k ttl v REPLACE on the
//             target; MULTI, DEL k, EXEC on the source, redone if EXEC aborted (k changed
//             meanwhile). Writes during the move are not lost: a key still on the source is
//             served there (and a change aborts its move, which is redone); a key gone from the
//             source is served by the target through ASK.
//   check     every slot covered, every node agreeing on the map, no slot left open.
// Invariants: a slot changes owner only after the source holds none of its keys (the node
// refuses SETSLOT NODE otherwise); exit codes 0 ok, 1 the cluster is not right (or a node
// refused), 2 bad usage or a node unreachable.

import dns from 'node:dns/promises';
import net from 'node:net';
import { EXIT_OK, EXIT_PROBLEM, formatDuration, intFlag, printJson, runTool, ToolError, usageError, type ToolSpec } from './lib/cli.js';
import { encodeCommand } from './lib/key-format.js';
import { PipelineClient, ReplyError, type Reply } from './lib/resp-client.js';
import { placeSlots } from '../src/cluster/ring.js';
import { CLUSTER_SLOTS } from '../src/cluster/slots.js';

const HELP = `Usage: hoard-cluster create <host:port> <host:port> ...
       hoard-cluster add-node <new-host:port> <existing-host:port>
       hoard-cluster check <host:port>

Manages a cluster of Hoard nodes started with --cluster-enabled yes.

  create     Joins the nodes (each must be empty and know no other node) and
             places the 16384 hash slots on them with the consistent-hash ring.
  add-node   Joins an empty node to the cluster <existing-host:port> belongs to
             and moves to it the slots the ring gives it (about 1/(N+1) of
             them; no other slot moves), with their keys, while clients keep
             reading and writing.
  check      Checks that every slot is served and that every node agrees on
             the slot map.

Options:
  --workers <n>      Slots moved at once by add-node (default 8).
  --timeout <ms>     How long to wait for nodes to learn each other (default 10000).
  --json             Print the result as JSON on stdout.
  -h, --help         Show this help.

Exit status: 0 ok, 1 the cluster is not in order (or a node refused a command),
2 bad usage or a node that cannot be reached.
`;

const spec: ToolSpec = {
  name: 'hoard-cluster',
  help: HELP,
  options: {
    workers: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  },
  minPositionals: 1,
  maxPositionals: 1000,
};

/** Failures the tool explains: a node refused (1) or could not be reached (2). */
function refused(msg: string): ToolError {
  return new ToolError(msg, EXIT_PROBLEM, 'HOARD_CLUSTER_REFUSED');
}

interface Addr {
  host: string;
  port: number;
}

async function parseAddr(s: string): Promise<Addr> {
  const at = s.lastIndexOf(':');
  const port = Number(s.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw usageError(`bad address '${s}' (want host:port)`);
  let host = s.slice(0, at);
  // MEET takes an IP address, as Redis's.
  if (net.isIP(host) === 0) {
    try {
      host = (await dns.lookup(host, { family: 4 })).address;
    } catch (err) {
      throw new ToolError(`cannot resolve ${host}: ${(err as Error).message}`);
    }
  }
  return { host, port };
}

/** A connection to one node, with the calls this tool makes. */
class Node {
  id = '';
  private constructor(
    readonly addr: Addr,
    readonly c: PipelineClient,
  ) {}

  static async connect(addr: Addr): Promise<Node> {
    try {
      return new Node(addr, await PipelineClient.connect(addr.host, addr.port, 50_000));
    } catch (err) {
      throw new ToolError(`cannot connect to ${addr.host}:${addr.port}: ${(err as Error).message}`);
    }
  }

  get name(): string {
    return `${this.addr.host}:${this.addr.port}`;
  }

  /** One command; an error reply throws (exit 1) naming the node and the command. */
  async call(...argv: string[]): Promise<Reply> {
    const r = await this.c.call(encodeCommand(argv));
    if (r instanceof ReplyError) throw refused(`${this.name} refused ${argv.slice(0, 3).join(' ')}: ${r.message}`);
    return r;
  }

  /** Several commands in one round trip; the replies as they are (errors included). */
  pipeline(cmds: string[][]): Promise<Reply[]> {
    return Promise.all(cmds.map((a) => this.c.call(encodeCommand(a))));
  }

  /** Many commands whose replies are only counted; throws on the first error reply. */
  async bulk(cmds: string[][]): Promise<void> {
    const before = this.c.errors;
    let buf = '';
    let n = 0;
    for (const a of cmds) {
      buf += encodeCommand(a);
      if (++n === 1000) {
        await this.c.send(buf, n);
        buf = '';
        n = 0;
      }
    }
    if (n > 0) await this.c.send(buf, n);
    await this.c.settle();
    if (this.c.errors !== before) throw refused(`${this.name} refused: ${this.c.firstErrors[this.c.firstErrors.length - 1]}`);
  }

  close(): void {
    this.c.close();
  }
}

interface NodesEntry {
  id: string;
  host: string;
  port: number;
  myself: boolean;
  slots: number[];
  open: string[];
}

/** Parses CLUSTER NODES text. */
function parseNodes(text: string): NodesEntry[] {
  const out: NodesEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = line.trim().split(' ');
    const m = /^(.*):(\d+)@/.exec(f[1]);
    const e: NodesEntry = { id: f[0], host: m ? m[1] : '', port: m ? Number(m[2]) : 0, myself: f[2].split(',').includes('myself'), slots: [], open: [] };
    for (const tok of f.slice(8)) {
      if (tok.startsWith('[')) {
        e.open.push(tok);
        continue;
      }
      const [a, b] = tok.split('-').map(Number);
      for (let s = a; s <= (b ?? a); s++) e.slots.push(s);
    }
    out.push(e);
  }
  return out;
}

async function clusterNodes(n: Node): Promise<NodesEntry[]> {
  return parseNodes(String(await n.call('CLUSTER', 'NODES')));
}

/** Connects, checks cluster mode, reads the id. */
async function open(addr: Addr): Promise<Node> {
  const n = await Node.connect(addr);
  const r = await n.c.call(encodeCommand(['CLUSTER', 'MYID']));
  if (r instanceof ReplyError) {
    n.close();
    throw refused(`${n.name} is not configured as a cluster node (${r.message})`);
  }
  n.id = String(r);
  return n;
}

async function assertEmpty(n: Node): Promise<void> {
  const known = await clusterNodes(n);
  const size = Number(await n.call('DBSIZE'));
  if (known.length !== 1 || known[0].slots.length !== 0 || size !== 0) {
    throw refused(`${n.name} is not empty: it knows ${known.length - 1} other node(s), holds ${known[0]?.slots.length ?? 0} slot(s) and ${size} key(s). Use an empty node (or CLUSTER RESET it).`);
  }
}

/** MEETs every pair (both ways: no gossip) and waits until every node knows every id. */
async function meetAll(nodes: Node[], timeoutMs: number): Promise<void> {
  await Promise.all(nodes.map(async (a) => {
    for (const b of nodes) if (a !== b) await a.call('CLUSTER', 'MEET', b.addr.host, String(b.addr.port));
  }));
  const want = new Set(nodes.map((n) => n.id));
  const deadline = Date.now() + timeoutMs;
  for (const n of nodes) {
    for (;;) {
      const ids = new Set((await clusterNodes(n)).map((e) => e.id));
      if ([...want].every((id) => ids.has(id))) break;
      if (Date.now() > deadline) throw refused(`${n.name} did not learn every node's id within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Tells `n` the owner of every slot: ADDSLOTSRANGE for its own, SETSLOT NODE for the others. */
async function tellMap(n: Node, owners: readonly string[]): Promise<void> {
  const mine: string[] = [];
  const cmds: string[][] = [];
  for (let s = 0; s < CLUSTER_SLOTS; s++) {
    if (owners[s] === n.id) {
      const start = s;
      while (s + 1 < CLUSTER_SLOTS && owners[s + 1] === n.id) s++;
      mine.push(String(start), String(s));
    } else {
      cmds.push(['CLUSTER', 'SETSLOT', String(s), 'NODE', owners[s]]);
    }
  }
  if (mine.length > 0) await n.call('CLUSTER', 'ADDSLOTSRANGE', ...mine);
  await n.bulk(cmds);
}

// ---- create --------------------------------------------------------------------------------------

async function create(addrs: Addr[], timeoutMs: number, json: boolean): Promise<number> {
  if (addrs.length < 1) throw usageError('create needs at least one node');
  const t0 = Date.now();
  const nodes: Node[] = [];
  try {
    for (const a of addrs) nodes.push(await open(a));
    if (new Set(nodes.map((n) => n.id)).size !== nodes.length) throw usageError('the same node is given twice');
    for (const n of nodes) await assertEmpty(n);
    // Distinct config epochs, as redis-cli --cluster create gives them (while no node knows another).
    for (let i = 0; i < nodes.length; i++) await nodes[i].call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
    await meetAll(nodes, timeoutMs);
    const owners = placeSlots(nodes.map((n) => n.id));
    await Promise.all(nodes.map((n) => tellMap(n, owners)));
    const counts = nodes.map((n) => owners.filter((o) => o === n.id).length);
    const problems = await checkNodes(nodes);
    if (json) printJson({ nodes: nodes.map((n, i) => ({ addr: n.name, id: n.id, slots: counts[i] })), problems, ms: Date.now() - t0 });
    else {
      for (let i = 0; i < nodes.length; i++) process.stdout.write(`${nodes[i].name} ${nodes[i].id}: ${counts[i]} slots\n`);
      reportProblems(problems, `Cluster of ${nodes.length} nodes created in ${formatDuration(Date.now() - t0)}.`);
    }
    return problems.length === 0 ? EXIT_OK : EXIT_PROBLEM;
  } finally {
    for (const n of nodes) n.close();
  }
}

// ---- check ---------------------------------------------------------------------------------------

/** What is wrong with the cluster as these nodes see it ([] = all good). */
async function checkNodes(nodes: Node[]): Promise<string[]> {
  const problems: string[] = [];
  let reference: string | null = null;
  for (const n of nodes) {
    const entries = await clusterNodes(n);
    const owners = new Array<string>(CLUSTER_SLOTS).fill('');
    for (const e of entries) for (const s of e.slots) owners[s] = e.id;
    for (const e of entries) if (e.myself && e.open.length > 0) problems.push(`${n.name} has open slots: ${e.open.join(' ')}`);
    const uncovered = owners.filter((o) => o === '').length;
    if (uncovered > 0) problems.push(`${n.name}: ${uncovered} slot(s) not covered`);
    const sig = owners.join(',');
    if (reference === null) reference = sig;
    else if (sig !== reference) problems.push(`${n.name} does not agree with ${nodes[0].name} about the slot map`);
  }
  return problems;
}

function reportProblems(problems: string[], okLine: string): void {
  for (const p of problems) process.stdout.write(`[ERR] ${p}\n`);
  if (problems.length === 0) {
    process.stdout.write('[OK] All nodes agree about slots configuration.\n[OK] All 16384 slots covered.\n');
    process.stdout.write(`${okLine}\n`);
  }
}

async function connectCluster(seed: Addr): Promise<{ nodes: Node[]; entries: NodesEntry[] }> {
  const first = await open(seed);
  const entries = await clusterNodes(first);
  const nodes = [first];
  try {
    for (const e of entries) {
      if (e.id === first.id) continue;
      if (e.host === '') throw refused(`${first.name} does not know the address of node ${e.id}`);
      const n = await open({ host: e.host, port: e.port });
      if (n.id !== e.id) throw refused(`${n.name} answers with id ${n.id}, ${first.name} knows it as ${e.id}`);
      nodes.push(n);
    }
  } catch (err) {
    for (const n of nodes) n.close();
    throw err;
  }
  return { nodes, entries };
}

async function check(seed: Addr, json: boolean): Promise<number> {
  const { nodes } = await connectCluster(seed);
  try {
    const problems = await checkNodes(nodes);
    if (json) printJson({ nodes: nodes.map((n) => ({ addr: n.name, id: n.id })), problems });
    else reportProblems(problems, `${nodes.length} nodes checked.`);
    return problems.length === 0 ? EXIT_OK : EXIT_PROBLEM;
  } finally {
    for (const n of nodes) n.close();
  }
}

// ---- add-node ------------------------------------------------------------------------------------

/** Slots put in MIGRATING/IMPORTING state together. */
const SLOT_BATCH = 64;
/** Keys moved per WATCH ... EXEC round. */
const KEY_BATCH = 100;

interface MoveStats {
  slotsDone: number;
  keysMoved: number;
  retries: number;
}

/** Throws (exit 1) on the first error reply among `replies`, naming the node. */
function expectOk(n: Node, replies: Reply[]): void {
  for (const r of replies) if (r instanceof ReplyError) throw refused(`${n.name}: ${r.message}`);
}

/** A reply meaning "this node does not hold the key": the MIGRATING source answers ASK for it. */
function isMissing(r: Reply): boolean {
  return r instanceof ReplyError && r.message.startsWith('ASK ');
}

/**
 * Moves a batch of keys of one slot from `src` to `dst` (see the file's first comment), in about
 * four round trips: WATCH each + DUMP/PTTL each on the source; ASKING + RESTORE each on the
 * target; MULTI, DEL each, EXEC on the source. A key a client deleted meanwhile reads as ASK on
 * the MIGRATING source and is skipped. Returns false when EXEC did not run (a key changed or
 * vanished since its DUMP): the caller moves the slot's remaining keys again, with their new
 * values; a key that vanished from the source meanwhile loses the copy this round put on the
 * target (unless a client wrote it there since), so a delete is never undone.
 */
async function moveKeys(src: Node, dst: Node, keys: string[]): Promise<boolean> {
  const read: string[][] = [];
  for (const k of keys) read.push(['WATCH', k]);
  for (const k of keys) read.push(['DUMP', k], ['PTTL', k]);
  const got = await src.pipeline(read);
  for (const r of got) if (r instanceof ReplyError && !isMissing(r)) throw refused(`${src.name}: ${r.message}`);
  const present: Array<[string, string]> = [];
  const write: string[][] = [];
  for (let i = 0; i < keys.length; i++) {
    const dump = got[keys.length + 2 * i];
    const pttl = got[keys.length + 2 * i + 1];
    // Missing (ASK) or null: deleted or expired since GETKEYSINSLOT, nothing to move.
    if (dump === null || typeof dump !== 'string' || typeof pttl !== 'number' || pttl === -2) continue;
    present.push([keys[i], dump]);
    write.push(['ASKING'], ['RESTORE', keys[i], pttl > 0 ? String(pttl) : '0', dump, 'REPLACE']);
  }
  if (present.length === 0) {
    await src.call('UNWATCH');
    return true;
  }
  const put = await dst.pipeline(write);
  for (const r of put) {
    if (r instanceof ReplyError) {
      await src.call('UNWATCH');
      throw refused(`${dst.name} refused RESTORE of a key: ${r.message}`);
    }
  }
  const tx: string[][] = [['MULTI']];
  for (const [k] of present) tx.push(['DEL', k]);
  tx.push(['EXEC']);
  const done = await src.pipeline(tx);
  const exec = done[done.length - 1];
  if (Array.isArray(exec)) return true;
  // EXEC aborted: null (a watched key changed), EXECABORT (a DEL was refused as it queued: its
  // key was gone) or a redirection of the whole transaction (TRYAGAIN/ASK: some key gone).
  if (exec instanceof ReplyError && !/^(EXECABORT|TRYAGAIN|ASK) /.test(exec.message)) throw refused(`${src.name}: ${exec.message}`);
  await src.call('UNWATCH');
  const still = await src.pipeline(present.map(([k]) => ['EXISTS', k]));
  for (let i = 0; i < present.length; i++) if (isMissing(still[i])) await dropStaleCopy(dst, present[i][0], present[i][1]);
  return false;
}

/**
 * Deletes `key` on the IMPORTING target if it still holds the copy `dump` this tool put there:
 * the source lost the key (deleted, expired) after its DUMP. WATCH makes it keep a value a
 * client wrote there since (through ASK): that write is newer than the copy.
 */
async function dropStaleCopy(dst: Node, key: string, dump: string): Promise<void> {
  const [, , , now] = await dst.pipeline([['ASKING'], ['WATCH', key], ['ASKING'], ['DUMP', key]]);
  if (now !== dump) {
    await dst.call('UNWATCH');
    return;
  }
  const res = await dst.pipeline([['ASKING'], ['MULTI'], ['DEL', key], ['EXEC']]);
  const exec = res[res.length - 1];
  if (exec instanceof ReplyError) throw refused(`${dst.name}: ${exec.message}`);
}

async function addNode(newAddr: Addr, seed: Addr, workers: number, timeoutMs: number, json: boolean): Promise<number> {
  const t0 = Date.now();
  const { nodes, entries } = await connectCluster(seed);
  const extra: Node[] = [];
  try {
    const fresh = await open(newAddr);
    extra.push(fresh);
    if (nodes.some((n) => n.id === fresh.id)) throw refused(`${fresh.name} is already a member of the cluster`);
    await assertEmpty(fresh);
    const problems = await checkNodes(nodes);
    if (problems.length > 0) throw refused(`the cluster is not in order, fix it first: ${problems.join('; ')}`);
    const before = new Array<string>(CLUSTER_SLOTS);
    for (const e of entries) for (const s of e.slots) before[s] = e.id;
    const all = [...nodes, fresh];
    // The newcomer's config epoch is the newest (it will claim the slots it imports).
    let maxEpoch = 0;
    for (const n of nodes) {
      const m = /cluster_current_epoch:(\d+)/.exec(String(await n.call('CLUSTER', 'INFO')));
      if (m !== null) maxEpoch = Math.max(maxEpoch, Number(m[1]));
    }
    await fresh.call('CLUSTER', 'SET-CONFIG-EPOCH', String(maxEpoch + 1));
    await meetAll(all, timeoutMs);
    // The new node learns the current map first (every slot still with its owner).
    await tellMap(fresh, before);
    const after = placeSlots(all.map((n) => n.id));
    const moving: number[] = [];
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (after[s] === fresh.id && before[s] !== fresh.id) moving.push(s);
    const byId = new Map(all.map((n) => [n.id, n]));
    const stats: MoveStats = { slotsDone: 0, keysMoved: 0, retries: 0 };
    const say = (line: string): void => {
      if (!json) process.stdout.write(line + '\n');
    };
    say(`Moving ${moving.length} of ${CLUSTER_SLOTS} slots (${((100 * moving.length) / CLUSTER_SLOTS).toFixed(1)}%) to ${fresh.name} ${fresh.id}`);
    let lastLog = Date.now();
    const logProgress = (final: boolean): void => {
      const now = Date.now();
      if (!final && now - lastLog < 1000) return;
      lastLog = now;
      const secs = (now - t0) / 1000;
      say(`slots ${stats.slotsDone}/${moving.length}, keys moved ${stats.keysMoved} (${Math.round(stats.keysMoved / Math.max(secs, 0.001))} keys/s), retries ${stats.retries}`);
    };
    // Work in batches of slots of one source, so each node saves its config (an fsync) once
    // per batch of SETSLOTs rather than once per slot.
    const batches: number[][] = [];
    const bySource = new Map<string, number[]>();
    for (const s of moving) {
      const list = bySource.get(before[s]) ?? [];
      bySource.set(before[s], list);
      list.push(s);
    }
    for (const list of bySource.values()) for (let i = 0; i < list.length; i += SLOT_BATCH) batches.push(list.slice(i, i + SLOT_BATCH));
    // Each worker has its own connections: WATCH/MULTI are per connection.
    let next = 0;
    const worker = async (): Promise<void> => {
      const conns = new Map<string, Node>();
      const conn = async (id: string): Promise<Node> => {
        let c = conns.get(id);
        if (c === undefined) {
          c = await Node.connect(byId.get(id)!.addr);
          c.id = id;
          conns.set(id, c);
        }
        return c;
      };
      const setslots = async (n: Node, slots: number[], ...rest: string[]): Promise<void> => {
        expectOk(n, await n.pipeline(slots.map((s) => ['CLUSTER', 'SETSLOT', String(s), ...rest])));
      };
      try {
        while (next < batches.length) {
          const batch = batches[next++];
          const src = await conn(before[batch[0]]);
          const dst = await conn(fresh.id);
          await setslots(dst, batch, 'IMPORTING', src.id);
          await setslots(src, batch, 'MIGRATING', dst.id);
          for (const slot of batch) {
            for (;;) {
              const keys = (await src.call('CLUSTER', 'GETKEYSINSLOT', String(slot), String(KEY_BATCH))) as string[];
              if (keys.length === 0) break;
              if (await moveKeys(src, dst, keys)) stats.keysMoved += keys.length;
              else stats.retries++;
            }
          }
          // The new owner first, then the source, then everyone else (Redis's order).
          await setslots(dst, batch, 'NODE', dst.id);
          await setslots(src, batch, 'NODE', dst.id);
          const others = all.filter((n) => n.id !== dst.id && n.id !== src.id);
          await Promise.all(others.map(async (n) => setslots(await conn(n.id), batch, 'NODE', dst.id)));
          stats.slotsDone += batch.length;
          logProgress(false);
        }
      } finally {
        for (const c of conns.values()) c.close();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
    logProgress(true);
    const left = await checkNodes(all);
    const ms = Date.now() - t0;
    if (json) printJson({ node: fresh.name, id: fresh.id, slotsMoved: moving.length, fraction: moving.length / CLUSTER_SLOTS, keysMoved: stats.keysMoved, retries: stats.retries, problems: left, ms });
    else reportProblems(left, `Added ${fresh.name}: ${moving.length} slots and ${stats.keysMoved} keys moved in ${formatDuration(ms)}.`);
    return left.length === 0 ? EXIT_OK : EXIT_PROBLEM;
  } finally {
    for (const n of [...nodes, ...extra]) n.close();
  }
}

runTool(spec, async ({ values, positionals }) => {
  const [cmd, ...rest] = positionals;
  const timeoutMs = intFlag('timeout', values.timeout, 10_000);
  const json = values.json === true;
  switch (cmd) {
    case 'create':
      if (rest.length < 1) throw usageError('create needs at least one host:port');
      return create(await Promise.all(rest.map(parseAddr)), timeoutMs, json);
    case 'add-node':
      if (rest.length !== 2) throw usageError('add-node needs <new-host:port> <existing-host:port>');
      return addNode(await parseAddr(rest[0]), await parseAddr(rest[1]), intFlag('workers', values.workers, 8, 256), timeoutMs, json);
    case 'check':
      if (rest.length !== 1) throw usageError('check needs one host:port');
      return check(await parseAddr(rest[0]), json);
    default:
      throw usageError(`unknown command '${cmd}' (create, add-node, check)`);
  }
});
