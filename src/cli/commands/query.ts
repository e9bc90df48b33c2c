/**
 * `ocsf-lake query --lake DIR "SQL"`: DuckDB over a local lake, with one view per table named as Security Lake's
 * Glue tables, and short aliases (src/query/lake.ts). Without SQL, lists the views.
 */
import { DuckDbMissingError, openLakeQuery } from '../../query/lake.js';
import type { Command } from '../command.js';
import { requireReadable, UsageError, writeOut } from '../io.js';
import { formatCsv, formatRows } from '../rows.js';

export const queryCommand: Command = {
  name: 'query',
  summary: 'run SQL (DuckDB) over a local lake, tables named as in Security Lake',
  usage: 'ocsf-lake query --lake DIR [--json|--csv] ["SQL"]   (no SQL: list the views)',
  options: {
    lake: { type: 'string', default: 'lake', value: 'DIR', description: 'lake root to query (a local directory)' },
    json: { type: 'boolean', description: 'print the rows as a JSON array' },
    csv: { type: 'boolean', description: 'print the rows as CSV' },
  },
  notes: [
    'Views: amazon_security_lake_table_<region>_<source>_<version> (one Region, as Glue names them), and over every\n' +
      'Region <source>_<version> and <source> (its latest version), e.g. cloud_trail_mgmt_2_0, cloud_trail_mgmt;\n' +
      'custom sources: ext_<name> and <name>. Partition columns: region, accountId, eventDay. Needs @duckdb/node-api.',
  ],
  examples: [
    'ocsf-lake query --lake ./lake',
    'ocsf-lake query --lake ./lake "SELECT class_name, count(*) AS events FROM cloud_trail_mgmt GROUP BY ALL"',
    "ocsf-lake query --lake ./lake --csv \"SELECT time_dt, src_endpoint.ip FROM vpc_flow WHERE accountId = '111122223333' LIMIT 10\"",
  ],
  async run({ values, positionals }) {
    if (values.json && values.csv) throw new UsageError('--json and --csv exclude each other');
    if (positionals.length > 1) throw new UsageError('give the SQL as one argument (quote it)');
    const root = values.lake as string;
    if (root.startsWith('s3://')) throw new UsageError('--lake must be a local directory (for S3, register the tables with ocsf-lake catalog --register and use Athena)');
    await requireReadable([root], 'lake');
    let q;
    try {
      q = await openLakeQuery(root);
    } catch (err) {
      if (err instanceof DuckDbMissingError) {
        process.stderr.write(`ocsf-lake query: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    try {
      if (positionals.length === 0) {
        const rows = q.views.map((v) => ({ view: v.name, table: v.table, region: v.region ?? '(all)' }));
        if (rows.length === 0) throw new UsageError(`no tables under ${root} (expected aws/<SOURCE>/<version>/region=... or ext/...)`);
        await writeOut(process.stdout, values.json ? JSON.stringify(rows, null, 2) + '\n' : formatRows(['view', 'table', 'region'], rows));
        return 0;
      }
      let result;
      try {
        result = await q.run(positionals[0]!);
      } catch (err) {
        process.stderr.write(`ocsf-lake query: ${(err as Error).message.split('\n')[0]}\n`);
        return 1;
      }
      const { columns, rows } = result;
      await writeOut(process.stdout, values.json ? JSON.stringify(rows, null, 2) + '\n' : values.csv ? formatCsv(columns, rows) : formatRows(columns, rows));
      return 0;
    } finally {
      q.close();
    }
  },
};
