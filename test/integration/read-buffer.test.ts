// Every plain TCP client of a Hoard server reads into one shared buffer (server.ts, READ_BUFFER):
// what a client's parser keeps past a read must have been copied out of it before another
// client's read overwrites it. These tests make other clients read heavily while a client has
// unparsed bytes buffered — partial frames, and whole commands queued behind a blocked one —
// and check every byte, on Hoard over TCP and on a real redis-server 7.0.

import net from 'node:net';
import { describe, it, expect, afterEach } from 'vitest';
import { encodeArgs, hoardTcp, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { RespDecoder } from '../helpers/resp-decoder.js';
import { mulberry32 } from '../helpers/prng.js';
import { bytesDiffer, Checks } from '../helpers/checks.js';

/** A raw connection whose replies are decoded (bulk strings as Buffers) and awaited in order. */
class Raw {
  private readonly decoder = new RespDecoder({ buffers: true });
  private readonly replies: unknown[] = [];
  private waiter: (() => void) | null = null;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (chunk) => {
      this.decoder.feed(chunk);
      for (let r = this.decoder.next(); r !== null; r = this.decoder.next()) this.replies.push(r.value);
      this.waiter?.();
    });
  }

  static open(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => resolve(new Raw(sock)));
      sock.setNoDelay(true);
      sock.once('error', reject);
    });
  }

  write(b: Buffer): Promise<void> {
    return new Promise((resolve) => this.sock.write(b, () => resolve()));
  }

  /** Waits for n replies in total since the connection opened, and returns them all. */
  async until(n: number, timeoutMs = 10_000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n) {
      if (Date.now() > deadline) throw new Error(`got ${this.replies.length} of ${n} replies`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.replies;
  }

  close(): void {
    this.sock.destroy();
  }
}

function randomBytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

const backends: Array<[string, () => Promise<Backend>]> = [['hoard-tcp', () => hoardTcp()]];
if (redisServerAvailable()) backends.push(['redis', () => realRedis()]);

describe.each(backends)('input bytes kept across other clients reads (%s)', (_name, open) => {
  let backend: Backend | null = null;
  const raws: Raw[] = [];
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await backend?.close();
    backend = null;
  });

  async function raw(): Promise<Raw> {
    const r = await Raw.open(backend!.port!);
    raws.push(r);
    return r;
  }

  it('commands pipelined behind a blocked BLPOP run with their own bytes after 40 other clients sent 2 MB', async () => {
    backend = await open();
    const rnd = mulberry32(5);
    const value = randomBytes(rnd, 3000);
    const a = await raw();
    // One write: the blocking pop, then two commands the server must keep while A is blocked.
    await a.write(Buffer.concat([encodeArgs(['BLPOP', 'q', '0']), encodeArgs(['SET', 'a', value]), encodeArgs(['GET', 'a'])]));
    for (let i = 0; i < 200; i++) {
      const list: string = await backend.conn.call('CLIENT', 'LIST');
      if (/ flags=\S*b/.test(list)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const others = await Promise.all(Array.from({ length: 40 }, () => raw()));
    const sent: Buffer[] = [];
    await Promise.all(
      others.map((o, i) => {
        const v = randomBytes(rnd, 50_000);
        sent.push(v);
        return o.write(encodeArgs(['SET', 'other:' + i, v]));
      }),
    );
    for (const o of others) expect(await o.until(1)).toEqual([Buffer.from('OK')]);
    expect(await backend.conn.call('LPUSH', 'q', 'x')).toBe(1);
    const replies = await a.until(3);
    expect(replies).toEqual([[Buffer.from('q'), Buffer.from('x')], Buffer.from('OK'), value]);
    for (let i = 0; i < others.length; i++) expect(bytesDiffer(await backend.conn.callBuffer('GET', 'other:' + i), sent[i]), `other:${i}`).toBeNull();
  });

  it('20 clients sending their pipelines in 1-60 byte pieces, interleaved, store every value intact', async () => {
    backend = await open();
    const rnd = mulberry32(9);
    const clients = await Promise.all(Array.from({ length: 20 }, () => raw()));
    const values: Buffer[][] = [];
    const streams: Buffer[] = [];
    for (let c = 0; c < clients.length; c++) {
      const vs: Buffer[] = [];
      const cmds: Buffer[] = [];
      for (let k = 0; k < 100; k++) {
        const v = randomBytes(rnd, 1 + Math.floor(rnd() * 300));
        vs.push(v);
        cmds.push(encodeArgs(['SET', `c${c}:k${k}`, v]));
      }
      values.push(vs);
      streams.push(Buffer.concat(cmds));
    }
    // Round-robin: a small piece of each client's stream in turn, each its own write.
    const offsets = streams.map(() => 0);
    for (let active = clients.length; active > 0; ) {
      active = 0;
      const writes: Array<Promise<void>> = [];
      for (let c = 0; c < clients.length; c++) {
        if (offsets[c] >= streams[c].length) continue;
        active++;
        const n = 1 + Math.floor(rnd() * 60);
        writes.push(clients[c].write(streams[c].subarray(offsets[c], offsets[c] + n)));
        offsets[c] += n;
      }
      await Promise.all(writes);
    }
    for (const cl of clients) expect((await cl.until(100)).every((r) => Buffer.from('OK').equals(r as Buffer))).toBe(true);
    const ck = new Checks();
    for (let c = 0; c < clients.length; c++) {
      const got: unknown[] = await backend.conn.callBuffer('MGET', ...values[c].map((_, k) => `c${c}:k${k}`));
      expect(got.length).toBe(values[c].length);
      for (let k = 0; k < got.length; k++) ck.is(bytesDiffer(got[k], values[c][k]), null, `c${c}:k${k}`);
    }
    ck.done();
  });
});
