// Streams through a snapshot (real SnapshotJob, real LevelDB, real loader) and through the record
// codec alone: entries (tombstones and node boundaries included), metadata, groups, PELs and
// consumers come back exactly; a big stream is written in bounded chunks; corrupt stream records
// are refused with SnapshotFormatError.

import { describe, expect, it, afterEach } from 'vitest';
import { ManualClock } from '../../../src/keyspace/index.js';
import { silentLogger } from '../../../src/log.js';
import { SnapshotJob } from '../../../src/persistence/snapshot.js';
import type { SnapshotStore } from '../../../src/persistence/snapshot-store.js';
import { CHUNK_ELEMENTS, decodeRecord, encodeValue, materialize, SnapshotFormatError, type Elements } from '../../../src/persistence/value-codec.js';
import { StreamValue } from '../../../src/types/stream.js';
import { loadFresh, useSnapshotStore } from '../../helpers/snapshot-store.js';
import { inProcess, LocalConn, type Backend } from '../../helpers/backends.js';
import { makeTempDir } from '../../helpers/temp-dirs.js';
import { streamState } from '../../helpers/stream-state.js';
import { Config } from '../../../src/config.js';
import { Server } from '../../../src/server/server.js';
import { createDumpPayload, crc64, decodeDumpPayload, DUMP_FOOTER_BYTES } from '../../../src/persistence/rdb-value.js';

const NOW = 1_800_000_000_000;
const cfg = { num: () => 0 };
let store: SnapshotStore;
useSnapshotStore('hoard-xsnap-', (s) => (store = s));

let b: Backend | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

/** A server whose db 0 holds streams of every shape, built with commands. */
async function populated(): Promise<Backend> {
  b = await inProcess({}, new ManualClock(NOW));
  const call = (...a: Array<string | number>) => b!.conn.call(...a);
  for (let i = 1; i <= 1000; i++) {
    const fv = i % 7 === 0 ? ['other', String(i), 'x', '\x00\xff'] : ['f', String(i), 'v', 'x'.repeat(i % 50)];
    await call('XADD', 'big', `${1000 + i}-${i % 4}`, ...fv);
  }
  await call('XDEL', 'big', '1005-1', '1500-0', '1999-3', '2000-0');
  await call('XTRIM', 'big', 'MINID', '1150');
  await call('XGROUP', 'CREATE', 'big', 'g1', '0', 'ENTRIESREAD', '0');
  await call('XGROUP', 'CREATE', 'big', 'g2', '$');
  await call('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '30', 'STREAMS', 'big', '>');
  await call('XREADGROUP', 'GROUP', 'g1', 'bob\x00\xff', 'COUNT', '5', 'STREAMS', 'big', '>');
  await call('XCLAIM', 'big', 'g1', 'carol', '0', '1160-0', '1161-1', 'RETRYCOUNT', '9', 'TIME', String(NOW - 5000));
  await call('XGROUP', 'CREATECONSUMER', 'big', 'g2', 'idle');
  await call('XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM');
  await call('XADD', 'emptied', `${2n ** 64n - 1n}-${2n ** 64n - 2n}`, 'a', 'b');
  await call('XDEL', 'emptied', `${2n ** 64n - 1n}-${2n ** 64n - 2n}`);
  await call('XSETID', 'emptied', `${2n ** 64n - 1n}-${2n ** 64n - 1n}`, 'ENTRIESADDED', '77');
  await call('XADD', 'ttl', '1-1', 'a', 'b');
  await call('PEXPIREAT', 'ttl', String(NOW + 60_000));
  return b;
}

describe('streams in snapshots', () => {
  it('a keyspace with streams round-trips through SnapshotJob and the loader', async () => {
    const src = await populated();
    const ks = src.server!.ks;
    const meta = await new SnapshotJob(store, ks, 3, 'replid', silentLogger).run();
    expect(meta.keys).toBe(4);
    const loaded = await loadFresh(store, meta, cfg, NOW);
    for (const key of ['big', 'empty', 'emptied', 'ttl']) {
      const a = ks.db(0).entry(key)!;
      const l = loaded.db(0).entry(key)!;
      expect(l.value).toBeInstanceOf(StreamValue);
      expect([key, streamState(l.value as StreamValue, true)]).toEqual([key, streamState(a.value as StreamValue, true)]);
      expect(l.expireAt).toBe(a.expireAt);
    }
    const big = loaded.db(0).entry('big')!.value as StreamValue;
    expect(big.length).toBe(1000 - 4 - 149 + 1);
    expect(big.bytes).toBe((ks.db(0).entry('big')!.value as StreamValue).bytes);
  });

  it('a big stream is written in chunks of bounded size', async () => {
    const s = new StreamValue();
    const c = { num: (n: string) => (n === 'stream-node-max-entries' ? 100 : 4096) };
    for (let i = 1; i <= 20_000; i++) s.append(BigInt(i) << 64n, ['field', 'value-' + i], c);
    const records = encodeValue(0, 's', s, 0);
    expect(records.length).toBe(Math.ceil((20_000 + 200 + 1) / CHUNK_ELEMENTS));
    const parts: Elements[] = [];
    for (const r of records) {
      const d = decodeRecord(r);
      expect(d.elements.length).toBeLessThanOrEqual(CHUNK_ELEMENTS);
      parts.push(d.elements);
    }
    expect(decodeRecord(records[0]).kind).toBe(1);
    expect(decodeRecord(records[1]).kind).toBe(2);
    const back = materialize('stream', parts, cfg) as StreamValue;
    expect(streamState(back, true)).toEqual(streamState(s, true));
  });

  it('corrupt stream elements are refused', () => {
    const bad: string[][] = [
      [],
      ['Z'],
      ['M' + 'garbage'],
      ['E0'],
    ];
    for (const els of bad) expect(() => materialize('stream', [els], cfg)).toThrow(SnapshotFormatError);
    const s = new StreamValue();
    s.append(5n << 64n, ['a', 'b'], cfg);
    s.append(6n << 64n, ['a', 'b'], cfg);
    const good = decodeRecord(encodeValue(0, 's', s, 0)[0]).elements as string[];
    // Entries out of order.
    const swapped = [good[0], good[1], good[3], good[2]];
    expect(() => materialize('stream', [swapped], cfg)).toThrow(SnapshotFormatError);
    // Truncated element.
    expect(() => materialize('stream', [[good[0], good[1], good[2].slice(0, -1)]], cfg)).toThrow(SnapshotFormatError);
    expect(streamState(materialize('stream', [good], cfg) as StreamValue, true)).toEqual(streamState(s, true));
  });
});

describe('streams across a restart (BGSAVE, then AOF, then a fresh server on the same dir)', () => {
  it('restores streams with their groups, PELs and consumers', async () => {
    const dir = makeTempDir('hoard-xrestart-');
    const args = ['--port', '0', '--dir', dir, '--save', '', '--appendonly', 'yes'];
    const first = new Server(Config.fromArgs(args));
    await first.start();
    const c = new LocalConn(first);
    const call = (...a: string[]) => c.call(...a);
    for (let i = 1; i <= 500; i++) await call('XADD', 's', `${i}-1`, 'f', String(i), ...(i % 3 ? [] : ['g', 'x'.repeat(i)]));
    await call('XGROUP', 'CREATE', 's', 'g', '0');
    await call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '50', 'STREAMS', 's', '>');
    await call('XDEL', 's', '7-1', '300-1');
    await call('BGSAVE');
    for (let i = 0; i < 200; i++) {
      const info = String(await call('INFO', 'persistence'));
      if (/rdb_bgsave_in_progress:0/.test(info) && /rdb_last_bgsave_status:ok/.test(info)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // After the snapshot: only in the AOF.
    await call('XADD', 's', 'MAXLEN', '~', '300', '501-1', 'f', 'v');
    await call('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '5', 'STREAMS', 's', '>');
    await call('XCLAIM', 's', 'g', 'carol', '0', '205-1', '206-1', 'RETRYCOUNT', '4');
    await call('XACK', 's', 'g', '210-1');
    await call('XGROUP', 'CREATE', 't', 'h', '$', 'MKSTREAM');
    await call('XGROUP', 'CREATECONSUMER', 't', 'h', 'nobody');
    await call('XSETID', 't', '99-0', 'ENTRIESADDED', '5', 'MAXDELETEDID', '98-0');
    const before = {
      s: streamState(first.ks.db(0).entry('s')!.value as StreamValue, false),
      t: streamState(first.ks.db(0).entry('t')!.value as StreamValue, false),
    };
    await c.close();
    await first.close();
    const second = new Server(Config.fromArgs(args));
    await second.start();
    try {
      const after = {
        s: streamState(second.ks.db(0).entry('s')!.value as StreamValue, false),
        t: streamState(second.ks.db(0).entry('t')!.value as StreamValue, false),
      };
      expect(after).toEqual(before);
    } finally {
      await second.close();
    }
  });
});

describe('stream DUMP payloads', () => {
  /** Re-seals a payload body with Redis's footer (so only the body is judged). */
  function seal(body: Buffer): Buffer {
    const out = Buffer.alloc(body.length + DUMP_FOOTER_BYTES);
    body.copy(out);
    out.writeUInt16LE(10, body.length);
    out.writeBigUInt64LE(crc64(out.subarray(0, body.length + 2)), body.length + 2);
    return out;
  }

  it('round-trip, and corrupt bodies are refused', async () => {
    const src = await populated();
    const dcfg = src.server!.config;
    const big = src.server!.ks.db(0).entry('big')!.value as StreamValue;
    const p = createDumpPayload(big, dcfg);
    const back = decodeDumpPayload(Buffer.from(p), dcfg) as StreamValue;
    expect(streamState(back, true)).toEqual(streamState(big, true));
    const body = Buffer.from(p.subarray(0, p.length - DUMP_FOOTER_BYTES));
    expect(() => decodeDumpPayload(seal(body), dcfg)).not.toThrow();
    // Every truncation is refused.
    for (const cut of [1, 2, 17, 40, body.length >> 1, body.length - 1]) {
      expect(() => decodeDumpPayload(seal(body.subarray(0, body.length - cut)), dcfg)).toThrow();
    }
    // Flipped bytes: refused or decoded into something self-consistent, never a crash.
    for (let i = 1; i < body.length; i += 97) {
      const m = Buffer.from(body);
      m[i] ^= 0x5a;
      try {
        const v = decodeDumpPayload(seal(m), dcfg) as StreamValue;
        expect(v).toBeInstanceOf(StreamValue);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('RDB_BAD_FORMAT');
      }
    }
  });
});
