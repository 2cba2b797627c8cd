// LatencyHistogram against a model written from HdrHistogram's definition for Redis's parameters
// (1 ns .. 1 s, 2 significant digits): a value v >= 256 shares its slot with the values that
// agree with it down to bit k = floor(log2 v) - 7; smaller ones are exact. Percentiles are the
// highest value of the slot holding the sample of rank max(1, round(p% of n)) (the lowest for
// p = 0); the cumulative distribution reports, at 1024 ns, 2048 ns, ..., the highest value of
// the level's slot in whole microseconds and how many samples lie at or below it.
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../src/util/latency-histogram.js';
import { mulberry32 } from '../../helpers/prng.js';

function slotWidth(v: number): number {
  return v < 256 ? 1 : 2 ** (Math.floor(Math.log2(v)) - 7);
}
const lowest = (v: number) => v - (v % slotWidth(v));
const highest = (v: number) => lowest(v) + slotWidth(v) - 1;
const clamp = (ns: number) => Math.min(1e9, Math.max(1, Math.trunc(ns)));

function modelPercentile(values: number[], p: number): number {
  const sorted = values.map(clamp).sort((a, b) => a - b);
  const rank = Math.max(1, Math.floor((Math.min(p, 100) / 100) * sorted.length + 0.5));
  const v = sorted[rank - 1];
  return p === 0 ? lowest(v) : highest(v);
}

function modelCumulative(values: number[]): Array<[number, number]> {
  const vs = values.map(clamp);
  const out: Array<[number, number]> = [];
  let prev = 0;
  for (let level = 1024; prev < vs.length; level *= 2) {
    const top = highest(Math.min(level, 1e9));
    const n = vs.filter((v) => v <= top).length;
    if (n > prev) out.push([Math.floor(top / 1000), n]);
    prev = n;
  }
  return out;
}

describe('LatencyHistogram', () => {
  it('percentiles and cumulative distribution match the model on random samples', () => {
    const rnd = mulberry32(7);
    for (let round = 0; round < 40; round++) {
      const n = 1 + Math.floor(rnd() * 3000);
      const values: number[] = [];
      // Log-uniform from 0.1 ns to ~2 s: exact slots, wide slots and both clamps.
      for (let i = 0; i < n; i++) values.push(10 ** (rnd() * 10.3 - 1));
      const h = new LatencyHistogram();
      for (const v of values) h.record(v);
      expect(h.total).toBe(n);
      for (const p of [0, 0.1, 1, 25, 50, 90, 99, 99.9, 100, 120]) {
        expect([round, p, h.valueAtPercentile(p)]).toEqual([round, p, modelPercentile(values, p)]);
      }
      expect(h.cumulative()).toEqual(modelCumulative(values));
    }
  });

  it("reads like Redis's INFO for whole microseconds: 1000 ns is 1.003 us, 2000 ns 2.007", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 98; i++) h.record(1000);
    h.record(2000);
    h.record(5000);
    expect(h.valueAtPercentile(50)).toBe(1003);
    expect(h.valueAtPercentile(99)).toBe(2007);
    expect(h.valueAtPercentile(99.9)).toBe(5023);
    expect(h.cumulative()).toEqual([
      [1, 98],
      [2, 99],
      [8, 100],
    ]);
  });

  it('is empty until something is recorded', () => {
    const h = new LatencyHistogram();
    expect(h.valueAtPercentile(50)).toBe(0);
    expect(h.cumulative()).toEqual([]);
  });
});
