/**
 * `ocsf-lake ingest --source <SOURCE|family|auto> [--source-version V] --out <DIR|s3://bucket/prefix>
 *   [--layout auto|native|custom] [--workers N] [--validate off|sample|all] [--source-module FILE]... INPUT...`
 * A live progress bar on a TTY (plain progress lines otherwise) and the summary table at the end.
 */
import { ingest } from '../../pipeline/ingest.js';
import type { IngestProgress, IngestResult } from '../../pipeline/ingest.js';
import { formatCounts } from '../../pipeline/summary.js';
import { SourceError } from '../../core/source.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';
import { lakeCollection, OUTPUT_FLAGS, outputOptionsFromArgs, S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { parseValidateMode, VALIDATE_FLAGS } from '../validate-options.js';

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'ingest raw logs into a Security-Lake-layout Parquet lake (local or S3)',
  usage:
    'ocsf-lake ingest --source <SOURCE|family|auto> [--source-version V] --out <DIR|s3://bucket/prefix> [--layout auto|native|custom] [--workers N] [--validate off|sample|all] [--sample-rate R] [--compression zstd|gzip|snappy] [--ignore-lake-config] [--endpoint URL --path-style] [--source-module FILE]... INPUT...',
  options: {
    source: { type: 'string', default: 'auto' },
    'source-version': { type: 'string' },
    ...OUTPUT_FLAGS,
    workers: { type: 'string' },
    'ignore-lake-config': { type: 'boolean' },
    ...VALIDATE_FLAGS,
    ...S3_FLAGS,
    ...SOURCE_OPTION_FLAGS,
  },
  async run({ values, positionals }) {
    const { out, layout, compression } = outputOptionsFromArgs(values);
    if (positionals.length === 0) throw new UsageError('at least one INPUT (file, directory, s3://bucket/prefix or -) is required');
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new UsageError(`--workers must be a positive integer, got ${String(values.workers)}`);
    const { context, options, sourceModules, limits } = sourceOptionsFromArgs(values);
    const s3 = s3OptionsFromArgs(values);
    const collection = values['ignore-lake-config'] ? undefined : await lakeCollection(out, s3);
    const bar = progressPrinter();
    let result;
    try {
      result = await ingest(positionals, {
        source: values.source as string,
        sourceVersion: values['source-version'] as string | undefined,
        out,
        layout,
        workers,
        validate: parseValidateMode(values),
        compression,
        context,
        options,
        ...(limits !== undefined ? { limits } : {}),
        s3,
        collection: collection?.document,
        sourceModules,
        onProgress: bar.update,
      });
    } catch (err) {
      bar.clear();
      if (err instanceof SourceError) throw new UsageError(err.message);
      throw err;
    }
    bar.clear();
    if (collection) await collection.record(result.files);
    return printResult('ingest', result, values.json === true);
  },
};

/** Prints a run's summary (table or JSON); the exit code is 1 when dead letters could not be stored. */
export function printResult(command: string, result: IngestResult, json: boolean): number {
  if (json) process.stdout.write(JSON.stringify({ ...result.counts, balanced: result.balanced, elapsedMs: result.elapsedMs, dlqFiles: result.dlqFiles, dlqErrors: result.dlqErrors }, null, 2) + '\n');
  else process.stdout.write(formatCounts(result.counts, result.elapsedMs) + '\n');
  for (const e of result.dlqErrors) process.stderr.write(`ocsf-lake ${command}: dead-letter write failed: ${e}\n`);
  if (!result.balanced) {
    process.stderr.write(`ocsf-lake ${command}: accounting does not balance (a bug: please report it)\n`);
    return 1;
  }
  return result.dlqErrors.length > 0 ? 1 : 0;
}

/** A one-line progress bar on a TTY; a plain line every 5 s otherwise. */
function progressPrinter(): { update: (p: IngestProgress) => void; clear: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastPlain = 0;
  let shown = false;
  return {
    update(p) {
      const mb = p.bytes / 1e6;
      const line = `${p.records.toLocaleString('en-US')} records, ${mb.toFixed(1)} MB, ${Math.round(p.recordsPerSec).toLocaleString('en-US')} rec/s, ${(p.bytesPerSec / 1e6).toFixed(1)} MB/s, ${(p.elapsedMs / 1000).toFixed(1)} s`;
      const eta = p.listingDone && p.bytesListed > 0 && p.bytesPerSec > 0 ? Math.max(0, (p.bytesListed - p.bytes) / p.bytesPerSec) : undefined;
      if (tty) {
        const frac = p.listingDone && p.bytesListed > 0 ? Math.min(1, p.bytes / p.bytesListed) : undefined;
        const bar = frac === undefined ? '' : `[${'#'.repeat(Math.round(frac * 20)).padEnd(20, '.')}] ${(frac * 100).toFixed(0)}% `;
        process.stderr.write(`\r\x1b[K${bar}${line}${eta !== undefined ? `, ETA ${eta.toFixed(0)} s` : ''}`);
        shown = true;
      } else if (p.elapsedMs - lastPlain >= 5000) {
        lastPlain = p.elapsedMs;
        process.stderr.write(`progress: ${line}${eta !== undefined ? `, ETA ${eta.toFixed(0)} s` : ''}\n`);
      }
    },
    clear() {
      if (tty && shown) process.stderr.write('\r\x1b[K');
    },
  };
}
