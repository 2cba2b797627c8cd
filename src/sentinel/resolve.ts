// Hostname resolution for Sentinel's resolve-hostnames (Redis 7.0 sentinel.c createSentinelAddr,
// anetResolve). Redis resolves synchronously (getaddrinfo) wherever it meets a name; Node must
// not block its event loop on DNS, so names are looked up asynchronously with dns.lookup (the
// same getaddrinfo, on libuv's thread pool, first address as Redis's AF_UNSPEC lookup takes
// it) and kept in a process-wide cache that the synchronous code reads. An entry older than
// REFRESH_MS is looked up again in the background the next time it is read (a restarted
// container may come back with another IP: Redis re-resolves at each reconnect); a failed
// lookup keeps the last known address, as Redis keeps the old one when tryResolve fails.
// An IP literal is its own address and never touches DNS.

import dns from 'node:dns';
import net from 'node:net';

const REFRESH_MS = 1000;

interface Entry {
  ip: string;
  at: number;
}

const cache = new Map<string, Entry>();

export function isIpLiteral(name: string): boolean {
  return net.isIP(name) !== 0;
}
const inflight = new Map<string, Array<(ip: string | null) => void>>();

function lookup(name: string, cb: (ip: string | null) => void): void {
  const waiting = inflight.get(name);
  if (waiting !== undefined) {
    waiting.push(cb);
    return;
  }
  inflight.set(name, [cb]);
  dns.lookup(name, (err, address) => {
    const cbs = inflight.get(name) ?? [];
    inflight.delete(name);
    let ip: string | null = null;
    if (err === null && typeof address === 'string' && address !== '') {
      ip = address;
      cache.set(name, { ip, at: Date.now() });
    }
    for (const f of cbs) f(ip);
  });
}

/** The address of `name` known now: itself for an IP literal, the cached one, or '' (not resolved yet). */
export function cachedIp(name: string): string {
  if (isIpLiteral(name)) return name;
  const e = cache.get(name);
  if (e === undefined || Date.now() - e.at > REFRESH_MS) lookup(name, () => {});
  return e?.ip ?? '';
}

/** True when `name` has an address in the cache (or is an IP literal). */
export function isResolved(name: string): boolean {
  return isIpLiteral(name) || cache.has(name);
}

/** Looks `name` up now (an IP literal answers at once); null when it does not resolve. */
export function resolveHost(name: string): Promise<string | null> {
  if (isIpLiteral(name)) return Promise.resolve(name);
  return new Promise((res) => lookup(name, res));
}

