// The HyperLogLog family (PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST) against every backend. HLLs
// are strings in Redis's own format, so the assertions compare the bytes GET returns: exact hex
// for small sparse HLLs, SHA-1 digests for large ones. Every literal below (bytes, digests,
// counts) was read from redis-server 7.0.15 for the same commands, and the redis backend of this
// suite checks them again. The in-process block at the end checks what only Hoard exposes: the
// propagated stream, and that replaying it reproduces every key's bytes.

import { createHash } from 'node:crypto';
import { describe, it, expect, afterEach } from 'vitest';
import { commandSuite, type SuiteContext } from '../helpers/suite.js';
import { EventListener, RawConn } from '../helpers/raw-conn.js';
import { inProcess, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';
import { ManualClock } from '../../src/keyspace/clock.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const INVALID = 'INVALIDOBJ Corrupted HLL object detected';

const hex = (s: string) => Buffer.from(s, 'hex');
/** An empty HLL: sparse, cached cardinality 0 (valid), XZERO:16384. */
const EMPTY = hex('48594c4c010000000000000000000000' + '7fff');
/** The same with its cache marked invalid: what PFADD creates (it counts as an update). */
const EMPTY_CREATED = hex('48594c4c010000000000000000000080' + '7fff');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** Adds `prefix0 .. prefix(n-1)` in batches of `batch` elements. */
async function addRange(t: SuiteContext, key: string, prefix: string, n: number, batch = 1000): Promise<void> {
  for (let i = 0; i < n; i += batch) {
    const els: string[] = [];
    for (let k = i; k < Math.min(n, i + batch); k++) els.push(prefix + k);
    await t.call('PFADD', key, ...els);
  }
}

async function bytesOf(t: SuiteContext, key: string): Promise<Buffer> {
  return (await t.callBuffer('GET', key)) as Buffer;
}

async function dirty(t: SuiteContext): Promise<number> {
  const info = (await t.call('INFO', 'persistence')) as string;
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

commandSuite('hyperloglog: PFADD PFCOUNT', (t) => {
  it('PFADD creates a sparse HLL string; no elements creates an empty one', async () => {
    expect(await t.call('PFADD', 'h')).toBe(1);
    expect(await t.call('PFADD', 'h')).toBe(0);
    expect(await bytesOf(t, 'h')).toEqual(EMPTY_CREATED);
    expect(await t.call('TYPE', 'h')).toBe('string');
    expect(await t.call('OBJECT', 'ENCODING', 'h')).toBe('raw');
    expect(await t.call('PFCOUNT', 'h')).toBe(0);
    expect(await t.call('PFCOUNT', 'nokey')).toBe(0);
  });

  it('sparse bytes, cached cardinality and its invalidation match Redis', async () => {
    expect(await t.call('PFADD', 'h', 'a', 'b', 'c')).toBe(1);
    // Redis: XZERO:8436 VAL:1,1 XZERO:4274 VAL:2,1 XZERO:3068 VAL:1,1 XZERO:603, cache invalid.
    expect(await bytesOf(t, 'h')).toEqual(hex('48594c4c01000000000000000000008060f38050b1844bfb80425a'));
    expect(await t.call('PFDEBUG', 'DECODE', 'h')).toBe('Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
    expect(await t.call('PFADD', 'h', 'a', 'b', 'c')).toBe(0);
    expect(await t.call('PFCOUNT', 'h')).toBe(3);
    // The count is cached in the header (little endian, bit 63 clear = valid).
    expect(await bytesOf(t, 'h')).toEqual(hex('48594c4c01000000030000000000000060f38050b1844bfb80425a'));
    expect(await t.call('PFCOUNT', 'h')).toBe(3);
    expect(await t.call('PFADD', 'h', 'd', 'e', 'f', 'g')).toBe(1);
    expect(await t.call('PFCOUNT', 'h')).toBe(7);
    expect(await bytesOf(t, 'h')).toEqual(hex('48594c4c010000000700000000000000466d80560c80443c84388050b184498c80426d80425a'));
  });

  it('1000 elements stay sparse; bytes and count equal Redis', async () => {
    await addRange(t, 's', 'm', 1000, 100);
    expect(await t.call('PFDEBUG', 'ENCODING', 's')).toBe('sparse');
    const b = await bytesOf(t, 's');
    expect(b.length).toBe(1901);
    expect(sha1(b)).toBe('c22566768d2593f5d8fb2aff7217db12d4d13067');
    expect(await t.call('PFCOUNT', 's')).toBe(1002);
    expect(sha1(await bytesOf(t, 's'))).toBe('6f5b26bc40089901214bbe6df8da3aab0884f258');
  });

  it('100k elements: dense bytes equal Redis, count within 1%', async () => {
    await addRange(t, 'd', 'e', 100000);
    expect(await t.call('PFDEBUG', 'ENCODING', 'd')).toBe('dense');
    const b = await bytesOf(t, 'd');
    expect(b.length).toBe(12304);
    expect(sha1(b)).toBe('ec6400bb60029296060157289491545488e0cdd1');
    const n = await t.call('PFCOUNT', 'd');
    expect(n).toBe(100853); // Redis's estimate
    expect(Math.abs(n - 100000) / 100000).toBeLessThan(0.01);
    expect(sha1(await bytesOf(t, 'd'))).toBe('963e6cee79a81da7857234caac0f76085c89dd79');
  });

  it('sparse is promoted to dense when it would exceed hll-sparse-max-bytes (3000)', async () => {
    for (let i = 0; i < 1670; i++) await t.call('PFADD', 't', 'p' + i);
    expect(await t.call('PFDEBUG', 'ENCODING', 't')).toBe('sparse');
    expect((await bytesOf(t, 't')).length).toBe(3000);
    expect(await t.call('PFADD', 't', 'p1670')).toBe(1);
    expect(await t.call('PFDEBUG', 'ENCODING', 't')).toBe('dense');
    expect((await bytesOf(t, 't')).length).toBe(12304);
  });

  it('hll-sparse-max-bytes is read at each update', async () => {
    try {
      expect(await t.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '30')).toBe('OK');
      await t.call('PFADD', 'h', 'a', 'b', 'c');
      expect(await t.call('PFDEBUG', 'ENCODING', 'h')).toBe('sparse');
      await t.call('PFADD', 'h', 'd', 'e', 'f', 'g');
      expect(await t.call('PFDEBUG', 'ENCODING', 'h')).toBe('dense');
      expect(await t.call('PFCOUNT', 'h')).toBe(7);
    } finally {
      await t.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    }
  });

  it('PFCOUNT of several keys is the union and modifies nothing', async () => {
    await addRange(t, 's', 'm', 1000, 250);
    await addRange(t, 'd', 'e', 100000, 2000);
    await t.call('PFADD', 'h', 'a', 'b', 'c');
    const before = [sha1(await bytesOf(t, 's')), sha1(await bytesOf(t, 'd'))];
    expect(await t.call('PFCOUNT', 's', 'd')).toBe(101672);
    expect(await t.call('PFCOUNT', 's', 'h', 'nokey')).toBe(1005);
    expect(await t.call('PFCOUNT', 'nokey', 'nokey2')).toBe(0);
    expect([sha1(await bytesOf(t, 's')), sha1(await bytesOf(t, 'd'))]).toEqual(before);
  });

  it('an HLL written with SET works, and PFCOUNT makes an embstr one raw', async () => {
    await t.call('SET', 'e', EMPTY);
    expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('embstr');
    expect(await t.call('PFCOUNT', 'e', 'nokey')).toBe(0);
    expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('embstr');
    expect(await t.call('PFCOUNT', 'e')).toBe(0);
    expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('raw');
    await t.call('SET', 'h', hex('48594c4c01000000000000000000008060f38050b1844bfb80425a'));
    expect(await t.call('PFCOUNT', 'h')).toBe(3);
    expect(await t.call('PFADD', 'h', 'd', 'e', 'f', 'g')).toBe(1);
    expect(await t.call('PFCOUNT', 'h')).toBe(7);
  });

  it('PFADD and PFMERGE keep the TTL', async () => {
    await t.call('SET', 'e', EMPTY, 'EX', 100);
    expect(await t.call('PFADD', 'e', 'a')).toBe(1);
    expect(await t.call('TTL', 'e')).toBe(100);
    expect(await t.call('PFMERGE', 'e', 'e')).toBe('OK');
    expect(await t.call('TTL', 'e')).toBe(100);
  });

  it('wrong types and invalid HLL strings', async () => {
    await t.call('LPUSH', 'l', 'a');
    expect(await t.error('PFADD', 'l', 'a')).toBe(WRONGTYPE);
    expect(await t.error('PFCOUNT', 'l')).toBe(WRONGTYPE);
    await t.call('PFADD', 'h', 'a');
    expect(await t.error('PFCOUNT', 'h', 'l')).toBe(WRONGTYPE);
    expect(await t.error('PFMERGE', 'h', 'l')).toBe(WRONGTYPE);
    expect(await t.error('PFDEBUG', 'GETREG', 'l')).toBe(WRONGTYPE);
    await t.call('SET', 's', 'not an hll at all');
    expect(await t.error('PFADD', 's', 'a')).toBe(NOT_HLL);
    expect(await t.error('PFCOUNT', 's')).toBe(NOT_HLL);
    expect(await t.error('PFCOUNT', 'h', 's')).toBe(NOT_HLL);
    expect(await t.error('PFMERGE', 'h', 's')).toBe(NOT_HLL);
    expect(await t.error('PFDEBUG', 'ENCODING', 's')).toBe(NOT_HLL);
    // Too short for a header; unknown encoding; a dense HLL of the wrong length.
    await t.call('SET', 'w', hex('48594c4c000000000000000000000000').subarray(0, 15));
    expect(await t.error('PFADD', 'w')).toBe(NOT_HLL);
    await t.call('SET', 'w', hex('48594c4c020000000000000000000080'));
    expect(await t.error('PFCOUNT', 'w')).toBe(NOT_HLL);
    await t.call('SET', 'w', hex('48594c4c000000000000000000000080'));
    expect(await t.error('PFCOUNT', 'w')).toBe(NOT_HLL);
    await t.call('SET', 'w', '123456789012345678');
    expect(await t.error('PFCOUNT', 'w')).toBe(NOT_HLL);
    expect(await t.call('GET', 'w')).toBe('123456789012345678');
  });

  it('corrupted sparse bodies are refused where Redis refuses them', async () => {
    // Header only, cache invalid: no registers at all.
    await t.call('SET', 'z', hex('48594c4c010000000000000000000080'));
    expect(await t.error('PFCOUNT', 'z')).toBe(INVALID);
    expect(await t.error('PFADD', 'z', 'a')).toBe(INVALID);
    expect(await t.call('PFDEBUG', 'DECODE', 'z')).toBe('');
    expect(await t.error('PFDEBUG', 'TODENSE', 'z')).toBe(INVALID);
    // A valid cache is returned without reading the body.
    await t.call('SET', 'c', hex('48594c4c010000000500000000000000'));
    expect(await t.call('PFCOUNT', 'c')).toBe(5);
    expect(await t.error('PFCOUNT', 'c', 'nokey')).toBe(INVALID);
    // A truncated XZERO reads the terminator as its second byte.
    await t.call('SET', 'x', hex('48594c4c0100000000000000000000807f'));
    expect(await t.call('PFDEBUG', 'DECODE', 'x')).toBe('Z:16129');
    expect(await t.error('PFCOUNT', 'x')).toBe(INVALID);
    expect(await t.error('PFMERGE', 'dst', 'x')).toBe(INVALID);
    expect(await t.call('EXISTS', 'dst')).toBe(0);
    // XZERO:8192 covers half the registers: 'a' (register 8436) is beyond it.
    await t.call('SET', 'y', hex('48594c4c0100000000000000000000005fff'));
    expect(await t.error('PFADD', 'y', 'a', 'b')).toBe(INVALID);
    expect(await bytesOf(t, 'y')).toEqual(hex('48594c4c0100000000000000000000005fff'));
    expect(await t.call('PFCOUNT', 'y')).toBe(0); // the cache is valid
    // Too many registers (XZERO:16384 twice).
    await t.call('SET', 'v', hex('48594c4c0100000000000000000000807fff7fff'));
    expect(await t.error('PFCOUNT', 'v')).toBe(INVALID);
    expect(await t.error('PFDEBUG', 'GETREG', 'v')).toBe(INVALID);
    expect(await t.call('PFADD', 'v', 'a')).toBe(1);
  });

  it('wrong arity', async () => {
    expect(await t.error('PFADD')).toBe("ERR wrong number of arguments for 'pfadd' command");
    expect(await t.error('PFCOUNT')).toBe("ERR wrong number of arguments for 'pfcount' command");
    expect(await t.error('PFMERGE')).toBe("ERR wrong number of arguments for 'pfmerge' command");
    expect(await t.error('PFDEBUG', 'GETREG')).toBe("ERR wrong number of arguments for 'pfdebug' command");
    expect(await t.error('PFDEBUG', 'GETREG', 'a', 'b')).toBe("ERR wrong number of arguments for 'pfdebug' command");
    expect(await t.error('PFSELFTEST', 'x')).toBe("ERR wrong number of arguments for 'pfselftest' command");
  });

  it('COMMAND INFO', async () => {
    const info = (await t.call('COMMAND', 'INFO', 'pfadd', 'pfcount', 'pfmerge', 'pfdebug', 'pfselftest')) as any[][];
    expect(info.map((c) => c.slice(0, 6))).toEqual([
      ['pfadd', -2, ['write', 'denyoom', 'fast'], 1, 1, 1],
      ['pfcount', -2, ['readonly'], 1, -1, 1],
      ['pfmerge', -2, ['write', 'denyoom'], 1, -1, 1],
      ['pfdebug', 3, ['write', 'denyoom', 'admin'], 2, 2, 1],
      ['pfselftest', 1, ['admin'], 0, 0, 0],
    ]);
    expect(info.map((c) => [...c[6]].sort())).toEqual([
      ['@fast', '@hyperloglog', '@write'],
      ['@hyperloglog', '@read', '@slow'],
      ['@hyperloglog', '@slow', '@write'],
      ['@admin', '@dangerous', '@hyperloglog', '@slow', '@write'],
      ['@admin', '@dangerous', '@hyperloglog', '@slow'],
    ]);
  });

  it('the dirty counter: one per register update (+1 for a new key), PFCOUNT cache updates count', async () => {
    const d0 = await dirty(t);
    await t.call('PFADD', 'h', 'a', 'b', 'c');
    expect((await dirty(t)) - d0).toBe(4);
    await t.call('PFADD', 'h', 'a');
    expect((await dirty(t)) - d0).toBe(4);
    await t.call('PFCOUNT', 'h');
    expect((await dirty(t)) - d0).toBe(5);
    await t.call('PFCOUNT', 'h');
    await t.call('PFCOUNT', 'h', 'nokey');
    expect((await dirty(t)) - d0).toBe(5);
    await t.call('PFMERGE', 'm', 'h');
    expect((await dirty(t)) - d0).toBe(6);
    await t.call('PFDEBUG', 'TODENSE', 'm');
    expect((await dirty(t)) - d0).toBe(7);
    await t.call('PFDEBUG', 'TODENSE', 'm');
    await t.call('PFDEBUG', 'GETREG', 'm');
    expect((await dirty(t)) - d0).toBe(7);
    await t.call('PFDEBUG', 'GETREG', 'h');
    expect((await dirty(t)) - d0).toBe(8);
  });

  it('WATCH: PFADD that changes a register and PFCOUNT that updates the cache touch the key', async () => {
    const other = await t.connect();
    await t.call('PFADD', 'h', 'a');
    const watchRun = async (mutate: () => Promise<unknown>) => {
      await t.call('WATCH', 'h');
      await mutate();
      await t.call('MULTI');
      await t.call('PING');
      return t.call('EXEC');
    };
    expect(await watchRun(() => other.call('PFADD', 'h', 'a'))).toEqual(['PONG']);
    expect(await watchRun(() => other.call('PFADD', 'h', 'b'))).toBe(null);
    expect(await watchRun(() => other.call('PFCOUNT', 'h'))).toBe(null);
    expect(await watchRun(() => other.call('PFCOUNT', 'h'))).toEqual(['PONG']);
    expect(await watchRun(() => other.call('PFMERGE', 'h'))).toBe(null);
  });

  it('PFSELFTEST', async () => {
    expect(await t.call('PFSELFTEST')).toBe('OK');
  });
});

commandSuite('hyperloglog: PFMERGE PFDEBUG', (t) => {
  it('PFMERGE of sparse HLLs stays sparse; with a dense one it is dense', async () => {
    await addRange(t, 's', 'm', 1000, 100);
    await t.call('PFADD', 'h', 'a', 'b', 'c');
    expect(await t.call('PFMERGE', 'm', 's', 'h')).toBe('OK');
    expect(await t.call('PFDEBUG', 'ENCODING', 'm')).toBe('sparse');
    expect(sha1(await bytesOf(t, 'm'))).toBe('e3af0b0837c33641edb11e6c4080b7e4c67ed3a8');
    expect(await t.call('PFCOUNT', 'm')).toBe(1005);
    await addRange(t, 'd', 'e', 100000, 2000);
    expect(await t.call('PFMERGE', 'm2', 'd', 's')).toBe('OK');
    expect(await t.call('PFDEBUG', 'ENCODING', 'm2')).toBe('dense');
    expect(sha1(await bytesOf(t, 'm2'))).toBe('44bfec2322ed78566849f06972b6559e1be8fe90');
    expect(await t.call('PFCOUNT', 'm2')).toBe(101672);
  });

  it('the destination is merged too, and created empty when nothing exists', async () => {
    expect(await t.call('PFMERGE', 'dst')).toBe('OK');
    // An empty sparse HLL whose cache is invalidated.
    expect(await bytesOf(t, 'dst')).toEqual(hex('48594c4c0100000000000000000000807fff'));
    expect(await t.call('PFMERGE', 'dst2', 'nokey')).toBe('OK');
    expect(await t.call('PFCOUNT', 'dst2')).toBe(0);
    await t.call('PFADD', 'a', 'x', 'y');
    await t.call('PFADD', 'b', 'y', 'z');
    expect(await t.call('PFMERGE', 'a', 'b')).toBe('OK');
    expect(await t.call('PFCOUNT', 'a')).toBe(3);
    expect(await t.call('PFCOUNT', 'b')).toBe(2);
  });

  it('PFDEBUG GETREG ENCODING DECODE TODENSE', async () => {
    await t.call('PFADD', 'g', 'a', 'b', 'c');
    expect(await t.call('PFDEBUG', 'encoding', 'g')).toBe('sparse');
    const regs = (await t.call('PFDEBUG', 'GETREG', 'g')) as number[];
    expect(regs.length).toBe(16384);
    const nonzero = regs.flatMap((v, i) => (v !== 0 ? [`${i}:${v}`] : []));
    expect(nonzero).toEqual(['8436:1', '12711:2', '15780:1']);
    // GETREG converted it.
    expect(await t.call('PFDEBUG', 'ENCODING', 'g')).toBe('dense');
    expect(await t.error('PFDEBUG', 'DECODE', 'g')).toBe('ERR HLL encoding is not sparse');
    expect(await t.call('PFDEBUG', 'TODENSE', 'g')).toBe(0);
    expect(await t.call('PFCOUNT', 'g')).toBe(3);
    await t.call('PFADD', 'h', 'a');
    expect(await t.call('PFDEBUG', 'TODENSE', 'h')).toBe(1);
    expect(await t.call('PFDEBUG', 'TODENSE', 'h')).toBe(0);
    const b = await bytesOf(t, 'h');
    expect(b.length).toBe(12304);
    expect(b.subarray(0, 16)).toEqual(hex('48594c4c000000000000000000000080'));
    expect(await t.error('PFDEBUG', 'GETREG', 'nokey')).toBe('ERR The specified key does not exist');
    expect(await t.error('PFDEBUG', 'nosuch', 'h')).toBe("ERR Unknown PFDEBUG subcommand 'nosuch'");
    expect(await t.error('PFDEBUG', 'nosuch', 'nokey')).toBe('ERR The specified key does not exist');
  });

  it('PFDEBUG makes an embstr HLL raw, whatever the subcommand', async () => {
    await t.call('SET', 'e', EMPTY);
    expect(await t.call('PFDEBUG', 'DECODE', 'e')).toBe('Z:16384');
    expect(await t.call('OBJECT', 'ENCODING', 'e')).toBe('raw');
  });

  it('keyspace events: "pfadd" for PFADD and PFMERGE only', async () => {
    await t.call('CONFIG', 'SET', 'notify-keyspace-events', 'E$');
    try {
      const sub = await EventListener.open(t);
      await sub.subscribe('__keyevent@0__:*');
      await t.call('PFADD', 'h', 'a');
      await t.call('PFADD', 'h', 'a');
      await t.call('PFCOUNT', 'h');
      await t.call('PFMERGE', 'm', 'h');
      await t.call('PFDEBUG', 'TODENSE', 'm');
      await t.call('SET', 'k', 'v');
      expect(await sub.drain()).toEqual(['__keyevent@0__:pfadd h', '__keyevent@0__:pfadd m', '__keyevent@0__:set k']);
      sub.close();
    } finally {
      await t.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });
});

// ---- in-process only ------------------------------------------------------------------------

describe('hyperloglog: in-process', () => {
  let backend: Backend | undefined;
  let replica: Backend | undefined;
  afterEach(async () => {
    await backend?.close();
    await replica?.close();
    backend = replica = undefined;
  });

  it('propagates what Redis propagates', async () => {
    backend = await inProcess();
    const seen: string[][] = [];
    backend.server!.log.addObserver((_db, argv) => seen.push([...argv]));
    const c = new RawConn(backend, true);
    const expectLog = async (args: string[], want: string[][]) => {
      seen.length = 0;
      await c.send(...args);
      expect([args, seen]).toEqual([args, want]);
    };
    await expectLog(['PFADD', 'h', 'a', 'b'], [['PFADD', 'h', 'a', 'b']]);
    await expectLog(['PFADD', 'h', 'a'], []);
    await expectLog(['PFADD', 'h'], []);
    await expectLog(['PFCOUNT', 'h'], [['PFCOUNT', 'h']]);
    await expectLog(['PFCOUNT', 'h'], []);
    await expectLog(['PFCOUNT', 'h', 'x'], []);
    await expectLog(['PFMERGE', 'm', 'h', 'x'], [['PFMERGE', 'm', 'h', 'x']]);
    await expectLog(['PFDEBUG', 'GETREG', 'm'], [['PFDEBUG', 'TODENSE', 'm']]);
    await expectLog(['PFDEBUG', 'GETREG', 'm'], []);
    await expectLog(['PFDEBUG', 'ENCODING', 'h'], []);
    await expectLog(['PFDEBUG', 'TODENSE', 'h'], [['PFDEBUG', 'TODENSE', 'h']]);
    await expectLog(['PFDEBUG', 'TODENSE', 'h'], []);
    await expectLog(['PFSELFTEST'], []);
    // Partial in-place updates before an invalid sparse body are kept, and logged as a SET.
    const broken = Buffer.from('48594c4c010000000000000000000000' + '5fff', 'hex').toString('latin1');
    await c.send('SET', 'y', broken);
    seen.length = 0;
    // 'abcdefgh' (register 1383) is in the covered half, 'a' (register 8436) beyond it.
    expect(await c.send('PFADD', 'y', 'abcdefgh', 'a')).toBe('-' + INVALID + '\r\n');
    const after = (await c.send('GET', 'y')).replace(/^\$\d+\r\n/, '').slice(0, -2);
    expect(after).not.toBe(broken);
    expect(seen).toEqual([['SET', 'y', after, 'KEEPTTL']]);
  });

  it('replaying the propagated stream of a mixed workload reproduces every key byte for byte', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    backend = await inProcess({}, clock);
    const log: Array<{ db: number; argv: string[] }> = [];
    backend.server!.log.addObserver((db, argv) => log.push({ db, argv: [...argv] }));
    const c = new RawConn(backend, true);
    const rnd = mulberry32(0x4111);
    const keys = ['h0', 'h1', 'h2', 'h3'];
    const key = () => keys[Math.floor(rnd() * keys.length)];
    let next = 0;
    for (let i = 0; i < 3000; i++) {
      const r = rnd();
      if (r < 0.55) {
        const n = Math.floor(rnd() * 40);
        const els: string[] = [];
        for (let k = 0; k < n; k++) els.push(rnd() < 0.2 ? 'dup' + Math.floor(rnd() * 50) : 'el' + next++);
        await c.send('PFADD', key(), ...els);
      } else if (r < 0.75) await c.send('PFCOUNT', key());
      else if (r < 0.82) await c.send('PFCOUNT', key(), key());
      else if (r < 0.9) await c.send('PFMERGE', key(), key(), key());
      else if (r < 0.93) await c.send('PFDEBUG', 'TODENSE', key());
      else if (r < 0.95) await c.send('PFDEBUG', 'GETREG', key());
      else if (r < 0.97) await c.send('DEL', key());
      else await c.send('SET', key(), 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff');
    }
    expect(log.length).toBeGreaterThan(1000);
    replica = await inProcess({}, new ManualClock(1_700_000_000_000));
    const r = new RawConn(replica, true);
    for (const m of log) {
      const reply = await r.send(...m.argv);
      expect([m.argv.slice(0, 2), reply.startsWith('-')]).toEqual([m.argv.slice(0, 2), false]);
    }
    const snapshot = (b: Backend) => {
      const out = new Map<string, unknown>();
      for (const e of b.server!.ks.dbs[0].entries()) out.set(e.key, e.value);
      return out;
    };
    const a = snapshot(backend);
    expect(a.size).toBeGreaterThan(0);
    expect(snapshot(replica)).toEqual(a);
    let dense = 0;
    for (const v of a.values()) if ((v as string).charCodeAt(4) === 0) dense++;
    expect(dense).toBeGreaterThan(0);
  });
});
