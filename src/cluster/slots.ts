// Hash slots: the sharding unit (DESIGN.md "Sharding unit = Redis's 16384 hash slots").
// keyHashSlot is Redis's (cluster.c): CRC16-XMODEM (poly 0x1021, init 0, no reflection) of the
// key, or of its hash tag — the bytes between the first '{' and the first '}' after it, when
// that content is non-empty — modulo 16384. Keys are latin1 strings (one char = one byte), so
// charCodeAt is the byte. Invariant: the same key always maps to the same slot in 0..16383, on
// every node and in every tool.

export const CLUSTER_SLOTS = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16-XMODEM of key[start, end) (latin1 chars as bytes). */
export function crc16(key: string, start = 0, end = key.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ key.charCodeAt(i)) & 0xff];
  return crc;
}

/** Redis's keyHashSlot. */
export function keyHashSlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (CLUSTER_SLOTS - 1);
  }
  return crc16(key) & (CLUSTER_SLOTS - 1);
}
