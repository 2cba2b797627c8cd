// keyHashSlot against values read from a real redis-server 7.0 (CLUSTER KEYSLOT).
import { describe, expect, it } from 'vitest';
import { crc16, keyHashSlot } from '../../../src/cluster/slots.js';

describe('keyHashSlot', () => {
  it('matches redis-server CLUSTER KEYSLOT', () => {
    expect(keyHashSlot('foo')).toBe(12182);
    expect(keyHashSlot('{user1000}.following')).toBe(3443);
    expect(keyHashSlot('{user1000}.followers')).toBe(3443);
    expect(keyHashSlot('{}x')).toBe(10595); // empty tag: the whole key
    expect(keyHashSlot('a{}{b}')).toBe(15033); // the first '{' decides: empty, whole key
    expect(keyHashSlot('foo{bar}{zap}')).toBe(5061); // only the first tag
    expect(keyHashSlot('foo{bar}{zap}')).toBe(keyHashSlot('bar'));
    expect(keyHashSlot('')).toBe(0);
    expect(keyHashSlot('x{a')).toBe(6541); // no closing brace
    expect(keyHashSlot('x}a{')).toBe(10760);
    expect(keyHashSlot('{a}}')).toBe(15495);
    expect(keyHashSlot('\xff')).toBe(7920);
  });
  it('is CRC16-XMODEM', () => {
    expect(crc16('123456789')).toBe(0x31c3); // the XMODEM check value
  });
  it('treats chars as bytes (latin1)', () => {
    const k = '\xff\x00\x80{\xfe}';
    expect(keyHashSlot(k)).toBe(crc16('\xfe') & 16383);
    expect(keyHashSlot('\xff\x00')).toBeGreaterThanOrEqual(0);
  });
});
