// Public face of the keyspace package.
export { Keyspace, KeyspaceStats, type KeyspaceHooks } from './keyspace.js';
export { Db, NIL, type KeyView } from './db.js';
export { KeyTable, SLOT_BYTES, STR_RAW, STR_NOINT } from './table.js';
export { typeOf, type Value, type ValueType, type Collection } from './entry.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
