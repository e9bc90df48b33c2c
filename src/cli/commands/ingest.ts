/**
 * `ocsf-lake ingest --source <SOURCE|family|auto> [--source-version V] --out <DIR|s3://bucket/prefix>
 *   [--layout auto|native|custom] [--workers N] [--validate off|sample|all] [--source-module FILE]... INPUT...`
 * A live progress bar on a TTY (plain progress lines otherwise) and the summary table at the end.
 */
import { ingest } from '../../pipeline/ingest.js';
import type { IngestProgress, IngestResult } from '../../pipeline/ingest.js';
import { formatCounts } from '../../pipeline/summary.js';
import { buildRunReport, classNames, formatRunReport, runFailed, UNREAD_REASONS } from '../../pipeline/report.js';
import type { FailOn, ReportOptions } from '../../pipeline/report.js';
import { SourceError } from '../../core/source.js';
import type { Command } from '../command.js';
import { requireReadable, sourceUsageError, UsageError } from '../io.js';
import { probeOutput } from '../out-probe.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS, SOURCE_SELECT_FLAGS } from '../source-options.js';
import { lakeCollection, OUTPUT_FLAGS, outputOptionsFromArgs, S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { parseValidateMode, VALIDATE_FLAGS } from '../validate-options.js';

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'ingest raw logs into a Security-Lake-layout Parquet lake (local or S3)',
  usage: 'ocsf-lake ingest --out DIR|s3://BUCKET/PREFIX [options] INPUT...   (INPUT: file, directory, s3://BUCKET/PREFIX or - for stdin)',
  options: {
    ...SOURCE_SELECT_FLAGS,
    ...OUTPUT_FLAGS,
    workers: { type: 'string', value: 'N', description: 'worker threads', defaultText: 'one per core; the calling thread alone for inputs under 10 MiB' },
    'ignore-lake-config': { type: 'boolean', description: 'ingest every source even if `ocsf-lake sources` configured the lake otherwise' },
    'follow-symlinks': { type: 'boolean', description: 'follow symbolic links inside input directories (each real file read once; links there are skipped otherwise)' },
    reingest: { type: 'boolean', description: "process inputs the lake's ledger has already ingested, replacing exactly the files they produced" },
    'commit-objects': { type: 'string', value: 'N', description: 'commit a unit of work (its files become visible together) every N input objects', defaultText: '1000, or 256 MiB of input, or every minute' },
    'max-file-age': { type: 'string', value: 'SECONDS', description: "close a partition's file once its oldest row is this old", defaultText: '300' },
    ...VALIDATE_FLAGS,
    ...S3_FLAGS,
    ...SOURCE_OPTION_FLAGS,
  },
  examples: [
    'ocsf-lake ingest --out ./lake ./AWSLogs/',
    'ocsf-lake ingest --source cloudtrail --source-version 1.0 --reingest --out ./lake ./AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/',
    'ocsf-lake ingest --source EKS_AUDIT --region eu-west-1 --json --out s3://my-lake/ocsf s3://my-logs/eks/',
  ],
  async run({ values, positionals }) {
    const { out, layout, compression } = outputOptionsFromArgs(values);
    if (positionals.length === 0) throw new UsageError('at least one INPUT (file, directory, s3://bucket/prefix or -) is required');
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new UsageError(`--workers must be a positive integer, got ${String(values.workers)}`);
    const commitObjects = positiveNumber(values, 'commit-objects', true);
    const maxFileAge = positiveNumber(values, 'max-file-age', false);
    const { context, options, sourceModules, limits } = sourceOptionsFromArgs(values);
    await requireReadable(positionals);
    const s3 = s3OptionsFromArgs(values);
    const kmsKeyId = values['kms-key-id'] as string | undefined;
    await probeOutput(out, { s3, kmsKeyId });
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
        ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
        collection: collection?.document,
        sourceModules,
        followSymlinks: values['follow-symlinks'] === true,
        reingest: values.reingest === true,
        ...(commitObjects !== undefined ? { commitEvery: { objects: commitObjects } } : {}),
        ...(maxFileAge !== undefined ? { writer: { maxAgeMs: maxFileAge * 1000 } } : {}),
        onProgress: bar.update,
      });
    } catch (err) {
      bar.clear();
      if (err instanceof SourceError) throw sourceUsageError(err);
      throw err;
    }
    bar.clear();
    if (collection) await collection.record(result.files);
    return printResult('ingest', result, printOptions(values, out, s3));
  },
};

export interface PrintOptions extends ReportOptions {
  json: boolean;
  failOn?: FailOn;
}

/**
 * Prints a run's summary and report (table or JSON). Exit code 1 unless every record is stored (records not
 * stored leave their inputs uncommitted: a re-run redoes them), when an input could not be read or could not be
 * taken on, or (`failOn: 'failures'`) when any record failed.
 */
export async function printResult(command: string, result: IngestResult, opts: PrintOptions): Promise<number> {
  const c = result.counts;
  const report = await buildRunReport(result, opts);
  if (opts.json) {
    const { run, entries, recovered, warnings, dlqFiles, dlqErrors, storeErrors } = result;
    const doc = { ...c, balanced: result.balanced, elapsedMs: result.elapsedMs, run, units: entries.length, recovered, warnings, dlqFiles, dlqErrors, storeErrors, report };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const more = formatRunReport(report);
    process.stdout.write(formatCounts(c, result.elapsedMs, classNames()) + '\n' + (more === '' ? '' : `\n${more}\n`));
  }
  if (result.recovered.rolledForward > 0 || result.recovered.stagingRemoved > 0) {
    process.stderr.write(`ocsf-lake ${command}: finished ${result.recovered.rolledForward} commit(s) of an interrupted run and removed ${result.recovered.stagingRemoved} uncommitted staged file(s)\n`);
  }
  for (const w of result.warnings) process.stderr.write(`ocsf-lake ${command}: ${w}\n`);
  for (const e of result.storeErrors.slice(0, 5)) process.stderr.write(`ocsf-lake ${command}: file write failed: ${e}\n`);
  for (const e of result.dlqErrors.slice(0, 5)) process.stderr.write(`ocsf-lake ${command}: dead-letter write failed: ${e}\n`);
  if (c.recordsNotStored > 0) {
    process.stderr.write(
      `ocsf-lake ${command}: ${c.recordsNotStored.toLocaleString('en-US')} records could not be stored; their input objects stay uncommitted in the lake's ledger: run the same command again to redo them\n`,
    );
  } else if (!result.balanced) process.stderr.write(`ocsf-lake ${command}: accounting does not balance (a bug: please report it)\n`);
  const unread = UNREAD_REASONS.reduce((n, r) => n + (c.failuresByReason[r] ?? 0), 0);
  if (unread > 0) process.stderr.write(`ocsf-lake ${command}: ${unread} input${unread === 1 ? '' : 's'} could not be read (read-error, object-missing); their dead letters name them\n`);
  const failed = runFailed(result, opts.failOn);
  if (failed && opts.failOn === 'failures' && c.failures > 0 && unread === 0 && result.balanced && result.dlqErrors.length === 0) {
    process.stderr.write(`ocsf-lake ${command}: ${c.failures} record${c.failures === 1 ? '' : 's'} failed (--fail-on-failures)\n`);
  }
  return failed ? 1 : 0;
}

/** A positive number option (`integer`: whole numbers only), or undefined when absent. */
function positiveNumber(values: Record<string, unknown>, flag: string, integer: boolean): number | undefined {
  if (values[flag] === undefined) return undefined;
  const n = Number(values[flag]);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${String(values[flag])}`);
  return n;
}

/** The report options of a command's parsed flags. */
export function printOptions(values: Record<string, unknown>, out: string, s3: PrintOptions['s3']): PrintOptions {
  return {
    json: values.json === true,
    out,
    ...(s3 ? { s3 } : {}),
    ...(typeof values.region === 'string' ? { region: values.region } : {}),
    ...(values['fail-on-failures'] === true ? { failOn: 'failures' as const } : {}),
  };
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
