import { describe, it, expect } from 'vitest';
import { MutationLog, encodedLength } from '../../../src/log/mutation-log.js';
import { encodeCommand } from '../../../src/protocol/reply.js';

describe('MutationLog', () => {
  it('inserts SELECT when the db changes and offsets are byte positions of the stream', () => {
    const log = new MutationLog();
    const units: Array<[string, number]> = [];
    log.addConsumer((u, o) => units.push([u, o]));
    log.append(0, ['SET', 'a', '1']);
    log.append(0, ['SET', 'b', '2']);
    log.append(3, ['DEL', 'a']);
    const stream = units.map(([u]) => u).join('');
    expect(stream).toBe(
      encodeCommand(['SELECT', '0']) + encodeCommand(['SET', 'a', '1']) + encodeCommand(['SET', 'b', '2']) + encodeCommand(['SELECT', '3']) + encodeCommand(['DEL', 'a']),
    );
    let at = 0;
    for (const [u, o] of units) {
      expect(o).toBe(at);
      at += u.length;
    }
    expect(log.offset).toBe(stream.length);
  });

  it('advances the offset identically whether or not anyone consumes the bytes', () => {
    const withConsumer = new MutationLog();
    withConsumer.addConsumer(() => {});
    const bare = new MutationLog();
    const ops: Array<[number, string[]]> = [];
    for (let i = 0; i < 500; i++) ops.push([i % 3, ['SET', `key:${i}`, 'v'.repeat(i), 'PXAT', String(1e12 + i)]]);
    for (const [db, argv] of ops) {
      withConsumer.append(db, argv);
      bare.append(db, argv);
      expect(bare.offset).toBe(withConsumer.offset);
    }
  });

  it('delivers a group as one unit wrapped in MULTI/EXEC, with SELECT before MULTI', () => {
    const log = new MutationLog();
    const units: string[] = [];
    log.addConsumer((u) => units.push(u));
    log.beginGroup();
    log.append(2, ['SET', 'a', '1']);
    log.append(2, ['INCR', 'n']);
    log.endGroup();
    log.beginGroup();
    log.append(2, ['SET', 'only', 'one']);
    log.endGroup();
    expect(units).toEqual([
      encodeCommand(['SELECT', '2']) + encodeCommand(['MULTI']) + encodeCommand(['SET', 'a', '1']) + encodeCommand(['INCR', 'n']) + encodeCommand(['EXEC']),
      encodeCommand(['SET', 'only', 'one']),
    ]);
  });

  it('encodedLength equals the encoding length for any argv', () => {
    for (const argv of [['PING'], ['SET', '', ''], ['x'.repeat(99999)], Array.from({ length: 1000 }, (_, i) => 'y'.repeat(i % 120))]) {
      expect(encodedLength(argv)).toBe(encodeCommand(argv).length);
    }
  });
});
