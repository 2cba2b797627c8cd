// Seeded PRNGs for tests and benchmarks, so a failure names the seed that reproduces it and two
// servers can be fed the same workload. Two algorithms, kept apart: each test pins the sequence of
// the one it was written with (its seeds and expectations depend on it), so neither replaces the
// other. Both return floats in [0, 1).

/** mulberry32: a 32-bit state, good spread; the default choice. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** xorshift32 (13, 17, 5): seed 0 would stick at 0, so it becomes 1. */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}
