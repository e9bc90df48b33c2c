/**
 * Modules that register user sources (`registerSource`) when imported. The registry is per thread, so the
 * pipeline imports them on the calling thread and again in each worker (`IngestOptions.sourceModules`), and
 * the CLI imports them before it maps (`--source-module`).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Imports each module (a path relative to the working directory, or a `file:` URL) and returns the URLs,
 * which a worker thread can import in turn. A module imported before is not evaluated again.
 */
export async function importSourceModules(specs: readonly string[]): Promise<string[]> {
  const urls: string[] = [];
  for (const spec of specs) {
    const url = /^file:/i.test(spec) ? spec : pathToFileURL(resolve(spec)).href;
    try {
      await import(url);
    } catch (err) {
      throw new SourceModuleError(`source module ${JSON.stringify(spec)} could not be imported: ${(err as Error).message}`);
    }
    urls.push(url);
  }
  return urls;
}

/** A source module that cannot be imported (a usage error for the CLI). */
export class SourceModuleError extends Error {
  override name = 'SourceModuleError';
}
