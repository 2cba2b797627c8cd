// `commandSuite` runs one block of assertions against every backend (in-process Hoard, Hoard
// over TCP, real redis-server when installed), with FLUSHALL before each test. Tests call
// `t.call(...)` / `t.callBuffer(...)` / `t.connect()` and never know which backend they hit;
// `t.backend.name` exists only for the few places where Hoard deliberately differs. Also the
// small waiting helpers such tests share: sleep, and track for a reply that must not come yet.

import { describe, beforeAll, afterAll, beforeEach } from 'vitest';
import { backendFactories, type Arg, type Backend, type Conn } from './backends.js';

export interface SuiteContext {
  readonly backend: Backend;
  call(...args: Arg[]): Promise<any>;
  callBuffer(...args: Arg[]): Promise<any>;
  connect(): Promise<Conn>;
  /** Resolves with the error message of a command that must fail (rejects if it succeeded). */
  error(...args: Arg[]): Promise<string>;
}

export function commandSuite(title: string, body: (t: SuiteContext) => void, overrides: Record<string, string> = {}): void {
  for (const [name, make] of backendFactories()) {
    describe(`${title} [${name}]`, () => {
      let backend: Backend;
      const t: SuiteContext = {
        get backend() {
          return backend;
        },
        call: (...args) => backend.conn.call(...args),
        callBuffer: (...args) => backend.conn.callBuffer(...args),
        connect: () => backend.connect(),
        async error(...args) {
          try {
            const v = await backend.conn.call(...args);
            throw new Error(`expected an error reply from ${args.join(' ')}, got ${JSON.stringify(v)}`);
          } catch (err) {
            const msg = (err as Error).message;
            if (msg.startsWith('expected an error reply')) throw err;
            return msg;
          }
        },
      };
      beforeAll(async () => {
        backend = await make(overrides);
      });
      afterAll(async () => {
        await backend?.close();
      });
      beforeEach(async () => {
        await backend.conn.call('FLUSHALL');
      });
      body(t);
    });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reply that has not necessarily arrived yet (see track). */
export interface Pending<T = unknown> {
  readonly promise: Promise<T>;
  done: boolean;
  value?: T;
  error?: Error;
}

/** Follows `p` without awaiting it, so a test can check that a reply has not come (yet). */
export function track<T>(p: Promise<T>): Pending<T> {
  const s: Pending<T> = { promise: p, done: false };
  p.then(
    (v) => {
      s.done = true;
      s.value = v;
    },
    (e: Error) => {
      s.done = true;
      s.error = e;
    },
  );
  return s;
}
