#!/usr/bin/env node
// hoard-restore: loads a hoard-dump JSON Lines file into a data dir (as a snapshot written by the
// real persistence code: Persistence.startSnapshot, the BGSAVE path, over a keyspace built with
// the snapshot loader's value constructors) or into a running server (pipelined commands, the
// same ones `hoard-dump --format resp` writes). Invariants: a data dir that already holds data,
// or a server that already holds keys, is refused unless --force; with --dir nothing is written
// before the whole file has been read and validated; a key whose absolute expiry has passed is
// not restored.

import fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Server } from '../src/server/server.js';
import { silentLogger } from '../src/log.js';
import { Persistence } from '../src/persistence/persistence.js';
import { SnapshotStore, SnapshotStoreError } from '../src/persistence/snapshot-store.js';
import { aofDirPath, readManifest } from '../src/persistence/aof-manifest.js';
import { materialize } from '../src/persistence/value-codec.js';
import { EXIT_ERROR, EXIT_OK, EXIT_PROBLEM, formatDuration, intFlag, printJson, runTool, strFlag, ToolError, usageError, type ToolSpec } from './lib/cli.js';
import { lockedMessage, toolConfig } from './lib/data-dir.js';
import { decodeJsonLine, encodeCommand, keyCommands, selectCommand, type KeyRecord } from './lib/key-format.js';
import { Progress } from './lib/progress.js';
import { PipelineClient, ReplyError } from './lib/resp-client.js';

const HELP = `Usage: hoard-restore [options] <jsonl-file> --dir <data-dir>
       hoard-restore [options] <jsonl-file> --host <host> --port <port>

Loads a hoard-dump JSON Lines file (see hoard-dump --help for the format; "-"
reads stdin) either
  --dir <data-dir>   into a data directory, offline: the keys become a snapshot
                     written by Hoard's own persistence code; start hoard-server
                     --dir <data-dir> on it afterwards. A directory that already
                     holds a snapshot or an AOF is refused unless --force, which
                     replaces the snapshot and moves the old AOF directory aside
                     (to appendonlydir.replaced-<timestamp>). A directory a running
                     server has locked is always refused.
or
  --host <host> --port <port>
                     into a running Hoard or Redis server, over one pipelined
                     connection: SELECT, then SET ... PXAT / RPUSH / SADD / HSET /
                     ZADD / PEXPIREAT per key. A server that already holds keys is
                     refused unless --force, which DELetes each restored key first
                     (other keys are kept).

Expiry: a line's "pxat" (absolute unix ms) is used when present, else "ttl" counts
from now; keys whose expiry has passed are skipped.

Options:
  --force            See above.
  -a, --pass <pw>    AUTH to the server with this password (--host).
  --user <name>      AUTH user (with --pass; --host).
  --config <file>    A hoard.conf for databases and encodings (--dir).
  --json             Print the result as JSON on stdout.
  -h, --help         Show this help.

Exit status: 0 ok, 1 a bad line in the file or error replies from the server,
2 bad usage or an I/O error (e.g. the data dir is locked, or not empty without --force).
`;

const spec: ToolSpec = {
  name: 'hoard-restore',
  help: HELP,
  options: {
    dir: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    force: { type: 'boolean' },
    pass: { type: 'string', short: 'a' },
    user: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  minPositionals: 1,
  maxPositionals: 1,
};

/** Streams the decoded records of a JSONL file; a bad line throws a ToolError (exit 1) naming it. */
async function* readDump(file: string, now: number, progress: Progress): AsyncGenerator<KeyRecord> {
  let input: NodeJS.ReadableStream;
  let total = 0;
  if (file === '-') input = process.stdin;
  else {
    try {
      total = (await fsp.stat(file)).size;
    } catch (err) {
      throw new ToolError(`cannot read ${file}: ${(err as Error).message}`, EXIT_ERROR, 'HOARD_TOOL_IO', { cause: err });
    }
    const s = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    input = s;
    let bytes = 0;
    progress.phase('reading dump', total, 'bytes');
    s.on('data', (c) => {
      bytes += c.length;
      progress.update(bytes);
    });
  }
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.length === 0) continue;
    try {
      yield decodeJsonLine(line, now);
    } catch (err) {
      throw new ToolError(`${file === '-' ? 'stdin' : file} line ${n}: ${(err as Error).message}`, EXIT_PROBLEM, 'HOARD_TOOL_BAD_DUMP', { cause: err });
    }
  }
}

async function hasAofData(dir: string, dirName: string, fileName: string): Promise<boolean> {
  try {
    const m = await readManifest(aofDirPath(dir, dirName), fileName);
    if (m !== null) return true;
  } catch {
    return true; // a manifest, even a bad one, is data
  }
  try {
    return (await fsp.readdir(aofDirPath(dir, dirName))).length > 0;
  } catch {
    return false;
  }
}

async function restoreToDir(file: string, dirArg: string, force: boolean, configFile: string | undefined, json: boolean): Promise<number> {
  const dir = path.resolve(dirArg);
  await fsp.mkdir(dir, { recursive: true }).catch((err: Error) => {
    throw new ToolError(`cannot create ${dir}: ${err.message}`, EXIT_ERROR, 'HOARD_TOOL_IO', { cause: err });
  });
  const config = toolConfig(dir, configFile);
  const aofDirName = config.str('appenddirname');
  const aofFileName = config.str('appendfilename');
  let store: SnapshotStore;
  try {
    store = await SnapshotStore.open(dir);
  } catch (err) {
    if (err instanceof SnapshotStoreError && err.code === 'SNAPSHOT_LOCKED') throw new ToolError(lockedMessage(dir, 'hoard-restore', false), EXIT_ERROR, err.code, { cause: err });
    throw new ToolError((err as Error).message, EXIT_ERROR, (err as { code?: string }).code, { cause: err });
  }
  let closed = false;
  try {
    const hasSnapshot = store.current !== null;
    const hasAof = await hasAofData(dir, aofDirName, aofFileName);
    if ((hasSnapshot || hasAof) && !force) {
      throw new ToolError(
        `${dir} already holds data (${[hasSnapshot ? `snapshot ${store.current!.id} with ${store.current!.keys} keys` : '', hasAof ? 'an AOF' : ''].filter(Boolean).join(' and ')}); ` +
          'restore into an empty directory, or give --force to replace it',
        EXIT_ERROR,
        'HOARD_TOOL_NOT_EMPTY',
      );
    }

    // Build the keyspace in memory first: a bad line leaves the directory untouched.
    const t0 = Date.now();
    const now = Date.now();
    const server = new Server(config, { logger: silentLogger });
    const ks = server.ks;
    const databases = config.num('databases');
    const progress = new Progress();
    let keys = 0;
    let expired = 0;
    const perDb = new Map<number, number>();
    let line = 0;
    for await (const r of readDump(file, now, progress)) {
      line++;
      if (r.db >= databases) {
        throw new ToolError(`${file}: key ${line} is in db ${r.db} but there are ${databases} databases (give --config with a larger 'databases')`, EXIT_PROBLEM, 'HOARD_TOOL_BAD_DUMP');
      }
      if (r.expireAt !== 0 && r.expireAt <= now) {
        expired++;
        continue;
      }
      const db = ks.dbs[r.db]!;
      if (db.dict.has(r.key)) throw new ToolError(`${file}: key ${line} (${JSON.stringify(r.key)}, db ${r.db}) appears twice`, EXIT_PROBLEM, 'HOARD_TOOL_BAD_DUMP');
      const value = r.type === 'string' ? (r.str as string) : materialize(r.type, [r.elements], config);
      const e = db.add(r.key, value);
      if (r.expireAt !== 0) db.setExpire(e, r.expireAt);
      keys++;
      perDb.set(r.db, (perDb.get(r.db) ?? 0) + 1);
    }
    progress.end();

    // Replace: the old AOF goes aside first, so that a crash before the new snapshot is current
    // leaves the old snapshot alone (never the new snapshot with the old log replayed over it).
    let movedAof = '';
    if (hasAof) {
      movedAof = `${aofDirPath(dir, aofDirName)}.replaced-${Date.now()}`;
      await fsp.rename(aofDirPath(dir, aofDirName), movedAof);
    }
    const p = new Persistence({
      config,
      ks,
      log: server.log,
      logger: silentLogger,
      replid: server.runId,
      replay: (payload) => server.replayRecord(payload),
    });
    p.store = store; // already open and locked
    const job = p.startSnapshot('save');
    if (job === null) throw new ToolError('could not start the snapshot', EXIT_ERROR, 'HOARD_TOOL_SNAPSHOT');
    const meta = await job;
    await p.close();
    closed = true;
    const dbs = [...perDb.entries()].sort((a, b) => a[0] - b[0]).map(([i, n]) => `db${i}=${n}`).join(' ');
    if (json) {
      printJson({ dir, keys, perDb: Object.fromEntries(perDb), expiredSkipped: expired, snapshot: meta, replacedSnapshot: hasSnapshot, movedAof: movedAof || null, ms: Date.now() - t0 });
      return EXIT_OK;
    }
    process.stdout.write(
      `Restored ${keys} keys (${dbs || 'none'}) into ${dir}: snapshot ${meta.id} at log offset ${meta.offset}, ${meta.records} records, in ${formatDuration(Date.now() - t0)}` +
        `${expired > 0 ? `; ${expired} keys already expired were skipped` : ''}` +
        `${hasSnapshot ? '; the previous snapshot was replaced' : ''}${movedAof ? `; the old AOF was moved to ${movedAof}` : ''}\n`,
    );
    return EXIT_OK;
  } finally {
    if (!closed) await store.close().catch(() => {});
  }
}

async function restoreToServer(file: string, host: string, port: number, force: boolean, user: string | undefined, pass: string | undefined, json: boolean): Promise<number> {
  let c: PipelineClient;
  try {
    c = await PipelineClient.connect(host, port);
  } catch (err) {
    throw new ToolError(`cannot connect to ${host}:${port}: ${(err as Error).message}`, EXIT_ERROR, 'HOARD_TOOL_CONNECT', { cause: err });
  }
  try {
    const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
    if (pass !== undefined) {
      const r = await c.call(encodeCommand(user !== undefined ? ['AUTH', bytes(user), bytes(pass)] : ['AUTH', bytes(pass)]));
      if (r instanceof ReplyError) throw new ToolError(`AUTH failed: ${r.message}`, EXIT_ERROR, 'HOARD_TOOL_AUTH');
    }
    const info = await c.call(encodeCommand(['INFO', 'keyspace']));
    if (info instanceof ReplyError) throw new ToolError(`INFO keyspace failed: ${info.message}`, EXIT_ERROR, 'HOARD_TOOL_SERVER');
    let existing = 0;
    for (const m of String(info).matchAll(/^db\d+:keys=(\d+)/gm)) existing += Number(m[1]);
    if (existing > 0 && !force) {
      throw new ToolError(`${host}:${port} already holds ${existing} keys; restore into an empty server, or give --force to overwrite the keys of the dump`, EXIT_ERROR, 'HOARD_TOOL_NOT_EMPTY');
    }
    const t0 = Date.now();
    const now = Date.now();
    const progress = new Progress();
    let keys = 0;
    let expired = 0;
    let commands = 0;
    let selected = -1;
    let buf = '';
    let bufCommands = 0;
    for await (const r of readDump(file, now, progress)) {
      if (r.expireAt !== 0 && r.expireAt <= now) {
        expired++;
        continue;
      }
      if (r.db !== selected) {
        buf += selectCommand(r.db);
        bufCommands++;
        selected = r.db;
      }
      for (const argv of keyCommands(r.key, r.type, r.str, r.elements, r.expireAt, force)) {
        buf += encodeCommand(argv);
        bufCommands++;
      }
      keys++;
      if (buf.length >= 64 * 1024 || bufCommands >= 1000) {
        commands += bufCommands;
        await c.send(buf, bufCommands);
        buf = '';
        bufCommands = 0;
      }
    }
    if (bufCommands > 0) {
      commands += bufCommands;
      await c.send(buf, bufCommands);
    }
    await c.settle();
    progress.end();
    if (json) {
      printJson({ host, port, keys, commands, replies: c.replies, errors: c.errors, firstErrors: c.firstErrors, expiredSkipped: expired, ms: Date.now() - t0 });
      return c.errors > 0 ? EXIT_PROBLEM : EXIT_OK;
    }
    process.stdout.write(
      `Restored ${keys} keys to ${host}:${port} with ${commands} commands in ${formatDuration(Date.now() - t0)}: ${c.replies} replies, ${c.errors} errors` +
        `${expired > 0 ? `; ${expired} keys already expired were skipped` : ''}\n`,
    );
    for (const e of c.firstErrors) process.stderr.write(`hoard-restore: error reply: ${e}\n`);
    return c.errors > 0 ? EXIT_PROBLEM : EXIT_OK;
  } finally {
    c.close();
  }
}

runTool(spec, async ({ values, positionals }) => {
  const dir = strFlag(values.dir);
  const host = strFlag(values.host);
  const portFlag = values.port;
  if ((dir === undefined) === (host === undefined && portFlag === undefined)) throw usageError('give either --dir <data-dir> or --host <host> --port <port>');
  const force = values.force === true;
  if (dir !== undefined) {
    if (values.pass !== undefined || values.user !== undefined) throw usageError('--pass and --user go with --host');
    return restoreToDir(positionals[0]!, dir, force, strFlag(values.config), values.json === true);
  }
  const port = intFlag('port', portFlag, 6379, 65535);
  return restoreToServer(positionals[0]!, host ?? '127.0.0.1', port, force, strFlag(values.user), strFlag(values.pass), values.json === true);
});
