/**
 * S3 sink (also S3-compatible stores through a custom endpoint and path-style addressing). Files go up
 * through @aws-sdk/lib-storage `Upload`: one PutObject below the part size, otherwise a multipart upload
 * that is completed only when every part is in and aborted on any failure (by this sink, so that a failing
 * abort cannot mask the original cause), so a partial object is never visible. The SDK retries each request (5xx, throttling, dropped connections); on top of that a whole
 * file is retried with jittered backoff while the failure is transient. A permanent failure (403, missing
 * bucket, bad KMS key, ...) rejects with a {@link SinkError} naming the key and the cause.
 */
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createS3Client } from '../../io/s3.js';
import type { S3ClientOptions } from '../../io/s3.js';
import { assertSafeKey } from '../partition.js';
import { SinkError, withRetry } from './sink.js';
import type { LakeStore, RetryOptions, StoredObject } from './sink.js';

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

export interface S3Sink extends LakeStore {
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

  const sse = opts.kmsKeyId !== undefined ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: opts.kmsKeyId } : {};
  const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const missing = (err: unknown) => ['NoSuchKey', 'NotFound'].includes((err as Error).name) || status(err) === 404;
  function checked(key: string): string {
    try {
      assertSafeKey(key);
    } catch (err) {
      throw new SinkError(key, false, err);
    }
    return keyOf(key);
  }
  async function exists(fullKey: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: opts.bucket, Key: fullKey }));
      return true;
    } catch (err) {
      if (missing(err)) return false;
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
    async putIfAbsent(key, bytes) {
      const fullKey = checked(key);
      return withRetry(
        fullKey,
        async () => {
          try {
            await client.send(new PutObjectCommand({ Bucket: opts.bucket, Key: fullKey, Body: bytes, ContentLength: bytes.byteLength, IfNoneMatch: '*', ...sse }));
            return true;
          } catch (err) {
            // 412: the key exists; 409: a concurrent conditional write to the same key is in progress (S3
            // documents retrying it, and the retry then sees the winner's object as a 412).
            if (status(err) === 412 || (err as Error).name === 'PreconditionFailed') return false;
            if (status(err) === 409) throw Object.assign(new Error('ConditionalRequestConflict'), { $metadata: { httpStatusCode: 503 } });
            throw err;
          }
        },
        isTransientS3Error,
        opts.retry,
      );
    },
    async get(key) {
      const fullKey = checked(key);
      return withRetry(
        fullKey,
        async () => {
          try {
            const res = await client.send(new GetObjectCommand({ Bucket: opts.bucket, Key: fullKey }));
            return await res.Body!.transformToByteArray();
          } catch (err) {
            if (missing(err)) return undefined;
            throw err;
          }
        },
        isTransientS3Error,
        opts.retry,
      );
    },
    async list(p) {
      const base = checkedPrefix(p);
      const out: StoredObject[] = [];
      let token: string | undefined;
      do {
        const res = await withRetry(base, () => client.send(new ListObjectsV2Command({ Bucket: opts.bucket, Prefix: base, ContinuationToken: token })), isTransientS3Error, opts.retry);
        for (const o of res.Contents ?? []) out.push({ key: prefix === '' ? o.Key! : o.Key!.slice(prefix.length + 1), size: o.Size ?? 0 });
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async move(from, to) {
      const src = checked(from);
      const dst = checked(to);
      await withRetry(
        dst,
        async () => {
          try {
            await client.send(new CopyObjectCommand({ Bucket: opts.bucket, Key: dst, CopySource: encodeURI(`${opts.bucket}/${src}`), ...sse }));
          } catch (err) {
            // Already moved (a roll-forward after a crash, or a concurrent one): the target is there.
            if (missing(err) && (await exists(dst))) return;
            throw err;
          }
          await client.send(new DeleteObjectsCommand({ Bucket: opts.bucket, Delete: { Objects: [{ Key: src }], Quiet: true } }));
        },
        isTransientS3Error,
        opts.retry,
      );
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const Objects = keys.slice(i, i + 1000).map((k) => ({ Key: checked(k) }));
        const res = await withRetry(Objects[0]!.Key, () => client.send(new DeleteObjectsCommand({ Bucket: opts.bucket, Delete: { Objects, Quiet: true } })), isTransientS3Error, opts.retry);
        const e = res.Errors?.[0];
        if (e) throw new SinkError(e.Key ?? '', false, new Error(`${e.Code}: ${e.Message}`));
      }
    },
    async deleteFolder(p) {
      await this.delete((await this.list(p)).map((o) => o.key));
    },
    exists: (key) => withRetry(key, () => exists(checked(key)), isTransientS3Error, opts.retry),
    async close() {
      if (ownClient) client.destroy();
    },
  };

  function checkedPrefix(p: string): string {
    const rel = p.replace(/^\/+|\/+$/g, '');
    if (rel !== '') assertSafeKey(rel);
    const full = prefix === '' ? rel : rel === '' ? prefix : `${prefix}/${rel}`;
    return full === '' ? '' : `${full}/`;
  }
}
