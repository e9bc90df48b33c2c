/**
 * Bounds on what one input object or record may cost. Anyone who can write a log line controls part of
 * the input, so nothing is inflated, split or walked without a limit: past one, the object or record
 * becomes a failure with its own reason code and the run goes on.
 */

export interface InputLimits {
  /**
   * Deepest nesting of objects and arrays in a record (the record itself is depth 1). Deeper records are
   * `too-deep` failures before any mapping, so no walk over a record recurses further. Default 100:
   * CloudTrail and Kubernetes objects (EKS `requestObject`, CRD schemas) stay far below 40.
   */
  maxDepth: number;
  /**
   * Largest input object after decompression, in bytes (`decompressed-too-large`, or `input-too-large`
   * for an uncompressed object). Default 256 MiB: CloudTrail and VPC objects are a few MB to tens of MB.
   * At most 512 MiB, V8's longest string, so that every accepted object can be decoded as text.
   */
  maxInputBytes: number;
  /**
   * Largest decompressed/compressed size ratio once the output passes 16 MiB (`decompressed-too-large`).
   * Default 200: real logs compress 5-30x; a gzip bomb reaches ~1000x.
   */
  maxCompressionRatio: number;
  /**
   * Largest record of a line-oriented input (a text line, an NDJSON line), in bytes (`record-too-large`): the
   * line fails alone. Default 32 MiB: an EKS audit event stays under 2 MiB,
   * a Firehose line of CloudWatch Logs payloads under 16 MiB.
   */
  maxRecordBytes: number;
  /** Most records of one input object (`too-many-records` for the rest of it). Default 10 million. */
  maxRecordsPerInput: number;
}

export const DEFAULT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxDepth: 100,
  maxInputBytes: 256 << 20,
  maxCompressionRatio: 200,
  maxRecordBytes: 32 << 20,
  maxRecordsPerInput: 10_000_000,
});

/** V8's longest string (2^29 - 24 UTF-16 units): an object is decoded as one string. */
export const MAX_INPUT_BYTES = (1 << 29) - 24;
/** The ratio limit does not apply below this output size (small, highly repetitive files are harmless). */
export const RATIO_FLOOR_BYTES = 16 << 20;
/** Depth above which even the bounded walks would risk the call stack. */
const MAX_DEPTH = 10_000;

/** Raised for a limit option out of range (a usage error, at setup). */
export class LimitError extends Error {
  override name = 'LimitError';
}

/** The defaults overridden by `given`; throws {@link LimitError} for a value that is not a positive integer in range. */
export function resolveLimits(given: Partial<InputLimits> | undefined): InputLimits {
  const l = { ...DEFAULT_LIMITS, ...dropUndefined(given) };
  check('maxDepth', l.maxDepth, MAX_DEPTH);
  check('maxInputBytes', l.maxInputBytes, MAX_INPUT_BYTES);
  check('maxCompressionRatio', l.maxCompressionRatio, Number.MAX_SAFE_INTEGER);
  check('maxRecordBytes', l.maxRecordBytes, MAX_INPUT_BYTES);
  check('maxRecordsPerInput', l.maxRecordsPerInput, Number.MAX_SAFE_INTEGER);
  return l;
}

function check(name: keyof InputLimits, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new LimitError(`limits.${name} must be an integer from 1 to ${max}, got ${String(v)}`);
}

function dropUndefined(o: Partial<InputLimits> | undefined): Partial<InputLimits> {
  const out: Partial<InputLimits> = {};
  if (o) for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k as keyof InputLimits] = v;
  return out;
}

/** A limit as written in a flag or an environment variable: digits, with an optional `KiB`/`MiB`/`GiB` suffix (undefined otherwise). */
export function parseLimit(text: string): number | undefined {
  const m = /^(\d+)(KiB|MiB|GiB)?$/.exec(text.trim());
  return m ? Number(m[1]) * (m[2] === 'KiB' ? 1024 : m[2] === 'MiB' ? 1 << 20 : m[2] === 'GiB' ? 1 << 30 : 1) : undefined;
}

/** Most bytes a gzip body of `compressedBytes` may inflate to under `l`. */
export function inflateCap(compressedBytes: number, l: Pick<InputLimits, 'maxInputBytes' | 'maxCompressionRatio'>): number {
  return Math.min(l.maxInputBytes, Math.max(RATIO_FLOOR_BYTES, compressedBytes * l.maxCompressionRatio));
}

/**
 * True when `v` nests objects/arrays deeper than `max` levels. Recursion is bounded by `max` (the walk stops
 * one level below it), and the common leaves cost one `typeof`.
 */
export function deeperThan(v: unknown, max: number): boolean {
  return v !== null && typeof v === 'object' && tooDeep(v as object, max - 1);
}

function tooDeep(o: object, left: number): boolean {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      if (x !== null && typeof x === 'object' && (left === 0 || tooDeep(x, left - 1))) return true;
    }
    return false;
  }
  for (const k in o) {
    const x: unknown = (o as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object' && (left === 0 || tooDeep(x, left - 1))) return true;
  }
  return false;
}

/** UTF-8 length of `s` compared with `max` without encoding it when the answer is plain from its length. */
export function utf8Exceeds(s: string, max: number): boolean {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return Buffer.byteLength(s, 'utf8') > max;
}
