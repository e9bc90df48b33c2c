/**
 * Locating the package's data folders (`mappings/`, `schemas/`) from both `src/` (tsx) and `dist/`
 * (built): each sits two levels below the package root, so one relative URL serves both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the package root (the folder holding package.json). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Reads and parses a JSON file under the package root, e.g. `mappings/cloudtrail/1.1.0.json`. */
export function loadPackageJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, new URL('../../', import.meta.url)), 'utf8')) as T;
}
