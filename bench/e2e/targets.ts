/**
 * The arithmetic of `npm run bench:e2e` (issue 8), kept apart from the runner so it can be tested: run
 * summaries (medians), the ceilings each target can reach in the same run, and the targets themselves.
 */
import type { SampleSource } from '../../src/samples/index.js';
import type { DataSet } from './data.js';
import type { MappingAlone } from './profile.js';
import type { Contender, RunResult } from './run-one.js';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface Summary {
  contender: Contender;
  threads: number;
  reps: number;
  medianMs: number;
  recordsPerSec: number;
  /** gzip input MB/s. */
  inputMBps: number;
  peakRssMB: number;
  /** Median CPU time of the process over the timed part ÷ median wall time: the cores it kept busy. */
  coresBusy: number;
  outBytes: number;
  outFiles: number;
  vsDuckdb1?: number;
  vsFloor?: number;
  runsMs: number[];
}

export function summarize(set: Pick<DataSet, 'records' | 'gzBytes'>, runs: RunResult[]): Summary {
  const ms = median(runs.map((r) => r.elapsedMs));
  const last = runs[runs.length - 1]!;
  return {
    contender: last.contender,
    threads: last.threads,
    reps: runs.length,
    medianMs: ms,
    recordsPerSec: (set.records * 1000) / ms,
    inputMBps: (set.gzBytes / 1e6) / (ms / 1000),
    peakRssMB: median(runs.map((r) => r.maxRss)) / 2 ** 20,
    coresBusy: median(runs.map((r) => r.cpuMs)) / ms,
    outBytes: last.outBytes,
    outFiles: last.outFiles,
    runsMs: runs.map((r) => Math.round(r.elapsedMs)),
  };
}

/**
 * Upper bounds measured in the same run, for the targets they bound:
 * - **floor + encode**: the floor contender (read, gunzip, JSON.parse or line splitting of every record)
 *   plus the profile's "Parquet encode" stage (Arrow IPC + parquet-wasm ZSTD of exactly our output rows,
 *   with our writer properties). No pipeline that writes these rows with this encoder can beat that rate,
 *   even if mapping, checks, column building, buffering, GC and the file writes took no time.
 * - **workers**: a run on C cores can at most go C ÷ (cores the 1-worker run keeps busy) times faster than
 *   the 1-worker run, since no extra worker makes a record cost less CPU.
 */
export interface Ceilings {
  /** records/s of floor + Parquet encode alone. */
  floorPlusEncode?: number;
  /** Highest possible default-workers ÷ 1-worker ratio on this machine. */
  workers?: number;
}

/**
 * `encodeMs`: the profile's "Parquet encode" stage over the same records; `cores`: the cores the run may use
 * (`availableParallelism()`).
 */
export function ceilings(records: number, rows: readonly Summary[], encodeMs: number | undefined, cores: number): Ceilings {
  const fl = rows.find((r) => r.contender === 'floor');
  const o1 = rows.find((r) => r.contender === 'ours-1');
  const out: Ceilings = {};
  if (fl && encodeMs !== undefined) out.floorPlusEncode = (records * 1000) / (fl.medianMs + encodeMs);
  if (o1 && o1.coresBusy > 0) out.workers = cores / o1.coresBusy;
  return out;
}

export interface Target {
  what: string;
  value: number;
  goal: number;
  unit: string;
  met: boolean;
  /** The highest value this target's measure can reach in this run (see {@link ceilings}), when one is known. */
  ceiling?: number;
}

export function targets(source: SampleSource, rows: readonly Summary[], m: MappingAlone | undefined, c: Ceilings): Target[] {
  const by = (c: Contender) => rows.find((r) => r.contender === c);
  const out: Target[] = [];
  const o1 = by('ours-1');
  const oN = by('ours-default');
  const d1 = by('duckdb-1');
  const fl = by('floor');
  const t = (what: string, value: number | undefined, goal: number, ceiling?: number, unit = '×') => {
    if (value !== undefined && Number.isFinite(value)) out.push({ what, value, goal, unit, met: value >= goal, ...(ceiling !== undefined ? { ceiling } : {}) });
  };
  const fe = c.floorPlusEncode;
  if (source === 'cloudtrail') {
    t('CloudTrail, 1 worker ÷ DuckDB threads=1', o1 && d1 ? o1.recordsPerSec / d1.recordsPerSec : undefined, 1.5, fe && d1 ? fe / d1.recordsPerSec : undefined);
    t('CloudTrail, 1 worker ÷ floor (JSON.parse alone)', o1 && fl ? o1.recordsPerSec / fl.recordsPerSec : undefined, 0.25, fe && fl ? fe / fl.recordsPerSec : undefined);
    t('CloudTrail, default workers ÷ our 1 worker', o1 && oN ? oN.recordsPerSec / o1.recordsPerSec : undefined, 1.6, c.workers);
    // The exactly-once ledger (staging, commit, publish) costs under 5% of the throughput.
    const nl = by('ours-1-no-ledger');
    t('CloudTrail, 1 worker with the ledger ÷ without', o1 && nl ? o1.recordsPerSec / nl.recordsPerSec : undefined, 0.95);
  }
  if (source === 'vpc_flow') t('VPC flow text, 1 worker ÷ DuckDB threads=1', o1 && d1 ? o1.recordsPerSec / d1.recordsPerSec : undefined, 1.0, fe && d1 ? fe / d1.recordsPerSec : undefined);
  if (m?.jsonParsePerSec !== undefined) t(`${source}: mapping alone ÷ JSON.parse of the same records`, m.mapPerSec / m.jsonParsePerSec, 3);
  return out;
}
