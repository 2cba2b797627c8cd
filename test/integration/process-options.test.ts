// Process-level options on the real server binary, side by side with redis-server 7.0 when it is
// installed: `unixsocket` + `unixsocketperm` (clients over the socket, CLIENT INFO addr and flag
// U), `pidfile` (written at start, removed at exit), and the SHUTDOWN flags a SIGTERM stands for
// (`shutdown-on-sigterm`), whose effect on the final snapshot a restart shows.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable } from '../helpers/backends.js';
import { ensureBuilt, runServerExpectingExit, spawnServer, startServer, tempDir, type ServerKind } from '../helpers/proc.js';

ensureBuilt();
const kinds: ServerKind[] = redisServerAvailable() ? ['hoard', 'redis'] : ['hoard'];
const scratch = tempDir('hoard-procopt-');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('process options', () => {
  for (const kind of kinds) {
    it(`[${kind}] unixsocket with unixsocketperm, pidfile, and a clean SIGTERM exit that removes both`, async () => {
      const sock = path.join(scratch, `${kind}.sock`);
      const pidfile = path.join(scratch, `${kind}.pid`);
      const srv = await spawnServer(kind, ['--unixsocket', sock, '--unixsocketperm', '700', '--pidfile', pidfile]);
      try {
        // The port accepts connections (the kernel's backlog) a moment before either server has
        // written its pid file (both write it before serving the first command).
        for (let i = 0; i < 200 && !fs.existsSync(pidfile); i++) await new Promise((r) => setTimeout(r, 10));
        expect(fs.readFileSync(pidfile, 'utf8').trim()).toBe(String(srv.child.pid));
        if (kind === 'hoard') {
          // A second server on the same data dir fails to start: it leaves the pid file alone.
          const second = await runServerExpectingExit(srv.dir, ['--pidfile', pidfile]);
          expect(second.code).toBe(1);
          expect(fs.readFileSync(pidfile, 'utf8').trim()).toBe(String(srv.child.pid));
        }
        const st = fs.statSync(sock);
        expect(st.isSocket()).toBe(true);
        expect(st.mode & 0o777).toBe(0o700);
        const r = new Redis({ path: sock, maxRetriesPerRequest: 0 });
        try {
          expect(await r.set('k', 'over the socket')).toBe('OK');
          expect(await r.get('k')).toBe('over the socket');
          const info = (await r.call('CLIENT', 'INFO')) as string;
          expect(info).toContain(` addr=${sock}:0 laddr=${sock}:0 `);
          expect(info).toMatch(/ flags=U /);
          expect(await r.call('CLIENT', 'NO-EVICT', 'on')).toBe('OK');
          expect((await r.call('CLIENT', 'INFO')) as string).toMatch(/ flags=Ue /);
        } finally {
          r.disconnect();
        }
        srv.child.kill('SIGTERM');
        expect(await srv.exited).toBe(0);
        expect(fs.existsSync(pidfile)).toBe(false);
        expect(fs.existsSync(sock)).toBe(false);
      } finally {
        await srv.stop();
      }
    });
  }

  for (const kind of kinds) {
    it(`[${kind}] CLIENT REPLY OFF silences SAVE and FLUSHALL too, whose replies wait for the snapshot`, async () => {
      const srv = await spawnServer(kind, ['--save', '3600 1']);
      try {
        const sock = net.connect(srv.port, '127.0.0.1');
        let got = '';
        sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
        await new Promise<void>((r) => sock.once('connect', () => r()));
        sock.write('SET k v\r\nCLIENT REPLY OFF\r\nSAVE\r\nFLUSHALL\r\nSET k2 v\r\nCLIENT REPLY ON\r\nDBSIZE\r\n');
        for (let i = 0; i < 200 && !got.endsWith(':1\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
        expect(got).toBe('+OK\r\n+OK\r\n:1\r\n');
        sock.destroy();
      } finally {
        await srv.stop();
      }
    });
  }

  it('an option Hoard parses but does not act on is never ignored silently: set, it logs why', async () => {
    const srv = await spawnServer('hoard', ['--lazyfree-lazy-eviction', 'yes', '--io-threads', '4', '--hz', '20', '--activerehashing', 'yes'], {
      capture: 'all',
    });
    try {
      const r = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      expect(await r.call('CONFIG', 'SET', 'replica-lazy-flush', 'yes')).toBe('OK');
      expect(await r.call('CONFIG', 'SET', 'replica-read-only', 'no')).toBe('OK');
      expect(await r.call('CONFIG', 'SET', 'maxmemory-clients', '0')).toBe('OK');
      r.disconnect();
      const warned = (name: string) => srv.output().includes(`"msg":"${name} is accepted for compatibility but has no effect in Hoard: `);
      await new Promise((res) => setTimeout(res, 100));
      expect(warned('lazyfree-lazy-eviction')).toBe(true);
      expect(warned('io-threads')).toBe(true);
      expect(warned('replica-lazy-flush')).toBe(true);
      // An option Hoard acts on (a replica's READONLY) is not one to warn about.
      expect(warned('replica-read-only')).toBe(false);
      // Set to their defaults (activerehashing yes, maxmemory-clients 0): nothing to warn about;
      // hz is an option Hoard acts on.
      expect(warned('activerehashing')).toBe(false);
      expect(warned('maxmemory-clients')).toBe(false);
      expect(warned('hz')).toBe(false);
    } finally {
      await srv.stop();
    }
  });

  it('shutdown-on-sigterm nosave skips the final snapshot the save rules would take; default takes it', async () => {
    for (const [flags, kept] of [
      ['default', 1],
      ['nosave', 0],
    ] as const) {
      const dir = tempDir('hoard-sigterm-');
      const args = ['--save', '3600 1', '--appendonly', 'no', '--shutdown-on-sigterm', flags];
      const a = await startServer(dir, args);
      const r = a.client();
      await r.set('k', 'v');
      r.disconnect();
      expect(await a.kill('SIGTERM')).toBe(0);
      const b = await startServer(dir, args);
      const r2 = b.client();
      try {
        expect([flags, await r2.dbsize()]).toEqual([flags, kept]);
      } finally {
        r2.disconnect();
        await b.kill('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
