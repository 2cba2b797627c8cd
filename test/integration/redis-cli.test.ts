// redis-cli's own modes (--scan, --bigkeys, --memkeys, --hotkeys, --stat, --latency, -r/-i, -n,
// -3, --raw/--no-raw/--csv, -x, --eval, MONITOR, SUBSCRIBE, --user/--pass, --rdb, --cluster,
// interactive HELP) run as real child processes against a Hoard process and, when redis-server is
// installed, against a redis-server loaded with the same data. Expected values come from the
// data loaded here or from redis-server's own output — never from Hoard's. Every child runs
// under a timeout: some of these modes loop forever.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { redisServerAvailable } from '../helpers/backends.js';
import { ensureBuilt, runProgram, spawnServer, type RunResult, type ServerKind, type SpawnedServer } from '../helpers/proc.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_CLI = has('redis-cli');
const HAVE_STDBUF = has('stdbuf');
const HAVE_SCRIPT = has('script');

// ---- the data both servers hold -----------------------------------------------------------------

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const STRINGS = new Map<string, string>([...range(40).map((i): [string, string] => [`str:${i}`, `val${i}`]), ['bigstr', 'x'.repeat(5000)]]);
const TTL_KEYS = range(8).map((i) => `ttl:${i}`); // strings "v" with EX 1000
const HASHES = new Map<string, Array<[string, string]>>([
  ['bighash', range(300).map((i): [string, string] => [`f${i}`, `v${i}`])],
  ['smallhash', [['a', '1'], ['b', '2']]],
]);
const LISTS = new Map<string, string[]>([
  ['biglist', range(200).map((i) => `e${i}`)],
  ['smalllist', ['x', 'y']],
]);
const SETS = new Map<string, string[]>([
  ['bigset', range(150).map((i) => `m${i}`)],
  ['smallset', ['1', '2', '3']],
]);
const ZSETS = new Map<string, Array<[number, string]>>([
  ['bigzset', range(250).map((i): [number, string] => [i, `z${i}`])],
  ['smallzset', [[1, 'a'], [2.5, 'b']]],
]);
const STREAM = { key: 'mystream', entries: [['1-1', 'a', '1'], ['2-1', 'b', '2']] };
const DB1_KEYS = ['db1:1', 'db1:2', 'db1:3', 'db1hash'];
const DB2_KEYS = ['db2list'];
const HOT_KEY = 'str:7';

const DB0_KEYS = [...STRINGS.keys(), ...TTL_KEYS, ...HASHES.keys(), ...LISTS.keys(), ...SETS.keys(), ...ZSETS.keys(), STREAM.key];
const TOTAL_KEYS = DB0_KEYS.length + DB1_KEYS.length + DB2_KEYS.length;

/** The data as redis-cli stdin lines (quoted where needed). */
function loadScript(): string {
  const l: string[] = [];
  for (const [k, v] of STRINGS) l.push(`SET ${k} ${v}`);
  for (const k of TTL_KEYS) l.push(`SET ${k} v EX 1000`);
  for (const [k, fv] of HASHES) l.push(`HSET ${k} ${fv.flat().join(' ')}`);
  for (const [k, items] of LISTS) l.push(`RPUSH ${k} ${items.join(' ')}`);
  for (const [k, m] of SETS) l.push(`SADD ${k} ${m.join(' ')}`);
  for (const [k, zs] of ZSETS) l.push(`ZADD ${k} ${zs.flat().join(' ')}`);
  for (const [id, f, v] of STREAM.entries) l.push(`XADD ${STREAM.key} ${id} ${f} ${v}`);
  l.push('SELECT 1', 'SET db1:1 a', 'SET db1:2 b', 'SET db1:3 c', 'HSET db1hash f v');
  l.push('SELECT 2', 'RPUSH db2list a b c', 'SELECT 0');
  for (let i = 0; i < 300; i++) l.push(`GET ${HOT_KEY}`);
  return l.join('\n') + '\n';
}

// ---- running redis-cli ----------------------------------------------------------------------------

function run(cmd: string, args: string[], input: string | Buffer = '', timeoutMs = 10_000): Promise<RunResult> {
  return runProgram(cmd, args, input, timeoutMs);
}

const cli = (srv: SpawnedServer, args: string[], input = '', timeoutMs = 10_000) => run('redis-cli', ['-p', String(srv.port), ...args], input, timeoutMs);

/** A redis-cli that does not end by itself (MONITOR, SUBSCRIBE, --stat), output unbuffered. */
interface LongRun {
  child: ChildProcess;
  out(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

function startLong(srv: SpawnedServer, args: string[]): LongRun {
  const child = spawn('stdbuf', ['-o0', 'redis-cli', '-p', String(srv.port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return {
    child,
    out: () => out,
    async waitFor(re, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`redis-cli ${args.join(' ')}: no ${re} in:\n${out}`);
        if (child.exitCode !== null) throw new Error(`redis-cli ${args.join(' ')} exited ${child.exitCode}:\n${out}`);
        await sleep(25);
      }
      return out;
    },
    async stop() {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (s: string) => s.split('\n').filter((l) => l !== '').sort();

/** --bigkeys / --memkeys summary lines → { biggest: type → [key, n], totals: type → [count, sum] }. */
function parseSummary(out: string): { sampled: number; biggest: Map<string, [string, number]>; totals: Map<string, [number, number]> } {
  const summary = out.slice(out.indexOf('-------- summary -------'));
  const sampled = Number(/Sampled (\d+) keys in the keyspace!/.exec(summary)?.[1]);
  const biggest = new Map<string, [string, number]>();
  for (const m of summary.matchAll(/^Biggest +(\w+) found '"([^"]+)"' has (\d+) \w+$/gm)) biggest.set(m[1], [m[2], Number(m[3])]);
  const totals = new Map<string, [number, number]>();
  for (const m of summary.matchAll(/^(\d+) (\w+?)s with (\d+) \w+ \(/gm)) totals.set(m[2], [Number(m[1]), Number(m[3])]);
  return { sampled, biggest, totals };
}

// ---- the servers ------------------------------------------------------------------------------------

const SERVER_ARGS = ['--maxmemory-policy', 'allkeys-lfu'];

async function startLoaded(kind: ServerKind): Promise<SpawnedServer> {
  const srv = await spawnServer(kind, SERVER_ARGS, { capture: 'stderr', dirPrefix: `hoard-rediscli-${kind}-` });
  const r = await cli(srv, [], loadScript(), 20_000);
  if (r.code !== 0 || /ERR/.test(r.stdout)) throw new Error(`loading ${kind} failed: ${r.stdout.slice(0, 500)} ${r.stderr}`);
  return srv;
}

describe.skipIf(!HAVE_CLI)('redis-cli modes against Hoard (and redis-server with the same data)', () => {
  let hoard: SpawnedServer;
  let redis: SpawnedServer | null = null;
  let tmp: string;

  beforeAll(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hoard-rediscli-files-'));
    [hoard, redis] = await Promise.all([startLoaded('hoard'), redisServerAvailable() ? startLoaded('redis') : Promise.resolve(null)]);
  }, 60_000);

  afterAll(async () => {
    await hoard?.stop();
    await redis?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const servers = (): SpawnedServer[] => (redis ? [hoard, redis] : [hoard]);

  /** The same redis-cli invocation on every server: Hoard's output must equal redis-server's. */
  async function sameOnBoth(args: string[], input = ''): Promise<string> {
    const outs: string[] = [];
    for (const srv of servers()) {
      const r = await cli(srv, args, input);
      outs.push(r.stdout + r.stderr);
    }
    if (outs.length === 2) expect(outs[0], `redis-cli ${args.join(' ')}`).toBe(outs[1]);
    return outs[0];
  }

  it('--scan: every key once; --pattern and -n select exactly the matching keys', async () => {
    for (const srv of servers()) {
      expect(sorted((await cli(srv, ['--scan'])).stdout), srv.kind).toEqual([...DB0_KEYS].sort());
      expect(sorted((await cli(srv, ['--scan', '--pattern', 'str:1*'])).stdout), srv.kind).toEqual(
        [...STRINGS.keys()].filter((k) => k.startsWith('str:1')).sort(),
      );
      expect(sorted((await cli(srv, ['--scan', '--pattern', '*list*', '-i', '0.01'])).stdout), srv.kind).toEqual(['biglist', 'smalllist']);
      expect(sorted((await cli(srv, ['--scan', '--pattern', 'ttl:?'])).stdout), srv.kind).toEqual([...TTL_KEYS].sort());
      expect(sorted((await cli(srv, ['--scan', '--quoted-pattern', '"big*"'])).stdout), srv.kind).toEqual(['bighash', 'biglist', 'bigset', 'bigstr', 'bigzset']);
      expect(sorted((await cli(srv, ['-n', '1', '--scan'])).stdout), srv.kind).toEqual([...DB1_KEYS].sort());
      expect(sorted((await cli(srv, ['-n', '2', '--scan', '--pattern', 'db2*'])).stdout), srv.kind).toEqual(DB2_KEYS);
    }
  });

  it('--bigkeys: the biggest key of each type with its element count, and the per-type totals', async () => {
    const summaries: string[] = [];
    for (const srv of servers()) {
      const r = await cli(srv, ['--bigkeys']);
      expect(r.code, srv.kind).toBe(0);
      const s = parseSummary(r.stdout);
      expect(s.sampled).toBe(DB0_KEYS.length);
      expect(Object.fromEntries(s.biggest)).toEqual({
        string: ['bigstr', 5000],
        hash: ['bighash', 300],
        list: ['biglist', 200],
        set: ['bigset', 150],
        zset: ['bigzset', 250],
        stream: [STREAM.key, 2],
      });
      const strBytes = [...STRINGS.values()].reduce((a, v) => a + v.length, 0) + TTL_KEYS.length;
      const sumOf = <T>(m: Map<string, T[]>) => [...m.values()].reduce((a, v) => a + v.length, 0);
      expect(Object.fromEntries(s.totals)).toEqual({
        string: [STRINGS.size + TTL_KEYS.length, strBytes],
        hash: [HASHES.size, sumOf(HASHES)],
        list: [LISTS.size, sumOf(LISTS)],
        set: [SETS.size, sumOf(SETS)],
        zset: [ZSETS.size, sumOf(ZSETS)],
        stream: [1, STREAM.entries.length],
      });
      summaries.push(r.stdout.slice(r.stdout.indexOf('-------- summary')));
    }
    if (summaries.length === 2) expect(summaries[0]).toBe(summaries[1]);
  });

  it('--memkeys: runs to its summary; each type total is the sum of MEMORY USAGE of its keys', async () => {
    for (const srv of servers()) {
      const r = await cli(srv, ['--memkeys']);
      expect(r.code, srv.kind).toBe(0);
      const s = parseSummary(r.stdout);
      expect(s.sampled, srv.kind).toBe(DB0_KEYS.length);
      // The big collections dwarf the small ones on any allocator.
      expect([...s.biggest].map(([t, [k]]) => [t, k]).sort()).toEqual(
        [['hash', 'bighash'], ['list', 'biglist'], ['set', 'bigset'], ['stream', STREAM.key], ['string', 'bigstr'], ['zset', 'bigzset']],
      );
      // What redis-cli summed, recomputed from the server's own MEMORY USAGE and TYPE.
      const usage = (await cli(srv, [], DB0_KEYS.map((k) => `MEMORY USAGE ${k}\nTYPE ${k}`).join('\n') + '\n')).stdout.trim().split('\n');
      const expected = new Map<string, [number, number]>();
      for (let i = 0; i < usage.length; i += 2) {
        const [n, sum] = expected.get(usage[i + 1]) ?? [0, 0];
        expected.set(usage[i + 1], [n + 1, sum + Number(usage[i])]);
      }
      expect(Object.fromEntries(s.totals), srv.kind).toEqual(Object.fromEntries(expected));
      for (const [type, [key, bytes]] of s.biggest) expect(bytes, `${srv.kind} ${type}`).toBe(Number(usage[DB0_KEYS.indexOf(key) * 2]));
    }
  });

  it('--hotkeys (allkeys-lfu): the key read 300 times comes first', async () => {
    for (const srv of servers()) {
      const r = await cli(srv, ['--hotkeys']);
      expect(r.code, srv.kind).toBe(0);
      const hot = [...r.stdout.matchAll(/^hot key found with counter: (\d+)\tkeyname: "([^"]+)"$/gm)];
      expect(hot.length, srv.kind).toBeGreaterThan(0);
      expect(hot[0][2], srv.kind).toBe(HOT_KEY);
      expect(Number(hot[0][1])).toBeGreaterThan(Number(hot[1]?.[1] ?? 0));
    }
  });

  it('--hotkeys without an LFU policy fails with Redis error text', async () => {
    const outs: string[] = [];
    for (const srv of servers()) {
      await cli(srv, ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
      try {
        const r = await cli(srv, ['--hotkeys']);
        expect(r.code, srv.kind).toBe(1);
        expect(r.stderr).toContain('Error: ERR An LFU maxmemory policy is not selected, access frequency not tracked.');
        outs.push(r.stdout + r.stderr);
      } finally {
        await cli(srv, ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu']);
      }
    }
    if (outs.length === 2) expect(outs[0]).toBe(outs[1]);
  });

  it.skipIf(!HAVE_STDBUF)('--stat: the keys, mem, clients, requests and connections columns are filled', async () => {
    const keysColumn: string[] = [];
    for (const srv of servers()) {
      const stat = startLong(srv, ['--stat', '-i', '0.2']);
      try {
        const out = await stat.waitFor(/(\n\d+ .*){3}/);
        const lines = out.split('\n');
        expect(lines[0]).toMatch(/^------- data ------ -+ load -+ - child -/);
        expect(lines[1].split(/\s+/).filter(Boolean)).toEqual(['keys', 'mem', 'clients', 'blocked', 'requests', 'connections']);
        const rows = lines.slice(2).filter((l) => /^\d/.test(l));
        for (const row of rows) {
          const m = /^(\d+)\s+(\d+(?:\.\d+)?[BKMG]?)\s+(\d+)\s+(\d+)\s+(\d+) \(\+(\d+)\)\s+(\d+)\s*$/.exec(row);
          expect(m, `${srv.kind}: ${row}`).not.toBeNull();
          expect(Number(m![1]), srv.kind).toBe(TOTAL_KEYS);
          expect(Number(m![3])).toBeGreaterThanOrEqual(1);
          expect(Number(m![7])).toBeGreaterThanOrEqual(1);
        }
        // requests grows by what --stat itself sends (one INFO per interval).
        expect(Number(/\((\+\d+)\)/.exec(rows[2])![1])).toBeGreaterThanOrEqual(1);
        keysColumn.push(rows[0].split(/\s+/)[0]);
      } finally {
        await stat.stop();
      }
    }
    if (keysColumn.length === 2) expect(keysColumn[0]).toBe(keysColumn[1]);
  });

  it('--latency (raw): min, max, avg and a sample count', async () => {
    for (const srv of servers()) {
      const r = await cli(srv, ['--latency', '--raw', '-i', '0.3']);
      expect(r.code, srv.kind).toBe(0);
      const m = /^(\d+) (\d+) (\d+\.\d\d) (\d+)\n$/.exec(r.stdout);
      expect(m, `${srv.kind}: ${r.stdout}`).not.toBeNull();
      expect(Number(m![4])).toBeGreaterThan(0);
    }
  });

  it('-r/-i repeat, -n db, -x stdin as the last argument', async () => {
    expect(await sameOnBoth(['-r', '3', '-i', '0.05', 'INCR', 'rep:counter'])).toBe('1\n2\n3\n');
    expect(await sameOnBoth(['-n', '2', 'LRANGE', 'db2list', '0', '-1'])).toBe('a\nb\nc\n');
    expect(await sameOnBoth(['-n', '1', 'GET', 'db1:2'])).toBe('b\n');
    expect(await sameOnBoth(['-x', 'SET', 'x:key'], 'line one\nline two')).toBe('OK\n');
    expect(await sameOnBoth(['GET', 'x:key'])).toBe('line one\nline two\n');
    expect(await sameOnBoth(['-x', 'HSET', 'x:hash', 'f'], 'v\x01')).toBe('1\n');
    expect(await sameOnBoth(['--no-raw', 'HGET', 'x:hash', 'f'])).toBe('"v\\x01"\n');
  });

  it('-3: HGETALL prints a map, ZSCORE a double, SMISMEMBER integers, as on redis-server', async () => {
    expect(await sameOnBoth(['-3', '--no-raw', 'HGETALL', 'smallhash'])).toBe('1# "a" => "1"\n2# "b" => "2"\n');
    expect(await sameOnBoth(['-3', 'HGETALL', 'smallhash'])).toBe('a 1\nb 2\n');
    expect(await sameOnBoth(['-3', '--no-raw', 'ZSCORE', 'smallzset', 'b'])).toBe('(double) 2.5\n');
    expect(await sameOnBoth(['-3', '--no-raw', 'GET', 'no:such:key'])).toBe('(nil)\n');
    expect(await sameOnBoth(['-3', '--no-raw', 'ZRANGE', 'smallzset', '0', '-1', 'WITHSCORES'])).toBe('1) 1) "a"\n   2) (double) 1\n2) 1) "b"\n   2) (double) 2.5\n');
    await sameOnBoth(['-3', '--no-raw', 'SMISMEMBER', 'smallset', '1', '9']);
    await sameOnBoth(['-3', '--no-raw', 'CONFIG', 'GET', 'maxmemory-policy']);
  });

  it('--raw, --no-raw and --csv print replies of every type as redis-server does', async () => {
    const commands: string[][] = [
      ['MGET', 'str:1', 'no:such:key', 'str:2'],
      ['ZRANGE', 'smallzset', '0', '-1', 'WITHSCORES'],
      ['LRANGE', 'smalllist', '0', '-1'],
      ['XRANGE', STREAM.key, '-', '+'],
      ['LPUSH', 'smallset', 'x'],
      ['NO-SUCH-COMMAND', 'a\nb'],
      ['GET', 'no:such:key'],
      ['INCRBYFLOAT', 'csv:float', '1.5'],
      ['SET', 'csv:"q"', 'a "b",\x01\n'],
      ['GET', 'csv:"q"'],
      ['ZSCORE', 'smallzset', 'b'],
      ['TYPE', 'smallset'],
      ['SMISMEMBER', 'smallset', '1', '9'],
      ['OBJECT', 'ENCODING', 'smallhash'],
      ['LCS', 'str:1', 'str:2', 'IDX', 'WITHMATCHLEN'],
    ];
    for (const mode of ['--raw', '--no-raw', '--csv']) {
      for (const proto of ['-2', '-3']) {
        for (const c of commands) {
          await sameOnBoth([proto, mode, ...c]);
        }
      }
    }
    // Without redis-server, a few forms from the data itself.
    const p = (args: string[]) => cli(hoard, args).then((r) => r.stdout);
    expect(await p(['--csv', 'MGET', 'str:1', 'no:such:key', 'str:2'])).toBe('"val1",NULL,"val2"\n');
    expect(await p(['--csv', '-3', 'ZRANGE', 'smallzset', '0', '-1', 'WITHSCORES'])).toBe('"a",1,"b",2.5\n');
    expect(await p(['--no-raw', 'LPUSH', 'smallset', 'x'])).toBe('(error) WRONGTYPE Operation against a key holding the wrong kind of value\n');
    expect(await p(['--no-raw', 'NO-SUCH-COMMAND', 'a\nb'])).toBe("(error) ERR unknown command 'NO-SUCH-COMMAND', with args beginning with: 'a b' \n");
    expect(await p(['--csv', 'LPUSH', 'smallset', 'x'])).toBe('ERROR,"WRONGTYPE Operation against a key holding the wrong kind of value"\n');
    expect(await p(['--no-raw', 'XRANGE', STREAM.key, '-', '+'])).toBe(
      '1) 1) "1-1"\n   2) 1) "a"\n      2) "1"\n2) 1) "2-1"\n   2) 1) "b"\n      2) "2"\n',
    );
  });

  it('--eval: a script file runs with its keys and arguments', async () => {
    const script = path.join(tmp, 'script.lua');
    fs.writeFileSync(script, "local v = redis.call('GET', KEYS[1])\nreturn {v, ARGV[1], #KEYS}\n");
    for (const srv of servers()) {
      expect((await cli(srv, ['--eval', script, 'str:1', ',', 'arg1'])).stdout, srv.kind).toBe('val1\narg1\n1\n');
    }
  });

  it.skipIf(!HAVE_STDBUF)('MONITOR prints the commands another client sends, with db and quoting', async () => {
    const lines: string[] = [];
    for (const srv of servers()) {
      const mon = startLong(srv, ['MONITOR']);
      try {
        await mon.waitFor(/^OK\n/);
        await cli(srv, ['SET', 'mon:k', 'a b"c']);
        await cli(srv, ['-n', '3', 'GET', 'mon:k']);
        const out = await mon.waitFor(/"GET" "mon:k"/);
        const got = out
          .split('\n')
          .filter((l) => /^\d+\.\d+ \[/.test(l))
          .map((l) => l.replace(/^\d+\.\d+ \[(\d+) [^\]]+\]/, '[$1]'));
        expect(got, srv.kind).toEqual(['[0] "SET" "mon:k" "a b\\"c"', '[3] "SELECT" "3"', '[3] "GET" "mon:k"']);
        lines.push(got.join('\n'));
      } finally {
        await mon.stop();
      }
    }
  });

  it.skipIf(!HAVE_STDBUF)('SUBSCRIBE and PSUBSCRIBE modes print the messages another client publishes', async () => {
    for (const srv of servers()) {
      const sub = startLong(srv, ['SUBSCRIBE', 'ch1', 'ch2']);
      const psub = startLong(srv, ['-3', 'PSUBSCRIBE', 'c*']);
      try {
        await sub.waitFor(/subscribe\nch2\n2\n/);
        await psub.waitFor(/psubscribe\nc\*\n1\n/);
        expect((await cli(srv, ['PUBLISH', 'ch1', 'hello there'])).stdout).toBe('2\n');
        expect(await sub.waitFor(/message\n/)).toBe('subscribe\nch1\n1\nsubscribe\nch2\n2\nmessage\nch1\nhello there\n');
        expect(await psub.waitFor(/pmessage\n/)).toBe('psubscribe\nc*\n1\npmessage\nc*\nch1\nhello there\n');
      } finally {
        await sub.stop();
        await psub.stop();
      }
    }
  });

  it('--user/--pass/-a with requirepass and an ACL user', async () => {
    const outs: string[] = [];
    for (const srv of servers()) {
      await cli(srv, ['ACL', 'SETUSER', 'alice', 'on', '>apw', '~str:*', '+get', '+ping']);
      await cli(srv, ['CONFIG', 'SET', 'requirepass', 's3cret']);
      try {
        const o: string[] = [];
        const add = async (args: string[], env?: string) => {
          const r = env
            ? await run('sh', ['-c', `REDISCLI_AUTH=${env} redis-cli -p ${srv.port} ${args.join(' ')}`])
            : await cli(srv, ['--no-auth-warning', ...args]);
          o.push(`${args.join(' ')} => ${r.code} ${r.stdout}${r.stderr}`);
        };
        await add(['GET', 'str:1']);
        await add(['-a', 'wrong', 'GET', 'str:1']);
        await add(['-a', 's3cret', 'GET', 'str:1']);
        await add(['--pass', 's3cret', 'GET', 'str:1']);
        await add(['--user', 'alice', '--pass', 'apw', 'GET', 'str:1']);
        await add(['--user', 'alice', '--pass', 'apw', 'GET', 'bighash']);
        await add(['--user', 'alice', '--pass', 'apw', 'SET', 'str:1', 'x']);
        await add(['--user', 'alice', '--pass', 'bad', 'GET', 'str:1']);
        await add(['--user', 'alice', '--pass', 'apw', '--scan']);
        await add(['PING'], 's3cret');
        const text = o.join('\n');
        expect(text).toContain('-a s3cret GET str:1 => 0 val1\n');
        expect(text).toContain('--user alice --pass apw GET str:1 => 0 val1\n');
        expect(text).toContain("SET str:1 x => 0 NOPERM this user has no permissions to run the 'set' command");
        expect(text).toContain('AUTH failed: WRONGPASS invalid username-password pair or user is disabled.');
        outs.push(text);
      } finally {
        await cli(srv, ['-a', 's3cret', '--no-auth-warning', 'CONFIG', 'SET', 'requirepass', '']);
        await cli(srv, ['ACL', 'DELUSER', 'alice']);
      }
    }
    if (outs.length === 2) expect(outs[0]).toBe(outs[1]);
  });

  it('--rdb and --functions-rdb: a file redis-check-rdb accepts, with the same keys on both servers', async () => {
    const counts: string[] = [];
    for (const srv of servers()) {
      const file = path.join(tmp, `${srv.kind}.rdb`);
      const r = await cli(srv, ['--rdb', file]);
      expect(r.code, srv.kind + r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain('Transfer finished with success');
      const check = await runProgram('redis-check-rdb', [file]);
      expect(check.stdout, srv.kind).toContain('RDB looks OK');
      counts.push(/\[info\] (\d+) keys read/.exec(check.stdout)?.[1] ?? 'none');
      // The functions alone: neither server has any, so no keys either.
      const f = await cli(srv, ['--functions-rdb', path.join(tmp, `${srv.kind}-f.rdb`)]);
      expect(f.code, srv.kind).toBe(0);
      const fcheck = await runProgram('redis-check-rdb', [path.join(tmp, `${srv.kind}-f.rdb`)]);
      expect(fcheck.stdout, srv.kind).toContain('RDB looks OK');
      expect(fcheck.stdout, srv.kind).toContain('[info] 0 keys read');
      expect((await cli(srv, ['GET', 'str:1'])).stdout).toBe('val1\n');
    }
    expect(Number(counts[0])).toBeGreaterThan(0);
    if (counts.length === 2) expect(counts[0]).toBe(counts[1]);
  });

  it('--cluster subcommands and CLUSTER against a non-cluster server: the same errors as redis-server', async () => {
    for (const srv of servers()) {
      const r = await cli(srv, ['--cluster', 'info', `127.0.0.1:${srv.port}`]);
      expect(r.code, srv.kind).toBe(1);
      expect(r.stdout + r.stderr).toContain(`[ERR] Node 127.0.0.1:${srv.port} is not configured as a cluster node.`);
      const c = await cli(srv, ['--cluster', 'check', `127.0.0.1:${srv.port}`]);
      expect(c.code, srv.kind).toBe(1);
    }
    expect((await sameOnBoth(['CLUSTER', 'INFO'])).trimEnd()).toBe('ERR This instance has cluster support disabled');
    expect(await sameOnBoth(['-c', 'GET', 'str:3'])).toBe('val3\n');
    await sameOnBoth(['CLUSTER', 'NOPE']);
    await sameOnBoth(['READONLY']);
  });

  it('CLIENT LIST: the same fields in the same order as redis-server', async () => {
    const fields: string[][] = [];
    for (const srv of servers()) {
      const line = (await cli(srv, ['CLIENT', 'LIST'])).stdout.trim().split('\n')[0];
      fields.push(line.split(' ').map((kv) => kv.slice(0, kv.indexOf('='))));
      expect(line).toMatch(/ flags=N db=0 .* cmd=client\|list user=default redir=-1 resp=2$/);
    }
    if (fields.length === 2) expect(fields[0]).toEqual(fields[1]);
  });

  it.skipIf(!HAVE_SCRIPT)('interactive HELP SET (built from COMMAND DOCS) shows the arguments and summary', async () => {
    const texts: string[] = [];
    for (const srv of servers()) {
      // As clients.test.ts: `script` gives redis-cli a terminal; each line follows a cursor report.
      const child = spawn('script', ['-qc', `redis-cli -p ${srv.port}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
      child.stdin.on('error', () => {});
      try {
        await sleep(500);
        for (let i = 0; i < 3 && !out.includes('summary:'); i++) {
          child.stdin.write('\x1b[1;200R' + 'HELP SET\r');
          for (let j = 0; j < 10 && !out.includes('since:'); j++) await sleep(100);
        }
      } finally {
        child.stdin.end('\x04');
        child.kill('SIGKILL');
      }
      const text = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      expect(text, srv.kind).toContain('SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]');
      expect(text, srv.kind).toContain('summary: Set the string value of a key');
      expect(text, srv.kind).toContain('since: 1.0.0');
      texts.push(text);
    }
  }, 30_000);
});
