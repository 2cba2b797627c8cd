// Array helpers for the value structures' columns (types/list.ts, types/str-dict.ts).

/**
 * A new packed JS array of exactly `n` elements whose first min(n, a.length) are a's (the rest
 * are copies of a's elements, for the caller to overwrite). slice and concat make packed arrays
 * of exactly that length, copied in one go; `new Array(n)` would make a holey one (past ~100k
 * elements a dictionary), and pushing n elements into [] re-grows it ~log1.5(n) times: growing a
 * list to 4M elements took 0.8-1.0 s that way, 0.22-0.29 s this way (micro-benchmark, Node 20).
 * `a` must not be empty unless n is 0.
 */
export function copyToLength<T>(a: T[], n: number): T[] {
  if (n <= a.length) return a.slice(0, n);
  if (a.length === 0) throw new RangeError('copyToLength: cannot lengthen an empty array');
  let b = a;
  while (b.length < n) b = b.concat(b.length <= n - b.length ? b : b.slice(0, n - b.length));
  return b;
}
