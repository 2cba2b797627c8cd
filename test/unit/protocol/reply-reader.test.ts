// ReplyReader (the client side: what servers answer). Every stream is fed whole, byte by byte and
// at seeded random split points, and must decode to the same replies; the expected values are
// the RESP spec's meaning of each frame (RESP3 read as its RESP2 shape).
import { describe, expect, it } from 'vitest';
import { ReplyError, ReplyReader, type Reply } from '../../../src/protocol/reply-reader.js';
import { mulberry32 } from '../../helpers/prng.js';

function decodeAll(chunks: Buffer[]): Reply[] {
  const r = new ReplyReader();
  const out: Reply[] = [];
  for (const c of chunks) {
    r.feed(c);
    for (let x = r.next(); x !== undefined; x = r.next()) out.push(x);
  }
  return out;
}

function splittings(input: Buffer): Buffer[][] {
  const out: Buffer[][] = [[input]];
  out.push(Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1)));
  for (const seed of [1, 7, 42]) {
    const rnd = mulberry32(seed);
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; ) {
      const n = 1 + Math.floor(rnd() * 9);
      chunks.push(input.subarray(i, i + n));
      i += n;
    }
    out.push(chunks);
  }
  return out;
}

const b = (s: string) => Buffer.from(s, 'latin1');

describe('ReplyReader', () => {
  it('decodes RESP2 replies, whatever the chunking', () => {
    const stream = b('+OK\r\n-ERR unknown command\r\n:-42\r\n$5\r\nhe\r\nl\r\n$0\r\n\r\n$-1\r\n*-1\r\n*3\r\n:1\r\n*0\r\n*2\r\n$1\r\na\r\n-WRONGTYPE x\r\n');
    for (const chunks of splittings(stream)) {
      expect(decodeAll(chunks)).toEqual([
        'OK',
        new ReplyError('ERR unknown command'),
        -42,
        'he\r\nl',
        '',
        null,
        null,
        [1, [], ['a', new ReplyError('WRONGTYPE x')]],
      ]);
    }
  });

  it('reads RESP3 frames as their RESP2 shapes', () => {
    const stream = b('_\r\n%2\r\n$1\r\nk\r\n:1\r\n+f\r\n,3.5\r\n~2\r\n$1\r\nx\r\n$1\r\ny\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n#t\r\n(12345678901234567890\r\n=8\r\ntxt:abcd\r\n!9\r\nSYNTAX no\r\n');
    for (const chunks of splittings(stream)) {
      expect(decodeAll(chunks)).toEqual([null, ['k', 1, 'f', '3.5'], ['x', 'y'], ['message', 'ch', 'hi'], 't', '12345678901234567890', 'txt:abcd', new ReplyError('SYNTAX no')]);
    }
  });

  it('binary bulk strings come back byte for byte (latin1)', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const stream = Buffer.concat([b(`$${bytes.length}\r\n`), bytes, b('\r\n')]);
    for (const chunks of splittings(stream)) expect(decodeAll(chunks)).toEqual([bytes.toString('latin1')]);
  });

  it('an incomplete reply consumes nothing until it is whole', () => {
    const r = new ReplyReader();
    r.feed(b('*2\r\n$3\r\nfoo\r\n'));
    expect(r.next()).toBeUndefined();
    expect(r.next()).toBeUndefined();
    r.feed(b('$3\r\nbar\r\n+after\r\n'));
    expect(r.next()).toEqual(['foo', 'bar']);
    expect(r.next()).toBe('after');
    expect(r.next()).toBeUndefined();
  });

  it('throws on what is not RESP', () => {
    for (const bad of ['?what\r\n', '$abc\r\n', '$-2\r\n', '*1.5\r\n', '$\r\n', '%x\r\n']) {
      const r = new ReplyReader();
      r.feed(b(bad));
      expect(() => r.next(), bad).toThrow(/unexpected reply type|bad (bulk|aggregate) length/);
    }
  });
});
