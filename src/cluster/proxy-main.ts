#!/usr/bin/env -S node --max-semi-space-size=2 --no-parallel-scavenge
// hoard-proxy [--port N] [--bind ADDR] [--loglevel L] host:port [host:port ...]: serves the
// cluster whose nodes are given (any of them; the rest are learnt from CLUSTER SLOTS) to
// clients that do not speak Redis Cluster. See proxy.ts. Runs until SIGINT/SIGTERM.

import { createLogger } from '../log.js';
import { intFlag, runTool, strFlag, ToolError, usageError, EXIT_OK, type ToolSpec } from '../../tools/lib/cli.js';
import { ClusterProxy } from './proxy.js';

const HELP = `Usage: hoard-proxy [options] <host:port> [<host:port> ...]

Serves a Hoard (or Redis) cluster to clients that do not speak Redis Cluster:
each command goes to the primary owning its keys' hash slot, MOVED and ASK
redirections are followed, MGET/MSET/DEL/UNLINK/EXISTS/TOUCH are split across
slots, MULTI/EXEC runs on the transaction's slot. The nodes given are where the
slot map is first read (CLUSTER SLOTS); one is enough.

Options:
  --port <n>        port to listen on (default 7000)
  --bind <addr>     address to listen on (default 127.0.0.1)
  --loglevel <l>    debug, verbose, notice (default), warning
  -h, --help        this text

Not served: pub/sub, WATCH, SCAN, MONITOR, replication commands, RESP3.
Exit status: 0 after SIGINT/SIGTERM, 2 on bad usage or when no node answers.`;

const spec: ToolSpec = {
  name: 'hoard-proxy',
  help: HELP,
  options: { port: { type: 'string' }, bind: { type: 'string' }, loglevel: { type: 'string' } },
  minPositionals: 1,
  maxPositionals: 1000,
};

runTool(spec, async ({ values, positionals }) => {
  for (const a of positionals) if (!/^[^\s:]+:\d{1,5}$/.test(a)) throw usageError(`'${a}' is not host:port`);
  const port = intFlag('port', values.port, 7000, 65535);
  const bind = strFlag(values.bind) ?? '127.0.0.1';
  const logger = createLogger(strFlag(values.loglevel) ?? 'notice');
  const proxy = new ClusterProxy({ seeds: positionals, logger });
  try {
    await proxy.listen(port, bind);
  } catch (e) {
    throw new ToolError((e as Error).message);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  return EXIT_OK;
});
