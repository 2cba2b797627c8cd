import CRC32 from 'crc-32';
import { describe, expect, it } from 'vitest';
import {
  AOF_HEADER_SIZE,
  AOF_MAX_PAYLOAD,
  AofError,
  crc32Range,
  decodeHeader,
  decodeRecord,
  encodeRecord,
  encodeRecordToBuffer,
  encodedSize,
  HEADER_BAD_CRC,
  HEADER_BAD_MAGIC,
  HEADER_BAD_VERSION,
  HEADER_OK,
  isPlausibleHeaderPrefix,
  newRecordHeader,
  payloadCrc,
} from '../../../src/persistence/aof-format.js';

const SET = Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n', 'latin1');

describe('aof-format', () => {
  it('crc32Range is CRC-32 exactly as the crc-32 package computes it, for every length and alignment', () => {
    const b = Buffer.alloc(3000);
    let x = 12345;
    for (let i = 0; i < b.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      b[i] = x >>> 24;
    }
    for (let len = 0; len <= 1100; len++) {
      for (const s of [0, 1, 3, 7]) expect(crc32Range(b, s, s + len)).toBe(CRC32.buf(b.subarray(s, s + len)) >>> 0);
    }
    expect(crc32Range(b, 5, 2999)).toBe(CRC32.buf(b.subarray(5, 2999)) >>> 0);
    // A view that starts inside its ArrayBuffer (as pooled Buffers do), hashed in turns with
    // another buffer: the word reads must follow each buffer's own offset.
    const inner = new Uint8Array(new ArrayBuffer(3100), 13, 3000);
    inner.set(b);
    inner.reverse();
    for (let len = 0; len <= 300; len += 7) {
      expect(crc32Range(inner, 3, 3 + len)).toBe(CRC32.buf(inner.subarray(3, 3 + len)) >>> 0);
      expect(crc32Range(b, 3, 3 + len)).toBe(CRC32.buf(b.subarray(3, 3 + len)) >>> 0);
    }
    expect(payloadCrc(b)).toBe(CRC32.buf(b) >>> 0);
    expect(crc32Range(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926); // the CRC-32 check value
  });

  it('round-trips a record, including offsets above 2^32', () => {
    for (const off of [0, 1, 0xffffffff, 0x100000000 + 5, Number.MAX_SAFE_INTEGER - SET.length]) {
      const rec = encodeRecordToBuffer(SET, off);
      expect(rec.length).toBe(encodedSize(SET.length));
      const d = decodeRecord(rec);
      expect(d.status).toBe('ok');
      if (d.status !== 'ok') continue;
      expect(d.startOffset).toBe(off);
      expect(d.size).toBe(AOF_HEADER_SIZE + SET.length);
      expect(Buffer.compare(d.payload, SET)).toBe(0);
    }
  });

  it('encodes into a larger buffer at any position and decodes back-to-back records', () => {
    const big = Buffer.alloc(1000);
    let pos = 7;
    pos = encodeRecord(big, pos, SET, 100);
    pos = encodeRecord(big, pos, Buffer.alloc(0), 100 + SET.length);
    pos = encodeRecord(big, pos, SET, 100 + SET.length);
    let p = 7;
    const offs: number[] = [];
    while (p < pos) {
      const d = decodeRecord(big.subarray(0, pos), p);
      expect(d.status).toBe('ok');
      if (d.status !== 'ok') break;
      offs.push(d.startOffset);
      p += d.size;
    }
    expect(offs).toEqual([100, 100 + SET.length, 100 + SET.length]);
  });

  it('detects a flip in any header byte as a bad header, never as an incomplete record', () => {
    const rec = encodeRecordToBuffer(SET, 12345);
    const h = newRecordHeader();
    for (let i = 0; i < AOF_HEADER_SIZE; i++) {
      for (const bit of [0x01, 0x80]) {
        const c = Buffer.from(rec);
        c[i]! ^= bit;
        expect(decodeHeader(c, 0, h)).not.toBe(HEADER_OK);
        expect(decodeRecord(c).status).toBe('bad-header');
      }
    }
    const c = Buffer.from(rec);
    c[0] = 0;
    expect(decodeHeader(c, 0, h)).toBe(HEADER_BAD_MAGIC);
    c[0] = rec[0]!;
    c[1] = 9;
    expect(decodeHeader(c, 0, h)).toBe(HEADER_BAD_VERSION);
    c[1] = rec[1]!;
    c[5]! ^= 1;
    expect(decodeHeader(c, 0, h)).toBe(HEADER_BAD_CRC);
  });

  it('detects a flip in any payload byte as bad-crc', () => {
    const rec = encodeRecordToBuffer(SET, 0);
    for (let i = AOF_HEADER_SIZE; i < rec.length; i++) {
      const c = Buffer.from(rec);
      c[i]! ^= 0x20;
      expect(decodeRecord(c).status).toBe('bad-crc');
    }
  });

  it('reports every proper prefix of a record as incomplete', () => {
    const rec = encodeRecordToBuffer(SET, 99);
    for (let n = 0; n < rec.length; n++) {
      const d = decodeRecord(rec.subarray(0, n));
      expect(d.status).toBe('incomplete');
      expect(isPlausibleHeaderPrefix(rec, 0, Math.min(n, AOF_HEADER_SIZE))).toBe(true);
    }
    expect(isPlausibleHeaderPrefix(Buffer.from([0x00]), 0, 1)).toBe(false);
  });

  it('rejects payloads over the limit and bad offsets with coded errors', () => {
    const tooBig = { length: AOF_MAX_PAYLOAD + 1 } as unknown as Buffer;
    expect(() => encodeRecordToBuffer(tooBig, 0)).toThrow(AofError);
    try {
      encodeRecordToBuffer(SET, -1);
    } catch (e) {
      expect((e as AofError).code).toBe('HOARD_AOF_BAD_OFFSET');
    }
    expect(() => encodeRecordToBuffer(SET, 1.5)).toThrow(/not a valid log offset/);
  });
});
