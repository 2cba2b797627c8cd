// The stream value on its own (types/stream.ts): ID parsing as Redis's string2ull and
// streamGenericParseIDOrReply, listpack sizes, node cuts, ranges, tombstones, trimming, the
// ID-ordered map (PELs), a model check of ranges and deletes against a sorted array, clone.

import { describe, expect, it } from 'vitest';
import {
  IdMap,
  ID_MAX,
  StreamValue,
  TRIM_MAXLEN,
  TRIM_MINID,
  formatId,
  lpIntBytes,
  lpStrBytes,
  parseStreamId,
  parseU64,
  type StreamID,
} from '../../../src/types/stream.js';
import { mulberry32 } from '../../helpers/prng.js';
import { streamState } from '../../helpers/stream-state.js';

const cfg = { num: (n: string) => (n === 'stream-node-max-entries' ? 100 : 4096) };
const id = (ms: number | bigint, seq: number | bigint = 0): StreamID => (BigInt(ms) << 64n) | BigInt(seq);

describe('stream IDs', () => {
  it('parseU64 is string2ull: string2ll, else strtoull', () => {
    expect(parseU64('0')).toBe(0n);
    expect(parseU64('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(parseU64('18446744073709551616')).toBe(null);
    expect(parseU64('-1')).toBe(null);
    expect(parseU64('+5')).toBe(5n);
    expect(parseU64(' 7')).toBe(7n);
    expect(parseU64('007')).toBe(7n);
    expect(parseU64('-05')).toBe(2n ** 64n - 5n);
    expect(parseU64('-0')).toBe(0n);
    expect(parseU64('')).toBe(null);
    expect(parseU64(' ')).toBe(null);
    expect(parseU64('5 ')).toBe(null);
    expect(parseU64('0x10')).toBe(null);
  });

  it('parseStreamId forms', () => {
    expect(parseStreamId('-', false, 0n)).toEqual({ id: 0n, seqGiven: true });
    expect(parseStreamId('+', false, 0n)).toEqual({ id: ID_MAX, seqGiven: true });
    expect(parseStreamId('-', true, 0n)).toBe(null);
    expect(parseStreamId('5', false, 2n ** 64n - 1n)!.id).toBe(id(5, 2n ** 64n - 1n));
    expect(parseStreamId('5-*', true, 0n, true)).toEqual({ id: id(5), seqGiven: false });
    expect(parseStreamId('5-*', true, 0n)).toBe(null);
    expect(parseStreamId('5-3\x00junk', true, 0n)!.id).toBe(id(5, 3));
    expect(parseStreamId('1'.repeat(128), true, 0n)).toBe(null);
    expect(formatId(ID_MAX)).toBe('18446744073709551615-18446744073709551615');
  });

  it('listpack element sizes', () => {
    expect([lpIntBytes(0), lpIntBytes(127), lpIntBytes(128), lpIntBytes(-4096), lpIntBytes(4096), lpIntBytes(-32768)]).toEqual([2, 2, 3, 3, 4, 4]);
    expect([lpIntBytes(8388607), lpIntBytes(8388608), lpIntBytes(2 ** 31), lpIntBytes(-(2n ** 63n))]).toEqual([5, 6, 10, 10]);
    expect([lpStrBytes(''), lpStrBytes('a'), lpStrBytes('12'), lpStrBytes('012'), lpStrBytes('x'.repeat(63)), lpStrBytes('x'.repeat(64))]).toEqual([2, 3, 2, 5, 65, 67]);
    expect([lpStrBytes('x'.repeat(200)), lpStrBytes('x'.repeat(4096)), lpStrBytes('-0'), lpStrBytes('9223372036854775808')]).toEqual([204, 4103, 4, 21]);
  });
});

describe('stream nodes, ranges, trimming', () => {
  it('cuts nodes at stream-node-max-entries and at stream-node-max-bytes', () => {
    const s = new StreamValue();
    for (let i = 1; i <= 250; i++) s.append(id(i), ['f', 'v'], cfg);
    expect(s.nodes.map((n) => n.size)).toEqual([100, 100, 50]);
    const t = new StreamValue();
    for (let i = 1; i <= 50; i++) t.append(id(i), ['f', 'x'.repeat(1000)], cfg);
    expect(t.nodes.every((n) => n.lpBytes < 4096 + 1100)).toBe(true);
    expect(t.nodes.length).toBeGreaterThan(10);
  });

  it('a model check: ranges, deletes and trims agree with a sorted array', () => {
    const rnd = mulberry32(7);
    const s = new StreamValue();
    let model: Array<[StreamID, string[]]> = [];
    let ms = 1;
    for (let step = 0; step < 4000; step++) {
      const r = rnd();
      if (r < 0.6) {
        ms += Math.floor(rnd() * 3);
        const nid = s.lastId >= id(ms) ? s.lastId + 1n : id(ms);
        const fv = ['f', String(step)];
        s.append(nid, fv, cfg);
        model.push([nid, fv]);
      } else if (r < 0.8 && model.length > 0) {
        const victim = model[Math.floor(rnd() * model.length)][0];
        expect(s.deleteEntry(victim)).toBe(true);
        model = model.filter((e) => e[0] !== victim);
        s.updateFirstAfterDelete(true);
      } else if (r < 0.85) {
        const maxlen = Math.floor(rnd() * 300);
        const approx = rnd() < 0.5;
        const removed = s.trim({ strategy: TRIM_MAXLEN, maxlen, minid: 0n, approx, limit: 0 });
        model = model.slice(removed);
        if (!approx) expect(model.length).toBe(Math.min(maxlen, model.length + removed));
      } else if (r < 0.88 && model.length > 0) {
        const minid = model[Math.floor(rnd() * model.length)][0];
        const removed = s.trim({ strategy: TRIM_MINID, maxlen: 0, minid, approx: false, limit: 0 });
        expect(model.slice(0, removed).every((e) => e[0] < minid)).toBe(true);
        model = model.slice(removed);
      } else if (model.length > 0) {
        const a = model[Math.floor(rnd() * model.length)][0];
        const z = model[Math.floor(rnd() * model.length)][0];
        const [lo, hi] = a < z ? [a, z] : [z, a];
        const want = model.filter((e) => e[0] >= lo && e[0] <= hi);
        const got: Array<[StreamID, string[]]> = [];
        s.range(lo, hi, false, (i, fv) => (got.push([i, fv]), true));
        expect(got).toEqual(want);
        const rev: Array<[StreamID, string[]]> = [];
        s.range(lo, hi, true, (i, fv) => (rev.push([i, fv]), rev.length < 7));
        expect(rev).toEqual(want.reverse().slice(0, 7));
      }
      expect(s.length).toBe(model.length);
      expect(s.firstId).toBe(model.length ? model[0][0] : 0n);
    }
    expect(streamState(s.clone(), true)).toEqual(streamState(s, true));
  });
});

describe('IdMap', () => {
  it('behaves as a sorted map under random inserts and deletes', () => {
    const rnd = mulberry32(11);
    const m = new IdMap<number>();
    const ref = new Map<bigint, number>();
    for (let i = 0; i < 20000; i++) {
      const k = BigInt(Math.floor(rnd() * 3000));
      if (rnd() < 0.6) {
        expect(m.set(k, i)).toBe(!ref.has(k));
        ref.set(k, i);
      } else {
        expect(m.delete(k)).toBe(ref.get(k));
        ref.delete(k);
      }
    }
    const sorted = [...ref.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect([...m.entries()]).toEqual(sorted);
    expect(m.size).toBe(ref.size);
    expect(m.keysFrom(1500n, 5)).toEqual(sorted.filter((e) => e[0] >= 1500n).slice(0, 5).map((e) => e[0]));
    expect(m.firstKey()).toBe(sorted[0][0]);
    expect(m.lastKey()).toBe(sorted[sorted.length - 1][0]);
  });
});
