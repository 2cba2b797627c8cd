// Protocol over a real TCP socket, against Hoard and (when installed) a real redis-server with
// the same assertions: pipelining, frames split at every byte, inline commands, and malformed
// input — which must get Redis's error text and close only that connection.

import net from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { hoardTcp, realRedis, redisServerAvailable, type Backend } from '../helpers/backends.js';
import { xorshift32 } from '../helpers/prng.js';

interface Exchange {
  data: string;
  closed: boolean;
}

/** Writes `chunks` (each as its own write, in order) and collects replies until `idleMs` of silence or close. */
function exchange(port: number, chunks: Buffer[], idleMs = 150): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let data = '';
    let timer: NodeJS.Timeout | null = null;
    const finish = (closed: boolean) => {
      if (timer) clearTimeout(timer);
      s.destroy();
      resolve({ data, closed });
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    s.on('data', (d) => {
      data += d.toString('latin1');
      arm();
    });
    s.on('close', () => finish(true));
    s.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? finish(true) : reject(e)));
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        if (chunks.length > 1) await new Promise((r) => setImmediate(r));
      }
      arm();
    });
  });
}

const b = (s: string) => Buffer.from(s, 'latin1');

function bytewise(s: string): Buffer[] {
  return [...b(s)].map((x) => Buffer.from([x]));
}

const targets: Array<[string, () => Promise<Backend>]> = [['hoard', () => hoardTcp()]];
if (redisServerAvailable()) targets.push(['redis', () => realRedis()]);

for (const [name, make] of targets) {
  describe(`RESP over TCP [${name}]`, () => {
    let backend: Backend;
    let port: number;
    beforeAll(async () => {
      backend = await make();
      port = await portOf(backend);
    });
    afterAll(async () => backend.close());

    it('answers pipelined commands in order, in one write', async () => {
      const r = await exchange(port, [b('*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n')]);
      expect(r.data).toBe('+OK\r\n$1\r\n1\r\n+PONG\r\n');
      expect(r.closed).toBe(false);
    });

    it('parses frames split at every byte', async () => {
      const r = await exchange(port, bytewise('*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$4\r\na\r\nb\r\n*2\r\n$3\r\nGET\r\n$2\r\nk2\r\n'));
      expect(r.data).toBe('+OK\r\n$4\r\na\r\nb\r\n');
    });

    it('accepts inline commands with quotes, as typed in telnet', async () => {
      const r = await exchange(port, [b('PING\r\nSET greet "hello world"\r\nGET greet\nECHO \'it\\\'s\'\r\n\r\n')]);
      expect(r.data).toBe("+PONG\r\n+OK\r\n$11\r\nhello world\r\n$4\r\nit's\r\n");
    });

    it('ignores empty multibulk frames', async () => {
      const r = await exchange(port, [b('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n')]);
      expect(r.data).toBe('+PONG\r\n');
    });

    it('answers unknown commands and wrong arity with Redis text and keeps the connection', async () => {
      const r = await exchange(port, [b('*2\r\n$7\r\nFOOBAR1\r\n$1\r\nx\r\n*1\r\n$3\r\nGET\r\n*1\r\n$4\r\nPING\r\n')]);
      expect(r.data).toBe(
        "-ERR unknown command 'FOOBAR1', with args beginning with: 'x' \r\n" +
          "-ERR wrong number of arguments for 'get' command\r\n+PONG\r\n",
      );
      expect(r.closed).toBe(false);
    });

    const malformed: Array<[string, string, string]> = [
      ['non-numeric multibulk length', '*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['multibulk length over 2^31-1', '*2147483648\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['bulk without $', '*1\r\n+PING\r\n', "-ERR Protocol error: expected '$', got '+'\r\n"],
      ['negative bulk length', '*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['bulk length over proto-max-bulk-len', '*1\r\n$9999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['unbalanced quotes inline', 'SET a "b\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ];
    for (const [what, input, reply] of malformed) {
      it(`replies and closes on ${what}`, async () => {
        const r = await exchange(port, [b(input)], 500);
        expect(r.data).toBe(reply);
        expect(r.closed).toBe(true);
      });
    }

    it('serves other clients while one sends garbage', async () => {
      await backend.conn.call('SET', 'survivor', 'yes');
      const bad = exchange(port, [b('*1\r\n$abc\r\n')], 300);
      expect(await backend.conn.call('GET', 'survivor')).toBe('yes');
      expect((await bad).closed).toBe(true);
      expect(await backend.conn.call('PING')).toBe('PONG');
    });
  });
}

async function portOf(backend: Backend): Promise<number> {
  const info: string = await backend.conn.call('INFO', 'server');
  const m = /tcp_port:(\d+)/.exec(info);
  if (!m) throw new Error('no tcp_port in INFO');
  return Number(m[1]);
}

describe('fuzz: random and mutated RESP against a live server', () => {
  let backend: Backend;
  let port: number;
  beforeAll(async () => {
    backend = await hoardTcp();
    port = await portOf(backend);
  });
  afterAll(async () => backend.close());

  it('stays up and keeps serving a well-behaved client', async () => {
    // Seeded PRNG so a failure can be replayed.
    const rnd = xorshift32(0x9e3779b9);
    const valid = [
      '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n',
      '*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n',
      '*1\r\n$4\r\nPING\r\n',
      '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n',
      'PING\r\n',
      '*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n',
      '*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n',
      '*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$7\r\nfoo-bar\r\n$1\r\n1\r\n',
    ];
    const mutate = (s: string): Buffer => {
      const buf = Buffer.from(s, 'latin1');
      const n = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) {
        const op = rnd();
        const at = Math.floor(rnd() * buf.length);
        if (op < 0.5) buf[at] = Math.floor(rnd() * 256);
        else if (op < 0.75) buf[at] = '0123456789*$\r\n-'.charCodeAt(Math.floor(rnd() * 16));
      }
      return op3(buf);
    };
    const op3 = (buf: Buffer) => (rnd() < 0.2 ? buf.subarray(0, Math.floor(rnd() * buf.length)) : buf);
    const deadline = Date.now() + 3000;
    let rounds = 0;
    while (Date.now() < deadline) {
      const chunks: Buffer[] = [];
      const n = 1 + Math.floor(rnd() * 8);
      for (let i = 0; i < n; i++) {
        const r = rnd();
        if (r < 0.3) chunks.push(Buffer.from(valid[Math.floor(rnd() * valid.length)], 'latin1'));
        else if (r < 0.8) chunks.push(mutate(valid[Math.floor(rnd() * valid.length)]));
        else {
          const junk = Buffer.alloc(1 + Math.floor(rnd() * 64));
          for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(rnd() * 256);
          chunks.push(junk);
        }
      }
      await Promise.all([exchange(port, chunks, 20), exchange(port, [Buffer.concat(chunks)], 20)]);
      rounds++;
      if (rounds % 10 === 0) expect(await backend.conn.call('PING')).toBe('PONG');
    }
    expect(rounds).toBeGreaterThan(10);
    await backend.conn.call('SET', 'after-fuzz', 'ok');
    expect(await backend.conn.call('GET', 'after-fuzz')).toBe('ok');
  });
});
