// Every command family, in one list: the server builds its table from this.
import type { CommandSpec } from './types.js';
import { connectionCommands } from './connection.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server-admin.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { listCommands } from './lists.js';
import { zsetCommands } from './zsets.js';
import { persistenceCommands } from './persistence.js';
import { pubsubCommands } from './pubsub.js';
import { transactionCommands } from './transactions.js';
import { aclCommands } from './acl.js';
import { bitmapCommands } from './bitmaps.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { sortCommands } from './sort.js';
import { dumpCommands } from './dump.js';
import { replicationCommands } from './replication.js';
import { geoCommands } from './geo.js';
import { streamCommands } from './streams.js';
import { clusterCommands } from './cluster.js';
import { scriptingCommands } from './scripting.js';
import { functionCommands } from './functions.js';

export const allCommands: readonly (readonly CommandSpec[])[] = [
  connectionCommands,
  stringCommands,
  keyCommands,
  serverCommands,
  hashCommands,
  setCommands,
  listCommands,
  zsetCommands,
  persistenceCommands,
  pubsubCommands,
  transactionCommands,
  aclCommands,
  bitmapCommands,
  hyperloglogCommands,
  sortCommands,
  dumpCommands,
  replicationCommands,
  geoCommands,
  streamCommands,
  clusterCommands,
  scriptingCommands,
  functionCommands,
];
