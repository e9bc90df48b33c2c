/**
 * Inputs of the exactly-once tests, from the project's seeded sample generator: small CloudTrail and Route 53
 * objects (many objects, few records, so that a run has many units of work and many crash windows), a CloudTrail
 * object with one bad record and a file of no known format (so that dead letters exist), and EKS audit objects,
 * whose records carry no region and are dead-lettered as `invalid-partition` unless `--region` is given (so that
 * a replay can fail again, then succeed).
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSampleFiles, writeSamples } from '../../src/samples/index.js';
import { writeBadInputs } from '../pipeline/helpers.js';

export interface InputSet {
  /** The folder a run is pointed at. */
  dir: string;
  /** Every input file, absolute. */
  files: string[];
  /** Records in the files (what the sample generator says it wrote). */
  records: number;
}

/** 12 CloudTrail objects and 6 Route 53 objects of 10 records each, and the 3 bad inputs of `writeBadInputs`. */
export function writeBaseInputs(dir: string, seed: number): InputSet {
  const written = writeSamples(dir, { records: { cloudtrail: 120, route53: 60 }, perFile: 10, seed });
  writeBadInputs(dir);
  return { dir, files: [...written.map((w) => w.path), join(dir, 'bad', 'cloudtrail-wrong-type.json'), join(dir, 'bad', 'garbage.txt'), join(dir, 'bad', 'empty.json.gz')], records: written.reduce((a, w) => a + w.records, 0) + 3 };
}

/**
 * `count` more CloudTrail objects (10 records each) for the "a new file arrives" case, written to `dir` under
 * their AWS keys; a seed of their own, so their event IDs differ from the base set's.
 */
export function writeExtraInputs(dir: string, seed: number, count: number): string[] {
  const out: string[] = [];
  for (const f of generateSampleFiles('cloudtrail', count * 10, { perFile: 10, seed: seed + 1_000 })) {
    const p = join(dir, 'cloudtrail-late', f.name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
    out.push(p);
  }
  return out;
}

/** Two EKS audit objects of 15 lines each: their records need `--region` to be placed. */
export function writeEksInputs(dir: string, seed: number): string[] {
  const out: string[] = [];
  for (const f of generateSampleFiles('eks_audit', 30, { perFile: 15, seed: seed + 2_000 })) {
    const p = join(dir, 'eks', f.name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
    out.push(p);
  }
  return out;
}

/** A copy of an input folder, so a scenario can add files without touching what others read. */
export function copyInputs(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}
