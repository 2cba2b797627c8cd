// RespParser: every case runs as one chunk, byte by byte and at seeded random split points, and
// must give the same commands and the same ProtocolError each time. Expected error strings and
// quirks were checked against redis-server 7.0.15 (see the comments on each group).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS, ProtocolError, RespParser, type ParserLimits } from '../../../src/protocol/parser.js';
import { mulberry32 } from '../../helpers/prng.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const cat = (...parts: Array<string | Buffer>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? b(p) : p)));
const bulk = (arg: string | Buffer): Buffer => {
  const data = typeof arg === 'string' ? b(arg) : arg;
  return cat(`$${data.length}\r\n`, data, '\r\n');
};
const mb = (...args: Array<string | Buffer>): Buffer => cat(`*${args.length}\r\n`, ...args.map(bulk));

const SEEDS = [1, 2, 3, 42, 1337, 20240607];

/** The ways every input is fed: whole, byte by byte, random chunk sizes (several seeds). */
function splittings(input: Buffer): Array<[string, Buffer[]]> {
  const out: Array<[string, Buffer[]]> = [['one chunk', [input]]];
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  out.push(['byte by byte', bytes]);
  for (const seed of SEEDS) {
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

interface Outcome {
  commands: string[][];
  error?: string;
  buffered: number;
  pendingBulkLen: number;
}

/** A valid command repeated: bytes a parser reading past its chunk's end would turn into commands. */
const JUNK = b('*2\r\n$4\r\nJUNK\r\n$1\r\nx\r\n');

/**
 * Feeds chunks, draining next() after each, the way the server does for plain TCP clients: each
 * chunk is read into the start of one shared buffer whose other bytes are junk, passed as
 * (buffer, length), and that buffer is overwritten by the next read. Every other chunk goes
 * in 7 bytes into the buffer instead, fed as a range (feedRange, how the AOF replay feeds a
 * record's payload inside the reader's buffer): junk on both sides must stay unread.
 */
function run(chunks: Buffer[], limits?: Partial<ParserLimits>, setup?: (p: RespParser) => void): Outcome {
  const p = new RespParser(limits);
  setup?.(p);
  const commands: string[][] = [];
  const shared = Buffer.alloc(Math.max(0, ...chunks.map((c) => c.length)) + 64);
  try {
    for (const [k, c] of chunks.entries()) {
      for (let i = 0; i < shared.length; i += JUNK.length) JUNK.copy(shared, i);
      const at = k % 2 === 0 ? 0 : 7;
      c.copy(shared, at);
      if (at === 0) p.feed(shared, c.length);
      else p.feedRange(shared, at, at + c.length);
      for (let argv = p.next(); argv !== null; argv = p.next()) commands.push(argv);
      p.detach();
    }
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    // Dead after an error: it keeps throwing the same error.
    expect(() => p.next()).toThrow(err.message);
    return { commands, error: err.message, buffered: p.bufferedBytes, pendingBulkLen: p.pendingBulkLen };
  }
  return { commands, buffered: p.bufferedBytes, pendingBulkLen: p.pendingBulkLen };
}

interface Case {
  input: Buffer;
  commands: string[][];
  error?: string;
  /** bufferedBytes after everything is fed (unchecked for error cases unless given). */
  buffered?: number;
  limits?: Partial<ParserLimits>;
  setup?: (p: RespParser) => void;
}

/** Registers one test per splitting of the case's input. */
function cases(table: Record<string, Case>): void {
  for (const [name, c] of Object.entries(table)) {
    describe(name, () => {
      for (const [how, chunks] of splittings(c.input)) {
        it(how, () => {
          const out = run(chunks, c.limits, c.setup);
          expect(out.commands).toEqual(c.commands);
          expect(out.error).toBe(c.error);
          if (c.buffered !== undefined) expect(out.buffered).toBe(c.buffered);
          else if (c.error === undefined) expect(out.buffered).toBe(0);
        });
      }
    });
  }
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const ALL_BYTES_STR = ALL_BYTES.toString('latin1');

describe('multibulk commands', () => {
  cases({
    'a single SET': { input: mb('SET', 'key', 'value'), commands: [['SET', 'key', 'value']] },
    'pipelined commands': {
      input: cat(mb('SET', 'a', '1'), mb('GET', 'a'), mb('INCR', 'counter'), mb('PING')),
      commands: [['SET', 'a', '1'], ['GET', 'a'], ['INCR', 'counter'], ['PING']],
    },
    'many pipelined commands': {
      input: cat(...Array.from({ length: 200 }, (_, i) => mb('SET', `key:${i}`, 'v'.repeat(i)))),
      commands: Array.from({ length: 200 }, (_, i) => ['SET', `key:${i}`, 'v'.repeat(i)]),
    },
    'binary arguments: CRLF, NUL, 0xff and every byte value': {
      input: mb('SET', b('k\r\n\0\xff'), ALL_BYTES, b('\r\n'), b('$3\r\n*1\r\n')),
      commands: [['SET', 'k\r\n\0\xff', ALL_BYTES_STR, '\r\n', '$3\r\n*1\r\n']],
    },
    'arguments are latin1, never UTF-8': {
      input: mb('SET', Buffer.from('clé', 'utf8'), Buffer.from([0xc3, 0x28])),
      commands: [['SET', 'cl\xc3\xa9', '\xc3(']],
    },
    'empty bulk': { input: mb('SET', '', ''), commands: [['SET', '', '']] },
    // The command-name intern table has 1024 slots: 4000 names of the same lengths and first and
    // last bytes share slots, so cached names must be checked byte by byte, not trusted by slot.
    'command names that collide in the name table, each returned as sent': {
      input: cat(...Array.from({ length: 4000 }, (_, i) => mb(`c${String(i).padStart(4, '0')}x`, 'k'))),
      commands: Array.from({ length: 4000 }, (_, i) => [`c${String(i).padStart(4, '0')}x`, 'k']),
    },
    'a name seen before in another case, and an empty or over-long name': {
      input: cat(mb('get', 'a'), mb('GET', 'a'), mb('gEt', 'a'), mb('get', 'a'), mb('', 'a'), mb('x'.repeat(30), 'a')),
      commands: [['get', 'a'], ['GET', 'a'], ['gEt', 'a'], ['get', 'a'], ['', 'a'], ['x'.repeat(30), 'a']],
    },
    'arguments of every short length (fromCharCode path) and longer': {
      input: mb(...Array.from({ length: 40 }, (_, i) => ALL_BYTES.subarray(100, 100 + i))),
      commands: [Array.from({ length: 40 }, (_, i) => ALL_BYTES_STR.slice(100, 100 + i))],
    },
    '*0 and negative counts produce nothing': {
      input: cat('*0\r\n', mb('PING'), '*-1\r\n*-9223372036854775808\r\n', mb('ECHO', 'x'), '*0\r\n'),
      commands: [['PING'], ['ECHO', 'x']],
    },
    // Redis skips the 2 bytes after a payload and the byte after a count line's \r unchecked.
    'the bytes after a payload are not checked (as Redis)': {
      input: cat('*1\r\n$4\r\nPINGxy', mb('ECHO', 'a'), '*1\rx$4\r\nPING\r\n', '*1\r\n$4\rxPING\r\n'),
      commands: [['PING'], ['ECHO', 'a'], ['PING'], ['PING']],
    },
    'multibulk and inline mixed': {
      input: cat('PING\r\n', mb('ECHO', 'a b'), 'ECHO "c d"\n', mb('PING')),
      commands: [['PING'], ['ECHO', 'a b'], ['ECHO', 'c d'], ['PING']],
    },
    'an argument of exactly 32 KB - 1, 32 KB and 40 KB (big-argument mode)': {
      input: mb('SET', 'x'.repeat(32 * 1024 - 1), 'y'.repeat(32 * 1024), Buffer.alloc(40 * 1024, 0xfe)),
      commands: [['SET', 'x'.repeat(32 * 1024 - 1), 'y'.repeat(32 * 1024), '\xfe'.repeat(40 * 1024)]],
    },
    'a big argument followed by pipelined commands': {
      input: cat(mb('SET', 'k', ALL_BYTES_STR.repeat(300)), mb('GET', 'k'), 'PING\r\n'),
      commands: [['SET', 'k', ALL_BYTES_STR.repeat(300)], ['GET', 'k'], ['PING']],
    },
    'incomplete command waits': {
      input: cat(mb('PING'), '*2\r\n$3\r\nGET\r\n$3\r\nab'),
      commands: [['PING']],
      buffered: '*2\r\n$3\r\nGET\r\n$3\r\nab'.length,
    },
    'a count above 1024*1024 is fine by default (Redis 7.0 allows up to INT_MAX)': {
      input: b('*2147483647\r\n$4\r\nPING\r\n'),
      commands: [],
      buffered: '*2147483647\r\n$4\r\nPING\r\n'.length,
    },
  });
});

describe('inline commands', () => {
  cases({
    'CRLF and LF line ends': {
      input: b('PING\r\nPING\nSET a b\r\nGET a\n'),
      commands: [['PING'], ['PING'], ['SET', 'a', 'b'], ['GET', 'a']],
    },
    'blank lines produce nothing': {
      input: b('\r\n\n   \t \r\n\x0b\x0c\r\nPING\r\n'),
      commands: [['PING']],
    },
    'spaces and tabs separate; \\v and \\f only when leading': {
      input: b('  SET\t\tkey   value  \r\nECHO a\x0bb\r\n\x0b\x0cPING\x0b\r\n'),
      commands: [['SET', 'key', 'value'], ['ECHO', 'a\x0bb'], ['PING\x0b']],
    },
    'a \\r inside the line separates; only one trailing \\r is stripped': {
      input: b('ECHO a\rb\r\nECHO c\r\r\n'),
      commands: [['ECHO', 'a', 'b'], ['ECHO', 'c']],
    },
    'double quotes with escapes': {
      input: b('ECHO "a\\x41\\n\\q" "\\r\\t\\b\\a\\\\\\"" "\\xff\\x00\\xAb"\r\n'),
      commands: [['ECHO', 'aA\nq', '\r\t\b\x07\\"', '\xff\0\xab']],
    },
    'bad \\x escapes keep the x': {
      input: b('ECHO "\\xzz\\x4"\r\n'),
      commands: [['ECHO', 'xzzx4']],
    },
    "single quotes take only \\'": {
      input: b("ECHO 'it\\'s' 'a\\nb' 'x\"y'\r\n"),
      commands: [['ECHO', "it's", 'a\\nb', 'x"y']],
    },
    'quotes inside a token, empty quotes, quote followed by a tab or \\v': {
      input: b('ECHO ab"c d" "" \'\'\r\nECHO "x"\t"y"\x0b\r\n'),
      commands: [['ECHO', 'abc d', '', ''], ['ECHO', 'x', 'y']],
    },
    'unquoted backslashes and bytes >= 0x80 are kept as is': {
      input: b('ECHO a\\nb \xe9\xff\r\n'),
      commands: [['ECHO', 'a\\nb', '\xe9\xff']],
    },
    'a line of exactly maxInlineLen bytes is accepted': {
      input: b('ECHO ' + 'x'.repeat(64 * 1024 - 5) + '\n'),
      commands: [['ECHO', 'x'.repeat(64 * 1024 - 5)]],
    },
  });
});

describe('protocol errors (messages as sent by redis-server 7.0.15, which then closes)', () => {
  const INVALID_MBULK = 'Protocol error: invalid multibulk length';
  const INVALID_BULK = 'Protocol error: invalid bulk length';
  const table: Record<string, Case> = {};
  for (const count of ['x', '', '-0', '01', '+1', '1x', ' 1', '1 ', '2147483648', '-9223372036854775809', '99999999999999999999']) {
    table[`multibulk count "${count}"`] = { input: b(`*${count}\r\n`), commands: [], error: INVALID_MBULK };
  }
  for (const len of ['-1', '', '04', ' 4', '4x', '+4', '-0', '536870913', '9223372036854775808', '99999999999999999999']) {
    table[`bulk length "${len}"`] = { input: b(`*1\r\n$${len}\r\n`), commands: [], error: INVALID_BULK };
  }
  Object.assign(table, {
    'commands before the error still come out': {
      input: cat(mb('PING'), 'ECHO a\r\n', '*1\r\n$-1\r\n', mb('PING')),
      commands: [['PING'], ['ECHO', 'a']],
      error: INVALID_BULK,
    },
    'expected $': { input: b('*1\r\nX4\r\nPING\r\n'), commands: [], error: "Protocol error: expected '$', got 'X'" },
    'expected $ after earlier arguments': {
      input: cat('*3\r\n', bulk('SET'), bulk('k'), ':5\r\n'),
      commands: [],
      error: "Protocol error: expected '$', got ':'",
    },
    'expected $, got a latin1 byte': { input: b('*1\r\n\xff4\r\n'), commands: [], error: "Protocol error: expected '$', got '\xff'" },
    'expected $, got CR or LF: Redis sends a space': {
      input: b('*1\r\n\r\n'),
      commands: [],
      error: "Protocol error: expected '$', got ' '",
    },
    'expected $, got LF': { input: b('*1\r\n\n\r\n'), commands: [], error: "Protocol error: expected '$', got ' '" },
    'unbalanced: text after a closing double quote': {
      input: b('ECHO "abc"d\r\n'),
      commands: [],
      error: 'Protocol error: unbalanced quotes in request',
    },
    'unbalanced: unterminated double quote': { input: b('ECHO "abc\r\n'), commands: [], error: 'Protocol error: unbalanced quotes in request' },
    'unbalanced: a backslash-escaped closing quote': { input: b('ECHO "a\\"\r\n'), commands: [], error: 'Protocol error: unbalanced quotes in request' },
    'unbalanced: text after a closing single quote': { input: b("ECHO 'a'b\r\n"), commands: [], error: 'Protocol error: unbalanced quotes in request' },
    'unbalanced: quote opened inside a token': { input: b('ECHO fo"o b"ar\r\n'), commands: [], error: 'Protocol error: unbalanced quotes in request' },
    'unbalanced: unterminated single quote': { input: b("ECHO 'abc\n"), commands: [], error: 'Protocol error: unbalanced quotes in request' },
    'too big inline request (no newline)': {
      input: b('PING' + 'x'.repeat(64 * 1024 - 3)),
      commands: [],
      error: 'Protocol error: too big inline request',
    },
    'just under the inline limit waits': {
      input: b('PING' + 'x'.repeat(64 * 1024 - 4)),
      commands: [],
      buffered: 64 * 1024,
    },
    'too big inline request (line over the limit, newline included)': {
      input: b('ECHO ' + 'x'.repeat(64 * 1024) + '\r\n'),
      commands: [],
      error: 'Protocol error: too big inline request',
    },
    'too big mbulk count string': {
      input: b('*' + '1'.repeat(64 * 1024)),
      commands: [],
      error: 'Protocol error: too big mbulk count string',
    },
    'an mbulk count line of exactly the limit waits': {
      input: b('*' + '1'.repeat(64 * 1024 - 1)),
      commands: [],
      buffered: 64 * 1024,
    },
    'too big bulk count string': {
      input: b('*1\r\n$' + '1'.repeat(64 * 1024)),
      commands: [],
      error: 'Protocol error: too big bulk count string',
    },
    'a bulk count line of exactly the limit waits': {
      input: b('*1\r\n$' + '1'.repeat(64 * 1024 - 1)),
      commands: [],
      buffered: 4 + 64 * 1024,
    },
    // Redis finds line ends with strchr(): a NUL byte hides them, so the line waits.
    'NUL before the \\r of a bulk count line: waits': {
      input: b('*1\r\nX\0\r\n'),
      commands: [],
      buffered: 8,
    },
    'NUL in a bulk count line, then too many bytes: too big bulk count string': {
      input: cat('*1\r\n$4x\0\r\n', 'y'.repeat(64 * 1024)),
      commands: [],
      error: 'Protocol error: too big bulk count string',
    },
    'NUL before the \\r of a count line: waits': { input: b('*1\0\r\n'), commands: [], buffered: 5 },
    'NUL in an inline command: waits': { input: b('ECHO a\0b\r\nPING\r\n'), commands: [], buffered: 16 },
    'NUL in an inline command, then too many bytes: too big inline request': {
      input: cat('ECHO a\0b\r\n', 'PING\r\n'.repeat(11000)),
      commands: [],
      error: 'Protocol error: too big inline request',
    },
    'NUL as the first byte': { input: b('\0PING\r\n'), commands: [], buffered: 7 },
  });
  cases(table);
});

describe('limits', () => {
  cases({
    'maxBulkLen is honoured exactly': {
      input: cat(mb('SET', 'k', 'x'.repeat(100)), '*1\r\n$101\r\n'),
      limits: { maxBulkLen: 100 },
      commands: [['SET', 'k', 'x'.repeat(100)]],
      error: 'Protocol error: invalid bulk length',
    },
    'maxMultibulkLen can be lowered to the old 1024*1024': {
      input: cat(mb('PING'), '*1048577\r\n'),
      limits: { maxMultibulkLen: 1024 * 1024 },
      commands: [['PING']],
      error: 'Protocol error: invalid multibulk length',
    },
    'maxMultibulkLen: exactly the limit waits': {
      input: b('*1048576\r\n'),
      limits: { maxMultibulkLen: 1024 * 1024 },
      commands: [],
      buffered: 10,
    },
    'unauthenticated: a count of 10 is fine': {
      input: mb('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'),
      setup: (p) => (p.authRequired = true),
      commands: [['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']],
    },
    'unauthenticated multibulk length': {
      input: b('*11\r\n'),
      setup: (p) => (p.authRequired = true),
      commands: [],
      error: 'Protocol error: unauthenticated multibulk length',
    },
    'unauthenticated: a bulk of 16384 is fine': {
      input: mb('SET', 'k', 'v'.repeat(16384)),
      setup: (p) => (p.authRequired = true),
      commands: [['SET', 'k', 'v'.repeat(16384)]],
    },
    'unauthenticated bulk length': {
      input: b('*1\r\n$16385\r\n'),
      setup: (p) => (p.authRequired = true),
      commands: [],
      error: 'Protocol error: unauthenticated bulk length',
    },
    'unauthenticated: an invalid length is still "invalid bulk length"': {
      input: b('*1\r\n$-1\r\n'),
      setup: (p) => (p.authRequired = true),
      commands: [],
      error: 'Protocol error: invalid bulk length',
    },
  });

  it('has Redis 7.0 defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBulkLen: 512 * 1024 * 1024, maxMultibulkLen: 2147483647, maxInlineLen: 65536 });
    expect(new RespParser().limits).toEqual(DEFAULT_LIMITS);
    expect(new RespParser({ maxBulkLen: 5 }).limits).toEqual({ ...DEFAULT_LIMITS, maxBulkLen: 5 });
  });

  it('rejects a huge declared length as soon as its line arrives, before any payload', () => {
    const p = new RespParser();
    p.feed(b('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n'));
    expect(() => p.next()).toThrow(new ProtocolError('Protocol error: invalid bulk length'));
    const q = new RespParser();
    q.feed(b('*1\r\n$536870888\r\n'));
    expect(q.next()).toBeNull();
    expect(q.pendingBulkLen).toBe(536870888);
  });

  it('rejects the last 24 bytes of the default 512 MB limit: V8 strings stop at 2^29-24 chars', () => {
    // Redis accepts 536870912; a latin1 JS string cannot hold it, so fail at the length line.
    const p = new RespParser();
    p.feed(b('*1\r\n$536870889\r\n'));
    expect(() => p.next()).toThrow('Protocol error: invalid bulk length');
  });

  it('limits.maxBulkLen can be changed at runtime (CONFIG SET proto-max-bulk-len)', () => {
    const p = new RespParser();
    p.feed(mb('SET', 'k', 'x'.repeat(50)));
    expect(p.next()).toEqual(['SET', 'k', 'x'.repeat(50)]);
    p.limits.maxBulkLen = 10;
    p.feed(mb('SET', 'k', 'x'.repeat(11)));
    expect(() => p.next()).toThrow('Protocol error: invalid bulk length');
  });

  it('authRequired can be cleared after AUTH, effective from the next command', () => {
    const p = new RespParser();
    p.authRequired = true;
    p.feed(cat(mb('AUTH', 'secret'), mb('SET', 'k', 'v'.repeat(20000))));
    expect(p.next()).toEqual(['AUTH', 'secret']);
    p.authRequired = false;
    expect(p.next()).toEqual(['SET', 'k', 'v'.repeat(20000)]);
  });

  it('ProtocolError carries a code and its name', () => {
    const p = new RespParser();
    p.feed(b('*x\r\n'));
    let caught: unknown;
    try {
      p.next();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as ProtocolError).name).toBe('ProtocolError');
    expect((caught as ProtocolError).code).toBe('ERR_PROTOCOL');
  });
});

describe('bufferedBytes and pendingBulkLen', () => {
  it('count bytes not yet returned as commands', () => {
    const p = new RespParser();
    expect(p.bufferedBytes).toBe(0);
    expect(p.pendingBulkLen).toBe(0);
    const one = mb('SET', 'a', '1');
    const two = mb('GET', 'a');
    const partial = b('*2\r\n$3\r\nGET\r\n$10\r\nabc');
    p.feed(cat(one, two, partial));
    // A paused client: nothing consumed yet.
    expect(p.bufferedBytes).toBe(one.length + two.length + partial.length);
    expect(p.next()).toEqual(['SET', 'a', '1']);
    expect(p.bufferedBytes).toBe(two.length + partial.length);
    expect(p.next()).toEqual(['GET', 'a']);
    expect(p.bufferedBytes).toBe(partial.length);
    expect(p.pendingBulkLen).toBe(0); // not parsed that far yet
    expect(p.next()).toBeNull();
    // Parsed arguments of an incomplete command still count.
    expect(p.bufferedBytes).toBe(partial.length);
    expect(p.pendingBulkLen).toBe(10);
    p.feed(b('defghij\r\n*0\r\n'));
    expect(p.bufferedBytes).toBe(partial.length + 13);
    expect(p.next()).toEqual(['GET', 'abcdefghij']);
    expect(p.bufferedBytes).toBe(4);
    expect(p.pendingBulkLen).toBe(0);
    expect(p.next()).toBeNull();
    expect(p.bufferedBytes).toBe(0);
  });

  it('count the received part of a big argument', () => {
    const p = new RespParser();
    const head = b('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n');
    p.feed(cat(head, Buffer.alloc(40000, 1)));
    expect(p.next()).toBeNull();
    expect(p.bufferedBytes).toBe(head.length + 40000);
    expect(p.pendingBulkLen).toBe(100000);
    p.feed(Buffer.alloc(30000, 2));
    expect(p.next()).toBeNull();
    expect(p.bufferedBytes).toBe(head.length + 70000);
    p.feed(cat(Buffer.alloc(30000, 3), '\r\nPI'));
    const argv = p.next();
    expect(argv?.[2].length).toBe(100000);
    expect(argv?.[2].charCodeAt(39999)).toBe(1);
    expect(argv?.[2].charCodeAt(40000)).toBe(2);
    expect(argv?.[2].charCodeAt(99999)).toBe(3);
    expect(p.next()).toBeNull();
    expect(p.bufferedBytes).toBe(2);
    expect(p.pendingBulkLen).toBe(0);
  });

  it('a blank inline line and *0 are consumed', () => {
    const p = new RespParser();
    p.feed(b('\r\n*0\r\n  \n'));
    expect(p.next()).toBeNull();
    expect(p.bufferedBytes).toBe(0);
  });
});

describe('memory', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('does not keep a view of the caller\'s chunk once next() has returned null', () => {
    const p = new RespParser();
    const first = b('*2\r\n$4\r\nECHO\r\n$5\r\nhel');
    p.feed(first);
    expect(p.next()).toBeNull();
    first.fill(0x7a); // the socket's buffer gets reused
    p.feed(b('lo\r\n'));
    expect(p.next()).toEqual(['ECHO', 'hello']);
  });

  it('copies big-argument chunks rather than keeping them', () => {
    const p = new RespParser();
    const chunks = [b('*2\r\n$4\r\nECHO\r\n$40000\r\n'), Buffer.alloc(20000, 0x61), Buffer.alloc(20000, 0x62), b('\r\n')];
    const out: string[][] = [];
    for (const c of chunks) {
      p.feed(c);
      for (let argv = p.next(); argv !== null; argv = p.next()) out.push(argv);
      c.fill(0x7a);
    }
    expect(out).toEqual([['ECHO', 'a'.repeat(20000) + 'b'.repeat(20000)]]);
  });

  it('reads a 50 MB argument fed in 64 KB chunks with one allocation of its size and no concatenation', () => {
    const size = 50 * 1024 * 1024;
    const payload = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 256) ALL_BYTES.copy(payload, i);
    const stream = cat('*3\r\n', bulk('SET'), bulk('big'), `$${size}\r\n`, payload, '\r\n', mb('GET', 'big'));
    const allocs: number[] = [];
    const slow = Buffer.allocUnsafeSlow;
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((n: number) => {
      allocs.push(n);
      return slow(n);
    });
    const concat = vi.spyOn(Buffer, 'concat');
    const p = new RespParser();
    const out: string[][] = [];
    for (let i = 0; i < stream.length; i += 65536) {
      p.feed(stream.subarray(i, i + 65536));
      for (let argv = p.next(); argv !== null; argv = p.next()) out.push(argv);
    }
    expect(out.length).toBe(2);
    expect(out[0][2].length).toBe(size);
    expect(out[0][2] === payload.toString('latin1')).toBe(true);
    expect(out[1]).toEqual(['GET', 'big']);
    expect(concat).not.toHaveBeenCalled();
    // Linear: the payload is copied once into one buffer of its size; anything else is tiny.
    expect(allocs.filter((n) => n >= size)).toEqual([size + 2]);
    expect(allocs.reduce((s, n) => s + n, 0)).toBeLessThan(size + 64 * 1024);
    expect(p.bufferedBytes).toBe(0);
  });

  it('does not grow its buffer with the stream', () => {
    const allocs: number[] = [];
    const slow = Buffer.allocUnsafeSlow;
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((n: number) => {
      allocs.push(n);
      return slow(n);
    });
    const one = mb('SET', 'key:000000000001', 'v'.repeat(100));
    const stream = Buffer.concat(Array.from({ length: 20000 }, () => one)); // ~2.8 MB
    const p = new RespParser();
    let n = 0;
    for (let i = 0; i < stream.length; i += 1000) {
      p.feed(stream.subarray(i, i + 1000));
      while (p.next() !== null) n++;
    }
    expect(n).toBe(20000);
    expect(Math.max(...allocs)).toBeLessThanOrEqual(8192);
  });

  it('a paused client (no next() calls) accumulates in amortized linear time', () => {
    const copies: number[] = [];
    const slow = Buffer.allocUnsafeSlow;
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((n: number) => {
      copies.push(n);
      return slow(n);
    });
    const p = new RespParser();
    const one = mb('PING');
    for (let i = 0; i < 100000; i++) p.feed(one);
    expect(p.bufferedBytes).toBe(100000 * one.length);
    // Geometric growth: few reallocations, total allocated within a small factor of the data.
    expect(copies.length).toBeLessThan(40);
    expect(copies.reduce((s, n) => s + n, 0)).toBeLessThan(8 * 100000 * one.length);
    let n = 0;
    while (p.next() !== null) n++;
    expect(n).toBe(100000);
  });
});

describe('chunking never changes the outcome (seeded random streams)', () => {
  // Valid commands mutated at random bytes: whatever the outcome (commands, a wait, an error),
  // it must be the same for every splitting. A differential run of the same generator against
  // redis-server 7.0.15 found no difference in commands or error text.
  const rnd = mulberry32(99);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
  const streams: Buffer[] = [];
  for (let t = 0; t < 150; t++) {
    const parts: Buffer[] = [];
    for (let c = 0; c < 3; c++) {
      if (rnd() < 0.3) parts.push(b(`RPUSH k ${pick(['a "b c"', "'x\\'y'", '"\\x41\\n"', 'plain', '"open', 'a"b'])}${pick(['\r\n', '\n'])}`));
      else parts.push(mb('RPUSH', 'k', pick(['v', 'hello', 'a\r\nb', '', '12'])));
    }
    let s = Buffer.concat(parts);
    for (let m = 0; m < 2; m++) {
      const at = Math.floor(rnd() * s.length);
      const byte = pick([0, 13, 10, 36, 42, 45, 48, 49, 57, 43, 32, 34, 39, 92, 120, 255]);
      const op = rnd();
      if (op < 0.4) s[at] = byte;
      else if (op < 0.7) s = Buffer.concat([s.subarray(0, at), Buffer.from([byte]), s.subarray(at)]);
      else s = Buffer.concat([s.subarray(0, at), s.subarray(at + 1)]);
    }
    streams.push(s);
  }
  it('150 mutated streams, each fed whole, byte by byte and at random splits', () => {
    for (const s of streams) {
      const [, ...rest] = splittings(s);
      // After an error the rest of the input may or may not have been fed: compare the rest.
      const outcome = (chunks: Buffer[]): Partial<Outcome> => {
        const o = run(chunks);
        return o.error === undefined ? o : { commands: o.commands, error: o.error };
      };
      const whole = outcome([s]);
      for (const [how, chunks] of rest) {
        expect({ how, ...outcome(chunks) }).toEqual({ how, ...whole });
      }
    }
  });
});
