// Per-command latency histogram (INFO latencystats, LATENCY HISTOGRAM): the HdrHistogram Redis
// 7.0 keeps per command (server.c: hdr_init(1 ns, 1 s, 2 significant digits)), laid out the same
// way so that the percentiles and the histogram read back exactly as Redis's would for the same
// samples.
//
// Layout (hdr_histogram.c with lowest 1, highest 1e9, 2 significant figures): 256 sub-buckets,
// the upper 128 of them per bucket of doubling width; values below 256 ns are exact, above that
// a value v shares its slot with the 2^k values v - v % 2^k ... where k = floor(log2 v) - 7
// (relative precision 1/128 to 1/256). Bucket b (0..22) covers [128 << b, 256 << b) (bucket 0
// also [0, 128)) in slots (b + 1) * 128 + (v >> b) - 128: 24 * 128 = 3072 counters, 24 KB, made
// only for commands that run while latency-tracking is on.
//
// Invariant: counts[i] is the number of recorded values whose slot is i; total = sum(counts).

/** Recorded values are clamped to [1 ns, 1 s], as Redis's updateCommandLatencyHistogram does. */
const MIN_NS = 1;
const MAX_NS = 1_000_000_000;
const HALF = 128;
const SLOTS = 24 * HALF;

/** The bucket of v (1 <= v < 2^31): 0 below 256, then one per doubling. */
function bucketOf(v: number): number {
  return 24 - Math.clz32(v | 255);
}

/** The smallest value sharing v's slot (HdrHistogram's lowest_equivalent_value). */
export function lowestEquivalent(v: number): number {
  const b = bucketOf(v);
  return (v >>> b) << b;
}

/** The largest value sharing v's slot (highest_equivalent_value). */
export function highestEquivalent(v: number): number {
  const b = bucketOf(v);
  return ((v >>> b) << b) + (1 << b) - 1;
}

/** The smallest value of slot i (hdr_value_at_index). */
function valueAt(i: number): number {
  let b = (i >> 7) - 1;
  let sub = (i & (HALF - 1)) + HALF;
  if (b < 0) {
    sub -= HALF;
    b = 0;
  }
  return sub << b;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(SLOTS);
  total = 0;

  /** Records one latency of `ns` nanoseconds. */
  record(ns: number): void {
    const v = ns >= MAX_NS ? MAX_NS : ns >= MIN_NS ? ns | 0 : MIN_NS;
    const b = bucketOf(v);
    this.counts[((b + 1) << 7) + (v >>> b) - HALF]++;
    this.total++;
  }

  /**
   * hdr_value_at_percentile: the highest value of the slot holding the sample at that rank
   * (the lowest one for percentile 0); 0 when empty.
   */
  valueAtPercentile(percentile: number): number {
    const p = percentile < 100 ? percentile : 100;
    const want = Math.max(1, Math.floor((p / 100) * this.total + 0.5));
    const counts = this.counts;
    let seen = 0;
    for (let i = 0; i < SLOTS; i++) {
      seen += counts[i];
      if (seen >= want) {
        const v = valueAt(i);
        return percentile === 0 ? lowestEquivalent(v) : highestEquivalent(v);
      }
    }
    return 0;
  }

  /**
   * LATENCY HISTOGRAM's "histogram_usec" (Redis fillCommandCDF over hdr_iter_log_init(1024, 2)):
   * at reporting levels of 1024 ns doubling, the level's highest equivalent value in whole
   * microseconds and the number of samples up to it, for the levels where that number grew.
   */
  cumulative(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const counts = this.counts;
    let i = -1;
    let value = 0;
    let seen = 0;
    // Every sample is at most MAX_NS, so the levels up to it (21 of them) see them all.
    for (let level = 1024; seen < this.total; level *= 2) {
      // On to the first slot at or past the level, its count included (the log iterator's step).
      const floor = lowestEquivalent(Math.min(level, MAX_NS));
      const before = seen;
      while (value < floor && i + 1 < SLOTS) {
        i++;
        seen += counts[i];
        value = valueAt(i);
      }
      if (seen > before) out.push([Math.floor(highestEquivalent(value) / 1000), seen]);
      if (level >= MAX_NS) break;
    }
    return out;
  }
}
