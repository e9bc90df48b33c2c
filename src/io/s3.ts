/**
 * S3 client creation shared by the pipeline's S3 inputs, its sinks and the lake configuration store
 * (`parseS3Url` lives with the writer's S3 sink).
 */
import { S3Client } from '@aws-sdk/client-s3';

export { isS3Url } from './s3-url.js';

export interface S3ClientOptions {
  /** Region for the client (default: AWS_REGION, else us-east-1). */
  region?: string;
  /** Custom endpoint for S3-compatible stores (e.g. `http://127.0.0.1:4569`). */
  endpoint?: string;
  /** Path-style addressing (required by most S3-compatible stores). */
  forcePathStyle?: boolean;
  /** Static credentials (tests, S3-compatible stores); default: the SDK's provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request (SDK standard retry mode with backoff). */
  maxAttempts?: number;
}

/**
 * Creates an S3 client. With a custom endpoint, request checksums are only sent when required: S3-compatible
 * stores such as s3rver store aws-chunked framing verbatim otherwise (../shared/docs/stack.md §4).
 */
export function createS3Client(opts: S3ClientOptions = {}): S3Client {
  return new S3Client({
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.endpoint ? { endpoint: opts.endpoint, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    ...(opts.forcePathStyle !== undefined ? { forcePathStyle: opts.forcePathStyle } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    maxAttempts: opts.maxAttempts ?? 5,
  });
}
