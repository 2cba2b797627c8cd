// Typed key lookups shared by the collection families (Redis's lookupKeyReadOrReply +
// checkType): the value of `type` at `key`, null when the key is missing, or undefined after
// replying WRONGTYPE.

import { E } from './errors.js';
import type { CommandContext } from './types.js';

type ValueClass<T> = abstract new (...args: never[]) => T;

/** For a read: lookupRead (hit/miss stats, LRU touch, lazy expiry). */
export function readOfType<T>(c: CommandContext, key: string, type: ValueClass<T>): T | null | undefined {
  const v = c.db.readValue(key);
  if (v === undefined) return null;
  if (v instanceof type) return v as T;
  c.reply.error(E.WRONGTYPE);
  return undefined;
}

/** For a write: lookupWrite (no stats; tells a running snapshot before the change). */
export function writeOfType<T>(c: CommandContext, key: string, type: ValueClass<T>): T | null | undefined {
  const v = c.db.writeValue(key);
  if (v === undefined) return null;
  if (v instanceof type) return v as T;
  c.reply.error(E.WRONGTYPE);
  return undefined;
}
