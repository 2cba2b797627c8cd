// A small tmpfs to fill up, for tests of what the server does on a full disk (ENOSPC under the
// AOF, a snapshot that cannot be written). Mounting needs root; where it cannot be done the
// caller skips its tests (`mounted` false).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './proc.js';

export interface SmallTmpfs {
  /** The mount point (a fresh temp dir). */
  dir: string;
  mounted: boolean;
  /** For afterAll: lazily unmounts (a no-op when nothing was mounted). */
  unmount(): void;
}

export function smallTmpfs(prefix: string, size: string): SmallTmpfs {
  const dir = tempDir(prefix);
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    /* not root, or no mount: the caller skips */
  }
  return {
    dir,
    mounted,
    unmount() {
      if (!mounted) return;
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    },
  };
}

/** Fills the filesystem of `dir` until ENOSPC, down to the last partial block; returns the filler's path. */
export function fillDisk(dir: string): string {
  const p = path.join(dir, 'filler');
  const fd = fs.openSync(p, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
  } catch {
    /* full */
  }
  fs.closeSync(fd);
  return p;
}
