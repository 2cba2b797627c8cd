// The pure decisions of a failover (src/sentinel/election.ts): Raft-like votes per epoch, the
// leader's majority-and-quorum rule, and Redis's replica selection order.

import { describe, expect, it } from 'vitest';
import { compareForPromotion, electLeader, selectReplica, voteLeader, type ReplicaCandidate, type VoteState } from '../../../src/sentinel/election.js';

describe('voteLeader', () => {
  it('gives the first request of an epoch the vote and refuses later ones of the same or an older epoch', () => {
    const s: VoteState = { leader: null, leaderEpoch: 0 };
    expect(voteLeader(s, 5, 5, 'a')).toBe(true);
    expect(s).toEqual({ leader: 'a', leaderEpoch: 5 });
    expect(voteLeader(s, 5, 5, 'b')).toBe(false);
    expect(voteLeader(s, 5, 4, 'b')).toBe(false);
    expect(s.leader).toBe('a');
    expect(voteLeader(s, 6, 6, 'b')).toBe(true);
    expect(s).toEqual({ leader: 'b', leaderEpoch: 6 });
  });

  it('does not vote for an epoch older than the current one', () => {
    const s: VoteState = { leader: null, leaderEpoch: 0 };
    expect(voteLeader(s, 7, 6, 'a')).toBe(false);
    expect(s.leader).toBeNull();
  });
});

describe('electLeader', () => {
  const own = (state: VoteState, epoch: number) => (candidate: string) => {
    voteLeader(state, epoch, epoch, candidate);
    return state;
  };

  it('elects the sentinel with a majority of all known sentinels and at least quorum votes', () => {
    const mine: VoteState = { leader: null, leaderEpoch: 0 };
    // 5 sentinels: me + 4 others; two others voted for me in epoch 3, one for x, one not at all.
    const others = [
      { leader: 'me', leaderEpoch: 3 },
      { leader: 'me', leaderEpoch: 3 },
      { leader: 'x', leaderEpoch: 3 },
      { leader: null, leaderEpoch: 0 },
    ];
    expect(electLeader(others, 3, 2, 'me', own(mine, 3))).toBe('me');
    expect(mine).toEqual({ leader: 'me', leaderEpoch: 3 });
  });

  it('has no leader without a majority, even when the quorum is reached', () => {
    const mine: VoteState = { leader: null, leaderEpoch: 0 };
    const others = [
      { leader: 'x', leaderEpoch: 3 },
      { leader: 'y', leaderEpoch: 3 },
      { leader: null, leaderEpoch: 0 },
      { leader: null, leaderEpoch: 0 },
    ];
    // My vote goes to the most voted (x or y): 2 votes of 5 is no majority.
    expect(electLeader(others, 3, 1, 'me', own(mine, 3))).toBeNull();
  });

  it('has no leader with a majority below the quorum', () => {
    const mine: VoteState = { leader: null, leaderEpoch: 0 };
    // 3 sentinels, quorum 3: 2 votes are a majority but not the quorum.
    const others = [
      { leader: 'me', leaderEpoch: 1 },
      { leader: null, leaderEpoch: 0 },
    ];
    expect(electLeader(others, 1, 3, 'me', own(mine, 1))).toBeNull();
    expect(electLeader(others, 1, 2, 'me', own(mine, 1))).toBe('me');
  });

  it('ignores votes cast in another epoch', () => {
    const mine: VoteState = { leader: null, leaderEpoch: 0 };
    const others = [
      { leader: 'x', leaderEpoch: 2 },
      { leader: 'x', leaderEpoch: 2 },
    ];
    // Only my own vote counts in epoch 3: 1 of 3.
    expect(electLeader(others, 3, 1, 'me', own(mine, 3))).toBeNull();
    expect(mine.leader).toBe('me');
  });

  it('votes with the others: my vote goes to the sentinel already leading, not to me', () => {
    const mine: VoteState = { leader: null, leaderEpoch: 0 };
    const others = [{ leader: 'x', leaderEpoch: 4 }, { leader: null, leaderEpoch: 0 }];
    expect(electLeader(others, 4, 2, 'me', own(mine, 4))).toBe('x');
    expect(mine.leader).toBe('x');
  });

  it('keeps an earlier vote of the same epoch', () => {
    const mine: VoteState = { leader: 'y', leaderEpoch: 4 };
    const others = [{ leader: 'me', leaderEpoch: 4 }, { leader: null, leaderEpoch: 0 }];
    // I already voted for y in epoch 4: me 1, y 1 — no majority of 3.
    expect(electLeader(others, 4, 1, 'me', own(mine, 4))).toBeNull();
    expect(mine.leader).toBe('y');
  });
});

describe('selectReplica', () => {
  const base: ReplicaCandidate = {
    runid: 'b'.repeat(40),
    priority: 100,
    replOffset: 1000,
    sdown: false,
    disconnected: false,
    sinceLastAvail: 100,
    sinceInfo: 500,
    masterLinkDownTime: 0,
  };
  const opts = { masterDownMs: 2000, downAfterMs: 500, infoValidityMs: 3000, pingPeriodMs: 1000 };
  const r = (o: Partial<ReplicaCandidate> & { id: string }) => ({ ...base, ...o });

  it('prefers the lowest priority, then the greatest offset, then the smallest run id', () => {
    const list = [
      r({ id: 'high-prio', priority: 200, replOffset: 9999 }),
      r({ id: 'behind', replOffset: 10 }),
      r({ id: 'ahead-b', replOffset: 2000, runid: 'b'.repeat(40) }),
      r({ id: 'ahead-a', replOffset: 2000, runid: 'a'.repeat(40) }),
    ];
    expect(selectReplica(list, opts)?.id).toBe('ahead-a');
    expect(selectReplica([list[0], list[1]], opts)?.id).toBe('behind');
  });

  it('excludes replicas that are down, disconnected, silent, with stale INFO, priority 0 or long cut off', () => {
    const excluded = [
      r({ id: 'sdown', sdown: true }),
      r({ id: 'disconnected', disconnected: true }),
      r({ id: 'silent', sinceLastAvail: 5001 }),
      r({ id: 'stale', sinceInfo: 3001 }),
      r({ id: 'prio0', priority: 0 }),
      r({ id: 'cut-off', masterLinkDownTime: 2000 + 5000 + 1 }),
    ];
    for (const e of excluded) expect(selectReplica([e], opts), e.id).toBeNull();
    expect(selectReplica([...excluded, r({ id: 'ok', replOffset: 0 })], opts)?.id).toBe('ok');
    expect(selectReplica([r({ id: 'just-in', masterLinkDownTime: 7000 })], opts)?.id).toBe('just-in');
  });

  it('ranks an unknown run id last among equals', () => {
    expect(compareForPromotion({ ...base, runid: null }, base)).toBeGreaterThan(0);
    expect(compareForPromotion(base, { ...base, runid: null })).toBeLessThan(0);
  });
});
