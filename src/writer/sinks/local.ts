/**
 * Local directory sink (the embedded default): each file is written to a hidden temporary name in its
 * final directory, fsync-ed, renamed over the final name, and the directory is fsync-ed, so a crash
 * leaves either the old object, the new one, or a `.tmp` file no Parquet glob matches — never a
 * truncated `.parquet`.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertSafeKey } from '../partition.js';
import { SinkError, withRetry } from './sink.js';
import type { LakeStore, RetryOptions, StoredObject } from './sink.js';

export interface LocalSinkOptions {
  /** Skip fsync (tests, tmpfs): still atomic by rename, not durable across a power loss. */
  fsync?: boolean;
  retry?: RetryOptions;
}

const TRANSIENT_FS = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR']);

export function createLocalSink(root: string, opts: LocalSinkOptions = {}): LakeStore {
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

  /**
   * Writes the chunks to a hidden temporary name beside `path`, fsyncs it, and publishes it under `path`:
   * `rename` replaces an existing file, `link` refuses one (EEXIST → false).
   */
  async function putOnce(path: string, chunks: readonly Uint8Array[], replace: boolean): Promise<boolean> {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${randomBytes(6).toString('hex')}.${path.slice(dir.length + 1)}.tmp`);
    const fh = await open(tmp, 'wx');
    let created = true;
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.byteLength) off += (await fh.write(c, off, c.byteLength - off)).bytesWritten;
      }
      if (doSync) await fh.sync();
      await fh.close();
      if (replace) await rename(tmp, path);
      else {
        try {
          await link(tmp, path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          created = false;
        }
        await unlink(tmp);
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    if (created) await syncDir(dir);
    return created;
  }

  async function syncDir(dir: string): Promise<void> {
    if (!doSync) return;
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  /** `pathOf` for the store operations: an unsafe key is a permanent SinkError. */
  function checkedPath(key: string): string {
    try {
      return pathOf(key);
    } catch (err) {
      throw new SinkError(key, false, err);
    }
  }
  const transient = (e: unknown) => TRANSIENT_FS.has((e as { code?: string }).code ?? '');

  async function walk(dir: string, rel: string, out: StoredObject[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw err;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const key = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(join(dir, e.name), key, out);
      else if (e.isFile()) out.push({ key, size: (await stat(join(dir, e.name)).catch(() => ({ size: 0 }))).size });
    }
  }

  return {
    url: pathToFileURL(base).href,
    async put(key, chunks) {
      const path = checkedPath(key);
      await withRetry(key, () => putOnce(path, chunks, true), transient, opts.retry);
    },
    async putIfAbsent(key, bytes) {
      const path = checkedPath(key);
      return withRetry(key, () => putOnce(path, [bytes], false), transient, opts.retry);
    },
    async get(key) {
      try {
        return await readFile(checkedPath(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new SinkError(key, transient(err), err);
      }
    },
    async list(prefix) {
      const p = prefix.replace(/\/+$/, '');
      const out: StoredObject[] = [];
      await walk(p === '' ? base : checkedPath(p), p, out);
      return out;
    },
    async move(from, to) {
      const src = checkedPath(from);
      const dst = checkedPath(to);
      await withRetry(
        to,
        async () => {
          await mkdir(dirname(dst), { recursive: true });
          try {
            await rename(src, dst);
          } catch (err) {
            // Already moved (a roll-forward after a crash, or a concurrent one): the target is there.
            if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (await exists(dst))) return;
            throw err;
          }
          await syncDir(dirname(dst));
        },
        transient,
        opts.retry,
      );
    },
    async delete(keys) {
      for (const key of keys) {
        try {
          await unlink(checkedPath(key));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SinkError(key, transient(err), err);
        }
      }
    },
    async deleteFolder(prefix) {
      await rm(checkedPath(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
    },
    exists: (key) => exists(checkedPath(key)),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
