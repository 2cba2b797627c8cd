// The replication backlog (Redis's repl_backlog): the last repl-backlog-size bytes of the stream
// replicas follow, in a ring, so that a replica that lost its link briefly can continue from
// the offset it reached (PSYNC <replid> <offset> → +CONTINUE) instead of a full resync.
//
// Invariants: the ring holds exactly the stream bytes [start, end) where end is the log offset
// after the last unit appended and end - start = histlen <= capacity; offsets are the mutation
// log's (0-based: the offset of a byte is the number of stream bytes before it; Redis's INFO
// shows the first one 1-based, as repl_backlog_first_byte_offset).

import type { Latin1Buffer } from '../util/latin1.js';

export class ReplicationBacklog {
  private ring: Latin1Buffer;
  /** Where the next byte goes in the ring. */
  private head = 0;
  histlen = 0;
  /** Stream offset after the last byte held. */
  end: number;

  constructor(capacity: number, offset: number) {
    this.ring = Buffer.alloc(capacity) as Latin1Buffer;
    this.end = offset;
  }

  get capacity(): number {
    return this.ring.length;
  }

  /** Stream offset of the oldest byte held. */
  get start(): number {
    return this.end - this.histlen;
  }

  /** Appends a unit of the stream that begins at `offset` (which must be `end`). */
  append(unit: string, offset: number): void {
    if (offset !== this.end) throw Object.assign(new Error(`backlog gap: unit at ${offset}, backlog ends at ${this.end}`), { code: 'BACKLOG_GAP' });
    const cap = this.ring.length;
    let from = 0;
    let n = unit.length;
    // Only the last `cap` bytes of a unit larger than the ring can stay.
    if (n > cap) {
      from = n - cap;
      n = cap;
    }
    while (n > 0) {
      const k = Math.min(n, cap - this.head);
      this.ring.latin1Write(unit.slice(from, from + k), this.head, k);
      this.head = (this.head + k) % cap;
      from += k;
      n -= k;
    }
    this.end += unit.length;
    this.histlen = Math.min(cap, this.histlen + unit.length);
  }

  /** The bytes [offset, end) as a latin1 string, or null when offset is not in the backlog. */
  from(offset: number): string | null {
    if (offset < this.start || offset > this.end) return null;
    const n = this.end - offset;
    const cap = this.ring.length;
    const at = (this.head - n + cap) % cap;
    if (at + n <= cap) return this.ring.latin1Slice(at, at + n);
    return this.ring.latin1Slice(at, cap) + this.ring.latin1Slice(0, n - (cap - at));
  }

  /** A ring of another capacity keeping the newest bytes (CONFIG SET repl-backlog-size). */
  resized(capacity: number): ReplicationBacklog {
    const keep = Math.min(capacity, this.histlen);
    const b = new ReplicationBacklog(capacity, this.end - keep);
    b.append((this.from(this.end - keep) as string), this.end - keep);
    return b;
  }
}
