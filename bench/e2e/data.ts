/**
 * Bench inputs, generated once by the project's seeded sample generator (`src/samples/`) and cached in
 * `.bench-data/<source>-<records>-s<seed>/` (git-ignored). A `manifest.json` written last marks a complete
 * set; the same source, size and seed always give the same bytes, so every contender of a run (and of later
 * runs) reads exactly the same files.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSampleFiles } from '../../src/samples/index.js';
import type { SampleSource } from '../../src/samples/index.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DATA_ROOT = join(REPO, '.bench-data');

export interface DataSet {
  source: SampleSource;
  dir: string;
  /** Input files, relative to `dir`, in generation order. */
  files: string[];
  /** Records in the files (including ones a source filters, e.g. DynamoDB data events in a trail). */
  records: number;
  /** Bytes on disk (gzip). */
  gzBytes: number;
  seed: number;
}

/** The data set of `records` records of `source` with `seed`: read from the cache, or generated into it. */
export function ensureData(source: SampleSource, records: number, seed = 1, log: (s: string) => void = () => undefined): DataSet {
  const dir = join(DATA_ROOT, `${source}-${records}-s${seed}`);
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as DataSet;
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const set: DataSet = { source, dir, files: [], records: 0, gzBytes: 0, seed };
  for (const f of generateSampleFiles(source, records, { seed })) {
    const path = join(dir, 'in', f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.bytes);
    set.files.push(join('in', f.name));
    set.records += f.records;
    set.gzBytes += f.bytes.length;
  }
  writeFileSync(manifest, JSON.stringify(set, null, 1) + '\n');
  log(`generated ${source}: ${set.records} records, ${set.files.length} files, ${(set.gzBytes / 1e6).toFixed(1)} MB gzip in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}`);
  return set;
}

/** Input directory of a data set (what `ingest()` and DuckDB read). */
export function inputDir(set: DataSet): string {
  return join(set.dir, 'in');
}
