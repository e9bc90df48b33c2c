/**
 * Bringing events that did not come from JSON (Parquet rows, Arrow, hand-built objects) into the JSON
 * shape the schemas describe, before validation. Copy-on-write: an event that needs no change is
 * returned as is (the common case for JSON input), so the pass costs one walk and no allocation.
 *
 * - `null` / `undefined` attribute values are dropped (OCSF has no nulls; Parquet has them for every
 *   absent optional column); `null` array elements are dropped as well.
 * - `bigint` (INT64 columns) becomes a number.
 * - `Date` (TIMESTAMP columns such as `time_dt`) becomes an RFC 3339 UTC string (`toISOString`).
 * - A map that arrives as `Map` or as an array of `{key, value}` pairs (Arrow/Parquet MAP) becomes a plain
 *   object; pairs are recognised only under the map-typed attribute names in {@link MAP_ATTRIBUTES}.
 * - Optional: legacy Avro/Parquet list wrappers `{array: [...]}` become the array (`unwrapListWrappers`).
 * - Optional: Security Lake table and partition columns at the top level are removed
 *   (`stripTableColumns`).
 */

/** Attributes whose value is a map (OCSF `object` type stored as MAP<string,string>). */
export const MAP_ATTRIBUTES: ReadonlySet<string> = new Set(['unmapped', 'xattributes']);

/**
 * Columns that Security Lake tables add beside the OCSF attributes (v2 Glue schema) and the Hive
 * partition columns of v1 tables; tolerated at the top level with `stripTableColumns: true`.
 */
export const TABLE_COLUMNS: readonly string[] = ['accountid', 'asl_version', 'eventday', 'region'];

export interface NormalizeOptions {
  /** Replace `{array: [...]}` (legacy two-level Parquet lists as some readers return them) by the array. */
  unwrapListWrappers?: boolean;
  /** `true`: drop {@link TABLE_COLUMNS} at the top level; a list: drop those names instead. */
  stripTableColumns?: boolean | readonly string[];
}

const NO_CHANGE = Symbol('no-change');
type Out = unknown | typeof NO_CHANGE;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function dateString(d: Date): string {
  return Number.isNaN(d.getTime()) ? String(d) : d.toISOString();
}

function pairsToObject(a: unknown[]): Record<string, unknown> | undefined {
  if (a.length === 0) return undefined;
  const o: Record<string, unknown> = {};
  for (const e of a) {
    if (!isPlainObject(e) || typeof e.key !== 'string' || !('value' in e) || Object.keys(e).length !== 2) return undefined;
    o[e.key] = e.value;
  }
  return o;
}

/** Returns NO_CHANGE when `v` can be used as is, else its replacement (undefined = drop). */
function norm(v: unknown, key: string | undefined, unwrap: boolean): Out {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return NO_CHANGE;
    case 'bigint':
      return Number(v);
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      return NO_CHANGE;
  }
  if (v === null) return undefined;
  if (Array.isArray(v)) {
    if (key !== undefined && MAP_ATTRIBUTES.has(key)) {
      const o = pairsToObject(v);
      if (o) {
        const r = normObject(o, unwrap);
        return r === NO_CHANGE ? o : r;
      }
    }
    return normArray(v, unwrap);
  }
  if (v instanceof Date) return dateString(v);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[String(k)] = x;
    const r = normObject(o, unwrap);
    return r === NO_CHANGE ? o : r;
  }
  if (unwrap && isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'array' && Array.isArray(v.array)) {
      const r = normArray(v.array, unwrap);
      return r === NO_CHANGE ? v.array : r;
    }
  }
  return normObject(v as Record<string, unknown>, unwrap);
}

function normArray(a: unknown[], unwrap: boolean): Out {
  let out: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const r = norm(a[i], undefined, unwrap);
    if (r === NO_CHANGE) {
      if (out) out.push(a[i]);
      continue;
    }
    out ??= a.slice(0, i);
    if (r !== undefined) out.push(r);
  }
  return out ?? NO_CHANGE;
}

function normObject(o: Record<string, unknown>, unwrap: boolean, drop?: ReadonlySet<string>): Out {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const r = drop?.has(k) ? undefined : norm(o[k], k, unwrap);
    if (r === NO_CHANGE) {
      if (out) out[k] = o[k];
      continue;
    }
    if (!out) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = o[keys[j]!];
    }
    if (r !== undefined) out[k] = r;
  }
  return out ?? NO_CHANGE;
}

/** Creates a reusable normalizer (the table-column set is built once). */
export function createNormalizer(opts: NormalizeOptions = {}): (event: unknown) => unknown {
  const unwrap = opts.unwrapListWrappers === true;
  const strip = opts.stripTableColumns;
  const drop = strip === true ? new Set(TABLE_COLUMNS) : Array.isArray(strip) ? new Set(strip as readonly string[]) : undefined;
  return (event) => {
    const r = isPlainObject(event) ? normObject(event, unwrap, drop) : norm(event, undefined, unwrap);
    return r === NO_CHANGE ? event : r;
  };
}

/** Normalizes one event (see the module comment). Never mutates its argument. */
export function normalizeEvent(event: unknown, opts: NormalizeOptions = {}): unknown {
  return createNormalizer(opts)(event);
}
