// Sentinel's connections to the instances it watches (Redis sentinel.c's instanceLink): one TCP
// connection speaking RESP2 as a client, a FIFO of callbacks for the replies to come, and the
// liveness times Redis keeps per link (connected since, last activity, last PING sent / PONG
// received). A link never throws into its owner: a broken connection, a protocol error or a
// timeout becomes one `closed` call, and every pending callback gets an Error reply.
//
// The reply reader is here rather than in protocol/ because protocol/ parses what clients send
// (commands); this reads what servers answer (status, error, integer, bulk, array, RESP2 only).

import net from 'node:net';
import { encodeCommand } from '../protocol/reply.js';

/** One decoded RESP2 reply. Error replies are ReplyError values, not thrown. */
export type Reply = string | number | null | ReplyError | Reply[];

export class ReplyError {
  constructor(readonly message: string) {}
}

/** Reads replies from a byte stream, complete replies only; a malformed byte ends the link. */
export class ReplyReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. Throws on bad syntax. */
  next(): Reply | undefined {
    const start = this.pos;
    const r = this.read();
    if (r === undefined) this.pos = start;
    return r;
  }

  private line(): string | undefined {
    const nl = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (nl < 0) return undefined;
    const s = this.buf.toString('latin1', this.pos, nl);
    this.pos = nl + 2;
    return s;
  }

  private read(): Reply | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const type = this.buf[this.pos++];
    const l = this.line();
    if (l === undefined) return undefined;
    switch (type) {
      case 0x2b: // +
        return l;
      case 0x2d: // -
        return new ReplyError(l);
      case 0x3a: // :
        return Number(l);
      case 0x24: {
        // $
        const n = Number(l);
        if (!Number.isInteger(n) || n < -1) throw new Error(`bad bulk length ${l}`);
        if (n === -1) return null;
        if (this.pos + n + 2 > this.buf.length) return undefined;
        const s = this.buf.toString('latin1', this.pos, this.pos + n);
        this.pos += n + 2;
        return s;
      }
      case 0x2a: {
        // *
        const n = Number(l);
        if (!Number.isInteger(n) || n < -1) throw new Error(`bad array length ${l}`);
        if (n === -1) return null;
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const e = this.read();
          if (e === undefined) return undefined;
          out.push(e);
        }
        return out;
      }
      default:
        throw new Error(`unexpected reply type byte 0x${type.toString(16)}`);
    }
  }
}

export interface LinkHandlers {
  /** The connection is up (commands may be sent; the ones sent before were queued by the socket). */
  connected(): void;
  /** A reply nobody waits for: pub/sub messages on a subscribed link. */
  push?(r: Reply): void;
  /** The link is gone (error, EOF or close()); called once. */
  closed(why: string): void;
}

export class Link {
  private sock: net.Socket | null = null;
  private readonly reader = new ReplyReader();
  private readonly pending: Array<(r: Reply) => void> = [];
  private ended = false;
  /** When the connection was opened (Redis's cc_conn_time / pc_conn_time). */
  readonly connTime = Date.now();
  /** Last byte received (Redis's pc_last_activity for the pub/sub link). */
  lastActivity = Date.now();
  connected = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly h: LinkHandlers,
  ) {
    const s = net.connect({ host, port, noDelay: true });
    this.sock = s;
    s.on('connect', () => {
      this.connected = true;
      this.h.connected();
    });
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', (err) => this.end(err.message));
    s.on('close', () => this.end('connection closed'));
  }

  get pendingCommands(): number {
    return this.pending.length;
  }

  /** Sends one command; `cb` gets its reply (a ReplyError on an error reply or a broken link). */
  send(argv: readonly string[], cb: (r: Reply) => void = () => {}): void {
    if (this.ended || this.sock === null) {
      cb(new ReplyError('link closed'));
      return;
    }
    this.pending.push(cb);
    this.sock.write(Buffer.from(encodeCommand(argv), 'latin1'));
  }

  /** This end's address on the connection (what a hello announces by default), or null if not connected. */
  localAddress(): string | null {
    const a = this.sock?.localAddress;
    if (a === undefined) return null;
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  close(): void {
    this.end('closed by sentinel');
  }

  private onData(d: Buffer): void {
    this.lastActivity = Date.now();
    this.reader.feed(d);
    for (;;) {
      let r: Reply | undefined;
      try {
        r = this.reader.next();
      } catch (err) {
        this.end(`protocol error: ${(err as Error).message}`);
        return;
      }
      if (r === undefined) return;
      // Pub/sub messages arrive unasked: an array whose first element is "message"/"pmessage".
      if (Array.isArray(r) && (r[0] === 'message' || r[0] === 'pmessage') && this.h.push !== undefined) {
        try {
          this.h.push(r);
        } catch (err) {
          this.end(`message handler failed: ${(err as Error).message}`);
          return;
        }
        continue;
      }
      const cb = this.pending.shift();
      try {
        if (cb !== undefined) cb(r);
        else this.h.push?.(r);
      } catch (err) {
        // A failing handler ends this link (it is reopened), never the process.
        this.end(`reply handler failed: ${(err as Error).message}`);
        return;
      }
      if (this.ended) return;
    }
  }

  private end(why: string): void {
    if (this.ended) return;
    this.ended = true;
    this.connected = false;
    this.sock?.destroy();
    this.sock = null;
    const err = new ReplyError(`link closed: ${why}`);
    for (const cb of this.pending.splice(0)) cb(err);
    this.h.closed(why);
  }
}
