/**
 * `ocsf-lake validate [--max-errors N] [--strip-table-columns] [--skip-constraints] FILE...`
 * Validates OCSF events (JSON object, JSON array, NDJSON; `-` = stdin; gzip transparently; Parquet once a
 * Parquet event reader is registered) against the generated OCSF schemas. Prints one line per file with
 * its counts, then its first errors with their JSON Pointer paths, and a total line. Exit 1 when any event
 * is invalid or any input cannot be read (the message names the file), else 0.
 */
import { createNormalizer } from '../../validate/normalize.js';
import { createValidator } from '../../validate/index.js';
import { openEvents } from '../../validate/input.js';
import { expandLakeInputs, registerParquetReader } from '../../writer/read.js';
import { readInput, UsageError, writeOut } from '../io.js';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { shardOut } from '../../pipeline/ingest.js';
import { sinkFor } from '../../pipeline/shard.js';
import type { LakeStore } from '../../writer/sinks/sink.js';
import { checkLakeIntegrity } from '../../ledger/integrity.js';
import type { IntegrityReport } from '../../ledger/integrity.js';
import { LOG_DIR } from '../../ledger/entry.js';
import { createLocalSink } from '../../writer/sinks/local.js';
import type { Command } from '../command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate OCSF events (JSON, NDJSON, .gz) against the OCSF JSON Schemas',
  usage: 'ocsf-lake validate [options] FILE|LAKE_DIR...   (JSON, NDJSON, .gz or .parquet; - for stdin)',
  options: {
    'max-errors': { type: 'string', default: '10', value: 'N', description: 'errors printed per file' },
    'strip-table-columns': { type: 'boolean', description: 'ignore the Security Lake table columns accountid, asl_version, eventday, region at the top level (e.g. rows exported by Athena)' },
    'skip-constraints': { type: 'boolean', description: "skip OCSF's cross-field constraints (at least one of / just one of)" },
    endpoint: S3_FLAGS.endpoint!,
    'path-style': S3_FLAGS['path-style']!,
  },
  examples: ['ocsf-lake validate ./lake', 'ocsf-lake validate s3://my-lake/ocsf', 'ocsf-lake map --source cloudtrail trail.json | ocsf-lake validate -'],
  async run({ values, positionals }) {
    if (positionals.length === 0) throw new UsageError('at least one FILE (or -) is required');
    const maxErrors = Number(values['max-errors']);
    if (!Number.isInteger(maxErrors) || maxErrors < 0) throw new UsageError(`--max-errors must be a non-negative integer, got ${String(values['max-errors'])}`);
    const validator = createValidator({
      stripTableColumns: values['strip-table-columns'] === true,
      constraints: values['skip-constraints'] !== true,
    });
    const out = process.stdout;
    let totalEvents = 0;
    let totalInvalid = 0;
    let unreadable = 0;
    // Parquet files and lake directories (their *.parquet files; rows also checked against the file's source
    // schema and its region=/accountId=/eventDay= directories): the writer's reader, src/writer/read.ts.
    registerParquetReader();
    // Lakes on S3 (`s3://bucket/prefix`): their table files are read from the bucket.
    const s3Lakes = positionals.filter((p) => p.startsWith('s3://'));
    const inputs: { name: string; read: () => Promise<Uint8Array> }[] = (await expandLakeInputs(positionals.filter((p) => !p.startsWith('s3://')))).map((f) => ({ name: f, read: () => readInput(f) }));
    // Lakes with a ledger: their table paths must agree with it (rows are compared as the files are read).
    const expected = new Map<string, number>();
    let integrityIssues = 0;
    const checkLake = async (label: string, store: LakeStore, nameOf: (key: string) => string): Promise<void> => {
      const report = await checkLakeIntegrity(store);
      for (const [key, rows] of report.expectedRows) expected.set(nameOf(key), rows);
      integrityIssues += report.issues.length;
      await writeOut(out, `${label}: ledger ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'} (${report.live} live), ${report.issues.length === 0 ? 'consistent with the table paths' : `${report.issues.length} integrity issue(s)`}\n`);
      for (const l of report.issues.slice(0, maxErrors)) await writeOut(out, `  ${l}\n`);
    };
    for (const p of positionals) {
      if (p === '-' || p.startsWith('s3://') || !(await stat(join(p, ...LOG_DIR.split('/'))).catch(() => undefined))?.isDirectory()) continue;
      await checkLake(p, createLocalSink(p, { fsync: false }), (key) => resolve(p, ...key.split('/')));
    }
    const stores: LakeStore[] = [];
    for (const url of s3Lakes) {
      const store = await sinkFor(shardOut({ out: url, ...(s3OptionsFromArgs(values) ? { s3: s3OptionsFromArgs(values) } : {}) }));
      stores.push(store);
      const base = url.replace(/\/+$/, '');
      await checkLake(url, store, (key) => `${base}/${key}`);
      for (const o of await store.list('')) {
        if (/^(aws|ext)\/.+\.parquet$/.test(o.key)) inputs.push({ name: `${base}/${o.key}`, read: async () => (await store.get(o.key)) ?? Promise.reject(new Error('no longer exists')) });
      }
    }
    const expectedRows = (file: string): number | undefined => expected.get(file.startsWith('s3://') ? file : resolve(file));
    for (const { name: file, read } of inputs) {
      const name = file === '-' ? '<stdin>' : file;
      let bytes: Uint8Array;
      try {
        bytes = await read();
      } catch (err) {
        process.stderr.write(`ocsf-lake validate: cannot read ${name}: ${(err as Error).message}\n`);
        unreadable++;
        continue;
      }
      const { reader, items } = openEvents(name, bytes);
      const normalize = createNormalizer(reader.normalize);
      let events = 0;
      let invalid = 0;
      const readErrors: string[] = [];
      const shown: string[] = [];
      let hidden = 0;
      for await (const item of items) {
        if (item.kind === 'error') {
          readErrors.push(`${item.location}: ${item.message}`);
          continue;
        }
        events++;
        const r = validator.validate(normalize(item.event));
        if (r.valid) continue;
        invalid++;
        for (const e of r.errors) {
          if (shown.length < maxErrors) shown.push(`  ${item.location} ${e.path || '/'}: ${e.message}`);
          else hidden++;
        }
      }
      totalEvents += events;
      totalInvalid += invalid;
      const rows = expectedRows(file);
      if (rows !== undefined && rows !== events && readErrors.length === 0) {
        integrityIssues++;
        await writeOut(out, `${name}: ${events} rows, the ledger recorded ${rows}\n`);
      }
      const status = readErrors.length > 0 ? 'UNREADABLE' : invalid > 0 ? 'INVALID' : events === 0 ? 'EMPTY' : 'OK';
      await writeOut(out, `${name}: ${status} ${events} event${events === 1 ? '' : 's'}, ${events - invalid} valid, ${invalid} invalid\n`);
      for (const l of shown) await writeOut(out, l + '\n');
      if (hidden > 0) await writeOut(out, `  ... ${hidden} more error${hidden === 1 ? '' : 's'} (--max-errors)\n`);
      if (readErrors.length > 0) {
        unreadable++;
        for (const m of readErrors.slice(0, maxErrors)) process.stderr.write(`ocsf-lake validate: cannot read ${m}\n`);
        if (readErrors.length > maxErrors) process.stderr.write(`ocsf-lake validate: ... ${readErrors.length - maxErrors} more read errors in ${name}\n`);
      }
    }
    for (const store of stores) await store.close?.();
    const files = inputs.length;
    await writeOut(
      out,
      `total: ${totalEvents} event${totalEvents === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, ${totalEvents - totalInvalid} valid, ${totalInvalid} invalid, ${unreadable} unreadable\n`,
    );
    return totalInvalid > 0 || unreadable > 0 || integrityIssues > 0 ? 1 : 0;
  },
};
