/**
 * Turning an input object's bytes into a {@link DecodeInput}: gzip detection by magic bytes (never by
 * file name), salvage of truncated gzip, lazy strict UTF-8 decoding.
 */
import { constants, gunzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from './limits.js';
import type { InputLimits } from './limits.js';
import type { DecodeInput } from './source.js';
import type { RecordContext, SourceOptions } from './types.js';

/** Raised for input-level problems; the engine turns it into one failure with `reason`. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly reason: 'truncated-gzip' | 'not-gzip' | 'invalid-utf8' | 'read-error' | 'empty-input' | 'decompressed-too-large',
    message: string,
  ) {
    super(message);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

// 1 MiB output chunks decompress ~1.5x faster than zlib's 16 KiB default (stack.md §3).
const GUNZIP_OPTS = { chunkSize: 1 << 20 } as const;

/**
 * Decompresses gzip input (including multi-member files), inflating at most `maxBytes` (zlib stops there:
 * a gzip bomb costs `maxBytes` of memory, not its full size). Past the cap the result is empty with a
 * `decompressed-too-large` error. A truncated or corrupt stream yields what could be recovered plus the
 * error, so records before the damage are not lost.
 */
export function gunzipSalvage(bytes: Uint8Array, maxBytes: number = DEFAULT_LIMITS.maxInputBytes): { data: Buffer; error?: InputError } {
  const opts = { ...GUNZIP_OPTS, maxOutputLength: maxBytes };
  try {
    return { data: gunzipSync(bytes, opts) };
  } catch (err) {
    if (isTooLarge(err)) return { data: EMPTY, error: tooLarge(maxBytes) };
    let data: Buffer;
    try {
      data = gunzipSync(bytes, { ...opts, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (again) {
      if (isTooLarge(again)) return { data: EMPTY, error: tooLarge(maxBytes) };
      data = EMPTY;
    }
    return { data, error: new InputError('truncated-gzip', `gzip stream is truncated or corrupt: ${(err as Error).message}`) };
  }
}

const EMPTY = Buffer.alloc(0);

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}

function tooLarge(maxBytes: number): InputError {
  return new InputError('decompressed-too-large', `decompressed data exceeds ${maxBytes} bytes (limits.maxInputBytes / maxCompressionRatio); inflating stopped there`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decoding (a leading BOM is dropped). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new InputError('invalid-utf8', `input is not valid UTF-8 (first bad byte at offset ${at})`);
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const n = utf8SequenceLength(b, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

/**
 * Where an input that is not valid UTF-8 is damaged: the lines holding invalid bytes (1-based) with each
 * line's byte range and first bad byte. Its text was decoded with U+FFFD for the bad bytes, so that only
 * the records they touch fail.
 */
export interface Utf8Damage {
  lines: Map<number, { start: number; end: number; bad: number }>;
}

/** The decoder's view of an input, plus what the engine needs to fail only the records bad bytes touch. */
export interface EngineDecodeInput extends DecodeInput {
  /** Set once `text` was read, when the bytes are not valid UTF-8. */
  readonly damage: Utf8Damage | undefined;
}

const lenientUtf8 = new TextDecoder('utf-8');

/** Builds the lazily-decoded view that decoders receive. `bytes` must already be decompressed. */
export function makeDecodeInput(
  name: string,
  bytes: Uint8Array,
  context: RecordContext,
  options: SourceOptions,
  limits: InputLimits = DEFAULT_LIMITS,
): EngineDecodeInput {
  let text: string | undefined;
  let damage: Utf8Damage | undefined;
  return {
    name,
    bytes,
    context,
    options,
    limits,
    get text() {
      if (text === undefined) {
        try {
          text = utf8.decode(bytes);
        } catch {
          damage = findUtf8Damage(bytes);
          text = lenientUtf8.decode(bytes);
        }
      }
      return text;
    },
    get damage() {
      return damage;
    },
  };
}

/** The lines of `b` that hold invalid UTF-8 (only called when strict decoding failed). */
export function findUtf8Damage(b: Uint8Array): Utf8Damage {
  const lines: Utf8Damage['lines'] = new Map();
  let line = 1;
  let start = 0;
  let bad = -1;
  const close = (end: number) => {
    if (bad >= 0) lines.set(line, { start, end, bad });
  };
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c === 0x0a) {
      close(i);
      line++;
      start = i + 1;
      bad = -1;
      i++;
      continue;
    }
    const n = utf8SequenceLength(b, i);
    if (n === 0) {
      if (bad < 0) bad = i;
      i++;
    } else i += n;
  }
  close(b.length);
  return { lines };
}

/** Length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  for (let j = 1; j < n; j++) if ((b[i + j]! & 0xc0) !== 0x80) return 0;
  const c1 = b[i + 1]!;
  // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8.
  if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return 0;
  return n;
}

/**
 * Dead-letter form of raw bytes: the whole of them as base64 up to `inline` bytes; above, a reference to the
 * input object and byte range (a dead-letter line stays bounded; the object holds the bytes).
 */
export function rawBytes(
  b: Uint8Array,
  input: string | undefined,
  start = 0,
  end = b.length,
  inline = DEAD_LETTER_INLINE_BYTES,
): { base64: string; bytes: number } | { ref: { input: string | undefined; start: number; end: number }; bytes: number } {
  if (end - start <= inline) return { base64: Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('base64'), bytes: end - start };
  return { ref: { input, start, end }, bytes: end - start };
}

/** Raw bytes kept in a dead letter itself; larger ones are referenced by input and byte range. */
export const DEAD_LETTER_INLINE_BYTES = 8 << 20;

/** The first ≤ 64 KiB of the input as text for sniffing (invalid bytes replaced, never thrown). */
export function sniffHead(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 65536);
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8').replace(/^\uFEFF/, '');
}
