/**
 * Input objects of an ingestion run: local files and directories (walked recursively, in sorted order), S3
 * prefixes (`s3://bucket/prefix`, listed page by page), Node streams and in-memory buffers. Objects are read
 * lazily, one at a time per worker, so memory follows the largest object, not the input size.
 *
 * Symbolic links inside directories are skipped unless `followSymlinks` is set (a path named as an input is
 * always followed, as `find -H` does); when followed, each real directory is walked once and each real file
 * read once, so a link cycle (`loop -> .`) neither repeats records nor runs forever.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { isS3Url, parseS3Url } from '../io/s3-url.js';
import type { RecordContext } from '../core/types.js';
import type { InputIdentity } from '../ledger/entry.js';

/** What a user can hand to `ingest()`: a path, a directory, an `s3://` URL, a stream or bytes. */
export type InputSource =
  | string
  | { name: string; stream: AsyncIterable<Uint8Array | string>; /** What the ledger knows it by (default: a hash of its bytes). */ identity?: InputIdentity }
  | { name: string; bytes: Uint8Array; context?: RecordContext };

export interface InputObject {
  /** Path, `s3://bucket/key`, or the name given with a stream. */
  name: string;
  /** Size in bytes when known before reading (for progress and ETA). */
  size?: number;
  /** Region/account read from an AWS delivery key (`AWSLogs/<account>/<service>/<region>/...`). */
  context: RecordContext;
  /** How another thread can read the object itself (absent: only `read()` on this thread can). */
  ref?: { kind: 'file'; path: string } | { kind: 's3'; bucket: string; key: string };
  /** What the ledger knows the object by (listings give it; streams get a content hash when read). */
  identity?: InputIdentity;
  /** Inputs redone together because their files are replaced: the entries they supersede, and the group's end. */
  group?: { id: number; supersedes: number[]; last: boolean };
  /** Replay: the lake-relative key of this dead-letter file, retired when its unit commits. */
  retire?: string;
  read(): Promise<Uint8Array>;
}

/** A listing problem (missing path, S3 listing error): accounted as one failed record by the pipeline. */
export class InputListingError extends Error {
  override name = 'InputListingError';
  constructor(
    readonly input: string,
    readonly reason: 'read-error' | 'object-missing',
    message: string,
  ) {
    super(message);
  }
}

// CloudTrail, VPC flow logs, Route 53 and other services deliver to
// `AWSLogs/[o-org/]<account>/<service>/<region>/YYYY/MM/DD/...`.
const AWS_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/[A-Za-z0-9_-]+\/([a-z]{2}(?:-gov)?-[a-z]+-\d)\//;

/** Region and account from an AWS delivery key, when the key follows that layout. */
export function contextFromKey(key: string): RecordContext {
  const m = AWS_KEY.exec(key);
  return m ? { accountId: m[1], region: m[2] } : {};
}

export interface ListOptions {
  s3Client?: S3Client;
  /** Skip files whose name matches (default: dot-files and `_SUCCESS`/`.crc` markers). */
  ignore?: RegExp;
  /** Follow symbolic links found inside input directories (default false: they are skipped). */
  followSymlinks?: boolean;
}

/** How a local walk goes: what to skip, and the real paths already listed (when links are followed). */
interface Walk {
  ignore: RegExp;
  seen?: Set<string>;
}

const DEFAULT_IGNORE = /(^|\/)(\.[^/]*|_SUCCESS|[^/]*\.crc)$/;

/** Expands the inputs into objects to read, in a deterministic order. */
export async function* listInputs(inputs: readonly InputSource[], opts: ListOptions = {}): AsyncGenerator<InputObject | InputListingError> {
  const ignore = opts.ignore ?? DEFAULT_IGNORE;
  const walk: Walk = { ignore, ...(opts.followSymlinks ? { seen: new Set<string>() } : {}) };
  for (const input of inputs) {
    if (typeof input !== 'string') {
      const name = input.name;
      if ('bytes' in input) {
        const bytes = input.bytes;
        yield { name, size: bytes.length, context: input.context ?? contextFromKey(name), read: async () => bytes };
      } else {
        const stream = input.stream;
        yield { name, context: contextFromKey(name), ...(input.identity ? { identity: input.identity } : {}), read: () => collect(stream) };
      }
    } else if (isS3Url(input)) {
      yield* listS3(input, opts.s3Client, ignore);
    } else if (input === '-') {
      yield { name: '-', context: {}, read: () => collect(process.stdin) };
    } else {
      yield* listLocal(input, walk);
    }
  }
}

async function* listLocal(path: string, walk: Walk): AsyncGenerator<InputObject | InputListingError> {
  let st;
  let entries;
  try {
    st = await stat(path);
    if (walk.seen) {
      const real = await realpath(path);
      if (walk.seen.has(real)) return;
      walk.seen.add(real);
    }
    if (!st.isDirectory()) {
      yield localObject(path, st.size, st.mtimeMs);
      return;
    }
    entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    yield new InputListingError(path, 'read-error', `cannot read ${path}: ${(err as Error).message}`);
    return;
  }
  for (const e of entries) {
    const child = join(path, e.name);
    if (walk.ignore.test(child)) continue;
    if (e.isDirectory() || e.isFile() || (e.isSymbolicLink() && walk.seen)) yield* listLocal(child, walk);
  }
}

async function* listS3(url: string, client: S3Client | undefined, ignore: RegExp): AsyncGenerator<InputObject | InputListingError> {
  if (!client) {
    yield new InputListingError(url, 'read-error', `no S3 client configured for ${url}`);
    return;
  }
  const { bucket, prefix } = parseS3Url(url);
  try {
    const { paginateListObjectsV2 } = await import('@aws-sdk/client-s3');
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        const key = o.Key!;
        if (key.endsWith('/') || ignore.test(key)) continue;
        yield s3Object(client, bucket, key, o.Size, o.ETag);
      }
    }
  } catch (err) {
    yield new InputListingError(url, 'read-error', `cannot list ${url}: ${(err as Error).message}`);
  }
}

/** A local file as an input object. */
export function localObject(path: string, size?: number, mtimeMs?: number): InputObject {
  const identity = { uri: pathToFileURL(resolve(path)).href, ...(size !== undefined ? { size } : {}), ...(mtimeMs !== undefined ? { mtimeMs } : {}) };
  return { name: path, size, context: contextFromKey(path), ref: { kind: 'file', path }, identity, read: () => readFile(path) };
}

/** An S3 object as an input object. */
export function s3Object(client: S3Client, bucket: string, key: string, size?: number, etag?: string): InputObject {
  const name = `s3://${bucket}/${key}`;
  const identity = { uri: name, ...(size !== undefined ? { size } : {}), ...(etag !== undefined ? { etag: etag.replace(/"/g, '') } : {}) };
  return { name, size, context: contextFromKey(key), ref: { kind: 's3', bucket, key }, identity, read: () => readS3Object(client, bucket, key) };
}

/** An S3 object as it is now (size and ETag from a HEAD request), or undefined when it cannot be seen. */
export async function headS3Object(client: S3Client, bucket: string, key: string): Promise<InputObject | undefined> {
  try {
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return s3Object(client, bucket, key, head.ContentLength, head.ETag);
  } catch {
    return undefined;
  }
}

/** Reads a whole S3 object; a key deleted since listing becomes an `object-missing` error. */
async function readS3Object(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  try {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await res.Body!.transformToByteArray();
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') {
      throw new InputListingError(`s3://${bucket}/${key}`, 'object-missing', `s3://${bucket}/${key} disappeared between listing and reading`);
    }
    throw err;
  }
}

async function collect(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return Buffer.concat(chunks);
}
