// Probes the command suites share: RawConn (in-process: one command in, its raw reply bytes
// out, for exact RESP2/RESP3 framing and numbers beyond 2^53), RawSocket (the same over TCP, for
// comparing Hoard's bytes with redis-server's), and on any backend (in-process or a raw socket,
// see openFrames): RawFrames (every decoded frame in arrival order: pub/sub messages, pushes)
// and EventListener (a keyspace-event subscriber drained up to a PING's reply).

import net from 'node:net';
import { expect } from 'vitest';
import { encodeArgs, LocalConn, type Arg, type Backend } from './backends.js';
import { RespDecoder, ReplyError } from './resp-decoder.js';
import type { SuiteContext } from './suite.js';
import type { Server } from '../../src/server/server.js';

/** A connection to the suite's backend that hands every decoded frame to `onFrame`. */
export interface FrameTransport {
  send(bytes: Buffer): void;
  close(): void;
  /** The in-process connection, null over TCP. */
  local: LocalConn | null;
}

/**
 * Opens a connection to the suite's backend: an in-process LocalConn, or a raw TCP socket whose
 * frames are decoded here. `onClose` runs when a TCP connection closes.
 */
export async function openFrames(t: SuiteContext, onFrame: (v: unknown) => void, onClose?: () => void): Promise<FrameTransport> {
  const b = t.backend;
  if (b.name === 'in-process') {
    const lc = new LocalConn(b.server!);
    lc.tap = onFrame;
    return { send: (bytes) => lc.write(bytes), close: () => lc.client.kill(), local: lc };
  }
  const sock = net.connect(b.port!, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  const dec = new RespDecoder();
  sock.on('data', (d: Buffer) => {
    dec.feed(d);
    for (let r = dec.next(); r !== null; r = dec.next()) onFrame(r.value);
  });
  if (onClose !== undefined) sock.on('close', onClose);
  sock.on('error', () => {});
  return { send: (bytes) => sock.write(bytes), close: () => sock.destroy(), local: null };
}

/** A raw in-process connection: one command in, its raw reply bytes (latin1) out. */
export class RawConn {
  private readonly decoder = new RespDecoder({ stringNumbers: true });
  private out = '';
  private waiting: ((raw: string) => void) | null = null;
  private readonly client;
  /**
   * `target`: a backend (its server) or a server. `latin1`: string arguments are sent one byte
   * per char (binary values), else as UTF-8.
   */
  constructor(
    target: Backend | Server,
    private readonly latin1 = false,
  ) {
    const server = 'connectLocal' in target ? target : target.server!;
    this.client = server.connectLocal((data) => {
      this.out += data;
      this.decoder.feed(Buffer.from(data, 'latin1'));
      if (this.waiting !== null && this.decoder.next() !== null) {
        const w = this.waiting;
        const raw = this.out;
        this.waiting = null;
        this.out = '';
        w(raw);
      }
    });
  }

  send(...args: Arg[]): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.client.onData(encodeArgs(this.latin1 ? args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a)) : args));
    });
  }
}

/** A keyspace-event subscriber (PSUBSCRIBE) on the suite's backend. */
export class EventListener {
  private frames: unknown[] = [];
  private wake: (() => void) | null = null;
  private constructor(
    private readonly send: (b: Buffer) => void,
    readonly close: () => void,
  ) {}

  static async open(t: SuiteContext): Promise<EventListener> {
    let l: EventListener | null = null;
    const tr = await openFrames(t, (v) => l!.push(v));
    l = new EventListener((bytes) => tr.send(bytes), () => tr.close());
    return l;
  }

  private push(v: unknown): void {
    this.frames.push(v);
    this.wake?.();
  }

  private async until(pred: () => boolean): Promise<void> {
    const deadline = Date.now() + 3000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('listener: timed out');
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  async subscribe(pattern: string): Promise<void> {
    this.send(encodeArgs(['PSUBSCRIBE', pattern]));
    await this.until(() => this.frames.length > 0);
    this.frames.shift();
  }

  /** "channel message" of every event received before a PING's reply. */
  async drain(): Promise<string[]> {
    this.send(encodeArgs(['PING']));
    const isPong = (f: unknown) => Array.isArray(f) && f[0] === 'pong';
    await this.until(() => this.frames.some(isPong));
    const out: string[] = [];
    for (const f of this.frames) {
      if (isPong(f)) break;
      const a = f as string[];
      out.push(`${a[2]} ${a[3]}`);
    }
    this.frames = [];
    return out;
  }
}

/** Raw reply bytes over a TCP socket (one reply per command). */
export class RawSocket {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
  }

  static async connect(port: number): Promise<RawSocket> {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    return new RawSocket(sock);
  }

  async send(args: Arg[]): Promise<string> {
    this.buf = Buffer.alloc(0);
    this.sock.write(encodeArgs(args));
    for (;;) {
      const d = new RespDecoder();
      d.feed(this.buf);
      if (d.next() !== null) return this.buf.toString('latin1');
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

/**
 * Values received and not yet read, and readers waiting for one: each value goes to the oldest
 * waiting reader, else is queued. An error reply is kept as { error: message }.
 */
export class FrameQueue {
  private readonly queue: unknown[] = [];
  private readonly waiters: Array<(v: unknown) => void> = [];

  push(v: unknown): void {
    const value = v instanceof ReplyError ? { error: v.message } : v;
    const w = this.waiters.shift();
    if (w) w(value);
    else this.queue.push(value);
  }

  /** The next value (waits up to `ms`; the timeout's error names it as `what`). */
  next(ms: number, what: string): Promise<any> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no ${what} within ${ms} ms`));
      }, ms);
      const done = (v: unknown) => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiters.push(done);
    });
  }
}

/** A raw connection on the suite's backend: commands in, every decoded frame out in arrival order. */
export class RawFrames {
  private readonly frames = new FrameQueue();
  private tr!: FrameTransport;

  private constructor() {}

  static async open(t: SuiteContext): Promise<RawFrames> {
    const raw = new RawFrames();
    raw.tr = await openFrames(t, (v) => raw.frames.push(v));
    return raw;
  }

  send(...args: Arg[]): void {
    this.tr.send(encodeArgs(args));
  }

  /** Sends the commands in one write: a pipeline the server reads, and runs, in one go. */
  sendPipeline(...cmds: Arg[][]): void {
    this.tr.send(Buffer.concat(cmds.map((c) => encodeArgs(c))));
  }

  /** The next value received (waits up to `ms`). */
  next(ms = 3000): Promise<any> {
    return this.frames.next(ms, 'frame');
  }

  /** Sends a command and returns its first frame. */
  async cmd(...args: Arg[]): Promise<any> {
    this.send(...args);
    return this.next();
  }

  /** Reads `n` frames. */
  async take(n: number): Promise<any[]> {
    const out: any[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  /** Nothing is pending (anything published before `sync` would arrive before PING's reply). */
  async sync(resp2Subscribed = true): Promise<void> {
    const pong = await this.cmd('PING');
    expect(pong).toEqual(resp2Subscribed ? ['pong', ''] : 'PONG');
  }

  close(): void {
    this.tr.close();
  }
}

/**
 * Sends one inline command on a fresh connection and resolves with the first line of the reply
 * (without its CRLF), then closes: for replies a client library would not hand over as they
 * are (PSYNC's +FULLRESYNC / +CONTINUE).
 */
export function rawLine(port: number, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('error', reject);
    s.on('connect', () => s.write(`${cmd}\r\n`));
    s.on('data', (d) => {
      got += d.toString('latin1');
      const nl = got.indexOf('\r\n');
      if (nl >= 0) {
        s.destroy();
        resolve(got.slice(0, nl));
      }
    });
  });
}
