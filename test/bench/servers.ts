// Shared by the benchmark scripts: hoard-server / redis-server child processes on free ports,
// and a pipelined writer. Not a test.

import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export async function waitPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

/** A hoard-server or redis-server child on a free port with `args` (redis.conf flags). */
export async function startServer(kind: 'hoard' | 'redis', args: string[]): Promise<{ port: number; child: ChildProcess; stop(): void }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${kind}-`));
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args];
  const main = process.env.HOARD_MAIN ?? path.join(root, 'dist/src/server/main.js');
  const child =
    kind === 'redis'
      ? spawn('redis-server', common, { stdio: 'ignore' })
      : spawn(process.execPath, ['--max-old-space-size=16000', main, ...common, '--loglevel', 'warning'], { stdio: 'ignore' });
  await waitPort(port, child);
  return {
    port,
    child,
    stop() {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `n` commands over one pipelined connection, `batch` at a time, waiting for the replies. */
export async function pipeline(port: number, n: number, command: (i: number) => string[], batch = 1000): Promise<number> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  let waiting = 0;
  let wake: (() => void) | null = null;
  let tail: Buffer = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    // Replies here are +OK / :n / -ERR lines only: count CRLFs.
    const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    let p = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, p)) {
      waiting--;
      p = i + 1;
    }
    tail = buf.subarray(p);
    if (waiting === 0 && wake) wake();
  });
  const t0 = performance.now();
  for (let i = 0; i < n; ) {
    let s = '';
    const end = Math.min(n, i + batch);
    waiting = end - i;
    for (; i < end; i++) s += encode(command(i));
    await new Promise<void>((r) => {
      wake = r;
      sock.write(Buffer.from(s, 'latin1'));
    });
  }
  const ms = performance.now() - t0;
  sock.destroy();
  return (n * 1000) / ms;
}

