/**
 * `npm run bench:compare`: the regression guard (issue 8 item 5). Runs the quick tinybench suites
 * (`BENCH_QUICK=1`, every `bench/*.bench.ts`, each in its own process) and compares every case's ratio to its
 * suite's reference case (e.g. mapping rate ÷ JSON.parse rate of the same records, measured in the same
 * process) with the committed baseline `bench/results/baseline.json`. A ratio more than 10% below its baseline
 * is flagged and the exit code is 1. Ratios, not absolute rates, are compared because the machine is noisy.
 *
 *   npm run bench:compare                      run the quick suites, compare
 *   npm run bench:compare -- --update          run, then rewrite the baseline from this run
 *   npm run bench:compare -- --no-run          compare the result files of the last run without running
 *   npm run bench:compare -- --from out.txt    compare (or --update from) the tables in a saved output of the suites
 *   npm run bench:compare -- --runs 3          run the suites 3 times and compare the median ratio (less noise)
 *   npm run bench:compare -- --threshold 0.15  tolerated drop (default 0.10)
 *   npm run bench:compare -- cloudtrail        only suites whose file name contains "cloudtrail"
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './lib.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(BENCH_DIR, 'results');
const BASELINE = join(RESULTS, 'baseline.json');

export interface Baseline {
  created: string;
  node: string;
  quick: boolean;
  /** `<suite> / <case>` → ratio to the suite's reference case. */
  ratios: Record<string, number>;
}

interface Args {
  update: boolean;
  run: boolean;
  runs: number;
  threshold: number;
  filters: string[];
  from?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { update: false, run: true, runs: 1, threshold: 0.1, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--update') a.update = true;
    else if (x === '--no-run') a.run = false;
    else if (x === '--runs') a.runs = Math.max(1, Number(argv[++i]));
    else if (x === '--from') {
      a.from = argv[++i];
      a.run = false;
    }
    else if (x === '--threshold') a.threshold = Number(argv[++i]);
    else if (x.startsWith('--')) throw new Error(`unknown option ${x}`);
    else a.filters.push(x);
  }
  if (!Number.isFinite(a.threshold) || a.threshold <= 0 || a.threshold >= 1) throw new Error('--threshold must be in (0, 1)');
  if (!Number.isInteger(a.runs)) throw new Error('--runs must be an integer');
  return a;
}

/**
 * Key of a case. Counts in case names (`JSON.parse (3234 CloudTrail records)`) depend on the data and on
 * BENCH_QUICK, so numbers of 3 digits or more become `N`.
 */
export function caseKey(row: Pick<BenchRow, 'suite' | 'name'>): string {
  return `${row.suite} / ${row.name.replace(/\b\d{3,}\b/g, 'N')}`;
}

/** Ratios of every non-reference case in bench/results/ (the last run's files, for --no-run). */
function readRatios(): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(RESULTS)) return out;
  for (const f of readdirSync(RESULTS).sort()) {
    if (!f.endsWith('.json') || f === 'baseline.json' || f.startsWith('e2e')) continue;
    const p = join(RESULTS, f);
    let rows: BenchRow[];
    try {
      rows = JSON.parse(readFileSync(p, 'utf8')) as BenchRow[];
    } catch {
      continue;
    }
    if (!Array.isArray(rows)) continue;
    for (const r of rows) {
      if (typeof r.ratioToReference !== 'number' || r.ratioToReference === 1) continue;
      out.set(caseKey(r), r.ratioToReference);
    }
  }
  return out;
}

/**
 * Runs the quick suites and reads the ratios from the tables they print (not from bench/results/, which other
 * runs on the same checkout may overwrite meanwhile).
 */
function runQuickSuites(filters: string[]): { status: number; ratios: Map<string, number> } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'run.ts'), ...filters], {
    stdio: ['inherit', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, BENCH_QUICK: '1' },
  });
  process.stdout.write(r.stdout ?? '');
  return { status: r.status ?? 1, ratios: parseTables(r.stdout ?? '') };
}

/** Ratios from the Markdown tables `printTable` (bench/lib.ts) prints: `## <suite> (ratio vs ...)`, then `| case | units/s | MB/s | ratio× | ±% | samples |`. */
export function parseTables(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let suite: string | undefined;
  let reference: string | undefined;
  for (const line of text.split('\n')) {
    const h = /^## (\S+)(?: \(ratio vs "(.*)"\))?/.exec(line);
    if (h) {
      suite = h[1];
      reference = h[2];
      continue;
    }
    if (suite === undefined || !line.startsWith('| ') || line.startsWith('| case |')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 6) continue;
    const name = cells.slice(0, cells.length - 5).join('|');
    const m = /^([\d.]+)×$/.exec(cells[cells.length - 3]!);
    if (!m) continue;
    // The reference row is the one the header names; another case can print 1.00× too (validate (mixed) did).
    if (reference !== undefined ? name === reference : Number(m[1]) === 1) continue;
    out.set(caseKey({ suite, name }), Number(m[1]));
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  let current: Map<string, number>;
  if (args.run) {
    const samples = new Map<string, number[]>();
    for (let i = 0; i < args.runs; i++) {
      const { status, ratios } = runQuickSuites(args.filters);
      if (status !== 0) {
        console.error(`bench:compare: the quick suites failed (exit ${status})`);
        process.exit(2);
      }
      for (const [k, v] of ratios) {
        if (!samples.has(k)) samples.set(k, []);
        samples.get(k)!.push(v);
      }
    }
    current = new Map([...samples].map(([k, v]) => [k, median(v)]));
  } else if (args.from !== undefined) {
    current = parseTables(readFileSync(args.from, 'utf8'));
  } else {
    current = readRatios();
  }
  if (current.size === 0) {
    console.error('bench:compare: no benchmark results found');
    process.exit(2);
  }

  if (args.update) {
    let ratios: Record<string, number> = {};
    // With suite filters, only the filtered suites' entries are replaced.
    if (args.filters.length > 0 && existsSync(BASELINE)) ratios = (JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline).ratios;
    for (const [k, v] of current) ratios[k] = Number(v.toFixed(4));
    const sorted = Object.fromEntries(Object.entries(ratios).sort(([a], [b]) => (a < b ? -1 : 1)));
    const b: Baseline = { created: new Date().toISOString(), node: process.version, quick: true, ratios: sorted };
    writeFileSync(BASELINE, JSON.stringify(b, null, 2) + '\n');
    console.log(`\nbench:compare: baseline written (${Object.keys(sorted).length} cases) → ${BASELINE}`);
    return;
  }

  if (!existsSync(BASELINE)) {
    console.error(`bench:compare: no baseline at ${BASELINE}; create it with npm run bench:compare -- --update`);
    process.exit(2);
  }
  const base = JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline;
  const rows: { key: string; base?: number; cur?: number; change?: number; flag: string }[] = [];
  let drops = 0;
  for (const [key, b] of Object.entries(base.ratios)) {
    if (args.filters.length > 0 && !args.filters.some((f) => key.includes(f))) continue;
    const c = current.get(key);
    if (c === undefined) {
      rows.push({ key, base: b, flag: 'missing' });
      continue;
    }
    const change = c / b - 1;
    const dropped = change < -args.threshold;
    if (dropped) drops++;
    rows.push({ key, base: b, cur: c, change, flag: dropped ? 'DROP' : '' });
  }
  for (const [key, c] of current) if (!(key in base.ratios)) rows.push({ key, cur: c, flag: 'new' });

  console.log(`\n## bench:compare (ratio to each suite's reference; baseline ${base.created}, tolerated drop ${(args.threshold * 100).toFixed(0)}%)`);
  console.log('| case | baseline | now | change | |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) {
    const f = (n?: number) => (n === undefined ? '' : `${n.toFixed(2)}×`);
    console.log(`| ${r.key} | ${f(r.base)} | ${f(r.cur)} | ${r.change === undefined ? '' : `${(r.change * 100).toFixed(1)}%`} | ${r.flag} |`);
  }
  const missing = rows.filter((r) => r.flag === 'missing').length;
  const added = rows.filter((r) => r.flag === 'new').length;
  console.log(`\n${drops} case(s) dropped more than ${(args.threshold * 100).toFixed(0)}%, ${missing} missing, ${added} new (update the baseline with --update when cases change on purpose)`);
  process.exitCode = drops > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
