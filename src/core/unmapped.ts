/**
 * The `unmapped` convention (mapping-spec §1.5): a flat map of dotted raw paths to strings. Arrays
 * add `[]` to the key and comma-join their leaf values; every value is stringified; nulls and empty
 * objects are dropped; empty strings are kept.
 */

/** Flattens `value` under `prefix` into `out`. Objects walk their keys; arrays append `[]`. */
export function flattenInto(out: Record<string, string>, prefix: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const key = prefix + '[]';
    for (let i = 0; i < value.length; i++) flattenInto(out, key, value[i]);
    return;
  }
  if (typeof value === 'object') {
    for (const k in value as Record<string, unknown>) {
      flattenInto(out, prefix === '' ? k : prefix + '.' + k, (value as Record<string, unknown>)[k]);
    }
    return;
  }
  const s = typeof value === 'string' ? value : String(value);
  const prev = out[prefix];
  // Array leaves share one key: join in element order.
  out[prefix] = prev === undefined || !prefix.includes('[]') ? s : prev + ',' + s;
}

/**
 * Flattens every top-level field of `record` whose name is not in `mapped` into a fresh map.
 * `mapped` holds consumed top-level names; `mappedPaths` (optional) holds consumed dotted paths below
 * them, for records where only some leaves of an object are mapped.
 */
export function collectUnmapped(
  record: Record<string, unknown>,
  mapped: ReadonlySet<string>,
  mappedPaths?: ReadonlySet<string>,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const k in record) {
    if (mapped.has(k)) continue;
    const v = record[k];
    if (v === null || v === undefined) continue;
    out ??= {};
    if (mappedPaths !== undefined && typeof v === 'object' && !Array.isArray(v)) flattenExcept(out, k, v, mappedPaths);
    else flattenInto(out, k, v);
  }
  return out !== undefined && hasKeys(out) ? out : undefined;
}

function flattenExcept(out: Record<string, string>, prefix: string, value: unknown, skip: ReadonlySet<string>): void {
  if (skip.has(prefix)) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const k in value as Record<string, unknown>) {
      flattenExcept(out, prefix + '.' + k, (value as Record<string, unknown>)[k], skip);
    }
    return;
  }
  flattenInto(out, prefix, value);
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
