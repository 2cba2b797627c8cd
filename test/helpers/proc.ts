// Runs servers as child processes on free ports: the real Hoard (dist/hoard-server.js, the
// bundled bin that `npm test` builds) for crash, restart and tool tests (SIGKILL means SIGKILL), and Hoard or
// redis-server side by side for integration tests and benchmarks (spawnServer). Also the port
// helpers every such test uses (freePort, portOpen, waitForPort) and ensureBuilt. Imports
// nothing from the other helpers, so backends.ts can build on it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { makeTempDir } from './temp-dirs.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_JS = path.join(ROOT, 'dist/hoard-server.js');

/**
 * The V8 flags hoard-server runs with, read from its shebang (src/server/main.ts), so that
 * benchmarks measure the server as the bin and `npm start` run it.
 */
export const SERVER_NODE_FLAGS: readonly string[] = (() => {
  const first = fs.readFileSync(path.join(ROOT, 'src/server/main.ts'), 'latin1').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node( .*)?$/.exec(first);
  if (m === null) throw new Error(`src/server/main.ts: unexpected shebang ${JSON.stringify(first)}`);
  return (m[1] ?? '').split(' ').filter((f) => f !== '');
})();

// ---- ports ----------------------------------------------------------------------------------------

/** A port nothing listens on right now (the OS picks it; racy, as any such helper). */
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

/** Whether something accepts a TCP connection on 127.0.0.1:`port` now. */
export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface WaitForPortOptions {
  /** The process that should open the port: its exit ends the wait at once. */
  child?: ChildProcess;
  /** Its name in the error messages. */
  what?: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts, default 25 ms. */
  intervalMs?: number;
}

/** Resolves once 127.0.0.1:`port` accepts connections; rejects if `child` exits first or on timeout. */
export async function waitForPort(port: number, opts: WaitForPortOptions = {}): Promise<void> {
  const { child, what = 'server', timeoutMs = 10_000, intervalMs = 25 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child !== undefined && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await portOpen(port)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---- dist/ ----------------------------------------------------------------------------------------

/** Newest modification time of any .ts file under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a direct vitest run rebuilds here when dist/ is missing or stale. */
export function ensureBuilt(): void {
  const fresh = () => fs.existsSync(SERVER_JS) && fs.statSync(SERVER_JS).mtimeMs >= newestSource(path.join(ROOT, 'src'));
  if (fresh()) return;
  // tsc emits even when some file does not type-check; a bundle newer than every source is what
  // matters (esbuild rewrites it on every run, so a failed bundle step leaves it stale).
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  spawnSync('npm', ['run', 'bundle', '--silent'], { cwd: ROOT, stdio: 'ignore' });
  if (!fresh()) throw new Error(`build failed: ${SERVER_JS} missing or older than src/ (run npm run build)`);
}

// ---- Hoard or redis-server side by side ------------------------------------------------------------

export type ServerKind = 'hoard' | 'redis';

export interface SpawnedServer {
  kind: ServerKind;
  port: number;
  dir: string;
  child: ChildProcess;
  /** What the process printed so far, per `capture` ('' when nothing is captured). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL (if still running), wait for the exit, remove the directory. */
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  /** What output() collects: nothing (default), stderr, or stdout and stderr. */
  capture?: 'none' | 'stderr' | 'all';
  /** Prefix of the temp directory, default `hoard-<kind>-`. */
  dirPrefix?: string;
  /** Node flags before the script (Hoard only), e.g. --max-old-space-size=16000. */
  nodeArgs?: string[];
  /** Hoard's entry point, default SERVER_JS. */
  main?: string;
  /** How long it may take to listen, default 10 s. */
  timeoutMs?: number;
}

/**
 * Starts Hoard (the built server) or redis-server on a free port in a fresh temp directory, with
 * the flags they are compared under (--bind 127.0.0.1, no snapshots, no AOF) and then `extra`, and
 * resolves once the port accepts connections. A start that fails kills the child and rejects
 * with what it printed.
 */
export async function spawnServer(kind: ServerKind, extra: string[] = [], opts: SpawnServerOptions = {}): Promise<SpawnedServer> {
  // freePort() finds a port free at that moment; a test file running in parallel may bind it
  // first, and the server then exits at once. A server that exits before listening is tried
  // again on another port (twice); a server that keeps failing still fails the test.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnServerOnce(kind, extra, opts);
    } catch (err) {
      if (attempt === 3 || !(err as { exitedEarly?: boolean }).exitedEarly) throw err;
    }
  }
}

async function spawnServerOnce(kind: ServerKind, extra: string[], opts: SpawnServerOptions): Promise<SpawnedServer> {
  const capture = opts.capture ?? 'none';
  const port = await freePort();
  const dir = tempDir(opts.dirPrefix ?? `hoard-${kind}-`);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra];
  const stdio: Array<'ignore' | 'pipe'> = ['ignore', capture === 'all' ? 'pipe' : 'ignore', capture === 'none' ? 'ignore' : 'pipe'];
  const child =
    kind === 'hoard'
      ? spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.main ?? SERVER_JS, ...args], { stdio })
      : spawn('redis-server', args, { stdio });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const srv: SpawnedServer = {
    kind,
    port,
    dir,
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForPort(port, { child, what: kind, timeoutMs: opts.timeoutMs });
  } catch (err) {
    const exitedEarly = child.exitCode !== null;
    await srv.stop();
    throw Object.assign(new Error(`${(err as Error).message}\n${out}`, { cause: err }), { exitedEarly });
  }
  return srv;
}

// ---- Hoard alone, for crash and restart tests ---------------------------------------------------------

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
  return makeTempDir(prefix);
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
            if (!String((e as Error).message).startsWith('LOADING')) {
              // Not ready and not loading (NOAUTH, a crash...): do not leave the child running.
              await proc.kill();
              throw e;
            }
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

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end with `input` on stdin (redis-cli, redis-benchmark...); SIGKILL after
 * `timeoutMs`. Output is read as latin1 (one char per byte).
 */
export function runProgram(cmd: string, args: string[], input: string | Buffer = '', timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
