/**
 * Issue 7 item 2: exact accounting (`recordsIn == eventsWritten + failures + filtered`) under bad input and under
 * injected sink faults, the dead-letter files and what they hold, and idempotent re-runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSink, ingest, replay, unregisterSource } from '../../src/index.js';
import type { IngestResult } from '../../src/index.js';
import { listInputs } from '../../src/pipeline/inputs.js';
import { runShard } from '../../src/pipeline/shard.js';
import type { ShardConfig, ShardResult } from '../../src/pipeline/shard.js';
import { LIBRARY_VERSION } from '../../src/core/version.js';
import { balanced } from '../../src/pipeline/summary.js';
import { generateSampleFiles, writeSamples } from '../../src/samples/index.js';
import {
  ACME_CONTEXT,
  ACME_SSO,
  acmeLines,
  DLQ_KEY,
  expectBalanced,
  faultySink,
  listTree,
  permanentError,
  readDeadLetters,
  registerAcmeSso,
  tempDir,
  transientError,
  writeBadInputs,
} from './helpers.js';
import type { FaultySink } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * A folder of good sample objects (CloudTrail and VPC flow logs under their AWS keys, 2 regions × 1 account × 1
 * day) plus three bad ones (a CloudTrail record of the wrong type, a file of no known format, an empty file):
 * kept small, the point is the bookkeeping.
 */
function mixedInputs(dir: string): void {
  const spread = { regions: ['us-east-1', 'eu-west-1'], accounts: ['111122223333'], firstDay: Date.UTC(2024, 2, 14), days: 1 };
  writeSamples(dir, { records: { cloudtrail: 400, vpc_flow: 400 }, perFile: 100, spread, seed: 21 });
  writeBadInputs(dir);
}

describe('accounting under injected sink faults', () => {
  const root = join(tmp.dir, 'faults');
  const inputs = join(tmp.dir, 'faults-in');
  let clean: ShardResult;
  let faulty: ShardResult;
  let sink: FaultySink;
  let transientKey = '';
  let permanentKey = '';
  const cfg = (out: string): ShardConfig => ({
    source: 'auto',
    sourceVersions: [undefined],
    out: { kind: 'local', root: out, fsync: false },
    validate: 'off',
    libraryVersion: LIBRARY_VERSION,
  });

  beforeAll(async () => {
    mixedInputs(inputs);
    // A clean run names the files; the faulty run then fails two of them (names are deterministic).
    clean = await runShard(cfg(join(tmp.dir, 'faults-clean')), listInputs([inputs]));
    transientKey = clean.files.find((f) => f.source === 'VPC_FLOW' && f.partition.region === 'eu-west-1')!.key;
    permanentKey = clean.files.find((f) => f.source === 'CLOUD_TRAIL_MGMT' && f.partition.region === 'us-east-1' && f.partition.accountId === '111122223333')!.key;
    // transientKey: one transient failure, then the store recovers. permanentKey: transient, then permanent.
    sink = faultySink(createLocalSink(root, { fsync: false }), (key, attempt) => {
      if (key === transientKey && attempt === 1) return transientError(key);
      if (key === permanentKey) return attempt === 1 ? transientError(key) : permanentError(key);
      return undefined;
    });
    faulty = await runShard(cfg(root), listInputs([inputs]), undefined, sink);
  }, 60_000);

  it('balances the clean and the faulty run', () => {
    expectBalanced(clean.counts);
    expectBalanced(faulty.counts);
    expect(faulty.counts.recordsIn).toBe(clean.counts.recordsIn);
    expect(clean.counts.failuresByReason).toEqual({ 'invalid-type': 1, 'unknown-format': 1, 'empty-input': 1 });
  });

  it('retries a file that failed transiently under the same key: its rows land', () => {
    const attempts = sink.log.filter((l) => l.key === transientKey);
    expect(attempts.map((a) => a.failed)).toEqual([true, false]);
    expect(faulty.files.map((f) => f.key)).toContain(transientKey);
    expect(listTree(root)).toContain(transientKey);
  });

  it('dead-letters the rows of a file that keeps failing as sink-error, with their events and mapper version', () => {
    const lost = clean.files.find((f) => f.key === permanentKey)!.rows;
    expect(lost).toBeGreaterThan(0);
    expect(sink.log.filter((l) => l.key === permanentKey).every((l) => l.failed)).toBe(true);
    expect(faulty.files.map((f) => f.key)).not.toContain(permanentKey);
    expect(listTree(root)).not.toContain(permanentKey);
    expect(faulty.counts.failuresByReason).toEqual({ ...clean.counts.failuresByReason, 'sink-error': lost });
    expect(faulty.counts.eventsWritten).toBe(clean.counts.eventsWritten - lost);
    const partition = permanentKey.slice(0, permanentKey.lastIndexOf('/'));
    expect(faulty.counts.eventsByPartition[partition]).toBeUndefined();
    expect(faulty.counts.eventsByPartition).toEqual(Object.fromEntries(Object.entries(clean.counts.eventsByPartition).filter(([k]) => k !== partition)));
    const entries = readDeadLetters(root).filter((e) => e.reason === 'sink-error');
    expect(entries).toHaveLength(lost);
    for (const e of entries) {
      expect(e.file).toMatch(DLQ_KEY);
      expect(e.file.startsWith('dlq/CLOUD_TRAIL_MGMT/sink-error/eventDay=')).toBe(true);
      expect(e.message).toContain(permanentKey);
      expect(e.message).toContain('AccessDenied');
      expect(e.mapper).toBe(`CLOUD_TRAIL_MGMT@2.0 ocsf-lake/${LIBRARY_VERSION}`);
      expect(e.input).toMatch(/CloudTrail\/us-east-1\//);
      expect(typeof e.index).toBe('number');
      expect((e.event as { class_uid: number }).class_uid).toBeGreaterThan(0);
      expect((e.event as { cloud: { region: string } }).cloud.region).toBe('us-east-1');
    }
  });

  it('replays the sink-error dead letters once the store works again', async () => {
    const dlqDir = join(root, 'dlq', 'CLOUD_TRAIL_MGMT', 'sink-error');
    const r = await replay([dlqDir], { out: root, fsync: false, validate: 'off' });
    // (Not expectBalanced: replay leaves eventsByClass empty for events it writes directly.)
    expect(r.balanced).toBe(true);
    expect(r.counts.recordsIn).toBe(r.counts.eventsWritten + r.counts.failures + r.counts.filtered);
    expect(r.counts.failures).toBe(0);
    expect(r.counts.eventsWritten).toBe(clean.files.find((f) => f.key === permanentKey)!.rows);
  });

  it('counts dead letters the store refused as not stored, never as failures that are safe', async () => {
    const out = join(tmp.dir, 'faults-dlq');
    const s = faultySink(createLocalSink(out, { fsync: false }), (key) => (key.startsWith('dlq/') ? permanentError(key) : undefined));
    const r = await runShard(cfg(out), listInputs([inputs]), undefined, s);
    expect(r.counts.recordsIn).toBe(r.counts.eventsWritten + r.counts.failures + r.counts.filtered + r.counts.recordsNotStored);
    expect(r.counts.failures).toBe(0);
    expect(r.counts.recordsNotStored).toBe(3);
    expect(balanced(r.counts)).toBe(false);
    expect(r.dlqFiles).toEqual([]);
    expect(r.dlqErrors.join('\n')).toMatch(/AccessDenied/);
  });
});

describe('a flood of failures', () => {
  it('is written to the dead-letter store as the run goes, not held until the end', async () => {
    // 3 objects × 800 Route 53 records whose timestamp is not a time, each padded to ~9 KB: ~21 MB of dead
    // letters, more than one dead-letter file holds (16 MiB), so one file is full before the last object ends.
    const f = [...generateSampleFiles('route53', 1, { perFile: 1, seed: 23 })][0]!;
    const record = JSON.parse(gunzipSync(f.bytes).toString('utf8')) as Record<string, unknown>;
    const objects = [0, 1, 2].map((k) => ({
      name: `flood-${k}.log`,
      bytes: Buffer.from(
        Array.from({ length: 800 }, (_, i) => JSON.stringify({ ...record, query_timestamp: `not a time ${k}/${i}`, padding: 'x'.repeat(9000) })).join('\n'),
      ),
    }));
    const out = join(tmp.dir, 'flood');
    const sink = faultySink(createLocalSink(out, { fsync: false }), () => undefined);
    const putsAtProgress: number[] = [];
    const r = await runShard(
      { source: 'auto', sourceVersions: [undefined], out: { kind: 'local', root: out, fsync: false }, validate: 'off', libraryVersion: LIBRARY_VERSION },
      listInputs(objects),
      () => putsAtProgress.push(sink.log.length),
      sink,
    );
    expectBalanced(r.counts);
    expect(r.counts.failuresByReason).toEqual({ 'invalid-time': 2400 });
    expect(putsAtProgress).toHaveLength(3);
    // After the last object, before the run's final flush, the first full file is already stored.
    expect(putsAtProgress[2]).toBe(1);
    expect(sink.log[0]!.key).toMatch(/^dlq\/ROUTE53\/invalid-time\//);
    expect(r.dlqFiles).toHaveLength(2);
    expect(readDeadLetters(out)).toHaveLength(2400);
  });
});

describe('dead-letter files', () => {
  const root = join(tmp.dir, 'dlq-lake');
  let result: IngestResult;
  const lines = acmeLines(12, (i) => (i === 4 || i === 9 ? { user_id: 1000 + i } : {}));
  const ndjson = [...lines.slice(0, 6), '{"acme_sso": "mallory", "at": ', ...lines.slice(6), '[1, 2]'].join('\n') + '\n';

  beforeAll(async () => {
    registerAcmeSso();
    result = await ingest([{ name: 'sso/2024-03-14.ndjson.gz', bytes: gzipSync(ndjson) }], { out: root, fsync: false, validate: 'all', workers: 1, context: ACME_CONTEXT });
  });
  afterAll(() => unregisterSource(ACME_SSO));

  it('writes the good events and dead-letters the rest, balanced', () => {
    expectBalanced(result.counts);
    expect(result.counts).toMatchObject({ recordsIn: 14, eventsWritten: 10, failures: 4, filtered: 0 });
    expect(result.counts.failuresByReason).toEqual({ 'validation-failed': 2, 'invalid-json': 1, 'not-an-object': 1 });
    expect(result.counts.eventsBySource).toEqual({ 'ACME_SSO@1.0': 10 });
    expect(result.files.map((f) => f.key)).toEqual([expect.stringMatching(/^ext\/ACME_SSO\/1\.0\/region=us-east-1\/accountId=123456789012\/eventDay=20240314\/[0-9a-f]{32}\.parquet$/)]);
  });

  it('lays them out as dlq/<source>/<reason>/eventDay=YYYYMMDD/<hash>.ndjson.gz', () => {
    const files = listTree(join(root, 'dlq')).map((f) => `dlq/${f}`);
    expect(files.sort()).toEqual([...result.dlqFiles].sort());
    expect(files).toHaveLength(3);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    for (const f of files) {
      const m = DLQ_KEY.exec(f)!;
      expect(m, f).not.toBeNull();
      expect(m[1]).toBe(ACME_SSO);
      expect(m[3]).toBe(today);
      expect(gunzipSync(readFileSync(join(root, f))).toString('utf8').endsWith('\n')).toBe(true);
    }
    expect(files.map((f) => DLQ_KEY.exec(f)![2]).sort()).toEqual(['invalid-json', 'not-an-object', 'validation-failed']);
  });

  it('holds the raw record, the input and line/offset, reason, message, mapper version and validation errors', () => {
    const entries = readDeadLetters(root);
    expect(entries).toHaveLength(4);
    const offsetOf = (line: number) => ndjson.split('\n').slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
    const invalid = entries.filter((e) => e.reason === 'validation-failed').sort((a, b) => a.line! - b.line!);
    expect(invalid.map((e) => e.line)).toEqual([5, 11]);
    for (const e of invalid) {
      expect(e.source).toBe(ACME_SSO);
      expect(e.input).toBe('sso/2024-03-14.ndjson.gz');
      expect(e.offset).toBe(offsetOf(e.line!));
      expect(e.mapper).toBe(`ACME_SSO@1.0 ocsf-lake/${LIBRARY_VERSION}`);
      expect(e.message).toMatch(/^\/user\/uid: /);
      expect(e.errors).toEqual([expect.objectContaining({ path: '/user/uid', message: expect.stringMatching(/string/) })]);
      // The raw record as it was read (replayable after a fix), and the event that was refused.
      expect(e.raw).toEqual(JSON.parse(ndjson.split('\n')[e.line! - 1]!));
      expect((e.event as { user: { uid: unknown } }).user.uid).toBe((e.raw as { user_id: number }).user_id);
      expect(Date.parse(e.failedAt)).toBeGreaterThan(Date.now() - 600_000);
    }
    const badJson = entries.find((e) => e.reason === 'invalid-json')!;
    expect(badJson).toMatchObject({ source: ACME_SSO, input: 'sso/2024-03-14.ndjson.gz', line: 7, offset: offsetOf(7), raw: '{"acme_sso": "mallory", "at": ' });
    expect(badJson.message).toMatch(/^line 7: /);
    const notObject = entries.find((e) => e.reason === 'not-an-object')!;
    // Refused by the mapper itself: the entry names the mapper and its version.
    expect(notObject).toMatchObject({ line: 14, raw: [1, 2], mapper: `ACME_SSO@1.0 ocsf-lake/${LIBRARY_VERSION}` });
    expect(badJson.mapper).toBeUndefined();
  });

  it('with validation off, the same event is refused by the Parquet schema (schema-violation) with its errors', async () => {
    const out = join(tmp.dir, 'dlq-lake-novalidate');
    const r = await ingest([{ name: 'sso.ndjson', bytes: Buffer.from(lines.join('\n')) }], { out, fsync: false, validate: 'off', workers: 1, context: ACME_CONTEXT });
    expectBalanced(r.counts);
    expect(r.counts.failuresByReason).toEqual({ 'schema-violation': 2 });
    const entries = readDeadLetters(out);
    expect(entries.map((e) => e.errors?.[0]?.path)).toEqual(['user.uid', 'user.uid']);
    expect(entries.every((e) => e.mapper === `ACME_SSO@1.0 ocsf-lake/${LIBRARY_VERSION}` && e.event !== undefined)).toBe(true);
  });

  it('works with the default worker count: a user-defined source runs on the calling thread', async () => {
    const out = join(tmp.dir, 'dlq-lake-default-workers');
    const r = await ingest([{ name: 'sso.ndjson', bytes: Buffer.from(lines.join('\n')) }], { out, fsync: false, validate: 'all', context: ACME_CONTEXT });
    expectBalanced(r.counts);
    expect(r.counts).toMatchObject({ eventsWritten: 10, failures: 2 });
    expect(r.workers).toBe(1);
  });
});

// (With two workers: test/pipeline/streaming.test.ts, 'workers: 2 gives the same lake as workers: 1'.)
describe('re-running the same input writes nothing: the ledger has it', () => {
  const inputs = join(tmp.dir, 'rerun-in');
  const root = join(tmp.dir, 'rerun-lake');
  const runs: IngestResult[] = [];
  const trees: string[][] = [];

  beforeAll(async () => {
    mixedInputs(inputs);
    for (let i = 0; i < 2; i++) {
      runs.push(await ingest([inputs], { out: root, fsync: false, validate: 'all', workers: 1 }));
      trees.push(listTree(root));
    }
  }, 60_000);

  it('skips every input on the re-run: no new Parquet file, no new dead letter, the same table paths', () => {
    const [a, b] = runs as [IngestResult, IngestResult];
    expectBalanced(a.counts);
    expectBalanced(b.counts);
    expect(b.balanced).toBe(true);
    expect(a.dlqFiles.length).toBeGreaterThanOrEqual(3);
    expect(b.counts.objectsSkipped).toBe(a.counts.inputs);
    expect(b.counts.recordsSkipped).toBe(a.counts.recordsIn);
    expect(b.files).toEqual([]);
    expect(b.dlqFiles).toEqual([]);
    const tables = (t: string[]) => t.filter((k) => !k.startsWith('_ocsf_lake/'));
    expect(tables(trees[1]!)).toEqual(tables(trees[0]!));
    expect(tables(trees[0]!).sort()).toEqual([...a.files.map((f) => f.key), ...a.dlqFiles].sort());
  });
});
