/**
 * Parquet encoding with parquet-wasm (parquet-rs compiled to wasm). The only module that imports
 * parquet-wasm. Pitfalls handled here (`../shared/docs/stack.md` §2): a fresh `WriterProperties` per
 * call (they are consumed), wasm `Table`s are consumed or freed explicitly, input goes in as an Arrow IPC
 * *stream*, and a file of many rows is streamed batch by batch through `transformParquetStream`, so wasm
 * memory (which never shrinks) holds one Arrow batch and the encoded pages of one row group at a time.
 */
import { tableToIPC, Table as ArrowTable } from 'apache-arrow';
import type { RecordBatch as ArrowRecordBatch } from 'apache-arrow';
import * as pw from 'parquet-wasm';

export type Compression = 'ZSTD' | 'GZIP' | 'SNAPPY' | 'UNCOMPRESSED';
export const COMPRESSIONS: readonly Compression[] = ['ZSTD', 'GZIP', 'SNAPPY', 'UNCOMPRESSED'];

export interface ParquetOptions {
  /** Default ZSTD (Security Lake's preferred codec for custom sources). */
  compression?: Compression;
  /** Rows per row group (default 131072). Row groups stay far below Security Lake's 256 MB compressed cap. */
  rowGroupRows?: number;
  /** Bytes per row group, uncompressed upper bound (default 128 MiB). */
  rowGroupBytes?: number;
  /**
   * Data page size target, uncompressed (default and maximum 384 KiB). parquet-rs checks the target only
   * between chunks of values, and when record batches are streamed into one row group a page can reach
   * about twice the target plus one value (measured; `test/writer/parquet.test.ts` reads the page headers),
   * so 384 KiB keeps pages under Security Lake's 1 MB rule for values up to ~200 KB. A single larger value
   * makes a larger page: values are never split.
   */
  dataPageBytes?: number;
  /**
   * Dictionary encoding (default off). parquet-wasm's dictionary encoder costs 2–4× the plain encoder and,
   * under ZSTD, OCSF files come out about as small without it (+5% on CloudTrail, smaller on VPC flow):
   * `npm run bench:e2e` (stage "Parquet encode") and `bench/writer.bench.ts`.
   */
  dictionary?: boolean;
  /**
   * Columns (dotted leaf paths) that get column-chunk min/max statistics; every other column gets none.
   * Absent: chunk statistics on every column. Page-level statistics are never written: they cost as much as
   * the encoding of a string column itself and readers of this lake prune on partitions and time.
   */
  statisticsColumns?: readonly string[];
  /** Key/value metadata written in the file footer. */
  metadata?: Record<string, string>;
}

const CODEC: Record<Compression, pw.Compression> = {
  ZSTD: pw.Compression.ZSTD,
  GZIP: pw.Compression.GZIP,
  SNAPPY: pw.Compression.SNAPPY,
  UNCOMPRESSED: pw.Compression.UNCOMPRESSED,
};

export const DEFAULT_ROW_GROUP_ROWS = 131_072;
export const MAX_DATA_PAGE_BYTES = 384 << 10;

/** A new WriterProperties every call: parquet-wasm consumes them ("null pointer passed to rust" on reuse). */
function writerProperties(o: ParquetOptions): pw.WriterProperties {
  const compression = o.compression ?? 'ZSTD';
  if (!(compression in CODEC)) throw new Error(`unknown compression ${JSON.stringify(compression)} (use ${COMPRESSIONS.join(', ')})`);
  let b = new pw.WriterPropertiesBuilder()
    .setCompression(CODEC[compression])
    .setMaxRowGroupSize(o.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .setMaxRowGroupBytes(o.rowGroupBytes ?? 128 << 20)
    .setDataPageSizeLimit(Math.min(o.dataPageBytes ?? MAX_DATA_PAGE_BYTES, MAX_DATA_PAGE_BYTES))
    .setDictionaryPageSizeLimit(MAX_DATA_PAGE_BYTES)
    .setDictionaryEnabled(o.dictionary ?? false)
    .setCreatedBy('ocsf-lake (parquet-rs via parquet-wasm)');
  if (o.statisticsColumns === undefined) b = b.setStatisticsEnabled(pw.EnabledStatistics.Chunk);
  else {
    b = b.setStatisticsEnabled(pw.EnabledStatistics.None);
    for (const c of o.statisticsColumns) b = b.setColumnStatisticsEnabled(c, pw.EnabledStatistics.Chunk);
  }
  if (o.metadata) b = b.setKeyValueMetadata(new Map(Object.entries(o.metadata)));
  return b.build();
}

function toWasm(batch: ArrowRecordBatch): pw.Table {
  return pw.Table.fromIPCStream(tableToIPC(new ArrowTable(batch), 'stream'));
}

/** Encoded Parquet file, as the chunks the encoder produced. */
export interface EncodedFile {
  chunks: Uint8Array[];
  bytes: number;
  rows: number;
}

/**
 * Encodes the record batches that `next()` produces (each built only when the encoder asks for it) into
 * one Parquet file. One batch goes through `writeParquet`; more are streamed through
 * `transformParquetStream` so that wasm holds one row group at a time.
 */
export async function encodeParquet(batches: () => ArrowRecordBatch | undefined, opts: ParquetOptions = {}): Promise<EncodedFile> {
  const first = batches();
  if (first === undefined || first.numRows === 0) throw new Error('refusing to write a Parquet file without rows');
  const second = batches();
  if (second === undefined) {
    const bytes = pw.writeParquet(toWasm(first), writerProperties(opts));
    return { chunks: [bytes], bytes: bytes.byteLength, rows: first.numRows };
  }
  let rows = 0;
  const pending: ArrowRecordBatch[] = [first, second];
  const source = new ReadableStream<pw.RecordBatch>(
    {
      pull(controller) {
        const b = pending.shift() ?? batches();
        if (b === undefined) {
          controller.close();
          return;
        }
        rows += b.numRows;
        const t = toWasm(b);
        for (const rb of t.recordBatches()) controller.enqueue(rb);
        t.free();
      },
    },
    { highWaterMark: 0 },
  );
  const out = await pw.transformParquetStream(source, writerProperties(opts));
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const c of out as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(c);
    bytes += c.byteLength;
  }
  return { chunks, bytes, rows };
}

/** Bytes of wasm linear memory in use by parquet-wasm (it grows and never shrinks). */
export function wasmMemoryBytes(): number {
  return pw.wasmMemory().buffer.byteLength;
}

/** Reads a Parquet file into an Arrow IPC stream (for `read.ts`). */
export function parquetToIpc(bytes: Uint8Array): Uint8Array {
  return pw.readParquet(bytes).intoIPCStream();
}
