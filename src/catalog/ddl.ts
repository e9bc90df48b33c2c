/**
 * Athena (Hive DDL) statements equivalent to the Glue entries of a {@link CatalogPlan}: `CREATE
 * DATABASE`, `CREATE EXTERNAL TABLE` with the same columns, partition keys, SerDe, location and table
 * properties, and `ALTER TABLE ADD PARTITION` for tables without partition projection.
 *
 * Every identifier is backtick-quoted (column names and struct field names included): Athena's DDL
 * reserves words OCSF uses as names (`time`, `user`, `group`, ...). String literals use Hive's escapes
 * (backslash before `'` and `\`). Athena runs one statement per query: split the output on `;` lines.
 */
import { ddlType, quoteIdent } from './hive-types.js';
import type { CatalogPlan, CatalogTable } from './glue.js';
import type { PartitionValues } from '../writer/partition.js';
import { partitionPath } from '../writer/partition.js';

/** A Hive string literal. */
export function hiveString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function createDatabaseDdl(db: { Name: string; Description?: string }): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdent(db.Name)}${db.Description ? `\nCOMMENT ${hiveString(db.Description)}` : ''};\n`;
}

/** `CREATE EXTERNAL TABLE IF NOT EXISTS` for one table of the plan. */
export function createTableDdl(t: CatalogTable): string {
  const ti = t.tableInput;
  const sd = ti.StorageDescriptor!;
  const cols = t.schema.fields.map((f) => `  ${quoteIdent(f.name)} ${ddlType(f.type)}`);
  const parts = (ti.PartitionKeys ?? []).map((p) => `  ${quoteIdent(p.Name!)} ${p.Type}`);
  // EXTERNAL is implied by CREATE EXTERNAL TABLE.
  const props = Object.entries(ti.Parameters ?? {})
    .filter(([k]) => k !== 'EXTERNAL')
    .map(([k, v]) => `  ${hiveString(k)}=${hiveString(v)}`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${quoteIdent(t.database)}.${quoteIdent(t.name)} (`,
    cols.join(',\n'),
    ')',
    ...(ti.Description ? [`COMMENT ${hiveString(ti.Description)}`] : []),
    ...(parts.length > 0 ? ['PARTITIONED BY (', parts.join(',\n'), ')'] : []),
    `ROW FORMAT SERDE ${hiveString(sd.SerdeInfo!.SerializationLibrary!)}`,
    `STORED AS INPUTFORMAT ${hiveString(sd.InputFormat!)}`,
    `OUTPUTFORMAT ${hiveString(sd.OutputFormat!)}`,
    `LOCATION ${hiveString(sd.Location!)}`,
    ...(props.length > 0 ? ['TBLPROPERTIES (', props.join(',\n'), ')'] : []),
  ].join('\n') + ';\n';
}

/** Every statement of a plan: the databases first, then the tables, separated by blank lines. */
export function planDdl(plan: CatalogPlan): string {
  return [...plan.databases.map(createDatabaseDdl), ...plan.tables.map(createTableDdl)].join('\n');
}

/**
 * `ALTER TABLE ... ADD IF NOT EXISTS PARTITION (...) LOCATION '...'` for partitions the writer wrote
 * (for tables without projection; the explicit location handles the `accountId=`/`accountid` case).
 */
export function addPartitionsDdl(t: CatalogTable, partitions: readonly PartitionValues[]): string {
  if (partitions.length === 0) return '';
  const lines = partitions.map(
    (p) =>
      `  PARTITION (\`region\`=${hiveString(p.region)}, \`accountid\`=${hiveString(p.accountId)}, \`eventday\`=${hiveString(p.eventDay)}) LOCATION ${hiveString(`${t.location}${partitionPath(p)}/`)}`,
  );
  return `ALTER TABLE ${quoteIdent(t.database)}.${quoteIdent(t.name)} ADD IF NOT EXISTS\n${lines.join('\n')};\n`;
}
