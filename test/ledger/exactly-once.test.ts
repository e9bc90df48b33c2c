/**
 * The exactly-once contract through the library: whatever the order of runs, worker counts, file rolling,
 * changed inputs, concurrent runs, replays and interrupted commits, the lake read back with DuckDB holds the
 * events of one clean run, once each, and the ledger agrees with the table paths.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLakeIntegrity, createLocalSink, createS3Sink, ingest, Ledger, replay } from '../../src/index.js';
import { startS3 } from '../lake/helpers.js';
import type { TestS3 } from '../lake/helpers.js';
import type { IngestOptions, IngestResult, LakeStore } from '../../src/index.js';
import { balanced } from '../../src/pipeline/summary.js';
import { runShard } from '../../src/pipeline/shard.js';
import type { ShardConfig } from '../../src/pipeline/shard.js';
import { listInputs } from '../../src/pipeline/inputs.js';
import { LIBRARY_VERSION } from '../../src/core/version.js';
import { writeSamples } from '../../src/samples/index.js';
import { LOG_DIR, STAGING_DIR } from '../../src/ledger/entry.js';
import { listTree, tempDir, writeBadInputs } from '../pipeline/helpers.js';
import { lakeScan, query } from '../writer/helpers.js';

const tmp = tempDir('ocsf-ledger-');
afterAll(() => tmp.cleanup());

const base = { fsync: false, validate: 'off' as const };
let seq = 0;
const fresh = () => join(tmp.dir, `lake-${++seq}`);

/** 16 CloudTrail and 8 Route 53 objects over 2 regions, plus the three bad objects (dead letters). */
function inputs(dir: string, seed = 31): string {
  const spread = { regions: ['us-east-1', 'eu-west-1'], accounts: ['111122223333'], firstDay: Date.UTC(2024, 2, 14), days: 1 };
  writeSamples(dir, { records: { cloudtrail: 800, route53: 400 }, perFile: 50, spread, seed });
  writeBadInputs(dir);
  return dir;
}

/** Every row of every table of a lake, as sorted content hashes (a multiset). */
async function rows(lake: string): Promise<string[]> {
  const out: string[] = [];
  for (const table of existsSync(join(lake, 'aws')) ? readdirSync(join(lake, 'aws')) : []) {
    const r = await query(`SELECT md5(t::VARCHAR) AS h FROM ${lakeScan(join(lake, 'aws', table))} t`);
    out.push(...r.map((x) => `${table}:${String(x.h)}`));
  }
  return out.sort();
}

async function expectConsistent(lake: string): Promise<void> {
  const report = await checkLakeIntegrity(createLocalSink(lake, { fsync: false }));
  expect(report.issues).toEqual([]);
}

function expectAccounted(r: IngestResult): void {
  const c = r.counts;
  expect(c.recordsIn).toBe(c.eventsWritten + c.failures + c.filtered + c.recordsNotStored);
  expect(r.balanced).toBe(c.recordsNotStored === 0);
}

let src = '';
let clean: string[] = [];
let cleanRun: IngestResult;
beforeAll(async () => {
  src = inputs(join(tmp.dir, 'in'));
  const lake = fresh();
  cleanRun = await ingest([src], { ...base, out: lake, workers: 1 });
  clean = await rows(lake);
  expect(cleanRun.balanced).toBe(true);
  expect(clean.length).toBe(cleanRun.counts.eventsWritten);
  expect(clean.length).toBeGreaterThan(1000);
}, 120_000);

describe('re-runs', () => {
  it('growing input: only the new object is read, and the lake holds one copy of everything', async () => {
    const dir = join(tmp.dir, 'growing');
    cpSync(src, dir, { recursive: true });
    const moved = join(tmp.dir, 'growing-later.json.gz');
    const first = join(dir, listTree(dir).find((k) => k.startsWith('cloudtrail/'))!);
    renameSync(first, moved);
    const lake = fresh();
    const a = await ingest([dir], { ...base, out: lake, workers: 1 });
    renameSync(moved, first);
    const b = await ingest([dir], { ...base, out: lake, workers: 1 });
    expectAccounted(a);
    expectAccounted(b);
    expect(b.counts.inputs).toBe(1);
    expect(b.counts.objectsSkipped).toBe(a.counts.inputs);
    expect(b.counts.recordsSkipped).toBe(a.counts.recordsIn);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });

  it('another worker count, and files closed by age, change nothing on a re-run', async () => {
    const lake = fresh();
    const a = await ingest([src], { ...base, out: lake, workers: 2, writer: { maxAgeMs: 1 }, commitEvery: { objects: 3 } });
    const b = await ingest([src], { ...base, out: lake, workers: 1 });
    const c = await ingest([src], { ...base, out: lake, workers: 2, writer: { maxAgeMs: 1 } });
    expect(a.entries.length).toBeGreaterThanOrEqual(9);
    expect(b.counts.recordsIn + c.counts.recordsIn).toBe(0);
    expect(c.counts.objectsSkipped).toBe(a.counts.inputs);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });

  it('a changed input replaces what its unit wrote, with the unit’s other inputs redone', async () => {
    const dir = join(tmp.dir, 'changed');
    cpSync(src, dir, { recursive: true });
    const lake = fresh();
    const a = await ingest([dir], { ...base, out: lake, workers: 1, commitEvery: { objects: 4 } });
    const file = join(dir, 'bad', 'garbage.txt');
    appendFileSync(file, 'more garbage\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const b = await ingest([dir], { ...base, out: lake, workers: 1 });
    expectAccounted(b);
    expect(b.entries).toHaveLength(1);
    expect(b.entries[0]!.supersedes).toHaveLength(1);
    const replaced = a.entries.find((e) => e.seq === b.entries[0]!.supersedes[0])!;
    expect(b.entries[0]!.inputs.map((i) => i.uri).sort()).toEqual(replaced.inputs.map((i) => i.uri).sort());
    expect(b.counts.objectsSkipped).toBe(a.counts.inputs - replaced.inputs.length);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });

  it('reingest replaces exactly the files of the inputs named', async () => {
    const lake = fresh();
    await ingest([src], { ...base, out: lake, workers: 2 });
    const before = listTree(lake).filter((k) => k.startsWith('aws/'));
    const b = await ingest([join(src, 'route53')], { ...base, out: lake, workers: 1, reingest: true });
    expect(b.counts.objectsSkipped).toBe(0);
    const after = listTree(lake).filter((k) => k.startsWith('aws/'));
    // The Route 53 objects' units are redone (with any CloudTrail object they shared a unit with): new file
    // names, the same content.
    expect(b.counts.inputs).toBeGreaterThanOrEqual(8);
    expect(after).not.toEqual(before);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });
});

describe('concurrent runs into one lake', () => {
  it('commit every input object exactly once; the loser of a race skips it', async () => {
    const lake = fresh();
    const opts: IngestOptions = { ...base, out: lake, workers: 1, commitEvery: { objects: 2 } };
    const [a, b] = await Promise.all([ingest([src], opts), ingest([src], opts)]);
    expectAccounted(a);
    expectAccounted(b);
    const uris = [...a.entries, ...b.entries].flatMap((e) => e.inputs.map((i) => i.uri));
    expect(new Set(uris).size).toBe(uris.length);
    expect(uris.length).toBe(cleanRun.counts.inputs);
    expect(a.counts.eventsWritten + b.counts.eventsWritten).toBe(clean.length);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });
});

describe('interrupted commits', () => {
  it('recovery publishes a committed entry and removes the staging of a dead run', async () => {
    const lake = fresh();
    await ingest([src], { ...base, out: lake, workers: 1, commitEvery: { objects: 5 } });
    const store = createLocalSink(lake, { fsync: false });
    const ledger = await new Ledger(store).load();
    const last = ledger.entries.get(ledger.lastSeq)!;
    // As if the run had died after its commit and before publishing: the files are back in staging, no marker.
    for (const f of last.files) {
      mkdirSync(join(lake, f.staged, '..'), { recursive: true });
      renameSync(join(lake, f.key), join(lake, f.staged));
    }
    rmSync(join(lake, '_ocsf_lake/ledger/published', String(last.seq).padStart(12, '0')));
    // ... and a dead run's uncommitted staging, with its marker (pid 2^22+1 is never a live pid on Linux).
    mkdirSync(join(lake, STAGING_DIR, 'dead-run/u1/aws'), { recursive: true });
    writeFileSync(join(lake, STAGING_DIR, 'dead-run/u1/aws/x.parquet'), 'partial');
    mkdirSync(join(lake, '_ocsf_lake/runs'), { recursive: true });
    writeFileSync(join(lake, '_ocsf_lake/runs/dead-run.json'), JSON.stringify({ run: 'dead-run', host: (await import('node:os')).hostname(), pid: 4194305, beatAt: Date.now() }));
    expect((await checkLakeIntegrity(store)).issues.length).toBeGreaterThan(0);
    const r = await ingest([src], { ...base, out: lake, workers: 1 });
    expect(r.recovered).toEqual({ rolledForward: 1, stagingRemoved: 1 });
    expect(r.counts.recordsIn).toBe(0);
    expect(listTree(lake).filter((k) => k.startsWith(STAGING_DIR) || k.startsWith('_ocsf_lake/runs/'))).toEqual([]);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });
});

describe('replay through the ledger', () => {
  it('replaying twice writes no event twice and no dead letter twice; consumed files are retired', async () => {
    const lake = fresh();
    const a = await ingest([src], { ...base, out: lake, workers: 1 });
    const dead = listTree(lake).filter((k) => k.startsWith('dlq/'));
    expect(dead.length).toBe(3);
    const r1 = await replay([join(lake, 'dlq')], { ...base, out: lake });
    expectAccounted(r1);
    // The same records fail again (nothing was fixed): one new dead letter each, in the replay's own files.
    expect(r1.counts.recordsIn).toBe(a.counts.failures);
    expect(r1.counts.failures).toBe(a.counts.failures);
    const after1 = listTree(lake).filter((k) => k.startsWith('dlq/'));
    expect(after1).toHaveLength(3);
    expect(after1.some((k) => dead.includes(k))).toBe(false);
    expect(listTree(lake).filter((k) => k.startsWith('_ocsf_lake/replayed/dlq/')).sort()).toEqual(dead.map((k) => `_ocsf_lake/replayed/${k}`).sort());
    const r2 = await replay([join(lake, 'dlq')], { ...base, out: lake, deleteReplayed: true });
    expect(r2.counts.failures).toBe(a.counts.failures);
    expect(listTree(lake).filter((k) => k.startsWith('dlq/'))).toHaveLength(3);
    // Replaying the retired files again is a no-op: the ledger has them.
    const r3 = await replay([join(lake, '_ocsf_lake/replayed/dlq')], { ...base, out: lake });
    expect(r3.counts.objectsSkipped).toBe(3);
    expect(r3.counts.recordsIn).toBe(0);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });
});

describe('loss is never reported as success', () => {
  it('a lake whose ledger cannot be written refuses the run before writing anything', async () => {
    const lake = fresh();
    mkdirSync(lake, { recursive: true });
    writeFileSync(join(lake, '_ocsf_lake'), 'not a directory');
    await expect(ingest([src], { ...base, out: lake, workers: 1 })).rejects.toThrow(/_ocsf_lake/);
    expect(listTree(lake)).toEqual(['_ocsf_lake']);
    rmSync(join(lake, '_ocsf_lake'));
    const ok = await ingest([src], { ...base, out: lake, workers: 1 });
    expect(ok.balanced).toBe(true);
    expect(await rows(lake)).toEqual(clean);
  });

  it('a unit whose dead letters fail is counted as not stored, balanced is false, and a re-run redoes it', async () => {
    const lake = fresh();
    const store = createLocalSink(lake, { fsync: false });
    // Staged dead letters are refused: the unit cannot commit.
    const failing: LakeStore = { ...store, put: (key, chunks, bytes) => (key.includes('/dlq/') ? Promise.reject(new Error(`EACCES: ${key}`)) : store.put(key, chunks, bytes)) };
    const cfg: ShardConfig = {
      source: 'auto',
      sourceVersions: [undefined],
      out: { kind: 'local', root: lake, fsync: false },
      validate: 'off',
      libraryVersion: LIBRARY_VERSION,
      ledger: { run: 'failing-run', since: 0, commitEvery: { objects: 100 } },
    };
    const r = await runShard(cfg, listInputs([src]), undefined, failing);
    const c = r.counts;
    expect(c.recordsIn).toBe(c.eventsWritten + c.failures + c.filtered + c.recordsNotStored);
    expect(c.recordsNotStored).toBe(cleanRun.counts.recordsIn);
    expect(balanced(c)).toBe(false);
    expect(r.dlqErrors.join('\n')).toMatch(/EACCES/);
    expect(r.entries).toEqual([]);
    expect(listTree(lake).filter((k) => !k.startsWith('_ocsf_lake/'))).toEqual([]);
    const again = await ingest([src], { ...base, out: lake, workers: 1 });
    expect(again.balanced).toBe(true);
    expect(again.counts.recordsIn).toBe(c.recordsNotStored);
    expect(await rows(lake)).toEqual(clean);
    await expectConsistent(lake);
  });
});

it('the ledger log is dense: every entry from 1 to the last exists once', async () => {
  const lake = fresh();
  await Promise.all([ingest([src], { ...base, out: lake, workers: 2, commitEvery: { objects: 1 } }), ingest([src], { ...base, out: lake, workers: 1, commitEvery: { objects: 1 } })]);
  const seqs = listTree(join(lake, LOG_DIR)).map((k) => Number(k.slice(0, 12)));
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  expect(await rows(lake)).toEqual(clean);
});

describe('on S3 (s3rver)', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('stages, commits and publishes by copy; a re-run skips every input; the ledger agrees with the bucket', async () => {
    const s3opts = { endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
    const out = 's3://lake/team/ocsf';
    // One worker: s3rver ignores If-None-Match, so two committers could overwrite each other's entry there (the
    // CLI suite in test/exactly-once runs several through a proxy that adds S3's conditional writes).
    const a = await ingest([src], { ...base, out, s3: s3opts, workers: 1, commitEvery: { objects: 6 } });
    const b = await ingest([src], { ...base, out, s3: s3opts, workers: 1 });
    expect(a.balanced).toBe(true);
    expect(a.counts.eventsWritten).toBe(clean.length);
    expect(b.counts.objectsSkipped).toBe(a.counts.inputs);
    expect(b.counts.recordsIn).toBe(0);
    const store = createS3Sink({ bucket: 'lake', prefix: 'team/ocsf', client: s3.client });
    const report = await checkLakeIntegrity(store);
    expect(report.issues).toEqual([]);
    const keys = (await store.list('')).map((o) => o.key);
    expect(keys.filter((k) => k.startsWith('_ocsf_lake/staging/') || k.startsWith('_ocsf_lake/runs/'))).toEqual([]);
    const tables = keys.filter((k) => k.startsWith('aws/')).sort();
    expect(tables).toEqual(a.files.map((f) => f.key).sort());
    expect([...report.expectedRows.values()].reduce((x, y) => x + y, 0)).toBe(clean.length);
  });
});
