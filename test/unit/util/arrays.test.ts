// copyToLength: exactly n elements, a's first, whatever the two lengths; a new array each time.

import { describe, it, expect } from 'vitest';
import { copyToLength } from '../../../src/util/arrays.js';

describe('copyToLength', () => {
  it('gives exactly n elements, beginning with a, for shorter, equal and longer n', () => {
    for (let len = 1; len <= 6; len++) {
      const a = Array.from({ length: len }, (_, i) => 'e' + i);
      for (let n = 0; n <= 40; n++) {
        const b = copyToLength(a, n);
        expect(b.length).toBe(n);
        expect(b).not.toBe(a);
        expect(b.slice(0, Math.min(n, len))).toEqual(a.slice(0, n));
        expect(a.length).toBe(len);
      }
    }
  });

  it('refuses to lengthen an empty array, and copies it to length 0', () => {
    expect(() => copyToLength([], 3)).toThrow(RangeError);
    expect(copyToLength([], 0)).toEqual([]);
  });
});
