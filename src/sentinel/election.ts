// The pure decisions of a failover, kept apart from sockets and timers so they can be tested on
// their own: which sentinel leads an epoch (Redis sentinel.c sentinelVoteLeader /
// sentinelGetLeader) and which replica gets promoted (sentinelSelectSlave /
// compareSlavesForPromotion). Same rules as Redis, so a mixed set of Hoard and Redis sentinels
// agrees.

/** What a master remembers of the votes: the leader it voted for and in which epoch. */
export interface VoteState {
  leader: string | null;
  leaderEpoch: number;
}

/**
 * sentinelVoteLeader: vote for `reqRunid` in `reqEpoch` unless this master already voted in that
 * epoch or a later one (first request per epoch wins: Raft's rule). `currentEpoch` is the
 * sentinel's epoch after it adopted a greater requested one. Returns whether the vote changed.
 */
export function voteLeader(state: VoteState, currentEpoch: number, reqEpoch: number, reqRunid: string): boolean {
  if (state.leaderEpoch < reqEpoch && currentEpoch <= reqEpoch) {
    state.leader = reqRunid;
    state.leaderEpoch = currentEpoch;
    return true;
  }
  return false;
}

/**
 * sentinelGetLeader's count: the other sentinels' votes for `epoch` (what they answered to
 * IS-MASTER-DOWN-BY-ADDR), plus this sentinel's own vote, which goes to the most voted sentinel
 * so far or to itself (`castOwnVote` applies voteLeader and returns what it voted for). The
 * winner needs an absolute majority of all known sentinels (this one included) and at least
 * `quorum` votes; otherwise there is no leader yet.
 */
export function electLeader(
  otherVotes: ReadonlyArray<{ leader: string | null; leaderEpoch: number }>,
  epoch: number,
  quorum: number,
  myRunid: string,
  castOwnVote: (candidate: string) => { leader: string | null; leaderEpoch: number },
): string | null {
  const counts = new Map<string, number>();
  for (const v of otherVotes) {
    if (v.leader !== null && v.leaderEpoch === epoch) counts.set(v.leader, (counts.get(v.leader) ?? 0) + 1);
  }
  const voters = otherVotes.length + 1;
  const best = (): [string | null, number] => {
    let winner: string | null = null;
    let max = 0;
    for (const [id, n] of counts) {
      // Ties go to the lexicographically greater id, as Redis's dictionary walk makes no promise
      // and any fixed rule is as good: every sentinel counts the same answers the same way.
      if (n > max || (n === max && winner !== null && id > winner)) {
        winner = id;
        max = n;
      }
    }
    return [winner, max];
  };
  let [winner] = best();
  const mine = castOwnVote(winner ?? myRunid);
  if (mine.leader !== null && mine.leaderEpoch === epoch) counts.set(mine.leader, (counts.get(mine.leader) ?? 0) + 1);
  let max: number;
  [winner, max] = best();
  const majority = Math.floor(voters / 2) + 1;
  if (winner !== null && (max < majority || max < quorum)) winner = null;
  return winner;
}

/** What replica selection reads about each replica. */
export interface ReplicaCandidate {
  runid: string | null;
  priority: number;
  replOffset: number;
  sdown: boolean;
  disconnected: boolean;
  /** ms since the last valid PING reply. */
  sinceLastAvail: number;
  /** ms since the last INFO reply. */
  sinceInfo: number;
  /** master_link_down_since_seconds, in ms (0 when the link is up). */
  masterLinkDownTime: number;
}

/**
 * sentinelSelectSlave: drop replicas that are down, disconnected, silent for 5 pings, with a
 * stale INFO, priority 0, or disconnected from the master for much longer than it has been down;
 * then the lowest priority, the greatest offset, the smallest run id (an unknown run id last).
 */
export function selectReplica<T extends ReplicaCandidate>(
  replicas: readonly T[],
  opts: { masterDownMs: number; downAfterMs: number; infoValidityMs: number; pingPeriodMs: number },
): T | null {
  const maxMasterDownTime = opts.masterDownMs + opts.downAfterMs * 10;
  const ok = replicas.filter(
    (r) =>
      !r.sdown &&
      !r.disconnected &&
      r.sinceLastAvail <= opts.pingPeriodMs * 5 &&
      r.priority !== 0 &&
      r.sinceInfo <= opts.infoValidityMs &&
      r.masterLinkDownTime <= maxMasterDownTime,
  );
  ok.sort(compareForPromotion);
  return ok[0] ?? null;
}

export function compareForPromotion(a: ReplicaCandidate, b: ReplicaCandidate): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.replOffset !== b.replOffset) return b.replOffset - a.replOffset;
  if (a.runid === null) return b.runid === null ? 0 : 1;
  if (b.runid === null) return -1;
  return a.runid < b.runid ? -1 : a.runid > b.runid ? 1 : 0;
}
