/**
 * Generic JSON framing shared by the JSON-based sources: one document (object or array), NDJSON,
 * pretty-printed objects one after another, and Firehose-style concatenated objects with no
 * separator. Each value comes with its 1-based line; a value that does not parse becomes an
 * `invalid-json` failure and the scan goes on with the next one.
 */
import { DEAD_LETTER_INLINE_BYTES } from './input.js';
import { DEFAULT_LIMITS, utf8Exceeds } from './limits.js';
import { MapFailure } from './outcome.js';
import type { RawRecord } from './source.js';
import type { RecordContext } from './types.js';

/**
 * Yields every top-level JSON value in `text`. A top-level array yields its elements (with `index`);
 * callers unwrap envelopes (`Records`, `Findings`, `detail`) themselves. In NDJSON, a line over
 * `maxRecordBytes` is a `record-too-large` failure of its own.
 */
export function* parseJsonValues(
  text: string,
  base: RecordContext,
  source: string,
  maxRecordBytes: number = DEFAULT_LIMITS.maxRecordBytes,
): Generator<RawRecord | MapFailure> {
  let start = skipWs(text, 0);
  if (start >= text.length) return;
  const first = text.charCodeAt(start);
  if (first === 0x5b /* [ */) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (err) {
      yield new MapFailure('invalid-json', `invalid JSON array: ${(err as Error).message}`, source, clip(text), { ...base, line: 1 });
      return;
    }
    const a = arr as unknown[];
    for (let i = 0; i < a.length; i++) yield { value: a[i], context: { ...base, index: i } };
    return;
  }
  // NDJSON when the first line is a complete value on its own: one record per line, so a bad line
  // cannot swallow its neighbours.
  const nl = text.indexOf('\n', start);
  const firstLine = nl === -1 ? text.slice(start) : text.slice(start, nl);
  // (One line followed by nothing but white space is one document, whatever its size.)
  if (nl !== -1 && skipWs(text, nl) < text.length && parses(firstLine)) {
    yield* parseLines(text, base, source, maxRecordBytes);
    return;
  }
  if (nl === -1) {
    // One line: a single value or concatenated objects.
    try {
      yield { value: JSON.parse(text), context: { ...base, line: 1 } };
      return;
    } catch {
      /* fall through to the scanner */
    }
  } else {
    try {
      const whole = JSON.parse(text);
      yield { value: whole, context: { ...base, line: lineAt(text, start) } };
      return;
    } catch {
      /* several values: scan */
    }
  }
  yield* scanValues(text, start, base, source);
}

/** One JSON value per non-blank line; a line over `maxRecordBytes` is a `record-too-large` failure. */
export function* parseLines(
  text: string,
  base: RecordContext,
  source: string,
  maxRecordBytes: number = DEFAULT_LIMITS.maxRecordBytes,
): Generator<RawRecord | MapFailure> {
  let line = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    line++;
    const s = skipWs(text, pos);
    if (s < end) {
      const slice = text.slice(pos, end);
      if (utf8Exceeds(slice, maxRecordBytes)) {
        yield lineTooLarge(slice, maxRecordBytes, source, { ...base, line, offset: pos });
        pos = end + 1;
        continue;
      }
      try {
        yield { value: JSON.parse(slice), context: { ...base, line, offset: pos } };
      } catch (err) {
        const context = { ...base, line, offset: pos };
        yield new MapFailure('invalid-json', `line ${line}: ${(err as Error).message}`, source, rawText(slice, context), context);
      }
    }
    pos = end + 1;
  }
}

/** Splits concatenated / pretty-printed values by bracket depth (string-aware). */
function* scanValues(text: string, pos: number, base: RecordContext, source: string): Generator<RawRecord | MapFailure> {
  const n = text.length;
  let line = lineAt(text, pos);
  while (pos < n) {
    const startLine = line;
    const begin = pos;
    const c0 = text.charCodeAt(pos);
    if (c0 !== 0x7b && c0 !== 0x5b) {
      // Not an object or array: take the rest of the line as one bad record.
      let end = text.indexOf('\n', pos);
      if (end === -1) end = n;
      const slice = text.slice(pos, end);
      const ok = tryParse(slice);
      if (ok.ok) yield { value: ok.value, context: { ...base, line: startLine, offset: begin } };
      else yield new MapFailure('invalid-json', `line ${startLine}: ${ok.message}`, source, clip(slice), { ...base, line: startLine, offset: begin });
      pos = end;
    } else {
      let depth = 0;
      let inStr = false;
      let i = pos;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x0a) line++;
        if (inStr) {
          if (c === 0x5c) i++;
          else if (c === 0x22) inStr = false;
        } else if (c === 0x22) inStr = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--depth === 0) break;
        }
      }
      const slice = text.slice(begin, Math.min(i + 1, n));
      const ok = tryParse(slice);
      if (ok.ok) yield { value: ok.value, context: { ...base, line: startLine, offset: begin } };
      else {
        const msg = i >= n ? 'unterminated JSON value' : ok.message;
        yield new MapFailure('invalid-json', `line ${startLine}: ${msg}`, source, clip(slice), { ...base, line: startLine, offset: begin });
      }
      pos = i + 1;
    }
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 0x0a) line++;
      else if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x2c) break;
      pos++;
    }
  }
}

/**
 * The elements of the JSON array whose `[` is at `open`, for a document that does not parse as a whole (one
 * broken record in a CloudTrail `{"Records":[...]}` file): each element is cut by bracket depth (string-aware)
 * and parsed alone, so a broken element costs itself (with `resync`; without it, at worst what its broken
 * brackets swallow). Elements
 * get their `index`; anything after the array but a closing `}` is one more failure.
 */
export function* salvageArray(
  text: string,
  open: number,
  base: RecordContext,
  source: string,
  /** Global pattern matching where a new element starts (`},{"eventVersion"` in CloudTrail), to cut a broken element short. */
  resync?: RegExp,
): Generator<RawRecord | MapFailure> {
  const n = text.length;
  let pos = open + 1;
  for (let index = 0; ; index++) {
    while (pos < n && isSeparator(text.charCodeAt(pos))) pos++;
    if (pos >= n || text.charCodeAt(pos) === 0x5d /* ] */) break;
    const begin = pos;
    let depth = 0;
    let inStr = false;
    for (; pos < n; pos++) {
      const c = text.charCodeAt(pos);
      if (inStr) {
        if (c === 0x5c) pos++;
        else if (c === 0x22) inStr = false;
      } else if (c === 0x22) inStr = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break; // the array's own `]`
        if (--depth === 0) {
          pos++;
          break;
        }
      } else if (c === 0x2c && depth === 0) break;
    }
    let slice = text.slice(begin, pos);
    let ok = tryParse(slice);
    if (!ok.ok && resync !== undefined) {
      // A broken string turns the bracket count inside out: cut at the first place a new element starts.
      resync.lastIndex = begin + 1;
      const m = resync.exec(text);
      if (m !== null && m.index < pos) {
        pos = m.index + 1;
        slice = text.slice(begin, pos);
        ok = tryParse(slice);
      }
    }
    const context = { ...base, index, offset: begin };
    if (ok.ok) yield { value: ok.value, context };
    else yield new MapFailure('invalid-json', `element ${index}: ${pos >= n ? 'unterminated JSON value' : ok.message}`, source, rawText(slice, context), context);
  }
  const tail = text.slice(pos + 1).trim();
  if (pos < n && tail !== '' && tail !== '}') {
    const context = { ...base, offset: pos + 1 };
    yield new MapFailure('invalid-json', 'unexpected text after the array', source, rawText(tail, context), context);
  }
}

function isSeparator(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c;
}

function tryParse(s: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function parses(s: string): boolean {
  const c = s.charCodeAt(skipWs(s, 0));
  if (c !== 0x7b && c !== 0x5b) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) break;
    i++;
  }
  return i;
}

function lineAt(s: string, pos: number): number {
  let line = 1;
  for (let i = s.indexOf('\n'); i !== -1 && i < pos; i = s.indexOf('\n', i + 1)) line++;
  return line;
}

/** The `record-too-large` failure of one text line (its text is the raw record, whole). */
export function lineTooLarge(line: string, maxRecordBytes: number, source: string, context: RecordContext): MapFailure {
  const at = context.line !== undefined ? `line ${context.line}` : 'the record';
  return new MapFailure('record-too-large', `${at} exceeds ${maxRecordBytes} bytes (limits.maxRecordBytes)`, source, rawText(line, context), context);
}

/**
 * The raw text of a failed record for its dead letter: whole up to the dead-letter inline size; above it, a
 * reference to the input, line and character offset instead (the entry stays bounded, nothing is cut).
 */
export function rawText(text: string, context: RecordContext): string | { ref: { input?: string; line?: number; offset?: number }; chars: number } {
  if (!utf8Exceeds(text, DEAD_LETTER_INLINE_BYTES)) return text;
  return { ref: { input: context.input, line: context.line, offset: context.offset }, chars: text.length };
}

/**
 * Keeps dead-letter entries bounded: raw text over 8 MiB (the dead-letter inline size; records of real logs
 * are far smaller, so only broken whole documents get there) is cut and marked.
 */
export function clip(s: string, max = DEAD_LETTER_INLINE_BYTES): string {
  return s.length <= max ? s : s.slice(0, max) + `…[${s.length - max} more chars]`;
}

/**
 * True when the text starts (after white space and a BOM) like a JSON document: `{` or `[`. JSON decoders'
 * sniffs require it, so a README or LICENSE that merely mentions `"eventVersion"` is an unknown format.
 */
export function startsLikeJson(head: string): boolean {
  const c = head.charCodeAt(skipWs(head, 0));
  return c === 0x7b || c === 0x5b;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
