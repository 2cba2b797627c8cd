#!/usr/bin/env node
// hoard-dump: exports a data dir's dataset, as the server would load it (snapshot + AOF), to JSON
// Lines or to RESP commands for `redis-cli --pipe`. Loading is lib/data-dir.ts; the formats are
// lib/key-format.ts (shared with hoard-restore). Invariant: only keys a client could see at the
// instant loading finished are written (already-expired ones are not), each exactly once, and
// nothing is written at all when the server would refuse to load the dir.

import fs from 'node:fs';
import { compileMatcher } from '../src/util/glob.js';
import type { ValueType } from '../src/keyspace/index.js';
import { EXIT_OK, EXIT_PROBLEM, ToolError, EXIT_ERROR, formatDuration, intFlag, runTool, stdoutGone, strFlag, usageError, writeOut, type ToolSpec } from './lib/cli.js';
import { describeAofProblem, loadDataset, openDataDir } from './lib/data-dir.js';
import { encodeCommand, encodeJsonLine, elementsOf, keyCommands, selectCommand, VALUE_TYPES } from './lib/key-format.js';
import { Progress } from './lib/progress.js';

const HELP = `Usage: hoard-dump [options] <data-dir>

Exports the dataset of a Hoard data directory, as the server would load it (the
current snapshot, then the AOF records after it), without starting a server.
Keys already expired when loading finished are left out.

Formats:
  --format jsonl (default)
      One JSON object per line and per key:
        {"db":0,"key":K,"type":T,"ttl":MS,"pxat":AT,"value":V}
      type   string | list | hash | set | zset
      ttl    milliseconds left when the dump was taken, or -1 (no expiry)
      pxat   the absolute expiry, unix ms (only when ttl is not -1)
      value  string: S
             list:   [S, ...]            (head to tail)
             set:    [S, ...]
             hash:   [[field S, value S], ...]
             zset:   [[member S, score], ...]   (ascending by score)
      S, a key or any value bytes: a JSON string when the bytes are valid UTF-8
      (the string is their text), otherwise {"base64": "<the bytes, base64>"}.
      A score is a JSON number, or "inf" / "-inf".
  --format resp
      Redis protocol commands that rebuild the data on an empty Redis or Hoard:
        redis-cli -p 6379 --pipe < dump.resp
      SELECT <db>, then per key SET key value [PXAT t], or RPUSH / SADD / HSET /
      ZADD (collections split into commands of at most 1000 elements or 1 MB)
      followed by PEXPIREAT for a key with a TTL. No DEL: load into empty dbs.

Options:
  -o, --output <file>  Write to <file> instead of stdout.
  --db <n>             Only db <n>.
  --match <pattern>    Only keys matching the glob <pattern> (Redis KEYS syntax).
  --type <type>        Only keys of this type.
  --no-aof             Ignore the AOF (what a server with appendonly no loads).
  --config <file>      A hoard.conf for databases / appenddirname / appendfilename.
  --unsafe-live-copy   If a running server holds the data dir, dump a copy of its
                       files instead of refusing.
  -h, --help           Show this help.

Exit status: 0 ok, 1 the data dir is damaged so the server would refuse it
(nothing is written), 2 bad usage or an I/O error (e.g. the data dir is locked
by a running server).
`;

const spec: ToolSpec = {
  name: 'hoard-dump',
  help: HELP,
  options: {
    output: { type: 'string', short: 'o' },
    format: { type: 'string' },
    db: { type: 'string' },
    match: { type: 'string' },
    type: { type: 'string' },
    'no-aof': { type: 'boolean' },
    config: { type: 'string' },
    'unsafe-live-copy': { type: 'boolean' },
  },
  minPositionals: 1,
  maxPositionals: 1,
};

/** Output is gathered into chunks of about this many chars before a write. */
const CHUNK = 1 << 20;

runTool(spec, async ({ values, positionals }) => {
  const format = strFlag(values.format) ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'resp') throw usageError(`--format must be jsonl or resp, got '${format}'`);
  const onlyDb = values.db === undefined ? -1 : intFlag('db', values.db, 0, 255);
  const type = strFlag(values.type);
  if (type !== undefined && !VALUE_TYPES.includes(type as ValueType)) throw usageError(`--type must be one of ${VALUE_TYPES.join(', ')}`);
  const pattern = strFlag(values.match);
  // Patterns match bytes: the argument's UTF-8 bytes, as a client would send them.
  const match = pattern === undefined ? null : compileMatcher(Buffer.from(pattern, 'utf8').toString('latin1'));
  const outFile = strFlag(values.output);

  const d = await openDataDir({ dir: positionals[0]!, configFile: strFlag(values.config), unsafeLiveCopy: values['unsafe-live-copy'] === true, tool: spec.name });
  const t0 = Date.now();
  try {
    if (d.liveCopyNote) process.stderr.write(`note: ${d.liveCopyNote}\n`);
    if (onlyDb >= d.config.num('databases')) throw usageError(`--db ${onlyDb} is out of range (databases ${d.config.num('databases')})`);
    const progress = new Progress();
    const ds = await loadDataset(d, { useAof: values['no-aof'] !== true, progress });
    if (ds.aof.problem !== null) {
      process.stderr.write(`${describeAofProblem(ds.aof.problem, ds.aof.fatal)}\n`);
      if (ds.aof.fatal) {
        process.stderr.write(`hoard-dump: nothing written; repair the AOF with 'hoard-check-aof --fix ${d.origDir}' first\n`);
        return EXIT_PROBLEM;
      }
    }
    const loadMs = Date.now() - t0;

    let out: NodeJS.WritableStream = process.stdout;
    let file: fs.WriteStream | null = null;
    if (outFile !== undefined) {
      file = fs.createWriteStream(outFile);
      await new Promise<void>((resolve, reject) => {
        file!.once('open', () => resolve());
        file!.once('error', (err) => reject(new ToolError(`cannot write ${outFile}: ${err.message}`, EXIT_ERROR, 'HOARD_TOOL_IO', { cause: err })));
      });
      out = file;
    }
    let ioError: Error | null = null;
    file?.on('error', (err) => (ioError = err));
    const enc: BufferEncoding = format === 'resp' ? 'latin1' : 'utf8';
    let buf = '';
    const flush = async () => {
      if (buf.length === 0) return;
      const chunk = buf;
      buf = '';
      await writeOut(out, chunk, enc);
      if (ioError !== null) throw new ToolError(`cannot write ${outFile}: ${(ioError as Error).message}`, EXIT_ERROR, 'HOARD_TOOL_IO', { cause: ioError });
    };

    const now = ds.now;
    const perDb = new Map<number, number>();
    let written = 0;
    progress.phase('writing keys', ds.ks.totalKeys(), 'items');
    let seen = 0;
    for (const db of ds.ks.dbs) {
      if ((onlyDb >= 0 && db.index !== onlyDb) || db.dict.size === 0) continue;
      let selected = false;
      for (const e of db.entries()) {
        if ((++seen & 1023) === 0) progress.update(seen);
        if (e.expireAt !== 0 && e.expireAt <= now) continue;
        const v = e.value;
        const t: ValueType = typeof v === 'string' ? 'string' : v.type;
        if (type !== undefined && t !== type) continue;
        if (match !== null && !match(e.key)) continue;
        if (format === 'jsonl') buf += encodeJsonLine(db.index, e.key, v, e.expireAt, now);
        else {
          if (!selected) {
            buf += selectCommand(db.index);
            selected = true;
          }
          const cmds = keyCommands(e.key, t, typeof v === 'string' ? v : null, typeof v === 'string' ? [] : elementsOf(v), e.expireAt);
          for (const argv of cmds) {
            buf += encodeCommand(argv);
            if (buf.length >= CHUNK) await flush();
          }
        }
        written++;
        perDb.set(db.index, (perDb.get(db.index) ?? 0) + 1);
        if (buf.length >= CHUNK) {
          await flush();
          if (stdoutGone() && file === null) break;
        }
      }
    }
    await flush();
    progress.end();
    if (file !== null) {
      await new Promise<void>((resolve, reject) => {
        file!.end(() => resolve());
        file!.once('error', reject);
      });
    }
    if (file === null && stdoutGone()) {
      process.stderr.write(`hoard-dump: stdout was closed by its reader; the dump is incomplete\n`);
      return EXIT_ERROR;
    }
    const dbs = [...perDb.entries()].map(([i, n]) => `db${i}=${n}`).join(' ');
    process.stderr.write(
      `hoard-dump: ${written} keys (${dbs || 'none'}) as ${format} to ${outFile ?? 'stdout'}; loaded in ${formatDuration(loadMs)}, total ${formatDuration(Date.now() - t0)}\n`,
    );
    return EXIT_OK;
  } finally {
    await d.close();
  }
});
