// Public face of the keyspace package.
export { Keyspace, KeyspaceStats, type KeyspaceHooks } from './keyspace.js';
export { Db } from './db.js';
export { Entry, typeOf, type Value, type ValueType, type Collection } from './entry.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
