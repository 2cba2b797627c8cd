// A cluster node's view of the cluster (Redis's clusterState): myself, the node table, the owner
// of each of the 16384 slots, the slots this node is MIGRATING out of or IMPORTING into, and the
// epochs; and its file, `cluster-config-file` (nodes.conf) in the data dir, in Redis's format.
// No gossip in v1: the node table and the slot map change only by CLUSTER commands, which an
// admin (hoard-cluster) sends to every node.
// Invariants: myself is in `nodes` and has a 40-hex-char id, random at the first start and kept
// for the life of the file; slots[s] is null or a node of `nodes`; a slot is never both
// MIGRATING and IMPORTING; `dirty` is set by every change and cleared by save(), which writes
// the whole file atomically (temp file, fsync, rename, fsync of the directory), so a crash
// leaves the old file or the new one, never a torn one.

import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLUSTER_SLOTS } from './slots.js';

export interface ClusterNodeInfo {
  id: string;
  /** '' until known (Redis learns its own address from the first MEET it receives). */
  ip: string;
  port: number;
  cport: number;
  configEpoch: number;
  /** Unix ms this node was added (NODES' pong-recv column, as there is no ping in v1). */
  seen: number;
}

export function newNodeId(): string {
  return randomBytes(20).toString('hex');
}

export class ClusterError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClusterError';
  }
}

export class ClusterState {
  myself: ClusterNodeInfo;
  readonly nodes = new Map<string, ClusterNodeInfo>();
  readonly slots: Array<ClusterNodeInfo | null> = new Array(CLUSTER_SLOTS).fill(null);
  /** slot -> the node it is migrating to (only for slots myself owns). */
  readonly migrating = new Map<number, ClusterNodeInfo>();
  /** slot -> the node it is importing from. */
  readonly importing = new Map<number, ClusterNodeInfo>();
  currentEpoch = 0;
  lastVoteEpoch = 0;
  dirty = false;

  constructor(
    readonly file: string,
    port: number,
    cport: number,
  ) {
    this.myself = { id: newNodeId(), ip: '', port, cport, configEpoch: 0, seen: 0 };
    this.nodes.set(this.myself.id, this.myself);
  }

  /**
   * Loads `file` if it exists (the node keeps its id, table, slots and epochs), else starts
   * fresh and writes it at once, as Redis's clusterInit does. Throws a ClusterError naming
   * the file and line on a malformed file: a node must not silently forget its identity.
   */
  static open(file: string, port: number, cport: number): ClusterState {
    const st = new ClusterState(file, port, cport);
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ClusterError(`Can't read the cluster config file ${file}: ${(err as Error).message}`, 'HOARD_CLUSTER_CONFIG', { cause: err });
      st.save();
      return st;
    }
    st.parse(text);
    st.recount();
    // The port may have changed since the file was written: the command line wins for myself.
    st.myself.port = port;
    st.myself.cport = cport;
    return st;
  }

  private parse(text: string): void {
    const bad = (n: number, why: string): never => {
      throw new ClusterError(`Unrecoverable error: corrupted cluster config file ${this.file} line ${n}: ${why}`, 'HOARD_CLUSTER_CONFIG');
    };
    this.nodes.clear();
    let me: ClusterNodeInfo | null = null;
    const pending: Array<[number, string, string, 'm' | 'i']> = [];
    const lines = text.split('\n');
    for (let n = 1; n <= lines.length; n++) {
      const line = lines[n - 1].trim();
      if (line === '') continue;
      const f = line.split(' ');
      if (f[0] === 'vars') {
        for (let i = 1; i + 1 < f.length; i += 2) {
          const v = Number(f[i + 1]);
          if (!Number.isSafeInteger(v) || v < 0) bad(n, `bad value of ${f[i]}`);
          if (f[i] === 'currentEpoch') this.currentEpoch = v;
          else if (f[i] === 'lastVoteEpoch') this.lastVoteEpoch = v;
        }
        continue;
      }
      if (f.length < 8) bad(n, 'too few fields');
      if (!/^[0-9a-f]{40}$/.test(f[0])) bad(n, 'bad node id');
      const addr = /^(.*):(\d+)@(\d+)(?:,.*)?$/.exec(f[1]);
      if (addr === null) bad(n, 'bad address');
      const node: ClusterNodeInfo = { id: f[0], ip: addr![1], port: Number(addr![2]), cport: Number(addr![3]), configEpoch: Number(f[6]), seen: Date.now() };
      if (!Number.isSafeInteger(node.configEpoch)) bad(n, 'bad config epoch');
      this.nodes.set(node.id, node);
      if (f[2].split(',').includes('myself')) me = node;
      for (let i = 8; i < f.length; i++) {
        const tok = f[i];
        const mig = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(tok);
        if (mig !== null) {
          pending.push([Number(mig[1]), mig[3], tok, mig[2] === '>' ? 'm' : 'i']);
          continue;
        }
        const r = /^(\d+)(?:-(\d+))?$/.exec(tok);
        if (r === null) bad(n, `bad slot ${tok}`);
        const a = Number(r![1]);
        const b = r![2] === undefined ? a : Number(r![2]);
        if (a > b || b >= CLUSTER_SLOTS) bad(n, `bad slot range ${tok}`);
        for (let s = a; s <= b; s++) this.slots[s] = node;
      }
    }
    if (me === null) bad(lines.length, 'myself node not found');
    this.myself = me!;
    for (const [slot, id, tok, kind] of pending) {
      const other = this.nodes.get(id);
      if (other === undefined || slot >= CLUSTER_SLOTS) bad(0, `bad migration state ${tok}`);
      (kind === 'm' ? this.migrating : this.importing).set(slot, other!);
    }
  }

  /** Redis's clusterGenNodesDescription for one node (no trailing newline). */
  describe(n: ClusterNodeInfo, withMigrations: boolean): string {
    const flags = n === this.myself ? 'myself,master' : 'master';
    const pong = n === this.myself ? 0 : n.seen;
    let line = `${n.id} ${n.ip}:${n.port}@${n.cport} ${flags} - 0 ${pong} ${n.configEpoch} connected`;
    let s = 0;
    while (s < CLUSTER_SLOTS) {
      if (this.slots[s] !== n) {
        s++;
        continue;
      }
      const start = s;
      while (s + 1 < CLUSTER_SLOTS && this.slots[s + 1] === n) s++;
      line += start === s ? ` ${start}` : ` ${start}-${s}`;
      s++;
    }
    if (withMigrations && n === this.myself) {
      for (const [slot, to] of [...this.migrating].sort((a, b) => a[0] - b[0])) line += ` [${slot}->-${to.id}]`;
      for (const [slot, from] of [...this.importing].sort((a, b) => a[0] - b[0])) line += ` [${slot}-<-${from.id}]`;
    }
    return line;
  }

  /** CLUSTER NODES' text (migrations on myself's line, as Redis shows them). */
  nodesText(): string {
    let out = '';
    for (const n of this.nodes.values()) out += this.describe(n, true) + '\n';
    return out;
  }

  /** Writes nodes.conf atomically now (Redis's clusterSaveConfig with fsync). */
  save(): void {
    const text = this.nodesText() + `vars currentEpoch ${this.currentEpoch} lastVoteEpoch ${this.lastVoteEpoch}\n`;
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, text, null, 'latin1');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    try {
      const dfd = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    } catch {
      // Some filesystems refuse to fsync a directory: the rename is still atomic.
    }
    this.dirty = false;
  }

  // ---- queries -------------------------------------------------------------------------------

  slotsAssigned(): number {
    let n = 0;
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (this.slots[s] !== null) n++;
    return n;
  }

  /** Masters serving at least one slot (INFO's cluster_size). */
  size(): number {
    return new Set(this.slots.filter((n) => n !== null)).size;
  }

  /**
   * cluster_state (Redis's clusterUpdateState without failure detection: every known node counts
   * as reachable): ok iff some slot is served and, under cluster-require-full-coverage yes
   * (the default), every slot is.
   */
  ok(requireFullCoverage = true): boolean {
    return requireFullCoverage ? this.assignedCount === CLUSTER_SLOTS : this.assignedCount > 0;
  }

  /** Kept by assign/unassign so the dispatcher's state check is O(1). */
  assignedCount = 0;

  lookup(id: string): ClusterNodeInfo | undefined {
    return this.nodes.get(id);
  }

  // ---- changes (each sets `dirty`) -----------------------------------------------------------

  addNode(n: ClusterNodeInfo): void {
    this.nodes.set(n.id, n);
    this.dirty = true;
  }

  assign(slot: number, n: ClusterNodeInfo): void {
    if (this.slots[slot] === null) this.assignedCount++;
    this.slots[slot] = n;
    this.dirty = true;
  }

  unassign(slot: number): void {
    if (this.slots[slot] !== null) this.assignedCount--;
    this.slots[slot] = null;
    this.dirty = true;
  }

  /** Drops a node and every slot and migration pointing at it (CLUSTER FORGET). */
  forget(n: ClusterNodeInfo): void {
    this.nodes.delete(n.id);
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (this.slots[s] === n) this.unassign(s);
    for (const [s, m] of this.migrating) if (m === n) this.migrating.delete(s);
    for (const [s, m] of this.importing) if (m === n) this.importing.delete(s);
    this.dirty = true;
  }

  /** CLUSTER RESET: forget everyone else and every slot; HARD also takes a new id and zero epochs. */
  reset(hard: boolean): void {
    for (let s = 0; s < CLUSTER_SLOTS; s++) this.slots[s] = null;
    this.assignedCount = 0;
    this.migrating.clear();
    this.importing.clear();
    this.nodes.clear();
    if (hard) {
      this.myself.id = newNodeId();
      this.myself.configEpoch = 0;
      this.currentEpoch = 0;
      this.lastVoteEpoch = 0;
    }
    this.nodes.set(this.myself.id, this.myself);
    this.dirty = true;
  }

  /** recount assignedCount after a load. */
  recount(): void {
    this.assignedCount = this.slotsAssigned();
  }
}
