/* Hoard's configuration: one typed table of options, loaded from a redis.conf
 * style file plus `--name value` flags, and changed at run time by CONFIG
 * GET / SET / REWRITE — all with Redis 7.0's names, defaults, parsing rules,
 * output formats and error texts (this file mirrors redis/src/config.c).
 *
 * Invariants:
 *  - every option in `configTable` always holds a valid value; a CONFIG SET of
 *    several options is all or nothing (values and listeners are rolled back);
 *  - reads on the hot path (num/str/bool) are one plain-object lookup: values
 *    are parsed once, when set, never per read;
 *  - what CONFIG GET prints is computed at set time and is byte-for-byte what
 *    redis-server 7.0 prints for the same input (checked against 7.0.15).
 *
 * Strings are latin1 (one char per byte), like keys and values: a config file
 * is read as bytes, and command-line arguments are re-encoded to their UTF-8
 * bytes, so `--requirepass pässword` equals what a client's AUTH sends.
 *
 * Deliberate differences from Redis (each one small and documented in the
 * option's `hoard` note or here):
 *  - `dir` defaults to "./data" (resolved to an absolute path at start) and
 *    Hoard never chdir()s: a relative path in `dir`, `include`, `logfile`... is
 *    relative to the process's working directory;
 *  - `daemonize yes`, `supervised upstart|systemd`, `user`, `loadmodule` and
 *    `sentinel` lines outside sentinel mode are refused with a clear error
 *    (Hoard does not fork, notify a supervisor, have ACL users or modules;
 *    sentinel/config.ts reads the `sentinel` lines in sentinel mode); `rename-command` is collected in `renameCommands` for the
 *    command table to apply;
 *  - `set-max-listpack-entries` / `set-max-listpack-value` (Redis 7.2 names)
 *    exist too, so later set encodings can read them;
 *  - errors while loading name the file (or the command-line flag) and line.
 */

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { stringMatch } from './util/glob.js';

/* ------------------------------------------------------------------------ */
/* Public types                                                              */
/* ------------------------------------------------------------------------ */

/** A bad config file, flag or value at start-up. `reason` is Redis's own text. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  /** The directive (lower-cased), when the error is about one. */
  readonly option: string | null;
  /** Absolute path of the file the bad line is in, or null (command line, stdin). */
  readonly file: string | null;
  /** 1-based line number inside `file` (or inside stdin / the generated flag lines). */
  readonly line: number | null;
  /** The command-line flag (e.g. "--port") the bad line came from, if any. */
  readonly flag: string | null;
  /** Redis's error text, e.g. "argument couldn't be parsed into an integer". */
  readonly reason: string;

  constructor(
    message: string,
    info: { option?: string | null; file?: string | null; line?: number | null; flag?: string | null; reason: string; cause?: unknown },
  ) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'ConfigError';
    this.option = info.option ?? null;
    this.file = info.file ?? null;
    this.line = info.line ?? null;
    this.flag = info.flag ?? null;
    this.reason = info.reason;
  }
}

/** One `save <seconds> <changes>` rule. */
export interface SaveRule {
  readonly seconds: number;
  readonly changes: number;
}

/** One class of client-output-buffer-limit. 0 means no limit. */
export interface BufferLimit {
  readonly hardLimitBytes: number;
  readonly softLimitBytes: number;
  readonly softLimitSeconds: number;
}

export interface ClientOutputBufferLimits {
  readonly normal: BufferLimit;
  readonly replica: BufferLimit;
  readonly pubsub: BufferLimit;
}

export interface ReplicaOf {
  readonly host: string;
  readonly port: number;
}

/**
 * What raw() returns. Scalars: boolean (bool), number (int/memory; raw() gives
 * the exact bigint), string (enum, string). Specials: SaveRule[] (save),
 * ClientOutputBufferLimits, string[] (bind, shutdown-on-sig* flags),
 * ReplicaOf | null (replicaof), number (notify-keyspace-events flags),
 * number[] (latency-tracking-info-percentiles, oom-score-adj-values).
 */
export type ConfigValue =
  | string
  | number
  | boolean
  | bigint
  | null
  | readonly SaveRule[]
  | ClientOutputBufferLimits
  | readonly string[]
  | readonly number[]
  | ReplicaOf;

/** One row of the option table, for docs, COMMAND DOCS and tests. */
export interface ConfigTableEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: 'bool' | 'int' | 'memory' | 'memory-or-percent' | 'octal' | 'enum' | 'flags' | 'string' | 'special';
  /** The default as CONFIG GET prints it (for `dir`: "./data" before resolution). */
  readonly default: string;
  /** CONFIG SET may change it (protected ones also need enable-protected-configs). */
  readonly mutable: boolean;
  readonly protected: boolean;
  /** Not listed by CONFIG GET patterns (exact name only), like Redis's HIDDEN_CONFIG. */
  readonly hidden: boolean;
  /** Value must be redacted from SLOWLOG/MONITOR/logs. */
  readonly sensitive: boolean;
  readonly min?: string;
  readonly max?: string;
  readonly values?: readonly string[];
  readonly doc: string;
  /** How Hoard treats the option when that differs from Redis. */
  readonly hoard?: string;
}

/** Context of a CONFIG SET: who asks, and whether the dataset is loading. */
export interface SetContext {
  /** The client is local (unix socket or loopback), for enable-protected-configs local. */
  readonly local?: boolean;
  /** The server is loading its dataset: appendonly/dir/repl-diskless-load are refused. */
  readonly loading?: boolean;
}

/** A change listener; returning a string refuses the change (all of it is rolled back). */
export type ChangeListener = (name: string) => void | string;

/* ------------------------------------------------------------------------ */
/* Redis's string helpers (sds.c, util.c), exported for other modules        */
/* ------------------------------------------------------------------------ */

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13); // C locale isspace: ' ' \t \n \v \f \r
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function hexValue(c: number): number {
  if (c <= 57) return c - 48;
  if (c >= 97) return c - 87;
  return c - 55;
}

/**
 * sdssplitargs(): split a line into arguments the way redis.conf and inline
 * commands are split. "double quotes" understand \xHH \n \r \t \b \a and \c;
 * 'single quotes' only \'. A closing quote must be followed by a space or the
 * end. Returns null on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const n = line.length;
  const at = (i: number): number => (i < n ? line.charCodeAt(i) : 0);
  const out: string[] = [];
  let p = 0;
  for (;;) {
    while (at(p) !== 0 && isSpace(at(p))) p++;
    if (at(p) === 0) return out;
    let inq = false;
    let insq = false;
    let done = false;
    let cur = '';
    while (!done) {
      const c = at(p);
      if (inq) {
        if (c === 92 && at(p + 1) === 120 && isHexDigit(at(p + 2)) && isHexDigit(at(p + 3))) {
          cur += String.fromCharCode(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (c === 92 && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          cur +=
            e === 110 ? '\n' : e === 114 ? '\r' : e === 116 ? '\t' : e === 98 ? '\b' : e === 97 ? '\x07' : String.fromCharCode(e);
        } else if (c === 34) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += String.fromCharCode(c);
        }
      } else if (insq) {
        if (c === 92 && at(p + 1) === 39) {
          p++;
          cur += "'";
        } else if (c === 39) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += String.fromCharCode(c);
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        cur += String.fromCharCode(c);
      }
      if (at(p) !== 0) p++;
    }
    out.push(cur);
  }
}

/** sdscatrepr(): a quoted, escaped representation ("a\"b\x01"). */
export function reprString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c >= 32 && c <= 126) out += s[i];
    else out += '\\x' + (c & 0xff).toString(16).padStart(2, '0');
  }
  return out + '"';
}

const U64 = 1n << 64n;
const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
const ULLONG_MAX = U64 - 1n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const LONG_MAX = LLONG_MAX;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function asciiLower(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

/**
 * memtoull(): "1gb" -> 1073741824, "1g" -> 1000000000, "5" / "5b" -> 5; units
 * k kb m mb g gb, case-insensitive. Returns null where Redis reports an error.
 * Like Redis, the digits saturate at 2^64-1 and the product wraps modulo 2^64.
 */
export function parseMemory(s: string): bigint | null {
  if (s.charCodeAt(0) === 45) return null; // '-'
  let u = 0;
  while (u < s.length && isDigit(s.charCodeAt(u))) u++;
  const unit = asciiLower(s.slice(u));
  let mul: bigint;
  if (unit === '' || unit === 'b') mul = 1n;
  else if (unit === 'k') mul = 1000n;
  else if (unit === 'kb') mul = 1024n;
  else if (unit === 'm') mul = 1000000n;
  else if (unit === 'mb') mul = 1048576n;
  else if (unit === 'g') mul = 1000000000n;
  else if (unit === 'gb') mul = 1073741824n;
  else return null;
  if (u >= 128) return null;
  let val = u === 0 ? 0n : BigInt(s.slice(0, u));
  if (val > ULLONG_MAX) val = ULLONG_MAX; // strtoull saturates (ERANGE is not checked)
  return BigInt.asUintN(64, val * mul);
}

/** string2ll(): strict base-10 long long (no spaces, no '+', no leading zeros). */
function string2ll(s: string): bigint | null {
  const n = s.length;
  if (n === 0) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (i === n) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) if (!isDigit(s.charCodeAt(j))) return null;
  if (n - i > 20) return null;
  const v = BigInt(s.slice(i));
  if (neg) return v > -LLONG_MIN ? null : -v;
  return v > LLONG_MAX ? null : v;
}

/** strtoll(s, &end, base) followed by an `*end == '\0'` check; saturates like C. */
function strtollFull(s: string, base = 10): bigint | null {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === '+' || s[i] === '-')) {
    neg = s[i] === '-';
    i++;
  }
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  while (i < n) {
    const c = s.charCodeAt(i);
    const d = isDigit(c) ? c - 48 : -1;
    if (d < 0 || d >= base) break;
    v = v * b + BigInt(d);
    i++;
  }
  if (i === start) return n === 0 ? 0n : null; // no digits: end points at the start
  if (i !== n) return null;
  if (neg) v = -v;
  if (v > LLONG_MAX) v = LLONG_MAX;
  if (v < LLONG_MIN) v = LLONG_MIN;
  return v;
}

/** string2d(): strtod() over the whole string; no leading space, NaN or overflow. */
function string2d(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  let d: number;
  const hex = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(s);
  if (hex !== null) {
    // C99 hex float: 0x1.8p3 = 12
    const int = hex[2];
    const frac = hex[3] ?? '';
    if (int.length + frac.length === 0) return null;
    d = (parseInt(int || '0', 16) + (frac ? parseInt(frac, 16) / 16 ** frac.length : 0)) * 2 ** Number(hex[4] ?? 0);
    if (hex[1] === '-') d = -d;
  } else {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
    d = Number(s);
    if (d === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return null; // underflow (ERANGE)
  }
  if (!Number.isFinite(d)) return null;
  return d;
}

/**
 * printf("%f") then trimDoubleString(): 99.9 -> "99.9", 50 -> "50", -0 -> "-0".
 * Exact, with C's round-half-even on the binary value (0.0078125 -> "0.007812").
 */
export function formatPercentile(d: number): string {
  const neg = d < 0 || Object.is(d, -0);
  const bits = new BigUint64Array(new Float64Array([Math.abs(d)]).buffer)[0];
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = exp === 0 ? frac : frac | (1n << 52n);
  const e = exp === 0 ? -1074 : exp - 1075;
  let q: bigint;
  if (e >= 0) {
    q = (m * 1000000n) << BigInt(e);
  } else {
    const num = m * 1000000n;
    const den = 1n << BigInt(-e);
    q = num / den;
    const r2 = (num % den) * 2n;
    if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(7, '0');
  let out = `${digits.slice(0, -6)}.${digits.slice(-6)}`.replace(/0+$/, '').replace(/\.$/, '');
  if (neg) out = '-' + out;
  return out;
}

/** rewriteConfigFormatMemory(): 1073741824 -> "1gb", 1536 -> "1536" ... */
function formatMemoryForFile(bytes: bigint): string {
  const gb = 1073741824n;
  const mb = 1048576n;
  const kb = 1024n;
  if (bytes !== 0n && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes !== 0n && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes !== 0n && bytes % kb === 0n) return `${bytes / kb}kb`;
  return `${bytes}`;
}

/** Node error code -> the strerror() text Redis would print. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EEXIST: 'File exists',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  EIO: 'Input/output error',
  EDQUOT: 'Disk quota exceeded',
  EBUSY: 'Device or resource busy',
};

function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && STRERROR[code] !== undefined) return STRERROR[code];
  return err instanceof Error ? err.message : String(err);
}

/** A latin1 string (bytes) as a path for fs calls. */
function fsPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

/** path.resolve() in latin1 (byte) space: relative to the process's working directory. */
function resolveLatin1(p: string): string {
  return path.posix.resolve(Buffer.from(process.cwd(), 'utf8').toString('latin1'), p);
}

/** A latin1 path for display in messages (its bytes read as UTF-8). */
function displayPath(p: string): string {
  return Buffer.from(p, 'latin1').toString('utf8');
}

/* ------------------------------------------------------------------------ */
/* Keyspace notification classes (notify.c)                                   */
/* ------------------------------------------------------------------------ */

/** Bits of `num('notify-keyspace-events')`, as Redis's NOTIFY_* constants. */
export const NOTIFY = {
  KEYSPACE: 1 << 0, // K
  KEYEVENT: 1 << 1, // E
  GENERIC: 1 << 2, // g
  STRING: 1 << 3, // $
  LIST: 1 << 4, // l
  SET: 1 << 5, // s
  HASH: 1 << 6, // h
  ZSET: 1 << 7, // z
  EXPIRED: 1 << 8, // x
  EVICTED: 1 << 9, // e
  STREAM: 1 << 10, // t
  KEY_MISS: 1 << 11, // m
  LOADED: 1 << 12, // module only
  MODULE: 1 << 13, // d
  NEW: 1 << 14, // n
  /** A: g$lshzxetd (not K, E, m, n). */
  ALL: (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 13),
} as const;

/** keyspaceEventsStringToFlags(): -1 on an unknown class character. */
export function keyspaceEventsStringToFlags(classes: string): number {
  let flags = 0;
  for (const ch of classes) {
    switch (ch) {
      case 'A': flags |= NOTIFY.ALL; break;
      case 'g': flags |= NOTIFY.GENERIC; break;
      case '$': flags |= NOTIFY.STRING; break;
      case 'l': flags |= NOTIFY.LIST; break;
      case 's': flags |= NOTIFY.SET; break;
      case 'h': flags |= NOTIFY.HASH; break;
      case 'z': flags |= NOTIFY.ZSET; break;
      case 'x': flags |= NOTIFY.EXPIRED; break;
      case 'e': flags |= NOTIFY.EVICTED; break;
      case 'K': flags |= NOTIFY.KEYSPACE; break;
      case 'E': flags |= NOTIFY.KEYEVENT; break;
      case 't': flags |= NOTIFY.STREAM; break;
      case 'm': flags |= NOTIFY.KEY_MISS; break;
      case 'd': flags |= NOTIFY.MODULE; break;
      case 'n': flags |= NOTIFY.NEW; break;
      default: return -1;
    }
  }
  return flags;
}

/** keyspaceEventsFlagsToString(): "KEA" -> "AKE", "Kg" -> "gK", "An" -> "A". */
export function keyspaceEventsFlagsToString(flags: number): string {
  let res = '';
  if ((flags & NOTIFY.ALL) === NOTIFY.ALL) {
    res += 'A';
  } else {
    if (flags & NOTIFY.GENERIC) res += 'g';
    if (flags & NOTIFY.STRING) res += '$';
    if (flags & NOTIFY.LIST) res += 'l';
    if (flags & NOTIFY.SET) res += 's';
    if (flags & NOTIFY.HASH) res += 'h';
    if (flags & NOTIFY.ZSET) res += 'z';
    if (flags & NOTIFY.EXPIRED) res += 'x';
    if (flags & NOTIFY.EVICTED) res += 'e';
    if (flags & NOTIFY.STREAM) res += 't';
    if (flags & NOTIFY.MODULE) res += 'd';
    if (flags & NOTIFY.NEW) res += 'n';
  }
  if (flags & NOTIFY.KEYSPACE) res += 'K';
  if (flags & NOTIFY.KEYEVENT) res += 'E';
  if (flags & NOTIFY.KEY_MISS) res += 'm';
  return res;
}

/* ------------------------------------------------------------------------ */
/* The option table                                                          */
/* ------------------------------------------------------------------------ */

const IMMUTABLE = 1;
const PROTECTED = 2;
const HIDDEN = 4;
const SENSITIVE = 8;
const DENY_LOADING = 16;
const MULTI_ARG = 32;

/** A parsed value: what getters return, what CONFIG GET prints, exact number. */
interface Parsed {
  value: ConfigValue;
  text: string;
  big: bigint;
}

interface ParseContext {
  /** Parsing the config file / flags (affects `save`, like Redis's reading_config_file). */
  reading: boolean;
  /** The loader's state while reading, else null. */
  load: LoadState | null;
  /** The option's current value (for options that update part of it). */
  current: Parsed | undefined;
}

interface BaseSpec {
  name: string;
  alias: string | null;
  flags: number;
  doc: string;
  hoard?: string;
  /** Hoard's own refusal, checked on the final value after loading. */
  hoardCheck?: (p: Parsed) => string | null;
}

interface BoolSpec extends BaseSpec {
  kind: 'bool';
  def: boolean;
}

type CType = 'int' | 'uint' | 'long' | 'ulong' | 'll' | 'ull' | 'size_t' | 'ssize_t' | 'time_t' | 'off_t';
const MEMORY = 1;
const PERCENT = 2;
const OCTAL = 4;

interface NumSpec extends BaseSpec {
  kind: 'num';
  ctype: CType;
  nflags: number;
  lower: bigint;
  upper: bigint;
  def: bigint;
  /** Redis's apply step on CONFIG SET (e.g. hz is capped to 1..500). */
  apply?: (v: bigint) => bigint;
}

interface EnumSpec extends BaseSpec {
  kind: 'enum';
  values: ReadonlyArray<readonly [string, number]>;
  def: number;
  bitflags: boolean;
  check?: (v: number) => string | null;
}

interface StringSpec extends BaseSpec {
  kind: 'string';
  /** Default; null means "unset" (CONFIG GET prints ""). */
  def: string | null;
  /** An empty value means unset (Redis's EMPTY_STRING_IS_NULL). */
  emptyIsNull: boolean;
  check?: (v: string) => string | null;
}

interface SpecialImpl {
  type: 'special';
  def: string;
  init(): Parsed;
  parse(argv: string[], ctx: ParseContext): Parsed | string;
  rewrite(p: Parsed, st: RewriteState, name: string): void;
}

interface SpecialSpec extends BaseSpec {
  kind: 'special';
  impl: SpecialImpl;
}

type Spec = BoolSpec | NumSpec | EnumSpec | StringSpec | SpecialSpec;

/* Option constructors: name, alias, flags, ... , doc. */

function bool(
  name: string,
  alias: string | null,
  flags: number,
  def: boolean,
  doc: string,
  hoard?: string,
  hoardCheck?: (p: Parsed) => string | null,
): BoolSpec {
  return { kind: 'bool', name, alias, flags, def, doc, hoard, hoardCheck };
}

function num(
  name: string,
  alias: string | null,
  flags: number,
  ctype: CType,
  lower: bigint,
  upper: bigint,
  def: bigint,
  nflags: number,
  doc: string,
  extra: { hoard?: string; apply?: (v: bigint) => bigint } = {},
): NumSpec {
  return { kind: 'num', name, alias, flags, ctype, lower, upper, def, nflags, doc, ...extra };
}

function enm(
  name: string,
  alias: string | null,
  flags: number,
  values: ReadonlyArray<readonly [string, number]>,
  def: number,
  doc: string,
  extra: { hoard?: string; check?: (v: number) => string | null; hoardCheck?: (p: Parsed) => string | null } = {},
): EnumSpec {
  return { kind: 'enum', name, alias, flags, values, def, bitflags: (flags & MULTI_ARG) !== 0, doc, ...extra };
}

function str(
  name: string,
  alias: string | null,
  flags: number,
  emptyIsNull: boolean,
  def: string | null,
  doc: string,
  extra: { hoard?: string; check?: (v: string) => string | null } = {},
): StringSpec {
  return { kind: 'string', name, alias, flags, emptyIsNull, def, doc, ...extra };
}

function special(name: string, alias: string | null, flags: number, impl: SpecialImpl, doc: string, hoard?: string): SpecialSpec {
  return { kind: 'special', name, alias, flags, impl, doc, hoard };
}

const NO_EFFECT = 'accepted for compatibility; no effect in Hoard';

/* Validators with Redis's texts. */

function pathIsBaseName(p: string): boolean {
  return !p.includes('/') && !p.includes('\\');
}

function checkDbFilename(v: string): string | null {
  return pathIsBaseName(v) ? null : "dbfilename can't be a path, just a filename";
}

function checkAofFilename(v: string): string | null {
  if (v === '') return "appendfilename can't be empty";
  return pathIsBaseName(v) ? null : "appendfilename can't be a path, just a filename";
}

function checkAofDirname(v: string): string | null {
  if (v === '') return "appenddirname can't be empty";
  return pathIsBaseName(v) ? null : "appenddirname can't be a path, just a dirname";
}

function checkHostname(v: string): string | null {
  if (v.length >= 256) return 'Hostnames must be less than 256 characters';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigit(c) || c === 45 || c === 46;
    if (!ok) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  }
  return null;
}

/** validateProcTitleTemplate(): sdstemplate() must succeed and expand to non-blank. */
function checkProcTitleTemplate(v: string): string | null {
  const err = 'template format is invalid or contains unknown variables';
  const vars: Record<string, string> = {
    title: '',
    'listen-addr': '*:6379',
    'server-mode': '',
    port: '6379',
    'tls-port': '0',
    unixsocket: '',
    'config-file': '',
  };
  let res = '';
  let p = 0;
  while (p < v.length) {
    const sv = v.indexOf('{', p);
    if (sv < 0) {
      res += v.slice(p);
      break;
    }
    res += v.slice(p, sv);
    if (sv + 1 >= v.length) return err;
    if (v[sv + 1] === '{') {
      res += '{';
      p = sv + 2;
      continue;
    }
    const ev = v.indexOf('}', sv + 1);
    if (ev < 0) return err;
    const name = v.slice(sv + 1, ev);
    if (!Object.prototype.hasOwnProperty.call(vars, name)) return err;
    res += vars[name];
    p = ev + 1;
  }
  return res.replace(/^ +| +$/g, '') === '' ? err : null;
}

/* Special options. */

const saveImpl: SpecialImpl = {
  type: 'special',
  def: '3600 1 300 100 60 10000',
  init() {
    return saveParsed([
      { seconds: 3600, changes: 1 },
      { seconds: 300, changes: 100 },
      { seconds: 60, changes: 10000 },
    ]);
  },
  parse(argv, ctx) {
    // `save ""` (one empty argument) means no rules, and always resets.
    const empty = argv.length === 1 && argv[0] === '';
    const args = empty ? [] : argv;
    if (args.length % 2 !== 0) return 'Invalid save parameters';
    const nums: bigint[] = [];
    for (let j = 0; j < args.length; j++) {
      const v = strtollFull(args[j]);
      if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) return 'Invalid save parameters';
      nums.push(v);
    }
    // While reading the file, the defaults are replaced by the first `save`
    // line and the following lines add rules; CONFIG SET replaces them.
    let rules: SaveRule[] = [];
    const loader = ctx.load;
    if (ctx.reading && loader !== null && !empty) {
      if (loader.saveLoaded) rules = [...((ctx.current?.value as readonly SaveRule[] | undefined) ?? [])];
      loader.saveLoaded = true;
    }
    for (let j = 0; j < nums.length; j += 2) {
      rules.push({ seconds: Number(nums[j]), changes: Number(BigInt.asIntN(32, nums[j + 1])) });
    }
    return saveParsed(rules);
  },
  rewrite(p, st, name) {
    const rules = p.value as readonly SaveRule[];
    if (rules.length === 0) st.rewriteLine(name, 'save ""', true);
    else for (const r of rules) st.rewriteLine(name, `save ${r.seconds} ${r.changes}`, true);
    st.markProcessed(name);
  },
};

function saveParsed(rules: SaveRule[]): Parsed {
  return { value: Object.freeze(rules), text: rules.map((r) => `${r.seconds} ${r.changes}`).join(' '), big: 0n };
}

const OBUF_CLASSES = ['normal', 'replica', 'pubsub'] as const;
const OBUF_DEFAULTS: ClientOutputBufferLimits = {
  normal: { hardLimitBytes: 0, softLimitBytes: 0, softLimitSeconds: 0 },
  replica: { hardLimitBytes: 268435456, softLimitBytes: 67108864, softLimitSeconds: 60 },
  pubsub: { hardLimitBytes: 33554432, softLimitBytes: 8388608, softLimitSeconds: 60 },
};

/** Exact hard/soft bytes (they can exceed 2^53), keyed like the value. */
interface ObufExact {
  normal: [bigint, bigint];
  replica: [bigint, bigint];
  pubsub: [bigint, bigint];
}

const obufExact = new WeakMap<object, ObufExact>();

function obufParsed(v: ClientOutputBufferLimits, exact: ObufExact): Parsed {
  const frozen = Object.freeze({
    normal: Object.freeze({ ...v.normal }),
    replica: Object.freeze({ ...v.replica }),
    pubsub: Object.freeze({ ...v.pubsub }),
  });
  obufExact.set(frozen, exact);
  const part = (cls: (typeof OBUF_CLASSES)[number], label: string): string =>
    `${label} ${exact[cls][0]} ${exact[cls][1]} ${frozen[cls].softLimitSeconds}`;
  return { value: frozen, text: `${part('normal', 'normal')} ${part('replica', 'slave')} ${part('pubsub', 'pubsub')}`, big: 0n };
}

const clientOutputBufferLimitImpl: SpecialImpl = {
  type: 'special',
  def: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  init() {
    return obufParsed(OBUF_DEFAULTS, {
      normal: [0n, 0n],
      replica: [268435456n, 67108864n],
      pubsub: [33554432n, 8388608n],
    });
  },
  parse(argv, ctx) {
    if (argv.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
    const cur = (ctx.current?.value as ClientOutputBufferLimits | undefined) ?? OBUF_DEFAULTS;
    const curExact = obufExact.get(cur as object) ?? {
      normal: [0n, 0n],
      replica: [268435456n, 67108864n],
      pubsub: [33554432n, 8388608n],
    };
    const next = { normal: { ...cur.normal }, replica: { ...cur.replica }, pubsub: { ...cur.pubsub } };
    const exact: ObufExact = { normal: [...curExact.normal], replica: [...curExact.replica], pubsub: [...curExact.pubsub] };
    for (let j = 0; j < argv.length; j += 4) {
      const clsName = asciiLower(argv[j]);
      const cls =
        clsName === 'normal' ? 'normal' : clsName === 'slave' || clsName === 'replica' ? 'replica' : clsName === 'pubsub' ? 'pubsub' : null;
      if (cls === null) return 'Invalid client class specified in buffer limit configuration.';
      const hard = parseMemory(argv[j + 1]);
      const soft = parseMemory(argv[j + 2]);
      const secs = strtollFull(argv[j + 3]);
      const secsInt = secs === null ? -1n : BigInt.asIntN(32, secs); // stored in an int
      if (hard === null || soft === null || secs === null || secsInt < 0n) {
        return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
      }
      next[cls] = { hardLimitBytes: Number(hard), softLimitBytes: Number(soft), softLimitSeconds: Number(secsInt) };
      exact[cls] = [hard, soft];
    }
    return obufParsed(next, exact);
  },
  rewrite(p, st, name) {
    const v = p.value as ClientOutputBufferLimits;
    const exact = obufExact.get(v as object);
    for (const cls of OBUF_CLASSES) {
      const d = OBUF_DEFAULTS[cls];
      const c = v[cls];
      const force =
        c.hardLimitBytes !== d.hardLimitBytes || c.softLimitBytes !== d.softLimitBytes || c.softLimitSeconds !== d.softLimitSeconds;
      const hard = exact ? exact[cls][0] : BigInt(c.hardLimitBytes);
      const soft = exact ? exact[cls][1] : BigInt(c.softLimitBytes);
      st.rewriteLine(
        name,
        `${name} ${cls} ${formatMemoryForFile(hard)} ${formatMemoryForFile(soft)} ${c.softLimitSeconds}`,
        force,
      );
    }
  },
};

const BIND_DEFAULT = ['127.0.0.1', '-::1'];

const bindImpl: SpecialImpl = {
  type: 'special',
  // Hoard listens on loopback by default (Redis 7.0: "* -::*" guarded by protected mode).
  def: '127.0.0.1 -::1',
  init() {
    return { value: Object.freeze([...BIND_DEFAULT]), text: BIND_DEFAULT.join(' '), big: 0n };
  },
  parse(argv) {
    if (argv.length > 16) return 'Too many bind addresses specified.';
    const addrs = argv.length === 1 && argv[0] === '' ? [] : [...argv];
    return { value: Object.freeze(addrs), text: addrs.join(' '), big: 0n };
  },
  rewrite(p, st, name) {
    const addrs = p.value as readonly string[];
    if (addrs.length === BIND_DEFAULT.length && addrs.every((a, i) => a === BIND_DEFAULT[i])) {
      st.markProcessed(name);
      return;
    }
    st.rewriteLine(name, `${name} ${addrs.length > 0 ? addrs.join(' ') : '""'}`, true);
  },
};

const replicaofImpl: SpecialImpl = {
  type: 'special',
  def: '',
  init() {
    return { value: null, text: '', big: 0n };
  },
  parse(argv) {
    if (argv.length !== 2) return 'wrong number of arguments';
    if (asciiLower(argv[0]) === 'no' && asciiLower(argv[1]) === 'one') return { value: null, text: '', big: 0n };
    const port = strtollFull(argv[1]);
    const portInt = port === null ? -1n : BigInt.asIntN(32, port); // strtol into an int
    if (port === null || portInt < 0n || portInt > 65535n) return 'Invalid master port';
    const value: ReplicaOf = Object.freeze({ host: argv[0], port: Number(portInt) });
    return { value, text: `${value.host} ${value.port}`, big: 0n };
  },
  rewrite(p, st, name) {
    const v = p.value as ReplicaOf | null;
    const clusterEnabled = st.cfg.bool('cluster-enabled');
    if (clusterEnabled || v === null) {
      st.markProcessed(name);
      return;
    }
    st.rewriteLine(name, `${name} ${v.host} ${v.port}`, true);
  },
};

const notifyImpl: SpecialImpl = {
  type: 'special',
  def: '',
  init() {
    return { value: 0, text: '', big: 0n };
  },
  parse(argv) {
    if (argv.length !== 1) return 'wrong number of arguments';
    const flags = keyspaceEventsStringToFlags(argv[0]);
    if (flags === -1) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    return { value: flags, text: keyspaceEventsFlagsToString(flags), big: BigInt(flags) };
  },
  rewrite(p, st, name) {
    st.rewriteLine(name, `${name} ${reprString(p.text)}`, (p.value as number) !== 0);
  },
};

const percentilesImpl: SpecialImpl = {
  type: 'special',
  def: '50 99 99.9',
  init() {
    return percentilesParsed([50, 99, 99.9]);
  },
  parse(argv) {
    const args = argv.length === 1 && argv[0] === '' ? [] : argv;
    const out: number[] = [];
    for (const a of args) {
      const d = string2d(a);
      if (d === null) return 'Invalid latency-tracking-info-percentiles parameters';
      if (d > 100 || d < 0) return 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]';
      out.push(d);
    }
    return percentilesParsed(out);
  },
  rewrite(p, st, name) {
    const v = p.value as readonly number[];
    st.rewriteLine(name, v.length === 0 ? `${name} ""` : `${name} ${v.map(formatPercentile).join(' ')}`, true);
  },
};

function percentilesParsed(v: number[]): Parsed {
  return { value: Object.freeze(v), text: v.map(formatPercentile).join(' '), big: 0n };
}

const OOM_DEFAULTS = [0, 200, 800];

const oomValuesImpl: SpecialImpl = {
  type: 'special',
  def: '0 200 800',
  init() {
    return { value: Object.freeze([...OOM_DEFAULTS]), text: OOM_DEFAULTS.join(' '), big: 0n };
  },
  parse(argv) {
    if (argv.length !== 3) return 'wrong number of arguments';
    const out: number[] = [];
    for (const a of argv) {
      const v = strtollFull(a);
      if (v === null || v < -2000n || v > 2000n) return 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.';
      out.push(Number(v));
    }
    return { value: Object.freeze(out), text: out.join(' '), big: 0n };
  },
  rewrite(p, st, name) {
    const v = p.value as readonly number[];
    st.rewriteLine(name, `${name} ${v.join(' ')}`, v.some((x, i) => x !== OOM_DEFAULTS[i]));
  },
};

const DIR_DEFAULT = './data';

const dirImpl: SpecialImpl = {
  type: 'special',
  def: DIR_DEFAULT,
  init() {
    const abs = resolveLatin1(DIR_DEFAULT);
    return { value: abs, text: abs, big: 0n };
  },
  parse(argv) {
    if (argv.length !== 1) return 'wrong number of arguments';
    // Redis chdir()s here, so the directory must exist; Hoard only checks.
    const abs = resolveLatin1(argv[0]);
    try {
      if (!fs.statSync(fsPath(abs)).isDirectory()) return 'Not a directory';
    } catch (err) {
      return strerror(err);
    }
    return { value: abs, text: abs, big: 0n };
  },
  rewrite(p, st, name) {
    st.rewriteLine(name, `${name} ${reprString(p.text)}`, true);
  },
};

const SHUTDOWN_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['default', 0],
  ['save', 1],
  ['nosave', 2],
  ['now', 4],
  ['force', 8],
];

function checkShutdownFlags(v: number): string | null {
  return v & 1 && v & 2 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;
}

const INT = 'int' as const;

const SPECS: Spec[] = [
  // Network
  num('port', null, 0, INT, 0n, 65535n, 6379n, 0, 'TCP port to listen on (0: no TCP listener).'),
  special('bind', null, MULTI_ARG, bindImpl, 'Addresses to listen on; a "-" prefix makes an address optional.'),
  str('bind-source-addr', null, 0, true, null, 'Source address for outgoing connections (replication).'),
  bool('protected-mode', null, 0, true, 'Refuse non-loopback clients when no password and no bind address are set.'),
  num('tcp-backlog', null, IMMUTABLE, INT, 0n, INT_MAX, 511n, 0, 'listen() backlog.'),
  num('tcp-keepalive', null, 0, INT, 0n, INT_MAX, 300n, 0, 'TCP keepalive interval in seconds (0: off).'),
  num('timeout', null, 0, INT, 0n, INT_MAX, 0n, 0, 'Close a client idle for this many seconds (0: never).'),
  str('unixsocket', null, IMMUTABLE, true, null, 'Path of a Unix socket to listen on.'),
  num('unixsocketperm', null, IMMUTABLE, 'uint', 0n, 0o777n, 0n, OCTAL, 'Permissions of the Unix socket (octal).'),
  num('socket-mark-id', null, IMMUTABLE, 'uint', 0n, UINT_MAX, 0n, 0, 'SO_MARK / SO_USER_COOKIE for listening sockets.', { hoard: NO_EFFECT }),
  num('maxclients', null, 0, 'uint', 1n, UINT_MAX, 10000n, 0, 'Maximum number of connected clients.'),
  num('tls-port', null, 0, INT, 0n, 65535n, 0n, 0, 'TLS port to listen on (0: no TLS).'),
  str('tls-cert-file', null, 0, true, null, 'Server certificate (PEM).'),
  str('tls-key-file', null, 0, true, null, 'Server private key (PEM).'),
  str('tls-key-file-pass', null, 0, true, null, 'Passphrase of tls-key-file.'),
  str('tls-client-cert-file', null, 0, true, null, 'Client certificate for outgoing TLS connections.'),
  str('tls-client-key-file', null, 0, true, null, 'Client private key for outgoing TLS connections.'),
  str('tls-client-key-file-pass', null, 0, true, null, 'Passphrase of tls-client-key-file.'),
  str('tls-dh-params-file', null, 0, true, null, 'DH parameters file.'),
  str('tls-ca-cert-file', null, 0, true, null, 'CA bundle to verify peers.'),
  str('tls-ca-cert-dir', null, 0, true, null, 'Directory of CA certificates to verify peers.'),
  str('tls-protocols', null, 0, true, null, 'Allowed TLS protocol versions, e.g. "TLSv1.2 TLSv1.3".'),
  str('tls-ciphers', null, 0, true, null, 'Allowed TLS 1.2 ciphers.'),
  str('tls-ciphersuites', null, 0, true, null, 'Allowed TLS 1.3 cipher suites.'),
  enm('tls-auth-clients', null, 0, [['no', 0], ['yes', 1], ['optional', 2]], 1, 'Require (yes), accept (optional) or ignore client certificates.'),
  bool('tls-replication', null, 0, false, 'Use TLS for replication links.'),
  bool('tls-cluster', null, 0, false, 'Use TLS for the cluster bus.'),
  bool('tls-prefer-server-ciphers', null, 0, false, "Prefer the server's cipher order."),
  bool('tls-session-caching', null, 0, true, 'Enable TLS session caching.'),
  num('tls-session-cache-size', null, 0, INT, 0n, INT_MAX, 20480n, 0, 'Number of cached TLS sessions.'),
  num('tls-session-cache-timeout', null, 0, INT, 0n, INT_MAX, 300n, 0, 'Seconds a TLS session stays cached.'),

  // Server process
  bool('daemonize', null, IMMUTABLE, false, 'Run in the background.', 'must be no: Hoard runs in the foreground (use a supervisor)', (p) =>
    p.value === true
      ? "daemonize yes is not supported: Hoard runs in the foreground (start it with 'daemonize no' under systemd, a container or another supervisor)"
      : null,
  ),
  enm(
    'supervised',
    null,
    IMMUTABLE,
    [['upstart', 1], ['systemd', 2], ['auto', 3], ['no', 0]],
    0,
    'Supervision interaction (upstart/systemd/auto/no).',
    {
      hoard: 'no and auto accepted (nothing to notify); upstart and systemd refused',
      hoardCheck: (p) =>
        p.text === 'upstart' || p.text === 'systemd'
          ? `supervised ${p.text} is not supported by Hoard: use supervised no and a simple (non-notify) service`
          : null,
    },
  ),
  str('pidfile', null, IMMUTABLE, true, null, 'Write the process id to this file.'),
  enm('loglevel', null, 0, [['debug', 0], ['verbose', 1], ['notice', 2], ['warning', 3]], 2, 'Log verbosity.'),
  str('logfile', null, IMMUTABLE, false, '', 'Log file ("": standard output).'),
  bool('syslog-enabled', null, IMMUTABLE, false, 'Also log to syslog.', NO_EFFECT),
  str('syslog-ident', null, IMMUTABLE, false, 'redis', 'Syslog identity.', { hoard: NO_EFFECT }),
  enm(
    'syslog-facility',
    null,
    IMMUTABLE,
    [['user', 8], ['local0', 128], ['local1', 136], ['local2', 144], ['local3', 152], ['local4', 160], ['local5', 168], ['local6', 176], ['local7', 184]],
    128,
    'Syslog facility.',
    { hoard: NO_EFFECT },
  ),
  bool('crash-log-enabled', null, 0, true, 'Log a stack trace on crash.', NO_EFFECT),
  bool('crash-memcheck-enabled', null, 0, true, 'Run a memory check on crash.', NO_EFFECT),
  bool('use-exit-on-panic', null, HIDDEN, false, 'Exit instead of abort on panic (tests).', NO_EFFECT),
  num('databases', null, IMMUTABLE, INT, 1n, INT_MAX, 16n, 0, 'Number of logical databases (SELECT 0..n-1).'),
  bool('always-show-logo', null, IMMUTABLE, false, 'Show the ASCII logo even when logging to a file.', NO_EFFECT),
  bool('set-proc-title', null, IMMUTABLE, true, 'Set the process title.', NO_EFFECT),
  str('proc-title-template', null, 0, false, '{title} {listen-addr} {server-mode}', 'Template of the process title.', {
    check: checkProcTitleTemplate,
    hoard: NO_EFFECT,
  }),
  str('ignore-warnings', null, 0, false, '', 'Start-up warnings to ignore.', { hoard: NO_EFFECT }),
  bool('disable-thp', null, IMMUTABLE, true, 'Disable transparent huge pages for the process.', NO_EFFECT),
  enm('oom-score-adj', null, 0, [['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]], 0, 'Adjust the OOM killer score.', { hoard: NO_EFFECT }),
  special('oom-score-adj-values', null, MULTI_ARG, oomValuesImpl, 'OOM score adjustments for primary, replica, child.', NO_EFFECT),
  num('io-threads', null, IMMUTABLE, INT, 1n, 128n, 1n, 0, 'Threads for network I/O.', { hoard: 'accepted; Hoard uses one event loop' }),
  bool('io-threads-do-reads', null, IMMUTABLE, false, 'Also use I/O threads for reads.', NO_EFFECT),
  str('server_cpulist', null, IMMUTABLE, true, null, 'CPU affinity of the server threads.', { hoard: NO_EFFECT }),
  str('bio_cpulist', null, IMMUTABLE, true, null, 'CPU affinity of background I/O threads.', { hoard: NO_EFFECT }),
  str('aof_rewrite_cpulist', null, IMMUTABLE, true, null, 'CPU affinity of AOF rewrite children.', { hoard: NO_EFFECT }),
  str('bgsave_cpulist', null, IMMUTABLE, true, null, 'CPU affinity of BGSAVE children.', { hoard: NO_EFFECT }),
  bool('jemalloc-bg-thread', null, 0, true, "jemalloc's background purge thread.", NO_EFFECT),
  enm('shutdown-on-sigint', null, MULTI_ARG, SHUTDOWN_FLAGS, 0, 'SHUTDOWN flags used on SIGINT (default save nosave now force).', {
    check: checkShutdownFlags,
  }),
  enm('shutdown-on-sigterm', null, MULTI_ARG, SHUTDOWN_FLAGS, 0, 'SHUTDOWN flags used on SIGTERM (default save nosave now force).', {
    check: checkShutdownFlags,
  }),
  num('shutdown-timeout', null, 0, INT, 0n, INT_MAX, 10n, 0, 'Seconds to wait for replicas to catch up on shutdown.'),
  enm('enable-protected-configs', null, IMMUTABLE, [['no', 0], ['yes', 1], ['local', 2]], 0, 'Allow CONFIG SET of protected options (dir, dbfilename).'),
  enm('enable-debug-command', null, IMMUTABLE, [['no', 0], ['yes', 1], ['local', 2]], 0, 'Allow the DEBUG command (tests pass --enable-debug-command yes).'),
  enm('enable-module-command', null, IMMUTABLE, [['no', 0], ['yes', 1], ['local', 2]], 0, 'Allow the MODULE command.', {
    hoard: 'Hoard loads no modules: it only decides whether MODULE LOAD / LOADEX / UNLOAD are refused or fail as loads',
  }),

  // Security
  str('requirepass', null, SENSITIVE, true, null, 'Password clients must AUTH with ("": none).'),
  enm('acl-pubsub-default', null, 0, [['allchannels', 1], ['resetchannels', 0]], 0, 'Default pub/sub permissions of new ACL users.', { hoard: NO_EFFECT }),
  str('aclfile', null, IMMUTABLE, false, '', 'External ACL users file.', { hoard: NO_EFFECT }),
  num('acllog-max-len', null, 0, 'ulong', 0n, LONG_MAX, 128n, 0, 'Maximum length of the ACL LOG.'),

  // Snapshotting
  special('save', null, MULTI_ARG, saveImpl, 'Snapshot after <seconds> if at least <changes> writes ("": never).'),
  special('dir', null, PROTECTED | DENY_LOADING, dirImpl, 'Data directory (snapshot and AOF).', 'default "./data"; Hoard does not chdir() into it'),
  str('dbfilename', null, PROTECTED, false, 'dump.rdb', 'RDB file name.', { check: checkDbFilename, hoard: 'kept for compatibility; Hoard snapshots to LevelDB' }),
  bool('stop-writes-on-bgsave-error', null, 0, true, 'Refuse writes after a failed background snapshot.'),
  bool('rdbcompression', null, 0, true, 'Compress strings in RDB files.', NO_EFFECT),
  bool('rdbchecksum', null, IMMUTABLE, true, 'Checksum RDB files.', NO_EFFECT),
  bool('rdb-del-sync-files', null, 0, false, 'Delete RDB files used only for replication.', NO_EFFECT),
  bool('rdb-save-incremental-fsync', null, 0, true, 'fsync every 32 MB while saving.'),
  enm('sanitize-dump-payload', null, 0, [['no', 0], ['yes', 1], ['clients', 2]], 0, 'Deep-check RESTORE payloads.'),
  num('rdb-key-save-delay', null, HIDDEN, INT, INT_MIN, INT_MAX, 0n, 0, 'Microseconds to sleep per key saved (tests).'),
  num('key-load-delay', null, HIDDEN, INT, INT_MIN, INT_MAX, 0n, 0, 'Microseconds to sleep per key (or AOF record) loaded; negative: 1 us every -N (tests).'),
  num('loading-process-events-interval-bytes', null, HIDDEN, 'off_t', 1024n, INT_MAX, 2097152n, 0, 'Serve events every this many bytes while loading.'),

  // Append-only file
  bool('appendonly', null, DENY_LOADING, false, 'Log every write to the append-only file.'),
  str('appendfilename', null, IMMUTABLE, false, 'appendonly.aof', 'Base name of the AOF files.', { check: checkAofFilename }),
  str('appenddirname', null, IMMUTABLE, false, 'appendonlydir', 'Directory of the AOF files, inside dir.', { check: checkAofDirname }),
  enm('appendfsync', null, 0, [['everysec', 0], ['always', 1], ['no', 2]], 0, 'fsync policy of the AOF: always, everysec or no.'),
  bool('no-appendfsync-on-rewrite', null, 0, false, 'Skip fsync while a rewrite or snapshot runs.'),
  num('auto-aof-rewrite-percentage', null, 0, INT, 0n, INT_MAX, 100n, 0, 'Rewrite the AOF when it grew by this percentage (0: never).'),
  num('auto-aof-rewrite-min-size', null, 0, 'off_t', 0n, LLONG_MAX, 67108864n, MEMORY, 'Minimum AOF size before an automatic rewrite.'),
  bool('aof-load-truncated', null, 0, true, 'Load a truncated AOF (dropping the torn tail) instead of refusing to start.'),
  bool('aof-use-rdb-preamble', null, 0, true, 'Start rewritten AOFs with an RDB image.', 'accepted; Hoard rewrites from a LevelDB snapshot'),
  bool('aof-timestamp-enabled', null, 0, false, 'Write timestamp annotations into the AOF.'),
  bool('aof-rewrite-incremental-fsync', null, 0, true, 'fsync every 32 MB while rewriting the AOF.'),
  bool('aof-disable-auto-gc', null, 0, false, 'Keep old AOF files instead of deleting them.'),

  // Replication
  special('replicaof', 'slaveof', IMMUTABLE | MULTI_ARG, replicaofImpl, 'Replicate from <host> <port> ("no one": be a primary).'),
  str('masterauth', null, SENSITIVE, true, null, 'Password to authenticate to the primary.'),
  str('masteruser', null, SENSITIVE, true, null, 'User name to authenticate to the primary.'),
  bool('replica-serve-stale-data', 'slave-serve-stale-data', 0, true, 'Answer reads while the link to the primary is down.'),
  bool('replica-read-only', 'slave-read-only', 0, true, 'Refuse writes from clients on a replica.'),
  bool('replica-ignore-maxmemory', 'slave-ignore-maxmemory', 0, true, 'Replicas do not evict on their own.'),
  bool('replica-lazy-flush', 'slave-lazy-flush', 0, false, 'Flush asynchronously before a full sync.'),
  bool('replica-announced', null, 0, true, 'List this replica in sentinel replies.'),
  bool('replica-ignore-disk-write-errors', null, 0, false, 'Keep replicating after a disk write error.'),
  num('replica-priority', 'slave-priority', 0, INT, 0n, INT_MAX, 100n, 0, 'Sentinel promotion priority (lower first, 0: never).'),
  str('replica-announce-ip', 'slave-announce-ip', 0, true, null, 'IP a replica announces to its primary.'),
  num('replica-announce-port', 'slave-announce-port', 0, INT, 0n, 65535n, 0n, 0, 'Port a replica announces to its primary.'),
  num('repl-backlog-size', null, 0, 'll', 1n, LLONG_MAX, 1048576n, MEMORY, 'Size of the replication backlog.', {
    apply: (v) => (v < 16384n ? 16384n : v), // CONFIG_REPL_BACKLOG_MIN_SIZE
  }),
  num('repl-backlog-ttl', null, 0, 'time_t', 0n, LONG_MAX, 3600n, 0, 'Free the backlog after this many seconds without replicas.'),
  num('repl-timeout', null, 0, INT, 1n, INT_MAX, 60n, 0, 'Replication timeout in seconds.'),
  num('repl-ping-replica-period', 'repl-ping-slave-period', 0, INT, 1n, INT_MAX, 10n, 0, 'Seconds between pings to replicas.'),
  bool('repl-diskless-sync', null, 0, true, 'Stream full syncs to replicas without a file on disk.'),
  num('repl-diskless-sync-delay', null, 0, INT, 0n, INT_MAX, 5n, 0, 'Seconds to wait for more replicas before a diskless sync.'),
  num('repl-diskless-sync-max-replicas', null, 0, INT, 0n, INT_MAX, 0n, 0, 'Start a diskless sync early once this many replicas wait.'),
  enm('repl-diskless-load', null, DENY_LOADING, [['disabled', 0], ['on-empty-db', 1], ['swapdb', 2]], 0, 'How a replica loads a full sync.'),
  bool('repl-disable-tcp-nodelay', null, 0, false, 'Disable TCP_NODELAY on the replication link.'),
  num('min-replicas-to-write', 'min-slaves-to-write', 0, INT, 0n, INT_MAX, 0n, 0, 'Refuse writes unless this many replicas are connected.'),
  num('min-replicas-max-lag', 'min-slaves-max-lag', 0, INT, 0n, INT_MAX, 10n, 0, 'Maximum lag (s) of a replica counted by min-replicas-to-write.'),
  enm('propagation-error-behavior', null, 0, [['ignore', 0], ['panic', 1], ['panic-on-replicas', 2]], 0, 'What to do when a replicated command fails.'),

  // Limits and memory
  num('maxmemory', null, 0, 'ull', 0n, ULLONG_MAX, 0n, MEMORY, 'Memory limit for the dataset (0: none).'),
  enm(
    'maxmemory-policy',
    null,
    0,
    [
      ['volatile-lru', 0],
      ['volatile-lfu', 1],
      ['volatile-random', 2],
      ['volatile-ttl', 3],
      ['allkeys-lru', 4],
      ['allkeys-lfu', 5],
      ['allkeys-random', 6],
      ['noeviction', 7],
      ['allkeys-sieve', 8], // Hoard: SIEVE, scan-resistant (keyspace/evict.ts)
      ['allkeys-s3fifo', 9], // Hoard: S3-FIFO, scan-resistant (keyspace/evict.ts)
    ],
    7,
    'What to evict when maxmemory is reached.',
  ),
  num('maxmemory-samples', null, 0, INT, 1n, INT_MAX, 5n, 0, 'Keys sampled per eviction.'),
  num('maxmemory-eviction-tenacity', null, 0, INT, 0n, 100n, 10n, 0, 'How hard eviction works per event-loop turn (0-100).'),
  num('maxmemory-clients', null, 0, 'ssize_t', -100n, LLONG_MAX, 0n, MEMORY | PERCENT, 'Memory limit for all clients, in bytes or % of maxmemory.'),
  num('lfu-log-factor', null, 0, INT, 0n, INT_MAX, 10n, 0, 'LFU counter logarithm factor.'),
  num('lfu-decay-time', null, 0, INT, 0n, INT_MAX, 1n, 0, 'Minutes after which an LFU counter decays.'),
  bool('lazyfree-lazy-eviction', null, 0, false, 'Free evicted values in the background.'),
  bool('lazyfree-lazy-expire', null, 0, false, 'Free expired values in the background.'),
  bool('lazyfree-lazy-server-del', null, 0, false, 'Free values deleted by the server in the background.'),
  bool('lazyfree-lazy-user-del', null, 0, false, 'DEL behaves like UNLINK.'),
  bool('lazyfree-lazy-user-flush', null, 0, false, 'FLUSHALL/FLUSHDB default to ASYNC.'),
  num('proto-max-bulk-len', null, 0, 'll', 1048576n, LONG_MAX, 536870912n, MEMORY, 'Largest bulk string a client may send.'),
  num('client-query-buffer-limit', null, 0, 'size_t', 1048576n, LONG_MAX, 1073741824n, MEMORY, 'Largest query buffer of a client.'),
  special(
    'client-output-buffer-limit',
    null,
    MULTI_ARG,
    clientOutputBufferLimitImpl,
    'Per class (normal, replica, pubsub): <hard> <soft> <soft-seconds> output buffer limits.',
  ),
  num('tracking-table-max-keys', null, 0, 'size_t', 0n, LONG_MAX, 1000000n, 0, 'Keys tracked for client-side caching.'),
  bool('activerehashing', null, 0, true, 'Rehash the main tables incrementally in the background.'),
  bool('activedefrag', null, 0, false, 'Active memory defragmentation.', NO_EFFECT),
  num('active-defrag-ignore-bytes', null, 0, 'size_t', 1n, LLONG_MAX, 104857600n, MEMORY, 'Start defrag above this much waste.', { hoard: NO_EFFECT }),
  num('active-defrag-threshold-lower', null, 0, INT, 0n, 1000n, 10n, 0, 'Start defrag above this fragmentation %.', { hoard: NO_EFFECT }),
  num('active-defrag-threshold-upper', null, 0, INT, 0n, 1000n, 100n, 0, 'Maximum defrag effort above this fragmentation %.', { hoard: NO_EFFECT }),
  num('active-defrag-cycle-min', null, 0, INT, 1n, 99n, 1n, 0, 'Minimal defrag CPU %.', { hoard: NO_EFFECT }),
  num('active-defrag-cycle-max', null, 0, INT, 1n, 99n, 25n, 0, 'Maximal defrag CPU %.', { hoard: NO_EFFECT }),
  num('active-defrag-max-scan-fields', null, 0, 'ulong', 1n, LONG_MAX, 1000n, 0, 'Fields per step of a big-key defrag.', { hoard: NO_EFFECT }),

  // Event loop and expiry
  num('hz', null, 0, INT, 0n, INT_MAX, 10n, 0, 'Background tasks per second (capped to 1..500).', {
    apply: (v) => (v < 1n ? 1n : v > 500n ? 500n : v),
  }),
  bool('dynamic-hz', null, 0, true, 'Raise hz with the number of clients.'),
  num('active-expire-effort', null, 0, INT, 1n, 10n, 1n, 0, 'Effort of the active expire cycle (1-10).'),

  // Logs and monitoring
  num('slowlog-log-slower-than', null, 0, 'll', -1n, LLONG_MAX, 10000n, 0, 'Log commands slower than this many microseconds (-1: off, 0: all).'),
  num('slowlog-max-len', null, 0, 'ulong', 0n, LONG_MAX, 128n, 0, 'Entries kept in the slow log.'),
  num('latency-monitor-threshold', null, 0, 'll', 0n, LLONG_MAX, 0n, 0, 'Record events slower than this many ms (0: off).'),
  bool('latency-tracking', null, 0, true, 'Track per-command latency percentiles.'),
  special('latency-tracking-info-percentiles', null, MULTI_ARG, percentilesImpl, 'Percentiles reported by INFO latencystats.'),
  special('notify-keyspace-events', null, 0, notifyImpl, 'Keyspace notification classes (K E g $ l s h z x e t m d n A).'),
  num('busy-reply-threshold', 'lua-time-limit', 0, 'll', 0n, LONG_MAX, 5000n, 0, 'Milliseconds before a long script gets BUSY replies.', {
    hoard: 'a script that runs longer and has not written yet is stopped with the SCRIPT KILL error (nothing else can be served meanwhile); one that has written runs to its end',
  }),
  num('watchdog-period', null, HIDDEN, INT, 0n, INT_MAX, 0n, 0, 'Software watchdog period in ms (debugging).', { hoard: NO_EFFECT }),

  // Encodings
  num('hash-max-listpack-entries', 'hash-max-ziplist-entries', 0, 'size_t', 0n, LONG_MAX, 512n, 0, 'Small-hash encoding up to this many fields.'),
  num('hash-max-listpack-value', 'hash-max-ziplist-value', 0, 'size_t', 0n, LONG_MAX, 64n, MEMORY, 'Small-hash encoding while values are this small.'),
  num('list-max-listpack-size', 'list-max-ziplist-size', 0, INT, INT_MIN, INT_MAX, -2n, 0, 'Quicklist node size (>0 entries, -1..-5 = 4kb..64kb).'),
  num('list-compress-depth', null, 0, INT, 0n, INT_MAX, 0n, 0, 'Quicklist nodes left uncompressed at each end (0: none compressed).'),
  num('set-max-intset-entries', null, 0, 'size_t', 0n, LONG_MAX, 512n, 0, 'Integer-set encoding up to this many members.'),
  num('set-max-listpack-entries', null, 0, 'size_t', 0n, LONG_MAX, 128n, 0, 'Small-set encoding up to this many members (Redis 7.2).'),
  num('set-max-listpack-value', null, 0, 'size_t', 0n, LONG_MAX, 64n, MEMORY, 'Small-set encoding while members are this small (Redis 7.2).'),
  num('zset-max-listpack-entries', 'zset-max-ziplist-entries', 0, 'size_t', 0n, LONG_MAX, 128n, 0, 'Small-sorted-set encoding up to this many members.'),
  num('zset-max-listpack-value', 'zset-max-ziplist-value', 0, 'size_t', 0n, LONG_MAX, 64n, MEMORY, 'Small-sorted-set encoding while members are this small.'),
  num('hll-sparse-max-bytes', null, 0, 'size_t', 0n, LONG_MAX, 3000n, MEMORY, 'HyperLogLog sparse representation limit.'),
  num('stream-node-max-bytes', null, 0, 'size_t', 0n, LONG_MAX, 4096n, MEMORY, 'Bytes per stream radix-tree node.'),
  num('stream-node-max-entries', null, 0, 'll', 0n, LLONG_MAX, 100n, 0, 'Entries per stream radix-tree node.'),

  // Cluster
  bool('cluster-enabled', null, IMMUTABLE, false, 'Run as a cluster node.'),
  str('cluster-config-file', null, IMMUTABLE, false, 'nodes.conf', 'Cluster state file.'),
  num('cluster-node-timeout', null, 0, 'll', 0n, LLONG_MAX, 15000n, 0, 'Milliseconds before a node is considered failing.'),
  num('cluster-port', null, IMMUTABLE, INT, 0n, 65535n, 0n, 0, 'Cluster bus port (0: port + 10000).'),
  num('cluster-replica-validity-factor', 'cluster-slave-validity-factor', 0, INT, 0n, INT_MAX, 10n, 0, 'Replica data age factor for failover.'),
  num('cluster-migration-barrier', null, 0, INT, 0n, INT_MAX, 1n, 0, 'Replicas a primary keeps before one migrates.'),
  bool('cluster-allow-replica-migration', null, 0, true, 'Let replicas migrate to orphaned primaries.'),
  bool('cluster-require-full-coverage', null, 0, true, 'Refuse queries when some slots are uncovered.'),
  bool('cluster-replica-no-failover', 'cluster-slave-no-failover', 0, false, 'Never fail over this replica automatically.'),
  bool('cluster-allow-reads-when-down', null, 0, false, 'Serve reads while the cluster is down.'),
  bool('cluster-allow-pubsubshard-when-down', null, 0, true, 'Serve sharded pub/sub while the cluster is down.'),
  str('cluster-announce-ip', null, 0, true, null, 'IP announced to the cluster.'),
  str('cluster-announce-hostname', null, 0, true, null, 'Hostname announced to the cluster.', { check: checkHostname }),
  enm('cluster-preferred-endpoint-type', null, 0, [['ip', 0], ['hostname', 1], ['unknown-endpoint', 2]], 0, 'Endpoint type in MOVED/ASK and CLUSTER SLOTS.'),
  num('cluster-announce-port', null, 0, INT, 0n, 65535n, 0n, 0, 'Client port announced to the cluster.'),
  num('cluster-announce-bus-port', null, 0, INT, 0n, 65535n, 0n, 0, 'Bus port announced to the cluster.'),
  num('cluster-announce-tls-port', null, 0, INT, 0n, 65535n, 0n, 0, 'TLS port announced to the cluster.'),
  num('cluster-link-sendbuf-limit', null, 0, 'ull', 0n, ULLONG_MAX, 0n, MEMORY, 'Send buffer limit of a cluster bus link (0: none).'),
];

/*
 * Options Hoard parses so that redis.conf files and clients keep working, but that change nothing
 * here (yet), and why. They are never silently ignored: setting one to anything but its default,
 * at start-up or with CONFIG SET, logs a warning naming the reason (inertOption), and the
 * option table lists the reason. Options marked NO_EFFECT above count as inert too.
 */
const REPLICA_SIDE = 'not implemented for a Hoard replica';
const CLUSTER = 'not in cluster mode v1 (no cluster bus, no replicas inside a cluster)';
const PERSISTENCE_FORMAT = "no equivalent in Hoard's AOF segments and LevelDB snapshots";
const INERT: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'bind-source-addr', 'replica-ignore-disk-write-errors',
      'replica-lazy-flush', 'replica-serve-stale-data', 'propagation-error-behavior', 'tls-replication', 'tls-client-cert-file', 'tls-client-key-file',
      'tls-client-key-file-pass',
    ].map((n) => [n, REPLICA_SIDE]),
  ),
  ...Object.fromEntries(
    ['repl-diskless-sync', 'repl-diskless-sync-delay', 'repl-diskless-sync-max-replicas'].map((n) => [
      n,
      'a full sync always streams the RDB at once from a point-in-time walk of the keyspace, with no file and no delay',
    ]),
  ),
  'repl-backlog-ttl': 'once a replica connected, the backlog is kept for the life of the process',
  'repl-disable-tcp-nodelay': 'replica connections are sockets like any client: TCP_NODELAY stays on',
  'repl-diskless-load': 'a replica reads the RDB of a full sync into memory, then loads it (LOADING meanwhile)',
  'shutdown-timeout': 'SHUTDOWN does not wait for replicas to catch up',
  ...Object.fromEntries(
    [
      // cluster-enabled, cluster-config-file, cluster-port, cluster-announce-ip,
      // cluster-require-full-coverage and cluster-allow-reads-when-down work (cluster/); these
      // belong to what v1 leaves out: the cluster bus (gossip, failure detection), replicas
      // inside a cluster, TLS between nodes.
      'cluster-node-timeout',
      'cluster-announce-port', 'cluster-announce-tls-port', 'cluster-announce-bus-port', 'cluster-announce-hostname',
      'cluster-preferred-endpoint-type', 'cluster-replica-no-failover',
      'cluster-replica-validity-factor', 'cluster-migration-barrier', 'cluster-allow-replica-migration',
      'cluster-allow-pubsubshard-when-down', 'cluster-link-sendbuf-limit', 'tls-cluster',
    ].map((n) => [n, CLUSTER]),
  ),
  ...Object.fromEntries(
    [
      'aof-use-rdb-preamble', 'aof-timestamp-enabled', 'aof-disable-auto-gc', 'aof-rewrite-incremental-fsync',
      'rdb-save-incremental-fsync', 'no-appendfsync-on-rewrite', 'rdb-key-save-delay',
      'loading-process-events-interval-bytes',
    ].map((n) => [n, PERSISTENCE_FORMAT]),
  ),
  ...Object.fromEntries(
    ['lazyfree-lazy-eviction', 'lazyfree-lazy-expire', 'lazyfree-lazy-server-del', 'lazyfree-lazy-user-del', 'lazyfree-lazy-user-flush'].map(
      (n) => [n, "values are freed by V8's garbage collector, off the command path, whatever this says"],
    ),
  ),
  'list-max-listpack-size': 'lists are ring buffers of strings, not quicklists of listpack nodes',
  'list-compress-depth': 'lists are ring buffers of strings, not quicklists: nothing to compress',
  'set-max-listpack-entries': 'a Redis 7.2 option: Redis 7.0 sets, and Hoard sets, have no listpack encoding',
  'set-max-listpack-value': 'a Redis 7.2 option: Redis 7.0 sets, and Hoard sets, have no listpack encoding',
  activerehashing: 'dicts always rehash incrementally, a step per operation',
  'dynamic-hz': 'the cron runs at hz, whatever the number of clients',
  'sanitize-dump-payload': 'RESTORE payloads are always checked in depth (as with yes): each structure is parsed into a new value, never trusted in place',
  'maxmemory-clients': 'client eviction is not implemented (client output limits are)',
  'proc-title-template': 'the process title is left as Node sets it',
  'tls-session-caching': "Node's TLS session cache defaults apply",
  'tls-session-cache-size': "Node's TLS session cache defaults apply",
  'io-threads': 'one event loop does all network I/O',
  dbfilename: 'snapshots are written to LevelDB in dir, not to an RDB file',
};

for (const spec of SPECS) {
  const why = INERT[spec.name];
  if (why !== undefined && spec.hoard === undefined) spec.hoard = `accepted for compatibility; no effect in Hoard: ${why}`;
}

/**
 * Why the option (canonical name) has no effect in Hoard, or null when it has one. Redis
 * options Hoard takes to mean what they mean in Redis answer null.
 */
export function inertOption(name: string): string | null {
  const spec = REGISTRY.get(name)?.spec;
  if (spec === undefined) return null;
  if (INERT[spec.name] !== undefined) return INERT[spec.name];
  return spec.hoard === NO_EFFECT ? 'accepted for compatibility only' : null;
}

/* ------------------------------------------------------------------------ */
/* Lookup                                                                    */
/* ------------------------------------------------------------------------ */

interface Registered {
  spec: Spec;
  /** The name as registered (canonical or alias), lower case. */
  name: string;
  isAlias: boolean;
}

const REGISTRY = new Map<string, Registered>();
for (const spec of SPECS) {
  REGISTRY.set(spec.name, { spec, name: spec.name, isAlias: false });
  if (spec.alias !== null) REGISTRY.set(spec.alias, { spec, name: spec.alias, isAlias: true });
}
/** Registered names in table order (each canonical name followed by its alias). */
const REGISTERED_NAMES = [...REGISTRY.keys()];

function lookup(name: string): Registered | undefined {
  return REGISTRY.get(asciiLower(name));
}

function specType(spec: Spec): ConfigTableEntry['type'] {
  switch (spec.kind) {
    case 'bool':
      return 'bool';
    case 'enum':
      return spec.bitflags ? 'flags' : 'enum';
    case 'string':
      return 'string';
    case 'special':
      return spec.impl.type;
    case 'num':
      if (spec.nflags & PERCENT) return 'memory-or-percent';
      if (spec.nflags & MEMORY) return 'memory';
      if (spec.nflags & OCTAL) return 'octal';
      return 'int';
  }
}

function defaultText(spec: Spec): string {
  switch (spec.kind) {
    case 'bool':
      return spec.def ? 'yes' : 'no';
    case 'enum':
      return enumName(spec, spec.def);
    case 'string':
      return spec.def ?? '';
    case 'special':
      return spec.impl.def;
    case 'num':
      return numText(spec, spec.def);
  }
}

/** The option table: every option Hoard parses, in a stable, documented order. */
export const configTable: readonly ConfigTableEntry[] = Object.freeze(
  SPECS.map((spec): ConfigTableEntry => {
    const entry: {
      -readonly [K in keyof ConfigTableEntry]: ConfigTableEntry[K];
    } = {
      name: spec.name,
      aliases: spec.alias === null ? [] : [spec.alias],
      type: specType(spec),
      default: defaultText(spec),
      mutable: (spec.flags & IMMUTABLE) === 0,
      protected: (spec.flags & PROTECTED) !== 0,
      hidden: (spec.flags & HIDDEN) !== 0,
      sensitive: (spec.flags & SENSITIVE) !== 0,
      doc: spec.doc,
    };
    if (spec.kind === 'num') {
      const unsigned = isUnsigned(spec.ctype);
      entry.min = spec.nflags & OCTAL ? spec.lower.toString(8) : `${unsigned ? BigInt.asUintN(64, spec.lower) : spec.lower}`;
      entry.max = spec.nflags & OCTAL ? spec.upper.toString(8) : `${spec.upper}`;
    }
    if (spec.kind === 'enum') entry.values = spec.values.map(([n]) => n);
    if (spec.hoard !== undefined) entry.hoard = spec.hoard;
    return Object.freeze(entry);
  }),
);

/* ------------------------------------------------------------------------ */
/* Per-kind parsing and printing                                              */
/* ------------------------------------------------------------------------ */

function isUnsigned(ctype: CType): boolean {
  return ctype === 'ull' || ctype === 'uint' || ctype === 'size_t';
}

function numText(spec: NumSpec, v: bigint): string {
  if (spec.nflags & PERCENT && v < 0n) return `${-v}%`;
  if (spec.nflags & MEMORY) return `${BigInt.asUintN(64, v)}`;
  if (spec.nflags & OCTAL) return BigInt.asUintN(64, v).toString(8);
  return `${v}`;
}

function numParsed(spec: NumSpec, v: bigint): Parsed {
  return { value: Number(v), text: numText(spec, v), big: v };
}

function parseNum(spec: NumSpec, s: string): Parsed | string {
  let v: bigint | null = null;
  if (spec.nflags & MEMORY) {
    const m = parseMemory(s);
    if (m !== null) v = BigInt.asIntN(64, m); // stored through a long long
  }
  if (v === null && spec.nflags & PERCENT && s.length > 1 && s.endsWith('%')) {
    const p = string2ll(s.slice(0, -1));
    if (p !== null && p >= 0n) v = -p; // percentages are stored negative
  }
  if (v === null && spec.nflags & OCTAL) v = strtollFull(s, 8);
  if (v === null && spec.nflags === 0) v = string2ll(s);
  if (v === null) {
    if (spec.nflags & MEMORY && spec.nflags & PERCENT) return 'argument must be a memory or percent value';
    if (spec.nflags & MEMORY) return 'argument must be a memory value';
    if (spec.nflags & OCTAL) return "argument couldn't be parsed as an octal number";
    return "argument couldn't be parsed into an integer";
  }
  if (isUnsigned(spec.ctype)) {
    const u = BigInt.asUintN(64, v);
    const lo = BigInt.asUintN(64, spec.lower);
    if (u > spec.upper || u < lo) {
      return spec.nflags & OCTAL
        ? `argument must be between ${lo.toString(8)} and ${spec.upper.toString(8)} inclusive`
        : `argument must be between ${lo} and ${spec.upper} inclusive`;
    }
    v = u;
  } else if (spec.nflags & PERCENT && v < 0n) {
    if (v < spec.lower) return `percentage argument must be less or equal to ${-spec.lower}`;
  } else if (v > spec.upper || v < spec.lower) {
    return `argument must be between ${spec.lower} and ${spec.upper} inclusive`;
  }
  return numParsed(spec, v);
}

function enumName(spec: EnumSpec, v: number): string {
  let names: string[] | null = null;
  let unmatched = v;
  for (const [name, val] of spec.values) {
    if (val === v) return name;
    if (spec.bitflags && val !== 0 && val === (unmatched & val)) {
      (names ??= []).push(name);
      unmatched &= ~val;
    }
  }
  return names === null || unmatched !== 0 ? 'unknown' : names.join(' ');
}

function enumParsed(spec: EnumSpec, v: number): Parsed {
  const text = enumName(spec, v);
  return { value: spec.bitflags ? Object.freeze(text.split(' ')) : text, text, big: BigInt(v) };
}

function parseEnum(spec: EnumSpec, argv: string[]): Parsed | string {
  let v = 0;
  let ok = argv.length > 0 && (spec.bitflags || argv.length === 1);
  for (let i = 0; ok && i < argv.length; i++) {
    const a = asciiLower(argv[i]);
    let matched = false;
    for (const [name, val] of spec.values) {
      if (name === a) {
        v |= val;
        matched = true;
      }
    }
    if (!matched) ok = false;
  }
  if (!ok) return `argument(s) must be one of the following: ${spec.values.map(([n]) => n).join(', ')}`.slice(0, 255);
  if (spec.check) {
    const err = spec.check(v);
    if (err !== null) return err;
  }
  return enumParsed(spec, v);
}

function boolParsed(v: boolean): Parsed {
  return { value: v, text: v ? 'yes' : 'no', big: v ? 1n : 0n };
}

function strParsed(v: string): Parsed {
  return { value: v, text: v, big: 0n };
}

function initial(spec: Spec): Parsed {
  switch (spec.kind) {
    case 'bool':
      return boolParsed(spec.def);
    case 'num':
      return numParsed(spec, spec.def);
    case 'enum':
      return enumParsed(spec, spec.def);
    case 'string':
      return strParsed(spec.def ?? '');
    case 'special':
      return spec.impl.init();
  }
}

/** Parse the arguments of one option (already split); an error is Redis's text. */
function parseValue(spec: Spec, argv: string[], ctx: ParseContext): Parsed | string {
  switch (spec.kind) {
    case 'bool': {
      const a = asciiLower(argv[0] ?? '');
      if (argv.length !== 1 || (a !== 'yes' && a !== 'no')) return "argument must be 'yes' or 'no'";
      return boolParsed(a === 'yes');
    }
    case 'num':
      return argv.length === 1 ? parseNum(spec, argv[0]) : 'wrong number of arguments';
    case 'enum':
      return parseEnum(spec, argv);
    case 'string': {
      if (argv.length !== 1) return 'wrong number of arguments';
      if (spec.check) {
        const err = spec.check(argv[0]);
        if (err !== null) return err;
      }
      return strParsed(argv[0]);
    }
    case 'special':
      return spec.impl.parse(argv, ctx);
  }
}

/* ------------------------------------------------------------------------ */
/* CONFIG REWRITE state (rewriteConfig* in config.c)                          */
/* ------------------------------------------------------------------------ */

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';
/** Directives that are not options but that the rewrite leaves in place. */
const NON_OPTION_DIRECTIVES = new Set(['include', 'rename-command', 'user', 'loadmodule', 'sentinel']);

class RewriteState {
  readonly lines: string[] = [];
  /** option -> line numbers still available for reuse. */
  readonly optionToLines = new Map<string, number[]>();
  readonly rewritten = new Set<string>();
  needsSignature = true;

  constructor(readonly cfg: Config) {}

  static fromOldFile(content: string, cfg: Config): RewriteState {
    const st = new RewriteState(cfg);
    if (content.length === 0) return st;
    for (const raw of content.split('\n')) {
      const line = trimChars(raw, '\r\n\t ');
      if (line.length === 0 || line[0] === '#') {
        if (st.needsSignature && line === REWRITE_SIGNATURE) st.needsSignature = false;
        st.lines.push(line);
        continue;
      }
      const argv = splitArgs(line);
      if (argv === null || argv.length === 0 || (lookup(argv[0]) === undefined && !NON_OPTION_DIRECTIVES.has(asciiLower(argv[0])))) {
        // Unparsable, or an option that does not exist: keep it as a comment.
        st.lines.push('# ??? ' + line);
        continue;
      }
      let option = asciiLower(argv[0]);
      const reg = lookup(option);
      if (reg !== undefined && reg.isAlias) {
        option = reg.spec.name;
      } else {
        const p = option.indexOf('slave');
        if (p >= 0) option = option.slice(0, p) + 'replica' + option.slice(p + 5);
      }
      st.lines.push(line);
      const list = st.optionToLines.get(option);
      if (list) list.push(st.lines.length - 1);
      else st.optionToLines.set(option, [st.lines.length - 1]);
    }
    return st;
  }

  markProcessed(option: string): void {
    this.rewritten.add(option);
  }

  /** Reuse the option's next old line, or append when `force` (the value is not the default). */
  rewriteLine(option: string, line: string, force: boolean): void {
    this.markProcessed(option);
    const list = this.optionToLines.get(option);
    if (!list && !force) return;
    if (list) {
      const at = list.shift() as number;
      if (list.length === 0) this.optionToLines.delete(option);
      this.lines[at] = line;
    } else {
      if (this.needsSignature) {
        this.lines.push(REWRITE_SIGNATURE);
        this.needsSignature = false;
      }
      this.lines.push(line);
    }
  }

  /** Blank the old lines of rewritten options that were not reused. */
  removeOrphaned(): void {
    for (const [option, list] of this.optionToLines) {
      if (!this.rewritten.has(option)) continue; // an option we did not handle stays
      for (const at of list) this.lines[at] = '';
    }
    this.optionToLines.clear();
  }

  /** The new file: one "\n"-terminated line each, runs of blank lines squeezed to one. */
  content(): string {
    let out = '';
    let wasEmpty = false;
    for (const line of this.lines) {
      if (line.length === 0) {
        if (wasEmpty) continue;
        wasEmpty = true;
      } else {
        wasEmpty = false;
      }
      out += line + '\n';
    }
    return out;
  }
}

function trimChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function rewriteSpec(spec: Spec, p: Parsed, st: RewriteState): void {
  const name = spec.name;
  switch (spec.kind) {
    case 'bool':
      st.rewriteLine(name, `${name} ${p.text}`, p.value !== spec.def);
      return;
    case 'num': {
      const v = p.big;
      let text: string;
      if (spec.nflags & PERCENT && v < 0n) text = `${-v}%`;
      else if (spec.nflags & MEMORY) text = formatMemoryForFile(BigInt.asUintN(64, v));
      else if (spec.nflags & OCTAL) text = v.toString(8);
      else text = `${v}`;
      st.rewriteLine(name, `${name} ${text}`, v !== spec.def);
      return;
    }
    case 'enum':
      st.rewriteLine(name, `${name} ${p.text}`, Number(p.big) !== spec.def);
      return;
    case 'string': {
      const v = p.value as string;
      if (spec.emptyIsNull && v === '') {
        st.markProcessed(name); // unset: no line at all
        return;
      }
      st.rewriteLine(name, `${name} ${reprString(v)}`, !(spec.def !== null && v === spec.def));
      return;
    }
    case 'special':
      spec.impl.rewrite(p, st, name);
      return;
  }
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */
/* ------------------------------------------------------------------------ */

/** Where a line came from, for error messages. */
type Source =
  | { kind: 'file'; file: string }
  | { kind: 'stdin' }
  | { kind: 'args'; flags: ReadonlyArray<string | null> };

interface LoadState {
  /** A `save` line was seen (later ones add rules instead of replacing). */
  saveLoaded: boolean;
  depth: number;
}

const DEPRECATED: ReadonlyArray<readonly [string, number, number]> = [
  ['list-max-ziplist-entries', 2, 2],
  ['list-max-ziplist-value', 2, 2],
  ['lua-replicate-commands', 2, 2],
];

function hasWildcard(p: string): boolean {
  return p.includes('*') || p.includes('?') || p.includes('[');
}

/** glob(3) for `include` patterns: wildcards in any path component, sorted, no match = []. */
function expandGlob(pattern: string): string[] {
  const abs = pattern.startsWith('/');
  const parts = pattern.split('/').filter((c, i) => c !== '' || i === 0);
  let bases: string[] = [abs ? '/' : ''];
  for (let i = abs ? 1 : 0; i < parts.length; i++) {
    const comp = parts[i];
    if (comp === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasWildcard(comp)) {
        next.push(base === '' ? comp : path.posix.join(base, comp));
        continue;
      }
      let entries: string[];
      try {
        entries = fs.readdirSync(fsPath(base === '' ? '.' : base), { encoding: 'latin1' });
      } catch {
        continue;
      }
      for (const e of entries.sort()) {
        if (e.startsWith('.') && !comp.startsWith('.')) continue;
        if (stringMatch(comp, e)) next.push(base === '' ? e : path.posix.join(base, e));
      }
    }
    bases = next;
  }
  return bases.filter((p) => fs.existsSync(fsPath(p))).sort();
}

/* ------------------------------------------------------------------------ */
/* Config                                                                    */
/* ------------------------------------------------------------------------ */

export class Config {
  /** Absolute path of the config file (for CONFIG REWRITE), or null. */
  configFile: string | null = null;
  /** `rename-command <from> <to>` directives, in order, for the command table to apply. */
  readonly renameCommands: Array<readonly [string, string]> = [];

  /** Typed values, by canonical name: what num/str/bool/raw return. */
  private readonly v: Record<string, ConfigValue> = Object.create(null) as Record<string, ConfigValue>;
  /** What CONFIG GET prints, by canonical name. */
  private readonly t: Record<string, string> = Object.create(null) as Record<string, string>;
  /** The exact numeric value (bigint) of numeric options, by canonical name. */
  private readonly big: Record<string, bigint> = Object.create(null) as Record<string, bigint>;
  private readonly listeners = new Map<string, ChangeListener[]>();
  /** Sentinel mode: `sentinel` lines are sentinel/config.ts's to read, skipped here. */
  private sentinelMode = false;
  /** Non-null while loading the file / flags (read by the `save` parser). */
  private loadState: LoadState | null = null;

  private constructor() {
    for (const spec of SPECS) this.store(spec, initial(spec));
  }

  /** A configuration with every option at its default. */
  static defaults(): Config {
    return new Config();
  }

  /**
   * `hoard-server [config-file] [--name value ...]` in process.argv.slice(2)
   * form: an optional file first (anything not starting with "-"), "-" (first
   * or last) to also read stdin, then flags; the arguments after a flag, up to
   * the next `--flag`, are its values. Throws ConfigError.
   */
  static fromArgs(argv: string[], opts: { sentinel?: boolean } = {}): Config {
    const cfg = new Config();
    cfg.sentinelMode = opts.sentinel === true;
    if (cfg.sentinelMode) {
      // Redis's initSentinelConfig: a sentinel listens on 26379 unless the file or a flag (or a
      // file they include) says otherwise, so the default changes before anything is loaded.
      const port = lookup('port')!.spec as NumSpec;
      cfg.store(port, numParsed(port, 26379n));
    }
    const args = argv.map((a) => Buffer.from(a, 'utf8').toString('latin1'));
    let j = 0;
    let file: string | null = null;
    if (args.length > 0 && args[0].charCodeAt(0) !== 45) {
      file = path.resolve(argv[0]);
      j = 1;
    }
    let fromStdin = false;
    // Build the same text Redis builds ("name value value\nname value"), and
    // remember which flag produced each line.
    let options = '';
    const flagOfLine: Array<string | null> = [];
    let handledLast = true;
    for (; j < args.length; j++) {
      const a = args[j];
      const last = j === args.length - 1;
      if (a === '-' && (j === 0 || last)) {
        fromStdin = true;
      } else if (handledLast && a.startsWith('--')) {
        if (options.length > 0) options += '\n';
        const name = a.slice(2);
        options += name + ' ';
        for (let k = 0; k <= countNewlines(name); k++) flagOfLine.push(argv[j]);
        const toks = splitArgs(a);
        if (toks !== null && toks.length === 1) {
          // Only a name: the next arguments are its values.
          handledLast = false;
          const isSave = asciiLower(a) === '--save';
          const nextIsFlag = !last && args[j + 1].startsWith('--');
          if (isSave && nextIsFlag) {
            options += '""'; // `--save --port 1` means `save ""`
            handledLast = true;
          } else if (isSave && last) {
            options += '""';
          } else if (asciiLower(a) === '--sentinel' && nextIsFlag) {
            handledLast = true;
          }
        } else {
          handledLast = true; // "--port 6380" as one argument
        }
      } else {
        if (flagOfLine.length === 0) flagOfLine.push(null);
        options += reprString(a) + ' ';
        handledLast = true;
      }
    }

    cfg.loadState = { saveLoaded: false, depth: 0 };
    try {
      if (file !== null) {
        cfg.configFile = file;
        cfg.loadFile(Buffer.from(file, 'utf8').toString('latin1'), true);
      }
      if (fromStdin) cfg.loadString(fs.readFileSync(0, 'latin1'), { kind: 'stdin' });
      if (options.length > 0) cfg.loadString(options, { kind: 'args', flags: flagOfLine });
      cfg.finishLoading();
    } finally {
      cfg.loadState = null;
    }
    return cfg;
  }

  /* -------------------------------- getters ------------------------------- */

  /** A numeric option (int or memory; notify-keyspace-events gives its flags). */
  num(name: string): number {
    const x = this.v[name];
    if (typeof x === 'number') return x;
    return this.slowGet(name, 'number') as number;
  }

  /** A string or enum option; any other option gives its CONFIG GET text. */
  str(name: string): string {
    const x = this.v[name];
    if (typeof x === 'string') return x;
    const reg = lookup(name);
    if (reg === undefined) throw unknownOption(name);
    const y = this.v[reg.spec.name];
    return typeof y === 'string' ? y : this.t[reg.spec.name];
  }

  /** A yes/no option. */
  bool(name: string): boolean {
    const x = this.v[name];
    if (typeof x === 'boolean') return x;
    return this.slowGet(name, 'boolean') as boolean;
  }

  /** The structured value (see ConfigValue); numeric options give the exact bigint. */
  raw(name: string): unknown {
    const reg = lookup(name);
    if (reg === undefined) throw unknownOption(name);
    const canonical = reg.spec.name;
    return reg.spec.kind === 'num' ? this.big[canonical] : this.v[canonical];
  }

  private slowGet(name: string, type: 'number' | 'boolean'): unknown {
    const reg = lookup(name);
    if (reg === undefined) throw unknownOption(name);
    const x = this.v[reg.spec.name];
    if (typeof x !== type) {
      const err = new Error(`Config option '${name}' is not a ${type}`) as Error & { code: string };
      err.code = 'CONFIG_WRONG_TYPE';
      throw err;
    }
    return x;
  }

  /* ------------------------------ CONFIG GET ------------------------------ */

  /**
   * CONFIG GET <pattern> [pattern ...]: [name, value] pairs, each option at
   * most once. A pattern without `*?[` is an exact, case-insensitive name
   * (hidden options included, the name echoed as given); otherwise a
   * case-insensitive glob over every name and alias that is not hidden.
   */
  getMatching(patterns: string[]): Array<[string, string]> {
    const matches = new Map<string, [string, Spec]>();
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const key = asciiLower(pattern);
        if (matches.has(key)) continue;
        const reg = REGISTRY.get(key);
        if (reg !== undefined) matches.set(key, [pattern, reg.spec]);
        continue;
      }
      for (const name of REGISTERED_NAMES) {
        const reg = REGISTRY.get(name) as Registered;
        if (reg.spec.flags & HIDDEN) continue;
        if (matches.has(name)) continue;
        if (stringMatch(pattern, name, true)) matches.set(name, [name, reg.spec]);
      }
    }
    const out: Array<[string, string]> = [];
    for (const [shown, spec] of matches.values()) out.push([shown, this.t[spec.name]]);
    return out;
  }

  /* ------------------------------ CONFIG SET ------------------------------ */

  /**
   * CONFIG SET name value [name value ...], all or nothing. Returns null, or
   * the error reply text exactly as Redis 7.0 words it (without the "-").
   * Listeners of the changed options run after the values are in place; one
   * returning a string rolls everything back and becomes the error.
   */
  set(pairs: Array<[string, string]>, ctx: SetContext = {}): string | null {
    return this.setImpl(pairs, ctx, false);
  }

  /**
   * Like set() but for the server itself (REPLICAOF, tests): immutable and
   * protected options may change. Same validation, atomicity and listeners.
   */
  setInternal(pairs: Array<[string, string]>): string | null {
    return this.setImpl(pairs, {}, true);
  }

  private setImpl(pairs: Array<[string, string]>, ctx: SetContext, internal: boolean): string | null {
    const regs: Registered[] = [];
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const reg = lookup(name);
      if (reg === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      const spec = reg.spec;
      if (!internal && spec.flags & IMMUTABLE) return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`;
      if (!internal && spec.flags & PROTECTED && !this.protectedAllowed(ctx)) {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`;
      }
      if (ctx.loading && spec.flags & DENY_LOADING) return 'LOADING Redis is loading the dataset in memory';
      if (seen.has(reg.name)) return `ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
      seen.add(reg.name);
      regs.push(reg);
    }

    // Parse every value first; nothing is stored unless all are valid.
    const parsed: Parsed[] = [];
    const backup = new Map<string, Parsed>();
    for (let i = 0; i < pairs.length; i++) {
      const spec = regs[i].spec;
      if (!backup.has(spec.name)) backup.set(spec.name, this.slot(spec));
      const value = pairs[i][1];
      const argv = spec.flags & MULTI_ARG ? (value === '' ? [] : value.split(' ')) : [value];
      // An option may appear twice under its name and its alias: the later wins.
      const current = this.slotAfter(spec, regs, parsed, i);
      const p = parseValue(spec, argv, { reading: false, load: null, current });
      if (typeof p === 'string') return `ERR CONFIG SET failed (possibly related to argument '${regs[i].name}') - ${p}`;
      parsed.push(p);
    }

    const changed: Spec[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const spec = regs[i].spec;
      let p = parsed[i];
      const before = backup.get(spec.name) as Parsed;
      if (spec.kind === 'num' && spec.apply && p.big !== before.big) p = numParsed(spec, spec.apply(p.big));
      this.store(spec, p);
    }
    for (const [name, before] of backup) {
      const spec = (REGISTRY.get(name) as Registered).spec;
      if (this.t[name] !== before.text) changed.push(spec);
    }

    for (const spec of changed) {
      for (const fn of this.listeners.get(spec.name) ?? []) {
        const err = fn(spec.name);
        if (typeof err === 'string') {
          for (const [name, before] of backup) this.store((REGISTRY.get(name) as Registered).spec, before);
          for (const s of changed) for (const f of this.listeners.get(s.name) ?? []) f(s.name);
          const shown = regs.find((r) => r.spec === spec)?.name ?? spec.name;
          return `ERR CONFIG SET failed (possibly related to argument '${shown}') - ${err}`;
        }
      }
    }
    return null;
  }

  private protectedAllowed(ctx: SetContext): boolean {
    const mode = this.v['enable-protected-configs'];
    return mode === 'yes' || (mode === 'local' && ctx.local === true);
  }

  /** The value an option will have after pairs[0..i-1] (for options that update part of it). */
  private slotAfter(spec: Spec, regs: Registered[], parsed: Parsed[], i: number): Parsed {
    for (let k = i - 1; k >= 0; k--) if (regs[k].spec === spec) return parsed[k];
    return this.slot(spec);
  }

  /** Register a listener, called after a CONFIG SET changed `name` (or its alias). */
  onChange(name: string, fn: ChangeListener): void {
    const reg = lookup(name);
    if (reg === undefined) throw unknownOption(name);
    const list = this.listeners.get(reg.spec.name);
    if (list) list.push(fn);
    else this.listeners.set(reg.spec.name, [fn]);
  }

  /* ---------------------------- CONFIG REWRITE ---------------------------- */

  /**
   * CONFIG REWRITE: rewrite configFile keeping comments and the order of the
   * lines, replacing each option's lines in place, appending options that
   * differ from their default under "# Generated by CONFIG REWRITE", blanking
   * the lines of options that are gone; atomically (temp file + rename).
   * Returns null or the error reply text.
   */
  rewrite(): string | null {
    if (this.configFile === null) return 'ERR The server is running without a config file';
    const file = this.configFile;
    let old = '';
    try {
      old = fs.readFileSync(file, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `ERR Rewriting config file: ${strerror(err)}`;
    }
    const st = RewriteState.fromOldFile(old, this);
    for (const spec of SPECS) rewriteSpec(spec, this.slot(spec), st);
    st.removeOrphaned();
    try {
      writeFileAtomic(file, st.content());
    } catch (err) {
      return `ERR Rewriting config file: ${strerror(err)}`;
    }
    return null;
  }

  /* ------------------------------- internals ------------------------------ */

  private slot(spec: Spec): Parsed {
    return { value: this.v[spec.name], text: this.t[spec.name], big: this.big[spec.name] };
  }

  private store(spec: Spec, p: Parsed): void {
    this.v[spec.name] = p.value;
    this.t[spec.name] = p.text;
    this.big[spec.name] = p.big;
  }

  private loadFile(file: string, isMain: boolean): void {
    const state = this.loadState as LoadState;
    if (state.depth > 32) {
      const reason = `Too many nested includes while reading '${displayPath(file)}'`;
      throw new ConfigError(reason, { file: displayPath(file), reason });
    }
    const files = hasWildcard(file) ? expandGlob(file) : [file];
    for (const f of files) {
      let content: string;
      try {
        content = fs.readFileSync(fsPath(f), 'latin1');
      } catch (err) {
        const reason = `Fatal error, can't open config file '${displayPath(f)}': ${strerror(err)}`;
        throw new ConfigError(reason, { file: displayPath(f), reason, cause: err });
      }
      state.depth++;
      try {
        this.loadString(content, { kind: 'file', file: isMain && !hasWildcard(file) ? (this.configFile ?? f) : displayPath(f) });
      } finally {
        state.depth--;
      }
    }
  }

  /** loadServerConfigFromString(): one directive per line. */
  private loadString(text: string, source: Source): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = trimChars(lines[i], ' \t\r\n');
      if (line.length === 0 || line[0] === '#') continue;
      const fail = (reason: string, option: string | null): never => {
        throw configLineError(source, i + 1, line, reason, option);
      };
      const argv = splitArgs(line);
      if (argv === null) fail('Unbalanced quotes in configuration line', null);
      const args = argv as string[];
      if (args.length === 0) continue;
      const name = asciiLower(args[0]);
      const reg = REGISTRY.get(name);
      if (reg !== undefined) {
        const spec = reg.spec;
        if (!(spec.flags & MULTI_ARG) && args.length !== 2) fail('wrong number of arguments', name);
        // A multi-argument option given one non-empty argument is split again,
        // so `--save "900 1 300 10"` works (Redis 7.0.1+); `save ""` stays one.
        const values = spec.flags & MULTI_ARG && args.length === 2 && args[1] !== '' ? (splitArgs(args[1]) ?? []) : args.slice(1);
        const p = parseValue(spec, values, { reading: true, load: this.loadState, current: this.slot(spec) });
        if (typeof p === 'string') fail(p, name);
        this.store(spec, p as Parsed);
        continue;
      }
      if (DEPRECATED.some(([n, min, max]) => n === name && args.length >= min && args.length <= max)) continue;
      if (name === 'include' && args.length === 2) {
        this.loadFile(resolveLatin1(args[1]), false);
      } else if (name === 'rename-command' && args.length === 3) {
        this.renameCommands.push([args[1], args[2]]);
      } else if (name === 'user' && args.length >= 2) {
        fail('The user directive is not supported by Hoard (ACL users are not implemented; use requirepass)', name);
      } else if (name === 'loadmodule' && args.length >= 2) {
        fail('The loadmodule directive is not supported by Hoard (no modules)', name);
      } else if (name.includes('.')) {
        fail(args.length !== 2 ? 'Module config specified without value' : 'Module configs are not supported by Hoard (no modules)', name);
      } else if (name === 'sentinel') {
        if (!this.sentinelMode) fail('sentinel directive while not in sentinel mode', name);
      } else {
        fail('Bad directive or wrong number of arguments', name);
      }
    }
  }

  /** The checks Redis makes once the whole configuration is read. */
  private finishLoading(): void {
    const logfile = this.v['logfile'] as string;
    if (logfile !== '') {
      try {
        fs.closeSync(fs.openSync(fsPath(logfile), 'a'));
      } catch (err) {
        const reason = `Can't open the log file: ${strerror(err)}`;
        throw new ConfigError(reason, { option: 'logfile', reason, cause: err });
      }
    }
    if (this.v['cluster-enabled'] === true && this.v['replicaof'] !== null) {
      const reason = 'replicaof directive not allowed in cluster mode';
      throw new ConfigError(reason, { option: 'replicaof', reason });
    }
    const hz = SPECS.find((s) => s.name === 'hz') as NumSpec;
    this.store(hz, numParsed(hz, (hz.apply as (v: bigint) => bigint)(this.big['hz'])));
    // Hoard's own refusals, on the final values (a flag may override the file).
    for (const spec of SPECS) {
      if (!spec.hoardCheck) continue;
      const reason = spec.hoardCheck(this.slot(spec));
      if (reason !== null) throw new ConfigError(reason, { option: spec.name, reason });
    }
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function unknownOption(name: string): Error {
  const err = new Error(`Unknown config option '${name}'`) as Error & { code: string };
  err.code = 'CONFIG_UNKNOWN_OPTION';
  return err;
}

function configLineError(source: Source, line: number, text: string, reason: string, option: string | null): ConfigError {
  let where: string;
  let file: string | null = null;
  let flag: string | null = null;
  if (source.kind === 'file') {
    file = source.file;
    where = `Reading the configuration file ${source.file}, at line ${line}`;
  } else if (source.kind === 'stdin') {
    where = `Reading the configuration from standard input, at line ${line}`;
  } else {
    flag = source.flags[line - 1] ?? null;
    where = flag === null ? 'Reading the command line' : `Reading the command line option ${flag}`;
  }
  return new ConfigError(`${where}\n>>> '${text}'\n${reason}`, { option, file, line, flag, reason });
}

/** Write via a temporary file in the same directory, fsync, rename (0644 minus umask). */
function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}`;
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    fs.writeSync(fd, Buffer.from(content, 'latin1'));
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
