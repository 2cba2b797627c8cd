// TLS (tls-port, tls-cert-file, tls-key-file, tls-ca-cert-file, tls-auth-clients) on the real
// server binary (build first: `npm run build`), and the same assertions on a real
// redis-server 7.0 started with the same flags when one is installed. Certificates (a CA, a
// server certificate for localhost/127.0.0.1, a client certificate, and a client certificate from
// another CA) are made with the openssl CLI in a temp dir; without openssl the file is skipped
// (node:crypto cannot issue X.509 certificates).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { runServerExpectingExit, startServer, tempDir, type ServerProc } from '../helpers/proc.js';
import { freePort, redisServerAvailable } from '../helpers/backends.js';

const HAVE_OPENSSL = spawnSync('openssl', ['version']).status === 0;

interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
}

function openssl(dir: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

function makePki(): Pki {
  const dir = tempDir('hoard-tls-');
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Hoard Test CA');
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue-ca.key', '-out', 'rogue-ca.crt', '-days', '2', '-subj', '/CN=Rogue CA');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const issue = (name: string, ca: string, ext: string) => {
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext);
  };
  issue('server', 'ca', 'server.ext');
  issue('client', 'ca', 'client.ext');
  issue('rogue', 'rogue-ca', 'client.ext');
  const f = (n: string) => path.join(dir, n);
  return {
    dir,
    ca: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    rogueCert: f('rogue.crt'),
    rogueKey: f('rogue.key'),
  };
}

interface Running {
  /** Plain-text port, 0 when TLS only. */
  port: number;
  tlsPort: number;
  stop(): Promise<void>;
}

type Impl = (args: string[], opts?: { tlsOnly?: boolean }) => Promise<Running>;

/** Resolves once a TLS handshake with `opts` succeeds and PING answers (polling). */
async function waitTls(port: number, opts: tls.ConnectionOptions, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const r = await tlsExchange(port, opts, 'PING\r\n', 1000);
    if (r.data.includes('+PONG')) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error('TLS port never answered');
}

const hoard: Impl = async (args, opts = {}) => {
  const tlsPort = await freePort();
  const extra = ['--tls-port', String(tlsPort), ...args, ...(opts.tlsOnly ? ['--port', '0'] : [])];
  const proc: ServerProc = await startServer(tempDir(), extra, { waitReady: !opts.tlsOnly });
  if (opts.tlsOnly) await waitTls(tlsPort, clientTls(), proc.child);
  return { port: opts.tlsOnly ? 0 : proc.port, tlsPort, stop: async () => void (await proc.kill()) };
};

const redis: Impl = async (args, opts = {}) => {
  // freePort() only finds a port free at that moment: a test file running in parallel may take
  // it before redis-server binds it (redis-server then exits 1). Try other ports a few times.
  for (let attempt = 1; ; attempt++) {
    const port = opts.tlsOnly ? 0 : await freePort();
    const tlsPort = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--tls-port', String(tlsPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tempDir(), ...args], {
      stdio: 'ignore',
    });
    try {
      await waitTls(tlsPort, clientTls(), child);
    } catch (err) {
      if (child.exitCode === null || attempt === 3) throw err;
      continue;
    }
    return startedRedis(port, tlsPort, child);
  }
};

function startedRedis(port: number, tlsPort: number, child: ChildProcess): Running {
  return {
    port,
    tlsPort,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

let pki: Pki;
const clientTls = (o: Partial<tls.ConnectionOptions> = {}): tls.ConnectionOptions => ({
  ca: fs.readFileSync(pki.ca),
  cert: fs.readFileSync(pki.clientCert),
  key: fs.readFileSync(pki.clientKey),
  servername: 'localhost',
  ...o,
});

/** Connects with TLS, sends `payload` once connected, collects what arrives until close/timeout. */
function tlsExchange(port: number, opts: tls.ConnectionOptions, payload: string, timeoutMs = 3000): Promise<{ data: string; error: string | null; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    let error: string | null = null;
    let settled = false;
    const s = tls.connect({ port, host: '127.0.0.1', ...opts }, () => s.write(payload));
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data, error, closed });
    };
    s.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) finish(false);
    });
    s.on('error', (e) => (error = (e as NodeJS.ErrnoException).code ?? e.message));
    s.on('close', () => finish(true));
    const timer = setTimeout(() => finish(false), timeoutMs);
  });
}

function tlsRedis(port: number, o: Partial<tls.ConnectionOptions> = {}): Redis {
  return new Redis({ port, host: '127.0.0.1', tls: clientTls(o), maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
}

const baseArgs = () => ['--tls-cert-file', pki.serverCert, '--tls-key-file', pki.serverKey, '--tls-ca-cert-file', pki.ca];

const impls: Array<[string, Impl]> = [['hoard', hoard]];
if (redisServerAvailable()) impls.push(['redis-server', redis]);

describe.skipIf(!HAVE_OPENSSL)('TLS', () => {
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => {
    if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
  });

  for (const [name, start] of impls) {
    describe(`[${name}]`, () => {
      it('tls-auth-clients yes (the default): a client with a certificate signed by the CA works', async () => {
        const srv = await start(baseArgs());
        const r = tlsRedis(srv.tlsPort);
        try {
          await r.connect();
          expect(await r.set('k', 'v')).toBe('OK');
          expect(await r.get('k')).toBe('v');
          expect(await r.call('PING')).toBe('PONG');
          // the plain-text port still serves
          const p = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
          expect(await p.get('k')).toBe('v');
          p.disconnect();
        } finally {
          r.disconnect();
          await srv.stop();
        }
      });

      it('a plain-text client on the TLS port gets no reply and is disconnected', async () => {
        const srv = await start(baseArgs());
        try {
          const res = await new Promise<{ data: string; closed: boolean }>((resolve) => {
            let data = '';
            const s = net.connect(srv.tlsPort, '127.0.0.1', () => s.write('PING\r\n*1\r\n$4\r\nPING\r\n'));
            const timer = setTimeout(() => {
              s.destroy();
              resolve({ data, closed: false });
            }, 3000);
            s.on('data', (d) => (data += d.toString('latin1')));
            s.on('error', () => {});
            s.on('close', () => {
              clearTimeout(timer);
              resolve({ data, closed: true });
            });
          });
          expect(res.closed).toBe(true);
          expect(res.data).not.toContain('PONG');
          expect(res.data).not.toMatch(/^[+\-:$*]/);
        } finally {
          await srv.stop();
        }
      });

      it('tls-auth-clients yes: a client without a certificate, or with one from another CA, is refused', async () => {
        const srv = await start(baseArgs());
        try {
          for (const o of [{ cert: undefined, key: undefined }, { cert: fs.readFileSync(pki.rogueCert), key: fs.readFileSync(pki.rogueKey) }]) {
            const res = await tlsExchange(srv.tlsPort, clientTls(o), 'PING\r\n');
            expect(res.data).not.toContain('PONG');
            expect(res.closed).toBe(true);
          }
          const ok = await tlsExchange(srv.tlsPort, clientTls(), 'PING\r\n');
          expect(ok.data).toBe('+PONG\r\n');
        } finally {
          await srv.stop();
        }
      });

      it('tls-auth-clients no: a client without a certificate works', async () => {
        const srv = await start([...baseArgs(), '--tls-auth-clients', 'no']);
        try {
          const res = await tlsExchange(srv.tlsPort, clientTls({ cert: undefined, key: undefined }), 'PING\r\n');
          expect(res.data).toBe('+PONG\r\n');
        } finally {
          await srv.stop();
        }
      });

      it('tls-auth-clients optional: no certificate works, a certificate from another CA does not', async () => {
        const srv = await start([...baseArgs(), '--tls-auth-clients', 'optional']);
        try {
          expect((await tlsExchange(srv.tlsPort, clientTls({ cert: undefined, key: undefined }), 'PING\r\n')).data).toBe('+PONG\r\n');
          expect((await tlsExchange(srv.tlsPort, clientTls(), 'PING\r\n')).data).toBe('+PONG\r\n');
          const rogue = await tlsExchange(srv.tlsPort, clientTls({ cert: fs.readFileSync(pki.rogueCert), key: fs.readFileSync(pki.rogueKey) }), 'PING\r\n');
          expect(rogue.data).not.toContain('PONG');
          expect(rogue.closed).toBe(true);
        } finally {
          await srv.stop();
        }
      });

      it('port 0 with a tls-port serves TLS only', async () => {
        const srv = await start(baseArgs(), { tlsOnly: true });
        const r = tlsRedis(srv.tlsPort);
        try {
          await r.connect();
          expect(await r.call('CONFIG', 'GET', 'port')).toEqual(['port', '0']);
          expect(await r.call('CONFIG', 'GET', 'tls-port')).toEqual(['tls-port', String(srv.tlsPort)]);
          expect(await r.set('k', 'v')).toBe('OK');
        } finally {
          r.disconnect();
          await srv.stop();
        }
      });

      it('CONFIG SET of the tls-* files reloads them, and refuses files that do not load', async () => {
        const srv = await start(baseArgs());
        const r = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
          await expect(r.call('CONFIG', 'SET', 'tls-cert-file', path.join(pki.dir, 'missing.crt'))).rejects.toThrow(
            "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
          );
          expect(await r.call('CONFIG', 'GET', 'tls-cert-file')).toEqual(['tls-cert-file', pki.serverCert]);
          expect(await r.call('CONFIG', 'SET', 'tls-auth-clients', 'no')).toBe('OK');
          expect((await tlsExchange(srv.tlsPort, clientTls({ cert: undefined, key: undefined }), 'PING\r\n')).data).toBe('+PONG\r\n');
          expect(await r.call('CONFIG', 'SET', 'tls-auth-clients', 'yes')).toBe('OK');
          expect((await tlsExchange(srv.tlsPort, clientTls({ cert: undefined, key: undefined }), 'PING\r\n')).data).not.toContain('PONG');
        } finally {
          r.disconnect();
          await srv.stop();
        }
      });
    });
  }

  describe('[hoard] start-up', () => {
    it('refuses to start with a tls-port and no certificate, or an unreadable one', async () => {
      const tlsPort = String(await freePort());
      const none = await runServerExpectingExit(tempDir(), ['--tls-port', tlsPort]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('No tls-cert-file configured!');
      const missing = await runServerExpectingExit(tempDir(), ['--tls-port', tlsPort, '--tls-cert-file', '/nonexistent.crt', '--tls-key-file', pki.serverKey, '--tls-ca-cert-file', pki.ca]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Failed to load certificate: /nonexistent.crt');
      const noCa = await runServerExpectingExit(tempDir(), ['--tls-port', tlsPort, '--tls-cert-file', pki.serverCert, '--tls-key-file', pki.serverKey]);
      expect(noCa.code).toBe(1);
      expect(noCa.stderr).toContain('Either tls-ca-cert-file or tls-ca-cert-dir must be specified');
    });
  });
});
