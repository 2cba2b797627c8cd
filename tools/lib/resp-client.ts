// A minimal pipelined RESP2 client for hoard-restore --host: send latin1-encoded commands over
// one socket, as fast as the server reads them (bounded by `maxInFlight` unanswered commands),
// and count replies and error replies. Not a general client: no reconnection, no pub/sub.
// Invariant: replies are matched to commands strictly in order; a command's waiter (if any) is
// called with exactly its reply.

import net from 'node:net';
import { ReplyError, ReplyReader, type Reply } from '../../src/protocol/reply-reader.js';

export { ReplyError, type Reply };

export class PipelineClient {
  private readonly sock: net.Socket;
  private readonly parser = new ReplyReader();
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
    for (;;) {
      let r: Reply | undefined;
      try {
        r = this.parser.next();
      } catch (err) {
        // Not RESP: nothing after this point can be matched to its command.
        this.sock.destroy(new Error(`bad reply from the server: ${(err as Error).message}`));
        return;
      }
      if (r === undefined) break;
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
