// Shared by the benchmark scripts: hoard-server / redis-server child processes on free ports,
// and a pipelined writer. Not a test.

import net from 'node:net';
import { SERVER_NODE_FLAGS, spawnServer, type ServerKind, type SpawnedServer } from '../helpers/proc.js';

export function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/**
 * A hoard-server (the built dist/ one, or $HOARD_MAIN) or redis-server child on a free port with
 * `args` (redis.conf flags); Hoard runs with the production V8 flags, a 16 GB heap limit, and
 * logs warnings only.
 */
export function startServer(kind: ServerKind, args: string[]): Promise<SpawnedServer> {
  return spawnServer(kind, kind === 'hoard' ? [...args, '--loglevel', 'warning'] : args, {
    dirPrefix: `bench-${kind}-`,
    nodeArgs: [...SERVER_NODE_FLAGS, '--max-old-space-size=16000'],
    main: process.env.HOARD_MAIN,
    timeoutMs: 20_000,
  });
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

