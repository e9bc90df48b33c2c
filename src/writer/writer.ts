/**
 * The lake writer: OCSF events in, partitioned Parquet files out, with batching, rolling, a global
 * memory budget and atomic, idempotent sinks.
 *
 * - `write(event, meta)` is synchronous: it checks the event against its file schema (compiled once per
 *   schema), works out its partition and buffers it, or returns a `MapFailure` (`schema-violation`,
 *   `invalid-partition`) with the attribute path — nothing is dropped silently.
 * - A partition becomes a file when it reaches `maxFileRows` rows or `maxFileBytes` buffered bytes, when
 *   its oldest row has waited `maxAgeMs` (default 5 minutes, Security Lake's custom-source cadence), when
 *   the global `memoryBudgetBytes` is exceeded (largest partitions first), or on `flush()`/`close()`.
 * - Files are sorted by `time`, built into Arrow batches of at most `rowsPerBatch` rows and encoded by
 *   parquet-wasm (ZSTD by default) one batch at a time, then handed to the sink.
 * - Object names are deterministic: a hash of the table prefix, the partition, and the origins
 *   (input object + offset/line/index) of the first and last row, the row count and a digest of every
 *   origin. Re-running the same input with the same settings replaces files instead of duplicating them.
 *   (Files closed by age depend on timing; names of such files differ between runs.)
 * - A failed file keeps its rows: `flush()` rejects with a {@link FlushError}; the next `flush()` retries
 *   the same keys, or `takeFailed()` hands the rows back for dead-lettering.
 */
import { createHash } from 'node:crypto';
import { MapFailure } from '../core/outcome.js';
import { getSource } from '../core/source.js';
import type { SourceDefinition } from '../core/source.js';
import type { OcsfEvent, RecordContext, SourceVersion } from '../core/types.js';
import { deriveSchema, SchemaDerivationError } from './arrow-schema.js';
import { compileColumns, isViolation } from './columns.js';
import type { CompiledColumns } from './columns.js';
import { encodeParquet, wasmMemoryBytes } from './parquet.js';
import type { Compression } from './parquet.js';
import { partitionOf, partitionPath, tablePrefix } from './partition.js';
import type { PartitionValues } from './partition.js';
import { schemaMetadata, statisticsColumns } from './schema-tree.js';
import type { Layout, WriterSchema } from './schema-tree.js';
import { causeMessage, SinkError } from './sinks/sink.js';
import type { Sink } from './sinks/sink.js';

export interface LakeWriterOptions {
  sink: Sink;
  /** `native` (`aws/<SOURCE>/...`), `custom` (`ext/<name>/...`, one class per file) or `auto` (default): custom for sources defined with `custom: true`. */
  layout?: Layout | 'auto';
  /** Parquet codec (default ZSTD). */
  compression?: Compression;
  /** Custom layout: folder name under `ext/` for a source and class (default: the source name). */
  customSourceName?: (source: string, classUid: number) => string;
  /** Region for events with neither `cloud.region` nor a context region. */
  defaultRegion?: string;
  /** Roll a partition's file at this many rows (default 1,000,000). */
  maxFileRows?: number;
  /** Roll at this many buffered bytes, estimated from the events (default 256 MiB; the Parquet file is several times smaller). */
  maxFileBytes?: number;
  /** Roll when the oldest buffered row of a partition is this old (default 5 minutes). */
  maxAgeMs?: number;
  /**
   * Global budget for buffered plus in-flight bytes; over it the largest partitions are flushed first (default
   * 64 MiB). The estimate undercounts real heap about 2.6× (test/pipeline/streaming.test.ts); `npm run bench:e2e --
   * --memory` measured 250k → 1M CloudTrail records at 591 → 648 MB peak RSS with 64 MiB, at the same speed as
   * 512 MiB (997 → 1,607 MB).
   */
  memoryBudgetBytes?: number;
  /**
   * Rows per Arrow batch built and handed to parquet-wasm (default 4,096). Column building and encoding
   * run 20% faster per row on 2–4k-row batches than on 32k-row ones, which leave the CPU caches (a 32,768-row
   * CloudTrail and VPC flow file, `bench/e2e` A/B); it also bounds the Arrow data in wasm memory, which never
   * shrinks.
   */
  rowsPerBatch?: number;
  /** Rows per Parquet row group (default 65,536); batches stream into a row group until it is full. */
  rowGroupRows?: number;
  /**
   * Largest event accepted, by the same size estimate as `maxFileBytes` (default 64 MiB): a bigger one is a
   * `record-too-large` failure, so a pathological record goes to the dead letters (raw record and event kept)
   * instead of filling the writer's memory. A single value over 1 MB
   * makes a data page over Security Lake's 1 MB rule: a limit of about 1 MiB refuses such events too (and
   * any other event that large).
   */
  maxRecordBytes?: number;
  /** Files encoded and uploaded at the same time (default 2). */
  concurrency?: number;
  /** Source definitions not in the registry (e.g. user-defined sources). */
  sources?: readonly SourceDefinition[];
  /** Folder of the generated OCSF JSON Schemas (default: the package's `schemas/`). */
  schemasDir?: string;
  /** Clock for ages (tests). */
  now?: () => number;
  /** How often partition ages are checked (default min(maxAgeMs / 4, 10 s)); 0 disables the timer. */
  tickMs?: number;
  /** Mixed into file names (e.g. the unit of work writing them), so that two units never name a file alike. */
  nameSalt?: () => string;
  /** Called after each durable file. */
  onFile?: (file: WrittenFile) => void;
  /** Called when a background (roll/age/memory) file fails; the rows stay in `failed()`. */
  onError?: (error: FileFailure) => void;
}

/** What the writer needs to know about an event besides the event. */
export interface WriteMeta {
  /** Security Lake sourceName (or custom source name) whose mapper produced the event. */
  source: string;
  sourceVersion: SourceVersion;
  /** Where the record came from: region/account fallback, and the origin used for deterministic names. */
  context?: RecordContext;
}

export type RollReason = 'rows' | 'bytes' | 'age' | 'memory' | 'flush';

export interface WrittenFile {
  /** Lake-relative object key (`aws/CLOUD_TRAIL_MGMT/2.0/region=.../<hash>.parquet`). */
  key: string;
  source: string;
  sourceVersion: SourceVersion;
  layout: Layout;
  classUid?: number;
  partition: PartitionValues;
  rows: number;
  bytes: number;
  minTime: number;
  maxTime: number;
  reason: RollReason;
}

/** A file that could not be written, with its rows (nothing is lost). */
export interface FileFailure {
  key: string;
  source: string;
  sourceVersion: SourceVersion;
  partition: PartitionValues;
  error: Error;
  events: OcsfEvent[];
  contexts: (RecordContext | undefined)[];
}

/** `flush()`/`close()`/`drain()` failed for these files; their rows are kept (retry with `flush()` or take them with `takeFailed()`). */
export class FlushError extends Error {
  override name = 'FlushError';
  constructor(readonly failures: readonly { key: string; rows: number; cause: Error }[]) {
    super(
      `${failures.length} file(s) could not be written: ` +
        failures
          .slice(0, 3)
          .map((f) => `${f.key} (${f.rows} rows): ${f.cause.message}`)
          .join('; ') +
        (failures.length > 3 ? '; ...' : ''),
    );
  }
}

export interface WriterStats {
  eventsAccepted: number;
  eventsRejected: number;
  filesWritten: number;
  rowsWritten: number;
  bytesWritten: number;
  bufferedRows: number;
  bufferedBytes: number;
  inflightBytes: number;
  failedRows: number;
  partitions: number;
  wasmMemoryBytes: number;
}

export interface FlushResult {
  /** Files made durable by this call (and by background rolls since the previous flush). */
  files: WrittenFile[];
}

export interface LakeWriter {
  /** Buffers one event, or returns why it cannot be written (never throws for bad events). */
  write(event: OcsfEvent, meta: WriteMeta): MapFailure | undefined;
  /** True while buffered + in-flight bytes exceed the memory budget: await `drain()` before writing more. */
  readonly needsDrain: boolean;
  /** Resolves when memory is back under the budget; rejects with {@link FlushError} if files failed. */
  drain(): Promise<void>;
  /** Writes every buffered row (and retries failed files); resolves when all of them are durable. */
  flush(): Promise<FlushResult>;
  /** `flush()`, then releases timers and the sink. Resolves only when every file is durable. */
  close(): Promise<FlushResult>;
  /** Failed files still held (their rows can be retried by `flush()`). */
  failed(): readonly FileFailure[];
  /** Removes and returns the failed files' rows, e.g. to dead-letter them. */
  takeFailed(): FileFailure[];
  /** The file schema events of this source version are written with (native layout, or custom for a class). */
  schemaOf(source: string, sourceVersion: SourceVersion, classUid?: number): WriterSchema;
  stats(): WriterStats;
}

// ---------------------------------------------------------------------------------------------

interface Target {
  schema: WriterSchema;
  columns: CompiledColumns;
  /** Columns with Parquet min/max statistics. */
  statisticsColumns: readonly string[];
  prefix: string;
  classUid?: number;
}

interface SourceEntry {
  def: SourceDefinition;
  version: SourceVersion;
  ocsfVersion: string;
  layout: Layout;
  native?: Target;
  /** Custom layout: target per class (compiled on first use). */
  custom: Map<number, Target>;
  classes: ReadonlySet<number>;
}

interface Buffer_ {
  id: string;
  entry: SourceEntry;
  target: Target;
  values: PartitionValues;
  events: OcsfEvent[];
  contexts: (RecordContext | undefined)[];
  bytes: number;
  firstAt: number;
  /** Origin of the first row; context and sequence number of the last (its origin is made at seal time). */
  first: string;
  lastCtx: RecordContext | undefined;
  lastSeq: number;
  digest: number;
  lastInput: string | undefined;
}

/** A sealed buffer on its way to the sink. */
interface Job extends Pick<Buffer_, 'entry' | 'target' | 'values' | 'events' | 'contexts' | 'bytes'> {
  key: string;
  reason: RollReason;
}

const DEFAULTS = {
  maxFileRows: 1_000_000,
  maxFileBytes: 256 << 20,
  maxAgeMs: 5 * 60_000,
  memoryBudgetBytes: 64 << 20,
  rowsPerBatch: 4_096,
  rowGroupRows: 65_536,
  concurrency: 2,
  maxRecordBytes: 64 << 20,
};

/** Where a row came from, for object names: input object and position, else the writer's sequence number. */
function origin(ctx: RecordContext | undefined, seq: number): string {
  if (ctx?.input === undefined) return `#${seq}`;
  return `${ctx.input}\u0000${ctx.offset ?? ''}:${ctx.line ?? ''}:${ctx.index ?? ''}`;
}

/** FNV-1a step over a string, into a 32-bit state. */
function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
function fnvNumber(h: number, n: number): number {
  h = Math.imul(h ^ (n & 0xffff), 16777619);
  h = Math.imul(h ^ ((n >>> 16) & 0xffff), 16777619);
  return Math.imul(h ^ Math.floor(n / 4294967296), 16777619) >>> 0;
}

export function createLakeWriter(opts: LakeWriterOptions): LakeWriter {
  const sink = opts.sink;
  const maxFileRows = opts.maxFileRows ?? DEFAULTS.maxFileRows;
  const maxFileBytes = opts.maxFileBytes ?? DEFAULTS.maxFileBytes;
  const maxAgeMs = opts.maxAgeMs ?? DEFAULTS.maxAgeMs;
  const budget = opts.memoryBudgetBytes ?? DEFAULTS.memoryBudgetBytes;
  const rowsPerBatch = Math.max(1, opts.rowsPerBatch ?? DEFAULTS.rowsPerBatch);
  const maxRecordBytes = opts.maxRecordBytes ?? DEFAULTS.maxRecordBytes;
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULTS.concurrency);
  const now = opts.now ?? Date.now;
  const extraSources = new Map((opts.sources ?? []).map((d) => [d.name, d]));

  const entries = new Map<string, SourceEntry>();
  const buffers = new Map<string, Buffer_>();
  const queue: Job[] = [];
  let active = 0;
  const failures: FileFailure[] = [];
  let written: WrittenFile[] = [];
  let waiters: (() => void)[] = [];
  let closed = false;
  let seq = 0;
  const stats = {
    eventsAccepted: 0,
    eventsRejected: 0,
    filesWritten: 0,
    rowsWritten: 0,
    bytesWritten: 0,
    bufferedRows: 0,
    bufferedBytes: 0,
    inflightBytes: 0,
    failedRows: 0,
    failedBytes: 0,
    reliefBytes: 0,
  };

  const tickMs = opts.tickMs ?? Math.min(Math.max(50, maxAgeMs / 4), 10_000);
  const timer = tickMs > 0 ? setInterval(() => sealAged(), tickMs) : undefined;
  timer?.unref();

  // ----- schemas -----

  function entryFor(source: string, version: SourceVersion): SourceEntry {
    const id = `${source}\u0000${version}`;
    let e = entries.get(id);
    if (e) return e;
    const def = extraSources.get(source) ?? getSource(source);
    if (!def) throw new SchemaDerivationError(`unknown source ${JSON.stringify(source)} (register it or pass it in options.sources)`);
    const spec = def.versions[version];
    if (!spec) throw new SchemaDerivationError(`${def.name} has no version ${version}`);
    const layout: Layout = opts.layout === undefined || opts.layout === 'auto' ? (def.custom ? 'custom' : 'native') : opts.layout;
    e = { def, version, ocsfVersion: spec.ocsfVersion, layout, custom: new Map(), classes: new Set(spec.classes) };
    if (layout === 'native') {
      const schema = deriveSchema(def, version, { layout, schemasDir: opts.schemasDir });
      e.native = { schema, columns: compileColumns(schema), statisticsColumns: statisticsColumns(schema), prefix: tablePrefix('native', def.name, version) };
    }
    entries.set(id, e);
    return e;
  }

  function targetFor(e: SourceEntry, classUid: number): Target {
    if (e.native) return e.native;
    let t = e.custom.get(classUid);
    if (!t) {
      const schema = deriveSchema(e.def, e.version, { layout: 'custom', classUid, schemasDir: opts.schemasDir });
      const name = opts.customSourceName ? opts.customSourceName(e.def.name, classUid) : e.def.name;
      t = { schema, columns: compileColumns(schema), statisticsColumns: statisticsColumns(schema), prefix: tablePrefix('custom', name, e.version), classUid };
      e.custom.set(classUid, t);
    }
    return t;
  }

  // ----- write -----

  let lastEntry: SourceEntry | undefined;
  let lastBuffer: Buffer_ | undefined;
  let lastSource = '';
  let lastVersion = '';

  function reject(reason: string, path: string, message: string, ev: unknown, meta: WriteMeta): MapFailure {
    stats.eventsRejected++;
    return new MapFailure(reason, `${path || 'event'}: ${message}`, meta.source, ev, meta.context ?? {}, [{ path, message }]);
  }

  function write(ev: OcsfEvent, meta: WriteMeta): MapFailure | undefined {
    if (closed) throw new Error('the lake writer is closed');
    let e: SourceEntry;
    if (lastEntry !== undefined && meta.source === lastSource && meta.sourceVersion === lastVersion) e = lastEntry;
    else {
      e = entryFor(meta.source, meta.sourceVersion);
      lastEntry = e;
      lastSource = meta.source;
      lastVersion = meta.sourceVersion;
    }
    if (ev === null || typeof ev !== 'object') return reject('schema-violation', '', 'the event is not an object', ev, meta);
    const classUid = ev.class_uid;
    if (typeof classUid !== 'number' || !e.classes.has(classUid)) {
      return reject('schema-violation', 'class_uid', `class ${String(classUid)} is not one of ${e.def.name} ${e.version}'s classes (${[...e.classes].join(', ')})`, ev, meta);
    }
    const mdVersion = (ev.metadata as { version?: unknown } | undefined)?.version;
    if (mdVersion !== e.ocsfVersion) {
      return reject('schema-violation', 'metadata.version', `expected OCSF ${e.ocsfVersion} for ${e.def.name} ${e.version}, got ${JSON.stringify(mdVersion)}`, ev, meta);
    }
    const target = targetFor(e, classUid);
    const size = target.columns.check(ev);
    if (isViolation(size)) return reject('schema-violation', size.path, size.message, ev, meta);
    if (size > maxRecordBytes) return reject('record-too-large', '', `about ${size} bytes, over the limit of ${maxRecordBytes} (maxRecordBytes)`, ev, meta);
    const p = partitionOf(ev, meta.context, opts.defaultRegion);
    if ('path' in p) return reject('invalid-partition', p.path, p.message, ev, meta);
    // The buffer of the previous event, when this one shares its table and partition (runs are the rule):
    // saves the key string and the map lookup per event (writer.write's profile, `npm run bench:e2e`).
    let b = lastBuffer;
    if (b === undefined || b.target !== target || b.values.eventDay !== p.eventDay || b.values.region !== p.region || b.values.accountId !== p.accountId) {
      // the class is part of the key: custom-layout classes of one source may share a folder, never a file
      const id = `${target.prefix}/${target.classUid ?? ''}/${p.region}/${p.accountId}/${p.eventDay}`;
      b = buffers.get(id);
      if (b === undefined) {
        b = {
          id,
          entry: e,
          target,
          values: p,
          events: [],
          contexts: [],
          bytes: 0,
          firstAt: now(),
          first: '',
          lastCtx: undefined,
          lastSeq: 0,
          digest: 2166136261,
          lastInput: undefined,
        };
        buffers.set(id, b);
      }
    }
    lastBuffer = b;
    const ctx = meta.context;
    b.events.push(ev);
    b.contexts.push(ctx);
    b.bytes += size;
    trackOrigin(b, ctx);
    stats.eventsAccepted++;
    stats.bufferedRows++;
    stats.bufferedBytes += size;
    if (b.events.length >= maxFileRows) seal(b, 'rows');
    else if (b.bytes >= maxFileBytes) seal(b, 'bytes');
    if (held() - stats.reliefBytes > budget) relieveMemory();
    return undefined;
  }

  function trackOrigin(b: Buffer_, ctx: RecordContext | undefined): void {
    let h = b.digest;
    const input = ctx?.input;
    if (input === undefined) {
      h = fnvNumber(h, seq);
    } else {
      if (input !== b.lastInput) {
        h = fnvString(h, input);
        b.lastInput = input;
      }
      h = fnvNumber(h, ctx!.offset ?? -1);
      h = fnvNumber(h, ctx!.line ?? -1);
      h = fnvNumber(h, ctx!.index ?? -1);
    }
    b.digest = h;
    if (b.events.length === 1) b.first = origin(ctx, seq);
    b.lastCtx = ctx;
    b.lastSeq = seq++;
  }

  // ----- sealing and jobs -----

  function seal(b: Buffer_, reason: RollReason): void {
    buffers.delete(b.id);
    if (lastBuffer === b) lastBuffer = undefined;
    const n = b.events.length;
    stats.bufferedRows -= n;
    stats.bufferedBytes -= b.bytes;
    if (n === 0) return;
    const dir = `${b.target.prefix}/${partitionPath(b.values)}`;
    const name = createHash('sha256')
      .update(`${dir}\n${b.target.classUid ?? ''}\n${b.first}\n${origin(b.lastCtx, b.lastSeq)}\n${n}\n${b.digest}${opts.nameSalt ? '\n' + opts.nameSalt() : ''}`)
      .digest('hex')
      .slice(0, 32);
    const job: Job = { key: `${dir}/${name}.parquet`, entry: b.entry, target: b.target, values: b.values, events: b.events, contexts: b.contexts, bytes: b.bytes, reason };
    stats.inflightBytes += job.bytes;
    if (reason === 'memory') stats.reliefBytes += job.bytes;
    queue.push(job);
    pump();
  }

  function sealAged(): void {
    const t = now();
    for (const b of [...buffers.values()]) if (t - b.firstAt >= maxAgeMs) seal(b, 'age');
  }

  /** Rows held in memory: buffered, being written, and failed (kept for a retry or `takeFailed`). */
  function held(): number {
    return stats.bufferedBytes + stats.inflightBytes + stats.failedBytes;
  }

  /**
   * Over budget: seal the largest buffers until the files being written for memory relief cover the
   * excess (down to 80% of the budget). Sealing moves bytes from buffered to in flight; they are freed
   * when the file is durable, so relief already under way counts (`reliefBytes`) and is not repeated.
   */
  function relieveMemory(): void {
    const excess = held() - stats.reliefBytes - budget * 0.8;
    if (excess <= 0 || buffers.size === 0) return;
    const sorted = [...buffers.values()].sort((a, b) => b.bytes - a.bytes);
    let freed = 0;
    for (const b of sorted) {
      if (freed >= excess) break;
      freed += b.bytes;
      seal(b, 'memory');
    }
  }

  function pump(): void {
    while (active < concurrency && queue.length > 0) {
      const job = queue.shift()!;
      active++;
      void runJob(job).finally(() => {
        active--;
        pump();
        notify();
      });
    }
  }

  function notify(): void {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  }

  async function runJob(job: Job): Promise<void> {
    try {
      await writeJob(job);
    } finally {
      if (job.reason === 'memory') stats.reliefBytes -= job.bytes;
    }
  }

  async function writeJob(job: Job): Promise<void> {
    try {
      const sorted = sortByTime(job.events);
      const n = sorted.length;
      let i = 0;
      const next = () => {
        if (i >= n) return undefined;
        const end = Math.min(n, i + rowsPerBatch);
        const batch = job.target.columns.build(sorted, i, end);
        i = end;
        return batch;
      };
      // Let other work (I/O completions, timers) run between files: encoding is synchronous CPU work.
      await new Promise<void>((r) => setImmediate(r));
      const file = await encodeParquet(next, {
        compression: opts.compression ?? 'ZSTD',
        rowGroupRows: opts.rowGroupRows ?? DEFAULTS.rowGroupRows,
        metadata: schemaMetadata(job.target.schema),
        statisticsColumns: job.target.statisticsColumns,
      });
      await sink.put(job.key, file.chunks, file.bytes);
      stats.inflightBytes -= job.bytes;
      stats.filesWritten++;
      stats.rowsWritten += n;
      stats.bytesWritten += file.bytes;
      const f: WrittenFile = {
        key: job.key,
        source: job.entry.def.name,
        sourceVersion: job.entry.version,
        layout: job.entry.layout,
        ...(job.target.classUid !== undefined ? { classUid: job.target.classUid } : {}),
        partition: job.values,
        rows: n,
        bytes: file.bytes,
        minTime: sorted[0]!.time,
        maxTime: sorted[n - 1]!.time,
        reason: job.reason,
      };
      written.push(f);
      opts.onFile?.(f);
    } catch (err) {
      stats.inflightBytes -= job.bytes;
      stats.failedRows += job.events.length;
      stats.failedBytes += job.bytes;
      const error = err instanceof SinkError ? err : new SinkError(job.key, false, err);
      const failure: FileFailure = {
        key: job.key,
        source: job.entry.def.name,
        sourceVersion: job.entry.version,
        partition: job.values,
        error,
        events: job.events,
        contexts: job.contexts,
      };
      (failure as FileFailure & { job: Job }).job = job;
      failures.push(failure);
      if (job.reason !== 'flush') opts.onError?.(failure);
    }
  }

  function idle(): Promise<void> {
    if (active === 0 && queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (active === 0 && queue.length === 0 ? resolve() : waiters.push(check));
      waiters.push(check);
    });
  }

  function flushError(): FlushError {
    return new FlushError(failures.map((f) => ({ key: f.key, rows: f.events.length, cause: f.error })));
  }

  async function flush(): Promise<FlushResult> {
    // Retry failed files under the same keys, then write everything buffered.
    const retry = failures.splice(0);
    for (const f of retry) {
      const job = (f as FileFailure & { job: Job }).job;
      stats.failedRows -= job.events.length;
      stats.failedBytes -= job.bytes;
      stats.inflightBytes += job.bytes;
      queue.push({ ...job, reason: 'flush' });
    }
    for (const b of [...buffers.values()]) seal(b, 'flush');
    pump();
    await idle();
    if (failures.length > 0) throw flushError();
    const files = written;
    written = [];
    return { files };
  }

  return {
    write,
    get needsDrain() {
      return held() > budget;
    },
    async drain() {
      while (held() > budget) {
        if (failures.length > 0) throw flushError();
        if (active === 0 && queue.length === 0) {
          if (buffers.size === 0) break;
          relieveMemory();
          if (active === 0 && queue.length === 0) break;
        }
        await new Promise<void>((r) => waiters.push(r));
      }
      if (failures.length > 0) throw flushError();
    },
    flush,
    async close() {
      if (closed) return { files: [] };
      const r = await flush();
      closed = true;
      if (timer) clearInterval(timer);
      await sink.close?.();
      return r;
    },
    failed: () => failures,
    takeFailed() {
      const out = failures.splice(0);
      for (const f of out) {
        stats.failedRows -= f.events.length;
        stats.failedBytes -= (f as FileFailure & { job: Job }).job.bytes;
        delete (f as Partial<FileFailure & { job: Job }>).job;
      }
      return out;
    },
    schemaOf(source, sourceVersion, classUid) {
      const e = entryFor(source, sourceVersion);
      if (e.native) return e.native.schema;
      const c = classUid ?? (e.classes.size === 1 ? [...e.classes][0]! : undefined);
      if (c === undefined) throw new SchemaDerivationError(`${source} ${sourceVersion} writes one schema per class in the custom layout: give the class`);
      return targetFor(e, c).schema;
    },
    stats() {
      return {
        eventsAccepted: stats.eventsAccepted,
        eventsRejected: stats.eventsRejected,
        filesWritten: stats.filesWritten,
        rowsWritten: stats.rowsWritten,
        bytesWritten: stats.bytesWritten,
        bufferedRows: stats.bufferedRows,
        bufferedBytes: stats.bufferedBytes,
        inflightBytes: stats.inflightBytes,
        failedRows: stats.failedRows,
        partitions: buffers.size,
        wasmMemoryBytes: wasmMemoryBytes(),
      };
    },
  };
}

/** The events sorted by `time` (stable; the input array is left as is). */
function sortByTime(events: readonly OcsfEvent[]): OcsfEvent[] {
  const n = events.length;
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = events[i]!.time;
    if (t < min) min = t;
    if (t > max) max = t;
    if (i > 0 && t < events[i - 1]!.time) sorted = false;
  }
  if (sorted) return events as OcsfEvent[];
  // A file's events share one eventDay, so (time - min) · 2^21 + index stays an exact double and a plain
  // Float64Array sort (no comparator, stable through the index) orders them: about 3× faster than
  // Array#sort with a comparator on VPC flow files (writer profile, `npm run bench:e2e`).
  if (n < 1 << 21 && max - min < 2 ** 31) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (events[i]!.time - min) * 2097152 + i;
    keys.sort();
    const out = new Array<OcsfEvent>(n);
    for (let i = 0; i < n; i++) out[i] = events[keys[i]! % 2097152]!;
    return out;
  }
  return events.slice().sort((a, b) => a.time - b.time);
}

/** Turns failed files' rows into dead-letter failures (`sink-error`) for a caller that gives up on them. */
export function failuresToMapFailures(files: readonly FileFailure[]): MapFailure[] {
  const out: MapFailure[] = [];
  for (const f of files) {
    const message = `${f.key}: ${causeMessage(f.error.cause ?? f.error)}`;
    for (let i = 0; i < f.events.length; i++) out.push(new MapFailure('sink-error', message, f.source, f.events[i], f.contexts[i] ?? {}));
  }
  return out;
}
