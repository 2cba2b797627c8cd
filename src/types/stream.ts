// The stream value (Redis t_stream.c, stream.h): entries ordered by ID, consumer groups with
// their pending entries lists (PEL) and consumers.
//
// Layout. An ID is one bigint, (ms << 64) | seq, so every 64-bit ID (up to
// 18446744073709551615-18446744073709551615) compares and increments exactly. Entries live in
// nodes that mirror Redis's listpack nodes one for one: a node starts with a "master entry" (the
// first entry's ID and field names), takes entries until it holds stream-node-max-entries
// (live + deleted) or its listpack would reach stream-node-max-bytes, and keeps deleted entries
// as tombstones (XDEL and exact trimming only flag them) until the node goes as a whole. The
// node's listpack size is computed, not built (listpackBytes), with Redis's element encodings.
// Why mirror Redis's nodes rather than pick any chunking: approximate trimming (`~`) removes
// whole nodes only, so its reply (how many entries went) and XINFO's radix-tree-keys depend on
// where Redis would have cut the nodes; with the same cuts Hoard answers the same numbers.
// Nodes are an array sorted by master ID: append is O(1) amortized, lookup and range start
// O(log n) (binary search over nodes, then within the node).
//
// Invariants: nodes are non-empty arrays of ascending IDs and every ID of node i is below
// every ID of node i+1; a node with no live entry exists only as exact trimming leaves it (as in
// Redis); `length` = live entries; `firstId` is the first live ID (0-0 when empty); `lastId` is
// the highest ID ever generated or set (XSETID); each PEL entry (NACK) is in its group's PEL and
// in exactly its consumer's PEL; a stream may be empty and stays in the keyspace.

import type { Collection } from '../keyspace/entry.js';
import type { EncodingConfig } from './list.js';

// ---- IDs ----------------------------------------------------------------------------------

export type StreamID = bigint;
export const U64_MAX = (1n << 64n) - 1n;
export const ID_ZERO = 0n;
export const ID_MAX = (1n << 128n) - 1n;

export function makeId(ms: bigint, seq: bigint): StreamID {
  return (ms << 64n) | seq;
}
export function idMs(id: StreamID): bigint {
  return id >> 64n;
}
export function idSeq(id: StreamID): bigint {
  return id & U64_MAX;
}
export function formatId(id: StreamID): string {
  return `${id >> 64n}-${id & U64_MAX}`;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Redis's string2ull: string2ll (rejecting negatives), else strtoull (leading spaces, a sign,
 * wrap-around negation, no trailing bytes, no overflow). null when invalid.
 */
export function parseU64(s: string): bigint | null {
  const ll = strictInt(s);
  if (ll !== null) return ll < 0n ? null : ll;
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    neg = s.charCodeAt(i) === 45;
    i++;
  }
  const start = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start || i !== n) return null;
  let v = BigInt(s.slice(start, i));
  if (v > U64_MAX) return null;
  if (neg) v = (-v) & U64_MAX;
  return v;
}

/** string2ll's grammar as a bigint (no range clamp beyond 20 chars), or null. */
function strictInt(s: string): bigint | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (len === 1) return null;
  }
  const c0 = s.charCodeAt(i);
  if (c0 === 48) return len === 1 ? 0n : null;
  if (c0 < 49 || c0 > 57) return null;
  for (let j = i + 1; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v < -(1n << 63n) || v > (1n << 63n) - 1n) return null;
  return v;
}

export interface ParsedId {
  id: StreamID;
  /** False for the `<ms>-*` form (only when the caller allows it). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply: "-" and "+" (unless strict), "<ms>" (seq = missingSeq),
 * "<ms>-<seq>", and "<ms>-*" when `allowStar`. null when invalid. Like Redis, the text is read
 * as a C string (up to its first NUL byte) and must be shorter than 128 bytes.
 */
export function parseStreamId(arg: string, strict: boolean, missingSeq: bigint, allowStar = false): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const s = nul >= 0 ? arg.slice(0, nul) : arg;
  if (s === '-') return strict ? null : { id: ID_ZERO, seqGiven: true };
  if (s === '+') return strict ? null : { id: ID_MAX, seqGiven: true };
  const dash = s.indexOf('-');
  const msPart = dash >= 0 ? s.slice(0, dash) : s;
  const ms = fastU64(msPart);
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const seqPart = s.slice(dash + 1);
  if (allowStar && seqPart === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = fastU64(seqPart);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqGiven: true };
}

/** parseU64 with a fast path for plain digit strings of up to 15 digits. */
function fastU64(s: string): bigint | null {
  const n = s.length;
  if (n > 0 && n <= 15) {
    let ok = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) {
        ok = false;
        break;
      }
    }
    if (ok && (s.charCodeAt(0) !== 48 || n === 1)) return BigInt(s);
  }
  return parseU64(s);
}

// ---- listpack sizes (Redis listpack.c) -----------------------------------------------------

/** Bytes of the backlen that follows an element whose encoding + data take `l` bytes. */
function backlenBytes(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of an integer element (lpEncodeIntegerGetType), backlen included. */
export function lpIntBytes(v: number | bigint): number {
  let size: number;
  if (typeof v === 'number') {
    if (v >= 0 && v <= 127) size = 1;
    else if (v >= -4096 && v <= 4095) size = 2;
    else if (v >= -32768 && v <= 32767) size = 3;
    else if (v >= -8388608 && v <= 8388607) size = 4;
    else if (v >= -2147483648 && v <= 2147483647) size = 5;
    else size = 9;
  } else {
    if (v >= 0n && v <= 127n) size = 1;
    else if (v >= -4096n && v <= 4095n) size = 2;
    else if (v >= -32768n && v <= 32767n) size = 3;
    else if (v >= -8388608n && v <= 8388607n) size = 4;
    else if (v >= -2147483648n && v <= 2147483647n) size = 5;
    else size = 9;
  }
  return size + 1;
}

/** Bytes of a string element: integer-encoded when lpStringToInt64 accepts it (string2ll rules). */
export function lpStrBytes(s: string): number {
  const len = s.length;
  if (len > 0 && len < 21) {
    const v = strictIntSmall(s);
    if (v !== null) return lpIntBytes(v);
  }
  const size = len <= 63 ? 1 + len : len <= 4095 ? 2 + len : 5 + len;
  return size + backlenBytes(size);
}

/** strictInt without allocating for the common cases: a number, or null when not an int64. */
function strictIntSmall(s: string): number | bigint | null {
  const len = s.length;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (len === 1) return null;
  }
  const c0 = s.charCodeAt(i);
  if (c0 === 48) return len === 1 ? 0 : null;
  if (c0 < 49 || c0 > 57) return null;
  let v = 0;
  for (let j = i; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (len - i <= 15) return i === 1 ? -v : v;
  return strictInt(s);
}

/** (a - b) as Redis stores it: uint64 subtraction read back as int64. */
export function deltaI64(a: bigint, b: bigint): bigint {
  const d = (a - b) & U64_MAX;
  return d >= 1n << 63n ? d - (1n << 64n) : d;
}

/** Entry and node sizes on the listpack side. */
const LP_HEADER = 6;
const LP_EOF = 1;
/** Redis's STREAM_LISTPACK_MAX_SIZE. */
const STREAM_LISTPACK_MAX_SIZE = 1 << 30;

// ---- nodes ----------------------------------------------------------------------------------

/** One listpack node: a master entry and entries (deleted ones kept as tombstones). */
export class StreamNode {
  readonly ids: StreamID[] = [];
  /** Field-value pairs of each entry, flat. */
  readonly fvs: string[][] = [];
  readonly deleted: boolean[] = [];
  /** Live entries. */
  count = 0;
  /** Tombstones. */
  delCount = 0;
  /** Listpack bytes other than the header, EOF and the count/deleted integers. */
  baseBytes = 0;
  constructor(
    readonly masterId: StreamID,
    readonly masterFields: string[],
  ) {
    let b = lpIntBytes(masterFields.length) + lpIntBytes(0);
    for (let i = 0; i < masterFields.length; i++) b += lpStrBytes(masterFields[i]);
    this.baseBytes = b;
  }

  /** What lpBytes() of Redis's listpack for this node answers. */
  get lpBytes(): number {
    return LP_HEADER + LP_EOF + lpIntBytes(this.count) + lpIntBytes(this.delCount) + this.baseBytes;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Does the entry carry exactly the master fields (Redis's SAMEFIELDS flag)? */
  sameFields(fv: readonly string[]): boolean {
    const mf = this.masterFields;
    if (fv.length !== mf.length * 2) return false;
    for (let i = 0; i < mf.length; i++) if (fv[2 * i] !== mf[i]) return false;
    return true;
  }

  /** Appends an entry, adding its listpack bytes (streamAppendItem). */
  push(id: StreamID, fv: string[]): void {
    const same = this.sameFields(fv);
    const nf = fv.length >>> 1;
    let b = 2; // flags: 0..3, one byte + backlen
    b += lpIntBytes(deltaI64(idMs(id), idMs(this.masterId)));
    b += lpIntBytes(deltaI64(idSeq(id), idSeq(this.masterId)));
    if (!same) b += lpIntBytes(nf);
    for (let i = 0; i < nf; i++) {
      if (!same) b += lpStrBytes(fv[2 * i]);
      b += lpStrBytes(fv[2 * i + 1]);
    }
    b += lpIntBytes(same ? nf + 3 : 2 * nf + 4);
    this.baseBytes += b;
    // An entry with the master's fields shares the master's field strings (Redis's SAMEFIELDS
    // entries store no field names at all): one copy per node, not per entry.
    if (same) for (let i = 0; i < nf; i++) fv[2 * i] = this.masterFields[i];
    this.ids.push(id);
    this.fvs.push(fv);
    this.deleted.push(false);
    this.count++;
  }

  /** Index of the first entry with ID >= id (ids.length when none). */
  lowerBound(id: StreamID): number {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (ids[m] < id) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  get lastId(): StreamID {
    return this.ids[this.ids.length - 1];
  }
}

// ---- an ID-ordered map (PELs) ----------------------------------------------------------------

const MAP_CHUNK = 128;

/**
 * A sorted map keyed by stream ID: chunks of up to MAP_CHUNK ascending keys, the chunks in order.
 * Lookup, insert and delete are O(log n + MAP_CHUNK); appending at the end (the usual delivery
 * order) and deleting from the front (the usual XACK order) stay cheap.
 */
export class IdMap<V> {
  private keys: StreamID[][] = [];
  private vals: V[][] = [];
  size = 0;

  /** Index of the chunk that holds or would hold `id`. */
  private chunkOf(id: StreamID): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length - 1;
    if (hi <= 0) return 0;
    while (lo < hi) {
      const m = (lo + hi + 1) >>> 1;
      if (keys[m][0] <= id) lo = m;
      else hi = m - 1;
    }
    return lo;
  }

  private static lb(a: StreamID[], id: StreamID): number {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (a[m] < id) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  get(id: StreamID): V | undefined {
    if (this.size === 0) return undefined;
    const ci = this.chunkOf(id);
    const k = this.keys[ci];
    const i = IdMap.lb(k, id);
    return i < k.length && k[i] === id ? this.vals[ci][i] : undefined;
  }

  has(id: StreamID): boolean {
    return this.get(id) !== undefined;
  }

  /** Inserts or replaces; true when the key was new. */
  set(id: StreamID, v: V): boolean {
    if (this.keys.length === 0) {
      this.keys.push([id]);
      this.vals.push([v]);
      this.size = 1;
      return true;
    }
    const ci = this.chunkOf(id);
    const k = this.keys[ci];
    const vs = this.vals[ci];
    const i = IdMap.lb(k, id);
    if (i < k.length && k[i] === id) {
      vs[i] = v;
      return false;
    }
    if (i === k.length) {
      k.push(id);
      vs.push(v);
    } else {
      k.splice(i, 0, id);
      vs.splice(i, 0, v);
    }
    this.size++;
    if (k.length > MAP_CHUNK) {
      const half = k.length >>> 1;
      this.keys.splice(ci + 1, 0, k.splice(half));
      this.vals.splice(ci + 1, 0, vs.splice(half));
    }
    return true;
  }

  delete(id: StreamID): V | undefined {
    if (this.size === 0) return undefined;
    const ci = this.chunkOf(id);
    const k = this.keys[ci];
    const i = IdMap.lb(k, id);
    if (i >= k.length || k[i] !== id) return undefined;
    const v = this.vals[ci][i];
    if (i === 0 && k.length > 1) {
      k.shift();
      this.vals[ci].shift();
    } else {
      k.splice(i, 1);
      this.vals[ci].splice(i, 1);
    }
    if (k.length === 0) {
      this.keys.splice(ci, 1);
      this.vals.splice(ci, 1);
    }
    this.size--;
    return v;
  }

  /** Entries with key >= start, ascending. Do not change the map while iterating. */
  *from(start: StreamID): IterableIterator<[StreamID, V]> {
    if (this.size === 0) return;
    let ci = this.chunkOf(start);
    let i = IdMap.lb(this.keys[ci], start);
    for (; ci < this.keys.length; ci++, i = 0) {
      const k = this.keys[ci];
      const vs = this.vals[ci];
      for (; i < k.length; i++) yield [k[i], vs[i]];
    }
  }

  /** Keys with key >= start, up to `max` of them (a snapshot: the map may change afterwards). */
  keysFrom(start: StreamID, max: number): StreamID[] {
    const out: StreamID[] = [];
    if (this.size === 0 || max <= 0) return out;
    let ci = this.chunkOf(start);
    let i = IdMap.lb(this.keys[ci], start);
    for (; ci < this.keys.length; ci++, i = 0) {
      const k = this.keys[ci];
      for (; i < k.length; i++) {
        out.push(k[i]);
        if (out.length >= max) return out;
      }
    }
    return out;
  }

  *entries(): IterableIterator<[StreamID, V]> {
    yield* this.from(0n);
  }

  firstKey(): StreamID | undefined {
    return this.size === 0 ? undefined : this.keys[0][0];
  }

  lastKey(): StreamID | undefined {
    if (this.size === 0) return undefined;
    const k = this.keys[this.keys.length - 1];
    return k[k.length - 1];
  }
}

// ---- consumer groups ---------------------------------------------------------------------------

/** A pending entry (Redis's streamNACK): owned by one consumer, in its group's and its PEL. */
export class StreamNACK {
  constructor(
    public consumer: StreamConsumer,
    /** Unix ms of the last delivery. */
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

export class StreamConsumer {
  readonly pel = new IdMap<StreamNACK>();
  constructor(
    readonly name: string,
    /** Unix ms of the last interaction (XINFO CONSUMERS idle). */
    public seenTime: number,
  ) {}
}

/** Redis's SCG_INVALID_ENTRIES_READ. */
export const ENTRIES_READ_INVALID = -1;

export class StreamCG {
  readonly pel = new IdMap<StreamNACK>();
  readonly consumers = new Map<string, StreamConsumer>();
  constructor(
    readonly name: string,
    public lastId: StreamID,
    /** Logical read counter of lastId, or ENTRIES_READ_INVALID. */
    public entriesRead: number,
  ) {}

  /** Consumers in Redis's rax order (byte order of the names). */
  sortedConsumers(): StreamConsumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

// ---- the stream ---------------------------------------------------------------------------------

/** What the stream reads of the config (stream-node-max-bytes / -entries). */
export interface StreamConfig {
  num(name: string): number;
}

export const TRIM_NONE = 0;
export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

export interface TrimArgs {
  strategy: number;
  /** MAXLEN threshold. */
  maxlen: number;
  /** MINID threshold. */
  minid: StreamID;
  approx: boolean;
  /** Max entries removed (approx only); 0 = no limit. */
  limit: number;
}

/** Heap estimate constants (V8, Node 20 x64): see heapBytes. */
const STREAM_FIXED = 200;
const NODE_FIXED = 200;
const ENTRY_FIXED = 96;
const STRING_FIXED = 20;
const NACK_FIXED = 160;
const CONSUMER_FIXED = 180;
const GROUP_FIXED = 260;

export class StreamValue implements Collection {
  readonly type = 'stream' as const;
  nodes: StreamNode[] = [];
  /** Live entries. */
  length = 0;
  lastId: StreamID = 0n;
  firstId: StreamID = 0n;
  maxDeletedId: StreamID = 0n;
  entriesAdded = 0;
  groups: Map<string, StreamCG> | null = null;
  /** Total length of the stored entries' strings (tombstones included: they hold memory). */
  bytes = 0;
  /** A running estimate of the value's heap (memory.ts reads it). */
  heapBytes = STREAM_FIXED;

  get size(): number {
    return this.length;
  }

  encoding(): string {
    return 'stream';
  }

  // ---- append ---------------------------------------------------------------------------------

  /**
   * Redis's streamAppendItem after the ID was decided: appends `fv` (field-value pairs) as `id`
   * (> lastId, checked by the caller), opening a new node where Redis would.
   */
  append(id: StreamID, fv: string[], cfg: StreamConfig): void {
    let tail = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : null;
    if (tail !== null) {
      let maxBytes = cfg.num('stream-node-max-bytes');
      if (maxBytes === 0 || maxBytes > STREAM_LISTPACK_MAX_SIZE) maxBytes = STREAM_LISTPACK_MAX_SIZE;
      let total = 0;
      for (let i = 0; i < fv.length; i++) total += fv[i].length;
      const maxEntries = cfg.num('stream-node-max-entries');
      if (tail.lpBytes + total >= maxBytes) tail = null;
      // After XSETID moved the last ID below a trailing tombstone (7.0 allows it), Redis appends
      // out of order into the listpack; a new node keeps each node's IDs ascending here.
      else if (id <= tail.lastId) tail = null;
      else if (maxEntries !== 0 && tail.count + tail.delCount >= maxEntries) tail = null;
    }
    if (tail === null) {
      const mf: string[] = new Array(fv.length >>> 1);
      for (let i = 0; i < mf.length; i++) mf[i] = fv[2 * i];
      tail = new StreamNode(id, mf);
      this.nodes.push(tail);
      this.heapBytes += NODE_FIXED;
    }
    tail.push(id, fv);
    let b = 0;
    for (let i = 0; i < fv.length; i++) b += fv[i].length;
    this.bytes += b;
    this.heapBytes += ENTRY_FIXED + 8 * fv.length + fv.length * STRING_FIXED + b;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** The next automatic ID after lastId at `now` ms (streamNextID): null when exhausted. */
  nextId(now: number): StreamID | null {
    const ms = idMs(this.lastId);
    const nowB = BigInt(now);
    if (nowB > ms) return makeId(nowB, 0n);
    if (this.lastId === ID_MAX) return null;
    return this.lastId + 1n;
  }

  // ---- lookup and ranges -------------------------------------------------------------------------

  /** Index of the node that holds or would hold `id` (-1 when before every node). */
  private nodeOf(id: StreamID): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    if (hi < 0 || nodes[0].masterId > id) return -1;
    while (lo < hi) {
      const m = (lo + hi + 1) >>> 1;
      if (nodes[m].masterId <= id) lo = m;
      else hi = m - 1;
    }
    return lo;
  }

  /** The fields of the live entry `id`, or undefined. */
  get(id: StreamID): string[] | undefined {
    const ni = this.nodeOf(id);
    if (ni < 0) return undefined;
    const n = this.nodes[ni];
    const i = n.lowerBound(id);
    if (i < n.ids.length && n.ids[i] === id && !n.deleted[i]) return n.fvs[i];
    return undefined;
  }

  /**
   * Calls fn(id, fields) for live entries in [start, end], ascending or (rev) descending, until
   * fn returns false. The stream must not change during the walk.
   */
  range(start: StreamID, end: StreamID, rev: boolean, fn: (id: StreamID, fv: string[]) => boolean): void {
    if (start > end || this.length === 0) return;
    const nodes = this.nodes;
    if (!rev) {
      let ni = this.nodeOf(start);
      let i = 0;
      if (ni < 0) ni = 0;
      else i = nodes[ni].lowerBound(start);
      for (; ni < nodes.length; ni++, i = 0) {
        const n = nodes[ni];
        for (; i < n.ids.length; i++) {
          if (n.deleted[i]) continue;
          // Like Redis's iterator, only live entries end the walk (tombstones may be out of
          // order after XSETID, see append).
          const id = n.ids[i];
          if (id > end) return;
          if (!fn(id, n.fvs[i])) return;
        }
      }
    } else {
      let ni = this.nodeOf(end);
      if (ni < 0) return;
      let i = nodes[ni].lowerBound(end);
      if (i >= nodes[ni].ids.length || nodes[ni].ids[i] !== end) i--;
      for (; ni >= 0; ni--, i = ni >= 0 ? nodes[ni].ids.length - 1 : 0) {
        const n = nodes[ni];
        for (; i >= 0; i--) {
          if (n.deleted[i]) continue;
          const id = n.ids[i];
          if (id < start) return;
          if (!fn(id, n.fvs[i])) return;
        }
      }
    }
  }

  /** The last live entry's ID (streamLastValidID): 0-0 when empty. */
  lastValidId(): StreamID {
    let out = 0n;
    this.range(0n, ID_MAX, true, (id) => {
      out = id;
      return false;
    });
    return out;
  }

  /** The first (or last) live entry's ID, 0-0 when empty (streamGetEdgeID). */
  edgeId(first: boolean): StreamID {
    let out = 0n;
    this.range(0n, ID_MAX, !first, (id) => {
      out = id;
      return false;
    });
    return out;
  }

  // ---- deletion and trimming ---------------------------------------------------------------------

  private removeNodeAt(ni: number): void {
    const n = this.nodes[ni];
    let b = 0;
    let strings = 0;
    for (let i = 0; i < n.fvs.length; i++) {
      const fv = n.fvs[i];
      for (let j = 0; j < fv.length; j++) b += fv[j].length;
      strings += fv.length;
    }
    this.bytes -= b;
    this.heapBytes -= NODE_FIXED + n.ids.length * ENTRY_FIXED + strings * (8 + STRING_FIXED) + b;
    if (ni === 0) this.nodes.shift();
    else this.nodes.splice(ni, 1);
  }

  /**
   * Redis's streamDeleteItem + XDEL's bookkeeping for one ID: true when a live entry went. The
   * node goes when its last live entry does (streamIteratorRemoveEntry). The caller updates
   * firstId once after a batch (updateFirstAfterDelete).
   */
  deleteEntry(id: StreamID): boolean {
    const ni = this.nodeOf(id);
    if (ni < 0) return false;
    const n = this.nodes[ni];
    const i = n.lowerBound(id);
    if (i >= n.ids.length || n.ids[i] !== id || n.deleted[i]) return false;
    if (n.count === 1) {
      this.removeNodeAt(ni);
    } else {
      n.deleted[i] = true;
      n.count--;
      n.delCount++;
    }
    this.length--;
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    return true;
  }

  /** XDEL's first-ID update after deleting (deletedFirst: the old first entry went). */
  updateFirstAfterDelete(deletedFirst: boolean): void {
    if (this.length === 0) this.firstId = 0n;
    else if (deletedFirst) this.firstId = this.edgeId(true);
  }

  /** Redis's streamTrim: returns the number of entries removed. */
  trim(a: TrimArgs): number {
    let deleted = 0;
    const nodes = this.nodes;
    while (nodes.length > 0) {
      if (a.strategy === TRIM_MAXLEN && this.length <= a.maxlen) break;
      const n = nodes[0];
      const entries = n.count;
      if (a.limit && deleted + entries > a.limit) break;
      const removeNode = a.strategy === TRIM_MAXLEN ? this.length - entries >= a.maxlen : n.lastId < a.minid;
      if (removeNode) {
        this.removeNodeAt(0);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      let fromNode = 0;
      for (let i = 0; i < n.ids.length; i++) {
        const stop = a.strategy === TRIM_MAXLEN ? this.length <= a.maxlen : n.ids[i] >= a.minid;
        if (stop) break;
        if (!n.deleted[i]) {
          n.deleted[i] = true;
          fromNode++;
          this.length--;
        }
      }
      n.count -= fromNode;
      n.delCount += fromNode;
      deleted += fromNode;
      break;
    }
    if (this.length === 0) this.firstId = 0n;
    else this.firstId = this.edgeId(true);
    return deleted;
  }

  // ---- groups ------------------------------------------------------------------------------------

  group(name: string): StreamCG | undefined {
    return this.groups?.get(name);
  }

  /** streamCreateCG: null when the name is taken. */
  createGroup(name: string, lastId: StreamID, entriesRead: number): StreamCG | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const cg = new StreamCG(name, lastId, entriesRead);
    this.groups.set(name, cg);
    this.heapBytes += GROUP_FIXED + name.length;
    return cg;
  }

  destroyGroup(name: string): boolean {
    const cg = this.groups?.get(name);
    if (cg === undefined) return false;
    this.groups!.delete(name);
    this.heapBytes -= GROUP_FIXED + name.length + cg.pel.size * NACK_FIXED;
    for (const c of cg.consumers.values()) this.heapBytes -= CONSUMER_FIXED + c.name.length;
    return true;
  }

  /** Groups in Redis's rax order (byte order of the names). */
  sortedGroups(): StreamCG[] {
    if (this.groups === null) return [];
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get groupCount(): number {
    return this.groups === null ? 0 : this.groups.size;
  }

  createConsumer(cg: StreamCG, name: string, now: number): StreamConsumer | null {
    if (cg.consumers.has(name)) return null;
    const c = new StreamConsumer(name, now);
    cg.consumers.set(name, c);
    this.heapBytes += CONSUMER_FIXED + name.length;
    return c;
  }

  /** streamDelConsumer: its pending entries leave the group's PEL too. */
  deleteConsumer(cg: StreamCG, c: StreamConsumer): void {
    for (const [id] of c.pel.entries()) cg.pel.delete(id);
    this.heapBytes -= CONSUMER_FIXED + c.name.length + c.pel.size * NACK_FIXED;
    cg.consumers.delete(c.name);
  }

  /** Adds a NACK for `id` to the group's and the consumer's PEL (it must not be pending). */
  addNack(cg: StreamCG, id: StreamID, nack: StreamNACK): void {
    cg.pel.set(id, nack);
    nack.consumer.pel.set(id, nack);
    this.heapBytes += NACK_FIXED;
  }

  /** Removes a pending entry from both PELs (XACK, XCLAIM of a deleted entry). */
  removeNack(cg: StreamCG, id: StreamID): boolean {
    const nack = cg.pel.delete(id);
    if (nack === undefined) return false;
    nack.consumer.pel.delete(id);
    this.heapBytes -= NACK_FIXED;
    return true;
  }

  /** Moves a pending entry to `to` (XCLAIM, XREADGROUP re-delivery). */
  moveNack(id: StreamID, nack: StreamNACK, to: StreamConsumer): void {
    if (nack.consumer === to) return;
    nack.consumer.pel.delete(id);
    nack.consumer = to;
    to.pel.set(id, nack);
  }

  // ---- the read counter (lag) ------------------------------------------------------------------

  /** streamRangeHasTombstones. */
  rangeHasTombstones(start: StreamID | null, end: StreamID | null): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.firstId > this.maxDeletedId) return false;
    const s = start ?? 0n;
    const e = end ?? ID_MAX;
    return s <= this.maxDeletedId && this.maxDeletedId <= e;
  }

  /** streamEstimateDistanceFromFirstEverEntry. */
  estimateDistance(id: StreamID): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return ENTRIES_READ_INVALID;
    if (this.maxDeletedId === 0n || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return ENTRIES_READ_INVALID;
  }

  /** streamReplyWithCGLag's value: the lag, or null when it cannot be known. */
  lag(cg: StreamCG): number | null {
    if (this.entriesAdded === 0) return 0;
    if (cg.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(cg.lastId, null)) return this.entriesAdded - cg.entriesRead;
    const er = this.estimateDistance(cg.lastId);
    if (er !== ENTRIES_READ_INVALID) return this.entriesAdded - er;
    return null;
  }

  // ---- XINFO's radix tree figures -------------------------------------------------------------

  /**
   * The rax node count Redis reports as radix-tree-nodes: the nodes of a compressed trie over
   * the nodes' 16-byte big-endian master IDs (root, each child of a branching point, and the end
   * of every compressed chain).
   */
  raxNodes(): number {
    const n = this.nodes.length;
    if (n === 0) return 1;
    const keys: string[] = new Array(n);
    for (let i = 0; i < n; i++) keys[i] = idKey(this.nodes[i].masterId);
    const branch = new Map<string, number>();
    for (let i = 1; i < n; i++) {
      const a = keys[i - 1];
      const b = keys[i];
      let l = 0;
      while (l < 16 && a.charCodeAt(l) === b.charCodeAt(l)) l++;
      const p = a.slice(0, l);
      branch.set(p, (branch.get(p) ?? 1) + 1);
    }
    let count = 1;
    for (const [p, ch] of branch) {
      count += ch;
      if (p.length > 0 && !branch.has(p.slice(0, -1))) count++;
    }
    for (let i = 0; i < n; i++) if (!branch.has(keys[i].slice(0, 15))) count++;
    return count;
  }

  // ---- copies and loading ------------------------------------------------------------------------

  /** A deep copy (COPY): nothing mutable shared (entry field arrays are never mutated, so shared). */
  clone(): StreamValue {
    const s = new StreamValue();
    for (const n of this.nodes) {
      const m = new StreamNode(n.masterId, n.masterFields);
      for (let i = 0; i < n.ids.length; i++) {
        m.ids.push(n.ids[i]);
        m.fvs.push(n.fvs[i]);
        m.deleted.push(n.deleted[i]);
      }
      m.count = n.count;
      m.delCount = n.delCount;
      m.baseBytes = n.baseBytes;
      s.nodes.push(m);
    }
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    s.bytes = this.bytes;
    s.heapBytes = this.heapBytes;
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        const cg = s.createGroup(g.name, g.lastId, g.entriesRead)!;
        const cons = new Map<StreamConsumer, StreamConsumer>();
        for (const c of g.consumers.values()) {
          const nc = new StreamConsumer(c.name, c.seenTime);
          cg.consumers.set(c.name, nc);
          cons.set(c, nc);
        }
        for (const [id, nack] of g.pel.entries()) {
          const nn = new StreamNACK(cons.get(nack.consumer)!, nack.deliveryTime, nack.deliveryCount);
          cg.pel.set(id, nn);
          nn.consumer.pel.set(id, nn);
        }
      }
      s.heapBytes = this.heapBytes;
    }
    return s;
  }

  /**
   * Appends a stored node as is (loaders): entries with their tombstone flags, in order after
   * every node already there. Keeps length/bytes in step; the caller sets the metadata.
   */
  loadNode(masterId: StreamID, masterFields: string[], ids: StreamID[], fvs: string[][], deleted: boolean[]): void {
    const n = new StreamNode(masterId, masterFields);
    let b = 0;
    let strings = 0;
    for (let i = 0; i < ids.length; i++) {
      n.push(ids[i], fvs[i]);
      if (deleted[i]) {
        n.deleted[i] = true;
        n.count--;
        n.delCount++;
      }
      const fv = fvs[i];
      for (let j = 0; j < fv.length; j++) b += fv[j].length;
      strings += fv.length;
    }
    this.nodes.push(n);
    this.length += n.count;
    this.bytes += b;
    this.heapBytes += NODE_FIXED + ids.length * ENTRY_FIXED + strings * (8 + STRING_FIXED) + b;
  }

  /** Sets a loaded consumer's PEL entry (loaders). */
  loadNack(cg: StreamCG, id: StreamID, consumer: StreamConsumer, deliveryTime: number, deliveryCount: number): void {
    this.addNack(cg, id, new StreamNACK(consumer, deliveryTime, deliveryCount));
  }

  /** For symmetry with the other value classes' factories. */
  static empty(_cfg?: EncodingConfig): StreamValue {
    return new StreamValue();
  }
}

/** The 16-byte big-endian rax key of an ID, as a latin1 string. */
export function idKey(id: StreamID): string {
  let s = '';
  for (let sh = 120n; sh >= 0n; sh -= 8n) s += String.fromCharCode(Number((id >> sh) & 0xffn));
  return s;
}

// ---- snapshot elements ---------------------------------------------------------------------------
//
// A stream is stored in snapshots (persistence/value-codec.ts) as a sequence of tagged latin1
// strings, each one "element" of the record format, so a big stream is chunked like any list:
//   'M' lastId maxDeletedId firstId entriesAdded           — first, once
//   'N' masterId u32 nfields fields...                      — a node; its entries follow
//   'E' '0'|'1'(tombstone) id u32 n strings...              — an entry of the current node
//   'G' name lastId entriesRead                             — a group; its consumers and PEL follow
//   'C' name seenTime                                       — a consumer of the current group
//   'P' id consumer deliveryTime deliveryCount              — a PEL entry of the current group
// where a string (and every ID or number, written as decimal text) is u32le length + bytes.

function u32s(n: number): string {
  return String.fromCharCode(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
}

function pstr(s: string): string {
  return u32s(s.length) + s;
}

export class StreamFormatError extends Error {
  readonly code = 'STREAM_FORMAT';
}

/** A cursor over one element string. */
class ElementReader {
  pos = 1;
  constructor(readonly s: string) {}
  u32(): number {
    const s = this.s;
    const p = this.pos;
    if (p + 4 > s.length) throw new StreamFormatError(`stream element truncated (tag ${s[0]})`);
    this.pos += 4;
    return (s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8) | (s.charCodeAt(p + 2) << 16)) + s.charCodeAt(p + 3) * 16777216;
  }
  str(): string {
    const n = this.u32();
    if (this.pos + n > this.s.length) throw new StreamFormatError(`stream element truncated (tag ${this.s[0]})`);
    const v = this.s.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  id(): StreamID {
    const p = parseStreamId(this.str(), true, 0n);
    if (p === null) throw new StreamFormatError('bad stream ID in a snapshot element');
    return p.id;
  }
  num(): number {
    const v = Number(this.str());
    if (!Number.isFinite(v)) throw new StreamFormatError('bad number in a snapshot element');
    return v;
  }
  end(): void {
    if (this.pos !== this.s.length) throw new StreamFormatError(`${this.s.length - this.pos} trailing bytes in a stream element (tag ${this.s[0]})`);
  }
}

/** The snapshot elements of `s` (see above), lazily. */
export function* streamSnapshotElements(s: StreamValue): IterableIterator<string> {
  yield 'M' + pstr(formatId(s.lastId)) + pstr(formatId(s.maxDeletedId)) + pstr(formatId(s.firstId)) + pstr(String(s.entriesAdded));
  for (const n of s.nodes) {
    let h = 'N' + pstr(formatId(n.masterId)) + u32s(n.masterFields.length);
    for (const f of n.masterFields) h += pstr(f);
    yield h;
    for (let i = 0; i < n.ids.length; i++) {
      const fv = n.fvs[i];
      let e = 'E' + (n.deleted[i] ? '1' : '0') + pstr(formatId(n.ids[i])) + u32s(fv.length);
      for (let j = 0; j < fv.length; j++) e += pstr(fv[j]);
      yield e;
    }
  }
  for (const cg of s.sortedGroups()) {
    yield 'G' + pstr(cg.name) + pstr(formatId(cg.lastId)) + pstr(String(cg.entriesRead));
    for (const c of cg.sortedConsumers()) yield 'C' + pstr(c.name) + pstr(String(c.seenTime));
    for (const [id, nack] of cg.pel.entries()) {
      yield 'P' + pstr(formatId(id)) + pstr(nack.consumer.name) + pstr(String(nack.deliveryTime)) + pstr(String(nack.deliveryCount));
    }
  }
}

/** Rebuilds a stream from its snapshot elements (all chunks, in order). */
export function streamFromSnapshotElements(elements: Iterable<string>): StreamValue {
  const s = new StreamValue();
  let meta: ElementReader | null = null;
  let node: { master: StreamID; fields: string[]; ids: StreamID[]; fvs: string[][]; del: boolean[] } | null = null;
  let cg: StreamCG | null = null;
  const flush = () => {
    if (node === null) return;
    if (node.ids.length === 0 || node.ids[0] !== node.master) throw new StreamFormatError('stream node without its master entry');
    const last = s.nodes.length > 0 ? s.nodes[s.nodes.length - 1].lastId : -1n;
    for (let i = 0; i < node.ids.length; i++) {
      if (node.ids[i] <= (i === 0 ? last : node.ids[i - 1])) throw new StreamFormatError('stream entries out of order');
    }
    s.loadNode(node.master, node.fields, node.ids, node.fvs, node.del);
    node = null;
  };
  for (const el of elements) {
    const r = new ElementReader(el);
    switch (el[0]) {
      case 'M':
        if (meta !== null) throw new StreamFormatError('two stream meta elements');
        meta = r;
        s.lastId = r.id();
        s.maxDeletedId = r.id();
        s.firstId = r.id();
        s.entriesAdded = r.num();
        break;
      case 'N': {
        flush();
        const master = r.id();
        const nf = r.u32();
        const fields: string[] = [];
        for (let i = 0; i < nf; i++) fields.push(r.str());
        node = { master, fields, ids: [], fvs: [], del: [] };
        break;
      }
      case 'E': {
        if (node === null) throw new StreamFormatError('stream entry outside a node');
        const flag = el[1];
        r.pos = 2;
        if (flag !== '0' && flag !== '1') throw new StreamFormatError('bad stream entry flag');
        node.del.push(flag === '1');
        node.ids.push(r.id());
        const n = r.u32();
        if (n % 2 !== 0 || n === 0) throw new StreamFormatError('stream entry with an odd number of strings');
        const fv: string[] = [];
        for (let i = 0; i < n; i++) fv.push(r.str());
        node.fvs.push(fv);
        break;
      }
      case 'G': {
        flush();
        const name = r.str();
        const last = r.id();
        const er = r.num();
        cg = s.createGroup(name, last, er);
        if (cg === null) throw new StreamFormatError('duplicate stream group');
        break;
      }
      case 'C': {
        if (cg === null) throw new StreamFormatError('stream consumer outside a group');
        const name = r.str();
        const seen = r.num();
        if (s.createConsumer(cg, name, seen) === null) throw new StreamFormatError('duplicate stream consumer');
        break;
      }
      case 'P': {
        if (cg === null) throw new StreamFormatError('stream PEL entry outside a group');
        const id = r.id();
        const cons = cg.consumers.get(r.str());
        if (cons === undefined) throw new StreamFormatError('stream PEL entry of an unknown consumer');
        const dt = r.num();
        const dc = r.num();
        if (cg.pel.has(id)) throw new StreamFormatError('duplicate stream PEL entry');
        s.loadNack(cg, id, cons, dt, dc);
        break;
      }
      default:
        throw new StreamFormatError(`bad stream element tag ${JSON.stringify(el.slice(0, 1))}`);
    }
    r.end();
  }
  flush();
  if (meta === null) throw new StreamFormatError('stream without its meta element');
  return s;
}
