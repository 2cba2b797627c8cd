// Sentinel's connections to the instances it watches (Redis sentinel.c's instanceLink): one TCP
// connection speaking RESP2 as a client, a FIFO of callbacks for the replies to come, and the
// liveness times Redis keeps per link (connected since, last activity, last PING sent / PONG
// received). A link never throws into its owner: a broken connection, a protocol error or a
// timeout becomes one `closed` call, and every pending callback gets an Error reply.
// Replies are decoded by protocol/reply-reader.ts.

import net from 'node:net';
import { encodeCommand } from '../protocol/reply.js';
import { ReplyError, ReplyReader, type Reply } from '../protocol/reply-reader.js';

export { ReplyError, type Reply };

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
