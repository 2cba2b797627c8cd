// What a key holds. Where it is held (its slot, expiry, LRU place) is the key table's (table.ts).

export type ValueType = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

/** Collection values (lists, hashes, sets, sorted sets, streams) implement this; strings are plain latin1 strings. */
export interface Collection {
  readonly type: Exclude<ValueType, 'string'>;
  /**
   * Number of elements; a collection that reaches 0 must be deleted by the command that emptied
   * it — except a stream, the one type that exists empty (its size is its live entry count).
   */
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
