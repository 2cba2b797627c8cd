// putLatin1 / putBulk against Node's own latin1 codec: the bytes must be the ones
// Buffer#latin1Write produces, for every length (the char loop, the 32-bit packed stores and the
// native call each take a range of lengths), at any offset, and whichever buffer was written
// before (the packed stores reuse a view of the last buffer written).
import { describe, expect, it } from 'vitest';
import { type Latin1Buffer, putBulk, putLatin1, readLatin1 } from '../../../src/util/latin1.js';
import { mulberry32 } from '../../helpers/prng.js';

function randomString(rnd: () => number, n: number, wide: boolean): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    // A char above 0xff never comes from the parser, but must not spill into its neighbours.
    const c = wide && rnd() < 0.1 ? 256 + Math.floor(rnd() * 0xfe00) : Math.floor(rnd() * 256);
    s += String.fromCharCode(c);
  }
  return s;
}

describe('putLatin1', () => {
  it('writes what latin1Write writes, for lengths 0-80 at any offset, across buffer switches', () => {
    const rnd = mulberry32(20261126);
    const bufs = [0, 1, 2].map(() => Buffer.alloc(128) as Latin1Buffer);
    const refs = [0, 1, 2].map(() => Buffer.alloc(128) as Latin1Buffer);
    for (let t = 0; t < 20000; t++) {
      const k = Math.floor(rnd() * 3);
      const n = Math.floor(rnd() * 81);
      const at = Math.floor(rnd() * (128 - n));
      const s = randomString(rnd, n, t % 2 === 0);
      const end = putLatin1(bufs[k], at, s);
      const refEnd = at + refs[k].latin1Write(s, at, n);
      expect(end).toBe(refEnd);
      // The whole buffer: also nothing written outside [at, end), and the other buffers
      // untouched by a view left over from an earlier one.
      for (let j = 0; j < 3; j++) expect(bufs[j].equals(refs[j])).toBe(true);
    }
  });

  it('putBulk frames the string as a RESP bulk string', () => {
    const b = Buffer.alloc(256) as Latin1Buffer;
    for (const s of ['', 'a', 'element:000000012345', 'x'.repeat(28), 'y'.repeat(29), '\x00\xff\r\n'.repeat(9)]) {
      const end = putBulk(b, 5, s);
      expect(b.latin1Slice(5, end)).toBe(`$${s.length}\r\n${s}\r\n`);
    }
  });
});

describe('readLatin1', () => {
  it('reads what latin1Slice reads, for lengths 0-40 (each String.fromCharCode case and the native call) at any offset', () => {
    const rnd = mulberry32(20261127);
    const b = Buffer.alloc(4096) as Latin1Buffer;
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
    for (let n = 0; n <= 40; n++) {
      for (let t = 0; t < 200; t++) {
        const at = Math.floor(rnd() * (b.length - n));
        const s = readLatin1(b, at, n);
        expect(s).toBe(b.latin1Slice(at, at + n));
        // One char per byte, bytes 0x80-0xff included: the string writes back to the same bytes.
        expect(Buffer.from(s, 'latin1').equals(b.subarray(at, at + n))).toBe(true);
      }
    }
  });
});
