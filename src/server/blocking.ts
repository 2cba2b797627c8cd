// Blocking operations on keys (Redis blocked.c + the list half of t_list.c's blocking code):
// clients parked by BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (and any family that blocks on a key),
// the per-key FIFO queues that make waking fair, the "ready keys" served after each command,
// the timeouts, and the cleanup when a blocked client goes away.
//
// Invariants:
// - A blocked client has `paused` set (client.ts stops processing its input), exactly one
//   Blocked record (in `byClient`), one Waiter in the queue of each distinct key it waits for
//   (per db index), and a place in the timeout heap iff its timeout is not 0 (forever).
// - Each key's queue is in blocking order, so the client that blocked first is served first
//   (Redis's serveClientsBlockedOnListKey walks db->blocking_keys[key] from the head).
// - A key is "ready" at most once at a time (per-db `readySets`), and ready keys are served in
//   the order they were signalled, after the command (or MULTI/EXEC) that signalled them and
//   before the next command runs (client.ts calls handleReadyKeys after each processCommand).
//   Serving may signal more keys (BLMOVE pushes): the loop runs until none is left.
// - After a round, no waiter's key holds a value of the type it waits for: every waiter whose
//   key got one was served (the family's `serve` always replies and unblocks).
//
// What the server wires: `signalCommandKeys` after every write command (a key created by
// RENAME, COPY, RESTORE, MOVE... wakes its waiters, as Redis's dbAdd → signalKeyAsReady does),
// `handleReadyKeys` after each command, `signalKeyAsReady` for the DELs of expiry and eviction
// too (a deleted key answers the waiters that want to know), `clientGone` on disconnect; INFO clients reads
// `blocked_clients` and `clients_in_timeout_table` from here. The families call `block`,
// `canBlock` and `signalKeyAsReady` (when they create a key of a type someone may wait for),
// through BlockingApi (commands/types.ts, which also declares their BlockedRequest); CLIENT
// UNBLOCK calls `unblock`.
//
// Timeouts use the process's monotonic clock, not the keyspace clock: a block timeout is a
// wall-time promise to a client, not keyspace time (Redis uses mstime() for it too), and one
// timer is armed for the earliest deadline of a binary heap, so thousands of blocked clients
// cost one pending timer and O(log n) per block/unblock.

import { performance } from 'node:perf_hooks';
import { F, type BlockedRequest, type BlockingApi, type CommandContext, type CommandSpec } from '../commands/types.js';
import { typeOf } from '../keyspace/index.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** The reply of CLIENT UNBLOCK <id> ERROR (Redis 7.0 blocked.c). */
export const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';
/** What blocked clients get when the instance becomes a replica (disconnectAllBlockedClients). */
export const UNBLOCKED_ROLE_CHANGE = 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)';

/** setTimeout's maximum delay; a later deadline re-arms when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One client's place in one key's queue (a doubly linked list: O(1) removal on unblock). */
class Waiter {
  prev: Waiter | null = null;
  next: Waiter | null = null;
  constructor(
    readonly rec: Blocked,
    readonly key: string,
    readonly queue: KeyQueue,
  ) {}
}

class KeyQueue {
  head: Waiter | null = null;
  tail: Waiter | null = null;
}

/** A blocked client (Redis's client->bpop). */
class Blocked {
  readonly waiters: Waiter[] = [];
  /** Position in the timeout heap; -1 when not in it (timeout 0 = forever). */
  heapIndex = -1;
  /**
   * CLIENT REPLY OFF or SKIP was in force for the blocking command: its late reply is dropped
   * too (observed on 7.0.15). The mode cannot change while the client is blocked.
   */
  readonly muted: boolean;
  constructor(
    readonly client: Client,
    readonly db: number,
    readonly req: BlockedRequest,
    /** performance.now() milliseconds; Infinity = no timeout. */
    readonly deadline: number,
  ) {
    this.muted = client.replyMode !== 'on';
  }
}

export class Blocking implements BlockingApi {
  /** Clients blocked right now (INFO clients `blocked_clients`). */
  count = 0;
  private readonly byClient = new Map<Client, Blocked>();
  /** db index → key → queue of waiters; a queue is removed when its last waiter leaves. */
  private readonly queues: Array<Map<string, KeyQueue> | undefined> = [];
  /** Ready keys in signalling order: db indexes and keys, in two parallel arrays. */
  private readyDbs: number[] = [];
  private readyKeys: string[] = [];
  private readonly readySets: Array<Set<string> | undefined> = [];
  private handling = false;
  private drainScheduled = false;
  /** Min-heap of blocked clients by deadline. */
  private readonly heap: Blocked[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  /** Clients unblocked this turn whose pipelined input is still to be processed. */
  private unblocked: Client[] = [];
  private unblockedScheduled = false;

  constructor(private readonly server: Server) {
    server.clientClosedHooks.push((c) => this.clientGone(c));
    // INFO clients, through the server's contribution hook (chained: a contributor to this
    // section registered earlier keeps its fields). Redis's clients_in_timeout_table holds the
    // blocked clients that have a timeout.
    const prev = server.infoSections.get('clients');
    server.infoSections.set('clients', () => {
      const fields = prev !== undefined ? prev() : [];
      fields.push(['blocked_clients', this.count], ['clients_in_timeout_table', this.heap.length]);
      return fields;
    });
  }

  /** Keys signalled and not yet served (client.ts checks it after each command: one load). */
  get readyCount(): number {
    return this.readyKeys.length;
  }

  isBlocked(c: CommandContext): boolean {
    return this.byClient.has(c as Client);
  }

  /**
   * False where Redis sets CLIENT_DENY_BLOCKING: inside EXEC (and, when they exist, scripts);
   * the command then acts as if its timeout had passed at once.
   */
  canBlock(c: CommandContext): boolean {
    return !(c as Client).inExec;
  }

  /**
   * Redis's blockForKeys: parks `c` on `keys` (argv positions [from, to) of `argv`; duplicates
   * count once) until one of them can serve `req`, or `timeoutMs` passes (0 = forever). The
   * handler must not reply: the reply is written when the client is served or times out.
   */
  block(c: CommandContext, argv: readonly string[], from: number, to: number, timeoutMs: number, req: BlockedRequest): void {
    const client = c as Client;
    if (this.byClient.has(client)) {
      throw Object.assign(new Error(`client ${client.id} is already blocked`), { code: 'BLOCKING_STATE' });
    }
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    const rec = new Blocked(client, client.dbIndex, req, deadline);
    let map = this.queues[rec.db];
    if (map === undefined) this.queues[rec.db] = map = new Map();
    outer: for (let i = from; i < to; i++) {
      const key = argv[i];
      for (let j = 0; j < rec.waiters.length; j++) if (rec.waiters[j].key === key) continue outer;
      let q = map.get(key);
      if (q === undefined) map.set(key, (q = new KeyQueue()));
      const w = new Waiter(rec, key, q);
      w.prev = q.tail;
      if (q.tail !== null) q.tail.next = w;
      else q.head = w;
      q.tail = w;
      rec.waiters.push(w);
    }
    this.byClient.set(client, rec);
    this.count++;
    client.paused = true;
    if (deadline !== Infinity) {
      this.heapPush(rec);
      this.armTimer();
    }
  }

  /**
   * Redis's signalKeyAsReady: `key` in db `db` may now serve its waiters (a list was created,
   * a value was written). O(1) and allocation-free when nobody waits for it.
   */
  signalKeyAsReady(db: number, key: string): void {
    if (this.count === 0) return;
    const map = this.queues[db];
    if (map === undefined || !map.has(key)) return;
    let set = this.readySets[db];
    if (set === undefined) this.readySets[db] = set = new Set();
    if (set.has(key)) return;
    set.add(key);
    this.readyDbs.push(db);
    this.readyKeys.push(key);
    // client.ts serves ready keys right after the command; this is the safety net for a write
    // that did not come through processCommand (it finds nothing to do in the usual case).
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(this.drainReady);
    }
  }

  private readonly drainReady = (): void => {
    this.drainScheduled = false;
    if (this.readyKeys.length !== 0) this.handleReadyKeys();
  };

  /**
   * After a write command (client.ts call()), while someone is blocked: signals the keys the
   * command names — in every db, since MOVE and COPY ... DB write a key of that name into
   * another db — or, for a keyless write (SWAPDB, FLUSHALL, FLUSHDB), every key waited for.
   * Serving checks what the key holds, so a signal for a key that did not become servable
   * costs one lookup. Blocking commands are skipped: they signal what they create themselves.
   */
  signalCommandKeys(spec: CommandSpec, argv: readonly string[]): void {
    if ((spec.bits & F.blocking) !== 0) return;
    if (spec.getKeys !== undefined) {
      const idx = spec.getKeys(argv);
      for (let i = 0; i < idx.length; i++) this.signalEverywhere(argv[idx[i]]);
      return;
    }
    if (spec.firstKey <= 0) {
      this.signalAll();
      return;
    }
    const last = spec.lastKey >= 0 ? spec.lastKey : argv.length + spec.lastKey;
    const step = spec.step > 0 ? spec.step : 1;
    for (let i = spec.firstKey; i <= last && i < argv.length; i += step) this.signalEverywhere(argv[i]);
  }

  private signalEverywhere(key: string): void {
    for (let db = 0; db < this.queues.length; db++) {
      const map = this.queues[db];
      if (map !== undefined && map.size > 0 && map.has(key)) this.signalKeyAsReady(db, key);
    }
  }

  /** Redis's scanDatabaseForReadyKeys, for every db: signals every key someone waits for. */
  signalAll(): void {
    for (let db = 0; db < this.queues.length; db++) {
      const map = this.queues[db];
      if (map === undefined) continue;
      for (const key of map.keys()) this.signalKeyAsReady(db, key);
    }
  }

  /**
   * Redis's handleClientsBlockedOnKeys: serves the waiters of every ready key, first blocked
   * first served, until no key is ready (serving a BLMOVE may make its destination ready).
   * Re-entrant calls return at once: the outer loop picks up what they would have served.
   */
  handleReadyKeys(): void {
    if (this.handling) return;
    this.handling = true;
    try {
      for (let i = 0; i < this.readyKeys.length; i++) {
        const db = this.readyDbs[i];
        const key = this.readyKeys[i];
        // Unmark first, so serving may signal this key again.
        this.readySets[db]?.delete(key);
        this.serveKey(db, key);
      }
    } finally {
      // Every set is empty by now, unless serving failed: then no key may stay marked forever.
      for (const set of this.readySets) set?.clear();
      this.readyDbs.length = 0;
      this.readyKeys.length = 0;
      this.handling = false;
    }
  }

  private serveKey(dbIndex: number, key: string): void {
    const q = this.queues[dbIndex]?.get(key);
    if (q === undefined) return;
    // May expire the key (and propagate its DEL), as Redis's lookupKeyReadWithFlags does here.
    const v = this.server.ks.dbs[dbIndex].peekValue(key);
    if (v === undefined) {
      this.serveDeleted(q, key);
      return;
    }
    const type = typeOf(v);
    let w = q.head;
    while (w !== null) {
      // Serving unlinks `w` (and the client's other waiters, which are in other queues).
      const next = w.next;
      const rec = w.rec;
      if (rec.req.type === type) {
        let more = true;
        const before = rec.client.reply.length;
        try {
          more = rec.req.serve(rec.client, key);
        } catch (err) {
          this.server.logger.error({ err, client: rec.client.id }, 'serving a blocked client failed: this is a bug in Hoard, please report it');
          rec.client.reply.error('ERR internal error while serving a blocked client');
        }
        if (rec.muted) rec.client.reply.truncate(before);
        this.release(rec);
        this.resume(rec.client);
        if (!more) return;
      }
      w = next;
    }
  }

  /**
   * Redis's signalDeletedKeyAsReady: `key` is gone. The waiters that answer a deletion
   * (XREADGROUP: "UNBLOCKED the stream key no longer exists") are unblocked with that answer;
   * the others keep waiting for the key to come back.
   */
  private serveDeleted(q: KeyQueue, key: string): void {
    let w = q.head;
    while (w !== null) {
      const next = w.next;
      const rec = w.rec;
      const req = rec.req;
      if (req.keyDeleted !== undefined) {
        const before = rec.client.reply.length;
        if (req.keyDeleted(rec.client, key)) {
          if (rec.muted) rec.client.reply.truncate(before);
          this.release(rec);
          this.resume(rec.client);
        }
      }
      w = next;
    }
  }

  /** The client went away (disconnect, CLIENT KILL): forget it, no reply. */
  clientGone(c: Client): void {
    const rec = this.byClient.get(c);
    if (rec !== undefined) this.release(rec);
  }

  /**
   * CLIENT UNBLOCK: ends a block as a timeout (`error` false) or with the UNBLOCKED error.
   * Returns false if the client was not blocked here.
   */
  unblock(c: CommandContext, error: boolean): boolean {
    const rec = this.byClient.get(c as Client);
    if (rec === undefined) return false;
    const before = rec.client.reply.length;
    if (error) rec.client.reply.error(UNBLOCKED_ERROR);
    else rec.req.timedOut(rec.client);
    if (rec.muted) rec.client.reply.truncate(before);
    this.release(rec);
    this.resume(rec.client);
    return true;
  }

  redirectBlocked(redirect: (db: number, key: string) => string | null): void {
    if (this.count === 0) return;
    for (const rec of [...this.byClient.values()]) {
      let err: string | null = null;
      for (let i = 0; i < rec.waiters.length && err === null; i++) err = redirect(rec.db, rec.waiters[i].key);
      if (err === null) continue;
      const before = rec.client.reply.length;
      rec.client.reply.error(err);
      if (rec.muted) rec.client.reply.truncate(before);
      this.release(rec);
      this.resume(rec.client);
    }
  }

  /**
   * Redis's disconnectAllBlockedClients, for a primary that turns into a replica: every blocked
   * client gets the UNBLOCKED error and is closed once it is written.
   */
  disconnectAll(): void {
    for (const rec of [...this.byClient.values()]) {
      rec.client.reply.error(UNBLOCKED_ROLE_CHANGE);
      rec.client.closeAfterReply();
      this.release(rec);
      this.resume(rec.client);
    }
  }

  /** Removes a blocked client from every queue, the heap and the count; no reply, no resume. */
  private release(rec: Blocked): void {
    if (this.byClient.get(rec.client) !== rec) return;
    this.byClient.delete(rec.client);
    this.count--;
    const map = this.queues[rec.db];
    for (let i = 0; i < rec.waiters.length; i++) {
      const w = rec.waiters[i];
      const q = w.queue;
      if (w.prev !== null) w.prev.next = w.next;
      else q.head = w.next;
      if (w.next !== null) w.next.prev = w.prev;
      else q.tail = w.prev;
      w.prev = w.next = null;
      if (q.head === null && map !== undefined && map.get(w.key) === q) map.delete(w.key);
    }
    if (rec.heapIndex >= 0) {
      this.heapRemove(rec);
      this.armTimer();
    }
  }

  /**
   * An unblocked client: its reply goes out with this turn's writes, and its pipelined input is
   * processed once the current command path has unwound (Redis's processUnblockedClients in
   * beforeSleep), so a command never runs inside another client's command.
   */
  private resume(c: Client): void {
    c.paused = false;
    if (c.closed) return;
    this.server.scheduleWrite(c);
    this.unblocked.push(c);
    if (!this.unblockedScheduled) {
      this.unblockedScheduled = true;
      setImmediate(this.processUnblocked);
    }
  }

  private readonly processUnblocked = (): void => {
    this.unblockedScheduled = false;
    const list = this.unblocked;
    this.unblocked = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (!c.closed && !c.paused) c.processInput();
    }
  };

  // ---- timeouts ------------------------------------------------------------------------------

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    const now = performance.now();
    const heap = this.heap;
    while (heap.length > 0 && heap[0].deadline <= now) {
      const rec = heap[0];
      const before = rec.client.reply.length;
      rec.req.timedOut(rec.client);
      if (rec.muted) rec.client.reply.truncate(before);
      this.release(rec);
      this.resume(rec.client);
    }
    this.armTimer();
  };

  /** Keeps one timer armed for the earliest deadline (none when nobody has a timeout). */
  private armTimer(): void {
    const top = this.heap[0];
    if (top === undefined) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer !== null && this.timerAt <= top.deadline) return;
    if (this.timer !== null) clearTimeout(this.timer);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(top.deadline - performance.now())));
    this.timer = setTimeout(this.onTimer, delay);
    this.timer.unref();
    this.timerAt = top.deadline;
  }

  private heapPush(rec: Blocked): void {
    rec.heapIndex = this.heap.length;
    this.heap.push(rec);
    this.siftUp(rec.heapIndex);
  }

  private heapRemove(rec: Blocked): void {
    const heap = this.heap;
    const i = rec.heapIndex;
    const last = heap.pop()!;
    rec.heapIndex = -1;
    if (last === rec) return;
    heap[i] = last;
    last.heapIndex = i;
    this.siftDown(i);
    this.siftUp(last.heapIndex);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const rec = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p].deadline <= rec.deadline) break;
      heap[i] = heap[p];
      heap[i].heapIndex = i;
      i = p;
    }
    heap[i] = rec;
    rec.heapIndex = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const rec = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && heap[r].deadline < heap[l].deadline ? r : l;
      if (heap[m].deadline >= rec.deadline) break;
      heap[i] = heap[m];
      heap[i].heapIndex = i;
      i = m;
    }
    heap[i] = rec;
    rec.heapIndex = i;
  }
}
