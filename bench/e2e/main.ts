/**
 * `npm run bench:e2e`: end-to-end throughput of our pipeline against DuckDB and the JSON.parse floor, per
 * source family, on the same gzip files in one run (issue 8). See bench/README.md for what each line is.
 *
 *   npm run bench:e2e -- [--sources cloudtrail,vpc_flow] [--records N] [--reps N] [--quick] [--seed N]
 *                        [--contenders floor,ours-1,...] [--no-profile] [--memory]
 *
 * Each contender runs in its own child process (`run-one.ts`) so its peak RSS is its own; the contenders
 * of one repetition run back to back, repetitions are interleaved, and the table shows medians. The machine
 * is shared and noisy: compare the ratios of one run, not absolute figures across runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLE_SOURCES } from '../../src/samples/index.js';
import type { SampleSource } from '../../src/samples/index.js';
import { DATA_ROOT, ensureData } from './data.js';
import type { DataSet } from './data.js';
import type { ProfileDetail } from './profile.js';
import { CONTENDERS } from './run-one.js';
import type { Contender, RunResult } from './run-one.js';
import { ceilings, median, summarize, targets } from './targets.js';
import type { Ceilings, Summary, Target } from './targets.js';

const RUN_ONE = fileURLToPath(new URL('./run-one.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

/** Default records per source: CloudTrail records are ~1.4 KB, VPC lines ~100-250 B, findings ~2 KB. */
const DEFAULT_RECORDS: Record<SampleSource, number> = { cloudtrail: 250_000, vpc_flow: 200_000, route53: 100_000, security_hub: 25_000, eks_audit: 50_000 };
const QUICK_RECORDS: Record<SampleSource, number> = { cloudtrail: 20_000, vpc_flow: 50_000, route53: 20_000, security_hub: 5_000, eks_audit: 10_000 };

interface Options {
  sources: SampleSource[];
  records?: number;
  reps: number;
  quick: boolean;
  seed: number;
  contenders: Contender[];
  profile: boolean;
  memory: boolean;
  /** True when --reps was given (the memory mode defaults to one run per size). */
  repsGiven: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sources: [...SAMPLE_SOURCES], reps: 3, quick: false, seed: 1, contenders: [...CONTENDERS], profile: true, memory: false, repsGiven: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const name = a.split('=')[0];
    if (name === '--sources') {
      o.sources = val().split(',') as SampleSource[];
      for (const s of o.sources) if (!SAMPLE_SOURCES.includes(s)) throw new Error(`unknown source ${s} (use ${SAMPLE_SOURCES.join(', ')})`);
    } else if (name === '--records') o.records = positive(val(), a);
    else if (name === '--reps') {
      o.reps = positive(val(), a);
      o.repsGiven = true;
    } else if (name === '--seed') o.seed = positive(val(), a);
    else if (name === '--contenders') {
      o.contenders = val().split(',') as Contender[];
      for (const c of o.contenders) if (!CONTENDERS.includes(c)) throw new Error(`unknown contender ${c} (use ${CONTENDERS.join(', ')})`);
    } else if (a === '--quick') o.quick = true;
    else if (a === '--no-profile') o.profile = false;
    else if (a === '--memory') o.memory = true;
    else if (a === '--help' || a === '-h') {
      console.log('npm run bench:e2e -- [--sources a,b] [--records N] [--reps N] [--quick] [--seed N] [--contenders a,b] [--no-profile] [--memory]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.quick && !o.repsGiven) o.reps = 1;
  return o;
}

function positive(v: string, flag: string): number {
  const n = Number(v.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${v}`);
  return n;
}

// ─── running children ───────────────────────────────────────────────────────────────────────────

function outDir(source: string, contender: string): string {
  return join(DATA_ROOT, 'out', source, contender);
}

function runChild(contender: Contender, set: DataSet): RunResult {
  const out = outDir(set.source, contender);
  rmSync(out, { recursive: true, force: true });
  const flags = contender === 'profile' ? ['--expose-gc', '--max-old-space-size=8192'] : [];
  // E2E_NODE_FLAGS: extra Node/V8 flags for every child (e.g. `--single-threaded-gc`, see bench/e2e/README.md).
  if (process.env.E2E_NODE_FLAGS) flags.push(...process.env.E2E_NODE_FLAGS.split(/\s+/).filter(Boolean));
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', RUN_ONE, contender, set.source, set.dir, out], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: process.env,
  });
  const line = r.stdout?.split('\n').find((l) => l.startsWith('@@result '));
  if (r.status !== 0 || line === undefined) {
    throw new Error(`${contender} on ${set.source} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  return JSON.parse(line.slice('@@result '.length)) as RunResult;
}

// ─── printing ───────────────────────────────────────────────────────────────────────────────────

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fix = (n: number, d = 1) => n.toFixed(d);
const ratio = (n: number | undefined) => (n === undefined ? '' : `${n.toFixed(2)}×`);

const LABEL: Record<Contender, string> = {
  floor: 'floor: gunzip + JSON.parse',
  'ours-1': 'ours, 1 worker',
  'ours-1-no-ledger': 'ours, 1 worker, no ledger',
  'ours-default': 'ours, default workers',
  'duckdb-1': 'DuckDB, threads=1',
  'duckdb-default': 'DuckDB, default threads',
  profile: 'profile',
};

function label(c: Contender, source: SampleSource): string {
  if (c === 'floor' && source === 'vpc_flow') return 'floor: gunzip + split lines/fields';
  return LABEL[c];
}

function printTable(set: DataSet, rows: Summary[]): void {
  console.log(`\n## ${set.source}: ${int(set.records)} records, ${set.files.length} files, ${fix(set.gzBytes / 1e6)} MB gzip (seed ${set.seed}), median of ${rows[0]?.reps ?? 0}`);
  console.log('| contender | threads | records/s | input MB/s (gz) | CPU cores busy | peak RSS MB | output MB | files | ours ÷ DuckDB-1 | ÷ floor |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${label(r.contender, set.source)} | ${r.threads} | ${int(r.recordsPerSec)} | ${fix(r.inputMBps)} | ${fix(r.coresBusy, 2)} | ${int(r.peakRssMB)} | ${r.outBytes ? fix(r.outBytes / 1e6) : ''} | ${r.outFiles || ''} | ${ratio(r.vsDuckdb1)} | ${ratio(r.vsFloor)} |`,
    );
  }
}

function printProfile(set: DataSet, p: ProfileDetail, ours1Ms: number | undefined): void {
  const sum = p.stages.filter((s) => !s.sub).reduce((n, s) => n + s.ms, 0);
  console.log(`\n### ${set.source}: our pipeline by stage (1 thread, each stage run alone over all ${int(set.records)} records; ${p.files} files)`);
  console.log('| stage | ms | share | records/s of the stage alone |');
  console.log('|---|---:|---:|---:|');
  for (const s of p.stages) {
    console.log(`| ${s.stage} | ${int(s.ms)} | ${s.sub ? `(${fix((100 * s.ms) / sum)}%)` : `${fix((100 * s.ms) / sum)}%`} | ${s.ms > 0 ? int((set.records * 1000) / s.ms) : ''} |`);
  }
  console.log(`| **sum of stages** | ${int(sum)} | 100% | ${int((set.records * 1000) / sum)} |`);
  if (ours1Ms !== undefined) console.log(`(ingest() with 1 worker took ${int(ours1Ms)} ms median; the difference to the sum is pipeline overhead, scheduling and noise)`);
  const m = p.mappingAlone;
  if (m) {
    console.log(
      `Mapping alone (route + mapper on ${int(m.records)} parsed records, best of 3): ${int(m.mapPerSec)} records/s` +
        (m.jsonParsePerSec !== undefined ? `; JSON.parse of the same records: ${int(m.jsonParsePerSec)} records/s → ${(m.mapPerSec / m.jsonParsePerSec).toFixed(2)}×` : ''),
    );
    if (m.requiredStringifyPerSec !== undefined && m.jsonParsePerSec !== undefined) {
      const parseUs = 1e6 / m.jsonParsePerSec;
      const strUs = 1e6 / m.requiredStringifyPerSec;
      console.log(
        `Of which the spec's compact JSON of requestParameters/responseElements alone (JSON.stringify, same records): ${fix(strUs, 2)} µs/record = ` +
          `${fix((100 * strUs) / parseUs, 0)}% of JSON.parse's ${fix(parseUs, 2)} µs; mapping at 3× JSON.parse would leave ${fix(parseUs / 3 - strUs, 2)} µs/record for everything else`,
      );
    }
  }
}

function printCeilings(set: DataSet, c: Ceilings, rows: Summary[]): void {
  const d1 = rows.find((r) => r.contender === 'duckdb-1');
  const o1 = rows.find((r) => r.contender === 'ours-1');
  const lines: string[] = [];
  if (c.floorPlusEncode !== undefined) {
    lines.push(
      `floor + Parquet encode alone: ${int(c.floorPlusEncode)} records/s` +
        (d1 ? ` = ${ratio(c.floorPlusEncode / d1.recordsPerSec)} DuckDB-1` : '') +
        ' (the most any pipeline writing these rows with parquet-wasm could do here, with mapping, checks, column building, GC and file writes free)',
    );
  }
  if (c.workers !== undefined && o1) {
    lines.push(`workers: ${availableParallelism()} cores ÷ ${fix(o1.coresBusy, 2)} cores busy in the 1-worker run = at most ${ratio(c.workers)} the 1-worker rate`);
  }
  if (lines.length === 0) return;
  console.log(`
### ${set.source}: ceilings measured in this run`);
  for (const l of lines) console.log(`- ${l}`);
}

function printTargets(ts: Target[]): void {
  if (ts.length === 0) return;
  console.log('\n### Targets');
  console.log('| target | measured | goal | met | ceiling in this run |');
  console.log('|---|---:|---:|:---:|---:|');
  for (const t of ts) {
    const cap = t.ceiling === undefined ? '' : `${t.ceiling.toFixed(2)}${t.unit}${t.ceiling < t.goal ? ' (below the goal)' : ''}`;
    console.log(`| ${t.what} | ${t.value.toFixed(2)}${t.unit} | ≥ ${t.goal}${t.unit} | ${t.met ? 'yes' : 'NO'} | ${cap} |`);
  }
}

// ─── modes ──────────────────────────────────────────────────────────────────────────────────────

function machine(): Record<string, unknown> {
  return { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, availableParallelism: availableParallelism(), platform: process.platform };
}

function runSuite(o: Options): void {
  const started = new Date().toISOString();
  const results: Record<string, unknown> = {};
  const allTargets: Target[] = [];
  for (const source of o.sources) {
    const n = o.records ?? (o.quick ? QUICK_RECORDS : DEFAULT_RECORDS)[source];
    const set = ensureData(source, n, o.seed, (s) => console.error(s));
    const runs = new Map<Contender, RunResult[]>();
    for (let rep = 0; rep < o.reps; rep++) {
      // Rotate the order each repetition so no contender always runs first (warm page cache, load swings).
      const order = o.contenders.map((_, i) => o.contenders[(i + rep) % o.contenders.length]!);
      for (const c of order) {
        const r = runChild(c, set);
        console.error(`  ${source} rep ${rep + 1}/${o.reps} ${c}: ${int(r.elapsedMs)} ms, ${int((set.records * 1000) / r.elapsedMs)} records/s, RSS ${int(r.maxRss / 2 ** 20)} MB`);
        if (!runs.has(c)) runs.set(c, []);
        runs.get(c)!.push(r);
      }
    }
    const rows = o.contenders.map((c) => summarize(set, runs.get(c)!));
    const d1 = rows.find((r) => r.contender === 'duckdb-1');
    const fl = rows.find((r) => r.contender === 'floor');
    for (const r of rows) {
      if (d1 && r.contender !== 'duckdb-1') r.vsDuckdb1 = r.recordsPerSec / d1.recordsPerSec;
      if (fl && r.contender !== 'floor') r.vsFloor = r.recordsPerSec / fl.recordsPerSec;
    }
    let profile: ProfileDetail | undefined;
    if (o.profile) {
      const p = runChild('profile', set);
      profile = p.detail as ProfileDetail;
      console.error(`  ${source} profile: ${int(p.elapsedMs)} ms in stages`);
    }
    printTable(set, rows);
    if (profile) printProfile(set, profile, rows.find((r) => r.contender === 'ours-1')?.medianMs);
    const caps = ceilings(set.records, rows, profile?.stages.find((st) => st.stage.startsWith('Parquet encode'))?.ms, availableParallelism());
    printCeilings(set, caps, rows);
    const ts = targets(source, rows, profile?.mappingAlone, caps);
    allTargets.push(...ts);
    results[source] = {
      data: { records: set.records, files: set.files.length, gzBytes: set.gzBytes, seed: set.seed },
      rows,
      profile,
      ceilings: caps,
      targets: ts,
    };
  }
  printTargets(allTargets);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, 'e2e.json');
  writeFileSync(file, JSON.stringify({ started, finished: new Date().toISOString(), machine: machine(), options: o, sources: results }, null, 2) + '\n');
  console.log(`\nwritten ${file}`);
}

/** `--memory`: CloudTrail at 250k and 1M records with 1 worker; peak RSS must stay flat (issue 8: < 1 GB, within 20%). */
function runMemory(o: Options): void {
  const sizes = o.quick ? [25_000, 100_000] : [250_000, 1_000_000];
  const rows: { records: number; gzMB: number; runsMs: number[]; recordsPerSec: number; peakRssMB: number }[] = [];
  for (const n of sizes) {
    const set = ensureData('cloudtrail', n, o.seed, (s) => console.error(s));
    const runs: RunResult[] = [];
    const reps = o.repsGiven ? o.reps : 1;
    for (let rep = 0; rep < reps; rep++) {
      const r = runChild('ours-1', set);
      console.error(`  memory ${int(n)} rep ${rep + 1}/${reps}: ${int(r.elapsedMs)} ms, RSS ${int(r.maxRss / 2 ** 20)} MB`);
      runs.push(r);
    }
    const ms = median(runs.map((r) => r.elapsedMs));
    rows.push({ records: n, gzMB: set.gzBytes / 1e6, runsMs: runs.map((r) => Math.round(r.elapsedMs)), recordsPerSec: (n * 1000) / ms, peakRssMB: median(runs.map((r) => r.maxRss)) / 2 ** 20 });
  }
  console.log('\n## Memory: CloudTrail, ours with 1 worker (peak RSS of the whole process)');
  console.log('| records | input MB (gz) | records/s | peak RSS MB |');
  console.log('|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${int(r.records)} | ${fix(r.gzMB)} | ${int(r.recordsPerSec)} | ${int(r.peakRssMB)} |`);
  const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const growth = b.peakRssMB / a.peakRssMB;
  console.log(`\npeak RSS ${int(b.records)} ÷ ${int(a.records)}: ${growth.toFixed(2)}× (target ≤ 1.20×: ${growth <= 1.2 ? 'met' : 'NOT met'}); ` +
    `${int(b.records)} records peak ${int(b.peakRssMB)} MB (target < 1024 MB: ${b.peakRssMB < 1024 ? 'met' : 'NOT met'})`);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, 'e2e-memory.json');
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine: machine(), rows, growth }, null, 2) + '\n');
  console.log(`written ${file}`);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.memory) runMemory(opts);
else runSuite(opts);
