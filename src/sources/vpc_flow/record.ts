/**
 * Raw VPC flow records as the decoders hand them to the mapper, and the two readers the mapper reads
 * them through: {@link TextReader} over one text line (token offsets in a reusable array, values read
 * in place: numbers parsed from char codes, enums matched with `startsWith`, strings sliced only when
 * they become output) and {@link ObjectReader} over a column record (Parquet row or JSON object).
 */
import { flattenInto } from '../../core/unmapped.js';
import { FIELD_COUNT, fieldId, normalizeFieldName } from './fields.js';
import { scanTokens } from './format.js';
import type { VpcFormat } from './format.js';

/** One text line with the format that describes it. Serialises (dead letters) as the line itself. */
export class VpcLine {
  constructor(
    readonly line: string,
    readonly format: VpcFormat,
  ) {}
  toJSON(): string {
    return this.line;
  }
  /** The header line that names this line's fields, so `ocsf-lake replay` can decode it again. */
  deadLetterHeader(): string {
    return this.format.names.join(this.format.sep === 'comma' ? ',' : ' ');
  }
}

/** Value states. */
export const ABSENT = 0; // the format has no such field
export const NUL = 1; // the field is in the format but holds no value (Parquet null, empty CSV cell)
export const DASH = 2; // the value is "-"
export const VALUE = 3;

export interface Reader {
  state(fid: number): number;
  /** The value as a string (state DASH or VALUE). */
  str(fid: number): string;
  /** Unsigned integer value, or -1 when the value is not a non-negative integer (state VALUE only). */
  uint(fid: number): number;
  /** True when two fields hold the same text (both state VALUE). */
  same(a: number, b: number): boolean;
  /** Index of the value in `keys`, or -1 (state VALUE only). */
  match(fid: number, keys: readonly string[]): number;
  /** Adds values of unknown fields (allowed by the user) to `out`. */
  unknownInto(out: Record<string, string>): void;
  /** The record for dead letters. */
  raw(): unknown;
}

export class TextReader implements Reader {
  private line = '';
  private fmt!: VpcFormat;
  private offs = new Int32Array(128);
  private rec!: VpcLine;

  /** Splits the line; returns the token count (compare with `format.n`). */
  load(rec: VpcLine): number {
    this.rec = rec;
    this.line = rec.line;
    this.fmt = rec.format;
    if (this.offs.length < 2 * rec.format.n + 2) this.offs = new Int32Array(2 * rec.format.n + 2);
    return scanTokens(rec.line, 0, rec.line.length, rec.format.sep, this.offs);
  }

  state(fid: number): number {
    const p = this.fmt.posOf[fid]!;
    if (p < 0) return ABSENT;
    const s = this.offs[2 * p]!;
    const e = this.offs[2 * p + 1]!;
    if (e === s) return NUL;
    if (e - s === 1 && this.line.charCodeAt(s) === 45) return DASH;
    return VALUE;
  }

  str(fid: number): string {
    const p = this.fmt.posOf[fid]!;
    return this.line.slice(this.offs[2 * p], this.offs[2 * p + 1]);
  }

  uint(fid: number): number {
    const p = this.fmt.posOf[fid]!;
    const line = this.line;
    const e = this.offs[2 * p + 1]!;
    let i = this.offs[2 * p]!;
    if (e - i > 16) return -1;
    let v = 0;
    for (; i < e; i++) {
      const d = line.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v <= Number.MAX_SAFE_INTEGER ? v : -1;
  }

  same(a: number, b: number): boolean {
    const pa = this.fmt.posOf[a]!;
    const pb = this.fmt.posOf[b]!;
    const sa = this.offs[2 * pa]!;
    const sb = this.offs[2 * pb]!;
    const len = this.offs[2 * pa + 1]! - sa;
    if (this.offs[2 * pb + 1]! - sb !== len) return false;
    const line = this.line;
    for (let i = 0; i < len; i++) if (line.charCodeAt(sa + i) !== line.charCodeAt(sb + i)) return false;
    return true;
  }

  match(fid: number, keys: readonly string[]): number {
    const p = this.fmt.posOf[fid]!;
    const s = this.offs[2 * p]!;
    const len = this.offs[2 * p + 1]! - s;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === len && this.line.startsWith(key, s)) return k;
    }
    return -1;
  }

  unknownInto(out: Record<string, string>): void {
    const u = this.fmt.unknown;
    for (let k = 0; k < u.length; k++) {
      const p = u[k]!;
      const s = this.offs[2 * p]!;
      const e = this.offs[2 * p + 1]!;
      if (e > s) out[this.fmt.names[p]!] = this.line.slice(s, e);
    }
  }

  /** The line with its format: the dead letter keeps the header that replay needs to read it again. */
  raw(): unknown {
    return this.rec;
  }
}

/**
 * Reads a record given as columns: a Parquet row or a JSON object with underscore or hyphen keys.
 * `null`/`undefined`/`""` are NUL; numbers and bigints are accepted for numeric fields.
 */
export class ObjectReader implements Reader {
  private vals: unknown[] = new Array(FIELD_COUNT);
  private has = new Uint8Array(FIELD_COUNT);
  private extra: [string, unknown][] = [];
  private obj: Record<string, unknown> = {};

  /** Loads a record; returns the first unknown key when unknown keys are not allowed, else undefined. */
  load(obj: Record<string, unknown>, allowUnknown: boolean): string | undefined {
    this.obj = obj;
    this.has.fill(0);
    this.extra.length = 0;
    for (const k in obj) {
      const id = fieldId(k);
      if (id < 0) {
        if (!allowUnknown) return k;
        this.extra.push([normalizeFieldName(k), obj[k]]);
        continue;
      }
      this.has[id] = 1;
      this.vals[id] = obj[k];
    }
    return undefined;
  }

  state(fid: number): number {
    if (this.has[fid] === 0) return ABSENT;
    const v = this.vals[fid];
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) return NUL;
    if (v === '-') return DASH;
    return VALUE;
  }

  str(fid: number): string {
    const v = this.vals[fid];
    return typeof v === 'string' ? v : String(v);
  }

  uint(fid: number): number {
    const v = this.vals[fid];
    if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : -1;
    if (typeof v === 'bigint') return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
    if (typeof v === 'string' && /^\d{1,16}$/.test(v)) return Number(v);
    return -1;
  }

  same(a: number, b: number): boolean {
    return this.str(a) === this.str(b);
  }

  match(fid: number, keys: readonly string[]): number {
    const s = this.str(fid);
    return keys.indexOf(s);
  }

  unknownInto(out: Record<string, string>): void {
    for (const [k, v] of this.extra) flattenInto(out, k, v);
  }

  raw(): unknown {
    return this.obj;
  }
}
