/**
 * Client-side RESP2/RESP3 reply decoder for tests (the in-process backend and raw-socket tests).
 *
 * Invariant: what next() returns depends only on the bytes fed, not on how they were split.
 * Decoding is incremental: an aggregate's elements are kept on a stack as they complete and a
 * bulk's payload is collected chunk by chunk, so a large reply fed in small chunks costs linear
 * time. Values follow ioredis's defaults (strings as UTF-8, integers as numbers); RESP3 types get
 * distinct shapes so tests can tell them apart:
 *   + $ = (simple, bulk, verbatim)  string, or Buffer with { buffers: true }; verbatim drops "txt:"
 *   - !  (simple, blob error)       ReplyError instance as the value (not thrown)
 *   :    integer                    number (string with { stringNumbers: true })
 *   ,    double                     number: inf -> Infinity, -inf -> -Infinity, nan -> NaN
 *   (    big number                 bigint
 *   #    boolean                    true / false
 *   _  $-1  *-1                     null
 *   * ~  array, set                 array
 *   >    push                       { push: [...] }
 *   %    map                        Map
 *   |    attribute                  skipped; a top-level reply's attributes are returned beside
 *                                   its value as `attributes` (a Map)
 */

export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

export interface DecoderOptions {
  /** Strings (simple, bulk, verbatim) as Buffers instead of UTF-8 strings. */
  buffers?: boolean;
  /** Integers as their decimal strings (exact beyond 2^53), like ioredis's stringNumbers. */
  stringNumbers?: boolean;
}

export interface Decoded {
  value: unknown;
  /** Attributes (`|`) sent before this top-level reply, if any. */
  attributes?: Map<unknown, unknown>;
}

type AggregateKind = 'array' | 'set' | 'push' | 'map' | 'attribute';

interface Frame {
  kind: AggregateKind;
  /** Elements still to read (a map counts keys and values). */
  remaining: number;
  items: unknown[];
}

/** A bulk-like reply ($ ! =) whose payload is still arriving. */
interface PendingBulk {
  type: number;
  len: number;
  /** Payload plus its trailing "\r\n". */
  parts: Buffer[];
  got: number;
}

const CR = 13;
const EMPTY = Buffer.alloc(0);

/** Returned by the scalar readers when the buffer holds only part of the element. */
const INCOMPLETE: unique symbol = Symbol('incomplete');
/** Returned when an element opened an aggregate (a frame was pushed) instead of completing. */
const OPENED: unique symbol = Symbol('opened');

export class RespDecoder {
  private readonly buffers: boolean;
  private readonly stringNumbers: boolean;
  private buf: Buffer = EMPTY;
  private pos = 0;
  private stack: Frame[] = [];
  private bulk: PendingBulk | null = null;
  private attributes: Map<unknown, unknown> | undefined = undefined;

  constructor(options: DecoderOptions = {}) {
    this.buffers = options.buffers === true;
    this.stringNumbers = options.stringNumbers === true;
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const bulk = this.bulk;
    if (bulk !== null && bulk.got < bulk.len + 2) {
      const need = bulk.len + 2 - bulk.got;
      if (chunk.length <= need) {
        bulk.parts.push(chunk);
        bulk.got += chunk.length;
        return;
      }
      bulk.parts.push(chunk.subarray(0, need));
      bulk.got += need;
      chunk = chunk.subarray(need);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /** The next complete top-level reply, or null when more bytes are needed. */
  next(): Decoded | null {
    for (;;) {
      let value: unknown;
      if (this.bulk !== null) {
        const bulk = this.bulk;
        if (bulk.got < bulk.len + 2) return null;
        this.bulk = null;
        const payload = Buffer.concat(bulk.parts, bulk.len);
        value = this.bulkValue(bulk.type, payload, 0, bulk.len);
      } else {
        if (this.pos >= this.buf.length) return null;
        value = this.readElement();
        if (value === INCOMPLETE) return null;
        if (value === OPENED) continue;
      }
      const done = this.complete(value);
      if (done !== null) return done;
    }
  }

  /**
   * Adds a completed element to the aggregate being read, closing every aggregate it completes.
   * Returns the top-level reply once one is complete.
   */
  private complete(value: unknown): Decoded | null {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        const out: Decoded = { value };
        if (this.attributes !== undefined) {
          out.attributes = this.attributes;
          this.attributes = undefined;
        }
        return out;
      }
      top.items.push(value);
      if (--top.remaining > 0) return null;
      this.stack.pop();
      if (top.kind === 'attribute') {
        // Attributes describe the element that follows; keep only a top-level reply's.
        if (this.stack.length === 0) this.attributes = toMap(top.items);
        return null;
      }
      value = build(top.kind, top.items);
    }
  }

  /** Reads one element at pos: a scalar value, OPENED (an aggregate began), or INCOMPLETE. */
  private readElement(): unknown {
    const buf = this.buf;
    const start = this.pos;
    const cr = buf.indexOf(CR, start + 1);
    if (cr < 0 || cr + 1 >= buf.length) return INCOMPLETE;
    const type = buf[start];
    const lineStart = start + 1;
    const next = cr + 2;
    switch (type) {
      case 0x2b: // + simple string
        this.pos = next;
        return this.text(buf, lineStart, cr);
      case 0x2d: // - simple error
        this.pos = next;
        return new ReplyError(buf.toString('utf8', lineStart, cr));
      case 0x3a: {
        // : integer
        this.pos = next;
        const s = buf.toString('latin1', lineStart, cr);
        return this.stringNumbers ? s : Number(s);
      }
      case 0x2c: // , double
        this.pos = next;
        return parseDouble(buf.toString('latin1', lineStart, cr));
      case 0x28: // ( big number
        this.pos = next;
        return BigInt(buf.toString('latin1', lineStart, cr));
      case 0x23: // # boolean
        this.pos = next;
        return buf[lineStart] === 0x74; // 't'
      case 0x5f: // _ null
        this.pos = next;
        return null;
      case 0x24: // $ bulk string
      case 0x21: // ! blob error
      case 0x3d: {
        // = verbatim string
        const len = Number(buf.toString('latin1', lineStart, cr));
        if (len < 0) {
          this.pos = next;
          return null;
        }
        if (buf.length - next >= len + 2) {
          this.pos = next + len + 2;
          return this.bulkValue(type, buf, next, next + len);
        }
        // Collect the payload chunk by chunk instead of re-concatenating the buffer.
        const have = buf.subarray(next);
        this.bulk = { type, len, parts: [Buffer.from(have)], got: have.length };
        this.buf = EMPTY;
        this.pos = 0;
        return OPENED;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: // % map
      case 0x7c: {
        // | attribute
        const n = Number(buf.toString('latin1', lineStart, cr));
        this.pos = next;
        const kind = AGGREGATES[type];
        if (n < 0) return null;
        const count = kind === 'map' || kind === 'attribute' ? 2 * n : n;
        if (count === 0) {
          if (kind === 'attribute') {
            if (this.stack.length === 0) this.attributes = new Map();
            return OPENED;
          }
          return build(kind, []);
        }
        this.stack.push({ kind, remaining: count, items: [] });
        return OPENED;
      }
      default:
        throw new Error(
          `RespDecoder: unexpected reply type byte 0x${type.toString(16)} at ` +
            `${JSON.stringify(buf.toString('latin1', start, Math.min(buf.length, start + 32)))}`,
        );
    }
  }

  private bulkValue(type: number, buf: Buffer, start: number, end: number): unknown {
    if (type === 0x21) return new ReplyError(buf.toString('utf8', start, end));
    if (type === 0x3d) start = Math.min(start + 4, end); // "txt:" / "mkd:"
    return this.text(buf, start, end);
  }

  private text(buf: Buffer, start: number, end: number): string | Buffer {
    return this.buffers ? Buffer.from(buf.subarray(start, end)) : buf.toString('utf8', start, end);
  }
}

const AGGREGATES: Record<number, AggregateKind> = {
  0x2a: 'array',
  0x7e: 'set',
  0x3e: 'push',
  0x25: 'map',
  0x7c: 'attribute',
};

function build(kind: AggregateKind, items: unknown[]): unknown {
  switch (kind) {
    case 'map':
    case 'attribute':
      return toMap(items);
    case 'push':
      return { push: items };
    default:
      return items;
  }
}

function toMap(items: unknown[]): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
  return map;
}

function parseDouble(s: string): number {
  switch (s) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
      return NaN;
    default:
      return Number(s);
  }
}
