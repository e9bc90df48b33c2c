/**
 * Reading Parquet files back as OCSF events (for `ocsf-lake validate`, tests and tools): parquet-wasm's
 * `readParquet` decodes the file, apache-arrow reads the Arrow IPC it returns, and each row becomes a plain
 * OCSF object — nulls dropped, INT64 as numbers, timestamps as RFC 3339 UTC strings, maps as objects — so
 * that the validator sees exactly what a mapper emitted. Also checks a file against the schema of the
 * source it claims to hold and its rows against the partition directories of its path.
 */
import { readdir, stat } from 'node:fs/promises';
import { LAKE_META_DIR } from '../ledger/entry.js';
import { join } from 'node:path';
import { tableFromIPC, Type } from 'apache-arrow';
import type { DataType, Schema, Vector } from 'apache-arrow';
import { getSource } from '../core/source.js';
import type { OcsfEvent } from '../core/types.js';
import { isParquet, registerEventReader } from '../validate/input.js';
import type { EventItem, EventReader } from '../validate/input.js';
import { deriveSchema } from './arrow-schema.js';
import { parquetToIpc } from './parquet.js';
import { partitionOf } from './partition.js';
import { arrowField } from './schema-tree.js';
import type { Layout } from './schema-tree.js';

export interface ParquetEvents {
  schema: Schema;
  /** The file's schema metadata (`ocsf.source`, `ocsf.source_version`, ... for files this package wrote). */
  metadata: Record<string, string>;
  numRows: number;
  /** Rows as OCSF objects. */
  rows(): Generator<Record<string, unknown>>;
}

/** Decodes a whole Parquet file (any codec parquet-rs reads: ZSTD, GZIP, SNAPPY, ...). */
export function readParquetEvents(bytes: Uint8Array): ParquetEvents {
  const table = tableFromIPC(parquetToIpc(bytes));
  const metadata: Record<string, string> = {};
  for (const [k, v] of table.schema.metadata) metadata[k] = v;
  const columns = table.schema.fields.map((f, i) => ({ name: f.name, vector: table.getChildAt(i)! }));
  return {
    schema: table.schema,
    metadata,
    numRows: table.numRows,
    *rows() {
      for (let i = 0; i < table.numRows; i++) {
        const row: Record<string, unknown> = {};
        for (const c of columns) {
          const v = valueAt(c.vector, i);
          if (v !== undefined) row[c.name] = v;
        }
        yield row;
      }
    },
  };
}

function valueAt(vec: Vector, i: number): unknown {
  if (!vec.isValid(i)) return undefined;
  return convert(vec.type, vec.get(i), vec, i);
}

function convert(type: DataType, v: unknown, vec: Vector | undefined, i: number): unknown {
  if (v === null || v === undefined) return undefined;
  switch (type.typeId) {
    case Type.Struct: {
      const out: Record<string, unknown> = {};
      if (vec !== undefined) {
        type.children.forEach((f, k) => {
          const x = valueAt(vec.getChildAt(k)!, i);
          if (x !== undefined) out[f.name] = x;
        });
      } else {
        const row = v as Record<string, unknown>;
        for (const f of type.children) {
          const x = convert(f.type, row[f.name], undefined, 0);
          if (x !== undefined) out[f.name] = x;
        }
      }
      return out;
    }
    case Type.List: {
      const items = v as Vector;
      const out: unknown[] = [];
      for (let k = 0; k < items.length; k++) {
        const x = valueAt(items, k);
        if (x !== undefined) out.push(x);
      }
      return out;
    }
    case Type.Map: {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v as Iterable<[string, unknown]>) if (x !== null && x !== undefined) out[k] = x;
      return out;
    }
    case Type.Timestamp:
    case Type.Date:
      return new Date(Number(v)).toISOString();
    case Type.Int:
      return typeof v === 'bigint' ? Number(v) : v;
    default:
      return typeof v === 'bigint' ? Number(v) : v;
  }
}

export interface FileCheckIssue {
  /** `schema`, `partition`, or `metadata`. */
  kind: string;
  message: string;
  /** Row index for partition issues. */
  row?: number;
}

/** Hive partition values in a path (`.../region=us-east-1/accountId=123.../eventDay=20240301/...`). */
export function partitionFromPath(path: string): { region?: string; accountId?: string; eventDay?: string } {
  const out: { region?: string; accountId?: string; eventDay?: string } = {};
  for (const seg of path.split(/[\\/]/)) {
    const m = /^(region|accountId|accountid|eventDay|eventday)=(.*)$/.exec(seg);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (key === 'region') out.region = m[2];
    else if (key === 'accountid') out.accountId = m[2];
    else out.eventDay = m[2];
  }
  return out;
}

/**
 * Checks a file this package wrote: its Arrow schema against the schema derived today for the source,
 * version, layout and class in its metadata (when the source is registered), and, when its path holds
 * `region=/accountId=/eventDay=` directories, every row's partition values against them.
 */
export function checkParquetFile(file: ParquetEvents, path: string): FileCheckIssue[] {
  const issues: FileCheckIssue[] = [];
  const md = file.metadata;
  const source = md['ocsf.source'];
  const version = md['ocsf.source_version'];
  if (source !== undefined && version !== undefined) {
    const def = getSource(source);
    if (def === undefined) {
      issues.push({ kind: 'metadata', message: `file says source ${source}, which is not registered: schema not checked` });
    } else {
      try {
        const layout = (md['ocsf.layout'] ?? 'native') as Layout;
        const classes = (md['ocsf.classes'] ?? '').split(',').filter(Boolean).map(Number);
        const expected = deriveSchema(def, version, { layout, ...(layout === 'custom' ? { classUid: classes[0] } : {}) });
        const want = expected.fields.map((f) => arrowField(f).toString());
        const have = file.schema.fields.map((f) => f.toString());
        if (want.join('\n') !== have.join('\n')) {
          const missing = want.filter((f) => !have.includes(f));
          const extra = have.filter((f) => !want.includes(f));
          issues.push({
            kind: 'schema',
            message: `columns differ from the ${source} ${version} ${layout} schema: ${[...missing.map((f) => `expected ${f}`), ...extra.map((f) => `unexpected ${f}`)].slice(0, 5).join('; ') || 'column order differs'}`,
          });
        }
      } catch (err) {
        issues.push({ kind: 'schema', message: `cannot derive the ${source} ${version} schema: ${(err as Error).message}` });
      }
    }
  }
  const dir = partitionFromPath(path);
  if (dir.region !== undefined || dir.accountId !== undefined || dir.eventDay !== undefined) {
    let i = 0;
    for (const row of file.rows()) {
      const cloud = row.cloud as { region?: string; account?: { uid?: string }; account_uid?: string } | undefined;
      const p = partitionOf(row as OcsfEvent, { region: cloud?.region ?? dir.region, accountId: dir.accountId === 'external' ? undefined : dir.accountId });
      if ('path' in p) issues.push({ kind: 'partition', row: i, message: `${p.path}: ${p.message}` });
      else {
        if (dir.region !== undefined && p.region !== dir.region) issues.push({ kind: 'partition', row: i, message: `cloud.region ${p.region} is not the directory's region=${dir.region}` });
        if (dir.accountId !== undefined && p.accountId !== dir.accountId) issues.push({ kind: 'partition', row: i, message: `account ${p.accountId} is not the directory's accountId=${dir.accountId}` });
        if (dir.eventDay !== undefined && p.eventDay !== dir.eventDay) issues.push({ kind: 'partition', row: i, message: `time is on day ${p.eventDay}, not the directory's eventDay=${dir.eventDay}` });
      }
      if (issues.length > 20) break;
      i++;
    }
  }
  return issues;
}

/**
 * The `ocsf-lake validate` reader for Parquet files (registered by {@link registerParquetReader}): yields
 * every row as an OCSF event (`<file>#<row>`), then the file-level problems found by
 * {@link checkParquetFile} (schema of a file this package wrote against today's derived schema; rows
 * against the `region=/accountId=/eventDay=` directories of the path) as errors.
 */
export const parquetEventReader: EventReader = {
  name: 'parquet',
  sniff: (bytes) => isParquet(bytes),
  normalize: { unwrapListWrappers: true },
  *read(bytes, fileName): Generator<EventItem> {
    let file: ParquetEvents;
    try {
      file = readParquetEvents(bytes);
    } catch (err) {
      yield { kind: 'error', message: `not a readable Parquet file: ${(err as Error).message}`, location: fileName };
      return;
    }
    let i = 0;
    for (const row of file.rows()) yield { kind: 'event', event: row, location: `${fileName}#${i++}` };
    for (const issue of checkParquetFile(file, fileName)) {
      if (issue.kind === 'metadata') continue; // a note (e.g. an unregistered source), not a defect
      yield { kind: 'error', message: `${issue.kind}: ${issue.message}`, location: issue.row === undefined ? fileName : `${fileName}#${issue.row}` };
    }
  },
};

/** Lets `ocsf-lake validate` (and `openEvents`) read Parquet files. Idempotent. */
export function registerParquetReader(): void {
  registerEventReader(parquetEventReader);
}

const LAKE_FILE = /\.parquet$/i;

/**
 * Expands lake directories into the Parquet files under them (recursively, sorted; hidden entries such
 * as in-flight `.tmp` files skipped, and so are dead letters, which are not OCSF); other arguments
 * (files, `-`) are kept as they are.
 */
export async function expandLakeInputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      // Dead letters are not OCSF, and the lake's own folder holds staged (uncommitted) files.
      if (e.name.startsWith('.') || (e.isDirectory() && (e.name === 'dlq' || e.name === LAKE_META_DIR))) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && LAKE_FILE.test(e.name)) out.push(p);
    }
  };
  for (const a of args) {
    const st = a === '-' ? undefined : await stat(a).catch(() => undefined);
    if (st?.isDirectory()) await walk(a);
    else out.push(a);
  }
  return out;
}
