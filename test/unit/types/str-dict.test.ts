// StrMap / StrSet against the JS Map / Set they replaced: seeded random operations must give the
// same answers, the same insertion order and — for iterators kept open across any mix of sets,
// deletes, compactions, resizes and clears — exactly the same sequence of steps as a Map
// iterator created at the same moment.

import { describe, it, expect } from 'vitest';
import { StrMap, StrSet } from '../../../src/types/str-dict.js';
import { mulberry32 } from '../../helpers/prng.js';

/** The columns' length (live entries plus holes): the compaction bound is checked against it. */
function places(d: StrMap<unknown> | StrSet): number {
  return d.places;
}

function run(seed: number, universe: number, steps: number, clearEvery: number): { compactions: number; maxLive: number } {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const key = (): string => (int(4) === 0 ? '' : 'k' + int(universe)) + (int(8) === 0 ? '\x00\xff' : '');
  const ours = new StrMap<number>();
  const model = new Map<string, number>();
  const set = new StrSet();
  const setModel = new Set<string>();
  const iters: Array<{ a: Iterator<[string, number]>; b: Iterator<[string, number]>; sa: Iterator<string>; sb: Iterator<string> }> = [];
  let compactions = 0;
  let maxLive = 0;
  for (let step = 0; step < steps; step++) {
    const op = int(100);
    const k = key();
    const before = places(ours);
    if (op < 45) {
      ours.set(k, step);
      model.set(k, step);
      set.add(k);
      setModel.add(k);
    } else if (op < 85) {
      expect(ours.delete(k)).toBe(model.delete(k));
      expect(set.delete(k)).toBe(setModel.delete(k));
    } else if (op < 92) {
      expect(ours.get(k)).toBe(model.get(k));
      expect(ours.has(k)).toBe(model.has(k));
      expect(set.has(k)).toBe(setModel.has(k));
    } else if (op < 96) {
      iters.push({ a: ours.entries(), b: model.entries(), sa: set.values(), sb: setModel.values() });
      if (iters.length > 12) iters.shift();
    } else if (clearEvery > 0 && int(clearEvery) === 0) {
      ours.clear();
      model.clear();
      set.clear();
      setModel.clear();
    }
    if (places(ours) < before && ours.size > 0) compactions++;
    // Advance some open iterators by a step or a few: each must step exactly like the Map's.
    for (const it of iters) {
      for (let n = int(3); n > 0; n--) {
        expect(it.a.next()).toEqual(it.b.next());
        expect(it.sa.next()).toEqual(it.sb.next());
      }
    }
    expect(ours.size).toBe(model.size);
    expect(set.size).toBe(setModel.size);
    // Compaction keeps the holes bounded.
    expect(places(ours)).toBeLessThanOrEqual(2 * ours.size + 17);
    expect(places(set)).toBeLessThanOrEqual(2 * set.size + 17);
    // The columns' capacity: a power of two, at most twice the places used (or the minimum, 4).
    expect(ours.capacity).toBeLessThanOrEqual(Math.max(4, 2 * places(ours)));
    expect(Math.log2(ours.capacity) % 1).toBe(0);
    maxLive = Math.max(maxLive, ours.size);
    if (step % 257 === 0) {
      expect([...ours]).toEqual([...model]);
      expect([...ours.keys()]).toEqual([...model.keys()]);
      expect([...ours.values()]).toEqual([...model.values()]);
      expect([...set]).toEqual([...setModel]);
      const seen: Array<[string, number]> = [];
      ours.forEach((v, kk) => seen.push([kk, v]));
      expect(seen).toEqual([...model]);
    }
  }
  // Every open iterator runs to its end in step with the Map's, and then stays done.
  for (const it of iters) {
    for (;;) {
      const x = it.a.next();
      expect(x).toEqual(it.b.next());
      if (x.done) break;
    }
    for (;;) {
      const x = it.sa.next();
      expect(x).toEqual(it.sb.next());
      if (x.done) break;
    }
    ours.set('appended-after-done', 1);
    model.set('appended-after-done', 1);
    expect(it.a.next()).toEqual(it.b.next());
  }
  return { compactions, maxLive };
}

describe('StrMap / StrSet', () => {
  it('match Map and Set over a small key space (many deletes and re-adds, iterators across compactions)', () => {
    const r = run(1, 40, 12_000, 0);
    expect(r.compactions).toBeGreaterThan(10);
  });

  it('match Map and Set while growing and shrinking through several table sizes, with clears', () => {
    const r = run(2, 5000, 15_000, 300);
    expect(r.maxLive).toBeGreaterThan(500);
  });

  it('shrinks its table and columns when emptied, and keeps working', () => {
    const m = new StrMap<string>();
    for (let i = 0; i < 100_000; i++) m.set('f' + i, 'v' + i);
    const it = m.keys();
    expect(it.next().value).toBe('f0');
    for (let i = 0; i < 99_990; i++) expect(m.delete('f' + i)).toBe(true);
    expect(m.size).toBe(10);
    expect(places(m)).toBeLessThanOrEqual(2 * 10 + 17);
    // A table shrinks once 1/8 full: 10 entries keep at most 80 buckets.
    expect(m.buckets).toBeGreaterThanOrEqual(16);
    expect(m.buckets).toBeLessThanOrEqual(80);
    // The iterator opened before the deletes resumes at the first survivor.
    expect(it.next().value).toBe('f99990');
    for (let i = 99_990; i < 100_000; i++) expect(m.get('f' + i)).toBe('v' + i);
    expect(m.get('f5')).toBeUndefined();
    // Down to 4 entries: no table (lookups scan); past 8 again: a table of 16 buckets.
    for (let i = 99_990; i < 99_996; i++) m.delete('f' + i);
    expect(m.buckets).toBe(0);
    expect([...m.keys()]).toEqual(['f99996', 'f99997', 'f99998', 'f99999']);
    for (let i = 0; i < 5; i++) m.set('g' + i, 'w' + i);
    expect(m.buckets).toBe(16);
    expect(m.get('g4')).toBe('w4');
    expect(m.get('f99996')).toBe('v99996');
  });

  it('randomKey picks every live key, uniformly, whatever the holes', () => {
    const s = new StrSet();
    for (let i = 0; i < 60; i++) s.add('m' + i);
    // Leave holes below the compaction bound: 30 live among 60 places.
    for (let i = 0; i < 60; i += 2) s.delete('m' + i);
    expect(places(s)).toBe(60);
    const counts = new Map<string, number>();
    const picks = 60_000;
    for (let i = 0; i < picks; i++) {
      const k = s.randomKey();
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...s].sort());
    for (const c of counts.values()) {
      expect(c).toBeGreaterThan((picks / 30) * 0.8);
      expect(c).toBeLessThan((picks / 30) * 1.2);
    }
  });
});
