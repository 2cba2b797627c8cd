// RespDecoder (test helper): every case runs as one chunk, byte by byte and at seeded random split
// points. The RESP3 fixture is the exact byte stream redis-server 7.0.15 sent for the commands
// listed beside it (HELLO 3, DEBUG PROTOCOL <type>, ...).
import { describe, expect, it } from 'vitest';
import { ReplyError, RespDecoder, type Decoded, type DecoderOptions } from '../../helpers/resp-decoder.js';
import { mulberry32 } from '../../helpers/prng.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function splittings(input: Buffer): Array<[string, Buffer[]]> {
  const out: Array<[string, Buffer[]]> = [['one chunk', [input]]];
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  out.push(['byte by byte', bytes]);
  for (const seed of [1, 2, 3, 42, 1337]) {
    const rnd = mulberry32(seed);
    const maxLen = [2, 5, 17, 100, 4096][seed % 5];
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; ) {
      const n = 1 + Math.floor(rnd() * maxLen);
      chunks.push(input.subarray(i, i + n));
      i += n;
    }
    out.push([`random seed ${seed}`, chunks]);
  }
  return out;
}

function decodeAll(chunks: Buffer[], options?: DecoderOptions): Decoded[] {
  const d = new RespDecoder(options);
  const out: Decoded[] = [];
  for (const c of chunks) {
    d.feed(Buffer.from(c));
    for (let r = d.next(); r !== null; r = d.next()) out.push(r);
  }
  return out;
}

/** ReplyError → { error: message }, recursively, so toEqual compares messages exactly. */
function plain(v: unknown): unknown {
  if (v instanceof ReplyError) return { error: v.message };
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [plain(k), plain(x)]));
  if (v !== null && typeof v === 'object' && 'push' in v) return { push: plain((v as { push: unknown }).push) };
  return v;
}

function cases(table: Record<string, { input: Buffer; values: unknown[]; options?: DecoderOptions; attributes?: Array<Map<unknown, unknown> | undefined> }>): void {
  for (const [name, c] of Object.entries(table)) {
    describe(name, () => {
      for (const [how, chunks] of splittings(c.input)) {
        it(how, () => {
          const out = decodeAll(chunks, c.options);
          expect(out.map((r) => plain(r.value))).toEqual(c.values.map(plain));
          if (c.attributes) expect(out.map((r) => r.attributes)).toEqual(c.attributes);
        });
      }
    });
  }
}

const REDIS_RESP3 =
  // HELLO 3
  '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:3\r\n' +
  '$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n' +
  // DEBUG PROTOCOL string, integer, double, bignum, null, array, set, map
  '$11\r\nHello World\r\n:12345\r\n,3.141\r\n(1234567999999999999999999999999999999\r\n_\r\n' +
  '*3\r\n:0\r\n:1\r\n:2\r\n~3\r\n:0\r\n:1\r\n:2\r\n%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n' +
  // DEBUG PROTOCOL attrib, push, verbatim, true, false
  '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n' +
  '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n' +
  '=29\r\ntxt:This is a verbatim\nstring\r\n#t\r\n#f\r\n' +
  // HSET h f v; HGETALL h; ZADD z 1.5 a inf b; ZSCORE z a; ZSCORE z b; ZRANGE z 0 -1 WITHSCORES; GET nokey
  ':1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n:2\r\n,1.5\r\n,inf\r\n*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,inf\r\n_\r\n' +
  // MULTI; INCR h; SET s x; EXEC; SUBSCRIBE ch; PING
  '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n+OK\r\n' +
  '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n+PONG\r\n';

const REDIS_RESP3_VALUES: unknown[] = [
  new Map<unknown, unknown>([
    ['server', 'redis'],
    ['version', '7.0.15'],
    ['proto', 3],
    ['id', 3],
    ['mode', 'standalone'],
    ['role', 'master'],
    ['modules', []],
  ]),
  'Hello World',
  12345,
  3.141,
  1234567999999999999999999999999999999n,
  null,
  [0, 1, 2],
  [0, 1, 2],
  new Map<unknown, unknown>([
    [0, false],
    [1, true],
    [2, false],
  ]),
  'Some real reply following the attribute',
  { push: ['server-cpu-usage', 42] },
  'Some real reply following the push reply',
  'This is a verbatim\nstring',
  true,
  false,
  1,
  new Map([['f', 'v']]),
  2,
  1.5,
  Infinity,
  [
    ['a', 1.5],
    ['b', Infinity],
  ],
  null,
  'OK',
  'QUEUED',
  'QUEUED',
  [new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'), 'OK'],
  { push: ['subscribe', 'ch', 1] },
  'PONG',
];

describe('RESP3 replies captured from redis-server 7.0.15', () => {
  const attributes: Array<Map<unknown, unknown> | undefined> = REDIS_RESP3_VALUES.map(() => undefined);
  attributes[9] = new Map<unknown, unknown>([['key-popularity', ['key:123', 90]]]);
  cases({ 'the whole stream': { input: b(REDIS_RESP3), values: REDIS_RESP3_VALUES, attributes } });
});

describe('RESP2 types', () => {
  cases({
    'simple string, error, integer': {
      input: b('+OK\r\n-ERR unknown command\r\n:-42\r\n:0\r\n'),
      values: ['OK', new ReplyError('ERR unknown command'), -42, 0],
    },
    'bulk strings: empty, with CRLF inside, null': {
      input: b('$0\r\n\r\n$4\r\na\r\nb\r\n$-1\r\n'),
      values: ['', 'a\r\nb', null],
    },
    'arrays: empty, null, nested, with errors and nulls inside': {
      input: b('*0\r\n*-1\r\n*3\r\n*2\r\n:1\r\n$1\r\nx\r\n*0\r\n*3\r\n-ERR a\r\n$-1\r\n*-1\r\n'),
      values: [[], null, [[1, 'x'], [], [new ReplyError('ERR a'), null, null]]],
    },
    'bulk strings are UTF-8 decoded by default': {
      input: Buffer.concat([b('$4\r\n'), Buffer.from('clé', 'utf8'), b('\r\n')]),
      values: ['clé'],
    },
    'many replies in a row': {
      input: b(':1\r\n'.repeat(50) + '$3\r\nfoo\r\n'.repeat(50)),
      values: [...Array(50).fill(1), ...Array(50).fill('foo')],
    },
  });
});

describe('RESP3 types', () => {
  cases({
    'doubles: inf, -inf, nan, exponents, negative zero': {
      input: b(',inf\r\n,-inf\r\n,nan\r\n,-1.5e-3\r\n,10\r\n,-0\r\n'),
      values: [Infinity, -Infinity, NaN, -0.0015, 10, -0],
    },
    'null, booleans, big numbers': {
      input: b('_\r\n#t\r\n#f\r\n(-3492890328409238509324850943850943825024385\r\n(0\r\n'),
      values: [null, true, false, -3492890328409238509324850943850943825024385n, 0n],
    },
    'blob error': {
      input: b('!21\r\nSYNTAX invalid syntax\r\n'),
      values: [new ReplyError('SYNTAX invalid syntax')],
    },
    'verbatim strings drop their format prefix': {
      input: b('=15\r\ntxt:Some string\r\n=8\r\nmkd:# hi\r\n'),
      values: ['Some string', '# hi'],
    },
    'empty map, set and push; nested map': {
      input: b('%0\r\n~0\r\n>0\r\n%2\r\n+a\r\n%1\r\n+b\r\n:1\r\n+c\r\n~2\r\n:1\r\n:2\r\n'),
      values: [new Map(), [], { push: [] }, new Map<unknown, unknown>([['a', new Map([['b', 1]])], ['c', [1, 2]]])],
    },
    'attributes inside an aggregate are skipped': {
      input: b('*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n'),
      values: [[1, 2]],
    },
  });

  it('returns a top-level reply\'s attributes beside its value', () => {
    const out = decodeAll([b('|1\r\n+ttl\r\n:3600\r\n+OK\r\n+next\r\n|0\r\n+x\r\n')]);
    expect(out).toEqual([{ value: 'OK', attributes: new Map([['ttl', 3600]]) }, { value: 'next' }, { value: 'x', attributes: new Map() }]);
  });
});

describe('options', () => {
  cases({
    'buffers: true keeps bytes exactly': {
      input: Buffer.concat([b('$3\r\n'), Buffer.from([0xff, 0, 0xc3]), b('\r\n+OK\r\n=7\r\ntxt:abc\r\n*1\r\n$0\r\n\r\n:5\r\n')]),
      options: { buffers: true },
      values: [Buffer.from([0xff, 0, 0xc3]), b('OK'), b('abc'), [Buffer.alloc(0)], 5],
    },
    'stringNumbers: true keeps integers exact': {
      input: b(':9223372036854775807\r\n:-1\r\n'),
      options: { stringNumbers: true },
      values: ['9223372036854775807', '-1'],
    },
  });
});

describe('errors and edge cases', () => {
  it('errors are ReplyError values, not thrown', () => {
    const [top, nested] = decodeAll([b('-ERR boom\r\n*1\r\n!3\r\nbad\r\n')]).map((r) => r.value);
    expect(top).toBeInstanceOf(ReplyError);
    expect(top).toBeInstanceOf(Error);
    expect((top as ReplyError).message).toBe('ERR boom');
    expect((top as ReplyError).name).toBe('ReplyError');
    expect((nested as unknown[])[0]).toBeInstanceOf(ReplyError);
    expect(((nested as unknown[])[0] as ReplyError).message).toBe('bad');
  });

  it('returns null until a reply is complete, then nothing more', () => {
    const d = new RespDecoder();
    expect(d.next()).toBeNull();
    d.feed(b('*2\r\n$3\r\nfoo\r\n$3\r\nba'));
    expect(d.next()).toBeNull();
    d.feed(b('r\r'));
    expect(d.next()).toBeNull();
    d.feed(b('\n'));
    expect(d.next()).toEqual({ value: ['foo', 'bar'] });
    expect(d.next()).toBeNull();
  });

  it('decodes a 4 MB bulk reply fed in 1000-byte chunks', () => {
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = 97 + (i % 26);
    const stream = Buffer.concat([b(`*2\r\n$${payload.length}\r\n`), payload, b('\r\n:7\r\n+OK\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 1000) chunks.push(stream.subarray(i, i + 1000));
    const out = decodeAll(chunks);
    expect(out.length).toBe(2);
    const [big, seven] = out[0].value as [string, number];
    expect(big.length).toBe(payload.length);
    expect(big === payload.toString('latin1')).toBe(true);
    expect(seven).toBe(7);
    expect(out[1].value).toBe('OK');
  });

  it('fails loudly on an unknown type byte', () => {
    const d = new RespDecoder();
    d.feed(b('?what\r\n'));
    expect(() => d.next()).toThrow(/unexpected reply type byte 0x3f/);
  });
});
