// The command-line conventions every offline tool shares (DESIGN.md "Programs"): --help, flag
// parsing (node:util parseArgs, strict), the exit codes 0 ok / 1 problem found / 2 usage or
// I/O error, errors as one "hoard-xxx: ..." line on stderr, and a stdout that survives being
// piped into `head` (EPIPE ends the program quietly instead of throwing).
// Invariant: a tool's main() returns its exit code or throws a ToolError; nothing else calls
// process.exit while output may still be buffered.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_ERROR = 2;
export type ExitCode = typeof EXIT_OK | typeof EXIT_PROBLEM | typeof EXIT_ERROR;

/** A failure the tool explains in one message; `exitCode` is 1 (problem found) or 2 (usage, I/O). */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT_ERROR,
    readonly code = 'HOARD_TOOL_ERROR',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ToolError';
  }
}

export function usageError(message: string): ToolError {
  return new ToolError(message, EXIT_ERROR, 'HOARD_TOOL_USAGE');
}

export type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

export interface ToolSpec {
  /** Program name as installed (`hoard-dump`). */
  name: string;
  /** The full --help text. */
  help: string;
  options: OptionsSpec;
  minPositionals: number;
  maxPositionals: number;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv (process.argv.slice(2)) strictly; throws a usage ToolError. */
export function parseCli(spec: ToolSpec, argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec.options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length < spec.minPositionals) throw usageError(`missing argument (see --help)`);
  if (positionals.length > spec.maxPositionals) throw usageError(`unexpected argument '${positionals[spec.maxPositionals]}'`);
  return { values: values as ParsedArgs['values'], positionals };
}

/** A non-negative integer flag value (`--db 3`), strictly digits. */
export function intFlag(name: string, v: string | boolean | undefined, def: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(v) || Number(v) > max) {
    throw usageError(`--${name} needs an integer between 0 and ${max}, got '${String(v)}'`);
  }
  return Number(v);
}

export function strFlag(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

let stdoutClosed = false;

/** True once stdout's reader went away (EPIPE): long loops stop producing output. */
export function stdoutGone(): boolean {
  return stdoutClosed;
}

/**
 * Runs a tool: --help, parsing, exit code, error reporting. `main` gets the parsed arguments
 * and resolves with the exit code.
 */
export function runTool(spec: ToolSpec, main: (args: ParsedArgs) => Promise<number>): void {
  const argv = process.argv.slice(2);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      stdoutClosed = true;
      return;
    }
    process.stderr.write(`${spec.name}: cannot write to stdout: ${err.message}\n`);
    process.exit(EXIT_ERROR);
  });
  // --help wins over any other problem on the command line.
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(spec.help.endsWith('\n') ? spec.help : spec.help + '\n');
    process.exitCode = EXIT_OK;
    return;
  }
  let args: ParsedArgs;
  try {
    args = parseCli(spec, argv);
  } catch (err) {
    process.stderr.write(`${spec.name}: ${(err as Error).message}\nTry '${spec.name} --help' for more information.\n`);
    process.exitCode = EXIT_ERROR;
    return;
  }
  main(args).then(
    (code) => finish(code),
    (err) => {
      if (err instanceof ToolError) {
        process.stderr.write(`${spec.name}: ${err.message}\n`);
        finish(err.exitCode);
        return;
      }
      const e = err as Error & { code?: string };
      process.stderr.write(`${spec.name}: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
      if (process.env.HOARD_TOOLS_DEBUG) process.stderr.write(`${e.stack}\n`);
      finish(EXIT_ERROR);
    },
  );
}

function finish(code: number): void {
  process.exitCode = code;
  // Let buffered stdout drain, then make sure no stray handle (a LevelDB worker, a socket)
  // keeps the process alive.
  const exit = () => setTimeout(() => process.exit(code), 50).unref();
  if (process.stdout.writableNeedDrain && !stdoutClosed) process.stdout.once('drain', exit);
  else exit();
}

/** Writes to stdout (or a file stream) honouring backpressure. */
export async function writeOut(stream: NodeJS.WritableStream, chunk: string, encoding: BufferEncoding = 'utf8'): Promise<void> {
  if (stdoutClosed && stream === process.stdout) return;
  if (!stream.write(chunk, encoding)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('error', done);
      stream.once('close', done);
    });
  }
}

/** Pretty JSON on stdout (what `--json` prints). */
export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, null, 2) + '\n');
}

/** Human-readable byte count (1.5 MB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** Human-readable duration from milliseconds (3d 4h, 12m 5s, 850ms). */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Asks a yes/no question on the terminal; resolves true only for y/yes. */
export async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
