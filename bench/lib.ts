/**
 * Shared bench harness. A suite is a list of cases that each process a batch of `items` units
 * (records, lines, events) per iteration; the table prints units/s and each case's ratio to the
 * suite's reference case measured in the same run (the machine is noisy: compare ratios only).
 *
 * Every bench file is a standalone script (`npx tsx bench/<name>.bench.ts`); `bench/run.ts` runs them
 * all, each in its own process. `BENCH_QUICK=1` shortens every suite (used by bench:compare).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Bench } from 'tinybench';

export interface BenchCase {
  name: string;
  /** Units processed by one call of `fn` (e.g. the number of records in the batch). */
  items: number;
  /** Optional bytes processed by one call, for MB/s. */
  bytes?: number;
  fn: () => unknown;
  /** Marks the case every other case is compared with (e.g. `JSON.parse` of the same records). */
  reference?: boolean;
}

export interface BenchRow {
  suite: string;
  name: string;
  unitsPerSec: number;
  mbPerSec?: number;
  ratioToReference?: number;
  rme: number;
  samples: number;
}

export const QUICK = process.env.BENCH_QUICK === '1';

/** Runs the cases, prints a table, appends the rows to `bench/results/<suite>.json`, returns them. */
export async function runSuite(suite: string, cases: BenchCase[], unit = 'records'): Promise<BenchRow[]> {
  const bench = new Bench({ name: suite, time: QUICK ? 300 : 1500, warmupTime: QUICK ? 100 : 300 });
  for (const c of cases) bench.add(c.name, c.fn);
  await bench.run();
  const ref = cases.find((c) => c.reference);
  const rows: BenchRow[] = [];
  let refRate: number | undefined;
  for (const c of cases) {
    const r = bench.getTask(c.name)?.result;
    if (!r || r.state !== 'completed') throw new Error(`bench case ${c.name} did not complete: ${JSON.stringify(r?.state)}`);
    const opsPerSec = r.throughput.mean;
    const row: BenchRow = {
      suite,
      name: c.name,
      unitsPerSec: opsPerSec * c.items,
      rme: r.latency.rme,
      samples: r.latency.samplesCount,
    };
    if (c.bytes !== undefined) row.mbPerSec = (opsPerSec * c.bytes) / 1e6;
    if (c === ref) refRate = row.unitsPerSec;
    rows.push(row);
  }
  if (refRate !== undefined) for (const row of rows) row.ratioToReference = row.unitsPerSec / refRate;
  printTable(suite, rows, unit, ref?.name);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${suite}.json`, import.meta.url), JSON.stringify(rows, null, 2) + '\n');
  return rows;
}

export function printTable(suite: string, rows: BenchRow[], unit: string, refName?: string): void {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  console.log(`\n## ${suite}${refName ? ` (ratio vs "${refName}")` : ''}`);
  console.log(`| case | ${unit}/s | MB/s | ratio | ±% | samples |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${fmt(r.unitsPerSec)} | ${r.mbPerSec === undefined ? '' : fmt(r.mbPerSec)} | ${r.ratioToReference === undefined ? '' : r.ratioToReference.toFixed(2) + '×'} | ${r.rme.toFixed(1)} | ${r.samples} |`,
    );
  }
}
