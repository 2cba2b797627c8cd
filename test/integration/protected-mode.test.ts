// Protected mode on the real server binary (build first: `npm run build`), and the
// same assertions on a real redis-server 7.0 when one is installed: with protected-mode yes and
// no password for the default user, a connection from a non-loopback address gets Redis's
// DENIED text and is closed; loopback connections, a password, or protected-mode no let it in.
//
// The non-loopback peer is one of this machine's own non-internal IPv4 addresses, connected from
// that address to the server bound on 0.0.0.0. A machine with only loopback skips those tests;
// the decision function is also checked directly, in-process.

import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir } from '../helpers/proc.js';
import { freePort, inProcess, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { PROTECTED_MODE_DENIED, protectedModeRefuses } from '../../src/server/acl.js';

/** A non-loopback IPv4 address of this machine, or null. */
function externalAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

const EXTERNAL = externalAddress();

/** Connects to host:port from `from`, sends `payload`, collects the reply until `until` or close. */
function exchange(host: string, port: number, payload: string, until: RegExp): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const s = net.connect({ host, port, localAddress: host === '127.0.0.1' ? undefined : host }, () => s.write(payload));
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data, closed });
    };
    s.on('data', (d) => {
      data += d.toString('latin1');
      if (until.test(data)) finish(false);
    });
    s.on('error', () => {});
    s.on('close', () => finish(true));
    const timer = setTimeout(() => finish(false), 3000);
  });
}

interface Running {
  port: number;
  stop(): Promise<void>;
}

type Start = (args: string[]) => Promise<Running>;

/** Waits until the server answers anything but LOADING on loopback (PING may need AUTH). */
async function waitServing(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const r = await exchange('127.0.0.1', port, 'PING\r\n', /\r\n/);
    if (r.data.length > 0 && !r.data.startsWith('-LOADING')) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error('server did not start');
}

const hoard: Start = async (args) => {
  // startServer's own readiness check would need AUTH with --requirepass
  const proc = await startServer(tempDir(), ['--bind', '0.0.0.0', ...args], { waitReady: false });
  await waitServing(proc.port);
  return { port: proc.port, stop: async () => void (await proc.kill()) };
};

const redis: Start = async (args) => {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '0.0.0.0', '--save', '', '--appendonly', 'no', '--dir', tempDir(), ...args], { stdio: 'ignore' });
  await waitServing(port);
  return {
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
};

const starts: Array<[string, Start]> = [['hoard', hoard]];
if (redisServerAvailable()) starts.push(['redis-server', redis]);

describe.skipIf(EXTERNAL === null)(`protected mode, from ${EXTERNAL ?? '(no non-loopback address)'}`, () => {
  const ext = EXTERNAL as string;
  for (const [name, start] of starts) {
    describe(`[${name}]`, () => {
      it('no password: a non-loopback client gets DENIED and is closed; loopback is served', async () => {
        const srv = await start([]);
        try {
          const denied = await exchange(ext, srv.port, 'PING\r\n', /^$/);
          expect(denied.data).toBe(PROTECTED_MODE_DENIED);
          expect(denied.closed).toBe(true);
          expect((await exchange('127.0.0.1', srv.port, 'PING\r\n', /\r\n/)).data).toBe('+PONG\r\n');
          const info = await exchange('127.0.0.1', srv.port, 'INFO stats\r\n', /rejected_connections:\d+/);
          expect(info.data).toMatch(/rejected_connections:1\r\n/);
        } finally {
          await srv.stop();
        }
      });

      it('with requirepass the client is accepted (and must AUTH)', async () => {
        const srv = await start(['--requirepass', 'secret']);
        try {
          expect((await exchange(ext, srv.port, 'PING\r\n', /\r\n/)).data).toBe('-NOAUTH Authentication required.\r\n');
          expect((await exchange(ext, srv.port, 'AUTH secret\r\nPING\r\n', /PONG\r\n/)).data).toBe('+OK\r\n+PONG\r\n');
        } finally {
          await srv.stop();
        }
      });

      it('protected-mode no lets it in', async () => {
        const srv = await start(['--protected-mode', 'no']);
        try {
          expect((await exchange(ext, srv.port, 'PING\r\n', /\r\n/)).data).toBe('+PONG\r\n');
        } finally {
          await srv.stop();
        }
      });

      it('a password set at run time (CONFIG SET requirepass or ACL SETUSER default) lifts it', async () => {
        const srv = await start([]);
        try {
          expect((await exchange(ext, srv.port, 'PING\r\n', /^$/)).data).toBe(PROTECTED_MODE_DENIED);
          expect((await exchange('127.0.0.1', srv.port, 'CONFIG SET requirepass secret\r\n', /\r\n/)).data).toBe('+OK\r\n');
          expect((await exchange(ext, srv.port, 'AUTH secret\r\nPING\r\n', /PONG\r\n/)).data).toBe('+OK\r\n+PONG\r\n');
          expect((await exchange('127.0.0.1', srv.port, 'AUTH secret\r\nCONFIG SET requirepass ""\r\n', /OK\r\n\+OK\r\n/)).data).toBe('+OK\r\n+OK\r\n');
          expect((await exchange(ext, srv.port, 'PING\r\n', /^$/)).data).toBe(PROTECTED_MODE_DENIED);
          expect((await exchange('127.0.0.1', srv.port, 'ACL SETUSER default >pw\r\n', /\r\n/)).data).toBe('+OK\r\n');
          expect((await exchange(ext, srv.port, 'AUTH pw\r\nPING\r\n', /PONG\r\n/)).data).toBe('+OK\r\n+PONG\r\n');
        } finally {
          await srv.stop();
        }
      });
    });
  }
});

describe('protected mode: the decision (in-process)', () => {
  let b: Backend;
  beforeAll(async () => {
    b = await inProcess();
  });
  afterAll(async () => {
    await b?.close();
  });

  it('refuses non-loopback peers only while protected-mode is on and the default user has no password', async () => {
    const server = b.server!;
    await b.conn.call('PING'); // the first client creates the ACL store
    expect(protectedModeRefuses(server, '10.1.2.3')).toBe(true);
    expect(protectedModeRefuses(server, '::ffff:10.1.2.3')).toBe(true);
    expect(protectedModeRefuses(server, 'fd00::2')).toBe(true);
    expect(protectedModeRefuses(server, undefined)).toBe(true);
    expect(protectedModeRefuses(server, '127.0.0.1')).toBe(false);
    expect(protectedModeRefuses(server, '::ffff:127.0.0.1')).toBe(false);
    expect(protectedModeRefuses(server, '::1')).toBe(false);
    await b.conn.call('CONFIG', 'SET', 'requirepass', 'x');
    expect(protectedModeRefuses(server, '10.1.2.3')).toBe(false);
    await b.conn.call('CONFIG', 'SET', 'requirepass', '');
    await b.conn.call('CONFIG', 'SET', 'protected-mode', 'no');
    expect(protectedModeRefuses(server, '10.1.2.3')).toBe(false);
    await b.conn.call('CONFIG', 'SET', 'protected-mode', 'yes');
    // a disabled default user still has "nopass": Redis looks at that flag only
    await b.conn.call('ACL', 'SETUSER', 'default', 'off');
    expect(protectedModeRefuses(server, '10.1.2.3')).toBe(true);
  });
});
