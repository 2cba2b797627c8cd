#!/usr/bin/env node
// hoard-cluster: the admin tool of a Hoard cluster (cluster-enabled yes nodes). There is no
// cluster bus in v1, so this tool is how the topology changes: it tells every node every change
// (MEET in both directions, every slot's owner, each migration step).
//   create    MEETs every node with every other, places the 16384 slots with the consistent-hash
//             ring (src/cluster/ring.ts) and tells every node every slot's owner.
//   add-node  joins an empty node and moves to it exactly the slots the ring with it gives it
//             (no other slot moves), keys in batches of the source's MIGRATE ... REPLACE KEYS
//             (lib/cluster-admin.ts moveKeys), which blocks the source for each transfer as
//             Redis's does. Writes during the move are not lost: a key still on the source is
//             served there; a key gone from the source is served by the target through ASK.
//   del-node  moves every slot of a node to the owner the ring of the others gives it (the same
//             key moves), then has the others FORGET it and resets it.
//   check     every slot covered, every node agreeing on the map, no slot left open.
// Invariants: a slot changes owner only after the source holds none of its keys (the node
// refuses SETSLOT NODE otherwise); exit codes 0 ok, 1 the cluster is not right (or a node
// refused), 2 bad usage or a node unreachable.

import { EXIT_OK, EXIT_PROBLEM, formatDuration, intFlag, printJson, runTool, usageError, type ToolSpec } from './lib/cli.js';
import {
  assertEmpty, clusterNodes, expectOk, KEY_BATCH, meetAll, moveKeys, Node, open, parseAddr, refused, SLOT_BATCH, slotOwnersOf, tellMap,
  type Addr, type MoveStats, type NodesEntry,
} from './lib/cluster-admin.js';
import { placeSlots } from '../src/cluster/ring.js';
import { CLUSTER_SLOTS } from '../src/cluster/slots.js';

const HELP = `Usage: hoard-cluster create <host:port> <host:port> ...
       hoard-cluster add-node <new-host:port> <existing-host:port>
       hoard-cluster del-node <leaving-host:port> <other-host:port>
       hoard-cluster check <host:port>

Manages a cluster of Hoard nodes started with --cluster-enabled yes.

  create     Joins the nodes (each must be empty and know no other node) and
             places the 16384 hash slots on them with the consistent-hash ring.
  add-node   Joins an empty node to the cluster <existing-host:port> belongs to
             and moves to it the slots the ring gives it (about 1/(N+1) of
             them; no other slot moves), with their keys, while clients keep
             reading and writing.
  del-node   Moves every slot of a node (with its keys, while clients keep
             reading and writing) to the owners the ring of the other nodes
             gives them (no other slot moves), then makes the others forget it
             and resets it (CLUSTER RESET).
  check      Checks that every slot is served and that every node agrees on
             the slot map.

Options:
  --workers <n>      Batches of slots moved at once by add-node and del-node (default 8).
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
    const owners = slotOwnersOf(entries);
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

/** MIGRATE I/O errors in a row after which a slot's move gives up (check then reports it open). */
const MAX_MIGRATE_FAILURES = 5;

/** Progress lines on stdout, unless the result is printed as JSON. */
function sayer(json: boolean): (line: string) => void {
  return (line) => {
    if (!json) process.stdout.write(line + '\n');
  };
}

/**
 * Moves each slot in `moving` from its owner in `before` to its owner in `after`, with its keys
 * (moveKeys), while clients go on: IMPORTING on the target, MIGRATING on the source, the keys in
 * rounds, then SETSLOT NODE on the target, the source and every other node (Redis's order).
 * Slots go in batches of one source and one target, so each node saves its config (an fsync)
 * once per batch of SETSLOTs rather than once per slot; `workers` batches at a time.
 */
async function moveSlots(
  all: Node[],
  before: readonly string[],
  after: readonly string[],
  moving: readonly number[],
  workers: number,
  t0: number,
  say: (line: string) => void,
): Promise<MoveStats> {
  const byId = new Map(all.map((n) => [n.id, n]));
  const stats: MoveStats = { slotsDone: 0, keysMoved: 0, retries: 0 };
  let lastLog = Date.now();
  const logProgress = (final: boolean): void => {
    const now = Date.now();
    if (!final && now - lastLog < 1000) return;
    lastLog = now;
    const secs = (now - t0) / 1000;
    say(`slots ${stats.slotsDone}/${moving.length}, keys moved ${stats.keysMoved} (${Math.round(stats.keysMoved / Math.max(secs, 0.001))} keys/s), retries ${stats.retries}`);
  };
  const batches: number[][] = [];
  const byPair = new Map<string, number[]>();
  for (const s of moving) {
    const pair = `${before[s]} ${after[s]}`;
    const list = byPair.get(pair) ?? [];
    byPair.set(pair, list);
    list.push(s);
  }
  for (const list of byPair.values()) for (let i = 0; i < list.length; i += SLOT_BATCH) batches.push(list.slice(i, i + SLOT_BATCH));
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
        const dst = await conn(after[batch[0]]);
        await setslots(dst, batch, 'IMPORTING', src.id);
        await setslots(src, batch, 'MIGRATING', dst.id);
        for (const slot of batch) {
          let failures = 0;
          for (;;) {
            const keys = (await src.call('CLUSTER', 'GETKEYSINSLOT', String(slot), String(KEY_BATCH))) as string[];
            if (keys.length === 0) break;
            if (await moveKeys(src, dst, keys)) {
              stats.keysMoved += keys.length;
              failures = 0;
            } else if (++failures === MAX_MIGRATE_FAILURES) {
              throw refused(`${src.name} could not reach ${dst.name} with MIGRATE (IOERR ${failures} times in a row); slot ${slot} is left open`);
            } else stats.retries++;
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
  return stats;
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
    const before = slotOwnersOf(entries);
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
    const say = sayer(json);
    say(`Moving ${moving.length} of ${CLUSTER_SLOTS} slots (${((100 * moving.length) / CLUSTER_SLOTS).toFixed(1)}%) to ${fresh.name} ${fresh.id}`);
    const stats = await moveSlots(all, before, after, moving, workers, t0, say);
    const left = await checkNodes(all);
    const ms = Date.now() - t0;
    if (json) printJson({ node: fresh.name, id: fresh.id, slotsMoved: moving.length, fraction: moving.length / CLUSTER_SLOTS, keysMoved: stats.keysMoved, retries: stats.retries, problems: left, ms });
    else reportProblems(left, `Added ${fresh.name}: ${moving.length} slots and ${stats.keysMoved} keys moved in ${formatDuration(ms)}.`);
    return left.length === 0 ? EXIT_OK : EXIT_PROBLEM;
  } finally {
    for (const n of [...nodes, ...extra]) n.close();
  }
}

// ---- del-node ------------------------------------------------------------------------------------

/**
 * Moves every slot of `leaving` (with its keys, while clients go on) to the owner the ring of
 * the other nodes gives it (no other slot moves), then makes every other node FORGET it and
 * resets it (CLUSTER RESET: empty, alone, a new cluster of its own to join later).
 */
async function delNode(leaving: Addr, seed: Addr, workers: number, json: boolean): Promise<number> {
  const t0 = Date.now();
  const { nodes, entries } = await connectCluster(seed);
  try {
    const probe = await open(leaving);
    const id = probe.id;
    probe.close();
    const gone = nodes.find((n) => n.id === id);
    if (gone === undefined) throw refused(`${leaving.host}:${leaving.port} (${id}) is not a member of the cluster of ${seed.host}:${seed.port}`);
    const stay = nodes.filter((n) => n !== gone);
    if (stay.length === 0) throw refused('cannot remove the last node of a cluster');
    const problems = await checkNodes(nodes);
    if (problems.length > 0) throw refused(`the cluster is not in order, fix it first: ${problems.join('; ')}`);
    const before = slotOwnersOf(entries);
    const ring = placeSlots(stay.map((n) => n.id));
    const after = before.map((owner, s) => (owner === gone.id ? ring[s] : owner));
    const moving: number[] = [];
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (before[s] === gone.id) moving.push(s);
    const say = sayer(json);
    say(`Moving ${moving.length} slots from ${gone.name} ${gone.id} to the ${stay.length} other node(s)`);
    const stats = await moveSlots(nodes, before, after, moving, workers, t0, say);
    for (const n of stay) expectOk(n, [await n.call('CLUSTER', 'FORGET', gone.id)]);
    expectOk(gone, [await gone.call('CLUSTER', 'RESET')]);
    const left = await checkNodes(stay);
    const ms = Date.now() - t0;
    if (json) printJson({ node: gone.name, id: gone.id, slotsMoved: moving.length, keysMoved: stats.keysMoved, retries: stats.retries, problems: left, ms });
    else reportProblems(left, `Removed ${gone.name}: ${moving.length} slots and ${stats.keysMoved} keys moved in ${formatDuration(ms)}.`);
    return left.length === 0 ? EXIT_OK : EXIT_PROBLEM;
  } finally {
    for (const n of nodes) n.close();
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
    case 'del-node':
      if (rest.length !== 2) throw usageError('del-node needs <leaving-host:port> <other-host:port>');
      return delNode(await parseAddr(rest[0]), await parseAddr(rest[1]), intFlag('workers', values.workers, 8, 256), json);
    case 'check':
      if (rest.length !== 1) throw usageError('check needs one host:port');
      return check(await parseAddr(rest[0]), json);
    default:
      throw usageError(`unknown command '${cmd}' (create, add-node, del-node, check)`);
  }
});
