// Sentinel's part of the config file: the `sentinel ...` directives read at start-up (Redis
// sentinel.c sentinelHandleConfiguration) and the rewrite that stores the state Sentinel
// discovers (its myid, the epochs, the current primary, known replicas and sentinels), so that a
// restarted sentinel resumes as the same voter with the same view. The rewrite keeps every other
// line of the file and replaces the `sentinel` lines with one generated block, written to a
// temporary file and renamed over the original (a crash leaves the old file or the new one).

import fs from 'node:fs';
import { reprString, splitArgs } from '../config.js';
import { isIpLiteral } from './resolve.js';

export interface MasterConfig {
  name: string;
  host: string;
  port: number;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  parallelSyncs: number;
  authPass: string | null;
  authUser: string | null;
  /** master-reboot-down-after-period: a rebooted primary answering LOADING this long is down (0: never). */
  rebootDownAfterMs: number;
  /** Scripts run on its warning events and on a switch of its address (scripts.ts); null: none. */
  notificationScript: string | null;
  clientReconfigScript: string | null;
  configEpoch: number;
  leaderEpoch: number;
  knownReplicas: Array<[string, number]>;
  knownSentinels: Array<[string, number, string]>;
}

export interface SentinelConfig {
  myid: string | null;
  currentEpoch: number;
  announceIp: string;
  announcePort: number;
  /** What this sentinel AUTHs with to other sentinels (their requirepass / ACL user); null: none. */
  sentinelUser: string | null;
  sentinelPass: string | null;
  /** deny-scripts-reconfig (default yes): SENTINEL SET cannot change a script's path. */
  denyScriptsReconfig: boolean;
  /** resolve-hostnames (default no): primaries, replicas and sentinels may be named by hostname. */
  resolveHostnames: boolean;
  /** announce-hostnames (default no): what this sentinel hands out names hosts by their hostname, not their IP. */
  announceHostnames: boolean;
  masters: MasterConfig[];
}

export const DEFAULT_DOWN_AFTER_MS = 30_000;
export const DEFAULT_FAILOVER_TIMEOUT_MS = 180_000;
export const DEFAULT_PARALLEL_SYNCS = 1;

export function newMasterConfig(name: string, host: string, port: number, quorum: number): MasterConfig {
  return {
    name,
    host,
    port,
    quorum,
    downAfterMs: DEFAULT_DOWN_AFTER_MS,
    failoverTimeoutMs: DEFAULT_FAILOVER_TIMEOUT_MS,
    parallelSyncs: DEFAULT_PARALLEL_SYNCS,
    authPass: null,
    authUser: null,
    rebootDownAfterMs: 0,
    notificationScript: null,
    clientReconfigScript: null,
    configEpoch: 0,
    leaderEpoch: 0,
    knownReplicas: [],
    knownSentinels: [],
  };
}

function positiveInt(s: string): number | null {
  if (!/^[0-9]+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Applies one `sentinel <args...>` directive (args without the word "sentinel"); returns an error
 * message in Redis's words, or null. Masters must be declared (monitor) before their options.
 */
export function applyDirective(cfg: SentinelConfig, args: string[]): string | null {
  const what = (args[0] ?? '').toLowerCase();
  const master = (name: string | undefined): MasterConfig | string =>
    cfg.masters.find((m) => m.name === name) ?? 'No such master with specified name.';
  const num = (s: string | undefined): number | null => (s === undefined ? null : positiveInt(s));
  switch (what) {
    case 'monitor': {
      if (args.length !== 5) break;
      const port = num(args[3]);
      const quorum = num(args[4]);
      if (port === null || port > 65535) return 'Invalid port number';
      if (quorum === null || quorum <= 0) return 'Quorum must be 1 or greater.';
      if (cfg.masters.some((m) => m.name === args[1])) return 'Duplicate master name.';
      // Redis resolves here; with resolve-hostnames yes a name that does not resolve (yet) is
      // accepted and resolved again at each reconnect, with no only an IP address is.
      if (!cfg.resolveHostnames && !isIpLiteral(args[2])) return "Can't resolve instance hostname.";
      cfg.masters.push(newMasterConfig(args[1], args[2], port, quorum));
      return null;
    }
    case 'down-after-milliseconds':
    case 'failover-timeout':
    case 'parallel-syncs':
    case 'config-epoch':
    case 'leader-epoch': {
      if (args.length !== 3) break;
      const m = master(args[1]);
      if (typeof m === 'string') return m;
      const n = num(args[2]);
      if (n === null || (n <= 0 && (what === 'down-after-milliseconds' || what === 'failover-timeout'))) return `Invalid ${what} value`;
      if (what === 'down-after-milliseconds') m.downAfterMs = n;
      else if (what === 'failover-timeout') m.failoverTimeoutMs = n;
      else if (what === 'parallel-syncs') m.parallelSyncs = n;
      else if (what === 'config-epoch') m.configEpoch = n;
      else m.leaderEpoch = n;
      return null;
    }
    case 'master-reboot-down-after-period': {
      if (args.length !== 3) break;
      const m = master(args[1]);
      if (typeof m === 'string') return m;
      if (args[2].startsWith('-')) return 'negative time parameter.';
      const n = num(args[2]);
      if (n === null) return `Invalid ${what} value`;
      m.rebootDownAfterMs = n;
      return null;
    }
    case 'auth-pass':
    case 'auth-user': {
      if (args.length !== 3) break;
      const m = master(args[1]);
      if (typeof m === 'string') return m;
      if (what === 'auth-pass') m.authPass = args[2];
      else m.authUser = args[2];
      return null;
    }
    case 'known-slave':
    case 'known-replica': {
      if (args.length !== 4) break;
      const m = master(args[1]);
      if (typeof m === 'string') return m;
      const port = num(args[3]);
      if (port === null) return 'Invalid port number';
      m.knownReplicas.push([args[2], port]);
      return null;
    }
    case 'known-sentinel': {
      if (args.length !== 4 && args.length !== 5) break;
      const m = master(args[1]);
      if (typeof m === 'string') return m;
      const port = num(args[3]);
      if (port === null) return 'Invalid port number';
      // Without a run id (a hand-written line) the sentinel is learnt again from its hellos.
      if (args.length === 5) m.knownSentinels.push([args[2], port, args[4]]);
      return null;
    }
    case 'current-epoch': {
      if (args.length !== 2) break;
      const n = num(args[1]);
      if (n === null) return 'Invalid current-epoch value';
      cfg.currentEpoch = n;
      return null;
    }
    case 'myid': {
      if (args.length !== 2) break;
      if (args[1].length !== 40) return 'Malformed Sentinel id in myid option.';
      cfg.myid = args[1];
      return null;
    }
    case 'announce-ip':
      if (args.length !== 2) break;
      cfg.announceIp = args[1];
      return null;
    case 'announce-port': {
      if (args.length !== 2) break;
      const n = num(args[1]);
      if (n === null || n > 65535) return 'Invalid port number';
      cfg.announcePort = n;
      return null;
    }
    case 'sentinel-user':
    case 'sentinel-pass':
      if (args.length !== 2) break;
      if (what === 'sentinel-user') cfg.sentinelUser = args[1] === '' ? null : args[1];
      else cfg.sentinelPass = args[1] === '' ? null : args[1];
      return null;
    case 'notification-script':
    case 'client-reconfig-script': {
      if (args.length !== 3) break;
      const m = master(args[1]);
      if (typeof m === 'string') return m;
      const err = scriptPathError(what, args[2]);
      if (err !== null) return `${err}.`;
      if (what === 'notification-script') m.notificationScript = args[2];
      else m.clientReconfigScript = args[2];
      return null;
    }
    case 'deny-scripts-reconfig': {
      if (args.length !== 2) break;
      const v = args[1].toLowerCase();
      if (v !== 'yes' && v !== 'no') return 'Please specify yes or no for the deny-scripts-reconfig options.';
      cfg.denyScriptsReconfig = v === 'yes';
      return null;
    }
    case 'resolve-hostnames':
    case 'announce-hostnames': {
      if (args.length !== 2) break;
      const v = args[1].toLowerCase();
      if (v !== 'yes' && v !== 'no') return `Please specify yes or no for the ${what} option.`;
      if (what === 'resolve-hostnames') cfg.resolveHostnames = v === 'yes';
      else cfg.announceHostnames = v === 'yes';
      return null;
    }
  }
  return 'Unrecognized sentinel configuration statement.';
}

/**
 * A script path must name an executable file (Redis checks access(X_OK) when it reads it, and
 * at SENTINEL SET). The text is SENTINEL SET's; the config file's error adds a period.
 */
export function scriptPathError(what: string, path: string): string | null {
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return null;
  } catch {
    return what === 'notification-script' ? 'Notification script seems non existing or non executable' : 'Client reconfiguration script seems non existing or non executable';
  }
}

/** A config with every global at its default and no primary. */
export function emptySentinelConfig(): SentinelConfig {
  return { myid: null, currentEpoch: 0, announceIp: '', announcePort: 0, sentinelUser: null, sentinelPass: null, denyScriptsReconfig: true, resolveHostnames: false, announceHostnames: false, masters: [] };
}

/** Reads the `sentinel` lines of `text`; throws an Error naming the line on a bad one. */
export function parseSentinelConfig(text: string, file: string): SentinelConfig {
  const cfg = emptySentinelConfig();
  const lines = text.split('\n');
  // resolve-hostnames and announce-hostnames apply wherever they are in the file (Redis applies
  // them before the monitor lines): a monitor by hostname above them is valid.
  for (const pass of ['hostnames', 'rest']) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#')) continue;
      const argv = splitArgs(line);
      if (argv === null || argv.length < 2 || argv[0].toLowerCase() !== 'sentinel') continue;
      const w = argv[1].toLowerCase();
      if ((w === 'resolve-hostnames' || w === 'announce-hostnames') !== (pass === 'hostnames')) continue;
      const err = applyDirective(cfg, argv.slice(1));
      if (err !== null) {
        throw Object.assign(new Error(`*** FATAL CONFIG FILE ERROR ***\nReading the configuration file ${file}, at line ${i + 1}\n>>> '${line}'\n${err}`), {
          code: 'SENTINEL_CONFIG_INVALID',
        });
      }
    }
  }
  return cfg;
}

/**
 * Redis's sentinelRewriteConfig order: myid, then per master its settings and state, then
 * current-epoch. `present`: the sentinel options the file had before; resolve-hostnames and
 * announce-hostnames are written when yes, or with their `no` when the file had them (Redis's
 * rewriteConfigRewriteLine replaces a line it finds even at the default value).
 */
export function sentinelConfigLines(cfg: SentinelConfig, present: ReadonlySet<string> = new Set()): string[] {
  // Bare words as Redis writes them; quoted only when the value needs it to read back the same.
  const q = (s: string) => (/^[!-~]+$/.test(s) && !/["'\\]/.test(s) ? s : reprString(s));
  const out: string[] = [];
  if (cfg.myid !== null) out.push(`sentinel myid ${cfg.myid}`);
  if (!cfg.denyScriptsReconfig) out.push('sentinel deny-scripts-reconfig no');
  if (cfg.announceIp !== '') out.push(`sentinel announce-ip ${q(cfg.announceIp)}`);
  if (cfg.announcePort !== 0) out.push(`sentinel announce-port ${cfg.announcePort}`);
  if (cfg.sentinelUser !== null) out.push(`sentinel sentinel-user ${q(cfg.sentinelUser)}`);
  if (cfg.sentinelPass !== null) out.push(`sentinel sentinel-pass ${q(cfg.sentinelPass)}`);
  // Before the monitor lines, so that a primary named by hostname reads back (Redis writes them only when yes).
  if (cfg.resolveHostnames || present.has('resolve-hostnames')) out.push(`sentinel resolve-hostnames ${cfg.resolveHostnames ? 'yes' : 'no'}`);
  if (cfg.announceHostnames || present.has('announce-hostnames')) out.push(`sentinel announce-hostnames ${cfg.announceHostnames ? 'yes' : 'no'}`);
  for (const m of cfg.masters) {
    out.push(`sentinel monitor ${q(m.name)} ${q(m.host)} ${m.port} ${m.quorum}`);
    if (m.downAfterMs !== DEFAULT_DOWN_AFTER_MS) out.push(`sentinel down-after-milliseconds ${q(m.name)} ${m.downAfterMs}`);
    if (m.failoverTimeoutMs !== DEFAULT_FAILOVER_TIMEOUT_MS) out.push(`sentinel failover-timeout ${q(m.name)} ${m.failoverTimeoutMs}`);
    if (m.parallelSyncs !== DEFAULT_PARALLEL_SYNCS) out.push(`sentinel parallel-syncs ${q(m.name)} ${m.parallelSyncs}`);
    if (m.authPass !== null) out.push(`sentinel auth-pass ${q(m.name)} ${q(m.authPass)}`);
    if (m.authUser !== null) out.push(`sentinel auth-user ${q(m.name)} ${q(m.authUser)}`);
    if (m.notificationScript !== null) out.push(`sentinel notification-script ${q(m.name)} ${q(m.notificationScript)}`);
    if (m.clientReconfigScript !== null) out.push(`sentinel client-reconfig-script ${q(m.name)} ${q(m.clientReconfigScript)}`);
    if (m.rebootDownAfterMs !== 0) out.push(`sentinel master-reboot-down-after-period ${q(m.name)} ${m.rebootDownAfterMs}`);
    out.push(`sentinel config-epoch ${q(m.name)} ${m.configEpoch}`);
    out.push(`sentinel leader-epoch ${q(m.name)} ${m.leaderEpoch}`);
    for (const [h, p] of m.knownReplicas) out.push(`sentinel known-replica ${q(m.name)} ${q(h)} ${p}`);
    for (const [h, p, id] of m.knownSentinels) out.push(`sentinel known-sentinel ${q(m.name)} ${q(h)} ${p} ${id}`);
  }
  out.push(`sentinel current-epoch ${cfg.currentEpoch}`);
  return out;
}

/**
 * Rewrites `file`: its non-sentinel lines as they are, the sentinel block where the first
 * sentinel line was (or at the end). Synchronous on purpose: it is small, and a vote must be on
 * disk before it is answered (Redis flushes the config before replying to a vote too).
 */
export function rewriteSentinelConfig(file: string, cfg: SentinelConfig): void {
  let old = '';
  try {
    old = fs.readFileSync(file, 'latin1');
  } catch {
    // a missing file is written anew
  }
  const kept: string[] = [];
  const present = new Set<string>();
  let at = -1;
  for (const line of old.split('\n')) {
    const t = line.trim();
    const argv = t.startsWith('#') ? null : splitArgs(t);
    if (argv !== null && argv.length > 0 && argv[0].toLowerCase() === 'sentinel') {
      if (at < 0) at = kept.length;
      if (argv.length > 1) present.add(argv[1].toLowerCase());
      continue;
    }
    kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  const block = sentinelConfigLines(cfg, present);
  if (at < 0 || at > kept.length) at = kept.length;
  const text = [...kept.slice(0, at), ...block, ...kept.slice(at)].join('\n') + '\n';
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, Buffer.from(text, 'latin1'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
