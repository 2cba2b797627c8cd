// hoard-proxy: one address for clients that do not speak Redis Cluster (redis-benchmark without
// --cluster, redis-cli without -c, libraries with no cluster mode). It speaks RESP2 to them and
// routes each command to the primary that owns its keys' hash slot, as a cluster-aware client
// would: the slot map comes from CLUSTER SLOTS, a -MOVED reply updates it (and refreshes it
// whole, in the background), a -ASK reply is followed once with ASKING, -TRYAGAIN is retried.
// Works in front of Hoard cluster nodes and redis-server cluster nodes alike.
//
// Routing, per command (the key positions come from Hoard's own command table):
//   - keys in one slot: to that slot's owner, over one pipelined connection per node shared by
//     all clients; replies go back to each client in its own command order;
//   - MGET, MSET, DEL, UNLINK, EXISTS, TOUCH over several slots: split per slot, answers merged
//     (like a cluster client's multi-key helpers); any other command over several slots gets
//     Redis Cluster's -CROSSSLOT;
//   - MULTI ... EXEC: queued here (+QUEUED), checked for one slot as queued (a command for
//     another slot is refused and the EXEC aborts, as a node would), then sent to the owner in
//     one write, MULTI and EXEC included, so no other client's command comes in between;
//   - blocking commands (BLPOP, BZPOPMIN, XREAD BLOCK, ...): a connection of their own, closed
//     when answered or when the client goes;
//   - keyless commands: PING, ECHO, SELECT 0, QUIT, HELLO [2], CLIENT SETNAME/GETNAME answered
//     here; DBSIZE summed and KEYS merged over every primary; FLUSHALL / FLUSHDB and FUNCTION
//     LOAD/DELETE/FLUSH/RESTORE sent to every primary; others (INFO, CONFIG GET, COMMAND, TIME, ...) answered by one node.
// Not served (a clear error, not a wrong answer): SUBSCRIBE and the rest of pub/sub (a Hoard
// cluster has no bus carrying messages between nodes), WATCH, SCAN, MONITOR, replication
// commands, RESP3. Invariants: a client's replies leave in the order of its commands; every
// command is answered exactly once (a node link that drops fails what was in flight on it with
// an -ERR naming the node, the next command reconnects).

import net from 'node:net';
import type { Logger } from '../log.js';
import { RespParser, ProtocolError } from '../protocol/parser.js';
import { encodeCommand } from '../protocol/reply.js';
import { ReplyReader, ReplyError, type Reply } from '../protocol/reply-reader.js';
import { allCommands } from '../commands/index.js';
import { arityOk, keyIndexes } from '../commands/table.js';
import { F, type CommandSpec } from '../commands/types.js';
import { CLUSTER_SLOTS, keyHashSlot } from './slots.js';

/** A command is redirected at most this many times (MOVED, ASK, TRYAGAIN) before its reply is passed on. */
const MAX_REDIRECTS = 8;
const TRYAGAIN_DELAY_MS = 25;
const ASKING = encodeCommand(['ASKING']);

// ---- links to the nodes -----------------------------------------------------------------------

interface Frame {
  bytes: Buffer;
  reply: Reply;
}
type FramesDone = (frames: Frame[] | Error) => void;

/** One connection to a node: requests pipelined, each answered by its next `n` replies. */
class NodeLink {
  private sock: net.Socket | null = null;
  private reader = new ReplyReader();
  private readonly waiting: Array<{ n: number; decode: boolean; frames: Frame[]; done: FramesDone }> = [];
  /** Requests of this event-loop turn, written together at its end (one syscall, not one per command). */
  private out = '';

  constructor(readonly addr: string) {}

  /** `decode`: the replies are wanted decoded (Frame.reply), not only as bytes (errors always are). */
  send(payload: string, n: number, done: FramesDone, decode = false): void {
    if (this.sock === null) this.connect();
    this.waiting.push({ n, decode, frames: [], done });
    if (this.out === '') process.nextTick(this.flush);
    this.out += payload;
  }

  private readonly flush = (): void => {
    const out = this.out;
    this.out = '';
    if (out !== '' && this.sock !== null) this.sock.write(out, 'latin1');
  };

  get idle(): boolean {
    return this.waiting.length === 0;
  }

  close(): void {
    this.fail(new Error('closed'));
  }

  private connect(): net.Socket {
    const colon = this.addr.lastIndexOf(':');
    const sock = net.connect(Number(this.addr.slice(colon + 1)), this.addr.slice(0, colon));
    sock.setNoDelay(true);
    this.sock = sock;
    sock.on('data', (chunk: Buffer) => {
      if (this.sock !== sock) return;
      this.reader.feed(chunk);
      for (;;) {
        const w = this.waiting[0];
        let f: Frame | undefined;
        try {
          f = this.reader.nextFrame(w?.decode ?? true);
        } catch (err) {
          this.fail(err as Error);
          return;
        }
        if (f === undefined) return;
        if (w === undefined) {
          this.fail(new Error('a reply nobody asked for'));
          return;
        }
        w.frames.push(f);
        if (w.frames.length === w.n) {
          this.waiting.shift();
          w.done(w.frames);
        }
      }
    });
    sock.on('error', (err) => {
      if (this.sock === sock) this.fail(err);
    });
    sock.on('close', () => {
      if (this.sock === sock) this.fail(new Error('connection closed'));
    });
    return sock;
  }

  private fail(err: Error): void {
    const sock = this.sock;
    this.sock = null;
    this.out = '';
    sock?.destroy();
    this.reader = new ReplyReader();
    for (const w of this.waiting.splice(0)) w.done(err);
  }
}

// ---- replies built here ---------------------------------------------------------------------------

const OK = '+OK\r\n';
const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const err = (msg: string) => `-${msg}\r\n`;
const CROSSSLOT = err("CROSSSLOT Keys in request don't hash to the same slot");

/** A decoded reply back to RESP2 bytes (merged answers of split commands). */
function encodeReply(r: Reply): string {
  if (r === null) return '$-1\r\n';
  if (typeof r === 'number') return `:${r}\r\n`;
  if (typeof r === 'string') return bulk(r);
  if (r instanceof ReplyError) return err(r.message);
  let out = `*${r.length}\r\n`;
  for (const e of r) out += encodeReply(e);
  return out;
}

/** Commands this proxy refuses rather than answer wrongly (see the header). */
const UNSUPPORTED = new Set(['watch', 'scan', 'monitor', 'sync', 'psync', 'replicaof', 'slaveof', 'replconf', 'shutdown', 'failover', 'reset', 'wait', 'cluster', 'readonly', 'readwrite', 'asking']);
/** Multi-key commands split per slot, and how their answers merge. */
const SPLIT: Record<string, 'values' | 'ok' | 'sum'> = { mget: 'values', mset: 'ok', del: 'sum', unlink: 'sum', exists: 'sum', touch: 'sum' };

// ---- clients --------------------------------------------------------------------------------------

interface Pending {
  out: Buffer | string | null;
}

class ProxyClient {
  readonly parser = new RespParser();
  readonly queue: Pending[] = [];
  /** Answers due, written together at the end of the turn. */
  out: Array<Buffer | string> = [];
  /** Queued MULTI: the commands, the slot they share (-1: none yet), refused ones seen. */
  multi: { cmds: string[][]; slot: number; dirty: boolean } | null = null;
  name = '';
  closeAfterFlush = false;
  /** Connections of blocking commands in flight (closed with the client). */
  readonly blockingLinks = new Set<NodeLink>();
  constructor(readonly sock: net.Socket) {}
}

export interface ProxyStats {
  clients: number;
  commands: number;
  moved: number;
  ask: number;
  refreshes: number;
}

export interface ProxyOptions {
  seeds: string[];
  logger: Logger;
}

export class ClusterProxy {
  /** slot -> "host:port" of its primary. */
  readonly owners: Array<string | undefined> = new Array<string | undefined>(CLUSTER_SLOTS).fill(undefined);
  readonly stats: ProxyStats = { clients: 0, commands: 0, moved: 0, ask: 0, refreshes: 0 };
  private readonly links = new Map<string, NodeLink>();
  private readonly specs = new Map<string, CommandSpec>();
  private readonly clients = new Set<ProxyClient>();
  private refreshing: Promise<void> | null = null;
  private server: net.Server | null = null;

  constructor(private readonly opts: ProxyOptions) {
    for (const family of allCommands) for (const spec of family) this.specs.set(spec.name, spec);
  }

  /** Reads the slot map, then listens. Rejects when no seed answers CLUSTER SLOTS. */
  async listen(port: number, host: string): Promise<number> {
    await this.refresh();
    const server = net.createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as net.AddressInfo;
    this.opts.logger.info({ port: addr.port, nodes: this.primaries().length }, `hoard-proxy listening on ${host}:${addr.port}`);
    return addr.port;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.sock.destroy();
    for (const l of this.links.values()) l.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The distinct primaries of the slot map. */
  primaries(): string[] {
    return [...new Set(this.owners.filter((a): a is string => a !== undefined))];
  }

  // ---- the slot map ----------------------------------------------------------------------------

  /** Asks CLUSTER SLOTS of the known nodes (primaries first, then the seeds) until one answers. */
  refresh(): Promise<void> {
    if (this.refreshing !== null) return this.refreshing;
    this.refreshing = (async () => {
      try {
        const tried: string[] = [];
        for (const addr of [...new Set([...this.primaries(), ...this.opts.seeds])]) {
          tried.push(addr);
          const r = await this.ask(addr, ['CLUSTER', 'SLOTS']).catch((e: Error) => new ReplyError(e.message));
          if (!Array.isArray(r)) continue;
          this.applySlots(r, addr);
          this.stats.refreshes++;
          const st = this.stats;
          this.opts.logger.info({ from: addr, primaries: this.primaries().length, refreshes: st.refreshes, moved: st.moved, ask: st.ask }, 'slot map read');
          return;
        }
        throw new Error(`no node answered CLUSTER SLOTS (tried ${tried.join(', ')})`);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private applySlots(r: Reply[], askedAddr: string): void {
    const owners = new Array<string | undefined>(CLUSTER_SLOTS).fill(undefined);
    const askedHost = askedAddr.slice(0, askedAddr.lastIndexOf(':'));
    for (const range of r) {
      if (!Array.isArray(range) || range.length < 3) continue;
      const [from, to, primary] = range;
      if (typeof from !== 'number' || typeof to !== 'number' || !Array.isArray(primary)) continue;
      const [ip, port] = primary;
      if (typeof port !== 'number') continue;
      // An unknown endpoint ('' or '?') is the address this node was reached at.
      const host = typeof ip === 'string' && ip !== '' && ip !== '?' ? ip : askedHost;
      for (let s = Math.max(0, from); s <= Math.min(CLUSTER_SLOTS - 1, to); s++) owners[s] = `${host}:${port}`;
    }
    for (let s = 0; s < CLUSTER_SLOTS; s++) this.owners[s] = owners[s];
  }

  /** One command on the shared link to `addr`, decoded (errors as ReplyError values). */
  private ask(addr: string, argv: string[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.link(addr).send(encodeCommand(argv), 1, (frames) => (frames instanceof Error ? reject(frames) : resolve(frames[0].reply)), true);
    });
  }

  private link(addr: string): NodeLink {
    let l = this.links.get(addr);
    if (l === undefined) this.links.set(addr, (l = new NodeLink(addr)));
    return l;
  }

  // ---- clients ---------------------------------------------------------------------------------

  private accept(sock: net.Socket): void {
    const c = new ProxyClient(sock);
    this.clients.add(c);
    this.stats.clients++;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(c, chunk));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.clients.delete(c);
      for (const l of c.blockingLinks) l.close();
      c.blockingLinks.clear();
    });
  }

  private onData(c: ProxyClient, chunk: Buffer): void {
    c.parser.feed(chunk);
    for (;;) {
      let argv: string[] | null;
      try {
        argv = c.parser.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.answer(c, this.pending(c), err(`ERR Protocol error: ${e.message}`));
        c.closeAfterFlush = true;
        break;
      }
      if (argv === null) break;
      this.stats.commands++;
      this.dispatch(c, argv);
      if (c.closeAfterFlush) break;
    }
    c.parser.detach();
  }

  private pending(c: ProxyClient): Pending {
    const p: Pending = { out: null };
    c.queue.push(p);
    return p;
  }

  /** Fills `p` and writes every answer that is now due, in order. */
  private answer(c: ProxyClient, p: Pending, out: Buffer | string): void {
    p.out = out;
    const q = c.queue;
    const before = c.out.length;
    while (q.length > 0 && q[0].out !== null) c.out.push(q.shift()!.out!);
    if (before === 0 && c.out.length > 0) process.nextTick(() => this.writeOut(c));
  }

  private writeOut(c: ProxyClient): void {
    const parts = c.out;
    c.out = [];
    if (!c.sock.destroyed && parts.length > 0) c.sock.write(parts.length === 1 ? toBuffer(parts[0]) : Buffer.concat(parts.map(toBuffer)));
    if (c.queue.length === 0 && c.closeAfterFlush) c.sock.end();
  }

  private specOf(argv: string[]): CommandSpec | undefined {
    const spec = this.specs.get(argv[0].toLowerCase());
    return spec?.subcommands !== undefined && argv.length > 1 ? spec.subcommands.get(argv[1].toLowerCase()) ?? spec : spec;
  }

  private dispatch(c: ProxyClient, argv: string[]): void {
    const name = argv[0].toLowerCase();
    const p = this.pending(c);
    if (c.multi !== null && name !== 'exec' && name !== 'discard' && name !== 'multi' && name !== 'quit') {
      this.answer(c, p, this.queueInMulti(c, argv));
      return;
    }
    const local = this.local(c, name, argv);
    if (local !== null) {
      this.answer(c, p, local);
      return;
    }
    const spec = this.specOf(argv);
    if (name === 'exec') return this.exec(c, p);
    if (spec === undefined || !arityOk(spec, argv.length)) {
      // The node's own error text (unknown command, wrong number of arguments).
      return this.toAnyNode(argv, (out) => this.answer(c, p, out));
    }
    if ((spec.bits & F.pubsub) !== 0 || UNSUPPORTED.has(name)) {
      return this.answer(c, p, err(`ERR '${name}' is not supported by hoard-proxy (connect to a node, or use a cluster-aware client)`));
    }
    switch (name) {
      case 'dbsize':
        return this.everyPrimary(['DBSIZE'], (replies) => this.answer(c, p, firstError(replies) ?? `:${replies.reduce<number>((n, r) => n + (typeof r === 'number' ? r : 0), 0)}\r\n`));
      case 'keys':
        return this.everyPrimary(argv, (replies) => this.answer(c, p, firstError(replies) ?? encodeReply(replies.flatMap((r) => (Array.isArray(r) ? r : [])))));
      case 'flushall':
      case 'flushdb':
        return this.everyPrimary(argv, (replies) => this.answer(c, p, firstError(replies) ?? OK));
      case 'function': {
        // The libraries must be on every primary for FCALL to find them wherever its keys live
        // (Redis's request_policy:all_shards for these subcommands).
        const sub = argv[1].toLowerCase();
        if (sub === 'load' || sub === 'delete' || sub === 'flush' || sub === 'restore') {
          return this.everyPrimary(argv, (replies) => this.answer(c, p, firstError(replies) ?? (sub === 'load' ? encodeReply(replies[0]) : OK)));
        }
        break;
      }
    }
    const keys = keyIndexes(spec, argv);
    if (keys.length === 0) return this.toAnyNode(argv, (out) => this.answer(c, p, out));
    const slots = keys.map((k) => keyHashSlot(argv[k]));
    const slot = slots[0];
    if (slots.some((s) => s !== slot)) {
      const how = SPLIT[name];
      if (how === undefined) return this.answer(c, p, CROSSSLOT);
      return this.split(argv, keys, slots, how, (out) => this.answer(c, p, out));
    }
    if ((spec.bits & F.blocking) !== 0) return this.blocking(c, slot, argv, p);
    this.route(slot, encodeCommand(argv), (out) => this.answer(c, p, out));
  }

  /** Commands answered here, or null. */
  private local(c: ProxyClient, name: string, argv: string[]): string | null {
    switch (name) {
      case 'ping':
        if (argv.length > 2) return err("ERR wrong number of arguments for 'ping' command");
        return argv.length === 2 ? bulk(argv[1]) : '+PONG\r\n';
      case 'echo':
        return argv.length === 2 ? bulk(argv[1]) : err("ERR wrong number of arguments for 'echo' command");
      case 'quit':
        c.closeAfterFlush = true;
        return OK;
      case 'select':
        if (argv.length !== 2) return err("ERR wrong number of arguments for 'select' command");
        return argv[1] === '0' ? OK : err('ERR SELECT is not allowed in cluster mode');
      case 'hello': {
        if (argv.length > 1 && argv[1] !== '2') return err('NOPROTO unsupported protocol version');
        const f = ['server', bulk('redis'), 'version', bulk('7.0.15'), 'proto', ':2\r\n', 'id', `:${this.stats.clients}\r\n`, 'mode', bulk('cluster'), 'role', bulk('master'), 'modules', '*0\r\n'];
        let out = `*${f.length}\r\n`;
        for (let i = 0; i < f.length; i += 2) out += bulk(f[i]) + f[i + 1];
        return out;
      }
      case 'auth':
        return err('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      case 'client': {
        const sub = (argv[1] ?? '').toLowerCase();
        if (sub === 'setname' && argv.length === 3) {
          c.name = argv[2];
          return OK;
        }
        if (sub === 'getname' && argv.length === 2) return c.name === '' ? '$-1\r\n' : bulk(c.name);
        if (sub === 'setinfo' && argv.length === 4) return OK;
        return err(`ERR 'client ${sub}' is not supported by hoard-proxy`);
      }
      case 'multi':
        if (c.multi !== null) return err('ERR MULTI calls can not be nested');
        c.multi = { cmds: [], slot: -1, dirty: false };
        return OK;
      case 'discard':
        if (c.multi === null) return err('ERR DISCARD without MULTI');
        c.multi = null;
        return OK;
      case 'unwatch':
        return OK;
      default:
        return null;
    }
  }

  // ---- routing ---------------------------------------------------------------------------------

  /**
   * Sends one encoded command to the owner of `slot` (or `askTo`, after -ASK), following
   * redirections; `done` gets the reply's bytes, or an -ERR when the node cannot be reached.
   */
  private route(slot: number, payload: string, done: (out: Buffer | string) => void, attempt = 0, askTo: string | null = null): void {
    const addr = askTo ?? this.owners[slot];
    if (addr === undefined) {
      done(err('CLUSTERDOWN Hash slot not served'));
      return;
    }
    this.link(addr).send(askTo !== null ? ASKING + payload : payload, askTo !== null ? 2 : 1, (frames) => {
      if (frames instanceof Error) {
        // The node may be gone with its slots moved: look again before the next command.
        void this.refresh().catch(() => {});
        done(err(nodeFailed(addr, frames)));
        return;
      }
      const f = frames[frames.length - 1];
      if (f.reply instanceof ReplyError && attempt < MAX_REDIRECTS) {
        const m = /^(MOVED|ASK) (\d+) (\S+)$/.exec(f.reply.message);
        if (m !== null && m[1] === 'MOVED') {
          this.stats.moved++;
          this.owners[Number(m[2])] = m[3];
          void this.refresh().catch((e: Error) => this.opts.logger.warn({ err: e.message }, 'slot map refresh failed'));
          this.route(slot, payload, done, attempt + 1);
          return;
        }
        if (m !== null) {
          this.stats.ask++;
          this.route(slot, payload, done, attempt + 1, m[3]);
          return;
        }
        if (f.reply.message.startsWith('TRYAGAIN')) {
          setTimeout(() => this.route(slot, payload, done, attempt + 1), TRYAGAIN_DELAY_MS);
          return;
        }
      }
      done(f.bytes);
    });
  }

  /** A keyless command, to one node (the first primary). */
  private toAnyNode(argv: string[], done: (out: Buffer | string) => void): void {
    const addr = this.primaries()[0] ?? this.opts.seeds[0];
    this.link(addr).send(encodeCommand(argv), 1, (frames) => done(frames instanceof Error ? err(nodeFailed(addr, frames)) : frames[0].bytes));
  }

  /** The same command to every primary; `done` gets the decoded replies. */
  private everyPrimary(argv: string[], done: (replies: Reply[]) => void): void {
    const nodes = this.primaries();
    if (nodes.length === 0) return done([new ReplyError('CLUSTERDOWN The cluster is down')]);
    const replies = new Array<Reply>(nodes.length);
    let left = nodes.length;
    nodes.forEach((addr, i) => {
      this.link(addr).send(
        encodeCommand(argv),
        1,
        (frames) => {
          replies[i] = frames instanceof Error ? new ReplyError(nodeFailed(addr, frames)) : frames[0].reply;
          if (--left === 0) done(replies);
        },
        true,
      );
    });
  }

  /** MGET / MSET / DEL & co over several slots (`slots[i]`: the slot of argv[keys[i]]): one command per slot, answers merged in order. */
  private split(argv: string[], keys: number[], slots: number[], how: 'values' | 'ok' | 'sum', done: (out: Buffer | string) => void): void {
    const bySlot = new Map<number, number[]>();
    keys.forEach((k, i) => {
      let l = bySlot.get(slots[i]);
      if (l === undefined) bySlot.set(slots[i], (l = []));
      l.push(k);
    });
    const parts = [...bySlot];
    const replies = new Array<Reply>(parts.length);
    let left = parts.length;
    const reader = new ReplyReader();
    parts.forEach(([slot, idx], i) => {
      const sub = [argv[0]];
      for (const k of idx) {
        sub.push(argv[k]);
        if (how === 'ok') sub.push(argv[k + 1]); // MSET: key, value
      }
      this.route(slot, encodeCommand(sub), (out) => {
        reader.feed(typeof out === 'string' ? Buffer.from(out, 'latin1') : out);
        replies[i] = reader.next() ?? new ReplyError('ERR hoard-proxy: truncated reply');
        if (--left > 0) return;
        const e = firstError(replies);
        if (e !== null) return done(e);
        if (how === 'ok') return done(OK);
        if (how === 'sum') return done(`:${replies.reduce<number>((n, r) => n + (typeof r === 'number' ? r : 0), 0)}\r\n`);
        // MGET: each key's value back at its place in the request.
        const values = new Array<Reply>(keys.length);
        const at = new Map<number, number>(keys.map((k, j) => [k, j]));
        parts.forEach(([, idx2], pi) => {
          const r = replies[pi] as Reply[];
          idx2.forEach((k, j) => (values[at.get(k)!] = r[j] ?? null));
        });
        done(encodeReply(values));
      });
    });
  }

  /** A blocking command on a connection of its own: a shared one would hold everyone behind it. */
  private blocking(c: ProxyClient, slot: number, argv: string[], p: Pending): void {
    const addr = this.owners[slot];
    if (addr === undefined) return this.answer(c, p, err('CLUSTERDOWN Hash slot not served'));
    const l = new NodeLink(addr);
    c.blockingLinks.add(l);
    l.send(encodeCommand(argv), 1, (frames) => {
      c.blockingLinks.delete(l);
      l.close();
      if (frames instanceof Error) return this.answer(c, p, err(nodeFailed(addr, frames)));
      const r = frames[0].reply;
      // Moved while it waited (or before): once more the normal way, which follows the redirection.
      if (r instanceof ReplyError && /^(MOVED|ASK) /.test(r.message)) {
        if (r.message.startsWith('MOVED')) void this.refresh().catch(() => {});
        return this.route(slot, encodeCommand(argv), (out) => this.answer(c, p, out));
      }
      this.answer(c, p, frames[0].bytes);
    });
  }

  // ---- MULTI / EXEC -------------------------------------------------------------------------------

  /** A command inside MULTI: checked as a node would at queue time, then +QUEUED. */
  private queueInMulti(c: ProxyClient, argv: string[]): string {
    const m = c.multi!;
    const name = argv[0].toLowerCase();
    const spec = this.specOf(argv);
    const refuse = (msg: string) => {
      m.dirty = true;
      return err(msg);
    };
    if (spec === undefined) return refuse(`ERR unknown command '${argv[0]}', with args beginning with: ${argv.slice(1).map((a) => `'${a}' `).join('')}`);
    if (!arityOk(spec, argv.length)) return refuse(`ERR wrong number of arguments for '${name}' command`);
    if ((spec.bits & F.pubsub) !== 0 || UNSUPPORTED.has(name) || name === 'select') return refuse(`ERR '${name}' is not supported inside MULTI by hoard-proxy`);
    for (const k of keyIndexes(spec, argv)) {
      const s = keyHashSlot(argv[k]);
      if (m.slot === -1) m.slot = s;
      else if (s !== m.slot) return refuse("CROSSSLOT Keys in request don't hash to the same slot");
    }
    m.cmds.push(argv);
    return '+QUEUED\r\n';
  }

  private exec(c: ProxyClient, p: Pending): void {
    const m = c.multi;
    if (m === null) return this.answer(c, p, err('ERR EXEC without MULTI'));
    c.multi = null;
    if (m.dirty) return this.answer(c, p, err('EXECABORT Transaction discarded because of previous errors.'));
    let payload = encodeCommand(['MULTI']);
    for (const a of m.cmds) payload += encodeCommand(a);
    payload += encodeCommand(['EXEC']);
    this.execOn(m.slot, payload, m.cmds.length + 2, (out) => this.answer(c, p, out), 0);
  }

  /** Sends a whole transaction; when its commands were MOVED, once more to the new owner. */
  private execOn(slot: number, payload: string, n: number, done: (out: Buffer | string) => void, attempt: number): void {
    const addr = slot === -1 ? this.primaries()[0] : this.owners[slot];
    if (addr === undefined) return done(err('CLUSTERDOWN Hash slot not served'));
    this.link(addr).send(payload, n, (frames) => {
      if (frames instanceof Error) return done(err(nodeFailed(addr, frames)));
      const moved = frames.slice(1, -1).map((f) => (f.reply instanceof ReplyError ? /^MOVED (\d+) (\S+)$/.exec(f.reply.message) : null)).find((x) => x !== null);
      if (moved != null && attempt < MAX_REDIRECTS) {
        this.stats.moved++;
        this.owners[Number(moved[1])] = moved[2];
        void this.refresh().catch(() => {});
        return this.execOn(slot, payload, n, done, attempt + 1);
      }
      done(frames[frames.length - 1].bytes);
    });
  }
}

/** The error a command gets when its node could not be reached or its link dropped. */
function nodeFailed(addr: string, e: Error): string {
  return `ERR hoard-proxy: node ${addr}: ${e.message}`;
}

function firstError(replies: Reply[]): string | null {
  for (const r of replies) if (r instanceof ReplyError) return err(r.message);
  return null;
}

function toBuffer(o: Buffer | string): Buffer {
  return typeof o === 'string' ? Buffer.from(o, 'latin1') : o;
}
