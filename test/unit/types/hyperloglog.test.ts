// The HLL codec of types/hyperloglog.ts on its own: MurmurHash64A against a straightforward
// BigInt transcription of Redis's C code and against registers read from redis-server, sparse
// updates against dense ones (same registers, same counts), the promotion threshold, and
// malformed strings, which must be refused without throwing.

import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../helpers/prng.js';
import {
  EMPTY_HLL,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HllWork,
  denseRegister,
  hllAddElements,
  hllCount,
  hllCountRaw,
  hllMerge,
  hllPatLen,
  hllSelfTest,
  isHll,
  murmurHash64A,
  sparseDecode,
  sparseToDense,
} from '../../../src/types/hyperloglog.js';

const M64 = (1n << 64n) - 1n;

/** MurmurHash64A transcribed from hyperloglog.c with BigInt (the reference, slow but obvious). */
function murmurRef(s: string, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const r = 47n;
  const len = s.length;
  let h = (seed ^ (BigInt(len) * m)) & M64;
  const end = len - (len & 7);
  for (let i = 0; i < end; i += 8) {
    let k = 0n;
    for (let b = 7; b >= 0; b--) k = (k << 8n) | BigInt(s.charCodeAt(i + b));
    k = (k * m) & M64;
    k ^= k >> r;
    k = (k * m) & M64;
    h ^= k;
    h = (h * m) & M64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let b = rest - 1; b >= 0; b--) h ^= BigInt(s.charCodeAt(end + b)) << BigInt(8 * b);
    h = (h * m) & M64;
  }
  h ^= h >> r;
  h = (h * m) & M64;
  h ^= h >> r;
  return h;
}

function randomString(rnd: () => number, maxLen: number): string {
  const n = Math.floor(rnd() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rnd() * 256));
  return s;
}

const hexStr = (h: string) => Buffer.from(h, 'hex').toString('latin1');

/** A fresh dense HLL string with all registers 0 and a valid cache. */
const EMPTY_DENSE = 'HYLL' + '\x00'.repeat(HLL_DENSE_SIZE - 4);

describe('MurmurHash64A', () => {
  it('equals the BigInt transcription for every length 0..70 and random bytes', () => {
    const rnd = mulberry32(0x6d75);
    for (let len = 0; len <= 70; len++) {
      for (let k = 0; k < 20; k++) {
        let s = '';
        for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rnd() * 256));
        expect([len, murmurHash64A(s, 0xadc83b19)]).toEqual([len, murmurRef(s, 0xadc83b19n)]);
      }
    }
    for (let k = 0; k < 500; k++) {
      const s = randomString(rnd, 300);
      const seed = Math.floor(rnd() * 2 ** 32);
      expect(murmurHash64A(s, seed)).toBe(murmurRef(s, BigInt(seed)));
    }
  });

  it('puts single elements in the registers redis-server reports (PFDEBUG DECODE / GETREG)', () => {
    // Redis: PFADD x <e>; PFDEBUG DECODE x  →  "Z:<index> v:<count>,1 Z:..."
    expect(hllPatLen('a')).toEqual([12711, 2]);
    expect(hllPatLen('hello')).toEqual([9216, 1]);
    expect(hllPatLen('abcdefgh')).toEqual([1383, 1]);
    expect(hllPatLen('abcdefghi')).toEqual([6903, 1]);
    expect(hllPatLen('123456789012345')).toEqual([4659, 1]);
    // Redis: PFADD g a b c; PFDEBUG GETREG g  →  8436:1 12711:2 15780:1
    const r = hllAddElements(EMPTY_DENSE, ['PFADD', 'g', 'a', 'b', 'c'], 2, 3000);
    expect(r.updated).toBe(3);
    const nonzero: string[] = [];
    for (let i = 0; i < HLL_REGISTERS; i++) if (denseRegister(r.value, i) !== 0) nonzero.push(`${i}:${denseRegister(r.value, i)}`);
    expect(nonzero).toEqual(['8436:1', '12711:2', '15780:1']);
  });

  it('the hash of the empty string is Redis\'s (seed only)', () => {
    expect(murmurHash64A('', 0xadc83b19)).toBe(murmurRef('', 0xadc83b19n));
    expect(murmurHash64A('', 0)).toBe(0n);
  });
});

describe('sparse and dense encodings', () => {
  it('sparse updates decode to exactly the registers of the same dense updates', () => {
    const rnd = mulberry32(0x5a5e);
    for (let round = 0; round < 30; round++) {
      const sparse = new HllWork();
      sparse.load(EMPTY_HLL);
      const dense = new HllWork();
      dense.load(EMPTY_DENSE);
      const n = 1 + Math.floor(rnd() * 600);
      // Clustered registers exercise ZERO/VAL splitting and VAL merging, not just XZERO splits.
      const base = Math.floor(rnd() * HLL_REGISTERS);
      for (let k = 0; k < n; k++) {
        const index = rnd() < 0.5 ? (base + Math.floor(rnd() * 200)) % HLL_REGISTERS : Math.floor(rnd() * HLL_REGISTERS);
        const count = 1 + Math.floor(rnd() * (rnd() < 0.02 ? 40 : 8));
        const a = sparse.set(index, count, 100000);
        const b = dense.set(index, count, 100000);
        expect(a).toBe(b);
      }
      const sv = sparse.value();
      const dv = dense.value();
      const conv = sparse.dense ? sv : sparseToDense(sv);
      expect(conv).not.toBeNull();
      expect(conv!.slice(16)).toBe(dv.slice(16));
      expect(hllCount(sv)).toBe(hllCount(dv));
      // Encode → decode → encode: the text view covers 16384 registers.
      if (!sparse.dense) {
        let total = 0;
        for (const op of sparseDecode(sv).split(' ')) {
          const [kind, rest] = op.split(':');
          total += kind === 'v' ? Number(rest.split(',')[1]) : Number(rest);
        }
        expect(total).toBe(HLL_REGISTERS);
      }
    }
  });

  it('the sparse form is promoted when it would pass hll-sparse-max-bytes, never before', () => {
    const w = new HllWork();
    w.load(EMPTY_HLL);
    let i = 0;
    while (!w.dense) {
      expect(w.len).toBeLessThanOrEqual(3000);
      w.add('p' + i++, 3000);
    }
    // Redis promotes at the 1671st element p0..p1670 (observed on redis-server 7.0.15).
    expect(i).toBe(1671);
    expect(w.len).toBe(HLL_DENSE_SIZE);
  });

  it('a register value above 32 promotes at once', () => {
    const w = new HllWork();
    w.load(EMPTY_HLL);
    expect(w.set(5, 32, 3000)).toBe(1);
    expect(w.dense).toBe(false);
    expect(w.set(6, 33, 3000)).toBe(1);
    expect(w.dense).toBe(true);
    const v = w.value();
    expect([denseRegister(v, 5), denseRegister(v, 6)]).toEqual([32, 33]);
  });

  it('merging takes register maxima over mixed encodings', () => {
    const a = hllAddElements(EMPTY_HLL, ['PFADD', 'a', 'x', 'y', 'z'], 2, 3000).value;
    const b = hllAddElements(EMPTY_DENSE, ['PFADD', 'b', 'y', 'z', 'w'], 2, 3000).value;
    const max = new Uint8Array(HLL_REGISTERS);
    expect(hllMerge(max, a)).toBe(true);
    expect(hllMerge(max, b)).toBe(true);
    expect(hllCountRaw(max)).toBe(4);
  });

  it('PFSELFTEST passes', () => {
    expect(hllSelfTest(mulberry32(7), 3000, 5, 100_000)).toBeNull();
  });
});

describe('malformed HLL strings', () => {
  it('isHLLObjectOrReply rules', () => {
    expect(isHll(EMPTY_HLL)).toBe(true);
    expect(isHll(EMPTY_DENSE)).toBe(true);
    expect(isHll(EMPTY_DENSE.slice(0, -1))).toBe(false);
    expect(isHll(EMPTY_DENSE + 'x')).toBe(false);
    expect(isHll(EMPTY_HLL.slice(0, 15))).toBe(false);
    expect(isHll(EMPTY_HLL.slice(0, 16))).toBe(true); // the body is checked when read
    expect(isHll('HYLX' + EMPTY_HLL.slice(4))).toBe(false);
    expect(isHll('HYLL\x02' + EMPTY_HLL.slice(5))).toBe(false);
    expect(isHll('')).toBe(false);
  });

  it('bodies covering too few or too many registers are refused everywhere', () => {
    const hdr = hexStr('48594c4c010000000000000000000080');
    const cases = [
      hdr, // no opcodes
      hdr + '\x7f', // truncated XZERO (reads the terminator): 16129 registers
      hdr + '\x5f\xff', // XZERO:8192
      hdr + '\x7f\xff\x7f\xff', // 32768
      hdr + '\x7f\xfe\x80\x80', // 16383 + 1 + 1: the last VAL overflows
      hdr + '\x7f\xff\x00', // 16384 + a ZERO
    ];
    for (const v of cases) {
      expect(isHll(v)).toBe(true);
      expect(hllCount(v)).toBe(-1);
      expect(hllMerge(new Uint8Array(HLL_REGISTERS), v)).toBe(false);
      expect(sparseToDense(v)).toBeNull();
    }
    expect(sparseDecode(hdr + '\x7f')).toBe('Z:16129');
    // PFADD reaches the error only for an element beyond the covered registers.
    const half = hdr.slice(0, 15) + '\x00' + '\x5f\xff';
    const r1 = hllAddElements(half, ['PFADD', 'k', 'a'], 2, 3000); // register 8436
    expect([r1.error, r1.updated, r1.value]).toEqual([true, 0, half]);
    const r2 = hllAddElements(half, ['PFADD', 'k', 'abcdefgh', 'a'], 2, 3000); // 1383, then 8436
    expect([r2.error, r2.updated]).toEqual([true, 1]);
    expect(r2.value).not.toBe(half);
    expect(sparseDecode(r2.value)).toBe('Z:1383 v:1,1 Z:6808');
  });

  it('random garbage never throws and is either refused or a consistent HLL', () => {
    const rnd = mulberry32(0xbad);
    let refused = 0;
    for (let k = 0; k < 3000; k++) {
      const body = randomString(rnd, 40);
      const v = hexStr('48594c4c01000000000000000000') + String.fromCharCode(Math.floor(rnd() * 256), Math.floor(rnd() * 256)) + body;
      expect(isHll(v)).toBe(true);
      const count = hllCount(v);
      const max = new Uint8Array(HLL_REGISTERS);
      const merged = hllMerge(max, v);
      const dense = sparseToDense(v);
      // The three readers agree on validity, and on the registers when valid.
      expect([merged, dense !== null]).toEqual([count >= 0, count >= 0]);
      if (count < 0) refused++;
      else {
        expect(hllCountRaw(max)).toBe(count);
        for (let i = 0; i < HLL_REGISTERS; i += 61) expect(denseRegister(dense!, i)).toBe(max[i]);
      }
      const r = hllAddElements(v, ['PFADD', 'k', 'a', 'b', 'c', 'hello'], 2, 3000);
      if (!r.error) expect(isHll(r.value)).toBe(true);
      sparseDecode(v);
    }
    expect(refused).toBeGreaterThan(2500);
    // Truncated dense strings are not HLLs at all.
    for (let len = 0; len < 40; len++) expect(isHll(EMPTY_DENSE.slice(0, len))).toBe(false);
  });
});
