/**
 * Flow-log formats: a header line or a `--vpc-format` string compiled once into position ↔ field-id
 * tables, and the allocation-free line scanner that fills a reusable array of token offsets.
 */
import { FIELD_COUNT, FIELD_NAMES, fieldId, normalizeFieldName } from './fields.js';

/** `space`: S3 text / CloudWatch lines (runs of blanks separate fields). `comma`: CSV exports (empty field = null). */
export type Separator = 'space' | 'comma';

export interface VpcFormat {
  /** Normalised (underscore) field names, by position. */
  readonly names: readonly string[];
  /** Position → field id (`-1` for a field AWS does not define). */
  readonly fids: Int16Array;
  /** Field id → position (`-1` when the format lacks the field). */
  readonly posOf: Int16Array;
  readonly n: number;
  readonly sep: Separator;
  /** Positions holding unknown fields (non-empty only when the user allowed unknown fields). */
  readonly unknown: readonly number[];
  /** Human form of the field list, for messages. */
  readonly text: string;
}

/** A format that cannot be used: unknown or repeated field names. */
export class FormatError extends Error {
  override name = 'FormatError';
  constructor(
    readonly reason: 'unknown-field' | 'invalid-format',
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(message);
  }
}

const cache = new Map<string, VpcFormat>();

/**
 * Compiles a field list (header tokens or a parsed `--vpc-format`). Unknown names throw a
 * {@link FormatError} naming them unless `allowUnknown`; a repeated name always throws.
 */
export function compileFormat(rawNames: readonly string[], sep: Separator, allowUnknown: boolean): VpcFormat {
  const key = `${sep}|${allowUnknown ? 1 : 0}|${rawNames.join(' ')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const names = rawNames.map(normalizeFieldName);
  if (names.length === 0 || names.some((n) => n === '')) throw new FormatError('invalid-format', 'the flow log format names no fields');
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new FormatError('invalid-format', `the flow log format names field "${n}" twice`, [n]);
    seen.add(n);
  }
  const fids = new Int16Array(names.length);
  const posOf = new Int16Array(FIELD_COUNT).fill(-1);
  const unknown: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const id = fieldId(names[i]!);
    fids[i] = id;
    if (id >= 0) posOf[id] = i;
    else unknown.push(i);
  }
  if (unknown.length > 0 && !allowUnknown) {
    const bad = unknown.map((i) => rawNames[i]!);
    throw new FormatError(
      'unknown-field',
      `unknown VPC flow log field${bad.length > 1 ? 's' : ''} ${bad.map((b) => JSON.stringify(b)).join(', ')} in the format ` +
        `(known: the v2–v8 fields ${FIELD_NAMES[0]} … ${FIELD_NAMES[FIELD_COUNT - 1]}); pass --allow-unknown-fields to keep them in unmapped`,
      bad,
    );
  }
  const fmt: VpcFormat = { names, fids, posOf, n: names.length, sep, unknown, text: names.join(' ') };
  if (cache.size > 256) cache.clear();
  cache.set(key, fmt);
  return fmt;
}

/**
 * Parses a `--vpc-format` value: AWS's own syntax (`${version} ${account-id} ...`) or a plain list of
 * field names separated by blanks or commas, hyphen or underscore form.
 */
export function parseFormatOption(s: string): string[] {
  return s
    .replace(/\$\{([^}]*)\}/g, ' $1 ')
    .split(/[\s,]+/)
    .filter((t) => t !== '');
}

const NAME_SHAPE = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/**
 * True when `tokens` are a header line: every token has the shape of a field name (lower case, digits,
 * `-`/`_`) and at least half of them are AWS field names. Data lines never qualify (they carry numbers,
 * addresses, upper-case actions or `-`), so the decision never depends on how many tokens a line has.
 */
export function isHeader(tokens: readonly string[]): boolean {
  if (tokens.length === 0) return false;
  let known = 0;
  for (const t of tokens) {
    if (!NAME_SHAPE.test(t)) return false;
    if (fieldId(t) >= 0) known++;
  }
  return known * 2 >= tokens.length;
}

/** Splits a whole line into trimmed tokens (slow path: headers and sniffing only). */
export function tokenize(line: string, sep: Separator): string[] {
  if (sep === 'comma') return line.replace(/\r$/, '').split(',').map((t) => unquote(t.trim()));
  return line.split(/[ \t\r]+/).filter((t) => t !== '');
}

function unquote(t: string): string {
  return t.length >= 2 && t.charCodeAt(0) === 0x22 && t.charCodeAt(t.length - 1) === 0x22 ? t.slice(1, -1) : t;
}

/**
 * Scans `line[start, end)` and writes each token's start/end offsets into `offs` (pairs), without
 * allocating. Blank runs (space, tab, CR) separate tokens in `space` mode; in `comma` mode every comma
 * separates (empty tokens are kept, surrounding blanks and double quotes are trimmed). Returns the
 * number of tokens, which may exceed `offs.length / 2` (only the first ones are written).
 */
export function scanTokens(line: string, start: number, end: number, sep: Separator, offs: Int32Array): number {
  const cap = offs.length >> 1;
  let n = 0;
  let i = start;
  if (sep === 'space') {
    while (end > start && line.charCodeAt(end - 1) === 0x0d) end--;
    // Fast path (no tabs, the AWS form): tokens end at the next space, found natively.
    const tab = line.indexOf('\t', start);
    if (tab === -1 || tab >= end) {
      for (;;) {
        while (i < end && line.charCodeAt(i) === 0x20) i++;
        if (i >= end) return n;
        let e = i + 1;
        // One-character tokens ("-", digits) are common: check the next char before searching.
        if (e < end && line.charCodeAt(e) !== 0x20) {
          e = line.indexOf(' ', e + 1);
          if (e === -1 || e > end) e = end;
        }
        if (n < cap) {
          offs[2 * n] = i;
          offs[2 * n + 1] = e;
        }
        n++;
        i = e;
      }
    }
    for (;;) {
      let c = 0;
      while (i < end && ((c = line.charCodeAt(i)) === 0x20 || c === 0x09 || c === 0x0d)) i++;
      if (i >= end) return n;
      const s = i;
      while (i < end && (c = line.charCodeAt(i)) !== 0x20 && c !== 0x09 && c !== 0x0d) i++;
      if (n < cap) {
        offs[2 * n] = s;
        offs[2 * n + 1] = i;
      }
      n++;
    }
  }
  // comma
  while (end > start && line.charCodeAt(end - 1) === 0x0d) end--;
  for (;;) {
    let j = line.indexOf(',', i);
    if (j === -1 || j > end) j = end;
    let s = i;
    let e = j;
    while (s < e && line.charCodeAt(s) === 0x20) s++;
    while (e > s && line.charCodeAt(e - 1) === 0x20) e--;
    if (e - s >= 2 && line.charCodeAt(s) === 0x22 && line.charCodeAt(e - 1) === 0x22) {
      s++;
      e--;
    }
    if (n < cap) {
      offs[2 * n] = s;
      offs[2 * n + 1] = e;
    }
    n++;
    if (j >= end) return n;
    i = j + 1;
  }
}
