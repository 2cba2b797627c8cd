// What hoard-cluster (tools/cluster.ts) does to nodes, apart from its command line: a connection
// per node speaking RESP through the pipelined client (resp-client.ts), reading CLUSTER NODES,
// MEETing nodes, telling a node the whole slot map, and moving keys between a MIGRATING source
// and an IMPORTING target without a server-side MIGRATE (moveKeys). Kept apart so tests can drive
// a key move step by step (moveKeys' `between` hook).
// Invariants: moveKeys never leaves a key on both nodes once its round succeeded, and never
// brings back a key a client deleted on the source during the round; errors from a node are
// ToolErrors with exit code 1 naming the node.

import dns from 'node:dns/promises';
import net from 'node:net';
import { EXIT_PROBLEM, ToolError, usageError } from './cli.js';
import { encodeCommand } from './key-format.js';
import { PipelineClient, ReplyError, type Reply } from './resp-client.js';
import { CLUSTER_SLOTS } from '../../src/cluster/slots.js';
/** Failures the tool explains: a node refused (1) or could not be reached (2). */
export function refused(msg: string): ToolError {
  return new ToolError(msg, EXIT_PROBLEM, 'HOARD_CLUSTER_REFUSED');
}

export interface Addr {
  host: string;
  port: number;
}

export async function parseAddr(s: string): Promise<Addr> {
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
export class Node {
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

export interface NodesEntry {
  id: string;
  host: string;
  port: number;
  myself: boolean;
  slots: number[];
  open: string[];
}

/** Parses CLUSTER NODES text. */
export function parseNodes(text: string): NodesEntry[] {
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

/** slot -> id of the node owning it in these CLUSTER NODES entries ('' for a slot nobody serves). */
export function slotOwnersOf(entries: readonly NodesEntry[]): string[] {
  const owners = new Array<string>(CLUSTER_SLOTS).fill('');
  for (const e of entries) for (const s of e.slots) owners[s] = e.id;
  return owners;
}

export async function clusterNodes(n: Node): Promise<NodesEntry[]> {
  return parseNodes(String(await n.call('CLUSTER', 'NODES')));
}

/** Connects, checks cluster mode, reads the id. */
export async function open(addr: Addr): Promise<Node> {
  const n = await Node.connect(addr);
  const r = await n.c.call(encodeCommand(['CLUSTER', 'MYID']));
  if (r instanceof ReplyError) {
    n.close();
    throw refused(`${n.name} is not configured as a cluster node (${r.message})`);
  }
  n.id = String(r);
  return n;
}

export async function assertEmpty(n: Node): Promise<void> {
  const known = await clusterNodes(n);
  const size = Number(await n.call('DBSIZE'));
  if (known.length !== 1 || known[0].slots.length !== 0 || size !== 0) {
    throw refused(`${n.name} is not empty: it knows ${known.length - 1} other node(s), holds ${known[0]?.slots.length ?? 0} slot(s) and ${size} key(s). Use an empty node (or CLUSTER RESET it).`);
  }
}

/** MEETs every pair (both ways: no gossip) and waits until every node knows every id. */
export async function meetAll(nodes: Node[], timeoutMs: number): Promise<void> {
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
export async function tellMap(n: Node, owners: readonly string[]): Promise<void> {
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

/** Slots put in MIGRATING/IMPORTING state together. */
export const SLOT_BATCH = 64;
/** Keys moved per WATCH ... EXEC round. */
export const KEY_BATCH = 100;

export interface MoveStats {
  slotsDone: number;
  keysMoved: number;
  retries: number;
}

/** Throws (exit 1) on the first error reply among `replies`, naming the node. */
export function expectOk(n: Node, replies: Reply[]): void {
  for (const r of replies) if (r instanceof ReplyError) throw refused(`${n.name}: ${r.message}`);
}

/** A reply meaning "this node does not hold the key": the MIGRATING source answers ASK for it. */
export function isMissing(r: Reply): boolean {
  return r instanceof ReplyError && r.message.startsWith('ASK ');
}

/**
 * Moves a batch of keys of one slot from `src` to `dst` (see the file's first comment), in about
 * four round trips: WATCH each + DUMP/PTTL each on the source; ASKING + RESTORE each on the
 * target; MULTI, DEL each, EXEC on the source. A key a client deleted meanwhile reads as ASK on
 * the MIGRATING source and is skipped. Returns false when EXEC did not run (a key changed or
 * vanished since its DUMP): the caller moves the slot's remaining keys again, with their new
 * values; a key that vanished from the source meanwhile loses the copy this round put on the
 * target (unless a client wrote it there since), so a delete is never undone. `between`, for
 * tests, runs after the copy and before the source's MULTI.
 */
export async function moveKeys(src: Node, dst: Node, keys: string[], between?: () => Promise<void>): Promise<boolean> {
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
  // Tests run clients' writes here (between the copy and the source's DEL).
  if (between !== undefined) await between();
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
export async function dropStaleCopy(dst: Node, key: string, dump: string): Promise<void> {
  const [, , , now] = await dst.pipeline([['ASKING'], ['WATCH', key], ['ASKING'], ['DUMP', key]]);
  if (now !== dump) {
    await dst.call('UNWATCH');
    return;
  }
  const res = await dst.pipeline([['ASKING'], ['MULTI'], ['DEL', key], ['EXEC']]);
  const exec = res[res.length - 1];
  if (exec instanceof ReplyError) throw refused(`${dst.name}: ${exec.message}`);
}
