// What hoard-cluster (tools/cluster.ts) does to nodes, apart from its command line: a connection
// per node speaking RESP through the pipelined client (resp-client.ts), reading CLUSTER NODES,
// MEETing nodes, telling a node the whole slot map, and moving keys between a MIGRATING source
// and an IMPORTING target with the source's MIGRATE (moveKeys). Kept apart so tests can drive a
// key move step by step.
// Invariants: moveKeys never leaves a key on both nodes once its call succeeded, and never
// brings back a key a client deleted on the source; errors from a node are ToolErrors with exit
// code 1 naming the node.

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
/** Keys moved per MIGRATE. */
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

/** How long MIGRATE may wait for the target at each step (Redis's timeout argument). */
export const MIGRATE_TIMEOUT_MS = 10_000;

/**
 * Moves a batch of keys of one slot from the MIGRATING `src` to the IMPORTING `dst` with one
 * `MIGRATE host port "" 0 timeout REPLACE KEYS ...` on the source, as `redis-cli --cluster
 * reshard --cluster-replace` does. The source is blocked for the transfer (src/commands/dump.ts),
 * so no client write falls between a key's copy and its delete; a key deleted before the call is
 * simply not there (NOKEY when none is), and one a client wrote on the target through ASK is
 * never overwritten, since the source no longer holds it. Returns false after an I/O error (a key
 * may then be on both nodes: the caller moves the slot's remaining keys again, and REPLACE makes
 * the source's value win, as it still owns the key). Sources must not be targets of moves running
 * at the same time: two nodes migrating to each other would each block waiting for the other.
 */
export async function moveKeys(src: Node, dst: Node, keys: string[]): Promise<boolean> {
  const r = await src.pipeline([['MIGRATE', dst.addr.host, String(dst.addr.port), '', '0', String(MIGRATE_TIMEOUT_MS), 'REPLACE', 'KEYS', ...keys]]);
  const reply = r[0];
  if (reply === 'OK' || reply === 'NOKEY') return true;
  if (reply instanceof ReplyError && reply.message.startsWith('IOERR')) return false;
  throw refused(`${src.name} could not move keys to ${dst.name}: ${reply instanceof ReplyError ? reply.message : String(reply)}`);
}
