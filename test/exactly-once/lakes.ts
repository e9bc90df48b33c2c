/**
 * The two lakes the exactly-once scenarios run against (a local folder, and an S3 prefix on s3rver behind the
 * conditional-write proxy), the clean reference run each scenario is compared with, and the final check:
 * the lake holds exactly the events (and dead letters) of one clean run of the same inputs, the ledger agrees,
 * `validate` passes, and nothing temporary is left visible.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Random } from '../../src/samples/random.js';
import { describeRun, expectCompleted, runCli } from './cli-runs.js';
import type { KillTrigger, RunSummary } from './cli-runs.js';
import { downloadS3Lake, expectLedgerAgrees, multisetDiff, readLake, readLedger, rowsPerDataFile, size, TABLE_ROOTS } from './lake-readback.js';
import type { LakeContents } from './lake-readback.js';
import { BUCKET, S3_ENV, startConditionalProxy, startRestartableS3 } from './s3-server.js';
import type { ConditionalProxy, RestartableS3 } from './s3-server.js';

export interface LakeTarget {
  sink: 'local' | 's3';
  /** A new, empty lake: a folder, or `s3://lake/<name>`. */
  newLake(name: string): string;
  /** Flags every command that touches the lake needs (the S3 endpoint). */
  flags: string[];
  env: Record<string, string>;
  /** A local folder holding the lake's objects (the lake itself, or a copy of the S3 prefix, or of its `only` folders). */
  snapshot(lake: string, only?: readonly string[]): Promise<string>;
  /** A kill at the run's `nth` write: files appearing in a local lake, write requests to S3. */
  writeTrigger(lake: string, nth: number, r: Random): KillTrigger;
  /** Runs `run` (a clean run into `lake`) and counts what it wrote, in the unit of `writeTrigger`. */
  countWrites<T>(lake: string, run: () => Promise<T>): Promise<{ result: T; writes: number }>;
  /** Scratch space for inputs and copies. */
  tmp: string;
  close(): Promise<void>;
  s3?: RestartableS3;
  proxy?: ConditionalProxy;
}

export function localTarget(): LakeTarget {
  const tmp = mkdtempSync(join(tmpdir(), 'eo-local-'));
  return {
    sink: 'local',
    newLake: (name) => join(tmp, 'lakes', name),
    flags: [],
    env: {},
    snapshot: async (lake) => lake,
    writeTrigger: (lake, nth) => ({ kind: 'files', root: lake, count: nth }),
    async countWrites(lake, run) {
      const result = await run();
      return { result, writes: (await readLake(lake)).keys.length };
    },
    tmp,
    async close() {
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** `s3://lake/<name>` → `<name>/`, the key prefix of the lake's objects. */
export const prefixOf = (lake: string) => `${lake.slice(`s3://${BUCKET}/`.length)}/`;

export async function s3Target(): Promise<LakeTarget> {
  const tmp = mkdtempSync(join(tmpdir(), 'eo-s3-'));
  const s3 = await startRestartableS3();
  const proxy = await startConditionalProxy(s3);
  const copies: string[] = [];
  return {
    sink: 's3',
    newLake: (name) => `s3://${BUCKET}/${name}`,
    flags: ['--endpoint', proxy.endpoint, '--path-style'],
    env: S3_ENV,
    async snapshot(lake, only) {
      const dir = await downloadS3Lake(s3.client, prefixOf(lake).slice(0, -1), only);
      copies.push(dir);
      return dir;
    },
    writeTrigger: (lake, nth, r) => ({ kind: 'write', proxy, prefix: prefixOf(lake), nth, land: r.chance(0.5) }),
    async countWrites(lake, run) {
      let writes = 0;
      const stop = proxy.intercept(prefixOf(lake), () => void writes++);
      try {
        return { result: await run(), writes };
      } finally {
        stop();
      }
    },
    tmp,
    s3,
    proxy,
    async close() {
      await proxy.close();
      await s3.close();
      for (const c of copies) rmSync(c, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** `ocsf-lake ingest --source auto --out <lake> --json <flags> <extra> INPUT...` */
export function ingestArgs(t: LakeTarget, lake: string, inputs: readonly string[], extra: readonly string[] = []): string[] {
  return ['ingest', '--source', 'auto', '--out', lake, '--json', ...t.flags, ...extra, ...inputs];
}

export interface Reference {
  summary: RunSummary;
  lake: LakeContents;
  /** Wall time of the clean run, child process start to exit. */
  ms: number;
}

/** One clean run of `inputs` (with `extra` flags) into a fresh local lake, read back. */
export async function cleanReference(tmp: string, name: string, inputs: readonly string[], extra: readonly string[] = []): Promise<Reference> {
  const lake = join(tmp, 'reference', name);
  const r = await runCli(`reference ${name}`, ['ingest', '--source', 'auto', '--out', lake, '--json', '--workers', '1', ...extra, ...inputs]);
  const summary = expectCompleted(r);
  const contents = await readLake(lake);
  expect(contents.rows, describeRun(r)).toBe(summary.eventsWritten);
  return { summary, lake: contents, ms: r.ms };
}

const TOP_LEVEL = new Set(['aws', 'ext', 'dlq', '_ocsf_lake']);

/** Nothing a reader of the lake would trip over: only table data, dead letters and the lake's own folder. */
export function expectNoVisibleLeftovers(lake: LakeContents, what: string): void {
  const odd = lake.keys.filter((k) => {
    const [top] = k.split('/');
    const base = k.slice(k.lastIndexOf('/') + 1);
    if (!TOP_LEVEL.has(top!)) return true;
    if (top === '_ocsf_lake') return false;
    if (base.startsWith('.')) return true;
    return top === 'dlq' ? !k.endsWith('.ndjson.gz') : !k.endsWith('.parquet');
  });
  expect(odd, `${what}: objects outside the table paths, dead letters and _ocsf_lake/, or temporary files`).toEqual([]);
}

/**
 * Readers of the table paths see no duplicate and no event the clean run does not have (checked at any
 * moment, e.g. right after a kill): the lake's events are a sub-multiset of the reference.
 */
export async function expectNoDuplicateOrForeignEvent(t: LakeTarget, lake: string, ref: Reference, what: string): Promise<LakeContents> {
  const contents = await readLake(await t.snapshot(lake, TABLE_ROOTS));
  let extra = 0;
  for (const [k, n] of contents.events) extra += Math.max(0, n - (ref.lake.events.get(k) ?? 0));
  expect(extra, `${what}: a reader of the table paths sees ${contents.rows} rows, ${extra} of them duplicates or not in the clean run (${multisetDiff(contents.events, ref.lake.events)})`).toBe(0);
  return contents;
}

/**
 * After a final successful run: the lake holds exactly the reference's events (same count, same multiset of
 * uid + content hash) and dead letters, the ledger agrees with it, `validate` exits 0, and nothing temporary
 * is visible. Returns what was read.
 */
export async function expectExactlyOnce(t: LakeTarget, lake: string, ref: Reference, what: string): Promise<LakeContents> {
  // The lake's own checks run while the lake is read back. `validate` reads local lakes: an S3 lake is
  // validated through its exact copy (s3.test.ts asks `validate s3://…` for itself).
  const ledger = readLedger(lake, t.flags, t.env);
  ledger.catch(() => undefined); // awaited below; not an unhandled rejection if the read-back fails first
  const dir = await t.snapshot(lake);
  const validate = runCli('validate', ['validate', t.sink === 'local' ? lake : dir]);
  const contents = await readLake(dir);
  const rowsPerFile = await rowsPerDataFile(dir, contents);
  const head = `${what} [${t.sink}]`;
  expect(contents.rows, `${head}: rows in the lake vs the clean run (${multisetDiff(contents.events, ref.lake.events)})`).toBe(ref.lake.rows);
  expect(multisetDiff(contents.events, ref.lake.events), `${head}: events`).toBe('');
  expect(multisetDiff(contents.deadLetters, ref.lake.deadLetters), `${head}: dead letters (${contents.deadLetterEntries} stored, ${size(ref.lake.deadLetters)} in the clean run)`).toBe('');
  expectLedgerAgrees(await ledger, contents, rowsPerFile, head);
  const v = await validate;
  expect(v.code, `${head}: ${describeRun(v)}\n${v.stdout.slice(-800)}`).toBe(0);
  expectNoVisibleLeftovers(contents, head);
  return contents;
}
