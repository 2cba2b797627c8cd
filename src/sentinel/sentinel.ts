// Sentinel's monitoring and failover (Redis sentinel.c, same protocol and timings): per
// monitored primary, its replicas (learnt from INFO) and the other sentinels (learnt from hello
// messages on __sentinel__:hello); PING every second, INFO every 10 s (every second while a
// failover runs or the replica's link to its primary is down), a hello every 2 s; subjective
// down (SDOWN) after down-after-milliseconds without a valid PING reply, objective down (ODOWN)
// when `quorum` sentinels say so (SENTINEL IS-MASTER-DOWN-BY-ADDR); then an election per epoch
// and, on the elected sentinel, the failover state machine: select a replica, REPLICAOF NO ONE,
// wait for it to report role master, point the other replicas at it, switch the primary's
// address. Other sentinels adopt the new address from the winner's hello (its config epoch is
// greater). Every step is announced on this sentinel's own pub/sub with Redis's message formats.
//
// Invariants: the timer is the only thing that starts network work (replies only update
// state); every state change that must survive a restart (epochs, votes, the primary's address,
// known replicas and sentinels) is flushed to the config file before it is acted on.

import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { Link, ReplyError, type Reply } from './link.js';
import { electLeader, selectReplica, voteLeader } from './election.js';
import { ScriptRunner } from './scripts.js';
import { cachedIp, isIpLiteral, isResolved, resolveHost } from './resolve.js';
import {
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_FAILOVER_TIMEOUT_MS,
  newMasterConfig,
  rewriteSentinelConfig,
  type MasterConfig,
  type SentinelConfig,
} from './config.js';

// Redis's periods and timeouts (sentinel.c's sentinel_* globals), in ms: the defaults of a
// sentinel's `timing`, which SENTINEL DEBUG lists and changes at run time (not saved: a restarted
// sentinel has the defaults again, as redis-sentinel).
export interface Timing {
  infoPeriod: number;
  pingPeriod: number;
  askPeriod: number;
  publishPeriod: number;
  /** down-after-milliseconds of a primary added by SENTINEL MONITOR. */
  defaultDownAfter: number;
  /** failover-timeout of a primary added by SENTINEL MONITOR. */
  defaultFailoverTimeout: number;
  /** A timer tick later than this after the previous one (or earlier than it) starts TILT. */
  tiltTrigger: number;
  /** How long TILT lasts after the last odd tick. */
  tiltPeriod: number;
  slaveReconfTimeout: number;
  minLinkReconnectPeriod: number;
  electionTimeout: number;
  /** A script still running after this is killed (scripts.ts). */
  scriptMaxRuntime: number;
  /** A script that failed with exit code 1 runs again after this, doubled at each retry. */
  scriptRetryDelay: number;
}

export function defaultTiming(): Timing {
  return {
    infoPeriod: 10_000,
    pingPeriod: 1_000,
    askPeriod: 1_000,
    publishPeriod: 2_000,
    defaultDownAfter: DEFAULT_DOWN_AFTER_MS,
    defaultFailoverTimeout: DEFAULT_FAILOVER_TIMEOUT_MS,
    tiltTrigger: 2_000,
    tiltPeriod: 30_000,
    slaveReconfTimeout: 10_000,
    minLinkReconnectPeriod: 15_000,
    electionTimeout: 10_000,
    scriptMaxRuntime: 60_000,
    scriptRetryDelay: 30_000,
  };
}

/** SENTINEL DEBUG's parameter names, in its order. */
export const DEBUG_PARAMS: ReadonlyArray<readonly [string, keyof Timing]> = [
  ['info-period', 'infoPeriod'],
  ['ping-period', 'pingPeriod'],
  ['ask-period', 'askPeriod'],
  ['publish-period', 'publishPeriod'],
  ['default-down-after', 'defaultDownAfter'],
  ['default-failover-timeout', 'defaultFailoverTimeout'],
  ['tilt-trigger', 'tiltTrigger'],
  ['tilt-period', 'tiltPeriod'],
  ['slave-reconf-timeout', 'slaveReconfTimeout'],
  ['min-link-reconnect-period', 'minLinkReconnectPeriod'],
  ['election-timeout', 'electionTimeout'],
  ['script-max-runtime', 'scriptMaxRuntime'],
  ['script-retry-delay', 'scriptRetryDelay'],
];

/**
 * The events Redis logs at WARNING level, the ones a primary's notification-script is run for
 * (sentinelEvent: level == LL_WARNING with an instance).
 */
const WARNING_EVENTS = new Set([
  '+monitor', '-monitor', '+reset-master', '+set', '+sdown', '-sdown', '+odown', '-odown', '+new-epoch',
  '+try-failover', '+vote-for-leader', '+elected-leader', '+failover-state-select-slave', '+selected-slave',
  '+promoted-slave', '+failover-state-reconf-slaves', '+failover-end', '+failover-end-for-timeout',
  '+switch-master', '+config-update-from', '-failover-abort-not-elected', '-failover-abort-no-good-slave',
  '-failover-abort-slave-timeout',
]);

/** A failover that does not start at once waits up to this long more (desynchronizes sentinels). */
export const MAX_DESYNC = 1_000;

/** SENTINEL SIMULATE-FAILURE flags (INFO's sentinel_simulate_failure_flags). */
export const SIMFAILURE_CRASH_AFTER_ELECTION = 1;
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 2;
/** The exit code of a simulated crash (Redis's sentinelSimFailureCrash). */
export const SIMFAILURE_EXIT_CODE = 99;
const HELLO_CHANNEL = '__sentinel__:hello';
const TIMER_MS = 100;

export type FailoverState =
  | 'none'
  | 'wait_start'
  | 'select_slave'
  | 'send_slaveof_noone'
  | 'wait_promotion'
  | 'reconf_slaves'
  | 'update_config';

export type Kind = 'master' | 'slave' | 'sentinel';

/** One watched process: the primary, one of its replicas, or another sentinel (Redis's sentinelRedisInstance). */
export class Instance {
  runid: string | null = null;
  cmd: Link | null = null;
  pubsub: Link | null = null;
  lastReconnect = 0;
  /** Time of the oldest PING without a valid reply yet (0: none pending): what SDOWN measures. */
  actPingTime = 0;
  lastPingTime = 0;
  lastPongTime = Date.now();
  lastAvailTime = Date.now();
  sdownSince = 0;
  odownSince = 0;
  /** A primary seen rebooting (new run id) has not answered PONG since; when (0: not so). */
  rebootSince = 0;
  infoRefresh = 0;
  /** The last INFO reply (SENTINEL INFO-CACHE), null before the first. */
  info: string | null = null;
  roleReported: 'master' | 'slave';
  roleReportedTime = Date.now();
  // As a replica (from its INFO).
  masterLinkDownTime = 0;
  slaveMasterHost = '';
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slavePriority = 100;
  slaveReplOffset = 0;
  replicaAnnounced = 1;
  promoted = false;
  reconfSent = false;
  reconfInprog = false;
  reconfDone = false;
  reconfSentTime = 0;
  // As another sentinel.
  lastHelloTime = 0;
  masterDown = false;
  lastMasterDownReplyTime = 0;
  leader: string | null = null;
  leaderEpoch = 0;
  /** An IS-MASTER-DOWN-BY-ADDR to it is waiting for its reply (one at a time). */
  asking = false;
  /** When the last hello went out on this instance's link (0: send at the next tick). */
  lastHelloSent = 0;

  constructor(
    readonly kind: Kind,
    readonly name: string,
    public host: string,
    public port: number,
    readonly master: Master | null,
  ) {
    this.roleReported = kind === 'slave' ? 'slave' : 'master';
  }

  get addr(): string {
    return `${this.host}:${this.port}`;
  }

  /** The address `host` resolves to ('' while not resolved): Redis's addr->ip beside addr->hostname. */
  get ip(): string {
    return cachedIp(this.host);
  }

  get sdown(): boolean {
    return this.sdownSince !== 0;
  }

  get disconnected(): boolean {
    return this.cmd === null || !this.cmd.connected || (this.kind !== 'sentinel' && (this.pubsub === null || !this.pubsub.connected));
  }

  /** "%@" in Redis's event formats; `ann` names a host as announceSentinelAddr does. */
  describe(ann: (host: string) => string): string {
    if (this.master === null) return `master ${this.name} ${ann(this.host)} ${this.port}`;
    const m = this.master;
    return `${this.kind} ${this.name} ${ann(this.host)} ${this.port} @ ${m.name} ${ann(m.host)} ${m.port}`;
  }

  closeLinks(): void {
    const c = this.cmd;
    const p = this.pubsub;
    this.cmd = this.pubsub = null;
    c?.close();
    p?.close();
  }
}

/** A monitored primary with its settings, replicas, fellow sentinels and failover state. */
export class Master extends Instance {
  readonly slaves = new Map<string, Instance>();
  /** By run id. */
  readonly sentinels = new Map<string, Instance>();
  failoverState: FailoverState = 'none';
  failoverEpoch = 0;
  failoverStartTime = 0;
  failoverStateChangeTime = 0;
  forceFailover = false;
  promotedSlave: Instance | null = null;
  /** This master's vote: the leader voted for and in which epoch. */
  vote = { leader: null as string | null, leaderEpoch: 0 };

  constructor(readonly conf: MasterConfig) {
    super('master', conf.name, conf.host, conf.port, null);
  }

  get odown(): boolean {
    return this.odownSince !== 0;
  }

  get failoverInProgress(): boolean {
    return this.failoverState !== 'none';
  }

  /**
   * sentinelGetCurrentMasterAddress: once the promoted replica said it is a primary, it is the
   * address this sentinel announces and answers, even before the switch ends the failover (a
   * hello carrying the failover's config epoch must carry the new address with it).
   */
  currentAddress(): { host: string; port: number } {
    const p = this.promotedSlave;
    if (p !== null && (this.failoverState === 'reconf_slaves' || this.failoverState === 'update_config')) return { host: p.host, port: p.port };
    return { host: this.host, port: this.port };
  }
}

/** Redis's flags field, in its order. */
export function flagsOf(ri: Instance): string {
  const f: string[] = [];
  if (ri.sdown) f.push('s_down');
  if (ri instanceof Master && ri.odown) f.push('o_down');
  f.push(ri.kind);
  if (ri.disconnected) f.push('disconnected');
  if (ri.kind === 'sentinel' && ri.masterDown) f.push('master_down');
  if (ri instanceof Master && ri.failoverInProgress) f.push('failover_in_progress');
  if (ri.promoted) f.push('promoted');
  if (ri.reconfSent) f.push('reconf_sent');
  if (ri.reconfInprog) f.push('reconf_inprog');
  if (ri.reconfDone) f.push('reconf_done');
  if (ri instanceof Master && ri.forceFailover) f.push('force_failover');
  if (ri.rebootSince !== 0) f.push('master_reboot');
  return f.join(',');
}

export interface SentinelHost {
  logger: Logger;
  /** Publishes on this sentinel's own pub/sub (event channels). */
  publish(channel: string, message: string): void;
  /** The port this sentinel listens on (for the hello's announce port). */
  port(): number;
  /** This sentinel's own requirepass (null: none): also what it AUTHs with to other sentinels when sentinel-pass is not set. */
  requirepass(): string | null;
}

/**
 * Looks up every hostname of a sentinel's config before the sentinel is made from it (Redis
 * resolves them while reading the file). One that does not resolve is logged and kept: it is
 * looked up again at each use, as Redis retries at each reconnect.
 */
export async function resolveConfigHosts(cfg: SentinelConfig, logger: Logger): Promise<void> {
  const names = new Set<string>();
  for (const m of cfg.masters) {
    names.add(m.host);
    for (const [h] of m.knownReplicas) names.add(h);
    for (const [h] of m.knownSentinels) names.add(h);
  }
  await Promise.all(
    [...names].map(async (n) => {
      if ((await resolveHost(n)) === null) logger.warn(`Failed to resolve hostname '${n}'`);
    }),
  );
}

export class Sentinel {
  readonly masters = new Map<string, Master>();
  readonly myid: string;
  currentEpoch: number;
  /** Periods and timeouts (SENTINEL DEBUG). */
  readonly timing: Timing = defaultTiming();
  /**
   * TILT (sentinelCheckTiltCondition): the timer fired much later than due (the process was
   * stopped, starved, or the clock jumped), so what this sentinel measured about the others
   * cannot be trusted. For tiltPeriod after that it keeps monitoring but acts on nothing: no
   * SDOWN/ODOWN changes, no failover, and it answers others that the primary is not down.
   */
  tilt = false;
  tiltStartTime = 0;
  private previousTime = Date.now();
  /** SENTINEL SIMULATE-FAILURE flags (SIMFAILURE_*). */
  simFailure = 0;
  /** notification-script and client-reconfig-script runs (SENTINEL PENDING-SCRIPTS, INFO). */
  readonly scripts: ScriptRunner;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Its options, read and set in place by SENTINEL CONFIG GET/SET (announce-ip, -port, -hostnames, resolve-hostnames). */
    readonly cfg: SentinelConfig,
    private readonly configFile: string,
    private readonly host: SentinelHost,
  ) {
    this.scripts = new ScriptRunner(this.timing, host.logger, (type, msg) => this.globalEvent(type, msg));
    this.myid = cfg.myid ?? randomBytes(20).toString('hex');
    cfg.myid = this.myid;
    this.currentEpoch = cfg.currentEpoch;
    for (const mc of cfg.masters) this.addMaster(mc);
  }

  /**
   * announceSentinelAddr: how this sentinel names a host in what it hands out (replies, events,
   * hellos, scripts, the REPLICAOF it sends): as configured with announce-hostnames yes, else
   * the address it resolves to ('' while unresolved, as Redis's empty ip).
   */
  readonly ann = (host: string): string => (this.cfg.announceHostnames ? host : cachedIp(host));

  /**
   * sentinelAddrEqualsHostname, for two names of hosts: the same text, or the same resolved
   * address. Null when it cannot be told yet (a name not resolved yet: its lookup is started).
   */
  sameHost(a: string, b: string): boolean | null {
    if (a === b) return true;
    const ia = cachedIp(a);
    const ib = cachedIp(b);
    if (ia === '' || ib === '') return isResolved(a) && isResolved(b) ? false : null;
    return ia === ib;
  }

  /**
   * Whether a host name met in an INFO or a hello may be used: an IP always; a hostname only
   * with resolve-hostnames yes (Redis's createSentinelAddr with ANET_IP_ONLY fails otherwise).
   */
  private acceptsHost(host: string): boolean {
    return isIpLiteral(host) || this.cfg.resolveHostnames;
  }

  get logger(): Logger {
    return this.host.logger;
  }

  start(): void {
    this.previousTime = Date.now();
    this.flushConfig();
    this.host.logger.info({ myid: this.myid }, `Sentinel ID is ${this.myid}`);
    for (const m of this.masters.values()) this.event('+monitor', m, `%@ quorum ${m.conf.quorum}`);
    this.timer = setInterval(() => {
      // A bug in one step must not take the sentinel down with it: log it and go on next tick.
      try {
        this.tick();
      } catch (err) {
        this.logger.error({ err }, 'sentinel timer step failed');
      }
    }, TIMER_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const m of this.masters.values()) this.releaseMaster(m);
  }

  // ---- state and config ---------------------------------------------------------------------

  addMaster(mc: MasterConfig): Master {
    const m = new Master(mc);
    m.vote.leaderEpoch = mc.leaderEpoch;
    for (const [h, p] of mc.knownReplicas) this.addSlave(m, h, p);
    for (const [h, p, id] of mc.knownSentinels) {
      if (id !== this.myid) m.sentinels.set(id, this.newSentinel(m, id, h, p));
    }
    this.masters.set(mc.name, m);
    return m;
  }

  /** SENTINEL MONITOR: starts watching a new primary. */
  monitor(name: string, host: string, port: number, quorum: number): Master {
    const mc = newMasterConfig(name, host, port, quorum);
    mc.downAfterMs = this.timing.defaultDownAfter;
    mc.failoverTimeoutMs = this.timing.defaultFailoverTimeout;
    this.cfg.masters.push(mc);
    const m = this.addMaster(mc);
    this.flushConfig();
    this.event('+monitor', m, `%@ quorum ${quorum}`);
    return m;
  }

  remove(name: string): boolean {
    const m = this.masters.get(name);
    if (m === undefined) return false;
    this.event('-monitor', m, '%@');
    this.releaseMaster(m);
    this.masters.delete(name);
    this.cfg.masters = this.cfg.masters.filter((x) => x.name !== name);
    this.flushConfig();
    return true;
  }

  private releaseMaster(m: Master): void {
    m.closeLinks();
    for (const s of m.slaves.values()) s.closeLinks();
    for (const s of m.sentinels.values()) s.closeLinks();
  }

  private newSentinel(m: Master, runid: string, host: string, port: number): Instance {
    const s = new Instance('sentinel', runid, host, port, m);
    s.runid = runid;
    return s;
  }

  private addSlave(m: Master, host: string, port: number): Instance {
    // Named as announced when learnt (Redis's announceSentinelAddrAndPort at creation).
    const s = new Instance('slave', `${this.ann(host) || host}:${port}`, host, port, m);
    m.slaves.set(s.addr, s);
    return s;
  }

  /** Writes the state to the config file (Redis's sentinelFlushConfig); a failure is logged, not fatal. */
  flushConfig(): void {
    this.cfg.currentEpoch = this.currentEpoch;
    for (const m of this.masters.values()) {
      const c = m.conf;
      // Addresses are written as announced (Redis's sentinelRewriteConfig uses
      // announceSentinelAddr): by hostname only with announce-hostnames yes, else by the IP
      // resolved (the name itself while it has none, where Redis would write an empty field).
      const w = (host: string) => this.ann(host) || host;
      c.host = w(m.host);
      c.port = m.port;
      c.leaderEpoch = m.vote.leaderEpoch;
      c.knownReplicas = [...m.slaves.values()].map((s) => [w(s.host), s.port] as [string, number]);
      c.knownSentinels = [...m.sentinels.values()].map((s) => [w(s.host), s.port, s.runid ?? ''] as [string, number, string]);
    }
    try {
      rewriteSentinelConfig(this.configFile, this.cfg);
    } catch (err) {
      this.logger.warn({ err, file: this.configFile }, 'WARNING: Sentinel was not able to save the new configuration on disk!!!');
    }
  }

  /** RESET: forget the replicas, sentinels and failover state of a primary; it is rediscovered. */
  resetMaster(m: Master, keepAddress = true): void {
    this.releaseMaster(m);
    m.slaves.clear();
    m.sentinels.clear();
    this.clearFailover(m);
    m.runid = null;
    m.sdownSince = m.odownSince = m.rebootSince = 0;
    m.actPingTime = 0;
    m.lastAvailTime = m.lastPongTime = Date.now();
    m.infoRefresh = 0;
    m.info = null;
    m.roleReported = 'master';
    m.roleReportedTime = Date.now();
    if (keepAddress) this.event('+reset-master', m, '%@');
  }

  private clearFailover(m: Master): void {
    m.failoverState = 'none';
    m.forceFailover = false;
    m.promotedSlave = null;
  }

  /**
   * sentinelResetMasterAndChangeAddress: the primary is now host:port; every other known address
   * (the old primary included) becomes a replica of it, to be checked and fixed by the timer.
   */
  changeMasterAddress(m: Master, host: string, port: number): void {
    const slaves: Array<[string, number]> = [];
    for (const s of m.slaves.values()) if (!(s.port === port && this.sameHost(s.host, host) === true)) slaves.push([s.host, s.port]);
    if (!(m.port === port && this.sameHost(m.host, host) === true)) slaves.push([m.host, m.port]);
    const sentinels = [...m.sentinels.values()];
    this.resetMaster(m, false);
    m.host = host;
    m.port = port;
    for (const [h, p] of slaves) this.addSlave(m, h, p);
    // Sentinels are kept: they are the same voters for the new primary.
    for (const s of sentinels) {
      s.masterDown = false;
      m.sentinels.set(s.name, s);
    }
    this.flushConfig();
  }

  // ---- events -------------------------------------------------------------------------------

  /** sentinelEvent: logs, and publishes on the channel named after the event. "%@" names the instance. */
  event(type: string, ri: Instance, fmt: string): void {
    const msg = fmt.startsWith('%@') ? ri.describe(this.ann) + fmt.slice(2) : fmt;
    this.logger.info({ event: type }, `${type} ${msg}`);
    this.host.publish(type, msg);
    const m = ri.master ?? ri;
    if (m instanceof Master && m.conf.notificationScript !== null && WARNING_EVENTS.has(type)) this.scripts.schedule(m.conf.notificationScript, [type, msg]);
  }

  /** An event that concerns no instance (TILT, scripts): Redis logs these at WARNING; no script runs for them. */
  globalEvent(type: string, msg: string): void {
    this.logger.warn({ event: type }, `${type} ${msg}`);
    this.host.publish(type, msg);
  }

  /** sentinelCallClientReconfScript: the primary of `m` moved from `from` to `to`. */
  private clientReconf(m: Master, role: 'leader' | 'observer', from: { host: string; port: number }, to: { host: string; port: number }): void {
    if (m.conf.clientReconfigScript === null) return;
    this.scripts.schedule(m.conf.clientReconfigScript, [m.name, role, 'start', this.ann(from.host), String(from.port), this.ann(to.host), String(to.port)]);
  }

  /** deny-scripts-reconfig: SENTINEL SET may not change a script's path. */
  get denyScriptsReconfig(): boolean {
    return this.cfg.denyScriptsReconfig;
  }

  // ---- the timer -----------------------------------------------------------------------------

  private tick(): void {
    const now = Date.now();
    this.checkTilt(now);
    this.scripts.tick(now);
    for (const m of [...this.masters.values()]) {
      this.handleInstance(m, now);
      for (const s of [...m.slaves.values()]) this.handleInstance(s, now);
      for (const s of [...m.sentinels.values()]) this.handleInstance(s, now);
      if (m.failoverState === 'update_config') this.switchToPromoted(m);
    }
  }

  private checkTilt(now: number): void {
    const delta = now - this.previousTime;
    if (delta < 0 || delta > this.timing.tiltTrigger) {
      this.tilt = true;
      this.tiltStartTime = now;
      this.globalEvent('+tilt', '#tilt mode entered');
    }
    this.previousTime = now;
  }

  /** sentinelHandleRedisInstance: the monitoring half always, the acting half unless in TILT. */
  private handleInstance(ri: Instance, now: number): void {
    this.reconnect(ri, now);
    this.periodicCommands(ri, now);
    if (this.tilt) {
      if (now - this.tiltStartTime < this.timing.tiltPeriod) return;
      this.tilt = false;
      this.globalEvent('-tilt', '#tilt mode exited');
    }
    this.checkSubjectivelyDown(ri, now);
    if (ri instanceof Master) {
      this.checkObjectivelyDown(ri);
      if (this.startFailoverIfNeeded(ri, now)) this.askOthers(ri, now, true);
      this.failoverStateMachine(ri, now);
      this.askOthers(ri, now, false);
    }
  }

  /**
   * sentinelSendAuthIfNeeded: a primary's or replica's auth-pass/-user; for sentinels
   * sentinel-pass/-user, or else this sentinel's own requirepass (sentinels sharing one password).
   */
  private authArgs(ri: Instance): string[] | null {
    const m = ri.master ?? (ri as Master);
    let [user, pass] = ri.kind === 'sentinel' ? [this.cfg.sentinelUser, this.cfg.sentinelPass] : [m.conf.authUser, m.conf.authPass];
    if (ri.kind === 'sentinel' && pass === null) [user, pass] = [null, this.host.requirepass()];
    if (pass === null) return null;
    return user !== null ? ['AUTH', user, pass] : ['AUTH', pass];
  }

  /** SENTINEL CONFIG's sentinel-user / sentinel-pass (null: none); the next links use them. */
  get sentinelAuth(): { user: string | null; pass: string | null } {
    return { user: this.cfg.sentinelUser, pass: this.cfg.sentinelPass };
  }

  setSentinelAuth(which: 'user' | 'pass', value: string | null): void {
    if (which === 'user') this.cfg.sentinelUser = value;
    else this.cfg.sentinelPass = value;
  }

  /** sentinelReconnectInstance: at most once per PING period, open the missing links. */
  private reconnect(ri: Instance, now: number): void {
    const needCmd = ri.cmd === null;
    const needPubsub = ri.kind !== 'sentinel' && ri.pubsub === null;
    if (!needCmd && !needPubsub) return;
    if (now - ri.lastReconnect < this.timing.pingPeriod) return;
    ri.lastReconnect = now;
    const auth = this.authArgs(ri);
    const idPrefix = this.myid.slice(0, 8);
    if (needCmd) {
      const link: Link = new Link(ri.ip || ri.host, ri.port, {
        connected: () => {
          if (auth !== null) link.send(auth);
          if (ri.kind !== 'sentinel') link.send(['CLIENT', 'SETNAME', `sentinel-${idPrefix}-cmd`]);
          this.sendPing(ri, link);
          if (ri.kind !== 'sentinel') this.sendInfo(ri, link);
        },
        closed: (why) => {
          if (ri.cmd === link) ri.cmd = null;
          this.logger.debug({ instance: ri.addr, why }, 'command link closed');
        },
      });
      ri.cmd = link;
    }
    if (needPubsub) {
      const link: Link = new Link(ri.ip || ri.host, ri.port, {
        connected: () => {
          if (auth !== null) link.send(auth);
          link.send(['CLIENT', 'SETNAME', `sentinel-${idPrefix}-pubsub`]);
          link.send(['SUBSCRIBE', HELLO_CHANNEL]);
        },
        push: (r) => {
          if (Array.isArray(r) && r[0] === 'message' && r[1] === HELLO_CHANNEL && typeof r[2] === 'string') this.processHello(r[2]);
        },
        closed: () => {
          if (ri.pubsub === link) ri.pubsub = null;
        },
      });
      ri.pubsub = link;
    }
  }

  /** sentinelSendPeriodicCommands: INFO, PING and hello when each is due. */
  private periodicCommands(ri: Instance, now: number): void {
    const link = ri.cmd;
    if (link === null || !link.connected) return;
    // A link with a backlog of unanswered commands gets no more (SENTINEL_MAX_PENDING_COMMANDS).
    if (link.pendingCommands >= 100) return;
    const m = ri.master ?? (ri as Master);
    let infoPeriod = this.timing.infoPeriod;
    if (ri.kind === 'slave' && (m.odown || m.failoverInProgress || ri.masterLinkDownTime !== 0)) infoPeriod = 1000;
    if (ri instanceof Master && ri.sdown) infoPeriod = 1000;
    const pingPeriod = Math.min(m.conf.downAfterMs, this.timing.pingPeriod);
    if (ri.kind !== 'sentinel' && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod)) this.sendInfo(ri, link);
    if (now - ri.lastPongTime > pingPeriod && now - ri.lastPingTime > pingPeriod / 2) this.sendPing(ri, link);
    if (now - ri.lastHelloSent > this.timing.publishPeriod) {
      ri.lastHelloSent = now;
      this.sendHello(ri, link);
    }
  }

  private sendPing(ri: Instance, link: Link): void {
    const now = Date.now();
    ri.lastPingTime = now;
    if (ri.actPingTime === 0) ri.actPingTime = now;
    link.send(['PING'], (r) => {
      // PONG, LOADING and MASTERDOWN all say the process is alive (sentinelPingReplyCallback).
      const ok = r === 'PONG' || (r instanceof ReplyError && (r.message.startsWith('LOADING') || r.message.startsWith('MASTERDOWN')));
      if (r instanceof ReplyError && r.message.startsWith('link closed')) return;
      ri.lastPongTime = Date.now();
      if (ok) {
        ri.lastAvailTime = Date.now();
        ri.actPingTime = 0;
        if (r === 'PONG') ri.rebootSince = 0;
      }
    });
  }

  private sendInfo(ri: Instance, link: Link): void {
    ri.infoRefresh = ri.infoRefresh || 1; // not 0 while a first INFO is on its way
    link.send(['INFO'], (r) => {
      if (typeof r === 'string') this.refreshFromInfo(ri, r);
    });
  }

  /** The hello: "ip,port,runid,epoch,master-name,master-ip,master-port,master-config-epoch". */
  private sendHello(ri: Instance, link: Link): void {
    const m = ri.master ?? (ri as Master);
    const ip = this.cfg.announceIp !== '' ? this.cfg.announceIp : link.localAddress();
    if (ip === null) return;
    const port = this.cfg.announcePort !== 0 ? this.cfg.announcePort : this.host.port();
    const a = m.currentAddress();
    const payload = [ip, port, this.myid, this.currentEpoch, m.name, this.ann(a.host), a.port, m.conf.configEpoch].join(',');
    link.send(['PUBLISH', HELLO_CHANNEL, payload]);
  }

  /** Sends hellos now, on every link of this primary (after a switch, others learn it sooner). */
  private forceHello(m: Master): void {
    for (const ri of [m, ...m.slaves.values(), ...m.sentinels.values()]) ri.lastHelloSent = 0;
  }

  // ---- INFO ---------------------------------------------------------------------------------

  /** sentinelRefreshInstanceInfo: run id, role, replicas (of a primary), link state (of a replica). */
  private refreshFromInfo(ri: Instance, info: string): void {
    const now = Date.now();
    ri.infoRefresh = now;
    ri.info = info;
    let role: 'master' | 'slave' | null = null;
    let linkDownSince = 0;
    ri.slaveMasterLinkUp = false;
    for (const raw of info.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const k = line.slice(0, colon);
      const v = line.slice(colon + 1);
      if (k === 'run_id' && v.length === 40) {
        if (ri.runid !== null && ri.runid !== v) {
          this.event('+reboot', ri, '%@');
          // master-reboot-down-after-period: LOADING counts as alive, but not for ever after a reboot.
          if (ri instanceof Master && ri.conf.rebootDownAfterMs !== 0) ri.rebootSince = now;
        }
        ri.runid = v;
      } else if (ri instanceof Master && /^slave[0-9]+$/.test(k)) {
        // slave0:ip=127.0.0.1,port=6380,state=online,offset=...,lag=...
        const f = new Map(v.split(',').map((kv) => kv.split('=') as [string, string]));
        const ip = f.get('ip');
        const port = Number(f.get('port'));
        if (ip !== undefined && Number.isInteger(port)) this.learnSlave(ri, ip, port);
      } else if (k === 'master_link_down_since_seconds') {
        linkDownSince = Number(v) * 1000;
      } else if (k === 'role') {
        role = v === 'master' ? 'master' : v === 'slave' ? 'slave' : null;
      } else if (k === 'master_host') {
        ri.slaveMasterHost = v;
      } else if (k === 'master_port') {
        ri.slaveMasterPort = Number(v);
      } else if (k === 'master_link_status') {
        ri.slaveMasterLinkUp = v === 'up';
      } else if (k === 'slave_priority' || k === 'replica_priority') {
        ri.slavePriority = Number(v);
      } else if (k === 'slave_repl_offset') {
        ri.slaveReplOffset = Number(v);
      } else if (k === 'replica_announced') {
        ri.replicaAnnounced = Number(v);
      }
    }
    ri.masterLinkDownTime = role === 'slave' && !ri.slaveMasterLinkUp ? linkDownSince : 0;
    if (role === null) return;
    if (role !== ri.roleReported) {
      ri.roleReported = role;
      ri.roleReportedTime = now;
    }
    if (ri.kind !== 'slave') return;
    const m = ri.master as Master;
    if (role === 'master') {
      if (ri.promoted && m.failoverInProgress && m.failoverState === 'wait_promotion') {
        // Our promotion worked: the config epoch of the failover becomes the primary's.
        m.conf.configEpoch = m.failoverEpoch;
        m.failoverState = 'reconf_slaves';
        m.failoverStateChangeTime = now;
        this.flushConfig();
        this.event('+promoted-slave', ri, '%@');
        if ((this.simFailure & SIMFAILURE_CRASH_AFTER_PROMOTION) !== 0) this.simulatedCrash();
        this.event('+failover-state-reconf-slaves', m, '%@');
        this.clientReconf(m, 'leader', { host: m.host, port: m.port }, { host: ri.host, port: ri.port });
        this.forceHello(m);
      } else {
        // A replica that says it is a primary (the old primary back after a failover): after
        // 4 hello periods without news, make it follow the primary this sentinel knows.
        const wait = this.timing.publishPeriod * 4;
        if (!ri.promoted && this.masterLooksSane(m) && this.noDownFor(ri, wait) && now - ri.roleReportedTime > wait) {
          this.sendSlaveOf(ri, m.host, m.port, (ok) => {
            if (ok) this.event('+convert-to-slave', ri, '%@');
          });
          ri.roleReportedTime = now; // one attempt per wait period
        }
      }
      return;
    }
    // A replica of the wrong primary: fix it, unless a failover is moving things around.
    const wait = this.timing.publishPeriod * 4;
    if (
      !ri.promoted &&
      !m.failoverInProgress &&
      this.masterLooksSane(m) &&
      (ri.slaveMasterPort !== m.port || this.sameHost(ri.slaveMasterHost, m.host) === false) &&
      now - ri.roleReportedTime > wait &&
      now - ri.reconfSentTime > wait
    ) {
      ri.reconfSentTime = now;
      this.sendSlaveOf(ri, m.host, m.port, (ok) => {
        if (ok) this.event('+fix-slave-config', ri, '%@');
      });
    }
    // Replicas being reconfigured by our failover: sent → in progress → done.
    if (m.failoverInProgress && m.promotedSlave !== null) {
      const p = m.promotedSlave;
      if (ri.reconfSent && ri.slaveMasterPort === p.port && this.sameHost(ri.slaveMasterHost, p.host) === true) {
        ri.reconfSent = false;
        ri.reconfInprog = true;
        this.event('+slave-reconf-inprog', ri, '%@');
      }
      if (ri.reconfInprog && ri.slaveMasterLinkUp) {
        ri.reconfInprog = false;
        ri.reconfDone = true;
        this.event('+slave-reconf-done', ri, '%@');
      }
    }
  }

  /**
   * A replica the primary's INFO lists: added unless known under this name or its address. A
   * hostname (replica-announce-ip) needs resolve-hostnames yes and is added once it resolved
   * (Redis resolves it on the spot); one that does not resolve is skipped, as Redis skips it.
   */
  private learnSlave(m: Master, host: string, port: number): void {
    if (!this.acceptsHost(host)) return;
    if (!isResolved(host)) {
      void resolveHost(host).then((ip) => {
        if (ip === null) this.logger.warn(`Failed to resolve hostname '${host}'`);
        else if (this.masters.get(m.name) === m) this.learnSlave(m, host, port);
      });
      return;
    }
    for (const s of m.slaves.values()) if (s.port === port && this.sameHost(s.host, host) === true) return;
    const s = this.addSlave(m, host, port);
    this.event('+slave', s, '%@');
    this.flushConfig();
  }

  private masterLooksSane(m: Master): boolean {
    return !m.sdown && !m.odown && m.roleReported === 'master' && !m.disconnected && m.lastAvailTime > Date.now() - 2 * this.timing.pingPeriod;
  }

  private noDownFor(ri: Instance, ms: number): boolean {
    const since = Math.max(ri.sdownSince, ri instanceof Master ? ri.odownSince : 0);
    return since === 0 || Date.now() - since > ms;
  }

  /**
   * sentinelSendSlaveOf: what Redis sends, in one transaction so that either all of it runs or
   * none: make it follow (or stop following), rewrite its config, drop its normal clients (so
   * they reconnect and learn its new role). CONFIG REWRITE may fail (no config file); the
   * transaction's other commands still ran, which is what counts.
   */
  sendSlaveOf(ri: Instance, host: string | null, port: number, done: (ok: boolean) => void = () => {}): void {
    const link = ri.cmd;
    if (link === null || !link.connected) {
      done(false);
      return;
    }
    const target = host === null ? ['SLAVEOF', 'NO', 'ONE'] : ['SLAVEOF', this.ann(host), String(port)];
    link.send(['MULTI']);
    link.send(target);
    link.send(['CONFIG', 'REWRITE']);
    link.send(['CLIENT', 'KILL', 'TYPE', 'normal']);
    link.send(['EXEC'], (r) => {
      const ok = Array.isArray(r) && !(r[0] instanceof ReplyError);
      if (!ok) this.logger.warn({ instance: ri.addr, reply: String(r instanceof ReplyError ? r.message : r) }, 'SLAVEOF transaction failed');
      done(ok);
    });
  }

  // ---- hello --------------------------------------------------------------------------------

  /** sentinelProcessHelloMessage: learn a sentinel, a newer epoch, a newer primary address. */
  processHello(msg: string): void {
    const t = msg.split(',');
    if (t.length !== 8) return;
    const [ip, portS, runid, epochS, name, mip, mportS, mepochS] = t;
    if (runid === this.myid) return;
    const m = this.masters.get(name);
    if (m === undefined) return;
    const port = Number(portS);
    const epoch = Number(epochS);
    const mport = Number(mportS);
    const mepoch = Number(mepochS);
    if (![port, epoch, mport, mepoch].every(Number.isSafeInteger)) return;
    // Hostnames in a hello: only with resolve-hostnames yes, and once they resolved (the hello
    // is read again then); one that does not resolve makes the hello unusable, as in Redis.
    if (!this.acceptsHost(ip) || !this.acceptsHost(mip)) return;
    if (!isResolved(ip) || !isResolved(mip)) {
      void Promise.all([resolveHost(ip), resolveHost(mip)]).then(([a, b]) => {
        if (a !== null && b !== null) this.processHello(msg);
        else this.logger.warn(`Failed to resolve hostname '${a === null ? ip : mip}'`);
      });
      return;
    }
    let si = m.sentinels.get(runid);
    if (si === undefined) {
      // The same address under another run id is a restarted sentinel: forget the old entry.
      for (const [id, other] of m.sentinels) {
        if (other.port === port && this.sameHost(other.host, ip) === true) {
          other.closeLinks();
          m.sentinels.delete(id);
          this.event('-dup-sentinel', m, `%@ #duplicate of ${ip}:${port} or ${runid}`);
        }
      }
      si = this.newSentinel(m, runid, ip, port);
      m.sentinels.set(runid, si);
      this.event('+sentinel', si, '%@');
      this.flushConfig();
    } else if (si.host !== ip || si.port !== port) {
      si.closeLinks();
      si.host = ip;
      si.port = port;
      this.flushConfig();
    }
    if (epoch > this.currentEpoch) {
      this.currentEpoch = epoch;
      this.flushConfig();
      this.event('+new-epoch', m, String(epoch));
    }
    if (m.conf.configEpoch < mepoch) {
      m.conf.configEpoch = mepoch;
      const a = m.currentAddress();
      if (a.port !== mport || this.sameHost(a.host, mip) !== true) {
        // A newer configuration wins over ours, a failover of our own included.
        if (m.failoverInProgress) this.abortFailover(m);
        this.event('+config-update-from', si, '%@');
        // The new address as the hello gives it (Redis prints token[5] as is), the old one as announced.
        this.event('+switch-master', m, `${m.name} ${this.ann(m.host)} ${m.port} ${mip} ${mport}`);
        const from = { host: m.host, port: m.port };
        this.changeMasterAddress(m, mip, mport);
        this.clientReconf(m, 'observer', from, { host: mip, port: mport });
      } else {
        this.flushConfig();
      }
    }
    si.lastHelloTime = Date.now();
  }

  // ---- down states --------------------------------------------------------------------------

  private checkSubjectivelyDown(ri: Instance, now: number): void {
    const m = ri.master ?? (ri as Master);
    const downAfter = m.conf.downAfterMs;
    let elapsed = 0;
    if (ri.actPingTime !== 0) elapsed = now - ri.actPingTime;
    else if (ri.disconnected) elapsed = now - ri.lastAvailTime;
    // A link that stopped answering for half the down time is reopened: the process may be up
    // behind a dead connection (sentinelCheckSubjectivelyDown).
    const cmd = ri.cmd;
    if (cmd !== null && cmd.connected && now - cmd.connTime > this.timing.minLinkReconnectPeriod && ri.actPingTime !== 0 && now - ri.actPingTime > downAfter / 2 && now - ri.lastPongTime > downAfter / 2) {
      ri.cmd = null;
      cmd.close();
    }
    const ps = ri.pubsub;
    if (ps !== null && ps.connected && now - ps.connTime > this.timing.minLinkReconnectPeriod && now - ps.lastActivity > this.timing.publishPeriod * 3) {
      ri.pubsub = null;
      ps.close();
    }
    // A primary that says it is a replica for a while is as good as down: it takes no writes
    // (a failover elsewhere, or an operator's REPLICAOF; Redis waits two INFO periods more).
    const demoted = ri instanceof Master && ri.roleReported === 'slave' && now - ri.roleReportedTime > downAfter + this.timing.infoPeriod * 2;
    const stillRebooting = ri instanceof Master && ri.rebootSince !== 0 && now - ri.rebootSince > ri.conf.rebootDownAfterMs;
    if (elapsed > downAfter || demoted || stillRebooting) {
      if (!ri.sdown) {
        ri.sdownSince = now;
        this.event('+sdown', ri, '%@');
      }
    } else if (ri.sdown) {
      ri.sdownSince = 0;
      this.event('-sdown', ri, '%@');
    }
  }

  /** ODOWN: this sentinel's SDOWN plus the sentinels that answered "down" reach the quorum. */
  private checkObjectivelyDown(m: Master): void {
    let quorum = 0;
    let odown = false;
    if (m.sdown) {
      quorum = 1;
      for (const s of m.sentinels.values()) if (s.masterDown) quorum++;
      if (quorum >= m.conf.quorum) odown = true;
    }
    if (odown) {
      if (!m.odown) {
        m.odownSince = Date.now();
        this.event('+odown', m, `%@ #quorum ${quorum}/${m.conf.quorum}`);
      }
    } else if (m.odown) {
      m.odownSince = 0;
      this.event('-odown', m, '%@');
    }
  }

  /**
   * sentinelAskMasterStateToOtherSentinels: while the primary is SDOWN, ask each sentinel
   * whether it agrees (and, once a failover started, for its vote) at most once per ASK period.
   */
  private askOthers(m: Master, now: number, force: boolean): void {
    for (const s of m.sentinels.values()) {
      const elapsed = now - s.lastMasterDownReplyTime;
      if (elapsed > this.timing.askPeriod * 5) {
        s.masterDown = false;
        s.leader = null;
      }
      if (!m.sdown) continue;
      const link = s.cmd;
      if (link === null || !link.connected) continue;
      if (!force && elapsed < this.timing.askPeriod) continue;
      if (s.asking) continue;
      s.asking = true;
      const runid = m.failoverInProgress ? this.myid : '*';
      link.send(['SENTINEL', 'is-master-down-by-addr', this.ann(m.host), String(m.port), String(this.currentEpoch), runid], (r) => {
        s.asking = false;
        if (!Array.isArray(r) || r.length !== 3 || typeof r[0] !== 'number' || typeof r[1] !== 'string' || typeof r[2] !== 'number') return;
        s.lastMasterDownReplyTime = Date.now();
        s.masterDown = r[0] === 1;
        if (r[1] !== '*') {
          if (s.leader !== r[1] || s.leaderEpoch !== r[2]) this.logger.info({ sentinel: s.addr, leader: r[1], epoch: r[2] }, `${s.addr} voted for ${r[1]} ${r[2]}`);
          s.leader = r[1];
          s.leaderEpoch = r[2];
        }
      });
    }
  }

  /** SENTINEL IS-MASTER-DOWN-BY-ADDR on this sentinel: [down?, leader voted for or "*", its epoch]. */
  isMasterDownByAddr(host: string, port: number, reqEpoch: number, runid: string): [number, string, number] {
    let m: Master | undefined;
    // The asker names the primary as it announces it: by hostname or by IP.
    for (const x of this.masters.values()) if (x.port === port && (x.host === host || (x.ip !== '' && x.ip === host))) m = x;
    const down = !this.tilt && m !== undefined && m.sdown ? 1 : 0;
    let leader = '*';
    let epoch = 0;
    if (m !== undefined && runid !== '*') {
      leader = this.vote(m, reqEpoch, runid) ?? '*';
      epoch = leader === '*' ? 0 : m.vote.leaderEpoch;
    }
    return [down, leader, epoch];
  }

  /** sentinelVoteLeader, with its side effects: a newer epoch is adopted, a vote is flushed and announced. */
  private vote(m: Master, reqEpoch: number, reqRunid: string): string | null {
    if (reqEpoch > this.currentEpoch) {
      this.currentEpoch = reqEpoch;
      this.flushConfig();
      this.event('+new-epoch', m, String(this.currentEpoch));
    }
    if (voteLeader(m.vote, this.currentEpoch, reqEpoch, reqRunid)) {
      this.flushConfig();
      this.event('+vote-for-leader', m, `${m.vote.leader} ${m.vote.leaderEpoch}`);
      // Voting for someone else: do not start our own failover before theirs had its chance.
      if (m.vote.leader !== this.myid) m.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
    }
    return m.vote.leader;
  }

  // ---- failover -----------------------------------------------------------------------------

  private startFailoverIfNeeded(m: Master, now: number): boolean {
    if (!m.odown || m.failoverInProgress) return false;
    if (now - m.failoverStartTime < m.conf.failoverTimeoutMs * 2) return false;
    this.startFailover(m, now);
    return true;
  }

  private startFailover(m: Master, now: number): void {
    m.failoverState = 'wait_start';
    m.failoverStateChangeTime = now;
    m.failoverEpoch = ++this.currentEpoch;
    this.flushConfig();
    this.event('+new-epoch', m, String(this.currentEpoch));
    this.event('+try-failover', m, '%@');
    m.failoverStartTime = now + Math.floor(Math.random() * MAX_DESYNC);
  }

  /** SENTINEL FAILOVER: no agreement asked for; fails when there is no replica to promote. */
  manualFailover(m: Master): string | null {
    if (m.failoverInProgress) return 'INPROG Failover already in progress';
    const now = Date.now();
    if (this.pickReplica(m, now) === null) return 'NOGOODSLAVE No suitable replica to promote';
    this.logger.warn({ master: m.name }, `Executing user requested FAILOVER of '${m.name}'`);
    this.startFailover(m, now);
    m.forceFailover = true;
    return null;
  }

  /**
   * sentinelSimFailureCrash: exit at once, as a crash would (what must survive one was flushed
   * to the config file before it was acted on).
   */
  private simulatedCrash(): never {
    this.logger.warn('Sentinel CRASH because of SENTINEL simulate-failure');
    process.exit(SIMFAILURE_EXIT_CODE);
  }

  private abortFailover(m: Master): void {
    const p = m.promotedSlave;
    for (const s of m.slaves.values()) s.reconfSent = s.reconfInprog = s.reconfDone = false;
    if (p !== null) p.promoted = false;
    this.clearFailover(m);
  }

  private pickReplica(m: Master, now: number): Instance | null {
    const infoValidity = (m.sdown ? 1000 : this.timing.infoPeriod) * 3;
    const cands = [...m.slaves.values()].map((s) => ({
      inst: s,
      runid: s.runid,
      priority: s.slavePriority,
      replOffset: s.slaveReplOffset,
      sdown: s.sdown,
      disconnected: s.disconnected,
      sinceLastAvail: now - s.lastAvailTime,
      sinceInfo: s.infoRefresh <= 1 ? Infinity : now - s.infoRefresh,
      masterLinkDownTime: s.masterLinkDownTime,
    }));
    const best = selectReplica(cands, {
      masterDownMs: m.sdown ? now - m.sdownSince : 0,
      downAfterMs: m.conf.downAfterMs,
      infoValidityMs: infoValidity,
      pingPeriodMs: this.timing.pingPeriod,
    });
    return best?.inst ?? null;
  }

  private failoverStateMachine(m: Master, now: number): void {
    if (!m.failoverInProgress) return;
    const setState = (s: FailoverState) => {
      m.failoverState = s;
      m.failoverStateChangeTime = Date.now();
    };
    switch (m.failoverState) {
      case 'wait_start': {
        const leader = electLeader(
          [...m.sentinels.values()].map((s) => ({ leader: s.leader, leaderEpoch: s.leaderEpoch })),
          m.failoverEpoch,
          m.conf.quorum,
          this.myid,
          (candidate) => {
            this.vote(m, m.failoverEpoch, candidate);
            return m.vote;
          },
        );
        if (leader !== this.myid && !m.forceFailover) {
          const electionTimeout = Math.min(this.timing.electionTimeout, m.conf.failoverTimeoutMs);
          if (now - m.failoverStartTime > electionTimeout) {
            this.event('-failover-abort-not-elected', m, '%@');
            this.abortFailover(m);
          }
          return;
        }
        this.event('+elected-leader', m, '%@');
        if ((this.simFailure & SIMFAILURE_CRASH_AFTER_ELECTION) !== 0) this.simulatedCrash();
        setState('select_slave');
        this.event('+failover-state-select-slave', m, '%@');
        return;
      }
      case 'select_slave': {
        const s = this.pickReplica(m, now);
        if (s === null) {
          this.event('-failover-abort-no-good-slave', m, '%@');
          this.abortFailover(m);
          return;
        }
        this.event('+selected-slave', s, '%@');
        s.promoted = true;
        m.promotedSlave = s;
        setState('send_slaveof_noone');
        this.event('+failover-state-send-slaveof-noone', s, '%@');
        return;
      }
      case 'send_slaveof_noone': {
        const s = m.promotedSlave!;
        if (s.disconnected) {
          if (now - m.failoverStateChangeTime > m.conf.failoverTimeoutMs) {
            this.event('-failover-abort-slave-timeout', s, '%@');
            this.abortFailover(m);
          }
          return;
        }
        this.sendSlaveOf(s, null, 0);
        this.event('+failover-state-wait-promotion', s, '%@');
        setState('wait_promotion');
        return;
      }
      case 'wait_promotion':
        if (now - m.failoverStateChangeTime > m.conf.failoverTimeoutMs) {
          this.event('-failover-abort-slave-timeout', m.promotedSlave!, '%@');
          this.abortFailover(m);
        }
        return;
      case 'reconf_slaves':
        this.reconfNextSlave(m, now);
        return;
      default:
        return;
    }
  }

  /** sentinelFailoverReconfNextSlave: point up to parallel-syncs replicas at a time at the promoted one. */
  private reconfNextSlave(m: Master, now: number): void {
    const p = m.promotedSlave!;
    let inProgress = 0;
    for (const s of m.slaves.values()) if (s.reconfSent || s.reconfInprog) inProgress++;
    for (const s of m.slaves.values()) {
      if (inProgress >= m.conf.parallelSyncs) break;
      if (s.promoted || s.reconfDone) continue;
      if (s.reconfSent && now - s.reconfSentTime > this.timing.slaveReconfTimeout) {
        this.event('-slave-reconf-sent-timeout', s, '%@');
        s.reconfSent = false;
        s.reconfDone = true;
        continue;
      }
      if (s.reconfSent || s.reconfInprog) continue;
      if (s.disconnected) continue;
      s.reconfSent = true;
      s.reconfSentTime = now;
      inProgress++;
      this.sendSlaveOf(s, p.host, p.port);
      this.event('+slave-reconf-sent', s, '%@');
    }
    this.detectFailoverEnd(m, now);
  }

  private detectFailoverEnd(m: Master, now: number): void {
    const p = m.promotedSlave!;
    const timeout = now - m.failoverStateChangeTime > m.conf.failoverTimeoutMs;
    let notReconfigured = 0;
    for (const s of m.slaves.values()) if (!s.promoted && !s.reconfDone && !s.sdown) notReconfigured++;
    if (notReconfigured > 0 && !timeout) return;
    if (timeout) this.event('-failover-end-for-timeout', m, '%@');
    this.event('+failover-end', m, '%@');
    m.failoverState = 'update_config';
    m.failoverStateChangeTime = now;
    if (timeout) {
      // Replicas that did not make it in time are told once more, without waiting for them.
      for (const s of m.slaves.values()) {
        if (s.promoted || s.reconfDone || s.disconnected) continue;
        this.sendSlaveOf(s, p.host, p.port, (ok) => {
          if (ok) this.event('+slave-reconf-sent-be', s, '%@');
        });
      }
    }
  }

  /** UPDATE_CONFIG: the promoted replica is the primary now, for this sentinel and (by hello) the others. */
  private switchToPromoted(m: Master): void {
    const p = m.promotedSlave!;
    this.event('+switch-master', m, `${m.name} ${this.ann(m.host)} ${m.port} ${this.ann(p.host)} ${p.port}`);
    this.changeMasterAddress(m, p.host, p.port);
    this.forceHello(m);
  }

  // ---- replies ------------------------------------------------------------------------------

  /** Number of sentinels usable for a failover of `m` (this one included) and the voters. */
  ckquorum(m: Master): { usable: number; voters: number } {
    let usable = 1;
    for (const s of m.sentinels.values()) if (!s.sdown && !s.disconnected) usable++;
    return { usable, voters: m.sentinels.size + 1 };
  }
}
