// Redis's partial quicksort (pqsort.c: NetBSD's Bentley-McIlroy qsort that only recurses into
// partitions overlapping a wanted index range), ported step for step because the order it leaves
// equal elements in is observable: SORT ... BY ... LIMIT (commands/sort.ts) and GEOSEARCH /
// GEORADIUS* with a COUNT below the number of matches (commands/geo.ts) use it where Redis does.
// It sorts an array of element numbers with a comparator over the caller's own columns.

export type Cmp = (a: number, b: number) => number;

function swap(v: number[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

function vecswap(v: number[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k);
}

function med3(v: number[], a: number, b: number, c: number, cmp: Cmp): number {
  return cmp(v[a], v[b]) < 0
    ? cmp(v[b], v[c]) < 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? c
        : a
    : cmp(v[b], v[c]) > 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? a
        : c;
}

function insertionSort(v: number[], a: number, n: number, cmp: Cmp): void {
  for (let pm = a + 1; pm < a + n; pm++) {
    for (let pl = pm; pl > a && cmp(v[pl - 1], v[pl]) > 0; pl--) swap(v, pl, pl - 1);
  }
}

/**
 * Redis's pqsort (NetBSD's Bentley–McIlroy qsort, partial): sorts v[lrange..rrange] into place,
 * recursing only into partitions that overlap it. Positions are element indexes where pqsort.c
 * has byte pointers; its range tests compare a byte pointer to a partition's last byte, which
 * doubled indexes reproduce (lo = 2 * first, hi = 2 * (last + 1) - 1). Like Redis 7.0's copy
 * (and FreeBSD's since it was found quadratic), no switch to insertion sort after a partition
 * pass without swaps: with it, tied keys came out in another order than redis-server's
 * (SORT lnum ALPHA BY h_*->g LIMIT 0 1 over 9 elements, most without the field).
 */
export function pqsort(v: number[], n: number, cmp: Cmp, lrange: number, rrange: number): void {
  pqsortRange(v, 0, n, cmp, 2 * lrange, 2 * (rrange + 1) - 1);
}

function outside(lr: number, rr: number, a: number, n: number): boolean {
  const l = 2 * a;
  const r = 2 * (a + n) - 1;
  return (lr < l && rr < l) || (lr > r && rr > r);
}

function pqsortRange(v: number[], a: number, n: number, cmp: Cmp, lr: number, rr: number): void {
  for (;;) {
    if (n < 7) return insertionSort(v, a, n, cmp);
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(v, pm - d, pm, pm + d, cmp);
        pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(v, pl, pm, pn, cmp);
    }
    swap(v, a, pm);
    let pa = a + 1;
    let pb = pa;
    let pc = a + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(v[pb], v[a])) <= 0) {
        if (r === 0) {
          swap(v, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(v[pc], v[a])) >= 0) {
        if (r === 0) {
          swap(v, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(v, pb, pc);
      pb++;
      pc--;
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    vecswap(v, a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(v, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && !outside(lr, rr, a, r)) pqsortRange(v, a, r, cmp, lr, rr);
    r = pd - pc;
    if (r <= 1) return;
    // Iterate rather than recurse, as pqsort.c does.
    a = pn - r;
    n = r;
    if (outside(lr, rr, a, n)) return;
  }
}
