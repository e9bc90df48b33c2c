/**
 * The hostile-input corpus (test/hostile/generate.ts) through the built CLI: `node dist/cli/bin.js ingest
 * --json` per case, and for each: the exit code, the reason codes, the accounting identity of the summary,
 * one dead letter per failure, every marked good record found in the lake (DuckDB), values that must never be
 * written, nothing written outside the output root, and the process's peak resident memory (workers included,
 * measured by test/hostile/rss.mjs) under the case's bound.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { lakeScan, query } from '../writer/helpers.js';
import { listTree } from '../pipeline/helpers.js';
import { generateCorpus } from './generate.js';
import { stringifyIteratively } from '../../src/core/stringify.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRAPPER = fileURLToPath(new URL('./rss.mjs', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'ocsf-hostile-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const corpusDir = join(base, 'corpus');
mkdirSync(corpusDir);
const cases = generateCorpus(corpusDir);
const peaks: string[] = [];
afterAll(() => console.log(`peak RSS per case:\n${peaks.join('\n')}`));

interface Summary {
  recordsIn: number;
  eventsWritten: number;
  failures: number;
  filtered: number;
  failuresByReason: Record<string, number>;
  balanced: boolean;
}

describe('hostile corpus through the CLI', () => {
  cases.forEach((c, i) => {
    it(c.name, async () => {
      const out = join(base, `lake-${i}`);
      const cwd = join(base, `cwd-${i}`);
      mkdirSync(cwd);
      const rssFile = join(base, `rss-${i}`);
      const before = listTree(base);
      const args = ['ingest', '--source', c.source, '--out', out, '--workers', String(c.workers), '--json', '--validate', 'all', ...(c.extraArgs ?? []), ...c.inputs];
      const r = spawnSync(process.execPath, [WRAPPER, ...args], { cwd, encoding: 'utf8', env: { ...process.env, OCSF_LAKE_RSS_FILE: rssFile }, maxBuffer: 1 << 26 });
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.status, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as Summary;

      // Accounting: every record in is one event, one failure or one filtered record.
      expect(s.balanced).toBe(true);
      expect(s.recordsIn).toBe(s.eventsWritten + s.failures + s.filtered);
      if (c.recordsIn !== undefined) expect(s.recordsIn).toBe(c.recordsIn);
      if (c.failures !== undefined) expect(s.failuresByReason).toEqual(c.failures);
      else {
        expect(s.failuresByReason['mapper-error']).toBeUndefined();
        expect(s.failuresByReason['read-error']).toBeUndefined();
      }

      // One dead letter per failure, each with its raw record.
      const dead = listTree(out)
        .filter((f) => f.startsWith('dlq/'))
        .flatMap((f) => gunzipSync(readFileSync(join(out, f))).toString('utf8').split('\n').filter((l) => l !== ''))
        .map((l) => JSON.parse(l) as { reason: string; raw: unknown });
      expect(dead).toHaveLength(s.failures);
      for (const d of dead) expect(d.raw, d.reason).not.toBeUndefined();

      // Every good record beside the bad ones is in the lake; values that must not be written are not.
      if (s.eventsWritten > 0) {
        const rows = await query(`SELECT count(*)::INTEGER AS n FROM ${lakeScan(out)}`);
        expect(rows[0]!.n).toBe(s.eventsWritten);
      }
      if (c.good) {
        const found = new Set((await query(`SELECT DISTINCT ${c.good.column} AS v FROM ${lakeScan(out)}`)).map((x) => x.v));
        const missing = c.good.values.filter((v) => !found.has(v));
        expect(missing).toEqual([]);
      }
      for (const n of c.never ?? []) {
        const bad = await query(`SELECT ${n.column} AS v FROM ${lakeScan(out)} WHERE ${n.column} IN (${n.values.map((v) => `'${v}'`).join(',')})`);
        expect(bad).toEqual([]);
      }
      for (const h of c.has ?? []) {
        const found = new Set((await query(`SELECT ${h.column} AS v FROM ${lakeScan(out)}`)).map((x) => x.v));
        expect(h.values.filter((v) => !found.has(v))).toEqual([]);
      }

      // Nothing is written outside the output root (the inputs and the working directory are untouched).
      const outside = listTree(base).filter((f) => !f.startsWith(`lake-${i}/`) && f !== relative(base, rssFile) && !before.includes(f));
      expect(outside).toEqual([]);

      const peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
      peaks.push(`  ${c.name}: ${peakMiB.toFixed(0)} MiB (bound ${c.maxRssMiB})`);
      expect(peakMiB).toBeLessThan(c.maxRssMiB);
    }, 60_000);
  });
});

it('a limit flag out of range is a usage error (exit 2, one line)', () => {
  const r = spawnSync(process.execPath, [WRAPPER, 'ingest', '--source', 'ROUTE53', '--out', join(base, 'never'), '--max-depth', '0', cases[0]!.inputs[0]!], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--max-depth must be an integer from 1 to 10000, got 0/);
  expect(listTree(base).some((f) => f.startsWith('never/'))).toBe(false);
});

it('map on the calling thread: a 20,000-deep record is one too-deep failure written whole to --dlq, the rest on stdout', () => {
  const deep = cases.find((c) => c.name.startsWith('deep nesting among'))!;
  const dlq = join(base, 'map-dlq.ndjson');
  const inputs = [deep.inputs[99]!, deep.inputs[100]!, deep.inputs[101]!]; // good, 20,000 deep, good
  const r = spawnSync(process.execPath, [WRAPPER, 'map', '--source', 'cloudtrail', '--dlq', dlq, ...inputs], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { metadata: { uid: string } }).metadata.uid)).toEqual(['deep-good-99', 'deep-good-100']);
  const failures = readFileSync(dlq, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; raw: unknown });
  expect(failures.map((f) => f.reason)).toEqual(['too-deep']);
  // The raw record is whole: the file's only record, byte for byte.
  const file = readFileSync(deep.inputs[100]!, 'utf8');
  expect(stringifyIteratively(failures[0]!.raw)).toBe(file.slice('{"Records":['.length, -']}'.length));
  expect(r.stderr).toMatch(/failures 1 \(too-deep 1\)/);
});

// The corpus is generated from a seed: the same seed gives the same bytes (so a failure reproduces).
it('the generator is deterministic', () => {
  const again = join(base, 'again');
  mkdirSync(again);
  const other = generateCorpus(again);
  expect(other.map((c) => [c.name, c.recordsIn, c.good?.values.length])).toEqual(cases.map((c) => [c.name, c.recordsIn, c.good?.values.length]));
  const a = readFileSync(join(corpusDir, 'fuzz/route53.json'));
  const b = readFileSync(join(again, 'fuzz/route53.json'));
  expect(a.equals(b)).toBe(true);
  expect(readdirSync(again).sort()).toEqual(readdirSync(corpusDir).sort());
});
