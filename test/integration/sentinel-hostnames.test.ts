// Sentinel's resolve-hostnames and announce-hostnames (Redis 7.0), with real processes and
// `localhost` as the hostname: Hoard's sentinel and redis-sentinel given the same commands
// answer the same bytes (MONITOR by hostname refused, then accepted; CONFIG GET/SET;
// GET-MASTER-ADDR-BY-NAME and the ip fields by IP or by hostname); and a failover of a primary
// watched as `localhost <port>`, whose replica announces itself as `localhost`, run by Hoard's
// sentinels and, to prove the assertions, by redis-sentinels: the switch is announced by
// hostname and ioredis in sentinel mode keeps writing. Timeouts as in sentinel.test.ts:
// down-after-milliseconds 500, failover-timeout 3000.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { RawSocket } from '../helpers/raw-conn.js';
import { freePort, type ServerProc } from '../helpers/proc.js';
import { SentinelBed, fields, masterState, until, type SentinelProc } from '../helpers/sentinel-bed.js';

const bed = new SentinelBed();
const { clients, client, dir, hoard, runSentinel } = bed;

type Kind = 'hoard' | 'redis';

/** A sentinel of `kind` on a free port whose config file has `lines` (after port and bind). */
async function sentinel(kind: Kind, lines: string[]): Promise<SentinelProc> {
  const port = await freePort();
  const conf = path.join(dir(`sentinel-host-${kind}-`), 'sentinel.conf');
  fs.writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', ...lines, ''].join('\n'));
  return runSentinel(kind, conf, port);
}

async function replicasOf(s: Redis, name = 'mymaster'): Promise<Array<Record<string, string>>> {
  return ((await s.call('SENTINEL', 'REPLICAS', name)) as unknown[]).map(fields);
}

/** A Hoard primary and a Hoard replica of it announcing itself as `localhost`, link up. */
async function primaryAndNamedReplica(): Promise<{ primary: ServerProc; replica: ServerProc }> {
  const primary = await hoard();
  const replica = await hoard(['--replicaof', '127.0.0.1', String(primary.port), '--replica-announce-ip', 'localhost']);
  await until('the replica link to come up', async () => /master_link_status:up/.test(await client(replica.port).info('replication')));
  return { primary, replica };
}

describe.skipIf(!redisServerAvailable())('resolve-hostnames and announce-hostnames: Hoard as redis-sentinel', () => {
  it('refuse then accept MONITOR by hostname, list and set both options, and hand out the IP or the hostname alike', async () => {
    const { primary, replica } = await primaryAndNamedReplica();
    const rs = await sentinel('redis', []);
    const hs = await sentinel('hoard', []);
    const rw = await RawSocket.connect(rs.port);
    const hw = await RawSocket.connect(hs.port);
    const same = async (cmds: string[][]) => {
      for (const cmd of cmds) {
        const want = await rw.send(cmd);
        const got = await hw.send(cmd);
        expect(got, cmd.join(' ')).toBe(want);
      }
    };
    const P = String(primary.port);
    // What each publishes on +monitor and +slave (names hosts as announced).
    const events = await Promise.all(
      [rs, hs].map(async (x) => {
        const got: string[] = [];
        const sub = client(x.port);
        await sub.subscribe('+monitor', '+slave');
        sub.on('message', (ch: string, msg: string) => got.push(`${ch} ${msg}`));
        return got;
      }),
    );
    try {
      // Defaults; with resolve-hostnames no only an IP address is accepted.
      await same([
        ['SENTINEL', 'CONFIG', 'GET', '*hostnames'],
        ['SENTINEL', 'MONITOR', 'mymaster', 'localhost', P, '2'],
        ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'maybe'],
        ['SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'maybe'],
        ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'yes'],
        ['SENTINEL', 'CONFIG', 'GET', 'resolve-hostnames'],
        // A name that does not resolve is still refused; a hostname that does is accepted.
        ['SENTINEL', 'MONITOR', 'other', 'nosuch.invalid', P, '2'],
        ['SENTINEL', 'MONITOR', 'mymaster', 'localhost', P, '2'],
        ['SENTINEL', 'MONITOR', 'mymaster', 'localhost', P, '2'],
        ['SENTINEL', 'SET', 'mymaster', 'down-after-milliseconds', '500'],
        // announce-hostnames no: the resolved address is handed out.
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'],
      ]);
      const r = client(rs.port);
      const h = client(hs.port);
      for (const s of [r, h]) {
        await until('the sentinel to learn the replica that announces localhost', async () => (await replicasOf(s)).length === 1);
        expect((await masterState(s)).ip).toBe('127.0.0.1');
        expect((await replicasOf(s))[0].ip).toBe('127.0.0.1');
      }
      // The replica is named as announced when it was learnt, and the events say the same.
      expect((await replicasOf(h))[0].name).toBe((await replicasOf(r))[0].name);
      await until('both +slave events', async () => events.every((e) => e.length === 2));
      expect(events[1]).toEqual(events[0]);
      expect(events[0]).toEqual([`+monitor master mymaster 127.0.0.1 ${P} quorum 2`, `+slave slave 127.0.0.1:${replica.port} 127.0.0.1 ${replica.port} @ mymaster 127.0.0.1 ${P}`]);
      // announce-hostnames yes: the hostname is.
      await same([
        ['SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'yes'],
        ['SENTINEL', 'CONFIG', 'GET', '*hostnames'],
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'],
      ]);
      for (const s of [r, h]) {
        expect((await masterState(s)).ip).toBe('localhost');
        const reps = await replicasOf(s);
        expect([reps[0].ip, reps[0].port]).toEqual(['localhost', String(replica.port)]);
        expect(/master0:.*address=([^,]*),/.exec(await s.info('sentinel'))?.[1]).toBe(`localhost:${P}`);
      }
      // Both are written to the config file, before the monitor line that needs them.
      for (const conf of [rs.conf, hs.conf]) {
        const text = fs.readFileSync(conf, 'latin1');
        expect(text, conf).toMatch(/^sentinel resolve-hostnames yes$/m);
        expect(text, conf).toMatch(/^sentinel announce-hostnames yes$/m);
        expect(text, conf).toMatch(new RegExp(`^sentinel monitor mymaster localhost ${P} 2$`, 'm'));
        expect(text.indexOf('sentinel resolve-hostnames yes')).toBeLessThan(text.indexOf('sentinel monitor mymaster'));
      }
      // Back to no: handed out by IP; a new MONITOR by hostname is refused again.
      await same([
        ['SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'no'],
        ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'no'],
        ['SENTINEL', 'CONFIG', 'GET', '*hostnames'],
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'],
        ['SENTINEL', 'MONITOR', 'other', 'localhost', P, '2'],
      ]);
      // The options stay in the file with their `no` (Redis rewrites a line it finds even at its
      // default), and addresses are written as announced: the monitor line has the IP now.
      for (const conf of [rs.conf, hs.conf]) {
        const text = fs.readFileSync(conf, 'latin1');
        expect(text, conf).toMatch(/^sentinel resolve-hostnames no$/m);
        expect(text, conf).toMatch(/^sentinel announce-hostnames no$/m);
        expect(text, conf).toMatch(new RegExp(`^sentinel monitor mymaster 127\\.0\\.0\\.1 ${P} 2$`, 'm'));
        expect(text, conf).toMatch(new RegExp(`^sentinel known-replica mymaster 127\\.0\\.0\\.1 ${replica.port}$`, 'm'));
      }
    } finally {
      rw.close();
      hw.close();
    }
  }, 30_000);
});

describe.skipIf(!redisServerAvailable())('a hostname that does not resolve: Hoard as redis-sentinel', () => {
  it('is accepted from the config file with resolve-hostnames yes and handed out as an empty address, or as the name with announce-hostnames yes', async () => {
    const lines = ['sentinel resolve-hostnames yes', 'sentinel monitor m nosuch.invalid 6379 2'];
    const rs = await sentinel('redis', lines);
    const hs = await sentinel('hoard', lines);
    const rw = await RawSocket.connect(rs.port);
    const hw = await RawSocket.connect(hs.port);
    try {
      for (const cmd of [
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm'],
        ['SENTINEL', 'CONFIG', 'SET', 'announce-hostnames', 'yes'],
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm'],
      ]) {
        expect(await hw.send(cmd), cmd.join(' ')).toBe(await rw.send(cmd));
      }
      const line = async (port: number) => /master0:[^\r]*/.exec(await client(port).info('sentinel'))?.[0];
      expect(await line(hs.port)).toBe(await line(rs.port));
      for (const conf of [rs.conf, hs.conf]) expect(fs.readFileSync(conf, 'latin1'), conf).toMatch(/^sentinel monitor m nosuch\.invalid 6379 2$/m);
    } finally {
      rw.close();
      hw.close();
    }
  }, 30_000);
});

describe('a primary watched by hostname', () => {
  // redis-sentinel runs the same scenario to prove the assertions (skipped without redis-server).
  it.each(['hoard', ...(redisServerAvailable() ? ['redis'] : [])] as Kind[])(
    'is failed over by %s sentinels with resolve-hostnames and announce-hostnames yes: the switch is by hostname and ioredis keeps writing',
    async (kind) => {
      const { primary, replica } = await primaryAndNamedReplica();
      // client-reconfig-script gets the addresses as announced too.
      const sd = dir('reconf-script-');
      const script = path.join(sd, 'reconf.sh');
      const argsLog = path.join(sd, 'args.log');
      fs.writeFileSync(script, `#!/bin/sh\necho "$@" >> ${argsLog}\n`, { mode: 0o755 });
      const lines = [
        'sentinel resolve-hostnames yes',
        'sentinel announce-hostnames yes',
        `sentinel monitor mymaster localhost ${primary.port} 2`,
        'sentinel down-after-milliseconds mymaster 500',
        'sentinel failover-timeout mymaster 3000',
        `sentinel client-reconfig-script mymaster ${script}`,
      ];
      const ss = [await sentinel(kind, lines), await sentinel(kind, lines)];
      const sc = ss.map((s) => client(s.port));
      for (const s of sc) {
        await until('each sentinel to know the replica (by hostname) and the other sentinel', async () => {
          const m = await masterState(s);
          const reps = await replicasOf(s);
          return m['num-slaves'] === '1' && m['num-other-sentinels'] === '1' && reps[0].ip === 'localhost' && reps[0].flags === 'slave';
        });
        expect(await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['localhost', String(primary.port)]);
      }
      const app = new Redis({ sentinels: ss.map((s) => ({ host: '127.0.0.1', port: s.port })), name: 'mymaster', sentinelRetryStrategy: () => 50, retryStrategy: () => 50 });
      app.on('error', () => {});
      clients.push(app);
      await app.set('before', '1');
      expect(await client(primary.port).get('before')).toBe('1');
      expect(await client(primary.port).wait(1, 2000)).toBe(1);

      const switched = ss.map(
        (s) =>
          new Promise<string>((resolve) => {
            const sub = client(s.port);
            void sub.subscribe('+switch-master');
            sub.on('message', (_ch: string, msg: string) => resolve(msg));
          }),
      );
      await new Promise((r) => setTimeout(r, 100)); // the subscriptions are in place
      await primary.kill('SIGKILL');
      // Both sentinels announce the switch by hostname: the leader's own, and the other's from its hello.
      for (const msg of await Promise.all(switched)) expect(msg).toBe(`mymaster localhost ${primary.port} localhost ${replica.port}`);
      for (const s of sc) {
        await until('the new address by hostname', async () => {
          const a = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
          return a[0] === 'localhost' && a[1] === String(replica.port);
        });
      }
      expect((await client(replica.port).call('ROLE')) as unknown[]).toContain('master');
      // ioredis asked the sentinels and writes to the promoted replica.
      await until('a write through ioredis to land on the new primary', async () => {
        await app.set('after', 'failover');
        return (await client(replica.port).get('after')) === 'failover';
      });
      expect(await app.get('before')).toBe('1');
      const ran = await until('the client-reconfig-script of both sentinels', async () => {
        const l = fs.existsSync(argsLog) ? fs.readFileSync(argsLog, 'latin1').trim().split('\n') : [];
        return l.length >= 2 ? l.sort() : undefined;
      });
      expect(ran).toEqual([`mymaster leader start localhost ${primary.port} localhost ${replica.port}`, `mymaster observer start localhost ${primary.port} localhost ${replica.port}`]);
      expect(fs.readFileSync(ss[0].conf, 'latin1')).toMatch(new RegExp(`^sentinel monitor mymaster localhost ${replica.port} 2$`, 'm'));
    },
    30_000,
  );
});
