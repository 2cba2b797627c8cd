// Sentinel's scripts (Redis sentinel.c: sentinelScheduleScriptExecution, sentinelRunPendingScripts,
// sentinelCollectTerminatedScripts, sentinelKillTimedoutScripts). Two kinds, per monitored primary:
//   - notification-script <path>: run on every warning-level event of that primary or of one of
//     its replicas, with two arguments: the event type and its description (what the event
//     channel carries);
//   - client-reconfig-script <path>: run when this sentinel moves the primary to a new address,
//     with <master-name> <role> <state> <from-ip> <from-port> <to-ip> <to-port>, role "leader" (it
//     ran the failover) or "observer" (it learnt of it), state "start".
// Invariants, Redis's: at most 256 jobs queued (a new one drops the oldest that is not running),
// at most 16 running, none started before its time; a running script is killed (SIGKILL) after
// script-max-runtime; a script that exits 1 or dies by a signal runs again, up to 10 runs, after
// script-retry-delay doubled at each retry; any other exit code ends it (non-zero: -script-error).
// Scripts are child processes: nothing here waits for one.

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Logger } from '../log.js';

export const SCRIPT_MAX_QUEUE = 256;
export const SCRIPT_MAX_RUNNING = 16;
export const SCRIPT_MAX_RETRY = 10;
/** The most arguments a script gets (SENTINEL_SCRIPT_MAX_ARGS). */
const SCRIPT_MAX_ARGS = 16;

export interface ScriptJob {
  readonly argv: readonly string[];
  running: boolean;
  /** Runs so far (Redis's retry_num counts the run that is starting). */
  retries: number;
  /** When it started (running) or may start (0: at once). */
  startTime: number;
  pid: number;
  child: ChildProcess | null;
}

export interface ScriptTimes {
  scriptMaxRuntime: number;
  scriptRetryDelay: number;
}

export class ScriptRunner {
  readonly queue: ScriptJob[] = [];
  running = 0;

  constructor(
    private readonly times: ScriptTimes,
    private readonly logger: Logger,
    /** Publishes an event that concerns no instance (-script-error, -script-timeout). */
    private readonly event: (type: string, msg: string) => void,
  ) {}

  schedule(path: string, args: string[]): void {
    this.queue.push({ argv: [path, ...args.slice(0, SCRIPT_MAX_ARGS)], running: false, retries: 0, startTime: 0, pid: 0, child: null });
    if (this.queue.length > SCRIPT_MAX_QUEUE) {
      const i = this.queue.findIndex((j) => !j.running);
      if (i >= 0) this.queue.splice(i, 1);
    }
  }

  /** The timer's step: start what is due, kill what ran too long. */
  tick(now: number): void {
    for (const j of this.queue) {
      if (this.running >= SCRIPT_MAX_RUNNING) break;
      if (j.running || (j.startTime !== 0 && j.startTime > now)) continue;
      this.start(j, now);
    }
    for (const j of this.queue) {
      if (j.running && j.child !== null && now - j.startTime > this.times.scriptMaxRuntime) {
        this.event('-script-timeout', `${j.argv[0]} ${j.pid}`);
        j.child.kill('SIGKILL');
      }
    }
  }

  private start(j: ScriptJob, now: number): void {
    j.running = true;
    j.startTime = now;
    j.retries++;
    this.running++;
    let done = false;
    /** `signal`: the number of the signal that ended it, 0 if it exited. */
    const finish = (code: number, signal: number): void => {
      const bySignal = signal !== 0;
      if (done) return;
      done = true;
      this.running--;
      j.running = false;
      j.child = null;
      this.logger.debug({ script: j.argv[0], pid: j.pid, code, signal }, '-script-child');
      j.pid = 0;
      if ((bySignal || code === 1) && j.retries !== SCRIPT_MAX_RETRY) {
        let delay = this.times.scriptRetryDelay;
        for (let r = j.retries; r > 1; r--) delay *= 2;
        j.startTime = Date.now() + delay;
        return;
      }
      if (bySignal || code !== 0) this.event('-script-error', `${j.argv[0]} ${signal} ${code}`);
      const i = this.queue.indexOf(j);
      if (i >= 0) this.queue.splice(i, 1);
    };
    const child = spawn(j.argv[0], j.argv.slice(1), { stdio: 'ignore' });
    j.child = child;
    j.pid = child.pid ?? 0;
    // Could not run it at all (gone, not executable): Redis's child exits 2, not retried.
    child.once('error', () => finish(2, 0));
    child.once('exit', (code, signal) => finish(code ?? 0, signal !== null ? (constants.signals[signal] ?? 9) : 0));
    this.logger.debug({ script: j.argv[0], pid: j.pid }, '+script-child');
  }
}
