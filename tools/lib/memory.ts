// Estimated heap cost of a key, for hoard-inspect's "biggest keys" and "memory by prefix".
// Like Redis's MEMORY USAGE it is an estimate, good for ranking keys against each other, not an
// accounting: it models V8's 64-bit object sizes for what Hoard keeps per key (DESIGN.md's
// measurements: a Map<string,string> entry of latin1 strings ~181 B/key with 100-byte values,
// an Entry object per key ~60 B more) and per element of each collection type.

import type { Value } from '../../src/keyspace/index.js';
import type { HashValue } from '../../src/types/hash.js';
import type { ZSetValue } from '../../src/types/zset-value.js';
import { elementsOf } from './key-format.js';

/** A one-byte V8 string: 16-byte header (map, hash, length), the bytes, rounded up to 8. */
export function stringBytes(s: string): number {
  return (16 + s.length + 7) & ~7;
}

/** Map slot (~3 words at a typical load factor) + the Entry object (prev, next, expireAt, lru, seq, key, value). */
const PER_KEY = 32 + 64;
/** An object holding a collection (the value class instance with its fields). */
const COLLECTION_OBJECT = 64;
/** The object holding a packed (listpack) collection: header and one field. */
const PACKED_OBJECT = 32;
/** Per-element overhead: list slot; Set entry; Map entry; zset map entry + heap number + skiplist node. */
const PER_LIST_ITEM = 8;
const PER_SET_MEMBER = 24;
const PER_HASH_FIELD = 32;
const PER_ZSET_MEMBER = 32 + 16 + 56;

/** Estimated bytes of heap one key costs (key, entry, value). Walks every element of a collection. */
export function estimateKeyBytes(key: string, v: Value): number {
  let n = PER_KEY + stringBytes(key);
  if (typeof v === 'string') return n + stringBytes(v);
  n += COLLECTION_OBJECT;
  switch (v.type) {
    case 'list':
      for (const s of elementsOf(v) as Iterable<string>) n += PER_LIST_ITEM + stringBytes(s);
      break;
    case 'set':
      for (const s of elementsOf(v) as Iterable<string>) n += PER_SET_MEMBER + stringBytes(s);
      break;
    case 'hash': {
      // A listpack hash is its object and one packed string (src/types/hash.ts).
      const packed = (v as HashValue).packed;
      if (packed !== null) return n - COLLECTION_OBJECT + PACKED_OBJECT + stringBytes(packed);
      for (const [f, val] of elementsOf(v) as Iterable<[string, string]>) n += PER_HASH_FIELD + stringBytes(f) + stringBytes(val);
      break;
    }
    case 'zset': {
      // A listpack zset is its object (header and two fields) and one packed string (src/types/zset-value.ts).
      const z = v as ZSetValue;
      if (z.skiplist === null) return n - COLLECTION_OBJECT + PACKED_OBJECT + 8 + stringBytes(z.packed);
      for (const [m] of elementsOf(v) as Iterable<[string, number]>) n += PER_ZSET_MEMBER + stringBytes(m);
      break;
    }
  }
  return n;
}
