/**
 * S3 sink (also S3-compatible stores through a custom endpoint and path-style addressing). Files go up
 * through @aws-sdk/lib-storage `Upload`: one PutObject below the part size, otherwise a multipart upload
 * that is completed only when every part is in and aborted on any failure (by this sink, so that a failing
 * abort cannot mask the original cause), so a partial object is never visible. The SDK retries each request (5xx, throttling, dropped connections); on top of that a whole
 * file is retried with jittered backoff while the failure is transient. A permanent failure (403, missing
 * bucket, bad KMS key, ...) rejects with a {@link SinkError} naming the key and the cause.
 */
import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3Client } from '../../io/s3.js';
import type { S3ClientOptions } from '../../io/s3.js';
import { assertSafeKey } from '../partition.js';
import { SinkError, withRetry } from './sink.js';
import type { RetryOptions, Sink } from './sink.js';

export interface S3SinkOptions {
  bucket: string;
  /** Key prefix of the lake root, without leading or trailing `/` (e.g. `lake` or `team/lake`). */
  prefix?: string;
  /**
   * A ready client; otherwise one is made by `createS3Client` from `client` options (region, custom
   * `endpoint` with `forcePathStyle` for S3-compatible stores, credentials, SDK `maxAttempts`).
   */
  client?: S3Client | S3ClientOptions;
  /** SSE-KMS key id or ARN: objects are written with `aws:kms` server-side encryption under this key. */
  kmsKeyId?: string;
  /** Multipart part size (default and minimum 5 MiB). */
  partSize?: number;
  /** Parts uploaded in parallel per file (default 4). */
  queueSize?: number;
  /** Whole-file retries on transient failures, on top of the SDK's per-request retries. */
  retry?: RetryOptions;
}

export { parseS3Url } from '../../io/s3-url.js';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
]);

/** Whether an S3 failure may go away on its own (5xx, 408/429, throttling, dropped connection). */
export function isTransientS3Error(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400) return status >= 500 || status === 408 || status === 429;
  const code = (err as { code?: string }).code;
  if (code && NETWORK_CODES.has(code)) return true;
  if (TRANSIENT_NAMES.has(err.name)) return true;
  // lib-storage wraps nothing, but the SDK may put the socket error in `cause`.
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error && cause !== err) return isTransientS3Error(cause);
  return /socket hang up|ECONNRESET|EPIPE|premature close|aborted/i.test(err.message);
}

export interface S3Sink extends Sink {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  /** The full S3 key of a lake-relative key. */
  keyOf(key: string): string;
}

export function createS3Sink(opts: S3SinkOptions): S3Sink {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(opts.bucket)) throw new Error(`invalid bucket name ${JSON.stringify(opts.bucket)}`);
  const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '') assertSafeKey(prefix);
  const given = opts.client !== undefined && typeof (opts.client as S3Client).send === 'function' ? (opts.client as S3Client) : undefined;
  const client = given ?? createS3Client((opts.client as S3ClientOptions | undefined) ?? {});
  const ownClient = given === undefined;
  const partSize = Math.max(opts.partSize ?? 5 << 20, 5 << 20);
  const keyOf = (key: string) => (prefix === '' ? key : `${prefix}/${key}`);

  async function putOnce(fullKey: string, chunks: readonly Uint8Array[], bytes: number): Promise<void> {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Uint8Array[], bytes);
    // leavePartsOnError: we abort ourselves, so that a failing abort cannot hide the real cause.
    const upload = new Upload({
      client,
      partSize,
      queueSize: opts.queueSize ?? 4,
      leavePartsOnError: true,
      params: {
        Bucket: opts.bucket,
        Key: fullKey,
        Body: body,
        ContentLength: bytes,
        ContentType: 'application/vnd.apache.parquet',
        ...(opts.kmsKeyId !== undefined ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: opts.kmsKeyId } : {}),
      },
    });
    try {
      await upload.done();
    } catch (err) {
      if (upload.uploadId !== undefined) {
        try {
          await client.send(new AbortMultipartUploadCommand({ Bucket: opts.bucket, Key: fullKey, UploadId: upload.uploadId }));
        } catch (abortError) {
          // The parts stay invisible (never a visible object); a bucket lifecycle rule for incomplete
          // multipart uploads reclaims them.
          if (err instanceof Error) (err as Error & { abortError?: unknown }).abortError = abortError;
        }
      }
      throw err;
    }
  }

  return {
    url: `s3://${opts.bucket}${prefix === '' ? '' : '/' + prefix}`,
    client,
    bucket: opts.bucket,
    prefix,
    keyOf,
    async put(key, chunks, bytes) {
      try {
        assertSafeKey(key);
      } catch (err) {
        throw new SinkError(key, false, err);
      }
      const fullKey = keyOf(key);
      await withRetry(fullKey, () => putOnce(fullKey, chunks, bytes), isTransientS3Error, opts.retry);
    },
    async close() {
      if (ownClient) client.destroy();
    },
  };
}
