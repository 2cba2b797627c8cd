// Listening sockets, shared by the plain TCP, Unix-socket (server.ts) and TLS (tls.ts) listeners.

import type net from 'node:net';

/** Redis's bind syntax: "*" is every IPv4 address, "::*" every IPv6 one. */
export function normalizeBindAddress(a: string): string {
  if (a === '*') return '0.0.0.0';
  if (a === '::*') return '::';
  return a;
}

/** server.listen(options), resolved once listening, rejected with the error that prevented it. */
export function listenOn(srv: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onErr = (err: NodeJS.ErrnoException) => {
      srv.off('listening', onOk);
      reject(err);
    };
    const onOk = () => {
      srv.off('error', onErr);
      resolve();
    };
    srv.once('error', onErr);
    srv.once('listening', onOk);
    srv.listen(options);
  });
}
