/**
 * Streaming RESP request parser (server side): turns a client's byte stream into command argvs.
 *
 * Invariant: the argvs it returns, and the ProtocolError it throws, depend only on the bytes fed,
 * never on how they were split into chunks. Semantics follow Redis 7.0 networking.c
 * (processInlineBuffer / processMultibulkBuffer / sdssplitargs), checked against redis-server
 * 7.0.15, including its quirks:
 *  - the two bytes after a bulk's payload are skipped, not checked for "\r\n"; likewise the byte
 *    after a count line's "\r" is not checked for "\n";
 *  - Redis finds line ends with strchr(), so a NUL byte before the "\r" (count lines) or "\n"
 *    (inline commands) hides it: the line never completes and ends in a "too big" error once
 *    more than PROTO_INLINE_MAX_SIZE bytes are waiting;
 *  - "*0" and negative counts produce no command; so do empty inline lines.
 * One deliberate difference: Redis checks "too big inline request" / "too big (m)bulk count
 * string" only while the line end has not arrived, so whether a 70 KB line passes depends on how
 * its reads were split. Here a line longer than maxInlineLen is always an error, which is what
 * Redis does when the line arrives in its usual 16 KB reads.
 *
 * Keys and values come out as latin1 strings (one char per byte): binary-safe, never UTF-8.
 * Memory: the unparsed tail is copied into a small buffer the parser owns (so a caller's chunk,
 * possibly a slice of a big pooled buffer, is never retained), an argument of 32 KB or more is
 * copied once into a buffer of its declared size, and storage is dropped whenever it drains.
 */
import { constants as bufferConstants } from 'node:buffer';
import { readLatin1, type Latin1Buffer } from '../util/latin1.js';

export interface ParserLimits {
  /** proto-max-bulk-len: largest bulk argument accepted. */
  maxBulkLen: number;
  /** Largest multibulk count accepted (Redis 7.0: INT_MAX). */
  maxMultibulkLen: number;
  /** PROTO_INLINE_MAX_SIZE: longest inline command or count line. */
  maxInlineLen: number;
}

/**
 * Redis 7.0 defaults. maxMultibulkLen is INT_MAX, not 1024*1024: 7.0.15 answers "*1048577" by
 * waiting for the elements and only rejects counts above 2147483647 (checked on a real server).
 * Elements are stored as they arrive, so a big count alone costs no memory.
 */
export const DEFAULT_LIMITS: Readonly<ParserLimits> = Object.freeze({
  maxBulkLen: 512 * 1024 * 1024,
  maxMultibulkLen: 2147483647,
  maxInlineLen: 64 * 1024,
});

/**
 * A malformed request. `message` is Redis's reply text without the leading "ERR ", e.g.
 * "Protocol error: invalid bulk length"; the server replies "-ERR <message>" and closes the
 * connection. The message can hold any latin1 char ("expected '$', got '\xff'"): encode the
 * reply as latin1, not UTF-8, to send Redis's exact bytes.
 */
export class ProtocolError extends Error {
  readonly code = 'ERR_PROTOCOL';
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;

/** PROTO_MBULK_BIG_ARG: a bulk at least this long is collected chunk by chunk, joined once. */
const BIG_ARG = 32 * 1024;
/** Redis's limits on argument sizes for a client that still has to AUTH (networking.c). */
const UNAUTH_MAX_MULTIBULK = 10;
const UNAUTH_MAX_BULK = 16384;
/** Longest string V8 can make; a bulk longer than this cannot become an argument. */
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;
/** Smallest owned buffer allocated for a tail. */
const MIN_STORE = 4096;
/** The argument scratch is kept for the next command up to this many arguments. */
const ARGS_SCRATCH_MAX = 256;
/** Digits that always fit a double exactly (fast path); longer numbers take the slow path. */
const FAST_DIGITS = 15;

const EMPTY = Buffer.alloc(0) as Latin1Buffer;

const enum Line {
  Inline,
  MultibulkCount,
  BulkCount,
}

const TOO_BIG: Record<Line, string> = {
  [Line.Inline]: 'Protocol error: too big inline request',
  [Line.MultibulkCount]: 'Protocol error: too big mbulk count string',
  [Line.BulkCount]: 'Protocol error: too big bulk count string',
};

export class RespParser {
  /** Mutable: CONFIG SET proto-max-bulk-len changes limits.maxBulkLen at runtime. */
  limits: ParserLimits;
  /**
   * Set by the server while the client still has to AUTH: Redis then rejects multibulk counts
   * above 10 ("unauthenticated multibulk length") and bulks above 16384 bytes
   * ("unauthenticated bulk length"). Read before each count line, so flipping it after AUTH
   * takes effect from the next command.
   */
  authRequired = false;

  /** Unparsed bytes are buf[pos, end). buf is either the caller's last chunk or `store`. */
  private buf: Latin1Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  /** Storage the parser owns (buf === store when the tail lives there); dropped when drained. */
  private store: Latin1Buffer = EMPTY;

  /**
   * Arguments of the command being read: args[0, argc). A scratch array reused from command to
   * command; each command gets an exact-size copy (takeArgs). A fresh array per command grown by
   * push got 17 slots at its first push: ~150 bytes of garbage per command, a fifth of all the
   * server allocated per GET.
   */
  private args: string[] = [];
  private argc = 0;
  /** Arguments still to read; 0 at a command boundary. */
  private multibulkLen = 0;
  /** Declared length of the bulk being read, -1 while its "$<len>" line is unread. */
  private bulkLen = -1;
  /** Bytes after pos already searched for the current line's end without finding it. */
  private scanned = 0;
  /** The current line can never end (a NUL byte hides its end, as with Redis's strchr). */
  private stuck = false;

  /**
   * Big-argument mode, for a bulk >= BIG_ARG that is not all buffered: its payload and the 2
   * bytes after it are copied straight from feed() into a buffer of the declared size (as Redis
   * sizes its query buffer for big args). The pages are committed only as bytes arrive, so a
   * large declared length costs address space, not memory, until it is sent.
   */
  private bigBuf: Latin1Buffer | null = null;
  private bigGot = 0;

  /** Stream accounting for bufferedBytes. */
  private received = 0;
  private consumed = 0;

  private error: ProtocolError | null = null;

  constructor(limits?: Partial<ParserLimits>) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes received but not yet returned as (or skipped as empty) commands. */
  get bufferedBytes(): number {
    return this.received - this.consumed;
  }

  /** Declared length of the bulk being read, 0 if none. */
  get pendingBulkLen(): number {
    return this.multibulkLen > 0 && this.bulkLen > 0 ? this.bulkLen : 0;
  }

  /**
   * Appends chunk[0, n) (the whole chunk by default: a reused read buffer passes the length
   * read). The parser keeps `chunk` only until next() has consumed it or copied its tail, or
   * detach() copied it.
   */
  feed(chunk: Buffer, n = chunk.length): void {
    this.feedRange(chunk, 0, n);
  }

  /** feed() of chunk[start, end): an AOF record's payload inside the reader's buffer, with no view made of it. */
  feedRange(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.received += n;
    if (this.bigBuf !== null) {
      const need = this.bulkLen + 2 - this.bigGot;
      if (need > 0) {
        if (n <= need) {
          chunk.copy(this.bigBuf, this.bigGot, start, end);
          this.bigGot += n;
          return;
        }
        chunk.copy(this.bigBuf, this.bigGot, start, start + need);
        this.bigGot += need;
        this.append(chunk as Latin1Buffer, start + need, end);
        return;
      }
    }
    this.append(chunk as Latin1Buffer, start, end);
  }

  /**
   * The caller is about to reuse the chunk it fed: copy the part not yet parsed (commands left
   * queued behind a paused, blocked or closing client) into owned storage. A no-op after next()
   * returned null, which already did that.
   */
  detach(): void {
    if (this.buf !== this.store && this.pos < this.end) this.needMore();
  }

  /**
   * The next complete command's argv, or null when more bytes are needed. Throws ProtocolError
   * on malformed input; the parser is then dead and keeps throwing the same error.
   */
  next(): string[] | null {
    if (this.error !== null) throw this.error;
    for (;;) {
      if (this.multibulkLen === 0) {
        if (this.pos >= this.end) {
          this.release();
          return null;
        }
        if (this.buf[this.pos] !== STAR) {
          const argv = this.readInline();
          if (argv === null) return this.needMore();
          this.consumed = this.received - (this.end - this.pos);
          if (argv.length === 0) continue;
          return argv;
        }
        if (!this.readMultibulkCount()) return this.needMore();
        if (this.multibulkLen === 0) {
          this.consumed = this.received - (this.end - this.pos);
          continue;
        }
      }
      if (!this.readArgs()) return this.needMore();
      this.consumed = this.received - (this.end - this.pos);
      return this.takeArgs();
    }
  }

  /**
   * Reads the arguments of the current multibulk; true when all are in. The hot path: a
   * "$<len>\r\n" line is parsed inline, digit by digit, and only falls back to readBulkCount()
   * when it is split across chunks, long, or malformed.
   */
  private readArgs(): boolean {
    if (this.bigBuf !== null) {
      if (this.bigGot < this.bulkLen + 2) return false;
      this.finishBigArg();
      if (this.multibulkLen === 0) return true;
    }
    const args = this.args;
    const maxBulk = this.limits.maxBulkLen;
    const bulkCap = this.authRequired ? Math.min(maxBulk, UNAUTH_MAX_BULK) : maxBulk;
    let remaining = this.multibulkLen;
    let len = this.bulkLen;
    for (;;) {
      const buf = this.buf;
      const end = this.end;
      let pos = this.pos;
      while (remaining > 0) {
        if (len < 0 && buf[pos] === DOLLAR) {
          let p = pos + 1;
          let c = buf[p];
          if (c >= 49 && c <= 57) {
            let v = c - 48;
            const stop = p + FAST_DIGITS < end ? p + FAST_DIGITS : end;
            while (++p < stop && (c = buf[p]) >= 48 && c <= 57) v = v * 10 + c - 48;
            if (p + 1 < end && buf[p] === CR && v <= bulkCap && v <= MAX_STRING_LENGTH) {
              len = v;
              pos = p + 2;
            }
          } else if (c === 48 && buf[p + 1] === CR && p + 2 < end) {
            len = 0;
            pos = p + 3;
          }
        }
        if (len < 0) break; // slow path below
        if (end - pos < len + 2) {
          if (pos !== this.pos) this.scanned = 0;
          this.pos = pos;
          this.bulkLen = len;
          this.multibulkLen = remaining;
          if (len >= BIG_ARG) this.startBigArg();
          return false;
        }
        const argc = this.argc;
        args[argc] = argc === 0 ? commandName(buf, pos, len) : readLatin1(buf, pos, len);
        this.argc = argc + 1;
        pos += len + 2;
        len = -1;
        remaining--;
      }
      if (pos !== this.pos) this.scanned = 0;
      this.pos = pos;
      this.multibulkLen = remaining;
      this.bulkLen = -1;
      if (remaining === 0) return true;
      if (!this.readBulkCount()) return false;
      len = this.bulkLen;
    }
  }

  /** Slow path for a "$<len>\r\n" line at pos; sets bulkLen. False: wait for more bytes. */
  private readBulkCount(): boolean {
    const cr = this.findLineEnd(CR, Line.BulkCount);
    if (cr < 0) return false;
    const pos = this.pos;
    const buf = this.buf;
    if (buf[pos] !== DOLLAR) {
      if (this.hidesLineEnd(cr, Line.BulkCount)) return false;
      const got = buf[pos] === CR || buf[pos] === LF ? ' ' : String.fromCharCode(buf[pos]);
      throw this.fail(`Protocol error: expected '$', got '${got}'`);
    }
    const ll = parseLongLong(buf, pos + 1, cr);
    if (Number.isNaN(ll) || ll < 0 || ll > this.limits.maxBulkLen || ll > MAX_STRING_LENGTH) {
      if (this.hidesLineEnd(cr, Line.BulkCount)) return false;
      throw this.fail('Protocol error: invalid bulk length');
    }
    if (ll > UNAUTH_MAX_BULK && this.authRequired) {
      throw this.fail('Protocol error: unauthenticated bulk length');
    }
    this.pos = cr + 2;
    this.scanned = 0;
    this.bulkLen = ll;
    return true;
  }

  /** Reads a "*<count>\r\n" line at pos. False: wait for more bytes. Sets multibulkLen. */
  private readMultibulkCount(): boolean {
    const buf = this.buf;
    const end = this.end;
    const pos = this.pos;
    // Fast path: "*<1-9><digits>\r" with a byte after the "\r".
    let p = pos + 1;
    let c = buf[p];
    if (c >= 49 && c <= 57) {
      let v = c - 48;
      const stop = p + FAST_DIGITS < end ? p + FAST_DIGITS : end;
      while (++p < stop && (c = buf[p]) >= 48 && c <= 57) v = v * 10 + c - 48;
      if (
        p + 1 < end &&
        buf[p] === CR &&
        v <= this.limits.maxMultibulkLen &&
        (v <= UNAUTH_MAX_MULTIBULK || !this.authRequired)
      ) {
        this.pos = p + 2;
        this.scanned = 0;
        this.multibulkLen = v;
        this.bulkLen = -1;
        return true;
      }
    }
    const cr = this.findLineEnd(CR, Line.MultibulkCount);
    if (cr < 0) return false;
    const ll = parseLongLong(buf, pos + 1, cr);
    if (Number.isNaN(ll) || ll > this.limits.maxMultibulkLen) {
      if (this.hidesLineEnd(cr, Line.MultibulkCount)) return false;
      throw this.fail('Protocol error: invalid multibulk length');
    }
    if (ll > UNAUTH_MAX_MULTIBULK && this.authRequired) {
      throw this.fail('Protocol error: unauthenticated multibulk length');
    }
    this.pos = cr + 2;
    this.scanned = 0;
    this.multibulkLen = ll > 0 ? ll : 0;
    this.bulkLen = -1;
    return true;
  }

  /** Reads an inline command line at pos; null: wait for more bytes. May return []. */
  private readInline(): string[] | null {
    const nl = this.findLineEnd(LF, Line.Inline);
    if (nl < 0) return null;
    const pos = this.pos;
    const buf = this.buf;
    const lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    if (this.hidesLineEnd(nl, Line.Inline)) return null;
    const argv = splitArgs(buf, pos, lineEnd);
    if (argv === null) throw this.fail('Protocol error: unbalanced quotes in request');
    this.pos = nl + 1;
    this.scanned = 0;
    return argv;
  }

  /**
   * Index of the byte ending the line at pos (`target` is "\r" for count lines, "\n" for inline
   * commands) when a whole line is buffered, else -1. A count line also needs the byte after its
   * "\r" (Redis skips it without looking). Throws the line's "too big" error past maxInlineLen.
   */
  private findLineEnd(target: number, kind: Line): number {
    const pos = this.pos;
    const end = this.end;
    const max = this.limits.maxInlineLen;
    if (this.stuck) {
      if (end - pos > max) throw this.fail(TOO_BIG[kind]);
      return -1;
    }
    let at = this.buf.indexOf(target, pos + this.scanned);
    if (at >= end) at = -1; // found in the owned buffer's spare capacity
    if (at < 0) {
      this.scanned = end - pos;
      if (end - pos > max) throw this.fail(TOO_BIG[kind]);
      return -1;
    }
    this.scanned = at - pos;
    if (at - pos > max) throw this.fail(TOO_BIG[kind]);
    if (target === CR && at + 1 >= end) return -1;
    return at;
  }

  /**
   * True when a NUL byte precedes the line end at `at`: Redis's strchr() would stop there and
   * never see the line end, so the line waits until it is "too big". Checked only on error
   * paths for count lines (a valid count has no NUL) and for every inline line.
   */
  private hidesLineEnd(at: number, kind: Line): boolean {
    const pos = this.pos;
    if (this.buf.subarray(pos, at).indexOf(0) < 0) return false;
    this.stuck = true;
    if (this.end - pos > this.limits.maxInlineLen) throw this.fail(TOO_BIG[kind]);
    return true;
  }

  /** Moves the buffered start of a big bulk into bigBuf; feed() copies the rest there. */
  private startBigArg(): void {
    const have = this.end - this.pos;
    const big = Buffer.allocUnsafeSlow(this.bulkLen + 2) as Latin1Buffer;
    this.buf.copy(big, 0, this.pos, this.end);
    this.bigBuf = big;
    this.bigGot = have;
    this.pos = this.end;
    this.release();
  }

  /** Adds a complete big bulk to argv. */
  private finishBigArg(): void {
    const big = this.bigBuf as Latin1Buffer;
    this.args[this.argc++] = big.latin1Slice(0, this.bulkLen);
    this.bigBuf = null;
    this.bigGot = 0;
    this.bulkLen = -1;
    this.multibulkLen--;
  }

  /** Appends a chunk to the unparsed tail. */
  /** Appends chunk[from, to). */
  private append(chunk: Latin1Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    const pos = this.pos;
    const end = this.end;
    if (pos === end) {
      // Nothing buffered: parse straight from the caller's chunk, no copy.
      this.buf = chunk;
      this.pos = from;
      this.end = to;
      this.store = EMPTY;
      return;
    }
    const rest = end - pos;
    const buf = this.buf;
    const store = this.store;
    if (buf === store && store.length - end >= n) {
      chunk.copy(store, end, from, to);
      this.end = end + n;
      return;
    }
    const need = rest + n;
    if (buf === store && store.length >= need) {
      store.copyWithin(0, pos, end);
      chunk.copy(store, rest, from, to);
    } else {
      const next = Buffer.allocUnsafeSlow(growTo(need)) as Latin1Buffer;
      buf.copy(next, 0, pos, end);
      chunk.copy(next, rest, from, to);
      this.store = next;
      this.buf = next;
    }
    this.pos = 0;
    this.end = need;
  }

  /** The command just read, as an exact-size array; the scratch is cleared for the next one. */
  private takeArgs(): string[] {
    const a = this.args;
    const n = this.argc;
    this.argc = 0;
    let argv: string[];
    if (n === 1) argv = [a[0]];
    else if (n === 2) argv = [a[0], a[1]];
    else if (n === 3) argv = [a[0], a[1], a[2]];
    else argv = a.slice(0, n);
    // Drop the references (a value kept alive here would be copied by the next scavenge), or the
    // whole scratch after a long command.
    if (n > ARGS_SCRATCH_MAX) this.args = [];
    else for (let i = 0; i < n; i++) a[i] = '';
    return argv;
  }

  /**
   * next() is about to return null: leave the unparsed tail at the start of owned storage, so
   * the caller's chunk is not retained and the buffer does not grow with the stream.
   */
  private needMore(): null {
    const pos = this.pos;
    const end = this.end;
    const rest = end - pos;
    if (rest === 0) {
      this.release();
      return null;
    }
    if (this.buf !== this.store) {
      const next = Buffer.allocUnsafeSlow(growTo(rest)) as Latin1Buffer;
      this.buf.copy(next, 0, pos, end);
      this.store = next;
      this.buf = next;
    } else if (pos > 0) {
      this.buf.copyWithin(0, pos, end);
    } else {
      return null;
    }
    this.pos = 0;
    this.end = rest;
    return null;
  }

  /** Drops all storage once everything buffered is consumed. */
  private release(): void {
    this.buf = EMPTY;
    this.store = EMPTY;
    this.pos = 0;
    this.end = 0;
    this.scanned = 0;
  }

  private fail(message: string): ProtocolError {
    this.error = new ProtocolError(message);
    this.release();
    this.bigBuf = null;
    this.args = [];
    this.argc = 0;
    return this.error;
  }
}

// Command names come back as the same string objects every time: a fresh string per command
// cost its allocation plus a hash computation (a V8 runtime call) on the dispatcher's Map lookup;
// a string seen before has its hash cached, and the dispatcher's own key strings (seeded with
// internCommandNames) even compare by identity. A fixed table of short names, indexed by a hash
// of the bytes and checked byte by byte, so that it stays bounded whatever clients send.
const NAME_SLOTS = 1024;
const NAME_MAX = 24;
const names: string[] = new Array<string>(NAME_SLOTS).fill('');

function nameSlot(len: number, b0: number, bm: number, bl: number): number {
  return (len * 131 + b0 * 31 + bm * 7 + bl) & (NAME_SLOTS - 1);
}

/** Makes the parser hand out these very strings for argv[0] (the dispatcher's table keys). */
export function internCommandNames(list: Iterable<string>): void {
  for (const n of list) {
    const len = n.length;
    if (len === 0 || len > NAME_MAX) continue;
    names[nameSlot(len, n.charCodeAt(0), n.charCodeAt(len >> 1), n.charCodeAt(len - 1))] = n;
  }
}

function commandName(b: Latin1Buffer, s: number, len: number): string {
  if (len === 0 || len > NAME_MAX) return readLatin1(b, s, len);
  const slot = nameSlot(len, b[s], b[s + (len >> 1)], b[s + len - 1]);
  const cached = names[slot];
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === b[s + i]) i++;
    if (i === len) return cached;
  }
  const fresh = readLatin1(b, s, len);
  names[slot] = fresh;
  return fresh;
}

/** Capacity for `need` bytes: doubling while small, +25% when large (amortized linear). */
function growTo(need: number): number {
  if (need < MIN_STORE / 2) return MIN_STORE;
  return need < 8 * 1024 * 1024 ? need * 2 : need + (need >>> 2);
}

/**
 * Redis's string2ll() over buf[start, end): optional "-", no "+", no leading zeros ("0" alone
 * is fine, "-0" is not), no spaces, must fit a signed 64-bit integer. NaN when invalid. Values
 * beyond 2^53 come back rounded, which keeps their sign and their magnitude for limit checks.
 */
function parseLongLong(buf: Buffer, start: number, end: number): number {
  const slen = end - start;
  if (slen === 0 || slen >= 21) return NaN;
  if (slen === 1 && buf[start] === 48) return 0;
  let p = start;
  const negative = buf[p] === 45;
  if (negative) {
    p++;
    if (p === end) return NaN;
  }
  if (buf[p] < 49 || buf[p] > 57) return NaN;
  let v = 0;
  for (let i = p; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  const digits = end - p;
  if (digits > 19) return NaN;
  if (digits === 19) {
    const bound = negative ? '9223372036854775808' : '9223372036854775807';
    if (buf.toString('latin1', p, end) > bound) return NaN;
  }
  return negative ? -v : v;
}

function isSpace(c: number): boolean {
  // C isspace() in the C locale: space, \t, \n, \v, \f, \r.
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Redis's sdssplitargs() over buf[start, end) (the caller guarantees no NUL inside): blanks
 * separate arguments; "double quotes" take \n \r \t \b \a \xHH and \<any>; 'single quotes' take
 * only \'; a closing quote must be followed by a blank or the end. null: unbalanced quotes.
 */
function splitArgs(buf: Latin1Buffer, start: number, end: number): string[] | null {
  const at = (i: number): number => (i < end ? buf[i] : 0);
  const argv: string[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p])) p++;
    if (p >= end) return argv;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === BACKSLASH && at(p + 1) === 120 && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          current += String.fromCharCode(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (c === BACKSLASH && at(p + 1) !== 0) {
          p++;
          const e = buf[p];
          current += String.fromCharCode(
            e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e,
          );
        } else if (c === DQUOTE) {
          const after = at(p + 1);
          if (after !== 0 && !isSpace(after)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current += String.fromCharCode(c);
        }
      } else if (inSingle) {
        if (c === BACKSLASH && at(p + 1) === SQUOTE) {
          p++;
          current += "'";
        } else if (c === SQUOTE) {
          const after = at(p + 1);
          if (after !== 0 && !isSpace(after)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current += String.fromCharCode(c);
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === DQUOTE) {
        inDouble = true;
      } else if (c === SQUOTE) {
        inSingle = true;
      } else {
        // A run of plain bytes in one slice.
        let q = p + 1;
        for (; q < end; q++) {
          const d = buf[q];
          if (d === 32 || d === 10 || d === 13 || d === 9 || d === DQUOTE || d === SQUOTE) break;
        }
        current += buf.latin1Slice(p, q);
        p = q - 1;
      }
      if (at(p) !== 0) p++;
    }
    argv.push(current);
  }
}
