import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest runs each pool at the same time as the others: one fork runs most files, and a
    // thread pool of one runs, beside it, the files that mostly wait on processes they start
    // and assert no timings (2 cores here). The Sentinel tests wait on the sentinels' timers
    // (46% of one core over their ~80 s; the hostname ones run in the same thread, after them:
    // run at the same time, their sentinels starved each other's timers), redis-cli's on the
    // processes it starts, client management's and blocking's on their timeouts and pauses;
    // the offline tools', cluster, replication, FAILOVER, proxy, MIGRATE and
    // functions-durability tests on the servers and tools they spawn (measured alone:
    // replication 73 s wall / 77 s CPU with its children, failover 26 / 20, proxy 25 / 32,
    // migrate 18 / 19, functions-durability 17 / 11).
    // JSON reporter timelines: the pools end at 434 s and 507 s (whole run 511 s; 574 s with
    // only the first six files in threads, 793 s when no file matched, see below).
    // The globs start with **/: vitest matches them against absolute paths, so a glob relative
    // to the root ('test/...') matches nothing; until this was found every file ran in the one
    // fork, strictly one after the other.
    poolMatchGlobs: [
      ['**/test/integration/sentinel.test.ts', 'threads'],
      ['**/test/integration/sentinel-hostnames.test.ts', 'threads'],
      ['**/test/integration/redis-cli.test.ts', 'threads'],
      ['**/test/integration/client-mgmt.test.ts', 'threads'],
      ['**/test/integration/blocking.test.ts', 'threads'],
      ['**/test/integration/tools.test.ts', 'threads'],
      ['**/test/integration/cluster.test.ts', 'threads'],
      ['**/test/integration/replication.test.ts', 'threads'],
      ['**/test/integration/failover.test.ts', 'threads'],
      ['**/test/integration/proxy.test.ts', 'threads'],
      ['**/test/integration/migrate.test.ts', 'threads'],
      ['**/test/integration/functions-durability.test.ts', 'threads'],
    ],
    poolOptions: { threads: { minThreads: 1, maxThreads: 1 } },
    setupFiles: ['test/helpers/cleanup-setup.ts'],
    reporters: ['default'],
  },
});
