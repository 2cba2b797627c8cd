// Hashes through a snapshot: written by the real SnapshotJob into a real LevelDB and read back by
// the real loader. A listpack hash (src/types/hash-packed.ts) must come back a listpack with its
// pairs in the same order and every byte intact (NUL, 0xff, empty fields and values, lengths
// past one varint byte); a hashtable hash must come back a hashtable with the same pairs; and
// the load-time encoding follows the loading server's limits (as Redis's RDB load does).

import { describe, expect, it } from 'vitest';
import { Keyspace, ManualClock } from '../../../src/keyspace/index.js';
import { silentLogger } from '../../../src/log.js';
import { SnapshotJob } from '../../../src/persistence/snapshot.js';
import type { SnapshotStore } from '../../../src/persistence/snapshot-store.js';
import { HashValue, type EncodingConfig } from '../../../src/types/hash.js';
import { packedCheck } from '../../../src/types/hash-packed.js';
import { dump } from '../../helpers/dump.js';
import { loadFresh, useSnapshotStore } from '../../helpers/snapshot-store.js';

const NOW = 1_800_000_000_000;
const cfg = (entries: number, value: number): EncodingConfig => ({
  num: (n: string) => (n === 'hash-max-listpack-entries' ? entries : n === 'hash-max-listpack-value' ? value : 0),
});
const DEFAULTS = cfg(512, 64);

let store: SnapshotStore;
useSnapshotStore('hoard-hash-snap-', (s) => (store = s));

function hashAt(ks: Keyspace, db: number, key: string): HashValue {
  const e = ks.db(db).entry(key);
  expect(e?.value).toBeInstanceOf(HashValue);
  return e!.value as HashValue;
}

async function roundTrip(ks: Keyspace, loadCfg: EncodingConfig): Promise<Keyspace> {
  const meta = await new SnapshotJob(store, ks, 1, 'replid', silentLogger).run();
  return loadFresh(store, meta, loadCfg, NOW);
}

describe('hash snapshots', () => {
  it('listpack and hashtable hashes round-trip with their order, bytes and encoding', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    const d0 = ks.db(0);
    const expected = new Map<string, Array<[string, string]>>();
    // Small hashes built by writes: binary bytes, empty strings, updates, deletes, re-adds.
    for (let k = 0; k < 200; k++) {
      const h = new HashValue();
      h.setPairs(['z', String(k), '\x00', '\xff', '', '', 'mid', 'x'.repeat(k % 65), '\xff\x00\r\n', '\x80'], 0, DEFAULTS);
      if (k % 3 === 0) h.delete('z');
      if (k % 5 === 0) h.set('', 'now-set', DEFAULTS);
      if (k % 7 === 0) {
        h.delete('\x00');
        h.set('\x00', 're-added', DEFAULTS);
      }
      expect(h.encoding()).toBe('listpack');
      d0.add(`small:${k}`, h);
      expected.set(`small:${k}`, [...h.entries()]);
    }
    // A listpack with long values (two-byte lengths) under raised limits.
    const wide = cfg(512, 1000);
    const w = new HashValue();
    for (let i = 0; i < 50; i++) w.set(`w${i}`, String.fromCharCode(i * 5).repeat(100 + i * 10), wide);
    expect(w.encoding()).toBe('listpack');
    ks.db(2).add('wide', w);
    // Hashtables: one past the entries limit, one by a long value.
    const big = new HashValue();
    for (let i = 0; i < 600; i++) big.set(`f${i}`, `v${i}\x00`, DEFAULTS);
    expect(big.encoding()).toBe('hashtable');
    d0.add('big', big);
    const long = new HashValue();
    long.setPairs(['a', '1', 'b', 'y'.repeat(1001)], 0, DEFAULTS); // past even the loader's 1000
    expect(long.encoding()).toBe('hashtable');
    d0.add('long', long);

    const loaded = await roundTrip(ks, wide);
    expect(dump(loaded)).toEqual(dump(ks));
    for (const [key, pairs] of expected) {
      const h = hashAt(loaded, 0, key);
      expect(h.encoding()).toBe('listpack');
      expect([...h.entries()]).toEqual(pairs);
      expect(packedCheck(h.packed as string)).toBe(null);
    }
    const lw = hashAt(loaded, 2, 'wide');
    expect(lw.encoding()).toBe('listpack');
    expect([...lw.entries()]).toEqual([...w.entries()]);
    expect(hashAt(loaded, 0, 'big').encoding()).toBe('hashtable');
    expect(hashAt(loaded, 0, 'long').encoding()).toBe('hashtable');
    // The loaded listpacks work as any other: writes keep order and convert at the limits.
    const s = hashAt(loaded, 0, 'small:1');
    s.set('mid', 'changed', DEFAULTS);
    s.set('new', '1', DEFAULTS);
    expect([...s.keys()]).toEqual([...expected.get('small:1')!.map(([f]) => f), 'new']);
    s.set('too-long', 'l'.repeat(65), DEFAULTS);
    expect(s.encoding()).toBe('hashtable');
    expect(s.get('mid')).toBe('changed');
  });

  it('the loading server limits decide the encoding, as an RDB load does', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    const h = new HashValue();
    h.setPairs(['a', '1', 'b', '22', 'c', '333'], 0, DEFAULTS);
    ks.db(0).add('h', h);
    const byEntries = await roundTrip(ks, cfg(2, 64));
    expect(hashAt(byEntries, 0, 'h').encoding()).toBe('hashtable');
    const byValue = await roundTrip(ks, cfg(512, 2));
    expect(hashAt(byValue, 0, 'h').encoding()).toBe('hashtable');
    const fits = await roundTrip(ks, cfg(3, 3));
    expect(hashAt(fits, 0, 'h').encoding()).toBe('listpack');
    expect([...hashAt(fits, 0, 'h').entries()]).toEqual([
      ['a', '1'],
      ['b', '22'],
      ['c', '333'],
    ]);
  });
});
