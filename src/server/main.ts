#!/usr/bin/env -S node --max-semi-space-size=2 --no-parallel-scavenge
// (V8's young generation capped at 2 MB: scavenges stay short. Same sitting, 50 clients, 100k
// keys: SET p99 2.4-2.6 ms -> 1.4-1.7 ms unpipelined and 8.0-8.4 -> 3.5 ms at pipeline 16, for
// the same throughput. Scavenging a young generation that small on one thread costs less than
// handing it to helper threads: pipeline 16, medians of 3 alternated, GET 699k -> 744k, HSET
// 558k -> 581k, LPUSH 779k -> 802k, SADD 735k -> 754k; unpipelined and restart time unchanged.
// `npm start` passes the same flags; tools/bench.sh and the TS benchmarks read them from here.)
// `npm run build` bundles this file and the modules it imports into dist/hoard-server.js, the
// bin: one file loads ~100 ms faster than the ~120 modules it comes from (README, Running).
// hoard-server [config-file] [--name value ...]: parse the config, start the server, and turn
// start-up failures (bad option, port taken) into one clear line and exit status 1.
// `hoard-server sentinel.conf --sentinel` (or hoard-sentinel, sentinel/bin.ts) runs a sentinel
// instead: the same server machinery with the sentinel's command table and no dataset.

import fs from 'node:fs';
import { Config, ConfigError } from '../config.js';
import { createLogger } from '../log.js';
import { Server } from './server.js';
import { VERSION, HOARD_VERSION } from '../version.js';
import { parseSentinelConfig } from '../sentinel/config.js';
import { Sentinel, resolveConfigHosts } from '../sentinel/sentinel.js';
import { attachSentinel, sentinelCommandTable, sentinelInfoFields } from '../sentinel/commands.js';

const USAGE = `Usage: hoard-server [/path/to/hoard.conf] [options] [-]
       hoard-server -v or --version
       hoard-server -h or --help
       hoard-server /path/to/sentinel.conf --sentinel   (or hoard-sentinel /path/to/sentinel.conf)

Options are redis.conf directives given as flags, e.g.:
       hoard-server --port 7777 --dir ./data --appendonly yes
       hoard-server /etc/hoard/hoard.conf --loglevel verbose
`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Hoard server v=${HOARD_VERSION} (Redis ${VERSION} compatible) node=${process.version}\n`);
    return 0;
  }
  // `--sentinel` stays in argv: Config reads it as a `sentinel` line, which sentinel mode leaves to
  // sentinel/config.ts, as Redis's own argument parsing does.
  const sentinelMode = argv.includes('--sentinel');
  let config: Config;
  try {
    config = Config.fromArgs(argv, { sentinel: sentinelMode });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Hoard ${HOARD_VERSION}) ***\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger(config.str('loglevel'), config.str('logfile'));
  if (sentinelMode) return runSentinel(config, logger);
  const dir = config.str('dir');
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    logger.fatal({ err, dir }, `Can't create the data directory ${dir}`);
    return 1;
  }
  // Redis's createPidFile: written once the server listens and holds the data dir, before the
  // data loads (so a second server that fails to start never overwrites a running one's file),
  // and removed on the way out.
  const pidfile = config.str('pidfile');
  let pidWritten = false;
  const writePidfile = () => {
    if (pidfile === '') return;
    try {
      fs.writeFileSync(pidfile, `${process.pid}\n`);
      pidWritten = true;
    } catch (err) {
      logger.warn({ err, pidfile }, `Failed to write PID file: ${(err as Error).message}`);
    }
  };
  const removePidfile = () => {
    if (!pidWritten) return;
    logger.info('Removing the pid file.');
    fs.rmSync(pidfile, { force: true });
  };
  const server = new Server(config, { logger });
  try {
    await server.start(writePidfile);
  } catch (err) {
    const e = err as Error & { code?: string };
    logger.fatal({ err: e }, e.message);
    process.stderr.write(`hoard-server: ${e.message}\n`);
    removePidfile();
    logger.flush();
    return 1;
  }
  let stopping = false;
  const stop = (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping && signal === 'SIGINT') {
      // A second Ctrl-C: Redis's "You insist... exiting now."
      logger.warn('You insist... exiting now.');
      removePidfile();
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'Received signal, scheduling shutdown...');
    // shutdown-on-sigterm / shutdown-on-sigint: the SHUTDOWN flags the signal stands for.
    const flags = config.raw(signal === 'SIGTERM' ? 'shutdown-on-sigterm' : 'shutdown-on-sigint') as readonly string[];
    const mode = flags.includes('save') ? 'save' : flags.includes('nosave') ? 'nosave' : 'default';
    server.shutdown(null, mode, { now: flags.includes('now'), force: flags.includes('force'), abort: false });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await new Promise<void>((resolve) => {
    server.onShutdown = resolve;
  });
  removePidfile();
  logger.info('Hoard is now ready to exit, bye bye...');
  logger.flush();
  return 0;
}

/**
 * Sentinel start-up, as Redis's: a config file is required and must be writable (the sentinel
 * stores what it learns there), then the sentinel listens and starts monitoring.
 */
async function runSentinel(config: Config, logger: ReturnType<typeof createLogger>): Promise<number> {
  const file = config.configFile;
  if (file === null) {
    logger.fatal('Sentinel needs config file on disk to save state. Exiting...');
    process.stderr.write('Sentinel needs config file on disk to save state. Exiting...\n');
    logger.flush();
    return 1;
  }
  let text: string;
  try {
    fs.accessSync(file, fs.constants.W_OK);
    text = fs.readFileSync(file, 'latin1');
  } catch (err) {
    const msg = `Sentinel config file ${file} is not writable: ${(err as Error).message}. Exiting...`;
    logger.fatal({ err }, msg);
    process.stderr.write(msg + '\n');
    logger.flush();
    return 1;
  }
  let sc;
  try {
    sc = parseSentinelConfig(text, file);
  } catch (err) {
    process.stderr.write(`\n${(err as Error).message}\n`);
    return 1;
  }
  await resolveConfigHosts(sc, logger);
  const server = new Server(config, { logger, mode: 'sentinel', commands: sentinelCommandTable() });
  const sentinel = new Sentinel(sc, file, {
    logger,
    publish: (channel, message) => void server.pubsub.publish(channel, message),
    port: () => server.boundPort,
    requirepass: () => (config.str('requirepass') as string | null) || null,
  });
  attachSentinel(server, sentinel);
  server.infoSections.set('sentinel', () => sentinelInfoFields(sentinel));
  try {
    await server.start();
  } catch (err) {
    const e = err as Error;
    logger.fatal({ err: e }, e.message);
    process.stderr.write(`hoard-server: ${e.message}\n`);
    logger.flush();
    return 1;
  }
  sentinel.start();
  const stop = (signal: string) => {
    logger.info({ signal }, 'Received signal, scheduling shutdown...');
    server.shutdown(null, 'nosave', { now: true, force: true, abort: false });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await new Promise<void>((resolve) => {
    server.onShutdown = resolve;
  });
  sentinel.stop();
  sentinel.flushConfig();
  logger.info('Sentinel is now ready to exit, bye bye...');
  logger.flush();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (code !== 0) setTimeout(() => process.exit(code), 100).unref();
  },
  (err) => {
    process.stderr.write(`hoard-server: fatal: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
