// Sentinel's config file (src/sentinel/config.ts): directives read as Redis reads them, and a
// rewrite that keeps the other lines and reads back to the same state.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSentinelConfig, rewriteSentinelConfig } from '../../../src/sentinel/config.js';
import { Config } from '../../../src/config.js';

describe('sentinel config', () => {
  it('reads monitor and its options, and refuses what Redis refuses', () => {
    const c = parseSentinelConfig(
      ['port 26379', 'sentinel monitor m 10.0.0.1 6379 2', 'sentinel down-after-milliseconds m 500', 'sentinel parallel-syncs m 3', 'sentinel auth-pass m "p w"', 'sentinel current-epoch 7'].join('\n'),
      'x.conf',
    );
    expect(c.currentEpoch).toBe(7);
    expect(c.masters[0]).toMatchObject({ name: 'm', host: '10.0.0.1', port: 6379, quorum: 2, downAfterMs: 500, parallelSyncs: 3, authPass: 'p w' });
    expect(() => parseSentinelConfig('sentinel down-after-milliseconds nope 500', 'x.conf')).toThrow(/line 1[\s\S]*No such master with specified name/);
    expect(() => parseSentinelConfig('sentinel monitor m h 1 0', 'x.conf')).toThrow(/Quorum must be 1 or greater/);
    expect(() => parseSentinelConfig('sentinel myid abc', 'x.conf')).toThrow(/Malformed Sentinel id/);
    expect(() => parseSentinelConfig('sentinel bogus 1', 'x.conf')).toThrow(/Unrecognized sentinel configuration statement/);
  });

  it('rewrites the sentinel lines in place, keeps the others, and reads back the same state', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-conf-'));
    const file = path.join(dir, 's.conf');
    fs.writeFileSync(file, '# mine\nport 26380\nsentinel monitor m 127.0.0.1 6379 2\nloglevel verbose\n');
    const c = parseSentinelConfig(fs.readFileSync(file, 'latin1'), file);
    c.myid = 'a'.repeat(40);
    c.currentEpoch = 3;
    c.masters[0].port = 6380;
    c.masters[0].configEpoch = 3;
    c.masters[0].knownReplicas = [['127.0.0.1', 6379]];
    c.masters[0].knownSentinels = [['127.0.0.1', 26381, 'b'.repeat(40)]];
    rewriteSentinelConfig(file, c);
    const text = fs.readFileSync(file, 'latin1');
    expect(text.split('\n').slice(0, 3)).toEqual(['# mine', 'port 26380', `sentinel myid ${'a'.repeat(40)}`]);
    expect(text).toContain('loglevel verbose');
    expect(text).toContain('sentinel monitor m 127.0.0.1 6380 2');
    expect(parseSentinelConfig(text, file)).toEqual(c);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads resolve-hostnames and announce-hostnames wherever they are, and refuses a monitor by hostname without resolve-hostnames', () => {
    // Defaults: no and no; a hostname in a monitor line is refused as Redis refuses it.
    expect(parseSentinelConfig('', 'x.conf')).toMatchObject({ resolveHostnames: false, announceHostnames: false });
    expect(() => parseSentinelConfig('sentinel monitor m localhost 6379 2', 'x.conf')).toThrow(/line 1\n>>> 'sentinel monitor m localhost 6379 2'\nCan't resolve instance hostname\.$/);
    expect(parseSentinelConfig('sentinel monitor m ::1 6379 2', 'x.conf').masters[0].host).toBe('::1');
    // resolve-hostnames below the monitor line still applies to it (Redis applies it first).
    const c = parseSentinelConfig(['sentinel monitor m localhost 6379 2', 'sentinel resolve-hostnames YES', 'sentinel announce-hostnames yes'].join('\n'), 'x.conf');
    expect(c).toMatchObject({ resolveHostnames: true, announceHostnames: true });
    expect(c.masters[0]).toMatchObject({ host: 'localhost', port: 6379 });
    // A name that does not resolve is accepted from the file (resolved again at each reconnect).
    expect(parseSentinelConfig('sentinel resolve-hostnames yes\nsentinel monitor m nosuch.invalid 6379 2', 'x.conf').masters[0].host).toBe('nosuch.invalid');
    expect(() => parseSentinelConfig('sentinel resolve-hostnames maybe', 'x.conf')).toThrow(/Please specify yes or no for the resolve-hostnames option\.$/);
    expect(() => parseSentinelConfig('sentinel announce-hostnames 1', 'x.conf')).toThrow(/Please specify yes or no for the announce-hostnames option\.$/);
    expect(() => parseSentinelConfig('sentinel announce-hostnames', 'x.conf')).toThrow(/Unrecognized sentinel configuration statement/);
  });

  it('rewrites the hostname options before the monitor lines when yes, and keeps a `no` the file had', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentinel-conf-'));
    try {
      const file = path.join(dir, 's.conf');
      fs.writeFileSync(file, 'port 26380\nsentinel monitor m localhost 6379 2\nsentinel resolve-hostnames yes\n');
      const c = parseSentinelConfig(fs.readFileSync(file, 'latin1'), file);
      c.announceHostnames = true;
      rewriteSentinelConfig(file, c);
      let text = fs.readFileSync(file, 'latin1');
      const lines = text.split('\n');
      expect(lines.indexOf('sentinel resolve-hostnames yes')).toBeGreaterThan(0);
      expect(lines.indexOf('sentinel announce-hostnames yes')).toBeGreaterThan(0);
      expect(lines.indexOf('sentinel resolve-hostnames yes')).toBeLessThan(lines.indexOf('sentinel monitor m localhost 6379 2'));
      expect(lines.indexOf('sentinel announce-hostnames yes')).toBeLessThan(lines.indexOf('sentinel monitor m localhost 6379 2'));
      expect(parseSentinelConfig(text, file)).toEqual(c);
      // Back to no: the lines were in the file, so they stay with `no`.
      c.resolveHostnames = false;
      c.announceHostnames = false;
      c.masters[0].host = '127.0.0.1';
      rewriteSentinelConfig(file, c);
      text = fs.readFileSync(file, 'latin1');
      expect(text).toMatch(/^sentinel resolve-hostnames no$/m);
      expect(text).toMatch(/^sentinel announce-hostnames no$/m);
      expect(parseSentinelConfig(text, file)).toEqual(c);
      // A file that never had them does not get them at their default.
      const fresh = path.join(dir, 'fresh.conf');
      fs.writeFileSync(fresh, 'sentinel monitor m 127.0.0.1 6379 2\n');
      rewriteSentinelConfig(fresh, parseSentinelConfig(fs.readFileSync(fresh, 'latin1'), fresh));
      expect(fs.readFileSync(fresh, 'latin1')).not.toMatch(/hostnames/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a sentinel's port is 26379 unless its file, a file it includes, or a flag names one (Redis's initSentinelConfig)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoard-sentinel-port-'));
    try {
      const plain = path.join(dir, 'plain.conf');
      fs.writeFileSync(plain, 'sentinel monitor m 127.0.0.1 6379 1\n');
      const inc = path.join(dir, 'inc.conf');
      fs.writeFileSync(inc, 'port 26555\n');
      const including = path.join(dir, 'including.conf');
      fs.writeFileSync(including, `include ${inc}\nsentinel monitor m 127.0.0.1 6379 1\n`);
      const own = path.join(dir, 'own.conf');
      fs.writeFileSync(own, 'port 26444\nsentinel monitor m 127.0.0.1 6379 1\n');
      expect(Config.fromArgs([plain, '--sentinel'], { sentinel: true }).num('port')).toBe(26379);
      expect(Config.fromArgs([including, '--sentinel'], { sentinel: true }).num('port')).toBe(26555);
      expect(Config.fromArgs([own, '--sentinel'], { sentinel: true }).num('port')).toBe(26444);
      expect(Config.fromArgs([plain, '--sentinel', '--port', '26556'], { sentinel: true }).num('port')).toBe(26556);
      // A server's default is untouched.
      expect(Config.fromArgs([]).num('port')).toBe(6379);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
