/**
 * Reads a lake back the way its consumers do, and checks it holds exactly the events of one clean run.
 *
 * - Events: every `*.parquet` under the table paths (`aws/`, `ext/`), read with DuckDB, one table at a time.
 *   An event is identified by its `metadata.uid` and a hash of its content (nulls dropped, keys sorted, plus
 *   the partition directory it lies in), so two copies of one event count twice and an event in the wrong
 *   partition does not match.
 * - Dead letters: every entry of `dlq/**.ndjson.gz`, identified by its reason and its raw record.
 * - An S3 lake is first copied object by object to a local folder (DuckDB's httpfs cannot be installed
 *   offline); the copy also gives the list of keys a reader of the bucket sees.
 * - The lake's own view: `ocsf-lake ledger --json` (what it committed) and `ocsf-lake validate` (integrity).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { query, stripNulls } from '../writer/helpers.js';
import { BUCKET } from './s3-server.js';
import { describeRun, runCli } from './cli-runs.js';

/** A multiset of identities, with the number of copies of each. */
export type Multiset = Map<string, number>;

export interface LakeContents {
  /** Every object key under the lake root, relative to it, sorted. */
  keys: string[];
  /** Data files under the table paths. */
  dataFiles: string[];
  rows: number;
  /** `metadata.uid` + content hash → copies. */
  events: Multiset;
  deadLetterEntries: number;
  /** reason + raw record hash → copies. */
  deadLetters: Multiset;
}

export const TABLE_ROOTS = ['aws/', 'ext/'];

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);

function add(m: Multiset, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function listLocal(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(root.length + 1).split('\\').join('/'))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Scenarios run concurrently and share one DuckDB connection: its queries go one at a time. */
let duckQueue: Promise<unknown> = Promise.resolve();
function serially(sql: string): Promise<Record<string, unknown>[]> {
  const next = duckQueue.then(() => query(sql));
  duckQueue = next.catch(() => undefined);
  return next;
}

/** Reads a local lake folder (or the local copy of an S3 lake). */
export async function readLake(root: string): Promise<LakeContents> {
  const keys = listLocal(root);
  const dataFiles = keys.filter((k) => TABLE_ROOTS.some((t) => k.startsWith(t)) && k.endsWith('.parquet'));
  const byTable = new Map<string, string[]>();
  for (const k of dataFiles) {
    const table = k.split('/').slice(0, 3).join('/');
    byTable.set(table, [...(byTable.get(table) ?? []), k]);
  }
  const events: Multiset = new Map();
  let rows = 0;
  for (const files of byTable.values()) {
    const list = files.map((f) => sqlString(join(root, f))).join(', ');
    for (const row of await serially(`SELECT * EXCLUDE (filename), filename AS eo_file FROM read_parquet([${list}], union_by_name = true, filename = true)`)) {
      const file = String(row.eo_file).slice(root.length + 1);
      delete row.eo_file;
      const uid = (row.metadata as { uid?: string } | null)?.uid ?? '';
      add(events, `${uid} ${sha(`${dirname(file)}\n${canonical(stripNulls(row))}`)}`);
      rows++;
    }
  }
  const deadLetters: Multiset = new Map();
  let deadLetterEntries = 0;
  for (const k of keys.filter((k) => k.startsWith('dlq/') && k.endsWith('.ndjson.gz'))) {
    for (const line of gunzipSync(readFileSync(join(root, k))).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const e = JSON.parse(line) as { reason: string; raw: unknown };
      add(deadLetters, `${e.reason} ${sha(canonical(e.raw))}`);
      deadLetterEntries++;
    }
  }
  return { keys, dataFiles, rows, events, deadLetterEntries, deadLetters };
}

/** Copies the objects under `s3://lake/<prefix>/` (or only under its `only` folders) to a fresh local folder. */
export async function downloadS3Lake(client: S3Client, prefix: string, only?: readonly string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'eo-s3-copy-'));
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/`, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      if (only && !only.some((f) => o.Key!.startsWith(`${prefix}/${f}`))) continue;
      const rel = o.Key!.slice(prefix.length + 1);
      const body = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, await body.Body!.transformToByteArray());
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return dir;
}

/** How two multisets differ, in words and numbers (empty when equal). */
export function multisetDiff(actual: Multiset, expected: Multiset): string {
  let extraCopies = 0;
  let duplicated = 0;
  let unknown = 0;
  let missing = 0;
  let maxCopies = 0;
  for (const [k, n] of actual) {
    const want = expected.get(k) ?? 0;
    maxCopies = Math.max(maxCopies, n);
    if (want === 0) unknown += n;
    else if (n > want) {
      duplicated++;
      extraCopies += n - want;
    }
  }
  for (const [k, n] of expected) missing += Math.max(0, n - (actual.get(k) ?? 0));
  if (extraCopies + unknown + missing === 0) return '';
  return `${duplicated} identities with extra copies (${extraCopies} extra rows, up to ${maxCopies} copies), ${unknown} rows not in the clean run, ${missing} clean-run rows missing`;
}

export const size = (m: Multiset) => [...m.values()].reduce((a, b) => a + b, 0);

/** One entry of `ocsf-lake ledger --json`. */
export interface LedgerEntry {
  seq: number;
  unit: string;
  run: string;
  committedAt: string;
  inputs: { uri: string; size?: number; records?: number }[];
  files: { key: string; rows: number; bytes?: number }[];
  deadLetters: { key: string; rows: number }[];
  counts: { recordsIn: number; eventsWritten: number; failures: number; filtered: number };
  superseded?: boolean;
  /** Dead-letter files a committed replay consumed (moved out of `dlq/`, or deleted). */
  retire?: { key: string }[];
}

/** `ocsf-lake ledger --lake <lake> --json` (exit 0), parsed. */
export async function readLedger(lake: string, flags: string[], env: Record<string, string>): Promise<LedgerEntry[]> {
  const r = await runCli('ledger', ['ledger', '--lake', lake, '--json', ...flags], { env });
  expect(r.code, describeRun(r)).toBe(0);
  return (JSON.parse(r.stdout) as { entries: LedgerEntry[] }).entries;
}

/**
 * The ledger agrees with what is stored: the live (not superseded) entries name exactly the data files under
 * the table paths, with their row counts, and (less those a replay retired) exactly the dead-letter files under
 * `dlq/`; summed, they count as many events as the lake holds; and no input object is committed by two live
 * entries.
 */
export function expectLedgerAgrees(entries: LedgerEntry[], lake: LakeContents, rowsPerFile: Map<string, number>, what: string): void {
  const live = entries.filter((e) => e.superseded !== true);
  const sum = (f: (e: LedgerEntry) => number) => live.reduce((a, e) => a + f(e), 0);
  const msg = `${what}: ${entries.length} ledger entries (${live.length} live), lake ${lake.rows} rows in ${lake.dataFiles.length} files, ${lake.deadLetterEntries} dead letters`;
  expect(sum((e) => e.counts.eventsWritten), `${msg}\nΣ counts.eventsWritten of live entries`).toBe(lake.rows);
  expect(sum((e) => e.files.reduce((a, f) => a + f.rows, 0)), `${msg}\nΣ files[].rows of live entries`).toBe(lake.rows);
  const named = live.flatMap((e) => e.files);
  expect(named.map((f) => f.key).sort(), `${msg}\ndata files named by live entries vs data files in the lake`).toEqual([...lake.dataFiles].sort());
  for (const f of named) expect(f.rows, `${msg}\nrows of ${f.key}`).toBe(rowsPerFile.get(f.key));
  const retired = new Set(entries.flatMap((e) => (e.retire ?? []).map((r) => r.key)));
  const deadLetters = live.flatMap((e) => e.deadLetters).filter((d) => !retired.has(d.key));
  expect(deadLetters.map((d) => d.key).sort(), `${msg}\ndead-letter files named by live entries (less retired ones) vs dlq/`).toEqual(lake.keys.filter((k) => k.startsWith('dlq/')));
  expect(deadLetters.reduce((a, d) => a + d.rows, 0), `${msg}\nΣ deadLetters[].rows`).toBe(lake.deadLetterEntries);
  const uris = live.flatMap((e) => e.inputs.map((i) => i.uri));
  const twice = uris.filter((u, i) => uris.indexOf(u) !== i);
  expect(twice, `${msg}\ninput objects committed by more than one live entry`).toEqual([]);
}

/** Rows per data file (DuckDB's Parquet metadata), to compare with the ledger's counts. */
export async function rowsPerDataFile(root: string, lake: LakeContents): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (lake.dataFiles.length === 0) return out;
  const list = lake.dataFiles.map((f) => sqlString(join(root, f))).join(', ');
  for (const r of await serially(`SELECT file_name, SUM(num_rows)::BIGINT AS n FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows AS num_rows FROM parquet_metadata([${list}])) GROUP BY file_name`)) {
    out.set(String(r.file_name).slice(root.length + 1), Number(r.n));
  }
  return out;
}
