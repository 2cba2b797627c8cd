// Reply encoder: turns handler replies into RESP2 or RESP3 bytes (as a latin1 string).
// Invariant: `out` only ever holds complete replies in the order the handlers produced them;
// the protocol version decides the encoding of maps, sets, nulls, doubles, booleans and pushes,
// so handlers never branch on RESP2/RESP3 themselves.
//
// Keys and values are latin1 strings (one char per byte), so `s.length` is the byte length and
// the output can be written to a socket with the 'latin1' encoding, binary-safe.

const CRLF = '\r\n';

export class ReplyWriter {
  /** Pending, not yet flushed output. */
  out = '';
  /** 2 or 3: set by HELLO. */
  resp: 2 | 3 = 2;
  /** Error replies written so far, and the last one's text: the dispatcher counts errors
   * (INFO errorstats) from these instead of reading `out` back, which would flatten the whole
   * pending reply string after every command (quadratic on a long pipeline). */
  errors = 0;
  lastError = '';

  take(): string {
    const s = this.out;
    this.out = '';
    return s;
  }

  raw(s: string): void {
    this.out += s;
  }

  ok(): void {
    this.out += '+OK\r\n';
  }

  simple(s: string): void {
    this.out += '+' + s + CRLF;
  }

  /** `msg` carries its own prefix: "ERR ...", "WRONGTYPE ...", "NOAUTH ...". */
  error(msg: string): void {
    this.errors++;
    this.lastError = msg;
    this.out += '-' + msg + CRLF;
  }

  int(n: number | bigint): void {
    this.out += ':' + n + CRLF;
  }

  bulk(s: string): void {
    this.out += '$' + s.length + CRLF + s + CRLF;
  }

  bulkOrNull(s: string | undefined | null): void {
    if (s === undefined || s === null) this.nullBulk();
    else this.out += '$' + s.length + CRLF + s + CRLF;
  }

  nullBulk(): void {
    this.out += this.resp === 3 ? '_\r\n' : '$-1\r\n';
  }

  nullArray(): void {
    this.out += this.resp === 3 ? '_\r\n' : '*-1\r\n';
  }

  array(n: number): void {
    this.out += '*' + n + CRLF;
  }

  /** A map of n pairs: RESP3 `%n`, RESP2 a flat array of 2n elements. */
  map(n: number): void {
    this.out += (this.resp === 3 ? '%' : '*') + (this.resp === 3 ? n : n * 2) + CRLF;
  }

  set(n: number): void {
    this.out += (this.resp === 3 ? '~' : '*') + n + CRLF;
  }

  push(n: number): void {
    this.out += (this.resp === 3 ? '>' : '*') + n + CRLF;
  }

  /** `text` is the already formatted double (Redis formats differ per command). */
  double(text: string): void {
    if (this.resp === 3) this.out += ',' + text + CRLF;
    else this.out += '$' + text.length + CRLF + text + CRLF;
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.out += b ? '#t\r\n' : '#f\r\n';
    else this.out += b ? ':1\r\n' : ':0\r\n';
  }

  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) this.out += '=' + (s.length + 4) + CRLF + format + ':' + s + CRLF;
    else this.out += '$' + s.length + CRLF + s + CRLF;
  }

  bulks(items: readonly string[]): void {
    let o = '*' + items.length + CRLF;
    for (let i = 0; i < items.length; i++) {
      const s = items[i];
      o += '$' + s.length + CRLF + s + CRLF;
    }
    this.out += o;
  }

  /** Array of bulks where undefined/null elements are null bulks (MGET, HMGET). */
  bulksOrNull(items: readonly (string | undefined | null)[]): void {
    this.array(items.length);
    for (let i = 0; i < items.length; i++) this.bulkOrNull(items[i]);
  }
}

/** Encodes one command as a RESP multibulk (used by the mutation log and replication). */
export function encodeCommand(argv: readonly string[]): string {
  let o = '*' + argv.length + CRLF;
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    o += '$' + s.length + CRLF + s + CRLF;
  }
  return o;
}
