/** Independent readers for the writer tests: DuckDB (hive partitioning) and hyparquet. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

let conn: DuckDBConnection | undefined;

/** One shared in-memory DuckDB connection per test file. */
export async function duck(): Promise<DuckDBConnection> {
  if (!conn) {
    const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
    conn = await inst.connect();
  }
  return conn;
}

/** Runs a query and returns rows as JSON-friendly objects. */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const c = await duck();
  const r = await c.runAndReadAll(sql);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

/** `read_parquet(<glob>, hive_partitioning = true)` over a lake directory. */
export function lakeScan(root: string, sub = '**/*.parquet'): string {
  return `read_parquet('${join(root, sub).replace(/'/g, "''")}', hive_partitioning = true, union_by_name = true)`;
}

/** Every file under a directory, relative and `/`-separated, sorted (the pipeline tests' helper). */
export { listTree as listFiles } from '../pipeline/helpers.js';

/** Rows of a Parquet file read by hyparquet (int64 as bigint, timestamps as Date, maps as objects). */
export async function hyparquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
}

export function hyparquetMeta(bytes: Uint8Array) {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetMetadata(file);
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Deep copy without nulls/undefined (the OCSF JSON view of a Parquet row). */
export function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(stripNulls);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = stripNulls(x);
    return o;
  }
  return v;
}

/** A hyparquet row as OCSF JSON: no nulls, bigint as number, Date as ISO string. */
export function ocsfRow(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(ocsfRow);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = ocsfRow(x);
    return o;
  }
  return v;
}
