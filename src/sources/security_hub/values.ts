/**
 * Small value readers for ASFF fields and the unmapped walk with consumed-path skipping. Readers are
 * lenient about types (a number where a string is expected is stringified) and return `undefined`
 * for anything unusable, so the mapper can leave the raw value in unmapped instead.
 */
import { flattenInto } from '../../core/unmapped.js';
import { parseIsoMillis, toIsoUtc } from '../../core/time.js';

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

const keyCache = new Map<string, Map<string, string>>();
let keyCacheSize = 0;

/**
 * `path + "." + key` (or `key` at the top), memoized: the same few hundred unmapped keys recur in
 * every finding, and reusing one string per key spares building and internalizing it again per record.
 * Bounded: the cache is dropped when it reaches 50,000 keys (inputs with endless distinct keys).
 */
export function childPath(path: string, key: string): string {
  let m = keyCache.get(path);
  if (m === undefined) {
    if (keyCacheSize > 50_000) {
      keyCache.clear();
      keyCacheSize = 0;
    }
    m = new Map();
    keyCache.set(path, m);
  }
  let s = m.get(key);
  if (s === undefined) {
    s = path === '' ? key : path + '.' + key;
    m.set(key, s);
    keyCacheSize++;
  }
  return s;
}

const arrayPaths = new Map<string, string>();

/** `path + "[]"`, memoized like {@link childPath}. */
export function arrayPath(path: string): string {
  let s = arrayPaths.get(path);
  if (s === undefined) {
    if (arrayPaths.size > 50_000) arrayPaths.clear();
    s = path + '[]';
    arrayPaths.set(path, s);
  }
  return s;
}

/**
 * The §1.5 flattening of `flattenInto` (core/unmapped.ts) with memoized keys: same keys and values,
 * except that a raw key that itself contains `[]` is not taken for an array path. `inArray` says
 * whether `path` is below an array (its leaves are comma-joined).
 */
export function flattenKeyed(out: Record<string, string>, path: string, value: unknown, inArray: boolean): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const p = arrayPath(path);
    for (let i = 0; i < value.length; i++) flattenKeyed(out, p, value[i], true);
    return;
  }
  if (typeof value === 'object') {
    for (const k in value as Obj) flattenKeyed(out, childPath(path, k), (value as Obj)[k], inArray);
    return;
  }
  const s = typeof value === 'string' ? value : String(value);
  const prev = out[path];
  out[path] = prev === undefined || !inArray ? s : prev + ',' + s;
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

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The `*_dt` string of a raw timestamp already parsed to `ms`. ASFF timestamps are nearly always in the
 * exact form `toIsoUtc` produces (`2024-03-02T08:15:30.250Z`); such a string is returned as is (after
 * checking its fields, since `Date.parse` rolls `02-30` over), which saves a `Date` round trip per
 * timestamp on the hot path. Anything else is formatted from `ms`.
 */
export function isoOf(raw: unknown, ms: number): string {
  if (typeof raw === 'string' && raw.length === 24 && raw.charCodeAt(23) === 0x5a /* Z */ && raw.charCodeAt(10) === 0x54 /* T */ &&
      raw.charCodeAt(4) === 0x2d && raw.charCodeAt(7) === 0x2d && raw.charCodeAt(13) === 0x3a && raw.charCodeAt(16) === 0x3a && raw.charCodeAt(19) === 0x2e) {
    const y = digits(raw, 0, 4);
    const mo = digits(raw, 5, 2);
    const d = digits(raw, 8, 2);
    const h = digits(raw, 11, 2);
    const mi = digits(raw, 14, 2);
    const s = digits(raw, 17, 2);
    const f = digits(raw, 20, 3);
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && !leap ? 28 : DAYS_IN_MONTH[mo - 1]!) && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60 && f >= 0) {
      return raw;
    }
  }
  return toIsoUtc(ms);
}
