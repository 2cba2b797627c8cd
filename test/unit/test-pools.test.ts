// The CI time rests on vitest.config.ts's poolMatchGlobs sending the waiting-bound files to the
// thread pool that runs beside the fork. vitest matches those globs against absolute paths, so
// a glob relative to the root silently matches nothing (every file then runs in the one fork,
// one after the other: 793 s instead of ~510 s). Guard both ways a glob can stop matching: a
// missing leading **/, and a file renamed or removed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import config from '../../vitest.config.js';

const root = path.resolve(import.meta.dirname, '../..');
const globs = (config.test?.poolMatchGlobs ?? []) as Array<[string, string]>;

describe('vitest pools', () => {
  test('every thread-pool glob is absolute-path safe (**/) and names a test file that exists', () => {
    expect(globs.length).toBeGreaterThan(0);
    const bad = globs.filter(([g]) => !g.startsWith('**/') || !fs.existsSync(path.join(root, g.slice(3))));
    expect(bad).toEqual([]);
  });
});
