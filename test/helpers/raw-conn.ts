// Probes the command suites share: RawConn (in-process: one command in, its raw reply bytes
// out, for exact RESP2/RESP3 framing and numbers beyond 2^53), RawSocket (the same over TCP, for
// comparing Hoard's bytes with redis-server's) and EventListener (a keyspace-event subscriber on
// any backend, in-process or over a raw socket, drained up to a PING's reply).

import net from 'node:net';
import { encodeArgs, LocalConn, type Arg, type Backend } from './backends.js';
import { RespDecoder } from './resp-decoder.js';
import type { SuiteContext } from './suite.js';

/** A raw in-process connection: one command in, its raw reply bytes (latin1) out. */
export class RawConn {
  private readonly decoder = new RespDecoder({ stringNumbers: true });
  private out = '';
  private waiting: ((raw: string) => void) | null = null;
  private readonly client;
  /** `latin1`: string arguments are sent one byte per char (binary values), else as UTF-8. */
  constructor(
    b: Backend,
    private readonly latin1 = false,
  ) {
    this.client = b.server!.connectLocal((data) => {
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
    const b = t.backend;
    if (b.name === 'in-process') {
      const lc = new LocalConn(b.server!);
      const l = new EventListener((bytes) => lc.write(bytes), () => lc.client.kill());
      lc.tap = (v) => l.push(v);
      return l;
    }
    const sock = net.connect(b.port!, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const dec = new RespDecoder();
    const l = new EventListener((bytes) => sock.write(bytes), () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      dec.feed(d);
      for (let r = dec.next(); r !== null; r = dec.next()) l.push(r.value);
    });
    sock.on('error', () => {});
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
