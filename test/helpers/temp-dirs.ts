// Temporary data directories made by the test helpers (in-process servers, spawned servers),
// removed when the test file ends (test/helpers/cleanup-setup.ts runs removeTempDirs in
// afterAll). Without this every run left thousands of directories in /tmp.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

/** A new directory under the OS temp dir, removed after the current test file. */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
