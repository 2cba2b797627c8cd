// Checks for hot loops. vitest's expect() costs ~20 µs a call (every assertion copies the
// matcher state: @vitest/expect setState), so model tests that check after each of 10^5 steps
// spent most of their run in it (key-dict: 78% of its CPU). A Checks records a loop's failed
// checks cheaply; done() asserts there were none and shows the first ones.

import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';

const SHOWN = 10;

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 80 ? v.slice(0, 80) + '...' : v) : String(v);
}

export class Checks {
  private readonly failed: string[] = [];
  private count = 0;

  /** Object.is(actual, expected), as toBe; `what` names the check in the failure. */
  is(actual: unknown, expected: unknown, what: string): void {
    if (!Object.is(actual, expected)) this.fail(`${what}: got ${show(actual)}, expected ${show(expected)}`);
  }

  /** `cond` holds. */
  ok(cond: boolean, what: string): void {
    if (!cond) this.fail(what);
  }

  /** Asserts that every check passed. */
  done(): void {
    expect(this.failed, `${this.count} failed check(s), the first ${Math.min(this.count, SHOWN)} listed`).toEqual([]);
  }

  private fail(msg: string): void {
    this.count++;
    if (this.failed.length < SHOWN) this.failed.push(msg);
  }
}

/**
 * null when `got` is a Buffer with exactly the bytes of `want`, else where they differ. For
 * large values: toEqual compares Buffers element by element through its generic equality
 * (seconds for a few MB).
 */
export function bytesDiffer(got: unknown, want: Buffer): string | null {
  if (!Buffer.isBuffer(got)) return `got ${got === null ? 'null' : typeof got}, expected ${want.length} bytes`;
  if (got.equals(want)) return null;
  const n = Math.min(got.length, want.length);
  let i = 0;
  while (i < n && got[i] === want[i]) i++;
  return `${got.length} bytes, expected ${want.length}; first difference at byte ${i}`;
}

/**
 * expect(actual).toEqual(expected), with a strict comparison first (node:util, which compares
 * Buffers with memcmp): toEqual walks Buffers byte by byte, seconds for a few MB. Strictly equal
 * values are toEqual-equal, and only a difference pays for toEqual's report.
 */
export function expectDeepEqual(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
}
