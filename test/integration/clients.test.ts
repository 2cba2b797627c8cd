// Real clients against Hoard started as a real process (`node dist/hoard-server.js`), the way
// a user runs it: redis-cli (one-shot, commands piped on stdin, interactive on a terminal, --pipe
// mass insertion), ioredis, and redis-benchmark. Where the output is deterministic, the same
// exchange also runs against a real redis-server and the two must agree byte for byte.

import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { ensureBuilt, runProgram, spawnServer, type RunResult, type ServerKind, type SpawnedServer } from '../helpers/proc.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_CLI = has('redis-cli');
const HAVE_BENCH = has('redis-benchmark');
const HAVE_SCRIPT = has('script');

function startProcess(kind: ServerKind, extra: string[] = []): Promise<SpawnedServer> {
  return spawnServer(kind, extra, { capture: 'stderr', dirPrefix: `hoard-clients-${kind}-` });
}

function run(cmd: string, args: string[], input: string | Buffer = '', timeoutMs = 20_000): Promise<RunResult> {
  return runProgram(cmd, args, input, timeoutMs);
}

/** Writes `input` on a raw socket and collects what comes back until `idleMs` of silence. */
function rawExchange(port: number, input: string, idleMs = 200): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    let timer: NodeJS.Timeout | null = null;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        s.destroy();
        resolve(data);
      }, idleMs);
    };
    s.on('data', (d) => {
      data += d.toString('latin1');
      arm();
    });
    s.on('error', reject);
    s.on('connect', () => {
      s.write(input, 'latin1');
      arm();
    });
  });
}

function connectIoredis(port: number, opts: Record<string, unknown> = {}): Promise<Redis> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...opts });
  return r.connect().then(() => r);
}

const PIPED_SESSION = [
  'PING',
  'SET greeting "hello world"',
  'GET greeting',
  'GET missing',
  'CLIENT SETNAME from-stdin',
  'CLIENT GETNAME',
  'CONFIG SET maxmemory-samples 7',
  'CONFIG GET maxmemory-samples',
  'COMMAND INFO get',
  'COMMAND GETKEYS SET k v',
  'CLIENT NO-EVICT maybe',
  'NO-SUCH-COMMAND a',
  'DBSIZE',
  '',
].join('\n');

describe.skipIf(!HAVE_CLI)('redis-cli, ioredis and redis-benchmark against a Hoard process', () => {
  let hoard: SpawnedServer;
  let redis: SpawnedServer | null = null;

  beforeAll(async () => {
    ensureBuilt();
    hoard = await startProcess('hoard', ['--enable-debug-command', 'local']);
    if (redisServerAvailable()) redis = await startProcess('redis', ['--enable-debug-command', 'local']);
  }, 120_000);

  afterAll(async () => {
    await hoard?.stop();
    await redis?.stop();
  });

  const targets = (): Array<[string, SpawnedServer]> => {
    const list: Array<[string, SpawnedServer]> = [['hoard', hoard]];
    if (redis) list.push(['redis', redis]);
    return list;
  };

  it('redis-cli one-shot commands', async () => {
    const p = String(hoard.port);
    expect((await run('redis-cli', ['-p', p, 'SET', 'a', '1'])).stdout).toBe('OK\n');
    expect((await run('redis-cli', ['-p', p, 'GET', 'a'])).stdout).toBe('1\n');
    expect((await run('redis-cli', ['-p', p, 'PING'])).stdout).toBe('PONG\n');
    const info = await run('redis-cli', ['-p', p, 'INFO', 'server']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^# Server\r?\nredis_version:7\.0\./);
    expect(info.stdout).toContain(`tcp_port:${p}`);
    const err = await run('redis-cli', ['-p', p, 'CONFIG', 'GET']);
    expect(err.stdout).toBe("ERR wrong number of arguments for 'config|get' command\n\n");
    await run('redis-cli', ['-p', p, 'DEL', 'a']);
  });

  it('redis-cli reading commands from stdin answers like redis-server', async () => {
    const outputs: string[] = [];
    for (const [, proc] of targets()) {
      await run('redis-cli', ['-p', String(proc.port), 'FLUSHALL']);
      const r = await run('redis-cli', ['-p', String(proc.port)], PIPED_SESSION);
      expect(r.code).toBe(0);
      outputs.push(r.stdout);
      await run('redis-cli', ['-p', String(proc.port), 'CONFIG', 'SET', 'maxmemory-samples', '5']);
    }
    const out = outputs[0].split('\n');
    expect(out.slice(0, 4)).toEqual(['PONG', 'OK', 'hello world', '']);
    expect(outputs[0]).toContain('from-stdin');
    expect(outputs[0]).toContain("ERR unknown command 'NO-SUCH-COMMAND', with args beginning with: 'a' ");
    if (outputs.length === 2) expect(outputs[0]).toBe(outputs[1]);
  });

  it.skipIf(!HAVE_SCRIPT)('interactive redis-cli (a terminal) builds its help from COMMAND DOCS', async () => {
    // redis-cli calls COMMAND DOCS at start-up only when stdin is a terminal: `script` gives it
    // one. Linenoise asks the terminal for the cursor position first, so each line is preceded
    // by a cursor-position report, and the line is sent a few times in case one is swallowed.
    let input = '';
    for (let i = 0; i < 3; i++) input += '\x1b[1;200R' + 'HELP @server\r';
    const child = spawn('script', ['-qc', `redis-cli -p ${hoard.port}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stdin.on('error', () => {});
    await new Promise((r) => setTimeout(r, 600));
    for (const part of input.split(/(?=\x1b\[1;200R)/)) {
      child.stdin.write(part);
      await new Promise((r) => setTimeout(r, 400));
    }
    for (let i = 0; i < 40 && !out.includes('CONFIG SET'); i++) await new Promise((r) => setTimeout(r, 100));
    child.stdin.end('\x04');
    child.kill('SIGKILL');
    const text = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(text).toContain('CONFIG SET');
    expect(text).toContain('summary: Set configuration parameters to the given values');
    expect(text).toContain('since: 2.0.0');
  }, 30_000);

  it('redis-cli --pipe mass-inserts 10k SETs, then DBSIZE counts them', async () => {
    await run('redis-cli', ['-p', String(hoard.port), 'FLUSHALL']);
    let proto = '';
    for (let i = 0; i < 10_000; i++) {
      const k = `key:${i}`;
      const v = `value-${i}`;
      proto += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    }
    const r = await run('redis-cli', ['-p', String(hoard.port), '--pipe'], proto, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('errors: 0, replies: 10000');
    expect((await run('redis-cli', ['-p', String(hoard.port), 'DBSIZE'])).stdout).toBe('10000\n');
    expect((await run('redis-cli', ['-p', String(hoard.port), 'GET', 'key:9999'])).stdout).toBe('value-9999\n');
    expect((await run('redis-cli', ['-p', String(hoard.port), 'INFO', 'keyspace'])).stdout).toContain('db0:keys=10000,expires=0');
    await run('redis-cli', ['-p', String(hoard.port), 'FLUSHALL']);
  }, 90_000);

  it('ioredis: ready check (INFO), connectionName (CLIENT SETNAME), pipelines, CLIENT LIST/KILL', async () => {
    const r = await connectIoredis(hoard.port, { connectionName: 'ioredis-app' });
    expect(r.status).toBe('ready');
    expect(await r.set('io:k', 'v')).toBe('OK');
    expect(await r.get('io:k')).toBe('v');
    expect(await r.client('GETNAME')).toBe('ioredis-app');
    const pipe = r.pipeline();
    for (let i = 0; i < 100; i++) pipe.set(`io:${i}`, String(i));
    pipe.get('io:42');
    const results = (await pipe.exec()) ?? [];
    expect(results).toHaveLength(101);
    expect(results[100]).toEqual([null, '42']);
    const list = (await r.client('LIST')) as string;
    expect(list).toMatch(/ name=ioredis-app .* cmd=client\|list /);
    const info = await r.info('server');
    expect(info).toContain('redis_mode:standalone');
    const other = await connectIoredis(hoard.port);
    const closed = new Promise<void>((resolve) => other.once('end', () => resolve()));
    const otherId = (await other.client('ID')) as number;
    expect(await r.client('KILL', 'ID', String(otherId))).toBe(1);
    await closed;
    expect(other.status).toBe('end');
    await r.flushall();
    r.disconnect();
  });

  it.skipIf(!HAVE_BENCH)('redis-benchmark -t set,get -n 2000 completes without errors', async () => {
    const r = await run('redis-benchmark', ['-p', String(hoard.port), '-t', 'set,get', '-n', '2000', '-q'], '', 60_000);
    expect(r.code).toBe(0);
    const text = (r.stdout + r.stderr).replace(/\r/g, '\n');
    expect(text).toMatch(/SET: [\d.]+ requests per second/);
    expect(text).toMatch(/GET: [\d.]+ requests per second/);
    expect(text).not.toMatch(/WARNING|ERR|Error/);
    await run('redis-cli', ['-p', String(hoard.port), 'FLUSHALL']);
  }, 90_000);

  it('CLIENT REPLY OFF / ON / SKIP on a raw connection, as redis-server', async () => {
    const session =
      'CLIENT REPLY OFF\r\nPING\r\nSET r 1\r\nCLIENT REPLY ON\r\nGET r\r\n' +
      'CLIENT REPLY SKIP\r\nECHO skipped\r\nECHO shown\r\n' +
      'CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nECHO hidden\r\nCLIENT REPLY ON\r\nDEL r\r\n';
    const expected = '+OK\r\n$1\r\n1\r\n$5\r\nshown\r\n+OK\r\n:1\r\n';
    for (const [name, proc] of targets()) {
      expect(await rawExchange(proc.port, session), name).toBe(expected);
    }
  });

  it('DEBUG SLEEP (enable-debug-command local) blocks every client, as Redis', async () => {
    for (const [name, proc] of targets()) {
      const a = await connectIoredis(proc.port);
      const b = await connectIoredis(proc.port);
      const t0 = Date.now();
      const sleeping = a.call('DEBUG', 'SLEEP', '0.3');
      await new Promise((r) => setTimeout(r, 50));
      expect(await b.ping(), name).toBe('PONG');
      expect(Date.now() - t0, name).toBeGreaterThanOrEqual(280);
      expect(await sleeping).toBe('OK');
      a.disconnect();
      b.disconnect();
    }
  });

  it('SHUTDOWN NOSAVE from redis-cli stops the process with status 0', async () => {
    const r = await run('redis-cli', ['-p', String(hoard.port), 'SHUTDOWN', 'NOSAVE']);
    expect(r.stdout).not.toMatch(/ERR/);
    const code = await Promise.race([hoard.exited, new Promise((res) => setTimeout(() => res('timeout'), 10_000))]);
    expect(code).toBe(0);
  }, 20_000);
});
