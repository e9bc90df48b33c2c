/**
 * The S3 sink and the writer against a real S3 protocol server (s3rver on loopback, settings of
 * ../shared/docs/stack.md §4), with a fault-injecting proxy between the SDK and the server.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createValidator } from '../../src/validate/index.js';
import { readParquetEvents } from '../../src/writer/read.js';
import { createS3Sink, isTransientS3Error, parseS3Url } from '../../src/writer/sinks/s3.js';
import type { S3SinkOptions } from '../../src/writer/sinks/s3.js';
import { SinkError } from '../../src/writer/sinks/sink.js';
import { createLakeWriter, FlushError } from '../../src/writer/writer.js';
import { startS3 } from '../lake/helpers.js';
import type { TestS3 } from '../lake/helpers.js';
import { startFaultProxy } from './fault-proxy.js';
import type { FaultProxy } from './fault-proxy.js';
import { customEvent, customSource, DAY0, generateEvents, testSource, TEST_SOURCE } from './fixtures.js';
import { lakeScan, query } from './helpers.js';

let s3: TestS3;
let proxy: FaultProxy;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy(s3.endpoint);
  tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-s3-'));
});
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => proxy.reset());

function sinkVia(prefix: string, extra: Partial<S3SinkOptions> = {}) {
  return createS3Sink({
    bucket: 'lake',
    prefix,
    client: { endpoint: proxy.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 3 },
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
}

async function keys(prefix: string): Promise<string[]> {
  const r = await s3.client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: prefix }));
  return (r.Contents ?? []).map((c) => c.Key!).sort();
}

async function getBytes(key: string): Promise<Uint8Array> {
  const r = await s3.client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
  return r.Body!.transformToByteArray();
}

/** Copies every object under a prefix to a local folder (DuckDB here has no httpfs to read S3 directly). */
async function mirror(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmp, 'mirror-'));
  for (const k of await keys(prefix)) {
    const p = join(dir, k.slice(prefix.length + 1));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, await getBytes(k));
  }
  return dir;
}

const ops = () => proxy.log.map((l) => `${l.op}${l.part ? `#${l.part}` : ''}:${l.outcome}`);

describe('S3 sink', () => {
  it('parses s3:// URLs', () => {
    expect(parseS3Url('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(() => parseS3Url('s3://x')).toThrow();
  });

  it('writes both layouts of the writer to S3; DuckDB reads them back with hive partitioning', async () => {
    const w = createLakeWriter({ sink: sinkVia('lake1'), sources: [testSource, customSource], tickMs: 0 });
    const gen = generateEvents(400, { seed: 40 });
    for (const g of gen) expect(w.write(g.event, { source: TEST_SOURCE, sourceVersion: '2.0', context: g.context })).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(w.write(customEvent(i, DAY0 + i), { source: 'ACME_LOGINS', sourceVersion: '1.0', context: { region: 'us-west-2', accountId: '123456789012', input: 'a', line: i } })).toBeUndefined();
    const { files } = await w.close();
    const listed = await keys('lake1/');
    expect(listed).toEqual(files.map((f) => `lake1/${f.key}`).sort());
    expect(listed.filter((k) => k.startsWith('lake1/aws/TEST_TRAIL/2.0/region=')).length).toBe(12);
    expect(listed.filter((k) => k.startsWith('lake1/ext/ACME_LOGINS/1.0/region=us-west-2/accountId=123456789012/eventDay=20240301/')).length).toBe(1);
    expect(ops().every((o) => o === 'PutObject:200')).toBe(true); // small files: one PUT each, nothing else
    const local = await mirror('lake1');
    const [c] = await query(`select count(*)::INTEGER n, count(distinct region)::INTEGER r, count(distinct eventday)::INTEGER d from ${lakeScan(local, 'aws/**/*.parquet')}`);
    expect(c).toEqual({ n: 400, r: 3, d: 2 });
    const [x] = await query(`select count(*)::INTEGER n, min(accountid) a from ${lakeScan(local, 'ext/**/*.parquet')}`);
    expect(x).toEqual({ n: 50, a: '123456789012' });
    const validator = createValidator();
    for (const k of listed) for (const row of readParquetEvents(await getBytes(k)).rows()) expect(validator.validate(row).errors).toEqual([]);
  });

  it('uploads a file above the part size as a multipart upload, completed only when whole', async () => {
    const sink = sinkVia('mp');
    const body = randomBytes(12 << 20);
    await sink.put('aws/X/2.0/big.parquet', [body.subarray(0, 3 << 20), body.subarray(3 << 20)], body.length);
    expect(ops()).toEqual(['CreateMultipartUpload:200', 'UploadPart#1:200', 'UploadPart#2:200', 'UploadPart#3:200', 'CompleteMultipartUpload:200']);
    expect(Buffer.from(await getBytes('mp/aws/X/2.0/big.parquet')).equals(body)).toBe(true);
  });

  it('retries 500/503 responses and dropped connections, and the object arrives intact', async () => {
    const sink = sinkVia('retry');
    const seen = new Map<string, number>();
    proxy.rule = ({ op, part }) => {
      const k = `${op}#${part ?? ''}`;
      const c = (seen.get(k) ?? 0) + 1;
      seen.set(k, c);
      if (op === 'PutObject' && c === 1) return { status: 503, code: 'SlowDown' };
      if (op === 'PutObject' && c === 2) return 'drop';
      if (op === 'UploadPart' && part === 2 && c <= 2) return { status: 500, code: 'InternalError' };
      if (op === 'UploadPart' && part === 1 && c === 1) return 'drop';
      if (op === 'CompleteMultipartUpload' && c === 1) return { status: 503, code: 'ServiceUnavailable' };
      return undefined;
    };
    const small = randomBytes(1000);
    await sink.put('a/small.parquet', [small], small.length);
    expect(ops()).toEqual(['PutObject:503', 'PutObject:dropped', 'PutObject:200']);
    proxy.log.length = 0;
    const big = randomBytes(11 << 20);
    await sink.put('a/big.parquet', [big], big.length);
    const log = ops();
    expect(log.filter((o) => o.startsWith('UploadPart#2'))).toEqual(['UploadPart#2:500', 'UploadPart#2:500', 'UploadPart#2:200']);
    expect(log.filter((o) => o.startsWith('UploadPart#1'))).toEqual(['UploadPart#1:dropped', 'UploadPart#1:200']);
    expect(log.filter((o) => o.startsWith('CreateMultipartUpload'))).toEqual(['CreateMultipartUpload:200']); // the SDK retried requests; one upload
    expect(log).toContain('CompleteMultipartUpload:503');
    expect(log.at(-1)).toBe('CompleteMultipartUpload:200');
    expect(Buffer.from(await getBytes('retry/a/small.parquet')).equals(small)).toBe(true);
    expect(Buffer.from(await getBytes('retry/a/big.parquet')).equals(big)).toBe(true);
  });

  it('aborts a multipart upload that cannot finish: no partial object is ever visible', async () => {
    const sink = sinkVia('abort', { retry: { attempts: 2, baseDelayMs: 5 } });
    proxy.rule = ({ op, part }) => (op === 'UploadPart' && part === 2 ? { status: 500, code: 'InternalError' } : undefined);
    const big = randomBytes(11 << 20);
    const err = await sink.put('aws/X/2.0/region=us-east-1/f.parquet', [big], big.length).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect(err).toMatchObject({ key: 'abort/aws/X/2.0/region=us-east-1/f.parquet', transient: true, attempts: 2 });
    expect((err as Error).message).toMatch(/InternalError.*HTTP 500/);
    // s3rver 3.7.1 answers AbortMultipartUpload with 405 (not implemented); the sink reports it beside the real cause
    expect((err as Error).message).toMatch(/aborting the multipart upload failed too: MethodNotAllowed/);
    const log = ops();
    expect(log.filter((o) => o === 'CreateMultipartUpload:200').length).toBe(2); // one per whole-file attempt
    expect(log.filter((o) => o.startsWith('AbortMultipartUpload')).length).toBe(2);
    expect(log.some((o) => o.startsWith('CompleteMultipartUpload'))).toBe(false);
    expect(await keys('abort/')).toEqual([]);
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: 'lake', Key: 'abort/aws/X/2.0/region=us-east-1/f.parquet' }))).rejects.toMatchObject({ name: 'NotFound' });

    // the completion itself failing: aborted too, nothing visible
    proxy.log.length = 0;
    proxy.rule = ({ op }) => (op === 'CompleteMultipartUpload' ? 'drop' : undefined);
    await expect(sink.put('aws/X/2.0/g.parquet', [big], big.length)).rejects.toBeInstanceOf(SinkError);
    expect(ops().filter((o) => o.startsWith('AbortMultipartUpload')).length).toBe(2);
    expect(await keys('abort/')).toEqual([]);
  });

  it('fails the flush on a permanent error with the key and the cause, keeps the rows, and writes them on a later flush', async () => {
    proxy.rule = ({ op }) => (op === 'PutObject' ? { status: 403, code: 'AccessDenied' } : undefined);
    const w = createLakeWriter({ sink: sinkVia('perm'), sources: [testSource], tickMs: 0 });
    const gen = generateEvents(60, { seed: 41, days: 1 });
    for (const g of gen) w.write(g.event, { source: TEST_SOURCE, sourceVersion: '2.0', context: g.context });
    const err = (await w.flush().catch((e: unknown) => e)) as FlushError;
    expect(err).toBeInstanceOf(FlushError);
    expect(err.failures.length).toBe(6);
    expect(err.failures[0]!.key).toMatch(/^aws\/TEST_TRAIL\/2\.0\/region=/);
    expect(err.failures[0]!.cause.message).toMatch(/^perm\/aws\/TEST_TRAIL\/2\.0\/.*AccessDenied.*HTTP 403/);
    expect((err.failures[0]!.cause as SinkError).transient).toBe(false);
    expect(ops().filter((o) => o === 'PutObject:403').length).toBe(6); // not retried: permanent
    expect(err.failures.reduce((n, f) => n + f.rows, 0)).toBe(60);
    expect(await keys('perm/')).toEqual([]);
    proxy.rule = () => undefined;
    const ok = await w.close();
    expect(ok.files.map((f) => f.key).sort()).toEqual(err.failures.map((f) => f.key).sort());
    const [c] = await query(`select count(*)::INTEGER n from ${lakeScan(await mirror('perm'))}`);
    expect(c!.n).toBe(60);
  });

  it('sends SSE-KMS headers when a KMS key id is configured', async () => {
    const sink = sinkVia('kms', { kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
    await sink.put('k.parquet', [new Uint8Array([1, 2, 3])], 3);
    const put = proxy.log.find((l) => l.op === 'PutObject')!;
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  it('classifies errors as transient or permanent', () => {
    const http = (status: number) => Object.assign(new Error('x'), { $metadata: { httpStatusCode: status } });
    expect([500, 502, 503, 429, 408].map((s) => isTransientS3Error(http(s)))).toEqual([true, true, true, true, true]);
    expect([400, 403, 404, 409].map((s) => isTransientS3Error(http(s)))).toEqual([false, false, false, false]);
    expect(isTransientS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientS3Error(Object.assign(new Error('no creds'), { name: 'CredentialsProviderError' }))).toBe(false);
  });
});
