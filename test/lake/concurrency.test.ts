/**
 * Compare-and-swap of the local store under real concurrency: several OS processes update one lake
 * at the same time (released together by a barrier), and no change may be lost.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalConfigStore, openDataLake } from '../../src/index.js';
import { tempRoot } from './helpers.js';

const WORKERS = 6;
const COUNT = 30;
const tmp = tempRoot();
afterAll(() => tmp.cleanup());

interface Child {
  ready: Promise<void>;
  done: Promise<{ id: number; conflicts: number; ms: number }>;
  go(): void;
}

function startWorker(root: string, id: number): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'lake', 'fixtures', 'cas-worker.ts'), root, String(id), String(COUNT)], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready\n')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ id: number; conflicts: number; ms: number }>((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`worker ${id} exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe('local store compare-and-swap across processes', () => {
  it(`${WORKERS} processes x ${COUNT} create/delete/record calls on one lake lose no change`, async () => {
    const root = join(tmp.root, 'lake');
    const lake = openDataLake({ root });
    await lake.createDataLake({ regions: ['us-east-1'] });
    const children = Array.from({ length: WORKERS }, (_, i) => startWorker(root, i));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const results = await Promise.all(children.map((c) => c.done));
    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    console.log(`concurrency: ${results.map((r) => `w${r.id} ${r.ms} ms, ${r.conflicts} lost races`).join('; ')}`);

    const doc = await lake.readConfiguration();
    const expected: string[] = [];
    for (let i = 0; i < WORKERS; i++) for (let j = 1; j < COUNT; j += 2) expected.push(String(100_000_000_000 + i * 1000 + j));
    expect(doc.sources).toHaveLength(1);
    expect(doc.sources[0]!.accounts).toEqual(expected.sort());
    // 1 createDataLake + WORKERS*COUNT creates + WORKERS*COUNT/2 deletes, each exactly one revision.
    expect(doc.revision).toBe(1 + WORKERS * COUNT + (WORKERS * COUNT) / 2);

    const status = await lake.readCollectionStatus('999999999999');
    expect(status!.entries).toHaveLength(1);
    expect(status!.entries[0]!.eventCount).toBe(WORKERS * COUNT);
    expect(status!.entries[0]!.runs).toBe(WORKERS * COUNT);
    expect(status!.entries[0]!.lastEventTime).toBe((WORKERS - 1) * 1000 + COUNT - 1);
    expect(status!.revision).toBe(WORKERS * COUNT);

    // The races were real: writers lost compare-and-swap rounds and retried.
    expect(conflicts).toBeGreaterThan(0);
    // No temporary files are left behind.
    const files = readdirSync(join(root, '_ocsf_lake', 'datalake'));
    expect(files.filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('local store revisions', () => {
  const revFiles = (dir: string) => readdirSync(join(tmp.root, dir, '_ocsf_lake', 'doc')).filter((f) => f.endsWith('.json'));

  it('is a compare-and-swap on the revision number', async () => {
    const store = new LocalConfigStore(join(tmp.root, 'cas'));
    expect(await store.put('doc', '{"v":1}', undefined)).toMatch(/^1@/);
    expect(await store.put('doc', '{"v":2}', undefined)).toBeUndefined(); // exists already
    const read = (await store.get('doc'))!;
    expect(read.text).toBe('{"v":1}');
    expect(await store.put('doc', '{"v":2}', read.token)).toMatch(/^2@/);
    expect(await store.put('doc', '{"v":3}', read.token)).toBeUndefined(); // revision 2 was taken
    expect((await store.get('doc'))!.text).toBe('{"v":2}');
  });

  it('never prunes young revisions, so a pending writer cannot re-create a pruned number', async () => {
    const store = new LocalConfigStore(join(tmp.root, 'young'));
    let token: string | undefined;
    for (let i = 0; i < 40; i++) token = await store.put('doc', JSON.stringify({ i }), token);
    expect(revFiles('young')).toHaveLength(40);
  });

  it('prunes old revisions, and refuses a write based on a read older than maxWriteDelayMs', async () => {
    const store = new LocalConfigStore(join(tmp.root, 'old'), { retentionMs: 0, maxWriteDelayMs: 50 });
    let token: string | undefined;
    for (let i = 0; i < 40; i++) token = await store.put('doc', JSON.stringify({ i }), token);
    const left = revFiles('old');
    expect(left.length).toBeLessThan(40);
    expect(left).toContain('000000000040.json');
    expect(left).not.toContain('000000000001.json');
    const stale = (await store.get('doc'))!;
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.put('doc', '{"stale":true}', stale.token)).toBeUndefined();
    expect(revFiles('old')).not.toContain('000000000041.json');
    const fresh = (await store.get('doc'))!;
    expect(fresh.text).toBe('{"i":39}');
    expect(await store.put('doc', '{"i":40}', fresh.token)).toMatch(/^41@/);
  });
});
