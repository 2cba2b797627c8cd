// The mutation log: the one ordered stream of canonical mutations that feeds the AOF, the
// replication backlog and (through the offset) snapshots.
// Invariants: the stream is RESP-encoded commands exactly as Redis propagates them, with a
// `SELECT <db>` inserted whenever the db of the next mutation differs from the previous one;
// `offset` is the byte position after the last byte of the stream (Redis's master_repl_offset);
// a MULTI/EXEC group reaches consumers as ONE unit (wrapped in MULTI/EXEC when it holds more
// than one command), so a consumer never persists or ships half a transaction.

import { encodeCommand } from '../protocol/reply.js';

/** Receives each atomic unit of the stream: `unit` is latin1 RESP, `startOffset` its first byte. */
export type LogConsumer = (unit: string, startOffset: number) => void;
/**
 * A consumer that encodes single mutations itself, straight into its own buffer (the AOF
 * writer): no unit string is built for it. Its bytes must equal the unit a LogConsumer gets.
 */
export interface LogEncoder {
  /**
   * One mutation, `length` bytes at `startOffset`: `SELECT selectDb` (when selectDb >= 0)
   * followed by argv, each as encodeCommand encodes it.
   */
  command(selectDb: number, argv: readonly string[], startOffset: number, length: number): void;
  /** A unit already encoded: a MULTI/EXEC group, or any unit while a LogConsumer is attached. */
  unit(unit: string, startOffset: number): void;
}
/** Sees every mutation as structured argv (WATCH invalidation, keyspace tests). */
export type MutationObserver = (db: number, argv: readonly string[]) => void;

export class MutationLog {
  /** Stream offset after the last byte appended. */
  offset = 0;
  /** Mutations since start: Redis's `server.dirty`, for `save` rules and INFO. */
  dirty = 0;
  private selectedDb = -1;
  private groupDepth = 0;
  private groupUnits = '';
  private groupCommands = 0;
  private readonly consumers: LogConsumer[] = [];
  private readonly encoders: LogEncoder[] = [];
  private readonly observers: MutationObserver[] = [];

  addConsumer(c: LogConsumer): void {
    this.consumers.push(c);
  }

  removeConsumer(c: LogConsumer): void {
    const i = this.consumers.indexOf(c);
    if (i >= 0) this.consumers.splice(i, 1);
  }

  addEncoder(e: LogEncoder): void {
    this.encoders.push(e);
  }

  removeEncoder(e: LogEncoder): void {
    const i = this.encoders.indexOf(e);
    if (i >= 0) this.encoders.splice(i, 1);
  }

  addObserver(o: MutationObserver): void {
    this.observers.push(o);
  }

  /** Forces a SELECT before the next mutation (a new consumer or segment must not depend on older context). */
  forceSelect(): void {
    this.selectedDb = -1;
  }

  append(db: number, argv: readonly string[]): void {
    this.dirty++;
    for (let i = 0; i < this.observers.length; i++) this.observers[i](db, argv);
    if (this.consumers.length === 0 && this.groupDepth === 0) {
      // No unit string is needed: encoders write the bytes themselves, and with none (no AOF,
      // no replica) only the offset advances, exactly as if they had been encoded — it is
      // still the replication/snapshot offset.
      let selectDb = -1;
      let length = encodedLength(argv);
      if (db !== this.selectedDb) {
        selectDb = db;
        length += encodedLength(['SELECT', String(db)]);
        this.selectedDb = db;
      }
      const start = this.offset;
      this.offset += length;
      const encoders = this.encoders;
      for (let i = 0; i < encoders.length; i++) encoders[i].command(selectDb, argv, start, length);
      return;
    }
    let unit = '';
    if (db !== this.selectedDb) {
      unit = encodeCommand(['SELECT', String(db)]);
      this.selectedDb = db;
    }
    unit += encodeCommand(argv);
    if (this.groupDepth > 0) {
      this.groupUnits += unit;
      this.groupCommands++;
      return;
    }
    this.emit(unit);
  }

  /**
   * A unit that is no mutation but belongs in the stream, at an offset like any other: the
   * primary's PING to its replicas and its REPLCONF GETACK (replication/primary.ts). No SELECT
   * before it, not counted in `dirty`, not shown to observers. Never inside a group.
   */
  appendControl(argv: readonly string[]): void {
    if (this.groupDepth > 0) throw Object.assign(new Error('MutationLog.appendControl inside a group'), { code: 'LOG_GROUP_UNBALANCED' });
    this.emit(encodeCommand(argv));
  }

  /** Starts an atomic group (EXEC, or a command that propagates several mutations). Nests. */
  beginGroup(): void {
    this.groupDepth++;
  }

  endGroup(): void {
    if (this.groupDepth === 0) throw Object.assign(new Error('MutationLog.endGroup without beginGroup'), { code: 'LOG_GROUP_UNBALANCED' });
    if (--this.groupDepth > 0) return;
    const n = this.groupCommands;
    const body = this.groupUnits;
    this.groupUnits = '';
    this.groupCommands = 0;
    if (n === 0) return;
    if (n === 1) {
      this.emit(body);
      return;
    }
    // SELECT must precede MULTI so that replaying the group never straddles a db switch it
    // cannot see; the body may carry further SELECTs of its own.
    let prefix = '';
    let inner = body;
    if (body.startsWith('*2\r\n$6\r\nSELECT\r\n')) {
      const end = body.indexOf('\r\n', body.indexOf('\r\n', 17) + 2) + 2;
      prefix = body.slice(0, end);
      inner = body.slice(end);
    }
    this.emit(prefix + '*1\r\n$5\r\nMULTI\r\n' + inner + '*1\r\n$4\r\nEXEC\r\n');
  }

  get inGroup(): boolean {
    return this.groupDepth > 0;
  }

  private emit(unit: string): void {
    const start = this.offset;
    this.offset += unit.length;
    for (let i = 0; i < this.consumers.length; i++) this.consumers[i](unit, start);
    for (let i = 0; i < this.encoders.length; i++) this.encoders[i].unit(unit, start);
  }
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length;
}

/** Byte length of encodeCommand(argv), without building it. */
export function encodedLength(argv: readonly string[]): number {
  let n = 3 + digits(argv.length);
  for (let i = 0; i < argv.length; i++) {
    const len = argv[i].length;
    n += 5 + digits(len) + len;
  }
  return n;
}
