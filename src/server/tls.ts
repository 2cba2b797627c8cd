// TLS listeners (Redis tls.c, over node:tls): `tls-port` on every `bind` address, certificates
// from tls-cert-file / tls-key-file / tls-ca-cert-file|dir, client certificates per
// tls-auth-clients, and the tls-* options re-applied on CONFIG SET (Redis applyTlsCfg).
//
// Invariants: a TLS connection reaches the server's accept() only once its handshake succeeded
// (and, with tls-auth-clients yes, with a client certificate signed by the CA; optional: none,
// or a valid one), so it then takes the very same Connection/Client path as plain TCP; a failed
// handshake (a plain-text client, a missing or bad certificate) never becomes a client.

import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import type { Config } from '../config.js';
import type { Server } from './server.js';
import { listenOn, normalizeBindAddress } from './listen.js';

/** A TLS setup error (bad or missing certificate files): the server refuses to start. */
function tlsError(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code: 'TLS_CONFIG_INVALID' });
}

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw tlsError(`Failed to load ${what}: ${file}: ${(err as Error).message}`, err);
  }
}

const PROTOCOLS = ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'] as const;
const NODE_PROTOCOL: Record<(typeof PROTOCOLS)[number], tls.SecureVersion> = {
  tlsv1: 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
};

/** The secure-context and handshake options the tls-* settings describe (Redis tlsConfigure). */
export function tlsOptions(config: Config): tls.TlsOptions {
  const certFile = config.str('tls-cert-file');
  const keyFile = config.str('tls-key-file');
  if (certFile === '') throw tlsError('Failed to configure TLS: No tls-cert-file configured!');
  if (keyFile === '') throw tlsError('Failed to configure TLS: No tls-key-file configured!');
  const auth = config.str('tls-auth-clients');
  const caFile = config.str('tls-ca-cert-file');
  const caDir = config.str('tls-ca-cert-dir');
  if (auth !== 'no' && caFile === '' && caDir === '') {
    throw tlsError('Failed to configure TLS: Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const opts: tls.TlsOptions = {
    cert: readPem(certFile, 'certificate'),
    key: readPem(keyFile, 'private key'),
    requestCert: auth !== 'no',
    // "optional" accepts a client without a certificate; one with a bad certificate is still
    // refused, after the handshake (see listenTls).
    rejectUnauthorized: auth === 'yes',
    honorCipherOrder: config.bool('tls-prefer-server-ciphers'),
  };
  const pass = config.str('tls-key-file-pass');
  if (pass !== '') opts.passphrase = pass;
  const ca: Buffer[] = [];
  if (caFile !== '') ca.push(readPem(caFile, 'CA certificate(s)'));
  if (caDir !== '') {
    let names: string[];
    try {
      names = fs.readdirSync(caDir);
    } catch (err) {
      throw tlsError(`Failed to configure CA certificate(s) file/directory: ${caDir}: ${(err as Error).message}`, err);
    }
    for (const n of names.sort()) {
      const p = path.join(caDir, n);
      try {
        if (!fs.statSync(p).isFile()) continue;
        const pem = fs.readFileSync(p);
        if (pem.includes('-----BEGIN CERTIFICATE-----')) ca.push(pem);
      } catch {
        // unreadable entries are skipped, as OpenSSL's hashed directory lookup would
      }
    }
  }
  if (ca.length > 0) opts.ca = ca;
  const dh = config.str('tls-dh-params-file');
  if (dh !== '') opts.dhparam = readPem(dh, 'DH params');
  const protocols = config.str('tls-protocols');
  if (protocols !== '') {
    const list = protocols.toLowerCase().split(' ').filter(Boolean);
    for (const p of list) {
      if (!(PROTOCOLS as readonly string[]).includes(p)) {
        throw tlsError("Failed to configure TLS: Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
      }
    }
    // node:tls takes a range: the lowest and the highest version named.
    const idx = list.map((p) => PROTOCOLS.indexOf(p as (typeof PROTOCOLS)[number]));
    opts.minVersion = NODE_PROTOCOL[PROTOCOLS[Math.min(...idx)]];
    opts.maxVersion = NODE_PROTOCOL[PROTOCOLS[Math.max(...idx)]];
  }
  const ciphers = config.str('tls-ciphers');
  const suites = config.str('tls-ciphersuites');
  if (ciphers !== '' || suites !== '') {
    // One node option covers both lists; keep node's TLS 1.3 suites unless tls-ciphersuites names some.
    const tls13 = suites !== '' ? suites : tls.DEFAULT_CIPHERS.split(':').filter((s) => s.startsWith('TLS_')).join(':');
    opts.ciphers = [tls13, ciphers].filter(Boolean).join(':');
  }
  opts.sessionTimeout = config.num('tls-session-cache-timeout');
  return opts;
}

const RELOAD_ON = [
  'tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-auth-clients',
  'tls-protocols', 'tls-ciphers', 'tls-ciphersuites', 'tls-prefer-server-ciphers', 'tls-dh-params-file',
  'tls-session-cache-timeout',
];

/**
 * Listens with TLS on `port` on every bind address (same rules as the plain listener: "-"
 * marks an optional address). Each established connection goes to `onSocket`. Resolves with
 * the listeners, for the server to close with the others.
 */
export async function listenTls(server: Server, binds: readonly string[], port: number, onSocket: (sock: net.Socket) => void): Promise<tls.Server[]> {
  const config = server.config;
  const logger = server.logger;
  const opts = tlsOptions(config);
  const servers: tls.Server[] = [];
  const onSecure = (sock: tls.TLSSocket): void => {
    // tls-auth-clients optional: no certificate is fine, an unverifiable one is not.
    if (config.str('tls-auth-clients') === 'optional' && !sock.authorized && Object.keys(sock.getPeerCertificate()).length > 0) {
      logger.debug({ addr: sock.remoteAddress, err: sock.authorizationError }, 'Error accepting a client connection: bad client certificate');
      sock.destroy();
      return;
    }
    onSocket(sock);
  };
  for (const b of binds) {
    const optional = b.startsWith('-');
    const host = normalizeBindAddress(optional ? b.slice(1) : b);
    const srv = tls.createServer({ ...opts, noDelay: true } as tls.TlsOptions, onSecure);
    try {
      await listenOn(srv, { port, host, backlog: config.num('tcp-backlog') });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT' || err.code === 'ENOTFOUND')) continue;
      for (const s of servers) s.close();
      const why = err.code === 'EADDRINUSE' ? 'bind: Address already in use' : err.message;
      throw Object.assign(new Error(`Could not create server TLS listening socket ${host}:${port}: ${why}`), { code: 'LISTEN_FAILED', cause: err });
    }
    srv.on('error', (err) => logger.error({ err }, 'TLS listener error'));
    srv.on('tlsClientError', (err, sock) => logger.debug({ err, addr: sock.remoteAddress }, 'Error accepting a client connection'));
    servers.push(srv);
  }
  if (servers.length === 0) throw Object.assign(new Error(`Failed listening on TLS port ${port} (no bind address available)`), { code: 'LISTEN_FAILED' });
  for (const name of RELOAD_ON) {
    config.onChange(name, () => {
      let next: tls.TlsOptions;
      try {
        next = tlsOptions(config);
        for (const s of servers) {
          s.setSecureContext(next);
          // setSecureContext leaves the client-certificate policy, read per connection from these.
          Object.assign(s, { requestCert: next.requestCert, rejectUnauthorized: next.rejectUnauthorized });
        }
      } catch (err) {
        logger.warn({ err }, 'Unable to update TLS configuration');
        return 'Unable to update TLS configuration. Check server logs.';
      }
      return undefined;
    });
  }
  logger.info({ port, bind: binds }, 'Ready to accept connections tls');
  return servers;
}
