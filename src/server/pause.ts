// CLIENT PAUSE / CLIENT UNPAUSE (Redis 7.0 networking.c pauseClients / unpauseClients and the
// BLOCKED_POSTPONE branch of processCommand): while a pause lasts, a client whose next command
// must wait is parked with that command — `paused` stops its input, so what it pipelined after
// waits too — and runs it, through every check again, when the pause ends.
//
// Pauses have purposes, as Redis 7.0's pause_purpose: CLIENT PAUSE ('client'), SHUTDOWN's final
// save ('shutdown') and FAILOVER ('failover', replication/failover.ts) each hold their own pause,
// and ending one (CLIENT UNPAUSE, a failover that ends) leaves the others in force.
//
// Invariants:
// - `type` is OFF, WRITE or ALL: the strongest pause of any purpose; while not OFF, `end`
//   (Date.now() ms) is the latest end of any purpose, and one timer is armed for the earliest.
//   A new pause of a purpose only raises its type and only moves its end later (Redis: PAUSE 100
//   WRITE during PAUSE 3000 ALL leaves ALL until 3000). A purpose's end may be Infinity (FAILOVER
//   pauses until it ends).
// - WRITE parks the commands flagged write or may_replicate, and an EXEC whose queue holds one;
//   ALL parks every command, CLIENT UNPAUSE and QUIT included (Redis 7.0 exempts only replicas,
//   and monitors, which are replicas for this purpose).
// - Each parked client is in `postponed` exactly once, with `paused` set, until the pause ends
//   or it disconnects; they are resumed in the order they were parked.
// - While paused, keys do not expire (lookups read an expired key as missing without deleting
//   it, the active cycle is idle) so that no DEL enters the log (ks.expirePaused). Eviction
//   reads `writesPaused`.

import { F, type ClientPauseApi, type CommandSpec } from '../commands/types.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export const PAUSE_OFF = 0;
export const PAUSE_WRITE = 1;
export const PAUSE_ALL = 2;
export type PauseType = typeof PAUSE_OFF | typeof PAUSE_WRITE | typeof PAUSE_ALL;

/** setTimeout's maximum delay; a later end re-arms when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Who paused (Redis's PAUSE_BY_CLIENT_COMMAND, PAUSE_DURING_SHUTDOWN, PAUSE_DURING_FAILOVER). */
export type PausePurpose = 'client' | 'shutdown' | 'failover';

export class ClientPause implements ClientPauseApi {
  type: PauseType = PAUSE_OFF;
  /** Date.now() milliseconds at which the pause ends. */
  end = 0;
  /** The pause each purpose holds (absent: none). */
  private readonly purposes = new Map<PausePurpose, { type: PauseType; end: number }>();
  private timer: NodeJS.Timeout | null = null;
  private postponedClients: Client[] = [];
  private postponedArgv: string[][] = [];

  constructor(private readonly server: Server) {
    server.clientClosedHooks.push((c) => this.forget(c));
  }

  /** Eviction and expiry must not write while any pause lasts (Redis checkClientPauseTimeoutAndReturnIfPaused). */
  get writesPaused(): boolean {
    return this.type !== PAUSE_OFF;
  }

  /** Clients parked right now. */
  get postponedCount(): number {
    return this.postponedClients.length;
  }

  /** CLIENT PAUSE (or another purpose's pause): `end` in Date.now() ms (a past one ends it at the next timer tick). */
  pause(end: number, type: typeof PAUSE_WRITE | typeof PAUSE_ALL, purpose: PausePurpose = 'client'): void {
    const p = this.purposes.get(purpose);
    if (p === undefined) this.purposes.set(purpose, { type, end });
    else {
      if (end > p.end) p.end = end;
      if (type > p.type) p.type = type;
    }
    this.update();
  }

  /** CLIENT UNPAUSE, or the end of a purpose's pause: parked clients run their command again. */
  unpause(purpose: PausePurpose = 'client'): void {
    if (!this.purposes.delete(purpose)) return;
    this.update();
  }

  /** Whether `purpose` holds a pause now. */
  holds(purpose: PausePurpose): boolean {
    return this.purposes.has(purpose);
  }

  /**
   * Recomputes the pause from the purposes (Redis's updateClientPauseTypeAndEndTime): when it
   * weakens, the parked clients run their command again — through every check, so one still
   * paused parks again.
   */
  private update(): void {
    const old = this.type;
    let type: PauseType = PAUSE_OFF;
    let end = 0;
    for (const p of this.purposes.values()) {
      if (p.type > type) type = p.type;
      if (p.end > end) end = p.end;
    }
    this.type = type;
    this.end = end;
    this.server.ks.expirePaused = type !== PAUSE_OFF;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (type !== PAUSE_OFF) this.arm();
    if (type < old) this.resume();
  }

  private resume(): void {
    if (this.postponedClients.length === 0) return;
    const clients = this.postponedClients;
    const argvs = this.postponedArgv;
    this.postponedClients = [];
    this.postponedArgv = [];
    // Resumed from the event loop, not from inside the command that unpaused (as Redis's
    // unblocked_clients queue), each one's command first, then what it pipelined after.
    setImmediate(() => {
      for (let i = 0; i < clients.length; i++) {
        const c = clients[i];
        if (c.closed) continue;
        c.paused = false;
        c.processCommand(argvs[i]);
        c.processInput();
      }
    });
  }

  /**
   * Called by the dispatcher while `type` is not OFF, before a command runs or is queued.
   * Returns true if the command was parked (the caller returns without running it).
   */
  postpone(c: Client, spec: CommandSpec, argv: string[]): boolean {
    if (c.monitor) return false;
    if (this.type === PAUSE_WRITE) {
      let bits = spec.getFlags === undefined ? spec.bits : spec.getFlags(c, argv);
      if (c.multi !== null && spec.parent === undefined && spec.name === 'exec') {
        const { specs, queue } = c.multi;
        for (let i = 0; i < specs.length; i++) bits |= specs[i].getFlags === undefined ? specs[i].bits : specs[i].getFlags!(c, queue[i]);
      }
      if ((bits & (F.write | F.may_replicate)) === 0) return false;
    }
    c.paused = true;
    // CLIENT LIST shows the parked command (Redis sets c->lastcmd before blocking).
    c.lastSpec = spec;
    this.postponedClients.push(c);
    this.postponedArgv.push(argv);
    return true;
  }

  private forget(c: Client): void {
    const i = this.postponedClients.indexOf(c);
    if (i < 0) return;
    this.postponedClients.splice(i, 1);
    this.postponedArgv.splice(i, 1);
  }

  /** One timer, for the purpose whose pause ends first. */
  private arm(): void {
    let first = Infinity;
    for (const p of this.purposes.values()) if (p.end < first) first = p.end;
    if (first === Infinity) return;
    const delay = Math.max(0, Math.min(MAX_TIMER_MS, first - Date.now()));
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      let expired = false;
      for (const [k, p] of this.purposes) {
        if (now >= p.end) {
          this.purposes.delete(k);
          expired = true;
        }
      }
      if (expired) this.update();
      else this.arm();
    }, delay);
    this.timer.unref();
  }
}
