/**
 * The committed `schemas/` must be exactly what `npm run schemas` produces from ../shared/ocsf-export:
 * regenerate into a temporary folder and compare every file byte for byte (and the file lists).
 * Skipped, with the reason printed, only when ../shared/ocsf-export is absent.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_DIR, DEFAULT_SCHEMAS_DIR, generateSchemas } from '../../src/schemas/generate.js';

const haveExport = existsSync(join(DEFAULT_EXPORT_DIR, '1.1.0.json')) && existsSync(join(DEFAULT_EXPORT_DIR, '1.0.0-rc.2.json'));
if (!haveExport) console.warn(`SKIP schema regeneration test: ${DEFAULT_EXPORT_DIR} is absent (it lives in ../shared, outside the repository)`);

function listJson(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.json')) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe.skipIf(!haveExport)('schemas/ regeneration', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ocsf-schemas-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('regenerates byte for byte identical files', () => {
    const written = generateSchemas({ outDir: tmp });
    expect(listJson(tmp)).toEqual(written);
    expect(listJson(DEFAULT_SCHEMAS_DIR), 'file list of schemas/ differs: run `npm run schemas`').toEqual(written);
    const differing = written.filter((f) => !readFileSync(join(tmp, f)).equals(readFileSync(join(DEFAULT_SCHEMAS_DIR, f))));
    expect(differing, 'these files differ from a fresh generation: run `npm run schemas`').toEqual([]);
  });

  it('is deterministic (two runs give the same bytes)', () => {
    const again = mkdtempSync(join(tmpdir(), 'ocsf-schemas-'));
    try {
      const files = generateSchemas({ outDir: again });
      for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(tmp, f))), f).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});
