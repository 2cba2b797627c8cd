// MONITOR (Redis 7.0 replicationFeedMonitors, fed from call()): every command a client runs is
// echoed to each monitor as one status line, `+<unix s>.<µs> [<db> <addr>] "arg" "arg" ...`,
// each argument quoted as sdscatrepr does (config.ts reprString).
//
// Invariants:
// - A line is produced after the command ran (so SELECT shows the db it selected, and an EXEC
//   shows its queued commands first, then "EXEC"), only for commands that reached call():
//   a command rejected by the dispatcher (unknown, arity, auth, ...) or merely queued by MULTI
//   is not shown; neither are the admin or skip_monitor ones, nor anything while loading.
// - Secrets never reach a monitor: AUTH's arguments, HELLO's AUTH pair and MIGRATE's
//   AUTH/AUTH2 credentials read "(redacted)" (Redis redactClientCommandArgument).
// - server.monitors holds exactly the clients with `monitor` set; a monitor leaves it when it
//   disconnects or RESETs. A monitor is a replica for Redis: no CLIENT PAUSE, no idle timeout,
//   and no keyspace commands (server.gate).

import { performance } from 'node:perf_hooks';
import { reprString } from '../config.js';
import { F, type CommandSpec } from '../commands/types.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** What SLOWLOG and MONITOR show in place of a credential (Redis redactClientCommandArgument). */
export const REDACTED = '(redacted)';
const hooked = new WeakSet<Server>();

/** MONITOR: makes `c` a monitor (the caller checked it is not one already). */
export function startMonitor(c: Client): void {
  const server = c.server;
  if (!hooked.has(server)) {
    hooked.add(server);
    server.clientClosedHooks.push((cl) => server.monitors.delete(cl));
    server.clientResetHooks.push((cl) => {
      cl.monitor = false;
      server.monitors.delete(cl);
    });
  }
  c.monitor = true;
  server.monitors.add(c);
}

/** The arguments as a monitor shows them: credentials replaced. */
function shownArgs(spec: CommandSpec, argv: readonly string[]): readonly string[] {
  const name = spec.parent === undefined ? spec.name : spec.parent.name;
  if (name === 'auth') return argv.map((a, i) => (i === 0 ? a : REDACTED));
  if (name === 'hello' || name === 'migrate') {
    let out: string[] | null = null;
    for (let i = 1; i < argv.length; i++) {
      const opt = argv[i].toLowerCase();
      const n = opt === 'auth' ? (name === 'hello' ? 2 : 1) : opt === 'auth2' && name === 'migrate' ? 2 : 0;
      if (n === 0 || i + n >= argv.length) continue;
      if (out === null) out = argv.slice();
      for (let j = 1; j <= n; j++) out[i + j] = REDACTED;
      i += n;
    }
    return out ?? argv;
  }
  return argv;
}

/** Echoes a command `c` just ran to every monitor (the caller checked there is one). */
export function feedMonitors(c: Client, spec: CommandSpec, argv: readonly string[]): void {
  if ((spec.bits & (F.skip_monitor | F.admin)) !== 0) return;
  feedMonitorsUnchecked(c, spec, argv);
}

/**
 * Echoes a command whatever its flags: EVAL (skip_monitor) shows itself this way before its
 * script's commands, as Redis's evalCommand does. A script's commands show as from "lua".
 */
export function feedMonitorsUnchecked(c: Client, spec: CommandSpec, argv: readonly string[]): void {
  const server = c.server;
  if (server.loading) return;
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(nowUs / 1e6);
  const us = String(nowUs - sec * 1e6).padStart(6, '0');
  let line = `+${sec}.${us} [${c.dbIndex} ${c.script ? 'lua' : c.addr}]`;
  const args = shownArgs(spec, argv);
  for (let i = 0; i < args.length; i++) line += ' ' + reprString(args[i]);
  line += '\r\n';
  for (const m of server.monitors) {
    if (m.closed || m.closeAsap || m.replyMode === 'off') continue;
    m.reply.raw(line);
    if (!server.outputLimits.check(m)) server.scheduleWrite(m);
  }
}
