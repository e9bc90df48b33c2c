import { describe, expect, it } from 'vitest';
import { ceilings, summarize, targets } from '../../bench/e2e/targets.js';
import type { Summary } from '../../bench/e2e/targets.js';
import type { Contender, RunResult } from '../../bench/e2e/run-one.js';

const set = { records: 100_000, gzBytes: 20e6 };

function run(contender: Contender, elapsedMs: number, cpuMs: number, threads = 1): RunResult {
  return { contender, source: 'cloudtrail', records: set.records, elapsedMs, cpuMs, outBytes: 0, outFiles: 0, maxRss: 100 * 2 ** 20, threads };
}

/** One summary per contender from repetitions given as [wall ms, CPU ms]. */
function rows(reps: Partial<Record<Contender, [number, number][]>>): Summary[] {
  return Object.entries(reps).map(([c, rs]) => summarize(set, rs.map(([ms, cpu]) => run(c as Contender, ms, cpu, c === 'ours-default' ? 2 : 1))));
}

describe('bench:e2e arithmetic', () => {
  it('summarizes the median wall time, records/s, input MB/s and the cores kept busy', () => {
    const [s] = rows({ 'ours-1': [[5000, 6500], [4000, 5000], [6000, 7000]] });
    expect(s!.medianMs).toBe(5000);
    expect(s!.recordsPerSec).toBe(20_000);
    expect(s!.inputMBps).toBe(4);
    expect(s!.coresBusy).toBeCloseTo(6500 / 5000, 10);
    expect(s!.runsMs).toEqual([5000, 4000, 6000]);
  });

  it('bounds a target by floor + Parquet encode and by cores ÷ cores busy, and says when the bound is below the goal', () => {
    const r = rows({
      floor: [[1000, 1000]],
      'ours-1': [[8000, 10_000]], // 1.25 cores busy
      'ours-default': [[6000, 11_400]],
      'duckdb-1': [[3000, 3000]],
    });
    // floor 1,000 ms + encode 2,000 ms for 100k records → 33,333 records/s, whatever the other stages cost
    const c = ceilings(set.records, r, 2000, 2);
    expect(c.floorPlusEncode).toBeCloseTo(100_000 / 3, 6);
    expect(c.workers).toBeCloseTo(2 / 1.25, 10);

    const ts = targets('cloudtrail', r, { records: 1000, mapPerSec: 250_000, jsonParsePerSec: 200_000 }, c);
    const by = (what: string) => ts.find((t) => t.what.startsWith(what))!;
    const vsDuck = by('CloudTrail, 1 worker ÷ DuckDB');
    expect(vsDuck.value).toBeCloseTo(12_500 / 33_333.33, 4);
    expect(vsDuck.ceiling).toBeCloseTo(1.0, 6); // the ceiling rate equals DuckDB-1's
    expect(vsDuck.met).toBe(false);
    expect(by('CloudTrail, 1 worker ÷ floor').ceiling).toBeCloseTo(1 / 3, 6);
    const workers = by('CloudTrail, default workers');
    expect(workers.value).toBeCloseTo(8000 / 6000, 10);
    expect(workers.ceiling).toBeCloseTo(1.6, 10);
    expect(workers.goal).toBe(1.6);
    const mapping = by('cloudtrail: mapping alone');
    expect(mapping.value).toBeCloseTo(1.25, 10);
    expect(mapping.ceiling).toBeUndefined();
    expect(ts.some((t) => t.what.startsWith('VPC'))).toBe(false);
  });

  it('leaves a ceiling out when its measurement is missing (no profile, no floor)', () => {
    const r = rows({ 'ours-1': [[8000, 8000]], 'duckdb-1': [[4000, 4000]] });
    const c = ceilings(set.records, r, undefined, 2);
    expect(c.floorPlusEncode).toBeUndefined();
    expect(c.workers).toBe(2);
    const vpc = targets('vpc_flow', r, undefined, c);
    expect(vpc).toHaveLength(1);
    expect(vpc[0]!.value).toBeCloseTo(0.5, 10);
    expect(vpc[0]!.ceiling).toBeUndefined();
  });
});
