// The consistent-hash ring that places the 16384 hash slots on primaries (DESIGN.md "Sharding
// unit"). Pure and deterministic: the placement is a function of the set of node ids alone
// (order does not matter), so every node and every run of hoard-cluster computes the same map.
//
// Each node id owns VNODES points on a 32-bit ring (MD5 of "<id>#<i>", first 4 bytes); the
// slots sit in order round the ring (slot s at the middle of its 2^18-wide arc: s * 2^18 + 2^17),
// and each belongs to the node of the first point clockwise from it. Slots in order, not hashed,
// keep each node's slots in runs between its points: about N * VNODES ranges in CLUSTER SLOTS
// and NODES instead of ~16384 scattered singletons. Hence, by construction:
//   - adding a node moves a slot only if one of the new node's points now comes first after
//     it: every moved slot moves TO the new node;
//   - removing a node moves only the slots it held (to each one's next point clockwise).
// Why VNODES = 256: a node's share of the ring is the sum of 256 arcs; its relative standard
// deviation is about 1/sqrt(256) = 6%, so the share a new (N+1)th node takes stays within
// ±40% of 1/(N+1) with > 6 sigma of margin for N = 1..8 (test/unit/cluster/ring.test.ts checks
// 0.6/(N+1)..1.4/(N+1) over many id sets). 64 points (12.5%) still passes but with a thin
// margin at 16384 slots; more points cost only set-up time (N * 256 hashes, under 1 ms for 8).

import { createHash } from 'node:crypto';
import { CLUSTER_SLOTS } from './slots.js';

export const VNODES = 256;

function point(s: string): number {
  return createHash('md5').update(s, 'latin1').digest().readUInt32BE(0);
}

/** The ring position of every slot: in order, each in the middle of its arc. */
const ARC = 2 ** 32 / CLUSTER_SLOTS;
const slotPoints = Uint32Array.from({ length: CLUSTER_SLOTS }, (_, s) => s * ARC + ARC / 2);

/**
 * The owner of every slot (an array of CLUSTER_SLOTS node ids) for these nodes. Ties between
 * two nodes' points (a 2^-32 event) go to the smaller id, so the result is still a function of
 * the set. Throws on an empty list.
 */
export function placeSlots(nodeIds: readonly string[]): string[] {
  if (nodeIds.length === 0) throw Object.assign(new Error('placeSlots: no nodes'), { code: 'HOARD_RING_EMPTY' });
  const ids = [...new Set(nodeIds)].sort();
  const pts: Array<[number, number]> = [];
  for (let n = 0; n < ids.length; n++) for (let i = 0; i < VNODES; i++) pts.push([point(`${ids[n]}#${i}`), n]);
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ringPos = Uint32Array.from(pts, (p) => p[0]);
  const sp = slotPoints;
  const out = new Array<string>(CLUSTER_SLOTS);
  for (let s = 0; s < CLUSTER_SLOTS; s++) {
    // First ring point >= the slot's point (binary search), wrapping to the first.
    let lo = 0;
    let hi = ringPos.length;
    const x = sp[s];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ringPos[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    out[s] = ids[pts[lo === ringPos.length ? 0 : lo][1]];
  }
  return out;
}

/** Contiguous runs of slots owned by `id` in `owners`: [[start, end], ...] inclusive. */
export function rangesOf(owners: readonly (string | null)[], id: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < owners.length; s++) {
    if (owners[s] !== id) continue;
    const start = s;
    while (s + 1 < owners.length && owners[s + 1] === id) s++;
    out.push([start, s]);
  }
  return out;
}
