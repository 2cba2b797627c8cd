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
  NOREPLICAS: 'NOREPLICAS Not enough good replicas to write.',
  BUSYKEY: 'BUSYKEY Target key name already exists.',
  SAME_OBJECT: 'ERR source and destination objects are the same',
  STRING_TOO_LONG: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  MIN_GT_MAX: 'ERR min or max is not a float',
  NESTED_MULTI: 'ERR MULTI calls can not be nested',
  CLUSTER_DISABLED: 'ERR This instance has cluster support disabled',
  SELECT_IN_CLUSTER: 'ERR SELECT is not allowed in cluster mode',
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
  // sorted-sets family (zsets.ts)
  ZADD_XX_NX: 'ERR XX and NX options at the same time are not compatible',
  ZADD_GT_LT_NX: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  ZADD_INCR_PAIR: 'ERR INCR option supports a single increment-element pair',
  ZSCORE_NAN: 'ERR resulting score is not a number (NaN)',
  LEX_RANGE: 'ERR min or max not valid string range item',
  ZRANGE_LIMIT_RANK: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  ZRANGE_WITHSCORES_LEX: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  WEIGHT_NOT_FLOAT: 'ERR weight value is not a float',
  COUNT_POSITIVE: 'ERR count should be greater than 0',
  atLeastOneKey: (cmd: string) => `ERR at least 1 input key is needed for '${cmd}' command`,
  // lists family and blocking timeouts (lists.ts; BZPOP* share the timeout texts)
  LPOS_RANK_ZERO:
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  LPOS_COUNT_NEGATIVE: "ERR COUNT can't be negative",
  LPOS_MAXLEN_NEGATIVE: "ERR MAXLEN can't be negative",
  TIMEOUT_NOT_FLOAT: 'ERR timeout is not a float or out of range',
  TIMEOUT_NEGATIVE: 'ERR timeout is negative',
  // server/admin family (server-admin.ts)
  GETKEYS_INVALID_COMMAND: 'ERR Invalid command specified',
  GETKEYS_NO_KEYS: 'ERR The command has no key arguments',
  GETKEYS_BAD_ARITY: 'ERR Invalid number of arguments specified for command',
  GETKEYS_BAD_ARGS: 'ERR Invalid arguments specified for command',
  CLIENT_NAME_INVALID: 'ERR Client names cannot contain spaces, newlines or special characters.',
  NO_SUCH_CLIENT: 'ERR No such client',
  CLIENT_ID_POSITIVE: 'ERR client-id should be greater than 0',
  INVALID_CLIENT_ID: 'ERR Invalid client ID',
  unknownClientType: (t: string) => `ERR Unknown client type '${t}'`,
  noSuchUser: (u: string) => `ERR No such user '${u}'`,
  SLOWLOG_COUNT: 'ERR count should be greater than or equal to -1',
  MODULE_NOT_ALLOWED:
    'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  MODULE_LOAD_FAILED: 'ERR Error loading the extension. Please check the server logs.',
  MODULE_UNLOAD_NOT_LOADED: 'ERR Error unloading module: no such module with that name',
  DEBUG_NOT_ALLOWED:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  // pub/sub family (pubsub.ts; the subscriber-mode filter in server/client.ts)
  pubsubContext: (cmd: string) =>
    `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  // transactions and client management (transactions.ts, CLIENT PAUSE, server/ gate)
  EXECABORT: 'EXECABORT Transaction discarded because of previous errors.',
  execAbortBecause: (err: string) => `EXECABORT Transaction discarded because of: ${err}`,
  EXEC_WITHOUT_MULTI: 'ERR EXEC without MULTI',
  DISCARD_WITHOUT_MULTI: 'ERR DISCARD without MULTI',
  WATCH_INSIDE_MULTI: 'ERR WATCH inside MULTI is not allowed',
  NOT_ALLOWED_IN_MULTI: 'ERR Command not allowed inside a transaction',
  MONITOR_DENY_BLOCKING: "ERR MONITOR isn't allowed for DENY BLOCKING client",
  REPLICA_KEYSPACE: "ERR Replica can't interact with the keyspace",
  PAUSE_MODE: 'ERR CLIENT PAUSE mode must be WRITE or ALL',
  TIMEOUT_NOT_INTEGER: 'ERR timeout is not an integer or out of range',
  UNBLOCK_REASON: 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR',
  subcommandSyntax: (sub: string, cmd: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${cmd.toUpperCase()} HELP.`,
} as const;
