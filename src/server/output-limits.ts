// Output buffer limits (Redis networking.c checkClientOutputBufferLimits and
// closeClientOnOutputBufferLimitReached): a client that does not read what the server sends it
// (typically a pub/sub subscriber while a publisher floods its channel) is disconnected once its
// pending output passes the hard limit of its class, or stays above the soft limit for longer
// than the soft seconds. Without this, the server would buffer without bound for it.
//
// Invariants: a client over its limit is marked closeAsap at once — from then on nothing more is
// queued for it and its pending replies are dropped — and is closed asynchronously, once per
// event-loop turn (Redis freeClientAsync), never in the middle of the delivery loop that found it
// over the limit. The output size is what Node still holds for the client: the socket's
// writableLength (bytes not yet accepted by the kernel) plus the replies of this turn not yet
// handed to the socket.

import type { BufferLimit, ClientOutputBufferLimits } from '../config.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export type OutputClass = 'normal' | 'replica' | 'pubsub';

export class OutputLimits {
  private normal!: BufferLimit;
  private replica!: BufferLimit;
  private pubsub!: BufferLimit;
  private readonly asap: Client[] = [];
  private flushScheduled = false;

  constructor(private readonly server: Server) {
    this.load();
    server.config.onChange('client-output-buffer-limit', () => this.load());
  }

  private load(): void {
    const v = this.server.config.raw('client-output-buffer-limit') as ClientOutputBufferLimits;
    this.normal = v.normal;
    this.replica = v.replica;
    this.pubsub = v.pubsub;
  }

  /** Redis getClientType (a replica's class wins, as its is checked first there). */
  classOf(c: Client): OutputClass {
    return c.replica !== null ? 'replica' : c.pubsub !== null ? 'pubsub' : 'normal';
  }

  /** The limits of a class. */
  limitOf(cls: OutputClass): BufferLimit {
    return cls === 'replica' ? this.replica : cls === 'pubsub' ? this.pubsub : this.normal;
  }

  /**
   * Call after output was queued for `c`. Returns true if the client is (now) scheduled to be
   * closed: the caller must not schedule a write for it.
   */
  check(c: Client): boolean {
    if (c.closeAsap) return true;
    if (c.closed) return false;
    const l = this.limitOf(this.classOf(c));
    const hardLimit = l.hardLimitBytes;
    const softLimit = l.softLimitBytes;
    if (hardLimit === 0 && softLimit === 0) return false;
    const used = c.outputBufferBytes;
    const hard = hardLimit !== 0 && used >= hardLimit;
    let soft = softLimit !== 0 && used >= softLimit;
    if (soft) {
      const now = Math.floor(Date.now() / 1000);
      if (c.obufSoftLimitReachedTime === 0) {
        c.obufSoftLimitReachedTime = now;
        soft = false; // first time over the soft limit
      } else if (now - c.obufSoftLimitReachedTime <= l.softLimitSeconds) {
        soft = false; // not continuously over it for long enough yet
      }
    } else {
      c.obufSoftLimitReachedTime = 0;
    }
    if (!hard && !soft) return false;
    this.closeAsync(c, used);
    return true;
  }

  /** Redis freeClientAsync: stop all output now, close at the end of the turn (`used`: the bytes it held, for the log). */
  closeAsync(c: Client, used: number): void {
    c.closeAsap = true;
    c.reply.reset();
    const server = this.server;
    const info = `id=${c.id} addr=${c.addr} laddr=${c.laddr} name=${c.name} age=${Math.floor((Date.now() - c.createdAt) / 1000)} flags=${c.flagString()} db=${c.dbIndex} sub=${c.subscribedChannels} psub=${c.subscribedPatterns} ssub=${c.subscribedShardChannels} omem=${used} cmd=${c.lastCommand}`;
    server.logger.warn({ client: c.id, addr: c.addr, omem: used, class: this.classOf(c) }, `Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.asap.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const list = this.asap.splice(0);
    for (const c of list) this.server.closeClient(c);
  };
}
