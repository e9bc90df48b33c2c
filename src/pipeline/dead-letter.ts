/**
 * The dead-letter sink: every failure of a run, as gzip NDJSON under
 * `<root>/dlq/<source>/<reason>/eventDay=<YYYYMMDD>/<hash>.ndjson.gz`, one entry per failed record with the raw
 * record, where it came from (input object, line, byte offset, index), the reason code and message, the mapper
 * that failed, and validation errors. `eventDay` is the UTC day the failure was recorded (failed records often
 * have no usable time). Object names are a hash of the entries' origins, so re-running the same input on the
 * same day replaces a file instead of adding a duplicate.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { MapFailure } from '../core/outcome.js';
import { stringifyAnyDepth } from '../core/stringify.js';
import { toEventDay } from '../core/time.js';
import type { Sink } from '../writer/sinks/sink.js';

/** One line of a dead-letter file. */
export interface DeadLetterEntry {
  reason: string;
  message: string;
  /** sourceName (or family / `auto`) that was processing the record. */
  source: string;
  /** Source version and library version of the mapper, e.g. `CLOUD_TRAIL_MGMT@2.0 ocsf-lake/0.1.0`. */
  mapper?: string;
  input?: string;
  line?: number;
  offset?: number;
  index?: number;
  region?: string;
  accountId?: string;
  errors?: readonly { path: string; message: string }[];
  /** When the failure was recorded (ISO-8601). */
  failedAt: string;
  /** The raw record: the parsed value, the raw text, or `{base64, bytes}` for undecodable bytes. */
  raw: unknown;
  /** Text-line formats: the header line that gives the fields of `raw` (e.g. a VPC flow-log header). */
  header?: string;
  /** The OCSF event, when the record was mapped and failed later (validation, schema, partition, sink). */
  event?: unknown;
}

export interface DeadLetterOptions {
  sink: Sink;
  /** Library version written into `mapper`. */
  libraryVersion: string;
  /** Write a file once its buffered NDJSON reaches this size (default 16 MiB). */
  maxBufferedBytes?: number;
  now?: () => number;
  /** Mixed into file names (the unit of work writing them), so that two units never name a file alike. */
  nameSalt?: () => string;
  /** Called after each file is stored, with its entry count. */
  onFile?: (file: { key: string; rows: number; bytes: number }) => void;
}

export interface DeadLetterWriter {
  /** Buffers one failure (`mapper` = `SOURCE@version` when known; `event` when it was mapped). */
  add(failure: MapFailure, mapper?: string, event?: unknown): void;
  /** Writes every buffered entry; resolves with the keys written. Rejects (keeping the entries) when the sink fails. */
  flush(): Promise<string[]>;
  /**
   * Writes only the files that reached `maxBufferedBytes`, under the keys `flush()` would give them: a run calls
   * it as it goes so that a flood of failures does not pile up in memory until the end.
   */
  flushFull(): Promise<string[]>;
  /** Drops every buffered entry (their unit of work was given up; its inputs will be read again). */
  discard(): void;
  /** Files buffered in full, waiting for `flushFull()` or `flush()`. */
  readonly full: number;
  /** Entries accepted so far. */
  readonly count: number;
}

interface Pending {
  dir: string;
  lines: string[];
  bytes: number;
  origins: ReturnType<typeof createHash>;
}

const SEGMENT = /[^A-Za-z0-9_.-]/g;

export function createDeadLetterWriter(opts: DeadLetterOptions): DeadLetterWriter {
  const maxBytes = opts.maxBufferedBytes ?? 16 << 20;
  const now = opts.now ?? Date.now;
  const pending = new Map<string, Pending>();
  let count = 0;
  const ready: Pending[] = [];

  function add(f: MapFailure, mapper?: string, event?: unknown): void {
    const t = now();
    const c = f.context;
    const entry: DeadLetterEntry = {
      reason: f.reason,
      message: f.message,
      source: f.source,
      ...(mapper !== undefined ? { mapper: `${mapper} ocsf-lake/${opts.libraryVersion}` } : {}),
      ...(c.input !== undefined ? { input: c.input } : {}),
      ...(c.line !== undefined ? { line: c.line } : {}),
      ...(c.offset !== undefined ? { offset: c.offset } : {}),
      ...(c.index !== undefined ? { index: c.index } : {}),
      ...(c.region !== undefined ? { region: c.region } : {}),
      ...(c.accountId !== undefined ? { accountId: c.accountId } : {}),
      ...(f.errors ? { errors: f.errors } : {}),
      failedAt: new Date(t).toISOString(),
      raw: f.raw,
      ...headerOf(f.raw),
      ...(event !== undefined ? { event } : {}),
    };
    const source = (f.source || 'unknown').replace(SEGMENT, '_');
    const reason = (f.reason || 'unknown').replace(SEGMENT, '_');
    const dir = `dlq/${source}/${reason}/eventDay=${toEventDay(t)}`;
    let p = pending.get(dir);
    if (!p) {
      p = { dir, lines: [], bytes: 0, origins: createHash('sha256').update(dir) };
      pending.set(dir, p);
    }
    const line = stringifyAnyDepth(entry, bigintSafe) + '\n';
    p.lines.push(line);
    p.bytes += line.length;
    p.origins.update(`${c.input ?? ''}\u0000${c.offset ?? ''}:${c.line ?? ''}:${c.index ?? ''}:${p.lines.length}\n`);
    count++;
    if (p.bytes >= maxBytes) {
      pending.delete(dir);
      ready.push(p);
    }
  }

  async function flush(): Promise<string[]> {
    for (const p of pending.values()) ready.push(p);
    pending.clear();
    return flushFull();
  }

  async function flushFull(): Promise<string[]> {
    const keys: string[] = [];
    while (ready.length > 0) {
      const p = ready[0]!;
      const key = `${p.dir}/${p.origins.copy().update(opts.nameSalt?.() ?? '').digest('hex').slice(0, 32)}.ndjson.gz`;
      const body = gzipSync(p.lines.join(''));
      await opts.sink.put(key, [body], body.length);
      ready.shift();
      keys.push(key);
      opts.onFile?.({ key, rows: p.lines.length, bytes: body.length });
    }
    return keys;
  }

  return {
    add,
    flush,
    flushFull,
    discard() {
      pending.clear();
      ready.length = 0;
    },
    get full() {
      return ready.length;
    },
    get count() {
      return count;
    },
  };
}

/** Raw values of text-line formats can say which header line gives their fields (`deadLetterHeader()`). */
function headerOf(raw: unknown): { header?: string } {
  const h = (raw as { deadLetterHeader?: () => string } | null)?.deadLetterHeader;
  return typeof h === 'function' ? { header: h.call(raw) } : {};
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
