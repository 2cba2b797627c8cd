// Client-side caching as an application would use it: ioredis connections over TCP, tracking in
// RESP2 with REDIRECT to an ioredis subscriber on __redis__:invalidate, against Hoard (TCP) and
// a real redis-server 7.0 with the same assertions. A local cache fed by the invalidations must
// never serve a stale value through random writes, expiry, eviction and flushes; the start-up
// tracking-table-max-keys bounds the server's table; many clients coming and going leave the
// counters right.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { hoardTcp, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';

function factories(): Array<[string, (o: Record<string, string>) => Promise<Backend>]> {
  const list: Array<[string, (o: Record<string, string>) => Promise<Backend>]> = [['hoard-tcp', (o) => hoardTcp(o)]];
  if (redisServerAvailable()) list.push(['redis', (o) => realRedis(o)]);
  return list;
}

function connect(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
}

/** A read-through cache over one tracking connection, invalidated through a subscriber. */
class Cache {
  readonly values = new Map<string, string | null>();
  invalidations = 0;
  flushes = 0;
  private constructor(
    readonly main: Redis,
    readonly sub: Redis,
  ) {}

  static async open(port: number): Promise<Cache> {
    const sub = connect(port);
    const main = connect(port);
    const subId = (await sub.client('ID')) as number;
    await sub.subscribe('__redis__:invalidate');
    const cache = new Cache(main, sub);
    // ioredis's 'message' stringifies the keys array; 'messageBuffer' passes it as it came.
    sub.on('messageBuffer', (channel: Buffer, keys: Buffer[] | null) => {
      expect(channel.toString()).toBe('__redis__:invalidate');
      if (keys === null) {
        cache.flushes++;
        cache.values.clear();
        return;
      }
      for (const k of keys) {
        cache.invalidations++;
        cache.values.delete(k.toString());
      }
    });
    expect(await main.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(subId))).toBe('OK');
    return cache;
  }

  async get(key: string): Promise<string | null> {
    if (this.values.has(key)) return this.values.get(key)!;
    const v = await this.main.get(key);
    this.values.set(key, v);
    return v;
  }

  /** Whatever was invalidated before now has reached the subscriber (same socket, in order). */
  async settle(): Promise<void> {
    await this.sub.ping();
  }

  close(): void {
    this.main.disconnect();
    this.sub.disconnect();
  }
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function infoField(r: Redis, section: string, field: string): Promise<number> {
  const text = await r.info(section);
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  if (m === null) throw new Error(`INFO ${section} has no ${field}`);
  return Number(m[1]);
}

for (const [name, make] of factories()) {
  describe(`client-side caching with ioredis [${name}]`, () => {
    let backend: Backend;
    let admin: Redis;
    beforeAll(async () => {
      backend = await make({ 'tracking-table-max-keys': '50', 'maxmemory-policy': 'allkeys-lru' });
      admin = connect(backend.port!);
    });
    afterAll(async () => {
      admin.disconnect();
      await backend.close();
    });

    it('a read-through cache stays coherent through random writes, expiry and flushes', async () => {
      await admin.flushall();
      const cache = await Cache.open(backend.port!);
      const writer = connect(backend.port!);
      const rnd = mulberry32(7);
      const keys = Array.from({ length: 20 }, (_, i) => `key:${i}`);
      let reads = 0;
      try {
        for (let op = 0; op < 400; op++) {
          const k = keys[Math.floor(rnd() * keys.length)];
          const r = rnd();
          if (r < 0.45) {
            const v = await cache.get(k);
            expect(v).toBe(await admin.get(k));
            reads++;
          } else if (r < 0.65) {
            await writer.set(k, String(op));
          } else if (r < 0.72) {
            await writer.incr(`${k}:n`);
            await writer.rename(`${k}:n`, k);
          } else if (r < 0.8) {
            await writer.mset(k, 'm' + op, keys[(op * 7) % keys.length], 'n' + op);
          } else if (r < 0.88) {
            await writer.del(k, keys[(op * 3) % keys.length]);
          } else if (r < 0.96) {
            await writer.set(k, 'short', 'PX', 5);
            await new Promise((res) => setTimeout(res, 10));
            // Read by someone else: expired, deleted, invalidated.
            await admin.exists(k);
          } else {
            await writer.flushdb();
          }
          await cache.settle();
        }
        expect(reads).toBeGreaterThan(100);
        expect(cache.invalidations).toBeGreaterThan(50);
        expect(cache.flushes).toBeGreaterThan(0);
        for (const k of keys) expect(await cache.get(k)).toBe(await admin.get(k));
      } finally {
        writer.disconnect();
        cache.close();
      }
    });

    it('eviction under maxmemory invalidates what the cache holds', async () => {
      await admin.flushall();
      const cache = await Cache.open(backend.port!);
      const big = 'v'.repeat(50_000);
      try {
        for (let i = 0; i < 20; i++) await admin.set(`big:${i}`, big);
        for (let i = 0; i < 20; i++) expect(await cache.get(`big:${i}`)).toBe(big);
        await admin.config('SET', 'maxmemory', '1');
        await admin.ping();
        expect(await admin.dbsize()).toBe(0);
      } finally {
        await admin.config('SET', 'maxmemory', '0');
      }
      await cache.settle();
      expect(cache.invalidations).toBe(20);
      expect(cache.values.size).toBe(0);
      cache.close();
    });

    it('tracking-table-max-keys from the command line bounds the table', async () => {
      await admin.flushall();
      expect(await admin.config('GET', 'tracking-table-max-keys')).toEqual(['tracking-table-max-keys', '50']);
      const cache = await Cache.open(backend.port!);
      for (let i = 0; i < 200; i++) await cache.get(`t:${i}`);
      await cache.main.ping();
      await cache.settle();
      expect(await infoField(admin, 'stats', 'tracking_total_keys')).toBe(50);
      // Each key over the limit was invalidated once: the cache holds what the server tracks.
      expect(cache.invalidations).toBe(150);
      expect(cache.values.size).toBe(50);
      await admin.mset(...Array.from({ length: 200 }, (_, i) => [`t:${i}`, 'x']).flat());
      await cache.settle();
      expect(cache.invalidations).toBe(200);
      expect(cache.values.size).toBe(0);
      expect(await infoField(admin, 'stats', 'tracking_total_keys')).toBe(0);
      cache.close();
    });

    it('many tracking clients: those gone get nothing, the counters follow', async () => {
      await admin.flushall();
      await until(async () => (await infoField(admin, 'clients', 'tracking_clients')) === 0, 'earlier tests\' clients gone');
      const sub = connect(backend.port!);
      const subId = (await sub.client('ID')) as number;
      await sub.subscribe('__redis__:invalidate');
      let messages = 0;
      sub.on('message', () => messages++);
      const clients: Redis[] = [];
      for (let i = 0; i < 30; i++) {
        const c = connect(backend.port!);
        await c.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(subId));
        await c.mget('a', 'b', 'c', 'd', 'e');
        clients.push(c);
      }
      expect(await infoField(admin, 'clients', 'tracking_clients')).toBe(30);
      expect(await infoField(admin, 'stats', 'tracking_total_items')).toBe(150);
      for (const c of clients.splice(0, 15)) c.disconnect();
      await until(async () => (await infoField(admin, 'clients', 'tracking_clients')) === 15, 'tracking_clients 15');
      await admin.mset('a', '1', 'b', '1', 'c', '1', 'd', '1', 'e', '1');
      await sub.ping();
      expect(messages).toBe(15 * 5);
      expect(await infoField(admin, 'stats', 'tracking_total_items')).toBe(0);
      for (const c of clients) c.disconnect();
      sub.disconnect();
    });
  });
}
