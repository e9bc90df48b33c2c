/**
 * Where the data lake keeps its small JSON documents (the configuration and the collection status),
 * with compare-and-swap writes so that concurrent updaters never lose a change.
 *
 * - {@link LocalConfigStore}: each document is a directory of immutable revision files
 *   `<root>/_ocsf_lake/<key>/<revision>.json`. A write creates revision N+1 by writing a temporary
 *   file, fsyncing it and `link()`ing it to its final name: `link` fails with EEXIST when another writer
 *   created N+1 first, which is the compare-and-swap. Readers take the highest revision. No lock file,
 *   so a crashed process never blocks the others. Old revisions are pruned, but only when
 *   {@link KEEP_REVISIONS} newer ones exist AND the file is older than `retentionMs` (10 min); a
 *   writer whose read is older than `maxWriteDelayMs` (1 min) gives up that attempt and re-reads. So a
 *   revision number a writer is about to create can never have existed and been pruned in between
 *   (which would let a stale write "succeed"): pruning it needs `retentionMs` to pass after it was
 *   created, which is after the writer's read. Delta Lake's log uses the same put-if-absent + retention
 *   scheme.
 * - {@link S3ConfigStore}: each document is one object `<prefix>/_ocsf_lake/<key>.json`, written with
 *   `PutObject` and `IfMatch: <ETag read>` (or `IfNoneMatch: "*"` when it did not exist); S3 answers
 *   412 PreconditionFailed or 409 ConditionalRequestConflict when someone else wrote in between.
 *
 * {@link updateDocument} is the retry loop on top of either store: read, apply a pure mutation, write
 * conditionally, and on conflict re-read and re-apply, with jittered exponential backoff.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, link, unlink, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientOptions } from '../io/s3.js';
import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  ResourceNotFoundException,
  SecurityLakeException,
  ThrottlingException,
} from './errors.js';

/** Name of the folder (local) or key prefix (S3) under the lake root that holds the documents. */
export const CONFIG_DIR = '_ocsf_lake';
/** Revisions kept per document by the local store. */
export const KEEP_REVISIONS = 16;

/** One stored document and the opaque token a conditional write must present. */
export interface StoredDocument {
  text: string;
  /** Local: `<revision>@<read time>`; S3: the ETag. */
  token: string;
}

/** A key-value store of small text documents with conditional (compare-and-swap) writes. */
export interface ConfigStore {
  /** `file:///abs/path` or `s3://bucket/prefix`, for messages. */
  readonly location: string;
  /** The current document, or undefined when it was never written. */
  get(key: string): Promise<StoredDocument | undefined>;
  /**
   * Writes `text` only if the stored document still has token `expected` (`undefined`: only if the
   * document does not exist). Resolves to the new token, or `undefined` when the condition failed.
   */
  put(key: string, text: string, expected: string | undefined): Promise<string | undefined>;
  /** Keys directly under `prefix` (e.g. `status/` lists `status/<account>`), sorted. */
  list(prefix: string): Promise<string[]>;
}

const KEY_RE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
function checkKey(key: string): void {
  if (!KEY_RE.test(key) || key.split('/').some((p) => p === '.' || p === '..')) {
    throw new InternalServerException(`invalid document key ${JSON.stringify(key)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Local directory

const REV_RE = /^(\d{12})\.json$/;
const revName = (n: number) => `${String(n).padStart(12, '0')}.json`;

export interface LocalStoreOptions {
  /** A revision file is pruned only once it is older than this (default 10 minutes). */
  retentionMs?: number;
  /** A write based on a read older than this is refused as a conflict and retried (default 1 minute). */
  maxWriteDelayMs?: number;
}

export class LocalConfigStore implements ConfigStore {
  readonly root: string;
  readonly location: string;
  private readonly retentionMs: number;
  private readonly maxWriteDelayMs: number;

  constructor(root: string, opts: LocalStoreOptions = {}) {
    this.root = resolve(root);
    this.location = `file://${this.root}`;
    this.retentionMs = opts.retentionMs ?? 600_000;
    this.maxWriteDelayMs = opts.maxWriteDelayMs ?? 60_000;
  }

  private dir(key: string): string {
    checkKey(key);
    return join(this.root, CONFIG_DIR, ...key.split('/'));
  }

  private async revisions(dir: string): Promise<number[]> {
    const names = await readdirOrEmpty(dir);
    const revs: number[] = [];
    for (const n of names) {
      const m = REV_RE.exec(n);
      if (m) revs.push(Number(m[1]));
    }
    return revs.sort((a, b) => a - b);
  }

  async get(key: string): Promise<StoredDocument | undefined> {
    const dir = this.dir(key);
    // The highest revision can be pruned between readdir and readFile only after KEEP_REVISIONS newer
    // commits; then list again.
    for (let attempt = 0; attempt < 100; attempt++) {
      const revs = await this.revisions(dir);
      const top = revs.at(-1);
      if (top === undefined) return undefined;
      try {
        const text = await readFile(join(dir, revName(top)), 'utf8');
        // Token: the revision and when it was read (this process's monotonic clock).
        return { text, token: `${top}@${performance.now()}` };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(err, dir);
      }
    }
    throw new InternalServerException(`cannot read a stable revision of ${dir}`);
  }

  async put(key: string, text: string, expected: string | undefined): Promise<string | undefined> {
    const dir = this.dir(key);
    let next = 1;
    if (expected !== undefined) {
      const m = /^(\d+)@([\d.]+)$/.exec(expected);
      if (!m) throw new InternalServerException(`invalid revision token ${expected}`);
      if (performance.now() - Number(m[2]) > this.maxWriteDelayMs) return undefined; // too old: re-read
      next = Number(m[1]) + 1;
    }
    try {
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      const target = join(dir, revName(next));
      let linked = true;
      try {
        await link(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        linked = false;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      if (!linked) return undefined;
      await syncDir(dir);
      if (next % 4 === 0) await this.prune(dir, next);
      return `${next}@${performance.now()}`;
    } catch (err) {
      if (err instanceof SecurityLakeException) throw err;
      throw fsError(err, dir);
    }
  }

  /** Removes revisions at least KEEP_REVISIONS behind `top` and older than `retentionMs`, and stale temp files. */
  private async prune(dir: string, top: number): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const cutoff = Date.now() - this.retentionMs;
    for (const n of names) {
      const m = REV_RE.exec(n);
      const old = m ? Number(m[1]) <= top - KEEP_REVISIONS : n.startsWith('.tmp-');
      if (!old) continue;
      const st = await stat(join(dir, n)).catch(() => undefined);
      if (st && st.mtimeMs < cutoff) await unlink(join(dir, n)).catch(() => undefined);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const p = prefix.replace(/\/+$/, '');
    const dir = p === '' ? join(this.root, CONFIG_DIR) : this.dir(p);
    const names = await readdirOrEmpty(dir);
    return names
      .filter((n) => !n.startsWith('.') && KEY_RE.test(n))
      .map((n) => (p === '' ? n : `${p}/${n}`))
      .sort();
  }
}

/** Makes a new directory entry durable (best effort: not every platform can fsync a directory). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

function fsError(err: unknown, path: string): SecurityLakeException {
  const code = (err as NodeJS.ErrnoException).code;
  const msg = `${path}: ${(err as Error).message}`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new AccessDeniedException(msg, code, { cause: err });
  return new InternalServerException(msg, { cause: err });
}

// ---------------------------------------------------------------------------------------------------
// S3

/** Splits `s3://bucket/prefix/` into bucket and prefix (no leading or trailing slash). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m || m[1] === '') throw new InternalServerException(`not an s3:// URI: ${uri}`);
  return { bucket: m[1]!, prefix: m[2]!.replace(/^\/+|\/+$/g, '') };
}

export class S3ConfigStore implements ConfigStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly location: string;

  private clientPromise: Promise<S3Client> | undefined;

  /**
   * `client`: an S3Client, or a factory called on first use (so that the AWS SDK is loaded only when
   * an S3 lake is used).
   */
  constructor(
    private readonly client: S3Client | (() => Promise<S3Client>),
    uri: string,
  ) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.location = `s3://${bucket}${prefix ? '/' + prefix : ''}`;
  }

  private objectKey(key: string): string {
    checkKey(key);
    return `${this.prefix ? this.prefix + '/' : ''}${CONFIG_DIR}/${key}.json`;
  }

  private async s3(): Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> {
    this.clientPromise ??= typeof this.client === 'function' ? this.client() : Promise.resolve(this.client);
    const [client, sdk] = await Promise.all([this.clientPromise, import('@aws-sdk/client-s3')]);
    return { client, sdk };
  }

  async get(key: string): Promise<StoredDocument | undefined> {
    const Key = this.objectKey(key);
    try {
      const { client, sdk } = await this.s3();
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }));
      const text = await res.Body!.transformToString('utf8');
      if (!res.ETag) throw new InternalServerException(`s3://${this.bucket}/${Key}: GetObject returned no ETag`);
      return { text, token: res.ETag };
    } catch (err) {
      if (s3Code(err) === 'NoSuchKey' || (httpStatus(err) === 404 && s3Code(err) !== 'NoSuchBucket')) return undefined;
      throw s3Error(err, this.bucket, Key);
    }
  }

  async put(key: string, text: string, expected: string | undefined): Promise<string | undefined> {
    const Key = this.objectKey(key);
    try {
      const { client, sdk } = await this.s3();
      const res = await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: Buffer.from(text, 'utf8'),
          ContentType: 'application/json',
          ...(expected === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected }),
        }),
      );
      if (!res.ETag) throw new InternalServerException(`s3://${this.bucket}/${Key}: PutObject returned no ETag`);
      return res.ETag;
    } catch (err) {
      const status = httpStatus(err);
      const code = s3Code(err);
      // 412: the ETag no longer matches (or the object now exists); 409: a concurrent conditional write.
      if (status === 412 || status === 409 || code === 'PreconditionFailed' || code === 'ConditionalRequestConflict') return undefined;
      throw s3Error(err, this.bucket, Key);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const p = prefix.replace(/\/+$/, '');
    const base = `${this.prefix ? this.prefix + '/' : ''}${CONFIG_DIR}/${p ? p + '/' : ''}`;
    const keys: string[] = [];
    let token: string | undefined;
    try {
      const { client, sdk } = await this.s3();
      do {
        const res = await client.send(
          new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, Delimiter: '/', ContinuationToken: token }),
        );
        for (const o of res.Contents ?? []) {
          const name = o.Key!.slice(base.length);
          if (name.endsWith('.json')) keys.push(`${p ? p + '/' : ''}${name.slice(0, -5)}`);
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw s3Error(err, this.bucket, base);
    }
    return keys.sort();
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
function s3Code(err: unknown): string | undefined {
  return (err as { name?: string; Code?: string }).Code ?? (err as { name?: string }).name;
}

function s3Error(err: unknown, bucket: string, key: string): SecurityLakeException {
  if (err instanceof SecurityLakeException) return err;
  const status = httpStatus(err);
  const code = s3Code(err) ?? 'Error';
  const msg = `s3://${bucket}/${key}: ${code}: ${(err as Error).message}`;
  if (status === 403 || code === 'AccessDenied') return new AccessDeniedException(msg, code, { cause: err });
  if (code === 'NoSuchBucket') return new ResourceNotFoundException(msg, { resourceName: bucket, resourceType: 'Bucket' }, { cause: err });
  if (status === 429 || code === 'SlowDown' || code === 'Throttling') {
    return new ThrottlingException(msg, { serviceCode: 's3' }, { cause: err });
  }
  return new InternalServerException(msg, { cause: err });
}

// ---------------------------------------------------------------------------------------------------
// Store selection and the compare-and-swap loop

/**
 * `s3://bucket/prefix` → {@link S3ConfigStore} (with `s3Client`, else a client made by `createS3Client`
 * from `src/io/s3.ts` with `s3Options`, on first use); anything else → {@link LocalConfigStore}.
 */
export function openConfigStore(root: string, s3Client?: S3Client, s3Options?: S3ClientOptions): ConfigStore {
  if (root.startsWith('s3://')) {
    return new S3ConfigStore(s3Client ?? (async () => (await import('../io/s3.js')).createS3Client(s3Options)), root);
  }
  return new LocalConfigStore(root);
}

export interface UpdateOptions<D> {
  /** Attempts before giving up with a ConflictException (default 64). */
  maxAttempts?: number;
  /** Called on every lost race (for tests and metrics). */
  onConflict?: (attempt: number) => void;
  /** Applied to a changed document just before it is written (e.g. bump `revision`, set `updatedAt`). */
  stamp?: (doc: D) => void;
}

/**
 * Read-modify-write with compare-and-swap. `mutate` receives a fresh copy of the current document
 * (or `init()` when none exists), changes it in place and returns a result. The document is written
 * only when the mutation changed it. `mutate` must be a pure function of the document because it is
 * re-applied after every lost race; errors it throws propagate without retry.
 */
export async function updateDocument<D, R>(
  store: ConfigStore,
  key: string,
  init: () => D,
  mutate: (doc: D) => R,
  opts: UpdateOptions<D> = {},
): Promise<{ doc: D; result: R; written: boolean }> {
  const maxAttempts = opts.maxAttempts ?? 64;
  for (let attempt = 1; ; attempt++) {
    const cur = await store.get(key);
    const doc = cur ? parseDocument<D>(cur.text, store, key) : init();
    const before = JSON.stringify(doc);
    const result = mutate(doc);
    if (JSON.stringify(doc) === before) return { doc, result, written: false };
    opts.stamp?.(doc);
    const token = await store.put(key, JSON.stringify(doc, null, 1) + '\n', cur?.token);
    if (token !== undefined) return { doc, result, written: true };
    opts.onConflict?.(attempt);
    if (attempt >= maxAttempts) {
      throw new ConflictException(
        `${store.location}/${CONFIG_DIR}/${key}: lost ${attempt} compare-and-swap races to concurrent writers; retry with backoff`,
        { resourceName: key, resourceType: key.startsWith('status/') ? 'CollectionStatus' : 'DataLakeConfiguration' },
      );
    }
    const cap = Math.min(250, 2 * 2 ** Math.min(attempt, 7));
    await new Promise((r) => setTimeout(r, Math.random() * cap));
  }
}

/** Reads and parses a document; undefined when it does not exist. */
export async function readDocument<D>(store: ConfigStore, key: string): Promise<D | undefined> {
  const cur = await store.get(key);
  return cur ? parseDocument<D>(cur.text, store, key) : undefined;
}

function parseDocument<D>(text: string, store: ConfigStore, key: string): D {
  try {
    return JSON.parse(text) as D;
  } catch (err) {
    throw new InternalServerException(`${store.location}/${CONFIG_DIR}/${key}: corrupt JSON document: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The entries of a directory; none when it does not exist (yet). */
async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fsError(err, dir);
  }
}
