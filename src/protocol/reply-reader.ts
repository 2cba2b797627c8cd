// The client side of the protocol: decodes what a server answers (parser.ts decodes what clients
// send, reply.ts encodes answers). Used where Hoard talks to a server as a client: a sentinel's
// links to the instances it watches, and hoard-restore's pipelined loader.
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
