/**
 * `s3://` URLs, without the AWS SDK: modules that only need to recognize or split a URL import this, so the SDK
 * (a large share of the install and of a worker's start-up) is loaded only by runs that use S3.
 */

/** True for `s3://...` strings. */
export function isS3Url(s: string): boolean {
  return s.startsWith('s3://');
}

/** `s3://bucket/prefix` → `{ bucket, prefix }`. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`not an s3://bucket/prefix URL: ${url}`);
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}
