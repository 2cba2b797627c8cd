// `commandSuite` runs one block of assertions against every backend (in-process Hoard, Hoard
// over TCP, real redis-server when installed), with FLUSHALL before each test. Tests call
// `t.call(...)` / `t.callBuffer(...)` / `t.connect()` and never know which backend they hit;
// `t.backend.name` exists only for the few places where Hoard deliberately differs.

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
