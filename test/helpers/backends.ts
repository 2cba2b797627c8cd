// The backends the shared command suite runs against (STYLE.md: "one test suite, many
// backends"): Hoard in-process (no socket), Hoard over TCP with ioredis, and a real
// redis-server over TCP with ioredis when one is installed — the last one proves the
// assertions themselves are right.
//
// Every backend's `call` resolves with ioredis-shaped values (bulk strings decoded as UTF-8,
// integers as numbers, null, arrays) and rejects with an Error whose message is the error
// reply ("ERR ...", "WRONGTYPE ..."). `callBuffer` returns bulk strings as Buffers.

import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { Server } from '../../src/server/server.js';
import { Config } from '../../src/config.js';
import { ManualClock } from '../../src/keyspace/clock.js';
import { RespDecoder, ReplyError } from './resp-decoder.js';
import type { Client } from '../../src/server/client.js';
import { freePort, spawnServer } from './proc.js';
import { makeTempDir } from './temp-dirs.js';

// Re-exported: tests that start their own servers take the port helper from here.
export { freePort };

export type Arg = string | number | Buffer;

export interface Conn {
  call(...args: Arg[]): Promise<any>;
  callBuffer(...args: Arg[]): Promise<any>;
  close(): Promise<void>;
}

export interface Backend {
  name: 'in-process' | 'hoard-tcp' | 'redis';
  /** The default connection. */
  conn: Conn;
  /** A further independent connection (for multi-client tests). */
  connect(): Promise<Conn>;
  close(): Promise<void>;
  /** The Hoard server object for in-process backends (undefined for real Redis). */
  server?: Server;
  /** The TCP port, for backends that listen on one (raw-socket tests). */
  port?: number;
}

export function encodeArgs(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Converts decoder values to the ioredis shape (Map → flat array, as ioredis sees RESP2). */
function toIoredisShape(v: unknown): unknown {
  if (v instanceof Map) {
    const out: unknown[] = [];
    for (const [k, val] of v) out.push(toIoredisShape(k), toIoredisShape(val));
    return out;
  }
  if (Array.isArray(v)) return v.map(toIoredisShape);
  return v;
}

/** A connection to an in-process Hoard client: bytes in, decoded replies out, no socket. */
export class LocalConn implements Conn {
  readonly client: Client;
  private readonly decoder = new RespDecoder();
  private readonly decoderBuf = new RespDecoder({ buffers: true });
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void; buffers: boolean }> = [];
  /**
   * When set, every decoded value (replies, pub/sub messages, RESP3 pushes; errors as
   * ReplyError values) goes here instead of to the waiting callers: for raw protocol tests.
   */
  tap: ((value: unknown) => void) | null = null;

  constructor(server: Server) {
    this.client = server.connectLocal((data) => this.onOutput(data));
  }

  private onOutput(data: string): void {
    const chunk = Buffer.from(data, 'latin1');
    this.decoder.feed(chunk);
    this.decoderBuf.feed(chunk);
    for (;;) {
      const a = this.decoder.next();
      const b = this.decoderBuf.next();
      if (a === null || b === null) break;
      if (this.tap !== null) {
        this.tap(a.value);
        continue;
      }
      const w = this.waiting.shift();
      if (!w) throw new Error('LocalConn: reply with no waiting caller');
      const v = w.buffers ? b.value : a.value;
      if (v instanceof ReplyError) w.reject(v);
      else w.resolve(toIoredisShape(v));
    }
  }

  /** Sends raw bytes (for protocol tests); replies are collected by `raw` callers. */
  write(bytes: Buffer): void {
    this.client.onData(bytes);
  }

  private send(buffers: boolean, args: Arg[]): Promise<any> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, buffers });
      this.client.onData(encodeArgs(args));
    });
  }

  call(...args: Arg[]): Promise<any> {
    return this.send(false, args);
  }

  callBuffer(...args: Arg[]): Promise<any> {
    return this.send(true, args);
  }

  async close(): Promise<void> {
    this.client.kill();
  }
}

class IoredisConn implements Conn {
  constructor(readonly redis: Redis) {}
  call(...args: Arg[]): Promise<any> {
    const [cmd, ...rest] = args;
    return this.redis.call(String(cmd), ...(rest as (string | Buffer | number)[]));
  }
  callBuffer(...args: Arg[]): Promise<any> {
    const [cmd, ...rest] = args;
    return this.redis.callBuffer(String(cmd), ...(rest as (string | Buffer | number)[]));
  }
  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

function ioredis(port: number): Promise<IoredisConn> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  return r.connect().then(() => new IoredisConn(r));
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const args: string[] = ['--port', '0', '--save', '', '--enable-debug-command', 'yes'];
  const dir = makeTempDir('hoard-test-');
  args.push('--dir', dir);
  for (const [k, v] of Object.entries(overrides)) args.push(`--${k}`, v);
  return Config.fromArgs(args);
}

export async function inProcess(overrides: Record<string, string> = {}, clock?: ManualClock): Promise<Backend> {
  const server = new Server(testConfig(overrides), { clock });
  const conns: Conn[] = [];
  const connect = async () => {
    const c = new LocalConn(server);
    conns.push(c);
    return c;
  };
  return {
    name: 'in-process',
    server,
    conn: await connect(),
    connect,
    async close() {
      for (const c of conns) await c.close();
      await server.close();
    },
  };
}

export async function hoardTcp(overrides: Record<string, string> = {}): Promise<Backend> {
  const server = new Server(testConfig(overrides));
  const port = await server.listen();
  const conns: Conn[] = [];
  const connect = async () => {
    const c = await ioredis(port);
    conns.push(c);
    return c;
  };
  return {
    name: 'hoard-tcp',
    server,
    port,
    conn: await connect(),
    connect,
    async close() {
      for (const c of conns) await c.close();
      await server.close();
    },
  };
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export async function realRedis(overrides: Record<string, string> = {}): Promise<Backend> {
  const args = ['--enable-debug-command', 'yes'];
  for (const [k, v] of Object.entries(overrides)) args.push(`--${k}`, v);
  const srv = await spawnServer('redis', args, { dirPrefix: 'hoard-redis-', timeoutMs: 5_000 });
  const port = srv.port;
  const conns: Conn[] = [];
  const connect = async () => {
    const c = await ioredis(port);
    conns.push(c);
    return c;
  };
  return {
    name: 'redis',
    port,
    conn: await connect(),
    connect,
    async close() {
      for (const c of conns) await c.close();
      await srv.stop();
    },
  };
}

/** The backends the suite runs on: always both Hoard ones, plus real Redis when installed. */
export function backendFactories(): Array<[string, (o?: Record<string, string>) => Promise<Backend>]> {
  const list: Array<[string, (o?: Record<string, string>) => Promise<Backend>]> = [
    ['in-process', (o) => inProcess(o)],
    ['hoard-tcp', (o) => hoardTcp(o)],
  ];
  if (redisServerAvailable()) list.push(['redis', (o) => realRedis(o)]);
  else if (process.env.CI) throw new Error('redis-server must be installed in CI for the differential suite');
  return list;
}
