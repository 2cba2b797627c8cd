// A stream value as plain data (entries per node, groups, PELs, consumers) for toEqual
// comparisons in the stream tests: `seenTimes` keeps the consumers' seen-time (a replay sets it
// to the replay's time, as Redis does), `deliveryTimes` the PEL's delivery times (logged as
// absolute times, so a replay keeps them).

import { type StreamValue, formatId } from '../../src/types/stream.js';

export function streamState(s: StreamValue, seenTimes: boolean, deliveryTimes = seenTimes): unknown {
  return {
    length: s.length,
    lastId: formatId(s.lastId),
    firstId: formatId(s.firstId),
    maxDeletedId: formatId(s.maxDeletedId),
    entriesAdded: s.entriesAdded,
    nodes: s.nodes.map((n) => ({
      master: formatId(n.masterId),
      fields: n.masterFields,
      count: n.count,
      delCount: n.delCount,
      lpBytes: n.lpBytes,
      entries: n.ids.map((id, i) => [formatId(id), n.deleted[i], n.fvs[i]]),
    })),
    groups: s.sortedGroups().map((g) => ({
      name: g.name,
      lastId: formatId(g.lastId),
      entriesRead: g.entriesRead,
      pel: [...g.pel.entries()].map(([id, n]) => [formatId(id), n.consumer.name, deliveryTimes ? n.deliveryTime : 0, n.deliveryCount]),
      consumers: g.sortedConsumers().map((c) => ({
        name: c.name,
        seen: seenTimes ? c.seenTime : 0,
        pel: [...c.pel.entries()].map(([id, n]) => [formatId(id), n === g.pel.get(id)]),
      })),
    })),
  };
}
