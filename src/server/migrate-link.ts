// MIGRATE's connections to other servers (Redis 7.0 cluster.c migrateGetSocket, syncWrite,
// syncReadLine, migrateCloseTimedoutSockets): Redis does MIGRATE's network I/O synchronously, so
// the key is on one server or the other at any moment and no command on the source runs between
// the DUMP and the DEL. Node has no blocking sockets, so the I/O runs in a worker thread with its
// own event loop while the main thread waits on a shared flag (Atomics.wait): the same blocking,
// bounded by the same timeouts, without which a write to a key in flight could be lost.
//
// Invariants:
// - One request at a time (the main thread is blocked while it runs). Each carries an id; a
//   reply with another id (one whose wait was abandoned) is dropped.
// - `timeout` bounds every step that waits (connect, each write, each reply line), as Redis's
//   per-call timeouts do; the main thread's own wait is a generous multiple of it, only there
//   so that a dead worker cannot hang the server: a worker that misses it is replaced.
// - Sockets are cached per host:port (at most 64, Redis's MIGRATE_SOCKET_CACHE_ITEMS) with the
//   db their last successful MIGRATE selected; one idle for 10 s is closed. Any I/O error or
//   error reply forgets the selected db (and an I/O error the socket).
// - Redis's retry: a socket error that is not a timeout, before the first RESTORE reply was
//   read, reconnects and sends everything once more.

import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/**
 * One MIGRATE's transfer, its commands already in RESP: `body` holds the RESTOREs, `replies`
 * their number; `select` (SELECT dbid) goes first when the socket's last db is not `dbid`.
 */
export interface MigrateRequest {
  host: string;
  port: number;
  timeoutMs: number;
  dbid: number;
  /** The AUTH command to send before everything, or null. */
  auth: Buffer | null;
  select: Buffer;
  body: Buffer;
  replies: number;
}

/** Where the transfer failed, as Redis's IOERR texts name it; null when it did not. */
export type MigrateIoError = 'connecting' | 'writing' | 'reading' | null;

export interface MigrateResult {
  /** AUTH's reply line (without CRLF) when AUTH was sent, else null. */
  authLine: string | null;
  /** SELECT's reply line when SELECT was sent, else null. */
  selectLine: string | null;
  /** The RESTORE replies read, in order: fewer than requested when ioError is 'reading'. */
  lines: string[];
  ioError: MigrateIoError;
}

interface Envelope extends MigrateRequest {
  id: number;
}

interface WorkerReply extends MigrateResult {
  id: number;
}

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 64;

/**
 * The worker's code. It runs in another isolate, so it uses nothing from this module: what it
 * needs comes in as arguments, and the function's source is what the Worker evaluates.
 */
function migrateWorker(
  wt: typeof import('node:worker_threads'),
  net: typeof import('node:net'),
  ttlMs: number,
  maxSockets: number,
): void {
  const { port, flag } = wt.workerData as { port: MessagePort; flag: Int32Array };

  class IoFailure extends Error {
    constructor(
      readonly where: 'connecting' | 'writing' | 'reading',
      readonly timedOut: boolean,
    ) {
      super(where);
    }
  }

  /** A cached connection: a line reader over the socket, whose waits fail on error or timeout. */
  class Conn {
    lastDbid = -1;
    lastUse = Date.now();
    private buf = '';
    private failure: IoFailure | null = null;
    private wake: (() => void) | null = null;

    constructor(
      readonly name: string,
      readonly sock: import('node:net').Socket,
    ) {
      sock.setEncoding('latin1');
      sock.setNoDelay(true);
      sock.on('data', (d: string) => {
        this.buf += d;
        this.poke();
      });
      sock.on('error', () => this.fail(false));
      sock.on('close', () => {
        this.fail(false);
        // A cached socket the other side closed while idle leaves the cache at once.
        if (cache.get(name) === this) {
          cache.delete(name);
          publishCount();
        }
      });
      sock.on('timeout', () => {
        this.fail(true);
        sock.destroy();
      });
    }

    private fail(timedOut: boolean): void {
      if (this.failure === null) this.failure = new IoFailure('reading', timedOut);
      this.poke();
    }

    private poke(): void {
      const w = this.wake;
      this.wake = null;
      if (w !== null) w();
    }

    private waitEvent(): Promise<void> {
      return new Promise((resolve) => (this.wake = resolve));
    }

    async connect(timeoutMs: number, host: string, port: number): Promise<void> {
      this.sock.setTimeout(timeoutMs);
      let connected = false;
      this.sock.once('connect', () => {
        connected = true;
        this.poke();
      });
      this.sock.connect(port, host);
      while (!connected) {
        // A refused connection is a write error in Redis (its connect is non-blocking and the
        // first write finds the error); a connect that times out is its own error.
        if (this.failure !== null) throw new IoFailure(this.failure.timedOut ? 'connecting' : 'writing', this.failure.timedOut);
        await this.waitEvent();
      }
    }

    /** Writes the chunks in order; resolves once the last one reached the kernel. */
    async write(chunks: readonly Uint8Array[]): Promise<void> {
      let done = false;
      let err = false;
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.sock.write(chunks[i]);
      this.sock.write(chunks[last], (e) => {
        done = true;
        err = e !== undefined && e !== null;
        this.poke();
      });
      while (!done) {
        if (this.failure !== null) throw new IoFailure('writing', this.failure.timedOut);
        await this.waitEvent();
      }
      if (err) throw new IoFailure('writing', false);
    }

    async readLine(): Promise<string> {
      for (;;) {
        const i = this.buf.indexOf('\r\n');
        if (i >= 0) {
          const line = this.buf.slice(0, i);
          this.buf = this.buf.slice(i + 2);
          return line;
        }
        if (this.failure !== null) throw this.failure;
        await this.waitEvent();
      }
    }
  }

  const cache = new Map<string, Conn>();
  const publishCount = (): void => void Atomics.store(flag, 1, cache.size);

  function forget(name: string): void {
    const c = cache.get(name);
    if (c === undefined) return;
    cache.delete(name);
    c.sock.destroy();
    publishCount();
  }

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [name, c] of cache) if (now - c.lastUse > ttlMs) forget(name);
  }, 1000);
  sweep.unref();

  async function attempt(req: Envelope, mayRetry: boolean): Promise<WorkerReply> {
    const name = req.host + ':' + req.port;
    let conn = cache.get(name);
    let select = false;
    const lines: string[] = [];
    try {
      if (conn === undefined) {
        // Redis closes a random one when the cache is full.
        if (cache.size >= maxSockets) forget([...cache.keys()][Math.floor(Math.random() * cache.size)]);
        conn = new Conn(name, new net.Socket());
        await conn.connect(req.timeoutMs, req.host, req.port);
        cache.set(name, conn);
        publishCount();
      }
      conn.sock.setTimeout(req.timeoutMs);
      conn.lastUse = Date.now();
      select = conn.lastDbid !== req.dbid;
      const out: Uint8Array[] = [];
      if (req.auth !== null) out.push(req.auth);
      if (select) out.push(req.select);
      if (req.body.length > 0) out.push(req.body);
      if (out.length > 0) await conn.write(out);
      const authLine = req.auth !== null ? await conn.readLine() : null;
      const selectLine = select ? await conn.readLine() : null;
      let ioError: 'reading' | null = null;
      for (let j = 0; j < req.replies; j++) {
        try {
          lines.push(await conn.readLine());
        } catch (e) {
          if (!(e instanceof IoFailure)) throw e;
          // Nothing was acknowledged yet and it was not a timeout: Redis's one retry.
          if (j === 0 && !e.timedOut && mayRetry) throw e;
          ioError = 'reading';
          break;
        }
      }
      const failed = (authLine !== null && authLine[0] === '-') || (selectLine !== null && selectLine[0] === '-') || lines.some((l) => l[0] === '-');
      if (ioError !== null) forget(name);
      else {
        conn.lastDbid = failed ? -1 : req.dbid;
        conn.sock.setTimeout(0); // idle in the cache: only the 10 s sweep closes it
      }
      return { id: req.id, authLine, selectLine, lines, ioError };
    } catch (e) {
      if (!(e instanceof IoFailure)) throw e;
      forget(name);
      if (e.where === 'connecting') return { id: req.id, authLine: null, selectLine: null, lines: [], ioError: 'connecting' };
      if (!e.timedOut && mayRetry) return attempt(req, false);
      const where = e.where === 'writing' ? 'writing' : 'reading';
      return { id: req.id, authLine: null, selectLine: null, lines: [], ioError: where };
    }
  }

  port.on('message', (req: Envelope) => {
    attempt(req, true)
      .catch((): WorkerReply => ({ id: req.id, authLine: null, selectLine: null, lines: [], ioError: 'writing' }))
      .then((reply) => {
        port.postMessage(reply);
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
  });
}

/** The main thread's side: starts the worker on first use and waits for each transfer. */
export class MigrateLink {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flag: Int32Array | null = null;
  private nextId = 1;

  /** Sockets the worker keeps open (INFO's migrate_cached_sockets). */
  get cachedSockets(): number {
    return this.flag === null ? 0 : Atomics.load(this.flag, 1);
  }

  /** Runs one transfer, blocking this thread until it ends (see the file comment). */
  transfer(req: MigrateRequest): MigrateResult {
    this.start();
    const flag = this.flag!;
    const port = this.port!;
    const id = this.nextId++;
    Atomics.store(flag, 0, 0);
    const env: Envelope = { ...req, id };
    port.postMessage(env);
    // Every wait in the worker is bounded by timeoutMs; a retry doubles them.
    const guardMs = 2 * (4 + req.replies) * req.timeoutMs + 5000;
    const deadline = Date.now() + guardMs;
    // Drain, then sleep while the flag is 0. A reply posted after the drain sets the flag, so
    // the wait returns at once and the next drain finds it; a stale reply (of a call given up)
    // is dropped by its id.
    for (;;) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const r = m.message as WorkerReply;
        if (r.id === id) return { authLine: r.authLine, selectLine: r.selectLine, lines: r.lines, ioError: r.ioError };
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.stop();
        return { authLine: null, selectLine: null, lines: [], ioError: 'reading' };
      }
      Atomics.wait(flag, 0, 0, left);
      Atomics.store(flag, 0, 0);
    }
  }

  /** Closes every cached socket (server shutdown). */
  stop(): void {
    if (this.worker !== null) void this.worker.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
    this.flag = null;
  }

  private start(): void {
    if (this.worker !== null) return;
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const { port1, port2 } = new MessageChannel();
    const source =
      `const __name = (f) => f;\n(${migrateWorker.toString()})(require('node:worker_threads'), require('node:net'), ${CACHE_TTL_MS}, ${CACHE_MAX});`;
    const w = new Worker(source, { eval: true, workerData: { port: port2, flag }, transferList: [port2] });
    w.unref();
    // A worker that dies is replaced at the next MIGRATE (the wait above gives up on it).
    w.on('error', () => {
      if (this.worker === w) this.stop();
    });
    this.worker = w;
    port1.unref();
    this.port = port1;
    this.flag = flag;
  }
}
