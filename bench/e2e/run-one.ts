/**
 * One contender of the end-to-end benchmark, run in its own process so that its peak RSS is its own:
 *
 *   node --import tsx bench/e2e/run-one.ts <contender> <source> <data-dir> <out-dir>
 *
 * contenders: `ours-1` / `ours-default` (`ingest()` with 1 worker / the default worker count, validation off),
 * `floor` (gunzip + JSON.parse of every record, or gunzip + line/field splitting for VPC text), `duckdb-1` /
 * `duckdb-default` (the SQL job of `duckdb-sql.ts` with threads=1 / DuckDB's default threads), and `profile`
 * (our pipeline stage by stage, see `profile.ts`). Prints one line `@@result <json>` on stdout.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { SampleSource } from '../../src/samples/index.js';
import type { DataSet } from './data.js';
import { inputDir } from './data.js';
import { EKS_REGION } from './duckdb-sql.js';

export type Contender = 'ours-1' | 'ours-1-no-ledger' | 'ours-default' | 'floor' | 'duckdb-1' | 'duckdb-default' | 'profile';
export const CONTENDERS: readonly Contender[] = ['floor', 'ours-1', 'ours-1-no-ledger', 'ours-default', 'duckdb-1', 'duckdb-default'];

export interface RunResult {
  contender: Contender;
  source: SampleSource;
  /** Records read (the data set's count; contenders that count check it). */
  records: number;
  elapsedMs: number;
  /**
   * CPU time of the whole process over the timed part (`process.cpuUsage`, every thread: workers, V8's GC
   * and compiler threads, libuv's pool, DuckDB's threads); `cpuMs / elapsedMs` is the cores it kept busy.
   */
  cpuMs: number;
  outBytes: number;
  outFiles: number;
  /** process.resourceUsage().maxRSS, in bytes. */
  maxRss: number;
  /** Worker threads / DuckDB threads used. */
  threads: number;
  /** Contender-specific details (the profile's stages, ingest counts). */
  detail?: unknown;
}

/** ingest() source selector and context per sample family. */
export function ingestSelector(source: SampleSource): { source: string; context?: { region: string } } {
  switch (source) {
    case 'cloudtrail':
      return { source: 'cloudtrail' };
    case 'vpc_flow':
      return { source: 'VPC_FLOW' };
    case 'route53':
      return { source: 'ROUTE53' };
    case 'security_hub':
      return { source: 'SH_FINDINGS' };
    case 'eks_audit':
      return { source: 'EKS_AUDIT', context: { region: EKS_REGION } };
  }
}

const GUNZIP = { chunkSize: 1 << 20 } as const;

/** Starts a timed section; `stop()` gives its wall-clock and process CPU milliseconds. */
function startClock(): { stop(): { elapsedMs: number; cpuMs: number } } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return {
    stop() {
      const elapsedMs = performance.now() - t0;
      const c = process.cpuUsage(c0);
      return { elapsedMs, cpuMs: (c.user + c.system) / 1000 };
    },
  };
}
const DIST_INDEX = new URL('../../dist/index.js', import.meta.url).href;

/** Sum of sizes and count of `.parquet` files under `dir`. */
export function dirStats(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) {
        bytes += statSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

let sink: unknown;

/**
 * The floor: what any JS job has to pay before mapping — read, gunzip (1 MiB chunks) and `JSON.parse` every
 * record in the unit it arrives in (a CloudTrail file's `{"Records":[…]}` at once, one line of JSON lines, a
 * CloudWatch Logs payload and then each event's `message`). For VPC text: read, gunzip, split lines and fields.
 */
export function floor(set: DataSet): number {
  const dir = set.dir;
  let n = 0;
  for (const f of set.files) {
    const text = gunzipSync(readFileSync(join(dir, f)), GUNZIP).toString('utf8');
    switch (set.source) {
      case 'cloudtrail':
        n += (JSON.parse(text) as { Records: unknown[] }).Records.length;
        break;
      case 'vpc_flow': {
        const lines = text.split('\n');
        for (let i = 1; i < lines.length; i++) {
          const l = lines[i]!;
          if (l.length === 0) continue;
          sink = l.split(' ');
          n++;
        }
        break;
      }
      case 'route53':
      case 'security_hub': {
        const lines = text.split('\n');
        for (const l of lines) {
          if (l.length === 0) continue;
          sink = JSON.parse(l);
          n++;
        }
        break;
      }
      case 'eks_audit': {
        // Firehose writes the payloads back to back; the generator's payloads all start with {"messageType".
        for (const p of text.replaceAll('}{"messageType"', '}\n{"messageType"').split('\n')) {
          if (p.length === 0) continue;
          const doc = JSON.parse(p) as { logEvents: { message: string }[] };
          for (const e of doc.logEvents) {
            sink = JSON.parse(e.message);
            n++;
          }
        }
        break;
      }
    }
  }
  return n;
}

/** `workers` undefined: the library's default (the core count, or the calling thread for a small input). */
async function ours(set: DataSet, out: string, workers: number | undefined, ledger = true): Promise<Omit<RunResult, 'contender' | 'source' | 'maxRss'>> {
  // The built package, as users run it (workers then start from compiled JavaScript, not through tsx);
  // `npm run bench:e2e` builds first.
  const { ingest } = (await import(DIST_INDEX)) as typeof import('../../src/index.js');
  const sel = ingestSelector(set.source);
  const clock = startClock();
  const r = await ingest([inputDir(set)], {
    source: sel.source,
    ...(sel.context ? { context: sel.context } : {}),
    out,
    ...(workers !== undefined ? { workers } : {}),
    validate: 'off',
    ledger,
    fsync: process.env.E2E_FSYNC === '1',
    // E2E_WRITER_BUDGET_MB: the writer's memory budget (default 64 MiB), to see its effect on GC and RSS.
    ...(process.env.E2E_WRITER_BUDGET_MB ? { writer: { memoryBudgetBytes: Number(process.env.E2E_WRITER_BUDGET_MB) * 2 ** 20 } } : {}),
  });
  const { elapsedMs, cpuMs } = clock.stop();
  if (r.counts.recordsIn !== set.records) throw new Error(`ingest read ${r.counts.recordsIn} records, the data set has ${set.records}`);
  if (r.counts.failures > 0) throw new Error(`ingest had ${r.counts.failures} failures: ${JSON.stringify(r.counts.failuresByReason)}`);
  const st = dirStats(out);
  return {
    records: r.counts.recordsIn,
    elapsedMs,
    cpuMs,
    outBytes: st.bytes,
    outFiles: st.files,
    threads: r.workers,
    detail: { events: r.counts.eventsWritten, filtered: r.counts.filtered, files: r.counts.files },
  };
}

async function duckdb(set: DataSet, out: string, threads: number | undefined): Promise<Omit<RunResult, 'contender' | 'source' | 'maxRss'>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { duckdbSql } = await import('./duckdb-sql.js');
  const sql = duckdbSql(set.source, inputDir(set), out);
  const clock = startClock();
  const inst = await DuckDBInstance.create(':memory:', threads === undefined ? {} : { threads: String(threads) });
  const conn = await inst.connect();
  await conn.run(sql);
  const { elapsedMs, cpuMs } = clock.stop();
  const used = Number((await conn.runAndReadAll(`SELECT current_setting('threads') AS t`)).getRowObjectsJson()[0]!.t);
  conn.closeSync();
  const st = dirStats(out);
  return { records: set.records, elapsedMs, cpuMs, outBytes: st.bytes, outFiles: st.files, threads: used };
}

async function main(): Promise<void> {
  const [contender, source, dataDir, out] = process.argv.slice(2) as [Contender, SampleSource, string, string];
  const set = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as DataSet;
  if (set.source !== source) throw new Error(`data set ${dataDir} is ${set.source}, not ${source}`);
  let r: Omit<RunResult, 'contender' | 'source' | 'maxRss'>;
  switch (contender) {
    case 'floor': {
      const clock = startClock();
      const n = floor(set);
      const { elapsedMs, cpuMs } = clock.stop();
      if (n !== set.records) throw new Error(`floor parsed ${n} records, the data set has ${set.records}`);
      r = { records: n, elapsedMs, cpuMs, outBytes: 0, outFiles: 0, threads: 1 };
      break;
    }
    case 'ours-1':
      r = await ours(set, out, 1);
      break;
    case 'ours-1-no-ledger':
      r = await ours(set, out, 1, false);
      break;
    case 'ours-default':
      r = await ours(set, out, undefined);
      break;
    case 'duckdb-1':
      r = await duckdb(set, out, 1);
      break;
    case 'duckdb-default':
      r = await duckdb(set, out, undefined);
      break;
    case 'profile': {
      const { profile } = await import('./profile.js');
      r = await profile(set, out);
      break;
    }
    default:
      throw new Error(`unknown contender ${String(contender)}`);
  }
  const result: RunResult = { contender, source, ...r, maxRss: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
  if (sink === Symbol.for('never')) console.log(sink);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error((err as Error).stack ?? err);
    process.exit(1);
  });
}
