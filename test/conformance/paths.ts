/** Absolute paths into ../shared (beside the checkout), for the per-source pair lists. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const SHARED = resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared');

/** Absolute path of a file under ../shared. */
export function shared(...parts: string[]): string {
  return resolve(SHARED, ...parts);
}
