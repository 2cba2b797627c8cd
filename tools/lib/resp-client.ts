// A minimal pipelined RESP2 client for hoard-restore --host: send latin1-encoded commands over
// one socket, as fast as the server reads them (bounded by `maxInFlight` unanswered commands),
// and count replies and error replies. Not a general client: no reconnection, no pub/sub.
// Invariant: replies are matched to commands strictly in order; a command's waiter (if any) is
// called with exactly its reply.

import net from 'node:net';

export type Reply = string | number | null | Reply[] | ReplyError;

export class ReplyError {
  constructor(readonly message: string) {}
}

/** Incremental RESP2/RESP3-tolerant reply parser over latin1 text. */
class ReplyParser {
  private buf = '';
  private pos = 0;

  feed(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + chunk.toString('latin1') : chunk.toString('latin1');
    this.pos = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. */
  next(): Reply | undefined {
    const start = this.pos;
    const r = this.parse();
    if (r === undefined) this.pos = start;
    return r;
  }

  private line(): string | undefined {
    const end = this.buf.indexOf('\r\n', this.pos);
    if (end < 0) return undefined;
    const s = this.buf.slice(this.pos + 1, end);
    this.pos = end + 2;
    return s;
  }

  private parse(): Reply | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const t = this.buf[this.pos];
    const l = this.line();
    if (l === undefined) return undefined;
    switch (t) {
      case '+':
        return l;
      case '-':
        return new ReplyError(l);
      case ':':
        return Number(l);
      case '_':
        return null;
      case '$':
      case '=':
      case '!': {
        const n = Number(l);
        if (n < 0) return null;
        if (this.pos + n + 2 > this.buf.length) return undefined;
        const s = this.buf.slice(this.pos, this.pos + n);
        this.pos += n + 2;
        return t === '!' ? new ReplyError(s) : s;
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        let n = Number(l);
        if (n < 0) return null;
        if (t === '%') n *= 2;
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const r = this.parse();
          if (r === undefined) return undefined;
          out.push(r);
        }
        return out;
      }
      default:
        return l; // ',', '#', '(' : numbers/booleans as text
    }
  }
}

export class PipelineClient {
  private readonly sock: net.Socket;
  private readonly parser = new ReplyParser();
  /** One slot per command sent and not answered: a waiter, or null for a counted bulk command. */
  private readonly pending: Array<((r: Reply) => void) | null> = [];
  private pendingHead = 0;
  private drainWaiters: Array<() => void> = [];
  private closedError: Error | null = null;
  replies = 0;
  errors = 0;
  readonly firstErrors: string[] = [];

  private constructor(
    sock: net.Socket,
    readonly maxInFlight: number,
  ) {
    this.sock = sock;
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    const gone = (err?: Error) => {
      this.closedError ??= err ?? new Error('connection closed by the server');
      for (const w of this.drainWaiters.splice(0)) w();
      for (let i = this.pendingHead; i < this.pending.length; i++) this.pending[i]?.(new ReplyError(`ERR ${this.closedError.message}`));
      this.pending.length = 0;
      this.pendingHead = 0;
    };
    sock.on('error', gone);
    sock.on('close', () => gone());
  }

  static connect(host: string, port: number, maxInFlight = 10_000): Promise<PipelineClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port, noDelay: true });
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new PipelineClient(sock, maxInFlight));
      });
      sock.once('error', reject);
    });
  }

  get inFlight(): number {
    return this.pending.length - this.pendingHead;
  }

  get error(): Error | null {
    return this.closedError;
  }

  private onData(chunk: Buffer): void {
    this.parser.feed(chunk);
    for (let r = this.parser.next(); r !== undefined; r = this.parser.next()) {
      const w = this.pending[this.pendingHead];
      this.pending[this.pendingHead++] = null;
      if (this.pendingHead > 4096 && this.pendingHead * 2 > this.pending.length) {
        this.pending.splice(0, this.pendingHead);
        this.pendingHead = 0;
      }
      if (w) {
        w(r);
        continue;
      }
      // Only the counted (bulk) commands make up the totals.
      this.replies++;
      if (r instanceof ReplyError) {
        this.errors++;
        if (this.firstErrors.length < 10) this.firstErrors.push(r.message);
      }
    }
    if (this.inFlight < this.maxInFlight / 2) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Sends one command (RESP text, latin1) and resolves with its reply. */
  call(resp: string): Promise<Reply> {
    return new Promise((resolve) => {
      if (this.closedError) {
        resolve(new ReplyError(`ERR ${this.closedError.message}`));
        return;
      }
      this.pending.push(resolve);
      this.sock.write(resp, 'latin1');
    });
  }

  /** Queues `count` commands encoded in `resp` whose replies are only counted; waits when too many are unanswered. */
  async send(resp: string, count: number): Promise<void> {
    if (this.closedError) throw this.closedError;
    for (let i = 0; i < count; i++) this.pending.push(null);
    const flushed = this.sock.write(resp, 'latin1');
    if (!flushed) await new Promise<void>((r) => this.sock.once('drain', r));
    while (this.inFlight >= this.maxInFlight && this.closedError === null) {
      await new Promise<void>((r) => this.drainWaiters.push(r));
    }
  }

  /** Resolves once every command sent so far has its reply (replies arrive in order: a PING's comes last). */
  async settle(): Promise<void> {
    await this.call('*1\r\n$4\r\nPING\r\n');
    if (this.closedError) throw this.closedError;
  }

  close(): void {
    this.sock.end();
  }
}
