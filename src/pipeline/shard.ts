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
import { causeMessage } from '../writer/sinks/sink.js';
import type { LakeWriter, LakeWriterOptions, WrittenFile } from '../writer/writer.js';
import type { Compression } from '../writer/parquet.js';
import { createLocalSink } from '../writer/sinks/local.js';
import { isLakeStore } from '../writer/sinks/sink.js';
import type { LakeStore, Sink } from '../writer/sinks/sink.js';
import { Ledger } from '../ledger/ledger.js';
import { createStagingSink } from '../ledger/staging.js';
import type { LedgerEntry, LedgerInput } from '../ledger/entry.js';
import type { S3ClientOptions } from '../io/s3.js';
import { createDeadLetterWriter } from './dead-letter.js';
import type { DeadLetterWriter } from './dead-letter.js';
import { InputListingError } from './inputs.js';
import type { InputObject } from './inputs.js';
import { emptyCounts, countFile, mergeCounts } from './summary.js';
import { referencedInputs, replayOutcomes, replaySessions } from './replay-input.js';
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
  /** Inputs are dead-letter files to map again (`replay`), not raw logs. */
  replay?: boolean;
  /** The commit ledger of the run; absent: files go straight to their final keys (a bare writer's behaviour). */
  ledger?: ShardLedger;
}

export interface ShardLedger {
  /** The run id (names staging folders and units). */
  run: string;
  /** Which shard of the run this is (names units). */
  shard?: number;
  /** The last ledger entry the run's decisions were based on: later entries holding our inputs are conflicts. */
  since: number;
  /** Commit a unit when it holds this many objects, input bytes, or is this old (ms) — whichever comes first. */
  commitEvery?: CommitEvery;
  /** Replay: delete the consumed dead-letter files instead of moving them under `_ocsf_lake/replayed/`. */
  deleteReplayed?: boolean;
}

export interface CommitEvery {
  objects?: number;
  bytes?: number;
  ms?: number;
}

/** The unit of work being filled: what its commit will record. */
interface Unit {
  counts: RunCounts;
  accepted: number;
  inputs: LedgerInput[];
  objects: InputObject[];
  supersedes: Set<number>;
  retire: LedgerEntry['retire'];
  startedAt: number;
  bytes: number;
}

export interface ShardResult {
  counts: RunCounts;
  files: WrittenFile[];
  dlqFiles: string[];
  /** Why dead letters could not be stored (their records are counted as not stored). */
  dlqErrors: string[];
  /** Why Parquet files could not be stored (their units were given up: records not stored). */
  storeErrors: string[];
  /** Problems that lost nothing but need a look (a committed unit left for the next run to publish). */
  warnings: string[];
  /** Ledger entries this shard committed. */
  entries: LedgerEntry[];
  /** A commit's outcome is unknown: the run must leave its staging folder to the next run's recovery. */
  keepStaging: boolean;
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

/** Creates the sink for a shard's output location (Parquet files and dead letters share it); the SDK loads only for S3. */
export async function sinkFor(out: ShardConfig['out']): Promise<LakeStore> {
  if (out.kind === 'local') return createLocalSink(out.root, { fsync: out.fsync });
  const [{ createS3Sink }, { createS3Client }] = await Promise.all([import('../writer/sinks/s3.js'), import('../io/s3.js')]);
  return createS3Sink({
    bucket: out.bucket,
    prefix: out.prefix,
    client: createS3Client(out.s3),
    ...(out.kmsKeyId !== undefined ? { kmsKeyId: out.kmsKeyId } : {}),
  });
}

/**
 * Runs the pipeline over `objects`. Never throws for bad data: every record ends as an event written, a
 * failure (dead-lettered), a filtered record, or (when its unit of work could not be stored) a record not
 * stored, and `counts` says so.
 *
 * With a ledger (`cfg.ledger`) objects are processed in units of work: a unit's files are staged, committed to
 * the ledger and published together, so a crash loses at most the uncommitted units (the next run redoes
 * them) and never leaves a visible file behind. Without one, files go straight to their final keys.
 */
export async function runShard(
  cfg: ShardConfig,
  objects: AsyncIterable<InputObject | InputListingError>,
  onProgress?: (p: ShardProgress) => void,
  given?: Sink,
): Promise<ShardResult> {
  const sink = given ?? (await sinkFor(cfg.out));
  const led = cfg.ledger;
  if (led !== undefined && !isLakeStore(sink)) throw new Error(`the sink of ${sink.url} cannot hold a commit ledger`);
  const ledger = led !== undefined ? new Ledger(sink as LakeStore, { since: led.since }) : undefined;
  const staging = led !== undefined ? createStagingSink(sink as LakeStore, led.run) : undefined;
  const out: Sink = staging ?? sink;
  const sessions: MapSession[] = cfg.replay
    ? []
    : cfg.sourceVersions.map((v) => createMapSession({ source: cfg.source, sourceVersion: v, context: cfg.context, options: cfg.options, limits: cfg.limits }));
  const maxInputBytes = resolveLimits(cfg.limits).maxInputBytes;
  const replayed = cfg.replay ? replaySessions(cfg) : undefined;
  const referenced = cfg.replay ? referencedInputs({ limits: cfg.limits, s3: cfg.inputS3 ?? (cfg.out.kind === 's3' ? cfg.out.s3 : undefined) }) : undefined;
  let unitId = '';
  const nameSalt = led !== undefined ? () => unitId : undefined;
  let unitFiles: WrittenFile[] = [];
  let unitDead: { key: string; rows: number; bytes: number }[] = [];
  const writer: LakeWriter = createLakeWriter({
    sink: out,
    layout: cfg.layout,
    compression: cfg.compression,
    ...cfg.writer,
    ...(nameSalt ? { nameSalt } : {}),
    onFile: (f) => unitFiles.push(f),
  });
  const dlq: DeadLetterWriter = createDeadLetterWriter({
    sink: out,
    libraryVersion: cfg.libraryVersion,
    ...(nameSalt ? { nameSalt } : {}),
    onFile: (f) => unitDead.push(f),
  });
  const validator: Validator | undefined = cfg.validate === 'off' ? undefined : (sharedValidator ??= createValidator());
  // Sampling is deterministic (every n-th event) so a re-run validates the same events.
  const sampleEvery = typeof cfg.validate === 'object' ? Math.max(1, Math.round(1 / Math.min(1, Math.max(cfg.validate.sample, 1e-9)))) : 1;
  const total = emptyCounts();
  const progress: ShardProgress = { records: 0, bytes: 0, inputs: 0 };
  const collection = cfg.collection ? compileCollectionFilter(cfg.collection) : undefined;
  const every = { objects: led?.commitEvery?.objects ?? Infinity, bytes: led?.commitEvery?.bytes ?? Infinity, ms: led?.commitEvery?.ms ?? Infinity };
  const files: WrittenFile[] = [];
  const dlqFiles: string[] = [];
  const dlqErrors: string[] = [];
  const storeErrors: string[] = [];
  const warnings: string[] = [];
  const entries: LedgerEntry[] = [];
  let keepStaging = false;
  let seen = 0;
  let unitNo = 0;
  let unit = newUnit();
  /** Objects of a unit given up to a concurrent run's commit, to be done again (those still free). */
  const redo: InputObject[] = [];
  const redone = new WeakSet<InputObject>();

  function newUnit(): Unit {
    unitId = led !== undefined ? `${led.run}-${led.shard ?? 0}-${++unitNo}` : '';
    staging?.begin(unitId);
    unitFiles = [];
    unitDead = [];
    return { counts: emptyCounts(), accepted: 0, inputs: [], objects: [], supersedes: new Set(), retire: [], startedAt: Date.now(), bytes: 0 };
  }

  /** Writes the dead-letter files that are full as the run goes (a failure here is retried by the last flush). */
  async function flushFullDeadLetters(): Promise<void> {
    try {
      await dlq.flushFull();
    } catch {
      // The entries stay buffered; the unit's flush retries them and reports what still fails.
    }
  }

  let objectsDone = 0;
  function report(): void {
    progress.records = total.recordsIn + unit.counts.recordsIn;
    progress.bytes = total.bytesIn + unit.counts.bytesIn;
    progress.inputs = objectsDone;
    onProgress?.(progress);
  }

  async function drain(): Promise<void> {
    try {
      await writer.drain();
    } catch (err) {
      if (!(err instanceof FlushError)) throw err;
      // The rows stay in the writer; the unit's flush retries them once more before dead-lettering.
    }
  }

  function fail(f: MapFailure, mapper?: string, event?: unknown): void {
    const counts = unit.counts;
    counts.failures++;
    counts.failuresByReason[f.reason] = (counts.failuresByReason[f.reason] ?? 0) + 1;
    dlq.add(f, mapper, event);
  }

  async function mapObject(obj: InputObject, bytes: Uint8Array): Promise<void> {
    const counts = unit.counts;
    const outcomes = replayed ? [replayOutcomes(obj.name, bytes, replayed, referenced)] : sessions.map((s) => s.mapInput(obj.name, bytes, obj.context));
    for (const stream of outcomes) {
      for await (const o of stream) {
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
        unit.accepted++;
        const cls = String(ev.class_uid);
        counts.eventsByClass[cls] = (counts.eventsByClass[cls] ?? 0) + 1;
        // Backpressure inside an object as well: one object's events may exceed the budget, and the
        // writer's files only progress while this loop awaits (the decode loop itself is all microtasks).
        if (writer.needsDrain) await drain();
      }
    }
  }

  async function processObject(obj: InputObject | InputListingError): Promise<void> {
    const counts = unit.counts;
    if (obj instanceof InputListingError) {
      counts.recordsIn++;
      fail(new MapFailure(obj.reason, obj.message, cfg.source, { input: obj.input }, { input: obj.input }));
      report(); // (not an object the main thread counts in flight)
      return;
    }
    const first = !redone.has(obj);
    if (obj.size !== undefined && obj.size > maxInputBytes) {
      // Refused before it is read: an object cannot be smaller once decompressed, and reading it would cost its
      // size. It is an input of the unit all the same (its one failure is what it produced).
      counts.recordsIn++;
      fail(new MapFailure('input-too-large', `${obj.name}: ${obj.size} bytes exceed limits.maxInputBytes (${maxInputBytes})`, cfg.source, { input: obj.name, bytes: obj.size }, { input: obj.name }));
      if (led !== undefined) {
        unit.inputs.push({ ...(obj.identity ?? { uri: `mem:${obj.name}`, size: obj.size }), records: 1 });
        unit.objects.push(obj);
      }
      if (first) objectsDone++;
      report();
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await obj.read();
    } catch (err) {
      // Not an input of the unit: it stays uncommitted, and the next run tries it again.
      counts.recordsIn++;
      const reason = err instanceof InputListingError ? err.reason : 'read-error';
      fail(new MapFailure(reason, `${obj.name}: ${(err as Error).message}`, cfg.source, { input: obj.name }, { input: obj.name }));
      // Reported as done like any object: a worker whose reads fail must get its in-flight slots back.
      if (first) objectsDone++;
      report();
      return;
    }
    counts.bytesIn += bytes.length;
    counts.inputs++;
    unit.bytes += obj.size ?? bytes.length;
    const before = counts.recordsIn;
    await mapObject(obj, bytes);
    if (led !== undefined) {
      const id = obj.identity ?? { uri: `mem:${obj.name}`, size: bytes.length };
      unit.inputs.push({ ...id, records: counts.recordsIn - before });
      unit.objects.push(obj);
      for (const s of obj.group?.supersedes ?? []) unit.supersedes.add(s);
      if (obj.retire !== undefined) unit.retire.push({ key: obj.retire, deleted: led.deleteReplayed === true });
    }
    if (first) objectsDone++;
    report();
    if (writer.needsDrain) await drain();
  }

  /** Flushes the writer, giving every failed file a second attempt under its own key. */
  async function flushWriter(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writer.flush();
        return;
      } catch (err) {
        if (!(err instanceof FlushError)) throw err;
      }
    }
  }

  /** Ends the unit: files and dead letters stored, then (with a ledger) committed and published. */
  async function closeUnit(): Promise<void> {
    const u = unit;
    const counts = u.counts;
    if (counts.recordsIn === 0 && u.inputs.length === 0) return;
    await flushWriter();
    const failedFiles = writer.takeFailed();
    if (led !== undefined && failedFiles.length > 0) {
      // Nothing of the unit becomes visible; its inputs stay uncommitted and the next run redoes them.
      for (const f of failedFiles) storeErrors.push(`${f.key}: ${causeMessage(f.error.cause ?? f.error)}`);
      return giveUp(u, 'not-stored');
    }
    // Without a ledger, what failed twice is dead-lettered as sink-error (the entry carries the event, which
    // replay writes as is).
    for (const file of failedFiles) {
      const mapper = `${file.source}@${file.sourceVersion}`;
      for (const f of failuresToMapFailures([file])) {
        fail(new MapFailure(f.reason, f.message, f.source, null, f.context), mapper, f.raw);
        const cls = String((f.raw as { class_uid?: number }).class_uid);
        counts.eventsByClass[cls] = (counts.eventsByClass[cls] ?? 1) - 1;
        u.accepted--;
      }
    }
    for (const f of unitFiles) countFile(counts, f);
    counts.files = unitFiles.length;
    if (counts.eventsWritten !== u.accepted) {
      throw new Error(`accounting bug: ${u.accepted} events accepted but ${counts.eventsWritten} rows written`);
    }
    let stored = true;
    try {
      await dlq.flush();
    } catch (err) {
      dlqErrors.push((err as Error).message);
      stored = false;
    }
    if (led === undefined || ledger === undefined) {
      if (!stored) {
        // No ledger to leave the inputs uncommitted: the dead letters that are still buffered are the loss.
        const lost = counts.failures - unitDead.reduce((n, f) => n + f.rows, 0);
        counts.failures -= lost;
        counts.recordsNotStored += lost;
      }
      return finishUnit(u);
    }
    if (!stored) return giveUp(u, 'not-stored');
    let entry: Awaited<ReturnType<Ledger['commit']>>;
    try {
      entry = await ledger.commit({
      format: 1,
      unit: unitId,
      run: led.run,
      library: `ocsf-lake/${cfg.libraryVersion}`,
      command: cfg.replay ? 'replay' : 'ingest',
      sources: Object.keys(counts.eventsBySource).sort(),
      inputs: u.inputs,
      files: unitFiles.map((f) => ({ key: f.key, staged: staging!.staged.get(f.key)!, rows: f.rows, bytes: f.bytes })),
      deadLetters: unitDead.map((f) => ({ key: f.key, staged: staging!.staged.get(f.key)!, rows: f.rows, bytes: f.bytes })),
      counts: { recordsIn: counts.recordsIn, eventsWritten: counts.eventsWritten, failures: counts.failures, filtered: counts.filtered },
      supersedes: [...u.supersedes].sort((a, b) => a - b),
      retire: u.retire,
      });
    } catch (err) {
      // Whether the entry landed is unknown: its staged files stay for the next run's roll-forward (which
      // deletes them if no entry names them).
      storeErrors.push(`commit: ${causeMessage(err)}`);
      keepStaging = true;
      return giveUp(u, 'not-stored', false);
    }
    if ('conflicts' in entry) {
      const lost = new Set(entry.conflicts);
      for (let i = 0; i < u.objects.length; i++) {
        const o = u.objects[i]!;
        if (lost.has(u.inputs[i]!.uri)) {
          total.objectsSkipped++;
          total.recordsSkipped += u.inputs[i]!.records;
        } else {
          redone.add(o);
          redo.push(o);
        }
      }
      return giveUp(u, 'conflict');
    }
    try {
      warnings.push(...(await ledger.publish(entry.committed)));
    } catch (err) {
      // Committed, so stored: the next run into this lake publishes it (roll-forward) from the staged files,
      // which this run must therefore leave where they are.
      keepStaging = true;
      warnings.push(`ledger entry ${entry.committed.seq} is committed but not yet visible (${causeMessage(err)}): the next run into this lake publishes it`);
    }
    entries.push(entry.committed);
    counts.units = 1;
    return finishUnit(u);
  }

  function finishUnit(u: Unit): void {
    mergeCounts(total, u.counts);
    files.push(...unitFiles);
    dlqFiles.push(...unitDead.map((f) => f.key));
    unit = newUnit();
  }

  /** Gives a unit up: its staged files are deleted and its inputs stay uncommitted. */
  async function giveUp(u: Unit, why: 'not-stored' | 'conflict', discard = true): Promise<void> {
    if (discard) await staging!.discard();
    await dlq.discard();
    writer.takeFailed();
    if (why === 'not-stored') {
      // Counted, so that the run can say how many records a re-run must redo.
      const c = u.counts;
      total.inputs += c.inputs;
      total.bytesIn += c.bytesIn;
      total.recordsIn += c.recordsIn;
      total.recordsNotStored += c.recordsIn;
    }
    unit = newUnit();
  }

  function unitFull(): boolean {
    return unit.inputs.length >= every.objects || unit.bytes >= every.bytes || Date.now() - unit.startedAt >= every.ms;
  }

  const it = objects[Symbol.asyncIterator]();
  for (;;) {
    let obj: InputObject | InputListingError;
    if (redo.length > 0) obj = redo.shift()!;
    else {
      const r = await it.next();
      if (r.done) {
        await closeUnit();
        if (redo.length > 0) continue;
        break;
      }
      obj = r.value;
    }
    await processObject(obj);
    // A group (inputs replacing what an earlier unit wrote from them together) never straddles two units.
    const midGroup = !(obj instanceof InputListingError) && obj.group !== undefined && !obj.group.last;
    if (!midGroup && unitFull()) await closeUnit();
  }

  await writer.close();
  total.files = files.length;
  await sink.close?.();
  return { counts: total, files, dlqFiles, dlqErrors, storeErrors, warnings, entries, keepStaging };
}

function countFiltered(counts: RunCounts, reason: string, detail: string): void {
  counts.filtered++;
  const key = detail ? `${reason}:${detail}` : reason;
  counts.filteredByReason[key] = (counts.filteredByReason[key] ?? 0) + 1;
}
