// Keyspace notifications (Redis notify.c): `notify-keyspace-events` decides which classes of
// events are published, as `__keyspace@<db>__:<key>` → event name and `__keyevent@<db>__:<event>`
// → key name, through ordinary pub/sub delivery.
//
// Cost when off: the flags are cached as an integer on the server (server.notifyFlags, updated
// by CONFIG SET) and every emitter tests `(flags & type) !== 0` before calling in, so a handler
// pays one AND per event. The two events raised from inside the keyspace ("new" on key creation,
// "keymiss" on a read lookup that finds nothing) are hooks the keyspace calls only while their
// class is enabled; otherwise the hook is null.
//
// Who emits: command handlers through CommandContext.notify(type, event, key[, db]); the
// keyspace's expired hook ("expired", server.ts); eviction ("evicted") through
// server.notifyKeyspaceEvent(NOTIFY.EVICTED, 'evicted', key, dbIndex).

import { NOTIFY } from '../config.js';
import type { Db } from '../keyspace/index.js';
import type { Server } from './server.js';

export { NOTIFY };

/** Redis notifyKeyspaceEvent: `type` is one NOTIFY class bit, `event` Redis's event name. */
export function notifyKeyspaceEvent(server: Server, type: number, event: string, key: string, dbid: number): void {
  const flags = server.notifyFlags;
  if ((flags & type) === 0) return;
  const ps = server.pubsub;
  // Nobody can hear it: skip building the channel names.
  if (ps.channels.size === 0 && ps.patterns.size === 0) return;
  if ((flags & NOTIFY.KEYSPACE) !== 0) ps.publish('__keyspace@' + dbid + '__:' + key, event);
  if ((flags & NOTIFY.KEYEVENT) !== 0) ps.publish('__keyevent@' + dbid + '__:' + event, key);
}

/**
 * Caches notify-keyspace-events on the server and keeps the keyspace's "new"/"keymiss" hooks
 * armed only while those classes are on. Called once by the server's constructor.
 */
export function watchNotifyConfig(server: Server): void {
  const onNew = (db: Db, key: string): void => notifyKeyspaceEvent(server, NOTIFY.NEW, 'new', key, db.index);
  const onMiss = (db: Db, key: string): void => notifyKeyspaceEvent(server, NOTIFY.KEY_MISS, 'keymiss', key, db.index);
  const apply = (): void => {
    const flags = server.config.num('notify-keyspace-events');
    server.notifyFlags = flags;
    const ks = server.ks;
    ks.keyAdded = (flags & NOTIFY.NEW) !== 0 ? onNew : null;
    ks.keyMissed = (flags & NOTIFY.KEY_MISS) !== 0 ? onMiss : null;
  };
  apply();
  server.config.onChange('notify-keyspace-events', apply);
}
