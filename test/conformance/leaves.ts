/**
 * Leaf-by-leaf view of an OCSF record for conformance: every non-null scalar becomes one
 * `path → canonical string` entry. Paths use `.` for struct fields, `[i]` for list elements and
 * `["key"]` for map keys (`unmapped["requestParameters.userName"]`), so dotted map keys stay unambiguous.
 */

/** Attributes that are maps (their keys are data, not schema paths). */
const MAP_ATTRIBUTES = new Set(['unmapped', 'xattributes']);

export interface LeafOptions {
  /** Array attributes (paths without indices, e.g. `observables`) whose element order is not significant. */
  unordered?: readonly string[];
}

/** Flattens a record to its non-null leaves. */
export function toLeaves(record: unknown, opts: LeafOptions = {}): Map<string, string> {
  const out = new Map<string, string>();
  walk(record, '', '', out, new Set(opts.unordered ?? []));
  return out;
}

function walk(v: unknown, path: string, shape: string, out: Map<string, string>, unordered: Set<string>): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    const items = unordered.has(shape) ? [...v].sort((a, b) => canonical(a).localeCompare(canonical(b))) : v;
    items.forEach((e, i) => walk(e, `${path}[${i}]`, shape, out, unordered));
    return;
  }
  if (v instanceof Date) {
    out.set(path, v.toISOString());
    return;
  }
  if (typeof v === 'object') {
    const isMap = MAP_ATTRIBUTES.has(shape);
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (isMap) walk(child, `${path}[${JSON.stringify(k)}]`, `${shape}[]`, out, unordered);
      else walk(child, path === '' ? k : `${path}.${k}`, shape === '' ? k : `${shape}.${k}`, out, unordered);
    }
    return;
  }
  out.set(path, scalar(v, shape));
}

/** Canonical string of a scalar: bigint and numbers as decimal (floats to 7 significant digits, since
 * AWS stores some as FLOAT), `*_dt` strings as ISO-8601 UTC with milliseconds. */
function scalar(v: unknown, shape: string): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
  if (typeof v === 'string' && shape.endsWith('_dt')) {
    // AWS's JSON renderings print `2021-09-07 20:37:30.642` (UTC, no zone); ours are RFC 3339.
    const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : v.replace(' ', 'T') + 'Z');
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return String(v);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? '';
}

export interface LeafDiff {
  /** Leaves in the reference record. */
  reference: number;
  matched: string[];
  /** In the reference, absent from ours. */
  missing: { path: string; expected: string }[];
  /** In both with different values. */
  different: { path: string; expected: string; actual: string }[];
  /** In ours only. */
  extra: { path: string; actual: string }[];
}

/** Compares our record with the reference record leaf by leaf. */
export function diffLeaves(ours: unknown, reference: unknown, opts: LeafOptions = {}): LeafDiff {
  const a = toLeaves(ours, opts);
  const b = toLeaves(reference, opts);
  const d: LeafDiff = { reference: b.size, matched: [], missing: [], different: [], extra: [] };
  for (const [path, expected] of b) {
    const actual = a.get(path);
    if (actual === undefined) d.missing.push({ path, expected });
    else if (actual === expected) d.matched.push(path);
    else d.different.push({ path, expected, actual });
  }
  for (const [path, actual] of a) if (!b.has(path)) d.extra.push({ path, actual });
  return d;
}
