import { describe, expect, it } from 'vitest';
import { ReplyWriter } from '../../../src/protocol/reply.js';
import { mulberry32 } from '../../helpers/prng.js';

// Integer replies and length headers are written digit by digit into the reply buffer; they
// must read exactly as JavaScript's own decimal formatting of the same number.
describe('ReplyWriter integers and lengths', () => {
  const rnd = mulberry32(7);
  const values: number[] = [0, -0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 1e6, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -1, -2, -9, -10, -100, -(2 ** 31), -(2 ** 53 - 1)];
  for (let i = 0; i < 2000; i++) {
    const digits = 1 + Math.floor(rnd() * 16);
    const n = Math.floor(rnd() * 10 ** digits);
    values.push(n, -n);
  }

  it('int(n) is ":" + n + CRLF for safe integers of every size and sign', () => {
    const w = new ReplyWriter();
    let expected = '';
    for (const n of values) {
      w.int(n);
      expected += `:${String(n)}\r\n`;
    }
    w.int(2n ** 63n - 1n);
    expected += ':9223372036854775807\r\n';
    expect(w.takeString()).toBe(expected);
  });

  it('bulk and array headers carry the exact length', () => {
    const w = new ReplyWriter();
    let expected = '';
    for (const len of [0, 1, 9, 10, 99, 100, 101, 1000, 12345, 70000]) {
      const s = 'x'.repeat(len);
      w.array(len);
      w.bulk(s);
      expected += `*${len}\r\n$${len}\r\n${s}\r\n`;
    }
    expect(w.takeString()).toBe(expected);
  });
});

// Error texts quote the client's arguments (unknown command, subcommand, config name); a CR or
// LF among them must not end the error line early (Redis maps both to spaces).
describe('ReplyWriter errors', () => {
  it('CR and LF inside an error become spaces; the reply stays one line', () => {
    const w = new ReplyWriter();
    w.error("ERR unknown command 'EVAL', with args beginning with: 'return 1\n' '0\r' ");
    w.error('ERR plain');
    expect(w.takeString()).toBe("-ERR unknown command 'EVAL', with args beginning with: 'return 1 ' '0 ' \r\n-ERR plain\r\n");
    expect(w.errors).toBe(2);
  });
});
