// S3-FIFO's ghost (src/keyspace/ghost.ts): remembers about as many recent keys as it is fitted
// for, forgets older ones and every key it hands back.

import { describe, expect, it } from 'vitest';
import { GhostFilter } from '../../../src/keyspace/ghost.js';
import { mulberry32 } from '../../helpers/prng.js';

function hashes(n: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(rnd() * 0x100000000) | 0);
}

const found = (g: GhostFilter, hs: number[]) => hs.filter((h) => g.take(h)).length;

describe('GhostFilter', () => {
  it('remembers the last n keys it was fitted for, not those 3n ago, and forgets a key it hands back', () => {
    const n = 10_000;
    const g = new GhostFilter();
    g.fit(n);
    const old = hashes(3 * n, 1);
    const recent = hashes(n, 2);
    for (const h of old) g.add(h);
    for (const h of recent) g.add(h);
    // Per-bucket FIFOs lose a few recent keys to crowded buckets; older keys are overwritten.
    const r = found(g, recent);
    expect(r).toBeGreaterThan(0.85 * n);
    expect(found(g, old.slice(0, n))).toBeLessThan(0.02 * n);
    expect(found(g, recent)).toBe(0); // taken once: forgotten
    expect(g.take(12345)).toBe(false);
  });

  it('keeps what it holds when refitted larger, and grows its byte count with it', () => {
    const g = new GhostFilter();
    g.fit(1000);
    const small = g.bytes;
    const hs = hashes(1000, 3);
    for (const h of hs) g.add(h);
    g.fit(8000);
    expect(g.bytes).toBeGreaterThan(6 * small);
    expect(found(g, hs)).toBeGreaterThan(850);
    // Within the band it was fitted for, fit() does not rebuild (entries and size unchanged).
    const before = g.bytes;
    g.fit(7000);
    expect(g.bytes).toBe(before);
  });

  it('takes a key whose hash is 0 like any other', () => {
    const g = new GhostFilter();
    g.add(0);
    expect(g.take(0)).toBe(true);
    expect(g.take(0)).toBe(false);
  });

  it('clear() forgets everything', () => {
    const g = new GhostFilter();
    const hs = hashes(40, 4);
    for (const h of hs) g.add(h);
    g.clear();
    expect(found(g, hs)).toBe(0);
  });
});
