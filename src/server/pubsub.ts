// Pub/sub state and delivery (Redis pubsub.c): who listens to which channel, pattern and shard
// channel, and how a published message reaches them.
//
// Invariants:
// - server-side maps and client-side sets mirror each other: client c is in channels.get(ch)
//   iff ch is in c.pubsub.channels (the same for patterns and shard channels), and an entry of
//   a server map never holds an empty set (it is deleted with its last subscriber, so PUBSUB
//   CHANNELS and INFO only count channels someone listens to);
// - c.pubsub is null iff the client has no subscription at all: that is Redis's CLIENT_PUBSUB
//   flag (flag 'P', the "pubsub" client class, and in RESP2 the subscriber-mode command filter);
// - delivery only appends to the receiver's ReplyWriter and schedules its write for the end of
//   the turn (server.scheduleWrite): no socket write per message. Each receiver's output is
//   checked against its client-output-buffer-limit class right after (output-limits.ts).
//
// Frames are encoded once per publish and RESP version, then appended to every receiver.

import { stringMatch } from '../util/glob.js';
import type { CommandSpec, PubSubApi } from '../commands/types.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** One client's subscriptions (Redis c->pubsub_channels, c->pubsub_patterns, c->pubsubshard_channels). */
export class ClientPubSub {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  /** SUBSCRIBE/PSUBSCRIBE confirmations count channels + patterns (clientSubscriptionsCount). */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }
  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }
}

/** Commands a RESP2 client in subscriber mode may run (Redis processCommand). */
const SUBSCRIBER_MODE_COMMANDS = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

export function allowedInSubscriberMode(spec: CommandSpec): boolean {
  return spec.parent === undefined && SUBSCRIBER_MODE_COMMANDS.has(spec.name);
}

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/** A subscribe/unsubscribe confirmation: [kind, name or null, count]. */
function confirmation(c: Client, kind: string, name: string | null, count: number): void {
  const out = c.resp === 2 ? '*3\r\n' : '>3\r\n';
  const nameEnc = name === null ? (c.resp === 2 ? '$-1\r\n' : '_\r\n') : bulk(name);
  c.reply.raw(out + bulk(kind) + nameEnc + ':' + count + '\r\n');
}

export class PubSub implements PubSubApi {
  /** channel → subscribers, in subscription order (Redis server.pubsub_channels). */
  readonly channels = new Map<string, Set<Client>>();
  /** pattern → subscribers (Redis server.pubsub_patterns). */
  readonly patterns = new Map<string, Set<Client>>();
  /** shard channel → subscribers (Redis server.pubsubshard_channels). */
  readonly shardChannels = new Map<string, Set<Client>>();

  constructor(private readonly server: Server) {
    server.clientClosedHooks.push((c) => this.forget(c));
  }

  // ---- subscribing -------------------------------------------------------------------------

  private state(c: Client): ClientPubSub {
    if (c.pubsub === null) c.pubsub = new ClientPubSub();
    return c.pubsub;
  }

  /** Drops the client's state once it has no subscription left (leaves pub/sub mode). */
  private settle(c: Client): void {
    if (c.pubsub !== null && c.pubsub.total === 0) c.pubsub = null;
  }

  subscribe(c: Client, channel: string, shard: boolean): void {
    const st = this.state(c);
    const mine = shard ? st.shardChannels : st.channels;
    if (!mine.has(channel)) {
      mine.add(channel);
      const map = shard ? this.shardChannels : this.channels;
      const subs = map.get(channel);
      if (subs === undefined) map.set(channel, new Set([c]));
      else subs.add(c);
    }
    confirmation(c, shard ? 'ssubscribe' : 'subscribe', channel, shard ? st.shardChannels.size : st.count);
  }

  psubscribe(c: Client, pattern: string): void {
    const st = this.state(c);
    if (!st.patterns.has(pattern)) {
      st.patterns.add(pattern);
      const subs = this.patterns.get(pattern);
      if (subs === undefined) this.patterns.set(pattern, new Set([c]));
      else subs.add(c);
    }
    confirmation(c, 'psubscribe', pattern, st.count);
  }

  /** Returns whether the client was subscribed; `notify` writes the confirmation. */
  unsubscribe(c: Client, channel: string, shard: boolean, notify: boolean): boolean {
    const st = c.pubsub;
    const mine = st === null ? undefined : shard ? st.shardChannels : st.channels;
    let was = false;
    if (mine !== undefined && mine.delete(channel)) {
      was = true;
      const map = shard ? this.shardChannels : this.channels;
      const subs = map.get(channel);
      if (subs !== undefined) {
        subs.delete(c);
        if (subs.size === 0) map.delete(channel);
      }
    }
    if (notify) {
      const count = st === null ? 0 : shard ? st.shardChannels.size : st.count;
      confirmation(c, shard ? 'sunsubscribe' : 'unsubscribe', channel, count);
    }
    return was;
  }

  punsubscribe(c: Client, pattern: string, notify: boolean): boolean {
    const st = c.pubsub;
    let was = false;
    if (st !== null && st.patterns.delete(pattern)) {
      was = true;
      const subs = this.patterns.get(pattern);
      if (subs !== undefined) {
        subs.delete(c);
        if (subs.size === 0) this.patterns.delete(pattern);
      }
    }
    if (notify) confirmation(c, 'punsubscribe', pattern, st === null ? 0 : st.count);
    return was;
  }

  /** UNSUBSCRIBE / SUNSUBSCRIBE with no argument: every channel, or one null frame if none. */
  unsubscribeAll(c: Client, shard: boolean, notify: boolean): number {
    let n = 0;
    const st = c.pubsub;
    if (st !== null) {
      const mine = shard ? st.shardChannels : st.channels;
      for (const ch of [...mine]) if (this.unsubscribe(c, ch, shard, notify)) n++;
    }
    if (notify && n === 0) {
      const count = st === null ? 0 : shard ? st.shardChannels.size : st.count;
      confirmation(c, shard ? 'sunsubscribe' : 'unsubscribe', null, count);
    }
    return n;
  }

  punsubscribeAll(c: Client, notify: boolean): number {
    let n = 0;
    const st = c.pubsub;
    if (st !== null) for (const p of [...st.patterns]) if (this.punsubscribe(c, p, notify)) n++;
    if (notify && n === 0) confirmation(c, 'punsubscribe', null, st === null ? 0 : st.count);
    return n;
  }

  /** After an (un)subscribe command: leave pub/sub mode when nothing is left. */
  done(c: Client): void {
    this.settle(c);
  }

  /** Disconnect and RESET: drop every subscription silently (Redis freeClient / clearClientConnectionState). */
  forget(c: Client): void {
    if (c.pubsub === null) return;
    this.unsubscribeAll(c, false, false);
    this.unsubscribeAll(c, true, false);
    this.punsubscribeAll(c, false);
    c.pubsub = null;
  }

  // ---- publishing --------------------------------------------------------------------------

  /** PUBLISH (and keyspace notifications): returns the number of receivers. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      receivers += this.deliver(subs, 3, '$7\r\nmessage\r\n' + bulk(channel) + bulk(message));
    }
    if (this.patterns.size !== 0) {
      let tail: string | null = null;
      for (const [pattern, psubs] of this.patterns) {
        if (!stringMatch(pattern, channel)) continue;
        if (tail === null) tail = bulk(channel) + bulk(message);
        receivers += this.deliver(psubs, 4, '$8\r\npmessage\r\n' + bulk(pattern) + tail);
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard channels only, no patterns. */
  spublish(channel: string, message: string): number {
    const subs = this.shardChannels.get(channel);
    if (subs === undefined) return 0;
    return this.deliver(subs, 3, '$8\r\nsmessage\r\n' + bulk(channel) + bulk(message));
  }

  /** Appends the frame of `n` elements (`body`) to every subscriber; returns the receivers. */
  private deliver(subs: Set<Client>, n: number, body: string): number {
    const server = this.server;
    const limits = server.outputLimits;
    // Each encoding is built once per publish, when a receiver first needs it.
    let resp2: string | null = null;
    let resp3: string | null = null;
    for (const c of subs) {
      // Redis 7.0 prepareClientToWrite: nothing more for a client being closed or with
      // CLIENT REPLY OFF (it still counts as a receiver).
      if (c.closeAsap || c.replyMode === 'off') continue;
      if (c.resp === 2) c.reply.raw((resp2 ??= '*' + n + '\r\n' + body));
      else c.reply.raw((resp3 ??= '>' + n + '\r\n' + body));
      if (limits.check(c)) continue;
      server.scheduleWrite(c);
    }
    return subs.size;
  }

  // ---- introspection -----------------------------------------------------------------------

  /** PUBSUB CHANNELS / SHARDCHANNELS: active channels matching `pattern` (all when null). */
  list(shard: boolean, pattern: string | null): string[] {
    const out: string[] = [];
    for (const ch of (shard ? this.shardChannels : this.channels).keys()) {
      if (pattern === null || stringMatch(pattern, ch)) out.push(ch);
    }
    return out;
  }

  numsub(shard: boolean, channel: string): number {
    return (shard ? this.shardChannels : this.channels).get(channel)?.size ?? 0;
  }
}
