/**
 * The Lambda handler invoked locally with AWS's event shapes (test/pipeline/lambda-events.ts) against a real S3
 * protocol server (s3rver on loopback): raw objects from the project's sample generator in a `raw` bucket, the
 * lake in a `lake` bucket. Every lake prefix below stays far under 1000 keys (s3rver paginates only with the
 * OpenSSL legacy provider, ../shared/docs/stack.md §4).
 */
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDataLake } from '../../src/lake/data-lake.js';
import { createLambdaHandler, decodeS3Key, handler, lambdaOptionsFromEnv, LambdaIngestError, parseLambdaEvent } from '../../src/pipeline/lambda.js';
import type { LambdaHandlerOptions, LambdaSummary } from '../../src/pipeline/lambda.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import type { SampleSource } from '../../src/samples/index.js';
import { startS3 } from '../lake/helpers.js';
import type { TestS3 } from '../lake/helpers.js';
import { startFaultProxy } from '../writer/fault-proxy.js';
import type { FaultProxy } from '../writer/fault-proxy.js';
import { eventBridgeEvent, s3Event, s3NotificationKey, s3Record, s3TestEvent, snsEnvelope, snsEvent, sqsEvent } from './lambda-events.js';

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** `aws/<SOURCE>/<version>/region=…/accountId=…/eventDay=…/<name>.parquet` under a lake prefix. */
const PARQUET_KEY = /^aws\/([A-Z0-9_]+)\/(\d+\.\d+)\/region=([a-z]{2}-[a-z]+-\d)\/accountId=(\d{12})\/eventDay=(\d{8})\/[0-9a-f]{32}\.parquet$/;

let s3: TestS3;
let proxy: FaultProxy;
/** Raw object keys by sample family, uploaded once. */
const raw: Record<string, string[]> = {};

async function put(bucket: string, key: string, body: Uint8Array | string): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body }));
}

async function keys(prefix: string): Promise<string[]> {
  const r = await s3.client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: `${prefix}/`, MaxKeys: 1000 }));
  expect(r.IsTruncated ?? false).toBe(false);
  return (r.Contents ?? []).map((c) => c.Key!.slice(prefix.length + 1)).sort();
}

async function getBytes(bucket: string, key: string): Promise<Uint8Array> {
  const r = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return r.Body!.transformToByteArray();
}

function arrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** A handler on lake prefix `prefix` whose summary lines are captured. */
function lambda(prefix: string, extra: Partial<LambdaHandlerOptions> = {}, endpoint = s3.endpoint) {
  const lines: string[] = [];
  const h = createLambdaHandler({
    out: `s3://lake/${prefix}`,
    s3: { endpoint, forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 2 },
    validate: 'all',
    log: (l) => lines.push(l),
    ...extra,
  });
  return { h, lines, summary: (): LambdaSummary => JSON.parse(lines.at(-1)!) as LambdaSummary };
}

const ref = (key: string) => ({ bucket: 'raw', key });
const balancedOf = (s: LambdaSummary) => s.recordsIn === s.events + s.failures + s.filtered;

beforeAll(async () => {
  s3 = await startS3();
  await s3.client.send(new CreateBucketCommand({ Bucket: 'raw' }));
  proxy = await startFaultProxy(s3.endpoint);
  const families: [SampleSource, number][] = [
    ['cloudtrail', 60],
    ['vpc_flow', 20],
    ['security_hub', 20],
  ];
  for (const [family, n] of families) {
    raw[family] = [];
    for (const f of generateSampleFiles(family, n, { perFile: 20, seed: 7 })) {
      await put('raw', f.name, f.bytes);
      raw[family].push(f.name);
    }
  }
});

afterAll(async () => {
  await proxy?.close();
  await s3?.close();
});

describe('event parsing', () => {
  it('decodes S3 notification keys (form-URL-encoding, + for a space), with or without encoded slashes', () => {
    expect(decodeS3Key('AWSLogs/my+logs/a%2Bb%3A1.json.gz')).toBe('AWSLogs/my logs/a+b:1.json.gz');
    const key = 'manual uploads/trail+copy:1 (2).json.gz';
    for (const encodeSlash of [false, true]) {
      const rec = s3Record({ bucket: 'raw', key }, { encodeSlash });
      const p = parseLambdaEvent({ Records: [rec] });
      expect(p.trigger).toBe('s3');
      expect(p.messages).toEqual([{ id: `s3://raw/${key}`, objects: [expect.objectContaining({ bucket: 'raw', key, size: 1024 })] }]);
    }
    expect(s3NotificationKey(key)).toBe('manual+uploads/trail%2Bcopy%3A1+(2).json.gz');
  });

  it('reads S3 events from SQS bodies, SNS envelopes, SNS records and EventBridge events; skips test and non-create events', () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/a b.json.gz';
    const p = parseLambdaEvent(
      sqsEvent([
        { id: 'direct', body: s3Event([ref(key)]) },
        { id: 'sns', body: snsEnvelope(s3Event([ref(key)])) },
        { id: 'eventbridge', body: eventBridgeEvent(ref(key)) },
        { id: 'test', body: s3TestEvent('raw') },
        { id: 'sns-test', body: snsEnvelope(s3TestEvent('raw')) },
        { id: 'removed', body: s3Event([{ ...ref(key), eventName: 'ObjectRemoved:Delete' }]) },
        { id: 'marker', body: s3Event([ref('folder/')]) },
        { id: 'garbage', body: 'not json' },
        { id: 'other', body: { hello: 'world' } },
      ]),
    );
    expect(p.trigger).toBe('sqs');
    const byId = Object.fromEntries(p.messages.map((m) => [m.id, m]));
    for (const id of ['direct', 'sns', 'eventbridge']) expect(byId[id]!.objects.map((o) => o.key)).toEqual([key]);
    for (const id of ['test', 'sns-test', 'removed', 'marker']) expect(byId[id]).toEqual({ id, objects: [] });
    expect(p.skipped).toEqual({ 'test-event': 2, 'not-object-created': 1, 'directory-marker': 1 });
    expect(byId.garbage!.error).toMatch(/not JSON/);
    expect(byId.other!.error).toMatch(/not an S3 event notification/);

    const sns = parseLambdaEvent(snsEvent(s3Event([ref(key)])));
    expect(sns.trigger).toBe('sns');
    expect(sns.messages[0]!.objects[0]!.key).toBe(key);

    // EventBridge keys are not URL-encoded: a `+` stays a `+`.
    const eb = parseLambdaEvent(eventBridgeEvent(ref('uploads/a+b c.json.gz')));
    expect(eb).toMatchObject({ trigger: 'eventbridge', messages: [{ objects: [{ bucket: 'raw', key: 'uploads/a+b c.json.gz' }] }] });
    expect(parseLambdaEvent(eventBridgeEvent(ref('x.json.gz'), 'Object Deleted')).skipped).toEqual({ 'not-object-created': 1 });

    expect(() => parseLambdaEvent({ detail: {} })).toThrow(/not an S3, SQS, SNS or EventBridge event/);
    expect(() => parseLambdaEvent({ Records: [{ eventSource: 'aws:kinesis' }] })).toThrow(/record 0/);
  });
});

describe('Lambda handler against s3rver', () => {
  it('SQS batch: writes the lake, reports exactly the message whose object vanished, dead-letters bad records without failing', async () => {
    const { h, lines, summary } = lambda('sqs');
    const objects = [...raw.cloudtrail!, ...raw.vpc_flow!, ...raw.security_hub!];
    await put('raw', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/gone.json.gz', await getBytes('raw', raw.cloudtrail![0]!));
    await put('raw', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/garbage.json.gz', 'this is not gzip, nor JSON\n');
    // Deleted between the notification and its processing.
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'raw', Key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/gone.json.gz' }));
    const event = sqsEvent([
      ...objects.map((k, i) => ({ id: `msg-${i}`, body: i % 2 === 0 ? s3Event([ref(k)]) : snsEnvelope(s3Event([ref(k)])) })),
      { id: 'msg-test', body: s3TestEvent('raw') },
      { id: 'msg-gone', body: s3Event([ref('AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/gone.json.gz')]) },
      { id: 'msg-garbage', body: s3Event([ref('AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/garbage.json.gz')]) },
    ]);

    const res = await h(event, { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 600_000 });
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-gone' }] });

    expect(lines).toHaveLength(1);
    const s = summary();
    expect(s).toMatchObject({ type: 'ocsf-lake.lambda', requestId: 'req-1', trigger: 'sqs', messages: objects.length + 3, messagesFailed: 1, objects: objects.length + 2, objectsFailed: 1, skipped: { 'test-event': 1 }, balanced: true });
    expect(balancedOf(s)).toBe(true);
    expect(s.failuresByReason['object-missing']).toBe(1);
    expect(s.failuresByReason['not-gzip']).toBe(1);
    expect(s.errors).toEqual([{ id: 'msg-gone', object: 's3://raw/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/gone.json.gz', reason: 'object-missing', detail: expect.any(String) }]);
    expect(s.events).toBeGreaterThan(80);

    const all = await keys('sqs');
    const parquet = all.filter((k) => k.endsWith('.parquet'));
    expect(parquet.length).toBe(s.files);
    for (const k of parquet) expect(k).toMatch(PARQUET_KEY);
    const sources = new Set(parquet.map((k) => PARQUET_KEY.exec(k)![1]));
    for (const src of ['CLOUD_TRAIL_MGMT', 'VPC_FLOW', 'SH_FINDINGS']) expect(sources).toContain(src);
    // The bad record is in the lake's dead-letter; the missing object's entry was taken back (the retry owns it).
    const dlq = all.filter((k) => k.startsWith('dlq/'));
    expect(dlq.some((k) => k.includes('/not-gzip/'))).toBe(true);
    expect(dlq.some((k) => k.includes('/object-missing/'))).toBe(false);

    // Row counts of the files add up to the events reported.
    let rows = 0;
    for (const k of parquet) rows += Number(parquetMetadata(arrayBuffer(await getBytes('lake', `sqs/${k}`))).num_rows);
    expect(rows).toBe(s.events);

    // One file read back in full: its rows belong to the partition its path names.
    const trailKey = parquet.find((k) => k.startsWith('aws/CLOUD_TRAIL_MGMT/'))!;
    const [, , version, region, accountId, eventDay] = PARQUET_KEY.exec(trailKey)!;
    expect(accountId).toBe('111122223333'); // from the AWSLogs/<account>/ key: CloudTrail records carry no cloud.account
    const data = await parquetReadObjects({ file: arrayBuffer(await getBytes('lake', `sqs/${trailKey}`)), compressors });
    expect(data.length).toBeGreaterThan(0);
    for (const row of data as Record<string, any>[]) {
      expect([3001, 3002, 3003, 3004, 3005, 6003]).toContain(row.class_uid);
      expect(row.cloud.region).toBe(region);
      expect(row.metadata.product.name).toBe('CloudTrail');
      expect(row.metadata.version.startsWith(version === '2.0' ? '1.1' : '1.0')).toBe(true);
      const t = row.time instanceof Date ? row.time.getTime() : Number(row.time);
      expect(new Date(t).toISOString().slice(0, 10).replace(/-/g, '')).toBe(eventDay);
    }
  });

  it('re-delivering the same messages writes nothing: the ledger has the objects', async () => {
    const { h, summary } = lambda('redeliver');
    const objects = [raw.cloudtrail![0]!, raw.vpc_flow![0]!, raw.security_hub![0]!];
    const event = sqsEvent(objects.map((k, i) => ({ id: `m${i}`, body: s3Event([ref(k)]) })));
    expect(await h(event)).toEqual({ batchItemFailures: [] });
    const first = await keys('redeliver');
    const firstSummary = summary();
    expect(first.filter((k) => k.endsWith('.parquet'))).toHaveLength(firstSummary.files);

    // The same objects arriving again in another batch, in another order, ingested three at a time.
    const second = lambda('redeliver', { concurrency: 3 });
    const again = sqsEvent([
      { id: 'n0', body: s3Event([ref(objects[1]!)]) },
      { id: 'n1', body: snsEnvelope(s3Event([ref(objects[0]!)])) },
      { id: 'n2', body: s3Event([ref(objects[2]!)]) },
    ]);
    expect(await second.h(again)).toEqual({ batchItemFailures: [] });
    expect(second.summary()).toMatchObject({ files: 0, events: 0, recordsIn: 0, balanced: true, skipped: { 'already-ingested': 3 } });
    expect(await keys('redeliver')).toEqual(first);
  });

  it('direct S3 and EventBridge deliveries (URL-encoded key with spaces and +); a failure throws so Lambda retries', async () => {
    const key = 'manual uploads/trail+copy 1.json.gz';
    await put('raw', key, await getBytes('raw', raw.cloudtrail![1]!));
    const { h, summary } = lambda('direct');
    expect(await h(s3Event([ref(key)]), { awsRequestId: 'r-s3' })).toEqual({ batchItemFailures: [] });
    const s = summary();
    expect(s).toMatchObject({ trigger: 's3', messages: 1, objects: 1, messagesFailed: 0 });
    expect(s.events).toBeGreaterThan(0);
    const written = await keys('direct');
    expect(written.filter((k) => k.endsWith('.parquet'))).toHaveLength(s.files);

    // EventBridge names the same object (key not encoded): the ledger has it, nothing is written again.
    expect(await h(eventBridgeEvent(ref(key)))).toEqual({ batchItemFailures: [] });
    expect(summary()).toMatchObject({ trigger: 'eventbridge', objects: 1, files: 0, events: 0, skipped: { 'already-ingested': 1 } });
    expect(await keys('direct')).toEqual(written);

    // SNS → Lambda, object gone: the invocation fails as a whole.
    const err = await h(snsEvent(s3Event([ref('manual uploads/never there.json.gz')]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LambdaIngestError);
    expect((err as LambdaIngestError).summary).toMatchObject({ trigger: 'sns', messagesFailed: 1, errors: [{ reason: 'object-missing', object: 's3://raw/manual uploads/never there.json.gz' }] });
    expect((err as Error).message).toMatch(/never there/);
  });

  it("honours the lake's source configuration and records collection status once per delivery", async () => {
    const root = 's3://lake/configured';
    const dl = openDataLake({ root, s3Client: s3.client });
    await dl.createDataLake({ regions: ['us-east-1', 'us-east-2'] });
    await dl.createAwsLogSource({ sources: [{ sourceName: 'CLOUD_TRAIL_MGMT', regions: ['us-east-1'] }] });
    const trail = raw.cloudtrail!.filter((k) => /\/(us-east-1|us-east-2)\//.test(k));
    expect(trail).toHaveLength(2);
    const { h, summary } = lambda('configured', { configTtlMs: 0 });
    const event = sqsEvent(trail.map((k, i) => ({ id: `c${i}`, body: s3Event([ref(k)]) })));
    expect(await h(event)).toEqual({ batchItemFailures: [] });
    const s = summary();
    expect(balancedOf(s)).toBe(true);
    expect(s.filtered).toBeGreaterThan(0);
    expect(Object.keys(s.filteredByReason).some((r) => r.startsWith('region-not-enabled') || r.startsWith('source-not-enabled'))).toBe(true);
    const parquet = (await keys('configured')).filter((k) => k.endsWith('.parquet'));
    expect(parquet.length).toBeGreaterThan(0);
    for (const k of parquet) expect(k).toMatch(/^aws\/CLOUD_TRAIL_MGMT\/2\.0\/region=us-east-1\/accountId=111122223333\//);

    const status = async () => {
      const r = await dl.getDataLakeSources({ accounts: ['111122223333'] });
      const src = r.dataLakeSources.find((d) => d.sourceName === 'CLOUD_TRAIL_MGMT')!;
      return src.sourceStatuses.find((x) => x.region === 'us-east-1')!;
    };
    expect(await status()).toMatchObject({ status: 'COLLECTING', eventCount: s.events });
    // A redelivery of the same batch is not counted twice.
    expect(await h(event)).toEqual({ batchItemFailures: [] });
    expect((await status()).eventCount).toBe(s.events);
  });

  it('a sink failure fails only the message whose events could not be written', async () => {
    proxy.reset();
    // Staged files of VPC flow logs are refused (units write under the lake's staging folder until they commit).
    proxy.rule = ({ op, key }) =>
      (op === 'PutObject' || op === 'CreateMultipartUpload') && key.startsWith('faulty/_ocsf_lake/staging/') && key.includes('/aws/VPC_FLOW/') ? { status: 403, code: 'AccessDenied' } : undefined;
    try {
      const { h, summary } = lambda('faulty', {}, proxy.endpoint);
      const event = sqsEvent([
        { id: 'ok', body: s3Event([ref(raw.security_hub![0]!)]) },
        { id: 'denied', body: s3Event([ref(raw.vpc_flow![0]!)]) },
      ]);
      expect(await h(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'denied' }] });
      const s = summary();
      expect(s.errors).toEqual([{ id: 'denied', object: `s3://raw/${raw.vpc_flow![0]}`, reason: 'sink-error', detail: expect.stringMatching(/could not be stored.*AccessDenied/) }]);
      // Never reported as success: the VPC object's records are not stored, and it stays uncommitted.
      expect(s.recordsNotStored).toBeGreaterThan(0);
      expect(s.balanced).toBe(false);
      expect(s.recordsIn).toBe(s.events + s.failures + s.filtered + s.recordsNotStored);
      const all = await keys('faulty');
      expect(all.some((k) => k.startsWith('aws/SH_FINDINGS/'))).toBe(true);
      expect(all.some((k) => k.startsWith('aws/VPC_FLOW/'))).toBe(false);
      expect(all.some((k) => k.startsWith('dlq/'))).toBe(false);
      expect(all.some((k) => k.startsWith('_ocsf_lake/staging/'))).toBe(false);

      // The retry, once the store accepts the files again, ingests the VPC object and skips the other.
      proxy.reset();
      expect(await h(event)).toEqual({ batchItemFailures: [] });
      expect(summary()).toMatchObject({ balanced: true, recordsNotStored: 0, skipped: { 'already-ingested': 1 } });
      expect((await keys('faulty')).some((k) => k.startsWith('aws/VPC_FLOW/'))).toBe(true);
    } finally {
      proxy.reset();
    }
  });

  it('an unreadable lake configuration fails every message (the batch is retried rather than ingested unfiltered)', async () => {
    proxy.reset();
    proxy.rule = ({ op, key }) => (op === 'GetObject' && key.startsWith('cfgerr/_ocsf_lake/') ? { status: 403, code: 'AccessDenied' } : undefined);
    try {
      const { h, summary } = lambda('cfgerr', {}, proxy.endpoint);
      const event = sqsEvent([
        { id: 'a', body: s3Event([ref(raw.security_hub![0]!)]) },
        { id: 'b', body: s3Event([ref(raw.vpc_flow![0]!)]) },
      ]);
      expect(await h(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }] });
      expect(summary()).toMatchObject({ objects: 0, messagesFailed: 2, errors: [{ reason: 'config-error' }, { reason: 'config-error' }] });
      expect(await keys('cfgerr')).toEqual([]);
    } finally {
      proxy.reset();
    }
  });

  it('leaves objects it cannot start in time to a retry, fails bodies that are not notifications, and ignores its own output', async () => {
    const { h, summary } = lambda('late');
    const event = sqsEvent([
      { id: 'late', body: s3Event([ref(raw.cloudtrail![0]!)]) },
      { id: 'junk', body: '{"not":"a notification"}' },
      { id: 'loop', body: s3Event([{ bucket: 'lake', key: 'late/aws/CLOUD_TRAIL_MGMT/2.0/region=us-east-1/accountId=111122223333/eventDay=20240314/x.parquet' }]) },
    ]);
    expect(await h(event, { getRemainingTimeInMillis: () => 3_000 })).toEqual({ batchItemFailures: [{ itemIdentifier: 'late' }, { itemIdentifier: 'junk' }] });
    const s = summary();
    expect(s).toMatchObject({ objects: 0, recordsIn: 0, skipped: { 'lake-output': 1 } });
    expect(s.errors.map((e) => e.reason).sort()).toEqual(['invalid-notification', 'time-exhausted']);
    expect(await keys('late')).toEqual([]);
  });
});

describe('configuration from the environment', () => {
  it('reads OCSF_LAKE_* variables and rejects invalid ones by name', () => {
    expect(
      lambdaOptionsFromEnv({
        OCSF_LAKE_OUT: 's3://lake/prefix',
        OCSF_LAKE_SOURCE: 'CLOUD_TRAIL_MGMT',
        OCSF_LAKE_SOURCE_VERSION: '2.0',
        OCSF_LAKE_VALIDATE: 'sample',
        OCSF_LAKE_SAMPLE_RATE: '0.5',
        OCSF_LAKE_COMPRESSION: 'snappy',
        OCSF_LAKE_IGNORE_LAKE_CONFIG: 'true',
        OCSF_LAKE_CONFIG_TTL_SECONDS: '5',
        OCSF_LAKE_CONCURRENCY: '2',
        OCSF_LAKE_MEMORY_BUDGET_MB: '64',
        OCSF_LAKE_REGION: 'us-east-1',
        OCSF_LAKE_S3_ENDPOINT: 'http://127.0.0.1:1',
        OCSF_LAKE_S3_PATH_STYLE: 'true',
      }),
    ).toEqual({
      out: 's3://lake/prefix',
      source: 'CLOUD_TRAIL_MGMT',
      sourceVersion: '2.0',
      validate: { sample: 0.5 },
      compression: 'SNAPPY',
      lakeConfig: false,
      configTtlMs: 5000,
      concurrency: 2,
      writer: { memoryBudgetBytes: 64 * 2 ** 20 },
      context: { region: 'us-east-1' },
      s3: { endpoint: 'http://127.0.0.1:1', forcePathStyle: true },
    });
    expect(() => lambdaOptionsFromEnv({})).toThrow(/OCSF_LAKE_OUT/);
    expect(() => lambdaOptionsFromEnv({ OCSF_LAKE_OUT: './lake' })).toThrow(/OCSF_LAKE_OUT/);
    expect(() => lambdaOptionsFromEnv({ OCSF_LAKE_OUT: 's3://lake/p', OCSF_LAKE_VALIDATE: 'some' })).toThrow(/OCSF_LAKE_VALIDATE/);
    expect(() => lambdaOptionsFromEnv({ OCSF_LAKE_OUT: 's3://lake/p', OCSF_LAKE_CONCURRENCY: '0' })).toThrow(/OCSF_LAKE_CONCURRENCY/);
    expect(() => createLambdaHandler({ out: 's3://lake/p', source: 'NOT_A_SOURCE' })).toThrow();
  });

  it('input limits come from OCSF_LAKE_MAX_* (checked as the CLI checks --max-*) and reach the ingestion', async () => {
    const env = {
      OCSF_LAKE_OUT: 's3://lake/limits',
      OCSF_LAKE_MAX_DEPTH: '1',
      OCSF_LAKE_MAX_INPUT_BYTES: '64MiB',
      OCSF_LAKE_MAX_COMPRESSION_RATIO: '50',
      OCSF_LAKE_MAX_RECORD_BYTES: '512KiB',
      OCSF_LAKE_MAX_RECORDS_PER_INPUT: '1000',
    };
    const { limits } = lambdaOptionsFromEnv(env);
    expect(limits).toEqual({ maxDepth: 1, maxInputBytes: 64 * 2 ** 20, maxCompressionRatio: 50, maxRecordBytes: 512 * 1024, maxRecordsPerInput: 1000 });
    expect(lambdaOptionsFromEnv({ OCSF_LAKE_OUT: 's3://lake/p' }).limits).toBeUndefined();
    expect(() => lambdaOptionsFromEnv({ ...env, OCSF_LAKE_MAX_DEPTH: 'deep' })).toThrow(/invalid OCSF_LAKE_MAX_DEPTH="deep"/);
    expect(() => lambdaOptionsFromEnv({ ...env, OCSF_LAKE_MAX_RECORD_BYTES: '-1' })).toThrow(/OCSF_LAKE_MAX_RECORD_BYTES/);
    // In range as the CLI's limits are: at most 512 MiB decompressed (V8's longest string), depth 1 at least.
    expect(() => lambdaOptionsFromEnv({ ...env, OCSF_LAKE_MAX_INPUT_BYTES: '1GiB' })).toThrow(/OCSF_LAKE_MAX_INPUT_BYTES must be an integer from 1 to/);
    expect(() => lambdaOptionsFromEnv({ ...env, OCSF_LAKE_MAX_DEPTH: '0' })).toThrow(/OCSF_LAKE_MAX_DEPTH must be an integer from 1 to/);

    // Every CloudTrail record holds objects (userIdentity), so nests deeper than 1 level: all are dead-lettered as too-deep.
    const { h, summary } = lambda('limits', { limits });
    expect(await h(s3Event([ref(raw.cloudtrail![2]!)]))).toEqual({ batchItemFailures: [] });
    const s = summary();
    expect(s.recordsIn).toBeGreaterThan(0);
    expect(s).toMatchObject({ events: 0, failures: s.recordsIn, failuresByReason: { 'too-deep': s.recordsIn }, balanced: true });
  });

  it('the ready-made handler is configured from the environment and logs one JSON line to stdout', async () => {
    const env = { OCSF_LAKE_OUT: 's3://lake/env', OCSF_LAKE_S3_ENDPOINT: s3.endpoint, OCSF_LAKE_S3_PATH_STYLE: 'true', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      const res = await handler(sqsEvent([{ id: 'e1', body: s3Event([ref(raw.security_hub![0]!)]) }, { id: 'e2', body: s3TestEvent('raw') }]), { awsRequestId: 'env-1' });
      expect(res).toEqual({ batchItemFailures: [] });
    } finally {
      spy.mockRestore();
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const lines = out.join('').split('\n').filter((l) => l.startsWith('{"type":"ocsf-lake.lambda"'));
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]!) as LambdaSummary;
    expect(s).toMatchObject({ requestId: 'env-1', messages: 2, objects: 1, skipped: { 'test-event': 1 }, balanced: true });
    expect(s.events).toBeGreaterThan(0);
    expect((await keys('env')).filter((k) => k.endsWith('.parquet'))).toHaveLength(s.files);
  });
});
