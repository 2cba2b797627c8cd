// Sentinel, end to end with real processes: Hoard sentinels failing over a SIGKILLed Hoard
// primary (promotion, the other replica re-pointed, the old primary turned into a replica when
// it comes back); ioredis in sentinel mode writing across the failover; a real redis-sentinel
// failing over Hoard instances (what it sends to a primary and a replica must work on Hoard);
// and Hoard's sentinel replies compared with redis-sentinel's for the same setup (shapes, error
// texts, CKQUORUM, no failover without quorum). Timeouts are short: down-after-milliseconds
// 500, failover-timeout 3000.

import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { RawSocket } from '../helpers/raw-conn.js';
import { SERVER_JS, freePort, startServer, type ServerProc } from '../helpers/proc.js';
import { SentinelBed, fields, masterState, until, type SentinelProc } from '../helpers/sentinel-bed.js';

const bed = new SentinelBed();
const { procs, clients, client, dir, hoard, runSentinel } = bed;

/** A sentinel (Hoard's, or redis-server --sentinel) on a free port, watching `mymaster` at `masterPort`. */
async function sentinel(kind: 'hoard' | 'redis', masterPort: number, quorum: number, extraLines: string[] = []): Promise<SentinelProc> {
  const port = await freePort();
  const d = dir(`sentinel-${kind}-`);
  const conf = path.join(d, 'sentinel.conf');
  fs.writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} ${quorum}`,
      'sentinel down-after-milliseconds mymaster 500',
      'sentinel failover-timeout mymaster 3000',
      ...extraLines,
      '',
    ].join('\n'),
  );
  return runSentinel(kind, conf, port);
}

async function addrOf(s: Redis): Promise<string> {
  const a = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as [string, string] | null;
  return a === null ? '' : `${a[0]}:${a[1]}`;
}

async function role(port: number): Promise<unknown[]> {
  const r = client(port, { retryStrategy: () => null, lazyConnect: true });
  try {
    await r.connect();
    return (await r.call('ROLE')) as unknown[];
  } finally {
    r.disconnect();
  }
}

/** A replica of `primary` on `port` whose link is up. */
async function linkUp(replica: Redis): Promise<void> {
  await until('the replica link to come up', async () => /master_link_status:up/.test(await replica.info('replication')));
}

/** A Hoard primary and a Hoard replica of it whose link is up. */
async function primaryAndReplica(): Promise<{ primary: ServerProc; replica: ServerProc }> {
  const primary = await hoard();
  const replica = await hoard(['--replicaof', '127.0.0.1', String(primary.port)]);
  await linkUp(client(replica.port));
  return { primary, replica };
}

interface SentinelEvent {
  ch: string;
  msg: string;
  at: number;
}

/** Every event a sentinel publishes from now on, in order, with its arrival time. */
async function eventsOf(port: number): Promise<SentinelEvent[]> {
  const events: SentinelEvent[] = [];
  const sub = client(port);
  await sub.psubscribe('*');
  sub.on('pmessage', (_p: string, ch: string, msg: string) => events.push({ ch, msg, at: Date.now() }));
  return events;
}

/** Subscribes to a sentinel's +switch-master channel; resolves with the first message and its arrival time. */
function switchMaster(port: number, opts: Record<string, unknown> = {}): Promise<{ msg: string; at: number }> {
  const sub = client(port, opts);
  return new Promise((resolve) => {
    void sub.subscribe('+switch-master');
    sub.on('message', (_ch: string, msg: string) => resolve({ msg, at: Date.now() }));
  });
}

describe('Hoard sentinels failing over a Hoard primary', () => {
  it('promotes a replica on every sentinel, re-points the other replica, keeps WAITed data, and makes the old primary a replica when it returns', async () => {
    const primary = await hoard();
    const r1 = await hoard(['--replicaof', '127.0.0.1', String(primary.port)]);
    const r2 = await hoard(['--replicaof', '127.0.0.1', String(primary.port)]);
    await linkUp(client(r1.port));
    await linkUp(client(r2.port));
    const p = client(primary.port);
    for (let i = 0; i < 100; i++) await p.set(`key:${i}`, `value-${i}`);
    expect(await p.wait(2, 2000)).toBe(2);

    const sentinels = [await sentinel('hoard', primary.port, 2), await sentinel('hoard', primary.port, 2), await sentinel('hoard', primary.port, 2)];
    const sc = sentinels.map((s) => client(s.port));
    for (const s of sc) {
      await until('every sentinel to know two replicas and two other sentinels', async () => {
        const m = await masterState(s);
        return m['num-slaves'] === '2' && m['num-other-sentinels'] === '2';
      });
    }
    const switched = switchMaster(sentinels[0].port);
    const killedAt = Date.now();
    await primary.kill('SIGKILL');

    const { msg, at } = await switched;
    const [name, oldIp, oldPort, newIp, newPort] = msg.split(' ');
    expect([name, oldIp, oldPort, newIp]).toEqual(['mymaster', '127.0.0.1', String(primary.port), '127.0.0.1']);
    expect([String(r1.port), String(r2.port)]).toContain(newPort);
    console.log(`SIGKILL -> +switch-master: ${at - killedAt} ms`);
    // Two sentinels may both win an election (in different epochs) and promote different
    // replicas; the greater config epoch then wins everywhere. What counts is the agreement.
    const agreed = await until('every sentinel to answer the same new address', async () => {
      const a = await Promise.all(sc.map(addrOf));
      return a.every((x) => x === a[0]) && a[0] !== `127.0.0.1:${primary.port}` ? a[0] : undefined;
    });
    const promoted = Number(agreed.split(':')[1]);
    expect([r1.port, r2.port]).toContain(promoted);
    const other = promoted === r1.port ? r2 : r1;
    // The promoted process says it is a primary; the other follows it with its link up.
    expect((await role(promoted))[0]).toBe('master');
    await until('the other replica to follow the new primary', async () => {
      const r = await role(other.port);
      return r[0] === 'slave' && r[1] === '127.0.0.1' && r[2] === promoted && r[3] === 'connected';
    });
    const np = client(promoted);
    expect(await np.get('key:0')).toBe('value-0');
    expect(await np.get('key:99')).toBe('value-99');
    // Writes on the new primary reach the other replica.
    await np.set('after', 'failover');
    await until('the write to reach the re-pointed replica', async () => (await client(other.port).get('after')) === 'failover');
    // How the re-pointed replica got there (a partial resync unless two sentinels promoted two
    // replicas in turn: test/integration/replication.test.ts asserts the mechanism).
    const st = await np.info('stats');
    console.log(`after the failover, on the new primary: ${/sync_full:\d+/.exec(st)?.[0]} ${/sync_partial_ok:\d+/.exec(st)?.[0]}`);

    // The old primary comes back (empty: no persistence) as a primary; sentinels make it follow.
    const back = await hoard([], primary.port);
    await until(
      'the old primary to be turned into a replica of the new one',
      async () => {
        const r = await role(back.port);
        return r[0] === 'slave' && r[2] === promoted && r[3] === 'connected';
      },
      25_000,
    );
    expect(await client(back.port).get('after')).toBe('failover');
    // The sentinels' view, and the state they wrote to their config files.
    const replicas = ((await sc[1].call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).map(fields);
    expect(replicas.map((r) => Number(r.port)).sort()).toEqual([primary.port, other.port].sort());
    const conf = fs.readFileSync(sentinels[1].conf, 'latin1');
    expect(conf).toContain(`sentinel monitor mymaster 127.0.0.1 ${promoted} 2`);
    expect(conf).toMatch(/^sentinel myid [0-9a-f]{40}$/m);
    expect(conf).toMatch(/^sentinel current-epoch [1-9][0-9]*$/m);
    // A restarted sentinel is the same voter with the same view: its id, epoch and primary.
    const myid = await sc[1].call('SENTINEL', 'MYID');
    const epoch = (await masterState(sc[1]))['config-epoch'];
    sentinels[1].child.kill('SIGTERM');
    await new Promise((r) => sentinels[1].child.once('exit', r));
    const again = await runSentinel('hoard', sentinels[1].conf, sentinels[1].port);
    const ac = client(again.port);
    expect(await ac.call('SENTINEL', 'MYID')).toBe(myid);
    expect(await addrOf(ac)).toBe(`127.0.0.1:${promoted}`);
    expect((await masterState(ac))['config-epoch']).toBe(epoch);
    expect(Number(epoch)).toBeGreaterThan(0);
  }, 60_000);
});

describe('sentinels with a password of their own', () => {
  it('reach each other with sentinel-pass (or their own requirepass), agree and fail over; the password is kept in the config file', async () => {
    const { primary, replica } = await primaryAndReplica();
    // The first AUTHs to the other with sentinel-pass; the second has none and uses its own
    // requirepass (Redis's fallback for sentinels sharing one password).
    const ss = [
      await sentinel('hoard', primary.port, 2, ['requirepass s3cret', 'sentinel sentinel-pass s3cret']),
      await sentinel('hoard', primary.port, 2, ['requirepass s3cret']),
    ];
    const sc = ss.map((s) => client(s.port, { password: 's3cret' }));
    // Without the password a sentinel answers nothing but NOAUTH.
    await expect(client(ss[0].port).call('SENTINEL', 'MASTERS')).rejects.toThrow(/NOAUTH/);
    for (const s of sc) {
      await until('each sentinel to see the other, connected and answering', async () => {
        const others = ((await s.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[]).map(fields);
        return others.length === 1 && others[0].flags === 'sentinel';
      });
    }
    expect(fields(await sc[0].call('SENTINEL', 'CONFIG', 'GET', 'sentinel-pass'))['sentinel-pass']).toBe('s3cret');
    const switched = switchMaster(ss[0].port, { password: 's3cret' });
    await primary.kill('SIGKILL');
    // Quorum 2: only reached if each one's IS-MASTER-DOWN-BY-ADDR got through the other's password.
    const { msg } = await switched;
    expect(msg).toBe(`mymaster 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`);
    expect(fs.readFileSync(ss[0].conf, 'latin1')).toMatch(/^sentinel sentinel-pass s3cret$/m);
    // SENTINEL CONFIG SET changes it (and '' removes it) for the links made from then on.
    expect(await sc[0].call('SENTINEL', 'CONFIG', 'SET', 'sentinel-pass', '')).toBe('OK');
    expect(fs.readFileSync(ss[0].conf, 'latin1')).not.toMatch(/sentinel-pass/);
  }, 40_000);
});

describe('a primary that reboots and stays LOADING', () => {
  it('is down after master-reboot-down-after-period (only where set), up again at its first PONG', async () => {
    const d = dir('hoard-reboot-');
    const primary = await hoard(['--appendonly', 'yes'], undefined, d);
    const p = client(primary.port);
    for (let i = 0; i < 20_000; i += 1000) {
      const pl = p.pipeline();
      for (let j = i; j < i + 1000; j++) pl.set(`k:${j}`, 'v');
      await pl.exec();
    }
    // Quorum 5: nobody fails over; down-after 5 s: the restart itself is not long enough to count.
    const lines = ['sentinel down-after-milliseconds mymaster 5000'];
    const withOpt = await sentinel('hoard', primary.port, 5, [...lines, 'sentinel master-reboot-down-after-period mymaster 700']);
    const without = await sentinel('hoard', primary.port, 5, lines);
    const [wc, nc] = [client(withOpt.port), client(without.port)];
    for (const s of [wc, nc]) await until('the sentinel to know the run id', async () => (await masterState(s)).runid.length === 40);
    expect(fs.readFileSync(withOpt.conf, 'latin1')).toMatch(/^sentinel master-reboot-down-after-period mymaster 700$/m);
    const [we, ne] = [await eventsOf(withOpt.port), await eventsOf(without.port)];
    await primary.kill('SIGKILL');
    // Back with ~3 s of LOADING (key-load-delay: 150 us per AOF record; the replay answers
    // between runs of 1024 records).
    const again = await startServer(d, ['--appendonly', 'yes', '--key-load-delay', '150'], { port: primary.port, waitReady: false });
    procs.push(again);
    const sdown = await until('+sdown from the sentinel with the option', async () => we.find((e) => e.ch === '+sdown'), 20_000);
    expect(we.findIndex((e) => e.ch === '+reboot')).toBeGreaterThanOrEqual(0);
    expect(we.findIndex((e) => e.ch === '+reboot')).toBeLessThan(we.indexOf(sdown));
    // (No ready check: ioredis would wait for the loading to end before asking.)
    const probe = again.client({ enableReadyCheck: false });
    clients.push(probe);
    expect(await probe.info('persistence')).toContain('loading:1');
    expect(we.indexOf(sdown)).toBeGreaterThan(0);
    expect(sdown.at - we.find((e) => e.ch === '+reboot')!.at).toBeGreaterThanOrEqual(650);
    expect((await masterState(wc)).flags).toMatch(/^s_down,master,.*master_reboot$/);
    await until('-sdown once it answers PONG', async () => we.some((e) => e.ch === '-sdown'), 20_000);
    expect((await masterState(wc)).flags).toBe('master');
    // The one without the option saw the reboot, and LOADING as alive throughout.
    expect(ne.some((e) => e.ch === '+reboot')).toBe(true);
    expect(ne.filter((e) => e.ch === '+sdown')).toEqual([]);
  }, 60_000);
});

describe('notification-script and client-reconfig-script', () => {
  /** An executable shell script in `d` that appends its arguments to `out` and exits with `code`. */
  function script(d: string, name: string, out: string, code = 0): string {
    const file = path.join(d, name);
    fs.writeFileSync(file, `#!/bin/sh\necho "$@" >> '${out}'\nexit ${code}\n`, { mode: 0o755 });
    return file;
  }
  const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'latin1').trim().split('\n') : []);

  it("run with Redis's arguments: warning events to one, the switch of address to the other", async () => {
    const { primary, replica } = await primaryAndReplica();
    const d = dir('sentinel-scripts-');
    const notes = path.join(d, 'notes');
    const reconf = path.join(d, 'reconf');
    const hs = await sentinel('hoard', primary.port, 1, [
      `sentinel notification-script mymaster ${script(d, 'notify.sh', notes)}`,
      `sentinel client-reconfig-script mymaster ${script(d, 'reconf.sh', reconf)}`,
    ]);
    const hc = client(hs.port);
    await until('the sentinel to see the replica', async () => (await masterState(hc))['num-slaves'] === '1');
    await primary.kill('SIGKILL');
    await until('the client-reconfig-script to run', async () => lines(reconf).length > 0);
    expect(lines(reconf)).toEqual([`mymaster leader start 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`]);
    await until('the notification of the switch', async () => lines(notes).some((l) => l.startsWith('+switch-master ')));
    const got = lines(notes);
    expect(got).toContain(`+sdown master mymaster 127.0.0.1 ${primary.port}`);
    expect(got).toContain(`+odown master mymaster 127.0.0.1 ${primary.port} #quorum 1/1`);
    expect(got).toContain(`+promoted-slave slave 127.0.0.1:${replica.port} 127.0.0.1 ${replica.port} @ mymaster 127.0.0.1 ${primary.port}`);
    expect(got).toContain(`+switch-master mymaster 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`);
    // Notice-level events run no script.
    expect(got.some((l) => l.startsWith('+failover-state-send-slaveof-noone'))).toBe(false);
    // Paths are kept in the config file and cannot be changed at run time (deny-scripts-reconfig yes).
    expect(fs.readFileSync(hs.conf, 'latin1')).toMatch(/^sentinel notification-script mymaster .*notify\.sh$/m);
    await expect(hc.call('SENTINEL', 'SET', 'mymaster', 'notification-script', '/bin/true')).rejects.toThrow(/Reconfiguration of scripts path is denied/);
  }, 40_000);

  it('retries a script that exits 1 with doubling delays, shows it in PENDING-SCRIPTS, and refuses what cannot run', async () => {
    const primary = await hoard();
    const d = dir('sentinel-scripts-');
    const runs = path.join(d, 'runs');
    const hs = await sentinel('hoard', primary.port, 1, ['sentinel deny-scripts-reconfig no']);
    const hc = client(hs.port);
    await until('the sentinel to see the primary', async () => (await masterState(hc))['role-reported'] === 'master');
    expect(await hc.call('SENTINEL', 'DEBUG', 'script-retry-delay', '300')).toBe('OK');
    await expect(hc.call('SENTINEL', 'SET', 'mymaster', 'notification-script', path.join(d, 'missing.sh'))).rejects.toThrow('ERR Notification script seems non existing or non executable');
    // +set is a warning event (its own, here): the script runs for it, fails (exit 1), and is
    // retried 300, 600, 1200 ms later.
    const fail = script(d, 'fail.sh', runs, 1);
    expect(await hc.call('SENTINEL', 'SET', 'mymaster', 'notification-script', fail)).toBe('OK');
    const desc = `master mymaster 127.0.0.1 ${primary.port} notification-script ${fail}`;
    await until('a first run', async () => lines(runs).length >= 1);
    expect(lines(runs)[0]).toBe(`+set ${desc}`);
    const pending = (await hc.call('SENTINEL', 'PENDING-SCRIPTS')) as unknown[][];
    expect(pending).toHaveLength(1);
    const job = fields(pending[0]);
    expect(job.argv).toEqual([fail, '+set', desc]);
    expect(['running', 'scheduled']).toContain(job.flags);
    await until('three runs', async () => lines(runs).length >= 3, 10_000);
    expect(Number(fields(((await hc.call('SENTINEL', 'PENDING-SCRIPTS')) as unknown[][])[0])['retry-num'])).toBeGreaterThanOrEqual(3);
    expect(await hc.info('sentinel')).toContain('sentinel_scripts_queue_length:1\r\n');
    // A config naming a script that cannot run stops the start, as redis-sentinel.
    const conf = path.join(d, 'bad.conf');
    fs.writeFileSync(conf, `port ${await freePort()}\nsentinel monitor m 127.0.0.1 ${primary.port} 1\nsentinel notification-script m ${path.join(d, 'missing.sh')}\n`);
    const bad = spawn(process.execPath, [SERVER_JS, conf, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    bad.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => bad.once('exit', (c) => r(c)));
    expect(code).not.toBe(0);
    expect(err).toContain('Notification script seems non existing or non executable.');
  }, 40_000);
});

describe('ioredis in sentinel mode', () => {
  it('keeps writing across a failover, and a sentinel subscriber sees +switch-master with the addresses', async () => {
    const { primary, replica } = await primaryAndReplica();
    const s = await sentinel('hoard', primary.port, 1);
    const sc = client(s.port);
    await until('the sentinel to know the replica', async () => (await masterState(sc))['num-slaves'] === '1');

    const app = new Redis({ sentinels: [{ host: '127.0.0.1', port: s.port }], name: 'mymaster', sentinelRetryStrategy: () => 50, retryStrategy: () => 50 });
    app.on('error', () => {});
    clients.push(app);
    await app.set('before', '1');
    expect(await client(primary.port).get('before')).toBe('1');
    await client(primary.port).wait(1, 2000);

    const switched = switchMaster(s.port);
    const killedAt = Date.now();
    await primary.kill('SIGKILL');
    // Writes keep being issued; the first that succeeds after the failover must be on the new primary.
    let wroteAt = 0;
    for (let i = 0; wroteAt === 0; i++) {
      try {
        await app.set('after', String(i));
        if ((await client(replica.port).get('after')) === String(i)) wroteAt = Date.now();
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
      if (Date.now() - killedAt > 20_000) throw new Error('no write reached the new primary within 20 s');
    }
    const { msg, at } = await switched;
    expect(msg).toBe(`mymaster 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`);
    console.log(`SIGKILL -> +switch-master: ${at - killedAt} ms; -> ioredis' first write on the new primary: ${wroteAt - killedAt} ms`);
    expect((await role(replica.port))[0]).toBe('master');
    expect(await client(replica.port).get('before')).toBe('1');
  }, 40_000);
});

describe('a password-protected primary', () => {
  it('is watched and failed over with sentinel auth-pass', async () => {
    // Passwords set after start: the helper's readiness PING has none.
    const primary = await hoard();
    const replica = await hoard(['--masterauth', 's3cret']);
    await client(primary.port).config('SET', 'requirepass', 's3cret');
    const rc = client(replica.port);
    await rc.replicaof('127.0.0.1', primary.port);
    await rc.config('SET', 'requirepass', 's3cret');
    await linkUp(client(replica.port, { password: 's3cret' }));
    const s = await sentinel('hoard', primary.port, 1, ['sentinel auth-pass mymaster s3cret']);
    const sc = client(s.port);
    // Discovering the replica takes an authenticated INFO on the primary.
    await until('the sentinel to see the replica through AUTH', async () => (await masterState(sc))['num-slaves'] === '1');
    expect((await masterState(sc)).flags).toBe('master');
    const switched = switchMaster(s.port);
    await primary.kill('SIGKILL');
    expect((await switched).msg).toBe(`mymaster 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`);
    await until('the replica to be a primary', async () => {
      const r = client(replica.port, { password: 's3cret', retryStrategy: () => null });
      return ((await r.call('ROLE')) as unknown[])[0] === 'master';
    });
  }, 30_000);
});

describe.skipIf(!redisServerAvailable())('against redis-sentinel', () => {
  it('a real redis-sentinel fails over Hoard instances', async () => {
    const { primary, replica } = await primaryAndReplica();
    await client(primary.port).set('k', 'v');
    await client(primary.port).wait(1, 2000);
    const s = await sentinel('redis', primary.port, 1);
    const sc = client(s.port);
    await until('redis-sentinel to discover the Hoard replica', async () => (await masterState(sc))['num-slaves'] === '1');
    const switched = switchMaster(s.port);
    await primary.kill('SIGKILL');
    const { msg } = await switched;
    expect(msg).toBe(`mymaster 127.0.0.1 ${primary.port} 127.0.0.1 ${replica.port}`);
    // What redis-sentinel sent (MULTI, SLAVEOF NO ONE, CONFIG REWRITE, CLIENT KILL, EXEC) made a primary of it.
    await until('the Hoard replica to report role master', async () => (await role(replica.port))[0] === 'master');
    const np = client(replica.port);
    expect(await np.get('k')).toBe('v');
    expect(await np.set('w', '1')).toBe('OK');
    // redis-sentinel also turns the returning old primary into a replica of the new one.
    const back = await hoard([], primary.port);
    await until(
      'redis-sentinel to make the old Hoard primary a replica',
      async () => {
        const r = await role(back.port);
        return r[0] === 'slave' && r[2] === replica.port && r[3] === 'connected';
      },
      25_000,
    );
    expect(await client(back.port).get('w')).toBe('1');
  }, 60_000);

  it('Hoard and redis-sentinel watching the same instances answer with the same shapes and error texts', async () => {
    const { primary, replica } = await primaryAndReplica();
    const rs = await sentinel('redis', primary.port, 2);
    const hs = await sentinel('hoard', primary.port, 2);
    const r = client(rs.port);
    const h = client(hs.port);
    for (const s of [r, h]) {
      await until('both sentinels to see the replica and each other, connected', async () => {
        const m = await masterState(s);
        const others = ((await s.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[]).map(fields);
        const reps = ((await s.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).map(fields);
        return m['num-slaves'] === '1' && others.length === 1 && others[0].flags === 'sentinel' && reps[0]?.flags === 'slave';
      });
    }
    // Field names, in order; every value a string.
    const keysOf = (flat: unknown) => (flat as string[]).filter((_, i) => i % 2 === 0);
    const typesOf = (flat: unknown) => (flat as unknown[]).map((v) => typeof v);
    for (const cmd of [['MASTER', 'mymaster'], ['REPLICAS', 'mymaster'], ['SLAVES', 'mymaster'], ['SENTINELS', 'mymaster'], ['MASTERS']]) {
      const a = (await r.call('SENTINEL', ...cmd)) as unknown[];
      const b = (await h.call('SENTINEL', ...cmd)) as unknown[];
      const norm = (x: unknown[]) => (cmd[0] === 'MASTER' ? [x] : x) as unknown[];
      expect(norm(b).length, cmd.join(' ')).toBe(norm(a).length);
      for (let i = 0; i < norm(a).length; i++) {
        expect(keysOf(norm(b)[i]), cmd.join(' ')).toEqual(keysOf(norm(a)[i]));
        expect(typesOf(norm(b)[i]), cmd.join(' ')).toEqual(typesOf(norm(a)[i]));
      }
    }
    // The same facts about the setup.
    const rm = await masterState(r);
    const hm = await masterState(h);
    for (const k of ['name', 'ip', 'port', 'runid', 'flags', 'role-reported', 'quorum', 'num-slaves', 'num-other-sentinels', 'config-epoch', 'down-after-milliseconds', 'failover-timeout', 'parallel-syncs']) {
      expect(hm[k], k).toBe(rm[k]);
    }
    const rr = fields(((await r.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[])[0]);
    const hr = fields(((await h.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[])[0]);
    for (const k of ['name', 'ip', 'port', 'runid', 'flags', 'role-reported', 'master-link-status', 'master-host', 'master-port', 'slave-priority', 'replica-announced']) {
      expect(hr[k], k).toBe(rr[k]);
    }
    // Each sees the other with the other's own id.
    const rSeen = fields(((await r.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[])[0]);
    const hSeen = fields(((await h.call('SENTINEL', 'SENTINELS', 'mymaster')) as unknown[])[0]);
    expect(rSeen.runid).toBe(await h.call('SENTINEL', 'MYID'));
    expect(hSeen.runid).toBe(await r.call('SENTINEL', 'MYID'));
    expect(hSeen.port).toBe(String(rs.port));

    // Replies compared byte for byte (RESP2), valid and invalid input alike.
    const rw = await RawSocket.connect(rs.port);
    const hw = await RawSocket.connect(hs.port);
    try {
      const same: string[][] = [
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'],
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nope'],
        ['SENTINEL', 'CKQUORUM', 'mymaster'],
        ['SENTINEL', 'CKQUORUM', 'nope'],
        ['SENTINEL', 'MASTER', 'nope'],
        ['SENTINEL', 'REPLICAS', 'nope'],
        ['SENTINEL', 'SENTINELS', 'nope'],
        ['SENTINEL', 'FAILOVER', 'nope'],
        ['SENTINEL', 'REMOVE', 'nope'],
        ['SENTINEL', 'SET', 'nope', 'quorum', '1'],
        ['SENTINEL', 'SET', 'mymaster', 'foo', '1'],
        ['SENTINEL', 'SET', 'mymaster', 'quorum', '0'],
        ['SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', 'x'],
        ['SENTINEL', 'SET', 'mymaster', 'quorum'],
        ['SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', '1', '1'],
        ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1', '1', '0'],
        ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1', 'x', '1'],
        ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1'],
        ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(primary.port), '0', '*'],
        ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', 'x', '0', '*'],
        ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(primary.port), 'x', '*'],
        ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '10.0.0.1', '1', '0', 'abc'],
        ['SENTINEL', 'RESET', 'no-such-*'],
        ['SENTINEL', 'PENDING-SCRIPTS'],
        ['SENTINEL', 'CONFIG', 'GET', '*'],
        ['SENTINEL', 'CONFIG', 'GET', 'announce-*'],
        ['SENTINEL', 'CONFIG', 'GET', 'foo'],
        ['SENTINEL', 'CONFIG', 'SET', 'announce-ip', '127.0.0.1'],
        ['SENTINEL', 'CONFIG', 'GET', 'announce-ip'],
        ['SENTINEL', 'CONFIG', 'SET', 'announce-port', 'x'],
        ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'maybe'],
        ['SENTINEL', 'CONFIG', 'SET', 'foo', '1'],
        ['SENTINEL', 'CONFIG', 'SET', 'announce-ip'],
        ['SENTINEL', 'CONFIG', 'foo', 'bar'],
        ['SENTINEL', 'CONFIG'],
        ['SENTINEL', 'FOO'],
        ['SENTINEL', 'MASTER'],
        ['SENTINEL'],
        ['GET', 'x'],
        ['SET', 'x', 'y'],
        ['PUBLISH', 'chan', 'msg'],
        ['ROLE'],
        ['PING'],
        ['PING', 'hi'],
        ['CLIENT', 'SETNAME', 'probe'],
        ['CLIENT', 'GETNAME'],
        ['SENTINEL', 'HELP'],
        ['SENTINEL', 'DEBUG', 'foo', '1'],
        ['SENTINEL', 'DEBUG', 'tilt-period', 'abc'],
        ['SENTINEL', 'DEBUG', 'tilt-period', '0'],
        ['SENTINEL', 'DEBUG', 'tilt-period'],
        ['SENTINEL', 'DEBUG', 'ping-period', '1000', 'info-period', '-1'],
        ['SENTINEL', 'DEBUG', 'PING-PERIOD', '1000'],
        ['SENTINEL', 'SIMULATE-FAILURE', 'help'],
        ['SENTINEL', 'SIMULATE-FAILURE', 'bogus'],
        ['SENTINEL', 'SIMULATE-FAILURE'],
        ['SENTINEL', 'INFO-CACHE'],
        ['SENTINEL', 'INFO-CACHE', 'nosuch'],
        ['SENTINEL', 'DEBUG'],
        ['SENTINEL', 'DEBUG', 'script-retry-delay', '0'],
        ['SENTINEL', 'SET', 'mymaster', 'notification-script', '/bin/true'],
        ['SENTINEL', 'PENDING-SCRIPTS'],
        ['SUBSCRIBE', 'x'],
      ];
      for (const cmd of same) {
        const want = await rw.send(cmd);
        const got = await hw.send(cmd);
        expect(got, cmd.join(' ')).toBe(want);
      }
    } finally {
      rw.close();
      hw.close();
    }
    // INFO-CACHE: the primary, then its replica, each [age ms, its last INFO].
    for (const s of [r, h]) {
      const ic = (await s.call('SENTINEL', 'INFO-CACHE', 'mymaster')) as [string, Array<[number, string]>];
      expect(ic[0]).toBe('mymaster');
      expect(ic[1]).toHaveLength(2);
      expect(ic[1][0][0]).toBeGreaterThanOrEqual(0);
      expect(ic[1][0][1]).toMatch(/\r\nrole:master\r\n/);
      expect(ic[1][1][1]).toMatch(/\r\nrole:slave\r\n/);
    }
    // HELLO 3 names the same fields; COMMAND LIST the same commands.
    const hello = async (s: Redis) => Object.keys(fields(await s.call('HELLO', '2')));
    expect(await hello(h)).toEqual(await hello(r));
    const cmds = async (s: Redis) => ((await s.call('COMMAND', 'LIST')) as string[]).filter((n) => !n.includes('|')).sort();
    expect(await cmds(h)).toEqual(await cmds(r));
    // INFO's Sentinel section: same fields; the master line the same but for the sentinel count's owner.
    const sect = async (s: Redis) => (await s.info('sentinel')).split('\r\n').filter((l) => l.includes(':'));
    expect(await sect(h)).toEqual(await sect(r));
    // Garbage bytes do not kill the sentinel.
    const raw = await RawSocket.connect(hs.port);
    (raw as unknown as { sock: { write(b: Buffer): void } }).sock.write(Buffer.from('*3\r\n$-5\r\n\x00\xff\r\n*1\r\n$999999999999\r\nxx\r\n'));
    raw.close();
    expect(await h.ping()).toBe('PONG');
  }, 60_000);

  it('without quorum: CKQUORUM says so as redis-sentinel does, and a dead primary is not failed over', async () => {
    const { primary, replica } = await primaryAndReplica();
    // redis-sentinel alone with quorum 2: its CKQUORUM answer is the expectation.
    const rs = await sentinel('redis', primary.port, 2);
    const rc = client(rs.port);
    await until('redis-sentinel to see the replica', async () => (await masterState(rc))['num-slaves'] === '1');
    const rw = await RawSocket.connect(rs.port);
    const want = await rw.send(['SENTINEL', 'CKQUORUM', 'mymaster']);
    rw.close();
    expect(want).toMatch(/^-NOQUORUM /);
    rs.child.kill('SIGKILL');
    await new Promise((r) => rs.child.once('exit', r));

    const hs = await sentinel('hoard', primary.port, 2);
    const hc = client(hs.port);
    await until('the Hoard sentinel to see the replica', async () => (await masterState(hc))['num-slaves'] === '1');
    const hw = await RawSocket.connect(hs.port);
    expect(await hw.send(['SENTINEL', 'CKQUORUM', 'mymaster'])).toBe(want);
    hw.close();

    const events = await eventsOf(hs.port);
    await primary.kill('SIGKILL');
    await until('the primary to be subjectively down', async () => events.some((e) => e.ch === '+sdown'));
    // Many times down-after-milliseconds: nothing more may happen.
    await new Promise((r) => setTimeout(r, 3000));
    const channels = events.map((e) => e.ch);
    expect(channels).not.toContain('+odown');
    expect(channels).not.toContain('+try-failover');
    expect(channels).not.toContain('+switch-master');
    expect(await addrOf(hc)).toBe(`127.0.0.1:${primary.port}`);
    expect((await role(replica.port))[0]).toBe('slave');
    expect(await hc.info('sentinel')).toContain(`master0:name=mymaster,status=sdown,address=127.0.0.1:${primary.port},slaves=1,sentinels=1`);
  }, 40_000);

  it('enters TILT when its timer stalls, acts on nothing while in it, and leaves it after tilt-period', async () => {
    const primary = await hoard();
    const hs = await sentinel('hoard', primary.port, 1);
    const hc = client(hs.port);
    await until('the sentinel to see the primary', async () => (await masterState(hc))['role-reported'] === 'master');
    expect(await hc.call('SENTINEL', 'DEBUG', 'tilt-period', '3000')).toBe('OK');
    expect(fields(await hc.call('SENTINEL', 'DEBUG'))['TILT-PERIOD']).toBe('3000');
    const events = await eventsOf(hs.port);
    expect(await hc.info('sentinel')).toContain('sentinel_tilt:0\r\nsentinel_tilt_since_seconds:-1\r\n');
    // A stopped process: its next timer tick comes 2.5 s late (tilt-trigger is 2 s).
    hs.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500));
    hs.child.kill('SIGCONT');
    const tilt = await until('+tilt', async () => events.find((e) => e.ch === '+tilt'));
    expect(tilt.msg).toBe('#tilt mode entered');
    expect(await hc.info('sentinel')).toMatch(/sentinel_tilt:1\r\nsentinel_tilt_since_seconds:[0-3]\r\n/);
    // In TILT the dead primary is not even marked down (down-after-milliseconds is 500)...
    await primary.kill('SIGKILL');
    const killedAt = Date.now();
    const untilt = await until('-tilt', async () => events.find((e) => e.ch === '-tilt'), 10_000);
    expect(untilt.msg).toBe('#tilt mode exited');
    expect(untilt.at - tilt.at).toBeGreaterThanOrEqual(2900);
    expect(untilt.at - killedAt).toBeGreaterThan(1000);
    // ...and once out of it, it is (in the same timer tick, if down long enough by then).
    const sdown = await until('+sdown', async () => events.find((e) => e.ch === '+sdown'), 5000);
    expect(events.indexOf(sdown)).toBeGreaterThan(events.indexOf(untilt));
    expect(sdown.msg).toBe(`master mymaster 127.0.0.1 ${primary.port}`);
    expect(await hc.info('sentinel')).toContain('sentinel_tilt:0\r\n');
  }, 40_000);

  it('SIMULATE-FAILURE crash-after-election: the elected sentinel exits (code 99) before promoting anyone', async () => {
    const { primary, replica } = await primaryAndReplica();
    const hs = await sentinel('hoard', primary.port, 1);
    const hc = client(hs.port);
    await until('the sentinel to see the replica', async () => (await masterState(hc))['num-slaves'] === '1');
    expect(await hc.call('SENTINEL', 'SIMULATE-FAILURE', 'crash-after-promotion', 'crash-after-election')).toBe('OK');
    expect(await hc.info('sentinel')).toContain('sentinel_simulate_failure_flags:3\r\n');
    // A new call replaces the flags.
    expect(await hc.call('SENTINEL', 'SIMULATE-FAILURE', 'crash-after-election')).toBe('OK');
    expect(await hc.info('sentinel')).toContain('sentinel_simulate_failure_flags:1\r\n');
    const exit = new Promise<number | null>((r) => hs.child.once('exit', (code) => r(code)));
    await primary.kill('SIGKILL');
    expect(await exit).toBe(99);
    expect(hs.output()).toContain('Sentinel CRASH because of SENTINEL simulate-failure');
    // Elected, then gone: nobody told the replica to take over.
    expect((await role(replica.port))[0]).toBe('slave');
  }, 30_000);

  it('marks a primary down when it keeps reporting itself as a replica', async () => {
    const other = await hoard();
    const primary = await hoard();
    const hs = await sentinel('hoard', primary.port, 1);
    const hc = client(hs.port);
    await until('the sentinel to see the primary', async () => (await masterState(hc))['role-reported'] === 'master');
    // INFO every second: the wait is down-after (500 ms) + 2 INFO periods.
    expect(await hc.call('SENTINEL', 'DEBUG', 'info-period', '1000')).toBe('OK');
    const events = await eventsOf(hs.port);
    const pc = client(primary.port);
    await pc.call('REPLICAOF', '127.0.0.1', String(other.port));
    const demotedAt = Date.now();
    await until('role-reported slave', async () => (await masterState(hc))['role-reported'] === 'slave');
    const sdown = await until('+sdown', async () => events.find((e) => e.ch === '+sdown'), 10_000);
    expect(sdown.at - demotedAt).toBeGreaterThanOrEqual(2000);
    expect(await pc.ping()).toBe('PONG');
    expect((await masterState(hc)).flags).toMatch(/^s_down,/);
    // Back to primary: no longer down.
    await pc.call('REPLICAOF', 'NO', 'ONE');
    await until('-sdown', async () => events.find((e) => e.ch === '-sdown'), 10_000);
  }, 40_000);
});
