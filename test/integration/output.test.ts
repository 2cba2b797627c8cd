// Replies are encoded into a per-client buffer that is handed to the socket and, when the
// kernel took every byte at once, reused for the next replies (protocol/reply.ts take/reclaim).
// A client that stops reading makes the socket queue replies instead: the buffers it holds
// must then never be written over. Real TCP socket, real server; every reply checked byte for
// byte, big and small ones interleaved, after the client resumes reading.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArgs, hoardTcp, type Backend } from '../helpers/backends.js';
import { RespDecoder } from '../helpers/resp-decoder.js';

let b: Backend;

beforeAll(async () => {
  b = await hoardTcp();
});
afterAll(async () => {
  await b.close();
});

function pattern(seed: number, len: number): string {
  let s = '';
  // Printable ASCII: the values are set through ioredis, which sends strings as UTF-8.
  for (let i = 0; i < len; i++) s += String.fromCharCode(32 + ((seed * 31 + i * 7) % 95));
  return s;
}

describe('reply output buffers', () => {
  it('a client that stops reading gets every pipelined reply intact when it resumes', async () => {
    const big = pattern(1, 150_000);
    await b.conn.call('SET', 'big', big);
    const small: string[] = [];
    for (let i = 0; i < 50; i++) {
      small.push(pattern(i + 2, 10 + i * 7));
      await b.conn.call('SET', `s${i}`, small[i]);
    }
    const s = net.connect(b.port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.pause();
    // First ~4.5 MB of big replies, far more than the socket buffers take: the socket queues
    // what follows. Then 40 rounds of small replies, each its own write on its own turn: their
    // buffers are small enough to be reused, if the server wrongly thought them written.
    const expected: string[] = [];
    const bigs: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      bigs.push(encodeArgs(['GET', 'big']));
      expected.push(big);
    }
    s.write(Buffer.concat(bigs));
    await new Promise((r) => setTimeout(r, 5));
    for (let round = 0; round < 40; round++) {
      const cmds: Buffer[] = [];
      for (let i = 0; i < 50; i += 7) {
        cmds.push(encodeArgs(['GET', `s${(i + round) % 50}`]));
        expected.push(small[(i + round) % 50]);
      }
      cmds.push(encodeArgs(['ECHO', `round ${round}`]));
      expected.push(`round ${round}`);
      s.write(Buffer.concat(cmds));
      await new Promise((r) => setTimeout(r, 2));
    }
    const got: string[] = [];
    const dec = new RespDecoder({ buffers: true });
    await new Promise<void>((resolve, reject) => {
      // A corrupted stream never yields the expected count: fail after 3 s without progress.
      let idle = setTimeout(() => reject(new Error(`stalled after ${got.length} of ${expected.length} replies`)), 3000);
      s.on('data', (d: Buffer) => {
        clearTimeout(idle);
        idle = setTimeout(() => reject(new Error(`stalled after ${got.length} of ${expected.length} replies`)), 3000);
        dec.feed(d);
        for (let r = dec.next(); r !== null; r = dec.next()) {
          got.push((r.value as Buffer).toString('latin1'));
          if (got.length === expected.length) {
            clearTimeout(idle);
            resolve();
          }
        }
      });
      s.on('error', reject);
      s.resume();
    });
    s.destroy();
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) {
      if (got[i] !== expected[i]) expect([i, got[i].length, got[i].slice(0, 40)]).toEqual([i, expected[i].length, expected[i].slice(0, 40)]);
    }
  });
});
