/**
 * One shard of an ingestion run: decode → route → map → validate → columnar writer → sink, for the input objects
 * assigned to it, with a dead-letter sink and exact accounting. With one worker it runs on the main thread; with
 * several, each worker thread runs one shard and owns the partitions of the objects sent to it.
 */
import { createMapSession } from '../core/engine.js';
import type { MapOptions, MapSession } from '../core/engine.js';
import { resolveLimits } from '../core/limits.js';
import { MapFailure } from '../core/outcome.js';
import type { RecordContext, SourceOptions } from '../core/types.js';
import { createValidator } from '../validate/index.js';
import type { Validator } from '../validate/index.js';
import { createLakeWriter, failuresToMapFailures, FlushError } from '../writer/writer.js';
import type { LakeWriter, LakeWriterOptions, WrittenFile } from '../writer/writer.js';
import type { Compression } from '../writer/parquet.js';
import { createLocalSink } from '../writer/sinks/local.js';
import { createS3Sink } from '../writer/sinks/s3.js';
import type { Sink } from '../writer/sinks/sink.js';
import { createS3Client } from '../io/s3.js';
import type { S3ClientOptions } from '../io/s3.js';
import { createDeadLetterWriter } from './dead-letter.js';
import type { DeadLetterWriter } from './dead-letter.js';
import { InputListingError } from './inputs.js';
import type { InputObject } from './inputs.js';
import { emptyCounts, countFile } from './summary.js';
import type { RunCounts } from './summary.js';
import { compileCollectionFilter } from './collection.js';
import type { DataLakeDocument } from '../lake/types.js';

export type ValidateMode = 'off' | 'all' | { sample: number };

/** Everything a shard needs; plain data so it can be posted to a worker thread. */
export interface ShardConfig {
  source: string;
  /** Source versions to produce; one map session each (default: each source's latest). */
  sourceVersions: (string | undefined)[];
  context?: RecordContext;
  options?: SourceOptions;
  out: { kind: 'local'; root: string; fsync?: boolean } | { kind: 's3'; bucket: string; prefix: string; s3?: S3ClientOptions; kmsKeyId?: string };
  layout?: 'native' | 'custom' | 'auto';
  compression?: Compression;
  validate: ValidateMode;
  /** Writer limits (rows/bytes/age/memory). */
  writer?: Pick<LakeWriterOptions, 'maxFileRows' | 'maxFileBytes' | 'maxAgeMs' | 'memoryBudgetBytes' | 'rowsPerBatch' | 'concurrency' | 'defaultRegion' | 'maxRecordBytes'>;
  /** Bounds on input objects and records. */
  limits?: MapOptions['limits'];
  libraryVersion: string;
  /** The data lake's configuration snapshot: only what it enables is written; absent = everything. */
  collection?: DataLakeDocument;
  /** S3 client settings for reading `s3://` inputs (a worker reads its own S3 objects). */
  inputS3?: S3ClientOptions;
  /** URLs of the modules that register user sources, which a worker imports before it starts. */
  sourceModules?: string[];
  /** The sources the run selects, which a worker must know once it has imported `sourceModules`. */
  sourceNames?: string[];
}

export interface ShardResult {
  counts: RunCounts;
  files: WrittenFile[];
  dlqFiles: string[];
  /** Dead-letter entries that could not be stored (counted as failures all the same). */
  dlqErrors: string[];
}

export interface ShardProgress {
  records: number;
  bytes: number;
  /** Objects finished, read or not: the main thread frees a worker's slot per object by this count. */
  inputs: number;
}

/**
 * One validator per thread, shared by every run: it compiles each OCSF class schema once, on first use (a few
 * hundred ms per class), which a fresh validator per run would repeat for every Lambda object or replay.
 */
let sharedValidator: Validator | undefined;

/** Creates the sink for a shard's output location (Parquet files and dead letters share it). */
export function sinkFor(out: ShardConfig['out']): Sink {
  if (out.kind === 'local') return createLocalSink(out.root, { fsync: out.fsync });
  return createS3Sink({
    bucket: out.bucket,
    prefix: out.prefix,
    client: createS3Client(out.s3),
    ...(out.kmsKeyId !== undefined ? { kmsKeyId: out.kmsKeyId } : {}),
  });
}

/**
 * Runs the pipeline over `objects`. Never throws for bad data: every record ends as an event written, a
 * failure (dead-lettered) or a filtered record, and `counts` says so.
 */
export async function runShard(
  cfg: ShardConfig,
  objects: AsyncIterable<InputObject | InputListingError>,
  onProgress?: (p: ShardProgress) => void,
  sink: Sink = sinkFor(cfg.out),
): Promise<ShardResult> {
  const sessions: MapSession[] = cfg.sourceVersions.map((v) =>
    createMapSession({ source: cfg.source, sourceVersion: v, context: cfg.context, options: cfg.options, limits: cfg.limits }),
  );
  const maxInputBytes = resolveLimits(cfg.limits).maxInputBytes;
  const files: WrittenFile[] = [];
  const writer: LakeWriter = createLakeWriter({
    sink,
    layout: cfg.layout,
    compression: cfg.compression,
    ...cfg.writer,
    onFile: (f) => files.push(f),
  });
  const dlq: DeadLetterWriter = createDeadLetterWriter({ sink, libraryVersion: cfg.libraryVersion });
  const validator: Validator | undefined = cfg.validate === 'off' ? undefined : (sharedValidator ??= createValidator());
  // Sampling is deterministic (every n-th event) so a re-run validates the same events.
  const sampleEvery = typeof cfg.validate === 'object' ? Math.max(1, Math.round(1 / Math.min(1, Math.max(cfg.validate.sample, 1e-9)))) : 1;
  const counts = emptyCounts();
  const progress: ShardProgress = { records: 0, bytes: 0, inputs: 0 };
  const collection = cfg.collection ? compileCollectionFilter(cfg.collection) : undefined;
  let accepted = 0;
  let seen = 0;

  /** Closes the writer; false when files failed (their rows stay in the writer for a retry or takeFailed()). */
  async function closeWriter(): Promise<boolean> {
    try {
      await writer.close();
      return true;
    } catch (err) {
      if (!(err instanceof FlushError)) throw err;
      return false;
    }
  }

  const dlqFiles: string[] = [];
  const dlqErrors: string[] = [];
  /** Writes the dead-letter files that are full as the run goes (a failure here is retried by the last flush). */
  async function flushFullDeadLetters(): Promise<void> {
    try {
      dlqFiles.push(...(await dlq.flushFull()));
    } catch {
      // The entries stay buffered; the final flush retries them and reports what still fails.
    }
  }

  let objectsDone = 0;
  function report(): void {
    progress.records = counts.recordsIn;
    progress.bytes = counts.bytesIn;
    progress.inputs = objectsDone;
    onProgress?.(progress);
  }

  async function drain(): Promise<void> {
    try {
      await writer.drain();
    } catch (err) {
      if (!(err instanceof FlushError)) throw err;
      // The rows stay in the writer; close() retries them once more before dead-lettering.
    }
  }

  function fail(f: MapFailure, mapper?: string, event?: unknown): void {
    counts.failures++;
    counts.failuresByReason[f.reason] = (counts.failuresByReason[f.reason] ?? 0) + 1;
    dlq.add(f, mapper, event);
  }

  for await (const obj of objects) {
    if (obj instanceof InputListingError) {
      counts.recordsIn++;
      fail(new MapFailure(obj.reason, obj.message, cfg.source, { input: obj.input }, { input: obj.input }));
      report(); // (not an object the main thread counts in flight)
      continue;
    }
    if (obj.size !== undefined && obj.size > maxInputBytes) {
      // Refused before it is read: an object cannot be smaller once decompressed, and reading it would cost its size.
      counts.recordsIn++;
      fail(new MapFailure('input-too-large', `${obj.name}: ${obj.size} bytes exceed limits.maxInputBytes (${maxInputBytes})`, cfg.source, { input: obj.name, bytes: obj.size }, { input: obj.name }));
      objectsDone++;
      report();
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = await obj.read();
    } catch (err) {
      counts.recordsIn++;
      const reason = err instanceof InputListingError ? err.reason : 'read-error';
      fail(new MapFailure(reason, `${obj.name}: ${(err as Error).message}`, cfg.source, { input: obj.name }, { input: obj.name }));
      // Reported as done like any object: a worker whose reads fail must get its in-flight slots back.
      objectsDone++;
      report();
      continue;
    }
    counts.bytesIn += bytes.length;
    counts.inputs++;
    for (const session of sessions) {
      for await (const o of session.mapInput(obj.name, bytes, obj.context)) {
        if (dlq.full > 0) await flushFullDeadLetters();
        counts.recordsIn++;
        if (o.kind === 'failure') {
          fail(o.failure, o.mapper);
          continue;
        }
        if (o.kind === 'filtered') {
          countFiltered(counts, o.filtered.reason, o.filtered.detail);
          continue;
        }
        const ev = o.event;
        if (collection !== undefined) {
          const reason = collection.reject(o.source, o.version, ev, o.context);
          if (reason !== undefined) {
            countFiltered(counts, reason, '');
            continue;
          }
        }
        if (validator !== undefined && seen++ % sampleEvery === 0) {
          const r = validator.validate(ev);
          if (!r.valid) {
            const first = r.errors[0]!;
            fail(new MapFailure('validation-failed', `${first.path || '/'}: ${first.message}`, o.source, o.raw, o.context, r.errors), `${o.source}@${o.version}`, ev);
            continue;
          }
        }
        const rejected = writer.write(ev, { source: o.source, sourceVersion: o.version, context: o.context });
        if (rejected !== undefined) {
          // Dead-letter the raw record (replayable after a fix) with the event that was refused.
          fail(new MapFailure(rejected.reason, rejected.message, rejected.source, o.raw, o.context, rejected.errors), `${o.source}@${o.version}`, ev);
          continue;
        }
        accepted++;
        const cls = String(ev.class_uid);
        counts.eventsByClass[cls] = (counts.eventsByClass[cls] ?? 0) + 1;
        // Backpressure inside an object as well: one object's events may exceed the budget, and the
        // writer's files only progress while this loop awaits (the decode loop itself is all microtasks).
        if (writer.needsDrain) await drain();
      }
    }
    objectsDone++;
    report();
    if (writer.needsDrain) await drain();
  }

  // Every file gets a second attempt under its own key before its rows are given up, including files that
  // first failed in close() itself (a transient store failure heals); what fails again comes back from
  // takeFailed() and is dead-lettered as sink-error.
  if (!(await closeWriter())) await closeWriter();
  const failedFiles = writer.takeFailed();
  if (failedFiles.length > 0) await closeWriter(); // nothing left to write: this releases the writer's timer
  for (const file of failedFiles) {
    // Replay needs SOURCE@version to write the event again.
    const mapper = `${file.source}@${file.sourceVersion}`;
    for (const f of failuresToMapFailures([file])) {
      // The writer keeps events, not raw records: the entry carries the event, which replay writes as is.
      fail(new MapFailure(f.reason, f.message, f.source, null, f.context), mapper, f.raw);
      const cls = String((f.raw as { class_uid?: number }).class_uid);
      counts.eventsByClass[cls] = (counts.eventsByClass[cls] ?? 1) - 1;
      accepted--;
    }
  }
  for (const f of files) countFile(counts, f);
  if (counts.eventsWritten !== accepted) {
    throw new Error(`accounting bug: ${accepted} events accepted but ${counts.eventsWritten} rows written`);
  }
  try {
    dlqFiles.push(...(await dlq.flush()));
  } catch (err) {
    dlqErrors.push((err as Error).message);
  }
  counts.files = files.length;
  await sink.close?.();
  return { counts, files, dlqFiles, dlqErrors };
}

function countFiltered(counts: RunCounts, reason: string, detail: string): void {
  counts.filtered++;
  const key = detail ? `${reason}:${detail}` : reason;
  counts.filteredByReason[key] = (counts.filteredByReason[key] ?? 0) + 1;
}
