// Uniform random picks from a collection kept in a JS Map or Set (SRANDMEMBER, SPOP,
// HRANDFIELD), which offer no random access. Invariant: `arr` holds every element of the
// collection exactly once and `pos` maps each element to its index in `arr`, so a pick is one
// Math.random() and an array read, and an update is O(1) (swap-remove on delete).
//
// The index costs about 20 bytes per element (measured: a Set of 1M short strings ~21 B/element
// of heap, the same plus this index ~61 B), so a collection builds it only on the first random
// pick once it is larger than RANDOM_WALK_MAX, and drops it when it shrinks well below that;
// smaller collections pick by walking an iterator to a random position (at most
// RANDOM_WALK_MAX steps). Collections that are never sampled never pay for it.

/** Up to this size a random pick walks the collection instead of keeping an index. */
export const RANDOM_WALK_MAX = 128;
/** A collection drops its index when it shrinks below this size. */
export const RANDOM_INDEX_DROP = 64;

export class RandomIndex {
  readonly arr: string[] = [];
  private readonly pos = new Map<string, number>();

  constructor(elements: Iterable<string>) {
    for (const k of elements) this.add(k);
  }

  /** `k` must not be in the index already. */
  add(k: string): void {
    this.pos.set(k, this.arr.length);
    this.arr.push(k);
  }

  delete(k: string): void {
    const i = this.pos.get(k);
    if (i === undefined) return;
    this.pos.delete(k);
    const last = this.arr.pop() as string;
    if (i < this.arr.length) {
      this.arr[i] = last;
      this.pos.set(last, i);
    }
  }

  pick(): string {
    return this.arr[Math.floor(Math.random() * this.arr.length)];
  }
}

/** The element at a uniformly random position of a non-empty Map/Set, by walking to it. */
export function walkToRandom(keys: IterableIterator<string>, size: number): string {
  let n = Math.floor(Math.random() * size);
  let r = keys.next();
  while (n-- > 0) r = keys.next();
  return r.value as string;
}
