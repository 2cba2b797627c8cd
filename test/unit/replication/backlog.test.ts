// The replication backlog against a plain model: the stream as one string, of which the backlog
// must return exactly the tail it claims to hold, across wrap-arounds, units larger than the
// ring, and resizes.
import { describe, expect, it } from 'vitest';
import { ReplicationBacklog } from '../../../src/replication/backlog.js';
import { mulberry32 } from '../../helpers/prng.js';

describe('ReplicationBacklog', () => {
  it('holds the last `capacity` bytes of the stream, at their offsets, whatever the unit sizes', () => {
    const rnd = mulberry32(20261127);
    const cap = 64;
    const base = 1000;
    let b = new ReplicationBacklog(cap, base);
    let stream = '';
    // The model: how many of the newest bytes the backlog must hold.
    let hist = 0;
    for (let t = 0; t < 3000; t++) {
      const n = Math.floor(rnd() * (t % 50 === 0 ? 200 : 20));
      let unit = '';
      for (let i = 0; i < n; i++) unit += String.fromCharCode(Math.floor(rnd() * 256));
      b.append(unit, base + stream.length);
      stream += unit;
      hist = Math.min(b.capacity, hist + unit.length);
      const end = base + stream.length;
      expect(b.end).toBe(end);
      expect(b.histlen).toBe(hist);
      // Every offset inside answers the stream's tail from there; outside answers null.
      const at = b.start + Math.floor(rnd() * (b.histlen + 1));
      expect(b.from(at)).toBe(stream.slice(at - base));
      expect(b.from(b.start - 1)).toBeNull();
      expect(b.from(end + 1)).toBeNull();
      if (t % 700 === 699) {
        // CONFIG SET repl-backlog-size: the newest bytes stay, at the same offsets.
        const next = t % 1400 === 699 ? cap * 2 : cap;
        b = b.resized(next);
        hist = Math.min(next, hist);
        expect(b.capacity).toBe(next);
        expect(b.histlen).toBe(hist);
        expect(b.from(b.start)).toBe(stream.slice(b.start - base));
      }
    }
  });

  it('refuses a unit that does not start where the backlog ends (a gap would corrupt every replica)', () => {
    const b = new ReplicationBacklog(16, 0);
    b.append('abc', 0);
    expect(() => b.append('def', 4)).toThrow(/gap/);
    expect(b.from(0)).toBe('abc');
  });
});
