import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest runs each pool at the same time as the others. The Sentinel tests mostly wait on
    // the sentinels' timers (measured: 46% of one core over their ~75 s), redis-cli's on the
    // processes it starts (44% over ~24 s), client management's and blocking's on their
    // timeouts and pauses (~2 s of CPU in ~11 s, and ~2 s in ~8 s), so they run one after the
    // other in a thread pool of their own, beside the one fork that runs everything else
    // (2 cores here). The whole suite kept the machine only ~50% busy (/proc/stat every 20 s
    // over a CI run), so the offline tools' and the cluster's tests, which wait on the
    // processes they start and assert no timings, run in that pool too (~60 s and ~35 s).
    // The globs start with **/: vitest matches them against absolute paths, so a glob relative
    // to the root ('test/...') matches nothing and every file ran in the one fork (measured:
    // files strictly one after the other, 793 s; with **/ the two pools overlap, 574 s).
    poolMatchGlobs: [
      ['**/test/integration/sentinel.test.ts', 'threads'],
      ['**/test/integration/redis-cli.test.ts', 'threads'],
      ['**/test/integration/client-mgmt.test.ts', 'threads'],
      ['**/test/integration/blocking.test.ts', 'threads'],
      ['**/test/integration/tools.test.ts', 'threads'],
      ['**/test/integration/cluster.test.ts', 'threads'],
    ],
    poolOptions: { threads: { minThreads: 1, maxThreads: 1 } },
    setupFiles: ['test/helpers/cleanup-setup.ts'],
    reporters: ['default'],
  },
});
