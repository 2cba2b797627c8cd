// Snapshot format 2 (value-codec.ts): records packed into pages, one page per LevelDB value.
// Written by the real SnapshotJob into a real LevelDB and read back by the real loader: the
// loaded keyspace must equal the saved one, including collections chunked across pages; a
// version-1 snapshot (one bare record per LevelDB value) must still load; a damaged page must
// refuse with the LevelDB key of the page in the message.

import { describe, expect, it } from 'vitest';
import { Keyspace, ManualClock } from '../../../src/keyspace/index.js';
import { silentLogger } from '../../../src/log.js';
import { loadSnapshot, RecoveryError } from '../../../src/persistence/recovery.js';
import { SnapshotJob } from '../../../src/persistence/snapshot.js';
import { recordKey, recordPrefix, type SnapshotStore } from '../../../src/persistence/snapshot-store.js';
import { CHUNK_ELEMENTS, encodeValue, PAGE_BYTES, recordCount } from '../../../src/persistence/value-codec.js';
import { readFunctionsPayload } from '../../../src/persistence/rdb-value.js';
import { HashValue } from '../../../src/types/hash.js';
import { ListValue } from '../../../src/types/list.js';
import { SetValue } from '../../../src/types/set.js';
import { ZSetValue } from '../../../src/types/zset-value.js';
import { dump } from '../../helpers/dump.js';
import { useSnapshotStore } from '../../helpers/snapshot-store.js';

const cfg = { num: () => 128 };
const NOW = 1_800_000_000_000;
let store: SnapshotStore;
useSnapshotStore('hoard-pages-', (s) => (store = s));

/** Every byte value in keys and values; several dbs; TTLs; collections past one chunk. */
function buildKeyspace(): Keyspace {
  const ks = new Keyspace(16, new ManualClock(NOW));
  const d0 = ks.db(0);
  for (let i = 0; i < 3000; i++) {
    const e = d0.add(`k:${i}:${String.fromCharCode(i % 256)}`, String.fromCharCode((i * 7) % 256).repeat(i % 300));
    if (i % 5 === 0) d0.setExpire(e, NOW + 1000 + i);
  }
  const d3 = ks.db(3);
  const members = new Set<string>();
  for (let i = 0; i < CHUNK_ELEMENTS * 2 + 17; i++) members.add(`m${i}\x00\xff`);
  d3.add('bigset', SetValue.from(members, cfg));
  const fields = new Map<string, string>();
  for (let i = 0; i < 3000; i++) fields.set(`f${i}`, 'v'.repeat(400)); // > CHUNK_BYTES: split by size
  d3.add('bighash', HashValue.from(fields, cfg));
  const pairs: Array<[string, number]> = [];
  for (let i = 0; i < 5000; i++) pairs.push([`p${i}`, (i % 97) - 48.5]);
  d3.setExpire(d3.add('zs', ZSetValue.from(pairs, cfg)), NOW + 99_000);
  ks.db(15).add('list', ListValue.from(Array.from({ length: 6000 }, (_, i) => `item-${i}`)));
  return ks;
}

async function levelValues(id: number): Promise<Array<[string, Buffer]>> {
  const prefix = recordPrefix(id);
  const out: Array<[string, Buffer]> = [];
  for await (const [k, v] of store.db.iterator({ gte: prefix, lt: prefix.slice(0, -1) + ';' })) out.push([k, v]);
  return out;
}

describe('paged snapshots', () => {
  it('save and load round-trip every type, chunked collections across pages, and TTLs', async () => {
    const ks = buildKeyspace();
    const meta = await new SnapshotJob(store, ks, 4242, 'replid', silentLogger).run();
    expect(meta.formatVersion).toBe(3);
    expect(meta.functions).toBeUndefined();
    expect(meta.keys).toBe(3004);

    const stored = await levelValues(meta.id);
    // Pages, not a LevelDB value per key: far fewer values than records, and the page headers
    // account for every record.
    expect(stored.length).toBeLessThan(meta.records / 10);
    expect(stored.reduce((n, [, v]) => n + recordCount(v), 0)).toBe(meta.records);
    // The big collections were chunked (more records than keys), and no page is much over
    // PAGE_BYTES except by its last record (a chunk is at most ~1 MB).
    expect(meta.records).toBeGreaterThan(meta.keys);
    for (const [, v] of stored) expect(v.length).toBeLessThan(PAGE_BYTES + 1024 * 1024 + 64 * 1024);

    // Keys per db, which the load sizes each db's key table by.
    const perDb = new Array(16).fill(0);
    perDb[0] = 3000;
    perDb[3] = 3;
    perDb[15] = 1;
    expect(meta.dbKeys).toEqual(perDb);

    const loaded = new Keyspace(16, new ManualClock(NOW));
    const r = await loadSnapshot(store, meta, loaded, cfg, silentLogger);
    expect(r.keys).toBe(3004);
    expect(r.records).toBe(meta.records);
    expect(dump(loaded)).toEqual(dump(ks));
    // Sized once to the count (growing by doubling ends at 4096), and still grows past it.
    expect(loaded.db(0).t.capacity).toBe(3000);
    expect(loaded.db(3).t.capacity).toBe(16);
    for (let i = 0; i < 10; i++) loaded.db(0).add(`after-load:${i}`, 'x');
    expect(loaded.db(0).t.capacity).toBe(6000);
    expect(loaded.db(0).readValue('after-load:9')).toBe('x');
    expect(loaded.db(0).size).toBe(3010);
  });

  it('a damaged per-db key count cannot make a load size a table past the snapshot\'s keys', async () => {
    const ks = new Keyspace(16, new ManualClock(NOW));
    for (let i = 0; i < 100; i++) ks.db(2).add(`k${i}`, 'v');
    const meta = await new SnapshotJob(store, ks, 1, 'replid', silentLogger).run();
    const loaded = new Keyspace(16, new ManualClock(NOW));
    await loadSnapshot(store, { ...meta, dbKeys: [1e12, -5, 1e9, 0.5] }, loaded, cfg, silentLogger);
    expect(loaded.db(0).t.capacity).toBe(100);
    expect(loaded.db(2).t.capacity).toBe(100);
    expect(loaded.db(1).t.capacity).toBe(0);
    expect(dump(loaded)).toEqual(dump(ks));
  });

  it('still loads a version-1 snapshot: one bare record per LevelDB value', async () => {
    const ks = buildKeyspace();
    const id = store.nextId();
    await store.begin(id);
    const batch = store.batch();
    let seq = 0;
    let keys = 0;
    for (const db of ks.dbs) {
      for (const e of db.entries()) {
        for (const rec of encodeValue(db.index, e.key, e.value, e.expireAt)) batch.put(recordKey(id, seq++), rec);
        keys++;
      }
    }
    await batch.write();
    const meta = { id, offset: 7, startedAt: NOW, finishedAt: NOW, keys, records: seq, formatVersion: 1, replid: 'r' };
    await store.commit(meta);

    const loaded = new Keyspace(16, new ManualClock(NOW));
    const r = await loadSnapshot(store, meta, loaded, cfg, silentLogger);
    expect(r.records).toBe(seq);
    expect(dump(loaded)).toEqual(dump(ks));
    // No per-db counts in it: the table grew as the keys came.
    expect(loaded.db(0).t.capacity).toBe(4096);
  });

  it('a key held twice in one db refuses to load, naming it and its db; the same key in two dbs loads', async () => {
    const ks = buildKeyspace();
    ks.db(5).add('k:7:\x07', 'same key, another db');
    const id = store.nextId();
    await store.begin(id);
    const batch = store.batch();
    let seq = 0;
    for (const db of ks.dbs) {
      for (const e of db.entries()) for (const rec of encodeValue(db.index, e.key, e.value, e.expireAt)) batch.put(recordKey(id, seq++), rec);
    }
    const good = { id, offset: 7, startedAt: NOW, finishedAt: NOW, keys: 3005, records: seq, formatVersion: 1, replid: 'r' };
    const loadedOk = new Keyspace(16, new ManualClock(NOW));
    // Written but not yet holding the duplicate: loads (the key is in dbs 0 and 5).
    await batch.write();
    await store.commit(good);
    expect((await loadSnapshot(store, good, loadedOk, cfg, silentLogger)).keys).toBe(3005);
    expect(loadedOk.db(5).dict.has('k:7:\x07') && loadedOk.db(0).dict.has('k:7:\x07')).toBe(true);

    const id2 = store.nextId();
    await store.begin(id2);
    const batch2 = store.batch();
    let seq2 = 0;
    for (const db of ks.dbs) {
      for (const e of db.entries()) {
        for (const rec of encodeValue(db.index, e.key, e.value, e.expireAt)) batch2.put(recordKey(id2, seq2++), rec);
        if (db.index === 0 && e.key === 'k:1500:\xdc') for (const rec of encodeValue(0, 'k:7:\x07', 'again', 0)) batch2.put(recordKey(id2, seq2++), rec);
      }
    }
    await batch2.write();
    const meta = { ...good, id: id2, keys: 3006, records: seq2 };
    await store.commit(meta);
    const err = await loadSnapshot(store, meta, new Keyspace(16, new ManualClock(NOW)), cfg, silentLogger).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RecoveryError);
    expect((err as RecoveryError).code).toBe('SNAPSHOT_CORRUPT');
    expect((err as Error).message).toContain(`holds key ${JSON.stringify('k:7:\x07')} of db 0 twice`);
  });

  it('a page whose record length overruns it refuses to load, naming the LevelDB key', async () => {
    const ks = buildKeyspace();
    const meta = await new SnapshotJob(store, ks, 1, 'replid', silentLogger).run();
    const [[key, page]] = await levelValues(meta.id);
    const bad = Buffer.from(page);
    bad.writeUInt32LE(bad.length, 6); // the first record's length now runs past the end
    await store.db.put(key, bad);

    const loaded = new Keyspace(16, new ManualClock(NOW));
    const err = await loadSnapshot(store, meta, loaded, cfg, silentLogger).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RecoveryError);
    expect((err as RecoveryError).code).toBe('SNAPSHOT_CORRUPT');
    expect((err as Error).message).toContain(key);
    expect((err as Error).message).toMatch(/overruns the page/);
  });

  it('function libraries are one entry beside the records (format 3), read back as given and dropped with the snapshot', async () => {
    const ks = buildKeyspace();
    const codes = ["#!lua name=a\nredis.register_function('f', function() return 1 end)", '#!lua name=b\n' + 'x'.repeat(300)];
    const meta = await new SnapshotJob(store, ks, 9, 'replid', silentLogger, codes).run();
    expect(meta.functions).toBe(2);
    // The records' range holds pages only: the loader still finds every key.
    const loaded = new Keyspace(16, new ManualClock(NOW));
    expect((await loadSnapshot(store, meta, loaded, cfg, silentLogger)).keys).toBe(3004);
    const payload = await store.functions(meta);
    expect(payload).not.toBeNull();
    expect(readFunctionsPayload(payload!)).toEqual(codes);
    // A snapshot written before functions existed (no count) has none.
    expect(await store.functions({ ...meta, functions: undefined, formatVersion: 2 })).toBeNull();
    await store.dropSnapshot(meta.id);
    await expect(store.functions(meta)).rejects.toThrow(/function libraries but their entry is missing/);
  });
});
