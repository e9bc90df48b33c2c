/**
 * Reading OCSF events from files for `ocsf-lake validate`: a small registry of event readers chosen by
 * content. gzip is removed first (by magic bytes, never by name); then the first registered reader whose
 * `sniff` accepts the bytes reads them; JSON (one object, an array of objects, NDJSON, objects back to
 * back) is the fallback. Parquet: a reader for `PAR1` files is meant to be registered by the Parquet module
 * (`registerEventReader({ name: 'parquet', sniff: isParquet, read, normalize: { unwrapListWrappers: true } })`);
 * until one is, Parquet input yields one clear error.
 */
import { gunzipSalvage, isGzip, decodeUtf8 } from '../core/input.js';
import { parseJsonValues } from '../core/json-input.js';
import { DEFAULT_LIMITS, deeperThan } from '../core/limits.js';
import { MapFailure } from '../core/outcome.js';
import type { NormalizeOptions } from './normalize.js';

/** One event read from an input, or a part of the input that could not be read. */
export type EventItem =
  | { kind: 'event'; event: unknown; location: string }
  | { kind: 'error'; message: string; location: string };

export interface EventReader {
  name: string;
  /** True when this reader handles these (already gunzipped) bytes. */
  sniff(bytes: Uint8Array, fileName: string): boolean;
  /** Yields the events (rows) of the input; per-part problems are `error` items, never throws. */
  read(bytes: Uint8Array, fileName: string): Iterable<EventItem> | AsyncIterable<EventItem>;
  /** How the validator must normalize these events (e.g. Parquet rows: `{ unwrapListWrappers: true }`). */
  normalize?: NormalizeOptions;
}

const readers: EventReader[] = [];

/** Registers a reader; readers registered later are tried first. */
export function registerEventReader(reader: EventReader): void {
  const i = readers.findIndex((r) => r.name === reader.name);
  if (i >= 0) readers.splice(i, 1);
  readers.unshift(reader);
}

export function isParquet(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31; // PAR1
}

/** JSON input: a single object, an array of events, NDJSON, or objects back to back. */
export const jsonEventReader: EventReader = {
  name: 'json',
  sniff: () => true,
  *read(bytes, fileName) {
    let text: string;
    try {
      text = decodeUtf8(bytes);
    } catch (err) {
      yield { kind: 'error', message: `not a Parquet file (no PAR1 magic number), and as JSON text: ${(err as Error).message}`, location: fileName };
      return;
    }
    for (const r of parseJsonValues(text, { input: fileName }, 'validate')) {
      if (r instanceof MapFailure) {
        yield { kind: 'error', message: r.message, location: locate(fileName, r.context) };
      } else if (deeperThan(r.value, DEFAULT_LIMITS.maxDepth)) {
        // No OCSF event nests that deep; the validator's walk over it would not end well.
        yield { kind: 'error', message: `nests objects/arrays deeper than ${DEFAULT_LIMITS.maxDepth} levels`, location: locate(fileName, r.context) };
      } else {
        yield { kind: 'event', event: r.value, location: locate(fileName, r.context) };
      }
    }
  },
};

function locate(fileName: string, c: { line?: number; index?: number }): string {
  if (c.index !== undefined) return `${fileName}[${c.index}]`;
  if (c.line !== undefined) return `${fileName}:${c.line}`;
  return fileName;
}

/** Placeholder until a Parquet reader is registered. */
const parquetPlaceholder: EventReader = {
  name: 'parquet-unsupported',
  sniff: (bytes) => isParquet(bytes),
  *read(_bytes, fileName) {
    yield { kind: 'error', message: 'Parquet input is not supported yet (no Parquet event reader is registered)', location: fileName };
  },
};

/**
 * Why bytes that should be Parquet (a `.parquet` name, or the `PAR1` magic) are not a whole Parquet file, or
 * undefined when the frame is sound: `PAR1` at both ends and a footer length that fits. A zero-byte or cut
 * file is refused here, before a reader could take it for an empty one.
 */
export function parquetFrameError(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  if (n === 0) return 'not a Parquet file: the file is empty (0 bytes)';
  if (!isParquet(bytes)) return 'not a Parquet file: it does not start with the PAR1 magic number';
  if (n < 12 || bytes[n - 4] !== 0x50 || bytes[n - 3] !== 0x41 || bytes[n - 2] !== 0x52 || bytes[n - 1] !== 0x31) {
    return `truncated Parquet file: ${n} bytes, and it does not end with the PAR1 magic number of a footer`;
  }
  const footer = (bytes[n - 8]! | (bytes[n - 7]! << 8) | (bytes[n - 6]! << 16) | (bytes[n - 5]! << 24)) >>> 0;
  if (footer === 0 || footer > n - 12) return `not a readable Parquet file: its footer length (${footer}) does not fit in ${n} bytes`;
  return undefined;
}

/** True when bytes are plainly not text: a NUL, or mostly control bytes, in the first 4 KiB. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === 0) return true;
    if (c < 0x09 || (c > 0x0d && c < 0x20)) control++;
  }
  return control > n / 10;
}

/** A reader that yields one error (for inputs refused whole). */
function refused(message: string): EventReader {
  return {
    name: 'refused',
    sniff: () => true,
    *read(_bytes, fileName) {
      yield { kind: 'error', message, location: fileName };
    },
  };
}

const PARQUET_NAME = /\.parquet$/i;

/** Picks the reader for the input's content (after gunzip). */
export function readerFor(bytes: Uint8Array, fileName: string): EventReader {
  if (PARQUET_NAME.test(fileName) || isParquet(bytes)) {
    const bad = parquetFrameError(bytes);
    if (bad !== undefined) return refused(bad);
  } else if (looksBinary(bytes)) {
    return refused('not a Parquet file (no PAR1 magic number) and not JSON text (binary data)');
  }
  return readers.find((r) => r.sniff(bytes, fileName)) ?? (parquetPlaceholder.sniff(bytes, fileName) ? parquetPlaceholder : jsonEventReader);
}

/**
 * Decompresses (gzip by magic bytes; a truncated stream yields what it holds plus an error) and reads
 * the events of one input. Returns the reader used, for its normalization options.
 */
export function openEvents(fileName: string, raw: Uint8Array): { reader: EventReader; items: AsyncIterable<EventItem> } {
  let bytes = raw;
  let gzError: string | undefined;
  if (isGzip(raw)) {
    const g = gunzipSalvage(raw);
    bytes = g.data;
    gzError = g.error?.message;
  }
  const reader = readerFor(bytes, fileName);
  async function* items(): AsyncGenerator<EventItem> {
    yield* reader.read(bytes, fileName);
    if (gzError) yield { kind: 'error', message: gzError, location: fileName };
  }
  return { reader, items: items() };
}
