// The process logger (pino). Redis log levels map onto pino's: debug, verbose→debug, notice→info,
// warning→warn. Long work logs progress through child loggers named after the part doing it.

import pino, { type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<string, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
  nothing: 'silent',
};

export function createLogger(redisLevel: string, logfile = ''): Logger {
  const level = LEVELS[redisLevel] ?? 'info';
  const dest = logfile ? pino.destination({ dest: logfile, sync: false, mkdir: true }) : pino.destination({ dest: 2, sync: false });
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

export const silentLogger: Logger = pino({ level: 'silent' });
