/** The storage side of the writer: where finished Parquet files go. */

export interface Sink {
  /** Where the lake lives: `file:///abs/dir` or `s3://bucket/prefix`. */
  readonly url: string;
  /**
   * Stores one object under `key` (a relative `/`-separated path) atomically: afterwards either the
   * whole object is visible under its final name, or nothing changed. An existing object with the same
   * key is replaced (the writer's object names are deterministic, so a re-run replaces, never duplicates).
   * Rejects with a {@link SinkError} naming the key.
   */
  put(key: string, chunks: readonly Uint8Array[], bytes: number): Promise<void>;
  /** Releases clients/handles. */
  close?(): Promise<void>;
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
