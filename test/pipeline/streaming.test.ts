/**
 * Issue 7 item 1: the pipeline streams, its memory is bounded by the writer's budget and not by the input size,
 * the progress callback reports records/bytes/rates, and `workers: 2` gives the same lake as `workers: 1` with
 * each partition owned by one worker.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index.js';
import type { IngestProgress, IngestResult } from '../../src/index.js';
import { createShardAssigner } from '../../src/pipeline/ingest.js';
import { contextFromKey } from '../../src/pipeline/inputs.js';
import { writeSamples } from '../../src/samples/index.js';
import { expectBalanced, listTree, tempDir, writeBadInputs } from './helpers.js';

const MiB = 1 << 20;

describe('memory is bounded by the writer budget, not by the input size', () => {
  /**
   * The run happens in a child process started with `--expose-gc`, so the heap readings belong to this run
   * alone (not to vitest or another test) and can be taken after a full GC: a post-GC `heapUsed` is the memory
   * the pipeline really retains. With `workers: 1` the shard runs on the main thread, so `heapUsed` covers
   * decoding, mapping and the writer's buffers (each worker thread has its own heap with its own budget).
   *
   * Input: the project's sample generator (EKS audit and Route 53 resolver logs, seeded), generated lazily,
   * one object at a time, as stream inputs (`{ name, stream }`), uncompressed, so that the bytes counted
   * (`bytesIn`, ≈ 85 MiB) are the decoded size — more than 10× the 8 MiB budget. Nothing holds the whole input.
   *
   * Asserted bound: peak post-GC heap − baseline ≤ 4 × budget (32 MiB). The baseline is the post-GC heap after a
   * warm-up run on the same sources (modules, mapping tables, Parquet schemas and parquet-wasm loaded). The
   * budget counts the writer's *estimate* of buffered + in-flight rows, and JS objects take more room than that
   * estimate: measured when this test was written, the peak grew by ~2.6 MiB per MiB of budget (16.7, 27.3 and
   * 47.8 MiB above the baseline for budgets of 4, 8 and 16 MiB) plus ~6 MiB for the object being decoded (its
   * text and parsed records) — hence 4×. Without a working budget the writer keeps every row until the end:
   * the same input then retained ~277 MiB above the baseline. The child also runs with
   * `--max-old-space-size=160`, so an unbounded pipeline dies of OOM rather than passes.
   */
  const BUDGET = 8 * MiB;
  let child: {
    baseline: number;
    peakLive: number;
    peakRaw: number;
    samples: number;
    decodedBytes: number;
    inputs: number;
    result: Pick<IngestResult, 'counts' | 'balanced' | 'elapsedMs' | 'workers'> & { files: number };
    progress: IngestProgress[];
  };

  beforeAll(() => {
    const src = (p: string) => JSON.stringify(pathToFileURL(resolve(p)).href);
    const script = `
      const { ingest } = await import(${src('src/index.ts')});
      const { generateSampleFiles } = await import(${src('src/samples/index.ts')});
      const { gunzipSync } = await import('node:zlib');
      const { mkdtempSync, rmSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const BUDGET = ${BUDGET};
      const dir = mkdtempSync(join(tmpdir(), 'ocsf-mem-'));
      const spread = { regions: ['us-east-1', 'eu-west-1'], accounts: ['111122223333', '444455556666'], firstDay: Date.UTC(2024, 2, 14), days: 1 };
      const opts = { workers: 1, fsync: false, validate: 'off', context: { region: 'us-east-1' } };
      let decodedBytes = 0;
      /** n inputs whose bytes are generated only when the pipeline reads them. */
      function lazyInputs(family, files, perFile, ext, seed) {
        const gen = generateSampleFiles(family, files * perFile, { perFile, spread, seed });
        return Array.from({ length: files }, (_, i) => ({
          name: family + '-' + String(i).padStart(3, '0') + ext,
          stream: (async function* () {
            const f = gen.next().value;
            const bytes = gunzipSync(f.bytes);
            decodedBytes += bytes.length;
            yield bytes;
          })(),
        }));
      }
      // Warm-up on the same sources, then the baseline.
      await ingest([...lazyInputs('eks_audit', 1, 200, '.json', 99), ...lazyInputs('route53', 1, 200, '.log', 99)], { ...opts, out: join(dir, 'warm') });
      decodedBytes = 0;
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peakLive = baseline, peakRaw = baseline, samples = 0;
      const sample = () => {
        peakRaw = Math.max(peakRaw, process.memoryUsage().heapUsed);
        gc();
        peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
        samples++;
      };
      const timer = setInterval(sample, 500);
      const progress = [];
      const inputs = [];
      const eks = lazyInputs('eks_audit', 48, 1000, '.json', 3);
      const r53 = lazyInputs('route53', 40, 2000, '.log', 3);
      for (let i = 0; i < 48; i++) { inputs.push(eks[i]); if (i < 40) inputs.push(r53[i]); }
      const r = await ingest(inputs, { ...opts, out: join(dir, 'lake'), writer: { memoryBudgetBytes: BUDGET }, progressIntervalMs: 250,
        onProgress: (p) => { progress.push(p); } });
      clearInterval(timer);
      sample();
      rmSync(dir, { recursive: true, force: true });
      const result = { counts: r.counts, balanced: r.balanced, elapsedMs: r.elapsedMs, workers: r.workers, files: r.files.length };
      process.stdout.write('RESULT ' + JSON.stringify({ baseline, peakLive, peakRaw, samples, decodedBytes, inputs: inputs.length, result, progress }) + '\\n');
    `;
    const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=160', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: resolve('.'),
      encoding: 'utf8',
      maxBuffer: 64 * MiB,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (run.status !== 0 || !line) throw new Error(`memory child failed (status ${run.status}): ${run.stderr.slice(-4000)}`);
    child = JSON.parse(line.slice(7)) as typeof child;
  }, 120_000);

  it('streams > 10× the budget with peak post-GC heap ≤ baseline + 4 × budget', () => {
    const { counts } = child.result;
    expect(child.decodedBytes).toBeGreaterThan(10 * BUDGET);
    expect(counts.bytesIn).toBe(child.decodedBytes);
    expect(counts.inputs).toBe(child.inputs);
    expect(counts.recordsIn).toBe(48 * 1000 + 40 * 2000);
    expectBalanced(counts);
    expect(counts.failures).toBe(0);
    // The budget made the writer roll files early (more files than partitions), which is what bounds memory.
    expect(child.result.files).toBeGreaterThan(Object.keys(counts.eventsByPartition).length);
    expect(child.samples).toBeGreaterThanOrEqual(10);
    const grown = child.peakLive - child.baseline;
    const report = `peak live heap ${(child.peakLive / MiB).toFixed(1)} MiB, baseline ${(child.baseline / MiB).toFixed(1)} MiB, raw peak ${(child.peakRaw / MiB).toFixed(1)} MiB, input ${(child.decodedBytes / MiB).toFixed(1)} MiB`;
    expect(grown, report).toBeLessThanOrEqual(4 * BUDGET);
    // And far below what holding the input would take.
    expect(grown, report).toBeLessThan(child.decodedBytes / 3);
  });

  it('reports progress: records, bytes, inputs and rates, ending with the run totals', () => {
    const p = child.progress;
    const { counts, elapsedMs } = child.result;
    expect(p.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < p.length; i++) {
      expect(p[i]!.records).toBeGreaterThanOrEqual(p[i - 1]!.records);
      expect(p[i]!.bytes).toBeGreaterThanOrEqual(p[i - 1]!.bytes);
      expect(p[i]!.inputsDone).toBeGreaterThanOrEqual(p[i - 1]!.inputsDone);
      expect(p[i]!.elapsedMs).toBeGreaterThanOrEqual(p[i - 1]!.elapsedMs);
    }
    for (const x of p) {
      expect(x.inputsDone).toBeLessThanOrEqual(x.inputsListed);
      if (x.elapsedMs > 0) {
        expect(x.recordsPerSec).toBeCloseTo((x.records * 1000) / x.elapsedMs, 3);
        expect(x.bytesPerSec).toBeCloseTo((x.bytes * 1000) / x.elapsedMs, 3);
      }
    }
    // Intermediate reports, not only the final one.
    expect(p.some((x) => x.records > 0 && x.records < counts.recordsIn)).toBe(true);
    const last = p.at(-1)!;
    expect(last).toMatchObject({ records: counts.recordsIn, bytes: counts.bytesIn, inputsDone: child.inputs, inputsListed: child.inputs, listingDone: true });
    expect(last.recordsPerSec).toBeGreaterThan(0);
    expect(last.bytesPerSec).toBeGreaterThan(0);
    expect(last.elapsedMs).toBeLessThanOrEqual(elapsedMs);
  });
});

describe('workers: 2 gives the same lake as workers: 1', () => {
  const tmp = tempDir();
  let inputs: string;
  let one: IngestResult;
  let two: IngestResult;
  let twoAgain: IngestResult;
  const progress: IngestProgress[] = [];

  beforeAll(async () => {
    inputs = join(tmp.dir, 'in');
    // CloudTrail and VPC flow logs under their AWS delivery keys (AWSLogs/<account>/<service>/<region>/Y/M/D/):
    // the key carries the partition. 6 (region, account, day) keys, 4 objects each per family.
    const spread = { regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], accounts: ['111122223333', '444455556666'], firstDay: Date.UTC(2024, 2, 14), days: 1 };
    const written = writeSamples(inputs, { records: { cloudtrail: 2400, vpc_flow: 2400 }, perFile: 100, spread, seed: 11 });
    // Both workers own some of the keys (the split below would otherwise prove nothing).
    const assign = createShardAssigner(2);
    const owners = new Set(written.map((f) => assign({ name: f.path, context: contextFromKey(f.path) })));
    expect(owners.size).toBe(2);
    writeBadInputs(inputs); // and three bad objects, so that there are dead letters too
    const opts = { fsync: false, validate: 'off' as const };
    one = await ingest([inputs], { ...opts, out: join(tmp.dir, 'w1'), workers: 1 });
    two = await ingest([inputs], { ...opts, out: join(tmp.dir, 'w2'), workers: 2, onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    twoAgain = await ingest([inputs], { ...opts, out: join(tmp.dir, 'w2'), workers: 2 });
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('writes the same events per partition, class and source', () => {
    expect(one.workers).toBe(1);
    expect(two.workers).toBe(2);
    expectBalanced(one.counts);
    expectBalanced(two.counts);
    expect(one.counts.recordsIn).toBe(4805);
    expect(one.counts.failuresByReason).toEqual({ 'invalid-type': 1, 'unknown-format': 1, 'empty-input': 1 });
    expect(two.counts.eventsByPartition).toEqual(one.counts.eventsByPartition);
    expect(two.counts.eventsByClass).toEqual(one.counts.eventsByClass);
    expect(two.counts.eventsBySource).toEqual(one.counts.eventsBySource);
    expect(two.counts.filteredByReason).toEqual(one.counts.filteredByReason);
    expect(two.counts.failuresByReason).toEqual(one.counts.failuresByReason);
    // Every source of the family landed (management, S3 data, Lambda data events) plus VPC flow.
    expect(Object.keys(one.counts.eventsBySource).sort()).toEqual(['CLOUD_TRAIL_MGMT@2.0', 'LAMBDA_EXECUTION@2.0', 'S3_DATA@2.0', 'VPC_FLOW@2.0']);
  });

  it('does not split a partition across workers: one file per partition, as with one worker', () => {
    const partitions = Object.keys(one.counts.eventsByPartition);
    expect(partitions.length).toBeGreaterThanOrEqual(18);
    expect(one.files).toHaveLength(partitions.length);
    expect(two.files).toHaveLength(partitions.length);
    const dirs = (r: IngestResult) => r.files.map((f) => f.key.slice(0, f.key.lastIndexOf('/'))).sort();
    expect(dirs(two)).toEqual(dirs(one));
    const onDisk = listTree(join(tmp.dir, 'w2')).filter((k) => k.endsWith('.parquet') && !k.startsWith('_ocsf_lake/'));
    expect(onDisk).toEqual(two.files.map((f) => f.key).sort());
  });

  it('re-running with two workers skips every input the ledger has and writes nothing', () => {
    expect(twoAgain.counts.objectsSkipped).toBe(two.counts.inputs);
    expect(twoAgain.counts.recordsSkipped).toBe(two.counts.recordsIn);
    expect(twoAgain.counts.recordsIn).toBe(0);
    expect(twoAgain.files).toEqual([]);
    expect(twoAgain.dlqFiles).toEqual([]);
    expect(two.dlqFiles.length).toBeGreaterThanOrEqual(3);
    const table = (k: string) => !k.startsWith('_ocsf_lake/');
    expect(listTree(join(tmp.dir, 'w2')).filter(table).sort()).toEqual([...two.files.map((f) => f.key), ...two.dlqFiles].sort());
  });

  it('merges progress from both workers', () => {
    const last = progress.at(-1)!;
    expect(last.records).toBe(two.counts.recordsIn);
    expect(last.inputsDone).toBe(two.counts.inputs);
    expect(last.bytes).toBe(two.counts.bytesIn);
  });
});
