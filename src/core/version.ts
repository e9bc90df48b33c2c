/** The library's own version (written into dead-letter entries as the mapper version). */
import { loadPackageJson } from './package-data.js';

export const LIBRARY_VERSION: string = loadPackageJson<{ version: string }>('package.json').version;
