/**
 * Small value readers for ASFF fields and the unmapped walk with consumed-path skipping. Readers are
 * lenient about types (a number where a string is expected is stringified) and return `undefined`
 * for anything unusable, so the mapper can leave the raw value in unmapped instead.
 */
import { arrayPath, childPath, flattenInto, flattenKeyed } from '../../core/unmapped.js';
import { parseIsoMillis } from '../../core/time.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A string, or a number/boolean as its string; otherwise undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** An array of strings (non-strings dropped), a lone string as one element; empty → undefined. */
export function strs(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.length === 0) return undefined;
  let out: string[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const s = str(v[i]);
    if (s !== undefined) (out ??= []).push(s);
  }
  return out;
}

/** An integer from a number or a decimal integer string. */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v)) return Number(v);
  return undefined;
}

/** A finite number from a number or a numeric string. */
export function float(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Epoch ms of an ISO timestamp, or undefined. */
export function ms(v: unknown): number | undefined {
  const t = parseIsoMillis(v);
  return Number.isNaN(t) ? undefined : t;
}

/** ASFF `Tags` `{k: v}` → `["k=v", ...]` (mapping-spec §6.4). */
export function labels(tags: unknown): string[] | undefined {
  if (!isObj(tags)) return undefined;
  let out: string[] | undefined;
  for (const k in tags) {
    const v = tags[k];
    if (v === null || v === undefined) continue;
    (out ??= []).push(k + '=' + (typeof v === 'string' ? v : JSON.stringify(v)));
  }
  return out;
}

/** Last path segment of a `/` or `\` path (`/usr/sbin/syslogd` → `syslogd`). */
export function basename(path: string): string {
  let i = path.length;
  while (i > 0 && (path.charCodeAt(i - 1) === 0x2f || path.charCodeAt(i - 1) === 0x5c)) i--;
  const end = i;
  while (i > 0 && path.charCodeAt(i - 1) !== 0x2f && path.charCodeAt(i - 1) !== 0x5c) i--;
  return end === 0 ? path : path.slice(i, end);
}

/**
 * Flattens `value` (at `path`) into `out`, leaving out the consumed paths in `skip`. The walk only
 * descends into paths listed in `partial` (ancestors of consumed paths); every other subtree is
 * flattened in one call, so the cost is linear in the unconsumed part of the record.
 */
export function walkUnmapped(
  out: Record<string, string>,
  path: string,
  value: unknown,
  skip: ReadonlySet<string>,
  partial: ReadonlySet<string>,
  inArray = false,
): void {
  if (value === null || value === undefined || skip.has(path)) return;
  if (!partial.has(path)) {
    flattenKeyed(out, path, value, inArray);
    return;
  }
  if (Array.isArray(value)) {
    const p = arrayPath(path);
    if (skip.has(p)) return;
    for (let i = 0; i < value.length; i++) walkUnmapped(out, p, value[i], skip, partial, true);
    return;
  }
  if (typeof value === 'object') {
    for (const k in value as Obj) walkUnmapped(out, childPath(path, k), (value as Obj)[k], skip, partial, inArray);
    return;
  }
  flattenKeyed(out, path, value, inArray);
}

/**
 * The inverse of {@link walkUnmapped}: flattens only the consumed leaves of `value`. Used when a
 * mapped element turns out unusable (e.g. a vulnerability without `Id`): its consumed leaves go back
 * to unmapped, while the regular walk adds the unconsumed ones, so the element is kept whole.
 */
export function walkConsumed(
  out: Record<string, string>,
  path: string,
  value: unknown,
  skip: ReadonlySet<string>,
  partial: ReadonlySet<string>,
): void {
  if (value === null || value === undefined) return;
  if (skip.has(path)) {
    flattenInto(out, path, value);
    return;
  }
  if (!partial.has(path)) return;
  if (Array.isArray(value)) {
    const p = path + '[]';
    for (let i = 0; i < value.length; i++) {
      if (skip.has(p)) flattenInto(out, p, value[i]);
      else walkConsumed(out, p, value[i], skip, partial);
    }
    return;
  }
  if (typeof value === 'object') {
    for (const k in value as Obj) walkConsumed(out, path + '.' + k, (value as Obj)[k], skip, partial);
  }
}

