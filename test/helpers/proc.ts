// Runs the real server (dist/src/server/main.js, built by `npm test`) as a child process on a
// free port, for crash, restart and tool tests: SIGKILL means SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from './backends.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_JS = path.join(ROOT, 'dist/src/server/main.js');

export interface ServerProc {
  port: number;
  dir: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (pino JSON lines and fatal messages). */
  stderr(): string;
  client(opts?: Record<string, unknown>): Redis;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function tempDir(prefix = 'hoard-proc-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts a server and resolves once it answers PING (i.e. after loading). Rejects with its
 * stderr if it exits first.
 */
export async function startServer(dir: string, args: string[] = [], opts: { port?: number; waitReady?: boolean } = {}): Promise<ServerProc> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [SERVER_JS, '--port', String(port), '--dir', dir, '--save', '', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: ServerProc = {
    port,
    dir,
    child,
    stderr: () => err,
    client: (o = {}) => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, ...o }),
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
  if (opts.waitReady === false) return proc;
  const deadline = Date.now() + 30_000;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode}: ${err}`);
    if (await portOpen(port)) {
      const r = proc.client();
      try {
        for (;;) {
          try {
            await r.ping();
            return proc;
          } catch (e) {
            if (!String((e as Error).message).startsWith('LOADING')) throw e;
            await new Promise((res) => setTimeout(res, 20));
          }
        }
      } finally {
        r.disconnect();
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await proc.kill();
  throw new Error(`server did not become ready: ${err}`);
}

/** Runs the server to completion (for start-up failures): resolves with exit code and stderr. */
export async function runServerExpectingExit(dir: string, args: string[] = [], timeoutMs = 20_000): Promise<{ code: number | null; stderr: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_JS, '--port', String(port), '--dir', dir, '--save', '', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr: err };
}
