/**
 * Local directory sink (the embedded default): each file is written to a hidden temporary name in its
 * final directory, fsync-ed, renamed over the final name, and the directory is fsync-ed, so a crash
 * leaves either the old object, the new one, or a `.tmp` file no Parquet glob matches — never a
 * truncated `.parquet`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertSafeKey } from '../partition.js';
import { SinkError, withRetry } from './sink.js';
import type { RetryOptions, Sink } from './sink.js';

export interface LocalSinkOptions {
  /** Skip fsync (tests, tmpfs): still atomic by rename, not durable across a power loss. */
  fsync?: boolean;
  retry?: RetryOptions;
}

const TRANSIENT_FS = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR']);

export function createLocalSink(root: string, opts: LocalSinkOptions = {}): Sink {
  const base = resolve(root);
  const doSync = opts.fsync !== false;

  /** The absolute path of a key, proven to be inside the root. */
  function pathOf(key: string): string {
    assertSafeKey(key);
    const p = resolve(base, ...key.split('/'));
    const rel = relative(base, p);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new Error(`object key ${JSON.stringify(key)} escapes the lake root ${base}`);
    }
    return p;
  }

  async function putOnce(path: string, chunks: readonly Uint8Array[]): Promise<void> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${randomBytes(6).toString('hex')}.${path.slice(dir.length + 1)}.tmp`);
    const fh = await open(tmp, 'wx');
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.byteLength) off += (await fh.write(c, off, c.byteLength - off)).bytesWritten;
      }
      if (doSync) await fh.sync();
      await fh.close();
      await rename(tmp, path);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    if (doSync) {
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    }
  }

  return {
    url: pathToFileURL(base).href,
    async put(key, chunks) {
      let path: string;
      try {
        path = pathOf(key);
      } catch (err) {
        throw new SinkError(key, false, err);
      }
      await withRetry(key, () => putOnce(path, chunks), (e) => TRANSIENT_FS.has((e as { code?: string }).code ?? ''), opts.retry);
    },
  };
}
