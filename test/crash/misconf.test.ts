// A full disk under the AOF: the write error is never ignored. The write whose AOF append
// failed is not acknowledged until a retry succeeds; meanwhile other writes are refused with
// MISCONF, reads keep working, and once space is back everything proceeds and survives a
// restart. Needs a small tmpfs (root + mount); skipped where it cannot be mounted.

import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { startServer } from '../helpers/proc.js';
import { fillDisk, smallTmpfs } from '../helpers/tmpfs.js';

const tmpfs = smallTmpfs('hoard-enospc-', '8m');
const mnt = tmpfs.dir;
const mounted = tmpfs.mounted;
afterAll(() => tmpfs.unmount());
const BIG = 'x'.repeat(1536 * 1024);

describe.skipIf(!mounted)('AOF write errors (full disk)', () => {
  for (const policy of ['always', 'everysec'] as const) {
    it(`appendfsync ${policy}: holds the failed write's reply, refuses others with MISCONF, recovers when space returns`, async () => {
      const dir = path.join(mnt, `data-${policy}`);
      fs.mkdirSync(dir);
      const srv = await startServer(dir, ['--appendonly', 'yes', '--appendfsync', policy]);
      const a = srv.client();
      const b = srv.client();
      expect(await a.set('before', 'full')).toBe('OK');
      // b must be connected and ready first: ioredis's ready check (INFO) answered in the same
      // turn as the failing write below is held with that turn's replies until the disk has
      // room, and b's commands would queue behind it client-side (seen as a 60 s timeout).
      expect(await b.ping()).toBe('PONG');
      const filler = fillDisk(mnt);
      let pending: Promise<string | null> = Promise.resolve(null);
      const held: Array<Promise<unknown>> = [];
      const probes: Array<{ disconnect(): void }> = [];
      try {

      // Bigger than the zero-filled space the writer keeps ahead of the records under 'always'
      // (1 MB): a write that fits there needs no new space, and succeeds on a full disk.
      let acked = false;
      pending = a.set('during', BIG).then((r) => {
        acked = true;
        return r;
      });
      // A turn's replies wait for that turn's AOF write: a probe (or its connection's ready
      // check) caught in a turn whose write fails is held until a retry succeeds, after the
      // space returns, and its client's later replies queue behind it. So each probe gets a
      // fresh connection and is not awaited past 300 ms; held ones must answer OK once the disk
      // has room again.
      let refusal = '';
      for (let i = 0; i < 100 && refusal === ''; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const p = srv.client();
        probes.push(p);
        const reply = p.set(`probe${i}`, 'y').then(
          () => '',
          (e: Error) => e.message,
        );
        const first = await Promise.race([reply, new Promise<null>((r) => setTimeout(() => r(null), 300))]);
        if (first === null) held.push(reply);
        else refusal = first;
      }
      expect(refusal).toMatch(/^MISCONF Errors writing to the AOF file/);
      // always: the failed write is never acknowledged before it is written. everysec may
      // acknowledge it when its write was postponed behind a running background fsync (as
      // Redis does: everysec promises ~1 s, not each write); it must still survive below.
      if (policy === 'always') expect(acked).toBe(false);
      expect(await b.get('before')).toBe('full');
      const info = await b.info('persistence');
      expect(info).toContain('aof_last_write_status:err');

      } finally {
        fs.rmSync(filler, { force: true });
      }
      for (const h of held) expect(await h).toBe('');
      for (const p of probes) p.disconnect();
      expect(await pending).toBe('OK');
      // Accepted again once a flush succeeded.
      let ok = '';
      for (let i = 0; i < 100 && ok !== 'OK'; i++) {
        ok = await b.set('after', 'space').catch(() => '');
        if (ok !== 'OK') await new Promise((r) => setTimeout(r, 50));
      }
      expect(ok).toBe('OK');
      expect(await b.info('persistence')).toContain('aof_last_write_status:ok');
      a.disconnect();
      b.disconnect();
      await srv.kill('SIGKILL');

      const again = await startServer(dir, ['--appendonly', 'yes', '--appendfsync', policy]);
      const r = again.client();
      expect(await r.get('before')).toBe('full');
      expect(await r.get('during')).toBe(BIG);
      expect(await r.get('after')).toBe('space');
      r.disconnect();
      await again.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);
  }
});
