/** The storage side of the writer: where finished Parquet files go. */

export interface Sink {
  /** Where the lake lives: `file:///abs/dir` or `s3://bucket/prefix`. */
  readonly url: string;
  /**
   * Stores one object under `key` (a relative `/`-separated path) atomically: afterwards either the
   * whole object is visible under its final name, or nothing changed. An existing object with the same
   * key is replaced.
   * Rejects with a {@link SinkError} naming the key.
   */
  put(key: string, chunks: readonly Uint8Array[], bytes: number): Promise<void>;
  /** Releases clients/handles. */
  close?(): Promise<void>;
}

/** One stored object, as {@link LakeStore.list} reports it. */
export interface StoredObject {
  /** Lake-relative key. */
  key: string;
  size: number;
}

/**
 * A sink that is the whole lake root: besides atomic `put`, what the commit ledger needs to stage, commit and
 * publish files (`src/ledger/`). Local directories and S3 implement it.
 */
export interface LakeStore extends Sink {
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Creates `key` only if it does not exist (local: `link()`, which fails on an existing name; S3: `PutObject`
   * with `If-None-Match: *`). Resolves false when it existed: the compare-and-swap of the ledger.
   */
  putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean>;
  /** Every object under `prefix` (a folder, `/`-terminated or not), in key order. */
  list(prefix: string): Promise<StoredObject[]>;
  /**
   * Moves `from` to `to` (local: one atomic `rename`; S3: copy, then delete the source). Idempotent: when `from`
   * is gone and `to` exists, an earlier move already happened and this one succeeds.
   */
  move(from: string, to: string): Promise<void>;
  /** Deletes the objects (missing ones are no error). */
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes everything under a folder, the folder included (a local directory; on S3, the keys under it). */
  deleteFolder(prefix: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

/** True for sinks that can serve as a {@link LakeStore}. */
export function isLakeStore(sink: Sink): sink is LakeStore {
  return typeof (sink as Partial<LakeStore>).putIfAbsent === 'function' && typeof (sink as Partial<LakeStore>).move === 'function';
}

/** A failed `put`: the key, whether retrying could help, and the underlying cause. */
export class SinkError extends Error {
  override name = 'SinkError';
  constructor(
    readonly key: string,
    readonly transient: boolean,
    override readonly cause: unknown,
    readonly attempts = 1,
  ) {
    const abortError = (cause as { abortError?: unknown } | undefined)?.abortError;
    super(
      `${key}: ${causeMessage(cause)}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}` +
        (abortError !== undefined ? `; aborting the multipart upload failed too: ${causeMessage(abortError)}` : ''),
    );
  }
}

export function causeMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string; Code?: string }).code ?? (err as { Code?: string }).Code;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${err.name}${code && code !== err.name ? ` ${code}` : ''}${status ? ` (HTTP ${status})` : ''}: ${err.message}`;
  }
  return String(err);
}

export interface RetryOptions {
  /** Attempts in total, including the first (default 4). */
  attempts?: number;
  /** First backoff in ms, doubled each time with full jitter (default 200). */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 5000). */
  maxDelayMs?: number;
}

/** Runs `fn` until it succeeds, a non-transient error occurs, or the attempts run out. */
export async function withRetry<T>(
  key: string,
  fn: () => Promise<T>,
  isTransient: (err: unknown) => boolean,
  opts: RetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 4);
  const base = opts.baseDelayMs ?? 200;
  const cap = opts.maxDelayMs ?? 5000;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const transient = isTransient(err);
      if (!transient || i >= attempts) throw new SinkError(key, transient, err, i);
      const delay = Math.random() * Math.min(cap, base * 2 ** (i - 1));
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
