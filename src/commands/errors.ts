// The one registry of error replies, with Redis 7.0's exact text. Handlers reply with these
// (c.reply.error(E.WRONGTYPE)); they never throw for a client's mistake.

export const E = {
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  SYNTAX: 'ERR syntax error',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  NOT_FLOAT: 'ERR value is not a valid float',
  OVERFLOW: 'ERR increment or decrement would overflow',
  NO_SUCH_KEY: 'ERR no such key',
  INDEX_OUT_OF_RANGE: 'ERR index out of range',
  DB_INDEX_OUT_OF_RANGE: 'ERR DB index is out of range',
  INVALID_EXPIRE: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  INVALID_CURSOR: 'ERR invalid cursor',
  NOAUTH: 'NOAUTH Authentication required.',
  WRONGPASS: 'WRONGPASS invalid username-password pair or user is disabled.',
  AUTH_NOT_CONFIGURED:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  OOM: "OOM command not allowed when used memory > 'maxmemory'.",
  LOADING: 'LOADING Redis is loading the dataset in memory',
  READONLY: "READONLY You can't write against a read only replica.",
  BUSYKEY: 'BUSYKEY Target key name already exists.',
  SAME_OBJECT: 'ERR source and destination objects are the same',
  STRING_TOO_LONG: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  MIN_GT_MAX: 'ERR min or max is not a float',
  NESTED_MULTI: 'ERR MULTI calls can not be nested',
  wrongArity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  unknownCommand: (name: string, args: readonly string[]) => {
    let a = '';
    for (let i = 0; i < args.length && a.length < 128; i++) a += `'${args[i].slice(0, 128 - a.length)}' `;
    return `ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${a}`;
  },
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${cmd.toUpperCase()} HELP.`,
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  // keys family (keys.ts)
  EXPIRE_NX_INCOMPATIBLE: 'ERR NX and XX, GT or LT options at the same time are not compatible',
  EXPIRE_GT_LT_INCOMPATIBLE: 'ERR GT and LT options at the same time are not compatible',
  unsupportedOption: (opt: string) => `ERR Unsupported option ${opt}`,
  INT32_RANGE: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  INVALID_FIRST_DB: 'ERR invalid first DB index',
  INVALID_SECOND_DB: 'ERR invalid second DB index',
  LFU_NOT_SELECTED:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  LFU_SELECTED:
    'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  // strings family (strings.ts)
  DECREMENT_OVERFLOW: 'ERR decrement would overflow',
  INCR_NAN_OR_INFINITY: 'ERR increment would produce NaN or Infinity',
  OFFSET_OUT_OF_RANGE: 'ERR offset is out of range',
  LCS_NOT_STRINGS: 'ERR The specified keys must contain string values',
  LCS_IDX_AND_LEN: 'ERR If you want both the length and indexes, please just use IDX.',
  LCS_TOO_BIG: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
  LCS_ALLOC_FAILED: 'ERR Insufficient memory, failed allocating transient memory for LCS',
  // hashes and sets families (hashes.ts, sets.ts)
  HASH_NOT_INTEGER: 'ERR hash value is not an integer',
  HASH_NOT_FLOAT: 'ERR hash value is not a float',
  NAN_OR_INFINITY: 'ERR value is NaN or Infinity',
  OUT_OF_RANGE: 'ERR value is out of range',
  OUT_OF_RANGE_POSITIVE: 'ERR value is out of range, must be positive',
  LONG_RANGE: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  NUMKEYS_POSITIVE: 'ERR numkeys should be greater than 0',
  NUMKEYS_TOO_MANY: "ERR Number of keys can't be greater than number of args",
  LIMIT_NEGATIVE: "ERR LIMIT can't be negative",
} as const;
