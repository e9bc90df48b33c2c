/**
 * `npm run schemas` (= `tsx src/schemas/generate.ts [--export-dir DIR] [--out DIR]`): regenerates
 * `schemas/<version>/*.json` and `schemas/index.json` from `../shared/ocsf-export/<version>.json`.
 * Output is deterministic (sorted keys), so the committed files can be compared byte for byte
 * (test/schemas/regenerate.test.ts). Stale `*.json` files in the version folders are removed;
 * `schemas/README.md` is hand-written and left alone.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildClassSchema, stableStringify, type OcsfExport } from './build.js';
import { canonicalProfiles, profileKey, SCHEMA_TARGETS, schemaFileName } from './targets.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Default location of the compiled OCSF exports: `../shared/ocsf-export` beside the package root. */
export const DEFAULT_EXPORT_DIR = resolve(PACKAGE_ROOT, '../shared/ocsf-export');
/** Default output folder: the package's `schemas/`. */
export const DEFAULT_SCHEMAS_DIR = resolve(PACKAGE_ROOT, 'schemas');

/** `schemas/index.json`: version → class_uid → class facts and the file of each profile set. */
export interface SchemaIndex {
  generator: string;
  versions: Record<
    string,
    Record<
      string,
      {
        class_name: string;
        class_caption: string;
        category_uid: number;
        category_name: string;
        /** profile key (sorted names joined by `,`, `""` = none) → path relative to `schemas/`. */
        variants: Record<string, string>;
      }
    >
  >;
}

/** Generates every target into `outDir`; returns the written paths relative to `outDir` (sorted). */
export function generateSchemas(opts: { exportDir?: string; outDir?: string } = {}): string[] {
  const exportDir = opts.exportDir ?? DEFAULT_EXPORT_DIR;
  const outDir = opts.outDir ?? DEFAULT_SCHEMAS_DIR;
  const index: SchemaIndex = { generator: 'ocsf-lake src/schemas/generate.ts', versions: {} };
  const written: string[] = [];
  for (const [version, targets] of Object.entries(SCHEMA_TARGETS)) {
    const exp = JSON.parse(readFileSync(join(exportDir, `${version}.json`), 'utf8')) as OcsfExport;
    if (exp.version !== version) throw new Error(`${version}.json declares version ${exp.version}`);
    const dir = join(outDir, version);
    mkdirSync(dir, { recursive: true });
    const files = new Set<string>();
    const classes: SchemaIndex['versions'][string] = {};
    for (const t of targets) {
      const cls = exp.classes[t.className];
      if (!cls || cls.uid === undefined) throw new Error(`OCSF ${version}: no class ${t.className}`);
      const entry = (classes[String(cls.uid)] ??= {
        class_name: t.className,
        class_caption: cls.caption ?? t.className,
        category_uid: cls.category_uid ?? 0,
        category_name: cls.category_name ?? '',
        variants: {},
      });
      for (const set of t.profileSets) {
        const profiles = canonicalProfiles(set);
        const file = schemaFileName(t.className, profiles);
        writeFileSync(join(dir, file), stableStringify(buildClassSchema(exp, t.className, profiles)));
        files.add(file);
        entry.variants[profileKey(profiles)] = `${version}/${file}`;
        written.push(`${version}/${file}`);
      }
    }
    for (const f of readdirSync(dir)) if (f.endsWith('.json') && !files.has(f)) rmSync(join(dir, f));
    index.versions[version] = classes;
  }
  writeFileSync(join(outDir, 'index.json'), stableStringify(index));
  written.push('index.json');
  return written.sort();
}

function main(): void {
  const { values } = parseArgs({ options: { 'export-dir': { type: 'string' }, out: { type: 'string' } } });
  const outDir = values.out ? resolve(values.out) : DEFAULT_SCHEMAS_DIR;
  const files = generateSchemas({ exportDir: values['export-dir'] ? resolve(values['export-dir']) : undefined, outDir });
  process.stdout.write(`wrote ${files.length} files to ${outDir}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
