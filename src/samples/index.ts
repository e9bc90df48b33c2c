/**
 * The project's own sample-data generator (seeded, reproducible): realistic raw inputs for every source in the
 * form AWS delivers them, used by `ocsf-lake demo`, the tests and the benchmarks. Nothing is copied from
 * third-party data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cloudTrailFiles } from './cloudtrail.js';
import { eksAuditFiles, route53Files, securityHubFiles, vpcFlowFiles } from './others.js';
import { Random } from './random.js';
import { DEFAULT_SPREAD } from './spread.js';
import type { SampleFile, SampleSpread } from './spread.js';

export type { SampleFile, SampleSpread } from './spread.js';
export { DEFAULT_SPREAD } from './spread.js';

/** Sample families: `cloudtrail` holds management, S3 data and Lambda data events (and some filtered ones). */
export const SAMPLE_SOURCES = ['cloudtrail', 'vpc_flow', 'route53', 'security_hub', 'eks_audit'] as const;
export type SampleSource = (typeof SAMPLE_SOURCES)[number];

export interface SampleOptions {
  /** PRNG seed (default 1). The same seed and counts give the same bytes. */
  seed?: number;
  /** Records per source family. */
  records: Partial<Record<SampleSource, number>>;
  spread?: SampleSpread;
  /** Records per generated file (default: 1000 for CloudTrail, 2000 lines otherwise, 500 findings). */
  perFile?: number;
}

/** Generates the sample files of one source family, lazily (one file in memory at a time). */
export function generateSampleFiles(source: SampleSource, records: number, opts: Omit<SampleOptions, 'records'> = {}): Generator<SampleFile> {
  // A seed per family, so adding records to one family does not change the others.
  const r = new Random((opts.seed ?? 1) * 7919 + SAMPLE_SOURCES.indexOf(source));
  const spread = opts.spread ?? DEFAULT_SPREAD;
  switch (source) {
    case 'cloudtrail': return cloudTrailFiles(r, spread, records, opts.perFile);
    case 'vpc_flow': return vpcFlowFiles(r, spread, records, opts.perFile);
    case 'route53': return route53Files(r, spread, records, opts.perFile);
    case 'security_hub': return securityHubFiles(r, spread, records, opts.perFile);
    case 'eks_audit': return eksAuditFiles(r, spread, records, opts.perFile);
  }
}

/** Writes samples under `dir/<source>/<AWS key>`; returns the files written with their record counts. */
export function writeSamples(dir: string, opts: SampleOptions): { path: string; source: SampleSource; records: number; bytes: number }[] {
  const out: { path: string; source: SampleSource; records: number; bytes: number }[] = [];
  for (const source of SAMPLE_SOURCES) {
    const n = opts.records[source] ?? 0;
    if (n <= 0) continue;
    for (const f of generateSampleFiles(source, n, opts)) {
      const path = join(dir, source, f.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.bytes);
      out.push({ path, source, records: f.records, bytes: f.bytes.length });
    }
  }
  return out;
}
