// State a module keeps for each server, made on first use (tests run several servers in one
// process, so module-level singletons would be shared between them). The server holds no field
// for it: the families that have none in use cost nothing, and the server stays unaware of them.

import type { Server } from './server.js';

export class PerServer<T> {
  private readonly map = new WeakMap<Server, T>();

  constructor(private readonly make: (server: Server) => T) {}

  /** The server's state, made now if it has none yet. */
  of(server: Server): T {
    let v = this.map.get(server);
    if (v === undefined) this.map.set(server, (v = this.make(server)));
    return v;
  }

  /** The server's state if something already made it. */
  existing(server: Server): T | undefined {
    return this.map.get(server);
  }
}
