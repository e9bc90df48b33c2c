/** CLI plumbing shared by the commands: reading FILE arguments (`-` = stdin) and usage errors. */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';

/** A usage error: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A source or source version the registry refused, as a usage error naming the flag that chose it. */
export function sourceUsageError(err: Error): UsageError {
  const message = err.message.replace(/\s*\n\s*/g, '; ');
  if (message.startsWith('--')) return new UsageError(message);
  return new UsageError(`${/\bversion\b/i.test(message) ? '--source-version' : '--source'}: ${message}`);
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** A file-system error as a few words (`permission denied`), without the syscall and path Node repeats. */
export function fsReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  return (code !== undefined && FS_ERRORS[code]) || (err as Error).message;
}

/**
 * Checks that every local path named on the command line can be read (a directory: listed) before any work
 * starts: a typo is a usage error, not a run that reads nothing. `-` and `s3://` inputs are left to the run.
 */
export async function requireReadable(paths: readonly string[], what = 'input', opts: { directories?: string } = {}): Promise<void> {
  for (const path of paths) {
    if (path === '-' || path.startsWith('s3://')) continue;
    let st;
    try {
      st = await stat(path);
      await access(path, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
    } catch (err) {
      throw new UsageError(`cannot read ${what} ${path}: ${fsReason(err)}`);
    }
    if (st.isDirectory() && opts.directories !== undefined) throw new UsageError(`${path} is a directory: ${opts.directories}`);
  }
}

/** Reads a FILE argument; `-` reads all of stdin. */
export async function readInput(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  return readFile(path);
}

/** Thrown by {@link writeOut} once stdout's reader has gone (`ocsf-lake map ... | head`): the command ends, exit 0. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}

let stdoutError: (Error & { code?: string }) | undefined;

/** Catches stdout's write errors (EPIPE when the reader exits) so they end the command instead of crashing it. */
export function watchStdout(): void {
  process.stdout.on('error', (err: Error & { code?: string }) => {
    stdoutError ??= err;
    process.stdout.emit('drain');
  });
}

function checkStdout(stream: NodeJS.WritableStream): void {
  if (stream !== process.stdout) return;
  // `errored` is set as the write fails; the 'error' event only follows on a later tick.
  const err = stdoutError ?? (process.stdout.errored as (Error & { code?: string }) | null) ?? undefined;
  if (err === undefined) return;
  if (err.code === 'EPIPE') throw new OutputClosed('stdout closed');
  throw err;
}

/** Writes to a stream and waits for it to drain when its buffer is full (backpressure). */
export function writeOut(stream: NodeJS.WritableStream, s: string): Promise<void> | undefined {
  checkStdout(stream);
  if (stream.write(s)) return undefined;
  return new Promise((resolve, reject) =>
    stream.once('drain', () => {
      try {
        checkStdout(stream);
        resolve();
      } catch (err) {
        reject(err);
      }
    }),
  );
}

/** Repeatable comma-list flags: `--x a,b --x c` → `['a','b','c']`; undefined when the flag is absent. */
export function commaList(values: Record<string, unknown>, key: string): string[] | undefined {
  const v = values[key] as string[] | undefined;
  if (v === undefined) return undefined;
  const out = v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (out.length === 0) throw new UsageError(`--${key} needs at least one value`);
  return out;
}
