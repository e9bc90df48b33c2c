/**
 * Reading lakes back for `ocsf-lake validate`: the Parquet event reader, the file checks (schema against
 * the source's derived schema, rows against the partition directories) and lake directory expansion.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/sources/index.js';
import { getSource, registerSource, unregisterSource } from '../../src/core/source.js';
import type { OcsfEvent } from '../../src/core/types.js';
import { openEvents } from '../../src/validate/input.js';
import { deriveSchema } from '../../src/writer/arrow-schema.js';
import { compileColumns } from '../../src/writer/columns.js';
import { encodeParquet } from '../../src/writer/parquet.js';
import { checkParquetFile, expandLakeInputs, readParquetEvents, registerParquetReader } from '../../src/writer/read.js';
import { schemaMetadata } from '../../src/writer/schema-tree.js';
import { createLocalSink } from '../../src/writer/sinks/local.js';
import { createLakeWriter } from '../../src/writer/writer.js';
import { generateEvents, testSource, TEST_SOURCE } from './fixtures.js';
import { listFiles } from './helpers.js';
import { CLI } from '../cli-bin.js';

let tmp: string;
let lake: string;
beforeAll(async () => {
  registerSource(testSource, { replace: true });
  registerParquetReader();
  tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-read-'));
  lake = join(tmp, 'lake');
  const w = createLakeWriter({ sink: createLocalSink(lake, { fsync: false }), tickMs: 0 });
  for (const g of generateEvents(200, { seed: 50 })) w.write(g.event, { source: TEST_SOURCE, sourceVersion: '2.0', context: g.context });
  await w.close();
});
afterAll(() => {
  unregisterSource(TEST_SOURCE);
  rmSync(tmp, { recursive: true, force: true });
});

async function collect(path: string) {
  const { reader, items } = openEvents(path, new Uint8Array(readFileSync(path)));
  const events: unknown[] = [];
  const errors: string[] = [];
  for await (const it of items) {
    if (it.kind === 'event') events.push(it.event);
    else errors.push(`${it.location}: ${it.message}`);
  }
  return { reader: reader.name, events, errors };
}

describe('Parquet files for ocsf-lake validate', () => {
  it('reads every row of a lake file as an OCSF event, with no file problems', async () => {
    const files = await expandLakeInputs([lake]);
    expect(files.length).toBe(12);
    let rows = 0;
    for (const f of files) {
      const r = await collect(f);
      expect(r.reader).toBe('parquet');
      expect(r.errors).toEqual([]);
      rows += r.events.length;
    }
    expect(rows).toBe(200);
    const first = readParquetEvents(new Uint8Array(readFileSync(files[0]!)));
    expect(first.metadata['ocsf.source']).toBe(TEST_SOURCE);
    const row = first.rows().next().value as OcsfEvent;
    expect(typeof row.time).toBe('number');
    expect(row.time_dt).toBe(new Date(row.time).toISOString());
    expect(row.unmapped).toBeTypeOf('object');
  });

  it('reports rows that do not belong to the partition directories of their path', async () => {
    const files = listFiles(lake);
    const src = join(lake, files.find((f) => f.includes('eventDay=20240301'))!);
    const wrong = src.replace('eventDay=20240301', 'eventDay=20240302').replace(/region=[^/]+/, 'region=sa-east-1');
    mkdirSync(dirname(wrong), { recursive: true });
    writeFileSync(wrong.replace(/\.parquet$/, '.moved.parquet'), readFileSync(src));
    const r = await collect(wrong.replace(/\.parquet$/, '.moved.parquet'));
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]).toMatch(/#0: partition: cloud\.region \S+ is not the directory's region=sa-east-1/);
    expect(r.errors.some((e) => /not the directory's eventDay=20240302/.test(e))).toBe(true);
    rmSync(dirname(wrong), { recursive: true });
  });

  it('reports a file whose columns differ from the schema derived for its source', async () => {
    // a file that claims to hold TEST_TRAIL 2.0 but was written with the 1.0 columns
    const v1 = deriveSchema(testSource, '1.0');
    const cols = compileColumns(v1);
    const events = generateEvents(5, { seed: 51, version: '1.0' }).map((g) => g.event);
    let done = false;
    const file = await encodeParquet(() => (done ? undefined : ((done = true), cols.build(events))), {
      metadata: { ...schemaMetadata(v1), 'ocsf.source_version': '2.0' },
    });
    const bytes = Buffer.concat(file.chunks);
    const issues = checkParquetFile(readParquetEvents(bytes), 'x.parquet');
    expect(issues.map((i) => i.kind)).toEqual(['schema']);
    expect(issues[0]!.message).toMatch(/columns differ from the TEST_TRAIL 2\.0 native schema: expected time_dt/);
  });

  it('expands lake directories to their Parquet files, skipping in-flight temporary files and dead letters', async () => {
    const d = join(tmp, 'expand');
    mkdirSync(join(d, 'aws/X/2.0/region=us-east-1'), { recursive: true });
    mkdirSync(join(d, 'dlq/X/invalid-json'), { recursive: true });
    writeFileSync(join(d, 'aws/X/2.0/region=us-east-1/b.parquet'), '');
    writeFileSync(join(d, 'aws/X/2.0/region=us-east-1/.abc.b.parquet.tmp'), '');
    writeFileSync(join(d, 'aws/X/2.0/a.parquet'), '');
    writeFileSync(join(d, 'dlq/X/invalid-json/x.ndjson.gz'), '');
    writeFileSync(join(d, 'config.json'), '{}');
    expect(await expandLakeInputs([d, 'other.json', '-'])).toEqual([join(d, 'aws/X/2.0/a.parquet'), join(d, 'aws/X/2.0/region=us-east-1/b.parquet'), 'other.json', '-']);
  });
});

describe('ocsf-lake validate on a lake of a built-in source', () => {
  it('passes on a written lake directory and fails on a misplaced file', async () => {
    const def = getSource('VPC_FLOW');
    if (!def) return; // the VPC Flow source is not registered in this build
    const golden = new URL('../golden/vpc_flow/', import.meta.url).pathname;
    const events = readdirSync(golden)
      .filter((f) => f.endsWith('.2.0.ocsf.json'))
      .flatMap((f) => [JSON.parse(readFileSync(join(golden, f), 'utf8'))].flat() as OcsfEvent[]);
    const root = join(tmp, 'vpc');
    const w = createLakeWriter({ sink: createLocalSink(root, { fsync: false }), tickMs: 0, defaultRegion: 'us-east-1' });
    for (const e of events) expect(w.write(e, { source: 'VPC_FLOW', sourceVersion: '2.0' })).toBeUndefined();
    await w.close();
    const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, 'validate', ...args], { encoding: 'utf8' });
    const ok = run(root);
    expect(ok.stdout).toMatch(new RegExp(`total: ${events.length} events in \\d+ files?, ${events.length} valid, 0 invalid, 0 unreadable`));
    expect(ok.status).toBe(0);
    const f = listFiles(root)[0]!;
    const moved = join(root, f.replace(/eventDay=\d{8}/, 'eventDay=19990101'));
    mkdirSync(dirname(moved), { recursive: true });
    renameSync(join(root, f), moved);
    const bad = run(root);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/partition: time is on day \d{8}, not the directory's eventDay=19990101/);
  });
});
