// S3-FIFO's ghost queue (evict.ts, allkeys-s3fifo): the keys most recently evicted from the small
// FIFO without having been used there, so that one coming back soon is admitted straight to the
// main FIFO. Only a 32-bit hash of each key is kept (keyHash, as the dict computes it), in a
// table of 4-way buckets; each bucket replaces its own oldest entry (a per-bucket FIFO), which
// approximates one global FIFO of the table's capacity. Measured against an exact ghost FIFO on
// the hit-ratio traces (Zipf 0.99, 1M keys, 10% cache, with and without scans): the same hit
// ratio to 0.01 point, at ~5 B per remembered key (4 B and a quarter of headroom, a byte per
// bucket) instead of a key string and a Map entry.
//
// Invariants: `fp` holds WAYS hashes per bucket, 0 = empty (a key whose hash is 0 is remembered
// as 1: a false positive costs one admission to main, never a wrong reply); `next[b]` is the way
// bucket b overwrites next; a hash lives in bucket bucketOf(h), so a rebuild moves entries by
// their stored hashes.

const WAYS = 4;
const MIN_BUCKETS = 16;

export class GhostFilter {
  private fp!: Uint32Array;
  private next!: Uint8Array;
  private nb = 0;
  /** Bytes of the filter's columns (counted in used_memory with the table's chain). */
  bytes = 0;

  constructor() {
    this.alloc(MIN_BUCKETS);
  }

  /**
   * Room for about `n` keys (up to 1/4 more): grows or shrinks the buckets when n leaves that
   * band. The headroom makes a rebuild (O(buckets)) rare as n drifts with the cache's key count.
   */
  fit(n: number): void {
    const want = Math.max(MIN_BUCKETS, Math.ceil(n / WAYS));
    if (want <= this.nb && 2 * want >= this.nb) return;
    const oldFp = this.fp;
    this.alloc(want + (want >> 2));
    for (let i = 0; i < oldFp.length; i++) if (oldFp[i] !== 0) this.put(oldFp[i]);
  }

  /** Remembers a key by its hash, in place of the oldest one of its bucket. */
  add(hash: number): void {
    this.put(hash >>> 0 || 1);
  }

  /** Whether the key was remembered; it is forgotten either way (it is being admitted). */
  take(hash: number): boolean {
    const h = hash >>> 0 || 1;
    const base = this.bucketOf(h) * WAYS;
    for (let i = base; i < base + WAYS; i++) {
      if (this.fp[i] === h) {
        this.fp[i] = 0;
        return true;
      }
    }
    return false;
  }

  /** Forgets every key (the table was emptied). */
  clear(): void {
    this.alloc(MIN_BUCKETS);
  }

  private alloc(nb: number): void {
    this.nb = nb;
    this.fp = new Uint32Array(nb * WAYS);
    this.next = new Uint8Array(nb);
    this.bytes = nb * (4 * WAYS + 1);
  }

  private put(h: number): void {
    const b = this.bucketOf(h);
    const w = this.next[b];
    this.fp[b * WAYS + w] = h;
    this.next[b] = (w + 1) & (WAYS - 1);
  }

  /** h's bucket: its high bits scaled to the bucket count (any count, not only powers of 2). */
  private bucketOf(h: number): number {
    return Math.floor((h / 0x100000000) * this.nb);
  }
}
