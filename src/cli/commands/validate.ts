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
import { join, relative, resolve, sep } from 'node:path';
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
  },
  examples: ['ocsf-lake validate ./lake', 'ocsf-lake map --source cloudtrail trail.json | ocsf-lake validate -', 'ocsf-lake validate --max-errors 3 events.ndjson'],
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
    const inputs = await expandLakeInputs(positionals);
    // Lakes with a ledger: their table paths must agree with it (rows are compared as the files are read).
    const lakes: { root: string; report: IntegrityReport }[] = [];
    let integrityIssues = 0;
    for (const p of positionals) {
      if (p === '-' || !(await stat(join(p, ...LOG_DIR.split('/'))).catch(() => undefined))?.isDirectory()) continue;
      const report = await checkLakeIntegrity(createLocalSink(p, { fsync: false }));
      lakes.push({ root: resolve(p), report });
      integrityIssues += report.issues.length;
      await writeOut(out, `${p}: ledger ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'} (${report.live} live), ${report.issues.length === 0 ? 'consistent with the table paths' : `${report.issues.length} integrity issue(s)`}\n`);
      for (const l of report.issues.slice(0, maxErrors)) await writeOut(out, `  ${l}\n`);
    }
    const expectedRows = (file: string): number | undefined => {
      for (const l of lakes) {
        const rel = relative(l.root, resolve(file));
        if (!rel.startsWith('..')) return l.report.expectedRows.get(rel.split(sep).join('/'));
      }
      return undefined;
    };
    for (const file of inputs) {
      const name = file === '-' ? '<stdin>' : file;
      let bytes: Uint8Array;
      try {
        bytes = await readInput(file);
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
    const files = inputs.length;
    await writeOut(
      out,
      `total: ${totalEvents} event${totalEvents === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, ${totalEvents - totalInvalid} valid, ${totalInvalid} invalid, ${unreadable} unreadable\n`,
    );
    return totalInvalid > 0 || unreadable > 0 || integrityIssues > 0 ? 1 : 0;
  },
};
