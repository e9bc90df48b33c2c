/**
 * Parquet encoding details checked on the bytes: every data and dictionary page within Security Lake's
 * 1 MB (uncompressed) rule, row groups bounded, footer metadata, codecs.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { compileColumns } from '../../src/writer/columns.js';
import { encodeParquet } from '../../src/writer/parquet.js';
import { fingerprintOf } from '../../src/writer/schema-tree.js';
import type { ColumnField, WriterSchema } from '../../src/writer/schema-tree.js';
import { rng } from './fixtures.js';

// hyparquet's page-header reader is internal (not in its package exports): load the module by path.
const { parquetHeader } = (await import(pathToFileURL(resolve('node_modules/hyparquet/src/column.js')).href)) as {
  parquetHeader: (reader: { view: DataView; offset: number }) => { uncompressed_page_size: number; compressed_page_size: number; type: string };
};

const fields: ColumnField[] = [
  { name: 'time', type: { kind: 'int64' }, nullable: false },
  { name: 'data', type: { kind: 'json' }, nullable: true },
  { name: 'labels', type: { kind: 'list', item: { kind: 'utf8' } }, nullable: true },
  { name: 'n', type: { kind: 'int32' }, nullable: true },
];
const schema: WriterSchema = { source: 'T', sourceVersion: '1.0', ocsfVersion: '1.1.0', layout: 'native', classes: [1], profiles: [], fields, fingerprint: fingerprintOf(fields) };

function pages(bytes: Uint8Array) {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const md = parquetMetadata(ab);
  const view = new DataView(ab);
  const out: { column: string; type: string; uncompressed: number }[] = [];
  for (const rg of md.row_groups) {
    for (const c of rg.columns) {
      const m = c.meta_data!;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      const reader = { view, offset: start };
      while (reader.offset < start + Number(m.total_compressed_size)) {
        const h = parquetHeader(reader);
        out.push({ column: m.path_in_schema.join('.'), type: h.type, uncompressed: h.uncompressed_page_size });
        reader.offset += h.compressed_page_size;
      }
    }
  }
  return { md, pages: out };
}

describe('Parquet encoding', () => {
  it('keeps every page under 1 MB uncompressed, with values of up to 45 KB, and bounds row groups', async () => {
    const r = rng(3);
    const rand = (n: number) => {
      let s = '';
      while (s.length < n) s += Math.floor(r() * 2 ** 52).toString(36);
      return s.slice(0, n);
    };
    const rows = Array.from({ length: 800 }, (_, i) => ({ time: i, data: rand(5000 + (i % 9) * 5000), labels: [rand(10), rand(20)], n: i }));
    // batches smaller than a row group: the case where parquet-rs closes pages latest
    const cols = compileColumns(schema);
    let i = 0;
    const file = await encodeParquet(
      () => {
        if (i >= rows.length) return undefined;
        const b = cols.build(rows, i, Math.min(rows.length, i + 100));
        i += 100;
        return b;
      },
      { rowGroupRows: 400, metadata: { 'ocsf.source': 'T' } },
    );
    const { md, pages: ps } = pages(Buffer.concat(file.chunks));
    expect(md.row_groups.map((g) => Number(g.num_rows))).toEqual([400, 400]);
    expect(md.row_groups.every((g) => g.columns.every((c) => c.meta_data!.codec === 'ZSTD'))).toBe(true);
    expect(md.key_value_metadata?.find((e) => e.key === 'ocsf.source')?.value).toBe('T');
    const data = ps.filter((p) => p.column === 'data');
    expect(data.length).toBeGreaterThan(30); // ~20 MB of text: many pages
    expect(Math.max(...ps.map((p) => p.uncompressed))).toBeLessThanOrEqual(1_000_000);
  });

  it('writes no dictionary pages and min/max statistics only on the columns named', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ time: 1_000 + i, data: `{"k":${i % 3}}`, labels: ['a', 'b'], n: i % 7 }));
    const cols = compileColumns(schema);
    const encode = (o: Parameters<typeof encodeParquet>[1]) => {
      let done = false;
      return encodeParquet(() => (done ? undefined : ((done = true), cols.build(rows))), o);
    };
    const chunks = (bytes: Uint8Array) => pages(bytes).md.row_groups[0]!.columns.map((c) => c.meta_data!);
    const lean = chunks(Buffer.concat((await encode({ statisticsColumns: ['time', 'n'] })).chunks));
    expect(lean.every((m) => m.dictionary_page_offset === undefined && !m.encodings.includes('RLE_DICTIONARY'))).toBe(true);
    const stats = Object.fromEntries(lean.map((m) => [m.path_in_schema.join('.'), m.statistics]));
    expect(stats.time).toMatchObject({ min_value: 1_000n, max_value: 1_299n });
    expect(stats.n).toMatchObject({ min_value: 0, max_value: 6 });
    expect(stats.data?.min_value).toBeUndefined();
    expect(stats['labels.list.element']?.min_value).toBeUndefined();
    // asked for: dictionary pages; no statisticsColumns: chunk statistics everywhere
    const full = chunks(Buffer.concat((await encode({ dictionary: true })).chunks));
    expect(full.every((m) => m.dictionary_page_offset !== undefined)).toBe(true);
    expect(full.find((m) => m.path_in_schema[0] === 'data')!.statistics?.min_value).toBe('{"k":0}');
  });

  it('writes GZIP, SNAPPY and UNCOMPRESSED when asked, and refuses an empty file', async () => {
    const cols = compileColumns(schema);
    for (const compression of ['GZIP', 'SNAPPY', 'UNCOMPRESSED'] as const) {
      let done = false;
      const f = await encodeParquet(() => (done ? undefined : ((done = true), cols.build([{ time: 1, n: 2 }]))), { compression });
      expect(pages(Buffer.concat(f.chunks)).md.row_groups[0]!.columns[0]!.meta_data!.codec).toBe(compression);
    }
    await expect(encodeParquet(() => undefined)).rejects.toThrow(/without rows/);
    await expect(encodeParquet(() => cols.build([]))).rejects.toThrow(/without rows/);
    await expect(encodeParquet(() => cols.build([{ time: 1 }]), { compression: 'LZ4' as never })).rejects.toThrow(/unknown compression/);
  });
});
