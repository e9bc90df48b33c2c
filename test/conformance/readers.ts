/** Reading the reference side of conformance pairs: AWS's native Parquet and published OCSF JSON. */
import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** Rows of an AWS-native Parquet file, with parquet-mr's legacy `{array: [...]}` list wrappers removed. */
export async function readAwsParquet(path: string): Promise<Record<string, unknown>[]> {
  const buf = readFileSync(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
  return rows.map((r) => unwrapLists(r) as Record<string, unknown>);
}

function unwrapLists(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapLists);
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === 'array' && Array.isArray((v as { array: unknown }).array)) {
    return unwrapLists((v as { array: unknown[] }).array);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = unwrapLists((v as Record<string, unknown>)[k]);
  return out;
}

/** A published OCSF JSON file: one object or an array of objects. */
export function readOcsfJson(path: string): Record<string, unknown>[] {
  const v = JSON.parse(readFileSync(path, 'utf8'));
  return Array.isArray(v) ? v : [v];
}
