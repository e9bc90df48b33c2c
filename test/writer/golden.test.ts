/**
 * Every golden output of every registered source (`test/golden/<source_id>/<case>.<version>.ocsf.json`)
 * fits the Parquet schema derived for its source version, and survives a write to a local lake and a
 * read-back (hyparquet) unchanged and still valid OCSF.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/sources/index.js';
import type { SourceDefinition } from '../../src/core/source.js';
import type { OcsfEvent } from '../../src/core/types.js';
import { createValidator } from '../../src/validate/index.js';
import { deriveSchema } from '../../src/writer/arrow-schema.js';
import { compileColumns, isViolation } from '../../src/writer/columns.js';
import { createLocalSink } from '../../src/writer/sinks/local.js';
import { createLakeWriter } from '../../src/writer/writer.js';
import { goldenEvents, goldenFolders, goldenSources } from './fixtures.js';
import { hyparquetRows, listFiles, ocsfRow, readBytes } from './helpers.js';


/** The golden as it reads back: `*_dt` normalized to ISO UTC with milliseconds. */
function expectedRow(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => expectedRow(x));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) o[k] = expectedRow(x, k);
    return o;
  }
  if (typeof v === 'string' && key.endsWith('_dt')) return new Date(Date.parse(v)).toISOString();
  return v;
}

const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const folders = goldenFolders();

describe.skipIf(folders.length === 0)('golden outputs of every registered source fit their Parquet schema', () => {
  const validator = createValidator({ constraints: false });
  for (const folder of folders) {
    it(`${folder}: every golden event fits, is written, and reads back unchanged`, async () => {
      const defs = goldenSources(folder);
      const events = goldenEvents(folder);
      expect(events.length).toBeGreaterThan(0);
      const root = join(tmp, folder);
      const w = createLakeWriter({ sink: createLocalSink(root, { fsync: false }), tickMs: 0, defaultRegion: 'us-east-1' });
      const problems: string[] = [];
      const byKey = new Map<string, { expected: unknown; original: OcsfEvent }[]>();
      let written = 0;
      for (const g of events) {
        // its source: the family member whose version emits this OCSF version and class and whose schema fits
        const tried: string[] = [];
        let chosen: SourceDefinition | undefined;
        for (const def of defs) {
          const spec = def.versions[g.version];
          if (!spec || spec.ocsfVersion !== g.event.metadata.version || !spec.classes.includes(g.event.class_uid)) continue;
          const r = compileColumns(deriveSchema(def, g.version)).check(g.event);
          if (!isViolation(r)) {
            chosen = def;
            break;
          }
          tried.push(`${def.name}: ${r.path}: ${r.message}`);
        }
        if (!chosen) {
          problems.push(`${g.file}[${g.index}] (class ${g.event.class_uid}) fits no schema of ${defs.map((d) => d.name).join('/')} ${g.version}${tried.length ? ': ' + tried.join('; ') : ''}`);
          continue;
        }
        const f = w.write(g.event, { source: chosen.name, sourceVersion: g.version, context: { input: g.file, index: g.index } });
        if (f) {
          problems.push(`${g.file}[${g.index}]: ${f.reason}: ${f.message}`);
          continue;
        }
        written++;
        const key = `${g.event.time}|${g.event.class_uid}|${JSON.stringify(g.event.metadata.uid ?? '')}`;
        byKey.set(key, [...(byKey.get(key) ?? []), { expected: expectedRow(g.event), original: g.event }]);
      }
      await w.close();
      expect(problems).toEqual([]);
      let read = 0;
      for (const file of listFiles(root)) {
        for (const r of await hyparquetRows(readBytes(join(root, file)))) {
          const row = ocsfRow(r) as OcsfEvent;
          const key = `${row.time}|${row.class_uid}|${JSON.stringify(row.metadata.uid ?? '')}`;
          const match = (byKey.get(key) ?? []).find((c) => isDeepStrictEqual(c.expected, row));
          expect(match, `${file}: row ${key} differs from every golden written`).toBeDefined();
          // the Parquet round trip changes nothing the validator sees
          expect(validator.validate(row).errors).toEqual(validator.validate(match!.original).errors);
          read++;
        }
      }
      expect(read).toBe(written);
    });
  }
});
