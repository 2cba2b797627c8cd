// The command table: every command declared once (name, arity, flags, key positions, ACL
// categories, handler), in Redis's terms so COMMAND INFO/DOCS/GETKEYS can be answered from it.
// The dispatcher (server/client.ts) checks arity, auth and flags from these declarations
// before a handler runs.

import { F, type CommandFlag, type CommandSpec, type Handler } from './types.js';
import { internCommandNames } from '../protocol/parser.js';
import { parseIndex } from '../util/numbers.js';

export interface DefOptions {
  getKeys?: (argv: readonly string[]) => number[];
  subcommands?: CommandSpec[];
  summary?: string;
  since?: string;
  group?: string;
  /** COMMAND INFO tips (Redis's command hints), in Redis's order. */
  tips?: readonly string[];
}

/**
 * Declares a command. `flags` and `categories` are space-separated words; ACL categories that
 * Redis derives from flags (write → @write, readonly → @read, fast/slow, admin → @admin
 * @dangerous, pubsub, blocking) are added here so declarations only name the type category.
 */
export function def(
  name: string,
  arity: number,
  flags: string,
  keys: readonly [number, number, number],
  categories: string,
  handler: Handler,
  opts: DefOptions = {},
): CommandSpec {
  const fl = (flags ? flags.split(' ') : []) as CommandFlag[];
  let bits = 0;
  for (const f of fl) {
    if (!(f in F)) throw Object.assign(new Error(`command ${name}: unknown flag ${f}`), { code: 'COMMAND_TABLE_INVALID' });
    bits |= F[f];
  }
  const cats = new Set(categories ? categories.split(' ').map((s) => s.replace(/^@/, '')) : []);
  if (fl.includes('write')) cats.add('write');
  if (fl.includes('readonly') && !cats.has('scripting')) cats.add('read');
  if (fl.includes('admin')) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (fl.includes('pubsub')) cats.add('pubsub');
  if (fl.includes('blocking')) cats.add('blocking');
  cats.add(fl.includes('fast') ? 'fast' : 'slow');
  const spec: CommandSpec = {
    name,
    arity,
    flags: fl,
    bits,
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    categories: [...cats],
    handler,
    getKeys: opts.getKeys,
    summary: opts.summary,
    since: opts.since,
    group: opts.group,
    tips: opts.tips,
  };
  if (fl.includes('movablekeys') && !opts.getKeys) {
    throw Object.assign(new Error(`command ${name} has movablekeys but no getKeys`), { code: 'COMMAND_TABLE_INVALID' });
  }
  if (opts.subcommands) {
    spec.subcommands = new Map();
    for (const s of opts.subcommands) {
      s.parent = spec;
      spec.subcommands.set(s.name, s);
    }
  }
  return spec;
}

/** Builds the lookup map; a duplicate name is a programming error. */
export function buildTable(families: readonly (readonly CommandSpec[])[]): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const family of families) {
    for (const spec of family) {
      if (table.has(spec.name)) {
        throw Object.assign(new Error(`command ${spec.name} declared twice`), { code: 'COMMAND_TABLE_INVALID' });
      }
      table.set(spec.name, spec);
      specId(spec);
      if (spec.subcommands) for (const sub of spec.subcommands.values()) specId(sub);
    }
  }
  return table;
}

let nextSpecId = 0;

/** The spec's process-wide small integer id (assigned on first use). */
export function specId(spec: CommandSpec): number {
  if (spec.id === undefined) spec.id = nextSpecId++;
  return spec.id;
}

/**
 * The dispatcher's name lookup: the table's names in lower and in upper case, which is how
 * clients send them, so the usual lookup needs no toLowerCase() (a new string per command);
 * any other spelling falls back to it.
 */
export class CommandLookup {
  private readonly exact = new Map<string, CommandSpec>();
  constructor(private readonly table: Map<string, CommandSpec>) {
    for (const [name, spec] of table) {
      this.exact.set(name, spec);
      this.exact.set(name.toUpperCase(), spec);
    }
    internCommandNames(this.exact.keys());
  }
  get(name: string): CommandSpec | undefined {
    return this.exact.get(name) ?? this.table.get(name.toLowerCase());
  }
}

/** Full name as COMMAND reports it: "get", or "config|get" for a subcommand. */
export function fullName(spec: CommandSpec): string {
  return spec.parent ? `${spec.parent.name}|${spec.name}` : spec.name;
}

/**
 * Key positions of a numkeys form (Redis's genericGetKeys): numkeys at argv[idx], the keys right
 * after it, after the `first` ones (a destination). A numkeys below 1 or beyond the arguments
 * given means no keys at all, destination included (the command answers its own error).
 */
export function numkeysKeys(argv: readonly string[], idx: number, first: readonly number[] = []): number[] {
  const n = parseIndex(argv[idx] ?? '');
  if (n === null || n < 1 || n > argv.length - idx - 1) return [];
  const keys = first.slice();
  for (let i = idx + 1; i <= idx + n; i++) keys.push(i);
  return keys;
}

/** Key argument indexes (0-based into argv) for a command invocation, as COMMAND GETKEYS. */
export function keyIndexes(spec: CommandSpec, argv: readonly string[]): number[] {
  if (spec.getKeys) return spec.getKeys(argv);
  if (spec.firstKey <= 0) return [];
  const last = spec.lastKey >= 0 ? spec.lastKey : argv.length + spec.lastKey;
  const out: number[] = [];
  for (let i = spec.firstKey; i <= last && i < argv.length; i += spec.step || 1) out.push(i);
  return out;
}

export function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

export function hasFlag(spec: CommandSpec, flag: CommandFlag): boolean {
  return (spec.bits & F[flag]) !== 0;
}
