// The keys of each hash slot, kept only in cluster mode (Redis's slot_to_keys): what CLUSTER
// COUNTKEYSINSLOT and GETKEYSINSLOT read, and what lets hoard-cluster move a slot's keys without
// scanning the keyspace. One intrusive doubly-linked list per hash slot, threaded through the key
// table's rows (table.ts: a live key keeps its row until deleted), so it costs two Int32 links
// per row (8 B/key, up to 16 with the doubling slack) plus 128 KB of heads and counts — no object
// and no string per key. The hash function is given (cluster/slots.ts's keyHashSlot): keyspace/
// imports nothing above it.
// Invariants: row s is on list slotOf(keys[s]) iff it holds a live key (Db.add links it,
// Db.deleteSlot unlinks it, a flush resets all); count[h] is the length of list h.

const NIL = -1;

export class SlotIndex {
  private next = new Int32Array(1024);
  private prev = new Int32Array(1024);
  private readonly head: Int32Array;
  private readonly count: Int32Array;

  constructor(
    readonly slotOf: (key: string) => number,
    readonly slots = 16384,
  ) {
    this.head = new Int32Array(slots).fill(NIL);
    this.count = new Int32Array(slots);
  }

  /** Row `s` now holds `key`. */
  add(s: number, key: string): void {
    if (s >= this.next.length) this.grow(s);
    const h = this.slotOf(key);
    const first = this.head[h];
    this.next[s] = first;
    this.prev[s] = NIL;
    if (first !== NIL) this.prev[first] = s;
    this.head[h] = s;
    this.count[h]++;
  }

  /** Row `s`, holding `key`, is about to be freed. */
  remove(s: number, key: string): void {
    const h = this.slotOf(key);
    const n = this.next[s];
    const p = this.prev[s];
    if (p === NIL) this.head[h] = n;
    else this.next[p] = n;
    if (n !== NIL) this.prev[n] = p;
    this.count[h]--;
  }

  reset(): void {
    this.head.fill(NIL);
    this.count.fill(0);
    this.next = new Int32Array(1024);
    this.prev = new Int32Array(1024);
  }

  countKeys(slot: number): number {
    return this.count[slot];
  }

  /** Up to `max` rows of `slot` (bounded work: O(max)). */
  rows(slot: number, max: number): number[] {
    const out: number[] = [];
    for (let s = this.head[slot]; s !== NIL && out.length < max; s = this.next[s]) out.push(s);
    return out;
  }

  /** Bytes held by the links (for the per-key cost in memory reports). */
  get bytes(): number {
    return (this.next.length + this.prev.length) * 4 + this.head.length * 8;
  }

  private grow(s: number): void {
    let cap = this.next.length;
    while (cap <= s) cap *= 2;
    const n = new Int32Array(cap);
    n.set(this.next);
    this.next = n;
    const p = new Int32Array(cap);
    p.set(this.prev);
    this.prev = p;
  }
}
