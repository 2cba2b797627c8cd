// The client side of the protocol: decodes what a server answers (parser.ts decodes what clients
// send, reply.ts encodes answers). Used where Hoard talks to a server as a client: a sentinel's
// links to the instances it watches, hoard-restore's pipelined loader, and hoard-proxy's links to
// the cluster's nodes (which pass replies on as they came: nextFrame).
//
// RESP2 replies, and RESP3's, read as their RESP2 shapes: null (_) as null, blob errors (!) as
// errors, verbatim strings (=) as bulk strings, sets (~), pushes (>) and maps (%, as a flat list of
// key, value, ...) as arrays, and doubles, booleans and big numbers (, # () as their text.
// Complete replies only: next() returns undefined, and consumes nothing, until a whole reply is
// buffered. A type byte or a length that is not RESP throws: the stream cannot be trusted past it.

/** One decoded reply. Error replies are ReplyError values, not thrown. */
export type Reply = string | number | null | ReplyError | Reply[];

export class ReplyError {
  constructor(readonly message: string) {}
}

export class ReplyReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. Throws on bad syntax. */
  next(): Reply | undefined {
    const start = this.pos;
    const r = this.read();
    if (r === undefined) this.pos = start;
    return r;
  }

  /**
   * The next complete reply as its bytes, as it came (for passing it on unchanged: a view of
   * the chunks fed, which feed() never writes into), and decoded when `decode` is true or the
   * reply is an error (null otherwise); or undefined when more bytes are needed.
   */
  nextFrame(decode: boolean): { bytes: Buffer; reply: Reply } | undefined {
    const start = this.pos;
    if (!decode && this.buf[start] !== 0x2d && this.buf[start] !== 0x21) {
      const end = this.skip(start);
      if (end < 0) return undefined;
      this.pos = end;
      return { bytes: this.buf.subarray(start, end), reply: null };
    }
    const reply = this.read();
    if (reply === undefined) {
      this.pos = start;
      return undefined;
    }
    return { bytes: this.buf.subarray(start, this.pos), reply };
  }

  /** The end of the reply that starts at `p` without decoding it; -1 if not all buffered. */
  private skip(p: number): number {
    const buf = this.buf;
    if (p >= buf.length) return -1;
    const type = buf[p];
    const nl = buf.indexOf('\r\n', p + 1, 'latin1');
    if (nl < 0) return -1;
    switch (type) {
      case 0x24: // $ bulk
      case 0x3d: // = verbatim
      case 0x21: {
        // ! blob error
        const n = this.length(buf.toString('latin1', p + 1, nl), 'bulk');
        if (n === -1) return nl + 2;
        return nl + 2 + n + 2 <= buf.length ? nl + 2 + n + 2 : -1;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: {
        // % map
        let n = this.length(buf.toString('latin1', p + 1, nl), 'aggregate');
        if (type === 0x25) n *= 2;
        let at = nl + 2;
        for (let i = 0; i < n; i++) {
          at = this.skip(at);
          if (at < 0) return -1;
        }
        return at;
      }
      case 0x2b:
      case 0x2d:
      case 0x3a:
      case 0x2c:
      case 0x23:
      case 0x28:
      case 0x5f:
        return nl + 2;
      default:
        throw new Error(`unexpected reply type byte 0x${type.toString(16)}`);
    }
  }

  private line(): string | undefined {
    const nl = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (nl < 0) return undefined;
    const s = this.buf.toString('latin1', this.pos, nl);
    this.pos = nl + 2;
    return s;
  }

  private length(l: string, what: string): number {
    const n = Number(l);
    if (l === '' || !Number.isInteger(n) || n < -1) throw new Error(`bad ${what} length ${JSON.stringify(l.slice(0, 40))}`);
    return n;
  }

  private read(): Reply | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const type = this.buf[this.pos++];
    const l = this.line();
    if (l === undefined) return undefined;
    switch (type) {
      case 0x2b: // + simple string
      case 0x2c: // , double
      case 0x23: // # boolean
      case 0x28: // ( big number
        return l;
      case 0x2d: // - error
        return new ReplyError(l);
      case 0x3a: // : integer
        return Number(l);
      case 0x5f: // _ null
        return null;
      case 0x24: // $ bulk string
      case 0x3d: // = verbatim string
      case 0x21: {
        // ! blob error
        const n = this.length(l, 'bulk');
        if (n === -1) return null;
        if (this.pos + n + 2 > this.buf.length) return undefined;
        const s = this.buf.toString('latin1', this.pos, this.pos + n);
        this.pos += n + 2;
        return type === 0x21 ? new ReplyError(s) : s;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: {
        // % map: key, value, ... flat
        let n = this.length(l, 'aggregate');
        if (n === -1) return null;
        if (type === 0x25) n *= 2;
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const e = this.read();
          if (e === undefined) return undefined;
          out.push(e);
        }
        return out;
      }
      default:
        throw new Error(`unexpected reply type byte 0x${type.toString(16)}`);
    }
  }
}
