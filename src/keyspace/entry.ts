// A key's entry: its value, its expiry and its place in the db's LRU chain.
// Invariant: an entry is in exactly one db's dict while it exists; `expireAt > 0` iff it is in
// that db's expires set; prev/next link it into that db's LRU chain (head = least recently used).

export type ValueType = 'string' | 'list' | 'hash' | 'set' | 'zset';

/** Collection values (lists, hashes, sets, sorted sets) implement this; strings are plain latin1 strings. */
export interface Collection {
  readonly type: Exclude<ValueType, 'string'>;
  /** Number of elements; a collection that reaches 0 must be deleted by the command that emptied it. */
  readonly size: number;
  /**
   * Optional: total length of the elements' strings (fields + values, members), kept current by
   * the collection. Memory accounting (memory.ts) uses it when present, else samples elements.
   */
  readonly bytes?: number;
}

export type Value = string | Collection;

export function typeOf(v: Value): ValueType {
  return typeof v === 'string' ? 'string' : v.type;
}

export class Entry {
  prev: Entry | null = null;
  next: Entry | null = null;
  /** Absolute unix ms; 0 = no expiry. */
  expireAt = 0;
  /**
   * LRU: seconds (server clock) of last access; LFU: (minutes << 8) | log counter, as Redis keeps
   * either in the same 24 bits depending on maxmemory-policy.
   */
  lru = 0;
  /** Insertion sequence number within its db: the dict's iteration order, used by SCAN cursors. */
  seq = 0;
  /**
   * Bytes this key is accounted for in used_memory (memory.ts), always even; 0 once deleted.
   * Bit 0 is SIEVE's `visited` bit under maxmemory-policy allkeys-sieve (evict.ts).
   */
  mem = 0;
  /**
   * Position in the evictor's sampling index of its db (evict.ts: uniform random samples for
   * the LFU and random policies); meaningful only while that index holds the entry there.
   */
  slot = -1;
  constructor(
    public readonly key: string,
    public value: Value,
  ) {}
}
