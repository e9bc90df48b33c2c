/**
 * AWS Lambda handler: S3 "object created" notifications in, Security-Lake-layout Parquet out — the way Security
 * Lake itself scales (an S3 notification, optionally a queue, and Lambda workers).
 *
 * Deliveries understood:
 * - S3 → Lambda: `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{...}}]}`;
 * - S3 → SQS → Lambda: `{"Records":[{"eventSource":"aws:sqs","messageId":"…","body":"<S3 event JSON>"}]}`, the body
 *   being an S3 event, an SNS envelope `{"Type":"Notification","Message":"<S3 event JSON>"}` (S3 → SNS → SQS), or an
 *   EventBridge event (S3 → EventBridge → SQS); the `s3:TestEvent` message S3 sends when a notification is set up
 *   is skipped;
 * - S3 → SNS → Lambda: `{"Records":[{"EventSource":"aws:sns","Sns":{"Message":"<S3 event JSON>"}}]}`;
 * - S3 → EventBridge → Lambda: `{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name"},
 *   "object":{"key"}}}`.
 * Keys in S3 notifications are URL-encoded with `+` for spaces and are decoded; EventBridge keys are used as
 * they are (EventBridge does not encode them). Events other than "object created" are skipped, and so are
 * objects the lake itself writes (`aws/`, `ext/`, `dlq/`, `_ocsf_lake/` under the lake root), so a lake in the
 * notified bucket cannot feed itself.
 *
 * Each object is ingested by its own `ingest()` run (one worker, on the Lambda's thread), through the lake's
 * commit ledger: the object is known by its key, size and ETag (a HEAD request), so a redelivered message of an
 * object already committed succeeds without writing anything, whatever the batch it arrives in. The lake's source
 * configuration (`ocsf-lake sources`, stored in the lake root) is honoured as by `ocsf-lake ingest`, and
 * collection status is recorded once per invocation.
 *
 * Failures: an object that cannot be read (deleted since the notification, access denied) or whose events or
 * dead letters could not be stored (it then stays uncommitted) makes its message fail. With SQS the handler returns
 * `{ batchItemFailures: [{ itemIdentifier: messageId }] }` (enable `ReportBatchItemFailures` on the event source
 * mapping) so only those messages are retried, and ends in the queue's dead-letter queue after
 * `maxReceiveCount`; with the asynchronous deliveries (S3, SNS, EventBridge) it throws a
 * {@link LambdaIngestError} so Lambda retries the event. Records the pipeline dead-letters (bad JSON, unknown
 * format, validation, ...) are a success: they are in the lake's `dlq/`, and retrying would not change them.
 * Dead-letter files of the retried reasons (`object-missing`, `read-error`) are removed again,
 * since the retry owns those records. A message body that is not an S3 notification fails (it reaches the
 * queue's dead-letter queue rather than vanishing).
 *
 * One JSON line per invocation goes to stdout (CloudWatch Logs): `{"type":"ocsf-lake.lambda", trigger,
 * messages, messagesFailed, objects, objectsFailed, skipped, recordsIn, events, failures, filtered, files, …}`.
 *
 * Environment of the ready-made {@link handler} (see {@link LAMBDA_ENV}):
 *   OCSF_LAKE_OUT (required) `s3://bucket/prefix` of the lake; OCSF_LAKE_SOURCE (`auto`), OCSF_LAKE_SOURCE_VERSION,
 *   OCSF_LAKE_LAYOUT (`auto`|`native`|`custom`), OCSF_LAKE_VALIDATE (`sample`|`off`|`all`), OCSF_LAKE_SAMPLE_RATE
 *   (0.01), OCSF_LAKE_COMPRESSION (`zstd`|`gzip`|`snappy`), OCSF_LAKE_KMS_KEY_ID, OCSF_LAKE_REGION,
 *   OCSF_LAKE_ACCOUNT, OCSF_LAKE_VPC_FORMAT, OCSF_LAKE_IGNORE_LAKE_CONFIG (`true`), OCSF_LAKE_CONFIG_TTL_SECONDS
 *   (60), OCSF_LAKE_CONCURRENCY (1), OCSF_LAKE_TIME_MARGIN_MS (10000), OCSF_LAKE_MEMORY_BUDGET_MB (a quarter of
 *   the function's memory), OCSF_LAKE_S3_ENDPOINT, OCSF_LAKE_S3_PATH_STYLE (`true`), and the input limits
 *   OCSF_LAKE_MAX_DEPTH, OCSF_LAKE_MAX_INPUT_BYTES, OCSF_LAKE_MAX_COMPRESSION_RATIO, OCSF_LAKE_MAX_RECORD_BYTES,
 *   OCSF_LAKE_MAX_RECORDS_PER_INPUT (as the CLI's `--max-*` flags; sizes in bytes or with KiB/MiB/GiB).
 */
import { createHash } from 'node:crypto';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import type { InputIdentity } from '../ledger/entry.js';
import type { S3Client } from '@aws-sdk/client-s3';
import '../sources/index.js';
import { isObject } from '../core/json-input.js';
import { LimitError, parseLimit, resolveLimits } from '../core/limits.js';
import type { InputLimits } from '../core/limits.js';
import { resolveSources } from '../core/source.js';
import type { RecordContext, SourceOptions } from '../core/types.js';
import { createS3Client, isS3Url } from '../io/s3.js';
import type { S3ClientOptions } from '../io/s3.js';
import { COMPRESSIONS } from '../writer/parquet.js';
import type { Compression } from '../writer/parquet.js';
import { parseS3Url } from '../writer/sinks/s3.js';
import type { WrittenFile } from '../writer/writer.js';
import { lakeCollection } from './collection.js';
import type { LakeCollection } from './collection.js';
import { ingest } from './ingest.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import { headS3Object, InputListingError, s3Object } from './inputs.js';
import type { ValidateMode } from './shard.js';
import { balanced, emptyCounts, mergeCounts } from './summary.js';
import type { RunCounts } from './summary.js';

// ─── public types ────────────────────────────────────────────────────────────

/** The parts of the Lambda context object the handler uses. */
export interface LambdaContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

/** SQS partial batch response (`ReportBatchItemFailures`). */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export type LambdaHandler = (event: unknown, context?: LambdaContext) => Promise<SqsBatchResponse>;

export interface LambdaHandlerOptions {
  /** Lake root, `s3://bucket/prefix`. */
  out: string;
  /** sourceName, family or `auto` (default): recognize each object's source by content. */
  source?: string;
  sourceVersion?: string;
  /** Default `auto`: native layout for AWS sources, custom for custom sources. */
  layout?: 'native' | 'custom' | 'auto';
  /** Default `{ sample: 0.01 }`. */
  validate?: ValidateMode;
  compression?: Compression;
  /** Region/account defaults for records whose envelope and key carry none. */
  context?: RecordContext;
  /** Source-specific options (e.g. `{ vpcFormat }`). */
  options?: SourceOptions;
  /** S3 client settings for reading the notified objects, the lake and its configuration. */
  s3?: S3ClientOptions;
  /** SSE-KMS key for the objects written. */
  kmsKeyId?: string;
  /** Honour the source configuration stored in the lake root (default true). */
  lakeConfig?: boolean;
  /** How long a read configuration is reused by a warm function (default 60 s; 0 reads it every invocation). */
  configTtlMs?: number;
  /** Objects ingested at the same time (default 1). */
  concurrency?: number;
  /** Objects are not started when less time than this remains; their messages are retried (default 10 s). */
  timeMarginMs?: number;
  /** Writer limits; defaults fit the function's memory (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`). */
  writer?: IngestOptions['writer'];
  /** Input limits (depth, sizes, compression ratio, records per object); defaults as for `ingest`. */
  limits?: IngestOptions['limits'];
  /** Where the summary line goes (default: stdout). */
  log?: (line: string) => void;
}

/** One S3 object named by a notification. */
export interface S3ObjectRef {
  bucket: string;
  /** The decoded key. */
  key: string;
  size?: number;
  sequencer?: string;
  eTag?: string;
}

/** What the handler does for one SQS message / S3 record / SNS record / EventBridge event. */
export interface NotificationMessage {
  /** SQS `messageId`, SNS `MessageId`, EventBridge `id`, or `s3://bucket/key` for direct S3 records. */
  id: string;
  objects: S3ObjectRef[];
  /** Why the message is not an S3 notification (it then fails). */
  error?: string;
}

export type LambdaTrigger = 'sqs' | 's3' | 'sns' | 'eventbridge';

export interface ParsedLambdaEvent {
  trigger: LambdaTrigger;
  messages: NotificationMessage[];
  /** Skipped notifications by reason (`test-event`, `not-object-created`, `directory-marker`). */
  skipped: Record<string, number>;
}

/** The JSON line logged per invocation. */
export interface LambdaSummary {
  type: 'ocsf-lake.lambda';
  requestId?: string;
  trigger: LambdaTrigger;
  messages: number;
  messagesFailed: number;
  objects: number;
  objectsFailed: number;
  skipped: Record<string, number>;
  recordsIn: number;
  events: number;
  failures: number;
  filtered: number;
  /** Records whose objects stay uncommitted (their messages fail, and the retry redoes them). */
  recordsNotStored: number;
  files: number;
  bytesIn: number;
  bytesOut: number;
  balanced: boolean;
  failuresByReason: Record<string, number>;
  filteredByReason: Record<string, number>;
  eventsBySource: Record<string, number>;
  /** Why messages failed (at most 20): message id (as in `batchItemFailures`), object, reason, detail. */
  errors: { id: string; object?: string; reason: string; detail: string }[];
  /** Problems that did not fail a message (collection status, dead-letter clean-up). */
  warnings: string[];
  elapsedMs: number;
}

/** Thrown by asynchronous deliveries (S3, SNS, EventBridge) when an object failed, so Lambda retries the event. */
export class LambdaIngestError extends Error {
  override name = 'LambdaIngestError';
  constructor(readonly summary: LambdaSummary) {
    super(`ocsf-lake: ${summary.messagesFailed} of ${summary.messages} notifications failed: ${summary.errors.map((e) => `${e.object ?? e.id}: ${e.reason}`).join('; ')}`);
  }
}

// ─── event parsing ───────────────────────────────────────────────────────────

/** Decodes a key of an S3 event notification (form-URL-encoded: `+` is a space). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, '%20'));
}

/** Reads the S3 objects out of any supported Lambda event; throws for an event of another kind. */
export function parseLambdaEvent(event: unknown): ParsedLambdaEvent {
  const skipped: Record<string, number> = {};
  if (isObject(event) && Array.isArray(event.Records)) {
    const messages: NotificationMessage[] = [];
    let trigger: LambdaTrigger | undefined;
    event.Records.forEach((r: unknown, i: number) => {
      if (isObject(r) && r.eventSource === 'aws:sqs') {
        trigger ??= 'sqs';
        messages.push(fromBody(typeof r.messageId === 'string' ? r.messageId : `record-${i}`, r.body, skipped));
      } else if (isObject(r) && r.EventSource === 'aws:sns' && isObject(r.Sns)) {
        trigger ??= 'sns';
        messages.push(fromBody(typeof r.Sns.MessageId === 'string' ? r.Sns.MessageId : `record-${i}`, r.Sns.Message, skipped));
      } else if (isObject(r) && r.eventSource === 'aws:s3') {
        trigger ??= 's3';
        const m: NotificationMessage = { id: `record-${i}`, objects: [] };
        collectNotification({ Records: [r] }, m, skipped, 0);
        if (m.objects.length === 1) m.id = `s3://${m.objects[0]!.bucket}/${m.objects[0]!.key}`;
        messages.push(m);
      } else {
        throw new Error(`ocsf-lake lambda: record ${i} is not an SQS, SNS or S3 record`);
      }
    });
    return { trigger: trigger ?? 'sqs', messages, skipped };
  }
  if (isObject(event) && event.source === 'aws.s3' && typeof event['detail-type'] === 'string') {
    const m: NotificationMessage = { id: typeof event.id === 'string' ? event.id : 'event', objects: [] };
    collectNotification(event, m, skipped, 0);
    return { trigger: 'eventbridge', messages: [m], skipped };
  }
  throw new Error('ocsf-lake lambda: not an S3, SQS, SNS or EventBridge event');
}

function fromBody(id: string, body: unknown, skipped: Record<string, number>): NotificationMessage {
  const m: NotificationMessage = { id, objects: [] };
  collectNotification(body, m, skipped, 0);
  return m;
}

/** Adds the objects of a notification (a JSON string, an SNS envelope, an S3 event or an EventBridge event). */
function collectNotification(value: unknown, m: NotificationMessage, skipped: Record<string, number>, depth: number): void {
  const bad = (why: string) => void (m.error ??= why);
  if (depth > 4) return bad('notification nested too deeply');
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return bad('message body is not JSON');
    }
    return collectNotification(parsed, m, skipped, depth + 1);
  }
  if (!isObject(value)) return bad('message body is not a JSON object');
  if (value.Type === 'Notification' && typeof value.Message === 'string') return collectNotification(value.Message, m, skipped, depth + 1);
  if (value.Event === 's3:TestEvent') return void count(skipped, 'test-event');
  if (Array.isArray(value.Records)) {
    for (const r of value.Records) {
      if (!isObject(r) || r.eventSource !== 'aws:s3' || !isObject(r.s3)) return bad('a record is not an S3 event record');
      if (typeof r.eventName !== 'string' || !r.eventName.startsWith('ObjectCreated:')) {
        count(skipped, 'not-object-created');
        continue;
      }
      const bucket = (r.s3.bucket as { name?: unknown } | undefined)?.name;
      const o = r.s3.object as { key?: unknown; size?: unknown; sequencer?: unknown; eTag?: unknown } | undefined;
      if (typeof bucket !== 'string' || typeof o?.key !== 'string') return bad('an S3 record has no bucket name or object key');
      let key: string;
      try {
        key = decodeS3Key(o.key);
      } catch {
        return bad(`undecodable object key ${JSON.stringify(o.key)}`);
      }
      addObject(m, skipped, { bucket, key, size: o.size, sequencer: o.sequencer, eTag: o.eTag });
    }
    return;
  }
  if (value.source === 'aws.s3' && typeof value['detail-type'] === 'string') {
    if (value['detail-type'] !== 'Object Created') return void count(skipped, 'not-object-created');
    const d = isObject(value.detail) ? value.detail : {};
    const bucket = (d.bucket as { name?: unknown } | undefined)?.name;
    const o = d.object as { key?: unknown; size?: unknown; sequencer?: unknown; etag?: unknown } | undefined;
    if (typeof bucket !== 'string' || typeof o?.key !== 'string') return bad('an EventBridge S3 event has no bucket name or object key');
    return addObject(m, skipped, { bucket, key: o.key, size: o.size, sequencer: o.sequencer, eTag: o.etag });
  }
  bad('message is not an S3 event notification');
}

function addObject(m: NotificationMessage, skipped: Record<string, number>, o: { bucket: string; key: string; size: unknown; sequencer: unknown; eTag: unknown }): void {
  if (o.key.endsWith('/')) return void count(skipped, 'directory-marker');
  m.objects.push({
    bucket: o.bucket,
    key: o.key,
    ...(typeof o.size === 'number' ? { size: o.size } : {}),
    ...(typeof o.sequencer === 'string' ? { sequencer: o.sequencer } : {}),
    ...(typeof o.eTag === 'string' ? { eTag: o.eTag } : {}),
  });
}

function count(o: Record<string, number>, k: string): void {
  o[k] = (o[k] ?? 0) + 1;
}

// ─── the handler ─────────────────────────────────────────────────────────────

/** Lake folders written by ocsf-lake itself: notifications for them are never ingested. */
const LAKE_DIRS = ['aws/', 'ext/', 'dlq/', '_ocsf_lake/'];
/** Dead-letter reasons whose records a retry of the message ingests again. */
const RETRIED_REASONS = new Set(['object-missing', 'read-error']);
const MAX_ERRORS = 20;

interface ObjectOutcome {
  result?: IngestResult;
  failure?: { reason: string; detail: string };
}

/** Creates a handler for the given configuration (validated here, at cold start). */
export function createLambdaHandler(opts: LambdaHandlerOptions): LambdaHandler {
  if (!isS3Url(opts.out)) throw new Error(`ocsf-lake lambda: out must be s3://bucket/prefix, got ${JSON.stringify(opts.out)}`);
  const lake = parseS3Url(opts.out);
  const source = opts.source ?? 'auto';
  if (source.toLowerCase() !== 'auto') resolveSources(source);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const ttl = opts.configTtlMs ?? 60_000;
  const margin = opts.timeMarginMs ?? 10_000;
  const log = opts.log ?? ((line: string) => void process.stdout.write(line + '\n'));
  const lakeRoot = lake.prefix === '' ? '' : `${lake.prefix}/`;
  const base: IngestOptions = {
    out: opts.out,
    source,
    workers: 1,
    writer: { ...lambdaWriterDefaults(), ...opts.writer },
    ...(opts.sourceVersion !== undefined ? { sourceVersion: opts.sourceVersion } : {}),
    ...(opts.layout !== undefined ? { layout: opts.layout } : {}),
    ...(opts.validate !== undefined ? { validate: opts.validate } : {}),
    ...(opts.compression !== undefined ? { compression: opts.compression } : {}),
    ...(opts.context !== undefined ? { context: opts.context } : {}),
    ...(opts.options !== undefined ? { options: opts.options } : {}),
    ...(opts.s3 !== undefined ? { s3: opts.s3 } : {}),
    ...(opts.kmsKeyId !== undefined ? { kmsKeyId: opts.kmsKeyId } : {}),
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
  };
  // Reused by warm invocations: the client reading notified objects, and the lake's configuration.
  let client: S3Client | undefined;
  const s3 = () => (client ??= createS3Client(opts.s3));
  let config: { at: number; value: LakeCollection | undefined } | undefined;

  async function collection(): Promise<LakeCollection | undefined> {
    if (opts.lakeConfig === false) return undefined;
    if (config === undefined || Date.now() - config.at >= ttl) config = { at: Date.now(), value: await lakeCollection(opts.out, opts.s3, s3()) };
    return config.value;
  }

  async function ingestObject(ref: S3ObjectRef, doc: LakeCollection['document'] | undefined): Promise<ObjectOutcome> {
    const obj = s3Object(s3(), ref.bucket, ref.key, ref.size);
    let readError: unknown;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        yield await obj.read();
      } catch (err) {
        readError = err;
        throw err;
      }
    }
    let result: IngestResult;
    try {
      const identity = await identityOf(ref, obj.name);
      result = await ingest([{ name: obj.name, stream: body(), identity }], { ...base, ...(doc !== undefined ? { collection: doc } : {}) });
    } catch (err) {
      return { failure: { reason: 'ingest-error', detail: (err as Error).message } };
    }
    let failure: ObjectOutcome['failure'];
    if (readError !== undefined) {
      const missing = readError instanceof InputListingError && readError.reason === 'object-missing';
      failure = missing ? { reason: 'object-missing', detail: 'the object no longer exists (deleted since the notification?)' } : { reason: 'read-error', detail: (readError as Error).message };
    } else if (result.counts.recordsNotStored > 0 || result.warnings.length > 0) {
      // The object stays uncommitted in the ledger: the retry redoes it.
      const why = result.storeErrors[0] ?? result.dlqErrors[0] ?? result.warnings[0];
      failure = { reason: 'sink-error', detail: `${result.counts.recordsNotStored} records could not be stored${why ? `: ${why}` : ''}` };
    }
    return { result, ...(failure ? { failure } : {}) };
  }

  /**
   * What the ledger knows the object by: its ETag and size as S3 has them now (a HEAD request): a notification
   * may be for an earlier version of the key, and EventBridge and SNS deliveries of one object must agree.
   */
  async function identityOf(ref: S3ObjectRef, uri: string): Promise<InputIdentity> {
    // Unseen: the read that follows reports why.
    return (await headS3Object(s3(), ref.bucket, ref.key))?.identity ?? { uri };
  }


  /** Removes the dead letters a retry takes over; returns a warning when that fails. */
  async function dropRetriedDeadLetters(keys: readonly string[]): Promise<string | undefined> {
    const drop = keys.filter((k) => RETRIED_REASONS.has(k.split('/')[2] ?? ''));
    if (drop.length === 0) return undefined;
    try {
      const r = await s3().send(new DeleteObjectsCommand({ Bucket: lake.bucket, Delete: { Objects: drop.map((k) => ({ Key: lakeRoot + k })), Quiet: true } }));
      if (r.Errors && r.Errors.length > 0) return `dead-letter clean-up: ${r.Errors[0]!.Key}: ${r.Errors[0]!.Message}`;
    } catch (err) {
      return `dead-letter clean-up: ${(err as Error).message}`;
    }
    return undefined;
  }

  return async function ocsfLakeHandler(event, context) {
    const started = Date.now();
    const parsed = parseLambdaEvent(event);
    const counts = emptyCounts();
    const summary = newSummary(parsed, context?.awsRequestId);
    const failedMessages = new Map<string, LambdaSummary['errors'][number]>();
    const fail = (m: NotificationMessage, reason: string, detail: string, object?: string) => {
      if (!failedMessages.has(m.id)) failedMessages.set(m.id, { id: m.id, ...(object !== undefined ? { object } : {}), reason, detail });
    };

    const jobs: { m: NotificationMessage; ref: S3ObjectRef }[] = [];
    for (const m of parsed.messages) {
      if (m.error !== undefined) fail(m, 'invalid-notification', m.error);
      for (const ref of m.objects) {
        if (ref.bucket === lake.bucket && LAKE_DIRS.some((d) => ref.key.startsWith(lakeRoot + d))) count(summary.skipped, 'lake-output');
        else jobs.push({ m, ref });
      }
    }

    let doc: LakeCollection | undefined;
    if (jobs.length > 0) {
      try {
        doc = await collection();
      } catch (err) {
        for (const j of jobs) fail(j.m, 'config-error', `cannot read the lake configuration: ${(err as Error).message}`);
        jobs.length = 0;
      }
    }

    const done: { m: NotificationMessage; ref: S3ObjectRef; files: readonly WrittenFile[] }[] = [];
    await eachLimit(jobs, concurrency, async ({ m, ref }) => {
      const url = `s3://${ref.bucket}/${ref.key}`;
      if (failedMessages.has(m.id)) return; // the whole message is retried anyway
      const left = context?.getRemainingTimeInMillis?.();
      if (left !== undefined && left < margin) return fail(m, 'time-exhausted', `${left} ms left, not started`, url);
      summary.objects++;
      const r = await ingestObject(ref, doc?.document);
      if (r.result) mergeCounts(counts, r.result.counts);
      if (r.failure) {
        summary.objectsFailed++;
        fail(m, r.failure.reason, r.failure.detail, url);
        const w = r.result ? await dropRetriedDeadLetters(r.result.dlqFiles) : undefined;
        if (w) summary.warnings.push(w);
      } else done.push({ m, ref, files: r.result!.files });
    });

    if (doc !== undefined) {
      const ok = done.filter((d) => !failedMessages.has(d.m.id));
      if (ok.length > 0) {
        const ids = ok.map((d) => `${d.ref.bucket}/${d.ref.key}@${d.ref.sequencer ?? d.ref.eTag ?? ''}`).sort();
        const runId = 'lambda:' + createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32);
        try {
          await doc.record(ok.flatMap((d) => d.files), runId);
        } catch (err) {
          summary.warnings.push(`collection status: ${(err as Error).message}`);
        }
      }
    }

    fill(summary, counts, [...failedMessages.values()], started);
    log(JSON.stringify(summary));
    const batchItemFailures = parsed.messages.filter((m) => failedMessages.has(m.id)).map((m) => ({ itemIdentifier: m.id }));
    if (parsed.trigger !== 'sqs' && batchItemFailures.length > 0) throw new LambdaIngestError(summary);
    return { batchItemFailures };
  };
}

function newSummary(p: ParsedLambdaEvent, requestId: string | undefined): LambdaSummary {
  return {
    type: 'ocsf-lake.lambda',
    ...(requestId !== undefined ? { requestId } : {}),
    trigger: p.trigger,
    messages: p.messages.length,
    messagesFailed: 0,
    objects: 0,
    objectsFailed: 0,
    skipped: { ...p.skipped },
    recordsIn: 0,
    events: 0,
    failures: 0,
    filtered: 0,
    recordsNotStored: 0,
    files: 0,
    bytesIn: 0,
    bytesOut: 0,
    balanced: true,
    failuresByReason: {},
    filteredByReason: {},
    eventsBySource: {},
    errors: [],
    warnings: [],
    elapsedMs: 0,
  };
}

function fill(s: LambdaSummary, c: RunCounts, errors: LambdaSummary['errors'], started: number): void {
  s.messagesFailed = errors.length;
  s.recordsIn = c.recordsIn;
  s.events = c.eventsWritten;
  s.failures = c.failures;
  s.filtered = c.filtered;
  s.recordsNotStored = c.recordsNotStored;
  // A redelivered object the lake's ledger has already committed: a success that writes nothing.
  if (c.objectsSkipped > 0) s.skipped['already-ingested'] = (s.skipped['already-ingested'] ?? 0) + c.objectsSkipped;
  s.files = c.files;
  s.bytesIn = c.bytesIn;
  s.bytesOut = c.bytesOut;
  s.balanced = balanced(c);
  s.failuresByReason = c.failuresByReason;
  s.filteredByReason = c.filteredByReason;
  s.eventsBySource = c.eventsBySource;
  s.errors = errors.slice(0, MAX_ERRORS);
  s.elapsedMs = Date.now() - started;
}

async function eachLimit<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Writer settings for a function: no file is closed by age (a run lasts at most 15 minutes, and age-closed
 * files would get timing-dependent names), and the buffer budget is a quarter of the function's memory.
 */
function lambdaWriterDefaults(env: NodeJS.ProcessEnv = process.env): NonNullable<IngestOptions['writer']> {
  const mb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) / 4;
  return { maxAgeMs: 3_600_000, ...(mb > 0 ? { memoryBudgetBytes: Math.floor(Math.min(mb, 512) * 2 ** 20) } : {}) };
}

// ─── configuration from the environment ──────────────────────────────────────

/** The environment variables of {@link handler}, with what they mean. */
export const LAMBDA_ENV = {
  OCSF_LAKE_OUT: 'lake root, s3://bucket/prefix (required)',
  OCSF_LAKE_SOURCE: 'sourceName, family or auto (default auto: recognize each object by content)',
  OCSF_LAKE_SOURCE_VERSION: 'one source version for every source (default: latest, or what the lake configuration enables)',
  OCSF_LAKE_LAYOUT: 'auto (default), native or custom',
  OCSF_LAKE_VALIDATE: 'sample (default), off or all',
  OCSF_LAKE_SAMPLE_RATE: 'share of events validated with OCSF_LAKE_VALIDATE=sample (default 0.01)',
  OCSF_LAKE_COMPRESSION: 'zstd (default), gzip or snappy',
  OCSF_LAKE_KMS_KEY_ID: 'SSE-KMS key id or ARN for the objects written',
  OCSF_LAKE_REGION: 'region for records that carry none',
  OCSF_LAKE_ACCOUNT: 'account id for records that carry none',
  OCSF_LAKE_VPC_FORMAT: 'VPC flow log format string for files without a header',
  OCSF_LAKE_IGNORE_LAKE_CONFIG: 'true: ignore the source configuration stored in the lake root',
  OCSF_LAKE_CONFIG_TTL_SECONDS: 'how long a warm function reuses the lake configuration (default 60)',
  OCSF_LAKE_CONCURRENCY: 'objects ingested at the same time (default 1)',
  OCSF_LAKE_TIME_MARGIN_MS: 'do not start an object with less time left than this; its message is retried (default 10000)',
  OCSF_LAKE_MEMORY_BUDGET_MB: "writer buffer budget (default a quarter of the function's memory, at most 512)",
  OCSF_LAKE_S3_ENDPOINT: 'S3-compatible endpoint (tests, other stores)',
  OCSF_LAKE_S3_PATH_STYLE: 'true: path-style S3 addressing',
  OCSF_LAKE_MAX_DEPTH: 'deepest nesting of a record; deeper ones are dead-lettered as too-deep (default 100)',
  OCSF_LAKE_MAX_INPUT_BYTES: 'largest input object, decompressed (default 256MiB; bytes, or with KiB/MiB/GiB)',
  OCSF_LAKE_MAX_COMPRESSION_RATIO: 'largest decompressed ÷ compressed size of an object (default 200)',
  OCSF_LAKE_MAX_RECORD_BYTES: 'largest single record or line (default 32MiB; bytes, or with KiB/MiB/GiB)',
  OCSF_LAKE_MAX_RECORDS_PER_INPUT: 'most records read from one object (default 10000000)',
} as const;

/** `OCSF_LAKE_MAX_*` variable → {@link InputLimits} field. */
const LIMIT_ENV = {
  OCSF_LAKE_MAX_DEPTH: 'maxDepth',
  OCSF_LAKE_MAX_INPUT_BYTES: 'maxInputBytes',
  OCSF_LAKE_MAX_COMPRESSION_RATIO: 'maxCompressionRatio',
  OCSF_LAKE_MAX_RECORD_BYTES: 'maxRecordBytes',
  OCSF_LAKE_MAX_RECORDS_PER_INPUT: 'maxRecordsPerInput',
} as const satisfies Partial<Record<keyof typeof LAMBDA_ENV, keyof InputLimits>>;

/** Handler options from `OCSF_LAKE_*` variables (see {@link LAMBDA_ENV}); throws on a missing or invalid value. */
export function lambdaOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LambdaHandlerOptions {
  const get = (k: keyof typeof LAMBDA_ENV) => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const bad = (k: keyof typeof LAMBDA_ENV, v: string) => new Error(`ocsf-lake lambda: invalid ${k}=${JSON.stringify(v)} (${LAMBDA_ENV[k]})`);
  const flag = (k: keyof typeof LAMBDA_ENV) => {
    const v = get(k);
    if (v === undefined) return undefined;
    if (/^(true|1|yes)$/i.test(v)) return true;
    if (/^(false|0|no)$/i.test(v)) return false;
    throw bad(k, v);
  };
  const num = (k: keyof typeof LAMBDA_ENV, ok: (n: number) => boolean) => {
    const v = get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!ok(n)) throw bad(k, v);
    return n;
  };
  const out = get('OCSF_LAKE_OUT');
  if (out === undefined || !isS3Url(out)) throw new Error(`ocsf-lake lambda: OCSF_LAKE_OUT must be set to s3://bucket/prefix${out ? `, got ${JSON.stringify(out)}` : ''}`);
  const opts: LambdaHandlerOptions = { out };
  const source = get('OCSF_LAKE_SOURCE');
  if (source !== undefined) opts.source = source;
  const version = get('OCSF_LAKE_SOURCE_VERSION');
  if (version !== undefined) opts.sourceVersion = version;
  const layout = get('OCSF_LAKE_LAYOUT');
  if (layout !== undefined) {
    if (layout !== 'auto' && layout !== 'native' && layout !== 'custom') throw bad('OCSF_LAKE_LAYOUT', layout);
    opts.layout = layout;
  }
  const validate = get('OCSF_LAKE_VALIDATE') ?? 'sample';
  const rate = num('OCSF_LAKE_SAMPLE_RATE', (n) => n > 0 && n <= 1);
  if (validate === 'off' || validate === 'all') opts.validate = validate;
  else if (validate === 'sample') opts.validate = { sample: rate ?? 0.01 };
  else throw bad('OCSF_LAKE_VALIDATE', validate);
  const compression = get('OCSF_LAKE_COMPRESSION');
  if (compression !== undefined) {
    const c = compression.toUpperCase() as Compression;
    if (!COMPRESSIONS.includes(c)) throw bad('OCSF_LAKE_COMPRESSION', compression);
    opts.compression = c;
  }
  const kms = get('OCSF_LAKE_KMS_KEY_ID');
  if (kms !== undefined) opts.kmsKeyId = kms;
  const region = get('OCSF_LAKE_REGION');
  const account = get('OCSF_LAKE_ACCOUNT');
  if (region !== undefined || account !== undefined) opts.context = { ...(region ? { region } : {}), ...(account ? { accountId: account } : {}) };
  const vpcFormat = get('OCSF_LAKE_VPC_FORMAT');
  if (vpcFormat !== undefined) opts.options = { vpcFormat };
  if (flag('OCSF_LAKE_IGNORE_LAKE_CONFIG') === true) opts.lakeConfig = false;
  const ttl = num('OCSF_LAKE_CONFIG_TTL_SECONDS', (n) => n >= 0);
  if (ttl !== undefined) opts.configTtlMs = ttl * 1000;
  const conc = num('OCSF_LAKE_CONCURRENCY', (n) => Number.isInteger(n) && n >= 1);
  if (conc !== undefined) opts.concurrency = conc;
  const margin = num('OCSF_LAKE_TIME_MARGIN_MS', (n) => n >= 0);
  if (margin !== undefined) opts.timeMarginMs = margin;
  const budget = num('OCSF_LAKE_MEMORY_BUDGET_MB', (n) => n > 0);
  if (budget !== undefined) opts.writer = { memoryBudgetBytes: Math.floor(budget * 2 ** 20) };
  const endpoint = get('OCSF_LAKE_S3_ENDPOINT');
  const pathStyle = flag('OCSF_LAKE_S3_PATH_STYLE');
  if (endpoint !== undefined || pathStyle !== undefined) opts.s3 = { ...(endpoint ? { endpoint } : {}), ...(pathStyle !== undefined ? { forcePathStyle: pathStyle } : {}) };
  let limits: Partial<InputLimits> | undefined;
  for (const [k, key] of Object.entries(LIMIT_ENV) as [keyof typeof LIMIT_ENV, keyof InputLimits][]) {
    const v = get(k);
    if (v === undefined) continue;
    const n = parseLimit(v);
    if (n === undefined) throw bad(k, v);
    (limits ??= {})[key] = n;
  }
  if (limits !== undefined) {
    try {
      resolveLimits(limits);
    } catch (err) {
      if (!(err instanceof LimitError)) throw err;
      const k = (Object.keys(LIMIT_ENV) as (keyof typeof LIMIT_ENV)[]).find((e) => err.message.startsWith(`limits.${LIMIT_ENV[e]} `))!;
      throw new Error(`ocsf-lake lambda: ${err.message.replace(/^limits\.\w+/, k)}`);
    }
    opts.limits = limits;
  }
  return opts;
}

let fromEnv: LambdaHandler | undefined;

/**
 * The ready-made Lambda entry point, configured by `OCSF_LAKE_*` environment variables on its first call
 * (a function's code can be just `export { handler } from 'ocsf-lake';`).
 */
export const handler: LambdaHandler = (event, context) => (fromEnv ??= createLambdaHandler(lambdaOptionsFromEnv()))(event, context);
