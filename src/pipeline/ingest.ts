/**
 * `ingest(inputs, options)`: the streaming pipeline over files, directories, S3 prefixes and streams, into a
 * Security-Lake-layout lake on disk or S3.
 *
 * Parallelism: input objects are sharded over `worker_threads` by partition key, i.e. the
 * (account, region, day) their AWS delivery key names (`AWSLogs/<acct>/<service>/<region>/YYYY/MM/DD/`), so
 * each worker owns its partitions and writes one file per partition instead of every worker writing every
 * partition (../shared/docs/stack.md §3: sharding by file doubled the file count and gained only 1.2×). An object
 * always goes to the worker that owns its shard, even when another worker is idle: handing it to the idle one
 * splits partitions over workers (41 files instead of 24 in test/pipeline/streaming.test.ts). Each worker holds
 * at most two objects in flight: backpressure from the sink reaches the listing of inputs.
 *
 * Exactly once: the lake's ledger (`src/ledger/`) decides, on this thread, which listed objects are skipped,
 * processed, or redone to replace what they wrote; the shards commit units of work to it.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { Worker } from 'node:worker_threads';
import { isS3Url, parseS3Url } from '../io/s3-url.js';
import type { S3ClientOptions } from '../io/s3.js';
import type { RecordContext, SourceOptions } from '../core/types.js';
import { resolveSources, listSources } from '../core/source.js';
import { createMapSession } from '../core/engine.js';
import { importSourceModules } from '../core/source-modules.js';
import type { SourceDefinition } from '../core/source.js';
import { builtinSources } from '../sources/index.js';
import type { Compression } from '../writer/parquet.js';
import type { WrittenFile } from '../writer/writer.js';
import type { DataLakeDocument } from '../lake/types.js';
import { headS3Object, InputListingError, listInputs, localObject } from './inputs.js';
import type { InputObject, InputSource } from './inputs.js';
import { runShard, sinkFor } from './shard.js';
import type { CommitEvery, ShardConfig, ShardResult, ValidateMode } from './shard.js';
import { Ledger, newRunId } from '../ledger/ledger.js';
import { identityVersion } from '../ledger/entry.js';
import type { LedgerEntry } from '../ledger/entry.js';
import type { LakeStore } from '../writer/sinks/sink.js';
import { balanced, emptyCounts, mergeCounts } from './summary.js';
import type { RunCounts } from './summary.js';
import { LIBRARY_VERSION } from '../core/version.js';

export interface IngestOptions {
  /** sourceName, family (`cloudtrail`) or `auto` (default): recognize each input's source by content. */
  source?: string;
  /** One source version for every source; default each source's latest, or every version the lake config enables. */
  sourceVersion?: string;
  /** Lake root: a directory or `s3://bucket/prefix`. */
  out: string;
  /** `native` (aws/<SOURCE>/<version>/), `custom` (ext/<source>/<version>/, one class per file) or `auto`. */
  layout?: 'native' | 'custom' | 'auto';
  /**
   * Worker threads. Default: the core count, or the calling thread alone when the whole input lists under
   * {@link SMALL_INPUT_BYTES} (10 MiB). 1 runs on the calling thread, and so does every run that selects a
   * user-registered source, unless `sourceModules` registers it in every worker.
   */
  workers?: number;
  /**
   * ES modules that register your sources (`registerSource`) when imported: paths (relative to the working
   * directory) or `file:` URLs. `ingest` imports them on the calling thread and in every worker thread
   * (registration is per thread), so a run that selects your sources still uses `workers`. When the run
   * uses workers, every user source it selects must be registered by these modules: a worker that does not
   * know one refuses to start, and `ingest` rejects.
   */
  sourceModules?: readonly string[];
  /** Follow symbolic links inside input directories, each real file read once (default false: skipped). */
  followSymlinks?: boolean;
  /** `off`, `all`, or `{ sample: rate }` (default `{ sample: 0.01 }`). Invalid events are dead-lettered. */
  validate?: ValidateMode;
  compression?: Compression;
  /** Region/account defaults for records whose envelope carries none. */
  context?: RecordContext;
  /** Source-specific options (e.g. `{ vpcFormat }`). */
  options?: SourceOptions;
  /** S3 client settings for `s3://` inputs and outputs (endpoint, path style, credentials). */
  s3?: S3ClientOptions;
  /** SSE-KMS key for objects written to S3. */
  kmsKeyId?: string;
  /** The data lake configuration to honour (from `DataLake.collectionPlan().document`); absent = collect everything. */
  collection?: DataLakeDocument;
  /** Writer limits (rows/bytes/age per file, memory budget, rows per Parquet batch, largest event: `maxRecordBytes`). */
  writer?: ShardConfig['writer'];
  /** Bounds on input objects and records (depth, decompressed size and ratio, record bytes, records per object). */
  limits?: ShardConfig['limits'];
  /** fsync local files before rename (default true). */
  fsync?: boolean;
  /** Called at most every `progressIntervalMs` (default 250) and once at the end. */
  onProgress?: (p: IngestProgress) => void;
  progressIntervalMs?: number;
  /** Called, and awaited, for each input object once it is listed and before it is read (auditing; tests use it to delete an object in between). */
  onListed?: (o: { name: string; size?: number }) => void | Promise<void>;
  /**
   * Keep the lake's commit ledger (default true): exactly-once ingestion. `false` writes files straight to their
   * final keys with no record of what was ingested, so a re-run duplicates every event: for benchmarks and
   * throw-away output only.
   */
  ledger?: boolean;
  /**
   * Process inputs the lake's ledger has already ingested, replacing exactly the files that came from them
   * (default false: such inputs are skipped, and an input whose identity changed is redone and replaces its files).
   */
  reingest?: boolean;
  /**
   * When a worker commits its unit of work (files staged so far become visible together): after this many input
   * objects, input bytes, or milliseconds, whichever comes first (default {@link DEFAULT_COMMIT_EVERY}).
   */
  commitEvery?: CommitEvery;
}

/**
 * Units of 1,000 objects, 256 MiB of input or one minute: a crash loses at most that much work, and a unit's
 * files are as large as its partitions allow (CloudTrail, `npm run bench:e2e`: one file per partition per worker).
 */
export const DEFAULT_COMMIT_EVERY: Required<CommitEvery> = { objects: 1000, bytes: 256 << 20, ms: 60_000 };

export interface IngestProgress {
  records: number;
  bytes: number;
  inputsDone: number;
  /** Inputs and bytes listed so far (totals once listing is complete). */
  inputsListed: number;
  bytesListed: number;
  listingDone: boolean;
  elapsedMs: number;
  recordsPerSec: number;
  bytesPerSec: number;
}

export interface IngestResult {
  counts: RunCounts;
  /**
   * True when every record is an event in a committed file, a stored dead letter or a counted filtered record
   * (`recordsIn = eventsWritten + failures + filtered`, and `recordsNotStored` is 0).
   */
  balanced: boolean;
  files: WrittenFile[];
  dlqFiles: string[];
  /** Why dead letters could not be stored: their units were not committed (`counts.recordsNotStored`). */
  dlqErrors: string[];
  /** Why Parquet files could not be stored: their units were not committed either. */
  storeErrors: string[];
  elapsedMs: number;
  workers: number;
  /** The run's id in the lake's ledger. */
  run: string;
  /** Ledger entries committed by this run. */
  entries: LedgerEntry[];
  /** What the run finished for crashed runs before it started: entries published, staged files removed. */
  recovered: { rolledForward: number; stagingRemoved: number };
  /** Inputs the run could not take on (e.g. a changed input whose files it cannot replace), one line each. */
  warnings: string[];
}

/** Runs the pipeline. Rejects only on configuration errors; bad data ends in the dead-letter sink. */
export function ingest(inputs: readonly InputSource[], opts: IngestOptions): Promise<IngestResult> {
  return runIngest(inputs, opts, {});
}

/** What distinguishes a replay from an ingest: inputs are dead-letter files, retired once committed. */
export interface IngestMode {
  replay?: boolean;
  deleteReplayed?: boolean;
}

export async function runIngest(inputs: readonly InputSource[], opts: IngestOptions, mode: IngestMode): Promise<IngestResult> {
  const started = Date.now();
  const sourceModules = await importSourceModules(opts.sourceModules ?? []);
  const cfg = shardConfig(opts, sourceModules);
  // Worker threads know the built-in sources and what `sourceModules` register (registration is per thread);
  // a run that selects any other user-registered source (or a replaced built-in) runs on the calling thread.
  const workers = workersKnowAll(cfg.source, sourceModules.length > 0) ? Math.max(1, Math.min(opts.workers ?? availableParallelism(), 64)) : 1;
  // The AWS SDK is imported only by runs that read from S3 (a worker writing to S3 imports it itself).
  const s3Client = needsS3(inputs) ? (await import('../io/s3.js')).createS3Client(opts.s3) : undefined;
  const listed = () => listInputs(inputs, { s3Client, followSymlinks: opts.followSymlinks === true });
  if (mode.replay) cfg.replay = true;

  if (opts.ledger === false) {
    const r = await runShards(cfg, workers, listed(), opts, started);
    return summarize(r.results, r.workers, started, { run: '', entries: [], recovered: { rolledForward: 0, stagingRemoved: 0 }, warnings: r.results.flatMap((x) => x.warnings) });
  }
  const store = await sinkFor(cfg.out);
  const ledger = await new Ledger(store).load();
  const run = newRunId();
  const release = await ledger.announce(run);
  let keepStaging = false;
  try {
    const recovered = await ledger.recover(run);
    cfg.ledger = { run, since: ledger.lastSeq, commitEvery: { ...DEFAULT_COMMIT_EVERY, ...opts.commitEvery }, ...(mode.deleteReplayed ? { deleteReplayed: true } : {}) };
    const decided = { objectsSkipped: 0, recordsSkipped: 0, warnings: [] as string[] };
    let listing: AsyncIterable<InputObject | InputListingError> = decide(listed(), ledger, {
      reingest: opts.reingest === true,
      s3Client,
      lake: mode.replay ? cfg.out : undefined,
      decided,
    });
    // A replay lists its dead-letter files before it starts: its own commits add new ones under `dlq/`.
    if (mode.replay) listing = fromArray(await collectAll(listing));
    const r = await runShards(cfg, workers, listing, opts, started);
    keepStaging = r.results.some((x) => x.keepStaging);
    const { lost, ...done } = recovered;
    const warnings = [...lost, ...decided.warnings, ...r.results.flatMap((x) => x.warnings)];
    const result = summarize(r.results, r.workers, started, { run, entries: r.results.flatMap((x) => x.entries).sort((a, b) => a.seq - b.seq), recovered: done, warnings });
    result.counts.objectsSkipped += decided.objectsSkipped;
    result.counts.recordsSkipped += decided.recordsSkipped;
    return result;
  } finally {
    await release(keepStaging);
    await store.close?.();
  }
}

/** Runs the shards over a listing: on the calling thread, or on `workers` threads. */
async function runShards(
  cfg: ShardConfig,
  workers: number,
  listing: AsyncIterable<InputObject | InputListingError>,
  opts: IngestOptions,
  started: number,
): Promise<{ results: ShardResult[]; workers: number }> {
  if (opts.workers === undefined && workers > 1) {
    // Default worker count: a small input runs on the calling thread, as starting workers would cost more
    // than they save.
    const peek = await peekListing(listing);
    listing = peek.listing;
    if (peek.small) workers = 1;
  }
  const prog = newProgress(started, opts);
  const results =
    workers === 1 ? [await runShard(cfg, counted(listing, prog, opts.onListed), (p) => prog.shard(0, p))] : await runWorkers(cfg, workers, counted(listing, prog, opts.onListed), prog);
  prog.finish();
  return { results, workers };
}

function summarize(results: ShardResult[], workers: number, started: number, ledger: Pick<IngestResult, 'run' | 'entries' | 'recovered' | 'warnings'>): IngestResult {
  const counts = results.reduce((acc, r) => mergeCounts(acc, r.counts), emptyCounts());
  return {
    counts,
    balanced: balanced(counts),
    files: results.flatMap((r) => r.files),
    dlqFiles: results.flatMap((r) => r.dlqFiles),
    dlqErrors: results.flatMap((r) => r.dlqErrors),
    storeErrors: results.flatMap((r) => r.storeErrors),
    elapsedMs: Date.now() - started,
    workers,
    ...ledger,
  };
}

/**
 * The ledger's decision for each listed object: skipped when the lake has ingested it with the same identity;
 * redone, together with every input its files hold records of, when its identity changed or `reingest` asks;
 * otherwise processed. Objects without an identity (streams) are read here and known by a hash of their bytes.
 */
async function* decide(
  listing: AsyncIterable<InputObject | InputListingError>,
  ledger: Ledger,
  opts: { reingest: boolean; s3Client?: S3Client; lake?: ShardConfig['out']; decided: { objectsSkipped: number; recordsSkipped: number; warnings: string[] } },
): AsyncGenerator<InputObject | InputListingError> {
  const queued = new Set<string>();
  /** Skipped so far, by URI: a group formed later may redo one of them after all. */
  const skipped = new Map<string, number>();
  let groups = 0;
  for await (const listed of listing) {
    if (listed instanceof InputListingError) {
      yield listed;
      continue;
    }
    // Dead-letter files are known by their content: a replayed file that was moved (retired) stays replayed.
    const o = opts.lake ? await withContentIdentity(listed, 'dlq') : listed.identity ? listed : await withContentIdentity(listed);
    const id = o.identity!;
    if (queued.has(id.uri)) continue; // listed twice, or already redone with its group
    if (opts.lake) {
      const key = lakeKeyOf(o, opts.lake);
      if (key !== undefined) o.retire = key;
    }
    const c = ledger.committed(id.uri);
    if (c === undefined) {
      queued.add(id.uri);
      yield o;
      continue;
    }
    if (!opts.reingest && c.version === identityVersion(id)) {
      opts.decided.objectsSkipped++;
      opts.decided.recordsSkipped += c.records;
      skipped.set(id.uri, c.records);
      continue;
    }
    // Replace: the unit's files hold records of its other inputs too, so they are redone with this one.
    const comp = ledger.component([c.seq]);
    const members: InputObject[] = [];
    let missing: string | undefined;
    for (const uri of comp.uris) {
      const m = uri === id.uri ? o : await objectOfUri(uri, opts.s3Client);
      if (m === undefined) {
        missing = uri;
        break;
      }
      members.push(m);
    }
    if (missing !== undefined) {
      opts.decided.warnings.push(
        `${id.uri} changed, but its events share files (ledger entry ${comp.seqs.join(', ')}) with ${missing}, which can no longer be read: ` +
          'the lake keeps the events it has; restore that input to replace them',
      );
      continue;
    }
    const group = ++groups;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const uri = m.identity!.uri;
      queued.add(uri);
      const records = skipped.get(uri);
      if (records !== undefined) {
        opts.decided.objectsSkipped--;
        opts.decided.recordsSkipped -= records;
        skipped.delete(uri);
      }
      yield { ...m, group: { id: group, supersedes: comp.seqs, last: i === members.length - 1 } };
    }
  }
}

async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * Names an object by its content: streams and in-memory inputs (`stdin:sha256:…`, `mem:<name>`), and dead-letter
 * files (`dlq:sha256:…`). Bytes that cannot be read again (streams) are kept; files and S3 objects are read
 * again when processed, so that a listing holds no bytes.
 */
async function withContentIdentity(o: InputObject, scheme?: 'dlq'): Promise<InputObject> {
  let bytes: Uint8Array;
  try {
    bytes = await o.read();
  } catch {
    return { ...o, identity: { uri: `unreadable:${o.name}` } }; // the shard's own read reports why
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const uri = scheme === 'dlq' ? `dlq:sha256:${sha256}` : o.name === '-' ? `stdin:sha256:${sha256}` : `mem:${o.name}`;
  const identity = { uri, size: bytes.length, sha256 };
  return o.ref ? { ...o, identity } : { ...o, size: bytes.length, identity, read: async () => bytes };
}

/** An input named by a ledger URI, as it is now; undefined when it no longer exists or cannot be re-read. */
async function objectOfUri(uri: string, s3Client: S3Client | undefined): Promise<InputObject | undefined> {
  if (uri.startsWith('file:')) {
    const path = fileURLToPath(uri);
    const st = await stat(path).catch(() => undefined);
    return st?.isFile() ? localObject(path, st.size, st.mtimeMs) : undefined;
  }
  if (uri.startsWith('s3://') && s3Client) {
    const { bucket, prefix: key } = parseS3Url(uri);
    return headS3Object(s3Client, bucket, key);
  }
  return undefined;
}

/** The lake-relative key of a dead-letter file inside the lake (`dlq/…`), if it is one. */
function lakeKeyOf(o: InputObject, lake: ShardConfig['out']): string | undefined {
  let rel: string | undefined;
  if (o.ref?.kind === 'file' && lake.kind === 'local') {
    const r = relative(resolve(lake.root), resolve(o.ref.path));
    if (!r.startsWith('..') && !isAbsolute(r)) rel = r.split(sep).join('/');
  } else if (o.ref?.kind === 's3' && lake.kind === 's3' && o.ref.bucket === lake.bucket) {
    const p = lake.prefix === '' ? '' : `${lake.prefix}/`;
    if (o.ref.key.startsWith(p)) rel = o.ref.key.slice(p.length);
  }
  return rel !== undefined && rel.startsWith('dlq/') ? rel : undefined;
}

/**
 * Inputs that list under this many bytes in all run on the calling thread when the worker count is not
 * given. Starting a worker thread costs about 0.6 s (module graph, schemas, wasm). In `npm run bench:e2e`,
 * 2 workers lost to 1 on 4.5–6.4 MB of gzip input (Security Hub, Route 53, EKS) and won 1.2× on VPC flow's 14.4 MB.
 */
export const SMALL_INPUT_BYTES = 10 << 20;
/** More listed objects than this count as a large input whatever their sizes (and bound what the peek holds). */
const SMALL_INPUT_OBJECTS = 4096;

/**
 * Reads the listing ahead until it ends, or its sizes pass {@link SMALL_INPUT_BYTES}, or an object of unknown
 * size (a stream) shows up; then gives the listing back whole, the objects read ahead first.
 * Only names and sizes are held, never bytes.
 */
export async function peekListing<T extends InputObject | InputListingError>(listing: AsyncIterable<T>): Promise<{ small: boolean; listing: AsyncIterable<T> }> {
  const it = listing[Symbol.asyncIterator]();
  const head: T[] = [];
  let bytes = 0;
  let small = true;
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    if (r.value instanceof InputListingError) continue;
    bytes += r.value.size ?? Infinity;
    if (bytes > SMALL_INPUT_BYTES || head.length > SMALL_INPUT_OBJECTS) {
      small = false;
      break;
    }
  }
  async function* whole(): AsyncGenerator<T> {
    yield* head;
    if (small) return; // the listing has ended
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { small, listing: whole() };
}

function selectedSources(source: string): SourceDefinition[] {
  return source.toLowerCase() === 'auto' ? listSources() : resolveSources(source);
}

/** True when worker threads will know every source the run selects (checked again in each worker). */
function workersKnowAll(source: string, withModules: boolean): boolean {
  if (withModules) return true;
  const builtin = new Set<SourceDefinition>(builtinSources);
  return selectedSources(source).every((s) => builtin.has(s));
}

/** Validates options once, up front, so a usage error never reaches a worker. */
function shardConfig(opts: IngestOptions, sourceModules: string[]): ShardConfig {
  const source = opts.source ?? 'auto';
  const selected = selectedSources(source);
  let versions: (string | undefined)[];
  if (opts.sourceVersion !== undefined) versions = [opts.sourceVersion];
  else if (opts.collection) {
    const names = new Set(selected.map((s) => s.name));
    const enabled = new Set(opts.collection.sources.filter((e) => names.has(e.sourceName)).map((e) => e.sourceVersion));
    versions = enabled.size > 0 ? [...enabled].sort() : [undefined];
  } else versions = [undefined];
  // Usage errors (an unsupported version, e.g. EKS_AUDIT at 1.0) surface here, on the calling thread.
  for (const v of versions) createMapSession({ source, sourceVersion: v, context: opts.context, options: opts.options, limits: opts.limits });
  const out = shardOut(opts);
  return {
    source,
    sourceVersions: versions,
    context: opts.context,
    options: opts.options,
    out,
    layout: opts.layout,
    compression: opts.compression,
    validate: opts.validate ?? { sample: 0.01 },
    writer: opts.writer,
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    libraryVersion: LIBRARY_VERSION,
    collection: opts.collection,
    ...(opts.s3 !== undefined ? { inputS3: opts.s3 } : {}),
    ...(sourceModules.length > 0 ? { sourceModules, sourceNames: selected.map((d) => d.name) } : {}),
  };
}

/** The output location of a run, as plain data a worker can receive. */
export function shardOut(opts: Pick<IngestOptions, 'out' | 's3' | 'kmsKeyId' | 'fsync'>): ShardConfig['out'] {
  return isS3Url(opts.out)
    ? { kind: 's3', ...parseS3Url(opts.out), s3: opts.s3, ...(opts.kmsKeyId ? { kmsKeyId: opts.kmsKeyId } : {}) }
    : { kind: 'local', root: opts.out, fsync: opts.fsync };
}

function needsS3(inputs: readonly InputSource[]): boolean {
  return inputs.some((i) => typeof i === 'string' && isS3Url(i));
}

// ─── progress ────────────────────────────────────────────────────────────────

interface ProgressTracker {
  listed(o: InputObject): void;
  listingDone(): void;
  shard(i: number, p: { records: number; bytes: number; inputs: number }): void;
  finish(): void;
}

function newProgress(started: number, opts: IngestOptions): ProgressTracker {
  const perShard: { records: number; bytes: number; inputs: number }[] = [];
  const p: IngestProgress = { records: 0, bytes: 0, inputsDone: 0, inputsListed: 0, bytesListed: 0, listingDone: false, elapsedMs: 0, recordsPerSec: 0, bytesPerSec: 0 };
  const every = opts.progressIntervalMs ?? 250;
  let last = 0;
  function emit(force: boolean): void {
    if (!opts.onProgress) return;
    const t = Date.now();
    if (!force && t - last < every) return;
    last = t;
    p.records = p.bytes = p.inputsDone = 0;
    for (const s of perShard) {
      if (!s) continue;
      p.records += s.records;
      p.bytes += s.bytes;
      p.inputsDone += s.inputs;
    }
    p.elapsedMs = t - started;
    p.recordsPerSec = p.elapsedMs > 0 ? (p.records * 1000) / p.elapsedMs : 0;
    p.bytesPerSec = p.elapsedMs > 0 ? (p.bytes * 1000) / p.elapsedMs : 0;
    opts.onProgress({ ...p });
  }
  return {
    listed(o) {
      p.inputsListed++;
      p.bytesListed += o.size ?? 0;
    },
    listingDone() {
      p.listingDone = true;
    },
    shard(i, s) {
      perShard[i] = { records: s.records, bytes: s.bytes, inputs: s.inputs };
      emit(false);
    },
    finish() {
      emit(true);
    },
  };
}

async function* counted(listing: AsyncIterable<InputObject | InputListingError>, prog: ProgressTracker, onListed?: IngestOptions['onListed']): AsyncGenerator<InputObject | InputListingError> {
  for await (const o of listing) {
    if (!(o instanceof InputListingError)) {
      prog.listed(o);
      await onListed?.({ name: o.name, ...(o.size !== undefined ? { size: o.size } : {}) });
    }
    yield o;
  }
  prog.listingDone();
}

// ─── workers ─────────────────────────────────────────────────────────────────

/** What the main thread posts to a worker for one object. */
type ObjectFields = Pick<InputObject, 'name' | 'context' | 'size' | 'identity' | 'group' | 'retire'>;
export type ObjectMessage =
  | ({ type: 'object'; ref: NonNullable<InputObject['ref']> } & ObjectFields)
  | ({ type: 'object'; bytes: Uint8Array } & ObjectFields)
  | { type: 'listing-error'; input: string; reason: InputListingError['reason']; message: string };

export type WorkerReply =
  | { type: 'progress'; records: number; bytes: number; inputs: number }
  | { type: 'done'; result: ShardResult }
  | { type: 'error'; message: string };

/** Objects a worker holds at most (one being mapped, one read and waiting). */
const MAX_IN_FLIGHT = 2;
/**
 * Listed objects the dispatcher looks ahead of the first one it cannot send yet. Listings are sorted by key,
 * so runs of objects belong to one partition and one worker; without looking ahead the other worker idles
 * behind them (CloudTrail, `npm run bench:e2e`: 2 workers went from 0.93–1.16× to 1.14–1.34× one worker,
 * together with {@link createShardAssigner}). Only names are held, never bytes.
 */
const LOOKAHEAD = 64;

async function runWorkers(cfg: ShardConfig, n: number, objects: AsyncIterable<InputObject | InputListingError>, prog: ProgressTracker): Promise<ShardResult[]> {
  let wake: (() => void) | undefined;
  const pool = Array.from({ length: n }, (_, i) => {
    const w = startWorker(cfg.ledger ? { ...cfg, ledger: { ...cfg.ledger, shard: i } } : cfg);
    const state = {
      w,
      inFlight: 0,
      inputsDone: 0,
      queue: [] as InputObject[],
      done: new Promise<ShardResult>((resolve, reject) => {
        w.on('message', (m: WorkerReply) => {
          if (m.type === 'progress') {
            if (m.inputs > state.inputsDone) {
              state.inFlight -= m.inputs - state.inputsDone;
              state.inputsDone = m.inputs;
              wake?.();
            }
            prog.shard(i, m);
          } else if (m.type === 'done') resolve(m.result);
          else reject(new Error(`worker ${i}: ${m.message}`));
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`worker ${i} exited with code ${code}`));
        });
      }),
    };
    return state;
  });
  // A worker failing must not leave the dispatcher waiting for capacity forever.
  const failed = Promise.race(pool.map((s) => s.done.then(() => new Promise<never>(() => undefined))));
  // Only raced against (the run's error surfaces through `done`): never an unhandled rejection of its own.
  failed.catch(() => undefined);
  const assign = createShardAssigner(n);
  let queued = 0;

  async function send(s: (typeof pool)[number], o: InputObject): Promise<void> {
    s.inFlight++;
    const ledger = { ...(o.identity ? { identity: o.identity } : {}), ...(o.group ? { group: o.group } : {}), ...(o.retire !== undefined ? { retire: o.retire } : {}) };
    if (o.ref) s.w.postMessage({ type: 'object', name: o.name, context: o.context, size: o.size, ...ledger, ref: o.ref } satisfies ObjectMessage);
    else {
      // Transfer a copy: the bytes may be the caller's (an input given as `{ name, bytes }`) or a view into a
      // shared Buffer pool, and transferring their ArrayBuffer would detach it under the caller.
      const bytes = new Uint8Array(await o.read()); // a copy (Buffer#slice would not be one)
      s.w.postMessage({ type: 'object', name: o.name, context: o.context, size: o.size, ...ledger, bytes } satisfies ObjectMessage, [bytes.buffer as ArrayBuffer]);
    }
  }
  /** Sends queued objects, in listing order per worker, to every worker with room. */
  async function pump(): Promise<void> {
    for (const s of pool) {
      while (s.queue.length > 0 && s.inFlight < MAX_IN_FLIGHT) {
        queued--;
        await send(s, s.queue.shift()!);
      }
    }
  }
  /** Returns at once when a worker with queued objects has room (freed while `pump` awaited a read). */
  async function waitForRoom(): Promise<void> {
    if (pool.some((s) => s.queue.length > 0 && s.inFlight < MAX_IN_FLIGHT)) return;
    await Promise.race([new Promise<void>((r) => (wake = r)), failed]);
  }

  // Whatever ends the run (a worker failing included), every worker is terminated: a live worker would keep
  // the process from exiting.
  try {
    for await (const o of objects) {
      if (o instanceof InputListingError) {
        pool[0]!.w.postMessage({ type: 'listing-error', input: o.input, reason: o.reason, message: o.message } satisfies ObjectMessage);
        continue;
      }
      pool[assign(o)]!.queue.push(o);
      queued++;
      await pump();
      while (queued >= LOOKAHEAD) {
        await waitForRoom();
        await pump();
      }
    }
    while (queued > 0) {
      await waitForRoom();
      await pump();
    }
    for (const s of pool) s.w.postMessage({ type: 'end' });
    return await Promise.all(pool.map((s) => s.done));
  } finally {
    await Promise.all(pool.map((s) => s.w.terminate()));
  }
}

/**
 * Starts a shard worker. From the built package it runs `worker.js`; from TypeScript sources (tests, `tsx`) it
 * first registers tsx's loader in the new thread, since loader hooks are per thread.
 */
function startWorker(cfg: ShardConfig): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData: { cfg } });
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${entry}); })`;
  return new Worker(boot, { eval: true, workerData: { cfg } });
}

/**
 * The partition an object's records will mostly land in, from its key: (account, region, day) when the key
 * has them (AWS delivery keys do), else the object's own name.
 */
export function shardKey(o: Pick<InputObject, 'name' | 'context' | 'group'>): string {
  // A group's inputs are redone in one unit, so on one worker.
  if (o.group !== undefined) return `group\u0000${o.group.id}`;
  if (o.context.accountId === undefined) return o.name;
  const day = /\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(o.name);
  return `${o.context.accountId}/${o.context.region}/${day ? day[0] : ''}`;
}

/**
 * Assigns objects to `n` workers: every object of one {@link shardKey} goes to the same worker (so one
 * partition's records end in one file, not one per worker), and a key seen for the first time goes to the
 * worker that has been given the fewest objects so far. A hash of the key gave one worker 133 and the other
 * 117 of CloudTrail's 250 objects (`npm run bench:e2e`). Call it once per object, in listing order.
 */
export function createShardAssigner(n: number): (o: Pick<InputObject, 'name' | 'context' | 'group'>) => number {
  const owner = new Map<string, number>();
  const load = new Array<number>(n).fill(0);
  return (o) => {
    const key = shardKey(o);
    let w = owner.get(key);
    if (w === undefined) {
      w = 0;
      for (let i = 1; i < n; i++) if (load[i]! < load[w]!) w = i;
      owner.set(key, w);
    }
    load[w]!++;
    return w;
  };
}
