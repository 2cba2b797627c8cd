// What a Sentinel test starts — Hoard servers, Hoard sentinels and redis-sentinels (real
// processes), ioredis clients, temp dirs — tracked so that each test leaves nothing behind
// (afterEach), and the polling and reply helpers those tests use. Shared by sentinel.test.ts and
// sentinel-hostnames.test.ts.

import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { Redis } from 'ioredis';
import { SERVER_JS, ensureBuilt, startServer, tempDir, waitForPort, type ServerProc } from './proc.js';

export interface SentinelProc {
  port: number;
  conf: string;
  child: ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

export class SentinelBed {
  readonly procs: ServerProc[] = [];
  readonly clients: Redis[] = [];
  private readonly sentinels: Array<{ child: ChildProcess; exited: Promise<unknown> }> = [];
  private readonly dirs: string[] = [];

  /** Registers the afterEach cleanup: call once per test file, at top level. */
  constructor() {
    afterEach(() => this.cleanup());
  }

  private async cleanup(): Promise<void> {
    for (const c of this.clients.splice(0)) c.disconnect();
    for (const s of this.sentinels.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await s.exited;
    }
    for (const p of this.procs.splice(0)) await p.kill();
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }

  /** An ioredis client to 127.0.0.1:port, errors swallowed (servers die on purpose here). */
  readonly client = (port: number, opts: Record<string, unknown> = {}): Redis => {
    const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, ...opts });
    r.on('error', () => {});
    this.clients.push(r);
    return r;
  };

  /** A temp dir removed after the test. */
  readonly dir = (prefix: string): string => {
    const d = tempDir(prefix);
    this.dirs.push(d);
    return d;
  };

  /** A Hoard server (no AOF unless `args` asks), on `port` or a free one, in `d` or a temp dir. */
  readonly hoard = async (args: string[] = [], port?: number, d?: string): Promise<ServerProc> => {
    ensureBuilt();
    const p = await startServer(d ?? this.dir('hoard-sent-data-'), ['--appendonly', 'no', ...args], { port });
    this.procs.push(p);
    return p;
  };

  /** Starts a sentinel from a config file (Hoard's, or redis-server --sentinel) and waits for its port. */
  readonly runSentinel = async (kind: 'hoard' | 'redis', conf: string, port: number): Promise<SentinelProc> => {
    const child =
      kind === 'hoard'
        ? spawn(process.execPath, [SERVER_JS, conf, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] })
        : spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    this.sentinels.push({ child, exited });
    await waitForPort(port, { child, what: `${kind} sentinel` });
    return { port, conf, child, output: () => out };
  };
}

/** Polls `probe` every 50 ms until it returns a value (not undefined or false); a throw counts as not yet. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch {
      // not yet: the process may be restarting
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SENTINEL-style flat [k1, v1, k2, v2, ...] reply as an object. */
export function fields(flat: unknown): Record<string, string> {
  const a = flat as string[];
  const o: Record<string, string> = {};
  for (let i = 0; i < a.length; i += 2) o[a[i]] = a[i + 1];
  return o;
}

/** SENTINEL MASTER <name> as an object. */
export async function masterState(s: Redis, name = 'mymaster'): Promise<Record<string, string>> {
  return fields(await s.call('SENTINEL', 'MASTER', name));
}
