/**
 * Parquet writer benchmarks (issue 6): column building and Parquet encoding on a CloudTrail-shaped schema
 * (the writer's test source, 3 classes, ~60 leaf columns with nested structs, lists of structs, a map and
 * timestamps), against apache-arrow's builder path (`makeBuilder` + `append` per row) as the reference
 * line, plus the whole writer (check + partition + buffer + build + ZSTD + sink) into memory.
 * Then, for every registered source that has golden outputs, the same build/encode cases on its own schema.
 *
 * `npx tsx bench/writer.bench.ts` (or `npm run bench -- writer`); `BENCH_QUICK=1` for a short run,
 * `WRITER_BENCH_ONLY=<label part>` for some suites only (e.g. `cloudtrail-shaped`, `VPC_FLOW`).
 */
import { makeBuilder, RecordBatch, Struct, Table, tableToIPC } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import '../src/sources/index.js';
import type { OcsfEvent } from '../src/core/types.js';
import { deriveSchema } from '../src/writer/arrow-schema.js';
import { compileColumns, isViolation } from '../src/writer/columns.js';
import { encodeParquet } from '../src/writer/parquet.js';
import type { ParquetOptions } from '../src/writer/parquet.js';
import type { Compression } from '../src/writer/parquet.js';
import { leafCount, statisticsColumns } from '../src/writer/schema-tree.js';
import type { ColumnType, WriterSchema } from '../src/writer/schema-tree.js';
import { createLakeWriter } from '../src/writer/writer.js';
import type { Sink } from '../src/writer/sinks/sink.js';
import { forBuilders, generateEvents, goldenEvents, goldenFolders, goldenSources, testSource } from '../test/writer/fixtures.js';
import { QUICK, runSuite } from './lib.js';
import type { BenchCase } from './lib.js';

const N = QUICK ? 5_000 : 20_000;
/** `WRITER_BENCH_ONLY=SH_FINDINGS` runs only the suites whose label contains it. */
const ONLY = process.env.WRITER_BENCH_ONLY;


/** The reference line, on the first 500 rows (the builders are per-row; a smaller batch keeps the suite short). */
function builderCase(schema: WriterSchema, all: readonly OcsfEvent[], allBytes: number): BenchCase {
  const arrowSchema = compileColumns(schema).arrowSchema;
  const top: ColumnType = { kind: 'struct', fields: schema.fields };
  const events = all.slice(0, 500);
  const prepared = events.map((e) => forBuilders(e, top));
  return {
    name: 'apache-arrow makeBuilder + append (reference)',
    items: events.length,
    bytes: Math.round((allBytes * events.length) / all.length),
    reference: true,
    fn: () => {
      const b = makeBuilder({ type: new Struct(arrowSchema.fields) as DataType, nullValues: [null, undefined] });
      for (const row of prepared) b.append(row);
      return new Table(new RecordBatch(arrowSchema, b.finish().toVector().data[0] as never));
    },
  };
}

function memorySink(): Sink & { bytes: number } {
  const s = {
    url: 'memory:',
    bytes: 0,
    async put(_key: string, _chunks: readonly Uint8Array[], bytes: number) {
      s.bytes += bytes;
    },
  };
  return s;
}

/** One suite; `contexts` given = the full set of cases (codecs and the whole writer), else the per-source subset. */
async function suiteFor(label: string, schema: WriterSchema, events: OcsfEvent[], contexts?: { input: string; line: number }[]): Promise<void> {
  if (ONLY && !label.includes(ONLY)) return;
  const cols = compileColumns(schema);
  for (const e of events) {
    const r = cols.check(e);
    if (isViolation(r)) throw new Error(`${label}: fixture does not fit: ${r.path}: ${r.message}`);
  }
  const bytes = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
  const batch = cols.build(events);
  const ipcBytes = tableToIPC(new Table(batch), 'stream').byteLength;
  console.log(`\n${label}: ${events.length} events, ${leafCount(schema.fields)} leaf columns, ${(bytes / events.length).toFixed(0)} B/event as JSON, ${(ipcBytes / events.length).toFixed(0)} B/row as Arrow IPC`);
  const stats = statisticsColumns(schema);
  const encode = (compression: Compression, extra: Partial<ParquetOptions> = {}, label = ''): BenchCase => ({
    name: `parquet-wasm ${compression}${label} (from built columns)`,
    items: events.length,
    bytes,
    fn: async () => {
      let done = false;
      return encodeParquet(() => (done ? undefined : ((done = true), cols.build(events))), { compression, statisticsColumns: stats, ...extra });
    },
  });
  const cases: BenchCase[] = [
    builderCase(schema, events, bytes),
    { name: 'compiled check (schema validation only)', items: events.length, bytes, fn: () => events.forEach((e) => cols.check(e)) },
    { name: 'compiled columns: build', items: events.length, bytes, fn: () => cols.build(events) },
    {
      name: 'compiled columns: check + build',
      items: events.length,
      bytes,
      fn: () => {
        for (const e of events) cols.check(e);
        return cols.build(events);
      },
    },
    encode('ZSTD'),
    // What the writer's defaults (no dictionary, statistics on top-level numbers and times only) save.
    encode('ZSTD', { dictionary: true, statisticsColumns: undefined }, ' + dictionary + chunk statistics on every column'),
  ];
  if (contexts) {
    cases.push(encode('SNAPPY'), encode('GZIP'));
    cases.push({
      name: 'whole writer: write + flush (ZSTD, 12 partitions, memory sink)',
      items: events.length,
      bytes,
      fn: async () => {
        const w = createLakeWriter({ sink: memorySink(), sources: [testSource], tickMs: 0 });
        for (let i = 0; i < events.length; i++) w.write(events[i]!, { source: schema.source, sourceVersion: schema.sourceVersion, context: contexts[i] });
        await w.close();
      },
    });
  }
  await runSuite(`writer-${label}`, cases, 'rows');
}

const gen = generateEvents(N, { seed: 7 });
await suiteFor(
  'cloudtrail-shaped',
  deriveSchema(testSource, '2.0'),
  gen.map((g) => g.event),
  gen.map((g) => g.context as { input: string; line: number }),
);

// Per registered source version: its golden outputs (test/golden/), repeated to a batch.
for (const folder of goldenFolders()) {
  const golden = goldenEvents(folder);
  for (const def of goldenSources(folder)) {
    for (const version of Object.keys(def.versions)) {
      const spec = def.versions[version]!;
      const schema = deriveSchema(def, version);
      const cols = compileColumns(schema);
      const events = golden
        .filter((g) => g.version === version && g.event.metadata.version === spec.ocsfVersion && spec.classes.includes(g.event.class_uid))
        .map((g) => g.event)
        .filter((e) => !isViolation(cols.check(e)));
      if (events.length === 0) continue;
      const rows = Array.from({ length: QUICK ? 2000 : 5000 }, (_, i) => events[i % events.length]!);
      await suiteFor(`${def.name}-${version}`, schema, rows);
    }
  }
}
