// nodes.conf (cluster/state.ts): a node's id, node table, slot map, open slots and epochs survive
// save + open; the file is Redis's format; a corrupt file is refused, not silently replaced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterState, ClusterError } from '../../../src/cluster/state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function file(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hoard-nodes-'));
  dirs.push(d);
  return path.join(d, 'nodes.conf');
}

describe('ClusterState', () => {
  it('writes nodes.conf at the first start and keeps the id across opens', () => {
    const f = file();
    const a = ClusterState.open(f, 7000, 17000);
    expect(a.myself.id).toMatch(/^[0-9a-f]{40}$/);
    expect(fs.readFileSync(f, 'latin1')).toBe(`${a.myself.id} :7000@17000 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n`);
    expect(ClusterState.open(f, 7000, 17000).myself.id).toBe(a.myself.id);
  });

  it('round-trips the node table, slots, migrations and epochs', () => {
    const f = file();
    const a = ClusterState.open(f, 7000, 17000);
    a.myself.ip = '127.0.0.1';
    const b = { id: 'b'.repeat(40), ip: '127.0.0.1', port: 7001, cport: 17001, configEpoch: 2, seen: 5 };
    a.addNode(b);
    for (let s = 0; s <= 100; s++) a.assign(s, a.myself);
    a.assign(300, a.myself);
    for (let s = 101; s < 16384; s++) if (s !== 300) a.assign(s, b);
    a.migrating.set(5, b);
    a.importing.set(200, b);
    a.currentEpoch = 7;
    a.myself.configEpoch = 3;
    a.save();
    expect(a.dirty).toBe(false);
    const text = fs.readFileSync(f, 'latin1');
    expect(text).toContain(`${a.myself.id} 127.0.0.1:7000@17000 myself,master - 0 0 3 connected 0-100 300 [5->-${b.id}] [200-<-${b.id}]\n`);
    const r = ClusterState.open(f, 7000, 17000);
    expect(r.myself.id).toBe(a.myself.id);
    expect(r.nodes.size).toBe(2);
    expect(r.ok()).toBe(true);
    expect(r.slots[300]).toBe(r.myself);
    expect(r.slots[301]?.id).toBe(b.id);
    expect(r.migrating.get(5)?.id).toBe(b.id);
    expect(r.importing.get(200)?.id).toBe(b.id);
    expect(r.currentEpoch).toBe(7);
    expect(r.myself.configEpoch).toBe(3);
    expect(r.nodesText()).toBe(a.nodesText().replace(/ 0 5 2 connected/, ` 0 ${r.lookup(b.id)!.seen} 2 connected`));
  });

  it('refuses a corrupt file', () => {
    const f = file();
    fs.writeFileSync(f, 'garbage line\n');
    expect(() => ClusterState.open(f, 7000, 17000)).toThrow(ClusterError);
    fs.writeFileSync(f, `${'a'.repeat(40)} :7000@17000 master - 0 0 0 connected 0-5\n`);
    expect(() => ClusterState.open(f, 7000, 17000)).toThrow(/myself node not found/);
  });
});
