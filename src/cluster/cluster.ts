// A cluster node at run time (cluster-enabled yes): the CLUSTER subcommands, ASKING/READONLY/
// READWRITE, and the dispatcher's redirection check (Redis's getNodeByQuery), over the state of
// state.ts and the per-slot key index of keyspace/slot-index.ts.
// v1 has no cluster bus and no gossip: MEET learns the other node's id by connecting to its
// client port and asking CLUSTER MYID; every other change of topology (slots, migrations) is
// told to every node by whoever makes it (hoard-cluster). Only db 0 is used.
// Invariants: route() returns null (serve here) or the exact Redis 7.0 error to send; it never
// throws on client input; every state change is saved to nodes.conf before its reply is written
// (Server.beforeSleep calls flushConfig first, as Redis's clusterBeforeSleep).

import net from 'node:net';
import { E } from '../commands/errors.js';
import { keyIndexes } from '../commands/table.js';
import { F, type CommandContext, type CommandSpec, type ServerApi } from '../commands/types.js';
import { SlotIndex } from '../keyspace/slot-index.js';
import type { Logger } from '../log.js';
import { ReplyReader, ReplyError } from '../protocol/reply-reader.js';
import { parseInt64 } from '../util/numbers.js';
import { CLUSTER_SLOTS, keyHashSlot } from './slots.js';
import { ClusterState, type ClusterNodeInfo } from './state.js';

/** What the node needs of the client running a command (server/client.ts implements it). */
export interface RoutedClient {
  asking: boolean;
  multi: { queue: string[][]; specs: CommandSpec[] } | null;
}

const MEET_TIMEOUT_MS = 5000;

export const CLUSTER_ERR = {
  CROSSSLOT: "CROSSSLOT Keys in request don't hash to the same slot",
  UNBOUND: 'CLUSTERDOWN Hash slot not served',
  DOWN: 'CLUSTERDOWN The cluster is down',
  DOWN_RO: 'CLUSTERDOWN The cluster is down and only accepts read commands',
  TRYAGAIN: 'TRYAGAIN Multiple keys request during rehashing of slot',
  BAD_SLOT: 'ERR Invalid or out of range slot',
  SELECT: 'ERR SELECT is not allowed in cluster mode',
} as const;

export class ClusterNode {
  readonly state: ClusterState;
  /** Handshakes under way (MEET), by "ip:port". */
  private readonly meeting = new Map<string, net.Socket>();

  constructor(
    private readonly server: ServerApi & { readonly logger: Logger },
    file: string,
    port: number,
  ) {
    const cportCfg = server.config.num('cluster-port');
    this.state = ClusterState.open(file, port, cportCfg !== 0 ? cportCfg : port + 10000);
    const announce = server.config.str('cluster-announce-ip');
    if (announce) this.state.myself.ip = announce;
    // The per-slot key index, for COUNTKEYSINSLOT/GETKEYSINSLOT and resharding (db 0 only).
    server.ks.dbs[0].slotIndex = new SlotIndex(keyHashSlot, CLUSTER_SLOTS);
  }

  /** Saves nodes.conf if anything changed this turn (before replies leave). */
  flushConfig(): void {
    if (this.state.dirty) this.state.save();
  }

  /** Drops the MEET handshakes under way (at shutdown). */
  closeLinks(): void {
    for (const s of this.meeting.values()) s.destroy();
    this.meeting.clear();
  }

  infoFields(): Array<[string, string | number]> {
    return [['cluster_enabled', 1]];
  }

  // ---- routing (Redis's getNodeByQuery) ------------------------------------------------------

  /**
   * Null when this node serves the command; else the error to answer with. Commands without
   * keys run anywhere; EXEC is checked against everything it queued, as one request.
   */
  route(c: RoutedClient, spec: CommandSpec, argv: string[]): string | null {
    const isExec = spec.parent === undefined && spec.name === 'exec';
    if (!isExec && spec.firstKey <= 0 && spec.getKeys === undefined) return null;
    let specs: readonly CommandSpec[];
    let argvs: readonly string[][];
    if (isExec) {
      if (c.multi === null) return null;
      specs = c.multi.specs;
      argvs = c.multi.queue;
    } else {
      specs = [spec];
      argvs = [argv];
    }
    const st = this.state;
    const db0 = this.server.ks.dbs[0];
    let firstKey: string | null = null;
    let slot = -1;
    let owner: ClusterNodeInfo | null = null;
    let migrating = false;
    let importing = false;
    let multipleKeys = false;
    let missing = 0;
    for (let i = 0; i < specs.length; i++) {
      const sp = specs[i];
      if (sp.firstKey <= 0 && sp.getKeys === undefined) continue;
      const av = argvs[i];
      const idx = keyIndexes(sp, av);
      for (let j = 0; j < idx.length; j++) {
        const key = av[idx[j]];
        if (key === undefined) continue;
        const ks = keyHashSlot(key);
        if (firstKey === null) {
          firstKey = key;
          slot = ks;
          owner = st.slots[ks];
          if (owner === null) return CLUSTER_ERR.UNBOUND;
          if (owner === st.myself && st.migrating.has(ks)) migrating = true;
          else if (st.importing.has(ks)) importing = true;
        } else if (key !== firstKey) {
          if (ks !== slot) return CLUSTER_ERR.CROSSSLOT;
          multipleKeys = true;
        }
        if ((migrating || importing) && db0.peekValue(key) === undefined) missing++;
      }
    }
    if (owner === null) return null;
    if (!st.ok(this.server.config.bool('cluster-require-full-coverage'))) {
      if (!this.server.config.bool('cluster-allow-reads-when-down')) return CLUSTER_ERR.DOWN;
      if (hasWrite(specs)) return CLUSTER_ERR.DOWN_RO;
    }
    // MIGRATE always runs here while its slot is open (migrating or importing): keys must be
    // free to move between the two nodes (Redis getNodeByQuery).
    if ((migrating || importing) && spec.name === 'migrate') return null;
    if (migrating && missing > 0) {
      if (multipleKeys) return CLUSTER_ERR.TRYAGAIN;
      const to = st.migrating.get(slot)!;
      return `ASK ${slot} ${to.ip}:${to.port}`;
    }
    if (importing && (c.asking || (spec.bits & F.asking) !== 0)) {
      if (multipleKeys && missing > 0) return CLUSTER_ERR.TRYAGAIN;
      return null;
    }
    if (owner !== st.myself) return `MOVED ${slot} ${owner.ip}:${owner.port}`;
    return null;
  }

  // ---- CLUSTER subcommands -------------------------------------------------------------------

  /** Runs CLUSTER <sub> (the dispatcher already checked the subcommand and its arity). */
  command(c: CommandContext, argv: string[]): void {
    this.run(c, argv);
    // A slot may have left this node (SETSLOT NODE, DELSLOTS, FORGET, RESET...): clients
    // blocked on its keys get MOVED or CLUSTERDOWN instead of waiting forever.
    if (this.state.dirty) this.redirectBlocked();
  }

  /** Redis's clusterRedirectBlockedClientIfNeeded, for every blocked client. */
  private redirectBlocked(): void {
    const st = this.state;
    const full = this.server.config.bool('cluster-require-full-coverage');
    this.server.blocking.redirectBlocked((_db, key) => {
      const slot = keyHashSlot(key);
      const owner = st.slots[slot];
      if (owner === null || !st.ok(full)) return owner === null ? CLUSTER_ERR.UNBOUND : CLUSTER_ERR.DOWN;
      if (owner !== st.myself && !st.importing.has(slot)) return `MOVED ${slot} ${owner.ip}:${owner.port}`;
      return null;
    });
  }

  private run(c: CommandContext, argv: string[]): void {
    const sub = argv[1].toLowerCase();
    const st = this.state;
    const r = c.reply;
    switch (sub) {
      case 'myid':
        return r.bulk(st.myself.id);
      case 'keyslot':
        return r.int(keyHashSlot(argv[2]));
      case 'info':
        return r.verbatim(this.infoText());
      case 'nodes':
        return r.verbatim(st.nodesText());
      case 'slots':
        return this.slotsReply(c);
      case 'shards':
        return this.shardsReply(c);
      case 'countkeysinslot': {
        const v = parseInt64(argv[2]);
        if (v === null) return r.error(E.NOT_INTEGER);
        if (typeof v !== 'number' || v < 0 || v >= CLUSTER_SLOTS) return r.error('ERR Invalid slot');
        return r.int(this.server.ks.dbs[0].slotIndex!.countKeys(v));
      }
      case 'getkeysinslot': {
        const slot = parseInt64(argv[2]);
        const max = parseInt64(argv[3]);
        if (slot === null || max === null) return r.error(E.NOT_INTEGER);
        if (max < 0 || slot < 0 || slot >= CLUSTER_SLOTS) return r.error('ERR Invalid slot or number of keys');
        const db0 = this.server.ks.dbs[0];
        const rows = db0.slotIndex!.rows(Number(slot), Number(max > 1_000_000_000 ? 1_000_000_000 : max));
        r.array(rows.length);
        for (const s of rows) r.bulk(db0.keyAt(s));
        return;
      }
      case 'meet':
        return this.meet(c, argv);
      case 'addslots':
      case 'delslots':
        return this.addDelSlots(c, argv, sub === 'addslots', false);
      case 'addslotsrange':
      case 'delslotsrange':
        return this.addDelSlots(c, argv, sub === 'addslotsrange', true);
      case 'flushslots': {
        if (this.server.ks.dbs[0].size !== 0) return r.error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
        for (let s = 0; s < CLUSTER_SLOTS; s++) if (st.slots[s] === st.myself) st.unassign(s);
        return r.ok();
      }
      case 'setslot':
        return this.setSlot(c, argv);
      case 'forget': {
        const n = st.lookup(argv[2]);
        if (n === undefined) return r.error(`ERR Unknown node ${argv[2]}`);
        if (n === st.myself) return r.error("ERR I tried hard but I can't forget myself...");
        st.forget(n);
        return r.ok();
      }
      case 'saveconfig':
        try {
          st.save();
        } catch (err) {
          return r.error(`ERR error saving the cluster node config: ${(err as Error).message}`);
        }
        return r.ok();
      case 'reset': {
        let hard = false;
        if (argv.length === 3) {
          const how = argv[2].toLowerCase();
          if (how === 'hard') hard = true;
          else if (how !== 'soft') return r.error(E.SYNTAX);
        } else if (argv.length > 3) return r.error(E.SYNTAX);
        if (this.server.ks.dbs[0].size !== 0) return r.error("ERR CLUSTER RESET can't be called with master nodes containing keys");
        st.reset(hard);
        return r.ok();
      }
      case 'bumpepoch': {
        const maxEpoch = Math.max(...[...st.nodes.values()].map((n) => n.configEpoch));
        if (st.myself.configEpoch === 0 || st.myself.configEpoch !== maxEpoch) {
          st.currentEpoch++;
          st.myself.configEpoch = st.currentEpoch;
          st.dirty = true;
          return r.simple(`BUMPED ${st.myself.configEpoch}`);
        }
        return r.simple(`STILL ${st.myself.configEpoch}`);
      }
      case 'set-config-epoch': {
        const v = parseInt64(argv[2]);
        if (v === null) return r.error(E.NOT_INTEGER);
        if (typeof v !== 'number' || v < 0) return r.error(`ERR Invalid config epoch specified: ${argv[2]}`);
        if (st.nodes.size > 1) return r.error('ERR The user can assign a config epoch only when the node does not know any other node.');
        if (st.myself.configEpoch !== 0) return r.error('ERR Node config epoch is already non-zero');
        st.myself.configEpoch = v;
        if (st.currentEpoch < v) st.currentEpoch = v;
        st.dirty = true;
        return r.ok();
      }
      case 'help':
        return r.help('CLUSTER', HELP);
      case 'count-failure-reports': {
        if (st.lookup(argv[2]) === undefined) return r.error(`ERR Unknown node ${argv[2]}`);
        return r.int(0);
      }
      case 'replicas':
      case 'slaves': {
        const n = st.lookup(argv[2]);
        if (n === undefined) return r.error(`ERR Unknown node ${argv[2]}`);
        return r.array(0);
      }
      case 'links':
        return r.array(0);
      default:
        // FAILOVER, REPLICATE: replicas inside a cluster are not in v1.
        return r.error(`ERR CLUSTER ${sub.toUpperCase()} is not supported by Hoard (no replicas inside a cluster)`);
    }
  }

  private infoText(): string {
    const st = this.state;
    const assigned = st.assignedCount;
    const lines: Array<[string, string | number]> = [
      ['cluster_state', st.ok(this.server.config.bool('cluster-require-full-coverage')) ? 'ok' : 'fail'],
      ['cluster_slots_assigned', assigned],
      ['cluster_slots_ok', assigned],
      ['cluster_slots_pfail', 0],
      ['cluster_slots_fail', 0],
      ['cluster_known_nodes', st.nodes.size],
      ['cluster_size', st.size()],
      ['cluster_current_epoch', st.currentEpoch],
      ['cluster_my_epoch', st.myself.configEpoch],
      ['cluster_stats_messages_sent', 0],
      ['cluster_stats_messages_received', 0],
      ['total_cluster_links_buffer_limit_exceeded', 0],
    ];
    return lines.map(([k, v]) => `${k}:${v}\r\n`).join('');
  }

  /** Runs of consecutive slots with one owner, in slot order. */
  private ranges(): Array<[number, number, ClusterNodeInfo]> {
    const st = this.state;
    const out: Array<[number, number, ClusterNodeInfo]> = [];
    let s = 0;
    while (s < CLUSTER_SLOTS) {
      const n = st.slots[s];
      if (n === null) {
        s++;
        continue;
      }
      const start = s;
      while (s + 1 < CLUSTER_SLOTS && st.slots[s + 1] === n) s++;
      out.push([start, s, n]);
      s++;
    }
    return out;
  }

  private slotsReply(c: CommandContext): void {
    const r = c.reply;
    const ranges = this.ranges();
    r.array(ranges.length);
    for (const [a, b, n] of ranges) {
      r.array(3);
      r.int(a);
      r.int(b);
      r.array(4);
      r.bulk(n.ip);
      r.int(n.port);
      r.bulk(n.id);
      r.map(0);
    }
  }

  private shardsReply(c: CommandContext): void {
    const r = c.reply;
    const st = this.state;
    const ranges = this.ranges();
    const nodes = [...st.nodes.values()];
    r.array(nodes.length);
    for (const n of nodes) {
      const mine = ranges.filter((x) => x[2] === n);
      r.map(2);
      r.bulk('slots');
      r.array(mine.length * 2);
      for (const [a, b] of mine) {
        r.int(a);
        r.int(b);
      }
      r.bulk('nodes');
      r.array(1);
      r.map(7);
      r.bulk('id');
      r.bulk(n.id);
      r.bulk('port');
      r.int(n.port);
      r.bulk('ip');
      r.bulk(n.ip);
      r.bulk('endpoint');
      r.bulk(n.ip);
      r.bulk('role');
      r.bulk('master');
      r.bulk('replication-offset');
      r.int(n === st.myself ? this.server.log.offset : 0);
      r.bulk('health');
      r.bulk('online');
    }
  }

  private parseSlot(s: string): number {
    const v = parseInt64(s);
    return typeof v === 'number' && v >= 0 && v < CLUSTER_SLOTS ? v : -1;
  }

  private addDelSlots(c: CommandContext, argv: string[], add: boolean, range: boolean): void {
    const r = c.reply;
    const st = this.state;
    if (range && argv.length % 2 === 1) return r.error(E.wrongArity(`cluster|${argv[1].toLowerCase()}`));
    const slots: number[] = [];
    if (range) {
      for (let i = 2; i < argv.length; i += 2) {
        const a = this.parseSlot(argv[i]);
        const b = this.parseSlot(argv[i + 1]);
        if (a < 0 || b < 0) return r.error(CLUSTER_ERR.BAD_SLOT);
        if (a > b) return r.error(`ERR start slot number ${a} is greater than end slot number ${b}`);
        for (let s = a; s <= b; s++) slots.push(s);
      }
    } else {
      for (let i = 2; i < argv.length; i++) {
        const s = this.parseSlot(argv[i]);
        if (s < 0) return r.error(CLUSTER_ERR.BAD_SLOT);
        slots.push(s);
      }
    }
    const seen = new Uint8Array(CLUSTER_SLOTS);
    for (const s of slots) {
      if (add && st.slots[s] !== null) return r.error(`ERR Slot ${s} is already busy`);
      if (!add && st.slots[s] === null) return r.error(`ERR Slot ${s} is already unassigned`);
      if (seen[s]++ === 1) return r.error(`ERR Slot ${s} specified multiple times`);
    }
    for (const s of slots) {
      if (add) {
        st.importing.delete(s);
        st.assign(s, st.myself);
      } else {
        st.migrating.delete(s);
        st.importing.delete(s);
        st.unassign(s);
      }
    }
    r.ok();
  }

  /** CLUSTER SETSLOT <slot> IMPORTING|MIGRATING <id> | NODE <id> | STABLE (Redis 7.0's checks and texts). */
  private setSlot(c: CommandContext, argv: string[]): void {
    const r = c.reply;
    const st = this.state;
    const slot = this.parseSlot(argv[2]);
    if (slot < 0) return r.error(CLUSTER_ERR.BAD_SLOT);
    const action = argv[3].toLowerCase();
    if (action === 'migrating' && argv.length === 5) {
      if (st.slots[slot] !== st.myself) return r.error(`ERR I'm not the owner of hash slot ${slot}`);
      const n = st.lookup(argv[4]);
      if (n === undefined) return r.error(`ERR I don't know about node ${argv[4]}`);
      st.migrating.set(slot, n);
      st.dirty = true;
    } else if (action === 'importing' && argv.length === 5) {
      if (st.slots[slot] === st.myself) return r.error(`ERR I'm already the owner of hash slot ${slot}`);
      const n = st.lookup(argv[4]);
      if (n === undefined) return r.error(`ERR I don't know about node ${argv[4]}`);
      st.importing.set(slot, n);
      st.dirty = true;
    } else if (action === 'stable' && argv.length === 4) {
      st.migrating.delete(slot);
      st.importing.delete(slot);
      st.dirty = true;
    } else if (action === 'node' && argv.length === 5) {
      const n = st.lookup(argv[4]);
      if (n === undefined) return r.error(`ERR Unknown node ${argv[4]}`);
      const keys = this.server.ks.dbs[0].slotIndex!.countKeys(slot);
      if (st.slots[slot] === st.myself && n !== st.myself && keys !== 0) {
        return r.error(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
      }
      if (keys === 0 && st.migrating.has(slot)) st.migrating.delete(slot);
      if (n === st.myself && st.importing.has(slot)) {
        st.importing.delete(slot);
        // Redis's clusterBumpConfigEpochWithoutConsensus: the new owner's claim is the newest.
        const maxEpoch = Math.max(...[...st.nodes.values()].map((x) => x.configEpoch));
        if (st.myself.configEpoch === 0 || st.myself.configEpoch !== maxEpoch) {
          st.currentEpoch++;
          st.myself.configEpoch = st.currentEpoch;
        }
      }
      st.assign(slot, n);
    } else {
      return r.error('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
    }
    r.ok();
  }

  private meet(c: CommandContext, argv: string[]): void {
    const r = c.reply;
    const port = parseInt64(argv[3]);
    if (port === null) return r.error(`ERR Invalid TCP base port specified: ${argv[3]}`);
    let cport = typeof port === 'number' ? port + 10000 : 0;
    if (argv.length === 5) {
      const cp = parseInt64(argv[4]);
      if (cp === null) return r.error(`ERR Invalid TCP bus port specified: ${argv[4]}`);
      cport = Number(cp);
    } else if (argv.length > 5) return r.error(E.SYNTAX);
    const ip = argv[2];
    if (net.isIP(ip) === 0 || typeof port !== 'number' || port <= 0 || port > 65535 || cport < 0 || cport > 65535) {
      return r.error(`ERR Invalid node address specified: ${ip}:${argv[3]}`);
    }
    // Redis learns its own address from the first MEET it receives; here, from the address a
    // MEET reached us on (hoard-cluster sends every node a MEET).
    const st = this.state;
    if (st.myself.ip === '') {
      const at = c.laddr.lastIndexOf(':');
      const mine = at > 0 ? c.laddr.slice(0, at).replace(/^::ffff:/, '') : '';
      if (net.isIP(mine) !== 0) {
        st.myself.ip = mine;
        st.dirty = true;
      }
    }
    this.handshake(ip, port, cport);
    r.ok();
  }

  /** Connects to ip:port, asks CLUSTER MYID, and adds (or updates) that node. Asynchronous. */
  private handshake(ip: string, port: number, cport: number): void {
    const key = `${ip}:${port}`;
    if (this.meeting.has(key)) return;
    const sock = net.connect({ host: ip, port, noDelay: true });
    this.meeting.set(key, sock);
    const reader = new ReplyReader();
    const log = this.server.logger;
    let finished = false;
    const done = (err: Error | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.meeting.delete(key);
      sock.destroy();
      if (err !== null) log.warn({ err, node: key }, `CLUSTER MEET ${key} failed: ${err.message}`);
    };
    const timer = setTimeout(() => done(new Error('timed out')), MEET_TIMEOUT_MS);
    timer.unref();
    sock.once('error', (err) => done(err));
    sock.once('close', () => done(new Error('connection closed before CLUSTER MYID answered')));
    // Its id, and its config epoch as it is now (no gossip keeps it current afterwards).
    sock.once('connect', () => sock.write('*2\r\n$7\r\nCLUSTER\r\n$4\r\nMYID\r\n*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n'));
    let id: string | null = null;
    sock.on('data', (chunk: Buffer) => {
      reader.feed(chunk);
      for (;;) {
        let rep;
        try {
          rep = reader.next();
        } catch (err) {
          return done(err as Error);
        }
        if (rep === undefined) return;
        if (id === null) {
          if (rep instanceof ReplyError || typeof rep !== 'string' || !/^[0-9a-f]{40}$/.test(rep)) {
            return done(new Error(`unexpected reply to CLUSTER MYID: ${rep instanceof ReplyError ? rep.message : JSON.stringify(rep)}`));
          }
          id = rep;
          continue;
        }
        const m = typeof rep === 'string' ? /cluster_my_epoch:(\d+)/.exec(rep) : null;
        this.learn(id, ip, port, cport, m === null ? 0 : Number(m[1]));
        return done(null);
      }
    });
  }

  private learn(id: string, ip: string, port: number, cport: number, epoch: number): void {
    const st = this.state;
    if (id === st.myself.id) return;
    if (epoch > st.currentEpoch) {
      st.currentEpoch = epoch;
      st.dirty = true;
    }
    const known = st.lookup(id);
    if (known !== undefined) {
      if (known.ip !== ip || known.port !== port || known.cport !== cport || known.configEpoch !== epoch) {
        known.ip = ip;
        known.port = port;
        known.cport = cport;
        known.configEpoch = epoch;
        st.dirty = true;
      }
    } else {
      st.addNode({ id, ip, port, cport, configEpoch: epoch, seen: Date.now() });
      this.server.logger.info({ id, ip, port }, `Node ${id} (${ip}:${port}) added to the cluster`);
    }
    // Outside a command: save now (no reply waits for it, but a crash must not lose it).
    this.flushConfig();
  }
}

function hasWrite(specs: readonly CommandSpec[]): boolean {
  for (const s of specs) if ((s.bits & F.write) !== 0) return true;
  return false;
}

const HELP = [
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
];
